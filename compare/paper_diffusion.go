package compare

import (
	"context"
	"encoding/csv"
	"fmt"
	"io"
	"math"
	"slices"
	"strconv"
	"strings"

	"gonum.org/v1/gonum/stat"
	"gonum.org/v1/plot"
	"gonum.org/v1/plot/plotter"
	"gonum.org/v1/plot/vg"
	"gonum.org/v1/plot/vg/draw"

	"placecell/compare/rbm"
	"placecell/dynamics"
	"placecell/ring"
)

// Paper readings of Figs 5 and 6 (THEORY.md §4.12, §6.4, E5, E6).
const (
	paperMSDSlope    = 105   // plotted slope of the Fig. 5b MSD, sites²/epoch
	paperDPrinted    = 0.531 // the inset's "Diffusion Coefficient", spins²/epoch
	paperExcursion   = 200   // unwrapped excursions reach ±200 sites in 100 epochs
	paperFormEpochs  = 10    // the bump forms within about 10 epochs
	concentrationMin = 0.5   // concentration above which a field counts as a bump
)

// DiffusionConfig sets up the receptive-field diffusion experiments: the
// paper's Fig. 5 (one unit, DefaultDiffusionConfig) and Fig. 6 (three
// units, DefaultCoDiffusionConfig), THEORY.md §4.12–4.13, §6.4 (E5, E6),
// §6.6 T7. For each learning rate ν, Runs RBMs are trained on their own
// data sets; the centre of every unit (circular mean of w²) is recorded
// RecordsPerEpoch times per epoch and unwrapped. The diffusion coefficient
// is fitted to the ensemble mean-square displacement from a reference time
// (the paper's method) and to the time-averaged MSD of each run, and is
// reported per epoch and per unit learning time, D_t = D_epoch/(ν U_e).
// The theory has no value for D (§4.13) but predicts D_t ∝ ν at fixed
// batch, chains, k and S, which the ν sweep tests.
type DiffusionConfig struct {
	N    int     `json:"n"`    // ring length (default 100)
	Beta float64 `json:"beta"` // inverse temperature (default 1)
	S    int     `json:"s"`    // training samples per run (default 10⁶)
	// Arms are the training protocols compared: learning rate, model term
	// and length in epochs (defaults: see DefaultDiffusionConfig).
	Arms []DiffusionArm `json:"arms"`
	Runs int            `json:"runs"` // runs per arm (default 4)
	// RecordsPerEpoch is how often the centres are recorded (default
	// 100).
	RecordsPerEpoch int `json:"records_per_epoch"`
	// FitFrom is the fraction of each run before the reference time t₀ of
	// the displacements and the start of the fit window (default 0.2, the
	// paper's 20 of 100 epochs).
	FitFrom float64 `json:"fit_from"`
	// MaxLag is the largest lag of the time-averaged MSD fit, as a
	// fraction of the window after t₀ (default 0.1: the relative error of
	// a time-averaged MSD at lag ℓ over a window T is about √(4ℓ/3T)).
	MaxLag float64 `json:"max_lag"`
	Seed   uint64  `json:"seed"`
	// Training holds the simulator settings (defaults: M = 1 ±1 unit,
	// zero fields, batch 100, PCD-20 with 100 chains, σ₀ = √(0.1/N)); Nu,
	// Phase and Epochs are set by each arm.
	Training rbm.Config `json:"training"`

	Workers  int                   `json:"-"`
	Progress func(done, total int) `json:"-"`
	Store    Store                 `json:"-"`
}

// DiffusionArm is one training protocol of the diffusion experiments.
type DiffusionArm struct {
	Nu    float64           `json:"nu"`
	Phase rbm.NegativePhase `json:"phase"`
	// Epochs is the training length, possibly fractional.
	Epochs float64 `json:"epochs"`
}

func (a DiffusionArm) String() string {
	return fmt.Sprintf("ν = %g, %s, %g epochs", a.Nu, a.Phase, a.Epochs)
}

// DefaultDiffusionConfig returns the reduced defaults of Fig. 5: 4 runs of
// the paper's algorithm (ν = 0.1, PCD-20) for 2 epochs, and 4 runs each at
// ν = 0.1 and 0.05 with the exact model term for 10 epochs. The exact arms
// cost a tenth per update; they remove the chains' noise (so that PCD
// against exact measures its share of D) and test D_t ∝ ν over a longer
// window.
func DefaultDiffusionConfig() DiffusionConfig {
	c := DiffusionConfig{Arms: []DiffusionArm{{0.1, rbm.PCD, 2}, {0.1, rbm.Exact, 10}, {0.05, rbm.Exact, 10}},
		Training: rbm.Config{Hidden: 1}}
	c.setDefaults()
	return c
}

// PaperDiffusionConfig returns the sizes of Fig. 5: ν = 0.1, PCD-20, 10 runs
// of 100 epochs (10⁶ updates each).
func PaperDiffusionConfig() DiffusionConfig {
	c := DiffusionConfig{Arms: []DiffusionArm{{0.1, rbm.PCD, 100}}, Runs: 10, Training: rbm.Config{Hidden: 1}}
	c.setDefaults()
	return c
}

// DefaultCoDiffusionConfig returns the reduced defaults of Fig. 6: three
// units, 4 runs at ν = 0.1 with PCD-20 for 2 epochs.
func DefaultCoDiffusionConfig() DiffusionConfig {
	c := DiffusionConfig{Arms: []DiffusionArm{{0.1, rbm.PCD, 2}}, Training: rbm.Config{Hidden: 3}}
	c.setDefaults()
	return c
}

// PaperCoDiffusionConfig returns the sizes of Fig. 6: three units, ν = 0.1,
// PCD-20, 250 epochs (2.5·10⁶ updates per run); the paper shows one run.
func PaperCoDiffusionConfig() DiffusionConfig {
	c := DiffusionConfig{Arms: []DiffusionArm{{0.1, rbm.PCD, 250}}, Runs: 1, Training: rbm.Config{Hidden: 3}}
	c.setDefaults()
	return c
}

func (c *DiffusionConfig) setDefaults() {
	if c.N == 0 {
		c.N = 100
	}
	if c.Beta == 0 {
		c.Beta = 1
	}
	if c.S == 0 {
		c.S = 1000000
	}
	if len(c.Arms) == 0 {
		c.Arms = []DiffusionArm{{0.1, rbm.PCD, 2}}
	}
	if c.Runs == 0 {
		c.Runs = 4
	}
	if c.RecordsPerEpoch == 0 {
		c.RecordsPerEpoch = 100
	}
	if c.FitFrom == 0 {
		c.FitFrom = 0.2
	}
	if c.MaxLag == 0 {
		c.MaxLag = 0.1
	}
	def := isingTraining()
	def.Nu = c.Arms[0].Nu
	fillTraining(&c.Training, def, c.N)
	c.Training.Nu, c.Training.Epochs, c.Training.Phase = 0, 0, 0 // set per arm
}

func (c *DiffusionConfig) validate() error {
	if c.N < 8 {
		return configErrorf("N = %d too small for receptive fields (want N ≥ 8)", c.N)
	}
	if err := (ring.Ising{N: c.N, Beta: c.Beta}).Validate(); err != nil {
		return &ConfigError{err.Error()}
	}
	for i, a := range c.Arms {
		if !(a.Nu > 0) || math.IsInf(a.Nu, 0) || !(a.Epochs > 0) || math.IsInf(a.Epochs, 0) {
			return configErrorf("arm %v: ν and epochs must be positive and finite", a)
		}
		for _, b := range c.Arms[:i] {
			if a == b {
				return configErrorf("arm %v is listed twice", a)
			}
		}
		if c.records(a) < 20 {
			return configErrorf("arm %v: %d records are too few to fit a diffusion coefficient (raise epochs or records per epoch)", a, c.records(a))
		}
	}
	if c.S < 1 || c.Runs < 1 || c.RecordsPerEpoch < 1 {
		return configErrorf("S = %d, runs = %d and records per epoch = %d must be at least 1", c.S, c.Runs, c.RecordsPerEpoch)
	}
	if !(c.FitFrom >= 0 && c.FitFrom < 1) || !(c.MaxLag > 0 && c.MaxLag <= 0.5) {
		return configErrorf("fit_from = %v must be in [0, 1) and max_lag = %v in (0, 0.5]", c.FitFrom, c.MaxLag)
	}
	if c.Training.Batch > c.S {
		return configErrorf("batch %d exceeds S = %d", c.Training.Batch, c.S)
	}
	t := c.Training
	t.Nu = c.Arms[0].Nu
	return checkTraining(t)
}

// perEpoch returns U_e = ⌈S/B⌉.
func (c *DiffusionConfig) perEpoch() int { return (c.S + c.Training.Batch - 1) / c.Training.Batch }

// updates returns the updates of one run of arm a and the record spacing.
func (c *DiffusionConfig) updates(a DiffusionArm) (total, every int) {
	total = max(1, int(math.Round(a.Epochs*float64(c.perEpoch()))))
	every = max(1, c.perEpoch()/c.RecordsPerEpoch)
	return total, every
}

func (c *DiffusionConfig) records(a DiffusionArm) int {
	total, every := c.updates(a)
	return total/every + 1
}

// training returns the simulator settings of arm a.
func (c *DiffusionConfig) training(a DiffusionArm) rbm.Config {
	t := c.Training
	t.Nu, t.Phase = a.Nu, a.Phase
	if a.Phase == rbm.Exact {
		t.Chains, t.Sweeps = 0, 0
	}
	return t
}

// DiffusionRun is the centre trajectory of one run.
type DiffusionRun struct {
	Arm       int     `json:"arm"` // index into the configuration's arms
	Nu        float64 `json:"nu"`
	Run       int     `json:"run"`
	DataSeed  uint64  `json:"data_seed"`
	TrainSeed uint64  `json:"train_seed"`
	// Epoch holds the record times in epochs (t = ν U_e × epoch).
	Epoch []float64 `json:"epoch"`
	// Centre, Concentration and Peak hold, per record, the M values of
	// the units (record-major).
	Centre        []OptFloat `json:"centre"`
	Concentration []float64  `json:"concentration"`
	Peak          []float64  `json:"peak"`
	// W is the final M×N field, sign-normalised per unit.
	W []float64 `json:"w"`
}

// DiffusionGroup is the analysis of the runs at one ν.
type DiffusionGroup struct {
	Arm DiffusionArm `json:"arm"`
	// Ref is the index of the reference record t₀, RefEpoch its epoch.
	Ref      int     `json:"ref"`
	RefEpoch float64 `json:"ref_epoch"`
	// FormEpoch is the mean over runs and units of the first epoch from
	// which the concentration stays ≥ 0.5 (a bump has formed).
	FormEpoch OptFloat `json:"form_epoch"`
	// MSD is the ensemble mean-square displacement of the centres (M = 1)
	// or of the mean centre (M > 1) from t₀ at each record from t₀ on.
	MSD []float64 `json:"msd"`
	// DEnsemble is D per epoch from the least-squares line MSD = a +
	// 2D(epoch − epoch₀) over the records from t₀ on (the paper's method),
	// EnsembleIntercept its a.
	DEnsemble         float64 `json:"d_ensemble_epoch"`
	EnsembleIntercept float64 `json:"ensemble_intercept"`
	// DRuns holds D per epoch of each run from its time-averaged MSD over
	// lags up to the fraction MaxLag of the window (with an intercept for the
	// centre-measurement noise); D and DSE their mean and standard error.
	DRuns []float64 `json:"d_runs_epoch"`
	D     float64   `json:"d_epoch"`
	DSE   float64   `json:"d_epoch_se"`
	// DT and DTSE are D per unit learning time, D/(ν U_e).
	DT   float64 `json:"d_t"`
	DTSE float64 `json:"d_t_se"`
	// Alpha is the exponent of TAMSD ∝ lag^α fitted on log scales over
	// lags from an eighth of the largest to the largest: 1 for diffusion,
	// below 1 for a confined (pinned) centre.
	Alpha OptFloat `json:"alpha"`
	// Lags (epochs) and TAMSD (mean over runs) of the time-averaged MSD.
	Lags  []float64 `json:"lags"`
	TAMSD []float64 `json:"tamsd"`
	// MaxExcursion is the largest |x(t) − x(t₀)| over runs and units.
	MaxExcursion float64 `json:"max_excursion"`
	// For M > 1: the circular distances between the centres of every pair
	// of units after t₀ (mean, sd, smallest mean over time), and D of
	// single units (time-averaged, mean over units and runs).
	Separation     OptFloat `json:"separation"`
	SeparationSD   OptFloat `json:"separation_sd"`
	MinSeparation  OptFloat `json:"min_separation"`
	DUnit          OptFloat `json:"d_unit_epoch"`
	GapFluctuation OptFloat `json:"gap_fluctuation"` // sd over time of the gaps, mean over runs
}

// DiffusionResult is the outcome of the Fig. 5 or Fig. 6 experiment.
type DiffusionResult struct {
	Provenance
	Config DiffusionConfig `json:"config"`
	// UpdatesPerEpoch is U_e = ⌈S/B⌉.
	UpdatesPerEpoch int              `json:"updates_per_epoch"`
	Runs            []DiffusionRun   `json:"runs"`
	Groups          []DiffusionGroup `json:"groups"`
	Rows            []paperRow       `json:"paper_vs_measured"`
}

// Diffusion runs the Fig. 5 (M = 1) or Fig. 6 (M > 1) experiment.
func Diffusion(ctx context.Context, cfg DiffusionConfig) (*DiffusionResult, error) {
	cfg.setDefaults()
	if err := cfg.validate(); err != nil {
		return nil, err
	}
	model := ring.Ising{N: cfg.N, Beta: cfg.Beta}
	m := cfg.Training.Hidden
	name := "diffusion"
	if m > 1 {
		name = "codiffusion"
	}
	n := len(cfg.Arms) * cfg.Runs
	runs := make([]DiffusionRun, n)
	// Longest arms first, so that the workers finish together.
	order := make([]int, n)
	for j := range order {
		order[j] = j
	}
	cost := func(j int) float64 {
		a := cfg.Arms[j/cfg.Runs]
		if a.Phase == rbm.Exact {
			return a.Epochs / 10
		}
		return a.Epochs
	}
	slices.SortStableFunc(order, func(a, b int) int { return cmpFloat(cost(b), cost(a)) })
	err := runJobs(ctx, n, cfg.Workers, func(ctx context.Context, i int) error {
		j := order[i]
		ai, k := j/cfg.Runs, j%cfg.Runs
		arm := cfg.Arms[ai]
		// Data seeds depend on the run index only: every arm trains on the
		// same data sets, so that the comparisons are paired.
		dataSeed, _ := seedsOf(cfg.Seed, name+"-data", k)
		_, trainSeed := seedsOf(cfg.Seed, name+"/"+arm.String(), k)
		tc := cfg.training(arm)
		tc.Seed = trainSeed
		total, every := cfg.updates(arm)
		key := runKey(name, struct {
			Build               string
			Model               ring.Ising
			S, Total, Every     int
			Training            rbm.Config
			DataSeed, TrainSeed uint64
		}{buildID(), model, cfg.S, total, every, tc, dataSeed, trainSeed})
		r, err := storedRun(ctx, cfg.Store, key, func(ctx context.Context) (DiffusionRun, error) {
			return diffusionRun(ctx, model, cfg.S, tc, total, every, k, dataSeed)
		})
		r.Arm = ai
		runs[j] = r
		return err
	}, cfg.Progress)
	if err != nil {
		return nil, err
	}
	fig := "Fig. 5"
	if m > 1 {
		fig = "Fig. 6"
	}
	res := &DiffusionResult{Provenance: newProvenance(name, fig), Config: cfg, Runs: runs, UpdatesPerEpoch: cfg.perEpoch()}
	for i, a := range cfg.Arms {
		res.Groups = append(res.Groups, diffusionGroup(&cfg, a, runs[i*cfg.Runs:(i+1)*cfg.Runs]))
	}
	res.Rows = res.compare()
	return res, nil
}

// diffusionRun trains one RBM for total updates and records the centres
// every few updates.
func diffusionRun(ctx context.Context, model ring.Ising, s int, tc rbm.Config, total, every, run int, dataSeed uint64) (DiffusionRun, error) {
	out := DiffusionRun{Nu: tc.Nu, Run: run, DataSeed: dataSeed, TrainSeed: tc.Seed}
	data, err := ring.GenerateContext(ctx, ring.NewExact(model), s, dataSeed)
	if err != nil {
		return out, err
	}
	perEpoch := (s + tc.Batch - 1) / tc.Batch
	tc.Epochs = (total + perEpoch - 1) / perEpoch
	tr, err := rbm.NewTrainer(data, tc)
	if err != nil {
		return out, fmt.Errorf("compare: diffusion run %d: %w", run, err)
	}
	n, m := model.N, tc.Hidden
	record := func(u int) {
		w := tr.Weights()
		out.Epoch = append(out.Epoch, float64(u)/float64(perEpoch))
		for mu := range m {
			row := dynamics.SignNormalize(nil, w[mu*n:(mu+1)*n])
			c, k := dynamics.Centre(row)
			out.Centre = append(out.Centre, OptFloat(c))
			out.Concentration = append(out.Concentration, k)
			out.Peak = append(out.Peak, maxOf(row))
		}
	}
	record(0)
	for u := 1; u <= total; u++ {
		if u%256 == 0 && ctx.Err() != nil {
			return out, ctx.Err()
		}
		if err := tr.Step(); err != nil {
			return out, fmt.Errorf("compare: diffusion ν = %g run %d: %w", tc.Nu, run, err)
		}
		if u%every == 0 || u == total {
			record(u)
		}
	}
	w := tr.Weights()
	out.W = make([]float64, len(w))
	for mu := range m {
		dynamics.SignNormalize(out.W[mu*n:(mu+1)*n], w[mu*n:(mu+1)*n])
	}
	return out, nil
}

// unwrapped returns the unwrapped centre of unit mu of a run.
func (r *DiffusionRun) unwrapped(m, mu, n int) []float64 {
	c := make([]float64, len(r.Epoch))
	for k := range c {
		c[k] = float64(r.Centre[k*m+mu])
	}
	return dynamics.Unwrap(nil, c, n)
}

// formEpoch returns the first epoch from which the concentration of unit
// mu stays at or above concentrationMin (NaN if it never does).
func (r *DiffusionRun) formEpoch(m, mu int) float64 {
	k := len(r.Epoch)
	for k > 0 && r.Concentration[(k-1)*m+mu] >= concentrationMin {
		k--
	}
	if k == len(r.Epoch) {
		return math.NaN()
	}
	return r.Epoch[k]
}

// diffusionGroup analyses the runs at one learning rate.
func diffusionGroup(cfg *DiffusionConfig, arm DiffusionArm, runs []DiffusionRun) DiffusionGroup {
	m, n := cfg.Training.Hidden, cfg.N
	nu := arm.Nu
	grp := DiffusionGroup{Arm: arm}
	nrec := len(runs[0].Epoch)
	grp.Ref = min(nrec-2, int(math.Ceil(cfg.FitFrom*float64(nrec-1))))
	grp.RefEpoch = runs[0].Epoch[grp.Ref]
	var forms []float64
	// Trajectories: x (M = 1) or the mean centre X (M > 1).
	paths := make([][]float64, len(runs))
	units := make([][][]float64, len(runs))
	for i := range runs {
		units[i] = make([][]float64, m)
		for mu := range m {
			units[i][mu] = runs[i].unwrapped(m, mu, n)
			forms = append(forms, runs[i].formEpoch(m, mu))
		}
		paths[i] = make([]float64, nrec)
		for k := range nrec {
			for mu := range m {
				paths[i][k] += units[i][mu][k] / float64(m)
			}
		}
	}
	f, _, _ := meanSDOf(forms)
	grp.FormEpoch = OptFloat(f)

	// Ensemble MSD from t₀ and its fit.
	var xs []float64
	for k := grp.Ref; k < nrec; k++ {
		var s float64
		for i := range runs {
			s += sq(paths[i][k] - paths[i][grp.Ref])
		}
		grp.MSD = append(grp.MSD, s/float64(len(runs)))
		xs = append(xs, runs[0].Epoch[k]-grp.RefEpoch)
	}
	a, b := stat.LinearRegression(xs, grp.MSD, nil, false)
	grp.DEnsemble, grp.EnsembleIntercept = b/2, a
	for i := range runs {
		for mu := range m {
			for k := grp.Ref; k < nrec; k++ {
				grp.MaxExcursion = math.Max(grp.MaxExcursion, math.Abs(units[i][mu][k]-units[i][mu][grp.Ref]))
			}
		}
	}

	// Time-averaged MSD per run.
	maxLag := max(3, int(cfg.MaxLag*float64(nrec-grp.Ref)))
	dEpoch := runs[0].Epoch[1] - runs[0].Epoch[0]
	grp.TAMSD = make([]float64, maxLag)
	for l := 1; l <= maxLag; l++ {
		grp.Lags = append(grp.Lags, float64(l)*dEpoch)
	}
	var dUnit []float64
	for i := range runs {
		ta := timeAveragedMSD(paths[i][grp.Ref:], maxLag)
		for l := range ta {
			grp.TAMSD[l] += ta[l] / float64(len(runs))
		}
		_, slope := stat.LinearRegression(grp.Lags, ta, nil, false)
		grp.DRuns = append(grp.DRuns, slope/2)
		if m > 1 {
			for mu := range m {
				_, s := stat.LinearRegression(grp.Lags, timeAveragedMSD(units[i][mu][grp.Ref:], maxLag), nil, false)
				dUnit = append(dUnit, s/2)
			}
		}
	}
	grp.Alpha = OptFloat(anomalousExponent(grp.Lags, grp.TAMSD))
	d, sd := meanSD(grp.DRuns)
	grp.D, grp.DSE = d, sd/math.Sqrt(float64(len(grp.DRuns)))
	scale := nu * float64(cfg.perEpoch())
	grp.DT, grp.DTSE = grp.D/scale, grp.DSE/scale

	grp.Separation, grp.SeparationSD, grp.MinSeparation, grp.DUnit, grp.GapFluctuation =
		OptFloat(math.NaN()), OptFloat(math.NaN()), OptFloat(math.NaN()), OptFloat(math.NaN()), OptFloat(math.NaN())
	if m > 1 {
		var seps, mins, flucts []float64
		for i := range runs {
			var gapSeries [][]float64
			for k := grp.Ref; k < nrec; k++ {
				lo := math.Inf(1)
				var cs []float64
				for mu := range m {
					cs = append(cs, float64(runs[i].Centre[k*m+mu]))
					for nu2 := mu + 1; nu2 < m; nu2++ {
						s := dynamics.CircularDistance(float64(runs[i].Centre[k*m+mu]), float64(runs[i].Centre[k*m+nu2]), n)
						seps = append(seps, s)
						lo = math.Min(lo, s)
					}
				}
				mins = append(mins, lo)
				gapSeries = append(gapSeries, ringGaps(cs, float64(n)))
			}
			// sd over time of each gap (gaps sorted by position, so a
			// gap is followed while the order is kept), mean over gaps.
			for gi := range m {
				var v []float64
				for _, gs := range gapSeries {
					if len(gs) == m {
						v = append(v, gs[gi])
					}
				}
				if _, s, c := meanSDOf(v); c > 1 {
					flucts = append(flucts, s)
				}
			}
		}
		s, ssd, _ := meanSDOf(seps)
		mn, _, _ := meanSDOf(mins)
		du, _, _ := meanSDOf(dUnit)
		fl, _, _ := meanSDOf(flucts)
		grp.Separation, grp.SeparationSD, grp.MinSeparation = OptFloat(s), OptFloat(ssd), OptFloat(mn)
		grp.DUnit, grp.GapFluctuation = OptFloat(du), OptFloat(fl)
	}
	return grp
}

// anomalousExponent returns the slope of ln y against ln x over the points
// with x ≥ x_max/8 and y > 0 (NaN with fewer than 3).
func anomalousExponent(x, y []float64) float64 {
	var lx, ly []float64
	for i := range x {
		if x[i] >= x[len(x)-1]/8 && y[i] > 0 {
			lx, ly = append(lx, math.Log(x[i])), append(ly, math.Log(y[i]))
		}
	}
	if len(lx) < 3 {
		return math.NaN()
	}
	_, b := stat.LinearRegression(lx, ly, nil, false)
	return b
}

// ensembleSE returns the standard error of a diffusion coefficient d
// read from the ensemble MSD of runs independent walkers: each squared
// displacement is χ²-distributed with one degree of freedom (variance
// 2·MSD²), so
//
//	se ≈ √(2/runs)·d.
func ensembleSE(d float64, runs int) float64 {
	return math.Sqrt(2/float64(runs)) * math.Abs(d)
}

// ensembleVerdict compares the ensemble D (standard error se, from runs
// runs) with the paper's value want. When 2 se exceeds want/2 the test
// cannot tell want from half or one and a half of it, and the verdict says
// so instead of "agrees"; otherwise it is that of agreement (2 se or 25%).
func ensembleVerdict(d, se, want float64, runs int) string {
	if math.IsNaN(d) {
		return "not measured"
	}
	if 2*se > want/2 {
		return fmt.Sprintf("not testable with %d runs (2 se = %.2g > half the paper's value; formally %s)",
			runs, 2*se, agreement(d, se, want, want, 0.25))
	}
	return agreement(d, se, want, want, 0.25)
}

// ensembleAgainstTA returns a remark when the time-averaged D (ta ± taSE)
// and the ensemble D (ens ± ensSE) of the same runs differ by more than a
// factor 1.5, saying whether the difference exceeds 2 combined standard
// errors; "" otherwise.
func ensembleAgainstTA(ens, ensSE, ta, taSE float64) string {
	if !(ens > 0) || !(ta > 0) {
		return ""
	}
	f := ta / ens
	if f < 1.5 && f > 1/1.5 {
		return ""
	}
	sig := "within 2 combined se, so possibly noise"
	if math.Abs(ta-ens) > 2*math.Hypot(ensSE, taSE) {
		sig = "beyond 2 combined se"
	}
	return fmt.Sprintf("; the time-averaged D of the same runs (%s) is %.2g× this value (%s)", pm(ta, taSE, 1), f, sig)
}

// timeAveragedMSD returns, for lags 1..maxLag records, the mean over start
// records of (x[k+l] − x[k])².
func timeAveragedMSD(x []float64, maxLag int) []float64 {
	out := make([]float64, maxLag)
	for l := 1; l <= maxLag; l++ {
		var s float64
		c := 0
		for k := 0; k+l < len(x); k++ {
			if d := x[k+l] - x[k]; !math.IsNaN(d) {
				s += d * d
				c++
			}
		}
		out[l-1] = s / float64(max(c, 1))
	}
	return out
}

// group returns the first group with learning rate nu and phase ph, or
// nil.
func (r *DiffusionResult) group(nu float64, ph rbm.NegativePhase) *DiffusionGroup {
	for i := range r.Groups {
		if a := r.Groups[i].Arm; a.Nu == nu && a.Phase == ph {
			return &r.Groups[i]
		}
	}
	return nil
}

// baseGroup is the group of the paper's algorithm: PCD at ν = 0.1 if
// present, else the first.
func (r *DiffusionResult) baseGroup() *DiffusionGroup {
	if b := r.group(0.1, rbm.PCD); b != nil {
		return b
	}
	return &r.Groups[0]
}

func (r *DiffusionResult) compare() []paperRow {
	c := r.Config
	var rows []paperRow
	base := r.baseGroup()
	m := c.Training.Hidden
	ref := base.Arm.String()
	window := base.Arm.Epochs - base.RefEpoch
	if m == 1 {
		rows = append(rows, paperRow{"bump formation (epochs)", fmt.Sprintf("within ≈ %d", paperFormEpochs),
			fmtOpt(float64(base.FormEpoch), 3) + " (" + ref + ")", agreement(float64(base.FormEpoch), 0, 0, paperFormEpochs, 0)})
		rows = append(rows, paperRow{"D per epoch, time-averaged MSD",
			fmt.Sprintf("%.1f (plotted slope %d sites²/epoch ÷ 2); printed %.3f", paperMSDSlope/2.0, paperMSDSlope, paperDPrinted),
			pm(base.D, base.DSE, 1) + " (± se; " + ref + ")",
			agreement(base.D, base.DSE, paperMSDSlope/2.0, paperMSDSlope/2.0, 0.1) + " with the plotted slope (2 se or 10%); " +
				fmt.Sprintf("%.0f× the printed value", base.D/paperDPrinted)})
		ensSE := ensembleSE(base.DEnsemble, c.Runs)
		rows = append(rows, paperRow{"D per epoch, ensemble MSD from t₀ (the paper's method)", fmt.Sprintf("%.1f", paperMSDSlope/2.0),
			fmt.Sprintf("%s (± se ≈ √(2/runs)·D; %d runs, epochs %.2g–%.3g)", pm(base.DEnsemble, ensSE, 1), c.Runs, base.RefEpoch, base.Arm.Epochs),
			ensembleVerdict(base.DEnsemble, ensSE, paperMSDSlope/2.0, c.Runs) + ensembleAgainstTA(base.DEnsemble, ensSE, base.D, base.DSE)})
		rows = append(rows, paperRow{"D per epoch ÷ N (the printed 0.531, if it was normalised by N)", fmt.Sprintf("%.3f", paperDPrinted),
			pm(base.D/float64(c.N), base.DSE/float64(c.N), 3), agreement(base.D/float64(c.N), base.DSE/float64(c.N), paperDPrinted, paperDPrinted, 0.1)})
		rms := math.Sqrt(2 * base.D * 100)
		rows = append(rows, paperRow{"excursions in 100 epochs", fmt.Sprintf("up to ±%d sites over 10 runs", paperExcursion),
			fmt.Sprintf("rms √(2D·100) = %.0f sites (max here %.0f in %.3g epochs)", rms, base.MaxExcursion, window),
			agreement(2*rms, 0, paperExcursion, paperExcursion, 0.5) + " (the largest of 10 runs is ≈ 2 rms)"})
		if ex := r.group(base.Arm.Nu, rbm.Exact); ex != nil && base.Arm.Phase == rbm.PCD {
			share := 1 - ex.D/base.D
			rows = append(rows, paperRow{"share of D due to the PCD chains' noise, 1 − D_exact/D_PCD", "not reported (n_c unknown)",
				pm(share, math.Hypot(ex.DSE/base.D, ex.D*base.DSE/sq(base.D)), 2), fmt.Sprintf("D = %.1f with the exact model term, %.1f with PCD-%d", ex.D, base.D, c.Training.Sweeps)})
		}
		for _, ph := range []rbm.NegativePhase{rbm.Exact, rbm.PCD} {
			var gs []*DiffusionGroup
			for i := range r.Groups {
				if r.Groups[i].Arm.Phase == ph {
					gs = append(gs, &r.Groups[i])
				}
			}
			if len(gs) < 2 {
				continue
			}
			slices.SortFunc(gs, func(a, b *DiffusionGroup) int { return cmpFloat(b.Arm.Nu, a.Arm.Nu) })
			a, b := gs[0], gs[len(gs)-1]
			ratio := a.DT / b.DT
			se := math.Abs(ratio) * math.Hypot(a.DTSE/a.DT, b.DTSE/b.DT)
			want := a.Arm.Nu / b.Arm.Nu
			v := agreement(ratio, se, want, want, 0)
			var sub []string
			for _, x := range []*DiffusionGroup{a, b} {
				if al := float64(x.Alpha); al < 0.7 {
					sub = append(sub, fmt.Sprintf("at ν = %g the centre is sub-diffusive (α = %.2f)", x.Arm.Nu, al))
				}
			}
			if len(sub) > 0 {
				// A confined centre has no diffusion coefficient: the
				// ratio of fitted slopes tests nothing.
				v = "not a test: " + joinAnd(sub) + ", so its D_t is not a diffusion coefficient (formally: " + v + ")"
			}
			rows = append(rows, paperRow{fmt.Sprintf("D_t(ν = %g)/D_t(ν = %g), %s", a.Arm.Nu, b.Arm.Nu, ph),
				fmt.Sprintf("%.3g if D_t ∝ ν (THEORY.md §4.13)", want), pm(ratio, se, 2) + " (± se)", v})
		}
	} else {
		third := float64(c.N) / float64(m)
		// The mean separation over pairs is N/3 by construction for three
		// units (the gaps sum to N); the closest pair tells equal spacing
		// (N/M) from random points (mean smallest gap N/M²).
		rows = append(rows, paperRow{"separation between centres (closest pair, mean over time)", fmt.Sprintf("≈ N/%d = %.1f", m, third),
			fmt.Sprintf("%.1f (random points: N/M² = %.1f); all pairs %s", float64(base.MinSeparation), float64(c.N)/float64(m*m),
				pm(float64(base.Separation), float64(base.SeparationSD), 1)),
			agreement(float64(base.MinSeparation), 0, third, third, 0.15)})
		rmsCom := math.Sqrt(2 * base.D * window)
		rms250 := math.Sqrt(2 * base.D * 250)
		gs := float64(base.GapFluctuation)
		var co string
		switch {
		case rmsCom > 2*gs:
			co = "co-diffusion: the mean centre moves farther than the gaps fluctuate"
		case rms250 > 2*gs:
			co = fmt.Sprintf("not yet over this window; at the mean-centre D the rms reaches %.0f sites in the paper's 250 epochs, ≫ the gap sd if the gaps stay bounded", rms250)
		default:
			co = "no co-diffusion: the gaps fluctuate as much as the mean centre moves"
		}
		rows = append(rows, paperRow{"the centres co-diffuse", "yes, over 250 epochs",
			fmt.Sprintf("mean-centre rms √(2D·%.3g) = %.1f sites; gap sd %.1f", window, rmsCom, gs), co})
		rows = append(rows, paperRow{"D per epoch: mean centre / single unit", "not reported",
			fmt.Sprintf("%s / %.1f", pm(base.D, base.DSE, 1), float64(base.DUnit)), fmt.Sprintf("ratio %.2f", base.D/float64(base.DUnit))})
	}
	return rows
}

// Header returns the provenance lines written at the top of every output.
func (r *DiffusionResult) Header() []string { return r.header(r.Config) }

// WriteCSV writes the centre trajectories (one row per arm, run, record and
// unit), preceded by '#' provenance lines and the fitted coefficients.
func (r *DiffusionResult) WriteCSV(w io.Writer) error {
	if err := writeComments(w, r.Header()...); err != nil {
		return err
	}
	for _, grp := range r.Groups {
		if err := writeComments(w, fmt.Sprintf("%s: D_epoch %s ± %s (time-averaged), D_t %s ± %s, ensemble D_epoch %s from epoch %s",
			grp.Arm, g(grp.D), g(grp.DSE), g(grp.DT), g(grp.DTSE), g(grp.DEnsemble), g(grp.RefEpoch))); err != nil {
			return err
		}
	}
	cw := csv.NewWriter(w)
	cw.Write([]string{"nu", "phase", "run", "epoch", "unit", "centre", "unwrapped", "concentration", "peak"})
	m, n := r.Config.Training.Hidden, r.Config.N
	for _, run := range r.Runs {
		ph := r.Config.Arms[run.Arm].Phase.String()
		for mu := range m {
			x := run.unwrapped(m, mu, n)
			for k, e := range run.Epoch {
				cw.Write([]string{g(run.Nu), ph, strconv.Itoa(run.Run), g(e), strconv.Itoa(mu), g(float64(run.Centre[k*m+mu])), g(x[k]),
					g(run.Concentration[k*m+mu]), g(run.Peak[k*m+mu])})
			}
		}
	}
	cw.Flush()
	return cw.Error()
}

// Table returns one row per arm.
func (r *DiffusionResult) Table() string {
	s := "| arm | runs | t₀ (epoch) | max lag (epochs) | formed (epoch) | D/epoch (time-avg, ± se) | α | D/epoch (ensemble) | D_t = D/(νU_e) | max excursion |"
	sep := "|---|---|---|---|---|---|---|---|---|---|"
	if r.Config.Training.Hidden > 1 {
		s += " separation | D/epoch, single unit |"
		sep += "---|---|"
	}
	s += "\n" + sep + "\n"
	for _, grp := range r.Groups {
		s += fmt.Sprintf("| %s | %d | %.3g | %.3g | %s | %s | %s | %.2f | %s | %.0f |", grp.Arm, r.Config.Runs, grp.RefEpoch, grp.Lags[len(grp.Lags)-1],
			fmtOpt(float64(grp.FormEpoch), 3), pm(grp.D, grp.DSE, 2), fmtOpt(float64(grp.Alpha), 2), grp.DEnsemble, pm(grp.DT, grp.DTSE, 4), grp.MaxExcursion)
		if r.Config.Training.Hidden > 1 {
			s += fmt.Sprintf(" %s | %s |", pm(float64(grp.Separation), float64(grp.SeparationSD), 1), fmtOpt(float64(grp.DUnit), 2))
		}
		s += "\n"
	}
	return s
}

// Plot writes the figure: unwrapped trajectories (top), the ensemble MSD
// with its fits and the paper's slope (middle), and for one unit the
// time-averaged MSD of every arm with D_t ∝ ν, for several units the
// separations (bottom).
func (r *DiffusionResult) Plot(path string) error {
	c := r.Config
	m, n := c.Training.Hidden, c.N
	dash := []vg.Length{vg.Points(4), vg.Points(3)}
	base := r.baseGroup()

	pa := plot.New()
	pa.X.Label.Text = "epoch"
	pa.Title.Text = fmt.Sprintf("Receptive-field centres, N = %d, β = %g, S = %d, batch %d", n, c.Beta, c.S, c.Training.Batch)
	if m == 1 {
		pa.Y.Label.Text = "unwrapped centre − centre at t₀ (sites)"
	} else {
		pa.Y.Label.Text = "unwrapped centres, run 0 (sites)"
	}
	for gi, grp := range r.Groups {
		col := colRules[gi%len(colRules)]
		first := true
		for _, run := range r.Runs {
			if run.Arm != gi || m > 1 && (run.Run > 0 || &r.Groups[gi] != base) {
				continue
			}
			for mu := range m {
				x := run.unwrapped(m, mu, n)
				y := make([]float64, len(x))
				for k := range x {
					y[k] = x[k]
					if m == 1 {
						y[k] -= x[grp.Ref]
					}
				}
				lab, cc := "", col
				if m > 1 {
					cc, lab = colRules[mu%len(colRules)], fmt.Sprintf("unit %d (%s)", mu, grp.Arm)
				} else if first {
					lab, first = grp.Arm.String(), false
				}
				if err := addLine(pa, run.Epoch, y, cc, 1, nil, lab); err != nil {
					return err
				}
			}
		}
	}
	// Headroom above the trajectories for the legend.
	if lo, hi := pa.Y.Min, pa.Y.Max; hi > lo {
		pa.Y.Max = hi + 0.3*(hi-lo)
	}
	pa.Add(plotter.NewGrid())
	pa.Legend.Top, pa.Legend.Left = true, true

	pb := plot.New()
	pb.X.Label.Text = "epochs since t₀"
	pb.Y.Label.Text = "ensemble MSD from t₀ (sites²)"
	if m > 1 {
		pb.Y.Label.Text = "ensemble MSD of the mean centre (sites²)"
	}
	var hi float64
	for gi, grp := range r.Groups {
		col := colRules[gi%len(colRules)]
		var run0 *DiffusionRun
		for i := range r.Runs {
			if r.Runs[i].Arm == gi {
				run0 = &r.Runs[i]
				break
			}
		}
		x := make([]float64, len(grp.MSD))
		for k := range x {
			x[k] = run0.Epoch[grp.Ref+k] - grp.RefEpoch
		}
		hi = math.Max(hi, x[len(x)-1])
		pts, _ := finiteXY(x, grp.MSD, nil, false, false)
		sc, err := plotter.NewScatter(pts)
		if err != nil {
			return err
		}
		sc.GlyphStyle.Color, sc.GlyphStyle.Radius, sc.GlyphStyle.Shape = col, vg.Points(1.2), draw.CircleGlyph{}
		pb.Add(sc)
		pb.Legend.Add(fmt.Sprintf("%s: %d runs", grp.Arm, c.Runs), sc)
		d := grp.D
		if err := addCurve(pb, func(t float64) float64 { return 2 * d * t }, 0, x[len(x)-1], false, col, dash, ""); err != nil {
			return err
		}
	}
	if m == 1 {
		if err := addCurve(pb, func(t float64) float64 { return paperMSDSlope * t }, 0, hi, false, colTheory2,
			[]vg.Length{vg.Points(1), vg.Points(2)}, fmt.Sprintf("paper Fig. 5b slope %d sites²/epoch", paperMSDSlope)); err != nil {
			return err
		}
	}
	pb.Title.Text = "points: ensemble MSD; dashed: 2D·epochs with D from the time-averaged MSD"
	pb.Legend.Top, pb.Legend.Left = true, true
	pb.Add(plotter.NewGrid())

	pc := plot.New()
	if m == 1 {
		pc.X.Label.Text, pc.Y.Label.Text = "lag in learning time t = ν U_e × epochs", "time-averaged MSD (sites²)"
		pc.Title.Text = "slope 2D_t; D_t proportional to ν would halve it at half the ν"
		for gi, grp := range r.Groups {
			col := colRules[gi%len(colRules)]
			x := make([]float64, len(grp.Lags))
			for k := range x {
				x[k] = grp.Lags[k] * grp.Arm.Nu * float64(r.UpdatesPerEpoch)
			}
			if err := addLine(pc, x, grp.TAMSD, col, 1.5, nil, fmt.Sprintf("%s: D_t = %.4f ± %.4f, α = %.2f", grp.Arm, grp.DT, grp.DTSE, float64(grp.Alpha))); err != nil {
				return err
			}
		}
		pc.Legend.Top, pc.Legend.Left = true, true
	} else {
		pc.X.Label.Text, pc.Y.Label.Text = "epoch", "circular distance between centres (sites)"
		pc.Title.Text = "Separations of every pair of units, all runs of " + base.Arm.String()
		for _, run := range r.Runs {
			if &r.Groups[run.Arm] != base {
				continue
			}
			for mu := range m {
				for nu2 := mu + 1; nu2 < m; nu2++ {
					y := make([]float64, len(run.Epoch))
					for k := range y {
						y[k] = dynamics.CircularDistance(float64(run.Centre[k*m+mu]), float64(run.Centre[k*m+nu2]), n)
					}
					if err := addLine(pc, run.Epoch, y, colRules[run.Run%len(colRules)], 0.8, nil, ""); err != nil {
						return err
					}
				}
			}
		}
		third := float64(n) / float64(m)
		if err := addHLine(pc, third, 0, base.Arm.Epochs, colTheory, dash, fmt.Sprintf("N/%d = %.1f", m, third)); err != nil {
			return err
		}
		pc.Y.Min, pc.Y.Max = 0, 0.6*float64(n) // N/2 is the largest distance; headroom for the legend
		pc.Legend.Top = true
	}
	pc.Add(plotter.NewGrid())
	return savePNG(path, []*plot.Plot{pa, pb, pc}, 18*vg.Centimeter, 30*vg.Centimeter, r.meta(r.Header()))
}

// Summary returns the Markdown section of the experiment.
func (r *DiffusionResult) Summary(png string) string {
	c := r.Config
	t := c.Training
	m := t.Hidden
	var s string
	if m == 1 {
		s = "## Diffusion of the receptive-field centre (paper Fig. 5)\n\n"
	} else {
		s = fmt.Sprintf("## %d units co-diffusing (paper Fig. 6)\n\n", m)
	}
	base := r.baseGroup()
	var arms []string
	for _, a := range c.Arms {
		arms = append(arms, a.String())
	}
	s += fmt.Sprintf("Ising ring N = %d, β = %g; arms: %s; %d runs per arm, run k of every arm on the same data set of S = %d exact samples; "+
		"%s (ν and model term per arm); U_e = %d updates per epoch, t = ν·U_e per epoch; centres by circular mean of w², "+
		"recorded %d times per epoch and unwrapped; reference t₀ at a fraction %.2g of each run; time-averaged MSD fitted over lags up to %.2g of the window after t₀; master seed %d.\n\n",
		c.N, c.Beta, joinAnd(arms), c.Runs, c.S, trainingLabel(c.training(base.Arm)), r.UpdatesPerEpoch,
		c.RecordsPerEpoch, c.FitFrom, c.MaxLag, c.Seed)
	paperEpochs, paperRuns := "100", "10"
	if m > 1 {
		paperEpochs, paperRuns = "250", "1"
	}
	bt := c.training(base.Arm)
	note := ""
	if pe, _ := strconv.ParseFloat(paperEpochs, 64); base.Arm.Epochs < pe {
		note = "D is a rate; it is measured here over a shorter window than the paper's"
	}
	s += reductionNote([]sizeDiff{{"epochs", g(base.Arm.Epochs), paperEpochs}, {"runs", strconv.Itoa(c.Runs), paperRuns},
		{"S", strconv.Itoa(c.S), "1000000"}, {"batch", strconv.Itoa(t.Batch), "100"}, {"ν", g(base.Arm.Nu), "0.1"},
		{"model term", phaseOf(bt), phaseOf(rbm.Config{Phase: rbm.PCD, Sweeps: 20, Chains: t.Chains}) + " (n_c not reported)"},
		{"the learning time per epoch ν⌈S/B⌉", perEpochTime(base.Arm.Nu, c.S, t.Batch), "1000"}}, note)
	s += assumptions(
		fmt.Sprintf("n_c = %d persistent chains (not reported; D depends on it, THEORY.md §4.13)", t.Chains),
		fmt.Sprintf("σ₀ = %.4g", t.Sigma0),
		"±1 hidden unit(s), zero fields",
		fmt.Sprintf("reference time of the MSD: t₀ at a fraction %.2g of the run (the paper measures from t = 0 and fits after 20 of 100 epochs)", c.FitFrom),
		"exact independent samples instead of heat-bath Monte Carlo",
		"MSD = 2Dt in one dimension; D per epoch and per unit learning time D_t = D/(ν U_e)",
	)
	s += "**Paper against measured:**\n\n" + paperTable(r.Rows) + "\n" + r.Table() + "\n"
	s += fmt.Sprintf("![diffusion](%s)\n\n", png)
	s += "**Verdict:** " + r.verdict() + "\n"
	return s
}

func (r *DiffusionResult) verdict() string {
	var s string
	for _, grp := range r.Groups {
		lin := linearityOf(grp.Lags, grp.TAMSD)
		a := float64(grp.Alpha)
		kind := "diffusively"
		switch {
		case a < 0.7:
			kind = "sub-diffusively (the centre is confined: pinned by the landscape of the finite sample or the lattice, THEORY.md §4.13 caveats 3–4)"
		case a > 1.3:
			kind = "super-diffusively (drift)"
		}
		s += fmt.Sprintf("%s: the time-averaged MSD grows %s, exponent α = %.2f (TAMSD ∝ lag^α), R² = %.3f of a line over lags up to %.2g epochs; D = %.2f ± %.2f sites²/epoch, D_t = %.4f per unit t. ",
			grp.Arm, kind, a, lin, grp.Lags[len(grp.Lags)-1], grp.D, grp.DSE, grp.DT)
	}
	if r.Config.Training.Hidden == 1 {
		base := r.baseGroup()
		s += fmt.Sprintf("The paper's plotted slope gives D ≈ %.1f and its printed value is %.3f; the measured D (%s) is %.2g× the former and %.3g× the latter, ",
			paperMSDSlope/2.0, paperDPrinted, base.Arm, base.D/(paperMSDSlope/2.0), base.D/paperDPrinted)
		if math.Abs(math.Log(base.D/(paperMSDSlope/2.0))) < math.Abs(math.Log(base.D/paperDPrinted)) {
			s += "closer to the plotted slope (the printed number is about slope/(2N))."
		} else {
			s += "closer to the printed number."
		}
		for _, row := range r.Rows {
			if strings.HasPrefix(row.Quantity, "D per epoch, ensemble MSD") {
				s += fmt.Sprintf(" By the paper's method (ensemble MSD from t₀) D = %s: %s.", strings.SplitN(row.Measured, " (", 2)[0], row.Verdict)
			}
			if strings.HasPrefix(row.Quantity, "D_t(") {
				s += fmt.Sprintf(" %s: %s (%s).", row.Quantity, row.Measured, row.Verdict)
			}
		}
	}
	for _, row := range r.Rows {
		if row.Quantity == "the centres co-diffuse" {
			s += "Co-diffusion: " + row.Verdict + "."
		}
	}
	return s
}

// linearityOf returns the R² of the least-squares line through (x, y).
func linearityOf(x, y []float64) float64 {
	if len(x) < 3 {
		return math.NaN()
	}
	a, b := stat.LinearRegression(x, y, nil, false)
	return stat.RSquared(x, y, nil, a, b)
}

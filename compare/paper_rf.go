package compare

import (
	"context"
	"encoding/csv"
	"fmt"
	"io"
	"math"
	"strconv"
	"strings"

	"gonum.org/v1/plot"
	"gonum.org/v1/plot/plotter"
	"gonum.org/v1/plot/vg"
	"gonum.org/v1/plot/vg/draw"

	"placecell/compare/rbm"
	"placecell/dynamics"
	"placecell/internal/rng"
	"placecell/meanfield"
	"placecell/ring"
)

// Paper readings of Fig. 3a and Fig. 3b (THEORY.md §6.4, E3a, E3b).
const (
	paperRFPeak      = 0.70 // peak of the single receptive field
	paperRFTail      = -0.1 // weak negative tail far from the peak
	paperFWHMSlope   = 1.7  // Fig. 3b fit FWHM ≈ 7 + 1.7ξ
	paperFWHMInter   = 7.0
	paperLLSatLo     = 10 // log-likelihoods saturate after 10–20 epochs
	paperLLSatHi     = 20
	rfSaturationGain = 0.99 // fraction of the log-likelihood gain that defines saturation
)

// RFConfig sets up the single receptive-field experiment of the paper's
// Fig. 3a (THEORY.md §6.4, E3a): an RBM with one hidden unit is trained on
// S samples of the Ising ring, its log-likelihood on the training set and
// on an independent test set is recorded every epoch, and the final field
// is drawn beside the stationary state of the exact full-batch flow on the
// same data (THEORY.md §4.6, §6.6 T2), the noise-free limit of the same
// training. DefaultRFConfig gives the reduced defaults; in a configuration
// built by hand zero fields take those defaults.
type RFConfig struct {
	N    int     `json:"n"`    // ring length (default 100)
	Beta float64 `json:"beta"` // inverse temperature (default 1, implied by the paper's Fig. 2)
	S    int     `json:"s"`    // training samples (default 10⁴)
	// TestS is the size of the test set (default S; the paper does not
	// report it).
	TestS int    `json:"test_s"`
	Runs  int    `json:"runs"` // independent data sets and initialisations (default 3)
	Seed  uint64 `json:"seed"`
	// RecordsPerEpoch is how often the log-likelihoods and the field are
	// recorded (default 1).
	RecordsPerEpoch int `json:"records_per_epoch"`
	// Training holds the simulator settings (defaults: M = 1 ±1 hidden
	// unit, zero fields, ν = 0.01, batch 100, 100 epochs, PCD-20 with 100
	// chains, σ₀ = √(0.1/N); the paper: ν = 10⁻³, batch 10). Seed is set per
	// run.
	Training rbm.Config `json:"training"`
	// FlowTime bounds the learning time of the exact full-batch flow
	// started from each trained field (default 3000; the flow stops when
	// its residual ‖dw/dt‖∞ falls below 10⁻⁷). It needs ±1 hidden units
	// with zero fields; a negative value skips it.
	FlowTime float64 `json:"flow_time"`

	Workers  int                   `json:"-"`
	Progress func(done, total int) `json:"-"`
	Store    Store                 `json:"-"`
}

// DefaultRFConfig returns the reduced defaults of the Fig. 3a experiment.
func DefaultRFConfig() RFConfig {
	c := RFConfig{}
	c.setDefaults()
	return c
}

// PaperRFConfig returns the paper's sizes: batch 10, ν = 10⁻³, 100 epochs
// (10⁵ updates per run).
func PaperRFConfig() RFConfig {
	c := RFConfig{Training: paperIsingTraining()}
	c.setDefaults()
	return c
}

func (c *RFConfig) setDefaults() {
	if c.N == 0 {
		c.N = 100
	}
	if c.Beta == 0 {
		c.Beta = 1
	}
	if c.S == 0 {
		c.S = 10000
	}
	if c.TestS == 0 {
		c.TestS = c.S
	}
	if c.Runs == 0 {
		c.Runs = 3
	}
	if c.RecordsPerEpoch == 0 {
		c.RecordsPerEpoch = 1
	}
	if c.FlowTime == 0 {
		c.FlowTime = 3000
	}
	def := isingTraining()
	def.Epochs = 100
	fillTraining(&c.Training, def, c.N)
}

func (c *RFConfig) validate() error {
	if c.N < 8 {
		return configErrorf("N = %d too small for a receptive field (want N ≥ 8)", c.N)
	}
	if err := (ring.Ising{N: c.N, Beta: c.Beta}).Validate(); err != nil {
		return &ConfigError{err.Error()}
	}
	if c.S < 1 || c.TestS < 1 || c.Runs < 1 || c.RecordsPerEpoch < 1 || c.Training.Epochs < 1 {
		return configErrorf("S = %d, test S = %d, runs = %d, records per epoch = %d and epochs = %d must be at least 1",
			c.S, c.TestS, c.Runs, c.RecordsPerEpoch, c.Training.Epochs)
	}
	if c.Training.Batch > c.S {
		return configErrorf("batch %d exceeds S = %d", c.Training.Batch, c.S)
	}
	if math.IsNaN(c.FlowTime) || math.IsInf(c.FlowTime, 0) {
		return configErrorf("flow time %v must be finite", c.FlowTime)
	}
	return checkTraining(c.Training)
}

// spinFlowApplies reports whether the exact flow and likelihood of package
// dynamics describe the training: ±1 visible and hidden units, zero
// fields.
func spinFlowApplies(t rbm.Config) bool {
	return t.Visible == rbm.VisibleSpin && t.Unit.Type == rbm.HiddenSpin && t.Unit.Field == 0 &&
		!t.LearnHidden && t.VisibleFields == rbm.FieldsZero
}

// RFRun is one trained receptive field with its learning curves.
type RFRun struct {
	Run       int    `json:"run"`
	DataSeed  uint64 `json:"data_seed"`
	TrainSeed uint64 `json:"train_seed"`
	TestSeed  uint64 `json:"test_seed"`
	Updates   int    `json:"updates"`
	// Epoch, T, LL and TestLL are the learning curves: the exact mean
	// log-likelihood per sample on the training and the test set (NaN
	// where it cannot be computed exactly).
	Epoch  []float64  `json:"epoch"`
	T      []float64  `json:"t"`
	LL     []OptFloat `json:"ll"`
	TestLL []OptFloat `json:"test_ll"`
	Peaks  []float64  `json:"peaks"` // max of the sign-normalised field at each record
	// Saturation is the first recorded epoch from which the training
	// log-likelihood stays above LL₀ + 0.99 (LL_end − LL₀).
	Saturation OptFloat `json:"saturation_epoch"`
	// W is the final field, sign-normalised (largest |w| positive).
	W      []float64 `json:"w"`
	Peak   float64   `json:"peak"`
	Tail   float64   `json:"tail"` // min w: the negative tail
	FWHM   OptFloat  `json:"fwhm"`
	PR     OptFloat  `json:"pr"`
	SumW   float64   `json:"sum_w"`
	Centre OptFloat  `json:"centre"`
	// Flow is the stationary state of the exact full-batch flow on the
	// same training data started from W (nil if not computed).
	Flow *RFFlow `json:"flow,omitempty"`
}

// RFFlow is the end state of the exact full-batch flow (THEORY.md §4.6)
// started from a trained field.
type RFFlow struct {
	W        []float64 `json:"w"`
	T        float64   `json:"t"`        // learning time integrated
	Residual float64   `json:"residual"` // ‖dw/dt‖∞ at the end
	Peak     float64   `json:"peak"`
	Tail     float64   `json:"tail"`
	FWHM     OptFloat  `json:"fwhm"`
	LL       float64   `json:"ll"`
	TestLL   float64   `json:"test_ll"`
}

// RFResult is the outcome of the Fig. 3a experiment.
type RFResult struct {
	Provenance
	Config RFConfig `json:"config"`
	Runs   []RFRun  `json:"runs"`
	// Xi is the correlation length 1/ln coth β and PaperFWHM the paper's
	// Fig. 3b fit 7 + 1.7ξ at it.
	Xi        float64 `json:"xi"`
	PaperFWHM float64 `json:"paper_fwhm"`
	// EntropyLL is the mean log-likelihood of the true model, −entropy per
	// sample (THEORY.md §2.10), and IndependentLL = −N ln 2 that of w = 0.
	EntropyLL     float64 `json:"entropy_ll"`
	IndependentLL float64 `json:"independent_ll"`
	// Lattice is the small-β lattice bump (eq 37) scaled by √β, centred:
	// the theory of Fig. 14, valid for β << 1 only.
	Lattice []float64 `json:"lattice_scaled"`
	// Rows compare the paper's readings with the measurements.
	Rows []paperRow `json:"paper_vs_measured"`
}

// ReceptiveField runs the Fig. 3a experiment. Runs execute in parallel; a
// run found in cfg.Store is not recomputed. An invalid configuration
// returns a *ConfigError before anything runs.
func ReceptiveField(ctx context.Context, cfg RFConfig) (*RFResult, error) {
	cfg.setDefaults()
	if err := cfg.validate(); err != nil {
		return nil, err
	}
	model := ring.Ising{N: cfg.N, Beta: cfg.Beta}
	runs := make([]RFRun, cfg.Runs)
	err := runJobs(ctx, cfg.Runs, cfg.Workers, func(ctx context.Context, i int) error {
		dataSeed, trainSeed := seedsOf(cfg.Seed, "rf", i)
		testSeed := rng.New(cfg.Seed, "rf-test", uint64(i)).Uint64()
		key := runKey("rf", struct {
			Build                         string
			Model                         ring.Ising
			S, TestS, PerEpoch            int
			Training                      rbm.Config
			FlowTime                      float64
			DataSeed, TrainSeed, TestSeed uint64
		}{buildID(), model, cfg.S, cfg.TestS, cfg.RecordsPerEpoch, cfg.Training, cfg.FlowTime, dataSeed, trainSeed, testSeed})
		r, err := storedRun(ctx, cfg.Store, key, func(ctx context.Context) (RFRun, error) {
			return rfRun(ctx, model, &cfg, i, dataSeed, trainSeed, testSeed)
		})
		runs[i] = r
		return err
	}, cfg.Progress)
	if err != nil {
		return nil, err
	}

	res := &RFResult{Provenance: newProvenance("rf", "Fig. 3a"), Config: cfg, Runs: runs,
		Xi:            model.CorrelationLength(),
		EntropyLL:     model.Beta*float64(model.N)*model.Correlation(1) - model.LogZ(),
		IndependentLL: -float64(model.N) * math.Ln2,
	}
	res.PaperFWHM = paperFWHMInter + paperFWHMSlope*res.Xi
	w0 := meanfield.RandomStart(rng.New(cfg.Seed, "rf-theory", 0), cfg.N, 1, 0.01)
	sol, err := meanfield.SolveLattice(ctx, cfg.N, 1, w0, nil)
	if err != nil {
		return nil, err
	}
	_, res.Lattice = centredProfile(sol.W)
	for i := range res.Lattice {
		res.Lattice[i] *= math.Sqrt(cfg.Beta)
	}
	res.Rows = res.compare()
	return res, nil
}

// rfRun draws the training and test sets, trains one RBM, and integrates
// the exact flow from its final field.
func rfRun(ctx context.Context, model ring.Ising, cfg *RFConfig, run int, dataSeed, trainSeed, testSeed uint64) (RFRun, error) {
	out := RFRun{Run: run, DataSeed: dataSeed, TrainSeed: trainSeed, TestSeed: testSeed}
	data, err := ring.GenerateContext(ctx, ring.NewExact(model), cfg.S, dataSeed)
	if err != nil {
		return out, err
	}
	test, err := ring.GenerateContext(ctx, ring.NewExact(model), cfg.TestS, testSeed)
	if err != nil {
		return out, err
	}
	tc := cfg.Training
	tc.Seed = trainSeed
	perEpoch := (cfg.S + tc.Batch - 1) / tc.Batch
	tc.RecordEvery = max(1, perEpoch/cfg.RecordsPerEpoch)
	tc.Observe.LogLikelihood = true
	res, err := rbm.Train(ctx, data, tc)
	if err != nil {
		return out, fmt.Errorf("compare: rf run %d: %w", run, err)
	}
	m := tc.Hidden
	var trainFlow, testFlow *dynamics.SpinFlow
	if spinFlowApplies(tc) {
		trainFlow, testFlow = dynamics.NewSpinFlow(m, data), dynamics.NewSpinFlow(m, test)
	}
	for _, r := range res.Records {
		out.Epoch = append(out.Epoch, r.Epoch)
		out.T = append(out.T, r.T)
		out.LL = append(out.LL, OptFloat(r.LogLikelihood))
		tl := math.NaN()
		if testFlow != nil {
			tl = testFlow.LogLikelihood(r.W)
		}
		out.TestLL = append(out.TestLL, OptFloat(tl))
		out.Peaks = append(out.Peaks, maxOf(dynamics.SignNormalize(nil, r.W[:model.N])))
	}
	out.Saturation = OptFloat(saturationEpoch(out.Epoch, out.LL))
	fin := res.Final()
	out.Updates = fin.Update
	out.W = dynamics.SignNormalize(nil, fin.W[:model.N])
	out.Peak, out.Tail, out.SumW = maxOf(out.W), minOf(out.W), sum(out.W)
	out.FWHM, out.PR = OptFloat(dynamics.FWHM(out.W)), OptFloat(dynamics.ParticipationRatio(out.W))
	c, _ := dynamics.Centre(out.W)
	out.Centre = OptFloat(c)

	if trainFlow != nil && cfg.FlowTime > 0 {
		fr, err := dynamics.Integrate(ctx, trainFlow, fin.W, []float64{0, cfg.FlowTime},
			&dynamics.ODESettings{RelTol: 1e-8, AbsTol: 1e-10, StopResidual: 1e-7})
		if err != nil {
			return out, fmt.Errorf("compare: rf run %d: exact flow: %w", run, err)
		}
		wf := fr.Y[len(fr.Y)-1]
		f := &RFFlow{T: fr.T[len(fr.T)-1], Residual: fr.Residual, LL: trainFlow.LogLikelihood(wf), TestLL: testFlow.LogLikelihood(wf)}
		f.W = dynamics.SignNormalize(nil, wf[:model.N])
		f.Peak, f.Tail, f.FWHM = maxOf(f.W), minOf(f.W), OptFloat(dynamics.FWHM(f.W))
		out.Flow = f
	}
	return out, nil
}

// saturationEpoch returns the first epoch from which the curve ll stays at
// or above ll₀ + 0.99 (ll_end − ll₀), NaN if it cannot be computed.
func saturationEpoch(epoch []float64, ll []OptFloat) float64 {
	n := len(ll)
	if n < 2 || math.IsNaN(float64(ll[0])) || math.IsNaN(float64(ll[n-1])) {
		return math.NaN()
	}
	lo, hi := float64(ll[0]), float64(ll[n-1])
	level := lo + rfSaturationGain*(hi-lo)
	k := n - 1
	for k > 0 && float64(ll[k-1]) >= level {
		k--
	}
	return epoch[k]
}

// stats returns mean and sd over runs of f.
func (r *RFResult) stats(f func(RFRun) float64) (float64, float64) {
	v := make([]float64, len(r.Runs))
	for i, run := range r.Runs {
		v[i] = f(run)
	}
	m, sd, _ := meanSDOf(v)
	return m, sd
}

// compare builds the paper-against-measured rows.
func (r *RFResult) compare() []paperRow {
	var rows []paperRow
	pk, pksd := r.stats(func(x RFRun) float64 { return x.Peak })
	rows = append(rows, paperRow{"peak of the field", fmt.Sprintf("≈ %.2f", paperRFPeak), pm(pk, pksd, 3),
		agreement(pk, pksd, paperRFPeak, paperRFPeak, 0.1)})
	tl, tlsd := r.stats(func(x RFRun) float64 { return x.Tail })
	rows = append(rows, paperRow{"negative tail (min w)", fmt.Sprintf("≈ %.1f", paperRFTail), pm(tl, tlsd, 3),
		agreement(tl, tlsd, paperRFTail, paperRFTail, 0.3)})
	fw, fwsd := r.stats(func(x RFRun) float64 { return float64(x.FWHM) })
	rows = append(rows, paperRow{fmt.Sprintf("FWHM (sites), ξ = %.2f", r.Xi),
		fmt.Sprintf("%.1f (Fig. 3b fit 7 + 1.7ξ; error bars ±3)", r.PaperFWHM), pm(fw, fwsd, 2),
		agreement(fw, fwsd, r.PaperFWHM, r.PaperFWHM, 3/r.PaperFWHM)})
	sat, satsd := r.stats(func(x RFRun) float64 { return float64(x.Saturation) })
	rows = append(rows, paperRow{"epochs until the log-likelihood saturates (99% of its gain)", "10–20 (read off)",
		pm(sat, satsd, 1), agreement(sat, satsd, paperLLSatLo, paperLLSatHi, 0)})
	if r.Runs[0].Flow != nil {
		fp, fpsd := r.stats(func(x RFRun) float64 { return x.Flow.Peak })
		v := "RBM peak within 2 sd of the flow's"
		if math.Abs(pk-fp) > 2*math.Max(pksd, 1e-3) {
			v = fmt.Sprintf("RBM peak %+.3f from the flow's (SGA noise and PCD bias)", pk-fp)
		}
		rows = append(rows, paperRow{"peak of the exact full-batch flow's stationary field (same data)", "—", pm(fp, fpsd, 3), v})
		ft, ftsd := r.stats(func(x RFRun) float64 { return x.Flow.Tail })
		rows = append(rows, paperRow{"tail of the flow's stationary field", "—", pm(ft, ftsd, 3),
			agreement(ft, ftsd, paperRFTail, paperRFTail, 0.3) + " (against the paper's tail)"})
	}
	ll, llsd := r.stats(func(x RFRun) float64 { return float64(x.LL[len(x.LL)-1]) })
	tll, tllsd := r.stats(func(x RFRun) float64 { return float64(x.TestLL[len(x.TestLL)-1]) })
	rows = append(rows, paperRow{"final log-likelihood per sample, train / test", "not given numerically",
		pm(ll, llsd, 3) + " / " + pm(tll, tllsd, 3),
		fmt.Sprintf("gap %.3f; bounds: w = 0 gives %.3f, the true model %.3f", ll-tll, r.IndependentLL, r.EntropyLL)})
	return rows
}

// Header returns the provenance lines written at the top of every output.
func (r *RFResult) Header() []string { return r.header(r.Config) }

// WriteCSV writes the learning curves, one row per run and record,
// preceded by '#' provenance lines, then the final fields.
func (r *RFResult) WriteCSV(w io.Writer) error {
	if err := writeComments(w, r.Header()...); err != nil {
		return err
	}
	cw := csv.NewWriter(w)
	cw.Write([]string{"run", "epoch", "t", "ll_train", "ll_test", "peak"})
	for _, run := range r.Runs {
		for k := range run.Epoch {
			cw.Write([]string{strconv.Itoa(run.Run), g(run.Epoch[k]), g(run.T[k]), g(float64(run.LL[k])), g(float64(run.TestLL[k])), g(run.Peaks[k])})
		}
	}
	cw.Flush()
	if err := cw.Error(); err != nil {
		return err
	}
	if err := writeComments(w, "final fields: w_i of each run (sign-normalised) and of the exact flow's stationary state"); err != nil {
		return err
	}
	cw.Write([]string{"run", "site", "w", "w_flow"})
	for _, run := range r.Runs {
		for i, v := range run.W {
			wf := math.NaN()
			if run.Flow != nil {
				wf = run.Flow.W[i]
			}
			cw.Write([]string{strconv.Itoa(run.Run), strconv.Itoa(i), g(v), g(wf)})
		}
	}
	cw.Flush()
	return cw.Error()
}

// Table returns one row per run as a Markdown table.
func (r *RFResult) Table() string {
	s := "| run | peak | tail | FWHM | PR | centre | saturation epoch | LL train | LL test | flow peak | flow tail | flow FWHM |\n" +
		"|---|---|---|---|---|---|---|---|---|---|---|---|\n"
	for _, run := range r.Runs {
		fp, ft, ff := math.NaN(), math.NaN(), math.NaN()
		if run.Flow != nil {
			fp, ft, ff = run.Flow.Peak, run.Flow.Tail, float64(run.Flow.FWHM)
		}
		s += fmt.Sprintf("| %d | %.3f | %.3f | %.2f | %.1f | %.1f | %g | %.3f | %.3f | %.3f | %.3f | %.2f |\n",
			run.Run, run.Peak, run.Tail, float64(run.FWHM), float64(run.PR), float64(run.Centre), float64(run.Saturation),
			float64(run.LL[len(run.LL)-1]), float64(run.TestLL[len(run.TestLL)-1]), fp, ft, ff)
	}
	return s
}

// rfSmallBeta is the largest β at which the figure draws the small-β
// bump of eq 37 as the prediction (THEORY.md §5.4 expands in β ≪ 1).
const rfSmallBeta = 0.1

// Plot writes the two-panel figure: the final fields centred on their peak
// with the exact flow's stationary fields and the paper's readings (top),
// and the log-likelihood curves (bottom).
func (r *RFResult) Plot(path string) error {
	c := r.Config
	n := c.N
	half := n / 2
	pt := plot.New()
	pt.Title.Text = fmt.Sprintf("Receptive field of one hidden unit, Ising ring N = %d, β = %g, S = %d (paper Fig. 3a)", n, c.Beta, c.S)
	pt.X.Label.Text = "site offset from the peak"
	pt.Y.Label.Text = "weight w_i (sign-normalised)"
	pt.X.Min, pt.X.Max = -float64(half), float64(half)
	var all []float64
	for _, run := range r.Runs {
		all = append(all, run.W...)
	}
	lo, hi := span(0.05, false, all, []float64{paperRFTail, paperRFPeak})
	pt.Y.Min, pt.Y.Max = lo, hi+0.35*(hi-lo)
	dash := []vg.Length{vg.Points(4), vg.Points(3)}
	if err := addHLine(pt, paperRFPeak, pt.X.Min, pt.X.Max, colTheory2, dash, fmt.Sprintf("paper: peak ≈ %.2f, tail ≈ %.1f", paperRFPeak, paperRFTail)); err != nil {
		return err
	}
	if err := addHLine(pt, paperRFTail, pt.X.Min, pt.X.Max, colTheory2, dash, ""); err != nil {
		return err
	}
	if err := addHLine(pt, 0, pt.X.Min, pt.X.Max, colGrid, nil, ""); err != nil {
		return err
	}
	// The small-β bump of eq 37 is the prediction only for β ≪ 1; at
	// larger β it is drawn thin and dotted, as a shape reference.
	{
		var err error
		var x, y []float64
		for d := -half; d <= half; d++ {
			x, y = append(x, float64(d)), append(y, r.Lattice[(n/2+d+n)%n])
		}
		if c.Beta <= rfSmallBeta {
			err = addLine(pt, x, y, colTheory2, 1.5, nil, "small-β prediction: lattice bump × √β (eq 37)")
		} else {
			err = addLine(pt, x, y, colGrid, 0.8, []vg.Length{vg.Points(1), vg.Points(2)},
				fmt.Sprintf("eq 37 bump × √β: small-β limit, not a prediction at β = %g", c.Beta))
		}
		if err != nil {
			return err
		}
	}
	for i, run := range r.Runs {
		col := colRules[i%len(colRules)]
		_, y := centredProfile(run.W)
		if run.Flow != nil {
			// Centre the flow's field on the RBM's peak, so that a shift
			// between them stays visible.
			p := argmax(run.W)
			yf := make([]float64, n)
			for k := range yf {
				yf[k] = run.Flow.W[((p+k-n/2)%n+n)%n]
			}
			lab := ""
			if i == 0 {
				lab = "exact full-batch flow from the trained field (lines)"
			}
			if err := addProfile(pt, yf, half, col, nil, 1.4, lab); err != nil {
				return err
			}
		}
		if err := addProfile(pt, y, half, col, draw.CircleGlyph{}, 0,
			fmt.Sprintf("RBM run %d: peak %.3f, FWHM %.1f", run.Run, run.Peak, float64(run.FWHM))); err != nil {
			return err
		}
	}
	pt.Legend.Top = true
	pt.Add(plotter.NewGrid())

	pl := plot.New()
	pl.X.Label.Text = "epoch"
	pl.Y.Label.Text = "log-likelihood per sample (nats, exact)"
	var lls []float64
	for _, run := range r.Runs {
		for k := range run.LL {
			if run.Epoch[k] >= 1 {
				lls = append(lls, float64(run.LL[k]), float64(run.TestLL[k]))
			}
		}
	}
	ylo, yhi := span(0.1, false, lls)
	pl.Y.Min, pl.Y.Max = ylo, yhi+0.5*(yhi-ylo)
	pl.X.Min, pl.X.Max = 0, float64(c.Training.Epochs)
	for i, run := range r.Runs {
		col := colRules[i%len(colRules)]
		for k, curve := range [][]OptFloat{run.LL, run.TestLL} {
			xy := make(plotter.XYs, 0, len(curve))
			for j, v := range curve {
				if f := float64(v); !math.IsNaN(f) && f >= pl.Y.Min {
					xy = append(xy, plotter.XY{X: run.Epoch[j], Y: f})
				}
			}
			if len(xy) < 2 {
				continue
			}
			l, err := plotter.NewLine(xy)
			if err != nil {
				return err
			}
			l.LineStyle.Color, l.LineStyle.Width = col, vg.Points(1.2)
			if k == 1 {
				l.LineStyle.Dashes = dash
			}
			pl.Add(l)
			if i == 0 {
				pl.Legend.Add([]string{"training set", "test set"}[k], l)
			}
		}
	}
	for _, e := range []float64{paperLLSatLo, paperLLSatHi} {
		if e <= pl.X.Max {
			if err := addVLine(pl, e, colTheory2, dash, ""); err != nil {
				return err
			}
		}
	}
	pl.Title.Text = fmt.Sprintf("dashed verticals: the paper's saturation after 10–20 epochs; true model −S = %.2f, w = 0: %.2f", r.EntropyLL, r.IndependentLL)
	pl.Legend.Top = true
	pl.Add(plotter.NewGrid())
	return savePNG(path, []*plot.Plot{pt, pl}, 18*vg.Centimeter, 24*vg.Centimeter, r.meta(r.Header()))
}

// Summary returns the Markdown section of the experiment, referring to the
// figure file png.
func (r *RFResult) Summary(png string) string {
	c := r.Config
	t := c.Training
	s := "## One receptive field (paper Fig. 3a)\n\n"
	s += fmt.Sprintf("Ising ring N = %d, β = %g (ξ = %.3f); %d runs, each on its own data set of S = %d exact samples "+
		"and test set of %d; %s; %d epochs (%d updates, t = %g); master seed %d.\n\n",
		c.N, c.Beta, r.Xi, c.Runs, c.S, c.TestS, trainingLabel(t), t.Epochs, r.Runs[0].Updates, float64(r.Runs[0].Updates)*t.Nu, c.Seed)
	s += reductionNote([]sizeDiff{
		{"ν", g(t.Nu), "0.001"}, {"batch", strconv.Itoa(t.Batch), "10"}, {"epochs", strconv.Itoa(t.Epochs), "100"},
		{"S", strconv.Itoa(c.S), "10000"}, {"sweeps", strconv.Itoa(t.Sweeps), "20"},
		{"the SGA noise level ν/B", g(t.Nu / float64(t.Batch)), "0.0001"},
		{"the learning time per epoch ν⌈S/B⌉", perEpochTime(t.Nu, c.S, t.Batch), "1"},
	}, "")
	unit := "±1 hidden unit with zero fields (implied by c_μ = 0 and the theory section); the paper never names it"
	if !spinFlowApplies(t) {
		unit = "hidden unit " + unitLabel(t) + " (chosen instead of the ±1 unit the paper implies; no exact flow or test log-likelihood)"
	}
	s += assumptions(
		"β = 1 (implied by the paper's Fig. 2, not stated for Fig. 3a)",
		unit,
		fmt.Sprintf("n_c = %d persistent chains (not reported)", t.Chains),
		fmt.Sprintf("σ₀ = %.4g = √(0.1/N), the PGM default (not reported)", t.Sigma0),
		fmt.Sprintf("test set of %d samples (not reported)", c.TestS),
		"exact independent samples (transfer matrix) instead of the paper's heat-bath Monte Carlo",
		"plain SGA, no clipping, normalisation or decay (THEORY.md §6.2)",
	)
	s += "**Paper against measured** (mean ± sd over runs):\n\n" + paperTable(r.Rows) + "\n"
	s += r.Table() + "\n"
	s += fmt.Sprintf("![one receptive field](%s)\n\n", png)
	s += "**Verdict:** " + r.verdict() + "\n"
	return s
}

// verdict summarises the comparison from the data.
func (r *RFResult) verdict() string {
	var agree, differ []string
	for _, row := range r.Rows[:4] {
		if row.Verdict == "agrees" {
			agree = append(agree, row.Quantity)
		} else {
			differ = append(differ, row.Quantity)
		}
	}
	s := ""
	if len(agree) > 0 {
		s += "agreement with the paper on " + joinAnd(agree) + ". "
	}
	if len(differ) > 0 {
		s += "Differences on " + joinAnd(differ) + " (see the table). "
	}
	if r.Runs[0].Flow != nil {
		var res []float64
		for _, run := range r.Runs {
			res = append(res, run.Flow.Residual)
		}
		s += fmt.Sprintf("The exact flow from the trained fields ends at residual ≤ %.1g; ", maxOf(res))
		tl, _ := r.stats(func(x RFRun) float64 { return x.Flow.Tail })
		if tl > paperRFTail/2 {
			s += fmt.Sprintf("its stationary field has tail %.3f too, so a tail near −0.1 is not a property of the noise-free ±1 RBM on these data.", tl)
		} else {
			s += fmt.Sprintf("its stationary field has tail %.3f.", tl)
		}
	}
	return s
}

// sizeDiff is one simulator setting, or a quantity derived from the
// settings, beside the paper's. A parenthesised remark after the paper's
// value ("20 (assumed)") is not part of the comparison.
type sizeDiff struct{ name, ours, paper string }

// reductionNote lists, from the values themselves, the settings that
// differ from the paper's and those that are the paper's, followed by
// note (if not empty).
func reductionNote(d []sizeDiff, note string) string {
	var diff, same []string
	for _, x := range d {
		paper, _, _ := strings.Cut(x.paper, " (")
		if x.ours != paper {
			diff = append(diff, fmt.Sprintf("%s = %s (paper %s)", x.name, x.ours, x.paper))
		} else {
			same = append(same, x.name)
		}
	}
	var s string
	if len(diff) == 0 {
		s = "**Sizes:** the paper's (" + joinAnd(same) + ")"
	} else {
		s = "**Reduced sizes** (`--paper` for the paper's): " + joinAnd(diff)
		if len(same) > 0 {
			s += ". As in the paper: " + joinAnd(same)
		}
	}
	if note != "" {
		s += ". " + note
	}
	return s + ".\n\n"
}

// perEpochTime returns the learning time of one epoch, ν⌈S/B⌉, formatted
// for a sizeDiff.
func perEpochTime(nu float64, s, batch int) string {
	return g(nu * float64((s+batch-1)/batch))
}

// assumptions lists the settings the paper does not report
// (THEORY.md §6.5) as a Markdown list.
func assumptions(items ...string) string {
	s := "**Assumptions** (not reported by the paper, THEORY.md §6.5):\n\n"
	for _, it := range items {
		s += "- " + it + "\n"
	}
	return s + "\n"
}

// joinAnd joins words as "a, b and c".
func joinAnd(x []string) string {
	switch len(x) {
	case 0:
		return ""
	case 1:
		return x[0]
	}
	s := ""
	for i, v := range x[:len(x)-1] {
		if i > 0 {
			s += ", "
		}
		s += v
	}
	return s + " and " + x[len(x)-1]
}

// argmax returns the index of the largest entry of x.
func argmax(x []float64) int {
	p := 0
	for i, v := range x {
		if v > x[p] {
			p = i
		}
	}
	return p
}

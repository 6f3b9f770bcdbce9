package compare

import (
	"context"
	"encoding/csv"
	"fmt"
	"io"
	"math"
	"math/cmplx"
	"slices"
	"strconv"

	"gonum.org/v1/plot"
	"gonum.org/v1/plot/plotter"
	"gonum.org/v1/plot/vg"
	"gonum.org/v1/plot/vg/draw"

	"placecell/compare/rbm"
	"placecell/dynamics"
	"placecell/ring"
	"placecell/spectral"
)

// Paper readings of Figs 9 and 10 (THEORY.md §6.4, E9, E10).
const (
	paperXYAngPeak     = 6.6  // Fig. 9: peak of Σ_v |w| of the double-well unit
	paperXYAngBack     = 0.25 // its background
	paperXYPhase       = 0.122
	paperXYSpinWeights = 0.4 // the ±1 unit's weights ≈ ±0.4
)

// XYUnitSpec is one RBM of the XY receptive-field experiments: M hidden
// units of one type.
type XYUnitSpec struct {
	Name string         `json:"name"`
	M    int            `json:"m"`
	Unit rbm.HiddenUnit `json:"unit"`
	// LearnHidden trains the hidden offsets (θ of double-well units).
	LearnHidden bool `json:"learn_hidden"`
}

// XYRFConfig sets up the XY receptive-field experiments of the paper's
// Fig. 9 (DefaultXYRFConfig: one double-well unit and one ±1 unit, each
// in its own RBM) and Fig. 10 (DefaultXYTilingConfig: five double-well
// units), THEORY.md §4.12, §6.4 (E9, E10). RBMs with Potts visible units
// are trained on the discretised XY ring, and each unit's weights
// w_i(v) are analysed: the angular modulation Σ_v |w_i(v)| (the corrected
// eq 17), the first angular Fourier amplitude A_i and phase φ_i, per-site
// least-squares cosine fits with free frequency (the paper's method), the
// spatial sum Σ_i w_i(v) (eq 18), and the spatial receptive field of A_i.
// Theory: the top eigenspace of the XY correlation is the spatially
// uniform cos/sin pair of angular frequency 2π/P (spectral.LambdaXY), so
// the fits should give ω = 2π/P; a pure cosine of amplitude A has Σ_v|w|
// between cosineAbsSumRange(P) times A (6.155 A and 6.472 A at P = 10,
// about 2PA/π for large P).
type XYRFConfig struct {
	N    int     `json:"n"`    // ring length (default 100)
	P    int     `json:"p"`    // Potts states (default 10)
	Beta float64 `json:"beta"` // inverse temperature (default 1.5)
	S    int     `json:"s"`    // training samples (default 10⁵)
	// Units are the RBMs trained, each on the same data set.
	Units []XYUnitSpec `json:"units"`
	Seed  uint64       `json:"seed"`
	// Training holds the simulator settings (defaults: zero visible
	// fields, ν = 0.1, batch 100, 10 epochs, PCD-5 with 20 chains,
	// σ₀ = √(0.1/N); the paper: ν = 0.01, 100 epochs, PCD-k not
	// reported). Hidden, Unit and LearnHidden come from each spec.
	Training rbm.Config `json:"training"`

	Workers  int                   `json:"-"`
	Progress func(done, total int) `json:"-"`
	Store    Store                 `json:"-"`
}

// doubleWellLearned is the assumed double-well unit: θ starts at 0 (PGM's
// initialisation) and is learned.
func doubleWellLearned(m int) XYUnitSpec {
	return XYUnitSpec{Name: "double-well", M: m, Unit: rbm.HiddenUnit{Type: rbm.HiddenDoubleWell}, LearnHidden: true}
}

// DefaultXYRFConfig returns the reduced defaults of Fig. 9.
func DefaultXYRFConfig() XYRFConfig {
	c := XYRFConfig{Units: []XYUnitSpec{doubleWellLearned(1), {Name: "±1", M: 1}}}
	c.setDefaults()
	return c
}

// DefaultXYTilingConfig returns the reduced defaults of Fig. 10.
func DefaultXYTilingConfig() XYRFConfig {
	c := XYRFConfig{Units: []XYUnitSpec{doubleWellLearned(5)}}
	c.setDefaults()
	return c
}

// PaperXY sets the paper's sizes on c: ν = 0.01, 100 epochs (10⁵ updates),
// and PCD-20 with 100 chains (the Ising figures' k; n_c not reported).
func (c *XYRFConfig) PaperXY() {
	c.Training.Nu, c.Training.Epochs, c.Training.Sweeps, c.Training.Chains = 0.01, 100, 20, 100
}

func (c *XYRFConfig) setDefaults() {
	if c.N == 0 {
		c.N = 100
	}
	if c.P == 0 {
		c.P = 10
	}
	if c.Beta == 0 {
		c.Beta = 1.5
	}
	if c.S == 0 {
		c.S = 100000
	}
	if len(c.Units) == 0 {
		c.Units = []XYUnitSpec{doubleWellLearned(1)}
	}
	def := rbm.Config{Hidden: 1, Nu: 0.1, Batch: 100, Epochs: 10, Chains: 20, Sweeps: 5, Phase: rbm.PCD}
	fillTraining(&c.Training, def, c.N)
	c.Training.Visible = rbm.VisiblePotts
}

func (c *XYRFConfig) validate() error {
	if c.N < 8 {
		return configErrorf("N = %d too small for receptive fields (want N ≥ 8)", c.N)
	}
	if err := (ring.XY{N: c.N, P: c.P, Beta: c.Beta}).Validate(); err != nil {
		return &ConfigError{err.Error()}
	}
	if c.P < 3 {
		return configErrorf("P = %d: the angular analysis needs P ≥ 3", c.P)
	}
	if c.S < 1 || c.Training.Epochs < 1 {
		return configErrorf("S = %d and epochs = %d must be at least 1", c.S, c.Training.Epochs)
	}
	if c.Training.Batch > c.S {
		return configErrorf("batch %d exceeds S = %d", c.Training.Batch, c.S)
	}
	for _, u := range c.Units {
		if u.M < 1 {
			return configErrorf("unit %q: M = %d must be at least 1", u.Name, u.M)
		}
		t := c.Training
		t.Hidden, t.Unit, t.LearnHidden = u.M, u.Unit, u.LearnHidden
		if err := checkTraining(t); err != nil {
			return err
		}
	}
	return checkTraining(c.Training)
}

// training returns the simulator settings of spec u.
func (c *XYRFConfig) training(u XYUnitSpec) rbm.Config {
	t := c.Training
	t.Hidden, t.Unit, t.LearnHidden = u.M, u.Unit, u.LearnHidden
	return t
}

// XYField is the analysis of one hidden unit's weights w_i(v).
type XYField struct {
	// Angular is Σ_v |w_i(v)| per site (corrected eq 17); Amplitude and
	// Phase the first angular Fourier amplitude A_i = (2/P)|Σ_v w_i(v)
	// e^(−2πiv/P)| and its phase φ_i, in turns (φ/2π ∈ [0, 1)).
	Angular   []float64 `json:"angular"`
	Amplitude []float64 `json:"amplitude"`
	Phase     []float64 `json:"phase"`
	// Omega is the frequency of the per-site least-squares fit
	// a cos(ωv) + b sin(ωv) + c, in units of 2π/P, at the sites of the
	// field (A_i ≥ max A/2), NaN elsewhere.
	Omega []OptFloat `json:"omega"`
	// Spatial is Σ_i w_i(v) per state (eq 18), SpatialAmplitude its first
	// angular Fourier amplitude and SpatialPhase its phase (turns).
	Spatial          []float64 `json:"spatial"`
	SpatialAmplitude float64   `json:"spatial_amplitude"`
	SpatialPhase     float64   `json:"spatial_phase"`
	// AngPeak and AngBackground are the maximum and the median of
	// Angular; CosineRatio is Angular/A at the peak (for a pure cosine,
	// within cosineAbsSumRange(P): 6.155…6.472 at P = 10).
	AngPeak       float64 `json:"ang_peak"`
	AngBackground float64 `json:"ang_background"`
	CosineRatio   float64 `json:"cosine_ratio"`
	// Spatial receptive field of A_i: FWHM, centre, participation ratio
	// of the site norms s_i = Σ_v w_i(v)².
	FWHM   OptFloat `json:"fwhm"`
	Centre OptFloat `json:"centre"`
	PR     OptFloat `json:"pr"`
	// Inside the field: the mean fitted frequency, the A-weighted mean
	// phase (turns) and its coherence |Σ A e^(2πiφ)|/Σ A (1: constant
	// phase).
	MeanOmega OptFloat `json:"mean_omega"`
	MeanPhase OptFloat `json:"mean_phase"`
	Coherence OptFloat `json:"coherence"`
	Sites     int      `json:"sites"` // sites in the field
	WMin      float64  `json:"w_min"`
	WMax      float64  `json:"w_max"`
}

// analyseXY analyses one unit's weights, w[i*p+v].
func analyseXY(w []float64, n, p int) XYField {
	f := XYField{Angular: make([]float64, n), Amplitude: make([]float64, n), Phase: make([]float64, n),
		Omega: make([]OptFloat, n), Spatial: make([]float64, p), WMin: minOf(w), WMax: maxOf(w)}
	norms := make([]float64, n)
	for i := range n {
		row := w[i*p : (i+1)*p]
		var z complex128
		for v, x := range row {
			f.Angular[i] += math.Abs(x)
			norms[i] += x * x
			f.Spatial[v] += x
			z += complex(x, 0) * cmplx.Rect(1, -2*math.Pi*float64(v)/float64(p))
		}
		f.Amplitude[i] = 2 / float64(p) * cmplx.Abs(z)
		f.Phase[i] = turns(cmplx.Phase(z))
	}
	var zs complex128
	for v, x := range f.Spatial {
		zs += complex(x, 0) * cmplx.Rect(1, -2*math.Pi*float64(v)/float64(p))
	}
	f.SpatialAmplitude, f.SpatialPhase = 2/float64(p)*cmplx.Abs(zs), turns(cmplx.Phase(zs))
	pk := argmax(f.Angular)
	f.AngPeak = f.Angular[pk]
	f.AngBackground = median(f.Angular)
	f.CosineRatio = f.Angular[pk] / f.Amplitude[pk]
	f.FWHM = OptFloat(dynamics.FWHM(f.Amplitude))
	c, _ := dynamics.Centre(f.Amplitude)
	f.Centre = OptFloat(c)
	f.PR = OptFloat(sq(sum(norms)) / dot(norms, norms))
	amax := maxOf(f.Amplitude)
	var omegas []float64
	var zc complex128
	var asum float64
	for i := range n {
		f.Omega[i] = OptFloat(math.NaN())
		if f.Amplitude[i] < amax/2 {
			continue
		}
		f.Sites++
		om := fitOmega(w[i*p:(i+1)*p]) / (2 * math.Pi / float64(p))
		f.Omega[i] = OptFloat(om)
		omegas = append(omegas, om)
		zc += complex(f.Amplitude[i], 0) * cmplx.Rect(1, 2*math.Pi*f.Phase[i])
		asum += f.Amplitude[i]
	}
	mo, _, _ := meanSDOf(omegas)
	f.MeanOmega = OptFloat(mo)
	f.MeanPhase, f.Coherence = OptFloat(turns(cmplx.Phase(zc))), OptFloat(cmplx.Abs(zc)/asum)
	return f
}

// cosineAbsSumRange returns the smallest and largest value over ψ of
//
//	Σ_{v=0}^{p−1} |cos(2πv/p + ψ)|,
//
// the ratio Σ_v|w|/A of a pure angular cosine of amplitude A (THEORY.md
// §4.12). The sum has period π/p in ψ, is smooth between the kinks where a
// term vanishes (ψ = π/2 − 2πv/p mod π) and concave there, so its minimum
// lies at a kink and its maximum at a stationary point; both are found on
// a fine grid that contains the kinks.
func cosineAbsSumRange(p int) (lo, hi float64) {
	f := func(psi float64) float64 {
		var s float64
		for v := range p {
			s += math.Abs(math.Cos(2*math.Pi*float64(v)/float64(p) + psi))
		}
		return s
	}
	period := math.Pi / float64(p)
	lo, hi = math.Inf(1), math.Inf(-1)
	const grid = 4096
	for k := 0; k <= grid; k++ {
		y := f(period * float64(k) / grid)
		lo, hi = math.Min(lo, y), math.Max(hi, y)
	}
	for v := range p {
		y := f(math.Mod(math.Pi/2-2*math.Pi*float64(v)/float64(p), math.Pi))
		lo, hi = math.Min(lo, y), math.Max(hi, y)
	}
	return lo, hi
}

// turns maps an angle in radians to [0, 1) turns.
func turns(a float64) float64 {
	t := a / (2 * math.Pi)
	t -= math.Floor(t)
	if t >= 1 {
		t = 0
	}
	return t
}

func median(x []float64) float64 {
	v := slices.Clone(x)
	slices.Sort(v)
	n := len(v)
	if n == 0 {
		return math.NaN()
	}
	if n%2 == 1 {
		return v[n/2]
	}
	return (v[n/2-1] + v[n/2]) / 2
}

// fitOmega returns the frequency ω ∈ (0, π] of the least-squares fit
// y_v ≈ a cos(ωv) + b sin(ωv) + c over v = 0..len(y)−1: a scan over 400
// frequencies, refined by golden-section search around the best.
func fitOmega(y []float64) float64 {
	resid := func(om float64) float64 { return cosineResidual(y, om) }
	const scan = 400
	best, bestR := math.Pi, math.Inf(1)
	for k := 1; k <= scan; k++ {
		om := math.Pi * float64(k) / scan
		if r := resid(om); r < bestR {
			best, bestR = om, r
		}
	}
	lo, hi := math.Max(best-math.Pi/scan, 1e-6), math.Min(best+math.Pi/scan, math.Pi)
	phi := (math.Sqrt(5) - 1) / 2
	for range 60 {
		a, b := hi-phi*(hi-lo), lo+phi*(hi-lo)
		if resid(a) < resid(b) {
			hi = b
		} else {
			lo = a
		}
	}
	return (lo + hi) / 2
}

// cosineResidual returns the residual sum of squares of the linear least-
// squares fit of a cos(ωv) + b sin(ωv) + c to y, by the normal equations.
func cosineResidual(y []float64, om float64) float64 {
	var m [3][3]float64
	var r [3]float64
	for v, yv := range y {
		b := [3]float64{math.Cos(om * float64(v)), math.Sin(om * float64(v)), 1}
		for i := range 3 {
			r[i] += b[i] * yv
			for j := range 3 {
				m[i][j] += b[i] * b[j]
			}
		}
	}
	x, ok := solve3(m, r)
	if !ok {
		return math.Inf(1)
	}
	var ss float64
	for v, yv := range y {
		d := yv - x[0]*math.Cos(om*float64(v)) - x[1]*math.Sin(om*float64(v)) - x[2]
		ss += d * d
	}
	return ss
}

// solve3 solves a 3×3 linear system by Gaussian elimination with partial
// pivoting, and reports false if it is singular.
func solve3(a [3][3]float64, b [3]float64) ([3]float64, bool) {
	for col := range 3 {
		p := col
		for i := col + 1; i < 3; i++ {
			if math.Abs(a[i][col]) > math.Abs(a[p][col]) {
				p = i
			}
		}
		if math.Abs(a[p][col]) < 1e-12 {
			return b, false
		}
		a[col], a[p] = a[p], a[col]
		b[col], b[p] = b[p], b[col]
		for i := col + 1; i < 3; i++ {
			f := a[i][col] / a[col][col]
			for j := col; j < 3; j++ {
				a[i][j] -= f * a[col][j]
			}
			b[i] -= f * b[col]
		}
	}
	var x [3]float64
	for i := 2; i >= 0; i-- {
		s := b[i]
		for j := i + 1; j < 3; j++ {
			s -= a[i][j] * x[j]
		}
		x[i] = s / a[i][i]
	}
	return x, true
}

// XYRun is one trained RBM.
type XYRun struct {
	Spec      XYUnitSpec `json:"spec"`
	DataSeed  uint64     `json:"data_seed"`
	TrainSeed uint64     `json:"train_seed"`
	Updates   int        `json:"updates"`
	// W holds the final weights, M×N×P, colour fastest.
	W []float64 `json:"w"`
	// HiddenNames and Hidden are the final hidden parameters (one row of
	// M per name).
	HiddenNames []string  `json:"hidden_names"`
	Hidden      []float64 `json:"hidden"`
	Fields      []XYField `json:"fields"`
	// Gaps are the distances between consecutive spatial centres around
	// the ring; PhaseGaps those between consecutive mean phases (turns).
	Gaps      []float64 `json:"gaps,omitempty"`
	PhaseGaps []float64 `json:"phase_gaps,omitempty"`
}

// XYRFResult is the outcome of the Fig. 9 or Fig. 10 experiment.
type XYRFResult struct {
	Provenance
	Config XYRFConfig `json:"config"`
	Runs   []XYRun    `json:"runs"`
	// Lambda is Λ_XY of eq 30, the top Pearson eigenvalue, whose
	// eigenspace is the uniform cos/sin pair of frequency 2π/P.
	Lambda float64    `json:"lambda_xy"`
	Rows   []paperRow `json:"paper_vs_measured"`
}

// XYReceptiveFields runs the Fig. 9 or Fig. 10 experiment: one run per
// spec of cfg.Units, all on the same data set.
func XYReceptiveFields(ctx context.Context, cfg XYRFConfig) (*XYRFResult, error) {
	cfg.setDefaults()
	if err := cfg.validate(); err != nil {
		return nil, err
	}
	model := ring.XY{N: cfg.N, P: cfg.P, Beta: cfg.Beta}
	name, fig := "xyrf", "Fig. 9"
	if len(cfg.Units) == 1 && cfg.Units[0].M > 1 {
		name, fig = "xytiling", "Fig. 10"
	}
	dataSeed, _ := seedsOf(cfg.Seed, "xy-data", 0)
	runs := make([]XYRun, len(cfg.Units))
	err := runJobs(ctx, len(runs), cfg.Workers, func(ctx context.Context, j int) error {
		spec := cfg.Units[j]
		_, trainSeed := seedsOf(cfg.Seed, "xy/"+spec.Name+"/M="+strconv.Itoa(spec.M), j)
		tc := cfg.training(spec)
		tc.Seed = trainSeed
		key := trainingRunKey("xyrf", model, cfg.S, tc, dataSeed, trainSeed)
		r, err := storedRun(ctx, cfg.Store, key, func(ctx context.Context) (XYRun, error) {
			return xyRun(ctx, model, cfg.S, spec, tc, dataSeed)
		})
		runs[j] = r
		return err
	}, cfg.Progress)
	if err != nil {
		return nil, err
	}
	res := &XYRFResult{Provenance: newProvenance(name, fig), Config: cfg, Runs: runs, Lambda: spectral.LambdaXY(cfg.P, cfg.Beta)}
	res.Rows = res.compare()
	return res, nil
}

func xyRun(ctx context.Context, model ring.XY, s int, spec XYUnitSpec, tc rbm.Config, dataSeed uint64) (XYRun, error) {
	out := XYRun{Spec: spec, DataSeed: dataSeed, TrainSeed: tc.Seed}
	data, err := ring.GenerateDataContext(ctx, model.NewSampler(), model.NewData(s), dataSeed)
	if err != nil {
		return out, err
	}
	tc.RecordEvery = math.MaxInt32
	res, err := rbm.Train(ctx, data, tc)
	if err != nil {
		return out, fmt.Errorf("compare: xy %s M = %d: %w", spec.Name, spec.M, err)
	}
	fin := res.Final()
	out.Updates, out.W, out.HiddenNames, out.Hidden = fin.Update, fin.W, res.HiddenNames, fin.Hidden
	n, p := model.N, model.P
	var centres, phases []float64
	for mu := range spec.M {
		f := analyseXY(fin.W[mu*n*p:(mu+1)*n*p], n, p)
		out.Fields = append(out.Fields, f)
		if !math.IsNaN(float64(f.Centre)) {
			centres = append(centres, float64(f.Centre))
		}
		if !math.IsNaN(float64(f.MeanPhase)) {
			phases = append(phases, float64(f.MeanPhase))
		}
	}
	out.Gaps, out.PhaseGaps = ringGaps(centres, float64(n)), ringGaps(phases, 1)
	return out, nil
}

// theta returns the final θ of unit mu of a run, NaN if it has none.
func (r *XYRun) theta(mu int) float64 {
	for k, name := range r.HiddenNames {
		if name == "theta" {
			return r.Hidden[k*r.Spec.M+mu]
		}
	}
	return math.NaN()
}

func (r *XYRFResult) compare() []paperRow {
	var rows []paperRow
	p := r.Config.P
	for _, run := range r.Runs {
		f := run.Fields[0]
		lab := run.Spec.Name
		if run.Spec.M == 1 {
			if run.Spec.Unit.Type == rbm.HiddenDoubleWell {
				rows = append(rows,
					paperRow{lab + ": peak of Σ_v|w|", fmt.Sprintf("≈ %.1f", paperXYAngPeak), fmt.Sprintf("%.2f", f.AngPeak), agreement(f.AngPeak, 0, paperXYAngPeak, paperXYAngPeak, 0.15)},
					paperRow{lab + ": background of Σ_v|w| (median over sites)", fmt.Sprintf("≈ %.2f", paperXYAngBack), fmt.Sprintf("%.3f", f.AngBackground), agreement(f.AngBackground, 0, paperXYAngBack, paperXYAngBack, 0.5)},
					paperRow{lab + ": weight range", "≈ [−1, 1]", fmt.Sprintf("[%.2f, %.2f]", f.WMin, f.WMax), agreement(math.Max(-f.WMin, f.WMax), 0, 1, 1, 0.2) + " (largest |w|)"},
					paperRow{lab + ": phase inside the field (turns)", fmt.Sprintf("constant, ≈ %.3f in the run shown (arbitrary)", paperXYPhase),
						fmt.Sprintf("%.3f, coherence %.3f over %d sites", float64(f.MeanPhase), float64(f.Coherence), f.Sites), coherenceVerdict(float64(f.Coherence))},
				)
			} else {
				rows = append(rows, paperRow{lab + ": weight scale", fmt.Sprintf("≈ ±%.1f, weaker than the double well", paperXYSpinWeights),
					fmt.Sprintf("[%.2f, %.2f], Σ_v|w| peak %.2f", f.WMin, f.WMax, f.AngPeak), agreement(math.Max(-f.WMin, f.WMax), 0, paperXYSpinWeights, paperXYSpinWeights, 0.25) + " (largest |w|)"})
			}
			rows = append(rows, paperRow{lab + ": fitted angular frequency inside the field", fmt.Sprintf("2π/%d", p),
				fmt.Sprintf("%s × 2π/%d", fmtOpt(float64(f.MeanOmega), 3), p), agreement(float64(f.MeanOmega), 0, 1, 1, 0.05)})
		} else {
			var peaks, amps, widths []float64
			for _, f := range run.Fields {
				peaks, amps, widths = append(peaks, f.AngPeak), append(amps, f.SpatialAmplitude), append(widths, float64(f.FWHM))
			}
			pm1, psd, _ := meanSDOf(peaks)
			am, asd, _ := meanSDOf(amps)
			rows = append(rows,
				paperRow{"peaks of Σ_v|w|", "≈ 6.5–7.5", fmt.Sprintf("%s (range %.2f–%.2f)", pm(pm1, psd, 2), minOf(peaks), maxOf(peaks)), agreement(pm1, psd, 6.5, 7.5, 0.1)},
				paperRow{"spatially summed amplitudes (of Σ_i w_i(v))", "≈ 7.5–9", fmt.Sprintf("%s (range %.2f–%.2f)", pm(am, asd, 2), minOf(amps), maxOf(amps)), agreement(am, asd, 7.5, 9, 0.1)},
			)
			m := run.Spec.M
			sv := gapVerdict(run.Gaps, m)
			if fw, _, _ := meanSDOf(widths); len(run.Gaps) > 0 && minOf(run.Gaps) < fw {
				sv = fmt.Sprintf("not all separated: two centres %.3g sites apart, less than the mean FWHM %.3g; ", minOf(run.Gaps), fw) + sv
			}
			rows = append(rows, paperRow{"spatial separation of the fields", fmt.Sprintf("separated (N/%d = %.0f)", m, float64(r.Config.N)/float64(m)),
				gapText(run.Gaps), sv})
			rows = append(rows, paperRow{"phases of the cosines", fmt.Sprintf("equally spaced (1/%d turn)", m),
				gapText(run.PhaseGaps) + " turns", gapVerdict(run.PhaseGaps, m)})
			var coh []float64
			for _, f := range run.Fields {
				coh = append(coh, float64(f.Coherence))
			}
			cm, _, _ := meanSDOf(coh)
			rows = append(rows, paperRow{"phase constant inside each field", "yes", fmt.Sprintf("coherence %.3f (mean over units)", cm), coherenceVerdict(cm)})
		}
	}
	return rows
}

func coherenceVerdict(c float64) string {
	if c >= 0.9 {
		return fmt.Sprintf("constant phase (coherence %.2f ≥ 0.9)", c)
	}
	return fmt.Sprintf("phase varies across the field (coherence %.2f < 0.9)", c)
}

func gapText(g []float64) string {
	if len(g) == 0 {
		return "—"
	}
	m, sd, _ := meanSDOf(g)
	return fmt.Sprintf("gaps %s (min %.3g)", pm(m, sd, 3), minOf(g))
}

// gapVerdict compares the spread of m gaps with that of random points,
// CV = √((m−1)/(m+1)).
func gapVerdict(g []float64, m int) string {
	if len(g) < 2 {
		return "not measured"
	}
	mean, sd, _ := meanSDOf(g)
	cv, rnd := sd/mean, math.Sqrt(float64(m-1)/float64(m+1))
	switch {
	case cv < rnd/2:
		return fmt.Sprintf("about equally spaced (CV %.2f; random points %.2f)", cv, rnd)
	case cv < rnd:
		return fmt.Sprintf("more regular than random (CV %.2f < %.2f)", cv, rnd)
	}
	return fmt.Sprintf("no more regular than random (CV %.2f ≥ %.2f)", cv, rnd)
}

// Header returns the provenance lines written at the top of every output.
func (r *XYRFResult) Header() []string { return r.header(r.Config) }

// WriteCSV writes the per-site analysis of every unit, preceded by '#'
// provenance lines.
func (r *XYRFResult) WriteCSV(w io.Writer) error {
	if err := writeComments(w, r.Header()...); err != nil {
		return err
	}
	cw := csv.NewWriter(w)
	cw.Write([]string{"rbm", "unit", "site", "angular_sum_abs", "amplitude", "phase_turns", "omega_over_2pi_p"})
	for _, run := range r.Runs {
		for mu, f := range run.Fields {
			for i := range f.Angular {
				cw.Write([]string{run.Spec.Name, strconv.Itoa(mu), strconv.Itoa(i), g(f.Angular[i]), g(f.Amplitude[i]), g(f.Phase[i]), g(float64(f.Omega[i]))})
			}
		}
	}
	cw.Flush()
	return cw.Error()
}

// Table returns one row per hidden unit.
func (r *XYRFResult) Table() string {
	s := "| RBM | unit | final θ | Σ_v|w| peak | background | Σ|w|/A at peak | FWHM of A | centre | ω/(2π/P) | phase (turns) | coherence | Σ_i w amplitude | w range |\n" +
		"|---|---|---|---|---|---|---|---|---|---|---|---|---|\n"
	for _, run := range r.Runs {
		for mu, f := range run.Fields {
			s += fmt.Sprintf("| %s | %d | %s | %.2f | %.3f | %.3f | %s | %s | %s | %s | %s | %.2f | [%.2f, %.2f] |\n", run.Spec.Name, mu,
				fmtOpt(run.theta(mu), 2), f.AngPeak, f.AngBackground, f.CosineRatio, fmtOpt(float64(f.FWHM), 1), fmtOpt(float64(f.Centre), 1),
				fmtOpt(float64(f.MeanOmega), 3), fmtOpt(float64(f.MeanPhase), 3), fmtOpt(float64(f.Coherence), 3), f.SpatialAmplitude, f.WMin, f.WMax)
		}
	}
	return s
}

// Plot writes the figure: for each RBM a heat map of w_i(v) and the
// angular modulation with its cosine prediction; then the fitted
// frequencies and phases per site (one unit per RBM), and for several
// units the spatial sums Σ_i w_i(v).
func (r *XYRFResult) Plot(path string) error {
	n, p := r.Config.N, r.Config.P
	dash := []vg.Length{vg.Points(4), vg.Points(3)}
	sites := make([]float64, n)
	for i := range sites {
		sites[i] = float64(i)
	}
	var panels [][]*plot.Plot
	first := 0 // colour index of the run's first unit: one colour per unit across panels
	for _, run := range r.Runs {
		// Heat map of the unit with the largest angular peak.
		best := 0
		for mu, f := range run.Fields {
			if f.AngPeak > run.Fields[best].AngPeak {
				best = mu
			}
		}
		z := make([][]float64, p)
		for v := range p {
			z[v] = make([]float64, n)
			for i := range n {
				z[v][i] = run.W[(best*n+i)*p+v]
			}
		}
		hm := plot.New()
		lim := addHeatMap(hm, z, 0)
		hm.Title.Text = fmt.Sprintf("%s unit %d: w_i(v) (blue −%.2f … red +%.2f)", run.Spec.Name, best, lim, lim)
		hm.X.Label.Text, hm.Y.Label.Text = "site i", "state v"

		pa := plot.New()
		pa.Title.Text = fmt.Sprintf("%s: angular modulation Σ_v|w_i(v)| (lines), 2P/π·A_i (dashed)", run.Spec.Name)
		pa.X.Label.Text, pa.Y.Label.Text = "site i", "Σ_v |w_i(v)|"
		for mu, f := range run.Fields {
			col := colRules[(first+mu)%len(colRules)]
			if err := addLine(pa, sites, f.Angular, col, 1.4, nil, ""); err != nil {
				return err
			}
			cosEnv := make([]float64, n)
			for i := range cosEnv {
				cosEnv[i] = 2 * float64(p) / math.Pi * f.Amplitude[i]
			}
			if err := addLine(pa, sites, cosEnv, col, 1, dash, ""); err != nil {
				return err
			}
		}
		// Headroom above the peaks for the legend.
		var top []float64
		for _, f := range run.Fields {
			top = append(top, f.AngPeak, 2*float64(p)/math.Pi*maxOf(f.Amplitude))
		}
		pa.Y.Min, pa.Y.Max = 0, 1.3*math.Max(maxOf(top), paperXYAngPeak)
		if run.Spec.M == 1 && run.Spec.Unit.Type == rbm.HiddenDoubleWell {
			if err := addHLine(pa, paperXYAngPeak, 0, float64(n-1), colTheory2, []vg.Length{vg.Points(1), vg.Points(2)}, fmt.Sprintf("paper: peak ≈ %.1f, background ≈ %.2f", paperXYAngPeak, paperXYAngBack)); err != nil {
				return err
			}
			if err := addHLine(pa, paperXYAngBack, 0, float64(n-1), colTheory2, []vg.Length{vg.Points(1), vg.Points(2)}, ""); err != nil {
				return err
			}
			pa.Legend.Top = true
		}
		pa.X.Min, pa.X.Max = 0, float64(n-1)
		pa.Add(plotter.NewGrid())
		panels = append(panels, []*plot.Plot{hm, pa})
		first += run.Spec.M
	}

	// With several units in one RBM, a legend in each panel would cover
	// the data: the units keep their colours in every panel and are named
	// once, in a legend panel of their own.
	multi := len(r.Runs) == 1 && r.Runs[0].Spec.M > 1
	po := plot.New()
	po.Title.Text = fmt.Sprintf("per-site cosine fits inside the fields: frequency (dashed: theory 2π/%d)", p)
	po.X.Label.Text, po.Y.Label.Text = "site i", "fitted ω / (2π/P)"
	pph := plot.New()
	pph.Title.Text = "phase φ_i of the first angular mode inside the fields (nearest its unit's mean)"
	pph.X.Label.Text, pph.Y.Label.Text = "site i", "φ_i / 2π (turns)"
	var phases []float64
	k := 0
	for _, run := range r.Runs {
		for _, f := range run.Fields {
			col := colRules[k%len(colRules)]
			k++
			// Phases on the branch nearest the unit's mean phase, so that
			// a field whose phase sits near 0 ≡ 1 turn is not split.
			ph := make([]float64, n)
			for i := range ph {
				ph[i] = math.NaN()
				if !math.IsNaN(float64(f.Omega[i])) {
					d := f.Phase[i] - float64(f.MeanPhase)
					ph[i] = float64(f.MeanPhase) + d - math.Round(d)
					phases = append(phases, ph[i])
				}
			}
			lab := run.Spec.Name
			if multi {
				lab = ""
			}
			for _, pl := range []struct {
				p *plot.Plot
				y []float64
			}{{po, optSlice(f.Omega)}, {pph, ph}} {
				pts, _ := finiteXY(sites, pl.y, nil, false, false)
				if err := addSeries(pl.p, pts, col, draw.CircleGlyph{}, lab); err != nil {
					return err
				}
			}
		}
	}
	if err := addHLine(po, 1, 0, float64(n-1), colTheory, dash, ""); err != nil {
		return err
	}
	po.X.Min, po.X.Max = 0, float64(n-1)
	pph.X.Min, pph.X.Max = 0, float64(n-1)
	pph.Y.Min, pph.Y.Max = math.Min(0, minOf(phases)-0.05), math.Max(1, maxOf(phases)+0.05)
	po.Legend.Top, pph.Legend.Top = true, true
	po.Add(plotter.NewGrid())
	pph.Add(plotter.NewGrid())
	panels = append(panels, []*plot.Plot{po, pph})

	if multi {
		ps := plot.New()
		ps.Title.Text = "spatial sums Σ_i w_i(v) (eq 18): cosines with phases spread over the turn"
		ps.X.Label.Text, ps.Y.Label.Text = "state v", "Σ_i w_i(v)"
		vs := make([]float64, p)
		for v := range vs {
			vs[v] = float64(v)
		}
		pl := plot.New()
		pl.HideAxes()
		pl.X.Min, pl.X.Max, pl.Y.Min, pl.Y.Max = 0, 1, 0, 1
		pl.Title.Text = "units (same colours in every panel)"
		pl.Legend.Top, pl.Legend.Left = true, true
		for mu, f := range r.Runs[0].Fields {
			col := colRules[mu%len(colRules)]
			if err := addLine(ps, vs, f.Spatial, col, 1.5, nil, ""); err != nil {
				return err
			}
			if err := addPolyline(pl, plotter.XYs{{X: -1, Y: -1}, {X: -1, Y: -1}}, col, 1.5, nil,
				fmt.Sprintf("unit %d: centre %s, field phase %s, spatial-sum phase %.2f turns", mu,
					fmtOpt(float64(f.Centre), 1), fmtOpt(float64(f.MeanPhase), 2), f.SpatialPhase)); err != nil {
				return err
			}
		}
		pl.X.Min, pl.X.Max, pl.Y.Min, pl.Y.Max = 0, 1, 0, 1
		if err := addHLine(pl, -1, -1, -1, colTheory, dash, fmt.Sprintf("theory: top XY mode, ω = 2π/%d", p)); err != nil {
			return err
		}
		pl.X.Min, pl.X.Max, pl.Y.Min, pl.Y.Max = 0, 1, 0, 1
		ps.Add(plotter.NewGrid())
		panels = append(panels, []*plot.Plot{ps, pl})
	}
	return savePNGGrid(path, panels, 28*vg.Centimeter, vg.Length(len(panels))*8*vg.Centimeter, r.meta(r.Header()))
}

// Summary returns the Markdown section of the experiment.
func (r *XYRFResult) Summary(png string) string {
	c := r.Config
	t := c.Training
	var s string
	if r.Experiment == "xytiling" {
		s = "## Several XY receptive fields (paper Fig. 10)\n\n"
	} else {
		s = "## XY receptive fields (paper Fig. 9)\n\n"
	}
	var specs []string
	for _, u := range c.Units {
		specs = append(specs, fmt.Sprintf("%s (M = %d, %s)", u.Name, u.M, unitLabel(c.training(u))))
	}
	s += fmt.Sprintf("XY ring N = %d, P = %d, β = %g (Λ_XY = %.4f, eq 30); S = %d exact samples, one data set; RBMs: %s; Potts visible units "+
		"in the zero-sum gauge; %s; %d epochs (%d updates); master seed %d. Σ_v|w| is the corrected eq 17 (THEORY.md §7 item 6); "+
		"A_i, φ_i the first angular Fourier mode; ω from per-site least-squares fits a cos(ωv) + b sin(ωv) + c inside the field (A_i ≥ max A/2).\n\n",
		c.N, c.P, c.Beta, r.Lambda, c.S, joinAnd(specs), trainingLabel(t), t.Epochs, r.Runs[0].Updates, c.Seed)
	s += reductionNote([]sizeDiff{{"ν", g(t.Nu), "0.01"}, {"epochs", strconv.Itoa(t.Epochs), "100"},
		{"PCD sweeps", strconv.Itoa(t.Sweeps), "20 (assumed)"}, {"chains", strconv.Itoa(t.Chains), "100 (assumed)"},
		{"S", strconv.Itoa(c.S), "100000"}, {"batch", strconv.Itoa(t.Batch), "100"},
		{"the learning time t = ν·epochs·⌈S/B⌉", g(t.Nu * float64(t.Epochs*((c.S+t.Batch-1)/t.Batch))), "1000"}}, "")
	s += assumptions(
		"β = 1.5 (implied by the XY section)",
		"double-well θ: not reported; θ starts at 0 (PGM's initialisation) and is learned",
		"visible fields zero (optimal for XY data in the zero-sum gauge); not trained",
		fmt.Sprintf("PCD-%d with %d chains (k and n_c not reported for the XY runs)", t.Sweeps, t.Chains),
		fmt.Sprintf("σ₀ = %.4g", t.Sigma0),
		"exact independent samples (transfer matrix) instead of Monte Carlo",
	)
	s += "**Paper against measured:**\n\n" + paperTable(r.Rows) + "\n" + r.Table() + "\n"
	s += fmt.Sprintf("![XY receptive fields](%s)\n\n", png)
	s += "**Verdict:** " + r.verdict() + "\n"
	return s
}

func (r *XYRFResult) verdict() string {
	clo, chi := cosineAbsSumRange(r.Config.P)
	var parts []string
	for _, run := range r.Runs {
		for mu, f := range run.Fields {
			if run.Spec.M > 1 && mu > 0 {
				break
			}
			loc := "localised"
			if float64(f.FWHM) > float64(r.Config.N)/3 || math.IsNaN(float64(f.FWHM)) {
				loc = "not localised"
			}
			cos := "as for a pure cosine"
			if f.CosineRatio < clo-1e-3 || f.CosineRatio > chi+1e-3 {
				cos = "unlike a pure cosine"
			}
			parts = append(parts, fmt.Sprintf("the %s unit's field is %s (FWHM of A_i %s sites, Σ_v|w| peak %.2f over background %.2f), "+
				"its fitted frequency is %s × 2π/P and Σ|w|/A = %.3f at the peak, %s (%.3f–%.3f at P = %d)",
				run.Spec.Name, loc, fmtOpt(float64(f.FWHM), 1), f.AngPeak, f.AngBackground, fmtOpt(float64(f.MeanOmega), 3), f.CosineRatio,
				cos, clo, chi, r.Config.P))
		}
	}
	s := joinAnd(parts) + "."
	var differ []string
	for _, row := range r.Rows {
		if !isAgreement(row.Verdict) {
			differ = append(differ, row.Quantity)
		}
	}
	if len(differ) > 0 {
		s += " Against the paper's readings, " + joinAnd(differ) + " differ (table)."
	} else {
		s += " Every comparison with the paper's readings agrees within its tolerance."
	}
	return s
}

// isAgreement reports whether a verdict states agreement.
func isAgreement(v string) bool {
	for _, p := range []string{"agrees", "constant phase", "about equally spaced", "more regular than random", "somewhat more regular"} {
		if len(v) >= len(p) && v[:len(p)] == p {
			return true
		}
	}
	return false
}

// optSlice converts to plain floats (NaN where undefined).
func optSlice(x []OptFloat) []float64 {
	out := make([]float64, len(x))
	for i, v := range x {
		out[i] = float64(v)
	}
	return out
}

package compare

import (
	"context"
	"encoding/csv"
	"fmt"
	"io"
	"math"
	"strconv"

	"gonum.org/v1/gonum/mat"
	"gonum.org/v1/gonum/stat"
	"gonum.org/v1/plot"
	"gonum.org/v1/plot/plotter"
	"gonum.org/v1/plot/vg"
	"gonum.org/v1/plot/vg/draw"

	"placecell/compare/rbm"
	"placecell/dynamics"
	"placecell/internal/rng"
	"placecell/ring"
	"placecell/spectral"
)

// GrowthConfig sets up the linear-growth experiment: an RBM is trained from
// very small weights on plenty of Ising-ring data, and the early growth rate
// of the Fourier power of each receptive field is compared with the linear
// theory σ_k = λ_k − 1 (THEORY.md §4.5, the paper's eq 23, for ±1 data and
// ±1 hidden units with zero fields).
type GrowthConfig struct {
	N    int     `json:"n"`    // ring length (default 32)
	Beta float64 `json:"beta"` // inverse temperature (no default: 0 is the uncorrelated ring)
	S    int     `json:"s"`    // training samples per run (default 10⁵)
	Runs int     `json:"runs"` // independent data sets and trainings (default 8)
	Seed uint64  `json:"seed"` // master seed
	// Time is the learning time over which rates are fitted (default 1.5).
	// The weights must stay small over it: the relative nonlinear
	// correction is of order I² = (Σ_i w_i v_i)².
	Time float64 `json:"time"`
	// Records is the number of snapshots in the fit window (default 30).
	Records int `json:"records"`
	// Training holds the simulator settings (defaults: M = 4 independent
	// units, ν = 10⁻³, batch 100, 100 chains, PCD-20, σ₀ = 10⁻⁴).
	Training Training `json:"training"`

	Workers  int                   `json:"-"`
	Progress func(done, total int) `json:"-"`
	Store    Store                 `json:"-"`
}

var growthTraining = Training{Hidden: 4, Nu: 1e-3, Batch: 100, Chains: 100, Sweeps: 20, Sigma0: 1e-4, Phase: "pcd"}

// DefaultGrowthConfig returns the quick defaults: N = 32, β = 0.5,
// S = 10⁵, 8 runs of M = 4 units from σ₀ = 10⁻⁴ over t ∈ [0, 1.5].
func DefaultGrowthConfig() GrowthConfig {
	c := GrowthConfig{N: 32, Beta: 0.5}
	c.setDefaults()
	return c
}

func (c *GrowthConfig) setDefaults() {
	if c.N == 0 {
		c.N = 32
	}
	if c.S == 0 {
		c.S = 100000
	}
	if c.Runs == 0 {
		c.Runs = 8
	}
	if c.Time == 0 {
		c.Time = 1.5
	}
	if c.Records == 0 {
		c.Records = 30
	}
	c.Training.setDefaults(growthTraining, c.N)
}

func (c *GrowthConfig) validate() error {
	if err := (ring.Ising{N: c.N, Beta: c.Beta}).Validate(); err != nil {
		return err
	}
	if c.S < 1 {
		return fmt.Errorf("compare: S = %d samples must be at least 1", c.S)
	}
	if c.Runs < 1 {
		return fmt.Errorf("compare: runs = %d must be at least 1", c.Runs)
	}
	if !(c.Time > 0) || math.IsInf(c.Time, 0) {
		return fmt.Errorf("compare: time = %v must be positive and finite", c.Time)
	}
	if c.Records < 3 {
		return fmt.Errorf("compare: records = %d must be at least 3 to fit a rate", c.Records)
	}
	if u := c.Time / c.Training.Nu; u < float64(c.Records) {
		return fmt.Errorf("compare: time %v at ν = %v gives %.0f updates, fewer than the %d records", c.Time, c.Training.Nu, u, c.Records)
	}
	return nil
}

// GrowthRun is the outcome of one training run.
type GrowthRun struct {
	Run       int       `json:"run"`
	DataSeed  uint64    `json:"data_seed"`
	TrainSeed uint64    `json:"train_seed"`
	Times     []float64 `json:"times"` // learning times of the snapshots
	// Rates[μ][k] is the fitted growth rate of mode k of unit μ: the slope
	// of ½ ln(P_k(t)/P_k(0)) against t.
	Rates [][]float64 `json:"rates"`
	// Empirical[k] is the Rayleigh quotient of mode k on the training
	// set's Ĉ (mean over the cos/sin pair).
	Empirical []float64 `json:"empirical"`
	// Curves[k][j] is ½ ln(P_k(t_j)/P_k(0)) averaged over units.
	Curves [][]float64 `json:"curves"`
	// MaxInput is the largest |I| = |Σ_i w_i v_i| bound ‖w‖√(N·λ₀) reached,
	// a gauge of the nonlinear correction.
	MaxNorm float64 `json:"max_norm"`
}

// GrowthMode compares one Fourier mode with the theory.
type GrowthMode struct {
	K int     `json:"k"` // mode index 0..⌊N/2⌋
	Q float64 `json:"q"` // wavenumber 2πk/N
	// Theory is σ_k = λ_k − 1 with the exact finite-N population λ_k.
	Theory float64 `json:"theory"`
	// Empirical is λ̂_k − 1 with λ̂_k the Rayleigh quotient of the mode on
	// the training sets' Ĉ (mean over runs), the rate the finite sample
	// actually drives.
	Empirical float64 `json:"empirical"`
	// Rate is the mean fitted rate, RateSE its standard error over
	// Estimates runs (each run's estimate is the mean over its units).
	Rate      float64 `json:"rate"`
	RateSE    float64 `json:"rate_se"`
	Estimates int     `json:"estimates"`
	// Z is (Rate − Theory)/RateSE.
	Z float64 `json:"z"`
}

// GrowthResult is the outcome of the linear-growth experiment.
type GrowthResult struct {
	Provenance
	Config GrowthConfig `json:"config"`
	Modes  []GrowthMode `json:"modes"`
	Runs   []GrowthRun  `json:"runs"`
}

// LinearGrowth runs the experiment.
func LinearGrowth(ctx context.Context, cfg GrowthConfig) (*GrowthResult, error) {
	cfg.setDefaults()
	if err := cfg.validate(); err != nil {
		return nil, err
	}
	model := ring.Ising{N: cfg.N, Beta: cfg.Beta}
	runs := make([]GrowthRun, cfg.Runs)
	err := runJobs(ctx, cfg.Runs, cfg.Workers, func(ctx context.Context, j int) error {
		seeds := rng.New(cfg.Seed, "growth", uint64(j))
		run, err := growthRun(ctx, model, &cfg, j, seeds.Uint64(), seeds.Uint64())
		runs[j] = run
		return err
	}, cfg.Progress)
	if err != nil {
		return nil, err
	}

	res := &GrowthResult{Provenance: newProvenance("growth", "eq 23, linear regime, THEORY.md §4.5"), Config: cfg, Runs: runs}
	lambda := spectral.IsingSpectrum(nil, model)
	for k := 0; k <= cfg.N/2; k++ {
		// One estimate per run, the mean over its units: the units of a
		// run share data and chains, so they are not independent.
		var est []float64
		var emp float64
		for _, r := range runs {
			var mean float64
			for _, u := range r.Rates {
				mean += u[k] / float64(len(r.Rates))
			}
			est = append(est, mean)
			emp += r.Empirical[k] / float64(len(runs))
		}
		mean, sd := meanSD(est)
		se := sd / math.Sqrt(float64(len(est)))
		m := GrowthMode{
			K: k, Q: 2 * math.Pi * float64(k) / float64(cfg.N),
			Theory: lambda[k] - 1, Empirical: emp - 1,
			Rate: mean, RateSE: se, Estimates: len(est),
		}
		m.Z = (m.Rate - m.Theory) / se
		res.Modes = append(res.Modes, m)
	}
	return res, nil
}

// growthRun returns run number run, read from cfg.Store when a run with
// the same build and parameters was saved there, else computed and saved.
func growthRun(ctx context.Context, model ring.Ising, cfg *GrowthConfig, run int, dataSeed, trainSeed uint64) (GrowthRun, error) {
	key := runKey("growth", struct {
		Build     string
		Model     ring.Ising
		S         int
		Time      float64
		Records   int
		Training  Training
		DataSeed  uint64
		TrainSeed uint64
	}{buildID(), model, cfg.S, cfg.Time, cfg.Records, cfg.Training, dataSeed, trainSeed})
	return storedRun(ctx, cfg.Store, key, func(ctx context.Context) (GrowthRun, error) {
		return growthCompute(ctx, model, cfg, run, dataSeed, trainSeed)
	})
}

// growthCompute draws the data of one run, trains on it and fits the
// growth rates.
func growthCompute(ctx context.Context, model ring.Ising, cfg *GrowthConfig, run int, dataSeed, trainSeed uint64) (GrowthRun, error) {
	var out GrowthRun
	n := model.N
	nk := n/2 + 1

	// Data, and the Rayleigh quotient of every real Fourier mode on Ĉ.
	data := ring.Generate(ring.NewExact(model), cfg.S, dataSeed)
	chat := spectral.Correlation(data)
	emp := make([]float64, nk)
	e := make([]float64, n)
	count := make([]float64, nk)
	for k := range n {
		spectral.FourierMode(e, k)
		v := mat.NewVecDense(n, e)
		q := mat.Inner(v, chat, v)
		kk := min(k, n-k)
		emp[kk] += q
		count[kk]++
	}
	for k := range emp {
		emp[k] /= count[k]
	}

	// Training with snapshots every `every` updates.
	rc, err := cfg.Training.rbmConfig(trainSeed)
	if err != nil {
		return out, err
	}
	tr, err := rbm.NewTrainer(data, rc)
	if err != nil {
		return out, err
	}
	updates := int(math.Round(cfg.Time / cfg.Training.Nu))
	every := max(1, updates/cfg.Records)
	m := cfg.Training.Hidden
	power := make([]float64, nk)
	var times []float64
	logP := make([][][]float64, m) // [unit][k][snapshot]
	for mu := range logP {
		logP[mu] = make([][]float64, nk)
	}
	var maxNorm float64
	snap := func() {
		w := tr.Weights()
		times = append(times, cfg.Training.Nu*float64(tr.Updates()))
		for mu := range m {
			row := w[mu*n : (mu+1)*n]
			maxNorm = math.Max(maxNorm, math.Sqrt(dot(row, row)))
			dynamics.FourierPower(power, row)
			for k, p := range power {
				logP[mu][k] = append(logP[mu][k], 0.5*math.Log(p))
			}
		}
	}
	snap()
	for u := 1; u <= updates; u++ {
		if u%256 == 0 && ctx.Err() != nil {
			return out, ctx.Err()
		}
		if err := tr.Step(); err != nil {
			return out, fmt.Errorf("compare: growth run %d: %w", run, err)
		}
		if u%every == 0 {
			snap()
		}
	}

	// Rates: slope of ½ ln P_k against t, per unit and mode.
	out = GrowthRun{Run: run, DataSeed: dataSeed, TrainSeed: trainSeed, Times: times,
		Empirical: emp, MaxNorm: maxNorm}
	out.Rates = make([][]float64, m)
	out.Curves = make([][]float64, nk)
	for k := range nk {
		out.Curves[k] = make([]float64, len(times))
	}
	for mu := range m {
		out.Rates[mu] = make([]float64, nk)
		for k := range nk {
			y := logP[mu][k]
			_, slope := stat.LinearRegression(times, y, nil, false)
			out.Rates[mu][k] = slope
			for j := range y {
				out.Curves[k][j] += (y[j] - y[0]) / float64(m)
			}
		}
	}
	return out, nil
}

// Header returns the provenance lines written at the top of every output.
func (r *GrowthResult) Header() []string { return r.header(r.Config) }

// WriteCSV writes one row per mode, preceded by '#' provenance lines.
func (r *GrowthResult) WriteCSV(w io.Writer) error {
	if err := writeComments(w, r.Header()...); err != nil {
		return err
	}
	cw := csv.NewWriter(w)
	cw.Write([]string{"k", "q", "sigma_theory", "sigma_empirical", "rate", "rate_se", "estimates", "z"})
	for _, m := range r.Modes {
		cw.Write([]string{strconv.Itoa(m.K), g(m.Q), g(m.Theory), g(m.Empirical), g(m.Rate),
			g(m.RateSE), strconv.Itoa(m.Estimates), g(m.Z)})
	}
	cw.Flush()
	return cw.Error()
}

// Table returns the result as a Markdown table.
func (r *GrowthResult) Table() string {
	s := "| k | q_k | σ_k = λ_k − 1 (theory) | λ̂_k − 1 (training set) | measured rate ± se | z |\n"
	s += "|---|---|---|---|---|---|\n"
	for _, m := range r.Modes {
		s += fmt.Sprintf("| %d | %.3f | %.4f | %.4f | %.4f ± %.4f | %+.2f |\n",
			m.K, m.Q, m.Theory, m.Empirical, m.Rate, m.RateSE, m.Z)
	}
	return s
}

// MaxAbsZ returns the largest |z| over the modes.
func (r *GrowthResult) MaxAbsZ() float64 {
	var z float64
	for _, m := range r.Modes {
		z = math.Max(z, math.Abs(m.Z))
	}
	return z
}

// Plot writes the two-panel figure: measured rates against wavenumber with
// the theory (top) and the mean log-amplitude of a few modes against time
// with the theory slopes (bottom).
func (r *GrowthResult) Plot(path string) error {
	c := r.Config
	rho := math.Tanh(c.Beta)
	sigmaInf := func(q float64) float64 { // THEORY.md §4.5, N → ∞
		return 2 * rho * (math.Cos(q) - rho) / (1 - 2*rho*math.Cos(q) + rho*rho)
	}

	// Top panel: rates.
	pr := plot.New()
	pr.Title.Text = fmt.Sprintf("Linear growth, Ising ring N = %d, β = %g, S = %d; M = %d, ν = %g, batch %d, %s",
		c.N, c.Beta, c.S, c.Training.Hidden, c.Training.Nu, c.Training.Batch, phaseLabel(c.Training))
	pr.X.Label.Text = "wavenumber q_k = 2πk/N"
	pr.Y.Label.Text = "growth rate per unit learning time"
	var q, th, rate, se []float64
	for _, m := range r.Modes {
		q = append(q, m.Q)
		th = append(th, m.Theory)
		rate = append(rate, m.Rate)
		se = append(se, m.RateSE)
	}
	pr.X.Min, pr.X.Max = -0.05, math.Pi+0.05
	lo, hi := span(0.08, false, th, rate, []float64{sigmaInf(0), sigmaInf(math.Pi)})
	pr.Y.Min, pr.Y.Max = lo, hi
	if err := addCurve(pr, sigmaInf, 0, math.Pi, false, colTheory2, []vg.Length{vg.Points(4), vg.Points(3)},
		"σ(q), N → ∞"); err != nil {
		return err
	}
	thPts, _ := finiteXY(q, th, nil, false, false)
	sc, err := plotter.NewScatter(thPts)
	if err != nil {
		return err
	}
	sc.GlyphStyle.Color = colTheory
	sc.GlyphStyle.Shape = draw.BoxGlyph{}
	sc.GlyphStyle.Radius = vg.Points(3)
	pr.Add(sc)
	pr.Legend.Add("σ_k = λ_k − 1, exact finite N", sc)
	pts, dropped := finiteXY(q, rate, se, false, false)
	if err := addMeasured(pr, pts, "RBM (PCD), fitted rate ± se"); err != nil {
		return err
	}
	pr.Legend.Top = true
	if dropped > 0 {
		pr.X.Label.Text += fmt.Sprintf("   (%d non-finite points not drawn)", dropped)
	}

	// Bottom panel: log-amplitudes against time.
	pt := plot.New()
	pt.X.Label.Text = "learning time t = ν·updates"
	pt.Y.Label.Text = "½ ln(P_k(t)/P_k(0)), mean over units"
	t := r.Runs[0].Times
	pt.X.Min, pt.X.Max = 0, t[len(t)-1]
	var all []float64
	shown := showModes(c.N)
	for _, k := range shown {
		for _, run := range r.Runs {
			all = append(all, run.Curves[k]...)
		}
		all = append(all, r.Modes[k].Theory*t[len(t)-1])
	}
	pt.Y.Min, pt.Y.Max = span(0.08, false, all, []float64{0})
	for i, k := range shown {
		col := colRules[i%len(colRules)]
		slope := r.Modes[k].Theory
		if err := addCurve(pt, func(x float64) float64 { return slope * x }, 0, t[len(t)-1], false, col,
			[]vg.Length{vg.Points(4), vg.Points(3)}, ""); err != nil {
			return err
		}
		for ri, run := range r.Runs {
			xy := make(plotter.XYs, len(t))
			for j := range t {
				xy[j] = plotter.XY{X: run.Times[j], Y: run.Curves[k][j]}
			}
			l, err := plotter.NewLine(xy)
			if err != nil {
				return err
			}
			l.LineStyle.Color = col
			l.LineStyle.Width = vg.Points(1.2)
			pt.Add(l)
			if ri == 0 {
				pt.Legend.Add(fmt.Sprintf("k = %d (dashed: σ_k t)", k), l)
			}
		}
	}
	pt.Legend.Top = true
	pt.Legend.Left = true
	return savePNG(path, []*plot.Plot{pr, pt}, 18*vg.Centimeter, 22*vg.Centimeter, r.meta(r.Header()))
}

// showModes picks the modes drawn against time: 0, 1, 2, N/4 and N/2.
func showModes(n int) []int {
	seen := map[int]bool{}
	var ks []int
	for _, k := range []int{0, 1, 2, n / 4, n / 2} {
		if k <= n/2 && !seen[k] {
			seen[k] = true
			ks = append(ks, k)
		}
	}
	return ks
}

// Summary returns a Markdown section describing the experiment, its table
// and its verdict, referring to the figure file png.
func (r *GrowthResult) Summary(png string) string {
	c := r.Config
	s := "## Linear growth of Fourier modes (THEORY.md §4.5, paper eq 23)\n\n"
	s += fmt.Sprintf("Ising ring N = %d, β = %g, S = %d exact samples per run; M = %d ±1 hidden units from σ₀ = %g, "+
		"zero fields, plain SGD ν = %g, batch %d, %s; rates fitted over t ∈ [0, %g] "+
		"(%d snapshots) as the slope of ½ ln P_k(t), P_k the power of mode k; each run's estimate is the mean "+
		"over its units, and the standard error is over %d runs; master seed %d.\n\n",
		c.N, c.Beta, c.S, c.Training.Hidden, c.Training.Sigma0, c.Training.Nu, c.Training.Batch,
		phaseLabel(c.Training), c.Time, c.Records, c.Runs, c.Seed)
	s += r.Table() + "\n"
	s += fmt.Sprintf("![linear growth](%s)\n\n", png)
	within := 0
	for _, m := range r.Modes {
		if math.Abs(m.Z) <= 3 {
			within++
		}
	}
	var maxNorm float64
	for _, run := range r.Runs {
		maxNorm = math.Max(maxNorm, run.MaxNorm)
	}
	var zs []float64
	for _, m := range r.Modes {
		zs = append(zs, m.Z)
	}
	zMean := stat.Mean(zs, nil)
	zSE := 1 / math.Sqrt(float64(len(zs)))
	var zNote string
	switch {
	case zMean > 2*zSE:
		zNote = "positive beyond 2 standard errors: the rates lie above the theory on average, as when SGD noise " +
			"proportional to ‖w‖ feeds power into the decaying modes late in the window"
	case zMean < -2*zSE:
		zNote = "negative beyond 2 standard errors: the rates lie below the theory on average"
	default:
		zNote = "within 2 standard errors of zero: no systematic offset from the theory"
	}
	// The cubic term of the flow is smaller than the linear one by about
	// ‖w‖²λ_max (THEORY.md §4.5); λ_max = 1 + the largest σ_k.
	lmax := math.Inf(-1)
	for _, m := range r.Modes {
		lmax = math.Max(lmax, m.Theory+1)
	}
	cubic := maxNorm * maxNorm * lmax
	cubicNote := "stays negligible"
	if cubic > 0.05 {
		cubicNote = "is not negligible: the late part of the window leaves the linear regime"
	}
	s += fmt.Sprintf("**Measured:** %d of %d modes agree with σ_k = λ_k − 1 within 3 standard errors (largest |z| = %.2f). "+
		"The mean z over modes is %+.2f (± %.2f if the modes were independent), %s. "+
		"Largest weight norm reached ‖w‖ = %.3g, so the cubic correction (relative size ‖w‖²λ_max = %.2g) %s.\n",
		within, len(r.Modes), r.MaxAbsZ(), zMean, zSE, zNote, maxNorm, cubic, cubicNote)
	return s
}

// phaseLabel names the model term of t, e.g. "PCD-20, 100 chains".
func phaseLabel(t Training) string {
	if t.Phase == "exact" {
		return "exact model term"
	}
	return fmt.Sprintf("PCD-%d, %d chains", t.Sweeps, t.Chains)
}

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

	"gonum.org/v1/plot"
	"gonum.org/v1/plot/plotter"
	"gonum.org/v1/plot/vg"
	"gonum.org/v1/plot/vg/draw"

	"placecell/compare/rbm"
	"placecell/dynamics"
	"placecell/internal/rng"
	"placecell/meanfield"
	"placecell/ring"
	"placecell/spectral"
)

// paperWBeta holds the readings of the paper's Fig. 7a (THEORY.md §6.4,
// E7a): W after training against β at N = 100, r = 0.01, as intervals.
var paperWBeta = []struct{ Beta, Lo, Hi float64 }{
	{0.01, 0.2, 0.3}, {0.1, 1, 1}, {0.25, 2.6, 2.6}, {0.5, 4.6, 4.6}, {0.75, 7.3, 7.3}, {1, 12, 16}, {1.1, 12, 16},
}

// WBetaConfig sets up the order-parameter experiment of the paper's
// Fig. 7a (THEORY.md §6.4, E7a): RBMs with one hidden unit are trained at
// fixed r = N/S over a range of β, and the order parameter W = |Σ_i w_i|
// (eq 12) is plotted against β with the edge-matching threshold
// β_c = ln(1 + √r) (eq 27), the BBP threshold, the small-β prediction
// W ≈ Σŵ·√β of the lattice bump (§5.2; 4.249√β at N = 100) and the value
// E|Σ w| = σ₀√(2N/π) of the initial weights.
type WBetaConfig struct {
	N int `json:"n"` // ring length (default 100)
	S int `json:"s"` // training samples (default 10⁴: r = 0.01)
	// Betas are the inverse temperatures (default 0.01, 0.05, 0.1, 0.25,
	// 0.5, 0.75, 1); zero is allowed (independent spins).
	Betas []float64 `json:"betas"`
	Runs  int       `json:"runs"` // runs per β, each on its own data (default 2)
	Seed  uint64    `json:"seed"`
	// Training holds the simulator settings (defaults: one ±1 unit, zero
	// fields, ν = 0.025, batch 100, 100 epochs — t = 250, the paper's —
	// PCD-20 with 100 chains, σ₀ = √(0.1/N)).
	Training rbm.Config `json:"training"`

	Workers  int                   `json:"-"`
	Progress func(done, total int) `json:"-"`
	Store    Store                 `json:"-"`
}

// DefaultWBetaBetas are the default β of WBetaConfig.
var DefaultWBetaBetas = []float64{0.01, 0.05, 0.1, 0.25, 0.5, 0.75, 1}

// DefaultWBetaConfig returns the reduced defaults.
func DefaultWBetaConfig() WBetaConfig {
	c := WBetaConfig{}
	c.setDefaults()
	return c
}

// PaperWBetaConfig returns the paper's sizes: batch 10, ν = 10⁻³, 250
// epochs (2.5·10⁵ updates per run), 10 runs, β from 10⁻⁵ to 1.1.
func PaperWBetaConfig() WBetaConfig {
	t := paperIsingTraining()
	t.Epochs = 250
	c := WBetaConfig{Runs: 10, Training: t, Betas: []float64{1e-5, 1e-4, 1e-3, 0.01, 0.05, 0.1, 0.25, 0.5, 0.75, 1, 1.1}}
	c.setDefaults()
	return c
}

func (c *WBetaConfig) setDefaults() {
	if c.N == 0 {
		c.N = 100
	}
	if c.S == 0 {
		c.S = 10000
	}
	if len(c.Betas) == 0 {
		c.Betas = slices.Clone(DefaultWBetaBetas)
	}
	if c.Runs == 0 {
		c.Runs = 2
	}
	def := isingTraining()
	def.Nu, def.Epochs = 0.025, 100
	fillTraining(&c.Training, def, c.N)
}

func (c *WBetaConfig) validate() error {
	for _, b := range c.Betas {
		if err := (ring.Ising{N: c.N, Beta: b}).Validate(); err != nil {
			return &ConfigError{err.Error()}
		}
	}
	if c.N < 2 || c.S < 1 || c.Runs < 1 || c.Training.Epochs < 1 {
		return configErrorf("N = %d, S = %d, runs = %d and epochs = %d out of range", c.N, c.S, c.Runs, c.Training.Epochs)
	}
	if c.Training.Batch > c.S {
		return configErrorf("batch %d exceeds S = %d", c.Training.Batch, c.S)
	}
	return checkTraining(c.Training)
}

// WBetaRun is one trained RBM.
type WBetaRun struct {
	Beta      float64  `json:"beta"`
	Run       int      `json:"run"`
	DataSeed  uint64   `json:"data_seed"`
	TrainSeed uint64   `json:"train_seed"`
	W         float64  `json:"W"` // |Σ w|, mean over units
	SumSq     float64  `json:"sum_sq"`
	PR        OptFloat `json:"pr"`
	Peak      float64  `json:"peak"`
	FWHM      OptFloat `json:"fwhm"`
	Uniform   OptFloat `json:"uniform"` // k = 0 power fraction (Σw)²/(NΣw²)
	// W0 is |Σ w| of the initial weights.
	W0 float64 `json:"W0"`
}

// WBetaPoint summarises the runs at one β.
type WBetaPoint struct {
	Beta    float64  `json:"beta"`
	W       float64  `json:"W"`
	WSD     float64  `json:"W_sd"`
	PR      OptFloat `json:"pr"`
	Uniform OptFloat `json:"uniform"`
	FWHM    OptFloat `json:"fwhm"`
	// Small is the small-β prediction Σŵ·√β.
	Small float64 `json:"small_beta"`
}

// WBetaResult is the outcome of the Fig. 7a experiment.
type WBetaResult struct {
	Provenance
	Config WBetaConfig  `json:"config"`
	R      float64      `json:"r"` // N/S
	Runs   []WBetaRun   `json:"runs"`
	Points []WBetaPoint `json:"points"`
	// Thresholds are β_c under the edge-matching (eq 27) and BBP rules.
	BetaEdge float64 `json:"beta_c_edge"`
	BetaBBP  float64 `json:"beta_c_bbp"`
	// LatticeSum is Σŵ of the small-β lattice bump on this ring (W ≈
	// LatticeSum·√β), Initial the mean |Σ w| of N(0, σ₀²) weights,
	// σ₀√(2N/π).
	LatticeSum float64    `json:"lattice_sum"`
	Initial    float64    `json:"initial"`
	Rows       []paperRow `json:"paper_vs_measured"`
}

// WBeta runs the Fig. 7a experiment.
func WBeta(ctx context.Context, cfg WBetaConfig) (*WBetaResult, error) {
	cfg.setDefaults()
	if err := cfg.validate(); err != nil {
		return nil, err
	}
	n := len(cfg.Betas) * cfg.Runs
	runs := make([]WBetaRun, n)
	err := runJobs(ctx, n, cfg.Workers, func(ctx context.Context, j int) error {
		beta, k := cfg.Betas[j/cfg.Runs], j%cfg.Runs
		dataSeed, trainSeed := seedsOf(cfg.Seed, "wbeta/beta="+g(beta), k)
		model := ring.Ising{N: cfg.N, Beta: beta}
		tc := cfg.Training
		tc.Seed = trainSeed
		key := trainingRunKey("wbeta", model, cfg.S, tc, dataSeed, trainSeed)
		r, err := storedRun(ctx, cfg.Store, key, func(ctx context.Context) (WBetaRun, error) {
			return wbetaRun(ctx, model, cfg.S, tc, k, dataSeed)
		})
		runs[j] = r
		return err
	}, cfg.Progress)
	if err != nil {
		return nil, err
	}
	r := float64(cfg.N) / float64(cfg.S)
	res := &WBetaResult{Provenance: newProvenance("wbeta", "Fig. 7a"), Config: cfg, R: r, Runs: runs,
		BetaEdge: spectral.IsingBetaC(r, spectral.EdgeMatching), BetaBBP: spectral.IsingBetaC(r, spectral.BBPFlatBulk),
		Initial: cfg.Training.Sigma0 * math.Sqrt(2*float64(cfg.N)/math.Pi)}
	if cfg.N >= 8 {
		w0 := meanfield.RandomStart(rng.New(cfg.Seed, "wbeta-theory", 0), cfg.N, 1, 0.01)
		sol, err := meanfield.SolveLattice(ctx, cfg.N, 1, w0, nil)
		if err != nil {
			return nil, err
		}
		res.LatticeSum = sol.Units[0].Sum
	} else {
		res.LatticeSum = math.NaN()
	}
	for i, beta := range cfg.Betas {
		rs := runs[i*cfg.Runs : (i+1)*cfg.Runs]
		get := func(f func(WBetaRun) float64) (float64, float64) {
			v := make([]float64, len(rs))
			for k, x := range rs {
				v[k] = f(x)
			}
			m, sd, _ := meanSDOf(v)
			return m, sd
		}
		p := WBetaPoint{Beta: beta, Small: res.LatticeSum * math.Sqrt(beta)}
		p.W, p.WSD = get(func(x WBetaRun) float64 { return x.W })
		pr, _ := get(func(x WBetaRun) float64 { return float64(x.PR) })
		u, _ := get(func(x WBetaRun) float64 { return float64(x.Uniform) })
		fw, _ := get(func(x WBetaRun) float64 { return float64(x.FWHM) })
		p.PR, p.Uniform, p.FWHM = OptFloat(pr), OptFloat(u), OptFloat(fw)
		res.Points = append(res.Points, p)
	}
	slices.SortFunc(res.Points, func(a, b WBetaPoint) int { return cmpFloat(a.Beta, b.Beta) })
	res.Rows = res.compare()
	return res, nil
}

func wbetaRun(ctx context.Context, model ring.Ising, s int, tc rbm.Config, run int, dataSeed uint64) (WBetaRun, error) {
	out := WBetaRun{Beta: model.Beta, Run: run, DataSeed: dataSeed, TrainSeed: tc.Seed}
	data, err := ring.GenerateContext(ctx, ring.NewExact(model), s, dataSeed)
	if err != nil {
		return out, err
	}
	tc.RecordEvery = math.MaxInt32
	res, err := rbm.Train(ctx, data, tc)
	if err != nil {
		return out, fmt.Errorf("compare: wbeta β = %g run %d: %w", model.Beta, run, err)
	}
	n, m := model.N, tc.Hidden
	w, w0 := res.Final().W, res.Records[0].W
	var pr, fw, uni float64
	for mu := range m {
		row := dynamics.SignNormalize(nil, w[mu*n:(mu+1)*n])
		ss := dot(row, row)
		out.W += dynamics.OrderW(row) / float64(m)
		out.W0 += dynamics.OrderW(w0[mu*n:(mu+1)*n]) / float64(m)
		out.SumSq += ss / float64(m)
		out.Peak += maxOf(row) / float64(m)
		pr += dynamics.ParticipationRatio(row) / float64(m)
		fw += dynamics.FWHM(row) / float64(m)
		uni += sq(sum(row)) / (float64(n) * ss) / float64(m)
	}
	out.PR, out.FWHM, out.Uniform = OptFloat(pr), OptFloat(fw), OptFloat(uni)
	return out, nil
}

// point returns the point at β, or nil.
func (r *WBetaResult) point(beta float64) *WBetaPoint {
	for i := range r.Points {
		if math.Abs(r.Points[i].Beta-beta) <= 1e-9*math.Max(1, beta) {
			return &r.Points[i]
		}
	}
	return nil
}

func (r *WBetaResult) compare() []paperRow {
	var rows []paperRow
	for _, pw := range paperWBeta {
		p := r.point(pw.Beta)
		if p == nil {
			continue
		}
		paper := fmt.Sprintf("≈ %g", pw.Lo)
		if pw.Hi != pw.Lo {
			paper = fmt.Sprintf("≈ %g–%g", pw.Lo, pw.Hi)
		}
		rows = append(rows, paperRow{fmt.Sprintf("W at β = %g", pw.Beta), paper, pm(p.W, p.WSD, 2), agreement(p.W, p.WSD, pw.Lo, pw.Hi, 0.15)})
	}
	if p := r.point(0.01); p != nil {
		rows = append(rows, paperRow{"W at β = 0.01 against the initial weights' σ₀√(2N/π)", "0.2–0.3 (paper)",
			fmt.Sprintf("%.2f vs %.3f", p.W, r.Initial), agreement(p.W, p.WSD, r.Initial, r.Initial, 0.2)})
	}
	var small []string
	var ratios, betas []float64
	for _, p := range r.Points {
		if p.Beta >= 0.1 && p.Beta <= 0.5 {
			small = append(small, fmt.Sprintf("%.2f at β = %g", p.W/p.Small, p.Beta))
			ratios, betas = append(ratios, p.W/p.Small), append(betas, p.Beta)
		}
	}
	if len(small) > 0 {
		best := 0
		for i, q := range ratios {
			if math.Abs(math.Log(q)) < math.Abs(math.Log(ratios[best])) {
				best = i
			}
		}
		v := fmt.Sprintf("closest to 1 at β = %g (%.2f)", betas[best], ratios[best])
		if lo, hi := minOf(ratios), maxOf(ratios); lo >= 1/3 && hi <= 3 {
			v = "same order of magnitude; " + v
		} else {
			v = "not the same order of magnitude; " + v
		}
		rows = append(rows, paperRow{fmt.Sprintf("W/(Σŵ√β), Σŵ = %.3f (lattice eq 37)", r.LatticeSum), "same order of magnitude; 1 only as β → 0",
			joinAnd(small), v})
	}
	return rows
}

// monotone reports whether the mean W does not decrease with β beyond the
// given multiple of the standard deviations.
func (r *WBetaResult) monotone(k float64) bool {
	for i := 1; i < len(r.Points); i++ {
		a, b := r.Points[i-1], r.Points[i]
		if b.W < a.W-k*math.Hypot(a.WSD, b.WSD) {
			return false
		}
	}
	return true
}

// Header returns the provenance lines written at the top of every output.
func (r *WBetaResult) Header() []string { return r.header(r.Config) }

// WriteCSV writes one row per β, preceded by '#' provenance lines.
func (r *WBetaResult) WriteCSV(w io.Writer) error {
	if err := writeComments(w, r.Header()...); err != nil {
		return err
	}
	if err := writeComments(w, fmt.Sprintf("r = %s; beta_c edge matching %s, BBP %s; lattice sum %s; initial E|sum w| %s",
		g(r.R), g(r.BetaEdge), g(r.BetaBBP), g(r.LatticeSum), g(r.Initial))); err != nil {
		return err
	}
	cw := csv.NewWriter(w)
	cw.Write([]string{"beta", "runs", "W_mean", "W_sd", "pr", "k0_fraction", "fwhm", "small_beta_W"})
	for _, p := range r.Points {
		cw.Write([]string{g(p.Beta), strconv.Itoa(r.Config.Runs), g(p.W), g(p.WSD), g(float64(p.PR)), g(float64(p.Uniform)),
			g(float64(p.FWHM)), g(p.Small)})
	}
	cw.Flush()
	return cw.Error()
}

// Table returns one row per β.
func (r *WBetaResult) Table() string {
	s := "| β | W (mean ± sd) | Σŵ√β (small β) | PR | k = 0 fraction | FWHM |\n|---|---|---|---|---|---|\n"
	for _, p := range r.Points {
		s += fmt.Sprintf("| %g | %s | %.3f | %s | %s | %s |\n", p.Beta, pm(p.W, p.WSD, 3), p.Small,
			fmtOpt(float64(p.PR), 1), fmtOpt(float64(p.Uniform), 3), fmtOpt(float64(p.FWHM), 1))
	}
	return s
}

// Plot writes W against β (log–log) with the theory and the paper's
// readings (top), and the participation ratio (bottom).
func (r *WBetaResult) Plot(path string) error {
	c := r.Config
	var bs, ws, sds, prs []float64
	for _, p := range r.Points {
		if p.Beta > 0 {
			bs, ws, sds, prs = append(bs, p.Beta), append(ws, p.W), append(sds, p.WSD), append(prs, float64(p.PR))
		}
	}
	lo, hi := span(0.3, true, bs, []float64{r.BetaBBP, r.BetaEdge})
	dash := []vg.Length{vg.Points(4), vg.Points(3)}
	pw := plot.New()
	pw.Title.Text = fmt.Sprintf("Order parameter after training, N = %d, S = %d (r = %g), %d runs per β (paper Fig. 7a)", c.N, c.S, r.R, c.Runs)
	pw.X.Label.Text, pw.Y.Label.Text = "β", "W = |Σ_i w_i|"
	logAxis(&pw.X, lo, hi)
	var plo, phi []float64
	for _, q := range paperWBeta {
		plo, phi = append(plo, q.Lo), append(phi, q.Hi)
	}
	ylo, yhi := span(0.5, true, ws, plo, phi, []float64{r.Initial})
	logAxis(&pw.Y, ylo, yhi*3)
	pw.Y.Tick.Marker = logTicks(ylo, yhi*3)
	pts, _ := finiteXY(bs, ws, sds, true, true)
	if err := addMeasured(pw, pts, "RBM, mean ± sd"); err != nil {
		return err
	}
	var px, py, pe []float64
	for _, q := range paperWBeta {
		px, py, pe = append(px, q.Beta*1.06), append(py, (q.Lo+q.Hi)/2), append(pe, (q.Hi-q.Lo)/2)
	}
	ppts, _ := finiteXY(px, py, pe, true, true)
	if err := addSeries(pw, ppts, colTheory2, draw.TriangleGlyph{}, "paper Fig. 7a (read off)"); err != nil {
		return err
	}
	ls := r.LatticeSum
	if err := addCurve(pw, func(b float64) float64 { return ls * math.Sqrt(b) }, lo, hi, true, colTheory, nil,
		fmt.Sprintf("small-β theory Σŵ√β = %.3f√β (§5.2)", ls)); err != nil {
		return err
	}
	// The initial weights' W is the expectation below threshold only: the
	// line ends at the edge-matching β_c (and stays clear of the legend).
	if err := addHLine(pw, r.Initial, lo, math.Min(hi, math.Max(r.BetaEdge, lo*2)), colTheory2, dash,
		fmt.Sprintf("initial weights σ₀√(2N/π) = %.3f", r.Initial)); err != nil {
		return err
	}
	if err := addVLine(pw, r.BetaEdge, colRules[0], dash, fmt.Sprintf("β_c edge matching (eq 27) = %.4f", r.BetaEdge)); err != nil {
		return err
	}
	if err := addVLine(pw, r.BetaBBP, colRules[2], dash, fmt.Sprintf("β_c BBP = %.4f", r.BetaBBP)); err != nil {
		return err
	}
	// W grows with β: the lower right is free of data and of the
	// threshold lines, which would cross a legend at the upper left.
	pw.Legend.Top, pw.Legend.Left = false, false
	pw.Add(plotter.NewGrid())

	pp := plot.New()
	pp.X.Label.Text, pp.Y.Label.Text = "β", "participation ratio (Σw²)²/Σw⁴"
	logAxis(&pp.X, lo, hi)
	plo2, phi2 := span(0.3, true, prs, []float64{float64(c.N) / 3})
	logAxis(&pp.Y, plo2, phi2)
	pp.Y.Tick.Marker = logTicks(plo2, phi2)
	ppts2, _ := finiteXY(bs, prs, nil, true, true)
	if err := addMeasured(pp, ppts2, "RBM, mean over runs"); err != nil {
		return err
	}
	if err := addHLine(pp, float64(c.N)/3, lo, hi, colTheory2, dash, fmt.Sprintf("Gaussian random weights, N/3 = %.1f", float64(c.N)/3)); err != nil {
		return err
	}
	if err := addVLine(pp, r.BetaEdge, colRules[0], dash, ""); err != nil {
		return err
	}
	pp.Legend.Top = true
	pp.Add(plotter.NewGrid())
	return savePNG(path, []*plot.Plot{pw, pp}, 18*vg.Centimeter, 22*vg.Centimeter, r.meta(r.Header()))
}

// Summary returns the Markdown section of the experiment.
func (r *WBetaResult) Summary(png string) string {
	c := r.Config
	t := c.Training
	s := "## Order parameter W against β (paper Fig. 7a)\n\n"
	s += fmt.Sprintf("Ising ring N = %d, S = %d exact samples per data set (r = %g); β ∈ %v, %d runs each; %s; %d epochs "+
		"(t = %g); master seed %d.\n\n", c.N, c.S, r.R, c.Betas, c.Runs, trainingLabel(t), t.Epochs,
		t.Nu*float64(t.Epochs*((c.S+t.Batch-1)/t.Batch)), c.Seed)
	s += reductionNote([]sizeDiff{{"ν", g(t.Nu), "0.001"}, {"batch", strconv.Itoa(t.Batch), "10"}, {"epochs", strconv.Itoa(t.Epochs), "250"},
		{"runs", strconv.Itoa(c.Runs), "10"}, {"S", strconv.Itoa(c.S), "10000"}, {"sweeps", strconv.Itoa(t.Sweeps), "20"},
		{"the learning time t = ν·epochs·⌈S/B⌉", g(t.Nu * float64(t.Epochs*((c.S+t.Batch-1)/t.Batch))), "250"},
		{"the SGA noise level ν/B", g(t.Nu / float64(t.Batch)), "0.0001"}}, "")
	s += assumptions(
		"±1 hidden unit with zero fields",
		fmt.Sprintf("σ₀ = %.4g = √(0.1/N): it sets W at β below threshold, E|Σw₀| = σ₀√(2N/π) = %.3f", t.Sigma0, r.Initial),
		fmt.Sprintf("n_c = %d chains", t.Chains),
		"exact independent samples instead of heat-bath Monte Carlo",
	)
	s += "**Paper against measured:**\n\n" + paperTable(r.Rows) + "\n" + r.Table() + "\n"
	s += fmt.Sprintf("![W against beta](%s)\n\n", png)
	s += fmt.Sprintf("Thresholds at r = %g: edge matching β_c = ln(1 + √r) = %.4f (eq 27), BBP β_c = ½ ln(1 + √r) = %.4f.\n\n", r.R, r.BetaEdge, r.BetaBBP)
	s += "**Verdict:** " + r.verdict() + "\n"
	return s
}

func (r *WBetaResult) verdict() string {
	s := "W increases with β"
	if !r.monotone(2) {
		s = "W does not increase monotonically with β (a fall larger than 2 sd)"
	}
	var below, above []WBetaPoint
	for _, p := range r.Points {
		if p.Beta < r.BetaEdge {
			below = append(below, p)
		} else {
			above = append(above, p)
		}
	}
	if len(below) > 0 {
		var ws []float64
		for _, p := range below {
			ws = append(ws, p.W)
		}
		m, _, _ := meanSDOf(ws)
		s += fmt.Sprintf("; below the edge-matching β_c = %.3f it stays at %.2f on average, %.2g× the initial weights' %.3f", r.BetaEdge, m, m/r.Initial, r.Initial)
	}
	if len(above) > 0 {
		p := above[0]
		s += fmt.Sprintf("; above it, at β = %g, W = %.2f is %.2g× the small-β prediction %.2f", p.Beta, p.W, p.W/p.Small, p.Small)
	}
	agree, tested := 0, 0
	for _, row := range r.Rows {
		switch {
		case row.Verdict == "agrees":
			agree++
			tested++
		case strings.HasPrefix(row.Verdict, "differs"):
			tested++
		}
	}
	return s + fmt.Sprintf(". %d of %d comparisons with the paper's readings agree within the stated tolerance.", agree, tested)
}

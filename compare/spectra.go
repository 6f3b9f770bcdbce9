package compare

import (
	"context"
	"encoding/csv"
	"encoding/json"
	"fmt"
	"io"
	"math"
	"slices"
	"strconv"
	"strings"

	"gonum.org/v1/gonum/stat"

	"placecell/internal/rng"
	"placecell/internal/version"
	"placecell/ring"
	"placecell/spectral"
)

// SpectraConfig sets up the spectral experiments of the paper's Figs. 12
// (Ising ring) and 13 (XY ring): for each ratio r = N/S, Runs independent
// data sets of S = N/r exact samples are drawn, the empirical correlation
// matrix is formed in the model's normalisation (eq 24 for ±1 spins, the
// one-hot Pearson matrix for XY data), and its top two eigenpairs are
// compared with the exact spectrum: eigenvalues against Λ and the noise
// edges, eigenvectors by their squared projection on the exact top
// eigenspace and on the low band |k| ≤ Band. Large S is streamed: the
// exact co-occurrence counts are accumulated batch by batch, so memory
// does not grow with S.
type SpectraConfig struct {
	// N, Beta and P define the model (P for XY only). Defaults
	// (DefaultIsingSpectraConfig, DefaultXYSpectraConfig): N = 100; Ising
	// β = 0.5 (Fig. 12b), XY β = 1.5, P = 10 (Fig. 13). A zero Beta is
	// kept: β = 0 is the uncorrelated ring.
	N    int     `json:"n"`
	Beta float64 `json:"beta"`
	P    int     `json:"p,omitempty"`
	// Ratios are the values of r = N/S; S is rounded to an integer and
	// the actual r reported. Defaults: Ising 10⁻³ … 5, XY 10⁻⁴ … 1.
	Ratios []float64 `json:"ratios"`
	// Runs is the number of independent data sets per ratio (default 10
	// for Ising, 6 for XY).
	Runs int    `json:"runs"`
	Seed uint64 `json:"seed"`
	// Band is K of the low band |k| ≤ K (default 3).
	Band int `json:"band"`

	Workers  int                   `json:"-"`
	Progress func(done, total int) `json:"-"`
	Store    Store                 `json:"-"`
}

// DefaultIsingRatios and DefaultXYRatios are the default values of r of
// the Ising and XY spectral experiments.
var (
	DefaultIsingRatios = []float64{0.001, 0.002, 0.005, 0.01, 0.02, 0.05, 0.1, 0.2, 0.5, 1, 2, 5}
	DefaultXYRatios    = []float64{1e-4, 3e-4, 1e-3, 3e-3, 0.01, 0.03, 0.1, 0.3, 1}
)

// spectraBatch is the number of configurations drawn and counted at once.
const spectraBatch = 1 << 16

// SpectraRun is the outcome of one data set.
type SpectraRun struct {
	R        float64 `json:"r"`
	S        int     `json:"s"`
	Run      int     `json:"run"`
	DataSeed uint64  `json:"data_seed"`
	// Top holds the two largest eigenvalues of Ĉ.
	Top []float64 `json:"top"`
	// TopSpace holds, for the top two eigenvectors, the squared
	// projection on the exact top eigenspace (Ising: the uniform mode,
	// XY: the cos/sin pair (k, p) = (0, ±1)).
	TopSpace []float64 `json:"top_space"`
	// Band holds the squared projections on the low band |k| ≤ K (XY:
	// with p = ±1).
	Band []float64 `json:"band"`
}

// SpectraPoint summarises the runs at one ratio: means and standard
// deviations over runs, for the top eigenvector unless named otherwise.
type SpectraPoint struct {
	R     float64 `json:"r"`
	S     int     `json:"s"`
	Runs  int     `json:"runs"`
	Top   float64 `json:"top"`
	TopSD float64 `json:"top_sd"`
	// Second is the mean second eigenvalue.
	Second float64 `json:"second"`
	// Overlap is the mean squared projection of the top eigenvector on
	// the exact top eigenspace, OverlapNorm the mean of its square root
	// (the norm the paper's Fig. 13e plots) with its sd.
	Overlap       float64 `json:"overlap"`
	OverlapNorm   float64 `json:"overlap_norm"`
	OverlapNormSD float64 `json:"overlap_norm_sd"`
	// Overlap2 is the same for the second eigenvector (the other member
	// of a degenerate pair).
	Overlap2 float64 `json:"overlap2"`
	// BandWeight is the weight of the top eigenvector on the low band.
	BandWeight   float64 `json:"band_weight"`
	BandWeightSD float64 `json:"band_weight_sd"`
	// Theory at this r: the generalized Marchenko–Pastur edge x₊ with the
	// exact spectrum and the predicted weights of the top eigenvector on
	// the top eigenspace and the band (spectral.PredictCrossover).
	Edge          float64 `json:"edge"`
	PredOverlap   float64 `json:"pred_overlap"`
	PredBand      float64 `json:"pred_band"`
	BBPOverlap    float64 `json:"bbp_overlap"`
	SpikeOverlap  float64 `json:"spike_overlap"`
	NoiseEdge     float64 `json:"noise_edge"`
	NullNoiseEdge float64 `json:"null_noise_edge"`
}

// SpectraResult is the outcome of a spectral experiment.
type SpectraResult struct {
	Program string `json:"program"`
	Version string `json:"version"`
	// Build identifies the binary (version.Build): the VCS revision and
	// whether the tree was modified.
	Build  string        `json:"build"`
	Figure int           `json:"figure"`
	Model  string        `json:"model"`
	Config SpectraConfig `json:"config"`
	// Estimator names the empirical correlation matrix.
	Estimator string `json:"estimator"`
	// Lambda is the paper's top eigenvalue: e^(2β) (eq 26) or Λ_XY
	// (eq 30); Bulk and DimRatio the independent-site null.
	Lambda     float64              `json:"lambda"`
	Bulk       float64              `json:"bulk"`
	DimRatio   float64              `json:"dim_ratio"`
	TopModes   []spectral.Mode      `json:"top_modes"`
	Thresholds []spectral.Threshold `json:"thresholds"`
	Points     []SpectraPoint       `json:"points"`
	Runs       []SpectraRun         `json:"runs"`

	model ring.Model
	sp    *spectral.Spectrum
}

// DefaultIsingSpectraConfig returns the quick defaults of the Ising
// experiment (Fig. 12b): N = 100, β = 0.5, the ratios DefaultIsingRatios,
// 10 data sets per ratio, band |k| ≤ 3.
func DefaultIsingSpectraConfig() SpectraConfig {
	return SpectraConfig{N: 100, Beta: 0.5, Ratios: slices.Clone(DefaultIsingRatios), Runs: 10, Band: 3}
}

// DefaultXYSpectraConfig returns the quick defaults of the XY experiment
// (Fig. 13): N = 100, P = 10, β = 1.5, the ratios DefaultXYRatios, 6 data
// sets per ratio, band |k| ≤ 3.
func DefaultXYSpectraConfig() SpectraConfig {
	return SpectraConfig{N: 100, Beta: 1.5, P: 10, Ratios: slices.Clone(DefaultXYRatios), Runs: 6, Band: 3}
}

// IsingSpectra runs the experiment of the paper's Fig. 12 on the Ising
// ring. Zero fields of cfg take the values of DefaultIsingSpectraConfig,
// except Beta, for which zero is a valid value (the uncorrelated ring). An
// invalid configuration gives a *ConfigError before anything runs.
func IsingSpectra(ctx context.Context, cfg SpectraConfig) (*SpectraResult, error) {
	cfg.setDefaults(DefaultIsingSpectraConfig())
	cfg.P = 0
	return runSpectra(ctx, cfg, ring.Ising{N: cfg.N, Beta: cfg.Beta}, 12)
}

// XYSpectra runs the experiment of the paper's Fig. 13 on the XY ring.
// Zero fields of cfg take the values of DefaultXYSpectraConfig, except
// Beta, for which zero is a valid value (independent uniform angles). An
// invalid configuration gives a *ConfigError before anything runs.
func XYSpectra(ctx context.Context, cfg SpectraConfig) (*SpectraResult, error) {
	cfg.setDefaults(DefaultXYSpectraConfig())
	return runSpectra(ctx, cfg, ring.XY{N: cfg.N, P: cfg.P, Beta: cfg.Beta}, 13)
}

// setDefaults fills the zero fields of c, except Beta, from def.
func (c *SpectraConfig) setDefaults(def SpectraConfig) {
	if c.N == 0 {
		c.N = def.N
	}
	if c.P == 0 {
		c.P = def.P
	}
	if len(c.Ratios) == 0 {
		c.Ratios = slices.Clone(def.Ratios)
	}
	if c.Runs == 0 {
		c.Runs = def.Runs
	}
	if c.Band == 0 {
		c.Band = def.Band
	}
}

// validate checks the configuration of model m.
func (c *SpectraConfig) validate(m ring.Model) error {
	if err := m.Validate(); err != nil {
		return &ConfigError{strings.TrimPrefix(err.Error(), "ring: ")}
	}
	if c.Runs < 1 {
		return configErrorf("runs = %d must be at least 1", c.Runs)
	}
	seen := map[int]float64{}
	for _, r := range c.Ratios {
		if !(r > 0) || math.IsInf(r, 0) {
			return configErrorf("ratio r = %v must be positive and finite", r)
		}
		s := math.Round(float64(c.N) / r)
		if s < 2 || s > 1e8 {
			return configErrorf("ratio r = %v gives S = %v samples (want 2 ≤ S ≤ 10⁸)", r, s)
		}
		if prev, ok := seen[int(s)]; ok {
			return configErrorf("ratios %v and %v both give S = %d samples; give ratios that differ more", prev, r, int(s))
		}
		seen[int(s)] = r
	}
	if c.Band < 0 || 2*c.Band >= c.N {
		return configErrorf("band K = %d must be in [0, N/2)", c.Band)
	}
	return nil
}

func runSpectra(ctx context.Context, cfg SpectraConfig, m ring.Model, fig int) (*SpectraResult, error) {
	if err := cfg.validate(m); err != nil {
		return nil, err
	}

	res := &SpectraResult{Program: "placecell", Version: version.String(), Build: version.Build(), Figure: fig, Model: ring.Label(m),
		Config: cfg, Estimator: spectral.DefaultEstimator(m).String(), model: m}
	res.theory()

	type job struct{ ratio, run int }
	var jobs []job
	for i := range cfg.Ratios {
		for k := range cfg.Runs {
			jobs = append(jobs, job{i, k})
		}
	}
	runs := make([]SpectraRun, len(jobs))
	name := m.Name() + "-spectra"
	err := runJobs(ctx, len(jobs), cfg.Workers, func(ctx context.Context, j int) error {
		s := int(math.Round(float64(cfg.N) / cfg.Ratios[jobs[j].ratio]))
		seed := rng.New(cfg.Seed, name+"/S="+strconv.Itoa(s), uint64(jobs[j].run)).Uint64()
		run, err := res.measure(ctx, name, s, jobs[j].run, seed)
		if err != nil {
			return err
		}
		runs[j] = run
		return nil
	}, cfg.Progress)
	if err != nil {
		return nil, err
	}
	res.Runs = runs
	for i := range cfg.Ratios {
		res.Points = append(res.Points, res.summarise(runs[i*cfg.Runs:(i+1)*cfg.Runs]))
	}
	return res, nil
}

// theory fills the exact spectrum, Λ, the null and the thresholds.
func (r *SpectraResult) theory() {
	m := r.model
	r.sp = spectral.ModelSpectrum(m)
	r.TopModes = r.sp.Top().Modes
	bulk, dr, _ := spectral.NullBulk(m)
	r.Bulk, r.DimRatio = bulk, float64(dr)
	r.Thresholds = nil
	for _, rule := range spectral.Rules {
		if _, ok := m.(ring.Ising); ok && rule == spectral.EdgeMatchingPottsNull {
			continue // the same as EdgeMatching for ±1 data
		}
		th, _ := spectral.ModelThreshold(m, rule)
		r.Thresholds = append(r.Thresholds, th)
		r.Lambda = r.Thresholds[0].Lambda
	}
	if _, ok := m.(ring.Ising); ok {
		th := spectral.SeparationThreshold(r.sp, r.sp.Band(r.Config.Band))
		th.Model = ring.Label(m)
		r.Thresholds = append(r.Thresholds, th)
	}
}

// restore rebuilds the unexported fields after decoding from JSON.
func (r *SpectraResult) restore() error {
	var m ring.Model
	switch r.Figure {
	case 12:
		m = ring.Ising{N: r.Config.N, Beta: r.Config.Beta}
	case 13:
		m = ring.XY{N: r.Config.N, P: r.Config.P, Beta: r.Config.Beta}
	default:
		return fmt.Errorf("compare: unknown spectral figure %d", r.Figure)
	}
	r.model = m
	r.sp = spectral.ModelSpectrum(m)
	return nil
}

// bandModes returns the low band of the top eigenspace's feature
// wavenumbers.
func (r *SpectraResult) bandModes() []spectral.Mode {
	var js []int
	for _, md := range r.TopModes {
		js = append(js, md.J)
	}
	return r.sp.Band(r.Config.Band, js...)
}

// measure draws one data set in batches, accumulates its exact counts and
// measures the top two eigenpairs of its correlation matrix.
func (r *SpectraResult) measure(ctx context.Context, name string, s, run int, seed uint64) (SpectraRun, error) {
	m := r.model
	key := runKey(name, struct {
		Build string
		Model string
		S     int
		Seed  uint64
		Band  int
	}{version.Build(), ring.Label(m), s, seed, r.Config.Band})
	var out SpectraRun
	st := r.Config.Store
	if st != nil {
		if ok, err := st.Load(key, &out); err != nil {
			return out, err
		} else if ok {
			return out, nil
		}
	}

	// Batch b of the data set reads the stream (seed, "batch", b).
	mo := spectral.NewMoments(m.Sites(), m.States())
	smp := m.NewSampler()
	for b, from := 0, 0; from < s; b, from = b+1, from+spectraBatch {
		if ctx.Err() != nil {
			return out, ctx.Err()
		}
		size := min(spectraBatch, s-from)
		d := ring.GenerateData(smp, m.NewData(size), rngBatch(seed, b))
		mo.Add(d)
	}
	c := mo.Correlation(m.Encoding(), spectral.DefaultEstimator(m))
	e, err := spectral.TopEigen(c, 2)
	if err != nil {
		return out, fmt.Errorf("compare: S = %d run %d: %w", s, run, err)
	}
	out = SpectraRun{R: float64(m.Sites()) / float64(s), S: s, Run: run, DataSeed: seed,
		Top:      e.Values,
		TopSpace: spectral.Overlaps(e, r.sp, r.TopModes),
		Band:     spectral.Overlaps(e, r.sp, r.bandModes()),
	}
	if st != nil {
		if err := st.Save(key, out); err != nil {
			return out, err
		}
	}
	return out, nil
}

// rngBatch returns the data seed of batch b of a data set of seed seed.
func rngBatch(seed uint64, b int) uint64 { return rng.New(seed, "batch", uint64(b)).Uint64() }

func (r *SpectraResult) summarise(runs []SpectraRun) SpectraPoint {
	get := func(f func(SpectraRun) float64) []float64 {
		v := make([]float64, len(runs))
		for i, x := range runs {
			v[i] = f(x)
		}
		return v
	}
	p := SpectraPoint{R: runs[0].R, S: runs[0].S, Runs: len(runs)}
	p.Top, p.TopSD = meanSD(get(func(x SpectraRun) float64 { return x.Top[0] }))
	p.Second = stat.Mean(get(func(x SpectraRun) float64 { return x.Top[1] }), nil)
	p.Overlap = stat.Mean(get(func(x SpectraRun) float64 { return x.TopSpace[0] }), nil)
	p.OverlapNorm, p.OverlapNormSD = meanSD(get(func(x SpectraRun) float64 { return math.Sqrt(x.TopSpace[0]) }))
	p.Overlap2 = stat.Mean(get(func(x SpectraRun) float64 { return x.TopSpace[1] }), nil)
	p.BandWeight, p.BandWeightSD = meanSD(get(func(x SpectraRun) float64 { return x.Band[0] }))
	th := r.theoryAt(p.R)
	p.Edge, p.PredOverlap, p.PredBand = th.edge, th.predTop, th.predBand
	p.BBPOverlap, p.SpikeOverlap = th.bbp, th.spike
	p.NoiseEdge, p.NullNoiseEdge = th.noise, th.nullNoise
	return p
}

// spectraTheory holds the predictions at one ratio.
type spectraTheory struct {
	edge, predTop, predBand float64 // x₊ and the edge weights
	bbp, spike              float64 // squared overlaps: flat-bulk BBP, finite-N spike
	bbpX                    float64 // BBP location of Λ on the flat bulk
	noise, nullNoise        float64 // the paper's noise edge, the null's edge
}

// theoryAt returns the predictions at ratio x.
func (r *SpectraResult) theoryAt(x float64) spectraTheory {
	n := float64(r.Config.N)
	s := n / x
	cr := spectral.PredictCrossover(r.sp, s, r.TopModes, r.bandModes())
	mp := spectral.MarchenkoPastur{Gamma: x * r.DimRatio, Sigma2: r.Bulk}
	bx, bov, _ := mp.Spike(r.Lambda/r.Bulk - 1)
	_, spk, _ := spectral.SpikeOverlap(r.sp, r.TopModes, s)
	_, hi := mp.Edges()
	th := spectraTheory{edge: cr.Edge, predTop: cr.Weights[0], predBand: cr.Weights[1],
		bbp: bov, spike: spk, bbpX: bx, noise: hi, nullNoise: hi}
	if r.Figure == 13 {
		th.noise = spectral.XYNoiseEdge(r.Config.P, x, spectral.EdgeMatching)
	}
	return th
}

// UnmarshalJSON decodes a result and rebuilds its exact spectrum.
func (r *SpectraResult) UnmarshalJSON(b []byte) error {
	type plain SpectraResult
	if err := json.Unmarshal(b, (*plain)(r)); err != nil {
		return err
	}
	return r.restore()
}

// Header returns the provenance lines written at the top of every output.
func (r *SpectraResult) Header() []string {
	cfg, _ := json.Marshal(r.Config)
	return []string{
		fmt.Sprintf("%s %s (build %s), experiment %s (paper Fig. %d), model %s, estimator %s", r.Program, r.Version, r.Build,
			r.experimentName(), r.Figure, r.Model, r.Estimator),
		"config " + string(cfg),
	}
}

func (r *SpectraResult) experimentName() string {
	if r.Figure == 12 {
		return "ising-spectrum"
	}
	return "xy-spectrum"
}

// WriteCSV writes one row per ratio, preceded by '#' provenance lines.
func (r *SpectraResult) WriteCSV(w io.Writer) error {
	for _, h := range r.Header() {
		if _, err := fmt.Fprintf(w, "# %s\n", h); err != nil {
			return err
		}
	}
	cw := csv.NewWriter(w)
	cw.Write([]string{"r", "S", "runs", "top_mean", "top_sd", "second_mean", "x_plus", "noise_edge", "null_noise_edge",
		"lambda", "top_space_overlap2_mean", "top_space_norm_mean", "top_space_norm_sd", "second_top_space_overlap2_mean",
		"band_weight_mean", "band_weight_sd", "pred_top_space_overlap2", "pred_band_weight", "bbp_overlap2", "spike_overlap2"})
	for _, p := range r.Points {
		cw.Write([]string{g(p.R), strconv.Itoa(p.S), strconv.Itoa(p.Runs), g(p.Top), g(p.TopSD), g(p.Second), g(p.Edge),
			g(p.NoiseEdge), g(p.NullNoiseEdge), g(r.Lambda), g(p.Overlap), g(p.OverlapNorm), g(p.OverlapNormSD), g(p.Overlap2),
			g(p.BandWeight), g(p.BandWeightSD), g(p.PredOverlap), g(p.PredBand), g(p.BBPOverlap), g(p.SpikeOverlap)})
	}
	cw.Flush()
	return cw.Error()
}

// Table returns the result as a Markdown table.
func (r *SpectraResult) Table() string {
	top := "uniform mode (k = 0)"
	if r.Figure == 13 {
		top = "top space (0, ±1)"
	}
	s := fmt.Sprintf("| r = N/S | S | top eig. of Ĉ (mean ± sd) | x₊ | noise edge | ‖proj.‖ on %s (mean ± sd) | predicted | BBP | band weight | predicted |\n", top)
	s += "|---|---|---|---|---|---|---|---|---|---|\n"
	for _, p := range r.Points {
		s += fmt.Sprintf("| %.3g | %d | %.4f ± %.4f | %.4f | %.4f | %.3f ± %.3f | %.3f | %.3f | %.3f ± %.3f | %.3f |\n",
			p.R, p.S, p.Top, p.TopSD, p.Edge, p.NoiseEdge, p.OverlapNorm, p.OverlapNormSD, math.Sqrt(p.PredOverlap),
			math.Sqrt(p.BBPOverlap), p.BandWeight, p.BandWeightSD, p.PredBand)
	}
	return s
}

// Summary returns a Markdown section describing the experiment, its table
// and its verdict, referring to the figure file png.
func (r *SpectraResult) Summary(png string) string {
	c := r.Config
	var s string
	if r.Figure == 12 {
		s = "## Ising spectra (paper Fig. 12)\n\n"
		s += fmt.Sprintf("Ising ring N = %d, β = %g, exact samples; uncentred Ĉ = (1/S) Σ v vᵀ (eq 24); top two eigenpairs by block "+
			"Lanczos; %d data sets per ratio, master seed %d. Low band |k| ≤ %d.\n\n", c.N, c.Beta, c.Runs, c.Seed, c.Band)
	} else {
		s = "## XY spectra (paper Fig. 13)\n\n"
		s += fmt.Sprintf("XY ring N = %d, P = %d, β = %g, exact samples; one-hot Pearson Ĉ (%s); top two eigenpairs by block "+
			"Lanczos; %d data sets per ratio, master seed %d; counts streamed in batches of %d configurations.\n\n",
			c.N, c.P, c.Beta, r.Estimator, c.Runs, c.Seed, spectraBatch)
	}
	s += r.Table() + "\n"
	s += fmt.Sprintf("![spectra](%s)\n\n", png)
	s += fmt.Sprintf("Paper's top eigenvalue Λ = %.6g; thresholds: ", r.Lambda)
	for i, t := range r.Thresholds {
		if i > 0 {
			s += "; "
		}
		s += fmt.Sprintf("%s r_c = %.4g", t.Rule, t.R)
		if t.Group != nil {
			s += fmt.Sprintf(" (group of %d modes)", len(t.Group))
		}
	}
	s += ".\n\n"

	// Verdict: where the measured top eigenvalue sits relative to x₊, and
	// how the eigenvector overlap compares with the predictions.
	lo, hi := math.Inf(1), math.Inf(-1)
	above := 0
	for _, p := range r.Points {
		d := 1 - p.Top/p.Edge
		lo, hi = math.Min(lo, d), math.Max(hi, d)
		if p.Top > p.NoiseEdge && p.Top > r.Lambda {
			above++
		}
	}
	s += fmt.Sprintf("**Measured:** the mean top eigenvalue lies %.1f%% to %.1f%% below the generalized Marchenko–Pastur edge x₊ "+
		"(exact spectrum as H; THEORY.md §3.11 expects finite-N values a few per cent below it, more at small S), and above "+
		"both the paper's noise edge and Λ at %d of %d ratios. ", 100*lo, 100*hi, above, len(r.Points))
	if r.Figure == 12 {
		// Band weight against its edge prediction, in standard errors.
		var worst, worstZ float64
		for _, p := range r.Points {
			d := p.BandWeight - p.PredBand
			if math.Abs(d) > math.Abs(worst) {
				worst = d
			}
			if se := p.BandWeightSD / math.Sqrt(float64(p.Runs)); se > 0 {
				worstZ = math.Max(worstZ, math.Abs(d)/se)
			}
		}
		s += fmt.Sprintf("The weight of the top eigenvector on the band |k| ≤ %d grows smoothly as r falls and follows the edge "+
			"prediction (largest deviation %.3f, at most %.1f standard errors of the mean); its overlap with the uniform mode "+
			"stays small until S approaches S_sep({0}), and the edge prediction over-estimates it at finite N. There is no "+
			"sharp transition at any rule's r_c.\n", c.Band, worst, worstZ)
		return s
	}
	s += "Norm of the projection of the top eigenvector on the exact top eigenspace, against the paper's Fig. 13e " +
		"readings (THEORY.md §6.4, E13):"
	for _, ref := range []struct{ r, paper float64 }{{1e-3, 0.93}, {1e-2, 0.65}, {0.1, 0.4}, {1, 0.17}} {
		for _, p := range r.Points {
			if p.R/ref.r < 1.5 && ref.r/p.R < 1.5 {
				s += fmt.Sprintf(" r = %.3g: %.2f ± %.2f (paper ≈ %.2f, flat-bulk BBP %.2f, edge prediction %.2f);",
					p.R, p.OverlapNorm, p.OverlapNormSD, ref.paper, math.Sqrt(p.BBPOverlap), math.Sqrt(p.PredOverlap))
				break
			}
		}
	}
	s += " the flat-bulk BBP curve over-estimates the overlap once r ≳ 10⁻³ because the p = ±1 band of the exact " +
		"spectrum is continuous in k (§3.11); the finite-N generalized spike applies above S_sep.\n"
	return s
}

package compare

import (
	"context"
	"encoding/csv"
	"encoding/json"
	"fmt"
	"image/color"
	"io"
	"math"
	"slices"
	"strconv"
	"strings"

	"gonum.org/v1/gonum/stat/distuv"
	"gonum.org/v1/plot"
	"gonum.org/v1/plot/plotter"
	"gonum.org/v1/plot/vg"
	"gonum.org/v1/plot/vg/draw"

	"placecell/dynamics"
	"placecell/internal/rng"
	"placecell/internal/version"
	"placecell/meanfield"
	"placecell/ring"
)

// RFShapeConfig sets up the receptive-field shape experiment (the paper's
// Fig. 14 against Fig. 3a; THEORY.md §5.2, §6.6 T3): RBMs with one ±1
// hidden unit are trained at several small β on many exact samples, their
// weights are rescaled by √β and drawn over the stationary solution of the
// small-β lattice equation (eq 37) on the same ring. For N ≤ 20 the
// stationary state of the exact population flow at each β (the S → ∞
// limit of the same training, dynamics.SpinFlowPopulation) is computed
// too: the RBMs must agree with it up to finite-S noise, and it must tend
// to the lattice bump with deviations O(β).
type RFShapeConfig struct {
	// N is the ring length (default 16, which allows the exact population
	// flow cheaply; the small-β bump is 4 sites wide and its tails fall to
	// 7·10⁻³ of the peak at N/2, on the lattice solution of the same ring).
	N int `json:"n"`
	// Betas are the inverse temperatures (default 0.05, 0.1, 0.2, 0.3).
	Betas []float64 `json:"betas"`
	Runs  int       `json:"runs"` // independent data sets per β (default 2)
	// S is the number of samples at each β: clamp(SScale·N/β², SMin, SMax)
	// (defaults 40, 2·10⁴, 4·10⁵), so that the sampling noise of Ĉ,
	// ~1/√S, stays below the nearest-neighbour signal β: their ratio
	// 1/(β√S) = 1/√(40N) = 4% at N = 16.
	SScale float64 `json:"s_scale"`
	SMin   int     `json:"s_min"`
	SMax   int     `json:"s_max"`
	Seed   uint64  `json:"seed"`
	// Training defaults: exact phase, full batch, τ = 300.
	Training FieldTraining `json:"training"`

	Workers  int                   `json:"-"`
	Progress func(done, total int) `json:"-"`
	Store    Store                 `json:"-"`
}

// DefaultRFShapeBetas are the default β of RFShapeConfig.
var DefaultRFShapeBetas = []float64{0.05, 0.1, 0.2, 0.3}

func (c *RFShapeConfig) setDefaults() {
	if c.N == 0 {
		c.N = 16
	}
	if len(c.Betas) == 0 {
		c.Betas = slices.Clone(DefaultRFShapeBetas)
	}
	if c.Runs == 0 {
		c.Runs = 2
	}
	if c.SScale == 0 {
		c.SScale = 40
	}
	if c.SMin == 0 {
		c.SMin = 20000
	}
	if c.SMax == 0 {
		c.SMax = 400000
	}
	c.Training.setDefaults()
}

func (c *RFShapeConfig) validate() error {
	if err := validateFieldModels(c.N, c.Betas); err != nil {
		return err
	}
	if c.Runs < 1 || c.SMin < 1 || c.SMax < c.SMin || !(c.SScale > 0) || math.IsInf(c.SScale, 0) {
		return configErrorf("runs = %d, s_min = %d, s_max = %d, s_scale = %v out of range (want runs, s_min ≥ 1, s_max ≥ s_min, 0 < s_scale < ∞)", c.Runs, c.SMin, c.SMax, c.SScale)
	}
	if err := c.Training.validate(); err != nil {
		return err
	}
	for _, b := range c.Betas {
		if err := c.Training.check(ring.Ising{N: c.N, Beta: b}, c.samples(b)); err != nil {
			return err
		}
	}
	return nil
}

// samples returns S at β.
func (c *RFShapeConfig) samples(beta float64) int {
	s := c.SScale * float64(c.N) / (beta * beta)
	return int(math.Min(float64(c.SMax), math.Max(float64(c.SMin), math.Ceil(s))))
}

// RFShapePoint summarises the runs at one β in rescaled units
// ŵ = w/√β (Var₀ = 1 for ±1 hidden units).
type RFShapePoint struct {
	Beta float64 `json:"beta"`
	S    int     `json:"s"`
	Runs int     `json:"runs"`
	// Means over runs and their standard errors.
	Peak    float64  `json:"peak_hat"` // max ŵ
	PeakSE  float64  `json:"peak_hat_se"`
	SumSq   float64  `json:"sum_sq_hat"`
	SumSqSE float64  `json:"sum_sq_hat_se"`
	Sum     float64  `json:"sum_hat"`
	SumSE   float64  `json:"sum_hat_se"`
	FWHM    OptFloat `json:"fwhm"`
	FWHMSE  OptFloat `json:"fwhm_se"`
	PR      OptFloat `json:"pr"`
	// Profile is the mean over runs of the centred rescaled field,
	// Profile[k] at offset k − N/2 from the peak.
	Profile  []float64 `json:"profile"`
	MaxDrift OptFloat  `json:"max_drift"`
	// Population is the stationary state of the exact population flow at
	// this β (nil for N > 20), in the same rescaled units.
	Population *PopulationField `json:"population,omitempty"`
	// Diverged counts the runs that diverged (FieldRun.Diverged); a point
	// with any is left out of the extrapolation and the bias test.
	Diverged int `json:"diverged"`
	// PeakFitSE and SumSqFitSE are PeakSE and SumSqSE floored by the pooled
	// relative scatter of the runs over the non-diverged points (NaN with
	// one run per point).
	PeakFitSE  OptFloat `json:"peak_hat_fit_se"`
	SumSqFitSE OptFloat `json:"sum_sq_hat_fit_se"`
	// PeakZ and SumSqZ are (RBM − population)/fit se (NaN without a
	// population field or an SE).
	PeakZ  OptFloat `json:"peak_hat_z"`
	SumSqZ OptFloat `json:"sum_sq_hat_z"`
}

// RFShapeBias compares the RBMs with the exact population flow over the
// non-diverged points: Chi2 = Σz² over Points values with Points degrees
// of freedom (the population values are exact), P = P(χ² ≥ Chi2), and the
// mean relative difference (RBM − population)/population.
type RFShapeBias struct {
	Points  int      `json:"points"`
	Chi2    OptFloat `json:"chi2"`
	P       OptFloat `json:"p"`
	MeanRel OptFloat `json:"mean_rel"`
	// Above counts the points with RBM > population.
	Above int `json:"above"`
}

// PopulationField is the stationary receptive field of the exact
// population flow (THEORY.md §4.6) at one β, rescaled by √β.
type PopulationField struct {
	Peak     float64   `json:"peak_hat"`
	SumSq    float64   `json:"sum_sq_hat"`
	Sum      float64   `json:"sum_hat"`
	FWHM     OptFloat  `json:"fwhm"`
	Residual float64   `json:"residual"` // ‖dw/dt‖∞ at the end
	Profile  []float64 `json:"profile"`
}

// RFShapeTheory is the small-β prediction on the same ring.
type RFShapeTheory struct {
	Lattice   meanfield.UnitShape `json:"lattice"`
	Profile   []float64           `json:"profile"` // centred lattice ŵ
	Continuum meanfield.Profile   `json:"continuum"`
	// ExtrapolatedPeak and ExtrapolatedSumSq are the β → 0 intercepts of
	// least-squares lines through the measured points with β ≤ 0.25.
	ExtrapolatedPeak  OptFloat `json:"extrapolated_peak"`
	ExtrapolatedSumSq OptFloat `json:"extrapolated_sum_sq"`
	// Their standard errors, from the fit weights 1/se² (NaN with one run
	// per point: the lines are then unweighted).
	ExtrapolatedPeakSE  OptFloat `json:"extrapolated_peak_se"`
	ExtrapolatedSumSqSE OptFloat `json:"extrapolated_sum_sq_se"`
	// ExtrapolationPoints is the number of points in those fits.
	ExtrapolationPoints int `json:"extrapolation_points"`
	// PeakBias and SumSqBias compare the RBMs with the population flow.
	PeakBias  RFShapeBias `json:"peak_bias"`
	SumSqBias RFShapeBias `json:"sum_sq_bias"`
}

// RFShapeResult is the outcome of the experiment.
type RFShapeResult struct {
	Program string         `json:"program"`
	Version string         `json:"version"`
	Build   string         `json:"build"`
	Config  RFShapeConfig  `json:"config"`
	Theory  RFShapeTheory  `json:"theory"`
	Points  []RFShapePoint `json:"points"`
	Runs    []FieldRun     `json:"runs"`
}

// RFShape runs the experiment.
func RFShape(ctx context.Context, cfg RFShapeConfig) (*RFShapeResult, error) {
	cfg.setDefaults()
	if err := cfg.validate(); err != nil {
		return nil, err
	}
	nb := len(cfg.Betas)
	runs := make([]FieldRun, nb*cfg.Runs)
	pop := make([]*PopulationField, nb)
	jobs := len(runs)
	if cfg.N <= dynamics.MaxEnumerationN {
		jobs += nb
	}
	err := runJobs(ctx, jobs, cfg.Workers, func(ctx context.Context, j int) error {
		if j >= len(runs) {
			b := j - len(runs)
			f, err := populationField(ctx, ring.Ising{N: cfg.N, Beta: cfg.Betas[b]}, cfg.Seed)
			pop[b] = f
			return err
		}
		b, r := j/cfg.Runs, j%cfg.Runs
		seeds := rng.New(cfg.Seed, "rfshape", uint64(j))
		model := ring.Ising{N: cfg.N, Beta: cfg.Betas[b]}
		run, err := storedField(ctx, cfg.Store, "rfshape", model, cfg.samples(model.Beta), &cfg.Training, r, seeds.Uint64(), seeds.Uint64())
		runs[j] = run
		return err
	}, cfg.Progress)
	if err != nil {
		return nil, err
	}

	// Theory: the lattice bump on the same ring from a fixed random start.
	res := &RFShapeResult{Program: "placecell", Version: version.String(), Build: version.Build(), Config: cfg, Runs: runs}
	w0 := meanfield.RandomStart(rng.New(cfg.Seed, "rfshape-theory", 0), cfg.N, 1, 0.01)
	sol, err := meanfield.SolveLattice(ctx, cfg.N, 1, w0, nil)
	if err != nil {
		return nil, err
	}
	res.Theory.Lattice = sol.Units[0]
	_, res.Theory.Profile = centredProfile(sol.W)
	res.Theory.Continuum, _ = meanfield.ContinuumProfiles()

	// Points.
	for b, beta := range cfg.Betas {
		p := rfShapePoint(beta, runs[b*cfg.Runs:(b+1)*cfg.Runs])
		p.Population = pop[b]
		res.Points = append(res.Points, p)
	}
	res.analyse()
	return res, nil
}

// rfShapePoint summarises the runs at one β in rescaled units.
func rfShapePoint(beta float64, rs []FieldRun) RFShapePoint {
	sc := math.Sqrt(beta)
	n := len(rs[0].W)
	get := func(f func(FieldRun) float64) (float64, float64) {
		v := make([]float64, len(rs))
		for i, r := range rs {
			v[i] = f(r)
		}
		m, sd := meanSD(v)
		if len(v) < 2 {
			return m, math.NaN()
		}
		return m, sd / math.Sqrt(float64(len(v)))
	}
	p := RFShapePoint{Beta: beta, S: rs[0].S, Runs: len(rs), Profile: make([]float64, n)}
	p.Peak, p.PeakSE = get(func(r FieldRun) float64 { return r.Peak / sc })
	p.SumSq, p.SumSqSE = get(func(r FieldRun) float64 { return r.SumSq / beta })
	p.Sum, p.SumSE = get(func(r FieldRun) float64 { return r.Sum / sc })
	fw, fwse := get(func(r FieldRun) float64 { return float64(r.FWHM) })
	pr, _ := get(func(r FieldRun) float64 { return float64(r.PR) })
	p.FWHM, p.FWHMSE, p.PR = OptFloat(fw), OptFloat(fwse), OptFloat(pr)
	for _, r := range rs {
		_, y := centredProfile(r.W)
		for k := range y {
			p.Profile[k] += y[k] / sc / float64(len(rs))
		}
		p.MaxDrift = OptFloat(math.Max(float64(p.MaxDrift), float64(r.Drift)))
		if r.Diverged {
			p.Diverged++
		}
	}
	nan := OptFloat(math.NaN())
	p.PeakFitSE, p.SumSqFitSE, p.PeakZ, p.SumSqZ = nan, nan, nan, nan
	return p
}

// pooledRel returns the pooled relative standard deviation of the runs,
// √(Σ(n−1)(sd/m)²/Σ(n−1)), from means m and standard errors se = sd/√n
// (NaN if no point has n ≥ 2).
func pooledRel(m, se []float64, n []int) float64 {
	var v, dof float64
	for i := range m {
		if n[i] >= 2 && m[i] != 0 && !math.IsNaN(se[i]) {
			rel := se[i] * math.Sqrt(float64(n[i])) / m[i]
			v += float64(n[i]-1) * rel * rel
			dof += float64(n[i] - 1)
		}
	}
	if dof == 0 {
		return math.NaN()
	}
	return math.Sqrt(v / dof)
}

// wlsIntercept returns the intercept of the weighted least-squares line
// y = a + bx (weights w) and its standard error √(Σwx²/det), NaN if the
// x are not distinct.
func wlsIntercept(x, y, w []float64) (a, se float64) {
	var s0, sx, sy, sxx, sxy float64
	for i := range x {
		s0, sx, sy, sxx, sxy = s0+w[i], sx+w[i]*x[i], sy+w[i]*y[i], sxx+w[i]*x[i]*x[i], sxy+w[i]*x[i]*y[i]
	}
	det := s0*sxx - sx*sx
	if len(x) < 2 || !(det > 0) {
		return math.NaN(), math.NaN()
	}
	return (sxx*sy - sx*sxy) / det, math.Sqrt(sxx / det)
}

// analyse sets the fit standard errors, the RBM − population differences
// in se, the bias tests and the β → 0 extrapolations (through the
// non-diverged points with β ≤ 0.25).
func (r *RFShapeResult) analyse() {
	var m1, s1, m2, s2 []float64
	var ns []int
	for _, p := range r.Points {
		if p.Diverged == 0 {
			m1, s1, m2, s2, ns = append(m1, p.Peak), append(s1, p.PeakSE), append(m2, p.SumSq), append(s2, p.SumSqSE), append(ns, p.Runs)
		}
	}
	relPeak, relSq := pooledRel(m1, s1, ns), pooledRel(m2, s2, ns)
	floor := func(se, rel, m float64, n int) OptFloat {
		if math.IsNaN(rel) {
			return OptFloat(math.NaN())
		}
		f := rel * math.Abs(m) / math.Sqrt(float64(n))
		if se > f {
			f = se
		}
		return OptFloat(f)
	}
	nan := OptFloat(math.NaN())
	r.Theory.PeakBias = RFShapeBias{Chi2: nan, P: nan, MeanRel: nan}
	r.Theory.SumSqBias = RFShapeBias{Chi2: nan, P: nan, MeanRel: nan}
	var chiP, chiS, relP, relS float64
	var xb, yp, ys, wp, ws []float64
	for i := range r.Points {
		p := &r.Points[i]
		p.PeakFitSE, p.SumSqFitSE, p.PeakZ, p.SumSqZ = nan, nan, nan, nan
		if p.Diverged > 0 {
			continue
		}
		p.PeakFitSE, p.SumSqFitSE = floor(p.PeakSE, relPeak, p.Peak, p.Runs), floor(p.SumSqSE, relSq, p.SumSq, p.Runs)
		if q := p.Population; q != nil && !math.IsNaN(float64(p.PeakFitSE)) {
			p.PeakZ = OptFloat((p.Peak - q.Peak) / float64(p.PeakFitSE))
			p.SumSqZ = OptFloat((p.SumSq - q.SumSq) / float64(p.SumSqFitSE))
			for _, c := range []struct {
				b   *RFShapeBias
				z   float64
				rel float64
				chi *float64
				acc *float64
			}{{&r.Theory.PeakBias, float64(p.PeakZ), (p.Peak - q.Peak) / q.Peak, &chiP, &relP},
				{&r.Theory.SumSqBias, float64(p.SumSqZ), (p.SumSq - q.SumSq) / q.SumSq, &chiS, &relS}} {
				c.b.Points++
				*c.chi += c.z * c.z
				*c.acc += c.rel
				if c.z > 0 {
					c.b.Above++
				}
			}
		}
		if p.Beta <= 0.25 {
			xb, yp, ys = append(xb, p.Beta), append(yp, p.Peak), append(ys, p.SumSq)
			if math.IsNaN(float64(p.PeakFitSE)) {
				wp, ws = append(wp, 1), append(ws, 1)
			} else {
				wp, ws = append(wp, 1/float64(p.PeakFitSE*p.PeakFitSE)), append(ws, 1/float64(p.SumSqFitSE*p.SumSqFitSE))
			}
		}
	}
	for _, c := range []struct {
		b        *RFShapeBias
		chi, acc float64
	}{{&r.Theory.PeakBias, chiP, relP}, {&r.Theory.SumSqBias, chiS, relS}} {
		if c.b.Points > 0 {
			c.b.Chi2 = OptFloat(c.chi)
			c.b.P = OptFloat(distuv.ChiSquared{K: float64(c.b.Points)}.Survival(c.chi))
			c.b.MeanRel = OptFloat(c.acc / float64(c.b.Points))
		}
	}
	r.Theory.ExtrapolationPoints = len(xb)
	ap, sp := wlsIntercept(xb, yp, wp)
	as, ss := wlsIntercept(xb, ys, ws)
	if math.IsNaN(relPeak) {
		sp, ss = math.NaN(), math.NaN()
	}
	r.Theory.ExtrapolatedPeak, r.Theory.ExtrapolatedSumSq = OptFloat(ap), OptFloat(as)
	r.Theory.ExtrapolatedPeakSE, r.Theory.ExtrapolatedSumSqSE = OptFloat(sp), OptFloat(ss)
}

// populationField returns the stationary state of the exact population
// flow of one ±1 hidden unit at model.Beta, integrated from the small-β
// lattice bump scaled by √β (site-centred, so the slow translation mode is
// not excited) until ‖dw/dt‖∞ ≤ 10⁻⁹β^(3/2).
func populationField(ctx context.Context, model ring.Ising, seed uint64) (*PopulationField, error) {
	n := model.N
	w0 := meanfield.RandomStart(rng.New(seed, "rfshape-theory", 0), n, 1, 0.01)
	sol, err := meanfield.SolveLattice(ctx, n, 1, w0, nil)
	if err != nil {
		return nil, err
	}
	sc := math.Sqrt(model.Beta)
	for i := range sol.W {
		sol.W[i] *= sc
	}
	flow := dynamics.NewSpinFlowPopulation(1, model)
	tEnd := 2000 / model.Beta
	res, err := dynamics.Integrate(ctx, flow, sol.W, []float64{0, tEnd},
		&dynamics.ODESettings{RelTol: 1e-9, AbsTol: 1e-12 * sc, StopResidual: 1e-9 * model.Beta * sc})
	if err != nil {
		return nil, fmt.Errorf("compare: population flow at β = %g: %w", model.Beta, err)
	}
	w := dynamics.SignNormalize(nil, res.Y[len(res.Y)-1])
	out := &PopulationField{Peak: maxOf(w) / sc, SumSq: dot(w, w) / model.Beta, Sum: sum(w) / sc,
		FWHM: OptFloat(dynamics.FWHM(w)), Residual: res.Residual}
	_, out.Profile = centredProfile(w)
	for k := range out.Profile {
		out.Profile[k] /= sc
	}
	return out, nil
}

// storedField trains one field, reusing a stored result with identical
// parameters.
func storedField(ctx context.Context, store Store, prefix string, model ring.Ising, s int, tr *FieldTraining, run int, dataSeed, trainSeed uint64) (FieldRun, error) {
	key := runKey(prefix, struct {
		Build               string
		Model               ring.Ising
		S                   int
		Training            FieldTraining
		DataSeed, TrainSeed uint64
	}{version.Build(), model, s, *tr, dataSeed, trainSeed})
	var out FieldRun
	if store != nil {
		if ok, err := store.Load(key, &out); err != nil || ok {
			return out, err
		}
	}
	out, err := trainField(ctx, model, s, tr, run, dataSeed, trainSeed)
	if err != nil {
		return out, err
	}
	if store != nil {
		if err := store.Save(key, out); err != nil {
			return out, err
		}
	}
	return out, nil
}

// Header returns the provenance lines written at the top of every output.
func (r *RFShapeResult) Header() []string {
	cfg, _ := json.Marshal(r.Config)
	return []string{
		fmt.Sprintf("%s %s (build %s), experiment rfshape (paper Fig. 14 vs Fig. 3a; THEORY.md §5.2, §5.4)", r.Program, r.Version, r.Build),
		"config " + string(cfg),
	}
}

// WriteCSV writes one row per β, preceded by '#' provenance lines and the
// theory values.
func (r *RFShapeResult) WriteCSV(w io.Writer) error {
	for _, h := range r.Header() {
		if _, err := fmt.Fprintf(w, "# %s\n", h); err != nil {
			return err
		}
	}
	th := r.Theory.Lattice
	fmt.Fprintf(w, "# theory (lattice eq 37, N = %d): peak %s, sum_sq %s, sum %s, FWHM %s, PR %s\n",
		r.Config.N, g(th.Peak), g(th.SumSq), g(th.Sum), g(th.FWHM), g(th.PR))
	t := r.Theory
	fmt.Fprintf(w, "# RBMs extrapolated to beta -> 0 over %d points with beta <= 0.25: peak %s +- %s, sum_sq %s +- %s\n",
		t.ExtrapolationPoints, g(float64(t.ExtrapolatedPeak)), g(float64(t.ExtrapolatedPeakSE)), g(float64(t.ExtrapolatedSumSq)), g(float64(t.ExtrapolatedSumSqSE)))
	cw := csv.NewWriter(w)
	cw.Write([]string{"beta", "s", "runs", "peak_hat", "peak_hat_se", "sum_sq_hat", "sum_sq_hat_se", "sum_hat", "sum_hat_se",
		"fwhm", "fwhm_se", "pr", "max_drift", "diverged_runs", "pop_peak_hat", "pop_sum_sq_hat", "pop_sum_hat", "pop_fwhm",
		"peak_hat_fit_se", "sum_sq_hat_fit_se", "peak_hat_minus_pop_in_se", "sum_sq_hat_minus_pop_in_se"})
	for _, p := range r.Points {
		q := PopulationField{Peak: math.NaN(), SumSq: math.NaN(), Sum: math.NaN(), FWHM: OptFloat(math.NaN())}
		if p.Population != nil {
			q = *p.Population
		}
		cw.Write([]string{g(p.Beta), strconv.Itoa(p.S), strconv.Itoa(p.Runs), g(p.Peak), g(p.PeakSE), g(p.SumSq), g(p.SumSqSE),
			g(p.Sum), g(p.SumSE), g(float64(p.FWHM)), g(float64(p.FWHMSE)), g(float64(p.PR)), g(float64(p.MaxDrift)),
			strconv.Itoa(p.Diverged), g(q.Peak), g(q.SumSq), g(q.Sum), g(float64(q.FWHM)),
			g(float64(p.PeakFitSE)), g(float64(p.SumSqFitSE)), g(float64(p.PeakZ)), g(float64(p.SumSqZ))})
	}
	cw.Flush()
	return cw.Error()
}

// Table returns the result as a Markdown table, with the theory row last.
func (r *RFShapeResult) Table() string {
	s := "| β | S | peak/√β | Σw²/β | Σw/√β | FWHM (sites) | PR | drift | status |\n|---|---|---|---|---|---|---|---|---|\n"
	for _, p := range r.Points {
		status := "converged"
		if p.Diverged > 0 {
			status = fmt.Sprintf("**diverged** (%d of %d runs; ν beyond the Euler limit), left out", p.Diverged, p.Runs)
		} else if !(float64(p.MaxDrift) <= 0.01) {
			status = "drifting"
		}
		s += fmt.Sprintf("| %g | %d | %s | %s | %s | %s | %.3f | %.1g | %s |\n",
			p.Beta, p.S, pmSE(p.Peak, p.PeakSE, 4), pmSE(p.SumSq, p.SumSqSE, 4), pmSE(p.Sum, p.SumSE, 4),
			pmSE(float64(p.FWHM), float64(p.FWHMSE), 3), float64(p.PR), float64(p.MaxDrift), status)
		if q := p.Population; q != nil {
			s += fmt.Sprintf("| %g, exact population flow | ∞ | %.4f | %.4f | %.4f | %.3f | | | |\n", p.Beta, q.Peak, q.SumSq, q.Sum, float64(q.FWHM))
			if p.Diverged == 0 && !math.IsNaN(float64(p.PeakZ)) {
				s += fmt.Sprintf("| %g, RBM − population (fit se) | | %+.4f (%s se) | %+.4f (%s se) | | | | | |\n", p.Beta,
					p.Peak-q.Peak, signed(float64(p.PeakZ)), p.SumSq-q.SumSq, signed(float64(p.SumSqZ)))
			}
		}
	}
	th := r.Theory.Lattice
	s += fmt.Sprintf("| β → 0, lattice eq 37 | ∞ | %.4f | %.4f | %.4f | %.3f | %.3f | | |\n", th.Peak, th.SumSq, th.Sum, th.FWHM, th.PR)
	t := r.Theory
	if t.ExtrapolationPoints >= 2 {
		s += fmt.Sprintf("| β → 0, RBMs extrapolated (%d points, β ≤ 0.25) | | %s | %s | | | | | |\n", t.ExtrapolationPoints,
			pmSE(float64(t.ExtrapolatedPeak), float64(t.ExtrapolatedPeakSE), 4), pmSE(float64(t.ExtrapolatedSumSq), float64(t.ExtrapolatedSumSqSE), 4))
	} else {
		s += fmt.Sprintf("| β → 0, RBMs extrapolated | | n/a: needs 2 converged points with β ≤ 0.25, have %d | | | | | | |\n", t.ExtrapolationPoints)
	}
	return s
}

// signed formats a z value with its sign, "n/a" if undefined.
func signed(z float64) string {
	if math.IsNaN(z) || math.IsInf(z, 0) {
		return "n/a"
	}
	return fmt.Sprintf("%+.1f", z)
}

// Verdict returns the conclusions drawn from the data: whether the RBMs
// scatter around the exact population flow or are biased, and whether
// their β → 0 extrapolation reaches the lattice bump.
func (r *RFShapeResult) Verdict() []string {
	var v []string
	t := r.Theory
	for _, c := range []struct {
		name string
		b    RFShapeBias
	}{{"peak/√β", t.PeakBias}, {"Σw²/β", t.SumSqBias}} {
		b := c.b
		switch {
		case b.Points == 0:
			v = append(v, fmt.Sprintf("%s: no RBM point with a standard error and a population field to compare (one run per β, N > 20 or diverged runs).", c.name))
		case float64(b.P) >= FitLevel:
			v = append(v, fmt.Sprintf("%s: the RBMs scatter around the exact population flow within their standard errors "+
				"(χ² = %.1f for %d points, p = %.2g; mean relative difference %+.1f%%).", c.name, float64(b.Chi2), b.Points, float64(b.P), 100*float64(b.MeanRel)))
		case b.Above == b.Points || b.Above == 0:
			dir := "above"
			if b.Above == 0 {
				dir = "below"
			}
			v = append(v, fmt.Sprintf("%s: the RBMs are **biased**, %s the exact population flow at all %d β (χ² = %.1f, p = %.2g; mean relative "+
				"difference %+.1f%%), more than their run-to-run scatter allows: a finite-S effect (the sampling noise of Ĉ, ~1/(β√S), "+
				"pushes its top eigenvalue up, THEORY.md §3.4), not noise that averages out over runs.", c.name, dir, b.Points, float64(b.Chi2), float64(b.P), 100*float64(b.MeanRel)))
		default:
			v = append(v, fmt.Sprintf("%s: the RBMs differ from the exact population flow by more than their standard errors, with "+
				"mixed signs (%d of %d above; χ² = %.1f, p = %.2g): the run-to-run scatter is underestimated or the runs are not converged.",
				c.name, b.Above, b.Points, float64(b.Chi2), float64(b.P)))
		}
	}
	th := t.Lattice
	if t.ExtrapolationPoints < 2 {
		v = append(v, "No β → 0 extrapolation: fewer than 2 converged points with β ≤ 0.25.")
	} else {
		for _, c := range []struct {
			name      string
			a, se, th float64
		}{{"peak/√β", float64(t.ExtrapolatedPeak), float64(t.ExtrapolatedPeakSE), th.Peak},
			{"Σw²/β", float64(t.ExtrapolatedSumSq), float64(t.ExtrapolatedSumSqSE), th.SumSq}} {
			if math.IsNaN(c.se) {
				v = append(v, fmt.Sprintf("Extrapolated %s = %.4f against the lattice bump's %.4f (no standard error with one run per β).", c.name, c.a, c.th))
				continue
			}
			z := (c.a - c.th) / c.se
			rel := "agrees with"
			if math.Abs(z) > 2 {
				rel = "does not agree with"
			}
			v = append(v, fmt.Sprintf("Extrapolated %s = %s (%d points) %s the lattice bump's %.4f (%+.1f se).", c.name,
				pmSE(c.a, c.se, 4), t.ExtrapolationPoints, rel, c.th, z))
		}
	}
	for _, p := range r.Points {
		if p.Diverged > 0 {
			v = append(v, fmt.Sprintf("β = %g: %d of %d runs diverged (ν beyond the Euler stability limit); the point is left out.", p.Beta, p.Diverged, p.Runs))
		}
	}
	return v
}

// Plot writes the two-panel figure: the rescaled receptive fields over the
// lattice solution (top, Fig. 14a against Fig. 3a) and the rescaled peak
// and Σw² against β with their β → 0 limits (bottom).
func (r *RFShapeResult) Plot(path string) error {
	c := r.Config
	n := c.N
	half := min(12, n/2)

	// Top panel: profiles.
	pt := plot.New()
	pt.Title.Text = fmt.Sprintf("RBM fields w/√β (N = %d, M = 1) against the small-β lattice bump", n)
	pt.X.Label.Text = "site offset from the peak"
	pt.Y.Label.Text = "rescaled weight ŵ = w/√β"
	pt.X.Min, pt.X.Max = -float64(half)-0.5, float64(half)+0.5
	var all []float64
	for _, p := range r.Points {
		all = append(all, p.Profile...)
	}
	lo, hi := span(0.06, false, all, r.Theory.Profile)
	pt.Y.Min, pt.Y.Max = math.Min(lo, -0.05), hi+0.12*(hi-lo)
	cont := r.Theory.Continuum
	if err := addCurve(pt, cont.At, -float64(half), float64(half), false, colTheory2, []vg.Length{vg.Points(4), vg.Points(3)},
		fmt.Sprintf("continuum sech, b− (peak %.3f)", cont.Peak)); err != nil {
		return err
	}
	if err := addProfile(pt, r.Theory.Profile, half, colTheory, draw.BoxGlyph{}, 1.8,
		fmt.Sprintf("lattice eq 37, N = %d (peak %.4f)", n, r.Theory.Lattice.Peak)); err != nil {
		return err
	}
	for i, p := range r.Points {
		col := colRules[i%len(colRules)]
		if q := p.Population; q != nil {
			if err := addProfile(pt, q.Profile, half, col, nil, 1.1, ""); err != nil {
				return err
			}
		}
		if err := addProfile(pt, p.Profile, half, col, draw.CircleGlyph{}, 0,
			fmt.Sprintf("RBM β = %g, S = %d (peak %.3f)", p.Beta, p.S, p.Peak)); err != nil {
			return err
		}
	}
	if len(r.Points) > 0 && r.Points[0].Population != nil {
		pt.Title.Text += " (thin lines: exact population flow)"
	}
	pt.Legend.Top = true
	pt.Add(plotter.NewGrid())

	// Bottom panel: rescaled peak and Σw² against β.
	pb := plot.New()
	pb.X.Label.Text = "β   (" + fieldLabel(c.Training) + ")"
	pb.Y.Label.Text = "ratio to the β → 0 limit (lattice eq 37)"
	var bs, rp, rpe, rs, rse []float64
	th := r.Theory.Lattice
	for _, p := range r.Points {
		bs = append(bs, p.Beta)
		rp, rpe = append(rp, p.Peak/th.Peak), append(rpe, p.PeakSE/th.Peak)
		rs, rse = append(rs, p.SumSq/th.SumSq), append(rse, p.SumSqSE/th.SumSq)
	}
	pb.X.Min, pb.X.Max = 0, maxOf(bs)*1.05
	var popR []float64
	for _, p := range r.Points {
		if q := p.Population; q != nil {
			popR = append(popR, q.Peak/th.Peak, q.SumSq/th.SumSq)
		}
	}
	ylo, yhi := span(0.1, false, rp, rs, popR, []float64{1})
	yhi += 0.3 * (yhi - ylo) // room for the legend
	pb.Y.Min, pb.Y.Max = ylo, yhi
	if err := addCurve(pb, func(float64) float64 { return 1 }, 0, pb.X.Max, false, colTheory, nil, "small-β limit"); err != nil {
		return err
	}
	pp, _ := finiteXY(bs, rp, rpe, false, false)
	if err := addMeasured(pb, pp, "peak/√β, RBM"); err != nil {
		return err
	}
	ps, _ := finiteXY(bs, rs, rse, false, false)
	if err := addSeries(pb, ps, colRules[1], draw.TriangleGlyph{}, "Σw²/β, RBM"); err != nil {
		return err
	}
	var pbx, pp2, ps2 []float64
	for _, p := range r.Points {
		if q := p.Population; q != nil {
			pbx, pp2, ps2 = append(pbx, p.Beta), append(pp2, q.Peak/th.Peak), append(ps2, q.SumSq/th.SumSq)
		}
	}
	for k, v := range [][]float64{pp2, ps2} {
		if len(pbx) < 2 {
			break
		}
		xy := make(plotter.XYs, len(pbx))
		for i := range pbx {
			xy[i] = plotter.XY{X: pbx[i], Y: v[i]}
		}
		l, err := plotter.NewLine(xy)
		if err != nil {
			return err
		}
		l.LineStyle.Color = []color.Color{colMeasured, colRules[1]}[k]
		l.LineStyle.Dashes = []vg.Length{vg.Points(4), vg.Points(3)}
		pb.Add(l)
		pb.Legend.Add([]string{"peak/√β, exact population flow", "Σw²/β, exact population flow"}[k], l)
	}
	pb.Legend.Top = true
	pb.Legend.Left = true
	pb.Add(plotter.NewGrid())
	return savePNG(path, []*plot.Plot{pt, pb}, 18*vg.Centimeter, 22*vg.Centimeter, r.meta())
}

// addProfile draws a centred profile between offsets −half and half: a
// line of the given width (none if width is 0) and glyphs (none if glyph
// is nil).
func addProfile(p *plot.Plot, y []float64, half int, col color.Color, glyph draw.GlyphDrawer, width float64, label string) error {
	n := len(y)
	xy := make(plotter.XYs, 0, 2*half+1)
	for d := -half; d <= half; d++ {
		if v := y[(n/2+d+n)%n]; !math.IsNaN(v) {
			xy = append(xy, plotter.XY{X: float64(d), Y: v})
		}
	}
	var thumbs []plot.Thumbnailer
	if width > 0 {
		l, err := plotter.NewLine(xy)
		if err != nil {
			return err
		}
		l.LineStyle.Color, l.LineStyle.Width = col, vg.Points(width)
		p.Add(l)
		thumbs = append(thumbs, l)
	}
	if glyph != nil {
		s, err := plotter.NewScatter(xy)
		if err != nil {
			return err
		}
		s.GlyphStyle.Color, s.GlyphStyle.Shape, s.GlyphStyle.Radius = col, glyph, vg.Points(2.4)
		p.Add(s)
		thumbs = append(thumbs, s)
	}
	if label != "" {
		p.Legend.Add(label, thumbs...)
	}
	return nil
}

func (r *RFShapeResult) meta() map[string]string {
	h := r.Header()
	return map[string]string{"Software": r.Program + " " + r.Version, "Description": h[0], "Comment": h[1]}
}

// Summary returns a Markdown section describing the experiment, its table
// and its verdict, referring to the figure file png.
func (r *RFShapeResult) Summary(png string) string {
	c := r.Config
	s := "## Receptive-field shape at small β (paper Fig. 14 vs Fig. 3a; THEORY.md §5.2, §5.4)\n\n"
	s += fmt.Sprintf("Ising ring N = %d; for each β, %d data sets of S = clamp(%g·N/β², %d, %d) exact samples; one ±1 hidden unit, "+
		"zero fields, %s, trained to τ = βt = %g (t ≥ %g); weights rescaled by √β, sign-normalised and centred on their peak. "+
		"Theory: the stationary solution of the lattice equation (eq 37) on the same ring, Newton-polished. Master seed %d.\n\n",
		c.N, c.Runs, c.SScale, c.SMin, c.SMax, fieldLabel(c.Training), c.Training.Tau, c.Training.TMin, c.Seed)
	s += r.Table() + "\n"
	s += fmt.Sprintf("![receptive-field shape](%s)\n\n", png)
	s += fmt.Sprintf("Standard errors: over the runs at each β, floored by the pooled relative scatter of the runs times the value/√runs "+
		"(\"fit se\"), so that a β whose few runs agree by chance does not dominate; RBM − population is given in those units and the bias "+
		"test is χ² = Σz² against the exact population values (rejected at p < %g). The β → 0 lines are weighted by 1/se².\n\n", FitLevel)
	s += "**Measured:** " + strings.Join(r.Verdict(), " ") + "\n"
	s += "\n"
	return s
}

// fieldLabel names the training protocol.
func fieldLabel(t FieldTraining) string {
	b := "full batch"
	if t.Batch > 0 {
		b = fmt.Sprintf("batch %d", t.Batch)
	}
	ph := "exact model term"
	if t.Phase == "pcd" {
		ph = fmt.Sprintf("PCD-%d, %d chains", t.Sweeps, t.Chains)
	}
	nu := "ν = min(0.2/β, 0.5/(exp(2β)−1))"
	if t.Nu > 0 {
		nu = fmt.Sprintf("ν = %g", t.Nu)
	}
	return b + ", " + ph + ", " + nu
}

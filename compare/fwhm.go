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
	"gonum.org/v1/gonum/stat/distuv"
	"gonum.org/v1/plot"
	"gonum.org/v1/plot/plotter"
	"gonum.org/v1/plot/vg"
	"gonum.org/v1/plot/vg/draw"

	"placecell/internal/rng"
	"placecell/internal/version"
	"placecell/meanfield"
	"placecell/ring"
)

// FWHMConfig sets up the width-against-correlation-length experiment (the
// paper's Fig. 3b): RBMs with one ±1 hidden unit are trained over a sweep
// of β, and the FWHM of the receptive field is plotted against the
// correlation length ξ = 1/ln coth β, with the theory's small-β limit
// (the lattice bump of eq 37, ξ → 0) marked.
type FWHMConfig struct {
	N int `json:"n"` // ring length (default 100, as in the paper)
	// Betas are the inverse temperatures (default 0.2, 0.3, 0.5, 0.75, 1,
	// 1.25, 1.5: ξ from 0.6 to 10; the paper's ξ ∈ [2.5, 10] is
	// β ∈ [0.81, 1.50]).
	Betas []float64 `json:"betas"`
	Runs  int       `json:"runs"` // independent data sets per β (default 2)
	// S is max(SMin, SScale·N/β²) samples per data set (defaults 10⁴, the
	// paper's, and 5, which raises S at small β where the nearest-neighbour
	// signal β must beat the sampling noise 1/√S).
	SMin   int     `json:"s_min"`
	SScale float64 `json:"s_scale"`
	Seed   uint64  `json:"seed"`
	// Training defaults: exact phase, minibatches of 100 with ν = 0.01
	// (the paper's SGA noise level ν/B = 10⁻⁴, which also seeds the
	// localisation at large β, where the deterministic flow stays extended
	// much longer), τ = 300 and t ≥ 3000: at β = 1.5 the field remains a
	// broad modulation (FWHM 35–48 sites, depending on the data set) for t
	// of order 10³. A batch ≥ S gives full batch.
	Training FieldTraining `json:"training"`
	// MaxWidthFraction and MaxDrift define the points left out of the
	// fit: a point is ring-limited if any run's FWHM is NaN or exceeds
	// MaxWidthFraction·N (default 1/3, the FWHM of the ring's longest
	// modulation cos(2πi/N): such a field is a ring-wide modulation, not a
	// localised bump), unconverged if any run's peak changed by more than
	// MaxDrift over the last fifth of training (default 0.05) or a run
	// diverged (FieldRun.Diverged).
	MaxWidthFraction float64 `json:"max_width_fraction"`
	MaxDrift         float64 `json:"max_drift"`

	Workers  int                   `json:"-"`
	Progress func(done, total int) `json:"-"`
	Store    Store                 `json:"-"`
}

// DefaultFWHMBetas are the default β of FWHMConfig.
var DefaultFWHMBetas = []float64{0.2, 0.3, 0.5, 0.75, 1, 1.25, 1.5}

func (c *FWHMConfig) setDefaults() {
	if c.N == 0 {
		c.N = 100
	}
	if len(c.Betas) == 0 {
		c.Betas = slices.Clone(DefaultFWHMBetas)
	}
	if c.Runs == 0 {
		c.Runs = 2
	}
	if c.SMin == 0 {
		c.SMin = 10000
	}
	if c.SScale == 0 {
		c.SScale = 5
	}
	if c.MaxWidthFraction == 0 {
		c.MaxWidthFraction = 1.0 / 3
	}
	if c.MaxDrift == 0 {
		c.MaxDrift = 0.05
	}
	if c.Training.TMin == 0 {
		c.Training.TMin = 3000
	}
	if c.Training.Batch == 0 {
		c.Training.Batch = 100
	}
	if c.Training.Nu == 0 {
		c.Training.Nu = 0.01
	}
	c.Training.setDefaults()
}

func (c *FWHMConfig) validate() error {
	if err := validateFieldModels(c.N, c.Betas); err != nil {
		return err
	}
	if c.Runs < 1 || c.SMin < 1 || !(c.SScale >= 0) || math.IsInf(c.SScale, 0) {
		return configErrorf("runs = %d, s_min = %d, s_scale = %v out of range (want runs, s_min ≥ 1, 0 ≤ s_scale < ∞)", c.Runs, c.SMin, c.SScale)
	}
	if s := c.samples(maxOf(c.Betas)); s > 1e8 || c.samples(minOf(c.Betas)) > 1e8 {
		return configErrorf("s_scale = %v gives more than 10⁸ samples per run", c.SScale)
	}
	if !(c.MaxWidthFraction > 0 && c.MaxWidthFraction <= 0.5) || !(c.MaxDrift > 0) || math.IsInf(c.MaxDrift, 0) {
		return configErrorf("max_width_fraction = %v (want (0, 0.5]) and max_drift = %v (want > 0, finite) out of range", c.MaxWidthFraction, c.MaxDrift)
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

func (c *FWHMConfig) samples(beta float64) int {
	return int(math.Max(float64(c.SMin), math.Ceil(c.SScale*float64(c.N)/(beta*beta))))
}

// FWHMPoint summarises the runs at one β.
type FWHMPoint struct {
	Beta float64 `json:"beta"`
	Xi   float64 `json:"xi"`
	S    int     `json:"s"`
	Runs int     `json:"runs"`
	// FWHM mean, its standard error and the standard deviation over runs
	// (NaN runs, without a half-maximum crossing, are left out).
	FWHM     OptFloat `json:"fwhm"`
	FWHMSE   OptFloat `json:"fwhm_se"`
	FWHMSD   OptFloat `json:"fwhm_sd"`
	Valid    int      `json:"valid"`
	Peak     float64  `json:"peak"` // mean peak weight
	MaxDrift OptFloat `json:"max_drift"`
	// Flag says why the point is left out of the fit ("" if it is used):
	// ring-limited or unconverged runs (FWHMConfig.MaxWidthFraction,
	// MaxDrift).
	Flag string `json:"flag,omitempty"`
	// FitSE is the standard error used in the fit: FWHMSE, floored by the
	// pooled relative scatter of the runs (FWHMFit.RelScatter) so that a
	// point whose few runs agree by chance does not dominate.
	FitSE OptFloat `json:"fit_se"`
	// Residual and PaperResidual are (FWHM − line)/FitSE for the fitted
	// line and for the paper's reading 7 + 1.7ξ.
	Residual      OptFloat `json:"residual"`
	PaperResidual OptFloat `json:"paper_residual"`
}

// FWHMFit is the SE-weighted least-squares line FWHM = a + bξ through the
// points without a Flag, its goodness of fit, and its comparison with the
// theory's small-β limit and the paper's reading of Fig. 3b.
type FWHMFit struct {
	Points int `json:"points"` // points in the fit
	// RelScatter is the pooled relative standard deviation of the runs,
	// √(Σ(n−1)(sd/mean)²/Σ(n−1)) over fitted points with n ≥ 2 runs (NaN
	// with one run per point: then the fit is unweighted and has no
	// goodness of fit).
	RelScatter OptFloat `json:"rel_scatter"`
	Intercept  OptFloat `json:"intercept"`
	Slope      OptFloat `json:"slope"`
	// InterceptSE and SlopeSE are the parameter errors from the weights,
	// multiplied by the Birge ratio √(χ²/dof) when it exceeds 1.
	InterceptSE OptFloat `json:"intercept_se"`
	SlopeSE     OptFloat `json:"slope_se"`
	Chi2        OptFloat `json:"chi2"`
	DoF         int      `json:"dof"`
	P           OptFloat `json:"p"` // P(χ²_dof ≥ Chi2)
	// LimitZ is (Intercept − small-β limit)/InterceptSE.
	LimitZ OptFloat `json:"limit_z"`
	// Paper*: the paper's line 7 + 1.7ξ against the fitted points with
	// 2.5 ≤ ξ ≤ 10 (the paper's range); SlopeZ = (Slope − 1.7)/SlopeSE.
	PaperPoints int      `json:"paper_points"`
	PaperChi2   OptFloat `json:"paper_chi2"`
	PaperP      OptFloat `json:"paper_p"`
	SlopeZ      OptFloat `json:"slope_z"`
	// Verdicts (false when undecidable): the line describes the points
	// (P ≥ FitLevel), its intercept agrees with the small-β limit
	// (|LimitZ| ≤ 2), the paper's line describes the points in its range
	// (PaperP ≥ FitLevel).
	// SlopeAgree: |SlopeZ| ≤ 2.
	Linear         bool `json:"linear"`
	InterceptAgree bool `json:"intercept_agrees"`
	PaperAgree     bool `json:"paper_agrees"`
	SlopeAgree     bool `json:"slope_agrees"`
}

// FitLevel is the p-value below which a line is rejected.
const FitLevel = 0.01

// Paper's reading of Fig. 3b, FWHM ≈ paperA + paperB·ξ for ξ ∈ [2.5, 10].
const (
	paperA, paperB       = 7.0, 1.7
	paperXiLo, paperXiHi = 2.5, 10.0
)

// FWHMResult is the outcome of the experiment.
type FWHMResult struct {
	Program string      `json:"program"`
	Version string      `json:"version"`
	Build   string      `json:"build"`
	Config  FWHMConfig  `json:"config"`
	Points  []FWHMPoint `json:"points"`
	Runs    []FieldRun  `json:"runs"`
	// Limit is the FWHM of the small-β lattice bump on the same ring
	// (ξ → 0, THEORY.md §5.4; 3.795 at N = 100), Continuum that of the
	// continuum b₋ profile (4.496).
	Limit     float64 `json:"limit"`
	Continuum float64 `json:"continuum"`
	// Intercept and Slope of the fitted line (Fit.Intercept, Fit.Slope).
	Intercept OptFloat `json:"intercept"`
	Slope     OptFloat `json:"slope"`
	Fit       FWHMFit  `json:"fit"`
}

// FWHMSweep runs the experiment.
func FWHMSweep(ctx context.Context, cfg FWHMConfig) (*FWHMResult, error) {
	cfg.setDefaults()
	if err := cfg.validate(); err != nil {
		return nil, err
	}
	nb := len(cfg.Betas)
	runs := make([]FieldRun, nb*cfg.Runs)
	// Largest β first: they take the most updates, so that the workers
	// finish together.
	order := make([]int, len(runs))
	for j := range order {
		order[j] = len(runs) - 1 - j
	}
	err := runJobs(ctx, len(runs), cfg.Workers, func(ctx context.Context, i int) error {
		j := order[i]
		b, r := j/cfg.Runs, j%cfg.Runs
		seeds := rng.New(cfg.Seed, "fwhm", uint64(j))
		model := ring.Ising{N: cfg.N, Beta: cfg.Betas[b]}
		run, err := storedField(ctx, cfg.Store, "fwhm", model, cfg.samples(model.Beta), &cfg.Training, r, seeds.Uint64(), seeds.Uint64())
		runs[j] = run
		return err
	}, cfg.Progress)
	if err != nil {
		return nil, err
	}

	res := &FWHMResult{Program: "placecell", Version: version.String(), Build: version.Build(), Config: cfg, Runs: runs}
	w0 := meanfield.RandomStart(rng.New(cfg.Seed, "fwhm-theory", 0), cfg.N, 1, 0.01)
	sol, err := meanfield.SolveLattice(ctx, cfg.N, 1, w0, nil)
	if err != nil {
		return nil, err
	}
	res.Limit = sol.Units[0].FWHM
	minus, _ := meanfield.ContinuumProfiles()
	res.Continuum = minus.FWHM

	for b, beta := range cfg.Betas {
		rs := runs[b*cfg.Runs : (b+1)*cfg.Runs]
		res.Points = append(res.Points, fwhmPoint(beta, rs, cfg.N, cfg.MaxWidthFraction, cfg.MaxDrift))
	}
	res.Fit = fitFWHM(res.Points, res.Limit)
	res.Intercept, res.Slope = res.Fit.Intercept, res.Fit.Slope
	return res, nil
}

// fwhmPoint summarises the runs at one β and flags the point if a run is
// ring-limited (FWHM NaN or above maxFrac·n), diverged or unconverged
// (drift above maxDrift).
func fwhmPoint(beta float64, rs []FieldRun, n int, maxFrac, maxDrift float64) FWHMPoint {
	p := FWHMPoint{Beta: beta, Xi: rs[0].Xi, S: rs[0].S, Runs: len(rs)}
	var f, pk []float64
	var wide, nan, div, drift int
	for _, r := range rs {
		w := float64(r.FWHM)
		switch {
		case math.IsNaN(w):
			nan++
		case w > maxFrac*float64(n):
			wide++
		}
		if !math.IsNaN(w) {
			f = append(f, w)
		}
		if r.Diverged {
			div++
		}
		if !(float64(r.Drift) <= maxDrift) {
			drift++
		}
		pk = append(pk, r.Peak)
		p.MaxDrift = OptFloat(math.Max(float64(p.MaxDrift), float64(r.Drift)))
	}
	p.Valid = len(f)
	nanF := OptFloat(math.NaN())
	p.FWHM, p.FWHMSE, p.FWHMSD, p.FitSE, p.Residual, p.PaperResidual = nanF, nanF, nanF, nanF, nanF, nanF
	if len(f) > 0 {
		m, sd := meanSD(f)
		p.FWHM = OptFloat(m)
		if len(f) > 1 {
			p.FWHMSD, p.FWHMSE = OptFloat(sd), OptFloat(sd/math.Sqrt(float64(len(f))))
		}
	}
	p.Peak = stat.Mean(pk, nil)
	var why []string
	if div > 0 {
		why = append(why, fmt.Sprintf("%d of %d runs diverged", div, len(rs)))
	}
	if nan > 0 {
		why = append(why, fmt.Sprintf("%d of %d runs without a half-maximum width", nan, len(rs)))
	}
	if wide > 0 {
		why = append(why, fmt.Sprintf("ring-limited: %d of %d runs wider than %.3g·N = %.1f sites", wide, len(rs), maxFrac, maxFrac*float64(n)))
	}
	if drift > 0 && div == 0 {
		why = append(why, fmt.Sprintf("unconverged: %d of %d runs drifted more than %g", drift, len(rs), maxDrift))
	}
	p.Flag = strings.Join(why, "; ")
	return p
}

// fitFWHM fits FWHM = a + bξ through the points without a Flag, weighted
// by their FitSE (which it sets, with the residuals), and compares the
// line with the small-β limit and with the paper's reading.
func fitFWHM(pts []FWHMPoint, limit float64) FWHMFit {
	nan := OptFloat(math.NaN())
	f := FWHMFit{RelScatter: nan, Intercept: nan, Slope: nan, InterceptSE: nan, SlopeSE: nan, Chi2: nan, P: nan,
		LimitZ: nan, PaperChi2: nan, PaperP: nan, SlopeZ: nan}
	var use []int
	var rv, rdof float64
	for i := range pts {
		p := &pts[i]
		p.FitSE, p.Residual, p.PaperResidual = nan, nan, nan
		if p.Flag != "" || math.IsNaN(float64(p.FWHM)) {
			continue
		}
		use = append(use, i)
		if p.Valid >= 2 && p.FWHM > 0 {
			rel := float64(p.FWHMSD / p.FWHM)
			rv += float64(p.Valid-1) * rel * rel
			rdof += float64(p.Valid - 1)
		}
	}
	f.Points = len(use)
	if rdof > 0 {
		f.RelScatter = OptFloat(math.Sqrt(rv / rdof))
	}
	weighted := rdof > 0
	var x, y, w []float64
	for _, i := range use {
		p := &pts[i]
		if weighted {
			se := float64(f.RelScatter) * float64(p.FWHM) / math.Sqrt(float64(p.Valid))
			if v := float64(p.FWHMSE); v > se {
				se = v
			}
			p.FitSE = OptFloat(se)
		}
		x, y = append(x, p.Xi), append(y, float64(p.FWHM))
		if weighted {
			w = append(w, 1/(float64(p.FitSE)*float64(p.FitSE)))
		} else {
			w = append(w, 1)
		}
	}
	if len(x) < 2 || minOf(x) == maxOf(x) {
		return f
	}
	var s0, sx, sy, sxx, sxy float64
	for i := range x {
		s0, sx, sy, sxx, sxy = s0+w[i], sx+w[i]*x[i], sy+w[i]*y[i], sxx+w[i]*x[i]*x[i], sxy+w[i]*x[i]*y[i]
	}
	det := s0*sxx - sx*sx
	a, b := (sxx*sy-sx*sxy)/det, (s0*sxy-sx*sy)/det
	f.Intercept, f.Slope = OptFloat(a), OptFloat(b)
	if !weighted {
		return f
	}
	f.DoF = len(x) - 2
	var chi2 float64
	for _, i := range use {
		p := &pts[i]
		p.Residual = OptFloat((float64(p.FWHM) - a - b*p.Xi) / float64(p.FitSE))
		chi2 += float64(p.Residual * p.Residual)
	}
	birge := 1.0
	if f.DoF > 0 {
		f.Chi2 = OptFloat(chi2)
		f.P = OptFloat(distuv.ChiSquared{K: float64(f.DoF)}.Survival(chi2))
		f.Linear = float64(f.P) >= FitLevel
		birge = math.Max(1, math.Sqrt(chi2/float64(f.DoF)))
	}
	f.InterceptSE, f.SlopeSE = OptFloat(birge*math.Sqrt(sxx/det)), OptFloat(birge*math.Sqrt(s0/det))
	f.LimitZ = OptFloat((a - limit) / float64(f.InterceptSE))
	f.InterceptAgree = math.Abs(float64(f.LimitZ)) <= 2
	f.SlopeZ = OptFloat((b - paperB) / float64(f.SlopeSE))
	f.SlopeAgree = math.Abs(float64(f.SlopeZ)) <= 2
	var pchi2 float64
	for _, i := range use {
		p := &pts[i]
		p.PaperResidual = OptFloat((float64(p.FWHM) - paperA - paperB*p.Xi) / float64(p.FitSE))
		if p.Xi >= paperXiLo && p.Xi <= paperXiHi {
			f.PaperPoints++
			pchi2 += float64(p.PaperResidual * p.PaperResidual)
		}
	}
	if f.PaperPoints > 0 {
		f.PaperChi2 = OptFloat(pchi2)
		f.PaperP = OptFloat(distuv.ChiSquared{K: float64(f.PaperPoints)}.Survival(pchi2))
		f.PaperAgree = float64(f.PaperP) >= FitLevel
	}
	return f
}

// Header returns the provenance lines written at the top of every output.
func (r *FWHMResult) Header() []string {
	cfg, _ := json.Marshal(r.Config)
	return []string{
		fmt.Sprintf("%s %s (build %s), experiment fwhm (paper Fig. 3b; small-β limit THEORY.md §5.4)", r.Program, r.Version, r.Build),
		"config " + string(cfg),
	}
}

// WriteCSV writes one row per β, preceded by '#' provenance lines.
func (r *FWHMResult) WriteCSV(w io.Writer) error {
	for _, h := range r.Header() {
		if _, err := fmt.Fprintf(w, "# %s\n", h); err != nil {
			return err
		}
	}
	f := r.Fit
	fmt.Fprintf(w, "# small-beta limit: lattice FWHM %s (N = %d), continuum %s\n", g(r.Limit), r.Config.N, g(r.Continuum))
	fmt.Fprintf(w, "# SE-weighted fit over %d unflagged points: FWHM = (%s +- %s) + (%s +- %s) xi, chi2 %s, dof %d, p %s, "+
		"intercept - limit = %s SE, paper 7 + 1.7 xi over %d points in xi [2.5, 10]: chi2 %s, p %s\n",
		f.Points, g(float64(f.Intercept)), g(float64(f.InterceptSE)), g(float64(f.Slope)), g(float64(f.SlopeSE)),
		g(float64(f.Chi2)), f.DoF, g(float64(f.P)), g(float64(f.LimitZ)), f.PaperPoints, g(float64(f.PaperChi2)), g(float64(f.PaperP)))
	cw := csv.NewWriter(w)
	cw.Write([]string{"beta", "xi", "s", "runs", "valid", "fwhm", "fwhm_se", "fwhm_sd", "fit_se", "residual_se", "paper_residual_se",
		"peak", "max_drift", "flag"})
	for _, p := range r.Points {
		cw.Write([]string{g(p.Beta), g(p.Xi), strconv.Itoa(p.S), strconv.Itoa(p.Runs), strconv.Itoa(p.Valid),
			g(float64(p.FWHM)), g(float64(p.FWHMSE)), g(float64(p.FWHMSD)), g(float64(p.FitSE)), g(float64(p.Residual)),
			g(float64(p.PaperResidual)), g(p.Peak), g(float64(p.MaxDrift)), p.Flag})
	}
	cw.Flush()
	return cw.Error()
}

// pmSE formats a mean and its standard error, "n/a" for an undefined SE
// (one run).
func pmSE(m, se float64, prec int) string {
	if math.IsNaN(m) {
		return "n/a"
	}
	if math.IsNaN(se) {
		return fmt.Sprintf("%.*f ± n/a", prec, m)
	}
	return fmt.Sprintf("%.*f ± %.*f", prec, m, prec, se)
}

// optf formats x with prec decimals, "n/a" if it is not finite.
func optf(x float64, prec int) string {
	if math.IsNaN(x) || math.IsInf(x, 0) {
		return "n/a"
	}
	return fmt.Sprintf("%.*f", prec, x)
}

// Table returns the result as a Markdown table.
func (r *FWHMResult) Table() string {
	s := "| β | ξ | S | FWHM ± se (sites) | sd | fit se | residual (se) | vs paper (se) | peak w | drift | in fit |\n" +
		"|---|---|---|---|---|---|---|---|---|---|---|\n"
	for _, p := range r.Points {
		use := "yes"
		if p.Flag != "" {
			use = "no: " + p.Flag
		}
		s += fmt.Sprintf("| %g | %.3f | %d | %s | %s | %s | %s | %s | %.3f | %.1g | %s |\n",
			p.Beta, p.Xi, p.S, pmSE(float64(p.FWHM), float64(p.FWHMSE), 2), optf(float64(p.FWHMSD), 2), optf(float64(p.FitSE), 2),
			optf(float64(p.Residual), 1), optf(float64(p.PaperResidual), 1), p.Peak, float64(p.MaxDrift), use)
	}
	s += fmt.Sprintf("| β → 0 (lattice eq 37) | 0 | ∞ | %.3f | | | | | | | |\n", r.Limit)
	f := r.Fit
	s += fmt.Sprintf("\nSE-weighted fit over %d points: FWHM = %s + %s ξ", f.Points,
		pmSE(float64(f.Intercept), float64(f.InterceptSE), 2), pmSE(float64(f.Slope), float64(f.SlopeSE), 2))
	if f.DoF > 0 {
		s += fmt.Sprintf(", χ² = %.1f for %d dof (p = %.2g)", float64(f.Chi2), f.DoF, float64(f.P))
	}
	s += "; paper's Fig. 3b, read off: ≈ 7 + 1.7 ξ for ξ ∈ [2.5, 10].\n"
	return s
}

// Verdict returns the conclusions drawn from the fit, one sentence per
// question: is the width linear in ξ, does it extrapolate to the small-β
// limit, does it follow the paper's reading, which points were left out.
func (r *FWHMResult) Verdict() []string {
	f := r.Fit
	var v []string
	switch {
	case f.Points < 2:
		v = append(v, fmt.Sprintf("Only %d usable point(s): no fit.", f.Points))
	case math.IsNaN(float64(f.RelScatter)):
		v = append(v, fmt.Sprintf("One run per point: no standard errors, so the unweighted line FWHM = %.2f + %.2f ξ has no "+
			"goodness of fit and its intercept cannot be tested against the small-β limit %.3f (use --runs ≥ 2).",
			float64(f.Intercept), float64(f.Slope), r.Limit))
	default:
		if f.DoF < 1 {
			v = append(v, "Two points: a line passes through them exactly, linearity is untested.")
		} else if f.Linear {
			v = append(v, fmt.Sprintf("A straight line describes the %d fitted points: χ² = %.1f for %d dof, p = %.2g ≥ %g.",
				f.Points, float64(f.Chi2), f.DoF, float64(f.P), FitLevel))
		} else {
			worst := -1
			for i, p := range r.Points {
				if !math.IsNaN(float64(p.Residual)) && (worst < 0 || math.Abs(float64(p.Residual)) > math.Abs(float64(r.Points[worst].Residual))) {
					worst = i
				}
			}
			v = append(v, fmt.Sprintf("A straight line does not describe the %d fitted points: χ² = %.1f for %d dof, p = %.2g < %g "+
				"(largest residual %+.1f se at ξ = %.2f); the parameter errors below are scaled by √(χ²/dof) = %.2f.",
				f.Points, float64(f.Chi2), f.DoF, float64(f.P), FitLevel, float64(r.Points[worst].Residual), r.Points[worst].Xi,
				math.Sqrt(float64(f.Chi2)/float64(f.DoF))))
		}
		rel := "agrees with"
		if !f.InterceptAgree {
			rel = "does not agree with"
		}
		v = append(v, fmt.Sprintf("The intercept %s %s the small-β lattice limit %.3f (difference %+.1f se; continuum %.3f).",
			pmSE(float64(f.Intercept), float64(f.InterceptSE), 2), rel, r.Limit, float64(f.LimitZ), r.Continuum))
		if f.PaperPoints == 0 {
			v = append(v, "No fitted point lies in the paper's range ξ ∈ [2.5, 10]: its reading 7 + 1.7ξ is not tested.")
		} else {
			rel = "agrees with"
			if !f.PaperAgree {
				rel = "does not agree with"
			}
			hi := -1
			for i, p := range r.Points {
				if p.Flag == "" && p.Xi >= paperXiLo && p.Xi <= paperXiHi && (hi < 0 || p.Xi > r.Points[hi].Xi) {
					hi = i
				}
			}
			q := r.Points[hi]
			srel := "agrees with"
			if !f.SlopeAgree {
				srel = "does not agree with"
			}
			v = append(v, fmt.Sprintf("The measured width %s the paper's reading 7 + 1.7ξ over the %d fitted point(s) in ξ ∈ [2.5, 10] "+
				"(χ² = %.1f, p = %.2g; at ξ = %.2f: %.2f against %.2f, %+.1f se), and the fitted slope %s %s the paper's 1.7 (%+.1f se).",
				rel, f.PaperPoints, float64(f.PaperChi2), float64(f.PaperP), q.Xi, float64(q.FWHM), paperA+paperB*q.Xi,
				float64(q.PaperResidual), pmSE(float64(f.Slope), float64(f.SlopeSE), 2), srel, float64(f.SlopeZ)))
		}
	}
	for _, p := range r.Points {
		if p.Flag != "" {
			v = append(v, fmt.Sprintf("Left out of the fit: β = %g (ξ = %.2f, FWHM %s): %s.", p.Beta, p.Xi,
				pmSE(float64(p.FWHM), float64(p.FWHMSE), 1), p.Flag))
		}
	}
	return v
}

// Plot writes FWHM against ξ with error bars, the small-β limit at ξ → 0,
// the continuum value, the fitted line and the paper's reading.
func (r *FWHMResult) Plot(path string) error {
	c := r.Config
	p := plot.New()
	p.Title.Text = fmt.Sprintf("Receptive-field width against correlation length (N = %d, M = 1, %s)", c.N, fieldLabel(c.Training))
	p.X.Label.Text = "correlation length ξ = 1/ln coth β (sites)"
	p.Y.Label.Text = "FWHM of the receptive field (sites)"
	var xi, f, se []float64
	for _, pt := range r.Points {
		xi, f, se = append(xi, pt.Xi), append(f, float64(pt.FWHM)), append(se, float64(pt.FWHMSE))
	}
	p.X.Min, p.X.Max = 0, math.Max(10.5, maxOf(xi)*1.05)
	_, hi := span(0.1, false, f, []float64{7 + 1.7*p.X.Max})
	p.Y.Min, p.Y.Max = 0, hi
	dash := []vg.Length{vg.Points(4), vg.Points(3)}
	if err := addCurve(p, func(x float64) float64 { return 7 + 1.7*x }, 2.5, 10, false, colTheory2, dash,
		"paper Fig. 3b (read off): 7 + 1.7ξ, ξ from 2.5 to 10"); err != nil {
		return err
	}
	if a, b := float64(r.Intercept), float64(r.Slope); !math.IsNaN(b) {
		if err := addCurve(p, func(x float64) float64 { return a + b*x }, 0, p.X.Max, false, colMeasured,
			[]vg.Length{vg.Points(1.5), vg.Points(2)}, fmt.Sprintf("fit %.2f + %.2fξ", a, b)); err != nil {
			return err
		}
	}
	var fx, ff, fse, ox, of, ose []float64
	for i, pt := range r.Points {
		if pt.Flag == "" {
			fx, ff, fse = append(fx, xi[i]), append(ff, f[i]), append(fse, se[i])
		} else {
			ox, of, ose = append(ox, xi[i]), append(of, f[i]), append(ose, se[i])
		}
	}
	pts, dropped := finiteXY(fx, ff, fse, false, false)
	if err := addMeasured(p, pts, fmt.Sprintf("RBM, mean ± se of %d runs (fitted)", c.Runs)); err != nil {
		return err
	}
	if len(ox) > 0 {
		opts, d := finiteXY(ox, of, ose, false, false)
		dropped += d
		if opts.Len() > 0 {
			if err := addSeries(p, opts, colRules[1], draw.CrossGlyph{}, "left out (ring-limited or unconverged)"); err != nil {
				return err
			}
		}
	}
	lim, err := plotter.NewScatter(plotter.XYs{{X: 0, Y: r.Limit}})
	if err != nil {
		return err
	}
	lim.GlyphStyle.Color, lim.GlyphStyle.Shape, lim.GlyphStyle.Radius = colTheory, draw.BoxGlyph{}, vg.Points(4)
	p.Add(lim)
	p.Legend.Add(fmt.Sprintf("small-β limit ξ → 0: lattice eq 37, %.3f", r.Limit), lim)
	if err := addCurve(p, func(float64) float64 { return r.Continuum }, 0, 1.5, false, colTheory, dash,
		fmt.Sprintf("continuum b−: %.3f", r.Continuum)); err != nil {
		return err
	}
	p.Legend.Top = true
	p.Legend.Left = true
	p.Add(plotter.NewGrid())
	if dropped > 0 {
		p.X.Label.Text += fmt.Sprintf("   (%d points without a width not drawn)", dropped)
	}
	return savePNG(path, []*plot.Plot{p}, 18*vg.Centimeter, 13*vg.Centimeter, r.meta())
}

func (r *FWHMResult) meta() map[string]string {
	h := r.Header()
	return map[string]string{"Software": r.Program + " " + r.Version, "Description": h[0], "Comment": h[1]}
}

// Summary returns a Markdown section describing the experiment, its table
// and its verdict, referring to the figure file png.
func (r *FWHMResult) Summary(png string) string {
	c := r.Config
	s := "## Receptive-field width against correlation length (paper Fig. 3b)\n\n"
	s += fmt.Sprintf("Ising ring N = %d; for each β, %d data sets of S = max(%d, %g·N/β²) exact samples; one ±1 hidden unit, "+
		"zero fields, %s, trained to τ = βt = %g with t ≥ %g; FWHM by linear interpolation of the sign-normalised field "+
		"(THEORY.md §4.12; the paper used a cubic spline, 0.03 sites narrower on the lattice bump). Master seed %d.\n\n",
		c.N, c.Runs, c.SMin, c.SScale, fieldLabel(c.Training), c.Training.Tau, c.Training.TMin, c.Seed)
	s += r.Table() + "\n"
	s += fmt.Sprintf("![FWHM against ξ](%s)\n\n", png)
	s += fmt.Sprintf("Fit: least squares weighted by 1/se², each se floored by the pooled relative scatter of the runs (%s) "+
		"times FWHM/√runs; a point is left out if any run is wider than %.3g·N (the FWHM of the ring's longest modulation "+
		"cos(2πi/N) is N/3), has no half-maximum width, diverged or drifted by more than %g over the last fifth of training. "+
		"A line is rejected at p < %g; agreement of the intercept means |difference| ≤ 2 se.\n\n",
		optf(float64(r.Fit.RelScatter), 3), c.MaxWidthFraction, c.MaxDrift, FitLevel)
	s += "**Measured:** " + strings.Join(r.Verdict(), " ") + "\n"
	return s
}

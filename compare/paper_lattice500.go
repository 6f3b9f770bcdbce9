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

	"placecell/dynamics"
	"placecell/internal/rng"
	"placecell/meanfield"
)

// paperFig14aPeak is the peak of the paper's Fig. 14a, "after 500
// integration steps" (THEORY.md §5.4, §7 item 20).
const paperFig14aPeak = 0.65

// convergedPeak100 is the stationary peak of eq 37 at N = 100 (THEORY.md
// §5.4).
const convergedPeak100 = 0.919593

// Lattice500Config sets up the check of the paper's Fig. 14a (THEORY.md
// §5.4, §6.4 E14, §7 item 20): the small-β lattice equation (eq 37) is
// integrated for a fixed number of steps from small random starts, with
// several step sizes Δτ, several initial amplitudes and explicit Euler or
// classical RK4, and the peak reached is compared with the paper's ≈ 0.65
// and with the converged stationary peak (0.9196 at N = 100). The step size
// the paper used is not reported; the experiment finds the Δτ at which 500
// steps give 0.65. The time course is also integrated accurately, which
// gives the time τ at which the peak passes 0.65.
type Lattice500Config struct {
	N     int `json:"n"`     // ring length (default 100)
	Steps int `json:"steps"` // integration steps (default 500)
	// StepSizes are the Δτ (default 0.01, 0.02, 0.05, 0.1, 0.2, 0.3; explicit
	// Euler becomes unstable near the converged bump above Δτ ≈ 0.45).
	StepSizes []float64 `json:"step_sizes"`
	// Sigmas are the standard deviations of the random starts (default
	// 10⁻³, 10⁻², 10⁻¹; §5.4 uses 10⁻²).
	Sigmas []float64 `json:"sigmas"`
	Runs   int       `json:"runs"`   // random starts per σ (default 8)
	Method string    `json:"method"` // "euler" (default) or "rk4"
	Seed   uint64    `json:"seed"`

	Workers  int                   `json:"-"`
	Progress func(done, total int) `json:"-"`
	Store    Store                 `json:"-"`
}

func (c *Lattice500Config) setDefaults() {
	if c.N == 0 {
		c.N = 100
	}
	if c.Steps == 0 {
		c.Steps = 500
	}
	if len(c.StepSizes) == 0 {
		c.StepSizes = []float64{0.01, 0.02, 0.05, 0.1, 0.2, 0.3}
	}
	if len(c.Sigmas) == 0 {
		c.Sigmas = []float64{1e-3, 1e-2, 1e-1}
	}
	if c.Runs == 0 {
		c.Runs = 8
	}
	if c.Method == "" {
		c.Method = "euler"
	}
}

func (c *Lattice500Config) validate() error {
	if c.N < 8 || c.Steps < 1 || c.Runs < 1 {
		return configErrorf("N = %d, steps = %d and runs = %d out of range (N ≥ 8, steps and runs ≥ 1)", c.N, c.Steps, c.Runs)
	}
	for _, h := range c.StepSizes {
		if !(h > 0) || h > 1 {
			return configErrorf("step size Δτ = %v must be in (0, 1] (explicit schemes are unstable beyond)", h)
		}
	}
	for _, s := range c.Sigmas {
		if !(s > 0) || s > 1 {
			return configErrorf("initial amplitude σ = %v must be in (0, 1]", s)
		}
	}
	if c.Method != "euler" && c.Method != "rk4" {
		return configErrorf("unknown method %q (want euler or rk4)", c.Method)
	}
	return nil
}

// Lattice500Point is the outcome at one (σ, Δτ), over the random starts.
type Lattice500Point struct {
	Sigma float64 `json:"sigma"`
	Step  float64 `json:"step"`
	Tau   float64 `json:"tau"` // steps × Δτ
	// Peak, PeakSD and SumSq are NaN when the scheme diverged.
	Peak   OptFloat `json:"peak"`
	PeakSD OptFloat `json:"peak_sd"`
	SumSq  OptFloat `json:"sum_sq"`
	// Diverged counts the starts whose integration blew up.
	Diverged int `json:"diverged"`
}

// Lattice500Course is the accurate time course of the peak from one start.
type Lattice500Course struct {
	Sigma float64   `json:"sigma"`
	Tau   []float64 `json:"tau"`
	Peak  []float64 `json:"peak"`
}

// Lattice500Result is the outcome of the Fig. 14a check.
type Lattice500Result struct {
	Provenance
	Config Lattice500Config  `json:"config"`
	Points []Lattice500Point `json:"points"`
	// Courses hold the accurate time courses of run 0 for each σ, and
	// TauAt the mean and sd over runs of the time τ at which the peak
	// first reaches 0.65 (accurate integration).
	Courses []Lattice500Course `json:"courses"`
	TauAt   []OptFloat         `json:"tau_at_065"`
	TauAtSD []OptFloat         `json:"tau_at_065_sd"`
	// Converged is the stationary peak (0.919593 at N = 100).
	Converged float64 `json:"converged"`
	// BestStep is, for each σ, the step size at which the mean peak after
	// Steps steps is 0.65, interpolated in ln Δτ (NaN if not bracketed).
	BestStep []OptFloat `json:"best_step"`
	// BestStepLo and BestStepHi are, for each σ, the smallest and largest
	// over the starts of the step size at which that start's peak after
	// Steps steps is 0.65 (interpolated in ln Δτ; starts that do not
	// bracket 0.65 are left out, NaN if none does), and BestStepStarts
	// how many starts bracket it. TauAtLo and TauAtHi are the smallest
	// and largest τ over the starts at which the accurate peak reaches
	// 0.65.
	BestStepLo     []OptFloat `json:"best_step_lo"`
	BestStepHi     []OptFloat `json:"best_step_hi"`
	BestStepStarts []int      `json:"best_step_starts"`
	TauAtLo        []OptFloat `json:"tau_at_065_lo"`
	TauAtHi        []OptFloat `json:"tau_at_065_hi"`
	// Profile is the centred profile after Steps steps, of the start and
	// step size whose peak is closest to 0.65 (σ = 10⁻², or the first σ),
	// beside the converged bump Stationary.
	Profile    []float64  `json:"profile"`
	ProfileAt  string     `json:"profile_at"`
	Stationary []float64  `json:"stationary"`
	Rows       []paperRow `json:"paper_vs_measured"`
}

// Lattice500 runs the Fig. 14a check. It is deterministic and quick; the
// store is not used.
func Lattice500(ctx context.Context, cfg Lattice500Config) (*Lattice500Result, error) {
	cfg.setDefaults()
	if err := cfg.validate(); err != nil {
		return nil, err
	}
	n := cfg.N
	lat := dynamics.NewLattice(n, 1)
	type job struct{ sigma, run int }
	var jobs []job
	for s := range cfg.Sigmas {
		for k := range cfg.Runs {
			jobs = append(jobs, job{s, k})
		}
	}
	ns := len(cfg.StepSizes)
	peaks := make([][]float64, len(jobs)) // [job][step size]
	sums := make([][]float64, len(jobs))
	finals := make([][][]float64, len(jobs))
	tauAt := make([]float64, len(jobs))
	courses := make([]*Lattice500Course, len(cfg.Sigmas))
	err := runJobs(ctx, len(jobs), cfg.Workers, func(ctx context.Context, j int) error {
		jb := jobs[j]
		w0 := meanfield.RandomStart(rng.New(cfg.Seed, "lattice500", uint64(j)), n, 1, cfg.Sigmas[jb.sigma])
		peaks[j], sums[j], finals[j] = make([]float64, ns), make([]float64, ns), make([][]float64, ns)
		for si, h := range cfg.StepSizes {
			w := integrateFixed(lat, w0, h, cfg.Steps, cfg.Method)
			if !allFinite(w) {
				peaks[j][si], sums[j][si] = math.NaN(), math.NaN()
				continue
			}
			w = dynamics.SignNormalize(nil, w)
			peaks[j][si], sums[j][si], finals[j][si] = maxOf(w), dot(w, w), w
		}
		// Accurate time course.
		tEnd := 200.0
		times := make([]float64, 401)
		for k := range times {
			times[k] = tEnd * float64(k) / float64(len(times)-1)
		}
		res, err := dynamics.Integrate(ctx, lat, w0, times, &dynamics.ODESettings{RelTol: 1e-9, AbsTol: 1e-12})
		if err != nil {
			return err
		}
		course := &Lattice500Course{Sigma: cfg.Sigmas[jb.sigma]}
		tauAt[j] = math.NaN()
		for k, y := range res.Y {
			p := maxOf(dynamics.SignNormalize(nil, y))
			course.Tau, course.Peak = append(course.Tau, res.T[k]), append(course.Peak, p)
			if math.IsNaN(tauAt[j]) && p >= paperFig14aPeak && k > 0 {
				p0 := course.Peak[k-1]
				tauAt[j] = res.T[k-1] + (paperFig14aPeak-p0)/(p-p0)*(res.T[k]-res.T[k-1])
			}
		}
		if jb.run == 0 {
			courses[jb.sigma] = course
		}
		return nil
	}, cfg.Progress)
	if err != nil {
		return nil, err
	}
	res := &Lattice500Result{Provenance: newProvenance("lattice500", "Fig. 14a"), Config: cfg}
	w0 := meanfield.RandomStart(rng.New(cfg.Seed, "lattice500-converged", 0), n, 1, 0.01)
	sol, err := meanfield.SolveLattice(ctx, n, 1, w0, nil)
	if err != nil {
		return nil, err
	}
	res.Converged = sol.Units[0].Peak
	_, res.Stationary = centredProfile(sol.W)
	for s, sigma := range cfg.Sigmas {
		res.Courses = append(res.Courses, *courses[s])
		var ta []float64
		var mean []float64
		for si, h := range cfg.StepSizes {
			var pk, ss []float64
			diverged := 0
			for j, jb := range jobs {
				if jb.sigma == s {
					if math.IsNaN(peaks[j][si]) {
						diverged++
						continue
					}
					pk, ss = append(pk, peaks[j][si]), append(ss, sums[j][si])
				}
			}
			m, sd, _ := meanSDOf(pk)
			m2, _, _ := meanSDOf(ss)
			if diverged > 0 {
				m, sd, m2 = math.NaN(), math.NaN(), math.NaN()
			}
			res.Points = append(res.Points, Lattice500Point{Sigma: sigma, Step: h, Tau: h * float64(cfg.Steps),
				Peak: OptFloat(m), PeakSD: OptFloat(sd), SumSq: OptFloat(m2), Diverged: diverged})
			mean = append(mean, m)
		}
		var bs []float64
		for j, jb := range jobs {
			if jb.sigma == s {
				ta = append(ta, tauAt[j])
				if b := bracketLog(cfg.StepSizes, peaks[j], paperFig14aPeak); !math.IsNaN(b) {
					bs = append(bs, b)
				}
			}
		}
		m, sd, _ := meanSDOf(ta)
		res.TauAt, res.TauAtSD = append(res.TauAt, OptFloat(m)), append(res.TauAtSD, OptFloat(sd))
		tlo, thi := finiteRange(ta)
		res.TauAtLo, res.TauAtHi = append(res.TauAtLo, OptFloat(tlo)), append(res.TauAtHi, OptFloat(thi))
		blo, bhi := finiteRange(bs)
		res.BestStepLo, res.BestStepHi = append(res.BestStepLo, OptFloat(blo)), append(res.BestStepHi, OptFloat(bhi))
		res.BestStepStarts = append(res.BestStepStarts, len(bs))
		res.BestStep = append(res.BestStep, OptFloat(bracketLog(cfg.StepSizes, mean, paperFig14aPeak)))
	}
	// Profile: the start and step size of σ = 10⁻² (or the first σ) whose
	// peak after the steps is closest to the paper's 0.65.
	si := 0
	for i, sg := range cfg.Sigmas {
		if sg == 0.01 {
			si = i
		}
	}
	bj, bk := -1, 0
	for j, jb := range jobs {
		if jb.sigma != si {
			continue
		}
		for k := range cfg.StepSizes {
			if math.IsNaN(peaks[j][k]) {
				continue
			}
			if bj < 0 || math.Abs(peaks[j][k]-paperFig14aPeak) < math.Abs(peaks[bj][bk]-paperFig14aPeak) {
				bj, bk = j, k
			}
		}
	}
	if bj >= 0 {
		_, res.Profile = centredProfile(finals[bj][bk])
		res.ProfileAt = fmt.Sprintf("σ = %g, start %d, Δτ = %g, τ = %g", cfg.Sigmas[si], jobs[bj].run, cfg.StepSizes[bk], cfg.StepSizes[bk]*float64(cfg.Steps))
	}
	res.Rows = res.compare()
	return res, nil
}

// integrateFixed takes steps steps of size h of method ("euler" or
// "rk4") on sys from w0 and returns the state.
func integrateFixed(sys dynamics.System, w0 []float64, h float64, steps int, method string) []float64 {
	n := len(w0)
	w := slices.Clone(w0)
	k1, k2, k3, k4, tmp := make([]float64, n), make([]float64, n), make([]float64, n), make([]float64, n), make([]float64, n)
	for range steps {
		sys.Deriv(k1, w)
		if method == "euler" {
			for i := range w {
				w[i] += h * k1[i]
			}
			if maxAbsOf(w) > 1e6 || !allFinite(w) {
				for i := range w {
					w[i] = math.NaN()
				}
				return w
			}
			continue
		}
		for i := range w {
			tmp[i] = w[i] + h/2*k1[i]
		}
		sys.Deriv(k2, tmp)
		for i := range w {
			tmp[i] = w[i] + h/2*k2[i]
		}
		sys.Deriv(k3, tmp)
		for i := range w {
			tmp[i] = w[i] + h*k3[i]
		}
		sys.Deriv(k4, tmp)
		for i := range w {
			w[i] += h / 6 * (k1[i] + 2*k2[i] + 2*k3[i] + k4[i])
		}
		if !allFinite(w) || maxAbsOf(w) > 1e6 {
			for i := range w {
				w[i] = math.NaN()
			}
			return w
		}
	}
	return w
}

func allFinite(x []float64) bool {
	for _, v := range x {
		if math.IsNaN(v) || math.IsInf(v, 0) {
			return false
		}
	}
	return true
}

// finiteRange returns the smallest and largest finite value of x (NaN, NaN
// if none).
func finiteRange(x []float64) (lo, hi float64) {
	lo, hi = math.Inf(1), math.Inf(-1)
	for _, v := range x {
		if !math.IsNaN(v) && !math.IsInf(v, 0) {
			lo, hi = math.Min(lo, v), math.Max(hi, v)
		}
	}
	if lo > hi {
		return math.NaN(), math.NaN()
	}
	return lo, hi
}

// rangeText formats lo–hi with prec significant digits, "—" when
// undefined.
func rangeText(lo, hi float64, prec int) string {
	if math.IsNaN(lo) || math.IsNaN(hi) {
		return "—"
	}
	return fmt.Sprintf("%.*g–%.*g", prec, lo, prec, hi)
}

// sigText formats x with prec significant digits, "—" when undefined.
func sigText(x float64, prec int) string {
	if math.IsNaN(x) {
		return "—"
	}
	return fmt.Sprintf("%.*g", prec, x)
}

// bracketLog returns x at which y(x) crosses target between consecutive
// points, interpolating linearly in ln x (the first crossing), NaN if
// none.
func bracketLog(x, y []float64, target float64) float64 {
	for i := 1; i < len(x); i++ {
		a, b := y[i-1]-target, y[i]-target
		if a == 0 {
			return x[i-1]
		}
		if a*b < 0 {
			f := a / (a - b)
			return math.Exp(math.Log(x[i-1]) + f*(math.Log(x[i])-math.Log(x[i-1])))
		}
	}
	return math.NaN()
}

func (r *Lattice500Result) compare() []paperRow {
	var rows []paperRow
	c := r.Config
	if c.N == 100 {
		rows = append(rows, paperRow{"converged stationary peak (eq 37)", "0.9196 at N = 100 (THEORY.md §5.4)", fmt.Sprintf("%.6f", r.Converged),
			agreement(r.Converged, 0, convergedPeak100, convergedPeak100, 1e-5)})
	} else {
		rows = append(rows, paperRow{fmt.Sprintf("converged stationary peak (eq 37), N = %d", c.N), "0.9196 is for N = 100 (THEORY.md §5.4)",
			fmt.Sprintf("%.6f", r.Converged), "not comparable (other N)"})
	}
	for s, sigma := range c.Sigmas {
		rows = append(rows, paperRow{fmt.Sprintf("σ = %g: step size at which %d %s steps give peak 0.65", sigma, c.Steps, c.Method),
			"not reported", fmt.Sprintf("%s from the mean peak; %s over %d of %d starts (τ = %s)", sigText(float64(r.BestStep[s]), 2),
				rangeText(float64(r.BestStepLo[s]), float64(r.BestStepHi[s]), 2), r.BestStepStarts[s], c.Runs,
				rangeText(float64(r.BestStepLo[s])*float64(c.Steps), float64(r.BestStepHi[s])*float64(c.Steps), 2)),
			fmt.Sprintf("the accurate solution passes 0.65 at τ = %s over the %d starts (mean %s)",
				rangeText(float64(r.TauAtLo[s]), float64(r.TauAtHi[s]), 2), c.Runs, fmtOpt(float64(r.TauAt[s]), 0))})
	}
	return rows
}

// Header returns the provenance lines written at the top of every output.
func (r *Lattice500Result) Header() []string { return r.header(r.Config) }

// WriteCSV writes one row per (σ, Δτ), preceded by '#' provenance lines.
func (r *Lattice500Result) WriteCSV(w io.Writer) error {
	if err := writeComments(w, r.Header()...); err != nil {
		return err
	}
	if err := writeComments(w, "converged peak "+g(r.Converged)); err != nil {
		return err
	}
	cw := csv.NewWriter(w)
	cw.Write([]string{"sigma", "step", "tau", "steps", "method", "peak_mean", "peak_sd", "sum_sq_mean"})
	for _, p := range r.Points {
		cw.Write([]string{g(p.Sigma), g(p.Step), g(p.Tau), strconv.Itoa(r.Config.Steps), r.Config.Method, g(float64(p.Peak)), g(float64(p.PeakSD)), g(float64(p.SumSq))})
	}
	cw.Flush()
	return cw.Error()
}

// Table returns the peak after the steps, one row per step size and one
// column per σ.
func (r *Lattice500Result) Table() string {
	c := r.Config
	s := "| Δτ | τ = steps·Δτ |"
	sep := "|---|---|"
	for _, sg := range c.Sigmas {
		s += fmt.Sprintf(" peak, σ = %g |", sg)
		sep += "---|"
	}
	s += "\n" + sep + "\n"
	for si, h := range c.StepSizes {
		s += fmt.Sprintf("| %g | %g |", h, h*float64(c.Steps))
		for k := range c.Sigmas {
			p := r.Points[k*len(c.StepSizes)+si]
			if p.Diverged > 0 {
				s += fmt.Sprintf(" diverged (%d) |", p.Diverged)
			} else {
				s += " " + pm(float64(p.Peak), float64(p.PeakSD), 3) + " |"
			}
		}
		s += "\n"
	}
	s += fmt.Sprintf("| converged | ∞ |%s\n", strings.Repeat(fmt.Sprintf(" %.4f |", r.Converged), len(c.Sigmas)))
	return s
}

// Plot writes the peak after the steps against Δτ (top), the accurate
// time course of the peak (middle) and the profile nearest 0.65 beside the
// converged bump (bottom).
func (r *Lattice500Result) Plot(path string) error {
	c := r.Config
	dash := []vg.Length{vg.Points(4), vg.Points(3)}
	pa := plot.New()
	pa.Title.Text = fmt.Sprintf("Lattice eq 37, N = %d: peak after %d %s steps (paper Fig. 14a: ≈ %.2f)", c.N, c.Steps, c.Method, paperFig14aPeak)
	pa.X.Label.Text, pa.Y.Label.Text = "step size Δτ", "peak of ŵ"
	lo, hi := span(0.3, true, c.StepSizes)
	logAxis(&pa.X, lo, hi)
	pa.Y.Min, pa.Y.Max = 0, 1.05
	for s, sg := range c.Sigmas {
		var x, y, e []float64
		for _, p := range r.Points {
			if p.Sigma == sg {
				x, y, e = append(x, p.Step), append(y, float64(p.Peak)), append(e, float64(p.PeakSD))
			}
		}
		pts, _ := finiteXY(x, y, e, true, false)
		if err := addSeries(pa, pts, colRules[s%len(colRules)], draw.CircleGlyph{}, fmt.Sprintf("random start σ = %g (%d starts)", sg, c.Runs)); err != nil {
			return err
		}
		if err := addLine(pa, x, y, colRules[s%len(colRules)], 1, nil, ""); err != nil {
			return err
		}
	}
	if err := addHLine(pa, paperFig14aPeak, lo, hi, colTheory2, dash, "paper Fig. 14a, 500 steps"); err != nil {
		return err
	}
	if err := addHLine(pa, r.Converged, lo, hi, colTheory, nil, fmt.Sprintf("converged stationary peak %.4f", r.Converged)); err != nil {
		return err
	}
	// Bottom right: below the converged peak that the large steps reach,
	// clear of both horizontal lines.
	pa.Legend.Top, pa.Legend.Left = false, false
	pa.Add(plotter.NewGrid())

	pb := plot.New()
	pb.Title.Text = "accurate time course of the peak (start 0 of each σ)"
	pb.X.Label.Text, pb.Y.Label.Text = "τ", "peak of ŵ"
	pb.Y.Min, pb.Y.Max = 0, 1.15
	for s, co := range r.Courses {
		if err := addLine(pb, co.Tau, co.Peak, colRules[s%len(colRules)], 1.5, nil, fmt.Sprintf("σ = %g: 0.65 at τ = %s over %d starts", co.Sigma, rangeText(float64(r.TauAtLo[s]), float64(r.TauAtHi[s]), 2), c.Runs)); err != nil {
			return err
		}
	}
	// Show the rise: up to twice the latest passage through 0.65 (80 if
	// none), within the integrated range.
	tMax := 40.0
	for _, t := range r.TauAt {
		if !math.IsNaN(float64(t)) {
			tMax = math.Max(tMax, float64(t))
		}
	}
	tMax = math.Min(2*tMax, r.Courses[0].Tau[len(r.Courses[0].Tau)-1])
	if err := addHLine(pb, paperFig14aPeak, 0, tMax, colTheory2, dash, ""); err != nil {
		return err
	}
	pb.X.Min, pb.X.Max = 0, tMax // after the lines, which widen the range to theirs
	pb.Legend.Top = true
	pb.Add(plotter.NewGrid())

	pc := plot.New()
	pc.Title.Text = "profile after the steps with the peak closest to 0.65 (" + r.ProfileAt + ")"
	pc.X.Label.Text, pc.Y.Label.Text = "site offset from the peak", "ŵ"
	half := min(15, c.N/2)
	pc.X.Min, pc.X.Max = -float64(half)-0.5, float64(half)+0.5
	if err := addProfile(pc, r.Stationary, half, colTheory, draw.BoxGlyph{}, 1.5, fmt.Sprintf("converged, peak %.4f", r.Converged)); err != nil {
		return err
	}
	if len(r.Profile) > 0 {
		if err := addProfile(pc, r.Profile, half, colMeasured, draw.CircleGlyph{}, 1.5, fmt.Sprintf("after %d steps, peak %.3f", c.Steps, maxOf(r.Profile))); err != nil {
			return err
		}
	}
	pc.Legend.Top = true
	pc.Add(plotter.NewGrid())
	return savePNG(path, []*plot.Plot{pa, pb, pc}, 18*vg.Centimeter, 28*vg.Centimeter, r.meta(r.Header()))
}

// Summary returns the Markdown section of the experiment.
func (r *Lattice500Result) Summary(png string) string {
	c := r.Config
	s := "## The 500-step solution of Fig. 14a\n\n"
	s += fmt.Sprintf("Small-β lattice equation (eq 37), N = %d, M = 1, integrated for %d steps of explicit %s with Δτ ∈ %v from %d random starts "+
		"of each standard deviation σ ∈ %v (meanfield.RandomStart); the time course also integrated accurately (adaptive Dormand–Prince, "+
		"relative tolerance 10⁻⁹); the converged bump by meanfield.SolveLattice. Master seed %d.\n\n",
		c.N, c.Steps, c.Method, c.StepSizes, c.Runs, c.Sigmas, c.Seed)
	s += assumptions("the step size and the scheme of the paper's \"500 integration steps\" (not reported): scanned",
		"the initial amplitude (not reported): scanned; the timing shifts as ½ ln(1/σ) (THEORY.md §5.6)")
	s += "**Paper against measured:**\n\n" + paperTable(r.Rows) + "\n" + r.Table() + "\n"
	s += fmt.Sprintf("![500 steps](%s)\n\n", png)
	s += "**Verdict:** " + r.verdict() + "\n"
	return s
}

func (r *Lattice500Result) verdict() string {
	c := r.Config
	var parts []string
	for s, sg := range c.Sigmas {
		parts = append(parts, fmt.Sprintf("for σ = %g the peak passes 0.65 at τ = %s depending on the start, so %d steps give 0.65 for Δτ = %s",
			sg, rangeText(float64(r.TauAtLo[s]), float64(r.TauAtHi[s]), 2), c.Steps, rangeText(float64(r.BestStepLo[s]), float64(r.BestStepHi[s]), 2)))
	}
	s := joinAnd(parts) + "."
	if math.Abs(r.Converged-paperFig14aPeak) > 0.05 {
		s = fmt.Sprintf("A peak of %.2f is a transient of the integration, not the stationary state (peak %.4f): ", paperFig14aPeak, r.Converged) + s
	} else {
		s = fmt.Sprintf("The stationary peak %.4f is itself within 0.05 of the paper's %.2f: ", r.Converged, paperFig14aPeak) + s
	}
	var bs []float64
	for s := range r.BestStepLo {
		bs = append(bs, float64(r.BestStepLo[s]), float64(r.BestStepHi[s]))
	}
	lo, hi := finiteRange(bs)
	last := r.Courses[0].Peak[len(r.Courses[0].Peak)-1]
	s += fmt.Sprintf(" The accurate solutions end at τ = %g with peak %.4f against the stationary %.4f.", r.Courses[0].Tau[len(r.Courses[0].Tau)-1], last, r.Converged)
	if !math.IsNaN(lo) {
		s += fmt.Sprintf(" The paper's figure is consistent with an unconverged state after %d steps of Δτ ≈ %s (τ ≈ %s), depending on the unreported start and amplitude",
			c.Steps, rangeText(lo, hi, 2), rangeText(lo*float64(c.Steps), hi*float64(c.Steps), 2))
		// Spread in ln Δτ within one σ (over starts) against that of the
		// mean-peak step sizes between σ.
		within := 0.0
		var means []float64
		for k := range r.BestStepLo {
			if d := math.Log(float64(r.BestStepHi[k]) / float64(r.BestStepLo[k])); d > within {
				within = d
			}
			means = append(means, float64(r.BestStep[k]))
		}
		mlo, mhi := finiteRange(means)
		if between := math.Log(mhi / mlo); !(between > within) {
			s += fmt.Sprintf("; the starts of one σ spread Δτ over a factor %.2g, more than the factor %.2g between the mean-peak values of different σ, so the data do not fix Δτ more closely.",
				math.Exp(within), math.Exp(between))
		} else {
			s += fmt.Sprintf("; Δτ depends more on σ (factor %.2g between the mean-peak values) than on the start (factor %.2g within one σ).",
				math.Exp(between), math.Exp(within))
		}
	}
	return s
}

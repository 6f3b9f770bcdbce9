package main

import (
	"fmt"
	"math"
	"time"

	"github.com/urfave/cli/v2"

	"placecell/internal/rng"
	"placecell/internal/version"
	"placecell/meanfield"
)

func init() { registerCommand(60, fieldCommand) }

func fieldCommand() *cli.Command {
	return &cli.Command{
		Name:  "field",
		Usage: "stationary receptive fields of the small-β theory and their stability (continuum, lattice, uniform)",
		Description: "Continuum (eqs 40–47, THEORY.md §5.1–5.3): the sech profiles b± = 8 ± 4√2 and the spectrum of the\n" +
			"linearised operator on a fine grid; b− is stable (translation mode neutral), b+ has a positive eigenvalue.\n" +
			"Lattice (eq 37, eqs 50–51, §5.4): integrates the lattice equation for M = 1..--hidden units from a small\n" +
			"random start, polishes by Newton's method and classifies the Jacobian's eigenvalues (translation modes\n" +
			"pinned by the lattice, rotation zero modes of the O(M)-invariant small-β equations for M ≥ 2, shape modes).\n" +
			"Uniform (appendix eqs A1–A12, §5.5): the uniform fixed point and the growth rates of its Fourier modes.\n" +
			"Values are in the rescaled units ŵ, τ; give --beta (and --var0) to convert to physical units (§5.2).",
		UsageText: "placecell field [--n N] [--hidden M] [--seed s] [--sigma0 σ] [--beta β] [--var0 v] [--format text|csv|json] [--table name]",
		Flags: []cli.Flag{
			nFlag(100), formatFlag(), seedFlag(),
			tableFlag("continuum, lattice (default), lattice_modes, uniform, or physical with --beta"),
			&cli.IntFlag{Name: "hidden", Aliases: []string{"m"}, Value: 2, Usage: "solve the lattice for M = 1..`M` units (M·N ≤ 800)",
				Action: func(_ *cli.Context, v int) error {
					if v < 1 || v > 6 {
						return fmt.Errorf("--hidden %d is out of range (want 1 ≤ M ≤ 6)", v)
					}
					return nil
				}},
			&cli.Float64Flag{Name: "sigma0", Value: 0.01, Usage: "standard deviation `σ` of the random start of the lattice flow",
				Action: positiveFloat("sigma0")},
			&cli.IntFlag{Name: "modes", Value: 4, Usage: "number `K` of leading Jacobian eigenvalues listed per lattice solution",
				Action: positiveInt("modes")},
			&cli.Float64Flag{Name: "beta", Usage: "data inverse temperature `β` for physical units (0: rescaled units only)",
				Action: func(_ *cli.Context, b float64) error {
					if !(b >= 0) || math.IsInf(b, 0) {
						return fmt.Errorf("--beta %v is out of range (want a finite β ≥ 0)", b)
					}
					return nil
				}},
			&cli.Float64Flag{Name: "var0", Value: 1, Usage: "hidden-unit variance `Var₀` at zero input for physical units (1 for ±1 units)",
				Action: positiveFloat("var0")},
		},
		Action: fieldAction,
	}
}

// maxFieldUnknowns bounds M·N: the Newton polish and the stability
// analysis diagonalise the dense (M·N)² Jacobian, about 15 s at M·N = 800
// on one core.
const maxFieldUnknowns = 800

// unitShape classifies a stationary field: "uniform" if it is flat (the
// uniform fixed point, PR = N, no FWHM), "localised" if its FWHM is below
// N/2 (a receptive field), "extended" otherwise (a modulation of the whole
// ring, as on rings just above the Turing threshold N = 9).
func unitShape(w []float64, u meanfield.UnitShape) string {
	lo, hi := math.Inf(1), math.Inf(-1)
	for _, x := range w {
		lo, hi = math.Min(lo, x), math.Max(hi, x)
	}
	switch {
	case hi-lo <= 1e-9*math.Max(math.Abs(lo), math.Abs(hi)):
		return "uniform"
	case u.FWHM < float64(len(w))/2:
		return "localised"
	}
	return "extended"
}

func fieldAction(c *cli.Context) error {
	if err := checkArgs(c, 0); err != nil {
		return err
	}
	n, maxM, seed := c.Int("n"), c.Int("hidden"), c.Uint64("seed")
	if n < 3 {
		return fmt.Errorf("--n %d is too small for the lattice equation (want N ≥ 3)", n)
	}
	if n*maxM > maxFieldUnknowns {
		return fmt.Errorf("--n %d with --hidden %d: the lattice Jacobian of M·N = %d unknowns is diagonalised densely "+
			"(time ∝ (M·N)³); want M·N ≤ %d (placecell flow integrates larger rings)", n, maxM, n*maxM, maxFieldUnknowns)
	}
	// Below N = 9 the uniform fixed point has no unstable mode (appendix
	// A, THEORY.md §5.5): the flow returns to it and no field localises.
	u, err := meanfield.UniformFixedPoint(float64(n))
	if err != nil {
		return err
	}
	if len(u.UnstableModes()) == 0 {
		return fmt.Errorf("--n %d: the uniform state w* = %.4g is stable on this ring (no Turing-unstable mode, appendix A), "+
			"so no receptive field forms; want N ≥ 9", n, u.W)
	}
	start := time.Now()
	var secs []section

	// Continuum profiles and their spectra.
	minus, plus := meanfield.ContinuumProfiles()
	ct := &table{head: []string{"solution", "kappa", "b", "peak", "FWHM", "integral", "PR", "top_eigenvalue",
		"translation_eigenvalue", "verdict"}}
	var cnotes []string
	for _, p := range []struct {
		name string
		p    meanfield.Profile
	}{{"b-", minus}, {"b+", plus}} {
		sp, err := meanfield.ContinuumStability(p.p, 0.05)
		if err != nil {
			return err
		}
		verdict := "stable"
		if !sp.Stable {
			verdict = "unstable"
		}
		ct.add(p.name, p.p.Kappa, p.p.B, p.p.Peak, p.p.FWHM, p.p.Integral, p.p.PR, sp.Leading,
			sp.Values[sp.Translation], verdict)
		cnotes = append(cnotes, fmt.Sprintf("%s = %.6f: %s (largest eigenvalue besides translation %.4g; analytic criterion κ %s 2)",
			p.name, p.p.B, verdict, sp.Leading, map[bool]string{true: "<", false: ">"}[p.p.Stable()]))
	}
	cnotes = append(cnotes, "w(x) = √2κ sech(κx), b = ∫w² = κ² + 2; spectrum on a periodic grid of 24/κ sites, spacing 0.05/κ")
	secs = append(secs, section{name: "continuum", title: "Continuum stationary profiles (eqs 44–45) and stability (eq 46)",
		notes: cnotes, t: ct})

	// Lattice solutions.
	lt := &table{head: []string{"M", "unit", "peak", "sum_sq", "sum", "PR", "FWHM", "centre", "shape", "tau", "residual"}}
	mt := &table{head: []string{"M", "rank", "eigenvalue", "kind", "translation_overlap", "rotation_overlap"}}
	var lnotes []string
	for m := 1; m <= maxM; m++ {
		w0 := meanfield.RandomStart(rng.New(seed, "field-start", uint64(m)), n, m, c.Float64("sigma0"))
		sol, err := meanfield.SolveLattice(c.Context, n, m, w0, nil)
		if err != nil {
			return fmt.Errorf("lattice, M = %d: %w", m, err)
		}
		shapes := map[string]int{}
		for mu, u := range sol.Units {
			sh := unitShape(sol.W[mu*n:(mu+1)*n], u)
			shapes[sh]++
			lt.add(m, mu, u.Peak, u.SumSq, u.Sum, u.PR, u.FWHM, u.Centre, sh, sol.Tau, sol.Residual)
		}
		st, err := meanfield.LatticeStability(n, m, sol.W)
		if err != nil {
			return err
		}
		for r, md := range st.Modes[:min(c.Int("modes")+(m*(m-1))/2, len(st.Modes))] {
			mt.add(m, r, md.Value, md.Kind, md.Translation, md.Rotation)
		}
		verdict := "stable"
		if !st.Stable {
			verdict = "unstable"
		}
		kinds := "localised"
		if shapes["localised"] != m {
			kinds = fmt.Sprintf("%d of %d units localised (FWHM < N/2), %d extended, %d uniform: not a set of receptive fields",
				shapes["localised"], m, shapes["extended"], shapes["uniform"])
		}
		lnotes = append(lnotes, fmt.Sprintf("M = %d: %s, %s (largest eigenvalue besides rotation zero modes %.4g), "+
			"flow to τ = %.0f (%d steps), %d Newton steps, residual %.1g",
			m, verdict, kinds, st.Leading, sol.Tau, sol.Steps, sol.NewtonSteps, sol.Residual))
	}
	lnotes = append(lnotes, fmt.Sprintf("N = %d, random start σ = %g (seed %d); units sign-normalised, M ≥ 2 rotated to one bump per unit",
		n, c.Float64("sigma0"), seed))
	secs = append(secs, section{name: "lattice", title: "Lattice stationary fields (eq 37, eqs 50–51; Newton-polished)",
		notes: lnotes, t: lt})
	secs = append(secs, section{name: "lattice_modes", title: "Lattice Jacobian: leading eigenvalues (THEORY.md §5.3)", t: mt})

	// Uniform fixed point and Turing rates.
	ut := &table{head: []string{"n", "k", "lattice_rate", "continuum_rate", "unstable"}}
	for mode := 0; mode <= min(n/2, len(u.UnstableModes())+2); mode++ {
		k := 2 * math.Pi * float64(mode) / float64(n)
		ut.add(mode, k, u.LatticeRate(mode), u.ContinuumRate(k), u.LatticeRate(mode) > 0)
	}
	secs = append(secs, section{name: "uniform", title: "Uniform fixed point and pattern formation (appendix eqs A1–A12)",
		notes: []string{
			fmt.Sprintf("w* = %.10g, b* = %.10g, f_w = 4/(L−1) = %.10g, tr 𝒜 = %.10g, det 𝒜 = %.10g (L = N = %d)",
				u.W, u.B, u.Fw, u.Trace, u.Det, n),
			fmt.Sprintf("homogeneously stable: %v; Turing-unstable as d → ∞: %v; unstable lattice modes n = %v",
				u.HomogeneousStable(), u.TuringUnstable(1e9), u.UnstableModes()),
		}, t: ut})

	// Physical units.
	if beta := c.Float64("beta"); beta > 0 {
		s := meanfield.Scale{Beta: beta, Var0: c.Float64("var0")}
		pt := &table{head: []string{"quantity", "continuum_b-", "lattice_M1", "note"}}
		var lat meanfield.UnitShape
		w0 := meanfield.RandomStart(rng.New(seed, "field-start", 1), n, 1, c.Float64("sigma0"))
		if sol, err := meanfield.SolveLattice(c.Context, n, 1, w0, nil); err == nil {
			lat = sol.Units[0]
		}
		pt.add("peak", s.Weight(minus.Peak), s.Weight(lat.Peak), "√(β/Var₀)·ŵ")
		pt.add("sum_sq", s.SumSq(minus.B), s.SumSq(lat.SumSq), "(β/Var₀)·Σŵ²")
		pt.add("W", s.Weight(minus.Integral), s.Weight(lat.Sum), "|Σw|")
		pt.add("FWHM", minus.FWHM, lat.FWHM, "sites, independent of β")
		pt.add("time_per_tau", s.Time(1), s.Time(1), "t = τ/(β Var₀)")
		secs = append(secs, section{name: "physical", title: fmt.Sprintf("Physical units at β = %g, Var₀ = %g (THEORY.md §5.2)", beta, s.Var0),
			notes: []string{"small-β limits; at β ~ 1 the receptive field is wider (paper Fig 3b)"}, t: pt})
	}

	meta := map[string]any{"program": "placecell " + version.String(), "build": version.Build(), "n": n, "hidden": maxM, "seed": seed,
		"sigma0": c.Float64("sigma0"), "seconds": math.Round(time.Since(start).Seconds()*1000) / 1000}
	return writeTables(c.App.Writer, c.String("format"), meta, secs, c.String("table"), "lattice")
}

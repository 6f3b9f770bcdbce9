package main

import (
	"encoding/csv"
	"encoding/json"
	"errors"
	"fmt"
	"image/color"
	"io"
	"math"
	"path/filepath"
	"strconv"
	"strings"
	"time"

	"codeberg.org/sbinet/npyio"
	"github.com/urfave/cli/v2"
	"gonum.org/v1/plot"
	"gonum.org/v1/plot/plotter"
	"gonum.org/v1/plot/vg"
	"gonum.org/v1/plot/vg/draw"
	"gonum.org/v1/plot/vg/vgimg"

	"placecell/dynamics"
	"placecell/internal/atomicfile"
	"placecell/internal/rng"
	"placecell/internal/version"
	"placecell/ring"
)

func init() { registerCommand(50, flowCommand) }

func flowCommand() *cli.Command {
	return &cli.Command{
		Name:  "flow",
		Usage: "integrate a learning equation (exact RBM flow, small-β lattice or continuum) from a seeded small random start",
		Description: "Equations (THEORY.md §4.6–4.10), all for M units, state M×N:\n" +
			"  exact      dw/dt = ⟨v tanh I⟩_data − ⟨v tanh I⟩_model, ±1 hidden units, zero fields, in learning time t;\n" +
			"             data: every configuration of the Ising ring (--samples 0, N ≤ 20) or S exact samples\n" +
			"  lattice    dŵ/dτ = Aŵ − Gŵ + diag(‖ŵ_i‖²)ŵ, the small-β equation (eq 37, eqs 50–51), rescaled units\n" +
			"  continuum  ∂_τw = ∂_x²w + 2w − Σ_ν c_μν w_ν + w Σ_ν w_ν² (eqs 38–39, 52–53), method of lines,\n" +
			"             ring length --n in sites, --points grid points\n" +
			"Adaptive Dormand–Prince 5(4) with error control; --method auto switches the continuum to the exponential\n" +
			"ETDRK4 scheme (Cox & Matthews 2002) when it detects stiffness (fine grids). Writes PREFIX.csv (one row per record and\n" +
			"unit), PREFIX.npy (float64, shape (records, M, N)), PREFIX.json (parameters, seeds, build, integrator\n" +
			"statistics and the order parameters of every record) and PREFIX.png (snapshots of w_i(t) of up to 4 units).\n" +
			"The exact equation takes an optional data file (±1 spins, text or .npy; it sets N and S) instead of\n" +
			"samples drawn from the Ising ring. A run that stops early (error, --max-steps, interrupt) writes the\n" +
			"trajectory up to the stopping time, marked \"complete\": false in PREFIX.json, and exits with status 1.\n" +
			"Order parameters: W = |Σw|, sum_sq = Σw², peak, participation ratio PR (sites), FWHM (sites), centre (circular\n" +
			"mean of w² in [0, N)) and centre_unwrapped (followed continuously in time, so a drifting field may leave [0, N));\n" +
			"continuum: integrals over x in sites (W = |∫w dx|, sum_sq = ∫w² dx), and Fourier amplitudes\n" +
			"|∫w e^(−2πikx/L) dx|/√L (cos and sin together), whose squares over all k sum to sum_sq, as on the lattice.",
		UsageText: "placecell flow [--equation exact|lattice|continuum] [--n N] [--hidden M] [--time T] [--seed s] [--out PREFIX] [DATA-FILE]",
		Flags: []cli.Flag{
			&cli.StringFlag{Name: "equation", Aliases: []string{"e"}, Value: "lattice", Usage: "`equation`: exact, lattice or continuum"},
			nFlag(100),
			&cli.IntFlag{Name: "hidden", Aliases: []string{"m"}, Value: 1, Usage: "number `M` of hidden units",
				Action: func(_ *cli.Context, v int) error {
					if v < 1 || v > 12 {
						return fmt.Errorf("--hidden %d is out of range (want 1 ≤ M ≤ 12)", v)
					}
					return nil
				}},
			&cli.Float64Flag{Name: "time", Aliases: []string{"t"}, Usage: "end `time`: τ for lattice/continuum (default 400), t for exact (default 100); at most 10⁶"},
			&cli.IntFlag{Name: "records", Value: 101, Usage: "number of equally spaced `records`, including t = 0",
				Action: func(_ *cli.Context, v int) error {
					if v < 2 || v > 100000 {
						return fmt.Errorf("--records %d is out of range (want 2 ≤ records ≤ 10⁵)", v)
					}
					return nil
				}},
			&cli.Float64Flag{Name: "sigma0", Usage: "standard `deviation` of the random start, 1e-100 … 1e3 (default 0.01 in rescaled units; √(0.1/N) for exact)"},
			seedFlag(),
			betaFlag(1),
			&cli.IntFlag{Name: "samples", Aliases: []string{"s"}, Value: 10000, Usage: "exact: training samples `S` drawn exactly from the Ising ring (0: exact population, N ≤ 20)",
				Action: func(_ *cli.Context, v int) error {
					if v < 0 {
						return fmt.Errorf("--samples %d must be ≥ 0", v)
					}
					return nil
				}},
			&cli.Uint64Flag{Name: "data-seed", Value: 1, Usage: "exact: `seed` of the data sampler"},
			&cli.IntFlag{Name: "points", Usage: "continuum: grid `points` P over the ring (default 4N)"},
			&cli.StringFlag{Name: "method", Value: "auto", Usage: "integrator `method`: auto, dopri5 or etdrk4 (continuum only)"},
			&cli.Float64Flag{Name: "rtol", Value: 1e-8, Usage: "relative `tolerance` of the error control",
				Action: func(_ *cli.Context, v float64) error {
					if !(v >= 1e-14 && v <= 1e-2) {
						return fmt.Errorf("--rtol %v is out of range (want 1e-14 ≤ rtol ≤ 1e-2)", v)
					}
					return nil
				}},
			&cli.IntFlag{Name: "max-steps", Usage: "stop after this many integrator `steps` (accepted and rejected; 0: 10⁷) and write the partial trajectory",
				Action: func(_ *cli.Context, v int) error {
					if v < 0 {
						return fmt.Errorf("--max-steps %d must be ≥ 0", v)
					}
					return nil
				}},
			&cli.StringFlag{Name: "out", Aliases: []string{"o"}, Value: "flow", Usage: "output `prefix`: PREFIX.csv, .npy, .json, .png",
				Action: func(_ *cli.Context, v string) error {
					if b := filepath.Base(v); v == "" || strings.HasSuffix(v, "/") || strings.HasSuffix(v, string(filepath.Separator)) || b == "." || b == ".." {
						return fmt.Errorf("--out %q must be a file prefix such as runs/flow (the files are PREFIX.csv, .npy, .json, .png)", v)
					}
					return nil
				}},
			formatFlag(),
		},
		Action: flowAction,
	}
}

// flowOutput is the provenance sidecar PREFIX.json.
type flowOutput struct {
	Program   string         `json:"program"`
	Version   string         `json:"version"`
	Build     string         `json:"build"`
	Equation  string         `json:"equation"`
	Reference string         `json:"reference"`
	N         int            `json:"n"`
	Hidden    int            `json:"hidden"`
	Units     string         `json:"units"`
	Params    map[string]any `json:"parameters"`
	Seed      uint64         `json:"seed"`
	Sigma0    float64        `json:"sigma0"`
	Method    string         `json:"method"`
	RelTol    float64        `json:"rtol"`
	Steps     int            `json:"steps"`
	Rejected  int            `json:"rejected"`
	Evals     int            `json:"evaluations"`
	Residual  float64        `json:"final_residual"`
	Stiff     bool           `json:"stiffness_detected"`
	StiffAt   optFloat       `json:"stiff_at"`
	Switched  optFloat       `json:"switched_to_etdrk4_at"`
	Seconds   float64        `json:"seconds"`
	// Complete is false when the integration stopped before the last
	// requested time; StoppedBy then holds the reason.
	Complete  bool              `json:"complete"`
	StoppedBy string            `json:"stopped_by,omitempty"`
	Requested int               `json:"requested_records"`
	Files     map[string]string `json:"files"`
	Layout    string            `json:"layout"`
	Order     []flowRecord      `json:"records"`
}

// flowRecord is a Snapshot with undefined values encoded as null.
type flowRecord struct {
	T          float64     `json:"t"`
	W          []float64   `json:"W"`
	SumSq      []float64   `json:"sum_sq"`
	Peak       []float64   `json:"peak"`
	PR         []optFloat  `json:"pr"`
	FWHM       []optFloat  `json:"fwhm"`
	Centre     []optFloat  `json:"centre"`
	Unwrapped  []optFloat  `json:"unwrapped_centre"`
	Separation []optFloat  `json:"separations,omitempty"`
	Amplitude  [][]float64 `json:"fourier_amplitude_k0_to_3"`
}

func opt(x []float64) []optFloat {
	out := make([]optFloat, len(x))
	for i, v := range x {
		out[i] = optFloat(v)
	}
	return out
}

// Bounds of the flow's inputs: the flows settle by τ (or βt) of order 10³,
// so a longer run only adds steps at the fixed point; σ₀ below 1e-100
// would make Σw² and the absolute tolerance underflow; the trajectory is
// held in memory.
const (
	maxFlowTime   = 1e6
	minFlowSigma0 = 1e-100
	maxFlowSigma0 = 1e3
	maxFlowValues = 20_000_000 // records × M × sites (160 MB)
)

func flowAction(c *cli.Context) error {
	if err := checkArgs(c, 1); err != nil {
		return err
	}
	eq, n, m, seed := c.String("equation"), c.Int("n"), c.Int("hidden"), c.Uint64("seed")
	out := flowOutput{Program: "placecell", Version: version.String(), Build: version.Build(), Equation: eq, N: n, Hidden: m,
		Seed: seed, Params: map[string]any{}, RelTol: c.Float64("rtol")}
	tEnd := c.Float64("time")
	if c.IsSet("time") && !(tEnd > 0 && tEnd <= maxFlowTime) {
		return fmt.Errorf("--time %v is out of range (want 0 < T ≤ 10⁶: the flows settle by τ ~ 10³, a longer run only adds steps at the fixed point)", tEnd)
	}
	path := c.Args().First()
	if path != "" && eq != "exact" {
		return fmt.Errorf("a data file (%s) applies only to --equation exact", path)
	}

	// The system and its initial state.
	var sys dynamics.System
	var sigma0 float64
	sites := n
	switch eq {
	case "lattice":
		if n < 3 {
			return fmt.Errorf("--n %d is too small for the lattice equation (want N ≥ 3)", n)
		}
		sys = dynamics.NewLattice(n, m)
		sigma0, out.Units = 0.01, "rescaled ŵ = w√(Var₀/β), time τ = β·Var₀·t"
		out.Reference = "THEORY.md §4.8, paper eq 37 (M = 1), eqs 50–51 (M = 2)"
		if tEnd == 0 {
			tEnd = 400
		}
	case "continuum":
		p := c.Int("points")
		if p == 0 {
			p = 4 * n
		}
		if p < 8 || p > 1<<16 {
			return fmt.Errorf("--points %d is out of range (want 8 ≤ P ≤ 65536)", p)
		}
		cont := dynamics.NewContinuum(m, p, float64(n))
		sys, sites = cont, p
		sigma0, out.Units = 0.01, "rescaled ŵ, τ; x in sites, grid spacing dx = N/P"
		out.Reference = "THEORY.md §4.10, paper eqs 38–39 (M = 1), 52–53 (M = 2)"
		out.Params["points"], out.Params["dx"], out.Params["length"] = p, cont.Dx(), float64(n)
		if tEnd == 0 {
			tEnd = 400
		}
	case "exact":
		var data *ring.Spins
		if path != "" {
			for _, f := range []string{"n", "beta", "samples", "data-seed"} {
				if c.IsSet(f) {
					return fmt.Errorf("--%s does not apply when the data come from a file (%s sets N and S)", f, path)
				}
			}
			var err error
			if data, err = ring.ReadSpinsFile(path); err != nil {
				return err
			}
			if data.Sites() < 3 {
				return fmt.Errorf("%s has %d sites per configuration (want N ≥ 3)", path, data.Sites())
			}
			n, sites, out.N = data.Sites(), data.Sites(), data.Sites()
			sys = dynamics.NewSpinFlow(m, data)
			out.Params["data"] = "file"
			out.Params["file"], out.Params["samples"] = path, data.Len()
			out.Reference = "THEORY.md §4.6, paper eqs 19–22, 32 (M = 1), 48 (M = 2)"
		} else {
			model := ring.Ising{N: n, Beta: c.Float64("beta")}
			if err := model.Validate(); err != nil {
				return err
			}
			s := c.Int("samples")
			if s == 0 {
				if n > dynamics.MaxEnumerationN {
					return fmt.Errorf("--samples 0 (exact population) needs N ≤ %d, have --n %d", dynamics.MaxEnumerationN, n)
				}
				sys = dynamics.NewSpinFlowPopulation(m, model)
				out.Params["data"] = "exact population, all 2^N configurations"
			} else {
				data = ring.Generate(ring.NewExact(model), s, c.Uint64("data-seed"))
				sys = dynamics.NewSpinFlow(m, data)
				out.Params["data"] = "exact samples"
				out.Params["samples"], out.Params["data_seed"], out.Params["block_size"] = s, c.Uint64("data-seed"), ring.BlockSize
			}
			out.Params["beta"] = model.Beta
		}
		sigma0, out.Units = math.Sqrt(0.1/float64(n)), "physical weights w, learning time t = ν·updates"
		out.Reference = "THEORY.md §4.6, paper eqs 19–22, 32 (M = 1), 48 (M = 2)"
		if tEnd == 0 {
			tEnd = 100
		}
	default:
		return fmt.Errorf("--equation %q is not available (want exact, lattice or continuum)", eq)
	}
	if c.IsSet("sigma0") {
		sigma0 = c.Float64("sigma0")
		if !(sigma0 >= minFlowSigma0 && sigma0 <= maxFlowSigma0) {
			return fmt.Errorf("--sigma0 %v is out of range (want 1e-100 ≤ σ₀ ≤ 1e3)", sigma0)
		}
	}
	out.Sigma0 = sigma0
	records := c.Int("records")
	if v := float64(records) * float64(m) * float64(sites); v > maxFlowValues {
		return fmt.Errorf("--records %d × %d units × %d sites = %.3g values to hold (want at most %.0e; give fewer --records)",
			records, m, sites, v, float64(maxFlowValues))
	}
	init := rng.New(seed, "flow-init", 0)
	y0 := make([]float64, m*sites)
	for k := range y0 {
		y0[k] = sigma0 * init.NormFloat64()
	}

	var method dynamics.Method
	switch c.String("method") {
	case "auto":
		method = dynamics.Auto
	case "dopri5":
		method = dynamics.DormandPrince
	case "etdrk4":
		if eq != "continuum" {
			return fmt.Errorf("--method etdrk4 needs --equation continuum (the only semilinear system)")
		}
		method = dynamics.ETDRK4
	default:
		return fmt.Errorf("--method %q is not available (want auto, dopri5 or etdrk4)", c.String("method"))
	}

	// Integration: equally spaced records, the last exactly at tEnd.
	times := make([]float64, records)
	for j := range times {
		times[j] = tEnd * (float64(j) / float64(records-1))
	}
	times[records-1] = tEnd
	out.Requested = records
	prog := newProgress(c.App.ErrWriter, "flow: t")
	start := time.Now()
	res, err := dynamics.Integrate(c.Context, sys, y0, times, &dynamics.ODESettings{
		RelTol: out.RelTol, AbsTol: out.RelTol * 1e-2 * sigma0, Method: method, MaxSteps: c.Int("max-steps"),
		Progress: func(t float64) { prog.update(int(1000*t/tEnd), 1000) },
	})
	prog.finish()
	partial := err != nil
	if partial && !errors.Is(err, dynamics.ErrMaxSteps) && !errors.Is(err, dynamics.ErrStepSize) &&
		!errors.Is(err, dynamics.ErrNotFinite) && c.Context.Err() == nil {
		return err // nothing integrated
	}
	out.Complete = !partial
	if partial {
		out.StoppedBy = err.Error()
	}
	out.Seconds = time.Since(start).Seconds()
	out.Method, out.Steps, out.Rejected, out.Evals, out.Residual = res.Method.String(), res.Steps, res.Rejected, res.Evals, res.Residual
	out.Stiff, out.StiffAt, out.Switched = res.Stiff, optFloat(math.NaN()), optFloat(res.SwitchedAt)
	if res.Stiff {
		out.StiffAt = optFloat(res.StiffAt)
	}

	// Order parameters and outputs.
	snaps := dynamics.Track(res.T, res.Y, m, sites)
	if cont, ok := sys.(*dynamics.Continuum); ok {
		// Grid sums to integrals and grid indices to positions in sites;
		// the grid's orthonormal Fourier amplitudes to those of the
		// continuum basis e^(2πikx/L)/√L (a factor √dx), so that their
		// squares again sum to sum_sq = ∫w².
		dx := cont.Dx()
		for j := range snaps {
			s := &snaps[j]
			for _, v := range [][]float64{s.W, s.SumSq, s.PR, s.FWHM, s.Centre, s.Unwrapped, s.Separation} {
				for k := range v {
					v[k] *= dx
				}
			}
			for _, a := range s.Amplitude {
				for k := range a {
					a[k] *= math.Sqrt(dx)
				}
			}
		}
		out.Units += "; order parameters as integrals (W = |∫w dx|, sum_sq = ∫w² dx, Fourier amplitudes |∫w e^(−2πikx/L) dx|/√L) and positions in sites"
	} else {
		out.Units += "; Fourier amplitudes |Σ_i w_i e^(−2πiki/N)|/√N (cos and sin together; squares over all k sum to sum_sq)"
	}
	for _, s := range snaps {
		r := flowRecord{T: s.T, W: s.W, SumSq: s.SumSq, Peak: s.Peak, PR: opt(s.PR), FWHM: opt(s.FWHM),
			Centre: opt(s.Centre), Unwrapped: opt(s.Unwrapped), Separation: opt(s.Separation)}
		for _, a := range s.Amplitude {
			r.Amplitude = append(r.Amplitude, a[:min(4, len(a))])
		}
		out.Order = append(out.Order, r)
	}
	prefix := c.String("out")
	out.Files = map[string]string{"csv": prefix + ".csv", "npy": prefix + ".npy", "png": prefix + ".png"}
	out.Layout = "npy: float64 array (record, unit μ, site i); csv: one row per record and unit, columns t, unit, w_0 … w_(N−1)"
	if err := writeFlow(prefix, &out, res, m, sites); err != nil {
		return err
	}
	if err := plotFlow(prefix+".png", &out, res, m, sites, eq); err != nil {
		return err
	}

	// Summary.
	w := c.App.Writer
	format := c.String("format")
	tname, tcol := "τ", "tau"
	if eq == "exact" {
		tname, tcol = "t", "t"
	}
	if format == "text" {
		fmt.Fprintf(w, "%s equation, N = %d, M = %d: %s = 0 → %g from σ₀ = %.4g (seed %d); %s, %d steps (%d rejected), final residual ‖f‖∞ = %.3g, %.3g s\n",
			eq, n, m, tname, tEnd, sigma0, seed, out.Method, out.Steps, out.Rejected, out.Residual, out.Seconds)
		if res.Stiff {
			if !math.IsNaN(res.SwitchedAt) {
				fmt.Fprintf(w, "stiffness detected at %s = %.4g: switched to the exponential ETDRK4 scheme\n", tname, res.SwitchedAt)
			} else {
				fmt.Fprintf(w, "steps limited by stability from %s = %.4g (stiffness test; normal once the state rests at a stable fixed point)\n",
					tname, res.StiffAt)
			}
		}
		fmt.Fprintln(w, "centre: circular mean of w² in [0, N) sites; centre_unwrapped: followed continuously in time")
	}
	t := &table{head: []string{tcol, "unit", "W", "sum_sq", "peak", "PR", "FWHM", "centre", "centre_unwrapped"}, prec: 5}
	if format != "text" {
		t.prec = -1 // shortest representation that reads back exactly
	}
	step := max(1, (len(snaps)+9)/10)
	for j := 0; j < len(snaps); j += step {
		addFlowRows(t, snaps[j])
	}
	if (len(snaps)-1)%step != 0 {
		addFlowRows(t, snaps[len(snaps)-1])
	}
	if err := t.write(w, format, map[string]any{"program": "placecell " + version.String(), "build": out.Build, "equation": eq,
		"n": n, "hidden": m, "seed": seed, "steps": out.Steps, "residual": out.Residual, "complete": out.Complete}); err != nil {
		return err
	}
	files := fmt.Sprintf("%s.csv, %s.npy, %s.json and %s.png", prefix, prefix, prefix, prefix)
	if m > 4 {
		files += " (the figure shows units 0–3 of " + strconv.Itoa(m) + ")"
	}
	if partial {
		return fmt.Errorf("integration stopped at %s = %.4g of %g: %w; wrote the partial trajectory (%d of %d records) to %s",
			tname, res.T[len(res.T)-1], tEnd, err, len(res.T), records, files)
	}
	if format == "text" {
		fmt.Fprintf(w, "wrote %s\n", files)
	}
	return nil
}

func addFlowRows(t *table, s dynamics.Snapshot) {
	for mu := range s.W {
		t.add(s.T, mu, s.W[mu], s.SumSq[mu], s.Peak[mu], s.PR[mu], s.FWHM[mu], s.Centre[mu], s.Unwrapped[mu])
	}
}

// writeFlow writes the trajectory as CSV and .npy and the sidecar JSON,
// each atomically.
func writeFlow(prefix string, out *flowOutput, res *dynamics.ODEResult, m, n int) error {
	if err := atomicfile.Write(prefix+".csv", func(f io.Writer) error {
		line, _ := json.Marshal(map[string]any{"program": out.Program, "version": out.Version, "build": out.Build, "equation": out.Equation,
			"n": out.N, "hidden": out.Hidden, "seed": out.Seed, "sigma0": out.Sigma0, "parameters": out.Params,
			"complete": out.Complete, "stopped_by": out.StoppedBy})
		fmt.Fprintf(f, "# placecell flow trajectory (%s)\n# %s\n", out.Reference, line)
		cw := csv.NewWriter(f)
		head := []string{"t", "unit"}
		for i := 0; i < n; i++ {
			head = append(head, "w_"+strconv.Itoa(i))
		}
		cw.Write(head)
		row := make([]string, n+2)
		for j, t := range res.T {
			for mu := 0; mu < m; mu++ {
				row[0], row[1] = strconv.FormatFloat(t, 'g', -1, 64), strconv.Itoa(mu)
				for i, x := range res.Y[j][mu*n : (mu+1)*n] {
					row[i+2] = strconv.FormatFloat(x, 'g', -1, 64)
				}
				cw.Write(row)
			}
		}
		cw.Flush()
		return cw.Error()
	}); err != nil {
		return err
	}
	arr := make([][][]float64, len(res.Y))
	for j, y := range res.Y {
		arr[j] = make([][]float64, m)
		for mu := range arr[j] {
			arr[j][mu] = y[mu*n : (mu+1)*n]
		}
	}
	if err := atomicfile.Write(prefix+".npy", func(f io.Writer) error { return npyio.Write(f, arr) }); err != nil {
		return err
	}
	js, err := json.MarshalIndent(out, "", " ")
	if err != nil {
		return err
	}
	return atomicfile.WriteBytes(prefix+".json", append(js, '\n'))
}

// plotFlow draws up to four units, each a panel of w_i against i at up
// to nine records spaced geometrically in time (so that the early growth
// shows), from light (early) to dark (late), with the legend of the times
// in a column at the right, clear of the curves. Each unit's sign is fixed
// by its final state (largest entry positive).
func plotFlow(path string, out *flowOutput, res *dynamics.ODEResult, m, n int, eq string) error {
	shown := min(m, 4)
	panels := make([]*plot.Plot, shown)
	last := len(res.T) - 1
	var idx []int
	seen := map[int]bool{}
	for s := 0; s <= 8 && last > 0; s++ {
		j := 0
		if s > 0 {
			j = int(math.Round(math.Pow(float64(last), float64(s-1)/7)))
		}
		if !seen[j] {
			seen[j] = true
			idx = append(idx, j)
		}
	}
	if len(idx) == 0 {
		idx = []int{0}
	}
	dx := 1.0
	xlabel := "site i"
	if eq == "continuum" {
		dx = float64(out.N) / float64(n)
		xlabel = "position x (sites)"
	}
	tname := "τ"
	if eq == "exact" {
		tname = "t"
	}
	legend := plot.NewLegend()
	legend.Top, legend.Left = true, true
	for mu := 0; mu < shown; mu++ {
		p := plot.New()
		p.Title.Text = fmt.Sprintf("%s equation, N = %d, M = %d: unit %d", eq, out.N, m, mu)
		if mu == 0 {
			p.Title.Text += fmt.Sprintf(" (seed %d, σ₀ = %.3g)", out.Seed, out.Sigma0)
			if m > shown {
				p.Title.Text += fmt.Sprintf("; units 0–%d of %d shown", shown-1, m)
			}
			if !out.Complete {
				p.Title.Text += fmt.Sprintf("; stopped early at %s = %.4g", tname, res.T[last])
			}
		}
		p.X.Label.Text = xlabel
		p.Y.Label.Text = "w"
		if eq != "exact" {
			p.Y.Label.Text = "ŵ (rescaled)"
		}
		final := res.Y[last][mu*n : (mu+1)*n]
		sign, peakAt := 1.0, 0
		for i, v := range final {
			if math.Abs(v) > math.Abs(final[peakAt]) {
				peakAt = i
			}
		}
		if final[peakAt] < 0 {
			sign = -1
		}
		lo, hi := math.Inf(1), math.Inf(-1)
		for s, j := range idx {
			row := res.Y[j][mu*n : (mu+1)*n]
			xy := make(plotter.XYs, n)
			for i, v := range row {
				xy[i] = plotter.XY{X: dx * float64(i), Y: sign * v}
				if !math.IsNaN(v) && !math.IsInf(v, 0) {
					lo, hi = math.Min(lo, sign*v), math.Max(hi, sign*v)
				}
			}
			l, err := plotter.NewLine(xy)
			if err != nil {
				return fmt.Errorf("could not plot %s: %w", path, err)
			}
			f := float64(s) / float64(max(1, len(idx)-1))
			l.LineStyle.Color = color.RGBA{R: uint8(210 - 190*f), G: uint8(210 - 160*f), B: uint8(235 - 90*f), A: 255}
			l.LineStyle.Width = vg.Points(1.3)
			p.Add(l)
			if mu == 0 {
				legend.Add(fmt.Sprintf("%s = %.4g", tname, res.T[j]), l)
			}
		}
		r := math.Max(hi-lo, 1e-12)
		p.Y.Min, p.Y.Max = lo-0.05*r, hi+0.05*r
		p.X.Min, p.X.Max = 0, dx*float64(n-1)
		p.Add(plotter.NewGrid())
		panels[mu] = p
	}
	const (
		width   = 21 * vg.Centimeter
		legendW = 3 * vg.Centimeter
	)
	height := vg.Length(shown) * 8 * vg.Centimeter
	img := vgimg.NewWith(vgimg.UseWH(width, height), vgimg.UseDPI(120))
	dc := draw.New(img)
	rows := make([][]*plot.Plot, shown)
	for i, p := range panels {
		rows[i] = []*plot.Plot{p}
	}
	canvases := plot.Align(rows, draw.Tiles{Rows: shown, Cols: 1, PadY: vg.Points(6), PadTop: vg.Points(4),
		PadBottom: vg.Points(4), PadLeft: vg.Points(4), PadRight: vg.Points(6)}, draw.Crop(dc, 0, -legendW, 0, 0))
	for i, p := range panels {
		p.Draw(canvases[i][0])
	}
	// The legend column, level with the first panel's plotting area.
	legend.Draw(draw.Crop(dc, width-legendW+vg.Points(6), -vg.Points(4), 0, -vg.Points(28)))
	return atomicfile.Write(path, func(f io.Writer) error {
		_, err := (vgimg.PngCanvas{Canvas: img}).WriteTo(f)
		return err
	})
}

package main

import (
	"encoding/csv"
	"encoding/json"
	"fmt"
	"image/color"
	"io"
	"math"
	"strconv"
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
			"unit), PREFIX.npy (float64, shape (records, M, N)), PREFIX.json (parameters, seeds, integrator\n" +
			"statistics and the order parameters of every record) and PREFIX.png (snapshots of w_i(t)).",
		UsageText: "placecell flow [--equation exact|lattice|continuum] [--n N] [--hidden M] [--time T] [--seed s] [--out PREFIX]",
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
			&cli.Float64Flag{Name: "time", Aliases: []string{"t"}, Usage: "end `time`: τ for lattice/continuum (default 400), t for exact (default 100)"},
			&cli.IntFlag{Name: "records", Value: 101, Usage: "number of equally spaced `records`, including t = 0",
				Action: func(_ *cli.Context, v int) error {
					if v < 2 || v > 100000 {
						return fmt.Errorf("--records %d is out of range (want 2 ≤ records ≤ 10⁵)", v)
					}
					return nil
				}},
			&cli.Float64Flag{Name: "sigma0", Usage: "standard deviation of the random start (default 0.01 in rescaled units; √(0.1/N) for exact)"},
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
			&cli.StringFlag{Name: "out", Aliases: []string{"o"}, Value: "flow", Usage: "output `prefix`: PREFIX.csv, .npy, .json, .png"},
			formatFlag(),
		},
		Action: flowAction,
	}
}

// flowOutput is the provenance sidecar PREFIX.json.
type flowOutput struct {
	Program   string            `json:"program"`
	Version   string            `json:"version"`
	Equation  string            `json:"equation"`
	Reference string            `json:"reference"`
	N         int               `json:"n"`
	Hidden    int               `json:"hidden"`
	Units     string            `json:"units"`
	Params    map[string]any    `json:"parameters"`
	Seed      uint64            `json:"seed"`
	Sigma0    float64           `json:"sigma0"`
	Method    string            `json:"method"`
	RelTol    float64           `json:"rtol"`
	Steps     int               `json:"steps"`
	Rejected  int               `json:"rejected"`
	Evals     int               `json:"evaluations"`
	Residual  float64           `json:"final_residual"`
	Stiff     bool              `json:"stiffness_detected"`
	StiffAt   optFloat          `json:"stiff_at"`
	Switched  optFloat          `json:"switched_to_etdrk4_at"`
	Seconds   float64           `json:"seconds"`
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

func flowAction(c *cli.Context) error {
	if err := checkArgs(c, 0); err != nil {
		return err
	}
	eq, n, m, seed := c.String("equation"), c.Int("n"), c.Int("hidden"), c.Uint64("seed")
	out := flowOutput{Program: "placecell", Version: version.String(), Equation: eq, N: n, Hidden: m, Seed: seed,
		Params: map[string]any{}, RelTol: c.Float64("rtol")}
	tEnd := c.Float64("time")
	if c.IsSet("time") && (!(tEnd > 0) || math.IsInf(tEnd, 0)) {
		return fmt.Errorf("--time %v must be positive and finite", tEnd)
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
			data := ring.Generate(ring.NewExact(model), s, c.Uint64("data-seed"))
			sys = dynamics.NewSpinFlow(m, data)
			out.Params["data"] = "exact samples"
			out.Params["samples"], out.Params["data_seed"], out.Params["block_size"] = s, c.Uint64("data-seed"), ring.BlockSize
		}
		out.Params["beta"] = model.Beta
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
		if !(sigma0 > 0) || math.IsInf(sigma0, 0) {
			return fmt.Errorf("--sigma0 %v must be positive and finite", sigma0)
		}
	}
	out.Sigma0 = sigma0
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

	// Integration.
	records := c.Int("records")
	times := make([]float64, records)
	for j := range times {
		times[j] = tEnd * float64(j) / float64(records-1)
	}
	prog := newProgress(c.App.ErrWriter, "flow: t")
	start := time.Now()
	res, err := dynamics.Integrate(c.Context, sys, y0, times, &dynamics.ODESettings{
		RelTol: out.RelTol, AbsTol: out.RelTol * 1e-2 * sigma0, Method: method,
		Progress: func(t float64) { prog.update(int(1000*t/tEnd), 1000) },
	})
	prog.finish()
	if err != nil {
		return fmt.Errorf("integration stopped at t = %.4g: %w", res.T[len(res.T)-1], err)
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
		// Grid sums to integrals and grid indices to positions in sites.
		dx := cont.Dx()
		for j := range snaps {
			s := &snaps[j]
			for _, v := range [][]float64{s.W, s.SumSq, s.PR, s.FWHM, s.Centre, s.Unwrapped, s.Separation} {
				for k := range v {
					v[k] *= dx
				}
			}
		}
		out.Units += "; order parameters as integrals (W = |∫w|, sum_sq = ∫w²) and positions in sites"
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
	tname := "τ"
	if eq == "exact" {
		tname = "t"
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
	}
	t := &table{head: []string{tname, "unit", "W", "sum_sq", "peak", "PR", "FWHM", "centre"}, prec: 5}
	step := max(1, (len(snaps)+9)/10)
	for j := 0; j < len(snaps); j += step {
		addFlowRows(t, snaps[j])
	}
	if (len(snaps)-1)%step != 0 {
		addFlowRows(t, snaps[len(snaps)-1])
	}
	if err := t.write(w, format, map[string]any{"program": "placecell " + version.String(), "equation": eq,
		"n": n, "hidden": m, "seed": seed, "steps": out.Steps, "residual": out.Residual}); err != nil {
		return err
	}
	if format == "text" {
		fmt.Fprintf(w, "wrote %s.csv, %s.npy, %s.json and %s.png\n", prefix, prefix, prefix, prefix)
	}
	return nil
}

func addFlowRows(t *table, s dynamics.Snapshot) {
	for mu := range s.W {
		t.add(s.T, mu, s.W[mu], s.SumSq[mu], s.Peak[mu], s.PR[mu], s.FWHM[mu], s.Unwrapped[mu])
	}
}

// writeFlow writes the trajectory as CSV and .npy and the sidecar JSON,
// each atomically.
func writeFlow(prefix string, out *flowOutput, res *dynamics.ODEResult, m, n int) error {
	if err := atomicfile.Write(prefix+".csv", func(f io.Writer) error {
		line, _ := json.Marshal(map[string]any{"program": out.Program, "version": out.Version, "equation": out.Equation,
			"n": out.N, "hidden": out.Hidden, "seed": out.Seed, "sigma0": out.Sigma0, "parameters": out.Params})
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
// shows), from light (early) to dark (late). Each unit's sign is fixed by
// its final state (largest entry positive).
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
	for mu := 0; mu < shown; mu++ {
		p := plot.New()
		p.Title.Text = fmt.Sprintf("%s equation, N = %d, M = %d: unit %d", eq, out.N, m, mu)
		if mu == 0 {
			p.Title.Text += fmt.Sprintf(" (seed %d, σ₀ = %.3g)", out.Seed, out.Sigma0)
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
			p.Legend.Add(fmt.Sprintf("%s = %.4g", tname, res.T[j]), l)
		}
		// Headroom for the legend, placed on the side away from the peak.
		r := math.Max(hi-lo, 1e-12)
		p.Y.Min, p.Y.Max = lo-0.05*r, hi+0.05*r
		p.X.Min, p.X.Max = 0, dx*float64(n-1)
		p.Legend.Top = true
		p.Legend.Left = peakAt > n/2
		p.Add(plotter.NewGrid())
		panels[mu] = p
	}
	const width = 18 * vg.Centimeter
	height := vg.Length(shown) * 8 * vg.Centimeter
	img := vgimg.NewWith(vgimg.UseWH(width, height), vgimg.UseDPI(120))
	dc := draw.New(img)
	rows := make([][]*plot.Plot, shown)
	for i, p := range panels {
		rows[i] = []*plot.Plot{p}
	}
	canvases := plot.Align(rows, draw.Tiles{Rows: shown, Cols: 1, PadY: vg.Points(6), PadTop: vg.Points(4),
		PadBottom: vg.Points(4), PadLeft: vg.Points(4), PadRight: vg.Points(6)}, dc)
	for i, p := range panels {
		p.Draw(canvases[i][0])
	}
	return atomicfile.Write(path, func(f io.Writer) error {
		_, err := (vgimg.PngCanvas{Canvas: img}).WriteTo(f)
		return err
	})
}

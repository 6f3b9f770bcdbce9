package main

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io"
	"math"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"

	"github.com/urfave/cli/v2"
	"gonum.org/v1/gonum/stat"

	"placecell/compare/rbm"
	"placecell/internal/atomicfile"
	"placecell/internal/version"
	"placecell/ring"
	"placecell/spectral"
)

func init() { registerCommand(45, importCommand) }

func importCommand() *cli.Command {
	return &cli.Command{
		Name:  "import",
		Usage: "order parameters of another simulator's weight trajectory, beside the linear theory",
		Description: "Reads a weights .npy (float64, float32 or int64, C order) of shape (records, M, N) or (M, N) — the layout\n" +
			"of PGM's RBM.weights and of placecell train's OUT-weights.npy — or, with --layout nm, (records, N, M)\n" +
			"or (N, M) (visible × hidden). For every record and unit it computes the order parameters placecell\n" +
			"train records (W = |Σw|, Σw², PR, FWHM, centre; the same function) and writes OUT.json (provenance: version,\n" +
			"build, input path and sha256, every flag) and OUT-fourier.npy (records, M, ⌊N/2⌋+1), |ŵ(k)|².\n" +
			"Potts weights (XY data) are (records, M, N, q) — PGM's (n_h, n_v, n_cv) per\n" +
			"record — or, with --states q, one record (M, N, q); --layout nm reads (records, N, M, q). A 3-D array without\n" +
			"--states is (records, M, N). For Potts units order_w is null, Σw² is Σ_i s_i (s_i = Σ_c w_μi(c)²), PR, FWHM and\n" +
			"centre are those of √s_i, OUT-fourier.npy is (records, M, q, ⌊N/2⌋+1), and OUT-angular.npy (records, M, N)\n" +
			"holds the XY angular modulation Σ_c |w_μi(c)| (eq 17 corrected, THEORY.md §4.12).\n" +
			"Learning times: --times (a .npy or a comma list, one per record) or --nu and --every (t = ν·updates,\n" +
			"records at updates 0, K, 2K, …). With a data model (--model, --beta, --p or --param; N is the file's)\n" +
			"it prints the exact growth rates σ_k = λ_k − 1 of the top --modes Fourier modes (±1 data and hidden\n" +
			"units, eq 23, THEORY.md §4.5) and, given times and ≥ 3 records, the rate fitted to ½ ln |ŵ(k)|² over\n" +
			"the first --fit-records records (mean over units ± standard error), which the linear theory predicts\n" +
			"while the weights are small.\n" +
			"--format csv prints one table (--table records or theory); text and json print both.",
		UsageText: "placecell import [--layout mn|nm] [--states q] [--times FILE|t0,t1,… | --nu ν --every K] [--model M --beta β …]\n" +
			"   [--modes K] [--fit-records R] [--pr-exponent a] [--out PREFIX] [--format text|csv|json] [--table name] WEIGHTS.npy",
		Flags: []cli.Flag{
			&cli.StringFlag{Name: "layout", Value: "mn", Usage: "array layout: `mn` ((records,) M, N: PGM, placecell) or nm ((records,) N, M)",
				Action: func(_ *cli.Context, s string) error {
					if s != "mn" && s != "nm" {
						return fmt.Errorf("--layout %q is not available (want mn or nm)", s)
					}
					return nil
				}},
			&cli.IntFlag{Name: "states", Usage: "Potts weights with `q` ≥ 2 states per site, the last axis: (records, M, N, q) or (M, N, q) (a 4-D array needs no flag)",
				Action: func(_ *cli.Context, v int) error {
					if v < 2 {
						return fmt.Errorf("--states %d must be at least 2", v)
					}
					return nil
				}},
			&cli.StringFlag{Name: "times", Usage: "learning time of each record: a .npy `file` or a comma list t0,t1,…"},
			&cli.Float64Flag{Name: "nu", Usage: "learning rate `ν`: t = ν·updates (with --every)", Action: positiveFloat("nu")},
			&cli.IntFlag{Name: "every", Usage: "`K` updates between records (with --nu)", Action: positiveInt("every")},
			modelFlag(), nFlag(100), betaFlag(1), pFlag(), paramFlag(),
			&cli.IntFlag{Name: "modes", Value: 5, Usage: "theory: the `K` Fourier modes k ≤ N/2 of largest λ_k", Action: positiveInt("modes")},
			&cli.IntFlag{Name: "fit-records", Usage: "fit the growth rates over the first `R` ≥ 3 records (0: all)",
				Action: func(_ *cli.Context, v int) error {
					if v != 0 && v < 3 {
						return fmt.Errorf("--fit-records %d must be 0 (all) or at least 3", v)
					}
					return nil
				}},
			&cli.Float64Flag{Name: "pr-exponent", Value: 2, Usage: "exponent `a` of the participation ratio (PGM's sparsity: 6)",
				Action: positiveFloat("pr-exponent")},
			&cli.StringFlag{Name: "out", Aliases: []string{"o"}, Usage: "output `prefix`: PREFIX.json, PREFIX-fourier.npy (default: the input's name without .npy, plus -import)"},
			formatFlag(), tableFlag("records (default) or theory"),
		},
		Action: importAction,
	}
}

// importedArray is a weight array read in either layout, in the order
// (record, unit μ, site i[, state c]).
type importedArray struct {
	shape   []int // as stored in the file
	r, m, n int
	q       int // Potts states per site, 1 for binary visible units
	w       []float64
}

// readImported reads path with rbm.ReadNPY and reorders it to (R, M, N)
// or, for states q > 0 (Potts visible units; 0 infers q from a rank-4
// array), (R, M, N, q).
func readImported(path, layout string, states int) (*importedArray, error) {
	shape, data, err := rbm.ReadNPY(path)
	if err != nil {
		if strings.Contains(err.Error(), "array type") {
			return nil, fmt.Errorf("%w: import reads real-valued weights; a data set of spins or Potts states goes to train or spectrum", err)
		}
		return nil, err
	}
	if states == 0 && len(shape) == 4 {
		states = shape[3]
	}
	mn := "M, N"
	if layout == "nm" {
		mn = "N, M"
	}
	want := fmt.Sprintf("(records, %s) or (%s)", mn, mn)
	rank := 2
	if states > 0 {
		want = fmt.Sprintf("(records, %s, q) or (%s, q)", mn, mn)
		rank = 3
	}
	if len(shape) != rank && len(shape) != rank+1 {
		hint := ""
		if states > 0 {
			hint = fmt.Sprintf(" and --states %d", states)
		}
		return nil, fmt.Errorf("%s has shape %v; want %s with --layout %s%s", path, shape, want, layout, hint)
	}
	full := shape
	if len(shape) == rank {
		full = append([]int{1}, shape...)
	}
	for _, d := range full {
		if d < 1 {
			return nil, fmt.Errorf("%s has shape %v with an empty axis; want %s", path, shape, want)
		}
	}
	a := &importedArray{shape: shape, r: full[0], m: full[1], n: full[2], q: 1}
	if states > 0 {
		if full[3] != states {
			return nil, fmt.Errorf("%s has shape %v: its last axis holds %d states, but --states is %d", path, shape, full[3], states)
		}
		a.q = states
	}
	if layout == "nm" {
		a.m, a.n = full[2], full[1]
	}
	if a.n < 2 {
		return nil, fmt.Errorf("%s has shape %v: N = %d sites, want at least 2 (is --layout %s right?)", path, shape, a.n, layout)
	}
	a.w = make([]float64, len(data))
	d := a.q
	for r := range a.r {
		for mu := range a.m {
			for i := range a.n {
				src := ((r*a.m+mu)*a.n + i) * d
				if layout == "nm" {
					src = ((r*a.n+i)*a.m + mu) * d
				}
				dst := ((r*a.m+mu)*a.n + i) * d
				for c := range d {
					v := data[src+c]
					if math.IsNaN(v) || math.IsInf(v, 0) {
						if d > 1 {
							return nil, fmt.Errorf("%s: non-finite weight %v at record %d, unit %d, site %d, state %d", path, v, r, mu, i, c)
						}
						return nil, fmt.Errorf("%s: non-finite weight %v at record %d, unit %d, site %d", path, v, r, mu, i)
					}
					a.w[dst+c] = v
				}
			}
		}
	}
	return a, nil
}

// angularModulation returns W^ang_μi = Σ_c |w_μi(c)| of the (R, M, N, q)
// weights w, the XY angular modulation (paper eq 17 as corrected in
// THEORY.md §4.12: the printed |Σ_c w| vanishes in the zero-sum gauge),
// in the layout (R, M, N).
func angularModulation(w []float64, q int) []float64 {
	out := make([]float64, len(w)/q)
	for k := range out {
		for _, x := range w[k*q : (k+1)*q] {
			out[k] += math.Abs(x)
		}
	}
	return out
}

// importTimes returns the learning time of each of r records from --times
// or --nu and --every, or nil when none is given.
func importTimes(c *cli.Context, r int) ([]float64, error) {
	spec := c.String("times")
	if spec != "" && (c.IsSet("nu") || c.IsSet("every")) {
		return nil, fmt.Errorf("--times and --nu/--every both give the learning times; give one")
	}
	if c.IsSet("nu") != c.IsSet("every") {
		return nil, fmt.Errorf("--nu and --every go together (t = ν·updates, records every K updates)")
	}
	var t []float64
	switch {
	case c.IsSet("nu"):
		nu, every := c.Float64("nu"), c.Int("every")
		t = make([]float64, r)
		for k := range t {
			t[k] = nu * float64(every*k)
		}
		return t, nil
	case spec == "":
		return nil, nil
	case strings.HasSuffix(strings.ToLower(spec), ".npy"):
		shape, data, err := rbm.ReadNPY(spec)
		if err != nil {
			return nil, err
		}
		if len(shape) != 1 {
			return nil, fmt.Errorf("--times %s has shape %v; want a 1-D array of %d times", spec, shape, r)
		}
		t = data
	default:
		for _, f := range strings.Split(spec, ",") {
			x, err := strconv.ParseFloat(strings.TrimSpace(f), 64)
			if err != nil {
				return nil, fmt.Errorf("--times: %q is not a number (want a .npy file or a comma list)", f)
			}
			t = append(t, x)
		}
	}
	if len(t) != r {
		return nil, fmt.Errorf("--times gives %d times for the %d records of the weights", len(t), r)
	}
	for k, x := range t {
		if math.IsNaN(x) || math.IsInf(x, 0) {
			return nil, fmt.Errorf("--times: time %d is %v; want finite times", k, x)
		}
	}
	return t, nil
}

// importModel returns the data model of the flags with N set to n, or nil
// when no model flag is given.
func importModel(c *cli.Context, n int) (ring.Model, error) {
	if !c.IsSet("model") && !c.IsSet("beta") && !c.IsSet("p") && !c.IsSet("param") {
		if c.IsSet("n") && c.Int("n") != n {
			return nil, fmt.Errorf("--n %d disagrees with the N = %d sites of the weights; leave --n out", c.Int("n"), n)
		}
		return nil, nil
	}
	if c.IsSet("n") && c.Int("n") != n {
		return nil, fmt.Errorf("--n %d disagrees with the N = %d sites of the weights; leave --n out", c.Int("n"), n)
	}
	m, err := ringModel(c)
	if err != nil {
		return nil, err
	}
	params := map[string]float64{}
	for _, p := range m.Params() {
		params[p.Name] = p.Value
	}
	params["n"] = float64(n)
	if m, err = ring.NewModel(m.Name(), params); err != nil {
		return nil, fmt.Errorf("--model %s with the N = %d of the weights: %w", m.Name(), n, err)
	}
	if m.States() != 2 || m.Encoding().Features != 1 {
		return nil, fmt.Errorf("--model %s: the growth rates σ_k = λ_k − 1 (eq 23) are for two-state data with one feature per site; leave the model flags out", m.Name())
	}
	return m, nil
}

// importMode is the theory and fit for one Fourier mode.
type importMode struct {
	K      int        `json:"k"`
	Q      float64    `json:"q"`
	Lambda float64    `json:"lambda"`
	Sigma  float64    `json:"sigma"`
	Rate   optFloat   `json:"fitted_rate"`
	RateSE optFloat   `json:"fitted_rate_se"`
	Units  []optFloat `json:"unit_rates,omitempty"`
}

type importRecord struct {
	Record        int        `json:"record"`
	T             optFloat   `json:"t"`
	OrderW        []optFloat `json:"order_w"`
	SumSq         []optFloat `json:"sum_sq"`
	PR            []optFloat `json:"pr"`
	FWHM          []optFloat `json:"fwhm"`
	Centre        []optFloat `json:"centre"`
	Concentration []optFloat `json:"concentration"`
	// AngPeak is max_i Σ_c |w_μi(c)| per unit, Potts weights only.
	AngPeak []optFloat `json:"angular_peak,omitempty"`
}

func optFloats(x []float64) []optFloat {
	out := make([]optFloat, len(x))
	for k, v := range x {
		out[k] = optFloat(v)
	}
	return out
}

func importAction(c *cli.Context) error {
	if err := checkArgs(c, 1); err != nil {
		return err
	}
	path := c.Args().First()
	if path == "" {
		return fmt.Errorf("no weights file given (see placecell import --help)")
	}
	format := c.String("format")
	if c.String("table") != "" && format != "csv" {
		return fmt.Errorf("--table applies to --format csv only (text and json print every table)")
	}
	layout := c.String("layout")
	arr, err := readImported(path, layout, c.Int("states"))
	if err != nil {
		return err
	}
	potts := arr.q > 1
	times, err := importTimes(c, arr.r)
	if err != nil {
		return err
	}
	model, err := importModel(c, arr.n)
	if err != nil {
		return err
	}
	if potts && model != nil {
		return fmt.Errorf("the linear theory of import (eq 23) is for binary visible units; leave the model flags out for Potts weights (q = %d)", arr.q)
	}
	if model == nil && (c.IsSet("modes") || c.IsSet("fit-records")) {
		return fmt.Errorf("--modes and --fit-records need a data model (--model, --beta, --p or --param)")
	}
	sum, err := fileSHA256(path)
	if err != nil {
		return err
	}
	res, err := importResult(arr, path, layout, times, c.Float64("pr-exponent"))
	if err != nil {
		return err
	}
	res.Data["imported_from"] = path
	nk := arr.n/2 + 1

	// Theory and fitted rates.
	var modes []importMode
	fitN := 0
	if model != nil {
		lambda := spectral.ModelSpectrum(model).Values
		ks := make([]int, nk)
		for k := range ks {
			ks[k] = k
		}
		slices.SortStableFunc(ks, func(a, b int) int {
			switch {
			case lambda[a] > lambda[b]:
				return -1
			case lambda[a] < lambda[b]:
				return 1
			}
			return 0
		})
		ks = ks[:min(len(ks), c.Int("modes"))]
		fitN = arr.r
		if f := c.Int("fit-records"); f > 0 {
			if f > arr.r {
				return fmt.Errorf("--fit-records %d exceeds the %d records of the weights", f, arr.r)
			}
			fitN = f
		}
		if times == nil || fitN < 3 {
			fitN = 0
		}
		for _, k := range ks {
			md := importMode{K: k, Q: 2 * math.Pi * float64(k) / float64(arr.n), Lambda: lambda[k], Sigma: lambda[k] - 1,
				Rate: optFloat(math.NaN()), RateSE: optFloat(math.NaN())}
			if fitN > 0 {
				rates := growthRates(res.Records[:fitN], times[:fitN], arr.m, nk, k)
				md.Units = optFloats(rates)
				mean, sd := stat.MeanStdDev(rates, nil)
				md.Rate = optFloat(mean)
				if len(rates) > 1 {
					md.RateSE = optFloat(sd / math.Sqrt(float64(len(rates))))
				}
			}
			modes = append(modes, md)
		}
	}

	// OUT.json and OUT-fourier.npy.
	prefix := c.String("out")
	if prefix == "" {
		prefix = strings.TrimSuffix(path, filepath.Ext(path)) + "-import"
	}
	fourier := make([]float64, 0, arr.r*arr.m*arr.q*nk)
	var recs []importRecord
	var angular, angPeak []float64 // (R, M, N) and (R, M), Potts only
	if potts {
		angular = angularModulation(arr.w, arr.q)
		angPeak = make([]float64, arr.r*arr.m)
		for k := range angPeak {
			angPeak[k] = slices.Max(angular[k*arr.n : (k+1)*arr.n])
		}
	}
	for k, rec := range res.Records {
		fourier = append(fourier, rec.Units.Fourier...)
		u := rec.Units
		ir := importRecord{Record: k, T: optFloat(rec.T), OrderW: optFloats(u.OrderW), SumSq: optFloats(u.SumSq),
			PR: optFloats(u.PR), FWHM: optFloats(u.FWHM), Centre: optFloats(u.Centre), Concentration: optFloats(u.Concentration)}
		if potts {
			ir.AngPeak = optFloats(angPeak[k*arr.m : (k+1)*arr.m])
		}
		recs = append(recs, ir)
	}
	out := map[string]any{
		"format": "placecell-imported-weights", "format_version": 1,
		"program": "placecell " + version.String(), "build": version.Build(),
		"input": map[string]any{"path": path, "sha256": sum, "shape": arr.shape, "layout": layout, "states": arr.q},
		"flags": importFlags(c, arr.n, prefix),
		"n":     arr.n, "m": arr.m, "records_count": arr.r,
		"pr_name": fmt.Sprintf("pr%g: (Σ_i |w_μi|^a)² / (N Σ_i |w_μi|^(2a)), a = %g", res.Config.PRExponent, res.Config.PRExponent),
		"files":   map[string]string{"fourier": filepath.Base(prefix) + "-fourier.npy"},
		"layouts": map[string]string{"fourier": "(record, unit μ, mode k = 0..⌊N/2⌋) float64, |ŵ(k)|² normalised so that the modes sum to Σ_i w_μi²"},
		"records": recs,
	}
	if potts {
		out["q"] = arr.q
		out["pr_name"] = fmt.Sprintf("pr%g: (Σ_i s_i^(a/2))² / (N Σ_i s_i^a), s_i = Σ_c w_μi(c)², a = %g", res.Config.PRExponent, res.Config.PRExponent)
		out["files"].(map[string]string)["angular"] = filepath.Base(prefix) + "-angular.npy"
		out["layouts"] = map[string]string{
			"fourier": "(record, unit μ, state c, mode k = 0..⌊N/2⌋) float64, |ŵ_c(k)|² normalised so that the modes sum to Σ_i w_μi(c)²",
			"angular": "(record, unit μ, site i) float64, W^ang_μi = Σ_c |w_μi(c)|, the XY angular modulation (paper eq 17 corrected, THEORY.md §4.12)",
		}
		out["potts"] = "order_w is null (|Σw| is defined for binary units); sum_sq is Σ_i s_i, and pr, fwhm, centre and concentration are those of the site amplitudes √s_i, as placecell train records them; angular_peak is max_i W^ang_μi"
	}
	if model != nil {
		th := map[string]any{"model": model.Name(), "label": ring.Label(model), "params": model.Params(),
			"rule": "σ_k = λ_k − 1, linear growth of ±1 hidden units on two-state data (paper eq 23, THEORY.md §4.5)", "modes": modes}
		if fitN > 0 {
			th["fit"] = map[string]any{"records": fitN, "t_from": times[0], "t_to": times[fitN-1],
				"what": "slope of ½ ln |ŵ_μ(k)|² against t per unit (least squares), mean over units ± standard error"}
		}
		out["theory"] = th
	}
	fshape := []int{arr.r, arr.m, nk}
	if potts {
		fshape = []int{arr.r, arr.m, arr.q, nk}
		if err := atomicfile.Write(prefix+"-angular.npy", func(w io.Writer) error {
			return rbm.WriteNPY(w, []int{arr.r, arr.m, arr.n}, angular)
		}); err != nil {
			return err
		}
	}
	if err := atomicfile.Write(prefix+"-fourier.npy", func(w io.Writer) error {
		return rbm.WriteNPY(w, fshape, fourier)
	}); err != nil {
		return err
	}
	js, err := json.MarshalIndent(out, "", " ")
	if err != nil {
		return fmt.Errorf("could not encode %s.json: %w", prefix, err)
	}
	if err := atomicfile.WriteBytes(prefix+".json", append(js, '\n')); err != nil {
		return err
	}

	// Tables.
	a := res.Config.PRExponent
	rt := &table{head: []string{"record", "t", "unit", "W=|Σw|", "Σw²", fmt.Sprintf("PR%g", a), "FWHM", "centre"}}
	if potts {
		rt.head = []string{"record", "t", "unit", "Σ_i s_i", fmt.Sprintf("PR%g", a), "FWHM", "centre", "max_i Σ_c|w|"}
	}
	step, shown := 1, arr.m
	if format == "text" {
		step, shown = max(1, (arr.r+9)/10), min(arr.m, maxTrainUnits)
	}
	addRec := func(k int) {
		rec := res.Records[k]
		for mu := range shown {
			u := rec.Units
			if potts {
				rt.add(k, rec.T, mu, u.SumSq[mu], u.PR[mu], u.FWHM[mu], u.Centre[mu], angPeak[k*arr.m+mu])
				continue
			}
			rt.add(k, rec.T, mu, u.OrderW[mu], u.SumSq[mu], u.PR[mu], u.FWHM[mu], u.Centre[mu])
		}
	}
	for k := 0; k < arr.r; k += step {
		addRec(k)
	}
	if (arr.r-1)%step != 0 {
		addRec(arr.r - 1)
	}
	title := fmt.Sprintf("Order parameters of %s: %d records, M = %d units, N = %d sites (layout %s)", path, arr.r, arr.m, arr.n, layout)
	var notes []string
	if potts {
		title = fmt.Sprintf("Order parameters of %s: %d records, M = %d units, N = %d sites, q = %d Potts states (layout %s)", path, arr.r, arr.m, arr.n, arr.q, layout)
		notes = append(notes, "s_i = Σ_c w_μi(c)²; PR, FWHM and centre of the site amplitudes √s_i, as train records them; "+
			"Σ_c|w| is the XY angular modulation (eq 17 corrected, THEORY.md §4.12), per site in "+filepath.Base(prefix)+"-angular.npy")
	} else if len(arr.shape) == 3 {
		notes = append(notes, "read as (records, "+map[string]string{"mn": "M, N", "nm": "N, M"}[layout]+"); for one record of Potts weights give --states q")
	}
	if step > 1 || shown < arr.m {
		what := fmt.Sprintf("one record in %d", step)
		if step == 1 {
			what = "every record"
		}
		if shown < arr.m {
			what += fmt.Sprintf(", units 0–%d of %d", shown-1, arr.m)
		}
		notes = append(notes, fmt.Sprintf("text shows %s; every value is in %s.json (or use --format csv)", what, prefix))
	}
	if times == nil {
		notes = append(notes, "no learning times given (--times or --nu with --every): t is NaN")
	}
	secs := []section{{name: "records", title: title, notes: notes, t: rt}}
	if model != nil {
		tt := &table{head: []string{"k", "q_k", "lambda_k", "sigma_k", "fitted_rate", "rate_se"}}
		for _, md := range modes {
			tt.add(md.K, md.Q, md.Lambda, md.Sigma, float64(md.Rate), float64(md.RateSE))
		}
		tn := []string{"σ_k = λ_k − 1: linear growth rate per unit learning time of |ŵ(k)| for ±1 hidden units (paper eq 23)."}
		switch {
		case fitN > 0:
			tn = append(tn, fmt.Sprintf("fitted_rate: slope of ½ ln |ŵ_μ(k)|² against t over records 0–%d (t = %.4g … %.4g), %s.",
				fitN-1, times[0], times[fitN-1], unitsNote(arr.m)))
		case times == nil:
			tn = append(tn, "give --times (or --nu and --every) to fit the measured rates.")
		default:
			tn = append(tn, fmt.Sprintf("%d records: at least 3 are needed to fit the measured rates.", arr.r))
		}
		secs = append(secs, section{name: "theory",
			title: fmt.Sprintf("Linear theory, %s (THEORY.md §4.5)", ring.Label(model)), notes: tn, t: tt})
	}
	meta := map[string]any{"program": "placecell " + version.String(), "build": version.Build(), "input": path, "sha256": sum}
	if err := writeTables(c.App.Writer, format, meta, secs, c.String("table"), "records"); err != nil {
		return err
	}
	if format == "text" {
		if potts {
			fmt.Fprintf(c.App.Writer, "wrote %s.json, %s-fourier.npy and %s-angular.npy\n", prefix, prefix, prefix)
		} else {
			fmt.Fprintf(c.App.Writer, "wrote %s.json and %s-fourier.npy\n", prefix, prefix)
		}
	}
	return nil
}

// importResult computes the order parameters with rbm.ImportWeights,
// which reads (R, M, N) or, for Potts weights, (R, M, N, q): the file
// itself in that layout, else a float64 copy in a temporary directory
// (float32 values convert exactly).
func importResult(a *importedArray, path, layout string, times []float64, pr float64) (*rbm.Result, error) {
	src := path
	shape := []int{a.r, a.m, a.n}
	if a.q > 1 {
		shape = append(shape, a.q)
	}
	if layout != "mn" || len(a.shape) != len(shape) {
		dir, err := os.MkdirTemp("", "placecell-import-")
		if err != nil {
			return nil, err
		}
		defer os.RemoveAll(dir)
		src = filepath.Join(dir, "weights.npy")
		if err := atomicfile.Write(src, func(w io.Writer) error {
			return rbm.WriteNPY(w, shape, a.w)
		}); err != nil {
			return nil, err
		}
	}
	return rbm.ImportWeights(src, times, pr)
}

// growthRates returns, for each of m units, the least-squares slope of
// ½ ln |ŵ_μ(k)|² against t over recs (NaN if a power is zero).
func growthRates(recs []rbm.Record, t []float64, m, nk, k int) []float64 {
	rates := make([]float64, m)
	y := make([]float64, len(recs))
	for mu := range m {
		for j, rec := range recs {
			y[j] = 0.5 * math.Log(rec.Units.Fourier[mu*nk+k])
		}
		if slices.ContainsFunc(y, func(x float64) bool { return math.IsInf(x, 0) || math.IsNaN(x) }) {
			rates[mu] = math.NaN()
			continue
		}
		_, rates[mu] = stat.LinearRegression(t, y, nil, false)
	}
	return rates
}

// importFlags returns the value of every flag of the command, for the
// provenance of OUT.json, with N the file's and the output prefix used.
func importFlags(c *cli.Context, n int, prefix string) map[string]any {
	out := map[string]any{}
	for _, f := range c.Command.Flags {
		name := f.Names()[0]
		switch f.(type) {
		case *cli.StringSliceFlag:
			out[name] = c.StringSlice(name)
		default:
			out[name] = c.Value(name)
		}
	}
	delete(out, "help")
	out["n"], out["out"] = n, prefix
	return out
}

func fileSHA256(path string) (string, error) {
	f, err := os.Open(path)
	if err != nil {
		return "", err
	}
	defer f.Close()
	h := sha256.New()
	if _, err := io.Copy(h, f); err != nil {
		return "", fmt.Errorf("%s: %v", path, err)
	}
	return hex.EncodeToString(h.Sum(nil)), nil
}

// unitsNote says how the fitted rate of a mode is averaged over the units.
func unitsNote(m int) string {
	if m == 1 {
		return "one unit, so rate_se is undefined (NaN)"
	}
	return fmt.Sprintf("mean over %d units; rate_se its standard error", m)
}

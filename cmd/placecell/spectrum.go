package main

import (
	"encoding/json"
	"fmt"
	"io"
	"math"
	"strings"

	"github.com/urfave/cli/v2"

	"placecell/internal/version"
	"placecell/ring"
	"placecell/spectral"
)

func init() { registerCommand(20, spectrumCommand) }

func spectrumCommand() *cli.Command {
	return &cli.Command{
		Name:  "spectrum",
		Usage: "exact eigenvalues of the ring's correlation matrix; with a data file, the empirical ones",
		Description: "Without a data file: the exact finite-N eigenvalues of the model's correlation matrix. Ising: λ_k of\n" +
			"the Fourier modes (THEORY.md §2.2) and the linear growth rates σ_k = λ_k − 1 of an RBM with ±1 hidden\n" +
			"units (eq 23). XY: the Pearson eigenvalues Λ(k, p) of the 2-D Fourier modes (site k, angle p; §2.8),\n" +
			"grouped into eigenspaces, beside the Potts bulk P/(P−1) that Λ must exceed to grow (§4.5).\n" +
			"With a data file (.npy or text; ±1 or 0/1 for ising, states 0..P−1 for xy): the top eigenvalues of the\n" +
			"empirical correlation matrix (eq 24 for ±1; one-hot Pearson for xy) beside the noise edges of every\n" +
			"rule for r = N/S, and the weight of each top eigenvector on the exact top eigenspace and low band.\n" +
			"Give --beta (or --param for other models' parameters) with a data file to print the exact spectrum too.\n" +
			"--r prints the noise edges without data, or at another r than the data file's (named in the title).\n" +
			"--format csv prints one table (--table exact, empirical or noise); text and json print them all.",
		UsageText: "placecell spectrum [--model " + modelNames("|") + "] [--beta β] [--n N] [--p P] [--param k=v] [--modes K] [--top K]\n" +
			"   [--r r] [--format text|csv|json] [--table exact|empirical|noise] [DATAFILE]",
		Flags: []cli.Flag{
			modelFlag(), nFlag(100), betaFlag(0.5), pFlag(), paramFlag(), formatFlag(),
			tableFlag("exact, empirical or noise; default empirical with a data file, else exact"),
			&cli.IntFlag{Name: "modes", Value: 20, Usage: "exact spectrum: print the first `K` distinct modes (0: all)",
				Action: func(_ *cli.Context, v int) error {
					if v < 0 {
						return fmt.Errorf("--modes %d must be ≥ 0", v)
					}
					return nil
				}},
			&cli.IntFlag{Name: "top", Value: 5, Usage: "data file: number `K` of leading empirical eigenpairs",
				Action: positiveInt("top")},
			&cli.Float64Flag{Name: "r", Usage: "noise edges of every rule at `r = N/S` (default: the data file's)",
				Action: positiveFloat("r")},
		},
		Action: spectrumAction,
	}
}

func spectrumAction(c *cli.Context) error {
	if err := checkArgs(c, 1); err != nil {
		return err
	}
	format := c.String("format")
	w := c.App.Writer
	meta := map[string]any{"program": "placecell " + version.String(), "build": version.Build(), "model": c.String("model")}
	var sections []section

	// The model; with a data file its N is the file's.
	m, err := ringModel(c)
	if err != nil {
		return err
	}
	path := c.Args().First()
	if path == "" && c.IsSet("top") {
		return fmt.Errorf("--top applies to a data file only (the exact spectrum takes --modes)")
	}
	var data ring.Data
	if path != "" {
		if data, err = readDataFile(c, path, m); err != nil {
			return err
		}
		if c.IsSet("n") && c.Int("n") != data.Sites() {
			return fmt.Errorf("--n %d disagrees with the %d sites of %s; leave --n out", c.Int("n"), data.Sites(), path)
		}
		if data.Sites() != m.Sites() {
			params := map[string]float64{}
			for _, p := range m.Params() {
				params[p.Name] = p.Value
			}
			params["n"] = float64(data.Sites())
			if m, err = ring.NewModel(m.Name(), params); err != nil {
				return fmt.Errorf("%s: %w", path, err)
			}
		}
		meta["data"] = path
		var sec section
		if _, ok := m.(ring.Ising); ok {
			sec, err = empiricalSection(data.(*ring.Spins), c.Int("top"))
		} else {
			sec, err = empiricalModelSection(m, data, c.Int("top"))
		}
		if err != nil {
			return err
		}
		sections = append(sections, sec)
	}

	// Exact part.
	exact := data == nil || c.IsSet("beta") || c.IsSet("param")
	if exact {
		if is, ok := m.(ring.Ising); ok {
			sections = append([]section{exactSection(is, c.Int("modes"))}, sections...)
		} else {
			sections = append([]section{exactModelSection(m, c.Int("modes"))}, sections...)
		}
		for _, p := range m.Params() {
			meta[p.Name] = p.Value
		}
	}

	// Noise edges of every rule: at the data's r unless --r is given.
	r := c.Float64("r")
	if !c.IsSet("r") && data != nil {
		r = float64(data.Sites()) / float64(data.Len())
	}
	if r > 0 {
		sec := noiseSection(m, r, exact)
		if c.IsSet("r") && data != nil {
			dr := float64(data.Sites()) / float64(data.Len())
			sec.title = fmt.Sprintf("Noise edges at r = %.6g from --r, not the data file's r = N/S = %.6g (THEORY.md §3.3–3.11)", r, dr)
		}
		sections = append(sections, sec)
	}
	def := "exact"
	if data != nil {
		def = "empirical"
	}
	return writeTables(w, format, meta, sections, c.String("table"), def)
}

// section is one titled table of a command's output.
type section struct {
	name  string // key in JSON output
	title string // heading in text and CSV output
	notes []string
	t     *table
}

// writeTables prints the sections of a command's output. Text prints
// every section with its title and notes; JSON every section as an object
// under its name beside the fields of meta. CSV prints one table only, so
// that the stream has a single header line: the section named table, or
// def when table is empty, preceded by meta, its title and notes and the
// names of the other tables as '#' comment lines (with table and def both
// empty, every table, each after its '#' title). A section without a table
// prints its title and notes only.
func writeTables(w io.Writer, format string, meta map[string]any, secs []section, table, def string) error {
	if table != "" && format != "csv" {
		return fmt.Errorf("--table applies to --format csv only (text and json print every table)")
	}
	if format == "json" {
		out := map[string]any{}
		for k, v := range meta {
			out[k] = jsonCell(v)
		}
		for _, s := range secs {
			if s.t == nil {
				continue
			}
			out[s.name] = map[string]any{"title": s.title, "notes": s.notes, "rows": sectionJSON(s.t)}
		}
		enc := json.NewEncoder(w)
		enc.SetIndent("", "  ")
		return enc.Encode(out)
	}
	if format == "csv" && (table != "" || def != "") {
		if table == "" {
			table = def
		}
		var names, others []string
		var pick *section
		for i, s := range secs {
			if s.t == nil {
				continue
			}
			names = append(names, s.name)
			if s.name == table {
				pick = &secs[i]
			} else {
				others = append(others, s.name)
			}
		}
		if pick == nil {
			return fmt.Errorf("--table %q is not in this output (want %s)", table, strings.Join(names, ", "))
		}
		for _, k := range sortedKeys(meta) {
			fmt.Fprintf(w, "# %s: %v\n", k, meta[k])
		}
		if len(others) > 0 {
			fmt.Fprintf(w, "# table: %s (the others with --table: %s)\n", pick.name, strings.Join(others, ", "))
		}
		fmt.Fprintf(w, "# %s\n", pick.title)
		for _, n := range pick.notes {
			fmt.Fprintf(w, "# %s\n", n)
		}
		return pick.t.write(w, format, nil)
	}
	prefix := ""
	if format == "csv" {
		prefix = "# "
		for _, k := range sortedKeys(meta) {
			fmt.Fprintf(w, "# %s: %v\n", k, meta[k])
		}
	}
	for i, s := range secs {
		if i > 0 {
			fmt.Fprintln(w)
		}
		fmt.Fprintf(w, "%s%s\n", prefix, s.title)
		for _, n := range s.notes {
			fmt.Fprintf(w, "%s%s\n", prefix, n)
		}
		if s.t == nil {
			continue
		}
		if err := s.t.write(w, format, nil); err != nil {
			return err
		}
	}
	return nil
}

func exactSection(m ring.Ising, modes int) section {
	lambda := spectral.IsingSpectrum(nil, m)
	kmax := m.N / 2
	if modes > 0 {
		kmax = min(kmax, modes-1)
	}
	t := &table{head: []string{"k", "q_k", "multiplicity", "lambda_k", "sigma_k"}}
	for k := 0; k <= kmax; k++ {
		mult := 2
		if k == 0 || 2*k == m.N {
			mult = 1
		}
		t.add(k, 2*math.Pi*float64(k)/float64(m.N), mult, lambda[k], lambda[k]-1)
	}
	notes := []string{
		"λ_k: eigenvalue of Fourier mode k (cos and sin share it); σ_k = λ_k − 1: linear growth rate",
		"per unit learning time t = ν·updates for ±1 hidden units (paper eq 23).",
	}
	if kmax < m.N/2 {
		notes = append(notes, fmt.Sprintf("showing k = 0..%d of 0..%d (use --modes 0 for all)", kmax, m.N/2))
	}
	return section{name: "exact",
		title: fmt.Sprintf("Exact spectrum, Ising ring N = %d, β = %g, ρ = tanh β = %.6g, ξ = %.6g (THEORY.md §2.2)",
			m.N, m.Beta, m.Rho(), m.CorrelationLength()),
		notes: notes, t: t}
}

func empiricalSection(d *ring.Spins, top int) (section, error) {
	n, s := d.Sites(), d.Len()
	if top > n {
		return section{}, fmt.Errorf("--top %d exceeds the %d eigenvalues of a %d-site data set", top, n, n)
	}
	eig, err := spectral.TopEigen(spectral.Correlation(d), top)
	if err != nil {
		return section{}, err
	}
	r := float64(n) / float64(s)
	lo, hi := spectral.MarchenkoPastur{Gamma: r, Sigma2: 1}.Edges()
	t := &table{head: []string{"rank", "eigenvalue", "uniform_overlap", "low_band_weight"}}
	u := make([]float64, n)
	mode := make([]float64, n)
	const band = 3
	for j := range top {
		for i := range u {
			u[i] = eig.Vectors.At(i, j)
		}
		var uni, low float64
		for k := range n {
			if min(k, n-k) > band {
				continue
			}
			spectral.FourierMode(mode, k)
			var p float64
			for i := range u {
				p += u[i] * mode[i]
			}
			low += p * p
			if k == 0 {
				uni = p * p
			}
		}
		t.add(j+1, eig.Values[j], uni, low)
	}
	return section{name: "empirical",
		title: fmt.Sprintf("Empirical correlation matrix Ĉ, S = %d configurations of N = %d, r = N/S = %.6g (eq 24)", s, n, r),
		notes: []string{
			fmt.Sprintf("Marchenko–Pastur noise edges for r: %.6g and %.6g; the paper's noise level (1+√r)² (eq 25)", lo, hi),
			fmt.Sprintf("uniform_overlap = (û·1)²/N (random: %.3g); low_band_weight = Σ_{|k|≤%d} (û·e_k)² (random: %.3g)",
				1/float64(n), band, float64(min(n, 2*band+1))/float64(n)),
		},
		t: t}, nil
}

// exactModelSection lists the eigenspaces of any model's exact spectrum in
// decreasing order, one row per eigenspace with a representative mode.
func exactModelSection(m ring.Model, modes int) section {
	sp := spectral.ModelSpectrum(m)
	es := sp.Eigenspaces()
	bulk, _, err := spectral.NullBulk(m)
	jName := "j"
	if sp.Circulant && sp.F > 1 {
		jName = "p"
	}
	t := &table{head: []string{"rank", "k", jName, "q_k", "multiplicity", "lambda", "lambda_minus_bulk"}}
	shown := len(es)
	if modes > 0 {
		shown = min(shown, modes)
	}
	for i, e := range es[:shown] {
		rep := e.Modes[0]
		for _, md := range e.Modes {
			if md.K < rep.K || md.K == rep.K && md.J < rep.J {
				rep = md
			}
		}
		k := min(rep.K, m.Sites()-rep.K)
		t.add(i+1, k, rep.J, 2*math.Pi*float64(k)/float64(m.Sites()), len(e.Modes), e.Value, e.Value-bulk)
	}
	notes := []string{
		fmt.Sprintf("%s eigenvalues of the population correlation matrix, %d×%d blocks (site × feature); modes (k, %s) and their", m.Encoding().Normalisation, sp.F, sp.F, jName),
		"conjugates share an eigenspace; lambda_minus_bulk = λ − σ_b², σ_b² the independent-site bulk (linear growth needs > 0, §4.5).",
	}
	if err != nil {
		notes = append(notes, err.Error())
	}
	if x, ok := m.(ring.XY); ok {
		notes = append(notes, fmt.Sprintf("Λ_XY = %.10g (eq 30, N → ∞); its eigenspace is the cos/sin in angle, uniform in space, (k, p) = (0, ±1).",
			spectral.LambdaXY(x.P, x.Beta)))
	}
	if shown < len(es) {
		notes = append(notes, fmt.Sprintf("showing %d of %d eigenspaces (use --modes 0 for all)", shown, len(es)))
	}
	return section{name: "exact", title: fmt.Sprintf("Exact spectrum, %s (THEORY.md §2.8, §3.1)", ring.Label(m)), notes: notes, t: t}
}

// empiricalModelSection gives the top eigenpairs of the empirical
// correlation matrix of any model's data, in the model's normalisation,
// with their squared projections on the exact top eigenspace and on the
// low band |k| ≤ 3 of the top eigenspace's feature wavenumbers.
func empiricalModelSection(m ring.Model, d ring.Data, top int) (section, error) {
	n, s := d.Sites(), d.Len()
	est := spectral.DefaultEstimator(m)
	c := spectral.ModelCorrelation(m, d)
	dim, _ := c.Dims()
	if top > dim {
		return section{}, fmt.Errorf("--top %d exceeds the %d eigenvalues of the correlation matrix", top, dim)
	}
	eig, err := spectral.TopEigen(c, top)
	if err != nil {
		return section{}, err
	}
	// The top eigenspace's modes do not depend on β for the XY ring
	// ((k, p) = (0, ±1) at every β > 0); the spectrum of m gives them.
	sp := spectral.ModelSpectrum(m)
	topModes := sp.Top().Modes
	var js []int
	for _, md := range topModes {
		js = append(js, md.J)
	}
	const band = 3
	bandModes := sp.Band(band, js...)
	ovTop := spectral.Overlaps(eig, sp, topModes)
	ovBand := spectral.Overlaps(eig, sp, bandModes)
	t := &table{head: []string{"rank", "eigenvalue", "top_space_overlap2", "low_band_weight"}}
	for j := range top {
		t.add(j+1, eig.Values[j], ovTop[j], ovBand[j])
	}
	r := float64(n) / float64(s)
	notes := []string{
		fmt.Sprintf("top_space_overlap2: squared projection on the exact top eigenspace %s (random: %.3g);", modeList(topModes), float64(len(topModes))/float64(dim)),
		fmt.Sprintf("low_band_weight: on the modes with |k| ≤ %d and those feature wavenumbers (random: %.3g).", band, float64(len(bandModes))/float64(dim)),
	}
	if s < 2 && est.Normalisation != ring.SecondMoment {
		notes = append(notes, fmt.Sprintf("warning: with S = %d configuration every feature equals its mean, so the %s matrix Ĉ is zero; use S ≥ 2.", s, est.Normalisation))
	}
	return section{name: "empirical",
		title: fmt.Sprintf("Empirical correlation matrix Ĉ (%s), S = %d configurations of N = %d, r = N/S = %.6g", est, s, n, r),
		notes: notes, t: t}, nil
}

// isPlusMinusOne reports whether m encodes a site as one ±1 feature in the
// second-moment normalisation, the paper's eq 24, for which the noise
// edge is eq 25.
func isPlusMinusOne(m ring.Model) bool {
	e := m.Encoding()
	return m.States() == 2 && e.Features == 1 && e.Value(0, 0) == -1 && e.Value(1, 0) == 1 && e.Normalisation == ring.SecondMoment
}

// noiseSection tabulates the noise edge of every rule at ratio r, and,
// when the exact model is known, where the generalized Marchenko–Pastur
// edge of its spectrum and the BBP outlier of its top eigenvalue sit.
func noiseSection(m ring.Model, r float64, exact bool) section {
	t := &table{head: []string{"rule", "value", "meaning"}}
	notes := []string{fmt.Sprintf("r = N/S = %.6g, S = %.6g", r, float64(m.Sites())/r)}
	switch x := m.(type) {
	case ring.XY:
		p := float64(x.P)
		t.add(spectral.EdgeMatching.String(), spectral.XYNoiseEdge(x.P, r, spectral.EdgeMatching), "additive noise edge P/(P−1) + (1+√(rP))², eq 31")
		t.add(spectral.EdgeMatchingPottsNull.String(), spectral.XYNoiseEdge(x.P, r, spectral.EdgeMatchingPottsNull), "multiplicative edge P/(P−1)(1+√(r(P−1)))² of independent Potts sites")
		if exact {
			l := spectral.LambdaXY(x.P, x.Beta)*(p-1)/p - 1
			v, ov, out := spectral.MarchenkoPastur{Gamma: r * (p - 1), Sigma2: p / (p - 1)}.Spike(l)
			t.add(spectral.BBPFlatBulk.String(), v, fmt.Sprintf("BBP location of Λ_XY on the Potts bulk (outlier %t, overlap² %.4g)", out, ov))
		}
	default:
		bulk, dr, err := spectral.NullBulk(m)
		if err != nil {
			notes = append(notes, err.Error())
			break
		}
		mp := spectral.MarchenkoPastur{Gamma: r * float64(dr), Sigma2: bulk}
		_, hi := mp.Edges()
		meaning := fmt.Sprintf("noise edge σ_b²(1+√γ)² of the independent-site null, σ_b² = %.6g, γ = r·D/N = %.6g", bulk, r*float64(dr))
		if isPlusMinusOne(m) {
			meaning = "noise edge (1+√r)² of independent ±1 spins, eq 25"
		}
		t.add(spectral.EdgeMatching.String(), hi, meaning)
		if exact {
			lam := spectral.ModelSpectrum(m).Top().Value
			if is, ok := m.(ring.Ising); ok {
				lam = math.Exp(2 * is.Beta)
			}
			v, ov, out := mp.Spike(lam/bulk - 1)
			t.add(spectral.BBPFlatBulk.String(), v, fmt.Sprintf("BBP location of Λ = %.6g on the flat bulk (outlier %t, overlap² %.4g)", lam, out, ov))
		}
	}
	if exact {
		sp := spectral.ModelSpectrum(m)
		cr := spectral.PredictCrossover(sp, float64(m.Sites())/r, sp.Top().Modes)
		t.add("generalized MP edge", cr.Edge, "right edge x₊ of the sample spectrum for H = the exact spectrum (§3.6, §3.11)")
		t.add("top-space weight", cr.Weights[0], "predicted squared projection of the top eigenvector on the exact top eigenspace")
	}
	return section{name: "noise", title: "Noise edges (THEORY.md §3.3–3.11)", notes: notes, t: t}
}

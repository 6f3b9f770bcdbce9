package main

import (
	"fmt"
	"math"
	"strings"

	"github.com/urfave/cli/v2"

	"placecell/internal/version"
	"placecell/ring"
	"placecell/spectral"
)

func init() { registerCommand(30, thresholdCommand) }

func thresholdCommand() *cli.Command {
	return &cli.Command{
		Name:  "threshold",
		Usage: "retarded-learning critical ratio r_c = N/S_c and sample size S_c under every rule, each named",
		Description: "Below S_c samples the top modes of the data are hidden in sampling noise and an RBM learns\n" +
			"nothing (retarded learning). Rules (THEORY.md §3.9–3.10), Λ the population top eigenvalue:\n" +
			"  edge    EdgeMatching: the paper's rule. Ising: Λ = (1+√r)² (eq 27); XY: Λ = P/(P−1) + (1+√(rP))²\n" +
			"          (eq 31, additive); other models: the edge of their independent-site null\n" +
			"  null    EdgeMatchingPottsNull: Λ = σ_b²(1+√γ)², the multiplicative edge of independent sites,\n" +
			"          σ_b² = P/(P−1), γ = r(P−1) for Potts data (the same as edge for ±1 data)\n" +
			"  bbp     BBPFlatBulk: Λ/σ_b² − 1 = √γ, BBP with Λ as a spike on the flat bulk\n" +
			"  plugin  PluginSeparation: S_sep(G) = Σ_{k∉G} λ_k²/(λ_G − λ_k)² over the exact finite-N spectrum,\n" +
			"          for the top eigenspace G (Ising: also the band |k| ≤ --band) (§3.6)\n" +
			"Neither is a sharp transition for ring data (§3.11); the table of the smooth crossover gives,\n" +
			"for each --ratios r, the generalized Marchenko–Pastur edge x₊ of the top eigenvalue of Ĉ and the\n" +
			"predicted weight of its eigenvector on the low band (Ising) or the top eigenspace (XY).\n" +
			"--format csv prints one table (--table rules, separation or crossover); text and json print them all.",
		UsageText: "placecell threshold [--model " + modelNames("|") + "] [--beta β] [--n N] [--p P] [--param k=v] [--rule edge|null|bbp|plugin|all]\n" +
			"   [--ratios r,...] [--band K] [--format text|csv|json] [--table rules|separation|crossover]",
		Flags: []cli.Flag{
			modelFlag(), nFlag(100), betaFlag(0.5), pFlag(), paramFlag(), formatFlag(),
			tableFlag("rules (default), separation or crossover"),
			&cli.StringFlag{Name: "rule", Value: "all", Usage: "threshold `rule`: edge, null, bbp, plugin or all"},
			&cli.Float64SliceFlag{Name: "ratios", Usage: "smooth crossover at these `r = N/S` (default 1,0.3,0.1,0.03,0.01,0.003,0.001)"},
			&cli.IntFlag{Name: "band", Value: 3, Usage: "low band |k| ≤ `K` of the crossover weights",
				Action: func(_ *cli.Context, v int) error {
					if v < 0 {
						return fmt.Errorf("--band %d must be ≥ 0", v)
					}
					return nil
				}},
		},
		Action: thresholdAction,
	}
}

func thresholdAction(c *cli.Context) error {
	if err := checkArgs(c, 0); err != nil {
		return err
	}
	m, err := ringModel(c)
	if err != nil {
		return err
	}
	rules := spectral.Rules
	if s := c.String("rule"); s != "all" {
		r, err := spectral.ParseRule(s)
		if err != nil {
			return fmt.Errorf("--rule %q is not available (want edge, null, bbp, plugin or all)", s)
		}
		rules = []spectral.Rule{r}
	}
	ratios := c.Float64Slice("ratios")
	if len(ratios) == 0 {
		ratios = []float64{1, 0.3, 0.1, 0.03, 0.01, 0.003, 0.001}
	}
	for _, r := range ratios {
		if !(r > 0) || math.IsInf(r, 0) {
			return fmt.Errorf("--ratios: r = %v must be positive and finite", r)
		}
	}
	_, isIsing := m.(ring.Ising)
	if c.IsSet("band") && !isIsing {
		return fmt.Errorf("--band applies to --model ising only (the low band of the Ising crossover)")
	}

	// Spike rules: one row each; EdgeMatchingPottsNull is not repeated
	// where it coincides with EdgeMatching (±1 and other two-state data,
	// and every model whose EdgeMatching is the independent-site null's
	// edge).
	format := c.String("format")
	w := c.App.Writer
	main := &table{head: []string{"rule", "r_c", "S_c", "criterion"}, prec: 6}
	var lambda, bulk, dimRatio float64
	var edge *spectral.Threshold
	samePottsNull := false
	for _, r := range rules {
		if r == spectral.PluginSeparation {
			continue
		}
		th, err := spectral.ModelThreshold(m, r)
		if err != nil {
			return err
		}
		switch {
		case r == spectral.EdgeMatching:
			edge = &th
		case r == spectral.EdgeMatchingPottsNull && edge != nil && sameThreshold(th, *edge):
			samePottsNull = true
			continue
		}
		lambda, bulk, dimRatio = th.Lambda, th.Bulk, th.DimRatio
		main.add(th.Rule.String(), th.R, th.S, criterion(m, r))
	}

	// Plug-in separation of stated groups.
	sep := &table{head: []string{"rule", "group", "lambda_G", "r_c", "S_c"}, prec: 6}
	if len(rules) == 1 && rules[0] == spectral.PluginSeparation || len(rules) > 1 {
		sp := spectral.ModelSpectrum(m)
		groups := []struct {
			name  string
			modes []spectral.Mode
		}{{"top eigenspace " + modeList(sp.Top().Modes), sp.Top().Modes}}
		if isIsing && c.Int("band") > 0 && c.Int("band") < m.Sites()/2 {
			groups = append(groups, struct {
				name  string
				modes []spectral.Mode
			}{fmt.Sprintf("band |k| ≤ %d", c.Int("band")), sp.Band(c.Int("band"))})
		}
		th0, err := spectral.ModelThreshold(m, spectral.PluginSeparation)
		if err != nil {
			return err
		}
		for i, g := range groups {
			th := spectral.SeparationThreshold(sp, g.modes)
			if i == 0 {
				th = th0 // the rule's own value (+Inf without structure)
			}
			sep.add(th.Rule.String(), g.name, th.Lambda, th.R, th.S)
		}
		if lambda == 0 {
			lambda, bulk, dimRatio = th0.Lambda, th0.Bulk, th0.DimRatio
		}
	}

	// Smooth crossover predictions.
	cross := crossoverTable(m, ratios, c.Int("band"))

	meta := map[string]any{
		"program": "placecell " + version.String(), "build": version.Build(), "model": m.Name(), "params": ring.Label(m),
		"lambda": lambda, "bulk": bulk, "dim_ratio": dimRatio,
	}
	for _, p := range m.Params() {
		meta[p.Name] = p.Value
	}
	if format == "json" {
		if len(sep.rows) > 0 {
			meta["separation"] = sectionJSON(sep)
		}
		meta["crossover"] = sectionJSON(cross.t)
		return main.write(w, format, meta)
	}

	rulesSec := section{name: "rules", title: thresholdHeading(m, lambda, bulk, dimRatio)}
	if samePottsNull {
		why := "for two-state data"
		if m.States() > 2 {
			why = fmt.Sprintf("for %s (both are the edge of the independent-site null)", m.Name())
		}
		rulesSec.notes = append(rulesSec.notes, fmt.Sprintf("EdgeMatchingPottsNull coincides with EdgeMatching %s and is not repeated.", why))
	}
	if format == "text" {
		main.head[2] = "S_c = N/r_c"
	}
	if len(main.rows) > 0 {
		rulesSec.t = main
	}
	secs := []section{rulesSec}
	if len(sep.rows) > 0 {
		secs = append(secs, section{name: "separation",
			title: "PluginSeparation (THEORY.md §3.6): group G separates from the rest of the exact spectrum once S > S_sep(G)", t: sep})
	}
	secs = append(secs, cross)
	def := "rules"
	if len(main.rows) == 0 {
		def = "separation"
	}
	return writeTables(w, format, meta, secs, c.String("table"), def)
}

// sameThreshold reports whether a and b give the same critical ratio, to
// rounding.
func sameThreshold(a, b spectral.Threshold) bool {
	return a.R == b.R || math.Abs(a.R-b.R) <= 1e-12*math.Max(math.Abs(a.R), math.Abs(b.R))
}

// criterion describes rule r for model m in one line.
func criterion(m ring.Model, r spectral.Rule) string {
	switch m.(type) {
	case ring.Ising:
		switch r {
		case spectral.EdgeMatching, spectral.EdgeMatchingPottsNull:
			return "Λ = (1 + √r)², the paper's eq 27"
		case spectral.BBPFlatBulk:
			return "Λ − 1 = √r, BBP with Λ as a spike on a flat bulk"
		}
	case ring.XY:
		switch r {
		case spectral.EdgeMatching:
			return "Λ = P/(P−1) + (1 + √(rP))², the paper's eq 31 (additive)"
		case spectral.EdgeMatchingPottsNull:
			return "Λ = P/(P−1)·(1 + √(r(P−1)))², independent-Potts null (multiplicative)"
		case spectral.BBPFlatBulk:
			return "Λ(P−1)/P − 1 = √(r(P−1)), BBP with Λ as a spike on the Potts bulk"
		}
	}
	switch r {
	case spectral.EdgeMatching, spectral.EdgeMatchingPottsNull:
		return "Λ = σ_b²(1 + √(r·D/N))², edge of the independent-site null"
	case spectral.BBPFlatBulk:
		return "Λ/σ_b² − 1 = √(r·D/N), BBP with Λ as a spike on the null's bulk"
	}
	return ""
}

func thresholdHeading(m ring.Model, lambda, bulk, dimRatio float64) string {
	switch x := m.(type) {
	case ring.Ising:
		exact := spectral.IsingSpectrum(nil, x)[0]
		return fmt.Sprintf("Ising ring, N = %d, β = %g: population top eigenvalue Λ = e^(2β) = %s (paper eq 26, N → ∞; "+
			"the rules below use it); exact at this N: λ_0 = %s",
			x.N, x.Beta, fmtG(lambda), fmtG(exact))
	case ring.XY:
		return fmt.Sprintf("XY ring, N = %d, P = %d, β = %g: population top eigenvalue Λ_XY = %s (paper eq 30, one-hot Pearson); "+
			"Potts bulk σ_b² = P/(P−1) = %s, D/N = P−1 = %d", x.N, x.P, x.Beta, fmtG(lambda), fmtG(bulk), x.P-1)
	}
	return fmt.Sprintf("%s: exact top eigenvalue Λ = %s (%s); independent-site bulk σ_b² = %s, D/N = %g",
		ring.Label(m), fmtG(lambda), m.Encoding().Normalisation, fmtG(bulk), dimRatio)
}

// modeList formats modes as (k,j) pairs; a group of more than
// maxListedModes modes shows its first and last few and the count.
func modeList(modes []spectral.Mode) string {
	parts := make([]string, 0, min(len(modes), maxListedModes+1))
	for i, md := range modes {
		if len(modes) > maxListedModes && i >= maxListedModes-2 && i < len(modes)-2 {
			if i == maxListedModes-2 {
				parts = append(parts, "…")
			}
			continue
		}
		parts = append(parts, fmt.Sprintf("(%d,%d)", md.K, md.J))
	}
	s := "{" + strings.Join(parts, " ") + "}"
	if len(modes) > maxListedModes {
		s += fmt.Sprintf(" (%d modes)", len(modes))
	}
	return s
}

// maxListedModes is the longest group modeList writes in full.
const maxListedModes = 8

// crossoverTable tabulates the smooth predictions of THEORY.md §3.11 at
// each ratio: the noise edges, the generalized Marchenko–Pastur edge x₊
// with the exact spectrum, and the predicted weights of the top sample
// eigenvector on groups of exact modes.
func crossoverTable(m ring.Model, ratios []float64, band int) section {
	sp := spectral.ModelSpectrum(m)
	n := float64(m.Sites())
	top := sp.Top().Modes
	switch x := m.(type) {
	case ring.Ising:
		band = min(band, x.N/2)
		t := &table{head: []string{"r", "S", "noise_edge", "x_plus", "band_weight", "uniform_weight"}, prec: 5}
		for _, r := range ratios {
			cr := spectral.PredictCrossover(sp, n/r, sp.Band(band), []spectral.Mode{{K: 0, J: 0}})
			t.add(r, n/r, (1+math.Sqrt(r))*(1+math.Sqrt(r)), cr.Edge, cr.Weights[0], cr.Weights[1])
		}
		return section{name: "crossover", t: t,
			title: "Smooth crossover (THEORY.md §3.11): the top eigenvalue of Ĉ tends to x₊, a few per cent below at finite N",
			notes: []string{
				"noise_edge = (1+√r)² (eq 25); x_plus: edge of the generalized Marchenko–Pastur law with H = the exact ring spectrum;",
				fmt.Sprintf("band_weight, uniform_weight: predicted weight of the top eigenvector on |k| ≤ %d and on k = 0 (Ledoit–Péché at the edge,", band),
				fmt.Sprintf("derived; random %.3g and %.3g; the uniform weight is over-predicted at finite N).", float64(len(sp.Band(band)))/n, 1/n),
			}}
	case ring.XY:
		p := x.P
		l := spectral.LambdaXY(p, x.Beta)*float64(p-1)/float64(p) - 1
		t := &table{head: []string{"r", "S", "edge_eq31", "edge_null", "x_plus", "top_weight", "bbp_overlap2", "spike_overlap2"}, prec: 5}
		for _, r := range ratios {
			cr := spectral.PredictCrossover(sp, n/r, top)
			_, bbp, _ := spectral.MarchenkoPastur{Gamma: r * float64(p-1), Sigma2: float64(p) / float64(p-1)}.Spike(l)
			_, spk, _ := spectral.SpikeOverlap(sp, top, n/r)
			t.add(r, n/r, spectral.XYNoiseEdge(p, r, spectral.EdgeMatching), spectral.XYNoiseEdge(p, r, spectral.EdgeMatchingPottsNull),
				cr.Edge, cr.Weights[0], bbp, spk)
		}
		return section{name: "crossover", t: t,
			title: "Top eigenvalue and eigenvector of Ĉ against r (THEORY.md §3.9–3.11, paper Fig. 13)",
			notes: []string{
				"edge_eq31, edge_null: additive and multiplicative noise edges; x_plus: generalized Marchenko–Pastur edge, exact spectrum;",
				"top_weight: predicted squared projection of the top eigenvector on the exact top eigenspace (Ledoit–Péché at the edge);",
				"bbp_overlap2: BBP on the flat Potts bulk; spike_overlap2: finite-N generalized spike, non-zero once S > S_sep.",
			}}
	}
	t := &table{head: []string{"r", "S", "x_plus", "top_weight"}, prec: 5}
	for _, r := range ratios {
		cr := spectral.PredictCrossover(sp, n/r, top)
		t.add(r, n/r, cr.Edge, cr.Weights[0])
	}
	return section{name: "crossover", t: t,
		title: "Smooth crossover (THEORY.md §3.11)",
		notes: []string{"x_plus: generalized Marchenko–Pastur edge with the exact spectrum; top_weight: predicted weight of the top eigenvector on the top eigenspace."}}
}

// sectionJSON returns a table as a JSON-ready list of row objects.
func sectionJSON(t *table) []map[string]any {
	rows := make([]map[string]any, len(t.rows))
	for i, r := range t.rows {
		rows[i] = map[string]any{}
		for j, h := range t.head {
			rows[i][h] = jsonCell(r[j])
		}
	}
	return rows
}

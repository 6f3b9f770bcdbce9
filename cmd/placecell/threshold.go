package main

import (
	"fmt"

	"github.com/urfave/cli/v2"

	"placecell/internal/version"
	"placecell/spectral"
)

func init() { registerCommand(30, thresholdCommand) }

func thresholdCommand() *cli.Command {
	return &cli.Command{
		Name:  "threshold",
		Usage: "retarded-learning critical ratio r_c = N/S_c and sample size S_c, naming the rule",
		Description: "Below S_c samples the top modes of the data are hidden in sampling noise and an RBM learns\n" +
			"nothing (retarded learning). Rules (THEORY.md §3.9–3.10):\n" +
			"  edge  EdgeMatching: Λ = (1+√r)², the paper's eq 27; r_c = (e^β − 1)²\n" +
			"  bbp   BBPFlatBulk: Λ − 1 = √r, BBP with Λ = e^(2β) as a spike on a flat bulk; r_c = (e^(2β) − 1)²\n" +
			"Neither is a sharp transition for ring data (THEORY.md §3.11).",
		UsageText: "placecell threshold [--model ising] [--beta β] [--n N] [--rule edge|bbp|all] [--format text|csv|json]",
		Flags: []cli.Flag{
			modelFlag(), nFlag(100), betaFlag(0.5), formatFlag(),
			&cli.StringFlag{Name: "rule", Value: "all", Usage: "threshold `rule`: edge, bbp or all"},
		},
		Action: thresholdAction,
	}
}

func thresholdAction(c *cli.Context) error {
	if err := checkArgs(c, 0); err != nil {
		return err
	}
	m, err := isingModel(c)
	if err != nil {
		return err
	}
	rules := []spectral.Rule{spectral.EdgeMatching, spectral.BBPFlatBulk}
	if s := c.String("rule"); s != "all" {
		r, err := spectral.ParseRule(s)
		if err != nil {
			return fmt.Errorf("--rule %q is not available (want edge, bbp or all)", s)
		}
		rules = []spectral.Rule{r}
	}
	criterion := map[spectral.Rule]string{
		spectral.EdgeMatching: "Λ = (1 + √r)², the paper's eq 27",
		spectral.BBPFlatBulk:  "Λ − 1 = √r, BBP with Λ as a spike on a flat bulk",
	}

	t := &table{head: []string{"rule", "r_c", "S_c", "criterion"}, prec: 6}
	var lambda float64
	for _, r := range rules {
		th := spectral.IsingThreshold(m, r)
		lambda = th.Lambda
		t.add(th.Rule.String(), th.R, th.S, criterion[r])
	}
	format := c.String("format")
	w := c.App.Writer
	if format == "text" {
		fmt.Fprintf(w, "Ising ring, N = %d, β = %g: population top eigenvalue Λ = e^(2β) = %s (paper eq 26)\n",
			m.N, m.Beta, fmtG(lambda))
		t.head[2] = "S_c = N/r_c"
	}
	return t.write(w, format, map[string]any{
		"program": "placecell " + version.String(), "model": "ising", "n": m.N, "beta": m.Beta,
		"lambda": lambda,
	})
}

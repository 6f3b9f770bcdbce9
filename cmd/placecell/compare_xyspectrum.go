package main

import (
	"github.com/urfave/cli/v2"

	"placecell/compare"
)

func init() {
	register(experiment{
		name: "xy-spectrum", order: 41, quick: false,
		usage: "top eigenpair of the XY Pearson Ĉ against r: eq 31, the Potts null, BBP and the eigenspace overlap (paper Fig. 13)",
		flags: func() []cli.Flag {
			return []cli.Flag{
				nFlag(100), betaFlag(1.5), pFlag(),
				&cli.Float64SliceFlag{Name: "ratios", Usage: "comma-separated `r = N/S` values (default 1e-4,3e-4,…,0.3,1)"},
				&cli.IntFlag{Name: "band", Value: 3, Usage: "low band |k| ≤ `K` for the eigenvector weight", Action: positiveInt("band")},
				&cli.BoolFlag{Name: "paper", Usage: "the paper's range r = 2·10⁻⁵ … 1 (S up to 5·10⁶; slow)"},
			}
		},
		run: func(c *cli.Context, store compare.Store, workers int, progress func(int, int)) (result, error) {
			cfg := compare.DefaultXYSpectraConfig()
			cfg.Seed, cfg.Store, cfg.Workers, cfg.Progress = commonSeed(c), store, workers, progress
			if r := commonRuns(c); r != 0 {
				cfg.Runs = r
			}
			if own(c, "xy-spectrum") {
				// Explicit values: --beta 0 is independent uniform angles.
				cfg.N, cfg.Beta, cfg.P, cfg.Band = c.Int("n"), c.Float64("beta"), c.Int("p"), c.Int("band")
				switch {
				case c.IsSet("ratios"):
					cfg.Ratios = c.Float64Slice("ratios")
				case c.Bool("paper"):
					cfg.Ratios = []float64{2e-5, 5e-5, 1e-4, 3e-4, 1e-3, 3e-3, 0.01, 0.03, 0.1, 0.3, 1}
				}
			}
			return compare.XYSpectra(c.Context, cfg)
		},
	})
}

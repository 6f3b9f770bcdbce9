package main

import (
	"github.com/urfave/cli/v2"

	"placecell/compare"
)

func init() {
	register(experiment{
		name: "ising-spectrum", order: 40, quick: true,
		usage: "top eigenpair of Ĉ against r for Ising data, with Λ, the noise edges and x₊ (paper Fig. 12)",
		flags: func() []cli.Flag {
			return []cli.Flag{
				nFlag(100), betaFlag(0.5),
				&cli.Float64SliceFlag{Name: "ratios", Usage: "comma-separated `r = N/S` values (default 0.001,0.002,…,2,5)"},
				&cli.IntFlag{Name: "band", Value: 3, Usage: "low band |k| ≤ `K` for the eigenvector weight", Action: positiveInt("band")},
			}
		},
		run: func(c *cli.Context, store compare.Store, workers int, progress func(int, int)) (result, error) {
			cfg := compare.DefaultIsingSpectraConfig()
			cfg.Seed, cfg.Store, cfg.Workers, cfg.Progress = commonSeed(c), store, workers, progress
			if r := commonRuns(c); r != 0 {
				cfg.Runs = r
			}
			if own(c, "ising-spectrum") {
				// Explicit values: --beta 0 is the uncorrelated ring.
				cfg.N, cfg.Beta, cfg.Band = c.Int("n"), c.Float64("beta"), c.Int("band")
				if c.IsSet("ratios") {
					cfg.Ratios = c.Float64Slice("ratios")
				}
			}
			return compare.IsingSpectra(c.Context, cfg)
		},
	})
}

package main

import (
	"github.com/urfave/cli/v2"

	"placecell/compare"
)

func init() {
	register(experiment{
		name: "wbeta", order: 35, quick: false,
		usage: "order parameter W against β at r = 0.01, with β_c, the small-β law 4.25√β and the initial weights' W (paper Fig. 7a)",
		flags: func() []cli.Flag {
			f := []cli.Flag{
				nFlag(100),
				&cli.IntFlag{Name: "samples", Aliases: []string{"s"}, Value: 10000, Usage: "training samples `S` (r = N/S)", Action: positiveInt("samples")},
				&cli.Float64SliceFlag{Name: "betas", Usage: "comma-separated inverse temperatures `β` (default 0.01,0.05,0.1,0.25,0.5,0.75,1)"},
				paperFlag("batch 10, ν = 10⁻³, 250 epochs, 10 runs, β from 10⁻⁵ to 1.1"),
			}
			return append(f, trainingFlags("0.025, batch 100, 100 epochs, PCD-20, 100 chains")...)
		},
		run: func(c *cli.Context, store compare.Store, workers int, progress func(int, int)) (result, error) {
			cfg := compare.DefaultWBetaConfig()
			if own(c, "wbeta") {
				if c.Bool("paper") {
					cfg = compare.PaperWBetaConfig()
				}
				cfg.N, cfg.S = c.Int("n"), c.Int("samples")
				if c.IsSet("betas") {
					cfg.Betas = c.Float64Slice("betas")
				}
				cfg.Training.Sigma0 = 0
				if err := applyTraining(c, &cfg.Training); err != nil {
					return nil, err
				}
			}
			commonInto(c, &cfg.Seed, &cfg.Runs)
			cfg.Store, cfg.Workers, cfg.Progress = store, workers, progress
			return compare.WBeta(c.Context, cfg)
		},
	})
}

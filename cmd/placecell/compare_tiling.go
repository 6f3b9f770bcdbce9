package main

import (
	"github.com/urfave/cli/v2"

	"placecell/compare"
)

func init() {
	register(experiment{
		name: "tiling", order: 32, quick: false,
		usage: "several units tiling the ring: widths, peaks, weight ranges and spacing for M = 1, 3, 25, 100 (paper Fig. 4)",
		flags: func() []cli.Flag {
			f := []cli.Flag{
				nFlag(100), betaFlag(1),
				&cli.IntFlag{Name: "samples", Aliases: []string{"s"}, Value: 10000, Usage: "training samples `S`", Action: positiveInt("samples")},
				&cli.IntSliceFlag{Name: "m", Usage: "comma-separated numbers of hidden units `M` (default 1,3,25,100)"},
				paperFlag("batch 10, ν = 10⁻³, 100 epochs"),
			}
			return append(f, trainingFlags("0.01, batch 100, 100 epochs, PCD-20, 100 chains")...)
		},
		run: func(c *cli.Context, store compare.Store, workers int, progress func(int, int)) (result, error) {
			cfg := compare.DefaultTilingConfig()
			if own(c, "tiling") {
				if c.Bool("paper") {
					cfg = compare.PaperTilingConfig()
				}
				cfg.N, cfg.Beta, cfg.S = c.Int("n"), c.Float64("beta"), c.Int("samples")
				if c.IsSet("m") {
					cfg.Ms = c.IntSlice("m")
				}
				cfg.Training.Sigma0 = 0
				if err := applyTraining(c, &cfg.Training); err != nil {
					return nil, err
				}
			}
			commonInto(c, &cfg.Seed, &cfg.Runs)
			cfg.Store, cfg.Workers, cfg.Progress = store, workers, progress
			return compare.Tiling(c.Context, cfg)
		},
	})
}

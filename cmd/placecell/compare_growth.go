package main

import (
	"github.com/urfave/cli/v2"

	"placecell/compare"
)

func init() {
	register(experiment{
		name: "growth", order: 20, quick: true,
		usage: "linear regime: growth rate of each Fourier mode of w against σ_k = λ_k − 1 (eq 23)",
		flags: func() []cli.Flag {
			return []cli.Flag{
				nFlag(32), betaFlag(0.5),
				&cli.IntFlag{Name: "samples", Aliases: []string{"s"}, Value: 100000, Usage: "training samples `S` per run", Action: positiveInt("samples")},
				&cli.Float64Flag{Name: "time", Value: 1.5, Usage: "learning time `t` of the fit window", Action: positiveFloat("time")},
				&cli.IntFlag{Name: "hidden", Aliases: []string{"m"}, Value: 4, Usage: "hidden units `M` (each gives one estimate per mode)", Action: positiveInt("hidden")},
				&cli.StringFlag{Name: "phase", Value: "pcd", Usage: "model term: `pcd` or exact"},
			}
		},
		run: func(c *cli.Context, store compare.Store, workers int, progress func(int, int)) (result, error) {
			cfg := compare.GrowthConfig{Seed: commonSeed(c), Runs: commonRuns(c),
				Store: store, Workers: workers, Progress: progress}
			if own(c, "growth") {
				cfg.N, cfg.Beta, cfg.S, cfg.Time = c.Int("n"), c.Float64("beta"), c.Int("samples"), c.Float64("time")
				cfg.Training.Hidden, cfg.Training.Phase = c.Int("hidden"), c.String("phase")
			}
			return compare.LinearGrowth(c.Context, cfg)
		},
	})
}

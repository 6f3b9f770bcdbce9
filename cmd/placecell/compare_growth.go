package main

import (
	"fmt"

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
				&cli.Float64Flag{Name: "nu", Value: 1e-3, Usage: "learning rate `ν`", Action: positiveFloat("nu")},
				&cli.IntFlag{Name: "batch", Value: 100, Usage: "minibatch `size` (≤ --samples)", Action: positiveInt("batch")},
			}
		},
		run: func(c *cli.Context, store compare.Store, workers int, progress func(int, int)) (result, error) {
			cfg := compare.DefaultGrowthConfig()
			cfg.Seed, cfg.Store, cfg.Workers, cfg.Progress = commonSeed(c), store, workers, progress
			if r := commonRuns(c); r != 0 {
				cfg.Runs = r
			}
			if own(c, "growth") {
				cfg.N, cfg.Beta, cfg.S, cfg.Time = c.Int("n"), c.Float64("beta"), c.Int("samples"), c.Float64("time")
				cfg.Training.Hidden, cfg.Training.Phase = c.Int("hidden"), c.String("phase")
				cfg.Training.Nu, cfg.Training.Batch = c.Float64("nu"), c.Int("batch")
				if cfg.Training.Batch > cfg.S {
					return nil, fmt.Errorf("--batch %d exceeds --samples %d", cfg.Training.Batch, cfg.S)
				}
			}
			return compare.LinearGrowth(c.Context, cfg)
		},
	})
}

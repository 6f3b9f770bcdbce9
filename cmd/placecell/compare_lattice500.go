package main

import (
	"github.com/urfave/cli/v2"

	"placecell/compare"
)

func init() {
	register(experiment{
		name: "lattice500", order: 39, quick: true,
		usage: "the 500-step solution of Fig. 14a: peak of eq 37 after 500 steps against the step size, and the converged 0.9196",
		flags: func() []cli.Flag {
			return []cli.Flag{
				nFlag(100),
				&cli.IntFlag{Name: "steps", Value: 500, Usage: "integration `steps`", Action: positiveInt("steps")},
				&cli.Float64SliceFlag{Name: "step-sizes", Usage: "comma-separated `Δτ` (default 0.01,0.02,0.05,0.1,0.2,0.3)"},
				&cli.Float64SliceFlag{Name: "sigmas", Usage: "comma-separated initial amplitudes `σ` (default 0.001,0.01,0.1)"},
				&cli.StringFlag{Name: "method", Value: "euler", Usage: "`scheme`: euler or rk4"},
			}
		},
		run: func(c *cli.Context, store compare.Store, workers int, progress func(int, int)) (result, error) {
			cfg := compare.Lattice500Config{Store: store, Workers: workers, Progress: progress}
			if own(c, "lattice500") {
				cfg.N, cfg.Steps, cfg.Method = c.Int("n"), c.Int("steps"), c.String("method")
				cfg.StepSizes, cfg.Sigmas = c.Float64Slice("step-sizes"), c.Float64Slice("sigmas")
			}
			commonInto(c, &cfg.Seed, &cfg.Runs)
			return compare.Lattice500(c.Context, cfg)
		},
	})
}

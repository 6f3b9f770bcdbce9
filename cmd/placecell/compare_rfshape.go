package main

import (
	"github.com/urfave/cli/v2"

	"placecell/compare"
)

func init() {
	register(experiment{
		name: "rfshape", order: 30, quick: false,
		usage: "receptive-field shape: RBM weights w/√β at small β over the lattice bump of eq 37 (paper Fig. 14 vs Fig. 3a)",
		flags: func() []cli.Flag {
			return []cli.Flag{
				nFlag(16),
				&cli.Float64SliceFlag{Name: "betas", Usage: "comma-separated inverse temperatures `β` (default 0.05,0.1,0.2,0.3; with --paper 0.02,0.05,0.1,0.2,1)"},
				&cli.Float64Flag{Name: "tau", Value: 300, Usage: "training length in small-β time `τ` = βt", Action: positiveFloat("tau")},
				&cli.IntFlag{Name: "batch", Usage: "minibatch `size` (0: full batch, the deterministic flow)"},
				&cli.Float64Flag{Name: "nu", Usage: "learning rate `ν` (0: min(0.2/β, 0.5/(e^(2β)−1)))"},
				&cli.StringFlag{Name: "phase", Value: "exact", Usage: "model term: `exact` or pcd"},
				&cli.BoolFlag{Name: "paper", Usage: "the paper's ring N = 100, β = 0.02 … 1, S up to 2·10⁶, τ = 600 (slow)"},
			}
		},
		run: func(c *cli.Context, store compare.Store, workers int, progress func(int, int)) (result, error) {
			cfg := compare.RFShapeConfig{Seed: commonSeed(c), Runs: commonRuns(c), Store: store, Workers: workers, Progress: progress}
			if own(c, "rfshape") {
				cfg.N, cfg.Betas = c.Int("n"), c.Float64Slice("betas")
				cfg.Training.Tau, cfg.Training.Batch, cfg.Training.Nu = c.Float64("tau"), c.Int("batch"), c.Float64("nu")
				cfg.Training.Phase = c.String("phase")
				if c.Bool("paper") {
					cfg.N, cfg.Training.Tau, cfg.SMax = 100, 600, 2000000
					if len(cfg.Betas) == 0 {
						cfg.Betas = []float64{0.02, 0.05, 0.1, 0.2, 1}
					}
				}
			}
			return compare.RFShape(c.Context, cfg)
		},
	})
}

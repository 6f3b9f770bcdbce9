package main

import (
	"github.com/urfave/cli/v2"

	"placecell/compare"
)

func init() {
	register(experiment{
		name: "fwhm", order: 40, quick: false,
		usage: "receptive-field width against correlation length ξ over a β sweep, small-β limit marked (paper Fig. 3b)",
		flags: func() []cli.Flag {
			return []cli.Flag{
				nFlag(100),
				&cli.Float64SliceFlag{Name: "betas", Usage: "comma-separated inverse temperatures `β` (default 0.2,0.3,0.5,0.75,1,1.25,1.5)"},
				&cli.IntFlag{Name: "samples", Aliases: []string{"s"}, Value: 10000, Usage: "minimum training samples `S` per run", Action: positiveInt("samples")},
				&cli.Float64Flag{Name: "tau", Value: 300, Usage: "training length in small-β time `τ` = βt (t ≥ 3000)", Action: positiveFloat("tau")},
				&cli.IntFlag{Name: "batch", Value: 100, Usage: "minibatch `size` (≥ S: full batch, the deterministic flow)", Action: positiveInt("batch")},
				&cli.Float64Flag{Name: "nu", Value: 0.01, Usage: "learning rate `ν`", Action: positiveFloat("nu")},
				&cli.StringFlag{Name: "phase", Value: "exact", Usage: "model term: `exact` or pcd"},
				&cli.BoolFlag{Name: "paper", Usage: "the paper's protocol: ξ = 2.5 … 10, S = 10⁴, batch 10, ν = 10⁻³, PCD-20, 100 epochs, 25 runs (slow)"},
			}
		},
		run: func(c *cli.Context, store compare.Store, workers int, progress func(int, int)) (result, error) {
			cfg := compare.FWHMConfig{Seed: commonSeed(c), Runs: commonRuns(c), Store: store, Workers: workers, Progress: progress}
			if own(c, "fwhm") {
				cfg.N, cfg.Betas, cfg.SMin = c.Int("n"), c.Float64Slice("betas"), c.Int("samples")
				cfg.Training.Tau, cfg.Training.Batch, cfg.Training.Nu = c.Float64("tau"), c.Int("batch"), c.Float64("nu")
				cfg.Training.Phase = c.String("phase")
				if c.Bool("paper") {
					cfg.SMin, cfg.SScale = 10000, 0.000001
					cfg.Training = compare.FieldTraining{Phase: "pcd", Batch: 10, Nu: 1e-3, Epochs: 100, Chains: 100, Sweeps: 20}
					if len(cfg.Betas) == 0 {
						// ξ = 2.5, 3.75, 5, 6.25, 7.5, 8.75, 10.
						cfg.Betas = []float64{0.8107, 0.9968, 1.1394, 1.2514, 1.3421, 1.4177, 1.4979}
					}
					if cfg.Runs == 0 {
						cfg.Runs = 25
					}
				}
			}
			return compare.FWHMSweep(c.Context, cfg)
		},
	})
}

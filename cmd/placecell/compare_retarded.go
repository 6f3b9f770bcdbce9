package main

import (
	"fmt"

	"github.com/urfave/cli/v2"

	"placecell/compare"
)

func init() {
	register(experiment{
		name: "retarded", order: 10, quick: true,
		usage: "retarded learning: W and the top eigenvalue of Ĉ against r = N/S (paper Fig. 7b)",
		flags: func() []cli.Flag {
			return []cli.Flag{
				nFlag(20), betaFlag(0.5),
				&cli.Float64SliceFlag{Name: "ratios", Usage: "comma-separated `r = N/S` values (default 0.002,0.005,0.01,0.02,0.05,0.1,0.2,0.5,1)"},
				&cli.StringFlag{Name: "protocol", Value: "both", Usage: "`protocol`: epochs (same epochs for every S, as the paper), time (same learning time for every S) or both"},
				&cli.IntFlag{Name: "epochs", Value: 10, Usage: "epochs per run (protocol epochs)", Action: positiveInt("epochs")},
				&cli.Float64Flag{Name: "nu", Value: 0.025, Usage: "learning rate `ν`", Action: positiveFloat("nu")},
				&cli.Float64Flag{Name: "time", Value: 25, Usage: "learning `t` per run (protocol time)", Action: positiveFloat("time")},
				&cli.StringFlag{Name: "sampler", Value: "exact", Usage: "data `sampler`: exact or heatbath"},
				&cli.IntFlag{Name: "burn-in", Usage: "heat bath: `sweeps` discarded per chain (default ⌈10τ_M⌉)"},
				&cli.IntFlag{Name: "spacing", Usage: "heat bath: `sweeps` between recorded configurations (default ⌈5τ_M⌉)"},
				&cli.BoolFlag{Name: "paper", Usage: "the paper's settings: ν = 10⁻³, 250 epochs, 10 runs (slow; overrides --nu, --epochs)"},
			}
		},
		run: func(c *cli.Context, store compare.Store, workers int, progress func(int, int)) (result, error) {
			cfg := compare.DefaultRetardedConfig()
			cfg.Seed, cfg.Store, cfg.Workers, cfg.Progress = commonSeed(c), store, workers, progress
			if r := commonRuns(c); r != 0 {
				cfg.Runs = r
			}
			if own(c, "retarded") {
				cfg.N, cfg.Beta = c.Int("n"), c.Float64("beta")
				cfg.Training.Sigma0 = 0 // √(0.1/N) of this N
				if c.IsSet("ratios") {
					cfg.Ratios = c.Float64Slice("ratios")
				}
				if err := protocolsFlag(c, &cfg.Protocols); err != nil {
					return nil, err
				}
				cfg.Epochs, cfg.Time = c.Int("epochs"), c.Float64("time")
				cfg.Sampler, cfg.Training.Nu = c.String("sampler"), c.Float64("nu")
				cfg.BurnIn, cfg.Spacing = c.Int("burn-in"), c.Int("spacing")
				if cfg.Sampler != "heatbath" && (c.IsSet("burn-in") || c.IsSet("spacing")) {
					return nil, fmt.Errorf("--burn-in and --spacing apply to --sampler heatbath only")
				}
				if c.Bool("paper") {
					cfg.Training.Nu, cfg.Epochs = 1e-3, 250
					if commonRuns(c) == 0 {
						cfg.Runs = 10 // the default config has its own
					}
				}
			}
			return compare.RetardedLearning(c.Context, cfg)
		},
	})
}

package main

import (
	"github.com/urfave/cli/v2"

	"placecell/compare"
)

func init() {
	register(experiment{
		name: "rf", order: 31, quick: false,
		usage: "one unit's receptive field and log-likelihood at β = 1, N = 100, with the exact flow's stationary field (paper Fig. 3a)",
		flags: func() []cli.Flag {
			f := []cli.Flag{
				nFlag(100), betaFlag(1),
				&cli.IntFlag{Name: "samples", Aliases: []string{"s"}, Value: 10000, Usage: "training samples `S`", Action: positiveInt("samples")},
				&cli.IntFlag{Name: "test", Usage: "test samples (default S)", Action: positiveInt("test")},
				&cli.IntFlag{Name: "records", Value: 1, Usage: "records `per epoch`", Action: positiveInt("records")},
				paperFlag("batch 10, ν = 10⁻³, 100 epochs, 10⁵ updates per run"),
			}
			return append(append(f, trainingFlags("0.01, batch 100, 100 epochs, PCD-20, 100 chains")...), hiddenFlags()...)
		},
		run: func(c *cli.Context, store compare.Store, workers int, progress func(int, int)) (result, error) {
			cfg := compare.DefaultRFConfig()
			if own(c, "rf") {
				if c.Bool("paper") {
					cfg = compare.PaperRFConfig()
				}
				cfg.N, cfg.Beta, cfg.S, cfg.TestS, cfg.RecordsPerEpoch = c.Int("n"), c.Float64("beta"), c.Int("samples"), c.Int("test"), c.Int("records")
				if !c.IsSet("test") {
					cfg.TestS = cfg.S
				}
				cfg.Training.Sigma0 = 0 // √(0.1/N) of this N
				if err := applyTraining(c, &cfg.Training); err != nil {
					return nil, err
				}
			}
			commonInto(c, &cfg.Seed, &cfg.Runs)
			cfg.Store, cfg.Workers, cfg.Progress = store, workers, progress
			return compare.ReceptiveField(c.Context, cfg)
		},
	})
}

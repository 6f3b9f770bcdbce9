package main

import (
	"github.com/urfave/cli/v2"

	"placecell/compare"
)

func init() {
	register(experiment{
		name: "xythreshold", order: 38, quick: false,
		usage: "XY differentiated thresholds: angular structure at larger r than spatial localisation, with the XY threshold rules (paper Fig. 11)",
		flags: func() []cli.Flag {
			f := []cli.Flag{
				nFlag(100), betaFlag(1.5), pFlag(),
				&cli.Float64SliceFlag{Name: "ratios", Usage: "comma-separated `r = N/S` (default the paper's 1,0.1429,…,0.0011)"},
				&cli.StringFlag{Name: "protocol", Value: "both", Usage: "`protocol`: epochs (the paper's), time or both"},
				&cli.Float64Flag{Name: "time", Value: 1000, Usage: "learning `t` per run (protocol time)", Action: positiveFloat("time")},
			}
			var tf []cli.Flag
			for _, fl := range trainingFlags("0.1, batch 100, 20 epochs, exact model term") {
				if fl.Names()[0] != "epochs" {
					tf = append(tf, fl)
				}
			}
			return append(append(f, &cli.IntFlag{Name: "epochs", Value: 20, Usage: "epochs per run (protocol epochs)", Action: positiveInt("epochs")}), tf...)
		},
		run: func(c *cli.Context, store compare.Store, workers int, progress func(int, int)) (result, error) {
			cfg := compare.DefaultXYThresholdConfig()
			if own(c, "xythreshold") {
				cfg.N, cfg.Beta, cfg.P = c.Int("n"), c.Float64("beta"), c.Int("p")
				if c.IsSet("ratios") {
					cfg.Ratios = c.Float64Slice("ratios")
				}
				if err := protocolsFlag(c, &cfg.Protocols); err != nil {
					return nil, err
				}
				cfg.Epochs, cfg.Time = c.Int("epochs"), c.Float64("time")
				cfg.Training.Sigma0 = 0
				if err := applyTraining(c, &cfg.Training); err != nil {
					return nil, err
				}
			}
			commonInto(c, &cfg.Seed, &cfg.Runs)
			cfg.Store, cfg.Workers, cfg.Progress = store, workers, progress
			return compare.XYThreshold(c.Context, cfg)
		},
	})
}

package main

import (
	"fmt"

	"github.com/urfave/cli/v2"

	"placecell/compare"
	"placecell/compare/rbm"
)

func init() {
	for _, e := range []struct {
		name, usage string
		order       int
		def         func() compare.XYRFConfig
	}{
		{"xyrf", "XY receptive fields of one double-well and one ±1 unit: Σ_v|w|, cosine fits, phases (paper Fig. 9)", 36, compare.DefaultXYRFConfig},
		{"xytiling", "five double-well units on XY data: separated fields with equally spaced phases (paper Fig. 10)", 37, compare.DefaultXYTilingConfig},
	} {
		e := e
		register(experiment{
			name: e.name, order: e.order, quick: false, usage: e.usage,
			flags: func() []cli.Flag {
				f := []cli.Flag{
					nFlag(100), betaFlag(1.5), pFlag(),
					&cli.IntFlag{Name: "samples", Aliases: []string{"s"}, Value: 100000, Usage: "training samples `S`", Action: positiveInt("samples")},
					&cli.IntFlag{Name: "hidden", Aliases: []string{"m"}, Usage: "hidden units `M` of the double-well RBM (default 1 for xyrf, 5 for xytiling)", Action: positiveInt("hidden")},
					paperFlag("ν = 0.01, 100 epochs (10⁵ updates), PCD-20 with 100 chains"),
				}
				f = append(f, trainingFlags("0.1, batch 100, 10 epochs, PCD-5, 20 chains")...)
				return append(f,
					&cli.Float64Flag{Name: "theta", Usage: "initial `θ` of the double-well units (default 0)"},
					&cli.BoolFlag{Name: "fixed-theta", Usage: "keep θ of the double-well units fixed (default: learned)"})
			},
			run: func(c *cli.Context, store compare.Store, workers int, progress func(int, int)) (result, error) {
				cfg := e.def()
				if own(c, e.name) {
					cfg.N, cfg.Beta, cfg.P, cfg.S = c.Int("n"), c.Float64("beta"), c.Int("p"), c.Int("samples")
					if c.Bool("paper") {
						cfg.PaperXY()
					}
					cfg.Training.Sigma0 = 0
					if err := applyTraining(c, &cfg.Training); err != nil {
						return nil, err
					}
					if cfg.Training.Phase == rbm.Exact {
						return nil, fmt.Errorf("--phase exact cannot train double-well units (continuous hidden units are not enumerable); use pcd or cd")
					}
					for i := range cfg.Units {
						u := &cfg.Units[i]
						if u.Unit.Type != rbm.HiddenDoubleWell {
							continue
						}
						if c.IsSet("hidden") {
							u.M = c.Int("hidden")
						}
						if c.IsSet("theta") {
							u.Unit.Theta = c.Float64("theta")
						}
						if c.Bool("fixed-theta") {
							u.LearnHidden = false
						}
					}
				}
				if commonRuns(c) != 0 && own(c, e.name) {
					return nil, fmt.Errorf("--runs does not apply to %s: it trains one RBM per panel, as the paper's figure shows one; vary --seed for another", e.name)
				}
				var runs int
				commonInto(c, &cfg.Seed, &runs)
				cfg.Store, cfg.Workers, cfg.Progress = store, workers, progress
				return compare.XYReceptiveFields(c.Context, cfg)
			},
		})
	}
}

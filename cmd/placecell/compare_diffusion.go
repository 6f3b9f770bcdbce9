package main

import (
	"fmt"
	"strconv"
	"strings"

	"github.com/urfave/cli/v2"

	"placecell/compare"
	"placecell/compare/rbm"
)

func init() {
	for _, e := range []struct {
		name, usage, paper, arms string
		order                    int
		def, full                func() compare.DiffusionConfig
	}{
		{"diffusion", "diffusion of one receptive field's centre: trajectories, MSD, D per epoch and per unit t, D_t ∝ ν (paper Fig. 5)",
			"10 runs of 100 epochs at ν = 0.1 (10⁶ updates each)", "0.1:pcd:2, 0.1:exact:10, 0.05:exact:10", 33, compare.DefaultDiffusionConfig, compare.PaperDiffusionConfig},
		{"codiffusion", "three units co-diffusing: separations ≈ N/3, mean-centre and single-unit MSD (paper Fig. 6)",
			"250 epochs at ν = 0.1 (2.5·10⁶ updates, one run)", "0.1:pcd:2", 34, compare.DefaultCoDiffusionConfig, compare.PaperCoDiffusionConfig},
	} {
		e := e
		register(experiment{
			name: e.name, order: e.order, quick: false, usage: e.usage,
			flags: func() []cli.Flag {
				f := []cli.Flag{
					nFlag(100), betaFlag(1),
					&cli.IntFlag{Name: "samples", Aliases: []string{"s"}, Value: 1000000, Usage: "training samples `S` per run", Action: positiveInt("samples")},
					&cli.StringSliceFlag{Name: "arm", Usage: "training protocol `ν:phase:epochs`, repeatable, e.g. 0.1:pcd:2 (defaults: " + e.arms + ")"},
					&cli.IntFlag{Name: "records", Value: 100, Usage: "records `per epoch`", Action: positiveInt("records")},
					&cli.Float64Flag{Name: "fit-from", Value: 0.2, Usage: "`fraction` of the run before the reference time and fit window"},
					&cli.Float64Flag{Name: "max-lag", Value: 0.1, Usage: "largest lag of the time-averaged MSD fit, as a `fraction` of the window"},
					&cli.IntFlag{Name: "hidden", Aliases: []string{"m"}, Usage: "hidden units `M` (default 1 for diffusion, 3 for codiffusion)", Action: positiveInt("hidden")},
					paperFlag(e.paper),
				}
				var tf []cli.Flag
				for _, fl := range trainingFlags("") {
					switch fl.Names()[0] {
					case "nu", "epochs", "phase":
					default:
						tf = append(tf, fl)
					}
				}
				return append(f, tf...)
			},
			run: func(c *cli.Context, store compare.Store, workers int, progress func(int, int)) (result, error) {
				cfg := e.def()
				if own(c, e.name) {
					if c.Bool("paper") {
						cfg = e.full()
					}
					cfg.N, cfg.Beta, cfg.S = c.Int("n"), c.Float64("beta"), c.Int("samples")
					cfg.RecordsPerEpoch, cfg.FitFrom = c.Int("records"), c.Float64("fit-from")
					cfg.MaxLag = c.Float64("max-lag")
					if c.IsSet("arm") {
						arms, err := parseArms(c.StringSlice("arm"))
						if err != nil {
							return nil, err
						}
						cfg.Arms = arms
					}
					if c.IsSet("hidden") {
						cfg.Training.Hidden = c.Int("hidden")
					}
					cfg.Training.Sigma0 = 0
					if err := applyTraining(c, &cfg.Training); err != nil {
						return nil, err
					}
				}
				commonInto(c, &cfg.Seed, &cfg.Runs)
				cfg.Store, cfg.Workers, cfg.Progress = store, workers, progress
				return compare.Diffusion(c.Context, cfg)
			},
		})
	}
}

// parseArms reads training protocols written ν:phase:epochs.
func parseArms(specs []string) ([]compare.DiffusionArm, error) {
	var arms []compare.DiffusionArm
	for _, a := range specs {
		f := strings.Split(a, ":")
		if len(f) != 3 {
			return nil, fmt.Errorf("--arm %q is not ν:phase:epochs (e.g. 0.1:pcd:2)", a)
		}
		nu, err1 := strconv.ParseFloat(f[0], 64)
		ph, err2 := rbm.ParsePhase(f[1])
		ep, err3 := strconv.ParseFloat(f[2], 64)
		if err1 != nil || err2 != nil || err3 != nil {
			return nil, fmt.Errorf("--arm %q is not ν:phase:epochs with phase pcd, cd or exact", a)
		}
		arms = append(arms, compare.DiffusionArm{Nu: nu, Phase: ph, Epochs: ep})
	}
	return arms, nil
}

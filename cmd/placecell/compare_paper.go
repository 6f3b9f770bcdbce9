package main

import (
	"fmt"
	"math"

	"github.com/urfave/cli/v2"

	"placecell/compare"
	"placecell/compare/rbm"
)

// Flags and helpers shared by the experiments that reproduce the paper's
// figures (compare_rf.go, compare_tiling.go, …). Each starts from its
// reduced defaults, or from the paper's sizes with --paper, and then
// applies the flags the user set.

func paperFlag(sizes string) *cli.BoolFlag {
	return &cli.BoolFlag{Name: "paper", Usage: "the paper's sizes: " + sizes + " (slow); other flags still apply"}
}

// trainingFlags are the simulator settings every paper experiment accepts.
// They have no default value of their own: an unset flag leaves the
// experiment's default (stated in the usage).
func trainingFlags(def string) []cli.Flag {
	return []cli.Flag{
		&cli.Float64Flag{Name: "nu", Usage: "learning rate `ν` (default " + def + ")", Action: positiveFloat("nu")},
		&cli.IntFlag{Name: "batch", Usage: "minibatch `size`", Action: positiveInt("batch")},
		&cli.IntFlag{Name: "epochs", Usage: "training `epochs`", Action: positiveInt("epochs")},
		&cli.IntFlag{Name: "chains", Usage: "persistent `chains` n_c of PCD", Action: positiveInt("chains")},
		&cli.IntFlag{Name: "sweeps", Usage: "Gibbs `sweeps` k per update of PCD-k", Action: positiveInt("sweeps")},
		&cli.StringFlag{Name: "phase", Usage: "model term: `pcd`, cd or exact"},
		&cli.Float64Flag{Name: "sigma0", Usage: "initial weight scale `σ₀` (default √(0.1/N))", Action: positiveFloat("sigma0")},
	}
}

// hiddenFlags select the hidden-unit type.
func hiddenFlags() []cli.Flag {
	return []cli.Flag{
		&cli.StringFlag{Name: "hidden-type", Usage: "hidden `unit`: spin (±1), double-well, gaussian, bernoulli, relu, drelu"},
		&cli.Float64Flag{Name: "theta", Usage: "`θ` of the double-well (or Gaussian, ReLU) unit at the start"},
		&cli.BoolFlag{Name: "learn-theta", Usage: "train the hidden offsets (θ of double-well units)"},
		&cli.BoolFlag{Name: "fixed-theta", Usage: "keep the hidden offsets at their initial values"},
	}
}

// applyTraining sets the fields of t whose flags the user gave.
func applyTraining(c *cli.Context, t *rbm.Config) error {
	if c.IsSet("nu") {
		t.Nu = c.Float64("nu")
	}
	if c.IsSet("batch") {
		t.Batch = c.Int("batch")
	}
	if c.IsSet("epochs") {
		t.Epochs = c.Int("epochs")
	}
	if c.IsSet("chains") {
		t.Chains = c.Int("chains")
	}
	if c.IsSet("sweeps") {
		t.Sweeps = c.Int("sweeps")
	}
	if c.IsSet("sigma0") {
		t.Sigma0 = c.Float64("sigma0")
	}
	if c.IsSet("phase") {
		p, err := rbm.ParsePhase(c.String("phase"))
		if err != nil {
			return fmt.Errorf("--phase %q is not available (want pcd, cd or exact)", c.String("phase"))
		}
		t.Phase = p
		if p == rbm.Exact {
			t.Chains, t.Sweeps = 0, 0
		}
	}
	return applyHidden(c, t)
}

// applyHidden sets the hidden-unit type from the flags, when the command
// has them.
func applyHidden(c *cli.Context, t *rbm.Config) error {
	has := map[string]bool{}
	for _, f := range c.Command.Flags {
		for _, n := range f.Names() {
			has[n] = true
		}
	}
	if !has["hidden-type"] {
		return nil
	}
	if c.IsSet("hidden-type") {
		h, err := rbm.ParseHiddenType(c.String("hidden-type"))
		if err != nil {
			return fmt.Errorf("--hidden-type %q is not available (want spin, bernoulli, gaussian, double-well, relu or drelu)", c.String("hidden-type"))
		}
		t.Unit = rbm.HiddenUnit{Type: h, Theta: t.Unit.Theta}
	}
	if c.IsSet("theta") {
		th := c.Float64("theta")
		if math.IsNaN(th) || math.IsInf(th, 0) {
			return fmt.Errorf("--theta %v must be finite", th)
		}
		t.Unit.Theta = th
	}
	if c.Bool("learn-theta") && c.Bool("fixed-theta") {
		return fmt.Errorf("--learn-theta and --fixed-theta exclude each other")
	}
	if c.Bool("learn-theta") {
		t.LearnHidden = true
	}
	if c.Bool("fixed-theta") {
		t.LearnHidden = false
	}
	return nil
}

// commonInto sets the common flags on an experiment configuration.
func commonInto(c *cli.Context, seed *uint64, runs *int) {
	*seed = commonSeed(c)
	if r := commonRuns(c); r != 0 {
		*runs = r
	}
}

// protocolsFlag reads --protocol (epochs, time or both) into the training
// protocols of an experiment; both leaves the default (every protocol).
func protocolsFlag(c *cli.Context, protocols *[]compare.Protocol) error {
	switch p := c.String("protocol"); p {
	case "both":
	case "epochs", "time":
		q, _ := compare.ParseProtocol(p)
		*protocols = []compare.Protocol{q}
	default:
		return fmt.Errorf("--protocol %q is not available (want epochs, time or both)", p)
	}
	return nil
}

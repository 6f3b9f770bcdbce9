package main

import (
	"context"
	"errors"
	"fmt"
	"math"
	"regexp"
	"sort"
	"strings"
	"time"

	"github.com/urfave/cli/v2"

	"placecell/compare/rbm"
	"placecell/internal/jsonfloat"
	"placecell/ring"
)

func init() { registerCommand(40, trainCommand) }

func trainCommand() *cli.Command {
	return &cli.Command{
		Name:  "train",
		Usage: "train the reference RBM and write its trajectory (resumable)",
		Description: "Plain stochastic gradient ascent on the mean log-likelihood (--mode sgd, the paper's update) or\n" +
			"PGM's fit (--mode pgm: RMSprop, clipping, decay, batch norm). The model term comes from persistent\n" +
			"chains (--phase pcd, PCD-k), chains reset to the minibatch (cd, CD-k) or an exact sum (exact).\n" +
			"Training data: a file (.npy or text) given as argument, or else --samples configurations drawn\n" +
			"exactly from --model (ising, xy, …) with --n, --beta, --p, --param and --data-seed.\n" +
			"Writes OUT.json (every parameter, seed, version, data provenance and the observables of each\n" +
			"record), OUT-weights.npy (records, M, N[, q]), OUT-fields.npy, OUT-hidden.npy, OUT-fourier.npy,\n" +
			"and OUT.ckpt.json, a checkpoint. Interrupted (Ctrl-C) runs save their state: continue them,\n" +
			"bit for bit, with placecell train --resume OUT.",
		UsageText: "placecell train [options] [DATAFILE]\n   placecell train --resume OUT",
		Flags:     trainFlags(),
		Action:    trainAction,
	}
}

func trainFlags() []cli.Flag {
	choice := func(name string, opts ...string) func(*cli.Context, string) error {
		return func(_ *cli.Context, s string) error {
			for _, o := range opts {
				if s == o {
					return nil
				}
			}
			return fmt.Errorf("--%s %q is not available (want %s)", name, s, strings.Join(opts, ", "))
		}
	}
	nonNegativeInt := func(name string) func(*cli.Context, int) error {
		return func(_ *cli.Context, k int) error {
			if k < 0 {
				return fmt.Errorf("--%s %d must be ≥ 0", name, k)
			}
			return nil
		}
	}
	nonNegative := func(name string) func(*cli.Context, float64) error {
		return func(_ *cli.Context, x float64) error {
			if !(x >= 0) || math.IsInf(x, 0) {
				return fmt.Errorf("--%s %v must be finite and ≥ 0", name, x)
			}
			return nil
		}
	}
	return []cli.Flag{
		modelFlag(), nFlag(100), betaFlag(1), pFlag(), paramFlag(),
		&cli.IntFlag{Name: "samples", Aliases: []string{"s"}, Value: 10000, Usage: "generated data: number of configurations `S`",
			Action: positiveInt("samples")},
		&cli.Uint64Flag{Name: "data-seed", Value: 1, Usage: "generated data: `seed` of the exact sampler"},
		&cli.IntFlag{Name: "hidden", Aliases: []string{"m"}, Value: 1, Usage: "number `M` of hidden units",
			Action: positiveInt("hidden")},
		&cli.StringFlag{Name: "visible", Value: "auto", Usage: "visible units: `auto` (spin for 2-state data, potts otherwise), spin, bernoulli or potts",
			Action: choice("visible", "auto", "spin", "bernoulli", "potts")},
		&cli.StringFlag{Name: "unit", Value: "spin", Usage: "hidden units: `spin` (±1), bernoulli, gaussian, double-well, relu or drelu",
			Action: choice("unit", "spin", "bernoulli", "gaussian", "double-well", "relu", "drelu")},
		&cli.Float64Flag{Name: "field", Usage: "initial hidden field c (spin, bernoulli units)"},
		&cli.Float64Flag{Name: "theta", Usage: "initial θ of gaussian, relu and double-well units"},
		&cli.Float64Flag{Name: "gamma", Value: 1, Usage: "γ of gaussian and relu units", Action: positiveFloat("gamma")},
		&cli.Float64Flag{Name: "theta-plus", Usage: "dReLU θ₊"},
		&cli.Float64Flag{Name: "theta-minus", Usage: "dReLU θ₋"},
		&cli.Float64Flag{Name: "gamma-plus", Value: 1, Usage: "dReLU γ₊", Action: positiveFloat("gamma-plus")},
		&cli.Float64Flag{Name: "gamma-minus", Value: 1, Usage: "dReLU γ₋", Action: positiveFloat("gamma-minus")},
		&cli.BoolFlag{Name: "learn-hidden", Usage: "train the hidden offsets (field c, θ, θ±); default frozen"},
		&cli.StringFlag{Name: "fields", Value: "zero", Usage: "visible fields: `zero` (frozen, the paper's Ising runs), learned or fit (independent-site fit, frozen)",
			Action: choice("fields", "zero", "learned", "fit")},
		&cli.StringFlag{Name: "mode", Value: "sgd", Usage: "update rule: `sgd` (plain, constant ν) or pgm (PGM's fit defaults)",
			Action: choice("mode", "sgd", "pgm")},
		&cli.Float64Flag{Name: "nu", Value: 0.001, Usage: "learning rate `ν` (initial rate with decay); t = Σν over updates; pgm mode default 0.005",
			Action: positiveFloat("nu")},
		&cli.IntFlag{Name: "batch", Value: 10, Usage: "minibatch `size` (pgm mode default 100)", Action: positiveInt("batch")},
		&cli.IntFlag{Name: "epochs", Value: 10, Usage: "passes over the data", Action: positiveInt("epochs")},
		&cli.StringFlag{Name: "phase", Value: "pcd", Usage: "model term: `pcd` (persistent chains), cd (chains reset to the batch) or exact (enumeration)",
			Action: choice("phase", "pcd", "cd", "exact")},
		&cli.IntFlag{Name: "chains", Value: 100, Usage: "number of persistent `chains`", Action: positiveInt("chains")},
		&cli.IntFlag{Name: "sweeps", Aliases: []string{"k"}, Value: 20, Usage: "block-Gibbs sweeps `k` per update (pgm mode default 1)",
			Action: positiveInt("sweeps")},
		&cli.IntFlag{Name: "replicas", Usage: "parallel tempering with `R` ≥ 2 replicas on a linear β ladder (0: off)",
			Action: func(_ *cli.Context, r int) error {
				if r < 0 || r == 1 {
					return fmt.Errorf("--replicas %d must be 0 (off) or ≥ 2", r)
				}
				return nil
			}},
		&cli.Float64Flag{Name: "sigma0", Usage: "standard deviation of the initial weights (default √(0.1/N))",
			Action: positiveFloat("sigma0")},
		&cli.StringFlag{Name: "optimizer", Value: "sgd", Usage: "`sgd` or rmsprop (PGM's \"ADAM\" without momentum); pgm mode forces rmsprop",
			Action: choice("optimizer", "sgd", "rmsprop")},
		&cli.Float64Flag{Name: "clip", Usage: "clip gradient elements to ±`value` (0: off; pgm mode 1)", Action: nonNegative("clip")},
		&cli.Float64Flag{Name: "decay-to", Usage: "decay ν geometrically over the second half of the epochs to this `fraction` (0: off; pgm mode 0.01)",
			Action: func(_ *cli.Context, x float64) error {
				if !(x >= 0 && x < 1) {
					return fmt.Errorf("--decay-to %v must lie in [0, 1) (0: off)", x)
				}
				return nil
			}},
		&cli.BoolFlag{Name: "batch-norm", Usage: "PGM's hidden batch normalisation (spin, bernoulli, gaussian units)"},
		&cli.BoolFlag{Name: "full-data-fields", Usage: "visible-field data term from the whole data set (pgm mode: on)"},
		&cli.Float64Flag{Name: "l2", Usage: "L2 penalty on the weights", Action: nonNegative("l2")},
		&cli.Float64Flag{Name: "l1sq", Usage: "L1² penalty on the weights (per unit)", Action: nonNegative("l1sq")},
		&cli.Float64Flag{Name: "pr-exponent", Value: 2, Usage: "exponent `a` of the recorded participation ratio (PGM's sparsity: 6)",
			Action: positiveFloat("pr-exponent")},
		&cli.BoolFlag{Name: "pl", Usage: "record the pseudo-likelihood per site"},
		&cli.IntFlag{Name: "pl-samples", Usage: "pseudo-likelihood over the first `count` samples (0: all)", Action: nonNegativeInt("pl-samples")},
		&cli.BoolFlag{Name: "loglik", Usage: "record the exact log-likelihood (small N or M only)"},
		&cli.IntFlag{Name: "ais-runs", Usage: "record ln Z by AIS and reverse AIS with this many `runs`", Action: nonNegativeInt("ais-runs")},
		&cli.IntFlag{Name: "ais-steps", Value: rbm.DefaultAISSteps, Usage: "AIS inverse temperatures (≥ 10⁴)",
			Action: func(_ *cli.Context, k int) error {
				if k < rbm.DefaultAISSteps {
					return fmt.Errorf("--ais-steps %d must be ≥ %d", k, rbm.DefaultAISSteps)
				}
				return nil
			}},
		&cli.IntFlag{Name: "record-every", Value: 100, Usage: "record the observables every `K` updates",
			Action: positiveInt("record-every")},
		seedFlag(),
		&cli.StringFlag{Name: "out", Aliases: []string{"o"}, Value: "run", Usage: "output `prefix`: PREFIX.json, PREFIX-*.npy, PREFIX.ckpt.json"},
		&cli.StringFlag{Name: "resume", Usage: "continue the interrupted run with output `prefix` (other options are ignored)"},
		&cli.DurationFlag{Name: "checkpoint-every", Value: 5 * time.Minute, Usage: "also save trajectory and checkpoint at a record at most this `often` (0: only at the end or on interruption)",
			Action: func(_ *cli.Context, d time.Duration) error {
				if d < 0 {
					return fmt.Errorf("--checkpoint-every %v must be ≥ 0 (0: only at the end or on interruption)", d)
				}
				return nil
			}},
		&cli.IntFlag{Name: "stop-after", Hidden: true, Usage: "interrupt after `U` updates (testing)"},
	}
}

func trainAction(c *cli.Context) error {
	if prefix := c.String("resume"); prefix != "" {
		if err := checkArgs(c, 0); err != nil {
			return err
		}
		return trainResume(c, prefix)
	}
	if err := checkArgs(c, 1); err != nil {
		return err
	}
	data, info, err := trainData(c)
	if err != nil {
		return err
	}
	cfg, err := trainConfig(c, data)
	if err != nil {
		return err
	}
	tr, err := rbm.NewTrainer(data, cfg)
	if err != nil {
		return flagError(err)
	}
	res := tr.NewResult()
	res.Data = info
	return trainRun(c, tr, res, c.String("out"))
}

// trainData returns the training data and their provenance: the file given
// as argument, or configurations drawn exactly from the model of the flags.
func trainData(c *cli.Context) (ring.Data, map[string]any, error) {
	m, err := ringModel(c)
	if err != nil {
		return nil, nil, err
	}
	if path := c.Args().First(); path != "" {
		for _, f := range []string{"n", "beta", "samples", "data-seed"} {
			if c.IsSet(f) {
				return nil, nil, fmt.Errorf("--%s does not apply when the data come from a file (%s sets N and S)", f, path)
			}
		}
		data, err := readDataFile(c, path, m)
		if err != nil {
			return nil, nil, err
		}
		if data.Sites() < 2 {
			return nil, nil, fmt.Errorf("%s has N = %d site; training needs a ring of N ≥ 2 sites (as --n does)", path, data.Sites())
		}
		return data, map[string]any{"file": path, "model": m.Name(), "states": float64(data.States())}, nil
	}
	params := map[string]any{}
	for _, p := range m.Params() {
		params[p.Name] = p.Value
	}
	seed := c.Uint64("data-seed")
	data, err := ring.GenerateDataContext(c.Context, m.NewSampler(), m.NewData(c.Int("samples")), seed)
	if err != nil {
		return nil, nil, fmt.Errorf("data generation stopped: %w", err)
	}
	return data, map[string]any{"model": m.Name(), "params": params, "samples": float64(data.Len()),
		"sampler": "exact", "seed": fmt.Sprint(seed), "block_size": float64(ring.BlockSize), "label": ring.Label(m)}, nil
}

// trainConfig builds the training configuration from the flags.
func trainConfig(c *cli.Context, data ring.Data) (rbm.Config, error) {
	cfg := rbm.Config{
		Hidden: c.Int("hidden"), Nu: c.Float64("nu"), Batch: c.Int("batch"), Epochs: c.Int("epochs"),
		Chains: c.Int("chains"), Sweeps: c.Int("sweeps"), Sigma0: c.Float64("sigma0"),
		RecordEvery: c.Int("record-every"), Seed: c.Uint64("seed"), Replicas: c.Int("replicas"),
		LearnHidden: c.Bool("learn-hidden"), Clip: c.Float64("clip"), DecayTo: c.Float64("decay-to"),
		BatchNorm: c.Bool("batch-norm"), FullDataFields: c.Bool("full-data-fields"), L2: c.Float64("l2"), L1Sq: c.Float64("l1sq"),
		PRExponent: c.Float64("pr-exponent"),
		Observe: rbm.Observe{PseudoLikelihood: c.Bool("pl"), PLSamples: c.Int("pl-samples"), LogLikelihood: c.Bool("loglik"),
			AISRuns: c.Int("ais-runs")},
	}
	if cfg.Observe.AISRuns > 0 {
		cfg.Observe.AISSteps = c.Int("ais-steps")
	}
	var err error
	if cfg.Phase, err = rbm.ParsePhase(c.String("phase")); err != nil {
		return cfg, err
	}
	if cfg.Mode, err = rbm.ParseMode(c.String("mode")); err != nil {
		return cfg, err
	}
	if cfg.VisibleFields, err = rbm.ParseFieldMode(c.String("fields")); err != nil {
		return cfg, err
	}
	switch v := c.String("visible"); {
	case v == "auto" && data.States() > 2:
		cfg.Visible = rbm.VisiblePotts
	case v == "auto":
		cfg.Visible = rbm.VisibleSpin
	default:
		if cfg.Visible, err = rbm.ParseVisibleType(v); err != nil {
			return cfg, err
		}
	}
	ht, err := rbm.ParseHiddenType(c.String("unit"))
	if err != nil {
		return cfg, err
	}
	cfg.Unit = rbm.HiddenUnit{Type: ht, Field: c.Float64("field"), Gamma: c.Float64("gamma"), Theta: c.Float64("theta"),
		GammaPlus: c.Float64("gamma-plus"), GammaMinus: c.Float64("gamma-minus"), ThetaPlus: c.Float64("theta-plus"), ThetaMinus: c.Float64("theta-minus")}
	if c.String("optimizer") == "rmsprop" {
		cfg.Optimizer = rbm.RMSprop
	}
	if cfg.Mode == rbm.PGM {
		// PGM defaults unless set explicitly (rbm.Config fills zeros).
		for _, f := range []struct {
			name string
			p    *int
		}{{"batch", &cfg.Batch}, {"sweeps", &cfg.Sweeps}, {"chains", &cfg.Chains}} {
			if !c.IsSet(f.name) {
				*f.p = 0
			}
		}
		if !c.IsSet("nu") {
			cfg.Nu = 0
		}
	}
	if cfg.Phase == rbm.CD && !c.IsSet("chains") {
		cfg.Chains = 0
	}
	if cfg.Batch > data.Len() {
		return cfg, fmt.Errorf("--batch %d exceeds the %d training samples; use --batch ≤ %d", cfg.Batch, data.Len(), data.Len())
	}
	if cfg.Mode == rbm.PGM && cfg.Batch == 0 && data.Len() < rbm.PGMBatch {
		cfg.Batch = data.Len()
	}
	return cfg, nil
}

// trainResume continues the run saved under prefix.
func trainResume(c *cli.Context, prefix string) error {
	ck, err := rbm.ReadCheckpoint(prefix + ".ckpt.json")
	if err != nil {
		return fmt.Errorf("%w (was the run started with --out %s?)", err, prefix)
	}
	res, err := rbm.Load(prefix)
	if err != nil {
		return err
	}
	if len(res.Records) < ck.Records {
		return fmt.Errorf("%s.json holds %d records, the checkpoint %d: the files do not belong together", prefix, len(res.Records), ck.Records)
	}
	res.Records = res.Records[:ck.Records]
	data, err := dataFromProvenance(c.Context, res.Data)
	if err != nil {
		return err
	}
	tr, err := rbm.Resume(data, ck, nil)
	if err != nil {
		return err
	}
	if tr.Updates() == tr.Total() {
		fmt.Fprintf(c.App.Writer, "%s is complete (%d updates); nothing to resume\n", prefix, tr.Total())
		return nil
	}
	fmt.Fprintf(c.App.Writer, "resuming %s at update %d of %d\n", prefix, tr.Updates(), tr.Total())
	return trainRun(c, tr, res, prefix)
}

// dataFromProvenance rebuilds the training data from a trajectory's
// provenance: the file, or the exact draw from the model with its seed.
func dataFromProvenance(ctx context.Context, info map[string]any) (ring.Data, error) {
	name, _ := info["model"].(string)
	var m ring.Model
	var err error
	params := map[string]float64{}
	if p, ok := info["params"].(map[string]any); ok {
		for k, v := range p {
			if x, ok := v.(float64); ok {
				params[k] = x
			}
		}
	}
	if m, err = ring.NewModel(name, params); err != nil {
		return nil, fmt.Errorf("cannot rebuild the training data: %w", err)
	}
	if path, ok := info["file"].(string); ok {
		return ring.ReadDataFile(path, m)
	}
	var seed uint64
	if _, err := fmt.Sscan(fmt.Sprint(info["seed"]), &seed); err != nil {
		return nil, fmt.Errorf("cannot rebuild the training data: seed %v", info["seed"])
	}
	s, _ := info["samples"].(float64)
	return ring.GenerateDataContext(ctx, m.NewSampler(), m.NewData(int(s)), seed)
}

// trainRun runs tr to its end, saving the trajectory and a checkpoint
// periodically, on interruption and at the end, and prints a summary.
func trainRun(c *cli.Context, tr *rbm.Trainer, res *rbm.Result, prefix string) error {
	w := c.App.Writer
	ctx, cancel := context.WithCancel(c.Context)
	defer cancel()
	save := func() error {
		if err := res.Save(prefix); err != nil {
			return err
		}
		return rbm.WriteCheckpoint(prefix+".ckpt.json", tr.Checkpoint(len(res.Records)))
	}
	prog := newProgress(c.App.ErrWriter, "train")
	every, last := c.Duration("checkpoint-every"), time.Now()
	var saveErr error
	stop := c.Int("stop-after")
	tr.SetProgress(func(done, total int) {
		prog.update(done, total)
		if every > 0 && time.Since(last) >= every && saveErr == nil {
			saveErr, last = save(), time.Now()
		}
		if stop > 0 && done >= stop {
			cancel()
		}
	})
	start := time.Now()
	err := rbm.Run(ctx, tr, res)
	prog.finish()
	tr.SetProgress(nil)
	if saveErr != nil {
		return saveErr
	}
	warnExtreme(c, res)
	if err != nil {
		var ne *rbm.NumericError
		if errors.As(err, &ne) {
			if len(res.Records) == 0 {
				return err
			}
			if serr := res.Save(prefix); serr != nil {
				return fmt.Errorf("%w (saving the trajectory failed: %v)", err, serr)
			}
			return fmt.Errorf("%w (trajectory up to update %d, the last finite state, saved in %s.json)", err, res.Final().Update, prefix)
		}
		if errors.Is(err, context.Canceled) {
			if serr := save(); serr != nil {
				return serr
			}
			return fmt.Errorf("training interrupted after %d of %d updates; state saved: continue with placecell train --resume %s", tr.Updates(), tr.Total(), prefix)
		}
		return flagError(err)
	}
	elapsed := time.Since(start)
	if err := save(); err != nil {
		return err
	}
	cfg := res.Config
	fin := res.Final()
	fmt.Fprintf(w, "trained M = %d %v hidden units on S = %d configurations of N = %d (%v visible units, q = %d): %d updates (%d epochs), mode %s, t = %.4g, in %.3g s\n",
		cfg.Hidden, cfg.Unit.Type, res.S, res.N, cfg.Visible, res.Q, fin.Update, cfg.Epochs, cfg.ModeName(), fin.T, elapsed.Seconds())
	fmt.Fprintf(w, "phase %v, B = %d, C = %d, k = %d, seed %d; %s\n", cfg.Phase, cfg.Batch, cfg.Chains, cfg.Sweeps, cfg.Seed, res.Gauge)
	head := []string{"update", "epoch", "t", "unit", "W=|Σw|", "Σw²", fmt.Sprintf("PR%g", cfg.PRExponent), "FWHM", "centre"}
	extra := map[string]bool{}
	for _, r := range res.Records {
		extra["pl"] = extra["pl"] || !math.IsNaN(r.PseudoLikelihood)
		extra["ll"] = extra["ll"] || !math.IsNaN(r.LogLikelihood)
		extra["ais"] = extra["ais"] || r.AIS.Runs > 0
	}
	keys := []string{}
	for k, v := range extra {
		if v {
			keys = append(keys, k)
		}
	}
	sort.Strings(keys)
	for _, k := range keys {
		head = append(head, map[string]string{"pl": "PL/site", "ll": "log L", "ais": "log L (AIS)"}[k])
	}
	t := &table{head: head, prec: 4}
	recs := res.Records
	step := max(1, (len(recs)+9)/10)
	shown := min(cfg.Hidden, maxTrainUnits)
	add := func(r rbm.Record) {
		for mu := range shown {
			row := []any{r.Update, r.Epoch, r.T, mu, r.Units.OrderW[mu], r.Units.SumSq[mu], r.Units.PR[mu], r.Units.FWHM[mu], r.Units.Centre[mu]}
			for _, k := range keys {
				switch k {
				case "pl":
					row = append(row, r.PseudoLikelihood)
				case "ll":
					row = append(row, r.LogLikelihood)
				case "ais":
					row = append(row, fmt.Sprintf("[%.5g, %.5g]", r.LogLikelihoodAIS[0], r.LogLikelihoodAIS[1]))
				}
			}
			t.add(row...)
		}
	}
	for r := 0; r < len(recs); r += step {
		add(recs[r])
	}
	if (len(recs)-1)%step != 0 {
		add(recs[len(recs)-1])
	}
	if err := t.write(w, "text", nil); err != nil {
		return err
	}
	if shown < cfg.Hidden {
		fmt.Fprintf(w, "(units 0–%d of %d shown; every unit is in %s.json)\n", shown-1, cfg.Hidden, prefix)
	}
	if fin.Chains.PTAcceptance != nil {
		fmt.Fprintf(w, "tempering swap acceptance per pair (last interval): %.3g\n", fin.Chains.PTAcceptance)
	}
	fmt.Fprintf(w, "wrote %s.json, %s-{weights,fields,hidden,fourier}.npy and %s.ckpt.json\n", prefix, prefix, prefix)
	return nil
}

// warnExtreme reports on stderr the hidden inputs beyond the tested range
// of the special functions that the run met (rbm.Result.ExtremeInputs).
func warnExtreme(c *cli.Context, res *rbm.Result) {
	if res.ExtremeInputs > 0 {
		fmt.Fprintf(c.App.ErrWriter, "placecell: warning: %d hidden inputs |I| > 1e3 met in gradients, beyond the range where the special functions are tested; reduce --nu\n",
			res.ExtremeInputs)
	}
}

// rbmFlags maps the rbm.Config fields that train sets from flags to the
// flags, for the validation errors of rbm.
var rbmFlags = map[string]string{
	"Observe.AISSteps": "ais-steps", "Observe.AISRuns": "ais-runs", "Observe.PLSamples": "pl-samples",
	"RecordEvery": "record-every", "PRExponent": "pr-exponent", "DecayTo": "decay-to", "Replicas": "replicas",
	"Sigma0": "sigma0", "BatchNorm": "batch-norm", "Hidden": "hidden", "Chains": "chains", "Batch": "batch",
	"Sweeps": "sweeps", "Epochs": "epochs", "Nu": "nu", "Clip": "clip", "L2": "l2", "L1Sq": "l1sq",
}

var rbmField = regexp.MustCompile(`\b(Observe\.AISSteps|Observe\.AISRuns|Observe\.PLSamples|RecordEvery|PRExponent|DecayTo|Replicas|Sigma0|BatchNorm|Hidden|Chains|Batch|Sweeps|Epochs|Nu|Clip|L2|L1Sq)\b( = )?`)

// flagError rewrites an rbm validation error in terms of train's flags:
// "rbm: Replicas = 1 must be …" becomes "--replicas 1 must be …".
// Other errors are returned unchanged.
func flagError(err error) error {
	msg := err.Error()
	if !strings.HasPrefix(msg, "rbm: ") || !rbmField.MatchString(msg) {
		return err
	}
	msg = rbmField.ReplaceAllStringFunc(strings.TrimPrefix(msg, "rbm: "), func(m string) string {
		sub := rbmField.FindStringSubmatch(m)
		f := "--" + rbmFlags[sub[1]]
		if sub[2] != "" {
			f += " "
		}
		return f
	})
	return errors.New(msg)
}

// maxTrainUnits is the number of units the summary table shows.
const maxTrainUnits = 4

// optFloat is a float64 that encodes as JSON null when it is NaN or ±Inf
// (an undefined FWHM or centre). Other commands use it too.
type optFloat = jsonfloat.Null

func dot(x, y []float64) float64 {
	var s float64
	for i := range x {
		s += x[i] * y[i]
	}
	return s
}

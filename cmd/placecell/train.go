package main

import (
	"encoding/json"
	"fmt"
	"io"
	"math"
	"time"

	"codeberg.org/sbinet/npyio"
	"github.com/urfave/cli/v2"

	"placecell/compare/rbm"
	"placecell/dynamics"
	"placecell/internal/atomicfile"
	"placecell/internal/version"
	"placecell/ring"
)

func init() { registerCommand(40, trainCommand) }

func trainCommand() *cli.Command {
	return &cli.Command{
		Name:  "train",
		Usage: "train the reference RBM (±1 visible, ±1 hidden units, zero fields) and write its trajectory",
		Description: "Plain stochastic gradient ascent on the mean log-likelihood; the model term comes from\n" +
			"persistent chains (PCD-k) or, with --phase exact, from the exact sum over hidden states.\n" +
			"Training data: a file (.npy or text, ±1 or 0/1) given as argument, or else --samples\n" +
			"configurations drawn exactly from the Ising ring of --n and --beta with --data-seed.\n" +
			"Writes OUT.json (every parameter, seed, version and the order parameters of each record)\n" +
			"and OUT-weights.npy (float64 array of shape (records, M, N)).",
		UsageText: "placecell train [options] [DATAFILE]",
		Flags: []cli.Flag{
			modelFlag(), nFlag(100), betaFlag(1),
			&cli.IntFlag{Name: "samples", Aliases: []string{"s"}, Value: 10000, Usage: "generated data: number of configurations `S`",
				Action: positiveInt("samples")},
			&cli.Uint64Flag{Name: "data-seed", Value: 1, Usage: "generated data: `seed` of the exact sampler"},
			&cli.IntFlag{Name: "hidden", Aliases: []string{"m"}, Value: 1, Usage: "number `M` of hidden units",
				Action: positiveInt("hidden")},
			&cli.Float64Flag{Name: "nu", Value: 0.001, Usage: "learning rate `ν`; learning time t = ν·updates",
				Action: positiveFloat("nu")},
			&cli.IntFlag{Name: "batch", Value: 10, Usage: "minibatch `size`", Action: positiveInt("batch")},
			&cli.IntFlag{Name: "epochs", Value: 10, Usage: "passes over the data", Action: positiveInt("epochs")},
			&cli.StringFlag{Name: "phase", Value: "pcd", Usage: "model term: `pcd` (persistent chains) or exact (sum over hidden states)"},
			&cli.IntFlag{Name: "chains", Value: 100, Usage: "number of persistent `chains`", Action: positiveInt("chains")},
			&cli.IntFlag{Name: "sweeps", Aliases: []string{"k"}, Value: 20, Usage: "block-Gibbs sweeps `k` per update (PCD-k)",
				Action: positiveInt("sweeps")},
			&cli.Float64Flag{Name: "sigma0", Usage: "standard deviation of the initial weights (default √(0.1/N))",
				Action: positiveFloat("sigma0")},
			&cli.IntFlag{Name: "record-every", Value: 100, Usage: "record the weights every `K` updates",
				Action: positiveInt("record-every")},
			seedFlag(),
			&cli.StringFlag{Name: "out", Aliases: []string{"o"}, Value: "run", Usage: "output `prefix`: writes PREFIX.json and PREFIX-weights.npy"},
		},
		Action: trainAction,
	}
}

// trainRecord summarises one snapshot.
type trainRecord struct {
	Update int        `json:"update"`
	Epoch  float64    `json:"epoch"`
	T      float64    `json:"t"`
	W      []float64  `json:"W"`      // |Σ_i w_μi| per unit (eq 12)
	SumSq  []float64  `json:"sum_sq"` // Σ_i w_μi² per unit
	PR     []optFloat `json:"pr"`     // participation ratio per unit
	Centre []optFloat `json:"centre"` // circular mean of w² per unit; null when undefined
	FWHM   []optFloat `json:"fwhm"`   // per unit; null when undefined
}

type trainOutput struct {
	Program   string        `json:"program"`
	Version   string        `json:"version"`
	Data      any           `json:"data"`
	N         int           `json:"n"`
	S         int           `json:"s"`
	Hidden    int           `json:"hidden"`
	Nu        float64       `json:"nu"`
	Batch     int           `json:"batch"`
	Epochs    int           `json:"epochs"`
	Phase     string        `json:"phase"`
	Chains    int           `json:"chains"`
	Sweeps    int           `json:"sweeps"`
	Sigma0    float64       `json:"sigma0"`
	Record    int           `json:"record_every"`
	Seed      uint64        `json:"seed"`
	Updates   int           `json:"updates"`
	PerEpoch  int           `json:"updates_per_epoch"`
	Fields    string        `json:"fields"`
	Optimizer string        `json:"optimizer"`
	Weights   string        `json:"weights_file"`
	Layout    string        `json:"weights_layout"`
	Records   []trainRecord `json:"records"`
}

func trainAction(c *cli.Context) error {
	if err := checkArgs(c, 1); err != nil {
		return err
	}
	w := c.App.Writer

	// Data.
	var data *ring.Spins
	var dataInfo any
	if path := c.Args().First(); path != "" {
		var err error
		if data, err = ring.ReadSpinsFile(path); err != nil {
			return err
		}
		dataInfo = map[string]any{"file": path}
	} else {
		m, err := isingModel(c)
		if err != nil {
			return err
		}
		seed := c.Uint64("data-seed")
		data = ring.Generate(ring.NewExact(m), c.Int("samples"), seed)
		dataInfo = map[string]any{"model": "ising", "n": m.N, "beta": m.Beta, "samples": data.Len(),
			"sampler": "exact", "seed": seed, "block_size": ring.BlockSize}
	}

	// Training.
	var phase rbm.NegativePhase
	switch c.String("phase") {
	case "pcd":
		phase = rbm.PCD
	case "exact":
		phase = rbm.Exact
	default:
		return fmt.Errorf("--phase %q is not available (want pcd or exact)", c.String("phase"))
	}
	cfg := rbm.Config{
		Hidden: c.Int("hidden"), Nu: c.Float64("nu"), Batch: c.Int("batch"), Epochs: c.Int("epochs"),
		Phase: phase, Chains: c.Int("chains"), Sweeps: c.Int("sweeps"), Sigma0: c.Float64("sigma0"),
		RecordEvery: c.Int("record-every"), Seed: c.Uint64("seed"),
	}
	if cfg.Batch > data.Len() {
		return fmt.Errorf("--batch %d exceeds the %d training samples; use --batch ≤ %d", cfg.Batch, data.Len(), data.Len())
	}
	prog := newProgress(c.App.ErrWriter, "train")
	cfg.Progress = func(done, total int) { prog.update(done, total) }
	start := time.Now()
	res, err := rbm.Train(c.Context, data, cfg)
	prog.finish()
	if err != nil {
		return err
	}
	elapsed := time.Since(start)

	// Outputs.
	n, m := res.N, res.Config.Hidden
	out := trainOutput{
		Program: "placecell", Version: version.String(), Data: dataInfo, N: n, S: res.S,
		Hidden: m, Nu: res.Config.Nu, Batch: res.Config.Batch, Epochs: res.Config.Epochs,
		Phase: res.Config.Phase.String(), Chains: res.Config.Chains, Sweeps: res.Config.Sweeps,
		Sigma0: res.Config.Sigma0, Record: res.Config.RecordEvery, Seed: res.Config.Seed,
		Updates: res.Final().Update, PerEpoch: res.UpdatesPerEpoch,
		Fields: "visible and hidden fields frozen at zero", Optimizer: "plain SGD, constant learning rate",
		Weights: c.String("out") + "-weights.npy", Layout: "(record, unit μ, site i), float64",
	}
	weights := make([][][]float64, len(res.Records))
	for r, rec := range res.Records {
		tr := trainRecord{Update: rec.Update, Epoch: rec.Epoch, T: rec.T}
		weights[r] = make([][]float64, m)
		for mu := range m {
			row := rec.W[mu*n : (mu+1)*n]
			weights[r][mu] = row
			c, _ := dynamics.Centre(row)
			tr.W = append(tr.W, dynamics.OrderW(row))
			tr.SumSq = append(tr.SumSq, dot(row, row))
			tr.PR = append(tr.PR, optFloat(dynamics.ParticipationRatio(row)))
			tr.Centre = append(tr.Centre, optFloat(c))
			tr.FWHM = append(tr.FWHM, optFloat(dynamics.FWHM(row)))
		}
		out.Records = append(out.Records, tr)
	}
	if err := atomicfile.Write(out.Weights, func(f io.Writer) error { return npyio.Write(f, weights) }); err != nil {
		return err
	}
	js, err := json.MarshalIndent(out, "", " ")
	if err != nil {
		return err
	}
	if err := atomicfile.WriteBytes(c.String("out")+".json", append(js, '\n')); err != nil {
		return err
	}

	// Summary.
	fmt.Fprintf(w, "trained M = %d hidden units on S = %d configurations of N = %d: %d updates (%d epochs), t = ν·updates = %.4g, in %.3g s\n",
		m, res.S, n, out.Updates, res.Config.Epochs, res.Final().T, elapsed.Seconds())
	t := &table{head: []string{"update", "epoch", "t", "unit", "W=|Σw|", "Σw²", "PR", "FWHM", "centre"}, prec: 4}
	recs := out.Records
	step := max(1, (len(recs)+9)/10)
	for r := 0; r < len(recs); r += step {
		addTrainRows(t, recs[r])
	}
	if (len(recs)-1)%step != 0 {
		addTrainRows(t, recs[len(recs)-1])
	}
	if err := t.write(w, "text", nil); err != nil {
		return err
	}
	fmt.Fprintf(w, "wrote %s.json and %s\n", c.String("out"), out.Weights)
	return nil
}

func addTrainRows(t *table, r trainRecord) {
	for mu := range r.W {
		t.add(r.Update, r.Epoch, r.T, mu, r.W[mu], r.SumSq[mu], float64(r.PR[mu]), float64(r.FWHM[mu]), float64(r.Centre[mu]))
	}
}

// optFloat is a float64 that encodes as JSON null when it is NaN or ±Inf
// (an undefined FWHM or centre).
type optFloat float64

func (x optFloat) MarshalJSON() ([]byte, error) {
	f := float64(x)
	if math.IsNaN(f) || math.IsInf(f, 0) {
		return []byte("null"), nil
	}
	return json.Marshal(f)
}

func dot(x, y []float64) float64 {
	var s float64
	for i := range x {
		s += x[i] * y[i]
	}
	return s
}

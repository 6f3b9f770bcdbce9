package rbm

import (
	"context"
	"errors"
	"fmt"
	"math"
	"math/rand/v2"

	"placecell/dynamics"
	"placecell/internal/rng"
	"placecell/internal/version"
	"placecell/ring"
)

func rngPCG(seed uint64, name string, r int) *rand.PCG { return rng.PCG(seed, name, uint64(r)) }

// Record is a snapshot of the parameters and observables (SIMULATOR.md §6).
type Record struct {
	// Update is the number of updates performed.
	Update int
	// Epoch is Update/⌈S/Batch⌉.
	Epoch float64
	// T is the learning time Σ ν (ν·Update at a constant rate).
	T float64
	// Nu is the learning rate of the last update (ν₀ at update 0).
	Nu float64
	// W holds the M×N weights, row-major (M×N×q for Potts, colour fastest).
	W []float64
	// Fields holds the visible fields (N, or N×q).
	Fields []float64
	// Hidden holds the hidden parameters, one row of M per name of
	// Result.HiddenNames.
	Hidden []float64
	// Units holds the order parameters of each unit.
	Units UnitStats
	// PseudoLikelihood is the mean log pseudo-likelihood per site (NaN
	// unless Observe.PseudoLikelihood).
	PseudoLikelihood float64
	// LogLikelihood is the exact mean log-likelihood per sample (NaN
	// unless Observe.LogLikelihood and the model can be enumerated).
	LogLikelihood float64
	// AIS holds the AIS estimates (Runs = 0 unless Observe.AISRuns > 0),
	// and LogLikelihoodAIS the bracket ⟨−F⟩ − ReverseLogZ ≤ log L ≤
	// ⟨−F⟩ − LogZ that they imply.
	AIS              AISResult
	LogLikelihoodAIS [2]float64
	Chains           ChainStats
}

// Result is the outcome of a training run.
type Result struct {
	// Config is the configuration used, with defaults filled in.
	Config Config
	// N, S and Q are the number of sites, of training samples and of
	// states per site.
	N, S, Q int
	// UpdatesPerEpoch is ⌈S/Batch⌉.
	UpdatesPerEpoch int
	// HiddenNames names the rows of Record.Hidden.
	HiddenNames []string
	// Gauge states how the gauges were fixed.
	Gauge string
	// ExtremeInputs counts the hidden inputs |I| > 10³ met in gradients,
	// beyond the range the special functions are tested on.
	ExtremeInputs int64
	// Version is the code version.
	Version string
	// Data is free-form provenance of the training data (generator, its
	// parameters and seed, S), set by the caller and saved with the
	// trajectory; numbers reload as float64.
	Data map[string]any
	// Records holds the recorded snapshots, in order.
	Records []Record
}

// Final returns the last record.
func (r *Result) Final() Record { return r.Records[len(r.Records)-1] }

// NewResult returns an empty Result describing t's run.
func (t *Trainer) NewResult() *Result {
	return &Result{Config: t.cfg, N: t.n, S: t.s, Q: t.q, UpdatesPerEpoch: t.upe,
		HiddenNames: hiddenSegments(t.cfg.Unit.Type), Gauge: t.cfg.Gauge(), Version: version.String()}
}

// Record returns a snapshot of the current state with the observables
// selected in the configuration. Chain diagnostics compare with the
// previous call, so records must be taken in order.
func (t *Trainer) Record() Record {
	names, hidden := t.HiddenParams()
	_ = names
	rec := Record{
		Update: t.updates, Epoch: float64(t.updates) / float64(t.upe), T: t.time, Nu: t.nu,
		W: t.Weights(), Fields: t.Fields(), Hidden: hidden,
		Units:            unitStats(t.md.w, t.m, t.n, t.d, t.cfg.PRExponent),
		PseudoLikelihood: math.NaN(), LogLikelihood: math.NaN(),
		LogLikelihoodAIS: [2]float64{math.NaN(), math.NaN()},
	}
	o := t.cfg.Observe
	if o.PseudoLikelihood {
		rec.PseudoLikelihood = t.PseudoLikelihood(o.PLSamples)
	}
	if o.LogLikelihood {
		rec.LogLikelihood, _ = t.LogLikelihood()
	}
	if o.AISRuns > 0 {
		rec.AIS = t.AIS(o.AISRuns, o.AISSteps)
		nf := t.meanNegF(0)
		rec.LogLikelihoodAIS = [2]float64{nf - rec.AIS.ReverseLogZ, nf - rec.AIS.LogZ}
	}
	rec.Chains = t.chainStats()
	return rec
}

// Train runs a whole training on data and returns its recorded trajectory.
// It stops early with ctx's error if ctx is cancelled.
//
// Records are taken at update 0, every RecordEvery updates and after the
// last update (once if it falls on a multiple of RecordEvery). The context
// is checked between updates; on cancellation the error wraps ctx.Err()
// and states the number of updates done. On any error after the start,
// the partial Result recorded so far is returned with it; after a
// *NumericError its last record is the last finite state (the update
// before the failing one).
func Train(ctx context.Context, data ring.Data, cfg Config) (*Result, error) {
	t, err := NewTrainer(data, cfg)
	if err != nil {
		return nil, err
	}
	res := t.NewResult()
	return res, Run(ctx, t, res)
}

// Run continues the training of t up to its last update, appending the
// records to res (which holds the records of the run so far: empty for a
// fresh trainer, or those saved with a checkpoint). It records update 0
// first if res has no record. Errors are as for Train; after a
// cancellation t can be checkpointed and resumed, and the resumed run is
// bitwise identical to an uninterrupted one. A run whose trajectory would
// hold more than 2^28 recorded weights (2 GiB) is refused before it starts.
func Run(ctx context.Context, t *Trainer, res *Result) error {
	record := func() {
		res.Records = append(res.Records, t.Record())
		res.ExtremeInputs = t.extreme
		if t.cfg.Progress != nil {
			t.cfg.Progress(t.updates, t.total)
		}
	}
	recs := float64(len(res.Records) + (t.total-t.updates)/t.cfg.RecordEvery + 2)
	if w := float64(len(t.md.w)); recs*w > maxTrajectory {
		return fmt.Errorf("rbm: RecordEvery = %d gives %.0f records of %.0f weights, %.3g values above the limit %d (2^28, 2 GiB): record less often",
			t.cfg.RecordEvery, recs, w, recs*w, maxTrajectory)
	}
	if len(res.Records) == 0 {
		record()
	}
	for t.updates < t.total {
		if err := ctx.Err(); err != nil {
			return fmt.Errorf("rbm: training stopped after %d of %d updates: %w", t.updates, t.total, err)
		}
		if err := t.Step(); err != nil {
			// Record the last finite state (Step restored it) unless
			// it was just recorded.
			var ne *NumericError
			if errors.As(err, &ne) && res.Records[len(res.Records)-1].Update < t.updates {
				record()
			}
			return err
		}
		if t.updates%t.cfg.RecordEvery == 0 || t.updates == t.total {
			record()
		}
	}
	return nil
}

// Times returns the learning times T of the records.
func (r *Result) Times() []float64 {
	t := make([]float64, len(r.Records))
	for k, rec := range r.Records {
		t[k] = rec.T
	}
	return t
}

// Centres returns the receptive-field centre of unit mu at every record,
// unwrapped along the trajectory (dynamics.Unwrap: each step taken in
// (−N/2, N/2]), for drift and mean-square-displacement analysis
// (SIMULATOR.md §6). Record often enough that a centre moves less than
// N/2 between records.
func (r *Result) Centres(mu int) []float64 {
	c := make([]float64, len(r.Records))
	for k, rec := range r.Records {
		c[k] = rec.Units.Centre[mu]
	}
	return dynamics.Unwrap(c, c, r.N)
}

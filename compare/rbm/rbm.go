package rbm

import (
	"context"

	"placecell/ring"
)

// NegativePhase selects how the model term of the gradient is computed.
type NegativePhase int

const (
	// PCD estimates the model term from persistent chains advanced by
	// Sweeps block-Gibbs sweeps per update (the default).
	PCD NegativePhase = iota
	// Exact computes the model term exactly by summing over the 2^(M−1)
	// hidden configurations (THEORY.md §4.6); Chains and Sweeps are unused.
	Exact
)

// String returns "pcd" or "exact".
func (p NegativePhase) String() string { panic("unimplemented") }

// Config holds the training parameters. A zero field takes the documented
// default.
type Config struct {
	// Hidden is the number M of hidden units (default 1).
	Hidden int
	// Nu is the learning rate ν (required, > 0).
	Nu float64
	// Batch is the minibatch size (default 10; ≤ S). A shorter last
	// minibatch of an epoch is kept.
	Batch int
	// Epochs is the number of passes over the data (default 1); the run
	// performs Epochs·⌈S/Batch⌉ updates.
	Epochs int
	// Phase selects PCD (default) or the exact model term.
	Phase NegativePhase
	// Chains is the number of persistent chains (default 100).
	Chains int
	// Sweeps is k of PCD-k, block-Gibbs sweeps per update (default 20).
	Sweeps int
	// Sigma0 is the standard deviation of the initial weights (default
	// √(0.1/N)); it must not be negative, and zero is replaced by the
	// default, so weights never start at exactly zero.
	Sigma0 float64
	// RecordEvery is K: the weights are recorded every K updates, at
	// update 0 and at the end (default 100).
	RecordEvery int
	// Seed is the master seed of every random stream.
	Seed uint64
	// Progress, if not nil, is called after every recorded update with the
	// number of updates done and the total.
	Progress func(done, total int)
}

// Record is a snapshot of the weights.
type Record struct {
	// Update is the number of updates performed.
	Update int
	// Epoch is Update/⌈S/Batch⌉.
	Epoch float64
	// T is the learning time ν·Update.
	T float64
	// W holds the M×N weights, row-major.
	W []float64
}

// Result is the outcome of a training run.
type Result struct {
	// Config is the configuration used, with defaults filled in.
	Config Config
	// N and S are the number of sites and of training samples.
	N, S int
	// UpdatesPerEpoch is ⌈S/Batch⌉.
	UpdatesPerEpoch int
	// Records holds the recorded snapshots, in order.
	Records []Record
}

// Final returns the last record.
func (r *Result) Final() Record { return r.Records[len(r.Records)-1] }

// Trainer advances an RBM one update at a time.
type Trainer struct {
	// unexported state
}

// NewTrainer validates cfg against the data and returns a trainer at
// update 0. Invalid settings (ν ≤ 0, Batch > S, Chains < 1 or Sweeps < 1 in
// PCD mode, negative Sigma0, M > 24 in exact mode) are errors naming the
// setting and its allowed range. The caller's data are never modified.
func NewTrainer(data *ring.Spins, cfg Config) (*Trainer, error) { panic("unimplemented") }

// Step performs one update. It returns a *NumericError if any weight, chain
// input or gradient becomes NaN or infinite.
func (t *Trainer) Step() error { panic("unimplemented") }

// Weights returns a copy of the current M×N weights.
func (t *Trainer) Weights() []float64 { panic("unimplemented") }

// Updates returns the number of updates performed.
func (t *Trainer) Updates() int { panic("unimplemented") }

// Train runs a whole training on data and returns its recorded trajectory.
// It stops early with ctx's error if ctx is cancelled.
func Train(ctx context.Context, data *ring.Spins, cfg Config) (*Result, error) {
	panic("unimplemented")
}

// NumericError reports a non-finite value met during training.
type NumericError struct {
	Update     int     // update at which it was found
	T          float64 // learning time
	What       string  // "weight", "gradient" or "chain input"
	Unit, Site int     // index of the offending entry (Site −1 if none)
	Value      float64 // the offending value
	LastNorm   float64 // Frobenius norm of the last finite gradient
}

func (e *NumericError) Error() string { panic("unimplemented") }

package compare

import (
	"context"
	"fmt"
	"math"
	"slices"
	"strings"

	"gonum.org/v1/gonum/floats"

	"placecell/compare/rbm"
	"placecell/dynamics"
	"placecell/internal/jsonfloat"
	"placecell/ring"
)

// FieldTraining sets how the receptive-field experiments (RFShape,
// FWHMSweep) train their RBMs: one ±1 hidden unit with zero fields on S
// exact samples of the Ising ring, plain gradient ascent.
type FieldTraining struct {
	// Phase is "exact" (default: the exact model term, no PCD bias) or
	// "pcd".
	Phase string `json:"phase"`
	// Batch is the minibatch size; 0 means the whole training set (full
	// batch), which with the exact phase is the explicit Euler scheme of
	// the deterministic empirical flow (THEORY.md §1.2, §4.6), free of SGA
	// noise.
	Batch int `json:"batch"`
	// Nu is the learning rate; 0 selects min(0.2/β, 0.5/(e^(2β) − 1)):
	// steps of Δτ = βν ≤ 0.2 and ν·(λ₀ − 1) ≤ ½, well inside the Euler
	// stability bound of the flow's fastest mode.
	Nu float64 `json:"nu"`
	// Tau is the training length in small-β time τ = βt (default 300); the
	// learning time is t = max(TMin, Tau/β).
	Tau  float64 `json:"tau"`
	TMin float64 `json:"t_min"`
	// Epochs, if > 0, fixes the number of epochs instead (the paper's
	// protocol); Tau and TMin are then unused.
	Epochs int `json:"epochs,omitempty"`
	// Chains and Sweeps are n_c and k of PCD (defaults 100 and 20).
	Chains int `json:"chains,omitempty"`
	Sweeps int `json:"sweeps,omitempty"`
	// Sigma0 is the initial weight scale (0: the simulator's √(0.1/N)).
	Sigma0 float64 `json:"sigma0,omitempty"`
}

func (f *FieldTraining) setDefaults() {
	if f.Phase == "" {
		f.Phase = "exact"
	}
	if f.Tau == 0 {
		f.Tau = 300
	}
	if f.Phase == "pcd" {
		if f.Chains == 0 {
			f.Chains = 100
		}
		if f.Sweeps == 0 {
			f.Sweeps = 20
		}
	}
}

func (f *FieldTraining) validate() error {
	if f.Phase != "exact" && f.Phase != "pcd" {
		return configErrorf("unknown negative phase %q (want exact or pcd)", f.Phase)
	}
	if f.Batch < 0 || f.Epochs < 0 || f.Chains < 0 || f.Sweeps < 0 {
		return configErrorf("batch %d, epochs %d, chains %d and sweeps %d must not be negative", f.Batch, f.Epochs, f.Chains, f.Sweeps)
	}
	for _, v := range []struct {
		name string
		x    float64
	}{{"nu", f.Nu}, {"tau", f.Tau}, {"t_min", f.TMin}, {"sigma0", f.Sigma0}} {
		if !(v.x >= 0) || math.IsInf(v.x, 0) {
			return configErrorf("%s = %v must be finite and ≥ 0", v.name, v.x)
		}
	}
	if f.Epochs == 0 && !(f.Tau > 0 || f.TMin > 0) {
		return configErrorf("tau = %v and t_min = %v give no training (want one of them > 0, or epochs)", f.Tau, f.TMin)
	}
	return nil
}

// maxFieldUpdates bounds the updates of one field run (about an hour of
// minibatch training at N = 100).
const maxFieldUpdates = 1e8

// eulerStepLimit returns the largest learning rate ν for which explicit
// Euler (full-batch gradient ascent, THEORY.md §1.2) is linearly stable at
// the receptive field of one ±1 hidden unit trained on the Ising ring
// model:
//
//	ν_max = 2/|μ|,  |μ| = min(1, (1 − λ_min) + 1.2(λ₀ − 1)),
//
// with λ₀ and λ_min the largest and smallest eigenvalues of the model's
// correlation matrix (k = 0 and the staggered mode). Euler on a mode that
// relaxes at rate |μ| is stable iff ν|μ| < 2. At w = 0 the rates are
// λ_k − 1 (the linear flow, THEORY.md §4.6 linearised); at the field the
// weight norm adds −Σw² to every rate: in the small-β limit the Jacobian
// of eq 37, A + diag(3ŵ² − b) − 2ŵŵᵀ, bottoms out at −(2 + b) in τ = βt
// units (the staggered mode away from the bump, b = Σŵ² = 2.40 at the
// lattice bump, THEORY.md §5.3, §5.4), i.e. at
// −[(1 − λ_min) + (b/2)(λ₀ − 1)] per unit t since λ₀ − 1 ≈ 1 − λ_min ≈ 2β.
// For any β the Jacobian ⟨vvᵀ sech² I⟩ − diag(sech² w) is bounded below
// by −1 (its first term is positive semi-definite), hence the cap. The
// bound is conservative by 25–50%: at N = 16 full-batch training was
// measured to converge at β = 0.1 up to ν = 5.5 (limit 4.47) and at
// β = 0.3 up to ν = 2.5 (limit 2.0), and to diverge (oscillate with
// weights of order ν) at ν = 7 and ν = 3 respectively.
func eulerStepLimit(model ring.Ising) float64 {
	c := model.CorrelationRow(nil)
	var l0, lmin float64
	for d, v := range c {
		l0 += v
		if d%2 == 0 {
			lmin += v
		} else {
			lmin -= v
		}
	}
	if model.N%2 == 1 {
		// No staggered mode on an odd ring: its smallest eigenvalue is
		// at k = (N−1)/2, close to the staggered value.
		lmin = 0
		for d, v := range c {
			lmin += v * math.Cos(2*math.Pi*float64((model.N-1)/2*d)/float64(model.N))
		}
	}
	mu := math.Min(1, (1-lmin)+1.2*(l0-1))
	return 2 / mu
}

// check validates the training of a field at model.Beta on s samples:
// a usable learning rate (the automatic one underflows at large β), within
// the Euler stability limit (eulerStepLimit), and a bounded number of
// updates.
func (f *FieldTraining) check(model ring.Ising, s int) error {
	nu := f.nu(model.Beta)
	if !(nu > 0) || math.IsInf(nu, 0) {
		return configErrorf("β = %g: the learning rate ν = %v is not positive and finite (the automatic ν = min(0.2/β, 0.5/(e^(2β)−1)) underflows beyond β ≈ 355; use a smaller β)", model.Beta, nu)
	}
	if lim := eulerStepLimit(model); nu > lim {
		return configErrorf("β = %g: learning rate ν = %g exceeds the Euler stability limit %.3g of the field (ν|μ| < 2 with μ the most negative relaxation rate; beyond it training oscillates with weights of order ν)", model.Beta, nu, lim)
	}
	batch := f.Batch
	if batch == 0 || batch > s {
		batch = s
	}
	upe := float64((s + batch - 1) / batch)
	var updates float64
	if f.Epochs > 0 {
		updates = float64(f.Epochs) * upe
	} else {
		t := math.Max(f.TMin, f.Tau/model.Beta)
		updates = math.Max(1, math.Ceil(t/(nu*upe))) * upe
	}
	if !(updates <= maxFieldUpdates) {
		return configErrorf("β = %g: %.3g updates of ν = %g per run (at most %.0g; lower tau or t_min, or raise ν)", model.Beta, updates, nu, float64(maxFieldUpdates))
	}
	return nil
}

// nu returns the learning rate used at β.
func (f *FieldTraining) nu(beta float64) float64 {
	if f.Nu > 0 {
		return f.Nu
	}
	return math.Min(0.2/beta, 0.5/math.Expm1(2*beta))
}

// FieldRun is one trained receptive field.
type FieldRun struct {
	Beta      float64 `json:"beta"`
	Xi        float64 `json:"xi"` // correlation length 1/ln coth β
	N         int     `json:"n"`
	S         int     `json:"s"`
	Run       int     `json:"run"`
	DataSeed  uint64  `json:"data_seed"`
	TrainSeed uint64  `json:"train_seed"`
	Nu        float64 `json:"nu"`
	Batch     int     `json:"batch"`
	Updates   int     `json:"updates"`
	T         float64 `json:"t"`   // learning time reached
	Tau       float64 `json:"tau"` // β·t
	// W holds the final weights, sign-normalised (largest entry
	// positive).
	W []float64 `json:"w"`
	// Shape of the final field in physical units.
	Peak  float64  `json:"peak"`
	SumSq float64  `json:"sum_sq"`
	Sum   float64  `json:"sum"`
	FWHM  OptFloat `json:"fwhm"`
	PR    OptFloat `json:"pr"`
	// Drift is the relative change of the peak over the last fifth of the
	// training, a convergence gauge.
	Drift OptFloat `json:"drift"`
	// Step is the size of one more full-batch update relative to the
	// field, ν‖dw/dt‖∞/max|w| with dw/dt the exact gradient of the
	// empirical flow on the run's data (THEORY.md §4.6) at the final
	// weights: about 10⁻¹⁰ for a converged full-batch run, small for
	// minibatch runs (their SGA noise), of order 1 for a run that diverged
	// (Euler beyond its stability limit oscillates with weights of order
	// ν, which Drift can miss when the records fall on the same phase).
	Step OptFloat `json:"step"`
	// Diverged reports Step > DivergedStep or non-finite weights.
	Diverged bool `json:"diverged"`
}

// DivergedStep is the relative step beyond which a field run counts as
// diverged (FieldRun.Step).
const DivergedStep = 0.1

// trainField draws the data and trains one RBM.
func trainField(ctx context.Context, model ring.Ising, s int, tr *FieldTraining, run int, dataSeed, trainSeed uint64) (FieldRun, error) {
	out := FieldRun{Beta: model.Beta, Xi: model.CorrelationLength(), N: model.N, S: s, Run: run,
		DataSeed: dataSeed, TrainSeed: trainSeed, Nu: tr.nu(model.Beta)}
	data := ring.Generate(ring.NewExact(model), s, dataSeed)
	batch := tr.Batch
	if batch == 0 || batch > s {
		batch = s
	}
	out.Batch = batch
	upe := (s + batch - 1) / batch
	epochs := tr.Epochs
	if epochs == 0 {
		t := math.Max(tr.TMin, tr.Tau/model.Beta)
		epochs = max(1, int(math.Ceil(t/(out.Nu*float64(upe)))))
	}
	total := epochs * upe
	cfg := rbm.Config{Hidden: 1, Nu: out.Nu, Batch: batch, Epochs: epochs, Sigma0: tr.Sigma0,
		RecordEvery: max(1, total/5), Seed: trainSeed}
	if tr.Phase == "pcd" {
		cfg.Phase, cfg.Chains, cfg.Sweeps = rbm.PCD, tr.Chains, tr.Sweeps
	} else {
		cfg.Phase = rbm.Exact
	}
	res, err := rbm.Train(ctx, data, cfg)
	if err != nil {
		return out, fmt.Errorf("compare: β = %g run %d: %w", model.Beta, run, err)
	}
	fin := res.Final()
	out.Updates, out.T = fin.Update, fin.T
	out.Tau = model.Beta * fin.T
	out.W = dynamics.SignNormalize(nil, fin.W)
	out.Peak, out.SumSq, out.Sum = maxOf(out.W), dot(out.W, out.W), sum(out.W)
	out.FWHM, out.PR = OptFloat(dynamics.FWHM(out.W)), OptFloat(dynamics.ParticipationRatio(out.W))
	out.Drift = OptFloat(math.NaN())
	if len(res.Records) >= 2 {
		prev := dynamics.SignNormalize(nil, res.Records[len(res.Records)-2].W)
		if p := maxOf(prev); p > 0 {
			out.Drift = OptFloat(math.Abs(out.Peak-p) / p)
		}
	}
	out.Step = OptFloat(math.Inf(1))
	if floats.HasNaN(out.W) || math.IsInf(dot(out.W, out.W), 0) {
		out.Diverged = true
		return out, nil
	}
	grad := dynamics.NewSpinFlow(1, data)
	d := make([]float64, len(out.W))
	grad.Deriv(d, out.W)
	if m := floats.Norm(out.W, math.Inf(1)); m > 0 {
		out.Step = OptFloat(out.Nu * floats.Norm(d, math.Inf(1)) / m)
	}
	out.Diverged = !(float64(out.Step) <= DivergedStep)
	return out, nil
}

// centredProfile returns the profile w re-centred circularly so that its
// peak sits at index len(w)/2, and the offsets i − peak.
func centredProfile(w []float64) (x, y []float64) {
	n := len(w)
	p := 0
	for i, v := range w {
		if v > w[p] {
			p = i
		}
	}
	x, y = make([]float64, n), make([]float64, n)
	for k := 0; k < n; k++ {
		d := k - n/2
		x[k], y[k] = float64(d), w[((p+d)%n+n)%n]
	}
	return x, y
}

// OptFloat is a float64 that may be undefined (NaN, e.g. the FWHM of a
// field without a half-maximum crossing); it encodes NaN and ±Inf as JSON
// null and decodes null as NaN.
type OptFloat = jsonfloat.Null

// validateFieldModels checks the ring and the β list of a field
// experiment.
func validateFieldModels(n int, betas []float64) error {
	if n < 9 {
		return configErrorf("N = %d too small for a receptive field (want N ≥ 9: on smaller rings the small-β lattice equation has no Turing-unstable mode and its stationary state is uniform, THEORY.md appendix A)", n)
	}
	if n > 100000 {
		return configErrorf("N = %d too large (at most 10⁵ sites)", n)
	}
	if len(betas) == 0 {
		return configErrorf("no β given")
	}
	for i, b := range betas {
		if err := (ring.Ising{N: n, Beta: b}).Validate(); err != nil {
			return &ConfigError{strings.TrimPrefix(err.Error(), "ring: ")}
		}
		if b == 0 {
			return configErrorf("β = 0 has no receptive field (the data are independent; want β > 0)")
		}
		if slices.Contains(betas[:i], b) {
			return configErrorf("β = %g is listed twice", b)
		}
	}
	return nil
}

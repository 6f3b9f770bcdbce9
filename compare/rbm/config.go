package rbm

import (
	"fmt"
	"math"
	"strings"

	"placecell/dynamics"
)

// NegativePhase selects how the model term of the gradient is computed.
type NegativePhase int

const (
	// PCD estimates the model term from persistent chains advanced by
	// Sweeps block-Gibbs sweeps per update (the default).
	PCD NegativePhase = iota
	// Exact computes the model term exactly, by summing over the hidden
	// configurations (2^M, or 2^(M−1) for ±1 units with zero fields,
	// THEORY.md §4.6) or over the visible ones (2^N or q^N), whichever is
	// smaller; Chains and Sweeps are unused.
	Exact
	// CD is CD-k: the chains are reset to the current minibatch (C = B)
	// before the k sweeps.
	CD
)

var phaseNames = []string{"pcd", "exact", "cd"}

// String returns "pcd", "exact" or "cd".
func (p NegativePhase) String() string { return enumString("NegativePhase", phaseNames, int(p)) }

// MarshalText implements encoding.TextMarshaler.
func (p NegativePhase) MarshalText() ([]byte, error) { return enumMarshal("phase", phaseNames, int(p)) }

// UnmarshalText implements encoding.TextUnmarshaler.
func (p *NegativePhase) UnmarshalText(b []byte) error {
	return enumUnmarshal("phase", phaseNames, b, (*int)(p))
}

// VisibleType is the type of the visible units (SIMULATOR.md §2).
type VisibleType int

const (
	// VisibleSpin units take values ±1 (state 1 of the data is +1), with
	// field g: U(v) = −g v. The default.
	VisibleSpin VisibleType = iota
	// VisibleBernoulli units take values {0, 1}, with field g.
	VisibleBernoulli
	// VisiblePotts units take q = data.States() values 0..q−1, with one
	// weight w_μi(c) and one field g_i(c) per colour, in the zero-sum gauge
	// Σ_c w_μi(c) = Σ_c g_i(c) = 0.
	VisiblePotts
)

var visibleNames = []string{"spin", "bernoulli", "potts"}

// String returns "spin", "bernoulli" or "potts".
func (v VisibleType) String() string { return enumString("VisibleType", visibleNames, int(v)) }

// MarshalText implements encoding.TextMarshaler.
func (v VisibleType) MarshalText() ([]byte, error) {
	return enumMarshal("visible type", visibleNames, int(v))
}

// UnmarshalText implements encoding.TextUnmarshaler.
func (v *VisibleType) UnmarshalText(b []byte) error {
	return enumUnmarshal("visible type", visibleNames, b, (*int)(v))
}

// HiddenType is the type of the hidden units; each is a dynamics.Hidden
// potential (SIMULATOR.md §2).
type HiddenType int

const (
	// HiddenSpin units take values ±1, field c (dynamics.Spin). The default.
	HiddenSpin HiddenType = iota
	// HiddenBernoulli units take values {0, 1}, field g (dynamics.Bernoulli).
	HiddenBernoulli
	// HiddenGaussian units have U(h) = γh²/2 + θh (dynamics.Gaussian).
	HiddenGaussian
	// HiddenDoubleWell is the paper's unit U(h) = h²/2 + θ|h|
	// (dynamics.DoubleWell).
	HiddenDoubleWell
	// HiddenReLU is the one-sided unit h ≥ 0, U = γh²/2 + θh (dynamics.ReLU).
	HiddenReLU
	// HiddenDReLU is the double-sided rectified unit with γ±, θ±
	// (dynamics.DReLU).
	HiddenDReLU
)

var hiddenNames = []string{"spin", "bernoulli", "gaussian", "double-well", "relu", "drelu"}

// String returns "spin", "bernoulli", "gaussian", "double-well", "relu" or
// "drelu".
func (h HiddenType) String() string { return enumString("HiddenType", hiddenNames, int(h)) }

// MarshalText implements encoding.TextMarshaler.
func (h HiddenType) MarshalText() ([]byte, error) {
	return enumMarshal("hidden type", hiddenNames, int(h))
}

// UnmarshalText implements encoding.TextUnmarshaler.
func (h *HiddenType) UnmarshalText(b []byte) error {
	return enumUnmarshal("hidden type", hiddenNames, b, (*int)(h))
}

// discrete reports whether the units take finitely many values.
func (h HiddenType) discrete() bool { return h == HiddenSpin || h == HiddenBernoulli }

// HiddenUnit is the potential every hidden unit starts with. The zero value
// is a ±1 unit with zero field, the paper's Ising-experiment unit. A zero
// Gamma, GammaPlus or GammaMinus selects 1.
type HiddenUnit struct {
	Type HiddenType `json:"type"`
	// Field is c of spin units and g of Bernoulli units.
	Field float64 `json:"field"`
	// Gamma and Theta are γ and θ of Gaussian and ReLU units; Theta is
	// also θ of the double well.
	Gamma float64 `json:"gamma"`
	Theta float64 `json:"theta"`
	// GammaPlus, GammaMinus, ThetaPlus and ThetaMinus are those of dReLU.
	GammaPlus  float64 `json:"gamma_plus"`
	GammaMinus float64 `json:"gamma_minus"`
	ThetaPlus  float64 `json:"theta_plus"`
	ThetaMinus float64 `json:"theta_minus"`
}

// withDefaults returns u with zero precisions replaced by 1.
func (u HiddenUnit) withDefaults() HiddenUnit {
	for _, p := range []*float64{&u.Gamma, &u.GammaPlus, &u.GammaMinus} {
		if *p == 0 {
			*p = 1
		}
	}
	return u
}

// Potential returns the dynamics.Hidden value of u (after defaults).
func (u HiddenUnit) Potential() dynamics.Hidden {
	u = u.withDefaults()
	switch u.Type {
	case HiddenSpin:
		return dynamics.Spin{C: u.Field}
	case HiddenBernoulli:
		return dynamics.Bernoulli{G: u.Field}
	case HiddenGaussian:
		return dynamics.Gaussian{GammaH: u.Gamma, Theta: u.Theta}
	case HiddenDoubleWell:
		return dynamics.DoubleWell{Theta: u.Theta}
	case HiddenReLU:
		return dynamics.ReLU{GammaH: u.Gamma, Theta: u.Theta}
	case HiddenDReLU:
		return dynamics.DReLU{GammaPlus: u.GammaPlus, GammaMinus: u.GammaMinus, ThetaPlus: u.ThetaPlus, ThetaMinus: u.ThetaMinus}
	}
	panic(fmt.Sprintf("rbm: unknown hidden type %d", int(u.Type)))
}

// Mode selects the update rule (SIMULATOR.md §4).
type Mode int

const (
	// SGD is plain stochastic gradient ascent, Θ ← Θ + ν·g, the
	// theory-faithful default (with Phase Exact: the "exact" mode).
	SGD Mode = iota
	// PGM reproduces the defaults of PGM's fit (SIMULATOR.md §4): RMSprop
	// without momentum, clipping to ±1, learning-rate decay over the second
	// half, hidden batch normalisation, full-data visible-field term, and
	// ν = 5e-3, B = 100, C = 100, k = 1 unless set.
	PGM
)

var modeNames = []string{"sgd", "pgm"}

// String returns "sgd" or "pgm".
func (m Mode) String() string { return enumString("Mode", modeNames, int(m)) }

// MarshalText implements encoding.TextMarshaler.
func (m Mode) MarshalText() ([]byte, error) { return enumMarshal("mode", modeNames, int(m)) }

// UnmarshalText implements encoding.TextUnmarshaler.
func (m *Mode) UnmarshalText(b []byte) error { return enumUnmarshal("mode", modeNames, b, (*int)(m)) }

// FieldMode says how the visible fields are set.
type FieldMode int

const (
	// FieldsZero freezes the visible fields at zero, as in the paper's
	// Ising runs (the default).
	FieldsZero FieldMode = iota
	// FieldsLearned starts the fields at the independent-site fit to the
	// data marginals and trains them.
	FieldsLearned
	// FieldsFit sets the fields to the independent-site fit and freezes
	// them.
	FieldsFit
)

var fieldNames = []string{"zero", "learned", "fit"}

// String returns "zero", "learned" or "fit".
func (f FieldMode) String() string { return enumString("FieldMode", fieldNames, int(f)) }

// MarshalText implements encoding.TextMarshaler.
func (f FieldMode) MarshalText() ([]byte, error) {
	return enumMarshal("field mode", fieldNames, int(f))
}

// UnmarshalText implements encoding.TextUnmarshaler.
func (f *FieldMode) UnmarshalText(b []byte) error {
	return enumUnmarshal("field mode", fieldNames, b, (*int)(f))
}

// Optimizer is the parameter update given the gradient g.
type Optimizer int

const (
	// PlainSGD is Θ ← Θ + ν g (the default).
	PlainSGD Optimizer = iota
	// RMSprop is PGM's "ADAM" without a first moment, per element:
	// s ← ρ s + (1−ρ) g², Θ ← Θ + ν g / (ε + √(s/(1 − ρⁿ))), n counting
	// updates from 1, ρ = RMSDecay, ε = RMSEpsilon.
	RMSprop
)

var optimizerNames = []string{"sgd", "rmsprop"}

// String returns "sgd" or "rmsprop".
func (o Optimizer) String() string { return enumString("Optimizer", optimizerNames, int(o)) }

// MarshalText implements encoding.TextMarshaler.
func (o Optimizer) MarshalText() ([]byte, error) {
	return enumMarshal("optimizer", optimizerNames, int(o))
}

// UnmarshalText implements encoding.TextUnmarshaler.
func (o *Optimizer) UnmarshalText(b []byte) error {
	return enumUnmarshal("optimizer", optimizerNames, b, (*int)(o))
}

// Observe selects the expensive observables recorded with every record
// (SIMULATOR.md §6). The cheap ones (norms, W, participation ratio,
// centre, Fourier power, chain diagnostics) are always recorded.
type Observe struct {
	// PseudoLikelihood records the mean log pseudo-likelihood per site,
	// (1/N) Σ_i log P(v_i | v_−i), averaged over the data (or over
	// PLSamples samples of it, the first ones).
	PseudoLikelihood bool `json:"pseudo_likelihood"`
	// PLSamples bounds the number of data samples of the pseudo-likelihood
	// (0: all).
	PLSamples int `json:"pl_samples"`
	// LogLikelihood records the exact mean log-likelihood per sample,
	// where the model can be enumerated (2^M or q^N small), else NaN.
	LogLikelihood bool `json:"log_likelihood"`
	// AISRuns > 0 records log Z by annealed importance sampling, forward
	// and reverse, with AISRuns runs of AISSteps (≥ 10⁴, default 10⁴)
	// inverse temperatures, and the log-likelihood bounds they imply.
	AISRuns  int `json:"ais_runs"`
	AISSteps int `json:"ais_steps"`
}

// Defaults of Config.
const (
	DefaultHidden      = 1
	DefaultBatch       = 10
	DefaultEpochs      = 1
	DefaultChains      = 100
	DefaultSweeps      = 20
	DefaultRecordEvery = 100
	DefaultPRExponent  = 2
	DefaultAISSteps    = 10000

	// PGM-mode defaults (SIMULATOR.md §4).
	PGMNu         = 5e-3
	PGMBatch      = 100
	PGMChains     = 100
	PGMSweeps     = 1
	PGMRMSDecay   = 0.99
	PGMRMSEpsilon = 1e-3
	PGMClip       = 1
	PGMDecayTo    = 0.01
	// PGMMinGamma is the lower bound on γ in PGM mode.
	PGMMinGamma = 0.05
)

// Limits of the exact modes.
const (
	// maxExactHidden is the largest M of the ±1 hidden sum of
	// dynamics.SpinModelTerm.
	maxExactHidden = 24
	// maxEnumStates bounds the number of configurations of an exact
	// enumeration (exact model term, exact log-likelihood).
	maxEnumStates = 1 << 22
)

// Config holds the training parameters. A zero field takes the documented
// default, and the zero Config (with Nu set) trains ±1 visible and ±1
// hidden units with zero frozen fields by plain SGD with PCD-20, the
// paper's Ising setting.
type Config struct {
	// Hidden is the number M of hidden units (default 1).
	Hidden int `json:"hidden"`
	// Nu is the learning rate ν (required, > 0; default 5e-3 in PGM mode).
	// With DecayTo set it is the initial rate ν₀.
	Nu float64 `json:"nu"`
	// Batch is the minibatch size (default 10, or S if S < 10; 100 in PGM
	// mode; ≤ S). A shorter last minibatch of an epoch is kept.
	Batch int `json:"batch"`
	// Epochs is the number of passes over the data (default 1); the run
	// performs Epochs·⌈S/Batch⌉ updates.
	Epochs int `json:"epochs"`
	// Phase selects PCD (default), CD or the exact model term.
	Phase NegativePhase `json:"phase"`
	// Chains is the number C of persistent chains (default 100). In Exact
	// mode it is unused and recorded as 0; in CD mode it equals Batch.
	Chains int `json:"chains"`
	// Sweeps is k of PCD-k and CD-k, block-Gibbs sweeps per update
	// (default 20, 1 in PGM mode). In Exact mode it is recorded as 0.
	Sweeps int `json:"sweeps"`
	// Sigma0 is the standard deviation of the initial weights (default
	// √(0.1/N)); it must not be negative, and zero is replaced by the
	// default, so weights never start at exactly zero.
	Sigma0 float64 `json:"sigma0"`
	// RecordEvery is K: observables are recorded every K updates, at
	// update 0 and at the end (default 100).
	RecordEvery int `json:"record_every"`
	// Seed is the master seed of every random stream.
	Seed uint64 `json:"seed"`
	// Progress, if not nil, is called after every recorded update with the
	// number of updates done and the total.
	Progress func(done, total int) `json:"-"`

	// Visible is the visible layer type (default ±1).
	Visible VisibleType `json:"visible"`
	// Unit is the hidden potential at initialisation (default ±1, c = 0).
	Unit HiddenUnit `json:"unit"`
	// Mode is SGD (default) or PGM.
	Mode Mode `json:"mode"`
	// VisibleFields says whether the visible fields are zero (default),
	// learned or fitted and frozen.
	VisibleFields FieldMode `json:"visible_fields"`
	// LearnHidden trains the hidden offsets: the field of spin and
	// Bernoulli units, θ of Gaussian, ReLU and double-well units, θ± of
	// dReLU. By default they stay at Unit's values. Precisions γ are never
	// trained by gradient: SGD fixes the scale gauge at Unit's γ (1 by
	// default), PGM mode moves γ by batch normalisation.
	LearnHidden bool `json:"learn_hidden"`

	// Optimizer is PlainSGD (default) or RMSprop (forced in PGM mode).
	Optimizer Optimizer `json:"optimizer"`
	// RMSDecay and RMSEpsilon are ρ and ε of RMSprop (defaults 0.99 and
	// 1e-3).
	RMSDecay   float64 `json:"rms_decay"`
	RMSEpsilon float64 `json:"rms_epsilon"`
	// Clip > 0 clips every gradient element to [−Clip, Clip] before the
	// optimiser (default off; 1 in PGM mode).
	Clip float64 `json:"clip"`
	// DecayTo in (0, 1) decays the learning rate geometrically over the
	// second half of the run: constant for the first ⌊E/2⌋ epochs, then
	// multiplied at the start of each epoch by DecayTo^(2/E) (default off;
	// 0.01 in PGM mode).
	DecayTo float64 `json:"decay_to"`
	// BatchNorm enables PGM's hidden batch normalisation (forced in PGM
	// mode for spin, Bernoulli and Gaussian units; not available for the
	// other types).
	BatchNorm bool `json:"batch_norm"`
	// FullDataFields takes the data term of the visible-field gradient
	// from the whole data set instead of the minibatch (forced in PGM
	// mode).
	FullDataFields bool `json:"full_data_fields"`
	// L2 adds −L2·w to the weight gradient (penalty L2/2 Σ w²); L1Sq adds
	// −L1Sq·(Σ_i |w_μi|)·sign(w_μi) (penalty L1Sq/2 Σ_μ (Σ_i |w_μi|)²).
	// Both off by default.
	L2   float64 `json:"l2"`
	L1Sq float64 `json:"l1sq"`

	// Replicas ≥ 2 enables parallel tempering with that many replicas on
	// the linear ladder β_r = 1 − r/(R−1), each with C chains; 0 is off.
	Replicas int `json:"replicas"`

	// PRExponent is a of the recorded participation ratio
	// PR_a = (Σ_i |w_μi|^a)² / (N Σ_i |w_μi|^(2a)) (default 2).
	PRExponent float64 `json:"pr_exponent"`
	// Observe selects the expensive observables.
	Observe Observe `json:"observe"`
}

// Memory limits checked before a run starts: the number of weights M·N·q,
// the chain state C·R·(N·q + M) and the recorded trajectory (records ×
// weights), in float64 values.
const (
	maxWeights    = 1 << 26
	maxChainState = 1 << 28
	maxTrajectory = 1 << 28
)

// bnSupported reports whether batch normalisation is implemented for t.
func bnSupported(t HiddenType) bool {
	return t == HiddenSpin || t == HiddenBernoulli || t == HiddenGaussian
}

// resolve returns cfg with defaults filled in for n sites of q states and s
// samples, or the first invalid setting as a one-line error.
func (cfg Config) resolve(n, q, s int) (Config, error) {
	if s < 1 {
		return cfg, fmt.Errorf("rbm: no training samples (S = %d)", s)
	}
	if cfg.Visible < VisibleSpin || cfg.Visible > VisiblePotts {
		return cfg, fmt.Errorf("rbm: Visible = %d is not a visible type (0 spin, 1 bernoulli, 2 potts)", int(cfg.Visible))
	}
	if cfg.Unit.Type < HiddenSpin || cfg.Unit.Type > HiddenDReLU {
		return cfg, fmt.Errorf("rbm: Unit.Type = %d is not a hidden type (0..5: %s)", int(cfg.Unit.Type), strings.Join(hiddenNames, ", "))
	}
	if cfg.Mode != SGD && cfg.Mode != PGM {
		return cfg, fmt.Errorf("rbm: Mode = %d is neither SGD (0) nor PGM (1)", int(cfg.Mode))
	}
	if cfg.Phase < PCD || cfg.Phase > CD {
		return cfg, fmt.Errorf("rbm: Phase = %d is not PCD (0), Exact (1) or CD (2)", int(cfg.Phase))
	}
	if cfg.VisibleFields < FieldsZero || cfg.VisibleFields > FieldsFit {
		return cfg, fmt.Errorf("rbm: VisibleFields = %d is not zero (0), learned (1) or fit (2)", int(cfg.VisibleFields))
	}
	if cfg.Optimizer != PlainSGD && cfg.Optimizer != RMSprop {
		return cfg, fmt.Errorf("rbm: Optimizer = %d is neither PlainSGD (0) nor RMSprop (1)", int(cfg.Optimizer))
	}
	cfg.Unit = cfg.Unit.withDefaults()
	if err := cfg.Unit.Potential().Validate(); err != nil {
		return cfg, fmt.Errorf("rbm: Unit: %v", err)
	}

	if cfg.Mode == PGM {
		if cfg.Nu == 0 {
			cfg.Nu = PGMNu
		}
		if cfg.Batch == 0 {
			cfg.Batch = min(PGMBatch, s)
		}
		if cfg.Chains == 0 {
			cfg.Chains = PGMChains
		}
		if cfg.Sweeps == 0 {
			cfg.Sweeps = PGMSweeps
		}
		cfg.Optimizer = RMSprop
		if cfg.Clip == 0 {
			cfg.Clip = PGMClip
		}
		if cfg.DecayTo == 0 {
			cfg.DecayTo = PGMDecayTo
		}
		cfg.BatchNorm = bnSupported(cfg.Unit.Type)
		cfg.FullDataFields = true
	}
	if cfg.Optimizer == RMSprop {
		if cfg.RMSDecay == 0 {
			cfg.RMSDecay = PGMRMSDecay
		}
		if cfg.RMSEpsilon == 0 {
			cfg.RMSEpsilon = PGMRMSEpsilon
		}
		if !(cfg.RMSDecay > 0 && cfg.RMSDecay < 1) {
			return cfg, fmt.Errorf("rbm: RMSDecay = %v must lie in (0, 1)", cfg.RMSDecay)
		}
		if !(cfg.RMSEpsilon > 0) || math.IsInf(cfg.RMSEpsilon, 0) {
			return cfg, fmt.Errorf("rbm: RMSEpsilon = %v must be finite and > 0", cfg.RMSEpsilon)
		}
	} else {
		cfg.RMSDecay, cfg.RMSEpsilon = 0, 0
	}

	if !(cfg.Nu > 0) || math.IsInf(cfg.Nu, 0) {
		return cfg, fmt.Errorf("rbm: Nu = %v must be finite and > 0", cfg.Nu)
	}
	type intSetting struct {
		name string
		p    *int
		def  int
	}
	ints := []intSetting{
		{"Hidden", &cfg.Hidden, DefaultHidden},
		{"Batch", &cfg.Batch, min(DefaultBatch, s)},
		{"Epochs", &cfg.Epochs, DefaultEpochs},
		{"RecordEvery", &cfg.RecordEvery, DefaultRecordEvery},
	}
	if cfg.Phase != Exact {
		ints = append(ints, intSetting{"Sweeps", &cfg.Sweeps, DefaultSweeps})
	}
	if cfg.Phase == PCD {
		ints = append(ints, intSetting{"Chains", &cfg.Chains, DefaultChains})
	}
	for _, c := range ints {
		switch {
		case *c.p < 0:
			return cfg, fmt.Errorf("rbm: %s = %d must be ≥ 1 (0 selects the default %d)", c.name, *c.p, c.def)
		case *c.p == 0:
			*c.p = c.def
		}
	}
	if cfg.Batch > s {
		return cfg, fmt.Errorf("rbm: Batch = %d exceeds S = %d training samples", cfg.Batch, s)
	}
	d := 1
	if cfg.Visible == VisiblePotts {
		d = q
	}
	if w := float64(cfg.Hidden) * float64(n*d); w > maxWeights {
		return cfg, fmt.Errorf("rbm: Hidden = %d units on N·q = %d visible features make %.3g weights, above the limit %d (2^26, 512 MiB)",
			cfg.Hidden, n*d, w, maxWeights)
	}
	switch cfg.Phase {
	case Exact:
		cfg.Chains, cfg.Sweeps = 0, 0
		if cfg.Replicas != 0 {
			return cfg, fmt.Errorf("rbm: Replicas = %d: parallel tempering needs chains, not the exact phase", cfg.Replicas)
		}
		if _, err := exactPlan(cfg, n, q); err != nil {
			return cfg, err
		}
	case CD:
		if cfg.Replicas != 0 {
			return cfg, fmt.Errorf("rbm: Replicas = %d: parallel tempering runs persistent chains, not CD", cfg.Replicas)
		}
		if cfg.Chains != 0 && cfg.Chains != cfg.Batch {
			return cfg, fmt.Errorf("rbm: Chains = %d: CD resets one chain per minibatch sample, so Chains must be 0 or Batch = %d", cfg.Chains, cfg.Batch)
		}
		cfg.Chains = cfg.Batch
	}
	if cfg.Replicas < 0 || cfg.Replicas == 1 {
		return cfg, fmt.Errorf("rbm: Replicas = %d must be 0 (off) or ≥ 2", cfg.Replicas)
	}
	if cs := float64(cfg.Chains) * float64(max(cfg.Replicas, 1)) * float64(n*d+cfg.Hidden); cs > maxChainState {
		return cfg, fmt.Errorf("rbm: Chains = %d chains (× %d replicas) of N·q + M = %d values make %.3g, above the limit %d (2^28)",
			cfg.Chains, max(cfg.Replicas, 1), n*d+cfg.Hidden, cs, maxChainState)
	}

	def := math.Sqrt(0.1 / float64(n))
	switch {
	case !(cfg.Sigma0 >= 0) || math.IsInf(cfg.Sigma0, 0):
		return cfg, fmt.Errorf("rbm: Sigma0 = %v must be finite and ≥ 0 (0 selects the default √(0.1/N) = %.4g)", cfg.Sigma0, def)
	case cfg.Sigma0 == 0:
		cfg.Sigma0 = def
	case cfg.Sigma0 > MaxParam/100:
		return cfg, fmt.Errorf("rbm: Sigma0 = %v exceeds %g, 1/100 of the bound ±%g on the weights", cfg.Sigma0, MaxParam/100, MaxParam)
	}
	for _, f := range []struct {
		name string
		v    float64
	}{{"Clip", cfg.Clip}, {"L2", cfg.L2}, {"L1Sq", cfg.L1Sq}} {
		if !(f.v >= 0) || math.IsInf(f.v, 0) {
			return cfg, fmt.Errorf("rbm: %s = %v must be finite and ≥ 0 (0 is off)", f.name, f.v)
		}
	}
	if !(cfg.DecayTo >= 0 && cfg.DecayTo < 1) {
		return cfg, fmt.Errorf("rbm: DecayTo = %v must lie in [0, 1) (0 is off)", cfg.DecayTo)
	}
	if cfg.BatchNorm && !bnSupported(cfg.Unit.Type) {
		return cfg, fmt.Errorf("rbm: BatchNorm is implemented for spin, bernoulli and gaussian hidden units, not %v", cfg.Unit.Type)
	}
	switch {
	case cfg.PRExponent == 0:
		cfg.PRExponent = DefaultPRExponent
	case !(cfg.PRExponent > 0) || math.IsInf(cfg.PRExponent, 0):
		return cfg, fmt.Errorf("rbm: PRExponent = %v must be finite and > 0", cfg.PRExponent)
	}
	o := &cfg.Observe
	if o.PLSamples < 0 {
		return cfg, fmt.Errorf("rbm: Observe.PLSamples = %d must be ≥ 0 (0 is all)", o.PLSamples)
	}
	if o.AISRuns < 0 {
		return cfg, fmt.Errorf("rbm: Observe.AISRuns = %d must be ≥ 0", o.AISRuns)
	}
	if o.AISRuns > 0 {
		if o.AISSteps == 0 {
			o.AISSteps = DefaultAISSteps
		}
		if o.AISSteps < DefaultAISSteps {
			return cfg, fmt.Errorf("rbm: Observe.AISSteps = %d must be ≥ %d", o.AISSteps, DefaultAISSteps)
		}
	} else {
		o.AISSteps = 0
	}
	return cfg, nil
}

// Gauge describes how the run fixes the scale gauge of continuous hidden
// units (SIMULATOR.md §2), and the Potts gauge.
func (cfg Config) Gauge() string {
	var parts []string
	switch {
	case cfg.Unit.Type.discrete():
		parts = append(parts, "discrete hidden units (no scale gauge)")
	case cfg.BatchNorm:
		parts = append(parts, "hidden scale fixed by batch normalisation (unit variance on the data)")
	default:
		parts = append(parts, "hidden precisions γ fixed at their initial values")
	}
	if cfg.Visible == VisiblePotts {
		parts = append(parts, "zero-sum Potts gauge on weights and fields")
	}
	return strings.Join(parts, "; ")
}

// enum helpers.

func enumString(typ string, names []string, i int) string {
	if i >= 0 && i < len(names) {
		return names[i]
	}
	return fmt.Sprintf("%s(%d)", typ, i)
}

func enumMarshal(what string, names []string, i int) ([]byte, error) {
	if i >= 0 && i < len(names) {
		return []byte(names[i]), nil
	}
	return nil, fmt.Errorf("rbm: invalid %s %d", what, i)
}

func enumUnmarshal(what string, names []string, b []byte, p *int) error {
	for i, n := range names {
		if string(b) == n {
			*p = i
			return nil
		}
	}
	return fmt.Errorf("rbm: unknown %s %q (want %s)", what, b, strings.Join(names, ", "))
}

// ParseVisibleType, ParseHiddenType, ParsePhase, ParseMode and
// ParseFieldMode map the names of String back to the values.
func ParseVisibleType(s string) (VisibleType, error) {
	var v VisibleType
	err := v.UnmarshalText([]byte(s))
	return v, err
}

// ParseHiddenType: see ParseVisibleType.
func ParseHiddenType(s string) (HiddenType, error) {
	var v HiddenType
	err := v.UnmarshalText([]byte(s))
	return v, err
}

// ParsePhase: see ParseVisibleType.
func ParsePhase(s string) (NegativePhase, error) {
	var v NegativePhase
	err := v.UnmarshalText([]byte(s))
	return v, err
}

// ParseMode: see ParseVisibleType.
func ParseMode(s string) (Mode, error) {
	var v Mode
	err := v.UnmarshalText([]byte(s))
	return v, err
}

// ParseFieldMode: see ParseVisibleType.
func ParseFieldMode(s string) (FieldMode, error) {
	var v FieldMode
	err := v.UnmarshalText([]byte(s))
	return v, err
}

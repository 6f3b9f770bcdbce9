package ring

import (
	"context"
	"fmt"
	"math"
	"math/rand/v2"
	"slices"
	"strconv"
	"strings"
)

// Model is a translation-invariant data model on a periodic ring of N
// sites, each site taking one of States() values. Everything a consumer
// needs to know about a model goes through this interface: the exact
// population correlation matrix, the encoding that turns configurations
// into the vectors whose correlation that matrix describes, and an exact
// sampler. Package spectral, the simulator and the command line take any
// Model; adding a model means implementing this interface in this package
// and registering it with RegisterModel.
//
// The correlation matrix is indexed by (site, feature) pairs. It is block
// circulant: the F×F block between sites i and j depends on d = (j−i) mod N
// only, written C_d with C_d(a, b) = C[(i, a), (i+d, b)]. Symmetry of the
// matrix means C_{N−d}(b, a) = C_d(a, b).
type Model interface {
	// Name returns the model's short name, as the command line spells
	// it: "ising", "xy", "bump".
	Name() string
	// Params returns the model's parameters in a fixed order, for
	// provenance. Sites are always the first parameter, named "n".
	Params() []Param
	// Sites returns N.
	Sites() int
	// States returns the number of values a site takes: 2 for ±1 spins
	// and {0,1} units, P for Potts variables.
	States() int
	// Validate returns an error unless the parameters define a model.
	Validate() error
	// Encoding returns the map from a site's state to its features and
	// the normalisation in which Kernel gives the correlation matrix.
	Encoding() Encoding
	// Kernel writes the exact population correlation blocks C_d,
	// d = 0..N-1, into dst as dst[d·F·F + a·F + b] and returns it, with
	// F = Encoding().Features. A nil dst is allocated; a dst of another
	// length than N·F·F panics.
	Kernel(dst []float64) []float64
	// NewData returns a data set of count configurations, of the
	// container type the model's samplers fill.
	NewData(count int) Data
	// NewSampler returns the model's exact independent sampler.
	NewSampler() DataSampler
}

// Param is a named model parameter.
type Param struct {
	Name  string  `json:"name"`
	Value float64 `json:"value"`
}

// Label returns "name(n=100, beta=1.5, ...)", the model with its
// parameters, for provenance lines.
func Label(m Model) string {
	var b strings.Builder
	b.WriteString(m.Name())
	b.WriteByte('(')
	for i, p := range m.Params() {
		if i > 0 {
			b.WriteString(", ")
		}
		b.WriteString(p.Name)
		b.WriteByte('=')
		b.WriteString(strconv.FormatFloat(p.Value, 'g', -1, 64))
	}
	b.WriteByte(')')
	return b.String()
}

// Normalisation names how a correlation matrix of features x is normalised
// (THEORY.md §2.7, §3.2). Every exact or empirical matrix states one.
type Normalisation int

const (
	// SecondMoment is the uncentred matrix ⟨x_a x_b⟩. For ±1 spins it is
	// the paper's eq 24.
	SecondMoment Normalisation = iota + 1
	// Covariance is the connected matrix ⟨x_a x_b⟩ − ⟨x_a⟩⟨x_b⟩.
	Covariance
	// Pearson is the covariance divided by σ_a σ_b, the product of the
	// features' standard deviations; for one-hot Potts data it is the
	// paper's normalisation (eq 28).
	Pearson
)

// String returns "second-moment", "covariance" or "pearson".
func (n Normalisation) String() string {
	switch n {
	case SecondMoment:
		return "second-moment"
	case Covariance:
		return "covariance"
	case Pearson:
		return "pearson"
	}
	return fmt.Sprintf("Normalisation(%d)", int(n))
}

// MarshalText implements encoding.TextMarshaler.
func (n Normalisation) MarshalText() ([]byte, error) { return []byte(n.String()), nil }

// UnmarshalText implements encoding.TextUnmarshaler.
func (n *Normalisation) UnmarshalText(b []byte) error {
	for _, c := range []Normalisation{SecondMoment, Covariance, Pearson} {
		if string(b) == c.String() {
			*n = c
			return nil
		}
	}
	return fmt.Errorf("ring: unknown normalisation %q", b)
}

// Encoding maps the state of a site to its F features, the coordinates of
// the vectors whose correlation matrix a Model's Kernel describes.
//
// Examples: ±1 spins have one feature, −1 for state 0 and +1 for state 1;
// {0,1} units one feature, 0 and 1; Potts variables P one-hot features,
// feature b of state a being δ_ab.
type Encoding struct {
	// Features is F, the number of features per site.
	Features int `json:"features"`
	// Values[a·F + f] is feature f of a site in state a.
	Values []float64 `json:"values"`
	// Mean and SD hold the population mean and standard deviation of
	// each feature (length F), used by the Pearson normalisation with
	// population scaling.
	Mean []float64 `json:"mean"`
	SD   []float64 `json:"sd"`
	// Normalisation is that of the model's Kernel.
	Normalisation Normalisation `json:"normalisation"`
}

// Value returns feature f of state a.
func (e Encoding) Value(a, f int) float64 { return e.Values[a*e.Features+f] }

// Data is a data set of S configurations of N sites, each in one of
// States() values. *Spins (two states: state 1 is a set bit, +1 for spins,
// 1 for {0,1} units) and *Potts implement it.
type Data interface {
	// Sites returns N.
	Sites() int
	// Len returns S.
	Len() int
	// States returns the number of values a site takes.
	States() int
	// State returns the state, in 0..States()-1, of site i in
	// configuration s.
	State(s, i int) int
}

// DataSampler draws configurations of a model into a data set of the
// model's container type.
type DataSampler interface {
	// Sites returns N.
	Sites() int
	// Draw overwrites configurations from..to-1 of d with fresh draws
	// taken from rnd. It panics if d is not of the model's container
	// type, has another number of sites, or the range is out of bounds.
	// Draw may be called concurrently on disjoint ranges.
	Draw(d Data, from, to int, rnd *rand.Rand)
}

// Sample draws count configurations of m with its exact sampler. As in
// Generate, blocks of BlockSize configurations read the streams
// (seed, "data", b) and run in parallel, so that the result does not depend
// on the core count. It panics if m is invalid or count < 0.
func Sample(m Model, count int, seed uint64) Data {
	if err := m.Validate(); err != nil {
		panic(err.Error())
	}
	return GenerateData(m.NewSampler(), m.NewData(count), seed)
}

// GenerateData fills every configuration of d with smp, block b of
// BlockSize configurations reading the stream (seed, "data", b), blocks in
// parallel, and returns d. A panic in smp.Draw is re-raised in the
// caller's goroutine.
func GenerateData(smp DataSampler, d Data, seed uint64) Data {
	generateBlocks(context.Background(), d.Len(), seed, func(from, to int, rnd *rand.Rand) {
		smp.Draw(d, from, to, rnd)
	})
	return d
}

// GenerateDataContext is GenerateData that stops early, returning ctx's
// error, when ctx is cancelled; it checks ctx between blocks.
func GenerateDataContext(ctx context.Context, smp DataSampler, d Data, seed uint64) (Data, error) {
	err := generateBlocks(ctx, d.Len(), seed, func(from, to int, rnd *rand.Rand) {
		smp.Draw(d, from, to, rnd)
	})
	if err != nil {
		return nil, err
	}
	return d, nil
}

// ModelSpec describes a model for command-line tools: its name, a usage
// line, its parameters with their defaults, and a constructor.
type ModelSpec struct {
	Name  string
	Usage string
	// Order places the model in lists; smaller first.
	Order int
	// Defaults lists every parameter the model accepts with its default.
	Defaults []Param
	// New builds the model from a complete parameter set. It returns an
	// error for a parameter of the wrong kind (a fractional N); Validate
	// checks the rest.
	New func(params map[string]float64) (Model, error)
}

var registry []ModelSpec

// RegisterModel adds a model to the list NewModel and Models know. It
// panics if the name is taken.
func RegisterModel(s ModelSpec) {
	for _, r := range registry {
		if r.Name == s.Name {
			panic(fmt.Sprintf("ring: model %q registered twice", s.Name))
		}
	}
	registry = append(registry, s)
	slices.SortStableFunc(registry, func(a, b ModelSpec) int { return a.Order - b.Order })
}

// Models returns the registered models in their Order.
func Models() []ModelSpec { return slices.Clone(registry) }

// NewModel builds the registered model name from params, which may hold
// any subset of the model's parameters (the others take their defaults).
// It returns an error for an unknown model or parameter, a parameter that
// should be an integer and is not, and an invalid model.
func NewModel(name string, params map[string]float64) (Model, error) {
	var spec *ModelSpec
	for i := range registry {
		if registry[i].Name == name {
			spec = &registry[i]
		}
	}
	if spec == nil {
		names := make([]string, len(registry))
		for i, r := range registry {
			names[i] = r.Name
		}
		return nil, fmt.Errorf("ring: unknown model %q (want one of %s)", name, strings.Join(names, ", "))
	}
	full := make(map[string]float64, len(spec.Defaults))
	for _, p := range spec.Defaults {
		full[p.Name] = p.Value
	}
	for k, v := range params {
		if _, ok := full[k]; !ok {
			var names []string
			for _, p := range spec.Defaults {
				names = append(names, p.Name)
			}
			return nil, fmt.Errorf("ring: model %s has no parameter %q (it has %s)", name, k, strings.Join(names, ", "))
		}
		full[k] = v
	}
	m, err := spec.New(full)
	if err != nil {
		return nil, err
	}
	if err := m.Validate(); err != nil {
		return nil, err
	}
	return m, nil
}

// intParam returns params[name] as an int, or an error if it is not an
// integer below 2^40 in magnitude.
func intParam(params map[string]float64, name string) (int, error) {
	v := params[name]
	if v != math.Trunc(v) || math.Abs(v) > 1<<40 {
		return 0, fmt.Errorf("ring: parameter %s = %v must be an integer", name, v)
	}
	return int(v), nil
}

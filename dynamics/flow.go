package dynamics

import (
	"fmt"
	"math"
	"runtime"
	"sync"

	"gonum.org/v1/gonum/floats"

	"placecell/ring"
)

// SpinFlow is the exact full-batch gradient flow of the mean
// log-likelihood of an RBM with N ±1 visible units, M ±1 hidden units and
// zero fields (THEORY.md §4.6; the paper's eqs 19–22, 32 for M = 1 and 48
// for M = 2):
//
//	dw_μi/dt = ⟨v_i tanh I_μ(v)⟩_data − ⟨v_i tanh I_μ⟩_model,   I_μ = Σ_j w_μj v_j,
//
// in learning time t = ν × updates. The data term averages over a weighted
// set of configurations (a training set, or every configuration of a small
// ring with its exact probability); the model term is SpinModelTerm, the
// exact sum over the 2^(M−1) hidden configurations. It is the
// deterministic limit that full-batch training with an exact negative
// phase approaches as ν → 0. The state is M×N row-major.
//
// Deriv is safe for concurrent use. Large data terms are split into a
// fixed number of parts summed concurrently and added in order, so results
// do not depend on GOMAXPROCS.
type SpinFlow struct {
	N, M int
	// Exactly one of spins and conf holds the data.
	spins  *ring.Spins
	conf   []float64 // K×N configurations (±1)
	weight []float64 // K weights summing to 1
	count  int       // K
}

// MaxEnumerationN is the largest ring that NewSpinFlowPopulation
// enumerates (2^(N−1) configurations are stored).
const MaxEnumerationN = 20

// NewSpinFlow returns the exact flow of m hidden units for the empirical
// distribution of data: ⟨·⟩_data is the plain mean over the S samples
// (the empirical flow of THEORY.md §4.6). It panics if data is nil or
// empty, or m is not in [1, 24].
func NewSpinFlow(m int, data *ring.Spins) *SpinFlow {
	if data == nil || data.Len() == 0 {
		panic("dynamics: no data for the exact flow")
	}
	if m < 1 || m > maxSpinHidden {
		panic(fmt.Sprintf("dynamics: M = %d outside [1, %d]", m, maxSpinHidden))
	}
	return &SpinFlow{N: data.Sites(), M: m, spins: data, count: data.Len()}
}

// NewSpinFlowPopulation returns the exact population flow of m hidden
// units for the Ising ring model: ⟨·⟩_data is the exact average over all
// 2^N configurations with p(v) ∝ exp(β Σ_i v_i v_(i+1)). The data term is
// even under v → −v, so the 2^(N−1) configurations with v_0 = +1 are
// enumerated. It panics if model.N > MaxEnumerationN, the model is invalid,
// or m is not in [1, 24].
func NewSpinFlowPopulation(m int, model ring.Ising) *SpinFlow {
	if err := model.Validate(); err != nil {
		panic(err.Error())
	}
	n := model.N
	if n > MaxEnumerationN {
		panic(fmt.Sprintf("dynamics: N = %d exceeds %d, the limit of exact enumeration", n, MaxEnumerationN))
	}
	if m < 1 || m > maxSpinHidden {
		panic(fmt.Sprintf("dynamics: M = %d outside [1, %d]", m, maxSpinHidden))
	}
	k := 1 << (n - 1)
	conf := make([]float64, k*n)
	logw := make([]float64, k)
	for s := 0; s < k; s++ {
		v := conf[s*n : (s+1)*n]
		v[0] = 1
		for i := 1; i < n; i++ {
			v[i] = float64(2*((s>>(i-1))&1) - 1)
		}
		var e float64
		for i := range v {
			e += v[i] * v[(i+1)%n]
		}
		logw[s] = model.Beta * e
	}
	mx := floats.Max(logw)
	var z float64
	for s := range logw {
		logw[s] = math.Exp(logw[s] - mx)
		z += logw[s]
	}
	floats.Scale(1/z, logw)
	return &SpinFlow{N: n, M: m, conf: conf, weight: logw, count: k}
}

// Dim implements System: M·N.
func (f *SpinFlow) Dim() int { return f.M * f.N }

// Deriv implements System: data term minus model term.
func (f *SpinFlow) Deriv(dst, w []float64) {
	f.DataTerm(dst, w)
	model := SpinModelTerm(nil, w, f.M, f.N)
	floats.Sub(dst, model)
}

// flowPart is the number of configurations per concurrent part of the
// data term, and flowMaxParts bounds the number of parts.
const (
	flowPart     = 512
	flowMaxParts = 64
)

// DataTerm writes ⟨v_i tanh I_μ(v)⟩_data into dst (M×N) and returns it.
// A nil dst is allocated; a wrong length panics.
func (f *SpinFlow) DataTerm(dst, w []float64) []float64 {
	n, m := f.N, f.M
	if len(w) != n*m {
		panic("dynamics: exact flow state length mismatch")
	}
	dst = useDst(dst, n*m)
	parts := min(max(1, f.count/flowPart), flowMaxParts)
	acc := make([][]float64, parts)
	run := func(p int) {
		acc[p] = make([]float64, n*m)
		f.dataPart(acc[p], w, p*f.count/parts, (p+1)*f.count/parts)
	}
	if parts > 1 && runtime.GOMAXPROCS(0) > 1 {
		var wg sync.WaitGroup
		sem := make(chan struct{}, runtime.GOMAXPROCS(0))
		for p := range parts {
			wg.Add(1)
			sem <- struct{}{}
			go func() {
				defer wg.Done()
				run(p)
				<-sem
			}()
		}
		wg.Wait()
	} else {
		for p := range parts {
			run(p)
		}
	}
	copy(dst, acc[0])
	for _, a := range acc[1:] {
		floats.Add(dst, a)
	}
	if f.weight == nil {
		floats.Scale(1/float64(f.count), dst)
	}
	return dst
}

// dataPart accumulates Σ_s c_s v_s tanh(I(v_s))ᵀ over configurations
// [from, to), with c_s the weight (or 1 for a training set).
func (f *SpinFlow) dataPart(acc, w []float64, from, to int) {
	n, m := f.N, f.M
	v := make([]float64, n)
	for s := from; s < to; s++ {
		var row []float64
		c := 1.0
		if f.spins != nil {
			row = f.spins.Row(s, v)
		} else {
			row = f.conf[s*n : (s+1)*n]
			c = f.weight[s]
		}
		for mu := 0; mu < m; mu++ {
			th := c * math.Tanh(floats.Dot(w[mu*n:(mu+1)*n], row))
			floats.AddScaled(acc[mu*n:(mu+1)*n], th, row)
		}
	}
}

// LogLikelihood returns the exact mean log-likelihood per sample
// (THEORY.md §4.6),
//
//	log L = ⟨Σ_μ ln 2cosh I_μ(v)⟩_data − ln Z,
//
// which is −N ln 2 at w = 0 and increases along the flow.
func (f *SpinFlow) LogLikelihood(w []float64) float64 {
	n, m := f.N, f.M
	if len(w) != n*m {
		panic("dynamics: exact flow state length mismatch")
	}
	v := make([]float64, n)
	var s float64
	for k := 0; k < f.count; k++ {
		var row []float64
		c := 1.0 / float64(f.count)
		if f.spins != nil {
			row = f.spins.Row(k, v)
		} else {
			row = f.conf[k*n : (k+1)*n]
			c = f.weight[k]
		}
		var l float64
		for mu := 0; mu < m; mu++ {
			x := math.Abs(floats.Dot(w[mu*n:(mu+1)*n], row))
			l += x + math.Log1p(math.Exp(-2*x)) // ln 2cosh x
		}
		s += c * l
	}
	return s - SpinLogZ(w, m, n)
}

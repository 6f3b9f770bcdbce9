package rbm

import (
	"fmt"
	"math"

	"placecell/dynamics"
)

// exactKind names an exact summation.
type exactKind int

const (
	// spinSum: ±1 visible and hidden units, zero frozen fields; the
	// 2^(M−1) hidden sum of dynamics.SpinModelTerm (THEORY.md §4.6).
	spinSum exactKind = iota
	// hiddenEnum: discrete hidden units; sum over the 2^M hidden states
	// with the visible layer summed out analytically.
	hiddenEnum
	// visibleEnum: sum over the 2^N (q^N) visible states with the hidden
	// layer summed out analytically (any hidden potential).
	visibleEnum
)

// stateCount returns b^k, or maxEnumStates+1 if it exceeds the limit.
func stateCount(b, k int) int {
	s := 1
	for range k {
		s *= b
		if s > maxEnumStates {
			return maxEnumStates + 1
		}
	}
	return s
}

// chooseExact returns the cheapest exact summation for the shape, or an
// error if none is small enough. frozenZero says that the fields are zero
// and stay zero.
func chooseExact(vis VisibleType, hid HiddenType, n, m, q int, frozenZero bool) (exactKind, error) {
	if vis == VisibleSpin && hid == HiddenSpin && frozenZero && m <= maxExactHidden {
		return spinSum, nil
	}
	nv := stateCount(q, n)
	nh := maxEnumStates + 1
	if hid.discrete() {
		nh = stateCount(2, m)
	}
	switch {
	case nh <= maxEnumStates && nh*m <= nv*n:
		return hiddenEnum, nil
	case nv <= maxEnumStates:
		return visibleEnum, nil
	case nh <= maxEnumStates:
		return hiddenEnum, nil
	}
	return 0, fmt.Errorf("rbm: no exact sum is small enough: %d^%d visible states and %s hidden states exceed the limit 2^22 (use PCD, or N ≤ 22, or M ≤ 22 discrete hidden units)",
		q, n, map[bool]string{true: fmt.Sprintf("2^%d", m), false: "continuous"}[hid.discrete()])
}

// exactPlan checks that the exact phase of cfg can be computed.
func exactPlan(cfg Config, n, q int) (exactKind, error) {
	frozen := cfg.VisibleFields == FieldsZero && !cfg.LearnHidden && cfg.Unit.Field == 0 && !cfg.BatchNorm
	return chooseExact(cfg.Visible, cfg.Unit.Type, n, cfg.Hidden, q, frozen)
}

// exactSum computes model expectations by exact summation.
type exactSum struct {
	kind exactKind
}

func newExactSum(cfg Config, n, m, q int) *exactSum {
	k, err := exactPlan(cfg, n, q)
	if err != nil {
		panic(err) // checked by resolve
	}
	return &exactSum{kind: k}
}

// modelTerm writes the exact model expectations into s (count 1).
func (e *exactSum) modelTerm(s *sums, md *model, work int) {
	s.count = 1
	if e.kind == spinSum {
		dynamics.SpinModelTerm(s.w, md.w, md.m, md.n)
		clear(s.g)
		// ⟨tanh I_μ⟩ = 0 by the h → −h symmetry at zero fields.
		clear(s.h)
		return
	}
	enumerate(md, e.kind, s, work)
}

// enumPart is the running sum of one part of an enumeration: Σ e^(L−max)
// and the weighted accumulators.
type enumPart struct {
	max, sum float64
	w, g, h  []float64
}

// enumParts is the fixed number of parts of an enumeration; the result
// depends on it, not on GOMAXPROCS.
const enumParts = 32

// rescaleGap is how far a log-weight may exceed the running maximum of a
// part before the accumulators are rescaled (e^64·2^22 cannot overflow).
const rescaleGap = 64

// enumerate sums over every state of the layer named by kind, returns
// ln Z and, if s is not nil, writes the normalised model expectations
// ⟨Γ'(I) xᵀ⟩, ⟨x⟩ and ⟨∂Γ/∂p⟩ into it.
func enumerate(md *model, kind exactKind, s *sums, work int) float64 {
	n, m, q, d := md.n, md.m, md.q, md.d
	nd := n * d
	var states int
	if kind == hiddenEnum {
		states = 1 << m
	} else {
		states = stateCount(q, n)
	}
	np := min(enumParts, max(1, states/256))
	parts := make([]enumPart, np)
	k := len(hiddenSegments(md.hid))
	par := states*m*nd >= work
	forEach(np, par, func(p int) {
		pt := &parts[p]
		pt.max = math.Inf(-1)
		if s != nil {
			pt.w, pt.g, pt.h = make([]float64, m*nd), make([]float64, nd), make([]float64, k*m)
		}
		lo, hi := p*states/np, (p+1)*states/np
		if kind == hiddenEnum {
			enumHidden(md, pt, lo, hi, s != nil)
		} else {
			enumVisible(md, pt, lo, hi, s != nil)
		}
	})

	// Combine the parts in order.
	mx := math.Inf(-1)
	for _, pt := range parts {
		mx = math.Max(mx, pt.max)
	}
	var sum float64
	if s != nil {
		clear(s.w)
		clear(s.g)
		clear(s.h)
	}
	for _, pt := range parts {
		if pt.sum == 0 {
			continue
		}
		f := math.Exp(pt.max - mx)
		sum += f * pt.sum
		if s != nil {
			axpy(s.w, f, pt.w)
			axpy(s.g, f, pt.g)
			axpy(s.h, f, pt.h)
		}
	}
	if s != nil {
		s.count = 1
		for _, x := range [][]float64{s.w, s.g, s.h} {
			for j := range x {
				x[j] /= sum
			}
		}
	}
	return mx + math.Log(sum)
}

// add adds the term of log-weight L to pt: it rescales the accumulators
// when L exceeds the running maximum by more than rescaleGap, and returns
// the weight e^(L−max) of the term.
func (pt *enumPart) add(L float64) float64 {
	if math.IsInf(pt.max, -1) {
		pt.max = L
	} else if L > pt.max+rescaleGap {
		f := math.Exp(pt.max - L)
		pt.sum *= f
		for _, x := range [][]float64{pt.w, pt.g, pt.h} {
			for j := range x {
				x[j] *= f
			}
		}
		pt.max = L
	}
	wt := math.Exp(L - pt.max)
	pt.sum += wt
	return wt
}

// enumVisible sums the visible states lo..hi−1 (binary: bit i of the
// index is unit i; Potts: base-q digits, site 0 fastest):
//
//	L(v) = Σ_i g_i·x_i(v) + Σ_μ Γ_μ(I_μ(v)).
func enumVisible(md *model, pt *enumPart, lo, hi int, term bool) {
	n, m, q, d := md.n, md.m, md.q, md.d
	nd := n * d
	words := make([]uint64, (n+63)/64)
	cols := make([]uint8, n)
	offs := make([]int32, n+1)
	in := make([]float64, m)
	a := make([]float64, m)
	x := make([]float64, n)
	k := len(hiddenSegments(md.hid))
	stat := make([]float64, k)
	vlo, vhi := binaryValues(md.vis == VisibleSpin)
	for idx := lo; idx < hi; idx++ {
		if md.vis == VisiblePotts {
			r := idx
			for i := range n {
				cols[i] = uint8(r % q)
				r /= q
			}
		} else {
			words[0] = uint64(idx)
		}
		md.hiddenInputsOf(in, words, cols, offs)
		L := md.visibleFieldTerm(words, cols) + md.hiddenLogZ(in)
		wt := pt.add(L)
		if !term {
			continue
		}
		md.hiddenMeans(a, in)
		for mu := range m {
			md.hiddenStats(stat, mu, in[mu], a[mu])
			for j := range k {
				pt.h[j*m+mu] += wt * stat[j]
			}
		}
		if md.vis == VisiblePotts {
			for i, c := range cols {
				pt.g[i*d+int(c)] += wt
				for mu := range m {
					pt.w[mu*nd+i*d+int(c)] += wt * a[mu]
				}
			}
			continue
		}
		for i := range n {
			x[i] = vlo
			if idx>>i&1 == 1 {
				x[i] = vhi
			}
			pt.g[i] += wt * x[i]
		}
		for mu := range m {
			axpy(pt.w[mu*nd:(mu+1)*nd], wt*a[mu], x)
		}
	}
}

// enumHidden sums the hidden states lo..hi−1 (bit μ of the index is unit
// μ), with the visible layer summed out:
//
//	L(h) = −Σ_μ U_μ(h_μ) + Σ_i ln Σ_(v_i) e^(v_i (x_i(h) + g_i)),
//	x_i(h) = Σ_μ w_μi h_μ;
//
// then ⟨x Γ'(I)ᵀ⟩ = ⟨x hᵀ⟩ = Σ_h P(h) E[x | h] hᵀ and ⟨Γ'(I)⟩ = ⟨h⟩.
func enumHidden(md *model, pt *enumPart, lo, hi int, term bool) {
	n, m, d := md.n, md.m, md.d
	nd := n * d
	words := make([]uint64, (m+63)/64)
	offs := make([]int32, (m+3)/4+1)
	x := make([]float64, nd)
	h := make([]float64, m)
	mean := make([]float64, nd)
	hlo, hhi := binaryValues(md.hid == HiddenSpin)
	for idx := lo; idx < hi; idx++ {
		words[0] = uint64(idx)
		for mu := range m {
			h[mu] = hlo
			if idx>>mu&1 == 1 {
				h[mu] = hhi
			}
		}
		md.th.sum(x, words, offs)
		L := -md.hiddenEnergy(h)
		for i := range n {
			L += md.visibleLogZ(i, x[i*d:(i+1)*d])
		}
		wt := pt.add(L)
		if !term {
			continue
		}
		for i := range n {
			md.visibleMean(mean[i*d:(i+1)*d], i, x[i*d:(i+1)*d])
		}
		axpy(pt.g, wt, mean)
		for mu := range m {
			axpy(pt.w[mu*nd:(mu+1)*nd], wt*h[mu], mean)
			pt.h[mu] += wt * h[mu]
		}
	}
}

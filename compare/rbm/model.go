package rbm

import (
	"math"
	"math/bits"
	"math/rand/v2"

	"placecell/dynamics"
)

// hiddenParams holds the per-unit parameters of the hidden potentials;
// only the slices of the layer's type are non-nil.
type hiddenParams struct {
	c      []float64 // field of spin and Bernoulli units
	gamma  []float64 // γ of Gaussian and ReLU units
	theta  []float64 // θ of Gaussian, ReLU and double-well units
	gp, gm []float64 // γ₊, γ₋ of dReLU
	tp, tm []float64 // θ₊, θ₋ of dReLU
}

// set points the parameter called name (a hiddenSegments name) at x; other
// names are ignored.
func (hp *hiddenParams) set(name string, x []float64) {
	switch name {
	case "c":
		hp.c = x
	case "gamma":
		hp.gamma = x
	case "theta":
		hp.theta = x
	case "gamma+":
		hp.gp = x
	case "gamma-":
		hp.gm = x
	case "theta+":
		hp.tp = x
	case "theta-":
		hp.tm = x
	}
}

// model is one set of RBM parameters with the tables derived from them for
// sampling. Weights are M × (N·d), d = q for Potts visible units and 1
// otherwise; w[μ·N·d + i·d + c] is w_μi(c).
type model struct {
	n, m, q, d int
	vis        VisibleType
	hid        HiddenType
	beta       float64   // inverse temperature of the inputs (1 but in PT and AIS)
	w          []float64 // M × N·d
	g          []float64 // N·d visible fields
	hp         hiddenParams

	// Derived by prepare.
	wT []float64 // (N·d) × M: column i (or (i, c)) of w as a row of M
	tv table     // binary visible groups → hidden inputs (rows of M)
	th table     // binary hidden groups → visible inputs (rows of N·d)
}

// table is a lookup table of partial input sums over groups of g binary
// units: entry (j, p) is the row Σ_b val(bit b of p)·r_(j·g+b), r_k being
// the row of unit k, so that the input of a packed state is the sum of
// one row per group (SIMULATOR.md speed notes in doc.go).
type table struct {
	g, ng, row int
	t          []float64 // ng × 2^g × row
}

// groupWidth returns the group width for units feeding rows of the given
// length: 8 bits when the table stays within 256 KiB, else 5 (at N = M =
// 100, 5-bit tables of 0.5 MiB each read 20 rows per input against 25
// for 4-bit ones and were 8% faster; 6-bit tables of 0.9 MiB crowd the
// 2 MiB L2 cache and 8-bit ones of 2.6 MiB spill out of it).
func groupWidth(units, row int) int {
	if (units+7)/8*256*row*8 <= 256<<10 {
		return 8
	}
	return 5
}

// build fills the table for units with rows rows(k) (k < units) and the
// values lo (bit 0) and hi (bit 1) of a unit: entry p is built from entry
// p & (p−1) by adding (hi − lo)·r_b for the lowest set bit b, starting
// from lo·Σ_b r_b.
func (tb *table) build(units, row int, rows func(k int) []float64, lo, hi float64) {
	g := groupWidth(units, row)
	ng := (units + g - 1) / g
	size := ng << g * row
	if tb.g != g || tb.row != row || len(tb.t) != size {
		*tb = table{g: g, ng: ng, row: row, t: make([]float64, size)}
	}
	delta := hi - lo
	for j := range ng {
		base := tb.t[(j<<g)*row : ((j<<g)+1)*row]
		clear(base)
		if lo != 0 {
			for b := range g {
				if k := j*g + b; k < units {
					axpy(base, lo, rows(k))
				}
			}
		}
		for p := 1; p < 1<<g; p++ {
			b := bits.TrailingZeros(uint(p))
			dst := tb.t[((j<<g)+p)*row : ((j<<g)+p+1)*row]
			copy(dst, tb.t[((j<<g)+(p&(p-1)))*row:((j<<g)+(p&(p-1))+1)*row])
			if k := j*g + b; k < units {
				axpy(dst, delta, rows(k))
			}
		}
	}
}

// offsets writes into offs the row offsets of the packed state words and
// returns them.
func (tb *table) offsets(offs []int32, words []uint64) []int32 {
	g, row := uint(tb.g), int32(tb.row)
	mask := uint64(1)<<g - 1
	offs = offs[:tb.ng]
	stride := row << g
	base := int32(0)
	if 64%g == 0 {
		j := 0
		for _, w := range words {
			for sh := uint(0); sh < 64 && j < len(offs); sh += g {
				offs[j] = base + int32(w>>sh&mask)*row
				base += stride
				j++
			}
		}
		return offs
	}
	for j := range offs {
		p := uint(j) * g
		wi, sh := p/64, p%64
		v := words[wi] >> sh
		if sh+g > 64 && int(wi)+1 < len(words) {
			v |= words[wi+1] << (64 - sh)
		}
		offs[j] = base + int32(v&mask)*row
		base += stride
	}
	return offs
}

// sum writes the input of the packed state words into dst.
func (tb *table) sum(dst []float64, words []uint64, offs []int32) {
	sumRows(dst, tb.t, tb.offsets(offs, words))
}

// newModel returns a model of the given shape with zero parameters.
func newModel(n, m, q int, vis VisibleType, hid HiddenType) *model {
	d := 1
	if vis == VisiblePotts {
		d = q
	}
	return &model{n: n, m: m, q: q, d: d, vis: vis, hid: hid, beta: 1}
}

// binaryValues returns the values of bit 0 and bit 1 of a binary layer.
func binaryValues(spin bool) (lo, hi float64) {
	if spin {
		return -1, 1
	}
	return 0, 1
}

// prepare rebuilds the transposed weights and the lookup tables after a
// change of parameters.
func (md *model) prepare() {
	n, m, d := md.n, md.m, md.d
	nd := n * d
	if len(md.wT) != nd*m {
		md.wT = make([]float64, nd*m)
	}
	for mu := range m {
		row := md.w[mu*nd : (mu+1)*nd]
		for k, x := range row {
			md.wT[k*m+mu] = x
		}
	}
	if md.vis != VisiblePotts {
		lo, hi := binaryValues(md.vis == VisibleSpin)
		md.tv.build(n, m, func(k int) []float64 { return md.wT[k*m : (k+1)*m] }, lo, hi)
	}
	if md.hid.discrete() {
		lo, hi := binaryValues(md.hid == HiddenSpin)
		md.th.build(m, nd, func(k int) []float64 { return md.w[k*nd : (k+1)*nd] }, lo, hi)
	}
}

// Visible layer.

// visibleValue returns the value of a binary visible unit in state b.
func (md *model) visibleValue(b uint64) float64 {
	if md.vis == VisibleSpin {
		return float64(2*int(b) - 1)
	}
	return float64(b)
}

// visibleFieldTerm returns Σ_i g_i·x_i(v) for a binary state in packed
// words, or Σ_i g_i(v_i) for Potts colours.
func (md *model) visibleFieldTerm(words []uint64, colours []uint8) float64 {
	var s float64
	if md.vis == VisiblePotts {
		for i, c := range colours {
			s += md.g[i*md.d+int(c)]
		}
		return s
	}
	for i := range md.n {
		s += md.g[i] * md.visibleValue(words[i>>6]>>(uint(i)&63)&1)
	}
	return s
}

// visibleLogZ returns the log-partition function of visible unit i given
// its input x (for Potts, the q inputs x[0..q−1]): log2cosh(x+g),
// softplus(x+g) or logsumexp_c(x_c + g_c).
func (md *model) visibleLogZ(i int, x []float64) float64 {
	switch md.vis {
	case VisibleSpin:
		return log2cosh(x[0] + md.g[i])
	case VisibleBernoulli:
		return softplus(x[0] + md.g[i])
	}
	g := md.g[i*md.d : (i+1)*md.d]
	mx := math.Inf(-1)
	for c, xc := range x {
		mx = math.Max(mx, xc+g[c])
	}
	if math.IsInf(mx, 0) {
		return mx
	}
	var s float64
	for c, xc := range x {
		s += math.Exp(xc + g[c] - mx)
	}
	return mx + math.Log(s)
}

// visibleMean writes E[x_i | input] for unit i into dst (length d).
func (md *model) visibleMean(dst []float64, i int, x []float64) {
	switch md.vis {
	case VisibleSpin:
		dst[0] = math.Tanh(x[0] + md.g[i])
		return
	case VisibleBernoulli:
		dst[0] = logistic(x[0] + md.g[i])
		return
	}
	g := md.g[i*md.d : (i+1)*md.d]
	mx := math.Inf(-1)
	for c, xc := range x {
		mx = math.Max(mx, xc+g[c])
	}
	var s float64
	for c, xc := range x {
		dst[c] = math.Exp(xc + g[c] - mx)
		s += dst[c]
	}
	for c := range dst {
		dst[c] /= s
	}
}

// Hidden layer.

// hiddenUnit returns the potential of hidden unit μ.
func (md *model) hiddenUnit(mu int) dynamics.Hidden {
	hp := &md.hp
	switch md.hid {
	case HiddenSpin:
		return dynamics.Spin{C: hp.c[mu]}
	case HiddenBernoulli:
		return dynamics.Bernoulli{G: hp.c[mu]}
	case HiddenGaussian:
		return dynamics.Gaussian{GammaH: hp.gamma[mu], Theta: hp.theta[mu]}
	case HiddenDoubleWell:
		return dynamics.DoubleWell{Theta: hp.theta[mu]}
	case HiddenReLU:
		return dynamics.ReLU{GammaH: hp.gamma[mu], Theta: hp.theta[mu]}
	}
	return dynamics.DReLU{GammaPlus: hp.gp[mu], GammaMinus: hp.gm[mu], ThetaPlus: hp.tp[mu], ThetaMinus: hp.tm[mu]}
}

// hiddenMeans writes Γ'_μ(I_μ) into dst.
func (md *model) hiddenMeans(dst, in []float64) {
	hp := &md.hp
	switch md.hid {
	case HiddenSpin:
		for mu, x := range in {
			dst[mu] = dynamics.Spin{C: hp.c[mu]}.Mean(x)
		}
	case HiddenBernoulli:
		for mu, x := range in {
			dst[mu] = dynamics.Bernoulli{G: hp.c[mu]}.Mean(x)
		}
	case HiddenGaussian:
		for mu, x := range in {
			dst[mu] = dynamics.Gaussian{GammaH: hp.gamma[mu], Theta: hp.theta[mu]}.Mean(x)
		}
	default:
		for mu, x := range in {
			dst[mu] = md.hiddenUnit(mu).Mean(x)
		}
	}
}

// hiddenLogZ returns Σ_μ Γ_μ(I_μ).
func (md *model) hiddenLogZ(in []float64) float64 {
	var s float64
	hp := &md.hp
	switch md.hid {
	case HiddenSpin:
		for mu, x := range in {
			s += dynamics.Spin{C: hp.c[mu]}.Gamma(x)
		}
	default:
		for mu, x := range in {
			s += md.hiddenUnit(mu).Gamma(x)
		}
	}
	return s
}

// hiddenEnergy returns Σ_μ U_μ(h_μ), the hidden potentials of SIMULATOR.md
// §2 (dynamics.Hidden has no energy method, so the formulas are here).
func (md *model) hiddenEnergy(h []float64) float64 {
	var s float64
	hp := &md.hp
	for mu, x := range h {
		switch md.hid {
		case HiddenSpin, HiddenBernoulli:
			s -= hp.c[mu] * x
		case HiddenGaussian, HiddenReLU:
			s += hp.gamma[mu]*x*x/2 + hp.theta[mu]*x
		case HiddenDoubleWell:
			s += x*x/2 + hp.theta[mu]*math.Abs(x)
		case HiddenDReLU:
			if x >= 0 {
				s += hp.gp[mu]*x*x/2 + hp.tp[mu]*x
			} else {
				s += hp.gm[mu]*x*x/2 - hp.tm[mu]*x
			}
		}
	}
	return s
}

// hiddenSample draws h_μ ~ p(h | I_μ) for continuous units with rnd.
func (md *model) hiddenSample(h, in []float64, rnd *rand.Rand) {
	hp := &md.hp
	switch md.hid {
	case HiddenGaussian:
		for mu, x := range in {
			h[mu] = dynamics.Gaussian{GammaH: hp.gamma[mu], Theta: hp.theta[mu]}.Sample(x, rnd)
		}
	case HiddenDoubleWell:
		for mu, x := range in {
			h[mu] = dynamics.DoubleWell{Theta: hp.theta[mu]}.Sample(x, rnd)
		}
	case HiddenReLU:
		for mu, x := range in {
			h[mu] = dynamics.ReLU{GammaH: hp.gamma[mu], Theta: hp.theta[mu]}.Sample(x, rnd)
		}
	case HiddenDReLU:
		for mu, x := range in {
			h[mu] = dynamics.DReLU{GammaPlus: hp.gp[mu], GammaMinus: hp.gm[mu], ThetaPlus: hp.tp[mu], ThetaMinus: hp.tm[mu]}.Sample(x, rnd)
		}
	default:
		panic("rbm: hiddenSample on discrete units")
	}
}

// hiddenStats writes, for unit μ at input I, the derivatives ∂Γ/∂p of the
// hidden parameters p in segment order (SIMULATOR.md §4):
//
//	spin, Bernoulli: ∂Γ/∂c = Γ'(I)
//	Gaussian, ReLU:  ∂Γ/∂γ = −E[h²]/2, ∂Γ/∂θ = −E[h]
//	double well:     ∂Γ/∂θ = −E[|h|]
//	dReLU:           ∂Γ/∂γ± = −E[(h^±)²]/2, ∂Γ/∂θ± = −E[h^±]
//
// dst has one entry per hidden segment. mean is Γ'(I), computed already.
func (md *model) hiddenStats(dst []float64, mu int, I, mean float64) {
	hp := &md.hp
	switch md.hid {
	case HiddenSpin, HiddenBernoulli:
		dst[0] = mean
	case HiddenGaussian:
		v := 1 / hp.gamma[mu]
		dst[0] = -(v + mean*mean) / 2
		dst[1] = -mean
	case HiddenReLU:
		v := dynamics.ReLU{GammaH: hp.gamma[mu], Theta: hp.theta[mu]}.Var(I)
		dst[0] = -(v + mean*mean) / 2
		dst[1] = -mean
	case HiddenDoubleWell:
		dst[0] = -dynamics.DoubleWell{Theta: hp.theta[mu]}.MeanAbs(I)
	case HiddenDReLU:
		// Branch decomposition: the positive branch is a ReLU(γ₊, θ₊) at
		// input I, the negative one a ReLU(γ₋, θ₋) at −I.
		pos := dynamics.ReLU{GammaH: hp.gp[mu], Theta: hp.tp[mu]}
		neg := dynamics.ReLU{GammaH: hp.gm[mu], Theta: hp.tm[mu]}
		lp, ln := pos.Gamma(I), neg.Gamma(-I)
		pp, pm := logistic(lp-ln), logistic(ln-lp)
		mp, mm := pos.Mean(I), neg.Mean(-I)
		vp, vm := pos.Var(I), neg.Var(-I)
		dst[0] = -pp * (vp + mp*mp) / 2
		dst[1] = -pm * (vm + mm*mm) / 2
		dst[2] = -pp * mp
		dst[3] = -pm * mm
	}
}

// Numerically stable elementary functions (SIMULATOR.md §3; the same
// formulas as the unexported helpers of package dynamics).

// logistic returns σ(x) = 1/(1+e^(−x)), evaluated on the side where the
// exponential cannot overflow.
func logistic(x float64) float64 {
	if x >= 0 {
		return 1 / (1 + math.Exp(-x))
	}
	e := math.Exp(x)
	return e / (1 + e)
}

// softplus returns ln(1 + e^x) = max(x, 0) + log1p(e^(−|x|)).
func softplus(x float64) float64 {
	return math.Max(x, 0) + math.Log1p(math.Exp(-math.Abs(x)))
}

// log2cosh returns ln 2cosh x = |x| + log1p(e^(−2|x|)).
func log2cosh(x float64) float64 {
	a := math.Abs(x)
	return a + math.Log1p(math.Exp(-2*a))
}

// logAddExp returns ln(e^a + e^b), accepting −Inf.
func logAddExp(a, b float64) float64 {
	if a < b {
		a, b = b, a
	}
	if math.IsInf(a, -1) {
		return a
	}
	return a + math.Log1p(math.Exp(b-a))
}

// logSumExp returns ln Σ e^x_k with a maximum shift; −Inf for an empty or
// all −Inf x.
func logSumExp(x []float64) float64 {
	mx := math.Inf(-1)
	for _, v := range x {
		mx = math.Max(mx, v)
	}
	if math.IsInf(mx, 0) {
		return mx
	}
	var s float64
	for _, v := range x {
		s += math.Exp(v - mx)
	}
	return mx + math.Log(s)
}

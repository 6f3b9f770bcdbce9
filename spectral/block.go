package spectral

import (
	"fmt"
	"math"
	"slices"

	"placecell/ring"

	"gonum.org/v1/gonum/dsp/fourier"
	"gonum.org/v1/gonum/mat"
)

// Spectrum is the exact eigen-decomposition of a block-circulant symmetric
// matrix on N sites with F features per site: the F×F block between sites
// i and j is C_d, d = (j−i) mod N, and entry (i, a) of a vector has index
// i·F + a. Such a matrix is the population correlation matrix of every
// ring model (ring.Model.Kernel).
//
// Each eigenvector is labelled by a Mode (K, J). K is the spatial Fourier
// index of §1.4: the eigenvector lies in the span of the cos and sin of
// wavenumber q_K = 2πK/N times vectors of R^F (the modes K and N−K share
// that span and their eigenvalues). When the blocks are circulant in the
// feature index too (Circulant, as for Potts data, THEORY.md §2.8), the
// eigenvectors are 2-D Fourier modes and J is the feature wavenumber p:
//
//	e_{i,a} ∝ cos(2π(Ki/N + Ja/F))   or   sin(2π(K'i/N + J'a/F)),
//
// the cosine when (K, J) precedes its conjugate (N−K, F−J) (indices mod N
// and F) in the order K·F+J, and otherwise the sine of the conjugate's
// angle; a self-conjugate mode has only the cosine. For F = 1 these are
// exactly the vectors of FourierMode. Otherwise J numbers the eigenvalues
// of the Fourier block within the span of wavenumber K.
type Spectrum struct {
	// N and F are the numbers of sites and of features per site.
	N, F int
	// Circulant reports whether the blocks are circulant in the feature
	// index, so that modes are 2-D Fourier modes.
	Circulant bool
	// Values[K·F + J] is the eigenvalue of mode (K, J).
	Values []float64
	// coef holds, for general blocks, the coefficients (α, β) of each
	// mode: e_{i,a} = α_a c^K_i + β_a s^K_i, 2F values per mode.
	coef []float64
	// reflect reports circulant blocks that are also symmetric in the
	// feature index, c_d(δ) = c_d(F−δ), so that Λ(K, p) = Λ(K, F−p).
	reflect bool
}

// Mode labels an eigenvector of a Spectrum.
type Mode struct {
	K int `json:"k"`
	J int `json:"j"`
}

// circTol is the relative tolerance, against max|C|, within which blocks
// count as circulant in the feature index and eigenvalues as equal.
const circTol = 1e-10

// BlockCirculant returns the spectrum of the symmetric block-circulant
// matrix with blocks C_d = kernel[d·F² : (d+1)·F²] (row-major), d = 0..N-1,
// N = len(kernel)/F² (THEORY.md §3.1).
//
// F = 1 is the circulant case of CirculantEigenvalues. For F > 1, the
// Fourier blocks Ĉ_K = Σ_d C_d e^(−i q_K d) = R − iQ come from one real FFT
// over d per entry. When every block is circulant in the feature index,
// C_d(a, b) = c_d((b−a) mod F), a second DFT over the feature index gives
// the eigenvalues Λ(K, p) of the 2-D Fourier modes (§2.8); otherwise the
// real symmetric matrix [[R, Q], [−Q, R]] of C restricted to the cos and
// sin of wavenumber K is diagonalised for each K ≤ N/2, its 2F eigenvalues
// (equal in pairs) shared between K and N−K. Negative eigenvalues are kept.
//
// It panics if F < 1, len(kernel) is not a positive multiple of F², the
// kernel holds non-finite values, or the matrix is not symmetric
// (C_{N−d}(b, a) = C_d(a, b) beyond 1e-10 relative).
func BlockCirculant(kernel []float64, f int) *Spectrum {
	if f < 1 || len(kernel) == 0 || len(kernel)%(f*f) != 0 {
		panic(fmt.Sprintf("spectral: kernel of length %d is not N blocks of %d×%d", len(kernel), f, f))
	}
	n := len(kernel) / (f * f)
	scale := 0.0
	for _, v := range kernel {
		scale = math.Max(scale, math.Abs(v))
	}
	if math.IsNaN(scale) || math.IsInf(scale, 0) {
		panic("spectral: kernel has non-finite entries")
	}
	tol := symTol * scale
	circ, refl := true, f > 1
	for d := range n {
		for a := range f {
			for b := range f {
				x := kernel[d*f*f+a*f+b]
				if y := kernel[((n-d)%n)*f*f+b*f+a]; math.Abs(x-y) > tol {
					panic(fmt.Sprintf("spectral: block-circulant kernel not symmetric: C_%d(%d,%d) − C_%d(%d,%d) = %g", d, a, b, (n-d)%n, b, a, x-y))
				}
				if math.Abs(x-kernel[d*f*f+(b-a+f)%f]) > circTol*scale {
					circ = false
				}
			}
			if math.Abs(kernel[d*f*f+a]-kernel[d*f*f+(f-a)%f]) > circTol*scale {
				refl = false
			}
		}
	}
	s := &Spectrum{N: n, F: f, Circulant: circ, Values: make([]float64, n*f), reflect: circ && refl}
	if f == 1 {
		circulantInto(s.Values, kernel)
		return s
	}

	// R_K − iQ_K for K = 0..N/2: one real FFT over d per entry (a, b).
	fft := fourier.NewFFT(n)
	seq := make([]float64, n)
	coeff := make([]complex128, n/2+1)
	hat := make([]complex128, (n/2+1)*f*f) // hat[K·F² + a·F + b]
	for a := range f {
		for b := range f {
			for d := range n {
				seq[d] = kernel[d*f*f+a*f+b]
			}
			fft.Coefficients(coeff, seq)
			for k, c := range coeff {
				hat[k*f*f+a*f+b] = c
			}
		}
	}
	if circ {
		s.fourier2D(hat)
	} else {
		s.general(hat)
	}
	return s
}

// fourier2D sets the eigenvalues of circulant blocks. The mode
// e_{i,a} = exp(2πi(Ki/N + pa/F)) has the eigenvalue
//
//	Λ(K, p) = Σ_{d,δ} c_d(δ) exp(2πi(Kd/N + pδ/F)) = Re Σ_δ ĉ_K(δ) exp(−2πipδ/F),
//
// with ĉ_K(δ) = Ĉ_K(0, δ) = Σ_d c_d(δ) e^(−iq_K d) from the FFT, and
// Λ(N−K, p) = Λ(K, F−p) (conjugate symmetry of a real symmetric matrix).
func (s *Spectrum) fourier2D(hat []complex128) {
	n, f := s.N, s.F
	for k := 0; k <= n/2; k++ {
		for p := range f {
			var sum complex128
			for delta := range f {
				sn, cs := sinCosTwoPi(p*delta%f, f)
				sum += hat[k*f*f+delta] * complex(cs, -sn)
			}
			s.Values[k*f+p] = real(sum)
		}
	}
	for k := n/2 + 1; k < n; k++ {
		for p := range f {
			s.Values[k*f+p] = s.Values[(n-k)*f+(f-p)%f]
		}
	}
}

// general diagonalises the restriction of C to each Fourier span.
func (s *Spectrum) general(hat []complex128) {
	n, f := s.N, s.F
	s.coef = make([]float64, n*f*2*f)
	for k := 0; k <= n/2; k++ {
		pair := k != 0 && 2*k != n
		dim := f
		if pair {
			dim = 2 * f
		}
		m := mat.NewSymDense(dim, nil)
		for a := range f {
			for b := a; b < f; b++ {
				c := hat[k*f*f+a*f+b]
				m.SetSym(a, b, real(c))
				if pair {
					m.SetSym(f+a, f+b, real(c))
				}
			}
			if pair {
				// Q = −Im Ĉ_K sits in the upper-right block.
				for b := range f {
					m.SetSym(a, f+b, -imag(hat[k*f*f+a*f+b]))
				}
			}
		}
		var es mat.EigenSym
		if !es.Factorize(m, true) {
			panic("spectral: eigendecomposition of a Fourier block failed")
		}
		vals := es.Values(nil)
		var vec mat.Dense
		es.VectorsTo(&vec)
		for r := range dim {
			col := dim - 1 - r // decreasing
			kk, j := k, r
			if pair {
				kk, j = k, r/2
				if r%2 == 1 {
					kk = n - k
				}
			}
			idx := kk*f + j
			s.Values[idx] = vals[col]
			c := s.coef[idx*2*f : (idx+1)*2*f]
			for a := range dim {
				c[a] = vec.At(a, col)
			}
		}
	}
}

// ModelSpectrum returns the exact spectrum of m's population correlation
// matrix, in the normalisation of m.Encoding(). The Ising ring uses the
// closed form of IsingSpectrum; other models the block-circulant
// decomposition of their Kernel. It panics if m is invalid.
func ModelSpectrum(m ring.Model) *Spectrum {
	if err := m.Validate(); err != nil {
		panic(err.Error())
	}
	if is, ok := m.(ring.Ising); ok {
		return &Spectrum{N: is.N, F: 1, Circulant: true, Values: IsingSpectrum(nil, is)}
	}
	return BlockCirculant(m.Kernel(nil), m.Encoding().Features)
}

// Dim returns N·F, the dimension of the matrix.
func (s *Spectrum) Dim() int { return s.N * s.F }

// Value returns the eigenvalue of mode md.
func (s *Spectrum) Value(md Mode) float64 { return s.Values[s.index(md)] }

func (s *Spectrum) index(md Mode) int {
	if md.K < 0 || md.K >= s.N || md.J < 0 || md.J >= s.F {
		panic(fmt.Sprintf("spectral: mode %+v outside %d×%d", md, s.N, s.F))
	}
	return md.K*s.F + md.J
}

// Sorted returns every mode in decreasing order of eigenvalue, ties in
// increasing order of (K, J).
func (s *Spectrum) Sorted() []Mode {
	modes := make([]Mode, 0, s.Dim())
	for k := range s.N {
		for j := range s.F {
			modes = append(modes, Mode{k, j})
		}
	}
	slices.SortStableFunc(modes, func(a, b Mode) int {
		return cmpDesc(s.Value(a), s.Value(b))
	})
	return modes
}

func cmpDesc(x, y float64) int {
	switch {
	case x > y:
		return -1
	case x < y:
		return 1
	}
	return 0
}

// Eigenspace is a set of modes sharing one eigenvalue.
type Eigenspace struct {
	Value float64 `json:"value"`
	Modes []Mode  `json:"modes"`
}

// Eigenspaces returns the symmetry classes of the modes in decreasing
// order of eigenvalue, each with its modes in increasing order of (K, J).
// A class is the orbit of a mode under the exact symmetries of a
// translation-invariant symmetric matrix: the conjugation (K, J) ↔
// (N−K, F−J) of 2-D Fourier modes (K ↔ N−K for F = 1, where λ_K =
// λ_{N−K}; (K, j) ↔ (N−K, j) for general blocks), and, when the blocks
// are also symmetric in the feature index (c_d(δ) = c_d(F−δ), as for the
// XY ring), J ↔ F−J, which makes Λ(K, p) four-fold (THEORY.md §2.8).
// Grouping by symmetry rather than by closeness of eigenvalues keeps the
// O(N⁻²) splitting of a ring's top band at any N (at N = 10⁶ it is below
// 10⁻¹⁰ relative); degeneracies that are not ring symmetries, such as
// every λ_k = 1 of the Ising ring at β = 0 or the flat bulk of the
// Curie–Weiss model, are listed as separate classes with equal values
// (ties in the order of their first mode). Value is that of the class's
// first mode in Sorted order; its members agree to rounding.
func (s *Spectrum) Eigenspaces() []Eigenspace {
	done := make([]bool, s.Dim())
	var out []Eigenspace
	for _, md := range s.Sorted() {
		if done[s.index(md)] {
			continue
		}
		orbit := s.orbit(md)
		for _, x := range orbit {
			done[s.index(x)] = true
		}
		out = append(out, Eigenspace{Value: s.Value(md), Modes: orbit})
	}
	return out
}

// orbit returns the modes related to md by the symmetries of the spectrum
// (see Eigenspaces), sorted by (K, J), without repetition.
func (s *Spectrum) orbit(md Mode) []Mode {
	n, f := s.N, s.F
	ck := (n - md.K) % n
	cj := md.J // general blocks: K and N−K share the index j
	if s.Circulant {
		cj = (f - md.J) % f
	}
	modes := []Mode{md, {ck, cj}}
	if s.reflect {
		modes = append(modes, Mode{md.K, (f - md.J) % f}, Mode{ck, md.J})
	}
	slices.SortFunc(modes, func(a, b Mode) int { return (a.K*f + a.J) - (b.K*f + b.J) })
	return slices.Compact(modes)
}

// Top returns the eigenspace of the largest eigenvalue: the symmetry class
// (see Eigenspaces) of the first mode of Sorted, found in one pass.
func (s *Spectrum) Top() Eigenspace {
	best := 0
	for i, v := range s.Values {
		if v > s.Values[best] {
			best = i
		}
	}
	md := Mode{best / s.F, best % s.F}
	return Eigenspace{Value: s.Values[best], Modes: s.orbit(md)}
}

// Vector writes the unit eigenvector of mode md into dst (length N·F,
// entry (i, a) at i·F + a) and returns it. A nil dst is allocated; a dst
// of another length panics.
func (s *Spectrum) Vector(dst []float64, md Mode) []float64 {
	idx := s.index(md)
	n, f := s.N, s.F
	if dst == nil {
		dst = make([]float64, n*f)
	}
	if len(dst) != n*f {
		panic("spectral: destination length mismatch")
	}
	if s.coef != nil {
		k := min(md.K, n-md.K)
		c := s.coef[idx*2*f : (idx+1)*2*f]
		pair := k != 0 && 2*k != n
		for i := range n {
			ci := fourierEntry(n, k, i)
			var si float64
			if pair {
				ci = math.Sqrt(2/float64(n)) * cosTwoPi(k*i%n, n)
				si = math.Sqrt(2/float64(n)) * sinTwoPi(k*i%n, n)
			}
			for a := range f {
				dst[i*f+a] = c[a] * ci
				if pair {
					dst[i*f+a] += c[f+a] * si
				}
			}
		}
		return dst
	}

	// 2-D Fourier mode: the phase 2π(Ki/N + Ja/F) = 2π m/(NF) with
	// m = (K·i·F + J·a·N) mod NF in integers.
	ck, cj := (n-md.K)%n, (f-md.J)%f
	conj := ck*f + cj
	k, j := md.K, md.J
	useSin := idx > conj
	if useSin {
		k, j = ck, cj
	}
	nf := n * f
	norm := math.Sqrt(2 / float64(nf))
	if idx == conj {
		norm = 1 / math.Sqrt(float64(nf))
	}
	for i := range n {
		for a := range f {
			m := (k*i%n*f + j*a%f*n) % nf
			sn, cs := sinCosTwoPi(m, nf)
			if useSin {
				dst[i*f+a] = norm * sn
			} else {
				dst[i*f+a] = norm * cs
			}
		}
	}
	return dst
}

// Basis returns the N·F × len(modes) matrix whose columns are the unit
// eigenvectors of modes; distinct modes give orthonormal columns.
func (s *Spectrum) Basis(modes []Mode) *mat.Dense {
	b := mat.NewDense(s.Dim(), len(modes), nil)
	v := make([]float64, s.Dim())
	for c, md := range modes {
		b.SetCol(c, s.Vector(v, md))
	}
	return b
}

// Projection returns the squared norm of the orthogonal projection of u on
// the span of modes, Σ_m ⟨u, e_m⟩², for distinct modes. For a unit u it
// lies in [0, 1]: the squared subspace overlap of THEORY.md §3.5. Only
// projections on whole eigenspaces are meaningful for an eigenvector u of
// an empirical matrix. It panics if len(u) != N·F.
func (s *Spectrum) Projection(u []float64, modes []Mode) float64 {
	if len(u) != s.Dim() {
		panic("spectral: vector length mismatch")
	}
	v := make([]float64, s.Dim())
	var sum float64
	for _, md := range modes {
		s.Vector(v, md)
		var p float64
		for i, x := range u {
			p += x * v[i]
		}
		sum += p * p
	}
	return sum
}

// Overlaps returns, for each eigenvector (column) of e, its squared
// projection on the span of modes (Projection). e must have N·F rows.
func Overlaps(e *Eigen, s *Spectrum, modes []Mode) []float64 {
	r, c := e.Vectors.Dims()
	if r != s.Dim() {
		panic(fmt.Sprintf("spectral: eigenvectors of length %d against a spectrum of dimension %d", r, s.Dim()))
	}
	out := make([]float64, c)
	u := make([]float64, r)
	for j := range c {
		mat.Col(u, j, e.Vectors)
		out[j] = s.Projection(u, modes)
	}
	return out
}

// LambdaXY returns the top Pearson eigenvalue of the infinite XY ring with
// P states at inverse temperature β (the paper's eq 30),
//
//	Λ_XY = (P/(P−1)) (λ_0 + λ_1)/(λ_0 − λ_1) = (P/(P−1)) (1 + ρ_1)/(1 − ρ_1),
//
// with λ_p of eq 29 and ρ_1 = λ_1/λ_0. Its eigenspace is the cos/sin pair
// uniform in space, (K, p) = (0, 1) and (0, P−1). P = 10, β = 1.5 give
// 4.391255278 (case XY-1). At β = 0 it is P/(P−1), the level of the
// independent-Potts bulk. It panics if P < 2 or β is negative or not
// finite.
func LambdaXY(p int, beta float64) float64 {
	return XYBand(p, beta, 0, 1)
}

// XYBand returns the N → ∞ Pearson eigenvalue of the XY ring at spatial
// wavenumber q and Potts wavenumber p (THEORY.md §2.8),
//
//	Λ(q, p) = (P/(P−1)) (1 − ρ_p²)/(1 − 2ρ_p cos q + ρ_p²),   p ≠ 0,
//
// and Λ(q, 0) = 0. It is evaluated as (P/(P−1))(1−ρ)(1+ρ)/((1−ρ)² +
// 4ρ sin²(q/2)) with 1 − ρ from ring.XY.RhoGap, without cancellation near
// q = 0 or deep in the ordered phase (ρ → 1: Λ(0, 1) ≈ (P/(P−1))
// e^(β(1−cos(2π/P)))/(1−cos(2π/P)), overflowing to +Inf above β ≈ 3700 for
// P = 10). It panics if P < 2 or β is negative or not finite.
func XYBand(p int, beta, q float64, pw int) float64 {
	m := ring.XY{N: 2, P: p, Beta: beta}
	if err := m.Validate(); err != nil {
		panic(err.Error())
	}
	pw = ((pw % p) + p) % p
	if pw == 0 {
		return 0
	}
	rho := m.Rho(nil)[pw]
	gap := m.RhoGap(nil)[pw] // 1 − ρ, exact to rounding when ρ rounds to 1
	s := math.Sin(q / 2)
	if gap == 0 { // 1 − ρ underflowed: the ρ → 1 limit
		if s == 0 {
			return math.Inf(1)
		}
		return 0
	}
	return float64(p) / float64(p-1) * gap * (1 + rho) / (gap*gap + 4*rho*s*s)
}

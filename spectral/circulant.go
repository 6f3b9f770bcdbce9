package spectral

import (
	"fmt"
	"math"
	"runtime"
	"slices"
	"sync"

	"placecell/ring"

	"gonum.org/v1/gonum/dsp/fourier"
	"gonum.org/v1/gonum/mat"
)

// symTol is the largest relative asymmetry |row[r] − row[N−r]| / max|row|
// that CirculantEigenvalues accepts as rounding.
const symTol = 1e-10

// splitMin is the smallest length, divisible by 4, at which
// circulantInto splits the spectrum into even and odd wavenumbers instead
// of calling a real FFT of the full length.
const splitMin = 64

// parallelMin is the smallest length at which the two halves of a split
// run concurrently (when GOMAXPROCS > 1).
const parallelMin = 1 << 14

// circWork holds the FFT plans and buffers for one length N. For N
// divisible by 4 and at least splitMin it holds a quarter-wave (DCT-III)
// plan of length N/4 and the folded half sequences; otherwise a real-FFT
// plan of length N and a buffer for the full row.
type circWork struct {
	fft   *fourier.FFT
	coeff []complex128
	full  []float64

	cosq *fourier.QuarterWaveFFT // N/4 odd
	dct  *dct3                   // N/4 even
	z, y []complex128
	f, h []float64
}

// circCache keeps the work spaces of the most recently used lengths, at
// most GOMAXPROCS per length, so that plans (the twiddle factors, as
// costly to compute as a transform) are made once per length and survive
// garbage collections, unlike a sync.Pool's contents. A work space is used
// by one goroutine at a time.
var circCache = struct {
	sync.Mutex
	free  map[int][]*circWork
	order []int // cached lengths, least recently used first
}{free: map[int][]*circWork{}}

// circCacheLengths bounds the number of lengths kept. A transform of
// length N uses about log₂(N/splitMin) lengths (the recursion of
// circulantHalf).
const circCacheLengths = 64

// getCircWork returns a work space of length n, from the cache when one
// is free. It must be given back with putCircWork.
func getCircWork(n int) *circWork {
	c := &circCache
	c.Lock()
	if l := c.free[n]; len(l) > 0 {
		w := l[len(l)-1]
		c.free[n] = l[:len(l)-1]
		c.Unlock()
		return w
	}
	c.Unlock()
	return newCircWork(n)
}

// putCircWork returns w, of length n, to the cache, evicting the least
// recently used length if there are too many.
func putCircWork(n int, w *circWork) {
	c := &circCache
	c.Lock()
	defer c.Unlock()
	l, ok := c.free[n]
	if ok {
		i := slices.Index(c.order, n)
		copy(c.order[i:], c.order[i+1:])
		c.order[len(c.order)-1] = n
	} else {
		if len(c.order) == circCacheLengths {
			delete(c.free, c.order[0])
			c.order = append(c.order[:0], c.order[1:]...)
		}
		c.order = append(c.order, n)
	}
	if len(l) < runtime.GOMAXPROCS(0) {
		l = append(l, w)
	}
	c.free[n] = l
}

func newCircWork(n int) *circWork {
	if n%4 == 0 && n >= splitMin {
		w := &circWork{
			f: make([]float64, n/4+1),
			h: make([]float64, n/4),
		}
		if m := n / 4; m%2 == 0 {
			w.dct = newDCT3(m)
			w.z = make([]complex128, m/2)
			w.y = make([]complex128, m/2)
		} else {
			w.cosq = fourier.NewQuarterWaveFFT(m)
		}
		return w
	}
	return &circWork{
		fft:   fourier.NewFFT(n),
		coeff: make([]complex128, n/2+1),
		full:  make([]float64, n),
	}
}

// CirculantEigenvalues writes the eigenvalues of the real symmetric circulant
// matrix with first row row, λ_k = Σ_r row[r] cos(2πkr/N) for k = 0..N-1,
// into dst and returns it. It uses fast Fourier transforms. The row
// must be symmetric, row[r] = row[N−r]; asymmetry beyond rounding panics.
// A nil dst is allocated; a dst of the wrong length panics.
//
// Eigenvalue k belongs to FourierMode(k) (THEORY.md §1.4, §3.1), and
// λ_k = λ_{N−k}. Asymmetry up to |row[r] − row[N−r]| = 1e-10·max|row| is
// accepted as rounding and otherwise ignored: for N divisible by 4 only
// row[0..N/2] enters the transform. Negative eigenvalues are returned as
// they are. It panics if row is empty or holds NaN or ±Inf.
//
// For N divisible by 4 the symmetry is used to halve the work: the even
// wavenumbers are the spectrum of the folded row row[j] + row[j+N/2]
// (length N/2, recursively), and the odd ones a quarter-wave cosine
// transform (DCT-III) of row[j] − row[j+N/2], j < N/4; each level reads
// and writes only the independent halves (j ≤ N/4 of the folded row,
// k ≤ N/2 of the spectrum). The DCT-III of even length N/4 is one complex
// FFT of length N/8 (dct3: Stockham, radices 4, 2, 3, 5, twiddles with
// exact phase reduction); of odd length, gonum's FFTPACK cosqf. From
// N = 16384 on the two halves run concurrently when GOMAXPROCS > 1, with
// the same arithmetic, so the result does not depend on the core count.
// Other N use one real FFT of length N (gonum dsp/fourier). (A type-I DCT
// of row[0..N/2] would need one real FFT of length N/2 only, but FFTPACK's
// algorithm for it, gonum's fourier.DCT, loses accuracy as N grows:
// 5·10⁻⁸ relative at N = 10⁶, against 10⁻¹⁵ here.) Plans are made once
// per length, kept for the 64 most recently used lengths, and safe for
// concurrent use.
func CirculantEigenvalues(dst, row []float64) []float64 {
	n := len(row)
	if n == 0 {
		panic("spectral: empty circulant row")
	}
	if dst == nil {
		dst = make([]float64, n)
	}
	if len(dst) != n {
		panic("spectral: destination length mismatch")
	}
	checkSymmetric(row)
	circulantInto(dst, row)
	return dst
}

// circulantInto writes the spectrum of the symmetric circulant row into
// dst, len(dst) == len(row).
func circulantInto(dst, row []float64) {
	circulantFull(dst, row, runtime.GOMAXPROCS(0) > 1)
}

// circulantFull is circulantInto, running the two halves of large splits
// concurrently if conc is set.
func circulantFull(dst, row []float64, conc bool) {
	n := len(row)
	if n%4 != 0 || n < splitMin {
		// One real FFT of the row as given: the real part of its DFT is
		// the DFT of its even part, the symmetric circulant spectrum; the
		// imaginary part is rounding.
		w := getCircWork(n)
		c := w.fft.Coefficients(w.coeff, row)
		for k := 0; k <= n/2; k++ {
			dst[k] = real(c[k])
		}
		putCircWork(n, w)
	} else {
		circulantHalf(dst[:n/2+1], row[:n/2+1], n, conc)
	}
	for k := n/2 + 1; k < n; k++ {
		dst[k] = dst[n-k]
	}
}

// circulantHalf writes λ_0..λ_{n/2} of the symmetric circulant of length
// n whose first row begins with half = row[0..n/2] into dst, len(dst) =
// len(half) = n/2+1. dst may be half itself: every level reads its input
// before it writes.
func circulantHalf(dst, half []float64, n int, conc bool) {
	w := getCircWork(n)
	defer putCircWork(n, w)

	if w.fft != nil {
		full := w.full
		copy(full, half)
		for r := n/2 + 1; r < n; r++ {
			full[r] = half[n-r]
		}
		c := w.fft.Coefficients(w.coeff, full)
		for k := range dst {
			dst[k] = real(c[k])
		}
		return
	}

	// Split by parity of the wavenumber, with n = 2h, h = 2h':
	//  λ_2m   = Σ_{j<h} (c_j + c_{j+h}) cos(2πmj/h),
	//  λ_2m+1 = Σ_{j<h} (c_j − c_{j+h}) cos(π(2m+1)j/h)
	//         = d_0 + 2 Σ_{0<j<h'} d_j cos(π(2m+1)j/(2h')),
	// using d_{h−j} = −d_j and d_{h'} cos(π(2m+1)/2) = 0; the last line
	// is FFTPACK's cosqf (DCT-III) of d_0..d_{h'−1}. For j ≤ h',
	// c_{j+h} = c_{n−j−h} = c_{h−j}, so only c_0..c_h are read, and the
	// folded row f_j = c_j + c_{h−j} is symmetric in turn (f_j = f_{h−j}),
	// given by f_0..f_{h'}.
	h := n / 2
	q := h / 2
	f, d := w.f[:q+1], w.h[:q]
	lo, hi := half[:q+1], half[q:h+1]
	for j := range q {
		x, y := lo[j], hi[q-j]
		f[j] = x + y
		d[j] = x - y
	}
	f[q] = 2 * lo[q]

	odd := func() {
		// Odd wavenumbers λ_2m+1, m < h' (2m+1 < n/2).
		if w.dct != nil {
			w.dct.transform(dst[1:], 2, d, w.z, w.y)
			return
		}
		v := w.cosq.CosCoefficients(d, d)
		for m, x := range v {
			dst[2*m+1] = x
		}
	}
	var wg sync.WaitGroup
	if conc && n >= parallelMin {
		wg.Go(odd)
	} else {
		odd()
	}

	// Even wavenumbers λ_2m, m ≤ h', through the folded row's own half
	// spectrum (reusing f as the destination).
	circulantHalf(f, f, h, conc)
	for m, v := range f {
		dst[2*m] = v
	}
	wg.Wait()
}

// checkSymmetric panics if row holds NaN or ±Inf, or row[r] and row[N−r]
// differ by more than symTol relative to max|row|. It reads row once.
func checkSymmetric(row []float64) {
	n := len(row)
	// The bits of |x| order non-negative floats as unsigned integers, with
	// +Inf and then NaN above every finite value, so integer maxima of
	// the bits give max|row| and max|row[r] − row[N−r]|, and a non-finite
	// entry shows in the first. Two independent sets of maxima shorten
	// the dependency chains.
	const abs = 1<<63 - 1
	const inf = 0x7ff << 52
	scale0, scale1 := math.Float64bits(row[0])&abs, uint64(0)
	var asym0, asym1 uint64
	lo, hi := row[1:n/2+1], row[n-n/2:]
	m := len(lo)
	hi = hi[:m]
	r := 0
	for ; r+1 < m; r += 2 {
		x0, y0 := lo[r], hi[m-1-r]
		x1, y1 := lo[r+1], hi[m-2-r]
		scale0 = max(scale0, math.Float64bits(x0)&abs, math.Float64bits(y0)&abs)
		scale1 = max(scale1, math.Float64bits(x1)&abs, math.Float64bits(y1)&abs)
		asym0 = max(asym0, math.Float64bits(x0-y0)&abs)
		asym1 = max(asym1, math.Float64bits(x1-y1)&abs)
	}
	if r < m {
		x, y := lo[r], hi[m-1-r]
		scale0 = max(scale0, math.Float64bits(x)&abs, math.Float64bits(y)&abs)
		asym0 = max(asym0, math.Float64bits(x-y)&abs)
	}
	if max(scale0, scale1) >= inf {
		panic("spectral: circulant row has non-finite entries")
	}
	scale := math.Float64frombits(max(scale0, scale1))
	asym := math.Float64frombits(max(asym0, asym1))
	if tol := symTol * scale; asym > tol {
		for r := 1; r <= n/2; r++ {
			if d := row[r] - row[n-r]; math.Abs(d) > tol {
				panic(fmt.Sprintf("spectral: circulant row not symmetric: row[%d] − row[%d] = %g", r, n-r, d))
			}
		}
	}
}

// FourierMode writes the real orthonormal Fourier basis vector k of length
// len(dst) (see the package doc for the index convention) and returns dst.
//
// With N = len(dst) and q_k = 2πk/N (THEORY.md §1.4):
//
//	k = 0:             1/√N
//	0 < k < N/2:       √(2/N) cos(q_k i)
//	k = N/2 (N even):  (−1)^i/√N
//	N/2 < k < N:       √(2/N) sin(q_{N−k} i)
//
// The phase k·i is reduced modulo N in integers before the trigonometric
// call, so entries are accurate to rounding for any N. It panics if dst is
// empty or k is outside [0, N).
func FourierMode(dst []float64, k int) []float64 {
	n := len(dst)
	if n == 0 {
		panic("spectral: empty Fourier mode")
	}
	if k < 0 || k >= n {
		panic(fmt.Sprintf("spectral: Fourier index %d out of range [0,%d)", k, n))
	}
	for i := range dst {
		dst[i] = fourierEntry(n, k, i)
	}
	return dst
}

// fourierEntry returns component i of FourierMode k of length n.
func fourierEntry(n, k, i int) float64 {
	switch {
	case k == 0:
		return 1 / math.Sqrt(float64(n))
	case 2*k == n:
		if i%2 == 1 {
			return -1 / math.Sqrt(float64(n))
		}
		return 1 / math.Sqrt(float64(n))
	case 2*k < n:
		return math.Sqrt(2/float64(n)) * cosTwoPi(k*i%n, n)
	default:
		return math.Sqrt(2/float64(n)) * sinTwoPi((n-k)*i%n, n)
	}
}

// cosTwoPi returns cos(2πm/n) for 0 ≤ m < n.
func cosTwoPi(m, n int) float64 {
	_, c := sinCosTwoPi(m, n)
	return c
}

// sinTwoPi returns sin(2πm/n) for 0 ≤ m < n.
func sinTwoPi(m, n int) float64 {
	s, _ := sinCosTwoPi(m, n)
	return s
}

// sinCosTwoPi returns sin and cos of 2πm/n for 0 ≤ m < n. The angle is
// reduced with exact integer arithmetic to [0, π/4] (on the scale 8m/n),
// so symmetric entries such as cos(2πm/n) and cos(2π(n−m)/n) come out
// identical and exact zeros are exact.
func sinCosTwoPi(m, n int) (sin, cos float64) {
	// Work with the angle as the fraction 8m/n of π/4: octant o = ⌊8m/n⌋.
	m8 := 8 * m
	o := m8 / n
	r := m8 - o*n // remainder in [0, n): angle within octant = (π/4)·r/n
	// Reflect odd octants so the reduced angle is measured from the near
	// multiple of π/4 of even index: t = (π/4)·a/n with a in [0, n].
	a := r
	if o%2 == 1 {
		a = n - r
	}
	t := math.Pi / 4 * float64(a) / float64(n)
	st, ct := math.Sincos(t)
	// Map back by octant: angle = oπ/4 + (π/4)r/n.
	switch o {
	case 0: // θ = t
		return st, ct
	case 1: // θ = π/2 − t
		return ct, st
	case 2: // θ = π/2 + t
		return ct, -st
	case 3: // θ = π − t
		return st, -ct
	case 4: // θ = π + t
		return -st, -ct
	case 5: // θ = 3π/2 − t
		return -ct, -st
	case 6: // θ = 3π/2 + t
		return -ct, st
	default: // θ = 2π − t
		return -st, ct
	}
}

// FourierBasis returns the N×N orthogonal matrix whose column k is
// FourierMode(k). It panics if n < 1.
func FourierBasis(n int) *mat.Dense {
	if n < 1 {
		panic(fmt.Sprintf("spectral: invalid basis size %d", n))
	}

	// Tables of cos and sin of 2πm/n for every residue m.
	cs := make([]float64, n)
	sn := make([]float64, n)
	for m := range cs {
		sn[m], cs[m] = sinCosTwoPi(m, n)
	}

	data := make([]float64, n*n)
	c0 := 1 / math.Sqrt(float64(n))
	c1 := math.Sqrt(2 / float64(n))
	for i := range n {
		rowI := data[i*n : (i+1)*n]
		for k := range rowI {
			switch {
			case k == 0:
				rowI[k] = c0
			case 2*k == n:
				rowI[k] = c0 * cs[k*i%n]
			case 2*k < n:
				rowI[k] = c1 * cs[k*i%n]
			default:
				rowI[k] = c1 * sn[(n-k)*i%n]
			}
		}
	}
	return mat.NewDense(n, n, data)
}

// IsingSpectrum writes the exact finite-N eigenvalues of the Ising-ring
// correlation matrix (THEORY.md §2.2),
//
//	λ_k = (1−ρ^N)/(1+ρ^N) · (1−ρ²)/(1 − 2ρ cos q_k + ρ²),   ρ = tanh β,
//
// for k = 0..N-1 into dst and returns it.
//
// The evaluation avoids cancellation for any β ≥ 0 and N. With u = e^(−2β),
// the infinite-ring factor is rewritten exactly as
//
//	(1−ρ²)/(1 − 2ρ cos q + ρ²) = u / (u² + (1−u²) sin²(q/2)),
//
// which lies in [e^(−2β), e^(2β)], and the finite-N factor as
// (1−ρ^N)/(1+ρ^N) = tanh((N/2) ln coth β), with ln coth β = 2 artanh(u)
// at large β, so that ρ^N is never formed as a power of a rounded ρ.
// At β = 0 every λ_k is 1; Σ_k λ_k = N. A nil dst is allocated; a dst of
// another length than m.N panics, as does m.N < 1 or β negative or not
// finite.
func IsingSpectrum(dst []float64, m ring.Ising) []float64 {
	n := m.N
	if n < 1 || !(m.Beta >= 0) || math.IsInf(m.Beta, 1) {
		panic(fmt.Sprintf("spectral: invalid Ising ring N=%d β=%g", m.N, m.Beta))
	}
	if dst == nil {
		dst = make([]float64, n)
	}
	if len(dst) != n {
		panic("spectral: destination length mismatch")
	}

	// u = e^(−2β) and v = 1 − u² = −expm1(−4β), both without cancellation.
	u := math.Exp(-2 * m.Beta)
	v := -math.Expm1(-4 * m.Beta)
	finite := isingFiniteFactor(n, m.Beta)
	if n%2 == 0 {
		// sin(π(N/2−k)/N) = cos(πk/N): one Sincos serves k and N/2−k.
		h := n / 2
		for k := 0; 2*k <= h; k++ {
			s, c := math.Sincos(math.Pi * float64(k) / float64(n))
			dst[k] = finite * isingBand(u, v, s*s)
			dst[h-k] = finite * isingBand(u, v, c*c)
		}
	} else {
		for k := 0; k <= n/2; k++ {
			s := math.Sin(math.Pi * float64(k) / float64(n))
			dst[k] = finite * isingBand(u, v, s*s)
		}
	}
	// λ_0 = tanh(N artanh u)/u → N(1 − (Nu)²/3 + …) when Nu ≪ 1, where
	// u = e^(−2β) underflows (β ≳ 372) or leaves only subnormal digits;
	// the general form would give 0/0.
	if float64(n)*u < 1e-8 {
		dst[0] = float64(n)
	}
	for k := n/2 + 1; k < n; k++ {
		dst[k] = dst[n-k]
	}
	return dst
}

// isingBand returns the infinite-ring eigenvalue λ(q) of THEORY.md §2.2 in
// the form u/(u² + v sin²(q/2)) with u = e^(−2β), v = 1 − u² and
// s2 = sin²(q/2).
func isingBand(u, v, s2 float64) float64 {
	return u / (u*u + v*s2)
}

// isingLambda returns the infinite-ring eigenvalue
//
//	λ(q) = (1−ρ²)/(1 − 2ρ cos q + ρ²),   ρ = tanh β,
//
// of THEORY.md §2.2, evaluated as isingBand.
func isingLambda(beta, q float64) float64 {
	s := math.Sin(q / 2)
	return isingBand(math.Exp(-2*beta), -math.Expm1(-4*beta), s*s)
}

// isingFiniteFactor returns (1−ρ^N)/(1+ρ^N) = tanh((N/2)·ln coth β),
// ρ = tanh β, that is ρ^N taken as exp(N ln ρ). ln coth β is computed as
// −ln tanh β for β < 1 and as 2 artanh(e^(−2β)) for β ≥ 1, each free of
// cancellation in its range. It is 1 at β = 0.
func isingFiniteFactor(n int, beta float64) float64 {
	if beta == 0 {
		return 1
	}
	var lnCoth float64
	if beta < 1 {
		lnCoth = -math.Log(math.Tanh(beta))
	} else {
		lnCoth = 2 * math.Atanh(math.Exp(-2*beta))
	}
	return math.Tanh(0.5 * float64(n) * lnCoth)
}

package spectral

import "math"

// cfft is a plan for the unnormalised complex DFT of length n,
//
//	X_k = Σ_{j<n} x_j e^(σ 2πi jk/n),   σ = ±1,
//
// by the Stockham autosort algorithm (decimation in frequency, one pass
// per prime-power factor, no bit reversal) with radix-4, 2, 3 and 5
// butterflies and a direct O(r²) butterfly for other prime factors r. The
// twiddle factors are tabulated with exact integer reduction of the phase
// (sinCosTwoPi), so they are correctly rounded to within an ulp; the
// transform's error grows like log n. A plan is read-only in use.
type cfft struct {
	n      int
	sign   float64
	stages []cfftStage
}

// cfftStage is one pass of radix r over sub-transforms of length r·m
// interleaved with stride s: tw[p·(r−1) + k−1] = e^(σ 2πi pk/(r·m)).
type cfftStage struct {
	r, m, s int
	tw      []complex128
	// rot[k] = e^(σ 2πi k/r) for the generic butterfly.
	rot []complex128
}

// newCFFT returns the plan of length n ≥ 1 and direction sign (+1 or −1).
func newCFFT(n int, sign float64) *cfft {
	p := &cfft{n: n, sign: sign}
	var radices []int
	rest := n
	for rest%4 == 0 {
		radices = append(radices, 4)
		rest /= 4
	}
	for _, f := range []int{2, 3, 5} {
		for rest%f == 0 {
			radices = append(radices, f)
			rest /= f
		}
	}
	for f := 7; rest > 1; f += 2 {
		for rest%f == 0 {
			radices = append(radices, f)
			rest /= f
		}
	}
	l, s := n, 1
	for _, r := range radices {
		m := l / r
		st := cfftStage{r: r, m: m, s: s, tw: make([]complex128, m*(r-1))}
		for q := range m {
			for k := 1; k < r; k++ {
				sn, cs := sinCosTwoPi(q*k%l, l)
				st.tw[q*(r-1)+k-1] = complex(cs, sign*sn)
			}
		}
		if r > 5 {
			st.rot = make([]complex128, r)
			for k := range r {
				sn, cs := sinCosTwoPi(k, r)
				st.rot[k] = complex(cs, sign*sn)
			}
		}
		p.stages = append(p.stages, st)
		l, s = m, s*r
	}
	return p
}

// transform computes the DFT of x, using work (of the same length n) as
// the second buffer; both are overwritten, and the result is returned (it
// is one of them).
func (p *cfft) transform(x, work []complex128) []complex128 {
	if len(x) != p.n || len(work) != p.n {
		panic("spectral: fft length mismatch")
	}
	for i := range p.stages {
		st := &p.stages[i]
		switch st.r {
		case 4:
			p.radix4(st, x, work)
		case 2:
			radix2(st, x, work)
		case 3:
			p.radix3(st, x, work)
		case 5:
			p.radix5(st, x, work)
		default:
			radixGeneric(st, x, work)
		}
		x, work = work, x
	}
	return x
}

// mulI returns i·z.
func mulI(z complex128) complex128 { return complex(-imag(z), real(z)) }

func radix2(st *cfftStage, x, y []complex128) {
	m, s := st.m, st.s
	for q := range m {
		w := st.tw[q]
		xa := x[s*q : s*q+s]
		xb := x[s*(q+m) : s*(q+m)+s]
		y0 := y[s*2*q : s*2*q+s]
		y1 := y[s*(2*q+1) : s*(2*q+1)+s]
		for j := range xa {
			a, b := xa[j], xb[j]
			y0[j] = a + b
			y1[j] = (a - b) * w
		}
	}
}

func (p *cfft) radix4(st *cfftStage, x, y []complex128) {
	m, s := st.m, st.s
	neg := p.sign < 0
	for q := range m {
		tw := st.tw[3*q : 3*q+3]
		w1, w2, w3 := tw[0], tw[1], tw[2]
		x0 := x[s*q : s*q+s]
		x1 := x[s*(q+m) : s*(q+m)+s]
		x2 := x[s*(q+2*m) : s*(q+2*m)+s]
		x3 := x[s*(q+3*m) : s*(q+3*m)+s]
		o := s * 4 * q
		y0 := y[o : o+s]
		y1 := y[o+s : o+2*s]
		y2 := y[o+2*s : o+3*s]
		y3 := y[o+3*s : o+4*s]
		for j := range x0 {
			a0, a1, a2, a3 := x0[j], x1[j], x2[j], x3[j]
			s02, d02 := a0+a2, a0-a2
			s13, d13 := a1+a3, mulI(a1-a3)
			if neg {
				d13 = -d13
			}
			y0[j] = s02 + s13
			y1[j] = (d02 + d13) * w1
			y2[j] = (s02 - s13) * w2
			y3[j] = (d02 - d13) * w3
		}
	}
}

func (p *cfft) radix3(st *cfftStage, x, y []complex128) {
	m, s := st.m, st.s
	h := complex(0, p.sign*math.Sqrt(3)/2) // σ i sin(2π/3)
	for q := range m {
		w1, w2 := st.tw[2*q], st.tw[2*q+1]
		x0 := x[s*q : s*q+s]
		x1 := x[s*(q+m) : s*(q+m)+s]
		x2 := x[s*(q+2*m) : s*(q+2*m)+s]
		o := s * 3 * q
		y0 := y[o : o+s]
		y1 := y[o+s : o+2*s]
		y2 := y[o+2*s : o+3*s]
		for j := range x0 {
			a0, a1, a2 := x0[j], x1[j], x2[j]
			t := a1 + a2
			u := a0 - 0.5*t
			v := h * (a1 - a2)
			y0[j] = a0 + t
			y1[j] = (u + v) * w1
			y2[j] = (u - v) * w2
		}
	}
}

// Radix-5 constants: cos and sin of 2π/5 and 4π/5.
var (
	c51, s51 = math.Cos(2 * math.Pi / 5), math.Sin(2 * math.Pi / 5)
	c52, s52 = math.Cos(4 * math.Pi / 5), math.Sin(4 * math.Pi / 5)
)

func (p *cfft) radix5(st *cfftStage, x, y []complex128) {
	m, s := st.m, st.s
	sg := p.sign
	ss1, ss2 := sg*s51, sg*s52
	for q := range m {
		tw := st.tw[4*q : 4*q+4]
		w1, w2, w3, w4 := tw[0], tw[1], tw[2], tw[3]
		x0 := x[s*q : s*q+s]
		x1 := x[s*(q+m) : s*(q+m)+s]
		x2 := x[s*(q+2*m) : s*(q+2*m)+s]
		x3 := x[s*(q+3*m) : s*(q+3*m)+s]
		x4 := x[s*(q+4*m) : s*(q+4*m)+s]
		o := s * 5 * q
		y0 := y[o : o+s]
		y1 := y[o+s : o+2*s]
		y2 := y[o+2*s : o+3*s]
		y3 := y[o+3*s : o+4*s]
		y4 := y[o+4*s : o+5*s]
		for j := range x0 {
			a0, a1, a2, a3, a4 := x0[j], x1[j], x2[j], x3[j], x4[j]
			// b_k = Σ_j a_j e^(σ2πijk/5): the cosines act on the sums
			// t1 = a1+a4, t2 = a2+a3, the sines on the differences
			// t3 = a1−a4, t4 = a2−a3; written in real arithmetic, since
			// a complex product with a real constant costs a full one.
			t1r, t1i := real(a1)+real(a4), imag(a1)+imag(a4)
			t2r, t2i := real(a2)+real(a3), imag(a2)+imag(a3)
			t3r, t3i := real(a1)-real(a4), imag(a1)-imag(a4)
			t4r, t4i := real(a2)-real(a3), imag(a2)-imag(a3)
			a0r, a0i := real(a0), imag(a0)
			u1r, u1i := a0r+c51*t1r+c52*t2r, a0i+c51*t1i+c52*t2i
			u2r, u2i := a0r+c52*t1r+c51*t2r, a0i+c52*t1i+c51*t2i
			// v = i·(σ s · t): (re, im) = (−im, re) of the real combination.
			v1r, v1i := -(ss1*t3i + ss2*t4i), ss1*t3r+ss2*t4r
			v2r, v2i := -(ss2*t3i - ss1*t4i), ss2*t3r-ss1*t4r
			y0[j] = complex(a0r+t1r+t2r, a0i+t1i+t2i)
			y1[j] = complex(u1r+v1r, u1i+v1i) * w1
			y2[j] = complex(u2r+v2r, u2i+v2i) * w2
			y3[j] = complex(u2r-v2r, u2i-v2i) * w3
			y4[j] = complex(u1r-v1r, u1i-v1i) * w4
		}
	}
}

func radixGeneric(st *cfftStage, x, y []complex128) {
	r, m, s := st.r, st.m, st.s
	a := make([]complex128, r)
	for q := range m {
		for j := range s {
			for i := range r {
				a[i] = x[s*(q+i*m)+j]
			}
			for k := range r {
				var b complex128
				for i := range r {
					b += a[i] * st.rot[i*k%r]
				}
				if k > 0 {
					b *= st.tw[q*(r-1)+k-1]
				}
				y[s*(r*q+k)+j] = b
			}
		}
	}
}

// dct3 is a plan for the quarter-wave cosine transform of even length m
// (FFTPACK's cosqf, a type-III DCT),
//
//	y_k = d_0 + 2 Σ_{0<j<m} d_j cos(π(2k+1)j/(2m)),   k < m,
//
// by one complex FFT of length m/2 (Makhoul 1980, run backwards): with
// d_m = 0 and t_k = e^(iπk/(2m)), V_k = t_k (d_k − i d_{m−k}) is
// Hermitian, its inverse DFT v_n = Σ_k V_k e^(2πikn/m) is real, and
// y_2n = v_n, y_2n+1 = v_{m−1−n}; the real inverse DFT of length m is in
// turn one complex inverse DFT of length m/2 of
// Z_k = (V_k + V_{k+m/2}) + i e^(2πik/m) (V_k − V_{k+m/2}), whose output
// z_p = v_2p + i v_2p+1. The two steps share one table each for V_k and
// V_{k+m/2}: Z_k = α_k (d_k − i d_{m−k}) + β_k (d_{k+m/2} − i d_{m/2−k})
// with α_k = t_k (1 + i e^(2πik/m)), β_k = t_{k+m/2} (1 − i e^(2πik/m)).
type dct3 struct {
	m           int
	alpha, beta []complex128 // k < m/2
	fft         *cfft
}

func newDCT3(m int) *dct3 {
	if m%2 != 0 || m < 2 {
		panic("spectral: dct3 length must be even")
	}
	h := m / 2
	p := &dct3{m: m, alpha: make([]complex128, h), beta: make([]complex128, h), fft: newCFFT(h, 1)}
	for k := range h {
		sn, cs := sinCosTwoPi(k, m)
		iw := complex(-sn, cs)
		sn, cs = sinCosTwoPi(k, 4*m)
		ta := complex(cs, sn)
		sn, cs = sinCosTwoPi(k+h, 4*m)
		tb := complex(cs, sn)
		p.alpha[k] = ta * (1 + iw)
		p.beta[k] = tb * (1 - iw)
	}
	return p
}

// transform writes y_k of d into dst[stride·k], k < m, using z and work,
// of length m/2, as scratch. dst may overlap d.
func (p *dct3) transform(dst []float64, stride int, d []float64, z, work []complex128) {
	m, h := p.m, p.m/2
	if len(d) != m || len(z) != h || len(work) != h || len(dst) < stride*(m-1)+1 {
		panic("spectral: dct3 length mismatch")
	}
	alpha, beta := p.alpha[:h], p.beta[:h]
	lo, hi := d[:h], d[h:]
	z = z[:h]
	// k = 0: d_m = 0 and d_{m/2} = hi[0].
	z[0] = alpha[0]*complex(lo[0], 0) + beta[0]*complex(hi[0], -hi[0])
	for k := 1; k < h; k++ {
		// d_{m−k} = hi[h−k] and d_{m/2−k} = lo[h−k].
		z[k] = alpha[k]*complex(lo[k], -hi[h-k]) + beta[k]*complex(hi[k], -lo[h-k])
	}
	v := p.fft.transform(z, work)
	// y_2n = v_n and y_2n+1 = v_{m−1−n}, n < h, with v_2p = Re z_p and
	// v_2p+1 = Im z_p; for n = 2p and 2p+1 the partner index (m−1−n)/2
	// rounds to h−1−p.
	for pi := 0; 2*pi < h; pi++ {
		c, e := v[pi], v[h-1-pi]
		dst[stride*4*pi] = real(c)
		dst[stride*(4*pi+1)] = imag(e)
		if 2*pi+1 < h {
			dst[stride*(4*pi+2)] = imag(c)
			dst[stride*(4*pi+3)] = real(e)
		}
	}
}

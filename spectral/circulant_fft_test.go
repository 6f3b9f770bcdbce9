package spectral

import (
	"fmt"
	"math"
	"math/cmplx"
	"testing"

	"placecell/internal/rng"

	"gonum.org/v1/gonum/dsp/fourier"
)

// directDFT returns X_k = Σ_j x_j e^(σ2πijk/n) by the O(n²) sum, with the
// phase jk reduced modulo n in integers: the reference for cfft.
func directDFT(x []complex128, sign float64) []complex128 {
	n := len(x)
	out := make([]complex128, n)
	for k := range out {
		var sum complex128
		for j, v := range x {
			sn, cs := math.Sincos(2 * math.Pi * float64(j*k%n) / float64(n))
			sum += v * complex(cs, sign*sn)
		}
		out[k] = sum
	}
	return out
}

func TestCFFTMatchesDirectDFT(t *testing.T) {
	t.Parallel()
	// Every radix (4, 2, 3, 5, generic 7, 11, 13) alone and mixed, both
	// directions, against the direct sum; rounding of the direct sum and
	// of the FFT is a few 1e-16·Σ|x|.
	rnd := rng.New(1, "spectral/cfft", 0)
	for _, n := range []int{1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 15, 16, 20, 25, 30, 32,
		49, 60, 64, 77, 100, 125, 128, 143, 250, 1000, 1024} {
		for _, sign := range []float64{1, -1} {
			x := make([]complex128, n)
			var norm float64
			for i := range x {
				x[i] = complex(rnd.NormFloat64(), rnd.NormFloat64())
				norm += cmplx.Abs(x[i])
			}
			want := directDFT(x, sign)
			in := append([]complex128(nil), x...)
			got := newCFFT(n, sign).transform(in, make([]complex128, n))
			for k := range got {
				if d := cmplx.Abs(got[k] - want[k]); d > 1e-14*norm {
					t.Errorf("cfft(n=%d, σ=%g)[%d] = %v, want %v", n, sign, k, got[k], want[k])
					break
				}
			}
		}
	}
}

func TestCFFTRoundTrip(t *testing.T) {
	t.Parallel()
	// The inverse of the forward transform is n·x (DFT orthogonality), at
	// sizes beyond the direct sum's reach, including the N = 10⁶ ring's
	// 125000 = 2³·5⁶.
	rnd := rng.New(1, "spectral/cfft", 1)
	for _, n := range []int{4096, 3 * 5 * 7 * 11, 125000} {
		x := make([]complex128, n)
		for i := range x {
			x[i] = complex(rnd.NormFloat64(), rnd.NormFloat64())
		}
		y := append([]complex128(nil), x...)
		y = newCFFT(n, -1).transform(y, make([]complex128, n))
		y = newCFFT(n, 1).transform(y, make([]complex128, n))
		var worst float64
		for i := range x {
			worst = max(worst, cmplx.Abs(y[i]/complex(float64(n), 0)-x[i]))
		}
		if worst > 1e-13 {
			t.Errorf("n = %d: max |IDFT(DFT(x))/n − x| = %g, want ≤ 1e-13", n, worst)
		}
	}
}

// directDCT3 returns y_k = d_0 + 2 Σ_{0<j<m} d_j cos(π(2k+1)j/(2m)) by the
// O(m²) sum with the phase (2k+1)j reduced modulo 4m in integers.
func directDCT3(d []float64) []float64 {
	m := len(d)
	out := make([]float64, m)
	for k := range out {
		sum := d[0]
		for j := 1; j < m; j++ {
			sum += 2 * d[j] * math.Cos(2*math.Pi*float64((2*k+1)*j%(4*m))/float64(4*m))
		}
		out[k] = sum
	}
	return out
}

func TestDCT3(t *testing.T) {
	t.Parallel()
	// Against the direct sum and against gonum's FFTPACK quarter-wave
	// transform (an independent algorithm, the one dct3 replaces in
	// circulantHalf), with the output strided as circulantHalf uses it.
	rnd := rng.New(1, "spectral/dct3", 0)
	for _, m := range []int{2, 4, 6, 8, 10, 12, 50, 64, 100, 250, 1000, 1250} {
		t.Run(fmt.Sprintf("m=%d", m), func(t *testing.T) {
			d := make([]float64, m)
			var norm float64
			for i := range d {
				d[i] = rnd.NormFloat64()
				norm += 2 * math.Abs(d[i])
			}
			want := directDCT3(d)
			fftpack := fourier.NewQuarterWaveFFT(m).CosCoefficients(nil, d)
			p := newDCT3(m)
			out := make([]float64, 2*m)
			for i := range out {
				out[i] = math.NaN()
			}
			in := append([]float64(nil), d...)
			p.transform(out, 2, in, make([]complex128, m/2), make([]complex128, m/2))
			for k := range m {
				got := out[2*k]
				if math.Abs(got-want[k]) > 1e-14*norm || math.Abs(got-fftpack[k]) > 1e-14*norm {
					t.Errorf("dct3[%d] = %.16g, want %.16g (direct), %.16g (FFTPACK)", k, got, want[k], fftpack[k])
					break
				}
				if !math.IsNaN(out[2*k+1]) {
					t.Errorf("dct3 wrote out[%d] between strided outputs", 2*k+1)
				}
			}
		})
	}
}

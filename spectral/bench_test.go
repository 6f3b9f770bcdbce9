package spectral

import (
	"fmt"
	"math/rand/v2"
	"testing"
	"time"

	"placecell/internal/rng"
	"placecell/ring"

	"gonum.org/v1/gonum/mat"
)

// fastUniformSpins is uniformSpins drawing 64 spins per random word, for
// the large benchmark data sets.
func fastUniformSpins(n, s int, rnd *rand.Rand) *ring.Spins {
	d := ring.NewSpins(n, s)
	row := make([]int8, n)
	for t := range s {
		var w uint64
		for i := range row {
			if i%64 == 0 {
				w = rnd.Uint64()
			}
			row[i] = int8(2*(w&1)) - 1
			w >>= 1
		}
		d.SetRow(t, row)
	}
	return d
}

// reportCPU adds the metric cpu-ns/op, the processor time of all threads
// per operation since start (a CPU time from cpuTime), which on a loaded
// machine is steadier than the wall time ns/op.
func reportCPU(b *testing.B, start time.Duration, ok bool) {
	if end, ok2 := cpuTime(); ok && ok2 {
		b.ReportMetric(float64(end-start)/float64(b.N), "cpu-ns/op")
	}
}

// BenchmarkCirculant times CirculantEigenvalues on an Ising row at β = 0.5
// (split path for N divisible by 4, halves concurrent from N = 16384);
// /work/bench/fft_numpy.py times numpy's rfft and scipy's type-I DCT on
// the same rows. Lengths with a large prime factor p are far slower
// (FFTPACK's generic radix costs O(N·p)).
func BenchmarkCirculant(b *testing.B) {
	for _, n := range []int{100, 1000, 10000, 100000, 1000000} {
		row := isingRow(n, 0.5)
		dst := make([]float64, n)
		b.Run(fmt.Sprintf("N=%d", n), func(b *testing.B) {
			c0, ok := cpuTime()
			for b.Loop() {
				CirculantEigenvalues(dst, row)
			}
			reportCPU(b, c0, ok)
		})
	}
}

func BenchmarkIsingSpectrum(b *testing.B) {
	for _, n := range []int{100, 10000, 1000000} {
		dst := make([]float64, n)
		b.Run(fmt.Sprintf("N=%d", n), func(b *testing.B) {
			for b.Loop() {
				IsingSpectrum(dst, ring.Ising{N: n, Beta: 0.5})
			}
		})
	}
}

// BenchmarkDenseEigen is the dense alternative to BenchmarkCirculant:
// eigenvalues only of the full circulant matrix by mat.EigenSym.
func BenchmarkDenseEigen(b *testing.B) {
	for _, n := range []int{100, 300, 1000} {
		c := circulantMatrix(isingRow(n, 0.5))
		b.Run(fmt.Sprintf("N=%d", n), func(b *testing.B) {
			for b.Loop() {
				var es mat.EigenSym
				if !es.Factorize(c, false) {
					b.Fatal("factorisation failed")
				}
			}
		})
	}
}

func BenchmarkCorrelation(b *testing.B) {
	for _, size := range []struct{ s, n int }{{10000, 100}, {100000, 1000}} {
		d := fastUniformSpins(size.n, size.s, rng.New(1, "spectral/bench", 0))
		b.Run(fmt.Sprintf("S=%d/N=%d", size.s, size.n), func(b *testing.B) {
			c0, ok := cpuTime()
			for b.Loop() {
				Correlation(d)
			}
			reportCPU(b, c0, ok)
		})
	}
}

// BenchmarkTopEigen finds the top 2 eigenpairs of the empirical correlation
// matrix of S = 4N i.i.d. spins (γ = 1/4), against the full dense
// decomposition with vectors at N = 1000 (scipy's eigsh and numpy's eigh on
// the same kind of matrix: /work/bench/eig_numpy.py).
func BenchmarkTopEigen(b *testing.B) {
	for _, n := range []int{100, 1000} {
		c := Correlation(fastUniformSpins(n, 4*n, rng.New(1, "spectral/bench", 1)))
		b.Run(fmt.Sprintf("N=%d/k=2", n), func(b *testing.B) {
			var it int
			c0, ok := cpuTime()
			for b.Loop() {
				e, err := TopEigen(c, 2)
				if err != nil {
					b.Fatal(err)
				}
				it = e.Iterations
			}
			reportCPU(b, c0, ok)
			b.ReportMetric(float64(it), "krylov")
		})
		if n == 1000 {
			b.Run(fmt.Sprintf("N=%d/dense", n), func(b *testing.B) {
				c0, ok := cpuTime()
				for b.Loop() {
					var es mat.EigenSym
					if !es.Factorize(c, true) {
						b.Fatal("factorisation failed")
					}
				}
				reportCPU(b, c0, ok)
			})
		}
	}
}

// BenchmarkCorrelationLarge is the S = 10⁶, N = 1000 case: the data take
// 128 MB as packed bits and the transposed columns as much again.
func BenchmarkCorrelationLarge(b *testing.B) {
	d := fastUniformSpins(1000, 1000000, rng.New(1, "spectral/bench", 3))
	b.ReportMetric(float64(d.Bytes())/1e6, "data-MB")
	for b.Loop() {
		Correlation(d)
	}
}

func BenchmarkModelSpectrum(b *testing.B) {
	for _, m := range []ring.Model{
		ring.Ising{N: 1000000, Beta: 0.5},
		ring.XY{N: 100, P: 10, Beta: 1.5},
		ring.XY{N: 10000, P: 10, Beta: 1.5},
		ring.Bump{N: 1000000, Eta: 10},
	} {
		b.Run(ring.Label(m), func(b *testing.B) {
			for b.Loop() {
				ModelSpectrum(m)
			}
		})
	}
}

// BenchmarkSpectrumTools times the random-matrix tools on the exact XY
// spectrum (D = 1000): the right edge x₊, a Silverstein density point and
// a full crossover prediction.
func BenchmarkSpectrumTools(b *testing.B) {
	s := ModelSpectrum(ring.XY{N: 100, P: 10, Beta: 1.5})
	law := s.Law(10000)
	b.Run("RightEdge", func(b *testing.B) {
		for b.Loop() {
			law.RightEdge()
		}
	})
	b.Run("Density", func(b *testing.B) {
		for b.Loop() {
			law.Density(4)
		}
	})
	b.Run("PredictCrossover", func(b *testing.B) {
		for b.Loop() {
			PredictCrossover(s, 10000, s.Top().Modes)
		}
	})
}

// BenchmarkFloatCorrelation times the symmetric rank-S update of general
// float data (the reference: numpy X.T@X/S at S = 10⁵, D = 1000
// and S = 10⁶, D = 100; /work/bench/syrk_numpy.py),
// standard normal entries, SecondMoment and Covariance.
func BenchmarkFloatCorrelation(b *testing.B) {
	for _, size := range []struct{ s, d int }{{10000, 100}, {20000, 1000}, {100000, 1000}, {1000000, 100}} {
		rnd := rng.New(1, "spectral/bench", 4)
		data := make([]float64, size.s*size.d)
		for i := range data {
			data[i] = rnd.NormFloat64()
		}
		x := mat.NewDense(size.s, size.d, data)
		for _, norm := range []ring.Normalisation{ring.SecondMoment, ring.Covariance} {
			if size.s >= 100000 && norm == ring.Covariance {
				continue
			}
			b.Run(fmt.Sprintf("S=%d/D=%d/%v", size.s, size.d, norm), func(b *testing.B) {
				c0, ok := cpuTime()
				for b.Loop() {
					FloatCorrelation(x, norm)
				}
				reportCPU(b, c0, ok)
			})
		}
	}
}

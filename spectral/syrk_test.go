package spectral

import (
	"math"
	"runtime"
	"slices"
	"testing"

	"placecell/internal/rng"
	"placecell/ring"

	"gonum.org/v1/gonum/mat"
)

// naiveFloatCorrelation is the reference for FloatCorrelation: the textbook
// double loop over samples in Neumaier-compensated sums, with the mean
// and standard deviations of the definition (THEORY.md §3.2); under
// Pearson a constant feature has a zero row and column.
func naiveFloatCorrelation(x *mat.Dense, norm ring.Normalisation) [][]float64 {
	s, d := x.Dims()
	sum := func(f func(r int) float64) float64 {
		var t, comp float64
		for r := range s {
			v := f(r)
			u := t + v
			if math.Abs(t) >= math.Abs(v) {
				comp += (t - u) + v
			} else {
				comp += (v - u) + t
			}
			t = u
		}
		return t + comp
	}
	mean := make([]float64, d)
	if norm != ring.SecondMoment {
		for a := range d {
			mean[a] = sum(func(r int) float64 { return x.At(r, a) }) / float64(s)
		}
	}
	c := make([][]float64, d)
	for a := range d {
		c[a] = make([]float64, d)
		for b := range d {
			c[a][b] = sum(func(r int) float64 { return (x.At(r, a) - mean[a]) * (x.At(r, b) - mean[b]) }) / float64(s)
		}
	}
	if norm == ring.Pearson {
		sd := make([]float64, d)
		for a := range d {
			sd[a] = math.Sqrt(c[a][a])
		}
		for a := range d {
			for b := range d {
				if sd[a] == 0 || sd[b] == 0 {
					c[a][b] = 0 // a constant feature: zero row and column
					continue
				}
				c[a][b] /= sd[a] * sd[b]
			}
		}
	}
	return c
}

// TestFloatCorrelationNaive checks FloatCorrelation against the naive
// double loop for shapes that exercise the blocking: D not a multiple of
// the 12-column tile (padding), S spanning several 256-row blocks and a
// partial one, non-zero means (centring), a matrix type other than
// *mat.Dense (element access), and D large enough for the tiles to be
// shared among goroutines; S = 1 makes every feature constant (zero
// covariance and Pearson matrices). Entries agree to 10⁻¹³ relative to
// the diagonal scale.
func TestFloatCorrelationNaive(t *testing.T) {
	t.Parallel()
	rnd := rng.New(1, "spectral/syrk", 0)
	for _, size := range []struct{ s, d int }{{1, 3}, {7, 13}, {1000, 50}, {300, 130}} {
		data := make([]float64, size.s*size.d)
		for i := range data {
			data[i] = 3 + 2*rnd.NormFloat64() + float64(i%size.d)/float64(size.d)
		}
		x := mat.NewDense(size.s, size.d, data)
		for _, norm := range []ring.Normalisation{ring.SecondMoment, ring.Covariance, ring.Pearson} {
			want := naiveFloatCorrelation(x, norm)
			scale := 1.0
			for a := range want {
				scale = math.Max(scale, math.Abs(want[a][a]))
			}
			for name, in := range map[string]mat.Matrix{"dense": x, "transpose": x.T().T()} {
				got := FloatCorrelation(in, norm)
				if n := got.SymmetricDim(); n != size.d {
					t.Fatalf("S=%d D=%d %v %s: dimension %d", size.s, size.d, norm, name, n)
				}
				for a := range size.d {
					for b := range size.d {
						if math.Abs(got.At(a, b)-want[a][b]) > 1e-13*scale {
							t.Fatalf("S=%d D=%d %v %s: entry (%d,%d) = %.16g, want %.16g",
								size.s, size.d, norm, name, a, b, got.At(a, b), want[a][b])
						}
					}
				}
			}
		}
	}
}

// TestFloatCorrelationDeterministic checks that the result does not depend
// on the number of goroutines, to the bit, and that the assembly kernel
// and its Go twin give the same bits (both are FMA chains in the same
// order). Not parallel: it changes GOMAXPROCS and the kernel switch.
func TestFloatCorrelationDeterministic(t *testing.T) {
	rnd := rng.New(2, "spectral/syrk", 0)
	const s, d = 600, 100
	data := make([]float64, s*d)
	for i := range data {
		data[i] = rnd.NormFloat64()
	}
	x := mat.NewDense(s, d, data)
	ref := FloatCorrelation(x, ring.Covariance).RawSymmetric().Data
	prev := runtime.GOMAXPROCS(1)
	one := FloatCorrelation(x, ring.Covariance).RawSymmetric().Data
	runtime.GOMAXPROCS(4)
	four := FloatCorrelation(x, ring.Covariance).RawSymmetric().Data
	runtime.GOMAXPROCS(prev)
	if !slices.Equal(ref, one) || !slices.Equal(ref, four) {
		t.Error("FloatCorrelation differs between 1, 4 and GOMAXPROCS goroutines")
	}
	asm := useAVX2
	useAVX2 = false
	twin := FloatCorrelation(x, ring.Covariance).RawSymmetric().Data
	useAVX2 = asm
	if !slices.Equal(ref, twin) {
		t.Errorf("assembly kernel (in use: %t) and Go twin differ", asm)
	}
}

// TestFloatCorrelationMemory checks that FloatCorrelation neither copies
// the data (S·D values) nor keeps a D×D partial sum per block of rows:
// at S = 20000, D = 200 it allocates less than 4·D² + 2·256·D values,
// the result, the accumulator and one packed block with room to spare,
// where the data alone are 100 D². Not parallel, since the memory
// statistics count every goroutine's allocations.
func TestFloatCorrelationMemory(t *testing.T) {
	const s, d = 20000, 200
	rnd := rng.New(3, "spectral/syrk", 0)
	data := make([]float64, s*d)
	for i := range data {
		data[i] = rnd.NormFloat64()
	}
	x := mat.NewDense(s, d, data)
	runtime.GC()
	var m0, m1 runtime.MemStats
	runtime.ReadMemStats(&m0)
	FloatCorrelation(x, ring.Pearson)
	runtime.ReadMemStats(&m1)
	limit := uint64(8 * (4*d*d + 2*gramRows*d))
	if got := m1.TotalAlloc - m0.TotalAlloc; got > limit {
		t.Errorf("FloatCorrelation(S=%d, D=%d) allocated %d bytes, want < %d", s, d, got, limit)
	}
}

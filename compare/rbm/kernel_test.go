package rbm

import (
	"math"
	"math/rand/v2"
	"slices"
	"testing"
)

// TestKernels checks that the assembly kernels (when the CPU has AVX2 and
// FMA) and the pure-Go kernels give bitwise identical results, for every
// length 1..70 (all block and tail paths), and that both equal the
// definitions written out here: a left-to-right sum of the selected rows,
// and math.FMA per element.
func TestKernels(t *testing.T) {
	r := rand.New(rand.NewPCG(1, 2))
	if !useAsm {
		t.Log("assembly kernels not in use on this CPU; checking the Go kernels only")
	}
	for n := 1; n <= 70; n++ {
		for _, k := range []int{1, 2, 7, 25} {
			tab := make([]float64, (k+3)*n+5)
			for j := range tab {
				tab[j] = r.NormFloat64() * math.Exp(4*r.NormFloat64())
			}
			offs := make([]int32, k)
			for j := range offs {
				offs[j] = int32(r.IntN(len(tab) - n + 1))
			}
			want := make([]float64, n)
			for j := range want {
				s := tab[int(offs[0])+j]
				for _, o := range offs[1:] {
					s += tab[int(o)+j]
				}
				want[j] = s
			}
			got := make([]float64, n)
			sumRows(got, tab, offs)
			goGot := make([]float64, n)
			sumRowsGo(goGot, tab, offs)
			if !slices.Equal(got, want) || !slices.Equal(goGot, want) {
				t.Fatalf("sumRows n=%d k=%d: asm %v, go %v, want %v", n, k, got, goGot, want)
			}
		}
		a := r.NormFloat64()
		x, y := make([]float64, n), make([]float64, n)
		for j := range x {
			x[j], y[j] = r.NormFloat64(), r.NormFloat64()
		}
		want := make([]float64, n)
		for j := range want {
			want[j] = math.FMA(a, x[j], y[j])
		}
		for _, c := range []struct{ m, rows int }{{1, 1}, {3, 5}, {4, 7}, {9, 2}, {13, 10}} {
			am := make([]float64, c.rows*c.m)
			xm := make([]float64, c.rows*n)
			for j := range am {
				am[j] = r.NormFloat64()
			}
			for j := range xm {
				xm[j] = float64(2*r.IntN(2) - 1)
				if j%5 == 0 {
					xm[j] = r.NormFloat64()
				}
			}
			want := make([]float64, c.m*n)
			for mu := range c.m {
				for j := range n {
					var s float64
					for k := range c.rows {
						s = math.FMA(am[k*c.m+mu], xm[k*n+j], s)
					}
					want[mu*n+j] = s
				}
			}
			got := make([]float64, c.m*n)
			goGot := make([]float64, c.m*n)
			for mu0 := 0; mu0 < c.m; mu0 += 5 {
				outerSum(got, c.m, n, am, xm, c.rows, mu0, min(mu0+5, c.m))
			}
			outerSumGo(goGot, c.m, n, am, xm, c.rows, 0, c.m)
			if !slices.Equal(got, want) || !slices.Equal(goGot, want) {
				t.Fatalf("outerSum n=%d m=%d rows=%d: asm %v, go %v, want %v", n, c.m, c.rows, got, goGot, want)
			}
		}
		got, goGot := slices.Clone(y), slices.Clone(y)
		axpy(got, a, x)
		axpyGo(goGot, a, x)
		if !slices.Equal(got, want) || !slices.Equal(goGot, want) {
			t.Fatalf("axpy n=%d: asm %v, go %v, want %v", n, got, goGot, want)
		}
	}
}

// TestBracketKernel checks that the assembly and Go versions of the
// table bracket of the Bernoulli draws agree bit for bit (decisions and
// open draws), on inputs covering the table, its ends, huge values, ±Inf
// and NaN, for layer sizes with partial words.
func TestBracketKernel(t *testing.T) {
	r := rand.New(rand.NewPCG(3, 4))
	special := []float64{0, -16, 16, -16.03125, 15.999, -48, -60, -1e3, 1e3, -1e300, 1e300, math.Inf(1), math.Inf(-1), math.NaN(), 5e-324}
	for _, groups := range []int{1, 3, 15, 16, 17, 33, 40} {
		n := 4 * groups
		x, g := make([]float64, n), make([]float64, n)
		for i := range x {
			x[i] = 4 * r.NormFloat64()
			if r.IntN(4) == 0 {
				x[i] = special[r.IntN(len(special))]
			}
			g[i] = 0.3 * r.NormFloat64()
		}
		rbuf := make([]uint64, groups)
		for j := range rbuf {
			rbuf[j] = r.Uint64()
		}
		nw := (n + 63) / 64
		for _, scale := range []float64{1, 2} {
			w1, o1 := make([]uint64, nw), make([]uint64, nw)
			w2, o2 := make([]uint64, nw), make([]uint64, nw)
			bad1 := bracketBits(w1, o1, x, g, scale, rbuf, groups)
			bad2 := bracketBitsGo(w2, o2, x, g, scale, rbuf, groups)
			if bad1 != bad2 {
				t.Fatalf("groups=%d: asm reports non-finite %v, go %v", groups, bad1, bad2)
			}
			if !slices.Equal(w1, w2) || !slices.Equal(o1, o2) {
				t.Fatalf("groups=%d scale=%v: asm (%x, %x), go (%x, %x)", groups, scale, w1, o1, w2, o2)
			}
		}
	}
}

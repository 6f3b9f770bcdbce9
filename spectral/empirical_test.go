package spectral

import (
	"math"
	"math/rand/v2"
	"testing"

	"placecell/internal/rng"
	"placecell/ring"

	"gonum.org/v1/gonum/integrate/quad"
	"gonum.org/v1/gonum/mat"
)

// uniformSpins returns s configurations of n i.i.d. uniform ±1 spins, the
// null model of THEORY.md §3.2.
func uniformSpins(n, s int, rnd *rand.Rand) *ring.Spins {
	d := ring.NewSpins(n, s)
	row := make([]int8, n)
	for t := range s {
		for i := range row {
			row[i] = int8(2*rnd.IntN(2) - 1)
		}
		d.SetRow(t, row)
	}
	return d
}

// naiveCorrelation returns (1/S) Σ_s v_i v_j summed in float64, which is
// exact: the sum is an integer below 2⁵³.
func naiveCorrelation(d *ring.Spins) [][]float64 {
	n, s := d.Sites(), d.Len()
	rows := make([][]float64, s)
	for t := range rows {
		rows[t] = d.Row(t, nil)
	}
	c := make([][]float64, n)
	for i := range c {
		c[i] = make([]float64, n)
		for j := range c[i] {
			var sum float64
			for _, v := range rows {
				sum += v[i] * v[j]
			}
			c[i][j] = sum / float64(s)
		}
	}
	return c
}

func TestCorrelationExact(t *testing.T) {
	t.Parallel()
	// Sizes straddle the 64-bit word (N, S = 63, 64, 65), the 32-column
	// tile (130), the 512-word pass (S = 70000) and odd N (column padding).
	rnd := rng.New(1, "spectral/correlation", 0)
	type size struct{ n, s int }
	var sizes []size
	for _, n := range []int{1, 63, 64, 65, 130} {
		for _, s := range []int{1, 64, 65, 1000} {
			sizes = append(sizes, size{n, s})
		}
	}
	sizes = append(sizes, size{33, 70000})
	for _, sz := range sizes {
		d := uniformSpins(sz.n, sz.s, rnd)
		want := naiveCorrelation(d)
		got := Correlation(d)
		if r, c := got.Dims(); r != sz.n || c != sz.n {
			t.Fatalf("N=%d S=%d: Correlation dims %d×%d", sz.n, sz.s, r, c)
		}
		raw := got.RawSymmetric()
	loop:
		for i := range sz.n {
			if got.At(i, i) != 1 {
				t.Errorf("N=%d S=%d: Ĉ_%d%d = %v, want exactly 1", sz.n, sz.s, i, i, got.At(i, i))
			}
			for j := range sz.n {
				// Values are k/S: compare exactly, and both triangles of the
				// storage are filled.
				if g := got.At(i, j); g != want[i][j] || raw.Data[i*raw.Stride+j] != g {
					t.Errorf("N=%d S=%d: Ĉ_%d,%d = %v (storage %v), want %v",
						sz.n, sz.s, i, j, g, raw.Data[i*raw.Stride+j], want[i][j])
					break loop
				}
			}
		}
	}

	if !panics(func() { Correlation(ring.NewSpins(5, 0)) }) {
		t.Errorf("Correlation of an empty data set did not panic")
	}
}

func TestCorrelationStructured(t *testing.T) {
	t.Parallel()
	// All spins equal in each sample: Ĉ = all ones. Alternating spins
	// v_i = (−1)^i: Ĉ_ij = (−1)^(i+j). Exact, whatever S.
	const n, s = 70, 130
	d := ring.NewSpins(n, s)
	alt := ring.NewSpins(n, s)
	rnd := rng.New(1, "spectral/correlation", 1)
	row := make([]int8, n)
	for t := range s {
		sign := int8(2*rnd.IntN(2) - 1)
		for i := range row {
			row[i] = sign
		}
		d.SetRow(t, row)
		for i := range row {
			row[i] = sign * int8(1-2*(i%2))
		}
		alt.SetRow(t, row)
	}
	c, ca := Correlation(d), Correlation(alt)
	for i := range n {
		for j := range n {
			if c.At(i, j) != 1 {
				t.Fatalf("aligned: Ĉ_%d,%d = %v, want 1", i, j, c.At(i, j))
			}
			if want := float64(1 - 2*((i+j)%2)); ca.At(i, j) != want {
				t.Fatalf("alternating: Ĉ_%d,%d = %v, want %v", i, j, ca.At(i, j), want)
			}
		}
	}
}

func TestCorrelationMarchenkoPastur(t *testing.T) {
	t.Parallel()
	// Null model (§3.2): i.i.d. uniform spins, N = 400, S = 1600, γ = 1/4.
	// MP-1 finite-size reference: top eigenvalue 2.230, bottom 0.2544.
	// Tracy–Widom scales at this size (Johnstone 2001 for the top edge, its
	// reflection for the bottom): σ₊ = (√S+√N)(1/√S+1/√N)^(1/3)/S = 0.0158
	// and σ₋ = (√S−√N)(1/√N−1/√S)^(1/3)/S = 0.00365; with the TW₁ standard
	// deviation 1.27 one realisation fluctuates by 0.020 (top) and 0.0046
	// (bottom). The means of R = 4 realisations have standard errors 0.010
	// and 0.0023; the tolerances are 5 of them.
	const (
		n, s, reps       = 400, 1600, 4
		topRef, topTol   = 2.230, 0.05
		lowRef, lowTol   = 0.2544, 0.0116
		bulkTol          = 0.01
		traceTol         = 1e-10
		crossTolRelative = 1e-9
	)
	mp := MarchenkoPastur{Gamma: float64(n) / s, Sigma2: 1}

	// Fraction of the MP law below x = 1, ∫_{λ−}^{1} f, by Gauss–Legendre
	// after x = λ₋ + (1−λ₋)(1−cos θ)/2 (smooth at the square-root edge).
	lo, _ := mp.Edges()
	h := (1 - lo) / 2
	below := quad.Fixed(func(th float64) float64 {
		return mp.Density(lo+h*(1-math.Cos(th))) * h * math.Sin(th)
	}, 0, math.Pi, 200, nil, 0)

	var top, low float64
	rnd := rng.New(1, "spectral/correlation", 2)
	for rep := range reps {
		c := Correlation(uniformSpins(n, s, rnd))
		var es mat.EigenSym
		if !es.Factorize(c, false) {
			t.Fatal("dense factorisation failed")
		}
		vals := es.Values(nil)
		top += vals[n-1] / reps
		low += vals[0] / reps

		// tr Ĉ = N exactly (unit diagonal).
		var tr float64
		count := 0
		for _, v := range vals {
			tr += v
			if v < 1 {
				count++
			}
		}
		if math.Abs(tr-n) > traceTol*n {
			t.Errorf("rep %d: Σλ = %.12g, want %d", rep, tr, n)
		}
		// Bulk: the fraction below 1 follows the MP integral to within a
		// few eigenvalues (rigidity, O(1/N)).
		if frac := float64(count) / n; math.Abs(frac-below) > bulkTol {
			t.Errorf("rep %d: fraction of λ < 1 = %.4f, want MP %.4f", rep, frac, below)
		}
		// TopEigen agrees with the dense solver.
		e, err := TopEigen(c, 1)
		if err != nil {
			t.Fatalf("rep %d: TopEigen: %v", rep, err)
		}
		if math.Abs(e.Values[0]-vals[n-1]) > crossTolRelative*vals[n-1] {
			t.Errorf("rep %d: TopEigen λ_max = %.15g, dense %.15g", rep, e.Values[0], vals[n-1])
		}
	}
	if math.Abs(top-topRef) > topTol {
		t.Errorf("mean top eigenvalue = %.4f, want %.3f ± %.3f (MP-1)", top, topRef, topTol)
	}
	if math.Abs(low-lowRef) > lowTol {
		t.Errorf("mean bottom eigenvalue = %.4f, want %.4f ± %.4f (MP-1)", low, lowRef, lowTol)
	}
}

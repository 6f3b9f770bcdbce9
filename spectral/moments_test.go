package spectral

import (
	"fmt"
	"math"
	"math/rand/v2"
	"testing"

	"placecell/internal/rng"
	"placecell/ring"

	"gonum.org/v1/gonum/mat"
)

// encoded returns the S × N·F float matrix of the features of d under enc.
func encoded(d ring.Data, enc ring.Encoding) *mat.Dense {
	f := enc.Features
	x := mat.NewDense(d.Len(), d.Sites()*f, nil)
	for s := range d.Len() {
		for i := range d.Sites() {
			for g := range f {
				x.Set(s, i*f+g, enc.Value(d.State(s, i), g))
			}
		}
	}
	return x
}

// naiveEstimate returns the estimator of §3.2 computed directly in float64
// from the encoded features: second moments, centring by the sample mean,
// and scaling by the sample or population standard deviation.
func naiveEstimate(x *mat.Dense, enc ring.Encoding, est Estimator) [][]float64 {
	s, dim := x.Dims()
	mean := make([]float64, dim)
	for c := range dim {
		for r := range s {
			mean[c] += x.At(r, c) / float64(s)
		}
	}
	out := make([][]float64, dim)
	for a := range dim {
		out[a] = make([]float64, dim)
		for b := range dim {
			var m float64
			for r := range s {
				m += x.At(r, a) * x.At(r, b)
			}
			out[a][b] = m / float64(s)
			if est.Normalisation != ring.SecondMoment {
				out[a][b] -= mean[a] * mean[b]
			}
		}
	}
	if est.Normalisation == ring.Pearson {
		sd := make([]float64, dim)
		for a := range dim {
			sd[a] = math.Sqrt(out[a][a])
			if est.PopulationSD {
				sd[a] = enc.SD[a%enc.Features]
			}
		}
		for a := range dim {
			for b := range dim {
				if sd[a] == 0 || sd[b] == 0 {
					out[a][b] = 0
				} else {
					out[a][b] /= sd[a] * sd[b]
				}
			}
		}
	}
	return out
}

// TestMomentsEstimators checks Moments.Correlation against the direct
// float64 computation of every estimator, for data of the three models
// (Ising ±1, XY one-hot, bump {0,1}), including sizes that do not fill a
// 64-bit word, and an XY data set too small to visit every state at every
// site (zero-variance columns).
func TestMomentsEstimators(t *testing.T) {
	t.Parallel()
	estimators := []Estimator{
		{Normalisation: ring.SecondMoment}, {Normalisation: ring.Covariance},
		{Normalisation: ring.Pearson}, {Normalisation: ring.Pearson, PopulationSD: true},
	}
	for _, c := range []struct {
		m ring.Model
		s int
	}{
		{ring.Ising{N: 13, Beta: 0.6}, 200},
		{ring.XY{N: 7, P: 4, Beta: 0.9}, 131},
		{ring.XY{N: 5, P: 10, Beta: 1.5}, 9},
		{ring.Bump{N: 11, Eta: 2}, 70},
	} {
		d := ring.Sample(c.m, c.s, 5)
		enc := c.m.Encoding()
		x := encoded(d, enc)
		mo := NewMoments(c.m.Sites(), c.m.States())
		mo.Add(d)
		for _, est := range estimators {
			got := mo.Correlation(enc, est)
			want := naiveEstimate(x, enc, est)
			for a := range want {
				for b := range want {
					if math.Abs(got.At(a, b)-want[a][b]) > 1e-13 {
						t.Fatalf("%s S=%d %v: entry (%d,%d) = %.16g, want %.16g", ring.Label(c.m), c.s, est, a, b, got.At(a, b), want[a][b])
					}
				}
			}
			if est.Normalisation != ring.SecondMoment {
				continue
			}
			// FloatCorrelation agrees on the same features.
			for _, n := range []ring.Normalisation{ring.SecondMoment, ring.Covariance, ring.Pearson} {
				fc := FloatCorrelation(x, n)
				w := naiveEstimate(x, enc, Estimator{Normalisation: n})
				for a := range w {
					for b := range w {
						if math.Abs(fc.At(a, b)-w[a][b]) > 1e-13 {
							t.Fatalf("%s FloatCorrelation %v: entry (%d,%d) = %.16g, want %.16g", ring.Label(c.m), n, a, b, fc.At(a, b), w[a][b])
						}
					}
				}
			}
		}
	}
}

// TestMomentsBatches checks that statistics gathered in batches give the
// same matrix, to the bit, as one pass, and that ModelCorrelation of Ising
// data is the popcount Correlation of eq 24 exactly.
func TestMomentsBatches(t *testing.T) {
	t.Parallel()
	m := ring.XY{N: 9, P: 5, Beta: 1}
	d := ring.Sample(m, 700, 2).(*ring.Potts)
	one := NewMoments(9, 5)
	one.Add(d)
	parts := NewMoments(9, 5)
	for _, r := range [][2]int{{0, 63}, {63, 64}, {64, 400}, {400, 400}, {400, 700}} {
		parts.Add(d.Slice(r[0], r[1]))
	}
	if parts.Len() != 700 {
		t.Fatalf("batched Len = %d, want 700", parts.Len())
	}
	a := one.Correlation(m.Encoding(), DefaultEstimator(m))
	b := parts.Correlation(m.Encoding(), DefaultEstimator(m))
	if !mat.Equal(a, b) {
		t.Error("batched moments differ from one pass")
	}

	is := ring.Ising{N: 70, Beta: 0.5}
	ds := ring.Sample(is, 1000, 3)
	if !mat.Equal(ModelCorrelation(is, ds), Correlation(ds.(*ring.Spins))) {
		t.Error("ModelCorrelation of Ising data differs from Correlation")
	}
}

// TestPottsPearsonStructure checks the structure THEORY.md §3.2 states for
// the Pearson matrix of one-hot Potts data: unit diagonal (sample
// scaling), and N exact zero eigenvalues, one per site, from the constant
// per-site sums of the indicators.
func TestPottsPearsonStructure(t *testing.T) {
	t.Parallel()
	m := ring.XY{N: 8, P: 6, Beta: 1}
	c := ModelCorrelation(m, ring.Sample(m, 2000, 4))
	for i := range 48 {
		if c.At(i, i) != 1 {
			t.Errorf("diagonal %d = %v, want 1", i, c.At(i, i))
		}
	}
	var es mat.EigenSym
	es.Factorize(c, false)
	zeros := 0
	for _, v := range es.Values(nil) {
		if math.Abs(v) < 1e-12 {
			zeros++
		}
	}
	if zeros != 8 {
		t.Errorf("%d zero eigenvalues, want N = 8", zeros)
	}
}

// TestModelCorrelationConverges checks that the empirical Pearson matrix
// (population scaling) of exact XY draws estimates the exact kernel of
// §2.7 entry by entry. An entry is, up to O(1/S) from the sample mean,
// the mean of S independent y = (x_a − m)(x_b − m)/σ², m = 1/P,
// σ² = (P−1)/P², whose variance follows exactly from the joint law
// p_ab = P(x_a = x_b = 1) = σ²C + m² of the two indicators:
//
//	E[y²] = [p_ab(1−m)⁴ + 2(m − p_ab)m²(1−m)² + (1 − 2m + p_ab)m⁴]/σ⁴.
//
// The test allows 5 standard errors √((E[y²] − C²)/S).
func TestModelCorrelationConverges(t *testing.T) {
	t.Parallel()
	m := ring.XY{N: 12, P: 5, Beta: 1.2}
	const s = 40000
	mo := NewMoments(12, 5)
	mo.Add(ring.Sample(m, s, 8))
	c := mo.Correlation(m.Encoding(), Estimator{Normalisation: ring.Pearson, PopulationSD: true})
	k := m.Kernel(nil)
	p := 5
	mm := 1 / float64(p)
	s2 := float64(p-1) / float64(p*p)
	for i := range 12 {
		for j := range 12 {
			d := (j - i + 12) % 12
			for a := range p {
				for b := range p {
					want := k[d*p*p+a*p+b]
					pab := s2*want + mm*mm
					ey2 := (pab*math.Pow(1-mm, 4) + 2*(mm-pab)*mm*mm*(1-mm)*(1-mm) + (1-2*mm+pab)*math.Pow(mm, 4)) / (s2 * s2)
					se := math.Sqrt((ey2 - want*want) / s)
					if got := c.At(i*p+a, j*p+b); math.Abs(got-want) > 5*se+1e-12 {
						t.Errorf("C[(%d,%d),(%d,%d)] = %.4f, want %.4f ± 5×%.4f", i, a, j, b, got, want, se)
					}
				}
			}
		}
	}
}

// TestPottsNullEdge checks the independent-Potts null of THEORY.md §3.9:
// for independent uniform sites (XY at β = 0, which is what column
// shuffling of XY data produces) with N = 100, P = 10, S = 10⁴ (r = 0.01),
// the top eigenvalue of the Pearson matrix sits at the multiplicative edge
// P/(P−1)(1 + √(r(P−1)))² = 1.878, minus the O(D^(−2/3)) Tracy–Widom shift
// (THEORY quotes 1.855 for shuffled data), far below eq 31's additive
// 2.844. Tolerance: 3 D^(−2/3) σ_b² = 0.11 with D = 900.
func TestPottsNullEdge(t *testing.T) {
	t.Parallel()
	mult := XYNoiseEdge(10, 0.01, EdgeMatchingPottsNull)
	add := XYNoiseEdge(10, 0.01, EdgeMatching)
	if math.Abs(mult-1.878) > 5e-4 || math.Abs(add-2.844) > 5e-4 {
		t.Errorf("noise edges = %.4f, %.4f, want 1.878 and 2.844 (THEORY.md §3.9)", mult, add)
	}
	m := ring.XY{N: 100, P: 10, Beta: 0}
	e, err := TopEigen(ModelCorrelation(m, ring.Sample(m, 10000, 1)), 1)
	if err != nil {
		t.Fatal(err)
	}
	tol := 3 * math.Pow(900, -2.0/3) * 10 / 9
	if top := e.Values[0]; math.Abs(top-mult) > tol || top > mult+0.02 {
		t.Errorf("top eigenvalue of independent Potts data = %.4f, want %.4f − O(D^(−2/3)) (tolerance %.3f)", top, mult, tol)
	}
}

func TestMomentsPanics(t *testing.T) {
	t.Parallel()
	m := NewMoments(4, 3)
	for name, f := range map[string]func(){
		"states":        func() { NewMoments(4, 1) },
		"sites":         func() { NewMoments(0, 2) },
		"wrong data":    func() { m.Add(ring.NewPotts(5, 2, 3)) },
		"wrong states":  func() { m.Add(ring.NewPotts(4, 2, 4)) },
		"empty":         func() { m.Correlation(ring.XY{N: 4, P: 3}.Encoding(), Estimator{}) },
		"model data":    func() { ModelCorrelation(ring.XY{N: 4, P: 3, Beta: 1}, ring.NewSpins(4, 3)) },
		"float no rows": func() { FloatCorrelation(&mat.Dense{}, ring.Covariance) },
	} {
		if !panics(f) {
			t.Errorf("%s: no panic", name)
		}
	}
	m.Add(ring.NewPotts(4, 3, 3))
	if !panics(func() { m.Correlation(ring.Ising{N: 4}.Encoding(), Estimator{}) }) {
		t.Error("mismatched encoding: no panic")
	}
}

// BenchmarkModelCorrelation measures the exact-count correlation of ±1
// data (compare BenchmarkCorrelation) and of one-hot Potts data with
// N·P = 1000 columns.
func BenchmarkModelCorrelation(b *testing.B) {
	for _, c := range []struct {
		m ring.Model
		s int
	}{
		{ring.XY{N: 100, P: 10, Beta: 1.5}, 100000},
		{ring.XY{N: 100, P: 10, Beta: 1.5}, 10000},
	} {
		d := randomStates(c.m, c.s, rng.New(1, "spectral/bench", 2))
		b.Run(fmt.Sprintf("potts/S=%d/N=%d/P=%d", c.s, c.m.Sites(), c.m.States()), func(b *testing.B) {
			for b.Loop() {
				ModelCorrelation(c.m, d)
			}
		})
	}
}

// randomStates returns count configurations of independent uniform states.
func randomStates(m ring.Model, count int, rnd *rand.Rand) ring.Data {
	d := ring.NewPotts(m.Sites(), count, m.States())
	row := make([]uint8, m.Sites())
	for s := range count {
		for i := range row {
			row[i] = uint8(rnd.IntN(m.States()))
		}
		d.SetRow(s, row)
	}
	return d
}

// TestTopEigenStorage checks that TopEigen gives the same eigenpairs for a
// matrix stored with both triangles (read in place) and for the same
// matrix with garbage in its unused lower triangle (copied), and that a
// matrix with both triangles but an infinite entry is refused.
func TestTopEigenStorage(t *testing.T) {
	t.Parallel()
	m := ring.XY{N: 60, P: 5, Beta: 1}
	full := ModelCorrelation(m, ring.Sample(m, 500, 1))
	n, _ := full.Dims()
	raw := full.RawSymmetric()
	upper := mat.NewSymDense(n, append([]float64(nil), raw.Data...))
	ur := upper.RawSymmetric()
	for i := range n {
		for j := range i {
			ur.Data[i*ur.Stride+j] = 1e6 // not part of the matrix
		}
	}
	a, err := TopEigen(full, 3)
	if err != nil {
		t.Fatal(err)
	}
	b, err := TopEigen(upper, 3)
	if err != nil {
		t.Fatal(err)
	}
	for j := range 3 {
		if math.Abs(a.Values[j]-b.Values[j]) > 1e-12 {
			t.Errorf("eigenvalue %d: %v (both triangles) ≠ %v (upper only)", j, a.Values[j], b.Values[j])
		}
	}
	raw.Data[1] = math.Inf(1)
	raw.Data[n] = math.Inf(1)
	if _, err := TopEigen(full, 1); err == nil {
		t.Error("infinite entry: no error")
	}
}

package ring_test

import (
	"math"
	"testing"

	"placecell/ring"
	"placecell/spectral"

	"gonum.org/v1/gonum/mat"
)

// TestBumpBUMP1 checks case BUMP-1 (N = 20, 2η+1 = 5): σ_v² = φ(1−φ) =
// 0.1875, λ_1 = λ_19 = 1.021586455, λ_2 = 0.5236067977, λ_0 = 0 for the
// connected covariance. The kernel is compared with the brute-force
// covariance over all N bump positions, and the spectrum, obtained through
// the generic ring.Model route of package spectral (which knows nothing of
// the bump model), with the Dirichlet closed form of THEORY.md §2.11 and a
// dense diagonalisation.
func TestBumpBUMP1(t *testing.T) {
	t.Parallel()
	m := ring.Bump{N: 20, Eta: 2}
	if phi := m.Phi(); math.Abs(phi*(1-phi)-0.1875) > 1e-15 {
		t.Errorf("σ_v² = %v, want 0.1875", phi*(1-phi))
	}

	// Brute force: average over the N equally likely positions.
	n, l := 20, 5
	cov := make([][]float64, n)
	mean := make([]float64, n)
	for i := range cov {
		cov[i] = make([]float64, n)
	}
	for start := range n {
		x := make([]float64, n)
		for k := range l {
			x[(start+k)%n] = 1
		}
		for i := range n {
			mean[i] += x[i] / float64(n)
			for j := range n {
				cov[i][j] += x[i] * x[j] / float64(n)
			}
		}
	}
	kern := m.Kernel(nil)
	for i := range n {
		for j := range n {
			want := cov[i][j] - mean[i]*mean[j]
			if got := kern[(j-i+n)%n]; math.Abs(got-want) > 1e-15 {
				t.Errorf("c(%d) = %v, want %v (brute force)", (j-i+n)%n, got, want)
			}
		}
	}

	s := spectral.ModelSpectrum(m)
	for k := range n {
		want := 0.0
		if k != 0 {
			r := math.Sin(math.Pi*float64(k*l)/float64(n)) / math.Sin(math.Pi*float64(k)/float64(n))
			want = r * r / float64(n)
		}
		if got := s.Values[k]; math.Abs(got-want) > 1e-14 {
			t.Errorf("λ_%d = %.12g, want %.12g (Dirichlet kernel)", k, got, want)
		}
	}
	for _, c := range []struct {
		k    int
		want float64
	}{{0, 0}, {1, 1.021586455}, {19, 1.021586455}, {2, 0.5236067977}} {
		if got := s.Values[c.k]; math.Abs(got-c.want) > 1e-9 {
			t.Errorf("λ_%d = %.10f, want %.10f (BUMP-1)", c.k, got, c.want)
		}
	}
	top := s.Top()
	if len(top.Modes) != 2 || top.Modes[0].K != 1 || top.Modes[1].K != 19 {
		t.Errorf("top eigenspace %v, want the k = ±1 pair", top.Modes)
	}
	dense := mat.NewSymDense(n, nil)
	for i := range n {
		for j := i; j < n; j++ {
			dense.SetSym(i, j, cov[i][j]-mean[i]*mean[j])
		}
	}
	var es mat.EigenSym
	es.Factorize(dense, false)
	if v := es.Values(nil); math.Abs(v[n-1]-1.021586455) > 1e-9 || math.Abs(v[0]) > 1e-14 {
		t.Errorf("dense top and bottom = %v, %v, want 1.021586455 and 0", v[n-1], v[0])
	}
}

// TestBumpThroughGenericAPI runs the bump ring through every generic entry
// point that the Ising and XY rings use: the registry, the sampler, the
// empirical correlation in the model's own normalisation (connected
// covariance), the eigenspace overlap of the top empirical eigenvectors,
// and the named thresholds. The empirical covariance of S = 20000 exact
// draws matches the exact kernel within 5 standard errors of each entry
// (an entry is a mean of products of {0,1} values, variance at most 1/4).
func TestBumpThroughGenericAPI(t *testing.T) {
	t.Parallel()
	m, err := ring.NewModel("bump", map[string]float64{"n": 20, "eta": 2})
	if err != nil {
		t.Fatal(err)
	}
	const count = 20000
	d := ring.Sample(m, count, 7)
	for s := range 50 {
		ones := 0
		for i := range 20 {
			ones += d.State(s, i)
		}
		if ones != 5 {
			t.Fatalf("configuration %d has %d ones, want 5", s, ones)
		}
	}
	c := spectral.ModelCorrelation(m, d)
	kern := m.Kernel(nil)
	se := math.Sqrt(0.25 / count)
	for i := range 20 {
		for j := range 20 {
			if got, want := c.At(i, j), kern[(j-i+20)%20]; math.Abs(got-want) > 5*se {
				t.Errorf("Ĉ(%d,%d) = %.4f, want %.4f ± 5×%.4f", i, j, got, want, se)
			}
		}
	}
	e, err := spectral.TopEigen(c, 2)
	if err != nil {
		t.Fatal(err)
	}
	sp := spectral.ModelSpectrum(m)
	for j, ov := range spectral.Overlaps(e, sp, sp.Top().Modes) {
		// With r = N/S = 10⁻³ the pair is far above the noise: overlap → 1.
		if ov < 0.99 {
			t.Errorf("eigenvector %d: overlap² with the exact k = ±1 space = %.4f, want ≈ 1", j, ov)
		}
	}
	level, dim, err := spectral.NullBulk(m)
	if err != nil || math.Abs(level-0.1875) > 1e-15 || dim != 1 {
		t.Errorf("NullBulk = %v, %d, %v, want φ(1−φ) = 0.1875 and 1", level, dim, err)
	}
	for _, rule := range spectral.Rules {
		th, err := spectral.ModelThreshold(m, rule)
		if err != nil || th.Rule != rule || !(th.R > 0) || math.Abs(th.S*th.R-20) > 1e-9 {
			t.Errorf("%v: %+v, %v", rule, th, err)
		}
	}
	// Flat-null edge rule: Λ = λ_1, r_c = (√(Λ/σ_b²) − 1)² (§3.9 with D = N).
	th, _ := spectral.ModelThreshold(m, spectral.EdgeMatching)
	x := math.Sqrt(1.021586455/0.1875) - 1
	if math.Abs(th.R-x*x) > 1e-8 {
		t.Errorf("EdgeMatching r_c = %.10f, want %.10f", th.R, x*x)
	}
}

package spectral

import (
	"math"
	"testing"

	"placecell/ring"
)

// TestIsingEdge checks the generalized Marchenko–Pastur right edge with H
// the exact Ising spectrum against THEORY.md §3.11's example (N = 100,
// β = 0.5, discrete H: x₊ = 3.3268 at r = 0.1 and 5.7317 at r = 1, to the
// printed 4 decimals) and its properties: ψ'(ℓ*) = 0, x₊ above both
// (1 + √r)² and e^(2β), and x₊ → e^(2β) as r → 0.
func TestIsingEdge(t *testing.T) {
	t.Parallel()
	s := ModelSpectrum(ring.Ising{N: 100, Beta: 0.5})
	for _, c := range []struct{ r, want float64 }{{0.1, 3.3268}, {1, 5.7317}} {
		got := PredictCrossover(s, 100/c.r).Edge
		if math.Abs(got-c.want) > 5e-5 {
			t.Errorf("x₊(r=%g) = %.5f, want %.4f (THEORY.md §3.11)", c.r, got, c.want)
		}
	}
	for _, r := range []float64{1e-6, 1e-3, 0.03, 0.3, 3} {
		law := s.Law(100 / r)
		x, l := law.RightEdge()
		if d := law.PsiPrime(l); math.Abs(d) > 1e-9 {
			t.Errorf("r=%g: ψ'(ℓ*) = %g, want 0", r, d)
		}
		noise := (1 + math.Sqrt(r)) * (1 + math.Sqrt(r))
		if !(x > noise && x > math.E) {
			t.Errorf("r=%g: x₊ = %v not above (1+√r)² = %v and e = %v", r, x, noise, math.E)
		}
	}
	if x := PredictCrossover(s, 1e8).Edge; math.Abs(x-math.E) > 2e-3 {
		t.Errorf("x₊(r=10⁻⁶) = %v, want → e^(2β) = e", x)
	}
}

// TestEdgeWeight checks the sum rule of the edge overlaps (over every
// population mode they sum to 1, by ψ'(ℓ*) = 0 and the definition of ψ),
// the flat case (each of D equal modes gets 1/D), and the limits: the top
// group takes all the weight as S → ∞.
func TestEdgeWeight(t *testing.T) {
	t.Parallel()
	s := ModelSpectrum(ring.XY{N: 30, P: 6, Beta: 1})
	all := s.Sorted()
	for _, samples := range []float64{10, 300, 1e4, 1e7} {
		c := PredictCrossover(s, samples, all, s.Top().Modes)
		if math.Abs(c.Weights[0]-1) > 1e-9 {
			t.Errorf("S=%g: total edge weight %.12f, want 1", samples, c.Weights[0])
		}
		if c.Baselines[1] != 2.0/180 {
			t.Errorf("baseline %v, want 2/180", c.Baselines[1])
		}
	}
	if w := PredictCrossover(s, 1e12, s.Top().Modes).Weights[0]; w < 0.99 {
		t.Errorf("S = 10¹²: top-space weight %v, want → 1", w)
	}
	flat := GeneralizedMP{T: []float64{2, 2, 2, 2}, Gamma: 0.5}
	if w := flat.EdgeWeight([]int{1}); math.Abs(w-0.25) > 1e-12 {
		t.Errorf("flat H: weight of one of 4 modes = %v, want 1/4", w)
	}
}

// TestCrossoverMonteCarlo compares the smooth prediction for the Ising
// ring (N = 100, β = 0.5) with exact draws (20 repetitions per r): the
// top eigenvalue lies a few per cent below x₊ (Tracy–Widom shift, §3.11;
// tested: between 0.9 x₊ and x₊ + 5 SE), and the weight of the top
// eigenvector on the band |k| ≤ 3 matches the Ledoit–Péché edge
// prediction [derived here] within 5 SE plus a finite-N allowance of 0.05
// (the prediction is a D → ∞ statement evaluated at the limiting edge).
func TestCrossoverMonteCarlo(t *testing.T) {
	t.Parallel()
	m := ring.Ising{N: 100, Beta: 0.5}
	s := ModelSpectrum(m)
	band := s.Band(3)
	for _, r := range []float64{1, 0.1, 0.01} {
		samples := int(math.Round(100 / r))
		c := PredictCrossover(s, float64(samples), band)
		var tops, weights []float64
		for rep := range 20 {
			d := ring.Sample(m, samples, uint64(100+rep))
			e, err := TopEigen(ModelCorrelation(m, d), 1)
			if err != nil {
				t.Fatal(err)
			}
			tops = append(tops, e.Values[0])
			weights = append(weights, Overlaps(e, s, band)[0])
		}
		mt, st := meanSE(tops)
		mw, sw := meanSE(weights)
		if !(mt > 0.9*c.Edge && mt < c.Edge+5*st) {
			t.Errorf("r=%g: top eigenvalue %.4f ± %.4f, want a few per cent below x₊ = %.4f", r, mt, st, c.Edge)
		}
		if math.Abs(mw-c.Weights[0]) > 5*sw+0.05 {
			t.Errorf("r=%g: band weight %.4f ± %.4f, want %.4f (edge prediction)", r, mw, sw, c.Weights[0])
		}
	}
}

// TestSpikeOverlapAndSeparation checks the finite-N spike rules on a
// spectrum with one isolated group: a cos/sin pair of eigenvalue 1+l on
// N−2 unit eigenvalues (the cosine-spike ring of §2.11). SpikeOverlap is
// BBP at γ = (N−2)/S (H = the rest), and S_sep of the pair is
// (N−2)/l², the finite-D form of D/l² (§3.6); S_sep of a single spike on
// D−1 unit modes is (D−1)/l².
func TestSpikeOverlapAndSeparation(t *testing.T) {
	t.Parallel()
	const n, l = 50, 1.5
	row := make([]float64, n)
	for r := range row {
		row[r] = 2 * l / n * math.Cos(2*math.Pi*3*float64(r)/n)
	}
	row[0]++
	s := BlockCirculant(row, 1)
	pair := s.Top().Modes
	if len(pair) != 2 || pair[0] != (Mode{3, 0}) {
		t.Fatalf("top eigenspace %v, want modes 3 and 47", pair)
	}
	for _, samples := range []float64{30, 100, 1000} {
		x, ov, out := SpikeOverlap(s, pair, samples)
		wx, wov, wout := MarchenkoPastur{Gamma: (n - 2) / samples, Sigma2: 1}.Spike(l)
		if out != wout || out && (math.Abs(x-wx) > 1e-9 || math.Abs(ov-wov) > 1e-9) {
			t.Errorf("S=%g: SpikeOverlap = %v, %v, %t, want BBP %v, %v, %t", samples, x, ov, out, wx, wov, wout)
		}
	}
	if got, want := SeparationSamples(s, pair), (n-2)/(l*l); math.Abs(got-want) > 1e-9 {
		t.Errorf("S_sep(pair) = %.12g, want (N−2)/l² = %.12g", got, want)
	}
	one := &Spectrum{N: 20, F: 1, Values: make([]float64, 20)}
	for i := range one.Values {
		one.Values[i] = 1
	}
	one.Values[0] = 3
	if got := SeparationSamples(one, []Mode{{0, 0}}); math.Abs(got-19.0/4) > 1e-12 {
		t.Errorf("S_sep(one spike, l = 2, D = 20) = %v, want 19/4", got)
	}
	if !panics(func() { SpikeOverlap(s, []Mode{{0, 0}}, 100) }) {
		t.Error("SpikeOverlap of a group below the rest did not panic")
	}
	// At β = 0 every Pearson eigenvalue of the XY ring is P/(P−1) (up to
	// rounding): the top class has no separated spike at any S.
	xy := ModelSpectrum(ring.XY{N: 8, P: 5, Beta: 0})
	if x, ov, out := SpikeOverlap(xy, xy.Top().Modes, 1e6); !math.IsNaN(x) || ov != 0 || out {
		t.Errorf("XY at β = 0: SpikeOverlap = %v, %v, %t, want NaN, 0, false", x, ov, out)
	}
}

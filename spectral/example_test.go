package spectral_test

import (
	"fmt"
	"math"

	"placecell/ring"
	"placecell/spectral"

	"gonum.org/v1/gonum/mat"
)

// The exact spectrum of the Ising ring's correlation matrix: the uniform
// mode on top, then the degenerate cos/sin pairs λ_k = λ_{N−k}.
func ExampleIsingSpectrum() {
	lam := spectral.IsingSpectrum(nil, ring.Ising{N: 10, Beta: 0.5})
	for k, l := range lam {
		fmt.Printf("λ_%d = %.4f\n", k, l)
	}
	// Output:
	// λ_0 = 2.7159
	// λ_1 = 1.6868
	// λ_2 = 0.8468
	// λ_3 = 0.5241
	// λ_4 = 0.4006
	// λ_5 = 0.3676
	// λ_6 = 0.4006
	// λ_7 = 0.5241
	// λ_8 = 0.8468
	// λ_9 = 1.6868
}

// The paper's edge-matching threshold and the BBP one differ; each result
// carries the name of its rule.
func ExampleIsingThreshold() {
	m := ring.Ising{N: 20, Beta: 0.5}
	for _, rule := range []spectral.Rule{spectral.EdgeMatching, spectral.BBPFlatBulk} {
		th := spectral.IsingThreshold(m, rule)
		fmt.Printf("%-12s Λ = %.4f  r_c = %.4f  S_c = %.2f\n", th.Rule, th.Lambda, th.R, th.S)
	}
	// Output:
	// EdgeMatching Λ = 2.7183  r_c = 0.4208  S_c = 47.52
	// BBPFlatBulk  Λ = 2.7183  r_c = 2.9525  S_c = 6.77
}

// TopEigen finds the leading eigenpairs of a dense symmetric matrix; here
// the population correlation matrix of an Ising ring, whose exact spectrum
// IsingSpectrum gives in closed form.
func ExampleTopEigen() {
	const n = 64
	m := ring.Ising{N: n, Beta: 0.5}
	rho := math.Tanh(m.Beta)
	c := mat.NewSymDense(n, nil)
	for i := range n {
		for j := i; j < n; j++ {
			d := float64(j - i)
			c.SetSym(i, j, (math.Pow(rho, d)+math.Pow(rho, n-d))/(1+math.Pow(rho, n)))
		}
	}
	e, err := spectral.TopEigen(c, 3)
	if err != nil {
		fmt.Println(err)
		return
	}
	lam := spectral.IsingSpectrum(nil, m)
	fmt.Printf("TopEigen:      %.6f %.6f %.6f\n", e.Values[0], e.Values[1], e.Values[2])
	fmt.Printf("IsingSpectrum: %.6f %.6f %.6f\n", lam[0], lam[1], lam[n-1])
	// Output:
	// TopEigen:      2.718282 2.677101 2.677101
	// IsingSpectrum: 2.718282 2.677101 2.677101
}

// The retarded-learning thresholds of the paper's XY ring under every rule
// (THEORY.md §3.9–3.10): eq 31 as printed gives the paper's r ≃ 0.066.
func ExampleXYThreshold() {
	m := ring.XY{N: 100, P: 10, Beta: 1.5}
	for _, rule := range spectral.Rules {
		th := spectral.XYThreshold(m, rule)
		fmt.Printf("%-22s r_c = %.4f  S_c = %.0f\n", th.Rule, th.R, th.S)
	}
	// Output:
	// EdgeMatching           r_c = 0.0658  S_c = 1520
	// EdgeMatchingPottsNull  r_c = 0.1085  S_c = 922
	// BBPFlatBulk            r_c = 0.9683  S_c = 103
	// PluginSeparation       r_c = 0.0048  S_c = 20903
}

// The exact Pearson spectrum of the XY ring: Λ_XY on the cos/sin pair in
// angle, uniform in space, then the four-fold (k, p) = (±1, ±1) level.
func ExampleModelSpectrum() {
	s := spectral.ModelSpectrum(ring.XY{N: 100, P: 10, Beta: 1.5})
	for _, e := range s.Eigenspaces()[:3] {
		fmt.Printf("%.6f on %v\n", e.Value, e.Modes)
	}
	// Output:
	// 4.391255 on [{0 1} {0 9}]
	// 4.328817 on [{1 1} {1 9} {99 1} {99 9}]
	// 4.151942 on [{2 1} {2 9} {98 1} {98 9}]
}

// The smooth retarded-learning crossover of the Ising ring (§3.11): where
// the top eigenvalue of Ĉ sits (x₊ of the generalized Marchenko–Pastur
// law; THEORY.md gives 5.7317 and 3.3268) and how much of its eigenvector
// lies on the low-wavenumber band |k| ≤ 3 (checked against simulation in
// the package tests).
func ExamplePredictCrossover() {
	s := spectral.ModelSpectrum(ring.Ising{N: 100, Beta: 0.5})
	for _, samples := range []float64{100, 1000, 10000} {
		c := spectral.PredictCrossover(s, samples, s.Band(3))
		fmt.Printf("S = %5.0f: x₊ = %.4f, band weight %.2f (random %.2f)\n", samples, c.Edge, c.Weights[0], c.Baselines[0])
	}
	// Output:
	// S =   100: x₊ = 5.7317, band weight 0.50 (random 0.07)
	// S =  1000: x₊ = 3.3268, band weight 0.80 (random 0.07)
	// S = 10000: x₊ = 2.8474, band weight 0.96 (random 0.07)
}

// Exact-count correlation of XY data in batches: the one-hot Pearson
// matrix has unit diagonal and one exact zero eigenvalue per site.
func ExampleMoments() {
	m := ring.XY{N: 20, P: 5, Beta: 1}
	mo := spectral.NewMoments(m.Sites(), m.States())
	for b := range 3 {
		mo.Add(ring.Sample(m, 1000, uint64(b)))
	}
	c := mo.Correlation(m.Encoding(), spectral.DefaultEstimator(m))
	var es mat.EigenSym
	es.Factorize(c, false)
	zeros := 0
	for _, v := range es.Values(nil) {
		if math.Abs(v) < 1e-10 {
			zeros++
		}
	}
	fmt.Println(mo.Len(), c.At(0, 0), zeros)
	// Output:
	// 3000 1 20
}

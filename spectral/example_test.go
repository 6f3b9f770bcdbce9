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

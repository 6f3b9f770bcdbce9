package meanfield_test

import (
	"context"
	"fmt"
	"math/rand/v2"

	"placecell/meanfield"
)

// ExampleContinuumProfiles prints the two stationary sech profiles of the
// continuum equation (eqs 44–45) and the analytic stability verdict.
func ExampleContinuumProfiles() {
	minus, plus := meanfield.ContinuumProfiles()
	for _, p := range []meanfield.Profile{minus, plus} {
		fmt.Printf("b = %.4f: peak %.4f, FWHM %.3f, stable %v\n", p.B, p.Peak, p.FWHM, p.Stable())
	}
	// Output:
	// b = 2.3431: peak 0.8284, FWHM 4.496, stable true
	// b = 13.6569: peak 4.8284, FWHM 0.771, stable false
}

// ExampleSolveLattice finds the stationary bump of eq 37 on a ring of 100
// sites from a small random start and converts it to physical units at
// β = 0.05 for ±1 hidden units.
func ExampleSolveLattice() {
	rnd := rand.New(rand.NewPCG(1, 2))
	w0 := meanfield.RandomStart(rnd, 100, 1, 0.01)
	sol, err := meanfield.SolveLattice(context.Background(), 100, 1, w0, nil)
	if err != nil {
		fmt.Println(err)
		return
	}
	u := sol.Units[0]
	fmt.Printf("peak %.6f, Σŵ² %.6f, FWHM %.3f\n", u.Peak, u.SumSq, u.FWHM)
	s := meanfield.Scale{Beta: 0.05, Var0: 1}
	fmt.Printf("at β = 0.05: peak w = %.4f, Σw² = %.4f\n", s.Weight(u.Peak), s.SumSq(u.SumSq))
	// Output:
	// peak 0.919593, Σŵ² 2.400121, FWHM 3.795
	// at β = 0.05: peak w = 0.2056, Σw² = 0.1200
}

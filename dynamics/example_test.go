package dynamics_test

import (
	"fmt"
	"math"

	"placecell/dynamics"
)

// Example measures a receptive field on a ring of 40 sites: a bump
// w_i = sech((i − 12.5)/2) centred between sites 12 and 13, negated as the
// sign symmetry w → −w allows. The continuum profile sech(x/2) has
// ∫w = 2π, FWHM 4 arcosh 2 = 5.27 and PR (∫w²)²/∫w⁴ = 6; on the lattice
// the two central sites reach only sech(1/4) = 0.97, which lowers the half
// maximum and widens the FWHM.
func Example() {
	w := make([]float64, 40)
	for i := range w {
		w[i] = -1 / math.Cosh((float64(i)-12.5)/2)
	}
	w = dynamics.SignNormalize(nil, w)
	c, conc := dynamics.Centre(w)
	fmt.Printf("W = %.3f\n", dynamics.OrderW(w))
	fmt.Printf("centre %.2f (concentration %.2f)\n", c, conc)
	fmt.Printf("FWHM %.2f sites, PR %.2f sites\n", dynamics.FWHM(w), dynamics.ParticipationRatio(w))
	// Output:
	// W = 6.277
	// centre 12.50 (concentration 0.96)
	// FWHM 5.47 sites, PR 6.00 sites
}

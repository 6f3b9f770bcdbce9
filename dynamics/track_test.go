package dynamics

import (
	"math"
	"testing"

	"gonum.org/v1/gonum/floats/scalar"
)

// TestTrack follows two bumps w = ±sech((i − c)/2) on N = 60 sites: unit 0
// drifts from c = 50 to c = 75 (crossing the boundary), unit 1 sits at
// c = 20 with a negative sign. The unwrapped centre must grow
// continuously, separations are circular distances, Parseval holds for the
// Fourier amplitudes and the scalar parameters agree with the single-field
// functions.
func TestTrack(t *testing.T) {
	t.Parallel()
	const n, m = 60, 2
	bump := func(c, sign float64) []float64 {
		w := make([]float64, n)
		for i := range w {
			d := math.Mod(float64(i)-c+1.5*n, n) - n/2
			w[i] = sign / math.Cosh(d/2)
		}
		return w
	}
	var times []float64
	var states [][]float64
	for j := 0; j <= 10; j++ {
		c0 := 50 + 2.5*float64(j)
		times = append(times, float64(j))
		states = append(states, append(bump(math.Mod(c0, n), 1), bump(20, -1)...))
	}
	snaps := Track(times, states, m, n)
	for j, s := range snaps {
		c0 := 50 + 2.5*float64(j)
		if math.Abs(s.Unwrapped[0]-c0) > 1e-6 {
			t.Errorf("t = %v: unwrapped centre %v, want %v", s.T, s.Unwrapped[0], c0)
		}
		if math.Abs(s.Unwrapped[1]-20) > 1e-6 {
			t.Errorf("t = %v: unwrapped centre of unit 1 %v, want 20", s.T, s.Unwrapped[1])
		}
		want := CircularDistance(math.Mod(c0, n), 20, n)
		if math.Abs(s.Separation[0]-want) > 1e-6 || len(s.Separation) != 1 {
			t.Errorf("t = %v: separation %v, want %v", s.T, s.Separation, want)
		}
		for mu := 0; mu < m; mu++ {
			row := states[j][mu*n : (mu+1)*n]
			var a2 float64
			for _, a := range s.Amplitude[mu] {
				a2 += a * a
			}
			if !scalar.EqualWithinAbsOrRel(a2, s.SumSq[mu], 1e-12, 1e-12) || !scalar.EqualWithinAbsOrRel(s.SumSq[mu], dot64(row, row), 1e-12, 1e-12) {
				t.Errorf("t = %v unit %d: Σ amplitude² %v, Σw² %v", s.T, mu, a2, s.SumSq[mu])
			}
			if s.W[mu] != OrderW(row) || s.PR[mu] != ParticipationRatio(row) || s.FWHM[mu] != FWHM(row) {
				t.Errorf("t = %v unit %d: W, PR, FWHM = %v, %v, %v disagree with the single-field functions", s.T, mu, s.W[mu], s.PR[mu], s.FWHM[mu])
			}
			if math.Abs(s.Peak[mu]-1) > 1e-12 && j%2 == 0 {
				t.Errorf("t = %v unit %d: peak %v, want 1 (site-centred bump, sign normalised)", s.T, mu, s.Peak[mu])
			}
		}
	}
	for i, c := range []struct{ a, b, want float64 }{{1, 59, 2}, {10, 40, 30}, {0, 30, 30}, {5.5, 5.5, 0}, {-3, 3, 6}} {
		if got := CircularDistance(c.a, c.b, n); math.Abs(got-c.want) > 1e-12 {
			t.Errorf("%d: CircularDistance(%v, %v, %d) = %v, want %v", i, c.a, c.b, n, got, c.want)
		}
	}
}

package dynamics

import (
	"context"
	"fmt"
	"math/rand/v2"
	"testing"

	"placecell/ring"
)

// BenchmarkLatticeDeriv times one evaluation of eq 37 (M units).
func BenchmarkLatticeDeriv(b *testing.B) {
	for _, c := range []struct{ n, m int }{{100, 1}, {100, 2}, {100, 4}, {1000, 1}} {
		b.Run(fmt.Sprintf("N=%d/M=%d", c.n, c.m), func(b *testing.B) {
			l := NewLattice(c.n, c.m)
			w := randWeights(rand.New(rand.NewPCG(1, 2)), c.m, c.n, 0.3)
			dst := make([]float64, c.n*c.m)
			for b.Loop() {
				l.Deriv(dst, w)
			}
		})
	}
}

// BenchmarkLatticeStep times 100 fixed Dormand–Prince steps of eq 37
// (6 derivative evaluations each); ns/op / 100 is the cost of one step.
func BenchmarkLatticeStep(b *testing.B) {
	for _, c := range []struct{ n, m int }{{100, 1}, {100, 2}} {
		b.Run(fmt.Sprintf("N=%d/M=%d/100steps", c.n, c.m), func(b *testing.B) {
			l := NewLattice(c.n, c.m)
			w := randWeights(rand.New(rand.NewPCG(1, 2)), c.m, c.n, 0.3)
			set := &ODESettings{FixedStep: 0.05, Method: DormandPrince}
			for b.Loop() {
				if _, err := Integrate(context.Background(), l, w, []float64{0, 5}, set); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

// BenchmarkContinuumETDStep times 20 fixed ETDRK4 steps (11 nonlinear evaluations, 22 FFTs each) of the
// continuum equation .
func BenchmarkContinuumETDStep(b *testing.B) {
	for _, p := range []int{256, 1024} {
		b.Run(fmt.Sprintf("P=%d/20steps", p), func(b *testing.B) {
			c := NewContinuum(1, p, 50)
			w := randWeights(rand.New(rand.NewPCG(1, 2)), 1, p, 0.3)
			set := &ODESettings{FixedStep: 0.05, Method: ETDRK4}
			for b.Loop() {
				if _, err := Integrate(context.Background(), c, w, []float64{0, 1}, set); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

// BenchmarkSpinFlow times one exact flow gradient at N = 100: the model
// term alone (2^(M−1) hidden configurations) and the full derivative with
// a data term over S = 10⁴ samples.
func BenchmarkSpinFlow(b *testing.B) {
	const n = 100
	data := ring.Generate(ring.NewExact(ring.Ising{N: n, Beta: 1}), 10000, 1)
	for _, m := range []int{1, 4, 12} {
		w := randWeights(rand.New(rand.NewPCG(3, 4)), m, n, 0.1)
		dst := make([]float64, m*n)
		b.Run(fmt.Sprintf("model/M=%d", m), func(b *testing.B) {
			for b.Loop() {
				SpinModelTerm(dst, w, m, n)
			}
		})
		flow := NewSpinFlow(m, data)
		b.Run(fmt.Sprintf("deriv/S=1e4/M=%d", m), func(b *testing.B) {
			for b.Loop() {
				flow.Deriv(dst, w)
			}
		})
	}
}

// BenchmarkHidden times Γ' of the continuous units (continued fraction
// region z ≥ 2.5 and erfc region; I = 0.1 is the double well's small-input
// quadrature).
func BenchmarkHidden(b *testing.B) {
	for _, h := range []Hidden{ReLU{GammaH: 1}, DoubleWell{Theta: 1}} {
		for _, I := range []float64{0.1, 0.5, -6} {
			b.Run(fmt.Sprintf("%T/I=%v", h, I), func(b *testing.B) {
				var s float64
				for b.Loop() {
					s += h.Mean(I)
				}
				_ = s
			})
		}
	}
}

package spectral

import (
	"math"
	"testing"

	"gonum.org/v1/gonum/integrate/quad"
)

func TestMarchenkoPasturEdges(t *testing.T) {
	t.Parallel()
	// MP-1 and MP-2: λ± = σ²(1 ± √γ)² (THEORY.md §3.3).
	for i, test := range []struct {
		id            string
		gamma, sigma2 float64
		lower, upper  float64
	}{
		{"MP-1", 0.25, 1, 0.25, 2.25},
		{"MP-2", 1, 1, 0, 4},
		{"closed form", 4, 1, 1, 9},
		{"closed form", 0.25, 2, 0.5, 4.5},
	} {
		lo, hi := MarchenkoPastur{Gamma: test.gamma, Sigma2: test.sigma2}.Edges()
		if math.Abs(lo-test.lower) > 1e-15 || math.Abs(hi-test.upper) > 1e-15 {
			t.Errorf("case %d (%s): Edges(γ=%g, σ²=%g) = (%g, %g), want (%g, %g)",
				i, test.id, test.gamma, test.sigma2, lo, hi, test.lower, test.upper)
		}
	}
}

func TestMarchenkoPasturDensity(t *testing.T) {
	t.Parallel()
	// MP-5: f(1) = 0.6164044441 at γ = 1/4, σ² = 1, i.e. √(1.25·0.75)/(π/2).
	mp := MarchenkoPastur{Gamma: 0.25, Sigma2: 1}
	if got := mp.Density(1); math.Abs(got-0.6164044441) > 1e-10 {
		t.Errorf("Density(1) = %.10f, want 0.6164044441", got)
	}
	// Outside the support and at the edges the density is 0.
	for _, x := range []float64{-1, 0, 0.2, 0.25, 2.25, 3} {
		if got := mp.Density(x); got != 0 {
			t.Errorf("Density(%g) = %g, want 0", x, got)
		}
	}
	// γ = 1 diverges as x^(−1/2) at 0.
	if got := (MarchenkoPastur{Gamma: 1, Sigma2: 1}).Density(0); !math.IsInf(got, 1) {
		t.Errorf("Density(0) at γ=1 = %g, want +Inf", got)
	}
	// Invalid parameters give NaN.
	for _, m := range []MarchenkoPastur{{0, 1}, {-1, 1}, {1, 0}, {math.NaN(), 1}} {
		if got := m.Density(1); !math.IsNaN(got) {
			t.Errorf("%+v.Density(1) = %g, want NaN", m, got)
		}
	}
}

func TestMarchenkoPasturMoments(t *testing.T) {
	t.Parallel()
	// §3.3: the continuous part has mass min(1, 1/γ) (the atom carries the
	// rest), first moment σ² and second moment σ⁴(1+γ). Integrals by
	// 64-point Gauss–Legendre quadrature after x = c + h cos θ, which
	// removes the square-root edges (and the x^(−1/2) pole at γ = 1).
	for _, gamma := range []float64{0.1, 0.25, 0.5, 1, 2, 4} {
		for _, sigma2 := range []float64{1, 2.5} {
			mp := MarchenkoPastur{Gamma: gamma, Sigma2: sigma2}
			lo, hi := mp.Edges()
			c, h := (lo+hi)/2, (hi-lo)/2
			moment := func(p float64) float64 {
				return quad.Fixed(func(th float64) float64 {
					x := c + h*math.Cos(th)
					return math.Pow(x, p) * mp.Density(x) * h * math.Sin(th)
				}, 0, math.Pi, 64, nil, 0)
			}
			mass, mean, second := moment(0), moment(1), moment(2)
			wantMass := math.Min(1, 1/gamma)
			if math.Abs(mass-wantMass) > 1e-9 {
				t.Errorf("γ=%g σ²=%g: ∫f = %.12f, want %.12f", gamma, sigma2, mass, wantMass)
			}
			if math.Abs(mass+mp.Atom()-1) > 1e-9 {
				t.Errorf("γ=%g σ²=%g: ∫f + Atom = %.12f, want 1", gamma, sigma2, mass+mp.Atom())
			}
			if math.Abs(mean-sigma2) > 1e-9*sigma2 {
				t.Errorf("γ=%g σ²=%g: ∫x f = %.12f, want %g", gamma, sigma2, mean, sigma2)
			}
			if want := sigma2 * sigma2 * (1 + gamma); math.Abs(second-want) > 1e-9*want {
				t.Errorf("γ=%g σ²=%g: ∫x² f = %.12f, want %g", gamma, sigma2, second, want)
			}
		}
	}
}

func TestMarchenkoPasturAtom(t *testing.T) {
	t.Parallel()
	// (1 − 1/γ)₊ (§3.3).
	for i, test := range []struct{ gamma, want float64 }{
		{0.25, 0}, {1, 0}, {2, 0.5}, {4, 0.75},
	} {
		if got := (MarchenkoPastur{Gamma: test.gamma, Sigma2: 1}).Atom(); math.Abs(got-test.want) > 1e-15 {
			t.Errorf("case %d: Atom(γ=%g) = %g, want %g", i, test.gamma, got, test.want)
		}
	}
}

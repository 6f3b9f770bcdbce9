package dynamics

import (
	"context"
	"errors"
	"fmt"
	"math"
	"strings"
	"testing"

	"gonum.org/v1/gonum/floats/scalar"
)

// funcSystem adapts a function to System.
type funcSystem struct {
	n int
	f func(dst, y []float64)
}

func (s funcSystem) Dim() int               { return s.n }
func (s funcSystem) Deriv(dst, y []float64) { s.f(dst, y) }

// ggSystem is the Gaussian–Gaussian RBM with one hidden unit on data of
// covariance C = I + (λ−1)uuᵀ, u the normalised uniform vector (THEORY.md
// §4.11): dw/dt = (C − (I − wwᵀ)⁻¹) w = (C − I)w − w|w|²/(1 − |w|²).
func ggSystem(n int, lambda float64) funcSystem {
	return funcSystem{n, func(dst, w []float64) {
		var sum, s2 float64
		for _, x := range w {
			sum += x
			s2 += x * x
		}
		for i, x := range w {
			dst[i] = (lambda-1)*sum/float64(n) - x*s2/(1-s2)
		}
	}}
}

// ggTime is the closed-form time of THEORY.md §4.11 to go from s0 to s1:
// with a = λ − 1 and x = s², t = [ln(x1/x0) − λ⁻¹ ln((a − λx1)/(a − λx0))]/(2a).
func ggTime(lambda, s0, s1 float64) float64 {
	a := lambda - 1
	x0, x1 := s0*s0, s1*s1
	return (math.Log(x1/x0) - math.Log((a-lambda*x1)/(a-lambda*x0))/lambda) / (2 * a)
}

// TestIntegrateGG1 checks the integrator against the exactly solvable
// Gaussian–Gaussian RBM (case GG-1): the fixed point s*² = 1 − 1/λ = 0.6 at
// λ = 2.5 and the closed-form time of every recorded s(t).
func TestIntegrateGG1(t *testing.T) {
	t.Parallel()
	const n, lambda, s0 = 6, 2.5, 0.01
	sys := ggSystem(n, lambda)
	y0 := make([]float64, n)
	for i := range y0 {
		y0[i] = s0 / math.Sqrt(n)
	}
	times := []float64{0, 0.5, 1, 2, 3, 4, 6, 8, 40}
	for _, m := range []Method{DormandPrince, Auto} {
		res, err := Integrate(context.Background(), sys, y0, times, &ODESettings{RelTol: 1e-11, AbsTol: 1e-13, Method: m})
		if err != nil {
			t.Fatalf("%v: %v", m, err)
		}
		if len(res.T) != len(times) || res.Steps == 0 {
			t.Fatalf("%v: %d outputs, %d steps", m, len(res.T), res.Steps)
		}
		// The closed-form time is ill-conditioned within 1e-8 of s*, so
		// check it while s is still clearly below (t ≤ 4).
		for j := 1; times[j] <= 4; j++ {
			s := math.Sqrt(dot64(res.Y[j], res.Y[j]))
			if got := ggTime(lambda, s0, s); !scalar.EqualWithinAbsOrRel(got, times[j], 1e-8, 1e-8) {
				t.Errorf("%v: s(%v) = %.12g, whose closed-form time is %.12g", m, times[j], s, got)
			}
		}
		// GG-1: s* = 0.7745966692.
		if s := math.Sqrt(dot64(res.Y[len(times)-1], res.Y[len(times)-1])); !scalar.EqualWithinAbsOrRel(s, 0.7745966692, 1e-9, 1e-9) {
			t.Errorf("%v: s(40) = %.12g, want s* = 0.7745966692", m, s)
		}
		if res.Residual > 1e-8 {
			t.Errorf("%v: residual %v", m, res.Residual)
		}
	}
}

func dot64(x, y []float64) float64 {
	var s float64
	for i := range x {
		s += x[i] * y[i]
	}
	return s
}

// TestIntegrateOrder checks the convergence order 5 of the Dormand–Prince
// pair with fixed steps on the GG-1 mode equation: halving h divides the
// error by 2⁵.
func TestIntegrateOrder(t *testing.T) {
	t.Parallel()
	const lambda, s0, tEnd = 2.5, 0.3, 1.5
	sys := ggSystem(1, lambda)
	exact := bisect(func(s float64) float64 { return ggTime(lambda, s0, s) - tEnd }, s0, math.Sqrt(0.6)-1e-15)
	var errs []float64
	for _, h := range []float64{0.1, 0.05, 0.025} {
		res, err := Integrate(context.Background(), sys, []float64{s0}, []float64{0, tEnd}, &ODESettings{FixedStep: h, Method: DormandPrince})
		if err != nil {
			t.Fatal(err)
		}
		errs = append(errs, math.Abs(res.Y[1][0]-exact))
	}
	for j := 1; j < len(errs); j++ {
		if p := math.Log2(errs[j-1] / errs[j]); p < 4.6 || p > 5.6 {
			t.Errorf("observed order %.2f between h = %v and %v (errors %.3g, %.3g), want 5", p,
				0.1/math.Pow(2, float64(j-1)), 0.1/math.Pow(2, float64(j)), errs[j-1], errs[j])
		}
	}
}

// bisect returns a root of f in [lo, hi] (f(lo), f(hi) of opposite sign).
func bisect(f func(float64) float64, lo, hi float64) float64 {
	flo := f(lo)
	for range 200 {
		mid := (lo + hi) / 2
		if fm := f(mid); (fm < 0) == (flo < 0) {
			lo, flo = mid, fm
		} else {
			hi = mid
		}
	}
	return (lo + hi) / 2
}

// TestDenseOutput checks the interpolated outputs of an adaptive run on
// the harmonic oscillator y = (sin t, cos t) at 400 requested times.
func TestDenseOutput(t *testing.T) {
	t.Parallel()
	sys := funcSystem{2, func(dst, y []float64) { dst[0], dst[1] = y[1], -y[0] }}
	times := make([]float64, 401)
	for j := range times {
		times[j] = 0.05 * float64(j)
	}
	res, err := Integrate(context.Background(), sys, []float64{0, 1}, times, &ODESettings{RelTol: 1e-10, AbsTol: 1e-12})
	if err != nil {
		t.Fatal(err)
	}
	plain, err := Integrate(context.Background(), sys, []float64{0, 1}, []float64{0, 20}, &ODESettings{RelTol: 1e-10, AbsTol: 1e-12})
	if err != nil {
		t.Fatal(err)
	}
	if res.Steps != plain.Steps {
		t.Errorf("%d steps with 400 outputs, %d without: dense output should not change the steps", res.Steps, plain.Steps)
	}
	for j, tt := range res.T {
		if e := math.Hypot(res.Y[j][0]-math.Sin(tt), res.Y[j][1]-math.Cos(tt)); e > 5e-9 {
			t.Errorf("y(%v) = %v, want (sin, cos) = (%v, %v), error %.2g", tt, res.Y[j], math.Sin(tt), math.Cos(tt), e)
		}
	}
}

// diagSemi is a Semilinear system in its own eigenbasis,
// dy_k/dt = σ_k y_k − y_k³, with the exact solution
// y(t) = y0 e^(σt)/√(1 + y0²(e^(2σt) − 1)/σ).
type diagSemi struct{ sigma []float64 }

func (d diagSemi) Dim() int { return len(d.sigma) }
func (d diagSemi) Deriv(dst, y []float64) {
	for k, s := range d.sigma {
		dst[k] = s*y[k] - y[k]*y[k]*y[k]
	}
}
func (d diagSemi) LinearRates(dst []float64) { copy(dst, d.sigma) }
func (d diagSemi) ToModes(dst, y []float64)  { copy(dst, y) }
func (d diagSemi) FromModes(dst, z []float64) {
	copy(dst, z)
}
func (d diagSemi) Nonlinear(dst, y []float64) {
	for k := range y {
		dst[k] = -y[k] * y[k] * y[k]
	}
}
func (d diagSemi) exact(y0, t float64, k int) float64 {
	s := d.sigma[k]
	return y0 * math.Exp(s*t) / math.Sqrt(1+y0*y0*math.Expm1(2*s*t)/s)
}

// TestStiffness checks that a stiff system is detected by DormandPrince,
// that Auto switches to ETDRK4 and that ETDRK4 alone solves it in few
// steps; all three agree with the exact solution.
func TestStiffness(t *testing.T) {
	t.Parallel()
	sys := diagSemi{[]float64{1, 0.5, -2, -50, -3000, -20000}}
	y0 := []float64{0.1, 0.8, 1, 0.5, 1, 2}
	times := []float64{0, 0.5, 2}
	for _, c := range []struct {
		m         Method
		wantStiff bool
		maxSteps  int
	}{
		{DormandPrince, true, 100000},
		{Auto, true, 3000},
		{ETDRK4, false, 300},
	} {
		res, err := Integrate(context.Background(), sys, y0, times, &ODESettings{Method: c.m, RelTol: 1e-9, AbsTol: 1e-12})
		if err != nil {
			t.Fatalf("%v: %v", c.m, err)
		}
		if res.Stiff != c.wantStiff {
			t.Errorf("%v: Stiff = %v, want %v", c.m, res.Stiff, c.wantStiff)
		}
		if c.m == Auto && (res.Method != ETDRK4 || math.IsNaN(res.SwitchedAt)) {
			t.Errorf("Auto: ended with %v, switched at %v; want a switch to ETDRK4", res.Method, res.SwitchedAt)
		}
		if res.Steps > c.maxSteps {
			t.Errorf("%v: %d steps, want at most %d", c.m, res.Steps, c.maxSteps)
		}
		for j, tt := range res.T {
			for k := range y0 {
				want := sys.exact(y0[k], tt, k)
				if !scalar.EqualWithinAbsOrRel(res.Y[j][k], want, 1e-9, 1e-7) {
					t.Errorf("%v: y_%d(%v) = %.12g, want %.12g", c.m, k, tt, res.Y[j][k], want)
				}
			}
		}
	}
}

// TestETDOrder checks fixed-step order 5 of the extrapolated ETDRK4 on a
// non-stiff diagonal problem with exact solution (each accepted step is
// the Richardson extrapolation of one step of h and two of h/2 of the
// 4th-order scheme), that with L = 0 it reduces exactly to the classical
// Runge–Kutta scheme (Cox & Matthews 2002) extrapolated the same way, and
// that a fixed point of a stiff system is kept for any step size.
func TestETDOrder(t *testing.T) {
	t.Parallel()
	sys := diagSemi{[]float64{1, -0.7}}
	y0 := []float64{0.4, 1.2}
	var errs []float64
	for _, h := range []float64{0.2, 0.1, 0.05} {
		res, err := Integrate(context.Background(), sys, y0, []float64{0, 2}, &ODESettings{Method: ETDRK4, FixedStep: h})
		if err != nil {
			t.Fatal(err)
		}
		errs = append(errs, math.Max(math.Abs(res.Y[1][0]-sys.exact(y0[0], 2, 0)), math.Abs(res.Y[1][1]-sys.exact(y0[1], 2, 1))))
	}
	for j := 1; j < len(errs); j++ {
		if p := math.Log2(errs[j-1] / errs[j]); p < 4.6 || p > 5.6 {
			t.Errorf("ETDRK4 observed order %.2f (errors %.3g, %.3g), want 5", p, errs[j-1], errs[j])
		}
	}

	// L = 0: classical RK4, one step of h = 0.2 and two of h/2,
	// extrapolated as (16·two halves − one step)/15.
	flat := diagSemi{[]float64{0, 0}}
	a, _ := Integrate(context.Background(), flat, y0, []float64{0, 2}, &ODESettings{Method: ETDRK4, FixedStep: 0.2})
	y := append([]float64(nil), y0...)
	f := func(x []float64) []float64 { d := make([]float64, 2); flat.Deriv(d, x); return d }
	rk4 := func(y []float64, h float64) []float64 {
		k1 := f(y)
		k2 := f([]float64{y[0] + h/2*k1[0], y[1] + h/2*k1[1]})
		k3 := f([]float64{y[0] + h/2*k2[0], y[1] + h/2*k2[1]})
		k4 := f([]float64{y[0] + h*k3[0], y[1] + h*k3[1]})
		out := make([]float64, len(y))
		for i := range y {
			out[i] = y[i] + h/6*(k1[i]+2*k2[i]+2*k3[i]+k4[i])
		}
		return out
	}
	for range 10 {
		const h = 0.2
		one, two := rk4(y, h), rk4(rk4(y, h/2), h/2)
		for i := range y {
			y[i] = two[i] + (two[i]-one[i])/15
		}
	}
	for k := range y0 {
		if !scalar.EqualWithinAbsOrRel(a.Y[1][k], y[k], 1e-15, 1e-14) {
			t.Errorf("L = 0: ETDRK4 y_%d = %.17g, classical RK4 %.17g", k, a.Y[1][k], y[k])
		}
	}

	// Fixed point y_k = √σ_k of dy/dt = σy − y³ for σ ≥ 0 modes and 0 for
	// the stiff ones, kept to rounding with steps of 2 (hσ = −2·10⁴).
	stiff := diagSemi{[]float64{0.5, 0.25, -1e4}}
	fix := []float64{math.Sqrt(0.5), 0.5, 0}
	r, err := Integrate(context.Background(), stiff, fix, []float64{0, 100}, &ODESettings{Method: ETDRK4, FixedStep: 2})
	if err != nil {
		t.Fatal(err)
	}
	for k, want := range fix {
		if math.Abs(r.Y[1][k]-want) > 1e-13 {
			t.Errorf("fixed point: y_%d(100) = %.17g, want %v", k, r.Y[1][k], want)
		}
	}
}

// TestIntegrateStopAndErrors checks StopResidual, the error of a
// blow-up, and cancellation.
func TestIntegrateStopAndErrors(t *testing.T) {
	t.Parallel()
	// y' = 1 − y relaxes to 1: stop once |f| ≤ 1e-7.
	relax := funcSystem{1, func(dst, y []float64) { dst[0] = 1 - y[0] }}
	res, err := Integrate(context.Background(), relax, []float64{0}, []float64{0, 1000}, &ODESettings{StopResidual: 1e-7})
	if err != nil || !res.Stopped || res.Residual > 1e-7 {
		t.Errorf("StopResidual: err %v, stopped %v, residual %v", err, res.Stopped, res.Residual)
	}
	if tEnd := res.T[len(res.T)-1]; tEnd > 40 || math.Abs(res.Y[len(res.Y)-1][0]-1) > 1e-7 {
		t.Errorf("StopResidual: stopped at t = %v with y = %v", tEnd, res.Y[len(res.Y)-1])
	}
	// y' = y² from 1 blows up at t = 1.
	blow := funcSystem{1, func(dst, y []float64) { dst[0] = y[0] * y[0] }}
	_, err = Integrate(context.Background(), blow, []float64{1}, []float64{0, 2}, nil)
	if !errors.Is(err, ErrStepSize) && !errors.Is(err, ErrNotFinite) {
		t.Errorf("blow-up: err = %v, want ErrStepSize or ErrNotFinite", err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	_, err = Integrate(ctx, relax, []float64{0}, []float64{0, 10}, nil)
	if !errors.Is(err, context.Canceled) {
		t.Errorf("cancelled: err = %v", err)
	}
	_, err = Integrate(context.Background(), relax, []float64{0}, []float64{0, 1e6}, &ODESettings{FixedStep: 1e-3, MaxSteps: 100})
	if !errors.Is(err, ErrMaxSteps) {
		t.Errorf("MaxSteps: err = %v", err)
	}
}

// TestETDToleranceMeansAccuracy checks that the adaptive ETDRK4 keeps the
// global error at the end within the requested tolerance, as Dormand–Prince
// does: max_k |y_k − y_k^ref| ≤ AbsTol + RelTol·max|y| with AbsTol = RelTol.
// References: the exact solution of diagSemi, and for the continuum
// equation (two units, a coupled nonlinearity) a Dormand–Prince run at
// tolerance 1e-13 (an independent scheme; its own error is ~1e-13).
func TestETDToleranceMeansAccuracy(t *testing.T) {
	t.Parallel()
	ds := diagSemi{[]float64{1, 0.5, -2, -50}}
	dy0 := []float64{0.1, 0.8, 1, 0.5}
	cont := NewContinuum(2, 128, 20)
	cy0 := make([]float64, cont.Dim())
	for k := range cy0 {
		x := float64(k%128) * cont.Dx()
		cy0[k] = 0.5*math.Exp(-math.Pow(x-7-float64(k/128)*5, 2)) + 0.05*math.Cos(2*math.Pi*x/20)
	}
	const tEnd = 3.0
	ref, err := Integrate(context.Background(), cont, cy0, []float64{0, tEnd}, &ODESettings{Method: DormandPrince, RelTol: 1e-13, AbsTol: 1e-15})
	if err != nil {
		t.Fatal(err)
	}
	dref := make([]float64, len(dy0))
	for k := range dref {
		dref[k] = ds.exact(dy0[k], tEnd, k)
	}
	for _, c := range []struct {
		name string
		sys  Semilinear
		y0   []float64
		want []float64
	}{{"diagonal", ds, dy0, dref}, {"continuum", cont, cy0, ref.Y[1]}} {
		for _, tol := range []float64{1e-6, 1e-8, 1e-10} {
			for _, m := range []Method{ETDRK4, DormandPrince} {
				res, err := Integrate(context.Background(), c.sys, c.y0, []float64{0, tEnd}, &ODESettings{Method: m, RelTol: tol, AbsTol: tol})
				if err != nil {
					t.Fatalf("%s %v tol %g: %v", c.name, m, tol, err)
				}
				var e float64
				for k, v := range res.Y[1] {
					e = math.Max(e, math.Abs(v-c.want[k]))
				}
				if bound := tol * (1 + maxAbs(c.want)); e > bound {
					t.Errorf("%s, %v at tolerance %g: global error %.3g, want ≤ %.3g", c.name, m, tol, e, bound)
				}
			}
		}
	}
}

// TestIntegrateRejectsSettings checks that invalid settings and output
// times are errors (not panics, not silent defaults, not garbage), with the
// initial state as the partial result.
func TestIntegrateRejectsSettings(t *testing.T) {
	t.Parallel()
	relax := funcSystem{1, func(dst, y []float64) { dst[0] = 1 - y[0] }}
	nan, inf := math.NaN(), math.Inf(1)
	for i, c := range []struct {
		s     ODESettings
		times []float64
		want  string
	}{
		{ODESettings{RelTol: nan}, nil, "RelTol"},
		{ODESettings{RelTol: -1e-8}, nil, "RelTol"},
		{ODESettings{RelTol: 1}, nil, "RelTol"},
		{ODESettings{RelTol: 1e10, AbsTol: 1e10}, nil, "RelTol"},
		{ODESettings{AbsTol: nan}, nil, "AbsTol"},
		{ODESettings{AbsTol: -1}, nil, "AbsTol"},
		{ODESettings{AbsTol: inf}, nil, "AbsTol"},
		{ODESettings{InitialStep: -1}, nil, "InitialStep"},
		{ODESettings{MaxStep: nan}, nil, "MaxStep"},
		{ODESettings{FixedStep: -0.1}, nil, "FixedStep"},
		{ODESettings{FixedStep: inf}, nil, "FixedStep"},
		{ODESettings{MaxSteps: -5}, nil, "MaxSteps"},
		{ODESettings{StopResidual: nan}, nil, "StopResidual"},
		{ODESettings{}, []float64{0, nan}, "output time"},
		{ODESettings{}, []float64{0, inf}, "output time"},
		{ODESettings{}, []float64{-inf, 0}, "output time"},
	} {
		times := c.times
		if times == nil {
			times = []float64{0, 1}
		}
		var (
			res *ODEResult
			err error
		)
		func() {
			defer func() {
				if r := recover(); r != nil {
					err = fmt.Errorf("panic: %v", r)
				}
			}()
			res, err = Integrate(context.Background(), relax, []float64{0}, times, &c.s)
		}()
		if err == nil || !strings.Contains(err.Error(), c.want) || strings.HasPrefix(err.Error(), "panic") {
			t.Errorf("%d: Integrate(%+v, times %v) error %v, want an error naming %s", i, c.s, times, err, c.want)
			continue
		}
		if len(res.T) != 1 || len(res.Y) != 1 || res.Y[0][0] != 0 {
			t.Errorf("%d: partial result T = %v, Y = %v, want the initial state only", i, res.T, res.Y)
		}
	}
}

// TestIntegrateStiffMessage checks that a stiff system that is not
// Semilinear (Robertson's chemical kinetics, Hairer & Wanner 1996, §IV.1)
// running out of Dormand–Prince steps says that the system is stiff, and
// still matches ErrMaxSteps.
func TestIntegrateStiffMessage(t *testing.T) {
	t.Parallel()
	rob := funcSystem{3, func(d, y []float64) {
		d[0] = -0.04*y[0] + 1e4*y[1]*y[2]
		d[1] = 0.04*y[0] - 1e4*y[1]*y[2] - 3e7*y[1]*y[1]
		d[2] = 3e7 * y[1] * y[1]
	}}
	for _, m := range []Method{Auto, DormandPrince} {
		res, err := Integrate(context.Background(), rob, []float64{1, 0, 0}, []float64{0, 40}, &ODESettings{Method: m, RelTol: 1e-6, AbsTol: 1e-10, MaxSteps: 20000})
		if !errors.Is(err, ErrMaxSteps) || !res.Stiff || !strings.Contains(err.Error(), "stiff") {
			t.Errorf("%v: Robertson error %v (stiff %v), want ErrMaxSteps saying the system is stiff", m, err, res.Stiff)
		}
	}
}

package dynamics

import (
	"context"
	"errors"
	"fmt"
	"math"
)

// System is an autonomous system of ordinary differential equations
// dy/dt = f(y) of dimension Dim. Deriv writes f(y) into dst; it must not
// retain or modify y.
type System interface {
	Dim() int
	Deriv(dst, y []float64)
}

// Semilinear is a System of the form dy/dt = L y + n(y) whose stiff linear
// part L is diagonal in an orthonormal basis: L = Qᵀ diag(σ) Q. The
// exponential integrator (ETDRK4) treats L exactly through e^(hσ), which
// removes the step-size limit of stiff linear modes such as a finely
// discretised Laplacian.
type Semilinear interface {
	System
	// LinearRates writes the eigenvalues σ_k of L into dst (length Dim).
	LinearRates(dst []float64)
	// ToModes writes the coordinates Q·y of y in the eigenbasis of L.
	ToModes(dst, y []float64)
	// FromModes writes Qᵀ·z, the inverse of ToModes.
	FromModes(dst, z []float64)
	// Nonlinear writes n(y) = f(y) − L y.
	Nonlinear(dst, y []float64)
}

// Method selects an integration scheme of Integrate.
type Method int

const (
	// Auto starts with DormandPrince and, if stiffness is detected and the
	// system is Semilinear, continues with ETDRK4; a stiff system that is
	// not Semilinear goes on with DormandPrince and is reported in
	// ODEResult.Stiff.
	Auto Method = iota
	// DormandPrince is the explicit embedded Runge–Kutta pair 5(4) of
	// Dormand & Prince (1980) with local extrapolation, FSAL, the
	// 4th-order dense output of Hairer, Nørsett & Wanner (1993, §II.6) and
	// their stiffness test (§IV.2).
	DormandPrince
	// ETDRK4 is the exponential time-differencing Runge–Kutta scheme of
	// order 4 of Cox & Matthews (2002) for Semilinear systems, with error
	// control by step doubling in mode coordinates and local Richardson
	// extrapolation (global order 5 on non-stiff problems), so that a
	// tolerance gives about the accuracy it gives Dormand–Prince. It
	// integrates the stiff linear part exactly and keeps fixed points for
	// any step; it stops exactly at the requested times instead of
	// interpolating.
	ETDRK4
)

// String returns the method's name.
func (m Method) String() string {
	switch m {
	case Auto:
		return "auto"
	case DormandPrince:
		return "dopri5"
	case ETDRK4:
		return "etdrk4"
	}
	return fmt.Sprintf("Method(%d)", int(m))
}

// ODESettings control Integrate. A nil *ODESettings, or a zero field,
// selects the documented default.
type ODESettings struct {
	// RelTol and AbsTol set the error control: the weighted RMS norm of
	// the local error estimate, component k weighted by
	// 1/(AbsTol + RelTol·max(|y_k|, |y_k new|)), must not exceed 1
	// (defaults 1e-8 and 1e-10; 0 < RelTol < 1 and a finite AbsTol ≥ 0,
	// else Integrate returns an error). With either method the global
	// error then stays near the tolerance on well-conditioned problems.
	RelTol, AbsTol float64
	// InitialStep is the first trial step (default: chosen as in Hairer
	// et al. 1993, §II.4).
	InitialStep float64
	// MaxStep bounds the step size (default: unbounded).
	MaxStep float64
	// MaxSteps bounds the number of accepted plus rejected steps
	// (default 10⁷).
	MaxSteps int
	// FixedStep > 0 disables error control and integrates with this step
	// (the last step before each output time is shortened); for
	// convergence tests.
	FixedStep float64
	// Method selects the scheme (default Auto).
	Method Method
	// StopResidual > 0 ends the integration as soon as ‖f(y)‖∞ ≤
	// StopResidual after a step: a stationary state has been reached. It
	// must exceed the residual that the tolerances allow (about
	// RelTol·|y|·rate), or it is never reached.
	StopResidual float64
	// Progress, if not nil, is called after every accepted step with the
	// current time.
	Progress func(t float64)
}

// ODEResult is the outcome of Integrate.
type ODEResult struct {
	// T holds the output times reached and Y the states there: Y[j] is y
	// at T[j]. If the integration stopped early (StopResidual, error) the
	// last entry is the state at the stopping time.
	T []float64
	Y [][]float64
	// Steps and Rejected count accepted and rejected steps; Evals counts
	// evaluations of f (or of n for ETDRK4).
	Steps, Rejected, Evals int
	// Residual is ‖f(y)‖∞ at the final state.
	Residual float64
	// Stopped reports that StopResidual was reached before the last time.
	Stopped bool
	// Stiff reports that the Dormand–Prince stiffness test fired (h·ρ >
	// 3.25 on 15 steps without 6 consecutive non-stiff ones, Hairer &
	// Wanner 1996, §IV.2), at time StiffAt: the step was limited by
	// stability rather than accuracy. This also happens, harmlessly, while
	// a solution rests at a stable fixed point with large steps.
	Stiff   bool
	StiffAt float64
	// Method is the scheme in use at the end (Auto resolves to one of the
	// two others); SwitchedAt is the time of a switch from DormandPrince
	// to ETDRK4 by Auto, NaN if none.
	Method     Method
	SwitchedAt float64
}

// ErrStepSize is returned when the step size falls below the rounding
// level of t: the solution is singular or the problem is too stiff.
var ErrStepSize = errors.New("dynamics: step size underflow")

// ErrMaxSteps is returned when MaxSteps is exceeded.
var ErrMaxSteps = errors.New("dynamics: maximum number of steps exceeded")

// ErrNotFinite is returned when the solution or its derivative becomes
// NaN or infinite.
var ErrNotFinite = errors.New("dynamics: non-finite state")

// Dormand–Prince 5(4) coefficients (Dormand & Prince 1980, Table 2).
var (
	dpC = [7]float64{0, 1.0 / 5, 3.0 / 10, 4.0 / 5, 8.0 / 9, 1, 1}
	dpA = [7][6]float64{
		{},
		{1.0 / 5},
		{3.0 / 40, 9.0 / 40},
		{44.0 / 45, -56.0 / 15, 32.0 / 9},
		{19372.0 / 6561, -25360.0 / 2187, 64448.0 / 6561, -212.0 / 729},
		{9017.0 / 3168, -355.0 / 33, 46732.0 / 5247, 49.0 / 176, -5103.0 / 18656},
		{35.0 / 384, 0, 500.0 / 1113, 125.0 / 192, -2187.0 / 6784, 11.0 / 84},
	}
	// dpE is b − b̂, the 5th-order weights (row 7 of dpA) minus the
	// embedded 4th-order ones.
	dpE = [7]float64{71.0 / 57600, 0, -71.0 / 16695, 71.0 / 1920, -17253.0 / 339200, 22.0 / 525, -1.0 / 40}
	// dpD are the dense-output coefficients (Hairer, Nørsett & Wanner
	// 1993, §II.6, the continuous extension of Shampine 1986).
	dpD = [7]float64{-12715105075.0 / 11282082432, 0, 87487479700.0 / 32700410799,
		-10690763975.0 / 1880347072, 701980252875.0 / 199316789632,
		-1453857185.0 / 822651844, 69997945.0 / 29380423}
)

// Integrate solves dy/dt = f(y) from y(times[0]) = y0 and returns the
// states at every entry of times, which must be increasing (THEORY.md
// §4.6–4.10 are the systems of this package). It panics if len(y0) differs
// from sys.Dim(), if times has fewer than one entry or is not increasing,
// or if ETDRK4 is requested for a system that is not Semilinear. Output
// times that are not finite and settings out of their domain (a negative
// or NaN field, RelTol ≥ 1) are errors, returned before any step.
//
// On an error (ErrStepSize, ErrMaxSteps, ErrNotFinite, or ctx's error
// after cancellation) the partial result up to the failure is returned
// with it. Stiffness is not an error: see ODEResult.Stiff and Auto. But
// when Dormand–Prince runs out of steps on a system found stiff, the error
// (still matching ErrMaxSteps or ErrStepSize) says so.
func Integrate(ctx context.Context, sys System, y0, times []float64, s *ODESettings) (*ODEResult, error) {
	n := sys.Dim()
	if len(y0) != n {
		panic(fmt.Sprintf("dynamics: initial state length %d, system dimension %d", len(y0), n))
	}
	if len(times) == 0 {
		panic("dynamics: no output times")
	}
	res := &ODEResult{SwitchedAt: math.NaN()}
	res.T = append(res.T, times[0])
	res.Y = append(res.Y, append([]float64(nil), y0...))
	for _, t := range times {
		if math.IsNaN(t) || math.IsInf(t, 0) {
			return res, fmt.Errorf("dynamics: output time %v is not finite", t)
		}
	}
	for j := 1; j < len(times); j++ {
		if !(times[j] > times[j-1]) {
			panic("dynamics: output times not increasing")
		}
	}
	var set ODESettings
	if s != nil {
		set = *s
	}
	if err := set.validate(); err != nil {
		return res, err
	}
	if set.RelTol == 0 {
		set.RelTol = 1e-8
	}
	if set.AbsTol == 0 {
		set.AbsTol = 1e-10
	}
	if set.MaxSteps == 0 {
		set.MaxSteps = 10_000_000
	}
	semi, isSemi := sys.(Semilinear)
	if set.Method == ETDRK4 && !isSemi {
		panic("dynamics: ETDRK4 needs a Semilinear system")
	}

	if len(times) == 1 && set.StopResidual == 0 {
		f := make([]float64, n)
		sys.Deriv(f, y0)
		res.Evals++
		res.Residual = maxAbs(f)
		res.Method = set.Method
		if res.Method == Auto {
			res.Method = DormandPrince
		}
		return res, nil
	}

	st := &odeState{sys: sys, set: &set, res: res, times: times, next: 1,
		t: times[0], y: append([]float64(nil), y0...), ctx: ctx}
	method := set.Method
	if method == ETDRK4 {
		return res, st.etd(semi)
	}
	switched, err := st.dopri(method == Auto && isSemi)
	if err != nil || !switched {
		if res.Stiff && (errors.Is(err, ErrMaxSteps) || errors.Is(err, ErrStepSize)) {
			err = fmt.Errorf("%w: the system is stiff from t = %.4g on (Dormand–Prince steps are limited by stability, "+
				"not accuracy); give it as a Semilinear system for ETDRK4 or use an implicit solver", err, res.StiffAt)
		}
		return res, err
	}
	res.SwitchedAt = st.t
	return res, st.etd(semi)
}

// validate returns an error for settings out of their domain.
func (s *ODESettings) validate() error {
	if !(s.RelTol >= 0 && s.RelTol < 1) {
		return fmt.Errorf("dynamics: RelTol = %v out of range (want 0 < RelTol < 1, or 0 for the default)", s.RelTol)
	}
	for _, v := range []struct {
		name string
		x    float64
	}{{"AbsTol", s.AbsTol}, {"InitialStep", s.InitialStep}, {"MaxStep", s.MaxStep},
		{"FixedStep", s.FixedStep}, {"StopResidual", s.StopResidual}} {
		if !(v.x >= 0) || math.IsInf(v.x, 1) {
			return fmt.Errorf("dynamics: %s = %v must be finite and ≥ 0 (0 for the default)", v.name, v.x)
		}
	}
	if s.MaxSteps < 0 {
		return fmt.Errorf("dynamics: MaxSteps = %d must be ≥ 0 (0 for the default)", s.MaxSteps)
	}
	return nil
}

// odeState is the state shared by the two schemes.
type odeState struct {
	sys   System
	set   *ODESettings
	res   *ODEResult
	ctx   context.Context
	times []float64
	next  int // index of the next output time
	t     float64
	y     []float64
	h     float64 // step to try next (0: choose)
}

// errNorm returns the weighted RMS norm of e (THEORY-independent, Hairer
// et al. 1993, eq. II.4.11).
func (st *odeState) errNorm(e, y0, y1 []float64) float64 {
	var s float64
	for k, v := range e {
		sc := st.set.AbsTol + st.set.RelTol*math.Max(math.Abs(y0[k]), math.Abs(y1[k]))
		s += (v / sc) * (v / sc)
	}
	return math.Sqrt(s / float64(len(e)))
}

// initialStep chooses the first step (Hairer et al. 1993, §II.4): with
// d0 = ‖y‖, d1 = ‖f(y)‖, h0 = 0.01 d0/d1, an Euler step gives d2 ≈ ‖y″‖,
// and h = min(100 h0, (0.01/max(d1, d2))^(1/5)).
func (st *odeState) initialStep(f0 []float64, tEnd float64) float64 {
	if st.set.InitialStep > 0 {
		return st.set.InitialStep
	}
	n := len(st.y)
	zero := make([]float64, n)
	d0 := st.errNorm(st.y, st.y, st.y)
	d1 := st.errNorm(f0, st.y, st.y)
	h0 := 1e-6
	if d0 > 1e-5 && d1 > 1e-5 {
		h0 = 0.01 * d0 / d1
	}
	h0 = math.Min(h0, tEnd-st.t)
	y1 := make([]float64, n)
	for k := range y1 {
		y1[k] = st.y[k] + h0*f0[k]
	}
	f1 := make([]float64, n)
	st.sys.Deriv(f1, y1)
	st.res.Evals++
	for k := range zero {
		zero[k] = (f1[k] - f0[k]) / h0
	}
	d2 := st.errNorm(zero, st.y, st.y)
	var h1 float64
	if math.Max(d1, d2) <= 1e-15 {
		h1 = math.Max(1e-6, h0*1e-3)
	} else {
		h1 = math.Pow(0.01/math.Max(d1, d2), 0.2)
	}
	return math.Min(100*h0, h1)
}

// control returns the next step after one with error norm err: the
// standard controller h·0.9·err^(−1/5) bounded to [0.2h, 5h], or to h
// after a rejection.
func control(h, err float64, rejected bool) float64 {
	fac := 5.0
	if err > 0 {
		fac = 0.9 * math.Pow(err, -0.2)
	}
	hi := 5.0
	if rejected {
		hi = 1
	}
	return h * math.Min(hi, math.Max(0.2, fac))
}

func (st *odeState) maxStep(h float64) float64 {
	if st.set.MaxStep > 0 {
		h = math.Min(h, st.set.MaxStep)
	}
	return h
}

// record appends the state y at time t to the result.
func (st *odeState) record(t float64, y []float64) {
	st.res.T = append(st.res.T, t)
	st.res.Y = append(st.res.Y, append([]float64(nil), y...))
}

// finish records the stopping state if it is not the last output.
func (st *odeState) finish(f []float64) {
	st.res.Residual = maxAbs(f)
	if st.res.T[len(st.res.T)-1] != st.t {
		st.record(st.t, st.y)
	}
}

// dopri integrates with the Dormand–Prince pair. With mayStiff it returns
// switched = true as soon as stiffness is detected, leaving st at the
// current accepted state.
func (st *odeState) dopri(mayStiff bool) (switched bool, err error) {
	sys, set, res := st.sys, st.set, st.res
	res.Method = DormandPrince
	n := len(st.y)
	tEnd := st.times[len(st.times)-1]
	var k [7][]float64
	for i := range k {
		k[i] = make([]float64, n)
	}
	ys, y1, e, y6 := make([]float64, n), make([]float64, n), make([]float64, n), make([]float64, n)
	dense := make([][]float64, 5)
	for i := range dense {
		dense[i] = make([]float64, n)
	}
	sys.Deriv(k[0], st.y)
	res.Evals++
	if !allFinite(k[0]) {
		return false, ErrNotFinite
	}
	if set.StopResidual > 0 && maxAbs(k[0]) <= set.StopResidual {
		res.Stopped = true
		st.finish(k[0])
		return false, nil
	}
	h := set.FixedStep
	if h == 0 {
		h = st.maxStep(st.initialStep(k[0], tEnd))
	}
	stiffCount, nonStiff := 0, 0
	rejected := false

	for st.t < tEnd {
		if err := st.ctx.Err(); err != nil {
			st.finish(k[0])
			return false, err
		}
		if res.Steps+res.Rejected >= set.MaxSteps {
			st.finish(k[0])
			return false, ErrMaxSteps
		}
		// Choose the step; land exactly on tEnd (or, with fixed steps, on
		// the next output time, in equal steps).
		target := tEnd
		land := false
		if set.FixedStep > 0 {
			target = st.times[st.next]
			steps := math.Ceil((target-st.t)/set.FixedStep - 1e-9)
			h, land = (target-st.t)/steps, steps <= 1
		}
		if st.t+h >= target || target-(st.t+h) < 1e-10*h {
			h, land = target-st.t, true
		}
		if h <= 16*ulp(st.t) {
			st.finish(k[0])
			return false, ErrStepSize
		}

		// Stages 2..7; stage 7 is y1 itself (FSAL).
		for i := 1; i < 7; i++ {
			dst := ys
			if i == 6 {
				dst = y1
			}
			copy(dst, st.y)
			for j := 0; j < i; j++ {
				if a := dpA[i][j]; a != 0 {
					axpy(dst, h*a, k[j])
				}
			}
			if i == 5 {
				copy(y6, dst)
			}
			sys.Deriv(k[i], dst)
		}
		res.Evals += 6

		// Error estimate and step control.
		clear(e)
		for j := range k {
			if dpE[j] != 0 {
				axpy(e, h*dpE[j], k[j])
			}
		}
		errN := st.errNorm(e, st.y, y1)
		if set.FixedStep == 0 && !(errN <= 1) {
			if math.IsNaN(errN) || math.IsInf(errN, 0) {
				if !allFinite(y1) && h < 1e-300 {
					st.finish(k[0])
					return false, ErrNotFinite
				}
				h *= 0.1
			} else {
				h = control(h, errN, true)
			}
			res.Rejected++
			rejected = true
			continue
		}
		if !allFinite(y1) || !allFinite(k[6]) {
			st.finish(k[0])
			return false, ErrNotFinite
		}

		// Dense output on [t, t+h] for the output times it contains.
		tNew := st.t + h
		if land {
			tNew = target
		}
		if st.next < len(st.times) && st.times[st.next] <= tNew {
			for i := range n {
				d1 := y1[i] - st.y[i]
				d2 := h*k[0][i] - d1
				d3 := d1 - h*k[6][i] - d2
				var d4 float64
				for j := range k {
					if dpD[j] != 0 {
						d4 += dpD[j] * k[j][i]
					}
				}
				dense[0][i], dense[1][i], dense[2][i], dense[3][i], dense[4][i] = st.y[i], d1, d2, d3, h*d4
			}
			for st.next < len(st.times) && st.times[st.next] <= tNew {
				tOut := st.times[st.next]
				th := (tOut - st.t) / h
				out := make([]float64, n)
				if tOut == tNew {
					copy(out, y1)
				} else {
					for i := range out {
						out[i] = dense[0][i] + th*(dense[1][i]+(1-th)*(dense[2][i]+th*(dense[3][i]+(1-th)*dense[4][i])))
					}
				}
				res.T = append(res.T, tOut)
				res.Y = append(res.Y, out)
				st.next++
			}
		}

		// Stiffness test: h·ρ with ρ ≈ ‖k7 − k6‖/‖y7 − y6‖.
		var num, den float64
		for i := range n {
			d := k[6][i] - k[5][i]
			num += d * d
			d = y1[i] - y6[i]
			den += d * d
		}
		if den > 0 && h*h*num > 3.25*3.25*den {
			nonStiff = 0
			stiffCount++
			if stiffCount >= 15 && !res.Stiff {
				res.Stiff, res.StiffAt = true, tNew
			}
		} else {
			nonStiff++
			if nonStiff == 6 {
				stiffCount = 0
			}
		}

		// Accept.
		st.t = tNew
		copy(st.y, y1)
		k[0], k[6] = k[6], k[0]
		res.Steps++
		if set.Progress != nil {
			set.Progress(st.t)
		}
		if set.StopResidual > 0 && maxAbs(k[0]) <= set.StopResidual && st.t < tEnd {
			res.Stopped = true
			st.finish(k[0])
			return false, nil
		}
		if res.Stiff && mayStiff {
			return true, nil
		}
		if set.FixedStep == 0 {
			h = st.maxStep(control(h, errN, rejected))
		}
		rejected = false
	}
	st.finish(k[0])
	return false, nil
}

// etdCoef holds the ETDRK4 coefficients of one step size h for every
// mode: E = e^(hσ), E2 = e^(hσ/2), Q = (E2 − 1)/σ and the weights
// f1 = h(φ₁ − 3φ₂ + 4φ₃), f2 = h(φ₂ − 2φ₃), f3 = h(−φ₂ + 4φ₃) at hσ.
type etdCoef struct {
	h                    float64
	e, e2, q, f1, f2, f3 []float64
}

func newEtdCoef(n int) *etdCoef {
	return &etdCoef{e: make([]float64, n), e2: make([]float64, n), q: make([]float64, n),
		f1: make([]float64, n), f2: make([]float64, n), f3: make([]float64, n)}
}

// set computes the coefficients for step h (cached).
func (c *etdCoef) set(sigma []float64, h float64) {
	if c.h == h {
		return
	}
	c.h = h
	for k, s := range sigma {
		x := h * s
		p1, p2, p3 := phi123(x)
		h1, _, _ := phi123(x / 2)
		c.e[k] = math.Exp(x)
		c.e2[k] = math.Exp(x / 2)
		c.q[k] = h / 2 * h1
		c.f1[k] = h * (p1 - 3*p2 + 4*p3)
		c.f2[k] = h * (p2 - 2*p3)
		c.f3[k] = h * (-p2 + 4*p3)
	}
}

// phi123 returns φ₁, φ₂, φ₃ at x, φ_k(x) = Σ_j x^j/(j+k)!: by their
// series for |x| < 1/2, else by φ₁ = expm1(x)/x and the recurrence
// φ_(k+1) = (φ_k − 1/k!)/x, which loses at most a factor 10 there.
func phi123(x float64) (p1, p2, p3 float64) {
	if math.Abs(x) < 0.5 {
		// Horner on the series, 20 terms (|x|²⁰/20! < 1e-25).
		for j := 20; j >= 0; j-- {
			p1 = p1*x/float64(j+2) + 1
			p2 = p2*x/float64(j+3) + 1
			p3 = p3*x/float64(j+4) + 1
		}
		return p1, p2 / 2, p3 / 6
	}
	p1 = math.Expm1(x) / x
	p2 = (p1 - 1) / x
	p3 = (p2 - 0.5) / x
	return p1, p2, p3
}

// etd integrates the Semilinear system in mode coordinates with the
// fourth-order exponential time-differencing Runge–Kutta scheme of Cox &
// Matthews (2002, J. Comput. Phys. 176, 430, their ETDRK4), with N_z the
// nonlinear term in mode coordinates:
//
//	a = E2 z + Q N(z),   b = E2 z + Q N(a),   c = E2 a + Q (2N(b) − N(z)),
//	z_new = E z + f1 N(z) + 2 f2 (N(a) + N(b)) + f3 N(c).
//
// The stiff linear part is integrated exactly, and a fixed point of the
// full system is a fixed point of the scheme for every h (so steps grow
// freely as the state settles). Error control by step doubling: one step
// of h, z_h, against two of h/2, z_h/2. The accepted state is the
// Richardson extrapolation z_h/2 + (z_h/2 − z_h)/15 (local order 6 on
// non-stiff problems; a fixed point stays one), and the error estimate is
// z_h/2 − z_h, about 16 times that of z_h/2 and more than that of the
// accepted state: with this conservative estimate the global error stays
// near the tolerance, as it does for Dormand–Prince (the estimate
// (z_h/2 − z_h)/15 alone let it grow to 20 times the tolerance). The
// scheme stops exactly at the requested times.
func (st *odeState) etd(sys Semilinear) error {
	set, res := st.set, st.res
	res.Method = ETDRK4
	n := len(st.y)
	tEnd := st.times[len(st.times)-1]
	sigma := make([]float64, n)
	sys.LinearRates(sigma)
	z := make([]float64, n)
	sys.ToModes(z, st.y)
	ys, nl, f := make([]float64, n), make([]float64, n), make([]float64, n)
	eval := func(dst, zz []float64) {
		sys.FromModes(ys, zz)
		sys.Nonlinear(nl, ys)
		sys.ToModes(dst, nl)
		res.Evals++
	}
	// residual writes f(y) = Qᵀ(σ∘z + N) into f and returns ‖f‖∞.
	tmp := make([]float64, n)
	residual := func(zz, nz []float64) float64 {
		for i := range tmp {
			tmp[i] = sigma[i]*zz[i] + nz[i]
		}
		sys.FromModes(f, tmp)
		return maxAbs(f)
	}
	full, half := newEtdCoef(n), newEtdCoef(n)
	na, nb, nc, nm := make([]float64, n), make([]float64, n), make([]float64, n), make([]float64, n)
	a, b, cc := make([]float64, n), make([]float64, n), make([]float64, n)
	// step writes one ETDRK4 step of the coefficients co from zin, whose
	// nonlinear term is n0, into zout.
	step := func(co *etdCoef, zin, n0, zout []float64) {
		for k := range a {
			a[k] = co.e2[k]*zin[k] + co.q[k]*n0[k]
		}
		eval(na, a)
		for k := range b {
			b[k] = co.e2[k]*zin[k] + co.q[k]*na[k]
		}
		eval(nb, b)
		for k := range cc {
			cc[k] = co.e2[k]*a[k] + co.q[k]*(2*nb[k]-n0[k])
		}
		eval(nc, cc)
		for k := range zout {
			zout[k] = co.e[k]*zin[k] + co.f1[k]*n0[k] + 2*co.f2[k]*(na[k]+nb[k]) + co.f3[k]*nc[k]
		}
	}
	n0 := make([]float64, n)
	eval(n0, z)
	if !allFinite(n0) {
		return ErrNotFinite
	}
	if set.StopResidual > 0 && residual(z, n0) <= set.StopResidual {
		res.Stopped = true
		st.finish(f)
		return nil
	}
	h := set.FixedStep
	if h == 0 {
		residual(z, n0)
		h = st.maxStep(math.Max(st.initialStep(f, tEnd), 1e-6))
	}
	u1, mid, u2, e := make([]float64, n), make([]float64, n), make([]float64, n), make([]float64, n)
	rejected := false

	for st.t < tEnd {
		if err := st.ctx.Err(); err != nil {
			residual(z, n0)
			st.finish(f)
			return err
		}
		if res.Steps+res.Rejected >= set.MaxSteps {
			residual(z, n0)
			st.finish(f)
			return ErrMaxSteps
		}
		// Stop exactly at the next output time.
		tOut := st.times[st.next]
		if set.FixedStep > 0 {
			h = (tOut - st.t) / math.Ceil((tOut-st.t)/set.FixedStep-1e-9)
		}
		last := false
		hFull := h
		if st.t+h >= tOut || tOut-(st.t+h) < 1e-10*h {
			h, last = tOut-st.t, true
		}
		if h <= 16*ulp(st.t) {
			residual(z, n0)
			st.finish(f)
			return ErrStepSize
		}

		// One step of h and two of h/2.
		full.set(sigma, h)
		half.set(sigma, h/2)
		step(full, z, n0, u1)
		step(half, z, n0, mid)
		eval(nm, mid)
		step(half, mid, nm, u2)
		// Local extrapolation: u2 + (u2 − u1)/15 cancels the leading
		// error term of u2; the error estimate is u2 − u1 itself, the
		// error of the single step, which bounds that of the accepted
		// state generously (as Dormand–Prince controls its 4th-order
		// estimate while advancing the 5th-order solution).
		for k := range e {
			e[k] = u2[k] - u1[k]
			u2[k] += e[k] / 15
		}
		errN := st.errNorm(e, z, u2)
		if set.FixedStep == 0 && !(errN <= 1) {
			if math.IsNaN(errN) || math.IsInf(errN, 0) {
				h *= 0.1
			} else {
				h = control(h, errN, true)
			}
			res.Rejected++
			rejected = true
			continue
		}
		if !allFinite(u2) {
			residual(z, n0)
			st.finish(f)
			return ErrNotFinite
		}

		// Accept the two-half-step result.
		st.t += h
		if last {
			st.t = tOut
		}
		copy(z, u2)
		eval(n0, z)
		res.Steps++
		sys.FromModes(st.y, z)
		if last {
			st.record(st.t, st.y)
			st.next++
		}
		if set.Progress != nil {
			set.Progress(st.t)
		}
		if set.StopResidual > 0 && st.t < tEnd && residual(z, n0) <= set.StopResidual {
			res.Stopped = true
			st.finish(f)
			return nil
		}
		if set.FixedStep == 0 {
			hNew := st.maxStep(control(h, errN, rejected))
			if last {
				// A step shortened to reach an output time says little
				// about the scale: resume from the step it replaced.
				hNew = math.Max(hNew, hFull)
			}
			h = hNew
		}
		rejected = false
	}
	residual(z, n0)
	st.finish(f)
	return nil
}

// ulp returns the spacing of float64 values at |t|.
func ulp(t float64) float64 {
	a := math.Abs(t)
	return math.Nextafter(a, math.Inf(1)) - a
}

// axpy adds a·x to dst.
func axpy(dst []float64, a float64, x []float64) {
	for i, v := range x {
		dst[i] += a * v
	}
}

func maxAbs(x []float64) float64 {
	var m float64
	for _, v := range x {
		if a := math.Abs(v); a > m || math.IsNaN(a) {
			m = a
		}
	}
	return m
}

func allFinite(x []float64) bool {
	for _, v := range x {
		if math.IsNaN(v) || math.IsInf(v, 0) {
			return false
		}
	}
	return true
}

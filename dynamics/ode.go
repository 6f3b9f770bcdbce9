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
// part L is diagonal in an orthonormal basis: L = Qᵀ diag(σ) Q. The Lawson
// integrator (LawsonDP5) treats L exactly through e^(hσ), which removes the
// step-size limit of stiff linear modes such as a finely discretised
// Laplacian.
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
	// system is Semilinear, continues with LawsonDP5; a stiff system that
	// is not Semilinear goes on with DormandPrince and is reported in
	// ODEResult.Stiff.
	Auto Method = iota
	// DormandPrince is the explicit embedded Runge–Kutta pair 5(4) of
	// Dormand & Prince (1980) with local extrapolation, FSAL, the
	// 4th-order dense output of Hairer, Nørsett & Wanner (1993, §II.6) and
	// their stiffness test (§IV.2).
	DormandPrince
	// LawsonDP5 is the Lawson (integrating-factor) form of the same pair
	// for Semilinear systems, with error control in mode coordinates; it
	// stops exactly at the requested times instead of interpolating.
	LawsonDP5
)

// String returns the method's name.
func (m Method) String() string {
	switch m {
	case Auto:
		return "auto"
	case DormandPrince:
		return "dopri5"
	case LawsonDP5:
		return "lawson-dopri5"
	}
	return fmt.Sprintf("Method(%d)", int(m))
}

// ODESettings control Integrate. A nil *ODESettings, or a zero field,
// selects the documented default.
type ODESettings struct {
	// RelTol and AbsTol set the error control: the weighted RMS norm of
	// the local error estimate, component k weighted by
	// 1/(AbsTol + RelTol·max(|y_k|, |y_k new|)), must not exceed 1
	// (defaults 1e-8 and 1e-10).
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
	// evaluations of f (or of n for the Lawson method).
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
	// to LawsonDP5 by Auto, NaN if none.
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
// or if LawsonDP5 is requested for a system that is not Semilinear.
//
// On an error (ErrStepSize, ErrMaxSteps, ErrNotFinite, or ctx's error
// after cancellation) the partial result up to the failure is returned
// with it. Stiffness is not an error: see ODEResult.Stiff and Auto.
func Integrate(ctx context.Context, sys System, y0, times []float64, s *ODESettings) (*ODEResult, error) {
	n := sys.Dim()
	if len(y0) != n {
		panic(fmt.Sprintf("dynamics: initial state length %d, system dimension %d", len(y0), n))
	}
	if len(times) == 0 {
		panic("dynamics: no output times")
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
	if set.Method == LawsonDP5 && !isSemi {
		panic("dynamics: LawsonDP5 needs a Semilinear system")
	}

	res := &ODEResult{SwitchedAt: math.NaN()}
	res.T = append(res.T, times[0])
	res.Y = append(res.Y, append([]float64(nil), y0...))
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
	if method == LawsonDP5 {
		return res, st.lawson(semi)
	}
	switched, err := st.dopri(method == Auto && isSemi)
	if err != nil || !switched {
		return res, err
	}
	res.SwitchedAt = st.t
	return res, st.lawson(semi)
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

// lawson integrates the Semilinear system in mode coordinates with the
// Lawson form of the Dormand–Prince pair: with E(s) = diag(e^(sσ)),
//
//	Z_i = E(c_i h) z + h Σ_(j<i) a_ij E((c_i − c_j)h) N_j,   N_j = Q n(Qᵀ Z_j),
//
// z_new = Z_7 and the error estimate h Σ_j (b_j − b̂_j) E((1 − c_j)h) N_j.
// Only decaying exponentials of the stiff modes appear.
func (st *odeState) lawson(sys Semilinear) error {
	set, res := st.set, st.res
	res.Method = LawsonDP5
	n := len(st.y)
	tEnd := st.times[len(st.times)-1]
	sigma := make([]float64, n)
	sys.LinearRates(sigma)
	z := make([]float64, n)
	sys.ToModes(z, st.y)
	var k [7][]float64
	for i := range k {
		k[i] = make([]float64, n)
	}
	zs, ys, nl, e, z1 := make([]float64, n), make([]float64, n), make([]float64, n), make([]float64, n), make([]float64, n)
	f := make([]float64, n)
	eval := func(dst, zz []float64) {
		sys.FromModes(ys, zz)
		sys.Nonlinear(nl, ys)
		sys.ToModes(dst, nl)
		res.Evals++
	}
	// residual writes f(y) = Qᵀ(σ∘z + N) for the state z with nonlinear
	// modes nz, and returns its max norm.
	residual := func(zz, nz []float64) float64 {
		for i := range zs {
			zs[i] = sigma[i]*zz[i] + nz[i]
		}
		sys.FromModes(f, zs)
		return maxAbs(f)
	}
	eval(k[0], z)
	if !allFinite(k[0]) {
		return ErrNotFinite
	}
	if set.StopResidual > 0 && residual(z, k[0]) <= set.StopResidual {
		res.Stopped = true
		st.finish(f)
		return nil
	}
	h := set.FixedStep
	if h == 0 {
		// The stiff linear part is exact: start from the nonlinear scale.
		h = st.initialStep(f, tEnd)
		h = st.maxStep(math.Max(h, 1e-6))
	}
	expo := func(dst []float64, s float64) {
		for i, r := range sigma {
			dst[i] = math.Exp(r * s)
		}
	}
	ex := make([]float64, n)
	rejected := false

	for st.t < tEnd {
		if err := st.ctx.Err(); err != nil {
			residual(z, k[0])
			st.finish(f)
			return err
		}
		if res.Steps+res.Rejected >= set.MaxSteps {
			residual(z, k[0])
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
			residual(z, k[0])
			st.finish(f)
			return ErrStepSize
		}

		// Stages 2..7.
		for i := 1; i < 7; i++ {
			dst := zs
			if i == 6 {
				dst = z1
			}
			expo(ex, dpC[i]*h)
			for m := range dst {
				dst[m] = ex[m] * z[m]
			}
			for j := 0; j < i; j++ {
				a := dpA[i][j]
				if a == 0 {
					continue
				}
				expo(ex, (dpC[i]-dpC[j])*h)
				for m := range dst {
					dst[m] += h * a * ex[m] * k[j][m]
				}
			}
			eval(k[i], dst)
		}

		// Error estimate with the same decayed stage values.
		clear(e)
		for j := range k {
			if dpE[j] == 0 {
				continue
			}
			expo(ex, (1-dpC[j])*h)
			for m := range e {
				e[m] += h * dpE[j] * ex[m] * k[j][m]
			}
		}
		errN := st.errNorm(e, z, z1)
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
		if !allFinite(z1) || !allFinite(k[6]) {
			residual(z, k[0])
			st.finish(f)
			return ErrNotFinite
		}

		// Accept.
		st.t += h
		if last {
			st.t = tOut
		}
		copy(z, z1)
		k[0], k[6] = k[6], k[0]
		res.Steps++
		sys.FromModes(st.y, z)
		if last {
			st.record(st.t, st.y)
			st.next++
		}
		if set.Progress != nil {
			set.Progress(st.t)
		}
		if set.StopResidual > 0 && st.t < tEnd && residual(z, k[0]) <= set.StopResidual {
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
	residual(z, k[0])
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

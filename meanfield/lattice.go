package meanfield

import (
	"context"
	"errors"
	"fmt"
	"math"
	"math/rand/v2"
	"sort"

	"gonum.org/v1/gonum/mat"

	"placecell/dynamics"
)

// RandomStart returns an M×N row-major state of independent N(0, sigma²)
// entries drawn from rnd: the small random start of THEORY.md §5.4
// (sigma = 0.01 there).
func RandomStart(rnd *rand.Rand, n, m int, sigma float64) []float64 {
	w := make([]float64, n*m)
	for k := range w {
		w[k] = sigma * rnd.NormFloat64()
	}
	return w
}

// LatticeSettings control SolveLattice. A nil pointer or a zero field
// selects the default.
type LatticeSettings struct {
	// MaxTau bounds the integration time (default 20000).
	MaxTau float64
	// FlowResidual is the residual ‖f‖∞ at which the integration hands
	// over to Newton's method (default 1e-7).
	FlowResidual float64
	// Tol is the residual at which Newton's method stops (default 1e-13).
	Tol float64
}

// LatticeSolution is a stationary state of the small-β lattice equation
// (THEORY.md §4.8, §5.4) reached from a given start.
type LatticeSolution struct {
	N, M int
	// W is the M×N stationary ŵ, each row sign-normalised (largest entry
	// positive).
	W []float64
	// Tau is the integration time used before Newton's method, with the
	// integrator's accepted and rejected steps.
	Tau            float64
	Steps, Rejects int
	// NewtonSteps and Residual (‖f(ŵ)‖∞ at the end) describe the polish.
	NewtonSteps int
	Residual    float64
	// Units holds the shape of each row.
	Units []UnitShape
}

// UnitShape summarises one stationary receptive field.
type UnitShape struct {
	Peak   float64 // max_i ŵ_i
	SumSq  float64 // b = Σ ŵ²
	Sum    float64 // Σ ŵ (the order parameter W, eq 12, rescaled)
	PR     float64 // participation ratio
	FWHM   float64 // linear interpolation (dynamics.FWHM)
	Centre float64 // circular mean of ŵ²
}

// SolveLattice integrates the lattice equation for m units on n sites
// from w0 (M×N, not modified) with the adaptive integrator until the
// residual falls below FlowResidual, then polishes the state by Newton's
// method with the symmetric Jacobian, removing its (near-)zero symmetry
// modes by a truncated eigen-solve. For M ≥ 2 the result is rotated by
// Localize to one bump per unit. THEORY.md §5.4: from a random start of
// standard deviation 0.01 at N = 100, M = 1 this gives the site-centred
// bump of peak 0.919593 and Σŵ² = 2.400121.
//
// It returns an error if the integration fails, the residual is not
// reached by MaxTau, or Newton's method does not converge. It panics if
// len(w0) != n·m.
func SolveLattice(ctx context.Context, n, m int, w0 []float64, s *LatticeSettings) (*LatticeSolution, error) {
	if len(w0) != n*m {
		panic(fmt.Sprintf("meanfield: start of length %d, want %d×%d", len(w0), m, n))
	}
	set := LatticeSettings{MaxTau: 20000, FlowResidual: 1e-7, Tol: 1e-13}
	if s != nil {
		if s.MaxTau > 0 {
			set.MaxTau = s.MaxTau
		}
		if s.FlowResidual > 0 {
			set.FlowResidual = s.FlowResidual
		}
		if s.Tol > 0 {
			set.Tol = s.Tol
		}
	}
	lat := dynamics.NewLattice(n, m)
	res, err := dynamics.Integrate(ctx, lat, w0, []float64{0, set.MaxTau},
		&dynamics.ODESettings{RelTol: 1e-10, AbsTol: 1e-12, StopResidual: set.FlowResidual})
	if err != nil {
		return nil, fmt.Errorf("meanfield: integration of the lattice equation: %w", err)
	}
	if res.Residual > set.FlowResidual {
		return nil, fmt.Errorf("meanfield: no stationary state by τ = %g (residual %.3g)", set.MaxTau, res.Residual)
	}
	w := append([]float64(nil), res.Y[len(res.Y)-1]...)
	sol := &LatticeSolution{N: n, M: m, Tau: res.T[len(res.T)-1], Steps: res.Steps, Rejects: res.Rejected}
	sol.NewtonSteps, sol.Residual, err = Newton(lat, w, set.Tol)
	if err != nil {
		return nil, err
	}
	if m > 1 {
		Localize(w, n, m)
	}
	for mu := 0; mu < m; mu++ {
		dynamics.SignNormalize(w[mu*n:(mu+1)*n], w[mu*n:(mu+1)*n])
	}
	sol.W = w
	sol.Units = Shapes(w, n, m)
	return sol, nil
}

// Localize rotates the M×N state w in place, w → Rw with R orthogonal
// acting on the units, to the representative of its O(M) orbit that
// maximises Σ_μi ŵ_μi⁴ (the varimax criterion), by sweeps of pairwise
// Jacobi rotations until no angle exceeds 1e-12.
//
// The small-β equations (lattice and continuum) are invariant under such
// rotations, since their Lyapunov function depends on ŵ only through the
// Gram matrix, the row norms ‖ŵ_i·‖ and tr(ŵAŵᵀ) (THEORY.md §4.9): every
// stationary state of M ≥ 2 units comes with a continuous family of
// rotated copies (exact zero modes of the Jacobian), and the flow ends on
// an arbitrary member. Mixing two disjoint bumps lowers Σŵ⁴, so the
// maximiser is the state with one bump per unit drawn in Fig 14b.
func Localize(w []float64, n, m int) {
	f := func(x, y []float64, th float64) float64 {
		c, s := math.Cos(th), math.Sin(th)
		var q float64
		for i := range x {
			a, b := c*x[i]-s*y[i], s*x[i]+c*y[i]
			q += a*a*a*a + b*b*b*b
		}
		return q
	}
	for sweep := 0; sweep < 100; sweep++ {
		moved := false
		for mu := 0; mu < m; mu++ {
			for nu := mu + 1; nu < m; nu++ {
				x, y := w[mu*n:(mu+1)*n], w[nu*n:(nu+1)*n]
				// Σ of fourth powers is A + B cos 4θ + C sin 4θ.
				f0, f8, f4 := f(x, y, 0), f(x, y, math.Pi/8), f(x, y, math.Pi/4)
				a := (f0 + f4) / 2
				b, cc := (f0-f4)/2, f8-a
				th := math.Atan2(cc, b) / 4
				if math.Abs(th) < 1e-12 {
					continue
				}
				moved = true
				c, s := math.Cos(th), math.Sin(th)
				for i := range x {
					x[i], y[i] = c*x[i]-s*y[i], s*x[i]+c*y[i]
				}
			}
		}
		if !moved {
			return
		}
	}
}

// Shapes returns the shape of each row of the M×N state w.
func Shapes(w []float64, n, m int) []UnitShape {
	out := make([]UnitShape, m)
	for mu := range out {
		row := dynamics.SignNormalize(nil, w[mu*n:(mu+1)*n])
		u := UnitShape{Peak: math.Inf(-1), PR: dynamics.ParticipationRatio(row), FWHM: dynamics.FWHM(row)}
		for _, x := range row {
			u.Peak = math.Max(u.Peak, x)
			u.SumSq += x * x
			u.Sum += x
		}
		u.Centre, _ = dynamics.Centre(row)
		out[mu] = u
	}
	return out
}

// Newton refines w in place towards a stationary state of the lattice
// equation, f(w) = 0, solving J δ = −f in the eigenbasis of the symmetric
// Jacobian J with eigenvalues below 1e-10·max|λ| dropped (the exact
// rotation modes of M ≥ 2 units; f is orthogonal to them). It returns the
// number of steps and the final residual ‖f‖∞, and an error if the
// residual does not fall below tol within 50 steps.
func Newton(lat *dynamics.Lattice, w []float64, tol float64) (steps int, residual float64, err error) {
	f := make([]float64, len(w))
	lat.Deriv(f, w)
	residual = maxAbs(f)
	for steps = 0; steps < 50 && residual > tol; steps++ {
		d, err := symSolve(lat.Jacobian(w), f, 1e-10)
		if err != nil {
			return steps, residual, err
		}
		for k := range w {
			w[k] -= d[k]
		}
		lat.Deriv(f, w)
		r := maxAbs(f)
		if !(r < 10*residual) {
			return steps + 1, r, fmt.Errorf("meanfield: Newton diverged (residual %.3g → %.3g)", residual, r)
		}
		residual = r
	}
	if residual > tol {
		return steps, residual, fmt.Errorf("meanfield: Newton did not reach %.1g (residual %.3g)", tol, residual)
	}
	return steps, residual, nil
}

// Mode is one eigenmode of the Jacobian at a stationary state.
type Mode struct {
	Value float64 `json:"value"`
	// Kind is "translation" (overlap with the shifts ŵ_(i+1)μ − ŵ_(i−1)μ
	// of the units), "rotation" (overlap with the rotations
	// δŵ_μ = ŵ_ν, δŵ_ν = −ŵ_μ of pairs of units, exact zero modes of the
	// small-β equation for M ≥ 2) or "shape".
	Kind string `json:"kind"`
	// Translation and Rotation are the squared norms of the projections
	// of the eigenvector on the two symmetry subspaces.
	Translation float64 `json:"translation_overlap"`
	Rotation    float64 `json:"rotation_overlap"`
}

// Stability is the spectrum of the lattice Jacobian at a stationary
// state, J = A + diag(3ŵ_i² − b) − 2ŵŵᵀ for M = 1 (THEORY.md §5.3).
type Stability struct {
	// Modes holds every eigenvalue in decreasing order with its
	// classification.
	Modes []Mode
	// Leading is the largest eigenvalue that is not an exact rotation
	// zero mode; the state is Stable iff Leading < 0. The translation
	// modes are not excluded: on the lattice they are pinned (THEORY.md
	// §5.3, −0.0323 at N = 100) and their sign decides whether the
	// position is stable.
	Leading float64
	Stable  bool
}

// LatticeStability diagonalises the Jacobian of the lattice equation at w
// (M×N) and classifies its modes: the M eigenvectors with the largest
// overlap with the translation subspace are "translation", the M(M−1)/2
// with the largest overlap with the rotation subspace are "rotation".
func LatticeStability(n, m int, w []float64) (*Stability, error) {
	lat := dynamics.NewLattice(n, m)
	var eig mat.EigenSym
	if !eig.Factorize(lat.Jacobian(w), true) {
		return nil, errors.New("meanfield: eigendecomposition failed")
	}
	vals := eig.Values(nil)
	var vecs mat.Dense
	eig.VectorsTo(&vecs)
	d := n * m

	// Orthonormal bases of the two symmetry subspaces.
	var trans, rot [][]float64
	for mu := 0; mu < m; mu++ {
		g := make([]float64, d)
		for i := 0; i < n; i++ {
			g[mu*n+i] = w[mu*n+(i+1)%n] - w[mu*n+(i+n-1)%n]
		}
		trans = append(trans, g)
		for nu := mu + 1; nu < m; nu++ {
			r := make([]float64, d)
			for i := 0; i < n; i++ {
				r[mu*n+i] = w[nu*n+i]
				r[nu*n+i] = -w[mu*n+i]
			}
			rot = append(rot, r)
		}
	}
	trans, rot = orthonormal(trans), orthonormal(rot)
	proj := func(basis [][]float64, j int) float64 {
		var s float64
		for _, b := range basis {
			var c float64
			for k := 0; k < d; k++ {
				c += b[k] * vecs.At(k, j)
			}
			s += c * c
		}
		return s
	}
	modes := make([]Mode, d)
	for j := range modes {
		modes[j] = Mode{Value: vals[j], Kind: "shape", Translation: proj(trans, j), Rotation: proj(rot, j)}
	}
	mark := func(kind string, count int, key func(Mode) float64) {
		idx := make([]int, 0, d)
		for j := range modes {
			if modes[j].Kind == "shape" {
				idx = append(idx, j)
			}
		}
		sort.SliceStable(idx, func(a, b int) bool { return key(modes[idx[a]]) > key(modes[idx[b]]) })
		for _, j := range idx[:min(count, len(idx))] {
			modes[j].Kind = kind
		}
	}
	mark("rotation", len(rot), func(x Mode) float64 { return x.Rotation })
	mark("translation", len(trans), func(x Mode) float64 { return x.Translation })
	sort.SliceStable(modes, func(a, b int) bool { return modes[a].Value > modes[b].Value })

	st := &Stability{Modes: modes, Leading: math.Inf(-1)}
	for _, x := range modes {
		if x.Kind != "rotation" {
			st.Leading = math.Max(st.Leading, x.Value)
		}
	}
	st.Stable = st.Leading < 0
	return st, nil
}

// orthonormal returns an orthonormal basis of the span of vs (modified
// Gram–Schmidt, dropping vectors that are dependent to 1e-12).
func orthonormal(vs [][]float64) [][]float64 {
	var out [][]float64
	for _, v := range vs {
		u := append([]float64(nil), v...)
		for _, b := range out {
			var c float64
			for k := range u {
				c += b[k] * u[k]
			}
			for k := range u {
				u[k] -= c * b[k]
			}
		}
		var s float64
		for _, x := range u {
			s += x * x
		}
		if s = math.Sqrt(s); s > 1e-12 {
			for k := range u {
				u[k] /= s
			}
			out = append(out, u)
		}
	}
	return out
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

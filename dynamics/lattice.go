package dynamics

import (
	"fmt"
	"math"

	"gonum.org/v1/gonum/dsp/fourier"
	"gonum.org/v1/gonum/mat"
)

// Lattice is the small-β cubic lattice equation for M units on a ring of N
// sites, in rescaled units ŵ = w·√(Var₀/β), τ = β·Var₀·t (THEORY.md §4.8;
// the paper's eq 37 for M = 1, eqs 50–51 for M = 2):
//
//	dŵ_iμ/dτ = ŵ_(i+1)μ + ŵ_(i−1)μ − Σ_ν G_μν ŵ_iν + ŵ_iμ Σ_ν ŵ_iν²,
//	G = ŵ ŵᵀ (the M×M Gram matrix of the rows).
//
// The state is M×N row-major, row μ the field of unit μ. It is the gradient
// flow dŵ/dτ = −∂F/∂ŵ of the Lyapunov function F (§4.9). It panics if N < 3
// or M < 1.
type Lattice struct {
	N, M int
	g    []float64 // scratch Gram matrix
	r2   []float64 // scratch row norms
}

// NewLattice returns the lattice equation for m units on n sites.
func NewLattice(n, m int) *Lattice {
	if n < 3 || m < 1 {
		panic(fmt.Sprintf("dynamics: lattice needs N ≥ 3 and M ≥ 1, have N = %d, M = %d", n, m))
	}
	return &Lattice{N: n, M: m, g: make([]float64, m*m), r2: make([]float64, n)}
}

// Dim implements System: M·N.
func (l *Lattice) Dim() int { return l.N * l.M }

// Deriv implements System. It is not safe for concurrent use (it keeps a
// scratch Gram matrix); use one Lattice per goroutine.
func (l *Lattice) Deriv(dst, w []float64) {
	n, m := l.N, l.M
	if len(dst) != n*m || len(w) != n*m {
		panic("dynamics: lattice state length mismatch")
	}
	if m == 1 {
		// Fast path of eq 37: b = Σ ŵ².
		var b float64
		for _, x := range w {
			b += x * x
		}
		dst[0] = w[n-1] + w[1] - b*w[0] + w[0]*w[0]*w[0]
		for i := 1; i < n-1; i++ {
			x := w[i]
			dst[i] = w[i-1] + w[i+1] - b*x + x*x*x
		}
		x := w[n-1]
		dst[n-1] = w[n-2] + w[0] - b*x + x*x*x
		return
	}
	gram(l.g, w, m, n)
	// r2_i = ‖ŵ_i·‖², accumulated row by row (contiguous access).
	r2 := l.r2[:n]
	clear(r2)
	for nu := 0; nu < m; nu++ {
		for i, x := range w[nu*n : (nu+1)*n] {
			r2[i] += x * x
		}
	}
	for mu := 0; mu < m; mu++ {
		row := w[mu*n : (mu+1)*n]
		out := dst[mu*n : (mu+1)*n]
		out[0] = row[n-1] + row[1] + r2[0]*row[0]
		for i := 1; i < n-1; i++ {
			out[i] = row[i-1] + row[i+1] + r2[i]*row[i]
		}
		out[n-1] = row[n-2] + row[0] + r2[n-1]*row[n-1]
		for nu := 0; nu < m; nu++ {
			axpy(out, -l.g[mu*m+nu], w[nu*n:(nu+1)*n])
		}
	}
}

// gram writes G_μν = Σ_i w_μi w_νi.
func gram(g, w []float64, m, n int) {
	for mu := 0; mu < m; mu++ {
		for nu := 0; nu <= mu; nu++ {
			var s float64
			a, b := w[mu*n:(mu+1)*n], w[nu*n:(nu+1)*n]
			for i := range a {
				s += a[i] * b[i]
			}
			g[mu*m+nu], g[nu*m+mu] = s, s
		}
	}
}

// Lyapunov returns F(ŵ) = −½ tr(ŵ A ŵᵀ) + ¼ tr(G²) − ¼ Σ_i ‖ŵ_i·‖⁴
// (THEORY.md §4.9), which decreases along the flow: dF/dτ = −‖dŵ/dτ‖².
func (l *Lattice) Lyapunov(w []float64) float64 {
	n, m := l.N, l.M
	g := make([]float64, m*m)
	gram(g, w, m, n)
	var f float64
	for mu := 0; mu < m; mu++ {
		row := w[mu*n : (mu+1)*n]
		for i := range row {
			f -= row[i] * row[(i+1)%n]
		}
	}
	for _, x := range g {
		f += x * x / 4
	}
	for i := 0; i < n; i++ {
		var r2 float64
		for mu := 0; mu < m; mu++ {
			r2 += w[mu*n+i] * w[mu*n+i]
		}
		f -= r2 * r2 / 4
	}
	return f
}

// Jacobian writes the symmetric Jacobian J = ∂f/∂ŵ of the lattice flow at
// w into a new (M·N)×(M·N) matrix, indices (μ, i) ↦ μN + i:
//
//	J_(iμ),(jλ) = δ_μλ A_ij − δ_ij G_μλ − δ_μλ (ŵ_j·ŵ_i) − ŵ_jμ ŵ_iλ
//	             + δ_ij (δ_μλ ‖ŵ_i·‖² + 2 ŵ_iμ ŵ_iλ),
//
// with ŵ_j·ŵ_i = Σ_ν ŵ_jν ŵ_iν. For M = 1 this is
// A + diag(3ŵ_i² − b) − 2ŵŵᵀ (THEORY.md §5.3). J = −∇²F is symmetric.
func (l *Lattice) Jacobian(w []float64) *mat.SymDense {
	n, m := l.N, l.M
	if len(w) != n*m {
		panic("dynamics: lattice state length mismatch")
	}
	g := make([]float64, m*m)
	gram(g, w, m, n)
	d := n * m
	jac := mat.NewSymDense(d, nil)
	at := func(mu, i int) float64 { return w[mu*n+i] }
	for mu := 0; mu < m; mu++ {
		for i := 0; i < n; i++ {
			r := mu*n + i
			for lam := 0; lam < m; lam++ {
				for j := 0; j < n; j++ {
					c := lam*n + j
					if c < r {
						continue
					}
					var v float64
					if mu == lam {
						if j == (i+1)%n || j == (i+n-1)%n {
							v++
						}
						var dot float64
						for nu := 0; nu < m; nu++ {
							dot += at(nu, j) * at(nu, i)
						}
						v -= dot
					}
					v -= at(mu, j) * at(lam, i)
					if i == j {
						v -= g[mu*m+lam]
						if mu == lam {
							var r2 float64
							for nu := 0; nu < m; nu++ {
								r2 += at(nu, i) * at(nu, i)
							}
							v += r2
						}
						v += 2 * at(mu, i) * at(lam, i)
					}
					jac.SetSym(r, c, v)
				}
			}
		}
	}
	return jac
}

// Continuum is the method-of-lines discretisation of the small-β
// reaction–diffusion equations for M units on a ring of length L (THEORY.md
// §4.10; the paper's eqs 38–39 for M = 1 and 52–53 for M = 2):
//
//	∂_τ w_μ = ∂_x² w_μ + 2w_μ − Σ_ν c_μν w_ν + w_μ Σ_ν w_ν²,   c_μν = ∫ w_μ w_ν dx,
//
// on P equally spaced points x_k = k·dx, dx = L/P, with the second-order
// Laplacian (w_(k+1) − 2w_k + w_(k−1))/dx² and c_μν = dx Σ_k w_μk w_νk (the
// periodic trapezoid rule, spectrally accurate for smooth profiles). The
// state is M×P row-major.
//
// Continuum is Semilinear: its linear part ∂_x² + 2 is diagonal in the real
// Fourier basis, with σ_q = 2 − (4/dx²) sin²(πq/P). The most negative rate,
// about −4/dx², makes explicit schemes stiff for fine grids (step limit
// ≈ 3.3·dx²/4): use Auto or ETDRK4.
type Continuum struct {
	M, P   int
	Length float64
	dx     float64
	fft    *fourier.FFT
	coef   []complex128
	g      []float64
}

// NewContinuum returns the discretised continuum equation for m units on a
// ring of length length with p points. It panics if m < 1, p < 4 or
// length is not positive and finite.
func NewContinuum(m, p int, length float64) *Continuum {
	if m < 1 || p < 4 || !(length > 0) || math.IsInf(length, 0) {
		panic(fmt.Sprintf("dynamics: continuum needs M ≥ 1, P ≥ 4, L > 0; have M = %d, P = %d, L = %v", m, p, length))
	}
	return &Continuum{M: m, P: p, Length: length, dx: length / float64(p),
		fft: fourier.NewFFT(p), coef: make([]complex128, p/2+1), g: make([]float64, m*m)}
}

// Dx returns the grid spacing L/P.
func (c *Continuum) Dx() float64 { return c.dx }

// Dim implements System: M·P.
func (c *Continuum) Dim() int { return c.M * c.P }

// Deriv implements System. Not safe for concurrent use.
func (c *Continuum) Deriv(dst, w []float64) {
	c.Nonlinear(dst, w)
	p := c.P
	inv := 1 / (c.dx * c.dx)
	for mu := 0; mu < c.M; mu++ {
		row, out := w[mu*p:(mu+1)*p], dst[mu*p:(mu+1)*p]
		for k := range row {
			out[k] += (row[(k+1)%p]-2*row[k]+row[(k+p-1)%p])*inv + 2*row[k]
		}
	}
}

// Nonlinear implements Semilinear: −Σ_ν c_μν w_ν + w_μ Σ_ν w_ν².
func (c *Continuum) Nonlinear(dst, w []float64) {
	m, p := c.M, c.P
	if len(dst) != m*p || len(w) != m*p {
		panic("dynamics: continuum state length mismatch")
	}
	gram(c.g, w, m, p)
	for k := 0; k < p; k++ {
		var r2 float64
		for nu := 0; nu < m; nu++ {
			x := w[nu*p+k]
			r2 += x * x
		}
		for mu := 0; mu < m; mu++ {
			s := r2 * w[mu*p+k]
			for nu := 0; nu < m; nu++ {
				s -= c.dx * c.g[mu*m+nu] * w[nu*p+k]
			}
			dst[mu*p+k] = s
		}
	}
}

// LinearRates implements Semilinear. Mode order within each unit's block
// of P: q = 0, then (cos, sin) of q = 1, 2, …, then q = P/2 for even P
// (the order of ToModes).
func (c *Continuum) LinearRates(dst []float64) {
	p := c.P
	for mu := 0; mu < c.M; mu++ {
		out := dst[mu*p : (mu+1)*p]
		for j := range out {
			q := (j + 1) / 2
			s := math.Sin(math.Pi * float64(q) / float64(p))
			out[j] = 2 - 4*s*s/(c.dx*c.dx)
		}
	}
}

// ToModes implements Semilinear: the orthonormal real Fourier coordinates
// of each unit (THEORY.md §1.4 basis), ordered as in LinearRates.
func (c *Continuum) ToModes(dst, w []float64) {
	p := c.P
	r0 := 1 / math.Sqrt(float64(p))
	r := math.Sqrt(2 / float64(p))
	for mu := 0; mu < c.M; mu++ {
		c.fft.Coefficients(c.coef, w[mu*p:(mu+1)*p])
		out := dst[mu*p : (mu+1)*p]
		out[0] = real(c.coef[0]) * r0
		for q := 1; 2*q < p; q++ {
			// Σ_k w_k e^(−iθ) = Σ w cos θ − i Σ w sin θ.
			out[2*q-1] = real(c.coef[q]) * r
			out[2*q] = -imag(c.coef[q]) * r
		}
		if p%2 == 0 {
			out[p-1] = real(c.coef[p/2]) * r0
		}
	}
}

// FromModes implements Semilinear.
func (c *Continuum) FromModes(dst, z []float64) {
	p := c.P
	r0 := math.Sqrt(float64(p))
	r := math.Sqrt(float64(p) / 2)
	for mu := 0; mu < c.M; mu++ {
		in := z[mu*p : (mu+1)*p]
		c.coef[0] = complex(in[0]*r0, 0)
		for q := 1; 2*q < p; q++ {
			c.coef[q] = complex(in[2*q-1]*r, -in[2*q]*r)
		}
		if p%2 == 0 {
			c.coef[p/2] = complex(in[p-1]*r0, 0)
		}
		out := dst[mu*p : (mu+1)*p]
		c.fft.Sequence(out, c.coef)
		for k := range out {
			out[k] /= float64(p)
		}
	}
}

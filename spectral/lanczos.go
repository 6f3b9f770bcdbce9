package spectral

import (
	"errors"
	"math"
	"math/rand/v2"
	"runtime"
	"sync"

	"gonum.org/v1/gonum/blas"
	"gonum.org/v1/gonum/blas/blas64"
	"gonum.org/v1/gonum/floats"
	"gonum.org/v1/gonum/lapack/gonum"
	"gonum.org/v1/gonum/mat"
)

// Lanczos settings of TopEigen.
const (
	// eigenTol is the relative residual bound ‖Au − θu‖ ≤ eigenTol·‖A‖
	// at which a Ritz pair counts as converged.
	eigenTol = 1e-10
	// breakTol is the relative size, against ‖A‖, below which a new
	// Krylov direction counts as zero: the Krylov space is then invariant
	// and is continued with a fresh random direction.
	breakTol = 1e-12
	// growth is the factor by which the Krylov dimension grows between
	// convergence checks.
	growth = 1.25
	// denseMax is the largest N at which TopEigen falls back to a dense
	// eigendecomposition when the Krylov space would reach N.
	denseMax = 4096
	// fullMax is the largest N for which symOp keeps a full (both
	// triangles) copy of the matrix, which makes products about twice as
	// fast as from one triangle.
	fullMax = 8192
	// parMin is the smallest N at which symOp uses goroutines.
	parMin = 256
	// Seeds of the PCG generator of the starting block and of the
	// directions that continue an invariant subspace.
	lanczosSeed1, lanczosSeed2 = 0x6c616e637a6f73, 0x746f706569676e
)

// lanczos is the state of a block Lanczos iteration with block size p and
// full reorthogonalisation (Golub & Underwood 1977; Parlett, The Symmetric
// Eigenvalue Problem, 1998, ch. 13).
//
// The basis Q holds m orthonormal rows; the last p rows are the current
// block Q_j. The projected matrix T = QᵀAQ is block tridiagonal: diagonal
// blocks A_j = Q_j A Q_jᵀ and subdiagonal blocks B_j with
// (I − QQᵀ) A Q_jᵀ = Q_{j+1}ᵀ B_j.
type lanczos struct {
	op  *symOp
	n   int
	p   int
	rnd *rand.Rand

	// q holds the basis rows, m of them.
	q []float64
	m int
	// diag[j] and sub[j] are A_j and B_j, p×p row-major; B_j is upper
	// triangular, row c of W_j being Σ_{r ≤ c} B_j[r][c] next_r.
	diag, sub [][]float64
	// w is the residual block of the last step and next its orthonormal
	// rows, the pending block Q_{j+1}.
	w, next []float64
	// normEst is max ‖A q‖ over basis vectors q, a lower bound of ‖A‖.
	normEst float64
}

func newLanczos(op *symOp, p int) *lanczos {
	n := op.n
	l := &lanczos{
		op:   op,
		n:    n,
		p:    p,
		rnd:  rand.New(rand.NewPCG(lanczosSeed1, lanczosSeed2)),
		w:    make([]float64, p*n),
		next: make([]float64, p*n),
	}
	// Starting block: p random directions, orthonormalised.
	for i := range l.next {
		l.next[i] = l.rnd.NormFloat64()
	}
	for r := range p {
		l.orthonormalise(l.next, r, nil)
	}
	return l
}

// step appends the pending block to the basis, applies A to it, records
// A_j and computes the next block with its factor B_j.
func (l *lanczos) step() error {
	n, p := l.n, l.p
	m0 := l.m
	l.q = append(l.q, l.next...)
	l.m += p
	qj := l.q[m0*n:]

	// W = A Q_jᵀ, one row per basis row of the block.
	l.op.mulBlock(l.w, qj, p)
	for c := range p {
		wc := l.w[c*n : (c+1)*n]
		nrm := floats.Norm(wc, 2)
		if math.IsNaN(nrm) || math.IsInf(nrm, 0) {
			return errors.New("spectral: matrix has non-finite entries")
		}
		l.normEst = math.Max(l.normEst, nrm)
	}

	// Three-term recurrence: remove the components along Q_j (giving A_j)
	// and Q_{j−1} (giving B_{j−1}ᵀ up to rounding).
	a := make([]float64, p*p)
	lo := max(0, m0-p)
	for c := range p {
		wc := l.w[c*n : (c+1)*n]
		for r := lo; r < l.m; r++ {
			qr := l.q[r*n : (r+1)*n]
			h := floats.Dot(qr, wc)
			floats.AddScaled(wc, -h, qr)
			if r >= m0 {
				a[(r-m0)*p+c] = h
			}
		}
	}
	for r := range p {
		for c := r + 1; c < p; c++ {
			v := (a[r*p+c] + a[c*p+r]) / 2
			a[r*p+c], a[c*p+r] = v, v
		}
	}
	l.diag = append(l.diag, a)

	// Full reorthogonalisation against the whole basis, repeated once when
	// the first pass removed more than 1 − 1/√2 of the norm (Daniel,
	// Gragg, Kaufman & Stewart 1976: twice is enough).
	for c := range p {
		wc := l.w[c*n : (c+1)*n]
		before := floats.Norm(wc, 2)
		l.project(wc)
		if after := floats.Norm(wc, 2); after < before/math.Sqrt2 {
			l.project(wc)
		}
	}

	// Orthonormalise the residual block: W = B_jᵀ Q_{j+1}.
	copy(l.next, l.w)
	b := make([]float64, p*p)
	for r := range p {
		l.orthonormalise(l.next, r, b)
	}
	l.sub = append(l.sub, b)
	return nil
}

// orthonormalise makes row r of blk orthonormal to rows 0..r-1 of blk and
// to the basis, with Gram–Schmidt applied twice. When b is not nil, row r
// is a residual already orthogonal to the basis, and the coefficients are
// recorded in column r of the p×p matrix b: b[s][r] = ⟨blk_s, w_r⟩ and
// b[r][r] the remaining norm. A row whose remaining norm is at most
// breakTol·‖A‖ (breakTol relative to its own norm when b is nil) is
// replaced by a new random direction, with b[r][r] = 0: the Krylov space is
// invariant and continues from that direction.
func (l *lanczos) orthonormalise(blk []float64, r int, b []float64) {
	n, p := l.n, l.p
	x := blk[r*n : (r+1)*n]
	tol := breakTol * l.normEst
	if b == nil {
		tol = breakTol * floats.Norm(x, 2)
	}
	for attempt := 0; attempt < 10; attempt++ {
		for range 2 {
			for s := range r {
				y := blk[s*n : (s+1)*n]
				c := floats.Dot(x, y)
				floats.AddScaled(x, -c, y)
				if b != nil {
					b[s*p+r] += c
				}
			}
			if b == nil {
				l.project(x)
			}
		}
		nrm := floats.Norm(x, 2)
		if nrm > tol && nrm > 0 {
			floats.Scale(1/nrm, x)
			if b != nil {
				b[r*p+r] = nrm
			}
			return
		}
		// Breakdown: continue with a random direction, no longer part of
		// the recurrence (b is not updated further).
		for i := range x {
			x[i] = l.rnd.NormFloat64()
		}
		b = nil
		tol = breakTol * floats.Norm(x, 2)
	}
	panic("spectral: cannot extend the Krylov basis")
}

// project removes from x its components along the basis rows, x −= QᵀQx.
func (l *lanczos) project(x []float64) {
	if l.m == 0 {
		return
	}
	qm := blas64.General{Rows: l.m, Cols: l.n, Stride: l.n, Data: l.q}
	xv := blas64.Vector{N: l.n, Inc: 1, Data: x}
	c := blas64.Vector{N: l.m, Inc: 1, Data: make([]float64, l.m)}
	blas64.Gemv(blas.NoTrans, 1, qm, xv, 0, c)
	blas64.Gemv(blas.Trans, -1, qm, c, 1, xv)
}

// ritz solves the projected problem and reports whether the k largest
// Ritz pairs have converged; if so it returns them.
//
// T is reduced to tridiagonal form T = Z D Zᵀ-style by Householder
// reflections (Dsytrd, skipped for p = 1 where T is already tridiagonal),
// all Ritz values come from the tridiagonal QR iteration without vectors
// (Dsterf), and only the k wanted eigenvectors are computed, by inverse
// iteration on the tridiagonal matrix (Dgtsv) with Gram–Schmidt among
// them, and transformed back.
func (l *lanczos) ritz(k int) (*Eigen, bool, error) {
	m, p := l.m, l.p
	impl := gonum.Implementation{}

	// Tridiagonal form (d, e) of T and, for p > 1, the orthogonal z with
	// T = z · tridiag(d, e) · zᵀ.
	d := make([]float64, m)
	e := make([]float64, max(m-1, 1))
	var z []float64
	if p == 1 {
		for j := range m {
			d[j] = l.diag[j][0]
			if j+1 < m {
				e[j] = l.sub[j][0]
			}
		}
	} else {
		z = l.denseT()
		tau := make([]float64, m-1)
		work := make([]float64, 1)
		impl.Dsytrd(blas.Upper, m, z, m, d, e, tau, work, -1)
		work = make([]float64, int(work[0]))
		impl.Dsytrd(blas.Upper, m, z, m, d, e, tau, work, len(work))
		impl.Dorgtr(blas.Upper, m, z, m, tau, work, -1)
		if int(work[0]) > len(work) {
			work = make([]float64, int(work[0]))
		}
		impl.Dorgtr(blas.Upper, m, z, m, tau, work, len(work))
	}

	// All eigenvalues, ascending.
	theta := append([]float64(nil), d...)
	if !impl.Dsterf(m, theta, append([]float64(nil), e...)) {
		return nil, false, errors.New("spectral: projected eigenproblem failed")
	}
	normA := math.Max(math.Abs(theta[0]), math.Abs(theta[m-1]))

	// Eigenvectors of the k largest, and their residual bounds ‖B s_last‖.
	// Column j of s is the eigenvector of T for θ_{m−1−j}, and column j of
	// ys that of the tridiagonal form.
	s := make([]float64, m*k)
	ys := s
	if z != nil {
		ys = make([]float64, m*k)
	}
	y := make([]float64, m)
	last := make([]float64, p)
	bl := l.sub[len(l.sub)-1]
	for j := range k {
		tridiagVector(y, d, e, theta[m-1-j], normA, ys, j, k)
		for i := range m {
			ys[i*k+j] = y[i]
		}
		if z != nil {
			for i := range m {
				var v float64
				for t := range m {
					v += z[i*m+t] * y[t]
				}
				s[i*k+j] = v
			}
		}
		for r := range p {
			var v float64
			for c := r; c < p; c++ {
				v += bl[r*p+c] * s[(m-p+c)*k+j]
			}
			last[r] = v
		}
		if floats.Norm(last, 2) > eigenTol*normA {
			return nil, false, nil
		}
	}

	// Ritz vectors U = Qᵀ S.
	ev := &Eigen{
		Values:     make([]float64, k),
		Vectors:    mat.NewDense(l.n, k, nil),
		Iterations: m,
	}
	for j := range k {
		ev.Values[j] = theta[m-1-j]
	}
	qm := blas64.General{Rows: m, Cols: l.n, Stride: l.n, Data: l.q}
	sm := blas64.General{Rows: m, Cols: k, Stride: k, Data: s}
	blas64.Gemm(blas.Trans, blas.NoTrans, 1, qm, sm, 0, ev.Vectors.RawMatrix())
	finishEigen(l.op, ev)
	return ev, true, nil
}

// denseT returns T as a dense m×m row-major array (upper triangle set).
func (l *lanczos) denseT() []float64 {
	m, p := l.m, l.p
	t := make([]float64, m*m)
	for j, a := range l.diag {
		for r := range p {
			for c := r; c < p; c++ {
				t[(j*p+r)*m+j*p+c] = a[r*p+c]
			}
		}
		if j+1 < len(l.diag) {
			// T[(j+1)p + r][jp + c] = B_j[r][c], stored in the upper
			// triangle at (jp + c, (j+1)p + r).
			b := l.sub[j]
			for r := range p {
				for c := range p {
					t[(j*p+c)*m+(j+1)*p+r] = b[r*p+c]
				}
			}
		}
	}
	return t
}

// tridiagVector writes into y the unit eigenvector of the symmetric
// tridiagonal matrix (d, e) for the eigenvalue theta, by inverse iteration
// (Wilkinson 1965; LAPACK's dstein): three solves of (T − θ'I) y' = y with
// partial pivoting, θ' = θ nudged by rounding-level amounts, each followed
// by Gram–Schmidt against columns 0..j-1 of the m×k array s, so that
// vectors of (nearly) equal eigenvalues come out orthogonal.
func tridiagVector(y, d, e []float64, theta, normT float64, s []float64, j, k int) {
	m := len(d)
	if m == 1 {
		y[0] = 1
		return
	}
	// Rounding unit of T; T = 0 (every vector an eigenvector) uses 2⁻⁵².
	eps := 0x1p-52 * normT
	if eps == 0 {
		eps = 0x1p-52
	}
	dl := make([]float64, m-1)
	du := make([]float64, m-1)
	dd := make([]float64, m)
	// A fixed start vector with no special structure.
	for i := range y {
		y[i] = 1 + 0.5*math.Sin(float64(i)+1)
	}
	shift := theta + eps*float64(1+j%4)
	for range 3 {
		for attempt := 0; ; attempt++ {
			copy(dl, e[:m-1])
			copy(du, e[:m-1])
			for i := range dd {
				dd[i] = d[i] - shift
			}
			x := append([]float64(nil), y...)
			if ok := (gonum.Implementation{}).Dgtsv(m, 1, dl, dd, du, x, 1); ok {
				copy(y, x)
				break
			}
			// Exactly singular: move the shift by a growing rounding amount.
			shift += eps * math.Ldexp(1, attempt)
		}
		for c := range j {
			var dot float64
			for i := range m {
				dot += s[i*k+c] * y[i]
			}
			for i := range m {
				y[i] -= dot * s[i*k+c]
			}
		}
		nrm := floats.Norm(y, 2)
		if nrm == 0 || math.IsInf(nrm, 0) || math.IsNaN(nrm) {
			for i := range y {
				y[i] = float64((i*7+j*3)%11) - 5
			}
			continue
		}
		floats.Scale(1/nrm, y)
	}
}

// symOp applies a symmetric matrix. For N ≤ fullMax it keeps a full
// row-major copy and forms products as row dot products; otherwise it reads
// the upper triangle, each row contributing a dot product and an axpy. Both
// run in parallel over row ranges.
type symOp struct {
	n   int
	sym *mat.SymDense
	// full is the n×n matrix with both triangles, or nil.
	full []float64
	// up and stride give the upper triangle when full is nil.
	up     []float64
	stride int
	// finite reports whether every entry is finite.
	finite bool
	// bounds[w]..bounds[w+1] are the rows of worker w.
	bounds []int
}

func newSymOp(a mat.Symmetric) *symOp {
	s, ok := a.(*mat.SymDense)
	if !ok {
		s = mat.NewSymDense(a.SymmetricDim(), nil)
		s.CopySym(a)
	}
	raw := s.RawSymmetric()
	if raw.Uplo != blas.Upper {
		panic("spectral: lower-triangular symmetric storage")
	}
	n := raw.N
	op := &symOp{n: n, sym: s, up: raw.Data, stride: raw.Stride}
	// x − x is 0 for finite x and NaN otherwise.
	var probe float64
	for i := range n {
		for _, v := range raw.Data[i*raw.Stride+i : i*raw.Stride+n] {
			probe += v - v
		}
	}
	op.finite = probe == 0
	workers := 1
	if n >= parMin {
		workers = runtime.GOMAXPROCS(0)
	}

	if n <= fullMax && raw.Stride == n && mirrored(raw.Data, n) {
		// Both triangles are already stored (as Correlation and Moments
		// store them): use the storage as it is, read only.
		op.full = raw.Data[:n*n]
		for w := range workers + 1 {
			op.bounds = append(op.bounds, w*n/workers)
		}
		return op
	}
	if n <= fullMax {
		// Full copy, mirrored tile by tile to stay in cache.
		op.full = make([]float64, n*n)
		const bs = 64
		for i0 := 0; i0 < n; i0 += bs {
			for j0 := i0; j0 < n; j0 += bs {
				for i := i0; i < min(i0+bs, n); i++ {
					for j := max(j0, i); j < min(j0+bs, n); j++ {
						v := raw.Data[i*raw.Stride+j]
						op.full[i*n+j] = v
						op.full[j*n+i] = v
					}
				}
			}
		}
		for w := range workers + 1 {
			op.bounds = append(op.bounds, w*n/workers)
		}
		return op
	}

	// Upper triangle: rows split so that each worker reads about the same
	// number of entries, n(n+1)/(2·workers).
	op.bounds = []int{0}
	total := float64(n) * float64(n+1) / 2
	var done float64
	for i := range n {
		done += float64(n - i)
		if len(op.bounds) < workers && done >= total*float64(len(op.bounds))/float64(workers) {
			op.bounds = append(op.bounds, i+1)
		}
	}
	op.bounds = append(op.bounds, n)
	return op
}

// mirrored reports whether the n×n row-major array a, of stride n, holds
// the same value at (i, j) and (j, i) for every pair, comparing tile by
// tile to stay in cache.
func mirrored(a []float64, n int) bool {
	const bs = 64
	for i0 := 0; i0 < n; i0 += bs {
		for j0 := i0; j0 < n; j0 += bs {
			for i := i0; i < min(i0+bs, n); i++ {
				for j := max(j0, i+1); j < min(j0+bs, n); j++ {
					if a[i*n+j] != a[j*n+i] {
						return false
					}
				}
			}
		}
	}
	return true
}

// mulVec sets y = A x.
func (o *symOp) mulVec(y, x []float64) { o.mulBlock(y, x, 1) }

// mulBlock sets row c of y to A times row c of x, for p rows of length N.
func (o *symOp) mulBlock(y, x []float64, p int) {
	n := o.n
	workers := len(o.bounds) - 1
	if o.full != nil {
		o.parallel(func(w int) {
			for i := o.bounds[w]; i < o.bounds[w+1]; i++ {
				row := o.full[i*n : (i+1)*n]
				for c := range p {
					y[c*n+i] = floats.Dot(row, x[c*n:(c+1)*n])
				}
			}
		})
		return
	}

	// Upper triangle: worker w accumulates into its own part[w].
	part := make([][]float64, workers)
	for c := range p {
		xc := x[c*n : (c+1)*n]
		o.parallel(func(w int) {
			z := make([]float64, n)
			for i := o.bounds[w]; i < o.bounds[w+1]; i++ {
				row := o.up[i*o.stride+i : i*o.stride+n]
				z[i] += floats.Dot(row, xc[i:])
				if i+1 < n {
					floats.AddScaled(z[i+1:], xc[i], row[1:])
				}
			}
			part[w] = z
		})
		yc := y[c*n : (c+1)*n]
		copy(yc, part[0])
		for _, z := range part[1:] {
			floats.Add(yc, z)
		}
	}
}

// parallel runs f(w) for every worker w and waits.
func (o *symOp) parallel(f func(w int)) {
	workers := len(o.bounds) - 1
	if workers == 1 {
		f(0)
		return
	}
	var wg sync.WaitGroup
	for w := 1; w < workers; w++ {
		wg.Go(func() { f(w) })
	}
	f(0)
	wg.Wait()
}

// denseTop returns the k largest eigenpairs from a dense eigendecomposition.
func denseTop(op *symOp, k int) (*Eigen, error) {
	n := op.n
	var es mat.EigenSym
	if !es.Factorize(op.sym, true) {
		return nil, errors.New("spectral: dense eigendecomposition failed")
	}
	vals := es.Values(nil)
	var v mat.Dense
	es.VectorsTo(&v)
	e := &Eigen{
		Values:     make([]float64, k),
		Vectors:    mat.NewDense(n, k, nil),
		Iterations: n,
	}
	for j := range k {
		e.Values[j] = vals[n-1-j]
		for i := range n {
			e.Vectors.Set(i, j, v.At(i, n-1-j))
		}
	}
	finishEigen(op, e)
	return e, nil
}

// finishEigen fixes the sign of each eigenvector (largest-magnitude entry
// positive) and sets the true residual max_j ‖A u_j − λ_j u_j‖.
func finishEigen(op *symOp, e *Eigen) {
	n, k := e.Vectors.Dims()
	u := make([]float64, n)
	au := make([]float64, n)
	e.Residual = 0
	for j := range k {
		mat.Col(u, j, e.Vectors)
		big := 0
		for i, x := range u {
			if math.Abs(x) > math.Abs(u[big]) {
				big = i
			}
		}
		if u[big] < 0 {
			floats.Scale(-1, u)
			e.Vectors.SetCol(j, u)
		}
		op.mulVec(au, u)
		floats.AddScaled(au, -e.Values[j], u)
		e.Residual = math.Max(e.Residual, floats.Norm(au, 2))
	}
}

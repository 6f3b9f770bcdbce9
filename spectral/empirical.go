package spectral

import (
	"errors"
	"fmt"
	"math"
	"math/bits"
	"runtime"
	"sync"
	"sync/atomic"

	"placecell/ring"

	"gonum.org/v1/gonum/mat"
)

// Correlation returns the empirical correlation matrix of ±1 data (the
// paper's eq 24), uncentred and normalised by 1/S:
//
//	Ĉ_ij = (1/S) Σ_s v_i^s v_j^s,
//
// whose diagonal is exactly 1. It works on bit-packed columns with exact
// integer popcounts and runs in parallel. It panics if d is empty.
//
// With x_i the S-bit column of site i (bit s set iff v_i^s = +1), the
// number of samples where v_i ≠ v_j is n_ij = popcount(x_i XOR x_j), so
// that Σ_s v_i^s v_j^s = S − 2 n_ij exactly and
//
//	Ĉ_ij = (S − 2 n_ij) / S,
//
// the correctly rounded quotient of two integers. Every entry is one exact
// integer count, so the result does not depend on the number of goroutines
// (THEORY.md §3.2: the paper's choice, uncentred with 1/S). Both triangles
// of the returned matrix's storage are filled.
func Correlation(d *ring.Spins) *mat.SymDense {
	n, s := d.Sites(), d.Len()
	if s == 0 {
		panic("spectral: empty data set")
	}

	// Bit columns, padded to an even number of sites for the 2×2 kernel.
	cols, w := packColumns(d)
	np := n + n%2

	// Mismatch counts n_ij for i ≤ j, tile by tile in parallel.
	data := make([]float64, n*n)
	gramXOR(cols, w, np, func(i, j, c int) {
		if i >= n || j >= n {
			return
		}
		v := float64(s-2*c) / float64(s)
		data[i*n+j] = v
		data[j*n+i] = v
	})
	for i := range n {
		data[i*n+i] = 1
	}
	return mat.NewSymDense(n, data)
}

// packColumns transposes the row-packed configurations of d into bit
// columns: word b of column i, cols[i*w+b], holds v_i of samples 64b..64b+63
// (bit t set iff v_i = +1 in sample 64b+t). Bits past S are zero, and the
// column count is N rounded up to even, the extra column being zero. It
// returns the columns and w = ⌈S/64⌉.
func packColumns(d *ring.Spins) (cols []uint64, w int) {
	n, s, stride := d.Sites(), d.Len(), d.Stride()
	w = (s + 63) / 64
	np := n + n%2
	cols = make([]uint64, np*w)

	parallelFor(w, func(lo, hi int) {
		block := make([]uint64, 64*stride)
		for b := lo; b < hi; b++ {
			// Gather 64 configurations: block[sw*64+t] is site word sw
			// of sample 64b+t.
			clear(block)
			for t := 0; t < 64 && 64*b+t < s; t++ {
				for sw, x := range d.Packed(64*b + t) {
					block[sw*64+t] = x
				}
			}
			// Transpose each 64×64 tile and scatter its rows to columns.
			for sw := range stride {
				tile := (*[64]uint64)(block[sw*64 : sw*64+64])
				transpose64(tile)
				for t, x := range tile {
					i := sw*64 + t
					if i >= n {
						break
					}
					cols[i*w+b] = x
				}
			}
		}
	})
	return cols, w
}

// transpose64 transposes a 64×64 bit matrix in place, where bit j of a[i]
// is entry (i, j). It swaps the off-diagonal blocks of size 32, then 16,
// and so on down to 1 (the recursive block transpose, done on all blocks of
// one size at once with masks).
func transpose64(a *[64]uint64) {
	m := uint64(0x00000000ffffffff)
	for j := 32; j != 0; j >>= 1 {
		// Rows k with bit j clear pair with rows k+j; swap the high half
		// of each 2j-bit group of a[k] with the low half of a[k+j].
		for k := 0; k < 64; k = (k + j + 1) &^ j {
			t := (a[k]>>uint(j) ^ a[k+j]) & m
			a[k+j] ^= t
			a[k] ^= t << uint(j)
		}
		m ^= m << uint(j>>1)
	}
}

// Tile sizes of gramXOR: tileCols columns on each side of a tile, and
// tileWords words of each column per pass, so that a pass touches
// 2·tileCols·tileWords·8 bytes = 256 KiB.
const (
	tileCols  = 32
	tileWords = 512
)

// gramXOR calls set(i, j, popcount(col_i XOR col_j)) once for every pair
// i ≤ j of the np columns (np even) of length w words in cols. Tiles of the
// upper triangle are handed out to GOMAXPROCS goroutines; set is called
// concurrently for distinct pairs.
func gramXOR(cols []uint64, w, np int, set func(i, j, c int)) {
	nt := (np + tileCols - 1) / tileCols
	type tile struct{ ti, tj int }
	var tiles []tile
	for ti := range nt {
		for tj := ti; tj < nt; tj++ {
			tiles = append(tiles, tile{ti, tj})
		}
	}

	var next atomic.Int64
	var wg sync.WaitGroup
	workers := min(runtime.GOMAXPROCS(0), len(tiles))
	for range workers {
		wg.Go(func() {
			var acc [tileCols * tileCols]int
			for {
				k := int(next.Add(1)) - 1
				if k >= len(tiles) {
					return
				}
				t := tiles[k]
				i0, j0 := t.ti*tileCols, t.tj*tileCols
				i1, j1 := min(i0+tileCols, np), min(j0+tileCols, np)
				clear(acc[:])
				for w0 := 0; w0 < w; w0 += tileWords {
					w1 := min(w0+tileWords, w)
					tileXOR(&acc, cols, w, i0, i1, j0, j1, w0, w1)
				}
				for i := i0; i < i1; i++ {
					for j := max(j0, i); j < j1; j++ {
						set(i, j, acc[(i-i0)*tileCols+j-j0])
					}
				}
			}
		})
	}
	wg.Wait()
}

// tileXOR adds popcount(col_i[w0:w1] XOR col_j[w0:w1]) to
// acc[(i−i0)·tileCols + j−j0] for column pairs of the tile, two columns on
// each side at a time; pairs with i > j+1 on a diagonal tile are skipped.
func tileXOR(acc *[tileCols * tileCols]int, cols []uint64, w, i0, i1, j0, j1, w0, w1 int) {
	for i := i0; i < i1; i += 2 {
		a0 := cols[i*w+w0 : i*w+w1]
		a1 := cols[(i+1)*w+w0 : (i+1)*w+w1]
		for j := max(j0, i&^1); j < j1; j += 2 {
			b0 := cols[j*w+w0 : j*w+w1]
			b1 := cols[(j+1)*w+w0 : (j+1)*w+w1]
			c00, c01, c10, c11 := xor2x2(a0, a1, b0, b1)
			r := (i-i0)*tileCols + j - j0
			acc[r] += c00
			acc[r+1] += c01
			acc[r+tileCols] += c10
			acc[r+tileCols+1] += c11
		}
	}
}

// xor2x2 returns the four popcounts of a_p XOR b_q, p, q ∈ {0, 1}, summed
// over words. All slices have the length of a0.
func xor2x2(a0, a1, b0, b1 []uint64) (c00, c01, c10, c11 int) {
	a1 = a1[:len(a0)]
	b0 = b0[:len(a0)]
	b1 = b1[:len(a0)]
	for k, x0 := range a0 {
		x1, y0, y1 := a1[k], b0[k], b1[k]
		c00 += bits.OnesCount64(x0 ^ y0)
		c01 += bits.OnesCount64(x0 ^ y1)
		c10 += bits.OnesCount64(x1 ^ y0)
		c11 += bits.OnesCount64(x1 ^ y1)
	}
	return c00, c01, c10, c11
}

// parallelFor splits [0, n) into contiguous chunks and runs f on each in
// its own goroutine, at most GOMAXPROCS of them, and waits.
func parallelFor(n int, f func(lo, hi int)) {
	p := min(runtime.GOMAXPROCS(0), n)
	if p <= 1 {
		if n > 0 {
			f(0, n)
		}
		return
	}
	var wg sync.WaitGroup
	for c := range p {
		lo, hi := c*n/p, (c+1)*n/p
		wg.Go(func() { f(lo, hi) })
	}
	wg.Wait()
}

// Eigen holds leading eigenpairs of a symmetric matrix.
type Eigen struct {
	// Values are the eigenvalues in decreasing order.
	Values []float64
	// Vectors holds the unit eigenvectors as columns, in the same order.
	Vectors *mat.Dense
	// Iterations is the Krylov dimension used (N for a dense solve).
	Iterations int
	// Residual is max_j ‖A u_j − λ_j u_j‖.
	Residual float64
}

// TopEigen returns the k largest eigenpairs of a by a Lanczos iteration with
// full reorthogonalisation, growing the Krylov space until every residual
// is below 1e-10·‖A‖; it never computes all N eigenpairs unless k is close
// to N. It returns an error if the iteration does not converge. It panics
// if k < 1 or k > N.
//
// The method is block Lanczos with block size k (Golub & Underwood 1977),
// which for k = 1 is the plain Lanczos recursion. With k starting vectors,
// eigenvalues of multiplicity up to k, such as the exact cos/sin pairs of
// ring data (THEORY.md §3.5), are found in exact arithmetic too; a single
// starting vector spans only one direction of a degenerate eigenspace and
// relies on rounding to find the others. Each step applies the three-term
// block recurrence, then reorthogonalises against the whole basis with
// classical Gram–Schmidt, repeated once when the first pass removes more
// than 1 − 1/√2 of the norm (twice is enough). The projected matrix T is
// block tridiagonal; a Ritz pair (θ_j, Q s_j) has residual norm ‖B s_j^last‖,
// with B the triangular factor of the next block and s_j^last the last k
// entries of s_j, and the iteration stops when all k of these are at most
// 1e-10·max|θ|. The Krylov dimension starts at max(2k+20, 40) (rounded up
// to whole blocks) and grows by a factor 1.25 between checks. A direction
// that vanishes (an invariant subspace) is replaced by a new random one
// orthogonal to the basis.
//
// The starting block has standard normal entries from a PCG generator with
// fixed seeds (lanczosSeed1, lanczosSeed2), so results are reproducible.
// When the Krylov space plus one block would reach N (k close to N, or N
// small) and N ≤ 4096, the pairs come from a dense eigendecomposition
// instead, with Iterations = N; for larger N that case is reported as an
// error. Residual is the true max_j ‖A u_j − λ_j u_j‖, recomputed from the
// returned vectors. Each eigenvector's sign is fixed so that its entry of
// largest magnitude is positive. A matrix other than *mat.SymDense is
// first copied into one; a is never modified. Non-finite entries give an
// error.
func TopEigen(a mat.Symmetric, k int) (*Eigen, error) {
	n := a.SymmetricDim()
	if k < 1 || k > n {
		panic(fmt.Sprintf("spectral: %d eigenpairs requested of a %d×%d matrix", k, n, n))
	}
	op := newSymOp(a)
	if !op.finite {
		return nil, errors.New("spectral: matrix has non-finite entries")
	}

	// Krylov dimensions are whole blocks, and the basis plus the next
	// block must fit in N dimensions.
	blocks := func(m int) int { return k * ((m + k - 1) / k) }
	target := blocks(max(2*k+20, 40))
	if target+k > n {
		return denseTop(op, k)
	}
	l := newLanczos(op, k)
	for {
		for l.m < target {
			if err := l.step(); err != nil {
				return nil, err
			}
		}
		e, ok, err := l.ritz(k)
		if err != nil {
			return nil, err
		}
		if ok {
			return e, nil
		}
		target = blocks(int(math.Ceil(growth * float64(target))))
		if target+k > n {
			if n <= denseMax {
				return denseTop(op, k)
			}
			return nil, fmt.Errorf("spectral: lanczos did not converge at krylov dimension %d of %d", l.m, n)
		}
	}
}

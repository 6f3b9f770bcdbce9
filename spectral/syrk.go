package spectral

import (
	"math"
	"runtime"
	"sync"
	"sync/atomic"

	"gonum.org/v1/gonum/mat"
)

// Blocking of gramFloat: rows of x are packed gramRows at a time into
// strips of 4 columns, and the upper triangle of the Gram matrix is
// accumulated in micro-tiles of 4 rows × 12 columns (three strips).
const (
	gramRows  = 256
	gramStrip = 4
	gramWidth = 3 * gramStrip // columns of a micro-tile, the padding unit
)

// gramFloat returns the upper triangle of Σ_s (x_s − m)(x_s − m)ᵀ over the
// rows x_s of x, with m = mean (nil: no centring), in a dp×dp row-major
// array, dp = D rounded up to a multiple of 12; entries below the diagonal
// and in the padding are scratch.
//
// The rows are packed, centred, gramRows at a time into strips of 4
// columns (packed[s·rows·4 + r·4 + t] = x[r0+r, 4s+t] − m, zero in the
// padding); for each panel, the micro-tiles of the upper triangle are
// shared among GOMAXPROCS goroutines, each tile's 48 sums being fused
// multiply–add chains over the panel's rows (gramKernel), added to the
// accumulator. Every entry therefore sees the same operations in the same
// order whatever the number of goroutines, and the assembly kernel
// (amd64 with AVX2 and FMA) and its Go twin give the same bits. Memory
// beyond the result is one panel, gramRows·dp values.
func gramFloat(x mat.Matrix, mean []float64) (c []float64, dp int) {
	s, d := x.Dims()
	dp = (d + gramWidth - 1) / gramWidth * gramWidth
	c = make([]float64, dp*dp)
	strips := dp / gramStrip
	panel := make([]float64, gramRows*dp)

	var raw []float64
	stride := 0
	if rm, ok := x.(mat.RawMatrixer); ok {
		g := rm.RawMatrix()
		raw, stride = g.Data, g.Stride
	}
	workers := min(runtime.GOMAXPROCS(0), strips)
	for r0 := 0; r0 < s; r0 += gramRows {
		rows := min(gramRows, s-r0)
		p := panel[:rows*dp]
		for r := range rows {
			var src []float64
			if raw != nil {
				src = raw[(r0+r)*stride : (r0+r)*stride+d]
			}
			for j := range dp {
				v := 0.0
				if j < d {
					if src != nil {
						v = src[j]
					} else {
						v = x.At(r0+r, j)
					}
					if mean != nil {
						v -= mean[j]
					}
				}
				p[(j/gramStrip)*rows*gramStrip+r*gramStrip+j%gramStrip] = v
			}
		}
		gramPanel(c, dp, p, rows, workers)
	}
	return c, dp
}

// gramPanel adds the panel's contribution to the micro-tiles of the upper
// triangle of c: for each strip of 4 rows si, the tiles of three strips
// starting at 3⌊si/3⌋, so that tiles sit on a fixed grid (a few entries
// below the diagonal are computed too). Strips are handed out in order to
// the workers.
func gramPanel(c []float64, dp int, p []float64, rows, workers int) {
	strips := dp / gramStrip
	ss := rows * gramStrip // values per strip of the panel
	row := func(si int) {
		a := p[si*ss : (si+1)*ss]
		for bj := si / 3 * 3; bj < strips; bj += 3 {
			gramKernel(c[si*gramStrip*dp+bj*gramStrip:], dp, a, p[bj*ss:(bj+3)*ss], rows)
		}
	}
	if workers <= 1 || strips < 6 {
		for si := range strips {
			row(si)
		}
		return
	}
	var next atomic.Int64
	var wg sync.WaitGroup
	for range workers {
		wg.Go(func() {
			for {
				si := int(next.Add(1)) - 1
				if si >= strips {
					return
				}
				row(si)
			}
		})
	}
	wg.Wait()
}

// gramKernelGo is the Go twin of the assembly micro-kernel: it adds to the
// 4×12 tile c[i·ldc + j] (i < 4, j < 12) the sums Σ_r a[r·4+i]·b[s·rows·4 +
// r·4 + t], j = 4s + t, each formed as a chain of fused multiply–adds over
// r = 0..rows-1 from zero and then added to c. b holds three strips of
// rows×4 values.
func gramKernelGo(c []float64, ldc int, a, b []float64, rows int) {
	ss := rows * gramStrip
	for s := range 3 {
		bs := b[s*ss : (s+1)*ss]
		var acc [gramStrip][gramStrip]float64
		for r := range rows {
			ar := a[r*gramStrip : r*gramStrip+gramStrip]
			br := bs[r*gramStrip : r*gramStrip+gramStrip]
			for i, x := range ar {
				for t, y := range br {
					acc[i][t] = math.FMA(x, y, acc[i][t])
				}
			}
		}
		for i := range gramStrip {
			ci := c[i*ldc+s*gramStrip : i*ldc+s*gramStrip+gramStrip]
			for t := range ci {
				ci[t] += acc[i][t]
			}
		}
	}
}

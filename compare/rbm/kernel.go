package rbm

import "math"

// The two inner loops of the simulator. Both have a pure-Go version and,
// on amd64 with AVX2 and FMA, an assembly version (kernel_amd64.s) that
// performs the same operations in the same order per element, so that
// both give bitwise identical results (TestKernels).

// sumRowsGo writes dst[j] = t[o₀+j] + t[o₁+j] + … + t[o_(K−1)+j], summed
// in the order of offs, for j < len(dst). An empty offs gives zeros.
func sumRowsGo(dst, t []float64, offs []int32) {
	if len(offs) == 0 {
		clear(dst)
		return
	}
	n := len(dst)
	copy(dst, t[offs[0]:int(offs[0])+n])
	for _, o := range offs[1:] {
		row := t[o : int(o)+n]
		for j := range dst {
			dst[j] += row[j]
		}
	}
}

// axpyGo writes dst[j] = fma(a, x[j], dst[j]) for j < len(dst).
func axpyGo(dst []float64, a float64, x []float64) {
	x = x[:len(dst)]
	for j, v := range x {
		dst[j] = math.FMA(a, v, dst[j])
	}
}

// outerSumGo writes dst[μ·n+j] = Σ_r a[r·m+μ]·x[r·n+j] for μ in [mu0, mu1)
// and j < n, each entry an FMA chain over r = 0, 1, … from +0 (so that it
// equals axpyGo applied row by row to a cleared row).
func outerSumGo(dst []float64, m, n int, a, x []float64, rows, mu0, mu1 int) {
	for mu := mu0; mu < mu1; mu++ {
		row := dst[mu*n : (mu+1)*n]
		clear(row)
		for r := range rows {
			axpyGo(row, a[r*m+mu], x[r*n:(r+1)*n])
		}
	}
}

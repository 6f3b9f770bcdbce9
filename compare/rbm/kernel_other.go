//go:build !amd64

package rbm

// useAsm reports whether the assembly kernels are in use.
const useAsm = false

func sumRows(dst, t []float64, offs []int32) { sumRowsGo(dst, t, offs) }

func axpy(dst []float64, a float64, x []float64) { axpyGo(dst, a, x) }

func outerSum(dst []float64, m, n int, a, x []float64, rows, mu0, mu1 int) {
	outerSumGo(dst, m, n, a, x, rows, mu0, mu1)
}

func bracketBits(words, open []uint64, x, g []float64, scale float64, rbuf []uint64, groups int) bool {
	return bracketBitsGo(words, open, x, g, scale, rbuf, groups)
}

//go:build !amd64

package spectral

// useAVX2 is false: there is no assembly kernel on this architecture.
var useAVX2 = false

// gramKernel is gramKernelGo.
func gramKernel(c []float64, ldc int, a, b []float64, rows int) {
	gramKernelGo(c, ldc, a, b, rows)
}

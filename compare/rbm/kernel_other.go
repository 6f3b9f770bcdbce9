//go:build !amd64

package rbm

// useAsm reports whether the assembly kernels are in use.
const useAsm = false

func sumRows(dst, t []float64, offs []int32) { sumRowsGo(dst, t, offs) }

func axpy(dst []float64, a float64, x []float64) { axpyGo(dst, a, x) }

//go:build amd64

package rbm

// cpuid and xgetbv are implemented in kernel_amd64.s.
func cpuid(eaxArg, ecxArg uint32) (eax, ebx, ecx, edx uint32)
func xgetbv() (eax, edx uint32)

// sumRowsAVX2 and axpyAVX2 are the AVX2/FMA versions of sumRowsGo and
// axpyGo (kernel_amd64.s). sumRowsAVX2 needs len(offs) ≥ 1 and
// len(x) ≥ len(dst) for axpyAVX2.
func sumRowsAVX2(dst, t []float64, offs []int32)
func axpyAVX2(dst []float64, a float64, x []float64)
func outerSumAVX2(dst, a, x []float64, m, n, rows, mu0, mu1 int)
func bracketBitsAVX2(words, open []uint64, x, g []float64, scale float64, rbuf []uint64, groups int) (bad bool)

// hasAVX2FMA reports whether the CPU and the operating system support
// AVX2 and FMA: CPUID leaf 1 ECX bits 12 (FMA), 27 (OSXSAVE) and 28 (AVX),
// XCR0 bits 1 and 2 (XMM and YMM state), CPUID leaf 7 EBX bit 5 (AVX2).
func hasAVX2FMA() bool {
	maxLeaf, _, _, _ := cpuid(0, 0)
	if maxLeaf < 7 {
		return false
	}
	_, _, ecx1, _ := cpuid(1, 0)
	if ecx1&(1<<12) == 0 || ecx1&(1<<27) == 0 || ecx1&(1<<28) == 0 {
		return false
	}
	if xcr0, _ := xgetbv(); xcr0&6 != 6 {
		return false
	}
	_, ebx7, _, _ := cpuid(7, 0)
	return ebx7&(1<<5) != 0
}

// useAsm reports whether the assembly kernels are in use; tests switch it
// off to compare both versions.
var useAsm = hasAVX2FMA()

func sumRows(dst, t []float64, offs []int32) {
	if useAsm && len(offs) > 0 && len(dst) > 0 {
		// Bounds are checked here once; the kernel reads rows
		// t[o : o+len(dst)].
		n := len(dst)
		for _, o := range offs {
			_ = t[int(o) : int(o)+n]
		}
		sumRowsAVX2(dst, t, offs)
		return
	}
	sumRowsGo(dst, t, offs)
}

func axpy(dst []float64, a float64, x []float64) {
	if useAsm {
		_ = x[:len(dst)]
		axpyAVX2(dst, a, x)
		return
	}
	axpyGo(dst, a, x)
}

func outerSum(dst []float64, m, n int, a, x []float64, rows, mu0, mu1 int) {
	if useAsm && rows > 0 {
		_ = dst[mu0*n : mu1*n]
		_ = a[:rows*m]
		_ = x[:rows*n]
		if mu0 < 0 || mu1 > m {
			panic("rbm: outerSum unit range out of bounds")
		}
		outerSumAVX2(dst, a, x, m, n, rows, mu0, mu1)
		return
	}
	outerSumGo(dst, m, n, a, x, rows, mu0, mu1)
}

func bracketBits(words, open []uint64, x, g []float64, scale float64, rbuf []uint64, groups int) bool {
	if useAsm && groups > 0 {
		_ = x[:4*groups]
		_ = g[:4*groups]
		_ = rbuf[:groups]
		_ = words[(4*groups-1)>>6]
		_ = open[(4*groups-1)>>6]
		return bracketBitsAVX2(words, open, x, g, scale, rbuf, groups)
	}
	return bracketBitsGo(words, open, x, g, scale, rbuf, groups)
}

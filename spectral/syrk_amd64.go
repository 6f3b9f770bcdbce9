//go:build amd64

package spectral

// Implemented in syrk_amd64.s.
func cpuid(eaxArg, ecxArg uint32) (eax, ebx, ecx, edx uint32)
func xgetbv() (eax, edx uint32)

// gramKernelAVX2 is gramKernelGo with AVX2 and FMA: c points at the tile,
// ldc is its row stride, a at the row strip, b at the first of three
// column strips of ss = rows·4 values each; rows ≥ 1.
//
//go:noescape
func gramKernelAVX2(c *float64, ldc int, a, b *float64, ss, rows int)

// hasAVX2FMA reports whether the processor and the operating system
// support AVX2 and FMA: CPUID leaf 1 ECX bits 12 (FMA), 27 (OSXSAVE) and
// 28 (AVX), XCR0 bits 1 and 2 (XMM and YMM state saved), CPUID leaf 7
// EBX bit 5 (AVX2).
func hasAVX2FMA() bool {
	if top, _, _, _ := cpuid(0, 0); top < 7 {
		return false
	}
	_, _, ecx, _ := cpuid(1, 0)
	if ecx&(1<<12) == 0 || ecx&(1<<27) == 0 || ecx&(1<<28) == 0 {
		return false
	}
	if lo, _ := xgetbv(); lo&6 != 6 {
		return false
	}
	_, ebx, _, _ := cpuid(7, 0)
	return ebx&(1<<5) != 0
}

// useAVX2 selects the assembly kernel; tests switch it off to compare the
// two.
var useAVX2 = hasAVX2FMA()

// gramKernel is gramKernelGo, in assembly when the processor allows.
func gramKernel(c []float64, ldc int, a, b []float64, rows int) {
	if !useAVX2 || rows < 1 {
		gramKernelGo(c, ldc, a, b, rows)
		return
	}
	ss := rows * gramStrip
	_ = c[3*ldc+gramWidth-1] // bounds, checked once
	_ = a[ss-1]
	_ = b[3*ss-1]
	gramKernelAVX2(&c[0], ldc, &a[0], &b[0], ss, rows)
}

//go:build amd64

#include "textflag.h"

// func cpuid(eaxArg, ecxArg uint32) (eax, ebx, ecx, edx uint32)
TEXT ·cpuid(SB), NOSPLIT, $0-24
	MOVL eaxArg+0(FP), AX
	MOVL ecxArg+4(FP), CX
	CPUID
	MOVL AX, eax+8(FP)
	MOVL BX, ebx+12(FP)
	MOVL CX, ecx+16(FP)
	MOVL DX, edx+20(FP)
	RET

// func xgetbv() (eax, edx uint32)
TEXT ·xgetbv(SB), NOSPLIT, $0-8
	MOVL $0, CX
	XGETBV
	MOVL AX, eax+0(FP)
	MOVL DX, edx+4(FP)
	RET

// func gramKernelAVX2(c *float64, ldc int, a, b *float64, ss, rows int)
//
// Accumulators Y0..Y11 hold the 4×12 tile, Y(3i+s) = row i, columns
// 4s..4s+3, each a chain of FMAs over the rows from zero:
// Y(3i+s) += broadcast(a[r·4+i]) · b[s·ss + r·4 : +4]. The tile is then
// added to c, row i at c + i·ldc.
TEXT ·gramKernelAVX2(SB), NOSPLIT, $0-48
	MOVQ c+0(FP), DI
	MOVQ ldc+8(FP), R8
	SHLQ $3, R8              // row stride of c in bytes
	MOVQ a+16(FP), SI
	MOVQ b+24(FP), DX
	MOVQ ss+32(FP), R9
	SHLQ $3, R9              // strip length in bytes
	MOVQ rows+40(FP), CX
	LEAQ (DX)(R9*1), R10     // strip 1
	LEAQ (R10)(R9*1), R11    // strip 2
	SHLQ $5, CX              // bytes of one strip: rows·32
	XORQ AX, AX              // byte offset of row r in a strip

	VXORPD Y0, Y0, Y0
	VXORPD Y1, Y1, Y1
	VXORPD Y2, Y2, Y2
	VXORPD Y3, Y3, Y3
	VXORPD Y4, Y4, Y4
	VXORPD Y5, Y5, Y5
	VXORPD Y6, Y6, Y6
	VXORPD Y7, Y7, Y7
	VXORPD Y8, Y8, Y8
	VXORPD Y9, Y9, Y9
	VXORPD Y10, Y10, Y10
	VXORPD Y11, Y11, Y11

loop:
	VMOVUPD (DX)(AX*1), Y12
	VMOVUPD (R10)(AX*1), Y13
	VMOVUPD (R11)(AX*1), Y14
	VBROADCASTSD 0(SI)(AX*1), Y15
	VFMADD231PD Y12, Y15, Y0
	VFMADD231PD Y13, Y15, Y1
	VFMADD231PD Y14, Y15, Y2
	VBROADCASTSD 8(SI)(AX*1), Y15
	VFMADD231PD Y12, Y15, Y3
	VFMADD231PD Y13, Y15, Y4
	VFMADD231PD Y14, Y15, Y5
	VBROADCASTSD 16(SI)(AX*1), Y15
	VFMADD231PD Y12, Y15, Y6
	VFMADD231PD Y13, Y15, Y7
	VFMADD231PD Y14, Y15, Y8
	VBROADCASTSD 24(SI)(AX*1), Y15
	VFMADD231PD Y12, Y15, Y9
	VFMADD231PD Y13, Y15, Y10
	VFMADD231PD Y14, Y15, Y11
	ADDQ $32, AX
	CMPQ AX, CX
	JLT  loop

	VADDPD 0(DI), Y0, Y0
	VMOVUPD Y0, 0(DI)
	VADDPD 32(DI), Y1, Y1
	VMOVUPD Y1, 32(DI)
	VADDPD 64(DI), Y2, Y2
	VMOVUPD Y2, 64(DI)
	ADDQ R8, DI
	VADDPD 0(DI), Y3, Y3
	VMOVUPD Y3, 0(DI)
	VADDPD 32(DI), Y4, Y4
	VMOVUPD Y4, 32(DI)
	VADDPD 64(DI), Y5, Y5
	VMOVUPD Y5, 64(DI)
	ADDQ R8, DI
	VADDPD 0(DI), Y6, Y6
	VMOVUPD Y6, 0(DI)
	VADDPD 32(DI), Y7, Y7
	VMOVUPD Y7, 32(DI)
	VADDPD 64(DI), Y8, Y8
	VMOVUPD Y8, 64(DI)
	ADDQ R8, DI
	VADDPD 0(DI), Y9, Y9
	VMOVUPD Y9, 0(DI)
	VADDPD 32(DI), Y10, Y10
	VMOVUPD Y10, 32(DI)
	VADDPD 64(DI), Y11, Y11
	VMOVUPD Y11, 64(DI)
	VZEROUPPER
	RET

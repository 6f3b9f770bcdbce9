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

// func sumRowsAVX2(dst, t []float64, offs []int32)
//
// dst[j] = t[o0+j] + t[o1+j] + ... in the order of offs: blocks of 32
// columns in eight accumulators, then blocks of 4, then single columns.
TEXT ·sumRowsAVX2(SB), NOSPLIT, $0-72
	MOVQ dst_base+0(FP), DI
	MOVQ dst_len+8(FP), CX
	MOVQ t_base+24(FP), SI
	MOVQ offs_base+48(FP), R8
	MOVQ offs_len+56(FP), R9
	XORQ AX, AX

block32:
	MOVQ CX, DX
	SUBQ AX, DX
	CMPQ DX, $32
	JLT  block4
	MOVLQSX (R8), BX
	LEAQ (SI)(BX*8), R10
	LEAQ (R10)(AX*8), R10
	VMOVUPD 0(R10), Y0
	VMOVUPD 32(R10), Y1
	VMOVUPD 64(R10), Y2
	VMOVUPD 96(R10), Y3
	VMOVUPD 128(R10), Y4
	VMOVUPD 160(R10), Y5
	VMOVUPD 192(R10), Y6
	VMOVUPD 224(R10), Y7
	MOVQ $1, R11

rows32:
	CMPQ R11, R9
	JGE  store32
	MOVLQSX (R8)(R11*4), BX
	LEAQ (SI)(BX*8), R10
	LEAQ (R10)(AX*8), R10
	VADDPD 0(R10), Y0, Y0
	VADDPD 32(R10), Y1, Y1
	VADDPD 64(R10), Y2, Y2
	VADDPD 96(R10), Y3, Y3
	VADDPD 128(R10), Y4, Y4
	VADDPD 160(R10), Y5, Y5
	VADDPD 192(R10), Y6, Y6
	VADDPD 224(R10), Y7, Y7
	INCQ R11
	JMP  rows32

store32:
	LEAQ (DI)(AX*8), R12
	VMOVUPD Y0, 0(R12)
	VMOVUPD Y1, 32(R12)
	VMOVUPD Y2, 64(R12)
	VMOVUPD Y3, 96(R12)
	VMOVUPD Y4, 128(R12)
	VMOVUPD Y5, 160(R12)
	VMOVUPD Y6, 192(R12)
	VMOVUPD Y7, 224(R12)
	ADDQ $32, AX
	JMP  block32

block4:
	MOVQ CX, DX
	SUBQ AX, DX
	CMPQ DX, $4
	JLT  single
	MOVLQSX (R8), BX
	LEAQ (SI)(BX*8), R10
	VMOVUPD (R10)(AX*8), Y0
	MOVQ $1, R11

rows4:
	CMPQ R11, R9
	JGE  store4
	MOVLQSX (R8)(R11*4), BX
	LEAQ (SI)(BX*8), R10
	VADDPD (R10)(AX*8), Y0, Y0
	INCQ R11
	JMP  rows4

store4:
	VMOVUPD Y0, (DI)(AX*8)
	ADDQ $4, AX
	JMP  block4

single:
	CMPQ AX, CX
	JGE  done
	MOVLQSX (R8), BX
	LEAQ (SI)(BX*8), R10
	VMOVSD (R10)(AX*8), X0
	MOVQ $1, R11

rows1:
	CMPQ R11, R9
	JGE  store1
	MOVLQSX (R8)(R11*4), BX
	LEAQ (SI)(BX*8), R10
	VADDSD (R10)(AX*8), X0, X0
	INCQ R11
	JMP  rows1

store1:
	VMOVSD X0, (DI)(AX*8)
	INCQ AX
	JMP  single

done:
	VZEROUPPER
	RET

// func axpyAVX2(dst []float64, a float64, x []float64)
//
// dst[j] = fma(a, x[j], dst[j]).
TEXT ·axpyAVX2(SB), NOSPLIT, $0-56
	MOVQ dst_base+0(FP), DI
	MOVQ dst_len+8(FP), CX
	VBROADCASTSD a+24(FP), Y15
	MOVQ x_base+32(FP), SI
	XORQ AX, AX

ablock16:
	MOVQ CX, DX
	SUBQ AX, DX
	CMPQ DX, $16
	JLT  ablock4
	LEAQ (DI)(AX*8), R12
	LEAQ (SI)(AX*8), R13
	VMOVUPD 0(R12), Y0
	VMOVUPD 32(R12), Y1
	VMOVUPD 64(R12), Y2
	VMOVUPD 96(R12), Y3
	VFMADD231PD 0(R13), Y15, Y0
	VFMADD231PD 32(R13), Y15, Y1
	VFMADD231PD 64(R13), Y15, Y2
	VFMADD231PD 96(R13), Y15, Y3
	VMOVUPD Y0, 0(R12)
	VMOVUPD Y1, 32(R12)
	VMOVUPD Y2, 64(R12)
	VMOVUPD Y3, 96(R12)
	ADDQ $16, AX
	JMP  ablock16

ablock4:
	MOVQ CX, DX
	SUBQ AX, DX
	CMPQ DX, $4
	JLT  asingle
	VMOVUPD (DI)(AX*8), Y0
	VFMADD231PD (SI)(AX*8), Y15, Y0
	VMOVUPD Y0, (DI)(AX*8)
	ADDQ $4, AX
	JMP  ablock4

asingle:
	CMPQ AX, CX
	JGE  adone
	VMOVSD (DI)(AX*8), X0
	VFMADD231SD (SI)(AX*8), X15, X0
	VMOVSD X0, (DI)(AX*8)
	INCQ AX
	JMP  asingle

adone:
	VZEROUPPER
	RET

// func outerSumAVX2(dst, a, x []float64, m, n, rows, mu0, mu1 int)
//
// For μ in [mu0, mu1) and j < n: dst[μ·n+j] = Σ_r a[r·m+μ]·x[r·n+j], an
// FMA chain in the order r = 0, 1, … starting from +0. Blocks of 4 units
// by 8 columns in eight accumulators, then 4 and single columns; units
// left over one at a time.
TEXT ·outerSumAVX2(SB), NOSPLIT, $0-112
	MOVQ dst_base+0(FP), DI
	MOVQ a_base+24(FP), SI
	MOVQ x_base+48(FP), DX
	MOVQ m+72(FP), R8
	MOVQ n+80(FP), R9
	MOVQ rows+88(FP), R10
	MOVQ mu0+96(FP), R11
	MOVQ mu1+104(FP), R12

mu4:
	MOVQ R12, AX
	SUBQ R11, AX
	CMPQ AX, $4
	JLT  mu1
	XORQ BX, BX

mu4j8:
	MOVQ R9, AX
	SUBQ BX, AX
	CMPQ AX, $8
	JLT  mu4j4
	VXORPD Y0, Y0, Y0
	VXORPD Y1, Y1, Y1
	VXORPD Y2, Y2, Y2
	VXORPD Y3, Y3, Y3
	VXORPD Y4, Y4, Y4
	VXORPD Y5, Y5, Y5
	VXORPD Y6, Y6, Y6
	VXORPD Y7, Y7, Y7
	LEAQ (DX)(BX*8), R13
	LEAQ (SI)(R11*8), R14
	MOVQ R10, CX

mu4j8r:
	TESTQ CX, CX
	JZ    mu4j8s
	VMOVUPD 0(R13), Y8
	VMOVUPD 32(R13), Y9
	VBROADCASTSD 0(R14), Y10
	VBROADCASTSD 8(R14), Y11
	VBROADCASTSD 16(R14), Y12
	VBROADCASTSD 24(R14), Y13
	VFMADD231PD Y8, Y10, Y0
	VFMADD231PD Y9, Y10, Y1
	VFMADD231PD Y8, Y11, Y2
	VFMADD231PD Y9, Y11, Y3
	VFMADD231PD Y8, Y12, Y4
	VFMADD231PD Y9, Y12, Y5
	VFMADD231PD Y8, Y13, Y6
	VFMADD231PD Y9, Y13, Y7
	LEAQ (R13)(R9*8), R13
	LEAQ (R14)(R8*8), R14
	DECQ CX
	JMP  mu4j8r

mu4j8s:
	MOVQ R11, AX
	IMULQ R9, AX
	ADDQ BX, AX
	LEAQ (DI)(AX*8), R15
	VMOVUPD Y0, 0(R15)
	VMOVUPD Y1, 32(R15)
	LEAQ (R15)(R9*8), R15
	VMOVUPD Y2, 0(R15)
	VMOVUPD Y3, 32(R15)
	LEAQ (R15)(R9*8), R15
	VMOVUPD Y4, 0(R15)
	VMOVUPD Y5, 32(R15)
	LEAQ (R15)(R9*8), R15
	VMOVUPD Y6, 0(R15)
	VMOVUPD Y7, 32(R15)
	ADDQ $8, BX
	JMP  mu4j8

mu4j4:
	MOVQ R9, AX
	SUBQ BX, AX
	CMPQ AX, $4
	JLT  mu4j1
	VXORPD Y0, Y0, Y0
	VXORPD Y2, Y2, Y2
	VXORPD Y4, Y4, Y4
	VXORPD Y6, Y6, Y6
	LEAQ (DX)(BX*8), R13
	LEAQ (SI)(R11*8), R14
	MOVQ R10, CX

mu4j4r:
	TESTQ CX, CX
	JZ    mu4j4s
	VMOVUPD 0(R13), Y8
	VBROADCASTSD 0(R14), Y10
	VBROADCASTSD 8(R14), Y11
	VBROADCASTSD 16(R14), Y12
	VBROADCASTSD 24(R14), Y13
	VFMADD231PD Y8, Y10, Y0
	VFMADD231PD Y8, Y11, Y2
	VFMADD231PD Y8, Y12, Y4
	VFMADD231PD Y8, Y13, Y6
	LEAQ (R13)(R9*8), R13
	LEAQ (R14)(R8*8), R14
	DECQ CX
	JMP  mu4j4r

mu4j4s:
	MOVQ R11, AX
	IMULQ R9, AX
	ADDQ BX, AX
	LEAQ (DI)(AX*8), R15
	VMOVUPD Y0, 0(R15)
	LEAQ (R15)(R9*8), R15
	VMOVUPD Y2, 0(R15)
	LEAQ (R15)(R9*8), R15
	VMOVUPD Y4, 0(R15)
	LEAQ (R15)(R9*8), R15
	VMOVUPD Y6, 0(R15)
	ADDQ $4, BX
	JMP  mu4j4

mu4j1:
	CMPQ BX, R9
	JGE  mu4next
	VXORPD X0, X0, X0
	VXORPD X2, X2, X2
	VXORPD X4, X4, X4
	VXORPD X6, X6, X6
	LEAQ (DX)(BX*8), R13
	LEAQ (SI)(R11*8), R14
	MOVQ R10, CX

mu4j1r:
	TESTQ CX, CX
	JZ    mu4j1s
	VMOVSD 0(R13), X8
	VFMADD231SD 0(R14), X8, X0
	VFMADD231SD 8(R14), X8, X2
	VFMADD231SD 16(R14), X8, X4
	VFMADD231SD 24(R14), X8, X6
	LEAQ (R13)(R9*8), R13
	LEAQ (R14)(R8*8), R14
	DECQ CX
	JMP  mu4j1r

mu4j1s:
	MOVQ R11, AX
	IMULQ R9, AX
	ADDQ BX, AX
	LEAQ (DI)(AX*8), R15
	VMOVSD X0, 0(R15)
	LEAQ (R15)(R9*8), R15
	VMOVSD X2, 0(R15)
	LEAQ (R15)(R9*8), R15
	VMOVSD X4, 0(R15)
	LEAQ (R15)(R9*8), R15
	VMOVSD X6, 0(R15)
	INCQ BX
	JMP  mu4j1

mu4next:
	ADDQ $4, R11
	JMP  mu4

mu1:
	CMPQ R11, R12
	JGE  odone
	XORQ BX, BX

mu1j4:
	MOVQ R9, AX
	SUBQ BX, AX
	CMPQ AX, $4
	JLT  mu1j1
	VXORPD Y0, Y0, Y0
	LEAQ (DX)(BX*8), R13
	LEAQ (SI)(R11*8), R14
	MOVQ R10, CX

mu1j4r:
	TESTQ CX, CX
	JZ    mu1j4s
	VBROADCASTSD 0(R14), Y10
	VFMADD231PD 0(R13), Y10, Y0
	LEAQ (R13)(R9*8), R13
	LEAQ (R14)(R8*8), R14
	DECQ CX
	JMP  mu1j4r

mu1j4s:
	MOVQ R11, AX
	IMULQ R9, AX
	ADDQ BX, AX
	VMOVUPD Y0, (DI)(AX*8)
	ADDQ $4, BX
	JMP  mu1j4

mu1j1:
	CMPQ BX, R9
	JGE  mu1next
	VXORPD X0, X0, X0
	LEAQ (DX)(BX*8), R13
	LEAQ (SI)(R11*8), R14
	MOVQ R10, CX

mu1j1r:
	TESTQ CX, CX
	JZ    mu1j1s
	VMOVSD 0(R13), X8
	VFMADD231SD 0(R14), X8, X0
	LEAQ (R13)(R9*8), R13
	LEAQ (R14)(R8*8), R14
	DECQ CX
	JMP  mu1j1r

mu1j1s:
	MOVQ R11, AX
	IMULQ R9, AX
	ADDQ BX, AX
	VMOVSD X0, (DI)(AX*8)
	INCQ BX
	JMP  mu1j1

mu1next:
	INCQ R11
	JMP  mu1

odone:
	VZEROUPPER
	RET

// func bracketBitsAVX2(words, open []uint64, x, g []float64, scale float64, rbuf []uint64, groups int) (bad bool)
//
// bracketBitsGo four units at a time: a = scale·(x+g); cell
// int(max(0, min(1025, 32a+513))) & 2047 (NaN kept by the operand order,
// then sent to cell 0 by the conversion); bounds (lo, hi) gathered from
// brTab; k from rbuf; d = k − lo; bit = d < 0, open = d ≥ 0 and
// d < hi − lo; bad if the exponent bits of some a are all ones (NaN, ±Inf).
TEXT ·bracketBitsAVX2(SB), NOSPLIT, $0-137
	MOVQ words_base+0(FP), R12
	MOVQ open_base+24(FP), R13
	MOVQ x_base+48(FP), SI
	MOVQ g_base+72(FP), DX
	VBROADCASTSD scale+96(FP), Y15
	MOVQ rbuf_base+104(FP), R8
	MOVQ groups+128(FP), R14
	LEAQ ·brTab(SB), R15

	MOVQ $0x4040000000000000, AX // 32.0
	VMOVQ AX, X14
	VPBROADCASTQ X14, Y14
	MOVQ $0x4080080000000000, AX // 513.0
	VMOVQ AX, X13
	VPBROADCASTQ X13, Y13
	MOVQ $0x4090040000000000, AX // 1025.0
	VMOVQ AX, X12
	VPBROADCASTQ X12, Y12
	VPXOR Y11, Y11, Y11          // 0.0
	MOVL $2047, AX
	VMOVD AX, X10
	VPBROADCASTD X10, X10        // cell mask, 4 dwords
	XORQ AX, AX                  // lane shifts 0, 16, 32, 48
	VMOVQ AX, X9
	MOVQ $16, AX
	VPINSRQ $1, AX, X9, X9
	MOVQ $32, AX
	VMOVQ AX, X8
	MOVQ $48, AX
	VPINSRQ $1, AX, X8, X8
	VINSERTI128 $1, X8, Y9, Y9
	MOVQ $0xffff, AX
	VMOVQ AX, X8
	VPBROADCASTQ X8, Y8          // k mask
	MOVQ $0x7ff0000000000000, AX
	VMOVQ AX, X6
	VPBROADCASTQ X6, Y6          // exponent mask
	VPXOR Y7, Y7, Y7             // non-finite accumulator

	XORQ AX, AX // unit index 4j
	XORQ BX, BX // group j
	XORQ R11, R11
	XORQ DI, DI

bloop:
	CMPQ BX, R14
	JGE  bfinish
	VMOVUPD (SI)(AX*8), Y0
	VADDPD (DX)(AX*8), Y0, Y0
	VMULPD Y15, Y0, Y0
	VANDPD Y6, Y0, Y1
	VPCMPEQQ Y6, Y1, Y1
	VPOR Y1, Y7, Y7
	VMULPD Y14, Y0, Y1
	VADDPD Y13, Y1, Y1
	VMINPD Y1, Y12, Y1
	VMAXPD Y1, Y11, Y1
	VCVTTPD2DQY Y1, X2
	VPAND X10, X2, X2
	VPCMPEQD Y3, Y3, Y3
	VPXOR Y4, Y4, Y4
	VPGATHERDQ Y3, (R15)(X2*8), Y4
	VPBROADCASTQ (R8)(BX*8), Y5
	VPSRLVQ Y9, Y5, Y5
	VPAND Y8, Y5, Y5
	VPSLLQ $32, Y4, Y0
	VPSRLQ $32, Y0, Y0
	VPSRLQ $32, Y4, Y4
	VPSUBQ Y0, Y5, Y5
	VPSUBQ Y0, Y4, Y4
	VMOVMSKPD Y5, R9
	VPCMPGTQ Y5, Y4, Y1
	VMOVMSKPD Y1, R10
	MOVQ R9, CX
	NOTQ CX
	ANDQ CX, R10
	MOVQ AX, CX
	ANDQ $63, CX
	SHLQ CX, R9
	SHLQ CX, R10
	ORQ  R9, R11
	ORQ  R10, DI
	ADDQ $4, AX
	INCQ BX
	TESTQ $63, AX
	JNZ  bloop
	MOVQ AX, CX
	SHRQ $6, CX
	DECQ CX
	ORQ  R11, (R12)(CX*8)
	ORQ  DI, (R13)(CX*8)
	XORQ R11, R11
	XORQ DI, DI
	JMP  bloop

bfinish:
	TESTQ $63, AX
	JZ   bdone
	MOVQ AX, CX
	SHRQ $6, CX
	ORQ  R11, (R12)(CX*8)
	ORQ  DI, (R13)(CX*8)

bdone:
	VPTEST Y7, Y7
	SETNE bad+136(FP)
	VZEROUPPER
	RET

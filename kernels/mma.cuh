// Tensor-core helpers shared by the GEMM kernels and the peak probes: the
// rounding of an operand to the instruction's input type and the mma.sync
// instructions themselves, so that a probe measures exactly what the GEMM
// issues. Compiled as C++ for the host (kernels/internal/hostcheck), the
// file gets stand-ins that emulate these instructions instead.
#pragma once
#ifdef __CUDACC__

// to_tf32 rounds x to TF32, to nearest with ties away from zero, by adding
// half a unit of TF32's last place to its bits: the tensor cores ignore
// the 13 low ones. That is what ptxas makes of cvt.rna.tf32.f32 on sm_90,
// but for a comparison that keeps a NaN whose payload lies in those 13
// bits alone (such a NaN becomes an infinity here, a NaN that arithmetic
// makes does not): one instruction for every operand an mma reads, where
// cvt took two.
__device__ __forceinline__ unsigned to_tf32(float x) { return __float_as_uint(x) + 0x1000u; }

// to_bf16x2 rounds lo and hi to bfloat16, to nearest with ties to even (the
// rounding of the CPU's BF16 products), and packs them into one register
// with lo in the lower half, the element order of an mma operand. cvt puts
// its first source in the upper half.
__device__ __forceinline__ unsigned to_bf16x2(float lo, float hi)
{
	unsigned r;
	asm("cvt.rn.bf16x2.f32 %0, %1, %2;\n" : "=r"(r) : "f"(hi), "f"(lo));
	return r;
}

// mma_tf32 computes d += a*b for one 16x8x8 tile held by the warp in the
// fragment layout of mma.m16n8k8 (see TensorCore).
__device__ __forceinline__ void mma_tf32(float (&d)[4], const unsigned (&a)[4], const unsigned (&b)[2])
{
	asm volatile("mma.sync.aligned.m16n8k8.row.col.f32.tf32.tf32.f32 "
		     "{%0,%1,%2,%3}, {%4,%5,%6,%7}, {%8,%9}, {%0,%1,%2,%3};\n"
		     : "+f"(d[0]), "+f"(d[1]), "+f"(d[2]), "+f"(d[3])
		     : "r"(a[0]), "r"(a[1]), "r"(a[2]), "r"(a[3]), "r"(b[0]), "r"(b[1]));
}

// mma_bf16 computes d += a*b for one 16x8x16 tile held by the warp in the
// fragment layout of mma.m16n8k16 with .bf16 operands (see Bf16Op).
__device__ __forceinline__ void mma_bf16(float (&d)[4], const unsigned (&a)[4], const unsigned (&b)[2])
{
	asm volatile("mma.sync.aligned.m16n8k16.row.col.f32.bf16.bf16.f32 "
		     "{%0,%1,%2,%3}, {%4,%5,%6,%7}, {%8,%9}, {%0,%1,%2,%3};\n"
		     : "+f"(d[0]), "+f"(d[1]), "+f"(d[2]), "+f"(d[3])
		     : "r"(a[0]), "r"(a[1]), "r"(a[2]), "r"(a[3]), "r"(b[0]), "r"(b[1]));
}
#endif // __CUDACC__

// Peak-throughput probes: kernels that do nothing but arithmetic, so the
// benchmarks report the other kernels' speed as a share of what this GPU
// measurably does rather than of a data-sheet figure. Each thread writes
// one float of out so the compiler keeps the arithmetic.

// Independent FMA chains per thread: enough to hide the FMA latency (4
// cycles) with one warp per scheduler.
#define PEAK_FMA_CHAINS 8

// Every thread runs PEAK_FMA_CHAINS chains of iters FP32 FMAs (2 FLOP
// each). a = a*x + y converges to y/(1-x) for |x| < 1, so nothing
// overflows, and x and y are arguments, so the loop cannot be folded.
extern "C" __global__ void peak_fma_f32(float *out, float x, float y, int iters)
{
	float a[PEAK_FMA_CHAINS];
#pragma unroll
	for (int c = 0; c < PEAK_FMA_CHAINS; c++) {
		a[c] = (float)(threadIdx.x + c);
	}
	for (int i = 0; i < iters; i++) {
#pragma unroll
		for (int c = 0; c < PEAK_FMA_CHAINS; c++) {
			a[c] = fmaf(a[c], x, y);
		}
	}
	float s = 0.0f;
#pragma unroll
	for (int c = 0; c < PEAK_FMA_CHAINS; c++) {
		s += a[c];
	}
	out[(long long)blockIdx.x * blockDim.x + threadIdx.x] = s;
}

// Independent accumulators per warp: a tensor-core instruction's latency
// is tens of cycles, so one chain per warp would measure latency.
#define PEAK_MMA_CHAINS 8

// Every warp runs PEAK_MMA_CHAINS chains of iters mma.sync m16n8k8 TF32
// products with FP32 accumulation (2*16*8*8 = 2048 FLOP each), the
// instruction the GEMM kernel is built on. Every element of A and B is x;
// an accumulator grows by 8*x*x per product, which stays finite for small
// x.
extern "C" __global__ void peak_mma_tf32(float *out, float x, int iters)
{
	unsigned a;
	asm("cvt.rna.tf32.f32 %0, %1;" : "=r"(a) : "f"(x));
	float d[PEAK_MMA_CHAINS][4];
#pragma unroll
	for (int c = 0; c < PEAK_MMA_CHAINS; c++) {
		d[c][0] = d[c][1] = d[c][2] = d[c][3] = 0.0f;
	}
	for (int i = 0; i < iters; i++) {
#pragma unroll
		for (int c = 0; c < PEAK_MMA_CHAINS; c++) {
			asm volatile(
			    "mma.sync.aligned.m16n8k8.row.col.f32.tf32.tf32.f32 "
			    "{%0, %1, %2, %3}, {%4, %5, %6, %7}, {%8, %9}, {%0, %1, %2, %3};"
			    : "+f"(d[c][0]), "+f"(d[c][1]), "+f"(d[c][2]), "+f"(d[c][3])
			    : "r"(a), "r"(a), "r"(a), "r"(a), "r"(a), "r"(a));
		}
	}
	float s = 0.0f;
#pragma unroll
	for (int c = 0; c < PEAK_MMA_CHAINS; c++) {
		s += d[c][0] + d[c][1] + d[c][2] + d[c][3];
	}
	out[(long long)blockIdx.x * blockDim.x + threadIdx.x] = s;
}

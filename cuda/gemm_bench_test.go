//go:build cuda

package cuda

import (
	"errors"
	"testing"

	"github.com/tensorforge/tensorforge/tensor"
)

// gemmBenches are the products BenchmarkGemm times: squares, then
// AlexNet's at batch 128 in the forms the layers call them. Sizes,
// transposes, leading dimensions, strides and batch are set; the
// operands are made by the benchmark.
var gemmBenches = []struct {
	name string
	g    tensor.GemmArgs
}{
	{"1024", square(1024)},
	{"2048", square(2048)},
	{"4096", square(4096)},
	// conv2 and conv3 forward with the batch's columns side by side:
	// W [OC x CKK] * cols [CKK x 128*OHW].
	{"conv2_256x86528x2400", tensor.GemmArgs{M: 256, N: 86528, K: 2400, LDA: 2400, LDB: 86528, LDC: 86528}},
	{"conv3_384x18432x2304", tensor.GemmArgs{M: 384, N: 18432, K: 2304, LDA: 2304, LDB: 18432, LDC: 18432}},
	// fc1 forward: y [128 x 4096] = x [128 x 6400] * W^T, W [4096 x 6400].
	{"fc1_128x4096x6400_nt", tensor.GemmArgs{TransB: true, M: 128, N: 4096, K: 6400, LDA: 6400, LDB: 6400, LDC: 4096}},
	// conv1 forward per image: Y_i [96 x 2916] = W [96 x 121] * cols_i.
	{"conv1_96x2916x121_batch128", tensor.GemmArgs{M: 96, N: 2916, K: 121, LDA: 121, LDB: 2916, LDC: 2916,
		StrideB: 121 * 2916, StrideC: 96 * 2916, Batch: 128}},
	// conv1 and conv2 weight gradients: dW = sum_i dY_i * cols_i^T.
	{"conv1_dW_96x121x2916_sum128", tensor.GemmArgs{TransB: true, M: 96, N: 121, K: 2916, LDA: 2916, LDB: 2916,
		LDC: 121, StrideA: 96 * 2916, StrideB: 121 * 2916, Batch: 128}},
	{"conv2_dW_256x2400x676_sum128", tensor.GemmArgs{TransB: true, M: 256, N: 2400, K: 676, LDA: 676, LDB: 676,
		LDC: 2400, StrideA: 256 * 676, StrideB: 2400 * 676, Batch: 128}},
	// conv2 column gradient per image: dcols_i [2400 x 676] = W^T * dY_i.
	{"conv2_dcols_2400x676x256_batch128", tensor.GemmArgs{TransA: true, M: 2400, N: 676, K: 256, LDA: 2400,
		LDB: 676, LDC: 676, StrideB: 256 * 676, StrideC: 2400 * 676, Batch: 128}},
}

func square(n int) tensor.GemmArgs {
	return tensor.GemmArgs{M: n, N: n, K: n, LDA: n, LDB: n, LDC: n}
}

// BenchmarkGemm times each product in TF32, in BF16 and in exact FP32,
// reporting GFLOP/s (a multiply-add counts 2). Each timing ends with a
// Sync, so it covers the kernels' run and not only their launch.
func BenchmarkGemm(b *testing.B) {
	sharedOnce.Do(func() { sharedDev, sharedErr = Open() })
	if errors.Is(sharedErr, ErrNoGPU) {
		b.Skipf("no GPU: %v", sharedErr)
	} else if sharedErr != nil {
		b.Fatal(sharedErr)
	}
	d := sharedDev
	defer d.SetExactGemm(false)
	for _, c := range gemmBenches {
		b.Run(c.name, func(b *testing.B) {
			g := c.g
			ar, ac, br, bc := g.M, g.K, g.K, g.N
			if g.TransA {
				ar, ac = ac, ar
			}
			if g.TransB {
				br, bc = bc, br
			}
			batch, cBatch := max(g.Batch, 1), max(g.Batch, 1)
			if g.StrideC == 0 {
				cBatch = 1
			}
			g.A = benchOperand(d, (batch-1)*g.StrideA+(ar-1)*g.LDA+ac)
			g.B = benchOperand(d, (batch-1)*g.StrideB+(br-1)*g.LDB+bc)
			g.C = benchOperand(d, (cBatch-1)*g.StrideC+(g.M-1)*g.LDC+g.N)
			defer func() { g.A.Free(); g.B.Free(); g.C.Free() }()
			flops := 2 * float64(g.M) * float64(g.N) * float64(g.K) * float64(batch)
			for _, p := range []struct {
				name      string
				exact     bool
				precision tensor.Precision
			}{{"tf32", false, tensor.FP32}, {"bf16", false, tensor.BF16}, {"exact", true, tensor.FP32}} {
				b.Run(p.name, func(b *testing.B) {
					d.SetExactGemm(p.exact)
					g.Precision = p.precision
					tensor.Gemm(&g) // the first call allows the kernel its shared memory
					if err := d.Sync(); err != nil {
						b.Fatal(err)
					}
					b.ResetTimer()
					for range b.N {
						tensor.Gemm(&g)
					}
					if err := d.Sync(); err != nil {
						b.Fatal(err)
					}
					b.ReportMetric(flops*float64(b.N)/b.Elapsed().Seconds()/1e9, "GFLOP/s")
				})
			}
		})
	}
}

// benchOperand returns n floats on d holding a pattern of random values
// in [-1, 1): one block uploaded, then copied on the device along the
// whole length, which is much faster than uploading the 830 MB operands
// of the batch-128 products. (Random rather than constant values keep the
// tensor cores switching, as real data does.)
func benchOperand(d *Device, n int) *tensor.Tensor {
	const block = 1 << 20
	src := tensor.RandUniform(d, uint64(n), -1, 1, min(n, block))
	defer src.Free()
	t := tensor.Zeros(d, n)
	for off := 0; off < n; off += block {
		m := min(block, n-off)
		tensor.Copy(t.Slice(off, off+m), src.Slice(0, m))
	}
	return t
}

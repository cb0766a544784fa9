//go:build cuda

package cuda

import (
	"testing"

	"github.com/tensorforge/tensorforge/kernels"
	"github.com/tensorforge/tensorforge/tensor"
)

// TestKernelTables checks, without a GPU, that every kernel the op tables
// name, and every name the GEMM and convolution launches build, is one the
// embedded PTX defines.
func TestKernelTables(t *testing.T) {
	defined := ptxParams(t)
	// The GEMM's and the convolutions' kernels are named for their
	// arithmetic, which mathOf picks.
	var built []string
	for _, p := range []tensor.Precision{tensor.FP32, tensor.BF16} {
		for _, exact := range []bool{false, true} {
			arith, _, _ := mathOf(p, exact)
			built = append(built, "conv_data_"+arith, "conv_data_"+arith+"_strided", "conv_weight_"+arith)
			for _, ta := range []bool{false, true} {
				for _, tb := range []bool{false, true} {
					built = append(built, "gemm_"+arith+"_"+transName(ta)+transName(tb))
				}
			}
		}
	}
	built = append(built, "gemm_reduce", "conv_weight_t", "widen_bf16", "maxpool_f32", "maxpool_grad_f32")
	for _, table := range [][]string{unaryKernels[:], unaryGradKernels[:], binaryKernels[:], reduceKernels[:], built} {
		for _, name := range table {
			if _, ok := defined[name]; !ok {
				t.Errorf("kernel %q is launched but no module defines it", name)
			}
		}
	}
}

// TestConvEnv checks, without a GPU, the values of ConvEnv that
// tensor.Open("cuda") accepts, and that it refuses any other.
func TestConvEnv(t *testing.T) {
	for v, im2col := range map[string]bool{"": false, "direct": false, "im2col": true} {
		t.Setenv(ConvEnv, v)
		opts, err := envOptions()
		if err != nil {
			t.Fatalf("%s=%q: %v", ConvEnv, v, err)
		}
		var c config
		for _, o := range opts {
			o(&c)
		}
		if c.im2col != im2col {
			t.Errorf("%s=%q: im2col %v, want %v", ConvEnv, v, c.im2col, im2col)
		}
	}
	t.Setenv(ConvEnv, "implicit")
	if _, err := envOptions(); err == nil {
		t.Errorf("%s=implicit accepted", ConvEnv)
	}
}

// ptxParams returns the parameter count of each kernel the embedded PTX
// defines, by name.
func ptxParams(t *testing.T) map[string]int {
	t.Helper()
	mods, err := kernels.Modules()
	if err != nil {
		t.Fatal(err)
	}
	params := map[string]int{}
	for _, m := range mods {
		for _, k := range m.Kernels {
			params[k.Name] = len(k.Params)
		}
	}
	return params
}

package kernels

import (
	"slices"
	"strings"
	"testing"
)

// TestModules checks that every module is PTX for the architecture the
// generator targets and that no kernel name is defined twice (the cuda
// package looks kernels up by name alone).
func TestModules(t *testing.T) {
	mods, err := Modules()
	if err != nil {
		t.Fatal(err)
	}
	seen := map[string]string{}
	for _, m := range mods {
		if !strings.Contains(m.PTX, "\n.target sm_80\n") {
			t.Errorf("%s: not PTX for sm_80", m.Name)
		}
		for _, k := range m.Kernels {
			if other, dup := seen[k.Name]; dup {
				t.Errorf("kernel %s in both %s and %s", k.Name, other, m.Name)
			}
			seen[k.Name] = m.Name
		}
	}
	for _, k := range []string{"axpy_f32", "im2col_f32", "col2im_f32", "maxpool_grad_f32", "dropout_f32", "softmax_xent_reduce", "sgd_f32", "resize_u8",
		"gemm_tf32_nn", "gemm_bf16_tt", "gemm_f32_nt", "peak_mma_tf32", "peak_mma_bf16",
		// The cuda package names these for tensor's ops (their String).
		"add_f32", "sub_f32", "mul_f32", "exp_f32", "sigmoid_f32", "tanh_f32", "exp_grad_f32", "sigmoid_grad_f32", "tanh_grad_f32",
		"reduce_sum_f32", "reduce_max_f32",
		"avgpool_f32", "avgpool_grad_f32", "batchnorm_stats_f32", "batchnorm_eval_stats_f32", "batchnorm_f32",
		"batchnorm_grad_reduce_f32", "batchnorm_grad_f32"} {
		if _, ok := seen[k]; !ok {
			t.Errorf("kernel %s missing", k)
		}
	}
}

// TestEntries checks the parsing of kernels and their parameters, a
// helper function's left out.
func TestEntries(t *testing.T) {
	ptx := ".version 7.8\n.visible .entry a_f32(\n\t.param .u64 a_f32_param_0,\n\t.param .f32 a_f32_param_1\n)\n{\n" +
		"\tld.param.u64 \t%rd1, [a_f32_param_0];\n}\n.func helper(\n\t.param .u32 helper_param_0\n)\n.visible .entry b(\n)\n"
	got := entries(ptx)
	want := []Kernel{{"a_f32", []string{".u64", ".f32"}}, {"b", nil}}
	if !slices.EqualFunc(got, want, func(a, b Kernel) bool { return a.Name == b.Name && slices.Equal(a.Params, b.Params) }) {
		t.Errorf("entries = %q, want %q", got, want)
	}
}

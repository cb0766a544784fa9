package safetensors

import "testing"

func TestCheck(t *testing.T) {
	f := &File{Name: "alexnet.safetensors", Tensors: map[string]Tensor{
		"conv1.weight": FromFloat32([]int{96, 3, 11, 11}, make([]float32, 96*3*11*11)),
		"conv1.bias":   FromInt32([]int{96}, make([]int32, 96)),
		"fc.weight":    FromFloat32([]int{10, 4096}, make([]float32, 10*4096)),
		"extra":        FromUint8([]int{2}, []uint8{1, 2}),
		"also.extra":   FromUint8([]int{1}, []uint8{1}),
	}}
	want := []Spec{
		{"conv1.weight", F32, []int{96, 1, 11, 11}},
		{"conv1.bias", F32, []int{96}},
		{"fc.weight", F32, []int{10, 4096}},
		{"fc.bias", F32, []int{10}},
	}
	const msg = `alexnet.safetensors: tensor "conv1.weight" has shape [96 3 11 11], want [96 1 11 11]
alexnet.safetensors: tensor "conv1.bias" has dtype I32, want F32
alexnet.safetensors: missing tensor "fc.bias" (F32 [10])
alexnet.safetensors: unexpected tensor "also.extra" (U8 [1])
alexnet.safetensors: unexpected tensor "extra" (U8 [2])`
	if err := f.Check(want); err == nil || err.Error() != msg {
		t.Errorf("got\n%v\nwant\n%s", err, msg)
	}
	delete(f.Tensors, "extra")
	delete(f.Tensors, "also.extra")
	f.Tensors["conv1.weight"] = FromFloat32([]int{96, 1, 11, 11}, make([]float32, 96*11*11))
	f.Tensors["conv1.bias"] = FromFloat32([]int{96}, make([]float32, 96))
	f.Tensors["fc.bias"] = FromFloat32([]int{10}, make([]float32, 10))
	if err := f.Check(want); err != nil {
		t.Errorf("matching file: %v", err)
	}
}

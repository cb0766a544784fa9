package alexnet

import (
	"bytes"
	"testing"

	"github.com/tensorforge/tensorforge/classify"
	"github.com/tensorforge/tensorforge/safetensors"
	"github.com/tensorforge/tensorforge/tensor"
)

// FuzzLoad feeds Load's parts (classify.ParseCheckpoint, FromCheckpoint)
// files whose metadata and shapes come from the fuzzer: they must return a
// model or an error, never panic or run out of memory (a size read from
// the file is bounded before anything is allocated).
func FuzzLoad(f *testing.F) {
	seed := func(meta map[string]string, shapes map[string][]int) []byte {
		file := &safetensors.File{Metadata: meta, Tensors: map[string]safetensors.Tensor{}}
		for name, shape := range shapes {
			n := 1
			for _, d := range shape {
				n *= d
			}
			file.Tensors[name] = safetensors.FromFloat32(shape, make([]float32, n))
		}
		var b bytes.Buffer
		if err := safetensors.Encode(&b, file); err != nil {
			f.Fatal(err)
		}
		return b.Bytes()
	}
	// Shapes with a zero dimension hold no data, so seeds stay small while
	// still reaching the size checks.
	shapes := map[string][]int{"net.0.weight": {96, 1, 11, 0}, "net.14.weight": {8, 0}, "net.20.weight": {10, 0}}
	f.Add(seed(map[string]string{"size": "65", "hidden": "8", "classes": "10", "channels": "1"}, shapes))
	f.Add(seed(map[string]string{"hidden": "1000000000"}, shapes))
	f.Add(seed(map[string]string{"size": "4611686018427387904"}, shapes))
	f.Add(seed(nil, map[string][]int{"0.weight": {96, 3, 0, 11}, "14.weight": {4096, 0}, "20.weight": {1 << 30, 0}}))
	f.Add(seed(map[string]string{"epoch": "-1"}, nil))
	f.Fuzz(func(t *testing.T, data []byte) {
		ck, err := classify.ParseCheckpoint("fuzz", data)
		if err != nil {
			return
		}
		m, err := FromCheckpoint(tensor.CPU(), ck, Config{Inference: true})
		if err != nil {
			return
		}
		defer m.Free()
		if m.Classes() < 1 || ck.Info().Epoch < 0 {
			t.Fatalf("loaded a model of %d classes after %d epochs", m.Classes(), ck.Info().Epoch)
		}
	})
}

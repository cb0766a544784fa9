package alexnet

import (
	"maps"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/tensorforge/tensorforge/classify"
	"github.com/tensorforge/tensorforge/safetensors"
	"github.com/tensorforge/tensorforge/tensor"
)

// saved returns a model of small after a training step, and its
// checkpoint's file as read back.
func saved(t *testing.T) (*classify.Model, string, *safetensors.File) {
	t.Helper()
	m, err := New(tensor.CPU(), small)
	if err != nil {
		t.Fatal(err)
	}
	x, labels := batch(tensor.CPU(), small, 2)
	m.TrainStep(x, labels)
	path := filepath.Join(t.TempDir(), "ck.safetensors")
	if err := m.Save(path, 1); err != nil {
		t.Fatal(err)
	}
	f, err := safetensors.Read(path)
	if err != nil {
		t.Fatal(err)
	}
	return m, path, f
}

// logits returns the model's logits for a fixed batch.
func logits(t *testing.T, m *classify.Model) []float32 {
	t.Helper()
	x, _ := batch(tensor.CPU(), small, 2)
	l, _, _ := m.Eval(x, nil)
	v, err := l.Float32s()
	if err != nil {
		t.Fatal(err)
	}
	return v
}

// write saves f, changed by change, to a new file and returns its path.
func write(t *testing.T, f *safetensors.File, change func(g *safetensors.File)) string {
	t.Helper()
	g := &safetensors.File{Metadata: maps.Clone(f.Metadata), Tensors: maps.Clone(f.Tensors)}
	change(g)
	path := filepath.Join(t.TempDir(), "edited.safetensors")
	if err := safetensors.Write(path, g); err != nil {
		t.Fatal(err)
	}
	return path
}

// TestLoadRecordedSizes checks that a checkpoint this package wrote loads
// with no sizes given, into a model that predicts the same.
func TestLoadRecordedSizes(t *testing.T) {
	m, path, f := saved(t)
	if want := map[string]string{"epoch": "1", "step": "1", "channels": "1", "size": "65", "classes": "10", "hidden": "32"}; !maps.Equal(f.Metadata, want) {
		t.Errorf("metadata %v, want %v", f.Metadata, want)
	}
	loaded, info, err := Load(tensor.CPU(), path, Config{Inference: true})
	if err != nil {
		t.Fatal(err)
	}
	if in := loaded.Input(); !slices.Equal(in, []int{1, 65, 65}) || loaded.Classes() != 10 || info.Epoch != 1 {
		t.Errorf("input %v, %d classes, epoch %d", in, loaded.Classes(), info.Epoch)
	}
	if !slices.Equal(logits(t, m), logits(t, loaded)) {
		t.Error("the loaded model predicts otherwise")
	}
}

// TestLoadStateDict loads a state dict as PyTorch saves one: no metadata,
// and names with or without the Classifier's "net." prefix. The sizes come
// from the shapes and the input size from the caller.
func TestLoadStateDict(t *testing.T) {
	m, _, f := saved(t)
	bare := write(t, f, func(g *safetensors.File) {
		g.Metadata = nil
		for name, v := range f.Tensors {
			delete(g.Tensors, name)
			if !strings.HasSuffix(name, classify.MomentumSuffix) {
				g.Tensors[strings.TrimPrefix(name, ParamPrefix)] = v
			}
		}
	})
	prefixed := write(t, f, func(g *safetensors.File) { g.Metadata = map[string]string{"format": "pt"} })
	for _, path := range []string{bare, prefixed} {
		loaded, info, err := Load(tensor.CPU(), path, Config{Size: MinSize, Inference: true})
		if err != nil {
			t.Fatal(err)
		}
		if info.Epoch != 0 || loaded.Classes() != 10 {
			t.Errorf("epoch %d, %d classes", info.Epoch, loaded.Classes())
		}
		if !slices.Equal(logits(t, m), logits(t, loaded)) {
			t.Error("the state dict predicts otherwise")
		}
	}
	// Without a size, the book's 224: the first linear layer's inputs then
	// differ, and the error names it.
	_, _, err := Load(tensor.CPU(), bare, Config{})
	if err == nil || !strings.Contains(err.Error(), `"14.weight"`) || !strings.Contains(err.Error(), "[32 256]") {
		t.Errorf("a 65x65 state dict loaded at 224: %v", err)
	}
}

// TestLoadErrors checks checkpoints whose metadata or tensors do not make
// an AlexNet: each is refused with an error naming the entry, before any
// model is built (a hidden width of 10^9 would take 100 GB).
func TestLoadErrors(t *testing.T) {
	_, path, f := saved(t)
	for _, c := range []struct {
		name   string
		change func(g *safetensors.File)
		into   Config
		want   string
	}{
		{"hidden metadata", func(g *safetensors.File) { g.Metadata["hidden"] = "1000000000" }, Config{},
			`metadata "hidden" is 1000000000, but tensor net.14.weight says 32`},
		{"huge size", func(g *safetensors.File) { g.Metadata["size"] = "4611686018427387904" }, Config{}, "above the limit of 2048"},
		{"negative size", func(g *safetensors.File) { g.Metadata["size"] = "-3" }, Config{}, `metadata "size" is "-3"`},
		{"not a count", func(g *safetensors.File) { g.Metadata["classes"] = "ten" }, Config{}, `metadata "classes" is "ten"`},
		{"no conv1", func(g *safetensors.File) { delete(g.Tensors, "net.0.weight") }, Config{}, `no tensor "net.0.weight": not a checkpoint of AlexNet`},
		{"flat conv1", func(g *safetensors.File) {
			w := g.Tensors["net.0.weight"]
			g.Tensors["net.0.weight"] = safetensors.Tensor{DType: w.DType, Shape: []int{96, 121}, Data: w.Data}
		}, Config{}, `"net.0.weight" has shape [96 121], want 4 dimensions`},
		{"other hidden", func(*safetensors.File) {}, Config{Hidden: 64}, "hidden is 32, want 64"},
		{"other size", func(*safetensors.File) {}, Config{Size: 70}, "size is 65, want 70"},
	} {
		_, _, err := Load(tensor.CPU(), write(t, f, c.change), c.into)
		if err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%s: error %v, want one containing %s", c.name, err, c.want)
		}
	}
	if _, _, err := Load(tensor.CPU(), path, Config{}); err != nil {
		t.Errorf("the unedited checkpoint: %v", err)
	}
}

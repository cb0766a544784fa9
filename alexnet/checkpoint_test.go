package alexnet

import (
	"maps"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/tensorforge/tensorforge/safetensors"
	"github.com/tensorforge/tensorforge/tensor"
)

// withMomentum is the small test model with momentum, so that checkpoints
// carry a velocity.
var withMomentum = func() Config {
	c := small
	c.SGD.Momentum = 0.9
	return c
}()

// trainedCheckpoint takes a few momentum steps and saves them as after 3
// epochs; it returns the model and the file.
func trainedCheckpoint(t *testing.T) (*Model, string) {
	t.Helper()
	m, err := New(tensor.CPU(), withMomentum)
	if err != nil {
		t.Fatal(err)
	}
	x, labels := batch(tensor.CPU(), small, 4)
	for range 3 {
		m.TrainStep(x, labels)
	}
	path := filepath.Join(t.TempDir(), "ck.safetensors")
	if err := m.SaveCheckpoint(path, 3); err != nil {
		t.Fatal(err)
	}
	return m, path
}

func TestCheckpointRoundTrip(t *testing.T) {
	m, path := trainedCheckpoint(t)
	loaded, info, err := Load(tensor.CPU(), path, Config{Seed: withMomentum.Seed, SGD: withMomentum.SGD})
	if err != nil {
		t.Fatal(err)
	}
	if info.Epoch != 3 || info.Step != 3 || loaded.Step() != 3 {
		t.Errorf("epoch %d, step %d, model step %d; want 3, 3, 3", info.Epoch, info.Step, loaded.Step())
	}
	if got, want := loaded.Config(), m.Config(); got.Size != want.Size || got.Hidden != want.Hidden || got.Classes != want.Classes || got.InChannels != want.InChannels {
		t.Errorf("loaded config %+v, want %+v", got, want)
	}
	for name, pair := range map[string][2]*tensor.Tensor{
		"velocity": {m.Optimizer().Velocity(), loaded.Optimizer().Velocity()},
		"logits":   {logitsOf(t, m), logitsOf(t, loaded)},
	} {
		a, _ := pair[0].Float32s()
		b, _ := pair[1].Float32s()
		if !slices.Equal(a, b) {
			t.Errorf("%s differ after a round trip", name)
		}
	}

	f, err := safetensors.Read(path)
	if err != nil {
		t.Fatal(err)
	}
	for _, name := range []string{"net.0.weight", "net.20.bias", "net.14.weight" + MomentumSuffix} {
		if _, ok := f.Tensors[name]; !ok {
			t.Errorf("checkpoint lacks %s", name)
		}
	}
	if f.Metadata["size"] != "65" || f.Metadata["classes"] != "10" || f.Metadata["channels"] != "1" {
		t.Errorf("metadata %v", f.Metadata)
	}
}

// logitsOf returns a copy of the model's logits for a fixed batch.
func logitsOf(t *testing.T, m *Model) *tensor.Tensor {
	t.Helper()
	x, _ := batch(tensor.CPU(), small, 2)
	logits, _, _ := m.Eval(x, nil)
	return logits.Clone()
}

// TestCheckpointErrors checks that a loader names what does not fit: the
// tensor with a wrong shape or dtype, a missing one, the size that
// differs.
func TestCheckpointErrors(t *testing.T) {
	_, path := trainedCheckpoint(t)
	f, err := safetensors.Read(path)
	if err != nil {
		t.Fatal(err)
	}
	edit := func(change func(f *safetensors.File)) string {
		g := &safetensors.File{Metadata: f.Metadata, Tensors: maps.Clone(f.Tensors)}
		change(g)
		p := filepath.Join(t.TempDir(), "bad.safetensors")
		if err := safetensors.Write(p, g); err != nil {
			t.Fatal(err)
		}
		return p
	}
	w := f.Tensors["net.3.weight"]
	cases := []struct {
		name, path string
		into       Config
		want       []string
	}{
		{"shape", edit(func(g *safetensors.File) {
			g.Tensors["net.3.weight"] = safetensors.Tensor{DType: w.DType, Shape: []int{96, 256, 5, 5}, Data: w.Data}
		}), withMomentum, []string{"net.3.weight", "[96 256 5 5]"}},
		{"dtype", edit(func(g *safetensors.File) {
			g.Tensors["net.0.bias"] = safetensors.FromInt32([]int{96}, make([]int32, 96))
		}), withMomentum, []string{"net.0.bias", "I32"}},
		{"missing", edit(func(g *safetensors.File) { delete(g.Tensors, "net.20.bias") }), withMomentum, []string{"net.20.bias", "missing"}},
		{"size", path, func() Config { c := withMomentum; c.Size = 70; return c }(), []string{"size is 65", "70"}},
	}
	for _, c := range cases {
		m, err := New(tensor.CPU(), c.into)
		if err != nil {
			t.Fatal(err)
		}
		_, err = m.LoadCheckpoint(c.path)
		if err == nil {
			t.Errorf("%s: loaded", c.name)
			continue
		}
		for _, w := range c.want {
			if !strings.Contains(err.Error(), w) {
				t.Errorf("%s: error %q does not mention %q", c.name, err, w)
			}
		}
	}
	if _, _, err := Load(tensor.CPU(), path, Config{Hidden: 64}); err == nil || !strings.Contains(err.Error(), "hidden is 32, want 64") {
		t.Errorf("Load with another hidden width: %v", err)
	}
}

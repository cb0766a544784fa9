package classify

import (
	"maps"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/tensorforge/tensorforge/safetensors"
	"github.com/tensorforge/tensorforge/tensor"
)

// nested names tinyNet's layers as a PyTorch model holding a feature
// extractor and a head of two named layers would.
var nested = Naming{Name: "nested", Prefix: "model.", Modules: map[string]string{"0": "features.0", "4": "head.fc1", "7": "head.fc2"}}

func TestNamingRename(t *testing.T) {
	n := Naming{Modules: map[string]string{"1": "a", "1.body.0": "b.conv1", "2": "c"}}
	for _, tc := range []struct {
		name, want string
		ok         bool
	}{
		{"1.body.0.weight", "b.conv1.weight", true}, // the longest path
		{"1.body.1.running_mean", "a.body.1.running_mean", true},
		{"2.bias", "c.bias", true},
		{"12.bias", "", false}, // paths end at a dot
		{"3.weight", "", false},
	} {
		if got, ok := n.rename(tc.name); got != tc.want || ok != tc.ok {
			t.Errorf("rename(%q) = %q, %v; want %q, %v", tc.name, got, ok, tc.want, tc.ok)
		}
	}
	if got, ok := (Naming{Prefix: "net."}).rename("4.weight"); got != "4.weight" || !ok {
		t.Errorf("a naming without modules renamed 4.weight to %q, %v", got, ok)
	}
}

// TestNamingRoundTrip saves a checkpoint under another naming and loads
// it, with the naming's prefix and without it; a file in the network's
// own names still loads beside the naming.
func TestNamingRoundTrip(t *testing.T) {
	c := tiny
	c.Namings, c.SaveAs = []Naming{nested}, nested.Name
	m := newTiny(t, c)
	x, labels := batch(tensor.CPU(), c, 4)
	for range 3 {
		m.TrainStep(x, labels)
	}
	path := filepath.Join(t.TempDir(), "nested.safetensors")
	if err := m.Save(path, 3); err != nil {
		t.Fatal(err)
	}
	f, err := safetensors.Read(path)
	if err != nil {
		t.Fatal(err)
	}
	want := []string{"model.features.0.bias", "model.features.0.weight", "model.head.fc1.bias", "model.head.fc1.weight", "model.head.fc2.bias", "model.head.fc2.weight"}
	for _, w := range slices.Clone(want) {
		want = append(want, w+MomentumSuffix)
	}
	slices.Sort(want)
	if got := slices.Sorted(maps.Keys(f.Tensors)); !slices.Equal(got, want) {
		t.Fatalf("tensors %v, want %v", got, want)
	}
	// The same tensors without the prefix, as the state_dict of the
	// model's inner module.
	bare := &safetensors.File{Tensors: map[string]safetensors.Tensor{}}
	for name, v := range f.Tensors {
		bare.Tensors[strings.TrimPrefix(name, nested.Prefix)] = v
	}
	barePath := filepath.Join(t.TempDir(), "bare.safetensors")
	if err := safetensors.Write(barePath, bare); err != nil {
		t.Fatal(err)
	}
	load := tiny
	load.Namings = []Naming{nested}
	for _, p := range []string{path, barePath} {
		loaded, _, err := Load(tensor.CPU(), tinyNet(), p, load)
		if err != nil {
			t.Fatalf("%s: %v", p, err)
		}
		a, _ := m.Optimizer().Velocity().Float32s()
		b, _ := loaded.Optimizer().Velocity().Float32s()
		if !slices.Equal(logitsOf(t, m), logitsOf(t, loaded)) || !slices.Equal(a, b) {
			t.Errorf("%s: logits or velocity differ after the round trip", p)
		}
		// Into a model built already, too, and out in its own names.
		if _, err := loaded.LoadCheckpoint(p); err != nil {
			t.Errorf("%s: LoadCheckpoint: %v", p, err)
		}
	}
	_, own := trained(t)
	if _, _, err := Load(tensor.CPU(), tinyNet(), own, load); err != nil {
		t.Errorf("a file in the network's own names: %v", err)
	}
}

// TestNamingErrors checks that a naming that does not fit the network is
// refused when the model is built, and that a file in another naming
// missing a tensor is refused under that naming's name of it.
func TestNamingErrors(t *testing.T) {
	for _, tc := range []struct {
		namings []Naming
		saveAs  string
		want    string
	}{
		{[]Naming{{Name: "short", Modules: map[string]string{"0": "a", "4": "b"}}}, "", `naming "short" does not name tensor "7.weight"`},
		{[]Naming{{Name: "dup", Modules: map[string]string{"0": "a", "4": "b", "7": "b"}}}, "", `naming "dup" names tensors "4.weight" and "7.weight" both "b.weight"`},
		{[]Naming{nested, nested}, "", `naming "nested": want a name of its own`},
		{[]Naming{nested}, "other", `SaveAs "other": not one of the model's namings`},
	} {
		c := tiny
		c.Namings, c.SaveAs = tc.namings, tc.saveAs
		if _, err := New(tensor.CPU(), tinyNet(), c); err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("New: error %v, want %q", err, tc.want)
		}
		if _, err := FromCheckpoint(tensor.CPU(), tinyNet(), nil, c); err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("FromCheckpoint: error %v, want %q", err, tc.want)
		}
	}

	c := tiny
	c.Namings, c.SaveAs = []Naming{nested}, nested.Name
	m := newTiny(t, c)
	path := filepath.Join(t.TempDir(), "nested.safetensors")
	if err := m.SaveWeights(path, 0); err != nil {
		t.Fatal(err)
	}
	f, err := safetensors.Read(path)
	if err != nil {
		t.Fatal(err)
	}
	delete(f.Tensors, "model.head.fc2.bias")
	if err := safetensors.Write(path, f); err != nil {
		t.Fatal(err)
	}
	want := `missing tensor "model.head.fc2.bias"`
	if _, _, err := Load(tensor.CPU(), tinyNet(), path, c); err == nil || !strings.Contains(err.Error(), want) {
		t.Errorf("error %v, want %q", err, want)
	}
}

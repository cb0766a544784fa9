package main

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"maps"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/tensorforge/tensorforge/classify"
	"github.com/tensorforge/tensorforge/fashionmnist"
	"github.com/tensorforge/tensorforge/safetensors"
	"github.com/tensorforge/tensorforge/tensor"
)

// TestModelsLearn trains each network for one epoch on a part of
// Fashion-MNIST with the shared loop, checks that it learned (ten
// classes: chance is 0.1) and that its checkpoint loads for inference.
// Six only train and load: the book's sigmoid LeNet stays at chance for
// its first full epoch (as in the book), and VGG-11, NiN, GoogLeNet,
// ResNet-18 and DenseNet,
// too costly for more than a few steps here, run at a small input; their layers'
// checks are nn's, their recipes' figures BENCHMARKS.md's.
func TestModelsLearn(t *testing.T) {
	for _, m := range models {
		t.Run(m.Name, func(t *testing.T) {
			save := filepath.Join(t.TempDir(), m.Name+".safetensors")
			var out bytes.Buffer
			o := options{model: m.Name, device: "cpu", epochs: 1, batch: 64, limit: 4096, testLimit: 512, threads: 2, seed: 1, save: save}
			minAcc := 0.5
			switch m.Name {
			case "lenet":
				minAcc = 0
			case "nin":
				o.size, o.batch, o.limit, o.testLimit, minAcc = 67, 32, 128, 64, 0
			case "vgg11":
				o.size, o.batch, o.limit, o.testLimit, minAcc = 32, 32, 128, 64, 0
			case "resnet18", "googlenet", "densenet":
				o.size, o.batch, o.limit, o.testLimit, minAcc = 32, 32, 128, 64, 0
			}
			if err := run(context.Background(), &out, o); err != nil {
				t.Fatal(err)
			}
			match := regexp.MustCompile(`test accuracy (\d\.\d+)`).FindSubmatch(out.Bytes())
			if match == nil {
				t.Fatalf("no accuracy in\n%s", out.String())
			}
			if acc, _ := strconv.ParseFloat(string(match[1]), 64); acc < minAcc {
				t.Errorf("test accuracy %v after one epoch on %d images, want at least %v\n%s", acc, o.limit, minAcc, out.String())
			}
			model, info, err := classify.Load(tensor.CPU(), m.Net(fashionmnist.NumClasses), save,
				classify.Config{Input: input(m, orDefault(o.size, m.Input[1])), Inference: true, Meta: map[string]string{"model": m.Name}})
			if err != nil {
				t.Fatal(err)
			}
			defer model.Free()
			if info.Epoch != 1 || model.Classes() != 10 {
				t.Errorf("checkpoint after %d epochs, %d classes", info.Epoch, model.Classes())
			}
		})
	}
}

// TestBatchNormLoadsInPyTorch checks that a trained lenet-bn's file holds
// exactly the state dict of the book's nn.Sequential (ch. 8.5, concise
// implementation): load_state_dict in strict mode wants these names,
// shapes and dtypes, num_batches_tracked a 0-dimensional int64.
func TestBatchNormLoadsInPyTorch(t *testing.T) {
	save := filepath.Join(t.TempDir(), "lenet-bn.safetensors")
	o := options{model: "lenet-bn", device: "cpu", epochs: 1, batch: 64, limit: 640, testLimit: 64, threads: 2, seed: 1, save: save}
	if err := run(context.Background(), new(bytes.Buffer), o); err != nil {
		t.Fatal(err)
	}
	want := map[string][]int{}
	conv := func(i, out, in int) {
		want[strconv.Itoa(i)+".weight"], want[strconv.Itoa(i)+".bias"] = []int{out, in, 5, 5}, []int{out}
	}
	linear := func(i, out, in int) {
		want[strconv.Itoa(i)+".weight"], want[strconv.Itoa(i)+".bias"] = []int{out, in}, []int{out}
	}
	norm := func(i, c int) {
		for _, name := range []string{"weight", "bias", "running_mean", "running_var"} {
			want[strconv.Itoa(i)+"."+name] = []int{c}
		}
		want[strconv.Itoa(i)+".num_batches_tracked"] = []int{}
	}
	conv(0, 6, 1)
	norm(1, 6)
	conv(4, 16, 6)
	norm(5, 16)
	linear(9, 120, 256)
	norm(10, 120)
	linear(12, 84, 120)
	norm(13, 84)
	linear(15, 10, 84)
	f, err := safetensors.Read(save)
	if err != nil {
		t.Fatal(err)
	}
	for name, shape := range want {
		tt, ok := f.Tensors[name]
		wantType := safetensors.F32
		if strings.HasSuffix(name, "num_batches_tracked") {
			wantType = safetensors.I64
		}
		switch {
		case !ok:
			t.Errorf("no tensor %q", name)
		case tt.DType != wantType || !slices.Equal(tt.Shape, shape):
			t.Errorf("%q is %s %v, want %s %v", name, tt.DType, tt.Shape, wantType, shape)
		}
	}
	for name := range f.Tensors {
		if _, ok := want[name]; !ok {
			t.Errorf("unexpected tensor %q", name)
		}
	}
	// 640 images in batches of 64: ten training steps.
	if n, err := f.Tensors["1.num_batches_tracked"].Int32s(); err != nil || n[0] != 10 {
		t.Errorf("num_batches_tracked = %v (%v), want 10", n, err)
	}
}

// TestFlags checks that bad settings are refused, naming the flag, before
// anything runs.
func TestFlags(t *testing.T) {
	existing := filepath.Join(t.TempDir(), "trained.safetensors")
	if err := os.WriteFile(existing, []byte("weights"), 0o644); err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		o    options
		want string
	}{
		{options{model: "lenet5"}, `-model: unknown model "lenet5" (want one of lenet, lenet-bn, lenet-relu, vgg11, nin, googlenet, resnet18, densenet)`},
		{options{model: "nin", size: 63, threads: 1}, "-size 63: classify: the network does not fit input [1 63 63]"},
		{options{model: "lenet", size: -3, threads: 1}, "-size -3: classify: input [1 -3 -3]: each size must be 1 to 4096"},
		{options{model: "lenet", batch: -1, threads: 1}, "-batch -1"},
		{options{model: "lenet", lr: -1, threads: 1}, "-lr -1"},
		{options{model: "lenet", device: "tpu", threads: 1}, `-device tpu: unknown device "tpu"`},
		{options{model: "lenet-bn", device: "cpu", batch: 64, limit: 129, threads: 1}, "-batch 64: the last step of an epoch of 129 images would hold one image"},
		{options{model: "lenet", threads: 1, save: "/proc/lenet.safetensors"}, "-save: "},
		{options{model: "lenet", threads: 1, log: "/nonexistent/dir/log.json"}, "-log: "},
		{options{model: "lenet", threads: 1, names: "flat", eval: true}, "-eval: evaluates the weights of -load, which is not given"},
		{options{model: "lenet-relu", threads: 1, names: "d2l"}, "-names d2l: want one of flat for lenet-relu"},
		{options{model: "nin", threads: 1, names: "book"}, "-names book: want one of flat, d2l, d2l-0.17 for nin"},
		{options{model: "lenet", threads: 1, names: "flat", load: "/nonexistent.safetensors"}, "-load: "},
		{options{model: "lenet", threads: 1, names: "flat", load: "/proc"}, "-load /proc: is a directory, want a regular file"},
		{options{model: "lenet", threads: 1, save: existing}, "-save " + existing + ": the file exists and this run did not load it; pass -load " + existing + " to resume from it, -overwrite to replace it, or another -save"},
	} {
		err := run(context.Background(), new(bytes.Buffer), tc.o)
		var ue usageError
		if err == nil || !strings.Contains(err.Error(), tc.want) || !errors.As(err, &ue) {
			t.Errorf("%+v: error %v, want a usage error with %q", tc.o, err, tc.want)
		}
	}
}

// TestBookNames checks every recipe's namings against the state dicts of
// the book's own PyTorch models (testdata/book_state_dicts.txt, printed by
// testdata/torch_d2l.py --state-dict-names): a file d2l writes under
// -names holds exactly their names, shapes and dtypes.
func TestBookNames(t *testing.T) {
	b, err := os.ReadFile(filepath.Join("testdata", "book_state_dicts.txt"))
	if err != nil {
		t.Fatal(err)
	}
	want := map[string]map[string]string{} // model and naming: name, shape
	for _, line := range strings.Split(strings.TrimSpace(string(b)), "\n") {
		f := strings.Fields(line)
		key := f[0] + " " + f[1]
		if want[key] == nil {
			want[key] = map[string]string{}
		}
		want[key][f[2]] = f[3]
	}
	namings := 0
	for _, m := range models {
		for _, n := range m.Namings {
			namings++
			key := m.Name + " " + n.Name
			t.Run(strings.ReplaceAll(key, " ", "/"), func(t *testing.T) {
				model, err := classify.New(tensor.CPU(), m.Net(fashionmnist.NumClasses),
					classify.Config{Input: m.Input, Inference: true, Namings: m.Namings, SaveAs: n.Name})
				if err != nil {
					t.Fatal(err)
				}
				defer model.Free()
				path := filepath.Join(t.TempDir(), "w.safetensors")
				if err := model.SaveWeights(path, 0); err != nil {
					t.Fatal(err)
				}
				f, err := safetensors.Read(path)
				if err != nil {
					t.Fatal(err)
				}
				got := map[string]string{}
				for name, v := range f.Tensors {
					shape := strings.Trim(strings.ReplaceAll(fmt.Sprint(v.Shape), " ", ","), "[]")
					got[name] = "[" + shape + "]"
					wantType := safetensors.F32
					if strings.HasSuffix(name, "num_batches_tracked") {
						wantType = safetensors.I64
					}
					if v.DType != wantType {
						t.Errorf("%s is %s, want %s", name, v.DType, wantType)
					}
				}
				if !maps.Equal(got, want[key]) {
					for _, name := range slices.Sorted(maps.Keys(want[key])) {
						if got[name] != want[key][name] {
							t.Errorf("%s: %q, the book's %q", name, got[name], want[key][name])
						}
					}
					for _, name := range slices.Sorted(maps.Keys(got)) {
						if _, ok := want[key][name]; !ok {
							t.Errorf("%s: not in the book's state dict", name)
						}
					}
				}
			})
		}
	}
	if namings != len(want) {
		t.Errorf("%d namings among the recipes, %d models and namings in the book's list", namings, len(want))
	}
}

// TestLoadEval trains lenet-bn for an epoch, saving it under the book's
// names, then evaluates the file (-load -eval: the same accuracy), resumes
// from the flat copy it wrote into that copy (the epochs count on), and
// replaces the first file with -overwrite.
func TestLoadEval(t *testing.T) {
	dir := t.TempDir()
	save := filepath.Join(dir, "book.safetensors")
	o := options{model: "lenet-bn", device: "cpu", epochs: 1, batch: 64, limit: 640, testLimit: 256, threads: 2, seed: 1, save: save, names: "d2l"}
	var trained, evaluated, resumed bytes.Buffer
	if err := run(context.Background(), &trained, o); err != nil {
		t.Fatal(err)
	}
	f, err := safetensors.Read(save)
	if err != nil {
		t.Fatal(err)
	}
	if _, ok := f.Tensors["net.1.running_mean"]; !ok {
		t.Fatalf("-names d2l wrote %v", slices.Sorted(maps.Keys(f.Tensors)))
	}
	accuracy := regexp.MustCompile(`test accuracy \d\.\d+ \(\d+ of \d+\)`)
	o.load, o.save, o.eval, o.names = save, filepath.Join(dir, "flat.safetensors"), true, "flat"
	if err := run(context.Background(), &evaluated, o); err != nil {
		t.Fatal(err)
	}
	if a, b := accuracy.Find(trained.Bytes()), accuracy.Find(evaluated.Bytes()); a == nil || !bytes.Equal(a, b) {
		t.Errorf("trained: %s; evaluated from the file: %s", a, b)
	}
	if g, err := safetensors.Read(o.save); err != nil || g.Tensors["1.running_mean"].Shape == nil {
		t.Errorf("-eval -save wrote no flat names (%v)", err)
	}
	// Resumed, saving back into the file it loaded: not a replacement.
	o.load, o.eval = o.save, false
	if err := run(context.Background(), &resumed, o); err != nil {
		t.Fatal(err)
	}
	// A fresh run onto an existing file, told to replace it.
	o.load, o.save, o.overwrite = "", save, true
	if err := run(context.Background(), new(bytes.Buffer), o); err != nil {
		t.Errorf("-overwrite: %v", err)
	}
	if !strings.Contains(resumed.String(), "after 1 epochs\n") || !strings.Contains(resumed.String(), "epoch 2") || !strings.Contains(resumed.String(), "after 2 epochs: test accuracy") {
		t.Errorf("resumed run:\n%s", resumed.String())
	}
}

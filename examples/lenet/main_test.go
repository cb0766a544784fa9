package main

import (
	"bytes"
	"context"
	"path/filepath"
	"regexp"
	"strconv"
	"testing"

	"github.com/tensorforge/tensorforge/classify"
	"github.com/tensorforge/tensorforge/tensor"
)

// TestLeNetLearns trains LeNet for one epoch on a part of Fashion-MNIST
// with the shared loop and checks that it learned (ten classes: chance is
// 0.1) and that its checkpoint loads for inference.
func TestLeNetLearns(t *testing.T) {
	save := filepath.Join(t.TempDir(), "lenet.safetensors")
	var out bytes.Buffer
	err := run(context.Background(), &out, options{epochs: 1, batch: 64, limit: 4096, testLimit: 512, threads: 2, lr: 0.1, save: save})
	if err != nil {
		t.Fatal(err)
	}
	m := regexp.MustCompile(`test accuracy (\d\.\d+)`).FindSubmatch(out.Bytes())
	if m == nil {
		t.Fatalf("no accuracy in\n%s", out.String())
	}
	if acc, _ := strconv.ParseFloat(string(m[1]), 64); acc < 0.5 {
		t.Errorf("test accuracy %v after one epoch on 4096 images, want at least 0.5\n%s", acc, out.String())
	}
	model, info, err := classify.Load(tensor.CPU(), LeNet(), save, classify.Config{Input: []int{1, 28, 28}, Inference: true, Prefix: "net.", Meta: map[string]string{"model": "lenet"}})
	if err != nil {
		t.Fatal(err)
	}
	defer model.Free()
	if info.Epoch != 1 || info.Meta["model"] != "lenet" || model.Classes() != 10 {
		t.Errorf("checkpoint after %d epochs of %q, %d classes", info.Epoch, info.Meta["model"], model.Classes())
	}
}

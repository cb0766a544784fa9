package main

import (
	"bytes"
	"context"
	"encoding/binary"
	"encoding/json"
	"image"
	"image/png"
	"math"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/tensorforge/tensorforge/tensor"
)

// runCmd runs the command line args in-process and returns the exit status
// and what went to stdout and stderr.
func runCmd(t *testing.T, args ...string) (code int, stdout, stderr string) {
	t.Helper()
	var out, errOut bytes.Buffer
	code = run(context.Background(), args, &env{stdout: &out, stderr: &errOut})
	return code, out.String(), errOut.String()
}

// writePNG writes a w x h gray PNG into dir.
func writePNG(t *testing.T, dir, name string, w, h int) string {
	t.Helper()
	img := image.NewGray(image.Rect(0, 0, w, h))
	for i := range img.Pix {
		img.Pix[i] = uint8(i * 7)
	}
	var b bytes.Buffer
	if err := png.Encode(&b, img); err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(dir, name)
	if err := os.WriteFile(path, b.Bytes(), 0o644); err != nil {
		t.Fatal(err)
	}
	return path
}

// writeIDX writes n blank 28x28 images as an uncompressed IDX file.
func writeIDX(t *testing.T, dir string, n int) string {
	t.Helper()
	b := binary.BigEndian.AppendUint32(nil, 0x803)
	for _, v := range []uint32{uint32(n), 28, 28} {
		b = binary.BigEndian.AppendUint32(b, v)
	}
	b = append(b, make([]byte, n*28*28)...)
	path := filepath.Join(dir, "images.idx")
	if err := os.WriteFile(path, b, 0o644); err != nil {
		t.Fatal(err)
	}
	return path
}

// TestUsageErrors checks that each bad command line exits with status 2
// and an error naming what is wrong, before any work.
func TestUsageErrors(t *testing.T) {
	dir := t.TempDir()
	wide := writePNG(t, dir, "wide.png", 30, 28)
	notImage := filepath.Join(dir, "notes.txt")
	if err := os.WriteFile(notImage, []byte("hello"), 0o644); err != nil {
		t.Fatal(err)
	}
	missing := filepath.Join(dir, "missing.safetensors")
	cases := []struct {
		args []string
		want string
	}{
		{nil, "usage: alexnet"},
		{[]string{"fly"}, `unknown command "fly"`},
		{[]string{"train", "-epochs", "-1"}, "-epochs -1"},
		{[]string{"train", "-batch", "0"}, "-batch 0"},
		{[]string{"train", "-lr", "0"}, "-lr 0"},
		{[]string{"train", "-momentum", "1"}, "-momentum 1"},
		{[]string{"train", "-size", "32"}, "-size 32"},
		{[]string{"train", "-threads", "0"}, "-threads 0"},
		{[]string{"train", "-precision", "fp16"}, `unknown precision "fp16": want fp32 or bf16`},
		{[]string{"compare", "-precision", "fp32,bf16,fp32"}, "one for each device"},
		{[]string{"train", "-limit", "-5"}, "-limit -5"},
		{[]string{"train", "-device", "tpu"}, `unknown device "tpu"`},
		{[]string{"train", "-load", missing}, "-load"},
		{[]string{"train", "-data", missing}, "-data"},
		{[]string{"train", "-save", filepath.Join(missing, "ck.safetensors")}, "-save"},
		{[]string{"train", "-plot", "curves.gif"}, "-plot"},
		{[]string{"train", "-epochs", "x"}, "-epochs"},
		{[]string{"train", "extra"}, `unexpected argument "extra"`},
		{[]string{"summary", "-size", "64"}, "-size 64"},
		{[]string{"eval", "-load", missing}, "-load"},
		{[]string{"eval", "-batch", "0"}, "-batch 0"},
		{[]string{"predict", "-load", missing, wide}, "-load"},
		{[]string{"predict"}, "no image files"},
		{[]string{"predict", "-load", notImage, wide}, "wide.png: image is 30x28, want 28x28"},
		{[]string{"predict", "-load", notImage, notImage}, "neither a PNG, a JPEG nor an IDX"},
		{[]string{"predict", "-load", notImage, missing}, "missing.safetensors"},
	}
	if !slices.Contains(tensor.Devices(), "cuda") {
		cases = append(cases, struct {
			args []string
			want string
		}{[]string{"train", "-device", "cuda"}, "without CUDA support"})
	}
	for _, c := range cases {
		code, _, stderr := runCmd(t, c.args...)
		if code != 2 || !strings.Contains(stderr, c.want) {
			t.Errorf("alexnet %s: status %d, stderr %q; want 2 and %q", strings.Join(c.args, " "), code, stderr, c.want)
		}
	}
}

func TestSummary(t *testing.T) {
	code, stdout, stderr := runCmd(t, "summary")
	if code != 0 {
		t.Fatalf("status %d: %s", code, stderr)
	}
	for _, want := range []string{"96x54x54", "Linear(in_features=6400, out_features=4096)", "parameters: 46,764,746", "forward: 1.876 GFLOP"} {
		if !strings.Contains(stdout, want) {
			t.Errorf("summary lacks %q:\n%s", want, stdout)
		}
	}
}

// TestTrainEvalPredict trains a small model for one epoch on a subset of
// Fashion-MNIST in BF16, then evaluates (in FP32: checkpoints are float32
// in both) and predicts with its checkpoint.
func TestTrainEvalPredict(t *testing.T) {
	dir := t.TempDir()
	ck, curves := filepath.Join(dir, "ck.safetensors"), filepath.Join(dir, "curves.svg")
	code, stdout, stderr := runCmd(t, "train", "-limit", "256", "-size", "65", "-epochs", "1", "-batch", "32",
		"-test-limit", "64", "-save", ck, "-plot", curves, "-log-every", "4", "-precision", "bf16")
	if code != 0 {
		t.Fatalf("train: status %d: %s", code, stderr)
	}
	for _, want := range []string{"threads), bf16, 65x65 input", "epoch 1/1 step 4/8: loss", "epoch 1/1 step 8/8", "epoch 1/1: loss", "test acc", "img/s", "checkpoint saved to " + ck} {
		if !strings.Contains(stdout, want) {
			t.Errorf("train output lacks %q:\n%s", want, stdout)
		}
	}
	for _, path := range []string{ck, curves} {
		if st, err := os.Stat(path); err != nil || st.Size() == 0 {
			t.Fatalf("%s: %v", path, err)
		}
	}

	code, stdout, stderr = runCmd(t, "eval", "-load", ck, "-limit", "64")
	if code != 0 {
		t.Fatalf("eval: status %d: %s", code, stderr)
	}
	if !strings.Contains(stdout, "test accuracy") || !strings.Contains(stdout, "of 64)") || !strings.Contains(stdout, "Ankle boot") {
		t.Errorf("eval output:\n%s", stdout)
	}

	shirt := writePNG(t, dir, "shirt.png", 28, 28)
	code, stdout, stderr = runCmd(t, "predict", "-json", "-load", ck, shirt, writeIDX(t, dir, 2))
	if code != 0 {
		t.Fatalf("predict: status %d: %s", code, stderr)
	}
	lines := strings.Split(strings.TrimSpace(stdout), "\n")
	wantNames := []string{shirt, filepath.Join(dir, "images.idx") + "[0]", filepath.Join(dir, "images.idx") + "[1]"}
	if len(lines) != len(wantNames) {
		t.Fatalf("predict printed %d lines, want %d:\n%s", len(lines), len(wantNames), stdout)
	}
	for i, line := range lines {
		var p prediction
		if err := json.Unmarshal([]byte(line), &p); err != nil {
			t.Fatalf("line %q: %v", line, err)
		}
		sum := 0.0
		for _, q := range p.Probabilities {
			sum += q
		}
		if p.Image != wantNames[i] || len(p.Probabilities) != 10 || math.Abs(sum-1) > 1e-6 || p.Name == "" {
			t.Errorf("prediction %+v (probabilities sum to %v), want image %s", p, sum, wantNames[i])
		}
	}
}

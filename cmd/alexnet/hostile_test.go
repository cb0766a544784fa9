package main

import (
	"bytes"
	"encoding/binary"
	"hash/crc32"
	"image"
	"image/png"
	"math"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/tensorforge/tensorforge/alexnet"
	"github.com/tensorforge/tensorforge/internal/hostfile/hostfiletest"
	"github.com/tensorforge/tensorforge/safetensors"
	"github.com/tensorforge/tensorforge/tensor"
)

// smallCheckpoint saves a fresh AlexNet of the smallest size into dir and
// returns the file.
func smallCheckpoint(t *testing.T, dir string) string {
	t.Helper()
	m, err := alexnet.New(tensor.CPU(), alexnet.Config{InChannels: 1, Size: alexnet.MinSize, Classes: 10, Hidden: 16, Seed: 1})
	if err != nil {
		t.Fatal(err)
	}
	defer m.Free()
	path := filepath.Join(dir, "small.safetensors")
	if err := m.Save(path, 1); err != nil {
		t.Fatal(err)
	}
	return path
}

// hugePNG returns a 2x2 PNG whose header declares w x h pixels.
func hugePNG(t *testing.T, w, h uint32) []byte {
	t.Helper()
	var b bytes.Buffer
	if err := png.Encode(&b, image.NewGray(image.Rect(0, 0, 2, 2))); err != nil {
		t.Fatal(err)
	}
	p := b.Bytes()
	binary.BigEndian.PutUint32(p[16:], w)
	binary.BigEndian.PutUint32(p[20:], h)
	binary.BigEndian.PutUint32(p[29:], crc32.ChecksumIEEE(p[12:29]))
	return p
}

// TestHostileInputs runs the command on files and flags a careless user or
// an attacker might give it: each must end promptly with a clear error
// naming the file or flag and a non-zero status, never a crash, a hang or
// an out-of-memory death, and must not touch the files it was given.
func TestHostileInputs(t *testing.T) {
	dir := t.TempDir()
	ck := smallCheckpoint(t, dir)
	file := func(name string, data []byte) string {
		path := filepath.Join(dir, name)
		if err := os.WriteFile(path, data, 0o644); err != nil {
			t.Fatal(err)
		}
		return path
	}
	fifo := filepath.Join(dir, "fifo")
	hostfiletest.FIFO(t, fifo)
	sparse := filepath.Join(dir, "sparse.safetensors")
	hostfiletest.Sparse(t, sparse, 30<<30)
	f, err := safetensors.Read(ck)
	if err != nil {
		t.Fatal(err)
	}
	edited := func(name string, change func(g *safetensors.File)) string {
		change(f)
		path := filepath.Join(dir, name)
		if err := safetensors.Write(path, f); err != nil {
			t.Fatal(err)
		}
		return path
	}
	hidden := edited("hidden.safetensors", func(g *safetensors.File) { g.Metadata["hidden"] = "1000000000" })
	f.Metadata["hidden"] = "16"
	nanBias := make([]float32, 10)
	nanBias[3] = float32(math.Inf(1))
	nan := edited("nan.safetensors", func(g *safetensors.File) {
		g.Tensors["net.20.bias"] = safetensors.FromFloat32([]int{10}, nanBias)
	})
	existing := file("existing.safetensors", []byte("keep me"))
	bigPNG := file("big.png", hugePNG(t, 100000, 100000))
	shirt := writePNG(t, dir, "shirt.png", 28, 28)

	for _, c := range []struct {
		args []string
		code int
		want string
	}{
		{[]string{"eval", "-load", "/dev/zero"}, 2, "-load /dev/zero: is a character device, want a regular file"},
		{[]string{"eval", "-load", fifo}, 2, "is a named pipe"},
		{[]string{"eval", "-load", sparse}, 1, "30.0 GiB, more than the"},
		{[]string{"eval", "-load", hidden}, 1, `metadata "hidden" is 1000000000, but tensor net.14.weight says 16`},
		{[]string{"predict", "-load", nan, shirt}, 1, `tensor "net.20.bias": element 3 is +Inf`},
		{[]string{"predict", "-load", ck, bigPNG}, 2, "png image of 100000x100000"},
		{[]string{"predict", "-load", ck, fifo}, 2, "is a named pipe"},
		{[]string{"summary", "-size", "4611686018427387904"}, 2, "-size 4611686018427387904: must be at most 2048"},
		{[]string{"train", "-epochs", "9223372036854775807", "-load", ck, "-save", ck}, 2, "-epochs 9223372036854775807: must be at most"},
		{[]string{"train", "-save", existing}, 2, "the file exists and this run did not load it"},
		{[]string{"train", "-save", dir}, 2, "is a directory"},
		{[]string{"train", "-plot", filepath.Join(dir, "missing", "c.svg")}, 2, "-plot"},
	} {
		var code int
		var stderr string
		hostfiletest.Within(t, time.Minute, strings.Join(c.args, " "), func() {
			code, _, stderr = runCmd(t, c.args...)
		})
		if code != c.code || !strings.Contains(stderr, c.want) {
			t.Errorf("alexnet %s: status %d, stderr %q; want %d and %q", strings.Join(c.args, " "), code, stderr, c.code, c.want)
		}
	}
	if b, _ := os.ReadFile(existing); string(b) != "keep me" {
		t.Errorf("the existing checkpoint was changed to %q", b)
	}
}

// TestHugeBatch checks that a batch whose activations cannot fit in memory
// is refused with the bytes named, not an out-of-memory death.
func TestHugeBatch(t *testing.T) {
	if _, ok := tensor.MemoryAvailable(tensor.CPU()); !ok {
		t.Skip("the CPU device cannot tell the memory available here")
	}
	code, _, stderr := runCmd(t, "train", "-batch", "60000", "-save", "", "-epochs", "1")
	if code != 1 || !strings.Contains(stderr, "not enough memory on cpu: batches of 60000 need about") {
		t.Errorf("status %d, stderr %q", code, stderr)
	}
}

//go:build cuda

package cuda

import (
	"errors"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"

	"github.com/tensorforge/tensorforge/tensor"
	"github.com/tensorforge/tensorforge/tensor/devicetest"
)

func TestConformanceTF32(t *testing.T) {
	d := gpu(t)
	t.Logf("GPU: %s, %d SMs", d.GPU(), d.Multiprocessors())
	d.SetExactGemm(false)
	devicetest.Run(t, d, devicetest.Tolerances{Gemm: 5e-3, Other: 1e-5})
}

func TestConformanceExact(t *testing.T) {
	d := gpu(t)
	d.SetExactGemm(true)
	defer d.SetExactGemm(false)
	devicetest.Run(t, d, devicetest.Tolerances{Gemm: 1e-5, Other: 1e-5})
}

func TestRegistered(t *testing.T) {
	gpu(t)
	dev, err := tensor.Open("cuda")
	if err != nil {
		t.Fatal(err)
	}
	if _, ok := dev.(*Device); !ok || dev.Name() != "cuda" {
		t.Fatalf("tensor.Open(\"cuda\") = %T named %q", dev, dev.Name())
	}
	if again, _ := tensor.Open("cuda"); again != dev {
		t.Error("tensor.Open(\"cuda\") opened a second device")
	}
}

// TestOutOfMemory asks for far more than any GPU has: the error must be a
// Go error naming the bytes asked for and free, it must stick, and every
// later operation must be a no-op that reports it.
func TestOutOfMemory(t *testing.T) {
	d := own(t)
	x := tensor.FromSlice(d, []float32{1, 2, 3}, 3)
	const n = 1 << 42 // 16 TiB of float32
	huge := d.Alloc(tensor.Float32, n)
	if huge.Len() != n {
		t.Errorf("failed storage has length %d, want %d", huge.Len(), n)
	}
	err := d.Err()
	var oom *OutOfMemoryError
	if !errors.As(err, &oom) {
		t.Fatalf("Err() = %v (%T), want an *OutOfMemoryError", err, err)
	}
	if oom.Asked != 4*n || oom.Free <= 0 || oom.Free > oom.Total || oom.Op != "Alloc" {
		t.Errorf("error fields %+v", *oom)
	}
	msg := err.Error()
	for _, want := range []string{strconv.FormatInt(4*n, 10), strconv.FormatInt(oom.Free, 10), "Alloc"} {
		if !strings.Contains(msg, want) {
			t.Errorf("message %q does not name %s", msg, want)
		}
	}
	t.Log(msg)

	tensor.Fill(x, 7)
	tensor.Axpy(1, x, x)
	d.Free(huge)
	got := []float32{-1, -1, -1}
	if rerr := x.CopyTo(got); rerr != err {
		t.Errorf("Read returned %v, want the first error", rerr)
	}
	if !slices.Equal(got, []float32{-1, -1, -1}) {
		t.Errorf("Read of a failed device wrote %v", got)
	}
	if serr := d.Sync(); serr != err || d.Err() != err {
		t.Errorf("Sync = %v, Err = %v, want the first error", serr, d.Err())
	}
	if cerr := d.Close(); cerr != err {
		t.Errorf("Close = %v, want the first error", cerr)
	}
}

// TestStaging writes through a staging ring much smaller than the data:
// one large Write in pieces, then many small ones that wrap the ring while
// earlier copies may still be queued.
func TestStaging(t *testing.T) {
	d := own(t, StagingBytes(4096))
	big := make([]float32, 100_003)
	for i := range big {
		big[i] = float32(i)
	}
	x := tensor.FromSlice(d, big, len(big))
	for off := 0; off+3 <= len(big); off += 97 {
		x.Slice(off, off+3).CopyFrom([]float32{-1, float32(-off), -3})
		big[off], big[off+1], big[off+2] = -1, float32(-off), -3
	}
	if got := devicetest.Floats(t, x); !slices.Equal(got, big) {
		t.Errorf("after staged writes: %s", firstDiff(got, big))
	}
	bytes := []uint8{1, 2, 3, 4, 5}
	u := tensor.FromSlice(d, bytes, 5)
	got := make([]uint8, 5)
	if err := u.CopyTo(got); err != nil || !slices.Equal(got, bytes) {
		t.Errorf("uint8 round trip: %v, %v", got, err)
	}
}

// TestConcurrentUse drives one device from many goroutines: every driver
// call must still find the context current on whatever thread it runs.
func TestConcurrentUse(t *testing.T) {
	d := gpu(t)
	var wg sync.WaitGroup
	errs := make(chan error, 8)
	for g := range 8 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			x, y := tensor.Zeros(d, 10_001), tensor.Zeros(d, 10_001)
			defer x.Free()
			defer y.Free()
			for i := range 50 {
				tensor.Fill(x, float32(g))
				tensor.Axpy(2, x, y)
				if i%10 == 9 {
					v, err := y.Float32s()
					if err != nil {
						errs <- err
						return
					}
					if want := float32(2 * g * (i + 1)); v[0] != want || v[len(v)-1] != want {
						errs <- fmt.Errorf("goroutine %d step %d: y = %v, want %v", g, i, v[0], want)
						return
					}
				}
			}
		}()
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Error(err)
	}
}

// TestPoolReuse repeats a step's allocations: after the first round the
// pool must serve every one from its cache, and memory must come back
// zeroed.
func TestPoolReuse(t *testing.T) {
	d := gpu(t)
	sizes := []int{3, 1000, 4096, 1 << 20, 1<<20 + 1, 5 << 20}
	round := func() {
		var ts []*tensor.Tensor
		for _, n := range sizes {
			x := tensor.Zeros(d, n)
			if v := devicetest.Floats(t, x); slices.ContainsFunc(v, func(f float32) bool { return f != 0 }) {
				t.Fatalf("Alloc of %d elements is not zeroed", n)
			}
			tensor.Fill(x, 7)
			ts = append(ts, x)
		}
		for _, x := range ts {
			x.Free()
		}
	}
	inUse := d.MemoryInUse()
	round()
	reserved := d.MemoryReserved()
	d.ResetPeakMemory()
	for range 5 {
		round()
	}
	if got := d.MemoryReserved(); got != reserved {
		t.Errorf("reserved memory grew from %d to %d bytes", reserved, got)
	}
	if got := d.MemoryInUse(); got != inUse {
		t.Errorf("memory in use %d after freeing everything, want %d", got, inUse)
	}
	if peak := d.PeakMemory(); peak <= inUse || peak > reserved {
		t.Errorf("peak %d outside (%d, %d]", peak, inUse, reserved)
	}
}

// TestEmpty runs operations on tensors without elements: nothing is
// launched and nothing fails.
func TestEmpty(t *testing.T) {
	d := gpu(t)
	x, y := tensor.Zeros(d, 0), tensor.Zeros(d, 0, 5)
	tensor.Fill(x, 1)
	tensor.Copy(x, x.Clone())
	tensor.Axpy(2, x, x)
	tensor.ReLU(y, y)
	tensor.BiasAdd(y, tensor.Zeros(d, 5))
	x.CopyFrom([]float32{})
	if err := d.Sync(); err != nil {
		t.Fatal(err)
	}
}

func TestClassOf(t *testing.T) {
	for _, c := range []struct{ n, want int64 }{
		{0, 512}, {1, 512}, {512, 512}, {513, 576}, {1000, 1024}, {1 << 20, 1 << 20},
		{1<<20 + 1, 1<<20 + 1<<17}, {3 << 30, 3 << 30}, {1 << 62, 1 << 62},
	} {
		if got := classOf(c.n); got != c.want {
			t.Errorf("classOf(%d) = %d, want %d", c.n, got, c.want)
		}
	}
}

// TestIm2colConv checks that a device opened with Im2colConv leaves its
// direct convolution unused, and the default one uses it.
func TestIm2colConv(t *testing.T) {
	if !tensor.HasDirectConv(gpu(t)) {
		t.Error("the default device does not use its direct convolution")
	}
	if tensor.HasDirectConv(own(t, Im2colConv())) {
		t.Error("a device opened with Im2colConv uses its direct convolution")
	}
}

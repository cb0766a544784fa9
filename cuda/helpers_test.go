//go:build cuda

package cuda

import (
	"errors"
	"math/rand/v2"
	"os"
	"strconv"
	"sync"
	"testing"
	"time"

	"github.com/tensorforge/tensorforge/internal/bf16"
	"github.com/tensorforge/tensorforge/tensor"
	"github.com/tensorforge/tensorforge/tensor/devicetest"
)

var (
	sharedOnce sync.Once
	sharedDev  *Device
	sharedErr  error
)

// gpu returns the device the tests share, skipping the test when this
// machine has no GPU or driver.
func gpu(t *testing.T) *Device {
	t.Helper()
	sharedOnce.Do(func() { sharedDev, sharedErr = Open() })
	if sharedErr != nil {
		skipOrFail(t, sharedErr)
	}
	if err := sharedDev.Err(); err != nil {
		t.Fatalf("the shared device failed in an earlier test: %v", err)
	}
	return sharedDev
}

// own opens a device for one test, which closes it at the end.
func own(t *testing.T, opts ...Option) *Device {
	t.Helper()
	d, err := Open(opts...)
	if err != nil {
		skipOrFail(t, err)
	}
	t.Cleanup(func() { d.Close() })
	return d
}

// skipOrFail skips when Open found no GPU; any other failure to open is a
// bug, such as a module the driver cannot load.
func skipOrFail(t *testing.T, err error) {
	t.Helper()
	if errors.Is(err, ErrNoGPU) {
		t.Skipf("no GPU: %v", err)
	}
	t.Fatalf("Open: %v", err)
}

// testSeed returns the seed of this run's random inputs: the clock, or
// devicetest.SeedEnv when set, to replay a failure.
func testSeed(t *testing.T) uint64 {
	t.Helper()
	seed := uint64(time.Now().UnixNano())
	if s := os.Getenv(devicetest.SeedEnv); s != "" {
		v, err := strconv.ParseUint(s, 10, 64)
		if err != nil {
			t.Fatalf("%s=%q: %v", devicetest.SeedEnv, s, err)
		}
		seed = v
	}
	t.Logf("seed %d (replay with %s=%d)", seed, devicetest.SeedEnv, seed)
	return seed
}

// readInts returns the elements of an Int32 tensor.
func readInts(t *testing.T, x *tensor.Tensor) []int32 {
	t.Helper()
	v, err := x.Int32s()
	if err != nil {
		t.Fatal(err)
	}
	return v
}

// roundBF16 returns x with every element rounded to bfloat16, as both
// devices round the operands of a BF16 product.
func roundBF16(x []float32) []float32 {
	y := make([]float32, len(x))
	for i, v := range x {
		y[i] = bf16.Widen(bf16.Round(v))
	}
	return y
}

// randInts returns n integers drawn uniformly from [0, k).
func randInts(r *rand.Rand, n, k int) []int32 {
	v := make([]int32, n)
	for i := range v {
		v[i] = int32(r.IntN(k))
	}
	return v
}

// randBytes returns n random bytes.
func randBytes(r *rand.Rand, n int) []uint8 {
	v := make([]uint8, n)
	for i := range v {
		v[i] = uint8(r.Uint32())
	}
	return v
}

// view returns a Float32 tensor of the given shape holding uniform values
// in [lo, hi) at an offset inside a larger allocation, so that kernels see
// a pointer that is not the start of a block.
func view(dev tensor.Device, seed uint64, lo, hi float32, shape ...int) *tensor.Tensor {
	n := 1
	for _, d := range shape {
		n *= d
	}
	return tensor.RandUniform(dev, seed, lo, hi, n+7).Slice(3, n+3).Reshape(shape...)
}

//go:build cuda

package cuda

import (
	"errors"
	"fmt"
	"os"
	"runtime"
	"sync"
	"sync/atomic"

	"github.com/mumax/3/cuda/cu"
	"github.com/tensorforge/tensorforge/kernels"
	"github.com/tensorforge/tensorforge/tensor"
)

// Device is one CUDA context on one GPU. It implements tensor.Device: work
// is queued on a single stream and runs in order; Read and Sync wait for it.
// Its methods are safe for concurrent use and run one at a time.
//
// A CUDA context is current per OS thread, and goroutines move between
// threads, so every method takes the device's lock, locks its goroutine to
// the OS thread and makes the context current there before any driver call
// (see do).
type Device struct {
	mu sync.Mutex // held, with the OS thread locked, around every driver call

	// Set by Open, then read-only.
	name    string
	sms     int
	ctx     cu.Context
	stream  cu.Stream
	kernels map[string]kernel

	exact  atomic.Bool // Gemm in exact FP32 rather than TF32
	im2col bool        // set by Im2colConv, then read-only

	// Guarded by mu.
	err    error // the first error; every later operation is a no-op
	closed bool
	pool   pool
	stage  staging
	// sharedAllowed records, by kernel, the dynamic shared memory that
	// kernel has been allowed beyond the default.
	sharedAllowed map[string]int
	// views holds the convolutions' index views uploaded so far (see
	// view).
	views map[viewKey]cu.DevicePtr
}

// Option configures Open.
type Option func(*config)

type config struct {
	ordinal int
	exact   bool
	staging int64
	im2col  bool
}

// Ordinal picks the GPU by its CUDA device number (default 0).
func Ordinal(i int) Option { return func(c *config) { c.ordinal = i } }

// ExactGemm makes Gemm compute in exact FP32 from the start instead of on
// TF32 tensor cores; see SetExactGemm.
func ExactGemm() Option { return func(c *config) { c.exact = true } }

// Im2colConv makes the device leave its direct (implicit-GEMM)
// convolution unused (ConvDirect false), so that layers compute
// convolutions through Im2col and Gemm, as before it had one: for
// comparing the two on one GPU.
func Im2colConv() Option { return func(c *config) { c.im2col = true } }

// StagingBytes sets the size of the pinned host buffer that Write copies
// through (default 32 MiB); a Write larger than it goes in pieces.
func StagingBytes(n int64) Option { return func(c *config) { c.staging = n } }

// ErrNoGPU is what Open's error wraps when the driver cannot be
// initialised (no NVIDIA driver, only the toolkit's stub library, or a
// driver too old) or sees no GPU at all.
var ErrNoGPU = errors.New("no usable GPU")

// Open initialises the CUDA driver, creates a context on the chosen GPU,
// loads every kernel module and allocates the pinned staging buffer. It
// returns an error, never a panic, when there is no usable GPU; the error
// wraps ErrNoGPU when there is none at all. (A binary built with -tags
// cuda needs libcuda.so.1 to start at all.)
func Open(opts ...Option) (*Device, error) {
	cfg := config{staging: 32 << 20}
	for _, o := range opts {
		o(&cfg)
	}
	if cfg.staging <= 0 {
		return nil, fmt.Errorf("cuda: Open: staging buffer of %d bytes", cfg.staging)
	}
	mods, err := kernels.Modules()
	if err != nil {
		return nil, err
	}

	runtime.LockOSThread()
	defer runtime.UnlockOSThread()
	count, res := driverDevices()
	if res != cu.SUCCESS || count == 0 {
		return nil, fmt.Errorf("cuda: Open: %w: the driver reports %v and %d devices", ErrNoGPU, res, count)
	}
	if cfg.ordinal < 0 || cfg.ordinal >= count {
		return nil, fmt.Errorf("cuda: Open: no GPU number %d (the driver sees %d)", cfg.ordinal, count)
	}

	d := &Device{kernels: map[string]kernel{}, sharedAllowed: map[string]int{}, views: map[viewKey]cu.DevicePtr{},
		im2col: cfg.im2col}
	d.exact.Store(cfg.exact)
	d.pool.init()
	err = catch("Open", func() {
		dev := cu.DeviceGet(cfg.ordinal)
		d.name = dev.Name()
		d.sms = dev.Attribute(cu.MULTIPROCESSOR_COUNT)
		d.ctx = cu.CtxCreate(cu.CTX_SCHED_AUTO, dev)
		d.stream = cu.StreamCreate()
		d.stage.init(cfg.staging)
	})
	for _, m := range mods {
		if err != nil {
			break
		}
		err = catch("Open: loading "+m.Name+".ptx", func() { d.load(m) })
	}
	if err != nil {
		if d.ctx != 0 {
			// Destroying the context frees whatever was made in it.
			catch("Close", func() { cu.CtxDestroy(&d.ctx) })
		}
		return nil, err
	}
	return d, nil
}

// driverDevices initialises the driver and returns how many devices it
// sees, or the error it reported.
func driverDevices() (count int, res cu.Result) {
	defer func() {
		if r := recover(); r != nil {
			if res, _ = r.(cu.Result); res == cu.SUCCESS {
				res = cu.ERROR_UNKNOWN
			}
		}
	}()
	cu.Init(0)
	return cu.DeviceGetCount(), cu.SUCCESS
}

// kernel is a loaded kernel and how many parameters it takes.
type kernel struct {
	fn     cu.Function
	params int
}

// load has the driver JIT-compile a module for this GPU and records its
// kernels by name.
func (d *Device) load(m kernels.Module) {
	mod := cu.ModuleLoadData(m.PTX)
	for _, k := range m.Kernels {
		if _, dup := d.kernels[k.Name]; dup {
			panic(fmt.Errorf("kernel %s is defined twice", k.Name))
		}
		d.kernels[k.Name] = kernel{mod.GetFunction(k.Name), len(k.Params)}
	}
}

// Close waits for queued work and releases the context with all its device
// and pinned memory. Every later operation is a no-op and Err reports that
// the device is closed. Close returns the error the device had recorded, if
// any; closing a closed device does nothing.
func (d *Device) Close() error {
	err := d.Sync()
	d.mu.Lock()
	defer d.mu.Unlock()
	if d.closed {
		return nil
	}
	runtime.LockOSThread()
	defer runtime.UnlockOSThread()
	if e := catch("Close", func() { cu.CtxDestroy(&d.ctx) }); err == nil {
		err = e
	}
	d.closed, d.err = true, errClosed
	return err
}

// Name returns "cuda".
func (d *Device) Name() string { return "cuda" }

// GPU returns the name of the graphics card, e.g. "NVIDIA H100 80GB HBM3".
func (d *Device) GPU() string { return d.name }

// Driver returns the CUDA version of the installed driver, such as
// "13.0", or "" if the driver does not say.
func (d *Device) Driver() string {
	var v int
	if err := catch("Driver", func() { v = cu.Version() }); err != nil || v <= 0 {
		return ""
	}
	return fmt.Sprintf("%d.%d", v/1000, v%1000/10)
}

// Multiprocessors returns the GPU's number of streaming multiprocessors.
func (d *Device) Multiprocessors() int { return d.sms }

// SetExactGemm chooses how later FP32 products (tensor.FP32) compute:
// exact FP32 (true), or TF32 tensor cores (false, the default), which round
// the inputs to 10 mantissa bits, as PyTorch does for convolutions by
// default. BF16 products run on the BF16 tensor cores either way.
func (d *Device) SetExactGemm(exact bool) { d.exact.Store(exact) }

// ExactGemm reports whether FP32 products compute in exact FP32.
func (d *Device) ExactGemm() bool { return d.exact.Load() }

// MemoryInUse returns the bytes of device memory held by live storages, as
// the pool rounds them.
func (d *Device) MemoryInUse() int64 {
	d.mu.Lock()
	defer d.mu.Unlock()
	return d.pool.inUse
}

// MemoryAvailable returns the bytes the driver reports free plus those
// the pool holds cached for reuse: what later allocations can have. It
// reports false once the device has failed or been closed.
func (d *Device) MemoryAvailable() (int64, bool) {
	var free int64
	d.do("MemoryAvailable", func() { free, _ = cu.MemGetInfo() })
	if d.Err() != nil {
		return 0, false
	}
	d.mu.Lock()
	defer d.mu.Unlock()
	return free + d.pool.cached, true
}

// PeakMemory returns the most bytes MemoryInUse has reported since Open or
// the last ResetPeakMemory.
func (d *Device) PeakMemory() int64 {
	d.mu.Lock()
	defer d.mu.Unlock()
	return d.pool.peak
}

// MemoryReserved returns the bytes of device memory the pool holds from the
// driver: those in use and those cached for reuse.
func (d *Device) MemoryReserved() int64 {
	d.mu.Lock()
	defer d.mu.Unlock()
	return d.pool.inUse + d.pool.cached
}

// ResetPeakMemory starts a new PeakMemory measurement from the bytes in use
// now.
func (d *Device) ResetPeakMemory() {
	d.mu.Lock()
	defer d.mu.Unlock()
	d.pool.peak = d.pool.inUse
}

var (
	defaultMu  sync.Mutex
	defaultDev *Device
)

// ConvEnv names the environment variable that sets how the device
// tensor.Open("cuda") returns computes convolutions: "direct" (the
// default) or "im2col" (see Im2colConv).
const ConvEnv = "TENSORFORGE_CUDA_CONV"

// envOptions returns the options ConvEnv asks for.
func envOptions() ([]Option, error) {
	switch v := os.Getenv(ConvEnv); v {
	case "", "direct":
		return nil, nil
	case "im2col":
		return []Option{Im2colConv()}, nil
	default:
		return nil, fmt.Errorf("cuda: %s=%q: want direct or im2col", ConvEnv, v)
	}
}

// openDefault is what tensor.Open("cuda") calls: every caller shares one
// device on GPU 0, opened on first use (with the options of the
// environment, envOptions) and again if it was closed.
func openDefault() (tensor.Device, error) {
	defaultMu.Lock()
	defer defaultMu.Unlock()
	if defaultDev == nil || defaultDev.isClosed() {
		opts, err := envOptions()
		if err != nil {
			return nil, err
		}
		d, err := Open(opts...)
		if err != nil {
			return nil, err
		}
		defaultDev = d
	}
	return defaultDev, nil
}

func (d *Device) isClosed() bool {
	d.mu.Lock()
	defer d.mu.Unlock()
	return d.closed
}

var _ tensor.Device = (*Device)(nil)

func init() { tensor.Register("cuda", openDefault) }

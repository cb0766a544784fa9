package bench

import (
	"sync"

	"github.com/tensorforge/tensorforge/tensor"
)

var (
	openMu sync.Mutex
	opened = map[string]openResult{}
)

type openResult struct {
	dev tensor.Device
	err error
}

// Open returns the device registered under name, opening it on first use
// and returning the same device (or the same error: no GPU, no driver)
// afterwards, so a run of many benchmarks starts a GPU context once.
func Open(name string) (tensor.Device, error) {
	openMu.Lock()
	defer openMu.Unlock()
	r, ok := opened[name]
	if !ok {
		r.dev, r.err = tensor.Open(name)
		opened[name] = r
	}
	return r.dev, r.err
}

// Package hostfiletest makes the files that hang or exhaust a careless
// reader, for tests that check a reader refuses them promptly.
package hostfiletest

import (
	"os"
	"testing"
	"time"
)

// Within runs f and fails t if f has not returned after d. A reader that
// opens a named pipe blocks in the kernel where no timeout reaches it, and
// the test binary would otherwise hang until go test's own timeout, with
// no word of which file did it; the blocked goroutine is left behind. f
// runs on another goroutine, so it reports with t.Error, not t.Fatal.
func Within(t *testing.T, d time.Duration, what string, f func()) {
	t.Helper()
	done := make(chan struct{})
	go func() {
		defer close(done)
		f()
	}()
	select {
	case <-done:
	case <-time.After(d):
		t.Fatalf("%s: still running after %v", what, d)
	}
}

// Sparse makes a file of size bytes at path, holding zeros that take no
// disk on file systems with sparse files (all of Linux's usual ones): a
// file as large as a careless reader would run out of memory on, made
// in no time.
func Sparse(t *testing.T, path string, size int64) {
	t.Helper()
	f, err := os.Create(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	if err := f.Truncate(size); err != nil {
		t.Fatal(err)
	}
}

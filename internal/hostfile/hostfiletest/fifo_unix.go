//go:build unix

package hostfiletest

import (
	"syscall"
	"testing"
)

// FIFO makes a named pipe at path, which no one ever writes: opening it
// for reading the usual way blocks forever.
func FIFO(t *testing.T, path string) {
	t.Helper()
	if err := syscall.Mkfifo(path, 0o644); err != nil {
		t.Fatal(err)
	}
}

//go:build !unix

package hostfiletest

import "testing"

// FIFO skips the test: this system makes no named pipes in a directory.
func FIFO(t *testing.T, path string) {
	t.Skip("no named pipes on this system")
}

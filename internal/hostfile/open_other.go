//go:build !unix

package hostfile

import "os"

// nonblock is no flag on systems where opening a file never waits for a
// writer.
const nonblock = 0

// setBlocking has nothing to undo where nonblock is no flag.
func setBlocking(*os.File) error { return nil }

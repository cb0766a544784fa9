//go:build unix

package hostfile

import (
	"os"
	"syscall"
)

// nonblock makes open(2) return at once on a named pipe that has no
// writer, where a plain open would wait for one: a second guard for a
// path that became a pipe after Open looked at it.
const nonblock = syscall.O_NONBLOCK

// setBlocking clears O_NONBLOCK on f, a regular file, so that reads wait
// for the disk as readers expect. Linux ignores the flag on regular files,
// but other systems may honour it (under mandatory locks, on some network
// file systems) and return EAGAIN, which a reader would take for an error.
// A regular file is never in Go's poller, so the descriptor is ours to set.
func setBlocking(f *os.File) error {
	rc, err := f.SyscallConn()
	if err != nil {
		return err
	}
	var serr error
	if err := rc.Control(func(fd uintptr) { serr = syscall.SetNonblock(int(fd), false) }); err != nil {
		return err
	}
	if serr != nil {
		return &os.PathError{Op: "fcntl", Path: f.Name(), Err: serr}
	}
	return nil
}

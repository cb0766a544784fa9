// Package hostfile opens and reads the files a user names (checkpoints,
// data sets, images) so that a wrong path fails with a clear error instead
// of hanging or exhausting memory: only regular files are opened, a named
// pipe never is (opening one waits for a writer, and Go resumes the wait
// when a signal interrupts it, so a program that catches SIGTERM to stop
// cleanly never gets to), and a whole-file read is bounded by a limit the
// caller chooses.
package hostfile

import (
	"errors"
	"fmt"
	"io"
	"io/fs"
	"math"
	"os"
)

// Open opens path, following symbolic links, for reading if it is a
// regular file, and returns the file and its FileInfo. Anything else (a
// named pipe, a device such as /dev/zero, a socket, a directory) is
// refused with an error naming path and what it is, such as "/tmp/p: is
// a named pipe, want a regular file", without being opened. A path that
// becomes a named pipe between the look and the open is opened without
// waiting for a writer and refused all the same.
func Open(path string) (*os.File, os.FileInfo, error) {
	fi, err := os.Stat(path)
	if err != nil {
		return nil, nil, err
	}
	if err := CheckRegular(fi.Mode()); err != nil {
		return nil, nil, fmt.Errorf("%s: %w", path, err)
	}
	return openRegular(path)
}

// openRegular opens path without blocking, whatever it has become since
// it was looked at, and checks that what it opened is a regular file.
func openRegular(path string) (*os.File, os.FileInfo, error) {
	f, err := os.OpenFile(path, os.O_RDONLY|nonblock, 0)
	if err != nil {
		return nil, nil, err
	}
	fi, err := f.Stat()
	if err == nil {
		err = CheckRegular(fi.Mode())
		if err != nil {
			err = fmt.Errorf("%s: %w", path, err)
		}
	}
	if err == nil {
		err = setBlocking(f)
	}
	if err != nil {
		f.Close()
		return nil, nil, err
	}
	return f, fi, nil
}

// CheckRegular returns nil if mode is a regular file's, or else an error
// saying what it is instead, such as "is a named pipe, want a regular
// file", for the caller to put after the path. It is how Open decides,
// and what a writer uses to refuse to replace a device or a directory.
func CheckRegular(mode fs.FileMode) error {
	var what string
	switch {
	case mode.IsRegular():
		return nil
	case mode.IsDir():
		what = "directory"
	case mode&fs.ModeNamedPipe != 0:
		what = "named pipe"
	case mode&fs.ModeSocket != 0:
		what = "socket"
	case mode&fs.ModeCharDevice != 0:
		what = "character device"
	case mode&fs.ModeDevice != 0:
		what = "block device"
	case mode&fs.ModeSymlink != 0:
		what = "symbolic link"
	default:
		what = "special file"
	}
	return fmt.Errorf("is a %s, want a regular file", what)
}

// ReadFile returns the content of the regular file at path (see Open). It
// refuses a file larger than limit bytes before reading any of it, so
// that a sparse file or a wrong path costs an error, not the machine's
// memory. It reads exactly the size the file had when opened, and a file
// that changes size while being read is an error: what was read would be
// neither the old file nor the new one.
func ReadFile(path string, limit int64) ([]byte, error) {
	f, fi, err := Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	// One slice holds the file: on a 32-bit machine that caps it too.
	if err := CheckSize(path, fi.Size(), min(limit, math.MaxInt)); err != nil {
		return nil, err
	}
	return readExactly(f, path, int(fi.Size()))
}

// readExactly reads size bytes from r and checks that r ends there.
func readExactly(r io.Reader, path string, size int) ([]byte, error) {
	b := make([]byte, size)
	n, err := io.ReadFull(r, b)
	if errors.Is(err, io.EOF) || errors.Is(err, io.ErrUnexpectedEOF) {
		return nil, fmt.Errorf("%s: shrank from %d to %d bytes while being read", path, size, n)
	}
	if err != nil {
		return nil, err
	}
	var one [1]byte
	switch n, err := r.Read(one[:]); {
	case n > 0:
		return nil, fmt.Errorf("%s: grew past %d bytes while being read", path, size)
	case err != nil && !errors.Is(err, io.EOF):
		return nil, err
	}
	return b, nil
}

// CheckSize returns nil if size is at most limit, or else an error naming
// path, its size and the limit in binary units, such as
// "alexnet.safetensors: 30.0 GiB, more than the 16.0 GiB limit".
func CheckSize(path string, size, limit int64) error {
	if size <= limit {
		return nil
	}
	return fmt.Errorf("%s: %s, more than the %s limit", path, FormatSize(size), FormatSize(limit))
}

// FormatSize returns n bytes as a person reads a size: "512 bytes",
// "47.0 MiB", "30.0 GiB".
func FormatSize(n int64) string {
	const units = "KMGTPE"
	if n < 1024 {
		return fmt.Sprintf("%d bytes", n)
	}
	i, scale := 0, float64(1024)
	for i < len(units)-1 && float64(n) >= scale*1024 {
		i, scale = i+1, scale*1024
	}
	return fmt.Sprintf("%.1f %ciB", float64(n)/scale, units[i])
}

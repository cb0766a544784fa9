package atomicfile

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"

	"github.com/tensorforge/tensorforge/internal/hostfile"
)

// maxLinks bounds the symbolic links followed from one path, as Linux's
// own limit of 40 does, so that a loop of links ends in an error.
const maxLinks = 40

// target is a path Write replaces.
type target struct {
	path string      // as the caller gave it, named in errors
	dest string      // the file replaced: path, or where its links lead
	mode fs.FileMode // the permission bits the new file gets
}

// resolve finds where path's symbolic links lead and checks that what is
// there, if anything, is a regular file: renaming over a directory fails
// only after the work is done, and renaming over a device (a -save
// /dev/null run as root) would replace the device.
func resolve(path string) (*target, error) {
	t := &target{path: path, mode: 0o644}
	dest, err := destination(path)
	if err != nil {
		return nil, t.fail(err)
	}
	t.dest = dest
	fi, err := os.Stat(dest)
	switch {
	case errors.Is(err, fs.ErrNotExist):
		return t, nil
	case err != nil:
		return nil, t.fail(err)
	}
	if err := hostfile.CheckRegular(fi.Mode()); err != nil {
		return nil, t.fail(err)
	}
	t.mode = fi.Mode().Perm()
	return t, nil
}

// destination returns the file that writing through path replaces: path
// if it is not a symbolic link, else the file its links lead to, which
// may not exist yet (a dangling link names the file to create).
func destination(path string) (string, error) {
	dest := path
	for range maxLinks {
		fi, err := os.Lstat(dest)
		switch {
		case errors.Is(err, fs.ErrNotExist):
			return dest, nil
		case err != nil:
			return "", err
		case fi.Mode()&fs.ModeSymlink == 0:
			return dest, nil
		}
		if end, err := filepath.EvalSymlinks(dest); err == nil {
			return end, nil
		}
		// A dangling link: follow it one step at a time to the name that
		// does not exist.
		link, err := os.Readlink(dest)
		if err != nil {
			return "", err
		}
		if !filepath.IsAbs(link) {
			link = filepath.Join(filepath.Dir(dest), link)
		}
		dest = link
	}
	return "", fmt.Errorf("more than %d symbolic links", maxLinks)
}

// createTemp creates the temporary file beside the destination, where a
// rename over it stays within one file system.
func (t *target) createTemp() (*os.File, error) {
	f, err := os.CreateTemp(filepath.Dir(t.dest), tempPrefix(t.dest)+"*"+tempSuffix)
	if err != nil {
		return nil, t.fail(err)
	}
	return f, nil
}

// fail returns err as a failure to write t: "write PATH: CAUSE", with the
// destination named too when path is a link to it. The cause loses the
// operation and file name the os package put on it, which name the
// temporary file.
func (t *target) fail(err error) error {
	var pe *fs.PathError
	var le *os.LinkError
	switch {
	case errors.As(err, &pe):
		err = pe.Err
	case errors.As(err, &le):
		err = le.Err
	}
	if t.dest != "" && t.dest != t.path {
		err = fmt.Errorf("%s: %w", t.dest, err)
	}
	return &fs.PathError{Op: "write", Path: t.path, Err: err}
}

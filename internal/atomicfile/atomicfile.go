// Package atomicfile writes files so that a crash, a failed write or a
// rejected result leaves either the old file or the whole new one at the
// path, never a part: checkpoints and downloaded data both depend on it.
package atomicfile

import (
	"bufio"
	"io"
	"os"
	"path/filepath"
)

// Write calls fill with a buffered writer into a temporary file in the
// directory of path's destination, which is path itself or, when path is
// a symbolic link, the file the link leads to, existing or not: the link
// stays a link and the file it names is replaced. If fill returns nil, the
// data is flushed and synced to disk, given the permission bits of the
// file it replaces (0644 for a new file; os.CreateTemp makes it private)
// and renamed over the destination. If fill or any step fails, the
// temporary file is removed and the destination is untouched.
//
// Errors begin with "write " and path, except fill's, which are returned
// as they came (though the writer's own errors name path too). A
// destination that is a directory, a device or anything else but a
// regular file is refused before fill is called. Write first removes the
// temporary files that earlier Writes of the same destination left behind
// when killed midway (kill -9, a crash), so two Writes of one path must
// not run at once: the second would remove the first's.
func Write(path string, fill func(w io.Writer) error) (err error) {
	t, err := resolve(path)
	if err != nil {
		return err
	}
	removeLeftovers(t.dest)
	tmp, err := t.createTemp()
	if err != nil {
		return err
	}
	defer func() {
		if err != nil {
			tmp.Close()
			os.Remove(tmp.Name())
		}
	}()
	w := bufio.NewWriterSize(destWriter{tmp, t}, 1<<20)
	if err := fill(w); err != nil {
		return err
	}
	if err := w.Flush(); err != nil {
		return err
	}
	// Sync before the rename: otherwise a crash could leave the final name
	// pointing at a file whose data never reached the disk.
	if err := tmp.Sync(); err != nil {
		return t.fail(err)
	}
	if err := tmp.Chmod(t.mode); err != nil {
		return t.fail(err)
	}
	if err := tmp.Close(); err != nil {
		return t.fail(err)
	}
	if err := os.Rename(tmp.Name(), t.dest); err != nil {
		return t.fail(err)
	}
	syncDir(filepath.Dir(t.dest))
	return nil
}

// CheckWritable returns the error Write(path, ...) would fail with before
// calling fill, if any, so that a command can refuse a bad output path
// before hours of work rather than after them: it resolves path as Write
// does, refuses a destination that is not a regular file, and creates and
// removes a temporary file where Write would make its own. A later Write
// can still fail: the disk may fill, or permissions change in between.
func CheckWritable(path string) error {
	t, err := resolve(path)
	if err != nil {
		return err
	}
	tmp, err := t.createTemp()
	if err != nil {
		return err
	}
	err = tmp.Close()
	if rerr := os.Remove(tmp.Name()); err == nil {
		err = rerr
	}
	if err != nil {
		return t.fail(err)
	}
	return nil
}

// Replaces reports whether writing path would replace a file that exists
// and is not the file at loaded (the same file however named; "" for
// none): what a command asks before a run whose output would overwrite
// something it did not start from, as a typo or a forgotten resume would.
func Replaces(path, loaded string) bool {
	st, err := os.Stat(path)
	if err != nil {
		return false
	}
	if loaded != "" {
		if lt, err := os.Stat(loaded); err == nil && os.SameFile(st, lt) {
			return false
		}
	}
	return true
}

// destWriter writes into a temporary file, naming the destination in its
// errors: "write model.safetensors: no space left on device" says what
// failed, where the temporary file's name would not.
type destWriter struct {
	f *os.File
	t *target
}

func (w destWriter) Write(p []byte) (int, error) {
	n, err := w.f.Write(p)
	if err != nil {
		err = w.t.fail(err)
	}
	return n, err
}

// syncDir makes a rename in dir durable. It is best effort: some systems
// cannot sync a directory, and the file is complete either way.
func syncDir(dir string) {
	if d, err := os.Open(dir); err == nil {
		d.Sync()
		d.Close()
	}
}

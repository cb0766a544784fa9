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

// Write calls fill with a buffered writer into a temporary file in path's
// directory. If fill returns nil, the data is flushed and synced to disk,
// the file is made readable by all (os.CreateTemp makes it private) and
// renamed over path. If fill or any step fails, the temporary file is
// removed, path is untouched, and the error is returned as it came.
func Write(path string, fill func(w io.Writer) error) (err error) {
	dir := filepath.Dir(path)
	tmp, err := os.CreateTemp(dir, "."+filepath.Base(path)+".*.tmp")
	if err != nil {
		return err
	}
	defer func() {
		if err != nil {
			tmp.Close()
			os.Remove(tmp.Name())
		}
	}()
	w := bufio.NewWriterSize(tmp, 1<<20)
	if err := fill(w); err != nil {
		return err
	}
	if err := w.Flush(); err != nil {
		return err
	}
	// Sync before the rename: otherwise a crash could leave the final name
	// pointing at a file whose data never reached the disk.
	if err := tmp.Sync(); err != nil {
		return err
	}
	if err := tmp.Chmod(0o644); err != nil {
		return err
	}
	if err := tmp.Close(); err != nil {
		return err
	}
	if err := os.Rename(tmp.Name(), path); err != nil {
		return err
	}
	syncDir(dir)
	return nil
}

// syncDir makes a rename in dir durable. It is best effort: some systems
// cannot sync a directory, and the file is complete either way.
func syncDir(dir string) {
	if d, err := os.Open(dir); err == nil {
		d.Sync()
		d.Close()
	}
}

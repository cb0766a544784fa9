package atomicfile

import (
	"errors"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/tensorforge/tensorforge/internal/hostfile/hostfiletest"
)

func TestWriteReplacesWholeFile(t *testing.T) {
	path := filepath.Join(t.TempDir(), "f.bin")
	for _, content := range []string{"first", "second, longer"} {
		if err := Write(path, func(w io.Writer) error { _, err := io.WriteString(w, content); return err }); err != nil {
			t.Fatal(err)
		}
		got, err := os.ReadFile(path)
		if err != nil || string(got) != content {
			t.Fatalf("read %q, %v; want %q", got, err, content)
		}
		if fi, _ := os.Stat(path); fi.Mode().Perm() != 0o644 {
			t.Errorf("mode %v, want 0644", fi.Mode().Perm())
		}
	}
}

func TestFailedWriteLeavesOldFile(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "f.bin")
	if err := os.WriteFile(path, []byte("old"), 0o644); err != nil {
		t.Fatal(err)
	}
	reject := errors.New("checksum mismatch")
	err := Write(path, func(w io.Writer) error {
		io.WriteString(w, "partial new data")
		return reject
	})
	if !errors.Is(err, reject) {
		t.Fatalf("Write returned %v, want the fill error", err)
	}
	if got, _ := os.ReadFile(path); string(got) != "old" {
		t.Fatalf("file holds %q after a failed write, want the old content", got)
	}
	if entries, _ := os.ReadDir(dir); len(entries) != 1 {
		t.Fatalf("directory holds %d entries, want only the old file (no temporary left)", len(entries))
	}
}

// write writes content to path with Write.
func write(path, content string) error {
	return Write(path, func(w io.Writer) error { _, err := io.WriteString(w, content); return err })
}

// symlink makes a symbolic link, skipping the test where there are none.
func symlink(t *testing.T, target, link string) {
	t.Helper()
	if err := os.Symlink(target, link); err != nil {
		t.Skip(err)
	}
}

// names returns the names in dir.
func names(t *testing.T, dir string) []string {
	t.Helper()
	entries, err := os.ReadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	var out []string
	for _, e := range entries {
		out = append(out, e.Name())
	}
	return out
}

// checkLink checks that link is still a symbolic link and that the file
// it leads to holds content.
func checkLink(t *testing.T, link, content string) {
	t.Helper()
	if fi, err := os.Lstat(link); err != nil || fi.Mode()&fs.ModeSymlink == 0 {
		t.Errorf("%s is no longer a symbolic link: %v, %v", link, fi.Mode(), err)
	}
	if got, err := os.ReadFile(link); err != nil || string(got) != content {
		t.Errorf("%s leads to %q, %v; want %q", link, got, err, content)
	}
}

// TestWriteThroughSymlink replaces the file a chain of relative links
// leads to, in another directory, and checks that the temporary file was
// made beside it, where the rename cannot cross file systems.
func TestWriteThroughSymlink(t *testing.T) {
	root := t.TempDir()
	for _, d := range []string{"links", "store"} {
		if err := os.Mkdir(filepath.Join(root, d), 0o755); err != nil {
			t.Fatal(err)
		}
	}
	target := filepath.Join(root, "store", "model.bin")
	if err := os.WriteFile(target, []byte("old"), 0o644); err != nil {
		t.Fatal(err)
	}
	symlink(t, "../store/model.bin", filepath.Join(root, "links", "inner"))
	link := filepath.Join(root, "links", "outer")
	symlink(t, "inner", link)
	err := Write(link, func(w io.Writer) error {
		if n := names(t, filepath.Join(root, "store")); len(n) != 2 || !strings.HasPrefix(n[0], ".model.bin.") {
			t.Errorf("during the write, the target's directory holds %v, want the target and its temporary file", n)
		}
		_, err := io.WriteString(w, "new")
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	checkLink(t, link, "new")
	checkLink(t, filepath.Join(root, "links", "inner"), "new")
	if n := names(t, filepath.Join(root, "store")); !slices.Equal(n, []string{"model.bin"}) {
		t.Errorf("the target's directory holds %v, want only model.bin", n)
	}
}

// TestWriteDanglingSymlink creates the file a link names.
func TestWriteDanglingSymlink(t *testing.T) {
	dir := t.TempDir()
	link := filepath.Join(dir, "latest")
	symlink(t, "run1/model.bin", link)
	if err := os.Mkdir(filepath.Join(dir, "run1"), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := write(link, "made"); err != nil {
		t.Fatal(err)
	}
	checkLink(t, link, "made")
	if fi, err := os.Stat(link); err != nil || fi.Mode().Perm() != 0o644 {
		t.Errorf("new file's mode %v, %v; want 0644", fi.Mode(), err)
	}
}

func TestWriteSymlinkLoop(t *testing.T) {
	dir := t.TempDir()
	a, b := filepath.Join(dir, "a"), filepath.Join(dir, "b")
	symlink(t, "b", a)
	symlink(t, "a", b)
	want := "write " + a + ": more than 40 symbolic links"
	if err := write(a, "x"); err == nil || err.Error() != want {
		t.Errorf("got %v, want %s", err, want)
	}
}

// TestWriteKeepsMode replaces a private file, directly and through a
// link, and checks that it stays private.
func TestWriteKeepsMode(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "secret.bin")
	if err := os.WriteFile(path, []byte("old"), 0o600); err != nil {
		t.Fatal(err)
	}
	link := filepath.Join(dir, "link")
	symlink(t, "secret.bin", link)
	for _, p := range []string{path, link} {
		if err := write(p, "new"); err != nil {
			t.Fatal(err)
		}
		if fi, err := os.Stat(path); err != nil || fi.Mode().Perm() != 0o600 {
			t.Errorf("after writing %s: mode %v, %v; want 0600", p, fi.Mode(), err)
		}
	}
}

// TestWriteRemovesLeftovers leaves what a killed Write leaves, and things
// that look like it but are not, and checks that only the first goes.
func TestWriteRemovesLeftovers(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "f.bin")
	keep := []string{".f.bin.12.tmp.keep", ".f.bin.x1.tmp", ".g.bin.12.tmp", "f.bin.12.tmp", ".f.bin..tmp"}
	for _, name := range append([]string{".f.bin.123456.tmp", ".f.bin.9.tmp"}, keep...) {
		if err := os.WriteFile(filepath.Join(dir, name), []byte("partial"), 0o600); err != nil {
			t.Fatal(err)
		}
	}
	if err := os.Mkdir(filepath.Join(dir, ".f.bin.77.tmp"), 0o755); err != nil {
		t.Fatal(err)
	}
	keep = append(keep, ".f.bin.77.tmp", "f.bin")
	if err := write(path, "whole"); err != nil {
		t.Fatal(err)
	}
	slices.Sort(keep)
	if got := names(t, dir); !slices.Equal(got, keep) {
		t.Errorf("directory holds %v, want %v", got, keep)
	}
}

// TestWriteNotRegular refuses to replace a directory or a named pipe,
// before fill does its work.
func TestWriteNotRegular(t *testing.T) {
	for what, create := range map[string]func(t *testing.T, path string){
		"directory": func(t *testing.T, path string) {
			if err := os.Mkdir(path, 0o755); err != nil {
				t.Fatal(err)
			}
		},
		"named pipe": hostfiletest.FIFO,
	} {
		t.Run(what, func(t *testing.T) {
			path := filepath.Join(t.TempDir(), "out")
			create(t, path)
			want := "write " + path + ": is a " + what + ", want a regular file"
			called := false
			err := Write(path, func(io.Writer) error { called = true; return nil })
			if err == nil || err.Error() != want || called {
				t.Errorf("Write: got %v (fill called: %v), want %s", err, called, want)
			}
			if err := CheckWritable(path); err == nil || err.Error() != want {
				t.Errorf("CheckWritable: got %v, want %s", err, want)
			}
			if fi, err := os.Lstat(path); err != nil || fi.Mode().IsRegular() {
				t.Errorf("%s was replaced: %v, %v", path, fi.Mode(), err)
			}
		})
	}
}

// TestWriteErrorsNamePath checks that a failure to make the temporary file
// names the destination, not the temporary file's pattern.
func TestWriteErrorsNamePath(t *testing.T) {
	path := filepath.Join(t.TempDir(), "no", "such", "dir", "alexnet.safetensors")
	want := "write " + path + ": "
	for name, err := range map[string]error{"Write": write(path, "x"), "CheckWritable": CheckWritable(path)} {
		if err == nil || !strings.HasPrefix(err.Error(), want) || !errors.Is(err, fs.ErrNotExist) || strings.Contains(err.Error(), "*") {
			t.Errorf("%s: got %v, want an error starting %q", name, err, want)
		}
	}
}

// TestWriteReadOnlyDir writes into a directory its owner cannot write to.
// Root writes anywhere, so the test needs another user.
func TestWriteReadOnlyDir(t *testing.T) {
	if os.Geteuid() == 0 {
		t.Skip("root writes into read-only directories")
	}
	dir := t.TempDir()
	path := filepath.Join(dir, "alexnet.safetensors")
	if err := os.WriteFile(path, []byte("old"), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := os.Chmod(dir, 0o500); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { os.Chmod(dir, 0o700) })
	want := "write " + path + ": permission denied"
	if err := CheckWritable(path); err == nil || err.Error() != want || !errors.Is(err, fs.ErrPermission) {
		t.Errorf("CheckWritable: got %v, want %s", err, want)
	}
	if err := write(path, "new"); err == nil || err.Error() != want {
		t.Errorf("Write: got %v, want %s", err, want)
	}
	if got, _ := os.ReadFile(path); string(got) != "old" {
		t.Errorf("file holds %q, want the old content", got)
	}
}

// TestDestWriter checks that a failed write into the temporary file names
// the destination, on a device whose every write fails with ENOSPC.
func TestDestWriter(t *testing.T) {
	f, err := os.OpenFile("/dev/full", os.O_WRONLY, 0)
	if err != nil {
		t.Skip(err)
	}
	defer f.Close()
	w := destWriter{f, &target{path: "model.safetensors", dest: "model.safetensors"}}
	want := "write model.safetensors: no space left on device"
	if _, err := w.Write([]byte("x")); err == nil || err.Error() != want {
		t.Errorf("got %v, want %s", err, want)
	}
}

func TestCheckWritable(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "new.bin")
	if err := CheckWritable(path); err != nil {
		t.Fatal(err)
	}
	link := filepath.Join(dir, "link")
	symlink(t, "new.bin", link)
	if err := CheckWritable(link); err != nil {
		t.Fatal(err)
	}
	if got := names(t, dir); !slices.Equal(got, []string{"link"}) {
		t.Errorf("directory holds %v, want only the link: CheckWritable must leave nothing", got)
	}
}

// TestReplaces checks which outputs count as replacing a file: an existing
// one, unless it is the loaded file, by its own name or another.
func TestReplaces(t *testing.T) {
	dir := t.TempDir()
	a, b, link := filepath.Join(dir, "a"), filepath.Join(dir, "b"), filepath.Join(dir, "link")
	for _, p := range []string{a, b} {
		if err := write(p, "x"); err != nil {
			t.Fatal(err)
		}
	}
	symlink(t, a, link)
	for _, c := range []struct {
		path, loaded string
		want         bool
	}{
		{filepath.Join(dir, "new"), "", false},
		{a, "", true},
		{a, b, true},
		{a, a, false},
		{a, link, false},
		{link, a, false},
	} {
		if got := Replaces(c.path, c.loaded); got != c.want {
			t.Errorf("Replaces(%s, %q) = %v, want %v", filepath.Base(c.path), c.loaded, got, c.want)
		}
	}
}

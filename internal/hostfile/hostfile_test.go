package hostfile

import (
	"bytes"
	"errors"
	"io/fs"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"testing/iotest"
	"time"

	"github.com/tensorforge/tensorforge/internal/hostfile/hostfiletest"
)

// refuse checks that Open and ReadFile both refuse path, promptly, with
// the error want.
func refuse(t *testing.T, path, want string) {
	t.Helper()
	hostfiletest.Within(t, 5*time.Second, "Open and ReadFile of "+path, func() {
		if f, _, err := Open(path); err == nil || err.Error() != want {
			t.Errorf("Open: got %v, want %s", err, want)
			if err == nil {
				f.Close()
			}
		}
		if _, err := ReadFile(path, 1<<20); err == nil || err.Error() != want {
			t.Errorf("ReadFile: got %v, want %s", err, want)
		}
	})
}

func TestRefuseFIFO(t *testing.T) {
	path := filepath.Join(t.TempDir(), "pipe")
	hostfiletest.FIFO(t, path)
	refuse(t, path, path+": is a named pipe, want a regular file")
}

// TestOpenRegularFIFO checks the second guard: a path that is a named
// pipe by the time it is opened is opened without blocking and refused.
func TestOpenRegularFIFO(t *testing.T) {
	path := filepath.Join(t.TempDir(), "pipe")
	hostfiletest.FIFO(t, path)
	hostfiletest.Within(t, 5*time.Second, "openRegular of a named pipe", func() {
		want := path + ": is a named pipe, want a regular file"
		if f, _, err := openRegular(path); err == nil || err.Error() != want {
			t.Errorf("got %v, want %s", err, want)
			if err == nil {
				f.Close()
			}
		}
	})
}

func TestRefuseDevice(t *testing.T) {
	if _, err := os.Stat("/dev/zero"); err != nil {
		t.Skip(err)
	}
	refuse(t, "/dev/zero", "/dev/zero: is a character device, want a regular file")
}

func TestRefuseDirectory(t *testing.T) {
	dir := t.TempDir()
	refuse(t, dir, dir+": is a directory, want a regular file")
}

func TestReadFileLimit(t *testing.T) {
	if strconv.IntSize < 64 {
		t.Skip("a 32-bit machine caps the limit at 2 GiB")
	}
	path := filepath.Join(t.TempDir(), "alexnet.safetensors")
	hostfiletest.Sparse(t, path, 30<<30)
	want := path + ": 30.0 GiB, more than the 8.0 GiB limit"
	hostfiletest.Within(t, 5*time.Second, "ReadFile of a 30 GiB file", func() {
		if _, err := ReadFile(path, 8<<30); err == nil || err.Error() != want {
			t.Errorf("got %v, want %s", err, want)
		}
	})
}

func TestReadFile(t *testing.T) {
	dir := t.TempDir()
	want := bytes.Repeat([]byte("0123456789"), 100_000)
	path := filepath.Join(dir, "f")
	if err := os.WriteFile(path, want, 0o644); err != nil {
		t.Fatal(err)
	}
	link := filepath.Join(dir, "link")
	if err := os.Symlink("f", link); err != nil {
		t.Skip(err)
	}
	for _, p := range []string{path, link} {
		got, err := ReadFile(p, int64(len(want)))
		if err != nil || !bytes.Equal(got, want) {
			t.Errorf("ReadFile(%s): %d bytes, %v; want the %d written", p, len(got), err, len(want))
		}
		f, fi, err := Open(p)
		if err != nil || !fi.Mode().IsRegular() || fi.Size() != int64(len(want)) {
			t.Errorf("Open(%s): %v, %v", p, fi, err)
		} else {
			f.Close()
		}
	}
	if _, err := ReadFile(path, int64(len(want))-1); err == nil || !strings.HasSuffix(err.Error(), ": 976.6 KiB, more than the 976.6 KiB limit") {
		t.Errorf("one byte over the limit: got %v", err)
	}
	empty := filepath.Join(dir, "empty")
	if err := os.WriteFile(empty, nil, 0o644); err != nil {
		t.Fatal(err)
	}
	if got, err := ReadFile(empty, 0); err != nil || len(got) != 0 {
		t.Errorf("empty file: %q, %v", got, err)
	}
}

func TestReadFileMissing(t *testing.T) {
	path := filepath.Join(t.TempDir(), "none")
	if _, err := ReadFile(path, 1); !errors.Is(err, fs.ErrNotExist) || !strings.Contains(err.Error(), path) {
		t.Errorf("got %v, want a not-exist error naming %s", err, path)
	}
}

// TestReadFileChangedSize reads a file whose stat size is 0 but which
// holds bytes, as Linux's /proc files do.
func TestReadFileChangedSize(t *testing.T) {
	const path = "/proc/self/status"
	if _, err := os.Stat(path); err != nil {
		t.Skip(err)
	}
	want := path + ": grew past 0 bytes while being read"
	if _, err := ReadFile(path, 1<<20); err == nil || err.Error() != want {
		t.Errorf("got %v, want %s", err, want)
	}
}

func TestReadExactly(t *testing.T) {
	for _, tc := range []struct {
		content string
		want    string
	}{
		{"abc", ""},
		{"ab", "f: shrank from 3 to 2 bytes while being read"},
		{"", "f: shrank from 3 to 0 bytes while being read"},
		{"abcd", "f: grew past 3 bytes while being read"},
	} {
		got, err := readExactly(iotest.OneByteReader(strings.NewReader(tc.content)), "f", 3)
		switch {
		case tc.want == "" && (err != nil || string(got) != tc.content):
			t.Errorf("%q: got %q, %v", tc.content, got, err)
		case tc.want != "" && (err == nil || err.Error() != tc.want):
			t.Errorf("%q: got %v, want %s", tc.content, err, tc.want)
		}
	}
	broken := errors.New("disk on fire")
	if _, err := readExactly(iotest.ErrReader(broken), "f", 3); !errors.Is(err, broken) {
		t.Errorf("read error: got %v, want %v", err, broken)
	}
}

func TestFormatSize(t *testing.T) {
	for n, want := range map[int64]string{
		0: "0 bytes", 1023: "1023 bytes", 1024: "1.0 KiB", 47 << 20: "47.0 MiB",
		30 << 30: "30.0 GiB", 1<<62 + 1<<61: "6.0 EiB",
	} {
		if got := FormatSize(n); got != want {
			t.Errorf("FormatSize(%d) = %q, want %q", n, got, want)
		}
	}
}

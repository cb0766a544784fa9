package fashionmnist

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/tensorforge/tensorforge/internal/hostfile/hostfiletest"
)

// deadURL is a local address nothing listens on: a Source in these tests
// that would download by mistake fails fast instead of reaching out.
const deadURL = "http://127.0.0.1:1/"

func TestFindDir(t *testing.T) {
	dir := t.TempDir()
	s := Source{Dir: dir, BaseURL: deadURL}
	want := "data directory " + dir + " lacks " + strings.Join(files[:], ", ")
	if _, err := s.Find(context.Background()); err == nil || err.Error() != want {
		t.Errorf("got %v, want %s", err, want)
	}
	writeDataset(t, dir, true)
	if got, err := s.Find(context.Background()); err != nil || got != dir {
		t.Errorf("got %q, %v, want %q", got, err, dir)
	}
}

func TestFindWorkingDir(t *testing.T) {
	root := t.TempDir()
	writeDataset(t, filepath.Join(root, "data", "fashion-mnist"), false)
	t.Chdir(root)
	got, err := Source{CacheDir: t.TempDir(), BaseURL: deadURL}.Find(context.Background())
	if want := filepath.Join(root, "data", "fashion-mnist"); err != nil || got != want {
		t.Errorf("got %q, %v, want %q", got, err, want)
	}
}

// TestFindRepoRoot runs from two levels below the repository's root, past
// the go.mod of another module in between.
func TestFindRepoRoot(t *testing.T) {
	root := t.TempDir()
	writeFile(t, root, "go.mod", []byte("module "+modulePath+"\n\ngo 1.26.0\n"))
	writeDataset(t, filepath.Join(root, "data", "fashion-mnist"), true)
	sub := filepath.Join(root, "cmd", "tool")
	if err := os.MkdirAll(sub, 0o755); err != nil {
		t.Fatal(err)
	}
	writeFile(t, filepath.Join(root, "cmd"), "go.mod", []byte("module example.com/other\n"))
	t.Chdir(sub)
	got, err := Source{CacheDir: t.TempDir(), BaseURL: deadURL}.Find(context.Background())
	if want := filepath.Join(root, "data", "fashion-mnist"); err != nil || got != want {
		t.Errorf("got %q, %v, want %q", got, err, want)
	}
}

// TestFindGoModFIFO runs below a directory whose go.mod is a named pipe:
// Find must pass it by, not wait on it for good.
func TestFindGoModFIFO(t *testing.T) {
	root := t.TempDir()
	hostfiletest.FIFO(t, filepath.Join(root, "go.mod"))
	sub := filepath.Join(root, "sub")
	if err := os.Mkdir(sub, 0o755); err != nil {
		t.Fatal(err)
	}
	t.Chdir(sub)
	cache := t.TempDir()
	writeDataset(t, cache, true)
	hostfiletest.Within(t, 5*time.Second, "Find below a go.mod that is a named pipe", func() {
		if got, err := (Source{CacheDir: cache, BaseURL: deadURL}).Find(context.Background()); err != nil || got != cache {
			t.Errorf("got %q, %v, want %q", got, err, cache)
		}
	})
}

// TestLoadFIFO names a data directory in which the training images are a
// named pipe: Load must say so, not block on it.
func TestLoadFIFO(t *testing.T) {
	dir := t.TempDir()
	writeDataset(t, dir, true)
	pipe := filepath.Join(dir, TrainImagesFile)
	if err := os.Remove(pipe); err != nil {
		t.Fatal(err)
	}
	hostfiletest.FIFO(t, pipe)
	want := pipe + ": is a named pipe, want a regular file"
	hostfiletest.Within(t, 5*time.Second, "Load of a named pipe", func() {
		if _, _, err := (Source{Dir: dir, BaseURL: deadURL}).Load(context.Background()); err == nil || err.Error() != want {
			t.Errorf("got %v, want %s", err, want)
		}
	})
}

func TestFindCache(t *testing.T) {
	t.Chdir(t.TempDir())
	cache := filepath.Join(t.TempDir(), "cache")
	writeDataset(t, cache, true)
	s := Source{CacheDir: cache, BaseURL: deadURL}
	got, err := s.Find(context.Background())
	if err != nil || got != cache {
		t.Errorf("got %q, %v, want %q", got, err, cache)
	}
	train, test, err := s.Load(context.Background())
	if err != nil || train.Len() != 4 || test.Len() != 2 {
		t.Errorf("Load: %v", err)
	}
}

func TestDefaultCacheDir(t *testing.T) {
	user, err := os.UserCacheDir()
	if err != nil {
		t.Skip(err)
	}
	got, err := Source{}.cacheDir()
	if want := filepath.Join(user, "tensorforge", "fashion-mnist"); err != nil || got != want {
		t.Errorf("got %q, %v, want %q", got, err, want)
	}
}

// server serves the shipped files, with the bytes of corrupt flipped, and
// records the paths asked for.
type server struct {
	dir     string
	corrupt string
	mu      sync.Mutex
	asked   []string
}

func (s *server) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	name := strings.TrimPrefix(r.URL.Path, "/mirror/")
	s.mu.Lock()
	s.asked = append(s.asked, name)
	s.mu.Unlock()
	b, err := os.ReadFile(filepath.Join(s.dir, filepath.Base(name)))
	if err != nil {
		http.NotFound(w, r)
		return
	}
	if name == s.corrupt {
		b[len(b)/2] ^= 1
	}
	w.Write(b)
}

func startServer(t *testing.T, s *server) string {
	ts := httptest.NewServer(s)
	t.Cleanup(ts.Close)
	return ts.URL + "/mirror"
}

// entries returns the names of the files in dir.
func entries(t *testing.T, dir string) []string {
	t.Helper()
	es, err := os.ReadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, e := range es {
		names = append(names, e.Name())
	}
	return names
}

func TestDownload(t *testing.T) {
	srv := &server{dir: shippedData(t)}
	t.Chdir(t.TempDir())
	cache := filepath.Join(t.TempDir(), "a", "cache")
	// One file there already: only the other three are fetched.
	if err := os.MkdirAll(cache, 0o755); err != nil {
		t.Fatal(err)
	}
	b, err := os.ReadFile(filepath.Join(srv.dir, TestLabelsFile))
	if err != nil {
		t.Fatal(err)
	}
	writeFile(t, cache, TestLabelsFile, b)

	var logged []string
	s := Source{CacheDir: cache, BaseURL: startServer(t, srv), Logf: func(f string, args ...any) { logged = append(logged, f) }}
	got, err := s.Find(context.Background())
	if err != nil || got != cache {
		t.Fatalf("got %q, %v, want %q", got, err, cache)
	}
	if want := []string{TrainImagesFile, TrainLabelsFile, TestImagesFile}; !slices.Equal(srv.asked, want) || len(logged) != 3 {
		t.Errorf("asked for %v (logged %d lines), want %v", srv.asked, len(logged), want)
	}
	if names := entries(t, cache); len(names) != 4 {
		t.Errorf("cache holds %v, want the four files and nothing else", names)
	}
	for _, name := range files {
		a, _ := os.ReadFile(filepath.Join(srv.dir, name))
		b, _ := os.ReadFile(filepath.Join(cache, name))
		if string(a) != string(b) {
			t.Errorf("%s differs from the served file", name)
		}
	}
	// A second Find finds everything in the cache and asks for nothing.
	srv.asked = nil
	if _, err := s.Find(context.Background()); err != nil || len(srv.asked) != 0 {
		t.Errorf("second Find: %v, asked for %v", err, srv.asked)
	}
}

func TestDownloadCorrupt(t *testing.T) {
	srv := &server{dir: shippedData(t), corrupt: TrainLabelsFile}
	t.Chdir(t.TempDir())
	cache := filepath.Join(t.TempDir(), "made", "by", "Find")
	_, err := Source{CacheDir: cache, BaseURL: startServer(t, srv)}.Find(context.Background())

	b, _ := os.ReadFile(filepath.Join(srv.dir, TrainLabelsFile))
	b[len(b)/2] ^= 1
	sum := sha256.Sum256(b)
	known := knownSHA256[TrainLabelsFile]
	for _, want := range []string{TrainLabelsFile, hex.EncodeToString(sum[:]), known[0], known[1]} {
		if err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("got %v, want an error naming %s", err, want)
		}
	}
	// The file before it arrived; the corrupt one left nothing behind.
	if names := entries(t, cache); !slices.Equal(names, []string{TrainImagesFile}) {
		t.Errorf("cache holds %v, want only %s", names, TrainImagesFile)
	}
}

func TestDownloadNotFound(t *testing.T) {
	srv := &server{dir: t.TempDir()}
	t.Chdir(t.TempDir())
	cache := t.TempDir()
	_, err := Source{CacheDir: cache, BaseURL: startServer(t, srv)}.Find(context.Background())
	if err == nil || !strings.Contains(err.Error(), "404 Not Found") || !strings.Contains(err.Error(), TrainImagesFile) {
		t.Errorf("got %v, want a 404 for %s", err, TrainImagesFile)
	}
	if names := entries(t, cache); len(names) != 0 {
		t.Errorf("cache holds %v, want nothing", names)
	}
}

package fashionmnist

import (
	"bufio"
	"context"
	"fmt"
	"net/http"
	"os"
	"path/filepath"
	"strings"

	"github.com/tensorforge/tensorforge/internal/hostfile"
)

// DefaultBaseURL is where Zalando Research serves the official files.
const DefaultBaseURL = "http://fashion-mnist.s3-website.eu-central-1.amazonaws.com/"

// modulePath identifies the repository's go.mod among the go.mod files
// above the working directory.
const modulePath = "github.com/tensorforge/tensorforge"

// Source says where to find the data. The zero value looks in the
// repository's data folder, then in the user's cache, then downloads the
// official files into that cache.
type Source struct {
	// Dir, when set (the -data flag), is the only place looked at: it must
	// hold the four files.
	Dir string
	// CacheDir is where downloads go and are looked for; empty means
	// os.UserCacheDir()/tensorforge/fashion-mnist.
	CacheDir string
	// BaseURL is the URL the file names are appended to; empty means
	// DefaultBaseURL.
	BaseURL string
	// Client makes the requests; nil means http.DefaultClient.
	Client *http.Client
	// Logf, if set, is told about downloads, which take a while.
	Logf func(format string, args ...any)
}

// Load finds the data (see Find) and reads the training and test sets.
func (s Source) Load(ctx context.Context) (train, test *Dataset, err error) {
	dir, err := s.Find(ctx)
	if err != nil {
		return nil, nil, err
	}
	return Load(dir)
}

// Find returns a directory holding the four files: s.Dir if set;
// otherwise data/fashion-mnist in the working directory or in the nearest
// directory above it whose go.mod is this repository's, so that a fresh
// clone works offline; otherwise the cache directory, after downloading
// into it whatever it lacks. Every download is checked against the
// SHA-256 sums known to this package.
func (s Source) Find(ctx context.Context) (string, error) {
	if s.Dir != "" {
		if m := missing(s.Dir); len(m) > 0 {
			return "", fmt.Errorf("data directory %s lacks %s", s.Dir, strings.Join(m, ", "))
		}
		return s.Dir, nil
	}
	if dir, ok := repoData(); ok {
		return dir, nil
	}
	cache, err := s.cacheDir()
	if err != nil {
		return "", err
	}
	m := missing(cache)
	if len(m) == 0 {
		return cache, nil
	}
	if err := os.MkdirAll(cache, 0o755); err != nil {
		return "", err
	}
	base := s.BaseURL
	if base == "" {
		base = DefaultBaseURL
	}
	client := s.Client
	if client == nil {
		client = http.DefaultClient
	}
	for _, name := range m {
		if s.Logf != nil {
			s.Logf("downloading %s from %s into %s", name, base, cache)
		}
		if err := download(ctx, client, base, cache, name); err != nil {
			return "", err
		}
	}
	return cache, nil
}

func (s Source) cacheDir() (string, error) {
	if s.CacheDir != "" {
		return s.CacheDir, nil
	}
	dir, err := os.UserCacheDir()
	if err != nil {
		return "", fmt.Errorf("no data in the repository, and no cache directory to download it into: %w", err)
	}
	return filepath.Join(dir, "tensorforge", "fashion-mnist"), nil
}

// repoData returns data/fashion-mnist of the working directory, or of the
// nearest directory above it holding this repository's go.mod, if it
// holds the four files.
func repoData() (string, bool) {
	wd, err := os.Getwd()
	if err != nil {
		return "", false
	}
	if dir := filepath.Join(wd, "data", "fashion-mnist"); len(missing(dir)) == 0 {
		return dir, true
	}
	for d := wd; ; {
		if isRepoRoot(d) {
			dir := filepath.Join(d, "data", "fashion-mnist")
			return dir, len(missing(dir)) == 0
		}
		parent := filepath.Dir(d)
		if parent == d {
			return "", false
		}
		d = parent
	}
}

// isRepoRoot reports whether dir holds a go.mod declaring modulePath
// (data/ has a go.mod of its own, and a user's module may embed ours).
// A go.mod that is not a regular file is not this repository's: opening
// a named pipe would block Find for good.
func isRepoRoot(dir string) bool {
	f, _, err := hostfile.Open(filepath.Join(dir, "go.mod"))
	if err != nil {
		return false
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		fields := strings.Fields(sc.Text())
		if len(fields) >= 2 && fields[0] == "module" {
			return strings.Trim(fields[1], `"`) == modulePath
		}
	}
	return false
}

package fashionmnist

import (
	"bufio"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// writeDataset writes a small dataset in the four files of dir, gzipped
// when zip is set, under the official names (less ".gz" if not zipped).
func writeDataset(t *testing.T, dir string, zip bool) {
	t.Helper()
	if err := os.MkdirAll(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	contents := map[string][]byte{
		TrainImagesFile: idxImages(4, 2, 3, seq(24)),
		TrainLabelsFile: idxLabels(4, []byte{0, 1, 2, 9}),
		TestImagesFile:  idxImages(2, 2, 3, seq(12)),
		TestLabelsFile:  idxLabels(2, []byte{5, 6}),
	}
	for name, b := range contents {
		if zip {
			writeFile(t, dir, name, gz(t, b))
		} else {
			writeFile(t, dir, strings.TrimSuffix(name, ".gz"), b)
		}
	}
}

func TestLoad(t *testing.T) {
	for _, zip := range []bool{true, false} {
		dir := t.TempDir()
		writeDataset(t, dir, zip)
		train, test, err := Load(dir)
		if err != nil {
			t.Fatal(err)
		}
		if train.Len() != 4 || test.Len() != 2 || train.Rows != 2 || train.Cols != 3 {
			t.Fatalf("zip=%v: got %d and %d examples of %dx%d", zip, train.Len(), test.Len(), train.Rows, train.Cols)
		}
		if got := train.Image(1); string(got) != string(seq(24)[6:12]) {
			t.Errorf("zip=%v: image 1 is %v", zip, got)
		}
		if test.Labels[1] != 6 {
			t.Errorf("zip=%v: test labels %v", zip, test.Labels)
		}
	}
}

func TestLoadErrors(t *testing.T) {
	dir := t.TempDir()
	writeDataset(t, dir, true)
	if err := os.Remove(filepath.Join(dir, TestLabelsFile)); err != nil {
		t.Fatal(err)
	}
	want := dir + ": no t10k-labels-idx1-ubyte.gz (nor t10k-labels-idx1-ubyte)"
	if _, _, err := Load(dir); err == nil || err.Error() != want {
		t.Errorf("got %v, want %s", err, want)
	}
	writeFile(t, dir, TestLabelsFile, gz(t, idxLabels(2, []byte{5, 12})))
	want = filepath.Join(dir, TestLabelsFile) + ": label 1 is 12, want 0..9"
	if _, _, err := Load(dir); err == nil || err.Error() != want {
		t.Errorf("got %v, want %s", err, want)
	}
	writeFile(t, dir, TestLabelsFile, gz(t, idxLabels(1, []byte{5})))
	writeFile(t, dir, TestImagesFile, gz(t, idxImages(1, 3, 2, seq(6))))
	want = dir + ": training images are 2x3 but test images 3x2"
	if _, _, err := Load(dir); err == nil || err.Error() != want {
		t.Errorf("got %v, want %s", err, want)
	}
}

func TestClassName(t *testing.T) {
	for label, want := range map[int]string{0: "T-shirt/top", 6: "Shirt", 9: "Ankle boot", 10: "class 10", -1: "class -1"} {
		if got := ClassName(label); got != want {
			t.Errorf("ClassName(%d) = %q, want %q", label, got, want)
		}
	}
}

// shippedData returns the repository's data/fashion-mnist, skipping the
// test where it is missing (a copy of the module without its data module).
func shippedData(t *testing.T) string {
	t.Helper()
	dir, ok := repoData()
	if !ok {
		t.Skip("no data/fashion-mnist in this checkout")
	}
	return dir
}

func TestShippedFiles(t *testing.T) {
	if testing.Short() {
		t.Skip("reads 30 MB of gzipped images")
	}
	train, test, err := Load(shippedData(t))
	if err != nil {
		t.Fatal(err)
	}
	for _, c := range []struct {
		d        *Dataset
		n, class int
	}{{train, 60000, 6000}, {test, 10000, 1000}} {
		if c.d.Len() != c.n || c.d.Rows != 28 || c.d.Cols != 28 || len(c.d.Images) != c.n*28*28 {
			t.Fatalf("got %d images of %dx%d, want %d of 28x28", c.d.Len(), c.d.Rows, c.d.Cols, c.n)
		}
		var count [NumClasses]int
		for _, l := range c.d.Labels {
			count[l]++
		}
		for k, n := range count {
			if n != c.class {
				t.Errorf("%d examples of class %d (%s), want %d", n, k, ClassName(k), c.class)
			}
		}
	}
}

// TestShippedSums checks that the sums the package accepts for the
// shipped copies are the ones in data/fashion-mnist/SHA256SUMS.
func TestShippedSums(t *testing.T) {
	f, err := os.Open(filepath.Join(shippedData(t), "SHA256SUMS"))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	seen := 0
	for sc := bufio.NewScanner(f); sc.Scan(); {
		fields := strings.Fields(sc.Text())
		if len(fields) != 2 {
			continue
		}
		seen++
		if want, ok := knownSHA256[fields[1]]; !ok || want[1] != fields[0] {
			t.Errorf("SHA256SUMS has %s for %s; the package knows %v", fields[0], fields[1], want)
		}
	}
	if seen != len(files) {
		t.Errorf("SHA256SUMS lists %d files, want %d", seen, len(files))
	}
}

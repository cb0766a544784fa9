package charts

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/tensorforge/tensorforge/classify"
)

func TestWrite(t *testing.T) {
	history := []classify.EpochStats{
		{Epoch: 1, TrainLoss: 1.2, TrainAcc: 0.55, TestAcc: 0.7},
		{Epoch: 2, TrainLoss: 0.6, TrainAcc: 0.78, TestAcc: 0.8},
	}
	dir := t.TempDir()
	for name, magic := range map[string]string{"curves.svg": "<?xml", "curves.png": "\x89PNG"} {
		path := filepath.Join(dir, name)
		if err := TrainingCurves(path, history); err != nil {
			t.Fatal(err)
		}
		b, err := os.ReadFile(path)
		if err != nil {
			t.Fatal(err)
		}
		if !bytes.HasPrefix(b, []byte(magic)) {
			t.Errorf("%s starts %q", name, b[:min(len(b), 16)])
		}
	}
	err := TrainingCurves(filepath.Join(dir, "curves.gif"), history)
	if err == nil || !strings.Contains(err.Error(), `".gif"`) {
		t.Errorf("a .gif plot gave %v, want an error naming the extension", err)
	}
}

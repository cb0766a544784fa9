package classify

import (
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
	"time"
)

func TestRunLog(t *testing.T) {
	dir := t.TempDir()
	l := &RunLog{Meta: map[string]string{"device": "cpu"}, Batch: 128, Seed: 1, Epochs: []EpochStats{
		{Epoch: 1, TrainLoss: 1.2, TrainAcc: 0.5, TestAcc: 0.6, Images: 60000, TrainTime: time.Minute},
		{Epoch: 2, TrainLoss: 0.8, TrainAcc: 0.7, TestAcc: 0.72, Images: 60000, TrainTime: time.Minute},
	}}
	path := filepath.Join(dir, "log.json")
	if err := l.Save(path); err != nil {
		t.Fatal(err)
	}
	got, err := LoadRunLog(path)
	if err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(got, l) {
		t.Errorf("read back %+v, want %+v", got, l)
	}
	for name, content := range map[string]string{
		"empty.json":    `{"batch": 3}`,
		"garbage.json":  `{"epochs": [`,
		"backward.json": `{"epochs": [{"epoch": 2}, {"epoch": 1}]}`,
	} {
		p := filepath.Join(dir, name)
		os.WriteFile(p, []byte(content), 0o644)
		if _, err := LoadRunLog(p); err == nil || !strings.Contains(err.Error(), name) {
			t.Errorf("%s: %v", name, err)
		}
	}
}

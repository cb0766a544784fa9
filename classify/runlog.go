package classify

import (
	"encoding/json"
	"fmt"
	"io"

	"github.com/tensorforge/tensorforge/internal/atomicfile"
	"github.com/tensorforge/tensorforge/internal/hostfile"
)

// RunLog is what a training run records for a later comparison with
// another (a CPU run against a GPU run, a run against its rerun): what ran
// where, and each epoch's figures.
type RunLog struct {
	// Meta says what ran where: the device, its hardware, the model,
	// the commit; free-form, for people.
	Meta map[string]string `json:"meta,omitempty"`
	// Batch and Seed are the run's batch size and shuffling seed.
	Batch int    `json:"batch"`
	Seed  uint64 `json:"seed"`
	// Epochs are the finished epochs' figures, in order.
	Epochs []EpochStats `json:"epochs"`
}

// maxRunLogBytes bounds a run log: ten epochs take about 2 kB.
const maxRunLogBytes = 16 << 20

// Save writes the log to path as JSON, replacing it atomically.
func (l *RunLog) Save(path string) error {
	b, err := json.MarshalIndent(l, "", "  ")
	if err != nil {
		return err
	}
	return atomicfile.Write(path, func(w io.Writer) error {
		_, err := w.Write(append(b, '\n'))
		return err
	})
}

// LoadRunLog reads a log Save wrote, refusing, with the file named, one
// that is not a run log: no epochs, or epochs not numbered in order.
func LoadRunLog(path string) (*RunLog, error) {
	b, err := hostfile.ReadFile(path, maxRunLogBytes)
	if err != nil {
		return nil, err
	}
	var l RunLog
	if err := json.Unmarshal(b, &l); err != nil {
		return nil, fmt.Errorf("%s: not a training log: %w", path, err)
	}
	if len(l.Epochs) == 0 {
		return nil, fmt.Errorf("%s: not a training log: no epochs", path)
	}
	for i, e := range l.Epochs {
		if i > 0 && e.Epoch <= l.Epochs[i-1].Epoch {
			return nil, fmt.Errorf("%s: epoch %d follows epoch %d", path, e.Epoch, l.Epochs[i-1].Epoch)
		}
	}
	return &l, nil
}

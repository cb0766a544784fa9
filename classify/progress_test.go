package classify

import (
	"bytes"
	"strings"
	"testing"
	"time"
)

// TestProgressLog checks the plain form a redirected run writes: a line
// every Every steps and at the epoch's end, then the epoch line.
func TestProgressLog(t *testing.T) {
	var log bytes.Buffer
	p := NewProgress(&log, &bytes.Buffer{}, 2) // a buffer is no terminal
	if p.Bar != nil {
		t.Fatal("a bytes.Buffer was taken for a terminal")
	}
	p.begin(3, 5)
	for s := 1; s <= 5; s++ {
		p.step(3, s, 5, s, 0.5, 0.75, 100)
	}
	p.epoch(EpochStats{Epoch: 3, TrainLoss: 0.5, TrainAcc: 0.75, TestAcc: 0.7, Images: 100, TrainTime: time.Second})
	lines := strings.Split(strings.TrimSpace(log.String()), "\n")
	want := []string{"epoch 3/3 step 2/5:", "epoch 3/3 step 4/5:", "epoch 3/3 step 5/5:", "epoch 3/3: loss 0.5000, train acc 0.7500, test acc 0.7000, 100.0 img/s"}
	if len(lines) != len(want) {
		t.Fatalf("got lines\n%s\nwant %d", log.String(), len(want))
	}
	for i, w := range want {
		if !strings.HasPrefix(lines[i], w) {
			t.Errorf("line %d is %q, want it to start %q", i, lines[i], w)
		}
	}
}

// TestProgressBar checks that the live bar redraws in place and is cleared
// before an epoch line.
func TestProgressBar(t *testing.T) {
	var log, term bytes.Buffer
	p := &Progress{Log: &log, Bar: &term}
	p.begin(1, 4)
	p.step(1, 4, 4, 4, 0.25, 0.5, 10)
	if s := term.String(); !strings.HasPrefix(s, "\r\033[K") || !strings.Contains(s, "[========================] 4/4") {
		t.Errorf("bar %q", s)
	}
	if log.Len() != 0 {
		t.Errorf("step went to the log too: %q", log.String())
	}
	p.epoch(EpochStats{Epoch: 1, Images: 1, TrainTime: time.Second})
	if !strings.HasSuffix(term.String(), "\r\033[K") {
		t.Errorf("bar not cleared before the epoch line: %q", term.String())
	}
	var nilP *Progress
	nilP.step(1, 1, 1, 1, 0, 0, 0) // a nil Progress reports nothing
}

func TestBar(t *testing.T) {
	for _, c := range []struct {
		done, total int
		want        string
	}{{0, 4, "[>   ]"}, {2, 4, "[==> ]"}, {4, 4, "[====]"}} {
		if got := bar(c.done, c.total, 4); got != c.want {
			t.Errorf("bar(%d, %d) = %q, want %q", c.done, c.total, got, c.want)
		}
	}
}

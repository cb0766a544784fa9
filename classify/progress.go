package classify

import (
	"fmt"
	"io"
	"os"
	"strings"
	"time"

	"golang.org/x/term"
)

// Progress reports training as it runs. On a terminal (Bar set) it redraws
// one line in place with the epoch's progress, running loss and accuracy,
// throughput and the time left; in a log (Bar nil) it writes a plain line
// every Every steps, so a redirected run reads as a log rather than a wall
// of carriage returns. Epoch summaries go to Log either way. A nil
// *Progress reports nothing. It reports one run at a time, from the
// goroutine that runs Train.
type Progress struct {
	// Log receives the epoch lines and, when Bar is nil, the step lines.
	Log io.Writer
	// Bar is the terminal to redraw the live bar on, or nil.
	Bar io.Writer
	// Every is the number of steps between plain step lines when Bar is
	// nil; 0 writes none.
	Every int

	last     int       // number of the run's last epoch
	total    int       // steps in the run
	start    time.Time // of the run, for the ETA
	lastDraw time.Time
	drawn    bool // a bar is on screen and must be cleared before Log
}

// barRedraw is how often the live bar is redrawn at most: fast GPU steps
// would otherwise spend their time writing to the terminal.
const barRedraw = 100 * time.Millisecond

// NewProgress returns a Progress writing epoch lines to log. When bar is a
// terminal the steps are shown as a live bar on it; otherwise a plain line
// goes to log every `every` steps.
func NewProgress(log, bar io.Writer, every int) *Progress {
	p := &Progress{Log: log, Every: every}
	if isTerminal(bar) {
		p.Bar = bar
	}
	return p
}

// isTerminal reports whether w is a file open on a terminal.
func isTerminal(w io.Writer) bool {
	f, ok := w.(*os.File)
	return ok && term.IsTerminal(int(f.Fd()))
}

// begin starts the clock for a run whose last epoch is numbered last
// (epochs of earlier runs count) and which takes total steps.
func (p *Progress) begin(last, total int) {
	if p == nil {
		return
	}
	p.last, p.total = last, total
	p.start = time.Now()
}

// step reports that step (from 1) of the steps of epoch finished, with
// the epoch's running loss and accuracy and its images per second so far;
// done counts the steps this run has finished.
func (p *Progress) step(epoch, step, steps, done int, loss, acc, imgPerSec float64) {
	if p == nil {
		return
	}
	now := time.Now()
	eta := p.eta(now, done)
	if p.Bar != nil {
		if now.Sub(p.lastDraw) < barRedraw && step < steps {
			return
		}
		p.lastDraw = now
		p.drawn = true
		fmt.Fprintf(p.Bar, "\r\033[Kepoch %d/%d %s %d/%d loss %.4f acc %.3f %.0f img/s ETA %s",
			epoch, p.last, bar(step, steps, 24), step, steps, loss, acc, imgPerSec, formatDuration(eta))
		return
	}
	if p.Every > 0 && (step%p.Every == 0 || step == steps) {
		fmt.Fprintf(p.Log, "epoch %d/%d step %d/%d: loss %.4f, train acc %.4f, %.1f img/s, ETA %s\n",
			epoch, p.last, step, steps, loss, acc, imgPerSec, formatDuration(eta))
	}
}

// eta extrapolates the time left from the run's average step so far; once
// an epoch has finished that average includes its test evaluation.
func (p *Progress) eta(now time.Time, done int) time.Duration {
	if done <= 0 || done > p.total {
		return 0
	}
	return time.Duration(float64(now.Sub(p.start)) / float64(done) * float64(p.total-done))
}

// testing reports on the live bar that epoch's test accuracy is being
// measured, which on a CPU takes a while.
func (p *Progress) testing(epoch int) {
	if p == nil || p.Bar == nil {
		return
	}
	p.drawn = true
	fmt.Fprintf(p.Bar, "\r\033[Kepoch %d/%d: measuring test accuracy", epoch, p.last)
}

// epoch reports a finished epoch on Log, first clearing the live bar.
func (p *Progress) epoch(s EpochStats) {
	if p == nil {
		return
	}
	if p.drawn {
		fmt.Fprint(p.Bar, "\r\033[K")
		p.drawn = false
	}
	fmt.Fprintf(p.Log, "epoch %d/%d: %s\n", s.Epoch, p.last, s)
}

// bar draws done/total as [=====>    ] of the given inner width.
func bar(done, total, width int) string {
	n := 0
	if total > 0 {
		n = min(width, done*width/total)
	}
	head := ""
	if n < width {
		head = ">"
	}
	return "[" + strings.Repeat("=", n) + head + strings.Repeat(" ", max(0, width-n-len(head))) + "]"
}

// formatDuration prints d rounded to the second, as 1h2m3s.
func formatDuration(d time.Duration) string {
	return d.Round(time.Second).String()
}

package main

import (
	"context"
	"fmt"
	"io"
	"os"
	"time"
)

// sameSignal is how soon after the first a signal counts as the same one
// delivered again: timeout -s INT, a terminal's Ctrl-C and kill -- -PGID
// send a signal to the whole process group, and a process started by a
// wrapper (go run, a shell script) that forwards it receives it twice.
const sameSignal = 500 * time.Millisecond

// signalCause is the cause of a run stopped by a signal. It is a
// context.Canceled, as the context's own error is, so code that checks for
// cancellation sees it as one.
type signalCause struct{ sig os.Signal }

func (c signalCause) Error() string        { return c.sig.String() + " signal received" }
func (c signalCause) Is(target error) bool { return target == context.Canceled }

// handleSignals cancels the run at the first SIGINT or SIGTERM, which then
// stops after its current step, saves and exits with status 1. A second
// signal more than sameSignal later quits at once with status 130, saving
// nothing; one sooner is the first delivered again and counts for nothing.
func handleSignals(sigs <-chan os.Signal, cancel context.CancelCauseFunc, stderr io.Writer, exit func(int)) {
	first, ok := <-sigs
	if !ok {
		return
	}
	cancel(signalCause{first})
	at := time.Now()
	for s := range sigs {
		if time.Since(at) < sameSignal {
			continue
		}
		fmt.Fprintf(stderr, "alexnet: %v again: quitting without saving\n", s)
		exit(130)
		return
	}
}

package main

import (
	"context"
	"errors"
	"io"
	"os"
	"syscall"
	"testing"
	"time"
)

// TestSignals checks that SIGINT and SIGTERM both cancel the run, that a
// signal delivered twice at once (to the process and to its group) counts
// once, and that a second one later quits at once.
func TestSignals(t *testing.T) {
	for _, first := range []os.Signal{os.Interrupt, syscall.SIGTERM} {
		ctx, cancel := context.WithCancelCause(context.Background())
		sigs := make(chan os.Signal, 4)
		exited := make(chan int, 1)
		done := make(chan struct{})
		go func() {
			handleSignals(sigs, cancel, io.Discard, func(code int) { exited <- code })
			close(done)
		}()
		sigs <- first
		sigs <- first // the process group's copy
		<-ctx.Done()
		if !errors.Is(context.Cause(ctx), context.Canceled) || context.Cause(ctx).Error() != first.String()+" signal received" {
			t.Errorf("%v: cause %v", first, context.Cause(ctx))
		}
		select {
		case code := <-exited:
			t.Fatalf("%v delivered twice at once quit with %d", first, code)
		case <-time.After(2 * sameSignal):
		}
		sigs <- os.Interrupt
		select {
		case code := <-exited:
			if code != 130 {
				t.Errorf("second signal: status %d, want 130", code)
			}
		case <-time.After(5 * time.Second):
			t.Fatal("a second signal later did not quit")
		}
		<-done
	}
}

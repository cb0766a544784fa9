//go:build mpi

package mpi_test

import (
	"context"
	"encoding/binary"
	"fmt"
	"math"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/tensorforge/tensorforge/alexnet"
	"github.com/tensorforge/tensorforge/classify"
	"github.com/tensorforge/tensorforge/mpi"
	"github.com/tensorforge/tensorforge/tensor"
)

// childEnv names the directory a rank started by TestDataParallel writes
// its weights to; set, the test binary is that rank.
const childEnv = "TENSORFORGE_MPI_TEST_DIR"

// abortEnv, set, makes the test binary a rank of TestAbort's job.
const abortEnv = "TENSORFORGE_MPI_TEST_ABORT"

func TestMain(m *testing.M) {
	if os.Getenv(abortEnv) != "" {
		abortRank()
	}
	if dir := os.Getenv(childEnv); dir != "" {
		if err := rank(dir); err != nil {
			fmt.Fprintln(os.Stderr, err)
			os.Exit(1)
		}
		os.Exit(0)
	}
	code := m.Run()
	if _, launched := mpi.Launched(); launched {
		// A benchmark run under mpirun joined the job: leave it cleanly.
		if w, err := mpi.Join(); err == nil {
			w.Close()
		}
	}
	os.Exit(code)
}

// images is a small labelled set of random 28x28 images.
type images struct{ n int }

func (d images) Len() int             { return d.n }
func (d images) Shape() (c, h, w int) { return 1, 28, 28 }
func (d images) Label(i int) int      { return int(tensor.Mix64(uint64(i)) % 10) }
func (d images) Image(i int) []uint8 {
	px := make([]uint8, 28*28)
	for j := range px {
		px[j] = uint8(tensor.Mix64(uint64(i)<<16 | uint64(j)))
	}
	return px
}

// train trains a small AlexNet (with dropout and momentum) for one epoch
// of four steps, whose batches of 15 split 8 and 7 over two processes and
// whose last, of one image, leaves rank 1 nothing but the all-reduce, and
// evaluates 11 images, split 6 and 5; it returns the parameters.
func train(g classify.Group) ([]float32, error) {
	m, err := alexnet.New(tensor.NewCPU(1), alexnet.Config{InChannels: 1, Size: 65, Classes: 10, Hidden: 32, Seed: 7,
		SGD: tensor.SGDOptions{LR: 0.05, Momentum: 0.9}})
	if err != nil {
		return nil, err
	}
	defer m.Free()
	_, err = classify.Train(context.Background(), m, images{46}, images{11}, classify.TrainOptions{Epochs: 1, Batch: 15, Seed: 3, Group: g})
	if err != nil {
		return nil, err
	}
	params, _ := m.Net().Arena()
	return params.Float32s()
}

// rank is one process of the job TestDataParallel starts: it trains as
// its rank of the world and writes its parameters to dir.
func rank(dir string) error {
	w, err := mpi.Join()
	if err != nil {
		return err
	}
	params, err := train(w)
	if err != nil {
		w.Abort(1)
		return err
	}
	b := make([]byte, 4*len(params))
	for i, v := range params {
		binary.LittleEndian.PutUint32(b[4*i:], math.Float32bits(v))
	}
	if err := os.WriteFile(filepath.Join(dir, fmt.Sprintf("rank%d", w.Rank())), b, 0o644); err != nil {
		return err
	}
	return w.Close()
}

// abortRank is one process of TestAbort's job: rank 1 fails at once and
// aborts; rank 0 waits in an all-reduce that rank 1 never joins.
func abortRank() {
	w, err := mpi.Join()
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	if w.Rank() == 1 {
		fmt.Fprintln(os.Stderr, "rank 1 fails")
		w.Abort(3)
	}
	w.SumAll(make([]float32, 4))
	os.Exit(0) // not reached: the abort ends rank 0 too
}

// mpirun returns the command that starts n processes of this test binary
// with env added, allowed to run as root.
func mpirun(t *testing.T, ctx context.Context, n int, env ...string) *exec.Cmd {
	t.Helper()
	path, err := exec.LookPath("mpirun")
	if err != nil {
		t.Fatalf("mpirun: %v (Debian: apt-get install openmpi-bin)", err)
	}
	cmd := exec.CommandContext(ctx, path, "-np", strconv.Itoa(n), "--oversubscribe", os.Args[0])
	cmd.Env = append(os.Environ(), env...)
	if os.Getuid() == 0 {
		cmd.Env = append(cmd.Env, "OMPI_ALLOW_RUN_AS_ROOT=1", "OMPI_ALLOW_RUN_AS_ROOT_CONFIRM=1")
	}
	return cmd
}

// TestAbort checks that a rank that aborts ends the whole job, the rank
// waiting for it included, with a failing exit status.
func TestAbort(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	out, err := mpirun(t, ctx, 2, abortEnv+"=1").CombinedOutput()
	if ctx.Err() != nil {
		t.Fatalf("the job was still running after a minute: rank 0 was left waiting\n%s", out)
	}
	if err == nil || !strings.Contains(string(out), "rank 1 fails") {
		t.Fatalf("mpirun: %v, want a failure after rank 1's message\n%s", err, out)
	}
}

// TestDataParallel runs two processes under mpirun, one thread each, and
// checks that both end with the same weights, equal to one process's
// trained on the same batches to within 1e-5 of their norm.
func TestDataParallel(t *testing.T) {
	dir := t.TempDir()
	if out, err := mpirun(t, context.Background(), 2, childEnv+"="+dir).CombinedOutput(); err != nil {
		t.Fatalf("mpirun: %v\n%s", err, out)
	}
	want, err := train(nil)
	if err != nil {
		t.Fatal(err)
	}
	var ranks [2][]float32
	for r := range ranks {
		b, err := os.ReadFile(filepath.Join(dir, fmt.Sprintf("rank%d", r)))
		if err != nil {
			t.Fatal(err)
		}
		ranks[r] = make([]float32, len(b)/4)
		for i := range ranks[r] {
			ranks[r][i] = math.Float32frombits(binary.LittleEndian.Uint32(b[4*i:]))
		}
	}
	if len(ranks[0]) != len(want) || len(ranks[1]) != len(want) {
		t.Fatalf("%d and %d parameters, want %d", len(ranks[0]), len(ranks[1]), len(want))
	}
	for i := range want {
		if ranks[0][i] != ranks[1][i] {
			t.Fatalf("parameter %d: %v on rank 0, %v on rank 1", i, ranks[0][i], ranks[1][i])
		}
	}
	var diff, norm float64
	for i, v := range want {
		d := float64(ranks[0][i]) - float64(v)
		diff += d * d
		norm += float64(v) * float64(v)
	}
	if rel := math.Sqrt(diff / norm); !(rel <= 1e-5) {
		t.Errorf("two processes end %.3g away from one (relative), want at most 1e-5", rel)
	} else {
		t.Logf("two processes against one: relative difference %.3g", rel)
	}
}

// BenchmarkSumAll times the all-reduce of a gradient arena the size of
// AlexNet's (46.8M floats, 187 MB) between the ranks of a job:
//
//	go test -tags mpi -c -o mpi.test ./mpi
//	mpirun -np 2 ./mpi.test -test.run '^$' -test.bench SumAll -test.benchtime 10x
//
// Started alone, it has no one to sum with and skips.
func BenchmarkSumAll(b *testing.B) {
	w, err := mpi.Join()
	if err != nil {
		b.Fatal(err)
	}
	if w.Size() < 2 {
		b.Skip("one process: start it with mpirun -np 2")
	}
	buf := make([]float32, 46_787_978)
	b.SetBytes(4 * int64(len(buf)))
	for b.Loop() {
		if err := w.SumAll(buf); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(b.Elapsed().Milliseconds())/float64(b.N), "ms/allreduce")
}

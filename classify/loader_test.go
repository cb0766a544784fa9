package classify

import (
	"slices"
	"testing"
	"testing/synctest"
)

// indexed returns a dataset of n 2x2 images whose pixels all hold the
// image's index, labelled index%10.
func indexed(n int) *images {
	d := &images{px: make([]uint8, n*4), labels: make([]int, n), c: 1, h: 2, w: 2}
	for i := range n {
		for p := range 4 {
			d.px[i*4+p] = uint8(i)
		}
		d.labels[i] = i % 10
	}
	return d
}

// epoch runs an epoch and returns the example indices in the order the
// batches held them, and the batch sizes, checking that each batch's
// pixels and labels belong together.
func epoch(t *testing.T, l *Loader, e int) (order, sizes []int) {
	t.Helper()
	for b := range l.Epoch(e) {
		if len(b.Images) != b.Len()*4 || b.Channels != 1 || b.Height != 2 || b.Width != 2 {
			t.Fatalf("batch of %d labels, %d pixels, %dx%dx%d", b.Len(), len(b.Images), b.Channels, b.Height, b.Width)
		}
		for j := range b.Len() {
			i := int(b.Images[j*4])
			if !slices.Equal(b.Images[j*4:j*4+4], []uint8{uint8(i), uint8(i), uint8(i), uint8(i)}) || b.Labels[j] != int32(i%10) {
				t.Fatalf("example %d of a batch: pixels %v, label %d", j, b.Images[j*4:j*4+4], b.Labels[j])
			}
			order = append(order, i)
		}
		sizes = append(sizes, b.Len())
	}
	return order, sizes
}

func TestEpochInOrder(t *testing.T) {
	l, err := NewLoader(indexed(10), BatchOptions{Size: 4})
	if err != nil {
		t.Fatal(err)
	}
	order, sizes := epoch(t, l, 0)
	if !slices.Equal(order, []int{0, 1, 2, 3, 4, 5, 6, 7, 8, 9}) || !slices.Equal(sizes, []int{4, 4, 2}) {
		t.Errorf("order %v, batch sizes %v", order, sizes)
	}
	if l.Len() != 10 || l.Batches() != 3 {
		t.Errorf("Len %d, Batches %d, want 10 and 3", l.Len(), l.Batches())
	}
}

func TestEpochShuffle(t *testing.T) {
	d := indexed(200)
	newLoader := func(seed uint64) *Loader {
		l, err := NewLoader(d, BatchOptions{Size: 32, Shuffle: true, Seed: seed})
		if err != nil {
			t.Fatal(err)
		}
		return l
	}
	a, b := newLoader(1), newLoader(1)
	a0, _ := epoch(t, a, 0)
	a1, _ := epoch(t, a, 1)
	b1, _ := epoch(t, b, 1) // epoch 1 without epoch 0 before it
	b0, _ := epoch(t, b, 0)
	c0, _ := epoch(t, newLoader(2), 0)
	if !slices.Equal(a0, b0) || !slices.Equal(a1, b1) {
		t.Error("the same seed and epoch gave different orders")
	}
	if slices.Equal(a0, a1) || slices.Equal(a0, c0) {
		t.Error("another epoch or seed gave the same order")
	}
	for _, o := range [][]int{a0, a1, c0} {
		if s := slices.Sorted(slices.Values(o)); len(s) != 200 || s[0] != 0 || s[199] != 199 || len(slices.Compact(s)) != 200 {
			t.Fatalf("an epoch is not a permutation of the 200 examples: %v", o)
		}
	}
}

func TestEpochLimit(t *testing.T) {
	for _, tc := range []struct {
		limit, n int
		sizes    []int
	}{{5, 5, []int{3, 2}}, {0, 10, []int{3, 3, 3, 1}}, {50, 10, []int{3, 3, 3, 1}}} {
		l, err := NewLoader(indexed(10), BatchOptions{Size: 3, Shuffle: true, Seed: 7, Limit: tc.limit})
		if err != nil {
			t.Fatal(err)
		}
		order, sizes := epoch(t, l, 3)
		if s := slices.Sorted(slices.Values(order)); len(s) != tc.n || s[tc.n-1] != tc.n-1 || !slices.Equal(sizes, tc.sizes) {
			t.Errorf("limit %d: examples %v in batches of %v", tc.limit, order, sizes)
		}
	}
}

func TestNewLoaderErrors(t *testing.T) {
	for _, tc := range []struct {
		o    BatchOptions
		want string
	}{
		{BatchOptions{Size: 0}, "batch size 0: want at least 1"},
		{BatchOptions{Size: 8, Limit: -1}, "example limit -1: want 0 (all) or more"},
	} {
		if _, err := NewLoader(indexed(3), tc.o); err == nil || err.Error() != tc.want {
			t.Errorf("%+v: got %v, want %s", tc.o, err, tc.want)
		}
	}
}

// TestEpochStopsEarly leaves epochs by break and by panic inside a
// synctest bubble, which fails the test if a goroutine is left behind, and
// checks that the loader still runs whole epochs afterwards.
func TestEpochStopsEarly(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		l, err := NewLoader(indexed(100), BatchOptions{Size: 10, Shuffle: true})
		if err != nil {
			t.Fatal(err)
		}
		for range l.Epoch(0) {
			break
		}
		func() {
			defer func() {
				if recover() == nil {
					t.Error("the panic in the loop body was lost")
				}
			}()
			for range l.Epoch(1) {
				panic("stop")
			}
		}()
		for e := range 3 {
			if order, _ := epoch(t, l, e); len(order) != 100 {
				t.Fatalf("epoch %d after early stops: %d examples", e, len(order))
			}
		}
		if len(l.free) != cap(l.free) {
			t.Errorf("%d of %d buffers back", len(l.free), cap(l.free))
		}
	})
}

func TestEpochNestedPanics(t *testing.T) {
	l, err := NewLoader(indexed(10), BatchOptions{Size: 5})
	if err != nil {
		t.Fatal(err)
	}
	defer func() {
		if recover() == nil {
			t.Error("a second epoch of a running loader did not panic")
		}
	}()
	for range l.Epoch(0) {
		for range l.Epoch(1) {
		}
	}
}

// TestEpochAllocs checks that an epoch allocates a fixed few objects,
// however many batches it has.
func TestEpochAllocs(t *testing.T) {
	allocs := func(n int) float64 {
		l, err := NewLoader(indexed(n), BatchOptions{Size: 2, Shuffle: true})
		if err != nil {
			t.Fatal(err)
		}
		return testing.AllocsPerRun(5, func() {
			for range l.Epoch(0) {
			}
		})
	}
	if few, many := allocs(10), allocs(200); many > few || many > 20 {
		t.Errorf("%v allocations for an epoch of 100 batches, %v for 5", many, few)
	}
}

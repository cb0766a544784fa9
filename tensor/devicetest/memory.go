package devicetest

import (
	"fmt"

	"github.com/tensorforge/tensorforge/tensor"
)

// elementShapes are the shapes elementwise operations run on: a single
// element, odd sizes, and sizes past a typical block of threads or chunk
// of work.
var elementShapes = [][]int{{1}, {3, 5}, {2, 3, 5, 7}, {4099}, {33, 1001}}

func testWriteRead(c *checker) {
	c.run("float32", func(c *checker) {
		roundTrip(c, tensor.Float32, func() float32 { return float32(c.rng.NormFloat64()) })
	})
	c.run("int32", func(c *checker) { roundTrip(c, tensor.Int32, c.rng.Int32) })
	c.run("uint8", func(c *checker) {
		roundTrip(c, tensor.Uint8, func() uint8 { return uint8(c.rng.Uint32()) })
	})
	c.run("bfloat16", func(c *checker) {
		roundTrip(c, tensor.BFloat16, func() uint16 { return uint16(c.rng.Uint32()) })
	})
}

// roundTrip checks that Alloc returns zeroed memory and that Write and Read
// at offsets move exactly the elements asked for.
func roundTrip[T int32 | uint8 | uint16 | float32](c *checker, dt tensor.DType, gen func() T) {
	for _, n := range []int{1, 2, 37, 4099} {
		st := c.dev.Alloc(dt, n)
		if st.Len() != n || st.DType() != dt {
			c.t.Fatalf("Alloc(%v, %d) returned %v storage of %d elements", dt, n, st.DType(), st.Len())
		}
		got := make([]T, n)
		if err := c.dev.Read(got, st, 0); err != nil {
			c.t.Fatal(err)
		}
		want := make([]T, n)
		sameElems(c, "fresh allocation", got, want)
		off := c.rng.IntN(n)
		data := make([]T, 1+c.rng.IntN(n-off))
		for i := range data {
			data[i] = gen()
		}
		c.dev.Write(st, off, data)
		copy(want[off:], data)
		if err := c.dev.Read(got, st, 0); err != nil {
			c.t.Fatal(err)
		}
		sameElems(c, fmt.Sprintf("after Write of %d at %d into %d", len(data), off, n), got, want)
		roff := c.rng.IntN(n)
		part := make([]T, c.rng.IntN(n-roff+1))
		if err := c.dev.Read(part, st, roff); err != nil {
			c.t.Fatal(err)
		}
		sameElems(c, fmt.Sprintf("Read of %d at %d", len(part), roff), part, want[roff:roff+len(part)])
		c.dev.Free(st)
	}
}

// testViews checks that tensors made by the tensor package read and write
// their own elements only: views at offsets, slices and clones.
func testViews(c *checker) {
	data := c.uniform(6*5, -1, 1)
	b := c.inout("t", data, 6, 5)
	rows := b.t.Slice(2, 5)
	got := make([]float32, 3*5)
	if err := rows.CopyTo(got); err != nil {
		c.t.Fatal(err)
	}
	c.sameFloats("Slice(2, 5).CopyTo", got, data[10:25])
	repl := c.uniform(3*5, 5, 6)
	rows.Reshape(5, -1).CopyFrom(repl)
	copy(data[10:25], repl)
	c.sameFloats("after CopyFrom into Slice(2, 5)", c.floats(b), data)

	clone := b.t.Clone()
	tensor.Fill(b.t, 0)
	got = make([]float32, len(data))
	if err := clone.CopyTo(got); err != nil {
		c.t.Fatal(err)
	}
	c.sameFloats("Clone after its source was cleared", got, data)
	clone.Free()
}

func testFill(c *checker) {
	for _, shape := range elementShapes {
		c.run(fmt.Sprint(shape), func(c *checker) {
			y := c.out("x", shape...)
			v := float32(c.rng.NormFloat64())
			tensor.Fill(y.t, v)
			want := make([]float32, elems(shape))
			for i := range want {
				want[i] = v
			}
			c.sameFloats("x", c.floats(y), want)
		})
	}
}

func testCopy(c *checker) {
	for _, shape := range elementShapes {
		n := elems(shape)
		c.run(fmt.Sprint("float32", shape), func(c *checker) {
			src := c.uniform(n, -1, 1)
			dst := c.out("dst", shape...)
			tensor.Copy(dst.t, c.in("src", src, shape...))
			c.sameFloats("dst", c.floats(dst), src)
		})
		c.run(fmt.Sprint("int32", shape), func(c *checker) {
			src, garbage := make([]int32, n), make([]int32, n)
			for i := range src {
				src[i], garbage[i] = c.rng.Int32(), c.rng.Int32()
			}
			dst := c.alloc("dst", false, garbage, shape...)
			tensor.Copy(dst.t, c.alloc("src", true, src, shape...).t)
			sameElems(c, "dst", c.ints(dst), src)
		})
		c.run(fmt.Sprint("uint8", shape), func(c *checker) {
			src, garbage := make([]uint8, n), make([]uint8, n)
			for i := range src {
				src[i], garbage[i] = uint8(c.rng.Uint32()), uint8(c.rng.Uint32())
			}
			dst := c.alloc("dst", false, garbage, shape...)
			tensor.Copy(dst.t, c.alloc("src", true, src, shape...).t)
			sameElems(c, "dst", c.read(dst).([]uint8), src)
		})
	}
}

//go:build cuda

package cuda

import (
	"math/bits"
	"testing"
)

// TestPlanReduce checks the layouts Reduce launches, without a GPU: every
// block's threads fit reduceThreads with a power-of-two number of phases,
// the chunks cover the reduced axis with none empty, the passes end soon,
// and no scratch is large.
func TestPlanReduce(t *testing.T) {
	shapes := [][3]int64{
		{1, 0, 1}, {1, 1, 1}, {3, 0, 7}, {1, 3_000_017, 1}, {1, 400_000_000, 1}, {4096, 10, 1}, {1, 100, 7},
		{3, 1000, 333}, {7, 3, 5000}, {1, 200_000, 40}, {1, 1 << 30, 33}, {1 << 20, 2, 1}, {1, 5, 1 << 26},
		{13, 300, 31}, {2, 1 << 24, 2},
	}
	for _, s := range shapes {
		outer, n, inner := s[0], s[1], s[2]
		passes := 0
		for m := n; ; {
			p := planReduce(outer, m, inner)
			passes++
			switch {
			case p.r < 1 || bits.OnesCount(uint(p.r)) != 1 || p.w < 1 || int64(p.w) > inner || p.q < 1 ||
				p.w*p.r*p.q > reduceThreads:
				t.Fatalf("%v, n = %d: layout %+v", s, m, p)
			case m > 0 && (p.chunk*p.splits < m || p.chunk*(p.splits-1) >= m), m == 0 && p.splits != 1:
				t.Fatalf("%v, n = %d: %d chunks of %d", s, m, p.splits, p.chunk)
			case p.blocks != ceilDiv(outer, int64(p.q))*ceilDiv(inner, int64(p.w))*p.splits:
				t.Fatalf("%v, n = %d: %d blocks for %+v", s, m, p.blocks, p)
			case p.splits > 1 && outer*p.splits*inner > 1<<22:
				t.Fatalf("%v, n = %d: scratch of %d elements", s, m, outer*p.splits*inner)
			}
			if p.splits == 1 {
				break
			}
			m = p.splits
		}
		if passes > 3 {
			t.Errorf("%v: %d passes", s, passes)
		}
	}
}

package devicetest

import (
	"math"
	"testing"

	"github.com/tensorforge/tensorforge/tensor"
)

// Floats returns the elements of a Float32 tensor, failing t on a device
// error: for device packages' own tests, which compare whole outputs.
func Floats(t testing.TB, x *tensor.Tensor) []float32 {
	t.Helper()
	v, err := x.Float32s()
	if err != nil {
		t.Fatal(err)
	}
	return v
}

// RelErr returns ||got - want|| / ||want|| in float64, or ||got - want||
// where want is all zero; +Inf where the lengths differ or an element of
// either is NaN, so that a check written !(RelErr(got, want) <= tol)
// fails on all of these.
func RelErr(got, want []float32) float64 {
	if len(got) != len(want) {
		return math.Inf(1)
	}
	var diff, norm float64
	for i, w := range want {
		d := float64(got[i]) - float64(w)
		if math.IsNaN(d) {
			return math.Inf(1)
		}
		diff += d * d
		norm += float64(w) * float64(w)
	}
	if norm == 0 {
		return math.Sqrt(diff)
	}
	return math.Sqrt(diff / norm)
}

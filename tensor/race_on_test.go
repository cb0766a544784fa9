//go:build race

package tensor_test

// raceEnabled reports a -race build, whose sync.Pool drops items on purpose
// and so makes allocation counts meaningless.
const raceEnabled = true

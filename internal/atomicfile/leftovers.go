package atomicfile

import (
	"os"
	"path/filepath"
	"strings"
)

// tempSuffix ends the name of every temporary file Write makes.
const tempSuffix = ".tmp"

// tempPrefix begins the names of the temporary files for dest: hidden, and
// named for the file they become.
func tempPrefix(dest string) string {
	return "." + filepath.Base(dest) + "."
}

// removeLeftovers removes the temporary files that earlier Writes of dest
// left behind. A save killed midway (kill -9, the machine going down)
// never reaches the code that removes its temporary file, and each would
// otherwise stay, as large as a checkpoint, for good. Only regular files
// named as os.CreateTemp names Write's temporaries, the prefix, a decimal
// number and the suffix, are removed. It is best effort: a directory that
// cannot be listed fails the Write anyway, with a clearer error.
func removeLeftovers(dest string) {
	dir := filepath.Dir(dest)
	entries, err := os.ReadDir(dir)
	if err != nil {
		return
	}
	prefix := tempPrefix(dest)
	for _, e := range entries {
		rest, ok := strings.CutPrefix(e.Name(), prefix)
		number, ok2 := strings.CutSuffix(rest, tempSuffix)
		if ok && ok2 && isDecimal(number) && e.Type().IsRegular() {
			os.Remove(filepath.Join(dir, e.Name()))
		}
	}
}

// isDecimal reports whether s is a non-empty string of decimal digits.
func isDecimal(s string) bool {
	for _, c := range s {
		if c < '0' || c > '9' {
			return false
		}
	}
	return s != ""
}

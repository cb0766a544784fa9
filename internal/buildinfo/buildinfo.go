// Package buildinfo says which source a binary was built from, for the
// records that runs leave behind (bench reports, training logs).
package buildinfo

import "runtime/debug"

// Commit returns the VCS revision the binary was built from, with
// "-dirty" when the tree had uncommitted changes, or else its module
// version; "" when the build recorded neither (go test binaries do not).
func Commit() string {
	info, ok := debug.ReadBuildInfo()
	if !ok {
		return ""
	}
	var rev, dirty string
	for _, s := range info.Settings {
		switch {
		case s.Key == "vcs.revision":
			rev = s.Value
		case s.Key == "vcs.modified" && s.Value == "true":
			dirty = "-dirty"
		}
	}
	if rev != "" {
		return rev + dirty
	}
	if v := info.Main.Version; v != "" && v != "(devel)" {
		return v
	}
	return ""
}

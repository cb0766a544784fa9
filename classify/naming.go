package classify

import (
	"fmt"
	"strconv"

	"github.com/tensorforge/tensorforge/nn"
)

// A Naming is how another module tree holding the same layers names a
// network's tensors in its state_dict: a network built here as one flat
// list of layers, say, under the names the book's nested PyTorch modules
// give it. A Naming is only read, so goroutines may share one.
type Naming struct {
	// Name is what options and messages call the naming, such as "d2l".
	Name string
	// Prefix is put before every renamed tensor; as with Config.Prefix, a
	// file may hold the names with it or without it (the state_dict of a
	// model, or of the module holding its layers).
	Prefix string
	// Modules maps module paths of the network ("4.body.0") to the other
	// tree's ("b2.0.conv1"). A tensor's name is its module's path, a dot
	// and the tensor's own name ("weight"); the longest path that begins
	// a name is replaced. Nil keeps the network's paths.
	Modules map[string]string
}

// namings returns the network's own naming (Name "", Prefix the
// Config's), then c.Namings.
func (c Config) namings() []Naming {
	return append([]Naming{{Prefix: c.Prefix}}, c.Namings...)
}

// rename returns the naming's name, without Prefix, of the network's
// tensor called name (without Config.Prefix); ok is false if no path of
// Modules begins name.
func (n Naming) rename(name string) (to string, ok bool) {
	if n.Modules == nil {
		return name, true
	}
	// A path ends at a dot: try the longest first.
	for i := len(name) - 1; i > 0; i-- {
		if name[i] != '.' {
			continue
		}
		if p, found := n.Modules[name[:i]]; found {
			return p + name[i:], true
		}
	}
	return "", false
}

// check reports a naming that leaves one of names (the network's, without
// Config.Prefix) unnamed or gives two of them the same name: a naming made
// for another network.
func (n Naming) check(names []string) error {
	seen := map[string]string{}
	for _, name := range names {
		to, ok := n.rename(name)
		if !ok {
			return fmt.Errorf("classify: naming %q does not name tensor %q", n.Name, name)
		}
		if other, dup := seen[to]; dup {
			return fmt.Errorf("classify: naming %q names tensors %q and %q both %q", n.Name, other, name, to)
		}
		seen[to] = name
	}
	return nil
}

// NestedPaths returns Naming.Modules for a network built as one flat list
// from the entries of a nested nn.Sequential, each entry given as its
// layers: layer j of an entry i of several layers (an nn.Sequential of
// its own) is "i.j" in the nested tree, the layer of an entry of one "i".
func NestedPaths(entries [][]nn.Layer) map[string]string {
	paths := map[string]string{}
	flat := 0
	for i, entry := range entries {
		for j := range entry {
			if len(entry) == 1 {
				paths[strconv.Itoa(flat)] = strconv.Itoa(i)
			} else {
				paths[strconv.Itoa(flat)] = strconv.Itoa(i) + "." + strconv.Itoa(j)
			}
			flat++
		}
	}
	return paths
}

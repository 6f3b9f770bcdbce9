// Package version reports the placecell version recorded in every output.
package version

import "runtime/debug"

// Version is the release of this source tree.
const Version = "0.1.0-dev"

// String returns Version followed by the VCS revision when the binary was
// built from a git checkout with VCS stamping enabled, e.g.
// "0.1.0-dev (a1b2c3d4e5f6)", or "0.1.0-dev (a1b2c3d4e5f6+dirty)".
func String() string {
	info, ok := debug.ReadBuildInfo()
	if !ok {
		return Version
	}
	var rev string
	var dirty bool
	for _, s := range info.Settings {
		switch s.Key {
		case "vcs.revision":
			rev = s.Value
		case "vcs.modified":
			dirty = s.Value == "true"
		}
	}
	if rev == "" {
		return Version
	}
	if len(rev) > 12 {
		rev = rev[:12]
	}
	if dirty {
		rev += "+dirty"
	}
	return Version + " (" + rev + ")"
}

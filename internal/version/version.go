package version

import (
	"crypto/sha256"
	"encoding/hex"
	"io"
	"os"
	"runtime/debug"
	"sync"
)

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

var (
	buildOnce sync.Once
	buildID   string
)

// Build returns an identifier of the running code that changes whenever
// the code does, even without VCS stamping (as under go run): the first 12
// hexadecimal digits of the SHA-256 of the executable, or "unknown" if it
// cannot be read. Saved runs are keyed by it, so that a changed program
// never reuses results computed by another one.
func Build() string {
	buildOnce.Do(func() {
		buildID = "unknown"
		path, err := os.Executable()
		if err != nil {
			return
		}
		f, err := os.Open(path)
		if err != nil {
			return
		}
		defer f.Close()
		h := sha256.New()
		if _, err := io.Copy(h, f); err != nil {
			return
		}
		buildID = hex.EncodeToString(h.Sum(nil))[:12]
	})
	return buildID
}

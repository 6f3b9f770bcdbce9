package main

import (
	"path/filepath"
	"strings"
	"testing"
)

// TestDataFileModelHint checks that reading XY data written by sample
// without --model xy names the flags that read it (from the sidecar), and
// that with them the file is read.
func TestDataFileModelHint(t *testing.T) {
	t.Parallel()
	path := filepath.Join(t.TempDir(), "xy.npy")
	if code, _, errOut := runCLI(t, "sample", "--model", "xy", "--p", "6", "--n", "12", "--samples", "50", "--out", path); code != 0 {
		t.Fatalf("sample: exit %d: %s", code, errOut)
	}
	for _, cmd := range []string{"spectrum", "train"} {
		code, _, errOut := runCLI(t, cmd, path)
		if code != 1 || !strings.Contains(errOut, "add --model xy --p 6") || strings.Count(strings.TrimSpace(errOut), "\n") > 0 {
			t.Errorf("%s without --model: exit %d, error %q; want one line naming --model xy --p 6", cmd, code, errOut)
		}
	}
	if code, out, errOut := runCLI(t, "spectrum", "--model", "xy", "--p", "6", "--top", "2", path); code != 0 || !strings.Contains(out, "S = 50") {
		t.Errorf("spectrum --model xy --p 6: exit %d, %s %s", code, out, errOut)
	}
}

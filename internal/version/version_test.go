package version

import (
	"regexp"
	"testing"
)

func TestBuildIsStableHex(t *testing.T) {
	a, b := Build(), Build()
	if a != b {
		t.Errorf("Build() = %q then %q", a, b)
	}
	if !regexp.MustCompile(`^[0-9a-f]{12}$`).MatchString(a) {
		t.Errorf("Build() = %q, want 12 hexadecimal digits", a)
	}
	if s := String(); len(s) < len(Version) || s[:len(Version)] != Version {
		t.Errorf("String() = %q, want it to start with %q", s, Version)
	}
}

package rng

import "testing"

func TestStreamsDifferAndRepeat(t *testing.T) {
	t.Parallel()
	first := func(seed uint64, name string, idx uint64) [4]uint64 {
		r := New(seed, name, idx)
		return [4]uint64{r.Uint64(), r.Uint64(), r.Uint64(), r.Uint64()}
	}
	base := first(1, "chain", 0)
	if got := first(1, "chain", 0); got != base {
		t.Fatalf("same stream gave %v then %v", base, got)
	}
	seen := map[[4]uint64]string{base: "seed 1 chain 0"}
	for _, c := range []struct {
		seed uint64
		name string
		idx  uint64
	}{
		{2, "chain", 0}, {1, "chain", 1}, {1, "data", 0}, {0, "chain", 0},
		{1, "chain", 2}, {1, "init", 0},
	} {
		got := first(c.seed, c.name, c.idx)
		if prev, ok := seen[got]; ok {
			t.Errorf("stream %v repeats %s", c, prev)
		}
		seen[got] = "other"
	}
}

// TestUniformMean checks that a derived stream is not degenerate: the mean
// of 1e5 uniforms lies within 5 standard errors (sd 1/sqrt(12e5)) of 1/2.
func TestUniformMean(t *testing.T) {
	t.Parallel()
	r := New(42, "check", 7)
	const n = 100000
	var s float64
	for i := 0; i < n; i++ {
		s += r.Float64()
	}
	mean := s / n
	if se := 1 / 1095.445; mean < 0.5-5*se || mean > 0.5+5*se {
		t.Errorf("mean of %d uniforms = %v, want 0.5 within %v", n, mean, 5*se)
	}
}

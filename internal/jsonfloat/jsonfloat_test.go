package jsonfloat

import (
	"encoding/json"
	"math"
	"testing"
)

// TestRoundTrip checks what each type writes for finite and non-finite
// values and that it reads back the same float64 bits (NaN as NaN).
func TestRoundTrip(t *testing.T) {
	t.Parallel()
	for _, c := range []struct {
		x          float64
		null, exac string
	}{
		{0.1, "0.1", "0.1"},
		{-2.5e-300, "-2.5e-300", "-2.5e-300"},
		{math.MaxFloat64, "1.7976931348623157e+308", "1.7976931348623157e+308"},
		{math.SmallestNonzeroFloat64, "5e-324", "5e-324"},
		{math.NaN(), "null", "null"},
		{math.Inf(1), "null", `"+Inf"`},
		{math.Inf(-1), "null", `"-Inf"`},
	} {
		b, err := json.Marshal(Null(c.x))
		if err != nil || string(b) != c.null {
			t.Errorf("Marshal(Null(%g)) = %s, %v, want %s", c.x, b, err, c.null)
		}
		var n Null
		if err := json.Unmarshal(b, &n); err != nil {
			t.Fatal(err)
		}
		if want := c.x; !math.IsInf(want, 0) && math.Float64bits(float64(n)) != math.Float64bits(want) && !(math.IsNaN(want) && math.IsNaN(float64(n))) {
			t.Errorf("Null round trip of %g = %g", c.x, float64(n))
		}
		if math.IsInf(c.x, 0) && !math.IsNaN(float64(n)) {
			t.Errorf("Null: null read as %g, want NaN", float64(n))
		}

		b, err = json.Marshal(Exact(c.x))
		if err != nil || string(b) != c.exac {
			t.Errorf("Marshal(Exact(%g)) = %s, %v, want %s", c.x, b, err, c.exac)
		}
		var e Exact
		if err := json.Unmarshal(b, &e); err != nil {
			t.Fatal(err)
		}
		if got := float64(e); !(got == c.x || math.IsNaN(got) && math.IsNaN(c.x)) {
			t.Errorf("Exact round trip of %g = %g", c.x, got)
		}
	}
	if err := json.Unmarshal([]byte(`"Inf"`), new(Exact)); err == nil {
		t.Error(`Exact accepted "Inf"`)
	}
	if got := Float64s(Slice[Null]([]float64{1, 2})); len(got) != 2 || got[0] != 1 || got[1] != 2 {
		t.Errorf("Float64s(Slice) = %v", got)
	}
	if Slice[Exact](nil) != nil || Float64s[Exact](nil) != nil {
		t.Error("nil slices not kept nil")
	}
}

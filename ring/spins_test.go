package ring

import (
	"math/rand/v2"
	"testing"
)

func TestSpinsRoundTrip(t *testing.T) {
	t.Parallel()
	for _, n := range []int{1, 63, 64, 65, 100, 130} {
		r := rand.New(rand.NewPCG(1, uint64(n)))
		const s = 7
		d := NewSpins(n, s)
		want := make([][]int8, s)
		for k := range want {
			want[k] = make([]int8, n)
			for i := range want[k] {
				want[k][i] = int8(2*r.IntN(2) - 1)
			}
			d.SetRow(k, want[k])
		}
		for k := range want {
			got := d.RowInt8(k, nil)
			f := d.Row(k, nil)
			for i := range got {
				if got[i] != want[k][i] || d.At(k, i) != want[k][i] || f[i] != float64(want[k][i]) {
					t.Fatalf("n=%d: spin (%d,%d) = %d, want %d", n, k, i, got[i], want[k][i])
				}
			}
			// Bits beyond N stay zero, so popcounts over whole words are exact.
			last := d.Packed(k)[d.Stride()-1]
			if rem := n % 64; rem != 0 && last>>uint(rem) != 0 {
				t.Errorf("n=%d: padding bits set in row %d", n, k)
			}
		}
		d.Set(3, n-1, -want[3][n-1])
		if d.At(3, n-1) != -want[3][n-1] {
			t.Errorf("n=%d: Set did not flip the last spin", n)
		}
		sub := d.Slice(2, 5)
		if sub.Len() != 3 || sub.At(0, 0) != d.At(2, 0) {
			t.Errorf("n=%d: Slice(2,5) wrong", n)
		}
	}
}

// TestSpinsFootprint checks the memory bound: S = 10⁶ configurations
// of N = 100 must fit well under 200 MB. Two words per configuration give
// exactly 16 MB.
func TestSpinsFootprint(t *testing.T) {
	t.Parallel()
	d := NewSpins(100, 1000)
	if got, want := d.Bytes()*1000, 16_000_000; got != want {
		t.Errorf("footprint of 10⁶×100 = %d bytes, want %d", got, want)
	}
}

func TestSpinsPanics(t *testing.T) {
	t.Parallel()
	d := NewSpins(4, 2)
	for name, f := range map[string]func(){
		"bad value": func() { d.Set(0, 0, 0) },
		"bad index": func() { d.At(2, 0) },
		"bad row":   func() { d.SetRow(0, []int8{1, 1}) },
		"bad size":  func() { NewSpins(0, 1) },
	} {
		func() {
			defer func() {
				if recover() == nil {
					t.Errorf("%s: no panic", name)
				}
			}()
			f()
		}()
	}
}

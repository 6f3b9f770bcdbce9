package ring

import (
	"math"
	"reflect"
	"testing"
)

// TestHeatBather checks that the HeatBather methods give the samplers and
// defaults of NewHeatBath and NewXYHeatBath (THEORY.md §2.4: 10τ_M and
// 5τ_M, τ_M = (1 + e^(4β))/2, +Inf at β = 200; §2.9: 1000 and 300).
func TestHeatBather(t *testing.T) {
	t.Parallel()
	is := Ising{N: 12, Beta: 0.5}
	burn, spacing, _ := is.DefaultHeatBath()
	tau := (1 + math.Exp(2)) / 2
	if want := NewHeatBath(is); burn != float64(want.BurnIn) || spacing != float64(want.Spacing) ||
		burn != math.Ceil(10*tau) || spacing != math.Ceil(5*tau) {
		t.Errorf("Ising DefaultHeatBath = %v, %v, want %v, %v", burn, spacing, math.Ceil(10*tau), math.Ceil(5*tau))
	}
	if got, want := is.HeatBathSampler(7, 3, true), (HeatBath{Model: is, BurnIn: 7, Spacing: 3, Sequential: true}); !reflect.DeepEqual(got, want) {
		t.Errorf("Ising HeatBathSampler = %+v, want %+v", got, want)
	}
	if b, s, _ := (Ising{N: 12, Beta: 200}).DefaultHeatBath(); !math.IsInf(b, 1) || !math.IsInf(s, 1) {
		t.Errorf("Ising β = 200: DefaultHeatBath = %v, %v, want +Inf", b, s)
	}
	xy := XY{N: 12, P: 5, Beta: 1}
	burn, spacing, _ = xy.DefaultHeatBath()
	if want := NewXYHeatBath(xy); burn != float64(want.BurnIn) || spacing != float64(want.Spacing) {
		t.Errorf("XY DefaultHeatBath = %v, %v, want %d, %d", burn, spacing, want.BurnIn, want.Spacing)
	}
	if got, want := xy.HeatBathSampler(7, 3, false), (XYHeatBath{Model: xy, BurnIn: 7, Spacing: 3}); !reflect.DeepEqual(got, want) {
		t.Errorf("XY HeatBathSampler = %+v, want %+v", got, want)
	}
}

package ring

import (
	"encoding/json"
	"math"
	"strings"
	"testing"
)

// TestNewModel checks the registry: defaults, overrides, and the errors
// for an unknown model, an unknown parameter, a fractional N and an
// invalid model.
func TestNewModel(t *testing.T) {
	t.Parallel()
	for i, c := range []struct {
		name   string
		params map[string]float64
		want   Model
	}{
		{"ising", nil, Ising{N: 100, Beta: 0.5}},
		{"ising", map[string]float64{"n": 20, "beta": 1}, Ising{N: 20, Beta: 1}},
		{"xy", nil, XY{N: 100, P: 10, Beta: 1.5}},
		{"xy", map[string]float64{"p": 4}, XY{N: 100, P: 4, Beta: 1.5}},
		{"bump", map[string]float64{"eta": 1, "n": 10}, Bump{N: 10, Eta: 1}},
	} {
		m, err := NewModel(c.name, c.params)
		if err != nil || m != c.want {
			t.Errorf("case %d: NewModel(%s, %v) = %+v, %v, want %+v", i, c.name, c.params, m, err, c.want)
		}
	}
	for i, c := range []struct {
		name   string
		params map[string]float64
		want   string
	}{
		{"potts", nil, `unknown model "potts" (want one of ising, xy, bump, curieweiss)`},
		{"ising", map[string]float64{"p": 3}, `model ising has no parameter "p" (it has n, beta)`},
		{"xy", map[string]float64{"n": 10.5}, "n = 10.5 must be an integer"},
		{"xy", map[string]float64{"p": 1}, "2 ≤ P"},
		{"bump", map[string]float64{"n": 5, "eta": 2}, "longer ring"},
	} {
		if _, err := NewModel(c.name, c.params); err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("case %d: error %v, want one containing %q", i, err, c.want)
		}
	}
	var names []string
	for _, s := range Models() {
		names = append(names, s.Name)
		if s.Usage == "" || len(s.Defaults) == 0 || s.Defaults[0].Name != "n" {
			t.Errorf("model %s: usage %q, defaults %v (want n first)", s.Name, s.Usage, s.Defaults)
		}
	}
	if strings.Join(names, ",") != "ising,xy,bump,curieweiss" {
		t.Errorf("Models() = %v", names)
	}
	if !panics(func() { RegisterModel(ModelSpec{Name: "ising"}) }) {
		t.Error("registering ising twice did not panic")
	}
}

// TestModelInterface checks each model's interface methods against each
// other: Params agree with Label, Kernel has N·F² entries, is symmetric
// (C_{N−d}(b, a) = C_d(a, b)) and has the encoding's variance on the
// diagonal (1 for the Pearson and ±1 cases, φ(1−φ) for the bump's
// covariance), and NewData has the model's shape.
func TestModelInterface(t *testing.T) {
	t.Parallel()
	for _, m := range []Model{Ising{N: 9, Beta: 0.7}, XY{N: 7, P: 5, Beta: 1.5}, Bump{N: 11, Eta: 2}, CurieWeiss{N: 8, BetaJ: 0.5}} {
		e := m.Encoding()
		f := e.Features
		if len(e.Values) != m.States()*f || len(e.Mean) != f || len(e.SD) != f {
			t.Errorf("%s: encoding %+v has the wrong shape", Label(m), e)
		}
		k := m.Kernel(nil)
		n := m.Sites()
		if len(k) != n*f*f {
			t.Fatalf("%s: Kernel has %d entries, want %d", Label(m), len(k), n*f*f)
		}
		for d := range n {
			for a := range f {
				for b := range f {
					x, y := k[d*f*f+a*f+b], k[((n-d)%n)*f*f+b*f+a]
					if math.Abs(x-y) > 1e-15 {
						t.Errorf("%s: C_%d(%d,%d) = %v ≠ C_%d(%d,%d) = %v", Label(m), d, a, b, x, (n-d)%n, b, a, y)
					}
				}
			}
		}
		for a := range f {
			want := 1.0
			if e.Normalisation == Covariance {
				want = e.SD[a] * e.SD[a]
			}
			if got := k[a*f+a]; math.Abs(got-want) > 1e-15 {
				t.Errorf("%s: C_0(%d,%d) = %v, want %v", Label(m), a, a, got, want)
			}
		}
		d := m.NewData(3)
		if d.Len() != 3 || d.Sites() != n || d.States() != m.States() || m.NewSampler().Sites() != n {
			t.Errorf("%s: NewData gave %d×%d with %d states", Label(m), d.Len(), d.Sites(), d.States())
		}
		if !panics(func() { m.Kernel(make([]float64, 1)) }) {
			t.Errorf("%s: Kernel with a short dst did not panic", Label(m))
		}
	}
}

func TestNormalisationText(t *testing.T) {
	t.Parallel()
	for _, n := range []Normalisation{SecondMoment, Covariance, Pearson} {
		b, _ := json.Marshal(n)
		var got Normalisation
		if err := json.Unmarshal(b, &got); err != nil || got != n {
			t.Errorf("%v: round trip through %s gave %v, %v", n, b, got, err)
		}
	}
	var n Normalisation
	if err := n.UnmarshalText([]byte("raw")); err == nil {
		t.Error("UnmarshalText(raw) returned no error")
	}
	if Normalisation(9).String() != "Normalisation(9)" {
		t.Errorf("String = %q", Normalisation(9).String())
	}
}

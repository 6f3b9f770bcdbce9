package ring

import (
	"fmt"
	"math"
	"math/rand/v2"
	"runtime"
	"slices"
	"testing"
)

// condXY returns P(u_j = b | u_{j−1} = a) at closure distance n as stored
// in the sampler's thresholds.
func (e *XYExact) condXY(n, a, b int) float64 {
	k := min(n, e.cut) - 1
	t := e.thr[(k*e.p+a)*(e.p-1) : (k*e.p+a+1)*(e.p-1)]
	lo, hi := 0.0, 1.0
	if b > 0 {
		lo = float64(t[b-1]) / (1 << 64)
	}
	if b < e.p-1 {
		hi = float64(t[b]) / (1 << 64)
	}
	return hi - lo
}

// TestXYExactTables checks the sampler's tables against the exact law:
// 1/P for v_0 times the product of the tabulated conditionals of the
// rotated states u_j = v_j − v_0 must reproduce each probability obtained
// by enumeration (bruteXY), up to the 2^(−53) absolute rounding of the
// cumulative thresholds per factor.
func TestXYExactTables(t *testing.T) {
	t.Parallel()
	for _, m := range []XY{
		{N: 4, P: 3, Beta: 0.8}, {N: 5, P: 4, Beta: 1.5}, {N: 3, P: 5, Beta: 2.5},
		{N: 6, P: 2, Beta: 0.7}, {N: 2, P: 6, Beta: 1}, {N: 4, P: 3, Beta: 0}, {N: 3, P: 4, Beta: 12},
	} {
		e := NewXYExact(m)
		_, prob, _ := bruteXY(m)
		v := make([]int, m.N)
		for c, want := range prob {
			x := c
			for i := range v {
				v[i] = x % m.P
				x /= m.P
			}
			got := 1 / float64(m.P)
			prev := 0
			for j := 1; j < m.N; j++ {
				u := ((v[j]-v[0])%m.P + m.P) % m.P
				got *= e.condXY(m.N-j, prev, u)
				prev = u
			}
			if math.Abs(got-want) > 1e-13*want+float64(m.N)*0x1p-52 {
				t.Errorf("%+v: P(config %v) = %.17g, want %.17g (enumeration)", m, v, got, want)
			}
		}
	}
}

// TestXYExactCut checks that the tables stop growing once R_n is uniform
// to 2^(−50) (after about 50 ln 2/|ln ρ_1| ≈ 67 bonds at the paper's
// β = 1.5), so that a long ring needs no table per site, and that the
// whole ring is tabulated when it is short.
func TestXYExactCut(t *testing.T) {
	t.Parallel()
	if e := NewXYExact(XY{N: 100000, P: 10, Beta: 1.5}); e.cut > 80 || e.cut < 55 {
		t.Errorf("N = 10⁵: cut = %d, want about 67", e.cut)
	}
	if e := NewXYExact(XY{N: 30, P: 10, Beta: 1.5}); e.cut != 29 {
		t.Errorf("N = 30: cut = %d, want N−1 = 29", e.cut)
	}
	if e := NewXYExact(XY{N: 30, P: 10, Beta: 0}); e.cut != 1 {
		t.Errorf("β = 0: cut = %d, want 1 (uniform at once)", e.cut)
	}
}

// TestXYExactChiSquare compares draws with the enumerated law of the
// 3⁴ = 81 configurations of (N, P) = (4, 3): X² has 80 degrees of freedom
// (mean 80, sd √160), the limit is mean + 5 sd.
func TestXYExactChiSquare(t *testing.T) {
	t.Parallel()
	for _, smp := range []struct {
		name string
		s    DataSampler
	}{
		{"exact", NewXYExact(XY{N: 4, P: 3, Beta: 0.8})},
		{"heat bath", XYHeatBath{Model: XY{N: 4, P: 3, Beta: 0.8}, BurnIn: 100, Spacing: 20}},
		{"heat bath sequential", XYHeatBath{Model: XY{N: 4, P: 3, Beta: 0.8}, BurnIn: 100, Spacing: 20, Sequential: true}},
	} {
		const count = 60000
		m := XY{N: 4, P: 3, Beta: 0.8}
		_, prob, _ := bruteXY(m)
		d := GenerateData(smp.s, NewPotts(m.N, count, m.P), 5).(*Potts)
		obs := make([]float64, len(prob))
		for s := range count {
			c := 0
			for i := m.N - 1; i >= 0; i-- {
				c = c*m.P + d.State(s, i)
			}
			obs[c]++
		}
		var x2 float64
		for c, p := range prob {
			x2 += (obs[c] - count*p) * (obs[c] - count*p) / (count * p)
		}
		if limit := 80 + 5*math.Sqrt(160); x2 > limit {
			t.Errorf("%s: X² = %.1f over 80 degrees of freedom, want < %.1f", smp.name, x2, limit)
		}
	}
}

// TestXYSampledCorrelations checks the joint frequencies
// P(v_i = a, v_{i+d} = b) at several sites i, and at d and N−d (which
// tests the closure), against §2.7, at the paper's β = 1.5 and P = 10 on
// rings of 30 sites (closure term ρ_1^15 ≈ 4·10⁻⁴) and 200 sites (beyond
// the table cut). Each frequency has standard error √(p(1−p)/S); the
// test allows 5 of them. The heat bath gets a spacing of 50 sweeps and an
// error inflated by 2 for its residual autocorrelation.
func TestXYSampledCorrelations(t *testing.T) {
	t.Parallel()
	for _, c := range []struct {
		name    string
		m       XY
		smp     DataSampler
		count   int
		inflate float64
	}{
		{"exact N=30", XY{N: 30, P: 10, Beta: 1.5}, NewXYExact(XY{N: 30, P: 10, Beta: 1.5}), 40000, 1},
		{"exact N=200", XY{N: 200, P: 10, Beta: 1.5}, NewXYExact(XY{N: 200, P: 10, Beta: 1.5}), 20000, 1},
		{"exact N=12 P=3", XY{N: 12, P: 3, Beta: 0.5}, NewXYExact(XY{N: 12, P: 3, Beta: 0.5}), 40000, 1},
		{"heat bath N=20", XY{N: 20, P: 10, Beta: 1.5}, XYHeatBath{Model: XY{N: 20, P: 10, Beta: 1.5}, BurnIn: 200, Spacing: 50}, 8000, 2},
	} {
		d := GenerateData(c.smp, NewPotts(c.m.N, c.count, c.m.P), 9).(*Potts)
		n, p := c.m.N, c.m.P
		for _, i := range []int{0, 1, n / 2, n - 1} {
			for _, dist := range []int{1, 2, 5, n / 2, n - 2, n - 1} {
				j := (i + dist) % n
				freq := make([]float64, p*p)
				for s := range c.count {
					freq[d.State(s, i)*p+d.State(s, j)]++
				}
				for a := range p {
					for b := range p {
						want := (c.m.Pearson(dist, a, b)*float64(p-1) + 1) / float64(p*p)
						got := freq[a*p+b] / float64(c.count)
						se := math.Sqrt(c.inflate * want * (1 - want) / float64(c.count))
						if math.Abs(got-want) > 5*se+1e-12 {
							t.Errorf("%s: P(v_%d=%d, v_%d=%d) = %.4f, want %.4f ± 5×%.4f", c.name, i, a, j, b, got, want, se)
						}
					}
				}
			}
		}
	}
}

// TestSampleDeterministic checks that Sample depends on the seed only, not
// on GOMAXPROCS, for the XY and bump models, and that an XY data set uses
// every state. It changes GOMAXPROCS and so does not run in parallel.
func TestSampleDeterministic(t *testing.T) {
	prev := runtime.GOMAXPROCS(0)
	defer runtime.GOMAXPROCS(prev)
	const count = 2*BlockSize + 5
	for _, m := range []Model{XY{N: 40, P: 10, Beta: 1.5}, Bump{N: 30, Eta: 3}, Ising{N: 70, Beta: 1}} {
		runtime.GOMAXPROCS(1)
		one := Sample(m, count, 3)
		runtime.GOMAXPROCS(4)
		four := Sample(m, count, 3)
		other := Sample(m, count, 4)
		runtime.GOMAXPROCS(prev)
		if one.Len() != count || one.Sites() != m.Sites() || one.States() != m.States() {
			t.Fatalf("%s: Sample gave %d×%d with %d states", Label(m), one.Len(), one.Sites(), one.States())
		}
		same := func(a, b Data) bool {
			for s := range a.Len() {
				for i := range a.Sites() {
					if a.State(s, i) != b.State(s, i) {
						return false
					}
				}
			}
			return true
		}
		if !same(one, four) {
			t.Errorf("%s: Sample differs between GOMAXPROCS 1 and 4", Label(m))
		}
		if same(four, other) {
			t.Errorf("%s: Sample is the same for seeds 3 and 4", Label(m))
		}
	}
	seen := make([]bool, 10)
	d := Sample(XY{N: 40, P: 10, Beta: 1.5}, 100, 1)
	for s := range d.Len() {
		for i := range d.Sites() {
			seen[d.State(s, i)] = true
		}
	}
	if slices.Contains(seen, false) {
		t.Errorf("XY sample does not visit every state: %v", seen)
	}
}

func TestXYSamplerPanics(t *testing.T) {
	t.Parallel()
	m := XY{N: 5, P: 3, Beta: 1}
	rnd := rand.New(rand.NewPCG(1, 2))
	for name, f := range map[string]func(){
		"invalid model":  func() { NewXYExact(XY{N: 1, P: 3, Beta: 1}) },
		"spins given":    func() { NewXYExact(m).Draw(NewSpins(5, 3), 0, 3, rnd) },
		"wrong P":        func() { NewXYExact(m).Draw(NewPotts(5, 3, 4), 0, 3, rnd) },
		"wrong N":        func() { NewXYExact(m).Draw(NewPotts(6, 3, 3), 0, 3, rnd) },
		"range":          func() { NewXYExact(m).Draw(NewPotts(5, 3, 3), 1, 4, rnd) },
		"heat spacing 0": func() { XYHeatBath{Model: m, BurnIn: 1}.Draw(NewPotts(5, 3, 3), 0, 3, rnd) },
		"bump on potts":  func() { Bump{N: 5, Eta: 1}.NewSampler().Draw(NewPotts(5, 3, 3), 0, 3, rnd) },
		"ising on potts": func() { NewExact(Ising{N: 5, Beta: 1}).Draw(NewPotts(5, 3, 3), 0, 3, rnd) },
	} {
		if !panics(f) {
			t.Errorf("%s: no panic", name)
		}
	}
	if h := NewXYHeatBath(m); h.BurnIn != 1000 || h.Spacing != 300 {
		t.Errorf("NewXYHeatBath defaults = %d, %d, want 1000, 300", h.BurnIn, h.Spacing)
	}
}

func panics(f func()) (ok bool) {
	defer func() { ok = recover() != nil }()
	f()
	return false
}

func BenchmarkSampleXY(b *testing.B) {
	for _, m := range []XY{{N: 100, P: 10, Beta: 1.5}, {N: 1000, P: 10, Beta: 1.5}} {
		d := NewPotts(m.N, 1000, m.P)
		rnd := rand.New(rand.NewPCG(1, 2))
		b.Run(fmt.Sprintf("exact/N=%d/P=%d", m.N, m.P), func(b *testing.B) {
			e := NewXYExact(m)
			for b.Loop() {
				e.Draw(d, 0, d.Len(), rnd)
			}
			b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N*d.Len()*m.N), "ns/site")
		})
	}
}

package compare

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"image/png"
	"math"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
)

func TestRunJobs(t *testing.T) {
	t.Parallel()
	var ran [50]atomic.Int32
	var calls []int
	var mu sync.Mutex
	err := runJobs(context.Background(), len(ran), 3, func(_ context.Context, i int) error {
		ran[i].Add(1)
		return nil
	}, func(done, total int) {
		mu.Lock()
		calls = append(calls, done)
		mu.Unlock()
	})
	if err != nil {
		t.Fatal(err)
	}
	for i := range ran {
		if n := ran[i].Load(); n != 1 {
			t.Errorf("job %d ran %d times, want 1", i, n)
		}
	}
	if len(calls) != len(ran) || calls[len(calls)-1] != len(ran) {
		t.Errorf("progress calls = %v, want 1..%d", calls, len(ran))
	}

	boom := errors.New("boom")
	var after atomic.Int32
	err = runJobs(context.Background(), 100, 1, func(_ context.Context, i int) error {
		if i == 3 {
			return boom
		}
		if i > 3 {
			after.Add(1)
		}
		return nil
	}, nil)
	if !errors.Is(err, boom) || after.Load() != 0 {
		t.Errorf("runJobs error = %v, %d jobs after the failure; want boom and none", err, after.Load())
	}
}

// countingStore wraps a DirStore and counts loads that hit and saves.
type countingStore struct {
	DirStore
	hits, saves atomic.Int32
}

func (s *countingStore) Load(key string, v any) (bool, error) {
	ok, err := s.DirStore.Load(key, v)
	if ok {
		s.hits.Add(1)
	}
	return ok, err
}

func (s *countingStore) Save(key string, v any) error {
	s.saves.Add(1)
	return s.DirStore.Save(key, v)
}

func tinyRetarded(seed uint64) RetardedConfig {
	return RetardedConfig{
		N: 10, Beta: 0.8, Ratios: []float64{0.01, 1}, Runs: 2, Seed: seed,
		Epochs:   3,
		Training: Training{Nu: 0.05, Chains: 20, Sweeps: 2},
	}
}

// TestRetardedDeterministicAndResumable checks that a run does not depend
// on the number of workers, that a second invocation with a store reuses
// every saved run and returns the same result, and that another seed
// changes the result.
func TestRetardedDeterministicAndResumable(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	cfg := tinyRetarded(4)
	cfg.Workers = 1
	a, err := RetardedLearning(ctx, cfg)
	if err != nil {
		t.Fatal(err)
	}
	store := &countingStore{DirStore: DirStore(t.TempDir())}
	cfg.Workers, cfg.Store = 3, store
	b, err := RetardedLearning(ctx, cfg)
	if err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(a.Runs, b.Runs) {
		t.Errorf("runs differ between 1 and 3 workers:\n%+v\n%+v", a.Runs, b.Runs)
	}
	// 2 ratios × 2 data sets × 2 protocols.
	if store.saves.Load() != 8 || store.hits.Load() != 0 {
		t.Errorf("first stored run: %d saves, %d hits; want 8 and 0", store.saves.Load(), store.hits.Load())
	}
	c, err := RetardedLearning(ctx, cfg)
	if err != nil {
		t.Fatal(err)
	}
	if store.hits.Load() != 8 || !reflect.DeepEqual(b.Runs, c.Runs) {
		t.Errorf("resumed run: %d hits (want 8), equal = %v", store.hits.Load(), reflect.DeepEqual(b.Runs, c.Runs))
	}
	other := tinyRetarded(5)
	d, err := RetardedLearning(ctx, other)
	if err != nil {
		t.Fatal(err)
	}
	if d.Runs[0].W == a.Runs[0].W {
		t.Errorf("seeds 4 and 5 gave the same W = %v", a.Runs[0].W)
	}
}

// TestRetardedBookkeeping checks sample sizes, learning times and the
// thresholds attached to the result: S = N/r, t = ν·epochs·⌈S/B⌉ in the
// fixed-epoch protocol (THEORY.md §6.3), t = Time in the fixed-time one,
// r_c = (e^β − 1)² and (e^(2β) − 1)² (paper eq 27; THEORY.md §3.10), and
// σ₀ = √(0.1/N) recorded when left to its default.
func TestRetardedBookkeeping(t *testing.T) {
	t.Parallel()
	cfg := tinyRetarded(1)
	cfg.Time = 2
	res, err := RetardedLearning(context.Background(), cfg)
	if err != nil {
		t.Fatal(err)
	}
	if got, want := res.Config.Training.Sigma0, math.Sqrt(0.01); math.Abs(got-want) > 1e-15 {
		t.Errorf("recorded σ₀ = %v, want √(0.1/N) = %v", got, want)
	}
	if len(res.Points) != 4 {
		t.Fatalf("%d points, want 2 protocols × 2 ratios", len(res.Points))
	}
	// r = 0.01 → S = 1000, 100 updates per epoch with B = 10.
	p := res.points(FixedEpochs)[0]
	if p.S != 1000 || p.R != 0.01 || math.Abs(p.T-0.05*3*100) > 1e-12 || p.Runs != 2 {
		t.Errorf("epochs point 0 = %+v, want S = 1000, r = 0.01, t = 15, 2 runs", p)
	}
	for _, r := range res.Runs {
		if r.Protocol == FixedTime && (math.Abs(r.T-2) > 1e-12 || r.Updates != 40) {
			t.Errorf("fixed-time run: t = %v after %d updates, want 2 after 40", r.T, r.Updates)
		}
	}
	wantRc := []float64{math.Pow(math.Expm1(0.8), 2), math.Pow(math.Expm1(1.6), 2)}
	for i, th := range res.Thresholds {
		if math.Abs(th.R-wantRc[i]) > 1e-12*wantRc[i] {
			t.Errorf("threshold %d (%v): r_c = %v, want %v", i, th.Rule, th.R, wantRc[i])
		}
	}
	if math.Abs(res.Lambda-math.Exp(1.6)) > 1e-12 {
		t.Errorf("Λ = %v, want e^(2β) = %v", res.Lambda, math.Exp(1.6))
	}
	// The k = 0 fraction of a vector lies in [0, 1].
	for _, r := range res.Runs {
		if u := float64(r.Uniform); !(u >= 0 && u <= 1+1e-12) {
			t.Errorf("k = 0 fraction %v outside [0, 1]", u)
		}
	}
}

// TestRetardedBetaZero checks that β = 0, the uncorrelated ring, is kept
// rather than replaced by a default, and that Λ = e⁰ = 1.
func TestRetardedBetaZero(t *testing.T) {
	t.Parallel()
	cfg := tinyRetarded(1)
	cfg.Beta = 0
	cfg.Ratios = []float64{0.5}
	res, err := RetardedLearning(context.Background(), cfg)
	if err != nil {
		t.Fatal(err)
	}
	if res.Config.Beta != 0 || res.Lambda != 1 {
		t.Errorf("β = 0 run: config β = %v, Λ = %v; want 0 and 1", res.Config.Beta, res.Lambda)
	}
}

func TestRetardedValidation(t *testing.T) {
	t.Parallel()
	for i, mod := range []func(*RetardedConfig){
		func(c *RetardedConfig) { c.Ratios = []float64{-1} },
		func(c *RetardedConfig) { c.Ratios = []float64{math.NaN()} },
		func(c *RetardedConfig) { c.Ratios = []float64{1e-9} },
		func(c *RetardedConfig) { c.Runs = -1 },
		func(c *RetardedConfig) { c.Sampler = "magic" },
		func(c *RetardedConfig) { c.Training.Phase = "magic" },
		func(c *RetardedConfig) { c.N = 1 },
		func(c *RetardedConfig) { c.Ratios = []float64{0.3, 0.2999} },
		func(c *RetardedConfig) { c.Sampler, c.Beta = "heatbath", 10 },
		func(c *RetardedConfig) { c.Training.Nu = -1 },
	} {
		cfg := tinyRetarded(1)
		mod(&cfg)
		_, err := RetardedLearning(context.Background(), cfg)
		var ce *ConfigError
		if !errors.As(err, &ce) {
			t.Errorf("case %d: error %v, want a *ConfigError", i, err)
		}
	}
}

// TestGrowthRatesMatchTheory is the linear-regime check of THEORY.md §4.5
// (paper eq 23) through the whole experiment: the fitted growth rate of
// every Fourier mode must lie within 4 of the experiment's own standard
// errors of σ_k = λ_k − 1, the exact finite-N spectrum of §2.2. A factor-2
// slip in the log-power slope, a transposed weight layout or a wrong sign
// in the gradient moves several modes by tens of standard errors.
func TestGrowthRatesMatchTheory(t *testing.T) {
	t.Parallel()
	res, err := LinearGrowth(context.Background(), GrowthConfig{
		N: 16, Beta: 0.5, S: 20000, Runs: 6, Seed: 2, Time: 1, Records: 20,
	})
	if err != nil {
		t.Fatal(err)
	}
	if len(res.Modes) != 9 {
		t.Fatalf("%d modes, want N/2+1 = 9", len(res.Modes))
	}
	for _, m := range res.Modes {
		if m.Estimates != 6 {
			t.Errorf("mode %d: %d estimates, want one per run (6)", m.K, m.Estimates)
		}
		if math.Abs(m.Z) > 4 {
			t.Errorf("mode %d: rate = %.4f ± %.4f, want σ_k = %.4f (z = %.2f)", m.K, m.Rate, m.RateSE, m.Theory, m.Z)
		}
		if m.RateSE > 0.15 {
			t.Errorf("mode %d: standard error %.3f too large for a meaningful test", m.K, m.RateSE)
		}
	}
	// The exact linear rate of the top mode at β = 0.5: e^(2β)(1−ρ^N)/(1+ρ^N) − 1.
	rho := math.Tanh(0.5)
	want := math.E*(1-math.Pow(rho, 16))/(1+math.Pow(rho, 16)) - 1
	if math.Abs(res.Modes[0].Theory-want) > 1e-12 {
		t.Errorf("σ_0 = %v, want %v", res.Modes[0].Theory, want)
	}
}

// TestOutputsCarryProvenance writes the CSV, JSON-able result and PNG of a
// tiny experiment and checks each records the version, seed and
// parameters, and that the PNG decodes.
func TestOutputsCarryProvenance(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	res, err := RetardedLearning(context.Background(), tinyRetarded(77))
	if err != nil {
		t.Fatal(err)
	}
	var buf bytes.Buffer
	if err := res.WriteCSV(&buf); err != nil {
		t.Fatal(err)
	}
	csv := buf.String()
	for _, want := range []string{"# placecell", `"seed":77`, `"beta":0.8`, "W_mean"} {
		if !strings.Contains(csv, want) {
			t.Errorf("CSV lacks %q:\n%s", want, csv)
		}
	}
	js, err := json.Marshal(res)
	if err != nil || !strings.Contains(string(js), `"EdgeMatching"`) {
		t.Errorf("JSON result: err %v, rule names missing: %.200s", err, js)
	}
	path := filepath.Join(dir, "r.png")
	if err := res.Plot(path); err != nil {
		t.Fatal(err)
	}
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := png.Decode(bytes.NewReader(b)); err != nil {
		t.Errorf("PNG does not decode: %v", err)
	}
	if !bytes.Contains(b, []byte("tEXt")) || !bytes.Contains(b, []byte(`"seed":77`)) {
		t.Errorf("PNG lacks the provenance text chunk")
	}
	if !strings.Contains(res.Summary("r.png"), "EdgeMatching r_c = 1.50") {
		t.Errorf("summary lacks the named threshold:\n%s", res.Summary("r.png"))
	}
}

func TestHalfRatio(t *testing.T) {
	t.Parallel()
	r := &RetardedResult{Points: []RetardedPoint{
		{Protocol: FixedEpochs, R: 1, W: 0.5}, {Protocol: FixedEpochs, R: 0.01, W: 4},
		{Protocol: FixedEpochs, R: 0.1, W: 3}, {Protocol: FixedTime, R: 1, W: 9},
	}}
	// W crosses 2 between r = 0.1 (W = 3) and r = 1 (W = 0.5): 40% of the
	// way in ln r, so r = 10^(−1 + 0.4).
	w := func(q RetardedPoint) float64 { return q.W }
	if got, want := r.HalfRatio(FixedEpochs, w), math.Pow(10, -0.6); math.Abs(got-want) > 1e-12 {
		t.Errorf("HalfRatio = %v, want %v", got, want)
	}
}

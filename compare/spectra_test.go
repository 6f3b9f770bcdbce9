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
	"testing"

	"placecell/internal/version"
	"placecell/ring"
	"placecell/spectral"
)

// TestSpectraDeterministicAndResumable checks that the spectral
// experiments do not depend on the number of workers, that a store makes
// a second invocation reuse every run, and that another seed changes the
// data.
func TestSpectraDeterministicAndResumable(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	for _, run := range []func(context.Context, SpectraConfig) (*SpectraResult, error){IsingSpectra, XYSpectra} {
		cfg := SpectraConfig{N: 12, P: 4, Beta: 0.7, Ratios: []float64{0.05, 1}, Runs: 2, Seed: 3, Workers: 1}
		a, err := run(ctx, cfg)
		if err != nil {
			t.Fatal(err)
		}
		store := &countingStore{DirStore: DirStore(t.TempDir())}
		cfg.Workers, cfg.Store = 3, store
		b, err := run(ctx, cfg)
		if err != nil {
			t.Fatal(err)
		}
		if !reflect.DeepEqual(a.Runs, b.Runs) || store.saves.Load() != 4 {
			t.Errorf("%s: runs differ between 1 and 3 workers, or %d saves (want 4)", a.Model, store.saves.Load())
		}
		c, err := run(ctx, cfg)
		// Points hold NaN (SpikeX below S_sep): compare their JSON.
		pb, _ := json.Marshal(b.Points)
		pc, _ := json.Marshal(c.Points)
		if err != nil || store.hits.Load() != 4 || !bytes.Equal(pb, pc) {
			t.Errorf("%s: resumed: %v, %d hits (want 4)", a.Model, err, store.hits.Load())
		}
		cfg.Seed, cfg.Store = 4, nil
		d, _ := run(ctx, cfg)
		if d.Runs[0].Top[0] == a.Runs[0].Top[0] {
			t.Errorf("%s: seeds 3 and 4 gave the same top eigenvalue", a.Model)
		}
	}
}

// TestSpectraMeasurements checks the bookkeeping and the measurements of
// one experiment against independent computations: S = N/r; the top
// eigenvalue of a run equals that of ModelCorrelation on the same draws
// when the data fit in one batch; the thresholds are those of package
// spectral under every rule; and at r = 10⁻³ (S far above every
// threshold) the XY top eigenvector lies in the exact top eigenspace
// (squared projection above 0.8; the BBP limit is 0.998) while at r = 1 it
// does not (below 0.5).
func TestSpectraMeasurements(t *testing.T) {
	t.Parallel()
	res, err := XYSpectra(context.Background(), SpectraConfig{N: 20, Beta: 1.5, Ratios: []float64{1e-3, 1}, Runs: 2, Seed: 9})
	if err != nil {
		t.Fatal(err)
	}
	if p := res.Points[0]; p.S != 20000 || p.R != 1e-3 || p.Runs != 2 {
		t.Errorf("point 0 = %+v, want S = 20000", p)
	}
	m := ring.XY{N: 20, P: 10, Beta: 1.5}
	if res.Model != ring.Label(m) || math.Abs(res.Lambda-spectral.LambdaXY(10, 1.5)) > 1e-15 || len(res.Thresholds) != 4 {
		t.Errorf("model %s, Λ = %v, %d thresholds", res.Model, res.Lambda, len(res.Thresholds))
	}
	for i, rule := range spectral.Rules {
		if want := spectral.XYThreshold(m, rule); res.Thresholds[i].R != want.R {
			t.Errorf("threshold %v = %v, want %v", rule, res.Thresholds[i].R, want.R)
		}
	}
	if p := res.Points[0]; p.Overlap < 0.8 {
		t.Errorf("r = 10⁻³: top-space overlap² = %v, want near 1", p.Overlap)
	}
	if p := res.Points[1]; p.Overlap > 0.5 {
		t.Errorf("r = 1: top-space overlap² = %v, want small", p.Overlap)
	}

	// One batch: the run's data are GenerateData with the batch-0 seed.
	run := res.Runs[2] // r = 1, S = 20, run 0
	d := ring.GenerateData(m.NewSampler(), m.NewData(run.S), rngBatch(run.DataSeed, 0))
	e, err := spectral.TopEigen(spectral.ModelCorrelation(m, d), 2)
	if err != nil {
		t.Fatal(err)
	}
	if math.Abs(e.Values[0]-run.Top[0]) > 1e-12 {
		t.Errorf("top eigenvalue %v, want %v from the regenerated data", run.Top[0], e.Values[0])
	}
}

// TestSpectraConfig checks the defaults and the validation: β = 0 is kept
// (the uncorrelated ring, whose Λ = e^(2β) = 1 by eq 26 and whose XY
// spectrum is the flat Potts bulk, Λ_XY = P/(P−1), eq 30 at β = 0), the
// other zero fields take the documented defaults, and every invalid
// configuration is a *ConfigError, returned before any run (the progress
// function is never called).
func TestSpectraConfig(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	res, err := IsingSpectra(ctx, SpectraConfig{N: 10, Ratios: []float64{1}, Runs: 1})
	if err != nil {
		t.Fatal(err)
	}
	if res.Config.Beta != 0 || res.Lambda != 1 || res.Model != "ising(n=10, beta=0)" || res.Config.Band != 3 {
		t.Errorf("Ising β = 0: config %+v, Λ = %v, model %s; want β = 0, Λ = 1", res.Config, res.Lambda, res.Model)
	}
	res, err = XYSpectra(ctx, SpectraConfig{N: 10, P: 5, Ratios: []float64{1}, Runs: 1})
	if err != nil {
		t.Fatal(err)
	}
	if res.Config.Beta != 0 || math.Abs(res.Lambda-5.0/4) > 1e-12 || res.Model != "xy(n=10, p=5, beta=0)" {
		t.Errorf("XY β = 0: config %+v, Λ = %v, model %s; want β = 0, Λ = 5/4", res.Config, res.Lambda, res.Model)
	}
	for _, c := range []struct {
		def  SpectraConfig
		want SpectraConfig
	}{
		{DefaultIsingSpectraConfig(), SpectraConfig{N: 100, Beta: 0.5, Runs: 10, Band: 3}},
		{DefaultXYSpectraConfig(), SpectraConfig{N: 100, Beta: 1.5, P: 10, Runs: 6, Band: 3}},
	} {
		got := c.def
		got.Ratios = nil
		if !reflect.DeepEqual(got, c.want) || len(c.def.Ratios) == 0 {
			t.Errorf("defaults = %+v, want %+v", c.def, c.want)
		}
	}

	for i, cfg := range []SpectraConfig{
		{Ratios: []float64{-1}},
		{N: 10, Band: 5, Ratios: []float64{1}},
		{N: 10, Ratios: []float64{1, 1.01}},
		{N: 10, Ratios: []float64{100}},
		{N: 10, Beta: -1, Ratios: []float64{1}},
		{N: 1, Ratios: []float64{0.1}},
		{N: 10, Runs: -2, Ratios: []float64{1}},
	} {
		called := false
		cfg.Progress = func(int, int) { called = true }
		for _, run := range []func(context.Context, SpectraConfig) (*SpectraResult, error){IsingSpectra, XYSpectra} {
			_, err := run(ctx, cfg)
			var ce *ConfigError
			if !errors.As(err, &ce) || called {
				t.Errorf("case %d (%+v): error %v (want a *ConfigError), progress called %t", i, cfg, err, called)
			}
		}
	}
}

// TestSpectraOutputs checks the PNG (decodable, with provenance), the CSV
// (header and one row per ratio), the Markdown summary and the JSON round
// trip, after which the figure can be drawn again.
func TestSpectraOutputs(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	res, err := IsingSpectra(context.Background(), SpectraConfig{N: 16, Beta: 0.5, Ratios: []float64{0.01, 0.3, 2}, Runs: 2, Seed: 1})
	if err != nil {
		t.Fatal(err)
	}
	var csvBuf bytes.Buffer
	if err := res.WriteCSV(&csvBuf); err != nil {
		t.Fatal(err)
	}
	lines := strings.Split(strings.TrimSpace(csvBuf.String()), "\n")
	if len(lines) != 2+1+3 || !strings.HasPrefix(lines[0], "# placecell") || !strings.Contains(lines[0], "(build "+version.Build()+")") ||
		!strings.HasPrefix(lines[2], "r,S,runs,top_mean") {
		t.Errorf("CSV:\n%s", csvBuf.String())
	}
	if s := res.Summary("fig.png"); !strings.Contains(s, "Fig. 12") || !strings.Contains(s, "![spectra](fig.png)") || !strings.Contains(s, "EdgeMatching") {
		t.Errorf("summary:\n%s", s)
	}
	js, err := json.Marshal(res)
	if err != nil {
		t.Fatal(err)
	}
	var back SpectraResult
	if err := json.Unmarshal(js, &back); err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(dir, "ising.png")
	if err := back.Plot(path); err != nil {
		t.Fatal(err)
	}
	raw, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := png.Decode(bytes.NewReader(raw)); err != nil || !bytes.Contains(raw, []byte("ising-spectrum")) {
		t.Errorf("PNG: %v, provenance present %t", err, bytes.Contains(raw, []byte("ising-spectrum")))
	}
}

// TestSpectraDeviationBound bounds the finite-size offset of the measured
// top eigenvalue from the generalized Marchenko–Pastur edge x₊: THEORY.md
// §3.11 expects finite-N values "a few per cent below" x₊, and at
// S ≥ 400 (N = 40) the mean over 4 data sets must lie within
// spectraFlag = 10 per cent below and 2 per cent above it. A wrong
// normalisation of Ĉ (a missing 1/S, centring the ±1 data) moves it by
// far more. It also checks that the generalized spike location is given
// exactly where S exceeds S_sep of the uniform mode, computed here with
// spectral.SeparationSamples.
func TestSpectraDeviationBound(t *testing.T) {
	t.Parallel()
	res, err := IsingSpectra(context.Background(), SpectraConfig{N: 40, Beta: 0.5, Ratios: []float64{0.005, 0.01, 0.1}, Runs: 4, Seed: 2})
	if err != nil {
		t.Fatal(err)
	}
	m := ring.Ising{N: 40, Beta: 0.5}
	sp := spectral.ModelSpectrum(m)
	sep := spectral.SeparationSamples(sp, []spectral.Mode{{K: 0}})
	if got := res.sepSamples(); math.Abs(got/sep-1) > 1e-12 {
		t.Errorf("S_sep({0}) = %v, want %v", got, sep)
	}
	for _, p := range res.Points {
		if d := p.Top/p.Edge - 1; d < -spectraFlag || d > 0.02 {
			t.Errorf("r = %v: top eigenvalue %v is %+.1f%% from x₊ = %v, want within −10%% and +2%%", p.R, p.Top, 100*d, p.Edge)
		}
		if x := float64(p.SpikeX); math.IsNaN(x) != (float64(p.S) <= sep) {
			t.Errorf("r = %v, S = %d: ψ(λ_G) = %v with S_sep = %v", p.R, p.S, x, sep)
		}
	}
}

// TestSpectraVerdictFromData checks that the Markdown verdict is computed
// from the points: a point moved 30 per cent below x₊ is named with its
// deviation, the range of the uniform weight quotes the extreme points,
// and the XY verdict names the ratios where the flat-bulk BBP norm exceeds
// the measured one.
func TestSpectraVerdictFromData(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	res, err := IsingSpectra(ctx, SpectraConfig{N: 16, Beta: 0.5, Ratios: []float64{0.01, 0.3, 2}, Runs: 2, Seed: 1})
	if err != nil {
		t.Fatal(err)
	}
	s := res.Summary("f.png")
	if !strings.Contains(s, "No ratio is more than 10% away from x₊") && !strings.Contains(s, "More than 10% away from x₊") {
		t.Errorf("verdict says nothing about the 10%% band:\n%s", s)
	}
	p := &res.Points[1]
	p.Top = 0.7 * p.Edge
	p.Overlap = 0.655
	res.Points[0].Overlap, res.Points[2].Overlap = 0.9, 0.001
	s = res.Summary("f.png")
	for _, want := range []string{
		"More than 10% away from x₊: -30.0% at r = 0.302, S = 53",
		"from -30.0% (r = 0.302, S = 53)",
		"ranges from 0.001 (r = 2, S = 8) to 0.900 (r = 0.01, S = 1600)",
	} {
		if !strings.Contains(s, want) {
			t.Errorf("verdict lacks %q:\n%s", want, s)
		}
	}

	xy, err := XYSpectra(ctx, SpectraConfig{N: 12, P: 4, Beta: 1.5, Ratios: []float64{0.01, 0.5}, Runs: 2, Seed: 1})
	if err != nil {
		t.Fatal(err)
	}
	q := &xy.Points[0]
	q.OverlapNorm, q.OverlapNormSD = math.Sqrt(q.BBPOverlap)-0.5, 0
	if s := xy.Summary("f.png"); !strings.Contains(s, "at r = 0.01 (") {
		t.Errorf("XY verdict does not name r = 0.01 where BBP exceeds the measured norm by 0.5:\n%s", s)
	}
}

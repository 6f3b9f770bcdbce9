package compare

import (
	"bytes"
	"context"
	"encoding/json"
	"image/png"
	"io"
	"math"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"

	"placecell/compare/rbm"
	"placecell/dynamics"
	"placecell/ring"
)

// TestFullBatchIsEulerFlow checks the premise of the field experiments:
// full-batch training with the exact model term is the explicit Euler
// scheme of the exact empirical flow (THEORY.md §1.2, §4.6), computed
// independently with dynamics.SpinFlow.
func TestFullBatchIsEulerFlow(t *testing.T) {
	t.Parallel()
	const n, s, nu, steps = 12, 300, 0.4, 25
	data := ring.Generate(ring.NewExact(ring.Ising{N: n, Beta: 0.4}), s, 3)
	res, err := rbm.Train(context.Background(), data, rbm.Config{Nu: nu, Batch: s, Epochs: steps, Phase: rbm.Exact, Seed: 4, RecordEvery: steps})
	if err != nil {
		t.Fatal(err)
	}
	w := append([]float64(nil), res.Records[0].W...)
	flow := dynamics.NewSpinFlow(1, data)
	f := make([]float64, n)
	for range steps {
		flow.Deriv(f, w)
		for i := range w {
			w[i] += nu * f[i]
		}
	}
	for i, want := range w {
		if got := res.Final().W[i]; math.Abs(got-want) > 1e-12*math.Max(1, math.Abs(want)) {
			t.Errorf("w[%d] after %d full-batch updates = %.15g, Euler on the exact flow %.15g", i, steps, got, want)
		}
	}
}

// TestRFShapeSmall runs a small RFShape experiment and checks its outputs
// and the theory side: the exact population fixed point approaches the
// lattice bump with a deviation of Σŵ² proportional to β (THEORY.md §4.8:
// relative deviations O(β)).
func TestRFShapeSmall(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	cfg := RFShapeConfig{N: 12, Betas: []float64{0.02, 0.04}, Runs: 2, SMin: 3000, SMax: 3000, Seed: 5,
		Training: FieldTraining{Tau: 120}, Store: DirStore(filepath.Join(dir, "runs"))}
	res, err := RFShape(context.Background(), cfg)
	if err != nil {
		t.Fatal(err)
	}
	if len(res.Points) != 2 || len(res.Runs) != 4 {
		t.Fatalf("%d points, %d runs", len(res.Points), len(res.Runs))
	}
	lat := res.Theory.Lattice
	var dev []float64
	for _, p := range res.Points {
		q := p.Population
		if q == nil || q.Residual > 1e-8 {
			t.Fatalf("β = %v: population field %+v", p.Beta, q)
		}
		dev = append(dev, (q.SumSq-lat.SumSq)/p.Beta)
		if !(p.SumSq > 0) || len(p.Profile) != cfg.N || p.Runs != 2 {
			t.Errorf("β = %v: point %+v", p.Beta, p)
		}
	}
	// (Σŵ²_pop − Σŵ²_lattice)/β is the same at β = 0.02 and 0.04 within
	// the O(β²) correction (≈ 5%).
	if math.Abs(dev[0]-dev[1]) > 0.08*math.Abs(dev[0]) || !(dev[0] > 0) {
		t.Errorf("deviation/β = %v, %v: want equal and positive (O(β) convergence)", dev[0], dev[1])
	}
	checkOutputs(t, dir, "rfshape", res)

	// A second run with the same store reuses the saved runs.
	again, err := RFShape(context.Background(), cfg)
	if err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(again.Runs, res.Runs) {
		t.Errorf("resumed runs differ from the first")
	}
}

// TestFWHMSmall runs a small FWHM sweep: widths finite and growing with ξ,
// the small-β limit equal to the lattice bump's FWHM on the ring.
func TestFWHMSmall(t *testing.T) {
	t.Parallel()
	cfg := FWHMConfig{N: 30, Betas: []float64{0.3, 0.9}, Runs: 1, SMin: 3000, SScale: 0.001, Seed: 6,
		Training: FieldTraining{Tau: 150, TMin: 50}}
	res, err := FWHMSweep(context.Background(), cfg)
	if err != nil {
		t.Fatal(err)
	}
	if len(res.Points) != 2 || res.Points[0].Valid != 1 || res.Points[1].Valid != 1 {
		t.Fatalf("points %+v", res.Points)
	}
	if !(res.Points[1].FWHM > res.Points[0].FWHM) || !(res.Points[1].Xi > res.Points[0].Xi) {
		t.Errorf("FWHM %v at ξ = %v and %v at ξ = %v: want growth with ξ", res.Points[0].FWHM, res.Points[0].Xi,
			res.Points[1].FWHM, res.Points[1].Xi)
	}
	// THEORY.md §5.4: the lattice bump's FWHM is 3.795 (N = 100; the same
	// to 1e-3 at N = 30, whose tails are e^(−0.62·15) ≈ 10⁻⁴).
	if math.Abs(res.Limit-3.795) > 2e-3 || math.Abs(res.Continuum-4.4964) > 1e-4 {
		t.Errorf("limit %v, continuum %v; want 3.795 and 4.4964", res.Limit, res.Continuum)
	}
	if math.IsNaN(float64(res.Slope)) || math.IsNaN(float64(res.Intercept)) {
		t.Errorf("fit %v + %v ξ", res.Intercept, res.Slope)
	}
	checkOutputs(t, t.TempDir(), "fwhm", res)
}

// checkOutputs writes the figure, CSV, JSON and summary of an experiment
// result and checks them.
func checkOutputs(t *testing.T, dir, name string, res interface {
	Plot(string) error
	WriteCSV(io.Writer) error
	Summary(string) string
	Table() string
}) {
	t.Helper()
	pngPath := filepath.Join(dir, name+".png")
	if err := res.Plot(pngPath); err != nil {
		t.Fatalf("%s: Plot: %v", name, err)
	}
	b, err := os.ReadFile(pngPath)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := png.Decode(bytes.NewReader(b)); err != nil || !bytes.Contains(b, []byte("tEXt")) {
		t.Errorf("%s: PNG invalid or without provenance: %v", name, err)
	}
	var csvb bytes.Buffer
	if err := res.WriteCSV(&csvb); err != nil || !strings.HasPrefix(csvb.String(), "# placecell") || strings.Count(csvb.String(), "\n") < 4 {
		t.Errorf("%s: CSV %v:\n%s", name, err, csvb.String())
	}
	js, err := json.Marshal(res)
	if err != nil || !bytes.Contains(js, []byte(`"seed"`)) || !bytes.Contains(js, []byte(`"version"`)) {
		t.Errorf("%s: JSON %v: %.200s", name, err, js)
	}
	if s := res.Summary(name + ".png"); !strings.Contains(s, name+".png") || !strings.Contains(s, res.Table()) {
		t.Errorf("%s: summary lacks the figure or the table", name)
	}
}

package rbm

import (
	"bytes"
	"context"
	"encoding/binary"
	"errors"
	"fmt"
	"math"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"codeberg.org/sbinet/npyio/npy"

	"placecell/ring"
)

// resultString prints a Result with every float in its shortest exact
// form (NaN as NaN), so that two Results print equal iff they hold the
// same values bit for bit (up to NaN payloads).
func resultString(r *Result) string {
	c := *r
	c.Config.Progress = nil
	return fmt.Sprintf("%+v", c)
}

// ioConfigs are runs exercising every kind of state: Potts units with a
// double well and learned fields, tempering with observables, PGM mode
// with a Gaussian unit and batch normalisation, CD and the exact phase.
func ioConfigs() []struct {
	name string
	data ring.Data
	cfg  Config
} {
	ising := isingData(8, 60, 0.7, 31)
	return []struct {
		name string
		data ring.Data
		cfg  Config
	}{
		{"potts-double-well", pottsData(6, 3, 40, 0.6, 32), Config{Hidden: 2, Nu: 0.05, Batch: 7, Epochs: 4, Chains: 5, Sweeps: 2, RecordEvery: 3, Seed: 33,
			Visible: VisiblePotts, Unit: HiddenUnit{Type: HiddenDoubleWell, Theta: -0.5}, LearnHidden: true, VisibleFields: FieldsLearned,
			Observe: Observe{PseudoLikelihood: true, LogLikelihood: true}}},
		{"tempering-ais", ising, Config{Hidden: 2, Nu: 0.05, Batch: 10, Epochs: 3, Chains: 4, Sweeps: 2, Replicas: 3, RecordEvery: 5, Seed: 34,
			Observe: Observe{AISRuns: 3, AISSteps: 10000, LogLikelihood: true}}},
		{"pgm-gaussian", ising, Config{Hidden: 3, Batch: 20, Epochs: 6, RecordEvery: 4, Seed: 35, Mode: PGM,
			Unit: HiddenUnit{Type: HiddenGaussian}, LearnHidden: true, VisibleFields: FieldsLearned}},
		{"cd-bernoulli", ising, Config{Hidden: 3, Nu: 0.05, Batch: 9, Epochs: 3, Sweeps: 1, Phase: CD, RecordEvery: 4, Seed: 36,
			Visible: VisibleBernoulli, Unit: HiddenUnit{Type: HiddenBernoulli}, LearnHidden: true, VisibleFields: FieldsLearned}},
		{"exact", ising, Config{Hidden: 2, Nu: 0.05, Batch: 60, Epochs: 10, Phase: Exact, RecordEvery: 3, Seed: 37}},
	}
}

// TestSaveLoad: a trajectory saved by Save and reloaded by Load compares
// equal, every record value included.
func TestSaveLoad(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	for _, c := range ioConfigs() {
		res, err := Train(context.Background(), c.data, c.cfg)
		if err != nil {
			t.Fatalf("%s: %v", c.name, err)
		}
		res.Data = map[string]any{"model": "test", "beta": 0.7, "seed": 31.0}
		prefix := filepath.Join(dir, c.name)
		if err := res.Save(prefix); err != nil {
			t.Fatal(err)
		}
		got, err := Load(prefix)
		if err != nil {
			t.Fatal(err)
		}
		if a, b := resultString(got), resultString(res); a != b {
			t.Errorf("%s: reloaded trajectory differs:\n got %.600s\nwant %.600s", c.name, a, b)
		}
		// The weights file has the documented shape.
		shape, _, err := ReadNPY(prefix + "-weights.npy")
		if err != nil {
			t.Fatal(err)
		}
		want := []int{len(res.Records), res.Config.Hidden, res.N}
		if res.Config.Visible == VisiblePotts {
			want = append(want, res.Q)
		}
		if !slices.Equal(shape, want) {
			t.Errorf("%s: weights shape %v, want %v", c.name, shape, want)
		}
	}
}

// TestResume interrupts each run after some updates, writes a checkpoint
// to disk, reads it back, resumes, and checks that the final parameters,
// chain states and every record equal those of the uninterrupted run bit
// for bit.
func TestResume(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	for _, c := range ioConfigs() {
		want, err := Train(context.Background(), c.data, c.cfg)
		if err != nil {
			t.Fatalf("%s: %v", c.name, err)
		}
		tw, _ := NewTrainer(c.data, c.cfg)
		for tw.Updates() < tw.Total() {
			if err := tw.Step(); err != nil {
				t.Fatal(err)
			}
		}

		for _, stop := range []int{1, c.cfg.RecordEvery, 2*c.cfg.RecordEvery + 1} {
			ctx, cancel := context.WithCancel(context.Background())
			tr, err := NewTrainer(c.data, c.cfg)
			if err != nil {
				t.Fatal(err)
			}
			tr.cfg.Progress = func(done, total int) {}
			res := tr.NewResult()
			n := 0
			tr.cfg.Progress = nil
			// Stop after `stop` updates by cancelling before the next one.
			for tr.Updates() < stop {
				if n == 0 {
					res.Records = append(res.Records, tr.Record())
					n++
				}
				if err := tr.Step(); err != nil {
					t.Fatal(err)
				}
				if tr.Updates()%tr.cfg.RecordEvery == 0 || tr.Updates() == tr.Total() {
					res.Records = append(res.Records, tr.Record())
				}
			}
			cancel()
			if err := Run(ctx, tr, res); !errors.Is(err, context.Canceled) {
				t.Fatalf("%s: Run after cancel = %v", c.name, err)
			}
			path := filepath.Join(dir, fmt.Sprintf("%s-%d.ckpt.json", c.name, stop))
			if err := WriteCheckpoint(path, tr.Checkpoint(len(res.Records))); err != nil {
				t.Fatal(err)
			}
			prefix := filepath.Join(dir, fmt.Sprintf("%s-%d", c.name, stop))
			if err := res.Save(prefix); err != nil {
				t.Fatal(err)
			}

			ck, err := ReadCheckpoint(path)
			if err != nil {
				t.Fatal(err)
			}
			part, err := Load(prefix)
			if err != nil {
				t.Fatal(err)
			}
			part.Records = part.Records[:ck.Records]
			tr2, err := Resume(c.data, ck, nil)
			if err != nil {
				t.Fatal(err)
			}
			if err := Run(context.Background(), tr2, part); err != nil {
				t.Fatal(err)
			}
			part.Data = nil
			if a, b := resultString(part), resultString(want); a != b {
				t.Errorf("%s stop %d: resumed trajectory differs from the uninterrupted one", c.name, stop)
			}
			if !slices.Equal(tr2.params, tw.params) {
				t.Errorf("%s stop %d: resumed parameters differ", c.name, stop)
			}
			if tr2.chains != nil && (!slices.Equal(tr2.chains.vb, tw.chains.vb) || !slices.Equal(tr2.chains.vp, tw.chains.vp)) {
				t.Errorf("%s stop %d: resumed chain states differ", c.name, stop)
			}
		}
	}
}

// TestResumeChecks: resuming on other data or with a damaged checkpoint is
// an error.
func TestResumeChecks(t *testing.T) {
	t.Parallel()
	data := isingData(8, 30, 0.5, 1)
	tr, err := NewTrainer(data, Config{Nu: 0.1, Chains: 3, Sweeps: 1, Seed: 2})
	if err != nil {
		t.Fatal(err)
	}
	ck := tr.Checkpoint(1)
	if _, err := Resume(isingData(8, 30, 0.5, 2), ck, nil); err == nil || !strings.Contains(err.Error(), "the data differ from the checkpoint's") {
		t.Errorf("Resume on other data: error %v", err)
	}
	ck.Params = ck.Params[:3]
	if _, err := Resume(data, ck, nil); err == nil || err.Error() != "rbm: checkpoint arrays do not match the configuration" {
		t.Errorf("Resume with short parameters: error %v", err)
	}
	ck.Format = "x"
	if _, err := Resume(data, ck, nil); err == nil {
		t.Errorf("Resume of a non-checkpoint: no error")
	}
}

// writeNPY32 writes a float32 C-order array as numpy.save would.
func writeNPY32(t *testing.T, path string, shape []int, data []float64) {
	t.Helper()
	var sh []string
	for _, v := range shape {
		sh = append(sh, fmt.Sprint(v))
	}
	dict := fmt.Sprintf("{'descr': '<f4', 'fortran_order': False, 'shape': (%s), }", strings.Join(sh, ", "))
	pad := (64 - (10+len(dict)+1)%64) % 64
	var b bytes.Buffer
	b.Write(npy.Magic[:])
	b.Write([]byte{1, 0})
	binary.Write(&b, binary.LittleEndian, uint16(len(dict)+pad+1))
	b.WriteString(dict + strings.Repeat(" ", pad) + "\n")
	for _, v := range data {
		binary.Write(&b, binary.LittleEndian, float32(v))
	}
	if err := os.WriteFile(path, b.Bytes(), 0o644); err != nil {
		t.Fatal(err)
	}
}

// TestImportWeights reads a float32 (records, M, N) and a (records, M, N,
// q) array as PGM would record them, and checks the weights (converted
// exactly from float32) and their order parameters against unitStats of
// the same values; a wrong rank and a times mismatch are errors.
func TestImportWeights(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	for _, shape := range [][]int{{3, 2, 10}, {2, 3, 5, 4}} {
		size := prod(shape)
		data := make([]float64, size)
		for k := range data {
			data[k] = float64(float32(math.Sin(float64(k)) * 0.5))
		}
		path := filepath.Join(dir, fmt.Sprintf("w%d.npy", len(shape)))
		writeNPY32(t, path, shape, data)
		times := make([]float64, shape[0])
		for k := range times {
			times[k] = 0.5 * float64(k)
		}
		res, err := ImportWeights(path, times, 6)
		if err != nil {
			t.Fatal(err)
		}
		m, n, d := shape[1], shape[2], 1
		if len(shape) == 4 {
			d = shape[3]
		}
		per := m * n * d
		for k, rec := range res.Records {
			w := data[k*per : (k+1)*per]
			if !slices.Equal(rec.W, w) || rec.T != times[k] || rec.Update != k {
				t.Errorf("shape %v record %d: W, T, Update = %v, %v, %d", shape, k, rec.W[:3], rec.T, rec.Update)
			}
			want := unitStats(w, m, n, d, 6)
			if fmt.Sprint(rec.Units) != fmt.Sprint(want) {
				t.Errorf("shape %v record %d: order parameters %v, want %v", shape, k, rec.Units, want)
			}
		}
		if _, err := ImportWeights(path, []float64{1}, 0); err == nil {
			t.Errorf("times mismatch: no error")
		}
	}
	bad := filepath.Join(dir, "bad.npy")
	writeNPY32(t, bad, []int{4, 5}, make([]float64, 20))
	if _, err := ImportWeights(bad, nil, 0); err == nil || !strings.Contains(err.Error(), "want (records, M, N) or (records, M, N, q)") {
		t.Errorf("rank-2 array: error %v", err)
	}
}

// TestCentresUnwrapped: Result.Centres unwraps the recorded centres
// across the ring boundary (a centre moving 98 → 1 → 3 on N = 100 sites
// becomes 98 → 101 → 103).
func TestCentresUnwrapped(t *testing.T) {
	t.Parallel()
	res := &Result{N: 100}
	for _, c := range []float64{98, 1, 3} {
		res.Records = append(res.Records, Record{Units: UnitStats{Centre: []float64{c}}})
	}
	if got, want := res.Centres(0), []float64{98, 101, 103}; !slices.Equal(got, want) {
		t.Errorf("Centres = %v, want %v", got, want)
	}
}

package main

import (
	"encoding/json"
	"math"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"placecell/internal/version"
)

// TestThresholdXY checks the acceptance line: for the XY ring at
// P = 10, β = 1.5 the additive edge rule of eq 31 gives r_c = 0.06579
// (case PAPER-XY-CROSSING, 0.0658), named EdgeMatching, with the other
// rules beside it: the multiplicative Potts null r_c = (√(Λ(P−1)/P) − 1)²/
// (P−1) = 0.10846, BBP l²/(P−1) = 0.968341 (l = Λ(P−1)/P − 1, Λ = 4.391255,
// THEORY.md §3.9–3.10), and PluginSeparation.
func TestThresholdXY(t *testing.T) {
	t.Parallel()
	code, out, errOut := runCLI(t, "threshold", "--model", "xy", "--beta", "1.5", "--p", "10")
	if code != 0 {
		t.Fatalf("exit %d: %s", code, errOut)
	}
	for _, want := range []string{"EdgeMatching ", "0.06579", "eq 31", "EdgeMatchingPottsNull", "0.10846", "BBPFlatBulk", "0.968341",
		"PluginSeparation", "4.391255"} {
		if !strings.Contains(out, want) {
			t.Errorf("threshold output lacks %q:\n%s", want, out)
		}
	}
	code, out, errOut = runCLI(t, "threshold", "--model", "xy", "--format", "json", "--ratios", "0.01")
	if code != 0 {
		t.Fatalf("json: exit %d: %s", code, errOut)
	}
	var v struct {
		Lambda float64 `json:"lambda"`
		P      float64 `json:"p"`
		Rows   []struct {
			Rule string  `json:"rule"`
			R    float64 `json:"r_c"`
		} `json:"rows"`
		Separation []map[string]any `json:"separation"`
		Crossover  []struct {
			R        float64 `json:"r"`
			EdgeEq31 float64 `json:"edge_eq31"`
			EdgeNull float64 `json:"edge_null"`
		} `json:"crossover"`
	}
	if err := json.Unmarshal([]byte(out), &v); err != nil {
		t.Fatalf("invalid JSON: %v\n%s", err, out)
	}
	// Defaults of the xy model are the paper's (P = 10, β = 1.5).
	if v.P != 10 || math.Abs(v.Lambda-4.391255278) > 1e-9 || len(v.Rows) != 3 || v.Rows[0].Rule != "EdgeMatching" ||
		math.Abs(v.Rows[0].R-0.0658) > 5e-5 || len(v.Separation) != 1 {
		t.Errorf("JSON = %+v", v)
	}
	// THEORY.md §3.9: at r = 0.01 the edges are 2.844 (eq 31) and 1.878.
	if len(v.Crossover) != 1 || math.Abs(v.Crossover[0].EdgeEq31-2.844) > 5e-4 || math.Abs(v.Crossover[0].EdgeNull-1.878) > 5e-4 {
		t.Errorf("crossover rows = %+v, want edges 2.844 and 1.878 at r = 0.01", v.Crossover)
	}
}

// TestThresholdIsingCrossover checks the Ising extras: the plug-in
// separation of the uniform mode and the smooth crossover, whose
// generalized Marchenko–Pastur edge at N = 100, β = 0.5 is x₊ = 3.3268 at
// r = 0.1 and 5.7317 at r = 1 (THEORY.md §3.11).
func TestThresholdIsingCrossover(t *testing.T) {
	t.Parallel()
	code, out, errOut := runCLI(t, "threshold", "--beta", "0.5", "--n", "100", "--ratios", "1,0.1")
	if code != 0 {
		t.Fatalf("exit %d: %s", code, errOut)
	}
	for _, want := range []string{"PluginSeparation", "top eigenspace {(0,0)}", "band |k| ≤ 3", "5.7317", "3.3268"} {
		if !strings.Contains(out, want) {
			t.Errorf("threshold output lacks %q:\n%s", want, out)
		}
	}
	code, out, _ = runCLI(t, "threshold", "--model", "bump", "--n", "20", "--param", "eta=2", "--format", "csv")
	if code != 0 || !strings.Contains(out, "EdgeMatching") || !strings.Contains(out, "# params: bump(n=20, eta=2)") {
		t.Errorf("bump threshold: exit %d\n%s", code, out)
	}
	for i, c := range []struct {
		args []string
		want string
	}{
		{[]string{"threshold", "--model", "xy", "--p", "1"}, "--p"},
		{[]string{"threshold", "--model", "ising", "--param", "p=3"}, "no parameter"},
		{[]string{"threshold", "--param", "beta"}, "name=value"},
		{[]string{"threshold", "--ratios", "0"}, "--ratios"},
		{[]string{"threshold", "--model", "bump", "--param", "eta=20", "--n", "20"}, "longer ring"},
	} {
		code, _, errOut := runCLI(t, c.args...)
		if code != 1 || !strings.Contains(errOut, c.want) {
			t.Errorf("case %d %v: exit %d, error %q, want one mentioning %q", i, c.args, code, errOut, c.want)
		}
	}
}

// TestSampleSpectrumXY writes XY data (npy and text), reads them back
// through spectrum and checks that with S = 20000 (r = 0.005, far above
// every threshold) the top empirical eigenvalue is near Λ_XY = 4.391 and
// the top two eigenvectors lie mostly in the exact top eigenspace.
func TestSampleSpectrumXY(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	for _, name := range []string{"xy.npy", "xy.txt"} {
		path := filepath.Join(dir, name)
		code, out, errOut := runCLI(t, "sample", "--model", "xy", "--samples", "20000", "--seed", "4", "--out", path)
		if code != 0 || !strings.Contains(out, "xy(n=100, p=10, beta=1.5)") {
			t.Fatalf("sample: exit %d: %s %s", code, out, errOut)
		}
		code, out, errOut = runCLI(t, "spectrum", "--model", "xy", "--format", "json", "--top", "2", path)
		if code != 0 {
			t.Fatalf("spectrum: exit %d: %s", code, errOut)
		}
		var v struct {
			Empirical struct {
				Rows []struct {
					Eigenvalue float64 `json:"eigenvalue"`
					Overlap    float64 `json:"top_space_overlap2"`
				} `json:"rows"`
			} `json:"empirical"`
		}
		if err := json.Unmarshal([]byte(out), &v); err != nil || len(v.Empirical.Rows) != 2 {
			t.Fatalf("spectrum JSON: %v\n%s", err, out)
		}
		// Finite-N spike prediction at S = 20000 (SpikeOverlap) puts the
		// pair at ≈ 4.45 with a wide band below; allow 10 per cent.
		if got := v.Empirical.Rows[0].Eigenvalue; math.Abs(got-4.391) > 0.44 {
			t.Errorf("%s: top eigenvalue %v, want near Λ_XY = 4.391", name, got)
		}
		if sum := v.Empirical.Rows[0].Overlap + v.Empirical.Rows[1].Overlap; sum < 0.5 {
			t.Errorf("%s: top two eigenvectors have %v of their weight in the exact top space, want most", name, sum)
		}
	}
	code, _, errOut := runCLI(t, "sample", "--model", "bump", "--sampler", "heatbath", "--out", filepath.Join(dir, "b.txt"))
	if code != 1 || !strings.Contains(errOut, "heatbath") {
		t.Errorf("bump heat bath: exit %d, %s", code, errOut)
	}
}

// TestCompareSpectraBetaZero checks that --beta 0 reaches the spectral
// experiments (it used to be replaced by the default β) and that the
// outputs record the build.
func TestCompareSpectraBetaZero(t *testing.T) {
	t.Parallel()
	for _, name := range []string{"ising-spectrum", "xy-spectrum"} {
		dir := t.TempDir()
		code, _, errOut := runCLI(t, "compare", name, "--out", dir, "--beta", "0", "--n", "10", "--ratios", "1", "--runs", "1")
		if code != 0 {
			t.Fatalf("%s: exit %d: %s", name, code, errOut)
		}
		raw, err := os.ReadFile(filepath.Join(dir, name+".json"))
		if err != nil {
			t.Fatal(err)
		}
		var v struct {
			Build  string `json:"build"`
			Config struct {
				Beta *float64 `json:"beta"`
			} `json:"config"`
		}
		if err := json.Unmarshal(raw, &v); err != nil || v.Config.Beta == nil || *v.Config.Beta != 0 || v.Build != version.Build() {
			t.Errorf("%s: JSON %v: config β %v, build %q, want β = 0 and build %q", name, err, v.Config.Beta, v.Build, version.Build())
		}
	}
}

package main

import (
	"bytes"
	"context"
	"encoding/json"
	"math"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
)

// cliMu serialises runs of the CLI: urfave/cli v2 applies its
// package-level help and version flags to every command's flag set, so two
// apps parsing at once race on them (seen with go test -race).
var cliMu sync.Mutex

// runCLI runs placecell with args and returns its exit status and output.
func runCLI(t *testing.T, args ...string) (int, string, string) {
	t.Helper()
	var out, errb bytes.Buffer
	cliMu.Lock()
	code := run(context.Background(), append([]string{"placecell"}, args...), &out, &errb)
	cliMu.Unlock()
	return code, out.String(), errb.String()
}

// TestThresholdPaperValues checks the acceptance line: at β = 0.5,
// N = 100 the edge rule gives r_c = (e^β − 1)² = 0.420839 and
// S_c = N/r_c = 237.620 (paper eqs 26–27, case PAP-2), and the BBP rule
// r_c = (e^(2β) − 1)² = 2.95249 (THEORY.md §3.10), each named.
func TestThresholdPaperValues(t *testing.T) {
	t.Parallel()
	code, out, errOut := runCLI(t, "threshold", "--model", "ising", "--beta", "0.5", "--n", "100")
	if code != 0 {
		t.Fatalf("exit %d: %s", code, errOut)
	}
	for _, want := range []string{"EdgeMatching", "0.420839", "237.62", "BBPFlatBulk", "2.95249", "33.8697"} {
		if !strings.Contains(out, want) {
			t.Errorf("threshold output lacks %q:\n%s", want, out)
		}
	}
	code, out, _ = runCLI(t, "threshold", "--beta", "0.5", "--n", "100", "--rule", "bbp")
	if code != 0 || strings.Contains(out, "EdgeMatching") || !strings.Contains(out, "BBPFlatBulk") {
		t.Errorf("--rule bbp: exit %d, output:\n%s", code, out)
	}
}

func TestThresholdJSON(t *testing.T) {
	t.Parallel()
	code, out, errOut := runCLI(t, "threshold", "--beta", "0.5", "--n", "20", "--format", "json")
	if code != 0 {
		t.Fatalf("exit %d: %s", code, errOut)
	}
	var v struct {
		Lambda float64 `json:"lambda"`
		Rows   []struct {
			Rule string  `json:"rule"`
			R    float64 `json:"r_c"`
			S    float64 `json:"S_c"`
		} `json:"rows"`
	}
	if err := json.Unmarshal([]byte(out), &v); err != nil {
		t.Fatalf("invalid JSON: %v\n%s", err, out)
	}
	// PAP-2: S_c = 47.52408 at N = 20; full precision in JSON.
	if len(v.Rows) != 2 || v.Rows[0].Rule != "EdgeMatching" || math.Abs(v.Rows[0].S-47.52408) > 1e-5 {
		t.Errorf("JSON rows = %+v, want EdgeMatching S_c = 47.52408 first", v.Rows)
	}
	if math.Abs(v.Lambda-math.E) > 1e-12 {
		t.Errorf("lambda = %v, want e", v.Lambda)
	}
}

// TestBadInput checks that bad flags and files give a one-line error and
// exit status 1, never a panic.
func TestBadInput(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	bad := filepath.Join(dir, "bad.txt")
	os.WriteFile(bad, []byte("1 -1 1\n1 -1\n"), 0o644)
	os.WriteFile(filepath.Join(dir, "small.txt"), []byte("1 -1 1\n1 1 -1\n"), 0o644)
	for i, c := range []struct {
		args []string
		want string
	}{
		{[]string{"threshold", "--beta", "-1"}, "--beta"},
		{[]string{"threshold", "--n", "1"}, "--n"},
		{[]string{"threshold", "--rule", "magic"}, "--rule"},
		{[]string{"threshold", "--format", "xml"}, "--format"},
		{[]string{"threshold", "--model", "potts"}, "--model"},
		{[]string{"spectrum", bad}, "line 2"},
		{[]string{"spectrum", filepath.Join(dir, "missing.npy")}, "missing.npy"},
		{[]string{"spectrum", bad, "--top", "3"}, "put options before arguments"},
		{[]string{"sample", "--n", "10"}, "--out"},
		{[]string{"sample", "--samples", "0", "--out", filepath.Join(dir, "x.npy")}, "--samples"},
		{[]string{"train", "--samples", "5", "--batch", "10", "--n", "10"}, "--batch"},
		{[]string{"train", "--nu", "0"}, "--nu"},
		{[]string{"compare", "retarded", "--ratios", "0.1,-1", "--out", dir}, "ratio"},
		{[]string{"compare", "retarded", "--ratios", "0.3,0.2999", "--out", dir}, "both give S = 67"},
		{[]string{"compare", "retarded", "--sampler", "heatbath", "--beta", "10", "--out", dir}, "use the exact sampler"},
		{[]string{"compare", "growth", "--samples", "50", "--out", dir}, "--batch"},
		{[]string{"compare", "--workers", "-3", "--out", dir}, "--workers"},
		{[]string{"compare", "retarded", "--ratios", "2,abc"}, "compare retarded --help"},
		{[]string{"sample", "--n", "100", "--samples", "2", "--sampler", "heatbath", "--beta", "5", "--out", filepath.Join(dir, "h.txt")}, "use --sampler exact"},
		{[]string{"sample", "--n", "10", "--samples", "2", "--burn-in", "5", "--out", filepath.Join(dir, "h.txt")}, "heatbath only"},
		{[]string{"spectrum", "--top", "50", filepath.Join(dir, "small.txt")}, "--top 50 exceeds"},
		{[]string{"train", "--n", "50", filepath.Join(dir, "small.txt")}, "--n does not apply"},
	} {
		code, _, errOut := runCLI(t, c.args...)
		if code != 1 {
			t.Errorf("%d %v: exit %d, want 1", i, c.args, code)
		}
		if !strings.Contains(errOut, c.want) || strings.Count(strings.TrimSpace(errOut), "\n") > 0 {
			t.Errorf("%d %v: error %q, want one line mentioning %q", i, c.args, errOut, c.want)
		}
	}
}

// TestSampleSpectrumRoundTrip writes a data set, reads it back through
// spectrum, and checks the empirical top eigenvalue lies near the exact
// λ₀ = e^(2β)(1−ρ^N)/(1+ρ^N) (THEORY.md §2.2): with S = 20000 and
// N = 20 the sampling error of the top eigenvalue is a few per cent at most
// (Marchenko–Pastur scale √r = 0.03).
func TestSampleSpectrumRoundTrip(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	for _, name := range []string{"d.npy", "d.txt"} {
		path := filepath.Join(dir, name)
		code, out, errOut := runCLI(t, "sample", "--n", "20", "--beta", "0.5", "--samples", "20000", "--seed", "3", "--out", path)
		if code != 0 {
			t.Fatalf("sample: exit %d: %s", code, errOut)
		}
		if !strings.Contains(out, "20000 configurations") {
			t.Errorf("sample output: %s", out)
		}
		meta, err := os.ReadFile(path + ".json")
		if err != nil || !strings.Contains(string(meta), `"seed": 3`) {
			t.Errorf("provenance sidecar missing or without seed: %v %s", err, meta)
		}
		code, out, errOut = runCLI(t, "spectrum", "--format", "json", "--top", "2", path)
		if code != 0 {
			t.Fatalf("spectrum: exit %d: %s", code, errOut)
		}
		var v struct {
			Empirical struct {
				Rows []struct {
					Eigenvalue float64 `json:"eigenvalue"`
				} `json:"rows"`
			} `json:"empirical"`
		}
		if err := json.Unmarshal([]byte(out), &v); err != nil || len(v.Empirical.Rows) != 2 {
			t.Fatalf("spectrum JSON: %v\n%s", err, out)
		}
		rho := math.Tanh(0.5)
		lambda0 := math.Exp(1) * (1 - math.Pow(rho, 20)) / (1 + math.Pow(rho, 20))
		if got := v.Empirical.Rows[0].Eigenvalue; math.Abs(got-lambda0) > 0.1*lambda0 {
			t.Errorf("%s: top empirical eigenvalue = %v, want near %v", name, got, lambda0)
		}
	}
}

// TestTrainWritesTrajectory runs a short exact-phase training and checks
// the outputs exist and record the seed.
func TestTrainWritesTrajectory(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	prefix := filepath.Join(dir, "run")
	code, out, errOut := runCLI(t, "train", "--n", "12", "--beta", "0.5", "--samples", "200", "--epochs", "2",
		"--nu", "0.01", "--chains", "10", "--sweeps", "2", "--record-every", "10", "--seed", "9", "--out", prefix)
	if code != 0 {
		t.Fatalf("train: exit %d: %s", code, errOut)
	}
	if !strings.Contains(out, "40 updates") {
		t.Errorf("train output lacks the update count (2 epochs × 200/10):\n%s", out)
	}
	js, err := os.ReadFile(prefix + ".json")
	if err != nil {
		t.Fatal(err)
	}
	var v struct {
		Seed    uint64 `json:"seed"`
		Records []struct {
			Update int `json:"update"`
		} `json:"records"`
	}
	if err := json.Unmarshal(js, &v); err != nil {
		t.Fatal(err)
	}
	// Records at updates 0, 10, 20, 30, 40.
	if v.Seed != 9 || len(v.Records) != 5 || v.Records[4].Update != 40 {
		t.Errorf("run.json: seed %d, %d records, want seed 9 and 5 records ending at 40", v.Seed, len(v.Records))
	}
	if st, err := os.Stat(prefix + "-weights.npy"); err != nil || st.Size() < 5*12*8 {
		t.Errorf("weights file: %v", err)
	}
}

// TestHeatBathExplicitSettings checks that explicit --burn-in and --spacing
// make the heat bath usable even where its default burn-in (10τ_M, τ_M =
// (1 + e^(4β))/2 ≈ 10³⁴ at β = 20) could not be represented, instead of
// panicking, and that the report directory is only created by a run that
// got past validation.
func TestHeatBathExplicitSettings(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	out := filepath.Join(dir, "x.txt")
	code, _, errOut := runCLI(t, "sample", "--n", "10", "--samples", "2", "--sampler", "heatbath", "--beta", "20",
		"--burn-in", "10", "--spacing", "1", "--out", out)
	if code != 0 {
		t.Fatalf("exit %d: %s", code, errOut)
	}
	if !strings.Contains(errOut, "warning: spacing 1 sweeps is below the default") {
		t.Errorf("no correlation warning for a spacing far below τ_M: %q", errOut)
	}
	report := filepath.Join(dir, "report")
	if code, _, _ := runCLI(t, "compare", "retarded", "--ratios", "0", "--out", report); code != 1 {
		t.Errorf("invalid ratio: exit %d, want 1", code)
	}
	if _, err := os.Stat(report); !os.IsNotExist(err) {
		t.Errorf("report directory created by a rejected configuration: %v", err)
	}
}

// readJSON decodes the JSON file at path into a T, failing the test on error.
func readJSON[T any](t *testing.T, path string) T {
	t.Helper()
	var v T
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	if err := json.Unmarshal(b, &v); err != nil {
		t.Fatalf("%s: %v", path, err)
	}
	return v
}

package main

import (
	"encoding/json"
	"math"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"placecell/internal/version"
	"placecell/ring"
	"placecell/spectral"
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

// wrappedXY is the XY ring under another name, a stand-in for a third
// model with more than two states: no command may recognise it by type.
type wrappedXY struct{ ring.XY }

func (wrappedXY) Name() string { return "xywrap" }

func init() {
	ring.RegisterModel(ring.ModelSpec{
		Name: "xywrap", Order: 1000, Usage: "test model: the XY ring under another name",
		Defaults: []ring.Param{{Name: "n", Value: 30}, {Name: "p", Value: 10}, {Name: "beta", Value: 1.5}},
		New: func(p map[string]float64) (ring.Model, error) {
			return wrappedXY{ring.XY{N: int(p["n"]), P: int(p["p"]), Beta: p["beta"]}}, nil
		},
	})
}

// TestThirdModel checks that a registered model the commands do not know
// by type gets the generic treatment: it is listed in the usage lines,
// threshold shows both null rules unless they coincide and never calls
// 10-state data two-state, the data-file noise table does not cite the ±1
// formula, and the heat bath is offered through ring.HeatBather.
func TestThirdModel(t *testing.T) {
	t.Parallel()
	code, out, errOut := runCLI(t, "threshold", "--model", "xywrap", "--ratios", "0.1")
	if code != 0 {
		t.Fatalf("threshold: exit %d: %s", code, errOut)
	}
	if strings.Contains(out, "two-state") || !strings.Contains(out, "coincides with EdgeMatching for xywrap") {
		t.Errorf("threshold output names the wrong reason for one null rule:\n%s", out)
	}
	code, out, _ = runCLI(t, "sample", "--help")
	if code != 0 || !strings.Contains(out, "ising|xy|bump|curieweiss|xywrap") || !strings.Contains(out, "heatbath (ising and xy and xywrap)") {
		t.Errorf("sample --help does not list every model and heat bath:\n%s", out)
	}
	dir := t.TempDir()
	path := filepath.Join(dir, "w.txt")
	code, _, errOut = runCLI(t, "sample", "--model", "xywrap", "--samples", "50", "--sampler", "heatbath", "--burn-in", "5", "--spacing", "300", "--out", path)
	if code != 0 {
		t.Fatalf("sample --sampler heatbath: exit %d: %s", code, errOut)
	}
	code, out, errOut = runCLI(t, "spectrum", "--model", "xywrap", "--top", "1", path)
	if code != 0 || strings.Contains(out, "eq 25") || !strings.Contains(out, "independent-site null") {
		t.Errorf("spectrum of xywrap data: exit %d %s\n%s", code, errOut, out)
	}
}

// TestModelFlags checks that a flag for a parameter the model does not
// have is an error naming the model's parameters, in every command that
// builds a model, and that the other command-specific options are checked.
func TestModelFlags(t *testing.T) {
	t.Parallel()
	for i, c := range []struct {
		args []string
		want string
	}{
		{[]string{"threshold", "--model", "curieweiss", "--beta", "0.9"}, "--beta does not apply to --model curieweiss (its parameters: n (--n), betaj (--param betaj=v))"},
		{[]string{"threshold", "--model", "bump", "--beta", "2"}, "--beta does not apply to --model bump"},
		{[]string{"threshold", "--p", "5"}, "--p does not apply to --model ising (its parameters: n (--n), beta (--beta))"},
		{[]string{"spectrum", "--model", "bump", "--p", "3"}, "--p does not apply"},
		{[]string{"sample", "--model", "curieweiss", "--beta", "1", "--out", "x.txt"}, "--beta does not apply"},
		{[]string{"train", "--model", "bump", "--beta", "1"}, "--beta does not apply"},
		{[]string{"threshold", "--model", "xy", "--p", "5", "--param", "p=6"}, "give it once"},
		{[]string{"threshold", "--model", "xy", "--band", "2"}, "--band applies to --model ising only"},
		{[]string{"spectrum", "--top", "2"}, "--top applies to a data file only"},
		// One "placecell" in the pointer to the help (it was doubled).
		{[]string{"threshold", "--ratios", "abc"}, "(see placecell threshold --help)"},
		{[]string{"compare", "retarded", "--ratios", "abc"}, "(see placecell compare retarded --help)"},
	} {
		code, _, errOut := runCLI(t, c.args...)
		if code != 1 || !strings.Contains(errOut, c.want) || strings.Count(errOut, "\n") > 1 {
			t.Errorf("case %d %v: exit %d, error %q, want one line containing %q", i, c.args, code, errOut, c.want)
		}
	}
	// Flags of the model's own parameters still work: β of curieweiss
	// through --param changes Λ.
	_, a, _ := runCLI(t, "threshold", "--model", "curieweiss", "--rule", "edge", "--ratios", "1", "--format", "json")
	_, b, _ := runCLI(t, "threshold", "--model", "curieweiss", "--param", "betaj=0.9", "--rule", "edge", "--ratios", "1", "--format", "json")
	if a == b || !strings.Contains(b, `"betaj": 0.9`) {
		t.Errorf("--param betaj=0.9 had no effect:\n%s", b)
	}
}

// TestSpectrumLabels checks the labelling fixes: the random baseline of the
// band weight counts distinct modes (N = 2, band 1: both modes, so 1, not
// (2K+1)/N = 1.5), --r beside a data file is named in the noise title with
// the data's own r, S = 1 of centred data is flagged, and a long group of
// modes is abbreviated with its count.
func TestSpectrumLabels(t *testing.T) {
	t.Parallel()
	_, out, _ := runCLI(t, "threshold", "--n", "2", "--band", "1", "--ratios", "0.1")
	if !strings.Contains(out, "random 1 and 0.5") {
		t.Errorf("threshold --n 2: random baseline not 1:\n%s", out)
	}
	dir := t.TempDir()
	path := filepath.Join(dir, "i.txt")
	if code, _, errOut := runCLI(t, "sample", "--n", "20", "--samples", "100", "--out", path); code != 0 {
		t.Fatal(errOut)
	}
	// r = N/S = 20/100 = 0.2 for the file.
	_, out, _ = runCLI(t, "spectrum", "--r", "0.3", path)
	if !strings.Contains(out, "r = 0.3 from --r, not the data file's r = N/S = 0.2") {
		t.Errorf("spectrum --r with a data file is not labelled:\n%s", out)
	}
	path = filepath.Join(dir, "x.txt")
	if code, _, errOut := runCLI(t, "sample", "--model", "xy", "--n", "10", "--samples", "1", "--out", path); code != 0 {
		t.Fatal(errOut)
	}
	_, out, _ = runCLI(t, "spectrum", "--model", "xy", path)
	if !strings.Contains(out, "warning: with S = 1 configuration") {
		t.Errorf("S = 1 Pearson data not flagged:\n%s", out)
	}
	modes := make([]spectral.Mode, 100)
	for k := range modes {
		modes[k] = spectral.Mode{K: k}
	}
	if got, want := modeList(modes), "{(0,0) (1,0) (2,0) (3,0) (4,0) (5,0) … (98,0) (99,0)} (100 modes)"; got != want {
		t.Errorf("modeList(100 modes) = %q, want %q", got, want)
	}
	if got, want := modeList(modes[:3]), "{(0,0) (1,0) (2,0)}"; got != want {
		t.Errorf("modeList(3 modes) = %q, want %q", got, want)
	}
}

// TestCSVOneTable checks that --format csv prints one table, so that the
// stream parses as CSV with a single header after the '#' lines: the main
// table by default, another with --table; an unknown table, or --table
// without csv, is an error.
func TestCSVOneTable(t *testing.T) {
	t.Parallel()
	for i, c := range []struct {
		args   []string
		header string
		rows   int
	}{
		{[]string{"threshold", "--format", "csv", "--ratios", "0.1,0.01"}, "rule,r_c,S_c,criterion", 2},
		{[]string{"threshold", "--format", "csv", "--ratios", "0.1,0.01", "--table", "crossover"}, "r,S,noise_edge,x_plus,band_weight,uniform_weight", 2},
		{[]string{"threshold", "--format", "csv", "--table", "separation"}, "rule,group,lambda_G,r_c,S_c", 2},
		{[]string{"spectrum", "--format", "csv", "--modes", "4", "--r", "0.1"}, "k,q_k,multiplicity,lambda_k,sigma_k", 4},
		{[]string{"spectrum", "--format", "csv", "--r", "0.1", "--table", "noise"}, "rule,value,meaning", 4},
	} {
		code, out, errOut := runCLI(t, c.args...)
		var body []string
		for _, l := range strings.Split(strings.TrimSpace(out), "\n") {
			if !strings.HasPrefix(l, "#") {
				body = append(body, l)
			}
		}
		if code != 0 || len(body) != 1+c.rows || body[0] != c.header || !strings.Contains(out, "# build: "+version.Build()) {
			t.Errorf("case %d %v: exit %d %s, table lines %q, want header %q and %d rows", i, c.args, code, errOut, body, c.header, c.rows)
		}
	}
	for i, args := range [][]string{
		{"threshold", "--format", "csv", "--table", "exact"},
		{"spectrum", "--table", "noise", "--r", "0.1"},
	} {
		if code, _, errOut := runCLI(t, args...); code != 1 || !strings.Contains(errOut, "--table") {
			t.Errorf("case %d %v: exit %d, error %q, want a --table error", i, args, code, errOut)
		}
	}
}

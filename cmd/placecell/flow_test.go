package main

import (
	"bytes"
	"context"
	"encoding/csv"
	"encoding/json"
	"math"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"codeberg.org/sbinet/npyio"

	"placecell/internal/version"
	"placecell/ring"
)

// TestFieldVerdicts checks the acceptance lines: placecell field
// reports b− stable and b+ unstable (THEORY.md §5.3), the N = 100 lattice
// bump with peak 0.919593 and Σŵ² = 2.400121 (§5.4), and the unstable
// uniform modes n = 1, 2, 3 (§5.5).
func TestFieldVerdicts(t *testing.T) {
	t.Parallel()
	code, out, errOut := runCLI(t, "field", "--hidden", "1")
	if code != 0 {
		t.Fatalf("exit %d: %s", code, errOut)
	}
	for _, want := range []string{"b- = 2.343146: stable", "b+ = 13.656854: unstable", "0.9195927", "2.400121",
		"unstable lattice modes n = [1 2 3]", "translation", "M = 1: stable, localised"} {
		if !strings.Contains(out, want) {
			t.Errorf("field output lacks %q:\n%s", want, out)
		}
	}
	code, out, errOut = runCLI(t, "field", "--hidden", "2", "--format", "json", "--beta", "0.04")
	if code != 0 {
		t.Fatalf("exit %d: %s", code, errOut)
	}
	var v struct {
		Continuum struct {
			Rows []struct {
				Solution string  `json:"solution"`
				Verdict  string  `json:"verdict"`
				Top      float64 `json:"top_eigenvalue"`
			} `json:"rows"`
		} `json:"continuum"`
		Lattice struct {
			Rows []struct {
				M    int     `json:"M"`
				Peak float64 `json:"peak"`
			} `json:"rows"`
		} `json:"lattice"`
		Physical struct {
			Rows []struct {
				Quantity string  `json:"quantity"`
				Lattice  float64 `json:"lattice_M1"`
			} `json:"rows"`
		} `json:"physical"`
	}
	if err := json.Unmarshal([]byte(out), &v); err != nil {
		t.Fatalf("invalid JSON: %v\n%s", err, out)
	}
	if len(v.Continuum.Rows) != 2 || v.Continuum.Rows[0].Verdict != "stable" || v.Continuum.Rows[1].Verdict != "unstable" ||
		math.Abs(v.Continuum.Rows[1].Top-11.48) > 0.02 {
		t.Errorf("continuum rows %+v, want b− stable, b+ unstable with eigenvalue ≈ 11.48", v.Continuum.Rows)
	}
	if len(v.Lattice.Rows) != 3 {
		t.Fatalf("lattice rows %+v, want 1 + 2", v.Lattice.Rows)
	}
	for _, r := range v.Lattice.Rows {
		if math.Abs(r.Peak-0.919593) > 1e-5 {
			t.Errorf("lattice M = %d peak %v, want 0.919593", r.M, r.Peak)
		}
	}
	// Physical units at β = 0.04: peak 0.919593·√0.04 (THEORY.md §5.2).
	if len(v.Physical.Rows) == 0 || math.Abs(v.Physical.Rows[0].Lattice-0.919593*0.2) > 1e-5 {
		t.Errorf("physical rows %+v", v.Physical.Rows)
	}
}

// TestFlowOutputs runs each equation briefly and checks the files: the
// .npy shape (records, M, N), the CSV rows, the JSON sidecar with the seed
// and integrator statistics, and the PNG.
func TestFlowOutputs(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	for _, c := range []struct {
		args    []string
		m, n    int
		records int
	}{
		{[]string{"-e", "lattice", "--n", "40", "-m", "2", "--time", "50", "--records", "11"}, 2, 40, 11},
		{[]string{"-e", "continuum", "--n", "30", "--points", "120", "--time", "20", "--records", "5"}, 1, 120, 5},
		{[]string{"-e", "exact", "--n", "10", "--samples", "0", "--beta", "0.5", "--time", "5", "--records", "6"}, 1, 10, 6},
		{[]string{"-e", "exact", "--n", "30", "--samples", "500", "-m", "3", "--time", "3", "--records", "4"}, 3, 30, 4},
	} {
		prefix := filepath.Join(dir, strings.Join(c.args[:2], ""))
		args := append([]string{"flow", "--seed", "7", "--out", prefix}, c.args...)
		code, out, errOut := runCLI(t, args...)
		if code != 0 {
			t.Fatalf("%v: exit %d: %s", c.args, code, errOut)
		}
		if !strings.Contains(out, "steps") || !strings.Contains(out, prefix+".png") {
			t.Errorf("%v: output:\n%s", c.args, out)
		}
		f, err := os.Open(prefix + ".npy")
		if err != nil {
			t.Fatal(err)
		}
		r, err := npyio.NewReader(f)
		if err != nil {
			t.Fatal(err)
		}
		if sh := r.Header.Descr.Shape; len(sh) != 3 || sh[0] != c.records || sh[1] != c.m || sh[2] != c.n {
			t.Errorf("%v: npy shape %v, want [%d %d %d]", c.args, sh, c.records, c.m, c.n)
		}
		f.Close()
		csvb, err := os.ReadFile(prefix + ".csv")
		if err != nil {
			t.Fatal(err)
		}
		if lines := strings.Count(string(csvb), "\n"); lines != 3+c.records*c.m {
			t.Errorf("%v: %d CSV lines, want %d", c.args, lines, 3+c.records*c.m)
		}
		var side struct {
			Seed    uint64 `json:"seed"`
			Steps   int    `json:"steps"`
			Records []struct {
				T float64 `json:"t"`
			} `json:"records"`
		}
		js, err := os.ReadFile(prefix + ".json")
		if err != nil || json.Unmarshal(js, &side) != nil || side.Seed != 7 || side.Steps == 0 || len(side.Records) != c.records {
			t.Errorf("%v: sidecar %s (err %v)", c.args, js[:min(200, len(js))], err)
		}
		if st, err := os.Stat(prefix + ".png"); err != nil || st.Size() < 1000 {
			t.Errorf("%v: PNG missing: %v", c.args, err)
		}
	}
}

// TestFlowLatticeConverges checks that the default lattice run reaches the
// N = 100 bump of THEORY.md §5.4 (peak 0.91959 to 5 digits in the text
// table).
func TestFlowLatticeConverges(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	code, out, errOut := runCLI(t, "flow", "--out", filepath.Join(dir, "f"), "--time", "500")
	if code != 0 {
		t.Fatalf("exit %d: %s", code, errOut)
	}
	lines := strings.Split(strings.TrimSpace(out), "\n")
	last := lines[len(lines)-2]
	if !strings.Contains(last, "0.91959") || !strings.Contains(last, "2.4001") {
		t.Errorf("last record %q, want peak 0.91959 and Σŵ² 2.4001", last)
	}
}

// TestFlowFieldBadInput checks one-line errors for bad flags.
func TestFlowFieldBadInput(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	for i, c := range []struct {
		args []string
		want string
	}{
		{[]string{"flow", "--equation", "heat", "--out", filepath.Join(dir, "x")}, "--equation"},
		{[]string{"flow", "--hidden", "13"}, "--hidden"},
		{[]string{"flow", "--records", "1"}, "--records"},
		{[]string{"flow", "-e", "exact", "--samples", "0", "--n", "40"}, "N ≤ 20"},
		{[]string{"flow", "--method", "etdrk4", "--out", filepath.Join(dir, "x")}, "--method"},
		{[]string{"flow", "--time", "-3", "--out", filepath.Join(dir, "x")}, "--time"},
		{[]string{"flow", "--rtol", "1"}, "--rtol"},
		{[]string{"field", "--hidden", "9"}, "--hidden"},
		{[]string{"field", "--n", "5"}, "--n"},
		{[]string{"field", "extra"}, "unexpected argument"},
	} {
		code, _, errOut := runCLI(t, c.args...)
		if code != 1 || !strings.Contains(errOut, c.want) || strings.Count(strings.TrimSpace(errOut), "\n") > 0 {
			t.Errorf("%d %v: exit %d, error %q; want one line mentioning %q", i, c.args, code, errOut, c.want)
		}
	}
}

// TestFlowRejectsBadRanges checks one-line errors, before any work, for
// an end time beyond 10⁶ (1e308 made the output times overflow and
// panic; 1e9 ran 10⁷ steps for nothing), a σ₀ whose square or tolerance
// underflows, an empty output prefix (hidden files .csv, .npy, …), a
// trajectory too large to hold, and a data file with another equation.
func TestFlowRejectsBadRanges(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	x := filepath.Join(dir, "x")
	for i, c := range []struct {
		args []string
		want string
	}{
		{[]string{"flow", "--time", "1e308", "--out", x}, "--time"},
		{[]string{"flow", "--time", "1e9", "--out", x}, "--time"},
		{[]string{"flow", "--sigma0", "1e-320", "--out", x}, "--sigma0"},
		{[]string{"flow", "--sigma0", "1e-200", "--out", x}, "--sigma0"},
		{[]string{"flow", "--sigma0", "1e6", "--out", x}, "--sigma0"},
		{[]string{"flow", "--out", ""}, "--out"},
		{[]string{"flow", "--out", dir + "/"}, "--out"},
		{[]string{"flow", "-e", "continuum", "--points", "65536", "-m", "12", "--records", "1000", "--out", x}, "--records"},
		{[]string{"flow", "-e", "lattice", "--out", x, filepath.Join(dir, "d.txt")}, "--equation exact"},
		{[]string{"flow", "--max-steps", "-1", "--out", x}, "--max-steps"},
	} {
		code, _, errOut := runCLI(t, c.args...)
		if code != 1 || !strings.Contains(errOut, c.want) || strings.Count(strings.TrimSpace(errOut), "\n") > 0 {
			t.Errorf("%d %v: exit %d, error %q; want one line mentioning %q", i, c.args, code, errOut, c.want)
		}
	}
	if ents, _ := os.ReadDir(dir); len(ents) != 0 {
		t.Errorf("rejected runs wrote %d files in %s", len(ents), dir)
	}
}

// flowSidecar is the part of PREFIX.json the tests read.
type flowSidecar struct {
	Build     string `json:"build"`
	N         int    `json:"n"`
	Complete  bool   `json:"complete"`
	StoppedBy string `json:"stopped_by"`
	Requested int    `json:"requested_records"`
	Units     string `json:"units"`
	Params    struct {
		Length float64 `json:"length"`
		File   string  `json:"file"`
	} `json:"parameters"`
	Records []struct {
		T         float64     `json:"t"`
		W         []float64   `json:"W"`
		SumSq     []float64   `json:"sum_sq"`
		Peak      []float64   `json:"peak"`
		Amplitude [][]float64 `json:"fourier_amplitude_k0_to_3"`
	} `json:"records"`
}

func readSidecar(t *testing.T, path string) flowSidecar { return readJSON[flowSidecar](t, path) }

// npyShape returns the shape of the .npy file at path.
func npyShape(t *testing.T, path string) []int {
	t.Helper()
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	r, err := npyio.NewReader(f)
	if err != nil {
		t.Fatal(err)
	}
	return r.Header.Descr.Shape
}

// TestFlowPartialTrajectory checks that a run stopped early (by
// --max-steps, and by an interrupt) writes the trajectory it has, marked
// incomplete, and fails with a message naming the files.
func TestFlowPartialTrajectory(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	prefix := filepath.Join(dir, "p")
	code, _, errOut := runCLI(t, "flow", "--max-steps", "40", "--time", "400", "--out", prefix)
	if code != 1 || !strings.Contains(errOut, "partial trajectory") || !strings.Contains(errOut, prefix+".csv") {
		t.Fatalf("--max-steps 40: exit %d, error %q; want a failure naming the partial files", code, errOut)
	}
	s := readSidecar(t, prefix+".json")
	if s.Complete || !strings.Contains(s.StoppedBy, "maximum number of steps") || s.Requested != 101 {
		t.Errorf("sidecar complete %v, stopped by %q, requested %d; want incomplete, stopped by the step limit, 101 requested",
			s.Complete, s.StoppedBy, s.Requested)
	}
	k := len(s.Records)
	if k < 2 || k >= 101 || s.Records[k-1].T >= 400 {
		t.Errorf("partial run kept %d records ending at τ = %v; want 2 ≤ records < 101 ending before 400", k, s.Records[k-1].T)
	}
	if sh := npyShape(t, prefix+".npy"); len(sh) != 3 || sh[0] != k {
		t.Errorf("partial npy shape %v, want %d records", sh, k)
	}

	// An interrupt before the first step still writes the initial state.
	prefix = filepath.Join(dir, "i")
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	var o, e bytes.Buffer
	cliMu.Lock()
	code = run(ctx, []string{"placecell", "flow", "--out", prefix}, &o, &e)
	cliMu.Unlock()
	if code != 1 || !strings.Contains(e.String(), "context canceled") {
		t.Errorf("interrupted: exit %d, error %q", code, e.String())
	}
	if s := readSidecar(t, prefix+".json"); s.Complete || len(s.Records) != 1 {
		t.Errorf("interrupted: complete %v with %d records, want the initial state only, incomplete", s.Complete, len(s.Records))
	}
}

// TestFlowTableFormats checks the machine-readable table: ASCII column
// names (tau, not τ) and full precision (the CSV peak of the last record
// equals the sidecar's to the last bit), and the build identifier in the
// sidecar (internal/version.Build of this test binary).
func TestFlowTableFormats(t *testing.T) {
	t.Parallel()
	prefix := filepath.Join(t.TempDir(), "f")
	code, out, errOut := runCLI(t, "flow", "--time", "60", "--format", "csv", "--out", prefix)
	if code != 0 {
		t.Fatalf("exit %d: %s", code, errOut)
	}
	var body []string
	for _, l := range strings.Split(out, "\n") {
		if !strings.HasPrefix(l, "#") && l != "" {
			body = append(body, l)
		}
	}
	rows, err := csv.NewReader(strings.NewReader(strings.Join(body, "\n"))).ReadAll()
	if err != nil || len(rows) < 2 {
		t.Fatalf("CSV %q: %v", out, err)
	}
	for _, h := range rows[0] {
		for _, r := range h {
			if r > 127 {
				t.Errorf("CSV column %q is not ASCII", h)
			}
		}
	}
	if rows[0][0] != "tau" || rows[0][8] != "centre_unwrapped" {
		t.Errorf("CSV head %v, want tau … centre_unwrapped", rows[0])
	}
	s := readSidecar(t, prefix+".json")
	got, err := strconv.ParseFloat(rows[len(rows)-1][4], 64)
	if want := s.Records[len(s.Records)-1].Peak[0]; err != nil || got != want {
		t.Errorf("CSV peak %v (%v), sidecar %v: want the same float64", rows[len(rows)-1][4], err, want)
	}
	if s.Build == "" || s.Build != version.Build() {
		t.Errorf("sidecar build %q, want %q", s.Build, version.Build())
	}
	if !strings.Contains(out, "# build: "+version.Build()) {
		t.Errorf("CSV table lacks the build line:\n%s", out)
	}
}

// TestFlowFourierNormalisation checks that the k = 0 Fourier amplitude is
// W/√N on the lattice and W/√L on the continuum (W = |∫w dx| there), and
// that the listed squares never exceed sum_sq (Parseval, THEORY.md §1.4:
// all squares sum to Σw², or ∫w²).
func TestFlowFourierNormalisation(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	for _, c := range []struct {
		args   []string
		length float64
	}{
		{[]string{"-e", "lattice", "--n", "40", "--time", "60"}, 40},
		{[]string{"-e", "continuum", "--n", "30", "--points", "120", "--time", "60"}, 30},
	} {
		prefix := filepath.Join(dir, c.args[1])
		code, _, errOut := runCLI(t, append([]string{"flow", "--records", "5", "--out", prefix}, c.args...)...)
		if code != 0 {
			t.Fatalf("%v: exit %d: %s", c.args, code, errOut)
		}
		for _, r := range readSidecar(t, prefix+".json").Records {
			a := r.Amplitude[0]
			if want := r.W[0] / math.Sqrt(c.length); math.Abs(a[0]-want) > 1e-12*math.Max(1, want) {
				t.Errorf("%s τ = %v: amplitude k = 0 %v, want W/√L = %v", c.args[1], r.T, a[0], want)
			}
			var sq float64
			for _, v := range a {
				sq += v * v
			}
			if sq > r.SumSq[0]*(1+1e-12) {
				t.Errorf("%s τ = %v: Σ_k≤3 amplitude² = %v exceeds sum_sq = %v", c.args[1], r.T, sq, r.SumSq[0])
			}
		}
	}
}

// TestFlowExactDataFile checks that the exact equation reads a data file:
// the file holding the same exact samples that --samples S --data-seed d
// draws (ring.Generate with that seed) gives the same trajectory, to the
// last bit, with N taken from the file.
func TestFlowExactDataFile(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	data := ring.Generate(ring.NewExact(ring.Ising{N: 12, Beta: 0.7}), 300, 9)
	path := filepath.Join(dir, "d.txt")
	var buf bytes.Buffer
	if err := ring.WriteSpins(&buf, data, ring.FormatOf(path), nil); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(path, buf.Bytes(), 0o644); err != nil {
		t.Fatal(err)
	}
	a, b := filepath.Join(dir, "a"), filepath.Join(dir, "b")
	common := []string{"flow", "-e", "exact", "-m", "2", "--time", "4", "--records", "5"}
	if code, _, e := runCLI(t, append(common, "--out", a, path)...); code != 0 {
		t.Fatalf("data file: exit %d: %s", code, e)
	}
	if code, _, e := runCLI(t, append(common, "--out", b, "--n", "12", "--beta", "0.7", "--samples", "300", "--data-seed", "9")...); code != 0 {
		t.Fatalf("samples: exit %d: %s", code, e)
	}
	fa, _ := os.ReadFile(a + ".npy")
	fb, _ := os.ReadFile(b + ".npy")
	if len(fa) == 0 || !bytes.Equal(fa, fb) {
		t.Errorf("trajectory from the data file differs from the one of the same samples drawn in place")
	}
	if s := readSidecar(t, a+".json"); s.N != 12 || s.Params.File != path {
		t.Errorf("sidecar N = %d, file %q; want 12 and %s", s.N, s.Params.File, path)
	}
	if code, _, e := runCLI(t, append(common, "--out", a, "--n", "20", path)...); code != 1 || !strings.Contains(e, "--n") {
		t.Errorf("--n beside a data file: exit %d, error %q", code, e)
	}
}

// TestFieldGuards checks that field refuses rings without a Turing-unstable
// mode (N ≤ 8, appendix A: the uniform state is stable there, so the
// "solution" would be the uniform state labelled stable) and sizes whose
// dense Jacobian is too large (M·N > 800), before any work; that a ring
// just above the threshold (N = 9) labels its M = 1 field as extended
// (FWHM ≥ N/2) rather than localised; and that the output carries the
// build identifier (internal/version.Build).
func TestFieldGuards(t *testing.T) {
	t.Parallel()
	for i, c := range []struct {
		args []string
		want string
	}{
		{[]string{"field", "--n", "8", "--hidden", "1"}, "N ≥ 9"},
		{[]string{"field", "--n", "1500"}, "M·N"},
		{[]string{"field", "--n", "10000", "--hidden", "6"}, "M·N"},
	} {
		code, _, errOut := runCLI(t, c.args...)
		if code != 1 || !strings.Contains(errOut, c.want) || strings.Count(strings.TrimSpace(errOut), "\n") > 0 {
			t.Errorf("%d %v: exit %d, error %q; want one line mentioning %q", i, c.args, code, errOut, c.want)
		}
	}
	code, out, errOut := runCLI(t, "field", "--n", "9", "--hidden", "1", "--format", "json")
	if code != 0 {
		t.Fatalf("--n 9: exit %d: %s", code, errOut)
	}
	var v struct {
		Build   string `json:"build"`
		Lattice struct {
			Rows []struct {
				Shape string  `json:"shape"`
				FWHM  float64 `json:"FWHM"`
			} `json:"rows"`
		} `json:"lattice"`
	}
	if err := json.Unmarshal([]byte(out), &v); err != nil {
		t.Fatalf("invalid JSON: %v", err)
	}
	if len(v.Lattice.Rows) != 1 || v.Lattice.Rows[0].Shape != "extended" || v.Lattice.Rows[0].FWHM < 4.5 {
		t.Errorf("N = 9 lattice rows %+v, want one extended field with FWHM ≥ N/2", v.Lattice.Rows)
	}
	if v.Build != version.Build() {
		t.Errorf("build %q, want %q", v.Build, version.Build())
	}
}

// TestFieldCSVOneTable checks that field --format csv prints a single
// table (one header line, the lattice table by default, another with
// --table), as threshold and spectrum do.
func TestFieldCSVOneTable(t *testing.T) {
	t.Parallel()
	for _, c := range []struct {
		table, header string
	}{
		{"", "M,unit,peak,sum_sq,"},
		{"uniform", "n,k,lattice_rate,continuum_rate,unstable"},
	} {
		args := []string{"field", "--n", "20", "--hidden", "1", "--format", "csv"}
		if c.table != "" {
			args = append(args, "--table", c.table)
		}
		code, out, errOut := runCLI(t, args...)
		if code != 0 {
			t.Fatalf("%v: exit %d: %s", args, code, errOut)
		}
		var headers []string
		for _, line := range strings.Split(out, "\n") {
			if line != "" && !strings.HasPrefix(line, "#") && !strings.ContainsAny(line[:1], "0123456789-") {
				headers = append(headers, line)
			}
		}
		if len(headers) != 1 || !strings.HasPrefix(headers[0], c.header) {
			t.Errorf("%v: header lines %q, want one starting %q", args, headers, c.header)
		}
	}
}

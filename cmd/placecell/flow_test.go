package main

import (
	"encoding/json"
	"math"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"codeberg.org/sbinet/npyio"
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
		"unstable lattice modes n = [1 2 3]", "translation"} {
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

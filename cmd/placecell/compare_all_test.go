package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestCompareAllSubset runs "compare --all" on the quick theory-only
// experiment and checks the report (a contents table, the section with its
// figure), that the figure alias names the same experiment, that a second
// invocation resumes, and the one-line errors of bad selections.
func TestCompareAllSubset(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	code, out, errOut := runCLI(t, "compare", "--all", "--only", "fig14a", "--out", dir)
	if code != 0 {
		t.Fatalf("exit %d: %s", code, errOut)
	}
	if !strings.Contains(out, "lattice500: done") || !strings.Contains(out, "all 1 experiments done") {
		t.Errorf("output:\n%s", out)
	}
	if errOut != "" {
		t.Errorf("progress written to a non-terminal stderr: %q", errOut)
	}
	rep, err := os.ReadFile(filepath.Join(dir, "report.md"))
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{"# placecell report", "![500 steps](lattice500.png)", "| quantity | paper | measured | verdict |"} {
		if !strings.Contains(string(rep), want) {
			t.Errorf("report lacks %q", want)
		}
	}
	for _, f := range []string{"lattice500.png", "lattice500.csv", "lattice500.json"} {
		if _, err := os.Stat(filepath.Join(dir, f)); err != nil {
			t.Errorf("missing %s: %v", f, err)
		}
	}
	code, out, errOut = runCLI(t, "compare", "fig14a", "--steps", "50", "--out", dir)
	if code != 0 || !strings.Contains(out, "lattice500: done") {
		t.Errorf("alias fig14a: exit %d, %s %s", code, out, errOut)
	}
	for i, c := range []struct {
		args []string
		want string
	}{
		{[]string{"compare", "--all", "--only", "fig99", "--out", dir}, "unknown experiment"},
		{[]string{"compare", "--all", "--only", "lattice500", "--skip", "fig14a", "--out", dir}, "no experiment left"},
		{[]string{"compare", "--only", "lattice500", "--out", dir}, "--all only"},
	} {
		code, _, errOut := runCLI(t, c.args...)
		if code != 1 || !strings.Contains(errOut, c.want) {
			t.Errorf("%d %v: exit %d, error %q; want 1 and %q", i, c.args, code, errOut, c.want)
		}
	}
}

func TestSelectExperimentsPaperOrder(t *testing.T) {
	t.Parallel()
	sel, err := selectExperiments(nil, nil)
	if err != nil {
		t.Fatal(err)
	}
	if len(sel) != len(experiments) {
		t.Fatalf("--all selects %d of %d experiments", len(sel), len(experiments))
	}
	// Every figure of the issue is reproduced by a registered experiment.
	have := map[string]bool{}
	for _, e := range sel {
		have[e.name] = true
	}
	for _, n := range []string{"rf", "fwhm", "tiling", "diffusion", "codiffusion", "wbeta", "retarded", "xyrf", "xytiling", "xythreshold", "lattice500"} {
		if !have[n] {
			t.Errorf("experiment %s is not registered", n)
		}
	}
	last := 0
	for _, e := range sel {
		f, ok := paperFigures[e.name]
		if !ok {
			continue
		}
		if f.rank < last {
			t.Errorf("%s out of the paper's order", e.name)
		}
		last = f.rank
	}
}

func TestAnchor(t *testing.T) {
	t.Parallel()
	if got, want := anchor("One receptive field (paper Fig. 3a)"), "one-receptive-field-paper-fig-3a"; got != want {
		t.Errorf("anchor = %q, want %q", got, want)
	}
}

// TestXYRunsRejected checks that --runs, which the single-panel XY
// experiments cannot honour, is an error rather than silently ignored.
func TestXYRunsRejected(t *testing.T) {
	t.Parallel()
	for _, name := range []string{"xyrf", "xytiling"} {
		code, _, errOut := runCLI(t, "compare", name, "--runs", "3", "--out", t.TempDir())
		if code != 1 || !strings.Contains(errOut, "--runs does not apply to "+name) {
			t.Errorf("compare %s --runs 3: exit %d, error %q", name, code, errOut)
		}
	}
}

// TestCompareUnknownExperiment checks that a misspelt experiment name gets
// one line listing the valid names.
func TestCompareUnknownExperiment(t *testing.T) {
	t.Parallel()
	code, _, errOut := runCLI(t, "compare", "--out", t.TempDir(), "fig3")
	if code != 1 || !strings.Contains(errOut, `unknown experiment "fig3"`) || !strings.Contains(errOut, "rfshape") ||
		strings.Count(strings.TrimSpace(errOut), "\n") > 0 {
		t.Errorf("compare fig3: exit %d, error %q; want one line listing the experiments", code, errOut)
	}
}

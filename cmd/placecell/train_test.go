package main

import (
	"bytes"
	"errors"
	"fmt"
	"math"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"placecell/compare/rbm"
)

// TestTrainResumeCLI interrupts a run after 30 updates (the hidden
// --stop-after option stands for Ctrl-C), resumes it with --resume, and
// checks that every output array equals that of an uninterrupted run byte
// for byte.
func TestTrainResumeCLI(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	args := []string{"train", "--n", "16", "--beta", "0.8", "--samples", "300", "--epochs", "3", "--nu", "0.02",
		"--hidden", "2", "--chains", "8", "--sweeps", "2", "--record-every", "10", "--seed", "4", "--checkpoint-every", "0"}
	whole := filepath.Join(dir, "whole")
	if code, _, errOut := runCLI(t, append(args, "--out", whole)...); code != 0 {
		t.Fatalf("uninterrupted run: exit %d: %s", code, errOut)
	}
	part := filepath.Join(dir, "part")
	code, _, errOut := runCLI(t, append(args, "--out", part, "--stop-after", "30")...)
	if code == 0 || !strings.Contains(errOut, "placecell train --resume "+part) {
		t.Fatalf("interrupted run: exit %d, stderr %q; want the resume hint", code, errOut)
	}
	code, out, errOut := runCLI(t, "train", "--resume", part)
	if code != 0 || !strings.Contains(out, "resuming") || !strings.Contains(out, "90 updates") {
		t.Fatalf("resume: exit %d: %s\n%s", code, errOut, out)
	}
	for _, name := range []string{"weights", "fields", "hidden", "fourier"} {
		a, err1 := os.ReadFile(whole + "-" + name + ".npy")
		b, err2 := os.ReadFile(part + "-" + name + ".npy")
		if err1 != nil || err2 != nil || !bytes.Equal(a, b) {
			t.Errorf("%s: resumed array differs from the uninterrupted one (%v, %v)", name, err1, err2)
		}
	}
	r1, err := rbm.Load(whole)
	if err != nil {
		t.Fatal(err)
	}
	r2, err := rbm.Load(part)
	if err != nil {
		t.Fatal(err)
	}
	if len(r1.Records) != len(r2.Records) || r1.Final().Update != 90 {
		t.Errorf("records: %d and %d", len(r1.Records), len(r2.Records))
	}
}

// TestTrainModes runs the XY (Potts) data with a double-well unit, PGM
// mode, tempering, CD and the exact phase with observables, checking the
// summary names them.
func TestTrainModes(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	for _, c := range []struct {
		args []string
		want []string
	}{
		{[]string{"--model", "xy", "--n", "12", "--p", "4", "--beta", "1.5", "--samples", "200", "--unit", "double-well", "--theta", "-1",
			"--learn-hidden", "--epochs", "1", "--chains", "10", "--sweeps", "2", "--nu", "0.01"},
			[]string{"double-well hidden units", "potts visible units, q = 4", "zero-sum Potts gauge"}},
		{[]string{"--n", "20", "--samples", "400", "--mode", "pgm", "--epochs", "4"},
			[]string{"mode pgm", "B = 100, C = 100, k = 1"}},
		{[]string{"--n", "10", "--samples", "100", "--phase", "exact", "--batch", "100", "--epochs", "20", "--nu", "0.05", "--loglik", "--pl", "--hidden", "2"},
			[]string{"mode exact", "log L", "PL/site"}},
		{[]string{"--n", "12", "--samples", "100", "--replicas", "3", "--chains", "5", "--sweeps", "2", "--epochs", "1"},
			[]string{"tempering swap acceptance"}},
		{[]string{"--n", "12", "--samples", "100", "--phase", "cd", "--sweeps", "1", "--epochs", "1", "--unit", "gaussian"},
			[]string{"phase cd, B = 10, C = 10, k = 1"}},
	} {
		args := append([]string{"train", "--out", filepath.Join(dir, "x"), "--record-every", "5"}, c.args...)
		code, out, errOut := runCLI(t, args...)
		if code != 0 {
			t.Fatalf("%v: exit %d: %s", c.args, code, errOut)
		}
		for _, w := range c.want {
			if !strings.Contains(out, w) {
				t.Errorf("%v: output lacks %q:\n%s", c.args, w, out)
			}
		}
	}
}

// TestTrainDivergence: a learning rate far too large (ν = 100 with a
// Gaussian unit; the weights pass 10⁷⁵ within a few dozen updates) stops
// the run with a nonzero exit and one error line naming the update, the
// entry and the value, after a warning about extreme inputs; the saved
// trajectory ends at the last finite state (the update before the failing
// one), with finite order parameters.
func TestTrainDivergence(t *testing.T) {
	t.Parallel()
	out := filepath.Join(t.TempDir(), "nan")
	code, _, errOut := runCLI(t, "train", "--n", "20", "--samples", "100", "--epochs", "10", "--unit", "gaussian", "--nu", "100",
		"--chains", "10", "--sweeps", "2", "--out", out)
	if code == 0 {
		t.Fatalf("exit 0, want a failure; stderr %q", errOut)
	}
	for _, w := range []string{"hidden inputs |I| > 1e3", "exceeds ±1e+75 at update ", "the last finite state, saved in " + out + ".json"} {
		if !strings.Contains(errOut, w) {
			t.Errorf("stderr lacks %q:\n%s", w, errOut)
		}
	}
	res, err := rbm.Load(out)
	if err != nil {
		t.Fatal(err)
	}
	var failed int
	if i := strings.Index(errOut, "exceeds ±1e+75 at update "); i >= 0 {
		fmt.Sscan(errOut[i+len("exceeds ±1e+75 at update "):], &failed)
	}
	fin := res.Final()
	if failed < 2 || fin.Update != failed-1 {
		t.Errorf("last record at update %d, failure at %d; want the update before the failure", fin.Update, failed)
	}
	for mu, s := range fin.Units.SumSq {
		if math.IsInf(s, 0) || math.IsNaN(s) || math.IsNaN(fin.Units.PR[mu]) {
			t.Errorf("unit %d: Σw² = %v, PR = %v in the last record, want finite", mu, s, fin.Units.PR[mu])
		}
	}
}

// TestTrainFlagErrors: invalid settings are one-line errors that name the
// flag (never an rbm.Config field) and exit nonzero before any run.
func TestTrainFlagErrors(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	one := filepath.Join(dir, "one.txt")
	if err := os.WriteFile(one, []byte("1\n-1\n1\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	for _, c := range []struct {
		args []string
		want string
	}{
		{[]string{"--replicas", "1"}, "--replicas 1 must be 0 (off) or ≥ 2"},
		{[]string{"--decay-to", "2"}, "--decay-to 2 must lie in [0, 1) (0: off)"},
		{[]string{"--ais-steps", "10", "--ais-runs", "2"}, "--ais-steps 10 must be ≥ 10000"},
		{[]string{"--ais-runs", "-1"}, "--ais-runs -1 must be ≥ 0"},
		{[]string{"--pl-samples", "-1"}, "--pl-samples -1 must be ≥ 0"},
		{[]string{"--checkpoint-every", "-1s"}, "--checkpoint-every -1s must be ≥ 0"},
		{[]string{"--sigma0", "1e200"}, "--sigma0 1e+200 exceeds 1e+73, 1/100 of the bound ±1e+75 on the weights"},
		// Memory limits of rbm (2^26 weights, 2^28 chain values, 2^28
		// recorded weights), named by flag.
		{[]string{"--hidden", "100000000", "--samples", "100", "--epochs", "1"},
			"--hidden 100000000 units on N·q = 100 visible features make 1e+10 weights, above the limit 67108864 (2^26, 512 MiB)"},
		{[]string{"--chains", "20000000", "--samples", "100"}, "--chains 20000000 chains (× 1 replicas)"},
		{[]string{"--samples", "100", "--record-every", "1", "--epochs", "100000", "--hidden", "1000"}, "--record-every 1 gives 1000002 records"},
		{[]string{"--phase", "cd", "--chains", "7", "--samples", "100"}, "--chains 7: CD resets one chain per minibatch sample"},
		{[]string{one}, "one.txt has N = 1 site; training needs a ring of N ≥ 2 sites (as --n does)"},
	} {
		args := append([]string{"train", "--out", filepath.Join(dir, "x")}, c.args...)
		code, _, errOut := runCLI(t, args...)
		if code == 0 || !strings.Contains(errOut, c.want) || strings.Count(strings.TrimSpace(errOut), "\n") > 0 {
			t.Errorf("%v: exit %d, stderr %q; want one line containing %q", c.args, code, errOut, c.want)
		}
		for _, id := range []string{"Replicas", "DecayTo", "Observe.", "Sigma0", "Hidden", "Chains", "RecordEvery"} {
			if strings.Contains(errOut, id) {
				t.Errorf("%v: stderr %q names the Go field %s", c.args, errOut, id)
			}
		}
	}
}

// TestFlagError: rbm validation errors map to flags; other errors pass
// through unchanged.
func TestFlagError(t *testing.T) {
	t.Parallel()
	for _, c := range []struct{ in, want string }{
		{"rbm: Replicas = 1 must be 0 (off) or ≥ 2", "--replicas 1 must be 0 (off) or ≥ 2"},
		{"rbm: Observe.PLSamples = -1 must be ≥ 0 (0 is all)", "--pl-samples -1 must be ≥ 0 (0 is all)"},
		{"rbm: L1Sq = -1 must be finite and ≥ 0 (0 is off)", "--l1sq -1 must be finite and ≥ 0 (0 is off)"},
		{"rbm: no training samples (S = 0)", "rbm: no training samples (S = 0)"},
		{"other: Nu = 1", "other: Nu = 1"},
	} {
		if got := flagError(errors.New(c.in)).Error(); got != c.want {
			t.Errorf("flagError(%q) = %q, want %q", c.in, got, c.want)
		}
	}
}

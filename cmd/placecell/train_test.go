package main

import (
	"bytes"
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

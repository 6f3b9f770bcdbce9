package compare

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"math"
	"strconv"
	"strings"

	"placecell/compare/rbm"
	"placecell/internal/rng"
	"placecell/internal/version"
)

// This file holds what the paper's experiments (paper_*.go) share:
// provenance, the simulator settings of the Ising runs, stored runs, and
// the paper-beside-measured table of every summary.

// Provenance identifies the code and the experiment behind a result. It is
// embedded in every result of the paper's experiments, so that the JSON
// output names the program, its version and build.
type Provenance struct {
	Program    string `json:"program"`
	Version    string `json:"version"`
	Build      string `json:"build"`
	Experiment string `json:"experiment"`
	Figure     string `json:"figure"`
}

func newProvenance(experiment, figure string) Provenance {
	return Provenance{Program: "placecell", Version: version.String(), Build: version.Build(),
		Experiment: experiment, Figure: figure}
}

// buildID is the build identity that keys stored runs, so that a changed
// program never reuses runs of another one.
func buildID() string { return version.Build() }

// header returns the provenance lines written at the top of every output:
// program, version, build, experiment and figure, then the configuration
// as JSON.
func (p Provenance) header(cfg any) []string {
	b, _ := json.Marshal(cfg)
	return []string{
		fmt.Sprintf("%s %s (build %s), experiment %s (paper %s)", p.Program, p.Version, p.Build, p.Experiment, p.Figure),
		"config " + string(b),
	}
}

// meta returns the PNG text chunks of a figure with the given header.
func (p Provenance) meta(h []string) map[string]string {
	return map[string]string{"Software": p.Program + " " + p.Version, "Description": h[0], "Comment": h[1]}
}

// writeComments writes lines as '#' comments.
func writeComments(w io.Writer, lines ...string) error {
	for _, l := range lines {
		if _, err := fmt.Fprintf(w, "# %s\n", l); err != nil {
			return err
		}
	}
	return nil
}

// storedRun returns the result saved in store under key, or computes it
// with run and saves it. A nil store always computes.
func storedRun[T any](ctx context.Context, store Store, key string, run func(context.Context) (T, error)) (T, error) {
	var out T
	if store != nil {
		ok, err := store.Load(key, &out)
		if err != nil || ok {
			return out, err
		}
	}
	out, err := run(ctx)
	if err != nil {
		return out, err
	}
	if store != nil {
		if err := store.Save(key, out); err != nil {
			return out, err
		}
	}
	return out, nil
}

// trainingRunKey is the store key of a run that trains tc on S samples
// of model drawn with dataSeed: the build, the model, S, the simulator
// settings and both seeds, so that a run is reused only by the same
// program with the same parameters.
func trainingRunKey(prefix string, model any, s int, tc rbm.Config, dataSeed, trainSeed uint64) string {
	return runKey(prefix, struct {
		Build               string
		Model               any
		S                   int
		Training            rbm.Config
		DataSeed, TrainSeed uint64
	}{buildID(), model, s, tc, dataSeed, trainSeed})
}

// loadRuns fills out[i] with the run saved in store under keys[i] and
// reports whether every one was found (false for a nil store). It serves
// the experiments that train several protocols on one data set and redo
// them together when any is missing.
func loadRuns[T any](store Store, keys []string, out []T) (bool, error) {
	if store == nil {
		return false, nil
	}
	all := true
	for i, k := range keys {
		ok, err := store.Load(k, &out[i])
		if err != nil {
			return false, err
		}
		all = all && ok
	}
	return all, nil
}

// saveRun saves v under key in store, if there is one.
func saveRun(store Store, key string, v any) error {
	if store == nil {
		return nil
	}
	return store.Save(key, v)
}

// isingTraining is the default simulator setting of the reduced Ising
// runs: one ±1 hidden unit with zero fields, minibatches of 100 at
// ν = 0.01, PCD-20 with 100 chains. Against the paper's batch 10 at
// ν = 10⁻³ it keeps the SGA noise level ν/B = 10⁻⁴, the learning time per
// epoch ν⌈S/B⌉ and the number of epochs, in a tenth of the updates.
func isingTraining() rbm.Config {
	return rbm.Config{Hidden: 1, Nu: 0.01, Batch: 100, Chains: 100, Sweeps: 20, Phase: rbm.PCD}
}

// paperIsingTraining is the paper's setting of Figs 3a, 4 and 7a
// (THEORY.md §6.4): batch 10, ν = 10⁻³, PCD-20; the number of chains is
// not reported (100 assumed, THEORY.md §6.5).
func paperIsingTraining() rbm.Config {
	return rbm.Config{Hidden: 1, Nu: 1e-3, Batch: 10, Chains: 100, Sweeps: 20, Phase: rbm.PCD}
}

// fillTraining fills the zero fields of t from def, and σ₀ with √(0.1/N),
// so that outputs record the values actually used. The hidden unit is
// left as set (the zero value is a ±1 unit). The phase is taken
// from def only when t sets none of ν, batch and phase, since PCD is the
// zero value.
func fillTraining(t *rbm.Config, def rbm.Config, n int) {
	if t.Nu == 0 && t.Batch == 0 && t.Phase == 0 {
		t.Phase = def.Phase
	}
	if t.Hidden == 0 {
		t.Hidden = def.Hidden
	}
	if t.Nu == 0 {
		t.Nu = def.Nu
	}
	if t.Batch == 0 {
		t.Batch = def.Batch
	}
	if t.Epochs == 0 {
		t.Epochs = def.Epochs
	}
	if t.Phase != rbm.Exact {
		if t.Chains == 0 {
			t.Chains = def.Chains
		}
		if t.Sweeps == 0 {
			t.Sweeps = def.Sweeps
		}
	}
	if t.Sigma0 == 0 {
		t.Sigma0 = def.Sigma0
	}
	if t.Sigma0 == 0 {
		t.Sigma0 = math.Sqrt(0.1 / float64(n))
	}
}

// checkTraining validates the settings the experiments rely on before any
// run; the simulator checks the rest when a run starts.
func checkTraining(t rbm.Config) error {
	if !(t.Nu > 0) || math.IsInf(t.Nu, 0) {
		return configErrorf("learning rate ν = %v must be positive and finite", t.Nu)
	}
	if t.Batch < 1 || t.Epochs < 0 || t.Chains < 0 || t.Sweeps < 0 || t.Hidden < 1 {
		return configErrorf("batch %d, hidden %d, epochs %d, chains %d and sweeps %d out of range",
			t.Batch, t.Hidden, t.Epochs, t.Chains, t.Sweeps)
	}
	if t.Phase != rbm.Exact && (t.Chains < 1 || t.Sweeps < 1) {
		return configErrorf("%s needs at least one chain and one sweep (chains %d, sweeps %d)", t.Phase, t.Chains, t.Sweeps)
	}
	if !(t.Sigma0 > 0) || math.IsInf(t.Sigma0, 0) {
		return configErrorf("initial weight scale σ₀ = %v must be positive and finite", t.Sigma0)
	}
	if err := t.Unit.Potential().Validate(); err != nil {
		return &ConfigError{strings.TrimPrefix(err.Error(), "dynamics: ")}
	}
	return nil
}

// unitLabel names a hidden unit as the summaries do.
func unitLabel(t rbm.Config) string {
	u := t.Unit
	var s string
	switch u.Type {
	case rbm.HiddenSpin:
		s = "±1"
		if u.Field != 0 {
			s += fmt.Sprintf(" (c = %g)", u.Field)
		}
	case rbm.HiddenDoubleWell:
		s = fmt.Sprintf("double-well (U = h²/2 + θ|h|, θ₀ = %g", u.Theta)
		if t.LearnHidden {
			s += ", θ learned)"
		} else {
			s += ", θ fixed)"
		}
	default:
		s = u.Potential().String()
		if t.LearnHidden {
			s += " (offsets learned)"
		}
	}
	return s
}

// trainingLabel describes the simulator settings in one phrase.
func trainingLabel(t rbm.Config) string { return trainingLabelM(t, strconv.Itoa(t.Hidden)) }

// trainingLabelM is trainingLabel with the number of hidden units given as
// text m (for experiments that sweep M).
func trainingLabelM(t rbm.Config, m string) string {
	s := fmt.Sprintf("M = %s %s hidden unit(s), %s visible fields, %s ν = %g, batch %d, ",
		m, unitLabel(t), t.VisibleFields, t.Mode, t.Nu, t.Batch)
	switch t.Phase {
	case rbm.Exact:
		s += "exact model term"
	case rbm.CD:
		s += fmt.Sprintf("CD-%d", t.Sweeps)
	default:
		s += fmt.Sprintf("PCD-%d with %d chains", t.Sweeps, t.Chains)
	}
	return s + fmt.Sprintf(", σ₀ = %.4g", t.Sigma0)
}

// paperRow is one line of the paper-against-measured table of a summary.
type paperRow struct {
	Quantity string `json:"quantity"`
	Paper    string `json:"paper"`
	Measured string `json:"measured"`
	// Verdict is read from the data (agreement within the stated
	// tolerance, or a difference), never a fixed sentence.
	Verdict string `json:"verdict"`
}

// paperTable renders rows as a Markdown table.
func paperTable(rows []paperRow) string {
	s := "| quantity | paper | measured | verdict |\n|---|---|---|---|\n"
	for _, r := range rows {
		s += fmt.Sprintf("| %s | %s | %s | %s |\n", r.Quantity, r.Paper, r.Measured, r.Verdict)
	}
	return s
}

// agreement compares a measured mean (with spread sd) with the paper's
// reading in [lo, hi]: they agree when the distance between the mean and
// the interval is at most max(2 sd, tol·|mid|), tol being the relative
// uncertainty of reading the figure. It returns a verdict naming the
// distance in units of the tolerance.
func agreement(mean, sd, lo, hi, tol float64) string {
	if math.IsNaN(mean) {
		return "not measured"
	}
	mid := (lo + hi) / 2
	d := 0.0
	switch {
	case mean < lo:
		d = lo - mean
	case mean > hi:
		d = mean - hi
	}
	allowed := math.Max(2*sd, tol*math.Abs(mid))
	if d <= allowed {
		return "agrees"
	}
	dir := "above"
	if mean < lo {
		dir = "below"
	}
	return fmt.Sprintf("differs: %s by %.2g (%.1f× the tolerance %.2g)", dir, d, d/allowed, allowed)
}

// pm formats a mean ± sd.
func pm(mean, sd float64, prec int) string {
	if math.IsNaN(mean) || math.IsInf(mean, 0) {
		return "—"
	}
	if math.IsNaN(sd) || sd == 0 {
		return fmt.Sprintf("%.*f", prec, mean)
	}
	return fmt.Sprintf("%.*f ± %.*f", prec, mean, prec, sd)
}

// meanSDOf returns the mean and sample standard deviation of the finite
// values of x, and how many there were (NaN, NaN, 0 for none).
func meanSDOf(x []float64) (mean, sd float64, n int) {
	var v []float64
	for _, a := range x {
		if !math.IsNaN(a) && !math.IsInf(a, 0) {
			v = append(v, a)
		}
	}
	if len(v) == 0 {
		return math.NaN(), math.NaN(), 0
	}
	m, s := meanSD(v)
	return m, s, len(v)
}

// minOf returns the smallest non-NaN value of x (+Inf for none).
func minOf(x []float64) float64 {
	m := math.Inf(1)
	for _, v := range x {
		if v < m {
			m = v
		}
	}
	return m
}

// seedsOf derives the data and training seeds of run index i of an
// experiment from the master seed.
func seedsOf(master uint64, stream string, i int) (data, train uint64) {
	r := rng.New(master, stream, uint64(i))
	return r.Uint64(), r.Uint64()
}

// fmtOpt formats x with prec decimals, or "—" if it is not finite.
func fmtOpt(x float64, prec int) string {
	if math.IsNaN(x) || math.IsInf(x, 0) {
		return "—"
	}
	return fmt.Sprintf("%.*f", prec, x)
}

// phaseOf names the model term of t.
func phaseOf(t rbm.Config) string {
	switch t.Phase {
	case rbm.Exact:
		return "exact model term"
	case rbm.CD:
		return fmt.Sprintf("CD-%d", t.Sweeps)
	}
	return fmt.Sprintf("PCD-%d with %d chains", t.Sweeps, t.Chains)
}

// msLabel lists hidden-unit counts as "1, 3, 25 or 100".
func msLabel(ms []int) string {
	var t []string
	for _, m := range ms {
		t = append(t, strconv.Itoa(m))
	}
	if len(t) < 2 {
		return strings.Join(t, "")
	}
	return strings.Join(t[:len(t)-1], ", ") + " or " + t[len(t)-1]
}

// tableDifferences lists the rows of a paper-against-measured table whose
// verdict reports a difference ("differs" anywhere in it), as
// "quantity: measured (verdict)", joined by "; ". It returns "" when no
// row differs.
func tableDifferences(rows []paperRow) string {
	var d []string
	for _, row := range rows {
		if strings.Contains(row.Verdict, "differs") {
			d = append(d, fmt.Sprintf("%s: %s (%s)", row.Quantity, row.Measured, row.Verdict))
		}
	}
	return strings.Join(d, "; ")
}

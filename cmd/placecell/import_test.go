package main

import (
	"bytes"
	"math"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"

	"placecell/compare/rbm"
)

// importJSON is the part of OUT.json (and of train's run.json, whose
// records carry the same keys) that the tests compare.
type importJSON struct {
	Records []struct {
		T      *float64   `json:"t"`
		OrderW []*float64 `json:"order_w"`
		SumSq  []*float64 `json:"sum_sq"`
		PR     []*float64 `json:"pr"`
		FWHM   []*float64 `json:"fwhm"`
		Centre []*float64 `json:"centre"`
		Conc   []*float64 `json:"concentration"`
		Ang    []*float64 `json:"angular_peak"`
	} `json:"records"`
	Q      int `json:"q"`
	Theory struct {
		Modes []struct {
			K      int      `json:"k"`
			Sigma  float64  `json:"sigma"`
			Rate   *float64 `json:"fitted_rate"`
			RateSE *float64 `json:"fitted_rate_se"`
		} `json:"modes"`
	} `json:"theory"`
}

func readImportJSON(t *testing.T, path string) importJSON { return readJSON[importJSON](t, path) }

// sameFloats reports whether a and b agree entry by entry to 1e-12
// relative, null (an undefined FWHM or centre) matching null only.
func sameFloats(a, b []*float64) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if (a[i] == nil) != (b[i] == nil) {
			return false
		}
		if a[i] != nil && math.Abs(*a[i]-*b[i]) > 1e-12*math.Max(1, math.Abs(*b[i])) {
			return false
		}
	}
	return true
}

func writeTestNPY(t *testing.T, path string, shape []int, data []float64) {
	t.Helper()
	var b bytes.Buffer
	if err := rbm.WriteNPY(&b, shape, data); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(path, b.Bytes(), 0o644); err != nil {
		t.Fatal(err)
	}
}

// TestImportRoundTrip trains a tiny run with placecell train, imports its
// run-weights.npy and checks that the order parameters of every record
// and unit equal those train wrote in run.json (the same function, so to
// 1e-12), that t = ν·updates from --nu and --every equals the recorded t,
// and that OUT-fourier.npy equals run-fourier.npy.
func TestImportRoundTrip(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	run := filepath.Join(dir, "run")
	if code, _, errOut := runCLI(t, "train", "--n", "12", "--beta", "0.6", "--samples", "200", "--epochs", "2", "--nu", "0.01",
		"--hidden", "3", "--chains", "8", "--sweeps", "2", "--record-every", "5", "--seed", "7", "--checkpoint-every", "0",
		"--out", run); code != 0 {
		t.Fatalf("train: exit %d: %s", code, errOut)
	}
	out := filepath.Join(dir, "imp")
	// Records are at updates 0, 5, …, 40 (200 samples / batch 10 × 2 epochs).
	code, stdout, errOut := runCLI(t, "import", "--nu", "0.01", "--every", "5", "--out", out, run+"-weights.npy")
	if code != 0 {
		t.Fatalf("import: exit %d: %s", code, errOut)
	}
	if !strings.Contains(stdout, "M = 3 units, N = 12 sites") {
		t.Errorf("import summary lacks the shape:\n%s", stdout)
	}
	want := readImportJSON(t, run+".json")
	got := readImportJSON(t, out+".json")
	if len(got.Records) != len(want.Records) || len(want.Records) != 9 {
		t.Fatalf("records: %d imported, %d trained, want 9", len(got.Records), len(want.Records))
	}
	for k, g := range got.Records {
		w := want.Records[k]
		for _, c := range []struct {
			name string
			a, b []*float64
		}{{"W", g.OrderW, w.OrderW}, {"Σw²", g.SumSq, w.SumSq}, {"PR", g.PR, w.PR}, {"FWHM", g.FWHM, w.FWHM}, {"centre", g.Centre, w.Centre}} {
			if len(c.a) != 3 || !sameFloats(c.a, c.b) {
				t.Errorf("record %d: %s differs from run.json", k, c.name)
			}
		}
		if !sameFloats([]*float64{g.T}, []*float64{w.T}) {
			t.Errorf("record %d: t = %v, want %v", k, *g.T, *w.T)
		}
	}
	sa, a, err1 := rbm.ReadNPY(out + "-fourier.npy")
	sb, b, err2 := rbm.ReadNPY(run + "-fourier.npy")
	if err1 != nil || err2 != nil || len(sa) != 3 || len(sb) != 3 || sa[2] != sb[2] || len(a) != len(b) {
		t.Fatalf("fourier arrays: shapes %v, %v (%v, %v)", sa, sb, err1, err2)
	}
	for i := range a {
		if a[i] != b[i] {
			t.Fatalf("fourier[%d] = %v, want %v", i, a[i], b[i])
		}
	}
}

// TestImportLayouts: the same weights stored as (R, M, N), as (R, N, M)
// with --layout nm, and one record as (M, N) and (N, M), give the same
// order parameters.
func TestImportLayouts(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	const r, m, n = 4, 2, 10
	w := make([]float64, r*m*n) // (R, M, N)
	for k := range w {
		w[k] = math.Sin(0.7*float64(k)) + 0.3*math.Cos(0.11*float64(k*k))
	}
	tr := make([]float64, len(w)) // (R, N, M)
	for rec := range r {
		for mu := range m {
			for i := range n {
				tr[(rec*n+i)*m+mu] = w[(rec*m+mu)*n+i]
			}
		}
	}
	write := func(name string, shape []int, data []float64) string {
		p := filepath.Join(dir, name+".npy")
		writeTestNPY(t, p, shape, data)
		return p
	}
	imp := func(path string, args ...string) importJSON {
		out := strings.TrimSuffix(path, ".npy") + "-out"
		args = append(append([]string{"import", "--format", "csv", "--out", out}, args...), path)
		if code, _, errOut := runCLI(t, args...); code != 0 {
			t.Fatalf("%v: exit %d: %s", args, code, errOut)
		}
		return readImportJSON(t, out+".json")
	}
	mn := imp(write("mn", []int{r, m, n}, w))
	nm := imp(write("nm", []int{r, n, m}, tr), "--layout", "nm")
	last := (r - 1) * m * n
	mn2 := imp(write("mn2", []int{m, n}, w[last:]))
	nm2 := imp(write("nm2", []int{n, m}, tr[last:]), "--layout", "nm")
	if len(mn.Records) != r || len(nm.Records) != r || len(mn2.Records) != 1 || len(nm2.Records) != 1 {
		t.Fatalf("records: %d, %d, %d, %d; want %d, %d, 1, 1", len(mn.Records), len(nm.Records), len(mn2.Records), len(nm2.Records), r, r)
	}
	check := func(label string, a, b []*float64) {
		if len(a) != m || !sameFloats(a, b) {
			t.Errorf("%s differs between layouts", label)
		}
	}
	for k := range r {
		check("W record "+strconv.Itoa(k), nm.Records[k].OrderW, mn.Records[k].OrderW)
		check("PR record "+strconv.Itoa(k), nm.Records[k].PR, mn.Records[k].PR)
		check("centre record "+strconv.Itoa(k), nm.Records[k].Centre, mn.Records[k].Centre)
	}
	for _, one := range []importJSON{mn2, nm2} {
		check("Σw² of one record", one.Records[0].SumSq, mn.Records[r-1].SumSq)
		check("FWHM of one record", one.Records[0].FWHM, mn.Records[r-1].FWHM)
	}
}

// TestImportTheory builds weights whose Fourier amplitudes grow as
// e^(s_k t) exactly, w_μi(t) = Σ_k a_μk e^(s_k t) cos(q_k i + φ_μ), so
// that the fitted rate of ½ ln |ŵ(k)|² must be s_k to rounding; σ_k is
// checked against the closed form λ_k = (1−ρ^N)/(1+ρ^N)·(1−ρ²)/(1 −
// 2ρ cos q_k + ρ²) − 1, ρ = tanh β (THEORY.md §2.2, eq 23), evaluated here.
func TestImportTheory(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	const r, m, n, beta = 6, 3, 16, 0.7
	rate := []float64{0.9, 0.5, 0.1, -0.2, -0.4, -0.5, -0.6, -0.7, -0.8} // s_k, k = 0..N/2
	times := []float64{0, 0.1, 0.25, 0.3, 0.5, 0.8}
	w := make([]float64, r*m*n)
	for rec, tt := range times {
		for mu := range m {
			phi := 0.4 * float64(mu)
			for i := range n {
				var x float64
				for k, s := range rate {
					q := 2 * math.Pi * float64(k) / n
					ph := phi
					if k == 0 || k == n/2 {
						ph = 0 // real modes: a phase would change the power
					}
					x += (0.01 + 0.002*float64(k+mu)) * math.Exp(s*tt) * math.Cos(q*float64(i)+ph)
				}
				w[(rec*m+mu)*n+i] = x
			}
		}
	}
	path := filepath.Join(dir, "w.npy")
	writeTestNPY(t, path, []int{r, m, n}, w)
	var list []string
	for _, x := range times {
		list = append(list, strconv.FormatFloat(x, 'g', -1, 64))
	}
	out := filepath.Join(dir, "out")
	code, stdout, errOut := runCLI(t, "import", "--beta", "0.7", "--modes", "9", "--times", strings.Join(list, ","), "--out", out, path)
	if code != 0 {
		t.Fatalf("exit %d: %s", code, errOut)
	}
	if !strings.Contains(stdout, "Linear theory") {
		t.Errorf("no theory table:\n%s", stdout)
	}
	got := readImportJSON(t, out+".json")
	if len(got.Theory.Modes) != n/2+1 {
		t.Fatalf("%d modes, want %d", len(got.Theory.Modes), n/2+1)
	}
	rho := math.Tanh(beta)
	fin := (1 - math.Pow(rho, n)) / (1 + math.Pow(rho, n))
	for j, md := range got.Theory.Modes {
		q := 2 * math.Pi * float64(md.K) / n
		sigma := fin*(1-rho*rho)/(1-2*rho*math.Cos(q)+rho*rho) - 1
		if math.Abs(md.Sigma-sigma) > 1e-12 {
			t.Errorf("σ_%d = %v, want %v", md.K, md.Sigma, sigma)
		}
		if j > 0 && md.Sigma > got.Theory.Modes[j-1].Sigma {
			t.Errorf("modes not in decreasing σ: σ_%d = %v after %v", md.K, md.Sigma, got.Theory.Modes[j-1].Sigma)
		}
		if md.Rate == nil || math.Abs(*md.Rate-rate[md.K]) > 1e-9 {
			t.Errorf("fitted rate of mode %d = %v, want %v", md.K, md.Rate, rate[md.K])
		}
		if md.RateSE == nil || *md.RateSE > 1e-9 {
			t.Errorf("rate se of mode %d = %v, want 0 (every unit grows at s_k)", md.K, md.RateSE)
		}
	}
}

// TestImportBadInput: each bad input is a one-line error naming the
// problem.
func TestImportBadInput(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	good := filepath.Join(dir, "good.npy")
	w := make([]float64, 3*2*8)
	for k := range w {
		w[k] = 0.01 * float64(k%7)
	}
	writeTestNPY(t, good, []int{3, 2, 8}, w)
	flat := filepath.Join(dir, "flat.npy")
	writeTestNPY(t, flat, []int{16}, w[:16])
	nan := filepath.Join(dir, "nan.npy")
	wn := append([]float64(nil), w...)
	wn[2*8+5] = math.NaN()
	writeTestNPY(t, nan, []int{3, 2, 8}, wn)
	for _, c := range []struct {
		args []string
		want string
	}{
		{[]string{flat}, "has shape [16]; want (records, M, N) or (M, N)"},
		{[]string{"--layout", "nm", flat}, "want (records, N, M) or (N, M)"},
		{[]string{nan}, "non-finite weight NaN at record 1, unit 0, site 5"},
		{[]string{"--times", "0,1", good}, "--times gives 2 times for the 3 records"},
		{[]string{"--n", "10", good}, "--n 10 disagrees with the N = 8 sites"},
		{[]string{"--beta", "0.5", "--n", "10", good}, "--n 10 disagrees with the N = 8 sites"},
		{[]string{"--nu", "0.1", good}, "--nu and --every go together"},
		{[]string{"--times", "0,a,1", good}, `"a" is not a number`},
		{[]string{"--layout", "xy", good}, `--layout "xy" is not available`},
		{[]string{"--model", "xy", good}, "two-state data"},
		{[]string{"--modes", "3", good}, "need a data model"},
		{[]string{filepath.Join(dir, "missing.npy")}, "could not open"},
		{nil, "no weights file given"},
		{[]string{"--states", "5", good}, "its last axis holds 8 states, but --states is 5"},
		{[]string{"--states", "4", flat}, "want (records, M, N, q) or (M, N, q) with --layout mn and --states 4"},
		{[]string{"--states", "1", good}, "--states 1 must be at least 2"},
		{[]string{"--states", "8", "--beta", "0.5", good}, "leave the model flags out for Potts weights"},
	} {
		code, _, errOut := runCLI(t, append([]string{"import", "--out", filepath.Join(dir, "o")}, c.args...)...)
		if code != 1 || !strings.Contains(errOut, c.want) || strings.Count(strings.TrimSpace(errOut), "\n") != 0 {
			t.Errorf("import %v: exit %d, stderr %q; want one line containing %q", c.args, code, errOut, c.want)
		}
	}
}

// TestImportPotts trains a tiny XY run (q = 4 Potts visible units), imports
// its (R, M, N, q) run-weights.npy, and checks that the order parameters
// of every record and unit equal those train wrote in run.json (the same
// function, so to 1e-12), that OUT-fourier.npy equals run-fourier.npy,
// and that OUT-angular.npy is Σ_c |w_μi(c)| (THEORY.md §4.12, eq 17
// corrected) summed here from the weights. The last record alone as
// (M, N, q) with --states 4, and the trajectory as (R, N, M, q) with
// --layout nm, give the same values.
func TestImportPotts(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	run := filepath.Join(dir, "run")
	if code, _, errOut := runCLI(t, "train", "--model", "xy", "--p", "4", "--n", "8", "--samples", "200", "--epochs", "2", "--nu", "0.01",
		"--hidden", "3", "--chains", "8", "--sweeps", "2", "--record-every", "5", "--seed", "7", "--checkpoint-every", "0",
		"--out", run); code != 0 {
		t.Fatalf("train: exit %d: %s", code, errOut)
	}
	const r, m, n, q = 9, 3, 8, 4 // records at updates 0, 5, …, 40
	shape, w, err := rbm.ReadNPY(run + "-weights.npy")
	if err != nil || len(shape) != 4 || shape[0] != r || shape[1] != m || shape[2] != n || shape[3] != q {
		t.Fatalf("run-weights.npy: shape %v (%v), want [%d %d %d %d]", shape, err, r, m, n, q)
	}
	imp := func(name string, args ...string) (importJSON, string) {
		out := filepath.Join(dir, name)
		args = append([]string{"import", "--out", out}, args...)
		code, stdout, errOut := runCLI(t, args...)
		if code != 0 {
			t.Fatalf("%v: exit %d: %s", args, code, errOut)
		}
		return readImportJSON(t, out+".json"), stdout
	}
	got, stdout := imp("imp", run+"-weights.npy")
	if !strings.Contains(stdout, "M = 3 units, N = 8 sites, q = 4 Potts states") {
		t.Errorf("import summary lacks the shape:\n%s", stdout)
	}
	want := readImportJSON(t, run+".json")
	if got.Q != q || len(got.Records) != r || len(want.Records) != r {
		t.Fatalf("q = %d, records: %d imported, %d trained; want q = %d, %d records", got.Q, len(got.Records), len(want.Records), q, r)
	}
	for k, g := range got.Records {
		w := want.Records[k]
		for _, c := range []struct {
			name string
			a, b []*float64
		}{{"Σs", g.SumSq, w.SumSq}, {"PR", g.PR, w.PR}, {"FWHM", g.FWHM, w.FWHM}, {"centre", g.Centre, w.Centre},
			{"concentration", g.Conc, w.Conc}, {"W (null for Potts)", g.OrderW, w.OrderW}} {
			if len(c.a) != m || !sameFloats(c.a, c.b) {
				t.Errorf("record %d: %s differs from run.json", k, c.name)
			}
		}
		for mu, x := range g.OrderW {
			if x != nil {
				t.Errorf("record %d: W of unit %d = %v, want null for Potts units", k, mu, *x)
			}
		}
	}
	sa, a, err1 := rbm.ReadNPY(filepath.Join(dir, "imp-fourier.npy"))
	sb, b, err2 := rbm.ReadNPY(run + "-fourier.npy")
	if err1 != nil || err2 != nil || !slices.Equal(sa, sb) || !slices.Equal(sa, []int{r, m, q, n/2 + 1}) {
		t.Fatalf("fourier arrays: shapes %v, %v (%v, %v), want [%d %d %d %d]", sa, sb, err1, err2, r, m, q, n/2+1)
	}
	for i := range a {
		if a[i] != b[i] {
			t.Fatalf("fourier[%d] = %v, want %v", i, a[i], b[i])
		}
	}
	sang, ang, err := rbm.ReadNPY(filepath.Join(dir, "imp-angular.npy"))
	if err != nil || !slices.Equal(sang, []int{r, m, n}) {
		t.Fatalf("angular array: shape %v (%v), want [%d %d %d]", sang, err, r, m, n)
	}
	for k := range r {
		for mu := range m {
			peak := 0.0
			for i := range n {
				var s float64
				for c := range q {
					s += math.Abs(w[((k*m+mu)*n+i)*q+c])
				}
				if g := ang[(k*m+mu)*n+i]; math.Abs(g-s) > 1e-15*s {
					t.Errorf("Σ_c|w| of record %d, unit %d, site %d = %v, want %v", k, mu, i, g, s)
				}
				peak = max(peak, s)
			}
			if p := got.Records[k].Ang[mu]; p == nil || *p != peak {
				t.Errorf("angular peak of record %d, unit %d = %v, want %v", k, mu, p, peak)
			}
		}
	}

	// One record as (M, N, q) needs --states; (R, N, M, q) with --layout nm.
	last := (r - 1) * m * n * q
	one := filepath.Join(dir, "one.npy")
	writeTestNPY(t, one, []int{m, n, q}, w[last:])
	tr := make([]float64, len(w))
	for k := range r {
		for mu := range m {
			for i := range n {
				for c := range q {
					tr[((k*n+i)*m+mu)*q+c] = w[((k*m+mu)*n+i)*q+c]
				}
			}
		}
	}
	nm := filepath.Join(dir, "nm.npy")
	writeTestNPY(t, nm, []int{r, n, m, q}, tr)
	g1, _ := imp("one", "--states", "4", one)
	gnm, _ := imp("nm", "--layout", "nm", nm)
	if len(g1.Records) != 1 || len(gnm.Records) != r {
		t.Fatalf("records: %d of (M, N, q), %d of (R, N, M, q); want 1, %d", len(g1.Records), len(gnm.Records), r)
	}
	for _, c := range []struct {
		name string
		a, b []*float64
	}{{"Σs of (M, N, q)", g1.Records[0].SumSq, want.Records[r-1].SumSq}, {"PR of (M, N, q)", g1.Records[0].PR, want.Records[r-1].PR},
		{"FWHM of (M, N, q)", g1.Records[0].FWHM, want.Records[r-1].FWHM}, {"centre of (M, N, q)", g1.Records[0].Centre, want.Records[r-1].Centre},
		{"Σs of nm", gnm.Records[3].SumSq, want.Records[3].SumSq}, {"PR of nm", gnm.Records[5].PR, want.Records[5].PR},
		{"centre of nm", gnm.Records[r-1].Centre, want.Records[r-1].Centre}, {"angular peak of nm", gnm.Records[2].Ang, got.Records[2].Ang}} {
		if len(c.a) != m || !sameFloats(c.a, c.b) {
			t.Errorf("%s differs from run.json", c.name)
		}
	}
	// Without --states the (M, N, q) array reads as (records, M, N), and says so.
	if _, out := imp("ambiguous", one); !strings.Contains(out, "for one record of Potts weights give --states q") {
		t.Errorf("a 3-D array without --states gives no hint:\n%s", out)
	}
}

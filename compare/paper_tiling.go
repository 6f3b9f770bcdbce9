package compare

import (
	"context"
	"encoding/csv"
	"fmt"
	"io"
	"math"
	"slices"
	"sort"
	"strconv"

	"gonum.org/v1/plot"
	"gonum.org/v1/plot/plotter"
	"gonum.org/v1/plot/vg"
	"gonum.org/v1/plot/vg/draw"

	"placecell/compare/rbm"
	"placecell/dynamics"
	"placecell/ring"
)

// Paper readings of Fig. 4 (THEORY.md §6.4, E4): the peaks at M = 3 and
// the weight ranges at M = 25 and 100.
const paperTilingPeakLo, paperTilingPeakHi = 0.75, 0.80

var paperTilingRange = []struct {
	M      int
	Lo, Hi float64
}{{25, -1.5, 4.5}, {100, -0.3, 2.7}}

// TilingConfig sets up the several-units experiment of the paper's Fig. 4
// (THEORY.md §6.4, E4): RBMs with M hidden units are trained on the Ising
// ring for each M, and the receptive fields' widths, peaks, weight ranges
// and spacings are measured. Theory: M units repel and space themselves
// about N/M apart (THEORY.md §5.7); when M × width ≳ N they overlap and
// become narrower, with no closed form. DefaultTilingConfig gives the
// reduced defaults; zero fields of a hand-built configuration take them.
type TilingConfig struct {
	N    int     `json:"n"`    // ring length (default 100)
	Beta float64 `json:"beta"` // inverse temperature (default 1)
	S    int     `json:"s"`    // training samples (default 10⁴)
	// Ms are the numbers of hidden units (default 1, 3, 25, 100: the
	// paper's 3, 25 and 100 and the single unit for reference).
	Ms   []int  `json:"ms"`
	Runs int    `json:"runs"` // runs per M (default 1)
	Seed uint64 `json:"seed"`
	// Training as RFConfig (defaults: ±1 units, ν = 0.01, batch 100, 100
	// epochs, PCD-20, 100 chains); Hidden is set to each M.
	Training rbm.Config `json:"training"`

	Workers  int                   `json:"-"`
	Progress func(done, total int) `json:"-"`
	Store    Store                 `json:"-"`
}

// DefaultTilingConfig returns the reduced defaults.
func DefaultTilingConfig() TilingConfig {
	c := TilingConfig{}
	c.setDefaults()
	return c
}

// PaperTilingConfig returns the paper's sizes (batch 10, ν = 10⁻³, 100
// epochs; M = 3, 25, 100 and 1).
func PaperTilingConfig() TilingConfig {
	c := TilingConfig{Training: paperIsingTraining()}
	c.setDefaults()
	return c
}

func (c *TilingConfig) setDefaults() {
	if c.N == 0 {
		c.N = 100
	}
	if c.Beta == 0 {
		c.Beta = 1
	}
	if c.S == 0 {
		c.S = 10000
	}
	if len(c.Ms) == 0 {
		c.Ms = []int{1, 3, 25, 100}
	}
	if c.Runs == 0 {
		c.Runs = 1
	}
	def := isingTraining()
	def.Epochs = 100
	fillTraining(&c.Training, def, c.N)
}

func (c *TilingConfig) validate() error {
	if c.N < 8 {
		return configErrorf("N = %d too small for receptive fields (want N ≥ 8)", c.N)
	}
	if err := (ring.Ising{N: c.N, Beta: c.Beta}).Validate(); err != nil {
		return &ConfigError{err.Error()}
	}
	for _, m := range c.Ms {
		if m < 1 || m > 10*c.N {
			return configErrorf("M = %d out of range (want 1 ≤ M ≤ 10N)", m)
		}
	}
	if c.S < 1 || c.Runs < 1 || c.Training.Epochs < 1 {
		return configErrorf("S = %d, runs = %d and epochs = %d must be at least 1", c.S, c.Runs, c.Training.Epochs)
	}
	if c.Training.Batch > c.S {
		return configErrorf("batch %d exceeds S = %d", c.Training.Batch, c.S)
	}
	return checkTraining(c.Training)
}

// UnitField summarises one hidden unit's receptive field.
type UnitField struct {
	Peak          float64  `json:"peak"` // max of the sign-normalised field
	Tail          float64  `json:"tail"` // its min
	FWHM          OptFloat `json:"fwhm"`
	PR            OptFloat `json:"pr"`
	Centre        OptFloat `json:"centre"`
	Concentration OptFloat `json:"concentration"`
}

func unitField(w []float64) UnitField {
	s := dynamics.SignNormalize(nil, w)
	c, k := dynamics.Centre(s)
	return UnitField{Peak: maxOf(s), Tail: minOf(s), FWHM: OptFloat(dynamics.FWHM(s)),
		PR: OptFloat(dynamics.ParticipationRatio(s)), Centre: OptFloat(c), Concentration: OptFloat(k)}
}

// TilingRun is one trained RBM with M units.
type TilingRun struct {
	M         int         `json:"m"`
	Run       int         `json:"run"`
	DataSeed  uint64      `json:"data_seed"`
	TrainSeed uint64      `json:"train_seed"`
	Updates   int         `json:"updates"`
	W         []float64   `json:"w"` // M×N, each row sign-normalised
	Units     []UnitField `json:"units"`
	// Gaps are the distances between consecutive centres around the ring
	// (they sum to N).
	Gaps []float64 `json:"gaps"`
	// WMin and WMax are the extreme entries of the sign-normalised
	// weights.
	WMin float64 `json:"w_min"`
	WMax float64 `json:"w_max"`
}

// TilingPoint summarises the runs at one M (means and sds over units).
type TilingPoint struct {
	M        int      `json:"m"`
	Peak     float64  `json:"peak"`
	PeakSD   OptFloat `json:"peak_sd"`
	FWHM     OptFloat `json:"fwhm"`
	FWHMSD   OptFloat `json:"fwhm_sd"`
	Widths   int      `json:"widths"` // units with a defined FWHM
	Gap      OptFloat `json:"gap"`
	GapSD    OptFloat `json:"gap_sd"`
	MinGap   OptFloat `json:"min_gap"`
	WMin     float64  `json:"w_min"`
	WMax     float64  `json:"w_max"`
	Spacing  float64  `json:"spacing"` // N/M
	RandomCV float64  `json:"random_cv"`
}

// TilingResult is the outcome of the Fig. 4 experiment.
type TilingResult struct {
	Provenance
	Config TilingConfig  `json:"config"`
	Runs   []TilingRun   `json:"runs"`
	Points []TilingPoint `json:"points"`
	Rows   []paperRow    `json:"paper_vs_measured"`
}

// Tiling runs the Fig. 4 experiment.
func Tiling(ctx context.Context, cfg TilingConfig) (*TilingResult, error) {
	cfg.setDefaults()
	if err := cfg.validate(); err != nil {
		return nil, err
	}
	model := ring.Ising{N: cfg.N, Beta: cfg.Beta}
	n := len(cfg.Ms) * cfg.Runs
	runs := make([]TilingRun, n)
	// Largest M first: they take longest.
	order := make([]int, n)
	for j := range order {
		order[j] = j
	}
	sort.SliceStable(order, func(a, b int) bool { return cfg.Ms[order[a]/cfg.Runs] > cfg.Ms[order[b]/cfg.Runs] })
	err := runJobs(ctx, n, cfg.Workers, func(ctx context.Context, i int) error {
		j := order[i]
		m, k := cfg.Ms[j/cfg.Runs], j%cfg.Runs
		dataSeed, trainSeed := seedsOf(cfg.Seed, "tiling/M="+strconv.Itoa(m), k)
		tc := cfg.Training
		tc.Hidden, tc.Seed = m, trainSeed
		key := trainingRunKey("tiling", model, cfg.S, tc, dataSeed, trainSeed)
		r, err := storedRun(ctx, cfg.Store, key, func(ctx context.Context) (TilingRun, error) {
			return tilingRun(ctx, model, cfg.S, tc, k, dataSeed)
		})
		runs[j] = r
		return err
	}, cfg.Progress)
	if err != nil {
		return nil, err
	}
	res := &TilingResult{Provenance: newProvenance("tiling", "Fig. 4"), Config: cfg, Runs: runs}
	for i, m := range cfg.Ms {
		res.Points = append(res.Points, tilingPoint(cfg.N, m, runs[i*cfg.Runs:(i+1)*cfg.Runs]))
	}
	res.Rows = res.compare()
	return res, nil
}

func tilingRun(ctx context.Context, model ring.Ising, s int, tc rbm.Config, run int, dataSeed uint64) (TilingRun, error) {
	out := TilingRun{M: tc.Hidden, Run: run, DataSeed: dataSeed, TrainSeed: tc.Seed}
	data, err := ring.GenerateContext(ctx, ring.NewExact(model), s, dataSeed)
	if err != nil {
		return out, err
	}
	tc.RecordEvery = math.MaxInt32
	res, err := rbm.Train(ctx, data, tc)
	if err != nil {
		return out, fmt.Errorf("compare: tiling M = %d run %d: %w", tc.Hidden, run, err)
	}
	fin := res.Final()
	out.Updates = fin.Update
	n := model.N
	out.W = make([]float64, len(fin.W))
	var centres []float64
	for mu := range tc.Hidden {
		row := dynamics.SignNormalize(out.W[mu*n:(mu+1)*n], fin.W[mu*n:(mu+1)*n])
		u := unitField(row)
		out.Units = append(out.Units, u)
		if !math.IsNaN(float64(u.Centre)) {
			centres = append(centres, float64(u.Centre))
		}
	}
	out.WMin, out.WMax = minOf(out.W), maxOf(out.W)
	out.Gaps = ringGaps(centres, float64(n))
	return out, nil
}

// ringGaps returns the distances between consecutive points on a ring of
// length n, in increasing order of position (nil for fewer than 2 points).
func ringGaps(pos []float64, n float64) []float64 {
	if len(pos) < 2 {
		return nil
	}
	p := slices.Clone(pos)
	slices.Sort(p)
	gaps := make([]float64, len(p))
	for i := range p {
		next := p[(i+1)%len(p)]
		if i == len(p)-1 {
			next += n
		}
		gaps[i] = next - p[i]
	}
	return gaps
}

func tilingPoint(n, m int, runs []TilingRun) TilingPoint {
	p := TilingPoint{M: m, Spacing: float64(n) / float64(m), WMin: math.Inf(1), WMax: math.Inf(-1),
		RandomCV: math.Sqrt(float64(m-1) / float64(m+1))}
	var peaks, widths, gaps []float64
	minGap := math.Inf(1)
	for _, r := range runs {
		for _, u := range r.Units {
			peaks = append(peaks, u.Peak)
			widths = append(widths, float64(u.FWHM))
		}
		gaps = append(gaps, r.Gaps...)
		if len(r.Gaps) > 0 {
			minGap = math.Min(minGap, minOf(r.Gaps))
		}
		p.WMin, p.WMax = math.Min(p.WMin, r.WMin), math.Max(p.WMax, r.WMax)
	}
	var sd, fw, fwsd, gp, gpsd float64
	p.Peak, sd, _ = meanSDOf(peaks)
	fw, fwsd, p.Widths = meanSDOf(widths)
	gp, gpsd, _ = meanSDOf(gaps)
	p.PeakSD, p.FWHM, p.FWHMSD, p.Gap, p.GapSD = OptFloat(sd), OptFloat(fw), OptFloat(fwsd), OptFloat(gp), OptFloat(gpsd)
	p.MinGap = OptFloat(minGap)
	return p
}

// point returns the point of M = m, or nil.
func (r *TilingResult) point(m int) *TilingPoint {
	for i := range r.Points {
		if r.Points[i].M == m {
			return &r.Points[i]
		}
	}
	return nil
}

func (r *TilingResult) compare() []paperRow {
	var rows []paperRow
	one := r.point(1)
	if p := r.point(3); p != nil {
		rows = append(rows, paperRow{"M = 3: peaks", fmt.Sprintf("≈ %.2f–%.2f", paperTilingPeakLo, paperTilingPeakHi),
			pm(p.Peak, float64(p.PeakSD), 3), agreement(p.Peak, 0, paperTilingPeakLo, paperTilingPeakHi, 0.05)})
		if one != nil {
			rows = append(rows, paperRow{"M = 3: FWHM against M = 1", "same width as M = 1",
				fmt.Sprintf("%s vs %s", pm(float64(p.FWHM), float64(p.FWHMSD), 2), pm(float64(one.FWHM), float64(one.FWHMSD), 2)),
				agreement(float64(p.FWHM), float64(p.FWHMSD), float64(one.FWHM), float64(one.FWHM), 0.15)})
		}
		rows = append(rows, paperRow{"M = 3: spacing (gap between centres)", fmt.Sprintf("roughly equal, N/3 = %.1f", p.Spacing),
			fmt.Sprintf("%s (CV %.2f; random points: %.2f)", pm(float64(p.Gap), float64(p.GapSD), 1), float64(p.GapSD/p.Gap), p.RandomCV), spacingVerdict(p)})
	}
	for _, c := range paperTilingRange {
		p := r.point(c.M)
		if p == nil {
			continue
		}
		rows = append(rows, paperRow{fmt.Sprintf("M = %d: weight range", c.M), fmt.Sprintf("≈ %g … %g", c.Lo, c.Hi),
			fmt.Sprintf("%.2f … %.2f", p.WMin, p.WMax),
			fmt.Sprintf("min %s; max %s", agreement(p.WMin, 0, c.Lo, c.Lo, 0.3), agreement(p.WMax, 0, c.Hi, c.Hi, 0.2))})
		if one != nil {
			v := "narrower than M = 1"
			if !(p.FWHM < one.FWHM) {
				v = "not narrower than M = 1"
			}
			rows = append(rows, paperRow{fmt.Sprintf("M = %d: FWHM", c.M), "narrower than M = 1 when Mξ ≫ N",
				fmt.Sprintf("%s (%d of %d units with a width) vs %.2f", pm(float64(p.FWHM), float64(p.FWHMSD), 2), p.Widths, c.M*r.Config.Runs, float64(one.FWHM)), v})
		}
		rows = append(rows, paperRow{fmt.Sprintf("M = %d: spacing", c.M), fmt.Sprintf("tile the ring, N/M = %.2f", p.Spacing),
			fmt.Sprintf("%s (CV %.2f; random points: %.2f)", pm(float64(p.Gap), float64(p.GapSD), 2), float64(p.GapSD/p.Gap), p.RandomCV), spacingVerdict(p)})
	}
	return rows
}

// spacingVerdict compares the spread of the gaps with that of random
// points on the ring, CV = √((M−1)/(M+1)).
func spacingVerdict(p *TilingPoint) string {
	cv := float64(p.GapSD / p.Gap)
	switch {
	case math.IsNaN(cv):
		return "no gaps measured"
	case cv < 0.5*p.RandomCV:
		return fmt.Sprintf("more regular than random (CV %.2f < ½ × %.2f)", cv, p.RandomCV)
	case cv < p.RandomCV:
		return fmt.Sprintf("somewhat more regular than random (CV %.2f < %.2f)", cv, p.RandomCV)
	}
	return fmt.Sprintf("no more regular than random points (CV %.2f ≥ %.2f)", cv, p.RandomCV)
}

// Header returns the provenance lines written at the top of every output.
func (r *TilingResult) Header() []string { return r.header(r.Config) }

// WriteCSV writes one row per unit, preceded by '#' provenance lines.
func (r *TilingResult) WriteCSV(w io.Writer) error {
	if err := writeComments(w, r.Header()...); err != nil {
		return err
	}
	cw := csv.NewWriter(w)
	cw.Write([]string{"m", "run", "unit", "peak", "tail", "fwhm", "pr", "centre", "concentration"})
	for _, run := range r.Runs {
		for mu, u := range run.Units {
			cw.Write([]string{strconv.Itoa(run.M), strconv.Itoa(run.Run), strconv.Itoa(mu), g(u.Peak), g(u.Tail),
				g(float64(u.FWHM)), g(float64(u.PR)), g(float64(u.Centre)), g(float64(u.Concentration))})
		}
	}
	cw.Flush()
	return cw.Error()
}

// Table returns one row per M.
func (r *TilingResult) Table() string {
	s := "| M | peak | FWHM (units with a width) | N/M | gap sd | gap CV (random points) | min gap | w range |\n|---|---|---|---|---|---|---|---|\n"
	for _, p := range r.Points {
		s += fmt.Sprintf("| %d | %s | %s (%d) | %.2f | %s | %s (%.2f) | %s | %.2f … %.2f |\n", p.M, pm(p.Peak, float64(p.PeakSD), 3),
			pm(float64(p.FWHM), float64(p.FWHMSD), 2), p.Widths, p.Spacing, fmtOpt(float64(p.GapSD), 2),
			fmtOpt(float64(p.GapSD/p.Gap), 2), p.RandomCV, fmtOpt(float64(p.MinGap), 2), p.WMin, p.WMax)
	}
	return s
}

// Plot writes the figure: the fields of the smallest two M as curves, the
// others as heat maps (units sorted by centre), and the widths and gaps
// against M.
func (r *TilingResult) Plot(path string) error {
	n := r.Config.N
	var panels [][]*plot.Plot
	var row []*plot.Plot
	push := func(p *plot.Plot) {
		row = append(row, p)
		if len(row) == 2 {
			panels, row = append(panels, row), nil
		}
	}
	x := make([]float64, n)
	for i := range x {
		x[i] = float64(i)
	}
	for _, run := range r.Runs {
		if run.Run != 0 {
			continue
		}
		p := plot.New()
		if run.M <= 5 {
			p.Title.Text = fmt.Sprintf("M = %d: receptive fields", run.M)
			p.X.Label.Text, p.Y.Label.Text = "site i", "w_i (sign-normalised)"
			for mu := range run.M {
				if err := addLine(p, x, run.W[mu*n:(mu+1)*n], colRules[mu%len(colRules)], 1.5, nil, ""); err != nil {
					return err
				}
			}
			p.X.Min, p.X.Max = 0, float64(n-1)
			p.Add(plotter.NewGrid())
		} else {
			idx := make([]int, run.M)
			for i := range idx {
				idx[i] = i
			}
			sort.SliceStable(idx, func(a, b int) bool {
				return float64(run.Units[idx[a]].Centre) < float64(run.Units[idx[b]].Centre)
			})
			z := make([][]float64, run.M)
			for k, mu := range idx {
				z[k] = run.W[mu*n : (mu+1)*n]
			}
			lim := addHeatMap(p, z, 0)
			p.Title.Text = fmt.Sprintf("M = %d: w, units sorted by centre (blue −%.2f … red +%.2f)", run.M, lim, lim)
			p.X.Label.Text, p.Y.Label.Text = "site i", "unit (by centre)"
		}
		push(p)
	}
	// Widths and gaps against M.
	pw := plot.New()
	pw.Title.Text = "FWHM (circles); gaps, mean = N/M by construction (squares)"
	pw.X.Label.Text, pw.Y.Label.Text = "hidden units M", "sites"
	var ms, fw, fwsd, gp, gpsd []float64
	for _, p := range r.Points {
		ms, fw, fwsd = append(ms, float64(p.M)), append(fw, float64(p.FWHM)), append(fwsd, float64(p.FWHMSD))
		gp, gpsd = append(gp, float64(p.Gap)), append(gpsd, float64(p.GapSD))
	}
	lo, hi := span(0.3, true, ms)
	logAxis(&pw.X, lo, hi)
	ylo, yhi := span(0.3, true, fw, gp, []float64{float64(n) / hi})
	logAxis(&pw.Y, ylo, yhi)
	pts, _ := finiteXY(ms, fw, fwsd, true, true)
	if err := addMeasured(pw, pts, "FWHM, mean ± sd over units"); err != nil {
		return err
	}
	gpts, _ := finiteXY(ms, gp, gpsd, true, true)
	if err := addSeries(pw, gpts, colRules[1], draw.BoxGlyph{}, "gaps between neighbouring centres, mean ± sd"); err != nil {
		return err
	}
	if err := addCurve(pw, func(m float64) float64 { return float64(n) / m }, lo, hi, true, colTheory, nil, "equal spacing N/M"); err != nil {
		return err
	}
	pw.Legend.Top = true
	pw.Add(plotter.NewGrid())
	push(pw)
	pr, err := r.rangePanel()
	if err != nil {
		return err
	}
	push(pr)
	return savePNGGrid(path, panels, 26*vg.Centimeter, vg.Length(len(panels))*9*vg.Centimeter, r.meta(r.Header()))
}

// Summary returns the Markdown section of the experiment.
func (r *TilingResult) Summary(png string) string {
	c := r.Config
	t := c.Training
	s := "## Several units tiling the ring (paper Fig. 4)\n\n"
	s += fmt.Sprintf("Ising ring N = %d, β = %g, S = %d exact samples; M ∈ %v, %d run(s) each; %s; %d epochs (%d updates); "+
		"master seed %d. Weights are sign-normalised per unit (each unit's sign is arbitrary); centres by circular mean of w².\n\n",
		c.N, c.Beta, c.S, c.Ms, c.Runs, trainingLabelM(t, msLabel(c.Ms)), t.Epochs, r.Runs[0].Updates, c.Seed)
	s += reductionNote([]sizeDiff{
		{"ν", g(t.Nu), "0.001"}, {"batch", strconv.Itoa(t.Batch), "10"}, {"epochs", strconv.Itoa(t.Epochs), "100"},
		{"S", strconv.Itoa(c.S), "10000"},
		{"the SGA noise level ν/B", g(t.Nu / float64(t.Batch)), "0.0001"},
		{"the learning time per epoch ν⌈S/B⌉", perEpochTime(t.Nu, c.S, t.Batch), "1"},
	}, "")
	s += assumptions(
		"β = 1 and the training of Fig. 3a (the paper gives S, ν, batch and PCD-20 for Fig. 3a only)",
		"±1 hidden units with zero fields",
		fmt.Sprintf("n_c = %d chains, σ₀ = %.4g", t.Chains, t.Sigma0),
		"exact independent samples instead of heat-bath Monte Carlo",
	)
	s += "**Paper against measured:**\n\n" + paperTable(r.Rows) + "\n" + r.Table() + "\n"
	s += fmt.Sprintf("![tiling](%s)\n\n", png)
	s += "**Verdict:** " + r.verdict() + "\n"
	return s
}

func (r *TilingResult) verdict() string {
	var parts []string
	for _, p := range r.Points {
		if p.M < 2 {
			continue
		}
		// The gaps sum to N, so their mean is N/M whenever every unit has
		// a centre; their spread is what tells tiling from random.
		parts = append(parts, fmt.Sprintf("M = %d: gaps between neighbouring centres spread by sd %.1f about their mean N/M = %.1f, %s",
			p.M, float64(p.GapSD), p.Spacing, spacingVerdict(&p)))
	}
	s := joinAnd(parts) + "."
	if d := tableDifferences(r.Rows); d != "" {
		s += " Differences from the paper in the table: " + d + "."
	} else {
		s += " No row of the table differs from the paper."
	}
	if one := r.point(1); one != nil {
		var narrower []string
		for _, p := range r.Points {
			if p.M > 1 && float64(p.FWHM) < 0.8*float64(one.FWHM) {
				narrower = append(narrower, strconv.Itoa(p.M))
			}
		}
		if len(narrower) > 0 {
			s += fmt.Sprintf(" Fields are narrower than the single unit's (%.1f sites) by more than 20%% for M = %s.", float64(one.FWHM), joinAnd(narrower))
		} else {
			s += fmt.Sprintf(" No M narrows the fields by more than 20%% from the single unit's %.1f sites.", float64(one.FWHM))
		}
	}
	return s
}

// rangePanel draws the weight range and mean peak against M with the
// paper's readings.
func (r *TilingResult) rangePanel() (*plot.Plot, error) {
	p := plot.New()
	p.Title.Text = "weight range (bars), mean peak (circles); paper's readings (red)"
	p.X.Label.Text, p.Y.Label.Text = "hidden units M", "w (sign-normalised)"
	var ms, lo, hi, pk []float64
	for _, q := range r.Points {
		ms, lo, hi, pk = append(ms, float64(q.M)), append(lo, q.WMin), append(hi, q.WMax), append(pk, q.Peak)
	}
	// The paper's readings, drawn 15% right of their M.
	paper := errPoints{x: []float64{3 * 1.15}, y: []float64{(paperTilingPeakLo + paperTilingPeakHi) / 2},
		e: []float64{(paperTilingPeakHi - paperTilingPeakLo) / 2}}
	for _, c := range paperTilingRange {
		paper.x = append(paper.x, float64(c.M)*1.15)
		paper.y, paper.e = append(paper.y, (c.Lo+c.Hi)/2), append(paper.e, (c.Hi-c.Lo)/2)
	}
	xlo, xhi := span(0.3, true, ms, paper.x)
	logAxis(&p.X, xlo, xhi)
	var pLo, pHi []float64
	for i := range paper.x {
		pLo, pHi = append(pLo, paper.y[i]-paper.e[i]), append(pHi, paper.y[i]+paper.e[i])
	}
	ylo, yhi := span(0.1, false, lo, hi, pLo, pHi)
	p.Y.Min, p.Y.Max = ylo, yhi+0.25*(yhi-ylo)
	mid, half := make([]float64, len(ms)), make([]float64, len(ms))
	for i := range ms {
		mid[i], half[i] = (lo[i]+hi[i])/2, (hi[i]-lo[i])/2
	}
	bars, _ := finiteXY(ms, mid, half, true, false)
	eb, err := plotter.NewYErrorBars(bars)
	if err != nil {
		return nil, err
	}
	eb.LineStyle.Color, eb.LineStyle.Width = colMeasured, vg.Points(2)
	p.Add(eb)
	p.Legend.Add("measured range", &plotter.Line{LineStyle: eb.LineStyle})
	pts, _ := finiteXY(ms, pk, nil, true, false)
	if err := addMeasured(p, pts, "mean peak"); err != nil {
		return nil, err
	}
	peb, err := plotter.NewYErrorBars(paper)
	if err != nil {
		return nil, err
	}
	peb.LineStyle.Color, peb.LineStyle.Width = colTheory, vg.Points(1)
	peb.LineStyle.Dashes = []vg.Length{vg.Points(3), vg.Points(2)}
	p.Add(peb)
	p.Legend.Add("paper (read off, drawn right of M)", &plotter.Line{LineStyle: peb.LineStyle})
	p.Legend.Top, p.Legend.Left = true, true
	p.Add(plotter.NewGrid())
	return p, nil
}

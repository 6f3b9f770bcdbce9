package compare

import (
	"context"
	"encoding/csv"
	"fmt"
	"image/color"
	"io"
	"math"
	"slices"
	"strconv"
	"strings"

	"gonum.org/v1/plot"
	"gonum.org/v1/plot/plotter"
	"gonum.org/v1/plot/vg"

	"placecell/compare/rbm"
	"placecell/ring"
	"placecell/spectral"
)

// Paper readings of Fig. 11 (THEORY.md §6.4, E11).
var paperXYRatios = []float64{1.0, 0.1429, 0.0667, 0.0333, 0.0222, 0.0067, 0.0033, 0.0022, 0.0017, 0.0013, 0.0011}

const (
	paperXYAngularR = 0.033 // angular structure appears for r < 0.033
	paperXYSpatialR = 0.002 // spatial localisation for r < 0.002
)

// XYThresholdConfig sets up the XY differentiated-thresholds experiment
// of the paper's Fig. 11 (THEORY.md §6.4 E11, §6.6 T8): one ±1 hidden
// unit is trained on S = N/r samples of the XY ring for each r, and two
// order parameters are measured: the angular structure, the first angular
// Fourier amplitude of the spatial sum Σ_i w_i(v) (eq 18) divided by the
// sum over sites of the amplitudes, |Σ_i z_i|/Σ_i |z_i| with z_i =
// Σ_v w_i(v) e^(−2πiv/P) (1 when every site has the same angular phase,
// about 1/√N for weights fitted to noise, whatever their size), and the
// spatial localisation, N/PR of the site norms s_i = Σ_v w_i(v)² (1 for
// a uniform field, large for a localised one). The theory's thresholds of
// the XY ring under every rule (spectral.XYThreshold; the paper's eq 31
// gives r_c = 0.0658) concern the top eigenspace, the uniform cos/sin
// pair: angular structure. Localisation needs the finer spatial modes,
// hence more samples; the experiment checks that the angular transition
// lies at larger r than the spatial one.
type XYThresholdConfig struct {
	N    int     `json:"n"`    // ring length (default 100)
	P    int     `json:"p"`    // Potts states (default 10)
	Beta float64 `json:"beta"` // inverse temperature (default 1.5)
	// Ratios are the values of r = N/S (default the paper's eleven, 1 to
	// 0.0011).
	Ratios []float64 `json:"ratios"`
	Runs   int       `json:"runs"` // data sets per ratio (default 2)
	Seed   uint64    `json:"seed"`
	// Protocols fix the training length (default both): FixedEpochs
	// trains Epochs epochs (the paper's 20, so t = 0.02·S grows with S,
	// THEORY.md §6.3); FixedTime trains for learning time Time.
	Protocols []Protocol `json:"protocols"`
	Epochs    int        `json:"epochs"`
	Time      float64    `json:"time"` // default 1000
	// Training holds the simulator settings (defaults: one ±1 unit, zero
	// fields, ν = 0.1, batch 100 — the paper's — and the exact model
	// term, PCD-k not being reported; σ₀ = √(0.1/N)).
	Training rbm.Config `json:"training"`

	Workers  int                   `json:"-"`
	Progress func(done, total int) `json:"-"`
	Store    Store                 `json:"-"`
}

// DefaultXYThresholdConfig returns the defaults: the paper's ratios,
// epochs, ν and batch, the exact model term, 2 runs, both protocols.
func DefaultXYThresholdConfig() XYThresholdConfig {
	c := XYThresholdConfig{Training: rbm.Config{Phase: rbm.Exact, Nu: 0.1, Batch: 100}}
	c.setDefaults()
	return c
}

func (c *XYThresholdConfig) setDefaults() {
	if c.N == 0 {
		c.N = 100
	}
	if c.P == 0 {
		c.P = 10
	}
	if c.Beta == 0 {
		c.Beta = 1.5
	}
	if len(c.Ratios) == 0 {
		c.Ratios = slices.Clone(paperXYRatios)
	}
	if c.Runs == 0 {
		c.Runs = 2
	}
	if len(c.Protocols) == 0 {
		c.Protocols = []Protocol{FixedEpochs, FixedTime}
	}
	if c.Epochs == 0 {
		c.Epochs = 20
	}
	if c.Time == 0 {
		c.Time = 1000
	}
	def := rbm.Config{Hidden: 1, Nu: 0.1, Batch: 100, Chains: 100, Sweeps: 20, Phase: rbm.Exact}
	fillTraining(&c.Training, def, c.N)
	c.Training.Visible = rbm.VisiblePotts
	c.Training.Epochs = 0 // set per protocol
}

func (c *XYThresholdConfig) validate() error {
	model := ring.XY{N: c.N, P: c.P, Beta: c.Beta}
	if err := model.Validate(); err != nil {
		return &ConfigError{err.Error()}
	}
	if c.P < 3 {
		return configErrorf("P = %d: the angular analysis needs P ≥ 3", c.P)
	}
	seen := map[int]float64{}
	for _, r := range c.Ratios {
		if !(r > 0) || math.IsInf(r, 0) {
			return configErrorf("ratio r = %v must be positive and finite", r)
		}
		s := int(math.Round(float64(c.N) / r))
		if s < c.Training.Batch || s > 1e8 {
			return configErrorf("ratio r = %v gives S = %d samples (want batch %d ≤ S ≤ 10⁸)", r, s, c.Training.Batch)
		}
		if prev, ok := seen[s]; ok {
			return configErrorf("ratios %v and %v both give S = %d samples", prev, r, s)
		}
		seen[s] = r
	}
	if c.Runs < 1 {
		return configErrorf("runs = %d must be at least 1", c.Runs)
	}
	for _, p := range c.Protocols {
		switch p {
		case FixedEpochs:
			if c.Epochs < 1 {
				return configErrorf("epochs = %d must be at least 1", c.Epochs)
			}
		case FixedTime:
			if !(c.Time > 0) || math.IsInf(c.Time, 0) {
				return configErrorf("time = %v must be positive and finite", c.Time)
			}
		default:
			return configErrorf("unknown protocol %d", p)
		}
	}
	t := c.Training
	t.Epochs = 1
	return checkTraining(t)
}

// XYThresholdRun is one trained RBM.
type XYThresholdRun struct {
	R         float64  `json:"r"`
	S         int      `json:"s"`
	Run       int      `json:"run"`
	Protocol  Protocol `json:"protocol"`
	DataSeed  uint64   `json:"data_seed"`
	TrainSeed uint64   `json:"train_seed"`
	Updates   int      `json:"updates"`
	T         float64  `json:"t"`
	// Angular is |Σ_i z_i|/Σ_i |z_i| (see XYThresholdConfig) and
	// SpatialAmplitude the first angular Fourier amplitude of Σ_i w_i(v);
	// Localisation is N/PR of the site norms (1: uniform); Profile the
	// amplitude A_i of every site.
	Angular          float64   `json:"angular"`
	SpatialAmplitude float64   `json:"spatial_amplitude"`
	Localisation     float64   `json:"localisation"`
	FWHM             OptFloat  `json:"fwhm"`
	AngPeak          float64   `json:"ang_peak"`
	Profile          []float64 `json:"profile"`
}

// XYThresholdPoint summarises the runs of one protocol at one ratio.
type XYThresholdPoint struct {
	Protocol       Protocol `json:"protocol"`
	R              float64  `json:"r"`
	S              int      `json:"s"`
	T              float64  `json:"t"`
	Angular        float64  `json:"angular"`
	AngularSD      float64  `json:"angular_sd"`
	Localisation   float64  `json:"localisation"`
	LocalisationSD float64  `json:"localisation_sd"`
}

// XYThresholdResult is the outcome of the Fig. 11 experiment.
type XYThresholdResult struct {
	Provenance
	Config     XYThresholdConfig    `json:"config"`
	Lambda     float64              `json:"lambda_xy"`
	Thresholds []spectral.Threshold `json:"thresholds"`
	Points     []XYThresholdPoint   `json:"points"`
	Runs       []XYThresholdRun     `json:"runs"`
	// AngularR and SpatialR are, per protocol, the ratios where the
	// angular amplitude falls below half its small-r value and where the
	// localisation falls below half-way between its small-r value and 1
	// (NaN if it never does).
	AngularR []OptFloat `json:"angular_r"`
	SpatialR []OptFloat `json:"spatial_r"`
	// AngularCrossing and SpatialCrossing hold, per protocol, the same
	// crossings with their spread over runs and whether the mean curve
	// recrosses the half level.
	AngularCrossing []XYCrossing `json:"angular_crossing"`
	SpatialCrossing []XYCrossing `json:"spatial_crossing"`
	Rows            []paperRow   `json:"paper_vs_measured"`
}

// XYCrossing is the ratio at which an order parameter first falls below
// its half level as r grows: R from the mean over runs, Lo and Hi the
// smallest and largest crossing of the single runs' curves (run k at
// every ratio, against the same half level; NaN if no run crosses),
// Crossed how many of Runs runs cross, and Recrosses whether the mean
// curve rises to the half level again at a larger r (the crossing is then
// not resolved by the data).
type XYCrossing struct {
	R         OptFloat `json:"r"`
	Lo        OptFloat `json:"lo"`
	Hi        OptFloat `json:"hi"`
	Crossed   int      `json:"crossed"`
	Runs      int      `json:"runs"`
	Recrosses bool     `json:"recrosses"`
}

// XYThreshold runs the Fig. 11 experiment.
func XYThreshold(ctx context.Context, cfg XYThresholdConfig) (*XYThresholdResult, error) {
	cfg.setDefaults()
	if err := cfg.validate(); err != nil {
		return nil, err
	}
	model := ring.XY{N: cfg.N, P: cfg.P, Beta: cfg.Beta}
	type job struct{ ratio, run int }
	var jobs []job
	for i := range cfg.Ratios {
		for k := range cfg.Runs {
			jobs = append(jobs, job{i, k})
		}
	}
	// Largest S first.
	slices.SortStableFunc(jobs, func(a, b job) int { return cmpFloat(cfg.Ratios[a.ratio], cfg.Ratios[b.ratio]) })
	np := len(cfg.Protocols)
	runs := make([]XYThresholdRun, len(jobs)*np)
	err := runJobs(ctx, len(jobs), cfg.Workers, func(ctx context.Context, j int) error {
		jb := jobs[j]
		s := int(math.Round(float64(cfg.N) / cfg.Ratios[jb.ratio]))
		dataSeed, trainSeed := seedsOf(cfg.Seed, "xythreshold/S="+strconv.Itoa(s), jb.run)
		out, err := xyThresholdRuns(ctx, model, &cfg, s, jb.run, dataSeed, trainSeed)
		if err != nil {
			return err
		}
		for pi := range out {
			runs[(jb.ratio*cfg.Runs+jb.run)*np+pi] = out[pi]
		}
		return nil
	}, cfg.Progress)
	if err != nil {
		return nil, err
	}
	res := &XYThresholdResult{Provenance: newProvenance("xythreshold", "Fig. 11"), Config: cfg, Runs: runs,
		Lambda: spectral.LambdaXY(cfg.P, cfg.Beta)}
	for _, rule := range spectral.Rules {
		res.Thresholds = append(res.Thresholds, spectral.XYThreshold(model, rule))
	}
	for pi, p := range cfg.Protocols {
		for i := range cfg.Ratios {
			var a, l []float64
			var q XYThresholdPoint
			for k := range cfg.Runs {
				run := runs[(i*cfg.Runs+k)*np+pi]
				a, l = append(a, run.Angular), append(l, run.Localisation)
				q.R, q.S, q.T = run.R, run.S, run.T
			}
			q.Protocol = p
			q.Angular, q.AngularSD, _ = meanSDOf(a)
			q.Localisation, q.LocalisationSD, _ = meanSDOf(l)
			res.Points = append(res.Points, q)
		}
	}
	res.summarise()
	return res, nil
}

// summarise computes the crossings and the table rows from the points and
// runs.
func (r *XYThresholdResult) summarise() {
	r.AngularR, r.SpatialR, r.AngularCrossing, r.SpatialCrossing = nil, nil, nil, nil
	for pi, p := range r.Config.Protocols {
		pts := r.points(p)
		ang := r.crossingOf(pi, pts, func(q XYThresholdPoint) float64 { return q.Angular }, func(x XYThresholdRun) float64 { return x.Angular }, 0)
		loc := r.crossingOf(pi, pts, func(q XYThresholdPoint) float64 { return q.Localisation }, func(x XYThresholdRun) float64 { return x.Localisation }, 1)
		r.AngularR, r.SpatialR = append(r.AngularR, ang.R), append(r.SpatialR, loc.R)
		r.AngularCrossing, r.SpatialCrossing = append(r.AngularCrossing, ang), append(r.SpatialCrossing, loc)
	}
	r.Rows = r.compare()
}

// crossingOf returns the crossing of the mean curve pts (sorted by r) of
// protocol index pi, with the crossings of the single runs against the
// same half level, floor + (y(r_min) − floor)/2.
func (r *XYThresholdResult) crossingOf(pi int, pts []XYThresholdPoint, y func(XYThresholdPoint) float64, yr func(XYThresholdRun) float64, floor float64) XYCrossing {
	out := XYCrossing{R: OptFloat(math.NaN()), Lo: OptFloat(math.NaN()), Hi: OptFloat(math.NaN()), Runs: r.Config.Runs}
	if len(pts) < 2 {
		return out
	}
	half := floor + (y(pts[0])-floor)/2
	rs, ys := make([]float64, len(pts)), make([]float64, len(pts))
	for i, q := range pts {
		rs[i], ys[i] = q.R, y(q)
	}
	rc, re := halfCrossing(rs, ys, half)
	out.R, out.Recrosses = OptFloat(rc), re
	// Run k of every ratio, sorted by r.
	np := len(r.Config.Protocols)
	idx := make([]int, len(r.Config.Ratios))
	for i := range idx {
		idx[i] = i
	}
	slices.SortFunc(idx, func(a, b int) int { return cmpFloat(r.Config.Ratios[a], r.Config.Ratios[b]) })
	var cs []float64
	for k := range r.Config.Runs {
		xs, vs := make([]float64, len(idx)), make([]float64, len(idx))
		for j, i := range idx {
			run := r.Runs[(i*r.Config.Runs+k)*np+pi]
			xs[j], vs[j] = run.R, yr(run)
		}
		if c, _ := halfCrossing(xs, vs, half); !math.IsNaN(c) {
			cs = append(cs, c)
		}
	}
	out.Crossed = len(cs)
	lo, hi := finiteRange(cs)
	out.Lo, out.Hi = OptFloat(lo), OptFloat(hi)
	return out
}

// halfCrossing returns the r, interpolated in ln r, at which y (sorted by
// increasing r) first falls below half, NaN if it never does, and whether
// y comes back to half or above at a larger r.
func halfCrossing(r, y []float64, half float64) (rc float64, recrosses bool) {
	for i := 1; i < len(r); i++ {
		if y[i] < half {
			f := (y[i-1] - half) / (y[i-1] - y[i])
			rc = math.Exp(math.Log(r[i-1]) + f*(math.Log(r[i])-math.Log(r[i-1])))
			for _, v := range y[i+1:] {
				if v >= half {
					recrosses = true
				}
			}
			return rc, recrosses
		}
	}
	return math.NaN(), false
}

// xyThresholdRuns draws one data set and trains on it under every
// protocol, reusing stored runs.
func xyThresholdRuns(ctx context.Context, model ring.XY, cfg *XYThresholdConfig, s, run int, dataSeed, trainSeed uint64) ([]XYThresholdRun, error) {
	out := make([]XYThresholdRun, len(cfg.Protocols))
	keys := make([]string, len(out))
	for i, p := range cfg.Protocols {
		keys[i] = runKey("xythreshold", struct {
			Build               string
			Model               ring.XY
			S                   int
			Protocol            Protocol
			Epochs              int
			Time                float64
			Training            rbm.Config
			DataSeed, TrainSeed uint64
		}{buildID(), model, s, p, cfg.Epochs, cfg.Time, cfg.Training, dataSeed, trainSeed})
	}
	if all, err := loadRuns(cfg.Store, keys, out); err != nil || all {
		return out, err
	}
	data, err := ring.GenerateDataContext(ctx, model.NewSampler(), model.NewData(s), dataSeed)
	if err != nil {
		return nil, err
	}
	n, q := model.N, model.P
	for i, p := range cfg.Protocols {
		tc := cfg.Training
		tc.Seed = trainSeed
		perEpoch := (s + tc.Batch - 1) / tc.Batch
		updates := cfg.Epochs * perEpoch
		if p == FixedTime {
			updates = max(1, int(math.Round(cfg.Time/tc.Nu)))
		}
		tc.Epochs = (updates + perEpoch - 1) / perEpoch
		tr, err := rbm.NewTrainer(data, tc)
		if err != nil {
			return nil, fmt.Errorf("compare: xythreshold S = %d: %w", s, err)
		}
		for u := range updates {
			if u%256 == 0 && ctx.Err() != nil {
				return nil, ctx.Err()
			}
			if err := tr.Step(); err != nil {
				return nil, fmt.Errorf("compare: xythreshold S = %d (%s protocol): %w", s, p, err)
			}
		}
		w := tr.Weights()
		f := analyseXY(w[:n*q], n, q)
		norms := make([]float64, n)
		for k := range n {
			for v := range q {
				norms[k] += sq(w[k*q+v])
			}
		}
		r := XYThresholdRun{R: float64(n) / float64(s), S: s, Run: run, Protocol: p, DataSeed: dataSeed, TrainSeed: trainSeed,
			Updates: updates, T: tc.Nu * float64(updates), Angular: f.SpatialAmplitude / sum(f.Amplitude), SpatialAmplitude: f.SpatialAmplitude,
			Localisation: float64(n) * dot(norms, norms) / sq(sum(norms)), FWHM: f.FWHM, AngPeak: f.AngPeak, Profile: f.Amplitude}
		out[i] = r
		if err := saveRun(cfg.Store, keys[i], r); err != nil {
			return nil, err
		}
	}
	return out, nil
}

// points returns the points of protocol p in increasing r.
func (r *XYThresholdResult) points(p Protocol) []XYThresholdPoint {
	var out []XYThresholdPoint
	for _, q := range r.Points {
		if q.Protocol == p {
			out = append(out, q)
		}
	}
	slices.SortFunc(out, func(a, b XYThresholdPoint) int { return cmpFloat(a.R, b.R) })
	return out
}

func (r *XYThresholdResult) compare() []paperRow {
	var rows []paperRow
	for pi, p := range r.Config.Protocols {
		ca, cs := r.AngularCrossing[pi], r.SpatialCrossing[pi]
		lab := "(" + p.String() + " protocol)"
		rows = append(rows,
			paperRow{"r below which angular structure appears " + lab, fmt.Sprintf("%.3f", paperXYAngularR), crossingText(ca),
				crossingVerdict(ca, paperXYAngularR)},
			paperRow{"r below which the field localises " + lab, fmt.Sprintf("%.3f", paperXYSpatialR), crossingText(cs),
				crossingVerdict(cs, paperXYSpatialR)},
		)
		rows = append(rows, paperRow{"order of the transitions " + lab, "angular before spatial (0.002 < r < 0.008: angular without localisation)",
			fmt.Sprintf("r_ang/r_loc = %.3g", float64(ca.R/cs.R)), orderVerdict(ca, cs)})
	}
	for _, t := range r.Thresholds {
		if t.Rule == spectral.EdgeMatching {
			rows = append(rows, paperRow{"edge-matching threshold (eq 31)", "r ≃ 0.066", fmt.Sprintf("%.4f", t.R), agreement(t.R, 0, 0.066, 0.066, 0.01)})
		}
	}
	return rows
}

// ratioVerdict compares a crossing ratio with the paper's within a factor
// 2 (the paper's r values are spaced by factors 1.3–3).
func ratioVerdict(got, want float64) string {
	if math.IsNaN(got) {
		return "no crossing in the range"
	}
	f := got / want
	if f >= 0.5 && f <= 2 {
		return fmt.Sprintf("agrees within a factor 2 (×%.2f)", f)
	}
	return fmt.Sprintf("differs: ×%.2g the paper's", f)
}

// crossingText formats a crossing as "0.0276 (single runs 0.02–0.05, 2 of
// 2 cross; the mean curve recrosses)".
func crossingText(c XYCrossing) string {
	s := sigText(float64(c.R), 2)
	var notes []string
	if c.Crossed > 0 {
		notes = append(notes, fmt.Sprintf("single runs %s, %d of %d cross", rangeText(float64(c.Lo), float64(c.Hi), 2), c.Crossed, c.Runs))
	} else {
		notes = append(notes, fmt.Sprintf("no single run of %d crosses", c.Runs))
	}
	if c.Recrosses {
		notes = append(notes, "the mean curve rises to the half level again at larger r")
	}
	return s + " (" + strings.Join(notes, "; ") + ")"
}

// crossingVerdict compares a crossing with the paper's ratio want within
// a factor 2 (the paper's r values are spaced by factors 1.3–3). The
// crossing is not resolved when the mean curve recrosses the half level,
// when some runs never cross, or when the single runs' crossings straddle
// the window [want/2, 2·want]; it agrees when the mean and every run lie
// in the window and differs when the mean and every run lie outside it.
func crossingVerdict(c XYCrossing, want float64) string {
	r, lo, hi := float64(c.R), float64(c.Lo), float64(c.Hi)
	if math.IsNaN(r) {
		return "no crossing in the range"
	}
	f := r / want
	switch {
	case c.Recrosses:
		return fmt.Sprintf("not resolved: the mean curve rises to the half level again at larger r (%d runs per point; formally ×%.2g the paper's)", c.Runs, f)
	case c.Crossed < c.Runs:
		return fmt.Sprintf("not resolved: %d of %d runs never cross (formally ×%.2g the paper's)", c.Runs-c.Crossed, c.Runs, f)
	}
	in := func(x float64) bool { return x >= want/2 && x <= 2*want }
	switch {
	case in(r) && in(lo) && in(hi):
		return fmt.Sprintf("agrees within a factor 2 (×%.2f; runs ×%.2g–%.2g)", f, lo/want, hi/want)
	case !in(r) && (hi < want/2 || lo > 2*want):
		return fmt.Sprintf("differs: ×%.2g the paper's (runs ×%.2g–%.2g)", f, lo/want, hi/want)
	}
	return fmt.Sprintf("not resolved: the runs cross at ×%.2g–%.2g the paper's, across the factor-2 window (mean curve ×%.2g)", lo/want, hi/want, f)
}

// orderVerdict tells whether angular structure (crossing a) appears at
// larger r than localisation (crossing l), as the paper reports, from
// the crossings and their spread over runs.
func orderVerdict(a, l XYCrossing) string {
	switch {
	case math.IsNaN(float64(a.R)) || math.IsNaN(float64(l.R)):
		return "not measured: a crossing is missing"
	case a.Recrosses || a.Crossed < a.Runs:
		return "not resolved: the angular crossing is not resolved"
	case l.Recrosses || l.Crossed < l.Runs:
		return "not resolved: the localisation crossing is not resolved"
	case a.Lo > l.Hi:
		return "angular structure first, at larger r (fewer samples), for every run"
	case a.R > l.R:
		return "not resolved: angular first for the mean curves, but the runs' crossing ranges overlap"
	}
	return "not confirmed: angular structure does not appear at larger r than localisation"
}

// Header returns the provenance lines written at the top of every output.
func (r *XYThresholdResult) Header() []string { return r.header(r.Config) }

// WriteCSV writes one row per protocol and ratio, preceded by '#'
// provenance lines and the thresholds.
func (r *XYThresholdResult) WriteCSV(w io.Writer) error {
	if err := writeComments(w, r.Header()...); err != nil {
		return err
	}
	for _, t := range r.Thresholds {
		if err := writeComments(w, fmt.Sprintf("threshold %s: r_c %s, S_c %s", t.Rule, g(t.R), g(t.S))); err != nil {
			return err
		}
	}
	cw := csv.NewWriter(w)
	cw.Write([]string{"protocol", "r", "S", "t", "angular_order", "angular_order_sd", "localisation_N_over_PR", "localisation_sd"})
	for _, p := range r.Points {
		cw.Write([]string{p.Protocol.String(), g(p.R), strconv.Itoa(p.S), g(p.T), g(p.Angular), g(p.AngularSD), g(p.Localisation), g(p.LocalisationSD)})
	}
	cw.Flush()
	return cw.Error()
}

// Table returns one row per ratio, the protocols side by side.
func (r *XYThresholdResult) Table() string {
	s := "| r = N/S | S |"
	sep := "|---|---|"
	for _, p := range r.Config.Protocols {
		s += fmt.Sprintf(" t (%s) | angular order (%s) | N/PR (%s) |", p, p, p)
		sep += "---|---|---|"
	}
	s += "\n" + sep + "\n"
	by := make([][]XYThresholdPoint, len(r.Config.Protocols))
	for i, p := range r.Config.Protocols {
		by[i] = r.points(p)
	}
	for j := range by[0] {
		s += fmt.Sprintf("| %.4g | %d |", by[0][j].R, by[0][j].S)
		for i := range by {
			q := by[i][j]
			s += fmt.Sprintf(" %.3g | %s | %s |", q.T, pm(q.Angular, q.AngularSD, 3), pm(q.Localisation, q.LocalisationSD, 2))
		}
		s += "\n"
	}
	return s
}

// Plot writes the angular amplitude and the localisation against r with
// every threshold rule and the paper's readings, and the amplitude
// profiles A_i of the fixed-epoch runs against r.
func (r *XYThresholdResult) Plot(path string) error {
	var rs []float64
	for _, p := range r.Points {
		rs = append(rs, p.R)
	}
	var rcs []float64
	for _, t := range r.Thresholds {
		if t.R > 0 {
			rcs = append(rcs, t.R)
		}
	}
	lo, hi := span(0.3, true, rs, rcs)
	dash := []vg.Length{vg.Points(5), vg.Points(3)}
	// Vertical lines stop at the top of the data, so that they never
	// cross the legend drawn in the headroom above.
	vline := func(p *plot.Plot, x, top float64, c color.Color, d []vg.Length, label string) error {
		return addPolyline(p, plotter.XYs{{X: x, Y: p.Y.Min}, {X: x, Y: top}}, c, 1.2, d, label)
	}
	// The angular order lies in [0, 1] by construction. Its panel keeps
	// that range and puts its short legend at the bottom left, above the
	// 1/√N line, when the data leave that corner empty (every point in the
	// left quarter of the log r range above the legend's two lines, down
	// to its error bar); otherwise, and for the localisation, the legend
	// goes in headroom above the data. The protocols and the rules are
	// named in the localisation panel.
	noise := 1 / math.Sqrt(float64(r.Config.N))
	leftCut := lo * math.Pow(hi/lo, 0.25)
	cornerFree := true
	for _, q := range r.Points {
		if q.R <= leftCut && q.Angular-q.AngularSD < noise+0.3 {
			cornerFree = false
		}
	}
	mk := func(title, ylab string, y func(XYThresholdPoint) (float64, float64), paperR float64, paperLab string, floor float64, angular bool) (*plot.Plot, error) {
		p := plot.New()
		p.Title.Text, p.X.Label.Text, p.Y.Label.Text = title, "r = N/S", ylab
		logAxis(&p.X, lo, hi)
		var all []float64
		entries := 1 // the paper's line
		for _, proto := range r.Config.Protocols {
			var x, v, e []float64
			for _, q := range r.points(proto) {
				a, b := y(q)
				x, v, e = append(x, q.R), append(v, a), append(e, b)
				all = append(all, a+b)
			}
			pts, _ := finiteXY(x, v, e, true, false)
			col, glyph := protocolStyle(proto)
			t := r.Config.Training
			lab := fmt.Sprintf("fixed %d epochs (t = %.3g·S)", r.Config.Epochs, t.Nu*float64(r.Config.Epochs)/float64(t.Batch))
			if proto == FixedTime {
				lab = fmt.Sprintf("fixed t = %g", r.Config.Time)
			}
			if angular {
				lab = "" // named in the other panel
			} else {
				entries++
			}
			if err := addMeasuredStyle(p, pts, lab, col, glyph); err != nil {
				return nil, err
			}
		}
		top := 1.05 * maxOf(all)
		if angular {
			top = 1.05
		}
		if !(top > 0) {
			top = 1
		}
		if angular {
			entries++
			if err := addHLine(p, noise, lo, hi, colGrid, dash, "1/√N (noise)"); err != nil {
				return nil, err
			}
		}
		for i, t := range r.Thresholds {
			if !(t.R > lo && t.R < hi) {
				continue
			}
			l := ""
			if !angular {
				l = fmt.Sprintf("r_c %s = %.4g", t.Rule, t.R)
				entries++
			}
			if err := vline(p, t.R, top, colRules[(i+2)%len(colRules)], dash, l); err != nil {
				return nil, err
			}
		}
		if err := vline(p, paperR, top, colTheory2, []vg.Length{vg.Points(1), vg.Points(2)}, paperLab); err != nil {
			return nil, err
		}
		if floor > 0 {
			if err := addHLine(p, floor, lo, hi, colGrid, nil, ""); err != nil {
				return nil, err
			}
		}
		// After the lines, which widen the range to theirs.
		p.Y.Min, p.Y.Max = math.Min(0, floor), top*(1+0.12*float64(entries))
		p.Legend.Top, p.Legend.Left = true, true
		if angular && cornerFree {
			// The data area is about 9 cm high in a 34 cm figure of three
			// panels; lift the legend just above the 1/√N line.
			p.Y.Max = top
			p.Legend.Top = false
			p.Legend.YOffs = vg.Length((noise+0.04)/top) * 9 * vg.Centimeter
		}
		p.Add(plotter.NewGrid())
		return p, nil
	}
	pa, err := mk(fmt.Sprintf("XY ring N = %d, P = %d, β = %g, one ±1 unit: angular structure (paper Fig. 11)", r.Config.N, r.Config.P, r.Config.Beta),
		"angular order |Σ_i z_i| / Σ_i |z_i|", func(q XYThresholdPoint) (float64, float64) { return q.Angular, q.AngularSD },
		paperXYAngularR, fmt.Sprintf("paper: r < %.3f", paperXYAngularR), 0, true)
	if err != nil {
		return err
	}
	pl, err := mk("spatial localisation", "N/PR of the site norms (1: uniform)",
		func(q XYThresholdPoint) (float64, float64) { return q.Localisation, q.LocalisationSD },
		paperXYSpatialR, fmt.Sprintf("paper: localised below r = %.3f", paperXYSpatialR), 1, false)
	if err != nil {
		return err
	}
	// Profiles A_i of run 0 under the first protocol, one row per r.
	ph := plot.New()
	var z [][]float64
	var ylabels []string
	proto := r.Config.Protocols[0]
	idx := make([]int, len(r.Config.Ratios))
	for i := range idx {
		idx[i] = i
	}
	slices.SortFunc(idx, func(a, b int) int { return cmpFloat(r.Config.Ratios[b], r.Config.Ratios[a]) })
	np := len(r.Config.Protocols)
	for _, i := range idx {
		for pi, p := range r.Config.Protocols {
			if p != proto {
				continue
			}
			run := r.Runs[(i*r.Config.Runs)*np+pi]
			z = append(z, run.Profile)
			ylabels = append(ylabels, fmt.Sprintf("%.2g", run.R))
		}
	}
	if len(z) > 0 {
		lim := addHeatMap(ph, z, 0)
		ph.Title.Text = fmt.Sprintf("angular amplitude A_i of each site, run 0, %s protocol (0 … %.2f, red positive)", proto, lim)
		ph.X.Label.Text, ph.Y.Label.Text = "site i", "r (top: smallest)"
		var ticks []plot.Tick
		for k, l := range ylabels {
			ticks = append(ticks, plot.Tick{Value: float64(k), Label: l})
		}
		ph.Y.Tick.Marker = plot.ConstantTicks(ticks)
	}
	return savePNG(path, []*plot.Plot{pa, pl, ph}, 18*vg.Centimeter, 34*vg.Centimeter, r.meta(r.Header()))
}

// Summary returns the Markdown section of the experiment.
func (r *XYThresholdResult) Summary(png string) string {
	c := r.Config
	t := c.Training
	s := "## XY differentiated thresholds (paper Fig. 11)\n\n"
	s += fmt.Sprintf("XY ring N = %d, P = %d, β = %g (Λ_XY = %.4f, eq 30); r = N/S ∈ %v; %d data sets per ratio, each trained under every protocol; "+
		"%s; master seed %d. Angular structure: the angular order |Σ_i z_i|/Σ_i |z_i|, z_i = Σ_v w_i(v)e^(−2πiv/P), the first angular "+
		"Fourier amplitude of Σ_i w_i(v) (eq 18) over the sum of the sites' amplitudes (1 for one common phase, ≈ 1/√N for noise); "+
		"localisation: N/PR of the site norms Σ_v w_i(v)² (1 for a uniform field). Crossings: where the angular order falls below half its smallest-r value, "+
		"and where N/PR falls below half-way between its smallest-r value and 1.\n\n",
		c.N, c.P, c.Beta, r.Lambda, c.Ratios, c.Runs, trainingLabel(t), c.Seed)
	ratios := "the paper's eleven"
	if !slices.Equal(c.Ratios, paperXYRatios) {
		ratios = fmt.Sprint(c.Ratios)
	}
	s += reductionNote([]sizeDiff{{"model term", phaseOf(t), "PCD (k not reported)"}, {"runs", strconv.Itoa(c.Runs), "1"},
		{"ν", g(t.Nu), "0.1"}, {"batch", strconv.Itoa(t.Batch), "100"}, {"epochs", strconv.Itoa(c.Epochs), "20"},
		{"ratios r", ratios, "the paper's eleven"}}, "")
	phase := "the exact model term (2 hidden states) instead of PCD, whose k and n_c the paper does not give for the XY runs"
	if t.Phase != rbm.Exact {
		phase = phaseOf(t) + ": k and n_c are not given by the paper for the XY runs"
	}
	s += assumptions(
		"the ±1 hidden unit (the paper's \"Bernoulli\", THEORY.md §7 item 19) with zero field",
		phase,
		"zero visible fields, not trained",
		fmt.Sprintf("σ₀ = %.4g", t.Sigma0),
		"exact independent samples",
	)
	s += "**Paper against measured:**\n\n" + paperTable(r.Rows) + "\n" + r.Table() + "\n"
	s += fmt.Sprintf("![XY thresholds](%s)\n\n", png)
	s += "Theory thresholds of the angular (top) eigenspace: "
	for i, th := range r.Thresholds {
		if i > 0 {
			s += "; "
		}
		s += fmt.Sprintf("%s r_c = %.4g", th.Rule, th.R)
	}
	s += ".\n\n**Verdict:** " + r.verdict() + "\n"
	return s
}

func (r *XYThresholdResult) verdict() string {
	var parts []string
	for pi, p := range r.Config.Protocols {
		ca, cs := r.AngularCrossing[pi], r.SpatialCrossing[pi]
		short := func(c XYCrossing) string {
			return fmt.Sprintf("r ≈ %s (single runs %s)", sigText(float64(c.R), 2), rangeText(float64(c.Lo), float64(c.Hi), 2))
		}
		parts = append(parts, fmt.Sprintf("%s protocol: angular crossing at %s, %s; localisation at %s, %s; order of the transitions: %s",
			p, short(ca), crossingVerdict(ca, paperXYAngularR), short(cs), crossingVerdict(cs, paperXYSpatialR), orderVerdict(ca, cs)))
	}
	s := joinAnd(parts) + "."
	for _, th := range r.Thresholds {
		if th.Rule == spectral.EdgeMatching && len(r.AngularR) > 0 {
			un := ""
			if v := crossingVerdict(r.AngularCrossing[0], paperXYAngularR); strings.HasPrefix(v, "not resolved") {
				un = ", itself not resolved"
			}
			s += fmt.Sprintf(" The edge-matching r_c = %.4f of the angular eigenspace is %.2g× the measured angular crossing (%s protocol%s).",
				th.R, th.R/float64(r.AngularR[0]), r.Config.Protocols[0], un)
		}
	}
	return s
}

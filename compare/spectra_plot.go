package compare

import (
	"bytes"
	"fmt"
	"math"

	"gonum.org/v1/plot"
	"gonum.org/v1/plot/vg"
	"gonum.org/v1/plot/vg/draw"
	"gonum.org/v1/plot/vg/vgimg"

	"placecell/internal/atomicfile"
)

// Plot writes the two-panel figure of the spectral experiment: the top
// eigenvalue of Ĉ against r with Λ, the noise edges, the generalized
// Marchenko–Pastur edge x₊, the flat-bulk BBP location and, above S_sep,
// the generalized spike ψ(λ_G) (top); and the eigenvector overlaps against
// r with the edge, BBP and generalized-spike predictions (bottom: squared
// projections for Fig. 12, norms for Fig. 13); vertical lines mark the
// critical ratio of every rule. Each panel's legend is drawn in a strip
// below it, in two columns, so that no line crosses it.
func (r *SpectraResult) Plot(path string) error {
	if r.sp == nil {
		if err := r.restore(); err != nil {
			return err
		}
	}
	x := make([]float64, len(r.Points))
	var top, topSD, second []float64
	for i, p := range r.Points {
		x[i] = p.R
		top = append(top, p.Top)
		topSD = append(topSD, p.TopSD)
		second = append(second, p.Second)
	}
	var rcs []float64
	for _, t := range r.Thresholds {
		if t.R > 0 && !math.IsInf(t.R, 0) {
			rcs = append(rcs, t.R)
		}
	}
	xlo, xhi := span(0.3, true, x)
	memo := map[float64]spectraTheory{}
	at := func(v float64) spectraTheory {
		th, ok := memo[v]
		if !ok {
			th = r.theoryAt(v)
			memo[v] = th
		}
		return th
	}
	dash := []vg.Length{vg.Points(5), vg.Points(3)}
	dot := []vg.Length{vg.Points(1.5), vg.Points(2.5)}
	c := r.Config

	// Top panel: eigenvalues.
	pe := plot.New()
	if r.Figure == 12 {
		pe.Title.Text = fmt.Sprintf("Fig. 12: Ising ring N = %d, β = %g, %d data sets per r", c.N, c.Beta, c.Runs)
	} else {
		pe.Title.Text = fmt.Sprintf("Fig. 13: XY ring N = %d, P = %d, β = %g, %d data sets per r", c.N, c.P, c.Beta, c.Runs)
	}
	pe.X.Label.Text = "r = N/S"
	pe.Y.Label.Text = "top eigenvalue of Ĉ"
	logAxis(&pe.X, xlo, xhi)
	ylo, yhi := span(0.05, true, top, []float64{r.Lambda, at(xlo).edge, at(xhi).edge, at(xhi).noise, r.Bulk})
	logAxis(&pe.Y, ylo, yhi)
	pe.Y.Tick.Marker = logTicks(ylo, yhi)
	pts, dropped := finiteXY(x, top, topSD, true, true)
	if err := addMeasured(pe, pts, "top eigenvalue, mean ± sd"); err != nil {
		return err
	}
	pts2, d2 := finiteXY(x, second, nil, true, true)
	dropped += d2
	if err := addMeasuredStyle(pe, pts2, "second eigenvalue, mean", colRules[4], draw.SquareGlyph{}); err != nil {
		return err
	}
	curves := []struct {
		f      func(float64) float64
		col    int
		dashes []vg.Length
		label  string
	}{
		{func(v float64) float64 { return at(v).edge }, -1, nil, "x+: generalized MP edge, exact spectrum"},
		{func(v float64) float64 { return at(v).noise }, -2, nil, r.noiseLabel()},
		{func(v float64) float64 { return r.Lambda }, -1, dash, r.lambdaLabel()},
		{func(v float64) float64 { return at(v).bbpX }, 1, dot, "BBP location of Λ on the flat bulk"},
		{func(v float64) float64 { return at(v).spikeX }, 3, nil, "ψ(λ_G): generalized spike, exact spectrum (S > S_sep)"},
	}
	if r.Figure == 13 {
		curves = append(curves, struct {
			f      func(float64) float64
			col    int
			dashes []vg.Length
			label  string
		}{func(v float64) float64 { return at(v).nullNoise }, -2, dash, "independent-Potts edge (P/(P−1))(1+√(r(P−1)))²"})
	}
	var topLegend []plot.Legend
	for i, cv := range curves {
		if i == 2 {
			topLegend = append(topLegend, takeLegend(pe))
		}
		col := colRules[max(cv.col, 0)%len(colRules)]
		switch cv.col {
		case -1:
			col = colTheory
		case -2:
			col = colTheory2
		}
		if err := addCurve(pe, cv.f, xlo, xhi, true, col, cv.dashes, cv.label); err != nil {
			return err
		}
	}
	topLegend = append(topLegend, takeLegend(pe))
	if err := r.thresholdLines(pe, false); err != nil {
		return err
	}

	// Bottom panel: eigenvectors.
	po := plot.New()
	po.X.Label.Text = "r = N/S"
	logAxis(&po.X, xlo, xhi)
	po.Y.Min, po.Y.Max = 0, 1.05
	po.Y.Tick.Marker = plot.ConstantTicks([]plot.Tick{{Value: 0, Label: "0"}, {Value: 0.25}, {Value: 0.5, Label: "0.5"},
		{Value: 0.75}, {Value: 1, Label: "1"}})
	if r.Figure == 12 {
		po.Y.Label.Text = "weight (squared projection) of the top eigenvector"
		band, bandSD, uni, uniSD := make([]float64, len(x)), make([]float64, len(x)), make([]float64, len(x)), make([]float64, len(x))
		for i, p := range r.Points {
			band[i], bandSD[i] = p.BandWeight, p.BandWeightSD
			uni[i], uniSD[i] = p.Overlap, 0
		}
		pb, d := finiteXY(x, band, bandSD, true, false)
		dropped += d
		if err := addMeasured(po, pb, fmt.Sprintf("on the band |k| ≤ %d, mean ± sd", c.Band)); err != nil {
			return err
		}
		pu, d := finiteXY(x, uni, nil, true, false)
		dropped += d
		if err := addMeasuredStyle(po, pu, "on the uniform mode k = 0, mean", colRules[4], draw.SquareGlyph{}); err != nil {
			return err
		}
		if err := addCurve(po, func(v float64) float64 { return at(v).predBand }, xlo, xhi, true, colTheory, nil,
			"band: edge prediction (Ledoit–Péché at x+)"); err != nil {
			return err
		}
		if err := addCurve(po, func(v float64) float64 { return at(v).predTop }, xlo, xhi, true, colTheory, dash,
			"uniform mode: edge prediction"); err != nil {
			return err
		}
		if err := addCurve(po, func(v float64) float64 { return at(v).bbp }, xlo, xhi, true, colRules[1], dot,
			"uniform mode: BBP overlap², Λ on a flat bulk"); err != nil {
			return err
		}
		if err := addCurve(po, func(v float64) float64 {
			if s := at(v).spike; s > 0 {
				return s
			}
			return math.NaN()
		}, xlo, xhi, true, colRules[3], nil, "uniform mode: generalized spike (S > S_sep)"); err != nil {
			return err
		}
		nn := float64(c.N)
		if err := addHLine(po, float64(2*c.Band+1)/nn, xlo, xhi, colTheory2, dot, "random vector"); err != nil {
			return err
		}
		if err := addHLine(po, 1/nn, xlo, xhi, colTheory2, dot, ""); err != nil {
			return err
		}
	} else {
		po.Y.Label.Text = "‖projection‖ on the exact top eigenspace"
		norm, normSD, norm2 := make([]float64, len(x)), make([]float64, len(x)), make([]float64, len(x))
		for i, p := range r.Points {
			norm[i], normSD[i], norm2[i] = p.OverlapNorm, p.OverlapNormSD, p.Overlap2Norm
			if norm2[i] == 0 && p.Overlap2 > 0 {
				norm2[i] = math.NaN() // decoded from an older result without the mean norm
			}
		}
		pn, d := finiteXY(x, norm, normSD, true, false)
		dropped += d
		if err := addMeasured(po, pn, "top eigenvector, mean ± sd"); err != nil {
			return err
		}
		pn2, d := finiteXY(x, norm2, nil, true, false)
		dropped += d
		if err := addMeasuredStyle(po, pn2, "second eigenvector, mean", colRules[4], draw.SquareGlyph{}); err != nil {
			return err
		}
		if err := addCurve(po, func(v float64) float64 { return math.Sqrt(at(v).bbp) }, xlo, xhi, true, colRules[1], dot,
			"BBP, Λ_XY on the flat Potts bulk"); err != nil {
			return err
		}
		if err := addCurve(po, func(v float64) float64 {
			if s := at(v).spike; s > 0 {
				return math.Sqrt(s)
			}
			return math.NaN()
		}, xlo, xhi, true, colTheory, nil, "generalized spike, exact finite-N spectrum (S > S_sep)"); err != nil {
			return err
		}
		if err := addCurve(po, func(v float64) float64 { return math.Sqrt(at(v).predTop) }, xlo, xhi, true, colTheory, dash,
			"edge prediction (Ledoit–Péché at x+)"); err != nil {
			return err
		}
	}
	bottomLegend := []plot.Legend{takeLegend(po)}
	if err := r.thresholdLines(po, true); err != nil {
		return err
	}
	bottomLegend = append(bottomLegend, takeLegend(po))
	if dropped > 0 {
		po.X.Label.Text += fmt.Sprintf("   (%d non-finite points not drawn)", dropped)
	}
	h := r.Header()
	meta := map[string]string{"Software": r.Program + " " + r.Version, "Description": h[0], "Comment": h[1]}
	return savePanelsWithLegends(path, []*plot.Plot{pe, po}, [][]plot.Legend{topLegend, bottomLegend},
		20*vg.Centimeter, 11*vg.Centimeter, meta)
}

// takeLegend returns the legend entries added to p so far and leaves p
// with an empty legend of the same style, so that the entries can be
// drawn outside the data area (savePanelsWithLegends).
func takeLegend(p *plot.Plot) plot.Legend {
	l := p.Legend
	fresh := plot.NewLegend()
	fresh.TextStyle, fresh.ThumbnailWidth, fresh.Padding = l.TextStyle, l.ThumbnailWidth, l.Padding
	p.Legend = fresh
	return l
}

// savePanelsWithLegends renders a column of panels, each with a data
// area panelH high (with its axes) and, below it, a strip holding the
// panel's legends side by side (stacked when they do not fit the width),
// so that no curve or line crosses a legend, and writes the PNG
// atomically to path with the tEXt chunks meta (as savePNG).
func savePanelsWithLegends(path string, panels []*plot.Plot, legends [][]plot.Legend, width, panelH vg.Length, meta map[string]string) error {
	const dpi = 150
	gap, margin := 0.6*vg.Centimeter, vg.Points(10)
	// The legend strip: side by side when the columns fit, else stacked.
	strip := vg.Length(0)
	stacked := make([]bool, len(panels))
	for i, cols := range legends {
		var w, hSide, hStack vg.Length
		for k := range cols {
			rect := cols[k].Rectangle(draw.Canvas{})
			sz := rect.Size()
			if k > 0 {
				w += gap
			}
			w += sz.X
			hSide = max(hSide, sz.Y)
			hStack += sz.Y
		}
		stacked[i] = w > width-2*margin
		h := hSide
		if stacked[i] {
			h = hStack
		}
		strip = max(strip, h+vg.Points(16))
	}
	row := panelH + strip
	const padY = 8
	height := vg.Length(len(panels))*row + vg.Points(4+4+padY*float64(len(panels)-1))
	img := vgimg.NewWith(vgimg.UseWH(width, height), vgimg.UseDPI(dpi))
	dc := draw.New(img)
	rows := make([][]*plot.Plot, len(panels))
	for i, p := range panels {
		rows[i] = []*plot.Plot{p}
	}
	tiles := draw.Tiles{Rows: len(panels), Cols: 1, PadY: vg.Points(padY),
		PadTop: vg.Points(4), PadBottom: vg.Points(4), PadLeft: vg.Points(4), PadRight: vg.Points(6)}
	canvases := plot.Align(rows, tiles, dc)
	for i, p := range panels {
		cv := canvases[i][0]
		p.Draw(draw.Crop(cv, 0, 0, strip, 0))
		lc := cv
		lc.Max.Y = cv.Min.Y + strip - vg.Points(6)
		lc.Min.X = dc.Min.X + margin
		for k := range legends[i] {
			l := legends[i][k]
			l.Top, l.Left, l.XOffs, l.YOffs = true, true, 0, 0
			l.Draw(lc)
			sz := l.Rectangle(lc).Size()
			if stacked[i] {
				lc.Max.Y -= sz.Y
			} else {
				lc.Min.X += sz.X + gap
			}
		}
	}
	var buf bytes.Buffer
	if _, err := (vgimg.PngCanvas{Canvas: img}).WriteTo(&buf); err != nil {
		return fmt.Errorf("compare: could not render %s: %w", path, err)
	}
	out, err := withText(buf.Bytes(), meta)
	if err != nil {
		return fmt.Errorf("compare: could not annotate %s: %w", path, err)
	}
	return atomicfile.WriteBytes(path, out)
}

// thresholdLines draws a vertical line at each rule's critical ratio
// inside the x range, labelled in the legend when label is set.
func (r *SpectraResult) thresholdLines(p *plot.Plot, label bool) error {
	for i, t := range r.Thresholds {
		if !(t.R >= p.X.Min && t.R <= p.X.Max) {
			continue
		}
		name := ""
		if label {
			name = fmt.Sprintf("r_c %s = %.3g", t.Rule, t.R)
			if t.Group != nil && len(t.Group) > 2 {
				name = fmt.Sprintf("r_c %s (band) = %.3g", t.Rule, t.R)
			}
		}
		if err := addVLine(p, t.R, colRules[(i+2)%len(colRules)], []vg.Length{vg.Points(5), vg.Points(3)}, name); err != nil {
			return err
		}
	}
	return nil
}

func (r *SpectraResult) noiseLabel() string {
	if r.Figure == 13 {
		return "eq 31: P/(P−1) + (1+√(rP))²"
	}
	return "noise edge (1+√r)², eq 25"
}

func (r *SpectraResult) lambdaLabel() string {
	if r.Figure == 13 {
		return fmt.Sprintf("Λ_XY = %.4g, eq 30", r.Lambda)
	}
	return fmt.Sprintf("Λ = e^(2β) = %.4g, eq 26", r.Lambda)
}

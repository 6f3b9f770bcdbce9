package compare

import (
	"bytes"
	"encoding/binary"
	"fmt"
	"hash/crc32"
	"image/color"
	"io"
	"math"
	"sort"
	"strconv"

	"gonum.org/v1/plot"
	"gonum.org/v1/plot/palette/moreland"
	"gonum.org/v1/plot/plotter"
	"gonum.org/v1/plot/vg"
	"gonum.org/v1/plot/vg/draw"
	"gonum.org/v1/plot/vg/vgimg"

	"placecell/internal/atomicfile"
)

// Colours of the figures: measurements in dark blue, theory in red and grey
// tones, thresholds in distinct hues.
var (
	colMeasured = color.RGBA{R: 0x1f, G: 0x4e, B: 0x9d, A: 0xff}
	colTheory   = color.RGBA{R: 0xc0, G: 0x22, B: 0x22, A: 0xff}
	colTheory2  = color.RGBA{R: 0x44, G: 0x44, B: 0x44, A: 0xff}
	colRules    = []color.Color{
		color.RGBA{R: 0xd9, G: 0x7a, B: 0x00, A: 0xff},
		color.RGBA{R: 0x2a, G: 0x9d, B: 0x4b, A: 0xff},
		color.RGBA{R: 0x8e, G: 0x3b, B: 0xb0, A: 0xff},
		color.RGBA{R: 0x00, G: 0x8b, B: 0x8b, A: 0xff},
		color.RGBA{R: 0xa0, G: 0x52, B: 0x2d, A: 0xff},
		color.RGBA{R: 0xd6, G: 0x27, B: 0x8a, A: 0xff},
	}
)

// errPoints holds points with symmetric vertical error bars; it implements
// plotter.XYer and plotter.YErrorer.
type errPoints struct {
	x, y, e []float64
}

func (p errPoints) Len() int                    { return len(p.x) }
func (p errPoints) XY(i int) (float64, float64) { return p.x[i], p.y[i] }
func (p errPoints) YError(i int) (float64, float64) {
	return p.e[i], p.e[i]
}

// finiteXY returns the points whose coordinates (and error, when e is not
// nil) are finite and, for log axes, positive; gonum/plot refuses NaN and
// ±Inf and log axes panic on non-positive values. It reports how many points
// were dropped, so that the figure can say so.
func finiteXY(x, y, e []float64, logX, logY bool) (errPoints, int) {
	var out errPoints
	for i := range x {
		ok := !math.IsNaN(x[i]) && !math.IsInf(x[i], 0) &&
			!math.IsNaN(y[i]) && !math.IsInf(y[i], 0)
		if e != nil {
			ok = ok && !math.IsNaN(e[i]) && !math.IsInf(e[i], 0)
		}
		if logX && x[i] <= 0 || logY && y[i] <= 0 {
			ok = false
		}
		if !ok {
			continue
		}
		out.x = append(out.x, x[i])
		out.y = append(out.y, y[i])
		if e != nil {
			out.e = append(out.e, e[i])
		} else {
			out.e = append(out.e, 0)
		}
	}
	return out, len(x) - len(out.x)
}

// addMeasured draws points with error bars in the measurement colour.
func addMeasured(p *plot.Plot, pts errPoints, label string) error {
	return addErrScatter(p, pts, label, colMeasured, draw.CircleGlyph{}, 2.5)
}

// addErrScatter draws points with symmetric vertical error bars in colour
// c with the given glyph shape and radius (points), and names them in the
// legend when label is not empty. It is the one implementation behind
// addMeasured, addMeasuredStyle and addSeries.
func addErrScatter(p *plot.Plot, pts errPoints, label string, c color.Color, shape draw.GlyphDrawer, radius float64) error {
	if pts.Len() == 0 {
		return nil
	}
	sc, err := plotter.NewScatter(pts)
	if err != nil {
		return err
	}
	sc.GlyphStyle.Color = c
	sc.GlyphStyle.Shape = shape
	sc.GlyphStyle.Radius = vg.Points(radius)
	eb, err := plotter.NewYErrorBars(pts)
	if err != nil {
		return err
	}
	eb.LineStyle.Color = c
	p.Add(eb, sc)
	if label != "" {
		p.Legend.Add(label, sc)
	}
	return nil
}

// addPolyline draws the line through xy in colour c with the given width
// (points) and dashes, and names it in the legend when label is not
// empty. It is the one implementation behind addCurve, addVLine, addHLine
// and addLine.
func addPolyline(p *plot.Plot, xy plotter.XYs, c color.Color, width float64, dashes []vg.Length, label string) error {
	l, err := plotter.NewLine(xy)
	if err != nil {
		return err
	}
	l.LineStyle.Color = c
	l.LineStyle.Width = vg.Points(width)
	l.LineStyle.Dashes = dashes
	p.Add(l)
	if label != "" {
		p.Legend.Add(label, l)
	}
	return nil
}

// addCurve draws y = f(x) sampled at n points between lo and hi,
// logarithmically spaced when logX is set.
func addCurve(p *plot.Plot, f func(float64) float64, lo, hi float64, logX bool, c color.Color, dashes []vg.Length, label string) error {
	const n = 200
	xy := make(plotter.XYs, 0, n)
	for i := range n {
		u := float64(i) / (n - 1)
		x := lo + u*(hi-lo)
		if logX {
			x = lo * math.Pow(hi/lo, u)
		}
		if y := f(x); !math.IsNaN(y) && !math.IsInf(y, 0) {
			xy = append(xy, plotter.XY{X: x, Y: y})
		}
	}
	if len(xy) < 2 {
		return nil
	}
	return addPolyline(p, xy, c, 1.5, dashes, label)
}

// addVLine draws a vertical line at x spanning the plot's fixed y range.
func addVLine(p *plot.Plot, x float64, c color.Color, dashes []vg.Length, label string) error {
	return addPolyline(p, plotter.XYs{{X: x, Y: p.Y.Min}, {X: x, Y: p.Y.Max}}, c, 1.2, dashes, label)
}

// logAxis makes an axis logarithmic with explicit limits.
func logAxis(a *plot.Axis, lo, hi float64) {
	a.Scale = plot.LogScale{}
	a.Tick.Marker = plot.LogTicks{Prec: -1}
	a.Min, a.Max = lo, hi
}

// span returns the smallest and largest of the finite values in the slices,
// widened by the relative margin pad (multiplicatively on log axes).
func span(pad float64, logScale bool, vals ...[]float64) (lo, hi float64) {
	lo, hi = math.Inf(1), math.Inf(-1)
	for _, v := range vals {
		for _, x := range v {
			if math.IsNaN(x) || math.IsInf(x, 0) || logScale && x <= 0 {
				continue
			}
			lo, hi = min(lo, x), max(hi, x)
		}
	}
	if lo > hi {
		return 0, 1
	}
	if logScale {
		return lo / (1 + pad), hi * (1 + pad)
	}
	d := hi - lo
	if d == 0 {
		d = math.Max(math.Abs(hi), 1)
	}
	return lo - pad*d, hi + pad*d
}

// savePNG renders the plots as a column of panels of the given size and
// writes them atomically to path as a PNG whose tEXt chunks hold meta, so
// that the figure itself records what produced it.
func savePNG(path string, panels []*plot.Plot, width, height vg.Length, meta map[string]string) error {
	rows := make([][]*plot.Plot, len(panels))
	for i, p := range panels {
		rows[i] = []*plot.Plot{p}
	}
	return savePNGGrid(path, rows, width, height, meta)
}

// withText inserts one tEXt chunk per entry of meta after the IHDR chunk of
// the PNG stream b (PNG specification, §11.3.4.3).
func withText(b []byte, meta map[string]string) ([]byte, error) {
	const sigLen, ihdrLen = 8, 8 + 13 + 4
	if len(b) < sigLen+ihdrLen || string(b[12:16]) != "IHDR" {
		return nil, fmt.Errorf("not a PNG stream")
	}
	keys := make([]string, 0, len(meta))
	for k := range meta {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	var out bytes.Buffer
	out.Write(b[:sigLen+ihdrLen])
	for _, k := range keys {
		data := append([]byte(latin1(k)), 0)
		data = append(data, latin1(meta[k])...)
		writeChunk(&out, "tEXt", data)
	}
	out.Write(b[sigLen+ihdrLen:])
	return out.Bytes(), nil
}

func writeChunk(w io.Writer, typ string, data []byte) {
	var n [4]byte
	binary.BigEndian.PutUint32(n[:], uint32(len(data)))
	w.Write(n[:])
	crc := crc32.NewIEEE()
	crc.Write([]byte(typ))
	crc.Write(data)
	w.Write([]byte(typ))
	w.Write(data)
	binary.BigEndian.PutUint32(n[:], crc.Sum32())
	w.Write(n[:])
}

// latin1 replaces the characters a PNG tEXt chunk cannot hold by '?'.
func latin1(s string) string {
	r := []rune(s)
	b := make([]byte, len(r))
	for i, c := range r {
		if c > 0xff || c == 0 {
			c = '?'
		}
		b[i] = byte(c)
	}
	return string(b)
}

// addMeasuredStyle draws points with error bars in colour c with glyph
// shape.
func addMeasuredStyle(p *plot.Plot, pts errPoints, label string, c color.Color, shape draw.GlyphDrawer) error {
	return addErrScatter(p, pts, label, c, shape, 2.5)
}

// addHLine draws a horizontal line at y across [lo, hi].
func addHLine(p *plot.Plot, y, lo, hi float64, c color.Color, dashes []vg.Length, label string) error {
	return addPolyline(p, plotter.XYs{{X: lo, Y: y}, {X: hi, Y: y}}, c, 1, dashes, label)
}

// addSeries draws points with error bars in colour col with the given
// glyph, like addMeasured for a second measured series.
func addSeries(p *plot.Plot, pts errPoints, col color.Color, glyph draw.GlyphDrawer, label string) error {
	return addErrScatter(p, pts, label, col, glyph, 3)
}

// logTicks labels a logarithmic axis on [lo, hi] at 1, 2 and 5 times the
// powers of ten (and marks the other integers of each decade), so that a
// range of less than two decades still carries several labels.
func logTicks(lo, hi float64) plot.ConstantTicks {
	var ticks []plot.Tick
	for e := math.Floor(math.Log10(lo)); e <= math.Ceil(math.Log10(hi)); e++ {
		base := math.Pow(10, e)
		for m := 1; m < 10; m++ {
			v := float64(m) * base
			if v < lo || v > hi {
				continue
			}
			t := plot.Tick{Value: v}
			if m == 1 || m == 2 || m == 5 {
				t.Label = strconv.FormatFloat(v, 'g', -1, 64)
			}
			ticks = append(ticks, t)
		}
	}
	return plot.ConstantTicks(ticks)
}

// colGrid is the colour of reference lines such as y = 0.
var colGrid = color.Gray{Y: 0xaa}

// gridZ is a rectangular grid of values z[row][col] at x = col and y = row
// (cell centres); it implements plotter.GridXYZ.
type gridZ [][]float64

func (g gridZ) Dims() (c, r int)    { return len(g[0]), len(g) }
func (g gridZ) Z(c, r int) float64  { return g[r][c] }
func (g gridZ) X(c int) float64     { return float64(c) }
func (g gridZ) Y(r int) float64     { return float64(r) }
func (g gridZ) maxAbs() (m float64) { return maxAbsOf(g...) }
func maxAbsOf(rows ...[]float64) float64 {
	m := 0.0
	for _, r := range rows {
		for _, v := range r {
			if a := math.Abs(v); a > m && !math.IsInf(a, 0) {
				m = a
			}
		}
	}
	return m
}

// addHeatMap draws z (rows along y, columns along x) with a diverging
// blue–red palette centred on zero over [−lim, lim] (lim ≤ 0: the largest
// |z|), and returns lim.
func addHeatMap(p *plot.Plot, z [][]float64, lim float64) float64 {
	if len(z) == 0 || len(z[0]) == 0 {
		return lim
	}
	if lim <= 0 {
		lim = gridZ(z).maxAbs()
	}
	if lim == 0 {
		lim = 1
	}
	cm := moreland.SmoothBlueRed()
	cm.SetMin(-lim)
	cm.SetMax(lim)
	h := plotter.NewHeatMap(gridZ(z), cm.Palette(255))
	h.Min, h.Max = -lim, lim
	p.Add(h)
	c, r := gridZ(z).Dims()
	p.X.Min, p.X.Max = -0.5, float64(c)-0.5
	p.Y.Min, p.Y.Max = -0.5, float64(r)-0.5
	return lim
}

// savePNGGrid renders a grid of panels (rows of equal length; a nil panel
// leaves its cell empty) at the given size and writes it atomically to
// path as a PNG whose tEXt chunks hold meta.
func savePNGGrid(path string, panels [][]*plot.Plot, width, height vg.Length, meta map[string]string) error {
	img := vgimg.NewWith(vgimg.UseWH(width, height), vgimg.UseDPI(150))
	dc := draw.New(img)
	cols := len(panels[0])
	tiles := draw.Tiles{Rows: len(panels), Cols: cols, PadX: vg.Points(10), PadY: vg.Points(8),
		PadTop: vg.Points(4), PadBottom: vg.Points(4), PadLeft: vg.Points(4), PadRight: vg.Points(6)}
	canvases := plot.Align(panels, tiles, dc)
	for i, row := range panels {
		for j, p := range row {
			if p != nil {
				p.Draw(canvases[i][j])
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

// addLine draws the polyline through (x, y), skipping non-finite points.
func addLine(p *plot.Plot, x, y []float64, c color.Color, width float64, dashes []vg.Length, label string) error {
	xy := make(plotter.XYs, 0, len(x))
	for i := range x {
		if !math.IsNaN(y[i]) && !math.IsInf(y[i], 0) && !math.IsNaN(x[i]) {
			xy = append(xy, plotter.XY{X: x[i], Y: y[i]})
		}
	}
	if len(xy) < 2 {
		return nil
	}
	return addPolyline(p, xy, c, width, dashes, label)
}

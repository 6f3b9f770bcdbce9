package ring

import (
	"bufio"
	"bytes"
	"encoding/binary"
	"fmt"
	"io"
	"math"
	"os"
	"strconv"
	"strings"

	"codeberg.org/sbinet/npyio/npy"
)

// Format names a data file format.
type Format int

const (
	// Text is one configuration per line, N whitespace-separated values,
	// either all ±1 or all 0/1 (0 read as −1); blank lines and lines
	// starting with '#' are skipped. Commas also separate values, so
	// comma-separated files read as well, and a value may be written as
	// a number such as "+1" or "1.0e+00" (as numpy.savetxt does).
	Text Format = iota + 1
	// NPY is a NumPy .npy file holding a 2-D array of shape (S, N) of any
	// integer, boolean or floating dtype, with values ±1 or 0/1.
	NPY
)

// String returns "text" or "npy".
func (f Format) String() string {
	switch f {
	case Text:
		return "text"
	case NPY:
		return "npy"
	}
	return fmt.Sprintf("Format(%d)", int(f))
}

// FormatOf returns NPY for a path ending in ".npy" and Text otherwise.
// The comparison ignores case.
func FormatOf(path string) Format {
	if strings.HasSuffix(strings.ToLower(path), ".npy") {
		return NPY
	}
	return Text
}

// ReadSpins reads a data set in format f from r. name is used in error
// messages, which have the form "ring: <name> line 12: <problem>" (text) or
// "ring: <name>: <problem>" (npy) and say how to fix the file.
//
// A file with no configuration is an error. ReadSpins panics if f is not
// a known Format.
func ReadSpins(r io.Reader, f Format, name string) (*Spins, error) {
	if name == "" {
		name = "input"
	}
	switch f {
	case Text:
		return readText(r, name)
	case NPY:
		return readNPY(r, name)
	}
	panic(fmt.Sprintf("ring: unknown data format %d", int(f)))
}

// ReadSpinsFile reads the data set at path, choosing the format from the
// extension.
func ReadSpinsFile(path string) (*Spins, error) {
	fh, err := os.Open(path)
	if err != nil {
		return nil, fmt.Errorf("ring: could not open data file: %w", err)
	}
	defer fh.Close()
	return ReadSpins(fh, FormatOf(path), path)
}

// WriteSpins writes d to w in format f. For Text, every header line is
// written first, prefixed by "# "; NPY writes an int8 array of shape (S, N)
// and ignores header.
//
// Text values are written as 1 and -1 separated by single spaces. NPY
// files use format version 1.0 with the header padded to 64 bytes, as
// NumPy writes them. WriteSpins panics if f is not a known Format.
func WriteSpins(w io.Writer, d *Spins, f Format, header []string) error {
	switch f {
	case Text:
		return writeText(w, d, header)
	case NPY:
		return writeNPY(w, d)
	}
	panic(fmt.Sprintf("ring: unknown data format %d", int(f)))
}

// alphabet records which spelling of −1 a data file uses, so that mixing
// the ±1 and 0/1 alphabets is caught wherever it happens.
type alphabet struct {
	minus, zero bool   // a −1, a 0 has been seen
	first       string // where the first of them was seen
}

// note records a −1 (zero false) or a 0 (zero true) seen at position pos,
// formatted only when needed. It returns a non-empty problem if both
// alphabets are now in use.
func (a *alphabet) note(zero bool, pos func() string) string {
	if zero && a.zero || !zero && a.minus {
		return "" // fast path: nothing new
	}
	const fix = "write every spin as -1/+1 or every spin as 0/1"
	switch {
	case zero && a.minus:
		return fmt.Sprintf("0 mixes the 0/1 alphabet with the ±1 alphabet of the -1 at %s (%s)", a.first, fix)
	case !zero && a.zero:
		return fmt.Sprintf("-1 mixes the ±1 alphabet with the 0/1 alphabet of the 0 at %s (%s)", a.first, fix)
	case zero:
		a.zero = true
	default:
		a.minus = true
	}
	a.first = pos()
	return ""
}

// readText parses the Text format line by line.
func readText(r io.Reader, name string) (*Spins, error) {
	br := bufio.NewReaderSize(r, 1<<16)
	var (
		n, s   int
		stride int
		bits   []uint64
		row    []int8
		alpha  alphabet
	)
	for line := 1; ; line++ {
		buf, err := br.ReadBytes('\n')
		if err != nil && err != io.EOF {
			return nil, fmt.Errorf("ring: %s line %d: could not read: %w", name, line, err)
		}
		if len(buf) == 0 && err == io.EOF {
			break
		}
		if line == 1 {
			buf = bytes.TrimPrefix(buf, []byte("\xef\xbb\xbf")) // UTF-8 byte-order mark
		}
		if k := bytes.IndexByte(buf, '#'); k >= 0 {
			buf = buf[:k]
		}

		// Tokenise and decode the values of this line.
		row = row[:0]
		col := 0
		for tok := range bytes.FieldsFuncSeq(buf, isSeparator) {
			col++
			v, ok := parseSpin(tok)
			if !ok {
				return nil, fmt.Errorf("ring: %s line %d: value %q (column %d) is not ±1 or 0/1", name, line, shorten(tok), col)
			}
			if v <= 0 {
				pos := func() string { return fmt.Sprintf("line %d column %d", line, col) }
				if msg := alpha.note(v == 0, pos); msg != "" {
					return nil, fmt.Errorf("ring: %s line %d: value %s", name, line, msg)
				}
				v = -1
			}
			row = append(row, v)
		}
		if len(row) > 0 {
			// The first configuration fixes N; every other must match it.
			if n == 0 {
				n = len(row)
				stride = (n + 63) / 64
			} else if len(row) != n {
				return nil, fmt.Errorf("ring: %s line %d: has %d values, want %d (every configuration must have the same number of sites)", name, line, len(row), n)
			}
			bits = append(bits, make([]uint64, stride)...)
			pack(bits[s*stride:], row)
			s++
		}
		if err == io.EOF {
			break
		}
	}
	if s == 0 {
		return nil, fmt.Errorf("ring: %s: no configurations (file is empty or all comments)", name)
	}
	return &Spins{n: n, s: s, stride: stride, bits: bits}, nil
}

// isSeparator reports whether c separates values in the Text format.
func isSeparator(c rune) bool {
	return c == ' ' || c == '\t' || c == ',' || c == '\r' || c == '\n' || c == '\v' || c == '\f'
}

// parseSpin decodes one Text value: +1, 0 or −1 (as 1, 0, -1), or false
// if tok is anything else. Common spellings are matched directly; any
// other number equal to −1, 0 or 1 ("1.0", "-1e0") is accepted too.
func parseSpin(tok []byte) (int8, bool) {
	switch string(tok) {
	case "1", "+1":
		return 1, true
	case "-1":
		return -1, true
	case "0", "-0", "+0":
		return 0, true
	}
	x, err := strconv.ParseFloat(string(tok), 64)
	if err != nil {
		return 0, false
	}
	switch x {
	case 1:
		return 1, true
	case -1:
		return -1, true
	case 0:
		return 0, true
	}
	return 0, false
}

// shorten truncates a token for an error message.
func shorten(tok []byte) string {
	const max = 24
	if len(tok) > max {
		return string(tok[:max]) + "…"
	}
	return string(tok)
}

// writeText writes the Text format.
func writeText(w io.Writer, d *Spins, header []string) error {
	bw := bufio.NewWriterSize(w, 1<<16)
	for _, h := range header {
		for l := range strings.SplitSeq(h, "\n") {
			bw.WriteString("# ")
			bw.WriteString(strings.TrimRight(l, "\r"))
			bw.WriteByte('\n')
		}
	}
	line := make([]byte, 0, 3*d.Sites())
	for s := range d.Len() {
		words := d.Packed(s)
		line = line[:0]
		for i := range d.Sites() {
			if i > 0 {
				line = append(line, ' ')
			}
			if words[i>>6]>>(uint(i)&63)&1 == 1 {
				line = append(line, '1')
			} else {
				line = append(line, '-', '1')
			}
		}
		line = append(line, '\n')
		if _, err := bw.Write(line); err != nil {
			return fmt.Errorf("ring: could not write text data: %w", err)
		}
	}
	if err := bw.Flush(); err != nil {
		return fmt.Errorf("ring: could not write text data: %w", err)
	}
	return nil
}

// maxNPYHeader bounds the header length accepted from an .npy file; NumPy
// itself refuses headers above 10000 bytes by default.
const maxNPYHeader = 1 << 20

// npyChunk is the number of values decoded per call of the npy reader.
const npyChunk = 1 << 14

// npyArray is an open 2-D .npy array of shape (rows, cols) whose values
// are read in file order through dec.
type npyArray struct {
	nr         *npy.Reader
	rows, cols int
	fortran    bool
	dec        *npyDecoder
	shape      []int
	rest       *bufio.Reader // the stream after the header
	name       string
}

// finish returns an error if bytes follow the array's data: a file longer
// than its header says is damaged or not what the header describes.
func (a *npyArray) finish() error {
	if n, _ := a.rest.Discard(1 << 20); n > 0 {
		more := ""
		if n == 1<<20 {
			more = " or more"
		}
		return fmt.Errorf("ring: %s: %d%s bytes follow the %s array the header describes (file damaged, or written by something other than numpy.save?)",
			a.name, n, more, shapeString(a.shape))
	}
	return nil
}

// openNPY checks the preamble and header of an .npy stream and returns the
// array, which must be 2-D and non-empty with a supported dtype. Errors
// have the form "ring: <name>: <problem>".
func openNPY(r io.Reader, name string) (a *npyArray, err error) {
	// The npy package indexes the header without bounds checks; a damaged
	// header must give an error, never a panic.
	defer func() {
		if p := recover(); p != nil {
			a, err = nil, fmt.Errorf("ring: %s: malformed npy file (%v); re-save the array with numpy.save", name, p)
		}
	}()
	fail := func(format string, args ...any) (*npyArray, error) {
		return nil, fmt.Errorf("ring: %s: "+format, append([]any{name}, args...)...)
	}

	// Check the preamble ourselves before handing it to the npy package:
	// magic, version and a header of plausible length ending in '\n'.
	br := bufio.NewReaderSize(r, 1<<16)
	pre := make([]byte, 10, 12)
	if _, err := io.ReadFull(br, pre); err != nil {
		return fail("not an npy file: too short for the NumPy preamble (save the array with numpy.save)")
	}
	if [6]byte(pre[:6]) != npy.Magic {
		return fail("not an npy file: no NumPy magic string (save the array with numpy.save, or use a name not ending in .npy for text data)")
	}
	var hlen int
	switch pre[6] {
	case 1:
		hlen = int(binary.LittleEndian.Uint16(pre[8:]))
	case 2:
		pre = pre[:12]
		if _, err := io.ReadFull(br, pre[10:]); err != nil {
			return fail("truncated npy header (file damaged?)")
		}
		hlen = int(binary.LittleEndian.Uint32(pre[8:]))
	default:
		return fail("npy format version %d.%d is not supported (save with numpy.save, which writes version 1.0 for such arrays)", pre[6], pre[7])
	}
	if hlen > maxNPYHeader {
		return fail("malformed npy header: its length %d bytes is implausible (file damaged?)", hlen)
	}
	hdr := make([]byte, hlen)
	if _, err := io.ReadFull(br, hdr); err != nil {
		return fail("truncated npy header (file damaged?)")
	}
	if hlen == 0 || hdr[hlen-1] != '\n' {
		return fail("malformed npy header: it does not end with a newline (re-save the array with numpy.save)")
	}
	nr, err := npy.NewReader(io.MultiReader(bytes.NewReader(pre), bytes.NewReader(hdr), br))
	if err != nil {
		return fail("malformed npy header: %v (re-save the array with numpy.save)", err)
	}

	// Shape (S, N) and element type.
	shape := nr.Header.Descr.Shape
	if len(shape) != 2 {
		return fail("array has shape %s, want a 2-D array of shape (S, N): one row per configuration, one column per site", shapeString(shape))
	}
	rows, cols := shape[0], shape[1]
	if rows < 0 || cols < 0 || (cols > 0 && rows > math.MaxInt/cols) {
		return fail("array shape %s is invalid (negative or too large)", shapeString(shape))
	}
	if rows == 0 || cols == 0 {
		return fail("array of shape %s holds no configurations", shapeString(shape))
	}
	dec, err := newNPYDecoder(nr.Header.Descr.Type)
	if err != nil {
		return fail("%v", err)
	}
	return &npyArray{nr: nr, rows: rows, cols: cols, fortran: nr.Header.Descr.Fortran, dec: dec, shape: shape,
		rest: br, name: name}, nil
}

// readNPY reads a 2-D NumPy array of ±1 or 0/1 values.
func readNPY(r io.Reader, name string) (sp *Spins, err error) {
	defer func() {
		if p := recover(); p != nil {
			sp, err = nil, fmt.Errorf("ring: %s: malformed npy file (%v); re-save the array with numpy.save", name, p)
		}
	}()
	fail := func(format string, args ...any) (*Spins, error) {
		return nil, fmt.Errorf("ring: %s: "+format, append([]any{name}, args...)...)
	}
	arr, err := openNPY(r, name)
	if err != nil {
		return nil, err
	}
	rows, cols, dec, shape := arr.rows, arr.cols, arr.dec, arr.shape

	// Values arrive in file order: row-major for C order, column-major for
	// Fortran order. Rows are allocated as values arrive, so that a
	// truncated file with a huge claimed shape allocates little.
	fortran := arr.fortran
	stride := (cols + 63) / 64
	var (
		bits  []uint64
		vals  []int8 // Fortran order: values collected column by column
		alpha alphabet
	)
	total := rows * cols
	spins := make([]int8, min(npyChunk, total))
	for k0 := 0; k0 < total; k0 += npyChunk {
		m := min(npyChunk, total-k0)
		if err := dec.read(arr.rest, m); err != nil {
			return fail("data end early: shape %s needs %d values, file holds fewer (file truncated?)", shapeString(shape), total)
		}
		position := func(k int) (row, col int) {
			if fortran {
				return k % rows, k / rows
			}
			return k / cols, k % cols
		}
		if a := dec.spins(spins[:m]); a >= 0 {
			row, col := position(k0 + a)
			return fail("value %s at (row %d, column %d) is not ±1 or 0/1", dec.format(a), row, col)
		}
		for a, v := range spins[:m] {
			if v <= 0 {
				pos := func() string {
					row, col := position(k0 + a)
					return fmt.Sprintf("(row %d, column %d)", row, col)
				}
				if msg := alpha.note(v == 0, pos); msg != "" {
					return fail("value at %s: %s", pos(), msg)
				}
			}
			if fortran {
				vals = append(vals, v)
				continue
			}
			row, col := (k0+a)/cols, (k0+a)%cols
			if col == 0 {
				bits = append(bits, make([]uint64, stride)...)
			}
			if v > 0 {
				bits[row*stride+col>>6] |= 1 << (uint(col) & 63)
			}
		}
	}
	if fortran {
		bits = make([]uint64, rows*stride)
		for k, v := range vals {
			if v > 0 {
				row, col := k%rows, k/rows
				bits[row*stride+col>>6] |= 1 << (uint(col) & 63)
			}
		}
	}
	if err := arr.finish(); err != nil {
		return nil, err
	}
	return &Spins{n: cols, s: rows, stride: stride, bits: bits}, nil
}

// shapeString formats an array shape as NumPy does: (3,), (3, 4).
func shapeString(shape []int) string {
	parts := make([]string, len(shape))
	for i, d := range shape {
		parts[i] = strconv.Itoa(d)
	}
	if len(shape) == 1 {
		return "(" + parts[0] + ",)"
	}
	return "(" + strings.Join(parts, ", ") + ")"
}

// npyDecoder reads chunks of one element type straight from the byte
// stream after the header (twice as fast as element-wise decoding through
// the npy package: BenchmarkReadSpins, 19 → 9.7 ms for 10⁴×100 int8)
// and turns them into spins or states.
type npyDecoder struct {
	size int                  // bytes per element
	conv func([]byte) float64 // one element to float64; NaN if invalid
	raw  []byte
	vals []float64
}

// read reads the next m values.
func (d *npyDecoder) read(r io.Reader, m int) error {
	if cap(d.raw) < m*d.size {
		d.raw = make([]byte, m*d.size)
		d.vals = make([]float64, m)
	}
	d.raw, d.vals = d.raw[:m*d.size], d.vals[:m]
	if _, err := io.ReadFull(r, d.raw); err != nil {
		return err
	}
	for a := range d.vals {
		d.vals[a] = d.conv(d.raw[a*d.size : (a+1)*d.size])
	}
	return nil
}

// spins writes the values of the last chunk into dst as 1, 0 or −1 and
// returns the index of the first other value, or −1. Only the integers −1,
// 0 and 1 convert to −1, 0 and 1, since float64 represents every integer
// below 2^53 exactly; NaN and fractions are rejected.
func (d *npyDecoder) spins(dst []int8) int {
	for a, v := range d.vals[:len(dst)] {
		switch v {
		case 1:
			dst[a] = 1
		case 0:
			dst[a] = 0
		case -1:
			dst[a] = -1
		default:
			return a
		}
	}
	return -1
}

// states writes the values of the last chunk into dst as Potts states and
// returns the index of the first value that is not an integer in [0, p),
// or −1.
func (d *npyDecoder) states(dst []uint8, p int) int {
	for a, v := range d.vals[:len(dst)] {
		if !(v >= 0 && v < float64(p)) || v != math.Trunc(v) {
			return a
		}
		dst[a] = uint8(v)
	}
	return -1
}

// format formats value a of the last chunk.
func (d *npyDecoder) format(a int) string {
	if math.IsNaN(d.vals[a]) && d.size == 1 {
		return fmt.Sprintf("byte %d", d.raw[a])
	}
	return strconv.FormatFloat(d.vals[a], 'g', -1, 64)
}

// newNPYDecoder returns the decoder of a NumPy dtype string such as '<i8'.
func newNPYDecoder(descr string) (*npyDecoder, error) {
	t := strings.Trim(descr, `'"`)
	if len(t) < 2 || !strings.ContainsRune("<>|=", rune(t[0])) {
		return nil, fmt.Errorf("array dtype %s is not supported (use an integer, bool or float dtype, e.g. numpy.int8)", descr)
	}
	var bo binary.ByteOrder = binary.LittleEndian
	if t[0] == '>' {
		bo = binary.BigEndian
	}
	dec := func(size int, conv func([]byte) float64) (*npyDecoder, error) {
		return &npyDecoder{size: size, conv: conv}, nil
	}
	switch t[1:] {
	case "b1":
		return dec(1, func(b []byte) float64 {
			if b[0] > 1 {
				return math.NaN()
			}
			return float64(b[0])
		})
	case "i1":
		return dec(1, func(b []byte) float64 { return float64(int8(b[0])) })
	case "u1":
		return dec(1, func(b []byte) float64 { return float64(b[0]) })
	case "i2":
		return dec(2, func(b []byte) float64 { return float64(int16(bo.Uint16(b))) })
	case "u2":
		return dec(2, func(b []byte) float64 { return float64(bo.Uint16(b)) })
	case "i4":
		return dec(4, func(b []byte) float64 { return float64(int32(bo.Uint32(b))) })
	case "u4":
		return dec(4, func(b []byte) float64 { return float64(bo.Uint32(b)) })
	case "i8":
		return dec(8, func(b []byte) float64 { return float64(int64(bo.Uint64(b))) })
	case "u8":
		return dec(8, func(b []byte) float64 { return float64(bo.Uint64(b)) })
	case "f4":
		return dec(4, func(b []byte) float64 { return float64(math.Float32frombits(bo.Uint32(b))) })
	case "f8":
		return dec(8, func(b []byte) float64 { return math.Float64frombits(bo.Uint64(b)) })
	}
	return nil, fmt.Errorf("array dtype %s is not supported (use an integer, bool or float dtype, e.g. numpy.int8)", descr)
}

// writeNPY writes d as a version 1.0 .npy file holding an int8 array of
// shape (S, N) in C order, one byte per spin.
func writeNPY(w io.Writer, d *Spins) error {
	// Preamble: magic, version 1.0, header length; the header dictionary
	// is padded with spaces and ends in '\n' so that the data start at a
	// multiple of 64 bytes.
	dict := fmt.Sprintf("{'descr': '|i1', 'fortran_order': False, 'shape': (%d, %d), }", d.Len(), d.Sites())
	const preamble = 10
	pad := 64 - (preamble+len(dict)+1)%64
	if pad == 64 {
		pad = 0
	}
	hdr := make([]byte, 0, preamble+len(dict)+pad+1)
	hdr = append(hdr, npy.Magic[:]...)
	hdr = append(hdr, 1, 0)
	hdr = binary.LittleEndian.AppendUint16(hdr, uint16(len(dict)+pad+1))
	hdr = append(hdr, dict...)
	hdr = append(hdr, bytes.Repeat([]byte{' '}, pad)...)
	hdr = append(hdr, '\n')

	bw := bufio.NewWriterSize(w, 1<<16)
	bw.Write(hdr)
	row := make([]byte, d.Sites())
	for s := range d.Len() {
		words := d.Packed(s)
		for i := range row {
			row[i] = byte(2*int8(words[i>>6]>>(uint(i)&63)&1) - 1)
		}
		if _, err := bw.Write(row); err != nil {
			return fmt.Errorf("ring: could not write npy data: %w", err)
		}
	}
	if err := bw.Flush(); err != nil {
		return fmt.Errorf("ring: could not write npy data: %w", err)
	}
	return nil
}

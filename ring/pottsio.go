package ring

import (
	"bufio"
	"bytes"
	"encoding/binary"
	"fmt"
	"io"
	"os"
	"strconv"
	"strings"

	"codeberg.org/sbinet/npyio/npy"
)

// ReadPotts reads a data set of Potts states in format f from r: Text is
// one configuration per line, N integers in 0..P−1 separated by
// whitespace or commas ("3", "+3" and "3.0e+00" all read as 3; blank lines
// and '#' comments are skipped); NPY is a 2-D array of shape (S, N) of any
// integer, boolean or floating dtype holding integers in 0..P−1, with no
// bytes after the array.
//
// p is the number of states P. With p = 0 it is inferred as the largest
// state present plus one (at least 2); pass the model's P when a data set
// might not visit every state. Errors have the form "ring: <name> line 12:
// <problem>" (text) or "ring: <name>: <problem>" (npy). A file with no
// configuration is an error. ReadPotts panics if f is not a known Format
// or p is outside {0} ∪ [2, MaxStates].
func ReadPotts(r io.Reader, f Format, name string, p int) (*Potts, error) {
	if p != 0 && (p < 2 || p > MaxStates) {
		panic(fmt.Sprintf("ring: invalid number of Potts states %d", p))
	}
	if name == "" {
		name = "input"
	}
	limit := p
	if p == 0 {
		limit = MaxStates
	}
	var d *Potts
	var err error
	switch f {
	case Text:
		d, err = readPottsText(r, name, limit)
	case NPY:
		d, err = readPottsNPY(r, name, limit)
	default:
		panic(fmt.Sprintf("ring: unknown data format %d", int(f)))
	}
	if err != nil {
		return nil, err
	}
	if p == 0 {
		top := 1
		for _, v := range d.v {
			top = max(top, int(v))
		}
		d.p = top + 1
	} else {
		d.p = p
	}
	return d, nil
}

// ReadPottsFile reads the Potts data set at path, choosing the format from
// the extension (see ReadPotts for p).
func ReadPottsFile(path string, p int) (*Potts, error) {
	fh, err := os.Open(path)
	if err != nil {
		return nil, fmt.Errorf("ring: could not open data file: %w", err)
	}
	defer fh.Close()
	return ReadPotts(fh, FormatOf(path), path, p)
}

// ReadDataFile reads the data set at path in the container type of m: a
// *Potts with m.States() states for Potts models, a *Spins otherwise
// (where 0/1 files read as state 0/1, as ±1 files do). The number of sites
// is not checked against m.
func ReadDataFile(path string, m Model) (Data, error) {
	switch m.NewData(0).(type) {
	case *Potts:
		return ReadPottsFile(path, m.States())
	default:
		return ReadSpinsFile(path)
	}
}

// WriteData writes d in format f: WriteSpins for *Spins, WritePotts for
// *Potts. Two-state data are written as ±1 (state 1 as +1) whatever the
// model's encoding, and read back as the same states. It panics for other
// types.
func WriteData(w io.Writer, d Data, f Format, header []string) error {
	switch x := d.(type) {
	case *Spins:
		return WriteSpins(w, x, f, header)
	case *Potts:
		return WritePotts(w, x, f, header)
	}
	panic(fmt.Sprintf("ring: cannot write a %T", d))
}

// WritePotts writes d to w in format f. Text: every header line first,
// prefixed by "# ", then one configuration per line, states as integers
// separated by single spaces. NPY: a version 1.0 file holding a uint8
// array of shape (S, N) in C order; header is ignored. WritePotts panics if
// f is not a known Format.
func WritePotts(w io.Writer, d *Potts, f Format, header []string) error {
	bw := bufio.NewWriterSize(w, 1<<16)
	switch f {
	case Text:
		for _, h := range header {
			for l := range strings.SplitSeq(h, "\n") {
				bw.WriteString("# ")
				bw.WriteString(strings.TrimRight(l, "\r"))
				bw.WriteByte('\n')
			}
		}
		line := make([]byte, 0, 4*d.n)
		for s := range d.s {
			line = line[:0]
			for i, v := range d.v[s*d.n : (s+1)*d.n] {
				if i > 0 {
					line = append(line, ' ')
				}
				line = strconv.AppendInt(line, int64(v), 10)
			}
			line = append(line, '\n')
			if _, err := bw.Write(line); err != nil {
				return fmt.Errorf("ring: could not write text data: %w", err)
			}
		}
	case NPY:
		bw.Write(npyHeader("|u1", d.s, d.n))
		if _, err := bw.Write(d.v); err != nil {
			return fmt.Errorf("ring: could not write npy data: %w", err)
		}
	default:
		panic(fmt.Sprintf("ring: unknown data format %d", int(f)))
	}
	if err := bw.Flush(); err != nil {
		return fmt.Errorf("ring: could not write %s data: %w", f, err)
	}
	return nil
}

// npyHeader returns the preamble and header of a version 1.0 .npy file of
// a C-order array of shape (rows, cols) and dtype descr, padded with
// spaces so that the data start at a multiple of 64 bytes.
func npyHeader(descr string, rows, cols int) []byte {
	dict := fmt.Sprintf("{'descr': '%s', 'fortran_order': False, 'shape': (%d, %d), }", descr, rows, cols)
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
	return append(hdr, '\n')
}

// readPottsText parses the Text format for Potts states below limit.
func readPottsText(r io.Reader, name string, limit int) (*Potts, error) {
	br := bufio.NewReaderSize(r, 1<<16)
	var (
		n, s int
		vals []uint8
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
			buf = bytes.TrimPrefix(buf, []byte("\xef\xbb\xbf"))
		}
		if k := bytes.IndexByte(buf, '#'); k >= 0 {
			buf = buf[:k]
		}
		col := 0
		for tok := range bytes.FieldsFuncSeq(buf, isSeparator) {
			col++
			v, ok := parseState(tok, limit)
			if !ok {
				return nil, fmt.Errorf("ring: %s line %d: value %q (column %d) is not a Potts state in 0..%d", name, line, shorten(tok), col, limit-1)
			}
			vals = append(vals, v)
		}
		if col > 0 {
			if n == 0 {
				n = col
			} else if col != n {
				return nil, fmt.Errorf("ring: %s line %d: has %d values, want %d (every configuration must have the same number of sites)", name, line, col, n)
			}
			s++
		}
		if err == io.EOF {
			break
		}
	}
	if s == 0 {
		return nil, fmt.Errorf("ring: %s: no configurations (file is empty or all comments)", name)
	}
	return &Potts{n: n, s: s, p: limit, v: vals}, nil
}

// parseState decodes one Text value as an integer state in [0, limit).
func parseState(tok []byte, limit int) (uint8, bool) {
	if len(tok) <= 3 {
		if v, err := strconv.Atoi(string(tok)); err == nil {
			if v >= 0 && v < limit {
				return uint8(v), true
			}
			return 0, false
		}
	}
	x, err := strconv.ParseFloat(string(tok), 64)
	if err != nil || !(x >= 0 && x < float64(limit)) || x != float64(int(x)) {
		return 0, false
	}
	return uint8(x), true
}

// readPottsNPY reads a 2-D NumPy array of Potts states below limit.
func readPottsNPY(r io.Reader, name string, limit int) (d *Potts, err error) {
	defer func() {
		if p := recover(); p != nil {
			d, err = nil, fmt.Errorf("ring: %s: malformed npy file (%v); re-save the array with numpy.save", name, p)
		}
	}()
	arr, err := openNPY(r, name)
	if err != nil {
		return nil, err
	}
	rows, cols := arr.rows, arr.cols
	total := rows * cols
	var vals []uint8 // in file order, grown as values arrive
	chunk := make([]uint8, min(npyChunk, total))
	for k0 := 0; k0 < total; k0 += npyChunk {
		m := min(npyChunk, total-k0)
		if err := arr.dec.read(arr.rest, m); err != nil {
			return nil, fmt.Errorf("ring: %s: data end early: shape %s needs %d values, file holds fewer (file truncated?)", name, shapeString(arr.shape), total)
		}
		if a := arr.dec.states(chunk[:m], limit); a >= 0 {
			k := k0 + a
			row, col := k/cols, k%cols
			if arr.fortran {
				row, col = k%rows, k/rows
			}
			return nil, fmt.Errorf("ring: %s: value %s at (row %d, column %d) is not a Potts state in 0..%d", name, arr.dec.format(a), row, col, limit-1)
		}
		vals = append(vals, chunk[:m]...)
	}
	if err := arr.finish(); err != nil {
		return nil, err
	}
	if arr.fortran {
		c := make([]uint8, total)
		for k, v := range vals {
			c[(k%rows)*cols+k/rows] = v
		}
		vals = c
	}
	return &Potts{n: cols, s: rows, p: limit, v: vals}, nil
}

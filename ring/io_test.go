package ring

import (
	"bytes"
	"encoding/binary"
	"fmt"
	"math"
	"math/rand/v2"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
)

// randomSpins returns s random configurations of n spins.
func randomSpins(n, s int, seed uint64) *Spins {
	r := rand.New(rand.NewPCG(seed, uint64(n)))
	d := NewSpins(n, s)
	v := make([]int8, n)
	for k := range s {
		for i := range v {
			v[i] = int8(2*r.IntN(2) - 1)
		}
		d.SetRow(k, v)
	}
	return d
}

// sameSpins reports whether a and b hold the same configurations.
func sameSpins(a, b *Spins) bool {
	return a.Sites() == b.Sites() && a.Len() == b.Len() && slices.Equal(a.bits, b.bits)
}

// table returns the configurations of d as ±1 rows.
func table(d *Spins) [][]int8 {
	rows := make([][]int8, d.Len())
	for s := range rows {
		rows[s] = d.RowInt8(s, nil)
	}
	return rows
}

func TestFormatOf(t *testing.T) {
	t.Parallel()
	for _, test := range []struct {
		path string
		want Format
	}{
		{"data.npy", NPY}, {"dir/DATA.NPY", NPY}, {"data.txt", Text}, {"data.csv", Text},
		{"data", Text}, {"npy", Text}, {"data.npy.txt", Text},
	} {
		if got := FormatOf(test.path); got != test.want {
			t.Errorf("FormatOf(%q) = %v, want %v", test.path, got, test.want)
		}
	}
}

// TestRoundTrip writes random data sets in both formats and reads them
// back; sizes straddle the 64-bit word boundary.
func TestRoundTrip(t *testing.T) {
	t.Parallel()
	for _, f := range []Format{Text, NPY} {
		for _, n := range []int{1, 2, 63, 64, 65, 100, 129} {
			for _, s := range []int{1, 7} {
				d := randomSpins(n, s, 9)
				var buf bytes.Buffer
				if err := WriteSpins(&buf, d, f, []string{"ring data", "β = 1\nN = 100"}); err != nil {
					t.Fatalf("%v N=%d S=%d: WriteSpins: %v", f, n, s, err)
				}
				got, err := ReadSpins(&buf, f, "roundtrip")
				if err != nil {
					t.Fatalf("%v N=%d S=%d: ReadSpins: %v", f, n, s, err)
				}
				if !sameSpins(got, d) {
					t.Errorf("%v N=%d S=%d: read back %d×%d data different from written", f, n, s, got.Len(), got.Sites())
				}
			}
		}
	}
}

// TestWriteText checks the exact text layout: "# " headers (a multi-line
// header becomes several comment lines), then ±1 separated by spaces.
func TestWriteText(t *testing.T) {
	t.Parallel()
	d := NewSpins(3, 2)
	d.SetRow(0, []int8{1, -1, 1})
	d.SetRow(1, []int8{-1, -1, 1})
	var buf bytes.Buffer
	if err := WriteSpins(&buf, d, Text, []string{"placecell", "a\nb"}); err != nil {
		t.Fatal(err)
	}
	want := "# placecell\n# a\n# b\n1 -1 1\n-1 -1 1\n"
	if got := buf.String(); got != want {
		t.Errorf("WriteSpins(Text) = %q, want %q", got, want)
	}
}

// TestWriteNPYHeader checks the layout of the written .npy header against
// the NumPy format specification (NEP 1): magic, version 1.0, little-endian
// header length, a dictionary padded with spaces and ended by '\n' such
// that the data start at a multiple of 64 bytes, then S·N int8 values.
func TestWriteNPYHeader(t *testing.T) {
	t.Parallel()
	for _, shape := range [][2]int{{1, 1}, {3, 5}, {1000, 100}, {0, 4}} {
		d := randomSpins(shape[1], shape[0], 1)
		var buf bytes.Buffer
		if err := WriteSpins(&buf, d, NPY, nil); err != nil {
			t.Fatal(err)
		}
		b := buf.Bytes()
		if !bytes.HasPrefix(b, []byte("\x93NUMPY\x01\x00")) {
			t.Fatalf("%v: npy preamble %q, want magic and version 1.0", shape, b[:8])
		}
		hlen := int(binary.LittleEndian.Uint16(b[8:]))
		start := 10 + hlen
		if start%64 != 0 || b[start-1] != '\n' {
			t.Errorf("%v: data start at byte %d (header ends %q), want a multiple of 64 after '\\n'", shape, start, b[start-1])
		}
		dict := fmt.Sprintf("{'descr': '|i1', 'fortran_order': False, 'shape': (%d, %d), }", shape[0], shape[1])
		if got := strings.TrimRight(string(b[10:start]), " \n"); got != dict {
			t.Errorf("%v: header %q, want %q", shape, got, dict)
		}
		if got, want := len(b)-start, shape[0]*shape[1]; got != want {
			t.Errorf("%v: %d data bytes, want %d", shape, got, want)
		}
		for k, x := range b[start:] {
			if want := d.At(k/shape[1], k%shape[1]); int8(x) != want {
				t.Fatalf("%v: value %d = %d, want %d", shape, k, int8(x), want)
			}
		}
	}
}

// TestReadTextLongLine reads a single configuration of 10⁵ sites.
func TestReadTextLongLine(t *testing.T) {
	t.Parallel()
	d := randomSpins(100000, 2, 3)
	var buf bytes.Buffer
	if err := WriteSpins(&buf, d, Text, nil); err != nil {
		t.Fatal(err)
	}
	got, err := ReadSpins(&buf, Text, "long.txt")
	if err != nil || !sameSpins(got, d) {
		t.Errorf("ReadSpins(N=10⁵) = %v, want the written data", err)
	}
}

// TestReadText parses hand-written files; the expected tables are written
// out by hand from the input.
func TestReadText(t *testing.T) {
	t.Parallel()
	for _, test := range []struct {
		name, in string
		want     [][]int8
	}{
		{"pm1", "1 -1 1\n-1 -1 1\n", [][]int8{{1, -1, 1}, {-1, -1, 1}}},
		{"zero-one", "0 1 1\n1 0 0\n", [][]int8{{-1, 1, 1}, {1, -1, -1}}},
		{"plus signs, comments, blanks, CRLF, tabs", "# header\n\n+1 -1\r\n  # indented comment\n\t1\t1 \r\n\n", [][]int8{{1, -1}, {1, 1}}},
		{"no final newline", "1 -1\n-1 1", [][]int8{{1, -1}, {-1, 1}}},
		{"csv", "1,-1,1\n-1,1,1\n", [][]int8{{1, -1, 1}, {-1, 1, 1}}},
		{"numpy.savetxt floats", "1.000000000000000000e+00 -1.000000000000000000e+00\n", [][]int8{{1, -1}}},
		{"0/1 floats", "0.0 1.0\n", [][]int8{{-1, 1}}},
		{"trailing comment", "1 -1 # first\n-1 -1\n", [][]int8{{1, -1}, {-1, -1}}},
		{"byte-order mark", "\ufeff1 -1\n", [][]int8{{1, -1}}},
		{"all ones", "1 1 1\n", [][]int8{{1, 1, 1}}},
		{"single site", "1\n0\n0\n", [][]int8{{1}, {-1}, {-1}}},
	} {
		d, err := ReadSpins(strings.NewReader(test.in), Text, "x.txt")
		if err != nil {
			t.Errorf("%s: ReadSpins(%q) error %v", test.name, test.in, err)
			continue
		}
		if got := table(d); !slices.EqualFunc(got, test.want, slices.Equal) {
			t.Errorf("%s: ReadSpins(%q) = %v, want %v", test.name, test.in, got, test.want)
		}
	}
}

// TestReadTextErrors checks that malformed text gives a one-line error
// naming the file, the line and the problem.
func TestReadTextErrors(t *testing.T) {
	t.Parallel()
	long := strings.Repeat("1 ", 20) + "\n"
	for _, test := range []struct {
		in   string
		want string
	}{
		{long + long + strings.Repeat("1 ", 19) + "\n", "ring: data.txt line 3: has 19 values, want 20 (every configuration must have the same number of sites)"},
		{"1 1\n1 1 1\n", "ring: data.txt line 2: has 3 values, want 2"},
		{"1 -1\n# c\n-1 2 1\n", `ring: data.txt line 3: value "2" (column 2) is not ±1 or 0/1`},
		{"1 x\n", `ring: data.txt line 1: value "x" (column 2) is not ±1 or 0/1`},
		{"1 0.5\n", `line 1: value "0.5" (column 2) is not ±1 or 0/1`},
		{"1 NaN\n", `line 1: value "NaN" (column 2) is not ±1 or 0/1`},
		{"1 1e400\n", `line 1: value "1e400" (column 2)`},
		{"1 --1\n", `line 1: value "--1" (column 2)`},
		{"", "ring: data.txt: no configurations (file is empty or all comments)"},
		{"# only\n\n   \n", "ring: data.txt: no configurations (file is empty or all comments)"},
		{"1 -1\n0 1\n", "ring: data.txt line 2: value 0 mixes the 0/1 alphabet with the ±1 alphabet of the -1 at line 1 column 2"},
		{"1 0\n1 1\n-1 1\n", "ring: data.txt line 3: value -1 mixes the ±1 alphabet with the 0/1 alphabet of the 0 at line 1 column 2"},
		{"\x00\x01\x02\n", `line 1: value "\x00\x01\x02" (column 1)`},
	} {
		_, err := ReadSpins(strings.NewReader(test.in), Text, "data.txt")
		if err == nil {
			t.Errorf("ReadSpins(%q) error = nil, want %q", test.in, test.want)
			continue
		}
		if msg := err.Error(); !strings.Contains(msg, test.want) || strings.Contains(msg, "\n") {
			t.Errorf("ReadSpins(%q) error = %q, want one line containing %q", test.in, msg, test.want)
		}
	}
}

// npyFile builds a version 1.0 .npy file from its parts, as NEP 1
// describes the layout.
func npyFile(descr string, fortran bool, shape string, data []byte) []byte {
	order := "False"
	if fortran {
		order = "True"
	}
	dict := fmt.Sprintf("{'descr': '%s', 'fortran_order': %s, 'shape': %s, }", descr, order, shape)
	for (10+len(dict)+1)%64 != 0 {
		dict += " "
	}
	dict += "\n"
	b := append([]byte("\x93NUMPY\x01\x00"), byte(len(dict)), byte(len(dict)>>8))
	b = append(b, dict...)
	return append(b, data...)
}

// rawNPY builds a version 1.0 .npy preamble around an arbitrary header
// dictionary, without data.
func rawNPY(dict string) []byte {
	dict += "\n"
	b := append([]byte("\x93NUMPY\x01\x00"), byte(len(dict)), byte(len(dict)>>8))
	return append(b, dict...)
}

// fixtureWant is the 3×5 table stored in every valid fixture of testdata,
// written by testdata/gen_fixtures.py with NumPy 1.24.2.
var fixtureWant = [][]int8{
	{1, -1, -1, 1, 1},
	{-1, -1, 1, 1, -1},
	{1, 1, 1, -1, 1},
}

// TestReadFixtures reads files written by NumPy itself: arrays in several
// dtypes, byte orders, alphabets and memory orders, and numpy.savetxt text.
func TestReadFixtures(t *testing.T) {
	t.Parallel()
	for _, name := range []string{
		"pm1_int8.npy", "pm1_int64.npy", "pm1_float32.npy", "pm1_int32_bigendian.npy",
		"pm1_float64_fortran.npy", "zo_uint8.npy", "zo_bool.npy", "zo_int16_fortran.npy", "zo_float64.npy",
		"savetxt_float.txt", "savetxt_zero_one.csv",
	} {
		d, err := ReadSpinsFile(filepath.Join("testdata", name))
		if err != nil {
			t.Errorf("ReadSpinsFile(%s): %v", name, err)
			continue
		}
		if got := table(d); !slices.EqualFunc(got, fixtureWant, slices.Equal) {
			t.Errorf("ReadSpinsFile(%s) = %v, want %v", name, got, fixtureWant)
		}
	}
}

// TestReadNPYErrors checks that malformed .npy input returns an error with
// a clear message and never panics.
func TestReadNPYErrors(t *testing.T) {
	t.Parallel()
	fixture := func(name string) []byte {
		b, err := os.ReadFile(filepath.Join("testdata", name))
		if err != nil {
			t.Fatal(err)
		}
		return b
	}
	valid := npyFile("<i2", false, "(2, 3)", []byte{1, 0, 255, 255, 1, 0, 1, 0, 1, 0, 255, 255})
	f64 := func(xs ...float64) []byte {
		var b []byte
		for _, x := range xs {
			b = binary.LittleEndian.AppendUint64(b, math.Float64bits(x))
		}
		return b
	}
	for _, test := range []struct {
		name string
		in   []byte
		want string
	}{
		{"empty file", nil, "ring: x.npy: not an npy file: too short"},
		{"text file", []byte("1 -1 1\n-1 1 1\n"), "not an npy file: no NumPy magic string"},
		{"truncated preamble", valid[:8], "too short"},
		{"truncated header", valid[:40], "truncated npy header"},
		{"truncated data at a value boundary", valid[:len(valid)-2], "data end early: shape (2, 3) needs 6 values"},
		{"truncated data inside a value", valid[:len(valid)-1], "data end early"},
		{"header without newline", append(valid[:10:10], bytes.Repeat([]byte{' '}, int(valid[8]))...), "malformed npy header"},
		{"garbage header", append([]byte("\x93NUMPY\x01\x00\x0a\x00"), "}}'shape'\n"...), "malformed npy"},
		{"keys out of order", rawNPY("{'shape': (1, 1), 'fortran_order': False, 'descr': '|i1', }"), "malformed npy"},
		{"no shape", rawNPY("{'descr': '|i1', 'fortran_order': False, }"), "malformed npy"},
		{"bad order", rawNPY("{'descr': '|i1', 'fortran_order': 0, 'shape': (1, 1), }"), "malformed npy"},
		{"garbage dictionary", append([]byte("\x93NUMPY\x01\x00\x10\x00"), "{'descr': x}   \n"...), "malformed npy"},
		{"version 3", append([]byte("\x93NUMPY\x03\x00"), valid[8:]...), "npy format version 3.0 is not supported"},
		{"1-D array", fixture("bad_1d.npy"), "array has shape (5,), want a 2-D array of shape (S, N)"},
		{"3-D array", fixture("bad_3d.npy"), "array has shape (3, 5, 1), want a 2-D array of shape (S, N)"},
		{"complex dtype", fixture("bad_complex.npy"), "array dtype '<c16' is not supported"},
		{"half value", fixture("bad_half.npy"), "value 0.5 at (row 2, column 3) is not ±1 or 0/1"},
		{"NaN value", npyFile("<f8", false, "(1, 3)", f64(1, math.NaN(), -1)), "value NaN at (row 0, column 1)"},
		{"value 2", npyFile("|i1", false, "(2, 2)", []byte{1, 255, 1, 2}), "value 2 at (row 1, column 1) is not ±1 or 0/1"},
		{"Fortran position", npyFile("|i1", true, "(2, 2)", []byte{1, 255, 2, 1}), "value 2 at (row 0, column 1)"},
		{"mixed alphabets", npyFile("|i1", false, "(2, 2)", []byte{1, 255, 0, 1}), "value at (row 1, column 0): 0 mixes the 0/1 alphabet with the ±1 alphabet of the -1 at (row 0, column 1)"},
		{"no rows", npyFile("|i1", false, "(0, 4)", nil), "array of shape (0, 4) holds no configurations"},
		{"no columns", npyFile("|i1", false, "(4, 0)", nil), "holds no configurations"},
		{"negative shape", npyFile("|i1", false, "(-1, 4)", nil), "array shape (-1, 4) is invalid"},
		{"huge shape", npyFile("|i1", false, "(4000000000000, 4000000000000)", []byte{1}), "invalid"},
		{"huge claimed rows", npyFile("|i1", false, "(100000000000, 4)", []byte{1, 1}), "data end early"},
		{"string dtype", npyFile("<U1", false, "(1, 1)", []byte{'1', 0, 0, 0}), "dtype '<U1' is not supported"},
		{"bad shape text", npyFile("|i1", false, "(a, b)", nil), "malformed npy header"},
	} {
		_, err := ReadSpins(bytes.NewReader(test.in), NPY, "x.npy")
		if err == nil {
			t.Errorf("%s: ReadSpins error = nil, want %q", test.name, test.want)
			continue
		}
		if msg := err.Error(); !strings.Contains(msg, test.want) || !strings.HasPrefix(msg, "ring: x.npy: ") || strings.Contains(msg, "\n") {
			t.Errorf("%s: ReadSpins error = %q, want one line starting \"ring: x.npy: \" containing %q", test.name, msg, test.want)
		}
	}
}

// TestReadNPYLarge reads a C-order int8 array spanning several read
// chunks, and the same values as a Fortran-order float64 array.
func TestReadNPYLarge(t *testing.T) {
	t.Parallel()
	const s, n = 700, 101 // 70700 values: more than four chunks
	d := randomSpins(n, s, 4)
	cData := make([]byte, 0, s*n)
	fData := make([]byte, 0, 8*s*n)
	for k := range s * n {
		cData = append(cData, byte(d.At(k/n, k%n)))
		fData = binary.LittleEndian.AppendUint64(fData, math.Float64bits(float64(d.At(k%s, k/s))))
	}
	shape := fmt.Sprintf("(%d, %d)", s, n)
	for name, in := range map[string][]byte{
		"C int8":     npyFile("|i1", false, shape, cData),
		"Fortran f8": npyFile("<f8", true, shape, fData),
	} {
		got, err := ReadSpins(bytes.NewReader(in), NPY, "big.npy")
		if err != nil || !sameSpins(got, d) {
			t.Errorf("%s: ReadSpins = %v, want the %d×%d table", name, err, s, n)
		}
	}
	// Bytes after the data are an error (see TestReadNPYTrailingBytes).
	if _, err := ReadSpins(bytes.NewReader(npyFile("|i1", false, shape, append(cData, 7, 7, 7))), NPY, "big.npy"); err == nil {
		t.Errorf("extra bytes after a chunked array: no error")
	}
}

func TestReadSpinsFile(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	d := randomSpins(65, 4, 2)
	for _, name := range []string{"d.txt", "d.npy"} {
		path := filepath.Join(dir, name)
		var buf bytes.Buffer
		if err := WriteSpins(&buf, d, FormatOf(path), []string{"test"}); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(path, buf.Bytes(), 0o644); err != nil {
			t.Fatal(err)
		}
		got, err := ReadSpinsFile(path)
		if err != nil || !sameSpins(got, d) {
			t.Errorf("ReadSpinsFile(%s) = %v, want the written data", name, err)
		}
	}
	if _, err := ReadSpinsFile(filepath.Join(dir, "missing.txt")); err == nil || !strings.HasPrefix(err.Error(), "ring: could not open data file") {
		t.Errorf("ReadSpinsFile(missing) error = %v, want \"ring: could not open data file: …\"", err)
	}
	// A text file named .npy is caught by the magic-string check.
	path := filepath.Join(dir, "wrong.npy")
	os.WriteFile(path, []byte("1 -1\n"), 0o644)
	if _, err := ReadSpinsFile(path); err == nil || !strings.Contains(err.Error(), path+": not an npy file") {
		t.Errorf("ReadSpinsFile(text named .npy) error = %v, want \"not an npy file\"", err)
	}
}

// errWriter fails after limit bytes.
type errWriter struct{ limit int }

func (w *errWriter) Write(p []byte) (int, error) {
	if len(p) > w.limit {
		return 0, fmt.Errorf("disk full")
	}
	w.limit -= len(p)
	return len(p), nil
}

func TestWriteSpinsError(t *testing.T) {
	t.Parallel()
	d := randomSpins(100, 2000, 1)
	for _, f := range []Format{Text, NPY} {
		if err := WriteSpins(&errWriter{limit: 1000}, d, f, nil); err == nil || !strings.Contains(err.Error(), "disk full") {
			t.Errorf("WriteSpins(%v) to a failing writer: error %v, want disk full", f, err)
		}
	}
}

// FuzzReadSpinsText checks that ReadSpins never panics on arbitrary text,
// and that whatever it accepts survives a write/read round trip.
func FuzzReadSpinsText(f *testing.F) {
	for _, seed := range []string{
		"1 -1 1\n-1 -1 1\n", "0 1\n1 0\n", "# c\n\n+1,-1\r\n", "1 2\n", "", "1 -1\n0 1\n",
		"1.0e+00 -1\n", "\ufeff1\n", "1 1\n1\n", "-0 1 +0\n",
	} {
		f.Add([]byte(seed))
	}
	f.Fuzz(func(t *testing.T, in []byte) {
		d, err := ReadSpins(bytes.NewReader(in), Text, "fuzz.txt")
		if err != nil {
			if msg := err.Error(); !strings.HasPrefix(msg, "ring: fuzz.txt") || strings.Contains(msg, "\n") {
				t.Fatalf("error %q is not one line naming the file", msg)
			}
			return
		}
		if d.Len() < 1 || d.Sites() < 1 {
			t.Fatalf("accepted an empty data set %d×%d", d.Len(), d.Sites())
		}
		var buf bytes.Buffer
		if err := WriteSpins(&buf, d, Text, nil); err != nil {
			t.Fatal(err)
		}
		back, err := ReadSpins(&buf, Text, "back")
		if err != nil || !sameSpins(back, d) {
			t.Fatalf("round trip failed: %v", err)
		}
	})
}

// FuzzReadSpinsNPY checks that ReadSpins never panics on arbitrary bytes
// presented as an .npy file.
func FuzzReadSpinsNPY(f *testing.F) {
	f.Add(npyFile("|i1", false, "(2, 2)", []byte{1, 255, 255, 1}))
	f.Add(npyFile("<f8", true, "(1, 1)", binary.LittleEndian.AppendUint64(nil, math.Float64bits(1))))
	f.Add(npyFile("|b1", false, "(1, 3)", []byte{0, 1, 1}))
	f.Add(npyFile("<i4", false, "(1, 1)", []byte{1, 0}))
	f.Add([]byte("\x93NUMPY\x02\x00\x05\x00\x00\x00{}  \n"))
	f.Fuzz(func(t *testing.T, in []byte) {
		d, err := ReadSpins(bytes.NewReader(in), NPY, "fuzz.npy")
		if err != nil {
			if msg := err.Error(); !strings.HasPrefix(msg, "ring: fuzz.npy: ") || strings.Contains(msg, "\n") {
				t.Fatalf("error %q is not one line naming the file", msg)
			}
			return
		}
		if d.Len() < 1 || d.Sites() < 1 {
			t.Fatalf("accepted an empty data set %d×%d", d.Len(), d.Sites())
		}
	})
}

// TestReadNPYTrailingBytes checks that bytes after the array the header
// describes are an error, for spin and Potts data.
func TestReadNPYTrailingBytes(t *testing.T) {
	t.Parallel()
	d := NewSpins(3, 2)
	d.Set(1, 2, 1)
	var buf bytes.Buffer
	if err := WriteSpins(&buf, d, NPY, nil); err != nil {
		t.Fatal(err)
	}
	good := buf.Bytes()
	if _, err := ReadSpins(bytes.NewReader(good), NPY, "good.npy"); err != nil {
		t.Fatalf("clean file: %v", err)
	}
	bad := append(append([]byte(nil), good...), 1, 0, 1)
	_, err := ReadSpins(bytes.NewReader(bad), NPY, "bad.npy")
	if err == nil || !strings.Contains(err.Error(), "3 bytes follow") {
		t.Errorf("trailing bytes: error %v, want one naming the 3 extra bytes", err)
	}
	if _, err := ReadPotts(bytes.NewReader(bad), NPY, "bad.npy", 2); err == nil {
		t.Errorf("trailing bytes in Potts data: no error")
	}
}

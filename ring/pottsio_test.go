package ring

import (
	"bytes"
	"errors"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
)

// TestPottsRoundTrip writes Potts data as text and .npy and reads them
// back, with the number of states given and inferred.
func TestPottsRoundTrip(t *testing.T) {
	t.Parallel()
	d := Sample(XY{N: 13, P: 10, Beta: 0.5}, 300, 2).(*Potts)
	for _, f := range []Format{Text, NPY} {
		var buf bytes.Buffer
		if err := WritePotts(&buf, d, f, []string{"a header", "second\nline"}); err != nil {
			t.Fatalf("%v: %v", f, err)
		}
		raw := buf.Bytes()
		for _, p := range []int{10, 0} {
			got, err := ReadPotts(bytes.NewReader(raw), f, "x", p)
			if err != nil {
				t.Fatalf("%v p=%d: %v", f, p, err)
			}
			if got.Sites() != 13 || got.Len() != 300 || got.States() != 10 || !slices.Equal(got.v, d.v) {
				t.Errorf("%v p=%d: read %d×%d with %d states, data equal %t", f, p, got.Len(), got.Sites(), got.States(), slices.Equal(got.v, d.v))
			}
		}
	}
	// A data set that does not visit its top state keeps the given P.
	small := NewPotts(3, 2, 7)
	small.Set(1, 2, 4)
	var buf bytes.Buffer
	WritePotts(&buf, small, Text, nil)
	if got, _ := ReadPotts(bytes.NewReader(buf.Bytes()), Text, "x", 7); got.States() != 7 {
		t.Errorf("given P = 7: read %d states", got.States())
	}
	if got, _ := ReadPotts(bytes.NewReader(buf.Bytes()), Text, "x", 0); got.States() != 5 {
		t.Errorf("inferred P = %d, want largest state + 1 = 5", got.States())
	}
	if want := "0 0 0\n0 0 4\n"; buf.String() != want {
		t.Errorf("text = %q, want %q", buf.String(), want)
	}
}

// TestReadPottsText checks the accepted spellings: separators, comments,
// numbers written as floats, and a byte-order mark.
func TestReadPottsText(t *testing.T) {
	t.Parallel()
	in := "\xef\xbb\xbf# comment\n0, 1,2 # trailing\n\n+3\t4.0e+00 5\r\n"
	d, err := ReadPotts(strings.NewReader(in), Text, "x", 6)
	if err != nil {
		t.Fatal(err)
	}
	if !slices.Equal(d.v, []uint8{0, 1, 2, 3, 4, 5}) || d.Len() != 2 || d.Sites() != 3 {
		t.Errorf("read %v (%d×%d), want 0..5 in 2×3", d.v, d.Len(), d.Sites())
	}
}

func TestReadPottsErrors(t *testing.T) {
	t.Parallel()
	for i, c := range []struct {
		in   string
		p    int
		want string
	}{
		{"0 1 2\n0 1\n", 3, "line 2: has 2 values, want 3"},
		{"0 1 3\n", 3, `value "3" (column 3) is not a Potts state in 0..2`},
		{"0 -1\n", 3, `value "-1"`},
		{"0 1.5\n", 3, `value "1.5"`},
		{"0 x\n", 3, `value "x"`},
		{"# nothing\n\n", 3, "no configurations"},
		{"0 256\n", 0, `value "256"`},
	} {
		_, err := ReadPotts(strings.NewReader(c.in), Text, "f.txt", c.p)
		if err == nil || !strings.Contains(err.Error(), c.want) || !strings.HasPrefix(err.Error(), "ring: f.txt") {
			t.Errorf("case %d: error %v, want one containing %q", i, err, c.want)
		}
	}
	for i, c := range []struct {
		descr string
		data  []byte
		want  string
	}{
		{"<i8", []byte{3, 0, 0, 0, 0, 0, 0, 0, 1, 0, 0, 0, 0, 0, 0, 0}, "value 3 at (row 0, column 0)"},
		{"|u1", []byte{1, 2}, "value 2 at (row 0, column 1)"},
		{"<f8", make([]byte, 8), "data end early"},
	} {
		_, err := ReadPotts(bytes.NewReader(npyFile(c.descr, false, "(1, 2)", c.data)), NPY, "f.npy", 2)
		if err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("npy case %d: error %v, want one containing %q", i, err, c.want)
		}
	}
	if _, err := ReadPotts(bytes.NewReader([]byte("nonsense")), NPY, "f.npy", 2); err == nil {
		t.Error("ReadPotts accepted a non-npy stream")
	}
}

// TestReadPottsNPYDtypes reads the same 2×3 array from several dtypes and
// from Fortran order.
func TestReadPottsNPYDtypes(t *testing.T) {
	t.Parallel()
	want := []uint8{0, 1, 2, 3, 4, 1}
	c := npyFile("|u1", false, "(2, 3)", want)
	f := npyFile("|u1", true, "(2, 3)", []byte{0, 3, 1, 4, 2, 1})
	i8 := make([]byte, 0, 48)
	for _, v := range want {
		i8 = append(i8, v, 0, 0, 0, 0, 0, 0, 0)
	}
	for name, raw := range map[string][]byte{"u1": c, "fortran": f, "i8": npyFile("<i8", false, "(2, 3)", i8)} {
		d, err := ReadPotts(bytes.NewReader(raw), NPY, name, 5)
		if err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		if !slices.Equal(d.v, want) || d.Len() != 2 || d.Sites() != 3 {
			t.Errorf("%s: read %v (%d×%d), want %v in 2×3", name, d.v, d.Len(), d.Sites(), want)
		}
	}
}

// TestDataFiles checks ReadDataFile and WriteData, which pick the
// container from the model: Potts for XY, Spins for Ising and bump (whose
// 0/1 files read as states).
func TestDataFiles(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	for _, m := range []Model{XY{N: 9, P: 4, Beta: 1}, Ising{N: 9, Beta: 1}, Bump{N: 9, Eta: 1}} {
		d := Sample(m, 50, 1)
		for _, ext := range []string{".txt", ".npy"} {
			path := filepath.Join(dir, m.Name()+ext)
			var buf bytes.Buffer
			if err := WriteData(&buf, d, FormatOf(path), []string{"h"}); err != nil {
				t.Fatal(err)
			}
			os.WriteFile(path, buf.Bytes(), 0o644)
			got, err := ReadDataFile(path, m)
			if err != nil {
				t.Fatalf("%s: %v", path, err)
			}
			if got.Len() != d.Len() || got.Sites() != d.Sites() || got.States() != d.States() {
				t.Fatalf("%s: read %d×%d", path, got.Len(), got.Sites())
			}
			for s := range d.Len() {
				for i := range d.Sites() {
					if got.State(s, i) != d.State(s, i) {
						t.Fatalf("%s: state (%d,%d) = %d, want %d", path, s, i, got.State(s, i), d.State(s, i))
					}
				}
			}
		}
	}
	if _, err := ReadDataFile(filepath.Join(dir, "missing.txt"), XY{N: 3, P: 3}); err == nil || !errors.Is(err, os.ErrNotExist) {
		t.Errorf("missing file: %v", err)
	}
	if !panics(func() { WriteData(&bytes.Buffer{}, nil, Text, nil) }) {
		t.Error("WriteData(nil) did not panic")
	}
}

func TestPottsContainer(t *testing.T) {
	t.Parallel()
	d := NewPotts(4, 3, 5)
	d.Set(2, 3, 4)
	d.SetRow(1, []uint8{1, 2, 3, 4})
	if d.State(2, 3) != 4 || d.State(1, 2) != 3 || d.State(0, 0) != 0 || d.Bytes() != 12 {
		t.Errorf("states %d %d %d, bytes %d", d.State(2, 3), d.State(1, 2), d.State(0, 0), d.Bytes())
	}
	s := d.Slice(1, 3)
	s.Set(0, 0, 0)
	if s.Len() != 2 || d.State(1, 0) != 1 || !slices.Equal(s.Config(1), []uint8{0, 0, 0, 4}) {
		t.Errorf("Slice: %v, original changed: %t", s.v, d.State(1, 0) != 1)
	}
	for name, f := range map[string]func(){
		"P too large": func() { NewPotts(3, 3, 257) },
		"P = 1":       func() { NewPotts(3, 3, 1) },
		"state ≥ P":   func() { d.Set(0, 0, 5) },
		"row state":   func() { d.SetRow(0, []uint8{0, 0, 0, 9}) },
		"row length":  func() { d.SetRow(0, []uint8{0}) },
		"index":       func() { d.State(3, 0) },
		"slice":       func() { d.Slice(2, 4) },
	} {
		if !panics(f) {
			t.Errorf("%s: no panic", name)
		}
	}
}

// TestReadPottsNPYBadValueEarly checks the error for an out-of-range state
// in a chunk that is not the last (the reader decodes npyChunk values at a
// time): it must name the value and its position, not complain about the
// chunks still unread. It also checks that bytes after a valid Potts array
// are an error, as for spin data.
func TestReadPottsNPYBadValueEarly(t *testing.T) {
	t.Parallel()
	const rows, cols = 400, 100 // 40000 values: three chunks of 2^14
	vals := make([]byte, rows*cols)
	for k := range vals {
		vals[k] = byte(k % 10)
	}
	vals[3*cols+7] = 10
	_, err := ReadPotts(bytes.NewReader(npyFile("|u1", false, "(400, 100)", vals)), NPY, "f.npy", 10)
	want := "ring: f.npy: value 10 at (row 3, column 7) is not a Potts state in 0..9"
	if err == nil || err.Error() != want {
		t.Errorf("bad value in chunk 0: error %v, want %q", err, want)
	}
	vals[3*cols+7] = 7
	good := npyFile("|u1", false, "(400, 100)", vals)
	d, err := ReadPotts(bytes.NewReader(good), NPY, "f.npy", 10)
	if err != nil || d.Len() != rows || d.State(3, 7) != 7 {
		t.Fatalf("valid file: %v", err)
	}
	_, err = ReadPotts(bytes.NewReader(append(good, 1, 2)), NPY, "f.npy", 10)
	if err == nil || !strings.Contains(err.Error(), "2 bytes follow") {
		t.Errorf("trailing bytes after valid Potts data: error %v, want one naming the 2 extra bytes", err)
	}
}

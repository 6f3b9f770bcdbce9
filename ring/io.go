package ring

import "io"

// Format names a data file format.
type Format int

const (
	// Text is one configuration per line, N whitespace-separated values,
	// either all ±1 or all 0/1 (0 read as −1); blank lines and lines
	// starting with '#' are skipped.
	Text Format = iota + 1
	// NPY is a NumPy .npy file holding a 2-D array of shape (S, N) of any
	// integer, boolean or floating dtype, with values ±1 or 0/1.
	NPY
)

// FormatOf returns NPY for a path ending in ".npy" and Text otherwise.
func FormatOf(path string) Format { panic("unimplemented") }

// ReadSpins reads a data set in format f from r. name is used in error
// messages, which have the form "ring: <name> line 12: <problem>" (text) or
// "ring: <name>: <problem>" (npy) and say how to fix the file.
func ReadSpins(r io.Reader, f Format, name string) (*Spins, error) { panic("unimplemented") }

// ReadSpinsFile reads the data set at path, choosing the format from the
// extension.
func ReadSpinsFile(path string) (*Spins, error) { panic("unimplemented") }

// WriteSpins writes d to w in format f. For Text, every header line is
// written first, prefixed by "# "; NPY writes an int8 array of shape (S, N)
// and ignores header.
func WriteSpins(w io.Writer, d *Spins, f Format, header []string) error { panic("unimplemented") }

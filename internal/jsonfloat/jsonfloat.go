// Package jsonfloat holds float64 types for JSON, which has no NaN and no
// infinities: Null writes a non-finite value as null (for results, where an
// undefined FWHM or an uncrossed threshold is "no value"), Exact writes NaN
// as null and ±Inf as the strings "+Inf" and "-Inf" (for state that must
// round-trip bit for bit, such as checkpoints). Both read back what they
// write; finite values are written in the shortest form that parses back
// to the same float64.
package jsonfloat

import (
	"encoding/json"
	"math"
	"strconv"
)

// Null is a float64 written as null in JSON when it is NaN or ±Inf; null
// reads back as NaN.
type Null float64

// MarshalJSON implements json.Marshaler.
func (x Null) MarshalJSON() ([]byte, error) {
	f := float64(x)
	if math.IsNaN(f) || math.IsInf(f, 0) {
		return []byte("null"), nil
	}
	return strconv.AppendFloat(nil, f, 'g', -1, 64), nil
}

// UnmarshalJSON implements json.Unmarshaler.
func (x *Null) UnmarshalJSON(b []byte) error {
	if string(b) == "null" {
		*x = Null(math.NaN())
		return nil
	}
	return json.Unmarshal(b, (*float64)(x))
}

// Exact is a float64 that round-trips exactly through JSON: NaN is written
// as null, ±Inf as "+Inf" and "-Inf".
type Exact float64

// MarshalJSON implements json.Marshaler.
func (x Exact) MarshalJSON() ([]byte, error) {
	f := float64(x)
	switch {
	case math.IsNaN(f):
		return []byte("null"), nil
	case math.IsInf(f, 1):
		return []byte(`"+Inf"`), nil
	case math.IsInf(f, -1):
		return []byte(`"-Inf"`), nil
	}
	return strconv.AppendFloat(nil, f, 'g', -1, 64), nil
}

// UnmarshalJSON implements json.Unmarshaler.
func (x *Exact) UnmarshalJSON(b []byte) error {
	switch string(b) {
	case "null":
		*x = Exact(math.NaN())
		return nil
	case `"+Inf"`:
		*x = Exact(math.Inf(1))
		return nil
	case `"-Inf"`:
		*x = Exact(math.Inf(-1))
		return nil
	}
	return json.Unmarshal(b, (*float64)(x))
}

// Slice converts x to a slice of T (Null or Exact); nil stays nil.
func Slice[T ~float64](x []float64) []T {
	if x == nil {
		return nil
	}
	out := make([]T, len(x))
	for i, v := range x {
		out[i] = T(v)
	}
	return out
}

// Float64s converts x back to float64; nil stays nil.
func Float64s[T ~float64](x []T) []float64 {
	if x == nil {
		return nil
	}
	out := make([]float64, len(x))
	for i, v := range x {
		out[i] = float64(v)
	}
	return out
}

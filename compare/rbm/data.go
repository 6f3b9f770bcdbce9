package rbm

import (
	"fmt"
	"math"

	"placecell/ring"
)

// dataset gives fast access to the training data: packed words for a
// binary visible layer, colours for a Potts layer. The caller's data are
// used in place when they have the right container type, else copied once;
// they are never modified.
type dataset struct {
	n, s, q int
	spins   *ring.Spins
	potts   *ring.Potts
}

func newDataset(d ring.Data, vis VisibleType) (*dataset, error) {
	if d == nil {
		return nil, fmt.Errorf("rbm: no training samples (nil data)")
	}
	switch v := d.(type) {
	case *ring.Spins:
		if v == nil {
			return nil, fmt.Errorf("rbm: no training samples (nil data)")
		}
	case *ring.Potts:
		if v == nil {
			return nil, fmt.Errorf("rbm: no training samples (nil data)")
		}
	}
	n, s, q := d.Sites(), d.Len(), d.States()
	ds := &dataset{n: n, s: s, q: q}
	if n < 1 {
		return nil, fmt.Errorf("rbm: data have no sites (N = %d)", n)
	}
	if vis == VisiblePotts {
		if q < 2 || q > ring.MaxStates {
			return nil, fmt.Errorf("rbm: Potts visible units need 2 to %d states, the data have %d", ring.MaxStates, q)
		}
		if p, ok := d.(*ring.Potts); ok {
			ds.potts = p
			return ds, nil
		}
		ds.potts = ring.NewPotts(n, s, q)
		for k := range s {
			for i := range n {
				ds.potts.Set(k, i, d.State(k, i))
			}
		}
		return ds, nil
	}
	if q != 2 {
		return nil, fmt.Errorf("rbm: %v visible units need data with 2 states, these have %d (use Visible: VisiblePotts)", vis, q)
	}
	if sp, ok := d.(*ring.Spins); ok {
		ds.spins = sp
		return ds, nil
	}
	ds.spins = ring.NewSpins(n, s)
	for k := range s {
		for i := range n {
			ds.spins.SetState(k, i, d.State(k, i))
		}
	}
	return ds, nil
}

// words returns the packed words of sample k (binary layers).
func (ds *dataset) words(k int) []uint64 { return ds.spins.Packed(k) }

// colours returns the colours of sample k (Potts layers).
func (ds *dataset) colours(k int) []uint8 { return ds.potts.Config(k) }

// featureMeans writes the data mean of every visible feature (N·d) into
// dst: of x_i for binary layers, of the colour indicators for Potts.
func (ds *dataset) featureMeans(dst []float64, vis VisibleType) {
	clear(dst)
	counts := make([]float64, len(dst))
	for k := range ds.s {
		if vis == VisiblePotts {
			for i, c := range ds.colours(k) {
				counts[i*ds.q+int(c)]++
			}
			continue
		}
		w := ds.words(k)
		for i := range ds.n {
			counts[i] += float64(w[i>>6] >> (uint(i) & 63) & 1)
		}
	}
	for j, c := range counts {
		dst[j] = c / float64(ds.s)
	}
	if vis == VisibleSpin {
		for j := range dst {
			dst[j] = 2*dst[j] - 1
		}
	}
}

// independentFields returns the fields of the independent-site model
// fitted to the data marginals (SIMULATOR.md §4): with state frequencies p
// regularised as (1−ε)p + ε/q, ε = 10⁻⁶, g = atanh(2p−1) for ±1 units,
// logit(p) for {0,1} units, and the zero-sum log-frequencies for Potts.
func (ds *dataset) independentFields(vis VisibleType) []float64 {
	const eps = 1e-6
	d := 1
	if vis == VisiblePotts {
		d = ds.q
	}
	mean := make([]float64, ds.n*d)
	ds.featureMeans(mean, vis)
	g := make([]float64, ds.n*d)
	switch vis {
	case VisibleSpin:
		for i, m := range mean {
			p := (1-eps)*(m+1)/2 + eps/2
			g[i] = 0.5 * math.Log(p/(1-p))
		}
	case VisibleBernoulli:
		for i, m := range mean {
			p := (1-eps)*m + eps/2
			g[i] = math.Log(p / (1 - p))
		}
	case VisiblePotts:
		q := ds.q
		for i := range ds.n {
			var s float64
			for c := range q {
				p := (1-eps)*mean[i*q+c] + eps/float64(q)
				g[i*q+c] = math.Log(p)
				s += g[i*q+c]
			}
			for c := range q {
				g[i*q+c] -= s / float64(q)
			}
		}
	}
	return g
}

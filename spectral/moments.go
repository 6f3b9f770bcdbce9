package spectral

import (
	"fmt"
	"math"
	"math/bits"
	"runtime"
	"sync"

	"placecell/ring"

	"gonum.org/v1/gonum/mat"
)

// Estimator names how an empirical correlation matrix is formed from the
// encoded features x of S configurations (THEORY.md §2.7, §3.2). Sums are
// normalised by 1/S, never 1/(S−1), and centring uses the sample mean:
//
//	SecondMoment:  Ĉ = (1/S) Σ_s x xᵀ                  (the paper's eq 24 for ±1)
//	Covariance:    K̂ = (1/S) Σ_s (x − x̄)(x − x̄)ᵀ
//	Pearson:       K̂_ab / (σ_a σ_b),   σ the sample standard deviation
//	               (unit diagonal) or, with PopulationSD, the encoding's
//
// Under Pearson with sample scaling, a feature that never varies in the
// data (a Potts state never visited at a site) has σ = 0; its row and
// column are set to zero.
type Estimator struct {
	Normalisation ring.Normalisation `json:"normalisation"`
	// PopulationSD scales Pearson entries by the population standard
	// deviations of the encoding instead of the sample ones.
	PopulationSD bool `json:"population_sd,omitempty"`
}

// String names the estimator, e.g. "pearson (sample sd)".
func (e Estimator) String() string {
	if e.Normalisation != ring.Pearson {
		return e.Normalisation.String()
	}
	if e.PopulationSD {
		return "pearson (population sd)"
	}
	return "pearson (sample sd)"
}

// DefaultEstimator returns the estimator matching m's exact Kernel: its
// encoding's normalisation, with sample scaling for Pearson (unit
// diagonal, as the ±1 matrix of eq 24 has).
func DefaultEstimator(m ring.Model) Estimator {
	return Estimator{Normalisation: m.Encoding().Normalisation}
}

// Moments accumulates the exact integer statistics of a data set of ring
// configurations with Q states per site: the number of configurations S,
// the counts n_i(a) of state a at site i, and the co-occurrence counts
// n_ij(a, b) of states a at i and b at j. Every empirical correlation
// matrix, in any encoding and normalisation, is a function of these
// counts, so it is computed exactly up to one final rounding.
//
// Counts are kept for states 1..Q−1; those of state 0 follow from
// Σ_a n_ij(a, b) = n_j(b). With x_c the S-bit indicator column of
// (site, state) c, n_cc' = popcount(x_c AND x_c') = (n_c + n_c' −
// popcount(x_c XOR x_c'))/2, the XOR counts coming from the tiled
// popcount kernel of Correlation; ±1 and {0,1} data have one column per
// site, Potts data Q−1. Data may be added in batches (Add), so that the
// statistics of more configurations than fit in memory can be gathered.
type Moments struct {
	n, q int
	s    int
	// cols = N(Q−1) indicator columns; single[c] = n_c; pair[c·cols+c']
	// = n_cc' for c ≤ c' (upper triangle).
	cols   int
	single []int64
	pair   []int64
}

// NewMoments returns empty statistics for N sites with Q states. It
// panics if n < 1 or q is outside [2, ring.MaxStates].
func NewMoments(n, q int) *Moments {
	if n < 1 || q < 2 || q > ring.MaxStates {
		panic(fmt.Sprintf("spectral: invalid moments of %d sites with %d states", n, q))
	}
	c := n * (q - 1)
	return &Moments{n: n, q: q, cols: c, single: make([]int64, c), pair: make([]int64, c*c)}
}

// Len returns S, the number of configurations added.
func (m *Moments) Len() int { return m.s }

// Sites returns N.
func (m *Moments) Sites() int { return m.n }

// States returns Q.
func (m *Moments) States() int { return m.q }

// Add adds the configurations of d, in parallel. It panics if d has
// another number of sites or states. *ring.Spins and *ring.Potts use
// packed fast paths; any other Data is read through State.
func (m *Moments) Add(d ring.Data) {
	if d.Sites() != m.n || d.States() != m.q {
		panic(fmt.Sprintf("spectral: data of %d sites and %d states added to moments of %d and %d", d.Sites(), d.States(), m.n, m.q))
	}
	if d.Len() == 0 {
		return
	}
	var cols []uint64
	var w int
	if sp, ok := d.(*ring.Spins); ok {
		cols, w = packColumns(sp)
	} else {
		cols, w = indicatorColumns(d)
	}
	nc := m.cols
	pop := make([]int64, nc)
	for c := range pop {
		var k int
		for _, x := range cols[c*w : (c+1)*w] {
			k += bits.OnesCount64(x)
		}
		pop[c] = int64(k)
		m.single[c] += pop[c]
	}
	gramXOR(cols, w, nc+nc%2, func(i, j, x int) {
		if i < nc && j < nc {
			m.pair[i*nc+j] += (pop[i] + pop[j] - int64(x)) / 2
		}
	})
	m.s += d.Len()
}

// indicatorColumns returns the bit columns of the states 1..Q−1 of every
// site, column i·(Q−1) + a−1 for state a of site i, padded to an even
// count, each of w = ⌈S/64⌉ words (bit t of word b set iff configuration
// 64b+t has that state there).
func indicatorColumns(d ring.Data) (cols []uint64, w int) {
	n, s, q := d.Sites(), d.Len(), d.States()
	nc := n * (q - 1)
	w = (s + 63) / 64
	cols = make([]uint64, (nc+nc%2)*w)
	potts, _ := d.(*ring.Potts)
	parallelFor(w, func(lo, hi int) {
		for b := lo; b < hi; b++ {
			for t := 0; t < 64 && 64*b+t < s; t++ {
				bit := uint64(1) << uint(t)
				if potts != nil {
					for i, v := range potts.Config(64*b + t) {
						if v > 0 {
							cols[(i*(q-1)+int(v)-1)*w+b] |= bit
						}
					}
					continue
				}
				for i := range n {
					if v := d.State(64*b+t, i); v > 0 {
						cols[(i*(q-1)+v-1)*w+b] |= bit
					}
				}
			}
		}
	})
	return cols, w
}

// table writes the full Q×Q co-occurrence table of sites i and j into
// t[a·Q + b] = n_ij(a, b), restoring state 0 from the marginals.
func (m *Moments) table(t []int64, i, j int) {
	q := m.q
	clear(t)
	s := int64(m.s)
	qi, qj := int64(0), int64(0) // configurations with a state ≥ 1 at i, j
	for a := 1; a < q; a++ {
		qi += m.single[i*(q-1)+a-1]
		qj += m.single[j*(q-1)+a-1]
	}
	var both int64
	for a := 1; a < q; a++ {
		ca := i*(q-1) + a - 1
		for b := 1; b < q; b++ {
			cb := j*(q-1) + b - 1
			var c int64
			switch {
			case ca <= cb:
				c = m.pair[ca*m.cols+cb]
			default:
				c = m.pair[cb*m.cols+ca]
			}
			t[a*q+b] = c
			both += c
		}
	}
	for a := 1; a < q; a++ {
		var row, col int64
		for b := 1; b < q; b++ {
			row += t[a*q+b]
			col += t[b*q+a]
		}
		t[a*q] = m.single[i*(q-1)+a-1] - row // n_ij(a, 0)
		t[a] = m.single[j*(q-1)+a-1] - col   // n_ij(0, a)
	}
	t[0] = s - qi - qj + both
}

// Correlation returns the empirical correlation matrix of the features of
// enc under est, of dimension N·F with entry (i·F + f, j·F + g):
//
//	M_(i,f),(j,g) = (1/S) Σ_{a,b} E(a, f) E(b, g) n_ij(a, b),
//	x̄_(i,f)      = (1/S) Σ_a E(a, f) n_i(a),
//
// then centred and scaled as the Estimator says. Every entry is formed
// from exact integer counts, so the result does not depend on how the data
// were batched or on the core count. It panics if nothing was added, or if
// enc does not match the number of states.
func (m *Moments) Correlation(enc ring.Encoding, est Estimator) *mat.SymDense {
	if m.s == 0 {
		panic("spectral: empty data set")
	}
	q, f := m.q, enc.Features
	if len(enc.Values) != q*f {
		panic(fmt.Sprintf("spectral: encoding of %d values for %d states and %d features", len(enc.Values), q, f))
	}
	dim := m.n * f
	s := float64(m.s)

	// Feature means from the single-site counts.
	mean := make([]float64, dim)
	counts := make([]int64, q)
	for i := range m.n {
		var rest int64
		for a := 1; a < q; a++ {
			counts[a] = m.single[i*(q-1)+a-1]
			rest += counts[a]
		}
		counts[0] = int64(m.s) - rest
		for g := range f {
			var x float64
			for a, c := range counts {
				x += enc.Values[a*f+g] * float64(c)
			}
			mean[i*f+g] = x / s
		}
	}

	// Second moments from the co-occurrence tables, site pair by pair.
	out := mat.NewSymDense(dim, nil)
	raw := out.RawSymmetric()
	parallelTriangle(m.n, func(lo, hi int) {
		t := make([]int64, q*q)
		for i := lo; i < hi; i++ {
			for j := i; j < m.n; j++ {
				if i == j {
					// One site: n_ii(a, b) = δ_ab n_i(a).
					clear(t)
					var rest int64
					for a := 1; a < q; a++ {
						t[a*q+a] = m.single[i*(q-1)+a-1]
						rest += t[a*q+a]
					}
					t[0] = int64(m.s) - rest
				} else {
					m.table(t, i, j)
				}
				for fi := range f {
					for gj := range f {
						if i == j && gj < fi {
							continue
						}
						var x float64
						for a := range q {
							ea := enc.Values[a*f+fi]
							if ea == 0 {
								continue
							}
							for b := range q {
								if c := t[a*q+b]; c != 0 {
									x += ea * enc.Values[b*f+gj] * float64(c)
								}
							}
						}
						raw.Data[(i*f+fi)*raw.Stride+j*f+gj] = x / s
					}
				}
			}
		}
	})

	// Centring and scaling.
	if est.Normalisation == ring.SecondMoment {
		return out
	}
	for r := range dim {
		row := raw.Data[r*raw.Stride : r*raw.Stride+dim]
		for c := r; c < dim; c++ {
			row[c] -= mean[r] * mean[c]
		}
	}
	if est.Normalisation != ring.Pearson {
		return out
	}
	sd := make([]float64, dim)
	for r := range dim {
		if est.PopulationSD {
			sd[r] = enc.SD[r%f]
		} else {
			sd[r] = math.Sqrt(math.Max(raw.Data[r*raw.Stride+r], 0))
		}
	}
	for r := range dim {
		row := raw.Data[r*raw.Stride : r*raw.Stride+dim]
		for c := r; c < dim; c++ {
			if sd[r] == 0 || sd[c] == 0 {
				row[c] = 0
				continue
			}
			row[c] /= sd[r] * sd[c]
		}
		if !est.PopulationSD && sd[r] != 0 {
			row[r] = 1
		}
	}
	return out
}

// parallelTriangle runs f on contiguous row ranges of the upper triangle
// of an n×n matrix, one per goroutine (at most GOMAXPROCS), chosen so that
// each range holds about the same number of entries, and waits.
func parallelTriangle(n int, f func(lo, hi int)) {
	p := min(runtime.GOMAXPROCS(0), n)
	if p <= 1 {
		f(0, n)
		return
	}
	total := float64(n) * float64(n+1) / 2
	bounds := []int{0}
	var done float64
	for i := range n {
		done += float64(n - i)
		if len(bounds) < p && done >= total*float64(len(bounds))/float64(p) {
			bounds = append(bounds, i+1)
		}
	}
	bounds = append(bounds, n)
	var wg sync.WaitGroup
	for w := range len(bounds) - 1 {
		if lo, hi := bounds[w], bounds[w+1]; lo < hi {
			wg.Go(func() { f(lo, hi) })
		}
	}
	wg.Wait()
}

// ModelCorrelation returns the empirical correlation matrix of data d of
// model m under DefaultEstimator(m), the normalisation of m's exact
// Kernel: for the Ising ring the uncentred matrix of eq 24 (equal to
// Correlation(d)), for the XY ring the Pearson matrix of the one-hot
// indicators. It panics if d does not fit m or is empty.
func ModelCorrelation(m ring.Model, d ring.Data) *mat.SymDense {
	if d.Sites() != m.Sites() || d.States() != m.States() {
		panic(fmt.Sprintf("spectral: data of %d sites and %d states for model %s", d.Sites(), d.States(), ring.Label(m)))
	}
	mo := NewMoments(d.Sites(), d.States())
	mo.Add(d)
	return mo.Correlation(m.Encoding(), DefaultEstimator(m))
}

// FloatCorrelation returns the empirical correlation matrix of the rows of
// x (S samples of D features) under the normalisation norm, with 1/S:
// SecondMoment XᵀX/S, Covariance with the sample mean removed, Pearson
// further scaled by the sample standard deviations (zero-variance columns
// give zero rows). It panics if x has no rows; x is not modified.
//
// The product is a symmetric rank-S update formed by a blocked kernel
// (gramFloat): rows are centred and packed 256 at a time, and the upper
// triangle is accumulated in 4×12 tiles of fused multiply–add chains (AVX2
// assembly on amd64, an equivalent Go twin elsewhere), the tiles of each
// block shared among GOMAXPROCS goroutines. Every entry sees the same
// operations in the same order whatever the core count, so the result
// does not depend on it. Memory beyond the result is about D² + 256·D
// values; x is never copied whole. At S = 10⁵, D = 1000 it takes 2.6 s of
// processor time, about the AVX2 peak of one core (BenchmarkFloatCorrelation;
// numpy's X.T@X with AVX-512 OpenBLAS takes 1.6 s on the same machine).
func FloatCorrelation(x mat.Matrix, norm ring.Normalisation) *mat.SymDense {
	s, dim := x.Dims()
	if s == 0 {
		panic("spectral: empty data set")
	}
	var mean []float64
	if norm != ring.SecondMoment {
		mean = make([]float64, dim)
		for r := range s {
			for c := range dim {
				mean[c] += x.At(r, c)
			}
		}
		for c := range mean {
			mean[c] /= float64(s)
		}
	}
	g, dp := gramFloat(x, mean)
	out := mat.NewSymDense(dim, nil)
	o := out.RawSymmetric()
	for r := range dim {
		for c := r; c < dim; c++ {
			o.Data[r*o.Stride+c] = g[r*dp+c] / float64(s)
		}
	}
	if norm == ring.Pearson {
		sd := make([]float64, dim)
		for r := range sd {
			sd[r] = math.Sqrt(o.Data[r*o.Stride+r])
		}
		for r := range dim {
			for c := r; c < dim; c++ {
				if sd[r] == 0 || sd[c] == 0 {
					o.Data[r*o.Stride+c] = 0
				} else {
					o.Data[r*o.Stride+c] /= sd[r] * sd[c]
				}
			}
			if sd[r] != 0 {
				o.Data[r*o.Stride+r] = 1
			}
		}
	}
	return out
}

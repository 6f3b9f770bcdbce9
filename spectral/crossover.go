package spectral

import (
	"fmt"
	"math"
)

// Law returns the generalized Marchenko–Pastur law of the sample
// correlation matrix of S samples whose population spectrum is s: H puts
// weight 1/(N·F) on each exact eigenvalue and γ = N·F/S, so that
// γ∫f dH = (1/S) Σ_k f(λ_k). Eigenvalues below zero by rounding (the exact
// zeros of Potts data) are set to zero. It panics unless samples > 0.
func (s *Spectrum) Law(samples float64) GeneralizedMP {
	if !(samples > 0) {
		panic(fmt.Sprintf("spectral: sample size %v must be positive", samples))
	}
	t := make([]float64, len(s.Values))
	for i, v := range s.Values {
		t[i] = math.Max(v, 0)
	}
	return GeneralizedMP{T: t, Gamma: float64(s.Dim()) / samples}
}

// Band returns the modes whose spatial index lies within kmax of 0,
// min(K, N−K) ≤ kmax, and whose feature index J is one of js (every J when
// js is empty): for the Ising ring with js empty, the low-wavenumber band
// |k| ≤ K of THEORY.md §3.11 (2K+1 modes); for the XY ring with js = {1,
// P−1}, the spatially smooth part of the angular p = ±1 band.
func (s *Spectrum) Band(kmax int, js ...int) []Mode {
	var out []Mode
	for k := range s.N {
		if min(k, s.N-k) > kmax {
			continue
		}
		for j := range s.F {
			if len(js) > 0 && !containsInt(js, j) {
				continue
			}
			out = append(out, Mode{k, j})
		}
	}
	return out
}

func containsInt(x []int, v int) bool {
	for _, y := range x {
		if y == v {
			return true
		}
	}
	return false
}

// Crossover is the smooth prediction of THEORY.md §3.11 for the top
// eigenpair of the empirical correlation matrix of S samples of ring data,
// whose population spectrum is a band with no isolated spike.
type Crossover struct {
	// Samples is S and R = N/S.
	Samples float64 `json:"samples"`
	R       float64 `json:"r"`
	// Edge is the right edge x₊ of the generalized Marchenko–Pastur law
	// with H the exact spectrum (GeneralizedMP.RightEdge): the top sample
	// eigenvalue tends to it, from a few per cent below at finite N.
	Edge float64 `json:"edge"`
	// Weights holds, for each requested group of modes, the predicted
	// squared projection of the top sample eigenvector on the group
	// (GeneralizedMP.EdgeWeight) [derived].
	Weights []float64 `json:"weights"`
	// Baselines holds the value of each weight for a random unit vector,
	// |G|/(N·F).
	Baselines []float64 `json:"baselines"`
}

// PredictCrossover returns the smooth prediction for S samples from the
// model with exact spectrum s, with one weight per group (for example
// s.Band(3) and the uniform mode {(0, 0)} of the Ising ring).
func PredictCrossover(s *Spectrum, samples float64, groups ...[]Mode) Crossover {
	law := s.Law(samples)
	c := Crossover{Samples: samples, R: float64(s.N) / samples}
	c.Edge, _ = law.RightEdge()
	for _, g := range groups {
		idx := make([]int, len(g))
		for i, md := range g {
			idx[i] = s.index(md)
		}
		c.Weights = append(c.Weights, law.EdgeWeight(idx))
		c.Baselines = append(c.Baselines, float64(len(g))/float64(s.Dim()))
	}
	return c
}

// SpikeOverlap returns the finite-N generalized-spike prediction for a
// group G of degenerate top modes of s (such as the cos/sin pair of the XY
// top eigenspace): with H the rest of the exact spectrum and γ∫f dH =
// (1/S)Σ_{k∉G} f(λ_k), the outlier location ψ(λ_G) and the squared
// projection λ_G ψ'(λ_G)/ψ(λ_G) of each outlier eigenvector on the group's
// eigenspace (THEORY.md §3.5–3.6), and whether S exceeds S_sep(G). Below
// S_sep the location is NaN and the overlap 0 (use PredictCrossover
// there). A group that shares its eigenvalue with other modes, to 10⁻¹²
// relative (every mode of the XY ring at β = 0), has no separated spike:
// NaN, 0 and false. It panics if the group's eigenvalue is below another
// one.
func SpikeOverlap(s *Spectrum, group []Mode, samples float64) (x, overlap2 float64, outlier bool) {
	in := make(map[int]bool, len(group))
	lg := math.Inf(1)
	for _, md := range group {
		in[s.index(md)] = true
		lg = math.Min(lg, s.Value(md))
	}
	rest := make([]float64, 0, len(s.Values))
	tie := false
	for i, v := range s.Values {
		if !in[i] {
			if v >= lg {
				if v-lg > 1e-12*math.Abs(lg) {
					panic(fmt.Sprintf("spectral: group eigenvalue %v not above the rest (%v)", lg, v))
				}
				tie = true
			}
			rest = append(rest, math.Max(v, 0))
		}
	}
	if tie {
		return math.NaN(), 0, false
	}
	law := GeneralizedMP{T: rest, Gamma: float64(len(rest)) / samples}
	return law.Outlier(lg)
}

package main

import (
	"encoding/json"
	"fmt"
	"io"
	"math"

	"github.com/urfave/cli/v2"

	"placecell/internal/version"
	"placecell/ring"
	"placecell/spectral"
)

func init() { registerCommand(20, spectrumCommand) }

func spectrumCommand() *cli.Command {
	return &cli.Command{
		Name:  "spectrum",
		Usage: "exact eigenvalues of the ring's correlation matrix; with a data file, the empirical ones",
		Description: "Without a data file: the exact finite-N eigenvalues λ_k of the Ising-ring correlation matrix\n" +
			"(Fourier modes, THEORY.md §2.2) and the linear growth rates σ_k = λ_k − 1 of an RBM with ±1 hidden\n" +
			"units (eq 23). With a data file (.npy or text): the top eigenvalues of the empirical correlation\n" +
			"matrix Ĉ = (1/S) Σ v vᵀ (eq 24) beside the Marchenko–Pastur noise edges for r = N/S, and the\n" +
			"weight of each top eigenvector on the uniform mode and on the low-wavenumber band |k| ≤ 3.\n" +
			"Give --beta with a data file to print the exact spectrum too.",
		UsageText: "placecell spectrum [--beta β] [--n N] [--modes K] [--top K] [--format text|csv|json] [DATAFILE]",
		Flags: []cli.Flag{
			modelFlag(), nFlag(100), betaFlag(0.5), formatFlag(),
			&cli.IntFlag{Name: "modes", Value: 20, Usage: "exact spectrum: print the first `K` distinct modes k = 0..K−1 (0: all)",
				Action: func(_ *cli.Context, v int) error {
					if v < 0 {
						return fmt.Errorf("--modes %d must be ≥ 0", v)
					}
					return nil
				}},
			&cli.IntFlag{Name: "top", Value: 5, Usage: "data file: number `K` of leading empirical eigenpairs",
				Action: positiveInt("top")},
		},
		Action: spectrumAction,
	}
}

func spectrumAction(c *cli.Context) error {
	if err := checkArgs(c, 1); err != nil {
		return err
	}
	format := c.String("format")
	w := c.App.Writer
	meta := map[string]any{"program": "placecell " + version.String(), "model": "ising"}
	var sections []section

	// Empirical part.
	var data *ring.Spins
	if path := c.Args().First(); path != "" {
		var err error
		if data, err = ring.ReadSpinsFile(path); err != nil {
			return err
		}
		if c.IsSet("n") && c.Int("n") != data.Sites() {
			return fmt.Errorf("--n %d disagrees with the %d sites of %s; leave --n out", c.Int("n"), data.Sites(), path)
		}
		meta["data"] = path
		sec, err := empiricalSection(data, c.Int("top"))
		if err != nil {
			return err
		}
		sections = append(sections, sec)
	}

	// Exact part.
	if data == nil || c.IsSet("beta") {
		m := ring.Ising{N: c.Int("n"), Beta: c.Float64("beta")}
		if data != nil {
			m.N = data.Sites()
		}
		if err := m.Validate(); err != nil {
			return err
		}
		sections = append([]section{exactSection(m, c.Int("modes"))}, sections...)
		meta["n"], meta["beta"] = m.N, m.Beta
	}
	return writeSections(w, format, meta, sections)
}

// section is one titled table of a command's output.
type section struct {
	name  string // key in JSON output
	title string // heading in text and CSV output
	notes []string
	t     *table
}

func writeSections(w io.Writer, format string, meta map[string]any, secs []section) error {
	if format == "json" {
		out := map[string]any{}
		for k, v := range meta {
			out[k] = jsonCell(v)
		}
		for _, s := range secs {
			rows := make([]map[string]any, len(s.t.rows))
			for i, r := range s.t.rows {
				rows[i] = map[string]any{}
				for j, h := range s.t.head {
					rows[i][h] = jsonCell(r[j])
				}
			}
			out[s.name] = map[string]any{"title": s.title, "notes": s.notes, "rows": rows}
		}
		enc := json.NewEncoder(w)
		enc.SetIndent("", "  ")
		return enc.Encode(out)
	}
	for i, s := range secs {
		if i > 0 {
			fmt.Fprintln(w)
		}
		prefix := ""
		if format == "csv" {
			prefix = "# "
			if i == 0 {
				for _, k := range sortedKeys(meta) {
					fmt.Fprintf(w, "# %s: %v\n", k, meta[k])
				}
			}
		}
		fmt.Fprintf(w, "%s%s\n", prefix, s.title)
		for _, n := range s.notes {
			fmt.Fprintf(w, "%s%s\n", prefix, n)
		}
		if err := s.t.write(w, format, nil); err != nil {
			return err
		}
	}
	return nil
}

func exactSection(m ring.Ising, modes int) section {
	lambda := spectral.IsingSpectrum(nil, m)
	kmax := m.N / 2
	if modes > 0 {
		kmax = min(kmax, modes-1)
	}
	t := &table{head: []string{"k", "q_k", "multiplicity", "lambda_k", "sigma_k"}}
	for k := 0; k <= kmax; k++ {
		mult := 2
		if k == 0 || 2*k == m.N {
			mult = 1
		}
		t.add(k, 2*math.Pi*float64(k)/float64(m.N), mult, lambda[k], lambda[k]-1)
	}
	notes := []string{
		"λ_k: eigenvalue of Fourier mode k (cos and sin share it); σ_k = λ_k − 1: linear growth rate",
		"per unit learning time t = ν·updates for ±1 hidden units (paper eq 23).",
	}
	if kmax < m.N/2 {
		notes = append(notes, fmt.Sprintf("showing k = 0..%d of 0..%d (use --modes 0 for all)", kmax, m.N/2))
	}
	return section{name: "exact",
		title: fmt.Sprintf("Exact spectrum, Ising ring N = %d, β = %g, ρ = tanh β = %.6g, ξ = %.6g (THEORY.md §2.2)",
			m.N, m.Beta, m.Rho(), m.CorrelationLength()),
		notes: notes, t: t}
}

func empiricalSection(d *ring.Spins, top int) (section, error) {
	n, s := d.Sites(), d.Len()
	top = min(top, n)
	eig, err := spectral.TopEigen(spectral.Correlation(d), top)
	if err != nil {
		return section{}, err
	}
	r := float64(n) / float64(s)
	lo, hi := spectral.MarchenkoPastur{Gamma: r, Sigma2: 1}.Edges()
	t := &table{head: []string{"rank", "eigenvalue", "uniform_overlap", "low_band_weight"}}
	u := make([]float64, n)
	mode := make([]float64, n)
	const band = 3
	for j := range top {
		for i := range u {
			u[i] = eig.Vectors.At(i, j)
		}
		var uni, low float64
		for k := range n {
			if min(k, n-k) > band {
				continue
			}
			spectral.FourierMode(mode, k)
			var p float64
			for i := range u {
				p += u[i] * mode[i]
			}
			low += p * p
			if k == 0 {
				uni = p * p
			}
		}
		t.add(j+1, eig.Values[j], uni, low)
	}
	return section{name: "empirical",
		title: fmt.Sprintf("Empirical correlation matrix Ĉ, S = %d configurations of N = %d, r = N/S = %.6g (eq 24)", s, n, r),
		notes: []string{
			fmt.Sprintf("Marchenko–Pastur noise edges for r: %.6g and %.6g; the paper's noise level (1+√r)² (eq 25)", lo, hi),
			fmt.Sprintf("uniform_overlap = (û·1)²/N (random: %.3g); low_band_weight = Σ_{|k|≤%d} (û·e_k)² (random: %.3g)",
				1/float64(n), band, float64(min(n, 2*band+1))/float64(n)),
		},
		t: t}, nil
}

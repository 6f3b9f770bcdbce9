package main

import (
	"encoding/json"
	"fmt"
	"io"
	"math"
	"time"

	"github.com/urfave/cli/v2"

	"placecell/internal/atomicfile"
	"placecell/internal/version"
	"placecell/ring"
)

func init() { registerCommand(10, sampleCommand) }

func sampleCommand() *cli.Command {
	return &cli.Command{
		Name:  "sample",
		Usage: "draw configurations of a ring model and write them as .npy or text",
		Description: "The exact sampler draws independent configurations through the transfer matrix, closing\n" +
			"the ring exactly (THEORY.md §2.3). The heat-bath sampler is the single-site Gibbs sampler the\n" +
			"paper used; its defaults are burn-in 10τ_M and spacing 5τ_M sweeps, τ_M = 1/(1 − tanh 2β).\n" +
			"A file ending in .npy gets an int8 array of shape (S, N); any other name gets text, one\n" +
			"configuration of ±1 per line. Parameters and seed go to <out>.json (and the text header).",
		UsageText: "placecell sample [--beta β] [--n N] [--samples S] [--seed s] [--sampler exact|heatbath] --out FILE",
		Flags: []cli.Flag{
			modelFlag(), nFlag(100), betaFlag(1), seedFlag(),
			&cli.IntFlag{Name: "samples", Aliases: []string{"s"}, Value: 10000, Usage: "number of configurations `S`",
				Action: positiveInt("samples")},
			&cli.StringFlag{Name: "sampler", Value: "exact", Usage: "`sampler`: exact or heatbath"},
			&cli.IntFlag{Name: "burn-in", Usage: "heat bath: `sweeps` discarded per chain (default ⌈10τ_M⌉)"},
			&cli.IntFlag{Name: "spacing", Usage: "heat bath: `sweeps` between recorded configurations (default ⌈5τ_M⌉)"},
			&cli.BoolFlag{Name: "sequential", Usage: "heat bath: visit sites in order instead of at random"},
			&cli.StringFlag{Name: "out", Aliases: []string{"o"}, Usage: "output `FILE` (.npy or text)"},
		},
		Action: sampleAction,
	}
}

// dataInfo is the provenance written beside a data file.
type dataInfo struct {
	Program    string  `json:"program"`
	Version    string  `json:"version"`
	Model      string  `json:"model"`
	N          int     `json:"n"`
	Beta       float64 `json:"beta"`
	Samples    int     `json:"samples"`
	Seed       uint64  `json:"seed"`
	Sampler    string  `json:"sampler"`
	BurnIn     int     `json:"burn_in,omitempty"`
	Spacing    int     `json:"spacing,omitempty"`
	Sequential bool    `json:"sequential,omitempty"`
	BlockSize  int     `json:"block_size"`
	Format     string  `json:"format"`
}

func sampleAction(c *cli.Context) error {
	if err := checkArgs(c, 0); err != nil {
		return err
	}
	m, err := isingModel(c)
	if err != nil {
		return err
	}
	out := c.String("out")
	if out == "" {
		return fmt.Errorf("no output file: give --out data.npy (NumPy) or --out data.txt (text)")
	}
	info := dataInfo{Program: "placecell", Version: version.String(), Model: "ising", N: m.N, Beta: m.Beta,
		Samples: c.Int("samples"), Seed: c.Uint64("seed"), Sampler: c.String("sampler"), BlockSize: ring.BlockSize}
	if float64(info.Samples)*float64(m.N) > 4e10 {
		return fmt.Errorf("--samples %d × --n %d is too large for memory (at most 4·10¹⁰ spins)", info.Samples, m.N)
	}

	var smp ring.Sampler
	switch info.Sampler {
	case "exact":
		smp = ring.NewExact(m)
	case "heatbath":
		hb := ring.NewHeatBath(m)
		if c.IsSet("burn-in") {
			hb.BurnIn = c.Int("burn-in")
		}
		if c.IsSet("spacing") {
			hb.Spacing = c.Int("spacing")
		}
		if hb.BurnIn < 0 || hb.Spacing < 1 {
			return fmt.Errorf("--burn-in %d and --spacing %d must be ≥ 0 and ≥ 1", hb.BurnIn, hb.Spacing)
		}
		hb.Sequential = c.Bool("sequential")
		info.BurnIn, info.Spacing, info.Sequential = hb.BurnIn, hb.Spacing, hb.Sequential
		if tau := ring.MagnetisationTime(m.Beta); float64(hb.Spacing) < 5*tau {
			fmt.Fprintf(c.App.ErrWriter, "placecell: warning: spacing %d sweeps is below 5τ_M = %.3g; consecutive configurations are correlated (e^(−spacing/τ_M) = %.2g)\n",
				hb.Spacing, 5*tau, math.Exp(-float64(hb.Spacing)/tau))
		}
		smp = hb
	default:
		return fmt.Errorf("--sampler %q is not available (want exact or heatbath)", info.Sampler)
	}

	start := time.Now()
	data := ring.Generate(smp, info.Samples, info.Seed)
	elapsed := time.Since(start)

	format := ring.FormatOf(out)
	info.Format = map[ring.Format]string{ring.NPY: "npy", ring.Text: "text"}[format]
	if err := writeData(out, data, format, info); err != nil {
		return err
	}
	fmt.Fprintf(c.App.Writer, "wrote %d configurations of N = %d (Ising ring, β = %g, %s sampler, seed %d) to %s in %.3g s; parameters in %s.json\n",
		info.Samples, m.N, m.Beta, info.Sampler, info.Seed, out, elapsed.Seconds(), out)
	return nil
}

// writeData writes the data set and its provenance sidecar, both atomically.
func writeData(path string, data *ring.Spins, format ring.Format, info any) error {
	meta, err := json.MarshalIndent(info, "", "  ")
	if err != nil {
		return err
	}
	line, _ := json.Marshal(info)
	header := []string{"placecell data set", string(line)}
	if err := atomicfile.Write(path, func(w io.Writer) error {
		return ring.WriteSpins(w, data, format, header)
	}); err != nil {
		return err
	}
	return atomicfile.WriteBytes(path+".json", append(meta, '\n'))
}

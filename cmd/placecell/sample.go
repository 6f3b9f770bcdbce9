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
			"the ring exactly (THEORY.md §2.3, §2.9). The heat-bath sampler is the single-site Gibbs sampler the\n" +
			"paper used; for the Ising ring its defaults are burn-in 10τ_M and spacing 5τ_M sweeps,\n" +
			"τ_M = 1/(1 − tanh 2β); for the XY ring 1000 and 300 sweeps (no closed-form relaxation time).\n" +
			"A file ending in .npy gets an array of shape (S, N) (int8 ±1, or uint8 states 0..P−1 for xy); any\n" +
			"other name gets text, one configuration per line. Parameters and seed go to <out>.json (and the\n" +
			"text header).",
		UsageText: "placecell sample [--model ising|xy|bump] [--beta β] [--n N] [--p P] [--param k=v] [--samples S] [--seed s]\n" +
			"   [--sampler exact|heatbath] --out FILE",
		Flags: []cli.Flag{
			modelFlag(), nFlag(100), betaFlag(1), pFlag(), paramFlag(), seedFlag(),
			&cli.IntFlag{Name: "samples", Aliases: []string{"s"}, Value: 10000, Usage: "number of configurations `S`",
				Action: positiveInt("samples")},
			&cli.StringFlag{Name: "sampler", Value: "exact", Usage: "`sampler`: exact or heatbath (ising and xy)"},
			&cli.IntFlag{Name: "burn-in", Usage: "heat bath: `sweeps` discarded per chain (default ⌈10τ_M⌉; xy 1000)"},
			&cli.IntFlag{Name: "spacing", Usage: "heat bath: `sweeps` between recorded configurations (default ⌈5τ_M⌉; xy 300)"},
			&cli.BoolFlag{Name: "sequential", Usage: "heat bath: visit sites in order instead of at random"},
			&cli.StringFlag{Name: "out", Aliases: []string{"o"}, Usage: "output `FILE` (.npy or text)"},
		},
		Action: sampleAction,
	}
}

// dataInfo is the provenance written beside a data file.
type dataInfo struct {
	Program    string       `json:"program"`
	Version    string       `json:"version"`
	Model      string       `json:"model"`
	N          int          `json:"n"`
	Beta       float64      `json:"beta"`
	Params     []ring.Param `json:"params"`
	Samples    int          `json:"samples"`
	Seed       uint64       `json:"seed"`
	Sampler    string       `json:"sampler"`
	BurnIn     int          `json:"burn_in,omitempty"`
	Spacing    int          `json:"spacing,omitempty"`
	Sequential bool         `json:"sequential,omitempty"`
	BlockSize  int          `json:"block_size"`
	Format     string       `json:"format"`
}

func sampleAction(c *cli.Context) error {
	if err := checkArgs(c, 0); err != nil {
		return err
	}
	m, err := ringModel(c)
	if err != nil {
		return err
	}
	out := c.String("out")
	if out == "" {
		return fmt.Errorf("no output file: give --out data.npy (NumPy) or --out data.txt (text)")
	}
	info := dataInfo{Program: "placecell", Version: version.String(), Model: m.Name(), N: m.Sites(),
		Params: m.Params(), Samples: c.Int("samples"), Seed: c.Uint64("seed"), Sampler: c.String("sampler"),
		BlockSize: ring.BlockSize}
	for _, p := range m.Params() {
		if p.Name == "beta" {
			info.Beta = p.Value
		}
	}
	bits := 1.0
	if _, ok := m.NewData(0).(*ring.Potts); ok {
		bits = 8
	}
	if float64(info.Samples)*float64(m.Sites())*bits > 4e10 {
		return fmt.Errorf("--samples %d × --n %d is too large for memory (at most 4·10¹⁰ bits of data)", info.Samples, m.Sites())
	}

	smp, err := dataSampler(c, m, &info)
	if err != nil {
		return err
	}

	start := time.Now()
	data, err := ring.GenerateDataContext(c.Context, smp, m.NewData(info.Samples), info.Seed)
	if err != nil {
		return fmt.Errorf("sampling stopped, nothing written: %w", err)
	}
	elapsed := time.Since(start)

	format := ring.FormatOf(out)
	info.Format = map[ring.Format]string{ring.NPY: "npy", ring.Text: "text"}[format]
	if err := writeData(out, data, format, info); err != nil {
		return err
	}
	desc := ring.Label(m)
	if is, ok := m.(ring.Ising); ok {
		desc = fmt.Sprintf("Ising ring, β = %g", is.Beta)
	}
	fmt.Fprintf(c.App.Writer, "wrote %d configurations of N = %d (%s, %s sampler, seed %d) to %s in %.3g s; parameters in %s.json\n",
		info.Samples, m.Sites(), desc, info.Sampler, info.Seed, out, elapsed.Seconds(), out)
	return nil
}

// writeData writes the data set and its provenance sidecar, both atomically.
func writeData(path string, data ring.Data, format ring.Format, info any) error {
	meta, err := json.MarshalIndent(info, "", "  ")
	if err != nil {
		return err
	}
	line, _ := json.Marshal(info)
	header := []string{"placecell data set", string(line)}
	if err := atomicfile.Write(path, func(w io.Writer) error {
		return ring.WriteData(w, data, format, header)
	}); err != nil {
		return err
	}
	return atomicfile.WriteBytes(path+".json", append(meta, '\n'))
}

// maxUpdates bounds the single-site heat-bath updates a data set may take:
// a few minutes at the measured 3–6 ns per update.
const maxUpdates = 3e10

// dataSampler returns the sampler named by --sampler for m, with the
// heat-bath settings recorded in info. It refuses a heat bath whose burn-in
// and spacing would take more than maxSweeps sweeps, and heat-bath options
// given to the exact sampler.
func dataSampler(c *cli.Context, m ring.Model, info *dataInfo) (ring.DataSampler, error) {
	switch info.Sampler {
	case "exact":
		for _, f := range []string{"burn-in", "spacing", "sequential"} {
			if c.IsSet(f) {
				return nil, fmt.Errorf("--%s applies to --sampler heatbath only", f)
			}
		}
		return m.NewSampler(), nil
	case "heatbath":
	default:
		return nil, fmt.Errorf("--sampler %q is not available (want exact or heatbath)", info.Sampler)
	}

	// Defaults: Ising 10τ_M and 5τ_M sweeps (THEORY.md §2.4); XY the
	// authors' 1000 and 300.
	burn, spacing, tau := 1000.0, 300.0, math.NaN()
	x, isIsing := m.(ring.Ising)
	if isIsing {
		tau = ring.MagnetisationTime(x.Beta)
		burn, spacing = math.Ceil(10*tau), math.Ceil(5*tau)
	} else if _, ok := m.(ring.XY); !ok {
		return nil, fmt.Errorf("--sampler heatbath is not available for --model %s (want exact)", m.Name())
	}
	if c.IsSet("burn-in") {
		burn = float64(c.Int("burn-in"))
	}
	if c.IsSet("spacing") {
		spacing = float64(c.Int("spacing"))
	}
	if burn < 0 || spacing < 1 {
		return nil, fmt.Errorf("--burn-in %v and --spacing %v must be ≥ 0 and ≥ 1", burn, spacing)
	}
	chains := math.Ceil(float64(info.Samples) / ring.BlockSize)
	if sweeps := chains*burn + float64(info.Samples)*spacing; sweeps*float64(m.Sites()) > maxUpdates {
		return nil, fmt.Errorf("the heat bath would take %.3g sweeps of %d sites (burn-in %.3g, spacing %.3g, τ_M = %.3g at β = %g); use --sampler exact, or smaller --burn-in and --spacing",
			sweeps, m.Sites(), burn, spacing, tau, info.Beta)
	}
	info.BurnIn, info.Spacing, info.Sequential = int(burn), int(spacing), c.Bool("sequential")
	if isIsing && spacing < 5*tau {
		fmt.Fprintf(c.App.ErrWriter, "placecell: warning: spacing %d sweeps is below 5τ_M = %.3g; consecutive configurations are correlated (e^(−spacing/τ_M) = %.2g)\n",
			info.Spacing, 5*tau, math.Exp(-spacing/tau))
	}
	if isIsing {
		return ring.HeatBath{Model: x, BurnIn: info.BurnIn, Spacing: info.Spacing, Sequential: info.Sequential}, nil
	}
	return ring.XYHeatBath{Model: m.(ring.XY), BurnIn: info.BurnIn, Spacing: info.Spacing, Sequential: info.Sequential}, nil
}

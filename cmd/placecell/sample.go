package main

import (
	"encoding/json"
	"fmt"
	"io"
	"math"
	"strings"
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
		Description: "The exact sampler draws independent configurations of the model (THEORY.md §2.3, §2.9, §2.11;\n" +
			"transfer matrix for the rings, closing them exactly). The heat-bath sampler is the single-site Gibbs\n" +
			"sampler the paper used, for " + heatBathModels(" and ") + "; for the Ising ring its defaults are burn-in 10τ_M and\n" +
			"spacing 5τ_M sweeps, τ_M = 1/(1 − tanh 2β); for the XY ring 1000 and 300 sweeps (no closed-form\n" +
			"relaxation time). A file ending in .npy gets an array of shape (S, N) (int8 ±1 for two-state models,\n" +
			"state 0 as −1; uint8 states 0..P−1 otherwise); any other name gets text, one configuration per line.\n" +
			"Parameters, seed, build and how the file stores the states go to <out>.json (and the text header).",
		UsageText: "placecell sample [--model " + modelNames("|") + "] [--beta β] [--n N] [--p P] [--param k=v] [--samples S] [--seed s]\n" +
			"   [--sampler exact|heatbath] --out FILE",
		Flags: []cli.Flag{
			modelFlag(), nFlag(100), betaFlag(1), pFlag(), paramFlag(), seedFlag(),
			&cli.IntFlag{Name: "samples", Aliases: []string{"s"}, Value: 10000, Usage: "number of configurations `S`",
				Action: positiveInt("samples")},
			&cli.StringFlag{Name: "sampler", Value: "exact", Usage: "`sampler`: exact or heatbath (" + heatBathModels(" and ") + ")"},
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
	Program string `json:"program"`
	Version string `json:"version"`
	Build   string `json:"build"`
	Model   string `json:"model"`
	N       int    `json:"n"`
	// Beta is set for models with an inverse temperature β only.
	Beta   *float64     `json:"beta,omitempty"`
	Params []ring.Param `json:"params"`
	// States is the number of values of a site; StoredAs says how the
	// file writes them and Encoding how the model's correlation matrix
	// reads them.
	States     int          `json:"states"`
	StoredAs   string       `json:"stored_as"`
	Encoding   encodingInfo `json:"encoding"`
	Samples    int          `json:"samples"`
	Seed       uint64       `json:"seed"`
	Sampler    string       `json:"sampler"`
	BurnIn     int          `json:"burn_in,omitempty"`
	Spacing    int          `json:"spacing,omitempty"`
	Sequential bool         `json:"sequential,omitempty"`
	BlockSize  int          `json:"block_size"`
	Format     string       `json:"format"`
}

// encodingInfo is the map from a site's state to the features of the
// model's correlation matrix: the values (state a, feature f at a·F + f),
// or one-hot for one feature per state.
type encodingInfo struct {
	Features      int                `json:"features"`
	OneHot        bool               `json:"one_hot,omitempty"`
	Values        []float64          `json:"values,omitempty"`
	Normalisation ring.Normalisation `json:"normalisation"`
}

func encodingOf(m ring.Model) encodingInfo {
	e := m.Encoding()
	out := encodingInfo{Features: e.Features, Normalisation: e.Normalisation, OneHot: e.Features == m.States() && e.Features > 1}
	for a := 0; a < m.States() && out.OneHot; a++ {
		for f := range e.Features {
			if e.Value(a, f) != map[bool]float64{true: 1}[a == f] {
				out.OneHot = false
			}
		}
	}
	if !out.OneHot {
		out.Values = e.Values
	}
	return out
}

// storedAs describes how a data file writes the states of m.
func storedAs(m ring.Model, f ring.Format) string {
	if m.States() == 2 {
		enc := m.Encoding()
		s := "-1 for state 0, +1 for state 1"
		if enc.Features == 1 && (enc.Value(0, 0) != -1 || enc.Value(1, 0) != 1) {
			s += fmt.Sprintf(" (the model's values %g and %g)", enc.Value(0, 0), enc.Value(1, 0))
		}
		if f == ring.NPY {
			return "int8 " + s
		}
		return s
	}
	if f == ring.NPY {
		return fmt.Sprintf("uint8 states 0..%d", m.States()-1)
	}
	return fmt.Sprintf("states 0..%d", m.States()-1)
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
	info := dataInfo{Program: "placecell", Version: version.String(), Build: version.Build(), Model: m.Name(), N: m.Sites(),
		Params: m.Params(), States: m.States(), Encoding: encodingOf(m), Samples: c.Int("samples"), Seed: c.Uint64("seed"),
		Sampler: c.String("sampler"), BlockSize: ring.BlockSize}
	for _, p := range m.Params() {
		if p.Name == "beta" {
			info.Beta = &p.Value
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
	info.StoredAs = storedAs(m, format)
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
// heat-bath settings recorded in info. The heat bath is available for every
// model implementing ring.HeatBather. It refuses a heat bath whose burn-in
// and spacing would take more than maxUpdates single-site updates, and
// heat-bath options given to the exact sampler.
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
	hb, ok := m.(ring.HeatBather)
	if !ok {
		return nil, fmt.Errorf("--sampler heatbath is not available for --model %s (want exact; heat bath for %s)", m.Name(), heatBathModels(" and "))
	}
	burn, spacing, origin := hb.DefaultHeatBath()
	defSpacing := spacing
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
	if sweeps := chains*burn + float64(info.Samples)*spacing; !(sweeps*float64(m.Sites()) <= maxUpdates) {
		return nil, fmt.Errorf("the heat bath would take %.3g sweeps of %d sites (burn-in %.3g, spacing %.3g; defaults %s, %s); use --sampler exact, or smaller --burn-in and --spacing",
			sweeps, m.Sites(), burn, spacing, origin, ring.Label(m))
	}
	info.BurnIn, info.Spacing, info.Sequential = int(burn), int(spacing), c.Bool("sequential")
	if spacing < defSpacing {
		fmt.Fprintf(c.App.ErrWriter, "placecell: warning: spacing %d sweeps is below the default %.3g (%s); consecutive configurations may be correlated\n",
			info.Spacing, defSpacing, origin)
	}
	return hb.HeatBathSampler(info.BurnIn, info.Spacing, info.Sequential), nil
}

// heatBathModels lists the registered models that have a heat-bath
// sampler.
func heatBathModels(sep string) string {
	var names []string
	for _, spec := range ring.Models() {
		params := map[string]float64{}
		for _, p := range spec.Defaults {
			params[p.Name] = p.Value
		}
		if m, err := spec.New(params); err == nil {
			if _, ok := m.(ring.HeatBather); ok {
				names = append(names, spec.Name)
			}
		}
	}
	return strings.Join(names, sep)
}

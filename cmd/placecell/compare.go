package main

import (
	"encoding/json"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"time"

	"github.com/urfave/cli/v2"

	"placecell/compare"
	"placecell/internal/atomicfile"
	"placecell/internal/version"
)

func compareCommand() *cli.Command {
	common := func() []cli.Flag {
		return []cli.Flag{
			&cli.StringFlag{Name: "out", Aliases: []string{"o"}, Value: "placecell-report",
				Usage: "report `DIR`; finished runs are kept in DIR/runs and reused when the same command is run again"},
			seedFlag(),
			&cli.IntFlag{Name: "runs", Usage: "independent runs per point (default: the experiment's)"},
			&cli.IntFlag{Name: "workers", Usage: "runs executed at once (default: number of cores)"},
			&cli.BoolFlag{Name: "fresh", Usage: "ignore runs saved by an earlier invocation"},
		}
	}
	return &cli.Command{
		Name:  "compare",
		Usage: "run theory-versus-simulation experiments and write a report (Markdown, PNG, CSV, JSON)",
		Description: "With no experiment named, runs every experiment on quick defaults (about a minute on 2 cores)\n" +
			"and writes DIR/report.md with the figures and tables. Experiments:\n" +
			"  retarded  W after training and the top eigenvalue of Ĉ against r = N/S (paper Fig. 7b)\n" +
			"  growth    early growth rate of each Fourier mode of the weights against σ_k = λ_k − 1 (eq 23)\n" +
			"An interrupted run resumes: finished runs are read back from DIR/runs.",
		UsageText: "placecell compare [--out DIR] [--seed s]\n" +
			"placecell compare retarded [options]\n" +
			"placecell compare growth [options]",
		Flags: common(),
		Action: func(c *cli.Context) error {
			if err := checkArgs(c, 0); err != nil {
				return err
			}
			rc, err := retardedConfig(c)
			if err != nil {
				return err
			}
			gc, err := growthConfig(c)
			if err != nil {
				return err
			}
			if err := runRetarded(c, rc); err != nil {
				return err
			}
			return runGrowth(c, gc)
		},
		Subcommands: []*cli.Command{
			{
				Name:      "retarded",
				Usage:     "retarded learning: W and the top eigenvalue of Ĉ against r = N/S (paper Fig. 7b)",
				UsageText: "placecell compare retarded [--n N] [--beta β] [--ratios r1,r2,...] [--protocol epochs|time] [options]",
				Flags: append(common(), nFlag(20), betaFlag(0.5),
					&cli.Float64SliceFlag{Name: "ratios", Usage: "comma-separated `r = N/S` values (default 0.002,0.005,0.01,0.02,0.05,0.1,0.2,0.5,1)"},
					&cli.StringFlag{Name: "protocol", Value: "epochs", Usage: "`epochs`: same epochs for every S, as the paper; time: same learning time"},
					&cli.IntFlag{Name: "epochs", Value: 10, Usage: "epochs per run (protocol epochs)", Action: positiveInt("epochs")},
					&cli.Float64Flag{Name: "nu", Value: 0.025, Usage: "learning rate `ν`", Action: positiveFloat("nu")},
					&cli.Float64Flag{Name: "time", Value: 25, Usage: "learning `t` per run (protocol time)", Action: positiveFloat("time")},
					&cli.StringFlag{Name: "sampler", Value: "exact", Usage: "data `sampler`: exact or heatbath"},
					&cli.BoolFlag{Name: "paper", Usage: "the paper's settings: ν = 10⁻³, 250 epochs, 10 runs (slow)"},
				),
				Action: func(c *cli.Context) error {
					if err := checkArgs(c, 0); err != nil {
						return err
					}
					rc, err := retardedConfig(c)
					if err != nil {
						return err
					}
					return runRetarded(c, rc)
				},
			},
			{
				Name:      "growth",
				Usage:     "linear regime: growth rate of each Fourier mode against σ_k = λ_k − 1 (eq 23)",
				UsageText: "placecell compare growth [--n N] [--beta β] [--samples S] [--time t] [options]",
				Flags: append(common(), nFlag(32), betaFlag(0.5),
					&cli.IntFlag{Name: "samples", Aliases: []string{"s"}, Value: 100000, Usage: "training samples `S` per run", Action: positiveInt("samples")},
					&cli.Float64Flag{Name: "time", Value: 1.5, Usage: "learning time `t` of the fit window", Action: positiveFloat("time")},
					&cli.IntFlag{Name: "hidden", Aliases: []string{"m"}, Value: 4, Usage: "hidden units `M` (each gives one estimate per mode)", Action: positiveInt("hidden")},
				),
				Action: func(c *cli.Context) error {
					if err := checkArgs(c, 0); err != nil {
						return err
					}
					gc, err := growthConfig(c)
					if err != nil {
						return err
					}
					return runGrowth(c, gc)
				},
			},
		},
	}
}

// lookupSet returns the context, among c and its ancestors, in which flag
// name was set, and whether there is one, so that "compare --seed 3 growth"
// and "compare growth --seed 3" both work.
func lookupSet(c *cli.Context, name string) (*cli.Context, bool) {
	for _, x := range c.Lineage() {
		if x.IsSet(name) {
			return x, true
		}
	}
	return c, false
}

func retardedConfig(c *cli.Context) (compare.RetardedConfig, error) {
	x, _ := lookupSet(c, "seed")
	cfg := compare.RetardedConfig{Seed: x.Uint64("seed")}
	if x, ok := lookupSet(c, "runs"); ok {
		cfg.Runs = x.Int("runs")
	}
	if c.Command.Name != "retarded" {
		return cfg, nil
	}
	cfg.N, cfg.Beta = c.Int("n"), c.Float64("beta")
	cfg.Ratios = c.Float64Slice("ratios")
	p, err := compare.ParseProtocol(c.String("protocol"))
	if err != nil {
		return cfg, fmt.Errorf("--protocol %q is not available (want epochs or time)", c.String("protocol"))
	}
	cfg.Protocol, cfg.Epochs, cfg.Time, cfg.Sampler = p, c.Int("epochs"), c.Float64("time"), c.String("sampler")
	cfg.Training.Nu = c.Float64("nu")
	if c.Bool("paper") {
		cfg.Training.Nu = 1e-3
		cfg.Epochs = 250
		if cfg.Runs == 0 {
			cfg.Runs = 10
		}
	}
	return cfg, nil
}

func growthConfig(c *cli.Context) (compare.GrowthConfig, error) {
	x, _ := lookupSet(c, "seed")
	cfg := compare.GrowthConfig{Seed: x.Uint64("seed")}
	if x, ok := lookupSet(c, "runs"); ok {
		cfg.Runs = x.Int("runs")
	}
	if c.Command.Name != "growth" {
		return cfg, nil
	}
	cfg.N, cfg.Beta, cfg.S, cfg.Time = c.Int("n"), c.Float64("beta"), c.Int("samples"), c.Float64("time")
	cfg.Training.Hidden = c.Int("hidden")
	return cfg, nil
}

// reportDir creates the report directory and returns it with the run
// store; with --fresh the store saves runs but never reads them back.
func reportDir(c *cli.Context) (string, compare.Store, error) {
	x, _ := lookupSet(c, "out")
	dir := x.String("out")
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return "", nil, fmt.Errorf("could not create report directory: %w", err)
	}
	store := compare.Store(compare.DirStore(filepath.Join(dir, "runs")))
	if x, ok := lookupSet(c, "fresh"); ok && x.Bool("fresh") {
		store = writeOnly{store}
	}
	return dir, store, nil
}

// writeOnly is a Store that saves but never loads (--fresh).
type writeOnly struct{ compare.Store }

func (writeOnly) Load(string, any) (bool, error) { return false, nil }

func workers(c *cli.Context) int {
	x, _ := lookupSet(c, "workers")
	return x.Int("workers")
}

func runRetarded(c *cli.Context, cfg compare.RetardedConfig) error {
	dir, store, err := reportDir(c)
	if err != nil {
		return err
	}
	prog := newProgress(c.App.ErrWriter, "retarded learning: runs")
	cfg.Progress, cfg.Store, cfg.Workers = prog.update, store, workers(c)
	start := time.Now()
	res, err := compare.RetardedLearning(c.Context, cfg)
	prog.finish()
	if err != nil {
		return fmt.Errorf("retarded-learning experiment stopped (finished runs are kept in %s/runs; run the same command to resume): %w", dir, err)
	}
	return writeExperiment(c, dir, "retarded", res, res.Plot, res.WriteCSV, res.Summary, res.Table(), time.Since(start))
}

func runGrowth(c *cli.Context, cfg compare.GrowthConfig) error {
	dir, store, err := reportDir(c)
	if err != nil {
		return err
	}
	prog := newProgress(c.App.ErrWriter, "linear growth: runs")
	cfg.Progress, cfg.Store, cfg.Workers = prog.update, store, workers(c)
	start := time.Now()
	res, err := compare.LinearGrowth(c.Context, cfg)
	prog.finish()
	if err != nil {
		return fmt.Errorf("linear-growth experiment stopped (finished runs are kept in %s/runs; run the same command to resume): %w", dir, err)
	}
	return writeExperiment(c, dir, "growth", res, res.Plot, res.WriteCSV, res.Summary, res.Table(), time.Since(start))
}

// writeExperiment writes NAME.png, NAME.csv, NAME.json and NAME.md in dir,
// rebuilds dir/report.md from every NAME.md present, and prints the table.
func writeExperiment(c *cli.Context, dir, name string, res any, plotFn func(string) error,
	csvFn func(io.Writer) error, summary func(string) string, tab string, elapsed time.Duration) error {
	png := filepath.Join(dir, name+".png")
	if err := plotFn(png); err != nil {
		return err
	}
	if err := atomicfile.Write(filepath.Join(dir, name+".csv"), csvFn); err != nil {
		return err
	}
	js, err := json.MarshalIndent(res, "", " ")
	if err != nil {
		return err
	}
	if err := atomicfile.WriteBytes(filepath.Join(dir, name+".json"), append(js, '\n')); err != nil {
		return err
	}
	md := summary(name + ".png")
	md += fmt.Sprintf("\nFiles: `%s.png`, `%s.csv` (table with provenance header), `%s.json` (every run, parameter and seed). "+
		"Command: `%s`.\n", name, name, name, strings.Join(os.Args, " "))
	if err := atomicfile.WriteBytes(filepath.Join(dir, name+".md"), []byte(md)); err != nil {
		return err
	}
	if err := writeReport(dir); err != nil {
		return err
	}
	w := c.App.Writer
	fmt.Fprintf(w, "%s: done in %.1f s\n%s", name, elapsed.Seconds(), tab)
	fmt.Fprintf(w, "figure %s, table %s, report %s\n\n", png, filepath.Join(dir, name+".csv"), filepath.Join(dir, "report.md"))
	return nil
}

// writeReport joins the experiment sections found in dir into report.md.
func writeReport(dir string) error {
	order := map[string]int{"retarded.md": 0, "growth.md": 1}
	entries, err := os.ReadDir(dir)
	if err != nil {
		return err
	}
	var names []string
	for _, e := range entries {
		if _, ok := order[e.Name()]; ok {
			names = append(names, e.Name())
		}
	}
	sort.Slice(names, func(i, j int) bool { return order[names[i]] < order[names[j]] })
	var b strings.Builder
	fmt.Fprintf(&b, "# placecell report\n\nplacecell %s — theory beside simulation for RBMs learning ring data "+
		"(Harsh, Tubiana, Cocco & Monasson, J. Phys. A 53, 174002, 2020).\n\n", version.String())
	for _, n := range names {
		sec, err := os.ReadFile(filepath.Join(dir, n))
		if err != nil {
			return err
		}
		b.Write(sec)
		b.WriteString("\n")
	}
	return atomicfile.WriteBytes(filepath.Join(dir, "report.md"), []byte(b.String()))
}

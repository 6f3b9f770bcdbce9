package main

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"slices"
	"sort"
	"strings"
	"time"
	"unicode"

	"github.com/urfave/cli/v2"

	"placecell/compare"
	"placecell/internal/atomicfile"
	"placecell/internal/version"
)

// experiment is one subcommand of "placecell compare". Each experiment
// lives in its own file (compare_*.go) and registers itself in init.
type experiment struct {
	// name is the subcommand and the stem of its output files.
	name string
	// order places the experiment in "compare" with no name and in the
	// report; smaller first.
	order int
	// quick tells whether "placecell compare" with no name runs it.
	quick bool
	// usage is the one-line description, naming the paper's figure.
	usage string
	// flags returns the experiment's own flags (the common ones are added).
	flags func() []cli.Flag
	// run runs the experiment. Its flags are read from c when c is the
	// experiment's own subcommand; on the parent "compare" command only the
	// common flags are set and the experiment uses its quick defaults.
	run func(c *cli.Context, store compare.Store, workers int, progress func(done, total int)) (result, error)
}

// result is what every experiment of package compare returns.
type result interface {
	Plot(path string) error
	WriteCSV(w io.Writer) error
	Summary(png string) string
	Table() string
}

var experiments []experiment

func register(e experiment) {
	experiments = append(experiments, e)
	sort.SliceStable(experiments, func(i, j int) bool { return experiments[i].order < experiments[j].order })
}

// paperFigures places every experiment in the paper: the figure it
// reproduces, its alias subcommand, and its rank in the report of
// "compare --all" (the paper's order; theory-only checks last).
var paperFigures = map[string]struct {
	figure, alias string
	rank          int
}{
	"rf":             {"Fig. 3a", "fig3a", 1},
	"fwhm":           {"Fig. 3b", "fig3b", 2},
	"tiling":         {"Fig. 4", "fig4", 3},
	"diffusion":      {"Fig. 5", "fig5", 4},
	"codiffusion":    {"Fig. 6", "fig6", 5},
	"wbeta":          {"Fig. 7a", "fig7a", 6},
	"retarded":       {"Fig. 7b", "fig7b", 7},
	"xyrf":           {"Fig. 9", "fig9", 8},
	"xytiling":       {"Fig. 10", "fig10", 9},
	"xythreshold":    {"Fig. 11", "fig11", 10},
	"ising-spectrum": {"Fig. 12", "fig12", 11},
	"xy-spectrum":    {"Fig. 13", "fig13", 12},
	"rfshape":        {"Fig. 14", "fig14", 13},
	"lattice500":     {"Fig. 14a", "fig14a", 14},
	"growth":         {"eq 23 (T1)", "", 15},
}

// inPaperOrder returns the experiments in the order of the paper's
// figures, the others after them in registration order.
func inPaperOrder() []experiment {
	out := append([]experiment(nil), experiments...)
	rank := func(e experiment) int {
		if f, ok := paperFigures[e.name]; ok {
			return f.rank
		}
		return 1000 + e.order
	}
	sort.SliceStable(out, func(i, j int) bool { return rank(out[i]) < rank(out[j]) })
	return out
}

// aliasesOf returns the figure alias of an experiment, if any.
func aliasesOf(name string) []string {
	if f, ok := paperFigures[name]; ok && f.alias != "" {
		return []string{f.alias}
	}
	return nil
}

func commonCompareFlags() []cli.Flag {
	return []cli.Flag{
		&cli.StringFlag{Name: "out", Aliases: []string{"o"}, Value: "placecell-report",
			Usage: "report `DIR`; finished runs are kept in DIR/runs and reused when the same command is run again"},
		seedFlag(),
		&cli.IntFlag{Name: "runs", Usage: "independent runs per point (default: the experiment's)"},
		&cli.IntFlag{Name: "workers", Usage: "runs executed at once (default: number of cores)"},
		&cli.BoolFlag{Name: "fresh", Usage: "recompute runs saved by an earlier invocation"},
	}
}

// allFlags select "compare --all" and its subset.
func allFlags() []cli.Flag {
	return []cli.Flag{
		&cli.BoolFlag{Name: "all", Usage: "run every experiment on its defaults and build one report (Markdown with the figures); resumable"},
		&cli.StringSliceFlag{Name: "only", Usage: "with --all: run only these `experiments` (comma-separated names or figN aliases)"},
		&cli.StringSliceFlag{Name: "skip", Usage: "with --all: leave out these `experiments`"},
	}
}

func init() { registerCommand(90, compareCommand) }

func compareCommand() *cli.Command {
	var list, usage []string
	var subs []*cli.Command
	for _, e := range inPaperOrder() {
		e := e
		mark := ""
		if e.quick {
			mark = " *"
		}
		fig := ""
		if f, ok := paperFigures[e.name]; ok && f.alias != "" {
			fig = " (" + f.alias + ")"
		}
		list = append(list, fmt.Sprintf("  %-15s %s%s", e.name+fig, e.usage, mark))
		usage = append(usage, fmt.Sprintf("placecell compare %s [options]", e.name))
		subs = append(subs, &cli.Command{
			Name:      e.name,
			Aliases:   aliasesOf(e.name),
			Usage:     e.usage,
			UsageText: fmt.Sprintf("placecell compare %s [options]", e.name),
			Flags:     append(commonCompareFlags(), e.flags()...),
			Action: func(c *cli.Context) error {
				if err := checkArgs(c, 0); err != nil {
					return err
				}
				return runExperiment(c, e, "")
			},
		})
	}
	return &cli.Command{
		Name:  "compare",
		Usage: "run theory-versus-simulation experiments and write a report (Markdown, PNG, CSV, JSON)",
		Description: "With no experiment named, runs the experiments marked * on quick defaults (under a minute\n" +
			"on 2 cores) and writes DIR/report.md with the figures and tables. With --all, runs every\n" +
			"experiment on its reduced defaults (10 minutes on 2 cores, fwhm and rfshape 2–3 minutes each; --paper on an\n" +
			"experiment gives the paper's sizes) into one report. Experiments, in the paper's order:\n" +
			strings.Join(list, "\n") + "\n" +
			"An interrupted run resumes: finished runs are read back from DIR/runs (--fresh recomputes them).",
		UsageText: "placecell compare [--out DIR] [--seed s]\nplacecell compare --all [--only a,b] [--skip c] [--out DIR]\n" + strings.Join(usage, "\n"),
		Flags:     append(commonCompareFlags(), allFlags()...),
		Action: func(c *cli.Context) error {
			if c.Args().Len() > 0 && !strings.HasPrefix(c.Args().First(), "-") {
				names := make([]string, 0, len(experiments))
				for _, e := range inPaperOrder() {
					names = append(names, e.name)
				}
				return fmt.Errorf("unknown experiment %q (want one of %s, or none for the quick set)", c.Args().First(), strings.Join(names, ", "))
			}
			if err := checkArgs(c, 0); err != nil {
				return err
			}
			if !c.Bool("all") {
				if c.IsSet("only") || c.IsSet("skip") {
					return fmt.Errorf("--only and --skip apply to --all only")
				}
				for _, e := range inPaperOrder() {
					if !e.quick {
						continue
					}
					if err := runExperiment(c, e, ""); err != nil {
						return err
					}
				}
				return nil
			}
			sel, err := selectExperiments(c.StringSlice("only"), c.StringSlice("skip"))
			if err != nil {
				return err
			}
			start := time.Now()
			for i, e := range sel {
				if err := runExperiment(c, e, fmt.Sprintf("[%d/%d] ", i+1, len(sel))); err != nil {
					return err
				}
			}
			x, _ := lookupSet(c, "out")
			fmt.Fprintf(c.App.Writer, "all %d experiments done in %.0f s; report %s\n", len(sel), time.Since(start).Seconds(),
				filepath.Join(x.String("out"), "report.md"))
			return nil
		},
		Subcommands: subs,
	}
}

// selectExperiments returns the experiments of "compare --all", in the
// paper's order, restricted to only (if not empty) and without skip.
func selectExperiments(only, skip []string) ([]experiment, error) {
	resolve := func(names []string) (map[string]bool, error) {
		m := map[string]bool{}
		for _, n := range names {
			n = strings.TrimSpace(n)
			found := false
			for _, e := range experiments {
				if e.name == n || slices.Contains(aliasesOf(e.name), n) {
					m[e.name], found = true, true
				}
			}
			if !found {
				return nil, fmt.Errorf("unknown experiment %q (see placecell compare --help)", n)
			}
		}
		return m, nil
	}
	o, err := resolve(only)
	if err != nil {
		return nil, err
	}
	sk, err := resolve(skip)
	if err != nil {
		return nil, err
	}
	var out []experiment
	for _, e := range inPaperOrder() {
		if (len(o) == 0 || o[e.name]) && !sk[e.name] {
			out = append(out, e)
		}
	}
	if len(out) == 0 {
		return nil, fmt.Errorf("no experiment left to run")
	}
	return out, nil
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

// commonSeed and commonRuns read the common flags from c or its parent.
func commonSeed(c *cli.Context) uint64 {
	x, _ := lookupSet(c, "seed")
	return x.Uint64("seed")
}

func commonRuns(c *cli.Context) int {
	if x, ok := lookupSet(c, "runs"); ok {
		return x.Int("runs")
	}
	return 0
}

// own reports whether c is the experiment's own subcommand, so that its
// specific flags may be read.
func own(c *cli.Context, name string) bool { return c.Command.Name == name }

// writeOnly is a Store that saves but never loads (--fresh).
type writeOnly struct{ compare.Store }

func (writeOnly) Load(string, any) (bool, error) { return false, nil }

// runExperiment runs e and writes DIR/NAME.{png,csv,json,md}, rebuilds
// DIR/report.md from every NAME.md present, and prints the table. step
// prefixes the progress display (e.g. "[3/14] ").
func runExperiment(c *cli.Context, e experiment, step string) error {
	x, _ := lookupSet(c, "out")
	dir := x.String("out")
	store := compare.Store(compare.DirStore(filepath.Join(dir, "runs")))
	if x, ok := lookupSet(c, "fresh"); ok && x.Bool("fresh") {
		store = writeOnly{store}
	}
	wx, _ := lookupSet(c, "workers")
	if w := wx.Int("workers"); w < 0 {
		return fmt.Errorf("--workers %d must be ≥ 0 (0: one per core)", w)
	}

	prog := newProgress(c.App.ErrWriter, step+e.name+": runs")
	start := time.Now()
	var done, total int // runs finished in this invocation, for the interrupt message
	res, err := e.run(c, store, wx.Int("workers"), func(d, t int) {
		done, total = d, t
		prog.update(d, t)
	})
	prog.finish()
	var cfgErr *compare.ConfigError
	switch {
	case errors.As(err, &cfgErr):
		return err
	case errors.Is(err, context.Canceled):
		at := "before any run finished"
		if total > 0 {
			at = fmt.Sprintf("after %d of %d runs; finished runs are kept in %s", done, total, filepath.Join(dir, "runs"))
		}
		return fmt.Errorf("%s interrupted %s: run the same command to resume", e.name, at)
	case err != nil && total == 0:
		// Before any run finished: a flag or set-up error, nothing to resume.
		return err
	case err != nil:
		return fmt.Errorf("%s experiment stopped (finished runs are kept in %s; run the same command to resume): %w",
			e.name, filepath.Join(dir, "runs"), err)
	}
	elapsed := time.Since(start)
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return fmt.Errorf("could not create report directory: %w", err)
	}

	png := filepath.Join(dir, e.name+".png")
	if err := res.Plot(png); err != nil {
		return err
	}
	if err := atomicfile.Write(filepath.Join(dir, e.name+".csv"), res.WriteCSV); err != nil {
		return err
	}
	js, err := json.MarshalIndent(res, "", " ")
	if err != nil {
		return err
	}
	if err := atomicfile.WriteBytes(filepath.Join(dir, e.name+".json"), append(js, '\n')); err != nil {
		return err
	}
	md := res.Summary(e.name + ".png")
	md += provenanceBlock(res)
	md += fmt.Sprintf("\nFiles: `%s.png`, `%s.csv` (table with provenance header), `%s.json` (every run, parameter and seed). "+
		"Command: `%s`.\n", e.name, e.name, e.name, commandLine())
	if err := atomicfile.WriteBytes(filepath.Join(dir, e.name+".md"), []byte(md)); err != nil {
		return err
	}
	if err := writeReport(dir); err != nil {
		return err
	}
	w := c.App.Writer
	fmt.Fprintf(w, "%s: done in %.1f s\n%s", e.name, elapsed.Seconds(), res.Table())
	fmt.Fprintf(w, "figure %s, table %s, report %s\n\n", png, filepath.Join(dir, e.name+".csv"), filepath.Join(dir, "report.md"))
	return nil
}

// provenanceBlock returns the Markdown record of what produced a result:
// the program's version and build, and the result's own provenance lines
// (its configuration as JSON: the master seed and every parameter), in a
// collapsed block so that the report stays readable.
func provenanceBlock(res result) string {
	s := fmt.Sprintf("\n<details><summary>Provenance: placecell %s, build %s; seed and every parameter</summary>\n\n",
		version.String(), version.Build())
	if h, ok := res.(interface{ Header() []string }); ok {
		for _, line := range h.Header() {
			if cfg, ok := strings.CutPrefix(line, "config "); ok {
				s += "```json\n" + cfg + "\n```\n\n"
			} else {
				s += "`" + strings.ReplaceAll(line, "`", "'") + "`\n\n"
			}
		}
	}
	return s + "</details>\n"
}

// commandLine returns the command line as a user would type it, with the
// program named placecell (under go run, os.Args[0] is a temporary path).
func commandLine() string {
	return strings.Join(append([]string{"placecell"}, os.Args[1:]...), " ")
}

// writeReport joins the experiment sections found in dir into report.md,
// in the paper's order, after a table of contents.
func writeReport(dir string) error {
	var b, toc strings.Builder
	fmt.Fprintf(&b, "# placecell report\n\nplacecell %s (build %s) — theory beside simulation for RBMs learning ring data "+
		"(Harsh, Tubiana, Cocco & Monasson, J. Phys. A 53, 174002, 2020). Each section records the build, seed and "+
		"parameters that produced it.\n\n", version.String(), version.Build())
	var secs []string
	for _, e := range inPaperOrder() {
		sec, err := os.ReadFile(filepath.Join(dir, e.name+".md"))
		if os.IsNotExist(err) {
			continue
		}
		if err != nil {
			return err
		}
		fig := ""
		if f, ok := paperFigures[e.name]; ok {
			fig = f.figure
		}
		title := strings.TrimPrefix(strings.SplitN(string(sec), "\n", 2)[0], "## ")
		fmt.Fprintf(&toc, "| %s | [%s](#%s) | `placecell compare %s` |\n", fig, title, anchor(title), e.name)
		secs = append(secs, string(sec))
	}
	if len(secs) > 1 {
		b.WriteString("| paper | section | command |\n|---|---|---|\n" + toc.String() + "\n")
	}
	for _, sec := range secs {
		b.WriteString(sec)
		b.WriteString("\n")
	}
	return atomicfile.WriteBytes(filepath.Join(dir, "report.md"), []byte(b.String()))
}

// anchor returns the GitHub-style anchor of a Markdown heading: lower
// case, spaces to hyphens, punctuation dropped.
func anchor(title string) string {
	var b strings.Builder
	for _, r := range strings.ToLower(title) {
		switch {
		case r == ' ':
			b.WriteRune('-')
		case r == '-' || r == '_' || unicode.IsLetter(r) || unicode.IsDigit(r):
			b.WriteRune(r)
		}
	}
	return b.String()
}

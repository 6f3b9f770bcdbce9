package main

import (
	"encoding/csv"
	"encoding/json"
	"fmt"
	"io"
	"math"
	"slices"
	"sort"
	"strconv"
	"strings"
	"text/tabwriter"

	"github.com/urfave/cli/v2"

	"placecell/internal/version"
	"placecell/ring"
)

func newApp(stdout, stderr io.Writer) *cli.App {
	return &cli.App{
		Name:    "placecell",
		Usage:   "theory and reference simulation of RBMs learning ring data (place-cell emergence)",
		Version: version.String(),
		Description: "placecell follows Harsh, Tubiana, Cocco & Monasson, J. Phys. A 53, 174002 (2020).\n" +
			"Options go before arguments: the parser stops at the first argument.",
		Writer:    stdout,
		ErrWriter: stderr,
		// Errors are returned to run, which prints them; never os.Exit here.
		ExitErrHandler:  func(*cli.Context, error) {},
		HideHelpCommand: true,
		Suggest:         true,
		Commands:        buildCommands(),
	}
}

// commandEntry is a top-level subcommand. Each command file registers its
// own in init, so that adding a command touches no other file.
type commandEntry struct {
	order int
	build func() *cli.Command
}

var commands []commandEntry

func registerCommand(order int, build func() *cli.Command) {
	commands = append(commands, commandEntry{order, build})
}

func buildCommands() []*cli.Command {
	sorted := slices.Clone(commands)
	sort.SliceStable(sorted, func(i, j int) bool { return sorted[i].order < sorted[j].order })
	out := make([]*cli.Command, len(sorted))
	for i, c := range sorted {
		out[i] = c.build()
		oneLineUsageErrors(out[i])
	}
	return out
}

// commandPath returns the names of the commands from the top level down to
// c's, e.g. "compare retarded", without the program's own name (the root
// context's command is the app itself).
func commandPath(c *cli.Context) string {
	var names []string
	for _, x := range c.Lineage() {
		// The root command carries the program's name, which the
		// callers print themselves.
		if x.Command != nil && x.Command.Name != "" && x.Command.HelpName != c.App.Name {
			names = append([]string{x.Command.Name}, names...)
		}
	}
	return strings.Join(names, " ")
}

// oneLineUsageErrors makes a flag-parsing error of c and its subcommands
// a one-line error naming the command, instead of the whole help text.
func oneLineUsageErrors(c *cli.Command) {
	c.OnUsageError = func(ctx *cli.Context, err error, _ bool) error {
		return fmt.Errorf("%v (see placecell %s --help)", err, commandPath(ctx))
	}
	for _, sub := range c.Subcommands {
		oneLineUsageErrors(sub)
	}
}

// Flags shared by several commands.

func modelFlag() *cli.StringFlag {
	return &cli.StringFlag{Name: "model", Value: "ising", Usage: "data `model`: " + modelNames(", ") + " (see --param)",
		Action: func(_ *cli.Context, s string) error {
			for _, m := range ring.Models() {
				if m.Name == s {
					return nil
				}
			}
			return fmt.Errorf("--model %q is not available (want %s)", s, modelNames(" or "))
		}}
}

// modelNames lists the registered data models.
func modelNames(sep string) string {
	var names []string
	for _, m := range ring.Models() {
		names = append(names, m.Name)
	}
	return strings.Join(names, sep)
}

// pFlag is the number of Potts states of the XY model.
func pFlag() *cli.IntFlag {
	return &cli.IntFlag{Name: "p", Value: 10, Usage: "xy model: number `P` of Potts states (angles 2πv/P)",
		Action: func(_ *cli.Context, p int) error {
			if p < 2 || p > ring.MaxStates {
				return fmt.Errorf("--p %d is out of range (want 2 ≤ P ≤ %d)", p, ring.MaxStates)
			}
			return nil
		}}
}

// paramFlag sets any other model parameter, so that a new model needs no
// new flag.
func paramFlag() *cli.StringSliceFlag {
	var help []string
	for _, m := range ring.Models() {
		var ps []string
		for _, p := range m.Defaults {
			ps = append(ps, fmt.Sprintf("%s=%g", p.Name, p.Value))
		}
		help = append(help, m.Name+": "+strings.Join(ps, " "))
	}
	return &cli.StringSliceFlag{Name: "param", Usage: "model parameter `name=value`, repeatable (defaults " + strings.Join(help, "; ") + ")"}
}

// isingModel returns the model named by the common flags.
func isingModel(c *cli.Context) (ring.Ising, error) {
	m := ring.Ising{N: c.Int("n"), Beta: c.Float64("beta")}
	return m, m.Validate()
}

// ringModel builds the model named by --model from the flags --n, --beta,
// --p and --param name=value. For the Ising ring the command's own
// defaults of --n and --beta apply; for other models an unset flag leaves
// the model's default (xy: N = 100, P = 10, β = 1.5, the paper's). A flag
// set for a model without that parameter (--beta with curieweiss, --p
// with ising) is an error naming the model's parameters, as is a
// parameter given both by its flag and by --param.
func ringModel(c *cli.Context) (ring.Model, error) {
	name := c.String("model")
	var spec ring.ModelSpec
	for _, m := range ring.Models() {
		if m.Name == name {
			spec = m
		}
	}
	params := map[string]float64{}
	has := map[string]bool{}
	for _, f := range c.Command.Flags {
		for _, n := range f.Names() {
			has[n] = true
		}
	}
	accepts := map[string]bool{}
	for _, p := range spec.Defaults {
		accepts[p.Name] = true
	}
	for _, flag := range modelParamFlags {
		if has[flag] && c.IsSet(flag) && !accepts[flag] {
			return nil, fmt.Errorf("--%s does not apply to --model %s (%s)", flag, name, modelParamsHelp(spec))
		}
	}
	for _, p := range spec.Defaults {
		if !has[p.Name] || !(c.IsSet(p.Name) || name == "ising") {
			continue
		}
		switch p.Name {
		case "n", "p":
			params[p.Name] = float64(c.Int(p.Name))
		default:
			params[p.Name] = c.Float64(p.Name)
		}
	}
	if has["param"] {
		for _, kv := range c.StringSlice("param") {
			k, v, ok := strings.Cut(kv, "=")
			x, err := strconv.ParseFloat(strings.TrimSpace(v), 64)
			if !ok || err != nil {
				return nil, fmt.Errorf("--param %q is not name=value", kv)
			}
			k = strings.TrimSpace(k)
			if has[k] && c.IsSet(k) {
				return nil, fmt.Errorf("--param %s and --%s both set %s; give it once", kv, k, k)
			}
			params[k] = x
		}
	}
	m, err := ring.NewModel(name, params)
	if err != nil {
		return nil, fmt.Errorf("--model %s: %w", name, err)
	}
	return m, nil
}

// modelParamFlags are the flags that set a model parameter of the same
// name.
var modelParamFlags = []string{"n", "beta", "p"}

// modelParamsHelp names the parameters of a model and how to set them,
// e.g. "its parameters: n (--n), betaj (--param betaj=v)".
func modelParamsHelp(spec ring.ModelSpec) string {
	var ps []string
	for _, p := range spec.Defaults {
		if slices.Contains(modelParamFlags, p.Name) {
			ps = append(ps, fmt.Sprintf("%s (--%s)", p.Name, p.Name))
		} else {
			ps = append(ps, fmt.Sprintf("%s (--param %s=v)", p.Name, p.Name))
		}
	}
	return "its parameters: " + strings.Join(ps, ", ")
}

func nFlag(def int) *cli.IntFlag {
	return &cli.IntFlag{Name: "n", Value: def, Usage: "ring length `N` (number of visible units)",
		Action: func(_ *cli.Context, n int) error {
			if n < 2 || n > 10_000_000 {
				return fmt.Errorf("--n %d is out of range (want 2 ≤ N ≤ 10⁷)", n)
			}
			return nil
		}}
}

func betaFlag(def float64) *cli.Float64Flag {
	return &cli.Float64Flag{Name: "beta", Value: def, Usage: "inverse temperature `β` of the data (coupling J = 1)",
		Action: func(_ *cli.Context, b float64) error {
			if !(b >= 0) || math.IsInf(b, 0) {
				return fmt.Errorf("--beta %v is out of range (want a finite β ≥ 0)", b)
			}
			return nil
		}}
}

func seedFlag() *cli.Uint64Flag {
	return &cli.Uint64Flag{Name: "seed", Value: 1, Usage: "master random `seed` (recorded in every output)"}
}

func formatFlag() *cli.StringFlag {
	return &cli.StringFlag{Name: "format", Value: "text", Usage: "output `format`: text, csv or json",
		Action: func(_ *cli.Context, s string) error {
			switch s {
			case "text", "csv", "json":
				return nil
			}
			return fmt.Errorf("--format %q is not available (want text, csv or json)", s)
		}}
}

// tableFlag selects the one table that --format csv prints; choices
// describes the tables of the command.
func tableFlag(choices string) *cli.StringFlag {
	return &cli.StringFlag{Name: "table", Usage: "with --format csv, print only this `table` (" + choices + "); text and json print every table"}
}

func positiveInt(name string) func(*cli.Context, int) error {
	return func(_ *cli.Context, v int) error {
		if v < 1 {
			return fmt.Errorf("--%s %d must be at least 1", name, v)
		}
		return nil
	}
}

func positiveFloat(name string) func(*cli.Context, float64) error {
	return func(_ *cli.Context, v float64) error {
		if !(v > 0) || math.IsInf(v, 0) {
			return fmt.Errorf("--%s %v must be positive and finite", name, v)
		}
		return nil
	}
}

// checkArgs rejects extra arguments, and names the misplaced option when an
// argument looks like one: urfave/cli stops parsing at the first argument,
// so "placecell spectrum data.npy --top 5" would silently ignore --top.
func checkArgs(c *cli.Context, max int) error {
	args := c.Args().Slice()
	for _, a := range args {
		if strings.HasPrefix(a, "-") {
			return fmt.Errorf("option %s after an argument would be ignored; put options before arguments", a)
		}
	}
	if len(args) > max {
		return fmt.Errorf("unexpected argument %q (see placecell %s --help)", args[max], commandPath(c))
	}
	return nil
}

// table collects rows for printing as aligned text, CSV or JSON. Cells are
// strings, ints or float64s; floats print with 7 significant digits in text
// and CSV and at full precision in JSON, where non-finite values become the
// strings "+Inf", "-Inf" and "NaN".
type table struct {
	head []string
	rows [][]any
	// prec is the number of significant digits of floats in text and CSV
	// (default 7).
	prec int
}

func (t *table) add(cells ...any) { t.rows = append(t.rows, cells) }

// write prints the table in format. meta holds provenance and context:
// '#' comment lines in CSV, fields of the enclosing object in JSON, and
// nothing in text (the caller prints its own heading).
func (t *table) write(w io.Writer, format string, meta map[string]any) error {
	switch format {
	case "csv":
		for _, k := range sortedKeys(meta) {
			fmt.Fprintf(w, "# %s: %v\n", k, meta[k])
		}
		cw := csv.NewWriter(w)
		cw.Write(t.head)
		for _, r := range t.rows {
			cw.Write(t.cellStrings(r))
		}
		cw.Flush()
		return cw.Error()
	case "json":
		rows := make([]map[string]any, len(t.rows))
		for i, r := range t.rows {
			rows[i] = map[string]any{}
			for j, h := range t.head {
				rows[i][h] = jsonCell(r[j])
			}
		}
		out := map[string]any{}
		for k, v := range meta {
			out[k] = jsonCell(v)
		}
		out["rows"] = rows
		enc := json.NewEncoder(w)
		enc.SetIndent("", "  ")
		return enc.Encode(out)
	default:
		tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
		fmt.Fprintln(tw, strings.Join(t.head, "\t"))
		for _, r := range t.rows {
			fmt.Fprintln(tw, strings.Join(t.cellStrings(r), "\t"))
		}
		return tw.Flush()
	}
}

func (t *table) cellStrings(r []any) []string {
	prec := t.prec
	if prec == 0 {
		prec = 7
	}
	out := make([]string, len(r))
	for i, c := range r {
		if f, ok := c.(float64); ok {
			out[i] = strconv.FormatFloat(f, 'g', prec, 64)
		} else {
			out[i] = fmt.Sprint(c)
		}
	}
	return out
}

func jsonCell(c any) any {
	if f, ok := c.(float64); ok && (math.IsNaN(f) || math.IsInf(f, 0)) {
		return fmtG(f)
	}
	return c
}

func sortedKeys(m map[string]any) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}

// fmtG formats x with 7 significant digits.
func fmtG(x float64) string { return strconv.FormatFloat(x, 'g', 7, 64) }

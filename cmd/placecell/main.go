// Command placecell computes the theory of how restricted Boltzmann machines
// learn ring data (Harsh, Tubiana, Cocco & Monasson, J. Phys. A 53, 174002,
// 2020) and checks it against its reference simulator.
//
// Usage:
//
//	placecell [global options] command [options] [arguments]
//
// Commands:
//
//	sample     draw a data set from a ring model and write it (.npy or text)
//	spectrum   exact eigenvalues of the data correlation matrix, and empirical ones of a data file
//	threshold  retarded-learning critical ratio r_c and sample size S_c, under each rule
//	train      train the reference RBM and write its weight trajectory
//	compare    run theory-versus-simulation experiments and write a report
//
// Example:
//
//	$ placecell threshold --beta 0.5 --n 100
//	Ising ring, N = 100, β = 0.5: population top eigenvalue Λ = e^(2β) = 2.718282 (paper eq 26)
//	rule          r_c        S_c = N/r_c  criterion
//	EdgeMatching  0.4208393  237.6204     Λ = (1 + √r)², the paper's eq 27
//	BBPFlatBulk   2.952492   33.86971     Λ − 1 = √r, BBP with Λ as a spike on a flat bulk
package main

import (
	"context"
	"fmt"
	"io"
	"os"
	"os/signal"
	"syscall"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	code := run(ctx, os.Args, os.Stdout, os.Stderr)
	stop()
	os.Exit(code)
}

// run executes the command line args and returns the exit status: 0 on
// success, 1 on any error, whose one-line message goes to stderr.
func run(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	app := newApp(stdout, stderr)
	if err := app.RunContext(ctx, args); err != nil {
		fmt.Fprintf(stderr, "placecell: %v\n", err)
		return 1
	}
	return 0
}

// Package meanfield will hold the stationary receptive fields of the
// small-β learning equations (the sech profile of the continuum equation,
// eqs 40–45, and the lattice bumps of eqs 37 and 50–51), their stability
// spectra, and the uniform fixed point with its pattern-formation (Turing)
// conditions (THEORY.md §5). It is filled in by a later issue.
package meanfield

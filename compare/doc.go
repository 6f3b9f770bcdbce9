// Package compare puts theory beside simulation. Each experiment generates
// ring data, trains the reference RBM of package compare/rbm on it, measures
// the quantities the theory predicts, and returns a result that renders as a
// table, a CSV file and a PNG figure with the theory curves drawn over the
// measurements.
//
// Experiments:
//
//   - RetardedLearning (the paper's Fig. 7b): the order parameter W after
//     training and the top eigenvalue of the empirical correlation matrix
//     against r = N/S, with the noise edge (1+√r)², the population top
//     eigenvalue e^(2β) and the critical ratio of every threshold rule.
//   - LinearGrowth (THEORY.md §4.5, eq 23): the early growth rate of every
//     Fourier mode of the weights against σ_k = λ_k − 1.
//
// Runs are independent jobs executed in parallel; each finished run can be
// kept in a Store so that an interrupted experiment resumes where it
// stopped. Every output records the placecell version, the master seed and
// every parameter. The package never prints; progress is reported through
// an optional callback.
package compare

#!/usr/bin/env python3
"""Timings of scipy/numpy eigensolvers on the input of the Go benchmark
BenchmarkTopEigen (placecell/spectral): the empirical correlation matrix
C = X^T X / S of S = 4N uniform +-1 samples (gamma = 1/4, a Marchenko-Pastur
bulk with no spike, so the top eigenvalues are close together), N = 100 and
1000, top k = 2 eigenpairs.

Run back to back with
    go test -run XXX -bench 'TopEigen' ./spectral/
    python3 bench/eig_numpy.py

Go's TopEigen stops at residuals <= 1e-10 max|theta|; eigsh is timed with
tol = 0 (its default, machine precision) and tol = 1e-10. Each line: best
and median wall time in ms and process CPU time (all threads) per call, plus
the top-2 residual norms relative to the largest eigenvalue.
"""
import os
import sys
import time

import numpy as np
import scipy
import scipy.sparse.linalg as sla


def bench(f, repeat):
    walls, cpus = [], []
    for _ in range(repeat):
        c0, t0 = time.process_time(), time.perf_counter()
        f()
        walls.append(time.perf_counter() - t0)
        cpus.append(time.process_time() - c0)
    return 1e3 * min(walls), 1e3 * float(np.median(walls)), 1e3 * float(np.median(cpus))


def main():
    print("numpy", np.__version__, "scipy", scipy.__version__, "python", sys.version.split()[0],
          "cpus", os.cpu_count())
    rng = np.random.default_rng(1)
    for n, repeat in [(100, 50), (1000, 10)]:
        s = 4 * n
        x = (2 * rng.integers(0, 2, size=(s, n), dtype=np.int8) - 1).astype(np.float64)
        c = x.T @ x / s
        cases = [
            ("eigsh(k=2, which='LA')", lambda: sla.eigsh(c, k=2, which="LA")),
            ("eigsh(k=2, which='LA', tol=1e-10)", lambda: sla.eigsh(c, k=2, which="LA", tol=1e-10)),
            ("np.linalg.eigh (all pairs)", lambda: np.linalg.eigh(c)),
            ("np.linalg.eigvalsh (values only)", lambda: np.linalg.eigvalsh(c)),
        ]
        for name, f in cases:
            out = f()
            if isinstance(out, np.ndarray):
                res = "-"
            else:
                w, v = out
                idx = np.argsort(w)[::-1][:2]
                w, v = w[idx], v[:, idx]
                r = np.linalg.norm(c @ v - v * w, axis=0) / w[0]
                res = " ".join(f"{x:.1e}" for x in r)
            best, med, cpu = bench(f, repeat)
            print(f"N={n:<5d} {name:<36s} best {best:9.3f} ms  median {med:9.3f} ms  cpu {cpu:9.3f} ms  residuals {res}")


if __name__ == "__main__":
    main()

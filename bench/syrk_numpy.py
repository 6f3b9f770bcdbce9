#!/usr/bin/env python3
"""Timings of numpy's X.T @ X (the Gram matrix behind an empirical
correlation matrix) on the shapes of the Go benchmarks
BenchmarkFloatCorrelation (standard normal float64 data, SecondMoment
normalisation X^T X / S) and BenchmarkCorrelation (uniform +-1 data, the
popcount path in Go), in placecell/spectral.

Run back to back with
    go test -run XXX -bench 'FloatCorrelation|Correlation/S=100000' -benchtime 3x ./spectral/
    python3 bench/syrk_numpy.py

Each line: best and median wall time of `repeat` calls in s, with the
process CPU time per call (all BLAS threads) beside it.
"""
import os
import sys
import time

import numpy as np


def blas_name():
    try:
        cfg = np.show_config(mode="dicts")
        return cfg["Build Dependencies"]["blas"]["name"]
    except Exception:
        pass
    try:
        return os.path.realpath("/usr/lib/x86_64-linux-gnu/libblas.so.3")
    except Exception:
        return "unknown"


def bench(f, repeat):
    walls, cpus = [], []
    for _ in range(repeat):
        c0, t0 = time.process_time(), time.perf_counter()
        f()
        walls.append(time.perf_counter() - t0)
        cpus.append(time.process_time() - c0)
    return min(walls), float(np.median(walls)), float(np.median(cpus))


def line(name, f, repeat):
    best, med, cpu = bench(f, repeat)
    print(f"{name:<52s} best {best:8.3f} s  median {med:8.3f} s  cpu {cpu:8.3f} s")


def main():
    print("numpy", np.__version__, "python", sys.version.split()[0], "blas", blas_name(),
          "cpus", os.cpu_count())
    rng = np.random.default_rng(1)
    only = sys.argv[1:]  # optional subset: float, spins
    if not only or "float" in only:
        for s, d, repeat in [(10000, 100, 20), (20000, 1000, 5), (100000, 1000, 3), (1000000, 100, 3)]:
            x = rng.standard_normal((s, d))
            line(f"float64 S={s} D={d}: X.T @ X / S", lambda: (x.T @ x) / s, repeat)
            del x
    if not only or "spins" in only:
        s, n = 100000, 1000
        v = (2 * rng.integers(0, 2, size=(s, n), dtype=np.int8) - 1)
        xf = v.astype(np.float64)
        line(f"+-1 as float64 S={s} N={n}: X.T @ X / S", lambda: (xf.T @ xf) / s, 3)
        del xf
        x32 = v.astype(np.float32)
        line(f"+-1 as float32 S={s} N={n}: X.T @ X / S", lambda: (x32.T @ x32) / s, 3)
        del x32
        # Integer matmul has no BLAS path in numpy; int8 would overflow,
        # so int16 -> int64 accumulation is timed on a hundredth of the rows.
        s10 = s // 100
        v16 = v[:s10].astype(np.int16)
        line(f"+-1 as int16 S={s10} N={n} (1/100 of rows): X.T @ X", lambda: v16.T @ v16, 1)


if __name__ == "__main__":
    main()

#!/usr/bin/env python3
"""Timings of numpy/scipy transforms on the input of the Go benchmark
BenchmarkCirculant (placecell/spectral): the first row of the finite Ising
ring correlation matrix at beta = 0.5, C(d) = (rho^d + rho^(N-d))/(1 + rho^N),
rho = tanh(beta), for N = 10^3 .. 10^6.

Run back to back with
    go test -run XXX -bench 'Circulant' -cpu 1,2 ./spectral/
    python3 bench/fft_numpy.py

Each line: best and median of `repeat` timings, each the mean over `number`
calls (timeit), in ms; also the max relative error against the closed form
of the Ising spectrum (THEORY.md section 2.2) as a check that the transform
computes the same eigenvalues.
"""
import sys
import timeit

import numpy as np
import scipy
import scipy.fft


def ising_row(n, beta):
    rho = np.tanh(beta)
    d = np.arange(n, dtype=np.float64)
    return (rho ** d + rho ** (n - d)) / (1 + rho ** n)


def ising_spectrum(n, beta):
    # (1-rho^N)/(1+rho^N) (1-rho^2)/(1 - 2 rho cos q + rho^2), k = 0..N/2
    rho = np.tanh(beta)
    q = 2 * np.pi * np.arange(n // 2 + 1) / n
    return (1 - rho ** n) / (1 + rho ** n) * (1 - rho ** 2) / (1 - 2 * rho * np.cos(q) + rho ** 2)


def bench(f, n):
    number = max(1, int(2e6 // n))  # about 2e6 points per timing
    t = np.array(timeit.repeat(f, number=number, repeat=7)) / number
    return 1e3 * t.min(), 1e3 * np.median(t)


def main():
    print("numpy", np.__version__, "scipy", scipy.__version__, "python", sys.version.split()[0])
    beta = 0.5
    for n in [1000, 10000, 100000, 1000000]:
        row = ising_row(n, beta)
        half = row[: n // 2 + 1].copy()
        want = ising_spectrum(n, beta)
        cases = [
            ("np.fft.rfft(row)", lambda: np.fft.rfft(row).real),
            ("scipy.fft.rfft(row)", lambda: scipy.fft.rfft(row).real),
            ("scipy.fft.dct(half,type=1)", lambda: scipy.fft.dct(half, type=1)),
        ]
        for name, f in cases:
            err = np.max(np.abs(f() - want)) / want.max()
            best, med = bench(f, n)
            print(f"N={n:<8d} {name:<28s} best {best:9.4f} ms  median {med:9.4f} ms  relerr {err:.1e}")


if __name__ == "__main__":
    main()

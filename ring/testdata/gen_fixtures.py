"""Writes the data fixtures of io_test.go with NumPy (run: python3 gen_fixtures.py).

The fixtures were generated with NumPy 1.24.2. Every 2-D fixture holds the
same 3×5 configuration set, spelled in different dtypes, alphabets and memory
orders; the test reads each one and compares with the ±1 table `want`.
"""
import numpy as np

want = np.array([[1, -1, -1, 1, 1],
                 [-1, -1, 1, 1, -1],
                 [1, 1, 1, -1, 1]], dtype=np.int8)
zero_one = (want + 1) // 2

np.save("pm1_int8.npy", want)
np.save("pm1_int64.npy", want.astype(np.int64))
np.save("pm1_float32.npy", want.astype(np.float32))
np.save("pm1_int32_bigendian.npy", want.astype(">i4"))
np.save("pm1_float64_fortran.npy", np.asfortranarray(want.astype(np.float64)))
np.save("zo_uint8.npy", zero_one.astype(np.uint8))
np.save("zo_bool.npy", zero_one.astype(bool))
np.save("zo_int16_fortran.npy", np.asfortranarray(zero_one.astype(np.int16)))
np.save("zo_float64.npy", zero_one.astype(np.float64))

# Text as numpy.savetxt writes it: default float format, and 0/1 CSV.
np.savetxt("savetxt_float.txt", want, header="written by numpy.savetxt")
np.savetxt("savetxt_zero_one.csv", zero_one, fmt="%d", delimiter=",")

# Files that must be rejected.
np.save("bad_1d.npy", want[0])
np.save("bad_3d.npy", want.reshape(3, 5, 1))
np.save("bad_complex.npy", want.astype(np.complex128))
bad = want.astype(np.float64)
bad[2, 3] = 0.5
np.save("bad_half.npy", bad)

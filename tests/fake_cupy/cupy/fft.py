"""Emulated cupy.fft: NumPy's, refusing NumPy arrays, for the names CuPy 14 has."""
import numpy as _np

from ._core import _NAMES, _populate

_populate(globals(), _np.fft, _NAMES["fft"], "fft")

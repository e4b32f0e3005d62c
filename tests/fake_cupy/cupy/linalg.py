"""Emulated cupy.linalg: NumPy's, refusing NumPy arrays, for the names CuPy 14 has."""
import numpy as _np

from ._core import _NAMES, _populate

LinAlgError = _np.linalg.LinAlgError
_populate(globals(), _np.linalg, _NAMES["linalg"], "linalg")

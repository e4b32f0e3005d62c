"""Emulated cupyx: scatter_add/max/min and pinned host buffers."""
import numpy as _np

import cupy as _cp
from cupy import _core as _cc


def scatter_add(a, slices, value):
    _np.add.at(_cc._unwrap(a), _cc._unwrap_index(slices), _cc._unwrap(value))


def scatter_max(a, slices, value):
    _np.maximum.at(_cc._unwrap(a), _cc._unwrap_index(slices), _cc._unwrap(value))


def scatter_min(a, slices, value):
    _np.minimum.at(_cc._unwrap(a), _cc._unwrap_index(slices), _cc._unwrap(value))


def empty_pinned(shape, dtype=float, order="C"):
    return _np.empty(shape, dtype=dtype, order=order)


def zeros_pinned(shape, dtype=float, order="C"):
    return _np.zeros(shape, dtype=dtype, order=order)


def empty_like_pinned(a, dtype=None, order="K", subok=None, shape=None):
    return _np.empty_like(a, dtype=dtype, order=order, shape=shape)


class errstate:
    """cupyx.errstate(linalg='raise'): NumPy's linalg always raises, so nothing to do."""

    def __init__(self, *, linalg=None):
        self.linalg = linalg

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        return False

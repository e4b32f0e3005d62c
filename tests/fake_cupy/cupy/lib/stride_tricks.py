"""Emulated cupy.lib.stride_tricks."""
import numpy as _np

from .._core import _unwrap, _wrap, ndarray


def as_strided(x, shape=None, strides=None):
    if type(x) is not ndarray:
        raise TypeError(f"Unsupported type {type(x)}")
    return _wrap(_np.lib.stride_tricks.as_strided(x._a, shape, strides))


def broadcast_to(array, shape):
    return _wrap(_np.broadcast_to(_unwrap(array), shape))


def sliding_window_view(x, window_shape, axis=None, *, subok=False, writeable=False):
    return _wrap(_np.lib.stride_tricks.sliding_window_view(_unwrap(x), window_shape, axis,
                                                           writeable=writeable))

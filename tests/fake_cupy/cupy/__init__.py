"""Emulated CuPy (tests only): see ``_core.py`` for what it keeps of CuPy's rules."""
import sys as _sys

import numpy as _np

from ._core import (_LIVE, _NAMES, EMULATED, __version__, _populate, _unwrap,  # noqa: F401
                    _unwrap_index, _wrap, array, ascontiguousarray, asarray, asnumpy,
                    from_dlpack, get_array_module, ndarray, ufunc)
from . import _core

_populate(globals(), _np, _NAMES["cupy"])

from . import cuda, fft, lib, linalg, random  # noqa: E402,F401

_core._THIS[0] = _sys.modules[__name__]


def get_default_memory_pool():
    return cuda._POOL


def get_default_pinned_memory_pool():
    return cuda._PINNED_POOL

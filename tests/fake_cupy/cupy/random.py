"""Emulated cupy.random: RandomState over NumPy's generator, returning device arrays."""
import numpy as _np

from ._core import _unwrap, _wrap


class RandomState:
    def __init__(self, seed=None, method=None):
        self.seed(seed)

    def seed(self, seed=None):
        self._rs = _np.random.RandomState(None if seed is None else int(seed) % (1 << 32))

    def __getattr__(self, name):
        fn = getattr(self._rs, name)

        def call(*args, **kwargs):
            dtype = kwargs.pop("dtype", None)
            out = fn(*_unwrap(args), **_unwrap(kwargs))
            if dtype is not None:
                out = _np.asarray(out).astype(dtype)
            return _wrap(out)
        return call


_GLOBAL = RandomState()


def seed(s=None):
    _GLOBAL.seed(s)


def get_random_state():
    return _GLOBAL

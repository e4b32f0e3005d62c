"""Emulated cupy.random: RandomState over NumPy's generator, returning device arrays.

Only the methods real CuPy 14.2's RandomState has, with its signatures (dumped into
cupy_names.json): e.g. no ``multinomial``, and ``dtype=`` on the samplers."""
import numpy as _np

from ._core import _NAMES, _check_call, _signature, _unwrap, _wrap

_SIGS = {k: _signature(v) for k, v in _NAMES["random_state_signatures"].items()}


class RandomState:
    def __init__(self, seed=None, method=None):
        self.method = method
        self.seed(seed)

    def seed(self, seed=None):
        self._rs = _np.random.RandomState(None if seed is None else int(seed) % (1 << 32))

    def __getattr__(self, name):
        sig = _SIGS.get(name)
        if sig is None or name.startswith("_"):
            raise AttributeError(f"'cupy.random.RandomState' object has no attribute '{name}'")
        fn = getattr(self._rs, name)

        def call(*args, **kwargs):
            _check_call(f"RandomState.{name}", sig, (self,) + args, kwargs)
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

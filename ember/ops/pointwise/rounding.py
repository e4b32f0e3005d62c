"""Rounding: floor, ceil, trunc (fix), round and frac.

Integer inputs are already whole (torch returns a copy) and bool inputs are refused;
the gradient is zero, frac's is one.
"""

__all__ = ["ceil", "fix", "floor", "frac", "round", "trunc"]

import builtins

import numpy as np

from ...autograd.graph import Node
from .. import _util as U
from .._util import GRAD, record
from ._common import _BOOL, _finish_exact, _in_float32, _not_implemented, _typed, _wrap
from .unary import SignBackward0


class FloorBackward0(SignBackward0):
    pass


class CeilBackward0(SignBackward0):
    pass


class RoundBackward0(SignBackward0):
    pass


class RoundBackward1(SignBackward0):
    pass


class TruncBackward0(SignBackward0):
    pass


class FracBackward0(Node):
    def backward(self, grad):
        return (grad,)


def _rounding(name, np_fn, node_cls, doc):
    def op(input, *, out=None):
        U.check_tensor(input, name)
        arr = input._data
        if arr.dtype == _BOOL or arr.dtype.kind == "c":
            raise _not_implemented(name + "_cpu", arr.dtype)
        # NOTE: integers are already whole; torch returns a copy.
        r = arr.copy() if arr.dtype.kind in "iu" else np_fn(arr)
        res = _wrap(r, input._device)
        if GRAD.enabled and input._rg:
            record(node_cls, res, (input,))
        return _finish_exact(res, out, name)
    op.__name__ = op.__qualname__ = name
    op.__doc__ = doc
    return op


floor = _rounding("floor", np.floor, FloorBackward0, """Largest integer <= input.

    >>> ember.floor(ember.tensor([-1.5, 1.5]))
    tensor([-2.,  1.])
    """)
ceil = _rounding("ceil", np.ceil, CeilBackward0, """Smallest integer >= input.

    >>> ember.ceil(ember.tensor([-1.5, 1.5]))
    tensor([-1.,  2.])
    """)
trunc = _rounding("trunc", np.trunc, TruncBackward0, """Rounds toward zero.

    >>> ember.trunc(ember.tensor([-1.5, 1.5]))
    tensor([-1.,  1.])
    """)
fix = trunc


def _round_decimals(arr, decimals):
    # torch: nearbyint(x * 10^d) / 10^d, or nearbyint(x / 10^-d) * 10^-d for d < 0
    scale = _typed(10.0 ** builtins.abs(decimals), arr.dtype, arr)
    if decimals > 0:
        return np.rint(arr * scale) / scale
    return np.rint(arr / scale) * scale


def round(input, *, decimals=0, out=None):
    """Rounds half to even; ``decimals`` digits after the point (negative: before).

    >>> ember.round(ember.tensor([0.5, 1.5, 1.234]), decimals=0)
    tensor([0., 2., 1.])
    """
    U.check_tensor(input, "round")
    arr = input._data
    if arr.dtype == _BOOL or arr.dtype.kind == "c" or (decimals != 0 and arr.dtype.kind in "iu"):
        raise _not_implemented("round_cpu", arr.dtype)
    if arr.dtype.kind in "iu":
        r = arr.copy()
    elif decimals == 0:
        r = np.rint(arr)
    else:
        r = _in_float32(lambda a: _round_decimals(a, decimals))(arr)
    res = _wrap(r, input._device)
    if GRAD.enabled and input._rg:
        record(RoundBackward0 if decimals == 0 else RoundBackward1, res, (input,))
    return _finish_exact(res, out, "round")


def frac(input, *, out=None):
    """input - trunc(input), keeping the sign of input (floats only).

    >>> ember.frac(ember.tensor([-1.5, 2.25]))
    tensor([-0.5000,  0.2500])
    """
    U.check_tensor(input, "frac")
    arr = input._data
    if arr.dtype.kind in "biuc":
        raise _not_implemented("frac_cpu", arr.dtype)
    res = _wrap(arr - np.trunc(arr), input._device)
    if GRAD.enabled and input._rg:
        record(FracBackward0, res, (input,))
    return _finish_exact(res, out, "frac")

"""Pointwise ops torch defines as short compositions of other pointwise ops:
deg2rad, rad2deg, sinc, xlogy, ldexp, logaddexp, logaddexp2.

They are written in ember ops, so autograd (and double backward) comes from the ops
they are made of; only the graph node names differ from torch's.
"""
import math

import numpy as np

from ... import _dtype as D
from ..._tensor import Tensor
from .. import _util as U
from .._inplace import make_inplace
from ._common import _finish, _not_implemented, _require_tensor
from .arithmetic import div, mul
from .compare import eq, isnan, maximum
from .logical import logical_and, logical_not
from .power import pow
from .ternary import where
from .unary import abs, exp, exp2, log, log1p, sin

__all__ = ["deg2rad", "ldexp", "logaddexp", "logaddexp2", "rad2deg", "sinc", "xlogy"]


def _as_float(input):
    """``input`` itself when floating, else converted to the default float dtype."""
    if input.dtype.category >= D.FLOAT:    # float or complex
        return input
    return input.to(D.get_default_dtype())


def deg2rad(input, *, out=None):
    """Degrees to radians; integer and bool inputs give the default float dtype.

    >>> ember.deg2rad(ember.tensor([180.0]))
    tensor([3.1416])
    """
    U.check_tensor(input, "deg2rad")
    _refuse_complex_angle("deg2rad", input)
    return _finish(mul(_as_float(input), math.pi / 180.0), out, "deg2rad")


def _refuse_complex_angle(op, input):
    if input.is_complex():
        raise RuntimeError(f"{op} is not supported for complex tensors.")


def rad2deg(input, *, out=None):
    """Radians to degrees; integer and bool inputs give the default float dtype.

    >>> ember.rad2deg(ember.tensor([3.141592653589793]))
    tensor([180.])
    """
    U.check_tensor(input, "rad2deg")
    _refuse_complex_angle("rad2deg", input)
    return _finish(mul(_as_float(input), 180.0 / math.pi), out, "rad2deg")


def sinc(input, *, out=None):
    """Normalized sinc, ``sin(pi x) / (pi x)`` with ``sinc(0) = 1``.

    >>> ember.sinc(ember.tensor([0.0, 0.5]))
    tensor([1.0000, 0.6366])
    """
    U.check_tensor(input, "sinc")
    x = _as_float(input)
    zero = eq(x, 0)
    # dividing by a stand-in 1 at the zeros keeps NaN out of the gradient there
    px = mul(where(zero, 1.0, x), math.pi)
    return _finish(where(zero, 1.0, div(sin(px), px)), out, "sinc")


def xlogy(input, other, *, out=None):
    """``input * log(other)``, 0 where ``input`` is 0 (unless ``other`` is NaN).

    Either argument may be a Python number, not both.

    >>> ember.xlogy(ember.tensor([0.0, 2.0]), ember.tensor([0.0, 3.0]))
    tensor([0.0000, 2.1972])
    """
    if not isinstance(input, Tensor) and not isinstance(other, Tensor):
        raise TypeError(f"xlogy(): expected a Tensor for 'input' or 'other', got "
                        f"{U.type_name(input)} and {U.type_name(other)}")
    for x in (input, other):
        if isinstance(x, Tensor) and x.is_complex():
            raise _not_implemented("xlogy_cpu", x._data.dtype)
    if isinstance(other, Tensor):
        log_other = log(other)
        keep = logical_not(isnan(other))
    else:
        value = U._is_number(other) and float(other)
        if value is False:
            raise TypeError(f"xlogy(): argument 'other' must be Tensor or Number, not "
                            f"{U.type_name(other)}")
        with np.errstate(divide="ignore", invalid="ignore"):
            log_other = float(np.log(np.float64(value)))
        keep = not math.isnan(value)
    res = mul(input, log_other)
    if isinstance(input, Tensor):
        zero = eq(input, 0)
        mask = logical_and(zero, keep) if isinstance(keep, Tensor) else (zero if keep else None)
    elif U._is_number(input):
        # a number input with a tensor other: only input == 0 needs the correction
        mask = keep if input == 0 else None
    else:
        raise TypeError(f"xlogy(): argument 'input' must be Tensor or Number, not "
                        f"{U.type_name(input)}")
    if mask is not None:
        res = where(mask, 0.0, res)
    return _finish(res, out, "xlogy")


def ldexp(input, other, *, out=None):
    """``input * 2 ** other`` (float result, as torch).

    >>> ember.ldexp(ember.tensor([1.0]), ember.tensor([3]))
    tensor([8.])
    """
    _require_tensor(input, "ldexp", "input", 1)
    _require_tensor(other, "ldexp", "other", 2)
    dtype = D.promote_types(input.dtype, other.dtype)
    if dtype.category < D.FLOAT:
        dtype = D.get_default_dtype()
    # NOTE: the result dtype is the promotion of both tensors (as floats), even where
    # ``pow(2.0, other)`` alone would give another one
    return _finish(mul(input.to(dtype), pow(2.0, other.to(dtype))), out, "ldexp")


def _check_float_pair(op, input, other):
    _require_tensor(input, op, "input", 1)
    _require_tensor(other, op, "other", 2)
    dtype = D.promote_types(input.dtype, other.dtype)
    if not dtype.is_floating_point:
        raise _not_implemented(op + "_cpu", str(dtype).split(".")[-1])


def logaddexp(input, other, *, out=None):
    """``log(exp(input) + exp(other))`` without overflow (float dtypes only).

    >>> ember.logaddexp(ember.tensor([1000.0]), ember.tensor([1000.0]))
    tensor([1000.6931])
    """
    _check_float_pair("logaddexp", input, other)
    res = maximum(input, other) + log1p(exp(-abs(input - other)))
    # equal infinities make input - other NaN; equal values need no correction term
    res = where(eq(input, other), input + math.log(2.0), res)
    return _finish(res, out, "logaddexp")


def logaddexp2(input, other, *, out=None):
    """``log2(2 ** input + 2 ** other)`` without overflow (float dtypes only).

    >>> ember.logaddexp2(ember.tensor([3.0]), ember.tensor([3.0]))
    tensor([4.])
    """
    _check_float_pair("logaddexp2", input, other)
    res = maximum(input, other) + log1p(exp2(-abs(input - other))) / math.log(2.0)
    res = where(eq(input, other), input + 1.0, res)
    return _finish(res, out, "logaddexp2")


METHODS = {"deg2rad": deg2rad, "rad2deg": rad2deg, "sinc": sinc, "xlogy": xlogy,
           "ldexp": ldexp, "logaddexp": logaddexp, "logaddexp2": logaddexp2}
for _name in ("deg2rad", "rad2deg", "sinc", "xlogy", "ldexp"):
    METHODS[_name + "_"] = make_inplace(METHODS[_name], _name + "_")
for _name, _fn in METHODS.items():
    setattr(Tensor, _name, _fn)

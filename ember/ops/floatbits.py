"""Ops on the representation of numbers: copysign, frexp, nextafter, heaviside, and the
integer gcd/lcm.

>>> ember.copysign(ember.tensor([1.0, 2.0]), -1.0)
tensor([-1., -2.])
"""

__all__ = ["copysign", "frexp", "gcd", "heaviside", "lcm", "nextafter"]

import numpy as np

from .. import _dtype as D
from .._device import as_array, move_array
from .._tensor import Tensor
from ..autograd.graph import Node
from . import _util as U
from ._inplace import make_inplace
from ._return_types import _return_type, return_types
from ._util import GRAD, record
from .scatter import NotImplemented  # noqa: A004  (torch's grad_fn name)
from .pointwise._common import _broadcast, _finish, _not_implemented, _wrap


class CopysignBackward0(Node):
    def backward(self, grad):
        x, result = self.saved_tensors
        nonzero = x != 0
        ratio = (result / x.where(nonzero, x.new_ones(()))).where(nonzero, x.new_zeros(()))
        other_grad = None
        if len(self.next_functions) > 1 and self.next_functions[1][0] is not None:
            other_grad = grad.new_zeros(self.other_shape)
        return grad * ratio, other_grad


def copysign(input, other, *, out=None):
    """|input| with the sign of ``other`` (a tensor or a number); float results."""
    U.check_tensor(input, "copysign")
    a, b, device = U.prep_binary("copysign", input, other, float_result=True)
    _broadcast("copysign", a, b)
    for arr in (a, b):
        if getattr(arr, "dtype", np.dtype(np.float64)).kind == "c":
            raise _not_implemented("copysign_cpu", arr.dtype)
    res = _wrap(np.copysign(a, b), device)
    other_rg = isinstance(other, Tensor) and other._rg
    if GRAD.enabled and (input._rg or other_rg):
        inputs = (input, other) if isinstance(other, Tensor) else (input,)
        node = record(CopysignBackward0, res, inputs, (input, res))
        node.other_shape = other.shape if isinstance(other, Tensor) else ()
    return _finish(res, out, "copysign")


return_types.frexp = _return_type("frexp", ("mantissa", "exponent"))


class FrexpBackward0(Node):
    def backward(self, grad_mantissa):
        (exponent,) = self.saved_tensors
        return (grad_mantissa / exponent.to(grad_mantissa.dtype).exp2(),)


def frexp(input, *, out=None):
    """Split into mantissa (in [0.5, 1) in magnitude) and int32 exponent:
    input = mantissa * 2 ** exponent."""
    U.check_tensor(input, "frexp")
    if not input.is_floating_point():
        raise RuntimeError(f"torch.frexp() only supports floating-point dtypes (got "
                           f"{input.dtype})")
    arr = input._data
    work = arr.astype(np.float32) if arr.dtype == D.bfloat16.np else arr
    mantissa, exponent = np.frexp(work)
    mantissa = _wrap(mantissa.astype(arr.dtype, copy=False), input._device)
    exponent = _wrap(exponent.astype(np.int32, copy=False), input._device)
    if GRAD.enabled and input._rg:
        record(FrexpBackward0, mantissa, (input,), (exponent,))
    result = return_types.frexp((mantissa, exponent))
    if out is not None:
        m_out, e_out = out
        U.write_out(m_out, mantissa, "frexp")
        U.write_out(e_out, exponent, "frexp")
        return return_types.frexp((m_out, e_out))
    return result


def _same_float(op, input, other, kernel_name):
    U.check_tensor(input, op)
    a, b, device = U.prep_binary(op, input, other)
    _broadcast(op, a, b)
    if a.dtype.kind != "f" and a.dtype != D.bfloat16.np:
        raise _not_implemented(kernel_name, a.dtype)
    return a, b, device


def nextafter(input, other, *, out=None):
    """The next representable float after ``input`` towards ``other``."""
    if not isinstance(other, Tensor):
        raise TypeError(f"nextafter(): argument 'other' (position 2) must be Tensor, not "
                        f"{type(other).__name__}")
    a, b, device = _same_float("nextafter", input, other, "nextafter_cpu")
    res = _wrap(as_array(np.nextafter(a, b)).astype(a.dtype, copy=False), device)
    _no_derivative(NextafterBackward0, res, input, other)
    return _finish(res, out, "nextafter")


class NextafterBackward0(NotImplemented):
    """torch defines no derivative for nextafter but names its grad_fn."""
    op = "nextafter"

    def name(self):
        return "NextafterBackward0"


def _no_derivative(node_cls, res, *tensors, op=None):
    """The result requires grad as torch's does; backward through it raises."""
    if GRAD.enabled and any(t._rg for t in tensors):
        node = record(node_cls, res, tensors)
        if op is not None:
            node.op = op


def heaviside(input, values, *, out=None):
    """The step function: 0 below zero, 1 above, ``values`` at zero."""
    U.check_tensor(input, "heaviside")
    if not isinstance(values, Tensor):
        raise TypeError(f"heaviside(): argument 'values' (position 2) must be Tensor, not "
                        f"{type(values).__name__}")
    if input.dtype is not values.dtype:
        raise RuntimeError(f"heaviside is not yet implemented for tensors with different "
                           f"dtypes (input {input.dtype}, values {values.dtype})")
    if input.is_complex():
        raise _not_implemented("heaviside_cpu", input._data.dtype)
    a, v = input._data, values._data
    _broadcast("heaviside", a, v)
    res = np.where(a == 0, v, (a > 0).astype(a.dtype))
    res = _wrap(as_array(res).astype(a.dtype, copy=False),
                U.common_device("heaviside", (input, values)))
    _no_derivative(NotImplemented, res, input, values, op="heaviside")
    return _finish(res, out, "heaviside")


def _integer_binary(op, np_fn, kernel_name):
    def fn(input, other, *, out=None):
        U.check_tensor(input, op)
        a, b, device = U.prep_binary(op, input, other)
        _broadcast(op, a, b)
        if device.type == "cuda":   # a number operand is a NumPy scalar: the kernels index it
            a, b = (move_array(as_array(x), device) for x in (a, b))
        if a.dtype.kind not in "iu" or getattr(b, "dtype", a.dtype).kind not in "iu":
            bad = a.dtype if a.dtype.kind not in "iu" else b.dtype
            raise _not_implemented(kernel_name, bad)
        with np.errstate(all="ignore"):
            res = np_fn(a, b)
        return _finish(_wrap(as_array(res).astype(a.dtype, copy=False), device), out, op)
    fn.__name__ = fn.__qualname__ = op
    return fn


def _euclid_gcd(a, b):
    """gcd by Euclid's algorithm in the integer dtype itself, as torch computes it (so
    abs() of the most negative value wraps, and gcd(7, -32768) is -1 in int16)."""
    a, b = np.broadcast_arrays(np.abs(a), np.abs(b))
    a, b = a.copy(), b.copy()
    while a.any():
        live = a != 0
        remainder = np.fmod(b, np.where(live, a, 1))
        b = np.where(live, a, b)
        a = np.where(live, remainder, a)
    return b


def _euclid_lcm(a, b):
    # NOTE: torch computes |a / g * b| with C++'s promotion of small ints to int, then
    # narrows: overflow wraps after the abs.
    g = _euclid_gcd(a, b)
    dtype = np.result_type(a, b)
    work = np.int32 if dtype.itemsize < 4 else dtype
    with np.errstate(all="ignore"):
        wide = np.abs(a.astype(work) // np.where(g == 0, 1, g).astype(work) * b.astype(work))
    return np.where(g == 0, 0, wide).astype(dtype)


gcd = _integer_binary("gcd", _euclid_gcd, "gcd_cpu")
gcd.__doc__ = """The greatest common divisor, element-wise (integers; gcd(0, 0) = 0)."""
lcm = _integer_binary("lcm", _euclid_lcm, "lcm_cpu")
lcm.__doc__ = """The least common multiple, element-wise (integers; lcm(0, x) = 0)."""


METHODS = {
    "copysign": copysign, "frexp": frexp, "nextafter": nextafter, "heaviside": heaviside,
    "gcd": gcd, "lcm": lcm, "copysign_": make_inplace(copysign, "copysign_"),
    "nextafter_": make_inplace(nextafter, "nextafter_"),
    "heaviside_": make_inplace(heaviside, "heaviside_"), "gcd_": make_inplace(gcd, "gcd_"),
    "lcm_": make_inplace(lcm, "lcm_"),
}
for _name, _fn in METHODS.items():
    setattr(Tensor, _name, _fn)

"""Powers: pow (tensor ** number, tensor ** tensor, number ** tensor), square and
float_power.

Small exponents use cheaper kernels (products, sqrt: PERF_NOTES); integer powers wrap
around in their dtype and refuse negative exponents, as torch's do.
"""

__all__ = ["float_power", "pow", "square"]

import builtins

import numpy as np

from ... import _dtype as D
from ..._device import array_like
from ..._tensor import Tensor
from ...autograd.graph import Node
from .. import _util as U
from .._util import GRAD, prep_binary, record
from ._common import (_cc, _BOOL, _F32, _LOW, _apply_binary, _check_int_scalar_fits, _finish,
                      _not_implemented, _require_number, _round_to, _wrap, _zeros_like_grad,
                      _array_operand, _astype, _dtype_of, _typed)
from .ternary import _zero_where
from .unary import log


class PowBackward0(Node):
    """input ** exponent with a number exponent."""

    def backward(self, grad):
        (x,) = self.saved_tensors
        e = self.exponent
        if e == 0:
            return (_zeros_like_grad(grad),)
        return (grad * _cc(pow(x, e - 1) * e),)


class PowBackward1(Node):
    """input ** exponent with both tensors."""

    def backward(self, grad):
        x, e, result = self.saved_tensors
        nf = self.next_functions
        gx = ge = None
        if nf[0][0] is not None:
            # NOTE: zero where the exponent is 0, even at x = 0 (torch's choice).
            gx = _zero_where(grad * _cc(e * pow(x, e - 1)), e._data == 0)
        if nf[1][0] is not None:
            # NOTE: zero where x == 0 and exponent >= 0 (the limit), not 0 * log(0).
            ge = _zero_where(grad * _cc(result * log(x)), (x._data == 0) & (np.real(e._data) >= 0))
        return gx, ge


class PowBackward2(Node):
    """number ** exponent."""

    def backward(self, grad):
        e, result = self.saved_tensors
        base = self.base
        if isinstance(base, builtins.complex) or result._data.dtype.kind == "c":
            g = grad * _cc(result * builtins.complex(np.log(np.complex128(base))))
        else:
            g = grad * (result * float(np.log(np.float64(base))))
        if base == 0:
            g = _zero_where(g, np.real(e._data) >= 0)
        return (g,)


def _small_power(arr, e):
    """arr ** e for the exponents worth a cheaper kernel (PERF_NOTES), else None."""
    if e == 2:
        return arr * arr
    if e == 3:
        return arr * arr * arr
    if e == 1:
        return arr.copy()
    if e == 0:
        return np.ones_like(arr)
    if arr.dtype.kind == "f":
        if e == 0.5:
            return np.sqrt(arr)
        if e == -1:
            return np.divide(1, arr, dtype=arr.dtype)
        if e == -2:
            return np.divide(1, arr * arr, dtype=arr.dtype)
        if e == -0.5:
            return np.divide(1, np.sqrt(arr), dtype=arr.dtype)
    return None


def _power_array(arr, e):
    r = _small_power(arr, e)
    if r is not None:
        return r
    if arr.dtype.kind in "iu" and type(e) is builtins.int:
        # wrap-around like torch; NumPy refuses Python ints outside the dtype's range
        return np.power(arr.astype(np.int64), e).astype(arr.dtype)
    return np.power(arr, e)


def _half_power(arr, e, dtype):
    """arr ** e for a float16/bfloat16 result, computed in float32.

    NOTE: torch rounds the exponent to the result dtype (refusing one that overflows
    it).  Its bfloat16 shortcuts for 3 and -2 round each step to bfloat16, and its
    float16 +-0.5 are true powers (pow(-0.0, 0.5) is +0.0, not sqrt's -0.0).  (Its
    bfloat16 -0.5 rounds sqrt first only outside its vectorized loop; ember keeps
    the float32 result of the vectorized loop.)
    """
    if arr.dtype != dtype:
        arr = arr.astype(dtype)
    e32 = _round_to(e, dtype, arr)
    if dtype == np.float16:
        if e == 0.5:
            # NumPy's power takes sqrt for 0.5: pow's +0.0 at -0.0 and +inf at -inf
            x = arr.astype(_F32)
            r = np.add(np.sqrt(x), np.float32(0))
            return np.where(np.isneginf(x), np.float32(np.inf), r)
        if e == -0.5:
            return np.power(arr.astype(_F32), e32)
    elif e == 3:
        return (arr * arr) * arr
    elif e == -2:
        return _typed(1, dtype, arr) / (arr * arr)
    e = e32.item() if type(e) is builtins.float else e
    return _power_array(arr.astype(_F32), e)


def _as_array_like(x, other):
    """``x`` as an array (on ``other``'s device when ``x`` is a number)."""
    if hasattr(x, "ndim") and not isinstance(x, np.generic):
        return x
    return array_like(x, other)


def _int_tensor_power(a, b):
    """Integer a ** b with torch's answers for negative exponents (NumPy raises)."""
    negative = b < 0
    if not np.any(negative):
        return np.power(a, b)
    r = np.power(a, np.where(negative, 0, b).astype(b.dtype))
    # x ** -n is 1 for x == 1, +-1 for x == -1 by parity, 0 (truncated) otherwise
    one = _typed(1, a.dtype, a)
    special = np.where(a == 1, one, _typed(0, a.dtype, a))
    if a.dtype.kind == "i":
        special = np.where(a == -1, np.where(b % 2 == 0, one, -one), special)
    return np.where(negative, special, r).astype(r.dtype)


def _pow_arrays(op, a, b, device):
    """a ** b over arrays (or one scalar) already promoted to the result dtype."""
    dtype = _dtype_of(a, b)
    if dtype == _BOOL:
        raise _not_implemented("pow", dtype)
    if dtype.kind in "iu":
        # (a number operand becomes an array on the other's device: the kernel indexes it)
        return _apply_binary(op, _int_tensor_power, _as_array_like(a, b), _as_array_like(b, a))
    if dtype in _LOW:
        # a number base is rounded to float16/bfloat16 first, as torch does
        like = _array_operand(a, b)
        a = _astype(_astype(a, dtype, like), _F32, like)
        b = _astype(_astype(b, dtype, like), _F32, like)
        return _apply_binary(op, np.power, a, b).astype(dtype)
    return _apply_binary(op, np.power, a, b)


def _pow_tensor_scalar(input, e):
    e = _require_number(e, "pow", "exponent")
    arr = input._data
    dtype = D.result_type_of(input, e).np
    if dtype.kind in "iub":
        if type(e) is builtins.int and e < 0:
            raise RuntimeError("pow: Integers to negative integer powers are not allowed.")
        _check_int_scalar_fits("pow", e, dtype)
    if dtype in _LOW:
        r = _half_power(arr, e, dtype)
    else:
        if arr.dtype != dtype:
            arr = arr.astype(dtype)
        r = _power_array(arr, e)
    if r.dtype != dtype:
        r = r.astype(dtype)
    res = _wrap(r, input._device)
    if GRAD.enabled and input._rg:
        record(PowBackward0, res, (input,), (input,)).exponent = e
    return res


def _pow_tensor_tensor(input, exponent):
    a, b, dev = prep_binary("pow", input, exponent)
    res = _wrap(_pow_arrays("pow", a, b, dev), dev)
    if GRAD.enabled and (input._rg or exponent._rg):
        record(PowBackward1, res, (input, exponent), (input, exponent, res))
    return res


def _pow_scalar_tensor(base, exponent):
    base = _require_number(base, "pow", "self")
    a, b, dev = prep_binary("pow", base, exponent)
    res = _wrap(_pow_arrays("pow", a, b, dev), dev)
    if GRAD.enabled and exponent._rg:
        record(PowBackward2, res, (exponent,), (exponent, res)).base = base
    return res


def pow(input, exponent, *, out=None):
    """input ** exponent for tensor ** number, tensor ** tensor and number ** tensor.

    Integer tensors to negative integer (number) powers raise, as in torch.

    >>> ember.pow(ember.tensor([1.0, 2.0, 3.0]), 2)
    tensor([1., 4., 9.])
    >>> ember.pow(2, ember.tensor([0, 3]))
    tensor([1, 8])
    """
    if isinstance(input, Tensor):
        if isinstance(exponent, Tensor):
            res = _pow_tensor_tensor(input, exponent)
        else:
            res = _pow_tensor_scalar(input, exponent)
    elif isinstance(exponent, Tensor):
        res = _pow_scalar_tensor(input, exponent)
    else:
        raise TypeError(f"pow(): expected a Tensor for 'input' or 'exponent', got "
                        f"{type(input).__name__} and {type(exponent).__name__}")
    return _finish(res, out, "pow")


def square(input, *, out=None):
    """input * input (bool gives int64, as pow(input, 2) in torch).

    >>> ember.square(ember.tensor([-2, 3]))
    tensor([4, 9])
    """
    U.check_tensor(input, "square")
    return pow(input, 2, out=out)


def float_power(input, exponent, *, out=None):
    """pow computed in float64 (the result is always float64).

    >>> ember.float_power(ember.tensor([2]), -1)
    tensor([0.5000], dtype=torch.float64)
    """
    if not isinstance(input, Tensor) and not isinstance(exponent, Tensor):
        raise TypeError("float_power(): expected a Tensor for 'input' or 'exponent'")
    # NOTE: complex operands make it complex128, as in torch
    is_complex = any(x.is_complex() if isinstance(x, Tensor)
                     else isinstance(x, (builtins.complex, np.complexfloating))
                     for x in (input, exponent))
    target = D.complex128 if is_complex else D.float64
    number = builtins.complex if is_complex else float
    if isinstance(input, Tensor):
        input = input.to(target)
    else:
        input = number(_require_number(input, "float_power", "self"))
    if isinstance(exponent, Tensor):
        exponent = exponent.to(target)
    else:
        exponent = number(_require_number(exponent, "float_power", "exponent"))
    if out is not None and isinstance(out, Tensor) and out.dtype is not target:
        raise RuntimeError(f"float_power(): the output given to float_power has dtype "
                           f"{out.dtype} but the operation's result requires dtype {target}")
    return pow(input, exponent, out=out)

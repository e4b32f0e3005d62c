"""Pointwise ops: arithmetic, unary math, comparisons, logical/bitwise ops.

Each op: prepare arrays (promotion as torch), compute with NumPy, wrap, and record a
node only when grad is on and an input requires it.  Backward formulas are in ember
ops, so they are differentiable again.

float16/bfloat16 inputs to composite kernels (sigmoid, erf, pow with a small integer
exponent ...) are computed in float32 and rounded once, as torch's CPU kernels do.
"""

__all__ = [
    "abs", "absolute", "acos", "acosh", "add", "addcdiv", "addcmul", "allclose", "arccos",
    "arccosh", "arcsin", "arcsinh", "arctan", "arctan2", "arctanh", "asin", "asinh", "atan",
    "atan2", "atanh", "bitwise_and", "bitwise_left_shift", "bitwise_not", "bitwise_or",
    "bitwise_right_shift", "bitwise_xor", "ceil", "clamp", "clamp_max", "clamp_min", "clip",
    "cos", "cosh", "div", "divide", "eq", "equal", "erf", "erfc", "erfinv", "exp", "exp2",
    "expm1", "fix", "float_power", "floor", "floor_divide", "fmax", "fmin", "fmod", "frac",
    "ge", "greater", "greater_equal", "gt", "hypot", "isclose", "isfinite", "isinf",
    "isnan", "isneginf", "isposinf", "isreal", "le", "lerp", "less", "less_equal", "log",
    "log10", "log1p", "log2", "logical_and", "logical_not", "logical_or", "logical_xor",
    "logit", "lt", "maximum", "minimum", "mul", "multiply", "nan_to_num", "ne", "neg",
    "negative", "not_equal", "positive", "pow", "reciprocal", "remainder", "round", "rsqrt",
    "rsub", "sgn", "sigmoid", "sign", "signbit", "sin", "sinh", "sqrt", "square", "sub",
    "subtract", "tan", "tanh", "true_divide", "trunc", "where",
]

import builtins
import math
import warnings

import ml_dtypes
import numpy as np

from .. import _dtype as D
from .._device import CPU, META
from .._tensor import Tensor, _new
from .._tensor import _wrap as _wrap_array
from ..autograd.graph import Node
from . import _erf
from . import _util as U
from ._inplace import apply_inplace, make_inplace
from ._util import GRAD, prep_binary, record

# NOTE: torch never warns on 1/0, log(0), nan comparisons...; NumPy would.  Ember
# silences NumPy's floating-point warnings once, at import, instead of per op.
np.seterr(all="ignore")

_FROM_NP = D._FROM_NP
_F32 = np.dtype(np.float32)
_LOW = (np.dtype(np.float16), D.bfloat16.np)
_BOOL = np.dtype(np.bool_)
_LN2 = math.log(2.0)
_LN10 = math.log(10.0)
_TWO_OVER_SQRT_PI = 2.0 / math.sqrt(math.pi)
_SQRT_PI_OVER_TWO = math.sqrt(math.pi) / 2.0

# torch's names for dtypes in "not implemented for 'Float'" messages
_KERNEL_NAMES = {
    "bool": "Bool", "uint8": "Byte", "int8": "Char", "int16": "Short", "int32": "Int",
    "int64": "Long", "float16": "Half", "bfloat16": "BFloat16", "float32": "Float",
    "float64": "Double",
}


def _wrap(arr, device=CPU):
    # NumPy ufuncs return scalars for 0-d inputs; a tensor always holds an ndarray.
    if type(arr) is not np.ndarray:
        arr = np.asarray(arr)
    return _wrap_array(arr, device)


def _finish(res, out, op):
    if out is not None:
        return U.write_out(out, res, op)
    return res


def _finish_exact(res, out, op):
    """out= for the ops whose out tensor must have exactly the result's dtype in torch."""
    if out is not None:
        if isinstance(out, Tensor) and out._data.dtype != res._data.dtype:
            raise RuntimeError(f"{op}(): Found dtype {out.dtype} for out= but expected "
                               f"{res.dtype}")
        return U.write_out(out, res, op)
    return res


def _not_implemented(op, np_dtype):
    name = _KERNEL_NAMES.get(str(np.dtype(np_dtype)), str(np_dtype))
    return NotImplementedError(f'"{op}" not implemented for \'{name}\'')


def _in_float32(kernel):
    """``kernel`` run in float32 for float16/bfloat16 arrays, rounded once at the end."""
    def run(arr):
        if arr.dtype in _LOW:
            return kernel(arr.astype(_F32)).astype(arr.dtype)
        return kernel(arr)
    run.__name__ = getattr(kernel, "__name__", "kernel")
    return run


def _require_tensor(x, op, arg, position):
    if not isinstance(x, Tensor):
        raise TypeError(f"{op}(): argument '{arg}' (position {position}) must be Tensor, not "
                        f"{type(x).__name__}")


def _require_number(x, op, arg):
    if not U._is_number(x):
        raise TypeError(f"{op}(): argument '{arg}' must be Number or Tensor, not "
                        f"{type(x).__name__}")
    return x.item() if isinstance(x, np.generic) else x


def _check_int_scalar_fits(op, value, np_dtype):
    # NOTE: torch refuses a Python int that does not fit an integer result dtype here
    # (clamp, pow), while add/mul/comparisons wrap it around silently.
    if np_dtype.kind in "iu" and type(value) is builtins.int:
        info = np.iinfo(np_dtype)
        # unsigned types accept negatives down to -max (they wrap), as torch's check does
        low = -info.max if np_dtype.kind == "u" else info.min
        if value < low or value > info.max:
            raise RuntimeError(f"{op}: value {value} cannot be converted to type "
                               f"{_FROM_NP[np_dtype].name} without overflow")


def _broadcast(op, *arrays):
    """The broadcast shape of ``arrays`` (scalars allowed), or torch's RuntimeError."""
    try:
        return np.broadcast_shapes(*(np.shape(a) for a in arrays))
    except ValueError:
        shapes = ", ".join(str(list(np.shape(a))) for a in arrays)
        raise RuntimeError(f"{op}: the shapes of the inputs ({shapes}) are not broadcastable: "
                           "the size of each dimension must match or be 1") from None


def _apply_binary(op, np_fn, a, b):
    try:
        return np_fn(a, b)
    except ValueError:
        raise U.broadcast_error(op, a, b) from None


# -- gradient helpers (all differentiable in ``grad``) --------------------------------

def _zeros_like_grad(grad):
    return _wrap(np.zeros(grad._data.shape, grad._data.dtype), grad._device)


def _keep_where(grad, mask):
    """``grad`` where the bool array ``mask`` holds, else 0 -- torch's masked gradients."""
    g = grad._data
    if np.isfinite(g).all():
        # a multiply is ~15x faster than np.where and equal for finite gradients
        return grad * _wrap(mask.astype(g.dtype, copy=False), grad._device)
    return where(_wrap(mask, grad._device), grad, 0)


def _zero_where(tensor, mask):
    """``tensor`` with 0 where the bool array ``mask`` holds (also over inf/nan)."""
    return where(_wrap(mask, tensor._device), 0, tensor)


# ----------------------------------------------------------------------------------
# add / sub / mul / div
# ----------------------------------------------------------------------------------

class AddBackward0(Node):
    alpha = 1

    def backward(self, grad):
        return grad, (grad if self.alpha == 1 else grad * self.alpha)


class SubBackward0(Node):
    alpha = 1

    def backward(self, grad):
        return grad, (-grad if self.alpha == 1 else grad * (-self.alpha))


class RsubBackward1(Node):
    alpha = 1

    def backward(self, grad):
        return (-grad if self.alpha == 1 else grad * (-self.alpha)), grad


class MulBackward0(Node):
    def backward(self, grad):
        a, b = self.saved_tensors
        ga = gb = None
        nf = self.next_functions
        if nf[0][0] is not None:
            ga = grad * (b if b is not None else self.other)
        if nf[1][0] is not None:
            gb = grad * a
        return ga, gb


class DivBackward0(Node):
    def backward(self, grad):
        a, b = self.saved_tensors
        nf = self.next_functions
        if b is None:
            return grad / self.other, None
        ga = grad / b if nf[0][0] is not None else None
        gb = None
        if nf[1][0] is not None:
            gb = -grad * a / (b * b) if a is not None else -grad * self.numerator / (b * b)
        return ga, gb


def _check_alpha(op, alpha, dtype_cat):
    if alpha != 1 and isinstance(alpha, float) and dtype_cat < D.FLOAT:
        raise RuntimeError(f"{op}: For integral input tensors, argument alpha must not be a "
                           "floating point number.")


def add(input, other, *, alpha=1, out=None):
    """input + alpha * other, broadcasting and promoting as torch."""
    a, b, dev = prep_binary("add", input, other)
    if alpha != 1:
        _check_alpha("add", alpha, _FROM_NP[a.dtype].category if hasattr(a, "dtype") else 2)
        b = np.multiply(b, alpha, dtype=a.dtype if hasattr(a, "dtype") else None)
    try:
        res = _wrap(np.add(a, b), dev)
    except ValueError:
        raise U.broadcast_error("add", a, b) from None
    if GRAD.enabled and (getattr(input, "_rg", False) or getattr(other, "_rg", False)):
        node = record(AddBackward0, res, (input, other))
        node.alpha = alpha
    if out is not None:
        return U.write_out(out, res, "add")
    return res


def _bool_sub_error(op, a, b):
    return RuntimeError(
        f"{op}: Subtraction, the `-` operator, with a bool tensor is not supported. If you "
        "are trying to invert a mask, use the `~` or `logical_not()` operator instead.")


def _is_bool_operand(x):
    # NOTE: torch refuses subtraction with any bool operand, a Python True included.
    if isinstance(x, Tensor):
        return x._data.dtype == _BOOL
    return type(x) is builtins.bool or type(x) is np.bool_


def sub(input, other, *, alpha=1, out=None):
    """input - alpha * other."""
    a, b, dev = prep_binary("sub", input, other)
    if _is_bool_operand(input) or _is_bool_operand(other):
        raise _bool_sub_error("sub", a, b)
    if alpha != 1:
        b = np.multiply(b, alpha, dtype=a.dtype if hasattr(a, "dtype") else None)
    try:
        res = _wrap(np.subtract(a, b), dev)
    except ValueError:
        raise U.broadcast_error("sub", a, b) from None
    if GRAD.enabled and (getattr(input, "_rg", False) or getattr(other, "_rg", False)):
        node = record(SubBackward0, res, (input, other))
        node.alpha = alpha
    if out is not None:
        return U.write_out(out, res, "sub")
    return res


subtract = sub


def rsub(input, other, *, alpha=1):
    """other - alpha * input."""
    a, b, dev = prep_binary("rsub", input, other)
    if _is_bool_operand(input) or _is_bool_operand(other):
        raise _bool_sub_error("rsub", a, b)
    if alpha != 1:
        a = np.multiply(a, alpha, dtype=a.dtype)
    res = _wrap(_apply_binary("rsub", np.subtract, b, a), dev)
    if GRAD.enabled and (getattr(input, "_rg", False) or getattr(other, "_rg", False)):
        node = record(RsubBackward1, res, (input, other))
        node.alpha = alpha
    return res


def mul(input, other, *, out=None):
    """input * other."""
    a, b, dev = prep_binary("mul", input, other)
    try:
        res = _wrap(np.multiply(a, b), dev)
    except ValueError:
        raise U.broadcast_error("mul", a, b) from None
    if GRAD.enabled and (getattr(input, "_rg", False) or getattr(other, "_rg", False)):
        if isinstance(other, Tensor):
            node = record(MulBackward0, res, (input, other), (input, other))
        else:
            # NOTE: only the scalar is needed, so nothing is saved (as torch): a later
            # in-place change of input must not invalidate this node.
            node = record(MulBackward0, res, (input, None), (None, None))
            node.other = other
    if out is not None:
        return U.write_out(out, res, "mul")
    return res


multiply = mul


def div(input, other, *, rounding_mode=None, out=None):
    """input / other; rounding_mode None (true division), 'trunc' or 'floor'."""
    if rounding_mode is None:
        a, b, dev = prep_binary("div", input, other, float_result=True)
        try:
            res = _wrap(np.true_divide(a, b), dev)
        except ValueError:
            raise U.broadcast_error("div", a, b) from None
        if GRAD.enabled and (getattr(input, "_rg", False) or getattr(other, "_rg", False)):
            if isinstance(other, Tensor):
                in_tensor = input if isinstance(input, Tensor) else None
                node = record(DivBackward0, res, (in_tensor, other), (in_tensor, other))
                if in_tensor is None:
                    node.numerator = input
            else:
                node = record(DivBackward0, res, (input, None), (None, None))
                node.other = other
    elif rounding_mode in ("trunc", "floor"):
        a, b, dev = prep_binary("div", input, other)
        is_int = _FROM_NP[np.result_type(a, b)].category < D.FLOAT
        if is_int:
            if np.any(np.asarray(b) == 0) and dev.type != "meta":
                raise RuntimeError("ZeroDivisionError")
            if rounding_mode == "floor":
                arr = _apply_binary("div", np.floor_divide, a, b)
            else:
                q = _apply_binary("div", np.floor_divide, a, b)
                r = np.remainder(a, b)
                # floor -> trunc: add one where the true quotient is negative and inexact
                fix = (r != 0) & ((np.asarray(a) < 0) != (np.asarray(b) < 0))
                arr = (q + fix).astype(q.dtype)
        else:
            q = _apply_binary("div", np.true_divide, a, b)
            arr = np.trunc(q) if rounding_mode == "trunc" else _floor_div_float(a, b, q)
        res = _wrap(np.asarray(arr), dev)
        if GRAD.enabled and (getattr(input, "_rg", False) or getattr(other, "_rg", False)):
            record(_ZeroGradBackward, res, (input, other if isinstance(other, Tensor) else None))
    else:
        raise RuntimeError(f"div expected rounding_mode to be one of None, 'trunc', or 'floor' "
                           f"but found '{rounding_mode}'")
    if out is not None:
        return U.write_out(out, res, "div")
    return res


def _floor_div_float(a, b, q):
    # NOTE: torch's floor division of floats is floor(a / b) with a fix-up for
    # Python's semantics; NumPy's floor_divide matches it (incl. signed zeros/inf).
    return np.floor_divide(a, b)


divide = div


def true_divide(input, other, *, out=None):
    return div(input, other, out=out)


class _ZeroGradBackward(Node):
    """Ops whose gradient is zero almost everywhere (floor division, rounding...)."""

    def backward(self, grad):
        z = grad * 0
        return z, z


# ----------------------------------------------------------------------------------
# unary ops
# ----------------------------------------------------------------------------------

class NegBackward0(Node):
    def backward(self, grad):
        return (-grad,)


def neg(input, *, out=None):
    """-input.

    >>> ember.neg(ember.tensor([1, -2]))
    tensor([-1,  2])
    """
    U.check_tensor(input, "neg")
    arr = input._data
    if arr.dtype == np.bool_:
        raise RuntimeError("neg: Negation, the `-` operator, on a bool tensor is not supported. "
                           "If you are trying to invert a mask, use the `~` or `logical_not()` "
                           "operator instead.")
    res = _wrap(np.negative(arr), input._device)
    if GRAD.enabled and input._rg:
        record(NegBackward0, res, (input,))
    if out is not None:
        return _finish_exact(res, out, "neg")
    return res


negative = neg


def positive(input):
    """+input: the input itself (bool tensors are refused, as in torch)."""
    U.check_tensor(input, "positive")
    if input._data.dtype == np.bool_:
        raise RuntimeError("positive: The `+` operator, on a bool tensor is not supported.")
    return input


# -- float unary ops: integer and bool inputs give the default float dtype --------

def _float_unary(name, kernel, node_cls, saves, doc):
    """An op ``name(input, *, out=None)`` computing ``kernel`` on a float array."""
    save_result = saves == "result"

    def op(input, *, out=None):
        U.check_tensor(input, name)
        res = _wrap(kernel(U.as_float_array(input)), input._device)
        if GRAD.enabled and input._rg:
            record(node_cls, res, (input,), (res,) if save_result else (input,))
        if out is not None:
            return U.write_out(out, res, name)
        return res
    op.__name__ = op.__qualname__ = name
    op.__doc__ = doc + "\n\n    Integer and bool inputs give the default float dtype."
    return op


class ExpBackward0(Node):
    def backward(self, grad):
        (result,) = self.saved_tensors
        return (grad * result,)


class Exp2Backward0(Node):
    def backward(self, grad):
        (result,) = self.saved_tensors
        return (grad * (result * _LN2),)


class Expm1Backward0(Node):
    def backward(self, grad):
        (result,) = self.saved_tensors
        return (grad * (result + 1),)


class LogBackward0(Node):
    def backward(self, grad):
        (x,) = self.saved_tensors
        return (grad / x,)


class Log2Backward0(Node):
    def backward(self, grad):
        (x,) = self.saved_tensors
        return (grad / (x * _LN2),)


class Log10Backward0(Node):
    def backward(self, grad):
        (x,) = self.saved_tensors
        return (grad / (x * _LN10),)


class Log1PBackward0(Node):
    def backward(self, grad):
        (x,) = self.saved_tensors
        return (grad / (x + 1),)


class SqrtBackward0(Node):
    def backward(self, grad):
        (result,) = self.saved_tensors
        return (grad / (result * 2),)


class RsqrtBackward0(Node):
    def backward(self, grad):
        (result,) = self.saved_tensors
        return (grad * (result * result * result * -0.5),)


class SinBackward0(Node):
    def backward(self, grad):
        (x,) = self.saved_tensors
        return (grad * cos(x),)


class CosBackward0(Node):
    def backward(self, grad):
        (x,) = self.saved_tensors
        return (grad * -sin(x),)


class TanBackward0(Node):
    def backward(self, grad):
        (result,) = self.saved_tensors
        return (grad * (result * result + 1),)


class AsinBackward0(Node):
    def backward(self, grad):
        (x,) = self.saved_tensors
        return (grad * rsqrt(1 - x * x),)


class AcosBackward0(Node):
    def backward(self, grad):
        (x,) = self.saved_tensors
        return (grad * -rsqrt(1 - x * x),)


class AtanBackward0(Node):
    def backward(self, grad):
        (x,) = self.saved_tensors
        return (grad / (x * x + 1),)


class SinhBackward0(Node):
    def backward(self, grad):
        (x,) = self.saved_tensors
        return (grad * cosh(x),)


class CoshBackward0(Node):
    def backward(self, grad):
        (x,) = self.saved_tensors
        return (grad * sinh(x),)


class TanhBackward0(Node):
    def backward(self, grad):
        (result,) = self.saved_tensors
        return (grad * (1 - result * result),)


class AsinhBackward0(Node):
    def backward(self, grad):
        (x,) = self.saved_tensors
        return (grad * rsqrt(x * x + 1),)


class AcoshBackward0(Node):
    def backward(self, grad):
        (x,) = self.saved_tensors
        return (grad * rsqrt(x * x - 1),)


class AtanhBackward0(Node):
    def backward(self, grad):
        (x,) = self.saved_tensors
        return (grad / (1 - x * x),)


class SigmoidBackward0(Node):
    def backward(self, grad):
        (result,) = self.saved_tensors
        return (grad * (result * (1 - result)),)


class ErfBackward0(Node):
    def backward(self, grad):
        (x,) = self.saved_tensors
        return (grad * (exp(-(x * x)) * _TWO_OVER_SQRT_PI),)


class ErfcBackward0(Node):
    def backward(self, grad):
        (x,) = self.saved_tensors
        return (grad * (exp(-(x * x)) * -_TWO_OVER_SQRT_PI),)


class ErfinvBackward0(Node):
    def backward(self, grad):
        (result,) = self.saved_tensors
        return (grad * (exp(result * result) * _SQRT_PI_OVER_TWO),)


class ReciprocalBackward0(Node):
    def backward(self, grad):
        (result,) = self.saved_tensors
        return (grad * -(result * result),)


def _rsqrt_kernel(arr):
    r = np.sqrt(arr)
    return np.divide(1, r, out=r) if type(r) is np.ndarray else 1 / r


def _sigmoid_kernel(arr):
    # 1 / (1 + exp(-x)): exp overflows to inf for very negative x, giving exactly 0.
    r = np.negative(arr)
    if type(r) is not np.ndarray:
        return 1 / (1 + np.exp(r))
    np.exp(r, out=r)
    # a typed 0-d one: NumPy's Python-scalar handling costs more than the add itself
    np.add(r, np.ones((), r.dtype), out=r)
    return np.reciprocal(r, out=r)


def _log10_kernel(arr):
    # NumPy's float32 log10 is 1 ulp off at exact powers of ten (log10(100) != 2);
    # torch's is exact there.  float64 then one rounding is.
    if arr.dtype == _F32:
        return np.log10(arr.astype(np.float64)).astype(_F32)
    return np.log10(arr)


def _reciprocal_kernel(arr):
    return np.divide(1, arr, dtype=arr.dtype)


_F = _float_unary
exp = _F("exp", np.exp, ExpBackward0, "result", "e ** input, elementwise.\n\n"
         "    >>> ember.exp(ember.tensor([0.0, 1.0]))\n    tensor([1.0000, 2.7183])")
exp2 = _F("exp2", np.exp2, Exp2Backward0, "result", "2 ** input, elementwise.\n\n"
          "    >>> ember.exp2(ember.tensor([3]))\n    tensor([8.])")
expm1 = _F("expm1", np.expm1, Expm1Backward0, "result",
           "exp(input) - 1, accurate for small input.\n\n"
           "    >>> ember.expm1(ember.tensor([1e-10]))\n    tensor([1.0000e-10])")
log = _F("log", np.log, LogBackward0, "input", "Natural logarithm.\n\n"
         "    >>> ember.log(ember.tensor([1.0]))\n    tensor([0.])")
log2 = _F("log2", np.log2, Log2Backward0, "input", "Base-2 logarithm.\n\n"
          "    >>> ember.log2(ember.tensor([8.0]))\n    tensor([3.])")
log10 = _F("log10", _log10_kernel, Log10Backward0, "input", "Base-10 logarithm.\n\n"
           "    >>> ember.log10(ember.tensor([100.0]))\n    tensor([2.])")
log1p = _F("log1p", np.log1p, Log1PBackward0, "input",
           "log(1 + input), accurate for small input.\n\n"
           "    >>> ember.log1p(ember.tensor([0.0]))\n    tensor([0.])")
sqrt = _F("sqrt", np.sqrt, SqrtBackward0, "result", "Square root.\n\n"
          "    >>> ember.sqrt(ember.tensor([4.0]))\n    tensor([2.])")
rsqrt = _F("rsqrt", _in_float32(_rsqrt_kernel), RsqrtBackward0, "result",
           "1 / sqrt(input).\n\n    >>> ember.rsqrt(ember.tensor([4.0]))\n    tensor([0.5000])")
sin = _F("sin", np.sin, SinBackward0, "input", "Sine.\n\n"
         "    >>> ember.sin(ember.tensor([0.0]))\n    tensor([0.])")
cos = _F("cos", np.cos, CosBackward0, "input", "Cosine.\n\n"
         "    >>> ember.cos(ember.tensor([0.0]))\n    tensor([1.])")
tan = _F("tan", np.tan, TanBackward0, "result", "Tangent.\n\n"
         "    >>> ember.tan(ember.tensor([0.0]))\n    tensor([0.])")
asin = _F("asin", np.arcsin, AsinBackward0, "input", "Inverse sine (NaN outside [-1, 1]).\n\n"
          "    >>> ember.asin(ember.tensor([1.0]))\n    tensor([1.5708])")
acos = _F("acos", np.arccos, AcosBackward0, "input", "Inverse cosine.\n\n"
          "    >>> ember.acos(ember.tensor([1.0]))\n    tensor([0.])")
atan = _F("atan", np.arctan, AtanBackward0, "input", "Inverse tangent.\n\n"
          "    >>> ember.atan(ember.tensor([1.0]))\n    tensor([0.7854])")
sinh = _F("sinh", np.sinh, SinhBackward0, "input", "Hyperbolic sine.\n\n"
          "    >>> ember.sinh(ember.tensor([0.0]))\n    tensor([0.])")
cosh = _F("cosh", np.cosh, CoshBackward0, "input", "Hyperbolic cosine.\n\n"
          "    >>> ember.cosh(ember.tensor([0.0]))\n    tensor([1.])")
tanh = _F("tanh", np.tanh, TanhBackward0, "result", "Hyperbolic tangent.\n\n"
          "    >>> ember.tanh(ember.tensor([0.0]))\n    tensor([0.])")
asinh = _F("asinh", np.arcsinh, AsinhBackward0, "input", "Inverse hyperbolic sine.\n\n"
           "    >>> ember.asinh(ember.tensor([0.0]))\n    tensor([0.])")
acosh = _F("acosh", np.arccosh, AcoshBackward0, "input",
           "Inverse hyperbolic cosine (NaN below 1).\n\n"
           "    >>> ember.acosh(ember.tensor([1.0]))\n    tensor([0.])")
atanh = _F("atanh", np.arctanh, AtanhBackward0, "input",
           "Inverse hyperbolic tangent (+-inf at +-1).\n\n"
           "    >>> ember.atanh(ember.tensor([0.0]))\n    tensor([0.])")
sigmoid = _F("sigmoid", _in_float32(_sigmoid_kernel), SigmoidBackward0, "result",
             "1 / (1 + exp(-input)).\n\n"
             "    >>> ember.sigmoid(ember.tensor([0.0]))\n    tensor([0.5000])")
erf = _F("erf", _in_float32(_erf.erf), ErfBackward0, "input", "The error function.\n\n"
         "    >>> ember.erf(ember.tensor([0.0, 1.0]))\n    tensor([0.0000, 0.8427])")
erfc = _F("erfc", _in_float32(_erf.erfc), ErfcBackward0, "input",
          "1 - erf(input), accurate where erf(input) is close to 1.\n\n"
          "    >>> ember.erfc(ember.tensor([0.0]))\n    tensor([1.])")
erfinv = _F("erfinv", _in_float32(_erf.erfinv), ErfinvBackward0, "result",
            "Inverse of erf on [-1, 1] (+-inf at +-1, NaN outside).\n\n"
            "    >>> ember.erfinv(ember.tensor([0.0]))\n    tensor([0.])")
reciprocal = _F("reciprocal", _reciprocal_kernel, ReciprocalBackward0, "result",
                "1 / input.\n\n    >>> ember.reciprocal(ember.tensor([2]))\n    tensor([0.5000])")
del _F

arcsin, arccos, arctan = asin, acos, atan
arcsinh, arccosh, arctanh = asinh, acosh, atanh


class LogitBackward0(Node):
    def backward(self, grad):
        (x,) = self.saved_tensors
        eps = self.eps
        g = grad / (x * (1 - x))
        xa = x._data
        if eps is None:
            # NOTE: torch gives NaN outside [0, 1] (not the formula's finite value).
            outside = (xa < 0) | (xa > 1)
            return (where(_wrap(outside, x._device), math.nan, g),)
        return (_zero_where(g, (xa < eps) | (xa > 1 - eps)),)


def logit(input, eps=None, *, out=None):
    """log(p / (1 - p)), with p = input clamped to [eps, 1 - eps] when eps is given.

    >>> ember.logit(ember.tensor([0.5, 0.0]), eps=0.1)
    tensor([ 0.0000, -2.1972])
    """
    U.check_tensor(input, "logit")
    arr = U.as_float_array(input)
    bounds = None
    if eps is not None:
        # NOTE: torch rounds the bounds eps and 1 - eps to the input's dtype.
        bounds = (U.scalar_to_array(eps, arr.dtype), U.scalar_to_array(1 - eps, arr.dtype))
    res = _wrap(_in_float32(lambda a: _logit_kernel(a, bounds))(arr), input._device)
    if GRAD.enabled and input._rg:
        record(LogitBackward0, res, (input,), (input,)).eps = eps
    return _finish(res, out, "logit")


def _logit_kernel(arr, bounds):
    if bounds is not None:
        lo, hi = (b.astype(arr.dtype) for b in bounds)
        arr = np.minimum(np.maximum(arr, lo), hi)
    return np.log(arr / (1 - arr))


# -- sign, abs and rounding: integer inputs keep their dtype ----------------------

class AbsBackward0(Node):
    def backward(self, grad):
        (x,) = self.saved_tensors
        return (grad * sign(x),)


class SignBackward0(Node):
    def backward(self, grad):
        return (_zeros_like_grad(grad),)


class SgnBackward0(SignBackward0):
    pass


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


def abs(input, *, out=None):
    """|input|; integer dtypes are kept (and wrap at their minimum, as in torch).

    >>> ember.abs(ember.tensor([-1.5, 2.0]))
    tensor([1.5000, 2.0000])
    """
    U.check_tensor(input, "abs")
    arr = input._data
    if arr.dtype == _BOOL:
        raise _not_implemented("abs_cpu", arr.dtype)
    res = _wrap(np.abs(arr), input._device)
    if GRAD.enabled and input._rg:
        record(AbsBackward0, res, (input,), (input,))
    return _finish_exact(res, out, "abs")


absolute = abs


def _sign_array(arr):
    if arr.dtype == _BOOL:
        return arr.copy()
    r = np.sign(arr)
    if arr.dtype.kind == "f" or arr.dtype in _LOW:
        # NOTE: torch's sign(nan) is 0, NumPy's is nan.
        nan = np.isnan(r)
        if nan.any():
            r = np.where(nan, np.zeros((), r.dtype), r)
    return r


def sign(input, *, out=None):
    """-1, 0 or 1 by the sign of each element (0 for NaN; bool stays bool).

    >>> ember.sign(ember.tensor([-2.0, 0.0, 3.0]))
    tensor([-1.,  0.,  1.])
    """
    U.check_tensor(input, "sign")
    res = _wrap(_sign_array(input._data), input._device)
    if GRAD.enabled and input._rg:
        record(SignBackward0, res, (input,))
    return _finish_exact(res, out, "sign")


def sgn(input, *, out=None):
    """sign for real tensors (x / |x| for complex ones in torch).

    >>> ember.sgn(ember.tensor([-2.0, 0.0]))
    tensor([-1.,  0.])
    """
    U.check_tensor(input, "sgn")
    res = _wrap(_sign_array(input._data), input._device)
    if GRAD.enabled and input._rg:
        record(SgnBackward0, res, (input,))
    return _finish_exact(res, out, "sgn")


def signbit(input, *, out=None):
    """True where the sign bit is set (including -0.0 and negative NaN).

    >>> ember.signbit(ember.tensor([-0.0, 1.0]))
    tensor([ True, False])
    """
    U.check_tensor(input, "signbit")
    arr = input._data
    if arr.dtype == _BOOL:
        r = np.zeros(arr.shape, _BOOL)
    elif arr.dtype.kind in "iu":
        r = arr < 0
    else:
        r = np.signbit(arr)
    return _finish_exact(_wrap(r, input._device), out, "signbit")


def _rounding(name, np_fn, node_cls, doc):
    def op(input, *, out=None):
        U.check_tensor(input, name)
        arr = input._data
        if arr.dtype == _BOOL:
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
    scale = np.asarray(10.0 ** builtins.abs(decimals), dtype=arr.dtype)
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
    if arr.dtype == _BOOL or (decimals != 0 and arr.dtype.kind in "iu"):
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
    if arr.dtype.kind in "biu":
        raise _not_implemented("frac_cpu", arr.dtype)
    res = _wrap(arr - np.trunc(arr), input._device)
    if GRAD.enabled and input._rg:
        record(FracBackward0, res, (input,))
    return _finish_exact(res, out, "frac")


# -- NaN / inf tests and replacement -----------------------------------------------

def _is_float_array(arr):
    return arr.dtype.kind == "f" or arr.dtype in _LOW


def _bool_unary(name, float_fn, other_value, doc):
    """A bool-valued test; ``other_value`` is its answer for integer/bool tensors."""
    def op(input):
        U.check_tensor(input, name)
        arr = input._data
        if _is_float_array(arr):
            r = float_fn(arr)
        else:
            r = np.full(arr.shape, other_value, dtype=_BOOL)
        return _wrap(r, input._device)
    op.__name__ = op.__qualname__ = name
    op.__doc__ = doc
    return op


isnan = _bool_unary("isnan", np.isnan, False, """True where input is NaN.

    >>> ember.isnan(ember.tensor([1.0, float('nan')]))
    tensor([False,  True])
    """)
isinf = _bool_unary("isinf", np.isinf, False, """True where input is +inf or -inf.

    >>> ember.isinf(ember.tensor([1.0, float('-inf')]))
    tensor([False,  True])
    """)
isfinite = _bool_unary("isfinite", np.isfinite, True, """True where input is neither inf nor NaN.

    >>> ember.isfinite(ember.tensor([1.0, float('inf')]))
    tensor([ True, False])
    """)
isreal = _bool_unary("isreal", lambda a: np.ones(a.shape, _BOOL), True,
                     """True everywhere for real dtypes (ember has no complex ops yet).

    >>> ember.isreal(ember.tensor([1.0]))
    tensor([True])
    """)


def isposinf(input, *, out=None):
    """True where input is +inf.

    >>> ember.isposinf(ember.tensor([1.0, float('inf')]))
    tensor([False,  True])
    """
    U.check_tensor(input, "isposinf")
    arr = input._data
    r = np.isposinf(arr) if _is_float_array(arr) else np.zeros(arr.shape, _BOOL)
    return _finish_exact(_wrap(r, input._device), out, "isposinf")


def isneginf(input, *, out=None):
    """True where input is -inf.

    >>> ember.isneginf(ember.tensor([1.0, float('-inf')]))
    tensor([False,  True])
    """
    U.check_tensor(input, "isneginf")
    arr = input._data
    r = np.isneginf(arr) if _is_float_array(arr) else np.zeros(arr.shape, _BOOL)
    return _finish_exact(_wrap(r, input._device), out, "isneginf")


class NanToNumBackward0(Node):
    def backward(self, grad):
        (x,) = self.saved_tensors
        return (_keep_where(grad, np.isfinite(x._data)),)


def _finfo(np_dtype):
    return ml_dtypes.finfo(np_dtype) if np_dtype == D.bfloat16.np else np.finfo(np_dtype)


def nan_to_num(input, nan=0.0, posinf=None, neginf=None, *, out=None):
    """Replace NaN by ``nan``, +inf by ``posinf`` and -inf by ``neginf`` (default: the
    largest and lowest finite values of the dtype).  Integer tensors are copied.

    >>> ember.nan_to_num(ember.tensor([float('nan'), float('inf')]), posinf=9.0)
    tensor([0., 9.])
    """
    U.check_tensor(input, "nan_to_num")
    arr = input._data
    if not _is_float_array(arr):
        r = arr.copy()
    else:
        info = _finfo(arr.dtype)
        r = arr.copy()
        for mask, value in ((np.isnan(arr), nan),
                            (np.isposinf(arr), info.max if posinf is None else posinf),
                            (np.isneginf(arr), info.min if neginf is None else neginf)):
            if mask.any():
                r[mask] = U.scalar_to_array(value, arr.dtype)
    res = _wrap(r, input._device)
    if GRAD.enabled and input._rg:
        record(NanToNumBackward0, res, (input,), (input,))
    return _finish_exact(res, out, "nan_to_num")


# ----------------------------------------------------------------------------------
# pow and float_power
# ----------------------------------------------------------------------------------

class PowBackward0(Node):
    """input ** exponent with a number exponent."""

    def backward(self, grad):
        (x,) = self.saved_tensors
        e = self.exponent
        if e == 0:
            return (_zeros_like_grad(grad),)
        return (grad * (pow(x, e - 1) * e),)


class PowBackward1(Node):
    """input ** exponent with both tensors."""

    def backward(self, grad):
        x, e, result = self.saved_tensors
        nf = self.next_functions
        gx = ge = None
        if nf[0][0] is not None:
            # NOTE: zero where the exponent is 0, even at x = 0 (torch's choice).
            gx = _zero_where(grad * (e * pow(x, e - 1)), e._data == 0)
        if nf[1][0] is not None:
            # NOTE: zero where x == 0 and exponent >= 0 (the limit), not 0 * log(0).
            ge = _zero_where(grad * (result * log(x)), (x._data == 0) & (e._data >= 0))
        return gx, ge


class PowBackward2(Node):
    """number ** exponent."""

    def backward(self, grad):
        e, result = self.saved_tensors
        base = self.base
        g = grad * (result * float(np.log(np.float64(base))))
        if base == 0:
            g = _zero_where(g, e._data >= 0)
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
        return np.ones(arr.shape, arr.dtype)
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


def _int_tensor_power(a, b):
    """Integer a ** b with torch's answers for negative exponents (NumPy raises)."""
    negative = b < 0
    if not np.any(negative):
        return np.power(a, b)
    r = np.power(a, np.where(negative, 0, b).astype(b.dtype))
    # x ** -n is 1 for x == 1, +-1 for x == -1 by parity, 0 (truncated) otherwise
    one = np.ones((), a.dtype)
    special = np.where(a == 1, one, np.zeros((), a.dtype))
    if a.dtype.kind == "i":
        special = np.where(a == -1, np.where(b % 2 == 0, one, -one), special)
    return np.where(negative, special, r).astype(r.dtype)


def _pow_arrays(op, a, b, device):
    """a ** b over arrays (or one scalar) already promoted to the result dtype."""
    dtype = a.dtype if isinstance(a, np.ndarray) else np.asarray(b).dtype
    if dtype == _BOOL:
        raise _not_implemented("pow", dtype)
    if dtype.kind in "iu":
        return _apply_binary(op, _int_tensor_power, np.asarray(a), np.asarray(b))
    if dtype in _LOW:
        a = np.asarray(a, dtype=_F32)
        b = np.asarray(b, dtype=_F32)
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
    work = _F32 if dtype in _LOW else dtype
    if arr.dtype != work:
        arr = arr.astype(work)
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
    if isinstance(input, Tensor):
        input = input.to(D.float64)
    else:
        input = float(_require_number(input, "float_power", "self"))
    if isinstance(exponent, Tensor):
        exponent = exponent.to(D.float64)
    else:
        exponent = float(_require_number(exponent, "float_power", "exponent"))
    if out is not None and isinstance(out, Tensor) and out.dtype is not D.float64:
        raise RuntimeError(f"float_power(): the output given to float_power has dtype "
                           f"{out.dtype} but the operation's result requires dtype torch.float64")
    return pow(input, exponent, out=out)


# ----------------------------------------------------------------------------------
# binary float math: atan2, hypot
# ----------------------------------------------------------------------------------

class Atan2Backward0(Node):
    def backward(self, grad):
        a, b = self.saved_tensors
        scale = _zero_where(reciprocal(a * a + b * b), (a._data == 0) & (b._data == 0))
        nf = self.next_functions
        ga = grad * (b * scale) if nf[0][0] is not None else None
        gb = grad * (-a * scale) if nf[1][0] is not None else None
        return ga, gb


class HypotBackward0(Node):
    def backward(self, grad):
        a, b, result = self.saved_tensors
        nf = self.next_functions
        ga = grad * (a / result) if nf[0][0] is not None else None
        gb = grad * (b / result) if nf[1][0] is not None else None
        return ga, gb


def atan2(input, other, *, out=None):
    """The angle of the point (other, input): atan(input / other) in the right quadrant.

    >>> ember.atan2(ember.tensor([1.0]), ember.tensor([-1.0]))
    tensor([2.3562])
    """
    _require_tensor(input, "atan2", "input", 1)
    _require_tensor(other, "atan2", "other", 2)
    a, b, dev = prep_binary("atan2", input, other, float_result=True)
    res = _wrap(_apply_binary("atan2", np.arctan2, a, b), dev)
    if GRAD.enabled and (input._rg or other._rg):
        record(Atan2Backward0, res, (input, other), (input, other))
    return _finish(res, out, "atan2")


arctan2 = atan2


def hypot(input, other, *, out=None):
    """sqrt(input**2 + other**2) without overflow (floating dtypes).

    >>> ember.hypot(ember.tensor([3.0]), ember.tensor([4.0]))
    tensor([5.])
    """
    _require_tensor(input, "hypot", "input", 1)
    _require_tensor(other, "hypot", "other", 2)
    a, b, dev = prep_binary("hypot", input, other)
    if not _is_float_array(a):
        raise _not_implemented("hypot_cpu", a.dtype)
    res = _wrap(_apply_binary("hypot", np.hypot, a, b), dev)
    if GRAD.enabled and (input._rg or other._rg):
        record(HypotBackward0, res, (input, other), (input, other, res))
    return _finish(res, out, "hypot")


# ----------------------------------------------------------------------------------
# fmod, remainder, floor_divide
# ----------------------------------------------------------------------------------

class FmodBackward0(Node):
    def backward(self, grad):
        return (grad,)


class FmodBackward1(Node):
    def backward(self, grad):
        a, b = self.saved_tensors
        gb = None
        if self.next_functions[1][0] is not None:
            gb = -grad * div(a, b, rounding_mode="trunc")
        return grad, gb


class RemainderBackward0(FmodBackward0):
    pass


class RemainderBackward1(Node):
    def backward(self, grad):
        a, b = self.saved_tensors
        gb = None
        if self.next_functions[1][0] is not None:
            gb = -grad * div(a, b, rounding_mode="floor")
        return grad, gb


class _NotImplementedBackward(Node):
    """torch records a node whose backward fails for these (floor_divide ...)."""

    op = "op"

    def name(self):
        return "torch::autograd::NotImplemented"

    def backward(self, grad):
        raise RuntimeError(f"the derivative for '{self.op}' is not implemented.")


def _integer_division_arrays(op, input, other, kernel):
    """Promoted arrays for fmod/remainder/floor_divide and the result, with torch's
    refusal of bool and of integer division by zero."""
    a, b, dev = prep_binary(op, input, other)
    dtype = a.dtype if isinstance(a, np.ndarray) else b.dtype
    if dtype == _BOOL:
        raise _not_implemented(op + "_cpu", dtype)
    if dtype.kind in "iu" and dev is not META and not np.all(b):
        raise RuntimeError(f"{op}: ZeroDivisionError (integer division by zero)")
    if dtype in _LOW:
        r = _apply_binary(op, kernel, np.asarray(a, _F32), np.asarray(b, _F32)).astype(dtype)
    else:
        r = _apply_binary(op, kernel, a, b)
    return _wrap(r, dev), dev


def fmod(input, other, *, out=None):
    """C-style remainder: the result has the sign of the dividend (input).

    >>> ember.fmod(ember.tensor([-3.0, 3.0]), 2)
    tensor([-1.,  1.])
    """
    _require_tensor(input, "fmod", "input", 1)
    res, _ = _integer_division_arrays("fmod", input, other, np.fmod)
    if GRAD.enabled and (input._rg or getattr(other, "_rg", False)):
        if isinstance(other, Tensor):
            record(FmodBackward1, res, (input, other), (input, other))
        else:
            record(FmodBackward0, res, (input,))
    return _finish(res, out, "fmod")


def remainder(input, other, *, out=None):
    """Python-style modulus: the result has the sign of the divisor (other).

    >>> ember.remainder(ember.tensor([-3.0, 3.0]), 2)
    tensor([1., 1.])
    """
    if not isinstance(input, Tensor):
        _require_number(input, "remainder", "self")
        _require_tensor(other, "remainder", "other", 2)
    res, _ = _integer_division_arrays("remainder", input, other, np.remainder)
    if GRAD.enabled and (getattr(input, "_rg", False) or getattr(other, "_rg", False)):
        if not isinstance(input, Tensor):
            record(_NotImplementedBackward, res, (other,)).op = "remainder"
        elif isinstance(other, Tensor):
            record(RemainderBackward1, res, (input, other), (input, other))
        else:
            record(RemainderBackward0, res, (input,))
    return _finish(res, out, "remainder")


def floor_divide(input, other, *, out=None):
    """input / other rounded toward negative infinity (Python's //).

    >>> ember.floor_divide(ember.tensor([7, -7]), 2)
    tensor([ 3, -4])
    """
    _require_tensor(input, "floor_divide", "input", 1)
    return _floor_divide(input, other, out)


def _floor_divide(input, other, out=None):
    res, _ = _integer_division_arrays("floor_divide", input, other, np.floor_divide)
    if GRAD.enabled and (getattr(input, "_rg", False) or getattr(other, "_rg", False)):
        inputs = tuple(t for t in (input, other) if isinstance(t, Tensor))
        record(_NotImplementedBackward, res, inputs).op = "floor_divide"
    return _finish(res, out, "floor_divide")


# ----------------------------------------------------------------------------------
# maximum / minimum / fmax / fmin
# ----------------------------------------------------------------------------------

class MaximumBackward0(Node):
    """The larger input gets the gradient; ties split it evenly, as in torch."""

    def backward(self, grad):
        a, b = self.saved_tensors
        return _extreme_grads(self, grad, a._data, b._data, np.less, np.greater)


class MinimumBackward0(Node):
    def backward(self, grad):
        a, b = self.saved_tensors
        return _extreme_grads(self, grad, a._data, b._data, np.greater, np.less)


def _extreme_grads(node, grad, a, b, loses, wins):
    nf = node.next_functions
    tie = a == b
    half = np.where(tie, 0.5, 1.0).astype(grad._data.dtype) if tie.any() else None
    grads = []
    for k, (x, y) in enumerate(((a, b), (b, a))):
        if nf[k][0] is None:
            grads.append(None)
            continue
        g = _keep_where(grad, ~loses(x, y))      # NaN on either side: both get it
        if half is not None:
            g = g * _wrap(half, grad._device)
        grads.append(g)
    return tuple(grads)


class FmaxBackward0(Node):
    def backward(self, grad):
        a, b = self.saved_tensors
        # input wins ties and wherever other is NaN
        first = (a._data >= b._data) | np.isnan(b._data)
        return _pick_grads(self, grad, first)


class FminBackward0(Node):
    def backward(self, grad):
        a, b = self.saved_tensors
        first = (a._data <= b._data) | np.isnan(b._data)
        return _pick_grads(self, grad, first)


def _pick_grads(node, grad, first):
    nf = node.next_functions
    ga = _keep_where(grad, first) if nf[0][0] is not None else None
    gb = _keep_where(grad, ~first) if nf[1][0] is not None else None
    return ga, gb


def _extreme(name, np_fn, node_cls, doc):
    def op(input, other, *, out=None):
        _require_tensor(input, name, "input", 1)
        _require_tensor(other, name, "other", 2)
        a, b, dev = prep_binary(name, input, other)
        res = _wrap(_apply_binary(name, np_fn, a, b), dev)
        if GRAD.enabled and (input._rg or other._rg):
            record(node_cls, res, (input, other), (input, other))
        return _finish(res, out, name)
    op.__name__ = op.__qualname__ = name
    op.__doc__ = doc
    return op


maximum = _extreme("maximum", np.maximum, MaximumBackward0, """Elementwise maximum; NaN wins.

    >>> ember.maximum(ember.tensor([1.0, 5.0]), ember.tensor([3.0, 2.0]))
    tensor([3., 5.])
    """)
minimum = _extreme("minimum", np.minimum, MinimumBackward0, """Elementwise minimum; NaN wins.

    >>> ember.minimum(ember.tensor([1.0, 5.0]), ember.tensor([3.0, 2.0]))
    tensor([1., 2.])
    """)
fmax = _extreme("fmax", np.fmax, FmaxBackward0, """Elementwise maximum ignoring NaN.

    >>> ember.fmax(ember.tensor([1.0, float('nan')]), ember.tensor([3.0, 2.0]))
    tensor([3., 2.])
    """)
fmin = _extreme("fmin", np.fmin, FminBackward0, """Elementwise minimum ignoring NaN.

    >>> ember.fmin(ember.tensor([1.0, float('nan')]), ember.tensor([3.0, 2.0]))
    tensor([1., 2.])
    """)


# ----------------------------------------------------------------------------------
# clamp
# ----------------------------------------------------------------------------------

class ClampBackward1(Node):
    """clamp with number bounds: the gradient passes where min <= x <= max."""

    def backward(self, grad):
        (x,) = self.saved_tensors
        xa = x._data
        keep = None
        if self.min is not None:
            keep = xa >= self.min
        if self.max is not None:
            upper = xa <= self.max
            keep = upper if keep is None else keep & upper
        return (_keep_where(grad, keep),)


class ClampMinBackward0(Node):
    def backward(self, grad):
        (x,) = self.saved_tensors
        return (_keep_where(grad, x._data >= self.min),)


class ClampMaxBackward0(Node):
    def backward(self, grad):
        (x,) = self.saved_tensors
        return (_keep_where(grad, x._data <= self.max),)


class ClampBackward0(Node):
    """clamp with tensor bounds (either may be None)."""

    def backward(self, grad):
        x, lo, hi = self.saved_tensors
        xa = x._data
        la = lo._data if lo is not None else None
        ha = hi._data if hi is not None else None
        nf = self.next_functions
        gx = glo = ghi = None
        if nf[0][0] is not None:
            keep = np.ones(xa.shape, _BOOL)
            if la is not None:
                keep = keep & (xa >= la)
            if ha is not None:
                keep = keep & (xa <= ha)
            gx = _keep_where(grad, keep)
        if la is not None and nf[1][0] is not None:
            # the lower bound is the result where x is below it, unless it exceeds max
            below = xa < la
            glo = _keep_where(grad, below & (la < ha) if ha is not None else below)
        if ha is not None and nf[2][0] is not None:
            above = xa > ha
            ghi = _keep_where(grad, above | (la > ha) if la is not None else above)
        return gx, glo, ghi


class ClampMinBackward1(Node):
    def backward(self, grad):
        x, lo = self.saved_tensors
        nf = self.next_functions
        gx = _keep_where(grad, x._data >= lo._data) if nf[0][0] is not None else None
        glo = _keep_where(grad, x._data < lo._data) if nf[1][0] is not None else None
        return gx, glo


class ClampMaxBackward1(Node):
    def backward(self, grad):
        x, hi = self.saved_tensors
        nf = self.next_functions
        gx = _keep_where(grad, x._data <= hi._data) if nf[0][0] is not None else None
        ghi = _keep_where(grad, x._data > hi._data) if nf[1][0] is not None else None
        return gx, ghi


_PLAIN_NUMBERS = (builtins.int, builtins.float, type(None))


def _clamp_scalar_arrays(op, input, lo, hi):
    """Promoted array and bounds for clamp with number bounds."""
    bounds = [v for v in (lo, hi) if v is not None]
    dtype = D.result_type_of(input, *bounds).np
    if dtype == _BOOL:
        raise _not_implemented(op + "_scalar_cpu", dtype)
    arr = input._data
    for v in bounds:
        _check_int_scalar_fits(op, v, dtype)
    work = _F32 if dtype in _LOW else dtype
    if arr.dtype != work:
        arr = arr.astype(work)
    lo = None if lo is None else U.scalar_to_array(lo, work)
    hi = None if hi is None else U.scalar_to_array(hi, work)
    return arr, lo, hi, dtype


def _clamp_compute(arr, lo, hi, dtype):
    # max then min: where min > max everything becomes max, and NaN propagates
    r = arr
    if lo is not None:
        r = np.maximum(r, lo)
    if hi is not None:
        r = np.minimum(r, hi, out=r) if r is not arr and type(r) is np.ndarray \
            else np.minimum(r, hi)
    if r is arr:
        r = arr.copy()
    if r.dtype != dtype:
        r = r.astype(dtype)
    return r


def _tensor_bounds_clamp(op, input, lo, hi):
    tensors = [t for t in (input, lo, hi) if t is not None]
    dev = U.common_device(op, tensors)
    dtype = D.result_type_of(*tensors).np
    if dtype == _BOOL and lo is not None and hi is not None:
        raise _not_implemented(op + "_cpu", dtype)   # one bool bound alone is fine
    work = _F32 if dtype in _LOW else dtype
    arrays = [None if t is None else (t._data if t._data.dtype == work else
                                      t._data.astype(work)) for t in (input, lo, hi)]
    _broadcast(op, *[a for a in arrays if a is not None])
    return _wrap(_clamp_compute(arrays[0], arrays[1], arrays[2], dtype), dev)


def clamp(input, min=None, max=None, *, out=None):
    """Limit input to [min, max]; bounds are numbers or tensors, either may be None.

    Where min > max the result is max, as in torch.

    >>> ember.clamp(ember.tensor([-2.0, 0.5, 3.0]), min=0.0, max=1.0)
    tensor([0.0000, 0.5000, 1.0000])
    """
    U.check_tensor(input, "clamp")
    if min is None and max is None:
        raise RuntimeError("clamp: At least one of 'min' or 'max' must not be None")
    if isinstance(min, Tensor) != isinstance(max, Tensor) and min is not None \
            and max is not None:
        # NOTE: torch's argument parser reads a 0-dim tensor as a number when the other
        # bound is a number; any other tensor/number mix is a TypeError.
        min, max = (_scalar_bound(v, name) for v, name in ((min, "min"), (max, "max")))
    if isinstance(min, Tensor) or isinstance(max, Tensor):
        res = _tensor_bounds_clamp("clamp", input, min, max)
        if GRAD.enabled and any(getattr(t, "_rg", False) for t in (input, min, max)):
            record(ClampBackward0, res, (input, min, max), (input, min, max))
        return _finish(res, out, "clamp")
    lo = None if min is None else _require_number(min, "clamp", "min")
    hi = None if max is None else _require_number(max, "clamp", "max")
    arr = input._data
    if arr.dtype.kind == "f" and type(lo) in _PLAIN_NUMBERS and type(hi) in _PLAIN_NUMBERS:
        # common case: float32/64 tensor, number bounds -> no promotion (Python numbers
        # are weak in NumPy too)
        # typed 0-d bounds: cheaper than Python scalars in NumPy, and the same rounding
        r = arr if lo is None else np.maximum(arr, np.asarray(lo, arr.dtype))
        r = np.minimum(r, np.asarray(hi, arr.dtype)) if hi is not None else r
        res = _wrap(r if r is not arr else arr.copy(), input._device)
    else:
        arr, lo_a, hi_a, dtype = _clamp_scalar_arrays("clamp", input, lo, hi)
        res = _wrap(_clamp_compute(arr, lo_a, hi_a, dtype), input._device)
    if GRAD.enabled and input._rg:
        node = record(ClampBackward1, res, (input,), (input,))
        node.min, node.max = lo, hi
    return _finish_exact(res, out, "clamp")


clip = clamp


def _scalar_bound(v, name):
    if not isinstance(v, Tensor):
        return v
    if v._data.ndim != 0:
        raise TypeError(f"clamp(): argument '{name}' must be a number or a 0-dim tensor when "
                        f"the other bound is a number, got a tensor of shape {list(v.shape)}")
    return v.item()


def clamp_min(input, min, *, out=None):
    """max(input, min) with clamp's gradient (min: a number or a tensor).

    >>> ember.clamp_min(ember.tensor([-1.0, 2.0]), 0.0)
    tensor([0., 2.])
    """
    U.check_tensor(input, "clamp_min")
    if isinstance(min, Tensor):
        res = _tensor_bounds_clamp("clamp_min", input, min, None)
        if GRAD.enabled and (input._rg or min._rg):
            record(ClampMinBackward1, res, (input, min), (input, min))
        return _finish(res, out, "clamp_min")
    lo = _require_number(min, "clamp_min", "min")
    arr, lo_a, _, dtype = _clamp_scalar_arrays("clamp_min", input, lo, None)
    res = _wrap(_clamp_compute(arr, lo_a, None, dtype), input._device)
    if GRAD.enabled and input._rg:
        record(ClampMinBackward0, res, (input,), (input,)).min = lo
    return _finish_exact(res, out, "clamp_min")


def clamp_max(input, max, *, out=None):
    """min(input, max) with clamp's gradient (max: a number or a tensor).

    >>> ember.clamp_max(ember.tensor([-1.0, 2.0]), 0.0)
    tensor([-1.,  0.])
    """
    U.check_tensor(input, "clamp_max")
    if isinstance(max, Tensor):
        res = _tensor_bounds_clamp("clamp_max", input, None, max)
        if GRAD.enabled and (input._rg or max._rg):
            record(ClampMaxBackward1, res, (input, max), (input, max))
        return _finish(res, out, "clamp_max")
    hi = _require_number(max, "clamp_max", "max")
    arr, _, hi_a, dtype = _clamp_scalar_arrays("clamp_max", input, None, hi)
    res = _wrap(_clamp_compute(arr, None, hi_a, dtype), input._device)
    if GRAD.enabled and input._rg:
        record(ClampMaxBackward0, res, (input,), (input,)).max = hi
    return _finish_exact(res, out, "clamp_max")


# ----------------------------------------------------------------------------------
# where, lerp, addcmul, addcdiv
# ----------------------------------------------------------------------------------

class WhereBackward0(Node):
    def backward(self, grad):
        nf = self.next_functions
        cond = self.condition
        gx = _keep_where(grad, cond) if nf[0][0] is not None else None
        gy = _keep_where(grad, ~cond) if nf[1][0] is not None else None
        return gx, gy


def _operand_array(x, np_dtype):
    if isinstance(x, Tensor):
        arr = x._data
        return arr if arr.dtype == np_dtype else arr.astype(np_dtype)
    return U.scalar_to_array(x.item() if isinstance(x, np.generic) else x, np_dtype)


def where(condition, input, other, *, out=None):
    """input where condition holds, else other; input/other may be numbers.

    >>> ember.where(ember.tensor([True, False]), ember.tensor([1.0, 2.0]), 0.0)
    tensor([1., 0.])
    """
    if not isinstance(condition, Tensor):
        raise TypeError(f"where(): argument 'condition' (position 1) must be Tensor, not "
                        f"{type(condition).__name__}")
    for x, name in ((input, "input"), (other, "other")):
        if not isinstance(x, Tensor) and (out is not None or not U._is_number(x)):
            # NOTE: torch's where(..., out=) takes tensors only, not numbers.
            raise TypeError(f"where(): argument '{name}' must be Tensor"
                            f"{'' if out is not None else ' or Number'}, not "
                            f"{type(x).__name__}")
    cond = condition._data
    if cond.dtype != _BOOL:
        if cond.dtype != np.uint8:
            raise RuntimeError(f"where expected condition to be a boolean tensor, but got a "
                               f"tensor with dtype {_FROM_NP[cond.dtype]}")
        warnings.warn("where received a uint8 condition tensor. This behavior is deprecated "
                      "and will be removed in a future version of PyTorch. Use a boolean "
                      "condition instead.", UserWarning, stacklevel=2)
        cond = cond.astype(_BOOL)
    dev = U.common_device("where", (condition, input, other))
    dtype = D.result_type_of(input, other).np
    a = _operand_array(input, dtype)
    b = _operand_array(other, dtype)
    try:
        r = np.where(cond, a, b)
    except ValueError:
        _broadcast("where", cond, a, b)
        raise
    res = _wrap(r, dev)
    if GRAD.enabled and (getattr(input, "_rg", False) or getattr(other, "_rg", False)):
        node = record(WhereBackward0, res, (input if isinstance(input, Tensor) else None,
                                            other if isinstance(other, Tensor) else None))
        node.condition = cond
    return _finish_exact(res, out, "where")


def _where_method(self, condition, y):
    """Tensor.where(condition, y): self where condition holds, else y."""
    return where(condition, self, y)


class LerpBackward0(Node):
    """lerp with a number weight."""

    def backward(self, grad):
        w = self.weight
        nf = self.next_functions
        gs = grad * (1 - w) if nf[0][0] is not None else None
        ge = grad * w if nf[1][0] is not None else None
        return gs, ge


class LerpBackward1(Node):
    def backward(self, grad):
        start, end, weight = self.saved_tensors
        nf = self.next_functions
        gs = grad * (1 - weight) if nf[0][0] is not None else None
        ge = grad * weight if nf[1][0] is not None else None
        gw = grad * (end - start) if nf[2][0] is not None else None
        return gs, ge, gw


def _lerp_kernel(start, end, weight):
    # NOTE: torch picks the formula by |weight| so that weight 0 gives start and
    # weight 1 gives end exactly.
    diff = end - start
    if not isinstance(weight, np.ndarray):
        if builtins.abs(weight) < 0.5:
            return start + diff * weight
        return end - diff * (1 - weight)
    near_start = start + diff * weight
    near_end = end - diff * (1 - weight)
    return np.where(np.abs(weight) < 0.5, near_start, near_end)


def lerp(input, end, weight, *, out=None):
    """input + weight * (end - input); weight is a number or a tensor.

    >>> ember.lerp(ember.tensor([0.0, 10.0]), ember.tensor([10.0, 20.0]), 0.5)
    tensor([ 5., 15.])
    """
    U.check_tensor(input, "lerp")
    _require_tensor(end, "lerp", "end", 2)
    tensors = [input, end]
    for t, name in ((end, "end"), (weight, "weight")):
        if isinstance(t, Tensor) and t._data.dtype != input._data.dtype:
            raise RuntimeError(f"lerp: expected dtype {input.dtype} for `{name}` but got dtype "
                               f"{t.dtype}")
    if isinstance(weight, Tensor):
        tensors.append(weight)
    else:
        weight = _require_number(weight, "lerp", "weight")
    dev = U.common_device("lerp", tensors)
    dtype = input._data.dtype
    if not _is_float_array(input._data):
        raise _not_implemented("lerp_kernel_scalar_weight", dtype)
    arrays = [t._data for t in tensors]
    _broadcast("lerp", *arrays)
    if dtype in _LOW:
        arrays = [a.astype(_F32) for a in arrays]
    w = arrays[2] if len(arrays) == 3 else weight
    r = np.asarray(_lerp_kernel(arrays[0], arrays[1], w))
    res = _wrap(r.astype(dtype, copy=False), dev)
    if GRAD.enabled and any(t._rg for t in tensors):
        if len(tensors) == 3:
            record(LerpBackward1, res, tensors, tensors)
        else:
            record(LerpBackward0, res, tensors).weight = weight
    if len(tensors) == 3:
        return _finish_exact(res, out, "lerp")     # NOTE: torch is strict only here
    return _finish(res, out, "lerp")


class AddcmulBackward0(Node):
    def backward(self, grad):
        t1, t2 = self.saved_tensors
        value = self.value
        nf = self.next_functions
        g1 = grad * (t2 * value) if nf[1][0] is not None else None
        g2 = grad * (t1 * value) if nf[2][0] is not None else None
        return grad, g1, g2


class AddcdivBackward0(Node):
    def backward(self, grad):
        t1, t2 = self.saved_tensors
        value = self.value
        nf = self.next_functions
        g1 = grad * (value / t2) if nf[1][0] is not None else None
        g2 = grad * (-value * t1 / (t2 * t2)) if nf[2][0] is not None else None
        return grad, g1, g2


def _ternary_arrays(op, input, tensor1, tensor2, value):
    U.check_tensor(input, op)
    _require_tensor(tensor1, op, "tensor1", 2)
    _require_tensor(tensor2, op, "tensor2", 3)
    _require_number(value, op, "value")
    tensors = (input, tensor1, tensor2)
    dev = U.common_device(op, tensors)
    dtype = D.result_type_of(*tensors).np
    work = _F32 if dtype in _LOW else dtype
    arrays = [t._data if t._data.dtype == work else t._data.astype(work) for t in tensors]
    _broadcast(op, *arrays)
    return arrays, U.scalar_to_array(value, work), dtype, dev


def addcmul(input, tensor1, tensor2, *, value=1, out=None):
    """input + value * tensor1 * tensor2.

    >>> ember.addcmul(ember.tensor([1.0]), ember.tensor([2.0]), ember.tensor([3.0]), value=0.5)
    tensor([4.])
    """
    arrays, v, dtype, dev = _ternary_arrays("addcmul", input, tensor1, tensor2, value)
    if dtype == _BOOL:
        raise _not_implemented("addcmul_cpu_out", dtype)
    r = arrays[0] + v * arrays[1] * arrays[2]
    res = _wrap(r.astype(dtype, copy=False), dev)
    if GRAD.enabled and (input._rg or tensor1._rg or tensor2._rg):
        record(AddcmulBackward0, res, (input, tensor1, tensor2), (tensor1, tensor2)).value = value
    return _finish(res, out, "addcmul")


def addcdiv(input, tensor1, tensor2, *, value=1, out=None):
    """input + value * tensor1 / tensor2 (floating dtypes only).

    >>> ember.addcdiv(ember.tensor([1.0]), ember.tensor([3.0]), ember.tensor([2.0]), value=2)
    tensor([4.])
    """
    arrays, v, dtype, dev = _ternary_arrays("addcdiv", input, tensor1, tensor2, value)
    if dtype.kind in "biu":
        raise RuntimeError(
            "addcdiv: Integer division with addcdiv is no longer supported, and in a future "
            "release addcdiv will perform a true division of tensor1 and tensor2. The "
            "historic addcdiv behavior can be implemented as (input + value * "
            "torch.trunc(tensor1 / tensor2)).to(input.dtype) for integer inputs and as "
            "(input + value * tensor1 / tensor2) for float inputs. The future addcdiv "
            "behavior is just the latter implementation: (input + value * tensor1 / tensor2), "
            "for all dtypes.")
    r = arrays[0] + v * arrays[1] / arrays[2]
    res = _wrap(r.astype(dtype, copy=False), dev)
    if GRAD.enabled and (input._rg or tensor1._rg or tensor2._rg):
        record(AddcdivBackward0, res, (input, tensor1, tensor2), (tensor1, tensor2)).value = value
    return _finish(res, out, "addcdiv")


# ----------------------------------------------------------------------------------
# comparisons: bool results, no gradient
# ----------------------------------------------------------------------------------

def _comparison(name, np_fn):
    def op(input, other, *, out=None):
        if not isinstance(input, Tensor):  # NOTE: torch.eq(2.5, t) is a TypeError too
            raise TypeError(f"{name}(): argument 'input' must be Tensor, not "
                            f"{type(input).__name__}")
        a, b, dev = prep_binary(name, input, other)
        try:
            res = _wrap(np.asarray(np_fn(a, b)), dev)
        except ValueError:
            raise U.broadcast_error(name, a, b) from None
        if out is not None:
            return U.write_out(out, res, name)
        return res
    op.__name__ = name
    op.__doc__ = f"Elementwise ``{name}`` comparison; returns a bool tensor."
    return op


eq = _comparison("eq", np.equal)
ne = _comparison("ne", np.not_equal)
lt = _comparison("lt", np.less)
le = _comparison("le", np.less_equal)
gt = _comparison("gt", np.greater)
ge = _comparison("ge", np.greater_equal)
not_equal, less, less_equal, greater, greater_equal = ne, lt, le, gt, ge


def isclose(input, other, rtol=1e-05, atol=1e-08, equal_nan=False):
    """|input - other| <= atol + rtol * |other|, elementwise; both must share a dtype.

    >>> ember.isclose(ember.tensor([1.0, 2.0]), ember.tensor([1.0 + 1e-9, 2.1]))
    tensor([ True, False])
    """
    _require_tensor(input, "isclose", "input", 1)
    _require_tensor(other, "isclose", "other", 2)
    a, b = input._data, other._data
    if a.dtype != b.dtype:
        raise RuntimeError(f"isclose: {input.dtype} did not match {other.dtype}")
    if rtol < 0:
        raise RuntimeError(f"isclose: rtol must be greater than or equal to zero, but got {rtol}")
    if atol < 0:
        raise RuntimeError(f"isclose: atol must be greater than or equal to zero, but got {atol}")
    dev = U.common_device("isclose", (input, other))
    _broadcast("isclose", a, b)
    return _wrap(_isclose_arrays(a, b, rtol, atol, equal_nan), dev)


def _isclose_arrays(a, b, rtol, atol, equal_nan):
    close = a == b
    if rtol == 0 and atol == 0 and not equal_nan:
        return close
    if _is_float_array(a):
        if equal_nan:
            close = close | (np.isnan(a) & np.isnan(b))
    else:
        # NOTE: torch compares integers and bools in floating point (no wrap-around).
        fdt = D.get_default_dtype().np
        a, b = a.astype(fdt), b.astype(fdt)
    allowed = np.abs(b * U.scalar_to_array(rtol, a.dtype)) + U.scalar_to_array(atol, a.dtype)
    actual = np.abs(a - b)
    return close | (np.isfinite(actual) & (actual <= allowed))


def allclose(input, other, rtol=1e-05, atol=1e-08, equal_nan=False):
    """True when isclose holds everywhere (a Python bool).

    >>> ember.allclose(ember.tensor([1.0, 2.0]), ember.tensor([1.0, 2.0 + 1e-7]))
    True
    """
    close = isclose(input, other, rtol, atol, equal_nan)
    if close._device is META:
        raise RuntimeError("allclose: Boolean value of Tensor on the meta device is undefined")
    return bool(np.all(close._data))


def equal(input, other):
    """True when both tensors have the same shape and equal elements (a Python bool).

    >>> ember.equal(ember.tensor([1, 2]), ember.tensor([1, 2]))
    True
    """
    _require_tensor(input, "equal", "input", 1)
    _require_tensor(other, "equal", "other", 2)
    U.common_device("equal", (input, other))
    if input._data.shape != other._data.shape:
        return False
    a, b, dev = prep_binary("equal", input, other)
    if dev is META:
        raise RuntimeError("equal: Boolean value of Tensor on the meta device is undefined")
    return bool(np.array_equal(a, b))


# ----------------------------------------------------------------------------------
# logical and bitwise ops
# ----------------------------------------------------------------------------------

def _truth(arr):
    return arr if arr.dtype == _BOOL else arr != 0     # NaN counts as True, as in torch


def logical_not(input, *, out=None):
    """True where input is zero (a bool tensor for any input dtype).

    >>> ember.logical_not(ember.tensor([0.0, 2.0]))
    tensor([ True, False])
    """
    U.check_tensor(input, "logical_not")
    return _finish(_wrap(~_truth(input._data), input._device), out, "logical_not")


def _logical(name, np_fn, example):
    def op(input, other, *, out=None):
        _require_tensor(input, name, "input", 1)
        _require_tensor(other, name, "other", 2)
        dev = U.common_device(name, (input, other))
        a, b = _truth(input._data), _truth(other._data)
        return _finish(_wrap(_apply_binary(name, np_fn, a, b), dev), out, name)
    op.__name__ = op.__qualname__ = name
    op.__doc__ = (f"Elementwise logical {name[8:]} of the truth values (non-zero and NaN "
                  "are True); a bool tensor for any input dtypes.\n\n"
                  f"    >>> ember.{name}(ember.tensor([1, 0]), ember.tensor([1.0, 1.0]))\n"
                  f"    {example}\n    ")
    return op


logical_and = _logical("logical_and", np.logical_and, "tensor([ True, False])")
logical_or = _logical("logical_or", np.logical_or, "tensor([True, True])")
logical_xor = _logical("logical_xor", np.logical_xor, "tensor([False,  True])")


def bitwise_not(input, *, out=None):
    """~input for integer tensors; logical not for bool tensors.

    >>> ember.bitwise_not(ember.tensor([0, 5]))
    tensor([-1, -6])
    """
    U.check_tensor(input, "bitwise_not")
    arr = input._data
    if arr.dtype.kind not in "biu":
        raise _not_implemented("bitwise_not_cpu", arr.dtype)
    return _finish_exact(_wrap(np.invert(arr), input._device), out, "bitwise_not")


def _bitwise(name, kernel_name, np_fn, allow_bool=True):
    def op(input, other, *, out=None):
        a, b, dev = prep_binary(name, input, other)
        dtype = np.result_type(a, b) if not isinstance(a, float) and not isinstance(
            b, float) else np.dtype(np.float32)
        if dtype.kind not in ("biu" if allow_bool else "iu"):
            raise _not_implemented(kernel_name, dtype)
        return _finish(_wrap(_apply_binary(name, np_fn, a, b), dev), out, name)
    op.__name__ = op.__qualname__ = name
    return op


bitwise_and = _bitwise("bitwise_and", "bitwise_and_cpu", np.bitwise_and)
bitwise_or = _bitwise("bitwise_or", "bitwise_or_cpu", np.bitwise_or)
bitwise_xor = _bitwise("bitwise_xor", "bitwise_xor_cpu", np.bitwise_xor)
# NOTE: shifts by a negative amount or by the bit width or more give 0 (or -1 for a
# negative input shifted right), in torch and in NumPy alike.
bitwise_left_shift = _bitwise("bitwise_left_shift", "lshift_cpu", np.left_shift,
                              allow_bool=False)
bitwise_right_shift = _bitwise("bitwise_right_shift", "rshift_cpu", np.right_shift,
                               allow_bool=False)
bitwise_and.__doc__ = """input & other for integer and bool tensors (and numbers).

    >>> ember.bitwise_and(ember.tensor([12]), 10)
    tensor([8])
    """
bitwise_or.__doc__ = """input | other for integer and bool tensors (and numbers).

    >>> ember.bitwise_or(ember.tensor([12]), 10)
    tensor([14])
    """
bitwise_xor.__doc__ = """input ^ other for integer and bool tensors (and numbers).

    >>> ember.bitwise_xor(ember.tensor([12]), 10)
    tensor([6])
    """
bitwise_left_shift.__doc__ = """input << other for integer tensors, wrapping in the dtype.

    >>> ember.bitwise_left_shift(ember.tensor([1, 3]), 2)
    tensor([ 4, 12])
    """
bitwise_right_shift.__doc__ = """input >> other for integer tensors (arithmetic shift).

    >>> ember.bitwise_right_shift(ember.tensor([-8, 12]), 2)
    tensor([-2,  3])
    """


# ----------------------------------------------------------------------------------
# Python operators and methods
# ----------------------------------------------------------------------------------

def _fast_add(self, other):
    # The hottest path in ember: kept flat on purpose (see benchmarks/op_overhead.py).
    if type(other) is Tensor:
        a = self._data
        b = other._data
        if a.dtype is b.dtype and self._device is other._device:
            res = _new(Tensor)
            try:
                r = np.add(a, b)
            except ValueError:
                raise U.broadcast_error("add", a, b) from None
            res._data = r if type(r) is np.ndarray else np.asarray(r)
            if self._device is not CPU:
                res._device = self._device
                res._data = U.to_meta_if(res._data, self._device)
            if GRAD.enabled and (self._rg or other._rg):
                record(AddBackward0, res, (self, other))
            return res
    return add(self, other)


def _fast_mul(self, other):
    if type(other) is Tensor:
        a = self._data
        b = other._data
        if a.dtype is b.dtype and self._device is other._device:
            res = _new(Tensor)
            try:
                r = np.multiply(a, b)
            except ValueError:
                raise U.broadcast_error("mul", a, b) from None
            res._data = r if type(r) is np.ndarray else np.asarray(r)
            if self._device is not CPU:
                res._device = self._device
                res._data = U.to_meta_if(res._data, self._device)
            if GRAD.enabled and (self._rg or other._rg):
                record(MulBackward0, res, (self, other), (self, other))
            return res
    return mul(self, other)


def _radd(self, other):
    return add(other, self) if not isinstance(other, Tensor) else add(other, self)


def _rsub(self, other):
    return rsub(self, other)


def _rmul(self, other):
    return mul(self, other)


def _rtruediv(self, other):
    return div(other, self)


def _pow_method(self, exponent):
    return pow(self, exponent)


def _rpow(self, other):
    return pow(other, self)


def _floordiv(self, other):
    return _floor_divide(self, other)


def _rfloordiv(self, other):
    return _floor_divide(other, self)


def _mod(self, other):
    return remainder(self, other)


def _rmod(self, other):
    return remainder(other, self)


def _rand(self, other):
    return bitwise_and(other, self)


def _ror(self, other):
    return bitwise_or(other, self)


def _rxor(self, other):
    return bitwise_xor(other, self)


def _rlshift(self, other):
    return bitwise_left_shift(other, self)


def _rrshift(self, other):
    return bitwise_right_shift(other, self)


def _invert(self):
    if self._data.dtype.kind not in "biu":
        raise TypeError("~ (operator.invert) is only implemented on integer and Boolean-type "
                        f"tensors, got {self.dtype}")
    return bitwise_not(self)


def _inplace_binary(fn, name):
    def method(self, other, **kwargs):
        return apply_inplace(self, name, lambda s: fn(s, other, **kwargs), (self, other))
    method.__name__ = name
    return method


def _float_power_(self, exponent):
    if self._data.dtype != np.float64:
        raise RuntimeError(f"float_power_(): the base given to float_power_ has dtype "
                           f"{self.dtype} but the operation's result requires dtype "
                           "torch.float64")
    return apply_inplace(self, "float_power_", lambda s: float_power(s, exponent),
                         (self, exponent))


METHODS = {
    "add": add, "sub": sub, "subtract": sub, "mul": mul, "multiply": mul, "div": div,
    "divide": div, "true_divide": true_divide, "neg": neg, "negative": neg,
    "eq": eq, "ne": ne, "lt": lt, "le": le, "gt": gt, "ge": ge,
    "not_equal": ne, "less": lt, "less_equal": le, "greater": gt, "greater_equal": ge,
    "__add__": _fast_add, "__radd__": _radd, "__sub__": sub, "__rsub__": _rsub,
    "__mul__": _fast_mul, "__rmul__": _rmul, "__truediv__": div, "__rtruediv__": _rtruediv,
    "__neg__": neg, "__eq__": eq, "__ne__": ne, "__lt__": lt, "__le__": le, "__gt__": gt,
    "__ge__": ge,
    "add_": _inplace_binary(add, "add_"), "sub_": _inplace_binary(sub, "sub_"),
    "subtract_": _inplace_binary(sub, "subtract_"), "mul_": _inplace_binary(mul, "mul_"),
    "multiply_": _inplace_binary(mul, "multiply_"), "div_": _inplace_binary(div, "div_"),
    "divide_": _inplace_binary(div, "divide_"),
    "true_divide_": _inplace_binary(true_divide, "true_divide_"),
    "__iadd__": _inplace_binary(add, "add_"), "__isub__": _inplace_binary(sub, "sub_"),
    "__imul__": _inplace_binary(mul, "mul_"), "__itruediv__": _inplace_binary(div, "div_"),
    # unary math
    "abs": abs, "absolute": abs, "exp": exp, "exp2": exp2, "expm1": expm1, "log": log,
    "log2": log2, "log10": log10, "log1p": log1p, "sqrt": sqrt, "rsqrt": rsqrt,
    "square": square, "sin": sin, "cos": cos, "tan": tan, "asin": asin, "acos": acos,
    "atan": atan, "arcsin": asin, "arccos": acos, "arctan": atan, "sinh": sinh, "cosh": cosh,
    "tanh": tanh, "asinh": asinh, "acosh": acosh, "atanh": atanh, "arcsinh": asinh,
    "arccosh": acosh, "arctanh": atanh, "sigmoid": sigmoid, "logit": logit, "erf": erf,
    "erfc": erfc, "erfinv": erfinv, "reciprocal": reciprocal, "positive": positive,
    "floor": floor, "ceil": ceil, "round": round, "trunc": trunc, "fix": trunc, "frac": frac,
    "sign": sign, "sgn": sgn, "signbit": signbit, "nan_to_num": nan_to_num,
    "isnan": isnan, "isinf": isinf, "isposinf": isposinf, "isneginf": isneginf,
    "isfinite": isfinite, "isreal": isreal,
    # binary and ternary math
    "pow": _pow_method, "float_power": float_power, "atan2": atan2, "arctan2": atan2,
    "hypot": hypot, "fmod": fmod, "remainder": remainder, "floor_divide": floor_divide,
    "maximum": maximum, "minimum": minimum, "fmax": fmax, "fmin": fmin, "clamp": clamp,
    "clip": clamp, "clamp_min": clamp_min, "clamp_max": clamp_max, "lerp": lerp,
    "addcmul": addcmul, "addcdiv": addcdiv, "where": _where_method, "isclose": isclose,
    "allclose": allclose, "equal": equal,
    # logical and bitwise
    "logical_not": logical_not, "logical_and": logical_and, "logical_or": logical_or,
    "logical_xor": logical_xor, "bitwise_not": bitwise_not, "bitwise_and": bitwise_and,
    "bitwise_or": bitwise_or, "bitwise_xor": bitwise_xor,
    "bitwise_left_shift": bitwise_left_shift, "bitwise_right_shift": bitwise_right_shift,
    # Python operators
    "__pow__": _pow_method, "__rpow__": _rpow, "__floordiv__": _floordiv,
    "__rfloordiv__": _rfloordiv, "__mod__": _mod, "__rmod__": _rmod,
    "__and__": bitwise_and, "__rand__": _rand, "__or__": bitwise_or, "__ror__": _ror,
    "__xor__": bitwise_xor, "__rxor__": _rxor, "__invert__": _invert,
    "__lshift__": bitwise_left_shift, "__rlshift__": _rlshift,
    "__rshift__": bitwise_right_shift, "__rrshift__": _rrshift,
    "__abs__": abs, "__pos__": positive,
    "float_power_": _float_power_,
}

# In-place forms (``x.exp_()``) for every op torch has one for.
_INPLACE = {
    "neg_": neg, "negative_": neg, "abs_": abs, "absolute_": abs, "exp_": exp, "exp2_": exp2,
    "expm1_": expm1, "log_": log, "log2_": log2, "log10_": log10, "log1p_": log1p,
    "sqrt_": sqrt, "rsqrt_": rsqrt, "square_": square, "sin_": sin, "cos_": cos, "tan_": tan,
    "asin_": asin, "acos_": acos, "atan_": atan, "arcsin_": asin, "arccos_": acos,
    "arctan_": atan, "sinh_": sinh, "cosh_": cosh, "tanh_": tanh, "asinh_": asinh,
    "acosh_": acosh, "atanh_": atanh, "arcsinh_": asinh, "arccosh_": acosh,
    "arctanh_": atanh, "sigmoid_": sigmoid, "logit_": logit, "erf_": erf, "erfc_": erfc,
    "erfinv_": erfinv, "reciprocal_": reciprocal, "floor_": floor, "ceil_": ceil,
    "round_": round, "trunc_": trunc, "fix_": trunc, "frac_": frac, "sign_": sign,
    "sgn_": sgn, "nan_to_num_": nan_to_num, "pow_": pow, "atan2_": atan2,
    "arctan2_": atan2, "hypot_": hypot, "fmod_": fmod, "remainder_": remainder,
    "floor_divide_": floor_divide, "clamp_": clamp, "clip_": clamp, "clamp_min_": clamp_min,
    "clamp_max_": clamp_max, "lerp_": lerp, "addcmul_": addcmul, "addcdiv_": addcdiv,
    "logical_not_": logical_not, "logical_and_": logical_and, "logical_or_": logical_or,
    "logical_xor_": logical_xor, "bitwise_not_": bitwise_not, "bitwise_and_": bitwise_and,
    "bitwise_or_": bitwise_or, "bitwise_xor_": bitwise_xor,
    "bitwise_left_shift_": bitwise_left_shift, "bitwise_right_shift_": bitwise_right_shift,
    "eq_": eq, "ne_": ne, "lt_": lt, "le_": le, "gt_": gt, "ge_": ge, "not_equal_": ne,
    "less_": lt, "less_equal_": le, "greater_": gt, "greater_equal_": ge,
}
for _name, _fn in _INPLACE.items():
    METHODS[_name] = make_inplace(_fn, _name)
for _op, _name in (("__ipow__", "pow_"), ("__ifloordiv__", "floor_divide_"),
                   ("__imod__", "remainder_"), ("__iand__", "bitwise_and_"),
                   ("__ior__", "bitwise_or_"), ("__ixor__", "bitwise_xor_"),
                   ("__ilshift__", "bitwise_left_shift_"),
                   ("__irshift__", "bitwise_right_shift_")):
    METHODS[_op] = METHODS[_name]
for _name, _fn in METHODS.items():
    setattr(Tensor, _name, _fn)

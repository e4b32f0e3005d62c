"""One-input math: neg, positive, exp and log, sqrt and rsqrt, trigonometric and
hyperbolic functions, sigmoid, logit, abs and sign.

The float ops give the default float dtype for integer and bool inputs; neg, abs and
sign keep the input's dtype.  float16/bfloat16 inputs to composite kernels (sigmoid,
rsqrt, logit) are computed in float32 and rounded once, as torch's CPU kernels do.
"""

__all__ = [
    "abs", "absolute", "acos", "acosh", "arccos", "arccosh", "arcsin", "arcsinh", "arctan",
    "arctanh", "asin", "asinh", "atan", "atanh", "cos", "cosh", "exp", "exp2", "expm1",
    "log", "log10", "log1p", "log2", "logit", "neg", "negative", "positive", "rsqrt", "sgn",
    "sigmoid", "sign", "signbit", "sin", "sinh", "sqrt", "tan", "tanh",
]

import math

import numpy as np

from ...autograd.graph import Node
from .. import _util as U
from .._util import GRAD, record
from ._common import (_BOOL, _F32, _LOW, _cc, _finish, _finish_exact, _float_unary,
                      _in_float32, _not_implemented, _refuse_complex, _typed, _wrap,
                      _zeros_like_grad)
from .ternary import _zero_where, where

_LN2 = math.log(2.0)
_LN10 = math.log(10.0)


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

class ExpBackward0(Node):
    def backward(self, grad):
        (result,) = self.saved_tensors
        return (grad * _cc(result),)


class Exp2Backward0(Node):
    def backward(self, grad):
        (result,) = self.saved_tensors
        return (grad * _cc(result * _LN2),)


class Expm1Backward0(Node):
    def backward(self, grad):
        (result,) = self.saved_tensors
        return (grad * _cc(result + 1),)


class LogBackward0(Node):
    def backward(self, grad):
        (x,) = self.saved_tensors
        return (grad / _cc(x),)


class Log2Backward0(Node):
    def backward(self, grad):
        (x,) = self.saved_tensors
        return (grad / _cc(x * _LN2),)


class Log10Backward0(Node):
    def backward(self, grad):
        (x,) = self.saved_tensors
        return (grad / _cc(x * _LN10),)


class Log1PBackward0(Node):
    def backward(self, grad):
        (x,) = self.saved_tensors
        return (grad / _cc(x + 1),)


class SqrtBackward0(Node):
    def backward(self, grad):
        (result,) = self.saved_tensors
        return (grad / _cc(result * 2),)


class RsqrtBackward0(Node):
    def backward(self, grad):
        (result,) = self.saved_tensors
        return (grad * _cc(result * result * result * -0.5),)


class SinBackward0(Node):
    def backward(self, grad):
        (x,) = self.saved_tensors
        return (grad * _cc(cos(x)),)


class CosBackward0(Node):
    def backward(self, grad):
        (x,) = self.saved_tensors
        return (grad * _cc(-sin(x)),)


class TanBackward0(Node):
    def backward(self, grad):
        (result,) = self.saved_tensors
        return (grad * _cc(result * result + 1),)


class AsinBackward0(Node):
    def backward(self, grad):
        (x,) = self.saved_tensors
        return (grad * _cc(rsqrt(1 - x * x)),)


class AcosBackward0(Node):
    def backward(self, grad):
        (x,) = self.saved_tensors
        return (grad * _cc(-rsqrt(1 - x * x)),)


class AtanBackward0(Node):
    def backward(self, grad):
        (x,) = self.saved_tensors
        return (grad / _cc(x * x + 1),)


class SinhBackward0(Node):
    def backward(self, grad):
        (x,) = self.saved_tensors
        return (grad * _cc(cosh(x)),)


class CoshBackward0(Node):
    def backward(self, grad):
        (x,) = self.saved_tensors
        return (grad * _cc(sinh(x)),)


class TanhBackward0(Node):
    def backward(self, grad):
        (result,) = self.saved_tensors
        return (grad * _cc(1 - result * result),)


class AsinhBackward0(Node):
    def backward(self, grad):
        (x,) = self.saved_tensors
        return (grad * _cc(rsqrt(x * x + 1)),)


class AcoshBackward0(Node):
    def backward(self, grad):
        (x,) = self.saved_tensors
        return (grad * _cc(rsqrt(x * x - 1)),)


class AtanhBackward0(Node):
    def backward(self, grad):
        (x,) = self.saved_tensors
        return (grad / _cc(1 - x * x),)


class SigmoidBackward0(Node):
    def backward(self, grad):
        (result,) = self.saved_tensors
        return (grad * _cc(result * (1 - result)),)


def _rsqrt_kernel(arr):
    r = np.sqrt(arr)
    return np.divide(1, r, out=r) if type(r) is np.ndarray else 1 / r


def _sigmoid_kernel(arr):
    # 1 / (1 + exp(-x)): exp overflows to inf for very negative x, giving exactly 0.
    r = np.negative(arr)
    if type(r) is not np.ndarray and isinstance(r, np.generic):
        return 1 / (1 + np.exp(r))
    np.exp(r, out=r)
    # a typed 0-d one: NumPy's Python-scalar handling costs more than the add itself
    # (a NumPy scalar for a device array: CuPy refuses NumPy arrays)
    one = np.ones((), r.dtype) if type(r) is np.ndarray else r.dtype.type(1)
    np.add(r, one, out=r)
    return np.reciprocal(r, out=r)


def _log10_kernel(arr):
    # NumPy's float32 log10 is 1 ulp off at exact powers of ten (log10(100) != 2);
    # torch's is exact there.  float64 then one rounding is.
    if arr.dtype == _F32:
        return np.log10(arr.astype(np.float64)).astype(_F32)
    return np.log10(arr)


exp = _float_unary("exp", np.exp, ExpBackward0, "result", """e ** input, elementwise.

    >>> ember.exp(ember.tensor([0.0, 1.0]))
    tensor([1.0000, 2.7183])
    """)
exp2 = _float_unary("exp2", np.exp2, Exp2Backward0, "result", """2 ** input, elementwise.

    >>> ember.exp2(ember.tensor([3]))
    tensor([8.])
    """)
expm1 = _float_unary("expm1", np.expm1, Expm1Backward0, "result",
                     """exp(input) - 1, accurate for small input.

    >>> ember.expm1(ember.tensor([1e-10]))
    tensor([1.0000e-10])
    """)
log = _float_unary("log", np.log, LogBackward0, "input", """Natural logarithm.

    >>> ember.log(ember.tensor([1.0]))
    tensor([0.])
    """)
log2 = _float_unary("log2", np.log2, Log2Backward0, "input", """Base-2 logarithm.

    >>> ember.log2(ember.tensor([8.0]))
    tensor([3.])
    """)
log10 = _float_unary("log10", _log10_kernel, Log10Backward0, "input", """Base-10 logarithm.

    >>> ember.log10(ember.tensor([100.0]))
    tensor([2.])
    """)
log1p = _float_unary("log1p", np.log1p, Log1PBackward0, "input",
                     """log(1 + input), accurate for small input.

    >>> ember.log1p(ember.tensor([0.0]))
    tensor([0.])
    """)
sqrt = _float_unary("sqrt", np.sqrt, SqrtBackward0, "result", """Square root.

    >>> ember.sqrt(ember.tensor([4.0]))
    tensor([2.])
    """)
rsqrt = _float_unary("rsqrt", _in_float32(_rsqrt_kernel), RsqrtBackward0, "result",
                     """1 / sqrt(input).

    >>> ember.rsqrt(ember.tensor([4.0]))
    tensor([0.5000])
    """)
sin = _float_unary("sin", np.sin, SinBackward0, "input", """Sine.

    >>> ember.sin(ember.tensor([0.0]))
    tensor([0.])
    """)
cos = _float_unary("cos", np.cos, CosBackward0, "input", """Cosine.

    >>> ember.cos(ember.tensor([0.0]))
    tensor([1.])
    """)
tan = _float_unary("tan", np.tan, TanBackward0, "result", """Tangent.

    >>> ember.tan(ember.tensor([0.0]))
    tensor([0.])
    """)
asin = _float_unary("asin", np.arcsin, AsinBackward0, "input",
                    """Inverse sine (NaN outside [-1, 1]).

    >>> ember.asin(ember.tensor([1.0]))
    tensor([1.5708])
    """)
acos = _float_unary("acos", np.arccos, AcosBackward0, "input", """Inverse cosine.

    >>> ember.acos(ember.tensor([1.0]))
    tensor([0.])
    """)
atan = _float_unary("atan", np.arctan, AtanBackward0, "input", """Inverse tangent.

    >>> ember.atan(ember.tensor([1.0]))
    tensor([0.7854])
    """)
sinh = _float_unary("sinh", np.sinh, SinhBackward0, "input", """Hyperbolic sine.

    >>> ember.sinh(ember.tensor([0.0]))
    tensor([0.])
    """)
cosh = _float_unary("cosh", np.cosh, CoshBackward0, "input", """Hyperbolic cosine.

    >>> ember.cosh(ember.tensor([0.0]))
    tensor([1.])
    """)
tanh = _float_unary("tanh", np.tanh, TanhBackward0, "result", """Hyperbolic tangent.

    >>> ember.tanh(ember.tensor([0.0]))
    tensor([0.])
    """)
asinh = _float_unary("asinh", np.arcsinh, AsinhBackward0, "input", """Inverse hyperbolic sine.

    >>> ember.asinh(ember.tensor([0.0]))
    tensor([0.])
    """)
acosh = _float_unary("acosh", np.arccosh, AcoshBackward0, "input",
                     """Inverse hyperbolic cosine (NaN below 1).

    >>> ember.acosh(ember.tensor([1.0]))
    tensor([0.])
    """)
atanh = _float_unary("atanh", np.arctanh, AtanhBackward0, "input",
                     """Inverse hyperbolic tangent (+-inf at +-1).

    >>> ember.atanh(ember.tensor([0.0]))
    tensor([0.])
    """)
sigmoid = _float_unary("sigmoid", _in_float32(_sigmoid_kernel), SigmoidBackward0, "result",
                       """1 / (1 + exp(-input)).

    >>> ember.sigmoid(ember.tensor([0.0]))
    tensor([0.5000])
    """)

arcsin, arccos, arctan = asin, acos, atan
arcsinh, arccosh, arctanh = asinh, acosh, atanh


# -- logit ------------------------------------------------------------------------

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
    _refuse_complex("logit", arr, kernel="logit_cpu")
    bounds = None
    if eps is not None:
        # NOTE: torch rounds the bounds eps and 1 - eps to the input's dtype.
        bounds = (_typed(eps, arr.dtype, arr), _typed(1 - eps, arr.dtype, arr))
    res = _wrap(_in_float32(lambda a: _logit_kernel(a, bounds))(arr), input._device)
    if GRAD.enabled and input._rg:
        record(LogitBackward0, res, (input,), (input,)).eps = eps
    return _finish(res, out, "logit")


def _logit_kernel(arr, bounds):
    if bounds is not None:
        lo, hi = (b.astype(arr.dtype) for b in bounds)
        arr = np.minimum(np.maximum(arr, lo), hi)
    return np.log(arr / (1 - arr))


# -- abs and sign: integer inputs keep their dtype --------------------------------

class AbsBackward0(Node):
    def backward(self, grad):
        (x,) = self.saved_tensors
        if x._data.dtype.kind == "c":
            return (grad * sgn(x),)   # a real grad times z / |z|
        return (grad * sign(x),)


class SignBackward0(Node):
    def backward(self, grad):
        return (_zeros_like_grad(grad),)


class SgnBackward0(SignBackward0):
    def backward(self, grad):
        saved = self.saved_tensors   # only complex inputs are saved
        if not saved:
            return (_zeros_like_grad(grad),)
        x = saved[0]
        # z / |z| is not holomorphic: (grad - conj(grad) * sgn(z)^2) / (2 |z|), 0 at z = 0
        s = sgn(x)
        g = (grad - _cc(grad) * (s * s)) / (abs(x) * 2)
        return (_zero_where(g, x._data == 0),)


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
            r = np.where(nan, _typed(0, r.dtype, r), r)
    return r


def sign(input, *, out=None):
    """-1, 0 or 1 by the sign of each element (0 for NaN; bool stays bool).

    >>> ember.sign(ember.tensor([-2.0, 0.0, 3.0]))
    tensor([-1.,  0.,  1.])
    """
    return _sign_op("sign", SignBackward0, input, out)


def sgn(input, *, out=None):
    """sign for real tensors (x / |x| for complex ones in torch).

    >>> ember.sgn(ember.tensor([-2.0, 0.0]))
    tensor([-1.,  0.])
    """
    return _sign_op("sgn", SgnBackward0, input, out)


def _sign_op(op, node_cls, input, out):
    U.check_tensor(input, op)
    arr = input._data
    if arr.dtype.kind == "c":
        if op == "sign":
            raise NotImplementedError("Unlike NumPy, torch.sign is not intended to support "
                                      "complex numbers. Please use torch.sgn instead.")
        # NumPy 2's sign of a complex number is z / |z| (0 at 0): torch's sgn
        res = _wrap(np.sign(arr), input._device)
        if GRAD.enabled and input._rg:
            record(node_cls, res, (input,), (input,))
        return _finish_exact(res, out, op)
    res = _wrap(_sign_array(arr), input._device)
    if GRAD.enabled and input._rg:
        record(node_cls, res, (input,))
    return _finish_exact(res, out, op)


def signbit(input, *, out=None):
    """True where the sign bit is set (including -0.0 and negative NaN).

    >>> ember.signbit(ember.tensor([-0.0, 1.0]))
    tensor([ True, False])
    """
    U.check_tensor(input, "signbit")
    arr = input._data
    _refuse_complex("signbit", arr, kernel="signbit_cpu")
    if arr.dtype == _BOOL:
        r = np.zeros_like(arr, dtype=_BOOL)
    elif arr.dtype.kind in "iu":
        r = arr < 0
    else:
        r = np.signbit(arr)
    return _finish_exact(_wrap(r, input._device), out, "signbit")

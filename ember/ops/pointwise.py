"""Pointwise ops: arithmetic, unary math, comparisons, logical/bitwise ops.

Each op: prepare arrays (promotion as torch), compute with NumPy, wrap, and record a
node only when grad is on and an input requires it.  Backward formulas are in ember
ops, so they are differentiable again.
"""

__all__ = ["add", "div", "divide", "eq", "exp", "ge", "greater", "greater_equal", "gt", "le", "less", "less_equal", "log", "lt", "mul", "multiply", "ne", "neg", "negative", "not_equal", "rsub", "sqrt", "sub", "subtract", "true_divide"]

import numpy as np

from .. import _dtype as D
from .._tensor import Tensor, _wrap
from ..autograd.graph import Node
from . import _util as U
from ._inplace import apply_inplace, make_inplace
from ._util import GRAD, prep_binary, record

# NOTE: torch never warns on 1/0, log(0), nan comparisons...; NumPy would.  Ember
# silences NumPy's floating-point warnings once, at import, instead of per op.
np.seterr(all="ignore")

_FROM_NP = D._FROM_NP


def _tensor_or_scalar_grad(x):
    return isinstance(x, Tensor)


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
        f"{op}: Subtraction, the `-` operator, with two bool tensors is not supported. If you "
        "are trying to invert a mask, use the `~` or `logical_not()` operator instead.")


def sub(input, other, *, alpha=1, out=None):
    """input - alpha * other."""
    a, b, dev = prep_binary("sub", input, other)
    if getattr(a, "dtype", None) == np.bool_:
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
    if getattr(a, "dtype", None) == np.bool_:
        raise _bool_sub_error("rsub", a, b)
    if alpha != 1:
        a = np.multiply(a, alpha, dtype=a.dtype)
    res = _wrap(np.subtract(b, a), dev)
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
            node = record(MulBackward0, res, (input, None), (input, None))
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
                arr = np.floor_divide(a, b)
            else:
                q = np.floor_divide(a, b)
                r = np.remainder(a, b)
                # floor -> trunc: add one where the true quotient is negative and inexact
                fix = (r != 0) & ((np.asarray(a) < 0) != (np.asarray(b) < 0))
                arr = (q + fix).astype(q.dtype)
        else:
            q = np.true_divide(a, b)
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
# unary ops: the template for the family
# ----------------------------------------------------------------------------------

class NegBackward0(Node):
    def backward(self, grad):
        return (-grad,)


def neg(input, *, out=None):
    """-input."""
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
        return U.write_out(out, res, "neg")
    return res


negative = neg


class ExpBackward0(Node):
    def backward(self, grad):
        (result,) = self.saved_tensors
        return (grad * result,)


def exp(input, *, out=None):
    """e ** input (integer inputs give the default float dtype)."""
    U.check_tensor(input, "exp")
    res = _wrap(np.exp(U.as_float_array(input)), input._device)
    if GRAD.enabled and input._rg:
        record(ExpBackward0, res, (input,), (res,))
    if out is not None:
        return U.write_out(out, res, "exp")
    return res


class LogBackward0(Node):
    def backward(self, grad):
        (x,) = self.saved_tensors
        return (grad / x,)


def log(input, *, out=None):
    """Natural logarithm."""
    U.check_tensor(input, "log")
    res = _wrap(np.log(U.as_float_array(input)), input._device)
    if GRAD.enabled and input._rg:
        record(LogBackward0, res, (input,), (input,))
    if out is not None:
        return U.write_out(out, res, "log")
    return res


class SqrtBackward0(Node):
    def backward(self, grad):
        (result,) = self.saved_tensors
        return (grad / (result * 2),)


def sqrt(input, *, out=None):
    U.check_tensor(input, "sqrt")
    res = _wrap(np.sqrt(U.as_float_array(input)), input._device)
    if GRAD.enabled and input._rg:
        record(SqrtBackward0, res, (input,), (res,))
    if out is not None:
        return U.write_out(out, res, "sqrt")
    return res


# ----------------------------------------------------------------------------------
# comparisons: bool results, no gradient
# ----------------------------------------------------------------------------------

def _comparison(name, np_fn):
    def op(input, other, *, out=None):
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
                res._data = np.add(a, b)
            except ValueError:
                raise U.broadcast_error("add", a, b) from None
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
                res._data = np.multiply(a, b)
            except ValueError:
                raise U.broadcast_error("mul", a, b) from None
            if self._device is not CPU:
                res._device = self._device
                res._data = U.to_meta_if(res._data, self._device)
            if GRAD.enabled and (self._rg or other._rg):
                record(MulBackward0, res, (self, other), (self, other))
            return res
    return mul(self, other)


from .._device import CPU  # noqa: E402
from .._tensor import _new  # noqa: E402


def _radd(self, other):
    return add(other, self) if not isinstance(other, Tensor) else add(other, self)


def _rsub(self, other):
    return rsub(self, other)


def _rmul(self, other):
    return mul(self, other)


def _rtruediv(self, other):
    return div(other, self)


def _inplace_binary(fn, name):
    def method(self, other, **kwargs):
        return apply_inplace(self, name, lambda s: fn(s, other, **kwargs), (self, other))
    method.__name__ = name
    return method


METHODS = {
    "add": add, "sub": sub, "subtract": sub, "mul": mul, "multiply": mul, "div": div,
    "divide": div, "true_divide": true_divide, "neg": neg, "negative": neg, "exp": exp,
    "log": log, "sqrt": sqrt, "eq": eq, "ne": ne, "lt": lt, "le": le, "gt": gt, "ge": ge,
    "not_equal": ne, "less": lt, "less_equal": le, "greater": gt, "greater_equal": ge,
    "__add__": _fast_add, "__radd__": _radd, "__sub__": sub, "__rsub__": _rsub,
    "__mul__": _fast_mul, "__rmul__": _rmul, "__truediv__": div, "__rtruediv__": _rtruediv,
    "__neg__": neg, "__eq__": eq, "__ne__": ne, "__lt__": lt, "__le__": le, "__gt__": gt,
    "__ge__": ge,
    "add_": _inplace_binary(add, "add_"), "sub_": _inplace_binary(sub, "sub_"),
    "mul_": _inplace_binary(mul, "mul_"), "div_": _inplace_binary(div, "div_"),
    "__iadd__": _inplace_binary(add, "add_"), "__isub__": _inplace_binary(sub, "sub_"),
    "__imul__": _inplace_binary(mul, "mul_"), "__itruediv__": _inplace_binary(div, "div_"),
    "neg_": make_inplace(neg, "neg_"), "exp_": make_inplace(exp, "exp_"),
    "log_": make_inplace(log, "log_"), "sqrt_": make_inplace(sqrt, "sqrt_"),
}
for _name, _fn in METHODS.items():
    setattr(Tensor, _name, _fn)

"""Arithmetic: add, sub (subtract), rsub, mul (multiply), div (divide, true_divide),
reciprocal, fmod, remainder, floor_divide, and the binary float math atan2 and hypot.

pow, square and float_power are in power.py; the ``+``/``*`` operators' fast paths in
operators.py.
"""

__all__ = [
    "add", "arctan2", "atan2", "div", "divide", "floor_divide", "fmod", "hypot", "mul",
    "multiply", "reciprocal", "remainder", "rsub", "sub", "subtract", "true_divide",
]

import builtins

import numpy as np

from ... import _dtype as D
from ..._device import META
from ..._tensor import Tensor
from ...autograd.graph import Node
from .. import _util as U
from .._util import GRAD, prep_binary, record
from ._common import (_BOOL, _F32, _FROM_NP, _LOW, _apply_binary, _array_operand, _astype,
                      _cc, _cc_number, _dtype_of, _finish,
                      _float_unary, _LOW_SET, _is_float_array, _not_implemented,
                      _refuse_complex, _require_number, _require_tensor, _round_to, _wrap)
from .ternary import _zero_where


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
            ga = grad * (_cc(b) if b is not None else _cc_number(self.other))
        if nf[1][0] is not None:
            gb = grad * _cc(a)
        return ga, gb


class DivBackward0(Node):
    def backward(self, grad):
        a, b = self.saved_tensors
        nf = self.next_functions
        if b is None:
            return grad / _cc_number(self.other), None
        ga = grad / _cc(b) if nf[0][0] is not None else None
        gb = None
        if nf[1][0] is not None:
            numerator = _cc(a) if a is not None else _cc_number(self.numerator)
            gb = -grad * numerator / _cc(b * b)
        return ga, gb


def _check_alpha(op, alpha, dtype_cat):
    if alpha != 1 and isinstance(alpha, float) and dtype_cat < D.FLOAT:
        raise RuntimeError(f"{op}: For integral input tensors, argument alpha must not be a "
                           "floating point number.")


def _with_alpha(op, np_fn, a, b, alpha):
    """``np_fn(a, alpha * b)`` (a + or - alpha * b) over arrays (or one number) of the
    result dtype."""
    dtype = _dtype_of(a, b)
    if dtype in _LOW:
        # NOTE: torch rounds alpha (and a number operand) to float16/bfloat16, then
        # computes a + alpha * b in float32 with one rounding: the product of two
        # half values is exact in float32, so that is a plain float32 expression.
        like = _array_operand(a, b)
        al = _round_to(alpha, dtype, like)
        a32 = _astype(_astype(a, dtype, like), _F32, like)
        b32 = _astype(_astype(b, dtype, like), _F32, like)
        return _apply_binary(op, np_fn, a32, b32 * al).astype(dtype)
    return _apply_binary(op, np_fn, a, np.multiply(b, alpha, dtype=dtype))


def add(input, other, *, alpha=1, out=None):
    """input + alpha * other, broadcasting and promoting as torch."""
    a, b, dev = prep_binary("add", input, other)
    if alpha != 1:
        _check_alpha("add", alpha, _FROM_NP[a.dtype].category if hasattr(a, "dtype") else 2)
        res = _wrap(_with_alpha("add", np.add, a, b, alpha), dev)
    else:
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
        _check_alpha("sub", alpha, _FROM_NP[a.dtype].category if hasattr(a, "dtype") else 2)
        res = _wrap(_with_alpha("sub", np.subtract, a, b, alpha), dev)
    else:
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
        res = _wrap(_with_alpha("rsub", np.subtract, b, a, alpha), dev)
    else:
        res = _wrap(_apply_binary("rsub", np.subtract, b, a), dev)
    if GRAD.enabled and (getattr(input, "_rg", False) or getattr(other, "_rg", False)):
        node = record(RsubBackward1, res, (input, other))
        node.alpha = alpha
    return res


def _number_opmath(np_fn, arr, number):
    """``np_fn(arr, number)`` for a float16/bfloat16 array ``arr`` and a real number.

    NOTE: torch computes it in float32 with the number kept in float32 ("opmath")
    and rounds once; NumPy's weak-scalar rule would round the number to float16
    first (and ember's bfloat16 promotion would too).
    """
    if isinstance(number, np.generic):
        number = number.item()
    return np_fn(arr.astype(_F32), np.float32(number)).astype(arr.dtype)


def mul(input, other, *, out=None):
    """input * other."""
    a, b, dev = prep_binary("mul", input, other)
    if type(other) is not Tensor and a.dtype in _LOW_SET:
        res = _wrap(_number_opmath(np.multiply, a, other), dev)
    else:
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
        if type(other) is not Tensor and a.dtype in _LOW_SET:
            res = _wrap(_number_opmath(np.true_divide, a, other), dev)
        else:
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
        _refuse_complex("div", a, b, kernel=f"div_{rounding_mode}_cpu")
        is_int = _FROM_NP[np.result_type(a, b)].category < D.FLOAT
        if is_int:
            if np.any(b == 0) and dev.type != "meta" and _nonempty(a, b):
                raise RuntimeError("ZeroDivisionError")
            if rounding_mode == "floor":
                arr = _apply_binary("div", np.floor_divide, a, b)
            else:
                q = _apply_binary("div", np.floor_divide, a, b)
                r = np.remainder(a, b)
                # floor -> trunc: add one where the true quotient is negative and inexact
                fix = (r != 0) & ((a < 0) != (b < 0))
                arr = (q + fix).astype(q.dtype)
        else:
            q = _apply_binary("div", np.true_divide, a, b)
            arr = np.trunc(q) if rounding_mode == "trunc" else _floor_div_float(a, b, q)
        res = _wrap(arr, dev)
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
# reciprocal
# ----------------------------------------------------------------------------------

class ReciprocalBackward0(Node):
    def backward(self, grad):
        (result,) = self.saved_tensors
        return (grad * -_cc(result * result),)


def _reciprocal_kernel(arr):
    return np.divide(1, arr, dtype=arr.dtype)


reciprocal = _float_unary("reciprocal", _reciprocal_kernel, ReciprocalBackward0, "result",
                          """1 / input.

    >>> ember.reciprocal(ember.tensor([2]))
    tensor([0.5000])
    """)


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
    _refuse_complex("atan2", a, kernel="atan2_cpu")
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
    """input - q * other with q = input / other rounded as the op rounds it (toward
    zero for fmod): other's gradient is -grad * q."""

    rounding_mode = "trunc"

    def backward(self, grad):
        a, b = self.saved_tensors
        gb = None
        if self.next_functions[1][0] is not None:
            gb = -grad * div(a, b, rounding_mode=self.rounding_mode)
        return grad, gb


class RemainderBackward0(FmodBackward0):
    pass


class RemainderBackward1(FmodBackward1):
    rounding_mode = "floor"     # remainder's quotient rounds toward -inf


class _NotImplementedBackward(Node):
    """torch records a node whose backward fails for these (floor_divide ...)."""

    op = "op"

    def name(self):
        return "torch::autograd::NotImplemented"

    def backward(self, grad):
        raise RuntimeError(f"the derivative for '{self.op}' is not implemented.")


def _nonempty(a, b):
    """Whether the broadcast result of ``a`` and ``b`` has any element."""
    return np.size(a) > 0 and np.size(b) > 0


def _integer_division_arrays(op, input, other, kernel):
    """Promoted arrays for fmod/remainder/floor_divide and the result, with torch's
    refusal of bool and of integer division by zero."""
    a, b, dev = prep_binary(op, input, other)
    dtype = _dtype_of(a, b)
    if dtype == _BOOL or dtype.kind == "c":
        raise _not_implemented(op + "_cpu", dtype)
    # an empty result divides nothing: torch only fails on a zero it actually uses
    if dtype.kind in "iu" and dev is not META and not np.all(b) and _nonempty(a, b):
        raise RuntimeError(f"{op}: ZeroDivisionError (integer division by zero)")
    if dtype in _LOW:
        like = _array_operand(a, b)
        r = _apply_binary(op, kernel, _astype(a, _F32, like), _astype(b, _F32, like)).astype(dtype)
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
        _record_modulo(res, input, other, FmodBackward1, FmodBackward0)
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
        else:
            _record_modulo(res, input, other, RemainderBackward1, RemainderBackward0)
    return _finish(res, out, "remainder")


def _record_modulo(res, input, other, tensor_node, number_node):
    """fmod's or remainder's node: ``tensor_node`` when other is a tensor (it gets a
    gradient too), else ``number_node``."""
    if isinstance(other, Tensor):
        record(tensor_node, res, (input, other), (input, other))
    else:
        record(number_node, res, (input,))


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

"""Comparisons and tests: eq, ne, lt, le, gt, ge (and their aliases), isclose,
allclose, equal; the NaN/inf tests isnan, isinf, isfinite, isposinf, isneginf, isreal;
and the elementwise extremes maximum, minimum, fmax, fmin.
"""

__all__ = [
    "allclose", "eq", "equal", "fmax", "fmin", "ge", "greater", "greater_equal", "gt",
    "isclose", "isfinite", "isinf", "isnan", "isneginf", "isposinf", "isreal", "le", "less",
    "less_equal", "lt", "maximum", "minimum", "ne", "not_equal",
]

import numpy as np

from ... import _dtype as D
from ..._device import META
from ..._tensor import Tensor
from ...autograd.graph import Node
from .. import _util as U
from .._util import GRAD, prep_binary, record
from ._common import (_BOOL, _apply_binary, _broadcast, _finish, _finish_exact,
                      _is_complex_operand, _is_float_array, _refuse_complex, _require_tensor,
                      _on_device, _typed, _wrap)
from .ternary import _keep_where, _masked_grads


# ----------------------------------------------------------------------------------
# comparisons: bool results, no gradient
# ----------------------------------------------------------------------------------

def _comparison(name, np_fn, ordered=False):
    def op(input, other, *, out=None):
        if not isinstance(input, Tensor):  # NOTE: torch.eq(2.5, t) is a TypeError too
            raise TypeError(f"{name}(): argument 'input' must be Tensor, not "
                            f"{type(input).__name__}")
        a, b, dev = prep_binary(name, input, other)
        # complex numbers have no order (NumPy's is lexicographic); input is a tensor, so
        # ``a`` is an array of the promoted dtype
        if ordered and a.dtype.kind == "c":
            _refuse_complex(name, a, kernel=name + "_cpu")
        try:
            res = _wrap(np_fn(a, b), dev)
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
lt = _comparison("lt", np.less, ordered=True)
le = _comparison("le", np.less_equal, ordered=True)
gt = _comparison("gt", np.greater, ordered=True)
ge = _comparison("ge", np.greater_equal, ordered=True)
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
    if dev.type == "cuda":
        a, b = _on_device((a, b), dev)
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
    allowed = np.abs(b * _typed(rtol, a.dtype, a)) + _typed(atol, a.dtype, a)
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
# NaN / inf tests: bool results, answered for integer and bool tensors too
# ----------------------------------------------------------------------------------

def _bool_unary(name, float_fn, other_value, doc, takes_out=False):
    """A bool-valued test; ``other_value`` is its answer for integer/bool tensors.

    Only some of them take out= in torch (``takes_out``: isposinf, isneginf).
    """
    def test(input):
        U.check_tensor(input, name)
        arr = input._data
        if _is_float_array(arr):
            r = float_fn(arr)
        elif arr.dtype.kind == "c":
            r = _complex_test(name, float_fn, arr)
        else:
            r = np.full_like(arr, other_value, dtype=_BOOL)
        return _wrap(r, input._device)

    def test_with_out(input, *, out=None):
        return _finish_exact(test(input), out, name)

    op = test_with_out if takes_out else test
    op.__name__ = op.__qualname__ = name
    op.__doc__ = doc
    return op


def _complex_test(name, float_fn, arr):
    if name in ("isposinf", "isneginf"):
        raise RuntimeError(f"{name} does not support complex inputs.")
    if name == "isreal":
        return arr.imag == 0
    return float_fn(arr)    # NumPy's isnan/isinf/isfinite look at both parts


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
isreal = _bool_unary("isreal", lambda a: np.ones_like(a, dtype=_BOOL), True,
                     """True where the imaginary part is 0 (everywhere for real dtypes).

    >>> ember.isreal(ember.tensor([1.0]))
    tensor([True])
    """)
isposinf = _bool_unary("isposinf", np.isposinf, False, """True where input is +inf.

    >>> ember.isposinf(ember.tensor([1.0, float('inf')]))
    tensor([False,  True])
    """, takes_out=True)
isneginf = _bool_unary("isneginf", np.isneginf, False, """True where input is -inf.

    >>> ember.isneginf(ember.tensor([1.0, float('-inf')]))
    tensor([False,  True])
    """, takes_out=True)


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
        return _masked_grads(self, grad, first, ~first)


class FminBackward0(Node):
    def backward(self, grad):
        a, b = self.saved_tensors
        first = (a._data <= b._data) | np.isnan(b._data)
        return _masked_grads(self, grad, first, ~first)


def _extreme(name, np_fn, node_cls, doc):
    def op(input, other, *, out=None):
        _require_tensor(input, name, "input", 1)
        _require_tensor(other, name, "other", 2)
        a, b, dev = prep_binary(name, input, other)
        if _is_complex_operand(a) or _is_complex_operand(b):
            raise RuntimeError(f"{name} not implemented for complex tensors (got "
                               f"{input.dtype} and {other.dtype}).")
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

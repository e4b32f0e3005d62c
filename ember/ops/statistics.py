"""Statistics reductions: var/std (and with the mean), median/nanmedian/mode and the
vector norm.  Shared conventions are described in ``reduction.py``."""

__all__ = ["median", "mode", "nanmedian", "norm", "std", "std_mean", "var", "var_mean"]

import math
import warnings

import numpy as np

from .. import _dtype as D
from .._device import as_array, xp_of
from .._tensor import Tensor
from ..autograd.graph import Node
from . import _util as U
from ._util import GRAD, record
from .reduction import (  # shared reduction helpers
    _FROM_NP, _py_max, _py_any, reduce_dims, _keep, _const, _compute, _finish,
    _finish_exact, _dim_aliases, _reduced_count, _check_float, _pow_scalar, _sign,
    _moveaxis, accumulate, argsort_stable)
from ._return_types import _write_tuple_out
from .extrema import (MedianBackward0, MedianBackward1, ModeBackward0, NanmedianBackward0,
                      NanmedianBackward1, _record_even, _select_along)
from .reduction import mean


# ----------------------------------------------------------------------------------
# var / std / var_mean / std_mean
# ----------------------------------------------------------------------------------

def _correction(op, unbiased, correction):
    if unbiased is not None and correction is not None:
        raise TypeError(f"{op}(): pass either 'unbiased' or 'correction', not both")
    if correction is not None:
        return correction
    if unbiased is None:
        return 1
    return 1 if unbiased else 0


class VarBackward0(Node):
    def backward(self, grad):
        (x,) = self.saved_tensors
        g = _keep(grad, self.axes, self.keepdim)
        centered = x - mean(x, self.axes, keepdim=True)
        return (centered * (g * (2.0 / self.dof if self.dof > 0 else math.inf)),)


class StdBackward0(Node):
    def backward(self, grad):
        x, result = self.saved_tensors
        g = _keep(grad, self.axes, self.keepdim)
        r = _keep(result, self.axes, self.keepdim)
        zero = r._data == 0
        # NOTE: torch gives a zero gradient where std is 0 (not nan).
        g = g / (r + _const(zero.astype(r._data.dtype), r)) * _const(~zero, r).to(g.dtype)
        centered = x - mean(x, self.axes, keepdim=True)
        return (centered * (g / self.dof if self.dof > 0 else g * math.inf),)


def _var_std(op, input, dim, unbiased, keepdim, correction, take_sqrt):
    U.check_tensor(input, op)
    if isinstance(dim, bool):           # var(x, False): the legacy unbiased flag
        dim, unbiased = None, dim
    _check_float(input, op)
    corr = _correction(op, unbiased, correction)
    arr = input._data
    axes, _ = reduce_dims(input, dim, op)
    n = _reduced_count(arr.shape, axes)
    dof = _py_max(0, n - corr)
    if n - corr <= 0:
        warnings.warn(f"{op}(): degrees of freedom is <= 0. Correction should be strictly less "
                      "than the reduction factor (input numel divided by output numel).",
                      UserWarning, stacklevel=3)
    work = _compute(arr)
    centered = work - np.true_divide(np.sum(work, axis=axes, keepdims=True), n)
    out_dtype = arr.dtype
    if centered.dtype.kind == "c":
        # the variance of complex numbers is real: the mean of |x - mean|^2
        centered = np.abs(centered)
        out_dtype = centered.dtype
    sq = np.sum(centered * centered, axis=axes, keepdims=keepdim)
    result = np.true_divide(sq, centered.dtype.type(dof))
    if take_sqrt:
        result = np.sqrt(result)
    res = U.wrap(as_array(result, out_dtype), input._device)
    if GRAD.enabled and input._rg:
        if take_sqrt:
            node = record(StdBackward0, res, (input,), (input, res))
        else:
            node = record(VarBackward0, res, (input,), (input,))
        node.axes, node.keepdim, node.dof = axes, keepdim, dof
    return res


def var(input, dim=None, unbiased=None, keepdim=False,
        *, correction=None, out=None, axis=None, keepdims=None):
    """Variance over ``dim`` with Bessel's ``correction`` (default 1).

    ``unbiased`` is torch's legacy flag (True = correction 1, False = 0).

    >>> ember.tensor([1., 2., 3., 4.]).var()
    tensor(1.6667)
    """
    if axis is not None or keepdims is not None:
        dim, keepdim = _dim_aliases("var", dim, keepdim, axis, keepdims, None)
    res = _var_std("var", input, dim, unbiased, keepdim, correction, False)
    return _finish(res, out, "var")


def std(input, dim=None, unbiased=None, keepdim=False,
        *, correction=None, out=None, axis=None, keepdims=None):
    """Standard deviation over ``dim`` (see :func:`var` for the arguments).

    >>> ember.tensor([1., 2., 3., 4.]).std(correction=0)
    tensor(1.1180)
    """
    if axis is not None or keepdims is not None:
        dim, keepdim = _dim_aliases("std", dim, keepdim, axis, keepdims, None)
    res = _var_std("std", input, dim, unbiased, keepdim, correction, True)
    return _finish(res, out, "std")


def var_mean(input, dim=None, unbiased=None, keepdim=False,
             *, correction=None, out=None, axis=None, keepdims=None):
    """(var, mean) over ``dim``, as a tuple.

    >>> ember.var_mean(ember.tensor([1., 2., 3.]))
    (tensor(1.), tensor(2.))
    """
    if axis is not None or keepdims is not None:
        dim, keepdim = _dim_aliases("var_mean", dim, keepdim, axis, keepdims, None)
    if isinstance(dim, bool):
        dim, unbiased = None, dim
    v = _var_std("var_mean", input, dim, unbiased, keepdim, correction, False)
    m = mean(input, dim, keepdim)
    if out is not None:
        return tuple(_write_tuple_out(out, (v, m), "var_mean"))
    return v, m


def std_mean(input, dim=None, unbiased=None, keepdim=False,
             *, correction=None, out=None, axis=None, keepdims=None):
    """(std, mean) over ``dim``, as a tuple.

    >>> ember.std_mean(ember.tensor([1., 2., 3.]))
    (tensor(1.), tensor(2.))
    """
    if axis is not None or keepdims is not None:
        dim, keepdim = _dim_aliases("std_mean", dim, keepdim, axis, keepdims, None)
    if isinstance(dim, bool):
        dim, unbiased = None, dim
    s = _var_std("std_mean", input, dim, unbiased, keepdim, correction, True)
    m = mean(input, dim, keepdim)
    if out is not None:
        return tuple(_write_tuple_out(out, (s, m), "std_mean"))
    return s, m



# ----------------------------------------------------------------------------------
# vector norm
# ----------------------------------------------------------------------------------


class LinalgVectorNormBackward0(Node):
    def backward(self, grad):
        x, result = self.saved_tensors
        p = self.p
        if p == 0:
            return (None,)
        g = _keep(grad, self.axes, self.keepdim)
        n = _keep(result, self.axes, self.keepdim).to(x.dtype)
        xa = x._data
        sign = _sign(x, nan=0 if math.isinf(p) else None)
        if p == 1:
            return (g * sign,)
        if math.isinf(p):
            mask = np.abs(xa) == n._data
            # NOTE: a NaN norm matches no element; torch then gives 0, not 0/0.
            count = np.maximum(np.sum(mask, self.axes, keepdims=True), 1)
            scale = np.where(mask, 1 / count, 0).astype(xa.dtype)
            return (g * sign * _const(scale, x),)
        n_zero = n._data == 0
        # NOTE: torch gives a zero gradient where the norm is 0, not nan.
        n_safe = n + _const(n_zero.astype(xa.dtype), x)
        g = g * _const(~n_zero, x).to(g.dtype)
        if p == 2:
            return (x * (g / n_safe),)
        x_zero = (xa == 0).astype(xa.dtype)
        abs_safe = x * sign + _const(x_zero, x)
        return (sign * _pow_scalar(abs_safe, p - 1) * (g / _pow_scalar(n_safe, p - 1)),)


def _vector_norm(op, input, p, dim, keepdim, dtype):
    if _FROM_NP[input._data.dtype].category < D.FLOAT:
        raise RuntimeError(f"linalg.vector_norm: Expected a floating point or complex tensor as "
                           f"input. Got {input.dtype.name.capitalize()}")
    if dtype is not None and input.dtype is not dtype:
        input = input.to(dtype)
    arr = input._data
    axes, all_dims = reduce_dims(input, dim, op)
    # NOTE: as torch, only a reduced dim of size 0 matters (a (0, 4) input reduced over
    # dim 1 is fine), and negative orders have no identity either.
    if (math.isinf(p) or p < 0) and _py_any(arr.shape[a] == 0 for a in axes):
        order = ("" if p > 0 else "-") + "inf" if math.isinf(p) else f"{p:g}"
        where = "an empty tensor" if all_dims else "an empty dimension"
        raise RuntimeError(f"linalg.vector_norm cannot compute the {order} norm on {where} "
                           "because the operation does not have an identity")
    a = np.abs(_compute(arr))
    if p == 0:
        result = np.sum(a != 0, axis=axes, keepdims=keepdim, dtype=a.dtype)
    elif p == 1:
        result = np.sum(a, axis=axes, keepdims=keepdim)
    elif p == 2:
        result = np.sqrt(np.sum(a * a, axis=axes, keepdims=keepdim))
    elif p == math.inf:
        result = np.max(a, axis=axes, keepdims=keepdim)
    elif p == -math.inf:
        result = np.min(a, axis=axes, keepdims=keepdim)
    else:
        e = a.dtype.type(p)
        result = np.power(np.sum(np.power(a, e), axis=axes, keepdims=keepdim), 1 / e)
    # a complex input has a real norm (complex64 -> float32)
    res = U.wrap(as_array(result, a.dtype if arr.dtype.kind == "c" else arr.dtype),
                 input._device)
    if GRAD.enabled and input._rg:
        node = record(LinalgVectorNormBackward0, res, (input,), (input, res))
        node.p, node.axes, node.keepdim = p, axes, keepdim
    return res


def norm(input, p="fro", dim=None, keepdim=False, out=None, dtype=None):
    """The vector p-norm over ``dim`` (all elements by default), as ``torch.norm``.

    ``p`` is a number (2, 1, inf, -inf, 0 or any other real) or ``'fro'`` (the
    2-norm over at most two dims).

    >>> ember.tensor([3., 4.]).norm()
    tensor(5.)
    """
    U.check_tensor(input, "norm")
    if isinstance(p, Tensor):
        p = p.item()
    if isinstance(p, str):
        if p == "fro":
            if isinstance(dim, (list, tuple)) and len(dim) > 2:
                raise RuntimeError(f"linalg.matrix_norm: dim must be a 2-tuple. Got "
                                   f"{' '.join(str(d) for d in dim)}")
            p = 2
        elif p == "nuc":
            dims = tuple(range(input.ndim)) if dim is None else (
                tuple(dim) if isinstance(dim, (list, tuple)) else (dim,))
            if len(dims) != 2:
                raise RuntimeError(f"linalg.matrix_norm: dim must be a 2-tuple. Got "
                                   f"{' '.join(str(d) for d in dims)}")
            from ..linalg import matrix_norm
            return _finish_exact(matrix_norm(input, "nuc", dims, keepdim, dtype=dtype), out,
                                 "norm")
        else:
            raise RuntimeError(f"linalg.matrix_norm: Order {p} not supported.")
    elif not isinstance(p, (int, float, np.number)) or isinstance(p, bool):
        raise TypeError(f"norm(): argument 'p' must be a number or str, not {type(p).__name__}")
    res = _vector_norm("norm", input, float(p), dim, keepdim, dtype)
    return _finish_exact(res, out, "norm")


# ----------------------------------------------------------------------------------
# median / nanmedian / mode
# ----------------------------------------------------------------------------------

def _check_sortable(op, input):
    if input._data.dtype == np.bool_:
        raise NotImplementedError(f"\"{op}_cpu\" not implemented for 'Bool'")


def _median_pick(ignore_nan):
    def pick(a, d):
        work = _compute(a)
        order = argsort_stable(work, d)
        n = a.shape[d]
        nans = np.sum(np.isnan(work), axis=d, keepdims=True) if work.dtype.kind == "f" \
            else xp_of(work).zeros((1,) * a.ndim, dtype=np.int64)
        if ignore_nan:
            k = np.maximum((n - nans - 1) // 2, 0)
        else:
            # NOTE: a NaN makes the median NaN, at the index of the first NaN.
            k = np.where(nans > 0, n - nans, (n - 1) // 2)
        return np.take_along_axis(order, np.broadcast_to(k, _keep_shape(a.shape, d)), axis=d)
    return pick


def _keep_shape(shape, d):
    shape = list(shape)
    shape[d] = 1
    return tuple(shape)


def _median_all(op, node_cls, input, ignore_nan):
    arr = input._data
    if arr.size == 0:
        res = U.wrap(np.full_like(arr, np.nan, shape=()), input._device)
    else:
        flat = arr.reshape(-1)
        index = _median_pick(ignore_nan)(flat, 0)
        res = U.wrap(flat[index[0]], input._device)
    if GRAD.enabled and input._rg:
        _record_even(node_cls, res, input, tuple(range(arr.ndim)), False, True)
    return res


def median(input, dim=None, keepdim=False, *, out=None, axis=None, keepdims=None):
    """median(input) -> the lower median of all elements; median(input, dim) ->
    (values, indices) along ``dim``.  NaN propagates.

    >>> ember.tensor([3., 1., 2., 4.]).median()
    tensor(2.)
    """
    if axis is not None or keepdims is not None:
        dim, keepdim = _dim_aliases("median", dim, keepdim, axis, keepdims, None)
    U.check_tensor(input, "median")
    _check_sortable("median", input)
    if dim is None:
        if keepdim:
            raise TypeError("median(): keepdim=True needs a dim")
        return _finish(_median_all("median", MedianBackward0, input, False), out, "median")
    return _select_along("median", MedianBackward1, input, dim, keepdim, _median_pick(False),
                         out)


def nanmedian(input, dim=None, keepdim=False, *, out=None, axis=None, keepdims=None):
    """Like :func:`median`, ignoring NaN (NaN only where every element is NaN).

    >>> ember.tensor([3., float('nan'), 1.]).nanmedian()
    tensor(1.)
    """
    if axis is not None or keepdims is not None:
        dim, keepdim = _dim_aliases("nanmedian", dim, keepdim, axis, keepdims, None)
    U.check_tensor(input, "nanmedian")
    _check_sortable("nanmedian", input)
    if dim is None:
        if keepdim:
            raise TypeError("nanmedian(): keepdim=True needs a dim")
        return _finish(_median_all("nanmedian", NanmedianBackward0, input, True), out,
                       "nanmedian")
    return _select_along("nanmedian", NanmedianBackward1, input, dim, keepdim,
                         _median_pick(True), out)


def _mode_pick(a, d):
    # Stable sort (NaN last); half types through float32, where NumPy sorts them right.
    work = _compute(a)
    order = argsort_stable(work, d)
    s = np.take_along_axis(work, order, axis=d)
    s, order = _moveaxis(s, d), _moveaxis(order, d)
    n = s.shape[-1]
    xp = xp_of(s)
    pos = xp.arange(n)
    starts = xp.ones(s.shape, dtype=bool)
    starts[..., 1:] = s[..., 1:] != s[..., :-1]     # NaN != NaN: each NaN is its own run
    ends = xp.ones(s.shape, dtype=bool)
    ends[..., :-1] = starts[..., 1:]
    run_start = accumulate(np.maximum, np.where(starts, pos, pos.dtype.type(0)), -1)
    length = np.where(ends, pos - run_start + 1, pos.dtype.type(0))
    # The first longest run in sorted order is the smallest most frequent value; its
    # last element in a stable sort is the value's last occurrence.
    best = np.argmax(length, axis=-1)[..., None]
    index = np.take_along_axis(order, best, axis=-1)
    return np.moveaxis(index, -1, d)


def mode(input, dim=-1, keepdim=False, *, out=None, axis=None, keepdims=None):
    """Most frequent value along ``dim`` (the smallest among equally frequent ones) and
    an index where it occurs, as (values, indices).

    >>> ember.tensor([[1, 3, 3, 1, 2]]).mode(1)
    torch.return_types.mode(
    values=tensor([1]),
    indices=tensor([3]))
    """
    if axis is not None or keepdims is not None:
        dim, keepdim = _dim_aliases("mode", dim, keepdim, axis, keepdims, -1)
    # NOTE: torch's index is the value's last occurrence for dims up to 16 long (its
    # sort is stable there); beyond that torch's own choice among ties varies.
    return _select_along("mode", ModeBackward0, input, dim, keepdim, _mode_pick, out)


# ----------------------------------------------------------------------------------
# Tensor methods
# ----------------------------------------------------------------------------------

METHODS = {
    "var": var, "std": std, "norm": norm, "median": median, "nanmedian": nanmedian,
    "mode": mode,
}
for _name, _fn in METHODS.items():
    setattr(Tensor, _name, _fn)

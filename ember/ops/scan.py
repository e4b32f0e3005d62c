"""Scans: cumsum/cumprod/cummax/cummin/logcumsumexp along one dim.  Shared
conventions are described in ``reduction.py``."""

__all__ = ["cummax", "cummin", "cumprod", "cumsum", "logcumsumexp"]

import numpy as np

from .. import _dtype as D
from .._device import as_array, xp_of
from .._tensor import Tensor
from ..autograd.graph import Node
from . import _util as U
from ._inplace import apply_inplace
from ._util import GRAD, record
from .reduction import (  # shared reduction helpers
    _FROM_NP, _LOW_PRECISION, _F32, _I64, _one_dim, _const, _compute, _finish,
    _finish_exact, _dim_aliases, _dtype_from_out, _scatter_add, _rev_cumsum, _moveaxis,
    accumulate)
from ._return_types import return_types, _write_tuple_out
from .reduction import sum


# ----------------------------------------------------------------------------------
# scans: cumsum / cumprod / cummax / cummin / logcumsumexp
# ----------------------------------------------------------------------------------

def _scan_dtype(arr, dtype):
    if dtype is not None:
        return dtype.np
    if _FROM_NP[arr.dtype].category < D.FLOAT:
        return _I64
    return arr.dtype


def _scan(np_scan, arr, d, target):
    # NOTE: torch's CPU scans accumulate float32 in double (and half types in
    # float); doing the same keeps long float32 cumsums equal to torch's.
    if target in _LOW_PRECISION or target == _F32:
        acc = np.float64 if target == _F32 else _F32
        return np_scan(arr.astype(acc, copy=False), axis=d).astype(target)
    return np_scan(arr, axis=d, dtype=target)


def _cum_accumulate(op, np_scan, node_cls, input, dim, dtype, out, axis):
    """cumsum/cumprod: the running ``np_scan`` along one dim; the node saves (input, res)
    when it is CumprodBackward0."""
    if axis is not None:
        dim, _ = _dim_aliases(op, dim, None, axis, None, None)
    U.check_tensor(input, op)
    dtype = _dtype_from_out(dtype, out)
    arr = input._data
    d = _one_dim(input, dim, op)
    target = _scan_dtype(arr, dtype)
    result = arr.astype(target) if arr.ndim == 0 else _scan(np_scan, arr, d, target)
    res = U.wrap(as_array(result), input._device)
    if GRAD.enabled and input._rg:
        saved = (input, res) if node_cls is CumprodBackward0 else None
        record(node_cls, res, (input,), saved).dim = d
    return _finish(res, out, op)


class CumsumBackward0(Node):
    def backward(self, grad):
        if grad._data.ndim == 0:
            return (grad,)
        return (_rev_cumsum(grad, self.dim),)


def cumsum(input, dim=None, *, dtype=None, out=None, axis=None):
    """Running sum along ``dim`` (integers and bool give int64).

    >>> ember.tensor([1, 2, 3]).cumsum(0)
    tensor([1, 3, 6])
    """
    return _cum_accumulate("cumsum", np.cumsum, CumsumBackward0, input, dim, dtype, out, axis)


def _cumprod_grad_array(x, g, d):
    """First-order cumprod gradient in NumPy, O(n) and exact with zeros."""
    x, g = _moveaxis(x, d), _moveaxis(g, d)
    n = x.shape[-1]
    pos = xp_of(x).arange(n)
    is_zero = x == 0
    first_zero = np.where(is_zero.any(-1, keepdims=True), np.argmax(is_zero, -1)[..., None], n)
    before = pos < first_zero
    one = x.dtype.type(1)
    out = np.cumprod(np.where(before, x, one), -1)
    # Before the first zero: sum_{k>=i} g_k out_k / x_i (terms past the zero vanish).
    w = np.flip(np.cumsum(np.flip(g * out * before, -1), -1), -1)
    grad = np.where(before, w / np.where(before, x, one), x.dtype.type(0))
    # At the first zero: prod_{j<z} x_j * sum_{k>=z} g_k prod_{z<j<=k} x_j.
    lead = np.prod(np.where(before, x, one), -1, keepdims=True)
    after = np.cumprod(np.where(pos > first_zero, x, one), -1)
    tail = np.sum(g * after * (pos >= first_zero), -1, keepdims=True)
    grad = np.where(pos == first_zero, lead * tail, grad)
    return np.moveaxis(grad, -1, d)


def _cumprod_grad_graph(x, g, d):
    """Differentiable cumprod gradient, exact with zeros: O(n^2) along ``d``.

    Row i of an (n, n) matrix is x with x_i replaced by 1; its cumprod at k >= i is
    d out_k / d x_i.  (torch also switches to an O(n^2) formula for double backward.)
    """
    xt = x.transpose(d, -1)
    gt = g.transpose(d, -1)
    n = xt._data.shape[-1]
    xp = xp_of(x._data)
    eye = xp.eye(n, dtype=x._data.dtype)
    rows = xt.unsqueeze(-2) * _const(1 - eye, x) + _const(eye, x)
    upper = _const(xp.triu(xp.ones((n, n), dtype=x._data.dtype)), x)
    grad = sum(gt.unsqueeze(-2) * cumprod(rows, -1) * upper, -1)
    return grad.transpose(d, -1)


class CumprodBackward0(Node):
    def backward(self, grad):
        x, result = self.saved_tensors
        xa = x._data
        if xa.ndim == 0 or xa.size == 0:
            return (grad,)
        d = self.dim
        if not (xa == 0).any():
            return (_rev_cumsum(grad * result, d) / x,)
        if GRAD.enabled:
            return (_cumprod_grad_graph(x, grad, d),)
        return (_const(_cumprod_grad_array(xa, grad._data.astype(xa.dtype), d), x),)


def cumprod(input, dim=None, *, dtype=None, out=None, axis=None):
    """Running product along ``dim``; exact gradients with zeros in the input.

    >>> ember.tensor([1., 2., 3.]).cumprod(0)
    tensor([1., 2., 6.])
    """
    return _cum_accumulate("cumprod", np.cumprod, CumprodBackward0, input, dim, dtype, out,
                           axis)


class _CumSelectBackward(Node):
    def backward(self, grad):
        return (_scatter_add(grad, self.dim, self.index, self.index.shape),)


class CummaxBackward0(_CumSelectBackward):
    pass


class CumminBackward0(_CumSelectBackward):
    pass


def _cum_extreme(op, node_cls, np_acc, input, dim, out, axis=None):
    if axis is not None:
        dim, _ = _dim_aliases(op, dim, None, axis, None, None)
    U.check_tensor(input, op)
    arr = input._data
    if arr.size == 0 and isinstance(dim, int) and not isinstance(dim, bool):
        # NOTE: torch returns an empty input as is, without checking that dim is in range
        dim = 0
    d = _one_dim(input, dim, op)
    if arr.ndim == 0:
        res = _cum_extreme(op, node_cls, np_acc, input.reshape(1), 0, None)
        result = getattr(return_types, op)((res[0].reshape(()), res[1].reshape(())))
        return result if out is None else _write_tuple_out(out, result, op)
    a = arr.astype(np.uint8) if arr.dtype == np.bool_ else _compute(arr)
    running = accumulate(np_acc, a, d)
    # NOTE: torch takes the LAST index among equal values, and once a NaN is seen the
    # running value stays NaN with the index of the latest NaN.
    hit = a == running
    if a.dtype.kind == "f":
        hit |= np.isnan(a)
    shape = [1] * arr.ndim
    shape[d] = arr.shape[d]
    pos = xp_of(arr).arange(arr.shape[d], dtype=np.int64).reshape(shape)
    index = accumulate(np.maximum, np.where(hit, pos, np.int64(0)), d)
    values = U.wrap(np.take_along_axis(arr, index, axis=d), input._device)
    if GRAD.enabled and input._rg:
        node = record(node_cls, values, (input,))
        node.dim, node.index = d, index
    result = getattr(return_types, op)((values, U.wrap(index, input._device)))
    if out is not None:
        return _write_tuple_out(out, result, op)
    return result


def cummax(input, dim=None, *, out=None, axis=None):
    """Running maximum along ``dim`` and where it was found, as (values, indices).

    >>> ember.tensor([1., 3., 3., 0.]).cummax(0).indices
    tensor([0, 1, 2, 2])
    """
    return _cum_extreme("cummax", CummaxBackward0, np.maximum, input, dim, out, axis)


def cummin(input, dim=None, *, out=None, axis=None):
    """Running minimum along ``dim`` and where it was found, as (values, indices).

    >>> ember.tensor([2., 1., 1., 4.]).cummin(0).indices
    tensor([0, 1, 2, 2])
    """
    return _cum_extreme("cummin", CumminBackward0, np.minimum, input, dim, out, axis)


def _rev_logcumsumexp_array(a, d):
    return np.flip(accumulate(np.logaddexp, np.flip(a, d), d), d)


class LogcumsumexpBackward0(Node):
    def backward(self, grad):
        x, result = self.saved_tensors
        xa = x._data
        if xa.ndim == 0 or xa.size == 0:
            return (grad,)
        d = self.dim
        if GRAD.enabled:
            return (self._graph(x, result, grad, d),)
        # grad_i = sum_{k>=i} g_k exp(x_i - out_k), summed in log space separately for
        # the positive and the negative part of g, so nothing overflows.
        g = _compute(grad._data.astype(xa.dtype))
        xw, rw = _compute(xa), _compute(result._data)
        with np.errstate(divide="ignore"):
            log_abs = np.log(np.abs(g))
        neg_inf = g.dtype.type(-np.inf)
        total = np.zeros_like(xw)
        for sign, part in ((1, g > 0), (-1, g < 0)):
            if part.any():
                logs = _rev_logcumsumexp_array(np.where(part, log_abs, neg_inf) - rw, d)
                total = total + sign * np.exp(xw + logs)
        return (_const(total.astype(xa.dtype), x),)

    @staticmethod
    def _graph(x, result, grad, d):
        """Differentiable O(n^2) form (double backward): sum_k g_k exp(x_i - out_k)[k>=i]."""
        xt, rt, gt = x.transpose(d, -1), result.transpose(d, -1), grad.transpose(d, -1)
        n = xt._data.shape[-1]
        xp = xp_of(x._data)
        below = xp.tril(xp.ones((n, n), dtype=bool), -1)
        block = _const(np.where(below, -np.inf, 0.0).astype(x._data.dtype), x)
        weights = (xt.unsqueeze(-1) - rt.unsqueeze(-2) + block).exp()
        return sum(weights * gt.unsqueeze(-2), -1).transpose(d, -1)


def logcumsumexp(input, dim=None, *, out=None, axis=None):
    """log(cumsum(exp(input))) along ``dim``, computed stably.

    >>> ember.tensor([0., 0.]).logcumsumexp(0)
    tensor([0.0000, 0.6931])
    """
    if axis is not None:
        dim, _ = _dim_aliases("logcumsumexp", dim, None, axis, None, None)
    U.check_tensor(input, "logcumsumexp")
    arr = input._data
    if _FROM_NP[arr.dtype].category < D.FLOAT:
        raise NotImplementedError(f"\"logcumsumexp_out_cpu\" not implemented for "
                                  f"'{input.dtype.name.capitalize()}'")
    d = _one_dim(input, dim, "logcumsumexp")
    if arr.ndim == 0:
        result = arr.copy()
    else:
        result = accumulate(np.logaddexp, _compute(arr), d).astype(arr.dtype)
    res = U.wrap(result, input._device)
    if GRAD.enabled and input._rg:
        record(LogcumsumexpBackward0, res, (input,), (input, res)).dim = d
    return _finish_exact(res, out, "logcumsumexp")


# ----------------------------------------------------------------------------------
# Tensor methods
# ----------------------------------------------------------------------------------

def _cumsum_(self, dim, *, dtype=None):
    return apply_inplace(self, "cumsum_",
                         lambda s: cumsum(s, dim, dtype=dtype or s.dtype), (self,))


def _cumprod_(self, dim, *, dtype=None):
    return apply_inplace(self, "cumprod_",
                         lambda s: cumprod(s, dim, dtype=dtype or s.dtype), (self,))


METHODS = {
    "cumsum": cumsum, "cumprod": cumprod, "cummax": cummax, "cummin": cummin,
    "logcumsumexp": logcumsumexp, "cumsum_": _cumsum_, "cumprod_": _cumprod_,
}
for _name, _fn in METHODS.items():
    setattr(Tensor, _name, _fn)

"""Reductions: sums, means, products, logsumexp and logical reductions over all dims,
one dim or several, with keepdim; and the helpers shared by the reduction family:
``statistics.py`` (var/std/median/mode/norm), ``extrema.py`` (max/min/arg*) and
``scan.py`` (cum*).  The ops moved there are re-exported here.

Conventions shared by the family (all matching torch's CPU kernels):

* float16/bfloat16 inputs are computed in float32 and rounded once at the end;
  integer and bool sums, products and scans give int64.
* ``dim=None`` (or ``[]``/``()`` where torch takes a list) reduces every dim; a
  0-dim tensor accepts dim 0 and -1.
* Ops returning values and indices return a named tuple (``torch.return_types.max``
  ...) whose indices pick the first occurrence for max/min/argmax, the last one for
  cummax/cummin and mode, and the k-th element of a stable sort for median.
* Gradients of value-selecting ops (max with dim, median, mode, cummax ...) go to
  the selected index; full reductions to a value (max(), amax, median()) split the
  gradient evenly among ties.
"""

__all__ = ["all", "any", "count_nonzero", "logsumexp", "mean", "nanmean", "nansum", "prod",
           "sum"]

import builtins
import operator

import numpy as np

from .. import _dtype as D
from .._device import as_array, xp_of
from .._tensor import Tensor
from ..autograd.graph import Node
from . import _util as U
from ._util import GRAD, record

_FROM_NP = D._FROM_NP
_LOW_PRECISION = (np.dtype(np.float16), D.bfloat16.np)
_F32 = np.dtype(np.float32)
_I64 = np.dtype(np.int64)
# This module defines sum/max/min/any/all; the builtins stay reachable under these names.
_py_max, _py_any = builtins.max, builtins.any


# ----------------------------------------------------------------------------------
# shared helpers
# ----------------------------------------------------------------------------------

def _as_int_dim(d, op):
    if isinstance(d, Tensor) and d._data.ndim == 0:
        d = d.item()
    try:
        return operator.index(d)
    except TypeError:
        raise TypeError(f"{op}(): argument 'dim' must be int or tuple of ints, not "
                        f"{type(d).__name__}") from None


def reduce_dims(input, dim, op):
    """(axes tuple, all_reduced) for a dim argument; torch's dim=[] means all dims."""
    nd = input._data.ndim
    if dim is None or (isinstance(dim, (list, tuple)) and len(dim) == 0):
        return tuple(range(nd)), True
    if isinstance(dim, (list, tuple)):
        dim = tuple(_as_int_dim(d, op) for d in dim)
    else:
        dim = _as_int_dim(dim, op)
    if nd == 0:
        # torch accepts dim 0 / -1 on a 0-dim tensor.
        wrapped = [U.wrap_dim(d, 0, op) for d in (dim if isinstance(dim, tuple) else (dim,))]
        if len(wrapped) > 1:
            raise RuntimeError(f"{op}(): dim 0 appears multiple times in the list of dims")
        return (), False
    return U.normalize_dims(dim, nd, op), False


def _one_dim(input, dim, op):
    """A single int dim, wrapped (0-dim tensors take 0 and -1); TypeError for tuples."""
    if isinstance(dim, (list, tuple)) or dim is None:
        raise TypeError(f"{op}(): argument 'dim' must be int, not {type(dim).__name__}")
    return U.wrap_dim(_as_int_dim(dim, op), input._data.ndim, op)


def _keep(t, axes, keepdim):
    """A reduction result (or its gradient) with the reduced dims restored as size 1."""
    if keepdim or not axes:
        return t
    shape = list(t._data.shape)
    for a in sorted(axes):
        shape.insert(a, 1)
    return t.reshape(shape)


def _keep_arr(arr, axes, keepdim):
    if keepdim or not axes:
        return arr
    return np.expand_dims(arr, tuple(sorted(axes)))


def expand_reduced_grad(grad, in_shape, axes, keepdim):
    """Broadcast a reduction's gradient back to the input shape (differentiable)."""
    return _keep(grad, axes, keepdim).expand(in_shape)


def _const(arr, like):
    """A constant tensor (no graph) on ``like``'s device."""
    return U.wrap(as_array(arr), like._device)


def accumulate(uf, arr, axis):
    """``uf.accumulate(arr, axis=axis)`` on either device.

    NOTE: CuPy's ufuncs accumulate only add and multiply; other ufuncs (maximum,
    logaddexp) on a device array run a log-step (Hillis-Steele) scan instead:
    ceil(log2 n) elementwise calls, each combining with the value ``step`` back.
    """
    if type(arr) is np.ndarray or uf is np.add or uf is np.multiply:
        return uf.accumulate(arr, axis=axis)
    out = np.moveaxis(arr, axis, -1).copy()
    n, step = out.shape[-1], 1
    while step < n:
        out[..., step:] = uf(out[..., :-step], out[..., step:])
        step *= 2
    return np.moveaxis(out, -1, axis)


def argsort_stable(arr, axis=-1):
    """A stable argsort, NaN last, on either device (CuPy's sorts are always stable and
    accept ``kind="stable"``)."""
    return np.argsort(arr, axis=axis, kind="stable")


def _compute(arr):
    """The array to compute on: float16/bfloat16 go through float32, as torch."""
    return arr.astype(_F32) if arr.dtype in _LOW_PRECISION else arr


def _finish(res, out, op):
    return res if out is None else U.write_out(out, res, op)


def _finish_exact(res, out, op):
    """out= for ops whose out tensor must have the result's dtype exactly (no casting)."""
    if out is None:
        return res
    if isinstance(out, Tensor) and out.dtype is not res.dtype:
        raise RuntimeError(f"{op}(): Expected out tensor to have dtype {res.dtype}, but got "
                           f"{out.dtype} instead")
    return U.write_out(out, res, op)


def _dim_aliases(op, dim, keepdim, axis, keepdims, no_dim):
    """NOTE: torch accepts NumPy's names too: ``axis=`` for ``dim=`` and ``keepdims=`` for
    ``keepdim=`` (``P.sum(1, keepdims=True)``)."""
    if axis is not None:
        if dim is not no_dim and not (type(dim) is type(no_dim) and dim == no_dim):
            raise TypeError(f"{op}() got multiple values for argument 'dim' (also given as "
                            "'axis')")
        dim = axis
    if keepdims is not None:
        keepdim = keepdims
    return dim, keepdim


def _dtype_from_out(dtype, out):
    """NOTE: sum/prod/cumsum-like ops with out= and no dtype= compute in out's dtype (so a
    float sum may go into an int64 out), as torch does."""
    if dtype is None and isinstance(out, Tensor):
        return out.dtype
    return dtype


def _reduced_count(shape, axes):
    n = 1
    for a in axes:
        n *= shape[a]
    return n


def _check_float(input, op):
    if _FROM_NP[input._data.dtype].category < D.FLOAT:
        raise RuntimeError(f"{op}(): expected a floating point input, got {input.dtype} "
                           f"(shape {list(input.shape)})")


def _zero_size_error(op, d):
    return IndexError(f"{op}(): Expected reduction dim {d} to have non-zero size.")


def _check_nonempty_dims(arr, axes, op, all_dims):
    if arr.size:
        return
    if all_dims:
        raise RuntimeError(f"{op}(): Expected reduction dim to be specified for input.numel() "
                           "== 0. Specify the reduction dim with the 'dim' argument.")
    for a in axes:
        if arr.shape[a] == 0:
            raise _zero_size_error(op, a)


# NOTE: the named tuples live in _return_types; ``return_types`` stays importable from
# here (ember/__init__ and pickles use ember.ops.reduction.return_types).
from ._return_types import return_types, _write_tuple_out  # noqa: E402,F401


# ----------------------------------------------------------------------------------
# private differentiable primitives used by backward formulas
# ----------------------------------------------------------------------------------

class GatherBackward0(Node):
    def backward(self, grad):
        return (_scatter_add(grad, self.dim, self.index, self.in_shape),)


def _gather(input, dim, index):
    """``input`` picked at ``index`` (an int array) along ``dim``; differentiable."""
    res = U.wrap(np.take_along_axis(input._data, index, axis=dim), input._device)
    if GRAD.enabled and input._rg:
        node = record(GatherBackward0, res, (input,))
        node.dim, node.index, node.in_shape = dim, index, input._data.shape
    return res


class ScatterAddBackward0(Node):
    def backward(self, grad):
        return (_gather(grad, self.dim, self.index),)


def _scatter_add(src, dim, index, shape):
    """Zeros of ``shape`` with ``src`` added at ``index`` along ``dim``; differentiable."""
    data = src._data
    xp = xp_of(data)
    acc = xp.zeros(shape, dtype=_F32 if data.dtype in _LOW_PRECISION else data.dtype)
    grids = list(xp.ix_(*[xp.arange(s) for s in index.shape]))
    grids[dim] = index
    np.add.at(acc, tuple(grids), data)
    res = U.wrap(acc.astype(data.dtype, copy=False), src._device)
    if GRAD.enabled and src._rg:
        node = record(ScatterAddBackward0, res, (src,))
        node.dim, node.index = dim, index
    return res


class FlipBackward0(Node):
    def backward(self, grad):
        return (_flip(grad, self.dim),)


def _flip(input, dim):
    data = input._data
    res = U.wrap(xp_of(data).ascontiguousarray(np.flip(data, dim)), input._device)
    if GRAD.enabled and input._rg:
        record(FlipBackward0, res, (input,)).dim = dim
    return res


class PowBackward0(Node):
    def backward(self, grad):
        (base,) = self.saved_tensors
        e = self.exponent
        if e == 1:
            return (grad,)
        if e == 0:
            return (grad * 0,)
        return (grad * _pow_scalar(base, e - 1) * e,)


def _pow_scalar(input, exponent):
    """``input ** exponent`` for a float tensor and a Python number; differentiable."""
    arr = input._data
    res = U.wrap(np.power(arr, arr.dtype.type(exponent)), input._device)
    if GRAD.enabled and input._rg:
        record(PowBackward0, res, (input,), (input,)).exponent = exponent
    return res


class SgnBackward0(Node):
    def backward(self, grad):
        return (grad * 0,)


def _sign(input, nan=None):
    """sign(input) as a graph node with a zero gradient, so that formulas using it stay
    connected to ``input`` in double backward (as torch's ``sgn``); ``nan`` replaces
    the sign of NaN when given."""
    sign = np.sign(input._data)
    if nan is not None:
        sign = np.where(np.isnan(sign), sign.dtype.type(nan), sign)
    res = U.wrap(sign, input._device)
    if GRAD.enabled and input._rg:
        record(SgnBackward0, res, (input,))
    return res


def _rev_cumsum(t, dim):
    return _flip(cumsum(_flip(t, dim), dim), dim)


def _moveaxis(arr, dim):
    return np.moveaxis(arr, dim, -1)


# ----------------------------------------------------------------------------------
# sum / nansum / mean / nanmean
# ----------------------------------------------------------------------------------

class SumBackward0(Node):
    def backward(self, grad):
        return (grad.expand(self.in_shape),)


class SumBackward1(Node):
    def backward(self, grad):
        return (expand_reduced_grad(grad, self.in_shape, self.axes, self.keepdim),)


def _sum_dtype(arr, dtype):
    if dtype is not None:
        return dtype.np
    if _FROM_NP[arr.dtype].category < D.FLOAT:
        return _I64
    return arr.dtype


def _add_reduce(arr, axes, keepdim, acc=None):
    """np.add.reduce giving an array; ``axes`` None means all dims."""
    if type(arr) is not np.ndarray:
        # CuPy: its sum takes tuples of axes and gives 0-d arrays for full reductions
        return np.sum(arr, axis=axes, dtype=acc, keepdims=keepdim)
    if not keepdim and (axes is None or len(axes) == arr.ndim):
        # A full reduction: writing into a 0-d array skips NumPy's scalar boxing.
        return np.add.reduce(arr, axis=axes, dtype=acc, out=np.empty((), acc or arr.dtype))
    return np.add.reduce(arr, axis=axes, dtype=acc, keepdims=keepdim)


def _sum_array(arr, axes, keepdim, target):
    if arr.dtype != target:
        arr = arr.astype(target)
    if arr.dtype in _LOW_PRECISION:
        # NOTE: torch accumulates half types in float32 and rounds once.
        return _add_reduce(arr, axes, keepdim, _F32).astype(target)
    return _add_reduce(arr, axes, keepdim)


def _record_sum_like(res, input, axes, all_dims, keepdim):
    if all_dims and not keepdim:
        record(SumBackward0, res, (input,)).in_shape = input._data.shape
    else:
        node = record(SumBackward1, res, (input,))
        if axes is None:
            axes = tuple(range(input._data.ndim))
        node.in_shape, node.axes, node.keepdim = input._data.shape, axes, keepdim


def sum(input, dim=None, keepdim=False, *, dtype=None, out=None, axis=None, keepdims=None):
    """Sum of elements over ``dim`` (all dims by default).

    >>> ember.tensor([[1, 2], [3, 4]]).sum(1)
    tensor([3, 7])
    """
    if axis is not None or keepdims is not None:
        dim, keepdim = _dim_aliases("sum", dim, keepdim, axis, keepdims, None)
    U.check_tensor(input, "sum")
    dtype = _dtype_from_out(dtype, out)
    arr = input._data
    if dim is None:
        axes, all_dims = None, True
    else:
        axes, all_dims = reduce_dims(input, dim, "sum")
    target = _sum_dtype(arr, dtype)
    res = U.wrap(_sum_array(arr, axes, keepdim, target), input._device)
    if GRAD.enabled and input._rg:
        _record_sum_like(res, input, axes, all_dims, keepdim)
    return _finish(res, out, "sum")


class NansumBackward0(Node):
    def backward(self, grad):
        g = expand_reduced_grad(grad, self.in_shape, self.axes, self.keepdim)
        return (g * self.mask,)


def nansum(input, dim=None, keepdim=False, *, dtype=None, out=None, axis=None, keepdims=None):
    """Sum treating NaN as zero.

    >>> ember.nansum(ember.tensor([1., float('nan'), 2.]))
    tensor(3.)
    """
    if axis is not None or keepdims is not None:
        dim, keepdim = _dim_aliases("nansum", dim, keepdim, axis, keepdims, None)
    U.check_tensor(input, "nansum")
    if input._data.dtype.kind == "c":
        raise RuntimeError(f"nansum on CPU does not support complex inputs (got {input.dtype})")
    arr = input._data
    axes, _ = reduce_dims(input, dim, "nansum")
    target = _sum_dtype(arr, dtype)
    if _FROM_NP[arr.dtype].category < D.FLOAT:
        result = _sum_array(arr, axes, keepdim, target)
    else:
        # NaN -> 0 first: np.nansum does not see NaN in ml_dtypes' bfloat16.
        work = _compute(arr if dtype is None else arr.astype(target))
        result = np.nansum(work, axis=axes, keepdims=keepdim).astype(target)
    res = U.wrap(as_array(result, target), input._device)
    if GRAD.enabled and input._rg:
        node = record(NansumBackward0, res, (input,))
        node.in_shape, node.axes, node.keepdim = arr.shape, axes, keepdim
        node.mask = _const(~np.isnan(arr), input).to(input.dtype)
    return _finish(res, out, "nansum")


class MeanBackward0(Node):
    def backward(self, grad):
        return (grad.expand(self.in_shape) / self.count,)


class MeanBackward1(Node):
    def backward(self, grad):
        return (expand_reduced_grad(grad, self.in_shape, self.axes, self.keepdim) / self.count,)


def _float_dtype_for(op, input, dtype):
    src = dtype or _FROM_NP[input._data.dtype]
    if src.category < D.FLOAT:
        which = "Optional dtype" if dtype is not None else "Input dtype"
        raise RuntimeError(
            f"{op}(): could not infer output dtype. {which} must be either a floating point or "
            f"complex dtype. Got: {src.name.capitalize()}")
    return src


def mean(input, dim=None, keepdim=False, *, dtype=None, out=None, axis=None, keepdims=None):
    """Mean over ``dim``; floating (or complex) inputs only, as in torch.

    >>> ember.tensor([[1., 2.], [3., 4.]]).mean(0)
    tensor([2., 3.])
    """
    if axis is not None or keepdims is not None:
        dim, keepdim = _dim_aliases("mean", dim, keepdim, axis, keepdims, None)
    U.check_tensor(input, "mean")
    _float_dtype_for("mean", input, dtype)
    arr = input._data
    axes, all_dims = reduce_dims(input, dim, "mean")
    if dtype is not None and arr.dtype != dtype.np:
        arr = arr.astype(dtype.np)
    count = _reduced_count(arr.shape, axes)
    # sum / count rather than np.mean: no "Mean of empty slice" warning (torch gives nan).
    total = _add_reduce(arr, axes, keepdim, _F32 if arr.dtype in _LOW_PRECISION else None)
    res = U.wrap(as_array(np.true_divide(total, count), arr.dtype), input._device)
    if GRAD.enabled and input._rg:
        if all_dims and not keepdim:
            node = record(MeanBackward0, res, (input,))
        else:
            node = record(MeanBackward1, res, (input,))
            node.axes, node.keepdim = axes, keepdim
        node.in_shape, node.count = arr.shape, count
    return _finish(res, out, "mean")


def nanmean(input, dim=None, keepdim=False, *, dtype=None, out=None, axis=None, keepdims=None):
    """Mean of the non-NaN elements (NaN where there are none).

    >>> ember.nanmean(ember.tensor([1., float('nan'), 3.]))
    tensor(2.)
    """
    if axis is not None or keepdims is not None:
        dim, keepdim = _dim_aliases("nanmean", dim, keepdim, axis, keepdims, None)
    U.check_tensor(input, "nanmean")
    _float_dtype_for("nanmean", input, dtype)
    if dtype is not None and input.dtype is not dtype:
        input = input.to(dtype)
    axes, _ = reduce_dims(input, dim, "nanmean")
    count = np.sum(~np.isnan(input._data), axis=axes, keepdims=keepdim)
    # NOTE: composite, as torch's (its grad_fn is DivBackward0 too).
    res = nansum(input, dim, keepdim) / _const(count.astype(input._data.dtype), input)
    return _finish(res, out, "nanmean")


# ----------------------------------------------------------------------------------
# prod
# ----------------------------------------------------------------------------------

def _exclusive_prod(x, dim):
    """prod over ``dim`` of every element but the i-th, exact with zeros (differentiable)."""
    n = x._data.shape[dim]
    shape = [1] * x._data.ndim
    shape[dim] = n
    pos = xp_of(x._data).arange(n).reshape(shape)
    first = _const((pos > 0).astype(x._data.dtype), x)
    last = _const((pos < n - 1).astype(x._data.dtype), x)
    # before_i = prod_{j<i} x_j: the cumprod shifted one step right, 1 at the start.
    idx_right = np.broadcast_to(np.maximum(pos - 1, 0), x._data.shape)
    before = _gather(cumprod(x, dim), dim, idx_right) * first + (1 - first)
    idx_left = np.broadcast_to(np.minimum(pos + 1, n - 1), x._data.shape)
    after_all = _flip(cumprod(_flip(x, dim), dim), dim)
    after = _gather(after_all, dim, idx_left) * last + (1 - last)
    return before * after


def _exclusive_prod_array(x, dim):
    """NumPy-only version of _exclusive_prod for the first-order backward."""
    is_zero = x == 0
    zeros = is_zero.sum(axis=dim, keepdims=True)
    safe = np.where(is_zero, x.dtype.type(1), x)
    nonzero_prod = np.prod(safe, axis=dim, keepdims=True)
    res = np.where(zeros == 0, nonzero_prod / safe, x.dtype.type(0))
    return np.where((zeros == 1) & is_zero, nonzero_prod, res)


def _prod_grad(x, result, grad_keep, dim):
    """Gradient of prod over ``dim`` (None: all) given restored grad and result."""
    if x._data.dtype.kind == "c":
        # complex: grad * conj(d prod / dx), and the formulas below are products of x's
        from .complexops import conj_physical
        x, result = conj_physical(x), conj_physical(result)
    xa = x._data
    if not (xa == 0).any():
        return grad_keep * result / x
    if dim is None:
        flat = x.reshape(-1)
        if GRAD.enabled:
            others = _exclusive_prod(flat, 0).reshape(xa.shape)
        else:
            others = _const(_exclusive_prod_array(xa.reshape(-1), 0).reshape(xa.shape), x)
        return grad_keep * others
    if GRAD.enabled:
        return grad_keep * _exclusive_prod(x, dim)
    return grad_keep * _const(_exclusive_prod_array(xa, dim), x)


class ProdBackward0(Node):
    def backward(self, grad):
        x, result = self.saved_tensors
        return (_prod_grad(x, result, grad, None),)


class ProdBackward1(Node):
    def backward(self, grad):
        x, result = self.saved_tensors
        if x._data.ndim == 0:
            return (grad,)
        g = grad if self.keepdim else grad.unsqueeze(self.dim)
        r = result if self.keepdim else result.unsqueeze(self.dim)
        return (_prod_grad(x, r, g, self.dim),)


def prod(input, dim=None, keepdim=False, *, dtype=None, out=None, axis=None, keepdims=None):
    """Product of all elements, or over one ``dim``; zeros get exact gradients.

    >>> ember.tensor([[1., 2.], [3., 4.]]).prod(1)
    tensor([ 2., 12.])
    """
    if axis is not None or keepdims is not None:
        dim, keepdim = _dim_aliases("prod", dim, keepdim, axis, keepdims, None)
    U.check_tensor(input, "prod")
    dtype = _dtype_from_out(dtype, out)
    arr = input._data
    if dim is None:
        if keepdim:
            raise TypeError("prod(): keepdim=True needs a dim")
        axes = tuple(range(arr.ndim))
    else:
        d = _one_dim(input, dim, "prod")
        axes = (d,) if arr.ndim else ()
    target = _sum_dtype(arr, dtype)
    work = arr if dtype is None else arr.astype(target)
    if work.dtype in _LOW_PRECISION:
        result = np.prod(work, axis=axes, dtype=_F32, keepdims=keepdim).astype(target)
    else:
        result = np.prod(work, axis=axes, dtype=target, keepdims=keepdim)
    res = U.wrap(as_array(result, target), input._device)
    if GRAD.enabled and input._rg:
        if dim is None:
            record(ProdBackward0, res, (input,), (input, res))
        else:
            node = record(ProdBackward1, res, (input,), (input, res))
            node.dim, node.keepdim = (axes[0] if axes else 0), keepdim
    return _finish(res, out, "prod")


# ----------------------------------------------------------------------------------
# logsumexp / norm
# ----------------------------------------------------------------------------------

class LogsumexpBackward0(Node):
    def backward(self, grad):
        x, result = self.saved_tensors
        g = _keep(grad, self.axes, self.keepdim)
        r = _keep(result, self.axes, self.keepdim)
        return (g * (x - r).exp(),)


def logsumexp(input, dim=None, keepdim=False, *, out=None, axis=None, keepdims=None):
    """log(sum(exp(input))) over ``dim``, computed stably (integers give floats).

    >>> ember.logsumexp(ember.tensor([0., 0.]), 0)
    tensor(0.6931)
    """
    if axis is not None or keepdims is not None:
        dim, keepdim = _dim_aliases("logsumexp", dim, keepdim, axis, keepdims, None)
    U.check_tensor(input, "logsumexp")
    if dim is None:
        raise TypeError("logsumexp(): argument 'dim' must be tuple of ints, not NoneType")
    arr = U.as_float_array(input)
    if out is not None and isinstance(out, Tensor):
        # NOTE: torch computes in out's dtype, which must be floating point.
        if out.dtype.category != D.FLOAT:
            raise RuntimeError(f"logsumexp(): Expected floating point type for result tensor, "
                               f"but got: {out.dtype}")
        arr = arr.astype(out._data.dtype, copy=False)
    axes, _ = reduce_dims(input, dim, "logsumexp")
    if not keepdim and isinstance(dim, (tuple, list)) and not dim and arr.ndim and arr.size:
        # NOTE: torch reduces everything for dim=() but then fails to write its scalar
        # into the kept-dims result; it works only with keepdim=True, 0-dim or empty input.
        raise RuntimeError(f"logsumexp(): output with shape [] doesn't match the broadcast "
                           f"shape {[1] * arr.ndim}")
    work = _compute(arr)
    if work.size == 0 or _py_any(work.shape[a] == 0 for a in axes):
        out_shape = np.sum(work, axis=axes, keepdims=keepdim).shape
        result = np.full_like(work, -np.inf, shape=out_shape)
    else:
        shift = np.max(work, axis=axes, keepdims=True)
        # An infinite max would give inf - inf = nan; shifting by 0 is exact there.
        shift = np.where(np.isinf(shift), work.dtype.type(0), shift)
        total = np.sum(np.exp(work - shift), axis=axes, keepdims=True)
        result = np.log(total) + shift
        if not keepdim:
            result = np.squeeze(result, axes)
    res = U.wrap(as_array(result, arr.dtype), input._device)
    if GRAD.enabled and input._rg:
        node = record(LogsumexpBackward0, res, (input,), (input, res))
        node.axes, node.keepdim = axes, keepdim
    return _finish(res, out, "logsumexp")

# ----------------------------------------------------------------------------------
# all / any / count_nonzero
# ----------------------------------------------------------------------------------

def _logical_reduce(op, np_fn, input, dim, keepdim, out):
    U.check_tensor(input, op)
    arr = input._data
    if isinstance(dim, (list, tuple)) and len(dim) == 0:
        axes = ()       # NOTE: unlike sum, torch's all/any reduce nothing for dim=()
    else:
        axes, _ = reduce_dims(input, dim, op)
    truth = arr if arr.dtype == np.bool_ else arr != 0
    result = as_array(np_fn(truth, axis=axes, keepdims=keepdim))
    # NOTE: torch keeps uint8 for uint8 inputs (legacy behaviour); everything else is bool.
    if arr.dtype == np.uint8:
        result = result.astype(np.uint8)
    res = U.wrap(result, input._device)
    if out is not None:
        if out.dtype is not res.dtype:
            raise RuntimeError(f"{op} only supports bool tensor for result, got: "
                               f"{out.dtype.name.capitalize()}")
        return U.write_out(out, res, op)
    return res


def all(input, dim=None, keepdim=False, *, out=None, axis=None, keepdims=None):
    """True where every element over ``dim`` is non-zero (uint8 in, uint8 out).

    >>> ember.tensor([[1, 0], [1, 1]]).all(1)
    tensor([False,  True])
    """
    if axis is not None or keepdims is not None:
        dim, keepdim = _dim_aliases("all", dim, keepdim, axis, keepdims, None)
    return _logical_reduce("all", np.all, input, dim, keepdim, out)


def any(input, dim=None, keepdim=False, *, out=None, axis=None, keepdims=None):
    """True where some element over ``dim`` is non-zero (uint8 in, uint8 out).

    >>> ember.tensor([[0, 0], [1, 0]]).any(1)
    tensor([False,  True])
    """
    if axis is not None or keepdims is not None:
        dim, keepdim = _dim_aliases("any", dim, keepdim, axis, keepdims, None)
    return _logical_reduce("any", np.any, input, dim, keepdim, out)


def count_nonzero(input, dim=None, *, axis=None):
    """Number of non-zero elements over ``dim`` (all dims by default), as int64.

    >>> ember.tensor([[0, 1], [2, 3]]).count_nonzero(0)
    tensor([1, 2])
    """
    if axis is not None:
        dim, _ = _dim_aliases("count_nonzero", dim, None, axis, None, None)
    U.check_tensor(input, "count_nonzero")
    arr = input._data
    axes, _ = reduce_dims(input, dim, "count_nonzero")
    truth = arr if arr.dtype == np.bool_ else arr != 0
    result = np.sum(truth, axis=axes, dtype=np.int64)
    return U.wrap(as_array(result, _I64), input._device)


# ----------------------------------------------------------------------------------
# Tensor methods
# ----------------------------------------------------------------------------------

METHODS = {
    "sum": sum, "nansum": nansum, "mean": mean, "nanmean": nanmean, "prod": prod, "all":
    all, "any": any, "count_nonzero": count_nonzero, "logsumexp": logsumexp,
}
for _name, _fn in METHODS.items():
    setattr(Tensor, _name, _fn)


# Re-exports: the ops split out of this module stay importable from here (imported last:
# those modules import the helpers above).  cumprod is also used by _exclusive_prod.
from .extrema import *  # noqa: E402,F401,F403
from .scan import *  # noqa: E402,F401,F403
from .statistics import *  # noqa: E402,F401,F403

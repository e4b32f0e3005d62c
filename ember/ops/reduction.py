"""Reductions: sums, means, products, variances, extrema, norms, scans, logical
reductions and order statistics, over all dims, one dim or several, with keepdim.

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

__all__ = ["all", "amax", "amin", "aminmax", "any", "argmax", "argmin", "count_nonzero",
           "cummax", "cummin", "cumprod", "cumsum", "logcumsumexp", "logsumexp", "max",
           "mean", "median", "min", "mode", "nanmean", "nanmedian", "nansum", "norm", "prod",
           "std", "std_mean", "sum", "var", "var_mean"]

import builtins
import math
import operator
import types
import warnings

import numpy as np

from .. import _dtype as D
from .._tensor import Tensor
from ..autograd.graph import Node
from . import _util as U
from ._inplace import apply_inplace
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
    return U.wrap(np.asarray(arr), like._device)


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


# ----------------------------------------------------------------------------------
# named tuples: torch.return_types.*
# ----------------------------------------------------------------------------------

class _ReturnType(tuple):
    """A tuple with named fields, printed like torch's ``torch.return_types.max``."""

    __slots__ = ()
    _fields = ()
    _name = ""

    def __new__(cls, values):
        values = tuple(values)
        if len(values) != len(cls._fields):
            raise TypeError(f"torch.return_types.{cls._name} takes a sequence of length "
                            f"{len(cls._fields)}, got {len(values)}")
        return tuple.__new__(cls, values)

    def __repr__(self):
        body = ",\n".join(f"{f}={v!r}" for f, v in zip(self._fields, self))
        return f"torch.return_types.{self._name}(\n{body})"

    __str__ = __repr__

    def __reduce__(self):
        return (type(self), (tuple(self),))


def _return_type(name, fields=("values", "indices")):
    # Pickle finds the class as ember.ops.reduction.return_types.<name>.
    attrs = {"__slots__": (), "_fields": fields, "_name": name,
             "__module__": __name__, "__qualname__": f"return_types.{name}"}
    for i, f in enumerate(fields):
        attrs[f] = property(operator.itemgetter(i))
    return type(name, (_ReturnType,), attrs)


# NOTE: exposed here as ``return_types`` (like ``torch.return_types``); the classes
# subclass tuple, so unpacking and indexing work as with torch's structseqs.
return_types = types.SimpleNamespace(**{
    name: _return_type(name) for name in ("max", "min", "cummax", "cummin", "median",
                                          "nanmedian", "mode")})
return_types.aminmax = _return_type("aminmax", ("min", "max"))


def _write_tuple_out(out, results, op):
    if not isinstance(out, (tuple, list)) or len(out) != len(results):
        raise TypeError(f"{op}(): argument 'out' must be a tuple of {len(results)} Tensors")
    for o, r in zip(out, results):
        # NOTE: torch requires the exact dtypes here (no casting, unlike sum(out=)).
        if isinstance(o, Tensor) and o.dtype is not r.dtype:
            raise RuntimeError(f"{op}(): Expected out tensor to have dtype {r.dtype}, but got "
                               f"{o.dtype} instead")
        U.write_out(o, r, op)
    return type(results)(tuple(out))


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
    acc = np.zeros(shape, dtype=_F32 if data.dtype in _LOW_PRECISION else data.dtype)
    grids = list(np.ix_(*[np.arange(s) for s in index.shape]))
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
    res = U.wrap(np.ascontiguousarray(np.flip(input._data, dim)), input._device)
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
    res = U.wrap(np.power(arr, np.asarray(exponent, dtype=arr.dtype)), input._device)
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
        sign = np.where(np.isnan(sign), np.asarray(nan, sign.dtype), sign)
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
    arr = input._data
    axes, _ = reduce_dims(input, dim, "nansum")
    target = _sum_dtype(arr, dtype)
    if _FROM_NP[arr.dtype].category < D.FLOAT:
        result = _sum_array(arr, axes, keepdim, target)
    else:
        # NaN -> 0 first: np.nansum does not see NaN in ml_dtypes' bfloat16.
        work = _compute(arr if dtype is None else arr.astype(target))
        result = np.nansum(work, axis=axes, keepdims=keepdim).astype(target)
    res = U.wrap(np.asarray(result, dtype=target), input._device)
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
    res = U.wrap(np.asarray(np.true_divide(total, count), dtype=arr.dtype), input._device)
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
    pos = np.arange(n).reshape(shape)
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
    safe = np.where(is_zero, np.ones((), x.dtype), x)
    nonzero_prod = np.prod(safe, axis=dim, keepdims=True)
    res = np.where(zeros == 0, nonzero_prod / safe, np.zeros((), x.dtype))
    return np.where((zeros == 1) & is_zero, nonzero_prod, res)


def _prod_grad(x, result, grad_keep, dim):
    """Gradient of prod over ``dim`` (None: all) given restored grad and result."""
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
    res = U.wrap(np.asarray(result, dtype=target), input._device)
    if GRAD.enabled and input._rg:
        if dim is None:
            record(ProdBackward0, res, (input,), (input, res))
        else:
            node = record(ProdBackward1, res, (input,), (input, res))
            node.dim, node.keepdim = (axes[0] if axes else 0), keepdim
    return _finish(res, out, "prod")


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
    result = np.true_divide(sq, np.asarray(dof, dtype=centered.dtype))
    if take_sqrt:
        result = np.sqrt(result)
    res = U.wrap(np.asarray(result, dtype=out_dtype), input._device)
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
# max / min / amax / amin / aminmax / argmax / argmin
# ----------------------------------------------------------------------------------

class _EvenBackward(Node):
    """Gradient of a reduction to one value, split evenly among the tied inputs."""

    def backward(self, grad):
        g = _keep(grad, self.axes, self.keepdim)
        return (g * self.scale,)


class MaxBackward1(_EvenBackward):
    pass


class MinBackward1(_EvenBackward):
    pass


class AmaxBackward0(_EvenBackward):
    pass


class AminBackward0(_EvenBackward):
    pass


class MedianBackward0(_EvenBackward):
    pass


class NanmedianBackward0(_EvenBackward):
    pass


def _record_even(node_cls, res, input, axes, keepdim, nan_matches):
    """Record a node that splits the gradient among inputs equal to the result."""
    x = input._data
    r = _keep_arr(res._data, axes, keepdim)
    mask = x == r
    if nan_matches:
        mask |= np.isnan(x) & np.isnan(r)
    count = np.sum(mask, axis=axes, keepdims=True)
    scale = np.true_divide(mask, count).astype(x.dtype)
    node = record(node_cls, res, (input,))
    node.axes, node.keepdim, node.scale = axes, keepdim, _const(scale, input)


class _SelectBackward(Node):
    """Gradient of a value-selecting reduction: the gradient goes to the chosen index."""

    def backward(self, grad):
        g = grad if self.keepdim else grad.unsqueeze(self.dim)
        return (_scatter_add(g, self.dim, self.index, self.in_shape),)


class MaxBackward0(_SelectBackward):
    pass


class MinBackward0(_SelectBackward):
    pass


class MedianBackward1(_SelectBackward):
    pass


class NanmedianBackward1(_SelectBackward):
    pass


class ModeBackward0(_SelectBackward):
    pass


def _select_along(op, node_cls, input, dim, keepdim, pick, out):
    """values/indices of a value-selecting reduction along one dim.

    ``pick(a, d)`` returns the chosen indices with keepdim shape for a >=1-d array.
    """
    U.check_tensor(input, op)
    arr = input._data
    d = _one_dim(input, dim, op)
    if arr.ndim == 0:
        res = _select_along(op, node_cls, input.reshape(1), 0, False, pick, None)
        values, indices = res[0].reshape(()), res[1].reshape(())
    else:
        if arr.shape[d] == 0:
            raise _zero_size_error(op, d)
        index = np.ascontiguousarray(pick(arr, d), dtype=np.int64)
        values, out_index = np.take_along_axis(arr, index, axis=d), index
        if not keepdim:
            values, out_index = np.squeeze(values, d), np.squeeze(index, d)
        values = U.wrap(values, input._device)
        indices = U.wrap(out_index, input._device)
        if GRAD.enabled and input._rg:
            node = record(node_cls, values, (input,))
            node.dim, node.index, node.in_shape, node.keepdim = d, index, arr.shape, keepdim
    result = getattr(return_types, op)((values, indices))
    if out is not None:
        return _write_tuple_out(out, result, op)
    return result


def _pick_arg(np_arg):
    def pick(a, d):
        return np.expand_dims(np_arg(a, axis=d), d)
    return pick


def _full_extreme(op, node_cls, input, np_fn):
    arr = input._data
    if arr.size == 0:
        raise RuntimeError(f"{op}(): Expected reduction dim to be specified for input.numel() == "
                           "0. Specify the reduction dim with the 'dim' argument.")
    res = U.wrap(np.asarray(np_fn(arr)), input._device)
    if GRAD.enabled and input._rg:
        _record_even(node_cls, res, input, tuple(range(arr.ndim)), False, True)
    return res


def _binary_extreme(op, name, input, other, out):
    from . import pointwise
    fn = getattr(pointwise, name, None)
    if fn is None:
        raise NotImplementedError(f"{op}(input, other): elementwise {name} is not available")
    return fn(input, other) if out is None else fn(input, other, out=out)


def max(input, dim=None, keepdim=False, *, out=None, axis=None, keepdims=None):
    """max(input) -> the largest value; max(input, dim) -> (values, indices);
    max(input, other) -> elementwise maximum.

    Ties give the first index; NaN wins, as in torch.

    >>> ember.tensor([[1., 5.], [7., 2.]]).max(1)
    torch.return_types.max(
    values=tensor([5., 7.]),
    indices=tensor([1, 0]))
    """
    if axis is not None or keepdims is not None:
        dim, keepdim = _dim_aliases("max", dim, keepdim, axis, keepdims, None)
    U.check_tensor(input, "max")
    if isinstance(dim, Tensor):
        return _binary_extreme("max", "maximum", input, dim, out)
    if dim is None:
        if keepdim:
            raise TypeError("max(): keepdim=True needs a dim")
        return _finish(_full_extreme("max", MaxBackward1, input, np.max), out, "max")
    return _select_along("max", MaxBackward0, input, dim, keepdim, _pick_arg(np.argmax), out)


def min(input, dim=None, keepdim=False, *, out=None, axis=None, keepdims=None):
    """min(input) -> the smallest value; min(input, dim) -> (values, indices);
    min(input, other) -> elementwise minimum.

    >>> ember.tensor([[1., 5.], [7., 2.]]).min(1).indices
    tensor([0, 1])
    """
    if axis is not None or keepdims is not None:
        dim, keepdim = _dim_aliases("min", dim, keepdim, axis, keepdims, None)
    U.check_tensor(input, "min")
    if isinstance(dim, Tensor):
        return _binary_extreme("min", "minimum", input, dim, out)
    if dim is None:
        if keepdim:
            raise TypeError("min(): keepdim=True needs a dim")
        return _finish(_full_extreme("min", MinBackward1, input, np.min), out, "min")
    return _select_along("min", MinBackward0, input, dim, keepdim, _pick_arg(np.argmin), out)


def _amax_amin(op, node_cls, np_fn, input, dim, keepdim, out):
    U.check_tensor(input, op)
    arr = input._data
    axes, all_dims = reduce_dims(input, dim, op)
    _check_nonempty_dims(arr, axes, op, all_dims)
    res = U.wrap(np.asarray(np_fn(arr, axis=axes, keepdims=keepdim)), input._device)
    if GRAD.enabled and input._rg:
        # NOTE: torch's amax/amin gradient is split evenly among ties; a NaN result
        # matches nothing, so its gradient is nan (0/0), as in torch.
        _record_even(node_cls, res, input, axes, keepdim, False)
    return _finish_exact(res, out, op)


def amax(input, dim=(), keepdim=False, *, out=None, axis=None, keepdims=None):
    """Largest values over ``dim`` (all dims by default); gradient split among ties.

    >>> ember.tensor([[1., 5.], [7., 2.]]).amax(0)
    tensor([7., 5.])
    """
    if axis is not None or keepdims is not None:
        dim, keepdim = _dim_aliases("amax", dim, keepdim, axis, keepdims, ())
    return _amax_amin("amax", AmaxBackward0, np.max, input, dim, keepdim, out)


def amin(input, dim=(), keepdim=False, *, out=None, axis=None, keepdims=None):
    """Smallest values over ``dim`` (all dims by default); gradient split among ties.

    >>> ember.tensor([[1., 5.], [7., 2.]]).amin(1)
    tensor([1., 2.])
    """
    if axis is not None or keepdims is not None:
        dim, keepdim = _dim_aliases("amin", dim, keepdim, axis, keepdims, ())
    return _amax_amin("amin", AminBackward0, np.min, input, dim, keepdim, out)


def aminmax(input, *, dim=None, keepdim=False, out=None, axis=None, keepdims=None):
    """(min, max) over ``dim`` (all dims by default), as a named tuple.

    >>> ember.aminmax(ember.tensor([3., 1., 2.]))
    torch.return_types.aminmax(
    min=tensor(1.),
    max=tensor(3.))
    """
    if axis is not None or keepdims is not None:
        dim, keepdim = _dim_aliases("aminmax", dim, keepdim, axis, keepdims, None)
    U.check_tensor(input, "aminmax")
    arr = input._data
    if dim is None:
        if arr.size == 0:
            raise RuntimeError("aminmax(): cannot compute aminmax over an empty dimension as the "
                               "operation has no identity.")
        dims = ()
    else:
        d = _one_dim(input, dim, "aminmax")
        if arr.ndim and arr.shape[d] == 0:
            raise IndexError(f"aminmax(): Expected reduction dim {d} to have non-zero size.")
        dims = d
    lo = _amax_amin("aminmax", AminBackward0, np.min, input, dims, keepdim, None)
    hi = _amax_amin("aminmax", AmaxBackward0, np.max, input, dims, keepdim, None)
    result = return_types.aminmax((lo, hi))
    if out is not None:
        return _write_tuple_out(out, result, "aminmax")
    return result


def _arg_extreme(op, np_fn, input, dim, keepdim, out):
    U.check_tensor(input, op)
    arr = input._data
    if arr.dtype == np.bool_:
        raise RuntimeError(f"\"{op}_cpu\" not implemented for 'Bool'")
    if dim is None:
        if arr.size == 0:
            raise IndexError(f"{op}(): Expected reduction dim to be specified for input.numel() "
                             "== 0.")
        index = np.asarray(np_fn(arr), dtype=np.int64)
        if keepdim:
            index = index.reshape((1,) * arr.ndim)
    else:
        d = _one_dim(input, dim, op)
        if arr.ndim == 0:
            index = np.zeros((), dtype=np.int64)
        else:
            if arr.shape[d] == 0:
                raise _zero_size_error(op, d)
            index = np.asarray(np_fn(arr, axis=d, keepdims=keepdim), dtype=np.int64)
    return _finish_exact(U.wrap(index, input._device), out, op)


def argmax(input, dim=None, keepdim=False, *, out=None, axis=None, keepdims=None):
    """Index of the largest value (first one among ties; flattened when dim is None).

    >>> ember.tensor([[1., 5.], [7., 2.]]).argmax()
    tensor(2)
    """
    if axis is not None or keepdims is not None:
        dim, keepdim = _dim_aliases("argmax", dim, keepdim, axis, keepdims, None)
    return _arg_extreme("argmax", np.argmax, input, dim, keepdim, out)


def argmin(input, dim=None, keepdim=False, *, out=None, axis=None, keepdims=None):
    """Index of the smallest value (first one among ties; flattened when dim is None).

    >>> ember.tensor([[1., 5.], [7., 2.]]).argmin(1)
    tensor([0, 1])
    """
    if axis is not None or keepdims is not None:
        dim, keepdim = _dim_aliases("argmin", dim, keepdim, axis, keepdims, None)
    return _arg_extreme("argmin", np.argmin, input, dim, keepdim, out)


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
        result = np.full(out_shape, -np.inf, dtype=work.dtype)
    else:
        shift = np.max(work, axis=axes, keepdims=True)
        # An infinite max would give inf - inf = nan; shifting by 0 is exact there.
        shift = np.where(np.isinf(shift), np.zeros((), work.dtype), shift)
        total = np.sum(np.exp(work - shift), axis=axes, keepdims=True)
        result = np.log(total) + shift
        if not keepdim:
            result = np.squeeze(result, axes)
    res = U.wrap(np.asarray(result, dtype=arr.dtype), input._device)
    if GRAD.enabled and input._rg:
        node = record(LogsumexpBackward0, res, (input,), (input, res))
        node.axes, node.keepdim = axes, keepdim
    return _finish(res, out, "logsumexp")


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
        e = np.asarray(p, dtype=a.dtype)
        result = np.power(np.sum(np.power(a, e), axis=axes, keepdims=keepdim), 1 / e)
    # a complex input has a real norm (complex64 -> float32)
    res = U.wrap(np.asarray(result, dtype=a.dtype if arr.dtype.kind == "c" else arr.dtype),
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
            raise NotImplementedError("norm(): p='nuc' (the nuclear norm) is not supported yet")
        else:
            raise RuntimeError(f"linalg.matrix_norm: Order {p} not supported.")
    elif not isinstance(p, (int, float, np.number)) or isinstance(p, bool):
        raise TypeError(f"norm(): argument 'p' must be a number or str, not {type(p).__name__}")
    res = _vector_norm("norm", input, float(p), dim, keepdim, dtype)
    return _finish_exact(res, out, "norm")


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
    if axis is not None:
        dim, _ = _dim_aliases("cumsum", dim, None, axis, None, None)
    U.check_tensor(input, "cumsum")
    dtype = _dtype_from_out(dtype, out)
    arr = input._data
    d = _one_dim(input, dim, "cumsum")
    target = _scan_dtype(arr, dtype)
    if arr.ndim == 0:
        result = arr.astype(target)
    else:
        result = _scan(np.cumsum, arr, d, target)
    res = U.wrap(np.asarray(result), input._device)
    if GRAD.enabled and input._rg:
        record(CumsumBackward0, res, (input,)).dim = d
    return _finish(res, out, "cumsum")


def _cumprod_grad_array(x, g, d):
    """First-order cumprod gradient in NumPy, O(n) and exact with zeros."""
    x, g = _moveaxis(x, d), _moveaxis(g, d)
    n = x.shape[-1]
    pos = np.arange(n)
    is_zero = x == 0
    first_zero = np.where(is_zero.any(-1, keepdims=True), np.argmax(is_zero, -1)[..., None], n)
    before = pos < first_zero
    one = np.ones((), x.dtype)
    out = np.cumprod(np.where(before, x, one), -1)
    # Before the first zero: sum_{k>=i} g_k out_k / x_i (terms past the zero vanish).
    w = np.flip(np.cumsum(np.flip(g * out * before, -1), -1), -1)
    grad = np.where(before, w / np.where(before, x, one), np.zeros((), x.dtype))
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
    eye = np.eye(n, dtype=x._data.dtype)
    rows = xt.unsqueeze(-2) * _const(1 - eye, x) + _const(eye, x)
    upper = _const(np.triu(np.ones((n, n), dtype=x._data.dtype)), x)
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
    if axis is not None:
        dim, _ = _dim_aliases("cumprod", dim, None, axis, None, None)
    U.check_tensor(input, "cumprod")
    dtype = _dtype_from_out(dtype, out)
    arr = input._data
    d = _one_dim(input, dim, "cumprod")
    target = _scan_dtype(arr, dtype)
    if arr.ndim == 0:
        result = arr.astype(target)
    else:
        result = _scan(np.cumprod, arr, d, target)
    res = U.wrap(np.asarray(result), input._device)
    if GRAD.enabled and input._rg:
        record(CumprodBackward0, res, (input,), (input, res)).dim = d
    return _finish(res, out, "cumprod")


class _CumSelectBackward(Node):
    def backward(self, grad):
        return (_scatter_add(grad, self.dim, self.index, self.index.shape),)


class CummaxBackward0(_CumSelectBackward):
    pass


class CumminBackward0(_CumSelectBackward):
    pass


def _cum_extreme(op, node_cls, np_acc, input, dim, out):
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
    running = np_acc.accumulate(a, axis=d)
    # NOTE: torch takes the LAST index among equal values, and once a NaN is seen the
    # running value stays NaN with the index of the latest NaN.
    hit = a == running
    if a.dtype.kind == "f":
        hit |= np.isnan(a)
    shape = [1] * arr.ndim
    shape[d] = arr.shape[d]
    pos = np.arange(arr.shape[d], dtype=np.int64).reshape(shape)
    index = np.maximum.accumulate(np.where(hit, pos, 0), axis=d)
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
    if axis is not None:
        dim, _ = _dim_aliases("cummax", dim, None, axis, None, None)
    return _cum_extreme("cummax", CummaxBackward0, np.maximum, input, dim, out)


def cummin(input, dim=None, *, out=None, axis=None):
    """Running minimum along ``dim`` and where it was found, as (values, indices).

    >>> ember.tensor([2., 1., 1., 4.]).cummin(0).indices
    tensor([0, 1, 2, 2])
    """
    if axis is not None:
        dim, _ = _dim_aliases("cummin", dim, None, axis, None, None)
    return _cum_extreme("cummin", CumminBackward0, np.minimum, input, dim, out)


def _rev_logcumsumexp_array(a, d):
    return np.flip(np.logaddexp.accumulate(np.flip(a, d), axis=d), d)


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
        neg_inf = np.asarray(-np.inf, dtype=g.dtype)
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
        below = np.tril(np.ones((n, n), dtype=bool), -1)
        block = _const(np.where(below, -np.inf, 0).astype(x._data.dtype), x)
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
        result = np.logaddexp.accumulate(_compute(arr), axis=d).astype(arr.dtype)
    res = U.wrap(result, input._device)
    if GRAD.enabled and input._rg:
        record(LogcumsumexpBackward0, res, (input,), (input, res)).dim = d
    return _finish_exact(res, out, "logcumsumexp")


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
    result = np.asarray(np_fn(truth, axis=axes, keepdims=keepdim))
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
    return U.wrap(np.asarray(result, dtype=np.int64), input._device)


# ----------------------------------------------------------------------------------
# median / nanmedian / mode
# ----------------------------------------------------------------------------------

def _check_sortable(op, input):
    if input._data.dtype == np.bool_:
        raise NotImplementedError(f"\"{op}_cpu\" not implemented for 'Bool'")


def _median_pick(ignore_nan):
    def pick(a, d):
        work = _compute(a)
        order = np.argsort(work, axis=d, kind="stable")
        n = a.shape[d]
        nans = np.sum(np.isnan(work), axis=d, keepdims=True) if work.dtype.kind == "f" \
            else np.zeros((1,) * a.ndim, dtype=np.int64)
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
        res = U.wrap(np.full((), np.nan, dtype=arr.dtype), input._device)
    else:
        flat = arr.reshape(-1)
        index = _median_pick(ignore_nan)(flat, 0)
        res = U.wrap(np.asarray(flat[index[0]]), input._device)
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
    order = np.argsort(work, axis=d, kind="stable")
    s = np.take_along_axis(work, order, axis=d)
    s, order = _moveaxis(s, d), _moveaxis(order, d)
    n = s.shape[-1]
    pos = np.arange(n)
    starts = np.ones(s.shape, dtype=bool)
    starts[..., 1:] = s[..., 1:] != s[..., :-1]     # NaN != NaN: each NaN is its own run
    ends = np.ones(s.shape, dtype=bool)
    ends[..., :-1] = starts[..., 1:]
    run_start = np.maximum.accumulate(np.where(starts, pos, 0), axis=-1)
    length = np.where(ends, pos - run_start + 1, 0)
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

def _cumsum_(self, dim, *, dtype=None):
    return apply_inplace(self, "cumsum_",
                         lambda s: cumsum(s, dim, dtype=dtype or s.dtype), (self,))


def _cumprod_(self, dim, *, dtype=None):
    return apply_inplace(self, "cumprod_",
                         lambda s: cumprod(s, dim, dtype=dtype or s.dtype), (self,))


METHODS = {
    "sum": sum, "nansum": nansum, "mean": mean, "nanmean": nanmean, "prod": prod,
    "var": var, "std": std, "max": max, "min": min, "amax": amax, "amin": amin,
    "aminmax": aminmax, "argmax": argmax, "argmin": argmin, "logsumexp": logsumexp,
    "norm": norm, "cumsum": cumsum, "cumprod": cumprod, "cummax": cummax, "cummin": cummin,
    "logcumsumexp": logcumsumexp, "all": all, "any": any, "count_nonzero": count_nonzero,
    "median": median, "nanmedian": nanmedian, "mode": mode,
    "cumsum_": _cumsum_, "cumprod_": _cumprod_,
}
for _name, _fn in METHODS.items():
    setattr(Tensor, _name, _fn)

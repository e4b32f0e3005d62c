"""gather, scatter and friends: index_select/add/copy/fill, masked_*, take, put, nonzero.

Every op here reads or writes a tensor at positions given by an index tensor (or a
bool mask).  Out-of-range indices raise torch's errors and never wrap around; repeated
indices accumulate where the op accumulates (``np.add.at``).  Gradients are written
with the ops of this module, so double backward works: the gradient of ``gather`` is a
``scatter_add``, whose gradient is a ``gather`` again.

>>> x = ember.tensor([[1.0, 2.0], [3.0, 4.0]])
>>> ember.gather(x, 1, ember.tensor([[0, 0], [1, 0]]))
tensor([[1., 1.],
        [4., 3.]])
"""

__all__ = [
    "argwhere", "gather", "index_add", "index_copy", "index_fill", "index_put",
    "index_select", "masked_fill", "masked_scatter", "masked_select", "nonzero", "put",
    "scatter", "scatter_add", "scatter_reduce", "take", "take_along_dim",
]

import warnings

import numpy as np

from .. import _dtype as D
from .._device import META, array_like, is_device_array, meta_array, xp_of
from .._tensor import Tensor, _wrap_dim
from ..autograd.graph import Node
from . import _util as U
from ._inplace import make_inplace
from ._util import GRAD, check_tensor, record

_FROM_NP = D._FROM_NP
_I64 = np.dtype(np.int64)
_I32 = np.dtype(np.int32)
_BOOL = np.dtype(np.bool_)
_F32 = np.dtype(np.float32)
_LOW = (np.dtype(np.float16), D.bfloat16.np)
_MISSING = object()


# ----------------------------------------------------------------------------------
# argument checks
# ----------------------------------------------------------------------------------

def _index_array(op, index, allowed=(_I64,), name="index", exc=RuntimeError):
    """The array of an index tensor, with torch's dtype check."""
    if not isinstance(index, Tensor):
        raise TypeError(f"{op}(): argument '{name}' must be Tensor, not {type(index).__name__}")
    arr = index._data
    if arr.dtype not in allowed:
        want = " or ".join(str(_FROM_NP[d]) for d in allowed)
        raise exc(f"{op}(): Expected dtype {want} for {name}, but got {index.dtype} "
                  f"(shape {list(arr.shape)})")
    return arr


def _same_dtype(op, input, other, what):
    if input._data.dtype != other._data.dtype:
        raise RuntimeError(f"{op}(): Expected self.dtype to be equal to {what}.dtype (got "
                           f"{input.dtype} and {other.dtype})")


def _bounds(op, idx, size, dim, exc=RuntimeError, negative=False):
    """Raise torch's out-of-bounds error for the first bad entry of ``idx``."""
    if idx.size == 0:
        return
    low = -size if negative else 0
    lo, hi = idx.min(), idx.max()
    if lo < low or hi >= size:
        bad = int(lo) if lo < low else int(hi)
        raise exc(f"{op}(): index {bad} is out of bounds for dimension {dim} with size {size}")


def _is_meta(*tensors):
    return any(isinstance(t, Tensor) and t._device is META for t in tensors)


def _fresh(arr, meta):
    """A C-contiguous copy of ``arr`` to write into; meta tensors get no memory."""
    if meta:
        return meta_array(arr.shape, arr.dtype)
    return arr.copy(order="C")


def _same_device(op, input, *others):
    """``input``'s device, after checking that the index/source tensors share it.

    NOTE: unlike pointwise ops, torch's gather/scatter/index_* kernels take no cpu
    0-dim tensor on another device: index and source must be on input's device.
    """
    dev = input._device
    for t in others:
        if isinstance(t, Tensor) and t._device is not dev:   # non-tensors: checked later
            raise U._device_error(op, dev, t._device)
    return dev


def _like(a, ref):
    """``a`` (an array or a number) on the device of array ``ref``: host values (a cpu
    0-dim tensor, a fill number) are copied over for a cuda ``ref``; as is on the cpu."""
    if type(ref) is np.ndarray or is_device_array(a):
        return a
    return array_like(a, ref)


def _filled(shape, grad, fill=0):
    """A tensor of ``fill`` (0 or 1) with ``grad``'s dtype and device."""
    xp = xp_of(grad._data)
    make = xp.ones if fill else xp.zeros
    return U.wrap(make(shape, dtype=grad._data.dtype), grad._device)


def _acc_dtype(arr):
    """float16/bfloat16 accumulate in float32, as torch's kernels do."""
    return _F32 if arr.dtype in _LOW else arr.dtype


def _nd1(arr):
    """0-dim arrays act as 1-element vectors in the dim-wise index ops."""
    return arr.reshape(1) if arr.ndim == 0 else arr


def _axis_coords(idx, dim):
    """The full coordinates (a tuple of arrays broadcasting to idx's shape) of the
    elements an along-``dim`` index addresses: ``idx`` at dim, the position elsewhere."""
    nd = idx.ndim
    coords = []
    for d in range(nd):
        if d == dim:
            coords.append(idx)
        else:
            shape = [1] * nd
            shape[d] = idx.shape[d]
            coords.append(xp_of(idx).arange(idx.shape[d]).reshape(shape))
    return tuple(coords)


def _prefix(arr, shape):
    """``arr`` cut down to ``shape`` (its leading part in every dim)."""
    if arr.shape == tuple(shape):
        return arr
    return arr[tuple(slice(0, n) for n in shape)]


# ----------------------------------------------------------------------------------
# gather / take_along_dim
# ----------------------------------------------------------------------------------

class GatherBackward0(Node):
    def backward(self, grad):
        zeros = _filled(self.in_shape, grad)
        return scatter_add(zeros, self.dim, self.index, grad), None


def _gather_checks(op, arr, idx, dim):
    nd = max(arr.ndim, 1)
    if max(idx.ndim, 1) != nd:
        raise RuntimeError(f"{op}(): Index tensor must have the same number of dimensions as "
                           f"input tensor (index shape {list(idx.shape)}, input shape "
                           f"{list(arr.shape)})")
    d = _wrap_dim(dim, arr.ndim, op)
    a1, i1 = _nd1(arr), _nd1(idx)
    for k in range(nd):
        if k != d and i1.shape[k] > a1.shape[k]:
            raise RuntimeError(f"{op}(): Size does not match at dimension {k} expected index "
                               f"{list(idx.shape)} to be no larger than self {list(arr.shape)} "
                               f"apart from dimension {d}")
    return d, a1, i1


def gather(input, dim, index, *, sparse_grad=False, out=None):
    """Values of ``input`` along ``dim`` at ``index``: out[i][j] = input[index[i][j]][j]
    for dim=0 (index may be smaller than input in the other dims).

    >>> ember.gather(ember.tensor([[1, 2], [3, 4]]), 1, ember.tensor([[1], [0]]))
    tensor([[2],
            [3]])
    """
    check_tensor(input, "gather")
    idx = _index_array("gather", index, (_I64, _I32))
    dev = _same_device("gather", input, index)
    arr = input._data
    d, a1, i1 = _gather_checks("gather", arr, idx, dim)
    if not _is_meta(input, index):
        _bounds("gather", i1, a1.shape[d], d)
    res_arr = a1[_axis_coords(i1, d)].reshape(idx.shape)
    res = U.wrap(res_arr, dev)
    if GRAD.enabled and input._rg:
        node = record(GatherBackward0, res, (input, None))
        node.in_shape, node.dim, node.index = arr.shape, d, index
    if out is not None:
        return U.write_out(out, res, "gather")
    return res


def take_along_dim(input, indices, dim=None, *, out=None):
    """Values of ``input`` at ``indices`` along ``dim`` (broadcasting the other dims);
    with ``dim=None`` both are flattened first.

    >>> ember.take_along_dim(ember.tensor([[10, 30, 20]]), ember.tensor([[0, 2, 1]]), 1)
    tensor([[10, 20, 30]])
    """
    check_tensor(input, "take_along_dim")
    check_tensor(indices, "take_along_dim", "indices")
    if indices._data.dtype != _I64:
        raise RuntimeError(f"torch.take_along_dim(): dtype of indices should be Long but got "
                           f"{indices.dtype}")
    if dim is None:
        res = gather(input.reshape(-1), 0, indices.reshape(-1))
    else:
        a, i = input._data, indices._data
        if a.ndim != i.ndim:
            raise RuntimeError(f"torch.take_along_dim(): input and indices should have the same "
                               f"number of dimensions, but got {a.ndim} dimensions for input, "
                               f"and {i.ndim} dimensions for indices")
        d = _wrap_dim(dim, a.ndim, "take_along_dim")
        a_shape, i_shape = list(a.shape), list(i.shape)
        a_shape[d] = i_shape[d] = 1
        try:
            common = list(np.broadcast_shapes(tuple(a_shape), tuple(i_shape)))
        except ValueError:
            raise U.broadcast_error("take_along_dim", a, i) from None
        a_target, i_target = list(common), list(common)
        a_target[d], i_target[d] = a.shape[d], i.shape[d]
        src = input if list(a.shape) == a_target else input.expand(*a_target)
        idx = indices if list(i.shape) == i_target else indices.expand(*i_target)
        res = gather(src, d, idx)
    if out is not None:
        return U.write_out(out, res, "take_along_dim")
    return res


# ----------------------------------------------------------------------------------
# scatter / scatter_add / scatter_reduce
# ----------------------------------------------------------------------------------

class ScatterBackward0(Node):
    """scatter with a src tensor."""

    def backward(self, grad):
        nf = self.next_functions
        g_self = scatter(grad, self.dim, self.index, 0) if nf[0][0] is not None else None
        g_src = gather(grad, self.dim, self.index) if nf[2][0] is not None else None
        return g_self, None, g_src


class ScatterBackward1(Node):
    """scatter with a number."""

    def backward(self, grad):
        return scatter(grad, self.dim, self.index, 0), None


class NotImplemented(Node):  # noqa: A001 - torch's name for this grad_fn
    """grad_fn of an op whose derivative torch does not implement (scatter with reduce):
    backward raises."""

    def name(self):
        return "torch::autograd::NotImplemented"

    def backward(self, *grads):
        raise RuntimeError(f"derivative for aten::{self.op} is not implemented")


class ScatterAddBackward0(Node):
    def backward(self, grad):
        nf = self.next_functions
        g_src = gather(grad, self.dim, self.index) if nf[2][0] is not None else None
        return grad, None, g_src


def _scatter_checks(op, arr, idx, src_arr, dim):
    nd = max(arr.ndim, 1)
    if max(idx.ndim, 1) != nd:
        raise RuntimeError(f"{op}(): Index tensor must have the same number of dimensions as "
                           f"self tensor (index shape {list(idx.shape)}, self shape "
                           f"{list(arr.shape)})")
    if src_arr is not None and max(src_arr.ndim, 1) != nd:
        raise RuntimeError(f"{op}(): Index tensor must have the same number of dimensions as "
                           f"src tensor (index shape {list(idx.shape)}, src shape "
                           f"{list(src_arr.shape)})")
    d = _wrap_dim(dim, arr.ndim, op)
    a1, i1 = _nd1(arr), _nd1(idx)
    s1 = None if src_arr is None else _nd1(src_arr)
    for k in range(nd):
        if (k != d and i1.shape[k] > a1.shape[k]) or (s1 is not None
                                                      and i1.shape[k] > s1.shape[k]):
            raise RuntimeError(f"{op}(): Expected index {list(idx.shape)} to be no larger than "
                               f"self {list(arr.shape)} apart from dimension {d}"
                               + ("" if s1 is None else
                                  f" and to be no larger size than src {list(src_arr.shape)}"))
    return d, a1, i1, s1


def _scatter_core(op, input, dim, index, src, ufunc, is_value=False):
    """The array of input with src (a tensor's array, or a 0-d array for a number when
    ``is_value``) written or combined with ``ufunc`` (None: overwrite) at index along dim;
    returns (array, dim)."""
    arr = input._data
    idx = _index_array(op, index, (_I64, _I32))
    src_arr = None if is_value else src
    d, a1, i1, s1 = _scatter_checks(op, arr, idx, None if src_arr is None else src, dim)
    out = _fresh(a1, _is_meta(input, index))
    if i1.size == 0 or _is_meta(input, index):
        return out.reshape(arr.shape), d
    _bounds(op, i1, a1.shape[d], d)
    coords = _axis_coords(i1, d)
    vals = src if src_arr is None else _prefix(s1, i1.shape)
    vals = _like(vals, out)
    if ufunc is None:
        out[coords] = vals
    else:
        acc = _acc_dtype(out)
        work = out if acc == out.dtype else out.astype(acc)
        ufunc.at(work, coords, np.broadcast_to(vals.astype(acc, copy=False),
                                               i1.shape))
        if work is not out:
            out = work.astype(arr.dtype)
    return out.reshape(arr.shape), d


_SCATTER_REDUCE = {"add": np.add, "multiply": np.multiply}


def _src_or_value(op, src, value):
    if src is _MISSING and value is _MISSING:
        raise TypeError(f"{op}() missing required argument 'src' or 'value'")
    if src is not _MISSING and value is not _MISSING:
        raise TypeError(f"{op}() got both 'src' and 'value'")
    return src if src is not _MISSING else value


def scatter(input, dim, index, src=_MISSING, value=_MISSING, *, reduce=None, out=None):
    """A copy of ``input`` with ``src`` (a tensor or a number) written at ``index`` along
    ``dim``: out[index[i][j]][j] = src[i][j] for dim=0.  ``reduce='add'|'multiply'``
    combines instead of overwriting.

    >>> ember.scatter(ember.zeros(2, 3), 1, ember.tensor([[2], [0]]), 1.0)
    tensor([[0., 0., 1.],
            [1., 0., 0.]])
    """
    check_tensor(input, "scatter")
    src = _src_or_value("scatter", src, value)
    ufunc = None
    if reduce is not None:
        if reduce not in _SCATTER_REDUCE:
            raise RuntimeError(f"reduce argument must be either add or multiply, got {reduce}")
        ufunc = _SCATTER_REDUCE[reduce]
        if isinstance(src, Tensor):
            warnings.warn("The reduce argument of torch.scatter with Tensor src is deprecated "
                          "and will be removed in a future PyTorch release. Use "
                          "torch.scatter_reduce instead for more reduction options.",
                          UserWarning, stacklevel=2)
    if isinstance(src, Tensor):
        dev = _same_device("scatter", input, index, src)
        _same_dtype("scatter", input, src, "src")
        data, d = _scatter_core("scatter", input, dim, index, src._data, ufunc)
    else:
        if not U._is_number(src):
            raise TypeError(f"scatter(): argument 'src' must be Tensor or Number, not "
                            f"{type(src).__name__}")
        dev = _same_device("scatter", input, index)
        value_arr = U.scalar_to_array(src.item() if isinstance(src, np.generic) else src,
                                      input._data.dtype)
        data, d = _scatter_core("scatter", input, dim, index, value_arr, ufunc, is_value=True)
    res = U.wrap(data, dev)
    src_rg = isinstance(src, Tensor) and src._rg
    if GRAD.enabled and (input._rg or src_rg):
        if reduce is not None:
            record(NotImplemented, res, (input, None, src if src_rg else None)).op = "scatter"
        elif isinstance(src, Tensor):
            node = record(ScatterBackward0, res, (input, None, src))
            node.dim, node.index = d, index
        else:
            node = record(ScatterBackward1, res, (input, None))
            node.dim, node.index = d, index
    if out is not None:
        return U.write_out(out, res, "scatter")
    return res


def scatter_add(input, dim, index, src, *, out=None):
    """A copy of ``input`` with ``src`` added at ``index`` along ``dim`` (repeats add up).

    >>> ember.scatter_add(ember.zeros(3), 0, ember.tensor([0, 0, 2]), ember.ones(3))
    tensor([2., 0., 1.])
    """
    check_tensor(input, "scatter_add")
    check_tensor(src, "scatter_add", "src")
    dev = _same_device("scatter_add", input, index, src)
    _same_dtype("scatter_add", input, src, "src")
    data, d = _scatter_core("scatter_add", input, dim, index, src._data, np.add)
    res = U.wrap(data, dev)
    if GRAD.enabled and (input._rg or src._rg):
        node = record(ScatterAddBackward0, res, (input, None, src))
        node.dim, node.index = d, index
    if out is not None:
        return U.write_out(out, res, "scatter_add")
    return res


_REDUCE_UFUNC = {"sum": np.add, "prod": np.multiply, "mean": np.add, "amax": np.maximum,
                 "amin": np.minimum}


def _identity(reduce, dtype):
    if reduce in ("sum", "mean"):
        return 0
    if reduce == "prod":
        return 1
    if dtype.kind == "f" or dtype in _LOW:
        return -np.inf if reduce == "amax" else np.inf
    if dtype == _BOOL:
        return reduce == "amin"
    info = np.iinfo(dtype)
    return info.min if reduce == "amax" else info.max


class ScatterReduceBackward0(Node):
    def backward(self, grad):
        self_t, src, result = self.saved_tensors
        dim, index, reduce = self.dim, self.index, self.reduce
        include_self = self.include_self
        if reduce == "sum":
            g_self, g_src = grad, gather(grad, dim, index)
        elif reduce == "prod":
            g_self, g_src = _prod_grads(grad, self_t, src, result, dim, index, include_self)
        elif reduce == "mean":
            ones_src = _filled(src._data.shape, grad, fill=1)
            count = scatter_add(_filled(grad._data.shape, grad, fill=int(include_self)),
                                dim, index, ones_src)
            count = masked_fill(count, count == 0, 1)
            g_self = grad / count
            g_src = gather(g_self, dim, index)
        else:   # amax / amin: ties share the gradient evenly
            value = gather(result, dim, index)
            self_is = self_t == result
            src_is = src == value
            dt = grad.dtype
            n = scatter_add(self_is.to(dt), dim, index, src_is.to(dt))
            spread = grad / n
            g_self = masked_fill(spread, ~self_is, 0)
            g_src = masked_fill(gather(spread, dim, index), ~src_is, 0)
        if not include_self:
            g_self = scatter(g_self, dim, index, 0)
        return g_self, None, g_src


def _prod_grads(grad, self_t, src, result, dim, index, include_self):
    """d(prod)/d(each factor) = product of the other factors, also when some are zero."""
    masked_self = masked_fill(self_t, self_t == 0, 1)
    masked_self_result = scatter_reduce(masked_self, dim, index, src, "prod",
                                        include_self=include_self)
    g_self = grad * masked_self_result / masked_self
    src_zero = src == 0
    zeros_like_self = _filled(self_t._data.shape, grad)
    src_num_zeros = gather(scatter_add(zeros_like_self, dim, index, src_zero.to(grad.dtype)),
                           dim, index)
    src_single_zero = src_zero & (src_num_zeros == 1)
    masked_src = masked_fill(src, src_single_zero, 1)
    masked_src_result = scatter_reduce(self_t, dim, index, masked_src, "prod",
                                       include_self=include_self)
    from .pointwise import where
    g_src = where(src_single_zero, gather(grad * masked_src_result, dim, index),
                  gather(grad * result, dim, index) / masked_fill(src, src_zero, 1))
    return g_self, g_src


def scatter_reduce(input, dim, index, src, reduce, *, include_self=True, out=None):
    """A copy of ``input`` with ``src`` reduced into it at ``index`` along ``dim``;
    ``reduce`` is 'sum', 'prod', 'mean', 'amax' or 'amin'.  Without ``include_self`` the
    positions written take only the src values.

    >>> ember.scatter_reduce(ember.zeros(2), 0, ember.tensor([0, 0, 1]),
    ...                      ember.tensor([1.0, 3.0, 5.0]), "amax", include_self=False)
    tensor([3., 5.])
    """
    op = "scatter_reduce"
    check_tensor(input, op)
    check_tensor(src, op, "src")
    if reduce not in _REDUCE_UFUNC:
        raise RuntimeError(f"{op}(): reduce argument must be either sum, prod, mean, amax or "
                           f"amin, got {reduce}")
    dev = _same_device(op, input, index, src)
    _same_dtype(op, input, src, "src")
    arr = input._data
    if reduce == "mean" and arr.dtype == _BOOL:
        raise RuntimeError(f"{op}(): reduce='mean' is not supported for bool tensors")
    base = input
    if not include_self and not _is_meta(input, index):
        # positions that get src values start from the reduction's identity
        idx = _index_array(op, index, (_I64, _I32))
        d, a1, i1, _ = _scatter_checks(op, arr, idx, src._data, dim)
        _bounds(op, i1, a1.shape[d], d)
        start = a1.copy()
        if i1.size:
            start[_axis_coords(i1, d)] = _identity(reduce, arr.dtype)
        base = U.wrap(start.reshape(arr.shape), input._device)
    data, d = _scatter_core(op, base, dim, index, src._data, _REDUCE_UFUNC[reduce])
    if reduce == "mean" and not _is_meta(input, index):
        data = _mean_divide(data, arr.shape, d, index._data, include_self, input._data)
    res = U.wrap(data, dev)
    if GRAD.enabled and (input._rg or src._rg):
        node = record(ScatterReduceBackward0, res, (input, None, src),
                      saved=(input, src, res))
        node.dim, node.index, node.reduce, node.include_self = d, index, reduce, include_self
    if out is not None:
        return U.write_out(out, res, op)
    return res


def _mean_divide(total, shape, d, idx, include_self, orig):
    """Divide the scattered sums by their counts (positions not written keep input)."""
    i1 = _nd1(idx)
    count = xp_of(total).zeros(_nd1(total).shape, dtype=np.int64)
    if i1.size:
        np.add.at(count, _axis_coords(i1, d), 1)
    count = count.reshape(shape)
    if include_self:
        count += 1
    written = count > 0
    safe = np.where(written, count, 1)
    if total.dtype.kind == "f" or total.dtype in _LOW:
        res = (total.astype(_acc_dtype(total)) / safe).astype(total.dtype)
    else:
        res = np.floor_divide(total, safe).astype(total.dtype)   # NOTE: torch floors ints
    if not include_self:
        res = np.where(written, res, orig)
    return res


# ----------------------------------------------------------------------------------
# index_select / index_add / index_copy / index_fill
# ----------------------------------------------------------------------------------

def _vector_index(op, index, allowed, exc=IndexError, dtype_exc=RuntimeError):
    idx = _index_array(op, index, allowed, exc=dtype_exc)
    if idx.ndim > 1:
        raise exc(f"{op}(): Index is supposed to be a vector (got shape {list(idx.shape)})")
    return idx.reshape(-1)


def _dim_slot(d, idx, nd):
    return (slice(None),) * d + (idx,) + (slice(None),) * (nd - d - 1)


class IndexSelectBackward0(Node):
    def backward(self, grad):
        zeros = _filled(self.in_shape, grad)
        return index_add(zeros, self.dim, self.index, grad), None


def index_select(input, dim, index, *, out=None):
    """The slices of ``input`` at ``index`` (a vector) along ``dim``.

    >>> ember.index_select(ember.tensor([[1, 2], [3, 4]]), 0, ember.tensor([1, 1]))
    tensor([[3, 4],
            [3, 4]])
    """
    check_tensor(input, "index_select")
    idx = _vector_index("index_select", index, (_I64, _I32))
    dev = _same_device("index_select", input, index)
    arr = input._data
    d = _wrap_dim(dim, arr.ndim, "index_select")
    a1 = _nd1(arr)
    if not _is_meta(input, index) and idx.size and (idx.min() < 0 or idx.max() >= a1.shape[d]):
        bad = int(idx.min()) if idx.min() < 0 else int(idx.max())
        raise RuntimeError(f"index_select(): index {bad} is out of range for dimension {d} "
                         f"with size {a1.shape[d]}")
    if arr.ndim == 0:
        # NOTE: torch gives a 0-dim result for a 0-dim input (one index only)
        if idx.size != 1:
            raise RuntimeError(f"index_select(): Index to scalar can have only 1 value, got "
                               f"{idx.size} value(s)")
    res_arr = np.take(a1, idx, axis=d)
    if arr.ndim == 0:
        res_arr = res_arr.reshape(())
    res = U.wrap(res_arr, dev)
    if GRAD.enabled and input._rg:
        node = record(IndexSelectBackward0, res, (input, None))
        node.in_shape, node.dim, node.index = arr.shape, d, index
    if out is not None:
        return U.write_out(out, res, "index_select")
    return res


def _index_source_checks(op, arr, idx, src_arr, d):
    if op == "index_copy" and (arr.ndim == 0 or src_arr.ndim == 0):
        # NOTE: torch's index_copy lets a scalar (0-dim) self or source take one index
        if idx.size != 1 or src_arr.size != 1:
            raise RuntimeError(f"index_copy_(): a scalar self or source takes exactly one "
                               f"index and one value (index has {idx.size}, source "
                               f"{src_arr.size})")
        return
    if arr.ndim != src_arr.ndim and op == "index_copy":
        raise IndexError(f"index_copy_(): When source and destination are not scalars, their "
                         f"dimensionality must match. Source dimensionality ({src_arr.ndim}), "
                         f"destination dimensionality ({arr.ndim})")
    if arr.ndim != src_arr.ndim:
        raise RuntimeError(f"{op}(): source tensor shape must match self tensor shape, "
                           f"excluding the specified dimension. Got self.shape = "
                           f"{list(arr.shape)} source.shape = {list(src_arr.shape)}")
    s_shape = list(_nd1(arr).shape)
    s_shape[d] = idx.size
    got = list(_nd1(src_arr).shape) if arr.ndim == src_arr.ndim else list(src_arr.shape)
    if got != s_shape:
        raise RuntimeError(f"{op}(): source shape {list(src_arr.shape)} must be the shape of "
                           f"self {list(arr.shape)} with dimension {d} of size {idx.size} "
                           f"(index has {idx.size} entries)")


def _dim_index_prepare(op, input, dim, index, source, allowed, bounds_exc):
    """Shared checks of index_add/index_copy: (dim, index vector, source array, device)."""
    check_tensor(input, op)
    check_tensor(source, op, "source")
    idx = _vector_index(op, index, allowed)
    dev = _same_device(op, input, index, source)
    arr = input._data
    d = _wrap_dim(dim, arr.ndim, op)
    if input._data.dtype != source._data.dtype:
        raise RuntimeError(f"{op}(): self ({input.dtype}) and source ({source.dtype}) must "
                           "have the same scalar type")
    _index_source_checks(op, arr, idx, source._data, d)
    if not _is_meta(input, index):
        _bounds(op, idx, _nd1(arr).shape[d], d, exc=bounds_exc)
    return d, idx, _nd1(source._data).reshape(_nd1(arr).shape[:d] + (idx.size,)
                                              + _nd1(arr).shape[d + 1:]), dev


class IndexAddBackward0(Node):
    def backward(self, grad):
        nf = self.next_functions
        g_src = None
        if nf[2][0] is not None:
            g_src = index_select(grad, self.dim, self.index)
            if self.alpha != 1:
                g_src = g_src * self.alpha
            g_src = g_src.reshape(self.src_shape)
        return grad, None, g_src


def index_add(input, dim, index, source, *, alpha=1, out=None):
    """A copy of ``input`` with ``alpha * source`` added at ``index`` along ``dim``
    (repeated indices add up).

    >>> ember.index_add(ember.zeros(3), 0, ember.tensor([0, 0]), ember.ones(2))
    tensor([2., 0., 0.])
    """
    d, idx, src, dev = _dim_index_prepare("index_add", input, dim, index, source, (_I64, _I32),
                                        RuntimeError)
    arr = input._data
    res_arr = _fresh(_nd1(arr), _is_meta(input, index))
    if idx.size and not _is_meta(input, index):
        acc = _acc_dtype(res_arr)
        work = res_arr.astype(acc, copy=False)
        vals = src.astype(acc, copy=False)
        if alpha != 1:
            vals = vals * acc.type(alpha)
        np.add.at(work, _dim_slot(d, idx, res_arr.ndim), vals)
        res_arr = work.astype(arr.dtype, copy=False)
    res = U.wrap(res_arr.reshape(arr.shape), dev)
    if GRAD.enabled and (input._rg or source._rg):
        node = record(IndexAddBackward0, res, (input, None, source))
        node.dim, node.index, node.alpha, node.src_shape = d, index, alpha, source._data.shape
    if out is not None:
        return U.write_out(out, res, "index_add")
    return res


class IndexCopyBackward0(Node):
    def backward(self, grad):
        nf = self.next_functions
        g_self = index_fill(grad, self.dim, self.index, 0) if nf[0][0] is not None else None
        g_src = None
        if nf[2][0] is not None:
            g_src = index_select(grad, self.dim, self.index).reshape(self.src_shape)
        return g_self, None, g_src


def index_copy(input, dim, index, source, *, out=None):
    """A copy of ``input`` with the slices at ``index`` along ``dim`` replaced by
    ``source``'s.

    >>> ember.index_copy(ember.zeros(3), 0, ember.tensor([2]), ember.ones(1))
    tensor([0., 0., 1.])
    """
    d, idx, src, dev = _dim_index_prepare("index_copy", input, dim, index, source, (_I64,),
                                        IndexError)
    arr = input._data
    res_arr = _fresh(_nd1(arr), _is_meta(input, index))
    if idx.size and not _is_meta(input, index):
        res_arr[_dim_slot(d, idx, res_arr.ndim)] = src
    res = U.wrap(res_arr.reshape(arr.shape), dev)
    if GRAD.enabled and (input._rg or source._rg):
        node = record(IndexCopyBackward0, res, (input, None, source))
        node.dim, node.index, node.src_shape = d, index, source._data.shape
    if out is not None:
        return U.write_out(out, res, "index_copy")
    return res


class IndexFillBackward0(Node):
    """index_fill with a number."""

    def backward(self, grad):
        return index_fill(grad, self.dim, self.index, 0), None


class IndexFillBackward1(Node):
    """index_fill with a 0-dim tensor value."""

    def backward(self, grad):
        nf = self.next_functions
        g_self = index_fill(grad, self.dim, self.index, 0) if nf[0][0] is not None else None
        g_value = None
        if nf[2][0] is not None:
            g_value = index_select(grad, self.dim, self.index).sum()
        return g_self, None, g_value


def _fill_scalar(op, value, np_dtype):
    """``value`` (a number or 0-dim tensor) as a 0-d array of ``np_dtype``."""
    if isinstance(value, Tensor):
        if value._data.ndim != 0:
            raise RuntimeError(f"{op} only supports a 0-dimensional value tensor, but got "
                               f"tensor with {value._data.ndim} dimension(s).")
        return value._data.astype(np_dtype)
    if not U._is_number(value):
        raise TypeError(f"{op}(): argument 'value' must be Number or Tensor, not "
                        f"{type(value).__name__}")
    if isinstance(value, np.generic):
        value = value.item()
    if np_dtype.kind in "iu" and isinstance(value, float):
        if value != value or abs(value) == float("inf"):
            raise RuntimeError(f"{op}: value cannot be converted to type "
                               f"{_FROM_NP[np_dtype]} without overflow")
        value = int(value)
    return U.scalar_to_array(value, np_dtype)


def index_fill(input, dim, index, value):
    """A copy of ``input`` with the slices at ``index`` along ``dim`` set to ``value``
    (a number or a 0-dim tensor).

    >>> ember.index_fill(ember.zeros(3), 0, ember.tensor([0, 2]), 7.0)
    tensor([7., 0., 7.])
    """
    check_tensor(input, "index_fill")
    idx = _vector_index("index_fill", index, (_I64,), dtype_exc=IndexError)
    value_t = value if isinstance(value, Tensor) else None
    dev = U.common_device("index_fill", (input, value_t))
    _same_device("index_fill", input, index)
    arr = input._data
    d = _wrap_dim(dim, arr.ndim, "index_fill")
    fill = _like(_fill_scalar("index_fill_", value, arr.dtype), arr)
    res_arr = _fresh(_nd1(arr), _is_meta(input, index))
    # NOTE: torch skips the bounds check when every slice along ``dim`` is empty
    empty_slices = res_arr.size == 0 and res_arr.shape[d] != 0
    if not _is_meta(input, index) and not empty_slices:
        size = res_arr.shape[d]
        _bounds("index_fill", idx, size, d, exc=IndexError, negative=True)
        if idx.size:
            res_arr[_dim_slot(d, idx, res_arr.ndim)] = fill
    res = U.wrap(res_arr.reshape(arr.shape), dev)
    value_rg = value_t is not None and value_t._rg
    if GRAD.enabled and (input._rg or value_rg):
        if value_t is not None:
            node = record(IndexFillBackward1, res, (input, None, value_t))
        else:
            node = record(IndexFillBackward0, res, (input, None))
        node.dim, node.index = d, index
    return res


# ----------------------------------------------------------------------------------
# index_put
# ----------------------------------------------------------------------------------

def index_put(input, indices, values, accumulate=False):
    """A copy of ``input`` with ``values`` written at ``input[indices]`` (a tuple of index
    tensors, as in ``x[i, j]``); ``accumulate=True`` adds instead (repeats add up).

    >>> ember.index_put(ember.zeros(3), (ember.tensor([0, 0]),), ember.tensor(1.0),
    ...                 accumulate=True)
    tensor([2., 0., 0.])
    """
    from .indexing import index_put as _index_put
    check_tensor(input, "index_put")
    if not isinstance(indices, (tuple, list)):
        raise TypeError(f"index_put(): argument 'indices' must be tuple of Tensors, not "
                        f"{type(indices).__name__}")
    for i in indices:
        if i is not None and not isinstance(i, Tensor):
            raise TypeError(f"index_put(): argument 'indices' must be tuple of Tensors, not "
                            f"a tuple containing {type(i).__name__}")
    check_tensor(values, "index_put", "values")
    # NOTE: like x[indices], index_put takes cpu index tensors for a tensor on any device
    # (indexing.index_put checks them); values follow the usual device rule
    U.common_device("index_put", (input, values))
    if input._data.dtype != values._data.dtype:
        raise RuntimeError(f"Index put requires the source and destination dtypes match, got "
                           f"{input.dtype} for the destination and {values.dtype} for the "
                           "source.")
    index = tuple(slice(None) if i is None else i for i in indices)
    return _index_put(input, index, values, accumulate=accumulate)


# ----------------------------------------------------------------------------------
# masked_fill / masked_select / masked_scatter
# ----------------------------------------------------------------------------------

def _mask_array(op, mask):
    if not isinstance(mask, Tensor):
        raise TypeError(f"{op}(): argument 'mask' must be Tensor, not {type(mask).__name__}")
    m = mask._data
    if m.dtype != _BOOL:
        raise RuntimeError(f"{op} only supports boolean masks, but got mask with dtype "
                           f"{mask.dtype}")
    return m


def _broadcast_shape(op, a, b):
    try:
        return np.broadcast_shapes(a.shape, b.shape)
    except ValueError:
        raise U.broadcast_error(op, a, b) from None


class MaskedFillBackward0(Node):
    """masked_fill with a number."""

    def backward(self, grad):
        return masked_fill(grad, self.mask, 0), None


class MaskedFillBackward1(Node):
    """masked_fill with a 0-dim tensor value: it receives the sum of the masked grads."""

    def backward(self, grad):
        nf = self.next_functions
        mask = self.mask
        g_self = masked_fill(grad, mask, 0) if nf[0][0] is not None else None
        g_value = None
        if nf[2][0] is not None:
            g_value = masked_fill(grad, ~mask, 0).sum()
        return g_self, None, g_value


def masked_fill(input, mask, value):
    """A copy of ``input`` with ``value`` (a number or 0-dim tensor) where the bool
    ``mask`` (broadcast) holds.

    >>> ember.masked_fill(ember.zeros(3), ember.tensor([True, False, True]), 1.0)
    tensor([1., 0., 1.])
    """
    check_tensor(input, "masked_fill")
    m = _mask_array("masked_fill_", mask)
    value_t = value if isinstance(value, Tensor) else None
    dev = U.common_device("masked_fill", (input, value_t))
    _same_device("masked_fill", input, mask)
    arr = input._data
    fill = _like(_fill_scalar("masked_fill_", value, arr.dtype), arr)
    shape = _broadcast_shape("masked_fill", arr, m)
    if _is_meta(input, mask):
        res_arr = meta_array(shape, arr.dtype)
    elif arr.dtype.kind == "f" and shape == arr.shape:
        res_arr = arr.copy()
        np.copyto(res_arr, fill, where=m)
    else:
        res_arr = np.where(m, fill, arr)
    res = U.wrap(res_arr, dev)
    value_rg = value_t is not None and value_t._rg
    if GRAD.enabled and (input._rg or value_rg):
        if value_t is not None:
            node = record(MaskedFillBackward1, res, (input, None, value_t))
        else:
            node = record(MaskedFillBackward0, res, (input, None))
        node.mask = mask
    return res


class MaskedSelectBackward0(Node):
    def backward(self, grad):
        zeros = _filled(self.shape, grad)
        return masked_scatter(zeros, self.mask, grad), None


def masked_select(input, mask, *, out=None):
    """The elements of ``input`` where the bool ``mask`` holds (both broadcast), as a
    1-D tensor.

    >>> ember.masked_select(ember.tensor([1, 2, 3]), ember.tensor([True, False, True]))
    tensor([1, 3])
    """
    check_tensor(input, "masked_select")
    m = _mask_array("masked_select", mask)
    dev = _same_device("masked_select", input, mask)
    if _is_meta(input, mask):
        raise NotImplementedError("masked_select(): the result size depends on the mask's "
                                  "values, which meta tensors do not have")
    arr = input._data
    shape = _broadcast_shape("masked_select", arr, m)
    a = arr if arr.shape == shape else np.broadcast_to(arr, shape)
    mb = m if m.shape == shape else np.broadcast_to(m, shape)
    res = U.wrap(a[mb], dev)
    if GRAD.enabled and input._rg:
        node = record(MaskedSelectBackward0, res, (input, None))
        node.shape, node.mask = shape, mask
    if out is not None:
        return U.write_out(out, res, "masked_select")
    return res


class MaskedScatterBackward0(Node):
    def backward(self, grad):
        nf = self.next_functions
        mask = self.mask
        g_self = masked_fill(grad, mask, 0) if nf[0][0] is not None else None
        g_src = None
        if nf[2][0] is not None:
            selected = masked_select(grad, mask)
            n = self.src_numel
            flat = _filled(n, grad)
            positions = U.wrap(xp_of(grad._data).arange(selected._data.size, dtype=np.int64),
                               grad._device)
            g_src = put(flat, positions, selected).reshape(self.src_shape)
        return g_self, None, g_src


def masked_scatter(input, mask, source):
    """A copy of ``input`` with the leading elements of ``source`` (in order) written where
    the bool ``mask`` holds.

    >>> ember.masked_scatter(ember.zeros(3), ember.tensor([True, False, True]),
    ...                      ember.tensor([5.0, 6.0]))
    tensor([5., 0., 6.])
    """
    check_tensor(input, "masked_scatter")
    m = _mask_array("masked_scatter_", mask)
    check_tensor(source, "masked_scatter", "source")
    dev = _same_device("masked_scatter", input, mask, source)
    arr = input._data
    if arr.dtype != source._data.dtype:
        raise RuntimeError(f"masked_scatter_: expected self and source to have same dtypes but "
                           f"got {input.dtype} and {source.dtype}")
    shape = _broadcast_shape("masked_scatter", arr, m)
    if _is_meta(input, mask, source):
        res_arr = meta_array(shape, arr.dtype)
    else:
        res_arr = np.broadcast_to(arr, shape).copy()
    if not _is_meta(input, mask, source):
        mb = np.broadcast_to(m, shape)
        count = int(np.count_nonzero(mb))
        src = source._data.reshape(-1)
        if src.size < count:
            raise RuntimeError(f"masked_scatter_: Number of elements of source ({src.size}) < "
                               f"number of ones in mask ({count})")
        res_arr[mb] = src[:count]
    res = U.wrap(res_arr, dev)
    if GRAD.enabled and (input._rg or source._rg):
        node = record(MaskedScatterBackward0, res, (input, None, source))
        node.mask, node.src_numel, node.src_shape = mask, source._data.size, source._data.shape
    return res


# ----------------------------------------------------------------------------------
# take / put: flat indices, negative ones count from the end
# ----------------------------------------------------------------------------------

def _flat_index(op, idx, numel):
    if idx.size == 0:
        return idx
    lo, hi = idx.min(), idx.max()
    if lo < -numel or hi >= numel:
        bad = int(lo) if lo < -numel else int(hi)
        raise IndexError(f"{op}(): out of range: tried to access index {bad} on a tensor of "
                         f"{numel} elements.")
    return np.where(idx < 0, idx + numel, idx) if lo < 0 else idx


class TakeBackward0(Node):
    def backward(self, grad):
        zeros = _filled(self.in_shape, grad)
        return put(zeros, self.index, grad, accumulate=True), None


def take(input, index):
    """The elements of ``input`` (seen as 1-D) at ``index``; the result has index's shape.

    >>> ember.take(ember.tensor([[1, 2], [3, 4]]), ember.tensor([0, -1]))
    tensor([1, 4])
    """
    check_tensor(input, "take")
    if not isinstance(index, Tensor):
        raise TypeError(f"take(): argument 'index' must be Tensor, not {type(index).__name__}")
    idx = index._data
    if idx.dtype != _I64:
        raise RuntimeError(f"take(): Expected a long tensor for index, but got {index.dtype}")
    dev = _same_device("take", input, index)
    arr = input._data
    if _is_meta(input, index):
        res_arr = np.zeros(idx.shape, dtype=arr.dtype)
    else:
        if arr.size == 0 and idx.size:
            raise IndexError("take(): tried to take from an empty tensor")
        res_arr = arr.reshape(-1)[_flat_index("take", idx, arr.size)]
    res = U.wrap(res_arr, dev)
    if GRAD.enabled and input._rg:
        node = record(TakeBackward0, res, (input, None))
        node.in_shape, node.index = arr.shape, index
    return res


class PutBackward0(Node):
    def backward(self, grad):
        nf = self.next_functions
        g_self = None
        if nf[0][0] is not None:
            if self.accumulate:
                g_self = grad
            else:
                zeros = _filled(self.src_shape, grad)
                g_self = put(grad, self.index, zeros)
        g_src = take(grad, self.index).reshape(self.src_shape) if nf[2][0] is not None else None
        return g_self, None, g_src


def put(input, index, source, accumulate=False):
    """A copy of ``input`` (seen as 1-D) with ``source`` written at ``index``;
    ``accumulate=True`` adds instead.

    >>> ember.put(ember.zeros(2, 2), ember.tensor([0, -1]), ember.tensor([1.0, 2.0]))
    tensor([[1., 0.],
            [0., 2.]])
    """
    check_tensor(input, "put")
    check_tensor(source, "put", "source")
    if not isinstance(index, Tensor):
        raise TypeError(f"put(): argument 'index' must be Tensor, not {type(index).__name__}")
    idx = index._data
    if idx.dtype != _I64:
        raise RuntimeError(f"put_(): Expected a long tensor for index, but got {index.dtype}")
    dev = _same_device("put", input, index, source)
    arr = input._data
    if arr.dtype != source._data.dtype:
        raise RuntimeError(f"put_(): self and source expected to have the same dtype, but got "
                           f"self.dtype = {input.dtype} and source.dtype = {source.dtype}")
    if idx.size != source._data.size:
        raise IndexError(f"put_(): Expected source and index to have the same number of "
                         f"elements, but got source.numel() = {source._data.size}, "
                         f"index.numel() = {idx.size}")
    res_arr = _fresh(arr, _is_meta(input, index, source))
    if not _is_meta(input, index, source) and idx.size:
        if arr.size == 0:
            raise IndexError("put_(): tried to put into an empty tensor")
        flat = res_arr.reshape(-1)
        pos = _flat_index("put", idx, arr.size).reshape(-1)
        vals = source._data.reshape(-1)
        if accumulate:
            acc = _acc_dtype(flat)
            if acc == flat.dtype and flat.dtype.kind == "f" and vals.size > 64:
                flat += np.bincount(pos, weights=vals, minlength=flat.size).astype(flat.dtype)
            else:
                work = flat.astype(acc)
                np.add.at(work, pos, vals.astype(acc))
                flat[...] = work
        else:
            flat[pos] = vals
    res = U.wrap(res_arr, dev)
    if GRAD.enabled and (input._rg or source._rg):
        node = record(PutBackward0, res, (input, None, source))
        node.index, node.accumulate, node.src_shape = index, accumulate, source._data.shape
    return res


# ----------------------------------------------------------------------------------
# nonzero / argwhere
# ----------------------------------------------------------------------------------

def nonzero(input, *, out=None, as_tuple=False):
    """The indices of the nonzero elements: an (n, ndim) int64 tensor, or with
    ``as_tuple=True`` one 1-D index tensor per dim (usable as ``x[...]``).

    >>> ember.nonzero(ember.tensor([0, 3, 0, 4]))
    tensor([[1],
            [3]])
    """
    check_tensor(input, "nonzero")
    if input._device is META:
        raise NotImplementedError("nonzero(): the result size depends on the input's values, "
                                  "which meta tensors do not have")
    arr = input._data
    if as_tuple:
        if out is not None:
            raise RuntimeError("nonzero(): as_tuple=True does not support out=")
        a1 = _nd1(arr)
        return tuple(U.wrap(i.astype(np.int64, copy=False), input._device)
                     for i in np.nonzero(a1))
    if arr.ndim == 0:
        res_arr = xp_of(arr).zeros((1 if arr.item() else 0, 0), dtype=np.int64)
    else:
        res_arr = np.argwhere(arr).astype(np.int64, copy=False)
    if not res_arr.flags.c_contiguous:
        res_arr = res_arr.copy(order="C")
    res = U.wrap(res_arr, input._device)
    if out is not None:
        return U.write_out(out, res, "nonzero")
    return res


def argwhere(input):
    """The indices of the nonzero elements as an (n, ndim) int64 tensor.

    >>> ember.argwhere(ember.tensor([[0, 1], [1, 0]]))
    tensor([[0, 1],
            [1, 0]])
    """
    check_tensor(input, "argwhere")
    return nonzero(input)


METHODS = {
    "gather": gather, "take_along_dim": take_along_dim,
    "scatter": scatter, "scatter_add": scatter_add, "scatter_reduce": scatter_reduce,
    "index_select": index_select, "index_add": index_add, "index_copy": index_copy,
    "index_fill": index_fill, "index_put": index_put,
    "masked_fill": masked_fill, "masked_select": masked_select,
    "masked_scatter": masked_scatter, "take": take, "put": put,
    "nonzero": nonzero, "argwhere": argwhere,
}
for _name in ("scatter", "scatter_add", "scatter_reduce", "index_add", "index_copy",
              "index_fill", "index_put", "masked_fill", "masked_scatter", "put"):
    METHODS[_name + "_"] = make_inplace(METHODS[_name], _name + "_")
for _name, _fn in METHODS.items():
    setattr(Tensor, _name, _fn)

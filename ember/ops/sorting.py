"""Sorting and searching: sort, argsort, msort, topk, kthvalue, unique,
unique_consecutive, searchsorted, bucketize, histc, histogram, bincount.

Sorts are stable NumPy argsorts.  NaN sorts as the largest value (last when
ascending, first when descending), as in torch.  Gradients of the value-selecting ops
(sort, topk, kthvalue, msort) scatter the incoming gradient back to the chosen indices.
"""

__all__ = ["argsort", "bincount", "bucketize", "histc", "histogram", "kthvalue", "msort",
           "searchsorted", "sort", "topk", "unique", "unique_consecutive"]

import builtins
import numbers

import numpy as np

from .. import _dtype as D
from .._device import as_array, xp_of
from .._tensor import Tensor
from ..autograd.graph import Node
from . import _util as U
from ._util import GRAD, record
from .pointwise._common import _not_implemented
from ._return_types import _return_type, _write_tuple_out, return_types
from .reduction import _LOW_PRECISION, _F32, _scatter_add, argsort_stable

# NOTE: torch.return_types.sort/topk/kthvalue/histogram; added to the shared namespace
# (so ``ember.return_types.sort`` exists and pickles resolve it).
for _name in ("sort", "topk", "kthvalue"):
    if not hasattr(return_types, _name):
        setattr(return_types, _name, _return_type(_name))
if not hasattr(return_types, "histogram"):
    return_types.histogram = _return_type("histogram", ("hist", "bin_edges"))

_I64 = np.dtype(np.int64)
_I32 = np.dtype(np.int32)


def _sortable(arr):
    # bfloat16/float16 sort exactly in float32 (ml_dtypes' sort is slow and NaN-unaware).
    return arr.astype(_F32) if arr.dtype in _LOW_PRECISION else arr


def _dim_of(input, dim, op):
    if isinstance(dim, (list, tuple)) or dim is None or isinstance(dim, builtins.bool):
        raise TypeError(f"{op}(): argument 'dim' must be int, not {type(dim).__name__}")
    if not isinstance(dim, numbers.Integral):
        raise TypeError(f"{op}(): argument 'dim' must be int, not {type(dim).__name__}")
    return U.wrap_dim(int(dim), input._data.ndim, op)


def _argsort_array(arr, d, descending):
    """Stable argsort of a >=1-d array along ``d``; NaN counts as the largest value.

    Descending keeps equal elements in their original order: a stable ascending sort of
    the reversed axis, read backwards.
    """
    arr = _sortable(arr)
    if not descending:
        return argsort_stable(arr, d)
    n = arr.shape[d]
    rev = np.flip(arr, d)
    idx = np.flip(argsort_stable(rev, d), d)
    return (n - 1) - idx


class SortBackward0(Node):
    """The gradient of the sorted values goes back to where each came from."""

    def backward(self, grad):
        if self.index is None:  # 0-dim input
            return (grad,)
        return (_scatter_add(grad, self.dim, self.index, self.in_shape),)


class TopkBackward0(SortBackward0):
    pass


class KthvalueBackward0(Node):
    def backward(self, grad):
        g = grad if self.keepdim else grad.unsqueeze(self.dim)
        return (_scatter_add(g, self.dim, self.index, self.in_shape),)


def _select(input, d, index, node_cls):
    """values = input[index] along ``d`` (index has keepdim shape), with a scatter node."""
    arr = input._data
    values = U.wrap(np.take_along_axis(arr, index, axis=d), input._device)
    if GRAD.enabled and input._rg:
        node = record(node_cls, values, (input,))
        node.dim, node.index, node.in_shape = d, index, arr.shape
    return values


def _sort_impl(op, node_cls, input, dim, descending, count=None):
    arr = input._data
    d = _dim_of(input, dim, op)
    if arr.ndim == 0:
        values = U.wrap(arr.copy(), input._device)
        if GRAD.enabled and input._rg:
            node = record(node_cls, values, (input,))
            node.index = None
        return values, U.wrap(xp_of(arr).zeros((), _I64), input._device)
    xp = xp_of(arr)
    index = xp.ascontiguousarray(_argsort_array(arr, d, descending), dtype=_I64)
    if count is not None:
        index = xp.ascontiguousarray(np.take(index, xp.arange(count), axis=d))
    values = _select(input, d, index, node_cls)
    # the node keeps ``index``: hand out a copy, so in-place edits of the indices cannot
    # change the gradient
    out_index = index if values._grad_fn is None else index.copy()
    return values, U.wrap(out_index, input._device)


def _refuse_complex(input, name):
    if input._data.dtype.kind == "c":
        raise RuntimeError(f"{name} does not support complex dtypes on CPU (got {input.dtype})")


def _refuse_complex_unique(input, op):
    if input._data.dtype.kind == "c":
        raise _not_implemented(op, input._data.dtype)


def sort(input, dim=-1, descending=False, *, stable=False, out=None):
    """Sorted values along ``dim`` and their original indices (a named tuple).

    The sort is always stable; NaN sorts last (first when ``descending``).

    >>> ember.sort(ember.tensor([3., 1., 2.]))
    torch.return_types.sort(
    values=tensor([1., 2., 3.]),
    indices=tensor([1, 2, 0]))
    """
    U.check_tensor(input, "sort")
    _refuse_complex(input, "Sort")
    result = return_types.sort(_sort_impl("sort", SortBackward0, input, dim, descending))
    if out is not None:
        return _write_tuple_out(out, result, "sort")
    return result


def _sort_method(self, dim=-1, descending=False, *, stable=False):
    return sort(self, dim, descending, stable=stable)


def argsort(input, dim=-1, descending=False, *, stable=False):
    """Indices that sort ``input`` along ``dim`` (stable).

    >>> ember.argsort(ember.tensor([3., 1., 2.]))
    tensor([1, 2, 0])
    """
    U.check_tensor(input, "argsort")
    _refuse_complex(input, "Sort")
    arr = input._data
    d = _dim_of(input, dim, "argsort")
    if arr.ndim == 0:
        return U.wrap(xp_of(arr).zeros((), _I64), input._device)
    index = xp_of(arr).ascontiguousarray(_argsort_array(arr, d, descending), dtype=_I64)
    return U.wrap(index, input._device)


def msort(input, *, out=None):
    """``input`` sorted along its first dim (values only).

    >>> ember.msort(ember.tensor([[2., 1.], [1., 3.]]))
    tensor([[1., 1.],
            [2., 3.]])
    """
    U.check_tensor(input, "msort")
    _refuse_complex(input, "Sort")
    values = _sort_impl("msort", SortBackward0, input, 0, False)[0]
    return values if out is None else U.write_out(out, values, "msort")


def _check_k(k, op):
    if isinstance(k, Tensor) and k._data.ndim == 0:
        k = k.item()
    if isinstance(k, builtins.bool) or not isinstance(k, numbers.Integral):
        raise TypeError(f"{op}(): argument 'k' must be int, not {type(k).__name__}")
    return int(k)


def topk(input, k, dim=-1, largest=True, sorted=True, *, out=None):
    """The ``k`` largest (or smallest) elements along ``dim`` and their indices.

    Results always come sorted; NaN counts as the largest value.

    >>> ember.topk(ember.tensor([1., 4., 2., 3.]), 2).values
    tensor([4., 3.])
    """
    U.check_tensor(input, "topk")
    _refuse_complex(input, "topk")
    k = _check_k(k, "topk")
    arr = input._data
    if arr.dtype == np.bool_:
        raise RuntimeError("topk(): topk does not support bool dtypes on CPU")
    d = _dim_of(input, dim, "topk")
    size = arr.shape[d] if arr.ndim else 1
    if k < 0 or k > size:
        raise RuntimeError(f"topk(): selected index k out of range (k={k}, size of dim {d} is "
                           f"{size}, input shape {list(arr.shape)})")
    if arr.ndim == 0:
        values, indices = _sort_impl("topk", TopkBackward0, input, d, largest)
    else:
        values, indices = _sort_impl("topk", TopkBackward0, input, d, largest, count=k)
    result = return_types.topk((values, indices))
    if out is not None:
        return _write_tuple_out(out, result, "topk")
    return result


def kthvalue(input, k, dim=-1, keepdim=False, *, out=None):
    """The ``k``-th smallest element (1-based) along ``dim`` and its index.

    >>> ember.kthvalue(ember.tensor([3., 1., 2.]), 2).values
    tensor(2.)
    """
    U.check_tensor(input, "kthvalue")
    _refuse_complex_unique(input, "kthvalue_cpu")
    k = _check_k(k, "kthvalue")
    arr = input._data
    if arr.dtype == np.bool_:
        raise NotImplementedError("\"kthvalue_cpu\" not implemented for 'Bool'")
    d = _dim_of(input, dim, "kthvalue")
    size = arr.shape[d] if arr.ndim else 1
    if k < 1 or k > size:
        raise RuntimeError(f"kthvalue(): selected number k out of range for dimension {d} "
                           f"(k={k}, size {size})")
    if arr.ndim == 0:
        values = U.wrap(arr.copy(), input._device)
        if GRAD.enabled and input._rg:
            record(SortBackward0, values, (input,)).index = None
        indices = U.wrap(xp_of(arr).zeros((), _I64), input._device)
    else:
        order = _argsort_array(arr, d, False)
        xp = xp_of(arr)
        index = xp.ascontiguousarray(np.take(order, xp.arange(k - 1, k), axis=d), dtype=_I64)
        picked = np.take_along_axis(arr, index, axis=d)
        out_index = index if keepdim else np.squeeze(index, d)
        values = U.wrap(picked if keepdim else np.squeeze(picked, d), input._device)
        if GRAD.enabled and input._rg:
            node = record(KthvalueBackward0, values, (input,))
            node.dim, node.index, node.in_shape, node.keepdim = d, index, arr.shape, keepdim
            out_index = out_index.copy()
        indices = U.wrap(out_index, input._device)
    result = return_types.kthvalue((values, indices))
    if out is not None:
        return _write_tuple_out(out, result, "kthvalue")
    return result


# ----------------------------------------------------------------------------------
# unique / unique_consecutive
# ----------------------------------------------------------------------------------

class Unique2Backward0(Node):
    def backward(self, grad):
        raise NotImplementedError("the derivative for '_unique2' is not implemented.")


class UniqueDimBackward0(Node):
    def backward(self, grad):
        raise NotImplementedError("the derivative for 'unique_dim' is not implemented.")


class UniqueConsecutiveBackward0(Node):
    def backward(self, grad):
        raise NotImplementedError("the derivative for 'unique_consecutive' is not implemented.")


def _c_copy(arr, dtype):
    """A C-contiguous copy of ``arr`` in ``dtype``, on its device (np.ascontiguousarray
    would turn a 0-d array into 1-d)."""
    if type(arr) is np.ndarray:
        return np.array(arr, dtype=dtype, order="C")
    return arr.astype(dtype, order="C")


def _unique_result(input, values, inverse, counts, return_inverse, return_counts, node_cls):
    dev = input._device
    out = U.wrap(_c_copy(values, input._data.dtype), dev)
    if GRAD.enabled and input._rg:
        record(node_cls, out, (input,))
    if not return_inverse and not return_counts:
        return out
    res = [out]
    if return_inverse:
        res.append(U.wrap(_c_copy(inverse, _I64), dev))
    if return_counts:
        res.append(U.wrap(_c_copy(counts, _I64), dev))
    return tuple(res)


def _rows(arr, d):
    """``arr`` with ``d`` moved first and the rest flattened: one row per slice."""
    moved = np.moveaxis(arr, d, 0)
    return moved.reshape(moved.shape[0], -1), moved.shape


def unique(input, sorted=True, return_inverse=False, return_counts=False, dim=None):
    """The distinct elements (or slices along ``dim``), sorted; optionally the inverse
    indices and counts.

    >>> ember.unique(ember.tensor([2, 1, 2, 3]), return_counts=True)
    (tensor([1, 2, 3]), tensor([1, 2, 1]))
    """
    U.check_tensor(input, "unique")
    _refuse_complex_unique(input, "unique")
    arr = _sortable(input._data)
    xp = xp_of(arr)
    if dim is None:
        flat = arr.reshape(-1)
        order = argsort_stable(flat)
        s = flat[order]
        first = xp.ones(s.shape, dtype=bool)
        first[1:] = s[1:] != s[:-1]
        values = s[first]
        group = np.cumsum(first) - 1
        inverse = xp.empty(flat.shape, _I64)
        inverse[order] = group
        counts = np.diff(np.append(np.flatnonzero(first), s.size))
        return _unique_result(input, values, inverse.reshape(arr.shape), counts,
                              return_inverse, return_counts, Unique2Backward0)
    d = _dim_of(input, dim, "unique")
    if arr.ndim == 0:
        raise IndexError("unique(): Dimension out of range for a 0-dim tensor")
    rows, moved_shape = _rows(arr, d)
    if rows.shape[0] == 0 or rows.shape[1] == 0:
        n = rows.shape[0]
        keep = builtins.min(n, 1) if rows.shape[1] == 0 else 0
        values = np.moveaxis(np.moveaxis(arr, d, 0)[:keep], 0, d)
        return _unique_result(input, values, xp.zeros(n, _I64),
                              xp.full(keep, n, _I64), return_inverse, return_counts,
                              UniqueDimBackward0)
    order = np.lexsort(rows.T[::-1])
    s = rows[order]
    first = xp.ones(s.shape[0], dtype=bool)
    first[1:] = np.any(s[1:] != s[:-1], axis=1)
    group = np.cumsum(first) - 1
    inverse = xp.empty(rows.shape[0], _I64)
    inverse[order] = group
    counts = np.diff(np.append(np.flatnonzero(first), s.shape[0]))
    values = s[first].reshape((-1,) + moved_shape[1:])
    values = np.moveaxis(values, 0, d)
    return _unique_result(input, values, inverse, counts, return_inverse, return_counts,
                          UniqueDimBackward0)


def _unique_method(self, sorted=True, return_inverse=False, return_counts=False, dim=None):
    return unique(self, sorted, return_inverse, return_counts, dim)


def unique_consecutive(input, return_inverse=False, return_counts=False, dim=None):
    """Collapse runs of equal consecutive elements (or slices along ``dim``).

    >>> ember.unique_consecutive(ember.tensor([1, 1, 2, 2, 1]))
    tensor([1, 2, 1])
    """
    U.check_tensor(input, "unique_consecutive")
    _refuse_complex_unique(input, "unique_consecutive")
    arr = _sortable(input._data)
    xp = xp_of(arr)
    if dim is None:
        flat = arr.reshape(-1)
        first = xp.ones(flat.shape, dtype=bool)
        first[1:] = flat[1:] != flat[:-1]
        inverse = (np.cumsum(first) - 1).reshape(arr.shape)
        counts = np.diff(np.append(np.flatnonzero(first), flat.size))
        return _unique_result(input, flat[first], inverse, counts, return_inverse,
                              return_counts, UniqueConsecutiveBackward0)
    d = _dim_of(input, dim, "unique_consecutive")
    if arr.ndim == 0:
        raise IndexError("unique_consecutive(): Dimension out of range for a 0-dim tensor")
    rows, moved_shape = _rows(arr, d)
    first = xp.ones(rows.shape[0], dtype=bool)
    if rows.shape[0]:
        first[1:] = np.any(rows[1:] != rows[:-1], axis=1)
    inverse = np.cumsum(first) - 1
    counts = np.diff(np.append(np.flatnonzero(first), rows.shape[0]))
    values = np.moveaxis(rows[first].reshape((-1,) + moved_shape[1:]), 0, d)
    return _unique_result(input, values, inverse, counts, return_inverse, return_counts,
                          UniqueConsecutiveBackward0)


def _unique_consecutive_method(self, return_inverse=False, return_counts=False, dim=None):
    return unique_consecutive(self, return_inverse, return_counts, dim)


# ----------------------------------------------------------------------------------
# searchsorted / bucketize
# ----------------------------------------------------------------------------------

def _search_arrays(op, boundaries, values):
    """Boundaries and values as arrays of one common dtype (torch promotes)."""
    if isinstance(values, Tensor):
        device = U.common_device(op, (boundaries, values))
        if boundaries._data.ndim and values._data.ndim == 0 and values._device is not \
                boundaries._device:
            raise RuntimeError(f"{op}(): Expected all tensors to be on the same device, but "
                               f"found at least two devices, {boundaries._device} and "
                               f"{values._device}!")
    else:
        device = boundaries._device
    b, v, _ = U.prep_binary(op, boundaries, values)
    b = as_array(b)
    xp = xp_of(b)
    # a Python or NumPy scalar ``values`` goes to ``b``'s device
    v = as_array(v) if xp is np else xp.asarray(v)
    if b.dtype == np.bool_ or v.dtype == np.bool_:
        raise RuntimeError(f'"{op}_out_cpu" not implemented for \'Bool\'')
    return _sortable(b), _sortable(v), device


def _search(op, b, v, side, sorter, out_int32):
    if b.ndim <= 1:
        if sorter is not None:
            b = b[sorter]
        res = np.searchsorted(b, v, side=side)
    else:
        if b.shape[:-1] != v.shape[:-1]:
            raise RuntimeError(
                f"{op}(): boundaries tensor should be 1 dimension or the first N-1 dimensions "
                f"of boundaries tensor and input value tensor must match, but we got "
                f"boundaries tensor {list(b.shape)} and input value tensor {list(v.shape)}")
        if sorter is not None:
            b = np.take_along_axis(b, sorter, axis=-1)
        b2 = b.reshape(-1, b.shape[-1])
        v2 = v.reshape(-1, v.shape[-1])
        res = xp_of(b2).empty(v2.shape, _I64)
        for i in range(b2.shape[0]):
            res[i] = np.searchsorted(b2[i], v2[i], side=side)
        res = res.reshape(v.shape)
    return as_array(res, _I32 if out_int32 else _I64)


def searchsorted(sorted_sequence, input, *, out_int32=False, right=False, side=None,
                 sorter=None, out=None):
    """Indices where ``input`` would be inserted into ``sorted_sequence`` (along its last
    dim) to keep it sorted.  ``right``/``side='right'`` put equal values after.

    >>> ember.searchsorted(ember.tensor([1, 3, 5]), ember.tensor([3, 6]))
    tensor([1, 3])
    """
    U.check_tensor(sorted_sequence, "searchsorted", "sorted_sequence")
    if not isinstance(input, Tensor) and not U._is_number(input):
        raise TypeError(f"searchsorted(): argument 'input' must be Tensor or Number, not "
                        f"{type(input).__name__}")
    if side is not None:
        if side not in ("left", "right"):
            raise RuntimeError(f"searchsorted(): side can only be 'left' or 'right' but got "
                               f"{side}")
        if right and side == "left":
            raise RuntimeError("searchsorted(): side and right can't be set to opposites, got "
                               "side of left while right was True")
        right = side == "right"
    b, v, device = _search_arrays("searchsorted", sorted_sequence, input)
    if b.ndim == 0:
        raise RuntimeError("searchsorted(): boundaries tensor should have positive dimension, "
                           "but got 0 dimension")
    if b.ndim > 1 and v.ndim == 0:
        raise RuntimeError("searchsorted(): input value can be a scalar only when boundaries "
                           f"tensor dimension is 1, but we got boundaries tensor dim("
                           f"{b.ndim}) and input value's dim(0) numel(1)")
    sorter_arr = None
    if sorter is not None:
        U.check_tensor(sorter, "searchsorted", "sorter")
        sorter_arr = sorter._data
        if sorter_arr.shape != b.shape:
            raise RuntimeError(f"searchsorted(): boundary and sorter must have the same size, "
                               f"but got boundary tensor {list(b.shape)} and sorter tensor "
                               f"{list(sorter_arr.shape)}")
        if sorter_arr.dtype != _I64:
            raise RuntimeError("searchsorted(): sorter must be a tensor of long dtype but got "
                               f"dtype {sorter.dtype}")
        if sorter_arr.size and (sorter_arr.min() < 0 or sorter_arr.max() >= b.shape[-1]):
            raise RuntimeError("searchsorted(): sorter index out of range")
    res = _search("searchsorted", b, v, "right" if right else "left", sorter_arr, out_int32)
    res = U.wrap(U.to_meta_if(res, device), device)
    return res if out is None else U.write_out(out, res, "searchsorted")


def bucketize(input, boundaries, *, out_int32=False, right=False, out=None):
    """The bucket of each element of ``input`` given 1-d sorted ``boundaries``;
    ``right=False`` means ``boundaries[i-1] < x <= boundaries[i]``.

    >>> ember.bucketize(ember.tensor([1, 4, 6]), ember.tensor([1, 3, 5]))
    tensor([0, 2, 3])
    """
    if not isinstance(input, Tensor) and not U._is_number(input):
        raise TypeError(f"bucketize(): argument 'input' must be Tensor or Number, not "
                        f"{type(input).__name__}")
    U.check_tensor(boundaries, "bucketize", "boundaries")
    if boundaries._data.ndim != 1:
        raise RuntimeError(f"bucketize(): boundaries tensor must be 1 dimension, but got dim("
                           f"{boundaries._data.ndim})")
    b, v, device = _search_arrays("bucketize", boundaries, input)
    res = _search("bucketize", b, v, "right" if right else "left", None, out_int32)
    res = U.wrap(U.to_meta_if(res, device), device)
    return res if out is None else U.write_out(out, res, "bucketize")


# ----------------------------------------------------------------------------------
# histc / histogram / bincount
# ----------------------------------------------------------------------------------

_KERNEL = {"bool": "Bool", "uint8": "Byte", "int8": "Char", "int16": "Short", "int32": "Int",
           "int64": "Long"}


def _float_only(op, kernel, input):
    if D._FROM_NP[input._data.dtype].category < D.FLOAT:
        name = _KERNEL.get(str(input._data.dtype), str(input.dtype))
        raise NotImplementedError(f'"{kernel}" not implemented for \'{name}\'')


def _hist_counts(x, bins, lo, hi):
    """Counts of ``x`` (in its own dtype) in ``bins`` equal bins over [lo, hi], the last
    bin closed.

    NOTE: torch computes the bin of each element in the input's dtype, rounding after
    every step (so float16 differs from float32), with no correction against the
    linspace bin edges; done the same way here.
    """
    dt = x.dtype
    lo_a, hi_a = dt.type(lo), dt.type(hi)
    x = x[(x >= lo_a) & (x <= hi_a)]
    step = ((x - lo_a).astype(dt) * dt.type(bins)).astype(dt)
    pos = (step / dt.type(hi_a - lo_a)).astype(dt).astype(np.float64)
    pos = np.clip(np.nan_to_num(pos), 0, bins - 1).astype(_I64)
    return np.bincount(pos, minlength=bins)[:bins]


def histc(input, bins=100, min=0, max=0, *, out=None):
    """Histogram with ``bins`` equal bins over [min, max] (the data's range when min == max);
    values outside are ignored.

    >>> ember.histc(ember.tensor([1., 2., 1.]), bins=4, min=0, max=3)
    tensor([0., 2., 1., 0.])
    """
    U.check_tensor(input, "histc")
    _float_only("histc", "histogram_cpu", input)
    if isinstance(bins, builtins.bool) or not isinstance(bins, numbers.Integral):
        raise TypeError(f"histc(): argument 'bins' must be int, not {type(bins).__name__}")
    if bins <= 0:
        raise RuntimeError(f"histc(): bins must be > 0, but got {bins}")
    arr = input._data
    x = arr.reshape(-1)
    lo, hi = float(min), float(max)
    if lo == hi and x.size:
        lo, hi = float(x.min()), float(x.max())
    if lo == hi:
        lo, hi = lo - 1, hi + 1
    # the edges live in the input's dtype
    lo, hi = float(arr.dtype.type(lo)), float(arr.dtype.type(hi))
    if lo > hi:
        raise RuntimeError(f"histc(): max must be larger than min (min={min}, max={max})")
    if not (np.isfinite(lo) and np.isfinite(hi)):
        raise RuntimeError(f"histc(): range of [{lo}, {hi}] is not finite")
    if input._device.type == "meta":
        counts = np.zeros(bins)
    else:
        counts = _hist_counts(x, bins, lo, hi)
    res = U.wrap(U.to_meta_if(counts.astype(arr.dtype), input._device), input._device)
    return res if out is None else U.write_out(out, res, "histc")


def histogram(input, bins, *, range=None, weight=None, density=False, out=None):
    """Histogram of ``input`` (flattened) as (hist, bin_edges); ``bins`` is a count or a
    1-d tensor of edges.

    >>> ember.histogram(ember.tensor([1., 2., 1.]), bins=2).hist
    tensor([2., 1.])
    """
    U.check_tensor(input, "histogram")
    U.common_device("histogram", (input, bins, weight))
    _float_only("histogram", "histogramdd", input)
    arr = input._data
    if arr.dtype in _LOW_PRECISION:
        name = "Half" if arr.dtype == np.float16 else "BFloat16"
        raise NotImplementedError(f'"histogramdd" not implemented for \'{name}\'')
    x = arr.astype(np.float64).reshape(-1)
    w = None if weight is None else weight._data.astype(np.float64).reshape(-1)
    if isinstance(bins, Tensor):
        edges = bins._data.astype(np.float64)
    else:
        if range is not None:
            lo, hi = float(range[0]), float(range[1])
        elif x.size:
            lo, hi = float(x.min()), float(x.max())
        else:
            lo, hi = 0.0, 0.0
        if lo == hi:
            lo, hi = lo - 0.5, hi + 0.5  # NOTE: torch widens an empty range like NumPy
        if lo > hi:
            raise RuntimeError("histogram(): min should not exceed max")
        edges = xp_of(arr).linspace(lo, hi, int(bins) + 1).astype(arr.dtype).astype(np.float64)
    hist, _ = np.histogram(x, bins=edges, weights=w, density=density)
    dev = input._device
    res = return_types.histogram((U.wrap(hist.astype(arr.dtype), dev),
                                  U.wrap(edges.astype(arr.dtype), dev)))
    if out is not None:
        return _write_tuple_out(out, res, "histogram")
    return res


def bincount(input, weights=None, minlength=0):
    """How often each value occurs in a 1-d non-negative integer tensor; with ``weights``,
    the sum of the weights per value.

    >>> ember.bincount(ember.tensor([0, 1, 1, 3]))
    tensor([1, 2, 0, 1])
    """
    U.check_tensor(input, "bincount")
    arr = input._data
    if arr.dtype.kind not in "iub" or arr.dtype == np.bool_:
        name = D._FROM_NP[arr.dtype].name if arr.dtype in D._FROM_NP else str(arr.dtype)
        raise RuntimeError(f"bincount(): \"bincount_cpu\" not implemented for '{name}'")
    if arr.ndim != 1:
        raise RuntimeError(f"bincount(): bincount only supports 1-d non-negative integral "
                           f"inputs, got shape {list(arr.shape)}")
    if minlength < 0:
        raise RuntimeError(f"bincount(): minlength should be >= 0, got {minlength}")
    if arr.size and arr.min() < 0:
        raise RuntimeError("bincount(): bincount only supports 1-d non-negative integral "
                           "inputs.")
    w = None
    out_dtype = _I64
    if weights is not None:
        U.check_tensor(weights, "bincount", "weights")
        U.common_device("bincount", (input, weights))
        if weights._data.shape != arr.shape:
            raise RuntimeError(f"bincount(): weights should be 1-d and have the same length "
                               f"as input, got input {list(arr.shape)} and weights "
                               f"{list(weights._data.shape)}")
        w = weights._data.astype(np.float64)
        # NOTE: float32 weights give float32 counts; every other weight dtype gives float64.
        out_dtype = _F32 if weights._data.dtype == _F32 else np.dtype(np.float64)
    res = np.bincount(arr.astype(_I64), weights=w, minlength=int(minlength))
    return U.wrap(res.astype(out_dtype), input._device)


# ----------------------------------------------------------------------------------
# Tensor methods
# ----------------------------------------------------------------------------------

METHODS = {
    "sort": _sort_method, "argsort": argsort, "msort": msort, "topk": topk,
    "kthvalue": kthvalue, "unique": _unique_method,
    "unique_consecutive": _unique_consecutive_method, "bincount": bincount, "histc": histc,
    "histogram": histogram,
}
for _name, _fn in METHODS.items():
    setattr(Tensor, _name, _fn)

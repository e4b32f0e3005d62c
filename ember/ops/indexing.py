"""Indexing and writing into tensors: ``x[index]``, ``x[index] = value``, index_put,
copy_, fill_, zero_, and the out-of-place writes select_scatter, slice_scatter and
diagonal_scatter (the gradients of the region views in shape.py).

Basic indices (ints, slices with positive steps, None, Ellipsis) give views; integer or
bool tensors and lists gather a copy.  In-place writes go through ``apply_inplace`` so
that autograd sees them (CopySlices on the base of a view).

>>> x = ember.zeros(2, 3)
>>> x[0, 1:] = 5.0
"""

__all__ = ["diagonal_scatter", "select_scatter", "slice_scatter"]

import warnings

import ml_dtypes
import numpy as np

from .. import _dtype as D
from .._device import CPU, META, array_like, as_strided, is_device_array, to_host, writeable, xp_of
from .._tensor import Tensor, _ptr, _storage_root, _wrap_dim
from ..autograd.graph import Node
from . import _util as U
from ._inplace import apply_inplace
from ._shape_args import diag_dims, need_dims, select_args
from ._util import GRAD, check_tensor, record
from ._view import (ALL, Diag, DiagonalScatterBackward0, SelectBackward0, SelectScatterBackward0,
                    SliceBackward0, SliceScatterBackward0, c_array, dim_index, make_view,
                    scatter_region, storage_flat)

_FROM_NP = D._FROM_NP


# ----------------------------------------------------------------------------------
# getitem / setitem: basic indices (ints, slices, None, Ellipsis) give views
# ----------------------------------------------------------------------------------

def _slice_bound(v):
    if v is None or type(v) is int:
        return v
    if isinstance(v, (bool, np.bool_)) or not hasattr(v, "__index__"):
        raise TypeError("slice indices must be integers or None or have an __index__ method")
    return v.__index__()


def _basic_index(index, shape):
    """The NumPy index (with an Ellipsis, so NumPy returns a view) for a basic index, or None
    when ``index`` holds advanced parts (tensors, lists, bools)."""
    if type(index) is not tuple:
        index = (index,)
    out = []
    dim = 0
    ndim = len(shape)
    ellipsis_at = -1
    for item in index:
        kind = type(item)
        if kind is slice:
            step = item.step
            if step is not None:
                step = _slice_bound(step)
                if step == 0:
                    raise ValueError("slice step cannot be zero")
                if step < 0:
                    raise ValueError("step must be greater than zero")
            out.append(slice(_slice_bound(item.start), _slice_bound(item.stop), step))
            dim += 1
        elif item is None:
            out.append(None)
        elif item is Ellipsis:
            if ellipsis_at >= 0:
                raise IndexError("an index can only have a single ellipsis ('...')")
            ellipsis_at = dim
            out.append(Ellipsis)
        elif kind is int or isinstance(item, np.integer) or (
                kind is Tensor and item._data.ndim == 0 and item.dtype.category == D.INT
                and item._data.dtype != np.uint8):
            out.append(int(item))
            dim += 1
        else:
            return None
    if dim > ndim:
        raise IndexError(f"too many indices for tensor of dimension {ndim}")
    # bounds of integer indices (their dims shift by the Ellipsis' width)
    skip = ndim - dim
    d = 0
    for item in out:
        if item is Ellipsis:
            d += skip
        elif type(item) is int:
            size = shape[d]
            if item < -size or item >= size:
                if ndim == 0:
                    raise IndexError("invalid index of a 0-dim tensor. Use `tensor.item()` in "
                                     "Python to convert a 0-dim tensor to a number")
                raise IndexError(f"index {item} is out of bounds for dimension {d} with size "
                                 f"{size}")
            d += 1
        elif item is not None:
            d += 1
    if ellipsis_at < 0:
        out.append(Ellipsis)
    return tuple(out)


class UnsqueezeBackward0(SliceBackward0):
    """A basic index whose last effective item is ``None`` (same gradient as a slice)."""


class AliasBackward0(SliceBackward0):
    """A basic index that changes nothing (``x[...]``, ``x[:, :]``)."""


def _view_node(index, basic, shape):
    """The node class of ``input[index]`` for a basic index (``basic``, normalized).

    NOTE: torch applies a basic index item by item as view ops (select, slice, unsqueeze)
    and names the result's grad_fn after the last one that did anything.  Inside a tuple a
    slice covering its whole dim (start 0, step 1, stop past the end) is skipped, and an
    index that does nothing gives an alias; a lone slice ``x[:]`` is always a slice.
    """
    if type(index) is not tuple:
        if index is None:
            return UnsqueezeBackward0
        if index is Ellipsis:
            return AliasBackward0
        return SliceBackward0 if type(index) is slice else SelectBackward0
    node_cls = AliasBackward0
    width = len(shape) - (len(basic) - basic.count(None) - 1)   # dims the Ellipsis spans
    d = 0
    for item in basic:
        if item is None:
            node_cls = UnsqueezeBackward0
        elif item is Ellipsis:
            d += width
        elif type(item) is int:
            node_cls = SelectBackward0
            d += 1
        else:
            stop = item.stop
            if item.start or (item.step or 1) != 1 or (stop is not None and stop < shape[d]):
                node_cls = SliceBackward0
            d += 1
    return node_cls


def _none_view(input, basic):
    """``input._data[basic]`` (a basic index holding None) with torch's strides for the dims
    made by None.

    NOTE: torch inserts a None dim as unsqueeze does on the tensor built so far: its stride
    is size * stride of the input dim it lands in front of (1 past the last dim), taken
    before later items slice or select that dim.  NumPy's indexing gives it stride 0.
    NumPy's reshape gives an inserted size-1 dim exactly torch's stride (size * stride of
    the next dim), so the fast path inserts those dims by reshape, then indexes them with
    ``:``.  Dims inserted past the last input dim stay None: stride() reports 1 for those.
    Reshape drops the strides of size-1 input dims, so such inputs take a slower path.
    """
    arr = input._data
    shape = arr.shape
    if 1 in shape:
        return _unsqueeze_strides(arr[basic], basic, input)
    ndim = len(shape)
    width = ndim - (len(basic) - basic.count(None) - 1)   # dims the Ellipsis spans
    new_shape = []
    new_index = []
    k = 0   # input dim
    for item in basic:
        if item is None:
            if k < ndim:
                new_shape.append(1)
                item = ALL
        elif item is Ellipsis:
            new_shape.extend(shape[k:k + width])
            k += width
        else:
            new_shape.append(shape[k])
            k += 1
        new_index.append(item)
    return arr.reshape(new_shape)[tuple(new_index)]


def _unsqueeze_strides(view, basic, input):
    """``view`` (``input._data[basic]``) rebuilt over the same memory with torch's strides
    for the dims made by None (see ``_none_view``); NumPy's view when the storage cannot
    be exported as a buffer."""
    shape = input._data.shape
    ndim = len(shape)
    in_strides = input.stride()
    strides = list(view.strides)
    itemsize = view.itemsize
    width = ndim - (len(basic) - basic.count(None) - 1)
    k = j = 0   # input dim, output dim
    for item in basic:
        if item is None:
            strides[j] = (shape[k] * in_strides[k] if k < ndim else 1) * itemsize
            j += 1
        elif item is Ellipsis:
            k += width
            j += width
        else:
            k += 1
            if type(item) is not int:
                j += 1
    if type(view) is not np.ndarray:
        # a device array: restriding the view itself (the new dims have size 1, so their
        # strides address no other memory)
        return as_strided(view, view.shape, tuple(strides))
    root = _storage_root(view)
    try:
        out = np.ndarray(view.shape, view.dtype, buffer=root, offset=_ptr(view) - _ptr(root),
                         strides=strides)
    except (TypeError, ValueError, BufferError):
        return view
    if not view.flags.writeable:
        out.flags.writeable = False
    return out


class IndexBackward0(Node):
    def backward(self, grad):
        return (index_scatter_zeros(grad, self.in_shape, self.index),)


class IndexScatterZerosBackward(Node):
    def backward(self, grad):
        return (getitem(grad, self.index),)


def index_scatter_zeros(grad, shape, index):
    """zeros(shape) with ``grad`` added at an advanced ``index`` (repeats accumulate)."""
    g = grad._data
    out = xp_of(g).zeros(shape, dtype=g.dtype)
    np_index = _to_numpy_index(index, g, grad._device)
    if type(g) is not np.ndarray:
        np_index = _ufunc_index(np_index)   # CuPy's ufunc.at takes integer indices
    np.add.at(out, np_index, g)
    res = U.wrap(out, grad._device)
    if GRAD.enabled and grad._rg:
        record(IndexScatterZerosBackward, res, (grad,)).index = index
    return res


def _to_numpy_index(index, arr=None, device=CPU):
    """The array index for ``index`` into ``arr`` (on ``device``): tensors become their
    arrays, lists arrays.  For a cuda ``arr`` host index arrays are copied to the device.

    NOTE: torch takes cpu index tensors for a tensor on any device (and ones on the
    indexed tensor's device); a cuda index into a cpu tensor is a RuntimeError.
    """
    if isinstance(index, tuple):
        np_index = tuple(_to_numpy_index_item(i, device) for i in index)
    else:
        np_index = _to_numpy_index_item(index, device)
    if device is CPU or device is META:
        return np_index
    return _index_on_device(np_index, arr)


def _index_on_device(np_index, arr):
    if isinstance(np_index, tuple):
        return tuple(_index_on_device(i, arr) for i in np_index)
    if type(np_index) is np.ndarray:
        return array_like(np_index, arr)
    return np_index


def _to_numpy_index_item(i, device=CPU):
    if isinstance(i, Tensor):
        if i._device is not device and i._device is not CPU:
            raise RuntimeError(f"indices should be either on cpu or on the same device as the "
                               f"indexed tensor ({device}), got an index on {i._device}")
        if i._data.dtype == np.uint8:
            # NOTE: torch reads a uint8 index tensor as a bool mask (deprecated, warns)
            warnings.warn("indexing with dtype torch.uint8 is now deprecated, please use a "
                          "dtype torch.bool instead.", UserWarning, stacklevel=4)
            return i._data.astype(np.bool_)
        return i._data
    if isinstance(i, list):
        return np.asarray([x.item() if isinstance(x, Tensor) else x for x in i])
    return i


def _legacy_tuple(index):
    """A list index read as torch reads it.

    NOTE: torch (like NumPy before 1.23) takes a short list holding a sequence, tensor,
    slice, None or Ellipsis as a tuple of indices (``x[[[0], [1]]]`` is ``x[[0], [1]]``),
    with a deprecation warning; other lists are one integer or bool index.
    """
    if len(index) >= 32:
        return index
    for item in index:
        if (isinstance(item, (list, tuple, Tensor, slice, np.ndarray)) or item is None
                or item is Ellipsis):
            warnings.warn("Using a non-tuple sequence for multidimensional indexing is "
                          "deprecated and will be changed in pytorch 2.9; use x[tuple(seq)] "
                          "instead of x[seq]. In pytorch 2.9 this will be interpreted as tensor "
                          "index, x[torch.tensor(seq)], which will result either in an error or "
                          "a different result", UserWarning, stacklevel=3)
            return tuple(index)
    return index


def _is_int_item(item):
    if type(item) is int or isinstance(item, np.integer):
        return True
    return (type(item) is Tensor and item._data.ndim == 0
            and item.dtype.category == D.INT and item._data.dtype != np.uint8)


def _split_ints(index):
    """For an advanced index holding integers: (the basic index of those integers, the
    rest), or None when it holds none.

    NOTE: torch applies integers as ``select`` before any tensor index, so they never
    join the advanced indices (NumPy would broadcast them with the index arrays, which
    moves the advanced dims elsewhere: ``x[:, 0, ..., [1]]`` differs).
    """
    if type(index) is not tuple or not any(_is_int_item(i) for i in index):
        return None
    ints = []
    rest = []
    for item in index:
        if _is_int_item(item):
            ints.append(int(item))
            continue
        rest.append(item)
        if item is None or type(item) is bool or isinstance(item, np.bool_):
            continue            # makes a dim, consumes none
        if item is Ellipsis:
            ints.append(Ellipsis)
            continue
        ints.extend([ALL] * _width(item))
    return tuple(ints), tuple(rest)


def _width(item):
    """How many dims an index item (not int, None, Ellipsis or bool) consumes."""
    if isinstance(item, Tensor) and item._data.dtype in (np.bool_, np.uint8):
        return item._data.ndim
    if isinstance(item, (list, np.ndarray)):
        arr = np.asarray(_to_numpy_index_item(item))
        return arr.ndim if arr.dtype == np.bool_ else 1
    return 1


def _drop_empty_ellipsis(index, ndim):
    """``index`` without an Ellipsis that spans no dims.

    NOTE: for torch such an Ellipsis does not separate the advanced indices around it
    (they stay in place); NumPy would move them to the front.
    """
    if type(index) is not tuple or not any(item is Ellipsis for item in index):
        return index
    used = 0
    for item in index:
        if item is None or item is Ellipsis or type(item) is bool or isinstance(item, np.bool_):
            continue
        used += 1 if _is_int_item(item) else _width(item)
    if used != ndim:
        return index
    return tuple(item for item in index if item is not Ellipsis)


def _check_byte_mask_fill(index, value):
    """NOTE: torch writes one value through a lone mask index with masked_fill_, which
    refuses uint8 masks (plain getitem accepts them)."""
    items = index if type(index) is tuple else (index,)
    arrays = [i for i in items if isinstance(i, (Tensor, list, np.ndarray, bool, np.bool_))]
    if (len(arrays) == 1 and isinstance(arrays[0], Tensor) and arrays[0]._data.dtype == np.uint8
            and (_is_scalar(value) or (isinstance(value, Tensor) and value._data.size == 1))):
        raise RuntimeError("masked_fill_ only supports boolean masks, but got mask with dtype "
                           "torch.uint8")


def _check_empty_masks(index, shape, device=CPU):
    """IndexError for a bool mask whose shape differs from the dims it covers.

    NumPy skips this check when the indexed array is empty; torch does not.
    """
    items = index if type(index) is tuple else (index,)
    used = sum(0 if (i is None or i is Ellipsis or type(i) is bool or isinstance(i, np.bool_))
               else 1 if _is_int_item(i) else _width(i) for i in items)
    dim = 0
    for item in items:
        if item is None or type(item) is bool or isinstance(item, np.bool_):
            continue
        if item is Ellipsis:
            dim += len(shape) - used
            continue
        mask = to_host(_to_numpy_index_item(item, device)) \
            if isinstance(item, (Tensor, list)) else item
        width = _width(item) if not _is_int_item(item) else 1
        if isinstance(mask, np.ndarray) and mask.dtype == np.bool_ and mask.ndim:
            covered = tuple(shape[dim:dim + width])
            if mask.shape != covered:
                raise IndexError(f"The shape of the mask {list(mask.shape)} at index {dim} does "
                                 f"not match the shape of the indexed tensor {list(shape)}")
        dim += width


_INDEX_DTYPES = (np.dtype(np.int64), np.dtype(np.int32), np.dtype(np.uint8), np.dtype(np.bool_))


def _check_advanced(index):
    items = index if isinstance(index, tuple) else (index,)
    for it in items:
        if isinstance(it, Tensor) and it._data.dtype not in _INDEX_DTYPES:
            raise IndexError("tensors used as indices must be long, int, byte or bool tensors "
                             f"(got {it.dtype})")
        if isinstance(it, slice) and it.step is not None and it.step <= 0:
            raise ValueError("step must be greater than zero")
        if isinstance(it, (float, str)) or (isinstance(it, np.ndarray) and it.dtype.kind == "f"):
            raise IndexError("only integers, slices (`:`), ellipsis (`...`), None and long or "
                             f"byte Variables are valid indices (got {type(it).__name__})")


def getitem(input, index):
    """``input[index]``: ints, slices (positive steps), None and Ellipsis give views; integer
    or bool tensors and lists gather a copy."""
    try:
        arr = input._data
    except AttributeError:
        check_tensor(input, "__getitem__", "self")
    if type(index) is list:
        index = _legacy_tuple(index)
    if type(index) is int and arr.ndim:
        size = arr.shape[0]
        if -size <= index < size:
            res = make_view(input, arr[index, ...])
            if GRAD.enabled and input._rg:
                node = record(SelectBackward0, res, (input,))
                node.region, node.in_shape = (index, Ellipsis), arr.shape
            return res
    basic = _basic_index(index, arr.shape)
    if basic is not None:
        if None in basic and arr.size and input._device is not META:
            view = _none_view(input, basic)
        else:
            view = arr[basic]
        res = make_view(input, view)
        if GRAD.enabled and input._rg:
            node = record(_view_node(index, basic, arr.shape), res, (input,))
            node.region, node.in_shape = basic, arr.shape
        return res
    _check_advanced(index)
    split = _split_ints(index)
    if split is not None:
        return getitem(getitem(input, split[0]), split[1])
    index = _drop_empty_ellipsis(index, arr.ndim)
    if arr.size == 0:
        _check_empty_masks(index, arr.shape, input._device)
    np_index = _to_numpy_index(index, arr, input._device)
    try:
        out = arr[np_index]
    except IndexError as e:
        raise IndexError(f"index: {e} (indexing a tensor of shape {list(arr.shape)})") from None
    res = U.wrap(c_array(out), input._device)
    if GRAD.enabled and input._rg:
        node = record(IndexBackward0, res, (input,))
        node.in_shape, node.index = arr.shape, index
    return res


def setitem(input, index, value):
    """``input[index] = value`` in place; autograd flows to input and value (CopySlices).

    >>> x[0, 1:] = 5.0
    """
    arr = input._data
    if type(index) is list:
        index = _legacy_tuple(index)
    basic = _basic_index(index, arr.shape)
    if basic is None:
        _check_advanced(index)
        split = _split_ints(index)
        if split is not None:
            setitem(getitem(input, split[0]), split[1], value)
            return
        index = _drop_empty_ellipsis(index, arr.ndim)
        _check_byte_mask_fill(index, value)
        if isinstance(value, Tensor):
            if value._data.dtype != arr.dtype:
                raise RuntimeError(f"Index put requires the source and destination dtypes "
                                   f"match, got {input.dtype} for the destination and "
                                   f"{value.dtype} for the source.")
        elif not _is_scalar(value):
            raise TypeError(f"can't assign a {type(value).__name__} to a tensor of dtype "
                            f"{input.dtype} at an advanced index")
        apply_inplace(input, "index_put_", lambda s: index_put(s, index, value),
                      (input, value))
        return
    if not isinstance(value, Tensor):
        if _is_scalar(value):
            value_arr = _fill_value(value, arr.dtype, "fill_", float_range=False)
            if not (GRAD.enabled and input._rg):
                _write_no_grad(input, arr[basic], value_arr, "fill_")
                return
            value = U.wrap(value_arr, input._device)
        else:
            value = U.wrap(_value_array(value, arr), input._device)
    if GRAD.enabled and (input._rg or value._rg):
        copy_(getitem(input, basic), value)
    else:
        _write_no_grad(input, arr[basic], value._data, "copy_")


def _is_scalar(value):
    return isinstance(value, (int, float, bool, complex, np.generic))


def _value_array(value, arr):
    """``value`` (a sequence) as an array of ``arr``'s dtype on ``arr``'s device."""
    try:
        return array_like(value, arr, dtype=arr.dtype)
    except (TypeError, ValueError):
        raise TypeError(f"can't assign a {type(value).__name__} to a tensor of dtype "
                        f"{_FROM_NP[arr.dtype]}") from None


class IndexPutBackward0(Node):
    accumulate = False

    def backward(self, grad):
        nf = self.next_functions
        g_self = g_value = None
        if nf[0][0] is not None:
            if self.accumulate:
                g_self = grad
            else:
                g = grad._data
                mask = xp_of(g).ones(self.in_shape, dtype=g.dtype)
                mask[_to_numpy_index(self.index, g, grad._device)] = 0
                g_self = grad * U.wrap(mask, grad._device)
        if len(nf) > 1 and nf[1][0] is not None:
            g_value = getitem(grad, self.index)
        return g_self, g_value


def _ufunc_index(np_index):
    """``np_index`` with bool arrays replaced by their nonzero positions (ufunc.at takes
    integer arrays only)."""
    items = np_index if isinstance(np_index, tuple) else (np_index,)
    out = []
    for item in items:
        if getattr(item, "dtype", None) == np.bool_ and item.ndim:
            out.extend(np.nonzero(item))
        else:
            out.append(item)
    return tuple(out)


def _value_on_device(value, v, out, dev):
    """A host value (a number, a cpu 0-dim tensor) for a write into device array ``out``.

    NOTE: torch copies a cpu 0-dim value to the indexed tensor's device; a larger value
    must be on that device.
    """
    if isinstance(value, Tensor) and value._device is not dev and v.ndim:
        raise RuntimeError(f"index_put_(): expected the values on {dev} like the indexed "
                           f"tensor, got values on {value._device}")
    return array_like(v, out, dtype=out.dtype)


def index_put(input, index, value, accumulate=False):
    """A copy of ``input`` with ``value`` written at a getitem-style ``index`` (summed into
    it with ``accumulate=True``; repeated indices then add up)."""
    out = input._data.copy()
    dev = input._device
    v = value._data if isinstance(value, Tensor) else value
    if type(out) is not np.ndarray and not is_device_array(v):
        v = _value_on_device(value, v, out, dev)
    np_index = _to_numpy_index(index, out, dev)
    try:
        if dev is META:
            pass
        elif accumulate:
            target_shape = out[np_index].shape
            v = np.broadcast_to(v if type(v) is np.ndarray or is_device_array(v)
                                else np.asarray(v), target_shape)
            np.add.at(out, _ufunc_index(np_index), v.astype(out.dtype, copy=False))
        else:
            out[np_index] = v
    except IndexError as e:
        raise IndexError(f"index_put_(): {e} (tensor of shape {list(input.shape)})") from None
    except ValueError as e:
        raise RuntimeError(f"index_put_(): shape mismatch: {e} (tensor of shape "
                           f"{list(input.shape)}, values of shape {list(np.shape(v))})") from None
    res = U.wrap(out, input._device)
    if GRAD.enabled and (input._rg or getattr(value, "_rg", False)):
        node = record(IndexPutBackward0, res, (input, value if isinstance(value, Tensor) else None))
        node.in_shape, node.index, node.accumulate = input._data.shape, index, accumulate
    return res


# ----------------------------------------------------------------------------------
# copy_ / zero_ / fill_
# ----------------------------------------------------------------------------------

class CopyBackwards(Node):
    src_device = None   # set when copy_ moved the source across devices

    def backward(self, grad):
        nf = self.next_functions
        g_self = zeros_like_grad(grad) if nf[0][0] is not None else None
        g_src = grad if self.src_device is None else grad.to(self.src_device)
        return g_self, g_src


def _host_or_device(src_arr, region):
    """``src_arr`` on ``region``'s side (copy_ moves data between devices, as in torch)."""
    if type(region) is np.ndarray:
        return to_host(src_arr)
    return src_arr if is_device_array(src_arr) else array_like(src_arr, region)


def zeros_like_grad(grad):
    return U.wrap(np.zeros_like(grad._data), grad._device)


def _copy_compute(self, src):
    s = src._data
    shape = self._data.shape
    if s.shape != shape and not _broadcasts_to(s.shape, shape):
        raise RuntimeError(f"copy_(): The size of tensor a ({list(shape)}) must match the size "
                           f"of tensor b ({list(s.shape)})")
    arr = xp_of(self._data).empty(shape, dtype=self._data.dtype)
    if type(s) is not type(arr) and self._device is not META and src._device is not META:
        s = _host_or_device(s, arr)
    np.copyto(arr, s, casting="unsafe")
    res = U.wrap(arr, self._device)
    if GRAD.enabled and (self._rg or src._rg):
        node = record(CopyBackwards, res, (self, src))
        if src._device is not self._device and META not in (src._device, self._device):
            node.src_device = src._device   # its gradient goes back to its device
    return res


def _write_no_grad(self, region, src_arr, op, allow_overlap=False):
    """Write ``src_arr`` (broadcast, cast) into ``region`` (self's memory) and bump its version.

    ``allow_overlap``: fill_ may write an expanded view (every alias gets the value), as torch.
    """
    if src_arr.shape != region.shape and not _broadcasts_to(src_arr.shape, region.shape):
        raise RuntimeError(f"{op}(): The size of tensor a ({list(region.shape)}) must match "
                           f"the size of tensor b ({list(src_arr.shape)})")
    if self._device is not META:
        if type(src_arr) is not type(region):
            src_arr = _host_or_device(src_arr, region)
        if not writeable(region) or (not allow_overlap and U.has_internal_overlap(region)):
            raise U.overlap_error(f"{op}()")
        if src_arr.ndim == 0 and src_arr.dtype == region.dtype and type(region) is np.ndarray:
            region.fill(src_arr)
        else:
            np.copyto(region, src_arr, casting="unsafe")
    self._bump_version()
    return self


def _broadcasts_to(shape, target):
    if len(shape) > len(target):
        return False
    for s, t in zip(reversed(shape), reversed(target)):
        if s != t and s != 1:
            return False
    return True


def copy_(self, src, non_blocking=False):
    """Copy ``src`` (broadcast, cast to self's dtype) into ``self`` in place.

    >>> x[0].copy_(ember.ones(3))
    """
    if not isinstance(src, Tensor):
        raise TypeError(f"copy_(): argument 'src' (position 1) must be Tensor, not "
                        f"{type(src).__name__}")
    if not (GRAD.enabled and (self._rg or src._rg)):
        if src._device is META and self._device is not META:
            raise NotImplementedError("copy_(): Cannot copy out of meta tensor; no data!")
        return _write_no_grad(self, self._data, src._data, "copy_")
    return apply_inplace(self, "copy_", lambda s: _copy_compute(s, src), (self, src))


def zero_(self):
    """Fill with zeros in place."""
    return fill_(self, 0)


def _fill_value(value, np_dtype, op, float_range=True):
    """``value`` as a 0-d array of ``np_dtype``, with torch's overflow checks (setitem skips
    the float range check: there torch rounds to inf)."""
    category = _FROM_NP[np_dtype].category
    if isinstance(value, np.generic):
        value = value.item()
    if type(value) is int and not -2 ** 63 <= value < 2 ** 64:
        raise OverflowError(f"{op}(): Python int too large to convert to a 64-bit integer")
    if isinstance(value, complex) and category != D.COMPLEX:
        raise RuntimeError(f"{op}(): value cannot be converted to type {_FROM_NP[np_dtype]} "
                           f"without overflow (complex value {value})")
    if category == D.FLOAT and type(value) is not bool:
        limit = _FLOAT_MAX.get(np_dtype) if float_range else None
        if limit is not None and limit < abs(value) != _INF:
            raise RuntimeError(f"{op}(): value cannot be converted to type "
                               f"{_FROM_NP[np_dtype]} without overflow")
        if type(value) is int and abs(value) >= 2 ** 63:
            value = float(value)   # NumPy/ml_dtypes refuse such ints for float dtypes
    elif category == D.INT and not isinstance(value, bool):
        info = np.iinfo(np_dtype)
        low = -info.max if np_dtype.kind == "u" else info.min  # NOTE: torch: uint8 takes -255
        if not (value == value and low <= value <= info.max):
            raise RuntimeError(f"{op}(): value cannot be converted to type "
                               f"{_FROM_NP[np_dtype]} without overflow")
        value = int(value)
        if value < 0 and np_dtype.kind == "u":
            value += info.max + 1
    return U.scalar_to_array(value, np_dtype)


_INF = float("inf")
# NOTE: torch's fill_ refuses finite values beyond a float dtype's range (float64 aside)
_FLOAT_MAX = {np.dtype(np.float16): 65504.0,
              D.bfloat16.np: float(ml_dtypes.finfo(D.bfloat16.np).max),
              np.dtype(np.float32): float(np.finfo(np.float32).max)}


def fill_(self, value):
    """Fill with ``value`` (a number or a 0-dim tensor) in place.

    >>> ember.zeros(2).fill_(3)
    tensor([3., 3.])
    """
    if isinstance(value, Tensor):
        if value.ndim != 0:
            raise RuntimeError(f"fill_(): only supports 0-dimension value tensor but got tensor "
                               f"with {value.ndim} dimensions.")
        src = value
        src_arr = value._data
    else:
        if not _is_scalar(value):
            raise TypeError(f"fill_(): argument 'value' must be Number, not "
                            f"{type(value).__name__}")
        src_arr = _fill_value(value, self._data.dtype, "fill_")
        src = None
    if GRAD.enabled and (self._rg or (src is not None and src._rg)):
        if src is None:
            src = U.wrap(src_arr, self._device)
        return apply_inplace(self, "fill_", lambda s: _copy_compute(s, src), (self, src))
    data = self._data
    if not writeable(data) and self._device is not META:
        # NOTE: torch fills an expanded view (all aliases of an element get the same
        # value); NumPy marks broadcast arrays read-only, so write through an alias.
        alias = _writable_alias(data)
        if alias is not None:
            data = alias
    return _write_no_grad(self, data, src_arr, "fill_", allow_overlap=True)


def _writable_alias(arr):
    """A writable array over the same memory as ``arr`` (e.g. an expanded view), or None."""
    root = _storage_root(arr)
    flat = storage_flat(root) if root.flags.writeable else None
    if flat is None:
        return None
    return np.ndarray(arr.shape, dtype=arr.dtype, buffer=flat, offset=_ptr(arr) - _ptr(flat),
                      strides=arr.strides)


# ----------------------------------------------------------------------------------
# select_scatter / slice_scatter / diagonal_scatter: out-of-place writes into a region
# ----------------------------------------------------------------------------------

def _scatter_args(op, input, src):
    check_tensor(input, op)
    check_tensor(src, op, "src")
    U.common_device(op, (input, src))


def select_scatter(input, src, dim, index):
    """A copy of ``input`` with ``input.select(dim, index)`` replaced by ``src``.

    >>> select_scatter(zeros(2, 2), ones(2), 0, 0)   # [[1, 1], [0, 0]]
    """
    _scatter_args("select_scatter", input, src)
    arr = input._data
    d, i = select_args(arr, dim, index, "select_scatter")
    return scatter_region(input, src, dim_index(d, i), SelectScatterBackward0, op="select_scatter")


def slice_scatter(input, src, dim=0, start=None, end=None, step=1):
    """A copy of ``input`` with ``input[..., start:end:step, ...]`` (at ``dim``) set to ``src``."""
    _scatter_args("slice_scatter", input, src)
    arr = input._data
    need_dims(arr, "slice_scatter")
    d = _wrap_dim(dim, arr.ndim, "slice_scatter")
    if step is None:
        step = 1
    if step <= 0:
        raise RuntimeError("slice_scatter(): slice step must be positive")
    region = dim_index(d, slice(start, end, step))
    return scatter_region(input, src, region, SliceScatterBackward0, op="slice_scatter")


def diagonal_scatter(input, src, offset=0, dim1=0, dim2=1):
    """A copy of ``input`` with ``input.diagonal(offset, dim1, dim2)`` replaced by ``src``."""
    _scatter_args("diagonal_scatter", input, src)
    d1, d2 = diag_dims(input._data.ndim, dim1, dim2, "diagonal_scatter")
    return scatter_region(input, src, Diag(offset, d1, d2), DiagonalScatterBackward0,
                    op="diagonal_scatter")


METHODS = {
    "__getitem__": getitem, "__setitem__": setitem, "copy_": copy_, "zero_": zero_,
    "fill_": fill_, "select_scatter": select_scatter, "slice_scatter": slice_scatter,
    "diagonal_scatter": diagonal_scatter,
}
for _name, _fn in METHODS.items():
    setattr(Tensor, _name, _fn)

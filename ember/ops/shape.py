"""Shape and view ops.

Views share memory with their base, as in torch: they are NumPy views, their
``_base`` is the root tensor, and they share its version counter.  NumPy's negative
strides never appear: torch has none, so ``flip`` copies and slicing with a
negative step is an error.
"""

__all__ = ["as_strided", "broadcast_to", "clone", "expand", "permute", "reshape", "squeeze", "swapaxes", "swapdims", "t", "transpose", "unsqueeze", "view_as"]

import builtins

import numpy as np

from .. import _dtype as D
from .._device import META
from .._tensor import Tensor, _new, _wrap_dim
from ..autograd.graph import Node
from . import _util as U
from ._util import GRAD, record


def make_view(base, arr):
    """A tensor over ``arr`` (a NumPy view of ``base._data``) sharing base's version counter."""
    t = _new(Tensor)
    t._data = arr
    dev = base._device
    if dev is not Tensor._device:
        t._device = dev
    root = base._base
    if root is None:
        root = base
    vc = root._vc
    if vc is None:
        vc = root._vc = [0]
    t._vc = vc
    t._base = root
    return t


def parse_shape(args, op):
    """Accept f(2, 3), f((2, 3)), f([2, 3]) and torch.Size; ints only."""
    if len(args) == 1 and isinstance(args[0], (tuple, list)):
        args = args[0]
    out = []
    for s in args:
        if isinstance(s, Tensor):
            s = s.__index__()
        elif not isinstance(s, (int, np.integer)) or isinstance(s, bool):
            raise TypeError(f"{op}(): argument 'size' must be tuple of ints, but found element "
                            f"of type {type(s).__name__}")
        out.append(int(s))
    return tuple(out)


def infer_size(shape, numel, op):
    neg = [i for i, s in enumerate(shape) if s == -1]
    if len(neg) > 1:
        raise RuntimeError(f"{op}(): only one dimension can be inferred")
    for s in shape:
        if s < -1:
            raise RuntimeError(f"{op}(): invalid shape dimension {s}")
    known = 1
    for s in shape:
        if s != -1:
            known *= s
    if neg:
        if known == 0 or numel % known != 0:
            raise RuntimeError(f"{op}(): shape '{list(shape)}' is invalid for input of size {numel}")
        shape = list(shape)
        shape[neg[0]] = numel // known
        return tuple(shape)
    if known != numel:
        raise RuntimeError(f"{op}(): shape '{list(shape)}' is invalid for input of size {numel}")
    return tuple(shape)


# ----------------------------------------------------------------------------------
# view / reshape
# ----------------------------------------------------------------------------------

class ViewBackward0(Node):
    def backward(self, grad):
        return (grad.reshape(self.in_shape),)


class UnsafeViewBackward0(ViewBackward0):
    pass


def _view_array(arr, shape):
    try:
        return np.reshape(arr, shape, copy=False)
    except ValueError:
        return None


def view(input, *shape):
    """A view with a new shape; RuntimeError if the strides do not allow one (use reshape)."""
    if len(shape) == 1 and isinstance(shape[0], D.dtype):
        return view_dtype(input, shape[0])
    arr = input._data
    shape = infer_size(parse_shape(shape, "view"), arr.size, "view")
    out = _view_array(arr, shape)
    if out is None:
        raise RuntimeError(
            f"view size is not compatible with input tensor's size and stride (at least one "
            f"dimension spans across two contiguous subspaces). Use .reshape(...) instead. "
            f"(input shape {list(arr.shape)}, requested {list(shape)})")
    res = make_view(input, out)
    if GRAD.enabled and input._rg:
        record(ViewBackward0, res, (input,)).in_shape = arr.shape
    return res


def view_dtype(input, dtype):
    arr = input._data
    if dtype.itemsize != arr.itemsize:
        raise RuntimeError(f"view(): viewing a tensor of dtype {input.dtype} as {dtype} with a "
                           "different element size is not supported by ember yet")
    return make_view(input, arr.view(dtype.np))


def reshape(input, *shape):
    """Like view when the strides allow it (sharing memory), otherwise a copy."""
    arr = input._data
    shape = infer_size(parse_shape(shape, "reshape"), arr.size, "reshape")
    if shape == arr.shape:
        out = _view_array(arr, shape)
        res = make_view(input, out)
        if GRAD.enabled and input._rg:
            record(ViewBackward0, res, (input,)).in_shape = arr.shape
        return res
    out = _view_array(arr, shape)
    if out is not None:
        res = make_view(input, out)
        node_cls = ViewBackward0
    else:
        res = U.wrap(np.reshape(np.ascontiguousarray(arr), shape), input._device)
        node_cls = UnsafeViewBackward0
    if GRAD.enabled and input._rg:
        record(node_cls, res, (input,)).in_shape = arr.shape
    return res


def view_as(input, other):
    return view(input, other.shape)


def reshape_as(input, other):
    return reshape(input, other.shape)


def _as_strided_array(arr, size, stride, offset):
    item = arr.itemsize
    flat = arr.reshape(-1) if arr.flags.c_contiguous else np.ascontiguousarray(arr).reshape(-1)
    return np.lib.stride_tricks.as_strided(
        flat[offset:], shape=tuple(size), strides=tuple(s * item for s in stride))


class AsStridedBackward0(Node):
    def backward(self, grad):
        return (as_strided_scatter_zeros(grad, self.in_shape, self.stride, self.offset),)


def as_strided(input, size, stride, storage_offset=0):
    """A view over the storage of a contiguous tensor with explicit size/stride/offset."""
    arr = input._data
    if not arr.flags.c_contiguous:
        raise RuntimeError("as_strided: ember supports as_strided only on contiguous tensors "
                           f"(got shape {list(arr.shape)} with stride {list(input.stride())})")
    size, stride = tuple(size), tuple(stride)
    needed = storage_offset + builtins.sum((s - 1) * st for s, st in zip(size, stride) if s > 0)
    if builtins.any(s == 0 for s in size):
        needed = storage_offset - 1
    if needed >= arr.size and arr.size > 0 or storage_offset < 0:
        raise RuntimeError(f"as_strided: setStorage: sizes {list(size)}, strides {list(stride)},"
                           f" storage offset {storage_offset} require more storage than the "
                           f"input holds ({arr.size} elements)")
    res = make_view(input, _as_strided_array(arr, size, stride, storage_offset))
    if GRAD.enabled and input._rg:
        node = record(AsStridedBackward0, res, (input,))
        node.in_shape, node.stride, node.offset = arr.shape, stride, storage_offset
    return res


class AsStridedScatterZerosBackward(Node):
    def backward(self, grad):
        return (as_strided(grad.contiguous(), self.size, self.stride, self.offset),)


def as_strided_scatter_zeros(grad, base_shape, stride, offset):
    """zeros(base_shape) with grad added at the as_strided region (overlaps accumulate)."""
    size = grad._data.shape
    out = np.zeros(base_shape, dtype=grad._data.dtype)
    item = out.itemsize
    flat = out.reshape(-1)
    if len(size) == 0:
        flat[offset] += grad._data
    else:
        # index of every element of the region in the flat storage
        idx = np.full(size, offset, dtype=np.int64)
        for d, (n, st) in enumerate(zip(size, stride)):
            shape = [1] * len(size)
            shape[d] = n
            idx = idx + (np.arange(n, dtype=np.int64) * st).reshape(shape)
        np.add.at(flat, idx.reshape(-1), np.ascontiguousarray(grad._data).reshape(-1))
    del item
    res = U.wrap(out, grad._device)
    if GRAD.enabled and grad._rg:
        node = record(AsStridedScatterZerosBackward, res, (grad,))
        node.size, node.stride, node.offset = size, tuple(stride), offset
    return res


# ----------------------------------------------------------------------------------
# transpose / permute / expand / squeeze / unsqueeze
# ----------------------------------------------------------------------------------

class TransposeBackward0(Node):
    def backward(self, grad):
        return (transpose(grad, self.dim0, self.dim1),)


class TBackward0(Node):
    def backward(self, grad):
        return (t(grad),)


def transpose(input, dim0, dim1):
    """Swap two dims (a view)."""
    arr = input._data
    nd = arr.ndim
    d0 = _wrap_dim(dim0, nd, "transpose")
    d1 = _wrap_dim(dim1, nd, "transpose")
    res = make_view(input, arr.swapaxes(d0, d1) if nd else arr)
    if GRAD.enabled and input._rg:
        node = record(TransposeBackward0, res, (input,))
        node.dim0, node.dim1 = d0, d1
    return res


swapaxes = swapdims = transpose


def t(input):
    """Transpose a tensor of at most 2 dims."""
    arr = input._data
    if arr.ndim > 2:
        raise RuntimeError(f"t() expects a tensor with <= 2 dimensions, but self is {arr.ndim}D")
    res = make_view(input, arr.T)
    if GRAD.enabled and input._rg:
        record(TBackward0, res, (input,))
    return res


class PermuteBackward0(Node):
    def backward(self, grad):
        return (permute(grad, tuple(np.argsort(self.dims))),)


def permute(input, *dims):
    arr = input._data
    dims = parse_shape(dims, "permute")
    if len(dims) != arr.ndim:
        raise RuntimeError(f"permute(sparse_coo): number of dimensions in the tensor input does "
                           f"not match the length of the desired ordering of dimensions i.e. "
                           f"input.dim() = {arr.ndim} is not equal to len(dims) = {len(dims)}")
    dims = tuple(_wrap_dim(d, arr.ndim, "permute") for d in dims)
    if len(set(dims)) != len(dims):
        raise RuntimeError(f"permute(): duplicate dims are not allowed (got {list(dims)})")
    res = make_view(input, arr.transpose(dims))
    if GRAD.enabled and input._rg:
        record(PermuteBackward0, res, (input,)).dims = dims
    return res


class ExpandBackward0(Node):
    def backward(self, grad):
        return (U.sum_to_shape(grad, self.in_shape),)


def expand(input, *sizes):
    """Broadcast to a larger size as a zero-stride view (-1 keeps a dim)."""
    arr = input._data
    sizes = parse_shape(sizes, "expand")
    if len(sizes) < arr.ndim:
        raise RuntimeError(f"expand(torch.FloatTensor{{{list(arr.shape)}}}, size={list(sizes)}): "
                           "the number of sizes provided ({}) must be greater or equal to the "
                           "number of dimensions in the tensor ({})".format(len(sizes), arr.ndim))
    lead = len(sizes) - arr.ndim
    target = []
    for i, s in enumerate(sizes):
        if i < lead:
            if s < 0:
                raise RuntimeError(f"expand: the expanded size of the tensor (-1) isn't allowed "
                                   f"in a leading, non-existing dimension {i}")
            target.append(s)
            continue
        cur = arr.shape[i - lead]
        if s == -1:
            s = cur
        if cur != s and cur != 1:
            raise RuntimeError(
                f"expand: The expanded size of the tensor ({s}) must match the existing size "
                f"({cur}) at non-singleton dimension {i}.  Target sizes: {list(sizes)}.  Tensor "
                f"sizes: {list(arr.shape)}")
        target.append(s)
    target = tuple(target)
    if target == arr.shape:
        out = arr.view()
    else:
        out = np.broadcast_to(arr, target)
    res = make_view(input, out)
    if GRAD.enabled and input._rg:
        record(ExpandBackward0, res, (input,)).in_shape = arr.shape
    return res


def expand_as(input, other):
    return expand(input, other.shape)


def broadcast_to(input, size):
    return expand(input, size)


class SqueezeBackward0(Node):
    def backward(self, grad):
        return (grad.reshape(self.in_shape),)


SqueezeBackward1 = type("SqueezeBackward1", (SqueezeBackward0,), {})
SqueezeBackward2 = type("SqueezeBackward2", (SqueezeBackward0,), {})


def squeeze(input, dim=None):
    """Remove size-1 dims (all, one, or a tuple of them)."""
    arr = input._data
    if dim is None:
        out = arr.reshape(tuple(s for s in arr.shape if s != 1))
        node_cls = SqueezeBackward0
    else:
        dims = U.normalize_dims(dim, arr.ndim, "squeeze") if arr.ndim else ()
        keep = tuple(s for i, s in enumerate(arr.shape) if not (i in dims and s == 1))
        out = arr.reshape(keep)
        node_cls = SqueezeBackward1 if not isinstance(dim, (tuple, list)) else SqueezeBackward2
    res = make_view(input, out)
    if GRAD.enabled and input._rg:
        record(node_cls, res, (input,)).in_shape = arr.shape
    return res


class UnsqueezeBackward0(Node):
    def backward(self, grad):
        return (squeeze(grad, self.dim),)


def unsqueeze(input, dim):
    arr = input._data
    d = _wrap_dim(dim, arr.ndim + 1, "unsqueeze")
    res = make_view(input, np.expand_dims(arr, d))
    if GRAD.enabled and input._rg:
        record(UnsqueezeBackward0, res, (input,)).dim = d
    return res


# ----------------------------------------------------------------------------------
# clone / contiguous
# ----------------------------------------------------------------------------------

class CloneBackward0(Node):
    def backward(self, grad):
        return (grad,)


def clone(input, *, memory_format=None):
    """A copy with its own (contiguous) memory; differentiable."""
    res = U.wrap(np.array(input._data, copy=True, order="C"), input._device)
    if GRAD.enabled and input._rg:
        record(CloneBackward0, res, (input,))
    return res


def contiguous(input, memory_format=None):
    if input._device is META or input._data.flags.c_contiguous:
        return input
    return clone(input)


# ----------------------------------------------------------------------------------
# basic indexing: ints, slices (positive steps), None, Ellipsis
# ----------------------------------------------------------------------------------

def _normalize_index(index, shape):
    """Validate a basic index tuple; returns the NumPy index or None if advanced."""
    if not isinstance(index, tuple):
        index = (index,)
    out = []
    dim = 0
    n_specified = builtins.sum(1 for i in index if i is not None and i is not Ellipsis
                               and not (isinstance(i, Tensor) and i.dtype is D.bool))
    for item in index:
        if item is None:
            out.append(None)
            continue
        if item is Ellipsis:
            out.append(Ellipsis)
            dim += len(shape) - n_specified
            continue
        if isinstance(item, slice):
            if item.step is not None:
                step = item.step.__index__() if not isinstance(item.step, int) else item.step
                if step <= 0:
                    raise ValueError("step must be greater than zero")
            out.append(slice(_slice_int(item.start), _slice_int(item.stop), _slice_int(item.step)))
            dim += 1
            continue
        if isinstance(item, (bool, np.bool_)):
            return None
        if isinstance(item, (int, np.integer)) or (isinstance(item, Tensor) and item.ndim == 0
                                                     and item.dtype.category == D.INT):
            i = int(item)
            if dim >= len(shape):
                raise IndexError(f"too many indices for tensor of dimension {len(shape)}")
            size = shape[dim]
            if i < -size or i >= size:
                raise IndexError(f"index {i} is out of bounds for dimension {dim} with size {size}")
            out.append(i)
            dim += 1
            continue
        return None  # advanced index
    if dim > len(shape):
        raise IndexError(f"too many indices for tensor of dimension {len(shape)}")
    return tuple(out)


def _slice_int(v):
    if v is None or isinstance(v, int):
        return v
    return v.__index__()


class SliceBackward0(Node):
    def backward(self, grad):
        return (index_scatter_zeros(grad, self.in_shape, self.index),)


class IndexBackward0(SliceBackward0):
    pass


class IndexScatterZerosBackward(Node):
    def backward(self, grad):
        return (getitem(grad, self.index),)


def index_scatter_zeros(grad, shape, index):
    """zeros(shape) with ``grad`` added at ``index`` (basic or advanced)."""
    out = np.zeros(shape, dtype=grad._data.dtype)
    np_index = _to_numpy_index(index)
    if _is_basic(index):
        out[np_index] = grad._data
    else:
        np.add.at(out, np_index, grad._data)
    res = U.wrap(out, grad._device)
    if GRAD.enabled and grad._rg:
        record(IndexScatterZerosBackward, res, (grad,)).index = index
    return res


def _is_basic(index):
    items = index if isinstance(index, tuple) else (index,)
    return all(i is None or i is Ellipsis or isinstance(i, (slice, int)) for i in items)


def _to_numpy_index(index):
    if isinstance(index, tuple):
        return tuple(_to_numpy_index_item(i) for i in index)
    return _to_numpy_index_item(index)


def _to_numpy_index_item(i):
    if isinstance(i, Tensor):
        return i._data
    if isinstance(i, list):
        return np.asarray([x.item() if isinstance(x, Tensor) else x for x in i])
    return i


def _check_advanced(index, shape):
    items = index if isinstance(index, tuple) else (index,)
    for it in items:
        if isinstance(it, Tensor) and it.dtype.category not in (D.INT, D.BOOL):
            raise IndexError("tensors used as indices must be long, int, byte or bool tensors "
                             f"(got {it.dtype})")
        if isinstance(it, slice) and it.step is not None and it.step <= 0:
            raise ValueError("step must be greater than zero")


def getitem(input, index):
    """``input[index]``: basic indices give views; integer/bool tensors gather (a copy)."""
    arr = input._data
    basic = _normalize_index(index, arr.shape)
    if basic is not None:
        res = make_view(input, arr[basic])
        if GRAD.enabled and input._rg:
            record(SliceBackward0, res, (input,)).in_shape, res._grad_fn.index = arr.shape, basic
            res._grad_fn.index = basic
        return res
    _check_advanced(index, arr.shape)
    np_index = _to_numpy_index(index)
    try:
        out = arr[np_index]
    except IndexError as e:
        raise IndexError(f"index: {e} (indexing a tensor of shape {list(arr.shape)})") from None
    res = U.wrap(np.ascontiguousarray(out), input._device)
    if GRAD.enabled and input._rg:
        node = record(IndexBackward0, res, (input,))
        node.in_shape, node.index = arr.shape, index
    return res


def setitem(input, index, value):
    """``input[index] = value`` in place; autograd flows to input and value (CopySlices)."""
    from ._inplace import apply_inplace
    basic = _normalize_index(index, input._data.shape)
    if basic is not None:
        target = getitem(input, basic) if basic != () else input
        if target is input:
            copy_(input, value)
        else:
            copy_(target, value)
        return
    # advanced: out-of-place index_put then write back
    _check_advanced(index, input._data.shape)
    np_index = _to_numpy_index(index)

    def compute(self):
        return index_put(self, index, value)
    apply_inplace(input, "index_put_", compute, (input, value))
    del np_index


class IndexPutBackward0(Node):
    def backward(self, grad):
        mask = np.ones(self.in_shape, dtype=grad._data.dtype)
        mask[_to_numpy_index(self.index)] = 0
        g_self = grad * U.wrap(mask, grad._device)
        g_value = getitem(grad, self.index)
        return g_self, g_value


def index_put(input, index, value):
    out = input._data.copy()
    v = value._data if isinstance(value, Tensor) else value
    out[_to_numpy_index(index)] = v
    res = U.wrap(out, input._device)
    if GRAD.enabled and (input._rg or getattr(value, "_rg", False)):
        node = record(IndexPutBackward0, res, (input, value if isinstance(value, Tensor) else None))
        node.in_shape, node.index = input._data.shape, index
    return res


class CopyBackwards(Node):
    def backward(self, grad):
        return grad * 0, grad


def _copy_compute(self, src):
    s = src._data if isinstance(src, Tensor) else np.asarray(src)
    shape = self._data.shape
    try:
        arr = np.broadcast_to(s, shape)
    except ValueError:
        raise RuntimeError(f"copy_: The size of tensor a ({list(shape)}) must match the size of "
                           f"tensor b ({list(np.shape(s))})") from None
    res = U.wrap(arr.astype(self._data.dtype, copy=True), self._device)
    if GRAD.enabled and (self._rg or getattr(src, "_rg", False)):
        record(CopyBackwards, res, (self, src if isinstance(src, Tensor) else None))
    return res


def copy_(self, src, non_blocking=False):
    """Copy ``src`` (broadcast, cast) into ``self`` in place."""
    from ._inplace import apply_inplace
    if not isinstance(src, Tensor):
        src = U.wrap(np.asarray(src, dtype=self._data.dtype), self._device)
    return apply_inplace(self, "copy_", lambda s: _copy_compute(s, src), (self, src))


def _zero_compute(self):
    return U.wrap(np.zeros_like(self._data), self._device)


def zero_(self):
    from ._inplace import write_result, _check_leaf
    if GRAD.enabled and self._grad_fn is None and self._rg:
        _check_leaf(self, "zero_")
    if GRAD.enabled and self._rg:
        from ._inplace import apply_inplace
        z = U.wrap(np.zeros((), dtype=self._data.dtype), self._device)
        return apply_inplace(self, "zero_", lambda s: _copy_compute(s, z), (self,))
    if self._device is not META:
        self._data[...] = 0
    self._bump_version()
    return self


def fill_(self, value):
    from ._inplace import apply_inplace
    if isinstance(value, Tensor) and value.ndim != 0:
        raise RuntimeError(f"fill_ only supports 0-dimension value tensor but got tensor with "
                           f"{value.ndim} dimensions.")
    return copy_(self, value) if isinstance(value, Tensor) else apply_inplace(
        self, "fill_", lambda s: _copy_compute(s, U.wrap(
            U.scalar_to_array(value, self._data.dtype), self._device)), (self,))


METHODS = {
    "view": view, "view_as": view_as, "reshape": reshape, "reshape_as": reshape_as,
    "as_strided": as_strided, "transpose": transpose, "swapaxes": transpose,
    "swapdims": transpose, "t": t, "permute": permute, "expand": expand,
    "expand_as": expand_as, "broadcast_to": broadcast_to, "squeeze": squeeze,
    "unsqueeze": unsqueeze, "clone": clone, "contiguous": contiguous,
    "__getitem__": getitem, "__setitem__": setitem, "copy_": copy_, "zero_": zero_,
    "fill_": fill_,
}
for _name, _fn in METHODS.items():
    setattr(Tensor, _name, _fn)
Tensor.T = property(lambda self: permute(self, tuple(range(self.ndim - 1, -1, -1))))
Tensor.mT = property(lambda self: transpose(self, -2, -1))
Tensor.H = Tensor.T
Tensor.mH = Tensor.mT

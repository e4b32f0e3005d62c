"""Views and reshaping: view, reshape, flatten, transpose, permute, expand, squeeze,
narrow, select, diagonal, as_strided, clone/contiguous, and the in-place view methods.

Views share memory with their base, as in torch: they are NumPy views of the base's
array, their ``_base`` is the root tensor, and they share its version counter (see
``_view.make_view``).  An op returns a view exactly where torch does (``view``,
``transpose``, ``narrow``, ``diagonal``, basic slicing ...) and a new array elsewhere.
NumPy's negative strides never reach a tensor: torch has none, so ``flip`` copies and
slicing with a negative step is an error.

The rest of the family: splitting.py (split, chunk, unbind ...), join.py (cat, stack ...),
indexing.py (``[]``, ``[]=``, copy_, fill_, the *_scatter ops), rearrange.py (repeat,
flip, roll, tril, diag ...); their shared helpers are in _shape_args.py and _view.py.
"""

__all__ = [
    "as_strided", "broadcast_shapes", "broadcast_tensors", "broadcast_to", "clone",
    "diagonal", "flatten", "moveaxis", "movedim", "narrow", "permute", "ravel", "reshape",
    "select", "squeeze", "swapaxes", "swapdims", "t", "transpose", "unflatten", "unsqueeze",
]

import builtins
import importlib
import warnings

import numpy as np

from .. import _dtype as D
from .._device import META, as_strided as _as_strided, meta_array
from .._tensor import Size, Tensor, _ptr, _storage_origin, _storage_root, _wrap_dim
from ..autograd.graph import Node
from . import _util as U
from ._inplace import _check_leaf
from ._shape_args import (as_int, check_tensor_items, diag_dims, infer_size, int_tuple,
                          need_dims, parse_shape, select_args, shape_from_args, wrap_dims)
from ._util import GRAD, check_tensor, record
from ._view import (Diag, DiagonalBackward0, SelectBackward0, SliceBackward0, c_array,
                    dim_index, make_view, region_view, storage_flat)


# ----------------------------------------------------------------------------------
# view / reshape / flatten / unflatten
# ----------------------------------------------------------------------------------

class _ReshapeBackward(Node):
    """The gradient of an op that only changes the shape: the gradient reshaped back."""

    def backward(self, grad):
        return (reshape(grad, self.in_shape),)


class ViewBackward0(_ReshapeBackward):
    pass


class UnsafeViewBackward0(ViewBackward0):
    pass


def _view_array(arr, shape):
    if arr.flags.c_contiguous:
        return arr.reshape(shape)   # always a view, and much faster than copy=False
    try:
        return np.reshape(arr, shape, copy=False)
    except ValueError:
        return None


def view(input, *shape, size=None, dtype=None):
    """A view with a new shape (one size may be -1); RuntimeError when the strides do not
    allow it (use reshape).  ``view(dtype)`` reinterprets the bytes.

    >>> x = ember.arange(6.).view(2, 3)
    """
    if not isinstance(input, Tensor):
        check_tensor(input, "view")
    if dtype is not None or (len(shape) == 1 and isinstance(shape[0], D.dtype)):
        return view_dtype(input, shape[0] if dtype is None else dtype)
    arr = input._data
    shape = infer_size(shape_from_args(shape, size, "view"), arr.size, "view")
    out = _view_array(arr, shape)
    if out is None:
        raise RuntimeError(
            "view size is not compatible with input tensor's size and stride (at least one "
            "dimension spans across two contiguous subspaces). Use .reshape(...) instead. "
            f"(input shape {list(arr.shape)}, stride {list(input.stride())}, requested "
            f"{list(shape)})")
    res = make_view(input, out)
    if GRAD.enabled and input._rg:
        record(ViewBackward0, res, (input,)).in_shape = arr.shape
    return res


def view_dtype(input, dtype):
    """Reinterpret the bytes as ``dtype``; the last dim scales with the element size."""
    arr = input._data
    if dtype.np == arr.dtype:
        return view(input, arr.shape)
    if dtype.itemsize != arr.itemsize:
        if arr.ndim == 0:
            raise RuntimeError(f"view(): self.dim() cannot be 0 to view {input.dtype} as "
                               f"{dtype} (different element sizes)")
        if arr.shape[-1] * arr.itemsize % dtype.itemsize:
            raise RuntimeError(f"view(): self.size(-1) must be divisible by "
                               f"{dtype.itemsize // arr.itemsize} to view {input.dtype} as "
                               f"{dtype} (different element sizes), but got {arr.shape[-1]}")
    if input._device is META:
        shape = arr.shape[:-1] + (arr.shape[-1] * arr.itemsize // dtype.itemsize,) \
            if arr.ndim else ()
        return make_view(input, meta_array(shape, dtype.np))
    try:
        out = arr.view(dtype.np)
    except ValueError:
        raise RuntimeError(f"view(): viewing a tensor of dtype {input.dtype} with stride "
                           f"{list(input.stride())} as {dtype} needs the last dim to be "
                           "contiguous (stride 1)") from None
    # NOTE: as in torch, a dtype view is outside autograd (its result never requires grad).
    return make_view(input, out)


def reshape(input, *shape, **kwargs):
    """A view when the strides allow one (sharing memory, as ``view``), otherwise a copy.

    >>> ember.arange(6.).reshape(3, -1).shape
    torch.Size([3, 2])
    """
    if not isinstance(input, Tensor):
        check_tensor(input, "reshape")
    arr = input._data
    shape = infer_size(shape_from_args(shape, kwargs.pop("shape", None), "reshape"), arr.size,
                       "reshape")
    if kwargs:
        raise TypeError(f"reshape() got an unexpected keyword argument '{next(iter(kwargs))}'")
    return _reshape_to(input, arr, shape)


def _reshape_to(input, arr, shape):
    """reshape once ``shape`` is known to hold ``arr.size`` elements."""
    out = _view_array(arr, shape)
    if out is not None:
        res = make_view(input, out)
        node_cls = ViewBackward0
    else:
        res = U.wrap(np.reshape(c_array(arr), shape), input._device)
        node_cls = UnsafeViewBackward0
    if GRAD.enabled and input._rg:
        record(node_cls, res, (input,)).in_shape = arr.shape
    return res


def _shape_of_other(other, op):
    """The target shape of the ``*_as(input, other)`` ops."""
    check_tensor(other, op, "other")
    return other.shape


def view_as(input, other):
    """``input.view(other.shape)``."""
    return view(input, _shape_of_other(other, "view_as"))


def reshape_as(input, other):
    """``input.reshape(other.shape)``."""
    return reshape(input, _shape_of_other(other, "reshape_as"))


def flatten(input, start_dim=0, end_dim=-1):
    """Merge dims ``start_dim..end_dim`` into one (a view when the strides allow).

    >>> ember.zeros(2, 3, 4).flatten(1).shape
    torch.Size([2, 12])
    """
    check_tensor(input, "flatten")
    arr = input._data
    nd = arr.ndim
    start = _wrap_dim(start_dim, nd, "flatten")
    end = _wrap_dim(end_dim, nd, "flatten")
    if start > end:
        raise RuntimeError("flatten() has invalid args: start_dim cannot come after end_dim")
    if nd == 0:
        return reshape(input, (1,))
    if start == end:
        # NOTE: torch returns the input itself here, not a view.
        return input
    shape = arr.shape
    merged = 1
    for s in shape[start:end + 1]:
        merged *= s
    return _reshape_to(input, arr, shape[:start] + (merged,) + shape[end + 1:])


def ravel(input):
    """A 1-d tensor of the elements (a view when the input is contiguous)."""
    check_tensor(input, "ravel")
    return reshape(input, (-1,))


def unflatten(input, dim, sizes):
    """Split dim ``dim`` into ``sizes`` (one may be -1); always a view.

    >>> ember.zeros(2, 12).unflatten(1, (3, 4)).shape
    torch.Size([2, 3, 4])
    """
    check_tensor(input, "unflatten")
    arr = input._data
    need_dims(arr, "unflatten")
    d = _wrap_dim(dim, arr.ndim, "unflatten")
    sizes = parse_shape((sizes,), "unflatten")
    if not sizes:
        raise RuntimeError("unflatten: sizes must be non-empty")
    size = arr.shape[d]
    if -1 not in sizes:
        n = 1
        for s in sizes:
            n *= s
        if n != size:
            raise RuntimeError(f"unflatten: Provided sizes {list(sizes)} don't multiply up to "
                               f"the size of dim {dim} ({size}) in the input tensor")
    sizes = infer_size(sizes, size, "unflatten")
    return view(input, arr.shape[:d] + sizes + arr.shape[d + 1:])


# ----------------------------------------------------------------------------------
# as_strided: a view of the storage itself
# ----------------------------------------------------------------------------------

def _strided_view(arr, origin, size, stride, offset):
    """A NumPy view of ``arr``'s memory: ``size``/``stride``/``offset`` in elements, counted
    from ``origin`` (the array at the start of the tensor's storage)."""
    flat = storage_flat(_storage_root(arr))
    if flat is None:
        raise RuntimeError("as_strided(): the tensor's storage is not dense")
    item = arr.itemsize
    start = _ptr(origin) - _ptr(flat)            # bytes from the buffer start to the storage
    available = (flat.size * item - start) // item
    extent = offset + 1 + builtins.sum((n - 1) * st for n, st in zip(size, stride))
    if 0 in size:
        offset = builtins.min(offset, available)
    elif extent > available:
        raise RuntimeError(
            f"as_strided(): setStorage: sizes {list(size)}, strides {list(stride)}, storage "
            f"offset {offset} and itemsize {item} requiring a storage size of {extent * item} "
            f"are out of bounds for storage of size {available * item}")
    strides = tuple(st * item for st in stride)
    if type(flat) is np.ndarray:
        return np.ndarray(size, dtype=arr.dtype, buffer=flat, offset=start + offset * item,
                          strides=strides)
    # a device array has no buffer protocol: stride from the element at the offset
    first = builtins.min(start // item + offset, flat.size)
    return _as_strided(flat[first:], size, strides)


class AsStridedBackward0(Node):
    def backward(self, grad):
        from ._inplace import scatter, view_index
        index = view_index(self.in_arr, self.out_arr)
        if index is None:
            raise NotImplementedError(
                "as_strided(): backward of a view that reads memory outside its input "
                f"(input shape {list(self.in_arr.shape)}) is not supported")
        return (scatter(grad, index, self.in_arr.shape),)


def as_strided(input, size, stride, storage_offset=None):
    """A view of ``input``'s storage with explicit sizes, strides and offset (in elements).

    As in torch the offset counts from the start of the storage, not of ``input``; it
    defaults to ``input.storage_offset()``.
    """
    check_tensor(input, "as_strided")
    arr = input._data
    size = parse_shape((size,), "as_strided")
    stride = parse_shape((stride,), "as_strided")
    if len(size) != len(stride):
        raise RuntimeError(f"as_strided(): mismatch in length of strides and shape: size "
                           f"{list(size)} vs stride {list(stride)}")
    if builtins.any(s < 0 for s in size) or builtins.any(s < 0 for s in stride):
        raise RuntimeError(f"as_strided(): negative sizes or strides are not supported "
                           f"(size {list(size)}, stride {list(stride)})")
    if storage_offset is None:
        storage_offset = input.storage_offset()
    if storage_offset < 0:
        raise RuntimeError(f"as_strided(): Tensor: invalid storage offset {storage_offset}")
    if input._device is META:
        out = meta_array(size, arr.dtype)
    else:
        out = _strided_view(arr, _storage_origin(input)._data, size, stride, storage_offset)
    res = make_view(input, out)
    if GRAD.enabled and input._rg:
        node = record(AsStridedBackward0, res, (input,))
        node.in_arr, node.out_arr = arr, out
    return res


# ----------------------------------------------------------------------------------
# transpose / permute / movedim
# ----------------------------------------------------------------------------------

class TransposeBackward0(Node):
    def backward(self, grad):
        return (transpose(grad, self.dim0, self.dim1),)


class TBackward0(Node):
    def backward(self, grad):
        return (t(grad),)


def transpose(input, dim0, dim1):
    """Swap two dims (a view).

    >>> ember.zeros(2, 3).transpose(0, 1).shape
    torch.Size([3, 2])
    """
    if not isinstance(input, Tensor):
        check_tensor(input, "transpose")
    arr = input._data
    nd = arr.ndim
    d0 = _wrap_dim(dim0, nd, "transpose")
    d1 = _wrap_dim(dim1, nd, "transpose")
    res = make_view(input, arr.swapaxes(d0, d1) if nd else arr.view())
    if GRAD.enabled and input._rg:
        node = record(TransposeBackward0, res, (input,))
        node.dim0, node.dim1 = d0, d1
    return res


def swapaxes(input, axis0, axis1):
    """Alias of ``transpose`` (NumPy's name)."""
    return transpose(input, axis0, axis1)


def swapdims(input, dim0, dim1):
    """Alias of ``transpose``."""
    return transpose(input, dim0, dim1)


def t(input):
    """Transpose a tensor of at most 2 dims (0-d and 1-d tensors come back as views)."""
    check_tensor(input, "t")
    arr = input._data
    if arr.ndim > 2:
        raise RuntimeError(f"t() expects a tensor with <= 2 dimensions, but self is {arr.ndim}D")
    res = make_view(input, arr.T)
    if GRAD.enabled and input._rg:
        record(TBackward0, res, (input,))
    return res


class PermuteBackward0(Node):
    def backward(self, grad):
        inverse = [0] * len(self.dims)
        for i, d in enumerate(self.dims):
            inverse[d] = i
        return (permute(grad, inverse),)


def permute(input, *dims, **kwargs):
    """Reorder the dims (a view).

    >>> ember.zeros(2, 3, 4).permute(2, 0, 1).shape
    torch.Size([4, 2, 3])
    """
    if not isinstance(input, Tensor):
        check_tensor(input, "permute")
    arr = input._data
    nd = arr.ndim
    dims = shape_from_args(dims, kwargs.pop("dims", None), "permute")
    if kwargs:
        raise TypeError(f"permute() got an unexpected keyword argument '{next(iter(kwargs))}'")
    if len(dims) != nd:
        raise RuntimeError(f"permute(sparse_coo): number of dimensions in the tensor input does "
                           f"not match the length of the desired ordering of dimensions i.e. "
                           f"input.dim() = {nd} is not equal to len(dims) = {len(dims)}")
    raw = dims
    dims = tuple(d + nd if d < 0 else d for d in raw)
    if sorted(dims) != list(range(nd)):
        for d in raw:
            _wrap_dim(d, nd, "permute")
        raise RuntimeError(f"permute(): duplicate dims are not allowed (got {list(dims)})")
    res = make_view(input, arr.transpose(dims))
    if GRAD.enabled and input._rg:
        record(PermuteBackward0, res, (input,)).dims = dims
    return res


def movedim(input, source, destination):
    """Move dims ``source`` to positions ``destination`` (a view), as NumPy's moveaxis.

    >>> ember.zeros(2, 3, 4).movedim(0, -1).shape
    torch.Size([3, 4, 2])
    """
    check_tensor(input, "movedim")
    nd = input._data.ndim
    src = int_tuple(source, "movedim", "source")
    dst = int_tuple(destination, "movedim", "destination")
    if len(src) != len(dst):
        raise RuntimeError(f"movedim: Invalid source or destination dims: source ({list(src)} "
                           f"dims) should contain the same number of dims as destination "
                           f"({list(dst)} dims)")
    src = tuple(_wrap_dim(d, nd, "movedim") for d in src)
    dst = tuple(_wrap_dim(d, nd, "movedim") for d in dst)
    for name, dims in (("source", src), ("destination", dst)):
        if len(set(dims)) != len(dims):
            raise RuntimeError(f"movedim: repeated dim in `{name}` ({list(dims)})")
    if nd == 0:
        return permute(input, ())
    order = [d for d in range(nd) if d not in src]
    for d, s in sorted(zip(dst, src)):
        order.insert(d, s)
    return permute(input, order)


moveaxis = movedim


def _T(self):
    nd = self._data.ndim
    if nd != 2:
        # NOTE: torch deprecates .T on tensors that are not matrices (and keeps it working)
        warnings.warn("The use of `x.T` on tensors of dimension other than 2 to reverse their "
                      "shape is deprecated and it will throw an error in a future release. "
                      "Consider `x.mT` to transpose batches of matrices or "
                      "`x.permute(*torch.arange(x.ndim - 1, -1, -1))` to reverse the dimensions "
                      "of a tensor.", UserWarning, stacklevel=2)
    return permute(self, tuple(range(nd - 1, -1, -1)))


def _matrix_transpose(self, name):
    nd = self._data.ndim
    if nd == 0:
        warnings.warn(f"Tensor.{name} is deprecated on 0-D tensors. This function is the "
                      "identity in these cases.", UserWarning, stacklevel=3)
        return permute(self, ())
    if nd < 2:
        raise RuntimeError(f"tensor.{name} is only supported on matrices or batches of "
                           f"matrices. Got {nd}-D tensor.")
    return transpose(self, -2, -1)


def _mT(self):
    return _matrix_transpose(self, "mT")


def _conj(t):
    # the conjugate for complex tensors (as torch's conj view; ember copies), else t
    return t.conj() if t._data.dtype.kind == "c" else t


def _mH(self):
    return _conj(_matrix_transpose(self, "mH"))


def _H(self):
    nd = self._data.ndim
    if nd not in (0, 2):
        raise RuntimeError(f"tensor.H is only supported on matrices (2-D tensors). Got {nd}-D "
                           "tensor." + (" For batches of matrices, consider using tensor.mH"
                                        if nd > 2 else ""))
    return _conj(_matrix_transpose(self, "H") if nd == 0 else transpose(self, 0, 1))


# ----------------------------------------------------------------------------------
# expand / broadcast / squeeze / unsqueeze
# ----------------------------------------------------------------------------------

class ExpandBackward0(Node):
    def backward(self, grad):
        return (U.sum_to_shape(grad, self.in_shape),)


def expand(input, *sizes, size=None):
    """Broadcast to a larger size as a zero-stride view (-1 keeps a dim).

    >>> ember.zeros(3, 1).expand(3, 4).shape
    torch.Size([3, 4])
    """
    if not isinstance(input, Tensor):
        check_tensor(input, "expand")
    arr = input._data
    sizes = shape_from_args(sizes, size, "expand")
    nd = arr.ndim
    if len(sizes) < nd:
        raise RuntimeError(f"expand({input.type()}{{{list(arr.shape)}}}, size={list(sizes)}): "
                           f"the number of sizes provided ({len(sizes)}) must be greater or "
                           f"equal to the number of dimensions in the tensor ({nd})")
    lead = len(sizes) - nd
    target = list(sizes)
    for i, s in enumerate(sizes):
        if i < lead:
            if s < 0:
                raise RuntimeError(f"expand: the expanded size of the tensor ({s}) isn't allowed "
                                   f"in a leading, non-existing dimension {i}")
            continue
        cur = arr.shape[i - lead]
        if s == -1:
            target[i] = cur
        elif cur != s and cur != 1:
            raise RuntimeError(
                f"expand: The expanded size of the tensor ({s}) must match the existing size "
                f"({cur}) at non-singleton dimension {i}.  Target sizes: {list(sizes)}.  Tensor "
                f"sizes: {list(arr.shape)}")
        elif s < -1:
            # NOTE: torch makes a tensor with a negative size here (a size-1 dim expanded
            # to -2); NumPy cannot, so this is an error (not NumPy's ValueError)
            raise RuntimeError(f"expand: the expanded size of the tensor ({s}) is negative "
                               f"at dimension {i}.  Target sizes: {list(sizes)}")
    target = tuple(target)
    out = arr.view() if target == arr.shape else _expanded_array(arr, target)
    res = make_view(input, out)
    if GRAD.enabled and input._rg:
        record(ExpandBackward0, res, (input,)).in_shape = arr.shape
    return res


def expand_as(input, other):
    """``input.expand(other.size())``."""
    return expand(input, _shape_of_other(other, "expand_as"))


def _expanded_array(arr, target):
    """A zero-stride view of ``arr`` with shape ``target``, writable like ``arr``.

    NOTE: np.broadcast_to would mark it read-only, but torch lets a single element of
    an expanded tensor be written (e.g. after select); writes into the aliased
    elements themselves are refused by the in-place machinery (has_internal_overlap).
    """
    lead = len(target) - arr.ndim
    strides = [0] * lead + [0 if cur == 1 and s != 1 else st
                            for cur, s, st in zip(arr.shape, target[lead:], arr.strides)]
    if type(arr) is np.ndarray:
        return np.lib.stride_tricks.as_strided(arr, target, strides,
                                               writeable=arr.flags.writeable)
    return _as_strided(arr, target, strides)


def broadcast_to(input, size):
    """``input.expand(size)``."""
    check_tensor(input, "broadcast_to")
    return expand(input, size)


def broadcast_shapes(*shapes):
    """The shape that tensors of ``shapes`` broadcast to, as a ``Size``.

    >>> ember.broadcast_shapes((2, 1), (3,))
    torch.Size([2, 3])
    """
    parsed = []
    for s in shapes:
        if isinstance(s, (list, tuple)):
            parsed.append(parse_shape((s,), "broadcast_shapes"))
        else:
            parsed.append((as_int(s, "broadcast_shapes", "shape"),))
    ndim = builtins.max((len(s) for s in parsed), default=0)
    result = [1] * ndim
    for k, shape in enumerate(parsed):
        for i in range(-1, -len(shape) - 1, -1):
            s = shape[i]
            if s < 0:
                raise RuntimeError(
                    f"broadcast_shapes(): Trying to create tensor with negative dimension {s}: "
                    f"{list(shape)}")
            if s == result[i] or s == 1:
                continue
            if result[i] != 1:
                raise RuntimeError(
                    f"broadcast_shapes(): Attempting to broadcast a dimension of length {s} at "
                    f"{i}! Mismatching argument at index {k} had {tuple(shape)}; but expected "
                    f"shape should be broadcastable to {result}")
            result[i] = s
    return Size(result)


def broadcast_tensors(*tensors):
    """Views of ``tensors`` expanded to their common shape (a tensor already of that shape
    comes back as itself, as in torch)."""
    if len(tensors) == 1 and isinstance(tensors[0], (list, tuple)):
        tensors = tuple(tensors[0])
    check_tensor_items(tensors, "broadcast_tensors")
    U.common_device("broadcast_tensors", tensors)
    try:
        shape = np.broadcast_shapes(*(x._data.shape for x in tensors))
    except ValueError:
        a, b = _first_mismatch(tensors)
        raise U.broadcast_error("broadcast_tensors", a, b) from None
    return tuple(x if x._data.shape == shape else expand(x, shape) for x in tensors)


def _first_mismatch(tensors):
    shape = ()
    for x in tensors:
        try:
            shape = np.broadcast_shapes(shape, x._data.shape)
        except ValueError:
            return np.empty(shape), x._data
    return np.empty(shape), np.empty(shape)


class SqueezeBackward0(_ReshapeBackward):
    pass


class SqueezeBackward1(SqueezeBackward0):
    pass


class SqueezeBackward2(SqueezeBackward0):
    pass


def squeeze(input, dim=None):
    """Remove size-1 dims: all of them, or those among ``dim`` (an int or a tuple).

    >>> ember.zeros(1, 3, 1).squeeze().shape
    torch.Size([3])
    """
    if not isinstance(input, Tensor):
        check_tensor(input, "squeeze")
    arr = input._data
    shape = arr.shape
    if dim is None:
        axes = tuple(i for i, s in enumerate(shape) if s == 1)
        node_cls = SqueezeBackward0
    else:
        multi = isinstance(dim, (tuple, list))
        dims = wrap_dims(dim if multi else (dim,), arr.ndim, "squeeze")
        axes = tuple(d for d in dims if arr.ndim and shape[d] == 1)
        node_cls = SqueezeBackward2 if multi else SqueezeBackward1
    res = make_view(input, arr.squeeze(axes) if axes else arr.view())
    if GRAD.enabled and input._rg:
        record(node_cls, res, (input,)).in_shape = shape
    return res


class UnsqueezeBackward0(Node):
    def backward(self, grad):
        return (squeeze(grad, self.dim),)


def unsqueeze(input, dim):
    """Insert a size-1 dim at ``dim`` (a view).

    >>> ember.zeros(3).unsqueeze(0).shape
    torch.Size([1, 3])
    """
    if not isinstance(input, Tensor):
        check_tensor(input, "unsqueeze")
    arr = input._data
    d = _wrap_dim(dim, arr.ndim + 1, "unsqueeze")
    shape = arr.shape
    # inserting a size-1 dim never needs a copy; reshape gives it torch's stride
    res = make_view(input, arr.reshape(shape[:d] + (1,) + shape[d:]))
    if GRAD.enabled and input._rg:
        record(UnsqueezeBackward0, res, (input,)).dim = d
    return res


# ----------------------------------------------------------------------------------
# narrow / select / diagonal: views of a region of the input
# ----------------------------------------------------------------------------------

def narrow(input, dim, start, length):
    """``length`` elements of dim ``dim`` from ``start`` (a view; negative start counts back).

    >>> ember.arange(5.).narrow(0, 1, 3)   # [1, 2, 3]
    """
    check_tensor(input, "narrow")
    arr = input._data
    if arr.ndim == 0:
        raise RuntimeError("narrow() cannot be applied to a 0-dim tensor.")
    d = _wrap_dim(dim, arr.ndim, "narrow")
    size = arr.shape[d]
    start = as_int(start, "narrow", "start")
    length = as_int(length, "narrow", "length")
    if start < -size or start > size:
        raise IndexError(f"narrow(): start out of range (expected to be in range of "
                         f"[{-size}, {size}], but got {start})")
    if start < 0:
        start += size
    if length < 0:
        raise RuntimeError("narrow(): length must be non-negative.")
    if start + length > size:
        raise RuntimeError(f"narrow(): start ({start}) + length ({length}) exceeds dimension "
                           f"size ({size}).")
    return region_view(input, dim_index(d, slice(start, start + length)), SliceBackward0)


def select(input, dim, index):
    """The slice at ``index`` along ``dim``, without that dim (a view).

    >>> ember.zeros(2, 3).select(1, 0).shape
    torch.Size([2])
    """
    check_tensor(input, "select")
    d, i = select_args(input._data, dim, index, "select")
    return region_view(input, dim_index(d, i), SelectBackward0)


def diagonal(input, offset=0, dim1=0, dim2=1):
    """The diagonal of dims ``dim1``/``dim2`` as the last dim (a view); ``offset`` > 0 is
    above the main diagonal.

    >>> ember.arange(4.).view(2, 2).diagonal()   # [0, 3]
    """
    check_tensor(input, "diagonal")
    d1, d2 = diag_dims(input._data.ndim, dim1, dim2, "diagonal")
    offset = as_int(offset, "diagonal", "offset")
    return region_view(input, Diag(offset, d1, d2), DiagonalBackward0)


# ----------------------------------------------------------------------------------
# clone / contiguous
# ----------------------------------------------------------------------------------

class CloneBackward0(Node):
    def backward(self, grad):
        return (grad,)


def _clone_array(arr, memory_format):
    if 0 in arr.strides or getattr(memory_format, "name", None) == "contiguous_format":
        return arr.copy(order="C")
    # NOTE: torch's preserve_format keeps the input's dim order (a transposed input
    # clones to a transposed layout); NumPy's order="K" does the same.
    return arr.copy(order="K")


def clone(input, *, memory_format=None):
    """A copy with its own memory, keeping the dim order of the input's layout; differentiable.

    >>> y = x.clone()
    """
    check_tensor(input, "clone")
    res = U.wrap(_clone_array(input._data, memory_format), input._device)
    if GRAD.enabled and input._rg:
        record(CloneBackward0, res, (input,))
    return res


def contiguous(input, memory_format=None):
    """The tensor itself when C-contiguous, otherwise a C-contiguous copy (differentiable)."""
    check_tensor(input, "contiguous")
    if input._device is META or input._data.flags.c_contiguous:
        return input
    res = U.wrap(c_array(input._data), input._device)
    if GRAD.enabled and input._rg:
        record(CloneBackward0, res, (input,))
    return res


# ----------------------------------------------------------------------------------
# in-place view ops: change self's shape/strides (t_, transpose_, squeeze_, unsqueeze_)
# ----------------------------------------------------------------------------------

def _inplace_view(fn, op):
    def method(self, *args, **kwargs):
        if GRAD.enabled:
            _check_leaf(self, op)
        res = fn(self, *args, **kwargs)   # also refreshes a stale view's history
        self._data = res._data
        if res._grad_fn is not None:
            self._grad_fn = res._grad_fn
            self._out_nr = 0
        self._bump_version()
        if self._vv is not None:
            self._vv = self._vc[0]        # self's history (res's node) is current
        return self
    method.__name__ = op
    method.__qualname__ = f"Tensor.{op}"
    method.__doc__ = f"In-place version of :func:`{fn.__name__}` (changes self's shape)."
    return method


METHODS = {
    "view": view, "view_as": view_as, "reshape": reshape, "reshape_as": reshape_as,
    "flatten": flatten, "unflatten": unflatten, "ravel": ravel,
    "as_strided": as_strided, "transpose": transpose, "swapaxes": swapaxes,
    "swapdims": swapdims, "t": t, "permute": permute, "movedim": movedim, "moveaxis": movedim,
    "expand": expand, "expand_as": expand_as, "broadcast_to": broadcast_to,
    "squeeze": squeeze, "unsqueeze": unsqueeze, "narrow": narrow, "select": select,
    "diagonal": diagonal, "clone": clone, "contiguous": contiguous,
    "t_": _inplace_view(t, "t_"), "transpose_": _inplace_view(transpose, "transpose_"),
    "swapaxes_": _inplace_view(transpose, "swapaxes_"),
    "swapdims_": _inplace_view(transpose, "swapdims_"),
    "squeeze_": _inplace_view(squeeze, "squeeze_"),
    "unsqueeze_": _inplace_view(unsqueeze, "unsqueeze_"),
    "as_strided_": _inplace_view(as_strided, "as_strided_"),
}
for _name, _fn in METHODS.items():
    setattr(Tensor, _name, _fn)
Tensor.T = property(_T)
Tensor.mT = property(_mT)
Tensor.H = property(_H)
Tensor.mH = property(_mH)


# The split, join, indexing and rearrange ops lived in this module; older code imports
# them from here (``from ember.ops.shape import stack``).  They are looked up on first
# use, as those modules import this one.
_MOVED = {
    "splitting": ("chunk", "dsplit", "hsplit", "split", "tensor_split", "unbind", "vsplit"),
    "join": ("atleast_1d", "atleast_2d", "atleast_3d", "cat", "column_stack", "concat",
             "concatenate", "dstack", "hstack", "row_stack", "stack", "vstack"),
    "indexing": ("copy_", "diagonal_scatter", "fill_", "getitem", "index_put",
                 "select_scatter", "setitem", "slice_scatter", "zero_"),
    "rearrange": ("diag", "diag_embed", "flip", "fliplr", "flipud", "repeat",
                  "repeat_interleave", "roll", "rot90", "tile", "tril", "triu"),
}
_MOVED_TO = {name: module for module, names in _MOVED.items() for name in names}


def __getattr__(name):
    module = _MOVED_TO.get(name)
    if module is None:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    return getattr(importlib.import_module(f"{__package__}.{module}"), name)

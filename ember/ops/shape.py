"""Shape and view ops: views, reshapes, splits, joins, repeats, flips and slicing.

Views share memory with their base, as in torch: they are NumPy views of the base's
array, their ``_base`` is the root tensor, and they share its version counter.  An op
returns a view exactly where torch does (``view``, ``transpose``, ``narrow``,
``diagonal``, ``split``, basic slicing ...) and a new array elsewhere (``flip``,
``roll``, ``cat``, ``repeat`` ...).  NumPy's negative strides never reach a tensor:
torch has none, so ``flip`` copies and slicing with a negative step is an error.

The gradient of a view op scatters the view's gradient into zeros of the input's
shape; those scatters are ops here too (``select_scatter``, ``slice_scatter``,
``diagonal_scatter``), so double backward works.
"""

__all__ = [
    "as_strided", "atleast_1d", "atleast_2d", "atleast_3d", "broadcast_shapes",
    "broadcast_tensors", "broadcast_to", "cat", "chunk", "clone", "column_stack", "concat",
    "concatenate", "diag", "diag_embed", "diagonal", "diagonal_scatter", "dsplit", "dstack",
    "flatten", "flip", "fliplr", "flipud", "hsplit", "hstack", "moveaxis", "movedim", "narrow",
    "permute", "ravel", "repeat_interleave", "reshape", "roll", "rot90", "row_stack", "select",
    "select_scatter", "slice_scatter", "split", "squeeze", "stack", "swapaxes", "swapdims", "t",
    "tensor_split", "tile", "transpose", "tril", "triu", "unbind", "unflatten", "unsqueeze",
    "vsplit", "vstack",
]

import builtins
import warnings

import ml_dtypes
import numpy as np

from .. import _dtype as D
from .._device import META, meta_array
from .._tensor import Size, Tensor, _new, _ptr, _storage_origin, _storage_root, _wrap_dim
from ..autograd.graph import Node
from . import _util as U
from ._inplace import _check_leaf, apply_inplace, make_inplace
from ._util import GRAD, record

_FROM_NP = D._FROM_NP
_ALL = slice(None)


# ----------------------------------------------------------------------------------
# helpers
# ----------------------------------------------------------------------------------

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
    t._vv = vc[0]    # the version at which this view's history was recorded
    t._base = root
    return t


def _check(input, op, arg="input"):
    if not isinstance(input, Tensor):
        raise TypeError(f"{op}(): argument '{arg}' must be Tensor, not {type(input).__name__}")


def _as_int(value, op, arg):
    if isinstance(value, (bool, np.bool_)) or not hasattr(value, "__index__"):
        raise TypeError(f"{op}(): argument '{arg}' must be int, not {type(value).__name__}")
    return value.__index__()


def parse_shape(args, op):
    """Accept f(2, 3), f((2, 3)), f([2, 3]) and torch.Size; ints only."""
    if len(args) == 1 and isinstance(args[0], (tuple, list)):
        args = args[0]
    for s in args:
        if type(s) is not int:
            break
    else:
        return tuple(args)
    out = []
    for s in args:
        if type(s) is not int:
            if isinstance(s, (bool, np.bool_)) or not hasattr(s, "__index__"):
                raise TypeError(f"{op}(): argument 'size' must be tuple of ints, but found "
                                f"element of type {type(s).__name__}")
            s = s.__index__()
        out.append(s)
    return tuple(out)


def _int_tuple(value, op, arg):
    """An int or a sequence of ints as a tuple."""
    if isinstance(value, (list, tuple)):
        return tuple(_as_int(v, op, arg) for v in value)
    return (_as_int(value, op, arg),)


def _dims(dims, ndim, op):
    """Wrap each dim; RuntimeError on repeats (torch's message)."""
    out = tuple(_wrap_dim(d, ndim, op) for d in dims)
    if len(set(out)) != len(out):
        for d in out:
            if out.count(d) > 1:
                raise RuntimeError(f"{op}(): dim {d} appears multiple times in the list of dims")
    return out


def _need_dims(arr, op):
    """torch's IndexError for a dim argument on a 0-dim tensor where none is allowed."""
    if arr.ndim == 0:
        raise IndexError(f"{op}(): Dimension specified as 0 but tensor has no dimensions")


def infer_size(shape, numel, op):
    """Replace one -1 in ``shape`` so that it holds ``numel`` elements (torch's checks)."""
    if -1 not in shape:
        known = 1
        for s in shape:
            if s < 0:
                break
            known *= s
        else:
            if known == numel:
                return shape
    infer = -1
    known = 1
    for i, s in enumerate(shape):
        if s == -1:
            if infer >= 0:
                raise RuntimeError(f"{op}(): only one dimension can be inferred")
            infer = i
        elif s < 0:
            raise RuntimeError(f"{op}(): invalid shape dimension {s}")
        else:
            known *= s
    if infer >= 0:
        if known == 0:
            raise RuntimeError(
                f"{op}(): cannot reshape tensor of {numel} elements into shape {list(shape)} "
                "because the unspecified dimension size -1 can be any value and is ambiguous")
        if numel % known:
            raise RuntimeError(f"{op}(): shape '{list(shape)}' is invalid for input of size "
                               f"{numel}")
        shape = shape[:infer] + (numel // known,) + shape[infer + 1:]
    elif known != numel:
        raise RuntimeError(f"{op}(): shape '{list(shape)}' is invalid for input of size {numel}")
    return shape


def _record_multi(node_cls, outs, input):
    """One node for several outputs (split, unbind ...): output i is the node's output i."""
    node = node_cls()
    node.connect((input,))
    node._num_outputs = len(outs)
    dtype = input.dtype
    node._out_meta = [(o._data.shape, dtype, o._device) for o in outs]
    for i, o in enumerate(outs):
        o._grad_fn = node
        o._out_nr = i
        o._rg = True
    return node


def _c_array(arr):
    """``arr`` in C order, copied only if needed (NumPy's ascontiguousarray turns 0-d
    arrays into 1-d ones)."""
    return arr if arr.flags.c_contiguous else np.array(arr, order="C")


def _shape_args(args, kw, op):
    """The shape of ``f(*args)`` or ``f(size=...)`` (torch accepts both on methods)."""
    if kw is not None:
        if args:
            raise TypeError(f"{op}() got multiple values for its shape argument")
        args = (kw,)
    return parse_shape(args, op)


# ----------------------------------------------------------------------------------
# regions: what a view selects, and writing into it (the gradients of view ops)
# ----------------------------------------------------------------------------------
# A region is a basic NumPy index tuple that always holds an Ellipsis (so that NumPy
# returns a view, never a scalar) or a _Diag.  ``_region_array`` gives the NumPy view,
# ``_region_tensor`` the differentiable ember view.

class _Diag:
    __slots__ = ("offset", "dim1", "dim2")

    def __init__(self, offset, dim1, dim2):
        self.offset, self.dim1, self.dim2 = offset, dim1, dim2


def _dim_index(dim, item):
    return (_ALL,) * dim + (item, Ellipsis)


def _region_array(arr, region):
    if type(region) is tuple:
        return arr[region]
    return _diagonal_array(arr, region.offset, region.dim1, region.dim2)


def _region_tensor(t, region):
    if type(region) is tuple:
        return getitem(t, region)
    return diagonal(t, region.offset, region.dim1, region.dim2)


class _ScatterBackward(Node):
    def backward(self, grad):
        nf = self.next_functions
        g_input = g_src = None
        if nf[0][0] is not None:
            g_input = _scatter(grad, None, self.region, type(self))
        if nf[1][0] is not None:
            g_src = _region_tensor(grad, self.region)
        return g_input, g_src


class SelectScatterBackward0(_ScatterBackward):
    pass


class SliceScatterBackward0(_ScatterBackward):
    pass


class DiagonalScatterBackward0(_ScatterBackward):
    pass


def _scatter(input, src, region, node_cls, shape=None, op="scatter"):
    """``input`` (or zeros of ``shape``) with ``region`` replaced by ``src`` (or zeros)."""
    if input is not None:
        out = np.array(input._data, copy=True)
        dev = input._device
    else:
        out = np.zeros(shape, dtype=src._data.dtype)
        dev = src._device
    view = _region_array(out, region)
    if src is None:
        view[...] = 0
    else:
        if view.shape != src._data.shape:
            raise RuntimeError(f"{op}(): expected src to have a size equal to the slice of self. "
                               f"src size = {list(src.shape)}, slice size = {list(view.shape)}")
        if dev is not META and src._device is not META:
            view[...] = src._data
    res = U.wrap(out, dev)
    if GRAD.enabled and ((input is not None and input._rg) or (src is not None and src._rg)):
        record(node_cls, res, (input, src)).region = region
    return res


def _scatter_args(op, input, src):
    _check(input, op)
    _check(src, op, "src")
    U.common_device(op, (input, src))


def select_scatter(input, src, dim, index):
    """A copy of ``input`` with ``input.select(dim, index)`` replaced by ``src``.

    >>> select_scatter(zeros(2, 2), ones(2), 0, 0)   # [[1, 1], [0, 0]]
    """
    _scatter_args("select_scatter", input, src)
    arr = input._data
    d, i = _select_args(arr, dim, index, "select_scatter")
    return _scatter(input, src, _dim_index(d, i), SelectScatterBackward0, op="select_scatter")


def slice_scatter(input, src, dim=0, start=None, end=None, step=1):
    """A copy of ``input`` with ``input[..., start:end:step, ...]`` (at ``dim``) set to ``src``."""
    _scatter_args("slice_scatter", input, src)
    arr = input._data
    _need_dims(arr, "slice_scatter")
    d = _wrap_dim(dim, arr.ndim, "slice_scatter")
    if step is None:
        step = 1
    if step <= 0:
        raise RuntimeError("slice_scatter(): slice step must be positive")
    region = _dim_index(d, slice(start, end, step))
    return _scatter(input, src, region, SliceScatterBackward0, op="slice_scatter")


def diagonal_scatter(input, src, offset=0, dim1=0, dim2=1):
    """A copy of ``input`` with ``input.diagonal(offset, dim1, dim2)`` replaced by ``src``."""
    _scatter_args("diagonal_scatter", input, src)
    d1, d2 = _diag_dims(input._data.ndim, dim1, dim2, "diagonal_scatter")
    return _scatter(input, src, _Diag(offset, d1, d2), DiagonalScatterBackward0,
                    op="diagonal_scatter")


# ----------------------------------------------------------------------------------
# view / reshape / flatten / unflatten
# ----------------------------------------------------------------------------------

class ViewBackward0(Node):
    def backward(self, grad):
        return (reshape(grad, self.in_shape),)


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
        _check(input, "view")
    if dtype is not None or (len(shape) == 1 and isinstance(shape[0], D.dtype)):
        return view_dtype(input, shape[0] if dtype is None else dtype)
    arr = input._data
    shape = infer_size(_shape_args(shape, size, "view"), arr.size, "view")
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
        _check(input, "reshape")
    arr = input._data
    shape = infer_size(_shape_args(shape, kwargs.pop("shape", None), "reshape"), arr.size,
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
        res = U.wrap(np.reshape(_c_array(arr), shape), input._device)
        node_cls = UnsafeViewBackward0
    if GRAD.enabled and input._rg:
        record(node_cls, res, (input,)).in_shape = arr.shape
    return res


def view_as(input, other):
    """``input.view(other.shape)``."""
    _check(other, "view_as", "other")
    return view(input, other.shape)


def reshape_as(input, other):
    """``input.reshape(other.shape)``."""
    _check(other, "reshape_as", "other")
    return reshape(input, other.shape)


def flatten(input, start_dim=0, end_dim=-1):
    """Merge dims ``start_dim..end_dim`` into one (a view when the strides allow).

    >>> ember.zeros(2, 3, 4).flatten(1).shape
    torch.Size([2, 12])
    """
    _check(input, "flatten")
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
    _check(input, "ravel")
    return reshape(input, (-1,))


def unflatten(input, dim, sizes):
    """Split dim ``dim`` into ``sizes`` (one may be -1); always a view.

    >>> ember.zeros(2, 12).unflatten(1, (3, 4)).shape
    torch.Size([2, 3, 4])
    """
    _check(input, "unflatten")
    arr = input._data
    _need_dims(arr, "unflatten")
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

def _storage_flat(root):
    """A 1-d view of a storage root's memory in memory order, or None."""
    if root.flags.c_contiguous:
        return root.reshape(-1)
    if root.flags.f_contiguous:
        return root.reshape(-1, order="F")
    order = np.argsort([-s for s in root.strides], kind="stable")
    permuted = root.transpose(order)
    if permuted.flags.c_contiguous:
        return permuted.reshape(-1)
    return None


def _strided_view(arr, origin, size, stride, offset):
    """A NumPy view of ``arr``'s memory: ``size``/``stride``/``offset`` in elements, counted
    from ``origin`` (the array at the start of the tensor's storage)."""
    flat = _storage_flat(_storage_root(arr))
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
    return np.ndarray(size, dtype=arr.dtype, buffer=flat, offset=start + offset * item,
                      strides=tuple(st * item for st in stride))


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
    _check(input, "as_strided")
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
        _check(input, "transpose")
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
    _check(input, "t")
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
        _check(input, "permute")
    arr = input._data
    nd = arr.ndim
    dims = _shape_args(dims, kwargs.pop("dims", None), "permute")
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
    _check(input, "movedim")
    nd = input._data.ndim
    src = _int_tuple(source, "movedim", "source")
    dst = _int_tuple(destination, "movedim", "destination")
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


def _mH(self):
    # real dtypes only in ember so far: the conjugate transpose is the transpose
    return _matrix_transpose(self, "mH")


def _H(self):
    nd = self._data.ndim
    if nd not in (0, 2):
        raise RuntimeError(f"tensor.H is only supported on matrices (2-D tensors). Got {nd}-D "
                           "tensor." + (" For batches of matrices, consider using tensor.mH"
                                        if nd > 2 else ""))
    return _matrix_transpose(self, "H") if nd == 0 else transpose(self, 0, 1)


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
        _check(input, "expand")
    arr = input._data
    sizes = _shape_args(sizes, size, "expand")
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
    target = tuple(target)
    out = arr.view() if target == arr.shape else np.broadcast_to(arr, target)
    res = make_view(input, out)
    if GRAD.enabled and input._rg:
        record(ExpandBackward0, res, (input,)).in_shape = arr.shape
    return res


def expand_as(input, other):
    """``input.expand(other.size())``."""
    _check(other, "expand_as", "other")
    return expand(input, other.shape)


def broadcast_to(input, size):
    """``input.expand(size)``."""
    _check(input, "broadcast_to")
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
            parsed.append((_as_int(s, "broadcast_shapes", "shape"),))
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
    for i, x in enumerate(tensors):
        if not isinstance(x, Tensor):
            raise TypeError(f"broadcast_tensors(): expected Tensor as element {i} in argument "
                            f"0, but got {type(x).__name__}")
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


class SqueezeBackward0(Node):
    def backward(self, grad):
        return (reshape(grad, self.in_shape),)


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
        _check(input, "squeeze")
    arr = input._data
    shape = arr.shape
    if dim is None:
        axes = tuple(i for i, s in enumerate(shape) if s == 1)
        node_cls = SqueezeBackward0
    else:
        multi = isinstance(dim, (tuple, list))
        dims = _dims(dim if multi else (dim,), arr.ndim, "squeeze")
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
        _check(input, "unsqueeze")
    arr = input._data
    d = _wrap_dim(dim, arr.ndim + 1, "unsqueeze")
    shape = arr.shape
    # inserting a size-1 dim never needs a copy; reshape gives it torch's stride
    res = make_view(input, arr.reshape(shape[:d] + (1,) + shape[d:]))
    if GRAD.enabled and input._rg:
        record(UnsqueezeBackward0, res, (input,)).dim = d
    return res


# ----------------------------------------------------------------------------------
# narrow / select / unbind / split / chunk / tensor_split / diagonal
# ----------------------------------------------------------------------------------

class SliceBackward0(Node):
    """Gradient of a basic-index view: the view's gradient scattered into zeros."""

    def backward(self, grad):
        return (_scatter(None, grad, self.region, SliceScatterBackward0, self.in_shape),)


class SelectBackward0(SliceBackward0):
    pass


class DiagonalBackward0(SliceBackward0):
    pass


def _region_view(input, region, node_cls, arr=None):
    """The view of ``input`` at ``region`` with its gradient node."""
    res = make_view(input, _region_array(input._data if arr is None else arr, region))
    if GRAD.enabled and input._rg:
        node = record(node_cls, res, (input,))
        node.region, node.in_shape = region, input._data.shape
    return res


def narrow(input, dim, start, length):
    """``length`` elements of dim ``dim`` from ``start`` (a view; negative start counts back).

    >>> ember.arange(5.).narrow(0, 1, 3)   # [1, 2, 3]
    """
    _check(input, "narrow")
    arr = input._data
    if arr.ndim == 0:
        raise RuntimeError("narrow() cannot be applied to a 0-dim tensor.")
    d = _wrap_dim(dim, arr.ndim, "narrow")
    size = arr.shape[d]
    start = _as_int(start, "narrow", "start")
    length = _as_int(length, "narrow", "length")
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
    return _region_view(input, _dim_index(d, slice(start, start + length)), SliceBackward0)


def _select_args(arr, dim, index, op):
    if arr.ndim == 0:
        raise IndexError(f"{op}(): select() cannot be applied to a 0-dim tensor.")
    d = _wrap_dim(dim, arr.ndim, op)
    i = _as_int(index, op, "index")
    size = arr.shape[d]
    if i < -size or i >= size:
        raise IndexError(f"{op}(): index {i} out of range for tensor of size "
                         f"{list(arr.shape)} at dimension {d}")
    return d, (i + size if i < 0 else i)


def select(input, dim, index):
    """The slice at ``index`` along ``dim``, without that dim (a view).

    >>> ember.zeros(2, 3).select(1, 0).shape
    torch.Size([2])
    """
    _check(input, "select")
    d, i = _select_args(input._data, dim, index, "select")
    return _region_view(input, _dim_index(d, i), SelectBackward0)


class UnbindBackward0(Node):
    _multi_view = True

    def backward(self, *grads):
        return (stack(grads, self.dim),)


def unbind(input, dim=0):
    """All slices along ``dim`` as a tuple of views.

    >>> [r.shape for r in ember.zeros(2, 3).unbind()]
    [torch.Size([3]), torch.Size([3])]
    """
    _check(input, "unbind")
    arr = input._data
    _need_dims(arr, "unbind")
    d = _wrap_dim(dim, arr.ndim, "unbind")
    moved = np.moveaxis(arr, d, 0) if d else arr
    outs = tuple(make_view(input, moved[i, ...]) for i in range(arr.shape[d]))
    if GRAD.enabled and input._rg and outs:
        _record_multi(UnbindBackward0, outs, input).dim = d
    return outs


class SplitBackward0(Node):
    _multi_view = True

    def backward(self, *grads):
        return (cat(grads, self.dim),)


class SplitWithSizesBackward0(SplitBackward0):
    pass


def _split_views(input, d, sizes, node_cls):
    arr = input._data
    outs = []
    start = 0
    lead = (_ALL,) * d
    for n in sizes:
        outs.append(make_view(input, arr[lead + (slice(start, start + n), Ellipsis)]))
        start += n
    outs = tuple(outs)
    if GRAD.enabled and input._rg:
        _record_multi(node_cls, outs, input).dim = d
    return outs


def split(tensor, split_size_or_sections, dim=0):
    """Views of pieces along ``dim``: of ``split_size`` each (the last may be smaller), or of
    the sizes in a list.

    >>> [p.shape[0] for p in ember.zeros(5).split(2)]
    [2, 2, 1]
    """
    _check(tensor, "split", "tensor")
    arr = tensor._data
    _need_dims(arr, "split")
    d = _wrap_dim(dim, arr.ndim, "split")
    size = arr.shape[d]
    if isinstance(split_size_or_sections, (list, tuple)):
        sizes = _int_tuple(split_size_or_sections, "split", "split_size")
        if builtins.any(s < 0 for s in sizes):
            raise RuntimeError(f"split_with_sizes expects split_sizes have only non-negative "
                               f"entries, but got split_sizes={list(sizes)}")
        if builtins.sum(sizes) != size:
            raise RuntimeError(
                f"split_with_sizes expects split_sizes to sum exactly to {size} (input tensor's "
                f"size at dimension {d}), but got split_sizes={list(sizes)}")
        return _split_views(tensor, d, sizes, SplitWithSizesBackward0)
    step = _as_int(split_size_or_sections, "split", "split_size")
    if step < 0:
        raise RuntimeError(f"split expects split_size be non-negative, but got split_size={step}")
    if step == 0 and size != 0:
        raise RuntimeError(f"split_size can only be 0 if dimension size is 0, but got dimension "
                           f"size of {size}")
    if size == 0:
        sizes = (0,)
    else:
        sizes = (step,) * (size // step) + ((size % step,) if size % step else ())
    return _split_views(tensor, d, sizes, SplitBackward0)


def chunk(input, chunks, dim=0):
    """Split into ``chunks`` views of equal size along ``dim`` (the last may be smaller, and
    there may be fewer), as torch.

    >>> [c.shape[0] for c in ember.zeros(5).chunk(3)]
    [2, 2, 1]
    """
    _check(input, "chunk")
    chunks = _as_int(chunks, "chunk", "chunks")
    arr = input._data
    if arr.ndim == 0:
        raise RuntimeError("chunk expects at least a 1-dimensional tensor")
    if chunks <= 0:
        raise RuntimeError(f"chunk expects `chunks` to be greater than 0, got: {chunks}")
    d = _wrap_dim(dim, arr.ndim, "chunk")
    size = arr.shape[d]
    if size == 0:
        # NOTE: torch gives ``chunks`` empty pieces here (split would give one).
        return _split_views(input, d, (0,) * chunks, SplitWithSizesBackward0)
    return split(input, -(-size // chunks), d)


def tensor_split(input, indices_or_sections=None, dim=0, *, sections=None, indices=None,
                 tensor_indices_or_sections=None):
    """Views split at ``indices`` (a list) or into ``sections`` pieces as equal as possible
    (the first ``size % sections`` are one longer), as NumPy's array_split.

    >>> [p.shape[0] for p in ember.zeros(7).tensor_split(3)]
    [3, 2, 2]
    """
    _check(input, "tensor_split")
    arr = input._data
    if arr.ndim == 0:
        raise RuntimeError("tensor_split expected at least a 1-dimensional tensor, but got a "
                           "tensor with 0 dims")
    d = _wrap_dim(dim, arr.ndim, "tensor_split")
    size = arr.shape[d]
    spec = indices_or_sections
    for alt in (sections, indices, tensor_indices_or_sections):
        if alt is not None:
            spec = alt
    if spec is None:
        raise TypeError("tensor_split() missing required argument 'indices_or_sections'")
    if isinstance(spec, Tensor):
        if spec._device.type != "cpu":
            raise RuntimeError(f"tensor_split(): expected tensor_indices_or_sections on the cpu "
                               f"device, but it is on the {spec._device} device")
        if spec.dtype is not D.int64:
            raise RuntimeError(f"tensor_split expected tensor_indices_or_sections to have dtype "
                               f"of long, but got {spec.dtype}")
        if spec.ndim > 1:
            raise RuntimeError(f"tensor_split expected tensor_indices_or_sections to be a "
                               f"zero-dimensional or one-dimensional tensor, but got a tensor "
                               f"with {spec.ndim} dims")
        spec = spec.item() if spec.ndim == 0 else spec.tolist()
    if isinstance(spec, (list, tuple)):
        bounds = [0] + [_as_int(i, "tensor_split", "indices") for i in spec] + [None]
    else:
        sections = _as_int(spec, "tensor_split", "sections")
        if sections <= 0:
            raise RuntimeError(f"number of sections must be larger than 0, got {sections}")
        small, extra = divmod(size, sections)
        bounds = [0]
        for k in range(sections):
            bounds.append(bounds[-1] + small + (1 if k < extra else 0))
    # NOTE: each piece is its own slice (torch's SliceBackward0): indices may go backwards,
    # so pieces can overlap, and each may be written in place.
    return tuple(_region_view(input, _dim_index(d, slice(a, b)), SliceBackward0)
                 for a, b in zip(bounds[:-1], bounds[1:]))


def _split_dir(op, input, spec, dim, min_dim):
    _check(input, op)
    nd = input._data.ndim
    if nd < min_dim:
        raise RuntimeError(f"torch.{op} requires a tensor with at least {min_dim} dimension, "
                           f"but got a tensor with {nd} dimensions!")
    if not isinstance(spec, (list, tuple, Tensor)):
        sections = _as_int(spec, op, "sections")
        size = input._data.shape[dim]
        if sections == 0 or size % sections:
            raise RuntimeError(f"torch.{op} attempted to split along dimension {dim}, but the "
                               f"size of the dimension {size} is not divisible by the split_size "
                               f"{sections}!")
    return tensor_split(input, spec, dim)


def hsplit(input, indices_or_sections):
    """tensor_split along dim 1 (dim 0 for 1-d tensors); sections must divide the size."""
    _check(input, "hsplit")
    dim = 0 if input._data.ndim == 1 else 1
    return _split_dir("hsplit", input, indices_or_sections, dim, 1)


def vsplit(input, indices_or_sections):
    """tensor_split along dim 0 of a tensor of at least 2 dims."""
    return _split_dir("vsplit", input, indices_or_sections, 0, 2)


def dsplit(input, indices_or_sections):
    """tensor_split along dim 2 of a tensor of at least 3 dims."""
    return _split_dir("dsplit", input, indices_or_sections, 2, 3)


def _diag_dims(ndim, dim1, dim2, op):
    d1 = _wrap_dim(dim1, ndim, op)
    d2 = _wrap_dim(dim2, ndim, op)
    if d1 == d2:
        raise RuntimeError(f"{op}(): diagonal dimensions cannot be identical {dim1}, {dim2}")
    return d1, d2


def _diagonal_array(arr, offset, d1, d2):
    # NumPy's diagonal is a read-only view; torch's is writable.
    out = np.diagonal(arr, offset, d1, d2)
    if arr.flags.writeable and not out.flags.writeable:
        out.flags.writeable = True
    return out


def diagonal(input, offset=0, dim1=0, dim2=1):
    """The diagonal of dims ``dim1``/``dim2`` as the last dim (a view); ``offset`` > 0 is
    above the main diagonal.

    >>> ember.arange(4.).view(2, 2).diagonal()   # [0, 3]
    """
    _check(input, "diagonal")
    d1, d2 = _diag_dims(input._data.ndim, dim1, dim2, "diagonal")
    offset = _as_int(offset, "diagonal", "offset")
    return _region_view(input, _Diag(offset, d1, d2), DiagonalBackward0)


# ----------------------------------------------------------------------------------
# cat / stack and friends
# ----------------------------------------------------------------------------------

def _tensor_list(tensors, op):
    if isinstance(tensors, Tensor) or not isinstance(tensors, (list, tuple)):
        raise TypeError(f"{op}(): argument 'tensors' (position 1) must be tuple of Tensors, not "
                        f"{type(tensors).__name__}")
    for i, x in enumerate(tensors):
        if not isinstance(x, Tensor):
            raise TypeError(f"{op}(): expected Tensor as element {i} in argument 0, but got "
                            f"{type(x).__name__}")
    return tensors


def _common_dtype(tensors):
    dtype = tensors[0].dtype
    for x in tensors[1:]:
        other = x.dtype
        if other is not dtype:
            dtype = D.promote_types(dtype, other)
    return dtype


class CatBackward0(Node):
    def backward(self, grad):
        grads = []
        offset = 0
        for size in self.sizes:
            if size is None:   # a skipped 1-d empty input
                grads.append(U.wrap(np.zeros((0,), dtype=grad._data.dtype), grad._device))
                continue
            grads.append(narrow(grad, self.dim, offset, size))
            offset += size
        return tuple(grads)


def cat(tensors, dim=0, *, out=None):
    """Join tensors along an existing dim, promoting dtypes.

    NOTE: as torch's legacy rule, 1-d empty tensors (shape (0,)) are skipped whatever the
    other shapes are (they still take part in dtype promotion).

    >>> ember.cat([ember.zeros(2, 3), ember.ones(1, 3)]).shape
    torch.Size([3, 3])
    """
    if not isinstance(tensors, (list, tuple)) or not tensors:
        _tensor_list(tensors, "cat")
        raise ValueError("cat(): expected a non-empty list of Tensors")
    first = tensors[0]
    if not isinstance(first, Tensor):
        _tensor_list(tensors, "cat")
    np_dtype = first._data.dtype
    dev = first._device
    arrays = []
    skipped = False
    grad = False
    for x in tensors:
        try:
            arr = x._data
        except AttributeError:
            _tensor_list(tensors, "cat")
        if arr.dtype != np_dtype or x._device is not dev:
            return _cat_slow(tensors, dim, out)
        grad = grad or x._rg
        if arr.shape == (0,):
            skipped = True
            continue
        arrays.append(arr)
    if not arrays:
        return _cat_slow(tensors, dim, out)
    ref = arrays[0]
    d = _wrap_dim(dim, ref.ndim if ref.ndim else 1, "cat")
    try:
        arr = np.concatenate(arrays, axis=d)
    except (ValueError, np.exceptions.AxisError):
        return _cat_slow(tensors, dim, out)
    return _cat_finish(tensors, U.wrap(arr, dev), d, grad and GRAD.enabled and
                       _FROM_NP[np_dtype].category >= D.FLOAT, out, skipped)


def _cat_finish(tensors, res, d, record_grad, out, skipped):
    if record_grad:
        node = record(CatBackward0, res, tensors)
        node.dim = d
        node.sizes = [None if x._data.shape == (0,) else x._data.shape[d] for x in tensors] \
            if skipped else [x._data.shape[d] for x in tensors]
    if out is not None:
        return U.write_out(out, res, "cat")
    return res


def _cat_slow(tensors, dim, out):
    """cat with dtype promotion, devices and torch's error messages."""
    _tensor_list(tensors, "cat")
    dev = U.common_device("cat", tensors)
    dtype = _common_dtype(tensors)
    kept = []
    ref = None
    for i, x in enumerate(tensors):
        shape = x._data.shape
        if len(shape) == 0:
            raise RuntimeError(f"cat(): zero-dimensional tensor (at position {i}) cannot be "
                               "concatenated")
        if shape == (0,):
            continue
        if ref is None:
            ref = shape
        kept.append(x)
    record_grad = (GRAD.enabled and dtype.category >= D.FLOAT
                   and builtins.any(x._rg for x in tensors))
    if ref is None:
        return _cat_finish(tensors, U.wrap(np.zeros((0,), dtype=dtype.np), dev), 0,
                           record_grad, out, True)
    d = _wrap_dim(dim, len(ref), "cat")
    for i, x in enumerate(tensors):
        shape = x._data.shape
        if shape == (0,):
            continue
        if len(shape) != len(ref):
            raise RuntimeError(f"cat(): Tensors must have same number of dimensions: got "
                               f"{len(ref)} and {len(shape)}")
        for k, (a, b) in enumerate(zip(ref, shape)):
            if a != b and k != d:
                raise RuntimeError(
                    f"cat(): Sizes of tensors must match except in dimension {d}. Expected "
                    f"size {a} but got size {b} for tensor number {i} in the list.")
    arrays = [x._data for x in kept]
    if len(arrays) == 1:
        arr = np.array(arrays[0], dtype=dtype.np, copy=True)
    else:
        arr = np.concatenate(arrays, axis=d, dtype=dtype.np, casting="unsafe")
    return _cat_finish(tensors, U.wrap(arr, dev), d, record_grad, out, True)


def concat(tensors, dim=0, *, out=None):
    """Alias of ``cat``."""
    return cat(tensors, dim, out=out)


def concatenate(tensors, axis=0, out=None):
    """Alias of ``cat`` (NumPy's name, with ``axis``)."""
    return cat(tensors, axis, out=out)


class StackBackward0(Node):
    def backward(self, grad):
        return unbind(grad, self.dim)


def stack(tensors, dim=0, *, out=None):
    """Join equally-shaped tensors along a new dim.

    >>> ember.stack([ember.zeros(3), ember.ones(3)], dim=1).shape
    torch.Size([3, 2])
    """
    _tensor_list(tensors, "stack")
    if not tensors:
        raise RuntimeError("stack expects a non-empty TensorList")
    first = tensors[0]
    shape = first._data.shape
    dev = first._device
    np_dtype = first._data.dtype
    same = True
    for i, x in enumerate(tensors):
        arr = x._data
        if arr.shape != shape:
            raise RuntimeError(f"stack expects each tensor to be equal size, but got "
                               f"{list(shape)} at entry 0 and {list(x.shape)} at entry {i}")
        if arr.dtype != np_dtype or x._device is not dev:
            same = False
    if not same:
        dev = U.common_device("stack", tensors)
        np_dtype = _common_dtype(tensors).np
    d = _wrap_dim(dim, len(shape) + 1, "stack")
    # one allocation and a copy per input: faster than np.stack for small inputs
    result = np.empty(shape[:d] + (len(tensors),) + shape[d:], dtype=np_dtype)
    lead = (_ALL,) * d
    for i, x in enumerate(tensors):
        result[lead + (i, Ellipsis)] = x._data
    res = U.wrap(result, dev)
    if (GRAD.enabled and _FROM_NP[np_dtype].category >= D.FLOAT
            and builtins.any(x._rg for x in tensors)):
        record(StackBackward0, res, tensors).dim = d
    if out is not None:
        return U.write_out(out, res, "stack")
    return res


def _atleast(tensors, ndim, op):
    single = len(tensors) == 1 and isinstance(tensors[0], Tensor)
    if len(tensors) == 1 and isinstance(tensors[0], (list, tuple)):
        tensors = tensors[0]
    _tensor_list(tensors, op)
    out = tuple(_atleast_one(x, ndim) for x in tensors)
    return out[0] if single else out


def _atleast_one(x, ndim):
    nd = x._data.ndim
    if nd >= ndim:
        return x
    if nd == 0:
        return reshape(x, (1,) * ndim)
    if ndim == 2:      # (n,) -> (1, n)
        return unsqueeze(x, 0)
    if nd == 1:        # (n,) -> (1, n, 1)
        return unsqueeze(unsqueeze(x, 0), 2)
    return unsqueeze(x, 2)   # (m, n) -> (m, n, 1)


def atleast_1d(*tensors):
    """Each tensor with at least 1 dim (0-d -> (1,)); one tensor in, one out, else a tuple."""
    return _atleast(tensors, 1, "atleast_1d")


def atleast_2d(*tensors):
    """Each tensor with at least 2 dims ((n,) -> (1, n))."""
    return _atleast(tensors, 2, "atleast_2d")


def atleast_3d(*tensors):
    """Each tensor with at least 3 dims ((n,) -> (1, n, 1), (m, n) -> (m, n, 1))."""
    return _atleast(tensors, 3, "atleast_3d")


def hstack(tensors, *, out=None):
    """Concatenate along dim 1 (dim 0 when the first tensor is 1-d or 0-d)."""
    tensors = atleast_1d(_tensor_list(tensors, "hstack"))
    if not tensors:
        raise RuntimeError("hstack expects a non-empty TensorList")
    return cat(tensors, 0 if tensors[0]._data.ndim == 1 else 1, out=out)


def vstack(tensors, *, out=None):
    """Concatenate along dim 0 after making every tensor at least 2-d."""
    tensors = atleast_2d(_tensor_list(tensors, "vstack"))
    if not tensors:
        raise RuntimeError("vstack expects a non-empty TensorList")
    return cat(tensors, 0, out=out)


row_stack = vstack


def dstack(tensors, *, out=None):
    """Concatenate along dim 2 after making every tensor at least 3-d."""
    tensors = atleast_3d(_tensor_list(tensors, "dstack"))
    if not tensors:
        raise RuntimeError("dstack expects a non-empty TensorList")
    return cat(tensors, 2, out=out)


def column_stack(tensors, *, out=None):
    """Stack as columns: 0-d and 1-d tensors become (n, 1) columns, then cat along dim 1."""
    _tensor_list(tensors, "column_stack")
    if not tensors:
        raise RuntimeError("column_stack expects a non-empty TensorList")
    cols = tuple(reshape(x, (x._data.size, 1)) if x._data.ndim <= 1 else x for x in tensors)
    return cat(cols, 1, out=out)


# ----------------------------------------------------------------------------------
# repeat / tile / repeat_interleave
# ----------------------------------------------------------------------------------

class RepeatBackward0(Node):
    def backward(self, grad):
        reps, padded = self.repeats, self.padded
        inter = []
        for r, s in zip(reps, padded):
            inter += [r, s]
        axes = tuple(range(0, 2 * len(reps), 2))
        from .reduction import sum as _sum
        g = _sum(reshape(grad, inter), dim=axes) if axes else grad
        return (reshape(g, self.in_shape),)


def repeat(input, *sizes, repeats=None):
    """Tile the tensor ``sizes[i]`` times along each dim (extra leading sizes add dims).

    >>> ember.tensor([1, 2]).repeat(2, 2).shape
    torch.Size([2, 4])
    """
    _check(input, "repeat")
    arr = input._data
    sizes = _shape_args(sizes, repeats, "repeat")
    if len(sizes) < arr.ndim:
        raise RuntimeError("repeat(): Number of dimensions of repeat dims can not be smaller "
                           "than number of dimensions of tensor")
    padded = (1,) * (len(sizes) - arr.ndim) + arr.shape
    if builtins.any(r < 0 for r in sizes):
        shape = [r * s for r, s in zip(sizes, padded)]
        bad = next(s for s in shape if s < 0) if builtins.any(s < 0 for s in shape) else sizes[0]
        raise RuntimeError(f"repeat(): Trying to create tensor with negative dimension {bad}: "
                           f"{shape}")
    res = U.wrap(np.tile(arr, sizes) if sizes else arr.copy(), input._device)
    if GRAD.enabled and input._rg:
        node = record(RepeatBackward0, res, (input,))
        node.repeats, node.padded, node.in_shape = sizes, padded, arr.shape
    return res


def tile(input, *dims_args, dims=None):
    """Repeat like ``repeat``, padding ``dims`` with leading 1s when it is shorter."""
    _check(input, "tile")
    dims = _shape_args(dims_args, dims, "tile")
    nd = input._data.ndim
    if len(dims) < nd:
        dims = (1,) * (nd - len(dims)) + dims
    return repeat(input, dims)


class RepeatInterleaveBackward0(Node):
    def backward(self, grad):
        shape = list(grad._data.shape)
        d = self.dim
        shape[d:d + 1] = [self.size, self.repeats]
        from .reduction import sum as _sum
        return (_sum(reshape(grad, shape), dim=d + 1),)


class IndexSelectBackward0(Node):
    def backward(self, grad):
        return (_segment_sum(grad, self.repeats, self.dim),)


class SegmentSumBackward(Node):
    def backward(self, grad):
        return (_repeat_tensor(grad, self.repeats, self.dim),)


def _repeat_tensor(input, repeats, d):
    """np.repeat along ``d`` with per-element counts (int64 array), differentiable."""
    res = U.wrap(np.repeat(input._data, repeats, axis=d), input._device)
    if GRAD.enabled and input._rg:
        node = record(IndexSelectBackward0, res, (input,))
        node.repeats, node.dim = repeats, d
    return res


def _segment_sum(grad, repeats, d):
    """Sums of consecutive runs of ``repeats[i]`` slices along ``d`` (repeat's adjoint)."""
    arr = grad._data
    shape = list(arr.shape)
    shape[d] = len(repeats)
    acc = np.float32 if arr.dtype in (np.float16, D.bfloat16.np) else arr.dtype
    out = np.zeros(shape, dtype=acc)
    nonzero = np.flatnonzero(repeats)
    if arr.size and nonzero.size:
        starts = np.concatenate(([0], np.cumsum(repeats)[:-1]))[nonzero]
        idx = (_ALL,) * d + (nonzero, Ellipsis)
        out[idx] = np.add.reduceat(arr, starts, axis=d, dtype=acc)
    res = U.wrap(out.astype(arr.dtype, copy=False), grad._device)
    if GRAD.enabled and grad._rg:
        node = record(SegmentSumBackward, res, (grad,))
        node.repeats, node.dim = repeats, d
    return res


def repeat_interleave(input, repeats=None, dim=None, *, output_size=None):
    """Repeat each element (or each slice along ``dim``) ``repeats`` times; ``repeats`` is an
    int or a 1-d int tensor of per-element counts.  Without ``dim`` the input is flattened.
    ``repeat_interleave(counts)`` alone gives ``arange(len(counts))`` repeated.

    >>> ember.repeat_interleave(ember.tensor([1, 2]), 2)   # [1, 1, 2, 2]
    """
    _check(input, "repeat_interleave")
    if repeats is None:
        return _repeat_indices(input, output_size)
    per_element = None
    if isinstance(repeats, Tensor):
        U.common_device("repeat_interleave", (input, repeats))
        if repeats.dtype.category != D.INT:
            raise NotImplementedError(f"repeat_interleave(): repeats must be an integer tensor, "
                                      f"got {repeats.dtype}")
        if repeats.ndim > 1:
            raise RuntimeError("repeat_interleave(): repeats must be 0-dim or 1-dim tensor")
        if repeats._data.size == 1:
            repeats = int(repeats._data.reshape(()))
        else:
            per_element = repeats._data.astype(np.int64)
    else:
        repeats = _as_int(repeats, "repeat_interleave", "repeats")
    if dim is None:
        input = flatten(input)
        d = 0
    else:
        d = _wrap_dim(dim, input._data.ndim, "repeat_interleave")
        if input._data.ndim == 0:
            input = reshape(input, (1,))
    size = input._data.shape[d]
    if per_element is not None:
        if per_element.shape[0] != size:
            raise RuntimeError(f"repeat_interleave(): repeats must have the same size as input "
                               f"along dim, but got repeats.size(0) = {per_element.shape[0]} "
                               f"and input.size({d}) = {size}")
        if (per_element < 0).any():
            raise RuntimeError("repeat_interleave(): repeats can not be negative")
        total = int(per_element.sum())
    else:
        if repeats < 0:
            raise RuntimeError("repeat_interleave(): Repeats must be non-negative")
        total = size * repeats
    if output_size is not None and output_size != total:
        raise RuntimeError(f"repeat_interleave(): Invalid output_size, expected {total} but got "
                           f"{output_size}")
    if per_element is not None:
        return _repeat_tensor(input, per_element, d)
    res = U.wrap(np.repeat(input._data, repeats, axis=d), input._device)
    if GRAD.enabled and input._rg:
        node = record(RepeatInterleaveBackward0, res, (input,))
        node.dim, node.size, node.repeats = d, size, repeats
    return res


def _repeat_indices(counts, output_size):
    arr = counts._data
    if counts.dtype.category != D.INT:
        raise NotImplementedError(f"repeat_interleave(): repeats must be an integer tensor, got "
                                  f"{counts.dtype}")
    if arr.ndim != 1:
        raise RuntimeError("repeat_interleave(): repeats must be 1-d")
    if (arr < 0).any():
        raise RuntimeError("repeat_interleave(): repeats can not be negative")
    out = np.repeat(np.arange(arr.shape[0], dtype=arr.dtype), arr)
    if output_size is not None and output_size != out.shape[0]:
        raise RuntimeError(f"repeat_interleave(): Invalid output_size, expected {out.shape[0]} "
                           f"but got {output_size}")
    return U.wrap(out, counts._device)


# ----------------------------------------------------------------------------------
# flip / roll / rot90 / tril / triu / diag / diag_embed
# ----------------------------------------------------------------------------------

class FlipBackward0(Node):
    def backward(self, grad):
        return (flip(grad, self.dims),)


def _flip_array(arr, dims):
    # a copy in C order: NumPy's flip is a negative-stride view, which torch never has
    # (always a copy: a flipped size-1 dim counts as contiguous but keeps its negative stride)
    return np.flip(arr, dims).copy() if dims else arr.copy()


def flip(input, *dims_args, dims=None):
    """Reverse the order of elements along ``dims`` (a copy: torch has no negative strides).

    >>> ember.tensor([1, 2, 3]).flip(0)   # [3, 2, 1]
    """
    _check(input, "flip")
    arr = input._data
    dims = _dims(_shape_args(dims_args, dims, "flip"), arr.ndim, "flip")
    if arr.ndim == 0:
        dims = ()
    res = U.wrap(_flip_array(arr, dims), input._device)
    if GRAD.enabled and input._rg:
        record(FlipBackward0, res, (input,)).dims = dims
    return res


def fliplr(input):
    """Flip dim 1 (left/right) of a tensor with at least 2 dims."""
    _check(input, "fliplr")
    if input._data.ndim < 2:
        raise RuntimeError("fliplr(): Input must be >= 2-d.")
    return flip(input, (1,))


def flipud(input):
    """Flip dim 0 (up/down) of a tensor with at least 1 dim."""
    _check(input, "flipud")
    if input._data.ndim < 1:
        raise RuntimeError("flipud(): Input must be >= 1-d.")
    return flip(input, (0,))


class RollBackward0(Node):
    def backward(self, grad):
        return (roll(grad, tuple(-s for s in self.shifts), self.dims),)


def roll(input, shifts, dims=None):
    """Rotate elements along ``dims`` by ``shifts`` (both ints or tuples; without dims the
    flattened tensor rolls and keeps its shape).

    >>> ember.tensor([1, 2, 3]).roll(1)   # [3, 1, 2]
    """
    _check(input, "roll")
    arr = input._data
    shifts = _int_tuple(shifts, "roll", "shifts")
    dims_t = () if dims is None else _int_tuple(dims, "roll", "dims")
    if not dims_t:
        if len(shifts) != 1:
            raise RuntimeError(f"roll(): shifts and dimensions must align. shifts: "
                               f"{len(shifts)}, dims:0")
        out = np.roll(arr.reshape(-1), shifts[0]).reshape(arr.shape)
        dims = None
    else:
        if len(shifts) != len(dims_t):
            raise RuntimeError(f"roll(): shifts and dimensions must align. shifts: "
                               f"{len(shifts)}, dims:{len(dims_t)}")
        _need_dims(arr, "roll")
        dims = tuple(_wrap_dim(d, arr.ndim, "roll") for d in dims_t)
        out = np.roll(arr, shifts, axis=dims)
    res = U.wrap(_c_array(out), input._device)
    if GRAD.enabled and input._rg:
        node = record(RollBackward0, res, (input,))
        node.shifts, node.dims = shifts, dims
    return res


class Rot90Backward0(Node):
    def backward(self, grad):
        return (rot90(grad, -self.k, self.dims),)


def rot90(input, k=1, dims=(0, 1)):
    """Rotate by 90 degrees ``k`` times in the plane of ``dims``, from the first dim
    towards the second (a copy).

    >>> ember.tensor([[1, 2], [3, 4]]).rot90()   # [[2, 4], [1, 3]]
    """
    _check(input, "rot90")
    arr = input._data
    dims = _int_tuple(dims, "rot90", "dims")
    k = _as_int(k, "rot90", "k")
    if len(dims) != 2:
        raise RuntimeError(f"rot90(): expected total rotation dims == 2, but got dims = "
                           f"{len(dims)}")
    if arr.ndim < 2:
        raise RuntimeError(f"rot90(): expected total dims >= 2, but got total dims = {arr.ndim}")
    d0, d1 = (_wrap_dim(d, arr.ndim, "rot90") for d in dims)
    if d0 == d1:
        raise RuntimeError(f"rot90(): expected rotation dims to be different, but got dim0 = "
                           f"{d0} and dim1 = {d1}")
    turns = k % 4
    # NOTE: like torch, odd turns flip one dim (a copy) then transpose, so the result is
    # a transposed (non-contiguous) layout of fresh memory.
    if turns == 1:
        out = _flip_array(arr, (d1,)).swapaxes(d0, d1)
    elif turns == 2:
        out = _flip_array(arr, (d0, d1))
    elif turns == 3:
        out = _flip_array(arr, (d0,)).swapaxes(d0, d1)
    else:
        out = np.array(arr, copy=True, order="K")
    res = U.wrap(out, input._device)
    if GRAD.enabled and input._rg:
        node = record(Rot90Backward0, res, (input,))
        node.k, node.dims = k, (d0, d1)
    return res


class TrilBackward0(Node):
    def backward(self, grad):
        return (tril(grad, self.diagonal),)


class TriuBackward0(Node):
    def backward(self, grad):
        return (triu(grad, self.diagonal),)


def _triangle(op, np_fn, node_cls, input, diagonal, out):
    _check(input, op)
    arr = input._data
    if arr.ndim < 2:
        raise RuntimeError(f"{op}: input tensor must have at least 2 dimensions")
    diagonal = _as_int(diagonal, op, "diagonal")
    res = U.wrap(np_fn(arr, diagonal), input._device)
    if GRAD.enabled and input._rg:
        record(node_cls, res, (input,)).diagonal = diagonal
    if out is not None:
        return U.write_out(out, res, op)
    return res


def tril(input, diagonal=0, *, out=None):
    """Lower triangle of the last two dims (elements above ``diagonal`` become 0).

    >>> ember.ones(2, 2).tril()   # [[1, 0], [1, 1]]
    """
    return _triangle("tril", np.tril, TrilBackward0, input, diagonal, out)


def triu(input, diagonal=0, *, out=None):
    """Upper triangle of the last two dims (elements below ``diagonal`` become 0)."""
    return _triangle("triu", np.triu, TriuBackward0, input, diagonal, out)


class DiagEmbedBackward0(Node):
    def backward(self, grad):
        return (diagonal(grad, self.offset, self.dim1, self.dim2),)


def diag_embed(input, offset=0, dim1=-2, dim2=-1):
    """A tensor whose diagonals (of dims ``dim1``/``dim2``) are the last dim of ``input``,
    zeros elsewhere.

    >>> ember.diag_embed(ember.ones(2, 3)).shape
    torch.Size([2, 3, 3])
    """
    _check(input, "diag_embed")
    arr = input._data
    nd = arr.ndim + 1
    d1, d2 = _diag_dims(nd, dim1, dim2, "diag_embed")
    offset = _as_int(offset, "diag_embed", "offset")
    n = arr.shape[-1] + builtins.abs(offset)
    others = iter(arr.shape[:-1])
    shape = tuple(n if i in (d1, d2) else next(others) for i in range(nd))
    out = np.zeros(shape, dtype=arr.dtype)
    if input._device is not META:
        _diagonal_array(out, offset, d1, d2)[...] = arr
    res = U.wrap(out, input._device)
    if GRAD.enabled and input._rg:
        node = record(DiagEmbedBackward0, res, (input,))
        node.offset, node.dim1, node.dim2 = offset, d1, d2
    return res


class DiagBackward0(Node):
    def backward(self, grad):
        return (_scatter(None, grad, self.region, DiagonalScatterBackward0, self.in_shape),)


def diag(input, diagonal=0, *, out=None):
    """1-d input: a square matrix with it on diagonal ``diagonal``; 2-d input: that
    diagonal as a new 1-d tensor.

    >>> ember.diag(ember.tensor([1, 2])).tolist()
    [[1, 0], [0, 2]]
    """
    _check(input, "diag")
    arr = input._data
    diagonal = _as_int(diagonal, "diag", "diagonal")
    if arr.ndim == 1:
        res = diag_embed(input, diagonal, 0, 1)
    elif arr.ndim == 2:
        region = _Diag(diagonal, 0, 1)
        res = U.wrap(np.array(_region_array(arr, region), copy=True), input._device)
        if GRAD.enabled and input._rg:
            node = record(DiagBackward0, res, (input,))
            node.region, node.in_shape = region, arr.shape
    else:
        raise RuntimeError(f"diag(): Supports 1D or 2D tensors. Got {arr.ndim}D")
    if out is not None:
        return U.write_out(out, res, "diag")
    return res


# ----------------------------------------------------------------------------------
# clone / contiguous
# ----------------------------------------------------------------------------------

class CloneBackward0(Node):
    def backward(self, grad):
        return (grad,)


def _clone_array(arr, memory_format):
    if 0 in arr.strides or getattr(memory_format, "name", None) == "contiguous_format":
        return np.array(arr, copy=True, order="C")
    # NOTE: torch's preserve_format keeps the input's dim order (a transposed input
    # clones to a transposed layout); NumPy's order="K" does the same.
    return np.array(arr, copy=True, order="K")


def clone(input, *, memory_format=None):
    """A copy with its own memory, keeping the dim order of the input's layout; differentiable.

    >>> y = x.clone()
    """
    _check(input, "clone")
    res = U.wrap(_clone_array(input._data, memory_format), input._device)
    if GRAD.enabled and input._rg:
        record(CloneBackward0, res, (input,))
    return res


def contiguous(input, memory_format=None):
    """The tensor itself when C-contiguous, otherwise a C-contiguous copy (differentiable)."""
    _check(input, "contiguous")
    if input._device is META or input._data.flags.c_contiguous:
        return input
    res = U.wrap(_c_array(input._data), input._device)
    if GRAD.enabled and input._rg:
        record(CloneBackward0, res, (input,))
    return res


# ----------------------------------------------------------------------------------
# indexing: basic indices (ints, slices, None, Ellipsis) give views
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
                kind is Tensor and item._data.ndim == 0 and item.dtype.category == D.INT):
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


class IndexBackward0(Node):
    def backward(self, grad):
        return (index_scatter_zeros(grad, self.in_shape, self.index),)


class IndexScatterZerosBackward(Node):
    def backward(self, grad):
        return (getitem(grad, self.index),)


def index_scatter_zeros(grad, shape, index):
    """zeros(shape) with ``grad`` added at an advanced ``index`` (repeats accumulate)."""
    out = np.zeros(shape, dtype=grad._data.dtype)
    np.add.at(out, _to_numpy_index(index), grad._data)
    res = U.wrap(out, grad._device)
    if GRAD.enabled and grad._rg:
        record(IndexScatterZerosBackward, res, (grad,)).index = index
    return res


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


def _check_advanced(index):
    items = index if isinstance(index, tuple) else (index,)
    for it in items:
        if isinstance(it, Tensor) and it.dtype.category not in (D.INT, D.BOOL):
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
        _check(input, "__getitem__", "self")
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
        res = make_view(input, arr[basic])
        if GRAD.enabled and input._rg:
            node = record(SliceBackward0, res, (input,))
            node.region, node.in_shape = basic, arr.shape
        return res
    _check_advanced(index)
    np_index = _to_numpy_index(index)
    try:
        out = arr[np_index]
    except IndexError as e:
        raise IndexError(f"index: {e} (indexing a tensor of shape {list(arr.shape)})") from None
    res = U.wrap(_c_array(out), input._device)
    if GRAD.enabled and input._rg:
        node = record(IndexBackward0, res, (input,))
        node.in_shape, node.index = arr.shape, index
    return res


def setitem(input, index, value):
    """``input[index] = value`` in place; autograd flows to input and value (CopySlices).

    >>> x[0, 1:] = 5.0
    """
    arr = input._data
    basic = _basic_index(index, arr.shape)
    if basic is None:
        _check_advanced(index)
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
            value = U.wrap(_value_array(value, arr.dtype), input._device)
    if GRAD.enabled and (input._rg or value._rg):
        copy_(getitem(input, basic), value)
    else:
        _write_no_grad(input, arr[basic], value._data, "copy_")


def _is_scalar(value):
    return isinstance(value, (int, float, bool, np.generic))


def _value_array(value, np_dtype):
    try:
        return np.asarray(value, dtype=np_dtype)
    except (TypeError, ValueError):
        raise TypeError(f"can't assign a {type(value).__name__} to a tensor of dtype "
                        f"{_FROM_NP[np_dtype]}") from None


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
    try:
        out[_to_numpy_index(index)] = v
    except (IndexError, ValueError) as e:
        raise IndexError(f"index_put_(): {e} (tensor of shape {list(input.shape)})") from None
    res = U.wrap(out, input._device)
    if GRAD.enabled and (input._rg or getattr(value, "_rg", False)):
        node = record(IndexPutBackward0, res, (input, value if isinstance(value, Tensor) else None))
        node.in_shape, node.index = input._data.shape, index
    return res


# ----------------------------------------------------------------------------------
# copy_ / zero_ / fill_
# ----------------------------------------------------------------------------------

class CopyBackwards(Node):
    def backward(self, grad):
        nf = self.next_functions
        g_self = zeros_like_grad(grad) if nf[0][0] is not None else None
        return g_self, grad


def zeros_like_grad(grad):
    return U.wrap(np.zeros_like(grad._data), grad._device)


def _copy_compute(self, src):
    s = src._data
    shape = self._data.shape
    if s.shape != shape and not _broadcasts_to(s.shape, shape):
        raise RuntimeError(f"copy_(): The size of tensor a ({list(shape)}) must match the size "
                           f"of tensor b ({list(s.shape)})")
    arr = np.empty(shape, dtype=self._data.dtype)
    np.copyto(arr, s, casting="unsafe")
    res = U.wrap(arr, self._device)
    if GRAD.enabled and (self._rg or src._rg):
        record(CopyBackwards, res, (self, src))
    return res


def _write_no_grad(self, region, src_arr, op):
    """Write ``src_arr`` (broadcast, cast) into ``region`` (self's memory) and bump its version."""
    if src_arr.shape != region.shape and not _broadcasts_to(src_arr.shape, region.shape):
        raise RuntimeError(f"{op}(): The size of tensor a ({list(region.shape)}) must match "
                           f"the size of tensor b ({list(src_arr.shape)})")
    if self._device is not META:
        if not region.flags.writeable:
            raise RuntimeError(f"{op}(): unsupported operation: more than one element of the "
                               "written-to tensor refers to a single memory location. Please "
                               "clone() the tensor before performing the operation.")
        if src_arr.ndim == 0 and src_arr.dtype == region.dtype:
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
    if not data.flags.writeable and self._device is not META:
        # NOTE: torch fills an expanded view (all aliases of an element get the same
        # value); NumPy marks broadcast arrays read-only, so write through an alias.
        alias = _writable_alias(data)
        if alias is not None:
            data = alias
    return _write_no_grad(self, data, src_arr, "fill_")


def _writable_alias(arr):
    """A writable array over the same memory as ``arr`` (e.g. an expanded view), or None."""
    root = _storage_root(arr)
    flat = _storage_flat(root) if root.flags.writeable else None
    if flat is None:
        return None
    return np.ndarray(arr.shape, dtype=arr.dtype, buffer=flat, offset=_ptr(arr) - _ptr(flat),
                      strides=arr.strides)


# ----------------------------------------------------------------------------------
# in-place view ops: change self's shape/strides (t_, transpose_, squeeze_, unsqueeze_)
# ----------------------------------------------------------------------------------

def _split_method(self, split_size, dim=0):
    return split(self, split_size, dim)


_split_method.__name__ = "split"
_split_method.__doc__ = split.__doc__


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
    "unbind": unbind, "split": _split_method, "chunk": chunk, "tensor_split": tensor_split,
    "hsplit": hsplit, "vsplit": vsplit, "dsplit": dsplit, "diagonal": diagonal,
    "select_scatter": select_scatter, "slice_scatter": slice_scatter,
    "diagonal_scatter": diagonal_scatter, "repeat": repeat, "tile": tile,
    "repeat_interleave": repeat_interleave, "flip": flip, "fliplr": fliplr, "flipud": flipud,
    "roll": roll, "rot90": rot90, "tril": tril, "triu": triu, "diag": diag,
    "diag_embed": diag_embed, "clone": clone, "contiguous": contiguous,
    "__getitem__": getitem, "__setitem__": setitem, "copy_": copy_, "zero_": zero_,
    "fill_": fill_,
    "t_": _inplace_view(t, "t_"), "transpose_": _inplace_view(transpose, "transpose_"),
    "swapaxes_": _inplace_view(transpose, "swapaxes_"),
    "swapdims_": _inplace_view(transpose, "swapdims_"),
    "squeeze_": _inplace_view(squeeze, "squeeze_"),
    "unsqueeze_": _inplace_view(unsqueeze, "unsqueeze_"),
    "as_strided_": _inplace_view(as_strided, "as_strided_"),
    "tril_": make_inplace(tril, "tril_"), "triu_": make_inplace(triu, "triu_"),
}
for _name, _fn in METHODS.items():
    setattr(Tensor, _name, _fn)
Tensor.T = property(_T)
Tensor.mT = property(_mT)
Tensor.H = property(_H)
Tensor.mH = property(_mH)

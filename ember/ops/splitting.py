"""Splitting a tensor into views along a dim: unbind, split, chunk, tensor_split and
hsplit/vsplit/dsplit.  Their gradients join the pieces' gradients again (join.py).

>>> a, b = ember.arange(4.).split(2)      # views of the input's memory
"""

__all__ = ["chunk", "dsplit", "hsplit", "split", "split_with_sizes", "tensor_split", "unbind",
           "unsafe_chunk", "unsafe_split", "vsplit"]

import builtins

import numpy as np

from .. import _dtype as D
from .._tensor import Tensor, _wrap_dim
from ..autograd.graph import Node
from ._shape_args import as_int, int_tuple, need_dims
from ._util import GRAD, check_tensor
from ._view import ALL, SliceBackward0, dim_index, make_view, record_multi, region_view


class UnbindBackward0(Node):
    _multi_view = True

    def backward(self, *grads):
        from .join import stack
        return (stack(grads, self.dim),)


def unbind(input, dim=0):
    """All slices along ``dim`` as a tuple of views.

    >>> [r.shape for r in ember.zeros(2, 3).unbind()]
    [torch.Size([3]), torch.Size([3])]
    """
    check_tensor(input, "unbind")
    arr = input._data
    need_dims(arr, "unbind")
    d = _wrap_dim(dim, arr.ndim, "unbind")
    moved = np.moveaxis(arr, d, 0) if d else arr
    outs = tuple(make_view(input, moved[i, ...]) for i in range(arr.shape[d]))
    if GRAD.enabled and input._rg and outs:
        record_multi(UnbindBackward0, outs, input).dim = d
    return outs


class SplitBackward0(Node):
    _multi_view = True

    def backward(self, *grads):
        from .join import cat
        return (cat(grads, self.dim),)


class SplitWithSizesBackward0(SplitBackward0):
    pass


def _split_views(input, d, sizes, node_cls):
    arr = input._data
    outs = []
    start = 0
    lead = (ALL,) * d    # dim_index(d, ...), built once for all the pieces
    for n in sizes:
        outs.append(make_view(input, arr[lead + (slice(start, start + n), Ellipsis)]))
        start += n
    outs = tuple(outs)
    if GRAD.enabled and input._rg:
        record_multi(node_cls, outs, input).dim = d
    return outs


def split(tensor, split_size_or_sections, dim=0):
    """Views of pieces along ``dim``: of ``split_size`` each (the last may be smaller), or of
    the sizes in a list.

    >>> [p.shape[0] for p in ember.zeros(5).split(2)]
    [2, 2, 1]
    """
    check_tensor(tensor, "split", "tensor")
    arr = tensor._data
    need_dims(arr, "split")
    d = _wrap_dim(dim, arr.ndim, "split")
    size = arr.shape[d]
    if isinstance(split_size_or_sections, (list, tuple)):
        sizes = int_tuple(split_size_or_sections, "split", "split_size")
        if builtins.any(s < 0 for s in sizes):
            raise RuntimeError(f"split_with_sizes expects split_sizes have only non-negative "
                               f"entries, but got split_sizes={list(sizes)}")
        if builtins.sum(sizes) != size:
            raise RuntimeError(
                f"split_with_sizes expects split_sizes to sum exactly to {size} (input tensor's "
                f"size at dimension {d}), but got split_sizes={list(sizes)}")
        return _split_views(tensor, d, sizes, SplitWithSizesBackward0)
    step = as_int(split_size_or_sections, "split", "split_size")
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


def split_with_sizes(input, split_sizes, dim=0):
    """Views of pieces of the given sizes along ``dim`` (they must sum to its size)."""
    check_tensor(input, "split_with_sizes")
    if not isinstance(split_sizes, (list, tuple)):
        raise TypeError(f"split_with_sizes(): argument 'split_sizes' must be a tuple of ints, "
                        f"not {type(split_sizes).__name__}")
    return split(input, list(split_sizes), dim)


def unsafe_split(tensor, split_size_or_sections, dim=0):
    """``split`` whose pieces are not views in torch's autograd sense; here the same views.
    Unlike ``split`` it takes only an int size."""
    if isinstance(split_size_or_sections, (list, tuple)):
        raise TypeError(f"unsafe_split(): argument 'split_size' (position 2) must be int, not "
                        f"{type(split_size_or_sections).__name__}")
    return split(tensor, split_size_or_sections, dim)


def unsafe_chunk(input, chunks, dim=0):
    return chunk(input, chunks, dim)


def chunk(input, chunks, dim=0):
    """Split into ``chunks`` views of equal size along ``dim`` (the last may be smaller, and
    there may be fewer), as torch.

    >>> [c.shape[0] for c in ember.zeros(5).chunk(3)]
    [2, 2, 1]
    """
    check_tensor(input, "chunk")
    chunks = as_int(chunks, "chunk", "chunks")
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
    check_tensor(input, "tensor_split")
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
            # NOTE: torch wants the split points on the cpu even for a cuda input (they
            # are read on the host), so a cuda index tensor is refused there too.
            raise RuntimeError(f"tensor_split expected tensor_indices_or_sections to be on "
                               f"cpu, but it's on the {spec._device} device")
        if spec.dtype is not D.int64:
            raise RuntimeError(f"tensor_split expected tensor_indices_or_sections to have dtype "
                               f"of long, but got {spec.dtype}")
        if spec.ndim > 1:
            raise RuntimeError(f"tensor_split expected tensor_indices_or_sections to be a "
                               f"zero-dimensional or one-dimensional tensor, but got a tensor "
                               f"with {spec.ndim} dims")
        spec = spec.item() if spec.ndim == 0 else spec.tolist()
    if isinstance(spec, (list, tuple)):
        bounds = [0] + [as_int(i, "tensor_split", "indices") for i in spec] + [None]
    else:
        sections = as_int(spec, "tensor_split", "sections")
        if sections <= 0:
            raise RuntimeError(f"number of sections must be larger than 0, got {sections}")
        small, extra = divmod(size, sections)
        bounds = [0]
        for k in range(sections):
            bounds.append(bounds[-1] + small + (1 if k < extra else 0))
    # NOTE: each piece is its own slice (torch's SliceBackward0): indices may go backwards,
    # so pieces can overlap, and each may be written in place.
    return tuple(region_view(input, dim_index(d, slice(a, b)), SliceBackward0)
                 for a, b in zip(bounds[:-1], bounds[1:]))


def _split_dir(op, input, spec, dim, min_dim):
    check_tensor(input, op)
    nd = input._data.ndim
    if nd < min_dim:
        raise RuntimeError(f"torch.{op} requires a tensor with at least {min_dim} dimension, "
                           f"but got a tensor with {nd} dimensions!")
    if not isinstance(spec, (list, tuple, Tensor)):
        sections = as_int(spec, op, "sections")
        size = input._data.shape[dim]
        if sections == 0 or size % sections:
            raise RuntimeError(f"torch.{op} attempted to split along dimension {dim}, but the "
                               f"size of the dimension {size} is not divisible by the split_size "
                               f"{sections}!")
    return tensor_split(input, spec, dim)


def hsplit(input, indices_or_sections):
    """tensor_split along dim 1 (dim 0 for 1-d tensors); sections must divide the size."""
    check_tensor(input, "hsplit")
    dim = 0 if input._data.ndim == 1 else 1
    return _split_dir("hsplit", input, indices_or_sections, dim, 1)


def vsplit(input, indices_or_sections):
    """tensor_split along dim 0 of a tensor of at least 2 dims."""
    return _split_dir("vsplit", input, indices_or_sections, 0, 2)


def dsplit(input, indices_or_sections):
    """tensor_split along dim 2 of a tensor of at least 3 dims."""
    return _split_dir("dsplit", input, indices_or_sections, 2, 3)


def _split_method(self, split_size, dim=0):
    return split(self, split_size, dim)


_split_method.__name__ = "split"
_split_method.__doc__ = split.__doc__


METHODS = {
    "unbind": unbind, "split": _split_method, "chunk": chunk, "tensor_split": tensor_split,
    "hsplit": hsplit, "vsplit": vsplit, "dsplit": dsplit, "split_with_sizes": split_with_sizes,
    "unsafe_split": unsafe_split, "unsafe_chunk": unsafe_chunk,
}
for _name, _fn in METHODS.items():
    setattr(Tensor, _name, _fn)

"""Joining tensors: cat (concat, concatenate), stack, hstack/vstack/dstack,
column_stack and atleast_1d/2d/3d.  Inputs are promoted to a common dtype; the result
is a new tensor.  Their gradients split the result's gradient again (views of it).

>>> ember.cat([ember.zeros(2), ember.ones(3)]).shape
torch.Size([5])
"""

__all__ = [
    "atleast_1d", "atleast_2d", "atleast_3d", "cat", "column_stack", "concat", "concatenate",
    "dstack", "hstack", "row_stack", "stack", "vstack",
]

import builtins

import numpy as np

from .. import _dtype as D
from .._device import move_array, xp_for, xp_of
from .._tensor import Tensor, _wrap_dim
from ..autograd.graph import Node
from . import _util as U
from ._shape_args import check_tensor_items
from ._util import GRAD, record
from ._view import ALL
from .shape import narrow, reshape, unsqueeze
from .splitting import unbind

_FROM_NP = D._FROM_NP


def _tensor_list(tensors, op):
    if isinstance(tensors, Tensor) or not isinstance(tensors, (list, tuple)):
        raise TypeError(f"{op}(): argument 'tensors' (position 1) must be tuple of Tensors, not "
                        f"{type(tensors).__name__}")
    check_tensor_items(tensors, op)
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
                g = grad._data
                grads.append(U.wrap(xp_of(g).zeros((0,), dtype=g.dtype), grad._device))
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
        return _cat_finish(tensors, U.wrap(xp_for(dev).zeros((0,), dtype=dtype.np), dev), 0,
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
    # (a 0-dim cpu tensor joining a cuda one is refused above: it cannot be concatenated)
    arrays = [x._data for x in kept]
    if len(arrays) == 1:
        arr = arrays[0].astype(dtype.np)   # a copy
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
    xp = np if dev.type != "cuda" else xp_for(dev)
    result = xp.empty(shape[:d] + (len(tensors),) + shape[d:], dtype=np_dtype)
    lead = (ALL,) * d
    for i, x in enumerate(tensors):
        # (0-dim cpu tensors may join a cuda stack, as in every op: copied over)
        result[lead + (i, Ellipsis)] = (x._data if x._device is dev
                                        else move_array(x._data, dev))
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

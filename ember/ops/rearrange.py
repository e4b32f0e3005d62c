"""Copies with elements repeated, moved or masked: repeat, tile, repeat_interleave,
flip/fliplr/flipud, roll, rot90, tril/triu, diag and diag_embed.

Unlike the views of shape.py these always return new memory (torch has no negative
strides, so even ``flip`` copies).

>>> ember.tensor([1, 2, 3]).flip(0)   # [3, 2, 1]
"""

__all__ = [
    "diag", "diag_embed", "flip", "fliplr", "flipud", "repeat_interleave", "roll", "rot90",
    "tile", "tril", "triu",
]

import builtins

import numpy as np

from .. import _dtype as D
from .._device import META, xp_of
from .._tensor import Tensor, _wrap_dim
from ..autograd.graph import Node
from . import _util as U
from ._inplace import make_inplace
from ._shape_args import as_int, diag_dims, int_tuple, need_dims, shape_from_args, wrap_dims
from ._util import GRAD, check_tensor, record
from ._view import (Diag, DiagonalScatterBackward0, c_array, diagonal_array, dim_index,
                    region_array, scatter_region)
from .shape import diagonal, flatten, reshape


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
    check_tensor(input, "repeat")
    arr = input._data
    sizes = shape_from_args(sizes, repeats, "repeat")
    if len(sizes) < arr.ndim:
        raise RuntimeError("repeat(): Number of dimensions of repeat dims can not be smaller "
                           "than number of dimensions of tensor")
    padded = (1,) * (len(sizes) - arr.ndim) + arr.shape
    if builtins.any(r < 0 for r in sizes):
        # NOTE: torch only refuses a negative *result* size: a negative repeat of a size-0
        # dim gives size 0
        shape = [r * s for r, s in zip(sizes, padded)]
        bad = [s for s in shape if s < 0]
        if bad:
            raise RuntimeError(f"repeat(): Trying to create tensor with negative dimension "
                               f"{bad[0]}: {shape}")
        sizes = tuple(builtins.max(r, 0) for r in sizes)
    res = U.wrap(np.tile(arr, sizes) if sizes else arr.copy(), input._device)
    if GRAD.enabled and input._rg:
        node = record(RepeatBackward0, res, (input,))
        node.repeats, node.padded, node.in_shape = sizes, padded, arr.shape
    return res


def tile(input, *dims_args, dims=None):
    """Repeat like ``repeat``, padding ``dims`` with leading 1s when it is shorter."""
    check_tensor(input, "tile")
    dims = shape_from_args(dims_args, dims, "tile")
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
        return (_repeat_tensor(grad, self.repeats, self.dim, self.total),)


def _repeat_array(arr, counts, d, total):
    """np.repeat of ``arr`` along ``d`` with per-element ``counts`` (an int64 array on
    ``arr``'s device) into ``total`` slices."""
    if type(arr) is np.ndarray:
        return np.repeat(arr, counts, axis=d)
    # NOTE: CuPy's repeat refuses a device array of counts; gathering at the run index
    # of each output position (searchsorted on the running total) stays on the device.
    xp = xp_of(arr)
    index = xp.searchsorted(xp.cumsum(counts), xp.arange(total), side="right")
    return xp.take(arr, index, axis=d)


def _repeat_tensor(input, repeats, d, total):
    """np.repeat along ``d`` with per-element counts (int64 array), differentiable."""
    res = U.wrap(_repeat_array(input._data, repeats, d, total), input._device)
    if GRAD.enabled and input._rg:
        node = record(IndexSelectBackward0, res, (input,))
        node.repeats, node.dim, node.total = repeats, d, total
    return res


def _segment_sum(grad, repeats, d):
    """Sums of consecutive runs of ``repeats[i]`` slices along ``d`` (repeat's adjoint)."""
    arr = grad._data
    shape = list(arr.shape)
    shape[d] = len(repeats)
    acc = np.float32 if arr.dtype in (np.float16, D.bfloat16.np) else arr.dtype
    if type(arr) is np.ndarray:
        out = np.zeros(shape, dtype=acc)
        nonzero = np.flatnonzero(repeats)
        if arr.size and nonzero.size:
            starts = np.concatenate(([0], np.cumsum(repeats)[:-1]))[nonzero]
            out[dim_index(d, nonzero)] = np.add.reduceat(arr, starts, axis=d, dtype=acc)
    else:
        # on the device: each slice added into its run's slot (CuPy's add.at, no
        # reduceat); the run of slice j is found as in _repeat_array
        xp = xp_of(arr)
        out = xp.zeros(shape, dtype=acc)
        if arr.size:
            runs = xp.searchsorted(xp.cumsum(repeats), xp.arange(arr.shape[d]), side="right")
            xp.add.at(out, dim_index(d, runs), arr.astype(acc, copy=False))
    res = U.wrap(out.astype(arr.dtype, copy=False), grad._device)
    if GRAD.enabled and grad._rg:
        node = record(SegmentSumBackward, res, (grad,))
        node.repeats, node.dim, node.total = repeats, d, arr.shape[d]
    return res


def repeat_interleave(input, repeats=None, dim=None, *, output_size=None):
    """Repeat each element (or each slice along ``dim``) ``repeats`` times; ``repeats`` is an
    int or a 1-d int tensor of per-element counts.  Without ``dim`` the input is flattened.
    ``repeat_interleave(counts)`` alone gives ``arange(len(counts))`` repeated.

    >>> ember.repeat_interleave(ember.tensor([1, 2]), 2)   # [1, 1, 2, 2]
    """
    check_tensor(input, "repeat_interleave")
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
        repeats = as_int(repeats, "repeat_interleave", "repeats")
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
        return _repeat_tensor(input, per_element, d, total)
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
    total = int(arr.sum())
    out = _repeat_array(xp_of(arr).arange(arr.shape[0], dtype=arr.dtype), arr, 0, total)
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
    check_tensor(input, "flip")
    arr = input._data
    dims = wrap_dims(shape_from_args(dims_args, dims, "flip"), arr.ndim, "flip")
    if arr.ndim == 0:
        dims = ()
    res = U.wrap(_flip_array(arr, dims), input._device)
    if GRAD.enabled and input._rg:
        record(FlipBackward0, res, (input,)).dims = dims
    return res


def _flip_dim(op, input, dim):
    """flip of dim ``dim``, which the input must have."""
    check_tensor(input, op)
    if input._data.ndim <= dim:
        raise RuntimeError(f"{op}(): Input must be >= {dim + 1}-d.")
    return flip(input, (dim,))


def fliplr(input):
    """Flip dim 1 (left/right) of a tensor with at least 2 dims."""
    return _flip_dim("fliplr", input, 1)


def flipud(input):
    """Flip dim 0 (up/down) of a tensor with at least 1 dim."""
    return _flip_dim("flipud", input, 0)


class RollBackward0(Node):
    def backward(self, grad):
        return (roll(grad, tuple(-s for s in self.shifts), self.dims),)


def roll(input, shifts, dims=None):
    """Rotate elements along ``dims`` by ``shifts`` (both ints or tuples; without dims the
    flattened tensor rolls and keeps its shape).

    >>> ember.tensor([1, 2, 3]).roll(1)   # [3, 1, 2]
    """
    check_tensor(input, "roll")
    arr = input._data
    shifts = int_tuple(shifts, "roll", "shifts")
    dims_t = () if dims is None else int_tuple(dims, "roll", "dims")
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
        need_dims(arr, "roll")
        dims = tuple(_wrap_dim(d, arr.ndim, "roll") for d in dims_t)
        out = np.roll(arr, shifts, axis=dims)
    res = U.wrap(c_array(out), input._device)
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
    check_tensor(input, "rot90")
    arr = input._data
    dims = int_tuple(dims, "rot90", "dims")
    k = as_int(k, "rot90", "k")
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
        out = arr.copy(order="K")
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
    check_tensor(input, op)
    arr = input._data
    if arr.ndim < 2:
        raise RuntimeError(f"{op}: input tensor must have at least 2 dimensions")
    diagonal = as_int(diagonal, op, "diagonal")
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
    check_tensor(input, "diag_embed")
    arr = input._data
    nd = arr.ndim + 1
    d1, d2 = diag_dims(nd, dim1, dim2, "diag_embed")
    offset = as_int(offset, "diag_embed", "offset")
    n = arr.shape[-1] + builtins.abs(offset)
    others = iter(arr.shape[:-1])
    shape = tuple(n if i in (d1, d2) else next(others) for i in range(nd))
    out = xp_of(arr).zeros(shape, dtype=arr.dtype)
    if input._device is not META:
        diagonal_array(out, offset, d1, d2)[...] = arr
    res = U.wrap(out, input._device)
    if GRAD.enabled and input._rg:
        node = record(DiagEmbedBackward0, res, (input,))
        node.offset, node.dim1, node.dim2 = offset, d1, d2
    return res


class DiagBackward0(Node):
    def backward(self, grad):
        return (scatter_region(None, grad, self.region, DiagonalScatterBackward0, self.in_shape),)


def diag(input, diagonal=0, *, out=None):
    """1-d input: a square matrix with it on diagonal ``diagonal``; 2-d input: that
    diagonal as a new 1-d tensor.

    >>> ember.diag(ember.tensor([1, 2])).tolist()
    [[1, 0], [0, 2]]
    """
    check_tensor(input, "diag")
    arr = input._data
    diagonal = as_int(diagonal, "diag", "diagonal")
    if arr.ndim == 1:
        res = diag_embed(input, diagonal, 0, 1)
    elif arr.ndim == 2:
        region = Diag(diagonal, 0, 1)
        res = U.wrap(region_array(arr, region).copy(), input._device)
        if GRAD.enabled and input._rg:
            node = record(DiagBackward0, res, (input,))
            node.region, node.in_shape = region, arr.shape
    else:
        raise RuntimeError(f"diag(): Supports 1D or 2D tensors. Got {arr.ndim}D")
    if out is not None:
        return U.write_out(out, res, "diag")
    return res


METHODS = {
    "repeat": repeat, "tile": tile, "repeat_interleave": repeat_interleave, "flip": flip,
    "fliplr": fliplr, "flipud": flipud, "roll": roll, "rot90": rot90, "tril": tril,
    "triu": triu, "diag": diag, "diag_embed": diag_embed,
    "tril_": make_inplace(tril, "tril_"), "triu_": make_inplace(triu, "triu_"),
}
for _name, _fn in METHODS.items():
    setattr(Tensor, _name, _fn)

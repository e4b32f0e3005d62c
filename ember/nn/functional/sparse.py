"""embedding, embedding_bag, one_hot.

``embedding`` is a primitive: forward is a row gather (``np.take``), backward a
segment sum of the output gradient into the rows of the weight.  The segment sum
sorts the indices once and adds each occurrence rank with one fancy-indexed add
(rows repeated many times are summed as contiguous slices), which measured faster
than ``np.add.at`` and never builds a one-hot matrix.  The gather and the segment
sum are each other's adjoints, so gradients of any order work.
"""

__all__ = ["embedding", "embedding_bag", "one_hot"]

import numpy as np

from ... import _dtype as D
from ..._device import xp_of
from ..._tensor import Tensor
from ...autograd.graph import Node
from ...ops import _util as U
from ...ops._util import GRAD, record

_FROM_NP = D._FROM_NP
_I64 = np.dtype(np.int64)
_INDEX_TYPES = (np.dtype(np.int64), np.dtype(np.int32))
_LIGHT_MAX = 8   # rows seen at most this often are added round by round


def _check_tensor(op, x, arg):
    if not isinstance(x, Tensor):
        raise TypeError(f"{op}(): argument '{arg}' must be Tensor, not {type(x).__name__}")


# ----------------------------------------------------------------------------------
# one_hot
# ----------------------------------------------------------------------------------

def one_hot(tensor, num_classes=-1):
    """int64 one-hot encoding with a new last dim of size ``num_classes`` (inferred as
    max + 1 when -1).

    >>> F.one_hot(ember.tensor([0, 2]))
    tensor([[1, 0, 0],
            [0, 0, 1]])
    """
    _check_tensor("one_hot", tensor, "input")
    arr = tensor._data
    if arr.dtype != _I64:
        raise RuntimeError("one_hot is only applicable to index tensor of type LongTensor.")
    meta = tensor._device is U.META
    if num_classes == -1:
        if arr.size == 0:
            raise RuntimeError("Can not infer total number of classes from empty tensor.")
        if meta:
            raise RuntimeError("one_hot: num_classes must be given for meta tensors")
        num_classes = int(arr.max()) + 1
    if not meta and arr.size:
        if arr.min() < 0:
            raise RuntimeError("Class values must be non-negative.")
        if arr.max() >= num_classes:
            raise RuntimeError("Class values must be smaller than num_classes.")
    if num_classes < 0:
        raise RuntimeError("one_hot: num_classes should be -1 or non-negative")
    out = xp_of(arr).zeros(arr.shape + (num_classes,), dtype=_I64)
    if arr.size and not meta:
        np.put_along_axis(out, arr[..., None], 1, axis=-1)
    return U.wrap(out, tensor._device)


# ----------------------------------------------------------------------------------
# row gather / segment sum primitives
# ----------------------------------------------------------------------------------

def _segment_sum_rows(index, rows, num_rows):
    """out[index[i]] += rows[i] for a 1-D int ``index`` and 2-D ``rows`` (duplicates sum)."""
    xp = xp_of(rows)
    out = xp.zeros((num_rows, rows.shape[1]), dtype=rows.dtype)
    n = index.shape[0]
    if n == 0:
        return out
    if xp is not np:
        # NOTE: on a GPU one atomic scatter-add is the fast path (the host strategy below
        # would sync on every round)
        np.add.at(out, index, rows)
        return out
    order = np.argsort(index, kind="stable")
    keys = index[order]
    breaks = np.empty(n, dtype=bool)
    breaks[0] = True
    np.not_equal(keys[1:], keys[:-1], out=breaks[1:])
    starts = np.flatnonzero(breaks)
    lengths = np.diff(np.append(starts, n))
    if lengths.max() == 1:
        out[index] = rows
        return out
    sorted_rows = rows[order]
    rank = np.arange(n) - np.repeat(starts, lengths)
    light = np.repeat(lengths <= _LIGHT_MAX, lengths)
    for k in range(min(_LIGHT_MAX, int(lengths.max()))):
        sel = np.flatnonzero((rank == k) & light)
        if sel.size:
            out[keys[sel]] += sorted_rows[sel]
    heavy = lengths > _LIGHT_MAX
    for start, length in zip(starts[heavy].tolist(), lengths[heavy].tolist()):
        out[keys[start]] = sorted_rows[start:start + length].sum(axis=0)
    return out


class EmbeddingBackward0(Node):
    """Gradient of a row gather: the output gradient summed into the gathered rows,
    each occurrence scaled by ``row_scale`` (padding mask, 1/frequency)."""

    def backward(self, grad):
        return (_scatter_rows(grad, self.index, self.row_scale, self.num_rows),)


class EmbeddingDenseBackward0(Node):
    def backward(self, grad):
        return (_gather_rows(grad, self.index, self.row_scale, self.row_scale),)


def _gather_rows(weight, index, forward_scale, backward_scale):
    """weight[index] (times forward_scale per index), with a backward that scales by
    backward_scale.  ``index`` is an int64 array of any shape."""
    flat = index.reshape(-1)
    rows = np.take(weight._data, flat, axis=0)
    if forward_scale is not None:
        rows = rows * forward_scale.reshape(-1, 1).astype(rows.dtype)
    res = U.wrap(rows.reshape(index.shape + weight._data.shape[1:]), weight._device)
    if GRAD.enabled and weight._rg:
        node = record(EmbeddingBackward0, res, (weight,))
        node.index, node.row_scale, node.num_rows = flat, backward_scale, weight._data.shape[0]
    return res


def _scatter_rows(grad, index, row_scale, num_rows):
    """Sum the rows of ``grad`` (shape index.shape + (D,)) into ``num_rows`` rows."""
    g = grad._data
    dim = g.shape[-1]
    rows = g.reshape(-1, dim)
    if row_scale is not None:
        rows = rows * row_scale.reshape(-1, 1).astype(rows.dtype)
    if grad._device is U.META:
        out = np.zeros((num_rows, dim), dtype=g.dtype)
    else:
        out = _segment_sum_rows(index, rows, num_rows)
    res = U.wrap(out, grad._device)
    if GRAD.enabled and grad._rg:
        node = record(EmbeddingDenseBackward0, res, (grad,))
        node.index, node.row_scale = index.reshape(grad._data.shape[:-1]), row_scale
    return res


# ----------------------------------------------------------------------------------
# embedding
# ----------------------------------------------------------------------------------

def _index_array(op, input, num_rows):
    arr = input._data
    if arr.dtype not in _INDEX_TYPES:
        raise RuntimeError(f"{op}: Expected tensor for argument #1 'indices' to have one of the "
                           f"following scalar types: Long, Int; but got {input.dtype} instead")
    arr = arr.astype(_I64, copy=False)
    if input._device is not U.META and arr.size and (arr.min() < 0 or arr.max() >= num_rows):
        raise IndexError(f"{op}: index out of range in self (indices must be in [0, "
                         f"{num_rows}), weight has {num_rows} rows)")
    return arr


def _padding_index(padding_idx, num_rows):
    if padding_idx is None:
        return None
    if padding_idx >= 0:
        if padding_idx >= num_rows:
            raise AssertionError("Padding_idx must be within num_embeddings")
        return padding_idx
    if padding_idx < -num_rows:
        raise AssertionError("Padding_idx must be within num_embeddings")
    return num_rows + padding_idx


def _renorm_rows(weight, index, max_norm, norm_type):
    """torch's embedding_renorm_: rows of ``weight`` used by ``index`` whose norm exceeds
    ``max_norm`` are scaled down in place (no autograd)."""
    if weight._device is U.META or index.size == 0:
        return
    arr = weight._data
    rows = np.unique(index)
    picked = arr[rows].astype(np.float64 if arr.dtype == np.float64 else np.float32)
    if norm_type == float("inf"):
        norms = np.abs(picked).max(axis=1)
    elif norm_type == 0:
        norms = (picked != 0).sum(axis=1).astype(picked.dtype)
    else:
        norms = (np.abs(picked) ** norm_type).sum(axis=1) ** (1.0 / norm_type)
    over = norms > max_norm
    if over.any():
        scale = max_norm / (norms[over] + 1e-7)
        arr[rows[over]] = (picked[over] * scale[:, None]).astype(arr.dtype)
        weight._bump_version()


def embedding(input, weight, padding_idx=None, max_norm=None, norm_type=2.0,
              scale_grad_by_freq=False, sparse=False):
    """Rows of ``weight`` picked by the integer ``input``; output shape input.shape + (D,).

    >>> F.embedding(ember.tensor([2, 0]), ember.tensor([[0.0, 1.0], [2.0, 3.0], [4.0, 5.0]]))
    tensor([[4., 5.],
            [0., 1.]])
    """
    op = "embedding"
    _check_tensor(op, input, "input")
    _check_tensor(op, weight, "weight")
    U.common_device(op, (input, weight))
    if weight._data.ndim != 2:
        raise RuntimeError(f"{op}: 'weight' must be 2-D, got shape {list(weight.shape)}")
    if sparse:
        raise NotImplementedError("embedding: sparse=True (sparse gradients) is not supported "
                                  "by ember; use sparse=False")
    num_rows = weight._data.shape[0]
    padding_idx = _padding_index(padding_idx, num_rows)
    index = _index_array(op, input, num_rows)
    if max_norm is not None:
        _renorm_rows(weight, index, float(max_norm), float(norm_type))
    scale = None
    if GRAD.enabled and weight._rg:
        scale = _backward_scale(index.reshape(-1), padding_idx, scale_grad_by_freq, num_rows)
    return _gather_rows(weight, index, None, scale)


def _backward_scale(flat, padding_idx, scale_grad_by_freq, num_rows):
    """Per-occurrence gradient scale: 0 at padding_idx, 1/count with scale_grad_by_freq."""
    scale = None
    if scale_grad_by_freq and flat.size:
        counts = np.bincount(flat, minlength=num_rows)
        scale = 1.0 / counts[flat]
    if padding_idx is not None:
        keep = (flat != padding_idx).astype(np.float64)
        scale = keep if scale is None else scale * keep
    return scale


# ----------------------------------------------------------------------------------
# embedding_bag
# ----------------------------------------------------------------------------------

def _bags(op, input, offsets, include_last_offset):
    """(flat indices, bag id of each index, number of bags) for 1-D or 2-D input."""
    arr = input._data
    if arr.ndim == 2:
        if offsets is not None:
            raise ValueError("if input is 2D, then offsets has to be None, as input is treated is "
                             "a mini-batch of fixed length sequences. However, found offsets of "
                             f"type {type(offsets)}")
        n_bags, length = arr.shape
        xp = xp_of(arr)
        return arr.reshape(-1), xp.repeat(xp.arange(n_bags), length), n_bags
    if arr.ndim != 1:
        raise ValueError(f"input has to be 1D or 2D Tensor, but got Tensor of dimension "
                         f"{arr.ndim}")
    if offsets is None:
        raise ValueError("offsets has to be a 1D Tensor but got None")
    _check_tensor(op, offsets, "offsets")
    if offsets._data.ndim != 1:
        raise ValueError("offsets has to be a 1D Tensor")
    off = offsets._data.astype(_I64)
    if off.size and off[0] != 0 and offsets._device is not U.META:
        raise RuntimeError(f"offsets[0] has to be 0, i.e., the first sequence in the mini-batch "
                           f"has to start from position 0. However, got {int(off[0])}")
    n = arr.shape[0]
    starts = off[:-1] if include_last_offset else off
    n_bags = starts.shape[0]
    if offsets._device is U.META:
        return arr, np.zeros(n, _I64), n_bags
    if n_bags and (np.any(np.diff(off) < 0) or off[-1] > n):
        raise RuntimeError(f"{op}: offsets must be non-decreasing and at most the input length "
                           f"{n}, got {off.tolist()}")
    pos = xp_of(off).arange(n)
    bag_of = np.searchsorted(starts, pos, side="right") - 1
    if include_last_offset and off.size:
        bag_of = np.where(pos < off[-1], bag_of, -1)
    return arr, bag_of, n_bags


def embedding_bag(input, weight, offsets=None, max_norm=None, norm_type=2,
                  scale_grad_by_freq=False, mode="mean", sparse=False, per_sample_weights=None,
                  include_last_offset=False, padding_idx=None):
    """Sums, means or maxima of bags of embeddings, without materialising the embeddings of
    each bag.

    >>> w = ember.tensor([[1.0, 0.0], [0.0, 1.0], [2.0, 2.0]])
    >>> F.embedding_bag(ember.tensor([0, 1, 2]), w, ember.tensor([0, 2]), mode="sum")
    tensor([[1., 1.],
            [2., 2.]])
    """
    op = "embedding_bag"
    _check_tensor(op, input, "input")
    _check_tensor(op, weight, "weight")
    U.common_device(op, [t for t in (input, weight, offsets, per_sample_weights)
                         if isinstance(t, Tensor)])
    if weight._data.ndim != 2:
        raise ValueError(f"weight has to be a 2D Tensor, but got Tensor of dimension "
                         f"{weight._data.ndim}")
    if mode not in ("sum", "mean", "max"):
        raise ValueError(f"mode has to be one of sum, mean or max, got {mode!r}")
    if sparse:
        raise NotImplementedError("embedding_bag: sparse=True is not supported by ember")
    if per_sample_weights is not None:
        if mode != "sum":
            raise NotImplementedError(
                f"embedding_bag: per_sample_weights was not None. per_sample_weights is only "
                f"supported for mode='sum' (got mode='{mode}'). Please open a feature request "
                "on the PyTorch issue tracker.")
        if per_sample_weights._data.shape != input._data.shape:
            raise ValueError(f"embedding_bag: per_sample_weights has shape "
                             f"{list(per_sample_weights.shape)}, expected the input's shape "
                             f"{list(input.shape)}")
    num_rows, dim = weight._data.shape
    padding_idx = _padding_index(padding_idx, num_rows)
    index = _index_array(op, input, num_rows)
    flat, bag_of, n_bags = _bags(op, U.wrap(index, input._device), offsets, include_last_offset)
    flat = flat.reshape(-1)
    if max_norm is not None:
        _renorm_rows(weight, flat, float(max_norm), float(norm_type))
    keep = bag_of >= 0
    if padding_idx is not None:
        keep &= flat != padding_idx
    sel = np.flatnonzero(keep)
    idx, bags = flat[sel], bag_of[sel]
    if mode == "max":
        return _bag_max(weight, idx, bags, n_bags)
    scale = None
    if scale_grad_by_freq and idx.size:
        counts = np.bincount(idx, minlength=num_rows)
        scale = 1.0 / counts[idx]
    rows = _gather_rows(weight, idx, None, scale)
    if per_sample_weights is not None:
        psw = per_sample_weights.reshape(-1)[U.wrap(sel, weight._device)]
        rows = rows * psw.unsqueeze(-1)
    sums = _scatter_rows(rows, bags, None, n_bags)
    if mode == "mean":
        counts = np.bincount(bags, minlength=n_bags).astype(weight._data.dtype)
        counts[counts == 0] = 1
        sums = sums / U.wrap(counts.reshape(-1, 1), weight._device)
    return sums


def _bag_max(weight, idx, bags, n_bags):
    """Per-bag maximum of the rows; empty bags give zeros (as torch)."""
    num_rows, dim = weight._data.shape
    if weight._device is U.META:
        return U.wrap(np.zeros((n_bags, dim), weight._data.dtype), U.META)
    counts = np.bincount(bags, minlength=n_bags)
    longest = int(counts.max()) if counts.size else 0
    # Lay the bags out as (n_bags, longest) slots; empty slots point at a -inf row.
    order = np.argsort(bags, kind="stable")
    xp = xp_of(idx)
    starts = np.cumsum(counts) - counts
    slot = xp.arange(idx.size) - np.repeat(starts, counts.tolist() if xp is not np else counts)
    table = xp.full((n_bags, max(longest, 1)), num_rows, dtype=_I64)
    table[bags[order], slot] = idx[order]
    from ...ops.join import cat
    from ...ops.extrema import max as _max
    from ...ops.pointwise import where
    filler = U.wrap(xp.full((1, dim), -np.inf, dtype=weight._data.dtype), weight._device)
    padded = cat([weight, filler], 0)
    rows = _gather_rows(padded, table, None, None)
    values = _max(rows, 1).values
    empty = U.wrap((counts == 0).reshape(-1, 1), weight._device)
    return where(empty, U.wrap(weight._data.dtype.type(0), weight._device), values)

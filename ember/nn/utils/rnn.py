"""Variable-length sequences: PackedSequence and the pack/pad helpers (``torch.nn.utils.rnn``).

A packed batch stores only real steps: ``data`` holds, step after step, the rows of the
sequences still running at that step (sorted by decreasing length), and ``batch_sizes[t]``
says how many there are.  Every helper here is one gather (``index_select``) with indices
computed in NumPy, so gradients flow through packing and padding.
"""
from collections import namedtuple

import numpy as np

from ..._device import to_host
from ..._tensor import Tensor

__all__ = ["PackedSequence", "pack_padded_sequence", "pad_packed_sequence", "pack_sequence",
           "pad_sequence", "unpad_sequence", "unpack_sequence", "invert_permutation"]


def _tensor(values, device=None):
    """An int64 tensor of host ``values`` on ``device`` (cpu by default)."""
    from ...ops.creation import tensor
    from ... import int64
    return tensor(np.asarray(values, dtype=np.int64), dtype=int64, device=device)


def _host(t):
    """A tensor's values as a NumPy array (index bookkeeping is host work)."""
    return to_host(t._data)


def invert_permutation(permutation):
    """The inverse of a permutation tensor (None stays None).

    >>> invert_permutation(ember.tensor([2, 0, 1])).tolist()
    [1, 2, 0]
    """
    if permutation is None:
        return None
    perm = _host(permutation)
    inverse = np.empty_like(perm)
    inverse[perm] = np.arange(perm.shape[0], dtype=perm.dtype)
    return _tensor(inverse, permutation.device)


class PackedSequence(namedtuple("PackedSequence_", ["data", "batch_sizes", "sorted_indices",
                                                    "unsorted_indices"])):
    """Holds the data and the batch sizes of a packed batch of sequences.

    Build it with :func:`pack_padded_sequence` or :func:`pack_sequence`, not by hand.

    >>> p = pack_sequence([ember.ones(3, 2), ember.ones(1, 2)])
    >>> p.batch_sizes.tolist(), tuple(p.data.shape)
    ([2, 1, 1], (4, 2))
    """

    __slots__ = ()

    def __new__(cls, data, batch_sizes=None, sorted_indices=None, unsorted_indices=None):
        if unsorted_indices is None:
            unsorted_indices = invert_permutation(sorted_indices)
        if batch_sizes is None:
            # NOTE: torch accepts PackedSequence(data, batch_sizes) positionally only in
            # internal use; a bare (data, batch_sizes) tuple as first argument also works.
            if isinstance(data, (list, tuple)) and len(data) == 2:
                data, batch_sizes = data
            else:
                raise TypeError("PackedSequence(): batch_sizes is required")
        if not isinstance(batch_sizes, Tensor):
            batch_sizes = _tensor(batch_sizes)
        return super().__new__(cls, data, batch_sizes, sorted_indices, unsorted_indices)

    def _map_data(self, fn):
        return self._with_data(fn(self.data))

    def _with_data(self, data):
        # NOTE: as in torch, the permutations follow ``data`` to its device; batch_sizes
        # always stay on the CPU.
        dev = data.device
        sorted_indices, unsorted_indices = self.sorted_indices, self.unsorted_indices
        if sorted_indices is not None and sorted_indices.device != dev:
            sorted_indices = sorted_indices.to(dev)
            unsorted_indices = unsorted_indices.to(dev)
        return type(self)(data, self.batch_sizes, sorted_indices, unsorted_indices)

    def to(self, *args, **kwargs):
        """Move or cast ``data`` (the permutations follow it; batch_sizes stay on the CPU)."""
        data = self.data.to(*args, **kwargs)
        if data is self.data:
            return self
        return self._with_data(data)

    def cpu(self, *args, **kwargs):
        return self._map_data(lambda d: d.cpu(*args, **kwargs))

    def cuda(self, *args, **kwargs):
        return self._map_data(lambda d: d.cuda(*args, **kwargs))

    def double(self):
        return self._map_data(lambda d: d.double())

    def float(self):
        return self._map_data(lambda d: d.float())

    def half(self):
        return self._map_data(lambda d: d.half())

    def long(self):
        return self._map_data(lambda d: d.long())

    def int(self):
        return self._map_data(lambda d: d.int())

    def short(self):
        return self._map_data(lambda d: d.short())

    def char(self):
        return self._map_data(lambda d: d.char())

    def byte(self):
        return self._map_data(lambda d: d.byte())

    @property
    def is_cuda(self):
        return self.data.is_cuda

    def is_pinned(self):
        return False


def _lengths_array(lengths):
    if isinstance(lengths, Tensor):
        if lengths.ndim != 1:
            raise RuntimeError(f"pack_padded_sequence(): 'lengths' must be a 1D tensor, got "
                               f"{lengths.ndim}D")
        return _host(lengths).astype(np.int64)
    return np.asarray(list(lengths), dtype=np.int64).reshape(-1)


def _check_tensor(value, fn, name):
    if not isinstance(value, Tensor):
        raise TypeError(f"{fn}(): argument '{name}' must be Tensor, not {type(value).__name__}")


def pack_padded_sequence(input, lengths, batch_first=False, enforce_sorted=True):
    """Pack a padded batch (T, B, *) (or (B, T, *) with batch_first) of sequences.

    With ``enforce_sorted=False`` the sequences may come in any order: they are sorted by
    decreasing length and the permutation is stored in the result.

    >>> p = pack_padded_sequence(ember.ones(3, 2, 1), [3, 1])
    >>> p.batch_sizes.tolist()
    [2, 1, 1]
    """
    _check_tensor(input, "pack_padded_sequence", "input")
    lens = _lengths_array(lengths)
    batch = input.shape[0 if batch_first else 1] if input.ndim >= 2 else 0
    if lens.shape[0] != batch:
        raise RuntimeError(f"pack_padded_sequence(): expected 'lengths' to have {batch} "
                           f"entries (the batch size), got {lens.shape[0]}")
    if enforce_sorted:
        if lens.shape[0] > 1 and np.any(lens[:-1] < lens[1:]):
            raise RuntimeError(
                "`lengths` array must be sorted in decreasing order when `enforce_sorted` is "
                "True. You can pass `enforce_sorted=False` to pack_padded_sequence and/or "
                "pack_sequence to sidestep this requirement if you do not need ONNX "
                "exportability.")
        order = None
    else:
        # a stable descending sort: equal lengths keep their order (as torch on the CPU)
        order = np.argsort(-lens, kind="stable")
    if lens.shape[0] == 0 or lens.min() <= 0:
        raise RuntimeError("Length of all samples has to be greater than 0, but found an "
                           "element in 'lengths' that is <= 0")
    steps = input.shape[1 if batch_first else 0]
    if lens.max() > steps:
        raise RuntimeError(f"pack_padded_sequence(): a length ({int(lens.max())}) exceeds the "
                           f"number of steps of the input ({steps})")
    sorted_lens = lens if order is None else lens[order]
    source = np.arange(batch) if order is None else order
    # batch_sizes[t] = number of sequences longer than t
    batch_sizes = (sorted_lens[None, :] > np.arange(sorted_lens[0])[:, None]).sum(1)
    rows = []
    for t, bs in enumerate(batch_sizes):
        b = source[:bs]
        rows.append(b * steps + t if batch_first else t * batch + b)
    index = np.concatenate(rows) if rows else np.zeros(0, np.int64)
    flat = input.reshape((batch * steps,) + tuple(input.shape[2:]))
    data = flat.index_select(0, _tensor(index, flat.device))
    sorted_indices = None if order is None else _tensor(order, flat.device)
    return PackedSequence(data, _tensor(batch_sizes), sorted_indices, None)


def pad_packed_sequence(sequence, batch_first=False, padding_value=0.0, total_length=None):
    """Inverse of pack_padded_sequence: returns (padded, lengths) in the original order.

    >>> padded, lengths = pad_packed_sequence(pack_sequence([ember.ones(2), ember.ones(1)]))
    >>> tuple(padded.shape), lengths.tolist()
    ((2, 2), [2, 1])
    """
    from ...ops.creation import full
    from ...ops.shape import cat
    data = sequence.data
    batch_sizes = _host(sequence.batch_sizes).astype(np.int64)
    steps = batch_sizes.shape[0]
    batch = int(batch_sizes[0]) if steps else 0
    if total_length is not None:
        if total_length < steps:
            raise ValueError("Expected total_length to be at least the length of the longest "
                             f"sequence in input, but got total_length={total_length} and max "
                             f"sequence length being {steps}")
        steps_out = int(total_length)
    else:
        steps_out = steps
    offsets = np.concatenate([[0], np.cumsum(batch_sizes)]).astype(np.int64)
    # row of data for (t, sorted position s); the pad row (index N) elsewhere
    n_rows = int(offsets[-1])
    s = np.arange(batch)
    t = np.arange(steps_out)[:, None]
    tt = np.minimum(t, max(steps - 1, 0))
    valid = (t < steps) & (s[None, :] < batch_sizes[tt])
    index = np.where(valid, offsets[tt] + s[None, :], n_rows)          # (T, B), sorted order
    sorted_lens = (s[None, :] < batch_sizes[:, None]).sum(0)
    unsorted = sequence.unsorted_indices
    if unsorted is not None:
        perm = _host(unsorted)
        index = index[:, perm]
        lengths = sorted_lens[perm]
    else:
        lengths = sorted_lens
    if batch_first:
        index = index.T
    feature = tuple(data.shape[1:])
    pad_row = full((1,) + feature, padding_value, dtype=data.dtype, device=data.device)
    source = cat([data, pad_row])
    padded = source.index_select(0, _tensor(index.reshape(-1), source.device))
    padded = padded.reshape(index.shape + feature)
    return padded, _tensor(lengths)


def pad_sequence(sequences, batch_first=False, padding_value=0.0, padding_side="right"):
    """Stack tensors of shape (L_i, *) into (max L, B, *) (or (B, max L, *)), padding.

    >>> pad_sequence([ember.ones(3), ember.ones(1)], batch_first=True).tolist()
    [[1.0, 1.0, 1.0], [1.0, 0.0, 0.0]]
    """
    from ...ops.creation import full
    from ...ops.shape import cat
    if padding_side not in ("left", "right"):
        raise ValueError(f"Expected padding_side to be one of left or right, but got "
                         f"{padding_side}.")
    if isinstance(sequences, Tensor):
        sequences = list(sequences.unbind(0))
    sequences = list(sequences)
    if not sequences:
        raise RuntimeError("pad_sequence(): received an empty list of sequences")
    for k, seq in enumerate(sequences):
        _check_tensor(seq, "pad_sequence", f"sequences[{k}]")
    feature = tuple(sequences[0].shape[1:])
    lengths = np.array([seq.shape[0] if seq.ndim else 1 for seq in sequences], dtype=np.int64)
    for seq in sequences:
        if tuple(seq.shape[1:]) != feature:
            raise RuntimeError(f"pad_sequence(): the sequences must agree in all dims but the "
                               f"first, got {tuple(sequences[0].shape)} and {tuple(seq.shape)}")
    longest = int(lengths.max())
    starts = np.concatenate([[0], np.cumsum(lengths)[:-1]])
    total = int(lengths.sum())
    t = np.arange(longest)[None, :]                 # (1, T)
    if padding_side == "right":
        pos = t
    else:
        pos = t - (longest - lengths)[:, None]
    valid = (pos >= 0) & (pos < lengths[:, None])
    index = np.where(valid, starts[:, None] + pos, total)   # (B, T)
    if not batch_first:
        index = index.T
    first = sequences[0]
    pad_row = full((1,) + feature, padding_value, dtype=first.dtype, device=first.device)
    source = cat([seq.reshape((seq.shape[0] if seq.ndim else 1,) + feature)
                  for seq in sequences] + [pad_row.to(first.dtype)])
    out = source.index_select(0, _tensor(index.reshape(-1), source.device))
    return out.reshape(index.shape + feature)


def unpad_sequence(padded_sequences, lengths, batch_first=False):
    """Split a padded batch back into a list of tensors of their own lengths.

    >>> [t.tolist() for t in unpad_sequence(ember.ones(2, 2), ember.tensor([2, 1]))]
    [[1.0, 1.0], [1.0]]
    """
    if not batch_first:
        padded_sequences = padded_sequences.transpose(0, 1)
    lens = _lengths_array(lengths)
    return [seq[:int(n)] for seq, n in zip(padded_sequences.unbind(0), lens)]


def unpack_sequence(packed_sequences):
    """Split a PackedSequence into the list of its sequences (original order).

    >>> [t.shape[0] for t in unpack_sequence(pack_sequence([ember.ones(2), ember.ones(1)]))]
    [2, 1]
    """
    padded, lengths = pad_packed_sequence(packed_sequences, batch_first=True)
    return unpad_sequence(padded, lengths, batch_first=True)


def pack_sequence(sequences, enforce_sorted=True):
    """Pack a list of tensors (L_i, *) of different lengths.

    >>> pack_sequence([ember.ones(3), ember.ones(2)]).batch_sizes.tolist()
    [2, 2, 1]
    """
    lengths = [seq.shape[0] for seq in sequences]
    return pack_padded_sequence(pad_sequence(sequences), lengths, enforce_sorted=enforce_sorted)

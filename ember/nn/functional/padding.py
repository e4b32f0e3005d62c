"""pad: constant, reflect, replicate and circular padding of the last dims."""

__all__ = ["pad"]

import operator

import numpy as np

from ...ops import _util as U
from ...ops.pooling import _take_dim, constant_pad_nd

_MODES = ("constant", "reflect", "replicate", "circular")


def _reflect_index(size, lo, hi):
    i = np.arange(-lo, size + hi)
    i = np.abs(i)
    return np.where(i >= size, 2 * (size - 1) - i, i)


def _index(mode, size, lo, hi, dim, shape):
    if mode == "reflect":
        if lo >= size or hi >= size:
            raise RuntimeError(f"pad: Argument #4: Padding size should be less than the "
                               f"corresponding input dimension, but got: padding ({lo}, {hi}) at "
                               f"dimension {dim} of input {list(shape)}")
        return _reflect_index(size, lo, hi)
    if mode == "replicate":
        if size == 0:
            raise RuntimeError(f"pad: input tensor must not be empty for replicate padding "
                               f"(input {list(shape)})")
        return np.clip(np.arange(-lo, size + hi), 0, size - 1)
    # NOTE: torch crops negative circular padding first, then wraps around what is left.
    start = max(-lo, 0)
    kept = size - start - max(-hi, 0)
    lo, hi = max(lo, 0), max(hi, 0)
    if lo > kept or hi > kept or kept <= 0:
        raise RuntimeError(f"pad: Padding value causes wrapping around more than once "
                           f"(padding ({lo}, {hi}) at dimension {dim} of input {list(shape)})")
    return start + np.arange(-lo, kept + hi) % kept


def pad(input, pad, mode="constant", value=None):
    """Pad the last ``len(pad) // 2`` dims; ``pad`` = (left, right) of the last dim first.

    Negative amounts crop.  ``mode`` is 'constant' (with ``value``, default 0),
    'reflect', 'replicate' or 'circular'.

    >>> F.pad(ember.tensor([[1., 2., 3.]]), (1, 1), mode="reflect")
    tensor([[2., 1., 2., 3., 2.]])
    """
    U.check_tensor(input, "pad")
    if mode not in _MODES:
        raise NotImplementedError(f"pad: Unrecognised padding mode {mode}")
    if mode == "constant":
        return constant_pad_nd(input, pad, 0 if value is None else value)
    if value is not None and value != 0:
        raise RuntimeError(f'pad: Padding mode "{mode}" doesn\'t take in value argument')
    if input._data.dtype == np.bool_ and mode != "circular":
        # NOTE: torch's circular padding is made of copies; the other two are kernels
        # without a bool instance.
        raise NotImplementedError(f'pad: "{mode}_pad" not implemented for \'Bool\'')
    try:
        pad = [operator.index(p) for p in pad]
    except TypeError:
        raise TypeError("pad(): argument 'pad' must be tuple of ints") from None
    shape = input._data.shape
    nd = len(shape)
    k = len(pad) // 2
    if len(pad) % 2 or k > 3 or nd not in (k + 1, k + 2):
        raise NotImplementedError(
            f"pad: Padding size {len(pad)} is not supported for {nd}D input tensor.\n"
            "Supported combinations for non-constant padding:\n"
            "  - 2D or 3D input: padding size = 2 (pads last dimension)\n"
            "  - 3D or 4D input: padding size = 4 (pads last 2 dimensions)\n"
            "  - 4D or 5D input: padding size = 6 (pads last 3 dimensions)")
    # NOTE: torch's circular padding is made of slice copies (grad_fn CopySlices)
    name = {"reflect": f"ReflectionPad{k}DBackward0",
            "replicate": f"ReplicationPad{k}DBackward0"}.get(mode)
    out = input
    for i in range(k):
        dim = nd - 1 - i
        lo, hi = pad[2 * i], pad[2 * i + 1]
        if lo == 0 and hi == 0:
            continue
        idx = _index(mode, shape[dim], lo, hi, dim, shape)
        out = _take_dim(out, dim, idx, name)
    return out

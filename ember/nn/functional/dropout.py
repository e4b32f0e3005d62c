"""Dropout functions: dropout, dropout1d/2d/3d (whole channels), alpha_dropout and
feature_alpha_dropout (for SELU networks).

Masks come from the default generator of the input's device (``ember.manual_seed``),
drawn where the input lives (on the GPU for cuda inputs), so they never equal torch's;
their distribution and the scaling by 1/(1-p) do.
"""

__all__ = ["alpha_dropout", "dropout", "dropout1d", "dropout2d", "dropout3d",
           "feature_alpha_dropout"]

import math
import warnings

import numpy as np

from ... import _dtype as D
from ..._device import as_array
from ..._random import sampler
from ...autograd.graph import Node
from ...ops import _util as U
from ...ops._inplace import apply_inplace
from ...ops._util import GRAD, record

_F32 = np.dtype(np.float32)
_LOW = (np.dtype(np.float16), D.bfloat16.np)
# NOTE: torch's alpha dropout constant: -(SELU scale * SELU alpha), the negative saturation.
_ALPHA = 1.7580993408473766


def _check_p(p):
    if p < 0.0 or p > 1.0:
        raise ValueError(f"dropout probability has to be between 0 and 1, but got {p}")


def _keep_mask(op, input, p, shape):
    """1 where an element (or channel) is kept, drawn with probability 1 - p."""
    if input._device.type == "meta":
        return np.ones(shape, dtype=_F32)
    gen = sampler(None, input._device, op)
    return (gen.random(shape, dtype=np.float32) >= np.float32(p)).astype(_F32)


class NativeDropoutBackward0(Node):
    def backward(self, grad):
        return (grad * self.scale,)


class _AffineNoiseBackward(Node):
    def backward(self, grad):
        return (grad * self.scale,)


def _apply(op, input, scale, shift, inplace):
    """input * scale (+ shift), both constant arrays; recorded as one node."""
    def compute(x):
        arr = x._data
        work = arr.astype(_F32) if arr.dtype in _LOW else arr
        out = work * scale.astype(work.dtype, copy=False)
        if shift is not None:
            out = out + shift.astype(work.dtype, copy=False)
        res = U.wrap(as_array(out).astype(arr.dtype, copy=False), x._device)
        if GRAD.enabled and x._rg:
            node = record(NativeDropoutBackward0 if shift is None else _AffineNoiseBackward,
                          res, (x,))
            node.scale = U.wrap(scale.astype(arr.dtype), x._device)
        return res
    if inplace:
        return apply_inplace(input, op + "_", compute, (input,))
    return compute(input)


def _dropout(op, input, p, training, inplace, mask_shape, alpha):
    U.check_tensor(input, op)
    _check_p(p)
    if not input.is_floating_point() and (training and p > 0):
        raise RuntimeError(f"{op}: result type Float can't be cast to the desired output type "
                           f"{input.dtype}")
    if not training or p == 0 or input.numel() == 0:
        return input
    if p == 1:
        return _apply(op, input, _F32.type(0), None, inplace)   # a scalar: any device
    keep = _keep_mask(op, input, p, mask_shape)
    if not alpha:
        return _apply(op, input, keep * np.float32(1.0 / (1.0 - p)), None, inplace)
    a = 1.0 / math.sqrt((_ALPHA * _ALPHA * p + 1) * (1 - p))
    shift = (keep - 1) * np.float32(_ALPHA * a) + np.float32(_ALPHA * a * p)
    return _apply(op, input, keep * np.float32(a), shift, inplace)


def dropout(input, p=0.5, training=True, inplace=False):
    """Zero each element with probability ``p`` and scale the rest by 1/(1-p).

    >>> ember.manual_seed(0); F.dropout(ember.ones(4), 0.5).unique().tolist()
    [0.0, 2.0]
    """
    U.check_tensor(input, "dropout")
    return _dropout("dropout", input, p, training, inplace, input.shape, False)


def _feature_shape(op, input, batched_ndim, expected):
    """Mask shape for channel dropout: (N, C, 1, ...) or (C, 1, ...) unbatched."""
    nd = input.ndim
    if nd not in (batched_ndim - 1, batched_ndim):
        raise RuntimeError(f"{op}: Expected {expected} input, but received a {nd}D input "
                           f"(shape {list(input.shape)})")
    lead = 2 if nd == batched_ndim else 1
    return tuple(input.shape[:lead]) + (1,) * (nd - lead)


def dropout1d(input, p=0.5, training=True, inplace=False):
    """Zero whole channels of a (N, C, L) or (C, L) input with probability ``p``.

    >>> F.dropout1d(ember.ones(2, 3, 4), 0.5, training=False).shape
    ember.Size([2, 3, 4])
    """
    U.check_tensor(input, "dropout1d")
    _check_p(p)
    shape = _feature_shape("dropout1d", input, 3, "2D or 3D")
    return _dropout("dropout1d", input, p, training, inplace, shape, False)


def dropout2d(input, p=0.5, training=True, inplace=False):
    """Zero whole channels of a (N, C, H, W) or (C, H, W) input with probability ``p``.

    >>> F.dropout2d(ember.ones(2, 3, 4, 4), 0.5, training=False).shape
    ember.Size([2, 3, 4, 4])
    """
    U.check_tensor(input, "dropout2d")
    _check_p(p)
    nd = input.ndim
    if nd not in (3, 4):
        warnings.warn(f"dropout2d: Received a {nd}-D input to dropout2d, which is deprecated "
                      "and will result in an error in a future release. To retain the behavior "
                      "and silence this warning, please use dropout instead. Note that "
                      "dropout2d exists to provide channel-wise dropout on inputs with 2 "
                      "spatial dimensions, a channel dimension, and an optional batch dimension "
                      "(i.e. 3D or 4D inputs).", UserWarning, stacklevel=2)
    if nd == 3:
        # NOTE: torch reads a 3-d input as batched 1-d (N, C, L), not as unbatched (C, H, W).
        warnings.warn("dropout2d: Received a 3D input to dropout2d and assuming that "
                      "channel-wise 1D dropout behavior is desired - input is interpreted as "
                      "shape (N, C, L), where C is the channel dim. This behavior will change "
                      "in a future release to interpret the input as one without a batch "
                      "dimension, i.e. shape (C, H, W). To maintain the 1D channel-wise "
                      "dropout behavior, please switch to using dropout1d instead.",
                      UserWarning, stacklevel=2)
    lead = min(nd, 2)
    shape = tuple(input.shape[:lead]) + (1,) * (nd - lead)
    return _dropout("dropout2d", input, p, training, inplace, shape, False)


def dropout3d(input, p=0.5, training=True, inplace=False):
    """Zero whole channels of a (N, C, D, H, W) or (C, D, H, W) input with probability ``p``.

    >>> F.dropout3d(ember.ones(1, 2, 2, 2, 2), 0.5, training=False).shape
    ember.Size([1, 2, 2, 2, 2])
    """
    U.check_tensor(input, "dropout3d")
    _check_p(p)
    nd = input.ndim
    if nd not in (4, 5):
        warnings.warn(f"dropout3d: Received a {nd}-D input to dropout3d, which is deprecated "
                      "and will result in an error in a future release. To retain the behavior "
                      "and silence this warning, please use dropout instead. Note that "
                      "dropout3d exists to provide channel-wise dropout on inputs with 3 "
                      "spatial dimensions, a channel dimension, and an optional batch dimension "
                      "(i.e. 4D or 5D inputs).", UserWarning, stacklevel=2)
    lead = 1 if nd == 4 else min(nd, 2)
    shape = tuple(input.shape[:lead]) + (1,) * (nd - lead)
    return _dropout("dropout3d", input, p, training, inplace, shape, False)


def alpha_dropout(input, p=0.5, training=False, inplace=False):
    """Dropout that keeps a SELU network's mean 0 and variance 1: dropped elements take the
    negative saturation value, then everything is rescaled.

    >>> F.alpha_dropout(ember.ones(3), 0.5).tolist()
    [1.0, 1.0, 1.0]
    """
    U.check_tensor(input, "alpha_dropout")
    return _dropout("alpha_dropout", input, p, training, inplace, input.shape, True)


def feature_alpha_dropout(input, p=0.5, training=False, inplace=False):
    """:func:`alpha_dropout` over whole channels (dims from 2 on share one draw).

    >>> F.feature_alpha_dropout(ember.ones(2, 3, 4), 0.5).shape
    ember.Size([2, 3, 4])
    """
    U.check_tensor(input, "feature_alpha_dropout")
    nd = input.ndim
    if nd < 2 and training and 0 < p:
        raise RuntimeError(f"feature_alpha_dropout: Feature dropout requires at least 2 "
                           f"dimensions in the input (got shape {list(input.shape)})")
    shape = tuple(input.shape[:2]) + (1,) * builtin_max(nd - 2, 0)
    return _dropout("feature_alpha_dropout", input, p, training, inplace, shape, True)


builtin_max = max

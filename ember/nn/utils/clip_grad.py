"""clip_grad_norm_, clip_grad_value_, get_total_norm, clip_grads_with_norm_.

The norms are computed straight on the gradients' arrays (these run every training step),
accumulating 16-bit gradients in float32 as torch does; the result is a 0-dim tensor of the
gradients' (promoted) dtype.
"""
import math

import numpy as np

from ... import _dtype as D
from ..._device import as_array, move_array, to_host, xp_for
from ..._tensor import Tensor, _wrap
from ...autograd import grad_mode

__all__ = ["clip_grad_norm_", "clip_grad_norm", "clip_grad_value_", "get_total_norm",
           "clip_grads_with_norm_"]

_GRAD = grad_mode.STATE
_LOW = (np.dtype(np.float16), D.bfloat16.np)


def _as_list(tensors):
    if isinstance(tensors, Tensor):
        return [tensors]
    return list(tensors)


def _array_norm(arr, p):
    """The p-norm of all elements of ``arr`` (computed in float32 for 16-bit arrays)."""
    if arr.dtype in _LOW:
        arr = arr.astype(np.float32)
    if arr.size == 0:
        if p in (math.inf, -math.inf):
            # NOTE: like torch, no identity for max/min: an empty gradient is an error.
            raise RuntimeError(f"clip_grad_norm_: cannot compute the {p} norm of an empty "
                               f"gradient (shape {list(arr.shape)}) because the operation "
                               "does not have an identity")
        return arr.dtype.type(0)
    if p == 2.0:
        flat = arr.reshape(-1)
        return np.sqrt(np.dot(flat, flat)) if arr.dtype.kind == "f" else np.linalg.norm(flat)
    if p == math.inf:
        return np.max(np.abs(arr))
    if p == -math.inf:
        return np.min(np.abs(arr))
    if p == 0.0:
        # (count_nonzero gives a Python int for NumPy arrays, a 0-d array for CuPy's)
        return as_array(np.count_nonzero(arr)).astype(arr.dtype)
    if p == 1.0:
        return np.sum(np.abs(arr))
    return np.sum(np.abs(arr) ** arr.dtype.type(p)) ** arr.dtype.type(1.0 / p)


def _norms_on(device, norms, acc):
    """The per-tensor norms (NumPy scalars or 0-d arrays of any device) as one array on
    ``device``: torch moves each device's norms to the first tensor's device."""
    if device.type == "cuda":
        return xp_for(device).stack([move_array(as_array(n), device) for n in norms]).astype(acc)
    return np.array([to_host(n) for n in norms], dtype=acc)


def get_total_norm(tensors, norm_type=2.0, error_if_nonfinite=False, foreach=None):
    """The norm of all ``tensors`` together, as if concatenated into one vector.

    >>> nn.utils.get_total_norm([ember.tensor([3.0]), ember.tensor([4.0])])
    tensor(5.)
    """
    tensors = _as_list(tensors)
    norm_type = float(norm_type)
    if not tensors:
        return _wrap(np.array(0.0, dtype=D.get_default_dtype().np))
    dtype = tensors[0].dtype
    for t in tensors[1:]:
        dtype = D.promote_types(dtype, t.dtype)
    acc = np.float64 if dtype is D.float64 else np.float32
    device = tensors[0]._device
    if device.type == "cuda" or any(t._device.type == "cuda" for t in tensors):
        norms = _norms_on(device, [_array_norm(t._data, norm_type) for t in tensors], acc)
    else:
        norms = np.array([_array_norm(t._data, norm_type) for t in tensors], dtype=acc)
    total = _array_norm(norms, norm_type)
    total = as_array(total).astype(dtype.np)
    if error_if_nonfinite and not np.isfinite(total.astype(np.float64)):
        raise RuntimeError(f"The total norm of order {norm_type} for gradients from `parameters` "
                           "is non-finite, so it cannot be clipped. To disable this error and "
                           "scale the gradients by the non-finite norm anyway, set "
                           "`error_if_nonfinite=False`")
    return _wrap(total, tensors[0].device)


def clip_grads_with_norm_(parameters, max_norm, total_norm, foreach=None):
    """Scale the gradients by ``min(1, max_norm / (total_norm + 1e-6))`` in place."""
    grads = [p.grad for p in _as_list(parameters) if p.grad is not None]
    if not grads:
        return
    prev = _GRAD.enabled
    _GRAD.enabled = False
    try:
        coef = (float(max_norm) / (total_norm + 1e-6)).clamp(max=1.0)
        for g in grads:
            scale = coef if coef._device is g._device else coef.to(g.device)
            g.mul_(scale if scale.dtype is g.dtype or g.dtype.category != D.FLOAT
                   else scale.to(g.dtype))
    finally:
        _GRAD.enabled = prev


def clip_grad_norm_(parameters, max_norm, norm_type=2.0, error_if_nonfinite=False,
                    foreach=None):
    """Rescale gradients so that their total norm is at most ``max_norm``.

    Returns the total norm before clipping (a 0-dim tensor).

    >>> total = nn.utils.clip_grad_norm_(model.parameters(), max_norm=1.0)
    """
    parameters = _as_list(parameters)
    grads = [p.grad for p in parameters if p.grad is not None]
    total = get_total_norm(grads, norm_type, error_if_nonfinite, foreach)
    clip_grads_with_norm_(parameters, max_norm, total, foreach)
    return total


def clip_grad_norm(parameters, max_norm, norm_type=2.0, error_if_nonfinite=False, foreach=None):
    """Deprecated alias of ``clip_grad_norm_``."""
    import warnings
    warnings.warn("`torch.nn.utils.clip_grad_norm` is now deprecated in favor of "
                  "`torch.nn.utils.clip_grad_norm_`.", FutureWarning, stacklevel=2)
    return clip_grad_norm_(parameters, max_norm, norm_type, error_if_nonfinite, foreach)


def clip_grad_value_(parameters, clip_value, foreach=None):
    """Clamp every gradient into ``[-clip_value, clip_value]`` in place."""
    clip_value = float(clip_value)
    prev = _GRAD.enabled
    _GRAD.enabled = False
    try:
        for p in _as_list(parameters):
            if p.grad is not None:
                p.grad.clamp_(min=-clip_value, max=clip_value)
    finally:
        _GRAD.enabled = prev

"""Normalization functions: batch_norm, layer_norm, group_norm, instance_norm, rms_norm,
local_response_norm.

batch_norm and layer_norm are primitives with one fused backward node each (their
backward formulas run in NumPy when no graph of the gradient is wanted, and in ember
ops under ``create_graph=True`` so that double backward works).  group_norm and
instance_norm reuse the layer_norm kernel on a reshaped input.  float16/bfloat16 are
computed in float32, as torch does.
"""

__all__ = ["batch_norm", "group_norm", "instance_norm", "layer_norm", "local_response_norm",
           "rms_norm"]

import math
import numbers

import numpy as np

from ... import _dtype as D
from ..._device import as_array, xp_of
from ...autograd.graph import Node
from ...ops import _util as U
from ...ops._util import GRAD, record

_F32 = np.dtype(np.float32)
_LOW = (np.dtype(np.float16), D.bfloat16.np)


def _work(arr):
    return arr.astype(_F32) if arr.dtype in _LOW else arr


def _const(arr, like):
    return U.wrap(as_array(arr), like._device)


def _check_float(op, input):
    U.check_tensor(input, op)
    if not input.is_floating_point():
        raise RuntimeError(f"{op}: expected a floating point input, got {input.dtype} "
                           f"(shape {list(input.shape)})")


def _check_param(op, t, name, numel, input):
    if t is None:
        return None
    U.check_tensor(t, op, name)
    U.common_device(op, (input, t))
    if t.numel() != numel:
        raise RuntimeError(f"{op}: {name} should contain {numel} elements not {t.numel()} "
                           f"(input shape {list(input.shape)})")
    return t


# ----------------------------------------------------------------------------------
# the fused normalization primitive: y = (x - mean) * invstd * weight + bias
# ----------------------------------------------------------------------------------

class _NormBackward(Node):
    """Gradients of input, weight and bias of a normalization over ``axes``.

    ``batch_stats``: mean/invstd came from the input (so they depend on it); otherwise
    they are constants (batch norm in eval mode).
    Attributes: axes (reduced dims), param_axes (dims summed for weight/bias grads),
    param_shape (weight's broadcast shape), mean/invstd (arrays, keepdim shape), eps.
    """

    def backward(self, grad):
        x, weight = self.saved_tensors
        if GRAD.enabled:
            return self._backward_graph(grad, x, weight)
        return self._backward_numpy(grad, x, weight)

    def _backward_numpy(self, grad, x, weight):
        # In-place steps: each full-size temporary is one more pass over memory.
        g = _work(grad._data)
        xhat = _work(x._data) - self.mean
        xhat *= self.invstd
        dev = x._device
        grad_w = grad_b = None
        if weight is not None:
            grad_w = U.wrap(np.sum(g * xhat, axis=self.param_axes).reshape(weight.shape)
                            .astype(weight._data.dtype), dev)
        if self.has_bias:
            grad_b = U.wrap(np.sum(g, axis=self.param_axes).reshape(self.bias_shape)
                            .astype(self.bias_dtype), dev)
        gw = g * _work(weight._data).reshape(self.param_shape) if weight is not None \
            else g.copy()
        if self.batch_stats and gw.size:
            m1 = np.mean(gw, axis=self.axes, keepdims=True)
            m2 = np.mean(gw * xhat, axis=self.axes, keepdims=True)
            xhat *= m2
            gw -= m1
            gw -= xhat
        gw *= self.invstd
        grad_x = U.wrap(gw.astype(x._data.dtype, copy=False), dev)
        return grad_x, grad_w, grad_b

    def _backward_graph(self, grad, x, weight):
        # The same formulas in ember ops (differentiable again).
        axes = self.axes
        if self.batch_stats:
            mean = x.mean(dim=axes, keepdim=True)
            centered = x - mean
            var = (centered * centered).mean(dim=axes, keepdim=True)
            invstd = (var + self.eps).rsqrt()
        else:
            mean, invstd = _const(self.mean, x), _const(self.invstd, x)
            centered = x - mean
        xhat = centered * invstd
        w = None if weight is None else weight.reshape(self.param_shape)
        gw = grad if w is None else grad * w
        if self.batch_stats:
            m1 = gw.mean(dim=axes, keepdim=True)
            m2 = (gw * xhat).mean(dim=axes, keepdim=True)
            grad_x = (gw - m1 - xhat * m2) * invstd
        else:
            grad_x = gw * invstd
        grad_w = grad_b = None
        # (sum over dim=() would reduce every dim, as in torch)
        if weight is not None:
            gx = grad * xhat
            gx = gx.sum(dim=self.param_axes) if self.param_axes else gx
            grad_w = gx.reshape(weight.shape)
        if self.has_bias:
            gb = grad.sum(dim=self.param_axes) if self.param_axes else grad
            grad_b = gb.reshape(self.bias_shape)
        return grad_x, grad_w, grad_b


class NativeBatchNormBackward0(_NormBackward):
    pass


class NativeLayerNormBackward0(_NormBackward):
    pass


def _normalize(node_cls, input, weight, bias, axes, param_axes, param_shape, eps,
               mean=None, invstd=None):
    """The primitive: statistics over ``axes`` (or the given mean/invstd), affine."""
    arr = input._data
    x = _work(arr)
    batch_stats = mean is None
    if batch_stats and x.size == 0:
        # NOTE: an empty batch normalizes to an empty result; statistics stay untouched
        # (zeros here, no "mean of empty slice" warnings).
        stat_shape = tuple(1 if i in axes else n for i, n in enumerate(x.shape))
        mean = xp_of(x).zeros(stat_shape, x.dtype)
        invstd = xp_of(x).ones(stat_shape, x.dtype)
        var = None
        centered = x - mean
    elif batch_stats:
        mean = np.mean(x, axis=axes, keepdims=True)
        centered = x - mean
        var = np.mean(centered * centered, axis=axes, keepdims=True)
        invstd = 1.0 / np.sqrt(var + x.dtype.type(eps))
    else:
        centered = x - mean
        var = None
    out = centered
    out *= invstd       # centered is not needed again: backward recomputes it from x
    if weight is not None:
        out *= _work(weight._data).reshape(param_shape)
    if bias is not None:
        out += _work(bias._data).reshape(param_shape)
    res = U.wrap(as_array(out).astype(arr.dtype, copy=False), input._device)
    if GRAD.enabled and (input._rg or (weight is not None and weight._rg)
                         or (bias is not None and bias._rg)):
        node = record(node_cls, res, (input, weight, bias), (input, weight))
        node.axes, node.param_axes, node.param_shape = axes, param_axes, param_shape
        node.mean, node.invstd, node.eps, node.batch_stats = mean, invstd, eps, batch_stats
        node.has_bias = bias is not None
        if bias is not None:
            node.bias_shape, node.bias_dtype = bias._data.shape, bias._data.dtype
    return res, mean, var


# ----------------------------------------------------------------------------------
# batch_norm
# ----------------------------------------------------------------------------------

def _update_running(running, batch_value, momentum):
    """running <- (1 - momentum) * running + momentum * batch_value, in place (no grad)."""
    if running is None:
        return
    data = running._data
    new = (1.0 - momentum) * data.astype(np.float64) + momentum * batch_value
    np.copyto(data, new.astype(data.dtype), casting="unsafe")
    running._bump_version()


def batch_norm(input, running_mean, running_var, weight=None, bias=None, training=False,
               momentum=0.1, eps=1e-5):
    """Normalize over the batch and spatial dims per channel (dim 1); in training, update
    ``running_mean``/``running_var`` in place (the variance unbiased).

    >>> F.batch_norm(ember.tensor([[1.], [3.]]), None, None, training=True)
    tensor([[-1.0000],
            [ 1.0000]])
    """
    _check_float("batch_norm", input)
    if input.ndim < 2:
        raise RuntimeError(f"batch_norm: expected an input with at least 2 dims (N, C, ...), "
                           f"got shape {list(input.shape)}")
    shape = tuple(input.shape)
    channels = shape[1]
    for name, t in (("running_mean", running_mean), ("running_var", running_var),
                    ("weight", weight), ("bias", bias)):
        _check_param("batch_norm", t, name, channels, input)
    if training:
        count = shape[0] * math.prod(shape[2:])
        if count == 1:
            raise ValueError(f"Expected more than 1 value per channel when training, got "
                             f"input size {input.shape}")
    axes = (0,) + tuple(range(2, len(shape)))
    param_shape = (channels,) + (1,) * (len(shape) - 2)
    if training or running_mean is None or running_var is None:
        if not training and (running_mean is None) != (running_var is None):
            raise RuntimeError("batch_norm: running_mean and running_var must be both given or "
                               "both None")
        res, mean, var = _normalize(NativeBatchNormBackward0, input, weight, bias, axes, axes,
                                    param_shape, eps)
        if training and running_mean is not None and input._device.type != "meta" \
                and input.numel():
            n = shape[0] * math.prod(shape[2:])
            _update_running(running_mean, mean.reshape(channels).astype(np.float64),
                            momentum)
            unbiased = var.reshape(channels).astype(np.float64) * (n / builtin_max(n - 1, 1))
            _update_running(running_var, unbiased, momentum)
        return res
    rm = _work(running_mean._data).reshape(param_shape)
    rv = _work(running_var._data).reshape(param_shape)
    work_dtype = _work(input._data).dtype
    mean = rm.astype(work_dtype)
    invstd = (1.0 / np.sqrt(rv + eps)).astype(work_dtype)
    res, _, _ = _normalize(NativeBatchNormBackward0, input, weight, bias, axes, axes,
                           param_shape, eps, mean=mean, invstd=invstd)
    return res


builtin_max = max


# ----------------------------------------------------------------------------------
# layer_norm / group_norm / instance_norm
# ----------------------------------------------------------------------------------

def _normalized_shape(op, input, normalized_shape):
    if isinstance(normalized_shape, numbers.Integral):
        normalized_shape = (int(normalized_shape),)
    normalized_shape = tuple(int(s) for s in normalized_shape)
    k = len(normalized_shape)
    if k == 0:
        raise RuntimeError(f"{op}: Expected normalized_shape to be at least 1-dimensional, "
                           "i.e., containing at least one element, but got normalized_shape = "
                           "[]")
    if input.ndim < k or tuple(input.shape[-k:]) != normalized_shape:
        raise RuntimeError(f"{op}: Given normalized_shape={list(normalized_shape)}, expected "
                           f"input with shape [*, {', '.join(map(str, normalized_shape))}], but "
                           f"got input of size{list(input.shape)}")
    return normalized_shape


def _check_shape_param(op, t, name, normalized_shape, input):
    if t is None:
        return
    U.check_tensor(t, op, name)
    U.common_device(op, (input, t))
    if tuple(t.shape) != normalized_shape:
        raise RuntimeError(f"{op}: Expected {name} to be of same shape as normalized_shape, "
                           f"but got {name} of shape {list(t.shape)} and normalized_shape = "
                           f"{list(normalized_shape)}")


def layer_norm(input, normalized_shape, weight=None, bias=None, eps=1e-5):
    """Normalize over the last ``len(normalized_shape)`` dims, then scale and shift.

    >>> F.layer_norm(ember.tensor([[1., 3.]]), (2,))
    tensor([[-1.0000,  1.0000]])
    """
    _check_float("layer_norm", input)
    normalized_shape = _normalized_shape("layer_norm", input, normalized_shape)
    _check_shape_param("layer_norm", weight, "weight", normalized_shape, input)
    _check_shape_param("layer_norm", bias, "bias", normalized_shape, input)
    nd, k = input.ndim, len(normalized_shape)
    axes = tuple(range(nd - k, nd))
    res, _, _ = _normalize(NativeLayerNormBackward0, input, weight, bias, axes,
                           tuple(range(nd - k)), normalized_shape, eps)
    return res


def _affine(out, weight, bias, ndim):
    """out * weight + bias with (C,) parameters broadcast over dim 1."""
    shape = (-1,) + (1,) * (ndim - 2)
    if weight is not None:
        out = out * weight.reshape(shape)
    if bias is not None:
        out = out + bias.reshape(shape)
    return out


def _normalize_rows(input, rows_shape, eps):
    """layer_norm of ``input`` viewed as ``rows_shape`` over its last dim, shaped back."""
    flat = input.reshape(rows_shape)
    return layer_norm(flat, (rows_shape[-1],), None, None, eps).reshape(tuple(input.shape))


def group_norm(input, num_groups, weight=None, bias=None, eps=1e-5):
    """Normalize over groups of channels (and all spatial dims) per sample.

    >>> F.group_norm(ember.tensor([[1., 3., 5., 7.]]), 2).tolist()
    [[-1.0, 1.0, -1.0, 1.0]]
    """
    _check_float("group_norm", input)
    if input.ndim < 2:
        raise RuntimeError(f"group_norm: Expected at least 2 dimensions for input tensor but "
                           f"received {input.ndim}")
    n, c = input.shape[0], input.shape[1]
    if num_groups <= 0 or c % num_groups:
        raise RuntimeError(f"group_norm: Expected number of channels in input to be divisible "
                           f"by num_groups, but got input of shape {list(input.shape)} and "
                           f"num_groups={num_groups}")
    _check_param("group_norm", weight, "weight", c, input)
    _check_param("group_norm", bias, "bias", c, input)
    if input.numel() == 0:
        return _affine(input * 1, weight, bias, input.ndim)
    out = _normalize_rows(input, (n, num_groups, input.numel() // (n * num_groups)), eps)
    return _affine(out, weight, bias, input.ndim)


def instance_norm(input, running_mean=None, running_var=None, weight=None, bias=None,
                  use_input_stats=True, momentum=0.1, eps=1e-5):
    """Normalize each channel of each sample over its spatial dims.

    >>> F.instance_norm(ember.tensor([[[1., 3.]]])).tolist()
    [[[-1.0, 1.0]]]
    """
    _check_float("instance_norm", input)
    if input.ndim < 3:
        raise RuntimeError(f"instance_norm: expected an input with at least 3 dims (N, C, "
                           f"*), got shape {list(input.shape)}")
    n, c = input.shape[0], input.shape[1]
    for name, t in (("running_mean", running_mean), ("running_var", running_var),
                    ("weight", weight), ("bias", bias)):
        _check_param("instance_norm", t, name, c, input)
    spatial = math.prod(input.shape[2:])
    if not use_input_stats:
        if running_mean is None or running_var is None:
            raise RuntimeError("instance_norm: Expected running_mean and running_var to be "
                               "defined when use_input_stats is false")
        return batch_norm(input, running_mean, running_var, weight, bias, False, momentum, eps)
    if spatial <= 1:
        raise ValueError(f"Expected more than 1 spatial element when training, got input size "
                         f"{input.shape}")
    out = _normalize_rows(input, (n, c, spatial), eps)
    if running_mean is not None and running_var is not None and input._device.type != "meta":
        x = _work(input._data).reshape(n, c, spatial).astype(np.float64)
        _update_running(running_mean, x.mean(axis=2).mean(axis=0), momentum)
        _update_running(running_var, x.var(axis=2, ddof=1).mean(axis=0), momentum)
    return _affine(out, weight, bias, input.ndim)


# ----------------------------------------------------------------------------------
# rms_norm / local_response_norm
# ----------------------------------------------------------------------------------

def rms_norm(input, normalized_shape, weight=None, eps=None):
    """x / sqrt(mean(x^2) + eps) over the last dims, times ``weight``; ``eps=None`` means
    the machine epsilon of the computation dtype.

    >>> F.rms_norm(ember.tensor([[3., 4.]]), (2,), eps=0.0)
    tensor([[0.8485, 1.1314]])
    """
    _check_float("rms_norm", input)
    normalized_shape = _normalized_shape("rms_norm", input, normalized_shape)
    _check_shape_param("rms_norm", weight, "weight", normalized_shape, input)
    low = input._data.dtype in _LOW
    x = input.float() if low else input
    if eps is None:
        # NOTE: torch takes the epsilon of the computation type (float32 for 16-bit floats)
        eps = float(np.finfo(x._data.dtype).eps)
    nd, k = input.ndim, len(normalized_shape)
    dims = tuple(range(nd - k, nd))
    out = x * ((x * x).mean(dim=dims, keepdim=True) + eps).rsqrt()
    if weight is not None:
        out = out * weight
    return out.to(input.dtype) if low else out


def local_response_norm(input, size, alpha=1e-4, beta=0.75, k=1.0):
    """Divide each element by (k + alpha * mean of squares over ``size`` neighbouring
    channels) ** beta.

    >>> F.local_response_norm(ember.ones(1, 2, 1), 2).shape
    ember.Size([1, 2, 1])
    """
    _check_float("local_response_norm", input)
    if input.ndim < 3:
        raise ValueError(f"Expected 3D or higher dimensionality input (got {input.ndim} "
                         f"dimensions)")
    if input.ndim > 3 and input._data.dtype in _LOW:
        # NOTE: torch pools 4-d and 5-d inputs with avg_pool3d: no 16-bit float kernel
        name = "Half" if input._data.dtype == np.float16 else "BFloat16"
        raise NotImplementedError(f"local_response_norm: \"avg_pool3d_out_frame\" not "
                                  f"implemented for '{name}'")
    if input.numel() == 0:
        return input * 1
    from ...ops import cat, zeros
    c = input.shape[1]
    sq = input * input
    before, after = size // 2, (size - 1) // 2
    pad_shape = list(sq.shape)
    parts = []
    if before:
        pad_shape[1] = before
        parts.append(zeros(pad_shape, dtype=sq.dtype, device=sq.device))
    parts.append(sq)
    if after:
        pad_shape[1] = after
        parts.append(zeros(pad_shape, dtype=sq.dtype, device=sq.device))
    padded = cat(parts, 1) if len(parts) > 1 else sq
    window = padded.narrow(1, 0, c)
    for i in range(1, size):
        window = window + padded.narrow(1, i, c)
    div = (window * (alpha / size) + k) ** beta
    return input / div

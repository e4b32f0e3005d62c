"""gumbel_softmax and fractional max pooling.

Both draw from ember's generator (never torch's numbers); fractional pooling takes
``_random_samples`` (N, C, dims) for reproducible windows, as torch's does.
"""
import numpy as np

from ... import _dtype as D
from ..._device import array_like, to_host
from ..._tensor import Tensor, _wrap

__all__ = ["gumbel_softmax", "fractional_max_pool2d", "fractional_max_pool2d_with_indices",
           "fractional_max_pool3d", "fractional_max_pool3d_with_indices"]


def _ops():
    import ember
    return ember


def gumbel_softmax(logits, tau=1, hard=False, eps=1e-10, dim=-1):
    """Samples from the Gumbel-softmax distribution over ``dim``.

    With ``hard=True`` the result is one-hot, but its gradient is the soft sample's
    (straight-through estimator).

    >>> y = ember.nn.functional.gumbel_softmax(ember.zeros(2, 5), hard=True)
    >>> y.sum(-1)
    tensor([1., 1.])
    """
    # NOTE: ``eps`` is unused, as in torch (kept for backward compatibility)
    ember = _ops()
    if not isinstance(logits, Tensor):
        raise TypeError(f"gumbel_softmax(): argument 'logits' must be Tensor, not "
                        f"{type(logits).__name__}")
    gumbels = -ember.empty_like(logits).exponential_().log()
    soft = ember.softmax((logits + gumbels) / tau, dim)
    if not hard:
        return soft
    index = soft.max(dim, keepdim=True)[1]
    one_hot = ember.zeros_like(logits).scatter_(dim, index, 1.0)
    return one_hot - soft.detach() + soft


# ---------------------------------------------------------------------------------------
# fractional max pooling

def _tuple(value, n, name):
    if value is None:
        return None
    if isinstance(value, (list, tuple)):
        if len(value) != n:
            raise ValueError(f"{name} must be an int or a tuple of {n} values, got {value}")
        return tuple(value)
    return (value,) * n


def _intervals(sample, in_size, out_size, pool, np_dtype):
    """Window starts (..., out_size) for per-plane samples ``sample`` (...,) in [0, 1)."""
    # NOTE: computed in the input's float type and truncated, as torch's kernel does
    if out_size == 1:
        # NOTE: a single window sits at the end of the input, as in torch
        starts = np.full(sample.shape + (1,), in_size - pool, dtype=np.int64)
    else:
        alpha = np_dtype(in_size - pool) / np_dtype(out_size - 1)
        i = np.arange(out_size - 1, dtype=np_dtype)
        s = sample[..., None].astype(np_dtype)
        starts = ((i + s) * alpha).astype(np.int64) - (s * alpha).astype(np.int64)
        last = np.full(sample.shape + (1,), in_size - pool, dtype=np.int64)
        starts = np.concatenate([starts, last], axis=-1)
    return starts


def _fractional_max_pool(input, kernel_size, output_size, output_ratio, random_samples, nd,
                         name):
    ember = _ops()
    if not isinstance(input, Tensor):
        raise TypeError(f"{name}(): argument 'input' must be Tensor, not "
                        f"{type(input).__name__}")
    if output_size is None and output_ratio is None:
        raise ValueError(f"{name} requires specifying either an output_size or an output_ratio")
    if input.dim() not in (nd + 1, nd + 2):
        raise RuntimeError(f"{name}(): expected {nd + 1}D or {nd + 2}D tensor for input, but "
                           f"got input of shape {list(input.shape)}")
    kernel = _tuple(kernel_size, nd, "kernel_size")
    batched = input.dim() == nd + 2
    x = input if batched else input.unsqueeze(0)
    spatial = [int(s) for s in x.shape[2:]]
    if output_size is None:
        ratio = _tuple(output_ratio, nd, "output_ratio")
        output_size = [int(s * r) for s, r in zip(spatial, ratio)]
    out = [int(s) for s in _tuple(output_size, nd, "output_size")]
    for s, o, k in zip(spatial, out, kernel):
        if o + k - 1 > s:
            raise RuntimeError(f"{name}(): pool size {kernel} too large relative to input "
                               f"size {tuple(spatial)} for output size {tuple(out)}")
    n, c = int(x.shape[0]), int(x.shape[1])
    if random_samples is None:
        random_samples = ember.rand(n, c, nd, dtype=x.dtype, device=x.device)
    # the window geometry is host metadata; only the gathers run on the input's device
    samples = to_host(random_samples._data).astype(np.float64)
    if samples.shape != (n, c, nd):
        raise RuntimeError(f"{name}(): expected _random_samples of shape {(n, c, nd)}, got "
                           f"{tuple(samples.shape)}")
    np_dtype = np.float64 if x.dtype is D.float64 else np.float32
    # NOTE: torch's 2-d kernel reads sample 0 for the width and 1 for the height;
    # the 3-d kernel reads them in (T, H, W) order.
    order = [1, 0] if nd == 2 else [0, 1, 2]
    starts = [_intervals(samples[..., order[d]], spatial[d], out[d], kernel[d], np_dtype)
              for d in range(nd)]
    # candidate flat positions (N, C, *out, *kernel) and the max over the window
    flat_pos = np.zeros((n, c) + tuple(out) + tuple(kernel), dtype=np.int64)
    stride = 1
    for d in reversed(range(nd)):
        pos = starts[d][..., None] + np.arange(kernel[d])          # (N, C, out_d, k_d)
        shape = [n, c] + [1] * (2 * nd)
        shape[2 + d] = out[d]
        shape[2 + nd + d] = kernel[d]
        flat_pos = flat_pos + pos.reshape(shape) * stride
        stride *= spatial[d]
    window = array_like(flat_pos.reshape(n, c, -1, int(np.prod(kernel))), x._data)
    values = np.take_along_axis(x._data.reshape(n, c, -1),
                                window.reshape(n, c, -1), axis=2).reshape(window.shape)
    # NOTE: first maximum wins and NaN counts as the maximum, like torch's loop
    best = np.argmax(values, axis=-1)
    indices = np.take_along_axis(window, best[..., None], axis=-1)[..., 0]   # (N, C, P)
    index_t = _wrap(indices, x._device)
    pooled = ember.gather(x.reshape(n, c, -1), 2, index_t)
    pooled = pooled.reshape([n, c] + out)
    index_t = index_t.reshape([n, c] + out)
    if not batched:
        pooled, index_t = pooled.squeeze(0), index_t.squeeze(0)
    return pooled, index_t


def fractional_max_pool2d_with_indices(input, kernel_size, output_size=None, output_ratio=None,
                                       return_indices=False, _random_samples=None):
    """2-d fractional max pooling; returns (output, indices).

    >>> out, idx = ember.nn.functional.fractional_max_pool2d_with_indices(
    ...     ember.randn(1, 2, 8, 8), 2, output_size=4)
    >>> out.shape, idx.dtype
    (torch.Size([1, 2, 4, 4]), torch.int64)
    """
    return _fractional_max_pool(input, kernel_size, output_size, output_ratio, _random_samples,
                                2, "fractional_max_pool2d")


def fractional_max_pool2d(input, kernel_size, output_size=None, output_ratio=None,
                          return_indices=False, _random_samples=None):
    """2-d fractional max pooling (Graham, 2014) over (N, C, H, W) or (C, H, W).

    >>> ember.nn.functional.fractional_max_pool2d(ember.randn(1, 2, 9, 9), 3,
    ...                                           output_ratio=0.5).shape
    torch.Size([1, 2, 4, 4])
    """
    out, idx = fractional_max_pool2d_with_indices(input, kernel_size, output_size,
                                                  output_ratio, return_indices, _random_samples)
    return (out, idx) if return_indices else out


def fractional_max_pool3d_with_indices(input, kernel_size, output_size=None, output_ratio=None,
                                       return_indices=False, _random_samples=None):
    """3-d fractional max pooling; returns (output, indices)."""
    return _fractional_max_pool(input, kernel_size, output_size, output_ratio, _random_samples,
                                3, "fractional_max_pool3d")


def fractional_max_pool3d(input, kernel_size, output_size=None, output_ratio=None,
                          return_indices=False, _random_samples=None):
    """3-d fractional max pooling over (N, C, T, H, W) or (C, T, H, W).

    >>> ember.nn.functional.fractional_max_pool3d(ember.randn(1, 1, 6, 6, 6), 2,
    ...                                           output_size=3).shape
    torch.Size([1, 1, 3, 3, 3])
    """
    out, idx = fractional_max_pool3d_with_indices(input, kernel_size, output_size,
                                                  output_ratio, return_indices, _random_samples)
    return (out, idx) if return_indices else out

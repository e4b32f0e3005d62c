"""Pooling: max (with torch's flat indices), average, adaptive, unpooling, power-average.

The kernels live in ``ember/ops/pooling.py``: max pooling keeps a running maximum over
strided views (one pass per kernel offset), average pooling is a ones-kernel
convolution, adaptive average pooling is a separable linear map per spatial dim.
"""

__all__ = [
    "adaptive_avg_pool1d", "adaptive_avg_pool2d", "adaptive_avg_pool3d", "adaptive_max_pool1d",
    "adaptive_max_pool1d_with_indices", "adaptive_max_pool2d", "adaptive_max_pool2d_with_indices",
    "adaptive_max_pool3d", "adaptive_max_pool3d_with_indices", "avg_pool1d", "avg_pool2d",
    "avg_pool3d", "lp_pool1d", "lp_pool2d", "lp_pool3d", "max_pool1d", "max_pool1d_with_indices",
    "max_pool2d", "max_pool2d_with_indices", "max_pool3d", "max_pool3d_with_indices",
    "max_unpool1d", "max_unpool2d", "max_unpool3d",
]

import builtins
import math
import operator

import numpy as np

from ...ops import _util as U
from ...ops import pooling as P
from ...ops.pooling import _linear_dim, _scatter_flat


# -- max pooling --------------------------------------------------------------------

def _max_pool(d, input, kernel_size, stride, padding, dilation, ceil_mode, return_indices):
    values, indices = P._max_pool(f"max_pool{d}d", d, input, kernel_size, stride, padding,
                                  dilation, ceil_mode, return_indices)
    return (values, indices) if return_indices else values


def max_pool1d(input, kernel_size, stride=None, padding=0, dilation=1, ceil_mode=False,
               return_indices=False):
    """1-d max pooling over (N, C, L); ``return_indices`` adds flat positions in L.

    >>> F.max_pool1d(ember.tensor([[[1., 3., 2., 0.]]]), 2)
    tensor([[[3., 2.]]])
    """
    return _max_pool(1, input, kernel_size, stride, padding, dilation, ceil_mode, return_indices)


def max_pool2d(input, kernel_size, stride=None, padding=0, dilation=1, ceil_mode=False,
               return_indices=False):
    """2-d max pooling over (N, C, H, W); indices are flat positions h * W + w.

    >>> F.max_pool2d(ember.arange(16.).reshape(1, 1, 4, 4), 2).flatten().tolist()
    [5.0, 7.0, 13.0, 15.0]
    """
    return _max_pool(2, input, kernel_size, stride, padding, dilation, ceil_mode, return_indices)


def max_pool3d(input, kernel_size, stride=None, padding=0, dilation=1, ceil_mode=False,
               return_indices=False):
    """3-d max pooling over (N, C, D, H, W)."""
    return _max_pool(3, input, kernel_size, stride, padding, dilation, ceil_mode, return_indices)


def max_pool1d_with_indices(input, kernel_size, stride=None, padding=0, dilation=1,
                            ceil_mode=False, return_indices=False):
    """max_pool1d returning (values, indices)."""
    return _max_pool(1, input, kernel_size, stride, padding, dilation, ceil_mode, True)


def max_pool2d_with_indices(input, kernel_size, stride=None, padding=0, dilation=1,
                            ceil_mode=False, return_indices=False):
    """max_pool2d returning (values, indices)."""
    return _max_pool(2, input, kernel_size, stride, padding, dilation, ceil_mode, True)


def max_pool3d_with_indices(input, kernel_size, stride=None, padding=0, dilation=1,
                            ceil_mode=False, return_indices=False):
    """max_pool3d returning (values, indices)."""
    return _max_pool(3, input, kernel_size, stride, padding, dilation, ceil_mode, True)


# -- average pooling ----------------------------------------------------------------

def avg_pool1d(input, kernel_size, stride=None, padding=0, ceil_mode=False,
               count_include_pad=True):
    """1-d average pooling over (N, C, L).

    >>> F.avg_pool1d(ember.tensor([[[1., 3., 2., 0.]]]), 2)
    tensor([[[2., 1.]]])
    """
    return P.avg_pool_nd("avg_pool1d", input, 1, kernel_size, stride, padding, ceil_mode,
                         count_include_pad, None)


def avg_pool2d(input, kernel_size, stride=None, padding=0, ceil_mode=False,
               count_include_pad=True, divisor_override=None):
    """2-d average pooling over (N, C, H, W).

    >>> F.avg_pool2d(ember.ones(1, 1, 4, 4), 2).shape
    torch.Size([1, 1, 2, 2])
    """
    return P.avg_pool_nd("avg_pool2d", input, 2, kernel_size, stride, padding, ceil_mode,
                         count_include_pad, divisor_override)


def avg_pool3d(input, kernel_size, stride=None, padding=0, ceil_mode=False,
               count_include_pad=True, divisor_override=None):
    """3-d average pooling over (N, C, D, H, W)."""
    return P.avg_pool_nd("avg_pool3d", input, 3, kernel_size, stride, padding, ceil_mode,
                         count_include_pad, divisor_override)


# -- adaptive pooling ---------------------------------------------------------------

def _output_size(op, input, d, output_size):
    P.check_pool_input(op, input, d)
    if isinstance(output_size, (list, tuple)):
        if len(output_size) == 1:
            output_size = tuple(output_size) * d
        if len(output_size) != d:
            raise RuntimeError(f"{op}: output_size must be {d}-dimensional (got "
                               f"{list(output_size)})")
    else:
        output_size = (output_size,) * d
    spatial = input._data.shape[-d:]
    out = tuple(s if o is None else operator.index(o) for o, s in zip(output_size, spatial))
    if builtins.any(o < 0 for o in out):
        raise RuntimeError(f"{op}: elements of output_size must be greater than or equal to 0 "
                           f"but received {list(out)}")
    return out


def _adaptive_matrix(size, out):
    """(out, size) averaging matrix of torch's adaptive windows."""
    start, end = P.adaptive_windows(size, out)
    m = np.zeros((out, size))
    for o in range(out):   # one row per output position along one dim (not per pixel)
        m[o, start[o]:end[o]] = 1.0 / (end[o] - start[o])
    return m


def _adaptive_avg(d, input, output_size):
    op = f"adaptive_avg_pool{d}d"
    out = _output_size(op, input, d, output_size)
    if input._data.dtype.kind not in "f" and input._data.dtype not in P._LOW:
        raise RuntimeError(f'{op}: "adaptive_avg_pool{d}d" not implemented for '
                           f"'{input.dtype}'")
    nd = input._data.ndim
    x = input
    for i, (size, o) in enumerate(zip(input._data.shape[-d:], out)):
        x = _linear_dim(x, nd - d + i, _adaptive_matrix(size, o), f"AdaptiveAvgPool{d}DBackward0")
    return x


def adaptive_avg_pool1d(input, output_size):
    """Average pooling to a fixed output length.

    >>> F.adaptive_avg_pool1d(ember.tensor([[[1., 2., 3., 4.]]]), 2)
    tensor([[[1.5000, 3.5000]]])
    """
    return _adaptive_avg(1, input, output_size)


def adaptive_avg_pool2d(input, output_size):
    """Average pooling to a fixed (H, W) (None keeps that dim's size).

    >>> F.adaptive_avg_pool2d(ember.ones(1, 3, 7, 5), 1).shape
    torch.Size([1, 3, 1, 1])
    """
    return _adaptive_avg(2, input, output_size)


def adaptive_avg_pool3d(input, output_size):
    """Average pooling to a fixed (D, H, W)."""
    return _adaptive_avg(3, input, output_size)


def _adaptive_max(d, input, output_size, return_indices):
    op = f"adaptive_max_pool{d}d"
    out = _output_size(op, input, d, output_size)
    values, indices = P.adaptive_max_pool_nd(input, d, out)
    return (values, indices) if return_indices else values


def adaptive_max_pool1d(input, output_size, return_indices=False):
    """Max pooling to a fixed output length.

    >>> F.adaptive_max_pool1d(ember.tensor([[[1., 5., 3., 4.]]]), 2)
    tensor([[[5., 4.]]])
    """
    return _adaptive_max(1, input, output_size, return_indices)


def adaptive_max_pool2d(input, output_size, return_indices=False):
    """Max pooling to a fixed (H, W); ``return_indices`` adds flat positions."""
    return _adaptive_max(2, input, output_size, return_indices)


def adaptive_max_pool3d(input, output_size, return_indices=False):
    """Max pooling to a fixed (D, H, W)."""
    return _adaptive_max(3, input, output_size, return_indices)


def adaptive_max_pool1d_with_indices(input, output_size, return_indices=False):
    return _adaptive_max(1, input, output_size, True)


def adaptive_max_pool2d_with_indices(input, output_size, return_indices=False):
    return _adaptive_max(2, input, output_size, True)


def adaptive_max_pool3d_with_indices(input, output_size, return_indices=False):
    return _adaptive_max(3, input, output_size, True)


# -- unpooling ----------------------------------------------------------------------

def _max_unpool(d, input, indices, kernel_size, stride, padding, output_size):
    op = f"max_unpool{d}d"
    U.check_tensor(input, op)
    U.check_tensor(indices, op, "indices")
    U.common_device(op, (input, indices))
    kernel = P.int_tuple(kernel_size, d, "kernel_size", op)
    stride = kernel if stride is None else P.int_tuple(stride, d, "stride", op)
    padding = P.int_tuple(padding, d, "padding", op)
    shape = input._data.shape
    if indices._data.shape != shape:
        raise RuntimeError(f"{op}: Expected shape of indices to be same as that of the input "
                           f"tensor ({list(shape)}) but got indices tensor with shape: "
                           f"{list(indices.shape)}")
    if indices._data.dtype != np.int64:
        raise RuntimeError(f"{op}: elements in indices should be type int64 but got: "
                           f"{indices.dtype}")
    if input._data.ndim not in (d + 1, d + 2):
        raise RuntimeError(f"{op}: Expected {d + 1}D or {d + 2}D tensor for input, but got "
                           f"input of size {list(shape)}")
    default = tuple((i - 1) * s - 2 * p + k for i, s, p, k in
                    zip(shape[-d:], stride, padding, kernel))
    if output_size is None:
        out = default
    else:
        out = tuple(int(o) for o in output_size)
        if len(out) == d + 2 or (len(out) == d + 1 and input._data.ndim == d + 1):
            out = out[-d:]
        if len(out) != d:
            raise ValueError(f"{op}: output_size should be a sequence containing {d} or "
                             f"{d + 2} elements, but it has a length of '{len(out)}'")
        for o, dft, s in zip(out, default, stride):
            if not dft - s < o < dft + s:
                raise ValueError(f"{op}: invalid output_size {list(out)} (dim should be "
                                 f"between {[a - b for a, b in zip(default, stride)]} and "
                                 f"{[a + b for a, b in zip(default, stride)]})")
    idx = indices._data
    size = math.prod(out)
    if idx.size and (idx.min() < 0 or idx.max() >= size):
        raise RuntimeError(f"{op}: Found an invalid max index: {int(idx.max())} (output volumes "
                           f"are of size {'x'.join(map(str, out))})")
    return _scatter_flat(input, idx, out, accumulate=False)


def max_unpool1d(input, indices, kernel_size, stride=None, padding=0, output_size=None):
    """The inverse of max_pool1d: values put back at their indices, zeros elsewhere."""
    return _max_unpool(1, input, indices, kernel_size, stride, padding, output_size)


def max_unpool2d(input, indices, kernel_size, stride=None, padding=0, output_size=None):
    """The inverse of max_pool2d (with ``return_indices=True``).

    >>> v, i = F.max_pool2d(ember.arange(16.).reshape(1, 1, 4, 4), 2, return_indices=True)
    >>> F.max_unpool2d(v, i, 2).shape
    torch.Size([1, 1, 4, 4])
    """
    return _max_unpool(2, input, indices, kernel_size, stride, padding, output_size)


def max_unpool3d(input, indices, kernel_size, stride=None, padding=0, output_size=None):
    """The inverse of max_pool3d."""
    return _max_unpool(3, input, indices, kernel_size, stride, padding, output_size)


# -- power-average pooling ----------------------------------------------------------

def _lp_pool(d, input, norm_type, kernel_size, stride, ceil_mode):
    op = f"lp_pool{d}d"
    U.check_tensor(input, op)
    kernel = P.int_tuple(kernel_size, d, "kernel_size", op)
    avg = P.avg_pool_nd(f"avg_pool{d}d", input.pow(norm_type), d, kernel, stride, 0, ceil_mode,
                        True, None)
    # NOTE: torch multiplies the (sign-preserving) relu of the average back by the window size.
    return (avg.sign() * avg.abs() * math.prod(kernel)).pow(1.0 / norm_type)


def lp_pool1d(input, norm_type, kernel_size, stride=None, ceil_mode=False):
    """(sum over windows of x**p) ** (1/p)."""
    return _lp_pool(1, input, norm_type, kernel_size, stride, ceil_mode)


def lp_pool2d(input, norm_type, kernel_size, stride=None, ceil_mode=False):
    """(sum over windows of x**p) ** (1/p) over (N, C, H, W)."""
    return _lp_pool(2, input, norm_type, kernel_size, stride, ceil_mode)


def lp_pool3d(input, norm_type, kernel_size, stride=None, ceil_mode=False):
    """(sum over windows of x**p) ** (1/p) over (N, C, D, H, W)."""
    return _lp_pool(3, input, norm_type, kernel_size, stride, ceil_mode)

"""interpolate/upsample, pixel_shuffle, unfold/fold.

Interpolation is separable: every mode is a one-dimensional map applied to each
spatial dim in turn.  Nearest modes index (``_take_dim``); linear, cubic and area build
an (out, in) weight matrix with torch's source-index arithmetic (in float32 for float32
inputs, as torch's kernels) and apply it with one matmul (``_linear_dim``), whose
gradient is the transposed matrix.  unfold is a convolution with a one-hot kernel per
channel and fold its transpose, so both run as im2col + BLAS and differentiate twice.
"""

__all__ = ["channel_shuffle", "fold", "interpolate", "pixel_shuffle", "pixel_unshuffle",
           "unfold", "upsample", "upsample_bilinear", "upsample_nearest"]

import math
import numbers
import operator

import numpy as np

from ... import _dtype as D
from ..._device import move_array
from ...ops import _util as U
from ...ops.conv import _conv, _conv_t
from ...ops.pooling import (_LOW, _linear_dim, _take_dim, channel_shuffle,  # noqa: F401
                            pixel_shuffle, pixel_unshuffle)
from .pooling import _adaptive_matrix

_MODES = ("nearest", "linear", "bilinear", "bicubic", "trilinear", "area", "nearest-exact")
_LINEAR_RANK = {"linear": 3, "bilinear": 4, "trilinear": 5}
_NODE_NAMES = {"nearest": "UpsampleNearest{d}DBackward0", "linear": "UpsampleLinear1DBackward0",
               "bilinear": "UpsampleBilinear2DBackward0", "bicubic": "UpsampleBicubic2DBackward0",
               "trilinear": "UpsampleTrilinear3DBackward0", "area": "AdaptiveAvgPool{d}DBackward0",
               "nearest-exact": "UpsampleNearestExact{d}DBackward0"}


# -- source-index arithmetic (torch's UpSample.h, in the op's compute precision) ----

def _scale(ft, size, out, scale, align_corners):
    """torch's area_pixel_compute_scale."""
    if align_corners:
        return ft((size - 1) / (out - 1)) if out > 1 else ft(0)
    if scale is not None and scale > 0:
        return ft(1.0 / scale)
    return ft(size) / ft(out)


def _nearest_index(ft, size, out, scale, exact):
    dst = np.arange(out, dtype=ft)
    if not exact:
        if out == size:
            return np.arange(out)
        if out == 2 * size:
            return np.arange(out) >> 1
    s = _scale(ft, size, out, scale, False)
    src = np.floor((dst + ft(0.5)) * s) if exact else np.floor(dst * s)
    return np.minimum(src.astype(np.int64), size - 1)


def _source(ft, size, out, scale, align_corners, cubic):
    s = _scale(ft, size, out, scale, align_corners)
    dst = np.arange(out, dtype=ft)
    if align_corners:
        return s * dst
    src = s * (dst + ft(0.5)) - ft(0.5)
    return src if cubic else np.maximum(src, ft(0))


def _linear_matrix(ft, size, out, scale, align_corners):
    src = _source(ft, size, out, scale, align_corners, False)
    i0 = np.minimum(np.floor(src).astype(np.int64), size - 1)
    i1 = np.minimum(i0 + 1, size - 1)
    lam1 = np.clip(src - i0.astype(ft), ft(0), ft(1))
    lam0 = ft(1) - lam1
    m = np.zeros((out, size), dtype=ft)
    rows = np.arange(out)
    np.add.at(m, (rows, i0), lam0)   # (out,) entries: tiny
    np.add.at(m, (rows, i1), lam1)
    return m


def _cubic_matrix(ft, size, out, scale, align_corners):
    a = ft(-0.75)
    src = _source(ft, size, out, scale, align_corners, True)
    i0 = np.floor(src)
    t = src - i0

    def near(x):   # |x| <= 1
        return ((a + 2) * x - (a + 3)) * x * x + 1

    def far(x):    # 1 < |x| < 2
        return ((a * x - 5 * a) * x + 8 * a) * x - 4 * a
    coeffs = [far(t + 1), near(t), near(1 - t), far(2 - t)]
    m = np.zeros((out, size), dtype=ft)
    rows = np.arange(out)
    base = i0.astype(np.int64) - 1
    for j, c in enumerate(coeffs):
        np.add.at(m, (rows, np.clip(base + j, 0, size - 1)), c.astype(ft))
    return m


# -- interpolate --------------------------------------------------------------------

def _sizes(input, d, size, scale_factor, recompute_scale_factor):
    spatial = input._data.shape[2:]
    if size is not None and scale_factor is not None:
        raise ValueError("only one of size or scale_factor should be defined")
    if size is not None:
        if isinstance(size, (list, tuple)):
            if len(size) != d:
                raise ValueError("Input and output must have the same number of spatial "
                                 f"dimensions, but got input with spatial dimensions of "
                                 f"{list(spatial)} and output size of {size}. Please provide "
                                 "input tensor in (N, C, d1, d2, ...,dK) format and output size "
                                 "in (o1, o2, ...,oK) format.")
            out = tuple(operator.index(s) for s in size)
        else:
            out = (operator.index(size),) * d
        return out, (None,) * d
    if scale_factor is None:
        raise ValueError("either size or scale_factor should be defined")
    if isinstance(scale_factor, (list, tuple)):
        if len(scale_factor) != d:
            raise ValueError("Input and scale_factor must have the same number of spatial "
                             f"dimensions, but got input with spatial dimensions of "
                             f"{list(spatial)} and scale_factor of shape {scale_factor}. Please "
                             "provide input tensor in (N, C, d1, d2, ...,dK) format and "
                             "scale_factor in (s1, s2, ...,sK) format.")
        scales = tuple(float(s) for s in scale_factor)
    else:
        scales = (float(scale_factor),) * d
    out = tuple(int(math.floor(float(s) * f)) for s, f in zip(spatial, scales))
    if recompute_scale_factor:
        return out, (None,) * d
    return out, scales


def interpolate(input, size=None, scale_factor=None, mode="nearest", align_corners=None,
                recompute_scale_factor=None, antialias=False):
    """Resize the spatial dims of (N, C, *spatial) to ``size`` or by ``scale_factor``.

    Modes: 'nearest', 'nearest-exact', 'linear' (3-d input), 'bilinear' (4-d), 'bicubic'
    (4-d), 'trilinear' (5-d), 'area'.

    >>> F.interpolate(ember.tensor([[[1., 2.]]]), scale_factor=2, mode="linear")
    tensor([[[1.0000, 1.2500, 1.7500, 2.0000]]])
    """
    U.check_tensor(input, "interpolate")
    nd = input._data.ndim
    if mode not in _MODES:
        raise NotImplementedError(f"interpolate: Input Error: Only 3D, 4D and 5D input Tensors "
                                  f"supported (got {nd}D) for the modes: nearest | linear | "
                                  "bilinear | bicubic | trilinear | area | nearest-exact (got "
                                  f"{mode})")
    if mode in ("nearest", "area", "nearest-exact"):
        if align_corners is not None:
            raise ValueError("align_corners option can only be set with the interpolating "
                             "modes: linear | bilinear | bicubic | trilinear")
    elif align_corners is None:
        align_corners = False
    if antialias:
        raise NotImplementedError("interpolate: antialias=True is not supported by ember")
    if nd not in (3, 4, 5):
        raise NotImplementedError(f"interpolate: Input Error: Only 3D, 4D and 5D input Tensors "
                                  f"supported (got {nd}D) for the modes: nearest | linear | "
                                  f"bilinear | bicubic | trilinear | area | nearest-exact (got "
                                  f"{mode})")
    want = _LINEAR_RANK.get(mode, 4 if mode == "bicubic" else nd)
    if want != nd:
        raise NotImplementedError(f"interpolate: Got {nd}D input, but {mode} mode needs {want}D "
                                  "input")
    d = nd - 2
    out, scales = _sizes(input, d, size, scale_factor, recompute_scale_factor)
    spatial = input._data.shape[2:]
    if any(o <= 0 for o in out) or any(s <= 0 for s in spatial):
        raise RuntimeError(f"interpolate: Input and output sizes should be greater than 0, but "
                           f"got input {list(spatial)} output {list(out)}")
    arr = input._data
    is_float = arr.dtype.kind == "f" or arr.dtype in _LOW
    if not is_float and not (mode.startswith("nearest") and arr.dtype == np.uint8):
        raise NotImplementedError(f'interpolate: "upsample_{mode}" not implemented for '
                                  f"'{D._FROM_NP[arr.dtype]}'")
    ft = np.float64 if arr.dtype == np.float64 else np.float32
    name = _NODE_NAMES[mode].format(d=d)
    x = input
    for i, (size_i, out_i, scale_i) in enumerate(zip(spatial, out, scales)):
        dim = 2 + i
        if mode in ("nearest", "nearest-exact"):
            x = _take_dim(x, dim, _nearest_index(ft, size_i, out_i, scale_i,
                                                 mode == "nearest-exact"), name)
        elif mode == "area":
            x = _linear_dim(x, dim, _adaptive_matrix(size_i, out_i), name)
        elif mode == "bicubic":
            x = _linear_dim(x, dim, _cubic_matrix(ft, size_i, out_i, scale_i, align_corners),
                            name)
        else:
            x = _linear_dim(x, dim, _linear_matrix(ft, size_i, out_i, scale_i, align_corners),
                            name)
    return x


def upsample(input, size=None, scale_factor=None, mode="nearest", align_corners=None):
    """Deprecated alias of interpolate."""
    return interpolate(input, size, scale_factor, mode, align_corners)


def upsample_nearest(input, size=None, scale_factor=None):
    """Deprecated: interpolate(mode='nearest')."""
    return interpolate(input, size, scale_factor, mode="nearest")


def upsample_bilinear(input, size=None, scale_factor=None):
    """Deprecated: interpolate(mode='bilinear', align_corners=True)."""
    return interpolate(input, size, scale_factor, mode="bilinear", align_corners=True)


# -- unfold / fold --------------------------------------------------------------------

def _pair(value, name, op):
    if isinstance(value, (list, tuple)):
        if len(value) == 1:
            value = tuple(value) * 2
        if len(value) != 2:
            raise RuntimeError(f"{op}: {name} must be an int or a pair of ints, got {value}")
        return tuple(operator.index(v) for v in value)
    if not isinstance(value, (numbers.Integral, np.integer)):
        raise TypeError(f"{op}(): argument '{name}' must be int or tuple of ints, not "
                        f"{type(value).__name__}")
    return (operator.index(value),) * 2


def _one_hot_kernel(channels, kernel, dtype, device):
    """(C*K, 1, kh, kw): output channel c*K + k picks kernel offset k of channel c."""
    k = kernel[0] * kernel[1]
    eye = np.eye(k, dtype=dtype).reshape(k, 1, kernel[0], kernel[1])
    return U.wrap(move_array(np.tile(eye, (channels, 1, 1, 1)), device), device)


def _block_params(op, kernel_size, dilation, padding, stride):
    kernel = _pair(kernel_size, "kernel_size", op)
    dilation = _pair(dilation, "dilation", op)
    padding = _pair(padding, "padding", op)
    stride = _pair(stride, "stride", op)
    if any(k <= 0 for k in kernel) or any(s <= 0 for s in stride) or \
            any(dl <= 0 for dl in dilation) or any(p < 0 for p in padding):
        raise RuntimeError(f"{op}: kernel size, stride and dilation should be greater than zero "
                           f"and padding non-negative, but got kernel_size={kernel}, stride="
                           f"{stride}, dilation={dilation}, padding={padding}")
    return kernel, dilation, padding, stride


def _check_float(op, input):
    arr = input._data
    if not (arr.dtype.kind == "f" or arr.dtype in _LOW):
        raise NotImplementedError(f'{op}: "im2col_out_cpu" not implemented for '
                                  f"'{D._FROM_NP[arr.dtype]}'")


def unfold(input, kernel_size, dilation=1, padding=0, stride=1):
    """Sliding blocks of (N, C, H, W) as columns: (N, C*kh*kw, L).

    >>> F.unfold(ember.ones(1, 2, 4, 4), 2).shape
    torch.Size([1, 8, 9])
    """
    op = "unfold"
    U.check_tensor(input, op)
    nd = input._data.ndim
    if nd not in (3, 4):
        raise RuntimeError(f"{op}: Expected 3D or 4D (batch mode) tensor with possibly 0 batch "
                           f"size and other non-zero dimensions for input, but got: "
                           f"{list(input.shape)}")
    _check_float(op, input)
    kernel, dilation, padding, stride = _block_params(op, kernel_size, dilation, padding, stride)
    x = input if nd == 4 else input.unsqueeze(0)
    n, c, h, w = x._data.shape
    out = [(s + 2 * p - dl * (k - 1) - 1) // st + 1
           for s, p, dl, k, st in zip((h, w), padding, dilation, kernel, stride)]
    if any(o <= 0 for o in out) or c == 0:
        raise RuntimeError(f"{op}: Given input with spatial size ({h}, {w}), kernel_size="
                           f"{kernel}, dilation={dilation}, padding={padding}, calculated shape "
                           f"of the array of sliding blocks as ({out[0]}, {out[1]}), but its "
                           "components must be at least one.")
    weight = _one_hot_kernel(c, kernel, x._data.dtype, x._device)
    cols = _conv(x, weight, None, stride, padding, dilation, c)
    cols = cols.reshape(n, c * kernel[0] * kernel[1], out[0] * out[1])
    return cols if nd == 4 else cols.squeeze(0)


def fold(input, output_size, kernel_size, dilation=1, padding=0, stride=1):
    """Sum columns (N, C*kh*kw, L) back into (N, C, H, W), the adjoint of unfold.

    >>> F.fold(F.unfold(ember.ones(1, 1, 3, 3), 2), (3, 3), 2)[0, 0]
    tensor([[1., 2., 1.],
            [2., 4., 2.],
            [1., 2., 1.]])
    """
    op = "fold"
    U.check_tensor(input, op)
    nd = input._data.ndim
    if nd not in (2, 3):
        raise RuntimeError(f"{op}: Expected 2D or 3D (batch mode) tensor with possibly 0 batch "
                           f"size and non-zero dimensions for input, but got: "
                           f"{list(input.shape)}")
    _check_float(op, input)
    out_size = _pair(output_size, "output_size", op)
    kernel, dilation, padding, stride = _block_params(op, kernel_size, dilation, padding, stride)
    x = input if nd == 3 else input.unsqueeze(0)
    n, ck, length = x._data.shape
    k = kernel[0] * kernel[1]
    if ck % k:
        raise RuntimeError(f"{op}: Expected size of input's dimension 1 to be divisible by the "
                           f"product of kernel_size, but got input.size(1)={ck} and "
                           f"kernel_size={kernel}.")
    blocks = [(s + 2 * p - dl * (kk - 1) - 1) // st + 1
              for s, p, dl, kk, st in zip(out_size, padding, dilation, kernel, stride)]
    if any(b <= 0 for b in blocks) or blocks[0] * blocks[1] != length:
        raise RuntimeError(f"{op}: Given output_size={out_size}, kernel_size={kernel}, "
                           f"dilation={dilation}, padding={padding}, stride={stride}, expected "
                           f"size of input's dimension 2 to match the calculated number of "
                           f"sliding blocks {blocks[0]} * {blocks[1]} = {blocks[0] * blocks[1]}, "
                           f"but got input.size(2)={length}.")
    c = ck // k
    weight = _one_hot_kernel(c, kernel, x._data.dtype, x._device)
    g = x.reshape(n, ck, blocks[0], blocks[1])
    res = _conv_t(g, weight, None, stride, padding, dilation, c, out_size)
    return res if nd == 3 else res.squeeze(0)

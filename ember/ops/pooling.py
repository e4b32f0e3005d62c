"""Pooling, padding and the small differentiable primitives the vision functions share.

* Max pooling views the (-inf padded) input once per kernel offset through a strided
  slice and keeps a running maximum and the winning offset: ``prod(kernel)`` vectorised
  passes, no loop over pixels.  Indices are flat positions within each input plane, as
  torch returns them; ties keep the first position, a NaN wins.  The gradient scatters
  to those positions (``_scatter_flat``), whose own gradient gathers them back.
* Average pooling is a convolution with a ones kernel (so it runs as im2col + BLAS and
  its gradient is the transposed convolution) divided by torch's window sizes.
* ``constant_pad_nd`` pads with a value or crops (negative pads); its gradient is the
  opposite padding.  ``_take_dim`` (reflect/replicate/circular padding, nearest
  interpolation) and ``_linear_dim`` (linear/cubic interpolation, adaptive average
  pooling) are one-dimensional index and linear maps whose gradients are linear maps.
"""

__all__ = ["avg_pool1d", "constant_pad_nd", "max_pool1d", "max_pool2d", "max_pool3d",
           "pixel_shuffle", "pixel_unshuffle", "channel_shuffle"]

import builtins
import math
import operator

import numpy as np

from .. import _dtype as D
from .._device import array_like, xp_of
from .._tensor import Tensor
from ..autograd.graph import Node
from . import _util as U
from ._util import GRAD, record

_FROM_NP = D._FROM_NP
_LOW = (np.dtype(np.float16), D.bfloat16.np)
_F32 = np.dtype(np.float32)

# ----------------------------------------------------------------------------------
# constant padding (and cropping)
# ----------------------------------------------------------------------------------


class ConstantPadNdBackward0(Node):
    def backward(self, grad):
        return (constant_pad_nd(grad, [-p for p in self.pad]),)


def _pad_pairs(pad, ndim):
    """[(dim, before, after)] from torch's flat pad list (last dim first)."""
    return [(ndim - 1 - i, pad[2 * i], pad[2 * i + 1]) for i in range(len(pad) // 2)]


def constant_pad_nd(input, pad, value=0):
    """Pad (or crop, for negative amounts) the last dims with ``value``.

    ``pad`` is (left, right) for the last dim, then (left, right) for the one before...

    >>> ember.constant_pad_nd(ember.ones(1, 2), [1, 0], 0.0)
    tensor([[0., 1., 1.]])
    """
    U.check_tensor(input, "constant_pad_nd")
    try:
        pad = [operator.index(p) for p in pad]
    except TypeError:
        raise TypeError("constant_pad_nd(): argument 'pad' must be tuple of ints") from None
    arr = input._data
    if len(pad) % 2:
        raise RuntimeError("constant_pad_nd: Padding length must be divisible by 2 (got "
                           f"{len(pad)} for input of size {list(arr.shape)})")
    if len(pad) > 2 * arr.ndim:
        raise RuntimeError("constant_pad_nd: Padding length should be less than or equal to two "
                           f"times the input dimension but got padding length {len(pad)} and "
                           f"input of dimension {arr.ndim}")
    shape = list(arr.shape)
    src = [slice(None)] * arr.ndim
    dst = [slice(None)] * arr.ndim
    for dim, lo, hi in _pad_pairs(pad, arr.ndim):
        size = arr.shape[dim]
        new = size + lo + hi
        if new < 0 or size + builtins.min(lo, 0) + builtins.min(hi, 0) < 0:
            raise RuntimeError(f"constant_pad_nd: The input size {size}, plus negative padding "
                               f"{lo} and {hi} resulted in a negative output size, which is "
                               f"invalid. Check dimension {dim} of your input.")
        shape[dim] = new
        kept = size + builtins.min(lo, 0) + builtins.min(hi, 0)
        src[dim] = slice(builtins.max(-lo, 0), builtins.max(-lo, 0) + kept)
        dst[dim] = slice(builtins.max(lo, 0), builtins.max(lo, 0) + kept)
    if isinstance(value, Tensor):
        value = value.item()
    # a NumPy scalar fill (not a 0-d array) serves host and device arrays alike
    out_arr = xp_of(arr).full(shape, U.scalar_to_array(value, arr.dtype)[()], dtype=arr.dtype)
    out_arr[tuple(dst)] = arr[tuple(src)]
    out = U.wrap(out_arr, input._device)
    if GRAD.enabled and input._rg:
        node = record(ConstantPadNdBackward0, out, (input,))
        node.pad = pad
    return out


# ----------------------------------------------------------------------------------
# one-dimensional index and linear maps
# ----------------------------------------------------------------------------------


def _one_hot(idx, size):
    m = np.zeros((len(idx), size))
    m[np.arange(len(idx)), idx] = 1.0
    return m


class TakeDimBackward(Node):
    def backward(self, grad):
        return (_linear_dim(grad, self.dim, _one_hot(self.idx, self.size).T),)


_NAMED = {}


def _named(base, name):
    """``base`` under torch's grad_fn name for the op built from it (cached subclass)."""
    if name is None:
        return base
    cls = _NAMED.get((base, name))
    if cls is None:
        cls = _NAMED[(base, name)] = type(name, (base,), {})
    return cls


def _take_dim(input, dim, idx, name=None):
    """``input`` indexed by the int array ``idx`` along ``dim`` (a copy); differentiable.

    ``name``: the grad_fn name torch gives the op this step belongs to.
    """
    arr = np.take(input._data, array_like(idx, input._data), axis=dim)
    out = U.wrap(arr, input._device)
    if GRAD.enabled and input._rg:
        node = record(_named(TakeDimBackward, name), out, (input,))
        node.dim, node.idx, node.size = dim, idx, input._data.shape[dim]
    return out


class LinearDimBackward(Node):
    def backward(self, grad):
        return (_linear_dim(grad, self.dim, self.matrix.T),)


def _linear_dim(input, dim, matrix, name=None):
    """out[..., i, ...] = sum_j matrix[i, j] * input[..., j, ...] along ``dim``."""
    arr = input._data
    cdt = _F32 if arr.dtype in _LOW else arr.dtype
    src = arr if arr.dtype == cdt else arr.astype(cdt)
    moved = np.moveaxis(src, dim, -1)
    res = np.moveaxis(moved @ array_like(matrix.T, src, cdt), -1, dim)
    if res.dtype != arr.dtype:
        res = res.astype(arr.dtype)
    out = U.wrap(xp_of(res).ascontiguousarray(res), input._device)
    if GRAD.enabled and input._rg:
        node = record(_named(LinearDimBackward, name), out, (input,))
        node.dim, node.matrix = dim, matrix
    return out


# ----------------------------------------------------------------------------------
# flat scatter / gather within planes (max pooling gradients, max_unpool)
# ----------------------------------------------------------------------------------


class ScatterFlatBackward(Node):
    def backward(self, grad):
        return (_gather_flat(grad, self.indices, self.d), None)


class GatherFlatBackward(Node):
    def backward(self, grad):
        return (_scatter_flat(grad, self.indices, self.spatial, accumulate=True),)


def _plane_positions(indices, planes, plane_size):
    xp = xp_of(indices)
    return indices.reshape(planes, -1) + (xp.arange(planes) * plane_size)[:, None]


def _scatter_flat(src, indices, spatial, accumulate):
    """Put ``src`` (..., *out) at flat ``indices`` of planes of size ``spatial``.

    With ``accumulate`` duplicate positions add up (gradients); otherwise one write wins
    (max_unpool, as torch).
    """
    arr = src._data
    d = len(spatial)
    lead = arr.shape[:arr.ndim - d]
    planes = math.prod(lead)
    plane_size = math.prod(spatial)
    xp = xp_of(arr)
    if planes == 0 or plane_size == 0:
        flat = xp.zeros(planes * plane_size, dtype=arr.dtype)
    elif accumulate:
        pos = _plane_positions(indices, planes, plane_size).ravel()
        flat = np.bincount(pos, weights=arr.ravel().astype(np.float64),
                           minlength=planes * plane_size).astype(arr.dtype)
    else:
        pos = _plane_positions(indices, planes, plane_size).ravel()
        flat = xp.zeros(planes * plane_size, dtype=arr.dtype)
        flat[pos] = arr.ravel()
    out = U.wrap(flat.reshape(lead + tuple(spatial)), src._device)
    if GRAD.enabled and src._rg:
        node = record(ScatterFlatBackward, out, (src,))
        node.indices, node.d = indices, d
    return out


def _gather_flat(src, indices, d):
    """src (..., *spatial) read at the flat plane ``indices`` (..., *out)."""
    arr = src._data
    spatial = arr.shape[arr.ndim - d:]
    lead = arr.shape[:arr.ndim - d]
    planes = math.prod(lead)
    if planes == 0 or indices.size == 0:
        res = xp_of(arr).zeros(indices.shape, dtype=arr.dtype)
    else:
        flat = arr.reshape(planes, -1)
        res = np.take_along_axis(flat, indices.reshape(planes, -1), axis=1)
    out = U.wrap(res.reshape(indices.shape), src._device)
    if GRAD.enabled and src._rg:
        node = record(GatherFlatBackward, out, (src,))
        node.indices, node.spatial = indices, spatial
    return out


# ----------------------------------------------------------------------------------
# max pooling
# ----------------------------------------------------------------------------------

_MAXPOOL_NODE = {}


def _is_float(dtype):
    return dtype.kind == "f" or dtype in _LOW


def _lowest(dtype):
    if dtype.kind == "f" or dtype in _LOW:
        return -np.inf
    if dtype == np.bool_:
        return False
    return np.iinfo(dtype).min


def _argmax_offsets(views, count):
    """Max over ``views(k)`` for k < count, and the first winning offset k (int8 when small).

    The windows are first copied side by side into one contiguous (K, ...) array (strided
    views of small elements are slow to compare repeatedly); the maximum is one reduction
    over it, the winning offset a few compare-and-subtract passes.
    """
    first = views(0)
    xp = xp_of(first)
    stack = xp.empty((count,) + first.shape, dtype=first.dtype)
    for k in range(count):
        stack[k] = views(k)
    best = stack.max(axis=0)
    arg_dtype = np.int8 if count < 128 else np.intp
    arg = xp.full(best.shape, count - 1, dtype=arg_dtype)
    for k in range(count - 2, -1, -1):   # backwards, so the first maximum wins
        hit = (stack[k] == best).view(np.int8)
        step = arg - arg_dtype(k)
        step *= hit
        arg -= step
    if _is_float(best.dtype) and np.isnan(best).any():
        # NOTE: torch's kernel lets every NaN replace the running maximum: the last NaN wins.
        for k in range(count):
            nan = np.isnan(stack[k]).view(np.int8)
            step = arg - arg_dtype(k)
            step *= nan
            arg -= step
    return best, arg


def _max_only(views, count):
    best = views(0).copy()
    for k in range(1, count):
        np.maximum(best, views(k), out=best)   # NaN propagates, as in torch
    return best


def _flat_table(coords, spatial):
    """(prod(K), prod(O)) flat input positions from per-dim coordinates (O_i, K_i)."""
    d = len(coords)
    total = 0
    mult = 1
    for i in range(d - 1, -1, -1):
        c = coords[i].T   # (K_i, O_i)
        shape = [1] * (2 * d)
        shape[i], shape[d + i] = c.shape
        total = total + c.reshape(shape) * mult
        mult *= spatial[i]
    kp = math.prod(c.shape[1] for c in coords)
    return np.ascontiguousarray(np.broadcast_to(total, tuple(c.shape[1] for c in coords)
                                                + tuple(c.shape[0] for c in coords))
                                ).reshape(kp, -1)


def pool_out_size(size, k, s, p, d, ceil_mode):
    """torch's pooling output length (ceil mode drops a window starting in the padding)."""
    span = size + 2 * p - d * (k - 1) - 1
    out = (-(-span // s) if ceil_mode else span // s) + 1
    if ceil_mode and (out - 1) * s >= size + p:
        out -= 1
    return out


class _PoolGeometry:
    """Where the windows of a (regular) pooling sit: per kernel offset, a strided region
    of the input padded to ``full``."""

    def __init__(self, spatial, full, out, kernel, stride, padding, dilation):
        self.spatial, self.full, self.out = spatial, full, out
        self.padding = padding
        self.offsets = list(np.ndindex(*kernel))
        self.regions = [(Ellipsis,) + tuple(slice(k * dl, k * dl + s * (o - 1) + 1, s) for
                                            k, dl, s, o in zip(kidx, dilation, stride, out))
                        for kidx in self.offsets]
        self.inner = (Ellipsis,) + tuple(slice(p, p + sz) for p, sz in zip(padding, spatial))
        # flat input index = base(out position) + offset(kernel offset)
        d = len(spatial)
        mult = [math.prod(spatial[i + 1:]) for i in range(d)]
        base = 0
        for i in range(d):
            shape = [1] * d
            shape[i] = out[i]
            base = base + ((np.arange(out[i]) * stride[i] - padding[i]) * mult[i]).reshape(shape)
        self.base = base
        # overlapping windows: one input may win several, so gradients must add up
        self.overlap = not builtins.all(s >= dl * (k - 1) + 1 for s, dl, k in
                                        zip(stride, dilation, kernel))
        self.koff = np.array([sum(k * dl * m for k, dl, m in zip(kidx, dilation, mult))
                              for kidx in self.offsets], dtype=np.int64)

    def padded(self, arr, fill):
        if self.full == tuple(arr.shape[-len(self.full):]) and not builtins.any(self.padding):
            return arr
        buf = xp_of(arr).full(arr.shape[:-len(self.full)] + self.full, fill, dtype=arr.dtype)
        buf[self.inner] = arr
        return buf

    def flat_indices(self, arg):
        koff, base = self.koff, self.base
        if type(arg) is not np.ndarray:
            koff, base = array_like(koff, arg), array_like(base, arg)
        return (koff.take(arg) + base).astype(np.int64, copy=False)


def _max_pool_node(d):
    name = f"MaxPool{d}DWithIndicesBackward0"
    cls = _MAXPOOL_NODE.get(name)
    if cls is None:
        def backward(self, grad):
            indices = self.geom.flat_indices(self.arg)
            return (_scatter_flat(grad, indices, self.geom.spatial, self.geom.overlap),)
        cls = _MAXPOOL_NODE[name] = type(name, (Node,), {"backward": backward})
    return cls


def max_pool_nd(op, input, d, kernel, stride, padding, dilation, ceil_mode,
                return_indices=True):
    """Max pooling over the last ``d`` dims: (values, flat indices or None)."""
    arr = input._data
    spatial = arr.shape[-d:]
    lead = arr.shape[:-d]
    out = tuple(pool_out_size(*a, ceil_mode) for a in zip(spatial, kernel, stride, padding,
                                                          dilation))
    if builtins.any(o <= 0 for o in out):
        sizes = "x".join(map(str, arr.shape[-d - 1:]))
        outs = "x".join(map(str, arr.shape[-d - 1:-d] + out))
        raise RuntimeError(f"{op}: Given input size: ({sizes}). Calculated output size: "
                           f"({outs}). Output size is too small")
    # a buffer big enough for every window, -inf outside the input
    full = tuple((o - 1) * s + dl * (k - 1) + 1 for o, s, dl, k in zip(out, stride, dilation,
                                                                       kernel))
    full = tuple(builtins.max(f, p + sz) for f, p, sz in zip(full, padding, spatial))
    geom = _PoolGeometry(spatial, full, out, kernel, stride, padding, dilation)
    want_grad = GRAD.enabled and input._rg
    arg = None
    if math.prod(lead) == 0:
        values = xp_of(arr).zeros(lead + out, dtype=arr.dtype)
        arg = xp_of(arr).zeros(lead + out, dtype=np.int8)
    else:
        buf = geom.padded(arr, _lowest(arr.dtype))
        regions = geom.regions

        def views(k):
            return buf[regions[k]]
        if want_grad or return_indices:
            values, arg = _argmax_offsets(views, len(regions))
        else:
            values = _max_only(views, len(regions))
    res = U.wrap(values, input._device)
    idx = U.wrap(geom.flat_indices(arg), input._device) if return_indices else None
    if want_grad:
        node = record(_max_pool_node(d), res, (input,))
        node.arg, node.geom = arg, geom
    return res, idx


def adaptive_windows(size, out):
    """torch's adaptive pooling windows: start floor(i*size/out), end ceil((i+1)*size/out)."""
    i = np.arange(out)
    start = (i * size) // out
    end = -((-(i + 1) * size) // out)
    return start, end


def adaptive_max_pool_nd(input, d, out):
    arr = input._data
    spatial = arr.shape[-d:]
    lead = arr.shape[:-d]
    coords = []
    for size, o in zip(spatial, out):
        start, end = adaptive_windows(size, o)
        width = int((end - start).max()) if o else 1
        c = start[:, None] + np.arange(width)[None, :]
        coords.append(np.minimum(c, (end - 1)[:, None]))  # repeat the last: ties keep first
    offsets = list(np.ndindex(*(c.shape[1] for c in coords)))

    def views(k):
        index = np.ix_(*[c[:, i] for c, i in zip(coords, offsets[k])])
        return arr[(Ellipsis,) + index]
    if math.prod(lead) == 0 or math.prod(out) == 0:
        values = xp_of(arr).zeros(lead + tuple(out), dtype=arr.dtype)
        indices = xp_of(arr).zeros(lead + tuple(out), dtype=np.int64)
    else:
        values, arg = _argmax_offsets(views, len(offsets))
        table = array_like(_flat_table(coords, spatial), arg)
        planes = math.prod(lead)
        out_size = table.shape[1]
        indices = table[arg.reshape(planes, out_size), xp_of(arg).arange(out_size)]
        indices = indices.reshape(arg.shape).astype(np.int64, copy=False)
    res = U.wrap(values, input._device)
    idx = U.wrap(indices, input._device)
    if GRAD.enabled and input._rg:
        name = f"AdaptiveMaxPool{d}DBackward0"
        node = record(_named_node(name), res, (input,))
        node.indices, node.spatial, node.accumulate = indices, spatial, True
    return res, idx


def _named_node(name):
    cls = _MAXPOOL_NODE.get(name)
    if cls is None:
        def backward(self, grad):
            return (_scatter_flat(grad, self.indices, self.spatial, self.accumulate),)
        cls = _MAXPOOL_NODE[name] = type(name, (Node,), {"backward": backward})
    return cls


# ----------------------------------------------------------------------------------
# argument handling shared with nn.functional
# ----------------------------------------------------------------------------------

def int_tuple(value, d, name, op):
    """An int or sequence of 1 or d ints as d ints."""
    if isinstance(value, (list, tuple)):
        if len(value) == 1:
            value = tuple(value) * d
        if len(value) != d:
            raise RuntimeError(f"{op}: {name} must either be a single int, or a tuple of {d} "
                               f"ints (got {list(value)})")
        try:
            return tuple(operator.index(v) for v in value)
        except TypeError:
            raise TypeError(f"{op}(): argument '{name}' must be tuple of ints") from None
    try:
        return (operator.index(value),) * d
    except TypeError:
        raise TypeError(f"{op}(): argument '{name}' must be tuple of ints, not "
                        f"{type(value).__name__}") from None


def check_pool_input(op, input, d):
    U.check_tensor(input, op)
    nd = input._data.ndim
    if nd not in (d + 1, d + 2):
        raise RuntimeError(f"{op}: Expected {d + 1}D or {d + 2}D (batch mode) tensor with "
                           f"optional 0 dim batch size for input, but got: {list(input.shape)}")
    shape = input._data.shape
    if builtins.any(s == 0 for s in shape[nd - d - 1:]):
        raise RuntimeError(f"{op}: Expected input's non-batch dimensions to have positive "
                           f"length, but input has a shape of {list(shape)}")


def pool_params(op, d, kernel_size, stride, padding, dilation):
    kernel = int_tuple(kernel_size, d, "kernel_size", op)
    stride = kernel if stride is None or (isinstance(stride, (list, tuple)) and
                                          len(stride) == 0) else int_tuple(stride, d, "stride",
                                                                           op)
    padding = int_tuple(padding, d, "padding", op)
    dilation = int_tuple(dilation, d, "dilation", op)
    if builtins.any(k <= 0 for k in kernel):
        raise RuntimeError(f"{op}: kernel_size must be greater than zero, but got {list(kernel)}")
    if builtins.any(s <= 0 for s in stride):
        raise RuntimeError(f"{op}: stride must be greater than zero, but got {list(stride)}")
    if builtins.any(x <= 0 for x in dilation):
        raise RuntimeError(f"{op}: dilation must be greater than zero, but got {list(dilation)}")
    for k, p, dl in zip(kernel, padding, dilation):
        if p < 0 or p * 2 > dl * (k - 1) + 1:
            raise RuntimeError(f"{op}: pad should be at most half of effective kernel size, but "
                               f"got pad={p}, kernel_size={k} and dilation={dl}")
    return kernel, stride, padding, dilation


def _max_pool(op, d, input, kernel_size, stride, padding, dilation, ceil_mode,
              return_indices=False):
    check_pool_input(op, input, d)
    kernel, stride, padding, dilation = pool_params(op, d, kernel_size, stride, padding,
                                                    dilation)
    dt = input._data.dtype
    if dt == np.bool_ or (d == 1 and dt.kind in "iu"):
        # NOTE: torch's 1-d max pooling has float kernels only; 2-d/3-d take integers too.
        raise NotImplementedError(f'{op}: "max_pool{d}d" not implemented for '
                                  f"'{_FROM_NP[dt]}'")
    return max_pool_nd(op, input, d, kernel, stride, padding, dilation, ceil_mode,
                       return_indices)


def max_pool1d(input, kernel_size, stride=(), padding=0, dilation=1, ceil_mode=False):
    """Max over sliding windows of the last dim of (N, C, L) or (C, L).

    >>> ember.max_pool1d(ember.tensor([[1., 3., 2., 0.]]), 2)
    tensor([[3., 2.]])
    """
    return _max_pool("max_pool1d", 1, input, kernel_size, stride, padding, dilation,
                     ceil_mode)[0]


def max_pool2d(input, kernel_size, stride=(), padding=0, dilation=1, ceil_mode=False):
    """Max over sliding windows of the last 2 dims of (N, C, H, W) or (C, H, W).

    >>> ember.max_pool2d(ember.arange(16.).reshape(1, 4, 4), 2)
    tensor([[[ 5.,  7.],
             [13., 15.]]])
    """
    return _max_pool("max_pool2d", 2, input, kernel_size, stride, padding, dilation,
                     ceil_mode)[0]


def max_pool3d(input, kernel_size, stride=(), padding=0, dilation=1, ceil_mode=False):
    """Max over sliding windows of the last 3 dims of (N, C, D, H, W) or (C, D, H, W)."""
    return _max_pool("max_pool3d", 3, input, kernel_size, stride, padding, dilation,
                     ceil_mode)[0]


# ----------------------------------------------------------------------------------
# average pooling
# ----------------------------------------------------------------------------------

def _avg_divisor(spatial, out, kernel, stride, padding, count_include_pad):
    """Per-output-position divisor (separable: the product of per-dim window lengths)."""
    div = np.ones(out)
    for i, (sz, o, k, s, p) in enumerate(zip(spatial, out, kernel, stride, padding)):
        start = np.arange(o) * s - p
        end = np.minimum(start + k, sz + p)
        size = end - start
        if not count_include_pad:
            size = np.minimum(end, sz) - np.maximum(start, 0)
        shape = [1] * len(out)
        shape[i] = o
        div = div * size.reshape(shape)
    return div


def avg_pool_nd(op, input, d, kernel_size, stride, padding, ceil_mode, count_include_pad,
                divisor_override):
    """Average pooling as a ones-kernel convolution (im2col + BLAS) over a padded input."""
    from .conv import _conv
    check_pool_input(op, input, d)
    kernel, stride, padding, _ = pool_params(op, d, kernel_size, stride, padding, 1)
    if divisor_override is not None and divisor_override == 0:
        raise RuntimeError(f"{op}: divisor must be not zero")
    arr = input._data
    spatial = arr.shape[-d:]
    lead = arr.shape[:-d]
    out = tuple(pool_out_size(*a, 1, ceil_mode) for a in zip(spatial, kernel, stride, padding))
    if builtins.any(o <= 0 for o in out):
        sizes = "x".join(map(str, arr.shape[-d - 1:]))
        outs = "x".join(map(str, arr.shape[-d - 1:-d] + out))
        raise RuntimeError(f"{op}: Given input size: ({sizes}). Calculated output size: "
                           f"({outs}). Output size is too small")
    full = tuple((o - 1) * s + k for o, s, k in zip(out, stride, kernel))
    pads = []
    for f, p, sz in zip(reversed(full), reversed(padding), reversed(spatial)):
        pads += [p, builtins.max(f - p - sz, 0)]
    x = input.reshape((-1, 1) + spatial)
    if builtins.any(pads):
        x = constant_pad_nd(x, pads, 0)
    ones = U.wrap(xp_of(arr).ones((1, 1) + kernel, dtype=arr.dtype), input._device)
    sums = _conv(x, ones, None, stride, (0,) * d, (1,) * d, 1)
    if divisor_override is not None:
        res = sums / divisor_override if _is_float(arr.dtype) else \
            sums.div(divisor_override, rounding_mode="trunc")
    else:
        div = _avg_divisor(spatial, out, kernel, stride, padding, count_include_pad)
        div_t = U.wrap(array_like(div, arr, arr.dtype if _is_float(arr.dtype) else np.float64),
                       input._device)
        res = sums / div_t if _is_float(arr.dtype) else \
            sums.div(U.wrap(array_like(div, arr, np.int64), input._device), rounding_mode="trunc")
    return res.reshape(lead + out)


def avg_pool1d(input, kernel_size, stride=None, padding=0, ceil_mode=False,
               count_include_pad=True):
    """Average over sliding windows of the last dim of (N, C, L) or (C, L).

    >>> ember.avg_pool1d(ember.tensor([[1., 3., 2., 0.]]), 2)
    tensor([[2., 1.]])
    """
    return avg_pool_nd("avg_pool1d", input, 1, kernel_size, stride, padding, ceil_mode,
                       count_include_pad, None)


# ----------------------------------------------------------------------------------
# pixel shuffle
# ----------------------------------------------------------------------------------

def pixel_shuffle(input, upscale_factor):
    """(*, C*r*r, H, W) -> (*, C, H*r, W*r).

    >>> ember.pixel_shuffle(ember.arange(4.).reshape(1, 4, 1, 1), 2).shape
    torch.Size([1, 1, 2, 2])
    """
    U.check_tensor(input, "pixel_shuffle")
    r = operator.index(upscale_factor)
    shape = input._data.shape
    if len(shape) < 3:
        raise RuntimeError(f"pixel_shuffle expects input to have at least 3 dimensions, but got "
                           f"input with {len(shape)} dimension(s)")
    if r <= 0:
        raise RuntimeError(f"pixel_shuffle expects a positive upscale_factor, but got {r}")
    c, h, w = shape[-3:]
    if c % (r * r):
        raise RuntimeError("pixel_shuffle expects its input's 'channel' dimension to be "
                           f"divisible by the square of upscale_factor, but input.size(-3)={c} "
                           f"is not divisible by {r * r}")
    lead = shape[:-3]
    n = len(lead)
    x = input.reshape(lead + (c // (r * r), r, r, h, w))
    x = x.permute(*range(n), n, n + 3, n + 1, n + 4, n + 2)
    return x.reshape(lead + (c // (r * r), h * r, w * r))


def pixel_unshuffle(input, downscale_factor):
    """(*, C, H*r, W*r) -> (*, C*r*r, H, W), the inverse of pixel_shuffle.

    >>> ember.pixel_unshuffle(ember.ones(1, 1, 4, 4), 2).shape
    torch.Size([1, 4, 2, 2])
    """
    U.check_tensor(input, "pixel_unshuffle")
    r = operator.index(downscale_factor)
    shape = input._data.shape
    if len(shape) < 3:
        raise RuntimeError(f"pixel_unshuffle expects input to have at least 3 dimensions, but "
                           f"got input with {len(shape)} dimension(s)")
    if r <= 0:
        raise RuntimeError(f"pixel_unshuffle expects a positive downscale_factor, but got {r}")
    c, h, w = shape[-3:]
    if h % r or w % r:
        raise RuntimeError(f"pixel_unshuffle expects height and width to be divisible by "
                           f"downscale_factor, but input of size {list(shape)} is not divisible "
                           f"by {r}")
    if input.numel() == 0:
        return input.clone()   # NOTE: torch returns an empty input's shape unchanged
    lead = shape[:-3]
    n = len(lead)
    x = input.reshape(lead + (c, h // r, r, w // r, r))
    x = x.permute(*range(n), n, n + 2, n + 4, n + 1, n + 3)
    return x.reshape(lead + (c * r * r, h // r, w // r))


def channel_shuffle(input, groups):
    """Split channels (dim 1) into ``groups`` and interleave them.

    >>> ember.channel_shuffle(ember.arange(4.).reshape(1, 4, 1), 2).flatten().tolist()
    [0.0, 2.0, 1.0, 3.0]
    """
    U.check_tensor(input, "channel_shuffle")
    g = operator.index(groups)
    shape = input._data.shape
    if len(shape) < 3:
        raise RuntimeError(f"channel_shuffle expects input to have at least 3 dimensions, but "
                           f"got input with {len(shape)} dimension(s)")
    if g <= 0:
        raise RuntimeError(f"channel_shuffle: Number of groups to divide channels in must be "
                           f"positive. Value of groups:{g}")
    c = shape[1]
    if c % g:
        raise RuntimeError(f"channel_shuffle: Number of channels must be divisible by groups. "
                           f"Got {c} channels and {g} groups.")
    x = input.reshape((shape[0], g, c // g) + shape[2:]).transpose(1, 2)
    return x.reshape(shape)

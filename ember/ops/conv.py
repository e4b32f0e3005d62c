"""Convolutions and transposed convolutions over 1, 2 or 3 spatial dims.

The CPU kernel is im2col + BLAS: the (zero padded) input is viewed through
``as_strided`` as windows ``(N, G, C/G, *kernel, *out)``, copied once into a column
matrix and multiplied by the weight with one batched ``np.matmul`` (the batch runs over
samples and groups).  The transposed convolution (which is also the gradient of a
convolution with respect to its input) multiplies first and then adds the columns back
into place with one strided add per kernel offset (col2im); the weight gradient is one
batched matmul over the same column view.

Three primitives are closed under differentiation, so gradients of gradients work:

* ``_conv(x, w)``            y = x (*) w
* ``_conv_t(g, w)``          the adjoint of ``_conv`` in x (col2im)
* ``_conv_w(x, g)``          the adjoint of ``_conv`` in w (weight gradient)

float16/bfloat16 are computed in float32 and rounded once, as torch's CPU kernels do.
"""

__all__ = ["conv1d", "conv2d", "conv3d", "conv_transpose1d", "conv_transpose2d",
           "conv_transpose3d"]

import builtins
import math
import operator

import numpy as np

from .. import _dtype as D
from .._device import as_strided, xp_of
from .._tensor import Tensor
from ..autograd.graph import Node
from . import _util as U
from ._util import GRAD, record

_FROM_NP = D._FROM_NP
_LOW = (np.dtype(np.float16), D.bfloat16.np)
_F32 = np.dtype(np.float32)
_KERNEL_NAMES = {"uint8": "Byte", "int8": "Char", "int16": "Short", "int32": "Int"}

# ----------------------------------------------------------------------------------
# array kernels
# ----------------------------------------------------------------------------------


def _compute_dtype(arr):
    return _F32 if arr.dtype in _LOW else arr.dtype


def _out_sizes(spatial, kernel, stride, padding, dilation):
    return tuple((s + 2 * p - d * (k - 1) - 1) // st + 1
                 for s, k, st, p, d in zip(spatial, kernel, stride, padding, dilation))


def _pad_zeros(x, padding):
    if not builtins.any(padding):
        return x
    shape = x.shape[:2] + tuple(s + 2 * p for s, p in zip(x.shape[2:], padding))
    buf = xp_of(x).zeros(shape, dtype=x.dtype)
    buf[(slice(None), slice(None)) + tuple(slice(p, p + s) for p, s in
                                           zip(padding, x.shape[2:]))] = x
    return buf


def _windows(xp, groups, kernel, out, stride, dilation):
    """View (N, G, C/G, *kernel, *out) of the padded input ``xp`` (no copy)."""
    n, c = xp.shape[:2]
    sn, sc = xp.strides[:2]
    ss = xp.strides[2:]
    cg = c // groups
    shape = (n, groups, cg) + tuple(kernel) + tuple(out)
    strides = ((sn, sc * cg, sc) + tuple(s * d for s, d in zip(ss, dilation))
               + tuple(s * st for s, st in zip(ss, stride)))
    return as_strided(xp, shape, strides, writeable=False)


def _columns(x, padding, groups, kernel, out, stride, dilation):
    """im2col: (G, C/G * prod(kernel), N * prod(out)), one copy of the window view."""
    n, c = x.shape[:2]
    d = len(kernel)
    win = _windows(_pad_zeros(x, padding), groups, kernel, out, stride, dilation)
    # (G, C/G, *K, N, *out): the copy reads whole output rows
    order = (1, 2) + tuple(range(3, 3 + d)) + (0,) + tuple(range(3 + d, 3 + 2 * d))
    return win.transpose(order).reshape(groups, (c // groups) * math.prod(kernel),
                                        n * math.prod(out))


def conv_forward_array(x, w, stride, padding, dilation, groups, keep_columns=False, bias=None):
    """im2col + one matmul per group: (N, C, *S) (*) (O, C/G, *K) -> (N, O, *out).

    Returns (result, columns): the column matrix when ``keep_columns`` (the weight
    gradient reuses it), else None.  ``bias`` is added while the result is laid out.
    """
    kernel = w.shape[2:]
    n = x.shape[0]
    out = _out_sizes(x.shape[2:], kernel, stride, padding, dilation)
    cout = w.shape[0]
    og = cout // groups
    if n == 0 or math.prod(out) == 0 or cout == 0:
        res = xp_of(x).zeros((n, cout) + out, dtype=x.dtype)
        if bias is not None:
            res += bias.reshape((-1,) + (1,) * len(out))
        return res, None
    cols = _columns(x, padding, groups, kernel, out, stride, dilation)
    prod = np.matmul(w.reshape(groups, og, -1), cols)            # (G, O/G, N*out)
    prod = prod.reshape(groups, og, n, -1).transpose(2, 0, 1, 3)
    res = xp_of(prod).empty(prod.shape, dtype=prod.dtype)
    if bias is None:
        np.copyto(res, prod)
    else:
        np.add(prod, bias.reshape(1, groups, og, 1), out=res)
    return res.reshape((n, cout) + out), (cols if keep_columns else None)


def conv_transpose_array(g, w, stride, padding, dilation, groups, spatial):
    """The adjoint of ``conv_forward_array`` in x (col2im): (N, O, *out) -> (N, C, *spatial).

    One batched matmul makes the columns, ordered (N, G, K, C/G, *out) so that each kernel
    offset's block is contiguous; then one strided add per kernel offset.
    """
    kernel = w.shape[2:]
    n = g.shape[0]
    cout, cg = w.shape[:2]
    out = g.shape[2:]
    kp, op = math.prod(kernel), math.prod(out)
    c = cg * groups
    og = cout // groups
    if n == 0 or c == 0:
        return xp_of(g).zeros((n, c) + tuple(spatial), dtype=g.dtype)
    wt = w.reshape(groups, og, cg, kp).transpose(0, 3, 2, 1).reshape(groups, kp * cg, og)
    cols = np.matmul(wt, g.reshape(n, groups, og, op)).reshape(n, groups, kp, cg, op)
    full = tuple(s + 2 * p for s, p in zip(spatial, padding))
    buf = xp_of(g).zeros((n, groups, cg) + full, dtype=g.dtype)
    if op:
        block = (n, groups, cg) + tuple(out)
        for i, k in enumerate(np.ndindex(*kernel)):
            region = tuple(slice(ki * d, ki * d + st * (o - 1) + 1, st)
                           for ki, d, st, o in zip(k, dilation, stride, out))
            buf[(Ellipsis,) + region] += cols[:, :, i].reshape(block)
    crop = (slice(None), slice(None)) + tuple(slice(p, p + s) for p, s in zip(padding, spatial))
    return buf.reshape((n, c) + full)[crop]


def conv_weight_array(x, g, wshape, stride, padding, dilation, groups, cols=None):
    """The adjoint of ``conv_forward_array`` in w: one matmul per group over the columns
    (``cols`` from the forward pass when it kept them)."""
    kernel = wshape[2:]
    n = x.shape[0]
    cout = wshape[0]
    out = g.shape[2:]
    og = cout // groups
    if n == 0 or math.prod(out) == 0:
        return xp_of(x).zeros(wshape, dtype=x.dtype)
    if cols is None:
        cols = _columns(x, padding, groups, kernel, out, stride, dilation)
    grad = g.reshape(n, groups, og, -1).transpose(1, 2, 0, 3).reshape(groups, og, -1)
    # BLAS takes the transposed columns without a copy
    return np.matmul(grad, cols.transpose(0, 2, 1)).reshape(wshape)


# ----------------------------------------------------------------------------------
# differentiable primitives
# ----------------------------------------------------------------------------------

def _run(kernel, arrays, *params):
    """Run an array kernel in the compute dtype (float32 for half types), round once."""
    dtype = arrays[0].dtype
    cdt = _compute_dtype(arrays[0])
    if cdt != dtype:
        arrays = [a.astype(cdt) for a in arrays]
    res = kernel(*arrays, *params)
    if res.dtype != dtype:
        res = res.astype(dtype)
    return res


class ConvolutionBackward0(Node):
    """Gradient of a convolution (``transposed=False``) or transposed convolution.

    ``cols`` holds the forward pass's column matrix for the weight gradient (or None).
    """

    cols = None

    def release(self):
        self.cols = None
        super().release()

    def backward(self, grad):
        x, w = self.saved_tensors
        nf = self.next_functions
        p = (self.stride, self.padding, self.dilation, self.groups)
        gx = gw = gb = None
        if self.transposed:
            if nf[0][0] is not None:
                gx = _crop_to(_conv(grad, w, None, *p), x.shape[2:])
            if nf[1][0] is not None:
                gw = _conv_w(grad, x, tuple(w.shape), *p)
        else:
            if nf[0][0] is not None:
                gx = _conv_t(grad, w, None, *p, tuple(x.shape[2:]))
            if nf[1][0] is not None:
                gw = _conv_w(x, grad, tuple(w.shape), *p, cols=self.cols)
        if len(nf) > 2 and nf[2][0] is not None:
            gb = grad.sum([0] + list(range(2, grad.ndim)))
        return gx, gw, gb


class ConvolutionBackwardBackward0(Node):
    """Gradient of the weight gradient ``_conv_w(x, g)`` (bilinear in x and g)."""

    def backward(self, ggw):
        x, g = self.saved_tensors
        nf = self.next_functions
        p = (self.stride, self.padding, self.dilation, self.groups)
        gx = gg = None
        if nf[0][0] is not None:
            gx = _conv_t(g, ggw, None, *p, tuple(x.shape[2:]))
        if nf[1][0] is not None:
            gg = _crop_to(_conv(x, ggw, None, *p), g.shape[2:])
        return gx, gg


def _crop_to(t, spatial):
    """Keep the first ``spatial`` positions: output_padding can make the transposed output
    longer than the convolution of it gives back."""
    if tuple(t.shape[2:]) == tuple(spatial):
        return t
    return t[(slice(None), slice(None)) + tuple(slice(0, s) for s in spatial)]


def _record(node_cls, out, inputs, saved, stride, padding, dilation, groups, transposed=False):
    node = record(node_cls, out, inputs, saved)
    node.stride, node.padding, node.dilation, node.groups = stride, padding, dilation, groups
    node.transposed = transposed
    return node


def _add_bias(arr, bias, spatial_dims):
    b = bias._data
    if b.dtype != arr.dtype:
        b = b.astype(arr.dtype)
    arr += b.reshape((-1,) + (1,) * spatial_dims)
    return arr


def _conv(x, w, bias, stride, padding, dilation, groups):
    """Convolution of x (N, C, *S) with w (O, C/G, *K); symmetric integer padding."""
    record_grad = GRAD.enabled and (x._rg or w._rg or (bias is not None and bias._rg))
    xd, wd = x._data, w._data
    dtype = xd.dtype
    cdt = _compute_dtype(xd)
    if cdt != dtype:
        xd, wd = xd.astype(cdt), wd.astype(cdt)
    bd = None if bias is None else bias._data.astype(cdt, copy=False)
    arr, cols = conv_forward_array(xd, wd, stride, padding, dilation, groups,
                                   record_grad and w._rg, bd)
    if arr.dtype != dtype:
        arr = arr.astype(dtype)
    out = U.wrap(arr, x._device)
    if record_grad:
        inputs = (x, w) if bias is None else (x, w, bias)
        node = _record(ConvolutionBackward0, out, inputs, (x, w), stride, padding, dilation,
                       groups)
        node.cols = cols
    return out


def _conv_t(g, w, bias, stride, padding, dilation, groups, spatial):
    """Transposed convolution (the adjoint of ``_conv`` in x) with output size ``spatial``."""
    arr = _run(conv_transpose_array, [g._data, w._data], stride, padding, dilation, groups,
               spatial)
    if bias is not None:
        arr = _add_bias(xp_of(arr).ascontiguousarray(arr), bias, len(stride))
    out = U.wrap(arr, g._device)
    if GRAD.enabled and (g._rg or w._rg or (bias is not None and bias._rg)):
        inputs = (g, w) if bias is None else (g, w, bias)
        _record(ConvolutionBackward0, out, inputs, (g, w), stride, padding, dilation, groups,
                transposed=True)
    return out


def _conv_w(x, g, wshape, stride, padding, dilation, groups, cols=None):
    """Weight gradient of ``_conv``: bilinear in the input x and the output gradient g."""
    arr = _run(conv_weight_array, [x._data, g._data], wshape, stride, padding, dilation, groups,
               cols)
    out = U.wrap(arr, x._device)
    if GRAD.enabled and (x._rg or g._rg):
        _record(ConvolutionBackwardBackward0, out, (x, g), (x, g), stride, padding, dilation,
                groups)
    return out


# ----------------------------------------------------------------------------------
# argument checks shared by the public functions
# ----------------------------------------------------------------------------------

def _int_tuple(value, d, name, op):
    """An int or a sequence of d ints, as a tuple of d ints (torch's expand_param_if_needed)."""
    if isinstance(value, Tensor):
        value = value.tolist()
    if isinstance(value, (list, tuple)):
        if len(value) == 1:
            value = tuple(value) * d
        if len(value) != d:
            raise RuntimeError(f"{op}: expected {name} to be a single integer value or a list of "
                               f"{d} values to match the convolution dimensions, but got "
                               f"{name}={list(value)}")
        try:
            return tuple(operator.index(v) for v in value)
        except TypeError:
            raise TypeError(f"{op}(): argument '{name}' must be tuple of ints, but found "
                            f"element of type {type(value[0]).__name__}") from None
    try:
        return (operator.index(value),) * d
    except TypeError:
        raise TypeError(f"{op}(): argument '{name}' must be tuple of ints, not "
                        f"{type(value).__name__}") from None


def _shape(t):
    return list(t._data.shape)


def _check_common(op, input, weight, bias, d):
    U.check_tensor(input, op)
    U.check_tensor(weight, op, "weight")
    if bias is not None:
        U.check_tensor(bias, op, "bias")
    U.common_device(op, (input, weight) if bias is None else (input, weight, bias))
    if input._data.ndim not in (d + 1, d + 2):
        raise RuntimeError(f"{op}: Expected {d + 1}D (unbatched) or {d + 2}D (batched) input to "
                           f"{op}, but got input of size: {_shape(input)}")
    if weight._data.ndim != d + 2:
        raise RuntimeError(f"{op}: weight should have {d + 2} dimensions (got weight of size "
                           f"{_shape(weight)} for input of size {_shape(input)})")
    idt, wdt = input._data.dtype, weight._data.dtype
    if idt != wdt:
        raise RuntimeError(f"{op}: Input type ({_FROM_NP[idt]}) and weight type "
                           f"({_FROM_NP[wdt]}) should be the same (input {_shape(input)}, "
                           f"weight {_shape(weight)})")
    if bias is not None and bias._data.dtype != idt:
        raise RuntimeError(f"{op}: Input type ({_FROM_NP[idt]}) and bias type "
                           f"({_FROM_NP[bias._data.dtype]}) should be the same")
    if idt == np.bool_:
        raise RuntimeError(f'{op}: "slow_conv2d_cpu" not implemented for \'Bool\'')


def _check_params(op, stride, padding, dilation, groups):
    if builtins.any(s <= 0 for s in stride):
        raise RuntimeError(f"{op}: non-positive stride is not supported (stride={list(stride)})")
    if builtins.any(p < 0 for p in padding):
        raise RuntimeError(f"{op}: negative padding is not supported (padding={list(padding)})")
    if builtins.any(x <= 0 for x in dilation):
        raise RuntimeError(f"{op}: dilation should be greater than zero (dilation="
                           f"{list(dilation)})")
    if groups <= 0:
        raise RuntimeError(f"{op}: non-positive groups is not supported (groups={groups})")


def _batched(input, d):
    """(batched input, whether a batch dim was added) for torch's unbatched inputs."""
    if input._data.ndim == d + 1:
        return input.unsqueeze(0), True
    return input, False


def _same_padding(input, weight, stride, dilation, op):
    """Per-dim (left, right) zero padding for padding='same' (extra on the right, as torch)."""
    if builtins.any(s != 1 for s in stride):
        raise RuntimeError(f"{op}: padding='same' is not supported for strided convolutions")
    pads = []
    for k, dl in zip(weight._data.shape[2:], dilation):
        total = dl * (k - 1)
        pads.append((total // 2, total - total // 2))
    return pads


def _conv_nd(op, d, input, weight, bias, stride, padding, dilation, groups):
    _check_common(op, input, weight, bias, d)
    stride = _int_tuple(stride, d, "stride", op)
    dilation = _int_tuple(dilation, d, "dilation", op)
    groups = operator.index(groups)
    x, unbatched = _batched(input, d)
    if isinstance(padding, str):
        if padding == "valid":
            pad = (0,) * d
        elif padding == "same":
            pairs = _same_padding(input, weight, stride, dilation, op)
            pad = tuple(left for left, _ in pairs)
            extra = [right - left for left, right in pairs]
            if builtins.any(extra):
                from .pooling import constant_pad_nd
                flat = []
                for e in reversed(extra):
                    flat += [0, e]
                x = constant_pad_nd(x, flat, 0)
        else:
            raise RuntimeError(f"{op}: Invalid padding string '{padding}', should be one of "
                               "['valid', 'same']")
    else:
        pad = _int_tuple(padding, d, "padding", op)
    _check_params(op, stride, pad, dilation, groups)
    xs, ws = x._data.shape, weight._data.shape
    cout = ws[0]
    if cout % groups:
        raise RuntimeError(f"{op}: Given groups={groups}, expected weight to be divisible by "
                           f"{groups} at dimension 0, but got weight of size {list(ws)} instead")
    if xs[1] != ws[1] * groups:
        raise RuntimeError(f"{op}: Given groups={groups}, weight of size {list(ws)}, expected "
                           f"input{list(xs)} to have {ws[1] * groups} channels, but got "
                           f"{xs[1]} channels instead")
    if bias is not None and (bias._data.ndim != 1 or bias._data.shape[0] != cout):
        raise RuntimeError(f"{op}: Given weight of size {list(ws)}, expected bias to be "
                           f"1-dimensional with {cout} elements, but got bias of size "
                           f"{_shape(bias)} instead")
    padded = [s + 2 * p for s, p in zip(xs[2:], pad)]
    eff = [dl * (k - 1) + 1 for k, dl in zip(ws[2:], dilation)]
    if builtins.any(e > s for e, s in zip(eff, padded)):
        raise RuntimeError(f"{op}: Calculated padded input size per channel: "
                           f"({' x '.join(map(str, padded))}). Kernel size: "
                           f"({' x '.join(map(str, eff))}). Kernel size can't be greater than "
                           f"actual input size (input {list(xs)}, weight {list(ws)})")
    dt = x._data.dtype
    if dt.kind in "iu" and dt != np.int64 and builtins.any(dl > 1 for dl in dilation):
        # NOTE: torch's dilated CPU kernel has float and int64 instances only.
        raise NotImplementedError(f'{op}: "slow_conv_dilated<>" not implemented for '
                                  f"'{_KERNEL_NAMES[dt.name]}'")
    out = _conv(x, weight, bias, stride, pad, dilation, groups)
    return out.squeeze(0) if unbatched else out


def conv1d(input, weight, bias=None, stride=1, padding=0, dilation=1, groups=1):
    """1-d convolution over (N, C, L) (or unbatched (C, L)) with weight (O, C/groups, K).

    >>> ember.conv1d(ember.ones(1, 1, 5), ember.ones(1, 1, 3)).tolist()
    [[[3.0, 3.0, 3.0]]]
    """
    return _conv_nd("conv1d", 1, input, weight, bias, stride, padding, dilation, groups)


def conv2d(input, weight, bias=None, stride=1, padding=0, dilation=1, groups=1):
    """2-d convolution over (N, C, H, W) with weight (O, C/groups, kH, kW).

    ``padding`` is an int, a pair, 'valid' or 'same'.

    >>> ember.conv2d(ember.ones(1, 1, 4, 4), ember.ones(2, 1, 3, 3), padding=1).shape
    torch.Size([1, 2, 4, 4])
    """
    return _conv_nd("conv2d", 2, input, weight, bias, stride, padding, dilation, groups)


def conv3d(input, weight, bias=None, stride=1, padding=0, dilation=1, groups=1):
    """3-d convolution over (N, C, D, H, W) with weight (O, C/groups, kD, kH, kW).

    >>> ember.conv3d(ember.ones(1, 1, 3, 3, 3), ember.ones(1, 1, 3, 3, 3)).item()
    27.0
    """
    return _conv_nd("conv3d", 3, input, weight, bias, stride, padding, dilation, groups)


def _conv_transpose_nd(op, d, input, weight, bias, stride, padding, output_padding, groups,
                       dilation):
    _check_common(op, input, weight, bias, d)
    stride = _int_tuple(stride, d, "stride", op)
    pad = _int_tuple(padding, d, "padding", op)
    out_pad = _int_tuple(output_padding, d, "output_padding", op)
    dilation = _int_tuple(dilation, d, "dilation", op)
    groups = operator.index(groups)
    _check_params(op, stride, pad, dilation, groups)
    x, unbatched = _batched(input, d)
    xs, ws = x._data.shape, weight._data.shape
    if builtins.any(o < 0 for o in out_pad):
        raise RuntimeError(f"{op}: negative output_padding is not supported")
    if builtins.any(o >= s and o >= dl for o, s, dl in zip(out_pad, stride, dilation)):
        raise RuntimeError(f"{op}: output padding must be smaller than either stride or "
                           f"dilation, but got output_padding={list(out_pad)}, stride="
                           f"{list(stride)}, dilation={list(dilation)}")
    if xs[1] != ws[0]:
        raise RuntimeError(f"{op}: Given transposed=1, weight of size {list(ws)}, expected "
                           f"input{list(xs)} to have {ws[0]} channels, but got {xs[1]} "
                           "channels instead")
    if ws[0] % groups:
        raise RuntimeError(f"{op}: Given groups={groups}, expected weight to be divisible by "
                           f"{groups} at dimension 0, but got weight of size {list(ws)} instead")
    cout = ws[1] * groups
    if bias is not None and (bias._data.ndim != 1 or bias._data.shape[0] != cout):
        raise RuntimeError(f"{op}: Given transposed=1, weight of size {list(ws)}, expected bias "
                           f"to be 1-dimensional with {cout} elements, but got bias of size "
                           f"{_shape(bias)} instead")
    spatial = tuple((i - 1) * s - 2 * p + dl * (k - 1) + o + 1 for i, s, p, dl, k, o in
                    zip(xs[2:], stride, pad, dilation, ws[2:], out_pad))
    if builtins.any(s <= 0 for s in spatial):
        raise RuntimeError(f"{op}: Given input size per channel: {list(xs[2:])}, calculated "
                           f"output size per channel: {list(spatial)}. Output size is too small")
    out = _conv_t(x, weight, bias, stride, pad, dilation, groups, spatial)
    return out.squeeze(0) if unbatched else out


def conv_transpose1d(input, weight, bias=None, stride=1, padding=0, output_padding=0, groups=1,
                     dilation=1):
    """1-d transposed convolution; weight is (C_in, C_out/groups, K).

    >>> ember.conv_transpose1d(ember.ones(1, 1, 3), ember.ones(1, 1, 2)).tolist()
    [[[1.0, 2.0, 2.0, 1.0]]]
    """
    return _conv_transpose_nd("conv_transpose1d", 1, input, weight, bias, stride, padding,
                              output_padding, groups, dilation)


def conv_transpose2d(input, weight, bias=None, stride=1, padding=0, output_padding=0, groups=1,
                     dilation=1):
    """2-d transposed convolution ("deconvolution"); weight is (C_in, C_out/groups, kH, kW).

    >>> ember.conv_transpose2d(ember.ones(1, 2, 3, 3), ember.ones(2, 4, 2, 2), stride=2).shape
    torch.Size([1, 4, 6, 6])
    """
    return _conv_transpose_nd("conv_transpose2d", 2, input, weight, bias, stride, padding,
                              output_padding, groups, dilation)


def conv_transpose3d(input, weight, bias=None, stride=1, padding=0, output_padding=0, groups=1,
                     dilation=1):
    """3-d transposed convolution; weight is (C_in, C_out/groups, kD, kH, kW)."""
    return _conv_transpose_nd("conv_transpose3d", 3, input, weight, bias, stride, padding,
                              output_padding, groups, dilation)

"""Activation functions: relu and friends, gelu/silu/mish, the shrinks, softplus,
softmax/softmin/log_softmax, glu, rrelu.

The hot ones (relu, leaky_relu, elu, gelu, silu, softplus, hardtanh, logsigmoid,
softmax, log_softmax ...) are primitives: a NumPy forward and one backward node whose
formula is written in ember ops (so double backward works).  float16/bfloat16 are
computed in float32 and rounded once, as torch's CPU kernels do.
"""

__all__ = ["celu", "celu_", "elu", "elu_", "gelu", "glu", "hardshrink", "hardsigmoid",
           "hardswish", "hardtanh", "hardtanh_", "leaky_relu", "leaky_relu_", "log_softmax",
           "logsigmoid", "mish", "prelu", "relu", "relu6", "relu_", "rrelu", "rrelu_", "selu",
           "selu_", "sigmoid", "silu", "softmax", "softmin", "softplus", "softshrink",
           "softsign", "tanh", "tanhshrink", "threshold", "threshold_"]

import math
import warnings

import numpy as np

from ... import _dtype as D
from ..._device import as_array, move_array
from ..._tensor import Tensor
from ...autograd.graph import Node
from ...ops import _util as U
from ...ops._inplace import apply_inplace
from ...ops._util import GRAD, record
from ...ops.pointwise._common import _typed as _wrapped_scalar
from ...ops.pointwise import erf, exp, sigmoid, tanh, where
from ...ops.reduction import sum as _sum

_F32 = np.dtype(np.float32)
_LOW = (np.dtype(np.float16), D.bfloat16.np)
_KERNEL_NAMES = {"bool": "Bool", "uint8": "Byte", "int8": "Char", "int16": "Short",
                 "int32": "Int", "int64": "Long"}
_SQRT_2_OVER_PI = math.sqrt(2.0 / math.pi)
_INV_SQRT_2 = 1.0 / math.sqrt(2.0)
_INV_SQRT_2PI = 1.0 / math.sqrt(2.0 * math.pi)
_SELU_ALPHA = 1.6732632423543772848170429916717
_SELU_SCALE = 1.0507009873554804934193349852946


# ----------------------------------------------------------------------------------
# shared machinery
# ----------------------------------------------------------------------------------

def _float_input(op, input, kernel=None):
    """The input's array for a float-only kernel (float32 for float16/bfloat16)."""
    U.check_tensor(input, op)
    arr = input._data
    if arr.dtype.kind != "f" and arr.dtype not in _LOW:
        name = _KERNEL_NAMES.get(str(arr.dtype), str(arr.dtype))
        raise NotImplementedError(f'"{kernel or op}" not implemented for \'{name}\' '
                                  f"(input shape {list(arr.shape)})")
    return arr.astype(_F32) if arr.dtype in _LOW else arr


def _scalar(value, arr):
    """A Python number as a 0-d array of ``arr``'s dtype (keeps float32 in float32); a
    NumPy scalar for a device array (CuPy refuses NumPy arrays)."""
    if type(arr) is np.ndarray:
        return np.asarray(value, dtype=arr.dtype)
    return arr.dtype.type(value)


def _const(arr, like):
    return U.wrap(as_array(arr), like._device)


def _unary(op, node_cls, input, kernel, attrs=None, save="input", kernel_name=None):
    """Run ``kernel(array) -> array`` on a float input and record ``node_cls``.

    ``save``: "input", "result" or None -- what the backward formula needs.
    """
    arr = _float_input(op, input, kernel_name)
    out = kernel(arr)
    dtype = input._data.dtype
    if out.dtype != dtype:
        out = out.astype(dtype)
    res = U.wrap(out, input._device)
    if GRAD.enabled and input._rg:
        saved = None if save is None else ((input,) if save == "input" else (res,))
        node = record(node_cls, res, (input,), saved)
        if attrs:
            node.__dict__.update(attrs)
    return res


def _maybe_inplace(op, fn, input, inplace, *args):
    """``fn(input, *args)``, written into ``input`` when ``inplace`` (torch's ``op_``)."""
    if not inplace:
        return fn(input, *args)
    U.check_tensor(input, op)
    return apply_inplace(input, op, lambda s: fn(s, *args), (input,))


def _mask(cond, like):
    """A 0/1 constant of ``like``'s dtype (bool masks would promote the gradient)."""
    return _const(cond.astype(like._data.dtype), like)


# ----------------------------------------------------------------------------------
# relu family
# ----------------------------------------------------------------------------------

class ReluBackward0(Node):
    def backward(self, grad):
        (result,) = self.saved_tensors
        return (grad * _mask(result._data > 0, grad),)


def _relu(input):
    U.check_tensor(input, "relu")
    arr = input._data
    if arr.dtype == np.bool_:
        raise RuntimeError("relu: \"clamp_min_cpu\" not implemented for 'Bool'")
    zero = np.zeros((), arr.dtype) if type(arr) is np.ndarray else arr.dtype.type(0)
    res = U.wrap(np.maximum(arr, zero), input._device)
    if GRAD.enabled and input._rg:
        record(ReluBackward0, res, (input,), (res,))
    return res


def relu(input, inplace=False):
    """max(input, 0) elementwise.

    >>> F.relu(ember.tensor([-1., 2.]))
    tensor([0., 2.])
    """
    return _maybe_inplace("relu_", _relu, input, inplace)


def relu_(input):
    """In-place :func:`relu`."""
    return relu(input, inplace=True)


class HardtanhBackward0(Node):
    def backward(self, grad):
        (x,) = self.saved_tensors
        a = x._data
        return (grad * _mask((a > self.lo) & (a < self.hi), grad),)


def _hardtanh(input, min_val, max_val):
    U.check_tensor(input, "hardtanh")
    arr = input._data
    if arr.dtype == np.bool_:
        raise RuntimeError("hardtanh: \"clamp_cpu\" not implemented for 'Bool'")
    if arr.dtype.kind in "iu" and (isinstance(min_val, float) or isinstance(max_val, float)):
        lo, hi = math.ceil(min_val), math.floor(max_val)
    else:
        lo, hi = min_val, max_val
    out = np.minimum(np.maximum(arr, _scalar(lo, arr)), _scalar(hi, arr))
    res = U.wrap(out, input._device)
    if GRAD.enabled and input._rg:
        node = record(HardtanhBackward0, res, (input,), (input,))
        node.lo, node.hi = min_val, max_val
    return res


def hardtanh(input, min_val=-1.0, max_val=1.0, inplace=False):
    """Clamp to [min_val, max_val] (gradient zero at and outside the bounds).

    >>> F.hardtanh(ember.tensor([-2., 0.5, 2.]))
    tensor([-1.0000,  0.5000,  1.0000])
    """
    if min_val > max_val:
        raise ValueError("min_val cannot be greater than max_val")
    return _maybe_inplace("hardtanh_", _hardtanh, input, inplace, min_val, max_val)


def hardtanh_(input, min_val=-1.0, max_val=1.0):
    return hardtanh(input, min_val, max_val, inplace=True)


def relu6(input, inplace=False):
    """min(max(input, 0), 6).

    >>> F.relu6(ember.tensor([-1., 7.]))
    tensor([0., 6.])
    """
    return hardtanh(input, 0.0, 6.0, inplace)


class LeakyReluBackward0(Node):
    def backward(self, grad):
        (x,) = self.saved_tensors
        a = x._data
        scale = np.where(a > 0, _scalar(1, a), _scalar(self.slope, a))
        return (grad * _const(scale, grad),)


def _leaky_relu(input, negative_slope):
    def kernel(a):
        return np.where(a > 0, a, a * _scalar(negative_slope, a))
    return _unary("leaky_relu", LeakyReluBackward0, input, kernel, {"slope": negative_slope})


def leaky_relu(input, negative_slope=0.01, inplace=False):
    """input where positive, ``negative_slope * input`` elsewhere.

    >>> F.leaky_relu(ember.tensor([-1., 2.]), 0.1)
    tensor([-0.1000,  2.0000])
    """
    return _maybe_inplace("leaky_relu_", _leaky_relu, input, inplace, negative_slope)


def leaky_relu_(input, negative_slope=0.01):
    return leaky_relu(input, negative_slope, inplace=True)


def prelu(input, weight):
    """Leaky relu with a learned slope per channel (dim 1) or one shared slope.

    >>> F.prelu(ember.tensor([[-1., 2.]]), ember.tensor([0.25]))
    tensor([[-0.2500,  2.0000]])
    """
    U.check_tensor(input, "prelu")
    U.check_tensor(weight, "prelu", "weight")
    U.common_device("prelu", (input, weight))
    n = weight.numel()
    if weight.ndim > 1:
        raise RuntimeError(f"prelu: weight must be 1-d or a scalar, got shape "
                           f"{list(weight.shape)}")
    if n != 1:
        channels = input.shape[1] if input.ndim >= 2 else (input.shape[0] if input.ndim else 1)
        if input.ndim == 0 or n != channels:
            raise RuntimeError(f"prelu: Mismatch of parameter numbers and input channel size. "
                               f"Found parameter numbers = {n} and channel size = {channels} "
                               f"(input shape {list(input.shape)}).")
        if input.ndim >= 2:
            weight = weight.reshape((n,) + (1,) * (input.ndim - 2))
    elif weight.ndim == 1:
        weight = weight.reshape(())
    return where(input > 0, input, weight * input)


class EluBackward0(Node):
    def backward(self, grad):
        (x,) = self.saved_tensors
        a = x._data
        pos = _mask(a > 0, grad)
        # negative side: d/dx scale*alpha*(exp(x*input_scale)-1)
        neg = exp(x * self.input_scale) * (self.alpha * self.scale * self.input_scale)
        return (grad * (pos * self.scale + (1 - pos) * neg),)


def _elu_kernel(alpha, scale, input_scale):
    def kernel(a):
        neg = np.expm1(np.minimum(a, 0) * _scalar(input_scale, a)) * _scalar(alpha * scale, a)
        return np.where(a > 0, a * _scalar(scale, a), neg)
    return kernel


def _elu(input, alpha, scale=1.0, input_scale=1.0, op="elu"):
    return _unary(op, EluBackward0, input, _elu_kernel(alpha, scale, input_scale),
                  {"alpha": alpha, "scale": scale, "input_scale": input_scale})


def elu(input, alpha=1.0, inplace=False):
    """input where positive, ``alpha * (exp(input) - 1)`` elsewhere.

    >>> F.elu(ember.tensor([-1., 2.]))
    tensor([-0.6321,  2.0000])
    """
    return _maybe_inplace("elu_", _elu, input, inplace, alpha)


def elu_(input, alpha=1.0):
    return elu(input, alpha, inplace=True)


def selu(input, inplace=False):
    """scale * elu(input, alpha) with the self-normalising constants.

    >>> F.selu(ember.tensor([1.]))
    tensor([1.0507])
    """
    return _maybe_inplace("selu_", lambda x: _elu(x, _SELU_ALPHA, _SELU_SCALE, 1.0, "selu"),
                          input, inplace)


def selu_(input):
    return selu(input, inplace=True)


def celu(input, alpha=1.0, inplace=False):
    """max(0, x) + min(0, alpha * (exp(x / alpha) - 1)).

    >>> F.celu(ember.tensor([-1., 2.]), 2.0)
    tensor([-0.7869,  2.0000])
    """
    if alpha == 0:
        raise RuntimeError("celu: ZeroDivisionError: alpha must not be 0")
    return _maybe_inplace("celu_", lambda x: _elu(x, alpha, 1.0, 1.0 / alpha, "celu"),
                          input, inplace)


def celu_(input, alpha=1.0):
    return celu(input, alpha, inplace=True)


# ----------------------------------------------------------------------------------
# gelu / silu / mish / sigmoid-like
# ----------------------------------------------------------------------------------

def _erf_array(a):
    # the kernel itself (on the array's own device), float16/bfloat16 computed in float32
    from ...ops.pointwise._common import _in_float32
    from ...ops.pointwise._erf import erf as _erf_kernel
    return _in_float32(_erf_kernel)(a)


# Abramowitz & Stegun 7.1.26: erfc(z) ~ t * poly(t) * exp(-z^2), t = 1 / (1 + p z), z >= 0,
# absolute error below 1.5e-7 -- about one float32 ulp of the normal CDF.
_AS_P = 0.3275911
_AS_A = (0.254829592, -0.284496736, 1.421413741, -1.453152027, 1.061405429)


def _normal_cdf32(a):
    """Phi(a) for a float32 array, to float32 precision, in a few passes."""
    return _normal_cdf_density32(a)[0]


def _normal_cdf_density32(a):
    """(Phi(a), exp(-a^2 / 2)) for a float32 array: the second comes free with the first
    and is what GELU's backward needs, so the forward keeps both."""
    if a.ndim == 0:   # NumPy gives scalars for 0-d arrays; out= needs arrays
        cdf, density = _normal_cdf_density32(a.reshape(1))
        return cdf.reshape(()), density.reshape(())
    z = np.abs(a) * np.float32(_INV_SQRT_2)
    t = np.float32(1.0) / (z * np.float32(_AS_P) + np.float32(1.0))
    poly = t * np.float32(_AS_A[4])
    for c in _AS_A[3::-1]:
        poly += np.float32(c)
        poly *= t
    z *= z
    np.negative(z, out=z)
    np.exp(z, out=z)                     # exp(-a^2 / 2)
    poly *= z
    poly *= np.float32(0.5)              # upper tail: 0.5 * erfc(|a| / sqrt 2)
    return np.where(a >= 0, np.float32(1.0) - poly, poly), z


def _normal_cdf(a):
    if a.dtype == _F32:
        return _normal_cdf32(a)
    return (_erf_array(a * _scalar(_INV_SQRT_2, a)) + 1) * _scalar(0.5, a)


def _gelu_grad_array(a, approximate):
    if approximate == "tanh":
        inner = (a + a * a * a * _scalar(0.044715, a)) * _scalar(_SQRT_2_OVER_PI, a)
        t = np.tanh(inner)
        d_inner = (a * a * _scalar(3 * 0.044715, a) + 1) * _scalar(_SQRT_2_OVER_PI, a)
        return (t + 1) * _scalar(0.5, a) + a * _scalar(0.5, a) * (1 - t * t) * d_inner
    pdf = np.exp(a * a * _scalar(-0.5, a)) * _scalar(_INV_SQRT_2PI, a)
    return _normal_cdf(a) + a * pdf


class GeluBackward0(Node):
    _cache = None      # (Phi(x), exp(-x^2/2)) kept by a float32 forward

    def backward(self, grad):
        (x,) = self.saved_tensors
        if not GRAD.enabled:
            a = x._data
            if self._cache is not None:
                cdf, density = self._cache
                g = density * np.float32(_INV_SQRT_2PI)
                g *= a
                g += cdf
            else:
                work = a.astype(_F32) if a.dtype in _LOW else a
                g = _gelu_grad_array(work, self.approximate).astype(a.dtype, copy=False)
            return (grad * _const(g, grad),)
        if self.approximate == "tanh":
            inner = (x + x * x * x * 0.044715) * _SQRT_2_OVER_PI
            t = tanh(inner)
            d_inner = (x * x * (3 * 0.044715) + 1) * _SQRT_2_OVER_PI
            return (grad * ((t + 1) * 0.5 + x * 0.5 * (1 - t * t) * d_inner),)
        cdf = (erf(x * _INV_SQRT_2) + 1) * 0.5
        pdf = exp(x * x * -0.5) * _INV_SQRT_2PI
        return (grad * (cdf + x * pdf),)


def gelu(input, approximate="none"):
    """x * Phi(x) (``approximate='tanh'``: the tanh approximation).

    >>> F.gelu(ember.tensor([1.]))
    tensor([0.8413])
    """
    if approximate not in ("none", "tanh"):
        raise RuntimeError(f"gelu: approximate argument must be either none or tanh, got "
                           f"{approximate!r}")

    attrs = {"approximate": approximate}

    def kernel(a):
        half = _scalar(0.5, a)
        if approximate == "tanh":
            inner = (a + a * a * a * _scalar(0.044715, a)) * _scalar(_SQRT_2_OVER_PI, a)
            return a * half * (np.tanh(inner) + 1)
        if a.dtype == _F32 and a is input._data:
            cdf, density = _normal_cdf_density32(a)
            if GRAD.enabled and input._rg:
                attrs["_cache"] = (cdf, density)
            return a * cdf
        return a * _normal_cdf(a)
    return _unary("gelu", GeluBackward0, input, kernel, attrs, kernel_name="GeluKernelImpl")


def _sigmoid_array(a):
    # exp of -|a| only: no overflow for large |a|
    e = np.exp(-np.abs(a))
    one = _scalar(1, a)
    return np.where(a >= 0, one / (one + e), e / (one + e))


class SiluBackward0(Node):
    def backward(self, grad):
        (x,) = self.saved_tensors
        s = sigmoid(x)
        return (grad * (s * (x * (1 - s) + 1)),)


def _silu(input):
    return _unary("silu", SiluBackward0, input, lambda a: a * _sigmoid_array(a))


def silu(input, inplace=False):
    """x * sigmoid(x).

    >>> F.silu(ember.tensor([1.]))
    tensor([0.7311])
    """
    return _maybe_inplace("silu_", _silu, input, inplace)


class SoftplusBackward0(Node):
    def backward(self, grad):
        (x,) = self.saved_tensors
        bx = x * self.beta
        active = _mask(bx._data <= self.threshold, grad)
        return (grad * (sigmoid(bx) * active + (1 - active)),)


def _softplus_array(a, beta, threshold):
    bx = a * _scalar(beta, a)
    soft = (np.maximum(bx, 0) + np.log1p(np.exp(-np.abs(bx)))) / _scalar(beta, a)
    return np.where(bx > threshold, a, soft)


def softplus(input, beta=1.0, threshold=20.0):
    """log(1 + exp(beta * x)) / beta, linear where beta * x > threshold.

    >>> F.softplus(ember.tensor([0.]))
    tensor([0.6931])
    """
    return _unary("softplus", SoftplusBackward0, input,
                  lambda a: _softplus_array(a, beta, threshold),
                  {"beta": beta, "threshold": threshold})


def mish(input, inplace=False):
    """x * tanh(softplus(x)).

    >>> F.mish(ember.tensor([1.]))
    tensor([0.8651])
    """
    return _maybe_inplace("mish_", lambda x: x * tanh(softplus(x)), input, inplace)


class LogSigmoidBackward0(Node):
    def backward(self, grad):
        (x,) = self.saved_tensors
        return (grad * sigmoid(-x),)


def logsigmoid(input):
    """log(sigmoid(x)), computed without overflow.

    >>> F.logsigmoid(ember.tensor([0.]))
    tensor([-0.6931])
    """
    return _unary("logsigmoid", LogSigmoidBackward0, input,
                  lambda a: np.minimum(a, 0) - np.log1p(np.exp(-np.abs(a))),
                  kernel_name="log_sigmoid_forward_cpu")


class HardsigmoidBackward0(Node):
    def backward(self, grad):
        (x,) = self.saved_tensors
        a = x._data
        # NOTE: torch multiplies by the float32 constant 1/6, even for float64.
        sixth = _scalar(np.float32(1.0) / np.float32(6.0), a)
        return (grad * _const(((a > -3) & (a < 3)).astype(a.dtype) * sixth, grad),)


def _hardsigmoid(input):
    return _unary("hardsigmoid", HardsigmoidBackward0, input,
                  lambda a: np.clip(a + _scalar(3, a), 0, 6) / _scalar(6, a))


def hardsigmoid(input, inplace=False):
    """relu6(x + 3) / 6.

    >>> F.hardsigmoid(ember.tensor([0.]))
    tensor([0.5000])
    """
    return _maybe_inplace("hardsigmoid_", _hardsigmoid, input, inplace)


class HardswishBackward0(Node):
    def backward(self, grad):
        (x,) = self.saved_tensors
        a = x._data
        # NOTE: torch's slope is x/3 + 1/2 on [-3, 3] (both ends closed), 1 above.
        mid = _mask((a >= -3) & (a <= 3), grad)
        high = _mask(a > 3, grad)
        return (grad * (mid * (x / 3 + 0.5) + high),)


def _hardswish(input):
    return _unary("hardswish", HardswishBackward0, input,
                  lambda a: a * np.clip(a + _scalar(3, a), 0, 6) / _scalar(6, a))


def hardswish(input, inplace=False):
    """x * relu6(x + 3) / 6.

    >>> F.hardswish(ember.tensor([1.]))
    tensor([0.6667])
    """
    return _maybe_inplace("hardswish_", _hardswish, input, inplace)


# ----------------------------------------------------------------------------------
# shrinks, threshold, softsign
# ----------------------------------------------------------------------------------

class HardshrinkBackward0(Node):
    def backward(self, grad):
        (x,) = self.saved_tensors
        a = x._data
        return (grad * _mask((a > self.lambd) | (a < -self.lambd), grad),)


def hardshrink(input, lambd=0.5):
    """x where |x| > lambd, else 0.

    >>> F.hardshrink(ember.tensor([-1., 0.2, 1.]))
    tensor([-1.,  0.,  1.])
    """
    def kernel(a):
        return a * ((a > lambd) | (a < -lambd)).astype(a.dtype)
    return _unary("hardshrink", HardshrinkBackward0, input, kernel, {"lambd": lambd})


class SoftshrinkBackward0(HardshrinkBackward0):
    pass


def softshrink(input, lambd=0.5):
    """x - lambd above lambd, x + lambd below -lambd, 0 between.

    >>> F.softshrink(ember.tensor([-1., 0.2, 1.]))
    tensor([-0.5000,  0.0000,  0.5000])
    """
    if lambd < 0:
        raise RuntimeError(f"softshrink: lambda must be greater or equal to 0, but found to be "
                           f"{lambd}.")

    def kernel(a):
        lam = _scalar(lambd, a)
        return np.where(a > lam, a - lam, np.where(a < -lam, a + lam, _scalar(0, a)))
    return _unary("softshrink", SoftshrinkBackward0, input, kernel, {"lambd": lambd})


def tanhshrink(input):
    """x - tanh(x).

    >>> F.tanhshrink(ember.tensor([1.]))
    tensor([0.2384])
    """
    U.check_tensor(input, "tanhshrink")
    return input - tanh(input)


def softsign(input):
    """x / (1 + |x|).

    >>> F.softsign(ember.tensor([1.]))
    tensor([0.5000])
    """
    U.check_tensor(input, "softsign")
    return input / (input.abs() + 1)


class ThresholdBackward0(Node):
    def backward(self, grad):
        (x,) = self.saved_tensors
        return (grad * _mask(x._data > self.threshold, grad),)


def _threshold(input, threshold, value):
    U.check_tensor(input, "threshold")
    arr = input._data
    if arr.dtype == np.bool_:
        raise RuntimeError("threshold: \"threshold_cpu\" not implemented for 'Bool'")
    if arr.dtype.kind in "iu":
        info = np.iinfo(arr.dtype)
        for v in (threshold, value):
            if not info.min <= v <= info.max:
                raise RuntimeError(f"threshold: value {v} cannot be converted to type "
                                   f"{arr.dtype} without overflow")
    out = np.where(arr > threshold, arr, _wrapped_scalar(value, arr.dtype, arr))
    res = U.wrap(as_array(out).astype(arr.dtype, copy=False), input._device)
    if GRAD.enabled and input._rg:
        record(ThresholdBackward0, res, (input,), (input,)).threshold = threshold
    return res


def threshold(input, threshold, value, inplace=False):
    """x where x > threshold, else ``value``.

    >>> F.threshold(ember.tensor([0.5, 2.]), 1.0, -1.0)
    tensor([-1.,  2.])
    """
    return _maybe_inplace("threshold_", _threshold, input, inplace, threshold, value)


def threshold_(input, threshold, value):
    return globals()["threshold"](input, threshold, value, inplace=True)


def rrelu(input, lower=1.0 / 8, upper=1.0 / 3, training=False, inplace=False):
    """Randomized leaky relu: slopes drawn from U(lower, upper) in training, their mean
    in eval.

    >>> F.rrelu(ember.tensor([-1., 2.]))
    tensor([-0.2292,  2.0000])
    """
    if not training:
        return leaky_relu(input, (lower + upper) / 2, inplace)
    U.check_tensor(input, "rrelu")
    from ..._random import numpy_generator
    gen = numpy_generator(None, "rrelu")
    arr = input._data
    draw = gen.uniform(lower, upper, size=arr.shape).astype(_F32 if arr.dtype in _LOW
                                                            else arr.dtype)
    if input._device.type == "cuda":
        # NOTE: ember's generator draws on the host (one seeded stream for every device);
        # the slopes are copied to the device once.
        draw = move_array(draw, input._device)
    slopes = np.where(arr >= 0, _scalar(1, draw), draw).astype(arr.dtype)
    noise = _const(slopes, input)

    def fn(x):
        return x * noise
    return _maybe_inplace("rrelu_", fn, input, inplace)


def rrelu_(input, lower=1.0 / 8, upper=1.0 / 3, training=False):
    return rrelu(input, lower, upper, training, inplace=True)


def glu(input, dim=-1):
    """a * sigmoid(b), where a and b are the halves of ``input`` along ``dim``.

    >>> F.glu(ember.tensor([1., 0.]))
    tensor([0.5000])
    """
    U.check_tensor(input, "glu")
    if input.ndim == 0:
        raise RuntimeError("glu: glu does not support scalars because halving size must be "
                           "even")
    d = U.wrap_dim(dim, input.ndim, "glu")
    n = input.shape[d]
    if n % 2:
        raise RuntimeError(f"glu: Halving dimension must be even, but dimension {d} is size "
                           f"{n}")
    a = input.narrow(d, 0, n // 2)
    b = input.narrow(d, n // 2, n // 2)
    return a * sigmoid(b)


# ----------------------------------------------------------------------------------
# softmax / softmin / log_softmax
# ----------------------------------------------------------------------------------

def _softmax_dim(op, ndim, stacklevel):
    # NOTE: torch's deprecated implicit dim: 0 for 0-, 1- and 3-d inputs, else 1.
    warnings.warn(f"Implicit dimension choice for {op} has been deprecated. Change the call "
                  "to include dim=X as an argument.", UserWarning, stacklevel=stacklevel)
    return 0 if ndim in (0, 1, 3) else 1


def _softmax_prepare(op, input, dim, dtype, stacklevel):
    U.check_tensor(input, op)
    if dim is None:
        dim = _softmax_dim(op, input.ndim, stacklevel + 1)
    if dtype is not None:
        input = input.to(dtype)
    arr = input._data
    if arr.dtype.kind != "f" and arr.dtype not in _LOW:
        name = _KERNEL_NAMES.get(str(arr.dtype), str(arr.dtype))
        raise RuntimeError(f'{op}: "{op}_lastdim_kernel_impl" not implemented for \'{name}\'')
    d = U.wrap_dim(dim, arr.ndim, op)
    return input, d


class SoftmaxBackward0(Node):
    def backward(self, grad):
        (y,) = self.saved_tensors
        gy = grad * y
        return (gy - y * _sum(gy, self.dim, keepdim=True),)


class LogSoftmaxBackward0(Node):
    def backward(self, grad):
        (y,) = self.saved_tensors
        return (grad - exp(y) * _sum(grad, self.dim, keepdim=True),)


def _softmax_array(a, d, log):
    work = a.astype(_F32) if a.dtype in _LOW else a
    if work.ndim == 0:
        work = work.reshape(1)
        d = 0
    shifted = work - np.max(work, axis=d, keepdims=True)
    if log:
        out = shifted - np.log(np.sum(np.exp(shifted), axis=d, keepdims=True))
    else:
        out = np.exp(shifted)
        out /= np.sum(out, axis=d, keepdims=True)
    return out.reshape(a.shape).astype(a.dtype, copy=False)


def _softmax_primitive(op, node_cls, input, d, log):
    arr = input._data
    if arr.size == 0:
        out = arr.copy()
    else:
        out = _softmax_array(arr, d if arr.ndim else 0, log)
    res = U.wrap(out, input._device)
    if GRAD.enabled and input._rg:
        record(node_cls, res, (input,), (res,)).dim = d if arr.ndim else 0
    return res


def softmax(input, dim=None, _stacklevel=3, dtype=None):
    """exp(x) / sum(exp(x)) along ``dim``; ``dtype`` casts the input first.

    >>> F.softmax(ember.tensor([0., 0.]), dim=0)
    tensor([0.5000, 0.5000])
    """
    input, d = _softmax_prepare("softmax", input, dim, dtype, _stacklevel)
    return _softmax_primitive("softmax", SoftmaxBackward0, input, d, False)


def softmin(input, dim=None, _stacklevel=3, dtype=None):
    """softmax(-x) along ``dim``.

    >>> F.softmin(ember.tensor([0., 0.]), dim=0)
    tensor([0.5000, 0.5000])
    """
    input, d = _softmax_prepare("softmin", input, dim, dtype, _stacklevel)
    return _softmax_primitive("softmin", SoftmaxBackward0, -input, d, False)


def log_softmax(input, dim=None, _stacklevel=3, dtype=None):
    """log(softmax(x)) along ``dim``, computed stably.

    >>> F.log_softmax(ember.tensor([0., 0.]), dim=0)
    tensor([-0.6931, -0.6931])
    """
    input, d = _softmax_prepare("log_softmax", input, dim, dtype, _stacklevel)
    return _softmax_primitive("log_softmax", LogSoftmaxBackward0, input, d, True)


# ----------------------------------------------------------------------------------
# Tensor methods (only where no op family defines them)
# ----------------------------------------------------------------------------------

def _softmax_method(self, dim, dtype=None):
    return softmax(self, dim, dtype=dtype)


def _log_softmax_method(self, dim, dtype=None):
    return log_softmax(self, dim, dtype=dtype)


def _hardshrink_method(self, lambd=0.5):
    return hardshrink(self, lambd)


_METHODS = {"relu": relu, "relu_": relu_, "softmax": _softmax_method,
            "log_softmax": _log_softmax_method, "hardshrink": _hardshrink_method, "prelu": prelu}
for _name, _fn in _METHODS.items():
    if not hasattr(Tensor, _name):
        setattr(Tensor, _name, _fn)

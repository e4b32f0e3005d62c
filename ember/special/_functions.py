"""torch.special functions that have no top-level op: the scaled complementary error
function (a primitive, since exp(x^2) * erfc(x) overflows long before the product does),
and compositions of existing ops."""
import math

import numpy as np

from .._device import array_like, as_array
from .._tensor import Tensor
from ..autograd.graph import Node
from ..ops import _util as U
from ..ops._util import GRAD, record
from ..ops.pointwise import _erf
from ..ops.pointwise._common import _finish, _wrap

_SQRT2 = math.sqrt(2.0)
_TWO_OVER_SQRT_PI = 2.0 / math.sqrt(math.pi)
_INV_SQRT_2PI = 1.0 / math.sqrt(2.0 * math.pi)


def _erfcx_kernel(arr):
    x = arr.astype(np.float64)
    out = np.empty_like(x)
    with np.errstate(all="ignore"):
        small = x < 25.0
        out[small] = np.exp(x[small] ** 2) * _erf.erfc(x[small])
        big = ~small
        xb = x[big]
        # asymptotic series 1/(x sqrt(pi)) * (1 - 1/(2x^2) + 3/(4x^4) - 15/(8x^6) ...)
        inv2 = 1.0 / (2.0 * xb * xb)
        series = 1.0 - inv2 * (1.0 - 3.0 * inv2 * (1.0 - 5.0 * inv2 * (1.0 - 7.0 * inv2)))
        out[big] = series / (xb * math.sqrt(math.pi))
        out[np.isnan(x)] = np.nan
    return out.astype(arr.dtype, copy=False)


class SpecialErfcxBackward0(Node):
    def backward(self, grad):
        x, result = self.saved_tensors
        return (grad * (2.0 * x * result - _TWO_OVER_SQRT_PI),)


def erfcx(input, *, out=None):
    """exp(input^2) * erfc(input), accurate where erfc underflows."""
    U.check_tensor(input, "special_erfcx")
    if input.is_complex():
        raise NotImplementedError('"erfcx_cpu" not implemented for complex inputs')
    res = _wrap(_erfcx_kernel(U.as_float_array(input)), input._device)
    if GRAD.enabled and input._rg:
        record(SpecialErfcxBackward0, res, (input,), (input, res))
    return _finish(res, out, "special_erfcx")


def _ops():
    import ember
    return ember


def ndtr(input, *, out=None):
    """The standard normal CDF: (1 + erf(x / sqrt(2))) / 2."""
    E = _ops()
    U.check_tensor(input, "special_ndtr")
    return _finish(0.5 * E.erfc(-input / _SQRT2), out, "special_ndtr")


def _ndtri_kernel(arr):
    """The normal quantile: sqrt(2) erfinv(2p - 1) in the body; in the far tails, where
    2p - 1 rounds to -1, Newton steps on log Phi(x) = log p from x = -sqrt(-2 log p)."""
    p = arr.astype(np.float64)
    with np.errstate(all="ignore"):
        out = _SQRT2 * _erf.erfinv(2.0 * p - 1.0)
        for tail, sign in ((p < 1e-3, 1.0), (p > 1.0 - 1e-3, -1.0)):
            q = np.where(sign > 0, p, 1.0 - p)[tail]
            q_ok = (q > 0) & (q < 1e-3)
            x = -np.sqrt(-2.0 * np.log(np.where(q_ok, q, 0.5)))
            target = np.log(np.where(q_ok, q, 0.5))
            for _ in range(8):
                logcdf = _log_ndtr_kernel(x)
                # d/dx log Phi = phi / Phi = exp(-x^2/2 - log Phi) / sqrt(2 pi)
                x = x - (logcdf - target) / (np.exp(-0.5 * x * x - logcdf) * _INV_SQRT_2PI)
            vals = out[tail]
            vals[q_ok] = (sign * x)[q_ok]
            out[tail] = vals
    return out.astype(arr.dtype, copy=False)


class SpecialNdtriBackward0(Node):
    def backward(self, grad):
        (result,) = self.saved_tensors
        return (grad * (0.5 * result * result).exp() / _INV_SQRT_2PI,)


def ndtri(input, *, out=None):
    """The inverse of the standard normal CDF."""
    U.check_tensor(input, "special_ndtri")
    if input.is_complex():
        raise NotImplementedError('"ndtri_cpu" not implemented for complex inputs')
    res = _wrap(_ndtri_kernel(U.as_float_array(input)), input._device)
    if GRAD.enabled and input._rg:
        record(SpecialNdtriBackward0, res, (input,), (res,))
    return _finish(res, out, "special_ndtri")


class SpecialLogNdtrBackward0(Node):
    def backward(self, grad):
        x, result = self.saved_tensors
        # d/dx log Phi(x) = phi(x) / Phi(x) = exp(-x^2/2 - log Phi(x)) / sqrt(2 pi)
        return (grad * (-0.5 * x * x - result).exp() * _INV_SQRT_2PI,)


def _log_ndtr_kernel(arr):
    x = arr.astype(np.float64)
    with np.errstate(all="ignore"):
        t = -x / _SQRT2
        lower = x < -1.0
        # lower tail: log(erfc(t) / 2) = log(erfcx(t) / 2) - t^2; elsewhere log1p(-Q(x))
        tail = np.log(_erfcx_kernel(np.where(lower, t, 0.0)) / 2.0) - t * t
        body = np.log1p(-0.5 * _erf.erfc(np.where(lower, 0.0, x) / _SQRT2))
        out = np.where(lower, tail, body)
    return out.astype(arr.dtype, copy=False)


def log_ndtr(input, *, out=None):
    """log of the standard normal CDF, accurate far in the lower tail."""
    U.check_tensor(input, "special_log_ndtr")
    if input.is_complex():
        raise NotImplementedError('"log_ndtr_cpu" not implemented for complex inputs')
    res = _wrap(_log_ndtr_kernel(U.as_float_array(input)), input._device)
    if GRAD.enabled and input._rg:
        record(SpecialLogNdtrBackward0, res, (input,), (input, res))
    return _finish(res, out, "special_log_ndtr")


class SpecialEntrBackward0(Node):
    def backward(self, grad):
        (x,) = self.saved_tensors
        return (grad * -(1.0 + x.log()),)


def entr(input, *, out=None):
    """-x log x for x > 0, 0 at 0, -inf for x < 0."""
    U.check_tensor(input, "special_entr")
    if input.is_complex():
        raise NotImplementedError('"entr_cpu" not implemented for complex inputs')
    x = U.as_float_array(input)
    with np.errstate(all="ignore"):
        value = np.where(x > 0, -x * np.log(np.where(x > 0, x, 1)), 0).astype(x.dtype)
        value = np.where(x < 0, -np.inf, value).astype(x.dtype)
        value = np.where(np.isnan(x), x, value)
    res = _wrap(value, input._device)
    if GRAD.enabled and input._rg:
        record(SpecialEntrBackward0, res, (input,), (input,))
    return _finish(res, out, "special_entr")


class SpecialXlog1PyBackward0(Node):
    def backward(self, grad):
        x, y = self.saved_tensors
        gx = grad * y.log1p() if self.next_functions[0][0] is not None else None
        gy = None
        if len(self.next_functions) > 1 and self.next_functions[1][0] is not None:
            gy = grad * x / (y + 1.0)
        return gx, gy


def xlog1py(input, other, *, out=None):
    """input * log1p(other), 0 where input is 0 (unless other is NaN)."""
    from ..ops.pointwise._common import _broadcast
    if not isinstance(input, Tensor) and not isinstance(other, Tensor):
        raise TypeError("special_xlog1py(): expected a Tensor argument")
    a, b, device = U.prep_binary("special_xlog1py", input, other, float_result=True)
    _broadcast("special_xlog1py", a, b)
    with np.errstate(all="ignore"):
        value = as_array(a * np.log1p(b))
        value = np.where((a == 0) & ~np.isnan(b), 0, value).astype(value.dtype)
    res = _wrap(value, device)
    tensors = tuple(t if isinstance(t, Tensor) else None for t in (input, other))
    if GRAD.enabled and any(t is not None and t._rg for t in tensors):
        saved = tuple(t if isinstance(t, Tensor) else
                      _wrap(array_like(t, value, value.dtype), device)
                      for t in (input, other))
        record(SpecialXlog1PyBackward0, res, tensors, saved)
    return _finish(res, out, "special_xlog1py")


def softmax(input, dim, *, dtype=None):
    from ..nn.functional import softmax as _softmax
    return _softmax(input, dim, dtype=dtype)


def log_softmax(input, dim, *, dtype=None):
    from ..nn.functional import log_softmax as _log_softmax
    return _log_softmax(input, dim, dtype=dtype)

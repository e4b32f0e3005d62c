"""The gamma-function family and modified Bessel functions: lgamma, digamma, polygamma,
mvlgamma, igamma/igammac, i0 (and, for ``ember.special``, i0e, i1, i1e, zeta).

Kernels are in ``_gamma_kernels.py`` (float64 NumPy); results come back in the input's
float dtype (integers give the default float dtype, as torch).  Gradients are written in
these same ops, so higher derivatives work (d lgamma = digamma, d digamma = polygamma(1)...).

>>> ember.lgamma(ember.tensor([0.5, 3.0]))
tensor([0.5724, 0.6931])
"""

__all__ = ["digamma", "i0", "igamma", "igammac", "lgamma", "mvlgamma", "polygamma"]

import math

import numpy as np

from .. import _dtype as D
from .._device import array_like, as_array
from .._tensor import Tensor
from ..autograd.graph import Node
from . import _gamma_kernels as K
from . import _util as U
from ._inplace import make_inplace
from ._util import GRAD, record
from .pointwise._common import (_broadcast, _dtype_of, _finish, _float_unary, _real_only,
                                _wrap)


def _in_dtype(kernel):
    """A float64 kernel returning the input array's float dtype."""
    def run(arr):
        return kernel(arr).astype(arr.dtype, copy=False)
    return run


def _unary(name, kernel, node_cls, kernel_name, doc):
    """A float unary op over a float64 kernel (pointwise's factory; the node saves the
    input)."""
    return _float_unary(name, _real_only(kernel_name, _in_dtype(kernel)), node_cls, "input", doc)


class LgammaBackward0(Node):
    def backward(self, grad):
        (x,) = self.saved_tensors
        return (grad * digamma(x),)


class DigammaBackward0(Node):
    def backward(self, grad):
        (x,) = self.saved_tensors
        return (grad * polygamma(1, x),)


class PolygammaBackward0(Node):
    def backward(self, grad):
        (x,) = self.saved_tensors
        return (grad * polygamma(self.n + 1, x),)


class I0Backward0(Node):
    def backward(self, grad):
        (x,) = self.saved_tensors
        return (grad * special_i1(x),)


class SpecialI0EBackward0(Node):
    def backward(self, grad):
        (x,) = self.saved_tensors
        return (grad * (special_i1e(x) - x.sgn() * special_i0e(x)),)


class SpecialI1Backward0(Node):
    def backward(self, grad):
        (x,) = self.saved_tensors
        # NOTE: I1'(0) = 1/2; the formula I0 - I1/x is 0/0 there.
        nonzero = x != 0
        safe = x.where(nonzero, x.new_ones(()))
        deriv = i0(x) - special_i1(x) / safe
        return (grad * deriv.where(nonzero, deriv.new_full((), 0.5)),)


class SpecialI1EBackward0(Node):
    def backward(self, grad):
        (x,) = self.saved_tensors
        nonzero = x != 0
        safe = x.where(nonzero, x.new_ones(()))
        deriv = special_i0e(x) - special_i1e(x) * (x.sgn() + 1.0 / safe)
        return (grad * deriv.where(nonzero, deriv.new_full((), 0.5)),)


lgamma = _unary("lgamma", K.lgamma, LgammaBackward0, "lgamma_vml_cpu",
                "log |Gamma(input)| (inf at the poles 0, -1, -2 ...).")
digamma = _unary("digamma", K.digamma, DigammaBackward0, "digamma",
                 "The logarithmic derivative of Gamma (-inf at 0, nan at negative integers).")
i0 = _unary("i0", lambda a: K.bessel_i(a, 0), I0Backward0, "i0",
            "The modified Bessel function of the first kind, order 0.")
special_i0e = _unary("special_i0e", lambda a: K.bessel_i_scaled(a, 0), SpecialI0EBackward0,
                     "i0e", "exp(-|x|) * i0(x), finite for large |x|.")
special_i1 = _unary("special_i1", lambda a: K.bessel_i(a, 1), SpecialI1Backward0, "i1",
                    "The modified Bessel function of the first kind, order 1.")
special_i1e = _unary("special_i1e", lambda a: K.bessel_i_scaled(a, 1), SpecialI1EBackward0,
                     "i1e", "exp(-|x|) * i1(x).")


def polygamma(n, input, *, out=None):
    """The ``n``-th derivative of digamma (``n = 0`` is digamma itself)."""
    if isinstance(n, Tensor) or isinstance(n, bool) or not isinstance(n, (int, np.integer)):
        raise TypeError(f"polygamma(): argument 'n' (position 1) must be int, not "
                        f"{type(n).__name__}")
    if n < 0:
        raise RuntimeError(f"polygamma(n, x) does not support negative n (got n = {n}).")
    U.check_tensor(input, "polygamma")
    n = int(n)
    kernel = _real_only("polygamma", _in_dtype(lambda a: K.polygamma(n, a)))
    res = _wrap(kernel(U.as_float_array(input)), input._device)
    if GRAD.enabled and input._rg:
        record(PolygammaBackward0, res, (input,), (input,)).n = n
    return _finish(res, out, "polygamma")


def mvlgamma(input, p, *, out=None):
    """The multivariate log-gamma of dimension ``p``: p(p-1)/4 log(pi) + sum_j lgamma(x - j/2)."""
    U.check_tensor(input, "mvlgamma")
    if not isinstance(p, int) or p < 1:
        raise RuntimeError(f"mvlgamma: p has to be greater than or equal to 1 (got {p})")
    # NOTE: torch 2.x no longer checks the domain x > (p - 1) / 2: outside it the
    # lgamma terms give inf/nan.
    x = input if input.is_floating_point() else input.to(D.get_default_dtype())
    total = lgamma(x)
    for j in range(1, p):
        total = total + lgamma(x - j / 2.0)
    return _finish(total + p * (p - 1) / 4.0 * math.log(math.pi), out, "mvlgamma")


class IgammaBackward0(Node):
    def backward(self, grad):
        a, x = self.saved_tensors
        if self.next_functions[0][0] is not None:
            raise NotImplementedError("the derivative for 'igamma' with respect to 'self' "
                                      "(the shape a) is not implemented.")
        # d/dx P(a, x) = x^(a-1) e^-x / Gamma(a)
        deriv = ((a - 1) * x.log() - x - lgamma(a)).exp()
        return None, grad * (-deriv if self.upper else deriv)


def _igamma(op, input, other, out, upper):
    U.check_tensor(input, op)
    if not isinstance(other, Tensor):
        raise TypeError(f"{op}(): argument 'other' (position 2) must be Tensor, not "
                        f"{type(other).__name__}")
    a, x, device = U.prep_binary(op, input, other, float_result=True)
    _broadcast(op, a, x)
    for arr in (a, x):
        if getattr(arr, "dtype", np.dtype(np.float64)).kind == "c":
            raise NotImplementedError(f'"{op}_cpu" not implemented for complex inputs')
    result_dtype = np.result_type(a, x)
    res = _wrap(K.igamma(a, x, upper).astype(result_dtype, copy=False), device)
    if GRAD.enabled and (input._rg or other._rg):
        record(IgammaBackward0, res, (input, other), (input, other)).upper = upper
    return _finish(res, out, op)


def igamma(input, other, *, out=None):
    """The regularized lower incomplete gamma function P(input, other)."""
    return _igamma("igamma", input, other, out, upper=False)


def igammac(input, other, *, out=None):
    """The regularized upper incomplete gamma function Q(input, other) = 1 - P."""
    return _igamma("igammac", input, other, out, upper=True)


class SpecialZetaBackward0(Node):
    def backward(self, grad):
        s, q = self.saved_tensors
        if self.next_functions[0][0] is not None:
            raise NotImplementedError("the derivative for 'special_zeta' with respect to "
                                      "'self' is not implemented.")
        return None, grad * (-s * special_zeta(s + 1, q))


def special_zeta(input, other, *, out=None):
    """The Hurwitz zeta function sum_k (k + other)^-input."""
    if not isinstance(input, Tensor) and not isinstance(other, Tensor):
        raise TypeError("special_zeta(): expected a Tensor argument")
    a, q, device = U.prep_binary("special_zeta", input, other, float_result=True)
    _broadcast("special_zeta", a, q)
    result_dtype = _dtype_of(a, q)
    res = _wrap(as_array(K.hurwitz_zeta(a, q)).astype(result_dtype, copy=False), device)
    tensors = tuple(t if isinstance(t, Tensor) else None for t in (input, other))
    if GRAD.enabled and any(t is not None and t._rg for t in tensors):
        saved = tuple(t if isinstance(t, Tensor) else
                      _wrap(array_like(t, res._data, result_dtype), device)
                      for t in (input, other))
        record(SpecialZetaBackward0, res, tensors, saved)
    return _finish(res, out, "special_zeta")


def _polygamma_method(self, n):
    return polygamma(n, self)


def _polygamma_(self, n):
    return make_inplace(lambda s: polygamma(n, s), "polygamma_")(self)


METHODS = {
    "lgamma": lgamma, "digamma": digamma, "i0": i0, "polygamma": _polygamma_method,
    "mvlgamma": mvlgamma, "igamma": igamma, "igammac": igammac,
    "lgamma_": make_inplace(lgamma, "lgamma_"), "digamma_": make_inplace(digamma, "digamma_"),
    "i0_": make_inplace(i0, "i0_"), "polygamma_": _polygamma_,
    "mvlgamma_": make_inplace(mvlgamma, "mvlgamma_"), "igamma_": make_inplace(igamma, "igamma_"),
    "igammac_": make_inplace(igammac, "igammac_"),
}
for _name, _fn in METHODS.items():
    setattr(Tensor, _name, _fn)

"""Bijective transforms used by ``TransformedDistribution``.

A transform maps ``x`` in ``domain`` to ``y = t(x)`` in ``codomain``; ``t.inv`` goes
back and ``log_abs_det_jacobian(x, y)`` is ``log |dy/dx|`` (summed over ``event_dim``).

>>> ExpTransform()(ember.tensor(0.0))
tensor(1.)
"""
import math
import numbers

import ember
from ember.nn import functional as F

from . import constraints
from .utils import sum_rightmost

__all__ = ["AbsTransform", "AffineTransform", "ComposeTransform", "ExpTransform",
           "PowerTransform", "SigmoidTransform", "SoftmaxTransform", "SoftplusTransform",
           "TanhTransform", "Transform", "identity_transform"]


class Transform:
    """Base class of invertible transforms with a computable log-det-Jacobian.

    ``cache_size=1`` remembers the last (x, y) pair so that ``inv(t(x))`` returns
    ``x`` exactly (useful where the inverse is ill-conditioned, e.g. tanh near +-1).
    """

    bijective = False
    domain = constraints.real
    codomain = constraints.real

    def __init__(self, cache_size=0):
        if cache_size not in (0, 1):
            raise ValueError("cache_size must be 0 or 1")
        self._cache_size = cache_size
        self._cached_x_y = None, None
        self._inv = None

    @property
    def event_dim(self):
        if self.domain.event_dim == self.codomain.event_dim:
            return self.domain.event_dim
        raise ValueError("Please use either .domain.event_dim or .codomain.event_dim")

    @property
    def inv(self):
        """The inverse transform (shares this transform's cache)."""
        if self._inv is None:
            self._inv = _InverseTransform(self)
        return self._inv

    @property
    def sign(self):
        raise NotImplementedError

    def __call__(self, x):
        return self._through_cache(x, self._call, inverse=False)

    def _inv_call(self, y):
        return self._through_cache(y, self._inverse, inverse=True)

    def _through_cache(self, value, compute, inverse):
        """``compute(value)``, reusing the cached (x, y) pair when ``value`` is its x
        (forward) or its y (``inverse``)."""
        if self._cache_size == 0:
            return compute(value)
        x_old, y_old = self._cached_x_y
        seen, result = (y_old, x_old) if inverse else (x_old, y_old)
        if value is seen:
            return result
        out = compute(value)
        self._cached_x_y = (out, value) if inverse else (value, out)
        return out

    def _call(self, x):
        raise NotImplementedError

    def _inverse(self, y):
        raise NotImplementedError

    def log_abs_det_jacobian(self, x, y):
        raise NotImplementedError

    def forward_shape(self, shape):
        return shape

    def inverse_shape(self, shape):
        return shape

    def __eq__(self, other):
        return self is other

    def __ne__(self, other):
        return not self.__eq__(other)

    def __repr__(self):
        return type(self).__name__ + "()"


class _InverseTransform(Transform):
    def __init__(self, transform):
        super().__init__(cache_size=transform._cache_size)
        self._inv = transform

    @property
    def domain(self):
        return self._inv.codomain

    @property
    def codomain(self):
        return self._inv.domain

    @property
    def bijective(self):
        return self._inv.bijective

    @property
    def sign(self):
        return self._inv.sign

    @property
    def inv(self):
        return self._inv

    def __call__(self, x):
        return self._inv._inv_call(x)

    def log_abs_det_jacobian(self, x, y):
        return -self._inv.log_abs_det_jacobian(y, x)

    def __eq__(self, other):
        return isinstance(other, _InverseTransform) and self._inv == other._inv


class ComposeTransform(Transform):
    """Apply ``parts`` in order: ``ComposeTransform([f, g])(x) == g(f(x))``."""

    def __init__(self, parts, cache_size=0):
        super().__init__(cache_size=cache_size)
        self.parts = list(parts)

    @property
    def domain(self):
        return self.parts[0].domain if self.parts else constraints.real

    @property
    def codomain(self):
        return self.parts[-1].codomain if self.parts else constraints.real

    @property
    def bijective(self):
        return all(p.bijective for p in self.parts)

    @property
    def sign(self):
        sign = 1
        for p in self.parts:
            sign = sign * p.sign
        return sign

    @property
    def event_dim(self):
        return max([p.event_dim for p in self.parts] or [0])

    def _call(self, x):
        for part in self.parts:
            x = part(x)
        return x

    def _inverse(self, y):
        for part in reversed(self.parts):
            y = part.inv(y)
        return y

    def log_abs_det_jacobian(self, x, y):
        if not self.parts:
            return ember.zeros_like(x)
        event_dim = self.event_dim
        total = 0
        for part in self.parts:
            y_part = part(x)
            total = total + sum_rightmost(part.log_abs_det_jacobian(x, y_part),
                                          event_dim - part.event_dim)
            x = y_part
        return total

    def __eq__(self, other):
        return isinstance(other, ComposeTransform) and self.parts == other.parts


identity_transform = ComposeTransform([])


class _StatelessTransform(Transform):
    """A transform without parameters: equal to any instance of its class."""

    def __eq__(self, other):
        # the public class of this module (also for instances of user subclasses)
        owner = next(c for c in type(self).__mro__ if c.__module__ == __name__)
        return isinstance(other, owner)


class _IncreasingBijection(_StatelessTransform):
    """An increasing bijection of the real line onto its ``codomain``."""

    domain = constraints.real
    bijective = True
    sign = +1


class ExpTransform(_IncreasingBijection):
    """``y = exp(x)``."""

    codomain = constraints.positive

    def _call(self, x):
        return x.exp()

    def _inverse(self, y):
        return y.log()

    def log_abs_det_jacobian(self, x, y):
        return x


class SigmoidTransform(_IncreasingBijection):
    """``y = sigmoid(x)``, clipped into the open unit interval."""

    codomain = constraints.unit_interval

    def _call(self, x):
        finfo = ember.finfo(x.dtype)
        return ember.sigmoid(x).clamp(min=finfo.tiny, max=1.0 - finfo.eps)

    def _inverse(self, y):
        finfo = ember.finfo(y.dtype)
        y = y.clamp(min=finfo.tiny, max=1.0 - finfo.eps)
        return y.log() - ember.log1p(-y)

    def log_abs_det_jacobian(self, x, y):
        return -F.softplus(-x) - F.softplus(x)


class TanhTransform(_IncreasingBijection):
    """``y = tanh(x)`` (squashes policy actions into (-1, 1))."""

    codomain = constraints.interval(-1.0, 1.0)

    def _call(self, x):
        return x.tanh()

    def _inverse(self, y):
        return ember.atanh(y)

    def log_abs_det_jacobian(self, x, y):
        # log(1 - tanh(x)^2) in a form that stays finite for large |x|.
        return 2.0 * (math.log(2.0) - x - F.softplus(-2.0 * x))


class AffineTransform(Transform):
    """``y = loc + scale * x``; ``event_dim`` sets how many rightmost dims form an event."""

    bijective = True

    def __init__(self, loc, scale, event_dim=0, cache_size=0):
        super().__init__(cache_size=cache_size)
        self.loc = loc
        self.scale = scale
        self._event_dim = event_dim

    @property
    def event_dim(self):
        return self._event_dim

    @property
    def domain(self):
        if self._event_dim == 0:
            return constraints.real
        return constraints.independent(constraints.real, self._event_dim)

    codomain = domain

    @property
    def sign(self):
        if isinstance(self.scale, numbers.Real):
            return 1 if float(self.scale) > 0 else -1 if float(self.scale) < 0 else 0
        return self.scale.sign()

    def _call(self, x):
        return self.loc + self.scale * x

    def _inverse(self, y):
        return (y - self.loc) / self.scale

    def log_abs_det_jacobian(self, x, y):
        scale = self.scale
        if isinstance(scale, numbers.Real):
            result = ember.full_like(x, math.log(abs(scale)))
        else:
            result = scale.abs().log()
            result = result.expand(ember.broadcast_shapes(tuple(result.shape),
                                                          tuple(x.shape)))
        return sum_rightmost(result, self._event_dim)

    def __eq__(self, other):
        if not isinstance(other, AffineTransform):
            return False
        same = lambda a, b: (a == b) if isinstance(a, numbers.Number) and isinstance(
            b, numbers.Number) else (a is b)
        return same(self.loc, other.loc) and same(self.scale, other.scale)


class AbsTransform(_StatelessTransform):
    """``y = |x|`` (not bijective: the inverse returns the positive branch)."""

    domain = constraints.real
    codomain = constraints.positive

    def _call(self, x):
        return x.abs()

    def _inverse(self, y):
        return y


class PowerTransform(Transform):
    """``y = x ** exponent`` on the positive reals."""

    domain = constraints.positive
    codomain = constraints.positive
    bijective = True

    def __init__(self, exponent, cache_size=0):
        super().__init__(cache_size=cache_size)
        self.exponent = exponent

    @property
    def sign(self):
        exponent = self.exponent
        if isinstance(exponent, numbers.Real):
            return 1 if exponent > 0 else -1 if exponent < 0 else 0
        return exponent.sign()

    def _call(self, x):
        return x.pow(self.exponent)

    def _inverse(self, y):
        return y.pow(1 / self.exponent)

    def log_abs_det_jacobian(self, x, y):
        return (self.exponent * y / x).abs().log()

    def __eq__(self, other):
        return isinstance(other, PowerTransform) and (
            self.exponent is other.exponent or (
                isinstance(self.exponent, numbers.Number) and self.exponent == other.exponent))


class SoftplusTransform(_IncreasingBijection):
    """``y = log(1 + exp(x))``."""

    codomain = constraints.positive

    def _call(self, x):
        return F.softplus(x)

    def _inverse(self, y):
        # log(exp(y) - 1) = y + log(1 - exp(-y)), finite for large y.
        return y + ember.log(-ember.expm1(-y))

    def log_abs_det_jacobian(self, x, y):
        return -F.softplus(-x)


class SoftmaxTransform(_StatelessTransform):
    """``y = softmax(x)`` over the last dim (not bijective; the inverse is ``log``)."""

    domain = constraints.real_vector
    codomain = constraints.simplex

    def _call(self, x):
        probs = (x - x.max(-1, keepdim=True)[0]).exp()
        return probs / probs.sum(-1, keepdim=True)

    def _inverse(self, y):
        return y.log()

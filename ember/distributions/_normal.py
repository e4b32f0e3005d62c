"""Location-scale families on the real line: Normal, Laplace, Cauchy."""
import math
import numbers

import ember

from . import constraints
from ._exp_family import ExponentialFamily
from .distribution import Distribution

__all__ = ["Cauchy", "Laplace", "Normal"]

_LOG_SQRT_2PI = math.log(math.sqrt(2 * math.pi))


class _LocScale:
    """Shared constructor and helpers of (loc, scale) families."""

    arg_constraints = {"loc": constraints.real, "scale": constraints.positive}
    support = constraints.real
    has_rsample = True
    _expand_params = {"loc": 0, "scale": 0}

    def __init__(self, loc, scale, validate_args=None):
        self._init_params(validate_args, loc=loc, scale=scale)

    def _check(self, value):
        if self._validate_args:
            self._validate_sample(value)

    def _uniform(self, sample_shape, low=0.0):
        """Uniform draws in ``[low, 1)`` (``low`` > 0 keeps logs finite)."""
        shape = self._extended_shape(sample_shape)
        u = ember.rand(shape, dtype=self.loc.dtype, device=self.loc.device)
        if low:
            u = u.clamp(min=low)
        return u

    @property
    def mode(self):
        return self.loc


class Normal(_LocScale, ExponentialFamily):
    """Normal (Gaussian) distribution with mean ``loc`` and standard deviation ``scale``.

    >>> Normal(0.0, 1.0).log_prob(ember.tensor(0.0))
    tensor(-0.9189)
    """

    @property
    def mean(self):
        return self.loc

    @property
    def stddev(self):
        return self.scale

    @property
    def variance(self):
        return self.stddev * self.stddev

    def rsample(self, sample_shape=ember.Size()):
        shape = self._extended_shape(sample_shape)
        eps = ember.randn(shape, dtype=self.loc.dtype, device=self.loc.device)
        return self.loc + eps * self.scale

    def log_prob(self, value):
        self._check(value)
        var = self.scale * self.scale
        log_scale = (math.log(self.scale) if isinstance(self.scale, numbers.Number)
                     else self.scale.log())
        diff = value - self.loc
        return -(diff * diff) / (2 * var) - log_scale - _LOG_SQRT_2PI

    def cdf(self, value):
        self._check(value)
        return 0.5 * (1 + ember.erf((value - self.loc) * self.scale.reciprocal()
                                    / math.sqrt(2)))

    def icdf(self, value):
        return self.loc + self.scale * ember.erfinv(2 * value - 1) * math.sqrt(2)

    def entropy(self):
        return 0.5 + 0.5 * math.log(2 * math.pi) + ember.log(self.scale)


class Laplace(_LocScale, Distribution):
    """Laplace (double exponential) distribution.

    >>> Laplace(0.0, 1.0).log_prob(ember.tensor(0.0))
    tensor(-0.6931)
    """

    @property
    def mean(self):
        return self.loc

    @property
    def variance(self):
        return 2 * self.scale * self.scale

    @property
    def stddev(self):
        return math.sqrt(2) * self.scale

    def rsample(self, sample_shape=ember.Size()):
        eps = ember.finfo(self.loc.dtype).eps
        # u uniform in (-1, 1): a Laplace draw is loc - scale * sign(u) * log(1 - |u|).
        u = 2 * self._uniform(sample_shape) - 1
        u = u.clamp(min=eps - 1)
        return self.loc - self.scale * u.sign() * ember.log1p(-u.abs())

    def log_prob(self, value):
        self._check(value)
        return -ember.log(2 * self.scale) - (value - self.loc).abs() / self.scale

    def cdf(self, value):
        self._check(value)
        d = value - self.loc
        return 0.5 - 0.5 * d.sign() * ember.expm1(-d.abs() / self.scale)

    def icdf(self, value):
        term = value - 0.5
        return self.loc - self.scale * term.sign() * ember.log1p(-2 * term.abs())

    def entropy(self):
        return 1 + ember.log(2 * self.scale)


class Cauchy(_LocScale, Distribution):
    """Cauchy (Lorentz) distribution; its mean is undefined (NaN) and variance infinite.

    >>> Cauchy(0.0, 1.0).cdf(ember.tensor(0.0))
    tensor(0.5000)
    """

    @property
    def mean(self):
        return ember.full(self._extended_shape(), math.nan, dtype=self.loc.dtype)

    @property
    def variance(self):
        return ember.full(self._extended_shape(), math.inf, dtype=self.loc.dtype)

    def rsample(self, sample_shape=ember.Size()):
        u = self._uniform(sample_shape)
        return self.loc + self.scale * ember.tan(math.pi * (u - 0.5))

    def log_prob(self, value):
        self._check(value)
        z = (value - self.loc) / self.scale
        return -math.log(math.pi) - self.scale.log() - ember.log1p(z * z)

    def cdf(self, value):
        self._check(value)
        return ember.atan((value - self.loc) / self.scale) / math.pi + 0.5

    def icdf(self, value):
        return ember.tan(math.pi * (value - 0.5)) * self.scale + self.loc

    def entropy(self):
        return math.log(4 * math.pi) + self.scale.log()

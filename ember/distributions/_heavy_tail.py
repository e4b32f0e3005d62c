"""NegativeBinomial, Weibull, Pareto and InverseGamma."""
import math

import ember
from ember.nn import functional as F

from . import constraints
from ._discrete import _BinaryParam
from ._gamma import _standard_gamma
from .distribution import Distribution

__all__ = ["InverseGamma", "NegativeBinomial", "Pareto", "Weibull"]

_EULER_GAMMA = 0.57721566490153286060


class NegativeBinomial(_BinaryParam, Distribution):
    """Number of successes (probability ``probs``) before ``total_count`` failures.

    >>> NegativeBinomial(3.0, probs=ember.tensor(0.5)).mean
    tensor(3.)
    """

    arg_constraints = {"total_count": constraints.greater_than_eq(0),
                       "probs": constraints.half_open_interval(0.0, 1.0),
                       "logits": constraints.real}
    support = constraints.nonnegative_integer
    _expand_params = {"total_count": 0, "probs": 0, "logits": 0}

    def __init__(self, total_count, probs=None, logits=None, validate_args=None):
        self._init_param(probs, logits, validate_args, total_count)

    @property
    def mean(self):
        return self.total_count * ember.exp(self.logits)

    @property
    def mode(self):
        return ((self.total_count - 1) * self.logits.exp()).floor().clamp(min=0.0)

    @property
    def variance(self):
        return self.mean / ember.sigmoid(-self.logits)

    def sample(self, sample_shape=ember.Size()):
        # Gamma-Poisson mixture: rate ~ Gamma(total_count, scale = p / (1 - p)).
        shape = self._extended_shape(sample_shape)
        with ember.no_grad():
            rate = _standard_gamma(self.total_count.expand(shape)) * self.logits.exp()
            return ember.poisson(rate.contiguous())

    def log_prob(self, value):
        if self._validate_args:
            self._validate_sample(value)
        r, logits = self.total_count, self.logits
        unnormalized = r * F.logsigmoid(-logits) + value * F.logsigmoid(logits)
        log_norm = -ember.lgamma(r + value) + ember.lgamma(1.0 + value) + ember.lgamma(r)
        # NOTE: total_count == 0 and value == 0 is a point mass at 0 (log_prob 0).
        log_norm = ember.where(r + value == 0.0, 0.0, log_norm)
        return unnormalized - log_norm


class Weibull(Distribution):
    """Weibull distribution with ``scale`` and shape ``concentration``.

    >>> Weibull(1.0, 1.0).mean
    tensor(1.)
    """

    arg_constraints = {"scale": constraints.positive, "concentration": constraints.positive}
    support = constraints.positive
    has_rsample = True
    _expand_params = {"scale": 0, "concentration": 0}

    def __init__(self, scale, concentration, validate_args=None):
        self._init_params(validate_args, scale=scale, concentration=concentration)

    @property
    def mean(self):
        return self.scale * ember.exp(ember.lgamma(1 + self.concentration.reciprocal()))

    @property
    def mode(self):
        k = self.concentration
        return self.scale * ((k - 1) / k) ** k.reciprocal()

    @property
    def variance(self):
        k_inv = self.concentration.reciprocal()
        return self.scale.pow(2) * (ember.exp(ember.lgamma(1 + 2 * k_inv))
                                    - ember.exp(2 * ember.lgamma(1 + k_inv)))

    def rsample(self, sample_shape=ember.Size()):
        shape = self._extended_shape(sample_shape)
        u = ember.rand(shape, dtype=self.scale.dtype, device=self.scale.device)
        return self.scale * (-ember.log1p(-u)).pow(self.concentration.reciprocal())

    def log_prob(self, value):
        if self._validate_args:
            self._validate_sample(value)
        k = self.concentration
        z = value / self.scale
        return (k / self.scale).log() + (k - 1) * z.log() - z.pow(k)

    def cdf(self, value):
        if self._validate_args:
            self._validate_sample(value)
        return -ember.expm1(-(value / self.scale).pow(self.concentration))

    def icdf(self, value):
        return self.scale * (-ember.log1p(-value)).pow(self.concentration.reciprocal())

    def entropy(self):
        k = self.concentration
        return _EULER_GAMMA * (1 - k.reciprocal()) + (self.scale / k).log() + 1


class Pareto(Distribution):
    """Pareto (type I) distribution with minimum ``scale`` and tail index ``alpha``.

    >>> Pareto(1.0, 3.0).mean
    tensor(1.5000)
    """

    arg_constraints = {"alpha": constraints.positive, "scale": constraints.positive}
    has_rsample = True
    _expand_params = {"scale": 0, "alpha": 0}

    def __init__(self, scale, alpha, validate_args=None):
        self._init_params(validate_args, scale=scale, alpha=alpha)

    @constraints.dependent_property(is_discrete=False, event_dim=0)
    def support(self):
        return constraints.greater_than_eq(self.scale)

    @property
    def mean(self):
        a = self.alpha.clamp(min=1)   # alpha <= 1: a / 0 = inf, like torch
        return a * self.scale / (a - 1)

    @property
    def mode(self):
        return self.scale

    @property
    def variance(self):
        a = self.alpha.clamp(min=2)
        return self.scale.pow(2) * a / ((a - 1).pow(2) * (a - 2))

    def rsample(self, sample_shape=ember.Size()):
        shape = self._extended_shape(sample_shape)
        u = ember.rand(shape, dtype=self.scale.dtype, device=self.scale.device)
        return self.scale * ember.exp(-ember.log1p(-u) / self.alpha)

    def log_prob(self, value):
        if self._validate_args:
            self._validate_sample(value)
        return self.alpha.log() + self.alpha * self.scale.log() - (self.alpha + 1) * value.log()

    def cdf(self, value):
        if self._validate_args:
            self._validate_sample(value)
        return 1 - (self.scale / value).pow(self.alpha)

    def icdf(self, value):
        return self.scale * ember.exp(-ember.log1p(-value) / self.alpha)

    def entropy(self):
        return (self.scale / self.alpha).log() + (1 + self.alpha.reciprocal())


class InverseGamma(Distribution):
    """``1 / X`` for ``X ~ Gamma(concentration, rate)``.

    >>> InverseGamma(3.0, 2.0).mean
    tensor(1.)
    """

    arg_constraints = {"concentration": constraints.positive, "rate": constraints.positive}
    support = constraints.positive
    has_rsample = True
    _expand_params = {"concentration": 0, "rate": 0}

    def __init__(self, concentration, rate, validate_args=None):
        self._init_params(validate_args, concentration=concentration, rate=rate)

    @property
    def mean(self):
        a = self.concentration
        return ember.where(a > 1, self.rate / (a - 1), math.inf)

    @property
    def mode(self):
        return self.rate / (self.concentration + 1)

    @property
    def variance(self):
        a = self.concentration
        var = self.rate.pow(2) / ((a - 1).pow(2) * (a - 2))
        return ember.where(a > 2, var, math.inf)

    def rsample(self, sample_shape=ember.Size()):
        shape = self._extended_shape(sample_shape)
        g = _standard_gamma(self.concentration.expand(shape))
        return self.rate / g.clamp(min=ember.finfo(g.dtype).tiny)

    def log_prob(self, value):
        if self._validate_args:
            self._validate_sample(value)
        a, b = self.concentration, self.rate
        return a * b.log() - ember.lgamma(a) - (a + 1) * value.log() - b / value

    def cdf(self, value):
        if self._validate_args:
            self._validate_sample(value)
        return ember.special.gammaincc(self.concentration, self.rate / value)

    def entropy(self):
        a = self.concentration
        return a + self.rate.log() + ember.lgamma(a) - (1 + a) * ember.digamma(a)

"""Gumbel, HalfNormal, Geometric and MixtureSameFamily."""
import math
import numbers

import ember
from ember.nn import functional as F

from . import constraints
from ._discrete import Categorical, _BinaryProbsLogits
from ._normal import Cauchy, Normal, _LocScale
from .distribution import Distribution
from .utils import broadcast_all

__all__ = ["Geometric", "Gumbel", "HalfCauchy", "HalfNormal", "MixtureSameFamily"]

_EULER_GAMMA = 0.57721566490153286060


class Gumbel(_LocScale, Distribution):
    """Gumbel (type-I extreme value) distribution.

    >>> Gumbel(0.0, 1.0).mode
    tensor(0.)
    """

    @property
    def mean(self):
        return self.loc + self.scale * _EULER_GAMMA

    @property
    def stddev(self):
        return (math.pi / math.sqrt(6)) * self.scale

    @property
    def variance(self):
        return self.stddev.pow(2)

    def rsample(self, sample_shape=ember.Size()):
        finfo = ember.finfo(self.loc.dtype)
        u = self._uniform(sample_shape).clamp(min=finfo.tiny, max=1 - finfo.eps)
        return self.loc - self.scale * ember.log(-ember.log(u))

    def log_prob(self, value):
        self._check(value)
        y = (self.loc - value) / self.scale
        return (y - y.exp()) - self.scale.log()

    def cdf(self, value):
        self._check(value)
        return ember.exp(-ember.exp(-(value - self.loc) / self.scale))

    def icdf(self, value):
        return self.loc - self.scale * ember.log(-ember.log(value))

    def entropy(self):
        return self.scale.log() + (1 + _EULER_GAMMA)


class _HalfDistribution(Distribution):
    """``|X|`` for ``X`` of the symmetric ``_base_family(0, scale)``; subclasses set
    ``_base_family``."""

    arg_constraints = {"scale": constraints.positive}
    support = constraints.nonnegative
    has_rsample = True
    _base_family = None

    def __init__(self, scale, validate_args=None):
        self.base_dist = self._base_family(0.0 if isinstance(scale, numbers.Number)
                                           else ember.zeros_like(scale), scale,
                                           validate_args=False)
        super().__init__(self.base_dist.batch_shape, validate_args=validate_args)

    def expand(self, batch_shape, _instance=None):
        return self._expand_inner("base_dist", batch_shape, _instance)

    @property
    def scale(self):
        return self.base_dist.scale

    @property
    def mode(self):
        return ember.zeros_like(self.scale)

    def rsample(self, sample_shape=ember.Size()):
        return self.base_dist.rsample(sample_shape).abs()

    def log_prob(self, value):
        if self._validate_args:
            self._validate_sample(value)
        log_prob = self.base_dist.log_prob(value) + math.log(2)
        return ember.where(value >= 0, log_prob, -math.inf)

    def cdf(self, value):
        if self._validate_args:
            self._validate_sample(value)
        return 2 * self.base_dist.cdf(value) - 1

    def icdf(self, prob):
        return self.base_dist.icdf((prob + 1) / 2)

    def entropy(self):
        return self.base_dist.entropy() - math.log(2)


class HalfNormal(_HalfDistribution):
    """``|X|`` for ``X ~ Normal(0, scale)``.

    >>> HalfNormal(1.0).mean
    tensor(0.7979)
    """

    _base_family = Normal

    @property
    def mean(self):
        return self.scale * math.sqrt(2 / math.pi)

    @property
    def variance(self):
        return self.scale.pow(2) * (1 - 2 / math.pi)


class HalfCauchy(_HalfDistribution):
    """``|X|`` for ``X ~ Cauchy(0, scale)``.

    >>> HalfCauchy(1.0).cdf(ember.tensor(1.0))
    tensor(0.5000)
    """

    _base_family = Cauchy

    @property
    def mean(self):
        return ember.full(self._extended_shape(), math.inf, dtype=self.scale.dtype)

    @property
    def variance(self):
        return self.base_dist.variance

    def log_prob(self, value):
        value = ember.as_tensor(value, dtype=self.scale.dtype, device=self.scale.device)
        return super().log_prob(value)


class Geometric(_BinaryProbsLogits, Distribution):
    """Number of failures before the first success in Bernoulli(``probs``) trials.

    >>> Geometric(probs=ember.tensor(0.5)).mean
    tensor(1.)
    """

    arg_constraints = {"probs": constraints.unit_interval, "logits": constraints.real}
    support = constraints.nonnegative_integer
    _expand_params = {"probs": 0, "logits": 0}

    def __init__(self, probs=None, logits=None, validate_args=None):
        batch_shape = self._set_probs_or_logits(probs, logits).size()
        super().__init__(batch_shape, validate_args=validate_args)
        # NOTE: torch also rejects probs == 0 (no success ever), beyond unit_interval.
        if self._validate_args and probs is not None and not bool((self.probs > 0).all()):
            raise ValueError(f"Expected parameter probs of shape {tuple(self.probs.shape)} "
                             f"to be positive but found invalid values:\n{self.probs}")

    @property
    def mean(self):
        return 1.0 / self.probs - 1.0

    @property
    def mode(self):
        return ember.zeros_like(self.probs)

    @property
    def variance(self):
        return (1.0 / self.probs - 1.0) / self.probs

    def sample(self, sample_shape=ember.Size()):
        shape = self._extended_shape(sample_shape)
        with ember.no_grad():
            probs = self.probs
            u = ember.rand(shape, dtype=probs.dtype, device=probs.device)
            u = u.clamp(min=ember.finfo(probs.dtype).tiny)
            return (u.log() / ember.log1p(-probs)).floor()

    def log_prob(self, value):
        if self._validate_args:
            self._validate_sample(value)
        value, probs = broadcast_all(value, self.probs)
        # 0 * log(0): with probs == 1 the value 0 is certain.
        probs_for_log1p = ember.where((probs == 1) & (value == 0), 0.0, probs)
        return value * ember.log1p(-probs_for_log1p) + self.probs.log()

    def entropy(self):
        return F.binary_cross_entropy_with_logits(self.logits, self.probs,
                                                  reduction="none") / self.probs


class MixtureSameFamily(Distribution):
    """A mixture whose components are the rightmost batch dimension of one distribution.

    >>> mix = Categorical(probs=ember.tensor([0.5, 0.5]))
    >>> comp = Normal(ember.tensor([-1.0, 1.0]), ember.tensor([1.0, 1.0]))
    >>> MixtureSameFamily(mix, comp).mean
    tensor(0.)
    """

    arg_constraints = {}
    has_rsample = False

    def __init__(self, mixture_distribution, component_distribution, validate_args=None):
        if not isinstance(mixture_distribution, Categorical):
            raise ValueError("The Mixture distribution needs to be an instance of "
                             "torch.distributions.Categorical")
        if not isinstance(component_distribution, Distribution):
            raise ValueError("The Component distribution need to be an instance of "
                             "torch.distributions.Distribution")
        mdbs = tuple(mixture_distribution.batch_shape)
        cdbs = tuple(component_distribution.batch_shape)[:-1]
        for size1, size2 in zip(reversed(mdbs), reversed(cdbs)):
            if size1 != 1 and size2 != 1 and size1 != size2:
                raise ValueError(f"`mixture_distribution.batch_shape` ({mdbs}) is not "
                                 f"compatible with `component_distribution.batch_shape`({cdbs})")
        km = mixture_distribution.logits.shape[-1]
        kc = component_distribution.batch_shape[-1]
        if km != kc:
            raise ValueError(f"`mixture_distribution component` ({km}) does not equal "
                             f"`component_distribution.batch_shape[-1]` ({kc})")
        self._num_component = km
        self._mixture_distribution = mixture_distribution
        self._component_distribution = component_distribution
        self._event_ndims = len(component_distribution.event_shape)
        super().__init__(cdbs, component_distribution.event_shape, validate_args=validate_args)

    def expand(self, batch_shape, _instance=None):
        batch_shape = ember.Size(tuple(batch_shape))
        new = self._get_checked_instance(MixtureSameFamily, _instance)
        new._component_distribution = self._component_distribution.expand(
            tuple(batch_shape) + (self._num_component,))
        new._mixture_distribution = self._mixture_distribution.expand(batch_shape)
        new._num_component = self._num_component
        new._event_ndims = self._event_ndims
        return self._finish_expand(new, batch_shape)

    @constraints.dependent_property
    def support(self):
        return self._component_distribution.support

    @property
    def mixture_distribution(self):
        return self._mixture_distribution

    @property
    def component_distribution(self):
        return self._component_distribution

    def _pad(self, x):
        return x.unsqueeze(-1 - self._event_ndims)

    def _pad_mixture_dimensions(self, x):
        """Append singleton dims so mixture weights broadcast over the event dims."""
        return x.reshape(tuple(x.shape) + (1,) * self._event_ndims)

    @property
    def mean(self):
        probs = self._pad_mixture_dimensions(self.mixture_distribution.probs)
        return (probs * self.component_distribution.mean).sum(-1 - self._event_ndims)

    @property
    def variance(self):
        # Law of total variance: E[Var(X|k)] + Var(E[X|k]).
        probs = self._pad_mixture_dimensions(self.mixture_distribution.probs)
        dim = -1 - self._event_ndims
        mean_cond_var = (probs * self.component_distribution.variance).sum(dim)
        diff = self.component_distribution.mean - self._pad(self.mean)
        var_cond_mean = (probs * diff.pow(2)).sum(dim)
        return mean_cond_var + var_cond_mean

    def cdf(self, x):
        x = self._pad(x)
        cdf_x = self.component_distribution.cdf(x)
        return (cdf_x * self.mixture_distribution.probs).sum(-1)

    def log_prob(self, x):
        if self._validate_args:
            self._validate_sample(x)
        x = self._pad(x)
        log_prob_x = self.component_distribution.log_prob(x)
        log_mix_prob = F.log_softmax(self.mixture_distribution.logits, dim=-1)
        return ember.logsumexp(log_prob_x + log_mix_prob, dim=-1)

    def sample(self, sample_shape=ember.Size()):
        with ember.no_grad():
            sample_len = len(tuple(sample_shape))
            batch_len = len(self.batch_shape)
            gather_dim = sample_len + batch_len
            mix = self.mixture_distribution
            if mix.batch_shape != self.batch_shape:
                # NOTE: torch fails here (gather rank mismatch); a mixture whose batch shape
                # broadcasts against the components' draws one label per batch element.
                mix = mix.expand(self.batch_shape)
            mix_sample = mix.sample(sample_shape)
            comp_samples = self.component_distribution.sample(sample_shape)
            # Index the component axis of comp_samples by the drawn mixture labels.
            index = mix_sample.reshape(tuple(mix_sample.shape) + (1,) * (1 + self._event_ndims))
            index = index.expand(tuple(mix_sample.shape) + (1,) + tuple(self.event_shape))
            return comp_samples.gather(gather_dim, index).squeeze(gather_dim)

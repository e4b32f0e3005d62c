"""Concrete / Gumbel-softmax relaxations of Bernoulli and Categorical (reparameterizable)."""
import ember

from . import constraints
from ._discrete import Categorical, _BinaryParam, _CategoricalBased
from ._transformed import TransformedDistribution
from .distribution import Distribution
from .transforms import ExpTransform, SigmoidTransform
from .utils import _public_class, broadcast_all, clamp_probs

__all__ = ["ExpRelaxedCategorical", "LogitRelaxedBernoulli", "RelaxedBernoulli",
           "RelaxedOneHotCategorical"]


class LogitRelaxedBernoulli(_BinaryParam, Distribution):
    """Logit of a RelaxedBernoulli draw: ``(logit(u) + logits) / temperature``.

    >>> LogitRelaxedBernoulli(ember.tensor(0.5), probs=ember.tensor(0.3)).rsample().shape
    torch.Size([])
    """

    arg_constraints = {"probs": constraints.unit_interval, "logits": constraints.real}
    support = constraints.real
    has_rsample = True
    _expand_params = {"probs": 0, "logits": 0}

    def __init__(self, temperature, probs=None, logits=None, validate_args=None):
        self.temperature = temperature
        self._init_param(probs, logits, validate_args)

    def _copy_extra(self, new, batch_shape):
        new.temperature = self.temperature
        super()._copy_extra(new, batch_shape)

    def rsample(self, sample_shape=ember.Size()):
        shape = self._extended_shape(sample_shape)
        probs = clamp_probs(self.probs.expand(shape))
        u = clamp_probs(ember.rand(shape, dtype=probs.dtype, device=probs.device))
        return (u.log() - ember.log1p(-u) + probs.log() - ember.log1p(-probs)) / self.temperature

    def log_prob(self, value):
        if self._validate_args:
            self._validate_sample(value)
        logits, value = broadcast_all(self.logits, value)
        diff = logits - value * self.temperature
        return self.temperature.log() + diff - 2 * ember.log1p(diff.exp())


class _RelaxedTransformed(TransformedDistribution):
    """A relaxation given as a transform of its ``base_dist`` (which holds
    ``temperature``, ``probs`` and ``logits``)."""

    has_rsample = True

    def expand(self, batch_shape, _instance=None):
        new = self._get_checked_instance(_public_class(self), _instance)
        return super().expand(batch_shape, _instance=new)

    @property
    def temperature(self):
        return self.base_dist.temperature

    @property
    def logits(self):
        return self.base_dist.logits

    @property
    def probs(self):
        return self.base_dist.probs


class RelaxedBernoulli(_RelaxedTransformed):
    """Concrete relaxation of Bernoulli: values in (0, 1), sharper as temperature -> 0.

    >>> RelaxedBernoulli(ember.tensor(0.5), logits=ember.tensor(0.0)).support
    Interval(lower_bound=0.0, upper_bound=1.0)
    """

    arg_constraints = {"probs": constraints.unit_interval, "logits": constraints.real}
    support = constraints.unit_interval

    def __init__(self, temperature, probs=None, logits=None, validate_args=None):
        base = LogitRelaxedBernoulli(temperature, probs, logits)
        super().__init__(base, SigmoidTransform(), validate_args=validate_args)


class ExpRelaxedCategorical(_CategoricalBased, Distribution):
    """Log of a RelaxedOneHotCategorical draw (log-softmax of Gumbel-perturbed logits)."""

    support = constraints.real_vector
    has_rsample = True

    def __init__(self, temperature, probs=None, logits=None, validate_args=None):
        self._categorical = Categorical(probs, logits)
        self.temperature = temperature
        self._init_shapes(validate_args)

    def _copy_extra(self, new, batch_shape):
        new.temperature = self.temperature

    def rsample(self, sample_shape=ember.Size()):
        shape = self._extended_shape(sample_shape)
        logits = self.logits
        u = clamp_probs(ember.rand(shape, dtype=logits.dtype, device=logits.device))
        gumbels = -((-(u.log())).log())
        scores = (logits + gumbels) / self.temperature
        return scores - scores.logsumexp(dim=-1, keepdim=True)

    def log_prob(self, value):
        k = self._categorical._num_events
        if self._validate_args:
            self._validate_sample(value)
        logits, value = broadcast_all(self.logits, value)
        t = self.temperature
        log_scale = ember.lgamma(ember.full_like(t, float(k))) + t.log() * (k - 1)
        score = logits - value * t
        score = (score - score.logsumexp(dim=-1, keepdim=True)).sum(-1)
        return score + log_scale


class RelaxedOneHotCategorical(_RelaxedTransformed):
    """Gumbel-softmax relaxation of OneHotCategorical: samples on the simplex.

    >>> d = RelaxedOneHotCategorical(ember.tensor(0.5), probs=ember.tensor([0.2, 0.8]))
    >>> d.rsample().shape
    torch.Size([2])
    """

    arg_constraints = {"probs": constraints.simplex,
                       "logits": constraints.independent(constraints.real, 1)}
    support = constraints.simplex

    def __init__(self, temperature, probs=None, logits=None, validate_args=None):
        base = ExpRelaxedCategorical(temperature, probs, logits, validate_args=validate_args)
        super().__init__(base, ExpTransform(), validate_args=validate_args)

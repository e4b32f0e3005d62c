"""``ember.distributions``: probability distributions with torch.distributions' API.

Parameters are ember tensors (or Python numbers); ``log_prob``, ``entropy``, ``cdf``
and ``rsample`` are differentiable w.r.t. them.  Samples come from ember's random
generator (``ember.manual_seed`` makes them reproducible), never torch's stream.

>>> d = ember.distributions.Normal(ember.tensor(0.0), ember.tensor(1.0))
>>> d.log_prob(ember.tensor(0.5))
tensor(-1.0439)
"""
from . import constraints, kl, transforms
from ._discrete import (Bernoulli, Binomial, Categorical, Multinomial, OneHotCategorical,
                        OneHotCategoricalStraightThrough)
from ._exp_family import ExponentialFamily
from ._extra import Geometric, Gumbel, HalfCauchy, HalfNormal, MixtureSameFamily
from ._heavy_tail import InverseGamma, NegativeBinomial, Pareto, Weibull
from ._gamma import Beta, Chi2, Dirichlet, Exponential, Gamma, Poisson, StudentT
from ._multivariate_normal import MultivariateNormal
from ._normal import Cauchy, Laplace, Normal
# NOTE: like torch, the Exp/Logit relaxed bases are not exported at the top level.
from ._relaxed import RelaxedBernoulli, RelaxedOneHotCategorical
from ._transformed import Independent, LogNormal, TransformedDistribution
from ._uniform import Uniform
from .distribution import Distribution
from .kl import kl_divergence, register_kl
from .transforms import (AbsTransform, AffineTransform, ComposeTransform, ExpTransform,
                         PowerTransform, SigmoidTransform, SoftmaxTransform, SoftplusTransform,
                         TanhTransform, Transform, identity_transform)

__all__ = ["AbsTransform", "AffineTransform", "Bernoulli", "Beta", "Binomial", "Categorical",
           "Cauchy", "Chi2", "ComposeTransform", "Dirichlet", "Distribution", "ExpTransform",
           "Exponential", "ExponentialFamily", "Gamma", "Geometric", "Gumbel", "HalfCauchy",
           "HalfNormal", "Independent", "InverseGamma", "Laplace", "LogNormal",
           "MixtureSameFamily", "Multinomial", "MultivariateNormal", "NegativeBinomial", "Normal",
           "OneHotCategorical", "OneHotCategoricalStraightThrough", "Pareto", "Poisson",
           "PowerTransform", "RelaxedBernoulli", "RelaxedOneHotCategorical", "SigmoidTransform",
           "SoftmaxTransform", "SoftplusTransform", "StudentT", "TanhTransform", "Transform",
           "TransformedDistribution", "Uniform", "Weibull", "constraints", "identity_transform",
           "kl", "kl_divergence", "register_kl", "transforms"]

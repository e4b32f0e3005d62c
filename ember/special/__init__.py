"""``ember.special``: torch.special's names.  Most are the top-level ops under their
SciPy-style names; the rest (erfcx, ndtr, ndtri, log_ndtr, entr, xlog1py, i0e/i1/i1e,
zeta) are defined in ``_functions.py``.

Not provided yet: the orthogonal polynomials (chebyshev_*, hermite_*, laguerre_*,
legendre_*), airy_ai, bessel_j0/j1/y0/y1, modified_bessel_k0/k1 and their scaled forms,
spherical_bessel_j0.
"""
from ..ops import (digamma, erf, erfc, erfinv, exp2, expm1, i0, igamma, igammac, lgamma,
                   log1p, logit, logsumexp, mvlgamma, polygamma, round, sigmoid, sinc, xlogy)
from ..ops.gamma import special_i0e as i0e
from ..ops.gamma import special_i1 as i1
from ..ops.gamma import special_i1e as i1e
from ..ops.gamma import special_zeta as zeta
from ._functions import (entr, erfcx, log_ndtr, log_softmax, ndtr, ndtri, softmax,
                         xlog1py)

psi = digamma
gammaln = lgamma
expit = sigmoid
gammainc = igamma
gammaincc = igammac
modified_bessel_i0 = i0
modified_bessel_i1 = i1


def multigammaln(input, p):
    """The multivariate log-gamma function of dimension ``p`` (torch.mvlgamma)."""
    return mvlgamma(input, p)


__all__ = ["digamma", "entr", "erf", "erfc", "erfcx", "erfinv", "exp2", "expit", "expm1",
           "gammainc", "gammaincc", "gammaln", "i0", "i0e", "i1", "i1e", "log1p", "log_ndtr",
           "log_softmax", "logit", "logsumexp", "modified_bessel_i0", "modified_bessel_i1",
           "multigammaln", "ndtr", "ndtri", "polygamma", "psi", "round", "sinc", "softmax",
           "xlog1py", "xlogy", "zeta"]

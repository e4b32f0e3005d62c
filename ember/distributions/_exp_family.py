"""``ExponentialFamily``: marker base class for exponential-family distributions."""
from .distribution import Distribution

__all__ = ["ExponentialFamily"]


class ExponentialFamily(Distribution):
    """Base of distributions whose density is ``h(x) exp(<t(x), theta> - F(theta))``.

    Ember's families compute their entropies in closed form, so this class adds
    nothing beyond the type used by ``isinstance`` checks.
    """

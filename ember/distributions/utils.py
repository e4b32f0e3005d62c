"""Helpers shared by the distribution families (``torch.distributions.utils``)."""
import numbers

import ember
from ember import nn

__all__ = ["broadcast_all", "clamp_probs", "lazy_property", "logits_to_probs",
           "probs_to_logits", "sum_rightmost"]


def broadcast_all(*values):
    """Broadcast tensors and Python numbers together.

    Numbers become tensors of the first tensor's dtype (the default dtype if none).

    >>> broadcast_all(ember.zeros(2), 1.0)[1]
    tensor([1., 1.])
    """
    tensors = [v for v in values if isinstance(v, ember.Tensor)]
    for v in values:
        if not isinstance(v, (ember.Tensor, numbers.Number)):
            raise ValueError("Input arguments must all be instances of numbers.Number or "
                             f"torch.Tensor, got {type(v).__name__}")
    dtype = tensors[0].dtype if tensors else ember.get_default_dtype()
    values = [v if isinstance(v, ember.Tensor) else ember.tensor(float(v), dtype=dtype)
              for v in values]
    return tuple(ember.broadcast_tensors(*values))


def sum_rightmost(value, dim):
    """Sum out the rightmost ``dim`` dimensions of ``value`` (nothing when ``dim`` is 0)."""
    if dim == 0:
        return value
    return value.reshape(tuple(value.shape[:value.dim() - dim]) + (-1,)).sum(-1)


def clamp_probs(probs):
    """Clamp probabilities into the open interval (0, 1) by the dtype's epsilon."""
    eps = ember.finfo(probs.dtype).eps
    return probs.clamp(min=eps, max=1 - eps)


def logits_to_probs(logits, is_binary=False):
    """Sigmoid of ``logits`` (binary) or softmax over the last dimension."""
    if is_binary:
        return ember.sigmoid(logits)
    return nn.functional.softmax(logits, dim=-1)


def probs_to_logits(probs, is_binary=False):
    """Log-odds (binary) or log-probabilities of ``probs``, clamped to stay finite."""
    ps = clamp_probs(probs)
    if is_binary:
        return ember.log(ps) - ember.log1p(-ps)
    return ember.log(ps)


def _public_class(obj):
    """The first class in ``type(obj)``'s MRO defined in ember.distributions: the
    public class a user's subclass derives from (for ``_get_checked_instance``)."""
    return next(c for c in type(obj).__mro__ if c.__module__.startswith(__package__ + "."))


class lazy_property:
    """A property computed on first access and then stored on the instance.

    The stored value shadows the descriptor, so ``expand`` can tell which of a
    distribution's alternative parametrizations (``probs``/``logits``) exist.
    """

    def __init__(self, wrapped):
        self.wrapped = wrapped
        self.__doc__ = wrapped.__doc__
        self.__name__ = wrapped.__name__

    def __get__(self, instance, obj_type=None):
        if instance is None:
            return self
        with ember.enable_grad():
            value = self.wrapped(instance)
        instance.__dict__[self.wrapped.__name__] = value
        return value

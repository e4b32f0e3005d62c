"""``Distribution``: the base class of every probability distribution."""
import warnings

import ember

from . import constraints
from .utils import _public_class, broadcast_all, lazy_property

__all__ = ["Distribution"]


def _size(shape):
    if isinstance(shape, int):
        return ember.Size((shape,))
    return ember.Size(tuple(shape))


class Distribution:
    """A batch of probability distributions.

    ``batch_shape`` indexes independent distributions, ``event_shape`` is the shape
    of one sample of one of them.  Subclasses set ``arg_constraints`` and ``support``
    and define the methods they can compute; the rest raise ``NotImplementedError``.

    >>> d = ember.distributions.Normal(ember.zeros(3), 1.0)
    >>> d.batch_shape, d.sample((2,)).shape
    (torch.Size([3]), torch.Size([2, 3]))
    """

    has_rsample = False
    has_enumerate_support = False
    _validate_args = __debug__

    # Parameter attributes that ``expand`` broadcasts, with how many trailing
    # (event) dimensions each has beyond the batch shape.
    _expand_params = {}

    @staticmethod
    def set_default_validate_args(value):
        """Turn argument/sample validation on or off for distributions built afterwards."""
        if value not in (True, False):
            raise ValueError
        Distribution._validate_args = value

    def __init__(self, batch_shape=ember.Size(), event_shape=ember.Size(), validate_args=None):
        self._batch_shape = _size(batch_shape)
        self._event_shape = _size(event_shape)
        if validate_args is not None:
            self._validate_args = validate_args
        if self._validate_args:
            arg_constraints = self.arg_constraints
            for param, constraint in arg_constraints.items():
                if constraints.is_dependent(constraint):
                    continue
                # Unset alternative parametrizations (e.g. logits when built from probs)
                # are lazy properties that have not been computed: skip them.
                if param not in self.__dict__ and isinstance(getattr(type(self), param, None),
                                                             lazy_property):
                    continue
                self._require(constraint, getattr(self, param), f"parameter {param}",
                              "of distribution {dist!r} to satisfy the constraint {c!r}")
        super().__init__()

    # ---- shapes ------------------------------------------------------------------
    @property
    def batch_shape(self):
        return self._batch_shape

    @property
    def event_shape(self):
        return self._event_shape

    def _extended_shape(self, sample_shape=ember.Size()):
        return _size(sample_shape) + self._batch_shape + self._event_shape

    def expand(self, batch_shape, _instance=None):
        """A new distribution with parameters broadcast to ``batch_shape`` (no copies)."""
        batch_shape = _size(batch_shape)
        new = self._get_checked_instance(type(self), _instance)
        for name, extra in self._expand_params.items():
            if name in self.__dict__:
                value = self.__dict__[name]
                tail = tuple(value.shape[value.dim() - extra:]) if extra else ()
                new.__dict__[name] = value.expand(batch_shape + tail)
        self._copy_extra(new, batch_shape)
        return self._finish_expand(new, batch_shape)

    def _expand_inner(self, attr, batch_shape, _instance=None):
        """``expand`` of a distribution built on the distribution held in ``attr``."""
        new = self._get_checked_instance(_public_class(self), _instance)
        batch_shape = _size(batch_shape)
        setattr(new, attr, getattr(self, attr).expand(batch_shape))
        self._copy_extra(new, batch_shape)
        return self._finish_expand(new, batch_shape)

    def _finish_expand(self, new, batch_shape):
        """Give ``new`` (an expanded copy) its shapes without validating, and this
        distribution's validation flag."""
        Distribution.__init__(new, batch_shape, self.event_shape, validate_args=False)
        new._validate_args = self._validate_args
        return new

    def _init_params(self, validate_args=None, **params):
        """Broadcast ``params`` together, store them as attributes and set the batch
        shape to their common shape."""
        values = broadcast_all(*params.values())
        for name, value in zip(params, values):
            setattr(self, name, value)
        Distribution.__init__(self, values[0].size(), validate_args=validate_args)

    def _copy_extra(self, new, batch_shape):
        """Copy attributes other than the expanded parameters (subclass hook)."""

    def _get_checked_instance(self, cls, _instance=None):
        if _instance is None and type(self).__init__ != cls.__init__:
            raise NotImplementedError(
                f"Subclass {type(self).__name__} of {cls.__name__} that defines a custom "
                "__init__() method must also define a custom .expand() method.")
        return self.__new__(type(self)) if _instance is None else _instance

    # ---- properties --------------------------------------------------------------
    @property
    def arg_constraints(self):
        raise NotImplementedError

    @property
    def support(self):
        raise NotImplementedError

    @property
    def mean(self):
        raise NotImplementedError(f"{type(self).__name__} does not implement mean")

    @property
    def mode(self):
        raise NotImplementedError(f"{type(self).__name__} does not implement mode")

    @property
    def variance(self):
        raise NotImplementedError(f"{type(self).__name__} does not implement variance")

    @property
    def stddev(self):
        return self.variance.sqrt()

    # ---- sampling ----------------------------------------------------------------
    def sample(self, sample_shape=ember.Size()):
        """Draw samples of shape ``sample_shape + batch_shape + event_shape`` (no grad)."""
        with ember.no_grad():
            return self.rsample(sample_shape)

    def rsample(self, sample_shape=ember.Size()):
        """Reparameterized samples: differentiable w.r.t. the parameters."""
        raise NotImplementedError

    def sample_n(self, n):
        warnings.warn("sample_n will be deprecated. Use .sample((n,)) instead", UserWarning)
        return self.sample(ember.Size((n,)))

    # ---- densities ---------------------------------------------------------------
    def log_prob(self, value):
        raise NotImplementedError

    def cdf(self, value):
        raise NotImplementedError

    def icdf(self, value):
        raise NotImplementedError

    def enumerate_support(self, expand=True):
        raise NotImplementedError

    def entropy(self):
        raise NotImplementedError

    def perplexity(self):
        return ember.exp(self.entropy())

    # ---- validation --------------------------------------------------------------
    def _validate_sample(self, value):
        """Raise ValueError unless ``value`` is a tensor of compatible shape in the support."""
        if not isinstance(value, ember.Tensor):
            raise ValueError("The value argument to log_prob must be a Tensor")
        event_dim_start = value.dim() - len(self._event_shape)
        if tuple(value.shape[event_dim_start:]) != tuple(self._event_shape):
            raise ValueError(f"The right-most size of value must match event_shape: "
                             f"{tuple(value.shape)} vs {tuple(self._event_shape)}.")
        actual = tuple(value.shape)
        expected = tuple(self._batch_shape) + tuple(self._event_shape)
        for i, j in zip(reversed(actual), reversed(expected)):
            if i != 1 and j != 1 and i != j:
                raise ValueError(f"Value is not broadcastable with batch_shape+event_shape: "
                                 f"{actual} vs {expected}.")
        self._require(self.support, value, "value argument",
                      "to be within the support ({c!r}) of the distribution {dist!r}")

    def _require(self, constraint, value, subject, requirement):
        """ValueError naming ``subject`` when some element of ``value`` breaks
        ``constraint``; ``requirement`` is formatted (with ``dist`` and ``c``) only then."""
        if not bool(constraint.check(value).all()):
            requirement = requirement.format(dist=self, c=constraint)
            raise ValueError(f"Expected {subject} ({type(value).__name__} of shape "
                             f"{tuple(value.shape)}) {requirement}, but found invalid "
                             f"values:\n{value}")

    def __repr__(self):
        names = [k for k in self.arg_constraints if k in self.__dict__]
        args = ", ".join(
            f"{p}: {self.__dict__[p] if self.__dict__[p].numel() == 1 else self.__dict__[p].size()}"
            for p in names)
        return f"{type(self).__name__}({args})"

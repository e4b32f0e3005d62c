"""Parameter, Buffer.

A ``Parameter`` is a Tensor subclass that a Module registers when it is assigned as an
attribute.  Like torch's, it shares storage (and the version counter) with the tensor it
wraps, and ops on it give plain Tensors (ops build results with ``_wrap``), while in-place
ops return the Parameter itself.
"""
import numpy as np

from .._tensor import Tensor, _new, _storage_origin

__all__ = ["Parameter", "Buffer", "UninitializedParameter", "UninitializedBuffer"]


def _shared(cls, data, requires_grad):
    """A ``cls`` instance over ``data``'s storage and version counter (like detach())."""
    if data is None:
        data = _empty0()
    elif not isinstance(data, Tensor):
        raise TypeError(f"Parameter(): argument 'data' must be Tensor, not {type(data).__name__}")
    t = _new(cls)
    t._data = data._data
    if data._device is not Tensor._device:
        t._device = data._device
    t._storage_base = _storage_origin(data)
    if data._vc is None:
        data._vc = [0]
    t._vc = data._vc
    if requires_grad:
        t.requires_grad_(True)  # the same dtype check (and error) as torch
    return t


def _empty0(dtype=None):
    from .._tensor import _wrap
    from .. import _dtype as D
    return _wrap(np.empty((0,), dtype=(dtype or D.get_default_dtype()).np))


class Parameter(Tensor):
    """A tensor that is a module parameter: ``Parameter(data=None, requires_grad=True)``.

    >>> p = ember.nn.Parameter(ember.ones(2))
    >>> p
    Parameter containing:
    tensor([1., 1.], requires_grad=True)
    """

    def __new__(cls, data=None, requires_grad=True):
        return _shared(cls, data, requires_grad)

    def __repr__(self):
        return "Parameter containing:\n" + super().__repr__()

    def __reduce_ex__(self, proto):
        # pickle the values as a plain tensor, then rebuild the Parameter around them
        return (_rebuild_parameter, (self.detach(), self._rg, _user_state(self)))


def _user_state(t):
    from .._tensor_pickle import _INTERNAL
    return {k: v for k, v in t.__dict__.items() if k not in _INTERNAL}


def _rebuild_parameter(data, requires_grad, state=None):
    p = Parameter(data, requires_grad)
    if state:
        p.__dict__.update(state)
    return p


class _BufferMeta(type):
    # NOTE: like torch, ``isinstance(t, Buffer)`` is true for any tensor marked as a buffer:
    # Buffer(t) returns a plain Tensor carrying ``_is_buffer``.
    def __instancecheck__(cls, instance):
        if cls is Buffer:
            return isinstance(instance, Tensor) and getattr(instance, "_is_buffer", False)
        return super().__instancecheck__(instance)


class Buffer(Tensor, metaclass=_BufferMeta):
    """A tensor that a Module registers as a buffer when assigned as an attribute.

    >>> m = ember.nn.Module(); m.stats = ember.nn.Buffer(ember.zeros(3))
    >>> list(dict(m.named_buffers()))
    ['stats']
    """

    def __new__(cls, data=None, *, persistent=True):
        if data is None:
            data = _empty0()
        t = data.detach()
        if data._rg:
            t._rg = True
        t.persistent = persistent
        t._is_buffer = True
        return t


class UninitializedParameter(Parameter):
    """A parameter whose shape is not known yet (LazyLinear's weight before the first call)."""

    cls_to_become = Parameter

    def __new__(cls, requires_grad=True, device=None, dtype=None):
        t = _shared(cls, _empty0(dtype), requires_grad)
        t._lazy_dtype = dtype
        return t

    def materialize(self, shape, device=None, dtype=None):
        """Give the parameter storage of ``shape`` and turn it into a plain Parameter."""
        # the placeholder's own dtype: the factory dtype, or what module.to() gave it
        dtype = dtype or self.dtype
        self._data = np.empty(tuple(shape), dtype=dtype.np)
        self.__class__ = self.cls_to_become

    def __repr__(self):
        return "<UninitializedParameter>"

    def __reduce_ex__(self, proto):
        raise RuntimeError("Can't pickle an UninitializedParameter; run a forward pass first")


class UninitializedBuffer(Tensor):
    """A buffer whose shape is not known yet."""

    cls_to_become = Tensor

    def __new__(cls, requires_grad=False, device=None, dtype=None):
        t = _shared(cls, _empty0(dtype), requires_grad)
        t._lazy_dtype = dtype
        return t

    def materialize(self, shape, device=None, dtype=None):
        dtype = dtype or self.dtype
        self._data = np.empty(tuple(shape), dtype=dtype.np)
        self.__class__ = self.cls_to_become

    def __repr__(self):
        return "<UninitializedBuffer>"

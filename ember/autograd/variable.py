"""``Variable``: the pre-0.4 wrapper, kept so old programs run.

Since torch 0.4 every tensor is a Variable: ``Variable(t, requires_grad=True)`` gives a
new leaf sharing ``t``'s data, and ``isinstance(any_tensor, Variable)`` is True.
"""


class _VariableMeta(type):
    def __instancecheck__(cls, other):
        from .._tensor import Tensor
        return isinstance(other, Tensor)


class Variable(metaclass=_VariableMeta):
    """Legacy constructor: a leaf tensor over ``data``'s memory.

    >>> v = ember.autograd.Variable(ember.ones(2), requires_grad=True)
    >>> v.requires_grad, v.is_leaf
    (True, True)
    """

    def __new__(cls, data=None, requires_grad=False, volatile=False):
        from .._tensor import Tensor
        if data is None:
            from ..ops.creation import empty
            return empty(0, requires_grad=requires_grad)
        if not isinstance(data, Tensor):
            raise TypeError(f"Variable data has to be a tensor, but got {type(data).__name__}")
        # NOTE: like torch, the result is cut from data's history (a leaf), sharing memory.
        out = data.detach()
        if requires_grad:
            out.requires_grad_()
        return out

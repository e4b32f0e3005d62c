"""Sliding windows: ``Tensor.unfold(dimension, size, step)``, a strided view whose last dim
walks each window, and its adjoint ``unfold_backward`` (windows summed back into place).

>>> ember.arange(5.).unfold(0, 2, 1)
tensor([[0., 1.],
        [1., 2.],
        [2., 3.],
        [3., 4.]])
"""

__all__ = []

import numpy as np

from .._device import META, as_strided, xp_of
from .._tensor import Tensor, _wrap_dim
from ..autograd.graph import Node
from . import _util as U
from ._shape_args import as_int
from ._util import GRAD, check_tensor, record
from ._view import make_view


def _window_count(length, size, step):
    return (length - size) // step + 1


def _unfold_array(arr, d, size, step):
    if arr.ndim == 0:
        shape, strides = (size,), (0,)
    else:
        count = _window_count(arr.shape[d], size, step)
        shape = arr.shape[:d] + (count,) + arr.shape[d + 1:] + (size,)
        st = arr.strides
        strides = st[:d] + (st[d] * step,) + st[d + 1:] + (st[d],)
    if type(arr) is np.ndarray:
        return np.lib.stride_tricks.as_strided(arr, shape, strides,
                                               writeable=arr.flags.writeable)
    return as_strided(arr, shape, strides)


class UnfoldBackward0(Node):
    def backward(self, grad):
        return (unfold_backward(grad, self.in_shape, self.dim, self.size, self.step),)


class UnfoldBackwardBackward0(Node):
    def backward(self, grad):
        return (unfold(grad, self.dim, self.size, self.step),)


def unfold(input, dimension, size, step):
    """All windows of length ``size`` along ``dimension``, ``step`` apart, as a view with a
    new last dim of size ``size``."""
    check_tensor(input, "unfold")
    arr = input._data
    ndim = arr.ndim
    d = _wrap_dim(dimension, max(ndim, 1), "unfold")
    size = as_int(size, "unfold", "size")
    step = as_int(step, "unfold", "step")
    length = arr.shape[d] if ndim else 1
    if size > length:
        raise RuntimeError(f"unfold(): maximum size for tensor at dimension {d} is {length} "
                           f"but size is {size}")
    if size < 0:
        raise RuntimeError(f"unfold(): size is {size} but must be >= 0")
    if step <= 0:
        raise RuntimeError(f"unfold(): step is {step} but must be > 0")
    if input._device is META:
        count = _window_count(length, size, step)
        shape = (arr.shape[:d] + (count,) + arr.shape[d + 1:] + (size,)) if ndim else (size,)
        out = np.lib.stride_tricks.as_strided(np.zeros((), arr.dtype), shape, (0,) * len(shape))
    else:
        out = _unfold_array(arr, d, size, step)
    res = make_view(input, out)
    if GRAD.enabled and input._rg:
        node = record(UnfoldBackward0, res, (input,))
        node.in_shape, node.dim, node.size, node.step = arr.shape, d, size, step
    return res


def unfold_backward(grad, input_shape, dim, size, step):
    """Sum each window of ``grad`` (shaped like ``unfold``'s output) back into a tensor of
    ``input_shape``: overlapping windows add.  A loop over the ``size`` window offsets,
    each one strided add."""
    g = grad._data
    out = xp_of(g).zeros(input_shape, dtype=g.dtype)
    if len(input_shape) == 0:
        out[...] = g.sum()
    elif grad._device is not META:
        count = g.shape[dim]
        for k in range(size):
            window = g[..., k]          # (..., count, ...) with count at ``dim``
            index = (slice(None),) * dim + (slice(k, k + step * (count - 1) + 1, step),)
            out[index] += window
    res = U.wrap(out, grad._device)
    if GRAD.enabled and grad._rg:
        node = record(UnfoldBackwardBackward0, res, (grad,))
        node.dim, node.size, node.step = dim, size, step
    return res


METHODS = {"unfold": unfold}
for _name, _fn in METHODS.items():
    setattr(Tensor, _name, _fn)

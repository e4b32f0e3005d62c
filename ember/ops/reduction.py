"""Reductions: sum, mean, ... over all dims, one dim or several, with keepdim.

float16/bfloat16 inputs accumulate in float32 and round once at the end (as torch's
CPU kernels do); integer and bool sums give int64.
"""

__all__ = ["sum", "mean"]

import builtins

import numpy as np

from .. import _dtype as D
from .._tensor import Tensor
from ..autograd.graph import Node
from . import _util as U
from ._util import GRAD, record

_FROM_NP = D._FROM_NP
_LOW_PRECISION = (np.dtype(np.float16), D.bfloat16.np)


def reduce_dims(input, dim, op):
    """(axes tuple, all_reduced) for a dim argument; torch's dim=[] means all dims."""
    nd = input._data.ndim
    if dim is None or (isinstance(dim, (list, tuple)) and len(dim) == 0):
        return tuple(range(nd)), True
    if nd == 0:
        # torch accepts dim 0 / -1 on a 0-dim tensor.
        dims = dim if isinstance(dim, (list, tuple)) else (dim,)
        for d in dims:
            U.wrap_dim(d, 0, op)
        return (), False
    return U.normalize_dims(dim, nd, op), False


def expand_reduced_grad(grad, in_shape, axes, keepdim):
    """Broadcast a reduction's gradient back to the input shape (differentiable)."""
    if not keepdim and axes:
        shape = list(grad._data.shape)
        for a in sorted(axes):
            shape.insert(a, 1)
        grad = grad.reshape(shape)
    return grad.expand(in_shape)


class SumBackward0(Node):
    def backward(self, grad):
        return (grad.expand(self.in_shape),)


class SumBackward1(Node):
    def backward(self, grad):
        return (expand_reduced_grad(grad, self.in_shape, self.axes, self.keepdim),)


def _sum_dtype(arr, dtype):
    if dtype is not None:
        return dtype.np
    cat = _FROM_NP[arr.dtype].category
    if cat < D.FLOAT:
        return np.dtype(np.int64)
    return arr.dtype


def sum(input, dim=None, keepdim=False, *, dtype=None, out=None):
    """Sum of elements over ``dim`` (all dims by default)."""
    U.check_tensor(input, "sum")
    arr = input._data
    axes, all_dims = reduce_dims(input, dim, "sum")
    target = _sum_dtype(arr, dtype)
    if arr.dtype in _LOW_PRECISION and dtype is None:
        result = np.sum(arr, axis=axes, dtype=np.float32, keepdims=keepdim).astype(target)
    elif arr.dtype != target:
        result = np.sum(arr.astype(target), axis=axes, keepdims=keepdim)
    else:
        result = np.sum(arr, axis=axes, keepdims=keepdim)
    res = U.wrap(np.asarray(result), input._device)
    if GRAD.enabled and input._rg:
        if all_dims and not keepdim:
            record(SumBackward0, res, (input,)).in_shape = arr.shape
        else:
            node = record(SumBackward1, res, (input,))
            node.in_shape, node.axes, node.keepdim = arr.shape, axes, keepdim
    if out is not None:
        return U.write_out(out, res, "sum")
    return res


class MeanBackward0(Node):
    def backward(self, grad):
        return (grad.expand(self.in_shape) / self.count,)


class MeanBackward1(Node):
    def backward(self, grad):
        return (expand_reduced_grad(grad, self.in_shape, self.axes, self.keepdim) / self.count,)


def mean(input, dim=None, keepdim=False, *, dtype=None, out=None):
    """Mean over ``dim``; floating (or complex) inputs only, as in torch."""
    U.check_tensor(input, "mean")
    arr = input._data
    src = dtype or _FROM_NP[arr.dtype]
    if src.category < D.FLOAT:
        raise RuntimeError(
            f"mean(): could not infer output dtype. Input dtype must be either a floating point "
            f"or complex dtype. Got: {_FROM_NP[arr.dtype].name.capitalize()}")
    axes, all_dims = reduce_dims(input, dim, "mean")
    if dtype is not None and arr.dtype != dtype.np:
        arr = arr.astype(dtype.np)
    if arr.dtype in _LOW_PRECISION:
        result = np.mean(arr, axis=axes, dtype=np.float32, keepdims=keepdim).astype(arr.dtype)
    else:
        result = np.mean(arr, axis=axes, keepdims=keepdim)
    res = U.wrap(np.asarray(result, dtype=arr.dtype), input._device)
    if GRAD.enabled and input._rg:
        count = builtins.max(1, int(np.prod([arr.shape[a] for a in axes]))) if axes else 1
        count = int(np.prod([arr.shape[a] for a in axes])) if axes else 1
        if all_dims and not keepdim:
            node = record(MeanBackward0, res, (input,))
        else:
            node = record(MeanBackward1, res, (input,))
            node.axes, node.keepdim = axes, keepdim
        node.in_shape, node.count = arr.shape, count
    if out is not None:
        return U.write_out(out, res, "mean")
    return res


METHODS = {"sum": sum, "mean": mean}
for _name, _fn in METHODS.items():
    setattr(Tensor, _name, _fn)

"""Extrema reductions: max/min (with and without dim), amax/amin/aminmax and
argmax/argmin.  Shared conventions are described in ``reduction.py``."""

__all__ = ["amax", "amin", "aminmax", "argmax", "argmin", "max", "min"]

import numpy as np

from .._device import as_array, xp_of
from .._tensor import Tensor
from ..autograd.graph import Node
from . import _util as U
from ._util import GRAD, record
from .reduction import (  # shared reduction helpers
    reduce_dims, _one_dim, _keep, _keep_arr, _const, _finish, _finish_exact,
    _dim_aliases, _zero_size_error, _check_nonempty_dims, _scatter_add)
from ._return_types import return_types, _write_tuple_out


# ----------------------------------------------------------------------------------
# max / min / amax / amin / aminmax / argmax / argmin
# ----------------------------------------------------------------------------------

class _EvenBackward(Node):
    """Gradient of a reduction to one value, split evenly among the tied inputs."""

    def backward(self, grad):
        g = _keep(grad, self.axes, self.keepdim)
        return (g * self.scale,)


class MaxBackward1(_EvenBackward):
    pass


class MinBackward1(_EvenBackward):
    pass


class AmaxBackward0(_EvenBackward):
    pass


class AminBackward0(_EvenBackward):
    pass


class MedianBackward0(_EvenBackward):
    pass


class NanmedianBackward0(_EvenBackward):
    pass


def _record_even(node_cls, res, input, axes, keepdim, nan_matches):
    """Record a node that splits the gradient among inputs equal to the result."""
    x = input._data
    r = _keep_arr(res._data, axes, keepdim)
    mask = x == r
    if nan_matches:
        mask |= np.isnan(x) & np.isnan(r)
    count = np.sum(mask, axis=axes, keepdims=True)
    scale = np.true_divide(mask, count).astype(x.dtype)
    node = record(node_cls, res, (input,))
    node.axes, node.keepdim, node.scale = axes, keepdim, _const(scale, input)


class _SelectBackward(Node):
    """Gradient of a value-selecting reduction: the gradient goes to the chosen index."""

    def backward(self, grad):
        g = grad if self.keepdim else grad.unsqueeze(self.dim)
        return (_scatter_add(g, self.dim, self.index, self.in_shape),)


class MaxBackward0(_SelectBackward):
    pass


class MinBackward0(_SelectBackward):
    pass


class MedianBackward1(_SelectBackward):
    pass


class NanmedianBackward1(_SelectBackward):
    pass


class ModeBackward0(_SelectBackward):
    pass


def _select_along(op, node_cls, input, dim, keepdim, pick, out):
    """values/indices of a value-selecting reduction along one dim.

    ``pick(a, d)`` returns the chosen indices with keepdim shape for a >=1-d array.
    """
    U.check_tensor(input, op)
    arr = input._data
    d = _one_dim(input, dim, op)
    if arr.ndim == 0:
        res = _select_along(op, node_cls, input.reshape(1), 0, False, pick, None)
        values, indices = res[0].reshape(()), res[1].reshape(())
    else:
        if arr.shape[d] == 0:
            raise _zero_size_error(op, d)
        index = xp_of(arr).ascontiguousarray(pick(arr, d), dtype=np.int64)
        values, out_index = np.take_along_axis(arr, index, axis=d), index
        if not keepdim:
            values, out_index = np.squeeze(values, d), np.squeeze(index, d)
        values = U.wrap(values, input._device)
        indices = U.wrap(out_index, input._device)
        if GRAD.enabled and input._rg:
            node = record(node_cls, values, (input,))
            node.dim, node.index, node.in_shape, node.keepdim = d, index, arr.shape, keepdim
    result = getattr(return_types, op)((values, indices))
    if out is not None:
        return _write_tuple_out(out, result, op)
    return result


def _refuse_complex(input, op):
    # complex numbers have no order (NumPy's would be lexicographic)
    if input._data.dtype.kind == "c":
        raise RuntimeError(f"{op}(): does not support complex input (got {input.dtype})")


def _pick_arg(np_arg):
    def pick(a, d):
        return np.expand_dims(np_arg(a, axis=d), d)
    return pick


def _full_extreme(op, node_cls, input, np_fn):
    arr = input._data
    if arr.size == 0:
        raise RuntimeError(f"{op}(): Expected reduction dim to be specified for input.numel() == "
                           "0. Specify the reduction dim with the 'dim' argument.")
    res = U.wrap(as_array(np_fn(arr)), input._device)
    if GRAD.enabled and input._rg:
        _record_even(node_cls, res, input, tuple(range(arr.ndim)), False, True)
    return res


def _binary_extreme(op, name, input, other, out):
    from . import pointwise
    fn = getattr(pointwise, name, None)
    if fn is None:
        raise NotImplementedError(f"{op}(input, other): elementwise {name} is not available")
    return fn(input, other) if out is None else fn(input, other, out=out)


def max(input, dim=None, keepdim=False, *, out=None, axis=None, keepdims=None):
    """max(input) -> the largest value; max(input, dim) -> (values, indices);
    max(input, other) -> elementwise maximum.

    Ties give the first index; NaN wins, as in torch.

    >>> ember.tensor([[1., 5.], [7., 2.]]).max(1)
    torch.return_types.max(
    values=tensor([5., 7.]),
    indices=tensor([1, 0]))
    """
    if axis is not None or keepdims is not None:
        dim, keepdim = _dim_aliases("max", dim, keepdim, axis, keepdims, None)
    U.check_tensor(input, "max")
    _refuse_complex(input, "max")
    if isinstance(dim, Tensor):
        return _binary_extreme("max", "maximum", input, dim, out)
    if dim is None:
        if keepdim:
            raise TypeError("max(): keepdim=True needs a dim")
        return _finish(_full_extreme("max", MaxBackward1, input, np.max), out, "max")
    return _select_along("max", MaxBackward0, input, dim, keepdim, _pick_arg(np.argmax), out)


def min(input, dim=None, keepdim=False, *, out=None, axis=None, keepdims=None):
    """min(input) -> the smallest value; min(input, dim) -> (values, indices);
    min(input, other) -> elementwise minimum.

    >>> ember.tensor([[1., 5.], [7., 2.]]).min(1).indices
    tensor([0, 1])
    """
    if axis is not None or keepdims is not None:
        dim, keepdim = _dim_aliases("min", dim, keepdim, axis, keepdims, None)
    U.check_tensor(input, "min")
    _refuse_complex(input, "min")
    if isinstance(dim, Tensor):
        return _binary_extreme("min", "minimum", input, dim, out)
    if dim is None:
        if keepdim:
            raise TypeError("min(): keepdim=True needs a dim")
        return _finish(_full_extreme("min", MinBackward1, input, np.min), out, "min")
    return _select_along("min", MinBackward0, input, dim, keepdim, _pick_arg(np.argmin), out)


def _amax_amin(op, node_cls, np_fn, input, dim, keepdim, out):
    U.check_tensor(input, op)
    _refuse_complex(input, op)
    arr = input._data
    axes, all_dims = reduce_dims(input, dim, op)
    _check_nonempty_dims(arr, axes, op, all_dims)
    res = U.wrap(as_array(np_fn(arr, axis=axes, keepdims=keepdim)), input._device)
    if GRAD.enabled and input._rg:
        # NOTE: torch's amax/amin gradient is split evenly among ties; a NaN result
        # matches nothing, so its gradient is nan (0/0), as in torch.
        _record_even(node_cls, res, input, axes, keepdim, False)
    return _finish_exact(res, out, op)


def amax(input, dim=(), keepdim=False, *, out=None, axis=None, keepdims=None):
    """Largest values over ``dim`` (all dims by default); gradient split among ties.

    >>> ember.tensor([[1., 5.], [7., 2.]]).amax(0)
    tensor([7., 5.])
    """
    if axis is not None or keepdims is not None:
        dim, keepdim = _dim_aliases("amax", dim, keepdim, axis, keepdims, ())
    return _amax_amin("amax", AmaxBackward0, np.max, input, dim, keepdim, out)


def amin(input, dim=(), keepdim=False, *, out=None, axis=None, keepdims=None):
    """Smallest values over ``dim`` (all dims by default); gradient split among ties.

    >>> ember.tensor([[1., 5.], [7., 2.]]).amin(1)
    tensor([1., 2.])
    """
    if axis is not None or keepdims is not None:
        dim, keepdim = _dim_aliases("amin", dim, keepdim, axis, keepdims, ())
    return _amax_amin("amin", AminBackward0, np.min, input, dim, keepdim, out)


def aminmax(input, *, dim=None, keepdim=False, out=None, axis=None, keepdims=None):
    """(min, max) over ``dim`` (all dims by default), as a named tuple.

    >>> ember.aminmax(ember.tensor([3., 1., 2.]))
    torch.return_types.aminmax(
    min=tensor(1.),
    max=tensor(3.))
    """
    if axis is not None or keepdims is not None:
        dim, keepdim = _dim_aliases("aminmax", dim, keepdim, axis, keepdims, None)
    U.check_tensor(input, "aminmax")
    arr = input._data
    if dim is None:
        if arr.size == 0:
            raise RuntimeError("aminmax(): cannot compute aminmax over an empty dimension as the "
                               "operation has no identity.")
        dims = ()
    else:
        d = _one_dim(input, dim, "aminmax")
        if arr.ndim and arr.shape[d] == 0:
            raise IndexError(f"aminmax(): Expected reduction dim {d} to have non-zero size.")
        dims = d
    lo = _amax_amin("aminmax", AminBackward0, np.min, input, dims, keepdim, None)
    hi = _amax_amin("aminmax", AmaxBackward0, np.max, input, dims, keepdim, None)
    result = return_types.aminmax((lo, hi))
    if out is not None:
        return _write_tuple_out(out, result, "aminmax")
    return result


def _arg_extreme(op, np_fn, input, dim, keepdim, out):
    U.check_tensor(input, op)
    _refuse_complex(input, op)
    arr = input._data
    if arr.dtype == np.bool_:
        raise RuntimeError(f"\"{op}_cpu\" not implemented for 'Bool'")
    if dim is None:
        if arr.size == 0:
            raise IndexError(f"{op}(): Expected reduction dim to be specified for input.numel() "
                             "== 0.")
        index = as_array(np_fn(arr), np.int64)
        if keepdim:
            index = index.reshape((1,) * arr.ndim)
    else:
        d = _one_dim(input, dim, op)
        if arr.ndim == 0:
            index = xp_of(arr).zeros((), dtype=np.int64)
        else:
            if arr.shape[d] == 0:
                raise _zero_size_error(op, d)
            index = as_array(np_fn(arr, axis=d, keepdims=keepdim), np.int64)
    return _finish_exact(U.wrap(index, input._device), out, op)


def argmax(input, dim=None, keepdim=False, *, out=None, axis=None, keepdims=None):
    """Index of the largest value (first one among ties; flattened when dim is None).

    >>> ember.tensor([[1., 5.], [7., 2.]]).argmax()
    tensor(2)
    """
    if axis is not None or keepdims is not None:
        dim, keepdim = _dim_aliases("argmax", dim, keepdim, axis, keepdims, None)
    return _arg_extreme("argmax", np.argmax, input, dim, keepdim, out)


def argmin(input, dim=None, keepdim=False, *, out=None, axis=None, keepdims=None):
    """Index of the smallest value (first one among ties; flattened when dim is None).

    >>> ember.tensor([[1., 5.], [7., 2.]]).argmin(1)
    tensor([0, 1])
    """
    if axis is not None or keepdims is not None:
        dim, keepdim = _dim_aliases("argmin", dim, keepdim, axis, keepdims, None)
    return _arg_extreme("argmin", np.argmin, input, dim, keepdim, out)


# ----------------------------------------------------------------------------------
# Tensor methods
# ----------------------------------------------------------------------------------

METHODS = {
    "max": max, "min": min, "amax": amax, "amin": amin, "aminmax": aminmax, "argmax":
    argmax, "argmin": argmin,
}
for _name, _fn in METHODS.items():
    setattr(Tensor, _name, _fn)

"""normalize, cosine_similarity, pairwise_distance, pdist and cdist.

All are compositions of differentiable ember ops, except the square root of cdist's
matmul expansion, which is a small primitive whose gradient is 0 where the distance
is 0 (as torch's ``_euclidean_dist`` backward).
"""

__all__ = ["cosine_similarity", "normalize", "pairwise_distance", "pdist"]

import numpy as np

from ... import _dtype as D
from ..._tensor import Tensor
from ...autograd.graph import Node
from ...ops import _util as U
from ...ops._util import GRAD, record

_FROM_NP = D._FROM_NP


def _check(op, *tensors, names=("x1", "x2")):
    for i, t in enumerate(tensors):
        if not isinstance(t, Tensor):
            raise TypeError(f"{op}(): argument '{names[i]}' must be Tensor, not "
                            f"{type(t).__name__}")
    return U.common_device(op, tensors)


def _broadcast_shape(op, a, b):
    try:
        return np.broadcast_shapes(a._data.shape, b._data.shape)
    except ValueError:
        raise U.broadcast_error(op, a._data, b._data) from None


def _is_float(t):
    return _FROM_NP[t._data.dtype].category == D.FLOAT


def normalize(input, p=2.0, dim=1, eps=1e-12, out=None):
    """``input`` divided by its ``p``-norm over ``dim`` (at least ``eps``).

    >>> F.normalize(ember.tensor([[3.0, 4.0]]))
    tensor([[0.6000, 0.8000]])
    """
    _check("normalize", input, names=("input",))
    if not _is_float(input):
        raise RuntimeError(f"normalize: linalg.vector_norm: Expected a floating point or "
                           f"complex tensor as input. Got {input.dtype}")
    from ...ops.statistics import norm
    denom = norm(input, p, dim, keepdim=True).clamp_min(eps).expand(input.shape)
    res = input / denom
    if out is not None:
        return U.write_out(out, res, "normalize")
    return res


def cosine_similarity(x1, x2, dim=1, eps=1e-8):
    """Cosine of the angle between ``x1`` and ``x2`` along ``dim`` (broadcasting).

    >>> F.cosine_similarity(ember.tensor([[1.0, 0.0]]), ember.tensor([[1.0, 1.0]]))
    tensor([0.7071])
    """
    op = "cosine_similarity"
    _check(op, x1, x2)
    shape = _broadcast_shape(op, x1, x2)
    if not (_is_float(x1) or _is_float(x2)):
        raise RuntimeError(f"{op}: expected common dtype to be floating point, yet common "
                           f"dtype is {D.result_type_of(x1, x2)}")
    dim = U.wrap_dim(dim, len(shape), op)
    from ...ops.statistics import norm
    if x1._data.shape != shape:
        x1 = x1.expand(shape)
    if x2._data.shape != shape:
        x2 = x2.expand(shape)
    # NOTE: torch clamps the norms at eps in place under no_grad: the values are clamped
    # but the gradient flows as if they were not.
    n1 = _clamped_value(norm(x1, 2, dim, keepdim=True), eps)
    n2 = _clamped_value(norm(x2, 2, dim, keepdim=True), eps)
    return ((x1 / n1) * (x2 / n2)).sum(dim)


def _clamped_value(t, eps):
    arr = t._data
    clamped = np.maximum(arr, arr.dtype.type(eps))
    if t._device is U.META:
        return t
    return t + U.wrap((clamped - arr).astype(arr.dtype, copy=False), t._device)


def pairwise_distance(x1, x2, p=2.0, eps=1e-6, keepdim=False):
    """The ``p``-norm of ``x1 - x2 + eps`` over the last dim.

    >>> F.pairwise_distance(ember.tensor([[0.0, 0.0]]), ember.tensor([[3.0, 4.0]]), eps=0)
    tensor([5.])
    """
    op = "pairwise_distance"
    _check(op, x1, x2)
    shape = _broadcast_shape(op, x1, x2)
    from ...ops.statistics import norm
    inner = max(len(shape) - 1, 0)
    diff = x1 - x2 + eps
    if len(shape) == 0:
        return norm(diff, p, None, keepdim=keepdim)
    return norm(diff, p, inner, keepdim=keepdim)


def pdist(input, p=2):
    """Distances between all pairs of rows of a 2-D ``input`` (upper triangle, row-major).

    >>> F.pdist(ember.tensor([[0.0, 0.0], [3.0, 4.0], [6.0, 8.0]]))
    tensor([ 5., 10.,  5.])
    """
    op = "pdist"
    _check(op, input, names=("input",))
    if input._data.ndim != 2:
        raise RuntimeError(f"{op}: pdist only supports 2D tensors, got: {input._data.ndim}D")
    if not _is_float(input):
        raise RuntimeError(f"{op}: pdist only supports floating-point dtypes")
    if p < 0:
        raise RuntimeError(f"{op}: pdist only supports non-negative p values")
    n = input._data.shape[0]
    rows, cols = np.triu_indices(n, 1)
    from ...ops.statistics import norm
    left = input[U.wrap(rows)]
    right = input[U.wrap(cols)]
    return norm(left - right, p, -1)


class CdistSqrtBackward(Node):
    def backward(self, grad):
        (result,) = self.saved_tensors
        zero = result._data == 0
        safe = result + U.wrap(zero.astype(result._data.dtype), result._device)
        mask = U.wrap((~zero).astype(result._data.dtype), result._device)
        return (grad * mask / (safe * 2),)


def _sqrt_zero_grad(input):
    """sqrt whose gradient is 0 where the input is 0 (a distance between equal points)."""
    res = U.wrap(np.sqrt(input._data), input._device)
    if GRAD.enabled and input._rg:
        record(CdistSqrtBackward, res, (input,), (res,))
    return res


_CDIST_MODES = ("use_mm_for_euclid_dist_if_necessary", "use_mm_for_euclid_dist",
                "donot_use_mm_for_euclid_dist")


def cdist(x1, x2, p=2.0, compute_mode="use_mm_for_euclid_dist_if_necessary"):
    """Distances between each row of ``x1`` (..., P, M) and each row of ``x2`` (..., R, M).

    >>> ember.cdist(ember.tensor([[0.0, 0.0]]), ember.tensor([[3.0, 4.0], [0.0, 1.0]]))
    tensor([[5., 1.]])
    """
    op = "cdist"
    _check(op, x1, x2)
    if x1._data.ndim < 2:
        raise RuntimeError(f"cdist only supports at least 2D tensors, X1 got: {x1._data.ndim}D")
    if x2._data.ndim < 2:
        raise RuntimeError(f"cdist only supports at least 2D tensors, X2 got: {x2._data.ndim}D")
    if x1._data.shape[-1] != x2._data.shape[-1]:
        raise RuntimeError(f"cdist: X1 and X2 must have the same number of columns. X1: "
                           f"{x1._data.shape[-1]} X2: {x2._data.shape[-1]}")
    if not (_is_float(x1) and _is_float(x2)):
        bad = x1 if not _is_float(x1) else x2
        raise RuntimeError(f"cdist only supports floating-point dtypes, X1 got: {bad.dtype}")
    if p < 0:
        raise RuntimeError("cdist only supports non-negative p values")
    if compute_mode not in _CDIST_MODES and compute_mode is not None:
        raise ValueError(f"{compute_mode} is not a valid value for compute_mode")
    try:
        batch = np.broadcast_shapes(x1._data.shape[:-2], x2._data.shape[:-2])
    except ValueError:
        raise U.broadcast_error(op, x1._data[..., 0, 0], x2._data[..., 0, 0]) from None
    r1, r2 = x1._data.shape[-2], x2._data.shape[-2]
    x1 = x1.expand(batch + x1._data.shape[-2:])
    x2 = x2.expand(batch + x2._data.shape[-2:])
    mode = compute_mode or _CDIST_MODES[0]
    use_mm = p == 2 and (mode == "use_mm_for_euclid_dist" or (
        mode == _CDIST_MODES[0] and (r1 > 25 or r2 > 25)))
    if use_mm:
        return _euclidean_mm(x1, x2)
    from ...ops.statistics import norm
    diff = x1.unsqueeze(-2) - x2.unsqueeze(-3)
    if diff._data.size == 0:
        return norm(diff, p, -1) if diff._data.shape[-1] == 0 else diff.sum(-1)
    return norm(diff, p, -1)


def _euclidean_mm(x1, x2):
    # NOTE: torch computes |a|^2 - 2 a.b + |b|^2 with one matmul for large inputs; the
    # result then differs from the direct formula by rounding, as torch's does.
    from ...ops.linalg import matmul
    sq1 = (x1 * x1).sum(-1, keepdim=True)
    sq2 = (x2 * x2).sum(-1, keepdim=True)
    dots = matmul(x1, x2.transpose(-1, -2))
    d2 = (sq1 - dots * 2 + sq2.transpose(-1, -2)).clamp_min(0)
    return _sqrt_zero_grad(d2)

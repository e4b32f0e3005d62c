"""Vector and matrix norms, matrix rank: compositions of differentiable ember ops (the
vector norm kernel is shared with ``ember.norm``)."""
import math
import numbers

import numpy as np

from .._tensor import Tensor
from ..ops import _util as U
from ..ops.statistics import _vector_norm
from . import _base as B
from ._decomp import _out, eigvalsh, svdvals


def vector_norm(x, ord=2, dim=None, keepdim=False, *, dtype=None, out=None):
    """The vector ``ord``-norm over ``dim`` (all elements by default).

    >>> ember.linalg.vector_norm(ember.tensor([3., 4.]))
    tensor(5.)
    """
    op = "linalg.vector_norm"
    U.check_tensor(x, op, "x")
    if isinstance(ord, Tensor):
        ord = ord.item()
    if isinstance(ord, bool) or not isinstance(ord, numbers.Real):
        raise TypeError(f"{op}(): argument 'ord' must be Number, not {type(ord).__name__}")
    if isinstance(dim, int) and not isinstance(dim, bool):
        dim = (dim,)
    return _out(_vector_norm(op, x, float(ord), dim, keepdim, dtype), out, op)


_MATRIX_ORDS = ("fro", "nuc", 1, -1, 2, -2, math.inf, -math.inf)


def matrix_norm(A, ord="fro", dim=(-2, -1), keepdim=False, *, dtype=None, out=None):
    """Matrix norm over the two dims ``dim``: 'fro', 'nuc', 1/-1 (max/min column sum),
    inf/-inf (max/min row sum), 2/-2 (largest/smallest singular value).

    >>> ember.linalg.matrix_norm(ember.tensor([[1., -2.], [3., 4.]]), ord=1)
    tensor(6.)
    """
    op = "linalg.matrix_norm"
    U.check_tensor(A, op, "A")
    if A._data.dtype.kind in "biu":
        raise RuntimeError(f"{op}: Expected a floating point or complex tensor as input. Got "
                           f"{B.scalar_name(A._data)}")
    B.check_matrix(op, A)
    if not isinstance(dim, (list, tuple)) or len(dim) != 2:
        raise RuntimeError(f"{op}: dim must be a 2-tuple. Got {dim}")
    d0, d1 = (U.wrap_dim(d, A.ndim, op) for d in dim)
    if d0 == d1:
        raise RuntimeError(f"{op}: dims must be different. Got ({dim[0]}, {dim[1]})")
    if isinstance(ord, Tensor):
        ord = ord.item()
    if ord not in _MATRIX_ORDS or isinstance(ord, bool):
        raise RuntimeError(f"{op}: Order {ord} not supported.")
    if dtype is not None and A.dtype is not dtype:
        A = A.to(dtype)
    if ord == "fro":
        return _out(_vector_norm(op, A, 2.0, (d0, d1), keepdim, None), out, op)
    if ord in ("nuc", 2, -2):
        if A._data.dtype in B._LOW:
            raise NotImplementedError(f"\"linalg_svd_cpu\" not implemented for "
                                      f"'{B.scalar_name(A._data)}' ({op} with ord={ord})")
        if ord != "nuc" and any(A.shape[d] == 0 for d in (d0, d1)):
            raise RuntimeError(f"{op}: Expected a non-empty matrix for ord={ord}, got shape "
                               f"{list(A.shape)}")
        s = svdvals(A.movedim((d0, d1), (-2, -1)))
        if ord == "nuc":
            res = s.sum(-1)
        else:
            res = s.amax(-1) if ord == 2 else s.amin(-1)
        if keepdim:
            res = res.unsqueeze(min(d0, d1)).unsqueeze(max(d0, d1))
        return _out(res, out, op)
    # 1 / inf: sum |a| over one dim, then max (min for negative orders) over the other
    sum_dim, red_dim = (d0, d1) if abs(ord) == 1 else (d1, d0)
    if A.shape[red_dim] == 0:
        raise RuntimeError(f"{op}: Expected a non-empty matrix for ord={ord}, got shape "
                           f"{list(A.shape)}")
    sums = A.abs().sum(sum_dim, keepdim=True)
    res = sums.amax(red_dim, keepdim=True) if ord > 0 else sums.amin(red_dim, keepdim=True)
    if not keepdim:
        res = res.squeeze(max(d0, d1)).squeeze(min(d0, d1))
    return _out(res, out, op)


def norm(A, ord=None, dim=None, keepdim=False, *, out=None, dtype=None):
    """Vector or matrix norm, chosen as torch does: by ``ord`` and the number of dims
    (``dim`` an int: vector; a 2-tuple: matrix; neither: 2-norm of all elements, or by
    A's rank when ``ord`` is given).

    >>> ember.linalg.norm(ember.tensor([[3., 4.]]))
    tensor(5.)
    """
    op = "linalg.norm"
    U.check_tensor(A, op, "A")
    if isinstance(dim, int) and not isinstance(dim, bool):
        dim = (dim,)
    if dim is not None and (not isinstance(dim, (list, tuple)) or len(dim) not in (1, 2)):
        raise RuntimeError(f"{op}: If dim is specified, it must be of length 1 or 2. Got {dim}")
    if dim is None and ord is not None and A.ndim not in (1, 2):
        raise RuntimeError(f"{op}: If dim is not specified but ord is, the input must be 1D "
                           f"or 2D. Got {A.ndim}D.")
    if ord is None:
        if dim is not None and len(dim) == 2:
            return matrix_norm(A, "fro", dim, keepdim, dtype=dtype, out=out)
        return vector_norm(A, 2, dim, keepdim, dtype=dtype, out=out)
    matrix = (dim is not None and len(dim) == 2) or (dim is None and A.ndim == 2)
    if isinstance(ord, str) and not matrix:
        raise RuntimeError(f"{op}: ord='{ord}' requires a matrix (dim of length 2 or a 2-D "
                           f"input); got shape {list(A.shape)} and dim={dim}")
    if matrix:
        return matrix_norm(A, ord, dim if dim is not None else (-2, -1), keepdim,
                           dtype=dtype, out=out)
    return vector_norm(A, ord, dim, keepdim, dtype=dtype, out=out)


def matrix_rank(A, tol=None, hermitian=False, *, atol=None, rtol=None, out=None):
    """Numerical rank: how many singular values (|eigenvalues| when ``hermitian``) exceed
    ``max(atol, rtol * largest)`` (rtol defaults to eps * max(m, n) when atol is not given).

    >>> ember.linalg.matrix_rank(ember.tensor([[1., 2.], [2., 4.]]))
    tensor(1)
    """
    op = "linalg.matrix_rank"
    U.check_tensor(A, op, "input")
    a = A._data
    if a.dtype.kind not in "fc" or a.dtype in B._LOW:
        raise RuntimeError(f"{op}: This function doesn't handle types other than float and "
                           f"double (got {B.scalar_name(a)})")
    B.check_matrix(op, A, "input")
    if tol is not None:
        atol, rtol = tol, 0.0 if rtol is None else rtol
    m, n = a.shape[-2:]
    from ..autograd import grad_mode
    with grad_mode.no_grad():
        s = eigvalsh(A).abs() if hermitian else svdvals(A)
    s = B.data(s)   # host, with the tolerances (see _base's NOTE)
    from ._decomp import _tolerances
    smax = s.max(-1, keepdims=True) if s.shape[-1] else np.zeros(s.shape[:-1] + (1,), s.dtype)
    eps = np.finfo(a.dtype).eps
    tol_arr = _tolerances(op, atol, rtol, smax, eps * max(m, n))
    rank = (s > tol_arr).sum(-1).astype(np.int64)
    return _out(B.wrap(rank, A._device), out, op)

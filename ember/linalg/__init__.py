"""ember.linalg: norms, solvers, decompositions (torch.linalg's names).

Decompositions and solvers run NumPy's LAPACK (batched over leading dims) and have
backward formulas written in ember ops (``_decomp.py``); norms and the rest compose
differentiable ember ops (``_norms.py`` and below).
"""
from .. import _dtype as D
from ..ops import _util as U
from ..ops.linalg import linalg_cross as cross
from ..ops.linalg import matmul
from ..ops.shape import diagonal as _diagonal
from ._base import LinAlgError
from ._decomp import (_out, cholesky, cholesky_ex, det, eigh, eigvalsh, inv, inv_ex, lstsq,
                      pinv, qr, slogdet, solve, solve_ex, solve_triangular, svd, svdvals)
from ._extra import cond, eig, eigvals, matrix_exp, vander
from ._lu import lu, lu_factor, lu_factor_ex, lu_solve
from ._norms import matrix_norm, matrix_rank, norm, vector_norm
from . import _base as _B

__all__ = ["LinAlgError", "cholesky", "cholesky_ex", "cond", "cross", "det", "diagonal", "eig",
           "eigh", "eigvals", "eigvalsh", "inv", "inv_ex", "lstsq", "lu", "lu_factor",
           "lu_factor_ex", "lu_solve", "matmul", "matrix_exp",
           "matrix_norm", "matrix_power",
           "matrix_rank", "multi_dot", "norm", "pinv", "qr", "slogdet", "solve", "solve_ex",
           "solve_triangular", "svd", "svdvals", "tensorinv", "tensorsolve", "vander", "vecdot",
           "vector_norm"]


def diagonal(A, *, offset=0, dim1=-2, dim2=-1):
    """The diagonal of each matrix over the last two dims (a view).

    >>> ember.linalg.diagonal(ember.eye(2))
    tensor([1., 1.])
    """
    U.check_tensor(A, "linalg.diagonal", "A")
    return _diagonal(A, offset, dim1, dim2)


def vecdot(x, y, *, dim=-1, out=None):
    """Dot product of vectors along ``dim`` (conjugating x), broadcasting.

    >>> ember.linalg.vecdot(ember.ones(2, 3), ember.ones(3))
    tensor([3., 3.])
    """
    op = "linalg.vecdot"
    U.check_tensor(x, op, "x")
    U.check_tensor(y, op, "y")
    for t in (x, y):
        if t._data.dtype.kind in "biu":
            raise RuntimeError(f"{op}: Expected a floating point or complex tensor as input. "
                               f"Got {_B.scalar_name(t._data)}")
    if x._data.dtype != y._data.dtype:
        raise RuntimeError(f"{op}: Expected x and y to have the same dtype, but found x of type "
                           f"{_B.scalar_name(x._data)} and y of type {_B.scalar_name(y._data)} "
                           "instead.")
    if x._device is not y._device:
        raise RuntimeError(f"{op}: Expected all tensors to be on the same device, but found at "
                           f"least two devices, {x._device} and {y._device}!")
    return _out((_B.conj(x) * y).sum(dim), out, op)


def matrix_power(A, n, *, out=None):
    """``A`` to the integer power ``n`` by repeated squaring (n < 0: powers of inv(A);
    n == 0: the identity).

    >>> ember.linalg.matrix_power(ember.tensor([[1., 1.], [0., 1.]]), 3)
    tensor([[1., 3.],
            [0., 1.]])
    """
    op = "linalg.matrix_power"
    U.check_tensor(A, op, "A")
    if isinstance(n, bool) or not isinstance(n, int):
        raise TypeError(f"{op}(): argument 'n' must be int, not {type(n).__name__}")
    _B.check_square(op, A)
    if n == 0:
        from ..ops.creation import eye
        k = A.shape[-1]
        from ..ops.pointwise import where
        ident = eye(k, dtype=A.dtype, device=A.device).expand(*A.shape)
        # the identity, connected to A with a zero gradient (as torch)
        res = where(ident.new_ones((), dtype=D.bool), ident, A)
        return _out(res, out, op)
    if n < 0:
        A = inv(A)
        n = -n
    result = None
    base = A
    while True:
        if n & 1:
            result = base if result is None else matmul(result, base)
        n >>= 1
        if not n:
            break
        base = matmul(base, base)
    if result is A:
        result = result.clone()
    return _out(result, out, op)


def multi_dot(tensors, *, out=None):
    """Product of a chain of matrices in the cheapest order; the first may be a row
    vector and the last a column vector (1-d).

    >>> ember.linalg.multi_dot([ember.ones(3), ember.ones(3, 4), ember.ones(4)])
    tensor(12.)
    """
    return _out(_multi_dot("linalg.multi_dot", tensors), out, "linalg.multi_dot")


def _multi_dot(op, tensors):
    if not isinstance(tensors, (list, tuple)):
        raise TypeError(f"{op}(): argument 'tensors' must be tuple of Tensors, not "
                        f"{type(tensors).__name__}")
    if len(tensors) < 2:
        raise RuntimeError(f"multi_dot(): expected at least 2 tensors but got {len(tensors)}")
    for i, t in enumerate(tensors):
        U.check_tensor(t, op, f"tensors[{i}]")
    n = len(tensors)
    first, last = tensors[0], tensors[-1]
    if first.ndim not in (1, 2):
        raise RuntimeError(f"multi_dot(): the first tensor must be 1D or 2D but got "
                           f"{first.ndim}D")
    if last.ndim not in (1, 2):
        raise RuntimeError(f"multi_dot(): the last tensor must be 1D or 2D but got {last.ndim}D")
    for i in range(1, n - 1):
        if tensors[i].ndim != 2:
            raise RuntimeError(f"multi_dot(): tensor {i} must be 2D but got "
                               f"{tensors[i].ndim}D")
    dtype, device = first.dtype, first.device
    for i, t in enumerate(tensors):
        if t.dtype is not dtype:
            raise RuntimeError(f"multi_dot(): all tensors must have be the same dtype but tensor "
                               f"0 is {dtype} and tensor {i} {t.dtype}")
        if t.device != device:
            raise RuntimeError(f"multi_dot(): all tensors must be on the same device but tensor "
                               f"0 is on {device} and tensor {i} on {t.device}")
    mats = list(tensors)
    if first.ndim == 1:
        mats[0] = first.unsqueeze(0)
    if last.ndim == 1:
        mats[-1] = last.unsqueeze(-1)
    for i in range(n - 1):
        if mats[i].shape[1] != mats[i + 1].shape[0]:
            raise RuntimeError(f"{op}(): tensors {i} and {i + 1} with shapes "
                               f"{list(tensors[i].shape)} and {list(tensors[i + 1].shape)} "
                               "cannot be multiplied")
    res = _chain(mats, _chain_order([m.shape[0] for m in mats] + [mats[-1].shape[1]]), 0, n - 1)
    if first.ndim == 1:
        res = res.squeeze(0)
    if last.ndim == 1:
        res = res.squeeze(-1)
    return res


def _chain_order(p):
    """Split points of the cheapest parenthesization (the textbook dynamic program)."""
    n = len(p) - 1
    cost = [[0] * n for _ in range(n)]
    split = [[0] * n for _ in range(n)]
    for length in range(1, n):
        for i in range(n - length):
            j = i + length
            cost[i][j] = None
            for k in range(i, j):
                c = cost[i][k] + cost[k + 1][j] + p[i] * p[k + 1] * p[j + 1]
                if cost[i][j] is None or c < cost[i][j]:
                    cost[i][j], split[i][j] = c, k
    return split


def _chain(mats, split, i, j):
    if i == j:
        return mats[i]
    k = split[i][j]
    return matmul(_chain(mats, split, i, k), _chain(mats, split, k + 1, j))


def tensorinv(A, ind=2, *, out=None):
    """Inverse of A seen as a linear map from its last dims to its first ``ind`` dims.

    >>> ember.linalg.tensorinv(ember.eye(4).reshape(4, 2, 2), ind=1).shape
    torch.Size([2, 2, 4])
    """
    op = "linalg.tensorinv"
    U.check_tensor(A, op, "A")
    if ind <= 0:
        raise RuntimeError(f"{op}: Expected a strictly positive integer for 'ind', but got {ind}")
    out_shape, in_shape = tuple(A.shape[:ind]), tuple(A.shape[ind:])
    rows = 1
    for s in out_shape:
        rows *= s
    cols = 1
    for s in in_shape:
        cols *= s
    if rows != cols:
        raise RuntimeError(f"{op}: Expected self to satisfy the requirement "
                           f"prod(self.shape[ind:]) == prod(self.shape[:ind]), but got "
                           f"{cols} != {rows}")
    res = inv(A.reshape(rows, cols)).reshape(*in_shape, *out_shape)
    return _out(res, out, op)


def tensorsolve(A, B, dims=None, *, out=None):
    """The X with ``tensordot(A, X, X.ndim) == B``.

    >>> ember.linalg.tensorsolve(ember.eye(4).reshape(2, 2, 4), ember.ones(2, 2))
    tensor([1., 1., 1., 1.])
    """
    op = "linalg.tensorsolve"
    U.check_tensor(A, op, "A")
    U.check_tensor(B, op, "B")
    if dims is not None:
        dims = [U.wrap_dim(d, A.ndim, op) for d in dims]
        rest = [d for d in range(A.ndim) if d not in dims]
        A = A.permute(*rest, *dims)
    x_shape = tuple(A.shape[B.ndim:])
    rows = B.numel()
    cols = 1
    for s in x_shape:
        cols *= s
    if rows != cols:
        raise RuntimeError(f"{op}: Expected self to satisfy the requirement "
                           f"prod(self.shape[other.ndim:]) == prod(self.shape[:other.ndim]), but "
                           f"got {cols} != {rows}")
    res = solve(A.reshape(rows, cols), B.reshape(rows)).reshape(*x_shape)
    return _out(res, out, op)


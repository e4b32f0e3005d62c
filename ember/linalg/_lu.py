"""LU decomposition with partial pivoting (``P @ L @ U = A``): lu_factor(_ex), lu, lu_unpack,
lu_solve.

NumPy exposes no LU, so the factorization is a column loop vectorized over the batch
(LAPACK getf2's algorithm: the pivot is the first largest magnitude in the column).
Gradients are written in ember ops; lu_solve and lu_unpack are compositions.
"""
import numpy as np

from .._device import to_host
from ..autograd.graph import Node
from ..ops import _util as U
from . import _base as B
from ._base import H as _H, RT, LinAlgError, data, needs_grad, record_multi, wrap
from ._decomp import _out_tuple, solve_triangular

for _name, _fields in {"linalg_lu_factor": ("LU", "pivots"),
                       "linalg_lu_factor_ex": ("LU", "pivots", "info"),
                       "linalg_lu": ("P", "L", "U"), "lu_unpack": ("P", "L", "U")}.items():
    if not hasattr(RT, _name):
        setattr(RT, _name, B._return_type(_name, _fields))


def _lu_arrays(a):
    """(packed LU, 1-based pivots int32, info int32) of every matrix in ``a``."""
    m, n = a.shape[-2:]
    k = min(m, n)
    batch = a.shape[:-2]
    work = np.array(a.reshape((-1, m, n)), dtype=a.dtype, copy=True)
    nb = work.shape[0]
    piv = np.zeros((nb, k), np.int32)
    info = np.zeros(nb, np.int32)
    rows = np.arange(nb)
    with np.errstate(all="ignore"):
        for j in range(k):
            p = j + np.argmax(np.abs(work[:, j:, j]), axis=1)
            piv[:, j] = p + 1
            top = work[rows, j, :].copy()
            work[rows, j, :] = work[rows, p, :]
            work[rows, p, :] = top
            pivot = work[:, j, j]
            zero = pivot == 0
            info = np.where(zero & (info == 0), j + 1, info).astype(np.int32)
            # a zero pivot has a zero column below it: nothing to eliminate
            scale = np.where(zero, 1, pivot)
            work[:, j + 1:, j] /= scale[:, None]
            work[:, j + 1:, j + 1:] -= work[:, j + 1:, j, None] * work[:, j, None, j + 1:]
    return (work.reshape(a.shape), piv.reshape(batch + (k,)), info.reshape(batch))


def _perm_from_pivots(piv, m):
    """Row order of P^T A (``perm``) from LAPACK's sequence of row swaps."""
    batch = piv.shape[:-1]
    flat = piv.reshape((-1, piv.shape[-1])) - 1
    perm = np.tile(np.arange(m), (flat.shape[0], 1))
    rows = np.arange(flat.shape[0])
    for j in range(flat.shape[1]):
        p = flat[:, j]
        a, b = perm[rows, j].copy(), perm[rows, p].copy()
        perm[rows, j], perm[rows, p] = b, a
    return perm.reshape(batch + (m,))


def _perm_matrix(perm, dtype):
    m = perm.shape[-1]
    P = np.zeros(perm.shape + (m,), dtype)
    # A = P (L U) with (P^T A)[i] = A[perm[i]]: P[perm[i], i] = 1
    np.put_along_axis(P, perm[..., :, None], 1, axis=-1)
    return np.swapaxes(P, -1, -2)


def _lu_backward(gL, gU, P, L, U_):
    """Gradient of A = P L U (partial pivoting; P constant), any shape."""
    m, n = L.shape[-2], U_.shape[-1]
    k = min(m, n)
    if m == n:
        return P @ _lu_square(gL, gU, L, U_)
    if m > n:   # tall: P^T A = [L1; L2] U, and L2 = A2 U^-1
        L1, L2 = L[..., :k, :], L[..., k:, :]
        gL1, gL2 = gL[..., :k, :], gL[..., k:, :]
        gA2 = solve_triangular(_H(U_), gL2, upper=False, left=False)   # gL2 U^-H
        gU_all = gU - _H(L2) @ gA2
        gA1 = _lu_square(gL1, gU_all, L1, U_)
        from ..ops.join import cat
        return P @ cat([gA1, gA2], -2)
    # wide: P^T A = L [U1 U2], and U2 = L^-1 A2
    U1, U2 = U_[..., :, :k], U_[..., :, k:]
    gU1, gU2 = gU[..., :, :k], gU[..., :, k:]
    gA2 = solve_triangular(_H(L), gU2, upper=True, unitriangular=True)   # L^-H gU2
    gL_all = gL - gA2 @ _H(U2)
    gA1 = _lu_square(gL_all, gU1, L, U1)
    from ..ops.join import cat
    return P @ cat([gA1, gA2], -1)


def _lu_square(gL, gU, L, U_):
    # P^T A = L U: gA' = L^-H [tril(L^H gL, -1) + triu(gU U^H)] U^-H
    M = (_H(L) @ gL).tril(-1) + (gU @ _H(U_)).triu()
    Y = solve_triangular(_H(L), M, upper=True, unitriangular=True)
    return solve_triangular(_H(U_), Y, upper=False, left=False)


class LinalgLuFactorExBackward0(Node):
    _materialize = False

    def backward(self, gLU, *_):
        LU, perm_matrix = self.saved_tensors
        if gLU is None:
            return (None,)
        L, U_ = _unpack_lu(LU)
        k = min(LU.shape[-2:])
        gL = gLU[..., :, :k].tril(-1)
        gU = gLU[..., :k, :].triu()
        return (_lu_backward(gL, gU, perm_matrix, L, U_),)


class LinalgLuBackward0(Node):
    _materialize = False

    def backward(self, gP, gL, gU):
        P, L, U_ = self.saved_tensors
        if gL is None and gU is None:
            return (None,)
        gL = L * 0 if gL is None else gL
        gU = U_ * 0 if gU is None else gU
        return (_lu_backward(gL.tril(-1), gU.triu(), P, L, U_),)


def _unpack_lu(LU):
    """(L, U) from packed LU (differentiable: L's unit diagonal is a constant)."""
    from ..ops.creation import eye
    m, n = LU.shape[-2:]
    k = min(m, n)
    ident = eye(m, k, dtype=LU.dtype, device=LU.device)
    L = LU[..., :, :k].tril(-1) + ident
    U_ = LU[..., :k, :].triu()
    return L, U_


def _check_pivot(op, pivot):
    if not pivot:
        raise RuntimeError(f"{op}: LU without pivoting is not implemented on the CPU")


def _factor(op, A):
    B.check_float(op, A, low_kernel="linalg_lu_factor_ex_out")
    B.check_matrix(op, A)
    a = data(A)
    if a.size == 0:
        k = min(a.shape[-2:])
        return (a.copy(), np.broadcast_to(np.arange(1, k + 1, dtype=np.int32),
                                          a.shape[:-2] + (k,)).copy(),
                np.zeros(a.shape[:-2], np.int32))
    return _lu_arrays(a)


def _record_factor(A, LU, piv):
    if needs_grad(A):
        perm = _perm_from_pivots(to_host(piv._data), A.shape[-2])
        P = wrap(_perm_matrix(perm, A._data.dtype), A._device)
        record_multi(LinalgLuFactorExBackward0, (LU, None), (A,), (LU, P))


def lu_factor_ex(A, *, pivot=True, check_errors=False, out=None):
    """(LU, pivots, info): packed LU factorization with partial pivoting; ``info`` > 0 marks
    a zero pivot (an error only with ``check_errors``).

    >>> ember.linalg.lu_factor_ex(ember.eye(2)).info
    tensor(0, dtype=torch.int32)
    """
    op = "linalg.lu_factor_ex"
    _check_pivot(op, pivot)
    lu, piv, info = _factor(op, A)
    if check_errors and np.any(info > 0):
        raise LinAlgError(f"{op}: U has a zero on its diagonal (input of shape "
                          f"{list(A.shape)} is singular).")
    LU, pivots = wrap(lu, A._device, A._data.dtype), wrap(piv, A._device)
    _record_factor(A, LU, pivots)
    res = RT.linalg_lu_factor_ex((LU, pivots, wrap(info, A._device)))
    return _out_tuple(res, out, op)


def lu_factor(A, *, pivot=True, out=None):
    """(LU, pivots): packed LU factorization with partial pivoting, ``A = P L U``; raises
    ``LinAlgError`` when U has a zero on its diagonal.

    >>> LU, pivots = ember.linalg.lu_factor(ember.tensor([[1., 2.], [3., 4.]]))
    >>> pivots
    tensor([2, 2], dtype=torch.int32)
    """
    op = "linalg.lu_factor"
    _check_pivot(op, pivot)
    lu, piv, info = _factor(op, A)
    if np.any(info > 0):
        j = int(info[info > 0].flat[0])
        raise LinAlgError(f"{op}: U[{j},{j}] is zero and using it on lu_solve would result in a "
                          "division by zero. If you still want to perform the factorization, "
                          "consider calling linalg.lu(A, pivot) or linalg.lu_factor_ex(A, pivot)")
    LU, pivots = wrap(lu, A._device, A._data.dtype), wrap(piv, A._device)
    _record_factor(A, LU, pivots)
    return _out_tuple(RT.linalg_lu_factor((LU, pivots)), out, op)


def lu(A, *, pivot=True, out=None):
    """(P, L, U) with ``A = P @ L @ U`` (L unit lower triangular, U upper triangular).

    >>> P, L, U = ember.linalg.lu(ember.tensor([[1., 2.], [3., 4.]]))
    >>> U
    tensor([[3.0000, 4.0000],
            [0.0000, 0.6667]])
    """
    op = "linalg.lu"
    _check_pivot(op, pivot)
    lu_arr, piv, _ = _factor(op, A)
    m, n = lu_arr.shape[-2:]
    k = min(m, n)
    dtype = lu_arr.dtype
    L = np.tril(lu_arr[..., :, :k], -1) + np.eye(m, k, dtype=dtype)
    Uarr = np.triu(lu_arr[..., :k, :])
    P = _perm_matrix(_perm_from_pivots(piv, m), dtype)
    dev = A._device
    Pt, Lt, Ut = wrap(P, dev), wrap(L, dev), wrap(Uarr, dev)
    if needs_grad(A):
        record_multi(LinalgLuBackward0, (None, Lt, Ut), (A,), (Pt, Lt, Ut))
    return _out_tuple(RT.linalg_lu((Pt, Lt, Ut)), out, op)


def lu_unpack(LU_data, LU_pivots, unpack_data=True, unpack_pivots=True, *, out=None):
    """(P, L, U) from the packed output of :func:`lu_factor`.

    >>> P, L, U = ember.lu_unpack(*ember.linalg.lu_factor(ember.eye(2)))
    >>> P
    tensor([[1., 0.],
            [0., 1.]])
    """
    op = "lu_unpack"
    U.check_tensor(LU_data, op, "LU_data")
    U.check_tensor(LU_pivots, op, "LU_pivots")
    B.check_matrix(op, LU_data, "LU_data")
    m, n = LU_data.shape[-2:]
    k = min(m, n)
    if LU_pivots._data.dtype.kind not in "iu" or tuple(LU_pivots.shape) != \
            tuple(LU_data.shape[:-2]) + (k,):
        raise RuntimeError(f"{op}: LU_pivots must be an integer tensor of shape "
                           f"{list(LU_data.shape[:-2]) + [k]}, got {LU_pivots.dtype} of shape "
                           f"{list(LU_pivots.shape)}")
    empty = wrap(np.zeros((0,), LU_data._data.dtype), LU_data._device)
    L, U_ = _unpack_lu(LU_data) if unpack_data else (empty, empty)
    if unpack_pivots:
        perm = _perm_from_pivots(np.asarray(to_host(LU_pivots._data), np.int64), m)
        P = wrap(_perm_matrix(perm, LU_data._data.dtype), LU_data._device)
    else:
        P = empty
    return _out_tuple(RT.lu_unpack((P, L, U_)), out, op)


def lu_solve(LU, pivots, B_, *, left=True, adjoint=False, out=None):
    """Solve ``A X = B`` from A's LU factorization (``X A = B`` when ``left=False``;
    with A^H when ``adjoint``).

    >>> LU, piv = ember.linalg.lu_factor(2 * ember.eye(2))
    >>> ember.linalg.lu_solve(LU, piv, ember.ones(2, 1))
    tensor([[0.5000],
            [0.5000]])
    """
    op = "linalg.lu_solve"
    B.check_float(op, LU, low_kernel="linalg_lu_solve")
    B.check_same(op, LU, B_, ("LU", "B"))
    B.check_square(op, LU, "LU")
    B.check_matrix(op, B_, "B")
    n = LU.shape[-1]
    if (B_.shape[-2] if left else B_.shape[-1]) != n:
        raise RuntimeError(f"{op}: Incompatible shapes of A and B for the equation "
                           f"{'AX = B' if left else 'XA = B'} ({n}x{n} and "
                           f"{B_.shape[-2]}x{B_.shape[-1]})")
    P, L, U_ = lu_unpack(LU, pivots)
    # A = P L U
    if left and not adjoint:      # X = U^-1 L^-1 P^T B
        y = solve_triangular(L, P.mT @ B_, upper=False, unitriangular=True)
        res = solve_triangular(U_, y, upper=True)
    elif left:                    # A^H X = B: X = P L^-H U^-H B
        y = solve_triangular(_H(U_), B_, upper=False)
        res = P @ solve_triangular(_H(L), y, upper=True, unitriangular=True)
    elif not adjoint:             # X A = B: X = B U^-1 L^-1 P^T
        y = solve_triangular(U_, B_, upper=True, left=False)
        res = solve_triangular(L, y, upper=False, left=False, unitriangular=True) @ P.mT
    else:                         # X A^H = B: X = B P L^-H U^-H
        y = solve_triangular(_H(L), B_ @ P, upper=True, left=False, unitriangular=True)
        res = solve_triangular(_H(U_), y, upper=False, left=False)
    if out is not None:
        from ._decomp import _out
        return _out(res, out, op)
    return res


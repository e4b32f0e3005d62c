"""Inverses, solvers and decompositions: forward through NumPy's LAPACK (batched over
leading dims), backward formulas written in ember ops so that double backward works.

Formulas are for real inputs; ``conj`` marks where Wirtinger calculus needs a conjugate
for complex ones.
"""
import numpy as np

from .. import _dtype as D
from ..autograd.graph import Node
from ..ops import _util as U
from ..ops._util import record
from . import _base as B
from ._base import H as _H, RT, LinAlgError, conj, data, lapack, needs_grad, record_multi, wrap


def _eye(n, like):
    from ..ops.creation import eye
    return eye(n, dtype=like.dtype, device=like.device)


# ----------------------------------------------------------------------------------
# inv
# ----------------------------------------------------------------------------------

class LinalgInvExBackward0(Node):
    def backward(self, grad, *_):
        (inverse,) = self.saved_tensors
        ih = _H(inverse)
        return (-(ih @ grad @ ih),)


def _inv_array(op, arr):
    try:
        with np.errstate(all="ignore"), B.device_errors(arr):
            return np.linalg.inv(arr)
    except np.linalg.LinAlgError:
        raise LinAlgError(f"{op}: The diagonal element of the LU factorization is zero, the "
                          f"inversion could not be completed because the input matrix of shape "
                          f"{list(arr.shape)} is singular.") from None


def inv(A, *, out=None):
    """Inverse of a square matrix (or of each matrix in a batch).

    Raises ``ember.linalg.LinAlgError`` for singular matrices.

    >>> ember.linalg.inv(ember.tensor([[2., 0.], [0., 4.]]))
    tensor([[0.5000, 0.0000],
            [0.0000, 0.2500]])
    """
    return _inv("linalg.inv", A, out)


def _inv(op, A, out=None):
    B.check_float(op, A)
    B.check_square(op, A)
    res = wrap(_inv_array(op, B.device_data(A)), A._device, A._data.dtype)
    if needs_grad(A):
        record(LinalgInvExBackward0, res, (A,), (res,))
    return _out(res, out, op)


def inv_ex(A, *, check_errors=False, out=None):
    """(inverse, info): like :func:`inv`, with ``info`` > 0 for singular matrices instead of
    an error (unless ``check_errors``).

    >>> ember.linalg.inv_ex(ember.eye(2)).info
    tensor(0, dtype=torch.int32)
    """
    op = "linalg.inv_ex"
    B.check_float(op, A, low_kernel=None)
    B.check_square(op, A)
    arr = data(A)
    batch = arr.shape[:-2]
    info = np.zeros(batch, dtype=np.int32)
    try:
        with np.errstate(all="ignore"):
            res_arr = np.linalg.inv(arr)
    except np.linalg.LinAlgError:
        if check_errors:
            raise LinAlgError(f"{op}: the input matrix of shape {list(arr.shape)} is singular.") \
                from None
        res_arr = np.full(arr.shape, np.nan, dtype=arr.dtype)
        flat, flat_info = res_arr.reshape(-1, *arr.shape[-2:]), info.reshape(-1)
        for i, mat in enumerate(arr.reshape(-1, *arr.shape[-2:])):
            try:
                flat[i] = np.linalg.inv(mat)
            except np.linalg.LinAlgError:
                flat_info[i] = _zero_pivot(mat)
        res_arr = flat.reshape(arr.shape)
        info = flat_info.reshape(batch)
    res = wrap(res_arr, A._device, arr.dtype)
    if needs_grad(A):
        record(LinalgInvExBackward0, res, (A,), (res,))
    result = RT.linalg_inv_ex((res, wrap(info, A._device)))
    return _out_tuple(result, out, op)


def _zero_pivot(mat):
    """1-based index of the first zero pivot of LU with partial pivoting (LAPACK's info)."""
    a = np.array(mat, dtype=np.float64 if mat.dtype.kind == "f" else np.complex128)
    n = a.shape[0]
    for k in range(n):
        p = k + int(np.argmax(np.abs(a[k:, k])))
        if a[p, k] == 0:
            return k + 1
        a[[k, p]] = a[[p, k]]
        a[k + 1:, k:] -= np.outer(a[k + 1:, k] / a[k, k], a[k, k:])
    return n


# ----------------------------------------------------------------------------------
# solve
# ----------------------------------------------------------------------------------

class LinalgSolveExBackward0(Node):
    def backward(self, grad, *_):
        A, X = self.saved_tensors
        nf = self.next_functions
        vector = self.vector
        gB = solve(_H(A), grad)
        gA = None
        if nf[0][0] is not None:
            if vector:
                gA = -(gB.unsqueeze(-1) @ conj(X).unsqueeze(-2))
            else:
                gA = -(gB @ _H(X))
        return gA, (gB if nf[1][0] is not None else None)


def _is_vector_rhs(A, Bt):
    # NOTE: torch treats B as a batch of vectors when B.ndim == 1, or when B has one dim
    # less than A and B's shape is A's shape without the last dim.
    b = Bt._data.ndim
    return b == 1 or (b == A._data.ndim - 1 and Bt._data.shape == A._data.shape[:-1])


def solve(A, B_, *, left=True, out=None):
    """The solution X of ``A @ X = B`` (``X @ A = B`` when ``left=False``), batched with
    broadcasting.  Singular ``A`` raises ``ember.linalg.LinAlgError``.

    >>> ember.linalg.solve(ember.tensor([[2., 0.], [0., 4.]]), ember.tensor([2., 4.]))
    tensor([1., 1.])
    """
    return _solve("linalg.solve", A, B_, left, out)


def _solve(op, A, B_, left, out):
    B.check_float(op, A, low_kernel="lu_cpu")
    B.check_same(op, A, B_)
    B.check_square(op, A)
    if not left:
        if B_._data.ndim < 2:
            raise RuntimeError(f"{op}: with left=False, B must be at least 2-dimensional, "
                               f"got shape {list(B_.shape)}")
        return _out(_solve(op, A.mT, B_.mT, True, None).mT, out, op)
    vector = _is_vector_rhs(A, B_)
    a, b = B.device_data(A), B.device_data(B_)
    n = a.shape[-1]
    rows = b.shape[-1] if vector else (b.shape[-2] if b.ndim >= 2 else -1)
    if rows != n:
        raise RuntimeError(f"{op}: Incompatible shapes of A and B for the equation AX = B "
                           f"({a.shape[-2]}x{n} and {'x'.join(str(s) for s in b.shape[-2:])})")
    try:
        batch = np.broadcast_shapes(a.shape[:-2], b.shape[:-1] if vector else b.shape[:-2])
    except ValueError:
        raise RuntimeError(f"{op}: batch dimensions of A {list(a.shape)} and B "
                           f"{list(b.shape)} are not broadcastable") from None
    a_full = np.broadcast_to(a, batch + a.shape[-2:])
    b_full = np.broadcast_to(b[..., None] if vector else b,
                             batch + ((n, 1) if vector else b.shape[-2:]))
    try:
        with np.errstate(all="ignore"), B.device_errors(a):
            x = np.linalg.solve(a_full, b_full) if a_full.size and b_full.size else \
                np.zeros(b_full.shape, dtype=a.dtype)
    except np.linalg.LinAlgError:
        raise LinAlgError(f"{op}: The solver failed because the input matrix of shape "
                          f"{list(a.shape)} is singular.") from None
    if vector:
        x = x[..., 0]
    res = wrap(x, A._device, a.dtype)
    if needs_grad(A, B_):
        node = record(LinalgSolveExBackward0, res, (A, B_), (A, res))
        node.vector = vector
    return _out(res, out, op)


def solve_ex(A, B_, *, left=True, check_errors=False, out=None):
    """(result, info) version of :func:`solve`; singular matrices still raise here.

    >>> ember.linalg.solve_ex(ember.eye(2), ember.ones(2)).info
    tensor(0, dtype=torch.int32)
    """
    res = _solve("linalg.solve_ex", A, B_, left, None)
    info = B.int_info(A._data.shape[:-2], A._device)
    return _out_tuple(RT.linalg_solve_ex((res, info)), out, "linalg.solve_ex")


# ----------------------------------------------------------------------------------
# solve_triangular
# ----------------------------------------------------------------------------------

class LinalgSolveTriangularBackward0(Node):
    def backward(self, grad):
        A, X = self.saved_tensors
        nf = self.next_functions
        upper, left, unit = self.upper, self.left, self.unitriangular
        gB = solve_triangular(_H(A), grad, upper=not upper, left=left, unitriangular=unit)
        gA = None
        if nf[0][0] is not None:
            gA = -(gB @ _H(X)) if left else -(_H(X) @ gB)
            k = (1 if upper else -1) if unit else 0
            gA = gA.triu(k) if upper else gA.tril(k)
        return gA, (gB if nf[1][0] is not None else None)


def _triangular_part(a, upper, unit):
    t = np.triu(a) if upper else np.tril(a)
    if unit:
        t = t.copy()
        idx = np.arange(a.shape[-1])
        t[..., idx, idx] = 1
    return t


def _substitute(t, b, upper):
    """Forward/back substitution, row by row, vectorized over batch and right-hand sides
    (used where LAPACK's LU refuses a triangular matrix with a zero on its diagonal)."""
    n = t.shape[-1]
    x = np.zeros(np.broadcast_shapes(t.shape[:-2] + (n, 1), b.shape), dtype=b.dtype)
    order = range(n - 1, -1, -1) if upper else range(n)
    with np.errstate(all="ignore"):
        for i in order:
            acc = b[..., i, :] - np.einsum("...j,...jk->...k", t[..., i, :], x)
            x[..., i, :] = acc / t[..., i, i][..., None]
    return x


def solve_triangular(A, B_, *, upper, left=True, unitriangular=False, out=None):
    """Solve ``A @ X = B`` (or ``X @ A = B``) for triangular ``A``, reading only the
    triangle named by ``upper`` (and a unit diagonal when ``unitriangular``).

    >>> A = ember.tensor([[2., 1.], [0., 4.]])
    >>> ember.linalg.solve_triangular(A, ember.tensor([[3.], [4.]]), upper=True)
    tensor([[1.],
            [1.]])
    """
    op = "linalg.solve_triangular"
    B.check_float(op, A, low_kernel="triangular_solve_cpu", int_kernel="triangular_solve_cpu")
    B.check_same(op, A, B_)
    B.check_square(op, A)
    B.check_matrix(op, B_, "B")
    a, b = data(A), data(B_)
    n = a.shape[-1]
    if (b.shape[-2] if left else b.shape[-1]) != n:
        raise RuntimeError(f"{op}: Incompatible shapes of A and B for the equation "
                           f"{'AX = B' if left else 'XA = B'} ({n}x{n} and "
                           f"{b.shape[-2]}x{b.shape[-1]})")
    try:
        batch = np.broadcast_shapes(a.shape[:-2], b.shape[:-2])
    except ValueError:
        raise RuntimeError(f"{op}: batch dimensions of A {list(a.shape)} and B "
                           f"{list(b.shape)} are not broadcastable") from None
    t = _triangular_part(a, upper, unitriangular)
    if not left:   # X A = B  <=>  A^T X^T = B^T
        t, b, upper_eff = np.swapaxes(t, -1, -2), np.swapaxes(b, -1, -2), not upper
    else:
        upper_eff = upper
    t_full = np.broadcast_to(t, batch + t.shape[-2:])
    b_full = np.broadcast_to(b, batch + b.shape[-2:])
    if t_full.size == 0 or b_full.size == 0:
        x = np.zeros(b_full.shape, dtype=a.dtype)
    else:
        try:
            with np.errstate(all="ignore"):
                x = np.linalg.solve(t_full, b_full)
        except np.linalg.LinAlgError:
            # NOTE: torch gives inf/nan for a zero on the diagonal, no error.
            x = _substitute(t_full, b_full, upper_eff)
    if not left:
        x = np.swapaxes(x, -1, -2)
    res = wrap(x, A._device, a.dtype)
    if needs_grad(A, B_):
        node = record(LinalgSolveTriangularBackward0, res, (A, B_), (A, res))
        node.upper, node.left, node.unitriangular = bool(upper), bool(left), bool(unitriangular)
    return _out(res, out, op)


# ----------------------------------------------------------------------------------
# det, slogdet
# ----------------------------------------------------------------------------------

class LinalgDetBackward0(Node):
    def backward(self, grad):
        A, det_ = self.saved_tensors
        scale = (grad * conj(det_)).unsqueeze(-1).unsqueeze(-1)
        if A._data.size == 0:
            return (A * 0,)
        if np.all(det_._data != 0):
            return (scale * _H(_inv("linalg.det", A)),)
        # NOTE: singular matrices: the gradient of det is the cofactor matrix, computed
        # from the SVD A = U diag(S) Vh as det(U) det(Vh) U diag(prod_{j!=i} S_j) Vh.
        # torch 2.13 returns zeros at exactly singular matrices; ember keeps the true
        # gradient (nonzero for rank n-1), which agrees with finite differences.
        return (_cofactor(A) * grad.unsqueeze(-1).unsqueeze(-1),)


def _cofactor(A):
    from ..ops.pointwise import where
    u, s, vh = svd(A, full_matrices=False)
    n = s.shape[-1]
    eye = _eye(n, s).to(D.bool)
    others = where(eye, s.new_ones(()), s.unsqueeze(-2).expand(*s.shape, n))
    prods = others.prod(-1)
    sign = wrap(np.linalg.det(u._data) * np.linalg.det(vh._data), A._device, A._data.dtype)
    return (u * prods.unsqueeze(-2)) @ vh * sign.unsqueeze(-1).unsqueeze(-1)


def det(A, *, out=None):
    """Determinant of a square matrix (batched).

    >>> ember.linalg.det(ember.tensor([[1., 2.], [3., 4.]]))
    tensor(-2.)
    """
    op = "linalg.det"
    B.check_float(op, A, low_kernel="lu_cpu")
    B.check_square(op, A)
    with np.errstate(all="ignore"):
        d = np.linalg.det(B.device_data(A))
    res = wrap(d, A._device, A._data.dtype)
    if needs_grad(A):
        record(LinalgDetBackward0, res, (A,), (A, res))
    return _out(res, out, op)


class LinalgSlogdetBackward0(Node):
    _materialize = False

    def backward(self, grad_sign, grad_logabs):
        (A,) = self.saved_tensors
        if grad_logabs is None:
            return (None,)
        # NOTE: for real inputs the sign is piecewise constant: it contributes nothing.
        return (grad_logabs.unsqueeze(-1).unsqueeze(-1) * _H(_inv("linalg.slogdet", A)),)


def slogdet(A, *, out=None):
    """(sign, logabsdet): the sign and the log of the absolute value of the determinant.

    >>> ember.linalg.slogdet(ember.tensor([[1., 2.], [3., 4.]]))
    torch.return_types.linalg_slogdet(
    sign=tensor(-1.),
    logabsdet=tensor(0.6931))
    """
    return _slogdet("linalg.slogdet", A, out, RT.linalg_slogdet)


def _slogdet(op, A, out, rtype):
    B.check_float(op, A)
    B.check_square(op, A)
    with np.errstate(all="ignore"):
        sign, logabs = np.linalg.slogdet(B.device_data(A))
        # NOTE: torch reports sign 0 when the determinant is nan
        sign = np.where(np.isnan(logabs), 0, sign)
    dtype = A._data.dtype
    real_dtype = np.empty(0, dtype).real.dtype
    s = wrap(sign, A._device, dtype)
    la = wrap(logabs, A._device, real_dtype)
    if needs_grad(A):
        record_multi(LinalgSlogdetBackward0, (s, la), (A,), (A,))
    return _out_tuple(rtype((s, la)), out, op)


# ----------------------------------------------------------------------------------
# cholesky
# ----------------------------------------------------------------------------------

class LinalgCholeskyExBackward0(Node):
    def backward(self, grad, *_):
        (L,) = self.saved_tensors
        if self.upper:   # the factor is U = L^H
            L, grad = _H(L), _H(grad)
        # gA = L^-H Phi(L^H gL) L^-1, Phi: the lower triangle with a halved diagonal;
        # then symmetrized (A is symmetric, only its symmetric part has meaning)
        phi = (_H(L) @ grad).tril()
        phi = phi - 0.5 * phi.diagonal(0, -2, -1).diag_embed()
        y = solve_triangular(_H(L), phi, upper=True)
        g = solve_triangular(L, y, upper=False, left=False)
        return (0.5 * (g + _H(g)),)


def _cholesky_array(op, a, upper):
    if upper:   # U^H U = A, read from A's upper triangle
        a = np.conj(np.swapaxes(a, -1, -2))
    try:
        with np.errstate(all="ignore"), B.device_errors(a):
            L = np.linalg.cholesky(a) if a.size else a.copy()
    except np.linalg.LinAlgError:
        raise LinAlgError(f"{op}: The factorization could not be completed because the input "
                          f"of shape {list(a.shape)} is not positive-definite.") from None
    return np.conj(np.swapaxes(L, -1, -2)) if upper else L


def cholesky(A, *, upper=False, out=None):
    """Cholesky factor L (lower triangular, ``A = L @ L.mH``), or U (``A = U.mH @ U``) when
    ``upper``.  Non positive-definite input raises ``ember.linalg.LinAlgError``.

    >>> ember.linalg.cholesky(ember.tensor([[4., 2.], [2., 2.]]))
    tensor([[2., 0.],
            [1., 1.]])
    """
    return _cholesky("linalg.cholesky", A, upper, out)


def _cholesky(op, A, upper, out=None):
    B.check_float(op, A, low_kernel="cholesky_cpu")
    B.check_square(op, A)
    res = wrap(_cholesky_array(op, B.device_data(A), upper), A._device, A._data.dtype)
    if needs_grad(A):
        node = record(LinalgCholeskyExBackward0, res, (A,), (res,))
        node.upper = bool(upper)
    return _out(res, out, op)


def cholesky_ex(A, *, upper=False, check_errors=False, out=None):
    """(L, info) version of :func:`cholesky`: ``info`` is the order of the first leading
    minor that is not positive-definite (0 on success); no error unless ``check_errors``.

    >>> ember.linalg.cholesky_ex(ember.eye(2)).info
    tensor(0, dtype=torch.int32)
    """
    op = "linalg.cholesky_ex"
    B.check_float(op, A, low_kernel="cholesky_cpu")
    B.check_square(op, A)
    a = data(A)
    info = np.zeros(a.shape[:-2], dtype=np.int32)
    try:
        L = _cholesky_array(op, a, upper)
    except LinAlgError:
        if check_errors:
            raise
        L = np.zeros(a.shape, dtype=a.dtype)
        flat_a, flat_L, flat_info = (a.reshape(-1, *a.shape[-2:]),
                                     L.reshape(-1, *a.shape[-2:]), info.reshape(-1))
        for i, mat in enumerate(flat_a):
            try:
                flat_L[i] = _cholesky_array(op, mat, upper)
            except LinAlgError:
                flat_info[i] = _first_bad_minor(mat if not upper else np.conj(mat.T))
        L, info = flat_L.reshape(a.shape), flat_info.reshape(a.shape[:-2])
    res = wrap(L, A._device, a.dtype)
    if needs_grad(A):
        node = record(LinalgCholeskyExBackward0, res, (A,), (res,))
        node.upper = bool(upper)
    return _out_tuple(RT.linalg_cholesky_ex((res, wrap(info, A._device))), out, op)


def _first_bad_minor(mat):
    for k in range(1, mat.shape[-1] + 1):
        try:
            np.linalg.cholesky(mat[:k, :k])
        except np.linalg.LinAlgError:
            return k
    return mat.shape[-1]


# ----------------------------------------------------------------------------------
# qr
# ----------------------------------------------------------------------------------

class LinalgQrBackward0(Node):
    _materialize = False

    def backward(self, gQ, gR):
        Q, R = self.saved_tensors
        if self.mode == "r":
            raise RuntimeError("linalg.qr: The derivative of linalg.qr depends on Q, which is "
                               "not computed when mode='r'. Please use linalg.qr(A, "
                               "mode='reduced') if you are going to differentiate through "
                               "linalg.qr.")
        m, n = Q.shape[-2], R.shape[-1]
        if self.mode == "complete" and m > n:
            raise RuntimeError("linalg.qr: The QR decomposition is not differentiable when "
                               "mode='complete' and nrows > ncols.")
        if gQ is None:
            gQ = Q * 0
        if gR is None:
            gR = R * 0
        if m >= n:
            return (_qr_backward_tall(gQ, gR, Q, R),)
        # wide: A = Q [R1 | R2]; R2 = Q^H Y only adds to Q's gradient
        R1, R2 = R[..., :, :m], R[..., :, m:]
        gR1, gR2 = gR[..., :, :m], gR[..., :, m:]
        from ..ops.join import cat
        Y = (Q @ R2)
        gX = _qr_backward_tall(gQ + Y @ _H(gR2), gR1, Q, R1)
        return (cat([gX, Q @ gR2], -1),)


def _qr_backward_tall(gQ, gR, Q, R):
    # A = QR, m >= n.  With M = Q^H gQ - gR R^H:
    # gA = [gQ - Q Q^H gQ + Q (gR R^H + stril(M - M^H))] R^-H
    M = _H(Q) @ gQ - gR @ _H(R)
    inner = gR @ _H(R) + (M - _H(M)).tril(-1)
    Y = gQ - Q @ (_H(Q) @ gQ) + Q @ inner
    return solve_triangular(_H(R), Y, upper=False, left=False)


def qr(A, mode="reduced", *, out=None):
    """QR decomposition ``A = Q @ R`` (Q with orthonormal columns, R upper triangular).

    ``mode``: 'reduced' (k = min(m, n) columns of Q), 'complete' (Q square) or 'r'
    (only R; Q is empty).

    >>> Q, R = ember.linalg.qr(ember.tensor([[3., 0.], [4., 5.]]))
    >>> (Q @ R).round()
    tensor([[3., 0.],
            [4., 5.]])
    """
    return _qr("linalg.qr", A, mode, out, RT.linalg_qr)


def _qr(op, A, mode, out, rtype):
    if mode not in ("reduced", "complete", "r"):
        raise RuntimeError(f"{op}: qr received unrecognized mode '{mode}' but expected one of "
                           "'reduced' (default), 'r', or 'complete'")
    B.check_float(op, A, low_kernel="geqrf_cpu")
    B.check_matrix(op, A)
    a = data(A)
    m, n = a.shape[-2:]
    with np.errstate(all="ignore"):
        if a.size == 0:
            k = m if mode == "complete" else min(m, n)
            q = np.zeros(a.shape[:-2] + (m, k), a.dtype)
            q[..., np.arange(min(m, k)), np.arange(min(m, k))] = 1
            r = np.zeros(a.shape[:-2] + (k, n), a.dtype)
        else:
            q, r = np.linalg.qr(a, mode="complete" if mode == "complete" else "reduced")
    if mode == "r":
        q = np.zeros((0,), a.dtype)
    Q, R = wrap(q, A._device, a.dtype), wrap(r, A._device, a.dtype)
    if needs_grad(A):
        node = record_multi(LinalgQrBackward0, (Q, R), (A,), (Q, R))
        node.mode = mode
    return _out_tuple(rtype((Q, R)), out, op)


# ----------------------------------------------------------------------------------
# svd, svdvals
# ----------------------------------------------------------------------------------

class LinalgSvdBackward0(Node):
    _materialize = False

    def backward(self, gU, gS, gVh):
        U_, S, Vh = self.saved_tensors
        return (_svd_backward(gU, gS, gVh, U_, S, Vh),)


def _svd_backward(gU, gS, gVh, U_, S, Vh):
    m, n = U_.shape[-2], Vh.shape[-1]
    k = S.shape[-1]
    if U_.shape[-1] != k:          # full_matrices: only the first k vectors matter
        U_ = U_[..., :, :k]
        gU = gU[..., :, :k] if gU is not None else None
    if Vh.shape[-2] != k:
        Vh = Vh[..., :k, :]
        gVh = gVh[..., :k, :] if gVh is not None else None
    if gU is None and gVh is None:
        if gS is None:
            return None
        return U_ @ (gS.unsqueeze(-1) * Vh)
    V = _H(Vh)
    gV = _H(gVh) if gVh is not None else None
    S2 = S * S
    E = S2.unsqueeze(-2) - S2.unsqueeze(-1) + _eye(k, S)
    ret = None
    if gU is not None:
        UhgU = _H(U_) @ gU
        ret = (UhgU - _H(UhgU)) * S.unsqueeze(-2)
    if gV is not None:
        VhgV = _H(V) @ gV
        term = S.unsqueeze(-1) * (VhgV - _H(VhgV))
        ret = term if ret is None else ret + term
    ret = ret / E
    if gS is not None:
        ret = ret + gS.diag_embed()
    if m > k and gU is not None:
        gA = U_ @ ret
        gUSinv = gU / S.unsqueeze(-2)
        gA = gA + gUSinv - U_ @ (_H(U_) @ gUSinv)
        return gA @ Vh
    if n > k and gV is not None:
        gA = ret @ Vh
        gVSinv = gV / S.unsqueeze(-2)
        gA = gA + _H(gVSinv) - (_H(gVSinv) @ V) @ Vh
        return U_ @ gA
    return U_ @ ret @ Vh


def _svd_arrays(op, a, full_matrices, compute_uv=True):
    m, n = a.shape[-2:]
    if a.size == 0:
        k = min(m, n)
        real = np.empty(0, a.dtype).real.dtype
        s = np.zeros(a.shape[:-2] + (k,), real)
        if not compute_uv:
            return s
        um, vn = (m, n) if full_matrices else (k, k)
        u = np.zeros(a.shape[:-2] + (m, um), a.dtype)
        vh = np.zeros(a.shape[:-2] + (vn, n), a.dtype)
        if full_matrices:
            u[..., np.arange(m), np.arange(m)] = 1
            vh[..., np.arange(n), np.arange(n)] = 1
        return u, s, vh
    with np.errstate(all="ignore"):
        return lapack(op, np.linalg.svd, a, full_matrices=full_matrices, compute_uv=compute_uv,
                      what="the algorithm did not converge")


def svd(A, full_matrices=True, *, driver=None, out=None):
    """Singular value decomposition ``A = U @ diag(S) @ Vh`` (S descending).

    >>> U, S, Vh = ember.linalg.svd(ember.tensor([[3., 0.], [0., 4.]]))
    >>> S
    tensor([4., 3.])
    """
    return _svd("linalg.svd", A, full_matrices, out, RT.linalg_svd)


def _svd(op, A, full_matrices, out, rtype):
    B.check_float(op, A, low_kernel="linalg_svd_cpu")
    B.check_matrix(op, A)
    a = B.device_data(A)
    u, s, vh = _svd_arrays(op, a, full_matrices)
    real = np.empty(0, a.dtype).real.dtype
    Ut, St, Vht = (wrap(u, A._device, a.dtype), wrap(s, A._device, real),
                   wrap(vh, A._device, a.dtype))
    if needs_grad(A):
        record_multi(LinalgSvdBackward0, (Ut, St, Vht), (A,), (Ut, St, Vht))
    return _out_tuple(rtype((Ut, St, Vht)), out, op)


def svdvals(A, *, driver=None, out=None):
    """Singular values of A, in descending order.

    >>> ember.linalg.svdvals(ember.tensor([[3., 0.], [0., 4.]]))
    tensor([4., 3.])
    """
    op = "linalg.svdvals"
    B.check_float(op.replace("svdvals", "svd"), A, low_kernel="linalg_svd_cpu")
    B.check_matrix(op, A)
    a = B.device_data(A)
    real = np.empty(0, a.dtype).real.dtype
    if not needs_grad(A):
        s = _svd_arrays(op, a, False, compute_uv=False)
        return _out(wrap(s, A._device, real), out, op)
    # NOTE: as torch, svdvals runs the full svd when a gradient is needed (its node is
    # LinalgSvdBackward0); the gradient is U diag(gS) Vh.
    res = svd(A, full_matrices=False).S
    return _out(res, out, op)


# ----------------------------------------------------------------------------------
# eigh, eigvalsh
# ----------------------------------------------------------------------------------

class LinalgEighBackward0(Node):
    _materialize = False

    def backward(self, gL, gV):
        L, V = self.saved_tensors
        n = L.shape[-1]
        if gV is None:
            if gL is None:
                return (None,)
            return (V @ (gL.unsqueeze(-1) * _H(V)),)
        VhgV = _H(V) @ gV
        skew = 0.5 * (VhgV - _H(VhgV))
        # E_ij = L_j - L_i off the diagonal (1 on it, where skew is 0)
        E = L.unsqueeze(-2) - L.unsqueeze(-1) + _eye(n, L)
        inner = skew / E
        if gL is not None:
            inner = inner + gL.diag_embed()
        return (V @ inner @ _H(V),)


def _check_uplo(op, UPLO):
    if UPLO not in ("L", "U"):
        raise RuntimeError(f"{op}: Expected UPLO argument to be 'L' or 'U', but got {UPLO}")


def eigh(A, UPLO="L", *, out=None):
    """Eigenvalues (ascending) and orthonormal eigenvectors of a symmetric (Hermitian)
    matrix, read from its lower (``UPLO='L'``) or upper triangle.

    >>> ember.linalg.eigh(ember.tensor([[2., 0.], [0., 1.]])).eigenvalues
    tensor([1., 2.])
    """
    op = "linalg.eigh"
    _check_uplo(op, UPLO)
    B.check_float(op, A, low_kernel="linalg_eigh_cpu", int_kernel="linalg_eigh_cpu")
    B.check_square(op, A)
    a = B.device_data(A)
    real = np.empty(0, a.dtype).real.dtype
    if a.size == 0:
        w, v = np.zeros(a.shape[:-1], real), np.zeros(a.shape, a.dtype)
    else:
        w, v = lapack(op, np.linalg.eigh, a, UPLO=UPLO, what="the algorithm did not converge")
    L, V = wrap(w, A._device, real), wrap(v, A._device, a.dtype)
    if needs_grad(A):
        record_multi(LinalgEighBackward0, (L, V), (A,), (L, V))
    return _out_tuple(RT.linalg_eigh((L, V)), out, op)


def eigvalsh(A, UPLO="L", *, out=None):
    """Eigenvalues (ascending) of a symmetric (Hermitian) matrix.

    >>> ember.linalg.eigvalsh(ember.tensor([[2., 0.], [0., 1.]]))
    tensor([1., 2.])
    """
    op = "linalg.eigvalsh"
    _check_uplo(op, UPLO)
    B.check_float(op, A, low_kernel="linalg_eigh_cpu", int_kernel="linalg_eigh_cpu")
    B.check_square(op, A)
    if needs_grad(A):
        return _out(eigh(A, UPLO).eigenvalues, out, op)
    a = B.device_data(A)
    real = np.empty(0, a.dtype).real.dtype
    w = np.zeros(a.shape[:-1], real) if a.size == 0 else \
        lapack(op, np.linalg.eigvalsh, a, UPLO=UPLO, what="the algorithm did not converge")
    return _out(wrap(w, A._device, real), out, op)


# ----------------------------------------------------------------------------------
# pinv, lstsq
# ----------------------------------------------------------------------------------

def _pinv_grad(grad, P, A):
    """Gradient of pinv: with P = pinv(A) and G the gradient of P,
    gA = -P^H G P^H + (I - A P)^H... written without forming identities:
    gA = -P^H G P^H + (G^H - A P G^H) P P^H + P^H P (G^H - G^H P A)."""
    Gh = _H(grad)
    Ph = _H(P)
    first = -(Ph @ grad @ Ph)
    second = (Gh - A @ (P @ Gh)) @ (P @ Ph)
    third = (Ph @ P) @ (Gh - (Gh @ P) @ A)
    return first + second + third


class LinalgPinvBackward0(Node):
    def backward(self, grad):
        A, P = self.saved_tensors
        return (_pinv_grad(grad, P, A),)


def _tolerances(op, atol, rtol, smax, default_rtol):
    def arr(x):
        if x is None:
            return None
        return data(x) if isinstance(x, U.Tensor) else np.asarray(x)   # host, as smax
    atol_a, rtol_a = arr(atol), arr(rtol)
    if rtol_a is None:
        # NOTE: torch: rtol defaults to eps * max(m, n), but to 0 when atol > 0 is given
        rtol_a = np.asarray(default_rtol) if atol_a is None or np.all(atol_a <= 0) else \
            np.asarray(0.0)
    if atol_a is None:
        atol_a = np.asarray(0.0)
    return np.maximum(atol_a[..., None] if atol_a.ndim else atol_a,
                      (rtol_a[..., None] if rtol_a.ndim else rtol_a) * smax)


def pinv(A, *, atol=None, rtol=None, hermitian=False, out=None):
    """Moore-Penrose pseudo-inverse through the SVD (eigh when ``hermitian``); singular
    values below ``max(atol, rtol * largest)`` are treated as zero.

    >>> ember.linalg.pinv(ember.tensor([[2., 0.], [0., 0.]]))
    tensor([[0.5000, 0.0000],
            [0.0000, 0.0000]])
    """
    op = "linalg.pinv"
    U.check_tensor(A, op, "input")
    a = A._data
    if a.dtype.kind not in "fc" or a.dtype in B._LOW or a.ndim < 2:
        raise RuntimeError(f"{op}({B.scalar_name(a)}{{{list(a.shape)}}}): expected a tensor with "
                           "2 or more dimensions of float, double, cfloat or cdouble types")
    a = data(A)
    m, n = a.shape[-2:]
    eps = np.finfo(a.dtype).eps
    with np.errstate(all="ignore"):
        if a.size == 0:
            p = np.zeros(a.shape[:-2] + (n, m), a.dtype)
        elif hermitian:
            w, v = lapack(op, np.linalg.eigh, a, what="the algorithm did not converge")
            absw = np.abs(w)
            tol = _tolerances(op, atol, rtol, absw.max(-1, keepdims=True), eps * n)
            inv_w = np.where(absw > tol, 1 / np.where(absw > tol, w, 1), 0).astype(w.dtype)
            p = (v * inv_w[..., None, :]) @ np.conj(np.swapaxes(v, -1, -2))
        else:
            u, s, vh = lapack(op, np.linalg.svd, a, full_matrices=False,
                              what="the algorithm did not converge")
            tol = _tolerances(op, atol, rtol, s[..., :1], eps * max(m, n))
            inv_s = np.where(s > tol, 1 / np.where(s > tol, s, 1), 0).astype(s.dtype)
            p = np.conj(np.swapaxes(vh, -1, -2)) * inv_s[..., None, :] @ \
                np.conj(np.swapaxes(u, -1, -2))
    res = wrap(p, A._device, a.dtype)
    if needs_grad(A):
        record(LinalgPinvBackward0, res, (A,), (A, res))
    return _out(res, out, op)


class LinalgLstsqBackward0(Node):
    _materialize = False

    def backward(self, g_solution, *_):
        A, B_ = self.saved_tensors
        nf = self.next_functions
        if g_solution is None:
            return None, None
        P = pinv(A)
        vector = self.vector
        g = g_solution.unsqueeze(-1) if vector else g_solution
        b = B_.unsqueeze(-1) if vector else B_
        gA = _pinv_grad(g @ _H(b), P, A) if nf[0][0] is not None else None
        gB = None
        if nf[1][0] is not None:
            gB = _H(P) @ g
            if vector:
                gB = gB.squeeze(-1)
        return gA, gB


_DRIVERS = ("gels", "gelsy", "gelsd", "gelss")


def lstsq(A, B_, rcond=None, *, driver=None):
    """Least-squares solution of ``A @ X = B`` as (solution, residuals, rank,
    singular_values), like torch on the CPU (driver 'gelsy' by default).

    >>> A = ember.tensor([[1., 0.], [0., 1.], [0., 0.]])
    >>> ember.linalg.lstsq(A, ember.tensor([[1.], [2.], [3.]])).solution
    tensor([[1.],
            [2.]])
    """
    op = "linalg.lstsq"
    U.check_tensor(A, op, "self")
    U.check_tensor(B_, op, "b")
    for t in (A, B_):
        if t._data.dtype.kind not in "fc" or t._data.dtype in B._LOW:
            raise RuntimeError(f"{op}: This function doesn't handle types other than float and "
                               f"double (got {B.scalar_name(t._data)})")
    B.check_same(op, A, B_, ("self", "b"))
    driver = "gelsy" if driver is None else driver
    if driver not in _DRIVERS:
        raise RuntimeError(f"{op}: parameter `driver` should be one of {_DRIVERS}")
    B.check_matrix(op, A, "input")
    a, b = data(A), data(B_)
    vector = b.ndim == a.ndim - 1
    if b.ndim < 1 or (not vector and b.ndim < 2):
        raise RuntimeError(f"{op}: input.dim() must be greater or equal to other.dim() and "
                           f"(input.dim() - other.dim()) <= 1")
    m, n = a.shape[-2:]
    bm = b[..., None] if vector else b
    if bm.shape[-2] != m:
        raise RuntimeError(f"{op}: input.size(-2) should match other.size(-2) "
                           f"(shapes {list(a.shape)} and {list(b.shape)})")
    try:
        batch = np.broadcast_shapes(a.shape[:-2], bm.shape[:-2])
    except ValueError:
        raise RuntimeError(f"{op}: batch dimensions of A {list(a.shape)} and B "
                           f"{list(b.shape)} are not broadcastable") from None
    k = bm.shape[-1]
    eps = np.finfo(a.dtype).eps
    rcond = eps * max(m, n) if rcond is None else rcond
    real = np.empty(0, a.dtype).real.dtype
    with np.errstate(all="ignore"):
        if a.size == 0:
            s = np.zeros(a.shape[:-2] + (min(m, n),), real)
            u = np.zeros(a.shape[:-2] + (m, min(m, n)), a.dtype)
            vh = np.zeros(a.shape[:-2] + (min(m, n), n), a.dtype)
        else:
            u, s, vh = lapack(op, np.linalg.svd, a, full_matrices=False,
                              what="the algorithm did not converge")
        keep = s > (rcond * s[..., :1] if s.shape[-1] else 0)
        inv_s = np.where(keep, 1 / np.where(keep, s, 1), 0).astype(s.dtype)
        uhb = np.conj(np.swapaxes(u, -1, -2)) @ bm
        x = np.conj(np.swapaxes(vh, -1, -2)) @ (inv_s[..., None] * uhb)
    x = np.broadcast_to(x, batch + (n, k))
    rank = keep.sum(-1).astype(np.int64)
    if vector:
        x = x[..., 0]
    solution = wrap(np.ascontiguousarray(x), A._device, a.dtype)
    dev = A._device
    rank_t = wrap(np.broadcast_to(rank, a.shape[:-2]).copy(), dev) if driver != "gels" else \
        wrap(np.zeros((0,), np.int64), dev)
    sv = wrap(s, dev, real) if driver in ("gelsd", "gelss") else wrap(np.zeros((0,), real), dev)
    residuals = wrap(np.zeros((0,), real), dev)
    if needs_grad(A, B_):
        node = record_multi(LinalgLstsqBackward0, (solution, residuals), (A, B_), (A, B_))
        node.vector = vector
    if driver != "gelsy" and m > n and np.all(rank == n) and a.size:
        # NOTE: torch reports the squared residual norms only for full-rank tall systems,
        # and never with the default gelsy driver.
        diff = (A @ (solution.unsqueeze(-1) if vector else solution)) - \
            (B_.unsqueeze(-1) if vector else B_)
        residuals = (diff * conj(diff)).sum(-2)
        residuals = B.real(residuals)
        if vector:
            residuals = residuals.squeeze(-1)
    return RT.linalg_lstsq((solution, residuals, rank_t, sv))


# ----------------------------------------------------------------------------------
# out= helpers
# ----------------------------------------------------------------------------------

def _out(res, out, op):
    if out is None:
        return res
    if isinstance(out, U.Tensor) and out.dtype is not res.dtype:
        raise RuntimeError(f"{op}(): Expected out tensor to have dtype {res.dtype}, but got "
                           f"{out.dtype} instead")
    return U.write_out(out, res, op)


def _out_tuple(result, out, op):
    if out is None:
        return result
    if not isinstance(out, (tuple, list)) or len(out) != len(result):
        raise TypeError(f"{op}(): argument 'out' must be a tuple of {len(result)} Tensors")
    for o, r in zip(out, result):
        _out(r, o, op)
    return type(result)(tuple(out))


__all__ = ["inv", "inv_ex", "solve", "solve_ex", "solve_triangular", "det", "slogdet",
           "cholesky", "cholesky_ex", "qr", "svd", "svdvals", "eigh", "eigvalsh", "pinv",
           "lstsq", "LinAlgError"]

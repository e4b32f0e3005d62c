"""matrix_exp, cond, vander, eig/eigvals: the rest of torch.linalg's common functions."""
import numpy as np

from ..autograd.graph import Node
from ..ops import _util as U
from ..ops._util import record
from . import _base as B
from ._base import H as _H, data, needs_grad, wrap
from ._decomp import _out, inv, svdvals
from ._norms import matrix_norm

# Pade(13) coefficients and the 1-norm bound under which it is accurate to double
# precision without scaling (Higham, "The scaling and squaring method for the matrix
# exponential revisited", 2005).
_PADE13 = (64764752532480000.0, 32382376266240000.0, 7771770303897600.0, 1187353796428800.0,
           129060195264000.0, 10559470521600.0, 670442572800.0, 33522128640.0, 1323241920.0,
           40840800.0, 960960.0, 16380.0, 182.0, 1.0)
_THETA13 = 5.371920351148152


def _expm_array(a):
    """exp of each matrix in ``a`` by Pade(13) with scaling and squaring (one scaling for
    the whole batch: the largest that any matrix needs)."""
    n = a.shape[-1]
    work = a.astype(np.float32) if a.dtype in B._LOW else a
    norm1 = np.abs(work).sum(-2).max(-1) if work.size else np.zeros(work.shape[:-2])
    top = float(np.max(norm1)) if np.size(norm1) else 0.0
    if not np.isfinite(top):
        return np.full(a.shape, np.nan, a.dtype)
    s = max(0, int(np.ceil(np.log2(top / _THETA13)))) if top > _THETA13 else 0
    A = work / (2.0 ** s) if s else work
    b = _PADE13
    ident = np.broadcast_to(np.eye(n, dtype=A.dtype), A.shape)
    A2 = A @ A
    A4 = A2 @ A2
    A6 = A4 @ A2
    u = A @ (A6 @ (b[13] * A6 + b[11] * A4 + b[9] * A2)
             + b[7] * A6 + b[5] * A4 + b[3] * A2 + b[1] * ident)
    v = A6 @ (b[12] * A6 + b[10] * A4 + b[8] * A2) + b[6] * A6 + b[4] * A4 + b[2] * A2 \
        + b[0] * ident
    r = np.linalg.solve(v - u, v + u)
    for _ in range(s):
        r = r @ r
    return r.astype(a.dtype, copy=False)


class LinalgMatrixExpBackward0(Node):
    def backward(self, grad):
        (A,) = self.saved_tensors
        # exp([[A^H, G], [0, A^H]]) has the gradient in its top-right block
        from ..ops.join import cat
        n = A.shape[-1]
        Ah = _H(A)
        zeros = Ah * 0
        top = cat([Ah, grad], -1)
        bottom = cat([zeros, Ah], -1)
        big = matrix_exp(cat([top, bottom], -2))
        return (big[..., :n, n:],)


def matrix_exp(A):
    """Matrix exponential of each square matrix (Pade approximation with scaling and
    squaring).

    >>> ember.linalg.matrix_exp(ember.zeros(2, 2))
    tensor([[1., 0.],
            [0., 1.]])
    """
    op = "linalg.matrix_exp"
    U.check_tensor(A, op, "A")
    if A._data.dtype.kind in "biu":
        raise RuntimeError(f"{op}: Expected a floating point or complex tensor as input. Got "
                           f"{B.scalar_name(A._data)}")
    B.check_square(op, A)
    a = data(A)
    with np.errstate(all="ignore"):
        res_arr = _expm_array(a) if a.size else a.copy()
    res = wrap(res_arr, A._device, a.dtype)
    if needs_grad(A):
        record(LinalgMatrixExpBackward0, res, (A,), (A,))
    return res


def cond(A, p=None, *, out=None):
    """Condition number in the ``p`` norm (None/2: largest over smallest singular value;
    -2: the inverse; others: norm(A, p) * norm(inv(A), p)).

    >>> ember.linalg.cond(ember.tensor([[2., 0.], [0., 1.]]))
    tensor(2.)
    """
    op = "linalg.cond"
    U.check_tensor(A, op, "A")
    B.check_float(op, A, low_kernel="linalg_svd_cpu")
    B.check_matrix(op, A)
    if p is None or p in (2, -2):
        s = svdvals(A)
        big, small = s.amax(-1), s.amin(-1)
        return _out(big / small if p != -2 else small / big, out, op)
    B.check_square(op, A)
    return _out(matrix_norm(A, p) * matrix_norm(inv(A), p), out, op)


def vander(x, *, N=None):
    """Vandermonde matrix: columns x**0, x**1, ..., x**(N-1) (N = len(x) by default).

    >>> ember.linalg.vander(ember.tensor([1., 2., 3.]))
    tensor([[1., 1., 1.],
            [1., 2., 4.],
            [1., 3., 9.]])
    """
    op = "linalg.vander"
    U.check_tensor(x, op, "x")
    if x.ndim < 1:
        raise RuntimeError(f"{op}: x must have at least one dimension.")
    n = x.shape[-1] if N is None else N
    if n <= 1:
        # NOTE: torch refuses N == 1 too (its message says "greater than 1")
        raise RuntimeError(f"{op}: N must be greater than 1 (got N={n}).")
    if x._data.dtype == np.bool_ or x._data.dtype in B._LOW:
        raise RuntimeError(f"{op} supports floating point, complex, and integer tensors, but "
                           f"got {B.scalar_name(x._data)}")
    from ..ops.join import cat
    ones = x.new_ones(tuple(x.shape) + (1,))
    powers = cat([ones, x.unsqueeze(-1).expand(*x.shape, n - 1)], -1)
    return powers.cumprod(-1)


def _complex_of(arr):
    return np.complex64 if arr.dtype == np.float32 or arr.dtype == np.complex64 else \
        np.complex128


class LinalgEigBackward0(Node):
    _materialize = False

    def backward(self, gL, gV):
        L, V = self.saved_tensors
        n = L.shape[-1]
        Vh = _H(V)
        if gV is None:
            inner = gL.diag_embed()
        else:
            VhgV = Vh @ gV
            # the eigenvectors are normalized (unit norm): remove the part of gV that only
            # changes their norm
            diag_re = VhgV.diagonal(0, -2, -1).real
            VhgV = VhgV - Vh @ (V * diag_re.unsqueeze(-2))
            E = (L.unsqueeze(-2) - L.unsqueeze(-1)).conj() + _eye_like(n, L)
            inner = VhgV / E
            off = 1 - _eye_like(n, L)
            inner = inner * off
            if gL is not None:
                inner = inner + gL.diag_embed()
        from ._decomp import solve
        gA = solve(Vh, inner @ Vh)
        # NOTE: a real input gets the real part of the complex gradient, as in torch
        return (gA.real if self.real_input else gA,)


def _eye_like(n, t):
    from ..ops.creation import eye
    return eye(n, dtype=t.dtype, device=t.device)


def _eig_arrays(op, A):
    a = data(A)
    if a.size == 0:
        return np.zeros(a.shape[:-1]), np.zeros(a.shape)
    return B.lapack(op, np.linalg.eig, a, what="the algorithm did not converge")


def eigvals(A, *, out=None):
    """Eigenvalues of a general square matrix (complex).

    >>> ember.linalg.eigvals(ember.tensor([[2., 0.], [0., 3.]]))
    tensor([2.+0.j, 3.+0.j])
    """
    op = "linalg.eigvals"
    B.check_float(op, A, low_kernel="linalg_eig_out_cpu")
    B.check_square(op, A)
    if needs_grad(A):
        return _out(eig(A).eigenvalues, out, op)
    a = data(A)
    w = np.zeros(a.shape[:-1]) if a.size == 0 else \
        B.lapack(op, np.linalg.eigvals, a, what="the algorithm did not converge")
    return _out(wrap(np.asarray(w).astype(_complex_of(a)), A._device), out, op)


def eig(A, *, out=None):
    """(eigenvalues, eigenvectors) of a general square matrix, complex, eigenvectors of
    norm 1.

    >>> ember.linalg.eig(ember.tensor([[2., 0.], [0., 3.]])).eigenvalues
    tensor([2.+0.j, 3.+0.j])
    """
    op = "linalg.eig"
    B.check_float(op, A, low_kernel="linalg_eig_out_cpu")
    B.check_square(op, A)
    w, v = _eig_arrays(op, A)
    c = _complex_of(A._data)
    L, V = wrap(np.asarray(w).astype(c), A._device), wrap(np.asarray(v).astype(c), A._device)
    if needs_grad(A):
        node = B.record_multi(LinalgEigBackward0, (L, V), (A,), (L, V))
        node.real_input = A._data.dtype.kind != "c"
    from ._decomp import _out_tuple
    return _out_tuple(B.RT.linalg_eig((L, V)), out, op)

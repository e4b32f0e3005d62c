"""``nn.utils.parametrizations``: weight_norm, spectral_norm and orthogonal, built on
``nn.utils.parametrize`` (so their state_dict keys are torch's:
``parametrizations.weight.original0`` / ``original1`` for weight_norm,
``parametrizations.weight.original`` and ``parametrizations.weight.0._u`` / ``_v`` for
spectral_norm, ``parametrizations.weight.original`` and ``parametrizations.weight.0.base``
for orthogonal).
"""
from enum import Enum, auto

import numpy as np

from ... import _dtype as D
from ..._tensor import Tensor
from ...autograd import grad_mode
from .. import functional as F
from ..modules.module import Module
from . import parametrize

__all__ = ["orthogonal", "spectral_norm", "weight_norm"]


# -- helpers shared with the deprecated forms --------------------------------------------------
def norm_except_dim(v, pow=2, dim=0):
    """The ``pow``-norm of ``v`` over every dim but ``dim``, kept as size-1 dims
    (``dim=-1``: the norm of the whole tensor, 0-dim) — torch.norm_except_dim."""
    if dim == -1:
        return v.norm(pow)
    dim = dim % v.ndim
    others = [d for d in range(v.ndim) if d != dim]
    if not others:
        return v.abs() if pow != 0 else (v != 0).to(v.dtype)
    return v.norm(pow, dim=others, keepdim=True)


def _weight_norm(v, g, dim=0):
    """``v * (g / ||v||)``, the norm taken over every dim but ``dim`` (torch._weight_norm)."""
    return v * (g / norm_except_dim(v, 2, dim))


def _householder_product(a, tau):
    """H_1 H_2 ... H_k with H_i = I - tau_i v_i v_i^H, v_i the i-th column of ``a`` below
    the diagonal with a unit diagonal entry; the first k columns (linalg.householder_product).

    Written in ember ops so it is differentiable in ``a`` and ``tau``.
    """
    import ember
    n, k = a.shape[-2], a.shape[-1]
    batch = tuple(a.shape[:-2])
    q = ember.eye(n, k, dtype=a.dtype, device=a.device).expand(*batch, n, k)
    unit = ember.eye(n, dtype=a.dtype, device=a.device)
    lower = a.tril(-1)
    # apply the reflectors from the last to the first: Q = H_1 (H_2 (... (H_k E)))
    for i in range(min(k, tau.shape[-1]) - 1, -1, -1):
        v = (lower[..., :, i] + unit[:, i]).unsqueeze(-1)                 # (..., n, 1)
        t = tau[..., i].unsqueeze(-1).unsqueeze(-1)
        q = q - t * (v @ (v.mH @ q))
    return q


def _make_orthogonal(a):
    """The Q of a QR decomposition of ``a`` whose R has a positive diagonal."""
    import ember
    q, r = ember.linalg.qr(a)
    return q * r.diagonal(dim1=-2, dim2=-1).sgn().unsqueeze(-2)


def _is_orthogonal(q):
    import ember
    n, k = q.shape[-2], q.shape[-1]
    eye = ember.eye(k, dtype=q.dtype, device=q.device)
    eps = 10.0 * n * D.finfo(q.dtype).eps
    return bool(ember.allclose(q.mH @ q, eye, atol=eps))


# -- orthogonal --------------------------------------------------------------------------------
class _OrthMaps(Enum):
    matrix_exp = auto()
    cayley = auto()
    householder = auto()


class _Orthogonal(Module):
    """Maps an unconstrained matrix to an orthogonal one (the chosen map, then ``base @``
    when ``use_trivialization``)."""

    def __init__(self, weight, orthogonal_map, *, use_trivialization=True):
        super().__init__()
        if weight.is_complex() and orthogonal_map == _OrthMaps.householder:
            raise ValueError("The householder parametrization does not support complex tensors.")
        self.shape = weight.shape
        self.orthogonal_map = orthogonal_map
        if use_trivialization:
            self.register_buffer("base", None)

    def forward(self, X):
        import ember
        n, k = X.shape[-2], X.shape[-1]
        transposed = n < k
        if transposed:
            X = X.mT
            n, k = k, n
        # now X is tall (n >= k)
        if self.orthogonal_map in (_OrthMaps.matrix_exp, _OrthMaps.cayley):
            X = X.tril()
            if n != k:
                # complete to a square matrix with zero columns
                pad = X.new_zeros(n, n - k).expand(*X.shape[:-2], -1, -1)
                X = ember.cat([X, pad], dim=-1)
            A = X - X.mH    # skew-symmetric (skew-hermitian)
            if self.orthogonal_map == _OrthMaps.matrix_exp:
                Q = ember.linalg.matrix_exp(A)
            else:
                # the Cayley map (I + A/2)(I - A/2)^{-1}, as a solve
                eye = ember.eye(n, dtype=A.dtype, device=A.device)
                Q = ember.linalg.solve(eye - 0.5 * A, eye + 0.5 * A)
            if n != k:
                Q = Q[..., :k]
        else:
            A = X.tril(diagonal=-1)
            tau = 2.0 / (1.0 + (A * A).sum(dim=-2))
            Q = _householder_product(A, tau)
            # the diagonal of X holds +-1 (set by right_inverse); not differentiated
            Q = Q * X.diagonal(dim1=-2, dim2=-1).int().unsqueeze(-2)
        if hasattr(self, "base"):
            Q = self.base @ Q
        if transposed:
            Q = Q.mT
        return Q

    def right_inverse(self, Q):
        import ember
        with grad_mode.no_grad():
            if Q.shape != self.shape:
                raise ValueError(f"Expected a matrix or batch of matrices of shape {self.shape}. "
                                 f"Got a tensor of shape {Q.shape}.")
            q_init = Q
            n, k = Q.shape[-2], Q.shape[-1]
            transpose = n < k
            if transpose:
                Q = Q.mT
                n, k = k, n
            if not hasattr(self, "base"):
                if self.orthogonal_map in (_OrthMaps.cayley, _OrthMaps.matrix_exp):
                    raise NotImplementedError("It is not possible to assign to the matrix "
                                              "exponential or the Cayley parametrizations when "
                                              "use_trivialization=False.")
                # householder without base: reflectors of Q's QR, diagonal = sign of R's
                A, tau = _geqrf(Q)
                diag = A.diagonal(dim1=-2, dim2=-1)
                sign = diag.sign()
                sign = ember.where(tau == 0.0, -sign, sign)
                A.diagonal(dim1=-2, dim2=-1).copy_(sign)
                return A.mT if transpose else A
            if n == k:
                Q = Q.clone() if _is_orthogonal(Q) else _make_orthogonal(Q)
            else:
                # complete Q to an n x n orthogonal matrix with random columns
                extra = ember.randn(*(tuple(Q.shape[:-2]) + (n, n - k)), dtype=Q.dtype,
                                    device=Q.device)
                Q = _make_orthogonal(ember.cat([Q, extra], dim=-1))
            self.base = Q
            # NOTE: torch stores -Id in ``original``: then householder(zeros) is eye(n, k)
            neg_id = ember.zeros_like(q_init)
            neg_id.diagonal(dim1=-2, dim2=-1).fill_(-1.0)
            return neg_id


def _geqrf(a):
    """Householder reflectors (below the diagonal, R on and above) and their taus for ``a``
    (n >= k), computed from a QR decomposition: used only without trivialization."""
    import ember
    n, k = a.shape[-2], a.shape[-1]
    # reflector i maps column i of the current matrix to +-||.|| e_i; rebuild them column by
    # column in NumPy on the host (a one-off, not differentiated; cuda values come back)
    arr = np.array(a.detach().cpu().numpy(), copy=True)
    batch = arr.shape[:-2]
    flat = arr.reshape((-1, n, k))
    out = np.zeros_like(flat)
    taus = np.zeros(flat.shape[:1] + (min(n, k),), dtype=flat.dtype)
    for b in range(flat.shape[0]):
        m = flat[b].copy()
        for i in range(min(n, k)):
            x = m[i:, i].copy()
            alpha = x[0]
            norm = np.linalg.norm(x)
            if norm == 0 or (norm == abs(alpha) and np.all(x[1:] == 0)):
                taus[b, i] = 0.0
                continue
            beta = -np.copysign(norm, alpha.real if np.iscomplexobj(alpha) else alpha)
            tau = (beta - alpha) / beta
            v = x / (alpha - beta)
            v[0] = 1.0
            m[i:, i:] -= tau * np.outer(v, v.conj() @ m[i:, i:])
            m[i + 1:, i] = v[1:]
            taus[b, i] = tau
        out[b] = m
    return (ember.tensor(out.reshape(arr.shape), device=a.device),
            ember.tensor(taus.reshape(batch + (min(n, k),)), device=a.device))


def orthogonal(module, name="weight", orthogonal_map=None, *, use_trivialization=True):
    """Constrain ``module.<name>`` to orthogonal (unitary) matrices.

    ``orthogonal_map``: "matrix_exp", "cayley" or "householder" (default: matrix_exp for
    square or complex matrices, householder otherwise).

    >>> m = orthogonal(ember.nn.Linear(3, 3))
    >>> bool(ember.allclose(m.weight @ m.weight.T, ember.eye(3), atol=1e-5))
    True
    """
    weight = getattr(module, name, None)
    if not isinstance(weight, Tensor):
        raise ValueError(f"Module '{module}' has no parameter or buffer with name '{name}'")
    if weight.ndim < 2:
        raise ValueError("Expected a matrix or batch of matrices. "
                         f"Got a tensor of {weight.ndim} dimensions.")
    if orthogonal_map is None:
        square = weight.shape[-2] == weight.shape[-1]
        orthogonal_map = "matrix_exp" if square or weight.is_complex() else "householder"
    orth_enum = getattr(_OrthMaps, orthogonal_map, None) if isinstance(orthogonal_map, str) \
        else None
    if orth_enum is None:
        raise ValueError('orthogonal_map has to be one of "matrix_exp", "cayley", "householder". '
                         f"Got: {orthogonal_map}")
    orth = _Orthogonal(weight, orth_enum, use_trivialization=use_trivialization)
    parametrize.register_parametrization(module, name, orth, unsafe=True)
    return module


# -- weight_norm -------------------------------------------------------------------------------
class _WeightNorm(Module):
    def __init__(self, dim=0):
        super().__init__()
        self.dim = -1 if dim is None else dim

    def forward(self, weight_g, weight_v):
        return _weight_norm(weight_v, weight_g, self.dim)

    def right_inverse(self, weight):
        return norm_except_dim(weight, 2, self.dim), weight


class _WeightNormCompatHook:
    """Load pre-hook: state dicts saved with the deprecated weight_norm use ``<name>_g`` /
    ``<name>_v``; they become ``parametrizations.<name>.original0`` / ``original1``."""

    def __init__(self, name):
        self.name = name

    def __call__(self, state_dict, prefix, local_metadata, strict, missing_keys,
                 unexpected_keys, error_msgs):
        for suffix, index in (("_g", 0), ("_v", 1)):
            key = prefix + self.name + suffix
            if key in state_dict:
                state_dict[f"{prefix}parametrizations.{self.name}.original{index}"] = \
                    state_dict.pop(key)


def weight_norm(module, name="weight", dim=0):
    """Reparametrize ``module.<name>`` as ``g * v / ||v||`` (``original0`` = g,
    ``original1`` = v), the norm over every dim but ``dim`` (``None``: the whole tensor).

    >>> m = weight_norm(ember.nn.Linear(4, 2))
    >>> m.parametrizations.weight.original0.shape
    torch.Size([2, 1])
    """
    parametrize.register_parametrization(module, name, _WeightNorm(dim), unsafe=True)
    module._register_load_state_dict_pre_hook(_WeightNormCompatHook(name))
    return module


# -- spectral_norm -----------------------------------------------------------------------------
class _SpectralNorm(Module):
    """Divides the weight by its largest singular value, estimated by power iteration
    (buffers ``_u`` and ``_v``, updated in training mode only)."""

    def __init__(self, weight, n_power_iterations=1, dim=0, eps=1e-12):
        super().__init__()
        ndim = weight.ndim
        if dim >= ndim or dim < -ndim:
            raise IndexError("Dimension out of range (expected to be in range of "
                             f"[-{ndim}, {ndim - 1}] but got {dim})")
        if n_power_iterations <= 0:
            raise ValueError("Expected n_power_iterations to be positive, but got "
                             f"n_power_iterations={n_power_iterations}")
        self.dim = dim if dim >= 0 else dim + ndim
        self.eps = eps
        if ndim > 1:
            self.n_power_iterations = n_power_iterations
            with grad_mode.no_grad():
                mat = self._reshape_weight_to_matrix(weight)
                h, w = mat.shape
                u = mat.new_empty(h).normal_(0, 1)
                v = mat.new_empty(w).normal_(0, 1)
                self.register_buffer("_u", F.normalize(u, dim=0, eps=self.eps))
                self.register_buffer("_v", F.normalize(v, dim=0, eps=self.eps))
            # a good start: several power iterations right away
            self._power_method(mat, 15)

    def _reshape_weight_to_matrix(self, weight):
        if self.dim != 0:
            weight = weight.permute(self.dim, *(d for d in range(weight.ndim) if d != self.dim))
        return weight.flatten(1)

    def _power_method(self, mat, n_power_iterations):
        import ember
        # NOTE: u is updated before v here (the deprecated form does v first)
        with grad_mode.no_grad():
            for _ in range(n_power_iterations):
                self._u.copy_(F.normalize(ember.mv(mat, self._v), dim=0, eps=self.eps))
                self._v.copy_(F.normalize(ember.mv(mat.mH, self._u), dim=0, eps=self.eps))

    def forward(self, weight):
        import ember
        if weight.ndim == 1:
            return F.normalize(weight, dim=0, eps=self.eps)
        mat = self._reshape_weight_to_matrix(weight)
        if self.training:
            self._power_method(mat, self.n_power_iterations)
        # clones: later power iterations update the buffers in place
        u = self._u.clone()
        v = self._v.clone()
        sigma = ember.vdot(u, ember.mv(mat, v))
        return weight / sigma

    def right_inverse(self, value):
        return value


def _is_conv_transpose(module):
    from ..modules import conv
    kinds = tuple(getattr(conv, n) for n in ("ConvTranspose1d", "ConvTranspose2d",
                                             "ConvTranspose3d") if hasattr(conv, n))
    return isinstance(module, kinds)


def spectral_norm(module, name="weight", n_power_iterations=1, eps=1e-12, dim=None):
    """Divide ``module.<name>`` by its spectral norm (power iteration in training mode).

    ``dim`` defaults to 1 for ConvTranspose layers and 0 otherwise.

    >>> m = spectral_norm(ember.nn.Linear(20, 40))
    >>> m.parametrizations.weight.original.shape
    torch.Size([40, 20])
    """
    weight = getattr(module, name, None)
    if not isinstance(weight, Tensor):
        raise ValueError(f"Module '{module}' has no parameter or buffer with name '{name}'")
    if dim is None:
        dim = 1 if _is_conv_transpose(module) else 0
    parametrize.register_parametrization(
        module, name, _SpectralNorm(weight, n_power_iterations, dim, eps))
    return module

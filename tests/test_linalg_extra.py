"""Linear algebra beyond the registry: errors (LinAlgError, dtypes, shapes), gradients of
decompositions compared with torch through sign-invariant losses, singular det, einsum
forms, lstsq's extra outputs, add-products with beta=0, norms, double backward."""
import warnings

import numpy as np
import pytest
import torch

import ember

RNG = np.random.default_rng(0)


def pair(arr, grad=False):
    e = ember.tensor(arr)
    t = torch.tensor(arr)
    if grad:
        e.requires_grad_(True)
        t.requires_grad_(True)
    return e, t


def close(e, t, atol=1e-7, rtol=1e-6):
    e_arr = np.asarray(e._data if isinstance(e, ember.Tensor) else e)
    t_arr = t.detach().numpy() if isinstance(t, torch.Tensor) else np.asarray(t)
    assert e_arr.shape == t_arr.shape, (e_arr.shape, t_arr.shape)
    np.testing.assert_allclose(e_arr, t_arr, atol=atol, rtol=rtol)


def wc(*shape):
    n = shape[-1]
    return RNG.uniform(-1, 1, size=shape) + n * np.eye(n)


def spd(*shape):
    x = RNG.uniform(-1, 1, size=shape)
    return x @ np.swapaxes(x, -1, -2) + shape[-1] * np.eye(shape[-1])


def grads_match(fn_e, fn_t, *arrays, atol=1e-7):
    """Compare the gradients of scalar losses fn_e / fn_t of the same inputs."""
    es, ts = zip(*(pair(a, grad=True) for a in arrays))
    le, lt = fn_e(*es), fn_t(*ts)
    close(le, lt, atol=atol)
    ge = ember.autograd.grad(le, list(es))
    gt = torch.autograd.grad(lt, list(ts))
    for a, b in zip(ge, gt):
        close(a, b, atol=atol, rtol=1e-5)


# ---------------------------------------------------------------------------------
# errors
# ---------------------------------------------------------------------------------

def test_linalg_error_is_runtime_error():
    assert issubclass(ember.linalg.LinAlgError, RuntimeError)


@pytest.mark.parametrize("fn", ["inv", "solve", "cholesky"])
def test_singular_and_not_pd_raise_linalg_error(fn):
    sing = np.array([[1.0, 2.0], [2.0, 4.0]])
    e = ember.tensor(sing)
    args = (e, ember.ones(2, 1, dtype=ember.float64)) if fn == "solve" else (e,)
    with pytest.raises(ember.linalg.LinAlgError):
        getattr(ember.linalg, fn)(*args)
    t = torch.tensor(sing)
    t_args = (t, torch.ones(2, 1, dtype=torch.float64)) if fn == "solve" else (t,)
    with pytest.raises(torch.linalg.LinAlgError):
        getattr(torch.linalg, fn)(*t_args)


def test_ex_variants_report_info():
    sing = np.array([[[1.0, 2.0], [2.0, 4.0]], [[2.0, 0.0], [0.0, 2.0]]])
    e_info = ember.linalg.inv_ex(ember.tensor(sing)).info
    t_info = torch.linalg.inv_ex(torch.tensor(sing)).info
    assert (e_info._data > 0).tolist() == (t_info.numpy() > 0).tolist()
    notpd = np.array([[1.0, 2.0], [2.0, 1.0]])
    assert ember.linalg.cholesky_ex(ember.tensor(notpd)).info.item() == \
        torch.linalg.cholesky_ex(torch.tensor(notpd)).info.item()
    with pytest.raises(ember.linalg.LinAlgError):
        ember.linalg.cholesky_ex(ember.tensor(notpd), check_errors=True)


@pytest.mark.parametrize("name", ["inv", "det", "slogdet", "cholesky", "qr", "svd", "svdvals",
                                  "eigh", "eigvalsh", "pinv", "matrix_rank", "matrix_norm",
                                  "vector_norm", "solve_triangular"])
@pytest.mark.parametrize("dtype", ["int64", "float16", "bfloat16"])
def test_dtype_errors_like_torch(name, dtype):
    arr = np.eye(3)
    t = torch.tensor(arr).to(getattr(torch, dtype))
    e = ember.tensor(arr).to(getattr(ember, dtype))
    extra_t, extra_e = ((t,), (e,)) if name == "solve_triangular" else ((), ())
    kw = {"upper": True} if name == "solve_triangular" else {}
    try:
        getattr(torch.linalg, name)(t, *extra_t, **kw)
    except Exception as exc:  # noqa: BLE001
        with pytest.raises(Exception) as info:
            getattr(ember.linalg, name)(e, *extra_e, **kw)
        assert isinstance(info.value, (RuntimeError, NotImplementedError, TypeError))
        assert isinstance(info.value, type(exc)) or type(exc) in (RuntimeError,
                                                                  NotImplementedError)
        return
    getattr(ember.linalg, name)(e, *extra_e, **kw)


@pytest.mark.parametrize("name", ["inv", "det", "cholesky", "eigh", "slogdet"])
def test_non_square_errors_name_the_op(name):
    with pytest.raises(RuntimeError) as info:
        getattr(ember.linalg, name)(ember.ones(2, 3))
    assert name in str(info.value) and "2" in str(info.value) and "3" in str(info.value)
    with pytest.raises(RuntimeError) as info:
        getattr(ember.linalg, name)(ember.ones(3))
    assert name in str(info.value)


def test_numpy_errors_never_leak():
    for call in (lambda: ember.linalg.solve(ember.eye(3), ember.ones(4, 2)),
                 lambda: ember.linalg.solve(ember.ones(2, 3, 3), ember.ones(4, 3, 1)),
                 lambda: ember.einsum("ij,jk", ember.ones(2, 3), ember.ones(4, 5)),
                 lambda: ember.tensordot(ember.ones(2, 3), ember.ones(4, 5), 1),
                 lambda: ember.addmm(ember.ones(4, 4), ember.ones(2, 3), ember.ones(3, 2)),
                 lambda: ember.linalg.cross(ember.ones(2, 3), ember.ones(4, 3))):
        with pytest.raises(RuntimeError):
            call()


# ---------------------------------------------------------------------------------
# products
# ---------------------------------------------------------------------------------

@pytest.mark.parametrize("op", ["addmm", "addmv", "addr", "baddbmm", "addbmm"])
def test_beta_zero_ignores_nan_and_inplace(op):
    shapes = {"addmm": ((2, 3), (2, 4), (4, 3)), "addmv": ((2,), (2, 4), (4,)),
              "addr": ((2, 3), (2,), (3,)), "baddbmm": ((2, 2, 3), (2, 2, 4), (2, 4, 3)),
              "addbmm": ((2, 3), (2, 2, 4), (2, 4, 3))}[op]
    arrays = [RNG.standard_normal(s) for s in shapes]
    arrays[0][...] = np.nan
    e_args = [ember.tensor(a) for a in arrays]
    t_args = [torch.tensor(a) for a in arrays]
    close(getattr(ember, op)(*e_args, beta=0, alpha=2), getattr(torch, op)(*t_args, beta=0,
                                                                           alpha=2))
    arrays[0] = RNG.standard_normal(shapes[0])
    e_in, t_in = ember.tensor(arrays[0]), torch.tensor(arrays[0])
    getattr(e_in, op + "_")(*e_args[1:], beta=0.5, alpha=3)
    getattr(t_in, op + "_")(*t_args[1:], beta=0.5, alpha=3)
    close(e_in, t_in)


def test_matmul_half_precision_and_grads_of_products():
    a = RNG.standard_normal((3, 4)).astype(np.float32)
    b = RNG.standard_normal((4, 5)).astype(np.float32)
    for dt in ("float16", "bfloat16"):
        e = ember.addmm(ember.ones(3, 5).to(getattr(ember, dt)),
                        ember.tensor(a).to(getattr(ember, dt)),
                        ember.tensor(b).to(getattr(ember, dt)))
        t = torch.addmm(torch.ones(3, 5).to(getattr(torch, dt)),
                        torch.tensor(a).to(getattr(torch, dt)),
                        torch.tensor(b).to(getattr(torch, dt)))
        assert str(e.dtype) == str(t.dtype)
        close(e.float(), t.float(), atol=5e-2, rtol=2e-2)


def test_cross_default_dim_warns_and_picks_first_size_3():
    a, b = RNG.standard_normal((3, 3, 2)), RNG.standard_normal((3, 3, 2))
    with pytest.warns(UserWarning):
        e = ember.cross(ember.tensor(a), ember.tensor(b))
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        t = torch.cross(torch.tensor(a), torch.tensor(b))
    close(e, t)


# ---------------------------------------------------------------------------------
# einsum
# ---------------------------------------------------------------------------------

EINSUM_CASES = [
    ("ij,jk->ik", [(3, 4), (4, 5)]),
    ("ii->i", [(3, 3)]),
    ("ii", [(3, 3)]),
    ("iij->j", [(3, 3, 2)]),
    ("...ij,...jk->...ik", [(2, 1, 3, 4), (5, 4, 2)]),
    ("bij,bjk,bkl->bil", [(2, 2, 3), (2, 3, 4), (2, 4, 2)]),
    ("ij,ij,ij->", [(2, 3), (2, 3), (2, 3)]),
    ("i,i->", [(4,), (4,)]),
    ("ij,kl->ijkl", [(2, 3), (1, 2)]),
    ("ba", [(2, 3)]),
    ("Ab,bA->A", [(3, 2), (2, 3)]),
    ("i...->...", [(2, 3, 4)]),
    ("ij,j", [(3, 1), (4,)]),
]


@pytest.mark.parametrize("eq,shapes", EINSUM_CASES, ids=[c[0] for c in EINSUM_CASES])
def test_einsum_values_and_gradients(eq, shapes):
    arrays = [RNG.standard_normal(s) for s in shapes]
    es, ts = zip(*(pair(a, grad=True) for a in arrays))
    e_out, t_out = ember.einsum(eq, *es), torch.einsum(eq, *ts)
    close(e_out, t_out)
    g = RNG.standard_normal(tuple(t_out.shape))
    ge = ember.autograd.grad(e_out, list(es), ember.tensor(g), create_graph=True)
    gt = torch.autograd.grad(t_out, list(ts), torch.tensor(g), create_graph=True)
    for a, b in zip(ge, gt):
        close(a, b)
    # double backward
    se = sum((x * x).sum() for x in ge)
    st = sum((x * x).sum() for x in gt)
    assert se.requires_grad == st.requires_grad
    if not st.requires_grad:   # linear in every operand (one operand): nothing to check
        return
    gge = ember.autograd.grad(se, list(es), allow_unused=True)
    ggt = torch.autograd.grad(st, list(ts), allow_unused=True)
    for a, b in zip(gge, ggt):
        if b is None:
            assert a is None or not np.any(a._data)
        else:
            close(a, b)


def test_einsum_list_and_sublist_forms():
    a, b = RNG.standard_normal((2, 3)), RNG.standard_normal((3, 4))
    (ea, ta), (eb, tb) = pair(a), pair(b)
    close(ember.einsum("ij,jk", [ea, eb]), torch.einsum("ij,jk", [ta, tb]))
    close(ember.einsum(ea, [0, 1], eb, [1, 2], [0, 2]), torch.einsum(ta, [0, 1], tb, [1, 2],
                                                                     [0, 2]))
    close(ember.einsum(ea, [Ellipsis, 1], [1]), torch.einsum(ta, [Ellipsis, 1], [1]))


def test_einsum_errors():
    for eq, shapes in [("ij,jk", [(2, 3), (4, 5)]), ("ijk", [(2, 3)]), ("ij->ii", [(2, 2)]),
                       ("ij->k", [(2, 2)]), ("ij,jk", [(2, 3)])]:
        args = [ember.ones(*s) for s in shapes]
        with pytest.raises(RuntimeError) as info:
            ember.einsum(eq, *args)
        assert "einsum" in str(info.value)


# ---------------------------------------------------------------------------------
# decompositions: gradients through sign-invariant losses
# ---------------------------------------------------------------------------------

def _svd_loss(lib, full):
    def loss(A):
        U, S, Vh = lib.linalg.svd(A, full_matrices=full)
        k = S.shape[-1]
        return ((U[..., :k] * S.unsqueeze(-2)) @ Vh[..., :k, :]).pow(2).sum() + \
            (U[..., :k].abs() * 0.3).sum() + S.sum() + Vh[..., :k, :].abs().sum()
    return loss


@pytest.mark.parametrize("shape", [(4, 3), (3, 4), (2, 3, 3)])
@pytest.mark.parametrize("full", [False, True])
def test_svd_gradients(shape, full):
    grads_match(_svd_loss(ember, full), _svd_loss(torch, full), RNG.standard_normal(shape),
                atol=1e-6)


def test_eigh_gradients_and_uplo():
    def loss(lib, uplo):
        def f(A):
            L, V = lib.linalg.eigh(A, UPLO=uplo)
            return (L * L).sum() + (V.abs() * lib.arange(3.0, dtype=A.dtype)).sum()
        return f
    A = RNG.standard_normal((2, 3, 3))
    for uplo in ("L", "U"):
        grads_match(loss(ember, uplo), loss(torch, uplo), A, atol=1e-6)


@pytest.mark.parametrize("shape", [(4, 3), (3, 3), (3, 5)])
def test_qr_gradients(shape):
    def loss(lib):
        def f(A):
            Q, R = lib.linalg.qr(A)
            return (Q.abs() * 1.5).sum() + R.abs().sum() + (Q @ R).pow(2).sum()
        return f
    grads_match(loss(ember), loss(torch), RNG.standard_normal(shape), atol=1e-6)


def test_qr_modes():
    A = RNG.standard_normal((4, 3))
    e, t = pair(A)
    for mode in ("complete", "r"):
        (eq, er), (tq, tr) = ember.linalg.qr(e, mode), torch.linalg.qr(t, mode)
        assert eq.shape == tq.shape and er.shape == tr.shape
        close(er.abs(), tr.abs())


def test_det_gradient_singular_matrix():
    # NOTE: torch 2.13 returns a zero gradient at exactly singular matrices; the gradient of
    # det is the cofactor matrix (nonzero for rank n-1), which ember gives: checked against
    # finite differences (det is a polynomial, so they are exact up to rounding).
    for A in (np.array([[1.0, 2.0, 3.0], [2.0, 4.0, 6.0], [1.0, 0.0, 1.0]]),
              np.diag([1.0, 2.0, 0.0]), np.zeros((2, 2))):
        e = ember.tensor(A, requires_grad=True)
        assert ember.autograd.gradcheck(ember.linalg.det, (e,))
    e = ember.tensor(np.diag([1.0, 2.0, 0.0]), requires_grad=True)
    (g,) = ember.autograd.grad(ember.linalg.det(e), [e])
    np.testing.assert_allclose(g._data, np.diag([0.0, 0.0, 2.0]), atol=1e-12)


def test_cholesky_upper_and_inverse_grads_double_backward():
    A = spd(3, 3)
    def loss(lib):
        def f(A):
            U = lib.linalg.cholesky(A, upper=True)
            g = lib.autograd.grad(U.sum(), A, create_graph=True)[0]
            return (g * g).sum() + lib.linalg.inv(A).sum()
        return f
    grads_match(loss(ember), loss(torch), A, atol=1e-6)


def test_lstsq_extra_outputs_like_torch():
    A, B = RNG.standard_normal((5, 3)), RNG.standard_normal((5, 2))
    (ea, ta), (eb, tb) = pair(A), pair(B)
    for driver in (None, "gelsd", "gelss", "gels"):
        e = ember.linalg.lstsq(ea, eb, driver=driver)
        t = torch.linalg.lstsq(ta, tb, driver=driver)
        for name in ("solution", "residuals", "rank", "singular_values"):
            x, y = getattr(e, name), getattr(t, name)
            assert str(x.dtype) == str(y.dtype), name
            close(x, y, atol=1e-6)
    low_rank = np.outer(np.arange(1.0, 5.0), np.ones(3))
    assert ember.linalg.lstsq(ember.tensor(low_rank), eb[:4]).rank.item() == \
        torch.linalg.lstsq(torch.tensor(low_rank), tb[:4]).rank.item()


def test_solve_batch_broadcast_and_vector_rhs_grads():
    A, B = wc(2, 1, 3, 3), RNG.standard_normal((4, 3, 2))
    grads_match(lambda a, b: ember.linalg.solve(a, b).sum(),
                lambda a, b: torch.linalg.solve(a, b).sum(), A, B)
    A, b = wc(2, 3, 3), RNG.standard_normal((2, 3))
    grads_match(lambda a, b: (ember.linalg.solve(a, b) ** 2).sum(),
                lambda a, b: (torch.linalg.solve(a, b) ** 2).sum(), A, b)


def test_matrix_power_and_pinv_second_order():
    A = wc(3, 3)
    def loss(lib):
        def f(a):
            y = lib.linalg.matrix_power(a, -3).sum() + lib.linalg.pinv(a[:, :2]).pow(2).sum()
            g = lib.autograd.grad(y, a, create_graph=True)[0]
            return (g * g).sum()
        return f
    grads_match(loss(ember), loss(torch), A, atol=1e-6)


# ---------------------------------------------------------------------------------
# norms, rank, top-level aliases
# ---------------------------------------------------------------------------------

def test_torch_norm_nuc_and_fro():
    x = RNG.standard_normal((2, 3, 4))
    e, t = pair(x, grad=True)
    for kw in (dict(p="nuc", dim=(0, 1)), dict(p="nuc", dim=(1, 2), keepdim=True),
               dict(p="fro", dim=1), dict(p="fro", dim=(0, 2))):
        close(ember.norm(e, **kw), torch.norm(t, **kw))
    close(e[0].norm("nuc"), t[0].norm("nuc"))
    grads_match(lambda a: ember.norm(a, p="nuc", dim=(0, 2)).sum(),
                lambda a: torch.norm(a, p="nuc", dim=(0, 2)).sum(), x)
    with pytest.raises(RuntimeError):
        ember.norm(e, p="nuc")


def test_matrix_rank_tolerances():
    A = np.diag([3.0, 1.0, 1e-3, 0.0])
    e, t = pair(A)
    for kw in ({}, dict(atol=0.01), dict(rtol=0.5), dict(atol=0.5, rtol=0.01),
               dict(hermitian=True), dict(tol=0.01)):
        assert ember.linalg.matrix_rank(e, **kw).item() == torch.linalg.matrix_rank(t, **kw).item()


def test_top_level_svd_qr_and_aliases():
    A = RNG.standard_normal((4, 3))
    e, t = pair(A)
    eu, es, ev = ember.svd(e)
    tu, ts, tv = torch.svd(t)
    assert eu.shape == tu.shape and ev.shape == tv.shape
    close((eu * es) @ ev.mT, (tu * ts) @ tv.mT)
    eu, es, ev = ember.svd(e, compute_uv=False)
    tu, ts, tv = torch.svd(t, compute_uv=False)
    assert eu.shape == tu.shape and ev.shape == tv.shape
    close(es, ts)
    sq = wc(3, 3)
    (es_, ts_) = pair(sq)
    close(ember.logdet(es_), torch.logdet(ts_))
    close(ember.inverse(es_), torch.inverse(ts_))
    close(es_.det(), ts_.det())
    close(ember.pinverse(e), torch.pinverse(t))
    close(ember.slogdet(es_).logabsdet, torch.slogdet(ts_).logabsdet)
    neg = -np.eye(3)
    neg[0, 0] = 1
    assert np.isnan(ember.logdet(ember.tensor(neg)).item()) == \
        bool(torch.isnan(torch.logdet(torch.tensor(neg))))


def test_meta_device_shapes_of_decompositions():
    A = ember.ones(2, 4, 3, device="meta")
    U, S, Vh = ember.linalg.svd(A, full_matrices=False)
    assert U.shape == (2, 4, 3) and S.shape == (2, 3) and Vh.shape == (2, 3, 3)
    assert U.device.type == "meta"
    assert ember.linalg.inv(ember.ones(3, 3, device="meta")).device.type == "meta"


def test_cond_other_orders_and_matrix_exp_grads():
    A = wc(2, 3, 3)
    e, t = pair(A)
    for p in ("fro", "nuc", 1, -1, float("inf")):
        close(ember.linalg.cond(e, p), torch.linalg.cond(t, p), atol=1e-6)
    x = ember.tensor(A[0], requires_grad=True)
    assert ember.autograd.gradcheck(lambda a: ember.linalg.cond(a, "fro"), (x,))
    grads_match(lambda a: ember.linalg.matrix_exp(a).pow(2).sum(),
                lambda a: torch.linalg.matrix_exp(a).pow(2).sum(), RNG.standard_normal((2, 3, 3)))


COMPLEX_LOSSES = {
    "matmul": (lambda L: lambda x: (x @ x.mT).abs().sum(), (4, 3)),
    "einsum": (lambda L: lambda x: L.einsum("ij,kj->ik", x, x).abs().sum(), (4, 3)),
    "inv": (lambda L: lambda x: L.linalg.inv(x).abs().sum(), (3, 3)),
    "det": (lambda L: lambda x: L.linalg.det(x).abs(), (3, 3)),
    "solve": (lambda L: lambda x: L.linalg.solve(x, x[:, :2]).abs().sum(), (3, 3)),
    "svd": (lambda L: lambda x: (lambda r: r.S.sum() + r.U.abs().sum() + r.Vh.abs().sum())(
        L.linalg.svd(x, full_matrices=False)), (4, 3)),
    "qr": (lambda L: lambda x: (lambda r: r.Q.abs().sum() + r.R.abs().sum())(L.linalg.qr(x)),
           (4, 3)),
    "pinv": (lambda L: lambda x: L.linalg.pinv(x).abs().sum(), (4, 3)),
    "matrix_exp": (lambda L: lambda x: L.linalg.matrix_exp(x).abs().sum(), (3, 3)),
    "lu_factor": (lambda L: lambda x: L.linalg.lu_factor(x).LU.abs().sum(), (3, 3)),
    "eig": (lambda L: lambda x: (lambda r: r.eigenvalues.abs().sum() + r.eigenvectors.abs().sum())(
        L.linalg.eig(x)), (3, 3)),
}


@pytest.mark.parametrize("name", list(COMPLEX_LOSSES))
def test_complex_gradients_match_torch(name):
    make, shape = COMPLEX_LOSSES[name]
    arr = RNG.standard_normal(shape) + 1j * RNG.standard_normal(shape)
    if shape[0] == shape[1]:
        arr = arr + 3 * np.eye(shape[0])
    grads_match(make(ember), make(torch), arr, atol=1e-6)


def test_complex_hermitian_gradients_match_torch():
    x = RNG.standard_normal((3, 3)) + 1j * RNG.standard_normal((3, 3))
    h = x @ x.conj().T + 3 * np.eye(3)
    for make in (lambda L: lambda a: (lambda r: r.eigenvalues.sum() + r.eigenvectors.abs().sum())(
                     L.linalg.eigh(a)),
                 lambda L: lambda a: L.linalg.cholesky(a).abs().sum()):
        grads_match(make(ember), make(torch), h, atol=1e-6)


def test_eig_of_real_input_has_real_gradient_like_torch():
    make = COMPLEX_LOSSES["eig"][0]
    grads_match(make(ember), make(torch), RNG.standard_normal((3, 3)), atol=1e-6)

"""Complex tensors against torch: dtypes and promotion, printing, views that share
memory, the conjugate bit, errors of ordering ops, complex autograd (torch's
conjugate-Wirtinger convention) through mixed real/complex graphs, Llama-style
rotary embeddings, and ember.fft's frequencies."""
import warnings

import numpy as np
import pytest
import torch

import ember


def _c(shape, seed=0, dtype=np.complex128):
    rng = np.random.default_rng(seed)
    return (rng.standard_normal(shape) + 1j * rng.standard_normal(shape)).astype(dtype)


def _r(shape, seed=0, dtype=np.float64):
    return np.random.default_rng(seed).standard_normal(shape).astype(dtype)


def _both(arr, requires_grad=False):
    return (ember.tensor(arr, requires_grad=requires_grad),
            torch.tensor(arr, requires_grad=requires_grad))


def _same(e, t, tol=1e-10):
    assert str(e.dtype) == str(t.dtype), (e.dtype, t.dtype)
    assert tuple(e.shape) == tuple(t.shape)
    np.testing.assert_allclose(e.detach()._data, t.detach().resolve_conj().numpy(),
                               atol=tol, rtol=tol)


# -- dtypes, promotion, printing -----------------------------------------------------------

@pytest.mark.parametrize("a,b", [
    ("complex64", "float16"), ("complex64", "float64"), ("complex64", "int64"),
    ("complex64", "bool"), ("complex128", "float32"), ("complex64", "complex128"),
    ("bfloat16", "complex64"),
])
def test_promotion_of_tensors(a, b):
    assert str(ember.promote_types(getattr(ember, a), getattr(ember, b))) == \
        str(torch.promote_types(getattr(torch, a), getattr(torch, b)))
    ea = ember.ones(2, dtype=getattr(ember, a))
    eb = ember.ones(2, dtype=getattr(ember, b))
    ta = torch.ones(2, dtype=getattr(torch, a))
    tb = torch.ones(2, dtype=getattr(torch, b))
    assert str((ea + eb).dtype) == str((ta + tb).dtype)


@pytest.mark.parametrize("dtype", ["int64", "bool", "float32", "float64", "float16"])
def test_python_complex_scalar_promotes(dtype):
    e = ember.ones(3, dtype=getattr(ember, dtype))
    t = torch.ones(3, dtype=getattr(torch, dtype))
    if dtype == "float16":   # torch gives complex32, which ember does not have
        assert (e * 1j).dtype is ember.complex64
        return
    _same(e * (1 + 2j), t * (1 + 2j))
    assert str(ember.result_type(e, 1j)) == str(torch.result_type(t, 1j))


def test_tensor_from_python_complex_and_default_dtype():
    assert ember.tensor([1 + 2j]).dtype is ember.complex64
    assert ember.tensor(1j).is_complex() and not ember.tensor(1.0).is_complex()
    assert ember.is_complex(ember.zeros(2, dtype=ember.cdouble))
    ember.set_default_dtype(ember.float64)
    try:
        assert ember.tensor([1j]).dtype is ember.complex128
        assert (ember.ones(2, dtype=ember.int64) * 1j).dtype is ember.complex128
    finally:
        ember.set_default_dtype(ember.float32)


@pytest.mark.parametrize("values", [
    [1 + 2j, 3 - 1j], [[1.5 + 2j], [3 - 1e-5j]], [1e10 + 1j], [0j], 2.5 - 0.5j,
    [[1 + 1j, -2.25 + 0j, 100 - 3j]],
])
@pytest.mark.parametrize("dtype", ["complex64", "complex128"])
def test_printing_matches_torch(values, dtype):
    e = ember.tensor(values, dtype=getattr(ember, dtype))
    t = torch.tensor(values, dtype=getattr(torch, dtype))
    assert repr(e) == repr(t)


# -- real / imag / views -------------------------------------------------------------------

def test_real_imag_are_writable_views():
    z, tz = _both(_c((2, 3)))
    _same(z.real, tz.real)
    _same(z.imag, tz.imag)
    z.real[0, 0] = 7.0
    z.imag[1] = ember.tensor([1.0, 2.0, 3.0], dtype=ember.float64)
    assert z[0, 0].item().real == 7.0 and z[1, 2].item().imag == 3.0
    z.imag = ember.zeros(2, 3, dtype=ember.float64)
    assert not np.any(z._data.imag)
    x = ember.tensor([1.0, -2.0])
    assert x.real is x and ember.real(x) is x
    with pytest.raises(RuntimeError):
        x.imag
    with pytest.raises(RuntimeError):
        ember.imag(x)


def test_view_as_real_and_complex_share_memory():
    z = ember.tensor(_c((3,), dtype=np.complex64))
    r = ember.view_as_real(z)
    assert r.shape == (3, 2) and r.dtype is ember.float32 and r.stride() == (2, 1)
    r[1, 1] = 5.0
    assert z[1].item().imag == 5.0
    z[0] = 1 - 1j
    assert r[0].tolist() == [1.0, -1.0]
    back = ember.view_as_complex(r)
    back[2] = 3j
    assert z[2].item() == 3j
    # a non-contiguous complex tensor has a real view too
    zz, tzz = _both(_c((4, 3))[:, ::2])
    _same(ember.view_as_real(zz), torch.view_as_real(tzz))


@pytest.mark.parametrize("make", [
    lambda lib: lib.zeros(3, 3),                                  # last dim not 2
    lambda lib: lib.zeros(2, 3).t(),                              # last dim stride != 1
    lambda lib: lib.zeros(3, 4)[:, 1:3],                          # odd storage offset
    lambda lib: lib.zeros(3, 2, dtype=lib.int64),                 # not floating
])
def test_view_as_complex_refuses_like_torch(make):
    with pytest.raises(RuntimeError):
        torch.view_as_complex(make(torch))
    with pytest.raises(RuntimeError):
        ember.view_as_complex(make(ember))


def test_view_as_real_refuses_real_and_conjugated():
    with pytest.raises(RuntimeError):
        ember.view_as_real(ember.zeros(3))
    z = ember.tensor([1 + 1j])
    with pytest.raises(RuntimeError):
        ember.view_as_real(z.conj())
    assert ember.view_as_real(z.conj().resolve_conj()).tolist() == [[1.0, -1.0]]


def test_conj_bit_api():
    z, tz = _both(_c((3,)))
    for e, t in ((z.conj(), tz.conj()), (z.conj_physical(), tz.conj_physical()),
                 (z.conj().resolve_conj(), tz.conj().resolve_conj())):
        _same(e, t)
        assert e.is_conj() == t.is_conj()
    assert not z.is_conj() and not z.is_neg() and z.resolve_neg() is z
    x = ember.tensor([1.0])
    assert x.conj() is x and ember.conj_physical(x) is x and x.resolve_conj() is x


# -- angle, abs, polar, complex, casts ---------------------------------------------------------

@pytest.mark.parametrize("values", [
    [1 + 1j, -1 + 0j, 0j, -2 - 3j], [-2.0, -0.0, 0.0, 1.5, float("nan")], [3, -1, 0],
    [True, False],
])
def test_angle_and_abs_match_torch(values):
    e, t = ember.tensor(values), torch.tensor(values)
    _same(ember.angle(e), torch.angle(t), 1e-6)
    if e.dtype is not ember.bool:
        _same(ember.abs(e), torch.abs(t), 1e-6)


def test_polar_and_complex_match_torch():
    a, ta = _both(np.abs(_r((3, 1), 1)))
    b, tb = _both(_r((4,), 2))
    _same(ember.polar(a, b), torch.polar(ta, tb))
    _same(ember.complex(a, b), torch.complex(ta, tb))
    with pytest.raises(RuntimeError):
        ember.complex(a, b.float())
    with pytest.raises(RuntimeError):
        ember.polar(ember.ones(2, dtype=ember.int64), ember.ones(2, dtype=ember.int64))


def test_casts_to_and_from_complex():
    z, tz = _both(_c((3,), dtype=np.complex64))
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        _same(z.to(ember.float32), tz.to(torch.float32))
        _same(z.double(), tz.double())
    x, tx = _both(_r((3,)))
    _same(x.to(ember.complex64), tx.to(torch.complex64))
    _same(x.to(ember.cdouble), tx.to(torch.cdouble))


@pytest.mark.parametrize("call", [
    lambda lib, z: z < z, lambda lib, z: lib.maximum(z, z), lambda lib, z: lib.clamp(z, 0),
    lambda lib, z: z.max(), lambda lib, z: lib.sign(z), lambda lib, z: lib.floor(z),
    lambda lib, z: lib.atan2(z, z), lambda lib, z: z // 2, lambda lib, z: lib.erf(z),
])
def test_ordering_and_real_only_ops_refuse_complex(call):
    z, tz = _both(_c((3,)))
    with pytest.raises(Exception) as t_info:
        call(torch, tz)
    with pytest.raises((RuntimeError, NotImplementedError)) as e_info:
        call(ember, z)
    assert isinstance(e_info.value, type(t_info.value)) or \
        type(t_info.value) in (RuntimeError, NotImplementedError)


# -- autograd ------------------------------------------------------------------------------

def test_grad_of_squared_magnitude_is_two_z():
    z = ember.tensor(_c((4,)), requires_grad=True)
    (z * z.conj()).real.sum().backward()
    np.testing.assert_allclose(z.grad._data, 2 * z._data)
    z.grad = None
    z.abs().pow(2).sum().backward()
    np.testing.assert_allclose(z.grad._data, 2 * z._data)


# Each: fn(lib, z, w) with complex z, w -> a real scalar loss.
_LOSSES = {
    "mul": lambda lib, z, w: (z * w).abs().sum(),
    "div": lambda lib, z, w: (z / w).real.sum() + (w / z).imag.sum(),
    "div_scalar": lambda lib, z, w: ((2 - 1j) / z + z / (1 + 3j)).abs().sum(),
    "exp_log": lambda lib, z, w: (lib.exp(z) + lib.log(w)).abs().sum(),
    "sqrt_recip": lambda lib, z, w: (lib.sqrt(z) * lib.reciprocal(w)).imag.sum(),
    "trig": lambda lib, z, w: (lib.sin(z) * lib.cos(w) + lib.tanh(z * 0.3)).real.sum(),
    "sigmoid": lambda lib, z, w: lib.sigmoid(z * 0.5).abs().sum(),
    "pow": lambda lib, z, w: (z ** 3 + z ** 0.5 + lib.pow(w, z * 0.2)).abs().sum(),
    "pow_complex_scalar": lambda lib, z, w: (z ** (0.5 + 1j) + (1 + 1j) ** w).real.sum(),
    "abs_sgn_angle": lambda lib, z, w: (z.abs() * lib.angle(w)).sum() + lib.sgn(z).imag.sum(),
    "sum_mean_prod": lambda lib, z, w: (z.sum(0) * w.mean() * z.prod(1).sum()).abs().sum(),
    "conj_real_imag": lambda lib, z, w: (z.conj() * w).real.sum() + (z.imag * w.real).sum(),
    "view_as_real": lambda lib, z, w: (lib.view_as_real(z * w) ** 2).sum(),
    "neg_sub_add": lambda lib, z, w: (-z - w + (z + 2j)).abs().sum(),
}


@pytest.mark.parametrize("name", sorted(_LOSSES))
def test_complex_grads_match_torch(name):
    fn = _LOSSES[name]
    z, tz = _both(_c((2, 3), 1) + 1.5, requires_grad=True)   # away from 0 and branch cuts
    w, tw = _both(_c((2, 3), 2) + 1.5, requires_grad=True)
    loss, t_loss = fn(ember, z, w), fn(torch, tz, tw)
    _same(loss, t_loss)
    e_grads = ember.autograd.grad(loss, (z, w), allow_unused=True)
    t_grads = torch.autograd.grad(t_loss, (tz, tw), allow_unused=True)
    for eg, tg in zip(e_grads, t_grads):
        if tg is None:
            assert eg is None or not np.any(eg._data)
        else:
            _same(eg, tg, 1e-9)


def test_grads_flow_from_real_leaves_through_complex_values():
    def fn(lib, a, b, c):
        z = lib.complex(a, b)                          # real -> complex
        u = lib.polar(c.abs() + 0.5, b)                # real -> complex
        v = lib.view_as_complex(lib.stack((a, c), -1))  # real pairs -> complex
        mixed = z * u + v * 2.0 + a.to(lib.complex128) * 1j
        return (mixed.abs() + lib.angle(mixed) + mixed.real * mixed.imag).sum()
    leaves = [_both(_r((3, 4), s), requires_grad=True) for s in (1, 2, 3)]
    e_leaves, t_leaves = [e for e, _ in leaves], [t for _, t in leaves]
    loss, t_loss = fn(ember, *e_leaves), fn(torch, *t_leaves)
    _same(loss, t_loss)
    for eg, tg in zip(ember.autograd.grad(loss, e_leaves), torch.autograd.grad(t_loss, t_leaves)):
        _same(eg, tg, 1e-9)
        assert eg.dtype is ember.float64


def test_double_backward_through_complex_ops():
    def fn(lib, x):
        z = lib.complex(x, x * x)
        return (lib.exp(z * 0.5) * z.conj()).abs().sum()
    e, t = _both(_r((4,), 5), requires_grad=True)
    (eg,) = ember.autograd.grad(fn(ember, e), (e,), create_graph=True)
    (tg,) = torch.autograd.grad(fn(torch, t), (t,), create_graph=True)
    _same(eg, tg, 1e-9)
    _same(ember.autograd.grad(eg.sum(), (e,))[0], torch.autograd.grad(tg.sum(), (t,))[0], 1e-8)


def test_matmul_complex_grads_match_torch():
    a, ta = _both(_c((3, 4), 1), requires_grad=True)
    b, tb = _both(_c((4, 2), 2), requires_grad=True)
    loss, t_loss = (a @ b).abs().sum(), (ta @ tb).abs().sum()
    for eg, tg in zip(ember.autograd.grad(loss, (a, b)), torch.autograd.grad(t_loss, (ta, tb))):
        _same(eg, tg, 1e-9)


# -- rotary embeddings, written as Llama writes them ----------------------------------------------

def _rope(lib, xq, freqs_cis):
    xq_ = lib.view_as_complex(xq.float().reshape(*xq.shape[:-1], -1, 2))
    freqs = freqs_cis.view(1, xq_.shape[1], 1, xq_.shape[-1])
    out = lib.view_as_real(xq_ * freqs).flatten(3)
    return out.type_as(xq)


def _freqs(lib, dim, end, theta=10000.0):
    freqs = 1.0 / (theta ** (lib.arange(0, dim, 2)[: (dim // 2)].float() / dim))
    t = lib.arange(end, dtype=lib.float32)
    freqs = lib.outer(t, freqs)
    return lib.polar(lib.ones_like(freqs), freqs)


def test_rotary_embedding_matches_torch():
    bsz, seq, heads, head_dim = 2, 5, 3, 8
    x, tx = _both(_r((bsz, seq, heads, head_dim), 7, np.float32), requires_grad=True)
    e_freqs, t_freqs = _freqs(ember, head_dim, seq), _freqs(torch, head_dim, seq)
    _same(e_freqs, t_freqs, 1e-5)
    out, t_out = _rope(ember, x, e_freqs), _rope(torch, tx, t_freqs)
    _same(out, t_out, 1e-5)
    g = _r(tuple(t_out.shape), 8, np.float32)
    (eg,) = ember.autograd.grad(out, (x,), ember.tensor(g))
    (tg,) = torch.autograd.grad(t_out, (tx,), torch.tensor(g))
    _same(eg, tg, 1e-5)


# -- ember.fft extras (the transforms are in tests/opdb/fft.py) ------------------------------

@pytest.mark.parametrize("n,d", [(1, 1.0), (4, 1.0), (5, 0.1), (8, 2.5)])
def test_fft_frequencies_match_torch(n, d):
    _same(ember.fft.fftfreq(n, d), torch.fft.fftfreq(n, d), 1e-7)
    _same(ember.fft.rfftfreq(n, d), torch.fft.rfftfreq(n, d), 1e-7)
    _same(ember.fft.fftfreq(n, d, dtype=ember.float64),
          torch.fft.fftfreq(n, d, dtype=torch.float64))


def test_fft_round_trips_and_dtypes():
    x, tx = _both(_r((4, 6), 3, np.float32))
    assert ember.fft.fft(x).dtype is ember.complex64
    assert ember.fft.rfft(x.double()).dtype is ember.complex128
    assert ember.fft.fft(ember.arange(4)).dtype is ember.complex64
    np.testing.assert_allclose(ember.fft.irfft(ember.fft.rfft(x), n=6)._data, x._data,
                               atol=1e-5)
    np.testing.assert_allclose(ember.fft.ifftn(ember.fft.fftn(x)).real._data, x._data,
                               atol=1e-5)
    _same(ember.fft.fftshift(ember.fft.fftfreq(6)), torch.fft.fftshift(torch.fft.fftfreq(6)))


# -- in-place writes through real/imag/view_as_real/view_as_complex views, with autograd ------

def _inplace_through_views(lib, z):
    y = z * 1
    y.real.mul_(2)
    lib.view_as_real(y)[0, 1] = 5.0
    y.imag[2:].exp_()
    return (y * y).abs().sum()


def _views_of_modified_base(lib, z):
    y = z * 1
    r, im = lib.view_as_real(y), y.imag
    y.mul_(2 + 1j)                                   # r and im now see the new values
    return (r * r).sum() + (im ** 3).sum()


def _complex_view_of_real(lib, x):
    w = x * 1
    c = lib.view_as_complex(w)
    c.mul_(1j)
    w.mul_(3)
    return (c * c).abs().sum() + (w ** 2).sum()


@pytest.mark.parametrize("fn,complex_leaf", [
    (_inplace_through_views, True), (_views_of_modified_base, True),
    (_complex_view_of_real, False),
])
def test_inplace_through_dtype_changing_views_matches_torch(fn, complex_leaf):
    arr = _c((3,), 4) if complex_leaf else _r((3, 2), 4)
    e, t = _both(arr, requires_grad=True)
    loss, t_loss = fn(ember, e), fn(torch, t)
    _same(loss, t_loss)
    loss.backward()
    t_loss.backward()
    _same(e.grad, t.grad, 1e-9)


_COMPLEX_CASES = {
    "sort": lambda L: L.sort(L.tensor([1 + 2j, 3 - 1j])),
    "argsort": lambda L: L.argsort(L.tensor([1 + 2j, 3 - 1j])),
    "msort": lambda L: L.msort(L.tensor([1 + 2j, 3 - 1j])),
    "topk": lambda L: L.topk(L.tensor([1 + 2j, 3 - 1j]), 1),
    "kthvalue": lambda L: L.kthvalue(L.tensor([1 + 2j, 3 - 1j]), 1),
    "unique": lambda L: L.unique(L.tensor([1 + 2j, 3 - 1j])),
    "nansum": lambda L: L.nansum(L.tensor([1 + 2j, 3 - 1j])),
    "full": lambda L: L.full((2,), 1j),
    "full_real_dtype": lambda L: L.full((2,), 1j, dtype=L.float32),
    "fill_complex": lambda L: L.zeros(2, dtype=L.complex64).fill_(1j),
    "fill_real": lambda L: L.zeros(2).fill_(1j),
}


@pytest.mark.parametrize("name", sorted(_COMPLEX_CASES))
def test_complex_inputs_accepted_or_refused_like_torch(name):
    results = []
    for lib in (ember, torch):
        try:
            results.append(_COMPLEX_CASES[name](lib))
        except Exception as exc:  # noqa: BLE001  (compared below)
            results.append(exc)
    e, t = results
    if isinstance(t, Exception):
        assert type(e) is type(t), (e, t)
    else:
        assert not isinstance(e, Exception), e
        np.testing.assert_array_equal(e.numpy(), t.numpy())
        assert str(e.dtype) == str(t.dtype)


def test_complex_randn_has_unit_variance_split_between_parts():
    ember.manual_seed(0)
    z = ember.randn(200000, dtype=ember.complex128)
    assert z.dtype == ember.complex128
    assert abs(float(z.abs().pow(2).mean()) - 1.0) < 0.02
    assert abs(float(z.real.var()) - 0.5) < 0.02 and abs(float(z.imag.var()) - 0.5) < 0.02
    assert ember.randn_like(ember.zeros(3, dtype=ember.complex64)).dtype == ember.complex64


def test_conjugate_transposes_conjugate_complex_tensors():
    values = [[1 + 2j, 3j], [1, 2 - 1j]]
    for name in ("mH", "H"):
        e = getattr(ember.tensor(values), name)
        t = getattr(torch.tensor(values), name)
        np.testing.assert_array_equal(e.numpy(), t.resolve_conj().numpy())
        assert e.is_conj() == t.is_conj()
    np.testing.assert_array_equal(ember.tensor(values).adjoint().numpy(),
                                  torch.tensor(values).adjoint().resolve_conj().numpy())

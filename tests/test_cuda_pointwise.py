"""Pointwise ops on the cuda device: values against torch on the cpu, in-place forms and
out=, and device mixing (a cuda tensor with a cpu tensor is refused, with torch's
RuntimeError naming both devices, unless the cpu tensor is 0-dim: torch lets that one
join an op on any device).

Runs when ember has a cuda device: a GPU with CuPy, or the CuPy emulator
(``EMBER_EMULATE_CUDA=1``, see tests/conftest.py).
"""
import numpy as np
import pytest
import torch

import ember

pytestmark = pytest.mark.skipif(not ember.cuda.is_available(),
                                reason="no cuda device (CuPy and a GPU) for ember")


def _data(shape, dtype, seed=0, low=-3.0, high=3.0):
    rng = np.random.default_rng(seed)
    if dtype in ("int64", "int32", "uint8"):
        lo = 0 if dtype == "uint8" else -5
        return rng.integers(lo, 6, size=shape).astype(dtype)
    if dtype == "bool":
        return rng.integers(0, 2, size=shape).astype(bool)
    return rng.uniform(low, high, size=shape).astype(dtype)


def pair(shape, dtype="float32", seed=0, **kw):
    """(ember tensor on cuda, torch tensor on the cpu) with the same values."""
    arr = _data(shape, dtype, seed, **kw)
    return ember.tensor(arr).cuda(), torch.tensor(arr)


def check(e, t, rtol=1e-6, atol=1e-6):
    assert e.device.type == "cuda"
    assert str(e.dtype) == str(t.dtype)
    assert tuple(e.shape) == tuple(t.shape)
    np.testing.assert_allclose(e.cpu().numpy(), t.numpy(), rtol=rtol, atol=atol)


# -- values ------------------------------------------------------------------------

BINARY = [
    ("add", lambda m, a, b: m.add(a, b, alpha=2)),
    ("sub", lambda m, a, b: a - b),
    ("mul", lambda m, a, b: a * b),
    ("div", lambda m, a, b: m.div(a, b)),
    ("div_floor", lambda m, a, b: m.div(a, b, rounding_mode="floor")),
    ("remainder", lambda m, a, b: m.remainder(a, b)),
    ("pow", lambda m, a, b: m.pow(m.abs(a), b)),
    ("maximum", lambda m, a, b: m.maximum(a, b)),
    ("atan2", lambda m, a, b: m.atan2(a, b)),
    ("eq", lambda m, a, b: a == b),
    ("lt", lambda m, a, b: m.lt(a, b)),
    ("isclose", lambda m, a, b: m.isclose(a, b, rtol=0.5)),
]


@pytest.mark.parametrize("dtype", ["float32", "float16", "int64"])
@pytest.mark.parametrize("name,fn", BINARY, ids=[n for n, _ in BINARY])
def test_binary_ops_broadcast(name, fn, dtype):
    ea, ta = pair((3, 4), dtype, 1)
    eb, tb = pair((4,), dtype, 2, low=0.5, high=2.0)
    if dtype == "int64" and name in ("div_floor", "remainder"):
        eb, tb = ember.tensor([1, 2, -3, 4]).cuda(), torch.tensor([1, 2, -3, 4])
    if dtype == "int64" and name == "pow":
        eb, tb = ember.tensor([0, 1, 2, 3]).cuda(), torch.tensor([0, 1, 2, 3])
    check(fn(ember, ea, eb), fn(torch, ta, tb), rtol=1e-3 if dtype == "float16" else 1e-6)


@pytest.mark.parametrize("dtype", ["float32", "float16", "int64"])
def test_ops_with_numbers(dtype):
    ea, ta = pair((2, 3), dtype)
    tol = 1e-3 if dtype == "float16" else 1e-6
    for fn in (lambda m, x: x + 2, lambda m, x: 3 - x, lambda m, x: x * 2.5,
               lambda m, x: m.rsub(x, 2, alpha=3), lambda m, x: m.sub(x, 1, alpha=2),
               lambda m, x: m.remainder(7, m.abs(x) + 1),
               lambda m, x: m.pow(x, 2), lambda m, x: 2 ** m.abs(x),
               lambda m, x: m.clamp(x, -1, 2), lambda m, x: m.clamp(x, min=0.5),
               lambda m, x: m.where(x > 0, x, 0), lambda m, x: m.floor_divide(x, 2),
               lambda m, x: m.fmod(x, 2), lambda m, x: x / 4, lambda m, x: x >= 1):
        check(fn(ember, ea), fn(torch, ta), rtol=tol, atol=tol)


UNARY = [
    ("erf", lambda m, x: m.erf(x)),
    ("erfinv", lambda m, x: m.erfinv(x / 4)),
    ("lgamma", lambda m, x: m.lgamma(x)),
    ("digamma", lambda m, x: m.digamma(x)),
    ("logit", lambda m, x: m.logit(m.sigmoid(x), eps=0.1)),
    ("sigmoid", lambda m, x: m.sigmoid(x)),
    ("sign", lambda m, x: m.sign(x)),
    ("round", lambda m, x: m.round(x, decimals=1)),
    ("nan_to_num", lambda m, x: m.nan_to_num(m.log(x), neginf=-7.0)),
    ("isnan", lambda m, x: m.isnan(m.log(x))),
    ("i0", lambda m, x: m.i0(x)),
    ("relu", lambda m, x: m.nn.functional.relu(x)),
    ("hardtanh", lambda m, x: m.nn.functional.hardtanh(x, -0.5, 0.5)),
    ("leaky_relu", lambda m, x: m.nn.functional.leaky_relu(x, 0.2)),
    ("elu", lambda m, x: m.nn.functional.elu(x)),
    ("gelu", lambda m, x: m.nn.functional.gelu(x)),
    ("silu", lambda m, x: m.nn.functional.silu(x)),
    ("softplus", lambda m, x: m.nn.functional.softplus(x)),
    ("threshold", lambda m, x: m.nn.functional.threshold(x, 0.1, -2.0)),
    ("angle", lambda m, x: m.angle(x)),
]


@pytest.mark.parametrize("name,fn", UNARY, ids=[n for n, _ in UNARY])
def test_unary_ops(name, fn):
    ea, ta = pair((2, 5), "float32", 3)
    check(fn(ember, ea), fn(torch, ta), rtol=1e-5, atol=1e-5)
    # a 0-dim input
    e0, t0 = pair((), "float32", 4)
    check(fn(ember, e0), fn(torch, t0), rtol=1e-5, atol=1e-5)


def test_ternary_ops():
    ea, ta = pair((3, 4), "float32", 1)
    eb, tb = pair((3, 4), "float32", 2)
    ec, tc = pair((4,), "float32", 3, low=0.5, high=2.0)
    for fn in (lambda m: m.where(ea_or(m, ea, ta) > 0, ea_or(m, eb, tb), ea_or(m, ec, tc)),
               lambda m: m.clamp(ea_or(m, ea, ta), ea_or(m, eb, tb), ea_or(m, ec, tc)),
               lambda m: m.lerp(ea_or(m, ea, ta), ea_or(m, eb, tb), 0.3),
               lambda m: m.lerp(ea_or(m, ea, ta), ea_or(m, eb, tb), ea_or(m, ec, tc)),
               lambda m: m.addcmul(ea_or(m, ea, ta), ea_or(m, eb, tb), ea_or(m, ec, tc),
                                   value=0.5),
               lambda m: m.addcdiv(ea_or(m, ea, ta), ea_or(m, eb, tb), ea_or(m, ec, tc))):
        check(fn(ember), fn(torch), rtol=1e-5, atol=1e-6)


def ea_or(m, e, t):
    return e if m is ember else t


def test_integer_bit_ops():
    ea, ta = pair((6,), "int64", 1)
    eb, tb = pair((6,), "int64", 2)
    for fn in (lambda m, a, b: m.gcd(a, b), lambda m, a, b: m.lcm(a, b),
               lambda m, a, b: m.gcd(a, m.tensor(4) if m is torch else m.tensor(4).cuda()),
               lambda m, a, b: m.bitwise_and(a, b), lambda m, a, b: a << 1):
        check(fn(ember, ea, eb), fn(torch, ta, tb))


def test_complex_parts_and_views():
    er, tr = pair((2, 3), "float32", 1)
    ei, ti = pair((2, 3), "float32", 2)
    ez, tz = ember.complex(er, ei), torch.complex(tr, ti)
    check(ez, tz)
    check(ember.view_as_real(ez), torch.view_as_real(tz))
    check(ember.abs(ez), torch.abs(tz), rtol=1e-5)
    check(ember.view_as_complex(ember.view_as_real(ez)), tz)


# -- gradients ----------------------------------------------------------------------

def test_gradients_stay_on_cuda():
    ea, ta = pair((3, 4), "float64", 1)
    eb, tb = pair((4,), "float64", 2, low=0.5, high=2.0)
    ea.requires_grad_(), eb.requires_grad_()
    ta.requires_grad_(), tb.requires_grad_()
    for m, a, b in ((ember, ea, eb), (torch, ta, tb)):
        y = (m.clamp(a * b, -1, 1) + m.pow(a, 2) / b - m.where(a > 0, m.erf(a), b)).sum()
        y.backward()
    assert ea.grad.device.type == "cuda" and eb.grad.device.type == "cuda"
    check(ea.grad, ta.grad, rtol=1e-9, atol=1e-12)
    check(eb.grad, tb.grad, rtol=1e-9, atol=1e-12)


# -- in-place forms and out= ----------------------------------------------------------

INPLACE = [
    ("add_", lambda x, y: x.add_(y, alpha=2)),
    ("mul_", lambda x, y: x.mul_(y)),
    ("sub_", lambda x, y: x.sub_(2.5)),
    ("div_", lambda x, y: x.div_(y)),
    ("pow_", lambda x, y: x.abs_().pow_(2)),
    ("clamp_", lambda x, y: x.clamp_(-0.5, 0.5)),
    ("clamp_tensor_", lambda x, y: x.clamp_(min=y)),
    ("erf_", lambda x, y: x.erf_()),
    ("lerp_", lambda x, y: x.lerp_(y, 0.25)),
    ("addcmul_", lambda x, y: x.addcmul_(y, y, value=2)),
    ("iadd", lambda x, y: x.__iadd__(y)),
    ("imul", lambda x, y: x.__imul__(3)),
]


@pytest.mark.parametrize("name,fn", INPLACE, ids=[n for n, _ in INPLACE])
def test_inplace_on_cuda(name, fn):
    ea, ta = pair((3, 4), "float32", 1)
    eb, tb = pair((4,), "float32", 2, low=0.5, high=2.0)
    r = fn(ea, eb)
    fn(ta, tb)
    assert r is ea
    check(ea, ta)


def test_out_on_cuda():
    ea, ta = pair((3, 4), "float32", 1)
    eb, tb = pair((3, 4), "float32", 2)
    for e_fn, t_fn in (
            (lambda o: ember.add(ea, eb, out=o), lambda o: torch.add(ta, tb, out=o)),
            (lambda o: ember.clamp(ea, -1, 1, out=o), lambda o: torch.clamp(ta, -1, 1, out=o)),
            (lambda o: ember.erf(ea, out=o), lambda o: torch.erf(ta, out=o)),
            (lambda o: ember.pow(ea, 2, out=o), lambda o: torch.pow(ta, 2, out=o))):
        eo, to = ember.empty(3, 4).cuda(), torch.empty(3, 4)
        assert e_fn(eo) is eo
        t_fn(to)
        check(eo, to)


# -- device mixing --------------------------------------------------------------------

MIXED = [
    ("add", lambda m, a, b: m.add(a, b)),
    ("mul", lambda m, a, b: a * b),
    ("pow", lambda m, a, b: m.pow(a, b)),
    ("eq", lambda m, a, b: m.eq(a, b)),
    ("maximum", lambda m, a, b: m.maximum(a, b)),
    ("where", lambda m, a, b: m.where(a > 0, a, b)),
    ("clamp", lambda m, a, b: m.clamp(a, min=b)),
    ("lerp", lambda m, a, b: m.lerp(a, b, 0.5)),
    ("addcmul", lambda m, a, b: m.addcmul(a, a, b)),
    ("isclose", lambda m, a, b: m.isclose(a, b)),
    ("atan2", lambda m, a, b: m.atan2(a, b)),
]


@pytest.mark.parametrize("name,fn", MIXED, ids=[n for n, _ in MIXED])
def test_cuda_with_cpu_tensor_is_refused(name, fn):
    ea, _ = pair((3,), "float32", 1)
    eb = ember.tensor(_data((3,), "float32", 2))
    for a, b in ((ea, eb), (eb, ea)):
        with pytest.raises(RuntimeError) as info:
            fn(ember, a, b)
        assert "cuda:0" in str(info.value) and "cpu" in str(info.value)


@pytest.mark.parametrize("name,fn", MIXED, ids=[n for n, _ in MIXED])
def test_cuda_with_0dim_cpu_tensor(name, fn):
    ea, ta = pair((2, 3), "float32", 1)
    eb = ember.tensor(np.float32(0.75))
    tb = torch.tensor(np.float32(0.75))
    check(fn(ember, ea, eb), fn(torch, ta, tb))
    if name not in ("where", "clamp", "lerp", "addcmul", "isclose"):   # a 0-dim cpu first
        check(fn(ember, eb, ea), fn(torch, tb, ta))


def test_0dim_cpu_tensor_joins_inplace_and_grad():
    ea, ta = pair((2, 3), "float64", 1)
    s_e, s_t = ember.tensor(2.0, dtype=ember.float64), torch.tensor(2.0, dtype=torch.float64)
    ea.add_(s_e)
    ta.add_(s_t)
    check(ea, ta)
    ea.requires_grad_()
    ta.requires_grad_()
    (ea * s_e).sum().backward()
    (ta * s_t).sum().backward()
    check(ea.grad, ta.grad)
    with pytest.raises(RuntimeError):
        ea.detach().add_(ember.ones(3))          # a cpu tensor with dims: refused


def test_where_condition_only_gives_cuda_indices():
    ea, ta = pair((3, 4), "float32", 5)
    for e, t in zip(ember.where(ea > 0), torch.where(ta > 0)):
        check(e, t)


def test_out_on_another_device_is_refused():
    ea, _ = pair((3,), "float32", 1)
    for fn in (lambda o: ember.add(ea, ea, out=o), lambda o: ember.erf(ea, out=o),
               lambda o: ember.clamp(ea, 0, 1, out=o)):
        with pytest.raises(RuntimeError):
            fn(ember.empty(3))

"""Differential tests (against torch) for ember/ops/surface.py and ember/_legacy_types.py:
legacy tensor types, legacy Tensor methods (new, resize, set_, storage ...), global
switches, and the parts of isin/gradient/index_reduce/histogramdd/binomial/frombuffer/
stft the generic registry tests do not reach."""
import warnings

import numpy as np
import pytest
import torch

import ember


def _same(e, t, atol=1e-6):
    assert tuple(e.shape) == tuple(t.shape)
    assert str(e.dtype) == str(t.dtype)
    if str(e.dtype) == "torch.bfloat16":
        e, t = e.float(), t.float()
    np.testing.assert_allclose(e.detach().numpy(), t.detach().numpy(), atol=atol, rtol=1e-5)


LEGACY = ["FloatTensor", "DoubleTensor", "HalfTensor", "BFloat16Tensor", "ByteTensor",
          "CharTensor", "ShortTensor", "IntTensor", "LongTensor", "BoolTensor"]


# ----------------------------------------------------------------------------------
# legacy types
# ----------------------------------------------------------------------------------

@pytest.mark.parametrize("name", LEGACY)
def test_legacy_constructors_match_torch(name):
    E, T = getattr(ember, name), getattr(torch, name)
    _same(E([1, 0, 1]), T([1, 0, 1]))
    assert tuple(E(3, 4).shape) == tuple(T(3, 4).shape)
    assert E(3, 4).dtype == getattr(ember, str(T(3, 4).dtype).split(".")[1])
    assert tuple(E(ember.Size([2])).shape) == tuple(T(torch.Size([2])).shape)
    assert tuple(E().shape) == tuple(T().shape)
    assert E(2).type() == T(2).type() == f"torch.{name}"


@pytest.mark.parametrize("name", LEGACY)
def test_legacy_isinstance_matches_torch(name):
    E, T = getattr(ember, name), getattr(torch, name)
    for dt in ("float32", "float64", "int64", "uint8", "bool"):
        e = ember.zeros(2, dtype=getattr(ember, dt))
        t = torch.zeros(2, dtype=getattr(torch, dt))
        assert isinstance(e, E) == isinstance(t, T), (name, dt)
    assert not isinstance(ember.zeros(2, device="meta"), ember.FloatTensor)
    assert not isinstance([1.0], E)


def test_type_conversions_with_legacy_types():
    e, t = ember.tensor([1.5, 2.5]), torch.tensor([1.5, 2.5])
    _same(e.type(ember.DoubleTensor), t.type(torch.DoubleTensor))
    _same(e.type("torch.LongTensor"), t.type("torch.LongTensor"))
    _same(e.type(ember.IntTensor), t.type(torch.IntTensor))
    assert e.type() == t.type()
    # a tensor of the right type passes through; of the wrong type is refused
    x = ember.ones(2)
    assert ember.FloatTensor(x) is x
    with pytest.raises(TypeError):
        torch.FloatTensor(torch.ones(2, dtype=torch.int64))
    with pytest.raises(TypeError):
        ember.FloatTensor(ember.ones(2, dtype=ember.int64))


# ----------------------------------------------------------------------------------
# Tensor methods
# ----------------------------------------------------------------------------------

def test_new_like_torch():
    for dt in ("float32", "int64", "float64"):
        e, t = ember.ones(2, dtype=getattr(ember, dt)), torch.ones(2, dtype=getattr(torch, dt))
        assert e.new(2, 3).shape == t.new(2, 3).shape and str(e.new(2, 3).dtype) == \
            str(t.new(2, 3).dtype)
        _same(e.new([1, 2]), t.new([1, 2]))
        assert tuple(e.new().shape) == tuple(t.new().shape)
        assert tuple(e.new(ember.Size([4])).shape) == tuple(t.new(torch.Size([4])).shape)
    assert ember.ones(2, device="meta").new(3).device.type == "meta"


def test_resize_non_inplace_like_torch():
    e = ember.arange(6.0).requires_grad_()
    t = torch.arange(6.0).requires_grad_()
    with pytest.warns(UserWarning):
        re = e.resize(2, 3)
    with pytest.warns(UserWarning):
        rt = t.resize(2, 3)
    _same(re, rt)
    (re * ember.arange(6.0).reshape(2, 3)).sum().backward()
    (rt * torch.arange(6.0).reshape(2, 3)).sum().backward()
    _same(e.grad, t.grad)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        _same(e.detach().resize_as(ember.zeros(3, 2)), t.detach().resize_as(torch.zeros(3, 2)))
        with pytest.raises(RuntimeError):
            t.resize(4)
        with pytest.raises(RuntimeError):
            e.resize(4)


def test_set_shares_memory():
    for lib in (ember, torch):
        a = lib.zeros(3)
        b = lib.arange(4.0)
        a.set_(b)
        assert a.shape == b.shape and a.data_ptr() == b.data_ptr()
        b[0] = 7
        assert a[0].item() == 7
        assert a.is_set_to(b) and b.is_set_to(a)
        assert not a.is_set_to(b.clone())
        assert not b[1:].is_set_to(b)
        c = lib.zeros(1)
        c.set_(b.untyped_storage() if lib is torch else b.untyped_storage(), 1, (3,), (1,))
        assert c.tolist() == [1.0, 2.0, 3.0]
        c.set_()
        assert tuple(c.shape) == (0,)
        d = lib.zeros(1)
        d.set_(b[2:].untyped_storage())       # the whole storage, as a 1-d tensor
        assert d.tolist() == b.tolist()


def test_as_subclass_keeps_data_and_graph():
    class E(ember.Tensor):
        pass

    class T(torch.Tensor):
        pass
    e, t = ember.ones(2, requires_grad=True), torch.ones(2, requires_grad=True)
    se, st = e.as_subclass(E), t.as_subclass(T)
    assert type(se) is E and type(st) is T
    (se * 3).sum().backward()
    (st * 3).sum().backward()
    _same(e.grad, t.grad)
    assert se.data_ptr() == e.data_ptr()
    with pytest.raises(TypeError):
        t.as_subclass(int)
    with pytest.raises(TypeError):
        e.as_subclass(int)


def test_complex_casts():
    e, t = ember.tensor([1.0, 2.0]), torch.tensor([1.0, 2.0])
    _same(e.cfloat(), t.cfloat())
    _same(e.cdouble(), t.cdouble())
    assert str(e.cfloat().dtype) == str(t.cfloat().dtype)
    with pytest.raises(RuntimeError):
        e.chalf()


def test_dim_order():
    for shape, perm in (((2, 3, 4), None), ((2, 3, 4), (2, 0, 1)), ((3, 4), (1, 0))):
        e, t = ember.zeros(shape), torch.zeros(shape)
        if perm:
            e, t = e.permute(perm), t.permute(perm)
        assert e.dim_order() == t.dim_order()


def test_storage_identity_and_sizes():
    e = ember.arange(6.0)
    t = torch.arange(6.0)
    for x, lib in ((e, ember), (t, torch)):
        v = x[2:].view(2, 2)
        assert v.untyped_storage().data_ptr() == x.untyped_storage().data_ptr()
        assert x.clone().untyped_storage().data_ptr() != x.untyped_storage().data_ptr()
    assert e.untyped_storage().nbytes() == t.untyped_storage().nbytes()
    assert e.untyped_storage().size() == t.untyped_storage().size()
    assert len(e.untyped_storage()) == len(t.untyped_storage())
    assert e.untyped_storage().tolist() == t.untyped_storage().tolist()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        se, st = e[1:].storage(), t[1:].storage()
        assert se.size() == st.size() and len(se) == len(st)
        assert se.element_size() == st.element_size()
        assert se.tolist() == st.tolist()


# ----------------------------------------------------------------------------------
# ops: parts the registry does not cover
# ----------------------------------------------------------------------------------

def test_isin_mixed_dtypes_and_errors():
    _same(ember.isin(ember.tensor([1, 2, 3]), ember.tensor([2.0, 3.5])),
          torch.isin(torch.tensor([1, 2, 3]), torch.tensor([2.0, 3.5])))
    _same(ember.isin(ember.tensor([1.0, 2.5]), 2.5, invert=True),
          torch.isin(torch.tensor([1.0, 2.5]), 2.5, invert=True))
    _same(ember.isin(ember.tensor([1, 2]), ember.tensor([1]), assume_unique=True),
          torch.isin(torch.tensor([1, 2]), torch.tensor([1]), assume_unique=True))


def test_gradient_multi_dim_and_autograd():
    x = np.random.default_rng(0).standard_normal((4, 5))
    e, t = ember.tensor(x, requires_grad=True), torch.tensor(x, requires_grad=True)
    coords = [0.0, 0.5, 1.5, 3.0]
    coords2 = [0.0, 1.0, 2.5, 3.0, 5.0]
    ge = ember.gradient(e, spacing=[ember.tensor(coords), ember.tensor(coords2)], edge_order=2)
    gt = torch.gradient(t, spacing=[torch.tensor(coords), torch.tensor(coords2)], edge_order=2)
    for a, b in zip(ge, gt):
        _same(a, b, atol=1e-10)
    sum(g.sum() for g in ge).backward()
    sum(g.sum() for g in gt).backward()
    _same(e.grad, t.grad, atol=1e-10)
    ge = ember.gradient(e, spacing=3.0, dim=[1])
    gt = torch.gradient(t, spacing=3.0, dim=[1])
    assert len(ge) == len(gt) == 1
    _same(ge[0], gt[0], atol=1e-10)


def test_index_reduce_inplace_and_grads():
    rng = np.random.default_rng(1)
    x, s = rng.uniform(0.5, 2, (3, 4)), rng.uniform(0.5, 2, (3, 3))
    for reduce in ("prod", "mean", "amax", "amin"):
        for include_self in (True, False):
            xe, se = ember.tensor(x, requires_grad=True), ember.tensor(s, requires_grad=True)
            xt, st = torch.tensor(x, requires_grad=True), torch.tensor(s, requires_grad=True)
            ie, it = ember.tensor([0, 3, 0]), torch.tensor([0, 3, 0])
            re = (xe * 1).index_reduce_(1, ie, se, reduce, include_self=include_self)
            rt = (xt * 1).index_reduce_(1, it, st, reduce, include_self=include_self)
            _same(re, rt, atol=1e-10)
            w = rng.standard_normal((3, 4))
            (re * ember.tensor(w)).sum().backward()
            (rt * torch.tensor(w)).sum().backward()
            _same(xe.grad, xt.grad, atol=1e-10)
            _same(se.grad, st.grad, atol=1e-10)
    xi = ember.tensor([[5, 7], [1, 2]])
    ti = torch.tensor([[5, 7], [1, 2]])
    _same(xi.index_reduce(0, ember.tensor([0, 0]), ember.tensor([[2, 3], [4, 4]]), "mean"),
          ti.index_reduce(0, torch.tensor([0, 0]), torch.tensor([[2, 3], [4, 4]]), "mean"))


def test_histogramdd_return_type_and_edges():
    x = np.random.default_rng(2).standard_normal((20, 2)).astype(np.float32)
    he = ember.histogramdd(ember.tensor(x), bins=[3, 4])
    ht = torch.histogramdd(torch.tensor(x), bins=[3, 4])
    assert type(he).__name__ == type(ht).__name__ == "histogramdd"
    _same(he.hist, ht.hist)
    assert len(he.bin_edges) == len(ht.bin_edges)
    for a, b in zip(he.bin_edges, ht.bin_edges):
        _same(a, b)
    hist, edges = ember.histogramdd(ember.tensor(x), bins=2, density=True)
    ref = torch.histogramdd(torch.tensor(x), bins=2, density=True)
    _same(hist, ref.hist, atol=1e-5)


def test_binomial_distribution_and_reproducibility():
    count = ember.full((4000,), 10.0)
    prob = ember.full((4000,), 0.3)
    ember.manual_seed(0)
    a = ember.binomial(count, prob)
    ember.manual_seed(0)
    b = ember.binomial(count, prob)
    assert ember.equal(a, b)
    t = torch.binomial(torch.full((4000,), 10.0), torch.full((4000,), 0.3))
    assert a.dtype == ember.float32 and str(t.dtype) == "torch.float32"
    assert abs(a.mean().item() - t.mean().item()) < 0.2
    assert abs(a.var().item() - t.var().item()) < 0.3
    assert a.min().item() >= 0 and a.max().item() <= 10
    with pytest.raises(RuntimeError):
        torch.binomial(torch.ones(2), torch.ones(2, dtype=torch.float64))
    with pytest.raises(RuntimeError):
        ember.binomial(ember.ones(2), ember.ones(2, dtype=ember.float64))


def test_range_warns_and_matches():
    with pytest.warns(UserWarning):
        e = ember.range(0, 1, 0.25)
    with pytest.warns(UserWarning):
        t = torch.range(0, 1, 0.25)
    _same(e, t)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        _same(ember.range(-2, 3), torch.range(-2, 3))
        for lib in (ember, torch):
            with pytest.raises(TypeError):
                lib.range(3)
        _same(ember.range(1, 4, dtype=ember.int64), torch.range(1, 4, dtype=torch.int64))
        assert ember.range(2, 5, requires_grad=True).requires_grad


def test_frombuffer_shares_memory_and_warns():
    buf = bytearray(np.arange(8, dtype=np.int32).tobytes())
    e = ember.frombuffer(buf, dtype=ember.int32, offset=4, count=3)
    t = torch.frombuffer(buf, dtype=torch.int32, offset=4, count=3)
    _same(e, t)
    buf[4] = 99
    assert e[0].item() == t[0].item() == 99
    with pytest.warns(UserWarning):
        ember.frombuffer(b"\x00\x01", dtype=ember.uint8)
    with pytest.warns(UserWarning):
        torch.frombuffer(b"\x00\x01", dtype=torch.uint8)
    for lib in (ember, torch):
        with pytest.raises(ValueError):
            lib.frombuffer(bytearray(3), dtype=lib.int16)
        with pytest.raises(ValueError):
            lib.frombuffer(bytearray(4), dtype=lib.uint8, offset=4)


def test_detach_fill_is_inference():
    e, t = ember.ones(2, requires_grad=True), torch.ones(2, requires_grad=True)
    assert ember.detach(e).requires_grad == torch.detach(t).requires_grad
    fe, ft = ember.fill(e, 3.0), torch.fill(t, 3.0)
    _same(fe, ft)
    assert fe.requires_grad == ft.requires_grad
    ve, vt = ember.tensor(2.0, requires_grad=True), torch.tensor(2.0, requires_grad=True)
    ember.fill(ember.ones(3), ve).sum().backward()
    torch.fill(torch.ones(3), vt).sum().backward()
    _same(ve.grad, vt.grad)
    assert ember.is_inference(e) == torch.is_inference(t) == e.is_inference()


def test_stft_grads_and_return_complex_false():
    x = np.random.default_rng(3).standard_normal((2, 24))
    e, t = ember.tensor(x, requires_grad=True), torch.tensor(x, requires_grad=True)
    we, wt = ember.hann_window(8, dtype=ember.float64), torch.hann_window(8, dtype=torch.float64)
    se = ember.stft(e, 8, hop_length=2, window=we, return_complex=True)
    st = torch.stft(t, 8, hop_length=2, window=wt, return_complex=True)
    _same(se, st, atol=1e-10)
    se.abs().sum().backward()
    st.abs().sum().backward()
    _same(e.grad, t.grad, atol=1e-8)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        _same(ember.stft(e.detach(), 8, return_complex=False),
              torch.stft(t.detach(), 8, return_complex=False), atol=1e-10)
    ye = ember.istft(se.detach(), 8, hop_length=2, window=we)
    yt = torch.istft(st.detach(), 8, hop_length=2, window=wt)
    _same(ye, yt, atol=1e-10)
    _same(ye, ember.tensor(x), atol=1e-10)


def test_stft_istft_complex_input():
    rng = np.random.default_rng(4)
    x = rng.standard_normal(20) + 1j * rng.standard_normal(20)
    for kwargs in ({}, {"center": False, "hop_length": 3}, {"normalized": True}):
        se = ember.stft(ember.tensor(x), 8, return_complex=True, **kwargs)
        st = torch.stft(torch.tensor(x), 8, return_complex=True, **kwargs)
        _same(se, st, atol=1e-10)
        hop = kwargs.get("hop_length")
        ye = ember.istft(se, 8, hop_length=hop, center=kwargs.get("center", True),
                         normalized=kwargs.get("normalized", False), return_complex=True)
        yt = torch.istft(st, 8, hop_length=hop, center=kwargs.get("center", True),
                         normalized=kwargs.get("normalized", False), return_complex=True)
        _same(ye, yt, atol=1e-10)
    for lib in (ember, torch):
        with pytest.raises(RuntimeError):
            lib.stft(lib.ones(16), 8)                     # return_complex required
        with pytest.raises(RuntimeError):
            lib.stft(lib.ones(16, dtype=lib.complex64), 8, onesided=True, return_complex=True)
        with pytest.raises(RuntimeError):
            lib.istft(lib.ones(5, 3), 8)                  # real input


# ----------------------------------------------------------------------------------
# global switches
# ----------------------------------------------------------------------------------

def test_deterministic_switches_like_torch():
    for lib in (ember, torch):
        before = lib.are_deterministic_algorithms_enabled()
        try:
            lib.use_deterministic_algorithms(True, warn_only=True)
            assert lib.are_deterministic_algorithms_enabled()
            assert lib.is_deterministic_algorithms_warn_only_enabled()
            assert lib.get_deterministic_debug_mode() == 1
            lib.set_deterministic_debug_mode("error")
            assert lib.get_deterministic_debug_mode() == 2
            assert not lib.is_deterministic_algorithms_warn_only_enabled()
            lib.set_deterministic_debug_mode(0)
            assert not lib.are_deterministic_algorithms_enabled()
            with pytest.raises(RuntimeError):
                lib.set_deterministic_debug_mode("bogus")
            with pytest.raises(TypeError):
                lib.use_deterministic_algorithms("yes")
        finally:
            lib.use_deterministic_algorithms(before)


def test_warn_always_matmul_precision_default_device():
    for lib in (ember, torch):
        lib.set_warn_always(True)
        assert lib.is_warn_always_enabled()
        lib.set_warn_always(False)
        assert not lib.is_warn_always_enabled()
        assert lib.get_float32_matmul_precision() == "highest"
        lib.set_float32_matmul_precision("high")
        assert lib.get_float32_matmul_precision() == "high"
        lib.set_float32_matmul_precision("highest")
        with pytest.warns(UserWarning):
            lib.set_float32_matmul_precision("bogus")
        assert lib.get_float32_matmul_precision() == "highest"
        assert str(lib.get_default_device()) == "cpu"
        lib.set_default_device("meta")
        try:
            assert str(lib.get_default_device()) == "meta"
        finally:
            lib.set_default_device(None)
        assert str(lib.get_default_device()) == "cpu"

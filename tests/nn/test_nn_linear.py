"""Identity, Linear, Bilinear, LazyLinear, Flatten, Unflatten and F.linear / F.bilinear,
differential against torch."""
import math

import numpy as np
import pytest
import torch

import ember
from nn_harness import DEVICES, assert_same, check_module, to_ember


@pytest.mark.parametrize("shape", [(5, 4), (4,), (2, 3, 4), (2, 1, 3, 4), (0, 4)])
@pytest.mark.parametrize("bias", [True, False])
@pytest.mark.parametrize("device", DEVICES)
def test_linear_matches_torch(shape, bias, device):
    check_module(lambda nn: nn.Linear(4, 3, bias=bias), [shape], device=device)


@pytest.mark.parametrize("dtype", [torch.float64, torch.float16, torch.bfloat16])
def test_linear_dtypes(dtype):
    tol = 1e-2 if dtype in (torch.float16, torch.bfloat16) else 1e-7
    check_module(lambda nn: nn.Linear(6, 5), [(3, 6)], dtype=dtype, atol=tol, rtol=tol)


def test_linear_grad_fn_names_match_torch():
    for shape in [(4,), (2, 4), (2, 5, 4)]:
        for bias in (True, False):
            t = torch.nn.Linear(4, 3, bias=bias)
            e = ember.nn.Linear(4, 3, bias=bias)
            tx, ex = torch.randn(shape), ember.randn(shape)
            assert type(e(ex).grad_fn).__name__ == t(tx).grad_fn.name()


def test_functional_linear_noncontiguous_and_double_backward():
    g = torch.Generator().manual_seed(0)
    x = torch.randn(3, 5, 4, generator=g, dtype=torch.float64).transpose(0, 1)
    w = torch.randn(4, 6, generator=g, dtype=torch.float64).t()
    b = torch.randn(6, generator=g, dtype=torch.float64)
    ex, ew, eb = to_ember([x, w, b], requires_grad=True)
    assert_same(ember.nn.functional.linear(ex, ew, eb), torch.nn.functional.linear(x, w, b))
    assert ember.autograd.gradcheck(ember.nn.functional.linear, (ex, ew, eb))
    assert ember.autograd.gradgradcheck(ember.nn.functional.linear, (ex, ew, eb))
    assert ember.autograd.gradcheck(lambda a, c: ember.nn.functional.linear(a, c),
                                    (ex[0], ew))


def test_functional_linear_only_weight_requires_grad():
    w = ember.randn(3, 4, requires_grad=True)
    x = ember.randn(2, 4)
    ember.nn.functional.linear(x, w).sum().backward()
    np.testing.assert_allclose(w.grad.numpy(), np.tile(x.numpy().sum(0), (3, 1)), rtol=1e-5)


def test_functional_linear_errors():
    F = ember.nn.functional
    with pytest.raises(RuntimeError, match="in_features=128"):
        F.linear(ember.randn(32, 256), ember.randn(64, 128))
    with pytest.raises(RuntimeError):
        torch.nn.functional.linear(torch.randn(32, 256), torch.randn(64, 128))
    with pytest.raises(RuntimeError):
        F.linear(ember.randn(2, 3), ember.randn(4, 3, dtype=ember.float64))
    with pytest.raises(RuntimeError):
        F.linear(ember.randn(2, 3), ember.randn(4, 3), ember.randn(5))
    with pytest.raises(TypeError):
        F.linear("x", ember.randn(4, 3))
    with pytest.raises(TypeError):
        F.linear(ember.randn(2, 3), ember.randn(4, 3), "b")


def test_functional_linear_1d_weight_like_torch():
    for xs in [(2, 4), (4,)]:
        x, w = torch.randn(xs), torch.randn(4)
        assert_same(ember.nn.functional.linear(*to_ember([x, w])),
                    torch.nn.functional.linear(x, w))
    with pytest.raises(RuntimeError):
        ember.nn.functional.linear(ember.randn(2, 4), ember.randn(3, 2, 4))


def test_linear_default_init_distribution():
    torch.manual_seed(0)
    ember.manual_seed(0)
    t, e = torch.nn.Linear(400, 300), ember.nn.Linear(400, 300)
    bound = 1 / math.sqrt(400)   # kaiming_uniform_(a=sqrt(5)) gives the same bound
    for tp, ep in ((t.weight, e.weight), (t.bias, e.bias)):
        ev = ep.detach().numpy()
        tv = tp.detach().numpy()
        assert ev.min() >= -bound and ev.max() <= bound
        assert abs(ev.std() - tv.std()) < 0.1 * tv.std() + 1e-3
        assert abs(ev.mean()) < 0.1 * bound
    assert e.weight.dtype == ember.float32 and e.weight.requires_grad


def test_linear_factory_kwargs_and_repr():
    e = ember.nn.Linear(3, 2, bias=False, dtype=ember.float64, device="cpu")
    t = torch.nn.Linear(3, 2, bias=False, dtype=torch.float64, device="cpu")
    assert e.weight.dtype == ember.float64 and e.bias is None
    assert repr(e) == repr(t)
    assert list(e.state_dict()) == list(t.state_dict())
    m = ember.nn.Linear(3, 2, device="meta")
    assert m.weight.device.type == "meta"


def test_identity_and_flatten_unflatten():
    check_module(lambda nn: nn.Identity(3, unused=True), [(2, 3)])
    check_module(lambda nn: nn.Flatten(), [(2, 3, 4, 5)])
    check_module(lambda nn: nn.Flatten(0, 2), [(2, 3, 4, 5)])
    check_module(lambda nn: nn.Flatten(-3, -2), [(2, 3, 4, 5)])
    check_module(lambda nn: nn.Unflatten(1, (2, 6)), [(3, 12)])
    check_module(lambda nn: nn.Unflatten(-1, [3, -1]), [(2, 12)])
    for make in (lambda nn: nn.Flatten(0, 2), lambda nn: nn.Unflatten(1, [2, 6]),
                 lambda nn: nn.Identity()):
        assert repr(make(ember.nn)) == repr(make(torch.nn))
    for bad in ((1, 3), (1, (2, "a")), (1, (2.0, 3))):
        with pytest.raises(TypeError):
            torch.nn.Unflatten(*bad)
        with pytest.raises(TypeError):
            ember.nn.Unflatten(*bad)


@pytest.mark.parametrize("bias", [True, False])
def test_bilinear_matches_torch(bias):
    check_module(lambda nn: nn.Bilinear(3, 4, 5, bias=bias), [(6, 3), (6, 4)])
    check_module(lambda nn: nn.Bilinear(3, 4, 5, bias=bias), [(2, 6, 3), (2, 6, 4)])
    assert repr(ember.nn.Bilinear(3, 4, 5, bias=bias)) == repr(torch.nn.Bilinear(3, 4, 5,
                                                                                  bias=bias))


def test_bilinear_errors():
    F = ember.nn.functional
    with pytest.raises(RuntimeError):
        F.bilinear(ember.randn(2, 3), ember.randn(2, 4), ember.randn(5, 3, 5))
    with pytest.raises(RuntimeError):
        F.bilinear(ember.randn(2, 3), ember.randn(3, 4), ember.randn(5, 3, 4))


def test_lazy_linear_becomes_linear():
    m = ember.nn.LazyLinear(3)
    assert repr(m) == repr(torch.nn.LazyLinear(3))
    out = m(ember.randn(2, 5))
    assert out.shape == (2, 3)
    assert type(m) is ember.nn.Linear and m.in_features == 5
    assert type(m.weight) is ember.nn.Parameter and m.weight.shape == (3, 5)
    assert repr(m) == repr(torch.nn.Linear(5, 3))
    out.sum().backward()
    assert m.weight.grad.shape == (3, 5)


def test_linear_forward_kwarg_and_error_hint():
    m = ember.nn.Linear(4, 2)
    assert m(input=ember.ones(3, 4)).shape == (3, 2)
    with pytest.raises(RuntimeError) as info:
        m(ember.ones(3, 5))
    assert "in_features=4" in info.value.__notes__[0]

"""ember.nn.utils (gradient clipping, parameter/vector conversion) against torch."""
import math

import numpy as np
import pytest
import torch

import ember
from nn_harness import assert_same, copy_weights, to_ember


def _models_with_grads(dtype=torch.float32, scale=1.0):
    torch.manual_seed(0)
    t = torch.nn.Sequential(torch.nn.Linear(4, 5), torch.nn.Linear(5, 3)).to(dtype)
    e = ember.nn.Sequential(ember.nn.Linear(4, 5), ember.nn.Linear(5, 3)).to(
        getattr(ember, str(dtype).split(".")[-1]))
    copy_weights(e, t)
    x = torch.randn(6, 4, dtype=dtype) * scale
    (t(x) ** 2).sum().backward()
    (e(to_ember(x)) ** 2).sum().backward()
    return t, e


@pytest.mark.parametrize("norm_type", [2.0, 1, 3.0, math.inf, "inf", 0.5])
@pytest.mark.parametrize("max_norm", [0.1, 1e4])
def test_clip_grad_norm_matches_torch(norm_type, max_norm):
    t, e = _models_with_grads()
    tn = torch.nn.utils.clip_grad_norm_(t.parameters(), max_norm, norm_type)
    en = ember.nn.utils.clip_grad_norm_(e.parameters(), max_norm, norm_type)
    assert_same(en, tn, rtol=1e-5)
    for (name, tp), ep in zip(t.named_parameters(), e.parameters()):
        assert_same(ep.grad, tp.grad, rtol=1e-5, what=name)


@pytest.mark.parametrize("dtype", [torch.float64, torch.float16, torch.bfloat16])
def test_clip_grad_norm_dtypes(dtype):
    t, e = _models_with_grads(dtype)
    tn = torch.nn.utils.clip_grad_norm_(t.parameters(), 0.5)
    en = ember.nn.utils.clip_grad_norm_(e.parameters(), 0.5)
    tol = 1e-2 if dtype != torch.float64 else 1e-10
    assert_same(en, tn, atol=tol, rtol=tol)
    for tp, ep in zip(t.parameters(), e.parameters()):
        assert_same(ep.grad, tp.grad, atol=tol, rtol=tol)


def test_clip_grad_norm_single_tensor_no_grads_and_foreach():
    p = ember.nn.Parameter(ember.tensor([3.0, 4.0]))
    p.grad = ember.tensor([3.0, 4.0])
    total = ember.nn.utils.clip_grad_norm_(p, 1.0, foreach=True)
    assert total.item() == pytest.approx(5.0)
    np.testing.assert_allclose(p.grad.numpy(), [0.6, 0.8], rtol=1e-5)
    q = ember.nn.Parameter(ember.ones(2))
    tq = torch.nn.Parameter(torch.ones(2))
    assert_same(ember.nn.utils.clip_grad_norm_([q], 1.0), torch.nn.utils.clip_grad_norm_([tq], 1.0))
    assert q.grad is None
    gen = (x for x in [p])
    assert ember.nn.utils.clip_grad_norm_(gen, 10.0).item() == pytest.approx(1.0, rel=1e-5)


def test_clip_grad_norm_nonfinite():
    for lib in (torch, ember):
        p = lib.nn.Parameter(lib.ones(3))
        p.grad = lib.tensor([1.0, float("inf"), 0.0])
        with pytest.raises(RuntimeError):
            lib.nn.utils.clip_grad_norm_([p], 1.0, error_if_nonfinite=True)
        total = lib.nn.utils.clip_grad_norm_([p], 1.0)
        assert math.isinf(float(total))


def test_get_total_norm_and_clip_grads_with_norm():
    t, e = _models_with_grads()
    tg = [p.grad for p in t.parameters()]
    eg = [p.grad for p in e.parameters()]
    for norm_type in (2.0, 1.0, math.inf):
        assert_same(ember.nn.utils.get_total_norm(eg, norm_type),
                    torch.nn.utils.get_total_norm(tg, norm_type), rtol=1e-5)
    tn = torch.nn.utils.get_total_norm(tg)
    en = ember.nn.utils.get_total_norm(eg)
    torch.nn.utils.clip_grads_with_norm_(t.parameters(), 0.3, tn)
    ember.nn.utils.clip_grads_with_norm_(e.parameters(), 0.3, en)
    for tp, ep in zip(t.parameters(), e.parameters()):
        assert_same(ep.grad, tp.grad, rtol=1e-5)
    assert_same(ember.nn.utils.get_total_norm([]), torch.nn.utils.get_total_norm([]))


@pytest.mark.parametrize("clip_value", [0.05, 2])
def test_clip_grad_value_matches_torch(clip_value):
    t, e = _models_with_grads()
    assert torch.nn.utils.clip_grad_value_(t.parameters(), clip_value) is None
    assert ember.nn.utils.clip_grad_value_(e.parameters(), clip_value) is None
    for tp, ep in zip(t.parameters(), e.parameters()):
        assert_same(ep.grad, tp.grad)


def test_clipping_records_no_graph():
    _, e = _models_with_grads()
    ember.nn.utils.clip_grad_norm_(e.parameters(), 0.1)
    ember.nn.utils.clip_grad_value_(e.parameters(), 0.01)
    assert all(p.grad.grad_fn is None and not p.grad.requires_grad for p in e.parameters())


def test_parameters_to_vector_and_back():
    t, e = _models_with_grads()
    tv = torch.nn.utils.parameters_to_vector(t.parameters())
    ev = ember.nn.utils.parameters_to_vector(e.parameters())
    assert_same(ev, tv)
    assert ev.requires_grad   # differentiable, as in torch
    ev.sum().backward()
    new_t = torch.arange(float(tv.numel()))
    torch.nn.utils.vector_to_parameters(new_t, t.parameters())
    weight = e[0].weight
    ember.nn.utils.vector_to_parameters(to_ember(new_t), e.parameters())
    assert e[0].weight is weight   # the parameters keep their identity
    for tp, ep in zip(t.parameters(), e.parameters()):
        assert_same(ep.detach(), tp.detach())
    with pytest.raises(TypeError):
        torch.nn.utils.vector_to_parameters([1.0], t.parameters())
    with pytest.raises(TypeError):
        ember.nn.utils.vector_to_parameters([1.0], e.parameters())


def test_skip_init():
    m = ember.nn.utils.skip_init(ember.nn.Linear, 5, 3, bias=False)
    t = torch.nn.utils.skip_init(torch.nn.Linear, 5, 3, bias=False)
    assert type(m) is ember.nn.Linear and m.weight.device.type == "cpu"
    assert m.weight.shape == t.weight.shape and m.bias is None
    assert isinstance(m.weight, ember.nn.Parameter) and m.weight.requires_grad
    for lib in (torch, ember):
        with pytest.raises(RuntimeError):
            lib.nn.utils.skip_init(int)
        with pytest.raises(RuntimeError):
            lib.nn.utils.skip_init(lib.nn.Flatten)

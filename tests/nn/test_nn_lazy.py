"""Lazy layers against torch: placeholders, shape inference, class swap, reprs, state_dict."""
import math

import pytest
import torch

import ember
from nn_harness import assert_same, copy_weights, to_ember

CASES = [
    ("LazyConv1d", (4, 3), dict(stride=2, padding=1), (2, 3, 9)),
    ("LazyConv2d", (6, 3), dict(groups=2, bias=False), (2, 4, 5, 5)),
    ("LazyConv3d", (2, 2), dict(padding=1), (1, 3, 3, 4, 3)),
    ("LazyConvTranspose1d", (4, 3), dict(stride=2, output_padding=1), (2, 3, 5)),
    ("LazyConvTranspose2d", (4, 3), dict(groups=2, dilation=2), (2, 4, 4, 3)),
    ("LazyConvTranspose3d", (2, 2), dict(), (1, 3, 2, 3, 2)),
    ("LazyBatchNorm1d", (), dict(momentum=0.2), (4, 3)),
    ("LazyBatchNorm2d", (), dict(affine=False), (3, 2, 3, 3)),
    ("LazyBatchNorm3d", (), dict(track_running_stats=False), (2, 2, 2, 2, 2)),
    ("LazyInstanceNorm1d", (), dict(), (2, 3, 5)),
    ("LazyInstanceNorm2d", (), dict(affine=True, track_running_stats=False), (2, 3, 4, 4)),
    ("LazyInstanceNorm3d", (), dict(bias=False), (1, 2, 3, 3, 3)),
]


@pytest.mark.parametrize("name,args,kwargs,shape", CASES, ids=[c[0] for c in CASES])
def test_lazy_matches_torch(name, args, kwargs, shape):
    t_mod = getattr(torch.nn, name)(*args, **kwargs)
    e_mod = getattr(ember.nn, name)(*args, **kwargs)
    assert repr(e_mod) == repr(t_mod)
    assert list(e_mod.state_dict()) == list(t_mod.state_dict())
    assert e_mod.has_uninitialized_params() == t_mod.has_uninitialized_params()
    x = torch.randn(shape)
    t_out = t_mod(x)
    e_out = e_mod(to_ember(x))
    assert type(e_mod).__name__ == type(t_mod).__name__ == name[4:]
    assert repr(e_mod) == repr(t_mod)
    assert [(k, tuple(v.shape)) for k, v in e_mod.state_dict().items()] == \
        [(k, tuple(v.shape)) for k, v in t_mod.state_dict().items()]
    assert e_out.shape == t_out.shape
    # the same weights give the same outputs and gradients
    copy_weights(e_mod, t_mod)
    xt = x.clone().requires_grad_()
    xe = to_ember(xt)
    t_out, e_out = t_mod(xt), e_mod(xe)
    assert_same(e_out, t_out)
    g = torch.randn(t_out.shape)
    t_out.backward(g)
    e_out.backward(to_ember(g))
    assert_same(xe.grad, xt.grad, what="input grad")
    for (n, ep), (_, tp) in zip(e_mod.named_parameters(), t_mod.named_parameters()):
        assert_same(ep.grad, tp.grad, what=n)


def test_lazy_conv_initialisation_bounds():
    m = ember.nn.LazyConv2d(8, 3)
    assert isinstance(m.weight, ember.nn.UninitializedParameter)
    m(ember.randn(1, 5, 6, 6))
    assert type(m.weight) is ember.nn.Parameter and m.in_channels == 5
    bound = 1 / math.sqrt(5 * 9)
    assert float(m.weight.detach().abs().max()) <= bound + 1e-6
    assert float(m.bias.detach().abs().max()) <= bound + 1e-6
    assert float(m.weight.detach().std()) > bound / 4   # not left empty or zero


def test_lazy_batchnorm_initial_state():
    m = ember.nn.LazyBatchNorm2d()
    m.eval()
    m(ember.randn(2, 3, 2, 2))
    assert_same(m.running_mean, torch.zeros(3))
    assert_same(m.running_var, torch.ones(3))
    assert_same(m.weight.detach(), torch.ones(3))
    assert m.num_batches_tracked.dtype == ember.int64


def test_lazy_load_state_dict_materialises():
    t_mod = torch.nn.Conv1d(3, 4, 2)
    e_mod = ember.nn.LazyConv1d(4, 2)
    copy_weights(e_mod, t_mod)
    assert not e_mod.has_uninitialized_params()
    x = torch.randn(2, 3, 5)
    assert_same(e_mod(to_ember(x)), t_mod(x))
    assert type(e_mod) is ember.nn.Conv1d and e_mod.in_channels == 3


def test_lazy_dtype_and_errors():
    m = ember.nn.LazyConvTranspose2d(2, 3, dtype=ember.float64)
    m(ember.randn(1, 3, 4, 4, dtype=ember.float64))
    assert m.weight.dtype == ember.float64 and m.weight.shape == (3, 2, 3, 3)
    with pytest.raises(RuntimeError):
        ember.nn.LazyConv2d(4, 3)(ember.randn(5, 5))
    with pytest.raises(ValueError):
        ember.nn.LazyConv2d(4, 3, groups=2)(ember.randn(1, 3, 5, 5))


def test_lazy_module_to_dtype_like_torch():
    t_mod = torch.nn.LazyConv1d(2, 2).to(torch.float64)
    e_mod = ember.nn.LazyConv1d(2, 2).to(ember.float64)
    x = torch.randn(1, 3, 4, dtype=torch.float64)
    t_mod(x)
    e_mod(to_ember(x))
    assert str(e_mod.weight.dtype) == str(t_mod.weight.dtype)
    t_bn = torch.nn.LazyBatchNorm1d(dtype=torch.float64)
    e_bn = ember.nn.LazyBatchNorm1d(dtype=ember.float64)
    t_bn(torch.randn(4, 3, dtype=torch.float64))
    e_bn(ember.randn(4, 3, dtype=ember.float64))
    assert str(e_bn.running_var.dtype) == str(t_bn.running_var.dtype)

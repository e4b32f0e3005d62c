"""Pooling layers and functions against torch: values, indices, gradients (ties and NaN
included), reprs and errors."""
import numpy as np
import pytest
import torch
import torch.nn.functional as TF

import ember
import ember.nn.functional as EF
from nn_harness import DEVICES, assert_same, check_module, to_ember

POOL_CASES = [
    (lambda nn: nn.MaxPool1d(3, stride=2, padding=1, ceil_mode=True), (2, 3, 9)),
    (lambda nn: nn.MaxPool2d(2), (2, 3, 8, 6)),
    (lambda nn: nn.MaxPool2d((3, 2), stride=(2, 1), padding=1, dilation=(1, 2)), (1, 2, 7, 7)),
    (lambda nn: nn.MaxPool2d(3, return_indices=True, ceil_mode=True), (2, 6, 7)),
    (lambda nn: nn.MaxPool3d(2, stride=1, padding=1), (1, 2, 3, 4, 3)),
    (lambda nn: nn.AvgPool1d(3, stride=2, padding=1, count_include_pad=False), (2, 3, 8)),
    (lambda nn: nn.AvgPool2d(3, stride=2, padding=1, ceil_mode=True), (2, 3, 7, 6)),
    (lambda nn: nn.AvgPool2d(2, divisor_override=3), (1, 2, 4, 5)),
    (lambda nn: nn.AvgPool3d((1, 2, 2), count_include_pad=False, padding=(0, 1, 1)),
     (1, 2, 3, 4, 4)),
    (lambda nn: nn.AdaptiveAvgPool1d(4), (2, 3, 7)),
    (lambda nn: nn.AdaptiveAvgPool2d((3, None)), (2, 3, 7, 5)),
    (lambda nn: nn.AdaptiveAvgPool3d(2), (1, 2, 5, 3, 4)),
    (lambda nn: nn.AdaptiveMaxPool1d(3, return_indices=True), (2, 3, 8)),
    (lambda nn: nn.AdaptiveMaxPool2d((2, 3)), (2, 3, 7, 5)),
    (lambda nn: nn.AdaptiveMaxPool3d((2, 1, 3)), (1, 2, 5, 3, 4)),
    (lambda nn: nn.LPPool1d(2, 3, stride=2), (2, 3, 8)),
    (lambda nn: nn.LPPool2d(3, 2), (1, 2, 4, 6)),
]


@pytest.mark.parametrize("dtype", [torch.float32, torch.float64])
@pytest.mark.parametrize("make,shape", POOL_CASES)
@pytest.mark.parametrize("device", DEVICES)
def test_pool_layers_match_torch(make, shape, dtype, device):
    inputs = None
    if "LPPool" in repr(make(torch.nn)):
        inputs = [torch.rand(shape, dtype=dtype) + 0.1]    # powers of negatives are NaN
    e_mod, t_mod, _, _ = check_module(make, [shape], inputs=inputs, dtype=dtype, device=device)
    assert repr(e_mod) == repr(t_mod)


@pytest.mark.parametrize("make", [
    lambda nn: nn.MaxPool2d(2), lambda nn: nn.MaxPool1d(3, 1, 1, return_indices=True),
    lambda nn: nn.AvgPool1d(2), lambda nn: nn.AvgPool2d(2, divisor_override=2),
    lambda nn: nn.AvgPool3d(2), lambda nn: nn.AdaptiveAvgPool2d((3, None)),
    lambda nn: nn.AdaptiveMaxPool1d(2, True), lambda nn: nn.MaxUnpool2d(2),
    lambda nn: nn.MaxUnpool1d(2, stride=1), lambda nn: nn.MaxUnpool3d(2),
    lambda nn: nn.LPPool2d(2, 3), lambda nn: nn.LPPool1d(1.5, 2, stride=1, ceil_mode=True),
])
def test_pool_reprs(make):
    assert repr(make(ember.nn)) == repr(make(torch.nn))


def _both(x):
    t = torch.tensor(x, requires_grad=True)
    return t, to_ember(t)


def test_max_pool_ties_route_gradient_to_first_index():
    x = np.ones((1, 1, 4, 4))
    x[0, 0, 1, 1] = x[0, 0, 2, 2] = 2.0
    t, e = _both(x)
    for kw in (dict(kernel_size=2), dict(kernel_size=3, stride=1, padding=1)):
        tv, ti = TF.max_pool2d(t, return_indices=True, **kw)
        ev, ei = EF.max_pool2d(e, return_indices=True, **kw)
        assert_same(ei, ti)
        g = torch.randn(tv.shape, dtype=tv.dtype)
        (tg,) = torch.autograd.grad(tv, t, g)
        (eg,) = ember.autograd.grad(ev, e, to_ember(g))
        assert_same(eg, tg)


def test_max_pool_nan_and_inf():
    x = np.array([[[1.0, np.nan, 3.0, np.nan, -np.inf, -np.inf, 2.0, np.inf]]])
    t, e = _both(x)
    for kw in (dict(kernel_size=2), dict(kernel_size=3, stride=1, padding=1)):
        tv, ti = TF.max_pool1d(t, return_indices=True, **kw)
        ev, ei = EF.max_pool1d(e, return_indices=True, **kw)
        np.testing.assert_array_equal(ev.detach().numpy(), tv.detach().numpy())
        assert_same(ei, ti)


def test_max_unpool_roundtrip_and_output_size():
    x = torch.randn(2, 3, 6, 8)
    for kw, out in ((dict(kernel_size=2), None), (dict(kernel_size=3, stride=2, padding=1),
                                                 (6, 8))):
        tv, ti = TF.max_pool2d(x, return_indices=True, **kw)
        ev, ei = EF.max_pool2d(to_ember(x), return_indices=True, **kw)
        assert_same(ei, ti)
        tv.requires_grad_(True)
        ev = to_ember(tv)
        tu = TF.max_unpool2d(tv, ti, output_size=out, **kw)
        eu = EF.max_unpool2d(ev, ei, output_size=out, **kw)
        assert_same(eu, tu)
        g = torch.randn(tu.shape)
        (tg,) = torch.autograd.grad(tu, tv, g)
        (eg,) = ember.autograd.grad(eu, ev, to_ember(g))
        assert_same(eg, tg)
    xt = torch.randn(1, 2, 6)
    tv, ti = TF.max_pool1d(xt, 2, return_indices=True)
    ev, ei = EF.max_pool1d(to_ember(xt), 2, return_indices=True)
    assert_same(ember.nn.MaxUnpool1d(2)(ev, ei, output_size=[1, 2, 7]),
                torch.nn.MaxUnpool1d(2)(tv, ti, output_size=[1, 2, 7]))


def test_max_pool_double_backward():
    x = ember.tensor(np.random.default_rng(0).permutation(48).reshape(1, 3, 4, 4) / 7.0,
                     requires_grad=True)
    assert ember.autograd.gradgradcheck(
        lambda x: EF.max_pool2d(x, 3, stride=1, padding=1), (x,))
    assert ember.autograd.gradgradcheck(lambda x: EF.avg_pool2d(x, 2, ceil_mode=True,
                                                                padding=1), (x,))


@pytest.mark.parametrize("call", [
    lambda F, x: F.max_pool2d(x, 3, padding=2),            # pad > kernel / 2
    lambda F, x: F.max_pool2d(x, 5),                       # output too small
    lambda F, x: F.max_pool2d(x[0, 0], 2),                 # wrong rank
    lambda F, x: F.avg_pool2d(x, 0),
    lambda F, x: F.max_pool1d(x, 2),                       # wrong rank for 1-d
    lambda F, x: F.adaptive_avg_pool2d(x, (2, 2, 2)),
])
def test_pool_errors_match_torch(call):
    x = torch.randn(1, 2, 4, 4)
    with pytest.raises(Exception) as t_info:
        call(TF, x)
    with pytest.raises(Exception) as e_info:
        call(EF, to_ember(x))
    assert isinstance(e_info.value, type(t_info.value)) or isinstance(
        e_info.value, (RuntimeError, ValueError)), (e_info.value, t_info.value)


def test_empty_batch_and_low_precision():
    x = torch.randn(0, 2, 4, 4)
    assert_same(EF.max_pool2d(to_ember(x), 2), TF.max_pool2d(x, 2))
    assert_same(EF.avg_pool2d(to_ember(x), 2), TF.avg_pool2d(x, 2))
    xh = torch.randn(2, 3, 6, 6).to(torch.bfloat16)
    assert_same(EF.max_pool2d(to_ember(xh), 2), TF.max_pool2d(xh, 2), atol=1e-2)
    assert_same(EF.adaptive_avg_pool2d(to_ember(xh), 4), TF.adaptive_avg_pool2d(xh, 4),
                atol=5e-2, rtol=2e-2)

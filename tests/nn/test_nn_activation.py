"""Activation layers against torch: outputs, input gradients, PReLU's weight gradient,
inplace forms, reprs, and the softmax implicit-dim warning."""
import warnings

import numpy as np
import pytest
import torch

import ember
from nn_harness import DEVICES, check_module, to_ember

LAYERS = [
    lambda nn: nn.ReLU(), lambda nn: nn.ReLU6(), lambda nn: nn.LeakyReLU(0.2),
    lambda nn: nn.PReLU(), lambda nn: nn.PReLU(4, init=0.1), lambda nn: nn.ELU(0.7),
    lambda nn: nn.SELU(), lambda nn: nn.CELU(1.5), lambda nn: nn.GELU(),
    lambda nn: nn.GELU("tanh"), lambda nn: nn.SiLU(), lambda nn: nn.Mish(),
    lambda nn: nn.Sigmoid(), lambda nn: nn.Tanh(), lambda nn: nn.Hardtanh(-2.0, 0.5),
    lambda nn: nn.Hardsigmoid(), lambda nn: nn.Hardswish(), lambda nn: nn.Hardshrink(0.8),
    lambda nn: nn.Softshrink(0.3), lambda nn: nn.Tanhshrink(), lambda nn: nn.Softplus(2.0, 3.0),
    lambda nn: nn.Softsign(), lambda nn: nn.Threshold(0.1, -3.0), lambda nn: nn.LogSigmoid(),
    lambda nn: nn.Softmax(dim=1), lambda nn: nn.Softmin(dim=-1), lambda nn: nn.LogSoftmax(1),
    lambda nn: nn.Softmax2d(), lambda nn: nn.GLU(1), lambda nn: nn.RReLU(0.1, 0.3),
]


@pytest.mark.parametrize("k", range(len(LAYERS)))
@pytest.mark.parametrize("device", DEVICES)
def test_layer_matches_torch(k, device):
    e_mod, t_mod, _, _ = check_module(LAYERS[k], [(2, 4, 3, 2)], train=False, device=device)
    assert repr(e_mod) == repr(t_mod)


@pytest.mark.parametrize("make", [
    lambda nn: nn.ReLU(inplace=True), lambda nn: nn.ReLU6(True), lambda nn: nn.LeakyReLU(0.2, True),
    lambda nn: nn.ELU(1.0, True), lambda nn: nn.SELU(True), lambda nn: nn.CELU(2.0, True),
    lambda nn: nn.SiLU(True), lambda nn: nn.Mish(True), lambda nn: nn.Hardtanh(inplace=True),
    lambda nn: nn.Hardsigmoid(True), lambda nn: nn.Hardswish(True),
    lambda nn: nn.Threshold(0.5, 2.0, True),
])
def test_inplace_layers_write_into_input_and_backprop(make):
    x = np.random.default_rng(0).standard_normal((3, 4)).astype(np.float32)
    t_leaf = torch.tensor(x, requires_grad=True)
    e_leaf = ember.tensor(x, requires_grad=True)
    t_mid, e_mid = t_leaf * 2, e_leaf * 2
    t_out, e_out = make(torch.nn)(t_mid), make(ember.nn)(e_mid)
    assert e_out is e_mid and t_out is t_mid
    assert repr(make(ember.nn)) == repr(make(torch.nn))
    np.testing.assert_allclose(e_out.detach().numpy(), t_out.detach().numpy(), atol=1e-6)
    t_out.sum().backward()
    e_out.sum().backward()
    np.testing.assert_allclose(e_leaf.grad.numpy(), t_leaf.grad.numpy(), atol=1e-6)


def test_low_precision_computed_in_float32():
    for name in ("gelu", "silu", "softplus", "elu", "logsigmoid", "hardswish"):
        x = torch.randn(64).to(torch.bfloat16)
        t = getattr(torch.nn.functional, name)(x)
        e = getattr(ember.nn.functional, name)(to_ember(x))
        assert e.dtype == ember.bfloat16
        np.testing.assert_allclose(e.float().numpy(), t.float().numpy(), atol=1e-2, rtol=1e-2)


def test_softmax_implicit_dim_warns_and_picks_torchs_dim():
    for shape in [(4,), (2, 3), (2, 3, 4), (2, 3, 4, 5)]:
        x = torch.randn(shape)
        with warnings.catch_warnings(record=True) as tw:
            warnings.simplefilter("always")
            t = torch.nn.functional.softmax(x)
        with warnings.catch_warnings(record=True) as ew:
            warnings.simplefilter("always")
            e = ember.nn.functional.softmax(to_ember(x))
        assert len(tw) == len(ew) == 1 and ew[0].category is UserWarning
        np.testing.assert_allclose(e.numpy(), t.numpy(), atol=1e-6)


def test_softmax_dtype_argument_and_methods():
    x = torch.randn(3, 4)
    for fn in ("softmax", "log_softmax"):
        t = getattr(torch.nn.functional, fn)(x, 1, dtype=torch.float64)
        e = getattr(ember.nn.functional, fn)(to_ember(x), 1, dtype=ember.float64)
        assert e.dtype == ember.float64
        np.testing.assert_allclose(e.numpy(), t.numpy(), atol=1e-12)
        np.testing.assert_allclose(getattr(to_ember(x), fn)(0).numpy(),
                                   getattr(x, fn)(0).numpy(), atol=1e-6)
    np.testing.assert_allclose(to_ember(x).relu().numpy(), x.relu().numpy())


def test_grad_fn_names_match_torch():
    x = torch.randn(3, requires_grad=True)
    e = to_ember(x)
    for name, kw in (("relu", {}), ("gelu", {}), ("silu", {}), ("softplus", {}),
                     ("leaky_relu", {}), ("elu", {}), ("hardtanh", {}), ("logsigmoid", {}),
                     ("softmax", {"dim": 0}), ("log_softmax", {"dim": 0})):
        t_name = type(getattr(torch.nn.functional, name)(x, **kw).grad_fn).__name__
        e_name = type(getattr(ember.nn.functional, name)(e, **kw).grad_fn).__name__
        assert e_name == t_name, name


def test_rrelu_training_draws_slopes_in_range_and_reproduces_with_seed():
    x = -ember.ones(1000)
    ember.manual_seed(3)
    a = ember.nn.functional.rrelu(x, 0.1, 0.3, training=True)
    ember.manual_seed(3)
    b = ember.nn.functional.rrelu(x, 0.1, 0.3, training=True)
    assert np.array_equal(a.numpy(), b.numpy())
    slopes = -a.numpy()
    assert slopes.min() >= 0.1 and slopes.max() <= 0.3 and slopes.std() > 0.03

"""Dropout layers: ember's masks are its own, so they are tested by distribution,
scaling, channel structure and same-seed reproducibility; reprs and argument checks
against torch."""
import numpy as np
import pytest
import torch

import ember
import ember.nn.functional as F
from nn_harness import DEVICES, check_module


def test_dropout_scales_kept_elements_and_drops_about_p():
    ember.manual_seed(0)
    x = ember.ones(20000, requires_grad=True)
    y = F.dropout(x, 0.3)
    values = y.detach().numpy()
    kept = values != 0
    assert abs(1 - kept.mean() - 0.3) < 0.02
    np.testing.assert_allclose(values[kept], 1 / 0.7, rtol=1e-6)
    y.sum().backward()
    np.testing.assert_allclose(x.grad.numpy(), values)   # gradient = mask / (1 - p)


def test_same_seed_same_mask():
    x = ember.ones(100)
    ember.manual_seed(7)
    a = F.dropout(x, 0.5)
    ember.manual_seed(7)
    b = F.dropout(x, 0.5)
    c = F.dropout(x, 0.5)
    assert np.array_equal(a.numpy(), b.numpy())
    assert not np.array_equal(b.numpy(), c.numpy())


@pytest.mark.parametrize("fn,shape,lead", [
    (F.dropout1d, (8, 16, 5), 2), (F.dropout1d, (16, 5), 1), (F.dropout2d, (8, 16, 3, 3), 2),
    (F.dropout3d, (4, 8, 2, 2, 2), 2), (F.dropout3d, (8, 2, 2, 2), 1),
    (F.feature_alpha_dropout, (8, 16, 3, 3), 2)])
def test_channel_dropout_drops_whole_channels(fn, shape, lead):
    ember.manual_seed(1)
    y = fn(ember.ones(*shape), 0.5, True).numpy()
    per_channel = y.reshape(shape[:lead] + (-1,))
    assert np.all(per_channel == per_channel[..., :1])
    assert len(np.unique(per_channel[..., 0])) == 2


def test_alpha_dropout_keeps_mean_and_variance():
    ember.manual_seed(2)
    x = ember.randn(200000)
    y = F.alpha_dropout(x, 0.2, training=True).numpy()
    assert abs(y.mean()) < 0.02 and abs(y.std() - 1) < 0.02


def test_p_one_gives_zeros_and_eval_is_identity():
    x = ember.randn(3, 4)
    for fn in (F.dropout, F.alpha_dropout, F.dropout1d):
        assert not fn(x, 1.0, True).numpy().any()
        assert np.array_equal(fn(x, 0.5, False).numpy(), x.numpy())


def test_bad_p_raises_value_error_like_torch():
    for p in (-0.1, 1.5):
        for name in ("dropout", "alpha_dropout", "dropout2d", "feature_alpha_dropout"):
            with pytest.raises(ValueError):
                getattr(torch.nn.functional, name)(torch.ones(2, 3, 4, 4), p)
            with pytest.raises(ValueError):
                getattr(F, name)(ember.ones(2, 3, 4, 4), p)
        with pytest.raises(ValueError):
            torch.nn.Dropout(p)
        with pytest.raises(ValueError):
            ember.nn.Dropout(p)


def test_inplace_dropout_writes_into_input():
    ember.manual_seed(4)
    x = ember.ones(50)
    y = F.dropout(x, 0.5, True, inplace=True)
    assert y is x and set(np.unique(x.numpy())) <= {0.0, 2.0}


@pytest.mark.parametrize("name", ["Dropout", "Dropout1d", "Dropout2d", "Dropout3d",
                                  "AlphaDropout", "FeatureAlphaDropout"])
def test_modules_train_eval_and_repr(name):
    e_mod, t_mod = getattr(ember.nn, name)(0.25, inplace=True), getattr(torch.nn, name)(0.25, True)
    assert repr(e_mod) == repr(t_mod)
    assert repr(getattr(ember.nn, name)()) == repr(getattr(torch.nn, name)())
    e_mod = getattr(ember.nn, name)(0.5)
    x = ember.randn(4, 6, 3) if name == "Dropout1d" else ember.randn(4, 6, 2, 2, 2)
    e_mod.eval()
    assert np.array_equal(e_mod(x).numpy(), x.numpy())
    e_mod.train()
    assert not np.array_equal(e_mod(x).numpy(), x.numpy())
    assert e_mod.state_dict() == {} or len(e_mod.state_dict()) == 0


@pytest.mark.parametrize("name", ["Dropout", "Dropout2d", "AlphaDropout"])
@pytest.mark.parametrize("device", DEVICES)
def test_dropout_in_a_model_on_device(name, device):
    """A model with dropout in eval mode equals torch's (dropout is the identity there),
    on every device; in train mode the output and gradients stay on the device."""
    def make(nn):
        return nn.Sequential(nn.Conv2d(2, 3, 1), getattr(nn, name)(0.5), nn.ReLU())
    e_mod, _, _, _ = check_module(make, [(2, 2, 3, 3)], train=False, device=device)
    e_mod.train()
    x = ember.ones(2, 2, 3, 3, device=device, requires_grad=True)
    y = e_mod(x)
    y.sum().backward()
    assert y.device.type == device and x.grad.device.type == device
    assert e_mod[0].weight.grad.device.type == device

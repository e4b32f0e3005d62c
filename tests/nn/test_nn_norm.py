"""Normalization layers against torch: outputs and gradients in training and eval,
running statistics after several steps, state_dict keys, reprs and errors."""
import numpy as np
import pytest
import torch

import ember
from nn_harness import DEVICES, assert_same, check_module, copy_weights, to_ember

CASES = [
    (lambda nn: nn.BatchNorm1d(3), (4, 3)),
    (lambda nn: nn.BatchNorm1d(3, momentum=None), (4, 3, 5)),
    (lambda nn: nn.BatchNorm1d(3, affine=False), (4, 3, 5)),
    (lambda nn: nn.BatchNorm1d(3, bias=False), (4, 3)),
    (lambda nn: nn.BatchNorm2d(3, eps=1e-3, momentum=0.3), (2, 3, 4, 4)),
    (lambda nn: nn.BatchNorm2d(3, track_running_stats=False), (2, 3, 4, 4)),
    (lambda nn: nn.BatchNorm3d(2), (2, 2, 3, 2, 2)),
    (lambda nn: nn.LayerNorm(5), (2, 3, 5)),
    (lambda nn: nn.LayerNorm([3, 5], elementwise_affine=False), (2, 3, 5)),
    (lambda nn: nn.LayerNorm(5, bias=False, eps=1e-3), (4, 5)),
    (lambda nn: nn.GroupNorm(2, 4), (2, 4, 3, 3)),
    (lambda nn: nn.GroupNorm(1, 4, affine=False), (2, 4, 5)),
    (lambda nn: nn.RMSNorm(5), (2, 3, 5)),
    (lambda nn: nn.RMSNorm([3, 5], eps=1e-3, elementwise_affine=False), (2, 3, 5)),
    (lambda nn: nn.InstanceNorm1d(3), (2, 3, 6)),
    (lambda nn: nn.InstanceNorm1d(3, affine=True, track_running_stats=True), (2, 3, 6)),
    (lambda nn: nn.InstanceNorm2d(3, affine=True), (3, 4, 4)),
    (lambda nn: nn.InstanceNorm2d(3, track_running_stats=True), (2, 3, 4, 4)),
    (lambda nn: nn.InstanceNorm3d(2, affine=True), (1, 2, 3, 2, 2)),
    (lambda nn: nn.LocalResponseNorm(3), (2, 5, 4)),
    (lambda nn: nn.LocalResponseNorm(2, alpha=0.1, beta=0.5, k=2.0), (2, 4, 3, 3)),
]


def _perturb(t_mod):
    # non-trivial affine parameters, so their gradients and effects are visible
    with torch.no_grad():
        for p in t_mod.parameters():
            p.add_(torch.randn(p.shape) * 0.5)


@pytest.mark.parametrize("k", range(len(CASES)))
@pytest.mark.parametrize("train", [True, False])
@pytest.mark.parametrize("device", DEVICES)
def test_layer_matches_torch(k, train, device):
    make, shape = CASES[k]

    def built(nn):
        m = make(nn)
        if nn is torch.nn:
            _perturb(m)
        return m
    torch.manual_seed(k)
    e_mod, t_mod, _, _ = check_module(built, [shape], train=train, atol=1e-5, rtol=1e-4,
                                      device=device)
    assert repr(e_mod) == repr(t_mod)
    assert list(e_mod.state_dict()) == list(t_mod.state_dict())
    for name, t_buf in t_mod.named_buffers():
        e_buf = dict(e_mod.named_buffers())[name]
        assert_same(e_buf, t_buf, 1e-6, 1e-5, f"buffer {name}")


@pytest.mark.parametrize("k", [0, 1, 4, 6, 15, 17])
def test_running_stats_after_several_steps(k):
    make, shape = CASES[k]
    t_mod = make(torch.nn)
    e_mod = make(ember.nn)
    copy_weights(e_mod, t_mod)
    g = torch.Generator().manual_seed(k)
    for _ in range(4):
        x = torch.randn(shape, generator=g) * 2 + 1
        t_mod(x)
        e_mod(to_ember(x))
    for name, t_buf in t_mod.named_buffers():
        assert_same(dict(e_mod.named_buffers())[name], t_buf, 1e-6, 1e-5, name)
    t_mod.eval()
    e_mod.eval()
    x = torch.randn(shape, generator=g)
    assert_same(e_mod(to_ember(x)), t_mod(x), 1e-5, 1e-5)


def test_num_batches_tracked_is_int64_buffer():
    m = ember.nn.BatchNorm1d(3)
    assert m.num_batches_tracked.dtype == ember.int64
    m(ember.randn(4, 3))
    m(ember.randn(4, 3))
    assert m.num_batches_tracked.item() == 2


def test_batch_of_one_in_training_is_value_error():
    for lib in (torch, ember):
        m = lib.nn.BatchNorm1d(3)
        with pytest.raises(ValueError):
            m(lib.ones(1, 3))
        m.eval()
        m(lib.ones(1, 3))   # eval mode uses the running stats: fine


def test_wrong_input_rank_errors_like_torch():
    for make, shape in [(lambda nn: nn.BatchNorm1d(3), (2, 3, 4, 5)),
                        (lambda nn: nn.BatchNorm2d(3), (2, 3)),
                        (lambda nn: nn.InstanceNorm1d(3), (3,)),
                        (lambda nn: nn.LayerNorm(4), (2, 5)),
                        (lambda nn: nn.GroupNorm(2, 4), (2, 3, 5))]:
        with pytest.raises(Exception) as t_info:
            make(torch.nn)(torch.ones(shape))
        with pytest.raises(type(t_info.value)):
            make(ember.nn)(ember.ones(shape))
    with pytest.raises(ValueError):
        torch.nn.GroupNorm(3, 4)
    with pytest.raises(ValueError):
        ember.nn.GroupNorm(3, 4)


@pytest.mark.parametrize("dtype", ["float16", "bfloat16"])
def test_low_precision_normalization(dtype):
    tdt, edt = getattr(torch, dtype), getattr(ember, dtype)
    x = torch.randn(4, 3, 5)
    for name, args in (("layer_norm", ((5,),)), ("group_norm", (3,)),
                       ("rms_norm", ((5,),))):
        t = getattr(torch.nn.functional, name)(x.to(tdt), *args)
        e = getattr(ember.nn.functional, name)(to_ember(x).to(edt), *args)
        assert e.dtype == edt
        np.testing.assert_allclose(e.float().numpy(), t.float().numpy(), atol=2e-2, rtol=2e-2)
    t = torch.nn.functional.batch_norm(x.to(tdt), None, None, training=True)
    e = ember.nn.functional.batch_norm(to_ember(x).to(edt), None, None, training=True)
    np.testing.assert_allclose(e.float().numpy(), t.float().numpy(), atol=2e-2, rtol=2e-2)


def test_double_backward_through_batch_and_layer_norm():
    for fn in (lambda F, x, w: F.batch_norm(x, None, None, w, None, True),
               lambda F, x, w: F.layer_norm(x, (3,), w)):
        x = torch.randn(4, 3, dtype=torch.float64, requires_grad=True)
        w = torch.randn(3, dtype=torch.float64, requires_grad=True)
        ex, ew = to_ember(x), to_ember(w)
        t_out = (fn(torch.nn.functional, x, w) ** 3).sum()
        e_out = (fn(ember.nn.functional, ex, ew) ** 3).sum()
        tg = torch.autograd.grad(t_out, (x, w), create_graph=True)
        eg = ember.autograd.grad(e_out, (ex, ew), create_graph=True)
        t2 = torch.autograd.grad((tg[0] ** 2).sum() + tg[1].sum(), (x, w))
        e2 = ember.autograd.grad((eg[0] ** 2).sum() + eg[1].sum(), (ex, ew))
        for a, b in zip(e2, t2):
            assert_same(a, b, 1e-8, 1e-6)


def test_old_checkpoint_without_num_batches_tracked_loads():
    t_state = torch.nn.BatchNorm1d(3).state_dict()
    state = {k: to_ember(v) for k, v in t_state.items() if k != "num_batches_tracked"}
    m = ember.nn.BatchNorm1d(3)
    result = m.load_state_dict(state)   # a plain dict: no version metadata, as old files
    assert not result.missing_keys and m.num_batches_tracked.item() == 0


@pytest.mark.parametrize("make,shape", [(lambda nn: nn.BatchNorm2d(3), (2, 3, 2, 2)),
                                        (lambda nn: nn.LayerNorm(4), (3, 4)),
                                        (lambda nn: nn.GroupNorm(2, 4), (2, 4, 3))])
@pytest.mark.parametrize("device", DEVICES)
def test_float64_modules(make, shape, device):
    e_mod, t_mod, _, _ = check_module(make, [shape], dtype=torch.float64, atol=1e-10,
                                      rtol=1e-8, device=device)
    assert e_mod.weight.dtype == ember.float64
    if hasattr(t_mod, "num_batches_tracked"):
        assert e_mod.num_batches_tracked.dtype == ember.int64

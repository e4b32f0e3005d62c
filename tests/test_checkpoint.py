"""ember.utils.checkpoint: same outputs and gradients as running without checkpointing (and
as torch), intermediate activations not kept alive, dropout reproduced in recomputation."""
import gc
import sys
import warnings
import weakref

import numpy as np
import pytest
import torch

import ember
from ember.utils.checkpoint import CheckpointError, checkpoint, checkpoint_sequential

sys.path.insert(0, __file__.rsplit("/", 1)[0] + "/nn")
from nn_harness import assert_same, copy_weights, to_ember  # noqa: E402


def _block(nn, p=0.0):
    return nn.Sequential(nn.Linear(4, 6), nn.Tanh(), nn.Dropout(p), nn.Linear(6, 4))


def _grads(module, *tensors):
    return [t.grad.clone() for t in tensors] + \
        [p.grad.clone() for p in module.parameters()]


def _zero(module, *tensors):
    module.zero_grad()
    for t in tensors:
        t.grad = None


@pytest.mark.parametrize("use_reentrant", [False, True])
def test_same_gradients_as_without_checkpoint_and_torch(use_reentrant):
    torch.manual_seed(0)
    t_mod, e_mod = _block(torch.nn), _block(ember.nn)
    copy_weights(e_mod, t_mod)
    x = torch.randn(3, 4, requires_grad=True)
    ex = to_ember(x)
    t_out = torch.utils.checkpoint.checkpoint(t_mod, x, use_reentrant=use_reentrant)
    e_out = checkpoint(e_mod, ex, use_reentrant=use_reentrant)
    assert_same(e_out, t_out)
    (t_out ** 2).sum().backward()
    (e_out ** 2).sum().backward()
    got = _grads(e_mod, ex)
    assert_same(got[0], x.grad)
    for p_e, p_t in zip(e_mod.parameters(), t_mod.parameters()):
        assert_same(p_e.grad, p_t.grad)
    _zero(e_mod, ex)
    (e_mod(ex) ** 2).sum().backward()
    for a, b in zip(got, _grads(e_mod, ex)):
        np.testing.assert_array_equal(a.numpy(), b.numpy())


def test_activations_are_not_kept_alive():
    lin1, lin2 = ember.nn.Linear(4, 8), ember.nn.Linear(8, 4)
    kept = []

    def fn(x):
        h = lin1(x).tanh()
        kept.append(weakref.ref(h._data))
        h2 = h.sigmoid() * h
        kept.append(weakref.ref(h2._data))
        return lin2(h2)

    x = ember.randn(5, 4, requires_grad=True)
    plain = fn(x)
    gc.collect()
    assert all(r() is not None for r in kept)   # saved by the graph without checkpoint
    del plain
    kept.clear()
    out = checkpoint(fn, x, use_reentrant=False)
    gc.collect()
    assert kept and all(r() is None for r in kept)
    # the graph above the output is one node whose edges are the boundary: x and the
    # four parameters
    node = out.grad_fn
    assert len(node.next_functions) == 5
    assert sum(1 for t, _ in node._saved if t is not None) == 1   # only the input
    out.sum().backward()
    assert x.grad is not None and lin1.weight.grad is not None


def test_dropout_reproduced_in_recomputation():
    ember.manual_seed(123)
    mod = _block(ember.nn, p=0.5)
    x = ember.randn(8, 4, requires_grad=True)
    state = ember.get_rng_state()
    out = checkpoint(mod, x, use_reentrant=False)
    after = ember.get_rng_state()
    ember.rand(3)   # the stream moves on before backward
    (out ** 2).sum().backward()
    got = _grads(mod, x)
    _zero(mod, x)
    ember.set_rng_state(state)
    ref = mod(x)
    assert bool((ember.get_rng_state() == after).all())
    np.testing.assert_array_equal(ref.detach().numpy(), out.detach().numpy())
    (ref ** 2).sum().backward()
    for a, b in zip(got, _grads(mod, x)):
        np.testing.assert_array_equal(a.numpy(), b.numpy())


def test_kwargs_non_tensor_args_and_inputs_without_grad():
    lin = ember.nn.Linear(3, 3)
    x = ember.randn(2, 3)          # no grad: the parameters still get theirs
    bias = ember.randn(3, requires_grad=True)

    def fn(x, power, *, shift, extra=None):
        return (lin(x) + shift) ** power + (0 if extra is None else extra)

    out = checkpoint(fn, x, 2, shift=bias, extra=1.5, use_reentrant=False)
    out.sum().backward()
    g = [lin.weight.grad.clone(), bias.grad.clone()]
    lin.zero_grad()
    bias.grad = None
    fn(x, 2, shift=bias, extra=1.5).sum().backward()
    np.testing.assert_allclose(g[0].numpy(), lin.weight.grad.numpy(), rtol=1e-6)
    np.testing.assert_allclose(g[1].numpy(), bias.grad.numpy(), rtol=1e-6)


def test_reentrant_rules_follow_torch():
    lin = ember.nn.Linear(3, 3)
    t_lin = torch.nn.Linear(3, 3)
    x, tx = ember.randn(2, 3), torch.randn(2, 3)
    with pytest.warns(UserWarning):
        out = checkpoint(lin, x, use_reentrant=True)
    with pytest.warns(UserWarning):
        t_out = torch.utils.checkpoint.checkpoint(t_lin, tx, use_reentrant=True)
    assert out.requires_grad == t_out.requires_grad
    with pytest.raises(ValueError):
        checkpoint(lin, x, use_reentrant=True, extra=1)
    with pytest.warns(UserWarning):   # use_reentrant must be passed explicitly
        checkpoint(lin, ember.randn(2, 3, requires_grad=True))
    with pytest.raises(ValueError):
        checkpoint(lin, x, use_reentrant=False, determinism_check="bad")


def test_multiple_and_nested_outputs():
    w = ember.randn(3, 3, requires_grad=True)
    x = ember.randn(2, 3, requires_grad=True)

    def fn(x):
        h = x @ w
        return {"a": h.sin(), "b": [h.cos(), 3]}, h.argmax(1), x

    out = checkpoint(fn, x, use_reentrant=False)
    assert out[0]["b"][1] == 3 and not out[1].requires_grad
    loss = out[0]["a"].sum() + (out[0]["b"][0] * 2).sum() + (out[2] ** 2).sum()
    loss.backward()
    g = [x.grad.clone(), w.grad.clone()]
    x.grad = w.grad = None
    ref = fn(x)
    (ref[0]["a"].sum() + (ref[0]["b"][0] * 2).sum() + (ref[2] ** 2).sum()).backward()
    np.testing.assert_allclose(g[0].numpy(), x.grad.numpy(), rtol=1e-6)
    np.testing.assert_allclose(g[1].numpy(), w.grad.numpy(), rtol=1e-6)
    # only one output used: the others get no gradient, no error
    x.grad = w.grad = None
    checkpoint(fn, x, use_reentrant=False)[0]["a"].sum().backward()
    assert w.grad is not None


def test_nested_checkpoint_and_non_leaf_inputs():
    w1 = ember.randn(4, 4, requires_grad=True)
    w2 = ember.randn(4, 4, requires_grad=True)
    a = ember.randn(3, 4, requires_grad=True)
    captured = (w1 * 2).tanh()     # a non-leaf captured by the function

    def inner(h):
        return (h @ w2).relu() + captured.sum()

    def outer(h, use_ckpt):
        h = (h @ w1).sin()
        h = checkpoint(inner, h, use_reentrant=False) if use_ckpt else inner(h)
        return h * a.sum()

    x = (a * 3).exp()              # non-leaf input reaching a through two paths
    out = checkpoint(outer, x, True, use_reentrant=False)
    out.pow(2).sum().backward(retain_graph=True)   # x and captured are used again below
    got = [t.grad.clone() for t in (w1, w2, a)]
    for t in (w1, w2, a):
        t.grad = None
    outer(x, False).pow(2).sum().backward()
    for g, t in zip(got, (w1, w2, a)):
        np.testing.assert_allclose(g.numpy(), t.grad.numpy(), rtol=1e-5, atol=1e-6)


def test_double_backward_and_retain_graph():
    x = ember.randn(3, dtype=ember.float64, requires_grad=True)
    out = checkpoint(lambda t: (t.sin() * t).sum(), x, use_reentrant=False)
    (g,) = ember.autograd.grad(out, x, create_graph=True)
    (gg,) = ember.autograd.grad(g.sum(), x)
    tx = torch.tensor(x.detach().numpy(), requires_grad=True)
    (tg,) = torch.autograd.grad((tx.sin() * tx).sum(), tx, create_graph=True)
    (tgg,) = torch.autograd.grad(tg.sum(), tx)
    assert_same(g, tg)
    assert_same(gg, tgg)
    y = checkpoint(lambda t: t.exp() * 2, x, use_reentrant=False).sum()
    y.backward(retain_graph=True)
    first = x.grad.clone()
    y.backward()
    np.testing.assert_allclose(x.grad.numpy(), 2 * first.numpy())


def test_input_modified_in_place_is_an_error():
    x = ember.randn(3, requires_grad=True)
    h = x * 1.0
    out = checkpoint(lambda t: t.exp(), h, use_reentrant=False)
    h.add_(1)
    with pytest.raises(RuntimeError):
        out.sum().backward()


def test_non_deterministic_recomputation_is_detected():
    calls = [0]

    def fn(x):
        calls[0] += 1
        return x.sum() if calls[0] == 1 else x * 2

    out = checkpoint(fn, ember.randn(3, requires_grad=True), use_reentrant=False)
    with pytest.raises(CheckpointError):
        out.backward()


def test_no_grad_mode_just_runs():
    x = ember.randn(3, requires_grad=True)
    with ember.no_grad():
        out = checkpoint(lambda t: t * 2, x, use_reentrant=False)
    assert not out.requires_grad


@pytest.mark.parametrize("segments", [1, 2, 3])
def test_checkpoint_sequential_matches_torch(segments):
    torch.manual_seed(0)
    t_seq = torch.nn.Sequential(*[torch.nn.Linear(4, 4) for _ in range(3)], torch.nn.Tanh())
    e_seq = ember.nn.Sequential(*[ember.nn.Linear(4, 4) for _ in range(3)], ember.nn.Tanh())
    copy_weights(e_seq, t_seq)
    x = torch.randn(2, 4, requires_grad=True)
    ex = to_ember(x)
    t_out = torch.utils.checkpoint.checkpoint_sequential(t_seq, segments, x,
                                                         use_reentrant=False)
    e_out = checkpoint_sequential(e_seq, segments, ex, use_reentrant=False)
    assert_same(e_out, t_out)
    t_out.sum().backward()
    e_out.sum().backward()
    assert_same(ex.grad, x.grad)
    for p_e, p_t in zip(e_seq.parameters(), t_seq.parameters()):
        assert_same(p_e.grad, p_t.grad)
    with pytest.raises(ValueError):
        checkpoint_sequential(e_seq, 2, ex, use_reentrant=False, bad=1)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        checkpoint_sequential(list(e_seq), 2, ex, use_reentrant=False)

"""Differential checks for layers: build a module in torch and in ember, give ember torch's
initialised weights through ``load_state_dict``, feed both the same inputs, and compare
outputs, input gradients and every parameter's gradient.

    check_module(lambda nn: nn.Linear(4, 3), [(2, 4)])

``make`` receives the ``nn`` namespace (torch.nn or ember.nn), so one lambda builds both.
"""
import numpy as np
import torch

import ember


def to_ember(t, requires_grad=None):
    """A torch tensor (or nested list/tuple of them) as ember tensors with the same values."""
    if isinstance(t, (list, tuple)):
        return type(t)(to_ember(x, requires_grad) for x in t)
    if not isinstance(t, torch.Tensor):
        return t
    arr = t.detach().cpu()
    if arr.dtype == torch.bfloat16:
        e = ember.tensor(arr.float().numpy()).to(ember.bfloat16)
    else:
        e = ember.tensor(arr.numpy().copy())
    rg = t.requires_grad if requires_grad is None else requires_grad
    if rg:
        e.requires_grad_(True)
    return e


def to_numpy(x):
    if isinstance(x, torch.Tensor):
        x = x.detach()
        return (x.float() if x.dtype == torch.bfloat16 else x).numpy()
    x = x.detach()
    return np.asarray((x.float() if x.dtype == ember.bfloat16 else x).numpy())


def assert_same(e, t, atol=1e-5, rtol=1e-4, what="output"):
    """Shape, dtype and values of an ember result equal torch's."""
    if isinstance(t, (tuple, list)):
        assert isinstance(e, (tuple, list)) and len(e) == len(t), f"{what}: {e!r} vs {t!r}"
        for i, (ei, ti) in enumerate(zip(e, t)):
            assert_same(ei, ti, atol, rtol, f"{what}[{i}]")
        return
    if not isinstance(t, torch.Tensor):
        assert e == t, f"{what}: {e!r} != {t!r}"
        return
    assert tuple(e.shape) == tuple(t.shape), f"{what}: shape {tuple(e.shape)} vs {tuple(t.shape)}"
    assert str(e.dtype) == str(t.dtype), f"{what}: dtype {e.dtype} vs {t.dtype}"
    np.testing.assert_allclose(to_numpy(e), to_numpy(t), atol=atol, rtol=rtol, err_msg=what)


def copy_weights(ember_module, torch_module):
    """Load torch's state_dict into the ember module (keys and shapes must be identical)."""
    state = {k: to_ember(v, requires_grad=False) for k, v in torch_module.state_dict().items()}
    result = ember_module.load_state_dict(state, strict=True)
    assert list(ember_module.state_dict().keys()) == list(torch_module.state_dict().keys())
    return result


def check_module(make, input_shapes, *, inputs=None, train=True, dtype=torch.float32,
                 atol=1e-5, rtol=1e-4, grad=True, seed=0, kwargs=None):
    """Build ``make(nn)`` in both libraries, copy weights, compare forward and backward.

    ``inputs`` (torch tensors) overrides the random inputs built from ``input_shapes``.
    Returns (ember_module, torch_module, ember_output, torch_output).
    """
    torch.manual_seed(seed)
    t_mod = make(torch.nn).to(dtype)
    e_mod = make(ember.nn).to(getattr(ember, str(dtype).split(".")[-1]))
    copy_weights(e_mod, t_mod)
    t_mod.train(train)
    e_mod.train(train)
    if inputs is None:
        g = torch.Generator().manual_seed(seed + 1)
        inputs = [torch.randn(s, generator=g, dtype=dtype) for s in input_shapes]
    t_in = [x.detach().clone().requires_grad_(grad and x.is_floating_point()) for x in inputs]
    e_in = to_ember(t_in)
    kwargs = kwargs or {}
    t_out = t_mod(*t_in, **kwargs)
    e_out = e_mod(*e_in, **{k: to_ember(v) for k, v in kwargs.items()})
    assert_same(e_out, t_out, atol, rtol)
    if not grad:
        return e_mod, t_mod, e_out, t_out
    t_first = t_out[0] if isinstance(t_out, (tuple, list)) else t_out
    e_first = e_out[0] if isinstance(e_out, (tuple, list)) else e_out
    g = torch.Generator().manual_seed(seed + 2)
    t_grad_out = torch.randn(t_first.shape, generator=g, dtype=t_first.dtype)
    t_first.backward(t_grad_out)
    e_first.backward(to_ember(t_grad_out))
    for i, (ei, ti) in enumerate(zip(e_in, t_in)):
        if ti.grad is not None:
            assert ei.grad is not None, f"input {i} got no gradient"
            assert_same(ei.grad, ti.grad, atol, rtol, f"grad of input {i}")
    e_params = dict(e_mod.named_parameters())
    for name, tp in t_mod.named_parameters():
        ep = e_params[name]
        if tp.grad is None:
            assert ep.grad is None, f"{name}: ember has a gradient, torch has none"
        else:
            assert ep.grad is not None, f"{name}: no gradient"
            assert_same(ep.grad, tp.grad, atol, rtol, f"grad of {name}")
    return e_mod, t_mod, e_out, t_out

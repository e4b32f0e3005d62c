"""Differential checks for layers: build a module in torch and in ember, give ember torch's
initialised weights through ``load_state_dict``, feed both the same inputs, and compare
outputs, input gradients and every parameter's gradient.

    check_module(lambda nn: nn.Linear(4, 3), [(2, 4)])

``make`` receives the ``nn`` namespace (torch.nn or ember.nn), so one lambda builds both.

``device="cuda"`` runs the ember side on cuda: the module is moved with ``.to("cuda")``
before torch's (cpu) weights are loaded into it, the inputs are made on cuda, and every
output and gradient must come back on cuda.  torch runs on cuda when it has one, else on
the cpu as the oracle.  Parametrize over ``DEVICES`` (ids "cpu"/"cuda" on every machine;
cuda is skipped with a reason where ``ember.cuda.is_available()`` is false; the CuPy
emulator runs it with ``EMBER_EMULATE_CUDA=1``).
"""
import numpy as np
import pytest
import torch

import ember

CUDA_OK = ember.cuda.is_available()
DEVICES = ["cpu", pytest.param("cuda", marks=pytest.mark.skipif(
    not CUDA_OK, reason="cuda unavailable (no CuPy/GPU; EMBER_EMULATE_CUDA=1 runs the emulator)"))]


def torch_device(device):
    """Where torch runs for an ember device: cuda only when torch itself has one."""
    return "cuda" if device == "cuda" and torch.cuda.is_available() else "cpu"


def to_ember(t, requires_grad=None, device="cpu"):
    """A torch tensor (or nested list/tuple of them) as ember tensors with the same values,
    on ember's ``device``."""
    if isinstance(t, (list, tuple)):
        return type(t)(to_ember(x, requires_grad, device) for x in t)
    if not isinstance(t, torch.Tensor):
        return t
    arr = t.detach().cpu()
    if arr.dtype == torch.bfloat16:
        e = ember.tensor(arr.float().numpy()).to(ember.bfloat16)
    else:
        e = ember.tensor(arr.numpy().copy())
    if device != "cpu":
        e = e.to(device)
    rg = t.requires_grad if requires_grad is None else requires_grad
    if rg:
        e.requires_grad_(True)
    return e


def to_numpy(x):
    if isinstance(x, torch.Tensor):
        x = x.detach().cpu()
        return (x.float() if x.dtype == torch.bfloat16 else x).numpy()
    x = x.detach().cpu()
    return np.asarray((x.float() if x.dtype == ember.bfloat16 else x).numpy())


def assert_same(e, t, atol=1e-5, rtol=1e-4, what="output", device=None):
    """Shape, dtype and values of an ember result equal torch's (and, when ``device`` is
    given, the ember result lives on that device type)."""
    if isinstance(t, (tuple, list)):
        assert isinstance(e, (tuple, list)) and len(e) == len(t), f"{what}: {e!r} vs {t!r}"
        for i, (ei, ti) in enumerate(zip(e, t)):
            assert_same(ei, ti, atol, rtol, f"{what}[{i}]", device)
        return
    if not isinstance(t, torch.Tensor):
        assert e == t, f"{what}: {e!r} != {t!r}"
        return
    if device is not None:
        assert e.device.type == device, f"{what}: on {e.device}, expected {device}"
    assert tuple(e.shape) == tuple(t.shape), f"{what}: shape {tuple(e.shape)} vs {tuple(t.shape)}"
    assert str(e.dtype) == str(t.dtype), f"{what}: dtype {e.dtype} vs {t.dtype}"
    np.testing.assert_allclose(to_numpy(e), to_numpy(t), atol=atol, rtol=rtol, err_msg=what)


def copy_weights(ember_module, torch_module):
    """Load torch's state_dict into the ember module (keys and shapes must be identical)."""
    state = {k: to_ember(v, requires_grad=False) for k, v in torch_module.state_dict().items()}
    result = ember_module.load_state_dict(state, strict=True)
    assert list(ember_module.state_dict().keys()) == list(torch_module.state_dict().keys())
    return result


def _to_torch_device(x, td):
    if isinstance(x, (list, tuple)):
        return type(x)(_to_torch_device(v, td) for v in x)
    return x.to(td) if isinstance(x, torch.Tensor) else x


def check_module(make, input_shapes, *, inputs=None, train=True, dtype=torch.float32,
                 atol=1e-5, rtol=1e-4, grad=True, seed=0, kwargs=None, device="cpu"):
    """Build ``make(nn)`` in both libraries, copy weights, compare forward and backward.

    ``inputs`` (torch tensors) overrides the random inputs built from ``input_shapes``.
    ``device``: where the ember module and inputs live ("cpu" or "cuda").
    Returns (ember_module, torch_module, ember_output, torch_output).
    """
    torch.manual_seed(seed)
    td = torch_device(device)
    t_mod = make(torch.nn).to(dtype)
    e_mod = make(ember.nn).to(getattr(ember, str(dtype).split(".")[-1]))
    if device != "cpu":
        params = {name: p for name, p in e_mod.named_parameters()}
        assert e_mod.to(device) is e_mod
        # Module.to keeps Parameter identity; load_state_dict copies cpu values onto cuda
        assert all(p is params[name] for name, p in e_mod.named_parameters())
    copy_weights(e_mod, t_mod)
    if device != "cpu":
        for name, v in e_mod.state_dict().items():
            assert v.device.type == device, f"state_dict()[{name!r}] on {v.device}"
        t_mod.to(td)
    t_mod.train(train)
    e_mod.train(train)
    if inputs is None:
        g = torch.Generator().manual_seed(seed + 1)
        inputs = [torch.randn(s, generator=g, dtype=dtype) for s in input_shapes]
    t_in = [x.detach().clone().to(td).requires_grad_(grad and x.is_floating_point())
            for x in inputs]
    e_in = to_ember(t_in, device=device)
    kwargs = kwargs or {}
    t_out = t_mod(*t_in, **{k: _to_torch_device(v, td) for k, v in kwargs.items()})
    e_out = e_mod(*e_in, **{k: to_ember(v, device=device) for k, v in kwargs.items()})
    assert_same(e_out, t_out, atol, rtol, device=device)
    if not grad:
        return e_mod, t_mod, e_out, t_out
    t_first = t_out[0] if isinstance(t_out, (tuple, list)) else t_out
    e_first = e_out[0] if isinstance(e_out, (tuple, list)) else e_out
    g = torch.Generator().manual_seed(seed + 2)
    t_grad_out = torch.randn(t_first.shape, generator=g, dtype=t_first.dtype)
    e_first.backward(to_ember(t_grad_out, device=device))
    t_first.backward(t_grad_out.to(td))
    for i, (ei, ti) in enumerate(zip(e_in, t_in)):
        if ti.grad is not None:
            assert ei.grad is not None, f"input {i} got no gradient"
            assert_same(ei.grad, ti.grad, atol, rtol, f"grad of input {i}", device)
    e_params = dict(e_mod.named_parameters())
    for name, tp in t_mod.named_parameters():
        ep = e_params[name]
        if tp.grad is None:
            assert ep.grad is None, f"{name}: ember has a gradient, torch has none"
        else:
            assert ep.grad is not None, f"{name}: no gradient"
            assert_same(ep.grad, tp.grad, atol, rtol, f"grad of {name}", device)
    return e_mod, t_mod, e_out, t_out

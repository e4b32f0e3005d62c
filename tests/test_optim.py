"""ember.optim against torch.optim: trajectories, state_dict layout, errors, hooks.

Each optimizer configuration runs 20 steps on one small float64 problem (a tanh MLP
with a squared loss) in torch and in ember from the same initial values; the
parameters must agree after every step.  Midway the ember optimizer is rebuilt from
its own state_dict, or from torch's state_dict, and must continue on the same path.
"""
import copy
import pickle
import warnings

import numpy as np
import pytest
import torch

import ember

STEPS = 20


def to_ember(value):
    """Convert torch tensors (nested in dicts/lists/tuples) to ember tensors."""
    if isinstance(value, torch.Tensor):
        return ember.tensor(value.detach().numpy().copy())
    if isinstance(value, dict):
        return {k: to_ember(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return type(value)(to_ember(v) for v in value)
    return value


def make_params(lib, seed=0):
    rng = np.random.default_rng(seed)
    shapes = [(4, 5), (5,), (5, 2), (2,)]
    return [lib.tensor(rng.standard_normal(s), dtype=lib.float64, requires_grad=True)
            for s in shapes]


def make_data(lib):
    rng = np.random.default_rng(1)
    x = lib.tensor(rng.standard_normal((8, 4)))
    y = lib.tensor(rng.standard_normal((8, 2)))
    return x, y


def loss_fn(params, x, y):
    w1, b1, w2, b2 = params
    hidden = (x @ w1 + b1).tanh()
    return ((hidden @ w2 + b2 - y) ** 2).mean()


def groups_of(params, grouped):
    if not grouped:
        return params
    return [{"params": params[:2]}, {"params": params[2:], "lr": 0.05}]


def train_step(opt, params, x, y):
    opt.zero_grad()
    loss = loss_fn(params, x, y)
    loss.backward()
    opt.step()


def assert_params_close(e_params, t_params, step):
    for e, t in zip(e_params, t_params):
        np.testing.assert_allclose(e.detach().numpy(), t.detach().numpy(), rtol=1e-6,
                                   atol=1e-6, err_msg=f"after step {step}")


CONFIGS = [
    ("SGD", dict(lr=0.1)),
    ("SGD", dict(lr=0.1, momentum=0.9)),
    ("SGD", dict(lr=0.1, momentum=0.9, dampening=0.3, weight_decay=0.01)),
    ("SGD", dict(lr=0.1, momentum=0.9, nesterov=True, weight_decay=0.01)),
    ("SGD", dict(lr=0.05, momentum=0.5, maximize=True)),
    ("Adam", dict(lr=0.01)),
    ("Adam", dict(lr=0.01, betas=(0.8, 0.99), eps=1e-6, weight_decay=0.1)),
    ("Adam", dict(lr=0.01, amsgrad=True)),
    ("Adam", dict(lr=0.01, maximize=True, amsgrad=True, weight_decay=0.05)),
    ("Adam", dict(lr=0.01, weight_decay=0.1, decoupled_weight_decay=True)),
    ("AdamW", dict(lr=0.01)),
    ("AdamW", dict(lr=0.01, weight_decay=0.5, amsgrad=True)),
    ("AdamW", dict(lr=0.01, maximize=True, betas=(0.5, 0.9))),
]


def config_id(config):
    name, kwargs = config
    return name + "-" + "-".join(f"{k}={v}" for k, v in kwargs.items())


# Every config with one group and each reload; two groups without reload for all, and
# with reloads for Adam (the grouped state_dict layout is the same for every optimizer).
_CASES = [(c, r, g) for c in CONFIGS for r in ("none", "ember_state_dict", "torch_state_dict")
          for g in (False, True) if not (g and r != "none" and c[0] != "Adam")]


def run_trajectory(name, kwargs, grouped, reloads):
    """STEPS steps of ember.optim.<name> and torch.optim.<name> side by side, parameters
    compared after every step; ``reloads`` maps a step to "ember_state_dict" (rebuild the
    ember optimizer from its own pickled state_dict) or "torch_state_dict" (from torch's)."""
    e_params, t_params = make_params(ember), make_params(torch)
    ex, ey = make_data(ember)
    tx, ty = make_data(torch)
    e_opt = getattr(ember.optim, name)(groups_of(e_params, grouped), **kwargs)
    t_opt = getattr(torch.optim, name)(groups_of(t_params, grouped), **kwargs)
    for step in range(1, STEPS + 1):
        train_step(e_opt, e_params, ex, ey)
        train_step(t_opt, t_params, tx, ty)
        assert_params_close(e_params, t_params, step)
        if step in reloads:
            if reloads[step] == "ember_state_dict":
                saved = pickle.loads(pickle.dumps(e_opt.state_dict()))
            else:
                saved = to_ember(t_opt.state_dict())
            e_opt = getattr(ember.optim, name)(groups_of(e_params, grouped), lr=123.0)
            e_opt.load_state_dict(saved)
            assert e_opt.param_groups[-1]["lr"] == t_opt.param_groups[-1]["lr"]


def check_state_dict_layout(name, kwargs):
    """After two steps, ember's state_dict has torch's keys, groups, state names, dtypes,
    shapes and values; repr and defaults agree too."""
    e_params, t_params = make_params(ember), make_params(torch)
    ex, ey = make_data(ember)
    tx, ty = make_data(torch)
    e_opt = getattr(ember.optim, name)(groups_of(e_params, True), **kwargs)
    t_opt = getattr(torch.optim, name)(groups_of(t_params, True), **kwargs)
    for _ in range(2):
        train_step(e_opt, e_params, ex, ey)
        train_step(t_opt, t_params, tx, ty)
    e_sd, t_sd = e_opt.state_dict(), t_opt.state_dict()
    assert e_sd.keys() == t_sd.keys()
    assert e_sd["param_groups"] == t_sd["param_groups"]
    assert e_sd["state"].keys() == t_sd["state"].keys()
    for index, t_state in t_sd["state"].items():
        e_state = e_sd["state"][index]
        assert list(e_state) == list(t_state)
        for key, t_value in t_state.items():
            e_value = e_state[key]
            assert str(e_value.dtype) == str(t_value.dtype), key
            assert tuple(e_value.shape) == tuple(t_value.shape), key
            np.testing.assert_allclose(e_value.numpy(), t_value.numpy(), rtol=1e-6, atol=1e-9)
    assert repr(e_opt) == repr(t_opt)
    assert e_opt.defaults == t_opt.defaults


@pytest.mark.parametrize(
    "config,reload,grouped", _CASES,
    ids=[f"{config_id(c)}-{r}-{'two_groups' if g else 'one_group'}" for c, r, g in _CASES])
def test_trajectory_matches_torch(config, reload, grouped):
    name, kwargs = config
    run_trajectory(name, kwargs, grouped, {} if reload == "none" else {STEPS // 2: reload})


@pytest.mark.parametrize("config", CONFIGS[1::2], ids=[config_id(c) for c in CONFIGS[1::2]])
def test_state_dict_layout_matches_torch(config):
    check_state_dict_layout(*config)


def test_adam_step_is_float32_scalar_tensor():
    p = ember.zeros(3, requires_grad=True)
    opt = ember.optim.Adam([p])
    p.grad = ember.ones(3)
    opt.step()
    opt.step()
    step = opt.state[p]["step"]
    assert isinstance(step, ember.Tensor) and step.dtype == ember.float32 and step.dim() == 0
    assert step.item() == 2.0


def test_load_state_dict_casts_state_to_param_dtype():
    p = ember.zeros(3, dtype=ember.float64, requires_grad=True)
    opt = ember.optim.Adam([p])
    p.grad = ember.ones(3, dtype=ember.float64)
    opt.step()
    sd = opt.state_dict()
    q = ember.zeros(3, dtype=ember.float32, requires_grad=True)
    opt2 = ember.optim.Adam([q])
    opt2.load_state_dict(sd)
    assert opt2.state[q]["exp_avg"].dtype == ember.float32
    assert opt2.state[q]["step"].dtype == ember.float32
    # the loaded state is a copy: stepping one optimizer leaves the other alone
    q.grad = ember.ones(3)
    opt2.step()
    assert opt.state[p]["step"].item() == 1.0


def test_load_state_dict_size_mismatch_is_value_error():
    for lib in (ember, torch):
        a, b = make_params(lib)[:2]
        opt = lib.optim.SGD([a, b], lr=0.1)
        with pytest.raises(ValueError):
            lib.optim.SGD([a], lr=0.1).load_state_dict(opt.state_dict())
        with pytest.raises(ValueError):
            lib.optim.SGD([{"params": [a]}, {"params": [b]}], lr=0.1).load_state_dict(
                opt.state_dict())


def test_tensor_lr_and_closure():
    results = []
    for lib in (ember, torch):
        params = make_params(lib)
        x, y = make_data(lib)
        opt = lib.optim.Adam(params, lr=lib.tensor(0.02))
        calls = []

        def closure():
            calls.append(lib.is_grad_enabled())
            opt.zero_grad()
            loss = loss_fn(params, x, y)
            loss.backward()
            return loss

        with lib.no_grad():
            losses = [opt.step(closure).item() for _ in range(5)]
        assert calls == [True] * 5
        results.append((losses, [p.detach().numpy().copy() for p in params]))
    np.testing.assert_allclose(results[0][0], results[1][0], rtol=1e-6)
    for e, t in zip(results[0][1], results[1][1]):
        np.testing.assert_allclose(e, t, rtol=1e-6, atol=1e-9)


@pytest.mark.parametrize("name,kwargs", [
    ("SGD", dict(lr=-1)),
    ("SGD", dict(momentum=-0.1)),
    ("SGD", dict(weight_decay=-1)),
    ("SGD", dict(nesterov=True)),
    ("SGD", dict(nesterov=True, momentum=0.9, dampening=0.1)),
    ("Adam", dict(lr=-1)),
    ("Adam", dict(eps=-1)),
    ("Adam", dict(betas=(1.0, 0.9))),
    ("Adam", dict(betas=(0.9, -0.1))),
    ("Adam", dict(weight_decay=-1)),
    ("AdamW", dict(lr=-0.5)),
])
def test_invalid_hyperparameters(name, kwargs):
    for lib in (ember, torch):
        p = lib.zeros(2, requires_grad=True)
        with pytest.raises(ValueError) as info:
            getattr(lib.optim, name)([p], **kwargs)
        if lib is ember:
            message = str(info.value)
        else:
            assert str(info.value) == message


def test_param_group_errors_match_torch():
    for lib in (ember, torch):
        a = lib.zeros(2, requires_grad=True)
        b = lib.zeros(2, requires_grad=True)
        with pytest.raises(TypeError):
            lib.optim.SGD(a, lr=0.1)
        with pytest.raises(ValueError):
            lib.optim.SGD([], lr=0.1)
        with pytest.raises(TypeError):
            lib.optim.SGD([{"params": {a}}], lr=0.1)
        with pytest.raises(TypeError):
            lib.optim.SGD([a, 1.0], lr=0.1)
        with pytest.raises(ValueError):
            lib.optim.SGD([a * 2], lr=0.1)   # not a leaf
        opt = lib.optim.SGD([a], lr=0.1)
        with pytest.raises(ValueError):
            opt.add_param_group({"params": [a]})
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            lib.optim.SGD([b, b], lr=0.1)
        assert any("duplicate" in str(w.message) for w in caught)
        opt.add_param_group({"params": b, "momentum": 0.5})
        assert opt.param_groups[1]["lr"] == 0.1 and opt.param_groups[1]["momentum"] == 0.5


def test_required_parameter():
    from ember.optim.optimizer import required

    class Custom(ember.optim.Optimizer):
        def __init__(self, params, lr=required):
            super().__init__(params, dict(lr=lr))

        def step(self, closure=None):
            return None

    p = ember.zeros(1, requires_grad=True)
    with pytest.raises(ValueError, match="lr"):
        Custom([p])
    assert Custom([{"params": [p], "lr": 0.5}]).param_groups[0]["lr"] == 0.5


def test_named_parameters():
    for lib in (ember, torch):
        a = lib.zeros(2, requires_grad=True)
        opt = lib.optim.SGD([("weight", a)], lr=0.1)
        assert opt.param_groups[0]["param_names"] == ["weight"]
        assert opt.state_dict()["param_groups"][0]["param_names"] == ["weight"]


@pytest.mark.parametrize("set_to_none", [True, False])
def test_zero_grad(set_to_none):
    p = ember.ones(3, requires_grad=True)
    opt = ember.optim.SGD([p], lr=0.1)
    (p * 2).sum().backward()
    opt.zero_grad(set_to_none=set_to_none)
    if set_to_none:
        assert p.grad is None
    else:
        assert p.grad.tolist() == [0.0, 0.0, 0.0]


def test_step_hooks():
    events = []
    p = ember.ones(2, requires_grad=True)
    opt = ember.optim.SGD([p], lr=0.1)
    pre = opt.register_step_pre_hook(lambda o, args, kwargs: events.append(("pre", o is opt)))
    post = opt.register_step_post_hook(lambda o, args, kwargs: events.append(("post", o is opt)))
    p.grad = ember.ones(2)
    opt.step()
    assert events == [("pre", True), ("post", True)]
    pre.remove()
    post.remove()
    opt.step()
    assert len(events) == 2
    np.testing.assert_allclose(p.detach().numpy(), [0.8, 0.8])


def test_pre_hook_can_replace_arguments():
    p = ember.ones(2, requires_grad=True)
    opt = ember.optim.SGD([p], lr=0.1)
    seen = []

    def closure():
        seen.append(True)
        return ember.tensor(1.0)

    opt.register_step_pre_hook(lambda o, args, kwargs: ((), {"closure": closure}))
    p.grad = ember.ones(2)
    assert opt.step().item() == 1.0 and seen == [True]


def test_params_without_grad_are_skipped_and_sgd_state():
    for lib in (ember, torch):
        a, b = lib.ones(2, requires_grad=True), lib.ones(2, requires_grad=True)
        opt = lib.optim.SGD([a, b], lr=0.1, momentum=0.9)
        a.grad = lib.ones(2)
        opt.step()
        sd = opt.state_dict()
        assert list(sd["state"]) == [0] and list(sd["state"][0]) == ["momentum_buffer"]
        assert b.tolist() == [1.0, 1.0]


def test_deepcopy_and_float32_stays_float32():
    p = ember.ones(4, requires_grad=True)
    opt = ember.optim.Adam([p], lr=0.1)
    p.grad = ember.ones(4)
    opt.step()
    assert p.dtype == ember.float32 and opt.state[p]["exp_avg"].dtype == ember.float32
    clone = copy.deepcopy(opt)
    assert clone.param_groups[0]["lr"] == 0.1


def test_implementation_flags_are_accepted_and_change_nothing():
    trajectories = []
    for flags in (dict(), dict(foreach=True), dict(fused=True), dict(capturable=True),
                  dict(differentiable=True), dict(foreach=False, fused=False)):
        params = make_params(ember)
        x, y = make_data(ember)
        opt = ember.optim.Adam(params, lr=0.01, **flags)
        for _ in range(3):
            train_step(opt, params, x, y)
        trajectories.append([p.detach().numpy().copy() for p in params])
    for other in trajectories[1:]:
        for a, b in zip(trajectories[0], other):
            np.testing.assert_array_equal(a, b)
    for lib in (ember, torch):
        p = lib.zeros(2, requires_grad=True)
        with pytest.raises(RuntimeError):
            lib.optim.Adam([p], fused=True, differentiable=True)
        with pytest.raises(RuntimeError):
            lib.optim.SGD([p], fused=True, foreach=True)


def test_global_step_hooks():
    from ember.optim.optimizer import (register_optimizer_step_post_hook,
                                       register_optimizer_step_pre_hook)
    events = []
    pre = register_optimizer_step_pre_hook(lambda o, a, k: events.append("pre"))
    post = register_optimizer_step_post_hook(lambda o, a, k: events.append("post"))
    try:
        p = ember.ones(1, requires_grad=True)
        p.grad = ember.ones(1)
        ember.optim.AdamW([p]).step()
    finally:
        pre.remove()
        post.remove()
    assert events == ["pre", "post"]

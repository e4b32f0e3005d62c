"""The remaining optimizers (RMSprop ... LBFGS) against torch.optim.

Same harness as test_optim: 20 float64 steps on a small tanh MLP in both libraries,
parameters compared after every step, with a mid-run reload from ember's own
state_dict (pickled) or from torch's.  LBFGS runs on the Rosenbrock function (smooth
and nonconvex), with and without the strong-Wolfe line search.
"""
import pickle

import numpy as np
import pytest
import torch

import ember
from test_optim import (STEPS, assert_params_close, check_state_dict_layout, config_id,
                        groups_of, make_data, make_params, run_trajectory, to_ember,
                        train_step)


CONFIGS = [
    ("RMSprop", dict(lr=0.01)),
    ("RMSprop", dict(lr=0.01, alpha=0.9, momentum=0.8, centered=True, weight_decay=0.01)),
    ("RMSprop", dict(lr=0.005, momentum=0.5, maximize=True)),
    ("RMSprop", dict(lr=0.01, centered=True, eps=1e-3)),
    ("Adagrad", dict(lr=0.1)),
    ("Adagrad", dict(lr=0.1, lr_decay=0.05, initial_accumulator_value=0.1,
                     weight_decay=0.01)),
    ("Adagrad", dict(lr=0.05, maximize=True, eps=1e-6)),
    ("Adadelta", dict()),
    ("Adadelta", dict(lr=0.5, rho=0.8, eps=1e-4, weight_decay=0.02, maximize=True)),
    ("Adamax", dict(lr=0.01)),
    ("Adamax", dict(lr=0.01, betas=(0.8, 0.99), weight_decay=0.05, maximize=True)),
    ("NAdam", dict(lr=0.01)),
    ("NAdam", dict(lr=0.01, weight_decay=0.1, momentum_decay=0.01)),
    ("NAdam", dict(lr=0.01, weight_decay=0.1, decoupled_weight_decay=True, maximize=True)),
    ("RAdam", dict(lr=0.01)),
    ("RAdam", dict(lr=0.01, betas=(0.9, 0.9), weight_decay=0.1)),
    ("RAdam", dict(lr=0.01, betas=(0.8, 0.8), weight_decay=0.1,
                   decoupled_weight_decay=True)),
    ("ASGD", dict(lr=0.05)),
    ("ASGD", dict(lr=0.05, lambd=0.01, alpha=0.5, t0=5, weight_decay=0.01)),
    ("ASGD", dict(lr=0.05, t0=3, maximize=True)),
    ("Rprop", dict(lr=0.01)),
    ("Rprop", dict(lr=0.02, etas=(0.3, 1.5), step_sizes=(1e-3, 0.05), maximize=True)),
]


@pytest.mark.parametrize("config", CONFIGS, ids=[config_id(c) for c in CONFIGS])
def test_trajectory_matches_torch(config):
    """20 steps with two param groups; the ember optimizer is rebuilt from its own
    (pickled) state_dict after step 7 and from torch's state_dict after step 14."""
    run_trajectory(*config, grouped=True,
                   reloads={7: "ember_state_dict", 14: "torch_state_dict"})


@pytest.mark.parametrize("config", CONFIGS, ids=[config_id(c) for c in CONFIGS])
def test_state_dict_layout_matches_torch(config):
    check_state_dict_layout(*config)


# -- LBFGS on the Rosenbrock function -------------------------------------------------

def rosenbrock_params(lib):
    """Two parameters (shapes (3,) and (2, 1)) forming one 5-d Rosenbrock point."""
    return [lib.tensor([-1.5, 2.0, 0.5], dtype=lib.float64, requires_grad=True),
            lib.tensor([[1.2], [-0.7]], dtype=lib.float64, requires_grad=True)]


def rosenbrock(lib, params):
    z = lib.cat([params[0], params[1].reshape(-1)])
    return (100 * (z[1:] - z[:-1] ** 2) ** 2 + (1 - z[:-1]) ** 2).sum()


def make_closure(lib, opt, params):
    def closure():
        opt.zero_grad()
        loss = rosenbrock(lib, params)
        loss.backward()
        return loss
    return closure


LBFGS_CONFIGS = [
    dict(max_iter=5, history_size=4),
    dict(max_iter=5, history_size=4, line_search_fn="strong_wolfe"),
    dict(lr=0.5, max_iter=3, max_eval=5, history_size=2, line_search_fn="strong_wolfe"),
    dict(lr=0.1, max_iter=4, tolerance_change=1e-5),
]


@pytest.mark.parametrize("reload", ["none", "ember_state_dict", "torch_state_dict"])
@pytest.mark.parametrize("kwargs", LBFGS_CONFIGS, ids=[str(c) for c in LBFGS_CONFIGS])
def test_lbfgs_rosenbrock_matches_torch(kwargs, reload):
    e_params, t_params = rosenbrock_params(ember), rosenbrock_params(torch)
    e_opt, t_opt = ember.optim.LBFGS(e_params, **kwargs), torch.optim.LBFGS(t_params, **kwargs)
    for step in range(1, STEPS + 1):
        e_loss = e_opt.step(make_closure(ember, e_opt, e_params))
        t_loss = t_opt.step(make_closure(torch, t_opt, t_params))
        assert e_loss.item() == pytest.approx(t_loss.item(), rel=1e-6)
        assert_params_close(e_params, t_params, step)
        e_state, t_state = e_opt.state[e_params[0]], t_opt.state[t_params[0]]
        assert e_state["func_evals"] == t_state["func_evals"]
        assert e_state["n_iter"] == t_state["n_iter"]
        if step == STEPS // 2 and reload != "none":
            if reload == "ember_state_dict":
                saved = pickle.loads(pickle.dumps(e_opt.state_dict()))
            else:
                saved = to_ember(t_opt.state_dict())
            e_opt = ember.optim.LBFGS(e_params, **kwargs)
            e_opt.load_state_dict(saved)
    e_sd, t_sd = e_opt.state_dict(), t_opt.state_dict()
    assert e_sd["param_groups"] == t_sd["param_groups"]
    assert list(e_sd["state"][0]) == list(t_sd["state"][0])
    assert len(e_sd["state"][0]["old_dirs"]) == len(t_sd["state"][0]["old_dirs"])
    np.testing.assert_allclose(e_sd["state"][0]["d"].numpy(), t_sd["state"][0]["d"].numpy(),
                               rtol=1e-6, atol=1e-9)


def test_lbfgs_errors_match_torch():
    for lib in (ember, torch):
        a, b = rosenbrock_params(lib)
        with pytest.raises(ValueError):
            lib.optim.LBFGS([{"params": [a]}, {"params": [b]}])
        with pytest.raises(ValueError):
            lib.optim.LBFGS([a], lr=-1)
        opt = lib.optim.LBFGS([a, b], line_search_fn="armijo")
        with pytest.raises(RuntimeError):
            opt.step(make_closure(lib, opt, [a, b]))
        opt = lib.optim.LBFGS([a, b])
        with pytest.raises(TypeError):
            opt.step()   # the closure is required
        assert opt.defaults["max_eval"] == 25


def test_lbfgs_stops_at_a_stationary_point():
    for lib in (ember, torch):
        params = [lib.ones(3, dtype=lib.float64, requires_grad=True),
                  lib.ones(2, 1, dtype=lib.float64, requires_grad=True)]
        opt = lib.optim.LBFGS(params)
        assert opt.step(make_closure(lib, opt, params)).item() == 0.0
        assert opt.state[params[0]]["func_evals"] == 1
        assert "d" not in opt.state[params[0]]


# -- the remaining checks --------------------------------------------------------------

@pytest.mark.parametrize("name,kwargs", [
    ("RMSprop", dict(lr=-1)), ("RMSprop", dict(eps=-1)), ("RMSprop", dict(momentum=-1)),
    ("RMSprop", dict(weight_decay=-1)), ("RMSprop", dict(alpha=-1)),
    ("Adagrad", dict(lr_decay=-1)), ("Adagrad", dict(initial_accumulator_value=-1)),
    ("Adagrad", dict(eps=-1)), ("Adagrad", dict(weight_decay=-1)),
    ("Adadelta", dict(rho=1.5)), ("Adadelta", dict(eps=-1)), ("Adadelta", dict(lr=-1)),
    ("Adamax", dict(betas=(1.0, 0.9))), ("Adamax", dict(betas=(0.9, -1))),
    ("NAdam", dict(momentum_decay=-1)), ("NAdam", dict(betas=(0.9, 1.0))),
    ("RAdam", dict(weight_decay=-1)), ("RAdam", dict(eps=-1)),
    ("ASGD", dict(lr=-1)), ("ASGD", dict(weight_decay=-1)),
    ("Rprop", dict(etas=(1.5, 2.0))), ("Rprop", dict(etas=(0.5, 0.9))),
    ("SparseAdam", dict(lr=0.0)), ("SparseAdam", dict(eps=0.0)),
    ("SparseAdam", dict(betas=(0.9, 1.0))),
])
def test_invalid_hyperparameters(name, kwargs):
    messages = []
    for lib in (ember, torch):
        p = lib.zeros(2, requires_grad=True)
        with pytest.raises(ValueError) as info:
            getattr(lib.optim, name)([p], **kwargs)
        messages.append(str(info.value))
    assert messages[0] == messages[1]


def test_sparse_adam_rejects_dense_gradients():
    for lib in (ember, torch):
        p = lib.zeros(2, requires_grad=True)
        opt = lib.optim.SparseAdam([p])
        p.grad = lib.ones(2)
        with pytest.raises(RuntimeError):
            opt.step()


def test_sparse_adam_update_rule_matches_torch():
    from ember.optim import _functional as F
    rng = np.random.default_rng(3)
    start = rng.standard_normal((6, 3))
    t_param = torch.tensor(start, requires_grad=True)
    t_opt = torch.optim.SparseAdam([t_param], lr=0.1, betas=(0.8, 0.9))
    param, exp_avg, exp_avg_sq = start.copy(), np.zeros((6, 3)), np.zeros((6, 3))
    for step in range(1, 6):
        indices = rng.integers(0, 6, size=4)
        values = rng.standard_normal((4, 3))
        t_param.grad = torch.sparse_coo_tensor(torch.tensor(indices)[None], torch.tensor(values),
                                               (6, 3), check_invariants=True)
        t_opt.step()
        F.sparse_adam([param], [(indices, values)], [exp_avg], [exp_avg_sq], [step], lr=0.1,
                      beta1=0.8, beta2=0.9, eps=1e-8)
        np.testing.assert_allclose(param, t_param.detach().numpy(), rtol=1e-9, atol=1e-12)


@pytest.mark.parametrize("name", ["RMSprop", "Adagrad", "Adadelta", "Adamax", "NAdam", "RAdam",
                                  "ASGD", "Rprop"])
def test_float32_and_flags(name):
    trajectories = []
    for flags in (dict(), dict(foreach=True), dict(differentiable=True),
                  dict(foreach=False, maximize=False)):
        p = ember.tensor([1.0, -2.0, 0.5], requires_grad=True)
        opt = getattr(ember.optim, name)([p], lr=0.01, **flags)
        for _ in range(3):
            opt.zero_grad()
            (p * p).sum().backward()
            opt.step()
        assert p.dtype == ember.float32
        for value in opt.state[p].values():
            if value.dim() > 0:
                assert value.dtype == ember.float32
        trajectories.append(p.detach().numpy().copy())
    for other in trajectories[1:]:
        np.testing.assert_array_equal(trajectories[0], other)
    t = torch.tensor([1.0, -2.0, 0.5], requires_grad=True)
    t_opt = getattr(torch.optim, name)([t], lr=0.01)
    for _ in range(3):
        t_opt.zero_grad()
        (t * t).sum().backward()
        t_opt.step()
    np.testing.assert_allclose(trajectories[0], t.detach().numpy(), rtol=1e-5, atol=1e-6)


def test_complex_parameters_follow_torch():
    results = []
    for lib in (ember, torch):
        out = []
        for name, kwargs in [("RMSprop", dict(lr=0.01, centered=True, momentum=0.5)),
                             ("Adagrad", dict(lr=0.1)), ("Adamax", dict(lr=0.01)),
                             ("NAdam", dict(lr=0.01)), ("RAdam", dict(lr=0.01)),
                             ("Rprop", dict(lr=0.01)), ("ASGD", dict(lr=0.01, t0=1)),
                             ("Adadelta", dict())]:
            p = lib.tensor([1 + 2j, -0.5 + 0.25j], dtype=lib.complex128, requires_grad=True)
            opt = getattr(lib.optim, name)([p], **kwargs)
            for _ in range(8):
                opt.zero_grad()
                (p * p.conj()).real.sum().backward()
                opt.step()
            out.append(p.detach().numpy().copy())
        results.append(out)
    for e, t in zip(*results):
        np.testing.assert_allclose(e, t, rtol=1e-6, atol=1e-9)


def test_params_without_grad_and_adagrad_eager_state():
    for lib in (ember, torch):
        a, b = lib.ones(2, requires_grad=True), lib.ones(2, requires_grad=True)
        opt = lib.optim.Adagrad([a, b], lr=0.1, initial_accumulator_value=0.5)
        assert list(opt.state_dict()["state"]) == [0, 1]
        a.grad = lib.ones(2)
        opt.step()
        assert b.tolist() == [1.0, 1.0]
        assert opt.state[b]["sum"].tolist() == [0.5, 0.5]
        opt2 = lib.optim.RMSprop([a, b], lr=0.1)
        opt2.step()
        assert list(opt2.state_dict()["state"]) == [0]


def test_closure_is_run_with_grad_enabled():
    for lib in (ember, torch):
        p = lib.ones(2, requires_grad=True)
        opt = lib.optim.NAdam([p])
        seen = []

        def closure():
            seen.append(lib.is_grad_enabled())
            opt.zero_grad()
            loss = (p * p).sum()
            loss.backward()
            return loss

        with lib.no_grad():
            assert opt.step(closure).item() == 2.0
        assert seen == [True]


# -- swa_utils ------------------------------------------------------------------------

def make_model(lib):
    return lib.nn.Sequential(lib.nn.Linear(3, 4), lib.nn.BatchNorm1d(4), lib.nn.Tanh(),
                             lib.nn.Linear(4, 2)).double()


def twin_models():
    torch.manual_seed(0)
    t_model = make_model(torch)
    e_model = make_model(ember)
    e_model.load_state_dict({k: ember.tensor(v.numpy().copy())
                             for k, v in t_model.state_dict().items()})
    return e_model, t_model


def assert_state_close(e_module, t_module):
    e_state, t_state = e_module.state_dict(), t_module.state_dict()
    assert list(e_state) == list(t_state)
    for key in t_state:
        assert str(e_state[key].dtype) == str(t_state[key].dtype), key
        np.testing.assert_allclose(e_state[key].numpy(), t_state[key].numpy(), rtol=1e-6,
                                   atol=1e-9, err_msg=key)


def swa_kwargs(lib, kind):
    swa = lib.optim.swa_utils
    return {"swa": dict(), "ema_multi": dict(multi_avg_fn=swa.get_ema_multi_avg_fn(0.8)),
            "ema_avg_fn": dict(avg_fn=swa.get_ema_avg_fn(0.7)),
            "ema_multi_buffers": dict(multi_avg_fn=swa.get_ema_multi_avg_fn(0.6),
                                      use_buffers=True),
            "swa_buffers": dict(use_buffers=True),
            "swa_avg_fn": dict(avg_fn=swa.get_swa_avg_fn())}[kind]


@pytest.mark.parametrize("kind", ["swa", "ema_multi", "ema_avg_fn", "ema_multi_buffers",
                                  "swa_buffers", "swa_avg_fn"])
def test_averaged_model_matches_torch(kind):
    e_model, t_model = twin_models()
    rng = np.random.default_rng(0)
    batches = [(rng.standard_normal((5, 3)), rng.standard_normal((5, 2))) for _ in range(6)]
    averaged = []
    for lib, model in ((ember, e_model), (torch, t_model)):
        avg = lib.optim.swa_utils.AveragedModel(model, **swa_kwargs(lib, kind))
        opt = lib.optim.SGD(model.parameters(), lr=0.1)
        for x, y in batches:
            opt.zero_grad()
            ((model(lib.tensor(x)) - lib.tensor(y)) ** 2).mean().backward()
            opt.step()
            avg.update_parameters(model)
        averaged.append(avg)
        assert int(avg.n_averaged) == len(batches)
    assert_state_close(*averaged)
    x = rng.standard_normal((4, 3))
    averaged[0].eval()
    averaged[1].eval()
    np.testing.assert_allclose(averaged[0](ember.tensor(x)).detach().numpy(),
                               averaged[1](torch.tensor(x)).detach().numpy(), rtol=1e-6)
    # update_bn recomputes the BatchNorm statistics of the averaged weights
    loader = [(rng.standard_normal((5, 3)), 0) for _ in range(3)]
    for lib, avg in ((ember, averaged[0]), (torch, averaged[1])):
        lib.optim.swa_utils.update_bn([(lib.tensor(x), y) for x, y in loader], avg)
        assert not avg.training   # the mode is restored
    assert_state_close(*averaged)


def test_update_bn_restores_momentum_and_skips_models_without_bn():
    e_model, t_model = twin_models()
    rng = np.random.default_rng(1)
    loader = [rng.standard_normal((6, 3)) for _ in range(4)]
    for lib, model in ((ember, e_model), (torch, t_model)):
        model.train()
        model[1].momentum = 0.3
        lib.optim.swa_utils.update_bn([lib.tensor(x) for x in loader], model)
        assert model[1].momentum == 0.3 and model.training
        lib.optim.swa_utils.update_bn(loader, lib.nn.Linear(2, 2))   # no BatchNorm: no-op
    assert_state_close(e_model, t_model)


def test_swa_errors_match_torch():
    for lib in (ember, torch):
        swa = lib.optim.swa_utils
        with pytest.raises(ValueError):
            swa.get_ema_multi_avg_fn(1.5)
        with pytest.raises(ValueError):
            swa.get_ema_avg_fn(-0.1)
        with pytest.raises(AssertionError):
            swa.AveragedModel(lib.nn.Linear(2, 2), avg_fn=swa.get_swa_avg_fn(),
                              multi_avg_fn=swa.get_swa_multi_avg_fn())
        opt = lib.optim.SGD(lib.nn.Linear(2, 2).parameters(), lr=0.1)
        with pytest.raises(ValueError):
            swa.SWALR(opt, swa_lr=0.05, anneal_strategy="exp")
        with pytest.raises(ValueError):
            swa.SWALR(opt, swa_lr=0.05, anneal_epochs=-1)
        with pytest.raises(ValueError):
            swa.SWALR(opt, swa_lr=[0.05, 0.1])


@pytest.mark.parametrize("name", ["RMSprop", "Adagrad", "Adadelta", "Adamax", "NAdam", "RAdam",
                                  "ASGD", "Rprop"])
def test_tensor_lr_matches_torch(name):
    results = []
    for lib in (ember, torch):
        params = make_params(lib)
        x, y = make_data(lib)
        opt = getattr(lib.optim, name)(params, lr=lib.tensor(0.02))
        for _ in range(4):
            train_step(opt, params, x, y)
        results.append([p.detach().numpy().copy() for p in params])
    for e, t in zip(*results):
        np.testing.assert_allclose(e, t, rtol=1e-6, atol=1e-9)

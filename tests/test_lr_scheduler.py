"""ember.optim.lr_scheduler against torch's: lr (and momentum) trajectories over 20 steps.

Each scheduler drives an optimizer with two param groups on the small float64 MLP of
test_optim; after every step the learning rates, momenta/betas and parameters must
agree with torch.  Midway both the optimizer and the scheduler are rebuilt and
restored from their state_dicts.
"""
import math
import pickle
import warnings

import numpy as np
import pytest
import torch

import ember
from test_optim import assert_params_close, make_data, make_params, train_step

STEPS = 20
METRICS = [1.0, 0.9, 0.9, 0.9, 0.95, 0.89, 0.88, 0.88, 0.88, 0.88,
           0.5, 0.5, 0.5, 0.5, 0.5, 0.49999, 0.4, 0.4, 0.4, 0.4]


def sgd(lib, params):
    return lib.optim.SGD([{"params": params[:2]}, {"params": params[2:], "lr": 0.05}],
                         lr=0.1, momentum=0.9)


def adam(lib, params):
    return lib.optim.Adam([{"params": params[:2]}, {"params": params[2:], "lr": 0.02}],
                          lr=0.01)


CASES = {
    "StepLR": (sgd, lambda m, o: m.StepLR(o, step_size=3, gamma=0.5)),
    "MultiStepLR": (sgd, lambda m, o: m.MultiStepLR(o, milestones=[2, 5, 5, 9], gamma=0.5)),
    "ExponentialLR": (adam, lambda m, o: m.ExponentialLR(o, gamma=0.9)),
    "CosineAnnealingLR": (sgd, lambda m, o: m.CosineAnnealingLR(o, T_max=7, eta_min=0.01)),
    "LambdaLR": (sgd, lambda m, o: m.LambdaLR(o, lambda epoch: 0.95 ** epoch)),
    "LambdaLR-per-group": (adam, lambda m, o: m.LambdaLR(
        o, [lambda epoch: 1 / (epoch + 1), lambda epoch: 0.9 ** epoch])),
    "LinearLR": (sgd, lambda m, o: m.LinearLR(o, start_factor=0.25, total_iters=8)),
    "LinearLR-decay": (adam, lambda m, o: m.LinearLR(o, start_factor=1.0, end_factor=0.1,
                                                     total_iters=12)),
    "OneCycleLR-sgd": (sgd, lambda m, o: m.OneCycleLR(o, max_lr=[0.5, 0.2], total_steps=25)),
    "OneCycleLR-adam-linear": (adam, lambda m, o: m.OneCycleLR(
        o, max_lr=0.05, epochs=4, steps_per_epoch=5, anneal_strategy="linear",
        pct_start=0.4, div_factor=10.0, final_div_factor=100.0)),
    "OneCycleLR-three-phase": (sgd, lambda m, o: m.OneCycleLR(
        o, max_lr=0.3, total_steps=21, three_phase=True, base_momentum=0.8,
        max_momentum=0.9)),
    "OneCycleLR-no-momentum": (adam, lambda m, o: m.OneCycleLR(
        o, max_lr=0.05, total_steps=20, cycle_momentum=False)),
    "ReduceLROnPlateau": (sgd, lambda m, o: m.ReduceLROnPlateau(o, patience=2, factor=0.5)),
    "ReduceLROnPlateau-abs-cooldown": (adam, lambda m, o: m.ReduceLROnPlateau(
        o, patience=1, factor=0.5, threshold=0.05, threshold_mode="abs", cooldown=2,
        min_lr=[0.004, 0.001])),
    "ReduceLROnPlateau-max": (sgd, lambda m, o: m.ReduceLROnPlateau(
        o, mode="max", patience=0, factor=0.7, min_lr=0.02)),
}


def group_hyper(opt):
    """What the scheduler may change in each group."""
    out = []
    for group in opt.param_groups:
        out.append((group["lr"], group.get("momentum"), tuple(group.get("betas", ()))))
    return out


def scheduler_step(sched, lib, step):
    if "ReduceLROnPlateau" in type(sched).__name__:
        metric = METRICS[step - 1]
        if sched.mode == "max":
            metric = -metric
        sched.step(lib.tensor(metric) if step % 2 else metric)
    else:
        sched.step()


@pytest.mark.parametrize("reload", [False, True], ids=["straight", "state_dict_round_trip"])
@pytest.mark.parametrize("name", list(CASES))
def test_schedule_matches_torch(name, reload):
    make_opt, make_sched = CASES[name]
    e_params, t_params = make_params(ember), make_params(torch)
    ex, ey = make_data(ember)
    tx, ty = make_data(torch)
    e_opt, t_opt = make_opt(ember, e_params), make_opt(torch, t_params)
    e_sched = make_sched(ember.optim.lr_scheduler, e_opt)
    t_sched = make_sched(torch.optim.lr_scheduler, t_opt)
    assert e_sched.get_last_lr() == pytest.approx(t_sched.get_last_lr(), rel=1e-12)
    for step in range(1, STEPS + 1):
        train_step(e_opt, e_params, ex, ey)
        train_step(t_opt, t_params, tx, ty)
        scheduler_step(e_sched, ember, step)
        scheduler_step(t_sched, torch, step)
        np.testing.assert_allclose(e_sched.get_last_lr(), t_sched.get_last_lr(), rtol=1e-9,
                                   err_msg=f"step {step}")
        for e_group, t_group in zip(group_hyper(e_opt), group_hyper(t_opt)):
            np.testing.assert_allclose(np.array(e_group[0]), np.array(t_group[0]), rtol=1e-9)
            assert (e_group[1] is None) == (t_group[1] is None)
            if t_group[1] is not None:
                assert e_group[1] == pytest.approx(t_group[1], rel=1e-9)
            assert e_group[2] == pytest.approx(t_group[2], rel=1e-9)
        assert_params_close(e_params, t_params, step)
        if reload and step == STEPS // 2:
            opt_state = pickle.loads(pickle.dumps(e_opt.state_dict()))
            sched_state = e_sched.state_dict()
            t_state = t_sched.state_dict()
            assert set(sched_state) == set(t_state)
            sched_state = pickle.loads(pickle.dumps(sched_state))
            e_opt = make_opt(ember, e_params)
            e_sched = make_sched(ember.optim.lr_scheduler, e_opt)
            e_opt.load_state_dict(opt_state)
            e_sched.load_state_dict(sched_state)


def test_initial_lr_and_base_lrs():
    for lib in (ember, torch):
        params = make_params(lib)
        opt = sgd(lib, params)
        sched = lib.optim.lr_scheduler.StepLR(opt, 2)
        assert [g["initial_lr"] for g in opt.param_groups] == [0.1, 0.05]
        assert sched.base_lrs == [0.1, 0.05]
        assert sched.last_epoch == 0
        with pytest.raises(KeyError):
            lib.optim.lr_scheduler.StepLR(sgd(lib, params), 2, last_epoch=3)


def test_scheduler_before_optimizer_warns():
    for lib in (ember, torch):
        opt = sgd(lib, make_params(lib))
        sched = lib.optim.lr_scheduler.ExponentialLR(opt, 0.5)
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            sched.step()
        assert any("optimizer.step()" in str(w.message) for w in caught), lib
        opt2 = sgd(lib, make_params(lib))
        sched2 = lib.optim.lr_scheduler.ExponentialLR(opt2, 0.5)
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            opt2.step()
            sched2.step()
        assert not caught


def test_onecycle_errors_match_torch():
    for lib in (ember, torch):
        module = lib.optim.lr_scheduler
        opt = sgd(lib, make_params(lib))
        with pytest.raises(ValueError):
            module.OneCycleLR(opt, max_lr=1.0)
        with pytest.raises(ValueError):
            module.OneCycleLR(opt, max_lr=1.0, total_steps=0)
        with pytest.raises(ValueError):
            module.OneCycleLR(opt, max_lr=1.0, total_steps=5, anneal_strategy="exp")
        with pytest.raises(ValueError):
            module.OneCycleLR(opt, max_lr=[1.0], total_steps=5)
        sched = module.OneCycleLR(opt, max_lr=1.0, total_steps=2)
        opt.step()
        sched.step()
        sched.step()
        with pytest.raises(ValueError):
            sched.step()


def test_other_constructor_errors_match_torch():
    for lib in (ember, torch):
        module = lib.optim.lr_scheduler
        opt = sgd(lib, make_params(lib))
        with pytest.raises(ValueError):
            module.LinearLR(opt, start_factor=0)
        with pytest.raises(ValueError):
            module.LinearLR(opt, end_factor=1.5)
        with pytest.raises(ValueError):
            module.LambdaLR(opt, [lambda e: 1.0])
        with pytest.raises(ValueError):
            module.ReduceLROnPlateau(opt, factor=1.0)
        with pytest.raises(ValueError):
            module.ReduceLROnPlateau(opt, mode="middle")
        with pytest.raises(ValueError):
            module.ReduceLROnPlateau(opt, threshold_mode="relative")
        with pytest.raises(TypeError):
            module.StepLR(object(), 2)


def test_closed_form_with_epoch_argument():
    for lib in (ember, torch):
        opt = sgd(lib, make_params(lib))
        sched = lib.optim.lr_scheduler.StepLR(opt, step_size=2, gamma=0.5)
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            sched.step(5)
        assert sched.get_last_lr() == pytest.approx([0.1 * 0.25, 0.05 * 0.25])


def test_tensor_lr_is_updated_in_place():
    p = ember.zeros(2, requires_grad=True)
    lr = ember.tensor(0.1)
    opt = ember.optim.Adam([p], lr=lr)
    sched = ember.optim.lr_scheduler.ExponentialLR(opt, gamma=0.5)
    opt.step()
    sched.step()
    assert opt.param_groups[0]["lr"] is lr
    assert math.isclose(lr.item(), 0.05, rel_tol=1e-6)

"""The remaining lr schedulers against torch's: lr, momentum and parameter trajectories.

Same harness as test_lr_scheduler (two param groups on the float64 MLP of test_optim):
after every one of 24 steps the learning rates, momenta/betas and parameters must
agree with torch; midway, optimizer and scheduler are rebuilt from state_dicts.
"""
import math
import pickle
import warnings

import numpy as np
import pytest
import torch

import ember
from test_lr_scheduler import adam, group_hyper, sgd
from test_optim import assert_params_close, make_data, make_params, train_step

STEPS = 24


class Halving:
    """A callable object: its state (``calls``) survives a state_dict round trip."""

    def __init__(self):
        self.calls = 0

    def __call__(self, epoch):
        self.calls += 1
        return 0.5 if epoch % 5 == 0 else 1.0


def swa(module):
    """The swa_utils module next to the given lr_scheduler module (ember's or torch's)."""
    return (torch if module.__name__.startswith("torch") else ember).optim.swa_utils


CASES = {
    "SWALR-cos": (sgd, lambda m, o: swa(m).SWALR(o, swa_lr=0.02, anneal_epochs=5)),
    "SWALR-linear-per-group": (adam, lambda m, o: swa(m).SWALR(
        o, swa_lr=[0.001, 0.05], anneal_epochs=7, anneal_strategy="linear")),
    "SWALR-no-anneal": (sgd, lambda m, o: swa(m).SWALR(o, swa_lr=0.03, anneal_epochs=0)),
    "SWALR-after-cosine": (sgd, lambda m, o: m.SequentialLR(
        o, [m.CosineAnnealingLR(o, T_max=8), swa(m).SWALR(o, swa_lr=0.05, anneal_epochs=3)],
        milestones=[8])),
    "MultiplicativeLR": (sgd, lambda m, o: m.MultiplicativeLR(o, lambda epoch: 0.95)),
    "MultiplicativeLR-per-group": (adam, lambda m, o: m.MultiplicativeLR(
        o, [lambda epoch: 0.9 if epoch < 5 else 1.01, Halving()])),
    "ConstantLR": (sgd, lambda m, o: m.ConstantLR(o, factor=0.25, total_iters=6)),
    "ConstantLR-default": (adam, lambda m, o: m.ConstantLR(o)),
    "PolynomialLR": (sgd, lambda m, o: m.PolynomialLR(o, total_iters=15, power=2.0)),
    "PolynomialLR-linear": (adam, lambda m, o: m.PolynomialLR(o, total_iters=10)),
    "CosineAnnealingWarmRestarts": (sgd, lambda m, o: m.CosineAnnealingWarmRestarts(
        o, T_0=5, eta_min=0.001)),
    "CosineAnnealingWarmRestarts-Tmult": (adam, lambda m, o: m.CosineAnnealingWarmRestarts(
        o, T_0=3, T_mult=2)),
    "CyclicLR-triangular": (sgd, lambda m, o: m.CyclicLR(o, base_lr=0.01, max_lr=[0.1, 0.2],
                                                         step_size_up=4)),
    "CyclicLR-triangular2": (sgd, lambda m, o: m.CyclicLR(
        o, base_lr=[0.01, 0.02], max_lr=0.1, step_size_up=3, step_size_down=2,
        mode="triangular2", base_momentum=0.7, max_momentum=0.95)),
    "CyclicLR-exp_range-adam": (adam, lambda m, o: m.CyclicLR(
        o, base_lr=0.001, max_lr=0.02, step_size_up=3, mode="exp_range", gamma=0.95)),
    "CyclicLR-scale_fn-iterations": (sgd, lambda m, o: m.CyclicLR(
        o, base_lr=0.01, max_lr=0.1, step_size_up=2, scale_fn=lambda x: 1 / (1 + 0.1 * x),
        scale_mode="iterations", cycle_momentum=False)),
    "CyclicLR-scale_fn-cycle": (adam, lambda m, o: m.CyclicLR(
        o, base_lr=0.001, max_lr=0.01, step_size_up=2, scale_fn=lambda x: 0.8 ** x)),
    "SequentialLR": (sgd, lambda m, o: m.SequentialLR(
        o, [m.ConstantLR(o, factor=0.5, total_iters=3), m.ExponentialLR(o, gamma=0.9)],
        milestones=[4])),
    "SequentialLR-three": (adam, lambda m, o: m.SequentialLR(
        o, [m.LinearLR(o, start_factor=0.2, total_iters=4), m.StepLR(o, 3, 0.5),
            m.CosineAnnealingLR(o, T_max=6)], milestones=[5, 12])),
    "ChainedScheduler": (sgd, lambda m, o: m.ChainedScheduler(
        [m.ConstantLR(o, factor=0.5, total_iters=4), m.ExponentialLR(o, gamma=0.9)])),
    "ChainedScheduler-three": (adam, lambda m, o: m.ChainedScheduler(
        [m.LinearLR(o, start_factor=0.5, total_iters=5), m.MultiStepLR(o, [3, 9], 0.5),
         m.PolynomialLR(o, total_iters=30)], optimizer=o)),
}


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
    np.testing.assert_allclose(e_sched.get_last_lr(), t_sched.get_last_lr(), rtol=1e-12)
    for step in range(1, STEPS + 1):
        train_step(e_opt, e_params, ex, ey)
        train_step(t_opt, t_params, tx, ty)
        e_sched.step()
        t_sched.step()
        np.testing.assert_allclose(e_sched.get_last_lr(), t_sched.get_last_lr(), rtol=1e-9,
                                   err_msg=f"step {step}")
        for e_group, t_group in zip(group_hyper(e_opt), group_hyper(t_opt)):
            assert e_group[0] == pytest.approx(t_group[0], rel=1e-9)
            assert (e_group[1] is None) == (t_group[1] is None)
            if t_group[1] is not None:
                assert e_group[1] == pytest.approx(t_group[1], rel=1e-9)
            assert e_group[2] == pytest.approx(t_group[2], rel=1e-9)
        assert_params_close(e_params, t_params, step)
        if reload and step == STEPS // 2:
            opt_state = pickle.loads(pickle.dumps(e_opt.state_dict()))
            sched_state = e_sched.state_dict()
            assert set(sched_state) == set(t_sched.state_dict())
            sched_state = pickle.loads(pickle.dumps(sched_state))
            e_opt = make_opt(ember, e_params)
            e_sched = make_sched(ember.optim.lr_scheduler, e_opt)
            e_opt.load_state_dict(opt_state)
            e_sched.load_state_dict(sched_state)


def test_callable_object_state_survives_round_trip():
    for lib in (ember, torch):
        opt = sgd(lib, make_params(lib))
        fn = Halving()
        sched = lib.optim.lr_scheduler.MultiplicativeLR(opt, [fn, fn])
        opt.step()
        sched.step()
        saved = sched.state_dict()
        assert saved["lr_lambdas"] == [{"calls": 2}, {"calls": 2}]
        fresh = Halving()
        other = lib.optim.lr_scheduler.MultiplicativeLR(sgd(lib, make_params(lib)), fresh)
        other.load_state_dict(saved)
        assert fresh.calls == 2


@pytest.mark.parametrize("T_mult", [1, 2, 3])
def test_warm_restarts_fractional_epochs(T_mult):
    epochs = [0.0, 0.5, 1.25, 2.9, 3.0, 4.4, 7.5, 9.0, 13.2, 21.7, 40.0, 12.0, 0.3]
    lrs = []
    for lib in (ember, torch):
        opt = sgd(lib, make_params(lib))
        sched = lib.optim.lr_scheduler.CosineAnnealingWarmRestarts(opt, T_0=3, T_mult=T_mult,
                                                                   eta_min=0.002)
        opt.step()
        out = []
        for epoch in epochs:
            sched.step(epoch)
            out.append(sched.get_last_lr() + [sched.T_cur, sched.T_i, sched.last_epoch])
        sched.step()   # and a plain step continues from the last fractional one
        out.append(sched.get_last_lr() + [sched.T_cur, sched.T_i, sched.last_epoch])
        lrs.append(out)
    np.testing.assert_allclose(np.array(lrs[0], dtype=float), np.array(lrs[1], dtype=float),
                               rtol=1e-9, atol=1e-12)


def test_constructor_errors_match_torch():
    for lib in (ember, torch):
        m = lib.optim.lr_scheduler
        opt = sgd(lib, make_params(lib))
        other = sgd(lib, make_params(lib))
        bad = [
            (ValueError, lambda: m.ConstantLR(opt, factor=1.5)),
            (ValueError, lambda: m.ConstantLR(opt, factor=-0.1)),
            (ValueError, lambda: m.MultiplicativeLR(opt, [lambda e: 1.0])),
            (TypeError, lambda: m.MultiplicativeLR(opt, 0.5)),
            (ValueError, lambda: m.CosineAnnealingWarmRestarts(opt, T_0=0)),
            (ValueError, lambda: m.CosineAnnealingWarmRestarts(opt, T_0=2.5)),
            (ValueError, lambda: m.CosineAnnealingWarmRestarts(opt, T_0=2, T_mult=0)),
            (ValueError, lambda: m.CosineAnnealingWarmRestarts(opt, T_0=2, eta_min="0")),
            (ValueError, lambda: m.CyclicLR(opt, 0.1, 1.0, mode="sawtooth")),
            (ValueError, lambda: m.CyclicLR(opt, [0.1], 1.0)),
            (ValueError, lambda: m.CyclicLR(lib.optim.Adagrad(make_params(lib)), 0.1, 1.0)),
            (ValueError, lambda: m.SequentialLR(opt, [], milestones=[])),
            (ValueError, lambda: m.SequentialLR(opt, [m.StepLR(opt, 2)], milestones=[3])),
            (ValueError, lambda: m.SequentialLR(opt, [m.StepLR(other, 2)], milestones=[])),
            (ValueError, lambda: m.SequentialLR(opt, [m.ReduceLROnPlateau(opt)], [])),
            (TypeError, lambda: m.SequentialLR(opt, [object()], milestones=[])),
            (ValueError, lambda: m.ChainedScheduler([])),
            (ValueError, lambda: m.ChainedScheduler([m.StepLR(opt, 2), m.StepLR(other, 2)])),
        ]
        for error, make in bad:
            with pytest.raises(error):
                make()
        sched = m.CosineAnnealingWarmRestarts(opt, T_0=2)
        with pytest.raises(ValueError):
            sched.step(-1)


def test_cyclic_lr_without_cycle_momentum_leaves_adagrad_alone():
    results = []
    for lib in (ember, torch):
        opt = lib.optim.Adagrad(make_params(lib), lr=0.1)
        sched = lib.optim.lr_scheduler.CyclicLR(opt, 0.01, 0.1, step_size_up=3,
                                                cycle_momentum=False)
        out = []
        for _ in range(8):
            opt.step()
            sched.step()
            out.append(sched.get_last_lr()[0])
        results.append(out)
        assert "momentum" not in opt.param_groups[0]
    np.testing.assert_allclose(results[0], results[1], rtol=1e-12)


def test_closed_forms_with_epoch_argument():
    for name, make in [("ConstantLR", lambda m, o: m.ConstantLR(o, 0.5, 4)),
                       ("PolynomialLR", lambda m, o: m.PolynomialLR(o, 8, 2.0))]:
        results = []
        for lib in (ember, torch):
            opt = sgd(lib, make_params(lib))
            sched = make(lib.optim.lr_scheduler, opt)
            out = []
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")
                for epoch in (3, 4, 6, 10, 2):
                    sched.step(epoch)
                    out.append(sched.get_last_lr())
            results.append(out)
        np.testing.assert_allclose(results[0], results[1], rtol=1e-12, err_msg=name)


def test_sequential_lr_first_lr_and_milestone_restart():
    for lib in (ember, torch):
        m = lib.optim.lr_scheduler
        opt = sgd(lib, make_params(lib))
        sched = m.SequentialLR(opt, [m.ConstantLR(opt, 0.1, 10), m.ExponentialLR(opt, 0.5)],
                               milestones=[2])
        lrs = [sched.get_last_lr()[0]]
        for _ in range(4):
            opt.step()
            sched.step()
            lrs.append(sched.get_last_lr()[0])
        assert lrs == pytest.approx([0.01, 0.01, 0.1, 0.05, 0.025]), lib
        assert math.isclose(opt.param_groups[0]["initial_lr"], 0.1)

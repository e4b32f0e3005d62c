"""ember.optim, gradient clipping and SWA on cuda parameters, against torch.optim on the cpu.

Every optimizer configuration of test_optim / test_optim_extra steps float64 cuda
parameters and must follow torch's trajectory (torch on the cpu is the oracle).  The
gradients are computed by torch for ember's current parameter values and copied onto
the device, so these tests exercise the optimizers alone; end-to-end training through
ember's own ops on cuda is tests/test_cuda_training.py.  The state must live where
torch keeps it: buffers on the parameters' device, counters (``step``...) on the cpu
except for ASGD and ``capturable``/``fused`` groups.

Runs when ember has a cuda device: a GPU with CuPy, or the CuPy emulator
(``EMBER_EMULATE_CUDA=1``, see tests/conftest.py).
"""
import math
import pickle

import numpy as np
import pytest
import torch

import ember
from test_optim import CONFIGS as BASIC_CONFIGS
from test_optim import config_id, groups_of, loss_fn, make_data, make_params, to_ember
from test_optim_extra import CONFIGS as EXTRA_CONFIGS
from test_optim_extra import LBFGS_CONFIGS, rosenbrock, rosenbrock_params

pytestmark = pytest.mark.skipif(not ember.cuda.is_available(),
                                reason="no cuda device (CuPy and a GPU) for ember")

CONFIGS = BASIC_CONFIGS + EXTRA_CONFIGS
CUDA = "cuda"
CUDA_STEPS = 12
RELOADS = (5, 10)
# torch keeps these counters on the parameters' device for a cuda parameter.
ON_DEVICE_COUNTERS = {"ASGD": ("step", "eta", "mu")}


def cuda_params(params):
    return [p.detach().to(CUDA).requires_grad_() for p in params]


def host(t):
    return t.detach().cpu().numpy()


def set_grads_from_torch(e_params, loss_of=None):
    """Give each cuda parameter torch's gradient of the test loss at its current value;
    returns the loss (a Python float)."""
    t_params = [torch.tensor(host(p), requires_grad=True) for p in e_params]
    loss = (loss_of or _mlp_loss)(t_params)
    loss.backward()
    for e, t in zip(e_params, t_params):
        e.grad = ember.tensor(t.grad.numpy()).to(CUDA)
    return loss.item()


def _mlp_loss(t_params):
    return loss_fn(t_params, *make_data(torch))


def torch_step(opt, params):
    opt.zero_grad()
    _mlp_loss(params).backward()
    opt.step()


def assert_on_cuda_and_close(e_params, t_params, step):
    for e, t in zip(e_params, t_params):
        assert e.device.type == "cuda" and e._data.__class__ is not np.ndarray
        np.testing.assert_allclose(host(e), t.detach().numpy(), rtol=1e-7, atol=1e-9,
                                   err_msg=f"after step {step}")


def assert_state_devices(name, opt, loaded=None):
    """Buffers on the parameter's device; counters on the cpu unless torch moves them.

    NOTE: torch's load_state_dict moves every loaded state tensor but ``step`` to the
    parameter's device (NAdam's ``mu_product`` too), so after a reload only ``step``
    stays where it was saved (``loaded`` is None, "ember" or "torch": a cpu state)."""
    for p, state in opt.state.items():
        for key, value in state.items():
            if not isinstance(value, ember.Tensor):
                continue
            on_device = (value.dim() > 0 or (loaded and key != "step")
                         or (key in ON_DEVICE_COUNTERS.get(name, ())
                             and not (key == "step" and loaded == "torch")))
            expected = p.device if on_device else ember.device("cpu")
            assert value.device == expected, (name, key, value.device)


@pytest.mark.parametrize("config", CONFIGS, ids=[config_id(c) for c in CONFIGS])
def test_trajectory_on_cuda_matches_torch(config):
    """CUDA_STEPS float64 steps with two param groups; the ember optimizer is rebuilt
    from its own pickled state_dict (cuda tensors) after step 5 and from torch's cpu
    state_dict after step 10, which must move the state onto the device."""
    name, kwargs = config
    e_params, t_params = cuda_params(make_params(ember)), make_params(torch)
    e_opt = getattr(ember.optim, name)(groups_of(e_params, True), **kwargs)
    t_opt = getattr(torch.optim, name)(groups_of(t_params, True), **kwargs)
    for step in range(1, CUDA_STEPS + 1):
        e_opt.zero_grad()
        set_grads_from_torch(e_params)
        e_opt.step()
        torch_step(t_opt, t_params)
        assert_on_cuda_and_close(e_params, t_params, step)
        assert_state_devices(name, e_opt, loaded=None if step <= RELOADS[0] else
                             "ember" if step <= RELOADS[1] else "torch")
        if step == RELOADS[0]:
            saved = e_opt.state_dict()
            for state in saved["state"].values():   # state_dict() holds the device tensors
                assert any(v.device.type == "cuda" for v in state.values()
                           if isinstance(v, ember.Tensor))
            saved = pickle.loads(pickle.dumps(saved))
        elif step == RELOADS[1]:
            saved = to_ember(t_opt.state_dict())   # cpu tensors
        else:
            continue
        e_opt = getattr(ember.optim, name)(groups_of(e_params, True), lr=123.0)
        e_opt.load_state_dict(saved)
        if step == RELOADS[1]:
            for p, state in e_opt.state.items():
                for key, value in state.items():
                    # NOTE: torch moves all loaded state but ``step`` to the param's device.
                    want = "cpu" if key == "step" else "cuda"
                    assert value.device.type == want, (key, value.device)


def test_load_cpu_state_moves_buffers_to_cuda_and_keeps_step_on_cpu():
    e_cpu = make_params(ember)
    cpu_opt = ember.optim.Adam(e_cpu, lr=0.01, amsgrad=True)
    for p in e_cpu:
        p.grad = ember.ones_like(p)
    cpu_opt.step()
    e_params = cuda_params(e_cpu)
    opt = ember.optim.Adam(e_params, lr=0.01, amsgrad=True)
    opt.load_state_dict(cpu_opt.state_dict())
    for p in e_params:
        state = opt.state[p]
        assert state["step"].device.type == "cpu"
        for key in ("exp_avg", "exp_avg_sq", "max_exp_avg_sq"):
            assert state[key].device == p.device and state[key].dtype == p.dtype
    # the cpu optimizer's state was copied, not shared
    assert cpu_opt.state[e_cpu[0]]["exp_avg"].device.type == "cpu"


@pytest.mark.parametrize("flag", ["capturable", "fused"])
def test_capturable_and_fused_keep_step_on_the_device(flag):
    """torch keeps ``step`` on the parameters' device for capturable/fused groups, also
    when such a state is loaded from the cpu (as float32)."""
    e_params = cuda_params(make_params(ember))
    opt = ember.optim.Adam(e_params, lr=0.01, **{flag: True})
    set_grads_from_torch(e_params)
    opt.step()
    assert all(s["step"].device.type == "cuda" for s in opt.state.values())
    t_params = make_params(torch)
    t_opt = torch.optim.Adam(t_params, lr=0.01)
    torch_step(t_opt, t_params)
    cpu_state = to_ember(t_opt.state_dict())
    for group in cpu_state["param_groups"]:
        group[flag] = True
    opt2 = ember.optim.Adam(e_params, lr=0.01, **{flag: True})
    opt2.load_state_dict(cpu_state)
    for state in opt2.state.values():
        assert state["step"].device.type == "cuda" and state["step"].dtype == ember.float32


@pytest.mark.parametrize("kwargs", LBFGS_CONFIGS[:2], ids=[str(c) for c in LBFGS_CONFIGS[:2]])
def test_lbfgs_on_cuda_matches_torch(kwargs):
    """LBFGS keeps its flat direction and history on the device and follows torch on
    the Rosenbrock function; a reload from torch's cpu state continues the path."""
    e_params, t_params = cuda_params(rosenbrock_params(ember)), rosenbrock_params(torch)
    e_opt, t_opt = ember.optim.LBFGS(e_params, **kwargs), torch.optim.LBFGS(t_params, **kwargs)

    def e_closure():
        e_opt.zero_grad()
        return ember.tensor(set_grads_from_torch(e_params, lambda ps: rosenbrock(torch, ps)),
                            dtype=ember.float64)

    def t_closure():
        t_opt.zero_grad()
        loss = rosenbrock(torch, t_params)
        loss.backward()
        return loss

    for step in range(1, 9):
        e_loss, t_loss = e_opt.step(e_closure), t_opt.step(t_closure)
        assert e_loss.item() == pytest.approx(t_loss.item(), rel=1e-9)
        assert_on_cuda_and_close(e_params, t_params, step)
        state = e_opt.state[e_params[0]]
        assert state["d"].device.type == "cuda"
        assert state["prev_flat_grad"].device.type == "cuda"
        assert all(h.device.type == "cuda" for h in state["old_dirs"] + state["old_stps"])
        if step == 4:
            e_opt = ember.optim.LBFGS(e_params, **kwargs)
            e_opt.load_state_dict(to_ember(t_opt.state_dict()))
            assert e_opt.state[e_params[0]]["d"].device.type == "cuda"


def test_sparse_adam_refuses_dense_cuda_gradients():
    for lib, device in ((ember, CUDA), (torch, "cpu")):
        w = lib.zeros(3, requires_grad=True, device=device)
        opt = lib.optim.SparseAdam([w])
        (w * 2).sum().backward() if lib is torch else setattr(w, "grad", lib.ones(3).to(device))
        with pytest.raises(RuntimeError):
            opt.step()


def test_lr_scheduler_drives_a_cuda_optimizer():
    e_params, t_params = cuda_params(make_params(ember)), make_params(torch)
    e_opt = ember.optim.SGD(e_params, lr=0.1, momentum=0.9)
    t_opt = torch.optim.SGD(t_params, lr=0.1, momentum=0.9)
    e_sched = ember.optim.lr_scheduler.OneCycleLR(e_opt, max_lr=0.2, total_steps=6)
    t_sched = torch.optim.lr_scheduler.OneCycleLR(t_opt, max_lr=0.2, total_steps=6)
    for step in range(1, 6):
        e_opt.zero_grad()
        set_grads_from_torch(e_params)
        e_opt.step()
        torch_step(t_opt, t_params)
        e_sched.step()
        t_sched.step()
        assert e_opt.param_groups[0]["lr"] == pytest.approx(t_opt.param_groups[0]["lr"])
        assert_on_cuda_and_close(e_params, t_params, step)


# -- gradient clipping on the device ----------------------------------------------------

def _grads(lib, device, dtype, empty=True):
    rng = np.random.default_rng(3)
    params = []
    for shape in [(4, 3), (5,), (0,), ()] if empty else [(4, 3), (5,), ()]:
        p = lib.zeros(shape, dtype=dtype).to(device).requires_grad_()
        p.grad = lib.tensor(rng.standard_normal(shape) * 3).to(dtype).to(device)
        params.append(p)
    return params


@pytest.mark.parametrize("dtype", ["float64", "float32"])
@pytest.mark.parametrize("norm_type", [2.0, 1.0, math.inf, -math.inf, 0.0, 3.0])
def test_clip_grad_norm_on_cuda_matches_torch(norm_type, dtype):
    if math.isinf(norm_type):
        # (no identity for max/min: torch refuses an empty gradient; so does ember)
        for lib, dev in ((ember, CUDA), (torch, "cpu")):
            with pytest.raises(RuntimeError):
                lib.nn.utils.clip_grad_norm_(_grads(lib, dev, getattr(lib, dtype)), 1.0,
                                             norm_type=norm_type)
    empty = not math.isinf(norm_type)
    e_params = _grads(ember, CUDA, getattr(ember, dtype), empty)
    t_params = _grads(torch, "cpu", getattr(torch, dtype), empty)
    e_total = ember.nn.utils.clip_grad_norm_(e_params, max_norm=1.5, norm_type=norm_type)
    t_total = torch.nn.utils.clip_grad_norm_(t_params, max_norm=1.5, norm_type=norm_type)
    # the total norm is a 0-dim tensor on the gradients' device, as in torch
    assert e_total.device.type == "cuda" and e_total.dim() == 0
    assert str(e_total.dtype) == str(t_total.dtype)
    rtol = 1e-12 if dtype == "float64" else 1e-5
    np.testing.assert_allclose(host(e_total), t_total.numpy(), rtol=rtol)
    for e, t in zip(e_params, t_params):
        assert e.grad.device.type == "cuda"
        np.testing.assert_allclose(host(e.grad), t.grad.numpy(), rtol=rtol, atol=1e-7)


def test_clip_grad_norm_nonfinite_error_and_value_clipping_on_cuda():
    e_params = _grads(ember, CUDA, ember.float64)
    e_params[0].grad = ember.tensor([[float("inf"), 1.0, 2.0]] * 4,
                                    dtype=ember.float64).to(CUDA)
    with pytest.raises(RuntimeError):
        ember.nn.utils.clip_grad_norm_(e_params, 1.0, error_if_nonfinite=True)
    e_params, t_params = _grads(ember, CUDA, ember.float64), _grads(torch, "cpu", torch.float64)
    ember.nn.utils.clip_grad_value_(e_params, 0.7)
    torch.nn.utils.clip_grad_value_(t_params, 0.7)
    for e, t in zip(e_params, t_params):
        assert e.grad.device.type == "cuda"
        np.testing.assert_array_equal(host(e.grad), t.grad.numpy())
    total = ember.nn.utils.get_total_norm([p.grad for p in e_params])
    assert total.device.type == "cuda"


# -- stochastic weight averaging of a cuda model -----------------------------------------

def test_averaged_model_of_a_cuda_model_matches_torch():
    t_model = torch.nn.Linear(3, 2).double()
    e_model = ember.nn.Linear(3, 2).double()
    e_model.load_state_dict(to_ember(t_model.state_dict()))
    e_model = e_model.to(CUDA)
    e_swa = ember.optim.swa_utils.AveragedModel(e_model)
    t_swa = torch.optim.swa_utils.AveragedModel(t_model)
    rng = np.random.default_rng(0)
    for _ in range(3):
        with torch.no_grad():
            for t_p, e_p in zip(t_model.parameters(), e_model.parameters()):
                delta = rng.standard_normal(tuple(t_p.shape))
                t_p.add_(torch.tensor(delta))
                e_p.data.add_(ember.tensor(delta).to(CUDA))
        e_swa.update_parameters(e_model)
        t_swa.update_parameters(t_model)
    assert int(e_swa.n_averaged) == int(t_swa.n_averaged)
    for e, t in zip(e_swa.module.parameters(), t_swa.module.parameters()):
        assert e.device.type == "cuda"
        np.testing.assert_allclose(host(e), t.detach().numpy(), rtol=1e-12)

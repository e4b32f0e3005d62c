"""Random numbers on cuda: the cuda generators (seed, offset state), reproducibility,
state round-trips, distributions drawn on the device, dropout and nn.init on cuda
tensors, and ``ember.cuda.random`` -- plus its behaviour without cuda, compared with
torch's CPU build in a subprocess.

Run under ``EMBER_EMULATE_CUDA=1`` (or on a GPU); the cuda tests skip without cuda.
Ember's streams are its own, so values are never compared with torch's; dtypes and
errors are.
"""
import os
import pickle
import subprocess
import sys
import textwrap

import numpy as np
import pytest
import torch

import ember
import ember._random as R
import ember.nn.functional as F
from ember import nn
from ember.cuda import random as cuda_random

cuda_only = pytest.mark.skipif(not ember.cuda.is_available(), reason="no cuda device")


def _host(t):
    t = t.detach()
    arr = t.cpu().numpy() if t.dtype is not ember.bfloat16 else t.float().cpu().numpy()
    return arr.astype(np.float64) if arr.dtype.kind == "f" else arr


def _cuda_calls(g=None):
    """One call of every random op on cuda (``g``: generator= where the op takes one)."""
    x = ember.zeros(3, 4, device="cuda")
    kw = {} if g is None else {"generator": g}
    return {
        "rand": lambda: ember.rand(3, 4, device="cuda", **kw),
        "rand16": lambda: ember.rand(5, device="cuda", dtype=ember.float16, **kw),
        "randn": lambda: ember.randn(3, 4, device="cuda", **kw),
        "randn_c": lambda: ember.randn(3, device="cuda", dtype=ember.complex64, **kw),
        "randint": lambda: ember.randint(-5, 5, (6,), device="cuda", **kw),
        "randperm": lambda: ember.randperm(7, device="cuda", **kw),
        "rand_like": lambda: ember.rand_like(x, **kw),
        "randn_like": lambda: ember.randn_like(x, **kw),
        "randint_like": lambda: ember.randint_like(x, 2, 9, **kw),
        "normal_tt": lambda: ember.normal(x, x + 2.0, **kw),
        "normal_ff": lambda: ember.normal(1.0, 2.0, (4,), device="cuda", **kw),
        "bernoulli": lambda: ember.bernoulli(x + 0.5, **kw),
        "multinomial": lambda: ember.multinomial(x + 1.0, 3, **kw),
        "multinomial_r": lambda: ember.multinomial(x[0] + 1.0, 6, True, **kw),
        "poisson": lambda: ember.poisson(x + 3.0, **kw),
        "uniform_": lambda: ember.empty(5, device="cuda").uniform_(-1, 1, **kw),
        "normal_": lambda: ember.empty(5, device="cuda").normal_(2, 3, **kw),
        "exponential_": lambda: ember.empty(5, device="cuda").exponential_(**kw),
        "geometric_": lambda: ember.empty(5, device="cuda").geometric_(0.3, **kw),
        "cauchy_": lambda: ember.empty(5, device="cuda").cauchy_(**kw),
        "log_normal_": lambda: ember.empty(5, device="cuda").log_normal_(**kw),
        "random_": lambda: ember.empty(5, device="cuda", dtype=ember.int32).random_(0, 99, **kw),
        "bernoulli_": lambda: ember.empty(5, device="cuda").bernoulli_(0.4, **kw),
    }


class _NoHostDraws:
    def __getattr__(self, name):
        raise AssertionError(f"a cuda random op drew from the host generator ({name})")


# ----------------------------------------------------------------------------------
# generators, reproducibility, state
# ----------------------------------------------------------------------------------

@cuda_only
def test_every_op_draws_on_the_device_with_torchs_dtypes():
    saved = R.default_generator._np
    R.default_generator._np = _NoHostDraws()   # any host draw fails the test
    try:
        results = {name: call() for name, call in _cuda_calls().items()}
        x = ember.ones(8, 6, device="cuda")
        results["dropout"] = F.dropout(x, 0.5)
        results["dropout2d"] = F.dropout2d(ember.ones(2, 3, 2, 2, device="cuda"), 0.5)
        results["alpha_dropout"] = F.alpha_dropout(x, 0.5, True)
        results["feature_alpha_dropout"] = F.feature_alpha_dropout(x, 0.5, True)
        results["kaiming"] = nn.init.kaiming_uniform_(ember.empty(4, 3, device="cuda"))
        results["sparse"] = nn.init.sparse_(ember.empty(6, 3, device="cuda"), 0.5)
        results["linear"] = nn.Linear(3, 2, device="cuda").weight
    finally:
        R.default_generator._np = saved
    for name, t in results.items():
        assert t.device == ember.device("cuda", 0), name
    # the same calls in torch (cpu) give the same dtypes
    tx = torch.zeros(3, 4)
    expected = {"rand": torch.rand(3, 4), "randint": torch.randint(-5, 5, (6,)),
                "randperm": torch.randperm(7), "randn_c": torch.randn(3, dtype=torch.complex64),
                "rand16": torch.rand(5, dtype=torch.float16),
                "randint_like": torch.randint_like(tx, 2, 9),
                "multinomial": torch.multinomial(tx + 1.0, 3),
                "poisson": torch.poisson(tx + 3.0),
                "random_": torch.empty(5, dtype=torch.int32).random_(0, 99)}
    for name, t in expected.items():
        assert str(results[name].dtype) == str(t.dtype), name
        assert tuple(results[name].shape) == tuple(t.shape), name


@cuda_only
def test_same_seed_same_numbers_on_cuda():
    def run():
        return [_host(call()) for call in _cuda_calls().values()]
    ember.manual_seed(1234)
    a = run()
    ember.manual_seed(1234)
    b = run()
    for x, y in zip(a, b):
        np.testing.assert_array_equal(x, y)
    # successive draws and other seeds differ
    ember.manual_seed(1234)
    first, second = _host(ember.rand(50, device="cuda")), _host(ember.rand(50, device="cuda"))
    assert not np.array_equal(first, second)
    ember.manual_seed(4321)
    assert not np.array_equal(_host(ember.rand(50, device="cuda")), first)


@cuda_only
def test_cuda_generator_object():
    g, tg = ember.Generator(device="cuda"), torch.Generator()
    assert g.device == ember.device("cuda", 0)
    assert g.initial_seed() == tg.initial_seed()   # torch's default seed, as on the cpu
    assert g.manual_seed(7) is g and g.initial_seed() == 7
    a = [_host(call()) for call in _cuda_calls(g).values()]
    g.manual_seed(7)
    b = [_host(call()) for call in _cuda_calls(g).values()]
    for x, y in zip(a, b):
        np.testing.assert_array_equal(x, y)
    # a generator= stream is independent of the default one
    g.manual_seed(7)
    ember.manual_seed(7)
    ember.rand(10, device="cuda")
    np.testing.assert_array_equal(_host(ember.rand(3, 4, device="cuda", generator=g)), a[0])
    # a generator of the wrong device type is refused, as torch refuses it
    with pytest.raises(RuntimeError):
        ember.rand(3, device="cuda", generator=ember.Generator())
    with pytest.raises(RuntimeError):
        ember.rand(3, generator=g)
    with pytest.raises(RuntimeError):
        ember.zeros(3).uniform_(generator=g)
    with pytest.raises(TypeError):
        ember.rand(3, device="cuda", generator=3)


@cuda_only
def test_state_round_trip_resumes_exactly():
    g = ember.Generator(device="cuda").manual_seed(99)
    ember.randn(5, device="cuda", generator=g)
    state = g.get_state()
    assert state.dtype == ember.uint8 and state.device.type == "cpu"
    assert tuple(state.shape) == (16,)   # seed and offset, as torch's cuda generator
    a = _host(ember.rand(6, device="cuda", generator=g))
    b = ember.Generator(device="cuda").set_state(state)
    assert b.initial_seed() == 99
    np.testing.assert_array_equal(_host(ember.rand(6, device="cuda", generator=b)), a)
    g.set_state(state)
    np.testing.assert_array_equal(_host(ember.rand(6, device="cuda", generator=g)), a)
    c = g.clone_state()
    np.testing.assert_array_equal(_host(ember.randn(4, device="cuda", generator=c)),
                                  _host(ember.randn(4, device="cuda", generator=g)))
    d = pickle.loads(pickle.dumps(g))
    assert d.device.type == "cuda"
    np.testing.assert_array_equal(_host(ember.rand(3, device="cuda", generator=d)),
                                  _host(ember.rand(3, device="cuda", generator=g)))
    with pytest.raises(RuntimeError):
        g.set_state(ember.zeros(48, dtype=ember.uint8))   # a cpu generator's state
    with pytest.raises(TypeError):
        g.set_state(state.float())
    with pytest.raises(RuntimeError):
        ember.Generator().set_state(state)


@cuda_only
def test_cuda_random_module_functions():
    assert set(cuda_random.__all__) == set(torch.cuda.random.__all__)
    ember.manual_seed(11)                     # seeds the cuda generators too (as torch)
    assert cuda_random.initial_seed() == 11
    cuda_random.manual_seed(12)
    assert cuda_random.initial_seed() == 12 and ember.initial_seed() == 11
    cuda_random.manual_seed_all(13)
    assert cuda_random.initial_seed() == 13
    assert cuda_random.seed() is None and cuda_random.seed_all() is None
    seeded = cuda_random.initial_seed()
    assert seeded != 13 and 0 <= seeded < 2**64
    state = cuda_random.get_rng_state()
    assert tuple(state.shape) == (16,) and state.dtype == ember.uint8
    a = _host(ember.rand(5, device="cuda"))
    cuda_random.set_rng_state(state)
    np.testing.assert_array_equal(_host(ember.rand(5, device="cuda")), a)
    for dev in (0, "cuda", "cuda:0", ember.device("cuda", 0)):
        np.testing.assert_array_equal(cuda_random.get_rng_state(dev).numpy(),
                                      cuda_random.get_rng_state().numpy())
    states = cuda_random.get_rng_state_all()
    assert len(states) == ember.cuda.device_count()
    b = _host(ember.randn(5, device="cuda"))
    cuda_random.set_rng_state_all(states)
    np.testing.assert_array_equal(_host(ember.randn(5, device="cuda")), b)
    new = ember.seed()                         # the OS seed goes to the cuda generators too
    assert cuda_random.initial_seed() == new


@cuda_only
def test_fork_rng_restores_cuda_streams():
    ember.manual_seed(3)
    expected_cpu, expected_cuda = _host(ember.rand(3)), _host(ember.rand(3, device="cuda"))
    for kwargs in ({}, {"devices": [0]}, {"devices": ["cuda:0"]}):
        ember.manual_seed(3)
        with ember.random.fork_rng(**kwargs):
            ember.rand(10)
            ember.rand(10, device="cuda")
        np.testing.assert_array_equal(_host(ember.rand(3)), expected_cpu)
        np.testing.assert_array_equal(_host(ember.rand(3, device="cuda")), expected_cuda)
    ember.manual_seed(3)
    with ember.random.fork_rng(devices=[]):    # only the cpu stream is forked
        ember.rand(10, device="cuda")
    assert not np.array_equal(_host(ember.rand(3, device="cuda")), expected_cuda)


# ----------------------------------------------------------------------------------
# distributions (fixed seeds, wide tolerances)
# ----------------------------------------------------------------------------------

N = 20000


def _moments(t):
    x = _host(t)
    return x.mean(), x.var()


@cuda_only
def test_continuous_distributions_on_cuda():
    ember.manual_seed(0)
    e = ember.empty(N, device="cuda")
    cases = [  # (sample, mean, variance)
        (ember.rand(N, device="cuda"), 0.5, 1 / 12),
        (ember.rand(N, device="cuda", dtype=ember.float64), 0.5, 1 / 12),
        (ember.randn(N, device="cuda"), 0.0, 1.0),
        (ember.normal(2.0, 3.0, (N,), device="cuda"), 2.0, 9.0),
        (ember.normal(ember.full((N,), -1.0, device="cuda"), 0.5), -1.0, 0.25),
        (e.clone().uniform_(-1, 3), 1.0, 16 / 12),
        (e.clone().normal_(5, 2), 5.0, 4.0),
        (e.clone().exponential_(2.0), 0.5, 0.25),
        (e.clone().log_normal_(0.0, 0.5), np.exp(0.125), (np.exp(0.25) - 1) * np.exp(0.25)),
    ]
    for k, (t, mean, var) in enumerate(cases):
        m, v = _moments(t)
        assert abs(m - mean) < 0.05 * max(1.0, np.sqrt(var)), (k, m, mean)
        assert abs(v - var) < 0.08 * var, (k, v, var)
    c = _host(e.clone().cauchy_(1.0, 2.0))
    assert abs(np.median(c) - 1.0) < 0.1
    assert abs(np.percentile(c, 75) - 3.0) < 0.2   # quartiles at median +- sigma
    z = _host(ember.randn(N, device="cuda", dtype=ember.complex64))
    assert abs(np.mean(np.abs(z) ** 2) - 1.0) < 0.05
    for dt in (ember.float16, ember.bfloat16):
        u = _host(ember.rand(N, device="cuda", dtype=dt))
        assert u.min() >= 0 and u.max() < 1 and abs(u.mean() - 0.5) < 0.02


@cuda_only
def test_discrete_distributions_on_cuda():
    ember.manual_seed(1)
    e = ember.empty(N, device="cuda")
    m, v = _moments(e.clone().geometric_(0.25))
    assert abs(m - 4.0) < 0.15 and abs(v - 12.0) < 1.5
    m, v = _moments(ember.poisson(ember.full((N,), 4.0, device="cuda")))
    assert abs(m - 4.0) < 0.1 and abs(v - 4.0) < 0.3
    b = _host(ember.bernoulli(ember.full((N,), 0.3, device="cuda")))
    assert set(np.unique(b)) <= {0.0, 1.0} and abs(b.mean() - 0.3) < 0.02
    b = _host(ember.bernoulli(ember.zeros(N, device="cuda"), 0.7))
    assert abs(b.mean() - 0.7) < 0.02
    p = ember.tensor([0.1, 0.9], device="cuda")
    b = _host(ember.zeros(N // 2, 2, device="cuda").bernoulli_(p))
    np.testing.assert_allclose(b.mean(axis=0), [0.1, 0.9], atol=0.03)
    r = _host(ember.randint(-3, 4, (N,), device="cuda"))
    assert r.min() == -3 and r.max() == 3 and abs(r.mean()) < 0.1
    r = _host(e.clone().random_(5, 8))
    assert set(np.unique(r)) == {5.0, 6.0, 7.0}
    perm = _host(ember.randperm(100, device="cuda"))
    np.testing.assert_array_equal(np.sort(perm), np.arange(100))
    probs = ember.tensor([[0.0, 1.0, 3.0], [2.0, 0.0, 2.0]], device="cuda")
    draws = _host(ember.multinomial(probs, 4000, replacement=True))
    np.testing.assert_allclose([np.mean(draws[0] == k) for k in range(3)], [0, 0.25, 0.75],
                               atol=0.03)
    np.testing.assert_allclose([np.mean(draws[1] == k) for k in range(3)], [0.5, 0, 0.5],
                               atol=0.03)
    firsts = _host(ember.multinomial(ember.tensor([1.0, 3.0, 0.0], device="cuda")
                                     .expand(2000, 3), 2))
    assert np.all(np.sort(firsts, axis=1) == [0, 1])   # no repeats, never a zero category
    assert abs(np.mean(firsts[:, 0] == 1) - 0.75) < 0.04


# ----------------------------------------------------------------------------------
# dropout and nn.init on cuda
# ----------------------------------------------------------------------------------

@cuda_only
def test_dropout_on_cuda():
    ember.manual_seed(2)
    x = ember.ones(100, 200, device="cuda", requires_grad=True)
    y = F.dropout(x, 0.3)
    assert y.device.type == "cuda"
    vals = _host(y)
    kept = vals != 0
    np.testing.assert_allclose(vals[kept], 1 / 0.7, rtol=1e-6)
    assert abs(1 - kept.mean() - 0.3) < 0.02
    assert np.all(_host(F.dropout(x, 1.0)) == 0)
    np.testing.assert_array_equal(_host(F.dropout(x, 0.3, training=False)), 1.0)
    ch = _host(F.dropout2d(ember.ones(50, 40, 3, 3, device="cuda"), 0.5))
    per_channel = ch.reshape(50, 40, 9)
    assert np.all(per_channel.min(axis=2) == per_channel.max(axis=2))   # whole channels
    assert abs((per_channel[..., 0] == 0).mean() - 0.5) < 0.05
    z = ember.randn(200, 200, device="cuda")
    a = _host(F.alpha_dropout(z, 0.2, True))
    assert abs(a.mean()) < 0.05 and abs(a.var() - 1.0) < 0.08   # SELU's fixed point kept
    h = ember.ones(20, device="cuda", dtype=ember.float16)
    assert F.dropout(h, 0.5).dtype == ember.float16
    d = nn.Dropout(0.5)
    ember.manual_seed(5)
    first = _host(d(ember.ones(64, device="cuda")))
    ember.manual_seed(5)
    np.testing.assert_array_equal(_host(d(ember.ones(64, device="cuda"))), first)


@cuda_only
def test_init_on_cuda():
    ember.manual_seed(3)
    w = nn.init.kaiming_uniform_(ember.empty(200, 100, device="cuda"), a=np.sqrt(5))
    bound = 1 / np.sqrt(100)
    vals = _host(w)
    assert w.device.type == "cuda" and vals.min() >= -bound and vals.max() <= bound
    assert abs(vals.std() - bound / np.sqrt(3)) < 0.01 * bound * 10
    n = _host(nn.init.normal_(ember.empty(20000, device="cuda"), 1.0, 0.02))
    assert abs(n.mean() - 1.0) < 0.002 and abs(n.std() - 0.02) < 0.002
    s = _host(nn.init.sparse_(ember.empty(10, 30, device="cuda"), 0.3))
    np.testing.assert_array_equal((s == 0).sum(axis=0), 3)
    lin = nn.Linear(4, 3, device="cuda")
    assert lin.weight.device.type == "cuda" and lin.bias.device.type == "cuda"
    g = ember.Generator(device="cuda").manual_seed(0)
    a = _host(nn.init.xavier_normal_(ember.empty(5, 5, device="cuda"), generator=g))
    g.manual_seed(0)
    np.testing.assert_array_equal(
        _host(nn.init.xavier_normal_(ember.empty(5, 5, device="cuda"), generator=g)), a)


# ----------------------------------------------------------------------------------
# without cuda: torch's CPU-build behaviour
# ----------------------------------------------------------------------------------

_NO_CUDA_SCRIPT = textwrap.dedent("""
    import sys
    import torch, ember
    ember.manual_seed(5)
    assert "cupy" not in sys.modules, "seeding imported CuPy"
    from ember.cuda import random as cr
    if ember.cuda.is_available() or torch.cuda.is_available():
        print("SKIP"); sys.exit(0)
    def outcome(call):
        try:
            r = call()
        except AssertionError:
            return "AssertionError"
        except RuntimeError:
            return "RuntimeError"
        return "ok:" + repr(r if not isinstance(r, list) else len(r))
    calls = {
        "manual_seed": lambda m: m.manual_seed(3),
        "manual_seed_all": lambda m: m.manual_seed_all(3),
        "seed": lambda m: m.seed(),
        "seed_all": lambda m: m.seed_all(),
        "initial_seed": lambda m: m.initial_seed(),
        "get_rng_state": lambda m: m.get_rng_state(),
        "get_rng_state_all": lambda m: m.get_rng_state_all(),
        "set_rng_state_all": lambda m: m.set_rng_state_all([]),
    }
    for name, call in calls.items():
        e, t = outcome(lambda: call(cr)), outcome(lambda: call(torch.cuda.random))
        assert e == t, (name, e, t)
    e = outcome(lambda: cr.set_rng_state(ember.zeros(16, dtype=ember.uint8)))
    t = outcome(lambda: torch.cuda.set_rng_state(torch.zeros(16, dtype=torch.uint8)))
    assert e == t, ("set_rng_state", e, t)
    for lib in (ember, torch):
        with lib.random.fork_rng():
            lib.rand(2)
    e = outcome(lambda: ember.random.fork_rng(devices=[0]).__enter__())
    t = outcome(lambda: torch.random.fork_rng(devices=[0]).__enter__())
    assert e == t, ("fork_rng", e, t)
    e = outcome(lambda: ember.Generator(device="cuda"))
    t = outcome(lambda: torch.Generator(device="cuda"))
    assert e.startswith("ok") == t.startswith("ok"), ("Generator", e, t)
    e = outcome(lambda: ember.rand(2, device="cuda"))
    t = outcome(lambda: torch.rand(2, device="cuda"))
    assert e == t, ("rand", e, t)
    print("OK")
""")


def test_cuda_random_without_cuda_matches_torch_cpu_build():
    env = {k: v for k, v in os.environ.items()
           if k not in ("EMBER_EMULATE_CUDA", "EMBER_STRICT_DEVICE")}
    tests_dir = os.path.dirname(os.path.abspath(__file__))
    # the emulator must not be importable: drop the tests folders from the path
    env["PYTHONPATH"] = os.pathsep.join(
        p for p in env.get("PYTHONPATH", "").split(os.pathsep)
        if p and not os.path.abspath(p).startswith(tests_dir))
    proc = subprocess.run([sys.executable, "-c", _NO_CUDA_SCRIPT], env=env,
                          capture_output=True, text=True, timeout=120,
                          cwd=os.path.dirname(tests_dir))
    assert proc.returncode == 0, proc.stdout + proc.stderr
    if proc.stdout.strip() == "SKIP":
        pytest.skip("cuda is available here: no CPU-build behaviour to check")
    assert proc.stdout.strip().endswith("OK"), proc.stdout + proc.stderr

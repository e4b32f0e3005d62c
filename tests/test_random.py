"""Randomness: generators and seeding, reproducibility, stream isolation, state
round-trips, distributions (fixed seeds, wide tolerances), and output dtypes, shapes,
devices and refusals compared with torch for the same calls.  Ember's streams are its
own, so values are never compared with torch's."""
import pickle
import warnings

import numpy as np
import pytest
import torch

import ember


def _np(t):
    arr = t._data
    return arr.astype(np.float64) if arr.dtype.kind == "V" or str(arr.dtype) == "bfloat16" \
        else np.asarray(arr)


# ----------------------------------------------------------------------------------
# generators and seeding
# ----------------------------------------------------------------------------------

def test_generator_basics_match_torch():
    g, tg = ember.Generator(), torch.Generator()
    assert g.initial_seed() == tg.initial_seed()
    assert g.device == ember.device("cpu") and str(g.device) == str(tg.device)
    assert ember.Generator("cpu").device.type == "cpu"
    assert g.manual_seed(5) is g
    for seed in [0, 1, -1, 2**63 - 1, -2**63, 2**64 - 1]:
        assert g.manual_seed(seed).initial_seed() == tg.manual_seed(seed).initial_seed()
    for bad in [2**64, -2**63 - 1]:
        with pytest.raises(ValueError):
            tg.manual_seed(bad)
        with pytest.raises(ValueError):
            g.manual_seed(bad)
    for bad in [1.5, True, "3"]:
        with pytest.raises(RuntimeError):
            tg.manual_seed(bad)
        with pytest.raises(RuntimeError):
            g.manual_seed(bad)
    with pytest.raises(RuntimeError):
        ember.Generator(device="meta")
    if not ember.cuda.is_available():   # (cuda generators: tests/test_cuda_random.py)
        with pytest.raises(RuntimeError):
            ember.Generator(device="cuda")


def test_module_level_seeding():
    assert ember.manual_seed(3) is ember.default_generator
    assert ember.initial_seed() == 3
    # NOTE: torch.manual_seed calls int() first, so floats and numeric strings work there too.
    for value in [1.5, "7", np.int64(4), ember.tensor(9)]:
        ember.manual_seed(value)
        torch.manual_seed(value)
        assert ember.initial_seed() == torch.initial_seed()
    new = ember.seed()
    assert isinstance(new, int) and 0 <= new < 2**64 and ember.initial_seed() == new
    assert ember.seed() != new   # 64 random bits: a repeat is practically impossible


def test_default_generator_is_not_fixed_at_import():
    """torch seeds its default generator from the OS; so does ember."""
    import subprocess
    import sys
    code = "import ember; print(ember.initial_seed())"
    seeds = {subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                            check=True).stdout for _ in range(2)}
    assert len(seeds) == 2


def test_same_seed_same_numbers_for_every_op():
    calls = [
        lambda g: ember.rand(3, 4, generator=g),
        lambda g: ember.randn(5, generator=g, dtype=ember.float64),
        lambda g: ember.randint(0, 100, (6,), generator=g),
        lambda g: ember.randperm(10, generator=g),
        lambda g: ember.normal(ember.zeros(4), ember.ones(4), generator=g),
        lambda g: ember.normal(ember.zeros(4), 2.0, generator=g),
        lambda g: ember.normal(1.0, ember.ones(4), generator=g),
        lambda g: ember.normal(1.0, 2.0, (4,), generator=g),
        lambda g: ember.bernoulli(ember.full((8,), 0.5), generator=g),
        lambda g: ember.bernoulli(ember.zeros(8), 0.5, generator=g),
        lambda g: ember.multinomial(ember.ones(2, 6), 3, generator=g),
        lambda g: ember.multinomial(ember.ones(6), 10, True, generator=g),
        lambda g: ember.rand_like(ember.zeros(3), generator=g),
        lambda g: ember.randn_like(ember.zeros(3), generator=g),
        lambda g: ember.randint_like(ember.zeros(3), 10, generator=g),
        lambda g: ember.poisson(ember.full((5,), 3.0), generator=g),
        lambda g: ember.empty(5).uniform_(-2, 2, generator=g),
        lambda g: ember.empty(5).normal_(generator=g),
        lambda g: ember.empty(5).bernoulli_(0.3, generator=g),
        lambda g: ember.empty(5, dtype=ember.int64).random_(generator=g),
        lambda g: ember.empty(5).exponential_(generator=g),
        lambda g: ember.empty(5).geometric_(0.2, generator=g),
        lambda g: ember.empty(5).cauchy_(generator=g),
        lambda g: ember.empty(5).log_normal_(generator=g),
    ]
    for k, call in enumerate(calls):
        a = call(ember.Generator().manual_seed(123))
        b = call(ember.Generator().manual_seed(123))
        np.testing.assert_array_equal(_np(a), _np(b), err_msg=f"call {k}")
        ember.manual_seed(123)
        c = call(None)
        np.testing.assert_array_equal(_np(a), _np(c), err_msg=f"call {k} (default generator)")


def test_different_seeds_differ():
    a = ember.rand(100, generator=ember.Generator().manual_seed(1))
    b = ember.rand(100, generator=ember.Generator().manual_seed(2))
    assert not np.array_equal(a.numpy(), b.numpy())
    g = ember.Generator().manual_seed(1)
    assert not np.array_equal(ember.randn(50, generator=g).numpy(),
                              ember.randn(50, generator=g).numpy())


def test_generator_isolates_its_stream():
    ember.manual_seed(7)
    expected = ember.rand(5)
    ember.manual_seed(7)
    g = ember.Generator().manual_seed(7)
    ember.randn(100, generator=g)             # must not advance the default stream
    ember.empty(10).uniform_(generator=g)
    np.testing.assert_array_equal(ember.rand(5).numpy(), expected.numpy())


def test_meta_draws_consume_nothing():
    ember.manual_seed(11)
    expected = ember.rand(4)
    ember.manual_seed(11)
    ember.rand(1000, device="meta")
    ember.empty(1000, device="meta").normal_()
    np.testing.assert_array_equal(ember.rand(4).numpy(), expected.numpy())


def test_rng_state_round_trip():
    ember.manual_seed(5)
    ember.rand(3)
    state = ember.get_rng_state()
    assert state.dtype == ember.uint8 and state.ndim == 1
    expected = [ember.rand(4), ember.randn(3), ember.randint(0, 9, (5,)), ember.randperm(6)]
    ember.rand(10)
    ember.set_rng_state(state)
    again = [ember.rand(4), ember.randn(3), ember.randint(0, 9, (5,)), ember.randperm(6)]
    for a, b in zip(expected, again):
        np.testing.assert_array_equal(a.numpy(), b.numpy())
    assert ember.initial_seed() == 5
    # get_rng_state returns a copy: changing it changes nothing
    copy = ember.get_rng_state()
    copy._data[:] = 0
    assert not np.array_equal(ember.get_rng_state().numpy(), copy.numpy())


def test_generator_state_round_trip_and_clone():
    g = ember.Generator().manual_seed(99)
    ember.randn(7, generator=g)   # also leaves NumPy's cached 32-bit half-word state mid-way
    ember.randint(0, 3, (3,), generator=g, dtype=ember.int8)
    state = g.get_state()
    assert isinstance(state, ember.Tensor) and state.dtype == ember.uint8
    a = ember.rand(6, generator=g)
    b = ember.Generator().set_state(state)
    assert b.initial_seed() == 99
    np.testing.assert_array_equal(ember.rand(6, generator=b).numpy(), a.numpy())
    c = g.clone_state()
    np.testing.assert_array_equal(ember.randn(4, generator=c).numpy(),
                                  ember.randn(4, generator=g).numpy())
    d = pickle.loads(pickle.dumps(g))
    np.testing.assert_array_equal(ember.rand(3, generator=d).numpy(),
                                  ember.rand(3, generator=g).numpy())


def test_set_state_refusals_match_torch():
    g, tg = ember.Generator(), torch.Generator()
    good, tgood = g.get_state(), tg.get_state()
    cases = [(lambda s: s.float(), TypeError), (lambda s: s[:10], RuntimeError),
             (lambda s: [1, 2], TypeError)]
    for make, exc in cases:
        with pytest.raises(exc):
            tg.set_state(make(tgood))
        with pytest.raises(exc):
            g.set_state(make(good))
    with pytest.raises(RuntimeError):
        ember.set_rng_state(good[:10])
    with pytest.raises(RuntimeError):   # a torch-sized state is not an ember state
        g.set_state(ember.zeros(5056, dtype=ember.uint8))


def test_fork_rng_restores_the_stream():
    from ember._random import fork_rng
    ember.manual_seed(3)
    expected = ember.rand(3)
    ember.manual_seed(3)
    with fork_rng():
        ember.rand(100)
    np.testing.assert_array_equal(ember.rand(3).numpy(), expected.numpy())


def test_generator_argument_is_checked():
    for call in [lambda: ember.rand(3, generator=5), lambda: ember.randn(2, generator="g"),
                 lambda: ember.zeros(2).uniform_(generator=torch.Generator()),
                 lambda: ember.multinomial(ember.ones(3), 1, generator=1)]:
        with pytest.raises(TypeError):
            call()


# ----------------------------------------------------------------------------------
# distributions (fixed seeds, tolerances many standard errors wide)
# ----------------------------------------------------------------------------------

N = 20000


@pytest.mark.parametrize("dtype", ["float32", "float64", "float16", "bfloat16"])
def test_randn_moments(dtype):
    g = ember.Generator().manual_seed(0)
    x = _np(ember.randn(N, generator=g, dtype=getattr(ember, dtype)))
    assert abs(x.mean()) < 0.05 and abs(x.std() - 1) < 0.05
    assert abs((np.abs(x) < 1).mean() - 0.6827) < 0.02


@pytest.mark.parametrize("dtype", ["float32", "float64", "float16", "bfloat16"])
def test_rand_range_and_mean(dtype):
    g = ember.Generator().manual_seed(1)
    x = _np(ember.rand(N, generator=g, dtype=getattr(ember, dtype)))
    assert x.min() >= 0 and x.max() < 1
    assert abs(x.mean() - 0.5) < 0.02 and abs(x.var() - 1 / 12) < 0.01
    hist = np.histogram(x, bins=10, range=(0, 1))[0]
    assert np.all(np.abs(hist - N / 10) < 0.1 * N / 10)


def test_low_precision_rand_never_reaches_one():
    g = ember.Generator().manual_seed(2)
    for dtype in [ember.float16, ember.bfloat16]:
        x = _np(ember.rand(200000, generator=g, dtype=dtype))
        assert x.max() < 1.0


def test_uniform_inplace_range():
    g = ember.Generator().manual_seed(3)
    x = _np(ember.empty(N).uniform_(-2.0, 5.0, generator=g))
    assert x.min() >= -2 and x.max() < 5 and abs(x.mean() - 1.5) < 0.1
    assert np.all(_np(ember.empty(5).uniform_(3.0, 3.0)) == 3.0)


def test_randint_bounds_and_histogram():
    g = ember.Generator().manual_seed(4)
    x = ember.randint(-3, 7, (N,), generator=g).numpy()
    assert x.min() == -3 and x.max() == 6
    counts = np.bincount(x + 3, minlength=10)
    assert np.all(np.abs(counts - N / 10) < 0.1 * N / 10)
    big = ember.randint(-2**63, 2**63 - 1, (1000,), generator=g).numpy()
    assert big.min() < -2**61 and big.max() > 2**61   # the whole int64 range is reachable
    for dtype in [ember.uint8, ember.int8, ember.float16, ember.bool]:
        high = 2 if dtype is ember.bool else 100
        y = _np(ember.randint(0, high, (2000,), generator=g, dtype=dtype))
        assert y.min() == 0 and y.max() == high - 1


@pytest.mark.parametrize("dtype", ["int64", "int32", "int16", "uint8", "float32", "float64",
                                   "float16", "bfloat16"])
def test_randperm_is_a_permutation(dtype):
    g = ember.Generator().manual_seed(5)
    for n in [0, 1, 2, 10, 200]:
        p = ember.randperm(n, generator=g, dtype=getattr(ember, dtype))
        assert p.dtype == getattr(ember, dtype)
        np.testing.assert_array_equal(np.sort(_np(p)), np.arange(n))
    first = [ember.randperm(4, generator=g)[0].item() for _ in range(4000)]
    assert np.all(np.abs(np.bincount(first, minlength=4) - 1000) < 150)


def test_bernoulli_frequencies():
    g = ember.Generator().manual_seed(6)
    p = ember.tensor([0.0, 0.1, 0.5, 0.9, 1.0]).expand(N, 5)
    x = ember.bernoulli(p, generator=g).numpy()
    np.testing.assert_allclose(x.mean(axis=0), [0, 0.1, 0.5, 0.9, 1], atol=0.02)
    y = ember.bernoulli(ember.zeros(N), 0.3, generator=g).numpy()
    assert abs(y.mean() - 0.3) < 0.02
    z = ember.zeros(N, 2).bernoulli_(ember.tensor([0.2, 0.7]), generator=g).numpy()
    np.testing.assert_allclose(z.mean(axis=0), [0.2, 0.7], atol=0.02)
    w = ember.zeros(N, dtype=ember.int64).bernoulli_(0.6, generator=g).numpy()
    assert set(np.unique(w)) == {0, 1} and abs(w.mean() - 0.6) < 0.02
    assert ember.bernoulli(p.double(), generator=g).dtype == ember.float64


def test_multinomial_with_replacement_frequencies():
    g = ember.Generator().manual_seed(7)
    probs = ember.tensor([[1.0, 2.0, 0.0, 5.0], [0.0, 0.0, 3.0, 1.0]])
    x = ember.multinomial(probs, N, replacement=True, generator=g).numpy()
    assert x.shape == (2, N) and x.dtype == np.int64
    for row, p in zip(x, probs.numpy()):
        freq = np.bincount(row, minlength=4) / N
        np.testing.assert_allclose(freq, p / p.sum(), atol=0.02)
        assert freq[p == 0].sum() == 0          # zero-probability categories never drawn


def test_multinomial_without_replacement():
    g = ember.Generator().manual_seed(8)
    probs = ember.tensor([1.0, 2.0, 3.0, 4.0, 0.0])
    for _ in range(50):
        s = ember.multinomial(probs, 4, generator=g).numpy()
        assert len(set(s.tolist())) == 4 and 4 not in s   # the zero category comes last
    full = ember.multinomial(probs, 5, generator=g).numpy()
    assert sorted(full.tolist()) == [0, 1, 2, 3, 4] and full[-1] == 4
    firsts = ember.multinomial(probs.expand(N, 5), 1, generator=g).numpy()[:, 0]
    np.testing.assert_allclose(np.bincount(firsts, minlength=5) / N, [.1, .2, .3, .4, 0],
                               atol=0.02)
    rows = ember.multinomial(ember.ones(100, 6), 6, generator=g).numpy()
    assert all(sorted(r) == list(range(6)) for r in rows.tolist())


def test_normal_overloads_broadcast_moments():
    g = ember.Generator().manual_seed(9)
    mean = ember.tensor([0.0, 10.0, -5.0])
    std = ember.tensor([1.0, 2.0, 0.5])
    x = ember.normal(mean.expand(N, 3), std, generator=g).numpy()
    np.testing.assert_allclose(x.mean(axis=0), [0, 10, -5], atol=0.06)
    np.testing.assert_allclose(x.std(axis=0), [1, 2, 0.5], rtol=0.04)
    y = ember.normal(ember.full((N,), 3.0), 2.0, generator=g).numpy()
    assert abs(y.mean() - 3) < 0.06 and abs(y.std() - 2) < 0.06
    z = ember.normal(-1.0, std.expand(N, 3), generator=g).numpy()
    np.testing.assert_allclose(z.mean(axis=0), [-1, -1, -1], atol=0.06)
    np.testing.assert_allclose(z.std(axis=0), [1, 2, 0.5], rtol=0.04)
    w = ember.normal(4.0, 0.5, (N,), generator=g).numpy()
    assert abs(w.mean() - 4) < 0.02 and abs(w.std() - 0.5) < 0.02
    v = ember.empty(N).normal_(2.0, 3.0, generator=g).numpy()
    assert abs(v.mean() - 2) < 0.1 and abs(v.std() - 3) < 0.1
    assert np.all(ember.normal(ember.full((5,), 7.0), 0.0).numpy() == 7.0)


def test_other_inplace_distributions():
    g = ember.Generator().manual_seed(10)
    e = ember.empty(N).exponential_(2.0, generator=g).numpy()
    assert e.min() >= 0 and abs(e.mean() - 0.5) < 0.03
    geo = ember.empty(N).geometric_(0.25, generator=g).numpy()
    assert geo.min() >= 1 and np.all(geo == np.round(geo)) and abs(geo.mean() - 4) < 0.2
    c = ember.empty(N).cauchy_(1.0, 2.0, generator=g).numpy()
    assert abs(np.median(c) - 1) < 0.1
    assert abs(np.quantile(c, 0.75) - np.quantile(c, 0.25) - 4) < 0.3
    ln = ember.empty(N).log_normal_(0.5, 0.25, generator=g).numpy()
    assert ln.min() > 0 and abs(np.log(ln).mean() - 0.5) < 0.02
    assert abs(np.log(ln).std() - 0.25) < 0.02
    p = ember.poisson(ember.full((N,), 4.0), generator=g).numpy()
    assert np.all(p == np.round(p)) and abs(p.mean() - 4) < 0.1 and abs(p.var() - 4) < 0.3


def test_random_inplace_ranges():
    g = ember.Generator().manual_seed(11)
    x = ember.empty(N, dtype=ember.int64).random_(3, 9, generator=g).numpy()
    assert x.min() == 3 and x.max() == 8
    y = ember.empty(N).random_(5, generator=g).numpy()
    assert y.min() == 0 and y.max() == 4
    ranges = {ember.uint8: (0, 255), ember.int8: (0, 127), ember.bool: (0, 1),
              ember.float16: (0, 2**11), ember.bfloat16: (0, 2**8), ember.float32: (0, 2**24)}
    for dtype, (lo, hi) in ranges.items():
        z = _np(ember.empty(N, dtype=dtype).random_(generator=g))
        assert z.min() >= lo and z.max() <= hi and z.max() > hi * 0.9
    w = ember.empty(N, dtype=ember.int8).random_(-3, None, generator=g).numpy()
    assert w.min() == -3 and w.max() == 127


# ----------------------------------------------------------------------------------
# shapes, dtypes, devices and refusals against torch
# ----------------------------------------------------------------------------------

def _lib_args(x, lib):
    mod = torch if lib == "torch" else ember
    if isinstance(x, str) and x.startswith("dtype:"):
        return getattr(mod, x[6:])
    if isinstance(x, tuple) and x and x[0] == "T":
        _, values, dtype = x
        return mod.tensor(values, dtype=getattr(mod, dtype))
    return x


def compare_meta(name, *args, method=False, **kwargs):
    """Run torch and ember; compare shape, dtype, device, requires_grad, or both refuse."""
    def run(lib):
        mod = torch if lib == "torch" else ember
        a = [_lib_args(x, lib) for x in args]
        k = {key: _lib_args(v, lib) for key, v in kwargs.items()}
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            if method:
                return getattr(a[0], name)(*a[1:], **k)
            return getattr(mod, name)(*a, **k)
    ctx = f"{name}{args} {kwargs}"
    try:
        t = run("torch")
    except Exception as exc:  # noqa: BLE001
        with pytest.raises(Exception) as info:
            run("ember")
        got = info.value
        assert not type(got).__module__.startswith("numpy"), f"{ctx}: {got!r}"
        assert isinstance(got, type(exc)) or (isinstance(exc, RuntimeError)
                                              and isinstance(got, RuntimeError)), \
            f"{ctx}: torch {type(exc).__name__}({exc}) vs ember {type(got).__name__}({got})"
        return
    e = run("ember")
    assert tuple(e.shape) == tuple(t.shape), f"{ctx}: shape {e.shape} vs {t.shape}"
    assert str(e.dtype) == str(t.dtype), f"{ctx}: dtype {e.dtype} vs {t.dtype}"
    assert e.device.type == t.device.type, f"{ctx}: device"
    assert e.requires_grad == t.requires_grad, f"{ctx}: requires_grad"


DTYPE_NAMES = ["bool", "uint8", "int8", "int16", "int32", "int64", "float16", "bfloat16",
               "float32", "float64"]


@pytest.mark.parametrize("name", ["rand", "randn"])
def test_rand_randn_like_torch(name):
    for args in [(2, 3), ((2, 3),), ([4],), ((),), (0,), (-1,), (2.0,), ()]:
        compare_meta(name, *args)
    compare_meta(name, size=(3,))
    for dtype in DTYPE_NAMES:
        compare_meta(name, 2, 3, dtype=f"dtype:{dtype}")
        compare_meta(name, 0, dtype=f"dtype:{dtype}")
        compare_meta(name, 2, dtype=f"dtype:{dtype}", requires_grad=True)
        compare_meta(name, 2, 3, dtype=f"dtype:{dtype}", device="meta")
    compare_meta(name, 2, generator=5)


def test_randint_like_torch():
    for args in [(10, (3,)), (3, 10, (2, 2)), (10, 3), (5, 5, (3,)), (6, 5, (3,)),
                 (0.5, 10.7, (3,)), (0, 300, (3,)), (-1, 3, (3,)), (2**62, 2**63 - 1, (2,)),
                 (-2**63, 2**63 - 1, (2,)), (("T", 3, "int64"), (2,)), (0, 2, ())]:
        compare_meta("randint", *args)
        for dtype in DTYPE_NAMES:
            compare_meta("randint", *args, dtype=f"dtype:{dtype}")
    compare_meta("randint", 10, size=(3,))
    compare_meta("randint", low=2, high=10, size=(3,))
    compare_meta("randint", high=10, size=(3,))
    compare_meta("randint", 0, 3, (2,), requires_grad=True)
    compare_meta("randint", 0, 3, (2,), dtype="dtype:float32", requires_grad=True)
    compare_meta("randint", 0, 3, (2, 2), device="meta")


def test_randint_float_precision_warning():
    with pytest.warns(UserWarning):
        ember.randint(0, 2**24 + 5, (2,), dtype=ember.float32)
    with pytest.warns(UserWarning):
        ember.randint(0, 5000, (2,), dtype=ember.float16)


def test_randperm_like_torch():
    for n in [-1, 0, 4, 129, 256, 257, 2049, 2050, 3.0, True]:
        compare_meta("randperm", n)
        for dtype in DTYPE_NAMES:
            compare_meta("randperm", n, dtype=f"dtype:{dtype}")
    compare_meta("randperm", 4, requires_grad=True)
    compare_meta("randperm", 3, dtype="dtype:float32", requires_grad=True)
    compare_meta("randperm", 5, device="meta")


def test_normal_like_torch():
    m, s = ("T", [[0.0, 1.0, 2.0], [3.0, 4.0, 5.0]], "float32"), ("T", [1.0, 2.0, 3.0], "float32")
    cases = [(m, s), (m, 2.0), (1.0, s), (0.0, 1.0, (2, 2)), (0, 1, (2,)), (0.0, 1.0),
             (("T", [0.0, 0.0, 0.0], "float32"), ("T", [1.0] * 4, "float32")),
             (m, ("T", [[1.0, 1.0], [1.0, 1.0], [1.0, 1.0]], "float32")),
             (("T", [0.0, 0.0], "float32"), ("T", [1.0, 1.0], "float64")),
             (("T", [0.0, 0.0], "float64"), ("T", [1.0, 1.0], "float32")),
             (("T", [0.0, 0.0], "float16"), ("T", [1.0, 1.0], "bfloat16")),
             (("T", [0, 0], "int64"), 1.0), (0.0, ("T", [1, 1], "int64")),
             (m, -1.0), (m, float("nan")), (0.0, -1.0, (2,)),
             (m, ("T", [1.0, -1.0, 1.0], "float32")),
             (("T", 0.0, "float32"),), (("T", 0.0, "float32"), ("T", [[1.0, 2.0]], "float32"))]
    for args in cases:
        compare_meta("normal", *args)
    for dtype in DTYPE_NAMES:
        compare_meta("normal", 0.0, 1.0, (2,), dtype=f"dtype:{dtype}")
    compare_meta("normal", mean=m, std=s)
    compare_meta("normal", mean=m)
    compare_meta("normal", mean=0.0, std=s)
    compare_meta("normal", 0.0, 1.0, (2,), requires_grad=True)
    compare_meta("normal", 0.0, 1.0, (2,), device="meta")


def test_bernoulli_and_multinomial_like_torch():
    p = ("T", [0.5, 0.5, 0.5, 0.5], "float32")
    for args in [(p,), (p, 0.2), (p, 2.0), (("T", [2.0], "float32"),),
                 (("T", [float("nan")], "float32"),)]:
        compare_meta("bernoulli", *args)
    compare_meta("bernoulli", p, p=0.2)
    compare_meta("bernoulli", p, p)
    for dtype in DTYPE_NAMES:
        compare_meta("bernoulli", ("T", [1, 0], dtype))
        compare_meta("bernoulli", ("T", [1, 0], dtype), 0.5)
    w = ("T", [1.0, 2.0, 0.0, 3.0], "float32")
    for args in [(w, 2), (w, 4), (w, 5), (w, 5, True), (w, 0), (w, -1), (w, 2.0),
                 (("T", [[[1.0]]], "float32"), 1), (("T", 1.0, "float32"), 1),
                 (("T", [1, 2], "int64"), 1), (("T", [1.0, -1.0], "float32"), 1),
                 (("T", [0.0, 0.0], "float32"), 1), (("T", [1.0, float("inf")], "float32"), 1),
                 (("T", [[1.0, 1.0], [0.0, 0.0]], "float32"), 1),
                 (("T", [[1.0, 2.0]] * 3, "float32"), 2, True),
                 (("T", [1.0, 0.0, 0.0], "float32"), 3)]:
        compare_meta("multinomial", *args)
    for dtype in ["float16", "bfloat16", "float64"]:
        compare_meta("multinomial", ("T", [1.0, 2.0], dtype), 2)
    compare_meta("multinomial", w, num_samples=2, replacement=True)


def test_like_forms_like_torch():
    for dtype in DTYPE_NAMES:
        x = ("T", [[1, 0, 1]], dtype)
        for name in ["rand_like", "randn_like"]:
            compare_meta(name, x)
            compare_meta(name, x, dtype="dtype:float64")
            compare_meta(name, x, device="meta")
        for args in [(5,), (2, 5), (5, 5), (2.5,), (300,), (-1, 2)]:
            compare_meta("randint_like", x, *args)
        compare_meta("randint_like", x, high=5)
        compare_meta("randint_like", x, 5, dtype="dtype:int32")
    compare_meta("rand_like", [1, 2])
    compare_meta("rand_like", ("T", [1.0], "float32"), requires_grad=True)
    compare_meta("poisson", ("T", [1.0, 2.0], "float32"))
    compare_meta("poisson", ("T", [-1.0], "float32"))
    compare_meta("poisson", ("T", [1, 2], "int64"))


INPLACE_CASES = [
    ("uniform_", ()), ("uniform_", (2, 3)), ("uniform_", (3, 2)), ("uniform_", (2, 2)),
    ("uniform_", (0, float("inf"))), ("uniform_", (-3e38, 3e38)),
    ("normal_", ()), ("normal_", (2, 0)), ("normal_", (0, -1)),
    ("exponential_", ()), ("exponential_", (0,)), ("exponential_", (-1,)),
    ("geometric_", (0.5,)), ("geometric_", (0,)), ("geometric_", (1,)), ("geometric_", (1.5,)),
    ("cauchy_", ()), ("cauchy_", (0, 0)), ("log_normal_", ()), ("log_normal_", (0, 0)),
    ("bernoulli_", ()), ("bernoulli_", (0.3,)), ("bernoulli_", (1.5,)),
    ("bernoulli_", (("T", [0.5, 0.5, 0.5], "float32"),)),
    ("bernoulli_", (("T", [2.0, 0.5, 0.5], "float32"),)),
    ("bernoulli_", (("T", [1, 0, 1], "int64"),)),
    ("random_", ()), ("random_", (3,)), ("random_", (3, 5)), ("random_", (5, 3)), ("random_", (0,)),
    ("random_", (-5, None)), ("random_", (300,)), ("random_", (-3, 5)), ("random_", (2,)),
    ("random_", (2**25,)), ("random_", (2.5,)),
]


@pytest.mark.parametrize("dtype", DTYPE_NAMES)
def test_inplace_methods_like_torch(dtype):
    for name, args in INPLACE_CASES:
        compare_meta(name, ("T", [0, 0, 0], dtype), *args, method=True)
        compare_meta(name, ("T", [], dtype), *args, method=True)


def test_inplace_keywords_and_meta():
    x = ember.zeros(3)
    assert x.uniform_(to=3) is x and x.numpy().max() < 3
    assert ember.zeros(3).normal_(mean=1.0, std=2.0).shape == (3,)
    assert ember.zeros(3).exponential_(lambd=2.0).shape == (3,)
    assert ember.zeros(3, dtype=ember.int64).random_(to=4).numpy().max() < 4
    with pytest.raises(TypeError):
        ember.zeros(3).uniform_(a=1)
    m = ember.zeros(3, device="meta")
    for name, args in [("uniform_", ()), ("normal_", ()), ("random_", ()), ("bernoulli_", ())]:
        assert getattr(m, name)(*args) is m and m.device.type == "meta"


def test_inplace_on_views_writes_through():
    base = ember.zeros(4, 4)
    base[1:3].uniform_(5, 6)
    arr = base.numpy()
    assert np.all(arr[[0, 3]] == 0) and np.all((arr[1:3] >= 5) & (arr[1:3] < 6))
    t = ember.zeros(3, 4).t()
    t.normal_()
    assert np.all(t.numpy() != 0)


# ----------------------------------------------------------------------------------
# autograd: random samples have zero gradients, as in torch
# ----------------------------------------------------------------------------------

def test_random_ops_autograd_like_torch():
    for lib in (torch, ember):
        a = lib.zeros(3, requires_grad=True)
        b = lib.ones(3, requires_grad=True)
        out = lib.normal(a, b)
        assert type(out.grad_fn).__name__ == "NormalBackward3"
        grads = lib.autograd.grad(out.sum(), [a, b])
        assert all(not g.numpy().any() for g in grads)
        assert type(lib.normal(a, 1.0).grad_fn).__name__ == "NormalBackward1"
        assert type(lib.normal(1.0, b).grad_fn).__name__ == "NormalBackward2"
        p = lib.full((4,), 0.5, requires_grad=True)
        out = lib.bernoulli(p)
        assert type(out.grad_fn).__name__ == "BernoulliBackward0"
        assert not lib.autograd.grad(out.sum(), p)[0].numpy().any()
        assert lib.poisson(b).requires_grad
        assert not lib.multinomial(b, 2).requires_grad
        assert lib.rand(2, requires_grad=True).is_leaf
        assert not lib.rand_like(b).requires_grad


def test_inplace_random_autograd_like_torch():
    names = {"uniform_": (), "normal_": (), "exponential_": (), "random_": (),
             "bernoulli_": (), "geometric_": (0.5,), "cauchy_": (), "log_normal_": ()}
    for name, args in names.items():
        for lib in (torch, ember):
            leaf = lib.zeros(3, requires_grad=True)
            with pytest.raises(RuntimeError):
                getattr(leaf, name)(*args)
            with lib.no_grad():
                getattr(leaf, name)(*args)
            b = leaf * 2
            getattr(b, name)(*args)
            assert not lib.autograd.grad(b.sum(), leaf)[0].numpy().any(), (lib, name)
        e_leaf, t_leaf = ember.zeros(3, requires_grad=True), torch.zeros(3, requires_grad=True)
        e_b, t_b = e_leaf * 2, t_leaf * 2
        getattr(e_b, name)(*args)
        getattr(t_b, name)(*args)
        assert type(e_b.grad_fn).__name__ == type(t_b.grad_fn).__name__, name
    # on a view: only the view's region gets a zero gradient
    for lib in (torch, ember):
        a = lib.ones(3, requires_grad=True)
        b = a * 2
        b[0:2].normal_()
        grad = lib.autograd.grad(b.sum(), a)[0].numpy()
        np.testing.assert_array_equal(grad, [0, 0, 2])


def test_default_dtype_is_followed():
    old = ember.get_default_dtype()
    try:
        ember.set_default_dtype(ember.float64)
        for t in [ember.rand(2), ember.randn(2), ember.normal(0.0, 1.0, (2,)),
                  ember.randint_like(ember.zeros(2), 3)]:
            assert t.dtype == ember.float64
        assert ember.randint(0, 3, (2,)).dtype == ember.int64
    finally:
        ember.set_default_dtype(old)


def test_out_argument():
    out = ember.empty(5)
    assert ember.rand(2, 3, out=out) is out and out.shape == (2, 3)
    with pytest.raises(RuntimeError):
        ember.rand(2, dtype=ember.float64, out=ember.empty(2))
    r = ember.randint(0, 3, (4,), out=ember.empty(1))
    assert r.dtype == ember.float32 and r.shape == (4,)
    with pytest.raises(RuntimeError):
        ember.multinomial(ember.ones(3), 2, out=ember.empty(2, dtype=ember.int32))
    assert ember.multinomial(ember.ones(3), 2, out=ember.empty(2, dtype=ember.int64)).shape == (2,)
    assert ember.normal(ember.zeros(3), 1.0, out=ember.empty(3)).shape == (3,)
    assert ember.bernoulli(ember.full((3,), 0.5), out=ember.empty(3, dtype=ember.int64)).dtype \
        == ember.int64

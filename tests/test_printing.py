"""Tensor printing: ``repr``/``str``/``format`` of ember tensors must equal torch's text.

Every case builds an ember tensor and a torch tensor from the same NumPy values (the
same bits, bfloat16 included) and compares the printed text with torch's, under the
default print options and under changed ones.
"""
import math

import ml_dtypes
import numpy as np
import pytest
import torch

import ember
from ember import _tensor_str

DTYPES = ("bool", "uint8", "int8", "int16", "int32", "int64", "float16", "bfloat16",
          "float32", "float64", "complex64", "complex128")
FLOAT_DTYPES = ("float16", "bfloat16", "float32", "float64")

OPTIONS = {
    "default": {},
    "precision2": {"precision": 2},
    "precision0": {"precision": 0},
    "precision7_wide": {"precision": 7, "linewidth": 120},
    "sci_on": {"sci_mode": True},
    "sci_off": {"sci_mode": False},
    "threshold5": {"threshold": 5},
    "threshold0": {"threshold": 0},
    "edge1": {"edgeitems": 1, "threshold": 10},
    "edge0": {"edgeitems": 0, "threshold": 3},
    "short": {"profile": "short"},
    "full": {"profile": "full"},
    "narrow": {"linewidth": 30},
}


@pytest.fixture(autouse=True)
def restore_print_state():
    yield
    torch.set_printoptions(profile="default")
    ember.set_printoptions(profile="default")
    torch.set_default_dtype(torch.float32)
    ember.set_default_dtype(ember.float32)


def set_both(**options):
    torch.set_printoptions(**options)
    ember.set_printoptions(**options)


def np_dtype(name):
    return ml_dtypes.bfloat16 if name == "bfloat16" else np.dtype(name)


def pair(arr):
    """(ember tensor, torch tensor) holding exactly the values of ``arr``."""
    arr = np.ascontiguousarray(arr)
    if arr.dtype == ml_dtypes.bfloat16:
        t = torch.from_numpy(arr.view(np.uint16).copy()).view(torch.bfloat16)
    else:
        t = torch.from_numpy(arr.copy())
    return ember.from_numpy(arr.copy()), t


def assert_same_text(e, t):
    assert repr(e) == repr(t)
    assert str(e) == str(t)
    assert f"{e}" == f"{t}"


# -- value generators: float64 arrays of various magnitudes, cast to the dtype later ----

def _normal(rng, shape):
    return rng.standard_normal(shape)


def _scaled(rng, shape):
    return rng.standard_normal(shape) * 10.0 ** rng.uniform(-9, 9)


def _mixed_magnitudes(rng, shape):
    return rng.standard_normal(shape) * 10.0 ** rng.uniform(-12, 12, size=shape)


def _integer_valued(rng, shape):
    return np.round(rng.standard_normal(shape) * 10.0 ** rng.integers(0, 6))


def _rounded(rng, shape):
    return rng.uniform(0, 1000, size=shape).round(int(rng.integers(0, 4)))


def _special(rng, shape):
    return rng.choice([0.0, -0.0, 1.0, -1.0, np.nan, np.inf, -np.inf, 1e-5, 0.5, 1e9,
                       123456.7], size=shape)


def _zeros(rng, shape):
    return np.zeros(shape)


KINDS = {f.__name__[1:]: f for f in (_normal, _scaled, _mixed_magnitudes, _integer_valued,
                                     _rounded, _special, _zeros)}

SHAPES = [(), (1,), (7,), (25,), (1001,), (3, 4), (2, 3, 4), (40, 30), (2, 1, 5, 3),
          (8, 9, 17), (0,), (2, 0)]


def make_values(rng, dtype, shape, kind):
    if dtype == "bool":
        return rng.integers(0, 2, size=shape).astype(bool)
    if dtype in ("uint8", "int8", "int16", "int32", "int64"):
        info = np.iinfo(dtype)
        high = min(int(info.max), 10 ** int(rng.integers(0, 19)))
        low = 0 if kind == "rounded" else max(int(info.min), -high)
        return rng.integers(low, high, size=shape, endpoint=True, dtype=dtype)
    values = KINDS[kind](rng, shape)
    if dtype.startswith("complex"):
        values = values + 1j * KINDS["scaled"](rng, shape)
    with np.errstate(all="ignore"):
        return np.asarray(values).astype(np_dtype(dtype))


def _random_cases(count, seed=1234):
    rng = np.random.default_rng(seed)
    kinds = sorted(KINDS)
    cases = []
    for i in range(count):
        dtype = DTYPES[i % len(DTYPES)]
        shape = SHAPES[int(rng.integers(0, len(SHAPES)))]
        kind = kinds[int(rng.integers(0, len(kinds)))]
        option = sorted(OPTIONS)[int(rng.integers(0, len(OPTIONS)))]
        cases.append(pytest.param(dtype, shape, kind, option, i,
                                  id=f"{i}-{dtype}-{'x'.join(map(str, shape))}-{kind}-{option}"))
    return cases


@pytest.mark.parametrize("dtype,shape,kind,option,seed", _random_cases(240))
def test_random_tensors_print_like_torch(dtype, shape, kind, option, seed):
    rng = np.random.default_rng(seed)
    arr = make_values(rng, dtype, shape, kind)
    set_both(**OPTIONS[option])
    e, t = pair(arr)
    assert_same_text(e, t)


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("option", sorted(OPTIONS))
def test_every_dtype_under_every_option(dtype, option):
    rng = np.random.default_rng(7)
    set_both(**OPTIONS[option])
    for shape in [(), (6,), (4, 5)]:
        e, t = pair(make_values(rng, dtype, shape, "normal"))
        assert_same_text(e, t)


@pytest.mark.parametrize("values", [
    [1e10, 1.0], [1e-5, 1.0], [123456789.0], [1.0, 1001.0], [1.0, 999.5], [1.0, 1000.0],
    [0.0, math.inf, -math.inf, math.nan], [math.nan], [-math.inf, 1.0], [-0.0, -0.0],
    [-0.0, 1.5], [-0.0, 2.0], [0.0001, 1.0], [1e8, 1.0], [100000001.0], [1e300, -1e-300],
    [9.99995, 1.0], [0.99999, 1.0], [2.5, 3.5, -0.5], [1e-300, 1.0], [1e100, 3.0],
], ids=str)
@pytest.mark.parametrize("dtype", ["float32", "float64", "float16", "bfloat16"])
def test_notation_rules(values, dtype):
    # Switching to scientific notation, integer mode ('1.'), nan/inf and -0 handling.
    with np.errstate(all="ignore"):
        arr = np.array(values).astype(np_dtype(dtype))
    e, t = pair(arr)
    assert_same_text(e, t)
    set_both(sci_mode=True)
    assert_same_text(e, t)


@pytest.mark.parametrize("build", [
    lambda m: m.tensor(3.5), lambda m: m.tensor(-0.0), lambda m: m.tensor(math.nan),
    lambda m: m.tensor(7), lambda m: m.tensor(True), lambda m: m.tensor(1e-20),
    lambda m: m.tensor(2.0, dtype=m.float16), lambda m: m.tensor(1 - 2j),
    lambda m: m.tensor(-5, dtype=m.int8),
    lambda m: m.tensor([]), lambda m: m.tensor([], dtype=m.int64),
    lambda m: m.tensor([], dtype=m.bool), lambda m: m.tensor([], dtype=m.float64),
    lambda m: m.zeros(0, 3), lambda m: m.zeros(2, 0, 3, dtype=m.float64),
    lambda m: m.zeros(0, dtype=m.float16), lambda m: m.zeros(3, 0, dtype=m.int32),
    lambda m: m.empty(2, 3, device="meta"), lambda m: m.empty((), device="meta"),
    lambda m: m.empty(0, 4, dtype=m.bool, device="meta"),
    lambda m: m.empty(2, 3, dtype=m.int64, device="meta"),
    lambda m: m.empty(5, dtype=m.float64, device="meta", requires_grad=True),
    lambda m: m.ones(2, 3, requires_grad=True) * 2,
    lambda m: m.ones(40, requires_grad=True) * 2,
    lambda m: m.ones(19, dtype=m.float64, requires_grad=True),
    lambda m: m.ones(18, dtype=m.float16, requires_grad=True),
    lambda m: m.ones(17, dtype=m.bfloat16, requires_grad=True) * 3,
    lambda m: m.zeros(0, requires_grad=True), lambda m: m.tensor(2.5, requires_grad=True),
    lambda m: m.arange(17, dtype=m.float16),
    lambda m: m.arange(100000).reshape(100, 1000),
    lambda m: m.arange(30000, dtype=m.float32).reshape(3, 100, 100) / 7,
    lambda m: m.tensor([[1 + 1j, 2 - 3.5j], [0j, -1e10j]]),
    lambda m: m.tensor([[True, False], [True, True]]), lambda m: m.tensor([True, True]),
    lambda m: m.tensor([1, 2, 3], dtype=m.uint8), lambda m: m.tensor([-128, 127], dtype=m.int8),
    lambda m: m.arange(24).reshape(2, 3, 4).transpose(0, 2),
])
def test_edge_cases(build):
    assert_same_text(build(ember), build(torch))


@pytest.mark.parametrize("default", ["float64", "float16", "bfloat16"])
def test_dtype_suffix_follows_default_dtype(default):
    torch.set_default_dtype(getattr(torch, default))
    ember.set_default_dtype(getattr(ember, default))
    builds = [lambda m: m.tensor([1.5, 2.0]), lambda m: m.tensor([1.5, 2.0], dtype=m.float32),
              lambda m: m.tensor([1.5, 2.0], dtype=m.float64),
              lambda m: m.tensor([1j], dtype=m.complex64),
              lambda m: m.tensor([1j], dtype=m.complex128),
              lambda m: m.tensor([], dtype=m.float32), lambda m: m.tensor([], dtype=m.float64),
              lambda m: m.empty(2, device="meta", dtype=m.float32),
              lambda m: m.empty(2, device="meta", dtype=m.float64),
              lambda m: m.tensor([1, 2])]
    for build in builds:
        assert_same_text(build(ember), build(torch))


def test_suffixes_wrap_at_linewidth():
    for n in range(1, 30):
        for dtype in ("float32", "float16"):
            e = ember.ones(n, dtype=getattr(ember, dtype), requires_grad=True) * 2
            t = torch.ones(n, dtype=getattr(torch, dtype), requires_grad=True) * 2
            assert_same_text(e, t)


def test_tensor_contents_and_subclass():
    e, t = pair(np.array([1.0, 2.0], dtype=np.float32))
    assert e.__repr__(tensor_contents="XYZ") == t.__repr__(tensor_contents="XYZ")

    class MyEmber(ember.Tensor):
        pass

    class MyTorch(torch.Tensor):
        pass

    assert repr(MyEmber([1.0, 2.0])).replace("MyEmber", "X") == \
        repr(MyTorch([1.0, 2.0])).replace("MyTorch", "X")


def test_summary_reads_only_the_edges():
    # A (10^5, 10^5) broadcast view: formatting every element would never finish.
    from ember._tensor import _wrap
    e = _wrap(np.broadcast_to(np.float32(1.5), (10**5, 10**5)))
    t = torch.tensor(1.5).expand(10**5, 10**5)
    assert_same_text(e, t)


def test_format_and_print(capsys):
    for build in [lambda m: m.tensor(1.5), lambda m: m.tensor(3), lambda m: m.tensor(True),
                  lambda m: m.tensor([1.0, 2.0]), lambda m: m.empty((), device="meta"),
                  lambda m: m.tensor(2.5, requires_grad=True), lambda m: m.tensor(1 + 2j)]:
        e, t = build(ember), build(torch)
        assert f"{e}" == f"{t}"
        assert f"{e!r}" == f"{t!r}"
        if e.dim() == 0 and not e.is_meta:
            assert f"{e:>12}" == f"{t:>12}"
    assert f"{ember.tensor(1.5):.3f}" == f"{torch.tensor(1.5):.3f}"
    with pytest.raises(TypeError):
        f"{ember.tensor([1.0, 2.0]):.3f}"

    for build in [lambda m: m.ones(2, 3).shape, lambda m: m.Size([]),
                  lambda m: m.zeros(4).size(), lambda m: m.tensor([[1, 2]])]:
        print(build(ember))
        ember_out = capsys.readouterr().out
        print(build(torch))
        assert ember_out == capsys.readouterr().out
    assert f"{ember.Size([2, 3])}" == f"{torch.Size([2, 3])}"


def test_printoptions_state():
    assert ember.get_printoptions() == torch._tensor_str.get_printoptions()
    for options in OPTIONS.values():
        set_both(**options)
        assert ember.get_printoptions() == torch._tensor_str.get_printoptions()
    # NOTE: every call resets sci_mode unless it is given; unknown profiles are ignored.
    set_both(sci_mode=True)
    set_both(precision=3)
    set_both(profile="no-such-profile")
    assert ember.get_printoptions() == torch._tensor_str.get_printoptions()
    saved = ember.get_printoptions()
    with _tensor_str.printoptions(precision=1, linewidth=20):
        with torch._tensor_str.printoptions(precision=1, linewidth=20):
            assert_same_text(*pair(np.arange(12, dtype=np.float32) / 3))
    assert ember.get_printoptions() == saved
    ember.set_printoptions(**saved)
    assert ember.get_printoptions() == saved

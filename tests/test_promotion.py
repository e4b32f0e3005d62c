"""Type promotion, compared with torch: promote_types / result_type / can_cast over every
dtype pair, and the output dtype of binary ops for every mix of dim tensors, 0-dim
tensors and Python scalars."""
import itertools
import pickle

import numpy as np
import pytest
import torch
from hypothesis import given
from hypothesis import strategies as st

import ember

DTYPES = ["bool", "uint8", "int8", "int16", "int32", "int64", "float16", "bfloat16",
          "float32", "float64"]
PAIRS = list(itertools.product(DTYPES, DTYPES))
SCALARS = [True, 3, 2.5]


def name(dt):
    return str(dt).split(".")[-1]


def outcome(fn):
    """dtype name of the result, or the exception type when it raises."""
    try:
        res = fn()
    except Exception as exc:  # noqa: BLE001  (we compare exception types with torch)
        return type(exc)
    return name(res.dtype) if hasattr(res, "dtype") else name(res)


@pytest.fixture
def default_float64():
    old = torch.get_default_dtype()
    torch.set_default_dtype(torch.float64)
    ember.set_default_dtype(ember.float64)
    try:
        yield
    finally:
        torch.set_default_dtype(old)
        ember.set_default_dtype(getattr(ember, name(old)))


# ----------------------------------------------------------------------------------
# dtype tables
# ----------------------------------------------------------------------------------

def test_promote_types_every_pair():
    wrong = [(a, b) for a, b in PAIRS
             if name(ember.promote_types(getattr(ember, a), getattr(ember, b)))
             != name(torch.promote_types(getattr(torch, a), getattr(torch, b)))]
    assert not wrong


def test_can_cast_every_pair():
    wrong = [(a, b) for a, b in PAIRS
             if ember.can_cast(getattr(ember, a), getattr(ember, b))
             != torch.can_cast(getattr(torch, a), getattr(torch, b))]
    assert not wrong


def test_promote_types_rejects_non_dtypes():
    with pytest.raises(TypeError):
        torch.promote_types(torch.float32, "float64")
    with pytest.raises(TypeError):
        ember.promote_types(ember.float32, "float64")
    with pytest.raises(TypeError):
        ember.can_cast(ember.float32, 3)
    with pytest.raises(TypeError):
        torch.result_type(torch.ones(2), "a")
    with pytest.raises(TypeError):
        ember.result_type(ember.ones(2), "a")


# ----------------------------------------------------------------------------------
# mixed operands: dim tensors, 0-dim tensors, Python scalars
# ----------------------------------------------------------------------------------

def _operands():
    ops = [("dim", d) for d in DTYPES] + [("zero", d) for d in DTYPES]
    return ops + [("scalar", s) for s in SCALARS]


def _make(lib, kind, value):
    if kind == "scalar":
        return value
    shape = (2,) if kind == "dim" else ()
    return lib.ones(shape, dtype=getattr(lib, value))


MIXED = [(a, b) for a, b in itertools.product(_operands(), _operands())
         if not (a[0] == "scalar" and b[0] == "scalar")]
BINARY = {
    "add": lambda x, y: x + y,
    "mul": lambda x, y: x * y,
    "div": lambda x, y: x / y,
    "eq": lambda x, y: x == y,
    "lt": lambda x, y: x < y,
}


def _mismatches(fn):
    wrong = []
    for (ka, va), (kb, vb) in MIXED:
        t = outcome(lambda: fn(torch, _make(torch, ka, va), _make(torch, kb, vb)))
        e = outcome(lambda: fn(ember, _make(ember, ka, va), _make(ember, kb, vb)))
        if t != e:
            wrong.append(((ka, va), (kb, vb), t, e))
    return wrong


def test_result_type_mixed_operands():
    assert not _mismatches(lambda lib, x, y: lib.result_type(x, y))


@pytest.mark.parametrize("op", sorted(BINARY))
def test_operator_result_dtype_mixed_operands(op):
    fn = BINARY[op]
    assert not _mismatches(lambda lib, x, y: fn(x, y))


@pytest.mark.parametrize("op", ["add", "mul", "div", "eq", "lt"])
def test_function_result_dtype_tensor_first(op):
    # torch's functions take a tensor first; the second operand may be anything.
    wrong = []
    for (ka, va), (kb, vb) in MIXED:
        if ka == "scalar":
            continue
        t = outcome(lambda: getattr(torch, op)(_make(torch, ka, va), _make(torch, kb, vb)))
        e = outcome(lambda: getattr(ember, op)(_make(ember, ka, va), _make(ember, kb, vb)))
        if t != e:
            wrong.append(((ka, va), (kb, vb), t, e))
    assert not wrong


@pytest.mark.parametrize("dt", DTYPES[:6])
def test_integer_true_division_gives_default_float(dt):
    a = ember.tensor([1, 2, 3], dtype=getattr(ember, dt))
    b = ember.tensor([2, 2, 2], dtype=getattr(ember, dt))
    assert (a / b).dtype is ember.get_default_dtype()
    assert (a / 2).dtype is ember.get_default_dtype()
    assert ember.div(a, b).dtype is ember.float32
    expected = torch.tensor([1, 2, 3], dtype=getattr(torch, dt)) / torch.tensor(
        [2, 2, 2], dtype=getattr(torch, dt))
    np.testing.assert_array_equal((a / b).numpy(), expected.numpy())


def test_default_float64_changes_scalar_promotion(default_float64):
    assert ember.get_default_dtype() is ember.float64
    ints = ember.tensor([1, 2])
    assert (ints * 2.5).dtype is ember.float64
    assert (ints / ints).dtype is ember.float64
    assert ember.tensor([1.5]).dtype is ember.float64
    assert ember.result_type(ints, 1.0) is ember.float64
    # float32 tensors still are not upcast by a Python float
    assert (ember.ones(2, dtype=ember.float32) * 2.5).dtype is ember.float32
    assert not _mismatches(lambda lib, x, y: x / y)


def test_default_dtype_restored_after_fixture():
    assert ember.get_default_dtype() is ember.float32
    assert torch.get_default_dtype() is torch.float32


@pytest.mark.parametrize("dt", ["float16", "bfloat16", "float32", "float64"])
def test_set_default_dtype_accepts_floats(dt):
    old = ember.get_default_dtype()
    try:
        ember.set_default_dtype(getattr(ember, dt))
        assert ember.get_default_dtype() is getattr(ember, dt)
        assert ember.tensor([1.5]).dtype is getattr(ember, dt)
    finally:
        ember.set_default_dtype(old)


@pytest.mark.parametrize("dt", ["int64", "bool", "uint8"])
def test_set_default_dtype_rejects_non_floats(dt):
    with pytest.raises(TypeError):
        torch.set_default_dtype(getattr(torch, dt))
    with pytest.raises(TypeError):
        ember.set_default_dtype(getattr(ember, dt))
    assert ember.get_default_dtype() is ember.float32


def test_numpy_scalars_promote_like_python_scalars():
    # NOTE: torch reads np.bool_ as a float scalar; ember matches.
    for value in (np.float64(2.5), np.float32(1.5), np.int64(3), np.uint8(3), np.bool_(True)):
        for dt in ("int32", "float16", "bool", "uint8"):
            t = torch.result_type(torch.ones(2, dtype=getattr(torch, dt)), value)
            e = ember.result_type(ember.ones(2, dtype=getattr(ember, dt)), value)
            assert name(e) == name(t), (value, dt)


# ----------------------------------------------------------------------------------
# property tests: random dtype pairs and broadcastable shapes
# ----------------------------------------------------------------------------------

dtype_names = st.sampled_from(DTYPES)


@st.composite
def broadcast_shapes(draw):
    ndim = draw(st.integers(0, 3))
    shape = draw(st.lists(st.integers(1, 3), min_size=ndim, max_size=ndim))
    other = []
    for s in shape:
        other.append(draw(st.sampled_from([s, 1])))
    drop = draw(st.integers(0, ndim))
    other = other[drop:]
    if draw(st.booleans()):
        shape, other = other, shape
    return tuple(shape), tuple(other)


@given(dtype_names, dtype_names, broadcast_shapes(), st.sampled_from(sorted(BINARY)))
def test_random_binary_ops_match_torch(da, db, shapes, op):
    sa, sb = shapes
    rng = np.random.default_rng(0)
    a = rng.integers(1, 5, size=sa)
    b = rng.integers(1, 5, size=sb)
    ta = torch.tensor(a).to(getattr(torch, da))
    tb = torch.tensor(b).to(getattr(torch, db))
    ea = ember.tensor(a).to(getattr(ember, da))
    eb = ember.tensor(b).to(getattr(ember, db))
    t = BINARY[op](ta, tb)
    e = BINARY[op](ea, eb)
    assert name(e.dtype) == name(t.dtype)
    assert tuple(e.shape) == tuple(t.shape)
    assert name(ember.result_type(ea, eb)) == name(torch.result_type(ta, tb))
    np.testing.assert_allclose(e.double().numpy(), t.double().numpy(), rtol=1e-2)


@given(dtype_names, st.one_of(st.booleans(), st.integers(-100, 100),
                              st.floats(-100, 100, allow_nan=False)), st.booleans())
def test_random_scalar_promotion_matches_torch(dt, scalar, zero_dim):
    shape = () if zero_dim else (2,)
    t = torch.result_type(torch.ones(shape, dtype=getattr(torch, dt)), scalar)
    e = ember.result_type(ember.ones(shape, dtype=getattr(ember, dt)), scalar)
    assert name(e) == name(t)


@given(dtype_names, dtype_names)
def test_random_promote_types_is_symmetric_and_castable(da, db):
    a, b = getattr(ember, da), getattr(ember, db)
    res = ember.promote_types(a, b)
    assert res is ember.promote_types(b, a)
    assert ember.can_cast(a, res) and ember.can_cast(b, res)


# ----------------------------------------------------------------------------------
# the dtype objects, finfo, iinfo
# ----------------------------------------------------------------------------------

@pytest.mark.parametrize("dt", DTYPES)
def test_dtype_attributes(dt):
    t, e = getattr(torch, dt), getattr(ember, dt)
    assert repr(e) == repr(t) and str(e) == str(t)
    assert e.is_floating_point == t.is_floating_point
    assert e.is_complex == t.is_complex
    assert e.is_signed == t.is_signed
    assert e.itemsize == t.itemsize
    assert name(e.to_real()) == name(t.to_real())
    assert hash(e) == hash(e) and e == e and e is not None
    assert pickle.loads(pickle.dumps(e)) is e


def test_dtype_aliases():
    for alias in ("float", "double", "half", "int", "long", "short", "cfloat", "cdouble"):
        assert name(getattr(ember, alias)) == name(getattr(torch, alias))


@pytest.mark.parametrize("dt", DTYPES + [None])
def test_finfo_iinfo(dt):
    def fn(lib, info):
        try:
            res = getattr(lib, info)() if dt is None else getattr(lib, info)(getattr(lib, dt))
        except Exception as exc:  # noqa: BLE001  (compared with torch)
            return type(exc)
        fields = ("bits", "max", "min", "dtype", "eps", "tiny", "smallest_normal",
                  "resolution")
        return repr(res), [getattr(res, f, None) for f in fields]
    assert fn(ember, "finfo") == fn(torch, "finfo")
    if dt is not None:
        assert fn(ember, "iinfo") == fn(torch, "iinfo")

"""Deterministic creation functions against torch over grids of arguments: values
(integers exactly, floats within 1 ulp), dtypes, shapes, devices, requires_grad, and
the calls torch refuses."""
import itertools
import warnings

import ml_dtypes
import numpy as np
import pytest
import torch

import ember

DTYPES = ["bool", "uint8", "int8", "int16", "int32", "int64", "float16", "bfloat16", "float32",
          "float64"]


class DT:
    """A dtype placeholder: ember.<name> or torch.<name>."""

    def __init__(self, name):
        self.name = name

    def __repr__(self):
        return self.name


class TT:
    """A tensor placeholder with fixed values."""

    def __init__(self, values, dtype="float32"):
        self.values, self.dtype = values, dtype

    def __repr__(self):
        return f"TT({self.values}, {self.dtype})"


def _conv(x, lib):
    mod = torch if lib == "torch" else ember
    if isinstance(x, DT):
        return getattr(mod, x.name)
    if isinstance(x, TT):
        return mod.tensor(x.values, dtype=getattr(mod, x.dtype))
    if isinstance(x, (list, tuple)) and any(isinstance(e, (DT, TT)) for e in x):
        return type(x)(_conv(e, lib) for e in x)
    if x == "Size":
        return mod.Size
    return x


def _run(lib, name, args, kwargs):
    mod = torch if lib == "torch" else ember
    fn = getattr(mod, name)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return fn(*[_conv(a, lib) for a in args], **{k: _conv(v, lib) for k, v in kwargs.items()})


def _np(t):
    if isinstance(t, torch.Tensor):
        t = t.detach()
        if t.dtype == torch.bfloat16:
            return t.float().numpy().astype(ml_dtypes.bfloat16)
        return t.numpy()
    return np.asarray(t._data)


def _ordered_ints(arr):
    """Float bits as integers that are monotone in the float value (for ulp distances)."""
    bits = arr.view({2: np.int16, 4: np.int32, 8: np.int64}[arr.itemsize]).astype(np.int64)
    top = np.int64(1) << (8 * arr.itemsize - 1)
    return np.where(bits < 0, -(bits + top), bits)


def assert_same(e, t, ctx, ulps=1):
    assert isinstance(e, ember.Tensor), f"{ctx}: got {type(e)}"
    assert tuple(e.shape) == tuple(t.shape), f"{ctx}: shape {tuple(e.shape)} vs {tuple(t.shape)}"
    assert str(e.dtype) == str(t.dtype), f"{ctx}: dtype {e.dtype} vs {t.dtype}"
    assert e.device.type == t.device.type, f"{ctx}: device {e.device} vs {t.device}"
    assert e.requires_grad == t.requires_grad, f"{ctx}: requires_grad"
    if t.device.type == "meta":
        return
    a, b = _np(e), _np(t)
    if a.dtype.kind in "biu":
        np.testing.assert_array_equal(a, b, err_msg=ctx)
        return
    nan_a, nan_b = np.isnan(a.astype(np.float64)), np.isnan(b.astype(np.float64))
    np.testing.assert_array_equal(nan_a, nan_b, err_msg=ctx)
    dist = np.abs(_ordered_ints(a[~nan_a]) - _ordered_ints(b[~nan_b]))
    assert dist.size == 0 or dist.max() <= ulps, \
        f"{ctx}: {dist.max()} ulps apart\nember {a}\ntorch {b}"


def compare(name, *args, ulps=1, **kwargs):
    """Call torch.<name> and ember.<name>; both must agree or both refuse."""
    ctx = f"{name}{args} {kwargs}"
    try:
        t_out = _run("torch", name, args, kwargs)
    except Exception as exc:  # noqa: BLE001 - ember must refuse too
        with pytest.raises(Exception) as info:
            _run("ember", name, args, kwargs)
        got = info.value
        assert not type(got).__module__.startswith("numpy"), f"{ctx}: {got!r}"
        assert isinstance(got, type(exc)) or (
            isinstance(exc, RuntimeError) and isinstance(got, RuntimeError)), \
            f"{ctx}: torch raised {type(exc).__name__}({exc}), ember {type(got).__name__}({got})"
        return None
    e_out = _run("ember", name, args, kwargs)
    if isinstance(t_out, tuple):
        assert isinstance(e_out, tuple) and len(e_out) == len(t_out), ctx
        for e, t in zip(e_out, t_out):
            assert_same(e, t, ctx, ulps)
    else:
        assert_same(e_out, t_out, ctx, ulps)
    return e_out


# ----------------------------------------------------------------------------------
# arange / linspace / logspace
# ----------------------------------------------------------------------------------

ARANGE_DTYPES = [None, "int64", "int32", "int16", "uint8", "float32", "float64", "float16",
                 "bfloat16", "bool"]


@pytest.mark.parametrize("dtype", ARANGE_DTYPES)
def test_arange_grid(dtype):
    kw = {} if dtype is None else {"dtype": DT(dtype)}
    starts = [0, 1, -3, 0.5, -0.5, 2.25, -0.9]
    ends = [5, 0, 10.7, -3, 3.7, 0.9]
    steps = [1, 2, -1, 0.5, 1.3, -1.2, 0.1, 0.9, 0]
    for start, end, step in itertools.product(starts, ends, steps):
        compare("arange", start, end, step, **kw)
    for end in [5, 5.0, 0, -2, 7.5]:
        compare("arange", end, **kw)


def test_arange_forms():
    compare("arange", TT(5, "int64"))
    compare("arange", TT(5.0))
    compare("arange", 0, 5, TT(2, "int64"))
    compare("arange", True, 5)
    compare("arange", 0, 5, True)
    compare("arange", 0, float("nan"))
    compare("arange", 0, float("inf"))
    compare("arange", 0, 3, float("inf"))
    compare("arange", 0, 3, float("nan"))
    compare("arange", 0, 300, dtype=DT("uint8"))
    compare("arange", 0, 300, dtype=DT("int8"))
    compare("arange", -2**63, -2**63 + 10, 3)
    compare("arange", 0, 4000, 1, dtype=DT("float16"))
    compare("arange", 0, "3")
    compare("arange", 0, 10, 3, requires_grad=True)
    compare("arange", 0.0, 10, 3, requires_grad=True)
    compare("arange", start=1, end=5)
    compare("arange", end=5)
    compare("arange", 1, 5, step=2)
    compare("arange", 5, device="meta")
    compare("arange", 1.0, 0.5, -0.1)


@pytest.mark.parametrize("dtype", [None, "float64", "float16", "bfloat16", "int64", "int32",
                                   "uint8", "int8", "bool"])
def test_linspace_grid(dtype):
    kw = {} if dtype is None else {"dtype": DT(dtype)}
    for start, end in itertools.product([0, -5, 2.5, 10, 1e3], [1, 5, -3.7, 10, -100]):
        for steps in [0, 1, 2, 3, 5, 7, 100]:
            compare("linspace", start, end, steps, **kw)


def test_linspace_forms():
    compare("linspace", 0, 10, -1)
    compare("linspace", 0, 10, 2.0)
    compare("linspace", 0, 1, True)
    compare("linspace", TT(0.0), 1, 3)
    compare("linspace", TT([0.0]), 1, 3)
    compare("linspace", TT(0, "int64"), 1, 3)
    compare("linspace", TT(0.0, "float64"), 1, 3)
    compare("linspace", 0, 1, TT(3, "int64"))
    compare("linspace", 0, 300, 3, dtype=DT("uint8"))
    compare("linspace", -5, 5, 7, dtype=DT("uint8"))
    compare("linspace", 0.0, 1.0, 3, requires_grad=True)
    compare("linspace", 0, 1, 3, dtype=DT("int64"), requires_grad=True)
    compare("linspace", 0, 1, 3, device="meta")
    compare("linspace", 0, 1)


@pytest.mark.parametrize("dtype", [None, "float64", "float16", "bfloat16", "int64", "int32"])
def test_logspace_grid(dtype):
    kw = {} if dtype is None else {"dtype": DT(dtype)}
    for start, end, steps, base in itertools.product([0, -2, 1.5], [3, -1, 2], [0, 1, 4, 9],
                                                      [10.0, 2, 0.5, -2.0]):
        compare("logspace", start, end, steps, base, **kw)


def test_logspace_forms():
    compare("logspace", 0, 3, 4, base=2)
    compare("logspace", 0, 1, 3, base=TT(2.0))
    compare("logspace", 0, 3, -1)
    compare("logspace", 0, 3, 4, dtype=DT("bool"))
    compare("logspace", 0, 3, 4, device="meta")


# ----------------------------------------------------------------------------------
# eye / tril_indices / triu_indices / scalar_tensor
# ----------------------------------------------------------------------------------

@pytest.mark.parametrize("dtype", [None] + DTYPES)
def test_eye_grid(dtype):
    kw = {} if dtype is None else {"dtype": DT(dtype)}
    for n in [0, 1, 3]:
        compare("eye", n, **kw)
        for m in [0, 2, 5]:
            compare("eye", n, m, **kw)
            compare("eye", n, m=m, **kw)
    compare("eye", -1, **kw)
    compare("eye", 2, -1, **kw)
    compare("eye", 2.0, **kw)
    compare("eye", True, **kw)
    compare("eye", 3, device="meta", **kw)
    compare("eye", 2, requires_grad=True, **kw)


@pytest.mark.parametrize("name", ["tril_indices", "triu_indices"])
def test_tri_indices_grid(name):
    for row, col, offset in itertools.product([0, 1, 3, 4], [0, 1, 3, 5], [-5, -1, 0, 1, 2, 10]):
        compare(name, row, col, offset)
    for dtype in ["int32", "int64", "int16", "uint8", "float32"]:
        compare(name, 3, 4, 1, dtype=DT(dtype))
    compare(name, -1, 3)
    compare(name, 3, -1)
    compare(name, 3.0, 3)
    compare(name, 3, 3, 1.5)
    compare(name, 3, 3, offset=1)
    compare(name, 3, 3, device="meta")


def test_scalar_tensor():
    for value in [1, True, 1.5, -2.5, float("nan"), float("inf"), 300, -1, 2**63 - 1, 2**64,
                  "a", TT(2, "int64"), TT(2.5), TT([1, 2], "int64"), np.float64(2.5)]:
        compare("scalar_tensor", value)
        for dtype in DTYPES:
            compare("scalar_tensor", value, dtype=DT(dtype))
    compare("scalar_tensor", 1, requires_grad=True)
    compare("scalar_tensor", 1, device="meta")


# ----------------------------------------------------------------------------------
# zeros / ones / empty / full and their _like forms
# ----------------------------------------------------------------------------------

SIZE_FORMS = [(2, 3), ((2, 3),), ([2, 3],), ((),), (0,), (0, 3), (-1,), (2, -1), (2.0,), (True,),
              (None,), ((2,), 3), ([2, [3]],), ((2, 2.0),), (TT(2, "int64"),), (TT(2.0),), ()]


@pytest.mark.parametrize("name", ["zeros", "ones", "empty"])
def test_size_forms(name):
    for args in SIZE_FORMS:
        if name == "empty":
            out = _check_empty(name, args, {})
        else:
            compare(name, *args)
    if name != "empty":
        compare(name, size=(3,))
        compare(name, size=[2, 2])
        compare(name, 2, size=(3,))
        for dtype in DTYPES:
            compare(name, 2, 3, dtype=DT(dtype))
            compare(name, 2, dtype=DT(dtype), requires_grad=True)
            compare(name, 2, 3, dtype=DT(dtype), device="meta")


def _check_empty(name, args, kwargs):
    """empty's values are undefined: compare everything else."""
    try:
        t = _run("torch", name, args, kwargs)
    except Exception as exc:  # noqa: BLE001
        with pytest.raises(type(exc) if not isinstance(exc, RuntimeError) else RuntimeError):
            _run("ember", name, args, kwargs)
        return None
    e = _run("ember", name, args, kwargs)
    assert tuple(e.shape) == tuple(t.shape) and str(e.dtype) == str(t.dtype)
    return e


def test_size_accepts_torch_size():
    assert ember.zeros(ember.Size([2, 3])).shape == (2, 3)
    assert ember.full(ember.Size([2]), 1.0).shape == (2,)
    assert ember.empty(size=ember.Size([4])).shape == (4,)


FILL_VALUES = [True, False, 1, -1, 0, 2.5, -1.5, -0.5, float("nan"), float("inf"), 300, -255,
               -256, 200, -129, 65519.0, 65520.0, 70000, 1e39, 2**63, 2**63 - 1, 2**64,
               np.float64(1.5), np.int32(2), np.bool_(True), TT(3, "int64"), TT(3.0, "float64"),
               TT(True, "bool"), TT(1, "int8"), TT([3], "int64"), "a"]


@pytest.mark.parametrize("dtype", [None] + DTYPES)
def test_full_values_and_dtype_inference(dtype):
    kw = {} if dtype is None else {"dtype": DT(dtype)}
    for value in FILL_VALUES:
        compare("full", (2,), value, **kw)
    compare("full", (), 1, **kw)
    compare("full", [2, 1], 1.0, **kw)
    compare("full", 2, 1.0, **kw)
    compare("full", (-2,), 1, **kw)
    compare("full", (2, 2.0), 1.0, **kw)
    compare("full", (2,), 1.0, requires_grad=True, **kw)
    compare("full", (2, 3), 1.0, device="meta", **kw)


LIKE_INPUTS = [TT([[1.0, 2.0, 3.0], [4.0, 5.0, 6.0]]), TT([1, 2], "int64"), TT(True, "bool"),
               TT([], "float64"), TT([[1, 2]], "uint8")]


@pytest.mark.parametrize("name", ["zeros_like", "ones_like", "full_like", "empty_like"])
def test_like(name):
    extra = (2.7,) if name == "full_like" else ()
    for inp in LIKE_INPUTS:
        for dtype in [None] + DTYPES:
            kw = {} if dtype is None else {"dtype": DT(dtype)}
            if name == "empty_like":
                _check_empty(name, (inp,), kw)
            else:
                compare(name, inp, *extra, **kw)
        if name != "empty_like":
            compare(name, inp, *extra, requires_grad=True)
            compare(name, inp, *extra, device="meta")
    compare(name, [1, 2], *extra)
    if name == "full_like":
        for value in FILL_VALUES:
            compare(name, TT([1, 2], "uint8"), value)
            compare(name, TT([1.0]), value)


@pytest.mark.parametrize("make", [
    lambda lib: lib.ones(2, 3).t(),                       # dense, permuted: strides kept
    lambda lib: lib.ones(2, 3, 4).permute(2, 0, 1),
    lambda lib: lib.ones(2, 6)[:, ::2],                   # gaps: contiguous result
    lambda lib: lib.ones(3).expand(2, 3),                 # overlap: contiguous result
    lambda lib: lib.ones(1, 3).t(),
])
def test_like_keeps_torch_strides(make):
    t_in, e_in = make(torch), make(ember)
    for name in ["zeros_like", "ones_like", "empty_like"]:
        assert getattr(ember, name)(e_in).stride() == getattr(torch, name)(t_in).stride(), name
    assert ember.full_like(e_in, 2).stride() == torch.full_like(t_in, 2).stride()
    contiguous = ember.zeros_like(e_in, memory_format=ember.contiguous_format)
    assert contiguous.is_contiguous()


def test_out_argument():
    cases = [("zeros", (2,), {}), ("ones", (2,), {}), ("full", ((2,), 1.0), {}),
             ("full", ((2,), 1), {}), ("arange", (3,), {}), ("arange", (3.0,), {}),
             ("linspace", (0, 1, 3), {}), ("logspace", (0, 1, 3), {}), ("eye", (3,), {})]
    for name, args, kw in cases:
        for out_dtype in ["float32", "int64", "float64"]:
            for dtype in [None, "float16", out_dtype]:
                kwargs = dict(kw)
                if dtype is not None:
                    kwargs["dtype"] = DT(dtype)
                t_out = torch.empty(5, dtype=getattr(torch, out_dtype))
                e_out = ember.empty(5, dtype=getattr(ember, out_dtype))
                ctx = f"{name}{args} out={out_dtype} dtype={dtype}"
                try:
                    with warnings.catch_warnings():
                        warnings.simplefilter("ignore")
                        t_res = getattr(torch, name)(*args, out=t_out, **{
                            k: _conv(v, "torch") for k, v in kwargs.items()})
                except Exception:  # noqa: BLE001
                    with pytest.raises(RuntimeError):
                        getattr(ember, name)(*args, out=e_out, **{
                            k: _conv(v, "ember") for k, v in kwargs.items()})
                    continue
                e_res = getattr(ember, name)(*args, out=e_out, **{
                    k: _conv(v, "ember") for k, v in kwargs.items()})
                assert e_res is e_out, ctx
                assert_same(e_out, t_res, ctx)


def test_out_on_meta_resizes():
    out = ember.empty(3, device="meta")
    assert ember.zeros(2, 4, out=out) is out
    assert out.shape == (2, 4) and out.device.type == "meta"


def test_default_dtype_is_followed():
    old_e, old_t = ember.get_default_dtype(), torch.get_default_dtype()
    try:
        ember.set_default_dtype(ember.float64)
        torch.set_default_dtype(torch.float64)
        for name, args in [("zeros", (2,)), ("ones", (2,)), ("full", ((2,), 1.5)),
                           ("arange", (0.5, 3)), ("linspace", (0, 1, 3)), ("logspace", (0, 1, 3)),
                           ("eye", (2,)), ("scalar_tensor", (1,))]:
            compare(name, *args)
        compare("full", (2,), 1)
        compare("arange", 3)
    finally:
        ember.set_default_dtype(old_e)
        torch.set_default_dtype(old_t)


def test_empty_strided():
    for size, stride in [((2, 3), (1, 2)), ((2, 3), (3, 1)), ((2, 3), (0, 0)), ((0, 3), (3, 1)),
                         ((4,), (2,))]:
        e = ember.empty_strided(size, stride)
        t = torch.empty_strided(size, stride)
        assert e.shape == t.shape and e.stride() == t.stride() and e.dtype == ember.float32
    for size, stride in [((2, 3), (1,)), ((2, -3), (1, 2)), ((2, 3), (-1, 2))]:
        with pytest.raises(RuntimeError):
            torch.empty_strided(size, stride)
        with pytest.raises(RuntimeError):
            ember.empty_strided(size, stride)
    assert ember.empty_strided((2, 3), (1, 2), dtype=ember.int64).dtype == ember.int64
    meta = ember.empty_strided((2, 3), (1, 2), device="meta")
    assert meta.device.type == "meta" and meta.shape == (2, 3)


def test_new_methods():
    for dtype in ["float32", "int64", "bool"]:
        e = ember.ones(2, dtype=getattr(ember, dtype))
        t = torch.ones(2, dtype=getattr(torch, dtype))
        for name, args, kw in [("new_zeros", (2, 3), {}), ("new_zeros", ((2, 3),), {}),
                               ("new_ones", ([2],), {}), ("new_zeros", (), {"size": (2,)}),
                               ("new_full", ((2,), 5), {}), ("new_full", ((2,), 2.5), {}),
                               ("new_full", (2, 5), {}), ("new_tensor", ([1, 2],), {}),
                               ("new_ones", (2,), {"dtype": DT("float64")})]:
            ctx = f"{dtype} {name}{args}"
            try:
                t_res = getattr(t, name)(*args, **{k: _conv(v, "torch") for k, v in kw.items()})
            except Exception as exc:  # noqa: BLE001
                with pytest.raises(type(exc)):
                    getattr(e, name)(*args, **{k: _conv(v, "ember") for k, v in kw.items()})
                continue
            assert_same(getattr(e, name)(*args, **{k: _conv(v, "ember") for k, v in kw.items()}),
                        t_res, ctx)
    assert ember.ones(2).new_empty_strided((2, 3), (1, 2)).stride() == (1, 2)


# ----------------------------------------------------------------------------------
# meshgrid
# ----------------------------------------------------------------------------------

@pytest.mark.parametrize("indexing", ["ij", "xy"])
def test_meshgrid_grid(indexing):
    vectors = [TT([0.0, 1.0, 2.0]), TT([5.0, 6.0]), TT(7.0), TT([1.0, 2.0, 3.0, 4.0]),
               TT([], "float32")]
    for count in (1, 2, 3):
        for combo in itertools.product(vectors, repeat=count):
            compare("meshgrid", *combo, indexing=indexing)
            compare("meshgrid", list(combo), indexing=indexing)


def test_meshgrid_errors_and_views():
    a = TT([0.0, 1.0, 2.0])
    compare("meshgrid", a, TT([1, 2], "int64"), indexing="ij")
    compare("meshgrid", a, TT([[1.0]]), indexing="ij")
    compare("meshgrid", a, 3, indexing="ij")
    compare("meshgrid", a, a, indexing="foo")
    compare("meshgrid", indexing="ij")
    compare("meshgrid", [], indexing="ij")
    x = ember.arange(3.0)
    gx, gy = ember.meshgrid(x, ember.arange(2.0), indexing="ij")
    assert gx._base is x or gx._base is x._base or gx.data_ptr() == x.data_ptr()
    with pytest.raises(RuntimeError):
        ember.meshgrid(x, ember.arange(2.0).to("meta"), indexing="ij")


@pytest.mark.parametrize("indexing", ["ij", "xy"])
def test_meshgrid_gradients(indexing):
    rng = np.random.default_rng(0)
    arrays = [rng.standard_normal(n) for n in (3, 2, 4)]
    t_in = [torch.tensor(a, requires_grad=True) for a in arrays]
    e_in = [ember.tensor(a, requires_grad=True) for a in arrays]
    t_out = torch.meshgrid(*t_in, indexing=indexing)
    e_out = ember.meshgrid(*e_in, indexing=indexing)
    weights = [rng.standard_normal(tuple(o.shape)) for o in t_out]
    t_loss = sum((o * torch.tensor(w)).sum() for o, w in zip(t_out, weights))
    e_loss = sum((o * ember.tensor(w)).sum() for o, w in zip(e_out, weights))
    t_loss.backward()
    e_loss.backward()
    for e, t in zip(e_in, t_in):
        np.testing.assert_allclose(e.grad.numpy(), t.grad.numpy(), rtol=1e-12)
    assert type(e_out[0].grad_fn).__name__ == type(t_out[0].grad_fn).__name__


def test_meshgrid_warns_once_without_indexing():
    from ember.ops import creation
    creation._MESHGRID_WARNED[0] = False
    a, b = ember.arange(3), ember.arange(2)
    with pytest.warns(UserWarning, match="indexing"):
        ga, gb = ember.meshgrid(a, b)
    assert ga.shape == (3, 2)      # torch's default is 'ij'
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        ember.meshgrid(a, b)       # torch warns once per process (TORCH_WARN_ONCE)


def test_creation_errors_are_clean():
    """No NumPy exception escapes from creation functions."""
    bad_calls = [lambda: ember.zeros("a"), lambda: ember.full((2,), object()),
                 lambda: ember.arange(object()), lambda: ember.linspace(0, 1, "3"),
                 lambda: ember.eye("3"), lambda: ember.tril_indices(3, "3"),
                 lambda: ember.zeros(2, dtype="float32"), lambda: ember.zeros(2, device="gpu"),
                 lambda: ember.arange(0, 1, 1e-30), lambda: ember.zeros_like("x"),
                 lambda: ember.full_like(ember.zeros(2), "x")]
    for call in bad_calls:
        with pytest.raises((TypeError, RuntimeError, ValueError)) as info:
            call()
        assert not type(info.value).__module__.startswith("numpy"), info.value

"""Reduction behaviour the registry cannot express: named-tuple types and reprs,
binary max/min, in-place scans, warnings, precision of half types, tie-breaking
rules on larger inputs, double backward through zeros, out= tuples."""
import math
import warnings

import numpy as np
import pytest
import torch

import ember


def both(arr, requires_grad=False, dtype=None):
    arr = np.asarray(arr)
    t = torch.tensor(arr)
    e = ember.tensor(arr)
    if dtype is not None:
        t, e = t.to(getattr(torch, dtype)), e.to(getattr(ember, dtype))
    if requires_grad:
        t.requires_grad_(True)
        e.requires_grad_(True)
    return e, t


def close(e, t, **kw):
    """Same shape, dtype and values (NaN equal) for an ember and a torch tensor."""
    t = t.detach()
    assert tuple(e.shape) == tuple(t.shape)
    assert str(e.dtype) == str(t.dtype)
    if t.dtype == torch.bfloat16:
        t = t.float()
    e_arr = np.asarray(e._data)
    if str(e_arr.dtype) == "bfloat16":
        e_arr = e_arr.astype(np.float32)
    np.testing.assert_allclose(e_arr, t.numpy(), equal_nan=True, **kw)


@pytest.mark.parametrize("call", [
    lambda m, x: m.max(x, 1), lambda m, x: m.min(x, 0), lambda m, x: m.median(x, 1),
    lambda m, x: m.nanmedian(x, 1), lambda m, x: m.mode(x, 1), lambda m, x: m.cummax(x, 1),
    lambda m, x: m.cummin(x, 0), lambda m, x: m.aminmax(x, dim=1),
])
def test_named_tuples_match_torch(call):
    e, t = both([[1.0, 3.0, 3.0], [2.0, 0.5, 2.0]])
    e_res, t_res = call(ember, e), call(torch, t)
    assert type(e_res).__name__ == type(t_res).__name__
    assert isinstance(e_res, tuple) and len(e_res) == len(t_res) == 2
    for field in ("values", "indices", "min", "max"):
        if hasattr(t_res, field):
            assert hasattr(e_res, field)
    assert repr(e_res) == repr(t_res)
    a, b = e_res
    assert a is e_res[0] and b is e_res[1]


def test_return_types_namespace():
    from ember.ops.reduction import return_types
    r = return_types.max((ember.tensor(1.0), ember.tensor(0)))
    assert r.values.item() == 1.0 and r.indices.item() == 0


def test_var_mean_returns_plain_tuples():
    e, t = both([[1.0, 2.0, 4.0], [0.0, 1.0, 1.0]])
    assert type(ember.var_mean(e, 1)) is type(torch.var_mean(t, 1)) is tuple
    assert type(ember.std_mean(e)) is tuple


@pytest.mark.parametrize("name", ["max", "min"])
def test_binary_max_min_is_elementwise(name):
    from ember.ops import pointwise
    if not hasattr(pointwise, "maximum"):
        pytest.skip("pointwise.maximum not available yet")
    ea, ta = both([[1.0, 5.0], [3.0, 2.0]], requires_grad=True)
    eb, tb = both([2.0, 2.0], requires_grad=True)
    e_out, t_out = getattr(ember, name)(ea, eb), getattr(torch, name)(ta, tb)
    close(e_out, t_out)
    close(ea.max(eb) if name == "max" else ea.min(eb),
          ta.max(tb) if name == "max" else ta.min(tb))
    e_g = ember.autograd.grad(e_out.sum(), (ea, eb))
    t_g = torch.autograd.grad(t_out.sum(), (ta, tb))
    for eg, tg in zip(e_g, t_g):
        close(eg, tg)


def test_max_out_tuple():
    e, t = both([[1.0, 5.0, 2.0], [7.0, 0.0, 7.0]], dtype="float32")
    ev, ei = ember.empty(0), ember.empty(0, dtype=ember.int64)
    tv, ti = torch.empty(0), torch.empty(0, dtype=torch.int64)
    e_res = ember.max(e, 1, out=(ev, ei))
    torch.max(t, 1, out=(tv, ti))
    close(ev, tv)
    close(ei, ti)
    assert e_res[0] is ev and e_res[1] is ei
    with pytest.raises(RuntimeError):
        torch.max(t, 1, out=(torch.empty(0), torch.empty(0)))
    with pytest.raises(RuntimeError):
        ember.max(e, 1, out=(ember.empty(0), ember.empty(0)))
    with pytest.raises(RuntimeError):
        torch.max(t, 1, out=(torch.empty(0, dtype=torch.float64), ti))
    with pytest.raises(RuntimeError):
        ember.max(e, 1, out=(ember.empty(0, dtype=ember.float64), ei))


@pytest.mark.parametrize("name", ["cumsum_", "cumprod_"])
@pytest.mark.parametrize("dtype", ["float32", "int32"])
def test_inplace_scans(name, dtype):
    e, t = both([[1, 2, 3], [2, 0, 1]], dtype=dtype)
    e_res = getattr(e, name)(1)
    getattr(t, name)(1)
    assert e_res is e
    assert str(e.dtype) == str(t.dtype)
    close(e, t)


def test_inplace_cumsum_autograd():
    e, t = both([[1.0, 2.0, 3.0], [2.0, 0.5, 1.0]], requires_grad=True)
    e2, t2 = e * 2, t * 2
    e2.cumsum_(1)
    t2.cumsum_(1)
    w = np.arange(6.0).reshape(2, 3)
    (eg,) = ember.autograd.grad(e2, e, ember.tensor(w))
    (tg,) = torch.autograd.grad(t2, t, torch.tensor(w))
    close(eg, tg)


@pytest.mark.parametrize("call", [lambda m, x: m.var(x), lambda m, x: m.std(x, 0),
                                  lambda m, x: m.var(x, correction=3)])
def test_var_warns_when_dof_not_positive(call):
    e, t = both([2.0])
    with warnings.catch_warnings(record=True) as t_w:
        warnings.simplefilter("always")
        t_out = call(torch, t)
    with pytest.warns(UserWarning, match="degrees of freedom"):
        e_out = call(ember, e)
    assert t_w
    close(e_out, t_out)


@pytest.mark.parametrize("dtype", ["float16", "bfloat16"])
@pytest.mark.parametrize("call", [
    lambda m, x: m.sum(x), lambda m, x: m.mean(x, 0), lambda m, x: m.cumsum(x, 0)[-1],
    lambda m, x: m.var(x), lambda m, x: m.norm(x), lambda m, x: m.logsumexp(x, 0),
    lambda m, x: m.nansum(x), lambda m, x: m.logcumsumexp(x, 0)[-1],
])
def test_half_types_accumulate_in_float32(dtype, call):
    # 4096 values near 1: a half-precision running sum would stall at 2048 or 256.
    arr = np.random.default_rng(0).uniform(0.9, 1.1, size=4096).astype(np.float32)
    e, t = both(arr, dtype=dtype)
    e_out, t_out = call(ember, e), call(torch, t)
    assert str(e_out.dtype) == str(t_out.dtype)
    close(e_out, t_out, rtol=1e-2)


def test_float32_cumsum_matches_torch_on_long_input():
    arr = np.random.default_rng(1).uniform(-1, 1, size=20000).astype(np.float32)
    e, t = both(arr)
    close(ember.cumsum(e, 0), torch.cumsum(t, 0), rtol=1e-6, atol=1e-6)


@pytest.mark.parametrize("n", [3, 4, 7, 16, 33, 100])
def test_median_indices_follow_torch_on_ties(n):
    arr = np.random.default_rng(n).integers(0, 4, size=(20, n))
    e, t = both(arr)
    for fn in ("median", "nanmedian"):
        e_res, t_res = getattr(ember, fn)(e, 1), getattr(torch, fn)(t, 1)
        close(e_res.values, t_res.values)
        close(e_res.indices, t_res.indices)
    f = arr.astype(np.float64)
    f[::3, 1] = np.nan
    e, t = both(f)
    for fn in ("median", "nanmedian"):
        e_res, t_res = getattr(ember, fn)(e, 1), getattr(torch, fn)(t, 1)
        close(e_res.values, t_res.values)
        close(e_res.indices, t_res.indices)
        close(getattr(ember, fn)(e), getattr(torch, fn)(t))


@pytest.mark.parametrize("n", [2, 5, 16])
def test_mode_picks_smallest_value_and_last_index(n):
    arr = np.random.default_rng(n).integers(0, 4, size=(30, n))
    e, t = both(arr)
    e_res, t_res = ember.mode(e), torch.mode(t)
    close(e_res.values, t_res.values)
    close(e_res.indices, t_res.indices)


@pytest.mark.parametrize("n", [40])
def test_mode_values_on_long_rows(n):
    arr = np.random.default_rng(n).integers(0, 4, size=(30, n))
    e, t = both(arr)
    e_res, t_res = ember.mode(e), torch.mode(t)
    close(e_res.values, t_res.values)
    # torch's index among ties is not stable past 16 elements; it must hold the value.
    picked = np.take_along_axis(arr, e_res.indices.numpy()[:, None], 1)[:, 0]
    np.testing.assert_array_equal(picked, e_res.values.numpy())


def test_cummax_cummin_last_index_and_nan():
    arr = [[1.0, 3.0, 3.0, np.nan, 5.0, np.nan, 0.0], [2.0, 2.0, 1.0, 1.0, 4.0, 4.0, 0.0]]
    e, t = both(arr)
    for fn in ("cummax", "cummin"):
        e_res, t_res = getattr(ember, fn)(e, 1), getattr(torch, fn)(t, 1)
        close(e_res.values, t_res.values)
        close(e_res.indices, t_res.indices)


def test_argmax_first_index_and_nan():
    arr = [[1.0, 3.0, 3.0, 0.0], [np.nan, 1.0, np.nan, 5.0]]
    e, t = both(arr)
    for fn in ("argmax", "argmin"):
        close(getattr(ember, fn)(e, 1), getattr(torch, fn)(t, 1))
        close(getattr(ember, fn)(e), getattr(torch, fn)(t))
    close(ember.max(e, 1).indices, torch.max(t, 1).indices)


@pytest.mark.parametrize("fn", [
    lambda x: x.prod(), lambda x: x.prod(1), lambda x: x.cumprod(1), lambda x: x.cumprod(0),
    lambda x: x.logcumsumexp(1), lambda x: x.norm(3, 1), lambda x: x.std(1),
    lambda x: x.max(), lambda x: x.median(1).values, lambda x: x.cummax(1).values,
])
def test_gradgradcheck_through_zeros_and_ties(fn):
    arr = np.array([[1.5, 0.0, 2.0, 0.5, 0.0, 3.0], [1.0, 2.0, 0.0, 2.5, 0.7, 0.5],
                    [0.3, -1.0, 0.8, 2.0, -0.5, 1.1]])
    x = ember.tensor(arr, requires_grad=True)
    assert ember.autograd.gradcheck(fn, (x,))
    assert ember.autograd.gradgradcheck(fn, (x,))


@pytest.mark.parametrize("fn", [lambda m, x: m.prod(x), lambda m, x: m.prod(x, 1),
                                lambda m, x: m.cumprod(x, 1),
                                lambda m, x: m.logcumsumexp(x, 1)])
def test_double_backward_matches_torch(fn):
    arr = np.array([[1.5, 0.0, 2.0, 0.5], [0.0, 2.0, 0.0, 3.0], [0.3, -1.0, 0.8, 2.0]])
    e, t = both(arr, requires_grad=True)
    w = np.random.default_rng(0).standard_normal(tuple(fn(torch, t).shape))
    (eg,) = ember.autograd.grad(fn(ember, e), e, ember.tensor(w), create_graph=True)
    (tg,) = torch.autograd.grad(fn(torch, t), t, torch.tensor(w), create_graph=True)
    close(eg, tg, rtol=1e-10, atol=1e-12)
    (egg,) = ember.autograd.grad((eg * eg).sum(), e)
    (tgg,) = torch.autograd.grad((tg * tg).sum(), t)
    close(egg, tgg, rtol=1e-10, atol=1e-10)


def test_norm_p0_has_no_gradient():
    e, t = both([[1.0, 0.0], [2.0, 3.0]], requires_grad=True)
    out = ember.norm(e, 0)
    assert out.item() == torch.norm(t, 0).item()
    (g,) = ember.autograd.grad(out, e, allow_unused=True)
    assert g is None or not np.any(g.numpy())


def test_norm_dtype_and_nuc():
    e, t = both([[1.0, -2.0], [3.0, 4.0]], dtype="float16")
    close(ember.norm(e, dtype=ember.float32), torch.norm(t, dtype=torch.float32))
    with pytest.raises(NotImplementedError):
        ember.norm(e, "nuc")


def test_logsumexp_stable_gradient():
    e, t = both([[1000.0, 1000.0, -1000.0]], requires_grad=True)
    close(ember.logsumexp(e, 1), torch.logsumexp(t, 1))
    (eg,) = ember.autograd.grad(ember.logsumexp(e, 1).sum(), e)
    (tg,) = torch.autograd.grad(torch.logsumexp(t, 1).sum(), t)
    close(eg, tg)


def test_logcumsumexp_gradient_large_values():
    e, t = both([[500.0, -500.0, 800.0, 10.0]], requires_grad=True)
    w = [[1.0, -2.0, 0.5, 3.0]]
    (eg,) = ember.autograd.grad(ember.logcumsumexp(e, 1), e, ember.tensor(w))
    (tg,) = torch.autograd.grad(torch.logcumsumexp(t, 1), t, torch.tensor(w))
    close(eg, tg, rtol=1e-6)


def test_all_any_uint8_and_out():
    e, t = both([[0, 3], [1, 1]], dtype="uint8")
    for fn in ("all", "any"):
        e_out, t_out = getattr(ember, fn)(e, 1), getattr(torch, fn)(t, 1)
        assert str(e_out.dtype) == str(t_out.dtype) == "torch.uint8"
        close(e_out, t_out)
    eb, tb = both([[0.0, 1.0], [2.0, 3.0]])
    out = ember.empty(0, dtype=ember.bool)
    ember.all(eb, 1, out=out)
    close(out, torch.all(tb, 1))
    with pytest.raises(RuntimeError):
        ember.all(eb, 1, out=ember.empty(0))


def test_tensor_methods_exist_like_torch():
    names = ["sum", "nansum", "mean", "nanmean", "prod", "var", "std", "max", "min", "amax",
             "amin", "aminmax", "argmax", "argmin", "logsumexp", "norm", "cumsum", "cumprod",
             "cummax", "cummin", "logcumsumexp", "all", "any", "count_nonzero", "median",
             "nanmedian", "mode", "cumsum_", "cumprod_"]
    for name in names:
        assert hasattr(torch.Tensor, name)
        assert hasattr(ember.Tensor, name), name
    for name in ("var_mean", "std_mean"):
        assert hasattr(torch.Tensor, name) == hasattr(ember.Tensor, name)


@pytest.mark.parametrize("call", [
    lambda m, x: m.max(x, keepdim=True), lambda m, x: m.logsumexp(x),
    lambda m, x: m.cumsum(x), lambda m, x: m.argmax(x, (0,)), lambda m, x: m.median(x, (0,)),
    lambda m, x: m.aminmax(x, 0), lambda m, x: m.sum("x"), lambda m, x: m.prod(x, (0, 1)),
])
def test_bad_signatures_raise_type_errors(call):
    e, t = both([[1.0, 2.0], [3.0, 4.0]])
    with pytest.raises(TypeError):
        call(torch, t)
    with pytest.raises(TypeError):
        call(ember, e)


def test_empty_reductions_raise_like_torch():
    e, t = both(np.zeros((0, 3)))
    cases = [lambda m, x: m.max(x), lambda m, x: m.max(x, 0), lambda m, x: m.amax(x),
             lambda m, x: m.amin(x, 0), lambda m, x: m.argmax(x), lambda m, x: m.argmin(x, 0),
             lambda m, x: m.aminmax(x), lambda m, x: m.aminmax(x, dim=0),
             lambda m, x: m.median(x, 0), lambda m, x: m.mode(x, 0),
             lambda m, x: m.norm(x, math.inf)]
    for call in cases:
        with pytest.raises(Exception) as t_info:
            call(torch, t)
        with pytest.raises(type(t_info.value)):
            call(ember, e)


TIES = [[1.0, 3.0, 3.0, 0.0, 3.0], [2.0, 2.0, 1.0, 2.0, 2.0], [0.0, 0.0, 0.0, 0.0, 0.0]]
WITH_NAN = [[1.0, np.nan, 3.0, np.nan], [0.5, 2.0, -1.0, 4.0]]


@pytest.mark.parametrize("arr", [TIES, WITH_NAN], ids=["ties", "nan"])
@pytest.mark.parametrize("call", [
    lambda m, x: m.max(x), lambda m, x: m.min(x), lambda m, x: m.max(x, 1).values,
    lambda m, x: m.min(x, 0).values, lambda m, x: m.amax(x, 1), lambda m, x: m.amin(x),
    lambda m, x: m.aminmax(x, dim=1).max, lambda m, x: m.aminmax(x).min,
    lambda m, x: m.median(x), lambda m, x: m.nanmedian(x), lambda m, x: m.median(x, 1).values,
    lambda m, x: m.nanmedian(x, 1).values, lambda m, x: m.mode(x, 1).values,
    lambda m, x: m.cummax(x, 1).values, lambda m, x: m.cummin(x, 1).values,
    lambda m, x: m.norm(x, math.inf, 1), lambda m, x: m.norm(x, -math.inf),
])
def test_gradients_at_ties_and_nan_match_torch(call, arr):
    e, t = both(arr, requires_grad=True)
    e_out, t_out = call(ember, e), call(torch, t)
    close(e_out, t_out)
    w = np.random.default_rng(0).standard_normal(tuple(t_out.shape))
    (eg,) = ember.autograd.grad(e_out, e, ember.tensor(w))
    (tg,) = torch.autograd.grad(t_out, t, torch.tensor(w))
    close(eg, tg)


@pytest.mark.parametrize("arr,call", [
    ([[-math.inf, -math.inf, 1.0], [math.inf, 1.0, 0.0]], lambda m, x: m.logsumexp(x, 1)),
    ([[1.0, -math.inf, 2.0, 0.5]], lambda m, x: m.logcumsumexp(x, 1)),
    ([[0.0, 0.0], [1.0, 2.0]], lambda m, x: m.norm(x, 2, 1)),
    ([[0.0, 0.0], [1.0, 2.0]], lambda m, x: m.norm(x, 3, 1)),
    ([[0.0, 0.0], [1.0, 2.0]], lambda m, x: m.norm(x, 0.5, 1)),
    ([[0.0, 0.0], [1.0, 2.0]], lambda m, x: m.norm(x, -1, 1)),
    ([[0.0, 0.0], [1.0, 1.0]], lambda m, x: m.std(x, 1)),
])
def test_gradients_at_special_values_match_torch(arr, call):
    e, t = both(arr, requires_grad=True)
    e_out, t_out = call(ember, e), call(torch, t)
    close(e_out, t_out)
    w = np.random.default_rng(0).standard_normal(tuple(t_out.shape))
    (eg,) = ember.autograd.grad(e_out, e, ember.tensor(w))
    (tg,) = torch.autograd.grad(t_out, t, torch.tensor(w))
    close(eg, tg)

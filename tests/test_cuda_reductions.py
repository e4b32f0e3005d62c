"""Reductions, scans and sorting on the cuda device, for what the generic registry
tests miss: empty and 0-dim inputs, Python numbers out of cuda results (``.item()``,
``.tolist()``, ``float()``), sort stability with ties and NaN placement, scans over
lengths that are not powers of two, and the device/dtype of unique/bincount/histc.

Compared with torch on the cpu.  Runs when ember has a cuda device: a GPU with CuPy, or
the CuPy emulator (``EMBER_EMULATE_CUDA=1``, see tests/conftest.py).
"""
import math

import numpy as np
import pytest
import torch

import ember

pytestmark = pytest.mark.skipif(not ember.cuda.is_available(),
                                reason="no cuda device (CuPy and a GPU) for ember")


def pair(arr):
    """(ember tensor on cuda, torch tensor on the cpu) with the values of ``arr``."""
    arr = np.asarray(arr)
    return ember.tensor(arr).cuda(), torch.tensor(arr)


def check(e, t, exact=False):
    if isinstance(t, (tuple, list)):
        assert len(e) == len(t)
        for a, b in zip(e, t):
            check(a, b, exact)
        return
    assert e.device.type == "cuda"
    assert str(e.dtype) == str(t.dtype)
    assert tuple(e.shape) == tuple(t.shape)
    if exact:
        np.testing.assert_array_equal(e.cpu().numpy(), t.numpy())
    else:
        np.testing.assert_allclose(e.cpu().numpy(), t.numpy(), rtol=1e-5, atol=1e-6)


# -- empty and 0-dim inputs ----------------------------------------------------------

EMPTY_CASES = [
    ("sum", lambda m, x: m.sum(x)),
    ("sum_dim", lambda m, x: m.sum(x, 1)),
    ("prod", lambda m, x: m.prod(x)),
    ("prod_dim", lambda m, x: m.prod(x, 0)),
    ("mean_dim", lambda m, x: m.mean(x, 1)),
    ("amax_dim0", lambda m, x: m.amax(x, 0)),
    ("logsumexp", lambda m, x: m.logsumexp(x, 1)),
    ("any", lambda m, x: m.any(x)),
    ("all_dim", lambda m, x: m.all(x, 1)),
    ("count_nonzero", lambda m, x: m.count_nonzero(x, 0)),
    ("norm", lambda m, x: m.norm(x)),
    ("var_dim", lambda m, x: m.var(x, 0)),
    ("cumsum", lambda m, x: m.cumsum(x, 1)),
    ("cummax", lambda m, x: tuple(m.cummax(x, 1))),
    ("sort", lambda m, x: tuple(m.sort(x, 1))),
    ("unique", lambda m, x: m.unique(x)),
]


@pytest.mark.parametrize("name,fn", EMPTY_CASES, ids=[c[0] for c in EMPTY_CASES])
def test_empty_inputs_match_torch(name, fn):
    e, t = pair(np.zeros((3, 0), dtype=np.float32))
    check(fn(ember, e), fn(torch, t))


@pytest.mark.parametrize("fn", [lambda m, x: m.max(x), lambda m, x: m.argmax(x),
                                lambda m, x: m.amin(x, 0)])
def test_empty_reductions_without_identity_are_refused(fn):
    e, t = pair(np.zeros((0, 3), dtype=np.float32))
    with pytest.raises(Exception) as t_exc:
        fn(torch, t)
    with pytest.raises(type(t_exc.value)):
        fn(ember, e)


ZERO_DIM_CASES = [
    ("sum", lambda m, x: m.sum(x)),
    ("sum_dim", lambda m, x: m.sum(x, 0, keepdim=True)),
    ("mean", lambda m, x: m.mean(x)),
    ("prod", lambda m, x: m.prod(x, 0)),
    ("max", lambda m, x: m.max(x)),
    ("max_dim", lambda m, x: tuple(m.max(x, 0))),
    ("argmax", lambda m, x: m.argmax(x, 0)),
    ("aminmax", lambda m, x: tuple(m.aminmax(x))),
    ("var", lambda m, x: m.var(x, correction=0)),
    ("logsumexp", lambda m, x: m.logsumexp(x, 0)),
    ("all", lambda m, x: m.all(x)),
    ("cumsum", lambda m, x: m.cumsum(x, 0)),
    ("cummin", lambda m, x: tuple(m.cummin(x, 0))),
    ("logcumsumexp", lambda m, x: m.logcumsumexp(x, 0)),
    ("sort", lambda m, x: tuple(m.sort(x))),
    ("median", lambda m, x: m.median(x)),
    ("mode", lambda m, x: tuple(m.mode(x))),
    ("kthvalue", lambda m, x: tuple(m.kthvalue(x, 1))),
]


@pytest.mark.parametrize("name,fn", ZERO_DIM_CASES, ids=[c[0] for c in ZERO_DIM_CASES])
def test_zero_dim_inputs_match_torch(name, fn):
    e, t = pair(np.float32(1.5))
    check(fn(ember, e), fn(torch, t))


# -- Python numbers from cuda results ------------------------------------------------

NUMBER_CASES = [
    ("sum_float", np.arange(6, dtype=np.float32).reshape(2, 3), lambda m, x: m.sum(x)),
    ("sum_int", np.arange(6, dtype=np.int32), lambda m, x: m.sum(x)),
    ("mean", np.arange(6, dtype=np.float64), lambda m, x: m.mean(x)),
    ("argmax", np.array([1.0, 5.0, 5.0], dtype=np.float32), lambda m, x: m.argmax(x)),
    ("any", np.array([0, 0, 2], dtype=np.int64), lambda m, x: m.any(x)),
    ("count_nonzero", np.array([0, 3, 2], dtype=np.int64), lambda m, x: m.count_nonzero(x)),
    ("norm", np.array([3.0, 4.0], dtype=np.float32), lambda m, x: m.norm(x)),
    ("median", np.array([3.0, 1.0, 2.0], dtype=np.float32), lambda m, x: m.median(x)),
]


@pytest.mark.parametrize("name,arr,fn", NUMBER_CASES, ids=[c[0] for c in NUMBER_CASES])
def test_python_numbers_from_cuda_results(name, arr, fn):
    e, t = pair(arr)
    er, tr = fn(ember, e), fn(torch, t)
    assert er.device.type == "cuda"
    assert type(er.item()) is type(tr.item()) and er.item() == pytest.approx(tr.item())
    assert er.tolist() == pytest.approx(tr.tolist())
    assert type(er.tolist()) is type(tr.tolist())
    assert float(er) == pytest.approx(float(tr))
    assert int(er) == int(tr) and bool(er) == bool(tr)


def test_tolist_of_reduction_along_a_dim():
    e, t = pair(np.arange(12, dtype=np.int64).reshape(3, 4))
    er, tr = ember.sum(e, 1), torch.sum(t, 1)
    assert er.tolist() == tr.tolist()
    assert all(type(v) is int for v in er.tolist())
    values, indices = ember.max(e, 0)
    t_values, t_indices = torch.max(t, 0)
    assert values.tolist() == t_values.tolist() and indices.tolist() == t_indices.tolist()


# -- sort stability, ties and NaN ------------------------------------------------------

def _ties(n=40, seed=0):
    return np.random.default_rng(seed).integers(0, 4, size=(3, n)).astype(np.float32)


@pytest.mark.parametrize("descending", [False, True])
@pytest.mark.parametrize("dim", [0, 1, -1])
def test_sort_with_ties_is_stable_like_torch(descending, dim):
    e, t = pair(_ties())
    check(tuple(ember.sort(e, dim=dim, descending=descending, stable=True)),
          tuple(torch.sort(t, dim=dim, descending=descending, stable=True)), exact=True)
    check(ember.argsort(e, dim=dim, descending=descending, stable=True),
          torch.argsort(t, dim=dim, descending=descending, stable=True), exact=True)


@pytest.mark.parametrize("dtype", ["float16", "int64", "uint8"])
def test_stable_sort_ties_other_dtypes(dtype):
    e, t = pair(_ties(seed=1).astype(dtype))
    for desc in (False, True):
        check(tuple(ember.sort(e, descending=desc, stable=True)),
              tuple(torch.sort(t, descending=desc, stable=True)), exact=True)


def test_sort_puts_nan_last_ascending_first_descending():
    arr = np.array([[2.0, np.nan, 1.0, np.nan, 2.0, -np.inf, np.inf]], dtype=np.float32)
    e, t = pair(arr)
    for desc in (False, True):
        ev, ei = ember.sort(e, descending=desc, stable=True)
        tv, ti = torch.sort(t, descending=desc, stable=True)
        np.testing.assert_array_equal(ev.cpu().numpy(), tv.numpy())
        np.testing.assert_array_equal(ei.cpu().numpy(), ti.numpy())
        assert ev.device.type == "cuda" and ei.device.type == "cuda"


def test_msort_kthvalue_median_mode_with_ties():
    # NOTE: torch's mode reports the last occurrence only for dims up to 16 long
    e, t = pair(_ties(16, seed=2))
    check(ember.msort(e), torch.msort(t), exact=True)
    # (which of the tied elements kthvalue reports is torch's implementation detail)
    check(ember.kthvalue(e, 5, 1).values, torch.kthvalue(t, 5, 1).values, exact=True)
    check(tuple(ember.median(e, 1)), tuple(torch.median(t, 1)), exact=True)
    check(tuple(ember.mode(e, 1)), tuple(torch.mode(t, 1)), exact=True)


# -- scans: running extrema over lengths that are not powers of two --------------------

@pytest.mark.parametrize("n", [1, 2, 5, 17])
def test_running_extrema_and_logcumsumexp(n):
    arr = _ties(n, seed=n)
    arr[0, n // 2] = np.nan
    e, t = pair(arr)
    for dim in (0, 1):
        check(tuple(ember.cummax(e, dim)), tuple(torch.cummax(t, dim)), exact=True)
        check(tuple(ember.cummin(e, dim)), tuple(torch.cummin(t, dim)), exact=True)
        check(ember.logcumsumexp(e, dim), torch.logcumsumexp(t, dim))


# -- unique / bincount / histc / histogram: results on the device, torch's dtypes -------

def test_counting_ops_stay_on_the_device():
    e, t = pair(np.array([3, 1, 3, 0, 1, 3], dtype=np.int64))
    check(ember.unique(e, return_inverse=True, return_counts=True),
          torch.unique(t, return_inverse=True, return_counts=True), exact=True)
    check(ember.unique_consecutive(e, return_counts=True),
          torch.unique_consecutive(t, return_counts=True), exact=True)
    check(ember.bincount(e, minlength=6), torch.bincount(t, minlength=6), exact=True)
    w_e, w_t = pair(np.linspace(0, 1, 6).astype(np.float32))
    check(ember.bincount(e, w_e), torch.bincount(t, w_t))
    f_e, f_t = pair(np.array([0.5, 1.5, 1.5, 2.9, -1.0], dtype=np.float32))
    check(ember.histc(f_e, bins=3, min=0, max=3), torch.histc(f_t, bins=3, min=0, max=3))
    check(tuple(ember.histogram(f_e, bins=4)), tuple(torch.histogram(f_t, bins=4)))
    s_e, s_t = pair(np.array([1.0, 2.0, 2.0, 4.0], dtype=np.float32))
    check(ember.searchsorted(s_e, f_e), torch.searchsorted(s_t, f_t), exact=True)
    check(ember.searchsorted(s_e, 2.0, right=True), torch.searchsorted(s_t, 2.0, right=True),
          exact=True)
    assert not math.isnan(ember.sum(f_e).item())

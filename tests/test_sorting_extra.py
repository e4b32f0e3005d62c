"""Sorting and searching beyond the registry: ties (stable order and gradients), NaN
placement, named tuples, out=, and errors, each compared with torch."""
import pickle

import numpy as np
import pytest
import torch

import ember


def _pair(values, dtype="float32", requires_grad=False):
    arr = np.asarray(values, dtype=dtype)
    t = torch.tensor(arr, requires_grad=requires_grad)
    e = ember.tensor(arr, requires_grad=requires_grad)
    return e, t


def _same(e, t):
    assert tuple(e.shape) == tuple(t.shape)
    assert str(e.dtype) == str(t.dtype)
    np.testing.assert_allclose(e.detach().numpy(), t.detach().numpy(), equal_nan=True)


TIES = [[1.0, 3.0, 3.0, 0.0, 3.0, np.nan, 1.0], [2.0, 2.0, np.nan, 2.0, -1.0, 2.0, np.nan]]


@pytest.mark.parametrize("descending", [False, True])
def test_stable_sort_ties_and_nan_indices_match_torch(descending):
    e, t = _pair(TIES)
    es = ember.sort(e, dim=1, descending=descending, stable=True)
    ts = torch.sort(t, dim=1, descending=descending, stable=True)
    _same(es.values, ts.values)
    _same(es.indices, ts.indices)
    _same(ember.argsort(e, dim=1, descending=descending, stable=True),
          torch.argsort(t, dim=1, descending=descending, stable=True))


def test_sort_gradient_with_ties_follows_indices():
    e, t = _pair([[1.0, 3.0, 3.0, 0.0], [2.0, 2.0, 2.0, 1.0]], requires_grad=True)
    w = np.arange(8.0, dtype=np.float32).reshape(2, 4)
    (ember.sort(e, 1).values * ember.tensor(w)).sum().backward()
    (torch.sort(t, 1).values * torch.tensor(w)).sum().backward()
    _same(e.grad, t.grad)
    assert type(ember.sort(e).values.grad_fn).__name__ == "SortBackward0"


def test_topk_kthvalue_gradients_and_grad_fn_names():
    e, t = _pair(np.random.default_rng(0).standard_normal((3, 6)), requires_grad=True)
    ev, tv = e.topk(2, dim=1).values, t.topk(2, dim=1).values
    assert type(ev.grad_fn).__name__ == type(tv.grad_fn).__name__
    ek, tk = e.kthvalue(3, 0, keepdim=True).values, t.kthvalue(3, 0, keepdim=True).values
    assert type(ek.grad_fn).__name__ == type(tk.grad_fn).__name__
    ((ev * 2).sum() + (ek ** 2).sum() + ember.msort(e)[0].sum()).backward()
    ((tv * 2).sum() + (tk ** 2).sum() + torch.msort(t)[0].sum()).backward()
    _same(e.grad, t.grad)


def test_return_types_are_named_tuples_and_pickle():
    e, t = _pair([3.0, 1.0, 2.0])
    for name, fn in (("sort", lambda x: x.sort()), ("topk", lambda x: x.topk(2)),
                     ("kthvalue", lambda x: x.kthvalue(1))):
        er, tr = fn(e), fn(t)
        assert type(er).__name__ == type(tr).__name__ == name
        values, indices = er
        _same(values, tr.values)
        _same(indices, tr.indices)
        assert repr(er).startswith(f"torch.return_types.{name}(")
        back = pickle.loads(pickle.dumps(er))
        assert type(back) is type(er)
    assert isinstance(ember.return_types.sort((e, e)), tuple)


def test_out_tuple():
    e, t = _pair([[3.0, 1.0, 2.0]])
    ev, ei = ember.empty(0), ember.empty(0, dtype=ember.int64)
    res = ember.sort(e, out=(ev, ei))
    tres = torch.sort(t)
    _same(ev, tres.values)
    _same(ei, tres.indices)
    assert res.values is ev
    ev2, ei2 = ember.empty(0), ember.empty(0, dtype=ember.int64)
    ember.topk(e, 2, out=(ev2, ei2))
    _same(ev2, torch.topk(t, 2).values)


def test_errors_match_torch_types():
    e, t = _pair([1.0, 2.0, 3.0])
    for call in (lambda m, x: m.topk(x, 4), lambda m, x: m.kthvalue(x, 0),
                 lambda m, x: m.kthvalue(x, 4), lambda m, x: m.sort(x, 1),
                 lambda m, x: m.searchsorted(x, x, side="up"),
                 lambda m, x: m.searchsorted(x, x, right=True, side="left"),
                 lambda m, x: m.bucketize(x, x.reshape(1, 3)),
                 lambda m, x: m.histc(x, bins=-1),
                 lambda m, x: m.bincount(x.long() - 2)):
        with pytest.raises(Exception) as t_info:
            call(torch, t)
        with pytest.raises(type(t_info.value)):
            call(ember, e)


def test_unique_backward_raises_like_torch():
    e, t = _pair([1.0, 2.0, 1.0], requires_grad=True)
    eu, tu = ember.unique(e), torch.unique(t)
    assert eu.requires_grad and tu.requires_grad
    with pytest.raises(RuntimeError):
        tu.sum().backward()
    with pytest.raises((RuntimeError, NotImplementedError)):
        eu.sum().backward()


def test_unique_dim_and_consecutive_with_inverse_counts():
    data = np.array([[1, 2], [1, 2], [0, 3], [1, 2], [0, 3]], dtype=np.int64)
    e, t = ember.tensor(data), torch.tensor(data)
    for dim in (None, 0, 1):
        for fn in ("unique", "unique_consecutive"):
            er = getattr(ember, fn)(e, return_inverse=True, return_counts=True, dim=dim)
            tr = getattr(torch, fn)(t, return_inverse=True, return_counts=True, dim=dim)
            for a, b in zip(er, tr):
                _same(a, b)


def test_searchsorted_scalar_sorter_and_int32():
    seq = np.array([5.0, 1.0, 3.0, 3.0], dtype=np.float32)
    sorter = np.argsort(seq, kind="stable")
    for kwargs in ({}, {"right": True}, {"side": "right"}, {"out_int32": True}):
        er = ember.searchsorted(ember.tensor(seq), ember.tensor([3.0, 0.0, 6.0]),
                                sorter=ember.tensor(sorter), **kwargs)
        tr = torch.searchsorted(torch.tensor(seq), torch.tensor([3.0, 0.0, 6.0]),
                                sorter=torch.tensor(sorter), **kwargs)
        _same(er, tr)
    _same(ember.searchsorted(ember.tensor([1, 2, 3]), 2.5),
          torch.searchsorted(torch.tensor([1, 2, 3]), 2.5))


def test_histc_and_bincount_like_torch():
    x = np.random.default_rng(1).standard_normal(50).astype(np.float32)
    _same(ember.histc(ember.tensor(x), bins=8, min=-1, max=1),
          torch.histc(torch.tensor(x), bins=8, min=-1, max=1))
    idx = np.array([0, 2, 2, 7], dtype=np.int64)
    w = np.array([0.5, 1.0, 2.0, 3.0], dtype=np.float64)
    _same(ember.bincount(ember.tensor(idx), ember.tensor(w), minlength=10),
          torch.bincount(torch.tensor(idx), torch.tensor(w), minlength=10))

"""copy.deepcopy and pickle of tensors, compared with torch doing the same."""
import copy
import pickle

import numpy as np
import pytest
import torch

import ember


@pytest.fixture(params=["torch", "ember"])
def lib(request):
    return torch if request.param == "torch" else ember


def _np(t):
    return np.asarray(t.detach().float().tolist()) if t.dtype.__repr__().endswith("bfloat16") \
        else np.asarray(t.detach().tolist())


def _leaf_with_grad(L):
    x = L.tensor([1.0, -2.0, 3.0], requires_grad=True)
    x.grad = L.tensor([0.5, 0.5, 0.5])
    x.note = {"tag": [1, 2]}
    return x


def test_deepcopy_keeps_grad_requires_grad_and_attributes():
    results = {}
    for L in (torch, ember):
        x = _leaf_with_grad(L)
        y = copy.deepcopy(x)
        y.note["tag"].append(3)
        results[L.__name__] = (y.requires_grad, _np(y).tolist(), _np(y.grad).tolist(),
                               x.note["tag"], y.note["tag"], y.data_ptr() != x.data_ptr())
    assert results["ember"] == results["torch"]


def test_deepcopy_keeps_views_sharing_storage():
    out = {}
    for L in (torch, ember):
        a = L.arange(12.0).view(3, 4)
        b = a[:, 1]
        c = a.t()
        a2, b2, c2 = copy.deepcopy((a, b, c))
        b2.fill_(-1.0)
        c2[0, 2] = 100.0
        out[L.__name__] = (_np(a2), _np(a), b2.stride(), c2.stride(), c2.storage_offset(),
                           b2.storage_offset())
    for e, t in zip(out["ember"], out["torch"]):
        np.testing.assert_array_equal(e, t)


def test_deepcopy_of_non_leaf_raises_like_torch():
    for L in (torch, ember):
        x = L.ones(2, requires_grad=True) * 2
        with pytest.raises(RuntimeError):
            copy.deepcopy(x)


@pytest.mark.parametrize("dtype", ["float32", "float64", "float16", "bfloat16", "int64", "int8",
                                   "uint8", "bool"])
def test_pickle_round_trip(dtype):
    values = np.array([[1, 0, 3], [4, 5, 0]])
    e = ember.tensor(values).to(getattr(ember, dtype))
    t = torch.tensor(values).to(getattr(torch, dtype))
    e2 = pickle.loads(pickle.dumps(e))
    t2 = pickle.loads(pickle.dumps(t))
    assert str(e2.dtype) == str(t2.dtype) and e2.shape == t2.shape
    np.testing.assert_array_equal(_np(e2), _np(t2))
    assert repr(e2) == repr(t2)


def test_pickle_keeps_requires_grad_but_not_grad():
    for L in (torch, ember):
        x = _leaf_with_grad(L)
        y = pickle.loads(pickle.dumps(x))
        assert y.requires_grad and y.grad is None and y.is_leaf
        z = pickle.loads(pickle.dumps(x * 2))
        assert z.requires_grad and z.is_leaf


def test_pickle_meta_tensor():
    e = pickle.loads(pickle.dumps(ember.empty(2, 3, device="meta")))
    t = pickle.loads(pickle.dumps(torch.empty(2, 3, device="meta")))
    assert repr(e) == repr(t)

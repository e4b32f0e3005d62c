"""Tensor methods without a function form (ember/ops/tensor_misc.py) and the thread
settings, compared with torch."""
import numpy as np
import pytest
import torch

import ember


def _both(fn):
    """Run ``fn(lib)`` on torch and ember; return (ember result, torch result) or the two
    exceptions."""
    out = []
    for lib in (ember, torch):
        try:
            out.append(fn(lib))
        except Exception as exc:  # noqa: BLE001  (compared below)
            out.append(exc)
    return out


def _same(e, t):
    if isinstance(t, Exception):
        assert type(e) is type(t), (e, t)
    elif isinstance(t, torch.Tensor):
        assert tuple(e.shape) == tuple(t.shape)
        assert str(e.dtype) == str(t.dtype)
        np.testing.assert_array_equal(e.numpy(), t.numpy())
    elif isinstance(t, list):
        assert len(e) == len(t)
        for a, b in zip(e, t):
            _same(a, b)
    else:
        assert e == t


CASES = {
    "contains_number": lambda L: 2.0 in L.arange(6.).reshape(2, 3),
    "contains_missing": lambda L: 7 in L.arange(6),
    "contains_tensor": lambda L: L.tensor([1., 9., 9.]) in L.arange(6.).reshape(2, 3),
    "contains_bad": lambda L: "a" in L.arange(3),
    "contains_bad_shape": lambda L: L.tensor([1., 2.]) in L.arange(6.).reshape(2, 3),
    "reversed": lambda L: list(reversed(L.arange(3))),
    "reversed_2d": lambda L: L.stack(list(reversed(L.arange(6).reshape(3, 2)))),
    "reversed_0d": lambda L: list(reversed(L.tensor(3.))),
    "fill_diag": lambda L: L.zeros(2, 3).fill_diagonal_(1),
    "fill_diag_tall": lambda L: L.zeros(5, 3).fill_diagonal_(2),
    "fill_diag_wrap": lambda L: L.zeros(7, 3).fill_diagonal_(2, wrap=True),
    "fill_diag_cube": lambda L: L.zeros(3, 3, 3).fill_diagonal_(1),
    "fill_diag_bad_dims": lambda L: L.zeros(2, 3, 3).fill_diagonal_(1),
    "fill_diag_1d": lambda L: L.zeros(3).fill_diagonal_(1),
    "fill_diag_int": lambda L: L.zeros(3, 3, dtype=L.int64).fill_diagonal_(5),
    "resize_same": lambda L: L.arange(6.).resize_(2, 3),
    "resize_shrink": lambda L: L.arange(6.).resize_(2, 2),
    "resize_shape": lambda L: tuple(L.arange(6.).resize_(3, 3).shape),
    "resize_as": lambda L: L.arange(6.).resize_as_(L.zeros(3, 2)),
    "resize_grad": lambda L: L.ones(3, requires_grad=True).resize_(2),
    "apply": lambda L: L.arange(6).apply_(lambda v: v * 2),
    "map": lambda L: L.arange(6.).reshape(2, 3).map_(L.tensor([1., 2., 3.]), lambda a, b: a * b),
    "is_pinned": lambda L: L.ones(2).is_pinned(),
    "pin_memory": lambda L: L.ones(2).pin_memory(),
    "share_memory": lambda L: L.ones(2).share_memory_().is_shared(),
}


def _skip_if_cuda(what):
    """These compare with torch's CPU-only behaviour, which needs ember without cuda."""
    if ember.cuda.is_available():
        pytest.skip(f"{what}: checks the behaviour without a cuda device")


@pytest.mark.parametrize("name", sorted(CASES))
def test_tensor_method_matches_torch(name):
    if name == "pin_memory":
        _skip_if_cuda("pin_memory")
    e, t = _both(CASES[name])
    _same(e, t)


def test_fill_diagonal_is_differentiable_like_torch():
    results = []
    for lib in (ember, torch):
        x = lib.arange(9., requires_grad=True)
        y = (x * 1).reshape(3, 3)
        y.fill_diagonal_(0.5)
        (y * lib.arange(9.).reshape(3, 3)).sum().backward()
        results.append(x.grad.numpy())
    np.testing.assert_array_equal(*results)


def test_set_num_threads_round_trip():
    before = ember.get_num_threads()
    try:
        ember.set_num_threads(1)
        assert ember.get_num_threads() == 1
        with pytest.raises(RuntimeError):
            ember.set_num_threads(0)
    finally:
        ember.set_num_threads(before)
    assert ember.get_num_threads() == before
    assert ember.get_num_interop_threads() >= 1

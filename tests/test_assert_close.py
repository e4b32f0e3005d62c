"""ember.testing.assert_close passes and fails exactly where torch.testing.assert_close
does, on the same inputs; make_tensor gives what was asked for."""
import math

import numpy as np
import pytest
import torch

import ember

NAN, INF = math.nan, math.inf


def T(values, dtype="float32"):
    """(ember, torch) tensors of the same values."""
    arr = np.asarray(values)
    return ("tensor", arr, dtype)


def _to(lib, spec):
    if isinstance(spec, tuple) and spec and spec[0] == "tensor":
        _, arr, dtype = spec
        t = torch.tensor(arr.astype(np.float64) if dtype == "bfloat16" else arr)
        t = t.to(getattr(torch, dtype))
        if lib is torch:
            return t
        return ember.tensor(arr.astype(np.float64) if dtype == "bfloat16" else arr,
                            dtype=getattr(ember, dtype))
    if isinstance(spec, tuple) and spec and spec[0] == "strided":
        base = _to(lib, spec[1])
        return base.t()
    if isinstance(spec, list):
        return [_to(lib, s) for s in spec]
    if isinstance(spec, dict):
        return {k: _to(lib, v) for k, v in spec.items()}
    return spec


CASES = [
    (T([1.0, 2.0]), T([1.0, 2.0 + 1e-6]), {}),
    (T([1.0, 2.0]), T([1.0, 2.0 + 1e-4]), {}),
    (T([1.0, 2.0], "float64"), T([1.0, 2.0 + 1e-7], "float64"), {}),
    (T([1.0, 2.0], "float64"), T([1.0, 2.0 + 1e-6], "float64"), {}),
    (T([1.0], "float16"), T([1.0009765625], "float16"), {}),
    (T([1.0], "float16"), T([1.001953125], "float16"), {}),
    (T([1.0], "bfloat16"), T([1.0078125], "bfloat16"), {}),
    (T([1.0], "bfloat16"), T([1.03125], "bfloat16"), {}),
    (T([1, 2], "int64"), T([1, 2], "int64"), {}),
    (T([1, 2], "int64"), T([1, 3], "int64"), {}),
    (T([1, 2], "int64"), T([1, 3], "int64"), {"rtol": 0.5, "atol": 0}),
    (T([True]), T([False]), {}),
    (T([1.0]), T([1.0], "float64"), {}),
    (T([1.0]), T([1.0], "float64"), {"check_dtype": False}),
    (T([1.0]), T([1.0, 2.0]), {}),
    (T([NAN]), T([NAN]), {}),
    (T([NAN]), T([NAN]), {"equal_nan": True}),
    (T([INF, -INF]), T([INF, -INF]), {}),
    (T([INF]), T([-INF]), {}),
    (T([1.0]), T([1.1]), {"rtol": 0.2, "atol": 0.0}),
    (T([0.0]), T([1e-6]), {}),
    (T(1.0), T(1.5), {}),
    (1.0, 1.0 + 1e-8, {}),
    (1.0, 1.5, {}),
    (1, 1.0, {}),
    (1, 2, {}),
    (True, True, {}),
    (None, None, {}),
    ([1.0, T([2.0])], [1.0, T([2.0])], {}),
    ([1.0, 2.0], [1.0], {}),
    ({"a": T([1.0]), "b": 2}, {"a": T([1.0]), "b": 2}, {}),
    ({"a": 1}, {"b": 1}, {}),
    ({"a": T([1.0])}, {"a": T([1.5])}, {}),
    (T([[1.0, 2.0], [3.0, 4.0]]), ("strided", T([[1.0, 3.0], [2.0, 4.0]])), {}),
    (T([[1.0, 2.0], [3.0, 4.0]]), ("strided", T([[1.0, 3.0], [2.0, 4.0]])),
     {"check_stride": True}),
]


@pytest.mark.parametrize("actual,expected,kwargs", CASES)
def test_same_verdict_as_torch(actual, expected, kwargs):
    try:
        torch.testing.assert_close(_to(torch, actual), _to(torch, expected), **kwargs)
        torch_exc = None
    except Exception as exc:  # noqa: BLE001 - its type is what we compare
        torch_exc = exc
    if torch_exc is None:
        ember.testing.assert_close(_to(ember, actual), _to(ember, expected), **kwargs)
    else:
        with pytest.raises(type(torch_exc)):
            ember.testing.assert_close(_to(ember, actual), _to(ember, expected), **kwargs)


def test_message_reports_mismatches_and_differences():
    with pytest.raises(AssertionError) as info:
        ember.testing.assert_close(ember.tensor([1.0, 2.0, 3.0, 4.0]),
                                   ember.tensor([1.0, 2.5, 3.0, 4.1]))
    text = str(info.value)
    assert "2 / 4" in text
    assert "0.5" in text and "(1,)" in text     # greatest absolute difference, its index
    assert "0.2" in text                        # greatest relative difference (0.5 / 2.5)


def test_msg_replaces_or_transforms_the_message():
    with pytest.raises(AssertionError, match="^custom$"):
        ember.testing.assert_close(ember.tensor([1.0]), ember.tensor([2.0]), msg="custom")
    with pytest.raises(AssertionError, match="^X"):
        ember.testing.assert_close(ember.tensor([1.0]), ember.tensor([2.0]),
                                   msg=lambda m: "X" + m)


def test_only_one_tolerance_is_an_error():
    with pytest.raises(ValueError):
        ember.testing.assert_close(ember.tensor([1.0]), ember.tensor([1.0]), rtol=1e-3)


@pytest.mark.parametrize("dtype", ["bool", "uint8", "int64", "float16", "bfloat16", "float32"])
def test_make_tensor(dtype):
    dt = getattr(ember, dtype)
    t = ember.testing.make_tensor(3, 4, dtype=dt, low=-2, high=5, exclude_zero=True)
    assert t.shape == (3, 4) and t.dtype is dt
    values = t.float().numpy()
    if dtype != "bool":
        assert values.min() >= (0 if dtype == "uint8" else -2) and values.max() <= 5
    assert (values != 0).all()
    nc = ember.testing.make_tensor((2, 3), dtype=dt, noncontiguous=True)
    assert nc.shape == (2, 3) and not nc.is_contiguous()
    g = ember.testing.make_tensor(2, dtype=ember.float64, requires_grad=True)
    assert g.requires_grad

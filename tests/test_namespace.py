"""Top-level names torch programs reach for, and small behaviours found by comparing
torch and ember on the same calls."""
import pytest
import torch

import ember


@pytest.mark.parametrize("name", ["return_types", "random", "is_anomaly_enabled",
                                  "set_anomaly_enabled", "is_anomaly_check_nan_enabled",
                                  "is_grad_enabled", "manual_seed", "Generator", "finfo",
                                  "iinfo", "set_printoptions", "Size", "broadcast_shapes",
                                  "from_numpy", "result_type", "promote_types", "can_cast"])
def test_public_names_exist_like_torch(name):
    assert hasattr(torch, name)
    assert hasattr(ember, name), f"ember.{name} is missing"


def test_anomaly_switch_round_trip():
    for L in (torch, ember):
        assert L.is_anomaly_enabled() is False
        L.set_anomaly_enabled(True)
        try:
            assert L.is_anomaly_enabled() is True
        finally:
            L.set_anomaly_enabled(False)
        assert L.is_anomaly_enabled() is False


def test_return_types_name_like_torch():
    e = ember.tensor([[1.0, 5.0], [3.0, 2.0]]).max(1)
    t = torch.tensor([[1.0, 5.0], [3.0, 2.0]]).max(1)
    assert type(e).__name__ == type(t).__name__ == "max"
    assert isinstance(e, ember.return_types.max)


@pytest.mark.parametrize("op", ["eq", "ne", "lt", "le", "gt", "ge"])
def test_comparison_with_number_first_is_type_error(op):
    for L in (torch, ember):
        with pytest.raises(TypeError):
            getattr(L, op)(2.5, L.ones(3))


@pytest.mark.parametrize("make", [lambda x: x.unbind(0)[0], lambda x: x.split(1)[0],
                                  lambda x: x.chunk(3)[1]])
def test_inplace_on_multi_view_outputs_refused_like_torch(make):
    for L in (torch, ember):
        x = L.ones(3, 2, requires_grad=True) * 1
        with pytest.raises(RuntimeError) as info:
            make(x).mul_(2)
        assert "view" in str(info.value)
        # without autograd the same in-place write is allowed and reaches the base
        y = L.ones(3, 2)
        make(y).mul_(2)
        assert float(y.sum()) > 6


@pytest.mark.parametrize("expr", ["t + a", "t * a", "t - a", "t / a", "a + t", "t < a",
                                  "np.exp(t)", "t ** a"])
@pytest.mark.parametrize("np_dtype", ["float64", "int64", "float32", "int32"])
def test_ndarray_operand_of_tensor_operator(expr, np_dtype):
    """torch lets NumPy compute ``t + ndarray`` (NumPy's promotion) and wraps a tensor."""
    import numpy as np
    a = np.arange(1, 5, dtype=np_dtype).reshape(2, 2)
    results = []
    for L in (torch, ember):
        t = L.tensor([[1.5, -2.0], [3.0, 0.5]])
        try:
            r = eval(expr, {"t": t, "a": a, "np": np})
        except Exception as exc:  # noqa: BLE001 - compared below
            results.append(type(exc))
            continue
        results.append((type(r).__name__, str(r.dtype), tuple(r.shape), np.asarray(r).tolist()))
    assert results[0] == results[1]


def test_ndarray_operand_with_requires_grad_raises_like_torch():
    import numpy as np
    for L in (torch, ember):
        t = L.ones(2, requires_grad=True)
        with pytest.raises(RuntimeError):
            t + np.ones(2)


def test_cuda_queries_and_constants_like_a_cpu_only_torch():
    if ember.cuda.is_available():
        pytest.skip("checks ember without a cuda device")
    assert ember.cuda.is_available() is False and ember.cuda.device_count() == 0
    device = "cuda" if ember.cuda.is_available() else "cpu"
    assert str(ember.ones(2, device=device).device) == "cpu"
    for name in ("pi", "e", "inf", "nan"):
        a, b = getattr(ember, name), getattr(torch, name)
        assert (a == b) or (a != a and b != b)

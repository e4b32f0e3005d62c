"""ember.nn.init against torch.nn.init: exact gains and fans, distributions by statistics
(ember's random streams differ from torch's by design), errors of the same type."""
import math
import warnings

import numpy as np
import pytest
import torch

import ember

E, T = ember.nn.init, torch.nn.init


def samples(fn_name, shape, *args, **kwargs):
    """Fill the same shape in both libraries; return the two NumPy arrays."""
    torch.manual_seed(0)
    t = getattr(T, fn_name)(torch.empty(shape), *args, **kwargs)
    e = getattr(E, fn_name)(ember.empty(shape), *args, **kwargs)
    return e.numpy(), t.numpy()


def assert_same_distribution(e, t, bound=None):
    """Mean, std and range of ember's sample agree with torch's."""
    scale = max(t.std(), 1e-8)
    assert abs(e.mean() - t.mean()) < 0.05 * scale + 5.0 * scale / math.sqrt(e.size)
    assert abs(e.std() - t.std()) < 0.05 * scale
    if bound is not None:
        assert e.min() >= -bound - 1e-7 and e.max() <= bound + 1e-7
        assert e.max() > 0.9 * bound and e.min() < -0.9 * bound


@pytest.mark.parametrize("name,param", [
    ("linear", None), ("conv1d", None), ("conv2d", None), ("conv3d", None),
    ("conv_transpose1d", None), ("conv_transpose2d", None), ("conv_transpose3d", None),
    ("sigmoid", None), ("tanh", None), ("relu", None), ("leaky_relu", None),
    ("leaky_relu", 0.2), ("leaky_relu", 3), ("selu", None)])
def test_calculate_gain_equals_torch(name, param):
    assert E.calculate_gain(name, param) == T.calculate_gain(name, param)


def test_calculate_gain_errors():
    for args in (("gelu",), ("leaky_relu", "x"), ("leaky_relu", True)):
        with pytest.raises(ValueError):
            T.calculate_gain(*args)
        with pytest.raises(ValueError):
            E.calculate_gain(*args)


@pytest.mark.parametrize("shape", [(3, 4), (5, 3, 2), (6, 2, 3, 3), (2, 4, 1, 2, 3)])
def test_fan_in_fan_out_equal_torch(shape):
    assert E._calculate_fan_in_and_fan_out(ember.empty(shape)) == \
        T._calculate_fan_in_and_fan_out(torch.empty(shape))


def test_fan_errors():
    for fn in (E._calculate_fan_in_and_fan_out, E.xavier_uniform_, E.kaiming_normal_):
        with pytest.raises(ValueError):
            fn(ember.empty(3))
    with pytest.raises(ValueError):
        T.kaiming_uniform_(torch.empty(3, 4), mode="fan_avg")
    with pytest.raises(ValueError):
        E.kaiming_uniform_(ember.empty(3, 4), mode="fan_avg")


def test_uniform_normal_constant():
    e, t = samples("uniform_", (200, 100), -2.0, 3.0)
    assert e.min() >= -2.0 and e.max() < 3.0
    assert_same_distribution(e, t)
    e, t = samples("normal_", (200, 100), 1.5, 0.5)
    assert_same_distribution(e, t)
    e, t = samples("constant_", (3, 4), 0.25)
    np.testing.assert_array_equal(e, t)
    for name in ("ones_", "zeros_", "eye_"):
        e, t = samples(name, (3, 5))
        np.testing.assert_array_equal(e, t)


@pytest.mark.parametrize("groups", [1, 2])
@pytest.mark.parametrize("shape", [(4, 2, 3), (4, 4, 3, 3), (6, 3, 3, 1, 3)])
def test_dirac_equals_torch(shape, groups):
    e, t = samples("dirac_", shape, groups)
    np.testing.assert_array_equal(e, t)


def test_dirac_and_eye_errors():
    for lib, init in ((torch, T), (ember, E)):
        with pytest.raises(ValueError):
            init.dirac_(lib.empty(3, 3))
        with pytest.raises(ValueError):
            init.dirac_(lib.empty(3, 3, 3), groups=2)
        with pytest.raises(ValueError):
            init.eye_(lib.empty(3, 3, 3))


@pytest.mark.parametrize("gain", [1.0, 2.5])
def test_xavier(gain):
    shape = (120, 80, 3)
    fan_in, fan_out = 80 * 3, 120 * 3
    std = gain * math.sqrt(2.0 / (fan_in + fan_out))
    e, t = samples("xavier_uniform_", shape, gain)
    assert_same_distribution(e, t, bound=math.sqrt(3.0) * std)
    e, t = samples("xavier_normal_", shape, gain)
    assert_same_distribution(e, t)
    assert abs(e.std() - std) < 0.05 * std


@pytest.mark.parametrize("a,mode,nonlinearity", [
    (0, "fan_in", "leaky_relu"), (math.sqrt(5), "fan_in", "leaky_relu"),
    (0, "fan_out", "relu"), (0.1, "fan_out", "leaky_relu"), (0, "fan_in", "linear")])
def test_kaiming(a, mode, nonlinearity):
    shape = (60, 40, 2, 2)
    fan = 40 * 4 if mode == "fan_in" else 60 * 4
    std = T.calculate_gain(nonlinearity, a) / math.sqrt(fan)
    e, t = samples("kaiming_uniform_", shape, a, mode, nonlinearity)
    assert_same_distribution(e, t, bound=math.sqrt(3.0) * std)
    e, t = samples("kaiming_normal_", shape, a, mode, nonlinearity)
    assert_same_distribution(e, t)
    assert abs(e.std() - std) < 0.05 * std


def test_kaiming_zero_element_warns():
    for init, lib in ((T, torch), (E, ember)):
        with pytest.warns(UserWarning):
            init.kaiming_uniform_(lib.empty(0, 3))
        with pytest.warns(UserWarning):
            init.kaiming_normal_(lib.empty(0, 3))


@pytest.mark.parametrize("args", [(0.0, 1.0, -2.0, 2.0), (0.5, 0.02, 0.46, 0.53),
                                  (0.0, 1.0, -0.5, 3.0)])
def test_trunc_normal(args):
    mean, std, a, b = args
    e, t = samples("trunc_normal_", (300, 100), mean, std, a, b)
    assert e.min() >= a and e.max() <= b
    assert_same_distribution(e, t)


def test_trunc_normal_far_mean_warns():
    with pytest.warns(UserWarning):
        E.trunc_normal_(ember.empty(10), mean=10.0, std=1.0, a=-2.0, b=2.0)


@pytest.mark.parametrize("shape", [(8, 5), (5, 8), (4, 3, 2), (6, 6)])
@pytest.mark.parametrize("gain", [1.0, 2.0])
def test_orthogonal(shape, gain):
    e, t = samples("orthogonal_", shape, gain)
    rows = shape[0]
    flat_e = e.reshape(rows, -1)
    flat_t = t.reshape(rows, -1)
    gram = (lambda m: m @ m.T) if rows <= flat_e.shape[1] else (lambda m: m.T @ m)
    np.testing.assert_allclose(gram(flat_e), gram(flat_t), atol=1e-5)
    np.testing.assert_allclose(gram(flat_e), gain ** 2 * np.eye(min(flat_e.shape)), atol=1e-5)


def test_orthogonal_errors_and_empty():
    for lib, init in ((torch, T), (ember, E)):
        with pytest.raises(ValueError):
            init.orthogonal_(lib.empty(3))
        assert init.orthogonal_(lib.empty(0, 3)).shape == (0, 3)


def test_sparse():
    e, t = samples("sparse_", (20, 30), 0.25, 0.5)
    zeros = math.ceil(0.25 * 20)
    assert ((e == 0).sum(0) == zeros).all() and ((t == 0).sum(0) == zeros).all()
    nz_e, nz_t = e[e != 0], t[t != 0]
    assert abs(nz_e.std() - nz_t.std()) < 0.15 * nz_t.std()
    with pytest.raises(ValueError):
        E.sparse_(ember.empty(2, 2, 2), 0.1)


def test_no_graph_and_in_place_on_parameters():
    p = ember.nn.Parameter(ember.empty(8, 4))
    for fn in (lambda: E.uniform_(p), lambda: E.normal_(p), lambda: E.constant_(p, 1.0),
               lambda: E.xavier_uniform_(p), lambda: E.kaiming_normal_(p),
               lambda: E.trunc_normal_(p), lambda: E.orthogonal_(p), lambda: E.eye_(p),
               lambda: E.zeros_(p), lambda: E.ones_(p), lambda: E.sparse_(p, 0.5)):
        out = fn()
        assert out is p and p.is_leaf and p.grad_fn is None and p.requires_grad


def test_generator_reproducibility():
    for name, args in (("uniform_", ()), ("normal_", ()), ("xavier_uniform_", ()),
                       ("xavier_normal_", ()), ("kaiming_uniform_", ()),
                       ("kaiming_normal_", ()), ("trunc_normal_", ()), ("orthogonal_", ()),
                       ("sparse_", (0.5,))):
        fn = getattr(E, name)
        a = fn(ember.empty(6, 5), *args, generator=ember.Generator().manual_seed(3))
        b = fn(ember.empty(6, 5), *args, generator=ember.Generator().manual_seed(3))
        np.testing.assert_array_equal(a.numpy(), b.numpy())
        ember.manual_seed(5)
        c = fn(ember.empty(6, 5), *args)
        ember.manual_seed(5)
        d = fn(ember.empty(6, 5), *args)
        np.testing.assert_array_equal(c.numpy(), d.numpy())


def test_low_precision_and_float64():
    for dtype in (ember.float16, ember.bfloat16, ember.float64):
        t = E.kaiming_uniform_(ember.empty(64, 32, dtype=dtype), a=math.sqrt(5))
        assert t.dtype == dtype
        vals = t.float().numpy()
        assert np.abs(vals).max() <= 1 / math.sqrt(32) + 1e-2
        t = E.trunc_normal_(ember.empty(64, 32, dtype=dtype))
        assert t.dtype == dtype and np.isfinite(t.float().numpy()).all()


def test_deprecated_aliases_warn():
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        E.normal(ember.empty(3))
        E.xavier_uniform(ember.empty(3, 3))
    assert len(caught) == 2

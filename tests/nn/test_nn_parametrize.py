"""nn.utils.parametrize, nn.utils.parametrizations (weight_norm, spectral_norm, orthogonal)
and the deprecated nn.utils.weight_norm / spectral_norm, against torch: state_dict keys,
outputs and gradients with torch's weights (and buffers) loaded into ember."""
import warnings

import numpy as np
import pytest
import torch

import ember
from nn_harness import assert_same, check_module, copy_weights, to_ember, to_numpy

TP = torch.nn.utils.parametrize
EP = ember.nn.utils.parametrize


def _lib(nn):
    return torch if nn is torch.nn else ember


class _Symmetric:
    """A parametrization class for either library (no right_inverse)."""

    @staticmethod
    def make(nn):
        class Symmetric(nn.Module):
            def forward(self, X):
                return X.triu() + X.triu(1).mT
        return Symmetric()


def _make_skew(nn):
    class Skew(nn.Module):
        def forward(self, X):
            A = X.triu(1)
            return A - A.mT

        def right_inverse(self, A):
            return A.triu(1)
    return Skew()


def _make_split(nn):
    # right_inverse returning a tuple: original0 / original1
    class Split(nn.Module):
        def forward(self, a, b):
            return a + b

        def right_inverse(self, X):
            return X * 0.25, X * 0.75
    return Split()


def _pair(make_module, parametrize):
    """The same parametrized module in torch and ember, torch's state loaded into ember."""
    torch.manual_seed(0)
    t = parametrize(torch.nn, make_module(torch.nn))
    e = parametrize(ember.nn, make_module(ember.nn))
    copy_weights(e, t)
    return e, t


def _register(make_param, name="weight", **kw):
    def parametrize(nn, module):
        pz = TP if nn is torch.nn else EP
        return pz.register_parametrization(module, name, make_param(nn), **kw)
    return parametrize


# -- parametrize ------------------------------------------------------------------------------
@pytest.mark.parametrize("make_param", [_Symmetric.make, _make_skew, _make_split])
def test_register_parametrization_matches_torch(make_param):
    def make(nn):
        return _register(make_param)(nn, nn.Linear(3, 3))
    e, t, _, _ = check_module(make, [(2, 3)])
    assert type(e).__name__ == type(t).__name__ == "ParametrizedLinear"
    assert list(e.state_dict()) == list(t.state_dict())
    assert EP.is_parametrized(e) and EP.is_parametrized(e, "weight")
    assert not EP.is_parametrized(e, "bias")
    assert EP.type_before_parametrizations(e) is ember.nn.Linear
    assert isinstance(e, ember.nn.Linear)
    assert_same(e.weight, t.weight)
    # the originals are parameters (the optimizer sees them, not ``weight``)
    assert [n for n, _ in e.named_parameters()] == [n for n, _ in t.named_parameters()]


def test_right_inverse_on_registration_and_assignment():
    lin_t = torch.nn.Linear(3, 3)
    lin_e = ember.nn.Linear(3, 3)
    copy_weights(lin_e, lin_t)
    TP.register_parametrization(lin_t, "weight", _make_skew(torch.nn))
    EP.register_parametrization(lin_e, "weight", _make_skew(ember.nn))
    assert_same(lin_e.parametrizations.weight.original, lin_t.parametrizations.weight.original)
    x = torch.randn(3, 3)
    with torch.no_grad():
        lin_t.weight = x - x.T
    lin_e.weight = to_ember(x - x.T)
    assert_same(lin_e.parametrizations.weight.original, lin_t.parametrizations.weight.original)
    assert_same(lin_e.weight, lin_t.weight)
    # no right_inverse: assignment fails as in torch
    sym_t = TP.register_parametrization(torch.nn.Linear(2, 2), "weight", _Symmetric.make(torch.nn))
    sym_e = EP.register_parametrization(ember.nn.Linear(2, 2), "weight", _Symmetric.make(ember.nn))
    with pytest.raises(RuntimeError):
        sym_t.weight = torch.eye(2)
    with pytest.raises(RuntimeError):
        sym_e.weight = ember.eye(2)


def test_tuple_right_inverse_originals():
    e, t = _pair(lambda nn: nn.Linear(3, 2), _register(_make_split))
    assert list(e.state_dict()) == list(t.state_dict())
    assert "parametrizations.weight.original1" in e.state_dict()
    fresh_t = TP.register_parametrization(torch.nn.Linear(3, 2), "weight", _make_split(torch.nn))
    lin = ember.nn.Linear(3, 2)
    copy_weights(lin, torch.nn.Linear(3, 2))
    with torch.no_grad():
        fresh_t.weight = torch.ones(2, 3)
    fresh_e = EP.register_parametrization(lin, "weight", _make_split(ember.nn))
    fresh_e.weight = ember.ones(2, 3)
    assert_same(fresh_e.parametrizations.weight.original0,
                fresh_t.parametrizations.weight.original0)
    assert_same(fresh_e.parametrizations.weight.original1,
                fresh_t.parametrizations.weight.original1)


def test_chained_parametrizations_and_buffers():
    def parametrize(nn, module):
        pz = TP if nn is torch.nn else EP
        pz.register_parametrization(module, "weight", _make_skew(nn))
        pz.register_parametrization(module, "weight", _Symmetric.make(nn), unsafe=True)
        module.register_buffer("scale", _lib(nn).ones(3) * 2)
        pz.register_parametrization(module, "scale", _Double.make(nn))
        return module
    e, t = _pair(lambda nn: nn.Linear(3, 3), parametrize)
    assert list(e.state_dict()) == list(t.state_dict())
    assert len(e.parametrizations.weight) == 2
    assert_same(e.weight, t.weight)
    assert_same(e.scale, t.scale)
    assert "parametrizations.scale.original" in dict(e.named_buffers())


class _Double:
    @staticmethod
    def make(nn):
        class Double(nn.Module):
            def forward(self, x):
                return 2 * x

            def right_inverse(self, x):
                return x / 2
        return Double()


@pytest.mark.parametrize("leave", [True, False])
@pytest.mark.parametrize("make_param", [_make_skew, _make_split])
def test_remove_parametrizations_matches_torch(leave, make_param):
    e, t = _pair(lambda nn: nn.Linear(3, 3), _register(make_param))
    t_opt_param = t.parametrizations.weight.original if make_param is _make_skew else None
    e_opt_param = e.parametrizations.weight.original if make_param is _make_skew else None
    if make_param is _make_split and not leave:
        with pytest.raises(ValueError):
            TP.remove_parametrizations(t, "weight", leave_parametrized=False)
        with pytest.raises(ValueError):
            EP.remove_parametrizations(e, "weight", leave_parametrized=False)
        return
    TP.remove_parametrizations(t, "weight", leave_parametrized=leave)
    EP.remove_parametrizations(e, "weight", leave_parametrized=leave)
    assert type(e) is ember.nn.Linear and type(t) is torch.nn.Linear
    assert not hasattr(e, "parametrizations")
    assert list(e.state_dict()) == list(t.state_dict())
    assert isinstance(e.weight, ember.nn.Parameter)
    assert_same(e.weight, t.weight)
    if e_opt_param is not None:
        # the original Parameter object survives (optimizers keep working)
        assert (e.weight is e_opt_param) == (t.weight is t_opt_param)


def test_remove_keeps_other_parametrizations_and_errors():
    m = ember.nn.Linear(3, 3)
    EP.register_parametrization(m, "weight", _make_skew(ember.nn))
    EP.register_parametrization(m, "bias", _Double.make(ember.nn))
    EP.remove_parametrizations(m, "weight")
    assert EP.is_parametrized(m) and not EP.is_parametrized(m, "weight")
    assert type(m).__name__ == "ParametrizedLinear"
    with pytest.raises(ValueError):
        EP.remove_parametrizations(m, "weight")
    with pytest.raises(ValueError):
        EP.register_parametrization(m, "nope", _Double.make(ember.nn))
    EP.remove_parametrizations(m, "bias")
    assert type(m) is ember.nn.Linear
    # another Linear is never affected by the class swap
    assert not hasattr(type(ember.nn.Linear(2, 2)), "parametrizations")


def test_shape_change_needs_unsafe():
    class Half(ember.nn.Module):
        def forward(self, x):
            return x[:1]
    with pytest.raises(ValueError):
        EP.register_parametrization(ember.nn.Linear(3, 3), "weight", Half())
    m = EP.register_parametrization(ember.nn.Linear(3, 3), "weight", Half(), unsafe=True)
    assert m.weight.shape == (1, 3)


def test_cached_evaluates_once():
    calls = []

    class Count(ember.nn.Module):
        def forward(self, x):
            calls.append(1)
            return x * 1.0
    m = EP.register_parametrization(ember.nn.Linear(3, 3), "weight", Count())
    calls.clear()
    m.weight, m.weight
    assert len(calls) == 2
    calls.clear()
    with EP.cached():
        a = m.weight
        b = m.weight
        assert a is b
    assert len(calls) == 1
    m.weight
    assert len(calls) == 2


def test_gradients_flow_to_original_and_load_torch_state():
    t = TP.register_parametrization(torch.nn.Linear(3, 3), "weight", _make_skew(torch.nn))
    e = EP.register_parametrization(ember.nn.Linear(3, 3), "weight", _make_skew(ember.nn))
    result = copy_weights(e, t)
    assert not result.missing_keys and not result.unexpected_keys
    x = torch.randn(4, 3)
    t(x).pow(2).sum().backward()
    e(to_ember(x)).pow(2).sum().backward()
    assert_same(e.parametrizations.weight.original.grad, t.parametrizations.weight.original.grad)


# -- parametrizations -------------------------------------------------------------------------
def _apply(fname, **kw):
    def parametrize(nn, module):
        lib = torch.nn.utils.parametrizations if nn is torch.nn else \
            ember.nn.utils.parametrizations
        return getattr(lib, fname)(module, **kw)
    return parametrize


LAYERS = {
    "linear": (lambda nn: nn.Linear(4, 3), (2, 4)),
    "linear_wide": (lambda nn: nn.Linear(3, 5), (2, 3)),
    "conv": (lambda nn: nn.Conv1d(3, 4, 2), (2, 3, 5)),
    "convT": (lambda nn: nn.ConvTranspose1d(3, 4, 2), (2, 3, 5)),
}

CASES = [
    ("weight_norm", {}, ["linear", "conv", "convT"]),
    ("weight_norm", {"dim": 1}, ["linear", "conv"]),
    ("weight_norm", {"dim": None}, ["linear", "conv"]),
    ("weight_norm", {"dim": -1}, ["conv"]),
    ("spectral_norm", {}, ["linear", "conv", "convT"]),
    ("spectral_norm", {"n_power_iterations": 3, "dim": 1}, ["linear", "conv"]),
    ("orthogonal", {}, ["linear", "linear_wide"]),
    ("orthogonal", {"orthogonal_map": "matrix_exp"}, ["linear", "linear_wide"]),
    ("orthogonal", {"orthogonal_map": "cayley"}, ["linear", "linear_wide"]),
    ("orthogonal", {"orthogonal_map": "householder"}, ["linear", "linear_wide"]),
    ("orthogonal", {"orthogonal_map": "householder", "use_trivialization": False},
     ["linear", "linear_wide"]),
]


# train/eval only differ for spectral_norm (power iteration in training only)
@pytest.mark.parametrize("fname,kw,layer,train", [
    (f, kw, layer, train) for f, kw, layers in CASES for layer in layers
    for train in ([True, False] if f == "spectral_norm" else [True])])
def test_parametrizations_match_torch(fname, kw, layer, train):
    make_layer, shape = LAYERS[layer]

    def make(nn):
        return _apply(fname, **kw)(nn, make_layer(nn))
    e, t, _, _ = check_module(make, [shape], dtype=torch.float64, train=train)
    assert list(e.state_dict()) == list(t.state_dict())
    # a second step: spectral_norm's buffers follow torch's power iteration
    x = torch.randn(shape, dtype=torch.float64)
    assert_same(e(to_ember(x)), t(x))
    for (k, ev), tv in zip(e.state_dict().items(), t.state_dict().values()):
        assert_same(ev, tv, what=k)


@pytest.mark.parametrize("fname,kw", [("weight_norm", {}), ("weight_norm", {"dim": 1}),
                                      ("weight_norm", {"dim": None}),
                                      ("orthogonal", {}),
                                      ("orthogonal", {"orthogonal_map": "cayley"}),
                                      ("orthogonal", {"orthogonal_map": "householder"}),
                                      ("orthogonal", {"orthogonal_map": "householder",
                                                      "use_trivialization": False})])
@pytest.mark.parametrize("shape", [(3, 3), (3, 5), (5, 3)])
def test_registration_computes_torch_originals(fname, kw, shape):
    """Registered on the same weights, ember computes torch's originals itself (the
    random completion of non-square orthogonal bases aside)."""
    torch.manual_seed(0)
    t_lin = torch.nn.Linear(shape[1], shape[0]).double()
    if fname == "orthogonal" and shape[0] == shape[1]:
        with torch.no_grad():   # an orthogonal start: base is the weight itself
            t_lin.weight.copy_(torch.linalg.qr(t_lin.weight)[0])
    e_lin = ember.nn.Linear(shape[1], shape[0]).double()
    copy_weights(e_lin, t_lin)
    _apply(fname, **kw)(torch.nn, t_lin)
    _apply(fname, **kw)(ember.nn, e_lin)
    random_base = fname == "orthogonal" and shape[0] != shape[1] and \
        kw.get("use_trivialization", True)
    for (k, ev), tv in zip(e_lin.state_dict().items(), t_lin.state_dict().values()):
        if not (random_base and k.endswith("base")):
            assert_same(ev, tv, what=k, atol=1e-7)
    if not random_base:
        assert_same(e_lin.weight, t_lin.weight, atol=1e-7)
    if fname == "orthogonal":
        w = e_lin.weight
        small = w if w.shape[0] <= w.shape[1] else w.T
        np.testing.assert_allclose(to_numpy(small @ small.T), np.eye(min(shape)), atol=1e-10)


def test_orthogonal_assignment_and_errors():
    m = ember.nn.utils.parametrizations.orthogonal(ember.nn.Linear(4, 4).double())
    q = ember.linalg.qr(ember.randn(4, 4, dtype=ember.float64))[0]
    m.weight = q
    np.testing.assert_allclose(to_numpy(m.weight), to_numpy(q), atol=1e-10)
    with pytest.raises(ValueError):
        ember.nn.utils.parametrizations.orthogonal(ember.nn.Linear(4, 4), orthogonal_map="x")
    with pytest.raises(ValueError):
        ember.nn.utils.parametrizations.orthogonal(ember.nn.Linear(4, 4), name="nope")
    emb = ember.nn.Embedding(3, 3)
    ember.nn.utils.parametrizations.orthogonal(emb, orthogonal_map="cayley")
    np.testing.assert_allclose(to_numpy(emb.weight @ emb.weight.T), np.eye(3), atol=1e-5)
    m2 = ember.nn.utils.parametrizations.orthogonal(ember.nn.Linear(4, 4),
                                                    use_trivialization=False)
    with pytest.raises(NotImplementedError):
        m2.weight = q.float()


def test_spectral_norm_errors_and_1d():
    with pytest.raises(IndexError):
        ember.nn.utils.parametrizations.spectral_norm(ember.nn.Linear(3, 3), dim=2)
    with pytest.raises(ValueError):
        ember.nn.utils.parametrizations.spectral_norm(ember.nn.Linear(3, 3),
                                                      n_power_iterations=0)
    # a 1-d tensor is simply normalized (no buffers), as in torch
    e, t = _pair(lambda nn: nn.Linear(3, 3), _apply("spectral_norm", name="bias"))
    assert list(e.state_dict()) == list(t.state_dict())
    assert_same(e.bias, t.bias)


def test_weight_norm_loads_deprecated_state_dict():
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", FutureWarning)
        old = torch.nn.utils.weight_norm(torch.nn.Linear(3, 2))
    new = ember.nn.utils.parametrizations.weight_norm(ember.nn.Linear(3, 2))
    new.load_state_dict({k: to_ember(v) for k, v in old.state_dict().items()})
    x = torch.randn(2, 3)
    assert_same(new(to_ember(x)), old(x))


# -- deprecated forms -------------------------------------------------------------------------
DEPRECATED = [("weight_norm", {}), ("weight_norm", {"dim": None}), ("weight_norm", {"dim": 1}),
              ("spectral_norm", {}), ("spectral_norm", {"n_power_iterations": 2}),
              ("spectral_norm", {"dim": 1})]


def _deprecated(fname, **kw):
    def parametrize(nn, module):
        lib = torch.nn.utils if nn is torch.nn else ember.nn.utils
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", FutureWarning)
            return getattr(lib, fname)(module, **kw)
    return parametrize


@pytest.mark.parametrize("fname,kw,train", [
    (f, kw, train) for f, kw in DEPRECATED
    for train in ([True, False] if f == "spectral_norm" else [True])])
@pytest.mark.parametrize("layer", ["linear", "conv", "convT"])
def test_deprecated_forms_match_torch(fname, kw, layer, train):
    make_layer, shape = LAYERS[layer]

    def make(nn):
        return _deprecated(fname, **kw)(nn, make_layer(nn))
    e, t, _, _ = check_module(make, [shape], dtype=torch.float64, train=train)
    assert list(e.state_dict()) == list(t.state_dict())
    x = torch.randn(shape, dtype=torch.float64)
    assert_same(e(to_ember(x)), t(x))
    for (k, ev), tv in zip(e.state_dict().items(), t.state_dict().values()):
        assert_same(ev, tv, what=k)
    assert_same(e.weight, t.weight)
    remove = "remove_" + fname
    getattr(torch.nn.utils, remove)(t)
    getattr(ember.nn.utils, remove)(e)
    assert list(e.state_dict()) == list(t.state_dict())
    assert isinstance(e.weight, ember.nn.Parameter)
    assert_same(e.weight, t.weight)
    assert not e._forward_pre_hooks
    assert_same(e(to_ember(x)), t(x))


def test_deprecated_weight_norm_warns_and_errors():
    m = ember.nn.Linear(3, 2)
    with pytest.warns(FutureWarning):
        ember.nn.utils.weight_norm(m)
    with pytest.raises(RuntimeError), warnings.catch_warnings():
        warnings.simplefilter("ignore", FutureWarning)
        ember.nn.utils.weight_norm(m)
    with pytest.raises(ValueError):
        ember.nn.utils.remove_weight_norm(m, "bias")
    s = ember.nn.utils.spectral_norm(ember.nn.Linear(3, 2))
    with pytest.raises(RuntimeError):
        ember.nn.utils.spectral_norm(s)
    with pytest.raises(ValueError):
        ember.nn.utils.remove_spectral_norm(ember.nn.Linear(3, 2))
    ember.nn.utils.remove_spectral_norm(s)
    assert not s._state_dict_hooks and not s._load_state_dict_pre_hooks


def test_repr_deepcopy_pickle_and_transfer():
    import copy
    import pickle
    e, t = _pair(lambda nn: nn.Linear(3, 2), _apply("weight_norm"))
    assert repr(e) == repr(t)
    c = copy.deepcopy(e)
    assert type(c) is type(e)
    assert c.parametrizations.weight.original0 is not e.parametrizations.weight.original0
    x = torch.randn(2, 3)
    assert_same(c(to_ember(x)), t(x))
    with pytest.raises(RuntimeError):
        pickle.dumps(e)
    # transfer_parametrizations_and_params onto a plain module
    t_to = TP.transfer_parametrizations_and_params(t, torch.nn.Linear(3, 2))
    e_to = EP.transfer_parametrizations_and_params(e, ember.nn.Linear(3, 2))
    assert list(e_to.state_dict()) == list(t_to.state_dict())
    assert_same(e_to.weight, t_to.weight)


@pytest.mark.parametrize("orth_map", ["matrix_exp", "cayley", "householder"])
@pytest.mark.parametrize("shape", [(2, 3, 3), (2, 4, 3), (2, 3, 4)])
def test_orthogonal_batched_matches_torch(orth_map, shape):
    def make(nn):
        lib = _lib(nn)
        m = nn.Module()
        m.w = nn.Parameter(lib.randn(*shape, dtype=lib.float64))
        return m
    torch.manual_seed(0)
    t, e = make(torch.nn), make(ember.nn)
    torch.nn.utils.parametrizations.orthogonal(t, "w", orth_map)
    ember.nn.utils.parametrizations.orthogonal(e, "w", orth_map)
    copy_weights(e, t)
    assert_same(e.w, t.w)
    t.w.pow(3).sum().backward()
    e.w.pow(3).sum().backward()
    assert_same(e.parametrizations.w.original.grad, t.parametrizations.w.original.grad)

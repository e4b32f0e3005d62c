"""ember.distributions against torch.distributions: values, gradients, samples, KL, validation."""
import math

import numpy as np
import pytest
import torch
import torch.distributions as TD

import ember
import ember.distributions as ED

RNG = np.random.default_rng(0)


def _pos(*shape):
    return RNG.uniform(0.5, 2.0, shape)


def _real(*shape):
    return RNG.normal(size=shape)


def _simplex(*shape):
    x = RNG.uniform(0.1, 1.0, shape)
    return x / x.sum(-1, keepdims=True)


def _spd(*batch, n=3):
    a = RNG.normal(size=batch + (n, n))
    return a @ np.swapaxes(a, -1, -2) + n * np.eye(n)


def _tril(*batch, n=3):
    return np.linalg.cholesky(_spd(*batch, n=n))


# name, parameters (numpy float64 arrays, or plain Python values), value for log_prob/cdf,
# value for icdf (None: no icdf); parameters named in `grad` get gradients checked.
CASES = [
    ("Normal", dict(loc=_real(2, 3), scale=_pos(3)), _real(2, 3), RNG.uniform(0.1, 0.9, (2, 3))),
    ("Laplace", dict(loc=_real(3), scale=_pos(3)), _real(2, 3), RNG.uniform(0.1, 0.9, (3,))),
    ("Cauchy", dict(loc=_real(3), scale=_pos(3)), _real(2, 3), RNG.uniform(0.1, 0.9, (3,))),
    ("Uniform", dict(low=-_pos(3), high=_pos(3)), RNG.uniform(-0.4, 0.4, (2, 3)),
     RNG.uniform(0.1, 0.9, (3,))),
    ("Exponential", dict(rate=_pos(4)), _pos(4), RNG.uniform(0.1, 0.9, (4,))),
    ("Gamma", dict(concentration=_pos(4), rate=_pos(4)), _pos(2, 4), None),
    ("Beta", dict(concentration1=_pos(4), concentration0=_pos(4)),
     RNG.uniform(0.1, 0.9, (4,)), None),
    ("Dirichlet", dict(concentration=_pos(2, 3)), _simplex(2, 3), None),
    ("StudentT", dict(df=_pos(3) * 3, loc=_real(3), scale=_pos(3)), _real(2, 3), None),
    ("Poisson", dict(rate=_pos(4)), np.array([0.0, 1.0, 3.0, 2.0]), None),
    ("Bernoulli", dict(probs=RNG.uniform(0.1, 0.9, (4,))), np.array([0.0, 1.0, 1.0, 0.0]),
     None),
    ("Bernoulli", dict(logits=_real(4)), np.array([0.0, 1.0, 1.0, 0.0]), None),
    ("Binomial", dict(total_count=5, probs=RNG.uniform(0.1, 0.9, (3,))),
     np.array([0.0, 2.0, 5.0]), None),
    ("Binomial", dict(total_count=4, logits=_real(3)), np.array([1.0, 2.0, 4.0]), None),
    ("Categorical", dict(probs=_simplex(2, 4)), np.array([[0, 3], [2, 1]]), None),
    ("Categorical", dict(logits=_real(2, 4)), np.array([1, 2]), None),
    ("OneHotCategorical", dict(probs=_simplex(2, 3)), np.eye(3)[[0, 2]], None),
    ("OneHotCategorical", dict(logits=_real(3)), np.eye(3)[[1, 2]], None),
    ("Multinomial", dict(total_count=4, probs=_simplex(2, 3)),
     np.array([[1.0, 1.0, 2.0], [0.0, 4.0, 0.0]]), None),
    ("Multinomial", dict(total_count=3, logits=_real(3)), np.array([1.0, 0.0, 2.0]), None),
    ("MultivariateNormal", dict(loc=_real(2, 3), covariance_matrix=_spd(n=3)), _real(4, 2, 3),
     None),
    ("MultivariateNormal", dict(loc=_real(3), scale_tril=_tril(2, n=3)), _real(2, 3), None),
    ("MultivariateNormal", dict(loc=_real(3), precision_matrix=_spd(n=3)), _real(3), None),
    ("LogNormal", dict(loc=_real(3), scale=_pos(3)), _pos(2, 3), RNG.uniform(0.1, 0.9, (3,))),
    ("Gumbel", dict(loc=_real(3), scale=_pos(3)), _real(2, 3), RNG.uniform(0.1, 0.9, (3,))),
    ("HalfNormal", dict(scale=_pos(3)), _pos(2, 3), RNG.uniform(0.1, 0.9, (3,))),
    ("Geometric", dict(probs=RNG.uniform(0.1, 0.9, (3,))), np.array([0.0, 2.0, 5.0]), None),
    ("Geometric", dict(logits=_real(3)), np.array([1.0, 0.0, 3.0]), None),
    ("HalfCauchy", dict(scale=_pos(3)), _pos(2, 3), RNG.uniform(0.1, 0.9, (3,))),
    ("Chi2", dict(df=_pos(3) * 2), _pos(2, 3), None),
    ("OneHotCategoricalStraightThrough", dict(probs=_simplex(2, 3)), np.eye(3)[[1, 0]], None),
    ("NegativeBinomial", dict(total_count=_pos(3) * 3, probs=RNG.uniform(0.1, 0.9, (3,))),
     np.array([0.0, 2.0, 7.0]), None),
    ("NegativeBinomial", dict(total_count=4.0, logits=_real(3)), np.array([1.0, 0.0, 3.0]),
     None),
    ("Weibull", dict(scale=_pos(3), concentration=_pos(3) * 2), _pos(2, 3),
     RNG.uniform(0.1, 0.9, (3,))),
    ("Pareto", dict(scale=_pos(3) * 0.4, alpha=_pos(3) * 2), _pos(2, 3) + 0.8,
     RNG.uniform(0.1, 0.9, (3,))),
    ("InverseGamma", dict(concentration=_pos(3) * 2, rate=_pos(3)), _pos(2, 3), None),
]
IDS = [f"{c[0]}-{'-'.join(c[1])}" for c in CASES]
CDF_FAMILIES = ("Normal", "Laplace", "Cauchy", "Uniform", "Exponential", "Gamma", "LogNormal",
                "Gumbel", "HalfNormal", "HalfCauchy", "Weibull", "Pareto", "InverseGamma")
DISCRETE = ("Poisson", "Bernoulli", "Binomial", "Categorical", "OneHotCategorical",
            "Multinomial", "Geometric", "OneHotCategoricalStraightThrough",
            "NegativeBinomial")
PROPS = ["mean", "variance", "stddev", "mode"]


def _params(params, lib, requires_grad=False):
    out = {}
    for k, v in params.items():
        if isinstance(v, np.ndarray):
            t = lib.tensor(v, dtype=lib.float64)
            if requires_grad:
                t.requires_grad_(True)
            out[k] = t
        else:
            out[k] = v
    return out


def _build(name, params, requires_grad=False):
    tp = _params(params, torch, requires_grad)
    ep = _params(params, ember, requires_grad)
    return getattr(TD, name)(**tp), getattr(ED, name)(**ep), tp, ep


def _value(v, lib, name):
    dtype = lib.long if name == "Categorical" else lib.float64
    return lib.tensor(v, dtype=dtype)


def _close(e, t, rtol=1e-7, atol=1e-9):
    assert isinstance(e, ember.Tensor)
    assert tuple(e.shape) == tuple(t.shape), (e.shape, t.shape)
    assert str(e.dtype) == str(t.dtype), (e.dtype, t.dtype)
    np.testing.assert_allclose(e.detach().numpy().astype(np.float64),
                               t.detach().numpy().astype(np.float64), rtol=rtol, atol=atol)


def _both(fn_t, fn_e):
    """Run a torch call and the ember call; ember must raise iff torch does."""
    try:
        t = fn_t()
    except NotImplementedError:
        with pytest.raises(NotImplementedError):
            fn_e()
        return None, None
    return t, fn_e()


@pytest.mark.parametrize("case", CASES, ids=IDS)
def test_values_match_torch(case):
    name, params, value, qvalue = case
    td, ed, _, _ = _build(name, params)
    assert tuple(ed.batch_shape) == tuple(td.batch_shape)
    assert tuple(ed.event_shape) == tuple(td.event_shape)
    assert ed.has_rsample == td.has_rsample
    assert ed.has_enumerate_support == td.has_enumerate_support
    tv, ev = _value(value, torch, name), _value(value, ember, name)
    _close(ed.log_prob(ev), td.log_prob(tv))
    t, e = _both(td.entropy, ed.entropy)
    if t is not None:
        _close(e, t)
        _close(ed.perplexity(), td.perplexity())
    for prop in PROPS:
        t, e = _both(lambda: getattr(td, prop), lambda: getattr(ed, prop))
        if t is not None:
            _close(e, t)
    if name in CDF_FAMILIES:
        _close(ed.cdf(ev), td.cdf(tv))
    if qvalue is not None:
        _close(ed.icdf(ember.tensor(qvalue)), td.icdf(torch.tensor(qvalue)))
    if td.has_enumerate_support:
        for expand in (True, False):
            _close(ed.enumerate_support(expand), td.enumerate_support(expand))


@pytest.mark.parametrize("case", CASES, ids=IDS)
def test_log_prob_gradients_match_torch(case):
    name, params, value, qvalue = case
    td, ed, tp, ep = _build(name, params, requires_grad=True)
    tv, ev = _value(value, torch, name), _value(value, ember, name)
    tout, eout = td.log_prob(tv).sum(), ed.log_prob(ev).sum()
    t, e = _both(td.entropy, ed.entropy)
    if t is not None:
        tout, eout = tout + t.sum(), eout + e.sum()
    if name in CDF_FAMILIES and name not in ("Gamma", "InverseGamma"):   # no igamma grad in a
        tout, eout = tout + td.cdf(tv).sum(), eout + ed.cdf(ev).sum()
    if qvalue is not None:
        tout = tout + td.icdf(torch.tensor(qvalue)).sum()
        eout = eout + ed.icdf(ember.tensor(qvalue)).sum()
    keys = [k for k, v in tp.items() if isinstance(v, torch.Tensor)]
    tinputs, einputs = [tp[k] for k in keys], [ep[k] for k in keys]
    if tv.dtype == torch.float64 and name not in DISCRETE:
        # Score functions: gradients w.r.t. the value too.
        tv2, ev2 = tv.clone().requires_grad_(), ev.clone().requires_grad_()
        tout, eout = tout + td.log_prob(tv2).sum(), eout + ed.log_prob(ev2).sum()
        keys, tinputs, einputs = keys + ["value"], tinputs + [tv2], einputs + [ev2]
    tg = torch.autograd.grad(tout, tinputs, allow_unused=True)
    eg = ember.autograd.grad(eout, einputs, allow_unused=True)
    for k, a, b in zip(keys, eg, tg):
        if b is None:
            continue
        np.testing.assert_allclose(a.numpy(), b.numpy(), rtol=1e-6, atol=1e-8, err_msg=k)


@pytest.mark.parametrize("case", CASES, ids=IDS)
def test_expand_and_shapes(case):
    name, params, _, _ = case
    td, ed, _, _ = _build(name, params)
    new_batch = (2,) + tuple(td.batch_shape)
    te, ee = td.expand(new_batch), ed.expand(new_batch)
    assert type(ee) is type(ed)
    assert tuple(ee.batch_shape) == tuple(te.batch_shape)
    assert tuple(ee.event_shape) == tuple(te.event_shape)
    t, e = _both(lambda: te.mean, lambda: ee.mean)
    if t is not None:
        _close(e, t)
    s = ee.sample((5,))
    assert tuple(s.shape) == (5,) + tuple(te.batch_shape) + tuple(te.event_shape)
    assert tuple(ed.sample().shape) == tuple(td.sample().shape)
    assert tuple(ed.sample((2, 1)).shape) == tuple(td.sample((2, 1)).shape)


# (name, params, n) for moment checks; float64, many draws.
MOMENT_CASES = [
    ("Normal", dict(loc=np.array([1.0, -2.0]), scale=np.array([0.5, 2.0]))),
    ("Laplace", dict(loc=np.array([1.0, -2.0]), scale=np.array([0.5, 2.0]))),
    ("Uniform", dict(low=np.array([0.0, -3.0]), high=np.array([1.0, 2.0]))),
    ("Exponential", dict(rate=np.array([0.5, 3.0]))),
    ("Gamma", dict(concentration=np.array([0.3, 4.0]), rate=np.array([2.0, 0.5]))),
    ("Beta", dict(concentration1=np.array([0.5, 3.0]), concentration0=np.array([2.0, 1.5]))),
    ("Dirichlet", dict(concentration=np.array([0.5, 2.0, 3.0]))),
    ("StudentT", dict(df=np.array([5.0, 9.0]), loc=np.array([1.0, 0.0]),
                      scale=np.array([1.0, 2.0]))),
    ("Poisson", dict(rate=np.array([0.5, 7.0]))),
    ("Bernoulli", dict(probs=np.array([0.2, 0.7]))),
    ("Binomial", dict(total_count=6, probs=np.array([0.2, 0.7]))),
    ("OneHotCategorical", dict(probs=np.array([0.2, 0.3, 0.5]))),
    ("Multinomial", dict(total_count=5, probs=np.array([0.2, 0.3, 0.5]))),
    ("MultivariateNormal", dict(loc=np.array([1.0, -1.0]),
                                covariance_matrix=np.array([[2.0, 0.6], [0.6, 1.0]]))),
    ("LogNormal", dict(loc=np.array([0.0, 0.5]), scale=np.array([0.3, 0.5]))),
    ("Gumbel", dict(loc=np.array([1.0, -2.0]), scale=np.array([0.5, 2.0]))),
    ("HalfNormal", dict(scale=np.array([0.5, 2.0]))),
    ("Geometric", dict(probs=np.array([0.3, 0.8]))),
    ("Chi2", dict(df=np.array([1.0, 5.0]))),
    ("NegativeBinomial", dict(total_count=np.array([2.0, 5.5]), probs=np.array([0.3, 0.6]))),
    ("Weibull", dict(scale=np.array([1.0, 2.0]), concentration=np.array([0.8, 3.0]))),
    ("Pareto", dict(scale=np.array([1.0, 2.0]), alpha=np.array([5.0, 8.0]))),
    ("InverseGamma", dict(concentration=np.array([6.0, 9.0]), rate=np.array([1.0, 3.0]))),
]


@pytest.mark.parametrize("case", MOMENT_CASES, ids=[c[0] for c in MOMENT_CASES])
def test_sample_moments(case):
    name, params = case
    ember.manual_seed(1234)
    d = getattr(ED, name)(**_params(params, ember))
    n = 40000
    s = d.sample((n,)).double().numpy()
    mean, var = d.mean.numpy(), d.variance.numpy()
    # 5 standard errors of the mean; variance within 10% (or 5 std-errors of var).
    np.testing.assert_array_less(np.abs(s.mean(0) - mean), 5 * np.sqrt(var / n) + 1e-12)
    np.testing.assert_allclose(s.var(0), var, rtol=0.1, atol=1e-3)
    # Samples lie in the support.
    assert bool(d.support.check(ember.tensor(s)).all())


def test_categorical_sample_frequencies():
    ember.manual_seed(0)
    probs = np.array([[0.1, 0.2, 0.7], [0.5, 0.25, 0.25]])
    d = ED.Categorical(probs=ember.tensor(probs))
    s = d.sample((20000,))
    assert s.dtype == ember.int64 and tuple(s.shape) == (20000, 2)
    freq = np.stack([(s.numpy() == k).mean(0) for k in range(3)], -1)
    np.testing.assert_allclose(freq, probs, atol=0.02)
    assert tuple(ED.Categorical(logits=ember.zeros(4)).sample((3, 2)).shape) == (3, 2)


def test_mvn_sample_covariance():
    ember.manual_seed(3)
    cov = np.array([[2.0, 0.6], [0.6, 1.0]])
    d = ED.MultivariateNormal(ember.zeros(2, dtype=ember.float64),
                              covariance_matrix=ember.tensor(cov))
    s = d.sample((40000,)).numpy()
    np.testing.assert_allclose(np.cov(s.T), cov, atol=0.06)


@pytest.mark.parametrize("name", ["Normal", "Gamma", "Categorical", "Dirichlet", "Poisson",
                                  "MultivariateNormal", "Binomial"])
def test_same_seed_same_samples(name):
    case = next(c for c in CASES if c[0] == name)
    draws = []
    for _ in range(2):
        ember.manual_seed(7)
        d = getattr(ED, name)(**_params(case[1], ember))
        draws.append(d.sample((3,)).numpy())
    np.testing.assert_array_equal(draws[0], draws[1])
    g = ember.manual_seed(7)
    assert g is ember.default_generator


@pytest.mark.parametrize("name", ["Normal", "Laplace", "Cauchy"])
def test_rsample_location_scale_gradients(name):
    ember.manual_seed(0)
    loc = ember.tensor([0.5, -1.0], dtype=ember.float64, requires_grad=True)
    scale = ember.tensor([1.5, 0.3], dtype=ember.float64, requires_grad=True)
    d = getattr(ED, name)(loc, scale)
    x = d.rsample((5,))
    dloc, dscale = ember.autograd.grad(x.sum(), [loc, scale])
    np.testing.assert_allclose(dloc.numpy(), [5.0, 5.0])
    eps = ((x - loc) / scale).detach().sum(0)   # d x / d scale = standardized draw
    np.testing.assert_allclose(dscale.numpy(), eps.numpy(), rtol=1e-10)


def test_rsample_gradients_other_families():
    ember.manual_seed(0)
    # Uniform: x = low + u (high - low); d/dlow = 1 - u, d/dhigh = u.
    low = ember.tensor(1.0, dtype=ember.float64, requires_grad=True)
    high = ember.tensor(3.0, dtype=ember.float64, requires_grad=True)
    x = ED.Uniform(low, high).rsample((4,))
    gl, gh = ember.autograd.grad(x.sum(), [low, high])
    u = (x.detach() - 1.0) / 2.0
    np.testing.assert_allclose(gh.numpy(), u.sum().numpy())
    np.testing.assert_allclose(gl.numpy(), (1 - u).sum().numpy())
    # Exponential: x = e / rate, dx/drate = -x / rate.
    rate = ember.tensor([0.5, 2.0], dtype=ember.float64, requires_grad=True)
    x = ED.Exponential(rate).rsample((3,))
    (g,) = ember.autograd.grad(x.sum(), [rate])
    np.testing.assert_allclose(g.numpy(), (-x.detach() / rate.detach()).sum(0).numpy())
    # MVN: x = loc + L eps.
    loc = ember.zeros(2, dtype=ember.float64, requires_grad=True)
    L = ember.tensor([[1.0, 0.0], [0.5, 2.0]], dtype=ember.float64, requires_grad=True)
    x = ED.MultivariateNormal(loc, scale_tril=L).rsample((6,))
    gloc, _ = ember.autograd.grad(x.sum(), [loc, L])
    np.testing.assert_allclose(gloc.numpy(), [6.0, 6.0])


def test_gamma_rsample_implicit_gradient():
    # d x / d alpha by implicit reparameterization vs a finite difference of the quantile
    # function at the same uniform level u = F(x; alpha).
    ember.manual_seed(5)
    alpha = ember.tensor([0.7, 2.5], dtype=ember.float64, requires_grad=True)
    x = ED.Gamma(alpha, ember.tensor(1.0, dtype=ember.float64)).rsample((3,))
    (g,) = ember.autograd.grad(x.sum(), [alpha])
    sps = pytest.importorskip("scipy.special")
    a, xs = alpha.detach().numpy(), x.detach().numpy()
    u = sps.gammainc(a, xs)
    h = 1e-6
    fd = (sps.gammaincinv(a + h, u) - sps.gammaincinv(a - h, u)) / (2 * h)
    np.testing.assert_allclose(g.numpy(), fd.sum(0), rtol=1e-4)


KL_PAIRS = [
    ("Normal", dict(loc=_real(3), scale=_pos(3)), dict(loc=_real(3), scale=_pos(3))),
    ("Categorical", dict(probs=_simplex(2, 4)), dict(logits=_real(2, 4))),
    ("Bernoulli", dict(probs=RNG.uniform(0.1, 0.9, 3)), dict(logits=_real(3))),
    ("Beta", dict(concentration1=_pos(3), concentration0=_pos(3)),
     dict(concentration1=_pos(3), concentration0=_pos(3))),
    ("Gamma", dict(concentration=_pos(3), rate=_pos(3)),
     dict(concentration=_pos(3), rate=_pos(3))),
    ("Dirichlet", dict(concentration=_pos(2, 3)), dict(concentration=_pos(3))),
    ("MultivariateNormal", dict(loc=_real(2, 3), scale_tril=_tril(n=3)),
     dict(loc=_real(3), covariance_matrix=_spd(2, n=3))),
    ("Uniform", dict(low=np.array([0.0, -1.0]), high=np.array([1.0, 1.0])),
     dict(low=np.array([-1.0, 0.0]), high=np.array([2.0, 1.0]))),
    ("Exponential", dict(rate=_pos(3)), dict(rate=_pos(3))),
    ("Laplace", dict(loc=_real(3), scale=_pos(3)), dict(loc=_real(3), scale=_pos(3))),
    ("Poisson", dict(rate=_pos(3)), dict(rate=_pos(3))),
    ("OneHotCategorical", dict(probs=_simplex(3)), dict(probs=_simplex(3))),
    ("LogNormal", dict(loc=_real(3), scale=_pos(3)), dict(loc=_real(3), scale=_pos(3))),
    ("Binomial", dict(total_count=5, probs=RNG.uniform(0.1, 0.9, 3)),
     dict(total_count=5, logits=_real(3))),
    ("Geometric", dict(probs=RNG.uniform(0.1, 0.9, 3)), dict(logits=_real(3))),
    ("Gumbel", dict(loc=_real(3), scale=_pos(3)), dict(loc=_real(3), scale=_pos(3))),
    ("HalfNormal", dict(scale=_pos(3)), dict(scale=_pos(3))),
    ("Cauchy", dict(loc=_real(3), scale=_pos(3)), dict(loc=_real(3), scale=_pos(3))),
]


@pytest.mark.parametrize("pair", KL_PAIRS, ids=[p[0] for p in KL_PAIRS])
def test_kl_divergence_matches_torch(pair):
    name, pp, qp = pair
    tp, ep, tpp, epp = _build(name, pp, requires_grad=True)
    tq, eq, _, _ = _build(name, qp)
    t, e = TD.kl_divergence(tp, tq), ED.kl_divergence(ep, eq)
    _close(e, t)
    keys = [k for k, v in tpp.items() if isinstance(v, torch.Tensor)]
    tg = torch.autograd.grad(t[torch.isfinite(t)].sum(), [tpp[k] for k in keys])
    eg = ember.autograd.grad(e[ember.isfinite(e)].sum(), [epp[k] for k in keys])
    for a, b in zip(eg, tg):
        np.testing.assert_allclose(a.numpy(), b.numpy(), rtol=1e-6, atol=1e-8)


def test_kl_independent_and_registry():
    loc, scale = _real(2, 3), _pos(2, 3)
    tp = TD.Independent(TD.Normal(torch.tensor(loc), torch.tensor(scale)), 1)
    tq = TD.Independent(TD.Normal(torch.zeros(2, 3, dtype=torch.float64), 1.0), 1)
    ep = ED.Independent(ED.Normal(ember.tensor(loc), ember.tensor(scale)), 1)
    eq = ED.Independent(ED.Normal(ember.zeros(2, 3, dtype=ember.float64), 1.0), 1)
    _close(ED.kl_divergence(ep, eq), TD.kl_divergence(tp, tq))
    with pytest.raises(NotImplementedError):
        ED.kl_divergence(ED.Normal(0.0, 1.0), ED.Gamma(1.0, 1.0))

    class MyNormal(ED.Normal):
        pass

    # Subclasses dispatch to the parent's rule until a more specific one is registered.
    assert float(ED.kl_divergence(MyNormal(0.0, 1.0), ED.Normal(1.0, 1.0))) == 0.5

    @ED.register_kl(MyNormal, ED.Normal)
    def _kl(p, q):
        return ember.tensor(-1.0)

    assert float(ED.kl_divergence(MyNormal(0.0, 1.0), ED.Normal(1.0, 1.0))) == -1.0
    with pytest.raises(TypeError):
        ED.register_kl(int, ED.Normal)


def test_independent_matches_torch():
    loc, scale, v = _real(2, 3), _pos(2, 3), _real(4, 2, 3)
    td = TD.Independent(TD.Normal(torch.tensor(loc), torch.tensor(scale)), 1)
    ed = ED.Independent(ED.Normal(ember.tensor(loc), ember.tensor(scale)), 1)
    assert (tuple(ed.batch_shape), tuple(ed.event_shape)) == ((2,), (3,))
    _close(ed.log_prob(ember.tensor(v)), td.log_prob(torch.tensor(v)))
    _close(ed.entropy(), td.entropy())
    assert ed.support.event_dim == 1 and ed.has_rsample
    assert tuple(ed.expand((5, 2)).batch_shape) == (5, 2)
    with pytest.raises(ValueError):
        ED.Independent(ED.Normal(ember.zeros(3), 1.0), 2)


TRANSFORMS = [
    ("SoftplusTransform", (), _real(2, 3)),
    ("ExpTransform", (), _real(2, 3)),
    ("SigmoidTransform", (), _real(2, 3)),
    ("TanhTransform", (), _real(2, 3)),
    ("AffineTransform", (0.5, -2.0), _real(2, 3)),
]


@pytest.mark.parametrize("spec", TRANSFORMS, ids=[t[0] for t in TRANSFORMS])
def test_transformed_distribution_matches_torch(spec):
    name, args, _ = spec
    loc = _real(3)
    tl = torch.tensor(loc, requires_grad=True)
    el = ember.tensor(loc, requires_grad=True)
    td = TD.TransformedDistribution(TD.Normal(tl, 1.0), [getattr(TD.transforms, name)(*args)])
    ed = ED.TransformedDistribution(ED.Normal(el, 1.0), [getattr(ED.transforms, name)(*args)])
    x = _real(2, 3)
    ty = getattr(TD.transforms, name)(*args)(torch.tensor(x) * 0.5)
    ey = ember.tensor(ty.numpy())
    _close(ed.log_prob(ey), td.log_prob(ty))
    (tg,) = torch.autograd.grad(td.log_prob(ty).sum(), [tl])
    (eg,) = ember.autograd.grad(ed.log_prob(ey).sum(), [el])
    np.testing.assert_allclose(eg.numpy(), tg.numpy(), rtol=1e-6)
    _close(ed.cdf(ey), td.cdf(ty))
    q = torch.tensor([0.2, 0.5, 0.8], dtype=torch.float64)
    _close(ed.icdf(ember.tensor(q.numpy())), td.icdf(q))
    assert ed.has_rsample
    assert tuple(ed.rsample((4,)).shape) == (4, 3)


def test_tanh_transform_cache_round_trip():
    t = ED.transforms.TanhTransform(cache_size=1)
    x = ember.tensor([30.0, -30.0], dtype=ember.float64)
    y = t(x)
    assert t.inv(y) is x   # cached: atanh(1) would be inf


def test_validation_errors():
    with pytest.raises(ValueError):
        ED.Normal(ember.tensor([0.0]), ember.tensor([-1.0]))
    with pytest.raises(ValueError):
        ED.Normal(0.0, 1.0).log_prob(0.5)   # not a tensor
    with pytest.raises(ValueError):
        ED.Exponential(ember.tensor(1.0)).log_prob(ember.tensor(-1.0))
    with pytest.raises(ValueError):
        ED.Bernoulli(probs=ember.tensor([1.5]))
    with pytest.raises(ValueError):
        ED.Bernoulli(probs=ember.tensor([0.5])).log_prob(ember.tensor([0.5]))
    with pytest.raises(ValueError):
        ED.Bernoulli(probs=ember.tensor(0.5), logits=ember.tensor(0.0))
    with pytest.raises(ValueError):
        ED.Categorical(probs=ember.tensor([0.5, 0.5])).log_prob(ember.tensor(2))
    with pytest.raises(ValueError):
        ED.Categorical(probs=ember.tensor([-0.5, 1.5]))
    with pytest.raises(ValueError):
        ED.Uniform(1.0, 0.0)
    with pytest.raises(ValueError):
        ED.Uniform(0.0, 1.0).log_prob(ember.tensor(2.0))
    with pytest.raises(ValueError):
        ED.Beta(1.0, 1.0).log_prob(ember.tensor(1.5))
    with pytest.raises(ValueError):
        ED.Dirichlet(ember.tensor([1.0, 1.0])).log_prob(ember.tensor([0.3, 0.3]))
    with pytest.raises(ValueError):
        ED.Poisson(ember.tensor(1.0)).log_prob(ember.tensor(1.5))
    with pytest.raises(ValueError):
        ED.Binomial(3, probs=ember.tensor(0.5)).log_prob(ember.tensor(4.0))
    with pytest.raises(ValueError):
        ED.MultivariateNormal(ember.zeros(2), covariance_matrix=-ember.eye(2))
    with pytest.raises(ValueError):
        ED.MultivariateNormal(ember.zeros(2))
    with pytest.raises(ValueError):
        ED.Normal(ember.zeros(3), 1.0).log_prob(ember.zeros(2))   # not broadcastable
    # validate_args=False skips the checks, like torch.
    lp = ED.Exponential(ember.tensor(1.0), validate_args=False).log_prob(ember.tensor(-1.0))
    assert float(lp) == 1.0


def test_set_default_validate_args():
    try:
        ED.Distribution.set_default_validate_args(False)
        ED.Normal(ember.tensor(0.0), ember.tensor(-1.0))   # no error now
    finally:
        ED.Distribution.set_default_validate_args(True)
    with pytest.raises(ValueError):
        ED.Normal(ember.tensor(0.0), ember.tensor(-1.0))


def test_constraints_match_torch():
    x = np.array([-1.0, 0.0, 0.5, 1.0, 2.0, math.nan])
    for name in ["real", "positive", "nonnegative", "unit_interval", "boolean",
                 "nonnegative_integer", "positive_integer"]:
        e = getattr(ED.constraints, name).check(ember.tensor(x))
        t = getattr(TD.constraints, name).check(torch.tensor(x))
        np.testing.assert_array_equal(e.numpy(), t.numpy(), err_msg=name)
    for ctor, args in [("interval", (0.0, 1.0)), ("half_open_interval", (0.0, 1.0)),
                       ("greater_than", (0.5,)), ("greater_than_eq", (0.5,)),
                       ("less_than", (1.0,)), ("integer_interval", (0, 1))]:
        e = getattr(ED.constraints, ctor)(*args).check(ember.tensor(x))
        t = getattr(TD.constraints, ctor)(*args).check(torch.tensor(x))
        np.testing.assert_array_equal(e.numpy(), t.numpy(), err_msg=ctor)
    s = np.array([[0.2, 0.8], [0.5, 0.6], [-0.1, 1.1]])
    np.testing.assert_array_equal(ED.constraints.simplex.check(ember.tensor(s)).numpy(),
                                  TD.constraints.simplex.check(torch.tensor(s)).numpy())
    m = np.stack([np.eye(2), -np.eye(2), np.array([[1.0, 2.0], [0.0, 1.0]])])
    for name in ["lower_cholesky", "positive_definite", "lower_triangular"]:
        e = getattr(ED.constraints, name).check(ember.tensor(m))
        t = getattr(TD.constraints, name).check(torch.tensor(m))
        np.testing.assert_array_equal(e.numpy(), t.numpy(), err_msg=name)
    assert ED.constraints.real_vector.event_dim == 1
    assert ED.constraints.boolean.is_discrete and not ED.constraints.real.is_discrete
    assert ED.Categorical(probs=ember.ones(3)).support.upper_bound == 2
    assert ED.constraints.is_dependent(ED.Uniform.support)


def test_float32_dtypes_and_python_numbers():
    d = ED.Normal(0.0, 1.0)
    assert d.batch_shape == ember.Size([]) and d.mean.dtype == ember.float32
    assert d.sample((2,)).dtype == ember.float32
    _close(d.log_prob(ember.tensor(0.5)), TD.Normal(0.0, 1.0).log_prob(torch.tensor(0.5)),
           rtol=1e-6)
    g = ED.Gamma(ember.tensor([2.0]), 1.0)
    assert g.rsample().dtype == ember.float32
    assert ED.Bernoulli(0.3).sample().dtype == ember.float32
    assert ED.Categorical(logits=ember.zeros(3)).sample().dtype == ember.int64


def test_sample_n_and_no_grad_sample():
    loc = ember.zeros(2, requires_grad=True)
    d = ED.Normal(loc, 1.0)
    assert not d.sample((3,)).requires_grad
    assert d.rsample((3,)).requires_grad
    with pytest.warns(UserWarning):
        assert tuple(d.sample_n(4).shape) == (4, 2)


def _mixtures(lib, D, requires_grad=False):
    logits = lib.tensor(MIX["logits"], requires_grad=requires_grad)
    loc = lib.tensor(MIX["loc"], requires_grad=requires_grad)
    scale = lib.tensor(MIX["scale"], requires_grad=requires_grad)
    mix = D.Categorical(logits=logits)
    scalar = D.MixtureSameFamily(mix, D.Normal(loc, scale))
    vector = D.MixtureSameFamily(
        D.Categorical(logits=logits[0]),
        D.Independent(D.Normal(loc.unsqueeze(-1).expand(2, 3, 2), scale.unsqueeze(-1)
                               .expand(2, 3, 2)), 1))
    return scalar, vector, (logits, loc, scale)


MIX = dict(logits=_real(2, 3), loc=_real(2, 3), scale=_pos(2, 3))


def test_mixture_same_family_matches_torch():
    ts, tv, tparams = _mixtures(torch, TD, requires_grad=True)
    es, ev, eparams = _mixtures(ember, ED, requires_grad=True)
    x = _real(4, 2)
    _close(es.log_prob(ember.tensor(x)), ts.log_prob(torch.tensor(x)))
    _close(es.cdf(ember.tensor(x)), ts.cdf(torch.tensor(x)))
    for prop in ["mean", "variance"]:
        _close(getattr(es, prop), getattr(ts, prop))
        _close(getattr(ev, prop), getattr(tv, prop))
    xv = _real(5, 2, 2)
    _close(ev.log_prob(ember.tensor(xv)), tv.log_prob(torch.tensor(xv)))
    assert (tuple(ev.batch_shape), tuple(ev.event_shape)) == ((2,), (2,))
    tout = ts.log_prob(torch.tensor(x)).sum() + tv.log_prob(torch.tensor(xv)).sum()
    eout = es.log_prob(ember.tensor(x)).sum() + ev.log_prob(ember.tensor(xv)).sum()
    for a, b in zip(ember.autograd.grad(eout, list(eparams)),
                    torch.autograd.grad(tout, list(tparams))):
        np.testing.assert_allclose(a.numpy(), b.numpy(), rtol=1e-6, atol=1e-8)
    assert tuple(es.sample((7,)).shape) == (7, 2)
    assert tuple(ev.sample((7,)).shape) == (7, 2, 2)
    assert tuple(es.expand((4, 2)).sample().shape) == (4, 2)


def test_mixture_samples_come_from_the_chosen_component():
    ember.manual_seed(11)
    mix = ED.Categorical(probs=ember.tensor([0.25, 0.75], dtype=ember.float64))
    comp = ED.Normal(ember.tensor([-10.0, 10.0], dtype=ember.float64),
                     ember.tensor([0.1, 0.1], dtype=ember.float64))
    s = ED.MixtureSameFamily(mix, comp).sample((20000,)).numpy()
    assert abs((s > 0).mean() - 0.75) < 0.02
    assert np.all(np.abs(np.abs(s) - 10) < 1.0)


@pytest.mark.parametrize("case", CASES, ids=IDS)
def test_float32_matches_torch(case):
    name, params, value, qvalue = case
    params32 = {k: v.astype(np.float32) if isinstance(v, np.ndarray) else v
                for k, v in params.items()}
    tp = {k: torch.tensor(v) if isinstance(v, np.ndarray) else v for k, v in params32.items()}
    ep = {k: ember.tensor(v) if isinstance(v, np.ndarray) else v for k, v in params32.items()}
    td, ed = getattr(TD, name)(**tp), getattr(ED, name)(**ep)
    dtype = (torch.long, ember.long) if name == "Categorical" else (torch.float32, ember.float32)
    tv, ev = torch.tensor(value, dtype=dtype[0]), ember.tensor(value, dtype=dtype[1])
    _close(ed.log_prob(ev), td.log_prob(tv), rtol=1e-4, atol=1e-5)
    t, e = _both(td.entropy, ed.entropy)
    if t is not None:
        _close(e, t, rtol=1e-4, atol=1e-5)
    for prop in PROPS:
        t, e = _both(lambda: getattr(td, prop), lambda: getattr(ed, prop))
        if t is not None:
            _close(e, t, rtol=1e-4, atol=1e-5)
    assert str(ed.sample((2,)).dtype) == str(td.sample((2,)).dtype)


@pytest.mark.parametrize("name, kw", [
    ("LogitRelaxedBernoulli", dict(probs=RNG.uniform(0.1, 0.9, 3))),
    ("RelaxedBernoulli", dict(logits=_real(3))),
    ("ExpRelaxedCategorical", dict(probs=_simplex(2, 3))),
    ("RelaxedOneHotCategorical", dict(logits=_real(2, 3))),
])
def test_relaxed_distributions_match_torch(name, kw):
    temp = np.array(0.7)
    tt, et = torch.tensor(temp, requires_grad=True), ember.tensor(temp, requires_grad=True)
    tp, ep = _params(kw, torch, True), _params(kw, ember, True)
    module = TD.relaxed_bernoulli if "Bernoulli" in name else TD.relaxed_categorical
    td, ed = getattr(module, name)(tt, **tp), getattr(ED._relaxed, name)(et, **ep)
    assert tuple(ed.batch_shape) == tuple(td.batch_shape)
    assert tuple(ed.event_shape) == tuple(td.event_shape)
    ember.manual_seed(2)
    x = ed.rsample((4,))
    assert x.requires_grad and tuple(x.shape) == tuple(td.rsample((4,)).shape)
    assert bool(ed.support.check(x.detach()).all())
    value = x.detach().numpy()
    tl, el = td.log_prob(torch.tensor(value)), ed.log_prob(ember.tensor(value))
    _close(el, tl, rtol=1e-6)
    key = next(iter(kw))
    tg = torch.autograd.grad(tl.sum(), [tt, tp[key]])
    eg = ember.autograd.grad(el.sum(), [et, ep[key]])
    for a, b in zip(eg, tg):
        np.testing.assert_allclose(a.numpy(), b.numpy(), rtol=1e-6, atol=1e-8)
    assert tuple(ed.expand((5,) + tuple(ed.batch_shape)).sample().shape) == \
        (5,) + tuple(td.batch_shape) + tuple(td.event_shape)


def test_relaxed_bernoulli_concentrates_at_low_temperature():
    ember.manual_seed(4)
    d = ED.RelaxedBernoulli(ember.tensor(0.05, dtype=ember.float64),
                            probs=ember.tensor([0.2, 0.9], dtype=ember.float64))
    s = d.sample((20000,)).numpy()
    np.testing.assert_allclose((s > 0.5).mean(0), [0.2, 0.9], atol=0.02)


def test_straight_through_gradient():
    probs = ember.tensor([0.2, 0.3, 0.5], dtype=ember.float64, requires_grad=True)
    d = ED.OneHotCategoricalStraightThrough(probs=probs)
    x = d.rsample((4,))
    assert bool(ED.constraints.one_hot.check(x.detach()).all())
    (g,) = ember.autograd.grad((x * ember.tensor([1.0, 2.0, 3.0], dtype=ember.float64)).sum(),
                               [probs])
    tp = torch.tensor([0.2, 0.3, 0.5], dtype=torch.float64, requires_grad=True)
    tx = TD.OneHotCategoricalStraightThrough(probs=tp).rsample((4,))
    (tg,) = torch.autograd.grad((tx * torch.tensor([1.0, 2.0, 3.0],
                                                   dtype=torch.float64)).sum(), [tp])
    np.testing.assert_allclose(g.numpy(), tg.numpy())


@pytest.mark.parametrize("name, args", [("PowerTransform", (2.5,)),
                                        ("SoftplusTransform", ()),
                                        ("SoftmaxTransform", ()), ("AbsTransform", ())])
def test_more_transforms_match_torch(name, args):
    x = _pos(2, 3) if name == "PowerTransform" else _real(2, 3)
    tt, et = getattr(TD.transforms, name)(*args), getattr(ED.transforms, name)(*args)
    ty, ey = tt(torch.tensor(x)), et(ember.tensor(x))
    _close(ey, ty)
    _close(et.inv(ey), tt.inv(ty))
    if name in ("PowerTransform", "SoftplusTransform"):
        _close(et.log_abs_det_jacobian(ember.tensor(x), ey),
               tt.log_abs_det_jacobian(torch.tensor(x), ty))
    assert bool(et.codomain.check(ey).all())
    assert et.bijective == tt.bijective

"""normalize, cosine_similarity, pairwise_distance, pdist, cdist and the distance modules
against torch."""
import numpy as np
import pytest
import torch
import torch.nn.functional as TF

import ember
import ember.nn.functional as EF
from nn_harness import assert_same, to_ember

RNG = np.random.default_rng(2)


def compare(t_fn, e_fn, arrays, atol=1e-10, dtype=np.float64, grad=True):
    t_in = [torch.tensor(a.astype(dtype), requires_grad=grad) for a in arrays]
    e_in = to_ember(t_in)
    t_out, e_out = t_fn(*t_in), e_fn(*e_in)
    assert_same(e_out, t_out, atol=atol, rtol=atol)
    if grad:
        g = torch.tensor(RNG.standard_normal(tuple(t_out.shape)).astype(dtype))
        t_grads = torch.autograd.grad(t_out, t_in, g)
        e_grads = ember.autograd.grad(e_out, e_in, to_ember(g))
        for i, (eg, tg) in enumerate(zip(e_grads, t_grads)):
            assert_same(eg, tg, atol=atol, rtol=atol, what=f"grad {i}")


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_normalize(dtype):
    atol = 1e-5 if dtype == np.float32 else 1e-10
    x = RNG.standard_normal((3, 4, 2))
    for kw in ({}, {"p": 1, "dim": -1}, {"p": float("inf"), "dim": 0}, {"p": 3.0, "dim": 2}):
        compare(lambda a: TF.normalize(a, **kw), lambda a: EF.normalize(a, **kw), [x], atol,
                dtype)
    zero = np.zeros((2, 3))
    compare(TF.normalize, EF.normalize, [zero], atol, dtype)


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_cosine_similarity(dtype):
    atol = 1e-5 if dtype == np.float32 else 1e-10
    for s1, s2, kw in [((4, 3), (4, 3), {}), ((2, 3, 4), (3, 1), {"dim": -1}),
                       ((5, 3), (1, 3), {"dim": 1, "eps": 1e-3}), ((3,), (3,), {"dim": 0})]:
        compare(lambda a, b: TF.cosine_similarity(a, b, **kw),
                lambda a, b: EF.cosine_similarity(a, b, **kw),
                [RNG.standard_normal(s1), RNG.standard_normal(s2)], atol, dtype)
    # a zero vector: the norm is clamped at eps
    compare(TF.cosine_similarity, EF.cosine_similarity,
            [np.zeros((2, 3)), RNG.standard_normal((2, 3))], atol, dtype, grad=False)


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_pairwise_distance(dtype):
    atol = 1e-5 if dtype == np.float32 else 1e-10
    for s1, s2, kw in [((4, 3), (4, 3), {}), ((4, 3), (3,), {"p": 1, "keepdim": True}),
                       ((3,), (3,), {"p": float("inf")}), ((2, 5), (2, 5), {"p": 3, "eps": 0.1})]:
        compare(lambda a, b: TF.pairwise_distance(a, b, **kw),
                lambda a, b: EF.pairwise_distance(a, b, **kw),
                [RNG.standard_normal(s1), RNG.standard_normal(s2)], atol, dtype)


def test_pdist():
    x = RNG.standard_normal((6, 3))
    for p in (2, 1, 3.5, float("inf")):
        compare(lambda a: TF.pdist(a, p), lambda a: EF.pdist(a, p), [x])
    with pytest.raises(RuntimeError):
        EF.pdist(ember.randn(3))


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
@pytest.mark.parametrize("p", [2.0, 1.0, 3.0, float("inf"), 0.5])
def test_cdist(p, dtype):
    atol = 1e-4 if dtype == np.float32 else 1e-8
    for s1, s2 in [((4, 3), (5, 3)), ((2, 30, 3), (27, 3)), ((2, 1, 6, 2), (3, 4, 2))]:
        compare(lambda a, b: torch.cdist(a, b, p), lambda a, b: ember.cdist(a, b, p),
                [RNG.standard_normal(s1), RNG.standard_normal(s2)], atol, dtype)


def test_cdist_compute_modes_and_equal_points():
    x = RNG.standard_normal((6, 3))
    for mode in ("use_mm_for_euclid_dist", "donot_use_mm_for_euclid_dist",
                 "use_mm_for_euclid_dist_if_necessary"):
        compare(lambda a, b: torch.cdist(a, b, compute_mode=mode),
                lambda a, b: ember.cdist(a, b, compute_mode=mode), [x, x.copy()], atol=1e-6)
    big = RNG.standard_normal((40, 5))
    compare(torch.cdist, ember.cdist, [big, big[:30].copy()], atol=1e-6)


def test_distance_errors_match_torch():
    cases = [
        (torch.cdist, ember.cdist, (RNG.standard_normal(3), RNG.standard_normal((3, 3))), {}),
        (torch.cdist, ember.cdist, (RNG.standard_normal((3, 2)), RNG.standard_normal((3, 3))),
         {}),
        (torch.cdist, ember.cdist, (np.ones((3, 2), np.int64), np.ones((3, 2), np.int64)), {}),
        (torch.cdist, ember.cdist, (RNG.standard_normal((3, 2)), RNG.standard_normal((3, 2))),
         {"p": -1}),
        (TF.normalize, EF.normalize, (np.array([1, 2]),), {}),
        (TF.cosine_similarity, EF.cosine_similarity, (np.ones((1, 2), np.int64),) * 2, {}),
        (TF.cosine_similarity, EF.cosine_similarity,
         (RNG.standard_normal((2, 3)), RNG.standard_normal((4, 3))), {}),
        (TF.pairwise_distance, EF.pairwise_distance,
         (RNG.standard_normal((2, 3)), RNG.standard_normal((2, 4))), {}),
    ]
    for t_fn, e_fn, args, kw in cases:
        with pytest.raises(Exception) as t_info:
            t_fn(*[torch.tensor(a) for a in args], **kw)
        with pytest.raises(type(t_info.value)):
            e_fn(*[ember.tensor(a) for a in args], **kw)


def test_distance_gradcheck():
    a = ember.tensor(RNG.standard_normal((4, 3)), requires_grad=True)
    b = ember.tensor(RNG.standard_normal((5, 3)), requires_grad=True)
    for fn, args in [(lambda x, y: ember.cdist(x, y), (a, b)),
                     (lambda x, y: ember.cdist(x, y, compute_mode="use_mm_for_euclid_dist"),
                      (a, b)),
                     (lambda x, y: ember.cdist(x, y, p=1.5), (a, b)),
                     (lambda x: EF.pdist(x), (a,)),
                     (lambda x: EF.normalize(x, dim=0), (a,)),
                     (lambda x, y: EF.cosine_similarity(x, y[:4]), (a, b)),
                     (lambda x, y: EF.pairwise_distance(x, y[:4], p=3), (a, b))]:
        assert ember.autograd.gradcheck(fn, args)
        assert ember.autograd.gradgradcheck(fn, args)


def test_distance_modules():
    x1, x2 = torch.randn(4, 3), torch.randn(4, 3)
    for kw in ({}, {"dim": 0, "eps": 1e-3}):
        t, e = torch.nn.CosineSimilarity(**kw), ember.nn.CosineSimilarity(**kw)
        assert repr(e) == repr(t)
        assert_same(e(to_ember(x1), to_ember(x2)), t(x1, x2))
    for kw in ({}, {"p": 1.0, "eps": 0.0, "keepdim": True}):
        t, e = torch.nn.PairwiseDistance(**kw), ember.nn.PairwiseDistance(**kw)
        assert repr(e) == repr(t)
        assert_same(e(to_ember(x1), to_ember(x2)), t(x1, x2))

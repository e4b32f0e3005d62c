"""Losses (ember.nn.functional and the loss modules) against torch: values, output
dtypes, gradients w.r.t. input and target, every reduction, float32 and float64."""
import warnings

import numpy as np
import pytest
import torch
import torch.nn.functional as TF

import ember
import ember.nn.functional as EF
from nn_harness import DEVICES, torch_device

RNG = np.random.default_rng(0)
REDUCTIONS = ("none", "mean", "sum")


class G:
    """A float array argument that takes part in the gradient check."""

    def __init__(self, arr):
        self.arr = arr


def _conv(x, lib, dtype, leaves, device="cpu"):
    mod = torch if lib == "torch" else ember
    dev = torch_device(device) if lib == "torch" else device
    if isinstance(x, G):
        arr = x.arr.astype(dtype)
        t = mod.tensor(arr, device=dev)
        t.requires_grad_(True)
        leaves.append(t)
        return t
    if isinstance(x, np.ndarray):
        arr = x.astype(dtype) if x.dtype.kind == "f" else x
        return mod.tensor(arr, device=dev)
    if isinstance(x, str) and x.startswith("dtype:"):
        return getattr(mod, x[6:])
    return x


def _np(t):
    t = t.detach().cpu()
    return np.asarray(t.float().numpy() if str(t.dtype).endswith("bfloat16") else t.numpy())


def check(name, args, kwargs=None, dtype=np.float64, atol=None, module=None, grad=True,
          device="cpu"):
    """Call F.<name> (or a module) in both libraries; compare values and gradients.

    ``device``: where ember's tensors live (torch's on cuda only when torch has one)."""
    kwargs = kwargs or {}
    atol = atol if atol is not None else (1e-10 if dtype == np.float64 else 2e-5)
    outs, grads = [], []
    for lib in ("torch", "ember"):
        leaves = []
        a = [_conv(x, lib, dtype, leaves, device) for x in args]
        kw = {k: _conv(v, lib, dtype, leaves, device) for k, v in kwargs.items()}
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            if module is not None:
                fn = module(torch.nn if lib == "torch" else ember.nn)
                if lib == "ember" and device != "cpu":
                    fn = fn.to(device)
            else:
                fn = getattr(TF if lib == "torch" else EF, name)
            out = fn(*a, **kw)
        outs.append(out)
        if grad and leaves and out.requires_grad:
            g = np.random.default_rng(5).standard_normal(tuple(out.shape)).astype(dtype)
            mod = torch if lib == "torch" else ember
            gt = mod.tensor(g, device=torch_device(device) if lib == "torch" else device)
            grads.append(mod.autograd.grad(out, leaves, gt, allow_unused=True))
        else:
            grads.append(None)
    t_out, e_out = outs
    assert e_out.device.type == device, (name, e_out.device)
    assert tuple(e_out.shape) == tuple(t_out.shape), (name, e_out.shape, t_out.shape)
    assert str(e_out.dtype) == str(t_out.dtype), (name, e_out.dtype, t_out.dtype)
    np.testing.assert_allclose(_np(e_out), _np(t_out), atol=atol, rtol=atol, equal_nan=True,
                               err_msg=f"{name} value")
    if grads[0] is not None:
        assert grads[1] is not None, f"{name}: ember output does not require grad"
        for i, (tg, eg) in enumerate(zip(*grads)):
            if tg is None:
                assert eg is None or not np.any(_np(eg)), f"{name} grad {i}"
                continue
            assert eg is not None, f"{name}: no gradient for leaf {i}"
            assert eg.device.type == device, (name, i, eg.device)
            np.testing.assert_allclose(_np(eg), _np(tg), atol=atol, rtol=atol, equal_nan=True,
                                       err_msg=f"{name} grad {i}")
    return e_out, t_out


def randn(*shape):
    return RNG.standard_normal(shape)


def rand(*shape, low=0.05, high=0.95):
    return RNG.uniform(low, high, shape)


def classes(shape, n, ignore=None):
    t = RNG.integers(0, n, shape)
    if ignore is not None:
        t.reshape(-1)[::3] = ignore
    return t


def probs(*shape):
    p = RNG.random(shape) + 0.1
    return p / p.sum(axis=1, keepdims=True)


DTYPES = [np.float32, np.float64]


# ----------------------------------------------------------------------------------
# cross_entropy / nll_loss
# ----------------------------------------------------------------------------------

@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("reduction", REDUCTIONS)
@pytest.mark.parametrize("device", DEVICES)
def test_cross_entropy_class_indices(dtype, reduction, device):
    check("cross_entropy", [G(randn(6, 5)), classes(6, 5)], {"reduction": reduction}, dtype,
          device=device)
    # K-dimensional input (N, C, d1, d2) with weights and ignore_index
    check("cross_entropy", [G(randn(3, 4, 2, 3)), classes((3, 2, 3), 4, ignore=-100)],
          {"reduction": reduction, "weight": rand(4)}, dtype, device=device)
    # label smoothing with weights and a custom ignore_index
    check("cross_entropy", [G(randn(6, 5)), classes(6, 5, ignore=2)],
          {"reduction": reduction, "weight": rand(5), "ignore_index": 2,
           "label_smoothing": 0.2}, dtype, device=device)
    check("cross_entropy", [G(randn(4, 3, 5)), classes((4, 5), 3)],
          {"reduction": reduction, "label_smoothing": 0.1}, dtype, device=device)


@pytest.mark.parametrize("reduction", REDUCTIONS)
@pytest.mark.parametrize("device", DEVICES)
def test_cross_entropy_soft_targets(reduction, device):
    check("cross_entropy", [G(randn(4, 5)), G(probs(4, 5))], {"reduction": reduction},
          device=device)
    check("cross_entropy", [G(randn(2, 3, 4)), G(probs(2, 3, 4))],
          {"reduction": reduction, "weight": rand(3), "label_smoothing": 0.3}, device=device)
    check("cross_entropy", [G(randn(5)), G(probs(1, 5)[0])], {"reduction": reduction},
          device=device)


@pytest.mark.parametrize("reduction", REDUCTIONS)
@pytest.mark.parametrize("device", DEVICES)
def test_cross_entropy_unbatched_and_ignored(reduction, device):
    check("cross_entropy", [G(randn(5)), np.array(3)], {"reduction": reduction}, device=device)
    check("cross_entropy", [G(randn(5)), np.array(3)],
          {"reduction": reduction, "label_smoothing": 0.25, "weight": rand(5)}, device=device)
    # every target ignored: mean is nan in torch
    check("cross_entropy", [G(randn(3, 4)), np.full(3, -100)], {"reduction": reduction},
          device=device)
    check("nll_loss", [G(randn(3, 4)), np.full(3, -100)], {"reduction": reduction}, device=device)


def test_cross_entropy_uint8_target_and_float16():
    check("cross_entropy", [G(randn(4, 3)), classes(4, 3).astype(np.uint8)])
    for dt in ("float16", "bfloat16"):
        x = randn(4, 5)
        t = classes(4, 5)
        e = EF.cross_entropy(ember.tensor(x).to(getattr(ember, dt)), ember.tensor(t))
        r = TF.cross_entropy(torch.tensor(x).to(getattr(torch, dt)), torch.tensor(t))
        assert str(e.dtype) == str(r.dtype)
        np.testing.assert_allclose(_np(e), _np(r), atol=2e-2, rtol=2e-2)


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("reduction", REDUCTIONS)
@pytest.mark.parametrize("device", DEVICES)
def test_nll_loss(dtype, reduction, device):
    check("nll_loss", [G(randn(6, 5)), classes(6, 5)], {"reduction": reduction}, dtype,
          device=device)
    check("nll_loss", [G(randn(3, 4, 2, 2)), classes((3, 2, 2), 4, ignore=1)],
          {"reduction": reduction, "weight": rand(4), "ignore_index": 1}, dtype, device=device)
    check("nll_loss", [G(randn(5)), np.array(1)], {"reduction": reduction}, dtype, device=device)


def test_cross_entropy_double_backward_matches_torch():
    x = randn(4, 5)
    t = classes(4, 5, ignore=-100)
    w = rand(5)
    res = []
    for lib, F, mod in (("torch", TF, torch), ("ember", EF, ember)):
        xt = mod.tensor(x, requires_grad=True)
        loss = F.cross_entropy(xt, mod.tensor(t), weight=mod.tensor(w), label_smoothing=0.1)
        (g,) = mod.autograd.grad(loss, xt, create_graph=True)
        (gg,) = mod.autograd.grad((g * g).sum(), xt)
        res.append((_np(g), _np(gg)))
    np.testing.assert_allclose(res[1][0], res[0][0], atol=1e-10)
    np.testing.assert_allclose(res[1][1], res[0][1], atol=1e-10)


def test_class_target_errors_match_torch():
    x = randn(3, 5)
    cases = [
        ("cross_entropy", (x, np.array([1, 2, 3], dtype=np.int32)), {}),
        ("nll_loss", (x, np.array([1, 2, 10])), {}),
        ("nll_loss", (randn(3, 5, 2), np.array([[1, 2], [3, 10], [0, 0]])), {}),
        ("cross_entropy", (x, np.array([1, 2, -1])), {}),
        ("nll_loss", (x, np.array([1, 2, 3, 4])), {}),
        ("nll_loss", (randn(3, 5, 2, 2), classes((3, 2, 3), 5)), {}),
        ("cross_entropy", (x, randn(3, 4)), {}),
        ("nll_loss", (x, np.array([1, 2, 3])), {"weight": np.ones(4)}),
        ("cross_entropy", (x, np.array([1, 2, 3])), {"reduction": "bogus"}),
    ]
    for name, args, kw in cases:
        t_args = [torch.tensor(a) for a in args]
        e_args = [ember.tensor(a) for a in args]
        t_kw = {k: torch.tensor(v) if isinstance(v, np.ndarray) else v for k, v in kw.items()}
        e_kw = {k: ember.tensor(v) if isinstance(v, np.ndarray) else v for k, v in kw.items()}
        with pytest.raises(Exception) as t_info:
            getattr(TF, name)(*t_args, **t_kw)
        with pytest.raises(type(t_info.value)):
            getattr(EF, name)(*e_args, **e_kw)


def test_cross_entropy_gradcheck():
    x = ember.tensor(randn(3, 4, 2), requires_grad=True)
    t = ember.tensor(classes((3, 2), 4, ignore=-100))
    w = ember.tensor(rand(4))
    for kw in ({}, {"weight": w, "label_smoothing": 0.2}, {"reduction": "none"}):
        fn = lambda a: EF.cross_entropy(a, t, **kw)  # noqa: E731
        assert ember.autograd.gradcheck(fn, (x,))
        assert ember.autograd.gradgradcheck(fn, (x,))
    p = ember.tensor(probs(3, 4, 2), requires_grad=True)
    assert ember.autograd.gradcheck(lambda a, b: EF.cross_entropy(a, b, label_smoothing=0.1),
                                    (x, p))


# ----------------------------------------------------------------------------------
# elementwise losses
# ----------------------------------------------------------------------------------

PAIR_LOSSES = [
    ("mse_loss", {}), ("l1_loss", {}), ("smooth_l1_loss", {}), ("smooth_l1_loss", {"beta": 0.5}),
    ("smooth_l1_loss", {"beta": 0.0}), ("huber_loss", {}), ("huber_loss", {"delta": 0.3}),
    ("soft_margin_loss", {}),
]


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("reduction", REDUCTIONS)
@pytest.mark.parametrize("name,kw", PAIR_LOSSES, ids=lambda v: str(v))
@pytest.mark.parametrize("device", DEVICES)
def test_pair_losses(name, kw, reduction, dtype, device):
    # torch refuses a target requiring grad in soft_margin_loss (ember would give its grad)
    target = randn(4, 3) if name == "soft_margin_loss" else G(randn(4, 3))
    check(name, [G(randn(4, 3)), target], dict(kw, reduction=reduction), dtype, device=device)


@pytest.mark.parametrize("reduction", REDUCTIONS)
@pytest.mark.parametrize("name", ["mse_loss", "l1_loss", "huber_loss"])
def test_weighted_pair_losses(name, reduction):
    check(name, [G(randn(4, 3)), G(randn(4, 3))], {"reduction": reduction, "weight": rand(4, 3)})
    with pytest.raises(ValueError):
        EF.__dict__[name](ember.randn(4, 3), ember.randn(4, 3), weight=ember.rand(3))


def test_mse_broadcast_warns_and_matches():
    for name in ("mse_loss", "l1_loss", "smooth_l1_loss", "huber_loss"):
        with pytest.warns(UserWarning):
            EF.__dict__[name](ember.randn(3, 5), ember.randn(5))
        check(name, [G(randn(3, 5)), G(randn(5))])
        check(name, [G(randn(3, 1)), G(randn(4))], {"reduction": "none"})
    with pytest.raises(RuntimeError), pytest.warns(UserWarning):
        EF.mse_loss(ember.randn(3, 5), ember.randn(4))


def test_mixed_dtypes_and_legacy_args():
    check("mse_loss", [G(randn(3, 4)), randn(3, 4).astype(np.float32)])
    for size_average, reduce in ((False, None), (None, False), (True, True)):
        kw = {"size_average": size_average, "reduce": reduce}
        with pytest.warns(UserWarning):
            EF.mse_loss(ember.randn(3), ember.randn(3), **kw)
        check("mse_loss", [G(randn(3, 4)), G(randn(3, 4))], kw)
        check("cross_entropy", [G(randn(3, 4)), classes(3, 4)], kw)
    with pytest.raises(ValueError):
        EF.mse_loss(ember.randn(3), ember.randn(3), reduction="bogus")


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("reduction", REDUCTIONS)
@pytest.mark.parametrize("device", DEVICES)
def test_binary_cross_entropy(dtype, reduction, device):
    check("binary_cross_entropy", [G(rand(4, 3)), G(rand(4, 3, low=0, high=1))],
          {"reduction": reduction}, dtype, device=device)
    check("binary_cross_entropy", [G(rand(4, 3)), G(rand(4, 3, low=0, high=1))],
          {"reduction": reduction, "weight": rand(3)}, dtype, device=device)


def test_binary_cross_entropy_clamps_log():
    x = np.array([0.0, 1.0, 0.5, 1e-30])
    t = np.array([1.0, 0.0, 0.5, 1.0])
    check("binary_cross_entropy", [x, t], {"reduction": "none"})
    with pytest.raises(RuntimeError):
        EF.binary_cross_entropy(ember.tensor([1.5]), ember.tensor([1.0]))
    with pytest.raises(ValueError):
        EF.binary_cross_entropy(ember.rand(3), ember.rand(4))


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("reduction", REDUCTIONS)
@pytest.mark.parametrize("device", DEVICES)
def test_bce_with_logits(dtype, reduction, device):
    x = randn(4, 3) * 4
    x[0, 0], x[0, 1] = 80.0, -80.0   # numerically stable at large |x|
    check("binary_cross_entropy_with_logits", [G(x), G(rand(4, 3, low=0, high=1))],
          {"reduction": reduction}, dtype, device=device)
    check("binary_cross_entropy_with_logits", [G(randn(4, 3)), G(rand(4, 3, low=0, high=1))],
          {"reduction": reduction, "weight": rand(3), "pos_weight": rand(3) + 0.5}, dtype,
          device=device)
    with pytest.raises(ValueError):
        EF.binary_cross_entropy_with_logits(ember.rand(3), ember.rand(4))


@pytest.mark.parametrize("reduction", REDUCTIONS + ("batchmean",))
@pytest.mark.parametrize("log_target", [False, True])
@pytest.mark.parametrize("device", DEVICES)
def test_kl_div(reduction, log_target, device):
    target = np.log(probs(4, 5)) if log_target else probs(4, 5)
    check("kl_div", [G(np.log(probs(4, 5))), G(target)],
          {"reduction": reduction, "log_target": log_target}, device=device)
    check("kl_div", [G(np.log(probs(4, 5))), G(target)],
          {"reduction": reduction, "log_target": log_target}, np.float32, device=device)
    if reduction == "mean":
        with pytest.warns(UserWarning):
            EF.kl_div(ember.randn(2), ember.rand(2))


@pytest.mark.parametrize("reduction", REDUCTIONS)
@pytest.mark.parametrize("device", DEVICES)
def test_poisson_nll_loss(reduction, device):
    for kw in ({}, {"full": True}, {"log_input": False}, {"log_input": False, "full": True,
                                                          "eps": 1e-3}):
        x = randn(4, 3) if kw.get("log_input", True) else rand(4, 3) * 3
        target = RNG.uniform(0, 4, (4, 3))
        check("poisson_nll_loss", [G(x), G(target)], dict(kw, reduction=reduction), device=device)
        check("poisson_nll_loss", [G(x), G(target)], dict(kw, reduction=reduction), np.float32,
              device=device)


@pytest.mark.parametrize("reduction", REDUCTIONS)
@pytest.mark.parametrize("device", DEVICES)
def test_gaussian_nll_loss(reduction, device):
    for var_shape in ((4, 3), (4,), (4, 1)):
        var = rand(*var_shape)
        var.reshape(-1)[0] = 1e-9      # below eps: clamped
        for full in (False, True):
            check("gaussian_nll_loss", [G(randn(4, 3)), G(randn(4, 3)), G(var)],
                  {"reduction": reduction, "full": full}, device=device)
    check("gaussian_nll_loss", [G(randn(4, 3)), G(randn(4, 3)), 0.5], {"reduction": reduction},
          device=device)
    with pytest.raises(ValueError):
        EF.gaussian_nll_loss(ember.randn(3, 5), ember.randn(3, 5), ember.rand(3, 4))
    with pytest.raises(ValueError):
        EF.gaussian_nll_loss(ember.randn(3, 5), ember.randn(3, 5), -ember.rand(3, 5))


# ----------------------------------------------------------------------------------
# margin losses
# ----------------------------------------------------------------------------------

def pm_ones(*shape):
    return np.where(RNG.random(shape) > 0.5, 1.0, -1.0)


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("reduction", REDUCTIONS)
@pytest.mark.parametrize("device", DEVICES)
def test_margin_losses(dtype, reduction, device):
    r = {"reduction": reduction}
    check("cosine_embedding_loss", [G(randn(5, 3)), G(randn(5, 3)), pm_ones(5)], r, dtype,
          device=device)
    check("cosine_embedding_loss", [G(randn(5, 3)), G(randn(5, 3)), pm_ones(5)],
          dict(r, margin=0.2), dtype, device=device)
    check("cosine_embedding_loss", [G(randn(3)), G(randn(3)), np.array(-1.0)], r, dtype,
          device=device)
    check("margin_ranking_loss", [G(randn(6)), G(randn(6)), G(pm_ones(6))], r, dtype, device=device)
    check("margin_ranking_loss", [G(randn(6)), G(randn(6)), G(pm_ones(6))],
          dict(r, margin=0.5), dtype, device=device)
    check("hinge_embedding_loss", [G(randn(4, 3)), pm_ones(4, 3)], r, dtype, device=device)
    check("hinge_embedding_loss", [G(randn(4, 3)), pm_ones(4, 3)], dict(r, margin=0.3), dtype,
          device=device)
    check("soft_margin_loss", [G(randn(4, 3)), pm_ones(4, 3)], r, dtype, device=device)
    check("multilabel_soft_margin_loss", [G(randn(4, 3)), G(rand(4, 3, low=0, high=1))], r,
          dtype, device=device)
    check("multilabel_soft_margin_loss", [G(randn(4, 3)), G(rand(4, 3, low=0, high=1))],
          dict(r, weight=rand(3)), dtype, device=device)


@pytest.mark.parametrize("reduction", REDUCTIONS)
@pytest.mark.parametrize("device", DEVICES)
def test_triplet_margin_loss(reduction, device):
    for kw in ({}, {"margin": 0.5, "p": 1}, {"swap": True}, {"p": 3, "eps": 1e-3}):
        check("triplet_margin_loss", [G(randn(5, 4)), G(randn(5, 4)), G(randn(5, 4))],
              dict(kw, reduction=reduction), device=device)
    check("triplet_margin_loss", [G(randn(4)), G(randn(4)), G(randn(4))],
          {"reduction": reduction}, device=device)


def test_margin_errors_match_torch():
    x = randn(3, 5)
    cases = [
        ("cosine_embedding_loss", (x, x, np.ones(4))),
        ("margin_ranking_loss", (randn(3), randn(3), randn(3, 1))),
        ("triplet_margin_loss", (x, x, randn(5))),
        ("hinge_embedding_loss", (x, randn(4))),
    ]
    for name, args in cases:
        with pytest.raises(Exception) as t_info:
            getattr(TF, name)(*[torch.tensor(a) for a in args])
        with pytest.raises(type(t_info.value)):
            getattr(EF, name)(*[ember.tensor(a) for a in args])


def test_gradcheck_composed_losses():
    a = ember.tensor(randn(3, 4), requires_grad=True)
    b = ember.tensor(rand(3, 4), requires_grad=True)
    v = ember.tensor(rand(3, 4), requires_grad=True)
    for fn, args in [
        (lambda x, y: EF.binary_cross_entropy_with_logits(x, y, pos_weight=ember.ones(4) * 2),
         (a, b)),
        (lambda x, y: EF.binary_cross_entropy(y, x.sigmoid()), (a, b)),
        (lambda x, y: EF.smooth_l1_loss(x, y, beta=0.5), (a, b)),
        (lambda x, y: EF.kl_div(x, y, reduction="batchmean"), (a, b)),
        (lambda x, y, z: EF.gaussian_nll_loss(x, y, z), (a, b, v)),
        (lambda x, y: EF.poisson_nll_loss(x, y, full=True), (a, b)),
        (lambda x, y: EF.multilabel_soft_margin_loss(x, y), (a, b)),
        (lambda x, y: EF.triplet_margin_loss(x, y, x * 2, swap=True), (a, b)),
    ]:
        assert ember.autograd.gradcheck(fn, args)
        assert ember.autograd.gradgradcheck(fn, args)


# ----------------------------------------------------------------------------------
# modules
# ----------------------------------------------------------------------------------

MODULES = [
    (lambda nn: nn.L1Loss(), 2), (lambda nn: nn.MSELoss(reduction="sum"), 2),
    (lambda nn: nn.SmoothL1Loss(beta=0.5), 2), (lambda nn: nn.HuberLoss(delta=0.5), 2),
    (lambda nn: nn.KLDivLoss(reduction="batchmean"), 2),
    (lambda nn: nn.PoissonNLLLoss(full=True), 2), (lambda nn: nn.GaussianNLLLoss(), 3),
    (lambda nn: nn.MultiLabelSoftMarginLoss(), 2), (lambda nn: nn.BCEWithLogitsLoss(), 2),
    (lambda nn: nn.MarginRankingLoss(margin=0.1), 3),
    (lambda nn: nn.TripletMarginLoss(margin=0.5, swap=True), 3),
]


@pytest.mark.parametrize("make,n_inputs", MODULES)
@pytest.mark.parametrize("device", DEVICES)
def test_loss_modules(make, n_inputs, device):
    args = [G(randn(4, 3)) for _ in range(n_inputs)]
    args[-1] = G(rand(4, 3))   # positive where a loss needs it (var, targets)
    check(None, args, module=make, device=device)
    assert repr(make(ember.nn)) == repr(make(torch.nn))


def test_weighted_loss_modules_and_reprs():
    w = rand(5)
    for make in (lambda nn, w: nn.CrossEntropyLoss(weight=w, label_smoothing=0.1, ignore_index=1),
                 lambda nn, w: nn.NLLLoss(weight=w, reduction="sum")):
        check(None, [G(randn(6, 5)), classes(6, 5, ignore=1)],
              module=lambda nn, make=make: make(nn, (torch if nn is torch.nn else ember)
                                                .tensor(w)))
        e, t = make(ember.nn, ember.tensor(w)), make(torch.nn, torch.tensor(w))
        assert repr(e) == repr(t)
        assert list(e.state_dict()) == list(t.state_dict())
    check(None, [G(rand(4, 3)), G(rand(4, 3))], module=lambda nn: nn.BCELoss())
    check(None, [G(randn(5, 3)), G(randn(5, 3)), pm_ones(5)],
          module=lambda nn: nn.CosineEmbeddingLoss(margin=0.1))
    check(None, [G(randn(4, 3)), pm_ones(4, 3)], module=lambda nn: nn.HingeEmbeddingLoss())
    for name in ("CrossEntropyLoss", "NLLLoss", "MSELoss", "BCELoss", "BCEWithLogitsLoss",
                 "KLDivLoss", "HuberLoss", "TripletMarginLoss", "GaussianNLLLoss"):
        assert repr(getattr(ember.nn, name)()) == repr(getattr(torch.nn, name)())
    with pytest.warns(UserWarning):
        assert ember.nn.MSELoss(size_average=False).reduction == "sum"
    with pytest.raises(ValueError):
        ember.nn.TripletMarginLoss(margin=0)


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("reduction", REDUCTIONS)
@pytest.mark.parametrize("device", DEVICES)
def test_multi_margin_losses(dtype, reduction, device):
    r = {"reduction": reduction}
    check("multi_margin_loss", [G(randn(4, 5)), classes(4, 5)], r, dtype, device=device)
    check("multi_margin_loss", [G(randn(4, 5)), classes(4, 5)],
          dict(r, p=2, margin=0.5, weight=rand(5)), dtype, device=device)
    check("multi_margin_loss", [G(randn(5)), np.array(2)], r, dtype, device=device)
    labels = np.array([[3, 0, -1, 1, 1], [1, 2, 4, -1, 0], [-1, 0, 0, 0, 0], [2, 2, 0, 1, 3]])
    check("multilabel_margin_loss", [G(randn(4, 5)), labels], r, dtype, device=device)
    check("multilabel_margin_loss", [G(randn(5)), labels[1]], r, dtype, device=device)
    check("triplet_margin_with_distance_loss", [G(randn(4, 3)), G(randn(4, 3)), G(randn(4, 3))],
          dict(r, swap=True, margin=0.5), dtype, device=device)


def test_multi_margin_errors_and_modules():
    x = randn(3, 5)
    for name, args, kw in [("multi_margin_loss", (x, np.array([1, 2, 3])), {"p": 3}),
                           ("multi_margin_loss", (x, np.array([1, 2])), {}),
                           ("multilabel_margin_loss", (x, np.ones((3, 4), np.int64)), {}),
                           ("triplet_margin_with_distance_loss", (x, x, x), {"margin": 0})]:
        with pytest.raises(Exception) as t_info:
            getattr(TF, name)(*[torch.tensor(a) for a in args], **kw)
        with pytest.raises(type(t_info.value)):
            getattr(EF, name)(*[ember.tensor(a) for a in args], **kw)
    check(None, [G(randn(4, 5)), classes(4, 5)], module=lambda nn: nn.MultiMarginLoss(p=2))
    check(None, [G(randn(2, 3)), np.array([[2, -1, 0], [0, 1, -1]])],
          module=lambda nn: nn.MultiLabelMarginLoss())
    check(None, [G(randn(4, 3)), G(randn(4, 3)), G(randn(4, 3))],
          module=lambda nn: nn.TripletMarginWithDistanceLoss(
              distance_function=nn.PairwiseDistance(p=1), swap=True))
    for name in ("MultiMarginLoss", "MultiLabelMarginLoss", "TripletMarginWithDistanceLoss"):
        assert repr(getattr(ember.nn, name)()) == repr(getattr(torch.nn, name)())


def _log_softmax_np(x):
    return x - np.log(np.exp(x).sum(-1, keepdims=True))


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("reduction", REDUCTIONS)
@pytest.mark.parametrize("device", DEVICES)
def test_ctc_loss(dtype, reduction, device):
    lp = _log_softmax_np(randn(7, 3, 5))
    padded = np.array([[1, 2, 2], [3, 1, 0], [4, 4, 4]])
    r = {"reduction": reduction}
    for il, tl in (([7, 5, 6], [3, 2, 0]), ([7, 6, 7], [3, 1, 3])):
        check("ctc_loss", [G(lp), padded, il, tl], r, dtype, device=device)
        check("ctc_loss", [G(lp), padded.astype(np.int32), np.array(il), np.array(tl)],
              dict(r, blank=0), dtype, device=device)
    # concatenated 1-D targets, another blank, unbatched input
    check("ctc_loss", [G(lp), np.array([1, 2, 2, 3, 1]), [7, 5, 6], [3, 2, 0]],
          dict(r, blank=4), dtype, device=device)
    check("ctc_loss", [G(lp[:, 0]), np.array([1, 2, 3]), (7,), (3,)], r, dtype, device=device)
    # an impossible alignment: inf, or 0 with zero_infinity
    check("ctc_loss", [G(lp), padded, [7, 5, 2], [3, 2, 3]], dict(r, zero_infinity=True),
          dtype, device=device)
    check("ctc_loss", [lp, padded, [7, 5, 2], [3, 2, 3]], r, dtype, grad=False, device=device)


def test_ctc_loss_errors_and_module():
    lp = _log_softmax_np(randn(6, 2, 4))
    t = np.array([[1, 2, 2], [3, 1, 0]])
    for args, kw in [((lp, t, [7, 5], [3, 2]), {}), ((lp, t, [6, 5], [4, 2]), {}),
                     ((lp, t, [6, 5], [3, 2]), {"blank": 4})]:
        with pytest.raises(Exception) as t_info:
            TF.ctc_loss(torch.tensor(args[0]), torch.tensor(args[1]), *args[2:], **kw)
        with pytest.raises(type(t_info.value)):
            EF.ctc_loss(ember.tensor(args[0]), ember.tensor(args[1]), *args[2:], **kw)
    check(None, [G(lp), t, [6, 5], [3, 2]], module=lambda nn: nn.CTCLoss(zero_infinity=True))
    assert repr(ember.nn.CTCLoss(blank=2)) == repr(torch.nn.CTCLoss(blank=2))


def test_fused_nodes_free_their_buffers_like_torch():
    x = ember.randn(4, 5, requires_grad=True)
    loss = EF.cross_entropy(x, ember.tensor([1, 2, 3, 4]))
    assert loss.grad_fn.name() == "NllLossBackward0"
    loss.backward(retain_graph=True)
    loss.backward()
    with pytest.raises(RuntimeError):
        loss.backward()
    lp = ember.randn(5, 1, 3, requires_grad=True)
    loss = EF.ctc_loss(lp, ember.tensor([[1, 2]]), [5], [2])
    loss.backward()
    with pytest.raises(RuntimeError):
        loss.backward()

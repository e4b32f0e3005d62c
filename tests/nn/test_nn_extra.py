"""Differential tests (against torch) for the less common layers and functions:
fractional max pooling, adaptive softmax, NLLLoss2d, SyncBatchNorm, CrossMapLRN2d,
gumbel_softmax, grid_sample, affine_grid, nn.utils.fusion and nn.utils.stateless."""
import copy
import itertools
import warnings

import numpy as np
import pytest
import torch

import ember
from nn_harness import DEVICES, assert_same, check_module, to_ember, to_numpy


def _same_in(nn, t):
    """``t`` for torch.nn, its ember copy for ember.nn (for constructor tensors)."""
    return t if nn is torch.nn else to_ember(t)


# ---------------------------------------------------------------------------------------
# fractional max pooling

FRAC = [
    (2, (2, 3, 9, 7), (2, 3), dict(output_size=(4, 3))),
    (2, (3, 10, 10), 2, dict(output_ratio=(0.5, 0.5))),
    (2, (2, 2, 5, 5), 2, dict(output_size=1)),
    (3, (1, 2, 7, 8, 6), 2, dict(output_size=(3, 4, 2))),
]


@pytest.mark.parametrize("dtype", [torch.float32, torch.float64])
@pytest.mark.parametrize("nd,shape,kernel,kw", FRAC)
def test_fractional_max_pool_functional(nd, shape, kernel, kw, dtype):
    torch.manual_seed(0)
    x = torch.randn(shape, dtype=dtype, requires_grad=True)
    batch = shape[0] if len(shape) == nd + 2 else 1
    samples = torch.rand(batch, shape[-nd - 1], nd, dtype=dtype)
    name = f"fractional_max_pool{nd}d"
    t_out, t_idx = getattr(torch.nn.functional, name)(x, kernel, return_indices=True,
                                                       _random_samples=samples, **kw)
    xe = to_ember(x)
    e_out, e_idx = getattr(ember.nn.functional, name)(xe, kernel, return_indices=True,
                                                       _random_samples=to_ember(samples), **kw)
    assert_same(e_idx, t_idx, what="indices")
    assert_same(e_out, t_out)
    g = torch.randn(t_out.shape, dtype=dtype)
    t_out.backward(g)
    e_out.backward(to_ember(g))
    assert_same(xe.grad, x.grad, what="input grad")


@pytest.mark.parametrize("device", DEVICES)
def test_fractional_max_pool_modules(device):
    samples = torch.rand(2, 3, 2)
    check_module(lambda nn: nn.FractionalMaxPool2d(2, output_size=(3, 4), return_indices=True,
                                                   _random_samples=_same_in(nn, samples)),
                 [(2, 3, 7, 8)], device=device)
    samples3 = torch.rand(1, 2, 3)
    check_module(lambda nn: nn.FractionalMaxPool3d((2, 1, 2), output_ratio=0.5,
                                                   _random_samples=_same_in(nn, samples3)),
                 [(1, 2, 6, 5, 7)], device=device)
    assert repr(ember.nn.FractionalMaxPool2d(2, output_ratio=0.5)) == \
        repr(torch.nn.FractionalMaxPool2d(2, output_ratio=0.5))
    with pytest.raises(ValueError):
        ember.nn.FractionalMaxPool2d(2)
    with pytest.raises(ValueError):
        ember.nn.FractionalMaxPool2d(2, output_ratio=1.5)


def test_fractional_max_pool_random_windows():
    x = ember.randn(4, 3, 12, 12)
    pool = ember.nn.FractionalMaxPool2d(3, output_ratio=(0.5, 0.5), return_indices=True)
    out, idx = pool(x)
    assert out.shape == (4, 3, 6, 6)
    flat = x.reshape(4, 3, -1)
    # every output is the input value at its index, and windows differ across planes
    assert_same(out, torch.from_numpy(to_numpy(flat.gather(2, idx.reshape(4, 3, -1))))
                .reshape(4, 3, 6, 6))
    assert len({tuple(to_numpy(idx[n, c]).ravel()) for n in range(4) for c in range(3)}) > 1
    ember.manual_seed(5)
    a = ember.nn.functional.fractional_max_pool2d(x, 2, output_size=5)
    ember.manual_seed(5)
    b = ember.nn.functional.fractional_max_pool2d(x, 2, output_size=5)
    assert_same(a, torch.from_numpy(to_numpy(b)))
    with pytest.raises(RuntimeError):
        ember.nn.functional.fractional_max_pool2d(x, 4, output_size=10)


# ---------------------------------------------------------------------------------------
# adaptive log-softmax

def test_adaptive_log_softmax():
    torch.manual_seed(0)
    x = torch.randn(6, 8)
    y = torch.tensor([0, 3, 5, 9, 7, 2])
    make = lambda nn: nn.AdaptiveLogSoftmaxWithLoss(8, 10, [3, 6], div_value=2.0,  # noqa: E731
                                                     head_bias=True)
    e_mod, t_mod, e_out, t_out = check_module(make, [], inputs=[x, y])
    assert type(e_out).__name__ == "_ASMoutput" and e_out._fields == ("output", "loss")
    assert repr(e_mod) == repr(t_mod)
    assert list(e_mod.state_dict()) == list(t_mod.state_dict())
    e_mod.zero_grad()
    t_mod.zero_grad()
    e_loss, t_loss = e_mod(to_ember(x), to_ember(y)).loss, t_mod(x, y).loss
    assert_same(e_loss, t_loss)
    e_loss.backward()
    t_loss.backward()
    for (name, ep), (_, tp) in zip(e_mod.named_parameters(), t_mod.named_parameters()):
        assert_same(ep.grad, tp.grad, what=name)
    xi = torch.randn(7, 8)
    assert_same(e_mod.log_prob(to_ember(xi)), t_mod.log_prob(xi))
    assert_same(e_mod.predict(to_ember(xi)), t_mod.predict(xi))
    one_e, one_t = e_mod(to_ember(x[1]), to_ember(y[1])), t_mod(x[1], y[1])
    assert_same(one_e.output, one_t.output)
    assert_same(one_e.loss, one_t.loss)
    with pytest.raises(RuntimeError):
        e_mod(to_ember(x), ember.tensor([0, 1, 2, 3, 4, 10]))
    with pytest.raises(ValueError):
        ember.nn.AdaptiveLogSoftmaxWithLoss(8, 10, [6, 3])


# ---------------------------------------------------------------------------------------
# NLLLoss2d, SyncBatchNorm, CrossMapLRN2d

def test_nll_loss_2d():
    with pytest.warns(FutureWarning):
        ember.nn.NLLLoss2d()
    logp = torch.randn(2, 3, 4, 4).log_softmax(1)
    target = torch.randint(0, 3, (2, 4, 4))
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", FutureWarning)
        check_module(lambda nn: nn.NLLLoss2d(ignore_index=1), [], inputs=[logp, target])
        assert isinstance(ember.nn.NLLLoss2d(), ember.nn.NLLLoss)


@pytest.mark.parametrize("train", [True, False])
def test_sync_batch_norm_single_process(train):
    e_mod, t_mod, _, _ = check_module(lambda nn: nn.SyncBatchNorm(3, momentum=None),
                                      [(4, 3, 2, 2)], train=train)
    assert repr(e_mod) == repr(t_mod)
    assert_same(e_mod.running_var, t_mod.running_var)
    check_module(lambda nn: nn.SyncBatchNorm(3), [(5, 3)], train=train)
    with pytest.raises(ValueError):
        e_mod(ember.randn(3))


def test_convert_sync_batchnorm():
    def build(nn):
        return nn.Sequential(nn.Conv2d(1, 3, 3), nn.BatchNorm2d(3),
                             nn.Sequential(nn.BatchNorm1d(3, affine=False)))
    t_net = torch.nn.SyncBatchNorm.convert_sync_batchnorm(build(torch.nn).eval())
    e_src = build(ember.nn).eval()
    weight = e_src[1].weight
    e_net = ember.nn.SyncBatchNorm.convert_sync_batchnorm(e_src)
    assert repr(e_net) == repr(t_net)
    assert e_net[1].weight is weight and not e_net[1].training
    assert list(e_net.state_dict()) == list(t_net.state_dict())


@pytest.mark.parametrize("size,channels", [(2, 4), (3, 1), (3, 6), (4, 7), (5, 3), (5, 8)])
def test_cross_map_lrn2d(size, channels):
    e_mod, t_mod, _, _ = check_module(lambda nn: nn.CrossMapLRN2d(size, 0.1, 0.75, 2),
                                      [(2, channels, 3, 2)], dtype=torch.float64, atol=1e-9)
    assert repr(e_mod) == repr(t_mod)


# ---------------------------------------------------------------------------------------
# gumbel_softmax

def test_gumbel_softmax_distribution():
    ember.manual_seed(0)
    logits = ember.tensor([[1.0, 0.0, -1.0, 2.0]]).expand(4000, 4)
    soft = ember.nn.functional.gumbel_softmax(logits, tau=0.5)
    np.testing.assert_allclose(to_numpy(soft.sum(-1)), 1, atol=1e-5)
    hard = ember.nn.functional.gumbel_softmax(logits, hard=True)
    freq = to_numpy(hard).mean(0)
    # argmax of logits + Gumbel noise is a draw from softmax(logits)
    np.testing.assert_allclose(freq, to_numpy(ember.softmax(logits[0], 0)), atol=0.03)
    assert set(np.unique(to_numpy(hard))) <= {0.0, 1.0}


def test_gumbel_softmax_straight_through_gradient():
    logits = ember.randn(3, 5, requires_grad=True)
    weights = ember.randn(3, 5)
    ember.manual_seed(1)
    (ember.nn.functional.gumbel_softmax(logits, tau=0.7, hard=True, dim=1) * weights).sum() \
        .backward()
    hard_grad = logits.grad.clone()
    logits.grad = None
    ember.manual_seed(1)
    (ember.nn.functional.gumbel_softmax(logits, tau=0.7, dim=1) * weights).sum().backward()
    # the hard sample's gradient is the soft sample's (same noise)
    np.testing.assert_allclose(to_numpy(hard_grad), to_numpy(logits.grad), atol=1e-6)
    ember.manual_seed(2)
    a = ember.nn.functional.gumbel_softmax(logits, dim=0)
    ember.manual_seed(2)
    b = ember.nn.functional.gumbel_softmax(logits, dim=0)
    np.testing.assert_array_equal(to_numpy(a), to_numpy(b))
    np.testing.assert_allclose(to_numpy(a.sum(0)), 1, atol=1e-6)


# ---------------------------------------------------------------------------------------
# grid_sample, affine_grid

def _grid_case(shape, grid_shape, mode, padding_mode, align_corners, dtype):
    gen = torch.Generator().manual_seed(0)
    x = torch.randn(shape, dtype=dtype, generator=gen, requires_grad=True)
    grid = (torch.rand(grid_shape, dtype=dtype, generator=gen) * 2.6 - 1.3).requires_grad_()
    t_out = torch.nn.functional.grid_sample(x, grid, mode=mode, padding_mode=padding_mode,
                                            align_corners=align_corners)
    xe, ge = to_ember(x), to_ember(grid)
    e_out = ember.nn.functional.grid_sample(xe, ge, mode=mode, padding_mode=padding_mode,
                                            align_corners=align_corners)
    tol = 1e-9 if dtype == torch.float64 else 1e-4
    assert_same(e_out, t_out, atol=tol, rtol=tol)
    g = torch.randn(t_out.shape, dtype=dtype, generator=gen)
    t_out.backward(g)
    e_out.backward(to_ember(g))
    assert_same(xe.grad, x.grad, atol=tol, rtol=tol, what="input grad")
    assert_same(ge.grad, grid.grad, atol=tol * 10, rtol=tol * 10, what="grid grad")


@pytest.mark.parametrize("mode,padding_mode,align_corners",
                         list(itertools.product(["bilinear", "nearest", "bicubic"],
                                                ["zeros", "border", "reflection"],
                                                [False, True])))
def test_grid_sample_4d(mode, padding_mode, align_corners):
    _grid_case((2, 3, 5, 4), (2, 3, 6, 2), mode, padding_mode, align_corners, torch.float64)


@pytest.mark.parametrize("mode,padding_mode", [("bilinear", "zeros"), ("bilinear", "border"),
                                               ("bilinear", "reflection"),
                                               ("nearest", "zeros"), ("nearest", "reflection")])
def test_grid_sample_5d(mode, padding_mode):
    _grid_case((2, 2, 3, 4, 5), (2, 2, 3, 4, 3), mode, padding_mode, False, torch.float64)
    _grid_case((1, 2, 3, 2, 4), (1, 2, 2, 3, 3), mode, padding_mode, True, torch.float64)


def test_grid_sample_float32_and_errors():
    _grid_case((1, 2, 6, 6), (1, 4, 4, 2), "bilinear", "zeros", False, torch.float32)
    _grid_case((1, 2, 6, 6), (1, 4, 4, 2), "bicubic", "border", True, torch.float32)
    x, grid = ember.randn(1, 1, 3, 3), ember.zeros(1, 2, 2, 2)
    with pytest.warns(UserWarning):
        ember.nn.functional.grid_sample(x, grid)
    with pytest.raises(ValueError):
        ember.nn.functional.grid_sample(x, grid, mode="area", align_corners=False)
    with pytest.raises(RuntimeError):
        ember.nn.functional.grid_sample(x, ember.zeros(1, 2, 2, 3), align_corners=False)
    with pytest.raises(RuntimeError):
        ember.nn.functional.grid_sample(ember.randn(1, 1, 2, 2, 2), ember.zeros(1, 1, 1, 1, 3),
                                        mode="bicubic", align_corners=False)


@pytest.mark.parametrize("align_corners", [False, True])
@pytest.mark.parametrize("size,theta_shape", [((2, 3, 4, 5), (2, 2, 3)),
                                              ((2, 3, 2, 4, 5), (2, 3, 4)),
                                              ((1, 1, 1, 3), (1, 2, 3))])
def test_affine_grid(size, theta_shape, align_corners):
    theta = torch.randn(theta_shape, requires_grad=True)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        t_grid = torch.nn.functional.affine_grid(theta, size, align_corners=align_corners)
    te = to_ember(theta)
    e_grid = ember.nn.functional.affine_grid(te, size, align_corners=align_corners)
    assert_same(e_grid, t_grid)
    g = torch.randn(t_grid.shape)
    t_grid.backward(g)
    e_grid.backward(to_ember(g))
    assert_same(te.grad, theta.grad, what="theta grad")
    with pytest.raises(ValueError):
        ember.nn.functional.affine_grid(ember.zeros(1, 3, 3), (1, 1, 2, 2), align_corners=False)


def test_affine_grid_identity_round_trip():
    x = ember.randn(1, 2, 4, 5)
    theta = ember.tensor([[[1.0, 0.0, 0.0], [0.0, 1.0, 0.0]]])
    grid = ember.nn.functional.affine_grid(theta, (1, 2, 4, 5), align_corners=False)
    out = ember.nn.functional.grid_sample(x, grid, align_corners=False)
    np.testing.assert_allclose(to_numpy(out), to_numpy(x), atol=1e-5)


# ---------------------------------------------------------------------------------------
# nn.utils.fusion

def _trained_bn(nn, bn):
    """Give a BatchNorm non-trivial running stats and affine parameters (the same in both)."""
    gen = torch.Generator().manual_seed(3)
    with torch.no_grad(), ember.no_grad():
        for name in ("running_mean", "weight", "bias"):
            if getattr(bn, name) is not None:
                values = torch.randn(bn.num_features, generator=gen)
                getattr(bn, name).copy_(values if nn is torch.nn else to_ember(values))
        values = torch.rand(bn.num_features, generator=gen) + 0.5
        bn.running_var.copy_(values if nn is torch.nn else to_ember(values))
    return bn.eval()


@pytest.mark.parametrize("conv,bn,transpose,shape", [
    (lambda nn: nn.Conv2d(2, 3, 3), lambda nn: nn.BatchNorm2d(3), False, (2, 2, 5, 5)),
    (lambda nn: nn.Conv1d(2, 4, 2, bias=False), lambda nn: nn.BatchNorm1d(4), False, (2, 2, 6)),
    (lambda nn: nn.ConvTranspose2d(2, 3, 3), lambda nn: nn.BatchNorm2d(3, affine=False), True,
     (1, 2, 4, 4)),
])
def test_fuse_conv_bn(conv, bn, transpose, shape):
    torch.manual_seed(0)
    t_conv, t_bn = conv(torch.nn).eval(), _trained_bn(torch.nn, bn(torch.nn))
    e_conv, e_bn = conv(ember.nn).eval(), _trained_bn(ember.nn, bn(ember.nn))
    e_conv.load_state_dict({k: to_ember(v) for k, v in t_conv.state_dict().items()})
    t_fused = torch.nn.utils.fusion.fuse_conv_bn_eval(t_conv, t_bn, transpose=transpose)
    e_fused = ember.nn.utils.fusion.fuse_conv_bn_eval(e_conv, e_bn, transpose=transpose)
    assert type(e_fused.weight) is ember.nn.Parameter and e_fused is not e_conv
    assert_same(e_fused.weight.detach(), t_fused.weight.detach())
    assert_same(e_fused.bias.detach(), t_fused.bias.detach())
    x = torch.randn(shape)
    with torch.no_grad():
        assert_same(e_fused(to_ember(x)), t_bn(t_conv(x)))
        assert_same(e_bn(e_conv(to_ember(x))), t_bn(t_conv(x)))
    with pytest.raises(AssertionError):
        ember.nn.utils.fusion.fuse_conv_bn_eval(e_conv.train(), e_bn)


def test_fuse_linear_bn():
    torch.manual_seed(0)
    t_lin, t_bn = torch.nn.Linear(4, 3).eval(), _trained_bn(torch.nn, torch.nn.BatchNorm1d(3))
    e_lin, e_bn = ember.nn.Linear(4, 3).eval(), _trained_bn(ember.nn, ember.nn.BatchNorm1d(3))
    e_lin.load_state_dict({k: to_ember(v) for k, v in t_lin.state_dict().items()})
    t_fused = torch.nn.utils.fuse_linear_bn_eval(t_lin, t_bn)
    e_fused = ember.nn.utils.fuse_linear_bn_eval(e_lin, e_bn)
    assert_same(e_fused.weight.detach(), t_fused.weight.detach())
    assert_same(e_fused.bias.detach(), t_fused.bias.detach())
    x = torch.randn(5, 4)
    with torch.no_grad():
        assert_same(e_fused(to_ember(x)), t_bn(t_lin(x)))
    w, b = ember.nn.utils.fuse_linear_bn_weights(e_lin.weight, None, e_bn.running_mean,
                                                 e_bn.running_var, e_bn.eps, e_bn.weight,
                                                 e_bn.bias)
    tw, tb = torch.nn.utils.fuse_linear_bn_weights(t_lin.weight, None, t_bn.running_mean,
                                                   t_bn.running_var, t_bn.eps, t_bn.weight,
                                                   t_bn.bias)
    assert_same(b.detach(), tb.detach())
    assert b.requires_grad == tb.requires_grad


# ---------------------------------------------------------------------------------------
# nn.utils.stateless.functional_call

class _Tied:
    @staticmethod
    def build(nn):
        class Net(nn.Module):
            def __init__(self):
                super().__init__()
                self.a = nn.Linear(3, 3)
                self.b = nn.Linear(3, 3)
                self.b.weight = self.a.weight
                self.register_buffer("scale", (torch if nn is torch.nn else ember).ones(3))

            def forward(self, x, shift=0.0):
                return self.b(self.a(x)) * self.scale + shift
        return Net()


@pytest.mark.filterwarnings("ignore::FutureWarning")
def test_functional_call_matches_torch():
    torch.manual_seed(0)
    t_net = _Tied.build(torch.nn)
    e_net = _Tied.build(ember.nn)
    e_net.load_state_dict({k: to_ember(v) for k, v in t_net.state_dict().items()})
    before = {k: to_numpy(v).copy() for k, v in e_net.state_dict().items()}
    w = torch.randn(3, 3, requires_grad=True)
    s = torch.rand(3)
    x = torch.randn(2, 3)
    we = to_ember(w)
    t_out = torch.nn.utils.stateless.functional_call(t_net, {"a.weight": w, "scale": s}, x,
                                                     {"shift": 1.5})
    e_out = ember.nn.utils.stateless.functional_call(e_net, {"a.weight": we,
                                                             "scale": to_ember(s)},
                                                     to_ember(x), {"shift": 1.5})
    assert_same(e_out, t_out)
    t_out.sum().backward()
    e_out.sum().backward()
    assert_same(we.grad, w.grad, what="grad of the passed weight")   # through both uses
    assert e_net.a.weight.grad is None
    assert type(e_net.a.weight) is ember.nn.Parameter and e_net.b.weight is e_net.a.weight
    for k, v in e_net.state_dict().items():
        np.testing.assert_array_equal(to_numpy(v), before[k])
    # untied: only a.weight is replaced
    t_out = torch.nn.utils.stateless.functional_call(t_net, {"a.weight": w}, (x,),
                                                     tie_weights=False)
    e_out = ember.nn.utils.stateless.functional_call(e_net, {"a.weight": we}, (to_ember(x),),
                                                     tie_weights=False)
    assert_same(e_out, t_out)


def test_functional_call_errors_and_restore():
    net = _Tied.build(ember.nn)
    with pytest.raises(ValueError):
        ember.nn.utils.stateless.functional_call(
            net, {"a.weight": ember.zeros(3, 3), "b.weight": ember.ones(3, 3)}, ember.ones(1, 3))
    with pytest.raises(RuntimeError):
        ember.nn.utils.stateless.functional_call(net, {"a.bias": ember.zeros(3)},
                                                 ember.ones(1, 3), strict=True)
    full = {k: v.detach().clone() for k, v in net.state_dict().items()}
    full["b.weight"] = full["a.weight"]   # tied names take the same tensor
    ember.nn.utils.stateless.functional_call(net, full, ember.ones(1, 3), strict=True)

    class Boom(ember.nn.Module):
        def __init__(self):
            super().__init__()
            self.lin = ember.nn.Linear(2, 2)

        def forward(self, x):
            raise KeyError("boom")
    boom = Boom()
    original = boom.lin.weight
    with pytest.raises(KeyError):
        ember.nn.utils.stateless.functional_call(boom, {"lin.weight": ember.zeros(2, 2)},
                                                 ember.ones(2))
    assert boom.lin.weight is original
    copy.deepcopy(boom)   # the module is still whole


@pytest.mark.parametrize("mode", ["bilinear", "bicubic"])
def test_grid_sample_double_backward(mode):
    from ember.autograd import gradcheck, gradgradcheck
    ember.manual_seed(0)
    x = ember.randn(1, 2, 3, 4, dtype=ember.float64, requires_grad=True)
    grid = (ember.rand(1, 2, 3, 2, dtype=ember.float64) * 2 - 1).requires_grad_()

    def fn(x, grid):
        return ember.nn.functional.grid_sample(x, grid, mode=mode, padding_mode="reflection",
                                               align_corners=False)
    assert gradcheck(fn, (x, grid))
    assert gradgradcheck(fn, (x, grid))

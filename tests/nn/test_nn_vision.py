"""Padding, interpolation/upsampling, pixel shuffle and fold/unfold against torch."""
import pytest
import torch
import torch.nn.functional as TF

import ember
import ember.nn.functional as EF
from nn_harness import DEVICES, assert_same, check_module, to_ember

PAD_CASES = [
    (lambda nn: nn.ZeroPad1d((1, 2)), (2, 3, 4)),
    (lambda nn: nn.ZeroPad2d(1), (2, 3, 4, 3)),
    (lambda nn: nn.ZeroPad3d((1, 0, 0, 2, 1, 1)), (1, 2, 3, 2, 3)),
    (lambda nn: nn.ConstantPad1d(2, 3.5), (2, 4)),
    (lambda nn: nn.ConstantPad2d((1, -1, 0, 2), -1.0), (1, 2, 4, 4)),
    (lambda nn: nn.ConstantPad3d(1, 0.5), (1, 2, 2, 3, 2)),
    (lambda nn: nn.ReflectionPad1d((2, 1)), (2, 3, 4)),
    (lambda nn: nn.ReflectionPad2d(2), (1, 2, 4, 5)),
    (lambda nn: nn.ReflectionPad3d((1, 1, 0, 1, 1, 0)), (1, 2, 3, 3, 3)),
    (lambda nn: nn.ReplicationPad1d(3), (2, 3, 2)),
    (lambda nn: nn.ReplicationPad2d((1, 2, 3, 0)), (2, 3, 3)),
    (lambda nn: nn.ReplicationPad3d(1), (1, 1, 2, 3, 2)),
    (lambda nn: nn.CircularPad1d((2, 1)), (2, 3, 4)),
    (lambda nn: nn.CircularPad2d(1), (1, 2, 3, 3)),
    (lambda nn: nn.CircularPad3d((1, 0, 1, 1, 0, 1)), (1, 1, 2, 3, 2)),
]


@pytest.mark.parametrize("make,shape", PAD_CASES)
@pytest.mark.parametrize("device", DEVICES)
def test_padding_layers_match_torch(make, shape, device):
    e_mod, t_mod, _, _ = check_module(make, [shape], device=device)
    assert repr(e_mod) == repr(t_mod)


def test_pad_errors_match_torch():
    x = torch.randn(1, 2, 3)
    for args, kwargs in (((3, 3),) + ({"mode": "reflect"},), ((1, 1, 1),) + ({},),
                         ((1, 1),) + ({"mode": "nope"},), ((4, 4),) + ({"mode": "circular"},),
                         ((1, 1),) + ({"mode": "reflect", "value": 1.0},),
                         ((-4, 0),) + ({},)):
        with pytest.raises(Exception) as t_info:
            TF.pad(x, args, **kwargs)
        with pytest.raises(Exception) as e_info:
            EF.pad(to_ember(x), args, **kwargs)
        assert type(e_info.value) is type(t_info.value), (args, kwargs, e_info.value)


INTERP_CASES = [
    dict(scale_factor=2),
    dict(size=(3, 7)),
    dict(scale_factor=0.6),
    dict(size=(5, 4), mode="nearest-exact"),
    dict(size=(7, 3), mode="bilinear"),
    dict(scale_factor=(1.5, 2.5), mode="bilinear", align_corners=True),
    dict(scale_factor=2.3, mode="bilinear", recompute_scale_factor=True),
    dict(size=(6, 9), mode="bicubic"),
    dict(scale_factor=0.7, mode="bicubic", align_corners=True),
    dict(size=(3, 2), mode="area"),
    dict(size=(7, 11), mode="area"),
]


@pytest.mark.parametrize("dtype", [torch.float32, torch.float64])
@pytest.mark.parametrize("kwargs", INTERP_CASES)
def test_interpolate_2d_matches_torch(kwargs, dtype):
    x = torch.randn(2, 3, 5, 6, dtype=dtype, requires_grad=True)
    e = to_ember(x)
    t_out = TF.interpolate(x, **kwargs)
    e_out = EF.interpolate(e, **kwargs)
    assert_same(e_out, t_out)
    g = torch.randn(t_out.shape, dtype=dtype)
    (tg,) = torch.autograd.grad(t_out, x, g)
    (eg,) = ember.autograd.grad(e_out, e, to_ember(g))
    assert_same(eg, tg)


@pytest.mark.parametrize("shape,kwargs", [
    ((2, 3, 5), dict(scale_factor=2.5, mode="linear")),
    ((2, 3, 5), dict(size=8, mode="linear", align_corners=True)),
    ((2, 3, 5), dict(size=3, mode="nearest")),
    ((1, 2, 3, 4, 2), dict(scale_factor=2, mode="trilinear")),
    ((1, 2, 3, 4, 2), dict(size=(2, 5, 3), mode="nearest")),
    ((1, 2, 4, 4, 6), dict(size=2, mode="area")),
])
def test_interpolate_1d_3d_matches_torch(shape, kwargs):
    x = torch.randn(shape, requires_grad=True)
    e = to_ember(x)
    t_out, e_out = TF.interpolate(x, **kwargs), EF.interpolate(e, **kwargs)
    assert_same(e_out, t_out)
    t_out.sum().backward()
    e_out.sum().backward()
    assert_same(e.grad, x.grad)


def test_interpolate_gradgrad():
    x = ember.randn(1, 1, 3, 4, dtype=ember.float64, requires_grad=True)
    for mode in ("bilinear", "bicubic", "nearest"):
        assert ember.autograd.gradgradcheck(
            lambda x: EF.interpolate(x, scale_factor=1.5, mode=mode), (x,))


@pytest.mark.parametrize("make,shape", [
    (lambda nn: nn.Upsample(scale_factor=2), (1, 2, 3, 3)),
    (lambda nn: nn.Upsample(size=(4, 5), mode="bilinear"), (1, 2, 3, 3)),
    (lambda nn: nn.Upsample(scale_factor=(2, 1.5), mode="bicubic", align_corners=True),
     (1, 1, 3, 4)),
    (lambda nn: nn.Upsample(scale_factor=2, mode="linear"), (2, 2, 4)),
    (lambda nn: nn.UpsamplingNearest2d(scale_factor=3), (1, 2, 2, 3)),
    (lambda nn: nn.UpsamplingBilinear2d(size=(5, 4)), (1, 2, 2, 3)),
    (lambda nn: nn.PixelShuffle(2), (2, 8, 3, 2)),
    (lambda nn: nn.PixelUnshuffle(2), (2, 2, 4, 6)),
    (lambda nn: nn.ChannelShuffle(2), (2, 4, 3, 3)),
    (lambda nn: nn.Unfold((2, 3), padding=1, stride=(1, 2)), (2, 3, 4, 5)),
    (lambda nn: nn.Fold((4, 5), 2), (2, 12, 12)),
    (lambda nn: nn.Fold(output_size=(5, 5), kernel_size=(2, 3), dilation=(2, 1), padding=1),
     (1, 6, 25)),
])
@pytest.mark.parametrize("device", DEVICES)
def test_vision_layers_match_torch(make, shape, device):
    e_mod, t_mod, _, _ = check_module(make, [shape], device=device)
    assert repr(e_mod) == repr(t_mod)


def test_interpolate_errors_match_torch():
    x = torch.randn(1, 2, 3, 4)
    for kwargs in (dict(size=3, mode="linear"), dict(size=3, scale_factor=2),
                   dict(mode="bilinear"), dict(size=3, align_corners=True),
                   dict(size=3, mode="bogus"), dict(size=(1, 2, 3))):
        with pytest.raises(Exception) as t_info:
            TF.interpolate(x, **kwargs)
        with pytest.raises(Exception) as e_info:
            EF.interpolate(to_ember(x), **kwargs)
        assert type(e_info.value) is type(t_info.value), (kwargs, e_info.value)


def test_fold_unfold_roundtrip_and_errors():
    x = torch.randn(2, 3, 5, 6)
    kw = dict(kernel_size=(2, 3), dilation=(2, 1), padding=1, stride=(1, 2))
    cols = TF.unfold(x, **kw)
    e_cols = EF.unfold(to_ember(x), **kw)
    assert_same(e_cols, cols)
    assert_same(EF.fold(e_cols, (5, 6), **kw), TF.fold(cols, (5, 6), **kw))
    for bad in (torch.randn(1, 7, 12), torch.randn(1, 12, 11)):
        with pytest.raises(RuntimeError):
            TF.fold(bad, (4, 5), 2)
        with pytest.raises(RuntimeError, match="fold"):
            EF.fold(to_ember(bad), (4, 5), 2)


def test_pixel_shuffle_errors():
    for fn, x, r in (("pixel_shuffle", torch.randn(1, 3, 2, 2), 2),
                     ("pixel_unshuffle", torch.randn(1, 1, 3, 4), 2),
                     ("pixel_shuffle", torch.randn(4, 2), 2)):
        with pytest.raises(RuntimeError):
            getattr(TF, fn)(x, r)
        with pytest.raises(RuntimeError, match=fn):
            getattr(EF, fn)(to_ember(x), r)


def test_grad_fn_names_match_torch():
    x = torch.randn(1, 2, 4, 5, requires_grad=True)
    x1 = torch.randn(1, 2, 5, requires_grad=True)
    cases = [(x, lambda F, t: F.pad(t, (1, 1, 1, 1), mode="reflect")),
             (x1, lambda F, t: F.pad(t, (1, 2), mode="replicate")),
             (x, lambda F, t: F.pad(t, (1, 1))),
             (x1, lambda F, t: F.interpolate(t, size=7, mode="linear")),
             (x1, lambda F, t: F.interpolate(t, size=7))]
    cases += [(x, lambda F, t, m=m: F.interpolate(t, size=(3, 7), mode=m))
              for m in ("nearest", "nearest-exact", "bilinear", "bicubic", "area")]
    cases += [(x, lambda F, t: F.adaptive_avg_pool2d(t, 2)),
              (x, lambda F, t: F.max_pool2d(t, 2)),
              (x, lambda F, t: F.conv2d(t, torch.ones(3, 2, 2, 2) if F is TF else
                                        ember.ones(3, 2, 2, 2)))]
    for t, call in cases:
        assert call(EF, to_ember(t)).grad_fn.name() == call(TF, t).grad_fn.name()

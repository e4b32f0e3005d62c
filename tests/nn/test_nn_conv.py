"""Conv and ConvTranspose layers against torch: outputs, input and parameter gradients
(weights copied from torch), reprs, default initialisation, errors, double backward."""
import math

import numpy as np
import pytest
import torch

import ember
from nn_harness import DEVICES, assert_same, check_module, to_ember

CONV_CASES = [
    (lambda nn: nn.Conv1d(3, 4, 3), (2, 3, 9)),
    (lambda nn: nn.Conv1d(4, 6, 2, stride=2, padding=1, dilation=2, groups=2, bias=False),
     (2, 4, 9)),
    (lambda nn: nn.Conv1d(3, 2, 4, padding="same", padding_mode="circular"), (2, 3, 7)),
    (lambda nn: nn.Conv2d(1, 32, 3, padding=1), (4, 1, 8, 8)),
    (lambda nn: nn.Conv2d(4, 6, (3, 2), stride=(2, 1), padding=(1, 0), groups=2), (2, 4, 7, 6)),
    (lambda nn: nn.Conv2d(3, 4, 3, padding=2, padding_mode="reflect"), (1, 3, 5, 6)),
    (lambda nn: nn.Conv2d(3, 4, 3, padding=(1, 2), padding_mode="replicate"), (2, 3, 5, 4)),
    (lambda nn: nn.Conv2d(2, 3, 3, padding="same", dilation=2), (2, 2, 6, 5)),
    (lambda nn: nn.Conv2d(2, 3, 3, padding="valid"), (2, 5, 5)),     # unbatched
    (lambda nn: nn.Conv3d(2, 3, 2, stride=(1, 2, 1), padding=1), (1, 2, 3, 4, 3)),
    (lambda nn: nn.ConvTranspose1d(3, 4, 3, stride=2, output_padding=1), (2, 3, 5)),
    (lambda nn: nn.ConvTranspose2d(4, 6, 3, stride=2, padding=1, groups=2, dilation=(1, 2)),
     (2, 4, 4, 3)),
    (lambda nn: nn.ConvTranspose2d(3, 2, 2, bias=False), (3, 3, 3)),
    (lambda nn: nn.ConvTranspose3d(2, 2, 2, stride=2), (1, 2, 2, 3, 2)),
]


@pytest.mark.parametrize("dtype", [torch.float32, torch.float64])
@pytest.mark.parametrize("make,shape", CONV_CASES)
@pytest.mark.parametrize("device", DEVICES)
def test_conv_layers_match_torch(make, shape, dtype, device):
    e_mod, t_mod, _, _ = check_module(make, [shape], dtype=dtype, device=device)
    assert repr(e_mod) == repr(t_mod)


@pytest.mark.parametrize("device", DEVICES)
def test_conv_transpose_output_size(device):
    x = torch.randn(1, 4, 5, 5)
    check_module(lambda nn: nn.ConvTranspose2d(4, 2, 3, stride=2, padding=1), None,
                 inputs=[x], kwargs={"output_size": [1, 2, 10, 10]}, device=device)
    check_module(lambda nn: nn.ConvTranspose1d(4, 2, 3, stride=3), None,
                 inputs=[torch.randn(2, 4, 3)], kwargs={"output_size": [9]}, device=device)
    e = ember.nn.ConvTranspose2d(4, 2, 3, stride=2, padding=1)
    t = torch.nn.ConvTranspose2d(4, 2, 3, stride=2, padding=1)
    for mod in (e, t):
        inp = to_ember(x) if mod is e else x
        with pytest.raises(ValueError):
            mod(inp, output_size=[12, 12])


@pytest.mark.parametrize("make", [
    lambda nn: nn.Conv2d(2, 4, 3),
    lambda nn: nn.Conv1d(2, 4, 3, padding="same", bias=False, padding_mode="reflect"),
    lambda nn: nn.Conv3d(2, 4, (1, 2, 3), stride=2, padding=(0, 1, 2), dilation=2, groups=2),
    lambda nn: nn.ConvTranspose2d(2, 4, 3, stride=2, output_padding=1, groups=2),
    lambda nn: nn.ConvTranspose1d(2, 4, 3, padding=1, dilation=3),
])
def test_conv_repr_and_shapes(make):
    e, t = make(ember.nn), make(torch.nn)
    assert repr(e) == repr(t)
    assert [(n, tuple(p.shape)) for n, p in e.named_parameters()] == \
        [(n, tuple(p.shape)) for n, p in t.named_parameters()]
    for attr in ("in_channels", "out_channels", "kernel_size", "stride", "padding", "dilation",
                 "transposed", "output_padding", "groups", "padding_mode"):
        assert getattr(e, attr) == getattr(t, attr), attr


def test_default_init_bounds():
    ember.manual_seed(0)
    m = ember.nn.Conv2d(8, 16, 3)
    bound = 1 / math.sqrt(8 * 9)
    w = m.weight.detach().numpy()
    b = m.bias.detach().numpy()
    assert np.abs(w).max() <= bound and np.abs(b).max() <= bound
    # uniform on [-bound, bound]: the spread is close to the bound
    assert np.abs(w).max() > 0.9 * bound
    assert abs(w.std() - bound / math.sqrt(3)) < 0.1 * bound
    t = ember.nn.ConvTranspose2d(8, 4, 3, groups=2)
    assert tuple(t.weight.shape) == (8, 2, 3, 3)
    assert np.abs(t.weight.detach().numpy()).max() <= 1 / math.sqrt(2 * 9)


@pytest.mark.parametrize("kwargs", [dict(groups=0), dict(groups=3), dict(padding="full"),
                                    dict(padding="same", stride=2),
                                    dict(padding_mode="mirror")])
def test_constructor_errors_match_torch(kwargs):
    with pytest.raises(ValueError):
        torch.nn.Conv2d(4, 6, 3, **kwargs)
    with pytest.raises(ValueError):
        ember.nn.Conv2d(4, 6, 3, **kwargs)


def test_shape_errors_name_op_and_shapes():
    x = ember.randn(64, 3, 28, 28)
    with pytest.raises(RuntimeError) as info:
        ember.nn.functional.conv2d(x, ember.randn(32, 1, 3, 3))
    msg = str(info.value)
    assert "conv2d" in msg and "[64, 3, 28, 28]" in msg and "[32, 1, 3, 3]" in msg
    with pytest.raises(RuntimeError, match="conv2d"):
        ember.nn.functional.conv2d(ember.randn(1, 1, 2, 2), ember.randn(1, 1, 3, 3))
    with pytest.raises(RuntimeError, match="conv1d"):
        ember.nn.Conv1d(2, 2, 3)(ember.randn(2, 2, 3, 3))
    with pytest.raises(RuntimeError, match="conv2d"):
        ember.nn.functional.conv2d(ember.randn(1, 1, 4, 4), ember.randn(1, 1, 3, 3).double())


def test_empty_batch_and_batch_one():
    check_module(lambda nn: nn.Conv2d(2, 3, 3, padding=1), [(1, 2, 4, 4)])
    e, t, eo, to = check_module(lambda nn: nn.Conv2d(2, 3, 3), [(0, 2, 4, 4)], grad=False)
    assert tuple(eo.shape) == (0, 3, 2, 2)


def test_noncontiguous_input_and_weight():
    x0, w0 = torch.randn(2, 5, 6, 3), torch.randn(4, 6, 3, 3)
    x = x0.permute(0, 3, 1, 2)                        # channels-last style strides
    w = w0.transpose(0, 1)[:, :3]                     # (6, 3, 3, 3), non-contiguous
    xe = to_ember(x0).permute(0, 3, 1, 2)
    we = to_ember(w0).transpose(0, 1)[:, :3]
    assert not xe.is_contiguous() and not we.is_contiguous()
    assert_same(ember.nn.functional.conv2d(xe, we, stride=2, padding=1),
                torch.nn.functional.conv2d(x, w, stride=2, padding=1))


@pytest.mark.parametrize("fn,wshape,kwargs", [
    ("conv2d", (4, 1, 2, 3), dict(stride=(2, 1), padding=1, dilation=(1, 2), groups=2)),
    ("conv_transpose2d", (2, 2, 2, 2), dict(stride=2, padding=1, output_padding=1, groups=2)),
    ("conv1d", (2, 2, 3), dict(padding="same")),
])
def test_double_backward(fn, wshape, kwargs):
    f = getattr(ember.nn.functional, fn)
    cin = 2 if fn != "conv2d" else 2
    x = ember.randn(1, cin, 4, 5, dtype=ember.float64, requires_grad=True) if "2d" in fn else \
        ember.randn(1, cin, 5, dtype=ember.float64, requires_grad=True)
    w = ember.randn(*wshape, dtype=ember.float64, requires_grad=True)
    b_size = wshape[0] if fn != "conv_transpose2d" else wshape[1] * kwargs.get("groups", 1)
    b = ember.randn(b_size, dtype=ember.float64, requires_grad=True)
    assert ember.autograd.gradgradcheck(lambda x, w, b: f(x, w, b, **kwargs), (x, w, b))


@pytest.mark.parametrize("device", DEVICES)
def test_cnn_block_grads_match_torch(device):
    """The cnn workload's feature extractor on a small batch: values and all gradients."""
    def make(nn):
        return nn.Sequential(nn.Conv2d(1, 8, 3, padding=1), nn.ReLU(), nn.MaxPool2d(2),
                             nn.Conv2d(8, 16, 3, padding=1), nn.ReLU(), nn.MaxPool2d(2))
    check_module(make, [(4, 1, 12, 12)], device=device)

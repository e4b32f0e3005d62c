"""scaled_dot_product_attention and MultiheadAttention against torch."""
import numpy as np
import pytest
import torch

import ember
from nn_harness import DEVICES, assert_same, check_module, to_ember

TF = torch.nn.functional
EF = ember.nn.functional


def _rand(*shape, rg=True, seed=[0]):
    seed[0] += 1
    g = torch.Generator().manual_seed(seed[0])
    return torch.randn(*shape, generator=g).requires_grad_(rg)


def _check_sdpa(q, k, v, mask=None, atol=1e-5, device="cpu", **kw):
    t_out = TF.scaled_dot_product_attention(q, k, v, attn_mask=mask, **kw)
    eq, ek, ev = to_ember([q, k, v], device=device)
    em = to_ember(mask, device=device) if mask is not None else None
    e_out = EF.scaled_dot_product_attention(eq, ek, ev, attn_mask=em, **kw)
    assert_same(e_out, t_out, atol=atol, device=device)
    grad = _rand(*t_out.shape, rg=False)
    t_out.backward(grad)
    e_out.backward(to_ember(grad, device=device))
    pairs = [(eq, q), (ek, k), (ev, v)]
    if mask is not None and mask.requires_grad:
        pairs.append((em, mask))
    for i, (e, t) in enumerate(pairs):
        assert_same(e.grad, t.grad, atol=atol, what=f"grad {i}", device=device)


@pytest.mark.parametrize("mask_kind", [None, "bool", "float", "float_grad", "bool_bcast"])
@pytest.mark.parametrize("device", DEVICES)
def test_sdpa_masks(mask_kind, device):
    q, k, v = _rand(2, 3, 4, 8), _rand(2, 3, 6, 8), _rand(2, 3, 6, 5)
    mask = None
    if mask_kind == "bool":
        mask = torch.rand(2, 3, 4, 6, generator=torch.Generator().manual_seed(3)) > 0.3
    elif mask_kind == "bool_bcast":
        mask = torch.rand(4, 6, generator=torch.Generator().manual_seed(4)) > 0.5
        mask[1] = False    # a fully masked row gives zeros (and zero grads)
    elif mask_kind == "float":
        mask = _rand(3, 1, 6, rg=False)
    elif mask_kind == "float_grad":
        mask = _rand(4, 6)
    _check_sdpa(q, k, v, mask, device=device)


@pytest.mark.parametrize("L,S", [(5, 5), (3, 6), (6, 3)])
@pytest.mark.parametrize("device", DEVICES)
def test_sdpa_causal(L, S, device):
    _check_sdpa(_rand(2, L, 8), _rand(2, S, 8), _rand(2, S, 4), is_causal=True, device=device)


def test_sdpa_scale_unbatched_broadcast():
    _check_sdpa(_rand(4, 8), _rand(6, 8), _rand(6, 3), scale=0.37)
    _check_sdpa(_rand(2, 3, 4, 8), _rand(1, 3, 6, 8), _rand(1, 3, 6, 8))


def test_sdpa_gqa():
    _check_sdpa(_rand(2, 4, 5, 8), _rand(2, 2, 5, 8), _rand(2, 2, 5, 8), enable_gqa=True)
    _check_sdpa(_rand(1, 6, 3, 4), _rand(1, 1, 5, 4), _rand(1, 3, 5, 4), enable_gqa=True,
                is_causal=True)


def test_sdpa_float64_gradcheck():
    q = ember.randn(2, 3, 4, dtype=ember.float64, requires_grad=True)
    k = ember.randn(2, 5, 4, dtype=ember.float64, requires_grad=True)
    v = ember.randn(2, 5, 3, dtype=ember.float64, requires_grad=True)
    m = ember.randn(3, 5, dtype=ember.float64, requires_grad=True)

    def fn(q, k, v, m):
        return EF.scaled_dot_product_attention(q, k, v, attn_mask=m)
    assert ember.autograd.gradcheck(fn, (q, k, v, m))
    assert ember.autograd.gradgradcheck(fn, (q, k, v, m))
    assert ember.autograd.gradgradcheck(
        lambda q, k, v: EF.scaled_dot_product_attention(q, k, v, is_causal=True), (q, k, v))


def test_sdpa_low_precision():
    q, k, v = (_rand(2, 4, 8, rg=False).to(torch.bfloat16) for _ in range(3))
    t_out = TF.scaled_dot_product_attention(q, k, v)
    e_out = EF.scaled_dot_product_attention(*to_ember([q, k, v]))
    assert_same(e_out, t_out, atol=2e-2, rtol=2e-2)


def test_sdpa_dropout():
    ember.manual_seed(0)
    q = ember.randn(2, 4, 16, 8, requires_grad=True)
    out0 = EF.scaled_dot_product_attention(q, q, q)
    ember.manual_seed(1)
    out1 = EF.scaled_dot_product_attention(q, q, q, dropout_p=0.5)
    ember.manual_seed(1)
    out2 = EF.scaled_dot_product_attention(q, q, q, dropout_p=0.5)
    assert ember.equal(out1, out2)
    assert not ember.allclose(out0, out1)
    out1.sum().backward()
    assert q.grad is not None and bool(ember.isfinite(q.grad).all())
    # p = 1 drops everything
    assert float(EF.scaled_dot_product_attention(q, q, q, dropout_p=1.0).detach().abs().sum()) == 0


def test_sdpa_errors():
    q = ember.randn(2, 4, 8)
    with pytest.raises(RuntimeError):
        EF.scaled_dot_product_attention(q, q, q, attn_mask=ember.ones(4, 4, dtype=ember.bool),
                                        is_causal=True)
    with pytest.raises(RuntimeError):
        EF.scaled_dot_product_attention(q, q.double(), q)
    with pytest.raises(RuntimeError):
        EF.scaled_dot_product_attention(q, ember.randn(2, 4, 7), q)
    with pytest.raises(TypeError):
        EF.scaled_dot_product_attention("q", q, q)
    for bad in (ember.randn(2, 4, 4, 8), ember.randn(4, 4, 8)):
        with pytest.raises(RuntimeError):
            EF.scaled_dot_product_attention(ember.randn(2, 3, 4, 8), bad, bad)


# ----------------------------------------------------------------------------------
# MultiheadAttention
# ----------------------------------------------------------------------------------

def _kpm(n, s, as_float=False):
    mask = torch.zeros(n, s, dtype=torch.bool)
    mask[0, -2:] = True
    if as_float:
        return torch.zeros(n, s).masked_fill(mask, float("-inf"))
    return mask


@pytest.mark.parametrize("batch_first", [False, True])
@pytest.mark.parametrize("train", [True, False])
@pytest.mark.parametrize("device", DEVICES)
def test_mha_self_attention(batch_first, train, device):
    x = _rand(2, 5, 8, rg=False) if batch_first else _rand(5, 2, 8, rg=False)
    check_module(lambda nn: nn.MultiheadAttention(8, 2, batch_first=batch_first),
                 None, inputs=[x, x, x], train=train, device=device)


@pytest.mark.parametrize("kwargs", [
    dict(need_weights=False),
    dict(average_attn_weights=False),
    dict(key_padding_mask="bool"),
    dict(key_padding_mask="float", need_weights=False),
    dict(attn_mask="2d_bool"),
    dict(attn_mask="3d_float"),
    dict(attn_mask="2d_bool", key_padding_mask="bool", need_weights=False),
    dict(attn_mask="causal", is_causal=True, need_weights=False),
])
@pytest.mark.parametrize("device", DEVICES)
def test_mha_masks(kwargs, device):
    L, S, N, E, H = 4, 6, 2, 8, 2
    kwargs = dict(kwargs)
    if kwargs.get("key_padding_mask") is not None:
        kwargs["key_padding_mask"] = _kpm(N, S, kwargs["key_padding_mask"] == "float")
    kind = kwargs.get("attn_mask")
    if kind == "2d_bool":
        kwargs["attn_mask"] = torch.rand(L, S, generator=torch.Generator().manual_seed(5)) > 0.7
    elif kind == "3d_float":
        kwargs["attn_mask"] = _rand(N * H, L, S, rg=False)
    elif kind == "causal":
        L = S
        kwargs["attn_mask"] = torch.nn.Transformer.generate_square_subsequent_mask(L)
    q, k, v = _rand(L, N, E, rg=False), _rand(S, N, E, rg=False), _rand(S, N, E, rg=False)
    check_module(lambda nn: nn.MultiheadAttention(E, H), None, inputs=[q, k, v], kwargs=kwargs,
                 device=device)


@pytest.mark.parametrize("opts", [
    dict(kdim=5, vdim=3),
    dict(add_bias_kv=True),
    dict(add_zero_attn=True),
    dict(add_bias_kv=True, add_zero_attn=True, bias=False),
])
def test_mha_options(opts):
    kd, vd = opts.get("kdim", 8), opts.get("vdim", 8)
    q, k, v = _rand(2, 4, 8, rg=False), _rand(2, 6, kd, rg=False), _rand(2, 6, vd, rg=False)
    kwargs = dict(key_padding_mask=_kpm(2, 6), attn_mask=torch.zeros(4, 6, dtype=torch.bool))
    check_module(lambda nn: nn.MultiheadAttention(8, 4, batch_first=True, **opts), None,
                 inputs=[q, k, v], kwargs=kwargs)
    check_module(lambda nn: nn.MultiheadAttention(8, 4, batch_first=True, **opts), None,
                 inputs=[q, k, v], kwargs=dict(need_weights=False))


@pytest.mark.parametrize("need_weights", [True, False])
@pytest.mark.parametrize("device", DEVICES)
def test_mha_unbatched(need_weights, device):
    q, kv = _rand(4, 8, rg=False), _rand(6, 8, rg=False)
    kwargs = dict(key_padding_mask=torch.tensor([0.0] * 5 + [float("-inf")]),
                  attn_mask=_rand(2, 4, 6, rg=False), need_weights=need_weights)
    check_module(lambda nn: nn.MultiheadAttention(8, 2), None, inputs=[q, kv, kv], kwargs=kwargs,
                 device=device)


def test_mha_state_dict_and_init():
    torch_mha = torch.nn.MultiheadAttention(8, 2, add_bias_kv=True, kdim=4, vdim=4)
    ember_mha = ember.nn.MultiheadAttention(8, 2, add_bias_kv=True, kdim=4, vdim=4)
    assert list(ember_mha.state_dict()) == list(torch_mha.state_dict())
    assert float(ember_mha.in_proj_bias.detach().abs().sum()) == 0
    assert float(ember_mha.out_proj.bias.detach().abs().sum()) == 0
    assert type(ember_mha.out_proj).__name__ == type(torch_mha.out_proj).__name__
    bound = (6 / (8 + 8)) ** 0.5
    assert float(ember_mha.q_proj_weight.detach().abs().max()) <= bound


def test_mha_dropout_and_errors():
    mha = ember.nn.MultiheadAttention(8, 2, dropout=0.5)
    x = ember.randn(5, 2, 8)
    ember.manual_seed(0)
    a, _ = mha(x, x, x)
    ember.manual_seed(0)
    b, _ = mha(x, x, x)
    assert ember.equal(a, b)
    mha.eval()
    c, _ = mha(x, x, x)
    d, _ = mha(x, x, x, need_weights=False)
    np.testing.assert_allclose(c.detach().numpy(), d.detach().numpy(), atol=1e-5)
    with pytest.raises(AssertionError):
        ember.nn.MultiheadAttention(8, 3)
    with pytest.raises(RuntimeError):
        mha(x, x, x, attn_mask=ember.zeros(3, 3))
    with pytest.raises(RuntimeError):
        mha(x, x, x, is_causal=True)

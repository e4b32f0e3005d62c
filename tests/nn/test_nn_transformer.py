"""Transformer encoder/decoder layers, stacks and the full Transformer against torch."""
import warnings

import pytest
import torch

import ember
from nn_harness import DEVICES, assert_same, check_module, copy_weights, to_ember

D, H, FF = 8, 2, 16


def _rand(*shape, seed=[100]):
    seed[0] += 1
    return torch.randn(*shape, generator=torch.Generator().manual_seed(seed[0]))


def _act(name):
    if name == "callable":
        return lambda nn: nn.functional.silu if nn is ember.nn else torch.nn.functional.silu
    return lambda nn: name


@pytest.mark.parametrize("norm_first", [False, True])
@pytest.mark.parametrize("activation", ["relu", "gelu", "callable"])
@pytest.mark.parametrize("train", [True, False])
@pytest.mark.parametrize("device", DEVICES)
def test_encoder_layer(norm_first, activation, train, device):
    act = _act(activation)
    x = _rand(2, 5, D)
    kwargs = dict(src_key_padding_mask=torch.tensor([[False] * 4 + [True], [False] * 5]))
    check_module(lambda nn: nn.TransformerEncoderLayer(D, H, FF, dropout=0.0, activation=act(nn),
                                                       batch_first=True, norm_first=norm_first),
                 None, inputs=[x], train=train, kwargs=kwargs, device=device)


def test_encoder_layer_masks_seq_first():
    x = _rand(5, 2, D)
    mask = torch.nn.Transformer.generate_square_subsequent_mask(5)
    for kwargs in (dict(src_mask=mask), dict(src_mask=mask, is_causal=True),
                   dict(src_mask=mask.isinf(), src_key_padding_mask=torch.zeros(2, 5, dtype=torch.bool))):
        check_module(lambda nn: nn.TransformerEncoderLayer(D, H, FF, dropout=0.0), None,
                     inputs=[x], kwargs=kwargs)
    # unbatched
    check_module(lambda nn: nn.TransformerEncoderLayer(D, H, FF, dropout=0.0, bias=False), None,
                 inputs=[_rand(5, D)])


@pytest.mark.parametrize("norm_first", [False, True])
@pytest.mark.parametrize("train", [True, False])
@pytest.mark.parametrize("device", DEVICES)
def test_decoder_layer(norm_first, train, device):
    tgt, mem = _rand(2, 4, D), _rand(2, 6, D)
    kwargs = dict(tgt_mask=torch.nn.Transformer.generate_square_subsequent_mask(4),
                  memory_key_padding_mask=torch.tensor([[False] * 5 + [True], [False] * 6]),
                  tgt_is_causal=True)
    check_module(lambda nn: nn.TransformerDecoderLayer(D, H, FF, dropout=0.0, activation="gelu",
                                                       batch_first=True, norm_first=norm_first),
                 None, inputs=[tgt, mem], train=train, kwargs=kwargs, device=device)


def test_decoder_stack_with_masks():
    tgt, mem = _rand(4, 2, D), _rand(6, 2, D)
    kwargs = dict(tgt_mask=torch.nn.Transformer.generate_square_subsequent_mask(4),
                  memory_mask=_rand(4, 6), tgt_key_padding_mask=torch.zeros(2, 4))

    def make(nn):
        return nn.TransformerDecoder(nn.TransformerDecoderLayer(D, H, FF, dropout=0.0), 2,
                                     norm=nn.LayerNorm(D))
    check_module(make, None, inputs=[tgt, mem], kwargs=kwargs)


@pytest.mark.parametrize("norm_first", [False, True])
def test_encoder_stack(norm_first):
    def make(nn):
        layer = nn.TransformerEncoderLayer(D, H, FF, dropout=0.0, batch_first=True,
                                           norm_first=norm_first)
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            return nn.TransformerEncoder(layer, 2, norm=nn.LayerNorm(D))
    x = _rand(2, 5, D)
    e_mod, t_mod, _, _ = check_module(make, None, inputs=[x], kwargs=dict(
        mask=torch.nn.Transformer.generate_square_subsequent_mask(5)))
    assert list(e_mod.state_dict()) == list(t_mod.state_dict())
    assert "layers.0.self_attn.in_proj_weight" in e_mod.state_dict()


def test_encoder_eval_padding_matches_fast_path():
    """torch's nested-tensor inference path returns zeros at padded positions."""
    torch.manual_seed(0)
    t_mod = torch.nn.TransformerEncoder(
        torch.nn.TransformerEncoderLayer(D, H, FF, dropout=0.0, batch_first=True), 2,
        norm=torch.nn.LayerNorm(D)).eval()
    e_mod = ember.nn.TransformerEncoder(
        ember.nn.TransformerEncoderLayer(D, H, FF, dropout=0.0, batch_first=True), 2,
        norm=ember.nn.LayerNorm(D)).eval()
    copy_weights(e_mod, t_mod)
    x = _rand(3, 5, D)
    kpm = torch.tensor([[False] * 3 + [True] * 2, [False] * 5, [False] * 4 + [True]])
    with torch.no_grad(), warnings.catch_warnings():
        warnings.simplefilter("ignore")
        t_out = t_mod(x, src_key_padding_mask=kpm)
    with ember.no_grad():
        e_out = e_mod(to_ember(x), src_key_padding_mask=to_ember(kpm))
    assert_same(e_out, t_out)
    # with grad recording the plain path runs in both (computed values at padded positions)
    t_out = t_mod(x, src_key_padding_mask=kpm)
    e_out = e_mod(to_ember(x), src_key_padding_mask=to_ember(kpm))
    assert_same(e_out, t_out)


@pytest.mark.parametrize("batch_first", [False, True])
@pytest.mark.parametrize("train", [True, False])
@pytest.mark.parametrize("device", DEVICES)
def test_full_transformer(batch_first, train, device):
    src = _rand(2, 6, D) if batch_first else _rand(6, 2, D)
    tgt = _rand(2, 4, D) if batch_first else _rand(4, 2, D)

    def make(nn):
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            return nn.Transformer(D, H, 2, 1, FF, dropout=0.0, batch_first=batch_first)
    kwargs = dict(tgt_mask=torch.nn.Transformer.generate_square_subsequent_mask(4),
                  src_key_padding_mask=torch.tensor([[False] * 5 + [True], [False] * 6]),
                  memory_key_padding_mask=torch.tensor([[False] * 5 + [True], [False] * 6]))
    e_mod, t_mod, _, _ = check_module(make, None, inputs=[src, tgt], train=train, kwargs=kwargs,
                                      device=device)
    assert list(e_mod.state_dict()) == list(t_mod.state_dict())


def test_transformer_helpers_and_errors():
    e_mask = ember.nn.Transformer.generate_square_subsequent_mask(4)
    assert_same(e_mask, torch.nn.Transformer.generate_square_subsequent_mask(4))
    with pytest.raises(RuntimeError):
        ember.nn.TransformerEncoderLayer(D, H, activation="tanh")
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        model = ember.nn.Transformer(D, H, 1, 1, FF)
    with pytest.raises(RuntimeError):
        model(ember.randn(5, 2, D), ember.randn(4, 3, D))
    with pytest.raises(RuntimeError):
        model(ember.randn(5, 2, D), ember.randn(4, 2, D + 1))
    with pytest.warns(UserWarning):
        ember.nn.TransformerEncoder(ember.nn.TransformerEncoderLayer(D, H), 1)
    # the encoder deep-copies its layer
    layer = ember.nn.TransformerEncoderLayer(D, H, FF, batch_first=True)
    enc = ember.nn.TransformerEncoder(layer, 2)
    assert enc.layers[0] is not layer and enc.layers[0] is not enc.layers[1]
    assert ember.equal(enc.layers[0].linear1.weight, layer.linear1.weight)

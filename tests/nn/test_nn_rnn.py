"""RNN, LSTM, GRU and the cells against torch: outputs, final states and every gradient
(input, initial states, each parameter), with torch's weights copied via load_state_dict."""
import warnings

import numpy as np
import pytest
import torch

import ember
from nn_harness import (DEVICES, assert_same, check_module, copy_weights, to_ember,
                        torch_device)

ATOL, RTOL = 2e-5, 1e-4


def _build(make, dtype=torch.float32, seed=0, device="cpu"):
    torch.manual_seed(seed)
    t_mod = make(torch.nn).to(dtype)
    e_mod = make(ember.nn).to(getattr(ember, str(dtype).split(".")[-1]))
    if device != "cpu":
        e_mod.cuda()      # then load cpu weights: load_state_dict copies them onto cuda
    copy_weights(e_mod, t_mod)
    t_mod.to(torch_device(device))
    return e_mod, t_mod


def _leaves(tree):
    if isinstance(tree, (tuple, list)):
        return [x for item in tree for x in _leaves(item)]
    return [] if tree is None else [tree]


def _out_tensors(out, lib):
    """The differentiable tensors of (output, states); a PackedSequence gives its data."""
    output, states = out
    seq = lib.nn.utils.rnn.PackedSequence
    first = output.data if isinstance(output, seq) else output
    return [first] + _leaves(states)


def run_both(make, x, hx=None, *, lengths=None, enforce_sorted=True, batch_first=False,
             train=False, dtype=torch.float64, atol=ATOL, rtol=RTOL, seed=0, device="cpu"):
    """Forward and backward through torch and ember (ember on ``device``); compare
    everything."""
    e_mod, t_mod = _build(make, dtype, seed, device)
    t_mod.train(train)
    e_mod.train(train)
    td = torch_device(device)
    t_x = x.to(dtype).to(td).detach().requires_grad_(True)
    t_h = None if hx is None else (tuple(h.to(dtype).to(td).detach().requires_grad_(True)
                                         for h in hx)
                                    if isinstance(hx, tuple) else
                                    hx.to(dtype).to(td).detach().requires_grad_(True))
    e_x = to_ember(t_x, device=device)
    e_h = to_ember(t_h, device=device)
    if lengths is not None:
        t_in = torch.nn.utils.rnn.pack_padded_sequence(t_x, lengths, batch_first=batch_first,
                                                       enforce_sorted=enforce_sorted)
        e_in = ember.nn.utils.rnn.pack_padded_sequence(e_x, lengths, batch_first=batch_first,
                                                       enforce_sorted=enforce_sorted)
    else:
        t_in, e_in = t_x, e_x
    t_out = t_mod(t_in, t_h)
    e_out = e_mod(e_in, e_h)
    t_list = _out_tensors(t_out, torch)
    e_list = _out_tensors(e_out, ember)
    assert len(t_list) == len(e_list)
    for k, (ei, ti) in enumerate(zip(e_list, t_list)):
        assert_same(ei, ti, atol, rtol, f"output {k}", device)
    if lengths is not None:
        for name in ("batch_sizes", "sorted_indices", "unsorted_indices"):
            t_val, e_val = getattr(t_out[0], name), getattr(e_out[0], name)
            assert (t_val is None) == (e_val is None), name
            if t_val is not None:
                assert e_val.tolist() == t_val.tolist(), name
    g = torch.Generator().manual_seed(seed + 7)
    t_grads = [torch.randn(t.shape, generator=g, dtype=dtype).to(td) for t in t_list]
    torch.autograd.backward(t_list, t_grads)
    ember.autograd.backward(e_list, [to_ember(gr, device=device) for gr in t_grads])
    for k, (ei, ti) in enumerate(zip(_leaves(e_h) + [e_x], _leaves(t_h) + [t_x])):
        assert ei.grad is not None, f"input {k} got no gradient"
        assert_same(ei.grad, ti.grad, atol, rtol, f"grad of input {k}", device)
    e_params = dict(e_mod.named_parameters())
    for name, tp in t_mod.named_parameters():
        assert e_params[name].grad is not None, name
        assert_same(e_params[name].grad, tp.grad, atol, rtol, f"grad of {name}", device)
    return e_mod, t_mod, e_out, t_out


def _x(*shape, seed=1):
    return torch.randn(*shape, generator=torch.Generator().manual_seed(seed))


MODELS = {
    "rnn_tanh": lambda **kw: (lambda nn: nn.RNN(3, 4, **kw)),
    "rnn_relu": lambda **kw: (lambda nn: nn.RNN(3, 4, nonlinearity="relu", **kw)),
    "lstm": lambda **kw: (lambda nn: nn.LSTM(3, 4, **kw)),
    "gru": lambda **kw: (lambda nn: nn.GRU(3, 4, **kw)),
}

CONFIGS = [
    dict(),
    dict(batch_first=True),
    dict(num_layers=2),
    dict(bidirectional=True),
    dict(num_layers=2, bidirectional=True, bias=False),
    dict(num_layers=2, dropout=0.3),      # eval mode: dropout is off
]


def _states(kind, layers, batch, size=4, proj=0, seed=3, unbatched=False):
    shape = (layers, size if not proj else proj) if unbatched else (layers, batch, proj or size)
    h = _x(*shape, seed=seed)
    if kind != "lstm":
        return h
    cshape = (layers, size) if unbatched else (layers, batch, size)
    return h, _x(*cshape, seed=seed + 1)


@pytest.mark.parametrize("kind", list(MODELS))
@pytest.mark.parametrize("cfg", range(len(CONFIGS)))
@pytest.mark.parametrize("with_state", [False, True])
@pytest.mark.parametrize("device", DEVICES)
def test_layer_batched(kind, cfg, with_state, device):
    kw = CONFIGS[cfg]
    layers = kw.get("num_layers", 1) * (2 if kw.get("bidirectional") else 1)
    x = _x(2, 5, 3) if kw.get("batch_first") else _x(5, 2, 3)
    hx = _states(kind, layers, 2) if with_state else None
    run_both(MODELS[kind](**kw), x, hx, device=device)


@pytest.mark.parametrize("kind", list(MODELS))
@pytest.mark.parametrize("with_state", [False, True])
@pytest.mark.parametrize("device", DEVICES)
def test_layer_unbatched(kind, with_state, device):
    hx = _states(kind, 2, None, unbatched=True) if with_state else None
    _, _, e_out, t_out = run_both(MODELS[kind](num_layers=2), _x(4, 3), hx, device=device)
    assert e_out[0].ndim == 2


@pytest.mark.parametrize("kind", list(MODELS))
@pytest.mark.parametrize("enforce_sorted", [True, False])
@pytest.mark.parametrize("bidirectional", [False, True])
@pytest.mark.parametrize("device", DEVICES)
def test_layer_packed(kind, enforce_sorted, bidirectional, device):
    lengths = [5, 3, 3, 1] if enforce_sorted else [3, 5, 1, 3]
    layers = 2 * (2 if bidirectional else 1)
    hx = _states(kind, layers, 4)
    run_both(MODELS[kind](num_layers=2, bidirectional=bidirectional), _x(5, 4, 3), hx,
             lengths=lengths, enforce_sorted=enforce_sorted, device=device)


@pytest.mark.parametrize("device", DEVICES)
def test_layer_packed_batch_first_no_state(device):
    run_both(MODELS["lstm"](batch_first=True), _x(3, 6, 3), lengths=[2, 6, 4],
             enforce_sorted=False, batch_first=True, device=device)


@pytest.mark.parametrize("cfg", [dict(), dict(num_layers=2, bidirectional=True),
                                 dict(batch_first=True)])
def test_lstm_proj(cfg):
    make = lambda nn: nn.LSTM(3, 5, proj_size=2, **cfg)   # noqa: E731
    layers = cfg.get("num_layers", 1) * (2 if cfg.get("bidirectional") else 1)
    x = _x(2, 4, 3) if cfg.get("batch_first") else _x(4, 2, 3)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")   # torch: "projections not supported with oneDNN"
        run_both(make, x, _states("lstm", layers, 2, size=5, proj=2))
        run_both(make, x)


@pytest.mark.parametrize("device", DEVICES)
def test_lstm_proj_packed(device):
    make = lambda nn: nn.LSTM(3, 5, proj_size=2, bidirectional=True)   # noqa: E731
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        run_both(make, _x(4, 3, 3), _states("lstm", 2, 3, size=5, proj=2),
                 lengths=[2, 4, 1], enforce_sorted=False, device=device)


def test_float32_matches():
    run_both(MODELS["lstm"](num_layers=2), _x(6, 3, 3), dtype=torch.float32, atol=1e-5)
    run_both(MODELS["gru"](bidirectional=True), _x(6, 3, 3), dtype=torch.float32, atol=1e-5)


def test_dropout_train_mode_shapes_and_reproducible():
    m = ember.nn.GRU(3, 4, num_layers=3, dropout=0.5)
    x = ember.randn(5, 2, 3)
    ember.manual_seed(0)
    a, ha = m(x)
    ember.manual_seed(0)
    b, hb = m(x)
    assert tuple(a.shape) == (5, 2, 4) and tuple(ha.shape) == (3, 2, 4)
    same = lambda u, v: np.array_equal(u.detach().numpy(), v.detach().numpy())   # noqa: E731
    assert same(a, b) and same(ha, hb)
    m.eval()
    c, _ = m(x)
    d, _ = m(x)
    assert same(c, d)
    assert not same(a, c)   # dropout was active in training mode


def test_names_init_repr_and_helpers():
    for make in (lambda nn: nn.LSTM(10, 20, proj_size=5, num_layers=2, bidirectional=True),
                 lambda nn: nn.GRU(3, 4, batch_first=True, bias=False, num_layers=2,
                                   dropout=0.5),
                 lambda nn: nn.RNN(3, 4, nonlinearity="relu"),
                 lambda nn: nn.LSTMCell(3, 4), lambda nn: nn.RNNCell(3, 4, False, "relu"),
                 lambda nn: nn.GRUCell(3, 4)):
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            t_mod, e_mod = make(torch.nn), make(ember.nn)
        assert repr(e_mod) == repr(t_mod)
        t_names = [(n, tuple(p.shape)) for n, p in t_mod.named_parameters()]
        assert [(n, tuple(p.shape)) for n, p in e_mod.named_parameters()] == t_names
    m = ember.nn.LSTM(10, 16, num_layers=2)
    bound = 1 / 4
    for p in m.parameters():
        top = float(p.detach().abs().max())
        assert bound * 0.5 < top <= bound   # really drawn from U(-b, b)
    assert m.flatten_parameters() is None
    t = torch.nn.LSTM(10, 16, num_layers=2)
    assert [[tuple(w.shape) for w in ws] for ws in m.all_weights] == \
        [[tuple(w.shape) for w in ws] for ws in t.all_weights]
    assert len(m._flat_weights) == len(t._flat_weights)


def test_errors():
    def both(make, *args):
        errors = []
        for lib in (torch, ember):
            conv = (lambda a: a) if lib is torch else to_ember
            with pytest.raises(Exception) as info:
                make(lib.nn)(*[conv(a) for a in args])
            errors.append(info.type)
        assert errors[0] is errors[1], errors

    both(lambda nn: nn.GRU(10, 20), torch.randn(2, 3, 7))
    both(lambda nn: nn.GRU(10, 20), torch.randn(2, 3, 10), torch.randn(1, 2, 20))
    both(lambda nn: nn.GRU(10, 20), torch.randn(2, 10), torch.randn(1, 2, 20))
    both(lambda nn: nn.GRU(10, 20), torch.randn(2, 3, 3, 10))
    both(lambda nn: nn.LSTM(10, 20), torch.randn(2, 3, 10),
         (torch.randn(1, 2, 20), torch.randn(1, 3, 20)))
    both(lambda nn: nn.LSTM(10, 20), torch.randn(2, 3, 10),
         (torch.randn(1, 3, 20), torch.randn(1, 2, 20)))
    both(lambda nn: nn.LSTMCell(10, 20), torch.randn(3, 7))
    both(lambda nn: nn.LSTMCell(10, 20), torch.randn(3, 10),
         (torch.randn(2, 20), torch.randn(2, 20)))
    both(lambda nn: nn.GRUCell(10, 20), torch.randn(3, 3, 10))
    with pytest.raises(RuntimeError, match="Expected 10, got 7"):
        ember.nn.LSTM(10, 20)(ember.randn(2, 3, 7))
    with pytest.raises(RuntimeError, match=r"\(1, 3, 20\)"):
        ember.nn.GRU(10, 20)(ember.randn(2, 3, 10), ember.randn(1, 2, 20))
    for kwargs in (dict(proj_size=20), dict(proj_size=-1), dict(dropout=2.0)):
        with pytest.raises(ValueError):
            ember.nn.LSTM(10, 20, **kwargs)
    with pytest.raises(ValueError):
        ember.nn.GRU(10, 20, proj_size=3)


CELLS = {
    "rnn": lambda nn: nn.RNNCell(3, 4),
    "rnn_relu_nobias": lambda nn: nn.RNNCell(3, 4, bias=False, nonlinearity="relu"),
    "lstm": lambda nn: nn.LSTMCell(3, 4),
    "gru": lambda nn: nn.GRUCell(3, 4),
    "gru_nobias": lambda nn: nn.GRUCell(3, 4, bias=False),
}


@pytest.mark.parametrize("name", list(CELLS))
@pytest.mark.parametrize("batched", [True, False])
@pytest.mark.parametrize("device", DEVICES)
def test_cells(name, batched, device):
    lead = (2,) if batched else ()
    g = torch.Generator().manual_seed(5)
    x = torch.randn(lead + (3,), generator=g, dtype=torch.float64)
    h = torch.randn(lead + (4,), generator=g, dtype=torch.float64)
    if name == "lstm":
        c = torch.randn(lead + (4,), generator=g, dtype=torch.float64)
        e_mod, t_mod = _build(CELLS[name], torch.float64)
        t_in = [x.requires_grad_(), h.requires_grad_(), c.requires_grad_()]
        e_in = to_ember(t_in)
        t_h, t_c = t_mod(t_in[0], (t_in[1], t_in[2]))
        e_h, e_c = e_mod(e_in[0], (e_in[1], e_in[2]))
        assert_same(e_h, t_h)
        assert_same(e_c, t_c)
        (t_h.sum() * 2 + (t_c * t_c).sum()).backward()
        (e_h.sum() * 2 + (e_c * e_c).sum()).backward()
        for ei, ti in zip(e_in, t_in):
            assert_same(ei.grad, ti.grad, what="input grad")
        e_params = dict(e_mod.named_parameters())
        for n, p in t_mod.named_parameters():
            assert_same(e_params[n].grad, p.grad, what=n)
        # zero states when none are given
        check_module(CELLS[name], [lead + (3,)], dtype=torch.float64, device=device)
    else:
        check_module(CELLS[name], [lead + (3,), lead + (4,)], dtype=torch.float64, device=device)
        check_module(CELLS[name], [lead + (3,)], dtype=torch.float64, device=device)


def test_double_backward():
    for make in (MODELS["lstm"](), MODELS["gru"](), MODELS["rnn_tanh"]()):
        e_mod, t_mod = _build(make, torch.float64)
        t_x = _x(3, 2, 3).double().requires_grad_(True)
        e_x = to_ember(t_x)
        results = []
        for lib, mod, x in ((torch, t_mod, t_x), (ember, e_mod, e_x)):
            out = mod(x)[0]
            (g,) = lib.autograd.grad((out * out).sum(), x, create_graph=True)
            (gg,) = lib.autograd.grad((g * g).sum(), x)
            results.append((g, gg))
        assert_same(results[1][0], results[0][0])
        assert_same(results[1][1], results[0][1], atol=1e-6)


def test_one_node_per_layer():
    """The time loop is one graph node, whatever the length."""
    m = ember.nn.LSTM(3, 4)
    out, _ = m(ember.randn(30, 2, 3))
    node = out.grad_fn
    while type(node).__name__ == "ViewBackward0":   # the (T*B, H) -> (T, B, H) reshape
        node = node.next_functions[0][0]
    assert type(node).__name__ == "RnnLayerBackward0"
    inputs = [fn for fn, _ in node.next_functions if fn is not None]
    # the input projection (F.linear) and the leaves W_hh, b_hh
    assert len(inputs) == 3

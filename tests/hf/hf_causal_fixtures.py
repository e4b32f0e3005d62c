"""Small random-weight GPT-2 and Llama checkpoints made with ``transformers`` (test-only,
torch CPU), shared by test_hf_gpt2_llama.py and test_hf_generate.py."""

import json
import os

import numpy as np
import pytest

torch = pytest.importorskip("torch")
transformers = pytest.importorskip("transformers")

VOCAB = 100


@pytest.fixture(scope="module", autouse=True)
def torch_one_thread():
    """torch on one thread: these models are tiny, and on a loaded machine torch's thread
    pool made transformers' generate 100x slower."""
    saved = torch.get_num_threads()
    torch.set_num_threads(1)
    yield
    torch.set_num_threads(saved)

LLAMA3_ROPE = {"rope_type": "llama3", "factor": 8.0, "low_freq_factor": 1.0,
               "high_freq_factor": 4.0, "original_max_position_embeddings": 16}


def reference_config(kind):
    """transformers config of a variant: gpt2, llama (GQA, untied, llama3 rope) or
    llama_tied (tied, linear rope, biases, 2 kv heads of 4)."""
    T = transformers
    if kind == "gpt2":
        # larger init than the default 0.02, so greedy decoding does not just repeat
        return T.GPT2Config(n_layer=2, n_embd=32, n_head=4, vocab_size=VOCAB, n_positions=64,
                            initializer_range=0.2, bos_token_id=1, eos_token_id=2)
    common = dict(vocab_size=VOCAB, hidden_size=32, intermediate_size=64, num_hidden_layers=2,
                  num_attention_heads=4, num_key_value_heads=2, initializer_range=0.2,
                  max_position_embeddings=128, bos_token_id=1, eos_token_id=2)
    if kind == "llama":
        return T.LlamaConfig(rope_scaling=dict(LLAMA3_ROPE), tie_word_embeddings=False,
                             rope_theta=500.0, **common)
    if kind == "llama_tied":
        common["num_key_value_heads"] = 1
        return T.LlamaConfig(rope_scaling={"type": "linear", "factor": 2.0},
                             tie_word_embeddings=True, attention_bias=True, mlp_bias=True,
                             **common)
    raise ValueError(kind)


def reference_model(kind, seed=0):
    torch.manual_seed(seed)
    cfg = reference_config(kind)
    cls = transformers.GPT2LMHeadModel if kind == "gpt2" else transformers.LlamaForCausalLM
    model = cls(cfg).eval()
    if kind != "gpt2":
        # non-trivial norm weights, so a wrong RMSNorm would show
        with torch.no_grad():
            for name, p in model.named_parameters():
                if "norm" in name:
                    p.add_(0.3 * torch.randn_like(p))
    return model


def save_checkpoint(model, folder, fmt):
    """``save_pretrained`` (safetensors), or a torch .bin like older transformers wrote:
    tied weights left out, GPT-2's causal-mask buffers and Llama's rotary ``inv_freq``
    in.  fmt "hub_bin": GPT-2 as the original hub checkpoint, without the
    ``transformer.`` prefix."""
    os.makedirs(folder, exist_ok=True)
    if fmt == "safetensors":
        model.save_pretrained(folder)
        return folder
    model.config.save_pretrained(folder)
    sd = dict(model.state_dict())
    if model.config.tie_word_embeddings:
        sd.pop("lm_head.weight", None)
    if model.config.model_type == "llama":
        for i in range(model.config.num_hidden_layers):
            sd[f"model.layers.{i}.self_attn.rotary_emb.inv_freq"] = torch.ones(4)
    if model.config.model_type == "gpt2":
        n = model.config.n_positions
        for i in range(model.config.n_layer):
            sd[f"transformer.h.{i}.attn.bias"] = torch.tril(torch.ones(n, n, dtype=torch.bool))[
                None, None]
            sd[f"transformer.h.{i}.attn.masked_bias"] = torch.tensor(-1e4)
    if fmt == "hub_bin":
        sd = {k.replace("transformer.", "", 1): v for k, v in sd.items()}
    torch.save({k: v.contiguous() for k, v in sd.items()},
               os.path.join(folder, "pytorch_model.bin"))
    assert "pytorch_model.bin" in os.listdir(folder)
    with open(os.path.join(folder, "config.json")) as f:
        assert json.load(f)["model_type"] == model.config.model_type
    return folder


def left_padded_batch(seed=0, batch=3, length=7, pads=(0, 2, 5)):
    g = np.random.default_rng(seed)
    ids = g.integers(3, VOCAB, size=(batch, length)).astype(np.int64)
    mask = np.ones((batch, length), dtype=np.int64)
    for row, p in enumerate(pads[:batch]):
        mask[row, :p] = 0
        ids[row, :p] = 0
    return ids, mask


def positions(mask):
    pos = np.cumsum(mask, -1) - 1
    pos[mask == 0] = 1
    return pos

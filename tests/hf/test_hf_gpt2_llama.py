"""GPT-2 and Llama in ember.hf against transformers (torch CPU): checkpoints saved by
transformers load strictly, logits and hidden states agree on batched left-padded input,
the KV cache changes nothing, greedy generation agrees token for token, and loading never
imports torch."""

import os
import subprocess
import sys
import textwrap

import numpy as np
import pytest

from hf_causal_fixtures import (left_padded_batch, positions, reference_model,  # noqa: F401
                                save_checkpoint, torch, torch_one_thread)

import ember
import ember.hf as H

KINDS = ["gpt2", "llama", "llama_tied"]
TOL = 1e-4


@pytest.fixture(scope="module")
def checkpoints(tmp_path_factory):
    """(kind, fmt) -> (reference model, folder)."""
    out = {}
    root = tmp_path_factory.mktemp("causal")
    for kind in KINDS:
        ref = reference_model(kind)
        for fmt in ("safetensors", "bin"):
            out[kind, fmt] = ref, save_checkpoint(ref, str(root / f"{kind}_{fmt}"), fmt)
    return out


def _e(a):
    return ember.from_numpy(np.ascontiguousarray(a))


def _np(t):
    return t.detach().numpy()


@pytest.mark.parametrize("fmt", ["safetensors", "bin"])
@pytest.mark.parametrize("kind", KINDS)
def test_logits_match_transformers_left_padded(checkpoints, kind, fmt):
    ref, folder = checkpoints[kind, fmt]
    model = H.AutoModelForCausalLM.from_pretrained(folder)
    assert type(model).__name__ == type(ref).__name__
    assert not model.training
    ids, mask = left_padded_batch()
    pos = positions(mask)
    with torch.no_grad():
        expected = ref(input_ids=torch.from_numpy(ids), attention_mask=torch.from_numpy(mask),
                       position_ids=torch.from_numpy(pos), output_hidden_states=True)
    with ember.no_grad():
        got = model(input_ids=_e(ids), attention_mask=_e(mask), position_ids=_e(pos),
                    output_hidden_states=True)
    real = mask.astype(bool)
    assert got.logits.shape == tuple(expected.logits.shape)
    diff = np.abs(_np(got.logits) - expected.logits.numpy())[real]
    assert diff.max() <= TOL, diff.max()
    assert len(got.hidden_states) == len(expected.hidden_states)
    for mine, theirs in zip(got.hidden_states, expected.hidden_states):
        assert np.abs(_np(mine) - theirs.numpy())[real].max() <= TOL
    assert len(got.past_key_values) == ref.config.num_hidden_layers


@pytest.mark.parametrize("kind", KINDS)
def test_default_positions_and_base_model(checkpoints, kind):
    ref, folder = checkpoints[kind, "safetensors"]
    ids, _ = left_padded_batch(seed=1, pads=(0, 0, 0))
    base = H.AutoModel.from_pretrained(folder)
    assert type(base).__name__ == ("GPT2Model" if kind == "gpt2" else "LlamaModel")
    with torch.no_grad():
        expected = ref(input_ids=torch.from_numpy(ids), output_hidden_states=True)
    with ember.no_grad():
        got = base(_e(ids))
    np.testing.assert_allclose(_np(got.last_hidden_state), expected.hidden_states[-1].numpy(),
                               atol=TOL, rtol=0)


def test_gpt2_hub_layout_without_prefix(checkpoints, tmp_path):
    """The original gpt2 checkpoint has base-model names (``h.0.attn.c_attn.weight``) and
    the causal-mask buffers; both model classes load it."""
    ref = checkpoints["gpt2", "bin"][0]
    folder = save_checkpoint(ref, str(tmp_path / "hub"), "hub_bin")
    ids, _ = left_padded_batch(seed=8, pads=(0, 0, 0))
    with torch.no_grad():
        expected = ref(torch.from_numpy(ids)).logits.numpy()
    model = H.GPT2LMHeadModel.from_pretrained(folder)
    with ember.no_grad():
        got = _np(model(_e(ids)).logits)
    assert np.abs(got - expected).max() <= TOL
    assert type(H.AutoModel.from_pretrained(folder)).__name__ == "GPT2Model"


def test_tied_and_untied_heads(checkpoints):
    gpt2 = H.AutoModelForCausalLM.from_pretrained(checkpoints["gpt2", "bin"][1])
    assert gpt2.lm_head.weight is gpt2.transformer.wte.weight
    tied = H.AutoModelForCausalLM.from_pretrained(checkpoints["llama_tied", "safetensors"][1])
    assert tied.lm_head.weight is tied.model.embed_tokens.weight
    untied = H.AutoModelForCausalLM.from_pretrained(checkpoints["llama", "safetensors"][1])
    assert untied.lm_head.weight is not untied.model.embed_tokens.weight
    ref = checkpoints["llama", "safetensors"][0]
    np.testing.assert_array_equal(_np(untied.lm_head.weight), ref.lm_head.weight.detach().numpy())


def test_missing_untied_head_is_an_error(checkpoints, tmp_path):
    from safetensors.numpy import load_file, save_file
    folder = checkpoints["llama", "safetensors"][1]
    sd = load_file(os.path.join(folder, "model.safetensors"))
    del sd["lm_head.weight"]
    save_file(sd, str(tmp_path / "model.safetensors"))
    with open(os.path.join(folder, "config.json")) as f:
        (tmp_path / "config.json").write_text(f.read())
    with pytest.raises(RuntimeError, match="lm_head"):
        H.AutoModelForCausalLM.from_pretrained(str(tmp_path))


@pytest.mark.parametrize("kind", KINDS)
def test_kv_cache_equals_uncached(checkpoints, kind):
    model = H.AutoModelForCausalLM.from_pretrained(checkpoints[kind, "safetensors"][1])
    ids, mask = left_padded_batch(seed=2, length=9, pads=(0, 3, 6))
    pos = positions(mask)
    with ember.no_grad():
        full = _np(model(_e(ids), attention_mask=_e(mask), position_ids=_e(pos)).logits)
        prompt = 5
        out = model(_e(ids[:, :prompt]), attention_mask=_e(mask[:, :prompt]),
                    position_ids=_e(pos[:, :prompt]), use_cache=True)
        steps = [_np(out.logits)]
        past = out.past_key_values
        for t in range(prompt, ids.shape[1]):
            out = model(_e(ids[:, t:t + 1]), attention_mask=_e(mask[:, :t + 1]),
                        position_ids=_e(pos[:, t:t + 1]), past_key_values=past, use_cache=True)
            assert out.logits.shape[1] == 1  # one new token per step
            past = out.past_key_values
            steps.append(_np(out.logits))
    assert past.get_seq_length() == ids.shape[1]
    cached = np.concatenate(steps, axis=1)
    real = mask.astype(bool)
    assert np.abs(cached - full)[real].max() <= 1e-5


@pytest.mark.parametrize("kind", KINDS)
def test_greedy_generation_matches_transformers_float64(checkpoints, kind):
    ref, folder = checkpoints[kind, "safetensors"]
    ref64 = reference_model(kind).double()
    model = H.AutoModelForCausalLM.from_pretrained(folder, torch_dtype="float64")
    assert model.dtype == ember.float64
    ids, mask = left_padded_batch(seed=3)
    with torch.no_grad():
        expected = ref64.generate(torch.from_numpy(ids), attention_mask=torch.from_numpy(mask),
                                  max_new_tokens=10, do_sample=False, pad_token_id=0,
                                  eos_token_id=None)
    got = model.generate(_e(ids), attention_mask=_e(mask), max_new_tokens=10, pad_token_id=0,
                         eos_token_id=None)
    np.testing.assert_array_equal(got.numpy(), expected.numpy())
    assert got.shape == (3, ids.shape[1] + 10)
    assert len(np.unique(got.numpy()[:, ids.shape[1]:])) > 3  # not a degenerate repeat


@pytest.mark.parametrize("kind", ["gpt2", "llama"])
def test_greedy_with_eos_matches_transformers(checkpoints, kind):
    """Sequences stop at eos and are filled with the pad token; the length is the one
    transformers returns."""
    ref, folder = checkpoints[kind, "safetensors"]
    model = H.AutoModelForCausalLM.from_pretrained(folder)
    ids, mask = left_padded_batch(seed=4)
    with torch.no_grad():
        free = ref.generate(torch.from_numpy(ids), attention_mask=torch.from_numpy(mask),
                            max_new_tokens=8, do_sample=False, pad_token_id=0, eos_token_id=None)
    # the token row 0 produces at its third step becomes the eos token
    eos = int(free[0, ids.shape[1] + 2])
    with torch.no_grad():
        expected = ref.generate(torch.from_numpy(ids), attention_mask=torch.from_numpy(mask),
                                max_new_tokens=8, do_sample=False, pad_token_id=0,
                                eos_token_id=eos)
    got = model.generate(_e(ids), attention_mask=_e(mask), max_new_tokens=8, pad_token_id=0,
                         eos_token_id=eos)
    np.testing.assert_array_equal(got.numpy(), expected.numpy())


@pytest.mark.parametrize("kind", KINDS)
def test_batched_left_padded_equals_unbatched(checkpoints, kind):
    model = H.AutoModelForCausalLM.from_pretrained(checkpoints[kind, "safetensors"][1],
                                                   dtype="float64")
    ids, mask = left_padded_batch(seed=5)
    batched = model.generate(_e(ids), attention_mask=_e(mask), max_new_tokens=8,
                             eos_token_id=None, pad_token_id=0).numpy()
    for row in range(ids.shape[0]):
        prompt = ids[row][mask[row] == 1][None]
        alone = model.generate(_e(prompt), max_new_tokens=8, eos_token_id=None).numpy()
        np.testing.assert_array_equal(batched[row, ids.shape[1]:], alone[0, prompt.shape[1]:])


def test_half_precision_loads(checkpoints):
    folder = checkpoints["llama", "safetensors"][1]
    for dtype in ("float16", "bfloat16"):
        model = H.AutoModelForCausalLM.from_pretrained(folder, torch_dtype=dtype)
        assert model.dtype == getattr(ember, dtype)
        ids, _ = left_padded_batch(seed=6, pads=(0, 0, 0))
        with ember.no_grad():
            logits = model(_e(ids)).logits
        assert logits.dtype == getattr(ember, dtype)
        assert np.isfinite(logits.float().numpy()).all()


def test_loss_matches_transformers(checkpoints):
    ref, folder = checkpoints["gpt2", "safetensors"]
    model = H.AutoModelForCausalLM.from_pretrained(folder)
    ids, _ = left_padded_batch(seed=7, pads=(0, 0, 0))
    with torch.no_grad():
        expected = ref(torch.from_numpy(ids), labels=torch.from_numpy(ids)).loss.item()
    got = model(_e(ids), labels=_e(ids)).loss
    assert abs(got.item() - expected) <= 1e-5
    got.backward()
    assert model.transformer.wte.weight.grad is not None


@pytest.mark.parametrize("fmt", ["safetensors", "bin"])
def test_loading_never_imports_torch(checkpoints, fmt):
    folders = [checkpoints[kind, fmt][1] for kind in KINDS]
    code = textwrap.dedent(f"""
        import sys
        sys.modules["torch"] = None  # any "import torch" now raises ImportError
        import ember, ember.hf
        for folder in {folders!r}:
            model = ember.hf.AutoModelForCausalLM.from_pretrained(folder)
            out = model.generate(ember.tensor([[5, 6, 7]]), max_new_tokens=2)
            assert out.shape == (1, 5), out.shape
        assert sys.modules["torch"] is None
        print("ok")
    """)
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                            timeout=120)
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip().endswith("ok")


@pytest.mark.parametrize("scaling", [
    None,
    {"type": "linear", "factor": 4.0},
    {"rope_type": "llama3", "factor": 32.0, "low_freq_factor": 1.0, "high_freq_factor": 4.0,
     "original_max_position_embeddings": 8192},
])
def test_rope_frequencies_from_legacy_config_keys(scaling):
    """Configs written before transformers 5 (``rope_scaling`` + top-level ``rope_theta``)
    give the frequencies transformers computes."""
    import transformers
    from ember.hf.rope import rope_inv_freq
    kwargs = dict(hidden_size=256, num_attention_heads=2, num_hidden_layers=1, vocab_size=10,
                  intermediate_size=8, rope_theta=500000.0, rope_scaling=scaling)
    ref = transformers.LlamaModel(transformers.LlamaConfig(**kwargs))
    inv_freq, factor = rope_inv_freq(H.LlamaConfig(**kwargs))
    np.testing.assert_allclose(inv_freq, ref.rotary_emb.inv_freq.numpy(), rtol=1e-6, atol=0)
    assert factor == ref.rotary_emb.attention_scaling


@pytest.mark.parametrize("kind", ["gpt2", "llama"])
def test_output_attentions_match_eager_transformers(checkpoints, kind):
    ref, folder = checkpoints[kind, "safetensors"]
    saved = ref.config._attn_implementation
    ref.config._attn_implementation = "eager"  # transformers returns weights only eagerly
    model = H.AutoModelForCausalLM.from_pretrained(folder)
    ids, mask = left_padded_batch(seed=9)
    pos = positions(mask)
    try:
        with torch.no_grad():
            expected = ref(input_ids=torch.from_numpy(ids), attention_mask=torch.from_numpy(mask),
                           position_ids=torch.from_numpy(pos), output_attentions=True)
    finally:
        ref.config._attn_implementation = saved
    with ember.no_grad():
        got = model(_e(ids), attention_mask=_e(mask), position_ids=_e(pos),
                    output_attentions=True)
    real = mask.astype(bool)
    assert np.abs(_np(got.logits) - expected.logits.numpy())[real].max() <= TOL
    assert len(got.attentions) == len(expected.attentions) == 2
    for mine, theirs in zip(got.attentions, expected.attentions):
        assert mine.shape == tuple(theirs.shape)
        rows = real[:, None, :, None]  # queries at real tokens
        assert np.abs(np.where(rows, _np(mine) - theirs.numpy(), 0)).max() <= 1e-5

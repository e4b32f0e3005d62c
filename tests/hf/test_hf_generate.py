"""ember.hf's generate: logits warpers against transformers', sampling that respects
top-k and top-p over many draws, sampled frequencies, seeds, eos/pad handling, the cache."""

import numpy as np
import pytest

from hf_causal_fixtures import (reference_model, save_checkpoint, torch,  # noqa: F401
                                torch_one_thread)

import ember
import ember.hf as H
from ember.hf.generation import (DynamicCache, TemperatureLogitsWarper, TopKLogitsWarper,
                                 TopPLogitsWarper, causal_attention_mask,
                                 positions_from_attention_mask)


@pytest.fixture(scope="module")
def models(tmp_path_factory):
    root = tmp_path_factory.mktemp("gen")
    out = {}
    for kind in ("gpt2", "llama"):
        folder = save_checkpoint(reference_model(kind, seed=1), str(root / kind), "safetensors")
        out[kind] = H.AutoModelForCausalLM.from_pretrained(folder, torch_dtype="float64")
    return out


def _scores(seed, shape=(4, 50)):
    g = np.random.default_rng(seed)
    s = g.standard_normal(shape).astype(np.float32) * 3
    s[0, :5] = s[0, 5]  # ties at a cut
    return s


@pytest.mark.parametrize("top_k", [1, 5, 17, 50, 80])
def test_top_k_warper_matches_transformers(top_k):
    from transformers.generation.logits_process import TopKLogitsWarper as Ref
    scores = _scores(top_k)
    expected = Ref(top_k)(None, torch.from_numpy(scores.copy())).numpy()
    np.testing.assert_array_equal(TopKLogitsWarper(top_k)(None, scores), expected)


@pytest.mark.parametrize("top_p", [0.0, 0.1, 0.5, 0.9, 0.99, 1.0])
def test_top_p_warper_matches_transformers(top_p):
    from transformers.generation.logits_process import TopPLogitsWarper as Ref
    scores = _scores(int(top_p * 100))
    expected = Ref(top_p)(None, torch.from_numpy(scores.copy())).numpy()
    got = TopPLogitsWarper(top_p)(None, scores)
    np.testing.assert_array_equal(np.isinf(got), np.isinf(expected))
    assert np.isfinite(got).sum(-1).min() >= 1  # at least one token kept


def test_temperature_warper_matches_transformers():
    from transformers.generation.logits_process import TemperatureLogitsWarper as Ref
    scores = _scores(0)
    expected = Ref(0.7)(None, torch.from_numpy(scores.copy())).numpy()
    np.testing.assert_allclose(TemperatureLogitsWarper(0.7)(None, scores), expected, rtol=1e-6)
    with pytest.raises(ValueError):
        TemperatureLogitsWarper(0.0)


def _sample_and_rescore(model, prompt, rows, steps, **kwargs):
    """Sample ``rows`` continuations of one prompt, then the logits before each new token
    (one uncached forward over the result)."""
    ids = ember.from_numpy(np.repeat(np.asarray([prompt], dtype=np.int64), rows, axis=0))
    out = model.generate(ids, do_sample=True, max_new_tokens=steps, eos_token_id=None,
                         **kwargs).numpy()
    assert out.shape == (rows, len(prompt) + steps)
    with ember.no_grad():
        logits = model(ember.from_numpy(out)).logits.numpy()
    new = out[:, len(prompt):]
    before = logits[:, len(prompt) - 1:-1, :]  # logits that produced each new token
    return new, before


@pytest.mark.parametrize("kind", ["gpt2", "llama"])
def test_sampling_respects_top_k(models, kind):
    k = 4
    new, before = _sample_and_rescore(models[kind], [5, 17, 42], rows=200, steps=4, top_k=k,
                                      temperature=1.5, seed=0)
    kth = -np.partition(-before, k - 1, axis=-1)[..., k - 1]
    chosen = np.take_along_axis(before, new[..., None], axis=-1)[..., 0]
    assert (chosen >= kth - 1e-9).all()
    # sampling, not greedy: the first step used all k candidates over 200 draws
    assert len(np.unique(new[:, 0])) == k


@pytest.mark.parametrize("kind", ["gpt2", "llama"])
def test_sampling_respects_top_p(models, kind):
    top_p, temperature = 0.6, 0.8
    new, before = _sample_and_rescore(models[kind], [7, 3, 99, 12], rows=200, steps=4,
                                      top_p=top_p, top_k=0, temperature=temperature, seed=1)
    scores = before / temperature
    probs = np.exp(scores - scores.max(-1, keepdims=True))
    probs /= probs.sum(-1, keepdims=True)
    chosen = np.take_along_axis(probs, new[..., None], axis=-1)[..., 0]
    # a token is in the nucleus iff the mass of tokens strictly more likely is < top_p
    mass_above = np.where(probs > chosen[..., None], probs, 0).sum(-1)
    assert (mass_above < top_p + 1e-9).all()
    assert len(np.unique(new[:, 0])) > 1


def test_sampled_frequencies_follow_the_softmax(models):
    model = models["llama"]
    rows = 3000
    new, before = _sample_and_rescore(model, [9, 8], rows=rows, steps=1, top_k=0, seed=2)
    probs = np.exp(before[0, 0] - before[0, 0].max())
    probs /= probs.sum()
    counts = np.bincount(new[:, 0], minlength=probs.size)
    # every bin within 5 standard deviations of its binomial expectation
    sd = np.sqrt(rows * probs * (1 - probs)) + 1e-12
    assert (np.abs(counts - rows * probs) <= 5 * sd + 1).all()


def test_seed_and_generator_reproducible(models):
    model = models["gpt2"]
    ids = ember.tensor([[4, 8, 15, 16, 23]])
    a = model.generate(ids, do_sample=True, max_new_tokens=6, seed=123).numpy()
    b = model.generate(ids, do_sample=True, max_new_tokens=6, seed=123).numpy()
    np.testing.assert_array_equal(a, b)
    g1 = ember.Generator().manual_seed(7)
    g2 = ember.Generator().manual_seed(7)
    np.testing.assert_array_equal(
        model.generate(ids, do_sample=True, max_new_tokens=6, generator=g1).numpy(),
        model.generate(ids, do_sample=True, max_new_tokens=6, generator=g2).numpy())


def test_eos_stops_each_sequence_and_pads(models):
    model = models["llama"]
    ids = ember.tensor([[5, 6, 7], [8, 9, 10]])
    free = model.generate(ids, max_new_tokens=6, eos_token_id=None).numpy()
    eos = int(free[0, 4])  # row 0's second new token
    out = model.generate(ids, max_new_tokens=6, eos_token_id=eos, pad_token_id=0).numpy()
    row0 = out[0, 3:]
    stop = list(row0).index(eos)
    assert (row0[stop + 1:] == 0).all()
    np.testing.assert_array_equal(row0[:stop + 1], free[0, 3:3 + stop + 1])
    if eos not in free[1, 3:]:
        assert out.shape[1] == 9  # row 1 never stops, so all 6 steps ran
    # several eos ids
    out2 = model.generate(ids, max_new_tokens=6, eos_token_id=[eos, 99], pad_token_id=0)
    assert out2.shape[0] == 2


def test_max_length_and_min_new_tokens(models):
    model = models["gpt2"]
    ids = ember.tensor([[1, 2, 3]])
    assert model.generate(ids, max_length=7, eos_token_id=None).shape == (1, 7)
    assert model.generate(ids, max_new_tokens=0).shape == (1, 3)
    free = model.generate(ids, max_new_tokens=4, eos_token_id=None).numpy()
    eos = int(free[0, 3])
    assert model.generate(ids, max_new_tokens=4, eos_token_id=eos).shape == (1, 4)
    out = model.generate(ids, max_new_tokens=4, min_new_tokens=2, eos_token_id=eos).numpy()
    assert out.shape[1] >= 5 and out[0, 3] != eos


def test_pad_token_in_prompt_infers_the_mask(models):
    model = models["gpt2"]
    ids = np.array([[0, 0, 11, 12], [13, 14, 15, 16]])
    mask = (ids != 0).astype(np.int64)
    explicit = model.generate(ember.from_numpy(ids), attention_mask=ember.from_numpy(mask),
                              max_new_tokens=3, pad_token_id=0, eos_token_id=None)
    inferred = model.generate(ember.from_numpy(ids), max_new_tokens=3, pad_token_id=0,
                              eos_token_id=None)
    np.testing.assert_array_equal(explicit.numpy(), inferred.numpy())


def test_generate_restores_training_mode(models):
    model = models["gpt2"]
    model.train()
    model.generate(ember.tensor([[1, 2]]), max_new_tokens=2)
    assert model.training
    model.eval()


def test_dynamic_cache_and_legacy_tuples(models):
    model = models["llama"]
    ids = ember.tensor([[3, 4, 5, 6]])
    with ember.no_grad():
        out = model(ids[:, :3], use_cache=True)
        cache = out.past_key_values
        assert isinstance(cache, DynamicCache) and len(cache) == 2
        assert cache.get_seq_length() == 3
        legacy = cache.to_legacy_cache()
        step = model(ids[:, 3:], past_key_values=legacy, use_cache=True)
        full = model(ids).logits.numpy()
    np.testing.assert_allclose(step.logits.numpy()[:, -1], full[:, -1], atol=1e-10)
    k, v = step.past_key_values[0]
    assert k.shape == (1, 2, 4, 8) and v.shape == (1, 2, 4, 8)  # (batch, kv heads, seq, dim)
    assert model(ids, use_cache=False).past_key_values is None


def test_mask_and_position_helpers():
    mask = ember.tensor([[0, 0, 1, 1], [1, 1, 1, 1]])
    np.testing.assert_array_equal(positions_from_attention_mask(mask).numpy(),
                                  [[1, 1, 0, 1], [0, 1, 2, 3]])
    m = causal_attention_mask(mask, 2, 2, 2, ember.float32).numpy()
    assert m.shape == (2, 1, 2, 4)
    low = np.finfo(np.float32).min
    np.testing.assert_array_equal(m[0, 0] == low, [[True, True, False, True],
                                                   [True, True, False, False]])
    assert causal_attention_mask(None, 2, 1, 5, ember.float32) is None


def test_each_step_feeds_one_token_per_sequence(models):
    model = models["llama"]
    seen = []
    forward = model.forward

    def recording(*args, **kwargs):
        seen.append((tuple(kwargs["input_ids"].shape), kwargs["past_key_values"] is None))
        return forward(*args, **kwargs)
    model.forward = recording
    try:
        model.generate(ember.tensor([[0, 5, 6, 7], [4, 5, 6, 7]]),
                       attention_mask=ember.tensor([[0, 1, 1, 1], [1, 1, 1, 1]]),
                       max_new_tokens=5, eos_token_id=None)
    finally:
        del model.forward
    assert seen[0] == ((2, 4), True)  # the prompt, once
    assert seen[1:] == [((2, 1), False)] * 4

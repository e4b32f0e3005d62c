"""ember.safetensors against the real safetensors.torch API, both directions."""
import json
import os

import numpy as np
import pytest
import torch

import ember
import ember.safetensors as es

st = pytest.importorskip("safetensors.torch")

DTYPES = ["bool", "uint8", "int8", "int16", "int32", "int64", "float16", "bfloat16",
          "float32", "float64", "complex64"]


def _np(t):
    if isinstance(t, torch.Tensor):
        return (t.float() if t.dtype == torch.bfloat16 else t).numpy()
    return (t.float() if t.dtype is ember.bfloat16 else t).numpy()


def _tensors(L):
    out = {}
    for i, name in enumerate(DTYPES):
        base = L.arange(6).reshape(2, 3) * (i + 1) - 5
        t = (base % 2 == 0) if name == "bool" else base.to(getattr(L, name))
        if name == "complex64":
            t = t + 0.5j
        out[name] = t
    out["scalar"] = L.tensor(2.5)
    out["empty"] = L.zeros(0, 4)
    return out


def _check_same(ember_dict, torch_dict):
    assert list(ember_dict) == list(torch_dict) or set(ember_dict) == set(torch_dict)
    for k in torch_dict:
        e, t = ember_dict[k], torch_dict[k]
        assert str(e.dtype) == str(t.dtype), k
        assert tuple(e.shape) == tuple(t.shape), k
        np.testing.assert_array_equal(_np(e), _np(t))


def test_torch_files_load_in_ember(tmp_path):
    path = tmp_path / "t.safetensors"
    st.save_file(_tensors(torch), path, metadata={"format": "pt", "step": "3"})
    _check_same(es.load_file(path), _tensors(torch))
    _check_same(es.load(path.read_bytes()), _tensors(torch))
    with es.safe_open(path, framework="pt") as f:
        assert set(f.keys()) == set(_tensors(torch))
        assert f.metadata() == {"format": "pt", "step": "3"}
        _check_same({"int16": f.get_tensor("int16")}, {"int16": _tensors(torch)["int16"]})
        part = f.get_slice("float32")[:, 1:]
        np.testing.assert_array_equal(_np(part), _np(_tensors(torch)["float32"][:, 1:]))
    loaded = es.load_file(path)["float32"]
    loaded.add_(1)  # tensors from a file are ordinary writable tensors


def test_ember_files_load_in_torch(tmp_path):
    path = tmp_path / "e.safetensors"
    es.save_file(_tensors(ember), path, metadata={"who": "ember"})
    _check_same(_tensors(ember), st.load_file(path))
    with open(path, "rb") as f:
        _check_same(_tensors(ember), st.load(f.read()))
    from safetensors import safe_open
    with safe_open(str(path), framework="pt") as f:
        assert f.metadata() == {"who": "ember"}
    _check_same(_tensors(ember), st.load(es.save(_tensors(ember))))
    assert os.listdir(tmp_path) == ["e.safetensors"]  # no temp file left behind


def test_errors_for_shared_non_contiguous_and_unsupported():
    a = ember.arange(6.0)
    with pytest.raises(RuntimeError, match="share memory") as err:
        es.save({"a": a, "b": a[2:]})
    assert "save_model" in str(err.value)
    with pytest.raises(RuntimeError):  # torch's side agrees on the same situation
        t = torch.arange(6.0)
        st.save({"a": t, "b": t[2:]})
    es.save({"a": a[:3].clone(), "b": a[3:].clone()})  # separate memory is fine
    with pytest.raises(ValueError, match="non contiguous"):
        es.save({"t": ember.ones(2, 3).t()})
    with pytest.raises(ValueError, match="complex128"):
        es.save({"c": ember.ones(2, dtype=ember.complex128)})
    with pytest.raises(TypeError):
        es.save({"x": np.ones(2)})
    with pytest.raises(TypeError):
        es.save({"a": ember.ones(1)}, metadata={"k": 1})


def _tied(L):
    m = L.nn.Sequential(L.nn.Embedding(5, 3), L.nn.Linear(3, 5, bias=False))
    m[1].weight = m[0].weight
    return m


def test_save_model_dedupes_tied_weights_both_ways(tmp_path):
    em = _tied(ember)
    es.save_model(em, tmp_path / "e.safetensors")
    tm = _tied(torch)
    missing, unexpected = st.load_model(tm, tmp_path / "e.safetensors")
    assert not missing and not unexpected
    np.testing.assert_array_equal(_np(tm[0].weight.detach()), _np(em[0].weight.detach()))
    assert tm[1].weight is tm[0].weight
    # torch -> ember
    tm2 = _tied(torch)
    st.save_model(tm2, tmp_path / "t.safetensors")
    em2 = _tied(ember)
    missing, unexpected = es.load_model(em2, tmp_path / "t.safetensors")
    assert not missing and not unexpected
    np.testing.assert_array_equal(_np(em2[1].weight.detach()), _np(tm2[1].weight.detach()))
    with pytest.raises(RuntimeError, match="Missing"):
        es.load_model(ember.nn.Linear(3, 3), tmp_path / "t.safetensors")


def test_sharded_checkpoint_from_torch(tmp_path):
    full = {f"layer{i}.weight": torch.full((2, 2), float(i)) for i in range(5)}
    full["head.bias"] = torch.arange(3, dtype=torch.bfloat16)
    names = list(full)
    shards = {"model-00001-of-00002.safetensors": names[:3],
              "model-00002-of-00002.safetensors": names[3:]}
    weight_map = {}
    for fname, keys in shards.items():
        st.save_file({k: full[k] for k in keys}, tmp_path / fname)
        weight_map.update({k: fname for k in keys})
    index = {"metadata": {"total_size": 0}, "weight_map": weight_map}
    (tmp_path / "model.safetensors.index.json").write_text(json.dumps(index))
    for where in (tmp_path, tmp_path / "model.safetensors.index.json"):
        sd = es.load_sharded(where)
        _check_same(sd, full)
    weight_map["missing.weight"] = "model-00001-of-00002.safetensors"
    (tmp_path / "model.safetensors.index.json").write_text(json.dumps(index))
    with pytest.raises(KeyError, match="missing.weight"):
        es.load_sharded(tmp_path)


def test_save_sharded_reads_back_in_ember_and_torch(tmp_path):
    sd = {f"l{i}.w": ember.full((4, 4), float(i)) for i in range(5)}  # 64 bytes each
    es.save_sharded(sd, tmp_path, max_shard_size=150)
    index = json.loads((tmp_path / "model.safetensors.index.json").read_text())
    files = sorted(set(index["weight_map"].values()))
    assert files == [f"model-0000{i}-of-00003.safetensors" for i in (1, 2, 3)]
    _check_same(es.load_sharded(tmp_path), {k: torch.tensor(v.numpy()) for k, v in sd.items()})
    merged = {}
    for f in files:
        merged.update(st.load_file(tmp_path / f))
    _check_same(sd, merged)
    es.save_sharded(sd, tmp_path / "one")
    assert os.listdir(tmp_path / "one") == ["model.safetensors"]

"""Checkpoints with cuda tensors: ember.save/ember.load and safetensors, against torch.

torch here is CPU-only, so it reads ember's cuda checkpoints with map_location='cpu' and
its refusal without one shows the file records a cuda location.  The cuda round trips
run under ``EMBER_EMULATE_CUDA=1`` (or on a GPU) and skip otherwise.
"""
import copy
import io
import pickle
import zipfile

import numpy as np
import pytest
import safetensors.torch as st_torch
import torch

import ember
import ember.safetensors as est

HAS_CUDA = ember.cuda.is_available()
needs_cuda = pytest.mark.skipif(not HAS_CUDA,
                                reason="needs cuda (a GPU, or EMBER_EMULATE_CUDA=1)")


def _np(t):
    t = t.detach()
    if isinstance(t, torch.Tensor):
        return (t.float() if t.dtype == torch.bfloat16 else t).numpy()
    return (t.float() if t.dtype is ember.bfloat16 else t).cpu().numpy()


def _with_cuda_locations(path):
    """Rewrite a cpu checkpoint so that its storages say 'cuda:0', as a cuda save would
    (lets the tests without cuda check how a cuda checkpoint loads)."""
    with zipfile.ZipFile(path) as zf:
        entries = [(info, zf.read(info)) for info in zf.infolist()]
    cpu, cuda = b"X\x03\x00\x00\x00cpu", b"X\x06\x00\x00\x00cuda:0"
    with zipfile.ZipFile(path, "w", compression=zipfile.ZIP_STORED) as zf:
        for info, data in entries:
            if info.filename.endswith("/data.pkl"):
                assert cpu in data
                data = data.replace(cpu, cuda)
            zf.writestr(info.filename, data)


def _state():
    w = ember.arange(12.0).reshape(3, 4)
    return {"w": w, "row": w[1], "i": ember.arange(5), "b": ember.tensor([True, False]),
            "h": ember.ones(2, dtype=ember.bfloat16)}


# ---------------------------------------------------------------------------------
# cuda locations, with or without cuda
# ---------------------------------------------------------------------------------
def test_cuda_location_loads_with_map_location(tmp_path):
    path = str(tmp_path / "ckpt.pt")
    ember.save(_state(), path)
    _with_cuda_locations(path)
    ref = torch.load(path, map_location="cpu")
    with pytest.raises(RuntimeError):
        torch.load(path)   # CPU-only torch: the file says cuda
    for where in ("cpu", ember.device("cpu"), {"cuda:0": "cpu"},
                  lambda storage, location: storage, lambda storage, location: "cpu"):
        got = ember.load(path, map_location=where)
        for k, v in ref.items():
            assert got[k].device == ember.device("cpu"), (k, where)
            np.testing.assert_array_equal(_np(got[k]), _np(v))
    if HAS_CUDA:
        got = ember.load(path)
        assert all(v.is_cuda for v in got.values())
        np.testing.assert_array_equal(_np(got["w"]), _np(ref["w"]))
    else:
        with pytest.raises(RuntimeError):
            ember.load(path)
        with pytest.raises(RuntimeError):
            ember.load(path, map_location={"cpu": "cpu"})   # cuda:0 stays cuda:0


def test_map_location_cuda_without_cuda_raises(tmp_path):
    if HAS_CUDA:
        pytest.skip("checks the branch without cuda")
    path = str(tmp_path / "ckpt.pt")
    ember.save({"w": ember.ones(2)}, path)
    for where in ("cuda", ember.device("cuda", 0), {"cpu": "cuda:0"},
                  lambda storage, location: storage.cuda()):
        with pytest.raises(RuntimeError):
            ember.load(path, map_location=where)


# ---------------------------------------------------------------------------------
# saving cuda tensors
# ---------------------------------------------------------------------------------
def _cuda_state():
    w = ember.arange(12.0).reshape(3, 4).cuda()
    return {"w": w, "row": w[1], "wt": w.t(), "i": ember.arange(5).cuda(),
            "b": ember.tensor([True, False]).cuda(),
            "h": ember.ones(2, dtype=ember.bfloat16).cuda(),
            "d": ember.full((2,), 0.5, dtype=ember.float64).cuda(),
            "s": ember.tensor(3.0).cuda(), "e": ember.zeros(0, 2).cuda(),
            "g": ember.ones(2).cuda().requires_grad_(), "cpu": ember.ones(2)}


@needs_cuda
def test_torch_reads_cuda_checkpoint(tmp_path):
    path = str(tmp_path / "ckpt.pt")
    state = _cuda_state()
    ember.save(state, path)
    with pytest.raises(RuntimeError):
        torch.load(path)   # the storages are recorded at 'cuda:0'
    got = torch.load(path, map_location="cpu")
    also = torch.load(path, map_location={"cuda:0": "cpu"})
    assert set(got) == set(state)
    for k, v in state.items():
        assert got[k].shape == tuple(v.shape) and got[k].stride() == v.stride(), k
        assert str(got[k].dtype) == str(v.dtype).replace("ember", "torch"), k
        assert got[k].requires_grad == v.requires_grad, k
        np.testing.assert_array_equal(_np(got[k]), _np(v))
        np.testing.assert_array_equal(_np(also[k]), _np(v))
    # views of one cuda tensor share one storage in the file
    ptr = got["w"].untyped_storage().data_ptr()
    assert got["row"].untyped_storage().data_ptr() == ptr
    assert got["wt"].untyped_storage().data_ptr() == ptr
    assert got["row"].storage_offset() == 4


@needs_cuda
@pytest.mark.parametrize("zipped", [True, False])
def test_cuda_round_trip(tmp_path, zipped):
    path = str(tmp_path / "ckpt.pt")
    state = _cuda_state()
    ember.save(state, path, _use_new_zipfile_serialization=zipped)
    on_cuda = ember.load(path)
    on_cpu = ember.load(path, map_location="cpu")
    for k, v in state.items():
        assert on_cuda[k].device == v.device, k
        assert on_cpu[k].device == ember.device("cpu"), k
        for got in (on_cuda[k], on_cpu[k]):
            assert got.dtype is v.dtype and got.shape == v.shape, k
            assert got.requires_grad == v.requires_grad, k
            np.testing.assert_array_equal(_np(got), _np(v))
    # the loaded views still share device memory
    w, row = on_cuda["w"], on_cuda["row"]
    assert row.data_ptr() - w.data_ptr() == 4 * w.element_size()
    w.mul_(2)
    np.testing.assert_array_equal(_np(row), np.arange(4.0, 8.0) * 2)
    mapped = ember.load(path, map_location=lambda storage, location: storage.cuda())
    assert all(v.is_cuda for v in mapped.values())


@needs_cuda
def test_cuda_checkpoint_mmap(tmp_path):
    path = str(tmp_path / "ckpt.pt")
    ember.save({"w": ember.arange(6.0).cuda()}, path)
    got = ember.load(path, mmap=True)
    assert got["w"].is_cuda
    np.testing.assert_array_equal(_np(got["w"]), np.arange(6.0))


@needs_cuda
def test_cpu_checkpoints_onto_cuda(tmp_path):
    path = str(tmp_path / "torch.pt")
    ref = {"w": torch.arange(12.0).reshape(3, 4), "t": torch.arange(6).reshape(2, 3).t()}
    ref["row"] = ref["w"][2]
    for zipped in (True, False):
        torch.save(ref, path, _use_new_zipfile_serialization=zipped)
        for where in ("cuda", "cuda:0", ember.device("cuda", 0), {"cpu": "cuda:0"},
                      lambda storage, location: storage.cuda(),
                      lambda storage, location: storage.to("cuda")):
            got = ember.load(path, map_location=where)
            for k, v in ref.items():
                assert got[k].is_cuda, (k, where)
                assert got[k].stride() == v.stride(), k
                np.testing.assert_array_equal(_np(got[k]), v.numpy())


@needs_cuda
def test_module_state_dict_from_cuda_module(tmp_path):
    path = str(tmp_path / "model.pt")
    ember.manual_seed(0)
    model = ember.nn.Sequential(ember.nn.Linear(4, 3), ember.nn.Tanh(),
                                ember.nn.Linear(3, 2)).cuda()
    sd = model.state_dict()
    assert all(v.is_cuda for v in sd.values())
    ember.save(sd, path)
    ember.save(model.state_dict(keep_vars=True), str(tmp_path / "params.pt"))
    twin = torch.nn.Sequential(torch.nn.Linear(4, 3), torch.nn.Tanh(), torch.nn.Linear(3, 2))
    twin.load_state_dict(torch.load(path, map_location="cpu"))
    for k, v in twin.state_dict().items():
        np.testing.assert_array_equal(v.numpy(), _np(sd[k]))
    params = torch.load(str(tmp_path / "params.pt"), map_location="cpu")
    assert all(isinstance(p, torch.nn.Parameter) for p in params.values())
    back = ember.load(path)
    assert list(back) == list(sd) and all(v.is_cuda for v in back.values())
    eparams = ember.load(str(tmp_path / "params.pt"))
    assert all(isinstance(p, ember.nn.Parameter) and p.is_cuda and p.requires_grad
               for p in eparams.values())
    cpu_model = ember.nn.Sequential(ember.nn.Linear(4, 3), ember.nn.Tanh(),
                                    ember.nn.Linear(3, 2))
    cpu_model.load_state_dict(ember.load(path, map_location="cpu"))
    for k, v in cpu_model.state_dict().items():
        np.testing.assert_array_equal(v.numpy(), _np(sd[k]))


@needs_cuda
def test_pickle_and_deepcopy_keep_cuda():
    x = ember.arange(4.0).cuda().requires_grad_()
    for y in (pickle.loads(pickle.dumps(x)), copy.deepcopy(x)):
        assert y.is_cuda and y.requires_grad
        np.testing.assert_array_equal(_np(y), np.arange(4.0))
    buf = io.BytesIO()
    ember.save([x, x.detach()], buf)
    buf.seek(0)
    a, b = ember.load(buf)
    assert a.is_cuda and b.is_cuda and a.data_ptr() == b.data_ptr()


# ---------------------------------------------------------------------------------
# safetensors
# ---------------------------------------------------------------------------------
@needs_cuda
def test_safetensors_cuda(tmp_path):
    path = str(tmp_path / "w.safetensors")
    tensors = {"w": ember.arange(6.0).reshape(2, 3).cuda(),
               "h": ember.ones(3, dtype=ember.bfloat16).cuda(), "c": ember.arange(3)}
    est.save_file(tensors, path)
    ref = st_torch.load_file(path)
    for device in ("cuda", "cuda:0", 0, ember.device("cuda", 0)):
        got = est.load_file(path, device=device)
        assert all(v.is_cuda for v in got.values())
        for k, v in tensors.items():
            np.testing.assert_array_equal(_np(got[k]), _np(ref[k]))
            np.testing.assert_array_equal(_np(got[k]), _np(v))
    on_cpu = est.load_file(path)
    assert all(not v.is_cuda for v in on_cpu.values())
    data = est.save({"w": tensors["w"]})
    np.testing.assert_array_equal(st_torch.load(data)["w"].numpy(), _np(tensors["w"]))
    with est.safe_open(path, framework="pt", device="cuda") as f:
        assert f.get_tensor("w").is_cuda
        part = f.get_slice("w")[1:]
        assert part.is_cuda
        np.testing.assert_array_equal(_np(part), [[3.0, 4.0, 5.0]])
    w = tensors["w"]
    with pytest.raises(RuntimeError):
        est.save_file({"w": w, "row": w[1]}, str(tmp_path / "shared.safetensors"))


@needs_cuda
def test_safetensors_model_from_cuda(tmp_path):
    path = str(tmp_path / "model.safetensors")
    model = ember.nn.Linear(3, 2).cuda()
    est.save_model(model, path)
    ref = st_torch.load_file(path)
    np.testing.assert_array_equal(ref["weight"].numpy(), _np(model.weight))
    twin = ember.nn.Linear(3, 2)
    est.load_model(twin, path)
    np.testing.assert_array_equal(_np(twin.weight), _np(model.weight))
    torch_path = str(tmp_path / "torch.safetensors")
    st_torch.save_file({"w": torch.arange(4.0)}, torch_path)
    got = est.load_file(torch_path, device="cuda")
    assert got["w"].is_cuda
    np.testing.assert_array_equal(_np(got["w"]), np.arange(4.0))

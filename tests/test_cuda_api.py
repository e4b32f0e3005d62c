"""ember.cuda (devices, memory, streams, events), pinned memory and non_blocking copies.

The device tests run under ``EMBER_EMULATE_CUDA=1`` (or on a GPU) and skip otherwise;
the branch without CuPy or without a GPU runs in subprocesses without the emulator and
is checked against the CPU-only torch installed here.
"""
import collections
import gc
import json
import os
import subprocess
import sys
import textwrap
import warnings

import numpy as np
import pytest
import torch

import ember
from ember.utils.data import DataLoader, TensorDataset

needs_cuda = pytest.mark.skipif(not ember.cuda.is_available(),
                                reason="needs cuda (a GPU, or EMBER_EMULATE_CUDA=1)")
_HERE = os.path.dirname(os.path.abspath(__file__))
_ROOT = os.path.dirname(_HERE)


def _run(code, extra_path=None):
    """Run ``code`` in a fresh interpreter without the CuPy emulator; its stdout."""
    env = {k: v for k, v in os.environ.items()
           if k not in ("EMBER_EMULATE_CUDA", "EMBER_STRICT_DEVICE", "PYTHONPATH")}
    env["PYTHONPATH"] = os.pathsep.join(p for p in (extra_path, _ROOT) if p)
    proc = subprocess.run([sys.executable, "-c", textwrap.dedent(code)], env=env,
                          capture_output=True, text=True, timeout=120)
    assert proc.returncode == 0, proc.stderr[-3000:]
    return proc.stdout


# ---------------------------------------------------------------------------------
# without CuPy / without a GPU (subprocesses, no emulator)
# ---------------------------------------------------------------------------------
# Each case runs on ember (in a subprocess without CuPy) and on the CPU-only torch here.
_CASES = {
    "is_available": "L.cuda.is_available()",
    "device_count": "L.cuda.device_count()",
    "is_initialized": "L.cuda.is_initialized()",
    "memory_allocated": "L.cuda.memory_allocated()",
    "max_memory_allocated": "L.cuda.max_memory_allocated()",
    "memory_reserved": "L.cuda.memory_reserved()",
    "max_memory_reserved": "L.cuda.max_memory_reserved()",
    "memory_stats": "dict(L.cuda.memory_stats())",
    "empty_cache": "L.cuda.empty_cache()",
    "is_pinned": "L.ones(2).is_pinned()",
    "device_noop": "L.cuda.device(-1).__enter__()",
    "device_of_cpu": "L.cuda.device_of(L.ones(2)).__enter__()",
    "stream_none": "L.cuda.stream(None).__enter__()",
    "current_device": "L.cuda.current_device()",
    "synchronize": "L.cuda.synchronize()",
    "init": "L.cuda.init()",
    "get_device_name": "L.cuda.get_device_name()",
    "get_device_properties": "L.cuda.get_device_properties(0)",
    "get_device_capability": "L.cuda.get_device_capability()",
    "mem_get_info": "L.cuda.mem_get_info()",
    "current_stream": "L.cuda.current_stream()",
    "default_stream": "L.cuda.default_stream()",
    "Event": "L.cuda.Event(enable_timing=True)",
    "Stream": "L.cuda.Stream()",
    "device_enter": "L.cuda.device(0).__enter__()",
    "pin_memory": "L.ones(2).pin_memory()",
    "to_non_blocking": "L.ones(2).to('cuda', non_blocking=True)",
    "cuda_non_blocking": "L.ones(2).cuda(non_blocking=True)",
}
# torch's CPU build fails these with AttributeError; ember raises its cuda error
_EMBER_ONLY = {"set_device": "L.cuda.set_device(0)",
               "reset_peak": "L.cuda.reset_peak_memory_stats()"}

_OUTCOME = """
def outcome(L, expr):
    try:
        value = eval(expr)
    except Exception as e:  # noqa: BLE001
        return ["raise", isinstance(e, RuntimeError), isinstance(e, AssertionError)]
    return ["value", repr(value)]
"""


def test_no_cupy_branch_matches_cpu_only_torch():
    # ``sys.modules['cupy'] = None`` makes ``import cupy`` fail wherever CuPy is installed
    code = ("import json, sys, warnings\nsys.modules['cupy'] = None\nimport ember\n"
            + _OUTCOME + f"cases = {dict(_CASES, **_EMBER_ONLY)!r}\n" + textwrap.dedent("""
        out = {k: outcome(ember, v) for k, v in cases.items()}
        with ember.cuda.device(None):
            pass
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            data = ember.utils.data
            batches = list(data.DataLoader(data.TensorDataset(ember.arange(4.)),
                                           batch_size=2, pin_memory=True))
        out["loader"] = [any("pin_memory" in str(w.message) for w in caught),
                         any(b[0].is_pinned() for b in batches)]
        print(json.dumps(out))
    """))
    got = json.loads(_run(code))
    scope = {}
    exec(_OUTCOME, scope)
    for name, expr in _CASES.items():
        want = scope["outcome"](torch, expr)
        if want[0] == "raise":
            # ember's cuda error is both a RuntimeError and an AssertionError; where
            # torch raises one of them, ember raises (at least) that one
            assert want[1] or want[2], (name, want)
            assert got[name][0] == "raise" and got[name][1] >= want[1] \
                and got[name][2] >= want[2], (name, got[name], want)
        else:
            assert got[name] == want, name
    for name in _EMBER_ONLY:
        assert got[name] == ["raise", True, True], name
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        batches = list(torch.utils.data.DataLoader(
            torch.utils.data.TensorDataset(torch.arange(4.0)), batch_size=2, pin_memory=True))
    want = [any("pin_memory" in str(w.message) for w in caught),
            any(b[0].is_pinned() for b in batches)]
    assert got["loader"] == want == [True, False]


def test_cupy_without_gpu_branch_and_lazy_import(tmp_path):
    # a CuPy that imports but finds no driver (as the real wheel does on this machine)
    pkg = tmp_path / "cupy"
    pkg.mkdir()
    (pkg / "__init__.py").write_text(textwrap.dedent("""
        class _Runtime:
            class CUDARuntimeError(RuntimeError):
                pass

            def getDeviceCount(self):
                raise self.CUDARuntimeError("cudaErrorInsufficientDriver")

        class cuda:
            runtime = _Runtime()
    """))
    out = _run("""
        import sys
        import ember
        # import ember (and cpu work, and questions answerable without cuda) never
        # imports CuPy
        x = ember.ones(3) * 2
        ember.cuda.memory_allocated(), ember.cuda.is_initialized(), x.is_pinned()
        assert not [m for m in sys.modules if m.split(".")[0] in ("cupy", "cupyx")]
        assert not ember.cuda.is_available() and ember.cuda.device_count() == 0
        assert ember.cuda.memory_allocated() == 0 and ember.cuda.memory_stats() == {}
        try:
            ember.ones(2).pin_memory()
        except RuntimeError:
            pass
        else:
            raise AssertionError("pinned without a GPU")
        for fn in (ember.cuda.current_device, ember.cuda.synchronize, ember.cuda.Stream,
                   lambda: ember.ones(2).cuda()):
            try:
                fn()
            except RuntimeError as e:
                assert isinstance(e, AssertionError)
                msg = str(e)
            else:
                raise AssertionError("no error")
        print(msg)
    """, extra_path=str(tmp_path))
    assert "driver" in out.lower()


def test_cuda_namespace_matches_torch():
    names = ["is_available", "device_count", "current_device", "set_device", "device",
             "device_of", "get_device_name", "get_device_properties",
             "get_device_capability", "synchronize", "is_initialized", "init",
             "memory_allocated", "max_memory_allocated", "memory_reserved",
             "max_memory_reserved", "reset_peak_memory_stats", "reset_max_memory_allocated",
             "empty_cache", "memory_stats", "memory_summary", "mem_get_info", "Event", "Stream",
             "current_stream", "default_stream", "stream", "StreamContext", "set_stream",
             "manual_seed", "manual_seed_all", "initial_seed", "get_rng_state",
             "set_rng_state", "OutOfMemoryError"]
    for name in names:
        assert hasattr(torch.cuda, name), name
        assert hasattr(ember.cuda, name), name
    assert issubclass(ember.cuda.OutOfMemoryError, RuntimeError)
    with pytest.raises(AttributeError):
        ember.cuda.no_such_function  # noqa: B018


def test_pin_memory_function_keeps_container_types():
    from ember.utils.data._pin_memory import pin_memory

    class Custom:
        def pin_memory(self):
            return "pinned"

    Pair = collections.namedtuple("Pair", "a b")
    data = {"s": "text", "n": 3, "p": Pair(Custom(), [Custom(), (Custom(),)]),
            "od": collections.OrderedDict(k=Custom()), "r": range(2)}
    out = pin_memory(data)
    assert out["s"] == "text" and out["n"] == 3
    assert type(out["p"]) is Pair and out["p"].a == "pinned"
    assert out["p"].b == ["pinned", ("pinned",)]
    assert type(out["od"]) is collections.OrderedDict and out["od"]["k"] == "pinned"
    assert out["r"] == [0, 1]


# ---------------------------------------------------------------------------------
# devices
# ---------------------------------------------------------------------------------
@needs_cuda
def test_devices():
    n = ember.cuda.device_count()
    assert n >= 1 and ember.cuda.is_initialized()
    ember.cuda.init()
    assert ember.cuda.current_device() == 0
    ember.cuda.set_device(0)
    ember.cuda.set_device("cuda:0")
    ember.cuda.set_device(ember.device("cuda", 0))
    with ember.cuda.device(0):
        assert ember.cuda.current_device() == 0
    x = ember.ones(2, device="cuda")
    with ember.cuda.device_of(x):
        assert ember.cuda.current_device() == x.get_device()
    with ember.cuda.device_of(ember.ones(2)):   # a cpu tensor: no-op
        pass
    with pytest.raises(RuntimeError):
        ember.cuda.set_device(n)
    with pytest.raises(RuntimeError):
        ember.cuda.get_device_properties(n)
    with pytest.raises(ValueError):
        ember.cuda.get_device_properties("cpu")


@needs_cuda
def test_device_properties():
    props = ember.cuda.get_device_properties(0)
    assert isinstance(props.name, str) and props.name
    assert props.name == ember.cuda.get_device_name() == ember.cuda.get_device_name(0)
    assert isinstance(props.total_memory, int) and props.total_memory > 0
    assert ember.cuda.get_device_capability() == (props.major, props.minor)
    assert ember.cuda.get_device_capability("cuda:0") == (props.major, props.minor)
    assert props.multi_processor_count >= 1
    assert "total_memory" in repr(props)
    free, total = ember.cuda.mem_get_info()
    assert 0 <= free <= total and total > 0
    ember.cuda.synchronize()
    ember.cuda.synchronize(0)
    ember.cuda.synchronize("cuda:0")


# ---------------------------------------------------------------------------------
# memory
# ---------------------------------------------------------------------------------
@needs_cuda
def test_memory_counters_follow_tensors():
    gc.collect()
    ember.cuda.empty_cache()
    before = ember.cuda.memory_allocated()
    x = ember.ones(256, 256, device="cuda")
    nbytes = 256 * 256 * 4
    during = ember.cuda.memory_allocated()
    assert during - before >= nbytes
    assert ember.cuda.memory_reserved() >= during
    assert ember.cuda.max_memory_allocated() >= during
    stats = ember.cuda.memory_stats()
    assert stats["allocated_bytes.all.current"] == during
    for key in ("allocated_bytes.all.peak", "reserved_bytes.all.current",
                "reserved_bytes.all.peak", "active_bytes.all.current", "num_ooms",
                "num_alloc_retries"):
        assert key in stats
    del x
    gc.collect()
    after = ember.cuda.memory_allocated()
    assert after <= during - nbytes
    assert ember.cuda.max_memory_allocated() >= during   # the peak stays
    ember.cuda.reset_peak_memory_stats()
    assert ember.cuda.max_memory_allocated() == ember.cuda.memory_allocated()
    with pytest.warns(FutureWarning):
        ember.cuda.reset_max_memory_allocated()
    assert ember.cuda.max_memory_reserved() >= ember.cuda.memory_reserved()
    assert ember.cuda.memory_allocated(0) == ember.cuda.memory_allocated("cuda:0")
    ember.cuda.empty_cache()
    assert ember.cuda.memory_reserved() >= ember.cuda.memory_allocated()
    assert "Allocated" in ember.cuda.memory_summary()


# ---------------------------------------------------------------------------------
# streams and events
# ---------------------------------------------------------------------------------
@needs_cuda
def test_events_time_and_order():
    start = ember.cuda.Event(enable_timing=True)
    end = ember.cuda.Event(enable_timing=True)
    start.record()
    y = ember.ones(64, 64, device="cuda") * 2 + 62
    end.record()
    end.synchronize()
    assert end.query() and start.query()
    assert start.elapsed_time(end) >= 0.0
    assert float(y[0, 0].item()) == 64.0
    plain = ember.cuda.Event()
    plain.record(ember.cuda.current_stream())
    plain.wait()
    plain.synchronize()
    with pytest.raises(RuntimeError):
        plain.elapsed_time(end)      # no timing
    with pytest.raises(RuntimeError):
        ember.cuda.Event(enable_timing=True).elapsed_time(end)   # never recorded
    with pytest.raises(TypeError):
        plain.record("stream")


@needs_cuda
def test_streams():
    default = ember.cuda.default_stream()
    assert ember.cuda.current_stream() == default
    s = ember.cuda.Stream()
    assert s != default and s.device == ember.device("cuda", 0)
    assert isinstance(s.cuda_stream, int)
    x = ember.arange(6.0, device="cuda")
    with ember.cuda.stream(s):
        assert ember.cuda.current_stream() == s
        y = x * 2
        ev = s.record_event()
    assert ember.cuda.current_stream() == default
    default.wait_event(ev)
    default.wait_stream(s)
    ev.wait(default)
    s.synchronize()
    assert s.query()
    np.testing.assert_array_equal(y.cpu().numpy(), np.arange(6.0) * 2)
    with ember.cuda.StreamContext(None):
        assert ember.cuda.current_stream() == default
    with s:
        assert ember.cuda.current_stream() == s
    assert ember.cuda.current_stream() == default
    ember.cuda.set_stream(s)
    assert ember.cuda.current_stream() == s
    ember.cuda.set_stream(default)
    assert ember.cuda.current_stream() == default
    assert len({s, ember.cuda.current_stream(), default}) == 2
    with pytest.raises(TypeError):
        ember.cuda.stream("s")
    with pytest.raises(TypeError):
        s.wait_stream(ev)


# ---------------------------------------------------------------------------------
# pinned memory and non_blocking copies
# ---------------------------------------------------------------------------------
@needs_cuda
def test_pin_memory():
    x = ember.arange(12.0).reshape(3, 4)
    assert not x.is_pinned()
    p = x.pin_memory()
    assert p.is_pinned() and p[1].is_pinned() and p.t().is_pinned()
    assert not x.is_pinned() and p.device == x.device and p.dtype == x.dtype
    assert p.pin_memory() is p
    np.testing.assert_array_equal(p.numpy(), x.numpy())
    p.add_(1)   # a copy: the source is untouched
    np.testing.assert_array_equal(x.numpy(), np.arange(12.0).reshape(3, 4))
    q = ember.ones(2, 3, dtype=ember.bfloat16).t().pin_memory()   # non-contiguous source
    assert q.is_pinned() and q.dtype is ember.bfloat16 and q.shape == (3, 2)
    with pytest.raises(RuntimeError):
        ember.ones(2, device="cuda").pin_memory()
    assert not ember.ones(2, device="cuda").is_pinned()
    w = ember.ones(3, requires_grad=True)
    out = w.pin_memory()
    assert type(out.grad_fn).__name__ == "PinMemoryBackward0"
    assert hasattr(torch._C._functions, "PinMemoryBackward0")
    (out * 3).sum().backward()
    np.testing.assert_array_equal(w.grad.numpy(), [3.0, 3.0, 3.0])


@needs_cuda
@pytest.mark.parametrize("pinned", [True, False])
def test_non_blocking_copies(pinned):
    src = ember.arange(24.0).reshape(2, 3, 4)
    if pinned:
        src = src.pin_memory()
    expected = np.arange(24.0).reshape(2, 3, 4)
    outs = [src.to("cuda", non_blocking=True), src.cuda(non_blocking=True),
            src.to(ember.device("cuda", 0), ember.float64, True),
            src.to(device="cuda", dtype=ember.float16, non_blocking=True),
            src[:, 1].to("cuda", non_blocking=True)]
    ember.cuda.current_stream().synchronize()
    for o in outs:
        assert o.is_cuda
    for o, dtype in zip(outs[:4], (np.float32, np.float32, np.float64, np.float16)):
        np.testing.assert_array_equal(o.cpu().numpy(), expected.astype(dtype))
    np.testing.assert_array_equal(outs[4].cpu().numpy(), expected[:, 1])
    back = outs[0].to("cpu", non_blocking=True)
    ember.cuda.synchronize()
    assert back.is_pinned() and back.device == ember.device("cpu")
    np.testing.assert_array_equal(back.numpy(), expected)
    # gradients cross the non_blocking move
    w = src.detach().requires_grad_(True)
    (w.to("cuda", non_blocking=True) * 2).backward(ember.ones(2, 3, 4, device="cuda"))
    assert w.grad.device == ember.device("cpu")
    np.testing.assert_array_equal(w.grad.numpy(), np.full((2, 3, 4), 2.0))
    empty = ember.ones(0).pin_memory().to("cuda", non_blocking=True)
    assert empty.shape == (0,) and empty.is_cuda


@needs_cuda
@pytest.mark.parametrize("workers", [0, 1])
def test_dataloader_pins_batches(workers):
    ds = TensorDataset(ember.arange(10.0), ember.arange(10))
    with warnings.catch_warnings():
        warnings.simplefilter("error")   # no "no accelerator" warning with cuda
        loader = DataLoader(ds, batch_size=4, pin_memory=True, num_workers=workers)
        batches = list(loader)
    assert [len(b[0]) for b in batches] == [4, 4, 2]
    for x, y in batches:
        assert x.is_pinned() and y.is_pinned()
    np.testing.assert_array_equal(batches[1][0].numpy(), [4.0, 5.0, 6.0, 7.0])
    dict_loader = DataLoader([{"a": ember.ones(2)}] * 2, batch_size=2, pin_memory=True)
    (batch,) = list(dict_loader)
    assert batch["a"].is_pinned()
    assert all(not b[0].is_pinned() for b in DataLoader(ds, batch_size=4))


@needs_cuda
def test_dlpack_device_of_cuda_tensor():
    x = ember.ones(2, device="cuda")
    assert x.__dlpack_device__() == (2, 0)   # DLPack's kDLCUDA, device 0
    assert ember.ones(2).__dlpack_device__() == torch.ones(2).__dlpack_device__()


# ---------------------------------------------------------------------------------
# the peak-tracking allocator (CuPy's allocator API, faked: the emulator has none)
# ---------------------------------------------------------------------------------
def _fake_cupy(user_allocator=False):
    from types import SimpleNamespace

    class Pool:
        used = total = 0

        def malloc(self, size):
            if size > 1000:
                raise MemoryError("out of memory")
            self.used += size
            self.total = max(self.total, self.used)
            return ("memory", size)

        def used_bytes(self):
            return self.used

        def total_bytes(self):
            return self.total

    pool = Pool()
    installed = []
    cuda = SimpleNamespace(
        set_allocator=installed.append,
        get_allocator=(lambda: print) if user_allocator else (lambda: pool.malloc),
        runtime=SimpleNamespace(getDevice=lambda: 0),
        memory=SimpleNamespace(OutOfMemoryError=MemoryError))
    return SimpleNamespace(get_default_memory_pool=lambda: pool, cuda=cuda), pool, installed


def test_tracking_allocator_records_peaks(monkeypatch):
    from ember.cuda import _memory
    monkeypatch.setattr(_memory, "_STATE", {"tracking": None})
    monkeypatch.setattr(_memory, "_STATS", {})
    cp, pool, installed = _fake_cupy()
    _memory.install(cp)
    _memory.install(cp)   # once only
    assert len(installed) == 1
    malloc = installed[0]
    assert malloc(300) == ("memory", 300)
    pool.used -= 300      # freed back to the pool: no allocator call
    malloc(100)
    stats = _memory._STATS[0]
    assert stats["alloc_peak"] == 300 and stats["reserved_peak"] == 300
    assert stats["allocated"] == 400 and stats["allocs"] == 2
    with pytest.raises(ember.cuda.OutOfMemoryError):
        malloc(5000)
    assert stats["ooms"] == 1


def test_tracking_allocator_respects_a_user_allocator(monkeypatch):
    from ember.cuda import _memory
    monkeypatch.setattr(_memory, "_STATE", {"tracking": None})
    cp, _, installed = _fake_cupy(user_allocator=True)
    _memory.install(cp)
    assert installed == [] and _memory._STATE["tracking"] is False

"""safetensors files for ember tensors, over the ``safetensors`` package.

The API mirrors ``safetensors.torch``: ``save_file`` / ``load_file`` / ``save`` /
``load`` / ``safe_open``, ``save_model`` / ``load_model`` for modules with tied
weights, plus ``load_sharded`` for checkpoints split across files by a
``model.safetensors.index.json``.  The format holds no code, so loading is always safe.
Arrays go through the package's NumPy side; bfloat16 is ml_dtypes' (which ember imports,
so NumPy understands the name).  safetensors has no complex128 and ember no unsigned
types beyond uint8: those raise a clear error.
"""
import contextlib
import json
import os
import tempfile
from collections import defaultdict

import numpy as np

from . import _dtype as D
from ._device import CPU, META, as_device, data_ptr, is_device_array, meta_array, to_host
from ._tensor import Tensor, _ptr, _wrap

__all__ = ["save", "save_file", "load", "load_file", "safe_open", "save_model", "load_model",
           "load_sharded", "save_sharded"]

# safetensors' dtype codes -> ember dtypes
_CODES = {"BOOL": D.bool, "U8": D.uint8, "I8": D.int8, "I16": D.int16, "I32": D.int32,
          "I64": D.int64, "F16": D.float16, "BF16": D.bfloat16, "F32": D.float32,
          "F64": D.float64, "C64": D.complex64}
_SPEC_NAMES = {dt: dt.name for dt in _CODES.values()}  # TensorSpec takes the long names


def _package():
    try:
        import safetensors
    except ImportError as e:  # an optional dependency: ember[hf]
        raise ImportError("ember.safetensors needs the 'safetensors' package "
                          "(pip install 'ember[hf]' or pip install safetensors)") from e
    return safetensors


# ---------------------------------------------------------------------------------
# saving
# ---------------------------------------------------------------------------------
def _memory_range(t):
    arr = t._data
    from .serialization import _memory_owner
    owner = _memory_owner(arr)
    # a device owner is keyed by its address: CuPy may hand out a new object per .base
    key = ("cuda", data_ptr(owner)) if is_device_array(owner) else id(owner)
    return key, _ptr(arr), _ptr(arr) + arr.nbytes


def _find_shared(tensors):
    """Groups of names whose tensors overlap in memory (views, tied weights)."""
    by_owner = defaultdict(list)
    for name, t in tensors.items():
        if t._device is META or t._data.size == 0:
            continue
        owner, start, stop = _memory_range(t)
        by_owner[owner].append((start, stop, name))
    groups = []
    for spans in by_owner.values():
        spans.sort()
        current, end = [], None
        for start, stop, name in spans:
            if current and start < end:
                current.append(name)
                end = max(end, stop)
            else:
                if len(current) > 1:
                    groups.append(set(current))
                current, end = [name], stop
        if len(current) > 1:
            groups.append(set(current))
    return groups


def _specs(tensors):
    """(TensorSpec dict, arrays to keep alive) after safetensors.torch's checks."""
    safetensors = _package()
    if not isinstance(tensors, dict):
        raise TypeError(f"expected a dict of str -> Tensor, got {type(tensors).__name__}")
    for name, t in tensors.items():
        if not isinstance(name, str):
            raise TypeError(f"tensor names must be str, got {name!r}")
        if not isinstance(t, Tensor):
            raise TypeError(f"Key `{name}` is invalid, expected ember.Tensor but received "
                            f"{type(t).__name__}")
        if t._device is META:
            raise ValueError(f"Tensor `{name}` is on the meta device and has no data to save")
        if t.dtype not in _SPEC_NAMES:
            raise ValueError(f"Tensor `{name}` has dtype {t.dtype}, which the safetensors "
                             "format cannot store")
        if not t._data.flags.c_contiguous:
            raise ValueError(
                f"You are trying to save a non contiguous tensor: `{name}` which is not "
                "allowed. It either means you are trying to save tensors which are reference "
                "of each other in which case it's recommended to save only the full tensors, "
                "and reslice at load time, or simply call `.contiguous()` on your tensor to "
                "pack it before saving.")
    shared = _find_shared(tensors)
    if shared:
        raise RuntimeError(
            f"Some tensors share memory, this will lead to duplicate memory on disk and "
            f"potential differences when loading them again: {sorted(map(sorted, shared))}.\n"
            "A potential way to correctly save your model is to use "
            "`ember.safetensors.save_model`.")
    specs, alive = {}, []
    for name, t in tensors.items():
        # cuda tensors are copied to the host first (as safetensors.torch does)
        arr = np.asarray(to_host(t._data), order="C")  # ascontiguousarray makes 0-dim 1-dim
        alive.append(arr)
        specs[name] = safetensors.TensorSpec(dtype=_SPEC_NAMES[t.dtype], shape=list(arr.shape),
                                             data_ptr=arr.ctypes.data, data_len=arr.nbytes)
    return specs, alive


def _check_metadata(metadata):
    if metadata is None:
        return None
    if not isinstance(metadata, dict) or not all(
            isinstance(k, str) and isinstance(v, str) for k, v in metadata.items()):
        raise TypeError("metadata must be a dict of str -> str")
    return metadata


def save(tensors, metadata=None):
    """The safetensors bytes of a dict of tensors.

    >>> data = ember.safetensors.save({"w": ember.ones(2)})
    >>> ember.safetensors.load(data)["w"]
    tensor([1., 1.])
    """
    specs, alive = _specs(tensors)
    out = bytes(_package().serialize(specs, metadata=_check_metadata(metadata)))
    del alive
    return out


def save_file(tensors, filename, metadata=None):
    """Write a dict of tensors to ``filename`` (atomically: temp file, fsync, rename).

    >>> ember.safetensors.save_file({"w": ember.ones(2)}, "model.safetensors")
    """
    specs, alive = _specs(tensors)
    metadata = _check_metadata(metadata)
    path = os.fspath(filename)
    directory = os.path.dirname(os.path.abspath(path))
    fd, tmp = tempfile.mkstemp(prefix="." + os.path.basename(path) + ".", suffix=".tmp",
                               dir=directory)
    os.close(fd)
    try:
        _package().serialize_file(specs, tmp, metadata=metadata)
        with open(tmp, "rb+") as f:
            os.fsync(f.fileno())
        from .serialization import _file_mode
        os.chmod(tmp, _file_mode(path))
        os.replace(tmp, path)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(tmp)
        raise
    del alive


# ---------------------------------------------------------------------------------
# loading
# ---------------------------------------------------------------------------------
def _to_tensor(arr, name, device):
    try:
        dtype = D._FROM_NP[arr.dtype]
    except KeyError:
        raise TypeError(f"Tensor `{name}` has dtype {arr.dtype}, which ember does not "
                        "support") from None
    if isinstance(device, int) and not isinstance(device, bool):
        device = f"cuda:{device}"   # safetensors' device=0 means cuda:0
    dev = as_device(device)
    if dev is META:
        return _wrap(meta_array(arr.shape, dtype.np), META)
    if not arr.flags.writeable:
        arr = arr.copy()
    t = _wrap(arr)
    return t if dev is CPU else t.to(dev)


def load(data):
    """Tensors from safetensors bytes (as made by :func:`save` or any safetensors writer).

    >>> ember.safetensors.load(ember.safetensors.save({"w": ember.ones(2)}))["w"]
    tensor([1., 1.])
    """
    out = {}
    for name, info in _package().deserialize(bytes(data)):
        code = info["dtype"]
        if code not in _CODES:
            raise TypeError(f"Tensor `{name}` has dtype {code}, which ember does not support")
        arr = np.frombuffer(info["data"], dtype=_CODES[code].np).reshape(info["shape"])
        out[name] = _to_tensor(arr, name, "cpu")
    return out


class safe_open:
    """Lazy access to a safetensors file: ``keys()``, ``get_tensor(name)``,
    ``get_slice(name)[...]``, ``metadata()``.  Use it as a context manager.

    >>> with ember.safetensors.safe_open("model.safetensors", framework="pt") as f:
    ...     w = f.get_tensor("w")
    """

    def __init__(self, filename, framework="pt", device="cpu"):
        if framework not in ("pt", "torch", "np", "numpy", "ember"):
            raise ValueError(f"framework {framework!r} is not supported by ember.safetensors")
        self.device = device
        self._file = _package().safe_open(os.fspath(filename), framework="np")

    def __enter__(self):
        self._file.__enter__()
        return self

    def __exit__(self, *exc):
        return self._file.__exit__(*exc)

    def keys(self):
        return self._file.keys()

    def offset_keys(self):
        return self._file.offset_keys()

    def metadata(self):
        return self._file.metadata()

    def get_tensor(self, name):
        return _to_tensor(self._file.get_tensor(name), name, self.device)

    def get_slice(self, name):
        return _Slice(self._file.get_slice(name), name, self.device)


class _Slice:
    """``f.get_slice(name)``: read only the indexed part of one tensor."""

    def __init__(self, inner, name, device):
        self._inner, self._name, self._device = inner, name, device

    def get_shape(self):
        return self._inner.get_shape()

    def get_dtype(self):
        return self._inner.get_dtype()

    def __getitem__(self, index):
        return _to_tensor(np.asarray(self._inner[index]), self._name, self._device)


def load_file(filename, device="cpu"):
    """All tensors of a safetensors file as a dict.

    >>> ember.safetensors.load_file("model.safetensors")["w"]
    tensor([1., 1.])
    """
    with safe_open(filename, framework="pt", device=device) as f:
        return {name: f.get_tensor(name) for name in f.offset_keys()}


# ---------------------------------------------------------------------------------
# models with tied weights, sharded checkpoints
# ---------------------------------------------------------------------------------
def _is_complete(t):
    from .serialization import _memory_owner
    owner = _memory_owner(t._data)
    return t._data.flags.c_contiguous and _ptr(t._data) == _ptr(owner) \
        and t._data.nbytes == owner.nbytes


def _dedupe(state_dict):
    """Names to drop so each shared storage is saved once: {dropped: kept}."""
    removed = {}
    for group in _find_shared(state_dict):
        complete = sorted(n for n in group if _is_complete(state_dict[n]))
        if not complete:
            raise RuntimeError(
                f"Error while trying to find names to remove to save state dict, but found "
                f"no suitable name to keep for saving amongst: {sorted(group)}. None is "
                "covering the entire storage. Refusing to save/load the model since you "
                "could be storing much more memory than needed.")
        keep = complete[0]
        for name in sorted(group):
            if name != keep:
                removed[name] = keep
    return removed


def save_model(model, filename, metadata=None, force_contiguous=False):
    """Save ``model.state_dict()``, storing tied weights once (like safetensors.torch).

    >>> ember.safetensors.save_model(model, "model.safetensors")
    """
    state_dict = model.state_dict()
    removed = _dedupe(state_dict)
    state_dict = {k: v for k, v in state_dict.items() if k not in removed}
    if force_contiguous:
        state_dict = {k: v.contiguous() for k, v in state_dict.items()}
    metadata = dict(_check_metadata(metadata) or {})
    for dropped, kept in removed.items():
        metadata.setdefault(dropped, kept)
    try:
        save_file(state_dict, filename, metadata=metadata or None)
    except ValueError as e:
        raise ValueError(f"{e}\nOr use save_model(..., force_contiguous=True); read "
                         "https://huggingface.co/docs/safetensors/torch_shared_tensors") from e


def load_model(model, filename, strict=True, device="cpu"):
    """Load a file saved by :func:`save_model` (or safetensors.torch) into ``model``.

    Returns ``(missing, unexpected)`` names; with ``strict`` they raise instead.  Names
    missing only because they are tied to a loaded tensor do not count.

    >>> missing, unexpected = ember.safetensors.load_model(model, "model.safetensors")
    """
    state_dict = load_file(filename, device=device)
    model_sd = model.state_dict()
    tied = set(_dedupe(model_sd))
    missing = sorted(set(model_sd) - set(state_dict) - tied)
    unexpected = sorted(set(state_dict) - set(model_sd))
    if strict and (missing or unexpected):
        parts = []
        if missing:
            parts.append("Missing key(s) in state_dict: " + ", ".join(f'"{k}"' for k in missing))
        if unexpected:
            parts.append("Unexpected key(s) in state_dict: "
                         + ", ".join(f'"{k}"' for k in unexpected))
        raise RuntimeError(f"Error(s) in loading state_dict for {type(model).__name__}:\n\t"
                           + "\n\t".join(parts))
    model.load_state_dict(state_dict, strict=False)
    return missing, unexpected


def load_sharded(path, device="cpu", strict=True):
    """One state dict from a sharded checkpoint: a folder holding
    ``model.safetensors.index.json`` or the index file itself.

    >>> sd = ember.safetensors.load_sharded("checkpoints/llama")
    """
    path = os.fspath(path)
    index = os.path.join(path, "model.safetensors.index.json") if os.path.isdir(path) else path
    with open(index, encoding="utf-8") as f:
        weight_map = json.load(f).get("weight_map")
    if not isinstance(weight_map, dict):
        raise ValueError(f"{index} has no 'weight_map'")
    folder = os.path.dirname(os.path.abspath(index))
    out = {}
    for shard in dict.fromkeys(weight_map.values()):
        if os.path.basename(shard) != shard:
            raise ValueError(f"shard file names must be plain names, got {shard!r}")
        wanted = {k for k, v in weight_map.items() if v == shard}
        with safe_open(os.path.join(folder, shard), framework="pt", device=device) as f:
            keys = set(f.keys())
            if strict and wanted - keys:
                raise KeyError(f"{shard} lacks tensors listed in the index: "
                               f"{sorted(wanted - keys)}")
            for name in sorted(wanted & keys):
                out[name] = f.get_tensor(name)
    return {k: out[k] for k in weight_map if k in out}


_UNITS = {"B": 1, "KB": 10**3, "MB": 10**6, "GB": 10**9, "KIB": 2**10, "MIB": 2**20,
          "GIB": 2**30}


def _parse_size(size):
    if isinstance(size, int):
        return size
    text = str(size).strip().upper()
    for unit in sorted(_UNITS, key=len, reverse=True):
        if text.endswith(unit):
            return int(float(text[:-len(unit)]) * _UNITS[unit])
    return int(text)


def save_sharded(state_dict, folder, max_shard_size="5GB", metadata=None):
    """Split a state dict into ``model-0000i-of-0000n.safetensors`` files of at most
    ``max_shard_size`` (one tensor never splits) plus ``model.safetensors.index.json``,
    the layout Hugging Face checkpoints use.  A single shard is ``model.safetensors``.

    >>> ember.safetensors.save_sharded(model.state_dict(), "out", max_shard_size="2GB")
    """
    limit = _parse_size(max_shard_size)
    shards, current, size = [], {}, 0
    for name, t in state_dict.items():
        nbytes = t.nbytes if isinstance(t, Tensor) else 0
        if current and size + nbytes > limit:
            shards.append(current)
            current, size = {}, 0
        current[name] = t
        size += nbytes
    if current or not shards:
        shards.append(current)
    os.makedirs(folder, exist_ok=True)
    if len(shards) == 1:
        save_file(shards[0], os.path.join(folder, "model.safetensors"), metadata=metadata)
        return
    weight_map, total = {}, 0
    for i, shard in enumerate(shards, 1):
        fname = f"model-{i:05d}-of-{len(shards):05d}.safetensors"
        save_file(shard, os.path.join(folder, fname), metadata=metadata)
        for name, t in shard.items():
            weight_map[name] = fname
            total += t.nbytes
    index = {"metadata": {"total_size": total}, "weight_map": weight_map}
    from .serialization import _atomic_write
    data = json.dumps(index, indent=2, sort_keys=True).encode("utf-8")
    _atomic_write(os.path.join(folder, "model.safetensors.index.json"),
                  lambda f: f.write(data))

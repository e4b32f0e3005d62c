"""Checkpoints in torch's file format: ``ember.save`` and ``ember.load``.

A checkpoint is a zip archive (entries stored uncompressed, each aligned to 64 bytes so
storages can be memory-mapped) holding ``<root>/data.pkl``, ``<root>/data/<key>`` (one
record of raw little-endian bytes per storage), ``version``, ``byteorder`` and a few
small marker records.  ``data.pkl`` pickles the object with every tensor written as
``torch._utils._rebuild_tensor_v2(storage, offset, size, stride, requires_grad, hooks)``
and every storage as the persistent id ``('storage', torch.<Type>Storage, key, location,
numel)``, exactly as torch writes them, so torch and ember read each other's files.

Safety: ``load`` defaults to ``weights_only=True``: a restricted unpickler resolves only
the globals that tensors and plain containers need (mapped to ember objects; torch is
never imported) and refuses anything else with ``pickle.UnpicklingError`` before the
global is imported or called.  ``add_safe_globals`` / ``safe_globals`` allow more,
``weights_only=False`` trusts the file completely.

Saving to a path writes a temporary file in the target's directory, fsyncs it and
renames it over the target, so a crash mid-save never destroys the previous file.
"""
import _compat_pickle
import collections
import contextlib
import io
import mmap as _mmap
import os
import pickle
import struct
import sys
import tempfile
import zipfile

import numpy as np

from . import _dtype as D
from ._device import (CPU, META, as_device, as_strided, data_ptr, device as _device,
                      is_device_array, memory_owner, meta_array, move_array, xp_for)
from ._tensor import Size, Tensor, _ptr, _torch_strides, _wrap

__all__ = ["save", "load", "add_safe_globals", "get_safe_globals", "clear_safe_globals",
           "safe_globals", "get_unsafe_globals_in_checkpoint", "CheckpointError",
           "DEFAULT_PROTOCOL"]

DEFAULT_PROTOCOL = 2
_ALIGNMENT = 64
_LEGACY_MAGIC = 0x1950a86a20f9469cfc6c
_LEGACY_PROTOCOL = 1001
_CHUNK = 1 << 26


class CheckpointError(RuntimeError):
    """A checkpoint that is corrupt, truncated or in a format ember cannot read."""


# ---------------------------------------------------------------------------------
# torch's names, spelled without importing torch
# ---------------------------------------------------------------------------------
class _TorchName:
    """Stand-in for a torch global: pickles as ``GLOBAL module name`` (ember never
    imports torch to write it)."""

    __slots__ = ("module", "name")

    def __init__(self, module, name):
        self.module = module
        self.name = name

    def __call__(self, *args):  # pickle requires reduce callables to be callable
        raise RuntimeError(f"{self.module}.{self.name} is a placeholder for pickling")

    def __repr__(self):
        return f"{self.module}.{self.name}"


_STORAGE_NAMES = {
    D.bool: "BoolStorage", D.uint8: "ByteStorage", D.int8: "CharStorage",
    D.int16: "ShortStorage", D.int32: "IntStorage", D.int64: "LongStorage",
    D.float16: "HalfStorage", D.bfloat16: "BFloat16Storage", D.float32: "FloatStorage",
    D.float64: "DoubleStorage", D.complex64: "ComplexFloatStorage",
    D.complex128: "ComplexDoubleStorage",
}
_W_STORAGE = {dt: _TorchName("torch", n) for dt, n in _STORAGE_NAMES.items()}
_W_REBUILD_V2 = _TorchName("torch._utils", "_rebuild_tensor_v2")
_W_REBUILD_PARAM = _TorchName("torch._utils", "_rebuild_parameter")
_W_REBUILD_PARAM_STATE = _TorchName("torch._utils", "_rebuild_parameter_with_state")
_W_REBUILD_META = _TorchName("torch._utils", "_rebuild_meta_tensor_no_storage")
_W_FROM_TYPE = _TorchName("torch._tensor", "_rebuild_from_type_v2")
_W_TENSOR = _TorchName("torch", "Tensor")
_W_DEVICE = _TorchName("torch", "device")
_W_SIZE = _TorchName("torch", "Size")


# ---------------------------------------------------------------------------------
# saving
# ---------------------------------------------------------------------------------
_memory_owner = memory_owner   # looks through expand's as_strided wrapper


def _host_view(arr, cache):
    """A NumPy array with device array ``arr``'s values and layout.

    The owner of ``arr``'s device memory is copied to the host once per save (``cache``),
    and ``arr`` is rebuilt on that copy with its offset and strides, so cuda tensors
    that share memory still share one storage in the file, as torch writes them.
    """
    owner = memory_owner(arr)
    key = (data_ptr(owner), owner.nbytes)
    entry = cache.get(key)
    if entry is None:
        if owner.flags.c_contiguous:
            host = owner.get()
        elif owner.flags.f_contiguous:
            host = owner.get(order="F")
        else:
            host = None
        entry = cache[key] = (owner, host)   # the owner is kept alive: its address is the key
    host = entry[1]
    if host is not None and arr.size:
        try:
            return np.ndarray(arr.shape, dtype=arr.dtype, buffer=host,
                              offset=data_ptr(arr) - data_ptr(owner), strides=arr.strides)
        except (ValueError, TypeError):
            pass   # a layout NumPy cannot describe on that buffer: copy it on its own
    return arr.get()


def _user_state(t):
    from ._tensor_pickle import _INTERNAL
    return {k: v for k, v in t.__dict__.items() if k not in _INTERNAL}


class _Storage:
    """One storage to write: its record key, bytes (a uint8 view) and element dtype."""

    __slots__ = ("key", "owner", "dtype", "numel", "data", "location")

    def __init__(self, key, owner, dtype, data, location="cpu"):
        self.key, self.owner, self.dtype, self.data = key, owner, dtype, data
        self.location = location   # torch's location string: 'cpu', 'cuda:0'
        self.numel = data.nbytes // dtype.itemsize


def _contiguous_bytes(root):
    """The bytes of a C- or F-contiguous array in memory order, as a 1-d uint8 view."""
    flat = root.reshape(-1, order="A") if root.ndim != 1 else root
    return flat.view(np.uint8)


class _Pickler(pickle._Pickler):
    """The pure-Python pickler with torch's reductions for tensors, dtypes, devices and
    sizes.  The pure-Python one is used because only it lets a subclass write a GLOBAL
    opcode for a module (torch) that must not be imported."""

    dispatch = dict(pickle._Pickler.dispatch)

    def __init__(self, file, protocol, legacy=False):
        super().__init__(file, protocol)
        self.legacy = legacy  # torch's pre-1.6 format adds a view-metadata slot
        self.storages = {}    # id(memory owner) -> _Storage
        self.records = []     # _Storage in key order
        self.host_copies = {}  # (address, nbytes) of a device owner -> its host copy

    # -- torch globals ---------------------------------------------------------------
    def _write_global(self, obj, module, name):
        if self.proto >= 4:
            self.save(module)
            self.save(name)
            self.write(pickle.STACK_GLOBAL)
        else:
            self.write(pickle.GLOBAL + module.encode("utf-8") + b"\n"
                       + name.encode("utf-8") + b"\n")
        self.memoize(obj)

    def _save_torch_name(self, obj):
        self._write_global(obj, obj.module, obj.name)

    def _save_dtype(self, obj):
        self._write_global(obj, "torch", obj.name)

    def _save_device(self, obj):
        self.save_reduce(_W_DEVICE, (str(obj),), obj=obj)

    def _save_size(self, obj):
        self.save_reduce(_W_SIZE, (tuple(obj),), obj=obj)

    dispatch[_TorchName] = _save_torch_name
    dispatch[D.dtype] = _save_dtype
    dispatch[_device] = _save_device
    dispatch[Size] = _save_size

    # -- tensors ---------------------------------------------------------------------
    def persistent_id(self, obj):
        if type(obj) is _Storage:
            pid = ("storage", _W_STORAGE[obj.dtype], obj.key, obj.location, obj.numel)
            return pid + (None,) if self.legacy else pid
        return None

    def reducer_override(self, obj):
        if not isinstance(obj, Tensor):
            return NotImplemented
        from .nn.parameter import Parameter
        if isinstance(obj, Parameter):
            hooks = collections.OrderedDict()
            data = obj.detach()
            state = _user_state(obj)
            if state:
                return (_W_REBUILD_PARAM_STATE, (data, obj._rg, hooks, state))
            return (_W_REBUILD_PARAM, (data, obj._rg, hooks))
        args = self._tensor_args(obj)
        state = _user_state(obj)
        if state:  # a tensor carrying user attributes: torch's _rebuild_from_type_v2
            func = _W_REBUILD_META if obj._device is META else _W_REBUILD_V2
            return (_W_FROM_TYPE, (func, _W_TENSOR, args, state))
        if obj._device is META:
            return (_W_REBUILD_META, args)
        return (_W_REBUILD_V2, args)

    def _tensor_args(self, t):
        arr = t._data
        dtype = t.dtype
        if t._device is META:
            return (dtype, tuple(arr.shape), t.stride(), t._rg)
        location = "cpu"
        if t._device.type == "cuda":
            # NOTE: torch writes a cuda tensor's storage with its device as the location
            # ('cuda:0'); loading it back needs cuda or a map_location.
            location = str(t._device)
            arr = _host_view(arr, self.host_copies)
        storage, offset, strides = self._storage_for(arr, dtype, location)
        return (storage, offset, tuple(arr.shape), strides, t._rg, collections.OrderedDict())

    def _storage_for(self, arr, dtype, location="cpu"):
        """(storage, offset, strides) for ``arr``; tensors sharing memory share a storage."""
        item = dtype.itemsize
        owner = _memory_owner(arr)
        shareable = (arr.size > 0 and (owner.flags.c_contiguous or owner.flags.f_contiguous)
                     and owner.nbytes % item == 0
                     and all(s >= 0 and s % item == 0 for s in arr.strides))
        if shareable:
            delta = _ptr(arr) - _ptr(owner)
            shareable = delta >= 0 and delta % item == 0
        if not shareable:
            # NOTE: memory torch cannot describe (negative strides, odd offsets, an empty
            # view) is saved as a fresh contiguous storage of its own.
            own = np.array(arr, order="C", copy=True)
            return self._new_storage(own, own, dtype, location), 0, _contiguous(arr.shape)
        entry = self.storages.get(id(owner))
        if entry is None:
            entry = self._new_storage(owner, _contiguous_bytes(owner), dtype, location)
            self.storages[id(owner)] = entry
        elif entry.dtype is not dtype:
            raise RuntimeError(
                "Cannot save multiple tensors or storages that view the same data as "
                f"different types ({entry.dtype} and {dtype})")
        offset = (_ptr(arr) - _ptr(owner)) // item
        return entry, offset, _torch_strides(arr)

    def _new_storage(self, owner, data, dtype, location="cpu"):
        if data.dtype != np.uint8:
            data = _contiguous_bytes(data)
        st = _Storage(str(len(self.records)), owner, dtype, data, location)
        self.records.append(st)
        return st


def _contiguous(shape):
    strides, acc = [], 1
    for s in reversed(shape):
        strides.append(acc)
        acc *= max(s, 1)
    return tuple(reversed(strides))


def _pickle_payload(obj, pickle_protocol, legacy=False):
    buf = io.BytesIO()
    pickler = _Pickler(buf, pickle_protocol, legacy)
    pickler.dump(obj)
    return buf.getvalue(), pickler.records


def _write_record(zf, name, data):
    """Write one uncompressed entry whose data starts on a 64-byte boundary."""
    info = zipfile.ZipInfo(name, date_time=(1980, 1, 1, 0, 0, 0))
    info.compress_type = zipfile.ZIP_STORED
    data = memoryview(data).cast("B") if not isinstance(data, bytes) else data
    info.file_size = len(data)
    zip64 = info.file_size * 1.05 > zipfile.ZIP64_LIMIT
    start = zf.fp.tell() + 30 + len(name.encode("utf-8")) + (20 if zip64 else 0) + 4
    pad = (-start) % _ALIGNMENT
    info.extra = b"FB" + struct.pack("<H", pad) + b"Z" * pad
    with zf.open(info, "w", force_zip64=zip64) as out:
        for i in range(0, len(data), _CHUNK):
            out.write(data[i:i + _CHUNK])


def _write_archive(fileobj, archive, payload, records):
    with zipfile.ZipFile(fileobj, "w", compression=zipfile.ZIP_STORED) as zf:
        _write_record(zf, f"{archive}/data.pkl", payload)
        _write_record(zf, f"{archive}/.format_version", b"1")
        _write_record(zf, f"{archive}/.storage_alignment", str(_ALIGNMENT).encode())
        _write_record(zf, f"{archive}/byteorder", sys.byteorder.encode())
        for st in records:
            _write_record(zf, f"{archive}/data/{st.key}", st.data)
        _write_record(zf, f"{archive}/version", b"3\n")
        serial_id = "".join(str(b % 10) for b in os.urandom(40))
        _write_record(zf, f"{archive}/.data/serialization_id", serial_id.encode())


def _write_legacy(fileobj, payload, records, pickle_protocol):
    """torch's pre-1.6 format: magic, protocol, sys info, the object, keys, raw storages."""
    dump = lambda o: pickle.dump(o, fileobj, protocol=pickle_protocol)  # noqa: E731
    dump(_LEGACY_MAGIC)
    dump(_LEGACY_PROTOCOL)
    dump({"protocol_version": _LEGACY_PROTOCOL, "little_endian": sys.byteorder == "little",
          "type_sizes": {"short": 2, "int": 4, "long": 4}})
    fileobj.write(payload)
    dump([st.key for st in records])
    for st in records:
        fileobj.write(struct.pack("<q", st.numel))
        fileobj.write(memoryview(st.data).cast("B"))


def _archive_name(path):
    base = os.path.basename(path).split(".")[0]
    return base or "archive"


def save(obj, f, pickle_module=None, pickle_protocol=DEFAULT_PROTOCOL,
         _use_new_zipfile_serialization=True, _disable_byteorder_record=False):
    """Save ``obj`` to ``f`` (a path or a writable binary file) in torch's format.

    Files saved here load with ``torch.load(f, weights_only=True)`` and with
    :func:`load`.  Saving to a path is atomic: a temporary file in the same directory
    is written, fsynced and renamed over the target.

    >>> ember.save({"w": ember.ones(2)}, "ckpt.pt")
    >>> ember.load("ckpt.pt")["w"]
    tensor([1., 1.])
    """
    if pickle_module is not None and pickle_module is not pickle:
        raise NotImplementedError("ember.save: only the standard pickle module is supported")
    if not isinstance(pickle_protocol, int) or not 2 <= pickle_protocol <= pickle.HIGHEST_PROTOCOL:
        raise ValueError(f"ember.save: pickle_protocol must be in 2..{pickle.HIGHEST_PROTOCOL}, "
                         f"got {pickle_protocol!r}")
    payload, records = _pickle_payload(obj, pickle_protocol,
                                       legacy=not _use_new_zipfile_serialization)

    def write(fileobj, archive):
        if _use_new_zipfile_serialization:
            _write_archive(fileobj, archive, payload, records)
        else:
            _write_legacy(fileobj, payload, records, pickle_protocol)

    if isinstance(f, (str, os.PathLike)):
        path = os.fspath(f)
        if isinstance(path, bytes):
            path = os.fsdecode(path)
        _atomic_write(path, lambda fileobj: write(fileobj, _archive_name(path)))
    elif hasattr(f, "write"):
        write(f, "archive")
        if hasattr(f, "flush"):
            f.flush()
    else:
        raise TypeError(f"ember.save: f must be a path or a writable file, not {type(f).__name__}")


def _atomic_write(path, writer):
    """Run ``writer(fileobj)`` on a temporary file, then rename it over ``path``."""
    directory = os.path.dirname(os.path.abspath(path))
    if not os.path.isdir(directory):
        raise RuntimeError(f"Parent directory {directory} does not exist.")
    fd, tmp = tempfile.mkstemp(prefix="." + os.path.basename(path) + ".", suffix=".tmp",
                               dir=directory)
    try:
        with os.fdopen(fd, "wb") as fileobj:
            writer(fileobj)
            fileobj.flush()
            os.fsync(fileobj.fileno())
        os.chmod(tmp, _file_mode(path))
        os.replace(tmp, path)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(tmp)
        raise
    with contextlib.suppress(OSError):  # make the rename itself durable
        dfd = os.open(directory, os.O_RDONLY)
        try:
            os.fsync(dfd)
        finally:
            os.close(dfd)


def _file_mode(path):
    try:
        return os.stat(path).st_mode & 0o7777
    except OSError:
        umask = os.umask(0)
        os.umask(umask)
        return 0o666 & ~umask


# ---------------------------------------------------------------------------------
# loading: torch's globals as ember objects
# ---------------------------------------------------------------------------------
class _StorageType:
    """What ``torch.FloatStorage`` & co. resolve to: the element dtype of a storage."""

    __slots__ = ("name", "dtype")

    def __init__(self, name, dtype):
        self.name, self.dtype = name, dtype

    def __repr__(self):
        return f"torch.{self.name}"


class _LoadedStorage:
    """A storage read from a checkpoint: a 1-d array and the tensor anchoring it."""

    __slots__ = ("array", "dtype", "device", "anchor")

    def __init__(self, array, dtype, device):
        if device.type == "cuda":
            array = move_array(array, device)   # one device copy; tensors view it
        self.array, self.dtype, self.device = array, dtype, device
        self.anchor = _wrap(array, device) if device is not META else None


class MappedStorage:
    """The storage a ``map_location`` callable receives (torch passes its
    UntypedStorage): ``.cpu()`` / ``.to(device)`` / ``.cuda()`` choose where it goes."""

    def __init__(self, nbytes, device=CPU):
        self._nbytes = nbytes
        self.device = device

    def nbytes(self):
        return self._nbytes

    def size(self):
        return self._nbytes

    __len__ = size

    def cpu(self):
        return MappedStorage(self._nbytes, CPU)

    def to(self, device=None, **kwargs):
        return MappedStorage(self._nbytes, _device(str(device)))

    def cuda(self, device=None, non_blocking=False):
        dev = "cuda" if device is None else (
            f"cuda:{device}" if isinstance(device, int) else str(device))
        return MappedStorage(self._nbytes, _device(dev))


def _check_ints(name, values):
    if not isinstance(values, (tuple, list)) or not all(
            isinstance(v, int) and not isinstance(v, bool) for v in values):
        raise CheckpointError(f"ember.load: tensor {name} must be a tuple of ints, got {values!r}")
    return tuple(values)


def _rebuild_tensor_v2(storage, storage_offset, size, stride, requires_grad=False,
                       backward_hooks=None, metadata=None):
    """A tensor viewing ``storage`` (torch._utils._rebuild_tensor_v2)."""
    if not isinstance(storage, _LoadedStorage):
        raise CheckpointError(f"ember.load: expected a storage, got {type(storage).__name__}")
    size = _check_ints("size", size)
    stride = _check_ints("stride", stride)
    if not isinstance(storage_offset, int) or storage_offset < 0 or len(size) != len(stride) \
            or any(s < 0 for s in size) or any(s < 0 for s in stride):
        raise CheckpointError(f"ember.load: invalid tensor geometry (offset={storage_offset!r}, "
                              f"size={size}, stride={stride})")
    dtype = storage.dtype
    if storage.device is META:
        t = _wrap(meta_array(size, dtype.np), META)
    elif 0 in size:
        dev = storage.device
        t = _wrap(xp_for(dev).empty(size, dtype=dtype.np), dev)
    else:
        last = storage_offset + sum((n - 1) * s for n, s in zip(size, stride))
        if last >= storage.array.size:
            raise CheckpointError(
                f"ember.load: a tensor of size {list(size)}, stride {list(stride)} and offset "
                f"{storage_offset} needs {last + 1} elements, but its storage has "
                f"{storage.array.size}")
        item = dtype.itemsize
        if storage.device.type == "cuda":
            arr = _device_view(storage.array, storage_offset, size, stride, item)
        else:
            arr = np.ndarray(size, dtype=dtype.np, buffer=storage.array,
                             offset=storage_offset * item, strides=[s * item for s in stride])
        t = _wrap(arr, storage.device)
        t._storage_base = storage.anchor
    if requires_grad:
        t.requires_grad_(True)
    return t


def _device_view(flat, offset, size, stride, item):
    """A view of 1-d device array ``flat`` with torch's geometry (element strides)."""
    numel = 1
    for n in size:
        numel *= n
    if tuple(stride) == _contiguous(size):
        return flat[offset:offset + numel].reshape(size)
    return as_strided(flat[offset:], size, tuple(s * item for s in stride))


def _rebuild_tensor(storage, storage_offset, size, stride):
    return _rebuild_tensor_v2(storage, storage_offset, size, stride)


def _rebuild_meta_tensor_no_storage(dtype, size, stride, requires_grad=False):
    if not isinstance(dtype, D.dtype):
        raise CheckpointError(f"ember.load: expected a dtype, got {dtype!r}")
    t = _wrap(meta_array(_check_ints("size", size), dtype.np), META)
    if requires_grad:
        t.requires_grad_(True)
    return t


def _set_state(obj, state):
    """Attributes a checkpoint stores on a tensor; ember's own fields are refused."""
    from ._tensor_pickle import _INTERNAL
    if isinstance(state, tuple) and len(state) == 2:  # (dict state, slots state)
        dict_state, slots = state
        state = dict(dict_state or {}, **(slots or {}))
    if not state:
        return obj
    if not isinstance(state, dict):
        raise CheckpointError(f"ember.load: invalid tensor state {type(state).__name__}")
    for k, v in state.items():
        # a file may add attributes, never shadow ember's fields or Tensor's methods
        if not isinstance(k, str) or k in _INTERNAL or hasattr(type(obj), k):
            raise pickle.UnpicklingError(f"ember.load: refusing to set attribute {k!r} "
                                         "on a tensor")
        obj.__dict__[k] = v
    return obj


def _rebuild_parameter(data, requires_grad, backward_hooks=None):
    from .nn.parameter import Parameter
    if not isinstance(data, Tensor):
        raise CheckpointError("ember.load: a Parameter's data must be a tensor")
    return Parameter(data, bool(requires_grad))


def _rebuild_parameter_with_state(data, requires_grad, backward_hooks, state):
    return _set_state(_rebuild_parameter(data, requires_grad), state)


def _rebuild_from_type_v2(func, new_type, args, state):
    from .nn.parameter import Parameter
    if func not in (_rebuild_tensor_v2, _rebuild_tensor, _rebuild_meta_tensor_no_storage,
                    _rebuild_parameter, _rebuild_parameter_with_state):
        raise pickle.UnpicklingError(f"ember.load: unexpected rebuild function {func!r}")
    if not isinstance(args, tuple):
        raise CheckpointError("ember.load: rebuild arguments must be a tuple")
    t = func(*args)
    if new_type is Parameter and not isinstance(t, Parameter):
        t = Parameter(t, t._rg)
    elif new_type not in (Tensor, Parameter):
        raise pickle.UnpicklingError(f"ember.load: unexpected tensor type {new_type!r}")
    return _set_state(t, state)


def _rebuild_device_tensor_from_cpu_tensor(data, dtype, device, requires_grad):
    if not isinstance(data, Tensor):
        raise CheckpointError("ember.load: expected a tensor")
    t = data.to(dtype=dtype)
    if requires_grad:
        t.requires_grad_(True)
    return t


def _unsupported(kind):
    def rebuild(*args, **kwargs):
        raise CheckpointError(f"ember.load: the checkpoint holds a {kind} tensor, which ember "
                              "does not support")
    return rebuild


def _safe_encode(obj, encoding="utf-8", errors="strict"):
    # pickle protocol 2 writes bytes as _codecs.encode(str, 'latin1'): allow only that.
    if not isinstance(obj, str) or encoding not in ("latin1", "latin-1", "utf-8", "utf8") \
            or errors != "strict":
        raise pickle.UnpicklingError("ember.load: _codecs.encode is only allowed for bytes")
    return obj.encode(encoding)


def _safe_bytearray(*args):
    if not args:
        return bytearray()
    if len(args) == 1 and isinstance(args[0], (bytes, bytearray)):
        return bytearray(args[0])
    if len(args) == 2 and isinstance(args[0], str) and args[1] in ("latin1", "latin-1"):
        return bytearray(args[0], args[1])
    raise pickle.UnpicklingError("ember.load: bytearray() is only allowed from bytes")


def _get_layout(name):
    import ember
    layout = getattr(ember, str(name).replace("torch.", ""), None)
    if layout is None:
        raise CheckpointError(f"ember.load: unknown layout {name!r}")
    return layout


def _torch_globals():
    """'torch.name' -> ember object, for every torch global a weights-only load needs."""
    from .nn.parameter import Parameter
    g = {
        "torch._utils._rebuild_tensor_v2": _rebuild_tensor_v2,
        "torch._utils._rebuild_tensor": _rebuild_tensor,
        "torch._utils._rebuild_parameter": _rebuild_parameter,
        "torch._utils._rebuild_parameter_with_state": _rebuild_parameter_with_state,
        "torch._utils._rebuild_meta_tensor_no_storage": _rebuild_meta_tensor_no_storage,
        "torch._utils._rebuild_device_tensor_from_cpu_tensor":
            _rebuild_device_tensor_from_cpu_tensor,
        "torch._utils._rebuild_device_tensor_from_numpy": _unsupported("numpy-backed device"),
        "torch._utils._rebuild_tensor_v3": _unsupported("v3"),
        "torch._utils._rebuild_qtensor": _unsupported("quantized"),
        "torch._utils._rebuild_sparse_tensor": _unsupported("sparse"),
        "torch._utils._rebuild_nested_tensor": _unsupported("nested"),
        "torch._utils._rebuild_wrapper_subclass": _unsupported("wrapper-subclass"),
        "torch._tensor._rebuild_from_type_v2": _rebuild_from_type_v2,
        "torch.Tensor": Tensor,
        "torch._tensor.Tensor": Tensor,
        "torch.nn.parameter.Parameter": Parameter,
        "torch.Size": Size,
        "torch.device": _device,
        "torch.serialization._get_layout": _get_layout,
    }
    for dt in D.ALL_DTYPES:
        g["torch." + dt.name] = dt
    for alias, dt in (("half", D.float16), ("float", D.float32), ("double", D.float64),
                      ("short", D.int16), ("int", D.int32), ("long", D.int64),
                      ("cfloat", D.complex64), ("cdouble", D.complex128)):
        g["torch." + alias] = dt
    for dt, name in _STORAGE_NAMES.items():
        st = _StorageType(name, dt)
        for module in ("torch", "torch.cuda"):
            g[f"{module}.{name}"] = st
    for name in ("torch.UntypedStorage", "torch.storage.UntypedStorage",
                 "torch.ByteStorage", "torch.storage.TypedStorage"):
        g.setdefault(name, _StorageType("UntypedStorage", D.uint8))
    return g


# Python-level globals a weights-only load allows (besides torch's).
_PLAIN_GLOBALS = {
    "collections.OrderedDict": collections.OrderedDict,
    "collections.Counter": collections.Counter,
    "builtins.set": set,
    "builtins.frozenset": frozenset,
    "builtins.complex": complex,
    "builtins.slice": slice,
    "builtins.bytearray": _safe_bytearray,
    "_codecs.encode": _safe_encode,
}
# torch dtypes ember does not have: a clear error instead of "unsupported global".
_MISSING_DTYPES = frozenset(
    ["uint16", "uint32", "uint64", "float8_e4m3fn", "float8_e5m2", "float8_e4m3fnuz",
     "float8_e5m2fnuz", "float8_e8m0fnu", "qint8", "quint8", "qint32", "quint4x2",
     "complex32", "chalf", "bits8", "bits16"])

_TORCH = None


def _torch_map():
    global _TORCH
    if _TORCH is None:
        _TORCH = _torch_globals()
    return _TORCH


# -- user-registered safe globals (torch.serialization.add_safe_globals) ---------------
_SAFE = []


def _qualified(entry):
    if isinstance(entry, tuple):
        if len(entry) != 2 or not isinstance(entry[1], str):
            raise TypeError("safe global entries are objects or (object, 'module.name') pairs")
        return entry[1], entry[0]
    module = getattr(entry, "__module__", None)
    name = getattr(entry, "__qualname__", None) or getattr(entry, "__name__", None)
    if not module or not name:
        raise TypeError(f"cannot tell the module and name of {entry!r}; pass "
                        "(object, 'module.name')")
    return f"{module}.{name}", entry


def add_safe_globals(safe_globals):
    """Allow more globals in weights-only loads (classes or functions you trust).

    >>> ember.serialization.add_safe_globals([MyConfig])
    """
    for entry in safe_globals:
        _qualified(entry)
        _SAFE.append(entry)


def get_safe_globals():
    """The globals added by :func:`add_safe_globals`."""
    return list(_SAFE)


def clear_safe_globals():
    """Forget every global added by :func:`add_safe_globals`."""
    _SAFE.clear()


class safe_globals:
    """Context manager allowing ``globals`` in weights-only loads inside the block.

    >>> with ember.serialization.safe_globals([MyConfig]):
    ...     ember.load("ckpt.pt")
    """

    def __init__(self, safe_globals):
        self.safe_globals = list(safe_globals)

    def __enter__(self):
        self._saved = list(_SAFE)
        add_safe_globals(self.safe_globals)

    def __exit__(self, *exc):
        _SAFE[:] = self._saved
        return False


def _user_safe():
    return dict(_qualified(e) for e in _SAFE)


def _fix_imports(module, name):
    """Python 2 names (``__builtin__``) that protocol 2 pickles carry."""
    key = (module, name)
    if key in _compat_pickle.NAME_MAPPING:
        return _compat_pickle.NAME_MAPPING[key]
    return _compat_pickle.IMPORT_MAPPING.get(module, module), name


def _refused(full):
    short = full.rsplit(".", 1)[-1]
    return pickle.UnpicklingError(
        f"Weights only load failed: unsupported global {full} is not allowed by ember.load "
        f"with weights_only=True (nothing was imported or called). If you trust this "
        f"checkpoint, allow it with ember.serialization.add_safe_globals([{short}]) or the "
        "safe_globals context manager, or load with weights_only=False (which can run "
        "arbitrary code from the file).")


class _WeightsOnlyUnpickler(pickle._Unpickler):
    """Restricted unpickler: only allowlisted globals; BUILD only on containers and
    tensors; copyreg extension codes refused.  The pure-Python unpickler is used so
    these opcodes can be checked one by one."""

    dispatch = dict(pickle._Unpickler.dispatch)

    def __init__(self, file, persistent_load, **kwargs):
        super().__init__(file, **kwargs)
        self._persistent = persistent_load
        self._user = _user_safe()
        self._user_types = tuple(v for v in self._user.values() if isinstance(v, type))

    def persistent_load(self, pid):
        return self._persistent(pid)

    def find_class(self, module, name):
        if not isinstance(module, str) or not isinstance(name, str):
            raise pickle.UnpicklingError("ember.load: a global's name must be a string")
        module, name = _fix_imports(module, name)
        full = f"{module}.{name}"
        found = _torch_map().get(full, _PLAIN_GLOBALS.get(full))
        if found is not None:
            return found
        if full in self._user:
            return self._user[full]
        if module == "torch" and name in _MISSING_DTYPES:
            raise CheckpointError(f"ember.load: ember has no dtype torch.{name}")
        raise _refused(full)

    def _load_build(self):
        state = self.stack.pop()
        inst = self.stack[-1]
        if isinstance(inst, Tensor):
            _set_state(inst, state)
            return
        if type(inst) in (collections.OrderedDict, collections.Counter) \
                and isinstance(state, dict):
            for k, v in state.items():
                if not isinstance(k, str) or k.startswith("__"):
                    raise pickle.UnpicklingError(f"ember.load: refusing attribute {k!r}")
                inst.__dict__[k] = v
            return
        if self._user_types and isinstance(inst, self._user_types) \
                and not isinstance(inst, type):
            self.stack.append(state)
            pickle._Unpickler.load_build(self)
            return
        raise pickle.UnpicklingError(
            f"Weights only load failed: BUILD (setting state) on a {type(inst).__name__} "
            "object is not allowed with weights_only=True")

    def _load_ext(self):
        raise pickle.UnpicklingError("Weights only load failed: copyreg extension codes "
                                     "are not allowed with weights_only=True")

    dispatch[pickle.BUILD[0]] = _load_build
    for _op in (pickle.EXT1, pickle.EXT2, pickle.EXT4):
        dispatch[_op[0]] = _load_ext
    del _op


def _trusting_unpickler(base):
    """A full unpickler (weights_only=False) that still maps torch's globals to ember's."""

    class _Unpickler(base):
        def __init__(self, file, persistent_load, **kwargs):
            super().__init__(file, **kwargs)
            self._persistent = persistent_load

        def persistent_load(self, pid):
            return self._persistent(pid)

        def find_class(self, module, name):
            mod, nm = _fix_imports(module, name)
            full = f"{mod}.{nm}"
            found = _torch_map().get(full)
            if found is not None:
                return found
            if mod == "torch" or mod.startswith("torch."):
                import importlib
                try:
                    target = importlib.import_module("ember" + mod[len("torch"):])
                    for part in nm.split("."):
                        target = getattr(target, part)
                    return target
                except (ImportError, AttributeError):
                    raise pickle.UnpicklingError(
                        f"ember.load: the checkpoint needs torch's {full}, which ember does "
                        "not have") from None
            return super().find_class(module, name)

    return _Unpickler


def get_unsafe_globals_in_checkpoint(f):
    """The globals in a checkpoint that a weights-only load would refuse (nothing is
    unpickled).

    >>> ember.serialization.get_unsafe_globals_in_checkpoint("ckpt.pt")
    []
    """
    import pickletools
    with _opened(f) as fileobj:
        zf = _open_zip(fileobj)
        data = zf.read(_root(zf) + "data.pkl")
    user = _user_safe()
    found, strings = [], []
    for op, arg, _ in pickletools.genops(data):
        if op.name in ("SHORT_BINUNICODE", "BINUNICODE", "UNICODE", "BINUNICODE8"):
            strings.append(arg)
        if op.name in ("GLOBAL", "INST"):
            module, name = arg.split(" ", 1)
        elif op.name == "STACK_GLOBAL" and len(strings) >= 2:
            module, name = strings[-2], strings[-1]
        else:
            continue
        module, name = _fix_imports(module, name)
        full = f"{module}.{name}"
        if full not in _torch_map() and full not in _PLAIN_GLOBALS and full not in user \
                and full not in found:
            found.append(full)
    return found


# ---------------------------------------------------------------------------------
# loading: archives
# ---------------------------------------------------------------------------------
_CUDA_ERROR = (
    "Attempting to deserialize object on a CUDA device but torch.cuda.is_available() is "
    "False. If you are running on a CPU-only machine, please use torch.load with "
    "map_location=torch.device('cpu') to map your storages to the CPU.")


def _target_device(location, map_location, nbytes):
    """Where a storage saved at ``location`` goes under ``map_location``."""
    loc = location
    if map_location is None:
        pass
    elif isinstance(map_location, (str, _device)):
        loc = str(map_location)
    elif isinstance(map_location, dict):
        loc = map_location.get(location, location)
    elif callable(map_location):
        res = map_location(MappedStorage(nbytes), location)
        if isinstance(res, MappedStorage):
            loc = str(res.device)
        elif isinstance(res, (str, _device)):
            loc = str(res)
    try:
        dev = _device(str(loc))
    except (RuntimeError, TypeError) as e:
        raise CheckpointError(f"ember.load: invalid storage location {loc!r}") from e
    if dev.type == "cuda":
        from . import cuda
        if not cuda.is_available():
            raise RuntimeError(_CUDA_ERROR)
    return as_device(dev)


def _check_pid(pid, legacy):
    if not isinstance(pid, tuple) or len(pid) < 5 or pid[0] != "storage":
        raise CheckpointError(f"ember.load: unknown persistent id {pid!r:.200}")
    _, stype, key, location, numel = pid[:5]
    if not isinstance(stype, _StorageType) or not isinstance(key, str) \
            or not isinstance(location, str) or not isinstance(numel, int) or numel < 0:
        raise CheckpointError(f"ember.load: malformed storage reference {pid!r:.200}")
    view = pid[5] if legacy and len(pid) > 5 else None
    return stype.dtype, key, location, numel, view


def _opened(f):
    """A context giving a readable binary file for a path or a file object."""
    if isinstance(f, (str, os.PathLike)):
        return open(os.fspath(f), "rb")
    if not hasattr(f, "read"):
        raise TypeError(f"ember.load: f must be a path or a readable file, not {type(f).__name__}")
    return contextlib.nullcontext(f)


def _open_zip(fileobj):
    try:
        return zipfile.ZipFile(fileobj)
    except (zipfile.BadZipFile, zipfile.LargeZipFile, OSError, EOFError, ValueError,
            struct.error) as e:
        raise CheckpointError(f"ember.load: not a valid checkpoint archive ({e})") from e


def _root(zf):
    roots = {n[:-len("data.pkl")] for n in zf.namelist()
             if n.endswith("/data.pkl") and n.count("/") == 1}
    if len(roots) != 1:
        raise CheckpointError("ember.load: the archive has no (or more than one) data.pkl "
                              "record; it is not a torch checkpoint")
    return roots.pop()


def _file_size(fileobj):
    pos = fileobj.tell()
    end = fileobj.seek(0, io.SEEK_END)
    fileobj.seek(pos)
    return end


class _ZipReader:
    """Storages of a zip checkpoint, read (or memory-mapped) on first use."""

    def __init__(self, fileobj, map_location, mmap_path):
        self.zf = _open_zip(fileobj)
        self.fileobj = fileobj
        self.root = _root(self.zf)
        self.size = _file_size(fileobj)
        self.map_location = map_location
        self.cache = {}
        self.mm = None
        if mmap_path is not None:
            with open(mmap_path, "rb") as raw:
                # NOTE: like torch's default (MAP_PRIVATE), writes to a memory-mapped
                # tensor stay in memory and never reach the file.
                self.mm = _mmap.mmap(raw.fileno(), 0, access=_mmap.ACCESS_COPY)
        self.big_endian = False
        if self.root + "byteorder" in self.zf.NameToInfo:
            order = self._read_small("byteorder")
            if order not in (b"little", b"big"):
                raise CheckpointError(f"ember.load: unknown byteorder record {order!r:.40}")
            self.big_endian = order == b"big"

    def _info(self, name):
        try:
            info = self.zf.getinfo(self.root + name)
        except KeyError:
            raise CheckpointError(f"ember.load: the checkpoint has no record {name!r}; it is "
                                  "truncated or corrupt") from None
        if info.header_offset + info.compress_size > self.size:
            raise CheckpointError(f"ember.load: record {name!r} runs past the end of the file")
        if info.compress_type != zipfile.ZIP_STORED and \
                info.file_size > 1100 * max(info.compress_size, 1):
            raise CheckpointError(f"ember.load: record {name!r} has an impossible size")
        if info.compress_type == zipfile.ZIP_STORED and info.compress_size != info.file_size:
            raise CheckpointError(f"ember.load: record {name!r} has inconsistent sizes")
        return info

    def _read_small(self, name):
        return self._read_bytes(self._info(name))

    def _read_bytes(self, info):
        try:
            return self.zf.read(info)
        except (zipfile.BadZipFile, OSError, EOFError, struct.error, ValueError,
                NotImplementedError) as e:
            raise CheckpointError(f"ember.load: cannot read record {info.filename!r} ({e})") from e

    def pickle_bytes(self):
        return self._read_small("data.pkl")

    def _data_offset(self, info):
        self.fileobj.seek(info.header_offset)
        header = self.fileobj.read(30)
        if len(header) != 30 or header[:4] != b"PK\x03\x04":
            raise CheckpointError(f"ember.load: bad local header for {info.filename!r}")
        n, m = struct.unpack("<HH", header[26:30])
        return info.header_offset + 30 + n + m

    def storage(self, pid):
        dtype, key, location, numel, _ = _check_pid(pid, legacy=False)
        cached = self.cache.get(key)
        if cached is not None:
            return cached
        info = self._info(f"data/{key}")
        nbytes = numel * dtype.itemsize
        if info.file_size != nbytes:
            raise CheckpointError(
                f"ember.load: storage {key!r} should hold {numel} {dtype} elements "
                f"({nbytes} bytes) but its record has {info.file_size} bytes")
        dev = _target_device(location, self.map_location, nbytes)
        if dev is META:
            st = _LoadedStorage(None, dtype, META)
        else:
            st = _LoadedStorage(self._array(info, dtype, numel), dtype, dev)
        self.cache[key] = st
        return st

    def _array(self, info, dtype, numel):
        nbytes = numel * dtype.itemsize
        if self.mm is not None and info.compress_type == zipfile.ZIP_STORED:
            offset = self._data_offset(info)
            if offset + nbytes > len(self.mm):
                raise CheckpointError(f"ember.load: record {info.filename!r} is truncated")
            arr = np.ndarray((numel,), dtype=dtype.np, buffer=self.mm, offset=offset)
        else:
            buf = bytearray(nbytes)
            try:
                with self.zf.open(info) as src:
                    got = src.readinto(buf) if nbytes else 0
                    if got != nbytes:
                        raise CheckpointError(f"ember.load: record {info.filename!r} is truncated")
                    src.read(1)  # reach EOF so the CRC is checked
            except (zipfile.BadZipFile, OSError, EOFError, struct.error, ValueError) as e:
                raise CheckpointError(f"ember.load: cannot read {info.filename!r} ({e})") from e
            arr = np.frombuffer(buf, dtype=dtype.np)
        if self.big_endian:
            arr = arr.byteswap()
        return arr


def _unpickler_class(weights_only, pickle_module):
    if weights_only:
        return _WeightsOnlyUnpickler
    base = pickle.Unpickler if pickle_module is None else pickle_module.Unpickler
    return _trusting_unpickler(base)


def _load_zip(fileobj, map_location, unpickler_cls, mmap_path, load_args):
    reader = _ZipReader(fileobj, map_location, mmap_path)
    data = reader.pickle_bytes()
    return unpickler_cls(io.BytesIO(data), reader.storage, **load_args).load()


def _load_legacy(fileobj, map_location, unpickler_cls, load_args):
    """torch's pre-1.6 format: a sequence of pickles followed by the raw storages."""
    size = _file_size(fileobj)

    def unpickle():
        return unpickler_cls(fileobj, _no_pid, **load_args).load()

    if unpickle() != _LEGACY_MAGIC:
        raise CheckpointError("ember.load: invalid magic number; the file is corrupt or not "
                              "a torch checkpoint")
    if unpickle() != _LEGACY_PROTOCOL:
        raise CheckpointError("ember.load: unsupported legacy checkpoint protocol version")
    info = unpickle()
    big_endian = isinstance(info, dict) and info.get("little_endian") is False
    storages = {}

    def persistent_load(pid):
        dtype, key, location, numel, view = _check_pid(pid, legacy=True)
        if key not in storages:
            if numel * dtype.itemsize > size:
                raise CheckpointError(f"ember.load: storage {key!r} is larger than the file")
            dev = _target_device(location, map_location, numel * dtype.itemsize)
            arr = None if dev is META else np.empty(numel, dtype=dtype.np)
            # the bytes follow the pickle: a cuda storage is filled from ``arr`` then
            storages[key] = (_LoadedStorage(arr, dtype, dev), numel, arr)
        st = storages[key][0]
        if view is not None:  # very old files: a storage view (key, offset, size)
            _, off, n = view
            if st.device is META:
                return st
            return _LoadedStorage(st.array[off:off + n], dtype, st.device)
        return st

    result = unpickler_cls(fileobj, persistent_load, **load_args).load()
    keys = unpickler_cls(fileobj, _no_pid, **load_args).load()
    if not isinstance(keys, list):
        raise CheckpointError("ember.load: malformed legacy checkpoint (storage keys)")
    for key in keys:
        if key not in storages:
            raise CheckpointError(f"ember.load: legacy checkpoint lists unknown storage {key!r}")
        st, numel, host = storages[key]
        head = fileobj.read(8)
        if len(head) != 8 or struct.unpack("<q", head)[0] != numel:
            raise CheckpointError(f"ember.load: legacy storage {key!r} has a wrong size record")
        nbytes = numel * st.dtype.itemsize
        if host is None:
            fileobj.seek(nbytes, io.SEEK_CUR)
            continue
        got = fileobj.readinto(memoryview(host.view(np.uint8))) if nbytes else 0
        if got != nbytes:
            raise CheckpointError(f"ember.load: legacy storage {key!r} is truncated")
        if big_endian:
            host.byteswap(inplace=True)
        if st.array is not host:   # a device storage: its tensors already view it
            st.array[...] = move_array(host, st.device)
    return result


def _no_pid(pid):
    raise pickle.UnpicklingError("ember.load: unexpected persistent id")


_WRAPPED = (zipfile.BadZipFile, EOFError, struct.error, ValueError, KeyError, IndexError,
            TypeError, AttributeError, UnicodeDecodeError, OverflowError, MemoryError,
            RecursionError)


def load(f, map_location=None, pickle_module=None, *, weights_only=True, mmap=False,
         **pickle_load_args):
    """Load an object saved by :func:`save` or ``torch.save``.

    ``weights_only=True`` (the default) never runs code from the file: only tensors,
    containers and plain values are rebuilt; anything else raises
    ``pickle.UnpicklingError`` naming the global.  ``map_location`` is a device,
    a string, a dict ``{saved_location: new_location}`` or a callable
    ``(storage, location) -> storage``; ``mmap=True`` maps storages from the file.

    >>> ember.save({"w": ember.ones(2)}, "ckpt.pt")
    >>> ember.load("ckpt.pt", map_location="cpu")["w"]
    tensor([1., 1.])
    """
    if weights_only is None:
        weights_only = True
    if weights_only and pickle_module is not None:
        raise RuntimeError("Can not safely load weights when explicit pickle_module is "
                           "specified")
    if not (map_location is None or callable(map_location)
            or isinstance(map_location, (str, _device, dict))):
        raise TypeError(f"ember.load: map_location must be a device, str, dict or callable, "
                        f"not {type(map_location).__name__}")
    if weights_only:
        unknown = set(pickle_load_args) - {"encoding"}
        if unknown:
            raise RuntimeError(f"ember.load: unsupported pickle arguments {sorted(unknown)} "
                               "with weights_only=True")
    pickle_load_args.setdefault("encoding", "utf-8")
    unpickler_cls = _unpickler_class(weights_only, pickle_module)
    mmap_path = None
    if mmap:
        if not isinstance(f, (str, os.PathLike)):
            raise ValueError("f must be a file path in order to use the mmap argument")
        mmap_path = os.fspath(f)
    with _opened(f) as fileobj:
        try:
            start = fileobj.tell()
            magic = fileobj.read(4)
            fileobj.seek(start)
            if magic == b"PK\x03\x04":
                return _load_zip(fileobj, map_location, unpickler_cls, mmap_path,
                                 pickle_load_args)
            if mmap:
                raise RuntimeError("mmap can only be used with files saved with "
                                   "torch.save(_use_new_zipfile_serialization=True)")
            if magic[:2] == b"\x80\x02":
                return _load_legacy(fileobj, map_location, unpickler_cls, pickle_load_args)
            if _is_tar(fileobj, start):
                raise CheckpointError("ember.load: this is torch's oldest (tar) checkpoint "
                                      "format, which ember cannot read; re-save it with a "
                                      "recent torch")
            raise CheckpointError("ember.load: not a checkpoint (neither torch's zip format "
                                  "nor its legacy pickle format)")
        except _WRAPPED as e:
            raise CheckpointError(f"ember.load: the checkpoint is corrupt or not a "
                                  f"checkpoint ({type(e).__name__}: {e})") from e


def _is_tar(fileobj, start):
    try:
        fileobj.seek(start + 257)
        return fileobj.read(5) == b"ustar"
    finally:
        fileobj.seek(start)

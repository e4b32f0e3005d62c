"""Devices and the array namespace (``xp``) seam.

Every op is written once against an array namespace: NumPy for ``cpu`` and for
``meta``, CuPy for ``cuda``.  A ``meta`` tensor has a shape and a dtype but no data:
it is stored as a zero-stride NumPy array, so ops compute real output shapes and
dtypes through the same code path, and the result is collapsed back to zero strides.

A ``cuda`` tensor holds a ``cupy.ndarray``.  Ops keep calling ``np.*`` on their
arrays: NumPy hands such calls to CuPy through ``__array_function__`` and
``__array_ufunc__``, so one body serves both devices.  What does not dispatch is
written against ``xp_of(array)`` (array creation, CuPy-only paths).  CuPy is imported
on first use of ``cuda``, never by ``import ember``.
"""
import builtins

import numpy as np

__all__ = ["device"]

_KNOWN_TYPES = ("cpu", "meta", "cuda")


class device:
    """``ember.device('cpu')``, ``ember.device('cuda', 0)``, ``ember.device('cuda:1')``.

    >>> ember.device('cuda', 1)
    device(type='cuda', index=1)
    >>> str(ember.device('cuda:1'))
    'cuda:1'
    """

    __slots__ = ("type", "index")

    def __new__(cls, type=None, index=None):  # noqa: A002  (torch's keyword is ``type``)
        if isinstance(type, device):
            if index is not None:
                raise TypeError("device(): index given twice")
            return type
        if isinstance(type, builtins.int) and not isinstance(type, builtins.bool):
            # NOTE: torch reads a bare int as an index on the current accelerator, which a
            # build without one refuses with a RuntimeError.
            raise RuntimeError("Cannot access accelerator device when none is available.")
        if not isinstance(type, str):
            raise TypeError(f"device() expected a str, got {builtins.type(type).__name__}")
        if index is not None and (isinstance(index, builtins.bool)
                                  or not isinstance(index, (builtins.int, np.integer))):
            raise TypeError(f"device(): argument 'index' must be int, not "
                            f"{builtins.type(index).__name__}")
        kind, sep, idx = type.partition(":")
        if sep:
            if index is not None:
                raise RuntimeError(f"type (string) must not include an index because index "
                                   f"was passed explicitly: {type}")
            # torch accepts only plain decimal indices without leading zeros.
            if not (idx.isdigit() and idx.isascii()) or (len(idx) > 1 and idx[0] == "0"):
                raise RuntimeError(f"Invalid device string: '{type}'")
            index = builtins.int(idx)
        if kind not in _KNOWN_TYPES:
            raise RuntimeError(
                f"Expected one of cpu, cuda, meta device type at start of device string: "
                f"{type}")
        if index is not None:
            index = builtins.int(index)
            if index < 0:
                raise RuntimeError(f"Device index must not be negative, got {index}")
        key = (kind, index)
        cached = _CACHE.get(key)
        if cached is not None:
            return cached
        self = object.__new__(cls)
        object.__setattr__(self, "type", kind)
        object.__setattr__(self, "index", index)
        _CACHE[key] = self
        return self

    def __setattr__(self, name, value):
        raise AttributeError("device objects are immutable")

    def __repr__(self):
        if self.index is None:
            return f"device(type='{self.type}')"
        return f"device(type='{self.type}', index={self.index})"

    def __str__(self):
        return self.type if self.index is None else f"{self.type}:{self.index}"

    def __eq__(self, other):
        # NOTE: like torch, a device never equals a string (device('cpu') != 'cpu').
        if not isinstance(other, device):
            return NotImplemented
        return self.type == other.type and self.index == other.index

    def __hash__(self):
        return hash((self.type, self.index))

    def __reduce__(self):
        return (device, (str(self),))

    def __enter__(self):
        # torch: inside ``with torch.device(d):`` factories without device= make tensors on d
        _DEFAULT_STACK.append(_DEFAULT[0])
        _DEFAULT[0] = as_device(self)
        return self

    def __exit__(self, *exc):
        _DEFAULT[0] = _DEFAULT_STACK.pop()
        return False


class CudaUnavailableError(RuntimeError, AssertionError):
    """Raised for ``cuda`` when CuPy or a GPU is missing.

    NOTE: torch's CPU-only build raises AssertionError("Torch not compiled with CUDA
    enabled") and a CUDA build without a driver RuntimeError("Found no NVIDIA driver
    ..."); this class is both, so code written against either catches it.
    """


_CUPY = []          # [cupy module] once imported and a GPU answered; [] before
_CUPY_ERROR = []    # why cuda is unavailable, once known


def cupy():
    """The CuPy module (imported on first use), or CudaUnavailableError."""
    if _CUPY:
        return _CUPY[0]
    if _CUPY_ERROR:
        raise CudaUnavailableError(_CUPY_ERROR[0])
    try:
        import cupy as cp
    except ImportError as exc:
        _CUPY_ERROR.append(
            "Torch not compiled with CUDA enabled: ember's cuda backend needs CuPy "
            f"(pip install 'ember[cuda]'), which could not be imported ({exc})")
        raise CudaUnavailableError(_CUPY_ERROR[0]) from None
    try:
        count = cp.cuda.runtime.getDeviceCount()
    except Exception as exc:  # CUDARuntimeError: no driver, no device
        count, why = 0, f"{type(exc).__name__}: {exc}"
    else:
        why = "CUDA reports no device"
    if count <= 0:
        _CUPY_ERROR.append(f"Found no NVIDIA driver on your system or no CUDA device: "
                           f"CuPy is installed but {why}")
        raise CudaUnavailableError(_CUPY_ERROR[0])
    _CUPY.append(cp)
    from .cuda import _memory
    _memory.install(cp)   # peak tracking (max_memory_allocated) from the first allocation
    return cp


def cuda_unavailable():
    try:
        cupy()
    except CudaUnavailableError as exc:
        return exc
    return CudaUnavailableError("cuda is unavailable")


def cuda_device_count():
    try:
        return cupy().cuda.runtime.getDeviceCount()
    except CudaUnavailableError:
        return 0


def _cuda_device(index):
    cp = cupy()
    if index is None:
        index = cp.cuda.runtime.getDevice()
    n = cp.cuda.runtime.getDeviceCount()
    if index >= n:
        raise RuntimeError(f"CUDA error: invalid device ordinal (device cuda:{index} "
                           f"requested, {n} device(s) available)")
    return device("cuda", index)


_CACHE = {}
CPU = device("cpu")
META = device("meta")
_DEFAULT = [CPU]        # the default device for factories (torch.set_default_device)
_DEFAULT_STACK = []     # saved defaults of enclosing ``with device(...)`` blocks


def set_default_device(dev):
    """torch.set_default_device: factories without device= make tensors on ``dev``
    (None restores cpu)."""
    _DEFAULT[0] = CPU if dev is None else as_device(dev)


def get_default_device():
    return _DEFAULT[0]


def as_device(dev):
    """Normalise a device argument (None, str, int, device) to a device object; None is
    the default device (cpu unless set_default_device or ``with device(...)`` says)."""
    if dev is None or dev is CPU or dev is META:
        return _DEFAULT[0] if dev is None else dev
    d = device(dev)
    if d.type == "cuda":
        if d.index is None or d not in _CUDA_OK:
            d = _cuda_device(d.index)
            _CUDA_OK.add(d)
        return d
    if d.type == "cpu":
        # NOTE: torch accepts any cpu index here (zeros(device='cpu:1')) and makes a tensor
        # on plain 'cpu'; tensors never carry a cpu index.
        return CPU
    if d.type == "meta":
        return META
    return d


_CUDA_OK = set()


def xp_for(dev):
    """The array namespace serving a device: NumPy for cpu and meta, CuPy for cuda."""
    if dev.type == "cuda":
        return cupy()
    return np


def xp_of(arr):
    """The array namespace an array belongs to (NumPy arrays and NumPy scalars: NumPy)."""
    if type(arr) is np.ndarray or not _CUPY:
        return np
    return _CUPY[0] if isinstance(arr, _CUPY[0].ndarray) else np


def is_device_array(arr):
    """Whether ``arr`` lives on a cuda device."""
    return bool(_CUPY) and isinstance(arr, _CUPY[0].ndarray)


def to_host(arr):
    """A NumPy array with ``arr``'s values (a copy for device arrays; ``arr`` otherwise)."""
    if type(arr) is np.ndarray or not _CUPY or not isinstance(arr, _CUPY[0].ndarray):
        return arr
    return arr.get()


def move_array(arr, dev):
    """``arr`` on device ``dev`` (cpu or cuda), copied only when it is elsewhere."""
    if dev.type == "cuda":
        cp = cupy()
        if isinstance(arr, cp.ndarray):
            if arr.device.id == dev.index:
                return arr
            with cp.cuda.Device(dev.index):
                return arr.copy()
        with cp.cuda.Device(dev.index):
            return cp.asarray(arr)
    return to_host(arr)


def meta_array(shape, np_dtype):
    """A zero-stride placeholder for a meta tensor: shape and dtype, one element of memory."""
    return np.broadcast_to(np.zeros((), dtype=np_dtype), shape)


def to_meta(arr):
    return np.broadcast_to(np.zeros((), dtype=arr.dtype), arr.shape)


# -- idioms for writing an op once for NumPy and CuPy arrays -----------------------------
# (ops call np.* on their arrays and NumPy dispatches device arrays to CuPy; these cover
# what does not dispatch)

def as_array(r, dtype=None):
    """``r`` as an array (of ``dtype`` when given) on its device: NumPy functions return
    NumPy scalars for 0-d results, CuPy 0-d arrays."""
    if dtype is None:
        if type(r) is np.ndarray or (_CUPY and isinstance(r, _CUPY[0].ndarray)):
            return r
        return np.asarray(r)
    if type(r) is not np.ndarray and _CUPY and isinstance(r, _CUPY[0].ndarray):
        return r.astype(dtype, copy=False)
    return np.asarray(r, dtype=dtype)


def writeable(arr):
    """NumPy's writeable flag; device arrays are always writeable."""
    return arr.flags.writeable if type(arr) is np.ndarray else True


def data_ptr(arr):
    """The address of ``arr``'s first element (host or device memory)."""
    if type(arr) is np.ndarray:
        return arr.__array_interface__["data"][0]
    return arr.data.ptr


def as_strided(arr, shape, strides, writeable=True):
    """A strided view of ``arr``'s memory (NumPy's or CuPy's as_strided)."""
    if type(arr) is np.ndarray:
        return np.lib.stride_tricks.as_strided(arr, shape, strides, writeable=writeable)
    return xp_of(arr).lib.stride_tricks.as_strided(arr, shape, strides)


def array_like(values, like, dtype=None):
    """``values`` (a list, a NumPy array, a number) as an array on ``like``'s device."""
    xp = xp_of(like)
    if xp is np:
        return np.asarray(to_host(values), dtype=dtype)
    return xp.asarray(values, dtype=dtype)   # host values copied over, device ones kept


def memory_owner(arr):
    """The array owning ``arr``'s memory: through NumPy views and broadcasts (whose base
    is NumPy's as_strided wrapper) for host arrays, through ``.base`` for device ones."""
    root = arr
    if type(arr) is not np.ndarray and is_device_array(arr):
        while root.base is not None:
            root = root.base
        return root
    while True:
        base = root.base
        if isinstance(base, np.ndarray):
            root = base
        elif isinstance(getattr(base, "base", None), np.ndarray):  # numpy's DummyArray
            root = base.base
        else:
            return root

"""DLPack interop: ``to_dlpack`` / ``from_dlpack`` and ``Tensor.__dlpack__``.

Tensors cross to NumPy, torch or any DLPack consumer without a copy: both sides see the
same memory, so a write on one side shows on the other.

NumPy produces and consumes the capsules; ember adds what NumPy lacks.  NumPy knows no
bfloat16 (ml_dtypes' bfloat16 is an opaque NumPy dtype), so a bfloat16 tensor is exported
as its uint16 bits with the capsule's dtype field rewritten to DLPack's bfloat16, and a
bfloat16 capsule is read the other way round.

>>> import numpy as np
>>> t = ember.zeros(3)
>>> a = np.from_dlpack(t)
>>> a[0] = 5.0
>>> t
tensor([5., 0., 0.])
"""
import ctypes

import numpy as np

from .. import _dtype as D
from .._device import CPU, cupy, device as _device
from .._tensor import Tensor, _wrap

__all__ = ["from_dlpack", "to_dlpack"]

_KDL_CPU = 1
_KDL_CUDA = 2
_KDL_CUDA_MANAGED = 13
_KDL_UINT = 1
_KDL_BFLOAT = 4
_BF16 = D.bfloat16.np
_U16 = np.dtype(np.uint16)

# Byte offset of the DLDataType (code: uint8, bits: uint8, lanes: uint16) inside the
# struct a capsule points to: DLManagedTensor starts with its DLTensor (data pointer,
# DLDevice, int32 ndim, then dtype); DLManagedTensorVersioned puts version, manager_ctx,
# deleter and flags (32 bytes) in front of it.
_DTYPE_OFFSET = {b"dltensor": 20, b"dltensor_versioned": 52}

_get_name = ctypes.pythonapi.PyCapsule_GetName
_get_name.restype = ctypes.c_char_p
_get_name.argtypes = [ctypes.py_object]
_get_pointer = ctypes.pythonapi.PyCapsule_GetPointer
_get_pointer.restype = ctypes.c_void_p
_get_pointer.argtypes = [ctypes.py_object, ctypes.c_char_p]


class _DLDataType(ctypes.Structure):
    _fields_ = [("code", ctypes.c_uint8), ("bits", ctypes.c_uint8), ("lanes", ctypes.c_uint16)]


def _dtype_address(capsule):
    """The address of the DLDataType inside an unconsumed DLPack capsule."""
    name = _get_name(capsule)
    offset = _DTYPE_OFFSET.get(name)
    if offset is None:
        raise RuntimeError(f"from_dlpack(): expected a DLPack capsule named 'dltensor' or "
                           f"'dltensor_versioned', got {name!r} (already consumed?)")
    return _get_pointer(capsule, name) + offset


def _capsule_dtype(capsule):
    """The DLDataType inside an unconsumed DLPack capsule (a ctypes view, writable)."""
    return _DLDataType.from_address(_dtype_address(capsule))


def _is_capsule(obj):
    return type(obj).__name__ == "PyCapsule"


# ----------------------------------------------------------------------------------
# export
# ----------------------------------------------------------------------------------

def _tensor_dlpack(self, *, stream=None, max_version=None, dl_device=None, copy=None):
    """A DLPack capsule sharing this tensor's memory (the array API's ``__dlpack__``).

    >>> np.from_dlpack(ember.ones(2))
    array([1., 1.], dtype=float32)
    """
    if self._rg:
        raise BufferError("Can't export tensors that require gradient, use tensor.detach()")
    if self._device.type == "cuda":
        return _cuda_dlpack(self, stream, max_version, dl_device, copy)
    if self._device is not CPU:
        raise BufferError(f"__dlpack__(): ember exports only cpu tensors through DLPack, "
                          f"not {self._device} tensors (shape {list(self.shape)})")
    if stream is not None and stream != -1:
        raise BufferError(f"__dlpack__(): a cpu tensor takes no stream, got stream={stream!r}")
    if dl_device is not None and tuple(dl_device)[0] != _KDL_CPU:
        raise BufferError(f"__dlpack__(): cannot export a cpu tensor to device {dl_device}")
    return _export(self, _given(max_version=max_version, copy=copy), (BufferError, TypeError))


def _cuda_dlpack(self, stream, max_version, dl_device, copy):
    """A cuda tensor's capsule, produced by CuPy (which syncs with ``stream``)."""
    kwargs = _given(max_version=max_version, dl_device=dl_device, copy=copy)
    kwargs["stream"] = stream
    return _export(self, kwargs, (BufferError, TypeError, AttributeError, NotImplementedError))


def _given(**kwargs):
    """The keyword arguments that were given (not None)."""
    return {k: v for k, v in kwargs.items() if v is not None}


def _export(self, kwargs, errors):
    """The capsule of the tensor's array; bfloat16 goes out as uint16 bits with DLPack's
    bfloat16 code written into the capsule."""
    arr = self._data
    bf16 = arr.dtype == _BF16
    if bf16:
        arr = arr.view(_U16)
    try:
        capsule = arr.__dlpack__(**kwargs)
    except errors as exc:
        raise BufferError(f"__dlpack__(): cannot export {self._device.type} tensor of shape "
                          f"{list(self.shape)} and dtype {self.dtype}: {exc}") from None
    if bf16:
        field = _capsule_dtype(capsule)
        field.code, field.bits, field.lanes = _KDL_BFLOAT, 16, 1
    return capsule


def _tensor_dlpack_device(self):
    """``(device_type, device_id)`` in DLPack's codes: (1, 0) for the cpu, (2, i) for cuda:i."""
    if self._device.type == "cuda":
        return (_KDL_CUDA, self._device.index or 0)
    if self._device is not CPU:
        raise BufferError(f"__dlpack_device__(): ember exports only cpu tensors through "
                          f"DLPack, not {self._device} tensors")
    return (_KDL_CPU, 0)


def to_dlpack(tensor):
    """A DLPack capsule sharing ``tensor``'s memory (consumed once by a from_dlpack).

    >>> capsule = ember.utils.dlpack.to_dlpack(ember.arange(3))
    """
    if not isinstance(tensor, Tensor):
        raise TypeError(f"to_dlpack(): argument 'tensor' must be Tensor, not "
                        f"{type(tensor).__name__}")
    return tensor.__dlpack__()


# ----------------------------------------------------------------------------------
# import
# ----------------------------------------------------------------------------------

class _CapsuleHolder:
    """Hands one capsule to ``np.from_dlpack`` (which wants a producer object)."""

    def __init__(self, capsule):
        self.capsule = capsule

    def __dlpack__(self, **kwargs):
        return self.capsule

    def __dlpack_device__(self):
        return (_KDL_CPU, 0)


def _capsule_device(capsule):
    """(device_type, device_id) of an unconsumed capsule (the DLDevice before ndim, dtype)."""
    pair = (ctypes.c_int32 * 2).from_address(_dtype_address(capsule) - 12)
    return int(pair[0]), int(pair[1])


def _from_cuda(obj, device_id):
    """A cuda tensor over a CUDA DLPack producer's (or capsule's) memory, through CuPy."""
    cp = cupy()
    capsule = obj if _is_capsule(obj) else None
    if capsule is not None:
        field = _capsule_dtype(capsule)
        bf16 = field.code == _KDL_BFLOAT and field.bits == 16
        if bf16:
            field.code = _KDL_UINT
    else:
        bf16 = False
    try:
        arr = cp.from_dlpack(obj)
    except (BufferError, RuntimeError, TypeError, ValueError, NotImplementedError) as exc:
        raise RuntimeError(f"from_dlpack(): cannot read this CUDA DLPack tensor: {exc}") from None
    if bf16:
        arr = arr.view(_BF16)
    return _wrap(arr, _device("cuda", device_id))


def _capsule_of(ext):
    """A fresh capsule from a DLPack producer (versioned when the producer can)."""
    device = ext.__dlpack_device__()
    if int(device[0]) != _KDL_CPU:
        raise RuntimeError(f"from_dlpack(): ember reads only cpu DLPack tensors, got device "
                           f"type {int(device[0])} (id {int(device[1])}) from "
                           f"{type(ext).__name__}")
    try:
        return ext.__dlpack__(max_version=(1, 0))
    except TypeError:   # a producer from before DLPack 1.0
        return ext.__dlpack__()


def _writable(arr):
    """A writable array over ``arr``'s memory (which stays alive with it).

    NOTE: NumPy imports a pre-1.0 ("dltensor") capsule read-only, because that format
    cannot say whether the memory may be written; torch reads such capsules as writable,
    and so does ember.
    """
    if arr.size == 0:
        return np.empty(arr.shape, arr.dtype)
    extent = arr.itemsize + sum((n - 1) * st for n, st in zip(arr.shape, arr.strides))
    memory = (ctypes.c_char * extent).from_address(arr.ctypes.data)
    memory.keep_alive = arr
    return np.ndarray(arr.shape, arr.dtype, buffer=memory, strides=arr.strides)


def _array_from_capsule(capsule):
    legacy = _get_name(capsule) == b"dltensor"
    field = _capsule_dtype(capsule)
    bf16 = field.code == _KDL_BFLOAT and field.bits == 16
    if bf16:
        field.code = _KDL_UINT
    try:
        arr = np.from_dlpack(_CapsuleHolder(capsule))
    except (BufferError, RuntimeError, TypeError, ValueError) as exc:
        raise RuntimeError(f"from_dlpack(): cannot read this DLPack tensor (dtype code "
                           f"{field.code}, {field.bits} bits): {exc}") from None
    if legacy and not arr.flags.writeable and not any(st < 0 for st in arr.strides):
        arr = _writable(arr)
    return arr.view(_BF16) if bf16 else arr


def from_dlpack(ext_tensor):
    """A tensor sharing memory with ``ext_tensor``: any object with ``__dlpack__`` (a
    NumPy array, a torch tensor) or a DLPack capsule.

    >>> t = ember.from_dlpack(np.arange(3.0))
    """
    if isinstance(ext_tensor, Tensor):
        return _wrap(ext_tensor._data, ext_tensor._device)
    if _is_capsule(ext_tensor):
        kind, index = _capsule_device(ext_tensor)
        if kind in (_KDL_CUDA, _KDL_CUDA_MANAGED):
            return _from_cuda(ext_tensor, index)
        capsule = ext_tensor
    elif hasattr(ext_tensor, "__dlpack__") and hasattr(ext_tensor, "__dlpack_device__") and \
            int(ext_tensor.__dlpack_device__()[0]) in (_KDL_CUDA, _KDL_CUDA_MANAGED):
        return _from_cuda(ext_tensor, int(ext_tensor.__dlpack_device__()[1]))
    elif hasattr(ext_tensor, "__dlpack__"):
        capsule = _capsule_of(ext_tensor)
    else:
        raise TypeError(f"from_dlpack(): expected an object with __dlpack__ or a DLPack "
                        f"capsule, got {type(ext_tensor).__name__}")
    arr = _array_from_capsule(capsule)
    if any(st < 0 for st in arr.strides):
        # NOTE: torch's tensors (and ember's) have no negative strides; torch.from_numpy
        # refuses such arrays the same way.
        raise ValueError(f"from_dlpack(): the DLPack tensor has negative strides "
                         f"{list(arr.strides)}, which ember tensors cannot represent; copy it "
                         "first")
    try:
        D.from_numpy_dtype(arr.dtype)
    except (TypeError, KeyError) as exc:
        raise RuntimeError(f"from_dlpack(): ember has no dtype for {arr.dtype}: {exc}") from None
    return _wrap(arr, CPU)


Tensor.__dlpack__ = _tensor_dlpack
Tensor.__dlpack_device__ = _tensor_dlpack_device

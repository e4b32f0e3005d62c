"""Page-locked (pinned) host memory and asynchronous host<->device copies.

A pinned cpu tensor is an ordinary NumPy array whose buffer CuPy allocated page-locked
(``cupyx.empty_pinned``); ember remembers those buffers to answer ``is_pinned``.  A
copy from pinned memory to the device with ``non_blocking=True`` is queued on the
current stream and returns at once; the source buffer is kept alive until the copy
has finished (what torch's pinned-memory allocator does with an event).
"""
import weakref

import numpy as np

from .._device import _CUPY, CudaUnavailableError, cupy, memory_owner, move_array
from ..autograd.graph import Node

_PINNED = {}    # id(base array) -> weakref to it: the buffers ember pinned
_PENDING = []   # (event, host array) of async copies still in flight


_host_root = memory_owner   # the NumPy array owning a view's memory


def is_pinned_array(arr):
    """Whether a host array lives in page-locked memory."""
    if not _CUPY or type(arr) is not np.ndarray:
        return False   # nothing can be pinned before CuPy is in use
    root = _host_root(arr)
    ref = _PINNED.get(id(root))
    if ref is not None and ref() is root:
        return True
    # arrays a user made with cupyx.empty_pinned: their buffer is CuPy's pinned memory
    return type(root.base).__name__ == "PinnedMemoryPointer"


def _forget(key):
    def callback(_ref):
        _PINNED.pop(key, None)
    return callback


def empty_pinned(shape, dtype):
    """An uninitialised C-contiguous host array in page-locked memory."""
    cupy()
    import cupyx
    out = cupyx.empty_pinned(shape, dtype=dtype)
    key = id(out)
    _PINNED[key] = weakref.ref(out, _forget(key))
    return out


def pin_array(arr):
    """A copy of host array ``arr`` in page-locked memory."""
    out = empty_pinned(arr.shape, arr.dtype)
    np.copyto(out, arr)
    return out


class PinMemoryBackward0(Node):
    def backward(self, grad):
        return (grad,)


def pin_tensor(t):
    """``Tensor.pin_memory()``: a cpu tensor copied into pinned memory (itself if pinned)."""
    from .._device import CPU
    from .._tensor import _GRAD, _wrap
    if t._device is not CPU:
        raise RuntimeError(f"cannot pin '{t.type()}' only dense CPU tensors can be pinned")
    try:
        cupy()
    except CudaUnavailableError as exc:
        # NOTE: torch raises a plain RuntimeError here, not its "not compiled" error
        raise RuntimeError("Cannot access accelerator device when none is available.") \
            from exc
    if is_pinned_array(t._data):
        return t
    out = _wrap(pin_array(t._data))
    if _GRAD.enabled and t._rg:
        out._grad_fn = PinMemoryBackward0().connect((t,))
        out._rg = True
    return out


def _prune():
    if _PENDING:
        _PENDING[:] = [(ev, a) for ev, a in _PENDING if not ev.done]


def to_device(arr, dev):
    """Host array ``arr`` on cuda device ``dev``, asynchronously when ``arr`` is pinned.

    NOTE: like torch, a non_blocking copy from pageable memory is an ordinary copy.
    """
    if not (arr.size and arr.flags.c_contiguous and is_pinned_array(arr)):
        return move_array(arr, dev)
    cp = cupy()
    _prune()
    with cp.cuda.Device(dev.index):
        out = cp.empty(arr.shape, dtype=arr.dtype)
        stream = cp.cuda.get_current_stream()
        out.set(arr, stream=stream)
        _PENDING.append((stream.record(), arr))
    return out


def to_host(arr):
    """Device array ``arr`` copied into pinned host memory (torch's non_blocking d2h result).

    NOTE: the copy completes before returning (correctness first); the result is pinned,
    as torch's is, so a later non_blocking copy back to the device is asynchronous.
    """
    cp = cupy()
    out = empty_pinned(arr.shape, arr.dtype)
    if arr.size:
        with cp.cuda.Device(arr.device.id):
            cp.ascontiguousarray(arr).get(out=out)
    return out


def move_non_blocking(arr, dev):
    """``arr`` on ``dev`` for ``.to(dev, non_blocking=True)`` (cpu <-> cuda moves)."""
    if dev.type == "cuda" and type(arr) is np.ndarray:
        return to_device(arr, dev)
    if dev.type == "cpu" and type(arr) is not np.ndarray:
        return to_host(arr)
    return move_array(arr, dev)

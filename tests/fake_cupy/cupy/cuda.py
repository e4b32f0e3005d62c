"""Emulated cupy.cuda: one device, streams and events that time on the host clock,
and a memory pool that counts the bytes of live emulated arrays."""
import time

import numpy as _np

from ._core import _LIVE


def is_available():
    return True


class _Runtime:
    class CUDARuntimeError(RuntimeError):
        pass

    _current = 0

    @staticmethod
    def getDeviceCount():
        return 1

    def getDevice(self):
        return self._current

    def setDevice(self, i):
        if not 0 <= i < 1:
            raise self.CUDARuntimeError("cudaErrorInvalidDevice: invalid device ordinal")
        type(self)._current = i

    @staticmethod
    def getDeviceProperties(i):
        return {"name": b"Emulated CuPy device (CPU)", "totalGlobalMem": 8 << 30,
                "major": 9, "minor": 0, "multiProcessorCount": 1}

    @staticmethod
    def memGetInfo():
        return (8 << 30) - _LIVE["used"], 8 << 30

    @staticmethod
    def runtimeGetVersion():
        return 13000

    @staticmethod
    def driverGetVersion():
        return 13000

    @staticmethod
    def deviceSynchronize():
        pass


runtime = _Runtime()


class Device:
    def __init__(self, device=None):
        self.id = runtime.getDevice() if device is None else int(device)
        if not 0 <= self.id < 1:
            raise runtime.CUDARuntimeError("cudaErrorInvalidDevice: invalid device ordinal")
        self._prev = []

    compute_capability = property(lambda self: "90")

    def use(self):
        runtime.setDevice(self.id)

    def synchronize(self):
        pass

    def __enter__(self):
        self._prev.append(runtime.getDevice())
        self.use()
        return self

    def __exit__(self, *exc):
        runtime.setDevice(self._prev.pop())

    def __eq__(self, other):
        return isinstance(other, Device) and other.id == self.id

    def __hash__(self):
        return hash(self.id)


def get_device_id():
    return runtime.getDevice()


class Event:
    def __init__(self, block=False, disable_timing=False, interprocess=False):
        self.disable_timing = disable_timing
        self._t = None
        self.ptr = id(self)

    def record(self, stream=None):
        self._t = time.perf_counter()

    def synchronize(self):
        pass

    done = property(lambda self: True)


def get_elapsed_time(start_event, end_event):
    if start_event._t is None or end_event._t is None:
        raise runtime.CUDARuntimeError("cudaErrorInvalidResourceHandle")
    return (end_event._t - start_event._t) * 1000.0


class Stream:
    _stack = []

    def __init__(self, null=False, non_blocking=False, ptr=0, priority=None):
        self.ptr = 0 if null else id(self)
        self.priority = priority or 0

    def synchronize(self):
        pass

    def use(self):
        Stream._current = self
        return self

    def record(self, event=None):
        event = event or Event()
        event.record(self)
        return event

    def wait_event(self, event):
        pass

    done = property(lambda self: True)

    def __enter__(self):
        Stream._stack.append(get_current_stream())
        self.use()
        return self

    def __exit__(self, *exc):
        Stream._stack.pop().use()

    def __eq__(self, other):
        return isinstance(other, Stream) and other.ptr == self.ptr

    def __hash__(self):
        return hash(self.ptr)


Stream.null = Stream(null=True)
Stream._current = Stream.null


def get_current_stream(device_id=None):
    return Stream._current


class MemoryPool:
    def used_bytes(self):
        return _LIVE["used"]

    def total_bytes(self):
        return _LIVE["used"]

    def free_bytes(self):
        return 0

    def free_all_blocks(self, stream=None):
        pass

    def n_free_blocks(self):
        return 0


class PinnedMemoryPool:
    def free_all_blocks(self):
        pass

    def n_free_blocks(self):
        return 0


_POOL = MemoryPool()
_PINNED_POOL = PinnedMemoryPool()


def alloc_pinned_memory(size):
    return _np.empty(size, dtype=_np.uint8)


class curand:
    CURAND_RNG_PSEUDO_DEFAULT = 100
    CURAND_RNG_PSEUDO_XORWOW = 101
    CURAND_RNG_PSEUDO_MRG32K3A = 121
    CURAND_RNG_PSEUDO_PHILOX4_32_10 = 161

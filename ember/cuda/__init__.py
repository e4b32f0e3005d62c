"""``ember.cuda``: the cuda device through CuPy (``pip install 'ember[cuda]'``).

Nothing here imports CuPy until it is asked something: ``import ember`` stays
GPU-free, and without CuPy or without a GPU ``is_available()`` is False,
``device_count()`` 0, and whatever needs a device raises torch's error
(``CudaUnavailableError``, both a RuntimeError and an AssertionError).

>>> if ember.cuda.is_available():
...     x = ember.ones(1024, device="cuda")
...     ember.cuda.synchronize()
...     print(ember.cuda.memory_allocated() >= 4096)
True
"""
import os as _os

from .._device import _CUPY, CudaUnavailableError, cuda_device_count, cupy
from .._device import device as _device_cls
from . import _memory
from ._memory import OutOfMemoryError
from ._streams import Event, Stream, StreamContext, current_stream, default_stream, set_stream
from ._streams import stream

__all__ = [
    "is_available", "device_count", "current_device", "set_device", "device", "device_of",
    "get_device_name", "get_device_properties", "get_device_capability", "synchronize",
    "is_initialized", "init", "is_bf16_supported",
    "memory_allocated", "max_memory_allocated", "memory_reserved", "max_memory_reserved",
    "memory_cached", "max_memory_cached", "reset_peak_memory_stats",
    "reset_max_memory_allocated", "empty_cache", "memory_stats", "memory_summary",
    "mem_get_info",
    "Event", "Stream", "StreamContext", "current_stream", "default_stream", "set_stream",
    "stream", "OutOfMemoryError", "CudaUnavailableError",
]

# Seeding lives in ember/cuda/random.py; its names are re-exported lazily (module
# __getattr__) so that this package imports whether or not that file is there yet.
_RANDOM_NAMES = ("manual_seed", "manual_seed_all", "seed", "seed_all", "initial_seed",
                 "get_rng_state", "set_rng_state", "get_rng_state_all", "set_rng_state_all")
if _os.path.exists(_os.path.join(_os.path.dirname(__file__), "random.py")):
    __all__ += list(_RANDOM_NAMES)


def __getattr__(name):
    if name in _RANDOM_NAMES:
        try:
            from . import random as _random
        except ImportError as exc:
            raise AttributeError(f"module 'ember.cuda' has no attribute {name!r} "
                                 f"(ember.cuda.random is unavailable: {exc})") from None
        return getattr(_random, name)
    raise AttributeError(f"module 'ember.cuda' has no attribute {name!r}")


# ---------------------------------------------------------------------------------
# availability and devices
# ---------------------------------------------------------------------------------
def is_available():
    """Whether CuPy imports and reports at least one CUDA device.

    >>> ember.cuda.is_available()
    False
    """
    try:
        _lazy_init()   # scripts ask this first: the peak tracker starts here
    except CudaUnavailableError:
        return False
    return True


def device_count():
    """The number of CUDA devices (0 without CuPy or a GPU)."""
    return cuda_device_count()


def is_initialized():
    """Whether cuda has been set up in this process (CuPy imported, a device found)."""
    return bool(_CUPY)


def _lazy_init():
    cp = cupy()
    _memory.install(cp)
    return cp


def init():
    """Set up cuda now (it is otherwise done on first use); torch's error without it."""
    _lazy_init()


def _device_index(dev, optional=True):
    """A device index from None (the current device), an int, 'cuda[:i]' or a device."""
    if isinstance(dev, str):
        dev = _device_cls(dev)
    if isinstance(dev, _device_cls):
        if dev.type != "cuda":
            raise ValueError(f"Expected a cuda device, but got: {dev}")
        dev = dev.index
    if dev is None:
        if not optional:
            raise ValueError("Expected a torch.device with a specified index or an integer, "
                             "but got:None")
        return _lazy_init().cuda.runtime.getDevice()
    if isinstance(dev, bool) or not isinstance(dev, int):
        raise ValueError(f"Expected a cuda device, but got: {dev!r}")
    return dev


def _checked_index(dev):
    cp = _lazy_init()
    index = _device_index(dev)
    n = cp.cuda.runtime.getDeviceCount()
    if not 0 <= index < n:
        raise RuntimeError(f"CUDA error: invalid device ordinal (device {index} requested, "
                           f"{n} device(s) available)")
    return index


def current_device():
    """The index of the current cuda device."""
    return _lazy_init().cuda.runtime.getDevice()


def set_device(device):
    """Make ``device`` current (an int, 'cuda:i' or a device; negative: no-op)."""
    index = _device_index(device)
    if index >= 0:
        _lazy_init().cuda.runtime.setDevice(_checked_index(index))


class device:
    """Within the block, ``device`` is the current cuda device (None or -1: no-op).

    >>> with ember.cuda.device(1):
    ...     x = ember.ones(2, device="cuda")   # on cuda:1
    """

    def __init__(self, device):
        if device is None:
            self.idx = -1
        else:
            self.idx = _device_index(device)
        self.prev_idx = -1

    def __enter__(self):
        if self.idx < 0:
            return None
        cp = _lazy_init()
        self.prev_idx = cp.cuda.runtime.getDevice()
        if self.prev_idx != self.idx:
            cp.cuda.runtime.setDevice(_checked_index(self.idx))
        return None

    def __exit__(self, *exc):
        if self.idx >= 0 and self.prev_idx >= 0 and self.prev_idx != self.idx:
            cupy().cuda.runtime.setDevice(self.prev_idx)
        return False


class device_of(device):
    """``device`` of a tensor: its cuda device current within the block (cpu: no-op)."""

    def __init__(self, obj):
        super().__init__(obj.get_device() if obj.is_cuda else -1)


class _CudaDeviceProperties:
    """What ``get_device_properties`` returns (torch's attribute names)."""

    def __init__(self, props):
        name = props.get("name", b"")
        self.name = name.decode(errors="replace") if isinstance(name, bytes) else str(name)
        self.total_memory = int(props.get("totalGlobalMem", 0))
        self.major = int(props.get("major", 0))
        self.minor = int(props.get("minor", 0))
        self.multi_processor_count = int(props.get("multiProcessorCount", 0))
        self.is_integrated = int(props.get("integrated", 0))
        self.is_multi_gpu_board = int(props.get("isMultiGpuBoard", 0))
        self.L2_cache_size = int(props.get("l2CacheSize", 0))
        self.max_threads_per_multi_processor = int(
            props.get("maxThreadsPerMultiProcessor", 0))
        self.warp_size = int(props.get("warpSize", 32))

    def __repr__(self):
        return (f"_CudaDeviceProperties(name='{self.name}', major={self.major}, "
                f"minor={self.minor}, total_memory={self.total_memory // (1 << 20)}MB, "
                f"multi_processor_count={self.multi_processor_count})")


def get_device_properties(device=None):
    """Name, total_memory, compute capability (major, minor), multi_processor_count."""
    index = _checked_index(device)
    return _CudaDeviceProperties(cupy().cuda.runtime.getDeviceProperties(index))


def get_device_name(device=None):
    """The device's name, e.g. 'NVIDIA H100 80GB HBM3'."""
    return get_device_properties(device).name


def get_device_capability(device=None):
    """The device's compute capability as (major, minor)."""
    props = get_device_properties(device)
    return props.major, props.minor


def is_bf16_supported(including_emulation=True):
    """Whether the device computes in bfloat16 (compute capability 8.0 or later)."""
    if not is_available():
        return False
    return get_device_capability()[0] >= 8 or bool(including_emulation)


def synchronize(device=None):
    """Wait until all work queued on ``device`` (the current one when None) has finished."""
    index = _checked_index(device)
    cp = cupy()
    with cp.cuda.Device(index):
        cp.cuda.runtime.deviceSynchronize()
    from . import _pinned
    _pinned._prune()   # finished async copies no longer need their pinned sources


# ---------------------------------------------------------------------------------
# memory
# ---------------------------------------------------------------------------------
def _stat_index(device):
    """The device index for a memory query, or None before cuda is initialized."""
    if not _CUPY:
        return None   # NOTE: torch answers before looking at ``device`` here too
    return _checked_index(device)


def memory_stats(device=None):
    """torch's flat memory-statistics dict (``'allocated_bytes.all.current'``, ...).

    NOTE: like torch, empty before cuda is initialized (no error without a GPU).
    """
    index = _stat_index(device)
    return {} if index is None else _memory.memory_stats(index)


def memory_allocated(device=None):
    """Bytes of device memory held by live tensors (0 before cuda is initialized)."""
    return memory_stats(device).get("allocated_bytes.all.current", 0)


def max_memory_allocated(device=None):
    """The peak of ``memory_allocated`` since start or ``reset_peak_memory_stats``."""
    return memory_stats(device).get("allocated_bytes.all.peak", 0)


def memory_reserved(device=None):
    """Bytes of device memory held by the allocator's pool (live and cached)."""
    return memory_stats(device).get("reserved_bytes.all.current", 0)


def max_memory_reserved(device=None):
    """The peak of ``memory_reserved``."""
    return memory_stats(device).get("reserved_bytes.all.peak", 0)


def memory_cached(device=None):
    """Deprecated name of :func:`memory_reserved`."""
    return memory_reserved(device)


def max_memory_cached(device=None):
    """Deprecated name of :func:`max_memory_reserved`."""
    return max_memory_reserved(device)


def reset_peak_memory_stats(device=None):
    """Restart peak tracking from the current usage."""
    _memory.reset_peaks(_checked_index(device))


def reset_max_memory_allocated(device=None):
    """Deprecated: resets all peaks (as torch's does, with a FutureWarning)."""
    _memory.reset_max_memory_allocated(_checked_index(device))


def empty_cache():
    """Give the pool's cached, unused blocks back to the driver."""
    _memory.empty_cache()


def mem_get_info(device=None):
    """(free, total) bytes of device memory, as the driver reports them."""
    index = _checked_index(device)
    cp = cupy()
    with cp.cuda.Device(index):
        free, total = cp.cuda.runtime.memGetInfo()
    return int(free), int(total)


def memory_summary(device=None, abbreviated=False):
    """A short human-readable table of the memory statistics.

    >>> print(ember.cuda.memory_summary())   # doctest: +SKIP
    """
    index = _stat_index(device)
    if index is None:
        return "ember.cuda memory summary: cuda is not initialized\n"
    stats = _memory.memory_stats(index)

    def mib(n):
        return f"{n / (1 << 20):12.2f} MiB"

    rows = [("Allocated memory", stats["allocated_bytes.all.current"],
             stats["allocated_bytes.all.peak"]),
            ("Reserved memory", stats["reserved_bytes.all.current"],
             stats["reserved_bytes.all.peak"]),
            ("Inactive cached", stats["inactive_split_bytes.all.current"], None)]
    lines = [f"ember.cuda memory summary, device cuda:{index}",
             f"{'':20}{'current':>16}{'peak':>16}"]
    for name, cur, peak in rows:
        lines.append(f"{name:20}{mib(cur):>16}{mib(peak) if peak is not None else '':>16}")
    lines.append(f"{'OOMs':20}{stats['num_ooms']:>16}")
    return "\n".join(lines) + "\n"

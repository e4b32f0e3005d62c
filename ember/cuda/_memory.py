"""Memory statistics of the cuda device, over CuPy's default memory pool.

``memory_allocated`` is the bytes of live arrays (``pool.used_bytes()``) and
``memory_reserved`` the bytes the pool holds (``pool.total_bytes()``), which is what
torch's caching allocator reports under the same names.  CuPy's pool keeps no peaks,
so on first use ember puts a thin allocator in front of the pool
(``cupy.cuda.set_allocator``) that notes the peak after every allocation; with a
user's own allocator already installed it is left alone and peaks are sampled at
each query instead.
"""
import warnings

from .._device import _CUPY, CudaUnavailableError, cupy

__all__ = ["OutOfMemoryError", "CudaUnavailableError"]

# per device index: {"alloc_peak", "reserved_peak", "allocated", "allocs", "ooms"}
_STATS = {}
_STATE = {"tracking": None}   # None: not decided yet; True/False: allocator installed


class OutOfMemoryError(RuntimeError, MemoryError):
    """The device ran out of memory (``torch.cuda.OutOfMemoryError``, a RuntimeError)."""


def _stats(index):
    st = _STATS.get(index)
    if st is None:
        st = _STATS[index] = {"alloc_peak": 0, "reserved_peak": 0, "allocated": 0,
                              "allocs": 0, "ooms": 0}
    return st


def install(cp):
    """Put the peak-tracking allocator in front of CuPy's default pool (once)."""
    if _STATE["tracking"] is not None:
        return
    _STATE["tracking"] = False
    pool = cp.get_default_memory_pool()
    set_allocator = getattr(cp.cuda, "set_allocator", None)
    malloc = getattr(pool, "malloc", None)
    if set_allocator is None or malloc is None:
        return
    get_allocator = getattr(cp.cuda, "get_allocator", None)
    if get_allocator is not None:
        try:
            current = get_allocator()
        except Exception:  # noqa: BLE001  (an old CuPy: keep whatever is there)
            return
        if current != malloc:
            return   # the user chose an allocator (RMM, a torch pool...): keep it
    oom = getattr(getattr(cp.cuda, "memory", None), "OutOfMemoryError", MemoryError)
    get_device = cp.cuda.runtime.getDevice
    used_bytes, total_bytes = pool.used_bytes, pool.total_bytes

    def tracking_malloc(size):
        try:
            mem = malloc(size)
        except oom as exc:
            _stats(get_device())["ooms"] += 1
            raise OutOfMemoryError(f"CUDA out of memory. Tried to allocate {size} bytes "
                                   f"({exc})") from exc
        st = _stats(get_device())
        st["allocated"] += size
        st["allocs"] += 1
        used = used_bytes()
        if used > st["alloc_peak"]:
            st["alloc_peak"] = used
        total = total_bytes()
        if total > st["reserved_peak"]:
            st["reserved_peak"] = total
        return mem

    set_allocator(tracking_malloc)
    _STATE["tracking"] = True


def _pool_numbers(index):
    """(used, total) bytes of the pool on device ``index``, and its stats record."""
    cp = cupy()
    install(cp)
    pool = cp.get_default_memory_pool()
    with cp.cuda.Device(index):
        used, total = pool.used_bytes(), pool.total_bytes()
    st = _stats(index)
    # sampled peaks: exact when the allocator tracks, a lower bound otherwise
    if used > st["alloc_peak"]:
        st["alloc_peak"] = used
    if total > st["reserved_peak"]:
        st["reserved_peak"] = total
    return used, total, st


def memory_stats(index):
    """torch's flat ``memory_stats`` dict; empty before cuda is initialized."""
    if not _CUPY:
        return {}
    used, total, st = _pool_numbers(index)
    allocated = max(st["allocated"], used)
    stats = {
        "allocated_bytes.all.current": used,
        "allocated_bytes.all.peak": st["alloc_peak"],
        "allocated_bytes.all.allocated": allocated,
        "allocated_bytes.all.freed": allocated - used,
        "active_bytes.all.current": used,
        "active_bytes.all.peak": st["alloc_peak"],
        "requested_bytes.all.current": used,
        "requested_bytes.all.peak": st["alloc_peak"],
        "reserved_bytes.all.current": total,
        "reserved_bytes.all.peak": st["reserved_peak"],
        "inactive_split_bytes.all.current": total - used,
        "allocation.all.allocated": st["allocs"],
        "num_alloc_retries": 0,
        "num_ooms": st["ooms"],
    }
    return dict(sorted(stats.items()))


def reset_peaks(index):
    cupy()
    used, total, st = _pool_numbers(index)
    st["alloc_peak"], st["reserved_peak"] = used, total


def reset_max_memory_allocated(index):
    # NOTE: torch warns that this deprecated name now resets every peak.
    warnings.warn("ember.cuda.reset_max_memory_allocated now calls "
                  "ember.cuda.reset_peak_memory_stats, which resets /all/ peak memory stats.",
                  FutureWarning, stacklevel=3)
    reset_peaks(index)


def empty_cache():
    if not _CUPY:
        return   # NOTE: like torch, a no-op before cuda is initialized
    cp = cupy()
    cp.get_default_memory_pool().free_all_blocks()


"""Intra-op thread settings (torch.get_num_threads / set_num_threads).

Ember's parallelism is the BLAS under NumPy.  ``set_num_threads`` limits it through
threadpoolctl when that package is installed (it comes with scikit-learn); otherwise the
setting is recorded and reported, and the OMP/OpenBLAS/MKL environment variables set
before start-up are what count.
"""
import os

_state = {"threads": None, "interop": None, "limiter": None}


def _default_threads():
    for var in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS"):
        value = os.environ.get(var, "")
        if value.isdigit() and int(value) > 0:
            return int(value)
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:  # not on Linux
        return os.cpu_count() or 1


def get_num_threads():
    """The number of threads used for intra-op parallelism."""
    if _state["threads"] is None:
        _state["threads"] = _default_threads()
    return _state["threads"]


def set_num_threads(int):  # noqa: A002  (torch's parameter name)
    """Use ``int`` threads for intra-op parallelism (the BLAS pool, via threadpoolctl)."""
    n = int.__index__() if hasattr(int, "__index__") else int
    if n <= 0:
        raise RuntimeError(f"set_num_threads expects a positive integer, but got {n}")
    _state["threads"] = n
    try:
        import threadpoolctl
    except ImportError:
        return
    _state["limiter"] = threadpoolctl.threadpool_limits(limits=n)


def get_num_interop_threads():
    """The number of threads for inter-op parallelism (ember runs ops one at a time)."""
    return _state["interop"] if _state["interop"] is not None else get_num_threads()


def set_num_interop_threads(int):  # noqa: A002
    n = int.__index__() if hasattr(int, "__index__") else int
    if n <= 0:
        raise RuntimeError(f"set_num_interop_threads expects a positive integer, but got {n}")
    _state["interop"] = n

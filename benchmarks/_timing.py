"""Shared timing helpers for ember's benchmarks (methodology of ../shared/WORKLOADS.md).

- Thread pinning must happen before NumPy or torch is imported, because their BLAS
  and OpenMP pools read the environment once, at import.  A workload script calls
  ``pin_threads()`` first thing; the runner (``run.py``) starts one subprocess per
  thread setting so that each gets a fresh interpreter.
- ember and torch (and numpy) are timed in one process, interleaved: each
  repetition times every candidate once, in alternating order, so that drift on a
  shared machine hits all of them alike.  The figure is the median over repetitions.
- Within a repetition, a statement runs in a ``timeit`` loop (inlined, garbage
  collector off, as ``timeit`` does) enough times to last ``min_time`` seconds.
"""
import gc
import json
import os
import statistics
import sys
import timeit

THREAD_VARS = ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS",
               "VECLIB_MAXIMUM_THREADS", "NUMEXPR_NUM_THREADS")

REPO_ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
if REPO_ROOT not in sys.path:
    # Benchmark the working tree's ember even when another copy is installed.
    sys.path.insert(0, REPO_ROOT)


def pin_threads(threads):
    """Set the thread environment for NumPy/torch; call before importing either.

    ``threads`` is an int, or None for the libraries' defaults (the variables are
    removed so an inherited setting does not leak in).
    """
    if "numpy" in sys.modules or "torch" in sys.modules:
        raise RuntimeError("pin_threads() must run before numpy or torch is imported")
    for var in THREAD_VARS:
        if threads is None:
            os.environ.pop(var, None)
        else:
            os.environ[var] = str(threads)


def set_torch_threads(threads):
    """torch.set_num_threads for a pinned run (intra-op pool); returns torch's count."""
    import torch
    if threads is not None:
        torch.set_num_threads(threads)
    return torch.get_num_threads()


def blas_threads():
    """NumPy's BLAS thread count, via threadpoolctl when it is installed (else None)."""
    try:
        from threadpoolctl import threadpool_info
    except ImportError:
        return None
    import numpy  # noqa: F401  (load its BLAS so threadpoolctl sees it)
    for pool in threadpool_info():
        if pool.get("user_api") == "blas" and "numpy" in pool.get("filepath", ""):
            return pool.get("num_threads")
    return None


def _calibrate(timer, min_time):
    """Loop count so that one repetition takes at least ``min_time`` seconds."""
    number = 1
    while True:
        elapsed = timer.timeit(number)
        if elapsed >= min_time:
            return number
        # Aim a little past min_time; grow at most 100x per step.
        guess = int(number * min_time * 1.2 / max(elapsed, 1e-9)) + 1
        number = min(guess, number * 100)


def compare(candidates, repeats=15, min_time=0.02, warmup=3):
    """Median seconds per execution of each candidate, timed interleaved.

    ``candidates`` maps a name to ``(stmt, namespace)`` (a ``timeit`` statement and
    the globals it runs in).  Returns ``{name: median seconds per execution}``.
    """
    timers = {name: timeit.Timer(stmt, globals=ns) for name, (stmt, ns) in candidates.items()}
    for timer in timers.values():
        timer.timeit(warmup)
    numbers = {name: _calibrate(timer, min_time) for name, timer in timers.items()}
    samples = {name: [] for name in timers}
    names = list(timers)
    for rep in range(repeats):
        order = names if rep % 2 == 0 else names[::-1]
        for name in order:
            number = numbers[name]
            samples[name].append(timers[name].timeit(number) / number)
        gc.collect()
    return {name: statistics.median(values) for name, values in samples.items()}


def thread_info():
    """The thread counts actually in use: torch's intra-op pool and NumPy's BLAS."""
    return {"torch": set_torch_threads(None), "numpy_blas": blas_threads()}


def emit(results, as_json, info=None):
    """Print a workload's result rows: JSON for the runner, or a readable table."""
    if as_json:
        print(json.dumps({"rows": results, "info": info or {}}))
        return
    for row in results:
        figures = "  ".join(f"{lib} {value:.4g}" for lib, value in row["figures"].items())
        print(f"{row['workload']:12s} {row['case']:40s} {figures}  [{row['unit']}]")
    if info:
        print("threads in use:", info)


def workload_args(description):
    """Common command line of the workload scripts: --threads N|default, --json, --quick."""
    import argparse
    parser = argparse.ArgumentParser(description=description)
    parser.add_argument("--threads", default="1",
                        help="threads for NumPy/torch: a number, or 'default' (default: 1)")
    parser.add_argument("--json", action="store_true", help="print one JSON line of results")
    parser.add_argument("--quick", action="store_true", help="fewer repetitions (smoke test)")
    args = parser.parse_args()
    args.threads = None if args.threads == "default" else int(args.threads)
    return args


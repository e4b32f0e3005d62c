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



# -- what the model workloads (gpt, lstm, workloads, bert_infer) share ------------------

def count_parameters(model):
    """Number of parameter elements of an ember or torch module."""
    return sum(p.numel() for p in model.parameters())


def check_parameter_counts(t_model, e_model, label):
    """Both models' parameter counts, checked equal (the same model in both libraries)."""
    n_torch, n_ember = count_parameters(t_model), count_parameters(e_model)
    if n_torch != n_ember:
        raise RuntimeError(f"{label}: parameter counts differ (torch {n_torch}, "
                           f"ember {n_ember})")
    return n_torch


def copy_torch_weights(t_model, e_model, ember, label):
    """Load torch's weights into the ember model so both start equal; returns the
    (checked equal) parameter count."""
    e_model.load_state_dict({k: ember.tensor(v.detach().numpy())
                             for k, v in t_model.state_dict().items()})
    return check_parameter_counts(t_model, e_model, label)


def check_first_steps_agree(namespaces, stmt, steps=2, label=None):
    """Sanity check: the first ``steps`` runs of ``stmt`` give close ``loss`` values in
    both libraries (same math, so the timing compares like with like)."""
    losses = {}
    for name, ns in namespaces.items():
        values = []
        for _ in range(steps):
            exec(stmt, ns)
            values.append(float(ns["loss"].item()))
        losses[name] = values
    for a, b in zip(losses["ember"], losses["torch"]):
        if abs(a - b) > 1e-3 * max(1.0, abs(b)):
            prefix = f"{label}: " if label else ""
            raise RuntimeError(f"{prefix}ember and torch diverge: losses {losses}")


def time_namespaces(namespaces, stmt, **compare_kwargs):
    """``compare`` of one statement run in each library's namespace."""
    return compare({name: (stmt, ns) for name, ns in namespaces.items()}, **compare_kwargs)


def ms_row(workload, case, medians, **extra):
    """A result row in milliseconds (lower is better) from ``compare``'s medians."""
    row = {"workload": workload, "case": case, "unit": "ms", "better": "lower",
           "figures": {name: seconds * 1e3 for name, seconds in medians.items()}}
    row.update(extra)
    return row


def ratio_note(row):
    """``<case>: ember/torch = <ratio>``, the line printed under a readable table."""
    figures = row["figures"]
    return f"{row['case']}: ember/torch = {figures['ember'] / figures['torch']:.2f}"


def profile_ember(ns, stmt, steps, warmup=1, top=25):
    """cProfile of ``steps`` runs of ``stmt`` in ember's namespace (where the time goes)."""
    import cProfile
    import pstats

    for _ in range(warmup):
        exec(stmt, ns)
    prof = cProfile.Profile()
    prof.enable()
    for _ in range(steps):
        exec(stmt, ns)
    prof.disable()
    pstats.Stats(prof).sort_stats("tottime").print_stats(top)


def run_both(extra):
    """The calling script at 1 thread and at default threads, each in a fresh
    interpreter (pinning happens at import)."""
    import subprocess

    for threads in ("1", "default"):
        cmd = [sys.executable, os.path.abspath(sys.argv[0]), "--threads", threads] + extra
        print(f"--- threads={threads}", flush=True)
        subprocess.run(cmd, check=True)


def main(doc, run, profile=None, note=ratio_note, both=False):
    """The command line of a workload script (``workload_args`` plus ``--profile`` when
    ``profile`` is given and ``--both`` when ``both``): pin the threads before anything
    imports NumPy or torch, then time with ``run(threads, quick)`` and print the rows,
    with ``note(row)`` under a readable table."""
    if both and "--both" in sys.argv:
        sys.argv.remove("--both")
        run_both([a for a in sys.argv[1:] if a in ("--quick", "--json")])
        sys.exit(0)
    want_profile = profile is not None and "--profile" in sys.argv
    if want_profile:
        sys.argv.remove("--profile")
    args = workload_args(doc.splitlines()[0])
    pin_threads(args.threads)
    if want_profile:
        profile()
        return
    rows = run(args.threads, args.quick)
    emit(rows, args.json, thread_info())
    if note is not None and not args.json:
        for row in rows:
            print(note(row))

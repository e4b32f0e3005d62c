"""Run ember's benchmark workloads and write BENCHMARKS.md at the repository root.

    python benchmarks/run.py            # full run, about 15 minutes on 2 cores
    python benchmarks/run.py --quick    # fewer repetitions, a smoke test
    python benchmarks/run.py --no-write # print only

Each workload runs in a fresh subprocess per thread setting: first pinned to one
thread (the environment variables are set before NumPy/torch load, plus
``torch.set_num_threads(1)``), then with the libraries' default threads.  Within a
subprocess ember and torch (and numpy) are timed interleaved and the medians
reported; see ``_timing.py``.  Targets are judged on the 1-thread figures.
"""
import argparse
import datetime
import importlib.metadata
import json
import os
import platform
import subprocess
import sys
import time

import _timing

HERE = os.path.dirname(os.path.abspath(__file__))
WORKLOADS = ("op_overhead", "matmul", "workloads", "gpt", "lstm", "bert_infer")   # per thread setting; workloads = mlp + cnn
THREAD_SETTINGS = ("1", "default")


def run_workload(name, threads, quick):
    """Run ``benchmarks/<name>.py`` in a subprocess; returns its parsed JSON (or raises)."""
    cmd = [sys.executable, os.path.join(HERE, f"{name}.py"), "--json", "--threads", threads]
    if quick:
        cmd.append("--quick")
    env = dict(os.environ)
    for var in _timing.THREAD_VARS:   # the child pins (or clears) them before imports
        env.pop(var, None)
    proc = subprocess.run(cmd, capture_output=True, text=True, env=env)
    if proc.returncode != 0:
        raise RuntimeError(f"{name} (threads={threads}) failed:\n{proc.stderr[-4000:]}")
    return json.loads(proc.stdout.strip().splitlines()[-1])


# ----------------------------------------------------------------------------------
# Ratios and targets
# ----------------------------------------------------------------------------------

def ratio(row, other):
    """ember's figure over ``other``'s (time ratio: lower is better; GFLOP/s: higher)."""
    figures = row["figures"]
    if other not in figures or not figures[other]:
        return None
    return figures["ember"] / figures[other]


def target_text(row):
    target = row.get("target")
    if not target:
        return "", None
    r = ratio(row, target["vs"])
    if "max_ratio" in target:
        return f"ember/{target['vs']} <= {target['max_ratio']}", r <= target["max_ratio"]
    return f"ember/{target['vs']} >= {target['min_ratio']}", r >= target["min_ratio"]


def fmt(value, digits=3):
    if value is None:
        return "-"
    if value >= 100:
        return f"{value:.0f}"
    if value >= 10:
        return f"{value:.1f}"
    return f"{value:.{digits}g}"


# ----------------------------------------------------------------------------------
# Machine description
# ----------------------------------------------------------------------------------

def cpu_model():
    try:
        with open("/proc/cpuinfo") as f:
            for line in f:
                if line.startswith("model name"):
                    return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or platform.machine()


def memory_gib():
    try:
        with open("/proc/meminfo") as f:
            for line in f:
                if line.startswith("MemTotal:"):
                    return int(line.split()[1]) / 2 ** 20
    except OSError:
        pass
    return None


def version(dist):
    try:
        return importlib.metadata.version(dist)
    except importlib.metadata.PackageNotFoundError:
        return "not installed"


def git_commit():
    try:
        head = subprocess.run(["git", "rev-parse", "--short", "HEAD"], cwd=_timing.REPO_ROOT,
                              capture_output=True, text=True, check=True).stdout.strip()
        dirty = subprocess.run(["git", "status", "--porcelain", "--untracked-files=no"],
                               cwd=_timing.REPO_ROOT, capture_output=True, text=True).stdout
        return head + (" (with uncommitted changes)" if dirty.strip() else "")
    except (OSError, subprocess.CalledProcessError):
        return "unknown"


def load_average():
    try:
        return f"{os.getloadavg()[0]:.2f}"
    except OSError:
        return "?"


def machine():
    mem = memory_gib()
    return {
        "date": datetime.datetime.now().astimezone().strftime("%Y-%m-%d %H:%M %Z"),
        "cpu": cpu_model(),
        "cores": os.cpu_count(),
        "memory": f"{mem:.0f} GiB" if mem else "unknown",
        "python": platform.python_version(),
        "numpy": version("numpy"),
        "torch": version("torch"),
        "ember": git_commit(),
        "load": load_average(),
    }


# ----------------------------------------------------------------------------------
# Report
# ----------------------------------------------------------------------------------

def table(rows, judge=True):
    lines = ["| workload | case | unit | ember | torch | numpy | ember/torch | ember/numpy "
             "| target | met |",
             "| --- | --- | --- | ---: | ---: | ---: | ---: | ---: | --- | --- |"]
    for row in rows:
        f = row["figures"]
        text, met = target_text(row) if judge else ("", None)
        lines.append(
            f"| {row['workload']} | {row['case']} | {row['unit']} | {fmt(f.get('ember'))} "
            f"| {fmt(f.get('torch'))} | {fmt(f.get('numpy'))} | {fmt(ratio(row, 'torch'))} "
            f"| {fmt(ratio(row, 'numpy'))} | {text} | "
            f"{'' if met is None else ('yes' if met else '**no**')} |")
    return lines


def threads_line(info):
    blas = info.get("numpy_blas")
    return f"torch {info.get('torch')} thread(s), NumPy BLAS {blas if blas else '?'} thread(s)"


def report(mach, sections, imports, total_seconds, end_load):
    out = ["# ember benchmarks", "",
           "Written by `python benchmarks/run.py` (do not edit by hand; rerun it). Workloads "
           "and rules: `../shared/WORKLOADS.md`.", "",
           "| date | machine | cores | memory | Python | numpy | torch | ember commit |",
           "| --- | --- | --- | --- | --- | --- | --- | --- |",
           f"| {mach['date']} | {mach['cpu']} | {mach['cores']} | {mach['memory']} "
           f"| {mach['python']} | {mach['numpy']} | {mach['torch']} | {mach['ember']} |", "",
           "Method: each thread setting runs in a fresh process, with OMP/OpenBLAS/MKL thread "
           "variables set before NumPy and torch load (plus `torch.set_num_threads`). ember, "
           "torch and numpy are timed interleaved in that process (alternating order per "
           "repetition, `timeit` loops, GC off), and each figure is the median over the "
           "repetitions. Ratios are ember's figure over the other library's: for times "
           "(us, ms) lower is better, for GFLOP/s higher is better. Targets are judged on "
           "the 1-thread figures. Shared machines are noisy: trust ratios over absolute "
           "figures.", ""]
    for setting, (rows, info) in sections.items():
        title = "1 thread (targets judged here)" if setting == "1" else "default threads"
        out += [f"## {title}: {threads_line(info)}", ""] + table(rows, setting == "1") + [""]
    if imports:
        f = imports["figures"]
        out += ["## import time (fresh interpreter, median)", "",
                "| module | ms |", "| --- | ---: |"]
        out += [f"| `import {m}` | {fmt(v)} |" for m, v in f.items()]
        out += ["", "`import ember` includes importing NumPy.", ""]
    out += gpu_section()
    out += [f"Whole run: {total_seconds:.0f} s; 1-minute load average {mach['load']} at the "
            f"start, {end_load} at the end ({mach['cores']} cores: a load above that means "
            "other work competed for the cores).", ""]
    return "\n".join(out)


GPU_RESULTS = os.path.join(HERE, "gpu_results.md")


def gpu_section():
    """The GPU figures: benchmarks/gpu_results.md, the table benchmarks/gpu.py wrote on
    the last GPU machine (tools/gpu_check.sh), carried over as it is."""
    out = ["## GPU (cuda): ember on CuPy vs torch on cuda, batch sizes x8", ""]
    if os.path.exists(GPU_RESULTS):
        with open(GPU_RESULTS) as f:
            out += [f.read().rstrip(), ""]
    else:
        out += ["Not measured yet: no session has had a GPU machine. `tools/gpu_check.sh` "
                "runs the cuda tests and `benchmarks/gpu.py` there and writes the table; "
                "copy it to `benchmarks/gpu_results.md` and rerun this script.", ""]
    return out


def print_rows(setting, rows, info):
    judge = setting == "1"
    print(f"\n== threads: {setting} ({threads_line(info)})")
    for row in rows:
        f = row["figures"]
        figures = "  ".join(f"{lib} {fmt(v)}" for lib, v in f.items())
        ratios = "  ".join(f"ember/{o} {fmt(ratio(row, o))}" for o in ("torch", "numpy")
                           if o in f)
        text, met = target_text(row) if judge else ("", None)
        verdict = "" if met is None else (f"  target {text}: " + ("met" if met else "NOT MET"))
        print(f"{row['workload']:11s} {row['case']:32s} {figures} [{row['unit']}]  "
              f"{ratios}{verdict}")


def main():
    parser = argparse.ArgumentParser(description="Run ember's benchmarks, write BENCHMARKS.md")
    parser.add_argument("--quick", action="store_true", help="fewer repetitions (smoke test)")
    parser.add_argument("--no-write", action="store_true", help="do not write BENCHMARKS.md")
    parser.add_argument("--output", default=os.path.join(_timing.REPO_ROOT, "BENCHMARKS.md"))
    parser.add_argument("--no-import", action="store_true", help="skip the import-time probe")
    args = parser.parse_args()

    start = time.perf_counter()
    mach = machine()
    print(f"{mach['cpu']}, {mach['cores']} cores, load {mach['load']}; numpy {mach['numpy']}, "
          f"torch {mach['torch']}")
    sections = {}
    failed = False
    for setting in THREAD_SETTINGS:
        rows, info = [], {}
        for name in WORKLOADS:
            try:
                result = run_workload(name, setting, args.quick)
            except RuntimeError as exc:
                print(exc, file=sys.stderr)
                failed = True
                continue
            rows += result["rows"]
            info = result["info"]
        sections[setting] = (rows, info)
        print_rows(setting, rows, info)

    imports = None
    if not args.no_import:
        try:
            imports = run_workload("import_time", "default", args.quick)["rows"][0]
            print("\nimport time (ms): " + "  ".join(
                f"{m} {fmt(v)}" for m, v in imports["figures"].items()))
        except RuntimeError as exc:
            print(exc, file=sys.stderr)
            failed = True

    total = time.perf_counter() - start
    end_load = load_average()
    print(f"\nwhole run: {total:.0f} s; load average {mach['load']} at the start, "
          f"{end_load} at the end")
    if not args.no_write:
        with open(args.output, "w") as f:
            f.write(report(mach, sections, imports, total, end_load))
        print(f"wrote {args.output}")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())

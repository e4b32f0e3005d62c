"""GPU figures: ember on cuda (CuPy) against torch on cuda (../shared/WORKLOADS.md).

The mlp, cnn, gpt and lstm workloads with their batch sizes multiplied by 8, both
libraries' models on ``cuda``; matmul TFLOP/s in float32 and bfloat16; the per-op
dispatch cost of a small cuda op.  Every timed statement ends by synchronizing the
device (``torch.cuda.synchronize()`` / ``ember.cuda.synchronize()``), so a figure is
the time of finished work.  Timing is interleaved as on the cpu (``_timing.compare``),
and the figure is the median.

    python benchmarks/gpu.py [--quick] [--json] [--markdown FILE]

These are figures, not targets (GPU kernels and mixed precision are a later issue).
"""
import argparse
import datetime
import json
import sys

import _timing

SCALE = 8   # WORKLOADS.md: batch sizes x8 on a GPU
# torch's device: "cuda", except in a --dry-run (torch on the cpu, ember on whatever cuda
# it has, e.g. the tests' CuPy emulator), which checks this script, not speed
TORCH_DEVICE = ["cuda"]
MATMUL_SIZES = [4096, 8192]


def _to_device(namespaces, device):
    """Move both namespaces' models and tensors to ``device`` (modules keep their
    Parameter objects, so optimizers built before the move still hold them)."""
    for label, ns in namespaces.items():
        dev = TORCH_DEVICE[0] if label == "torch" else device
        ns["model"].to(dev)
        for key in ("x", "y"):
            if key in ns and hasattr(ns[key], "to"):
                ns[key] = ns[key].to(dev)


def _sync_stmt(step):
    return step + "\nsync()"


def _time(namespaces, step, quick, label):
    import torch

    import ember
    namespaces["torch"]["sync"] = _torch_sync(torch)
    namespaces["ember"]["sync"] = ember.cuda.synchronize
    _timing.check_first_steps_agree(namespaces, step, label=label)
    return _timing.time_namespaces(namespaces, _sync_stmt(step), repeats=3 if quick else 9,
                                   min_time=0.1 if quick else 0.5, warmup=3)


def _torch_sync(torch):
    return torch.cuda.synchronize if TORCH_DEVICE[0] == "cuda" else (lambda: None)


def model_rows(quick):
    import torch

    import ember
    import gpt
    import lstm
    import workloads
    rows = []
    for name, cfg in workloads.CONFIGS.items():
        cfg["input"] = (cfg["input"][0] * SCALE,) + tuple(cfg["input"][1:])
        namespaces, n_params = workloads.setup(name, torch, ember)
        _to_device(namespaces, "cuda")
        medians = _time(namespaces, workloads.STEP, quick, name)
        rows.append(_timing.ms_row(name, f"cuda train step b{cfg['input'][0]}, "
                                         f"{n_params / 1e3:.0f}k params", medians))
    gpt.CONFIG["batch"] *= SCALE
    for attention in gpt.VARIANTS:
        namespaces, n_params = gpt.setup(attention, torch, ember)
        _to_device(namespaces, "cuda")
        medians = _time(namespaces, gpt.STEP, quick, "gpt")
        rows.append(_timing.ms_row("gpt", f"cuda train step b{gpt.CONFIG['batch']}, "
                                          f"{attention} attention", medians))
    lstm.BATCH *= SCALE
    for packed in (False, True):
        namespaces, n_params = lstm.setup(torch, ember, packed)
        _to_device(namespaces, "cuda")
        medians = _time(namespaces, lstm.STEP, quick, "lstm")
        kind = "packed 10..50" if packed else "fixed 50"
        rows.append(_timing.ms_row("lstm", f"cuda train step b{lstm.BATCH} {kind}", medians))
    return rows


def matmul_rows(quick):
    import numpy as np
    import torch

    import ember
    rows = []
    for dtype in ("float32", "bfloat16"):
        for n in MATMUL_SIZES:
            rng = np.random.default_rng(0)
            a = rng.standard_normal((n, n), dtype=np.float32)
            b = rng.standard_normal((n, n), dtype=np.float32)
            ta = torch.tensor(a).to(TORCH_DEVICE[0], getattr(torch, dtype))
            tb = torch.tensor(b).to(TORCH_DEVICE[0], getattr(torch, dtype))
            ea = ember.tensor(a).to("cuda", getattr(ember, dtype))
            eb = ember.tensor(b).to("cuda", getattr(ember, dtype))
            candidates = {
                "ember": ("a @ b; sync()", {"a": ea, "b": eb, "sync": ember.cuda.synchronize}),
                "torch": ("a @ b; sync()", {"a": ta, "b": tb, "sync": _torch_sync(torch)}),
            }
            medians = _timing.compare(candidates, repeats=3 if quick else 7,
                                      min_time=0.1 if quick else 0.3, warmup=2)
            flops = 2.0 * n ** 3
            rows.append({"workload": "matmul", "case": f"cuda {dtype} {n}^3", "unit": "TFLOP/s",
                         "better": "higher",
                         "figures": {k: flops / s / 1e12 for k, s in medians.items()}})
    return rows


def overhead_rows(quick):
    import torch

    import ember
    x_t = torch.randn(16, device=TORCH_DEVICE[0])
    x_e = ember.randn(16, device="cuda")
    candidates = {"ember": ("x + x", {"x": x_e}), "torch": ("x + x", {"x": x_t})}
    medians = _timing.compare(candidates, repeats=5 if quick else 15, min_time=0.02)
    _torch_sync(torch)()
    ember.cuda.synchronize()
    return [_timing.ms_row("op_overhead", "cuda x + x, x = randn(16) (launch, no sync)",
                           {k: v * 1e3 for k, v in medians.items()}, unit_note="us")]


def markdown(rows, device_name):
    lines = [f"### GPU: {device_name}, {datetime.date.today().isoformat()}", "",
             "| workload | case | ember | torch | ember/torch |", "| --- | --- | --- | --- | --- |"]
    for row in rows:
        f = row["figures"]
        unit = "us" if row.get("unit_note") == "us" else row["unit"]
        r = f["ember"] / f["torch"]
        lines.append(f"| {row['workload']} | {row['case']} | {f['ember']:.4g} {unit} | "
                     f"{f['torch']:.4g} {unit} | {r:.2f} |")
    return "\n".join(lines) + "\n"


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true")
    parser.add_argument("--json", action="store_true")
    parser.add_argument("--markdown", help="also write the table to this file")
    parser.add_argument("--only", choices=("models", "matmul", "overhead"))
    parser.add_argument("--dry-run", action="store_true",
                        help="torch on the cpu: checks the script runs (no figures)")
    args = parser.parse_args()
    import torch

    import ember
    global SCALE
    if args.dry_run:
        TORCH_DEVICE[0] = "cpu"
        MATMUL_SIZES[:] = [256]
        SCALE = 1
    elif not (torch.cuda.is_available() and ember.cuda.is_available()):
        print("gpu.py: needs a CUDA GPU with torch and CuPy", file=sys.stderr)
        sys.exit(2)
    rows = []
    for part, fn in (("overhead", overhead_rows), ("matmul", matmul_rows),
                     ("models", model_rows)):
        if args.only in (None, part):
            rows.extend(fn(args.quick))
            for row in rows[-1:]:
                print(json.dumps(row), flush=True)
    name = (torch.cuda.get_device_name(0) if not args.dry_run
            else "DRY RUN: torch on the cpu, figures meaningless")
    table = markdown(rows, name)
    if args.markdown:
        with open(args.markdown, "w") as f:
            f.write(table)
    print(json.dumps({"rows": rows, "device": name}) if args.json else table)


if __name__ == "__main__":
    main()

"""matmul: BLAS efficiency, float32 1024^3 and 2048^3, GFLOP/s (../shared/WORKLOADS.md).

ember (``a @ b`` on ember tensors), NumPy (``a @ b`` on the same arrays) and torch
(``a @ b`` on tensors over the same values), timed interleaved.  A matmul of
(n, n) by (n, n) counts 2 n^3 floating-point operations.

Run alone:  python benchmarks/matmul.py [--threads 1|default] [--json]
"""
import _timing

SIZES = (1024, 2048)
TARGET_VS_NUMPY = 0.9   # ember's GFLOP/s must reach 90% of NumPy's


def run(threads=1, quick=False):
    import numpy as np
    import torch

    import ember

    _timing.set_torch_threads(threads)
    rng = np.random.default_rng(0)
    results = []
    for n in SIZES:
        a = rng.standard_normal((n, n), dtype=np.float32)
        b = rng.standard_normal((n, n), dtype=np.float32)
        candidates = {
            "ember": ("a @ b", {"a": ember.tensor(a), "b": ember.tensor(b)}),
            "numpy": ("a @ b", {"a": a, "b": b}),
            "torch": ("a @ b", {"a": torch.tensor(a), "b": torch.tensor(b)}),
        }
        medians = _timing.compare(candidates, repeats=3 if quick else 7,
                                  min_time=0.05 if quick else 0.2, warmup=1)
        flops = 2.0 * n ** 3
        results.append({
            "workload": "matmul", "case": f"float32 {n}x{n} @ {n}x{n}", "unit": "GFLOP/s",
            "better": "higher",
            "figures": {name: flops / seconds / 1e9 for name, seconds in medians.items()},
            "target": {"vs": "numpy", "min_ratio": TARGET_VS_NUMPY},
        })
    return results


if __name__ == "__main__":
    _timing.main(__doc__, run, note=None)

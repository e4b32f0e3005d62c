"""op_overhead: the fixed cost of one op, ember vs torch (../shared/WORKLOADS.md).

x = randn(16), float32:
  (a) ``x + x`` under no_grad                          -- microseconds per op
  (b) ``x + x`` with x.requires_grad=True, forward only -- microseconds per op
  (c) ``(x*x+x).sum()`` forward + backward             -- microseconds per chain

In (c) each iteration starts with ``x.grad = None`` (what ``zero_grad()`` does by
default), so every backward allocates the leaf's gradient afresh in both libraries.

Run alone:  python benchmarks/op_overhead.py [--threads 1|default] [--json]
"""
import _timing

CASES = (
    ("(a) x + x, no_grad", "x + x", "no_grad", 1.0),
    ("(b) x + x, requires_grad fwd", "x + x", "requires_grad", 1.5),
    ("(c) (x*x+x).sum() fwd+bwd", "x.grad = None; (x * x + x).sum().backward()",
     "requires_grad", 2.0),
)


def _setup(lib, mode, values):
    x = lib.tensor(values)
    if mode == "requires_grad":
        x.requires_grad_(True)
    return {"x": x}


def run(threads=1, quick=False):
    import numpy as np
    import torch

    import ember

    _timing.set_torch_threads(threads)
    values = np.random.default_rng(0).standard_normal(16).astype(np.float32)
    results = []
    for case, stmt, mode, target in CASES:
        candidates = {lib.__name__: (stmt, _setup(lib, mode, values)) for lib in (ember, torch)}
        grad_contexts = [lib.no_grad() for lib in (ember, torch)] if mode == "no_grad" else []
        for ctx in grad_contexts:
            ctx.__enter__()
        try:
            medians = _timing.compare(candidates, repeats=5 if quick else 15,
                                      min_time=0.005 if quick else 0.02)
        finally:
            for ctx in reversed(grad_contexts):
                ctx.__exit__(None, None, None)
        results.append({
            "workload": "op_overhead", "case": case, "unit": "us", "better": "lower",
            "figures": {name: seconds * 1e6 for name, seconds in medians.items()},
            "target": {"vs": "torch", "max_ratio": target},
        })
    return results


if __name__ == "__main__":
    _timing.main(__doc__, run, note=None)

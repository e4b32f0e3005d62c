"""import time: ``import ember`` vs ``import numpy`` and ``import torch``.

Each import runs in a fresh interpreter (a subprocess that times its own import
statement, so interpreter start-up is excluded); the runs of the three modules are
interleaved, one warm-up each (to fill the file cache), then the median over
``repeats``.  ``import ember`` includes NumPy's import, since ember imports it.

Run alone:  python benchmarks/import_time.py [--json]
"""
import os
import statistics
import subprocess
import sys

import _timing

MODULES = ("ember", "numpy", "torch")
_PROBE = ("import sys, time; sys.path.insert(0, sys.argv[1]); t = time.perf_counter(); "
          "import {module}; print(time.perf_counter() - t)")


def import_seconds(module):
    """Seconds that ``import module`` takes in a new interpreter."""
    out = subprocess.run([sys.executable, "-c", _PROBE.format(module=module), _timing.REPO_ROOT],
                         check=True, capture_output=True, text=True, env=dict(os.environ))
    return float(out.stdout.strip().splitlines()[-1])


def run(threads=None, quick=False):
    repeats = 3 if quick else 7
    for module in MODULES:
        import_seconds(module)
    samples = {module: [] for module in MODULES}
    for rep in range(repeats):
        order = MODULES if rep % 2 == 0 else MODULES[::-1]
        for module in order:
            samples[module].append(import_seconds(module))
    return [{
        "workload": "import", "case": "import <module>, fresh process", "unit": "ms",
        "better": "lower",
        "figures": {m: statistics.median(v) * 1e3 for m, v in samples.items()},
        "target": None,
    }]


if __name__ == "__main__":
    args = _timing.workload_args(__doc__.splitlines()[0])
    _timing.emit(run(args.threads, args.quick), args.json)

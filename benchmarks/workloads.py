"""mlp and cnn: training-step time of small models, ember vs torch (../shared/WORKLOADS.md).

- mlp: 784-512-512-10 with ReLU, batch 128, cross-entropy, Adam(lr=1e-3).
- cnn: conv(1->32,k3,p1)-ReLU-maxpool2, conv(32->64,k3,p1)-ReLU-maxpool2, flatten,
  linear(3136->128)-ReLU, linear(128->10); input 64x1x28x28; cross-entropy; Adam.

One train step is zero_grad + forward + loss + backward + optimizer step, on data
already in memory.  Both libraries' models come from one layer list (``CONFIGS``)
built by the same function with ``lib`` = ember or torch; ember's weights are then
loaded from torch's state_dict so both start equal, and the parameter counts are
checked to be equal.  Steps are timed interleaved (``_timing.compare``); the figure
is the median milliseconds per step.

Run alone:  python benchmarks/workloads.py [--threads 1|default] [--json] [--quick]
            [--only mlp|cnn]
"""
import sys

import _timing

# (layer name, args) per model; the same list builds ember's and torch's model.
CONFIGS = {
    "mlp": {
        "layers": [("Linear", (784, 512)), ("ReLU", ()),
                   ("Linear", (512, 512)), ("ReLU", ()), ("Linear", (512, 10))],
        "input": (128, 784),
        "optimizer": ("Adam", {"lr": 1e-3}),
    },
    "cnn": {
        "layers": [("Conv2d", (1, 32, 3), {"padding": 1}), ("ReLU", ()), ("MaxPool2d", (2,)),
                   ("Conv2d", (32, 64, 3), {"padding": 1}), ("ReLU", ()), ("MaxPool2d", (2,)),
                   ("Flatten", ()), ("Linear", (3136, 128)), ("ReLU", ()),
                   ("Linear", (128, 10))],
        "input": (64, 1, 28, 28),
        "optimizer": ("Adam", {"lr": 1e-3}),
    },
}


def build(lib, name):
    """The model of workload ``name`` built from ``lib.nn`` (lib is ember or torch)."""
    layers = []
    for spec in CONFIGS[name]["layers"]:
        layer, args = spec[0], spec[1]
        kwargs = spec[2] if len(spec) > 2 else {}
        layers.append(getattr(lib.nn, layer)(*args, **kwargs))
    return lib.nn.Sequential(*layers)


def setup(name, lib_torch, lib_ember, seed=0):
    """Namespaces for one train step in each library, over equal weights and data."""
    import numpy as np

    config = CONFIGS[name]
    lib_torch.manual_seed(seed)
    t_model = build(lib_torch, name)
    e_model = build(lib_ember, name)
    n_params = _timing.copy_torch_weights(t_model, e_model, lib_ember, name)

    rng = np.random.default_rng(seed)
    x = rng.standard_normal(config["input"], dtype=np.float32)
    y = rng.integers(0, 10, size=config["input"][0])
    opt_name, opt_kwargs = config["optimizer"]
    namespaces = {}
    for label, lib, model in (("ember", lib_ember, e_model), ("torch", lib_torch, t_model)):
        namespaces[label] = {
            "model": model,
            "opt": getattr(lib.optim, opt_name)(model.parameters(), **opt_kwargs),
            "loss_fn": lib.nn.CrossEntropyLoss(),
            "x": lib.tensor(x),
            "y": lib.tensor(y),
        }
    return namespaces, n_params


STEP = ("opt.zero_grad()\n"
        "loss = loss_fn(model(x), y)\n"
        "loss.backward()\n"
        "opt.step()")


def run(threads=1, quick=False, only=None):
    import torch

    import ember

    _timing.set_torch_threads(threads)
    results = []
    for name in CONFIGS:
        if only and name != only:
            continue
        namespaces, n_params = setup(name, torch, ember)
        _timing.check_first_steps_agree(namespaces, STEP)
        medians = _timing.time_namespaces(namespaces, STEP, repeats=3 if quick else 9,
                                          min_time=0.05 if quick else 0.3, warmup=2)
        batch = CONFIGS[name]["input"][0]
        results.append(_timing.ms_row(
            name, f"train step b{batch}, {n_params / 1e3:.0f}k params", medians))
    return results


if __name__ == "__main__":
    only = None
    if "--only" in sys.argv:
        i = sys.argv.index("--only")
        only = sys.argv[i + 1]
        del sys.argv[i:i + 2]
    _timing.main(__doc__, lambda threads, quick: run(threads, quick, only), note=None)

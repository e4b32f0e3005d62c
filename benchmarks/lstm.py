"""lstm: training-step time of a recurrent language model, ember vs torch (../shared/WORKLOADS.md).

Embedding(1000, 128) -> LSTM(128 -> 256, 1 layer, batch_first) -> Linear(256 -> 1000) at
every step; batch 32, length 50; cross-entropy over all steps; Adam(lr=1e-3).

- fixed:  every sequence has 50 steps.
- packed: lengths drawn from 10..50, the batch goes through pack_padded_sequence
  (enforce_sorted=False) and the loss covers only the real steps (the packed rows).

One train step is zero_grad + forward + loss + backward + optimizer step on data already in
memory.  Both models come from one builder with ``lib`` = ember or torch; ember loads torch's
state_dict and the parameter counts are checked equal.  Steps are timed interleaved
(``_timing.compare``); the figure is the median milliseconds per step.

Run alone:  python benchmarks/lstm.py [--threads 1|default] [--json] [--quick]
"""
import _timing

VOCAB, EMBED, HIDDEN, BATCH, LENGTH = 1000, 128, 256, 32, 50


def build(lib):
    """The model, written once for both libraries."""
    nn = lib.nn
    rnn_utils = nn.utils.rnn

    class LanguageModel(nn.Module):
        def __init__(self):
            super().__init__()
            self.embed = nn.Embedding(VOCAB, EMBED)
            self.lstm = nn.LSTM(EMBED, HIDDEN, num_layers=1, batch_first=True)
            self.head = nn.Linear(HIDDEN, VOCAB)

        def forward(self, tokens, lengths=None):
            x = self.embed(tokens)
            if lengths is None:
                out, _ = self.lstm(x)
                return self.head(out).reshape(-1, VOCAB)
            packed = rnn_utils.pack_padded_sequence(x, lengths, batch_first=True,
                                                    enforce_sorted=False)
            out, _ = self.lstm(packed)
            return self.head(out.data)

    return LanguageModel()


STEP = ("opt.zero_grad()\n"
        "loss = loss_fn(model(x, lengths), y)\n"
        "loss.backward()\n"
        "opt.step()")


def setup(lib_torch, lib_ember, packed, seed=0):
    import numpy as np

    lib_torch.manual_seed(seed)
    t_model = build(lib_torch)
    e_model = build(lib_ember)
    n_params = _timing.copy_torch_weights(t_model, e_model, lib_ember, "lstm")
    rng = np.random.default_rng(seed)
    tokens = rng.integers(0, VOCAB, size=(BATCH, LENGTH))
    targets = rng.integers(0, VOCAB, size=(BATCH, LENGTH))
    lengths = rng.integers(10, LENGTH + 1, size=BATCH).tolist() if packed else None
    namespaces = {}
    for label, lib, model in (("ember", lib_ember, e_model), ("torch", lib_torch, t_model)):
        y = lib.tensor(targets)
        if packed:
            # the targets of the real steps, in the packed order of the model's output
            y = lib.nn.utils.rnn.pack_padded_sequence(y, lengths, batch_first=True,
                                                      enforce_sorted=False).data
        else:
            y = y.reshape(-1)
        namespaces[label] = {
            "model": model,
            "opt": lib.optim.Adam(model.parameters(), lr=1e-3),
            "loss_fn": lib.nn.CrossEntropyLoss(),
            "x": lib.tensor(tokens),
            "y": y,
            "lengths": lengths,
        }
    return namespaces, n_params


def run(threads=1, quick=False):
    import torch

    import ember

    _timing.set_torch_threads(threads)
    results = []
    for packed in (False, True):
        namespaces, n_params = setup(torch, ember, packed)
        _timing.check_first_steps_agree(namespaces, STEP)
        medians = _timing.time_namespaces(namespaces, STEP, repeats=3 if quick else 9,
                                          min_time=0.1 if quick else 0.5, warmup=2)
        kind = "packed 10..50" if packed else "fixed 50"
        results.append(_timing.ms_row(
            "lstm", f"train step b{BATCH} {kind}, {n_params / 1e3:.0f}k params", medians))
    return results


if __name__ == "__main__":
    _timing.main(__doc__, run)

"""gpt: training-step time of a small decoder-only Transformer, ember vs torch
(../shared/WORKLOADS.md).

Config: random token ids, vocab 65, block 128, n_layer 4, n_head 4, n_embd 128,
pre-LayerNorm blocks, causal self-attention, GELU MLP 4x, dropout 0, batch 16,
cross-entropy, AdamW(lr=3e-4).  Attention comes in two variants:

- ``explicit``: q @ k^T * scale, masked_fill of the causal mask, softmax, @ v;
- ``sdpa``: ``F.scaled_dot_product_attention(q, k, v, is_causal=True)``.

One class (``build``) makes both libraries' models from one config (``lib`` = ember or
torch); ember loads torch's state_dict so both start equal, parameter counts are
checked equal, and the first losses are checked to agree.  Steps are timed interleaved
(``_timing.compare``); the figure is the median milliseconds per step.

Run alone:  python benchmarks/gpt.py [--threads 1|default] [--json] [--quick]
            [--profile]   (a cProfile of ember's step instead of the timing)
"""
import math

import _timing

CONFIG = {"vocab": 65, "block": 128, "n_layer": 4, "n_head": 4, "n_embd": 128, "batch": 16,
          "lr": 3e-4}
VARIANTS = ("explicit", "sdpa")


def build(lib, attention, cfg=CONFIG):
    """The GPT of the workload, from ``lib.nn`` (lib is ember or torch)."""
    nn, F = lib.nn, lib.nn.functional
    n_embd, n_head, block = cfg["n_embd"], cfg["n_head"], cfg["block"]

    class SelfAttention(nn.Module):
        def __init__(self):
            super().__init__()
            self.qkv = nn.Linear(n_embd, 3 * n_embd)
            self.proj = nn.Linear(n_embd, n_embd)
            # a buffer, so that .to("cuda") moves it (benchmarks/gpu.py)
            self.register_buffer("causal", lib.tril(lib.ones(block, block, dtype=lib.bool)),
                                 persistent=False)

        def forward(self, x):
            B, T, C = x.shape
            q, k, v = self.qkv(x).split(C, dim=2)
            q, k, v = (t.view(B, T, n_head, C // n_head).transpose(1, 2) for t in (q, k, v))
            if attention == "sdpa":
                y = F.scaled_dot_product_attention(q, k, v, is_causal=True)
            else:
                att = (q @ k.transpose(-2, -1)) * (1.0 / math.sqrt(k.shape[-1]))
                att = att.masked_fill(~self.causal[:T, :T], float("-inf"))
                y = F.softmax(att, dim=-1) @ v
            return self.proj(y.transpose(1, 2).reshape(B, T, C))

    class Block(nn.Module):
        def __init__(self):
            super().__init__()
            self.ln1 = nn.LayerNorm(n_embd)
            self.attn = SelfAttention()
            self.ln2 = nn.LayerNorm(n_embd)
            self.mlp = nn.Sequential(nn.Linear(n_embd, 4 * n_embd), nn.GELU(),
                                     nn.Linear(4 * n_embd, n_embd))

        def forward(self, x):
            x = x + self.attn(self.ln1(x))
            return x + self.mlp(self.ln2(x))

    class GPT(nn.Module):
        def __init__(self):
            super().__init__()
            self.tok_emb = nn.Embedding(cfg["vocab"], n_embd)
            self.pos_emb = nn.Embedding(block, n_embd)
            self.blocks = nn.Sequential(*[Block() for _ in range(cfg["n_layer"])])
            self.ln_f = nn.LayerNorm(n_embd)
            self.head = nn.Linear(n_embd, cfg["vocab"], bias=False)
            self.register_buffer("pos", lib.arange(block), persistent=False)

        def forward(self, idx, targets):
            x = self.tok_emb(idx) + self.pos_emb(self.pos[:idx.shape[1]])
            logits = self.head(self.ln_f(self.blocks(x)))
            return F.cross_entropy(logits.reshape(-1, logits.shape[-1]), targets.reshape(-1))

    return GPT()


def setup(attention, torch, ember, seed=0):
    """Namespaces for one train step in each library, over equal weights and data."""
    import numpy as np

    torch.manual_seed(seed)
    t_model = build(torch, attention)
    e_model = build(ember, attention)
    n_params = _timing.copy_torch_weights(t_model, e_model, ember, "gpt")
    rng = np.random.default_rng(seed)
    shape = (CONFIG["batch"], CONFIG["block"])
    x = rng.integers(0, CONFIG["vocab"], size=shape)
    y = rng.integers(0, CONFIG["vocab"], size=shape)
    namespaces = {}
    for label, lib, model in (("ember", ember, e_model), ("torch", torch, t_model)):
        namespaces[label] = {
            "model": model,
            "opt": lib.optim.AdamW(model.parameters(), lr=CONFIG["lr"]),
            "x": lib.tensor(x), "y": lib.tensor(y),
        }
    return namespaces, n_params


STEP = ("opt.zero_grad()\n"
        "loss = model(x, y)\n"
        "loss.backward()\n"
        "opt.step()")


def run(threads=1, quick=False):
    import torch

    import ember

    _timing.set_torch_threads(threads)
    results = []
    for attention in VARIANTS:
        namespaces, n_params = setup(attention, torch, ember)
        _timing.check_first_steps_agree(namespaces, STEP, label="gpt")
        medians = _timing.time_namespaces(namespaces, STEP, repeats=3 if quick else 7,
                                          min_time=0.1 if quick else 0.5, warmup=2)
        results.append(_timing.ms_row(
            "gpt", f"train step b{CONFIG['batch']}, {attention} attention, "
                   f"{n_params / 1e3:.0f}k params", medians))
    return results


def profile(attention="sdpa", steps=10):
    """cProfile of ember's train step (where the time goes)."""
    import torch

    import ember
    namespaces, _ = setup(attention, torch, ember)
    _timing.profile_ember(namespaces["ember"], STEP, steps, warmup=2, top=25)


if __name__ == "__main__":
    _timing.main(__doc__, run, profile)

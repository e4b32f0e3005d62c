"""Text generation for ember.hf's causal language models: a key/value cache, the
attention mask of a cached step, logits processors and ``GenerationMixin.generate``.

The prompt runs through the model once; each later step feeds exactly one new token per
sequence and reuses the keys and values cached from the earlier steps.  Batched prompts
are left-padded (``attention_mask`` 0 on the padding); their position ids count only real
tokens, so a padded row generates what it would generate alone.

>>> model = ember.hf.AutoModelForCausalLM.from_pretrained("path/to/gpt2")
>>> out = model.generate(input_ids, attention_mask=mask, max_new_tokens=20)
"""

import copy
import json
import os
import warnings

import numpy as np

from .._device import to_host

__all__ = ["DynamicCache", "GenerationConfig", "GenerationMixin", "causal_attention_mask",
           "positions_from_attention_mask", "TemperatureLogitsWarper", "TopKLogitsWarper",
           "TopPLogitsWarper", "LogitsProcessorList"]


# -- key/value cache ------------------------------------------------------------------------
class DynamicCache:
    """Keys and values of every attention layer, grown along the sequence dim.

    ``cache.update(k, v, layer_idx)`` appends one step's (batch, heads, new, head_dim)
    keys/values and returns the full ones; ``cache[i]`` is layer i's ``(k, v)``.

    >>> cache = DynamicCache()
    >>> k, v = cache.update(k_new, v_new, 0)
    >>> cache.get_seq_length()
    5
    """

    def __init__(self, *args, **kwargs):
        # NOTE: transformers' DynamicCache takes a config; ember's needs nothing.
        self.key_cache = []
        self.value_cache = []

    def update(self, key_states, value_states, layer_idx, cache_kwargs=None):
        import ember
        if layer_idx < len(self.key_cache):
            self.key_cache[layer_idx] = ember.cat([self.key_cache[layer_idx], key_states], -2)
            self.value_cache[layer_idx] = ember.cat([self.value_cache[layer_idx],
                                                     value_states], -2)
        elif layer_idx == len(self.key_cache):
            self.key_cache.append(key_states)
            self.value_cache.append(value_states)
        else:
            raise IndexError(f"DynamicCache.update: layer {layer_idx} updated before layer "
                             f"{len(self.key_cache)}")
        return self.key_cache[layer_idx], self.value_cache[layer_idx]

    def get_seq_length(self, layer_idx=0):
        if layer_idx >= len(self.key_cache):
            return 0
        return self.key_cache[layer_idx].shape[-2]

    def __len__(self):
        return len(self.key_cache)

    def __getitem__(self, layer_idx):
        return self.key_cache[layer_idx], self.value_cache[layer_idx]

    def __iter__(self):
        return iter(zip(self.key_cache, self.value_cache))

    def to_legacy_cache(self):
        """A tuple of ``(key, value)`` per layer."""
        return tuple(zip(self.key_cache, self.value_cache))

    @classmethod
    def from_legacy_cache(cls, past_key_values):
        """A cache from a tuple of ``(key, value)`` per layer (or from a cache: returned as is)."""
        if past_key_values is None or isinstance(past_key_values, cls):
            return past_key_values if past_key_values is not None else cls()
        cache = cls()
        for k, v in past_key_values:
            cache.key_cache.append(k)
            cache.value_cache.append(v)
        return cache

    def reorder_cache(self, beam_idx):
        """Keep the rows ``beam_idx`` of every cached tensor (in that order)."""
        self.key_cache = [k.index_select(0, beam_idx) for k in self.key_cache]
        self.value_cache = [v.index_select(0, beam_idx) for v in self.value_cache]

    def __repr__(self):
        return f"DynamicCache(layers={len(self)}, seq_length={self.get_seq_length()})"


def as_cache(past_key_values):
    """``past_key_values`` as a :class:`DynamicCache` (legacy tuples are converted)."""
    return DynamicCache.from_legacy_cache(past_key_values)


# -- masks and positions ---------------------------------------------------------------------
def _mask_array(attention_mask):
    """The 0/1 padding mask as a host array: masks are small and only steer host-side
    bookkeeping (positions, the additive mask, which rows finished)."""
    if attention_mask is None:
        return None
    return np.asarray(to_host(attention_mask._data) if hasattr(attention_mask, "_data")
                      else attention_mask)


def causal_attention_mask(attention_mask, batch, query_length, past_length, dtype,
                          device=None):
    """The additive (batch, 1, query, past + query) mask for a step: 0 where a query may
    attend, the dtype's most negative value elsewhere (causality and padding).  Built on
    the host and copied to ``device`` (default cpu).

    ``attention_mask`` is the (batch, past + query) 0/1 padding mask or ``None``.  Returns
    ``None`` when nothing is masked (one query, no padding).
    """
    import ember
    kv_length = past_length + query_length
    pad = _mask_array(attention_mask)
    if pad is not None and pad.shape[-1] < kv_length:
        raise ValueError(f"attention_mask covers {pad.shape[-1]} positions but the keys "
                         f"span {kv_length} (past {past_length} + new {query_length})")
    if query_length == 1 and (pad is None or pad[:, :kv_length].all()):
        return None
    q_pos = np.arange(past_length, kv_length)[:, None]
    allowed = np.arange(kv_length)[None, :] <= q_pos
    allowed = np.broadcast_to(allowed, (batch, 1, query_length, kv_length))
    if pad is not None:
        allowed = allowed & (pad[:, None, None, :kv_length] != 0)
    # NOTE: like transformers, the most negative finite value rather than -inf, so a row
    # with nothing to attend to (a padding query) gives finite values instead of NaN.
    low = np.float32(ember.finfo(dtype).min)
    mask = np.where(allowed, np.float32(0), low).astype(np.float32)
    return ember.from_numpy(mask).to(device=device or "cpu", dtype=dtype)


def positions_from_attention_mask(attention_mask, query_length=None):
    """Position ids counting only real tokens (left padding starts at 0), like
    transformers' generate: ``cumsum(mask) - 1``, with 1 on padding.  With
    ``query_length``, only the last ``query_length`` positions."""
    import ember
    pad = _mask_array(attention_mask).astype(np.int64)
    pos = np.cumsum(pad, axis=-1) - 1
    pos[pad == 0] = 1
    if query_length is not None:
        pos = pos[:, -query_length:]
    pos = ember.from_numpy(np.ascontiguousarray(pos))
    # (on the mask's device, like transformers' cumsum on the mask)
    device = getattr(attention_mask, "device", None)
    return pos if device is None or device.type == "cpu" else pos.to(device)


# -- logits processors -----------------------------------------------------------------------
def _positive_float(value, name):
    value = float(value)
    if not value > 0:
        raise ValueError(f"{name} has to be a strictly positive float, got {value}")
    return value


class TemperatureLogitsWarper:
    """Divide the logits by ``temperature`` (> 0)."""

    def __init__(self, temperature):
        self.temperature = _positive_float(temperature, "temperature")

    def __call__(self, input_ids, scores):
        return scores / np.float32(self.temperature)


class TopKLogitsWarper:
    """Keep the ``top_k`` largest logits (ties with the k-th kept too), -inf elsewhere."""

    def __init__(self, top_k, filter_value=-np.inf, min_tokens_to_keep=1):
        if not isinstance(top_k, (int, np.integer)) or top_k <= 0:
            raise ValueError(f"top_k has to be a strictly positive integer, got {top_k}")
        self.top_k = max(int(top_k), min_tokens_to_keep)
        self.filter_value = filter_value

    def __call__(self, input_ids, scores):
        k = min(self.top_k, scores.shape[-1])
        kth = -np.partition(-scores, k - 1, axis=-1)[..., k - 1:k]
        return np.where(scores < kth, np.float32(self.filter_value), scores)


class TopPLogitsWarper:
    """Nucleus filtering: keep the smallest set of most likely tokens whose probability
    sums to at least ``top_p`` (always at least ``min_tokens_to_keep``)."""

    def __init__(self, top_p, filter_value=-np.inf, min_tokens_to_keep=1):
        top_p = float(top_p)
        if not 0.0 <= top_p <= 1.0:
            raise ValueError(f"top_p has to be a float in [0, 1], got {top_p}")
        self.top_p = top_p
        self.filter_value = filter_value
        self.min_tokens_to_keep = min_tokens_to_keep

    def __call__(self, input_ids, scores):
        order = np.argsort(scores, axis=-1, kind="stable")  # ascending, like transformers
        sorted_scores = np.take_along_axis(scores, order, axis=-1)
        probs = _softmax(sorted_scores)
        cumulative = np.cumsum(probs, axis=-1)
        # drop the low tail whose total mass is at most 1 - top_p
        remove_sorted = cumulative <= (1 - self.top_p)
        remove_sorted[..., -self.min_tokens_to_keep:] = False
        remove = np.zeros_like(remove_sorted)
        np.put_along_axis(remove, order, remove_sorted, axis=-1)
        return np.where(remove, np.float32(self.filter_value), scores)


class LogitsProcessorList(list):
    """Processors applied in order: ``scores = p(input_ids, scores)``."""

    def __call__(self, input_ids, scores):
        for processor in self:
            scores = processor(input_ids, scores)
        return scores


def _softmax(scores):
    shifted = scores - scores.max(axis=-1, keepdims=True)
    e = np.exp(shifted)
    return e / e.sum(axis=-1, keepdims=True)


# -- generation config -----------------------------------------------------------------------
class GenerationConfig:
    """Default arguments of ``generate`` (transformers' defaults), read from a
    checkpoint's generation_config.json when it has one.

    >>> GenerationConfig(max_new_tokens=10).max_new_tokens
    10
    """

    def __init__(self, **kwargs):
        self.max_length = kwargs.pop("max_length", 20)
        self.max_new_tokens = kwargs.pop("max_new_tokens", None)
        self.min_new_tokens = kwargs.pop("min_new_tokens", None)
        self.do_sample = kwargs.pop("do_sample", False)
        self.temperature = kwargs.pop("temperature", 1.0)
        self.top_k = kwargs.pop("top_k", 50)
        self.top_p = kwargs.pop("top_p", 1.0)
        self.repetition_penalty = kwargs.pop("repetition_penalty", 1.0)
        self.use_cache = kwargs.pop("use_cache", True)
        self.bos_token_id = kwargs.pop("bos_token_id", None)
        self.eos_token_id = kwargs.pop("eos_token_id", None)
        self.pad_token_id = kwargs.pop("pad_token_id", None)
        for key, value in kwargs.items():
            setattr(self, key, value)

    @classmethod
    def from_model_config(cls, config):
        return cls(bos_token_id=getattr(config, "bos_token_id", None),
                   eos_token_id=getattr(config, "eos_token_id", None),
                   pad_token_id=getattr(config, "pad_token_id", None))

    @classmethod
    def from_pretrained(cls, path, config_file_name="generation_config.json"):
        full = os.path.join(os.fspath(path), config_file_name)
        if not os.path.isfile(full):
            raise FileNotFoundError(f"{full} not found: expected the generation config")
        with open(full, encoding="utf-8") as f:
            d = json.load(f)
        d.pop("transformers_version", None)
        d.pop("_from_model_config", None)
        return cls(**d)

    def update(self, **kwargs):
        """Set the given attributes (``None`` values are skipped); returns the unused."""
        unused = {}
        for key, value in kwargs.items():
            if hasattr(self, key):
                if value is not None:
                    setattr(self, key, value)
            else:
                unused[key] = value
        return unused

    def to_dict(self):
        return dict(self.__dict__)

    def __repr__(self):
        return f"GenerationConfig {self.to_dict()}"


# -- generate ---------------------------------------------------------------------------------
def _eos_list(eos_token_id):
    if eos_token_id is None:
        return []
    if isinstance(eos_token_id, (list, tuple)):
        return [int(e) for e in eos_token_id]
    if hasattr(eos_token_id, "tolist"):
        value = eos_token_id.tolist()
        return [int(e) for e in (value if isinstance(value, list) else [value])]
    return [int(eos_token_id)]


class _Unset:
    """Default of arguments where ``None`` is a meaningful value (``eos_token_id=None``
    disables the model's eos)."""

    def __repr__(self):
        return "<from generation_config>"


_UNSET = _Unset()


def _generator(generator, seed, device=None):
    """The generator for sampling: the given one, or one on ``device`` seeded with
    ``seed``, or None (the device's default generator)."""
    if generator is not None:
        return generator
    if seed is None:
        return None
    import ember
    return ember.Generator(device=device or "cpu").manual_seed(int(seed))


class GenerationMixin:
    """``generate`` for causal language models whose forward takes ``input_ids``,
    ``attention_mask``, ``position_ids``, ``past_key_values``, ``use_cache`` and
    ``logits_to_keep`` and returns ``logits`` and ``past_key_values``."""

    def _generation_defaults(self):
        gen = getattr(self, "generation_config", None)
        if gen is None:
            gen = GenerationConfig.from_model_config(self.config)
            path = getattr(self.config, "name_or_path", "")
            if path and os.path.isfile(os.path.join(path, "generation_config.json")):
                try:
                    gen = GenerationConfig.from_pretrained(path)
                except (OSError, ValueError, TypeError):
                    pass
            self.generation_config = gen
        return gen

    def _logits_processors(self, cfg):
        processors = LogitsProcessorList()
        if cfg.repetition_penalty is not None and cfg.repetition_penalty != 1.0:
            processors.append(_RepetitionPenalty(cfg.repetition_penalty))
        if not cfg.do_sample:
            return processors
        if cfg.temperature is not None and float(cfg.temperature) != 1.0:
            processors.append(TemperatureLogitsWarper(cfg.temperature))
        if cfg.top_k is not None and cfg.top_k != 0:
            processors.append(TopKLogitsWarper(cfg.top_k))
        if cfg.top_p is not None and float(cfg.top_p) < 1.0:
            processors.append(TopPLogitsWarper(cfg.top_p))
        return processors

    def generate(self, input_ids=None, attention_mask=None, generation_config=None,
                 max_new_tokens=None, max_length=None, min_new_tokens=None, do_sample=None,
                 temperature=None, top_k=None, top_p=None, repetition_penalty=None,
                 eos_token_id=_UNSET, pad_token_id=_UNSET, use_cache=None, generator=None,
                 seed=None, **kwargs):
        """Continue ``input_ids`` (batch, prompt) greedily or by sampling.

        Returns a (batch, prompt + generated) int64 tensor, like transformers: the
        generation stops when every sequence has produced an eos token or after
        ``max_new_tokens`` (else ``max_length`` total) tokens; sequences that finished
        early are filled with ``pad_token_id`` (default: the first eos id).  Batched
        prompts must be left-padded, with ``attention_mask`` marking real tokens.
        ``generator`` (an ``ember.Generator``) or ``seed`` makes sampling reproducible.
        ``eos_token_id``/``pad_token_id`` default to the model's; ``None`` disables them.

        >>> out = model.generate(ids, max_new_tokens=5)                    # greedy
        >>> out = model.generate(ids, do_sample=True, top_k=10, top_p=0.9, seed=0)
        """
        import ember
        if input_ids is None:
            raise ValueError("generate() needs input_ids")
        cfg = copy.deepcopy(generation_config if generation_config is not None
                            else self._generation_defaults())
        unused = cfg.update(max_new_tokens=max_new_tokens, min_new_tokens=min_new_tokens,
                            do_sample=do_sample, temperature=temperature, top_k=top_k,
                            top_p=top_p, repetition_penalty=repetition_penalty,
                            use_cache=use_cache, **kwargs)
        # NOTE: like transformers, an explicit None here overrides the model's value
        if eos_token_id is not _UNSET:
            cfg.eos_token_id = eos_token_id
        if pad_token_id is not _UNSET:
            cfg.pad_token_id = pad_token_id
        for key in ("return_dict_in_generate", "output_scores", "num_beams",
                    "num_return_sequences"):
            if unused.get(key) not in (None, False, 1):
                raise NotImplementedError(f"generate(): {key}={unused[key]!r} is not supported")
        if max_length is not None:
            cfg.max_length = max_length
            if max_new_tokens is None:
                cfg.max_new_tokens = None

        # NOTE: the token bookkeeping (sequences, mask, finished rows) and the logits
        # processing run on the host: one (batch, vocab) row of logits comes back per
        # step; the model itself runs on its own device (``self.device``).
        device = self.device
        out_device = getattr(input_ids, "device", None)
        ids = np.array(to_host(input_ids._data) if hasattr(input_ids, "_data") else input_ids,
                       dtype=np.int64)
        if ids.ndim == 1:
            ids = ids[None, :]
        if ids.ndim != 2:
            raise ValueError(f"generate(): input_ids must be (batch, length), got shape "
                             f"{tuple(ids.shape)}")
        batch, prompt_length = ids.shape
        eos = _eos_list(cfg.eos_token_id)
        pad_id = cfg.pad_token_id
        if pad_id is None and eos:
            # NOTE: transformers warns and pads with the first eos token.
            pad_id = eos[0]
        if attention_mask is None:
            # NOTE: like transformers, a pad token in the prompt (other than eos) marks padding
            if pad_id is not None and pad_id not in eos and (ids == pad_id).any():
                mask = (ids != pad_id).astype(np.int64)
            else:
                mask = np.ones_like(ids)
        else:
            mask = np.array(_mask_array(attention_mask), dtype=np.int64)
            if mask.shape != ids.shape:
                raise ValueError(f"generate(): attention_mask shape {tuple(mask.shape)} does "
                                 f"not match input_ids {tuple(ids.shape)}")
            if batch > 1 and (mask[:, -1] == 0).any():
                warnings.warn("generate(): right padding found; decoder-only models should "
                              "be left-padded (tokenizer.padding_side = 'left')")

        if cfg.max_new_tokens is not None:
            new_tokens = int(cfg.max_new_tokens)
        else:
            new_tokens = int(cfg.max_length) - prompt_length
        if new_tokens <= 0:
            return _on(ember.from_numpy(ids.copy()), out_device)
        min_new = int(cfg.min_new_tokens or 0)
        processors = self._logits_processors(cfg)
        gen = _generator(generator, seed, device)
        cached = cfg.use_cache is not False

        finished = np.zeros(batch, dtype=bool)
        past = None
        sequences = ids
        was_training = self.training
        self.eval()
        try:
            with ember.no_grad():
                for step in range(new_tokens):
                    if past is None or not cached:
                        step_ids, step_len = sequences, sequences.shape[1]
                    else:
                        step_ids, step_len = sequences[:, -1:], 1
                    mask_t = _on(ember.from_numpy(mask), device)
                    out = self(input_ids=_on(ember.from_numpy(np.ascontiguousarray(step_ids)),
                                             device),
                               attention_mask=mask_t,
                               position_ids=positions_from_attention_mask(mask_t, step_len),
                               past_key_values=past if cached else None,
                               use_cache=cached, logits_to_keep=1)
                    past = out.past_key_values if cached else None
                    # NOTE: transformers processes the last logits in float32
                    scores = to_host(out.logits._data[:, -1, :]).astype(np.float32)
                    scores = processors(sequences, scores)
                    if step < min_new and eos:
                        scores[:, eos] = -np.inf
                    if cfg.do_sample:
                        probs = _softmax(scores)
                        # drawn on the model's device, from its generator (as torch)
                        drawn = ember.multinomial(_on(ember.from_numpy(probs), device), 1,
                                                  generator=gen)
                        next_tokens = to_host(drawn._data[:, 0]).astype(np.int64)
                    else:
                        next_tokens = scores.argmax(axis=-1).astype(np.int64)
                    if pad_id is not None:
                        next_tokens = np.where(finished, np.int64(pad_id), next_tokens)
                    sequences = np.concatenate([sequences, next_tokens[:, None]], axis=1)
                    mask = np.concatenate([mask, np.ones((batch, 1), dtype=np.int64)], axis=1)
                    if eos:
                        finished |= np.isin(next_tokens, eos)
                        if finished.all():
                            break
        finally:
            self.train(was_training)
        return _on(ember.from_numpy(np.ascontiguousarray(sequences)), out_device)


def _on(tensor, device):
    """``tensor`` (a cpu tensor) moved to ``device`` when that is not the cpu."""
    if device is None or device.type == "cpu":
        return tensor
    return tensor.to(device)


class _RepetitionPenalty:
    """transformers' repetition penalty: tokens already in the sequence get their logit
    divided by ``penalty`` when positive, multiplied when negative."""

    def __init__(self, penalty):
        self.penalty = _positive_float(penalty, "repetition_penalty")

    def __call__(self, input_ids, scores):
        scores = scores.copy()
        seen = np.take_along_axis(scores, input_ids, axis=-1)
        seen = np.where(seen < 0, seen * self.penalty, seen / self.penalty)
        np.put_along_axis(scores, input_ids, seen.astype(scores.dtype), axis=-1)
        return scores

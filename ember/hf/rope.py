"""Rotary position embeddings as Hugging Face's Llama computes them.

``rope_inv_freq(config)`` gives the inverse frequencies (with ``rope_scaling`` of type
'default', 'linear' or 'llama3') and the attention factor; ``rotary_cos_sin`` the cos/sin
tables for given positions; ``apply_rotary_pos_emb`` rotates queries and keys with the
"rotate half" convention (the first and second halves of a head form the pairs).
"""

import math

import numpy as np

from .._device import to_host

__all__ = ["rope_parameters", "rope_inv_freq", "rotary_cos_sin", "rotate_half",
           "apply_rotary_pos_emb"]


def rope_parameters(config):
    """The rope settings of a config as one dict with ``rope_type`` and ``rope_theta``.

    Reads transformers 5's ``rope_parameters`` and the older ``rope_scaling`` (with
    ``type`` or ``rope_type``) plus a top-level ``rope_theta``.
    """
    params = {}
    for key in ("rope_scaling", "rope_parameters"):
        value = getattr(config, key, None)
        if isinstance(value, dict):
            params.update(value)
    if "rope_type" not in params:
        params["rope_type"] = params.pop("type", "default")
    params.pop("type", None)
    if "rope_theta" not in params:
        params["rope_theta"] = getattr(config, "rope_theta", None) or 10000.0
    return params


def _head_dim(config):
    head_dim = getattr(config, "head_dim", None)
    if head_dim is None:
        head_dim = config.hidden_size // config.num_attention_heads
    return int(head_dim * getattr(config, "partial_rotary_factor", 1.0))


def rope_inv_freq(config):
    """``(inv_freq, attention_factor)``: float32 inverse frequencies of the head_dim/2
    rotation pairs, and the factor cos/sin are multiplied by (1.0 for the types here)."""
    params = rope_parameters(config)
    rope_type = params["rope_type"]
    dim = _head_dim(config)
    base = np.float32(params["rope_theta"])
    # NOTE: computed in float32 like transformers (base ** (even ints / dim), then 1/x)
    exponents = np.arange(0, dim, 2, dtype=np.int64).astype(np.float32) / np.float32(dim)
    inv_freq = (np.float32(1.0) / np.power(base, exponents)).astype(np.float32)
    if rope_type == "default":
        return inv_freq, 1.0
    if rope_type == "linear":
        return (inv_freq / np.float32(params["factor"])).astype(np.float32), 1.0
    if rope_type == "llama3":
        return _llama3(inv_freq, params), 1.0
    raise NotImplementedError(f"rope_type {rope_type!r} is not supported by ember.hf "
                              f"(supported: default, linear, llama3)")


def _llama3(inv_freq, params):
    """Llama 3.1's frequency-dependent scaling: long wavelengths are divided by
    ``factor``, short ones kept, the band between interpolated smoothly."""
    factor = np.float32(params["factor"])
    low_freq_factor = np.float32(params["low_freq_factor"])
    high_freq_factor = np.float32(params["high_freq_factor"])
    old_context = np.float32(params["original_max_position_embeddings"])
    low_freq_wavelen = old_context / low_freq_factor
    high_freq_wavelen = old_context / high_freq_factor
    wavelen = np.float32(2 * math.pi) / inv_freq
    scaled = np.where(wavelen > low_freq_wavelen, inv_freq / factor, inv_freq)
    smooth = (old_context / wavelen - low_freq_factor) / (high_freq_factor - low_freq_factor)
    smoothed = (1 - smooth) * scaled / factor + smooth * scaled
    medium = ~(wavelen < high_freq_wavelen) & ~(wavelen > low_freq_wavelen)
    return np.where(medium, smoothed, scaled).astype(np.float32)


def rotary_cos_sin(inv_freq, position_ids, attention_factor=1.0, dtype=None, device=None):
    """cos and sin tables (batch, seq, head_dim) for ``position_ids`` (batch, seq), on
    ``device`` (default cpu).

    The angles are computed in float32 whatever the model dtype (as transformers does),
    then cast to ``dtype``.  NOTE: the tables are built on the host from the (small)
    position ids and copied to the device once per forward; the heavy work stays there.
    """
    import ember
    pos = to_host(position_ids._data) if hasattr(position_ids, "_data") else position_ids
    pos = np.asarray(pos)
    freqs = pos.astype(np.float32)[..., None] * inv_freq  # (batch, seq, dim/2)
    emb = np.concatenate([freqs, freqs], axis=-1)
    cos, sin = np.cos(emb), np.sin(emb)
    if attention_factor != 1.0:
        cos, sin = cos * np.float32(attention_factor), sin * np.float32(attention_factor)
    cos = ember.from_numpy(np.ascontiguousarray(cos, dtype=np.float32))
    sin = ember.from_numpy(np.ascontiguousarray(sin, dtype=np.float32))
    if device is not None and device.type != "cpu":
        cos, sin = cos.to(device), sin.to(device)
    if dtype is not None and dtype != ember.float32:
        cos, sin = cos.to(dtype), sin.to(dtype)
    return cos, sin


def rotate_half(x):
    """(-x2, x1) for the halves x1, x2 of the last dim."""
    import ember
    half = x.shape[-1] // 2
    return ember.cat([-x[..., half:], x[..., :half]], dim=-1)


def apply_rotary_pos_emb(q, k, cos, sin, unsqueeze_dim=1):
    """Rotate q and k (batch, heads, seq, head_dim) by the angles in cos/sin (batch, seq,
    head_dim).

    >>> q, k = apply_rotary_pos_emb(q, k, cos, sin)
    """
    cos = cos.unsqueeze(unsqueeze_dim)
    sin = sin.unsqueeze(unsqueeze_dim)
    return q * cos + rotate_half(q) * sin, k * cos + rotate_half(k) * sin

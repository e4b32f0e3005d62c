"""Attention: scaled_dot_product_attention and multi_head_attention_forward.

``scaled_dot_product_attention`` is one primitive (one graph node): scores, mask, a
softmax that gives zeros on fully masked rows (as torch's CPU kernels do), dropout and
the product with the values run as a handful of NumPy calls, and the backward uses the
softmax-backward formula directly on the saved probabilities.  With
``create_graph=True`` the backward is recomputed from ember ops instead, so gradients
of gradients work.
"""
import math
import warnings

import numpy as np

from ... import _dtype as D
from ..._device import array_like, xp_of
from ..._random import numpy_generator
from ..._tensor import Tensor
from ...autograd.graph import Node
from ...ops import _util as U
from ...ops._util import GRAD, record

__all__ = ["scaled_dot_product_attention", "multi_head_attention_forward"]

_F32 = np.dtype(np.float32)
_LOW = (np.dtype(np.float16), D.bfloat16.np)


# ----------------------------------------------------------------------------------
# scaled_dot_product_attention
# ----------------------------------------------------------------------------------

def _safe_softmax(scores):
    """softmax over the last axis, in place; rows that are all -inf give zeros."""
    row_max = scores.max(axis=-1, keepdims=True)
    dead = None
    if not np.isfinite(row_max).all():
        dead = row_max == -np.inf
        row_max[dead] = 0
    scores -= row_max
    np.exp(scores, out=scores)
    total = scores.sum(axis=-1, keepdims=True)
    if dead is not None:
        total[total == 0] = 1   # NOTE: torch returns 0 (not NaN) on fully masked rows
    scores /= total
    return scores


class ScaledDotProductFlashAttentionForCpuBackward0(Node):
    """out = dropout(softmax(q k^T * scale + mask)) v.

    Saved: q, k, v, a float mask that requires grad; the probabilities ``probs`` (before
    dropout) and the dropout keep-mask (already scaled by 1/(1-p)) as plain arrays.
    """

    keep = None
    bias = None   # a constant additive array (bool or causal mask)

    def backward(self, grad):
        q, k, v, mask = self.saved_tensors
        if GRAD.enabled:
            return self._backward_graph(grad, q, k, v, mask)
        nf = self.next_functions
        probs, keep, scale = self.probs, self.keep, self.scale
        work = probs.dtype
        g = grad._data.astype(work, copy=False)
        qa, ka, va = (t._data.astype(work, copy=False) for t in (q, k, v))
        dev = grad._device
        wrap = U.wrap
        dq = dk = dv = dm = None
        weights = probs if keep is None else probs * keep
        if nf[2][0] is not None:
            dv = wrap(np.swapaxes(weights, -1, -2) @ g, dev)
        if nf[0][0] is not None or nf[1][0] is not None or nf[3][0] is not None:
            dp = g @ np.swapaxes(va, -1, -2)
            if keep is not None:
                dp *= keep
            # softmax backward: ds = p * (dp - sum(dp * p))
            # the row sums without a full-size temporary
            dp -= np.einsum("...i,...i->...", dp, probs)[..., None]
            dp *= probs
            if nf[3][0] is not None:
                dm = wrap(dp, dev)   # dp is not modified below
            # the scale goes on the (smaller) products, not on the (L, S) scores
            scale = work.type(scale)
            if nf[0][0] is not None:
                dq = dp @ ka
                dq *= scale
                dq = wrap(dq, dev)
            if nf[1][0] is not None:
                dk = np.swapaxes(dp, -1, -2) @ qa
                dk *= scale
                dk = wrap(dk, dev)
        return dq, dk, dv, dm

    def _backward_graph(self, grad, q, k, v, mask):
        """The same formulas in ember ops, probabilities recomputed from q, k (and mask)."""
        nf = self.next_functions
        work_dtype = D._FROM_NP[self.probs.dtype]
        qw, kw, vw = (t.to(work_dtype) for t in (q, k, v))
        g = grad.to(work_dtype)
        scores = qw.matmul(kw.transpose(-2, -1)) * self.scale
        dev = q._device
        if self.bias is not None:
            scores = scores + U.wrap(self.bias, dev)
        if mask is not None:
            scores = scores + mask.to(work_dtype)
        dead = U.wrap(self.probs.sum(axis=-1, keepdims=True) == 0, dev)
        probs = scores.softmax(-1).masked_fill(dead, 0.0)
        keep = None if self.keep is None else U.wrap(self.keep, dev)
        weights = probs if keep is None else probs * keep
        dv = weights.transpose(-2, -1).matmul(g) if nf[2][0] is not None else None
        dp = g.matmul(vw.transpose(-2, -1))
        if keep is not None:
            dp = dp * keep
        ds = probs * (dp - (dp * probs).sum(-1, keepdim=True))
        dm = ds if nf[3][0] is not None else None
        ds = ds * self.scale
        dq = ds.matmul(kw) if nf[0][0] is not None else None
        dk = ds.transpose(-2, -1).matmul(qw) if nf[1][0] is not None else None
        return dq, dk, dv, dm


def _sdpa_check(query, key, value, attn_mask):
    op = "scaled_dot_product_attention"
    for t, name in ((query, "query"), (key, "key"), (value, "value")):
        U.check_tensor(t, op, name)
    if attn_mask is not None:
        U.check_tensor(attn_mask, op, "attn_mask")
    for t in (key, value, attn_mask):
        if t is not None and t._device is not query._device:
            raise RuntimeError(f"{op}(): Expected all tensors to be on the same device, but "
                               f"found at least two devices, {query.device} and {t.device}!")
    dq, dk, dv = query.dtype, key.dtype, value.dtype
    if not (dq == dk == dv):
        raise RuntimeError(f"{op}(): Expected query, key, and value to have the same dtype, but "
                           f"got query.dtype: {dq} key.dtype: {dk} and value.dtype: {dv} instead.")
    if not query.is_floating_point():
        raise RuntimeError(f"{op}(): expected a floating point query, key and value, got {dq}")
    for t, name in ((query, "query"), (key, "key"), (value, "value")):
        if t.ndim < 2:
            raise RuntimeError(f"{op}(): {name} must be at least 2-D, got shape {tuple(t.shape)}")
    if key.shape[-1] != query.shape[-1]:
        raise RuntimeError(f"{op}(): query and key must have the same embedding size, got "
                           f"query {tuple(query.shape)} and key {tuple(key.shape)}")
    if key.shape[-2] != value.shape[-2]:
        raise RuntimeError(f"{op}(): key and value must have the same sequence length, got "
                           f"key {tuple(key.shape)} and value {tuple(value.shape)}")
    if attn_mask is not None and attn_mask.dtype != D.bool and not attn_mask.is_floating_point():
        raise RuntimeError(f"{op}(): Expected attn_mask dtype to be bool or float or to match "
                           f"query dtype, got {attn_mask.dtype}")


def _repeat_heads(query, key, value):
    """enable_gqa: each key/value head serves query_heads // kv_heads query heads."""
    if query.ndim < 3 or key.ndim < 3:
        return key, value
    hq, hk, hv = query.shape[-3], key.shape[-3], value.shape[-3]
    if hq % hk or hq % hv:
        raise RuntimeError(f"scaled_dot_product_attention(): with enable_gqa=True the number of "
                           f"query heads ({hq}) must be divisible by the key heads ({hk}) and "
                           f"value heads ({hv})")
    if hk != hq:
        key = key.repeat_interleave(hq // hk, dim=-3)
    if hv != hq:
        value = value.repeat_interleave(hq // hv, dim=-3)
    return key, value


def scaled_dot_product_attention(query, key, value, attn_mask=None, dropout_p=0.0,
                                 is_causal=False, scale=None, enable_gqa=False):
    """softmax(query @ key^T * scale + mask) @ value over the last two dims.

    ``attn_mask``: bool (True = may attend) or float (added to the scores), broadcast to
    (..., L, S).  ``is_causal``: a lower-triangular (upper-left aligned) mask.  ``scale``
    defaults to 1/sqrt(E).  ``enable_gqa``: key/value heads (dim -3) are repeated to match
    the query heads.  ``dropout_p`` drops attention weights (always, as in torch).

    >>> q = ember.randn(2, 4, 8, 16)
    >>> F.scaled_dot_product_attention(q, q, q, is_causal=True).shape
    torch.Size([2, 4, 8, 16])
    """
    _sdpa_check(query, key, value, attn_mask)
    if is_causal and attn_mask is not None:
        raise RuntimeError("scaled_dot_product_attention(): Explicit attn_mask should not be set "
                           "when is_causal=True")
    if not 0.0 <= dropout_p <= 1.0:
        raise ValueError(f"dropout probability has to be between 0 and 1, but got {dropout_p}")
    if enable_gqa:
        key, value = _repeat_heads(query, key, value)
    qa, ka, va = query._data, key._data, value._data
    low = qa.dtype in _LOW
    work = _F32 if low else qa.dtype
    if low:
        qa, ka, va = qa.astype(work), ka.astype(work), va.astype(work)
    L, S = qa.shape[-2], ka.shape[-2]
    scale = 1.0 / math.sqrt(qa.shape[-1]) if scale is None else float(scale)
    try:
        # scale the (L, E) query rather than the (L, S) scores: fewer multiplications
        scores = (qa * work.type(scale)) @ np.swapaxes(ka, -1, -2)
    except ValueError:
        raise RuntimeError(f"scaled_dot_product_attention(): the batch dims of query "
                           f"{tuple(query.shape)} and key {tuple(key.shape)} do not "
                           f"broadcast") from None
    bias = None        # constant additive mask (bool / causal)
    mask_t = None      # float mask tensor (may require grad)
    if is_causal:
        xp = xp_of(scores)
        bias = xp.triu(xp.full((L, S), -np.inf, dtype=work), 1)
    elif attn_mask is not None:
        m = attn_mask._data
        if m.dtype == np.bool_:
            bias = np.where(m, work.type(0), work.type(-np.inf))
        else:
            mask_t = attn_mask
            bias_f = m.astype(work, copy=False)
    try:
        if bias is not None:
            scores = scores + bias if scores.shape != np.broadcast_shapes(
                scores.shape, bias.shape) else np.add(scores, bias, out=scores)
        if mask_t is not None:
            scores = scores + bias_f if scores.shape != np.broadcast_shapes(
                scores.shape, bias_f.shape) else np.add(scores, bias_f, out=scores)
    except ValueError:
        raise RuntimeError(f"scaled_dot_product_attention(): attn_mask of shape "
                           f"{tuple(attn_mask.shape)} does not broadcast to the attention "
                           f"scores of shape {scores.shape}") from None
    probs = _safe_softmax(scores) if scores.size else scores
    keep = None
    if dropout_p > 0.0:
        gen = numpy_generator(None, "scaled_dot_product_attention")
        if dropout_p == 1.0:
            keep = xp_of(probs).zeros(probs.shape, dtype=work)
        else:
            keep = array_like(gen.random(probs.shape, dtype=np.float32) >= np.float32(dropout_p),
                              probs)
            keep = keep.astype(work) * work.type(1.0 / (1.0 - dropout_p))
        out = (probs * keep) @ va
    else:
        out = probs @ va
    if low:
        out = out.astype(query._data.dtype)
    res = U.wrap(out, query._device)
    if GRAD.enabled and (query._rg or key._rg or value._rg
                         or (mask_t is not None and mask_t._rg)):
        node = record(ScaledDotProductFlashAttentionForCpuBackward0, res,
                      (query, key, value, mask_t), (query, key, value, mask_t))
        node.probs = probs
        node.keep = keep
        node.scale = scale
        node.bias = bias
    return res


# ----------------------------------------------------------------------------------
# multi_head_attention_forward
# ----------------------------------------------------------------------------------

def _canonical_mask(mask, name, dtype):
    """bool masks (True = masked out) become float masks with -inf; floats pass through."""
    if mask is None:
        return None
    if not isinstance(mask, Tensor):
        raise TypeError(f"multi_head_attention_forward(): {name} must be a Tensor, not "
                        f"{type(mask).__name__}")
    if mask.dtype == D.bool:
        from ...ops.creation import zeros
        return zeros(mask.shape, dtype=dtype, device=mask.device).masked_fill(mask, float("-inf"))
    if not mask.is_floating_point():
        raise AssertionError(f"only bool and floating types of {name} are supported")
    return mask


def _pad_last(mask, value=0.0):
    """Append one column to a mask (for bias_k/bias_v and add_zero_attn)."""
    from .padding import pad
    return None if mask is None else pad(mask, (0, 1), value=value)


def _project(query, key, value, w, b, separate, q_w, k_w, v_w, embed_dim):
    from .linear import linear
    if not separate:
        if query is key and key is value:
            # self-attention: one GEMM for q, k and v
            qkv = linear(query, w, b)
            return (qkv[..., :embed_dim], qkv[..., embed_dim:2 * embed_dim],
                    qkv[..., 2 * embed_dim:])
        q_w, k_w, v_w = w[:embed_dim], w[embed_dim:2 * embed_dim], w[2 * embed_dim:]
    if b is None:
        b_q = b_k = b_v = None
    else:
        b_q, b_k, b_v = b[:embed_dim], b[embed_dim:2 * embed_dim], b[2 * embed_dim:]
    return linear(query, q_w, b_q), linear(key, k_w, b_k), linear(value, v_w, b_v)


def _check_mha_shapes(query, key, value, key_padding_mask, attn_mask, num_heads):
    op = "multi_head_attention_forward()"
    if query.ndim == 3:
        if key.ndim != 3 or value.ndim != 3:
            raise AssertionError(f"{op}: For batched (3-D) `query`, expected `key` and `value` "
                                 f"to be 3-D but found {key.ndim}-D and {value.ndim}-D tensors "
                                 "respectively")
        if key_padding_mask is not None and key_padding_mask.ndim != 2:
            raise AssertionError(f"{op}: For batched (3-D) `query`, expected `key_padding_mask` "
                                 f"to be `None` or 2-D but found {key_padding_mask.ndim}-D tensor")
        if attn_mask is not None and attn_mask.ndim not in (2, 3):
            raise AssertionError(f"{op}: For batched (3-D) `query`, expected `attn_mask` to be "
                                 f"`None`, 2-D or 3-D but found {attn_mask.ndim}-D tensor")
        return True
    if query.ndim == 2:
        if key.ndim != 2 or value.ndim != 2:
            raise AssertionError(f"{op}: For unbatched (2-D) `query`, expected `key` and `value` "
                                 f"to be 2-D but found {key.ndim}-D and {value.ndim}-D tensors "
                                 "respectively")
        if key_padding_mask is not None and key_padding_mask.ndim != 1:
            raise AssertionError(f"{op}: For unbatched (2-D) `query`, expected "
                                 f"`key_padding_mask` to be `None` or 1-D but found "
                                 f"{key_padding_mask.ndim}-D tensor")
        if attn_mask is not None:
            if attn_mask.ndim not in (2, 3):
                raise AssertionError(f"{op}: For unbatched (2-D) `query`, expected `attn_mask` "
                                     f"to be `None`, 2-D or 3-D but found {attn_mask.ndim}-D")
            if attn_mask.ndim == 3 and attn_mask.shape[0] != num_heads:
                raise AssertionError(f"{op}: Expected `attn_mask` shape to be "
                                     f"{(num_heads, query.shape[0], key.shape[0])} but got "
                                     f"{tuple(attn_mask.shape)}")
        return False
    raise AssertionError(f"{op}: query should be unbatched 2D or batched 3D tensor but received "
                         f"{query.ndim}-D query tensor")


def multi_head_attention_forward(query, key, value, embed_dim_to_check, num_heads, in_proj_weight,
                                 in_proj_bias, bias_k, bias_v, add_zero_attn, dropout_p,
                                 out_proj_weight, out_proj_bias, training=True,
                                 key_padding_mask=None, need_weights=True, attn_mask=None,
                                 use_separate_proj_weight=False, q_proj_weight=None,
                                 k_proj_weight=None, v_proj_weight=None, static_k=None,
                                 static_v=None, average_attn_weights=True, is_causal=False):
    """Multi-head attention over sequence-first inputs (L, N, E) or unbatched (L, E).

    Returns (attn_output, attn_weights); the weights are averaged over heads when
    ``average_attn_weights`` and None when ``need_weights`` is False.  Bool masks mark
    positions NOT allowed to attend with True; float masks are added to the scores.

    >>> E = 8; w = ember.randn(3 * E, E); ow = ember.randn(E, E); x = ember.randn(5, 2, E)
    >>> out, wts = F.multi_head_attention_forward(x, x, x, E, 2, w, None, None, None, False,
    ...                                           0.0, ow, None)
    >>> out.shape, wts.shape
    (torch.Size([5, 2, 8]), torch.Size([2, 5, 5]))
    """
    from .dropout import dropout
    from .linear import linear
    from ...ops.creation import zeros
    from ...ops.shape import cat

    for t, name in ((query, "query"), (key, "key"), (value, "value")):
        U.check_tensor(t, "multi_head_attention_forward", name)
    batched = _check_mha_shapes(query, key, value, key_padding_mask, attn_mask, num_heads)
    if not batched:
        query, key, value = query.unsqueeze(1), key.unsqueeze(1), value.unsqueeze(1)
        if key_padding_mask is not None:
            key_padding_mask = key_padding_mask.unsqueeze(0)
    tgt_len, bsz, embed_dim = query.shape
    src_len = key.shape[0]
    if embed_dim != embed_dim_to_check:
        raise AssertionError(f"was expecting embedding dimension of {embed_dim_to_check}, but got "
                             f"{embed_dim}")
    head_dim = embed_dim // num_heads
    if head_dim * num_heads != embed_dim:
        raise AssertionError(f"embed_dim {embed_dim} not divisible by num_heads {num_heads}")
    if use_separate_proj_weight:
        if key.shape[:2] != value.shape[:2]:
            raise AssertionError(f"key's sequence and batch dims {tuple(key.shape[:2])} do not "
                                 f"match value's {tuple(value.shape[:2])}")
    elif key.shape != value.shape:
        raise AssertionError(f"key shape {tuple(key.shape)} does not match value shape "
                             f"{tuple(value.shape)}")

    if (isinstance(key_padding_mask, Tensor) and isinstance(attn_mask, Tensor)
            and (key_padding_mask.dtype == D.bool) != (attn_mask.dtype == D.bool)):
        warnings.warn("Support for mismatched key_padding_mask and attn_mask is deprecated. Use "
                      "same type for both instead.", UserWarning, stacklevel=2)
    key_padding_mask = _canonical_mask(key_padding_mask, "key_padding_mask", query.dtype)
    if is_causal and attn_mask is None:
        raise RuntimeError("Need attn_mask if specifying the is_causal hint. You may use the "
                           "Transformer module method `generate_square_subsequent_mask` to "
                           "create this mask.")
    # NOTE: as in torch, is_causal is only a hint here; the attn_mask given is what is used.
    attn_mask = _canonical_mask(attn_mask, "attn_mask", query.dtype)
    if attn_mask is not None:
        if attn_mask.ndim == 2:
            if tuple(attn_mask.shape) != (tgt_len, src_len):
                raise RuntimeError(f"The shape of the 2D attn_mask is {tuple(attn_mask.shape)}, "
                                   f"but should be {(tgt_len, src_len)}.")
            attn_mask = attn_mask.unsqueeze(0)
        elif tuple(attn_mask.shape) != (bsz * num_heads, tgt_len, src_len):
            raise RuntimeError(f"The shape of the 3D attn_mask is {tuple(attn_mask.shape)}, but "
                               f"should be {(bsz * num_heads, tgt_len, src_len)}.")

    q, k, v = _project(query, key, value, in_proj_weight, in_proj_bias, use_separate_proj_weight,
                       q_proj_weight, k_proj_weight, v_proj_weight, embed_dim)
    if bias_k is not None and bias_v is not None:
        if static_k is not None or static_v is not None:
            raise AssertionError("bias cannot be added to static key/value.")
        k = cat([k, bias_k.expand(1, bsz, embed_dim)])
        v = cat([v, bias_v.expand(1, bsz, embed_dim)])
        attn_mask = _pad_last(attn_mask)
        key_padding_mask = _pad_last(key_padding_mask)

    # (L, N, E) -> (N * H, L, head_dim)
    q = q.reshape(tgt_len, bsz * num_heads, head_dim).transpose(0, 1)
    k = (k.reshape(k.shape[0], bsz * num_heads, head_dim).transpose(0, 1) if static_k is None
         else static_k)
    v = (v.reshape(v.shape[0], bsz * num_heads, head_dim).transpose(0, 1) if static_v is None
         else static_v)
    if add_zero_attn:
        zero = zeros((bsz * num_heads, 1, head_dim), dtype=k.dtype, device=k.device)
        k = cat([k, zero], dim=1)
        v = cat([v, zeros((bsz * num_heads, 1, v.shape[-1]), dtype=v.dtype, device=v.device)],
                dim=1)
        attn_mask = _pad_last(attn_mask)
        key_padding_mask = _pad_last(key_padding_mask)
    src_len = k.shape[1]

    if key_padding_mask is not None:
        if tuple(key_padding_mask.shape) != (bsz, src_len):
            raise AssertionError(f"expecting key_padding_mask shape of {(bsz, src_len)}, but got "
                                 f"{tuple(key_padding_mask.shape)}")
        kpm = key_padding_mask.reshape(bsz, 1, 1, src_len).expand(
            bsz, num_heads, 1, src_len).reshape(bsz * num_heads, 1, src_len)
        attn_mask = kpm if attn_mask is None else attn_mask + kpm
    if not training:
        dropout_p = 0.0

    if need_weights:
        scores = (q * (1.0 / math.sqrt(head_dim))).matmul(k.transpose(-2, -1))
        if attn_mask is not None:
            scores = scores + attn_mask
        weights = scores.softmax(-1)
        if dropout_p > 0.0:
            weights = dropout(weights, p=dropout_p)
        out = weights.matmul(v)
        out = out.transpose(0, 1).reshape(tgt_len * bsz, embed_dim)
        out = linear(out, out_proj_weight, out_proj_bias).reshape(tgt_len, bsz, embed_dim)
        weights = weights.reshape(bsz, num_heads, tgt_len, src_len)
        if average_attn_weights:
            weights = weights.mean(dim=1)
        if not batched:
            out, weights = out.squeeze(1), weights.squeeze(0)
        return out, weights

    if attn_mask is not None:
        if attn_mask.shape[0] == 1:
            attn_mask = attn_mask.unsqueeze(0)
        else:
            attn_mask = attn_mask.reshape(bsz, num_heads, -1, src_len)
    q = q.reshape(bsz, num_heads, tgt_len, head_dim)
    k = k.reshape(bsz, num_heads, src_len, head_dim)
    v = v.reshape(bsz, num_heads, src_len, v.shape[-1])
    out = scaled_dot_product_attention(q, k, v, attn_mask, dropout_p)
    out = out.permute(2, 0, 1, 3).reshape(bsz * tgt_len, embed_dim)
    out = linear(out, out_proj_weight, out_proj_bias).reshape(tgt_len, bsz, embed_dim)
    if not batched:
        out = out.squeeze(1)
    return out, None

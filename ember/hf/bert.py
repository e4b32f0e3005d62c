"""BERT (and MiniLM, which is a small BERT) with Hugging Face's parameter names.

``BertModel.from_pretrained(dir)`` loads checkpoints saved by ``transformers`` (keys
with or without the ``bert.`` prefix); ``model.load_state_dict(sd, strict=True)`` works
with the state dict of transformers' BertModel.
"""

import math

import ember

from .. import nn
from ..nn import functional as F
from .activations import get_activation
from .config import PretrainedConfig
from .modeling_utils import PreTrainedModel
from .outputs import BaseModelOutputWithPooling

__all__ = ["BertConfig", "BertModel", "BertPreTrainedModel", "BertEmbeddings", "BertLayer",
           "BertEncoder", "BertPooler", "BertSelfAttention"]


class BertConfig(PretrainedConfig):
    """BERT's hyper-parameters (transformers' defaults are bert-base-uncased's).

    >>> cfg = ember.hf.BertConfig(hidden_size=64, num_hidden_layers=2, num_attention_heads=4)
    """

    model_type = "bert"

    def __init__(self, vocab_size=30522, hidden_size=768, num_hidden_layers=12,
                 num_attention_heads=12, intermediate_size=3072, hidden_act="gelu",
                 hidden_dropout_prob=0.1, attention_probs_dropout_prob=0.1,
                 max_position_embeddings=512, type_vocab_size=2, initializer_range=0.02,
                 layer_norm_eps=1e-12, pad_token_id=0, position_embedding_type="absolute",
                 classifier_dropout=None, **kwargs):
        super().__init__(pad_token_id=pad_token_id, **kwargs)
        self.vocab_size = vocab_size
        self.hidden_size = hidden_size
        self.num_hidden_layers = num_hidden_layers
        self.num_attention_heads = num_attention_heads
        self.intermediate_size = intermediate_size
        self.hidden_act = hidden_act
        self.hidden_dropout_prob = hidden_dropout_prob
        self.attention_probs_dropout_prob = attention_probs_dropout_prob
        self.max_position_embeddings = max_position_embeddings
        self.type_vocab_size = type_vocab_size
        self.initializer_range = initializer_range
        self.layer_norm_eps = layer_norm_eps
        self.position_embedding_type = position_embedding_type
        self.classifier_dropout = classifier_dropout


class BertEmbeddings(nn.Module):
    """word + position + token-type embeddings, then LayerNorm and dropout."""

    def __init__(self, config):
        super().__init__()
        self.word_embeddings = nn.Embedding(config.vocab_size, config.hidden_size,
                                            padding_idx=config.pad_token_id)
        self.position_embeddings = nn.Embedding(config.max_position_embeddings,
                                                config.hidden_size)
        self.token_type_embeddings = nn.Embedding(config.type_vocab_size, config.hidden_size)
        self.LayerNorm = nn.LayerNorm(config.hidden_size, eps=config.layer_norm_eps)
        self.dropout = nn.Dropout(config.hidden_dropout_prob)
        if getattr(config, "position_embedding_type", "absolute") != "absolute":
            raise NotImplementedError("ember.hf.BertModel supports only absolute position "
                                      "embeddings")

    def forward(self, input_ids=None, token_type_ids=None, position_ids=None,
                inputs_embeds=None):
        if inputs_embeds is None:
            inputs_embeds = self.word_embeddings(input_ids)
        batch, seq = inputs_embeds.shape[0], inputs_embeds.shape[1]
        if position_ids is None:
            position_ids = ember.arange(seq, device=inputs_embeds.device).unsqueeze(0)
        if token_type_ids is None:
            token_type_ids = ember.zeros((batch, seq), dtype=ember.int64,
                                         device=inputs_embeds.device)
        emb = inputs_embeds + self.token_type_embeddings(token_type_ids)
        emb = emb + self.position_embeddings(position_ids)
        return self.dropout(self.LayerNorm(emb))


class BertSelfAttention(nn.Module):
    def __init__(self, config):
        super().__init__()
        if config.hidden_size % config.num_attention_heads:
            raise ValueError(f"hidden_size {config.hidden_size} is not a multiple of "
                             f"num_attention_heads {config.num_attention_heads}")
        self.num_attention_heads = config.num_attention_heads
        self.attention_head_size = config.hidden_size // config.num_attention_heads
        self.all_head_size = config.hidden_size
        self.query = nn.Linear(config.hidden_size, self.all_head_size)
        self.key = nn.Linear(config.hidden_size, self.all_head_size)
        self.value = nn.Linear(config.hidden_size, self.all_head_size)
        self.dropout = nn.Dropout(config.attention_probs_dropout_prob)

    def _heads(self, x):
        b, s = x.shape[0], x.shape[1]
        x = x.view(b, s, self.num_attention_heads, self.attention_head_size).transpose(1, 2)
        # NOTE: contiguous per-head matrices let NumPy's batched matmul call BLAS; on the
        # strided view it falls back to a loop that is ~10x slower.
        return x.contiguous()

    def forward(self, hidden_states, attention_mask=None, output_attentions=False):
        q = self._heads(self.query(hidden_states))
        k = self._heads(self.key(hidden_states))
        v = self._heads(self.value(hidden_states))
        # scale q before the product: one (s, d) multiply instead of an (s, s) one
        scores = (q * (1.0 / math.sqrt(self.attention_head_size))) @ k.transpose(-1, -2)
        if attention_mask is not None:
            scores = scores + attention_mask
        probs = F.softmax(scores, dim=-1)
        probs_dropped = self.dropout(probs)
        ctx = probs_dropped @ v
        b, s = ctx.shape[0], ctx.shape[2]
        ctx = ctx.transpose(1, 2).reshape(b, s, self.all_head_size)
        return ctx, (probs if output_attentions else None)


class _BertResidualOutput(nn.Module):
    """``LayerNorm(dropout(dense(x)) + residual)`` with ``dense`` from ``in_features``."""

    def __init__(self, config, in_features):
        super().__init__()
        self.dense = nn.Linear(in_features, config.hidden_size)
        self.LayerNorm = nn.LayerNorm(config.hidden_size, eps=config.layer_norm_eps)
        self.dropout = nn.Dropout(config.hidden_dropout_prob)

    def forward(self, hidden_states, input_tensor):
        return self.LayerNorm(self.dropout(self.dense(hidden_states)) + input_tensor)


class BertSelfOutput(_BertResidualOutput):
    def __init__(self, config):
        super().__init__(config, config.hidden_size)


class BertAttention(nn.Module):
    def __init__(self, config):
        super().__init__()
        self.self = BertSelfAttention(config)
        self.output = BertSelfOutput(config)

    def forward(self, hidden_states, attention_mask=None, output_attentions=False):
        ctx, probs = self.self(hidden_states, attention_mask, output_attentions)
        return self.output(ctx, hidden_states), probs


class BertIntermediate(nn.Module):
    def __init__(self, config):
        super().__init__()
        self.dense = nn.Linear(config.hidden_size, config.intermediate_size)
        self.intermediate_act_fn = get_activation(config.hidden_act)

    def forward(self, hidden_states):
        return self.intermediate_act_fn(self.dense(hidden_states))


class BertOutput(_BertResidualOutput):
    def __init__(self, config):
        super().__init__(config, config.intermediate_size)


class BertLayer(nn.Module):
    def __init__(self, config):
        super().__init__()
        self.attention = BertAttention(config)
        self.intermediate = BertIntermediate(config)
        self.output = BertOutput(config)

    def forward(self, hidden_states, attention_mask=None, output_attentions=False):
        attn, probs = self.attention(hidden_states, attention_mask, output_attentions)
        return self.output(self.intermediate(attn), attn), probs


class BertEncoder(nn.Module):
    def __init__(self, config):
        super().__init__()
        self.layer = nn.ModuleList([BertLayer(config) for _ in range(config.num_hidden_layers)])

    def forward(self, hidden_states, attention_mask=None, output_attentions=False,
                output_hidden_states=False):
        all_hidden = (hidden_states,) if output_hidden_states else None
        all_attn = () if output_attentions else None
        for layer in self.layer:
            hidden_states, probs = layer(hidden_states, attention_mask, output_attentions)
            if output_hidden_states:
                all_hidden = all_hidden + (hidden_states,)
            if output_attentions:
                all_attn = all_attn + (probs,)
        return hidden_states, all_hidden, all_attn


class BertPooler(nn.Module):
    """tanh(dense(hidden state of the first token))."""

    def __init__(self, config):
        super().__init__()
        self.dense = nn.Linear(config.hidden_size, config.hidden_size)
        self.activation = nn.Tanh()

    def forward(self, hidden_states):
        return self.activation(self.dense(hidden_states[:, 0]))


class BertPreTrainedModel(PreTrainedModel):
    config_class = BertConfig
    base_model_prefix = "bert"
    # buffers that older transformers versions saved; we compute them instead
    _keys_to_ignore_on_load_unexpected = [r"(^|\.)position_ids$",
                                          r"(^|\.)embeddings\.token_type_ids$"]


def extended_attention_mask(attention_mask, dtype):
    """(batch, seq) 1/0 mask -> (batch, 1, 1, seq) additive mask: 0 where attended,
    the dtype's most negative value where padded (transformers' convention)."""
    if attention_mask.dim() == 2:
        mask = attention_mask[:, None, None, :]
    elif attention_mask.dim() == 3:
        mask = attention_mask[:, None, :, :]
    else:
        raise ValueError(f"attention_mask must have 2 or 3 dims, got shape "
                         f"{tuple(attention_mask.shape)}")
    if mask.dtype == ember.bool:
        keep = mask
    else:
        keep = mask != 0
    neg = ember.full((), ember.finfo(dtype).min, dtype=dtype, device=mask.device)
    zero = ember.zeros((), dtype=dtype, device=mask.device)
    return ember.where(keep, zero, neg)


class BertModel(BertPreTrainedModel):
    """The BERT encoder; ``add_pooling_layer=False`` drops the pooler.

    >>> model = ember.hf.BertModel.from_pretrained("path/to/minilm")
    >>> out = model(input_ids, attention_mask=attention_mask)
    >>> out.last_hidden_state.shape, out.pooler_output.shape
    """

    def __init__(self, config, add_pooling_layer=True):
        super().__init__(config)
        self.embeddings = BertEmbeddings(config)
        self.encoder = BertEncoder(config)
        self.pooler = BertPooler(config) if add_pooling_layer else None
        self.post_init()

    def get_input_embeddings(self):
        return self.embeddings.word_embeddings

    def set_input_embeddings(self, value):
        self.embeddings.word_embeddings = value

    def forward(self, input_ids=None, attention_mask=None, token_type_ids=None,
                position_ids=None, head_mask=None, inputs_embeds=None,
                output_attentions=None, output_hidden_states=None, return_dict=None,
                **kwargs):
        cfg = self.config
        if output_attentions is None:
            output_attentions = cfg.output_attentions
        if output_hidden_states is None:
            output_hidden_states = cfg.output_hidden_states
        if return_dict is None:
            return_dict = cfg.return_dict
        if head_mask is not None:
            raise NotImplementedError("head_mask is not supported by ember.hf.BertModel")
        if (input_ids is None) == (inputs_embeds is None):
            raise ValueError("pass exactly one of input_ids and inputs_embeds")
        emb = self.embeddings(input_ids=input_ids, token_type_ids=token_type_ids,
                              position_ids=position_ids, inputs_embeds=inputs_embeds)
        mask = None
        if attention_mask is not None:
            mask = extended_attention_mask(attention_mask, emb.dtype)
        hidden, all_hidden, all_attn = self.encoder(emb, mask, output_attentions,
                                                    output_hidden_states)
        pooled = self.pooler(hidden) if self.pooler is not None else None
        if not return_dict:
            return tuple(x for x in (hidden, pooled, all_hidden, all_attn) if x is not None)
        return BaseModelOutputWithPooling(last_hidden_state=hidden, pooler_output=pooled,
                                          hidden_states=all_hidden, attentions=all_attn)


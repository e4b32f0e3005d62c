"""GPT-2 (``GPT2Model``, ``GPT2LMHeadModel``) with Hugging Face's parameter names, so
their checkpoints load as they are.

GPT-2's linear layers are ``Conv1D``: the weight is stored (in, out) and applied as
``x @ weight + bias``.  The language-model head shares its weight with ``wte`` and is not
in the checkpoint files.  Old checkpoints also hold the causal-mask buffers
``attn.bias``/``attn.masked_bias``; they are ignored (the mask is computed).

>>> model = ember.hf.GPT2LMHeadModel.from_pretrained("path/to/gpt2")
>>> logits = model(input_ids).logits
"""

import math

from .. import nn
from ..nn import functional as F
from ..nn.parameter import Parameter
from ._decoder import CausalLMHeadMixin, DecoderPreTrainedModel, DecoderState, causal_lm_loss
from .activations import get_activation
from .config import PretrainedConfig
from .generation import GenerationMixin

__all__ = ["GPT2Config", "GPT2Model", "GPT2LMHeadModel", "Conv1D", "causal_lm_loss"]


class GPT2Config(PretrainedConfig):
    """GPT-2's hyper-parameters (transformers' names and defaults).

    >>> cfg = GPT2Config(n_layer=2, n_embd=32, n_head=4, vocab_size=100)
    >>> cfg.hidden_size
    32
    """

    model_type = "gpt2"
    attribute_map = {"hidden_size": "n_embd", "max_position_embeddings": "n_positions",
                     "num_attention_heads": "n_head", "num_hidden_layers": "n_layer"}

    def __init__(self, vocab_size=50257, n_positions=1024, n_embd=768, n_layer=12, n_head=12,
                 n_inner=None, activation_function="gelu_new", resid_pdrop=0.1,
                 embd_pdrop=0.1, attn_pdrop=0.1, layer_norm_epsilon=1e-5,
                 initializer_range=0.02, scale_attn_weights=True, use_cache=True,
                 bos_token_id=50256, eos_token_id=50256, scale_attn_by_inverse_layer_idx=False,
                 reorder_and_upcast_attn=False, tie_word_embeddings=True, **kwargs):
        self.vocab_size = vocab_size
        self.n_positions = n_positions
        self.n_embd = n_embd
        self.n_layer = n_layer
        self.n_head = n_head
        self.n_inner = n_inner
        self.activation_function = activation_function
        self.resid_pdrop = resid_pdrop
        self.embd_pdrop = embd_pdrop
        self.attn_pdrop = attn_pdrop
        self.layer_norm_epsilon = layer_norm_epsilon
        self.initializer_range = initializer_range
        self.scale_attn_weights = scale_attn_weights
        self.scale_attn_by_inverse_layer_idx = scale_attn_by_inverse_layer_idx
        self.reorder_and_upcast_attn = reorder_and_upcast_attn
        super().__init__(use_cache=use_cache, bos_token_id=bos_token_id,
                         eos_token_id=eos_token_id, tie_word_embeddings=tie_word_embeddings,
                         **kwargs)


class Conv1D(nn.Module):
    """GPT-2's linear layer: ``x @ weight + bias`` with ``weight`` stored (nx, nf).

    >>> Conv1D(nf=96, nx=32).weight.shape
    torch.Size([32, 96])
    """

    def __init__(self, nf, nx):
        super().__init__()
        import ember
        self.nf = nf
        self.nx = nx
        self.weight = Parameter(ember.empty(nx, nf))
        self.bias = Parameter(ember.zeros(nf))
        nn.init.normal_(self.weight, std=0.02)

    def forward(self, x):
        import ember
        shape = x.shape[:-1] + (self.nf,)
        out = ember.addmm(self.bias, x.reshape(-1, x.shape[-1]), self.weight)
        return out.reshape(shape)

    def extra_repr(self):
        return f"nf={self.nf}, nx={self.nx}"


def attention(query, key, value, mask, scale, dropout_p=0.0, output_attentions=False):
    """Attention over (batch, heads, seq, head_dim) tensors with an additive ``mask``;
    key/value may have fewer heads (grouped-query attention).  Returns ``(output,
    weights)``; the weights (batch, heads, query, key) only with ``output_attentions``
    (then computed explicitly instead of by the fused kernel)."""
    gqa = key.shape[1] != query.shape[1]
    if not output_attentions:
        out = F.scaled_dot_product_attention(query, key, value, attn_mask=mask,
                                             dropout_p=dropout_p, scale=scale, enable_gqa=gqa)
        return out, None
    if gqa:
        repeat = query.shape[1] // key.shape[1]
        key = key.repeat_interleave(repeat, dim=1)
        value = value.repeat_interleave(repeat, dim=1)
    scores = (query @ key.transpose(-1, -2)) * scale
    if mask is not None:
        scores = scores + mask
    weights = F.softmax(scores.float(), dim=-1).to(value.dtype)
    dropped = F.dropout(weights, dropout_p) if dropout_p else weights
    return dropped @ value, weights


def _split_heads(x, heads, head_dim):
    batch, length = x.shape[0], x.shape[1]
    return x.reshape(batch, length, heads, head_dim).transpose(1, 2)


def _merge_heads(x):
    batch, heads, length, head_dim = x.shape
    return x.transpose(1, 2).reshape(batch, length, heads * head_dim)


class GPT2Attention(nn.Module):
    def __init__(self, config, layer_idx=None):
        super().__init__()
        self.embed_dim = config.hidden_size
        self.num_heads = config.num_attention_heads
        self.head_dim = self.embed_dim // self.num_heads
        if self.head_dim * self.num_heads != self.embed_dim:
            raise ValueError(f"n_embd ({self.embed_dim}) must be divisible by n_head "
                             f"({self.num_heads})")
        self.layer_idx = layer_idx
        self.scaling = self.head_dim ** -0.5 if config.scale_attn_weights else 1.0
        if getattr(config, "scale_attn_by_inverse_layer_idx", False):
            self.scaling /= float(layer_idx + 1)
        self.c_attn = Conv1D(3 * self.embed_dim, self.embed_dim)
        self.c_proj = Conv1D(self.embed_dim, self.embed_dim)
        self.attn_dropout_p = config.attn_pdrop
        self.resid_dropout = nn.Dropout(config.resid_pdrop)

    def forward(self, hidden_states, attention_mask=None, past_key_values=None,
                output_attentions=False):
        qkv = self.c_attn(hidden_states)
        query, key, value = qkv.split(self.embed_dim, dim=2)
        query = _split_heads(query, self.num_heads, self.head_dim)
        key = _split_heads(key, self.num_heads, self.head_dim)
        value = _split_heads(value, self.num_heads, self.head_dim)
        if past_key_values is not None:
            key, value = past_key_values.update(key, value, self.layer_idx)
        # NOTE: reorder_and_upcast_attn only changes the float16 rounding; the float32
        # result is the same, so it is not treated separately.
        out, weights = attention(query, key, value, attention_mask, self.scaling,
                                 self.attn_dropout_p if self.training else 0.0,
                                 output_attentions)
        return self.resid_dropout(self.c_proj(_merge_heads(out))), weights


class GPT2MLP(nn.Module):
    def __init__(self, intermediate_size, config):
        super().__init__()
        self.c_fc = Conv1D(intermediate_size, config.hidden_size)
        self.c_proj = Conv1D(config.hidden_size, intermediate_size)
        self.act = get_activation(config.activation_function)
        self.dropout = nn.Dropout(config.resid_pdrop)

    def forward(self, x):
        return self.dropout(self.c_proj(self.act(self.c_fc(x))))


class GPT2Block(nn.Module):
    def __init__(self, config, layer_idx=None):
        super().__init__()
        hidden = config.hidden_size
        inner = config.n_inner if config.n_inner is not None else 4 * hidden
        self.ln_1 = nn.LayerNorm(hidden, eps=config.layer_norm_epsilon)
        self.attn = GPT2Attention(config, layer_idx=layer_idx)
        self.ln_2 = nn.LayerNorm(hidden, eps=config.layer_norm_epsilon)
        self.mlp = GPT2MLP(inner, config)

    def forward(self, hidden_states, attention_mask=None, past_key_values=None,
                output_attentions=False):
        attended, weights = self.attn(self.ln_1(hidden_states), attention_mask,
                                      past_key_values, output_attentions)
        hidden_states = hidden_states + attended
        return hidden_states + self.mlp(self.ln_2(hidden_states)), weights


class GPT2PreTrainedModel(DecoderPreTrainedModel):
    config_class = GPT2Config
    base_model_prefix = "transformer"
    # causal-mask buffers of old checkpoints: recomputed here, so dropped on load
    _keys_to_ignore_on_load_unexpected = [r"attn\.masked_bias$", r"attn\.bias$"]

    def _init_weights(self, module):
        std = self.config.initializer_range
        if isinstance(module, (nn.Linear, Conv1D)):
            nn.init.normal_(module.weight, mean=0.0, std=std)
            if module.bias is not None:
                nn.init.zeros_(module.bias)
        elif isinstance(module, nn.Embedding):
            nn.init.normal_(module.weight, mean=0.0, std=std)
        elif isinstance(module, nn.LayerNorm):
            nn.init.ones_(module.weight)
            nn.init.zeros_(module.bias)
        # GPT-2 scales the residual projections by 1/sqrt(2 * n_layer)
        if isinstance(module, (GPT2Attention, GPT2MLP)):
            nn.init.normal_(module.c_proj.weight, mean=0.0,
                            std=std / math.sqrt(2 * self.config.n_layer))


class GPT2Model(GPT2PreTrainedModel):
    """The GPT-2 transformer: token + position embeddings, ``n_layer`` pre-norm blocks,
    a final LayerNorm.  Returns ``last_hidden_state``, ``past_key_values`` (when
    ``use_cache``) and ``hidden_states`` (with ``output_hidden_states=True``).

    >>> out = GPT2Model(GPT2Config(n_layer=2, n_embd=32, n_head=4))(ids)
    >>> out.last_hidden_state.shape
    torch.Size([1, 5, 32])
    """

    def __init__(self, config):
        super().__init__(config)
        self.embed_dim = config.hidden_size
        self.wte = nn.Embedding(config.vocab_size, self.embed_dim)
        self.wpe = nn.Embedding(config.max_position_embeddings, self.embed_dim)
        self.drop = nn.Dropout(config.embd_pdrop)
        self.h = nn.ModuleList(GPT2Block(config, layer_idx=i)
                               for i in range(config.num_hidden_layers))
        self.ln_f = nn.LayerNorm(self.embed_dim, eps=config.layer_norm_epsilon)
        self.post_init()

    def get_input_embeddings(self):
        return self.wte

    def set_input_embeddings(self, embeddings):
        self.wte = embeddings

    def forward(self, input_ids=None, past_key_values=None, attention_mask=None,
                token_type_ids=None, position_ids=None, inputs_embeds=None, use_cache=None,
                output_attentions=None, output_hidden_states=None, return_dict=None,
                cache_position=None, **kwargs):
        state = DecoderState(self, input_ids, inputs_embeds, past_key_values, attention_mask,
                             position_ids, use_cache, output_attentions, output_hidden_states)
        inputs_embeds, total = state.inputs_embeds, state.past_length + state.length
        if total > self.config.max_position_embeddings:
            raise IndexError(f"GPT2Model: sequence length {total} exceeds "
                             f"n_positions={self.config.max_position_embeddings}")
        hidden_states = inputs_embeds + self.wpe(state.position_ids).to(inputs_embeds.dtype)
        if token_type_ids is not None:
            hidden_states = hidden_states + self.wte(token_type_ids)
        hidden_states = self.drop(hidden_states)
        mask = state.causal_mask(hidden_states.dtype)
        return state.run_layers(self.h, hidden_states, self.ln_f, lambda block, h: block(
            h, mask, state.cache, state.output_attentions))


class GPT2LMHeadModel(CausalLMHeadMixin, GPT2PreTrainedModel, GenerationMixin):
    """GPT-2 with its language-model head (``lm_head``, tied to ``transformer.wte``).

    >>> model = GPT2LMHeadModel(GPT2Config(n_layer=2, n_embd=32, n_head=4, vocab_size=100))
    >>> model(ids).logits.shape
    torch.Size([1, 5, 100])
    >>> model.generate(ids, max_new_tokens=3).shape
    torch.Size([1, 8])
    """

    _tied_weights_keys = ["lm_head.weight"]

    def __init__(self, config):
        super().__init__(config)
        self.transformer = GPT2Model(config)
        self.lm_head = nn.Linear(config.hidden_size, config.vocab_size, bias=False)
        self.post_init()

    def forward(self, input_ids=None, past_key_values=None, attention_mask=None,
                token_type_ids=None, position_ids=None, inputs_embeds=None, labels=None,
                use_cache=None, output_attentions=None, output_hidden_states=None,
                return_dict=None, cache_position=None, logits_to_keep=0, **kwargs):
        return self._lm_forward(labels, logits_to_keep, input_ids=input_ids,
                                past_key_values=past_key_values, attention_mask=attention_mask,
                                token_type_ids=token_type_ids, position_ids=position_ids,
                                inputs_embeds=inputs_embeds, use_cache=use_cache,
                                output_attentions=output_attentions,
                                output_hidden_states=output_hidden_states)

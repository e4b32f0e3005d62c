"""Llama (``LlamaModel``, ``LlamaForCausalLM``) with Hugging Face's parameter names.

Pre-norm decoder layers with RMSNorm, rotary position embeddings (``rope_scaling`` of type
'linear' or 'llama3'), grouped-query attention (``num_key_value_heads`` smaller than
``num_attention_heads``) and a SwiGLU MLP; the output head is tied to the input
embeddings or not (``tie_word_embeddings``).

>>> model = ember.hf.LlamaForCausalLM.from_pretrained("path/to/llama")
>>> logits = model(input_ids).logits
"""

from .. import nn
from ..nn.parameter import Parameter
from ._decoder import CausalLMHeadMixin, DecoderPreTrainedModel, DecoderState
from .activations import get_activation
from .config import PretrainedConfig
from .generation import GenerationMixin
from .gpt2 import _merge_heads, _split_heads, attention
from .rope import apply_rotary_pos_emb, rope_inv_freq, rotary_cos_sin

__all__ = ["LlamaConfig", "LlamaModel", "LlamaForCausalLM", "LlamaRMSNorm"]


class LlamaConfig(PretrainedConfig):
    """Llama's hyper-parameters (transformers' names and defaults).

    ``rope_scaling`` (or transformers 5's ``rope_parameters``) selects the rotary
    frequencies: ``{"rope_type": "llama3", "factor": 8.0, "low_freq_factor": 1.0,
    "high_freq_factor": 4.0, "original_max_position_embeddings": 8192}`` or
    ``{"type": "linear", "factor": 2.0}``.

    >>> LlamaConfig(hidden_size=32, num_attention_heads=4).head_dim
    8
    """

    model_type = "llama"

    def __init__(self, vocab_size=32000, hidden_size=4096, intermediate_size=11008,
                 num_hidden_layers=32, num_attention_heads=32, num_key_value_heads=None,
                 hidden_act="silu", max_position_embeddings=2048, initializer_range=0.02,
                 rms_norm_eps=1e-6, use_cache=True, pad_token_id=None, bos_token_id=1,
                 eos_token_id=2, tie_word_embeddings=False, rope_theta=10000.0,
                 rope_scaling=None, attention_bias=False, attention_dropout=0.0,
                 mlp_bias=False, head_dim=None, **kwargs):
        self.vocab_size = vocab_size
        self.hidden_size = hidden_size
        self.intermediate_size = intermediate_size
        self.num_hidden_layers = num_hidden_layers
        self.num_attention_heads = num_attention_heads
        self.num_key_value_heads = (num_attention_heads if num_key_value_heads is None
                                    else num_key_value_heads)
        self.hidden_act = hidden_act
        self.max_position_embeddings = max_position_embeddings
        self.initializer_range = initializer_range
        self.rms_norm_eps = rms_norm_eps
        self.rope_theta = rope_theta
        self.rope_scaling = rope_scaling
        self.attention_bias = attention_bias
        self.attention_dropout = attention_dropout
        self.mlp_bias = mlp_bias
        self.head_dim = head_dim if head_dim is not None else hidden_size // num_attention_heads
        kwargs.pop("pretraining_tp", None)
        super().__init__(use_cache=use_cache, pad_token_id=pad_token_id,
                         bos_token_id=bos_token_id, eos_token_id=eos_token_id,
                         tie_word_embeddings=tie_word_embeddings, **kwargs)


class LlamaRMSNorm(nn.Module):
    """RMSNorm computed like transformers' Llama: normalise in float32, cast back to the
    input dtype, then scale by ``weight``."""

    def __init__(self, hidden_size, eps=1e-6):
        super().__init__()
        import ember
        self.weight = Parameter(ember.ones(hidden_size))
        self.variance_epsilon = eps

    def forward(self, hidden_states):
        input_dtype = hidden_states.dtype
        x = hidden_states.float()
        variance = (x * x).mean(-1, keepdim=True)
        x = x * (variance + self.variance_epsilon).rsqrt()
        return self.weight * x.to(input_dtype)

    def extra_repr(self):
        return f"{tuple(self.weight.shape)}, eps={self.variance_epsilon}"


class LlamaRotaryEmbedding:
    """cos/sin tables for position ids (not a module: it holds no parameters and
    nothing of it is saved)."""

    def __init__(self, config):
        self.inv_freq, self.attention_scaling = rope_inv_freq(config)

    def __call__(self, x, position_ids):
        return rotary_cos_sin(self.inv_freq, position_ids, self.attention_scaling, x.dtype,
                              device=x.device)


class LlamaAttention(nn.Module):
    def __init__(self, config, layer_idx):
        super().__init__()
        self.layer_idx = layer_idx
        self.head_dim = config.head_dim
        self.num_heads = config.num_attention_heads
        self.num_kv_heads = config.num_key_value_heads
        if self.num_heads % self.num_kv_heads:
            raise ValueError(f"num_attention_heads ({self.num_heads}) must be a multiple of "
                             f"num_key_value_heads ({self.num_kv_heads})")
        self.scaling = self.head_dim ** -0.5
        self.attention_dropout = config.attention_dropout
        hidden, bias = config.hidden_size, config.attention_bias
        self.q_proj = nn.Linear(hidden, self.num_heads * self.head_dim, bias=bias)
        self.k_proj = nn.Linear(hidden, self.num_kv_heads * self.head_dim, bias=bias)
        self.v_proj = nn.Linear(hidden, self.num_kv_heads * self.head_dim, bias=bias)
        self.o_proj = nn.Linear(self.num_heads * self.head_dim, hidden, bias=bias)

    def forward(self, hidden_states, cos, sin, attention_mask=None, past_key_values=None,
                output_attentions=False):
        query = _split_heads(self.q_proj(hidden_states), self.num_heads, self.head_dim)
        key = _split_heads(self.k_proj(hidden_states), self.num_kv_heads, self.head_dim)
        value = _split_heads(self.v_proj(hidden_states), self.num_kv_heads, self.head_dim)
        query, key = apply_rotary_pos_emb(query, key, cos, sin)
        if past_key_values is not None:
            key, value = past_key_values.update(key, value, self.layer_idx)
        out, weights = attention(query, key, value, attention_mask, self.scaling,
                                 self.attention_dropout if self.training else 0.0,
                                 output_attentions)
        return self.o_proj(_merge_heads(out)), weights


class LlamaMLP(nn.Module):
    """SwiGLU: ``down(act(gate(x)) * up(x))``."""

    def __init__(self, config):
        super().__init__()
        hidden, inner, bias = config.hidden_size, config.intermediate_size, config.mlp_bias
        self.gate_proj = nn.Linear(hidden, inner, bias=bias)
        self.up_proj = nn.Linear(hidden, inner, bias=bias)
        self.down_proj = nn.Linear(inner, hidden, bias=bias)
        self.act_fn = get_activation(config.hidden_act)

    def forward(self, x):
        return self.down_proj(self.act_fn(self.gate_proj(x)) * self.up_proj(x))


class LlamaDecoderLayer(nn.Module):
    def __init__(self, config, layer_idx):
        super().__init__()
        self.self_attn = LlamaAttention(config, layer_idx)
        self.mlp = LlamaMLP(config)
        self.input_layernorm = LlamaRMSNorm(config.hidden_size, eps=config.rms_norm_eps)
        self.post_attention_layernorm = LlamaRMSNorm(config.hidden_size,
                                                     eps=config.rms_norm_eps)

    def forward(self, hidden_states, cos, sin, attention_mask=None, past_key_values=None,
                output_attentions=False):
        attended, weights = self.self_attn(self.input_layernorm(hidden_states), cos, sin,
                                           attention_mask, past_key_values, output_attentions)
        hidden_states = hidden_states + attended
        return hidden_states + self.mlp(self.post_attention_layernorm(hidden_states)), weights


class LlamaPreTrainedModel(DecoderPreTrainedModel):
    config_class = LlamaConfig
    base_model_prefix = "model"
    _keys_to_ignore_on_load_unexpected = [r"rotary_emb\.inv_freq$"]

    def _init_weights(self, module):
        std = self.config.initializer_range
        if isinstance(module, nn.Linear):
            nn.init.normal_(module.weight, mean=0.0, std=std)
            if module.bias is not None:
                nn.init.zeros_(module.bias)
        elif isinstance(module, nn.Embedding):
            nn.init.normal_(module.weight, mean=0.0, std=std)


class LlamaModel(LlamaPreTrainedModel):
    """The Llama decoder stack: ``embed_tokens``, ``layers``, final ``norm``.

    >>> cfg = LlamaConfig(vocab_size=100, hidden_size=32, intermediate_size=64,
    ...                   num_hidden_layers=2, num_attention_heads=4, num_key_value_heads=2)
    >>> LlamaModel(cfg)(ids).last_hidden_state.shape
    torch.Size([1, 5, 32])
    """

    def __init__(self, config):
        super().__init__(config)
        self.padding_idx = config.pad_token_id
        self.embed_tokens = nn.Embedding(config.vocab_size, config.hidden_size,
                                         padding_idx=self.padding_idx)
        self.layers = nn.ModuleList(LlamaDecoderLayer(config, i)
                                    for i in range(config.num_hidden_layers))
        self.norm = LlamaRMSNorm(config.hidden_size, eps=config.rms_norm_eps)
        self.rotary_emb = LlamaRotaryEmbedding(config)
        self.post_init()

    def get_input_embeddings(self):
        return self.embed_tokens

    def set_input_embeddings(self, embeddings):
        self.embed_tokens = embeddings

    def forward(self, input_ids=None, attention_mask=None, position_ids=None,
                past_key_values=None, inputs_embeds=None, use_cache=None,
                output_attentions=None, output_hidden_states=None, return_dict=None,
                cache_position=None, **kwargs):
        state = DecoderState(self, input_ids, inputs_embeds, past_key_values, attention_mask,
                             position_ids, use_cache, output_attentions, output_hidden_states)
        hidden_states = state.inputs_embeds
        mask = state.causal_mask(hidden_states.dtype)
        cos, sin = self.rotary_emb(hidden_states, state.position_ids)
        return state.run_layers(self.layers, hidden_states, self.norm, lambda layer, h: layer(
            h, cos, sin, mask, state.cache, state.output_attentions))


class LlamaForCausalLM(CausalLMHeadMixin, LlamaPreTrainedModel, GenerationMixin):
    """Llama with its output head ``lm_head`` (tied to ``model.embed_tokens`` when
    ``tie_word_embeddings``).

    >>> LlamaForCausalLM(cfg).generate(ids, max_new_tokens=3).shape
    torch.Size([1, 8])
    """

    def __init__(self, config):
        super().__init__(config)
        self.model = LlamaModel(config)
        self.vocab_size = config.vocab_size
        self.lm_head = nn.Linear(config.hidden_size, config.vocab_size, bias=False)
        self.post_init()

    @property
    def _tied_weights_keys(self):
        return ["lm_head.weight"] if self.config.tie_word_embeddings else None

    def forward(self, input_ids=None, attention_mask=None, position_ids=None,
                past_key_values=None, inputs_embeds=None, labels=None, use_cache=None,
                output_attentions=None, output_hidden_states=None, return_dict=None,
                cache_position=None, logits_to_keep=0, **kwargs):
        return self._lm_forward(labels, logits_to_keep, input_ids=input_ids,
                                attention_mask=attention_mask, position_ids=position_ids,
                                past_key_values=past_key_values, inputs_embeds=inputs_embeds,
                                use_cache=use_cache, output_attentions=output_attentions,
                                output_hidden_states=output_hidden_states)

"""Plumbing shared by the decoder-only models (GPT-2, Llama): weight-init loop, the
input/cache preparation and layer loop of the base model, and the causal-LM head."""

from ..nn import functional as F
from .generation import as_cache, causal_attention_mask
from .modeling_utils import PreTrainedModel
from .outputs import BaseModelOutputWithPast, CausalLMOutputWithPast


def causal_lm_loss(logits, labels, ignore_index=-100):
    """Mean cross entropy of ``logits[:, :-1]`` against ``labels[:, 1:]`` (labels equal to
    ``ignore_index`` do not count), like transformers' causal LM heads."""
    vocab = logits.shape[-1]
    shifted = logits[:, :-1, :].reshape(-1, vocab).float()
    targets = labels[:, 1:].reshape(-1)
    return F.cross_entropy(shifted, targets, ignore_index=ignore_index)


def _keep_last(hidden_states, logits_to_keep):
    if isinstance(logits_to_keep, int):
        return hidden_states if logits_to_keep == 0 else hidden_states[:, -logits_to_keep:, :]
    return hidden_states[:, logits_to_keep, :]


class DecoderPreTrainedModel(PreTrainedModel):
    """Runs the subclass's ``_init_weights`` on every submodule before tying weights."""

    def post_init(self):
        for module in self.modules():
            self._init_weights(module)
        super().post_init()


class DecoderState:
    """What a decoder stack's forward needs before its layers: embeddings, flags resolved
    against the config, the cache, positions and the additive causal mask."""

    def __init__(self, model, input_ids, inputs_embeds, past_key_values, attention_mask,
                 position_ids, use_cache, output_attentions, output_hidden_states):
        import ember
        config = model.config
        if (input_ids is None) == (inputs_embeds is None):
            raise ValueError("You must specify exactly one of input_ids or inputs_embeds")
        if inputs_embeds is None:
            inputs_embeds = model.get_input_embeddings()(input_ids)
        self.inputs_embeds = inputs_embeds
        self.batch, self.length = inputs_embeds.shape[0], inputs_embeds.shape[1]
        self.use_cache = config.use_cache if use_cache is None else use_cache
        self.output_hidden_states = (config.output_hidden_states if output_hidden_states is None
                                     else output_hidden_states)
        self.output_attentions = (config.output_attentions if output_attentions is None
                                  else output_attentions)
        self.cache = (as_cache(past_key_values)
                      if self.use_cache or past_key_values is not None else None)
        self.past_length = self.cache.get_seq_length() if self.cache is not None else 0
        if position_ids is None:
            # NOTE: like transformers, positions do not skip left padding unless given
            # (generate passes them computed from the attention mask).
            position_ids = ember.arange(self.past_length, self.past_length + self.length,
                                        device=inputs_embeds.device).unsqueeze(0)
        self.position_ids = position_ids
        self.attention_mask = attention_mask

    def causal_mask(self, dtype):
        return causal_attention_mask(self.attention_mask, self.batch, self.length,
                                     self.past_length, dtype, self.inputs_embeds.device)

    def run_layers(self, layers, hidden_states, final_norm, call):
        """Apply ``call(layer, hidden_states, output_attentions) -> (hidden, weights)`` for
        each layer, then ``final_norm``, collecting hidden states / attention weights."""
        all_hidden = () if self.output_hidden_states else None
        all_attentions = () if self.output_attentions else None
        for layer in layers:
            if all_hidden is not None:
                all_hidden += (hidden_states,)
            hidden_states, weights = call(layer, hidden_states)
            if all_attentions is not None:
                all_attentions += (weights,)
        hidden_states = final_norm(hidden_states)
        if all_hidden is not None:
            all_hidden += (hidden_states,)
        return BaseModelOutputWithPast(last_hidden_state=hidden_states,
                                       past_key_values=self.cache if self.use_cache else None,
                                       hidden_states=all_hidden, attentions=all_attentions)


class CausalLMHeadMixin:
    """``lm_head`` on top of the base model (``base_model_prefix``), with the shifted
    language-modelling loss when ``labels`` are given."""

    def get_output_embeddings(self):
        return self.lm_head

    def set_output_embeddings(self, embeddings):
        self.lm_head = embeddings

    def _lm_forward(self, labels, logits_to_keep, **base_kwargs):
        out = self.base_model(**base_kwargs)
        logits = self.lm_head(_keep_last(out.last_hidden_state, logits_to_keep))
        loss = causal_lm_loss(logits, labels) if labels is not None else None
        return CausalLMOutputWithPast(loss=loss, logits=logits,
                                      past_key_values=out.past_key_values,
                                      hidden_states=out.hidden_states,
                                      attentions=out.attentions)

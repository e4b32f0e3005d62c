"""Model outputs shaped like Hugging Face's ``ModelOutput``: dataclasses whose fields
read as attributes (``out.last_hidden_state``), as keys (``out["logits"]``) or by
position (``out[0]``), skipping fields that are ``None`` the way ``transformers`` does.
"""

from dataclasses import dataclass, fields
from typing import Any, Optional, Tuple

__all__ = ["ModelOutput", "BaseModelOutput", "BaseModelOutputWithPooling",
           "BaseModelOutputWithPoolingAndCrossAttentions", "BaseModelOutputWithPast",
           "CausalLMOutputWithPast", "CausalLMOutput", "SequenceClassifierOutput",
           "MaskedLMOutput"]


class ModelOutput:
    """Base of the output dataclasses.

    >>> out = BaseModelOutput(last_hidden_state=h)
    >>> out.last_hidden_state is out["last_hidden_state"] is out[0]
    True
    """

    def keys(self):
        return [f.name for f in fields(self) if getattr(self, f.name) is not None]

    def values(self):
        return [getattr(self, k) for k in self.keys()]

    def items(self):
        return [(k, getattr(self, k)) for k in self.keys()]

    def to_tuple(self):
        return tuple(self.values())

    def get(self, key, default=None):
        value = getattr(self, key, None) if isinstance(key, str) else None
        return default if value is None else value

    def __getitem__(self, key):
        if isinstance(key, str):
            if key not in self.keys():
                raise KeyError(key)
            return getattr(self, key)
        # NOTE: like transformers, integer/slice access indexes the non-None fields.
        return self.to_tuple()[key]

    def __contains__(self, key):
        return key in self.keys()

    def __iter__(self):
        return iter(self.keys())

    def __len__(self):
        return len(self.keys())


@dataclass
class BaseModelOutput(ModelOutput):
    last_hidden_state: Any = None
    hidden_states: Optional[Tuple[Any, ...]] = None
    attentions: Optional[Tuple[Any, ...]] = None


@dataclass
class BaseModelOutputWithPooling(ModelOutput):
    last_hidden_state: Any = None
    pooler_output: Any = None
    hidden_states: Optional[Tuple[Any, ...]] = None
    attentions: Optional[Tuple[Any, ...]] = None


# transformers' BertModel returns this name; the fields we fill are the same.
BaseModelOutputWithPoolingAndCrossAttentions = BaseModelOutputWithPooling


@dataclass
class BaseModelOutputWithPast(ModelOutput):
    last_hidden_state: Any = None
    past_key_values: Any = None
    hidden_states: Optional[Tuple[Any, ...]] = None
    attentions: Optional[Tuple[Any, ...]] = None


@dataclass
class CausalLMOutputWithPast(ModelOutput):
    loss: Any = None
    logits: Any = None
    past_key_values: Any = None
    hidden_states: Optional[Tuple[Any, ...]] = None
    attentions: Optional[Tuple[Any, ...]] = None


@dataclass
class CausalLMOutput(ModelOutput):
    loss: Any = None
    logits: Any = None
    hidden_states: Optional[Tuple[Any, ...]] = None
    attentions: Optional[Tuple[Any, ...]] = None


@dataclass
class SequenceClassifierOutput(ModelOutput):
    loss: Any = None
    logits: Any = None
    hidden_states: Optional[Tuple[Any, ...]] = None
    attentions: Optional[Tuple[Any, ...]] = None


@dataclass
class MaskedLMOutput(ModelOutput):
    loss: Any = None
    logits: Any = None
    hidden_states: Optional[Tuple[Any, ...]] = None
    attentions: Optional[Tuple[Any, ...]] = None

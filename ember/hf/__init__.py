"""Hugging Face models in ember: ``AutoConfig``/``AutoModel``/``AutoModelForCausalLM``/
``AutoTokenizer``, BERT, GPT-2, Llama, generation and ``SentenceTransformer``, loaded
from local checkpoint folders (never the network, never torch).

``import ember`` does not import this package; ``import ember.hf`` does, and the model
families and the ``tokenizers`` package are imported only when first used.

>>> import ember.hf
>>> tok = ember.hf.AutoTokenizer.from_pretrained("path/to/minilm")
>>> model = ember.hf.AutoModel.from_pretrained("path/to/minilm")
>>> out = model(**tok(["hello world"], return_tensors="pt"))
"""

import importlib

from .auto import (AutoConfig, AutoModel, AutoModelForCausalLM, AutoTokenizer, CONFIG_MAPPING,
                   MODEL_FOR_CAUSAL_LM_MAPPING, MODEL_MAPPING, register)
from .config import PretrainedConfig
from .modeling_utils import PreTrainedModel, load_checkpoint
from . import outputs
from .outputs import (BaseModelOutput, BaseModelOutputWithPast, BaseModelOutputWithPooling,
                      CausalLMOutputWithPast, ModelOutput)

# name -> submodule, imported on first attribute access (PEP 562)
_LAZY = {
    "BertConfig": "bert", "BertModel": "bert",
    "GPT2Config": "gpt2", "GPT2Model": "gpt2", "GPT2LMHeadModel": "gpt2",
    "LlamaConfig": "llama", "LlamaModel": "llama", "LlamaForCausalLM": "llama",
    "GenerationMixin": "generation", "GenerationConfig": "generation",
    "PreTrainedTokenizerFast": "tokenizer", "BatchEncoding": "tokenizer",
    "SentenceTransformer": "sentence_transformers",
}

__all__ = ["AutoConfig", "AutoModel", "AutoModelForCausalLM", "AutoTokenizer",
           "PretrainedConfig", "PreTrainedModel", "ModelOutput", "BaseModelOutput",
           "BaseModelOutputWithPooling", "BaseModelOutputWithPast", "CausalLMOutputWithPast",
           "load_checkpoint", "register", *_LAZY]


def __getattr__(name):
    if name in _LAZY:
        module = importlib.import_module(f".{_LAZY[name]}", __name__)
        value = getattr(module, name)
        globals()[name] = value
        return value
    raise AttributeError(f"module 'ember.hf' has no attribute {name!r}")


def __dir__():
    return sorted(set(globals()) | set(_LAZY))

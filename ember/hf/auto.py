"""``AutoConfig``/``AutoModel``/``AutoModelForCausalLM``: pick the class from the
``model_type`` in config.json.

The registries map a model_type to ``(module, class name)`` and import lazily, so a
model family only costs import time when used.  Add a family with :func:`register`
or by adding entries to the dicts below.
"""

import importlib

from .config import PretrainedConfig

__all__ = ["AutoConfig", "AutoModel", "AutoModelForCausalLM", "AutoTokenizer",
           "CONFIG_MAPPING", "MODEL_MAPPING", "MODEL_FOR_CAUSAL_LM_MAPPING", "register"]

CONFIG_MAPPING = {
    "bert": ("ember.hf.bert", "BertConfig"),
    "gpt2": ("ember.hf.gpt2", "GPT2Config"),
    "llama": ("ember.hf.llama", "LlamaConfig"),
}
MODEL_MAPPING = {
    "bert": ("ember.hf.bert", "BertModel"),
    "gpt2": ("ember.hf.gpt2", "GPT2Model"),
    "llama": ("ember.hf.llama", "LlamaModel"),
}
MODEL_FOR_CAUSAL_LM_MAPPING = {
    "gpt2": ("ember.hf.gpt2", "GPT2LMHeadModel"),
    "llama": ("ember.hf.llama", "LlamaForCausalLM"),
}


def register(model_type, config_class=None, model_class=None, causal_lm_class=None):
    """Make a model family known to the Auto classes (classes or ``(module, name)``)."""
    for mapping, cls in ((CONFIG_MAPPING, config_class), (MODEL_MAPPING, model_class),
                         (MODEL_FOR_CAUSAL_LM_MAPPING, causal_lm_class)):
        if cls is not None:
            mapping[model_type] = cls


def _resolve(mapping, model_type, what):
    if model_type not in mapping:
        known = ", ".join(sorted(mapping))
        raise ValueError(f"ember.hf has no {what} for model_type {model_type!r} "
                         f"(known: {known})")
    entry = mapping[model_type]
    if isinstance(entry, tuple):
        module, name = entry
        return getattr(importlib.import_module(module), name)
    return entry


def _model_type(path):
    d = PretrainedConfig.get_config_dict(path)
    if "model_type" not in d:
        raise ValueError(f"config.json in {path!r} has no 'model_type'")
    return d["model_type"], d


class AutoConfig:
    """``AutoConfig.from_pretrained(dir)``: the config class named by ``model_type``.

    >>> ember.hf.AutoConfig.from_pretrained("path/to/bert").model_type
    'bert'
    """

    def __init__(self):
        raise EnvironmentError("use AutoConfig.from_pretrained(path)")

    @classmethod
    def for_model(cls, model_type, **kwargs):
        return _resolve(CONFIG_MAPPING, model_type, "config class")(**kwargs)

    @classmethod
    def from_pretrained(cls, path, **kwargs):
        model_type, d = _model_type(path)
        return _resolve(CONFIG_MAPPING, model_type, "config class").from_dict(d, **kwargs)


class _AutoModelBase:
    _mapping = None
    _what = "model class"

    def __init__(self):
        raise EnvironmentError(f"use {type(self).__name__}.from_pretrained(path)")

    @classmethod
    def model_class(cls, model_type):
        return _resolve(cls._mapping, model_type, cls._what)

    @classmethod
    def from_config(cls, config, **kwargs):
        return cls.model_class(config.model_type).from_config(config, **kwargs)

    @classmethod
    def from_pretrained(cls, path, *args, config=None, **kwargs):
        if config is None:
            model_type, _ = _model_type(path)
        else:
            model_type = config.model_type
        return cls.model_class(model_type).from_pretrained(path, *args, config=config, **kwargs)


class AutoModel(_AutoModelBase):
    """The base model (no head) for a checkpoint folder.

    >>> model = ember.hf.AutoModel.from_pretrained("path/to/minilm")
    """
    _mapping = MODEL_MAPPING


class AutoModelForCausalLM(_AutoModelBase):
    """The language-model-head model for a checkpoint folder.

    >>> model = ember.hf.AutoModelForCausalLM.from_pretrained("path/to/gpt2")
    """
    _mapping = MODEL_FOR_CAUSAL_LM_MAPPING
    _what = "causal LM class"


class AutoTokenizer:
    """The tokenizer of a checkpoint folder (from its tokenizer.json).

    >>> tok = ember.hf.AutoTokenizer.from_pretrained("path/to/minilm")
    """

    def __init__(self):
        raise EnvironmentError("use AutoTokenizer.from_pretrained(path)")

    @classmethod
    def from_pretrained(cls, path, **kwargs):
        from .tokenizer import PreTrainedTokenizerFast
        return PreTrainedTokenizerFast.from_pretrained(path, **kwargs)

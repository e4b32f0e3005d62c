"""``PretrainedConfig``: a model's hyper-parameters, read from ``config.json``.

Subclasses set ``model_type`` and their own defaults; every key of the json file
becomes an attribute, including keys the subclass does not know (like transformers).
"""

import copy
import json
import os

__all__ = ["PretrainedConfig", "CONFIG_NAME", "resolve_dir", "require_file"]

CONFIG_NAME = "config.json"


def resolve_dir(path):
    """The local folder of a checkpoint; never goes to the network."""
    path = os.fspath(path)
    if os.path.isdir(path):
        return path
    if os.path.isfile(path):
        return os.path.dirname(os.path.abspath(path))
    raise FileNotFoundError(
        f"{path!r} is not a local directory. ember.hf only loads local checkpoints "
        f"(a folder with config.json and the weights); it never downloads from the Hub.")


def require_file(folder, name, what):
    """``folder/name``, or FileNotFoundError naming the path and what it should hold."""
    full = os.path.join(folder, name)
    if not os.path.isfile(full):
        raise FileNotFoundError(f"{full} not found: expected {what} in {folder}")
    return full


class PretrainedConfig:
    """Base configuration; ``from_pretrained(dir)`` reads ``dir/config.json``.

    >>> cfg = ember.hf.AutoConfig.from_pretrained("path/to/bert")
    >>> cfg.hidden_size
    384
    """

    model_type = ""
    # json keys renamed to our attribute names (e.g. gpt2's n_embd -> hidden_size)
    attribute_map = {}

    def __init__(self, **kwargs):
        self.output_hidden_states = kwargs.pop("output_hidden_states", False)
        self.output_attentions = kwargs.pop("output_attentions", False)
        self.return_dict = kwargs.pop("return_dict", True)
        self.use_cache = kwargs.pop("use_cache", True)
        self.torch_dtype = kwargs.pop("torch_dtype", kwargs.pop("dtype", None))
        self.tie_word_embeddings = kwargs.pop("tie_word_embeddings", True)
        self.architectures = kwargs.pop("architectures", None)
        self.pad_token_id = kwargs.pop("pad_token_id", None)
        self.bos_token_id = kwargs.pop("bos_token_id", None)
        self.eos_token_id = kwargs.pop("eos_token_id", None)
        self.is_decoder = kwargs.pop("is_decoder", False)
        self.name_or_path = kwargs.pop("_name_or_path", kwargs.pop("name_or_path", ""))
        for key, value in kwargs.items():
            try:
                setattr(self, key, value)
            except AttributeError:  # a read-only property of the subclass
                pass

    def __getattr__(self, name):
        # only reached when normal lookup fails: follow attribute_map aliases
        amap = type(self).attribute_map
        if name in amap:
            return getattr(self, amap[name])
        raise AttributeError(f"{type(self).__name__} has no attribute {name!r}")

    def __setattr__(self, name, value):
        amap = type(self).attribute_map
        if name in amap:
            name = amap[name]
        object.__setattr__(self, name, value)

    @property
    def use_return_dict(self):
        return self.return_dict

    # -- (de)serialisation -------------------------------------------------------------
    @classmethod
    def from_dict(cls, config_dict, **kwargs):
        merged = dict(config_dict)
        merged.update(kwargs)
        merged.pop("model_type", None)
        merged.pop("transformers_version", None)
        return cls(**merged)

    @classmethod
    def from_json_file(cls, path):
        with open(path, encoding="utf-8") as f:
            return cls.from_dict(json.load(f))

    @classmethod
    def get_config_dict(cls, path):
        folder = resolve_dir(path)
        full = require_file(folder, CONFIG_NAME, "the model's config.json")
        with open(full, encoding="utf-8") as f:
            d = json.load(f)
        d.setdefault("_name_or_path", os.fspath(path))
        return d

    @classmethod
    def from_pretrained(cls, path, **kwargs):
        """Read ``path/config.json``; keyword arguments override its values."""
        return cls.from_dict(cls.get_config_dict(path), **kwargs)

    def to_dict(self):
        d = {k: copy.deepcopy(v) for k, v in self.__dict__.items()}
        if self.model_type:
            d["model_type"] = self.model_type
        return d

    def to_json_string(self):
        def default(o):
            return str(o)
        return json.dumps(self.to_dict(), indent=2, sort_keys=True, default=default) + "\n"

    def save_pretrained(self, folder):
        os.makedirs(folder, exist_ok=True)
        with open(os.path.join(folder, CONFIG_NAME), "w", encoding="utf-8") as f:
            f.write(self.to_json_string())

    def __repr__(self):
        return f"{type(self).__name__} {self.to_json_string()}"

    def __eq__(self, other):
        return isinstance(other, PretrainedConfig) and self.to_dict() == other.to_dict()

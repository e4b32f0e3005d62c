"""``PreTrainedModel``: loading Hugging Face checkpoints from a local folder.

A folder holds ``config.json`` and the weights as one of (first found wins):
``model.safetensors``, ``model.safetensors.index.json`` (sharded safetensors),
``pytorch_model.bin`` or ``pytorch_model.bin.index.json`` (torch's format, read by
``ember.load`` with ``weights_only=True``).  Nothing here touches the network or torch.
"""

import contextlib
import json
import os
import re
import warnings

import numpy as np

from .. import nn
from .._dtype import dtype as _Dtype
from ..nn import init as _init
from .config import PretrainedConfig, require_file, resolve_dir

__all__ = ["PreTrainedModel", "load_checkpoint", "resolve_dtype", "no_init_weights",
           "WEIGHTS_NAMES"]

SAFE_WEIGHTS_NAME = "model.safetensors"
SAFE_WEIGHTS_INDEX_NAME = "model.safetensors.index.json"
WEIGHTS_NAME = "pytorch_model.bin"
WEIGHTS_INDEX_NAME = "pytorch_model.bin.index.json"
WEIGHTS_NAMES = (SAFE_WEIGHTS_NAME, SAFE_WEIGHTS_INDEX_NAME, WEIGHTS_NAME, WEIGHTS_INDEX_NAME)

_DTYPE_NAMES = {"float32": "float32", "float": "float32", "fp32": "float32",
                "float16": "float16", "half": "float16", "fp16": "float16",
                "bfloat16": "bfloat16", "bf16": "bfloat16",
                "float64": "float64", "double": "float64"}


def resolve_dtype(value, config=None, state_dict=None):
    """An ember dtype from ``torch_dtype=``/``dtype=``: an ember dtype, a name like
    ``"float16"``/``"torch.bfloat16"``, a torch dtype object, or ``"auto"`` (the dtype
    in config.json, else the checkpoint's first floating dtype).  ``None`` -> float32.
    """
    import ember
    if value is None:
        return ember.float32
    if isinstance(value, _Dtype):
        return value
    name = str(value)
    if name == "auto":
        saved = getattr(config, "torch_dtype", None) if config is not None else None
        if saved is not None:
            return resolve_dtype(saved)
        for t in (state_dict or {}).values():
            if t.is_floating_point():
                return t.dtype
        return ember.float32
    name = name.replace("torch.", "").replace("ember.", "")
    if name not in _DTYPE_NAMES:
        raise ValueError(f"unsupported dtype {value!r}: use float32, float16, bfloat16 "
                         f"(or 'auto')")
    return getattr(ember, _DTYPE_NAMES[name])


def _read_index(path):
    with open(path, encoding="utf-8") as f:
        weight_map = json.load(f).get("weight_map")
    if not isinstance(weight_map, dict):
        raise ValueError(f"{path} has no 'weight_map'")
    return weight_map


def _load_bin(path):
    from ..serialization import load
    sd = load(path, map_location="cpu", weights_only=True)
    if not isinstance(sd, dict):
        raise ValueError(f"{path} does not hold a state dict (got {type(sd).__name__})")
    return sd


def load_checkpoint(path):
    """The state dict of a local checkpoint folder (or of one weights file).

    >>> sd = ember.hf.load_checkpoint("path/to/model")
    """
    from .. import safetensors as st
    path = os.fspath(path)
    if os.path.isfile(path):
        if path.endswith(".safetensors"):
            return st.load_file(path)
        if path.endswith(".index.json"):
            folder = os.path.dirname(os.path.abspath(path))
            if os.path.basename(path).startswith("model.safetensors"):
                return st.load_sharded(path)
            return _load_bin_shards(folder, path)
        return _load_bin(path)
    folder = resolve_dir(path)
    for name in WEIGHTS_NAMES:
        full = os.path.join(folder, name)
        if not os.path.isfile(full):
            continue
        if name == SAFE_WEIGHTS_NAME:
            return st.load_file(full)
        if name == SAFE_WEIGHTS_INDEX_NAME:
            _check_shards(folder, full)
            return st.load_sharded(full)
        if name == WEIGHTS_NAME:
            return _load_bin(full)
        return _load_bin_shards(folder, full)
    raise FileNotFoundError(
        f"no model weights in {folder}: expected one of {', '.join(WEIGHTS_NAMES)}")


def _check_shards(folder, index):
    for shard in dict.fromkeys(_read_index(index).values()):
        require_file(folder, shard, f"a weight shard listed in {os.path.basename(index)}")


def _load_bin_shards(folder, index):
    weight_map = _read_index(index)
    out = {}
    for shard in dict.fromkeys(weight_map.values()):
        if os.path.basename(shard) != shard:
            raise ValueError(f"shard file names must be plain names, got {shard!r}")
        full = require_file(folder, shard, f"a weight shard listed in {os.path.basename(index)}")
        out.update(_load_bin(full))
    return out


@contextlib.contextmanager
def no_init_weights():
    """Skip the random initialisation of layers built inside (their weights are about
    to be overwritten by a checkpoint, and initialising large models is slow)."""
    names = ["uniform_", "normal_", "kaiming_uniform_", "kaiming_normal_", "xavier_uniform_",
             "xavier_normal_", "trunc_normal_", "zeros_", "ones_", "constant_"]
    saved = {n: getattr(_init, n) for n in names if hasattr(_init, n)}

    def skip(tensor, *args, **kwargs):
        return tensor
    try:
        for n in saved:
            setattr(_init, n, skip)
        yield
    finally:
        for n, fn in saved.items():
            setattr(_init, n, fn)


# LayerNorm parameters in old TF-converted checkpoints
_LEGACY_RENAMES = ((re.compile(r"LayerNorm\.gamma$"), "LayerNorm.weight"),
                   (re.compile(r"LayerNorm\.beta$"), "LayerNorm.bias"))


def _device_of_map(device_map):
    """The one device a ``device_map`` names (None: leave the model on the cpu).

    NOTE: transformers (through accelerate) can also split a model across devices by
    module; ember runs on one device, so a map naming several devices is refused.
    """
    import ember
    from .._device import as_device
    if device_map is None:
        return None
    if isinstance(device_map, dict):
        devices = {str(_device_of_map(d)) for d in device_map.values()}
        if len(devices) != 1:
            raise NotImplementedError(f"device_map over several devices ({sorted(devices)}) "
                                      f"is not supported: use one device")
        device_map = devices.pop()
    if device_map in ("auto", "balanced", "balanced_low_0", "sequential"):
        # (accelerate's placement strategies: on one device they all mean "the gpu")
        return as_device("cuda") if ember.cuda.is_available() else as_device("cpu")
    if isinstance(device_map, int) and not isinstance(device_map, bool):
        device_map = f"cuda:{device_map}"
    return as_device(device_map)


class PreTrainedModel(nn.Module):
    """Base of ember.hf's models: ``from_pretrained``, ``save_pretrained``, prefix handling.

    Subclasses set ``config_class`` and ``base_model_prefix`` (the attribute holding the
    base model in head models: ``"bert"``, ``"transformer"``, ``"model"``), and may list
    regexes in ``_keys_to_ignore_on_load_unexpected`` / ``_keys_to_ignore_on_load_missing``
    and tied parameter names in ``_tied_weights_keys`` (filled by ``tie_weights()``).

    >>> model = ember.hf.BertModel.from_pretrained("path/to/bert")
    """

    config_class = PretrainedConfig
    base_model_prefix = ""
    _keys_to_ignore_on_load_unexpected = None
    _keys_to_ignore_on_load_missing = None
    _tied_weights_keys = None

    def __init__(self, config, *args, **kwargs):
        super().__init__()
        if not isinstance(config, PretrainedConfig):
            raise TypeError(f"{type(self).__name__} expects a PretrainedConfig, got "
                            f"{type(config).__name__}")
        self.config = config

    # -- hooks for subclasses --------------------------------------------------------------
    def post_init(self):
        """Called at the end of a subclass's ``__init__``: ties weights."""
        self.tie_weights()

    def tie_weights(self):
        """Share the output embedding with the input one when the config asks for it."""
        if not getattr(self.config, "tie_word_embeddings", False):
            return
        out, inp = self.get_output_embeddings(), self.get_input_embeddings()
        if out is not None and inp is not None:
            out.weight = inp.weight

    def get_input_embeddings(self):
        base = getattr(self, self.base_model_prefix, self) if self.base_model_prefix else self
        if base is not self:
            return base.get_input_embeddings()
        return None

    def get_output_embeddings(self):
        return None

    @property
    def base_model(self):
        return getattr(self, self.base_model_prefix, self)

    @property
    def dtype(self):
        for p in self.parameters():
            return p.dtype
        import ember
        return ember.float32

    @property
    def device(self):
        for p in self.parameters():
            return p.device
        import ember
        return ember.device("cpu")

    def num_parameters(self, only_trainable=False):
        seen, total = set(), 0
        for p in self.parameters():
            if id(p) in seen or (only_trainable and not p.requires_grad):
                continue
            seen.add(id(p))
            total += p.numel()
        return total

    # -- loading ----------------------------------------------------------------------------
    @classmethod
    def _init_kwargs(cls, kwargs):
        """Pop the keyword arguments that ``cls.__init__`` takes (``add_pooling_layer``...);
        the rest are config overrides, as in transformers."""
        import inspect
        params = inspect.signature(cls.__init__).parameters
        names = [n for n, p in params.items() if n not in ("self", "config")
                 and p.kind in (p.POSITIONAL_OR_KEYWORD, p.KEYWORD_ONLY)]
        return {n: kwargs.pop(n) for n in names if n in kwargs}

    @classmethod
    def _from_config(cls, config, dtype=None, **model_kwargs):
        with no_init_weights():
            model = cls(config, **model_kwargs)
        if dtype is not None:
            # the weights are still uninitialised memory: casting it may "overflow"
            with np.errstate(all="ignore"):
                model.to(dtype)
        return model

    @classmethod
    def from_config(cls, config, torch_dtype=None, dtype=None):
        """A randomly initialised model for ``config``."""
        model = cls(config)
        dt = resolve_dtype(dtype if dtype is not None else torch_dtype, config)
        if dt is not None:
            model.to(dt)
        return model

    @classmethod
    def from_pretrained(cls, path, *model_args, config=None, torch_dtype=None, dtype=None,
                        state_dict=None, local_files_only=True, device_map=None, **kwargs):
        """Build the model from ``path/config.json`` and load its weights.

        ``torch_dtype=``/``dtype=`` picks float32 (default), float16, bfloat16 or "auto";
        ``device_map`` places the whole model on one device ("cuda", "cuda:0", 0,
        ``{"": "cuda"}``, "auto": cuda when available); other keyword arguments override
        config values (``output_hidden_states=True``...).  The model is returned in eval
        mode, like transformers.

        >>> model = AutoModelForCausalLM.from_pretrained(folder, device_map="cuda")
        """
        device = _device_of_map(device_map)
        for unused in ("cache_dir", "revision", "trust_remote_code", "use_safetensors",
                       "low_cpu_mem_usage", "attn_implementation", "force_download", "token"):
            kwargs.pop(unused, None)
        model_kwargs = cls._init_kwargs(kwargs)
        if config is None:
            config = cls.config_class.from_pretrained(path, **kwargs)
        elif kwargs:
            for k, v in kwargs.items():
                setattr(config, k, v)
        if state_dict is None:
            state_dict = load_checkpoint(path)
        dt = resolve_dtype(dtype if dtype is not None else torch_dtype, config, state_dict)
        model = cls._from_config(config, dtype=dt, **model_kwargs)
        model.load_pretrained_state_dict(state_dict)
        if device is not None and device.type != "cpu":
            model.to(device)
        model.eval()
        return model

    def _rename_keys(self, state_dict):
        """Fit checkpoint keys to this model: legacy names, and the ``base_model_prefix``
        (a base model loads a head model's checkpoint and vice versa)."""
        sd = {}
        for k, v in state_dict.items():
            for pat, repl in _LEGACY_RENAMES:
                k = pat.sub(repl, k)
            sd[k] = v
        prefix = self.base_model_prefix
        if not prefix:
            return sd
        own = self.state_dict().keys()
        pre = prefix + "."
        model_has = any(k.startswith(pre) for k in own)
        ckpt_has = any(k.startswith(pre) for k in sd)
        if not model_has and ckpt_has:  # base model from a head checkpoint
            return {k[len(pre):]: v for k, v in sd.items() if k.startswith(pre)}
        if model_has and not ckpt_has:  # head model from a base checkpoint
            base_keys = {k[len(pre):] for k in own if k.startswith(pre)}
            return {(pre + k if k in base_keys else k): v for k, v in sd.items()}
        return sd

    def load_pretrained_state_dict(self, state_dict):
        """Load a checkpoint's tensors strictly, after renaming; tied parameters and
        buffers the model recomputes may be absent, and keys matching
        ``_keys_to_ignore_on_load_unexpected`` are dropped.  Other differences raise."""
        sd = self._rename_keys(state_dict)
        own = self.state_dict()
        ignore_unexpected = [re.compile(p) for p in (self._keys_to_ignore_on_load_unexpected
                                                     or [])]
        ignore_missing = [re.compile(p) for p in (self._keys_to_ignore_on_load_missing or [])]
        unexpected = [k for k in sd if k not in own]
        dropped = [k for k in unexpected if any(p.search(k) for p in ignore_unexpected)]
        for k in dropped:
            del sd[k]
        unexpected = [k for k in unexpected if k not in dropped]
        if unexpected:
            # NOTE: transformers only warns here (e.g. a pre-training head's weights when
            # loading the base model); we do the same.
            warnings.warn(f"Some weights of the checkpoint were not used when initializing "
                          f"{type(self).__name__}: {unexpected}")
            for k in unexpected:
                del sd[k]
        tied = self._tied_parameter_names()
        missing = [k for k in own if k not in sd and k not in tied
                   and not any(p.search(k) for p in ignore_missing)]
        if missing:
            raise RuntimeError(f"Error loading {type(self).__name__}: the checkpoint lacks "
                               f"{missing}")
        self.load_state_dict(sd, strict=False)
        self.tie_weights()

    def _tied_parameter_names(self):
        """Names of parameters that are the same object as an earlier-named one."""
        seen, tied = {}, set()
        for name, p in self.named_parameters(remove_duplicate=False):
            if id(p) in seen:
                tied.add(name)
            else:
                seen[id(p)] = name
        for name in self._tied_weights_keys or []:
            tied.add(name)
        return tied

    # -- saving -----------------------------------------------------------------------------
    def save_pretrained(self, folder, safe_serialization=True):
        """Write ``config.json`` and ``model.safetensors`` (or ``pytorch_model.bin``)."""
        os.makedirs(folder, exist_ok=True)
        self.config.save_pretrained(folder)
        tied = self._tied_parameter_names()
        # (weights of a model on the gpu are written from host copies)
        sd = {k: v.detach().cpu() for k, v in self.state_dict().items() if k not in tied}
        if safe_serialization:
            from ..safetensors import save_file
            save_file({k: v.contiguous() for k, v in sd.items()},
                      os.path.join(folder, SAFE_WEIGHTS_NAME), metadata={"format": "pt"})
        else:
            from ..serialization import save
            save(sd, os.path.join(folder, WEIGHTS_NAME))

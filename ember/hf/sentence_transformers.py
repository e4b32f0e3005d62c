"""``SentenceTransformer``: sentence embeddings from a sentence-transformers folder.

The folder's ``modules.json`` lists the pipeline; ember supports the usual modules:
``Transformer`` (a Hugging Face model + tokenizer, ``sentence_bert_config.json``),
``Pooling`` (``1_Pooling/config.json``: cls / mean / max / mean_sqrt_len / weighted mean /
last token, masked by the attention mask), ``Dense`` and ``Normalize``.
"""

import json
import os

import numpy as np

from .config import require_file, resolve_dir

__all__ = ["SentenceTransformer", "Transformer", "Pooling", "Dense", "Normalize"]


def _read_json(path):
    with open(path, encoding="utf-8") as f:
        return json.load(f)


class Transformer:
    """Token embeddings: tokenizer + ``AutoModel``, truncated to ``max_seq_length``."""

    def __init__(self, folder, dtype=None):
        from .auto import AutoModel, AutoTokenizer
        cfg_path = None
        for name in ("sentence_bert_config.json", "sentence_roberta_config.json",
                     "sentence_distilbert_config.json", "sentence_xlnet_config.json"):
            if os.path.isfile(os.path.join(folder, name)):
                cfg_path = os.path.join(folder, name)
                break
        cfg = _read_json(cfg_path) if cfg_path else {}
        self.model = AutoModel.from_pretrained(folder, torch_dtype=dtype)
        self.tokenizer = AutoTokenizer.from_pretrained(folder)
        self.do_lower_case = bool(cfg.get("do_lower_case", False))
        max_len = cfg.get("max_seq_length")
        if max_len is None:
            # NOTE: sentence-transformers falls back to the smaller of the model's and
            # the tokenizer's limits.
            candidates = [getattr(self.model.config, "max_position_embeddings", None),
                          self.tokenizer.model_max_length]
            max_len = min(c for c in candidates if c is not None)
        self.max_seq_length = int(max_len)

    def tokenize(self, texts):
        texts = [str(t).strip() for t in texts]
        if self.do_lower_case:
            texts = [t.lower() for t in texts]
        # sentence-transformers pads to the longest text of the batch (dynamic padding)
        return self.tokenizer(texts, padding=True, truncation="longest_first",
                              max_length=self.max_seq_length, return_tensors="pt")

    def __call__(self, features):
        inputs = {k: features[k] for k in ("input_ids", "attention_mask", "token_type_ids")
                  if k in features}
        out = self.model(**inputs, return_dict=True)
        features["token_embeddings"] = out.last_hidden_state
        return features

    def dimension(self):
        return self.model.config.hidden_size


class Pooling:
    """Pool token embeddings into one vector per sentence, masked by the attention mask.

    Reads both config formats of ``1_Pooling/config.json``: the current one
    (``"pooling_mode": "mean"`` or a list of modes) and the legacy booleans
    (``"pooling_mode_mean_tokens": true``...).  Several modes are concatenated.
    """

    MODES = ("cls", "max", "mean", "mean_sqrt_len_tokens", "weightedmean", "lasttoken")
    _LEGACY = {"pooling_mode_cls_token": "cls", "pooling_mode_max_tokens": "max",
               "pooling_mode_mean_tokens": "mean",
               "pooling_mode_mean_sqrt_len_tokens": "mean_sqrt_len_tokens",
               "pooling_mode_weightedmean_tokens": "weightedmean",
               "pooling_mode_lasttoken": "lasttoken"}

    def __init__(self, config):
        self.config = dict(config)
        modes = self.config.get("pooling_mode")
        if modes is None:
            modes = [mode for key, mode in self._LEGACY.items() if self.config.get(key)]
        elif isinstance(modes, str):
            modes = [modes]
        modes = [{"cls_token": "cls", "max_tokens": "max", "mean_tokens": "mean"}.get(m, m)
                 for m in modes]
        bad = [m for m in modes if m not in self.MODES]
        if bad or not modes:
            raise ValueError(f"unsupported pooling config {config}: modes must be among "
                             f"{self.MODES}")
        self.modes = modes
        self.dim = self.config.get("embedding_dimension",
                                   self.config.get("word_embedding_dimension"))

    @classmethod
    def load(cls, folder):
        return cls(_read_json(require_file(folder, "config.json", "the Pooling config")))

    def __call__(self, features):
        import ember
        tokens = features["token_embeddings"]
        am = features["attention_mask"]
        batch, seq, dim = tokens.shape
        mask = am.to(tokens.dtype).unsqueeze(-1)
        rows = ember.arange(batch, device=tokens.device)
        pieces = []
        for mode in self.modes:
            if mode == "cls":
                if "cls_token_embeddings" in features:
                    pieces.append(features["cls_token_embeddings"])
                else:  # the first attended token: position 0 unless padded on the left
                    pieces.append(tokens[rows, am.to(ember.int32).argmax(dim=1)])
            elif mode == "max":
                neg = ember.full((), float("-inf"), dtype=tokens.dtype, device=tokens.device)
                pieces.append(ember.where(mask > 0, tokens, neg).max(dim=1).values)
            elif mode in ("mean", "mean_sqrt_len_tokens"):
                summed = (tokens * mask).sum(dim=1)
                counts = mask.sum(dim=1).clamp(min=1e-9)
                pieces.append(summed / (counts if mode == "mean" else counts.sqrt()))
            elif mode == "weightedmean":
                # weights 1, 2, ... counted from the first attended token
                first = am.to(ember.int32).argmax(dim=1).to(tokens.dtype).view(batch, 1, 1)
                weights = ember.arange(1, seq + 1, dtype=tokens.dtype,
                                       device=tokens.device).view(1, seq, 1) - first
                w = mask * weights
                pieces.append((tokens * w).sum(dim=1) / w.sum(dim=1).clamp(min=1e-9))
            else:  # lasttoken: the last attended position (left or right padding)
                last = seq - 1 - am.flip(1).to(ember.int32).argmax(dim=1)
                pieces.append((tokens * mask)[rows, last])
        features["sentence_embedding"] = pieces[0] if len(pieces) == 1 else \
            ember.cat(pieces, dim=1)
        return features


class Dense:
    """A linear layer with an activation (sentence-transformers' ``models.Dense``)."""

    _ACTS = {"Tanh": "tanh", "Identity": None, "ReLU": "relu", "Sigmoid": "sigmoid",
             "GELU": "gelu"}

    def __init__(self, folder):
        from .. import nn
        from .modeling_utils import load_checkpoint
        cfg = _read_json(require_file(folder, "config.json", "the Dense layer config"))
        self.linear = nn.Linear(cfg["in_features"], cfg["out_features"],
                                bias=cfg.get("bias", True))
        sd = load_checkpoint(folder)
        self.linear.load_state_dict({k[len("linear."):]: v for k, v in sd.items()
                                     if k.startswith("linear.")}, strict=True)
        act = cfg.get("activation_function", "torch.nn.modules.linear.Identity").split(".")[-1]
        if act not in self._ACTS:
            raise ValueError(f"Dense activation {act!r} is not supported")
        self.activation = self._ACTS[act]

    def __call__(self, features):
        from .activations import ACT2FN
        y = self.linear(features["sentence_embedding"])
        if self.activation is not None:
            y = ACT2FN[self.activation](y)
        features["sentence_embedding"] = y
        return features


class Normalize:
    """Scale each embedding to unit L2 norm."""

    def __call__(self, features):
        from ..nn import functional as F
        features["sentence_embedding"] = F.normalize(features["sentence_embedding"], p=2,
                                                     dim=1)
        return features


_MODULE_TYPES = {"Transformer", "Pooling", "Dense", "Normalize"}


class SentenceTransformer:
    """Sentence embeddings like ``sentence_transformers.SentenceTransformer``, from a local
    folder, without torch.

    >>> model = ember.hf.SentenceTransformer("path/to/all-MiniLM-L6-v2")
    >>> emb = model.encode(["A man is eating.", "A man rides a horse."])
    >>> emb.shape
    (2, 384)
    """

    def __init__(self, model_name_or_path, device=None, torch_dtype=None, dtype=None):
        folder = resolve_dir(model_name_or_path)
        self.folder = folder
        dtype = dtype if dtype is not None else torch_dtype
        modules_file = os.path.join(folder, "modules.json")
        if os.path.isfile(modules_file):
            spec = _read_json(modules_file)
        else:
            # NOTE: sentence-transformers treats a plain Hugging Face folder as
            # Transformer + mean Pooling.
            spec = [{"type": "sentence_transformers.models.Transformer", "path": ""},
                    {"type": "mean_pooling", "path": None}]
        self.modules = []
        for entry in spec:
            kind = entry["type"].rsplit(".", 1)[-1]
            sub = os.path.join(folder, entry.get("path") or "")
            if kind == "Transformer":
                self.modules.append(Transformer(sub, dtype=dtype))
            elif kind == "Pooling":
                self.modules.append(Pooling.load(sub))
            elif kind == "mean_pooling":
                dim = self.modules[0].dimension()
                self.modules.append(Pooling({"embedding_dimension": dim,
                                             "pooling_mode": "mean"}))
            elif kind == "Dense":
                self.modules.append(Dense(sub))
            elif kind == "Normalize":
                self.modules.append(Normalize())
            else:
                raise NotImplementedError(f"sentence-transformers module {entry['type']!r} "
                                          f"(in {modules_file}) is not supported by ember")
        if not self.modules or not isinstance(self.modules[0], Transformer):
            raise ValueError(f"{modules_file}: the first module must be a Transformer")
        if device is not None:
            self.to(device)

    # -- device -------------------------------------------------------------------------------
    @property
    def device(self):
        return self.transformer.model.device

    def to(self, device):
        """Move the weights (the transformer's and Dense layers') to ``device``; returns
        self.  ``encode`` then runs there and copies the embeddings back for NumPy."""
        self.transformer.model.to(device)
        for m in self.modules:
            if isinstance(m, Dense):
                m.linear.to(device)
        return self

    # -- properties ---------------------------------------------------------------------------
    @property
    def transformer(self):
        return self.modules[0]

    @property
    def tokenizer(self):
        return self.transformer.tokenizer

    @property
    def max_seq_length(self):
        return self.transformer.max_seq_length

    @max_seq_length.setter
    def max_seq_length(self, value):
        self.transformer.max_seq_length = int(value)

    def get_sentence_embedding_dimension(self):
        dim = None
        for m in self.modules:
            if isinstance(m, Transformer):
                dim = m.dimension()
            elif isinstance(m, Pooling):
                dim = (m.dim or dim) * len(m.modes)
            elif isinstance(m, Dense):
                dim = m.linear.out_features
        return dim

    def tokenize(self, texts):
        return self.transformer.tokenize(texts)

    def forward(self, features):
        for m in self.modules:
            features = m(features)
        return features

    # -- encoding -----------------------------------------------------------------------------
    def encode(self, sentences, batch_size=32, show_progress_bar=False,
               output_value="sentence_embedding", convert_to_numpy=True,
               convert_to_tensor=False, normalize_embeddings=False, device=None,
               precision="float32", **kwargs):
        """Embed a sentence or a list of sentences: a float32 NumPy array of shape
        (n, dim), or (dim,) for a single string; ``convert_to_tensor=True`` gives an
        ember tensor.  Runs without autograd."""
        import ember
        from ..nn import functional as F
        if device is not None:
            self.to(device)
        target = self.device
        if precision != "float32":
            raise NotImplementedError("ember's SentenceTransformer.encode supports only "
                                      "precision='float32'")
        if output_value not in ("sentence_embedding", "token_embeddings"):
            raise ValueError(f"output_value must be 'sentence_embedding' or "
                             f"'token_embeddings', got {output_value!r}")
        single = isinstance(sentences, str) or not hasattr(sentences, "__len__")
        if single:
            sentences = [sentences]
        sentences = list(sentences)
        # longest first, like sentence-transformers: less padding per batch
        order = np.argsort([-len(str(s)) for s in sentences], kind="stable")
        results = [None] * len(sentences)
        starts = range(0, len(sentences), batch_size)
        if show_progress_bar:
            try:
                from tqdm import tqdm
                starts = tqdm(starts, desc="Batches")
            except ImportError:
                pass
        with ember.no_grad():
            for start in starts:
                idx = order[start:start + batch_size]
                features = dict(self.tokenize([sentences[i] for i in idx]))
                if target.type != "cpu":
                    features = {k: v.to(target) if isinstance(v, ember.Tensor) else v
                                for k, v in features.items()}
                features = self.forward(features)
                if output_value == "token_embeddings":
                    mask = features["attention_mask"]
                    for row, i in enumerate(idx):
                        n = int(mask[row].sum().item())
                        results[i] = features["token_embeddings"][row, :n]
                    continue
                emb = features["sentence_embedding"]
                if normalize_embeddings:
                    emb = F.normalize(emb, p=2, dim=1)
                for row, i in enumerate(idx):
                    results[i] = emb[row]
        if output_value == "token_embeddings":
            out = results
            if convert_to_numpy and not convert_to_tensor:
                out = [r.float().cpu().numpy() for r in out]
            return out[0] if single else out
        if convert_to_tensor:
            out = ember.stack(results) if results else ember.zeros(0)
            return out[0] if single else out
        if convert_to_numpy:
            out = (np.stack([r.float().cpu().numpy() for r in results]) if results
                   else np.zeros((0, self.get_sentence_embedding_dimension()), np.float32))
            return out[0] if single else out
        return results[0] if single else results

    def similarity(self, a, b):
        """Cosine similarity matrix of two sets of embeddings (arrays or tensors)."""
        import ember
        from ..nn import functional as F
        ta = ember.as_tensor(np.asarray(a, dtype=np.float32)) if not isinstance(
            a, ember.Tensor) else a
        tb = ember.as_tensor(np.asarray(b, dtype=np.float32)) if not isinstance(
            b, ember.Tensor) else b
        if ta.dim() == 1:
            ta = ta.unsqueeze(0)
        if tb.dim() == 1:
            tb = tb.unsqueeze(0)
        return F.normalize(ta, dim=1) @ F.normalize(tb, dim=1).T

    def __call__(self, features):
        return self.forward(features)

    def __repr__(self):
        names = ", ".join(type(m).__name__ for m in self.modules)
        return f"SentenceTransformer({self.folder!r}: {names})"

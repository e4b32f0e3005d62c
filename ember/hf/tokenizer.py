"""Fast tokenizers from ``tokenizer.json`` through the ``tokenizers`` package, with
transformers' calling convention: ``tok(texts, padding=..., truncation=...,
max_length=..., return_tensors="pt")`` returns a :class:`BatchEncoding` of ember tensors.

The tokenizer.json's own padding/truncation settings are switched off (the MiniLM file
pads and truncates to 128 by default); only what the call asks for is applied.
"""

import json
import os

import numpy as np

from .config import require_file, resolve_dir

__all__ = ["PreTrainedTokenizerFast", "BatchEncoding"]

# transformers' "no limit" model_max_length
VERY_LARGE_INTEGER = int(1e30)

SPECIAL_TOKENS = ("bos_token", "eos_token", "unk_token", "sep_token", "pad_token", "cls_token",
                  "mask_token")

# tokenizer classes whose model inputs have no token_type_ids
_NO_TOKEN_TYPES = {"GPT2Tokenizer", "LlamaTokenizer", "CodeLlamaTokenizer", "GPTNeoXTokenizer",
                   "RobertaTokenizer", "DistilBertTokenizer", "T5Tokenizer", "Qwen2Tokenizer",
                   "GemmaTokenizer", "MistralTokenizer", "BloomTokenizer", "BartTokenizer",
                   "CLIPTokenizer", "TokenizersBackend"}


def _content(token):
    """A special token from json: a string or an AddedToken dict ``{"content": ...}``."""
    if isinstance(token, dict):
        return token.get("content")
    return token


def _read_json(folder, name):
    full = os.path.join(folder, name)
    if not os.path.isfile(full):
        return {}
    with open(full, encoding="utf-8") as f:
        return json.load(f)


def _to_list(ids):
    """Token ids from a list, a NumPy array or an ember/torch tensor."""
    if hasattr(ids, "tolist"):
        ids = ids.tolist()
    if isinstance(ids, int):
        return [ids]
    return list(ids)


def clean_up_tokenization(text):
    """transformers' ``clean_up_tokenization``: drop spaces before punctuation and
    contractions (``"a , b"`` -> ``"a, b"``)."""
    for a, b in ((" .", "."), (" ?", "?"), (" !", "!"), (" ,", ","), (" ' ", "'"),
                 (" n't", "n't"), (" 'm", "'m"), (" 's", "'s"), (" 've", "'ve"),
                 (" 're", "'re")):
        text = text.replace(a, b)
    return text


class BatchEncoding(dict):
    """The output of a tokenizer call: a dict (``enc["input_ids"]``) with attribute access
    (``enc.input_ids``), ``to(device)`` and the ``tokenizers`` encodings.

    >>> enc = tok(["hello", "hi there"], padding=True, return_tensors="pt")
    >>> model(**enc)
    """

    def __init__(self, data=None, encodings=None, tensor_type=None):
        super().__init__(data or {})
        self._encodings = encodings
        self._tensor_type = tensor_type

    def __getattr__(self, name):
        try:
            return self[name]
        except KeyError:
            raise AttributeError(name) from None

    @property
    def data(self):
        return dict(self)

    @property
    def encodings(self):
        return self._encodings

    def tokens(self, batch_index=0):
        return self._encodings[batch_index].tokens

    def word_ids(self, batch_index=0):
        return self._encodings[batch_index].word_ids

    def to(self, device):
        for k, v in self.items():
            if hasattr(v, "to"):
                self[k] = v.to(device)
        return self

    def convert_to_tensors(self, tensor_type):
        for k, v in list(self.items()):
            self[k] = _as_tensor(v, tensor_type, k)
        self._tensor_type = tensor_type
        return self


def _as_tensor(value, tensor_type, key):
    if tensor_type is None:
        return value
    try:
        arr = np.asarray(value, dtype=np.int64)
    except ValueError:
        raise ValueError(f"Unable to create a tensor from {key!r}: the sequences have "
                         f"different lengths. Use padding=True (and truncation=True) to "
                         f"return batched tensors.") from None
    if tensor_type in ("np", "numpy"):
        return arr
    if tensor_type in ("pt", "ember"):
        import ember
        return ember.from_numpy(arr)
    raise ValueError(f"return_tensors={tensor_type!r} is not supported; use 'pt', 'np' or "
                     f"None")


def _strategy(value, name, disabled, named):
    """None for False/None/``disabled``, ``named[0]`` for True, else one of ``named``."""
    if value is False or value is None or value == disabled:
        return None
    if value is True:
        return named[0]
    if value in named:
        return value
    choices = ", ".join(repr(n) for n in named)
    raise ValueError(f"{name} must be True, False, {choices} or {disabled!r}, got {value!r}")


def _padding_strategy(padding):
    return _strategy(padding, "padding", "do_not_pad", ("longest", "max_length"))


def _truncation_strategy(truncation):
    return _strategy(truncation, "truncation", "do_not_truncate",
                     ("longest_first", "only_first", "only_second"))


class PreTrainedTokenizerFast:
    """A tokenizer backed by a ``tokenizers.Tokenizer`` (read from tokenizer.json).

    >>> tok = ember.hf.AutoTokenizer.from_pretrained("path/to/minilm")
    >>> tok(["Hello world!"], padding=True, return_tensors="pt")["input_ids"]
    tensor([[ 101, 7592, 2088,  999,  102]])
    >>> tok.decode([101, 7592, 2088, 999, 102], skip_special_tokens=True)
    'hello world!'
    """

    def __init__(self, tokenizer_object=None, tokenizer_file=None, model_max_length=None,
                 padding_side="right", truncation_side="right", model_input_names=None,
                 clean_up_tokenization_spaces=False, name_or_path="", **kwargs):
        from tokenizers import Tokenizer
        if tokenizer_object is None:
            if tokenizer_file is None:
                raise ValueError("PreTrainedTokenizerFast needs tokenizer_object or "
                                 "tokenizer_file")
            tokenizer_object = Tokenizer.from_file(os.fspath(tokenizer_file))
        # NOTE: tokenizer.json may carry its own padding/truncation (MiniLM's pads and
        # truncates to 128); transformers ignores them, and so do we.
        tokenizer_object.no_padding()
        tokenizer_object.no_truncation()
        self._tokenizer = tokenizer_object
        self.name_or_path = name_or_path
        self.model_max_length = VERY_LARGE_INTEGER if model_max_length is None \
            else int(model_max_length)
        self.padding_side = padding_side
        self.truncation_side = truncation_side
        self.clean_up_tokenization_spaces = bool(clean_up_tokenization_spaces)
        self.model_input_names = list(model_input_names or
                                      ["input_ids", "token_type_ids", "attention_mask"])
        self._special = {}
        for name in SPECIAL_TOKENS:
            self._special[name] = _content(kwargs.pop(name, None))
        extra = kwargs.pop("additional_special_tokens", None) or []
        self.additional_special_tokens = [_content(t) for t in extra]
        self.init_kwargs = kwargs

    # -- loading ----------------------------------------------------------------------------
    @classmethod
    def from_pretrained(cls, path, **kwargs):
        """Read ``tokenizer.json`` (required), ``tokenizer_config.json`` and
        ``special_tokens_map.json`` (optional) from a local folder."""
        folder = resolve_dir(path)
        tok_file = require_file(folder, "tokenizer.json",
                                "a fast tokenizer file tokenizer.json (ember.hf reads only "
                                "the tokenizers-package format)")
        config = _read_json(folder, "tokenizer_config.json")
        special = _read_json(folder, "special_tokens_map.json")
        init = {k: v for k, v in config.items()
                if k in ("model_max_length", "padding_side", "truncation_side",
                         "model_input_names", "clean_up_tokenization_spaces")}
        for name in SPECIAL_TOKENS + ("additional_special_tokens",):
            value = config.get(name, special.get(name))
            if value is None and name in special:
                value = special[name]
            if value is not None:
                init[name] = value
        if "model_input_names" not in init:
            cls_name = (config.get("tokenizer_class") or "").replace("Fast", "")
            if cls_name in _NO_TOKEN_TYPES:
                init["model_input_names"] = ["input_ids", "attention_mask"]
        init["name_or_path"] = os.fspath(path)
        init.update(kwargs)
        return cls(tokenizer_file=tok_file, **init)

    # -- special tokens ---------------------------------------------------------------------
    def _get_special(self, name):
        return self._special[name]

    def _set_special(self, name, value):
        self._special[name] = _content(value)

    def _special_id(self, name):
        token = self._special[name]
        return None if token is None else self._tokenizer.token_to_id(token)

    for _name in SPECIAL_TOKENS:
        locals()[_name] = property(
            lambda self, n=_name: self._get_special(n),
            lambda self, value, n=_name: self._set_special(n, value))
        locals()[_name + "_id"] = property(
            lambda self, n=_name: self._special_id(n),
            lambda self, value, n=_name: self._set_special(
                n, None if value is None else self._tokenizer.id_to_token(value)))
    del _name

    @property
    def special_tokens_map(self):
        out = {k: v for k, v in self._special.items() if v is not None}
        if self.additional_special_tokens:
            out["additional_special_tokens"] = list(self.additional_special_tokens)
        return out

    @property
    def all_special_tokens(self):
        toks = [v for v in self._special.values() if v is not None]
        toks += self.additional_special_tokens
        return list(dict.fromkeys(toks))

    @property
    def all_special_ids(self):
        return [self._tokenizer.token_to_id(t) for t in self.all_special_tokens]

    # -- vocabulary ------------------------------------------------------------------------
    @property
    def vocab_size(self):
        return self._tokenizer.get_vocab_size(with_added_tokens=False)

    def __len__(self):
        return self._tokenizer.get_vocab_size(with_added_tokens=True)

    def get_vocab(self):
        return self._tokenizer.get_vocab(with_added_tokens=True)

    @property
    def backend_tokenizer(self):
        return self._tokenizer

    def convert_tokens_to_ids(self, tokens):
        if isinstance(tokens, str):
            i = self._tokenizer.token_to_id(tokens)
            return self.unk_token_id if i is None else i
        return [self.convert_tokens_to_ids(t) for t in tokens]

    def convert_ids_to_tokens(self, ids, skip_special_tokens=False):
        if isinstance(ids, int):
            return self._tokenizer.id_to_token(ids)
        special = set(self.all_special_ids) if skip_special_tokens else set()
        return [self._tokenizer.id_to_token(i) for i in _to_list(ids) if i not in special]

    def tokenize(self, text, pair=None, add_special_tokens=False):
        """The tokens of ``text`` (no special tokens unless asked)."""
        return self._tokenizer.encode(text, pair, add_special_tokens=add_special_tokens).tokens

    # -- encoding -----------------------------------------------------------------------------
    def encode(self, text, text_pair=None, add_special_tokens=True, **kwargs):
        """The token ids of one text, as a list (or a (1, n) tensor with return_tensors)."""
        enc = self(text, text_pair, add_special_tokens=add_special_tokens, **kwargs)
        return enc["input_ids"]

    def _resolve_lengths(self, padding, truncation, max_length):
        pad = _padding_strategy(padding)
        if truncation is None and max_length is not None and pad is None:
            # NOTE: like transformers, max_length alone (no padding) implies truncation.
            truncation = True
        trunc = _truncation_strategy(truncation)
        if max_length is None:
            if pad == "max_length" or trunc is not None:
                max_length = self.model_max_length
                if max_length >= VERY_LARGE_INTEGER:
                    if pad == "max_length":
                        raise ValueError("padding='max_length' needs max_length: this "
                                         "tokenizer has no model_max_length")
                    trunc = None
        return pad, trunc, max_length

    def __call__(self, text, text_pair=None, padding=False, truncation=None, max_length=None,
                 return_tensors=None, add_special_tokens=True, pad_to_multiple_of=None,
                 padding_side=None, return_token_type_ids=None, return_attention_mask=None,
                 return_special_tokens_mask=False, return_offsets_mapping=False,
                 return_length=False, is_split_into_words=False, stride=0, verbose=True):
        """Tokenize a string or a list of strings (optionally with pairs).

        ``padding``: False, True/'longest' or 'max_length'; ``truncation``: True/
        'longest_first', 'only_first', 'only_second' or False; ``return_tensors``:
        'pt' (ember tensors), 'np' or None (lists).  A single string gives unbatched
        lists, or tensors of batch 1.
        """
        batched = isinstance(text, (list, tuple)) and not (
            is_split_into_words and text and isinstance(text[0], str))
        texts = list(text) if batched else [text]
        if not batched and text is None:
            raise ValueError("text must be a string or a list of strings")
        for t in texts:
            if not isinstance(t, (str, list, tuple)):
                raise ValueError(f"text input must be a str or a list of str, got "
                                 f"{type(t).__name__}")
        pairs = None
        if text_pair is not None:
            pairs = list(text_pair) if batched else [text_pair]
            if len(pairs) != len(texts):
                raise ValueError(f"got {len(texts)} texts and {len(pairs)} text pairs")
        pad, trunc, max_length = self._resolve_lengths(padding, truncation, max_length)
        side = padding_side or self.padding_side
        if side not in ("left", "right"):
            raise ValueError(f"padding_side must be 'left' or 'right', got {side!r}")
        if pad is not None and self.pad_token_id is None:
            raise ValueError("Asking to pad but the tokenizer has no padding token: set "
                             "tokenizer.pad_token (e.g. tokenizer.pad_token = "
                             "tokenizer.eos_token)")
        if (trunc is not None and pad is not None and pad_to_multiple_of
                and max_length is not None and max_length % pad_to_multiple_of):
            raise ValueError(f"Truncation and padding are both on but the truncation length "
                             f"({max_length}) is not a multiple of pad_to_multiple_of "
                             f"({pad_to_multiple_of})")
        encodings = self._encode(texts, pairs, trunc, max_length, add_special_tokens,
                                 is_split_into_words, stride)
        want_types = (return_token_type_ids if return_token_type_ids is not None
                      else "token_type_ids" in self.model_input_names)
        want_mask = (return_attention_mask if return_attention_mask is not None
                     else "attention_mask" in self.model_input_names)
        cols = {"input_ids": [e.ids for e in encodings]}
        if want_types:
            cols["token_type_ids"] = [e.type_ids for e in encodings]
        if want_mask:
            cols["attention_mask"] = [e.attention_mask for e in encodings]
        if return_special_tokens_mask:
            cols["special_tokens_mask"] = [e.special_tokens_mask for e in encodings]
        if return_offsets_mapping:
            cols["offset_mapping"] = [e.offsets for e in encodings]
        if pad is not None:
            self._pad(cols, pad, max_length, pad_to_multiple_of, side)
        if return_length:
            cols["length"] = [len(ids) for ids in cols["input_ids"]]
        if not batched:
            cols = {k: v[0] for k, v in cols.items()}
            if return_tensors is not None:
                cols = {k: [v] if k != "length" else v for k, v in cols.items()}
        out = BatchEncoding(cols, encodings)
        if return_tensors is not None:
            out.convert_to_tensors(return_tensors)
        return out

    def _encode(self, texts, pairs, trunc, max_length, add_special_tokens,
                is_split_into_words, stride):
        tk = self._tokenizer
        if trunc is not None:
            tk.enable_truncation(max_length, stride=stride, strategy=trunc,
                                 direction=self.truncation_side)
        try:
            inputs = texts if pairs is None else list(zip(texts, pairs))
            return tk.encode_batch(inputs, is_pretokenized=is_split_into_words,
                                   add_special_tokens=add_special_tokens)
        finally:
            tk.no_truncation()

    def _pad(self, cols, pad, max_length, multiple, side):
        lengths = [len(ids) for ids in cols["input_ids"]]
        target = max(lengths, default=0) if pad == "longest" else max_length
        if multiple:
            target = -(-target // multiple) * multiple
        fill = {"input_ids": self.pad_token_id, "token_type_ids": 0, "attention_mask": 0,
                "special_tokens_mask": 1, "offset_mapping": (0, 0)}
        for key, rows in cols.items():
            value = fill[key]
            for i, row in enumerate(rows):
                extra = target - len(row)
                if extra <= 0:
                    continue
                row = list(row)
                rows[i] = row + [value] * extra if side == "right" else [value] * extra + row

    # -- decoding -----------------------------------------------------------------------------
    def decode(self, token_ids, skip_special_tokens=False, clean_up_tokenization_spaces=None,
               **kwargs):
        """The text of a sequence of ids (a list, an array or a 1-d tensor)."""
        ids = _to_list(token_ids)
        text = self._tokenizer.decode(ids, skip_special_tokens=skip_special_tokens)
        clean = (self.clean_up_tokenization_spaces if clean_up_tokenization_spaces is None
                 else clean_up_tokenization_spaces)
        return clean_up_tokenization(text) if clean else text

    def batch_decode(self, sequences, skip_special_tokens=False,
                     clean_up_tokenization_spaces=None, **kwargs):
        """``decode`` for each row of a batch (a list of lists or a 2-d tensor)."""
        if hasattr(sequences, "tolist"):
            sequences = sequences.tolist()
        return [self.decode(s, skip_special_tokens, clean_up_tokenization_spaces)
                for s in sequences]

    def __repr__(self):
        return (f"{type(self).__name__}(name_or_path={self.name_or_path!r}, "
                f"vocab_size={self.vocab_size}, model_max_length={self.model_max_length}, "
                f"padding_side={self.padding_side!r}, special_tokens={self.special_tokens_map})")

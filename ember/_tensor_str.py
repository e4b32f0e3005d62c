"""Printing tensors exactly as torch prints them.

``repr(t)`` and ``str(t)`` give the same text as torch, character for character:
the ``tensor(`` prefix, column-aligned elements, ``...`` summaries of large tensors,
lines wrapped at the print width, torch's choice between fixed and scientific
notation, and the suffixes (``device=``, ``size=``, ``dtype=``, ``grad_fn=``,
``requires_grad=True``).

Only what is shown is ever formatted: a tensor with more elements than the
threshold is first reduced to its edge items (one fancy-indexing pass that touches
only those elements), and the column width is chosen from that reduced array.
"""
import contextlib
import dataclasses
import math
import sys

import numpy as np

from . import _dtype as D
from ._device import to_host
from ._device import META

__all__ = ["set_printoptions", "get_printoptions", "printoptions", "tensor_repr"]


@dataclasses.dataclass
class _PrintOptions:
    precision: int = 4
    threshold: float = 1000
    edgeitems: int = 3
    linewidth: int = 80
    sci_mode: object = None  # None: chosen per tensor; True/False: forced


PRINT_OPTS = _PrintOptions()

# profile name -> (precision, threshold, edgeitems, linewidth)
_PROFILES = {
    "default": (4, 1000, 3, 80),
    "short": (2, 1000, 2, 80),
    "full": (4, math.inf, 3, 80),
}


def set_printoptions(precision=None, threshold=None, edgeitems=None, linewidth=None,
                     profile=None, sci_mode=None):
    """Set how tensors print (the options torch takes, with the same defaults).

    ``profile`` ('default', 'short' or 'full') resets the four numeric options first;
    the other arguments then override it.

    NOTE: as in torch, every call sets ``sci_mode`` (to None unless given), and an
    unknown profile name is silently ignored.

    >>> ember.set_printoptions(precision=2)
    >>> ember.tensor([1.12345])
    tensor([1.12])
    >>> ember.set_printoptions(profile="default")
    """
    if profile in _PROFILES:
        (PRINT_OPTS.precision, PRINT_OPTS.threshold,
         PRINT_OPTS.edgeitems, PRINT_OPTS.linewidth) = _PROFILES[profile]
    if precision is not None:
        PRINT_OPTS.precision = precision
    if threshold is not None:
        PRINT_OPTS.threshold = threshold
    if edgeitems is not None:
        PRINT_OPTS.edgeitems = edgeitems
    if linewidth is not None:
        PRINT_OPTS.linewidth = linewidth
    PRINT_OPTS.sci_mode = sci_mode


def get_printoptions():
    """The current print options as a dict that ``set_printoptions(**d)`` accepts.

    >>> ember.get_printoptions()["precision"]
    4
    """
    return dataclasses.asdict(PRINT_OPTS)


@contextlib.contextmanager
def printoptions(**kwargs):
    """Change the print options inside a ``with`` block only.

    >>> with ember._tensor_str.printoptions(precision=1):
    ...     print(ember.tensor([1.25]))
    tensor([1.2])
    """
    saved = get_printoptions()
    set_printoptions(**kwargs)
    try:
        yield
    finally:
        set_printoptions(**saved)


# -- element formatting -----------------------------------------------------------------

class _Formatter:
    """Turns one element into a string padded to the common column width.

    Built from all the elements that will be shown (``values``, a NumPy array);
    ``kind`` is 'bool', 'int' or 'float' (float arrays arrive as float64, which holds
    every float16/bfloat16/float32 value exactly, as torch's Python floats do).
    """

    def __init__(self, values, kind):
        self.kind = kind
        self.int_mode = True
        self.sci_mode = False
        self.width = 1
        if values.size == 0:
            return
        if kind == "bool":
            self.width = 5 if not values.all() else 4  # "False" / "True"
        elif kind == "int":
            # The longest decimal is the most negative or the largest value.
            self.width = max(1, len(str(int(values.min()))), len(str(int(values.max()))))
        else:
            self._init_float(values.ravel())

    def _init_float(self, values):
        shown = values[np.isfinite(values) & (values != 0)]
        if shown.size == 0:
            # NOTE: torch keeps the defaults here (integer mode, fixed notation, width 1)
            # even when sci_mode=True was forced: tensor([0., nan]) prints '0.', 'nan'.
            return
        self.int_mode = bool((shown == np.ceil(shown)).all())
        magnitude = np.abs(shown)
        low, high = magnitude.min(), magnitude.max()
        forced = PRINT_OPTS.sci_mode
        if forced is None:
            self.sci_mode = bool(high / low > 1000.0 or high > 1.0e8 or low < 1.0e-4)
        else:
            self.sci_mode = forced
        # The printed length only grows with the magnitude for each sign (rounding is
        # monotonic), and an exponent's digit count is largest at either end, so the
        # widest string is one of the smallest/largest magnitudes of either sign.
        candidates = []
        for part in (shown[shown > 0], shown[shown < 0]):
            if part.size:
                candidates += [float(part.min()), float(part.max())]
        precision = PRINT_OPTS.precision
        if self.sci_mode:
            self.width = max(len(f"{v:.{precision}e}") for v in candidates)
        elif self.int_mode:
            # + 1 for the '.' that marks the tensor as floating.
            self.width = max(len(f"{v:.0f}") + 1 for v in candidates)
        else:
            self.width = max(len(f"{v:.{precision}f}") for v in candidates)

    def format(self, value):
        if self.kind == "float":
            if self.sci_mode:
                text = f"{value:{self.width}.{PRINT_OPTS.precision}e}"
            elif self.int_mode:
                text = f"{value:.0f}"
                if math.isfinite(value):
                    text += "."
            else:
                text = f"{value:.{PRINT_OPTS.precision}f}"
        else:
            text = str(value)
        return text.rjust(self.width)


def _element_formatter(real_fmt, imag_fmt):
    """A function value -> text, and the width one element takes on a line."""
    if imag_fmt is None:
        return real_fmt.format, real_fmt.width + 2

    def complex_format(value):
        real_text = real_fmt.format(value.real)
        imag_text = (imag_fmt.format(value.imag) + "j").lstrip()
        # A sign already separates the parts (including -0.0 and nan's missing sign).
        if imag_text[0] in "+-":
            return real_text + imag_text
        return real_text + "+" + imag_text

    # ", " between elements, and the 'j' of the imaginary part.
    return complex_format, real_fmt.width + 2 + imag_fmt.width + 1


# -- layout ---------------------------------------------------------------------------------

def _vector_str(values, cut, indent, fmt, element_length):
    edge = PRINT_OPTS.edgeitems
    items = [fmt(v) for v in values]
    if cut:
        items.insert(edge, " ...")
    per_line = max(1, math.floor((PRINT_OPTS.linewidth - indent) / element_length))
    lines = [", ".join(items[i:i + per_line]) for i in range(0, len(items), per_line)]
    return "[" + (",\n" + " " * (indent + 1)).join(lines) + "]"


def _nested_str(values, ndim, cuts, indent, fmt, element_length):
    """``values``: the (summarised) data as nested Python lists, ``ndim`` deep."""
    if ndim == 1:
        return _vector_str(values, cuts[0], indent, fmt, element_length)
    rows = [_nested_str(row, ndim - 1, cuts[1:], indent + 1, fmt, element_length)
            for row in values]
    if cuts[0]:
        rows.insert(PRINT_OPTS.edgeitems, "...")
    return "[" + ("," + "\n" * (ndim - 1) + " " * (indent + 1)).join(rows) + "]"


def _summarized(arr, summarize):
    """The elements that will be shown, and per axis whether a '...' replaces the middle.

    An axis longer than 2 * edgeitems keeps its first and last edgeitems entries; the
    selection is one fancy index, so a huge tensor is never read beyond its edges.
    """
    edge = PRINT_OPTS.edgeitems
    cuts = [summarize and n > 2 * edge for n in arr.shape]
    if any(cuts):
        index = [np.r_[0:edge, n - edge:n] if cut else np.arange(n)
                 for n, cut in zip(arr.shape, cuts)]
        arr = arr[np.ix_(*index)]
    return arr, cuts


def _as_python_values(arr):
    """Exact float64 (or complex128) copy of a floating array; ints and bools as is."""
    kind = arr.dtype.kind
    if kind == "c":
        return arr.astype(np.complex128)
    if kind == "f":
        return arr.astype(np.float64)
    if arr.dtype == D.bfloat16.np:
        # Through float32, the cast ml_dtypes defines for bfloat16; both steps are exact.
        return arr.astype(np.float32).astype(np.float64)
    return arr


def _kind(arr):
    if arr.dtype == np.bool_:
        return "bool"
    if arr.dtype.kind in "iu":
        return "int"
    return "float"


def _data_str(arr, indent):
    """The bracketed element text of a non-empty array, as torch lays it out."""
    summarize = arr.size > PRINT_OPTS.threshold
    if summarize and arr.ndim > 0 and not PRINT_OPTS.edgeitems:
        # NOTE: torch shows nothing but the ellipsis when edgeitems is 0.
        return "[...]"
    shown, cuts = _summarized(arr, summarize)
    shown = _as_python_values(shown)
    if shown.dtype.kind == "c":
        real_fmt = _Formatter(shown.real, "float")
        imag_fmt = _Formatter(shown.imag, "float")
    else:
        real_fmt, imag_fmt = _Formatter(shown, _kind(shown)), None
    fmt, element_length = _element_formatter(real_fmt, imag_fmt)
    if shown.ndim == 0:
        return fmt(shown.item())
    return _nested_str(shown.tolist(), shown.ndim, cuts, indent, fmt, element_length)


# -- the whole repr ---------------------------------------------------------------------------

def _add_suffixes(text, suffixes, indent):
    """Append ', key=value' parts, starting a new line when one would pass linewidth."""
    parts = [text]
    # NOTE: torch's length of the last line counts 2 extra characters when the text
    # has no newline (rfind gives -1), and 1 extra otherwise; matched as is.
    last_line_len = len(text) - text.rfind("\n") + 1
    for suffix in suffixes:
        if last_line_len + len(suffix) + 2 > PRINT_OPTS.linewidth:
            parts.append(",\n" + " " * indent + suffix)
            last_line_len = indent + len(suffix)
        else:
            parts.append(", " + suffix)
            last_line_len += len(suffix) + 2
    parts.append(")")
    return "".join(parts)


def _parameter_class():
    nn = sys.modules.get("ember.nn")
    return getattr(nn, "Parameter", None) if nn is not None else None


def tensor_repr(t, tensor_contents=None):
    """``repr(t)``: torch's text for a tensor (``tensor_contents`` replaces the elements).

    >>> ember.tensor([[1.5, -2.0], [3.0, 4.25]], requires_grad=True)
    tensor([[ 1.5000, -2.0000],
            [ 3.0000,  4.2500]], requires_grad=True)
    """
    from ._tensor import Tensor
    cls = type(t)
    parameter = _parameter_class()
    plain = cls is Tensor or (parameter is not None and cls is parameter)
    # NOTE: a subclass prints under its own name, as torch does ('MyTensor([1., 2.])').
    prefix = "tensor(" if plain else f"{cls.__name__}("
    indent = len(prefix)
    arr = to_host(t._data)   # a cuda tensor prints from a host copy
    dtype = t.dtype
    default_float = D.get_default_dtype()
    suffixes = []
    if t._device.type != "cpu":
        suffixes.append(f"device='{t._device}'")

    if t._device is META:
        suffixes.append(f"size={tuple(arr.shape)}")
        if dtype is not default_float:
            suffixes.append(f"dtype={dtype}")
        text = "..."
    elif arr.size == 0:
        # NOTE: like NumPy, the shape is shown unless it is (0,); the dtype is shown
        # even for int64/bool, since no element can tell the kind.
        if arr.ndim != 1:
            suffixes.append(f"size={tuple(arr.shape)}")
        if dtype is not default_float:
            suffixes.append(f"dtype={dtype}")
        text = "[]"
    else:
        if not PRINT_OPTS.edgeitems:
            suffixes.append(f"size={tuple(arr.shape)}")
        if dtype not in (default_float, D.default_complex_dtype(), D.int64, D.bool):
            suffixes.append(f"dtype={dtype}")
        text = None if tensor_contents is not None else _data_str(arr, indent)
    if tensor_contents is not None:
        text = tensor_contents

    grad_fn = t.grad_fn
    if grad_fn is not None:
        suffixes.append(f"grad_fn=<{type(grad_fn).__name__}>")
    elif t.requires_grad:
        suffixes.append("requires_grad=True")

    out = _add_suffixes(prefix + text, suffixes, indent)
    if parameter is not None and isinstance(t, parameter) and not plain:
        out = f"Parameter({out})"
    return out

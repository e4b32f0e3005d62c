"""Devices and the array namespace (``xp``) seam.

Every op is written once against an array namespace: NumPy for ``cpu`` and for
``meta``.  A ``meta`` tensor has a shape and a dtype but no data: it is stored as a
zero-stride NumPy array, so ops compute real output shapes and dtypes through the
same code path, and the result is collapsed back to zero strides.  CuPy plugs in
here for ``cuda`` (a later issue).
"""
import numpy as np

__all__ = ["device"]

_KNOWN_TYPES = ("cpu", "meta", "cuda")


class device:
    """``ember.device('cpu')``, ``ember.device('cuda', 0)``, ``ember.device('cuda:1')``."""

    __slots__ = ("type", "index")

    def __new__(cls, type_or_str, index=None):
        if isinstance(type_or_str, device):
            if index is not None:
                raise TypeError("device(): index given twice")
            return type_or_str
        if isinstance(type_or_str, int) and not isinstance(type_or_str, bool):
            raise RuntimeError(
                f"Expected a device type string, got int {type_or_str}: "
                "ember has no current accelerator to index")
        if not isinstance(type_or_str, str):
            raise TypeError(f"device() expected a str, got {type(type_or_str).__name__}")
        kind, sep, idx = type_or_str.partition(":")
        if sep:
            if index is not None:
                raise RuntimeError(f"type (string) must not include an index because index "
                                   f"was passed explicitly: {type_or_str}")
            if not idx.isdigit():
                raise RuntimeError(f"Invalid device string: '{type_or_str}'")
            index = int(idx)
        if kind not in _KNOWN_TYPES:
            raise RuntimeError(
                f"Expected one of cpu, cuda, meta device type at start of device string: "
                f"{type_or_str}")
        if index is not None and index < 0:
            raise RuntimeError(f"Device index must not be negative, got {index}")
        key = (kind, index)
        cached = _CACHE.get(key)
        if cached is not None:
            return cached
        self = object.__new__(cls)
        object.__setattr__(self, "type", kind)
        object.__setattr__(self, "index", index)
        _CACHE[key] = self
        return self

    def __setattr__(self, name, value):
        raise AttributeError("device objects are immutable")

    def __repr__(self):
        if self.index is None:
            return f"device(type='{self.type}')"
        return f"device(type='{self.type}', index={self.index})"

    def __str__(self):
        return self.type if self.index is None else f"{self.type}:{self.index}"

    def __eq__(self, other):
        if isinstance(other, str):
            try:
                other = device(other)
            except (RuntimeError, TypeError):
                return False
        if not isinstance(other, device):
            return NotImplemented
        return self.type == other.type and self.index == other.index

    def __hash__(self):
        return hash((self.type, self.index))

    def __reduce__(self):
        return (device, (str(self),))

    def __enter__(self):
        raise NotImplementedError("device as a context manager arrives with the cuda issue")


_CACHE = {}
CPU = device("cpu")
META = device("meta")


def as_device(dev):
    """Normalise a device argument (None, str, int, device) to a device object."""
    if dev is None:
        return CPU
    if type(dev) is device:
        return dev
    d = device(dev)
    if d.type == "cuda":
        raise RuntimeError(
            "Torch not compiled with CUDA enabled: ember's cuda backend (CuPy) is not available "
            "in this build")  # NOTE: torch's text for a CPU-only build; the cuda issue adds CuPy.
    if d.type == "cpu" and d.index not in (None, 0):
        raise RuntimeError(f"CPU device index must be -1 or zero, got {d.index}")
    if d.type == "cpu":
        return CPU
    if d.type == "meta":
        return META
    return d


def xp_for(dev):
    """The array namespace serving a device. NumPy for cpu and meta."""
    return np


def meta_array(shape, np_dtype):
    """A zero-stride placeholder for a meta tensor: shape and dtype, one element of memory."""
    return np.broadcast_to(np.zeros((), dtype=np_dtype), shape)


def to_meta(arr):
    return np.broadcast_to(np.zeros((), dtype=arr.dtype), arr.shape)

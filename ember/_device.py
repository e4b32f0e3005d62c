"""Devices and the array namespace (``xp``) seam.

Every op is written once against an array namespace: NumPy for ``cpu`` and for
``meta``.  A ``meta`` tensor has a shape and a dtype but no data: it is stored as a
zero-stride NumPy array, so ops compute real output shapes and dtypes through the
same code path, and the result is collapsed back to zero strides.  CuPy plugs in
here for ``cuda`` (a later issue).
"""
import builtins

import numpy as np

__all__ = ["device"]

_KNOWN_TYPES = ("cpu", "meta", "cuda")


class device:
    """``ember.device('cpu')``, ``ember.device('cuda', 0)``, ``ember.device('cuda:1')``.

    >>> ember.device('cuda', 1)
    device(type='cuda', index=1)
    >>> str(ember.device('cuda:1'))
    'cuda:1'
    """

    __slots__ = ("type", "index")

    def __new__(cls, type=None, index=None):  # noqa: A002  (torch's keyword is ``type``)
        if isinstance(type, device):
            if index is not None:
                raise TypeError("device(): index given twice")
            return type
        if isinstance(type, builtins.int) and not isinstance(type, builtins.bool):
            # NOTE: torch reads a bare int as an index on the current accelerator, which a
            # build without one refuses with a RuntimeError.
            raise RuntimeError("Cannot access accelerator device when none is available.")
        if not isinstance(type, str):
            raise TypeError(f"device() expected a str, got {builtins.type(type).__name__}")
        if index is not None and (isinstance(index, builtins.bool)
                                  or not isinstance(index, (builtins.int, np.integer))):
            raise TypeError(f"device(): argument 'index' must be int, not "
                            f"{builtins.type(index).__name__}")
        kind, sep, idx = type.partition(":")
        if sep:
            if index is not None:
                raise RuntimeError(f"type (string) must not include an index because index "
                                   f"was passed explicitly: {type}")
            # torch accepts only plain decimal indices without leading zeros.
            if not (idx.isdigit() and idx.isascii()) or (len(idx) > 1 and idx[0] == "0"):
                raise RuntimeError(f"Invalid device string: '{type}'")
            index = builtins.int(idx)
        if kind not in _KNOWN_TYPES:
            raise RuntimeError(
                f"Expected one of cpu, cuda, meta device type at start of device string: "
                f"{type}")
        if index is not None:
            index = builtins.int(index)
            if index < 0:
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
        # NOTE: like torch, a device never equals a string (device('cpu') != 'cpu').
        if not isinstance(other, device):
            return NotImplemented
        return self.type == other.type and self.index == other.index

    def __hash__(self):
        return hash((self.type, self.index))

    def __reduce__(self):
        return (device, (str(self),))

    def __enter__(self):
        raise NotImplementedError("device as a context manager arrives with the cuda issue")


class CudaUnavailableError(RuntimeError, AssertionError):
    """Raised for ``cuda`` when CuPy is missing.

    NOTE: torch's CPU-only build raises AssertionError("Torch not compiled with CUDA
    enabled"); ember's errors are RuntimeErrors.  This class is both, so code written
    against either catches it.
    """


def cuda_unavailable():
    return CudaUnavailableError(
        "Torch not compiled with CUDA enabled: ember's cuda backend needs CuPy, which is "
        "not installed")


_CACHE = {}
CPU = device("cpu")
META = device("meta")


def as_device(dev):
    """Normalise a device argument (None, str, int, device) to a device object."""
    if dev is None or dev is CPU or dev is META:
        return CPU if dev is None else dev
    d = device(dev)
    if d.type == "cuda":
        raise cuda_unavailable()
    if d.type == "cpu":
        # NOTE: torch accepts any cpu index here (zeros(device='cpu:1')) and makes a tensor
        # on plain 'cpu'; tensors never carry a cpu index.
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

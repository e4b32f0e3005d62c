"""Tensor methods without a function form: membership and reversal (``in``,
``reversed``), element-wise Python callbacks (``apply_``, ``map_``), ``fill_diagonal_``,
``resize_``, and the memory-placement queries (``pin_memory``, ``share_memory_``).
"""

__all__ = []

import numbers

import numpy as np

from .._device import xp_of
from .._tensor import Tensor
from ..autograd.graph import Node  # noqa: F401  (kept for symmetry with other families)
from ._util import GRAD, check_tensor


def _contains(self, element):
    """``element in tensor``: is any element equal to ``element`` (a number or a tensor
    that broadcasts against this one)?"""
    if isinstance(element, (Tensor, numbers.Number)) and not isinstance(element, complex) \
            or isinstance(element, (bool, complex)):
        return bool((element == self).any())
    raise RuntimeError(f"Tensor.__contains__ only supports Tensor or scalar, but you passed in "
                       f"a {type(element)}.")


def _reversed(self):
    """``reversed(tensor)``: the tensor flipped along dim 0 (a 0-dim tensor comes back)."""
    if self.dim() == 0:
        return self
    return self.flip(0)


def _check_python_callback(self, op):
    check_tensor(self, op)
    if self.requires_grad and GRAD.enabled:
        raise RuntimeError(f"{op}(): a leaf Variable that requires grad is being used in an "
                           f"in-place operation.")
    if self.device.type != "cpu":
        raise TypeError(f"{op}() is only implemented on CPU tensors (got {self.device})")


def _apply_(self, callable):
    """Replace each element ``v`` with ``callable(v)`` (a Python loop; CPU only)."""
    _check_python_callback(self, "apply_")
    arr = self._data
    values = [callable(v) for v in arr.reshape(-1).tolist()]
    arr[...] = np.asarray(values, dtype=arr.dtype).reshape(arr.shape)
    self._bump_version()
    return self


def _map_(self, tensor, callable):
    """Replace each element ``a`` with ``callable(a, b)``, ``b`` the matching element of
    ``tensor`` broadcast to this tensor's shape (a Python loop; CPU only)."""
    _check_python_callback(self, "map_")
    check_tensor(tensor, "map_", "tensor")
    arr = self._data
    other = np.broadcast_to(tensor._data, arr.shape)
    values = [callable(a, b) for a, b in zip(arr.reshape(-1).tolist(), other.reshape(-1).tolist())]
    arr[...] = np.asarray(values, dtype=arr.dtype).reshape(arr.shape)
    self._bump_version()
    return self


def _fill_diagonal_(self, fill_value, wrap=False):
    """Fill the main diagonal (all dims equal for 3+ dims); ``wrap`` restarts the diagonal
    of a tall matrix every ``columns + 1`` rows, as torch and NumPy do."""
    check_tensor(self, "fill_diagonal_")
    shape = tuple(self.shape)
    if len(shape) < 2:
        raise RuntimeError(f"fill_diagonal_(): dimensions must larger than 1 (got shape "
                           f"{list(shape)})")
    if len(shape) > 2 and len(set(shape)) != 1:
        raise RuntimeError(f"fill_diagonal_(): all dimensions of input must be of equal length "
                           f"(got shape {list(shape)})")
    numel = int(np.prod(shape))
    steps = int(sum(np.prod(shape[i + 1:]) for i in range(len(shape))))
    if len(shape) == 2 and wrap:
        flat = np.arange(0, numel, steps)
    else:
        flat = np.arange(min(shape)) * steps
    from .creation import from_numpy
    coords = tuple(from_numpy(c.astype(np.int64)).to(self.device)
                   for c in np.unravel_index(flat, shape))
    self[coords] = fill_value
    return self


def _resize_(self, *sizes, memory_format=None):
    """Give the tensor a new shape, keeping its leading elements; new elements are
    uninitialised (zeros here).  Same number of elements on a contiguous tensor keeps the
    storage."""
    from ._shape_args import parse_shape
    check_tensor(self, "resize_")
    if self.requires_grad:
        raise RuntimeError("cannot resize variables that require grad")
    shape = tuple(parse_shape(sizes, "resize_"))
    if any(s < 0 for s in shape):
        raise RuntimeError(f"Trying to create tensor with negative dimension: {list(shape)}")
    arr = self._data
    count = int(np.prod(shape))
    if count == arr.size and arr.flags.c_contiguous:
        self._data = arr.reshape(shape)
        return self
    new = xp_of(arr).zeros(count, dtype=arr.dtype)
    keep = min(count, arr.size)
    new[:keep] = arr.reshape(-1)[:keep]
    self._data = new.reshape(shape)
    self._bump_version()
    return self


def _resize_as_(self, the_template, memory_format=None):
    check_tensor(the_template, "resize_as_", "the_template")
    return _resize_(self, tuple(the_template.shape))


def _pin_memory(self, device=None):
    # NOTE: needs CuPy and a GPU (torch's RuntimeError without an accelerator).
    from ..cuda._pinned import pin_tensor
    return pin_tensor(self)


def _is_pinned(self, device=None):
    from ..cuda._pinned import is_pinned_array
    return self._device.type == "cpu" and is_pinned_array(self._data)


def _share_memory_(self):
    # NumPy memory is shared with forked worker processes already; nothing to move.
    self._shared = True
    return self


def _is_shared(self):
    return bool(self.__dict__.get("_shared", False))


METHODS = {
    "__contains__": _contains, "__reversed__": _reversed, "apply_": _apply_, "map_": _map_,
    "fill_diagonal_": _fill_diagonal_, "resize_": _resize_, "resize_as_": _resize_as_,
    "pin_memory": _pin_memory, "is_pinned": _is_pinned, "share_memory_": _share_memory_,
    "is_shared": _is_shared,
}
for _name, _fn in METHODS.items():
    setattr(Tensor, _name, _fn)

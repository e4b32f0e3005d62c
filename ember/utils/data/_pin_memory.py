"""Copying a batch into pinned (page-locked) host memory, for ``DataLoader(pin_memory=True)``."""
import collections.abc
import copy
import warnings

from ..._tensor import Tensor


def pin_memory(data, device=None):
    """``data`` with every tensor in it pinned, containers rebuilt as the same types.

    Anything with a ``pin_memory()`` method is asked to pin itself (custom batch
    types); other leaves are returned unchanged.

    >>> batch = pin_memory({"x": ember.ones(2)})   # needs a GPU
    >>> batch["x"].is_pinned()
    True
    """
    if isinstance(data, Tensor) or hasattr(data, "pin_memory"):
        return data.pin_memory()
    if isinstance(data, (str, bytes)):
        return data
    if isinstance(data, collections.abc.Mapping):
        pinned = {k: pin_memory(v, device) for k, v in data.items()}
        try:
            if isinstance(data, collections.abc.MutableMapping):
                clone = copy.copy(data)   # keeps a mapping subclass's extra state
                clone.update(pinned)
                return clone
            return type(data)(pinned)
        except TypeError:   # a mapping type that cannot be copied or rebuilt
            return pinned
    if isinstance(data, tuple):
        items = [pin_memory(v, device) for v in data]
        return type(data)(*items) if hasattr(data, "_fields") else type(data)(items)
    if isinstance(data, collections.abc.Sequence):
        items = [pin_memory(v, device) for v in data]
        try:
            if isinstance(data, collections.abc.MutableSequence):
                clone = copy.copy(data)
                for i, item in enumerate(items):
                    clone[i] = item
                return clone
            return type(data)(items)
        except TypeError:   # e.g. range: no way to rebuild it with new items
            return items
    return data


def loader_pins(loader):
    """Whether a DataLoader's iterator pins its batches; warns as torch does when not."""
    if not loader.pin_memory:
        return False
    if loader.pin_memory_device:
        warnings.warn("pin_memory_device is deprecated, the current accelerator will be used "
                      f"as the device,ignore pin_memory_device='{loader.pin_memory_device}'.",
                      stacklevel=4)
    from ... import cuda
    if not cuda.is_available():
        warnings.warn("'pin_memory' argument is set as true but no accelerator is found, "
                      "then device pinned memory won't be used.", stacklevel=4)
        return False
    return True

"""default_collate and default_convert: turn samples into batched tensors, as torch does."""
import collections.abc
import re

import numpy as np

from ..._tensor import Tensor

__all__ = ["default_collate", "default_convert"]

# NumPy dtype codes for bytes, unicode and object arrays: these are not collated.
_STRING_OR_OBJECT = re.compile(r"[SaUO]")

_COLLATE_ERROR = ("default_collate: batch must contain tensors, numpy arrays, numbers, dicts "
                  "or lists; found {}")


def _is_numpy_value(value):
    return type(value).__module__ == "numpy" and not isinstance(value, (np.str_, np.bytes_))


def _is_namedtuple(value):
    return isinstance(value, tuple) and hasattr(value, "_fields")


def _rebuild_like(template, items):
    """``type(template)(items)`` when the type takes that, else a plain list/dict."""
    try:
        return type(template)(items)
    except TypeError:
        return items


def default_collate(batch):
    """Stack a list of samples into a batch, recursing into dicts, tuples and lists.

    Tensors are stacked along a new first dim; NumPy arrays and scalars become tensors
    first; Python floats become float64, ints int64 and bools bool tensors; strings stay
    a list; a list of tuples becomes a list of batches (one per position).

    >>> default_collate([(ember.zeros(2), 1), (ember.ones(2), 2)])
    [tensor([[0., 0.],
            [1., 1.]]), tensor([1, 2])]
    """
    from ...ops.creation import as_tensor, tensor
    from ...ops.join import stack
    from ..._dtype import float64

    elem = batch[0]
    if isinstance(elem, Tensor):
        return stack(batch, 0)
    if _is_numpy_value(elem):
        if isinstance(elem, np.ndarray):
            if _STRING_OR_OBJECT.search(elem.dtype.str) is not None:
                raise TypeError(_COLLATE_ERROR.format(elem.dtype))
            return default_collate([as_tensor(b) for b in batch])
        if elem.shape == ():   # NumPy scalars keep their dtype
            return as_tensor(np.array(batch))
    if isinstance(elem, float):
        return tensor(batch, dtype=float64)
    if isinstance(elem, int):      # bool included: tensor() of bools is a bool tensor
        return tensor(batch)
    if isinstance(elem, (str, bytes)):
        return batch
    if isinstance(elem, collections.abc.Mapping):
        collated = {key: default_collate([sample[key] for sample in batch]) for key in elem}
        return _rebuild_like(elem, collated)
    if _is_namedtuple(elem):
        return type(elem)(*(default_collate(items) for items in zip(*batch)))
    if isinstance(elem, collections.abc.Sequence):
        size = len(elem)
        if any(len(sample) != size for sample in batch):
            raise RuntimeError("each element in list of batch should be of equal size")
        transposed = [default_collate(items) for items in zip(*batch)]
        if isinstance(elem, tuple):
            return transposed   # NOTE: torch returns a list for tuples (kept for compatibility)
        return _rebuild_like(elem, transposed)
    raise TypeError(_COLLATE_ERROR.format(type(elem)))


def default_convert(data):
    """Convert NumPy arrays and scalars (nested in dicts/lists/tuples) to tensors, unbatched.

    >>> default_convert({'x': np.zeros(2)})
    {'x': tensor([0., 0.], dtype=torch.float64)}
    """
    from ...ops.creation import as_tensor

    if isinstance(data, Tensor):
        return data
    if _is_numpy_value(data):
        if isinstance(data, np.ndarray) and _STRING_OR_OBJECT.search(data.dtype.str) is not None:
            return data
        return as_tensor(np.asarray(data))   # a NumPy scalar becomes a 0-dim tensor
    if isinstance(data, collections.abc.Mapping):
        return _rebuild_like(data, {key: default_convert(data[key]) for key in data})
    if _is_namedtuple(data):
        return type(data)(*(default_convert(d) for d in data))
    if isinstance(data, tuple):
        return [default_convert(d) for d in data]
    if isinstance(data, collections.abc.Sequence) and not isinstance(data, (str, bytes)):
        return _rebuild_like(data, [default_convert(d) for d in data])
    return data

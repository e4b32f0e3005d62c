"""Argument checks shared by the shape family: shapes, dims and indices as torch takes them.

Each helper raises torch's exception type with a message naming the op, so that the ops
in shape.py, splitting.py, join.py, indexing.py and rearrange.py stay short.
"""
import numpy as np

from .._tensor import Tensor, _wrap_dim


def as_int(value, op, arg):
    """An int argument (anything with ``__index__`` but a bool), else TypeError."""
    if isinstance(value, (bool, np.bool_)) or not hasattr(value, "__index__"):
        raise TypeError(f"{op}(): argument '{arg}' must be int, not {type(value).__name__}")
    return value.__index__()


def parse_shape(args, op):
    """Accept f(2, 3), f((2, 3)), f([2, 3]) and torch.Size; ints only."""
    if len(args) == 1 and isinstance(args[0], (tuple, list)):
        args = args[0]
    for s in args:
        if type(s) is not int:
            break
    else:
        return tuple(args)
    out = []
    for s in args:
        if type(s) is not int:
            if isinstance(s, (bool, np.bool_)) or not hasattr(s, "__index__"):
                raise TypeError(f"{op}(): argument 'size' must be tuple of ints, but found "
                                f"element of type {type(s).__name__}")
            s = s.__index__()
        out.append(s)
    return tuple(out)


def int_tuple(value, op, arg):
    """An int or a sequence of ints as a tuple."""
    if isinstance(value, (list, tuple)):
        return tuple(as_int(v, op, arg) for v in value)
    return (as_int(value, op, arg),)


def wrap_dims(dims, ndim, op):
    """Wrap each dim; RuntimeError on repeats (torch's message)."""
    out = tuple(_wrap_dim(d, ndim, op) for d in dims)
    if len(set(out)) != len(out):
        for d in out:
            if out.count(d) > 1:
                raise RuntimeError(f"{op}(): dim {d} appears multiple times in the list of dims")
    return out


def need_dims(arr, op):
    """torch's IndexError for a dim argument on a 0-dim tensor where none is allowed."""
    if arr.ndim == 0:
        raise IndexError(f"{op}(): Dimension specified as 0 but tensor has no dimensions")


def infer_size(shape, numel, op):
    """Replace one -1 in ``shape`` so that it holds ``numel`` elements (torch's checks)."""
    if -1 not in shape:
        known = 1
        for s in shape:
            if s < 0:
                break
            known *= s
        else:
            if known == numel:
                return shape
    infer = -1
    known = 1
    for i, s in enumerate(shape):
        if s == -1:
            if infer >= 0:
                raise RuntimeError(f"{op}(): only one dimension can be inferred")
            infer = i
        elif s < 0:
            raise RuntimeError(f"{op}(): invalid shape dimension {s}")
        else:
            known *= s
    if infer >= 0:
        if known == 0:
            raise RuntimeError(
                f"{op}(): cannot reshape tensor of {numel} elements into shape {list(shape)} "
                "because the unspecified dimension size -1 can be any value and is ambiguous")
        if numel % known:
            raise RuntimeError(f"{op}(): shape '{list(shape)}' is invalid for input of size "
                               f"{numel}")
        shape = shape[:infer] + (numel // known,) + shape[infer + 1:]
    elif known != numel:
        raise RuntimeError(f"{op}(): shape '{list(shape)}' is invalid for input of size {numel}")
    return shape


def check_tensor_items(tensors, op):
    """TypeError naming the first element of the sequence ``tensors`` that is not a Tensor."""
    for i, x in enumerate(tensors):
        if not isinstance(x, Tensor):
            raise TypeError(f"{op}(): expected Tensor as element {i} in argument 0, but got "
                            f"{type(x).__name__}")


def shape_from_args(args, kw, op):
    """The shape of ``f(*args)`` or ``f(size=...)`` (torch accepts both on methods)."""
    if kw is not None:
        if args:
            raise TypeError(f"{op}() got multiple values for its shape argument")
        args = (kw,)
    return parse_shape(args, op)


def select_args(arr, dim, index, op):
    """``(dim, index)`` of ``select(dim, index)``, both wrapped, with torch's checks."""
    if arr.ndim == 0:
        raise IndexError(f"{op}(): select() cannot be applied to a 0-dim tensor.")
    d = _wrap_dim(dim, arr.ndim, op)
    i = as_int(index, op, "index")
    size = arr.shape[d]
    if i < -size or i >= size:
        raise IndexError(f"{op}(): index {i} out of range for tensor of size "
                         f"{list(arr.shape)} at dimension {d}")
    return d, (i + size if i < 0 else i)


def diag_dims(ndim, dim1, dim2, op):
    """The two wrapped dims of a diagonal; they must differ."""
    d1 = _wrap_dim(dim1, ndim, op)
    d2 = _wrap_dim(dim2, ndim, op)
    if d1 == d2:
        raise RuntimeError(f"{op}(): diagonal dimensions cannot be identical {dim1}, {dim2}")
    return d1, d2

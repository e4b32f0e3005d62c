"""Tensor creation: tensor, as_tensor, from_numpy, zeros/ones/empty/full (+_like),
arange, and the ``new_*`` methods.  Every creation function takes ``dtype=``,
``device=`` and ``requires_grad=`` like torch's.
"""

__all__ = ["arange", "as_tensor", "asarray", "empty", "empty_like", "from_numpy", "full", "full_like", "ones", "ones_like", "tensor", "zeros", "zeros_like"]

import builtins
import math
import numbers

import numpy as np

from .. import _dtype as D
from .._device import CPU, META, as_device, meta_array
from .._tensor import Tensor, _new, _wrap
from . import _util as U

_FROM_NP = D._FROM_NP


def _finish(arr, device, requires_grad, op="tensor"):
    device = as_device(device)
    if device is META:
        t = _new(Tensor)
        t._data = meta_array(arr.shape, arr.dtype)
        t._device = META
    else:
        t = _wrap(arr, device)
    if requires_grad:
        if _FROM_NP[arr.dtype].category < D.FLOAT:
            raise RuntimeError(f"{op}(): only Tensors of floating point and complex dtype can "
                               f"require gradients (got {_FROM_NP[arr.dtype]})")
        t._rg = True
    return t


def _check_dtype(dtype, op):
    if dtype is not None and not isinstance(dtype, D.dtype):
        raise TypeError(f"{op}(): argument 'dtype' must be ember.dtype, not "
                        f"{type(dtype).__name__}")


def _flatten_tensors(data):
    """Replace tensors inside nested lists by their values, checking they are scalars."""
    if isinstance(data, Tensor):
        if data._data.ndim == 0:
            return data._data[()]
        return [_flatten_tensors(x) for x in data.unbind(0)] if data._data.ndim else data.item()
    if isinstance(data, (list, tuple)):
        return [_flatten_tensors(x) for x in data]
    return data


def _contains_tensor(data):
    if isinstance(data, Tensor):
        return True
    if isinstance(data, (list, tuple)) and data:
        return _contains_tensor(data[0]) or builtins.any(isinstance(x, Tensor) for x in data)
    return False


def _check_ragged(data, dim=0):
    if isinstance(data, (list, tuple)) and data:
        lens = [len(x) if isinstance(x, (list, tuple)) else None for x in data]
        first = lens[0]
        for x_len in lens[1:]:
            if x_len != first:
                raise ValueError(f"expected sequence of length {first} at dim {dim + 1} "
                                 f"(got {x_len})")
        for x in data:
            _check_ragged(x, dim + 1)


def _array_from_data(data, dtype, op):
    """NumPy array for ``data`` with torch's dtype inference."""
    if isinstance(data, Tensor):
        arr = data._data
        return arr if dtype is None else arr.astype(dtype.np)
    if isinstance(data, np.ndarray):
        if data.dtype not in _FROM_NP:
            D.from_numpy_dtype(data.dtype)  # raises TypeError naming the dtype
        return data if dtype is None else data.astype(dtype.np)
    if isinstance(data, (str, bytes)) or data is None or isinstance(data, dict):
        raise TypeError(f"{op}(): could not infer dtype of {type(data).__name__}")
    if _contains_tensor(data):
        data = _flatten_tensors(data)
    try:
        arr = np.array(data)
    except ValueError:
        _check_ragged(data)
        raise
    if arr.dtype == object or arr.dtype.kind in "USV":
        bad = _first_bad_leaf(data)
        raise TypeError(f"{op}(): new(): invalid data type '{type(bad).__name__}'")
    if dtype is not None:
        if dtype.category < D.FLOAT and arr.dtype.kind == "f":
            arr = arr.astype(np.float64)
        return arr.astype(dtype.np)
    kind = arr.dtype.kind
    if kind == "f":
        target = D.get_default_dtype().np if not isinstance(data, np.generic) else arr.dtype
    elif kind in "iu":
        target = np.int64 if not isinstance(data, np.generic) else arr.dtype
    elif kind == "c":
        target = D.default_complex_dtype().np if not isinstance(data, np.generic) else arr.dtype
    elif kind == "b":
        target = np.bool_
    else:
        raise TypeError(f"{op}(): could not infer dtype of {type(data).__name__}")
    return arr.astype(target, copy=False)


def _first_bad_leaf(data):
    if isinstance(data, (list, tuple)):
        for x in data:
            bad = _first_bad_leaf(x)
            if bad is not None:
                return bad
        return None
    return None if isinstance(data, (numbers.Number, np.generic)) else data


def tensor(data, *, dtype=None, device=None, requires_grad=False, pin_memory=False):
    """A new tensor copying ``data`` (nested lists, numbers, ndarrays, tensors).

    >>> ember.tensor([[1, 2], [3, 4]])
    tensor([[1, 2],
            [3, 4]])
    """
    _check_dtype(dtype, "tensor")
    if isinstance(data, Tensor):
        import warnings
        warnings.warn("To copy construct from a tensor, it is recommended to use "
                      "sourceTensor.clone().detach() or sourceTensor.clone().detach()."
                      "requires_grad_(True), rather than torch.tensor(sourceTensor).",
                      UserWarning, stacklevel=2)
    arr = _array_from_data(data, dtype, "tensor")
    arr = np.array(arr, copy=True, order="C")
    return _finish(arr, device, requires_grad, "tensor")


def as_tensor(data, dtype=None, device=None):
    """Like tensor(), but shares memory with an ndarray or tensor when dtype/device allow."""
    _check_dtype(dtype, "as_tensor")
    if isinstance(data, Tensor):
        return data.to(dtype=dtype, device=device) if (dtype or device) else data
    if isinstance(data, np.ndarray) and (device is None or as_device(device) is CPU):
        if dtype is None or data.dtype == dtype.np:
            return from_numpy(data)
    arr = _array_from_data(data, dtype, "as_tensor")
    return _finish(np.ascontiguousarray(arr), device, False, "as_tensor")


asarray = as_tensor


def from_numpy(ndarray):
    """A tensor sharing memory with ``ndarray`` (writes show through both ways)."""
    if not isinstance(ndarray, np.ndarray):
        raise TypeError(f"expected np.ndarray (got {type(ndarray).__name__})")
    D.from_numpy_dtype(ndarray.dtype)
    if builtins.any(s < 0 for s in ndarray.strides):
        raise ValueError("At least one stride in the given numpy array is negative, and tensors "
                         "with negative strides are not currently supported. (You can probably "
                         "work around this by making a copy of your array  with array.copy().) ")
    if not ndarray.dtype.isnative:
        raise TypeError("given numpy array has byte order different from the native byte order. "
                        "Conversion between byte orders is currently not supported.")
    return _wrap(ndarray)


# ----------------------------------------------------------------------------------
# zeros / ones / empty / full
# ----------------------------------------------------------------------------------

def parse_size(size, op):
    if len(size) == 1 and isinstance(size[0], (tuple, list)):
        size = size[0]
    out = []
    for s in size:
        if isinstance(s, Tensor):
            s = s.__index__()
        if isinstance(s, bool) or not isinstance(s, (int, np.integer)):
            raise TypeError(f"{op}(): argument 'size' must be tuple of ints, but found element "
                            f"of type {type(s).__name__} at pos {len(out)}")
        if s < 0:
            raise RuntimeError(f"{op}(): Trying to create tensor with negative dimension {s}: "
                               f"{list(size)}")
        out.append(int(s))
    return tuple(out)


def _default(dtype):
    return D.get_default_dtype() if dtype is None else dtype


def _filled(op, np_fn, size, dtype, device, requires_grad, out):
    _check_dtype(dtype, op)
    shape = parse_size(size, op)
    if out is not None:
        dt = dtype or out.dtype
        res = _finish(np_fn(shape, dtype=dt.np), out.device, False, op)
        return U.write_out(out, res, op)
    dt = _default(dtype)
    device = as_device(device)
    if device is META:
        return _finish(meta_array(shape, dt.np), META, requires_grad, op)
    return _finish(np_fn(shape, dtype=dt.np), device, requires_grad, op)


def zeros(*size, out=None, dtype=None, layout=None, device=None, requires_grad=False,
          pin_memory=False):
    """A tensor of zeros; ``zeros(2, 3)`` or ``zeros((2, 3))``."""
    return _filled("zeros", np.zeros, size, dtype, device, requires_grad, out)


def ones(*size, out=None, dtype=None, layout=None, device=None, requires_grad=False,
         pin_memory=False):
    """A tensor of ones."""
    return _filled("ones", np.ones, size, dtype, device, requires_grad, out)


def empty(*size, out=None, dtype=None, layout=None, device=None, requires_grad=False,
          pin_memory=False, memory_format=None):
    """An uninitialised tensor."""
    return _filled("empty", np.empty, size, dtype, device, requires_grad, out)


def _fill_dtype(fill_value):
    if isinstance(fill_value, Tensor):
        return fill_value.dtype
    return D.scalar_dtype(fill_value)


def full(size, fill_value, *, out=None, dtype=None, layout=None, device=None,
         requires_grad=False, pin_memory=False):
    """A tensor filled with ``fill_value``; the dtype follows the value when not given."""
    _check_dtype(dtype, "full")
    if isinstance(size, (int, np.integer)):
        size = (size,)
    shape = parse_size((tuple(size),), "full")
    dt = dtype or _fill_dtype(fill_value)
    value = fill_value.item() if isinstance(fill_value, Tensor) else fill_value
    device = as_device(device) if out is None else out.device
    if device is META:
        res = _finish(meta_array(shape, dt.np), META, requires_grad, "full")
    else:
        res = _finish(np.full(shape, U.scalar_to_array(value, dt.np), dtype=dt.np), device,
                      requires_grad, "full")
    if out is not None:
        return U.write_out(out, res, "full")
    return res


def _like(op, np_fn, input, dtype, device, requires_grad, value=None):
    U.check_tensor(input, op)
    _check_dtype(dtype, op)
    dt = dtype or input.dtype
    device = input.device if device is None else as_device(device)
    shape = input._data.shape
    if device is META:
        return _finish(meta_array(shape, dt.np), META, requires_grad, op)
    if value is None:
        arr = np_fn(shape, dtype=dt.np)
    else:
        arr = np.full(shape, U.scalar_to_array(value, dt.np), dtype=dt.np)
    return _finish(arr, device, requires_grad, op)


def zeros_like(input, *, dtype=None, layout=None, device=None, requires_grad=False,
               memory_format=None):
    return _like("zeros_like", np.zeros, input, dtype, device, requires_grad)


def ones_like(input, *, dtype=None, layout=None, device=None, requires_grad=False,
              memory_format=None):
    return _like("ones_like", np.ones, input, dtype, device, requires_grad)


def empty_like(input, *, dtype=None, layout=None, device=None, requires_grad=False,
               memory_format=None):
    return _like("empty_like", np.empty, input, dtype, device, requires_grad)


def full_like(input, fill_value, *, dtype=None, layout=None, device=None, requires_grad=False,
              memory_format=None):
    return _like("full_like", None, input, dtype, device, requires_grad, value=fill_value)


# ----------------------------------------------------------------------------------
# new_* methods (inherit dtype and device from self)
# ----------------------------------------------------------------------------------

def _new_kw(self, dtype, device):
    return (dtype or self.dtype), (self.device if device is None else device)


def new_zeros(self, *size, dtype=None, device=None, requires_grad=False, layout=None,
              pin_memory=False):
    dtype, device = _new_kw(self, dtype, device)
    return zeros(*size, dtype=dtype, device=device, requires_grad=requires_grad)


def new_ones(self, *size, dtype=None, device=None, requires_grad=False, layout=None,
             pin_memory=False):
    dtype, device = _new_kw(self, dtype, device)
    return ones(*size, dtype=dtype, device=device, requires_grad=requires_grad)


def new_empty(self, *size, dtype=None, device=None, requires_grad=False, layout=None,
              pin_memory=False):
    dtype, device = _new_kw(self, dtype, device)
    return empty(*size, dtype=dtype, device=device, requires_grad=requires_grad)


def new_full(self, size, fill_value, *, dtype=None, device=None, requires_grad=False,
             layout=None, pin_memory=False):
    dtype, device = _new_kw(self, dtype, device)
    return full(size, fill_value, dtype=dtype, device=device, requires_grad=requires_grad)


def new_tensor(self, data, *, dtype=None, device=None, requires_grad=False, layout=None,
               pin_memory=False):
    dtype, device = _new_kw(self, dtype, device)
    if isinstance(data, Tensor):
        data = data.detach()
    return tensor(data, dtype=dtype, device=device, requires_grad=requires_grad)


def _tensor_ctor(cls, args, device, dtype):
    """The legacy constructor ``ember.Tensor(...)``: sizes or data, float by default."""
    dt = dtype or D.get_default_dtype()
    if len(args) == 0:
        res = empty(0, dtype=dt, device=device)
    elif len(args) == 1 and isinstance(args[0], Tensor):
        res = args[0]
    elif builtins.all(isinstance(a, (int, np.integer)) and not isinstance(a, bool) for a in args):
        res = empty(*args, dtype=dt, device=device)
    elif len(args) == 1 and isinstance(args[0], (tuple, list, np.ndarray, numbers.Number)):
        if isinstance(args[0], numbers.Number):
            raise TypeError(f"new(): data must be a sequence (got {type(args[0]).__name__})")
        res = tensor(args[0], dtype=dt, device=device)
    else:
        raise TypeError(f"new() received an invalid combination of arguments - got "
                        f"({', '.join(type(a).__name__ for a in args)})")
    if cls is not Tensor:
        sub = _new(cls)
        sub.__dict__.update(res.__dict__)
        return sub
    return res


# ----------------------------------------------------------------------------------
# ranges
# ----------------------------------------------------------------------------------

def _is_float_arg(x):
    if isinstance(x, Tensor):
        return x.dtype.category >= D.FLOAT
    return isinstance(x, (float, np.floating))


def _num(x):
    return x.item() if isinstance(x, Tensor) else x


def arange(start=0, end=None, step=1, *, out=None, dtype=None, layout=None, device=None,
           requires_grad=False, pin_memory=False):
    """Values from start (inclusive) to end (exclusive) by step; int64 unless a float appears."""
    _check_dtype(dtype, "arange")
    if end is None:
        start, end = 0, start
    infer_float = builtins.any(_is_float_arg(x) for x in (start, end, step))
    start, end, step = _num(start), _num(end), _num(step)
    if step == 0:
        raise RuntimeError("arange(): step must be nonzero")
    for v in (start, end):
        if not math.isfinite(v):
            raise RuntimeError(f"arange(): unsupported range: {start} -> {end}")
    if (step > 0 and start > end) or (step < 0 and start < end):
        raise RuntimeError(f"arange(): upper bound and larger bound inconsistent with step sign "
                           f"(start={start}, end={end}, step={step})")
    dt = dtype or (D.get_default_dtype() if infer_float else D.int64)
    n = builtins.max(0, math.ceil((end - start) / step))
    if dt.category < D.FLOAT and not infer_float:
        arr = (start + step * np.arange(n, dtype=np.int64)).astype(dt.np)
    else:
        arr = (start + step * np.arange(n, dtype=np.float64)).astype(dt.np)
    res = _finish(arr, device if out is None else out.device, requires_grad, "arange")
    if out is not None:
        return U.write_out(out, res, "arange")
    return res


METHODS = {"new_zeros": new_zeros, "new_ones": new_ones, "new_empty": new_empty,
           "new_full": new_full, "new_tensor": new_tensor}
for _name, _fn in METHODS.items():
    setattr(Tensor, _name, _fn)

"""Tensor creation: tensor, as_tensor, from_numpy, zeros/ones/empty/full (+_like),
empty_strided, scalar_tensor, arange/linspace/logspace, eye, tril/triu_indices,
meshgrid, and the ``new_*`` methods.  Factories take ``dtype=``, ``device=`` ('cpu',
'cuda' or 'meta'), ``requires_grad=`` and ``out=`` where torch has them; meta results never
compute values.  Random creation (rand, randn ...) lives in ``random.py``.

Factories build their values with the target device's array namespace (``make_array(xp)``:
NumPy for cpu, CuPy for cuda), so a cuda tensor is made on the device with no host buffer;
``tensor(data, device='cuda')`` copies host data over once.
"""

__all__ = ["arange", "as_tensor", "asarray", "empty", "empty_like", "empty_strided", "eye",
           "from_numpy", "full", "full_like", "linspace", "logspace", "meshgrid", "ones",
           "ones_like", "scalar_tensor", "tensor", "tril_indices", "triu_indices", "zeros",
           "zeros_like"]

import builtins
import math
import numbers

import ml_dtypes
import numpy as np

from .. import _dtype as D
from .._device import (CPU, META, as_device, as_strided, meta_array, move_array, to_host,
                       xp_for)
from .._tensor import Tensor, _new, _wrap
from . import _util as U

_FROM_NP = D._FROM_NP


def _finish(arr, device, requires_grad, op="tensor"):
    device = as_device(device)
    if device is META:
        t = _new(Tensor)
        t._data = meta_array(arr.shape, arr.dtype)
        t._device = META
    elif device is CPU:
        t = _wrap(arr, device)
    else:
        t = _wrap(move_array(arr, device), device)   # built on the host, copied over once
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


_PY_SCALARS = frozenset((int, float, bool, complex))
_SEQUENCES = (list, tuple)


def _leaf_types(seq, out):
    """Add the types of the non-sequence leaves of nested lists/tuples to ``out``."""
    kinds = set(map(type, seq))
    if builtins.any(issubclass(k, _SEQUENCES) for k in kinds):
        for x in seq:
            if isinstance(x, _SEQUENCES):
                _leaf_types(x, out)
        kinds = {k for k in kinds if not issubclass(k, _SEQUENCES)}
    out |= kinds
    return out


def _python_scalar_dtype(kinds):
    """The dtype torch infers for nested lists holding only Python numbers."""
    if complex in kinds:
        return D.default_complex_dtype()
    if float in kinds:
        return D.get_default_dtype()
    if int in kinds:
        return D.int64
    return D.bool


def _unwrap_leaves(data, dtypes):
    """Nested lists with tensors and NumPy scalars/arrays replaced by plain values; the
    dtype of every leaf that is not a Python number goes to ``dtypes``."""
    if isinstance(data, _SEQUENCES):
        return [_unwrap_leaves(x, dtypes) for x in data]
    kind = type(data)
    if kind in _PY_SCALARS:
        dtypes.add(D.scalar_dtype(data))
        return data
    if isinstance(data, Tensor):
        # NOTE: torch reads a tensor inside a list as one number (any shape with one
        # element), keeping its dtype for the inference.
        if data._data.size != 1:
            raise ValueError("only one element tensors can be converted to Python scalars")
        dtypes.add(data.dtype)
        return to_host(data._data).reshape(())[()]
    if isinstance(data, np.ndarray):
        if data.ndim == 0:
            raise TypeError("len() of unsized object")  # torch reads an ndarray as a sequence
        dtypes.add(D.from_numpy_dtype(data.dtype))
        return data
    if isinstance(data, np.generic):
        dtypes.add(D.from_numpy_dtype(data.dtype))
        return data
    _bad_leaf(data)


def _bad_leaf(value):
    if isinstance(value, (str, bytes)):
        raise TypeError(f"new(): invalid data type '{type(value).__name__}'")
    raise RuntimeError(f"Could not infer dtype of {type(value).__name__}")


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


def _int_bounds(dtype):
    info = np.iinfo(dtype.np)
    return int(info.min), int(info.max)


def _check_overflow(arr, dtype):
    """torch's checked conversion of Python numbers to an integer dtype: RuntimeError
    instead of NumPy's silent wrap-around."""
    if dtype.category != D.INT or arr.size == 0:
        return
    lo, hi = _int_bounds(dtype)
    kind = arr.dtype.kind
    if kind == "f":
        # NOTE: torch compares floats with the bounds as floats, so 2.0**63 passes for int64.
        bad = not (np.all(arr >= float(lo)) and np.all(arr <= float(hi)))
    elif kind in "iu":
        # NOTE: torch lets negative ints wrap into unsigned types down to -max (-1 -> 255).
        low = -hi if lo == 0 else lo
        bad = bool(arr.min() < low or arr.max() > hi)
    else:
        bad = False
    if bad:
        raise RuntimeError(f"value cannot be converted to type {str(dtype)[6:]} without "
                           "overflow")


def _array_from_sequence(data, dtype):
    """NumPy array for nested lists of numbers (or a Python/NumPy scalar), with torch's
    dtype inference (promotion over the leaves) and overflow checks."""
    if isinstance(data, _SEQUENCES):
        kinds = _leaf_types(data, set())
    else:
        kinds = {type(data)}
    if kinds <= _PY_SCALARS:
        inferred = _python_scalar_dtype(kinds) if kinds else D.get_default_dtype()
    else:
        dtypes = set()
        if builtins.any(issubclass(k, np.ndarray) for k in kinds):
            import warnings
            warnings.warn("Creating a tensor from a list of numpy.ndarrays is extremely slow. "
                          "Please consider converting the list to a single numpy.ndarray with "
                          "numpy.array() before converting to a tensor.", UserWarning,
                          stacklevel=4)
        data = _unwrap_leaves(data, dtypes)
        inferred = None
        for d in dtypes:
            inferred = d if inferred is None else D.promote_types(inferred, d)
    target = inferred if dtype is None else dtype
    try:
        arr = np.array(data)
    except ValueError:
        _check_ragged(data)
        raise
    except OverflowError:
        raise ValueError("Overflow when unpacking long long") from None
    if int in kinds and inferred is D.int64 and arr.dtype != np.int64:
        # Python ints beyond int64: NumPy widens to uint64/float64/object, torch refuses
        # unless the values go to a floating dtype.
        if target.category < D.FLOAT:
            raise ValueError("Overflow when unpacking long long")
        arr = np.array(data, dtype=np.float64)
    if arr.dtype == object or arr.dtype.kind in "USV":
        _bad_leaf(_first_bad_leaf(data))
    _check_overflow(arr, target)
    return arr.astype(target.np, copy=False)


def _array_from_data(data, dtype, op):
    """NumPy array for ``data`` with torch's dtype inference."""
    if isinstance(data, Tensor):
        arr = data._data
        return arr if dtype is None else arr.astype(dtype.np)
    if isinstance(data, np.ndarray):
        if data.dtype not in _FROM_NP:
            D.from_numpy_dtype(data.dtype)  # raises TypeError naming the dtype
        return data if dtype is None else data.astype(dtype.np)
    if isinstance(data, (str, bytes)):
        raise TypeError(f"{op}(): new(): invalid data type '{type(data).__name__}'")
    if not isinstance(data, (_SEQUENCES, numbers.Number, np.generic)):
        if isinstance(data, range):
            data = list(data)
        else:
            raise RuntimeError(f"{op}(): Could not infer dtype of {type(data).__name__}")
    return _array_from_sequence(data, dtype)


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
    is_tensor = isinstance(data, Tensor)
    if is_tensor:
        import warnings
        warnings.warn("To copy construct from a tensor, it is recommended to use "
                      "sourceTensor.clone().detach() or sourceTensor.clone().detach()."
                      "requires_grad_(True), rather than torch.tensor(sourceTensor).",
                      UserWarning, stacklevel=2)
    arr = _array_from_data(data, dtype, "tensor")
    if device is None:
        # NOTE: as torch, a copy of a tensor stays on the tensor's device, unless a
        # default device was set (set_default_device / ``with device(...)``)
        device = as_device(None)
        if is_tensor and device is CPU:
            device = data._device
    else:
        device = as_device(device)
    if device is not META:
        # An array changing device is copied once, by the transfer in _finish (host data
        # going to cuda: one host -> device copy); anything else is copied here unless
        # _array_from_data made it just now.
        transfer = (device is not CPU) == (type(arr) is np.ndarray)
        if not arr.flags.c_contiguous or not transfer and (
                arr is data or is_tensor and arr is data._data):
            arr = arr.copy(order="C")
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
    if not arr.flags.c_contiguous:
        arr = arr.copy(order="C")
    return _finish(arr, device, False, "as_tensor")


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
# shared helpers: type names, sizes, fill values, out=
# ----------------------------------------------------------------------------------

# torch's names for dtypes in its error messages ("not implemented for 'Long'") and the
# C++ names in its overflow messages ("value cannot be converted to type uint8_t").
TYPE_NAME = {D.bool: "Bool", D.uint8: "Byte", D.int8: "Char", D.int16: "Short",
             D.int32: "Int", D.int64: "Long", D.float16: "Half", D.bfloat16: "BFloat16",
             D.float32: "Float", D.float64: "Double", D.complex64: "ComplexFloat",
             D.complex128: "ComplexDouble"}
C_TYPE_NAME = {D.bool: "bool", D.uint8: "uint8_t", D.int8: "int8_t", D.int16: "int16_t",
               D.int32: "int", D.int64: "int64_t", D.float16: "c10::Half",
               D.bfloat16: "c10::BFloat16", D.float32: "float", D.float64: "double",
               D.complex64: "c10::complex<float>", D.complex128: "c10::complex<double>"}


# Largest finite value of each float type (np.finfo does not know bfloat16).
FLOAT_MAX = {D.float16: 65504.0, D.bfloat16: float(ml_dtypes.finfo(ml_dtypes.bfloat16).max),
             D.float32: float(np.finfo(np.float32).max), D.float64: float(np.finfo(np.float64).max)}


def not_implemented(kernel, dtype):
    """torch's error for a dtype a kernel has no implementation for."""
    return NotImplementedError(f'"{kernel}" not implemented for \'{TYPE_NAME[dtype]}\'')


def parse_size(size, op):
    """A shape from ``*size`` arguments: ints, or one tuple/list/Size (ints or int tensors)."""
    if len(size) == 1 and isinstance(size[0], (tuple, list)):
        size = size[0]
    out = []
    for s in size:
        if isinstance(s, Tensor) and s.dtype.category == D.INT and s._data.ndim == 0:
            s = s.__index__()
        if isinstance(s, bool) or not isinstance(s, (int, np.integer)):
            raise TypeError(f"{op}(): argument 'size' must be tuple of ints, but found element "
                            f"of type {type(s).__name__} at pos {len(out)}")
        if s < 0:
            raise RuntimeError(f"{op}(): Trying to create tensor with negative dimension {s}: "
                               f"{list(size)}")
        out.append(int(s))
    return tuple(out)


def size_from_args(args, size, op):
    """``zeros(2, 3)``, ``zeros((2, 3))`` or ``zeros(size=(2, 3))`` -> (2, 3)."""
    if size is not None:
        if args:
            raise TypeError(f"{op}() got multiple values for argument 'size'")
        args = (size,)
    if not args:
        raise TypeError(f"{op}() missing 1 required positional argument: \"size\"")
    return parse_size(args, op)


def _check_int(x, op, arg):
    """A plain int argument (bool and float refused, 0-dim integer tensors accepted)."""
    if isinstance(x, Tensor) and x.dtype.category == D.INT and x._data.ndim == 0:
        return int(x.item())
    if isinstance(x, bool) or not isinstance(x, (int, np.integer)):
        raise TypeError(f"{op}(): argument '{arg}' must be int, not {type(x).__name__}")
    return int(x)


def _check_number(x, op, arg):
    """A Python/NumPy number or a 0-dim tensor's value, as a Python scalar."""
    if isinstance(x, Tensor):
        if x._data.ndim != 0:
            raise TypeError(f"{op}(): argument '{arg}' must be Number, not Tensor")
        return x.item()
    if isinstance(x, np.generic) and not isinstance(x, np.ndarray):
        return x.item()
    if isinstance(x, numbers.Number):
        return x
    raise TypeError(f"{op}(): argument '{arg}' must be Number, not {type(x).__name__}")


def _overflow(value, dtype):
    return RuntimeError(f"value cannot be converted to type {C_TYPE_NAME[dtype]} without "
                        f"overflow (value {value})")


def checked_value(value, dtype, check_16bit=True):
    """``value`` as a 0-d array of ``dtype``, refusing values that overflow it as torch does.

    NOTE: like torch, an unsigned type accepts negative *integers* down to -max (they wrap:
    -1 -> 255 for uint8) but no negative floats, and floats beyond a float type's finite
    range are refused even when they would round to its max (65519.0 for float16).
    """
    if isinstance(value, int) and not -(1 << 63) <= value < (1 << 64):
        raise OverflowError(f"int too big to convert ({value})")
    if dtype.category == D.COMPLEX:
        return np.asarray(value, dtype=dtype.np)
    if isinstance(value, complex):
        raise RuntimeError(f"value cannot be converted to type {C_TYPE_NAME[dtype]} without "
                           f"overflow (complex value {value} for dtype {dtype})")
    if dtype is D.bool or isinstance(value, (bool, np.bool_)):
        return U.scalar_to_array(value, dtype.np)
    if dtype.category == D.INT:
        info = np.iinfo(dtype.np)
        if isinstance(value, float):
            # Floats must lie in the type's range (nan, inf and -0.5 -> uint8 are refused).
            if not (info.min <= value <= info.max):
                raise _overflow(value, dtype)
            return U.scalar_to_array(int(value), dtype.np)  # C++ casts truncate toward zero
        if value > info.max or value < (info.min if info.min < 0 else -info.max):
            raise _overflow(value, dtype)
        return U.scalar_to_array(value, dtype.np)
    if dtype.category == D.FLOAT:
        big = FLOAT_MAX[dtype]
        if isinstance(value, int):
            value = float(value)
        if math.isfinite(value) and builtins.abs(value) > big and (
                check_16bit or dtype.itemsize > 2):
            raise _overflow(value, dtype)
    return U.scalar_to_array(value, dtype.np)


def _out_dtype(dtype, out, op):
    """The dtype a factory with ``out=`` produces; torch refuses a dtype that differs."""
    if out is None:
        return dtype
    U.check_tensor(out, op, "out")
    if dtype is not None and dtype is not out.dtype:
        raise RuntimeError(f"{op}(): dtype {TYPE_NAME[dtype]} does not match dtype of out "
                           f"parameter ({TYPE_NAME[out.dtype]})")
    return out.dtype


def write_factory_out(out, shape, make_array, op):
    """Fill ``out`` (resized to ``shape``) with ``make_array(xp)``; meta outs only resize."""
    dev = out._device
    if dev is META:
        out._data = meta_array(shape, out._data.dtype)
        out._bump_version()
        return out
    return U.write_out(out, _wrap(_make_on(dev, make_array), dev), op)


def _make_on(device, make_array):
    """``make_array(xp)`` with the namespace of ``device`` (cpu or cuda), made there."""
    if device is CPU:
        return make_array(np)
    xp = xp_for(device)
    with xp.cuda.Device(device.index):
        return make_array(xp)


def _factory(op, shape, dtype, device, requires_grad, out, make_array):
    """Common tail of the factories: ``make_array(xp)`` is only called when data is needed,
    with the array namespace of the target device."""
    if out is not None:
        return write_factory_out(out, shape, make_array, op)
    device = as_device(device)
    if device is META:
        return _finish(meta_array(shape, dtype.np), META, requires_grad, op)
    arr = make_array(np) if device is CPU else _make_on(device, make_array)
    return _finish(arr, device, requires_grad, op)


def _fill_scalar(fill):
    """A fill value (a 0-d NumPy array from checked_value) as a NumPy scalar of its dtype:
    CuPy takes scalars, never host arrays."""
    return fill[()] if isinstance(fill, np.ndarray) else fill


# ----------------------------------------------------------------------------------
# zeros / ones / empty / full
# ----------------------------------------------------------------------------------

def _default(dtype):
    return D.get_default_dtype() if dtype is None else dtype


def _filled(op, np_fn, args, size, dtype, device, requires_grad, out):
    _check_dtype(dtype, op)
    shape = size_from_args(args, size, op)
    dt = _default(_out_dtype(dtype, out, op))
    return _factory(op, shape, dt, device, requires_grad, out,
                    lambda xp: np_fn(shape, dtype=dt.np) if xp is np
                    else getattr(xp, np_fn.__name__)(shape, dtype=dt.np))


def zeros(*args, size=None, out=None, dtype=None, layout=None, device=None,
          requires_grad=False, pin_memory=False):
    """A tensor of zeros of the given size (ints, or one tuple/list/Size).

    >>> ember.zeros(2, 3).shape
    torch.Size([2, 3])
    """
    return _filled("zeros", np.zeros, args, size, dtype, device, requires_grad, out)


def ones(*args, size=None, out=None, dtype=None, layout=None, device=None,
         requires_grad=False, pin_memory=False):
    """A tensor of ones.

    >>> ember.ones((2,), dtype=ember.int64)
    tensor([1, 1])
    """
    return _filled("ones", np.ones, args, size, dtype, device, requires_grad, out)


def empty(*args, size=None, out=None, dtype=None, layout=None, device=None,
          requires_grad=False, pin_memory=False, memory_format=None):
    """An uninitialised tensor (its values are whatever the memory held).

    >>> ember.empty(2, 3).shape
    torch.Size([2, 3])
    """
    return _filled("empty", np.empty, args, size, dtype, device, requires_grad, out)


def _fill_dtype(fill_value):
    """torch's dtype for ``full`` without dtype=: bool -> bool, int -> int64, float -> default.

    NOTE: a tensor or NumPy scalar counts by its kind only (a float64 0-dim tensor gives
    the default float dtype), and torch treats a NumPy bool as a float.
    """
    if isinstance(fill_value, np.bool_):
        return D.get_default_dtype()
    if isinstance(fill_value, Tensor):
        category = fill_value.dtype.category
    else:
        category = D._scalar_category(fill_value)
    return (D.bool, D.int64, D.get_default_dtype(), D.default_complex_dtype())[category]


def full(size, fill_value, *, out=None, dtype=None, layout=None, device=None,
         requires_grad=False, pin_memory=False):
    """A tensor of ``size`` filled with ``fill_value``; the dtype follows the value.

    >>> ember.full((2,), 7)
    tensor([7, 7])
    """
    _check_dtype(dtype, "full")
    if not isinstance(size, (tuple, list)):
        raise TypeError(f"full(): argument 'size' must be tuple of ints, not "
                        f"{type(size).__name__}")
    shape = parse_size((size,), "full")
    value = _check_number(fill_value, "full", "fill_value")
    dt = _out_dtype(dtype, out, "full") or _fill_dtype(fill_value)
    fill = checked_value(value, dt)
    return _factory("full", shape, dt, device, requires_grad, out,
                    lambda xp: xp.full(shape, fill if xp is np else _fill_scalar(fill),
                                       dtype=dt.np))


def _like(op, input, dtype, device, requires_grad, memory_format, fill):
    """A new tensor shaped like ``input``, filled with ``fill`` (None: uninitialised)."""
    U.check_tensor(input, op)
    _check_dtype(dtype, op)
    dt = dtype or input.dtype
    device = input.device if device is None else as_device(device)
    shape = input._data.shape
    if device is META:
        return _finish(meta_array(shape, dt.np), META, requires_grad, op)
    src = input._data
    # NOTE: torch's preserve_format keeps the exact strides of a dense input (a transposed
    # input gives a transposed result) and makes anything else (expanded, sliced with
    # steps) contiguous.
    strided = (input._device is not META and _is_dense(src) and not _canonical(src)
               and getattr(memory_format, "name", None) != "contiguous_format")

    def make(xp):
        value = fill if xp is np else _fill_scalar(fill)
        if strided:
            arr = _empty_strided_like(xp, src, dt.np)
            if fill is not None:
                arr.fill(value)
            return arr
        if fill is None:
            return xp.empty(shape, dtype=dt.np)
        if fill == 0 and not isinstance(fill, np.ndarray):
            return xp.zeros(shape, dtype=dt.np)
        return xp.full(shape, value, dtype=dt.np)
    arr = make(np) if device is CPU else _make_on(device, make)
    return _finish(arr, device, requires_grad, op)


def _canonical(arr):
    """True when ``arr`` has the strides of a new contiguous array (size-1 dims included)."""
    expected = arr.itemsize
    for size, stride in zip(reversed(arr.shape), reversed(arr.strides)):
        if stride != expected:
            return False
        expected *= builtins.max(size, 1)
    return True


def _is_dense(arr):
    """True when ``arr`` is a permutation of a contiguous block (no gaps, no overlap)."""
    if arr.flags.c_contiguous:
        return True
    dims = sorted((stride, size) for size, stride in zip(arr.shape, arr.strides) if size != 1)
    expected = arr.itemsize
    for stride, size in dims:
        if stride != expected:
            return False
        expected *= size
    return True


def _empty_strided_like(xp, arr, np_dtype):
    """An empty array of ``np_dtype`` (in namespace ``xp``) with ``arr``'s strides counted
    in elements."""
    itemsize = np.dtype(np_dtype).itemsize
    strides = tuple(st // arr.itemsize * itemsize for st in arr.strides)
    return as_strided(xp.empty(arr.size, dtype=np_dtype), arr.shape, strides)


def zeros_like(input, *, dtype=None, layout=None, device=None, requires_grad=False,
               memory_format=None):
    """Zeros with the shape (and by default dtype and device) of ``input``.

    >>> ember.zeros_like(ember.ones(2, dtype=ember.int64))
    tensor([0, 0])
    """
    return _like("zeros_like", input, dtype, device, requires_grad, memory_format, 0)


def ones_like(input, *, dtype=None, layout=None, device=None, requires_grad=False,
              memory_format=None):
    """Ones with the shape of ``input``.

    >>> ember.ones_like(ember.zeros(2))
    tensor([1., 1.])
    """
    return _like("ones_like", input, dtype, device, requires_grad, memory_format, 1)


def empty_like(input, *, dtype=None, layout=None, device=None, requires_grad=False,
               memory_format=None):
    """An uninitialised tensor with the shape of ``input``."""
    return _like("empty_like", input, dtype, device, requires_grad, memory_format, None)


def full_like(input, fill_value, *, dtype=None, layout=None, device=None, requires_grad=False,
              memory_format=None):
    """``input``'s shape filled with ``fill_value``, in ``input``'s dtype unless given.

    >>> ember.full_like(ember.zeros(2, dtype=ember.int64), 2.7)
    tensor([2, 2])
    """
    U.check_tensor(input, "full_like")
    _check_dtype(dtype, "full_like")
    value = _check_number(fill_value, "full_like", "fill_value")
    fill = checked_value(value, dtype or input.dtype)
    return _like("full_like", input, dtype, device, requires_grad, memory_format, fill)


def empty_strided(size, stride, *, dtype=None, layout=None, device=None, requires_grad=False,
                  pin_memory=False):
    """An uninitialised tensor with the given strides (in elements).

    >>> ember.empty_strided((2, 3), (1, 2)).stride()
    (1, 2)
    """
    _check_dtype(dtype, "empty_strided")
    shape = parse_size((size,), "empty_strided")
    strides = tuple(_check_int(s, "empty_strided", "stride") for s in stride)
    if len(strides) != len(shape):
        raise RuntimeError(f"empty_strided(): dimensionality of sizes ({len(shape)}) must match "
                           f"dimensionality of strides ({len(strides)})")
    if builtins.any(s < 0 for s in strides):
        raise RuntimeError(f"empty_strided(): strides must be non-negative, got {list(strides)} "
                           f"for sizes {list(shape)}")
    dt = _default(dtype)

    def make(xp):
        n = 0 if 0 in shape else 1 + builtins.sum((n_ - 1) * s for n_, s in zip(shape, strides))
        buf = xp.empty(n, dtype=dt.np)
        item = buf.itemsize
        return as_strided(buf, shape, tuple(s * item for s in strides))
    return _factory("empty_strided", shape, dt, device, requires_grad, None, make)


def scalar_tensor(s, *, dtype=None, layout=None, device=None, requires_grad=False,
                  pin_memory=False):
    """A 0-dim tensor holding ``s``, of the default float dtype unless dtype= is given.

    >>> ember.scalar_tensor(3)
    tensor(3.)
    """
    _check_dtype(dtype, "scalar_tensor")
    if isinstance(s, Tensor) and s._data.ndim == 0:
        value = s.item()
    else:
        value = _check_number(s, "scalar_tensor", "s")
    dt = _default(dtype)
    # NOTE: torch's scalar_tensor lets float16/bfloat16 overflow to inf (full refuses).
    arr = checked_value(value, dt, check_16bit=False)
    return _factory("scalar_tensor", (), dt, device, requires_grad, None,
                    lambda xp: np.array(arr, dtype=dt.np) if xp is np
                    else xp.full((), _fill_scalar(arr), dtype=dt.np))


# ----------------------------------------------------------------------------------
# new_* methods (inherit dtype and device from self)
# ----------------------------------------------------------------------------------

def _new_kw(self, dtype, device):
    return (dtype or self.dtype), (self.device if device is None else device)


def new_zeros(self, *args, size=None, dtype=None, device=None, requires_grad=False,
              layout=None, pin_memory=False):
    """Zeros of the given size with ``self``'s dtype and device."""
    dtype, device = _new_kw(self, dtype, device)
    return zeros(*args, size=size, dtype=dtype, device=device, requires_grad=requires_grad)


def new_ones(self, *args, size=None, dtype=None, device=None, requires_grad=False,
             layout=None, pin_memory=False):
    """Ones of the given size with ``self``'s dtype and device."""
    dtype, device = _new_kw(self, dtype, device)
    return ones(*args, size=size, dtype=dtype, device=device, requires_grad=requires_grad)


def new_empty(self, *args, size=None, dtype=None, device=None, requires_grad=False,
              layout=None, pin_memory=False):
    """An uninitialised tensor with ``self``'s dtype and device."""
    dtype, device = _new_kw(self, dtype, device)
    return empty(*args, size=size, dtype=dtype, device=device, requires_grad=requires_grad)


def new_empty_strided(self, size, stride, *, dtype=None, device=None, requires_grad=False,
                      layout=None, pin_memory=False):
    """``empty_strided`` with ``self``'s dtype and device."""
    dtype, device = _new_kw(self, dtype, device)
    return empty_strided(size, stride, dtype=dtype, device=device, requires_grad=requires_grad)


def new_full(self, size, fill_value, *, dtype=None, device=None, requires_grad=False,
             layout=None, pin_memory=False):
    """``size`` filled with ``fill_value``, in ``self``'s dtype (not the value's)."""
    dtype, device = _new_kw(self, dtype, device)
    return full(size, fill_value, dtype=dtype, device=device, requires_grad=requires_grad)


def new_tensor(self, data, *, dtype=None, device=None, requires_grad=False, layout=None,
               pin_memory=False):
    """A copy of ``data`` with ``self``'s dtype and device."""
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
# ranges: arange, linspace, logspace
# ----------------------------------------------------------------------------------

def _range_number(x, op, arg):
    value = _check_number(x, op, arg)
    if isinstance(value, complex):
        raise RuntimeError(f"{op}(): complex bounds are not supported yet (got {arg}={value})")
    return int(value) if isinstance(value, bool) else value


def _arange_size(start, end, step, dt):
    """Number of elements, computed as torch does (int64 in integers, others in double)."""
    if dt is D.int64:
        # NOTE: for int64 torch truncates start/end/step first and counts in integers,
        # so arange(0, 2.5, 0.5, dtype=int64) fails (step 0) where int32 gives 5 zeros.
        xstart, xend, xstep = int(start), int(end), int(step)
        if xstep == 0:
            raise ValueError("arange(): step must be nonzero (it truncates to 0 in int64)")
        sign = 1 if xstep > 0 else -1
        diff = xend - xstart + xstep - sign
        return builtins.max(0, builtins.abs(diff) // builtins.abs(xstep)
                            * (1 if (diff >= 0) == (xstep > 0) else -1))
    return builtins.max(0, math.ceil((float(end) - float(start)) / float(step)))


def arange(start=0, end=None, step=1, *, out=None, dtype=None, layout=None, device=None,
           requires_grad=False, pin_memory=False):
    """Values from start (inclusive) to end (exclusive) by step; int64 unless a float appears.

    >>> ember.arange(5)
    tensor([0, 1, 2, 3, 4])
    >>> ember.arange(1, 2, 0.25)
    tensor([1.0000, 1.2500, 1.5000, 1.7500])
    """
    _check_dtype(dtype, "arange")
    if end is None:
        start, end = 0, start
    infer_float = builtins.any(_is_float_arg(x) for x in (start, end, step))
    start = _range_number(start, "arange", "start")
    end = _range_number(end, "arange", "end")
    step = _range_number(step, "arange", "step")
    dt = _out_dtype(dtype, out, "arange") or (
        D.get_default_dtype() if infer_float else D.int64)
    if dt is D.bool:
        raise not_implemented("arange_cpu", dt)
    if not (step > 0 or step < 0):
        raise RuntimeError("arange(): step must be nonzero")
    if not (math.isfinite(start) and math.isfinite(end)):
        raise RuntimeError(f"arange(): unsupported range: {start} -> {end}")
    if (step > 0 and start > end) or (step < 0 and start < end):
        raise RuntimeError(f"arange(): upper bound and lower bound inconsistent with step sign "
                           f"(start={start}, end={end}, step={step})")
    n = _arange_size(start, end, step, dt)
    if n > (1 << 48):
        raise RuntimeError(f"arange(): the range {start} -> {end} by {step} has {n} elements, "
                           "too many to allocate")

    def make(xp):
        if dt.category == D.INT:
            # NOTE: integer ranges step in int64 from the truncated start/step, then wrap into
            # narrower types (arange(0, 300, dtype=uint8) ends ..., 255, 0, 1, ...).
            idx = xp.arange(n, dtype=np.int64)
            return (np.int64(int(start)) + np.int64(int(step)) * idx).astype(dt.np)
        if xp is np:
            return _arange_float(start, step, n, dt)
        return _arange_float_device(xp, start, step, n, dt)
    return _factory("arange", (n,), dt, device, requires_grad, out, make)


def _fused(a, b, c, acc):
    """a * b + c rounded once to ``acc`` (a fused multiply-add; long double keeps the product)."""
    return (np.longdouble(1) * a * b + c).astype(acc)


def _arange_float(start, step, n, dt):
    """Float ranges with torch's rounding.

    NOTE: torch fills float ranges a vector at a time: each vector of L lanes starts at
    start + step * i0 rounded to the dtype, and lane j holds base + j * step, both as
    fused multiply-adds in the accumulate type (double for float32/float64, float for
    16-bit floats); the tail after the last pair of vectors is start + step * i.  Doing
    the same gives torch's values (within 1 ulp where long double is not wider than double,
    or where torch splits a long range between threads).
    """
    lanes = {D.float64: 4, D.float32: 8}.get(dt, 16)
    acc = np.float64 if dt in (D.float32, D.float64) else np.float32
    start, step = acc(start), acc(step)
    idx = np.arange(n)
    lane = idx % lanes
    base = _fused(idx - lane, step, start, acc).astype(dt.np).astype(acc)
    if dt is D.bfloat16:   # NOTE: torch's bfloat16 lanes multiply and add separately
        values = (lane.astype(acc) * step).astype(acc) + base
    else:
        values = _fused(lane, step, base, acc)
    vectorized = n - n % (2 * lanes)
    if vectorized < n:
        values[vectorized:] = _fused(idx[vectorized:], step, start, acc)
    return values.astype(dt.np)


def _opmath(dt):
    """The type a float kernel computes in on cuda: float for 16-bit floats, else itself."""
    return np.float32 if dt.itemsize == 2 else dt.np.type


def _arange_float_device(xp, start, step, n, dt):
    """Float ranges on the device, as torch's cuda kernel: start + step * i, computed
    in the dtype's opmath type."""
    acc = _opmath(dt)
    return (acc(start) + acc(step) * xp.arange(n, dtype=acc)).astype(dt.np)


def _is_float_arg(x):
    if isinstance(x, Tensor):
        return x.dtype.category >= D.FLOAT
    return isinstance(x, (float, np.floating))


def _space_args(op, start, end, steps):
    for value, arg in ((start, "start"), (end, "end")):
        if isinstance(value, Tensor) and value._data.ndim != 0:
            raise RuntimeError(f"{op}() only supports 0-dimensional start and end tensors, but "
                               f"got {arg} with {value._data.ndim} dimension(s).")
    start = _range_number(start, op, "start")
    end = _range_number(end, op, "end")
    steps = _check_int(steps, op, "steps")
    if steps < 0:
        raise RuntimeError(f"{op}(): number of steps must be non-negative (got {steps})")
    return start, end, steps


def _space_values(start, end, steps, dt):
    """torch's linspace values (before the cast to ``dt``), rounding as its kernel does.

    The first half counts up from start (start + step * i), the rest down from end
    (end - step * (steps - 1 - i)), each a fused multiply-add in the step's type: double
    for integer results, the type itself for float32/float64.
    """
    # NOTE: torch fills a single step with start, converting (and range-checking) end only
    # when steps > 1.
    if steps == 0:
        return np.zeros(0)
    if steps == 1:
        return np.array([checked_value(start, dt)], dtype=np.float64)
    if dt.np.itemsize == 2 and dt.category == D.FLOAT:
        return _space_values_16bit(start, end, steps, dt.np.type)
    compute = dt.np.type if dt.category == D.FLOAT else np.float64
    s = compute(checked_value(start, dt))
    e = compute(checked_value(end, dt))
    step = np.longdouble(compute((e - s) / compute(steps - 1)))
    idx = np.arange(steps)
    halfway = steps // 2
    up = (idx[:halfway] * step + s).astype(compute)
    down = (e - (steps - 1 - idx[halfway:]) * step).astype(compute)
    return np.concatenate([up, down])


def _half_steps(xp, first, last, step, steps, compute):
    """``steps`` values stepping by ``step``: the first half up from ``first``, the rest
    down from ``last`` (torch's linspace/logspace scheme), as ``compute`` on the device."""
    idx = xp.arange(steps, dtype=compute)
    up = first + step * idx
    down = last - step * (compute(steps - 1) - idx)
    return xp.where(idx < compute(steps // 2), up, down)


def _space_values_device(xp, start, end, steps, dt):
    """linspace on the device, as torch's cuda kernel: the type's opmath for floats
    (float for 16-bit ones), double for integer results."""
    if steps <= 1:
        return xp.full((steps,), _fill_scalar(checked_value(start, dt)) if steps else 0,
                       dtype=np.float64 if dt.category < D.FLOAT else dt.np)
    compute = _opmath(dt) if dt.category == D.FLOAT else np.float64
    s = compute(checked_value(start, dt))
    e = compute(checked_value(end, dt))
    return _half_steps(xp, s, e, compute((e - s) / compute(steps - 1)), steps, compute)


def _space_values_16bit(start, end, steps, np_dtype):
    """linspace in float16/bfloat16: every operation is rounded to the 16-bit type.

    NOTE: torch computes these with the type's own operators, which round each product
    and sum (and the index itself) to 16 bits, so ember does the same.
    """
    f32 = np.float32
    s, e = np_dtype(start), np_dtype(end)
    width = np_dtype(f32(e) - f32(s))
    step = f32(np_dtype(f32(width) / f32(np_dtype(steps - 1))))
    idx = np.arange(steps)
    halfway = steps // 2

    def times_step(k):
        return (step * k.astype(np_dtype).astype(f32)).astype(np_dtype).astype(f32)
    up = (f32(s) + times_step(idx[:halfway])).astype(np_dtype)
    down = (f32(e) - times_step(steps - 1 - idx[halfway:])).astype(np_dtype)
    return np.concatenate([up, down])


def linspace(start, end, steps, *, out=None, dtype=None, layout=None, device=None,
             requires_grad=False):
    """``steps`` evenly spaced values from start to end, both included.

    >>> ember.linspace(0, 1, 5)
    tensor([0.0000, 0.2500, 0.5000, 0.7500, 1.0000])
    """
    _check_dtype(dtype, "linspace")
    start, end, steps = _space_args("linspace", start, end, steps)
    dt = _default(_out_dtype(dtype, out, "linspace"))
    if dt is D.bool and steps > 1:
        raise not_implemented("linspace_cpu", dt)
    def make(xp):
        if xp is np:
            return _space_values(start, end, steps, dt).astype(dt.np)
        return _space_values_device(xp, start, end, steps, dt).astype(dt.np)
    return _factory("linspace", (steps,), dt, device, requires_grad, out, make)


def logspace(start, end, steps, base=10.0, *, out=None, dtype=None, layout=None, device=None,
             requires_grad=False):
    """``base ** linspace(start, end, steps)``.

    >>> ember.logspace(0, 3, 4)
    tensor([   1.,   10.,  100., 1000.])
    """
    _check_dtype(dtype, "logspace")
    start, end, steps = _space_args("logspace", start, end, steps)
    base = float(_range_number(base, "logspace", "base"))
    dt = _default(_out_dtype(dtype, out, "logspace"))
    if dt is D.bool and steps > 1:
        raise not_implemented("logspace_cpu", dt)

    return _factory("logspace", (steps,), dt, device, requires_grad, out,
                    lambda xp: _logspace_values(start, end, steps, base, dt, xp).astype(dt.np))


def _logspace_values(start, end, steps, base, dt, xp=np):
    """torch's logspace: ``base ** exponent`` in double, exponents stepping in double.

    NOTE: only the difference end - start is taken in the result type (so in float32 or
    float16 precision); the step, the exponents and the power are double.
    """
    if steps == 0:
        return xp.zeros(0)
    if steps == 1:  # torch fills the single value, checking that it fits the type
        return xp.full((1,), _fill_scalar(checked_value(float(np.power(base, float(start))),
                                                         dt)))
    s = checked_value(start, dt)
    e = checked_value(end, dt)
    if dt.category == D.FLOAT:
        compute = np.float32 if dt.itemsize == 2 else dt.np.type
        width = float(np.asarray(compute(e) - compute(s)).astype(dt.np))
    else:
        width = float(int(e) - int(s))
    if xp is not np:   # exponents in double on the device (no long double there)
        exps = _half_steps(xp, np.float64(s), np.float64(e), np.float64(width / (steps - 1)),
                           steps, np.float64)
        return xp.power(np.float64(base), exps)
    step = np.longdouble(width / (steps - 1))
    idx = np.arange(steps)
    halfway = steps // 2
    up = (idx[:halfway] * step + float(s)).astype(np.float64)
    down = (float(e) - (steps - 1 - idx[halfway:]) * step).astype(np.float64)
    return np.power(base, np.concatenate([up, down]))


# ----------------------------------------------------------------------------------
# eye, tril_indices / triu_indices, meshgrid
# ----------------------------------------------------------------------------------

def eye(n, m=None, *, out=None, dtype=None, layout=None, device=None, requires_grad=False):
    """A 2-D tensor with ones on the diagonal: ``n`` rows, ``m`` (default n) columns.

    >>> ember.eye(2, 3)
    tensor([[1., 0., 0.],
            [0., 1., 0.]])
    """
    _check_dtype(dtype, "eye")
    n = _check_int(n, "eye", "n")
    m = n if m is None else _check_int(m, "eye", "m")
    if n < 0:
        raise RuntimeError(f"eye(): n must be greater or equal to 0, got {n}")
    if m < 0:
        raise RuntimeError(f"eye(): m must be greater or equal to 0, got {m}")
    dt = _default(_out_dtype(dtype, out, "eye"))
    return _factory("eye", (n, m), dt, device, requires_grad, out,
                    lambda xp: xp.eye(n, m, dtype=dt.np))


def _tri_indices(op, np_fn, row, col, offset, dtype, device):
    row = _check_int(row, op, "row")
    col = _check_int(col, op, "col")
    offset = _check_int(offset, op, "offset")
    _check_dtype(dtype, op)
    if row < 0:
        raise RuntimeError(f"{op}(): row must be non-negative, got {row}")
    if col < 0:
        raise RuntimeError(f"{op}(): col must be non-negative, got {col}")
    if dtype not in (D.int32, D.int64):
        raise not_implemented(op, dtype)
    def make(xp):
        rows, cols = getattr(xp, np_fn.__name__)(row, offset, col)
        # NumPy lists the indices in row-major order, as torch does.
        return xp.stack([rows, cols]).astype(dtype.np).reshape(2, -1)
    if as_device(device) is META:
        size = int(np_fn(row, offset, col)[0].size)
        return _factory(op, (2, size), dtype, device, False, None, make)
    return _factory(op, None, dtype, device, False, None, make)


def tril_indices(row, col, offset=0, *, dtype=D.int64, device=None, layout=None):
    """Indices (2 x N) of the lower triangle of a row x col matrix, diagonal ``offset``.

    >>> ember.tril_indices(2, 2)
    tensor([[0, 1, 1],
            [0, 0, 1]])
    """
    return _tri_indices("tril_indices", np.tril_indices, row, col, offset, dtype, device)


def triu_indices(row, col, offset=0, *, dtype=D.int64, device=None, layout=None):
    """Indices (2 x N) of the upper triangle of a row x col matrix, diagonal ``offset``.

    >>> ember.triu_indices(2, 2)
    tensor([[0, 0, 1],
            [0, 1, 1]])
    """
    return _tri_indices("triu_indices", np.triu_indices, row, col, offset, dtype, device)


_MESHGRID_WARNED = [False]


def meshgrid(*tensors, indexing=None):
    """Coordinate grids from 1-D tensors; ``indexing='ij'`` (matrix) or ``'xy'`` (Cartesian).

    The results are expanded views of the inputs, as in torch.

    >>> xs, ys = ember.meshgrid(ember.arange(3), ember.arange(2), indexing='xy')
    >>> xs.shape
    torch.Size([2, 3])
    """
    from .shape import expand, reshape
    if len(tensors) == 1 and isinstance(tensors[0], (list, tuple)):
        tensors = tuple(tensors[0])
    if not tensors:
        raise RuntimeError("meshgrid expects a non-empty TensorList")
    for i, t in enumerate(tensors):
        if not isinstance(t, Tensor):
            raise TypeError(f"meshgrid(): expected Tensor as element {i} in argument 0, but "
                            f"got {type(t).__name__}")
    if indexing is None:
        # NOTE: torch warns once per process (TORCH_WARN_ONCE), then uses 'ij'.
        if not _MESHGRID_WARNED[0]:
            _MESHGRID_WARNED[0] = True
            import warnings
            warnings.warn("torch.meshgrid: in an upcoming release, it will be required to pass "
                          "the indexing argument.", UserWarning, stacklevel=2)
        indexing = "ij"
    if indexing not in ("ij", "xy"):
        raise RuntimeError(f'torch.meshgrid: indexing must be one of "xy" or "ij", but '
                           f"received: {indexing}")
    first = tensors[0]
    for t in tensors:
        if t._data.ndim > 1:
            raise RuntimeError(f"torch.meshgrid: Expected 0D or 1D tensor in the tensor list "
                               f"but got a tensor of shape {list(t.shape)}")
        if t.dtype is not first.dtype:
            raise RuntimeError(f"meshgrid expects all tensors to have the same dtype (got "
                               f"{first.dtype} and {t.dtype})")
        if t._device is not first._device:
            raise RuntimeError(f"meshgrid expects all tensors to have the same device (got "
                               f"{first._device} and {t._device})")
    sizes = [t._data.size for t in tensors]
    # 'xy' swaps the roles of the first two inputs: the grid is (len(y), len(x), ...).
    axes = list(range(len(tensors)))
    if indexing == "xy" and len(tensors) >= 2:
        axes[0], axes[1] = 1, 0
    grid = [0] * len(tensors)
    for i, axis in enumerate(axes):
        grid[axis] = sizes[i]
    outputs = []
    for i, t in enumerate(tensors):
        view_shape = [1] * len(tensors)
        view_shape[axes[i]] = sizes[i]
        outputs.append(expand(reshape(t, view_shape), grid))
    return tuple(outputs)


METHODS = {"new_zeros": new_zeros, "new_ones": new_ones, "new_empty": new_empty,
           "new_full": new_full, "new_tensor": new_tensor,
           "new_empty_strided": new_empty_strided}
for _name, _fn in METHODS.items():
    setattr(Tensor, _name, _fn)

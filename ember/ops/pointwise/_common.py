"""What the pointwise files share: wrapping results, out=, torch's error messages,
float16/bfloat16 handling, and the factory of the float unary ops."""
import builtins

import numpy as np

from ... import _dtype as D
from ..._device import CPU, is_device_array, move_array
from ..._tensor import Tensor
from ..._tensor import _wrap as _wrap_array
from .. import _util as U
from .._util import GRAD, record

# NOTE: torch never warns on 1/0, log(0), nan comparisons...; NumPy would.  Ember
# silences NumPy's floating-point warnings once, at import, instead of per op.
np.seterr(all="ignore")

_FROM_NP = D._FROM_NP
_F32 = np.dtype(np.float32)
_LOW = (np.dtype(np.float16), D.bfloat16.np)
_LOW_SET = frozenset(_LOW)  # a hash lookup: cheaper than the tuple's == on hot paths
_BOOL = np.dtype(np.bool_)

# torch's names for dtypes in "not implemented for 'Float'" messages
_KERNEL_NAMES = {
    "bool": "Bool", "uint8": "Byte", "int8": "Char", "int16": "Short", "int32": "Int",
    "int64": "Long", "float16": "Half", "bfloat16": "BFloat16", "float32": "Float",
    "float64": "Double", "complex64": "ComplexFloat", "complex128": "ComplexDouble",
}


def _wrap(arr, device=CPU):
    # NumPy ufuncs return scalars for 0-d inputs; a tensor always holds an ndarray
    # (the core's _wrap makes one, or a device array for cuda).
    return _wrap_array(arr, device)


def _finish(res, out, op):
    if out is not None:
        return U.write_out(out, res, op)
    return res


def _finish_exact(res, out, op):
    """out= for the ops whose out tensor must have exactly the result's dtype in torch."""
    if out is not None:
        if isinstance(out, Tensor) and out._data.dtype != res._data.dtype:
            raise RuntimeError(f"{op}(): Found dtype {out.dtype} for out= but expected "
                               f"{res.dtype}")
        return U.write_out(out, res, op)
    return res


def _not_implemented(op, np_dtype):
    name = _KERNEL_NAMES.get(str(np.dtype(np_dtype)), str(np_dtype))
    return NotImplementedError(f'"{op}" not implemented for \'{name}\'')


def _is_complex_operand(x):
    """Whether an array operand (or a number left as a Python float) is complex."""
    return getattr(x, "dtype", _BOOL).kind == "c"


def _refuse_complex(op, *arrays, kernel=None):
    """torch's NotImplementedError for ops without complex kernels (NumPy would either
    compute something torch refuses, or fail with its own TypeError)."""
    for arr in arrays:
        if _is_complex_operand(arr):
            if kernel is None:
                raise NotImplementedError(f"{op} is not supported for complex inputs "
                                          f"(got {_FROM_NP[arr.dtype]})")
            raise _not_implemented(kernel, arr.dtype)


def _cc(t):
    """``t.conj()`` for a complex tensor, else ``t`` itself (backward formulas of
    holomorphic functions multiply by the conjugate derivative, torch's convention)."""
    if t._data.dtype.kind == "c":
        from ..complexops import conj_physical
        return conj_physical(t)
    return t


def _cc_number(x):
    """The conjugate of a Python number used as a constant in a backward formula."""
    return x.conjugate() if isinstance(x, (complex, np.complexfloating)) else x


def _real_only(kernel_name, kernel):
    """``kernel`` refusing complex arrays with torch's NotImplementedError."""
    def run(arr):
        if arr.dtype.kind == "c":
            raise _not_implemented(kernel_name, arr.dtype)
        return kernel(arr)
    run.__name__ = getattr(kernel, "__name__", "kernel")
    return run


def _in_float32(kernel):
    """``kernel`` run in float32 for float16/bfloat16 arrays, rounded once at the end."""
    def run(arr):
        if arr.dtype in _LOW:
            return kernel(arr.astype(_F32)).astype(arr.dtype)
        return kernel(arr)
    run.__name__ = getattr(kernel, "__name__", "kernel")
    return run


def _round_to(value, dtype, like):
    """A Python number rounded to ``dtype`` and held in float32 (how torch passes alpha
    and some scalars to its float16/bfloat16 kernels); torch's RuntimeError when a
    finite number overflows the dtype.  A number for the array ``like`` (see _typed)."""
    with np.errstate(all="ignore"):
        r = np.asarray(value, _F32).astype(dtype)
    if np.isinf(r) and np.isfinite(float(value)):
        raise RuntimeError(f"value cannot be converted to type {_FROM_NP[dtype].name} "
                           "without overflow")
    r = r.astype(_F32)
    return r if type(like) is np.ndarray or not is_device_array(like) else r[()]


def _is_float_array(arr):
    return arr.dtype.kind == "f" or arr.dtype in _LOW


def _require_tensor(x, op, arg, position):
    if not isinstance(x, Tensor):
        raise TypeError(f"{op}(): argument '{arg}' (position {position}) must be Tensor, not "
                        f"{type(x).__name__}")


def _require_number(x, op, arg):
    if not U._is_number(x):
        raise TypeError(f"{op}(): argument '{arg}' must be Number or Tensor, not "
                        f"{type(x).__name__}")
    return x.item() if isinstance(x, np.generic) else x


def _check_int_scalar_fits(op, value, np_dtype):
    # NOTE: torch refuses a Python int that does not fit an integer result dtype here
    # (clamp, pow), while add/mul/comparisons wrap it around silently.
    if np_dtype.kind in "iu" and type(value) is builtins.int:
        info = np.iinfo(np_dtype)
        # unsigned types accept negatives down to -max (they wrap), as torch's check does
        low = -info.max if np_dtype.kind == "u" else info.min
        if value < low or value > info.max:
            raise RuntimeError(f"{op}: value {value} cannot be converted to type "
                               f"{_FROM_NP[np_dtype].name} without overflow")


def _broadcast(op, *arrays):
    """The broadcast shape of ``arrays`` (scalars allowed), or torch's RuntimeError."""
    try:
        return np.broadcast_shapes(*(np.shape(a) for a in arrays))
    except ValueError:
        shapes = ", ".join(str(list(np.shape(a))) for a in arrays)
        raise RuntimeError(f"{op}: the shapes of the inputs ({shapes}) are not broadcastable: "
                           "the size of each dimension must match or be 1") from None


def _apply_binary(op, np_fn, a, b):
    try:
        return np_fn(a, b)
    except ValueError:
        raise U.broadcast_error(op, a, b) from None


def _zeros_like_grad(grad):
    return _wrap(np.zeros_like(grad._data), grad._device)


def _float_unary(name, kernel, node_cls, saves, doc):
    """An op ``name(input, *, out=None)`` computing ``kernel`` on a float array; its
    node saves the input or, with ``saves == "result"``, the result."""
    save_result = saves == "result"

    def op(input, *, out=None):
        U.check_tensor(input, name)
        res = _wrap(kernel(U.as_float_array(input)), input._device)
        if GRAD.enabled and input._rg:
            record(node_cls, res, (input,), (res,) if save_result else (input,))
        if out is not None:
            return U.write_out(out, res, name)
        return res
    op.__name__ = op.__qualname__ = name
    op.__doc__ = doc.rstrip() + "\n\n    Integer and bool inputs give the default float dtype."
    return op


# -- typed numbers for host and device arrays ----------------------------------------
# NumPy's ufuncs take a typed 0-d array faster than a NumPy scalar (~1.5 us less per
# call), but CuPy refuses NumPy arrays next to its own and takes NumPy scalars, which
# NumPy 2 promotes exactly like 0-d arrays (no weak-scalar rules apply to either).

def _typed(value, np_dtype, like):
    """``value`` as a number of ``np_dtype`` to combine with the array ``like``: a 0-d
    array on the host, a NumPy scalar for a device array; integers wrap like torch's
    casts."""
    if type(like) is np.ndarray or not is_device_array(like):
        return U.scalar_to_array(value, np_dtype)
    np_dtype = np.dtype(np_dtype)
    try:
        return np_dtype.type(value)
    except OverflowError:
        return np.asarray(value).astype(np_dtype)[()]


def _astype(x, np_dtype, like):
    """An array (or NumPy number) cast to ``np_dtype``; a Python number becomes a typed
    number for ``like`` (see _typed)."""
    if hasattr(x, "astype"):
        if isinstance(x, np.generic) and type(like) is np.ndarray:
            return np.asarray(x, np_dtype)
        return x.astype(np_dtype)
    return _typed(x, np_dtype, like)


def _array_operand(a, b):
    """Which of a binary op's operands is an array (the other may be a number)."""
    return a if hasattr(a, "ndim") and not isinstance(a, np.generic) else b


def _dtype_of(a, b):
    """The dtype of a binary op's promoted operands (``a`` may be a weak Python float)."""
    return b.dtype if type(a) is builtins.float else a.dtype


def _on_device(arrays, dev):
    """``arrays`` with the host ones (0-dim cpu tensors, which torch lets join an op on
    another device) copied to ``dev`` when that is a cuda device; None entries kept."""
    if dev.type != "cuda":
        return arrays
    return [move_array(a, dev) if type(a) is np.ndarray else a for a in arrays]

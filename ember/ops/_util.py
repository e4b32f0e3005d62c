"""Shared machinery for ops: argument preparation, promotion, graph recording.

An op is a plain function: it unwraps its inputs to arrays (``_data``), computes the
result with the array namespace, wraps it, and -- only when grad mode is on and an
input requires grad -- records a graph node whose ``backward`` is written in ember
ops.  This module keeps that path short.
"""
import builtins
import numbers

import numpy as np

from .. import _dtype as D
from .._device import CPU, META, xp_of
from .._tensor import Tensor, _wrap, _wrap_dim
from ..autograd import grad_mode

GRAD = grad_mode.STATE
FLOAT, INT, BOOL = D.FLOAT, D.INT, D.BOOL
_FROM_NP = D._FROM_NP

__all__ = ["GRAD", "Tensor", "wrap", "prep_binary", "record", "as_float_array",
           "sum_to_shape", "wrap_dim", "check_tensor", "type_name", "scalar_to_array"]

wrap = _wrap
wrap_dim = _wrap_dim


def type_name(x):
    if isinstance(x, Tensor):
        return f"Tensor(shape={list(x.shape)}, dtype={x.dtype}, device={x.device})"
    return type(x).__name__


def check_tensor(x, op, arg="input"):
    if not isinstance(x, Tensor):
        raise TypeError(f"{op}(): argument '{arg}' must be Tensor, not {type(x).__name__}")


def record(node_cls, out, inputs, saved=None):
    """Attach a new ``node_cls`` node as ``out``'s grad_fn, with edges to ``inputs``."""
    node = node_cls()
    node.connect(inputs)
    out._grad_fn = node
    out._rg = True
    if saved is not None:
        node.save(*saved)   # after out got its grad_fn: a saved output makes no cycle
    return node


def needs_grad(*tensors):
    if not GRAD.enabled:
        return False
    for t in tensors:
        if getattr(t, "_rg", False):
            return True
    return False


def _device_error(op, a, b):
    return RuntimeError(
        f"{op}: Expected all tensors to be on the same device, but found at least two devices, "
        f"{a} and {b}!")


def common_device(op, tensors):
    """The device of an op over ``tensors``; 0-dim cpu tensors may join any device, as in torch."""
    dev = None
    for t in tensors:
        if not isinstance(t, Tensor):
            continue
        d = t._device
        if dev is None or dev is d:
            dev = d
            continue
        if d is CPU and t._data.ndim == 0:
            continue
        if dev is CPU and _cpu_scalar_seen(tensors, dev):
            dev = d
            continue
        raise _device_error(op, dev, d)
    return CPU if dev is None else dev


def _cpu_scalar_seen(tensors, dev):
    # True when every cpu tensor so far was 0-dim, so a non-cpu device may take over.
    return all(t._data.ndim == 0 for t in tensors if isinstance(t, Tensor) and t._device is dev)


def scalar_to_array(value, np_dtype):
    """A Python number as a 0-d array of ``np_dtype``, wrapping integers like torch's casts."""
    try:
        return np.asarray(value, dtype=np_dtype)
    except OverflowError:
        return np.asarray(value).astype(np_dtype)


def _is_number(x):
    return isinstance(x, (numbers.Number, np.generic)) and not isinstance(x, np.ndarray)


def prep_binary(op, input, other, float_result=False):
    """Arrays for a binary op, promoted as torch does, and the result device.

    Returns (a, b, device).  ``float_result`` promotes integer/bool results to the
    default float dtype (true division, atan2, ...).
    """
    if isinstance(other, Tensor) and isinstance(input, Tensor):
        a = input._data
        b = other._data
        if a.dtype is b.dtype and input._device is other._device and (
                not float_result or _FROM_NP[a.dtype].category >= FLOAT):
            return a, b, input._device
    return _prep_binary_slow(op, input, other, float_result)


def _prep_binary_slow(op, input, other, float_result):
    if not isinstance(input, Tensor) and not isinstance(other, Tensor):
        raise TypeError(f"{op}(): expected at least one Tensor argument, got "
                        f"{type_name(input)} and {type_name(other)}")
    for x, name in ((input, "input"), (other, "other")):
        if not isinstance(x, Tensor) and not _is_number(x):
            raise TypeError(f"{op}(): argument '{name}' must be Tensor or Number, not "
                            f"{type(x).__name__}")
    device = common_device(op, (input, other))
    result = D.result_type_of(input, other)
    if float_result and result.category < FLOAT:
        result = D.get_default_dtype()
    np_dtype = result.np
    arrays = []
    for x in (input, other):
        if isinstance(x, Tensor):
            arr = x._data
            if arr.dtype != np_dtype:
                arr = arr.astype(np_dtype)
        else:
            if isinstance(x, np.generic):
                x = x.item()
            if result.category == FLOAT and type(x) is builtins.float and result.np.kind == "f":
                arr = x  # a weak Python float keeps the tensor's float dtype in NumPy too
            else:
                arr = scalar_to_array(x, np_dtype)
        if device.type == "cuda" and type(arr) is np.ndarray:
            # a number or a 0-dim cpu tensor in a cuda op: CuPy takes NumPy scalars, not
            # NumPy 0-d arrays
            arr = arr[()]
        arrays.append(arr)
    return arrays[0], arrays[1], device


def as_float_array(input):
    """The input's array, cast to the default float dtype if it is integral or bool."""
    arr = input._data
    if _FROM_NP[arr.dtype].category < FLOAT:
        arr = arr.astype(D.get_default_dtype().np)
    return arr


def sum_to_shape(grad, shape):
    """Sum ``grad`` down to ``shape`` (undoing broadcasting); differentiable."""
    gshape = grad._data.shape
    if gshape == tuple(shape):
        return grad
    lead = len(gshape) - len(shape)
    if lead < 0:
        raise ValueError("cannot sum to a larger shape")
    dims = list(range(lead))
    for i, s in enumerate(shape):
        if s == 1 and gshape[lead + i] != 1:
            dims.append(lead + i)
        elif s != gshape[lead + i] and s != 1:
            raise ValueError(f"shape {list(gshape)} is not broadcastable to {list(shape)}")
    from .reduction import sum as _sum
    if dims:
        grad = _sum(grad, dim=dims, keepdim=True)
    if lead:
        grad = grad.reshape(shape)
    return grad


def float_dtype_error(op, t):
    return RuntimeError(f"{op}: expected a floating point tensor, got {t.dtype} "
                        f"with shape {list(t.shape)}")


def normalize_dims(dim, ndim, op):
    """dim=None | int | sequence -> sorted tuple of non-negative dims (None -> all)."""
    if dim is None:
        return tuple(range(ndim))
    if isinstance(dim, (list, tuple)):
        dims = tuple(_wrap_dim(d, ndim, op) for d in dim)
        if len(set(dims)) != len(dims):
            raise RuntimeError(f"{op}(): dim {dims} appears multiple times in the list of dims")
        return tuple(sorted(dims))
    return (_wrap_dim(dim, ndim, op),)


def inplace_prepare(self, op):
    """Checks before writing into ``self`` in place; returns True when autograd must record."""
    if GRAD.enabled:
        if self._rg and self._grad_fn is None:
            raise RuntimeError(
                f"{op}: a leaf Variable that requires grad is being used in an in-place "
                "operation.")
        return True
    return False


def to_result_dtype(op, arr, self):
    """Cast an op result to ``self``'s dtype for an in-place op, with torch's check."""
    target = self._data.dtype
    if arr.dtype != target:
        src, dst = _FROM_NP[arr.dtype], _FROM_NP[target]
        if not D.can_cast(src, dst):
            raise RuntimeError(f"{op}: result type {src} can't be cast to the desired output "
                               f"type {dst} (input shape {list(self.shape)})")
        arr = arr.astype(target)
    return arr


def write_out(out, result, op):
    """Implement ``out=``: resize/overwrite ``out`` with ``result`` (no autograd, as torch)."""
    if not isinstance(out, Tensor):
        raise TypeError(f"{op}(): argument 'out' must be Tensor, not {type(out).__name__}")
    if U_GRAD_needs(out, result):
        raise RuntimeError(f"{op}(): functions with out=... arguments don't support automatic "
                           "differentiation, but one of the arguments requires grad.")
    arr = result._data
    if out._device is not result._device:
        raise RuntimeError(f"{op}(): Expected out tensor to have device {result.device}, but "
                           f"got {out.device} instead")
    if out._data.dtype != arr.dtype:
        src, dst = _FROM_NP[arr.dtype], _FROM_NP[out._data.dtype]
        if not D.can_cast(src, dst):
            raise RuntimeError(f"{op}(): result type {src} can't be cast to the desired output "
                               f"type {dst}")
    if out._data.shape != arr.shape:
        # torch resizes the out tensor (warning if it was non-empty); ember rebinds storage.
        if out._data.size:
            import warnings
            warnings.warn(f"An output with one or more elements was resized since it had shape "
                          f"{list(out._data.shape)}, which does not match the required output "
                          f"shape {list(arr.shape)}. This behavior is deprecated, and in a "
                          "future PyTorch release outputs will not be resized unless they have "
                          "zero elements. You can explicitly reuse an out tensor t by resizing "
                          "it, inplace, to zero elements with t.resize_(0).", UserWarning,
                          stacklevel=3)
        out._data = xp_of(arr).empty(arr.shape, dtype=out._data.dtype)
    np.copyto(out._data, arr, casting="unsafe")
    out._bump_version()
    return out


def U_GRAD_needs(out, result):
    return GRAD.enabled and (out._rg or result._rg)


def to_meta_if(arr, device):
    if device is META:
        return np.broadcast_to(np.zeros((), dtype=arr.dtype), arr.shape)
    return arr


def broadcast_error(op, a, b):
    """torch's RuntimeError for shapes that do not broadcast, naming the op."""
    sa, sb = np.shape(a), np.shape(b)
    n = max(len(sa), len(sb))
    pa = (1,) * (n - len(sa)) + tuple(sa)
    pb = (1,) * (n - len(sb)) + tuple(sb)
    for i in range(n - 1, -1, -1):
        if pa[i] != pb[i] and pa[i] != 1 and pb[i] != 1:
            return RuntimeError(
                f"{op}: The size of tensor a ({pa[i]}) must match the size of tensor b ({pb[i]}) "
                f"at non-singleton dimension {i} (shapes {list(sa)} and {list(sb)})")
    return RuntimeError(f"{op}: shapes {list(sa)} and {list(sb)} are not broadcastable")


def has_internal_overlap(arr):
    """Whether several elements of ``arr`` share memory (a zero stride over a dim > 1, as
    expand makes); torch refuses in-place writes into such tensors."""
    strides = arr.strides
    return (0 in strides and arr.size > 1
            and any(st == 0 and n > 1 for st, n in zip(strides, arr.shape)))


def overlap_error(op):
    return RuntimeError(f"{op}: unsupported operation: more than one element of the written-to "
                        "tensor refers to a single memory location. Please clone() the tensor "
                        "before performing the operation.")

"""Ops that select or limit values: where, clamp (clip, clamp_min, clamp_max),
nan_to_num, lerp, addcmul and addcdiv.

The masked-gradient helpers built on ``where`` live here too: the backward formulas of
the other pointwise files use them.
"""

__all__ = ["addcdiv", "addcmul", "clamp", "clamp_max", "clamp_min", "clip", "lerp",
           "nan_to_num", "where"]

import builtins
import warnings

import ml_dtypes
import numpy as np

from ... import _dtype as D
from ..._device import as_array
from ..._tensor import Tensor
from ...autograd.graph import Node
from .. import _util as U
from .._util import GRAD, record
from ._common import (_BOOL, _broadcast, _cc, _cc_number, _check_int_scalar_fits, _F32,
                      _finish, _finish_exact, _FROM_NP, _is_float_array, _LOW,
                      _not_implemented, _require_number, _require_tensor, _wrap,
                      _on_device, _typed)


# -- masked gradients (all differentiable in ``grad``) ------------------------------

def _keep_where(grad, mask):
    """``grad`` where the bool array ``mask`` holds, else 0 -- torch's masked gradients."""
    g = grad._data
    if np.isfinite(g).all():
        # a multiply is ~15x faster than np.where and equal for finite gradients
        return grad * _wrap(mask.astype(g.dtype, copy=False), grad._device)
    return where(_wrap(mask, grad._device), grad, 0)


def _zero_where(tensor, mask):
    """``tensor`` with 0 where the bool array ``mask`` holds (also over inf/nan)."""
    return where(_wrap(mask, tensor._device), 0, tensor)


def _masked_grads(node, grad, first, second):
    """The gradients of a two-input node that routes ``grad`` by bool arrays: to its
    first input where ``first`` holds, to its second where ``second`` does (None for an
    input that needs no gradient)."""
    nf = node.next_functions
    ga = _keep_where(grad, first) if nf[0][0] is not None else None
    gb = _keep_where(grad, second) if nf[1][0] is not None else None
    return ga, gb


# ----------------------------------------------------------------------------------
# where
# ----------------------------------------------------------------------------------

class WhereBackward0(Node):
    def backward(self, grad):
        cond = self.condition
        return _masked_grads(self, grad, cond, ~cond)


def _operand_array(x, np_dtype, like):
    if isinstance(x, Tensor):
        arr = x._data
        return arr if arr.dtype == np_dtype else arr.astype(np_dtype)
    return _typed(x.item() if isinstance(x, np.generic) else x, np_dtype, like)


_MISSING = object()


def _where_indices(condition):
    """One int64 tensor of indices per dim, where ``condition`` is nonzero."""
    if not isinstance(condition, Tensor):
        raise TypeError(f"where(): argument 'condition' (position 1) must be Tensor, not "
                        f"{type(condition).__name__}")
    if condition._device.type == "meta":
        raise NotImplementedError("where(condition) on the meta device: the number of "
                                  "nonzero elements is data-dependent")
    arr = condition._data
    if arr.ndim == 0:
        arr = arr.reshape(1)
    return tuple(_wrap(idx.astype(np.int64), condition._device) for idx in np.nonzero(arr))


def where(condition, input=_MISSING, other=_MISSING, *, out=None):
    """input where condition holds, else other; input/other may be numbers.
    ``where(condition)`` alone is ``nonzero(condition, as_tuple=True)``.

    >>> ember.where(ember.tensor([True, False]), ember.tensor([1.0, 2.0]), 0.0)
    tensor([1., 0.])
    """
    if input is _MISSING and other is _MISSING:
        return _where_indices(condition)
    if input is _MISSING or other is _MISSING:
        raise TypeError("where() takes either 1 argument (condition) or 3 arguments "
                        "(condition, input, other)")
    if not isinstance(condition, Tensor):
        raise TypeError(f"where(): argument 'condition' (position 1) must be Tensor, not "
                        f"{type(condition).__name__}")
    for x, name in ((input, "input"), (other, "other")):
        if not isinstance(x, Tensor) and (out is not None or not U._is_number(x)):
            # NOTE: torch's where(..., out=) takes tensors only, not numbers.
            raise TypeError(f"where(): argument '{name}' must be Tensor"
                            f"{'' if out is not None else ' or Number'}, not "
                            f"{type(x).__name__}")
    cond = condition._data
    if cond.dtype != _BOOL:
        if cond.dtype != np.uint8:
            raise RuntimeError(f"where expected condition to be a boolean tensor, but got a "
                               f"tensor with dtype {_FROM_NP[cond.dtype]}")
        warnings.warn("where received a uint8 condition tensor. This behavior is deprecated "
                      "and will be removed in a future version of PyTorch. Use a boolean "
                      "condition instead.", UserWarning, stacklevel=2)
        cond = cond.astype(_BOOL)
    dev = U.common_device("where", (condition, input, other))
    dtype = D.result_type_of(input, other).np
    a = _operand_array(input, dtype, cond)
    b = _operand_array(other, dtype, cond)
    if dev.type == "cuda":
        cond, a, b = _on_device((cond, a, b), dev)
    try:
        r = np.where(cond, a, b)
    except ValueError:
        _broadcast("where", cond, a, b)
        raise
    res = _wrap(r, dev)
    if GRAD.enabled and (getattr(input, "_rg", False) or getattr(other, "_rg", False)):
        node = record(WhereBackward0, res, (input if isinstance(input, Tensor) else None,
                                            other if isinstance(other, Tensor) else None))
        node.condition = cond
    return _finish_exact(res, out, "where")


# ----------------------------------------------------------------------------------
# clamp
# ----------------------------------------------------------------------------------

class ClampBackward1(Node):
    """clamp with number bounds: the gradient passes where min <= x <= max."""

    def backward(self, grad):
        (x,) = self.saved_tensors
        xa = x._data
        keep = None
        if self.min is not None:
            keep = xa >= self.min
        if self.max is not None:
            upper = xa <= self.max
            keep = upper if keep is None else keep & upper
        return (_keep_where(grad, keep),)


class ClampMinBackward0(Node):
    def backward(self, grad):
        (x,) = self.saved_tensors
        return (_keep_where(grad, x._data >= self.min),)


class ClampMaxBackward0(Node):
    def backward(self, grad):
        (x,) = self.saved_tensors
        return (_keep_where(grad, x._data <= self.max),)


class ClampBackward0(Node):
    """clamp with tensor bounds (either may be None)."""

    def backward(self, grad):
        x, lo, hi = self.saved_tensors
        xa = x._data
        la = lo._data if lo is not None else None
        ha = hi._data if hi is not None else None
        nf = self.next_functions
        gx = glo = ghi = None
        if nf[0][0] is not None:
            keep = xa >= la if la is not None else None
            if ha is not None:
                keep = xa <= ha if keep is None else keep & (xa <= ha)
            gx = _keep_where(grad, keep)
        if la is not None and nf[1][0] is not None:
            # the lower bound is the result where x is below it, unless it exceeds max
            below = xa < la
            glo = _keep_where(grad, below & (la < ha) if ha is not None else below)
        if ha is not None and nf[2][0] is not None:
            above = xa > ha
            ghi = _keep_where(grad, above | (la > ha) if la is not None else above)
        return gx, glo, ghi


class ClampMinBackward1(Node):
    def backward(self, grad):
        x, lo = self.saved_tensors
        return _masked_grads(self, grad, x._data >= lo._data, x._data < lo._data)


class ClampMaxBackward1(Node):
    def backward(self, grad):
        x, hi = self.saved_tensors
        return _masked_grads(self, grad, x._data <= hi._data, x._data > hi._data)


_PLAIN_NUMBERS = (builtins.int, builtins.float, type(None))


def _clamp_scalar_arrays(op, input, lo, hi):
    """Promoted array and bounds for clamp with number bounds."""
    bounds = [v for v in (lo, hi) if v is not None]
    dtype = D.result_type_of(input, *bounds).np
    if dtype == _BOOL:
        raise _not_implemented(op + "_scalar_cpu", dtype)
    arr = input._data
    for v in bounds:
        _check_int_scalar_fits(op, v, dtype)
    work = _F32 if dtype in _LOW else dtype
    if arr.dtype != work:
        arr = arr.astype(work)
    lo = None if lo is None else _typed(lo, work, arr)
    hi = None if hi is None else _typed(hi, work, arr)
    return arr, lo, hi, dtype


def _clamp_compute(arr, lo, hi, dtype):
    # max then min: where min > max everything becomes max, and NaN propagates
    r = arr
    if lo is not None:
        r = np.maximum(r, lo)
    if hi is not None:
        # in place only when max does not broadcast the result any larger
        in_place = r is not arr and type(r) is np.ndarray and \
            np.broadcast_shapes(r.shape, np.shape(hi)) == r.shape
        r = np.minimum(r, hi, out=r) if in_place else np.minimum(r, hi)
    if r is arr:
        r = arr.copy()
    if r.dtype != dtype:
        r = r.astype(dtype)
    return r


def _tensor_bounds_clamp(op, input, lo, hi):
    tensors = [t for t in (input, lo, hi) if t is not None]
    dev = U.common_device(op, tensors)
    dtype = D.result_type_of(*tensors).np
    if dtype == _BOOL and lo is not None and hi is not None:
        raise _not_implemented(op + "_cpu", dtype)   # one bool bound alone is fine
    work = _F32 if dtype in _LOW else dtype
    arrays = [None if t is None else (t._data if t._data.dtype == work else
                                      t._data.astype(work)) for t in (input, lo, hi)]
    _broadcast(op, *[a for a in arrays if a is not None])
    arrays = _on_device(arrays, dev)
    return _wrap(_clamp_compute(arrays[0], arrays[1], arrays[2], dtype), dev)


def clamp(input, min=None, max=None, *, out=None):
    """Limit input to [min, max]; bounds are numbers or tensors, either may be None.

    Where min > max the result is max, as in torch.

    >>> ember.clamp(ember.tensor([-2.0, 0.5, 3.0]), min=0.0, max=1.0)
    tensor([0.0000, 0.5000, 1.0000])
    """
    U.check_tensor(input, "clamp")
    if min is None and max is None:
        raise RuntimeError("clamp: At least one of 'min' or 'max' must not be None")
    _refuse_complex_clamp("clamp", input, min, max)
    if isinstance(min, Tensor) != isinstance(max, Tensor) and min is not None \
            and max is not None:
        # NOTE: torch's argument parser reads a 0-dim tensor as a number when the other
        # bound is a number; any other tensor/number mix is a TypeError.
        min, max = (_scalar_bound(v, name) for v, name in ((min, "min"), (max, "max")))
    if isinstance(min, Tensor) or isinstance(max, Tensor):
        res = _tensor_bounds_clamp("clamp", input, min, max)
        if GRAD.enabled and any(getattr(t, "_rg", False) for t in (input, min, max)):
            record(ClampBackward0, res, (input, min, max), (input, min, max))
        return _finish(res, out, "clamp")
    lo = None if min is None else _require_number(min, "clamp", "min")
    hi = None if max is None else _require_number(max, "clamp", "max")
    arr = input._data
    if arr.dtype.kind == "f" and type(lo) in _PLAIN_NUMBERS and type(hi) in _PLAIN_NUMBERS:
        # common case: float32/64 tensor, number bounds -> no promotion (Python numbers
        # are weak in NumPy too)
        # typed 0-d bounds: cheaper than Python scalars in NumPy, and the same rounding
        # (NumPy scalars on a device: CuPy refuses NumPy arrays)
        if type(arr) is np.ndarray:
            r = arr if lo is None else np.maximum(arr, np.asarray(lo, arr.dtype))
            r = np.minimum(r, np.asarray(hi, arr.dtype)) if hi is not None else r
        else:
            typ = arr.dtype.type
            r = arr if lo is None else np.maximum(arr, typ(lo))
            r = np.minimum(r, typ(hi)) if hi is not None else r
        res = _wrap(r if r is not arr else arr.copy(), input._device)
    else:
        arr, lo_a, hi_a, dtype = _clamp_scalar_arrays("clamp", input, lo, hi)
        res = _wrap(_clamp_compute(arr, lo_a, hi_a, dtype), input._device)
    if GRAD.enabled and input._rg:
        node = record(ClampBackward1, res, (input,), (input,))
        node.min, node.max = lo, hi
    return _finish_exact(res, out, "clamp")


clip = clamp


def _refuse_complex_clamp(op, *values):
    for v in values:
        if (v._data.dtype.kind == "c" if isinstance(v, Tensor)
                else isinstance(v, (builtins.complex, np.complexfloating))):
            raise NotImplementedError(f"{op} is not supported for complex types")


def _scalar_bound(v, name):
    if not isinstance(v, Tensor):
        return v
    if v._data.ndim != 0:
        raise TypeError(f"clamp(): argument '{name}' must be a number or a 0-dim tensor when "
                        f"the other bound is a number, got a tensor of shape {list(v.shape)}")
    return v.item()


def clamp_min(input, min, *, out=None):
    """max(input, min) with clamp's gradient (min: a number or a tensor).

    >>> ember.clamp_min(ember.tensor([-1.0, 2.0]), 0.0)
    tensor([0., 2.])
    """
    return _clamp_one_side("clamp_min", "min", input, min, out)


def clamp_max(input, max, *, out=None):
    """min(input, max) with clamp's gradient (max: a number or a tensor).

    >>> ember.clamp_max(ember.tensor([-1.0, 2.0]), 0.0)
    tensor([-1.,  0.])
    """
    return _clamp_one_side("clamp_max", "max", input, max, out)


def _clamp_one_side(op, side, input, bound, out):
    """clamp_min (``side`` "min") or clamp_max ("max") with a number or tensor bound."""
    U.check_tensor(input, op)
    _refuse_complex_clamp(op, input, bound)
    is_min = side == "min"
    if isinstance(bound, Tensor):
        lo, hi = (bound, None) if is_min else (None, bound)
        res = _tensor_bounds_clamp(op, input, lo, hi)
        if GRAD.enabled and (input._rg or bound._rg):
            node_cls = ClampMinBackward1 if is_min else ClampMaxBackward1
            record(node_cls, res, (input, bound), (input, bound))
        return _finish(res, out, op)
    value = _require_number(bound, op, side)
    lo, hi = (value, None) if is_min else (None, value)
    arr, lo_a, hi_a, dtype = _clamp_scalar_arrays(op, input, lo, hi)
    res = _wrap(_clamp_compute(arr, lo_a, hi_a, dtype), input._device)
    if GRAD.enabled and input._rg:
        node_cls = ClampMinBackward0 if is_min else ClampMaxBackward0
        node = record(node_cls, res, (input,), (input,))
        node.min, node.max = lo, hi
    return _finish_exact(res, out, op)


# ----------------------------------------------------------------------------------
# nan_to_num
# ----------------------------------------------------------------------------------

class NanToNumBackward0(Node):
    def backward(self, grad):
        (x,) = self.saved_tensors
        return (_keep_where(grad, np.isfinite(x._data)),)


def _finfo(np_dtype):
    return ml_dtypes.finfo(np_dtype) if np_dtype == D.bfloat16.np else np.finfo(np_dtype)


def nan_to_num(input, nan=0.0, posinf=None, neginf=None, *, out=None):
    """Replace NaN by ``nan``, +inf by ``posinf`` and -inf by ``neginf`` (default: the
    largest and lowest finite values of the dtype).  Integer tensors are copied.

    >>> ember.nan_to_num(ember.tensor([float('nan'), float('inf')]), posinf=9.0)
    tensor([0., 9.])
    """
    U.check_tensor(input, "nan_to_num")
    arr = input._data
    if not _is_float_array(arr):
        r = arr.copy()
    else:
        info = _finfo(arr.dtype)
        r = arr.copy()
        for mask, value in ((np.isnan(arr), nan),
                            (np.isposinf(arr), info.max if posinf is None else posinf),
                            (np.isneginf(arr), info.min if neginf is None else neginf)):
            if mask.any():
                r[mask] = _typed(value, arr.dtype, arr)
    res = _wrap(r, input._device)
    if GRAD.enabled and input._rg:
        record(NanToNumBackward0, res, (input,), (input,))
    return _finish_exact(res, out, "nan_to_num")


# ----------------------------------------------------------------------------------
# lerp, addcmul, addcdiv
# ----------------------------------------------------------------------------------

class LerpBackward0(Node):
    """lerp with a number weight."""

    def backward(self, grad):
        w = self.weight
        nf = self.next_functions
        gs = grad * _cc_number(1 - w) if nf[0][0] is not None else None
        ge = grad * _cc_number(w) if nf[1][0] is not None else None
        return gs, ge


class LerpBackward1(Node):
    def backward(self, grad):
        start, end, weight = self.saved_tensors
        nf = self.next_functions
        gs = grad * _cc(1 - weight) if nf[0][0] is not None else None
        ge = grad * _cc(weight) if nf[1][0] is not None else None
        gw = grad * _cc(end - start) if nf[2][0] is not None else None
        return gs, ge, gw


def _lerp_kernel(start, end, weight):
    # NOTE: torch picks the formula by |weight| so that weight 0 gives start and
    # weight 1 gives end exactly.
    diff = end - start
    if not hasattr(weight, "dtype"):    # a Python number
        if builtins.abs(weight) < 0.5:
            return start + diff * weight
        return end - diff * (1 - weight)
    near_start = start + diff * weight
    near_end = end - diff * (1 - weight)
    return np.where(np.abs(weight) < 0.5, near_start, near_end)


def lerp(input, end, weight, *, out=None):
    """input + weight * (end - input); weight is a number or a tensor.

    >>> ember.lerp(ember.tensor([0.0, 10.0]), ember.tensor([10.0, 20.0]), 0.5)
    tensor([ 5., 15.])
    """
    U.check_tensor(input, "lerp")
    _require_tensor(end, "lerp", "end", 2)
    tensors = [input, end]
    for t, name in ((end, "end"), (weight, "weight")):
        if isinstance(t, Tensor) and t._data.dtype != input._data.dtype:
            raise RuntimeError(f"lerp: expected dtype {input.dtype} for `{name}` but got dtype "
                               f"{t.dtype}")
    if isinstance(weight, Tensor):
        tensors.append(weight)
    else:
        weight = _require_number(weight, "lerp", "weight")
    dev = U.common_device("lerp", tensors)
    dtype = input._data.dtype
    if not (_is_float_array(input._data) or dtype.kind == "c"):
        raise _not_implemented("lerp_kernel_scalar_weight", dtype)
    arrays = _on_device([t._data for t in tensors], dev)
    _broadcast("lerp", *arrays)
    if dtype in _LOW:
        arrays = [a.astype(_F32) for a in arrays]
    w = arrays[2] if len(arrays) == 3 else weight
    r = as_array(_lerp_kernel(arrays[0], arrays[1], w))
    res = _wrap(r.astype(dtype, copy=False), dev)
    if GRAD.enabled and any(t._rg for t in tensors):
        if len(tensors) == 3:
            record(LerpBackward1, res, tensors, tensors)
        else:
            record(LerpBackward0, res, tensors).weight = weight
    if len(tensors) == 3:
        return _finish_exact(res, out, "lerp")     # NOTE: torch is strict only here
    return _finish(res, out, "lerp")


class AddcmulBackward0(Node):
    def backward(self, grad):
        t1, t2 = self.saved_tensors
        value = self.value
        nf = self.next_functions
        g1 = grad * _cc(t2 * value) if nf[1][0] is not None else None
        g2 = grad * _cc(t1 * value) if nf[2][0] is not None else None
        return grad, g1, g2


class AddcdivBackward0(Node):
    def backward(self, grad):
        t1, t2 = self.saved_tensors
        value = self.value
        nf = self.next_functions
        g1 = grad * _cc(value / t2) if nf[1][0] is not None else None
        g2 = grad * _cc(-value * t1 / (t2 * t2)) if nf[2][0] is not None else None
        return grad, g1, g2


def _ternary_arrays(op, input, tensor1, tensor2, value):
    U.check_tensor(input, op)
    _require_tensor(tensor1, op, "tensor1", 2)
    _require_tensor(tensor2, op, "tensor2", 3)
    _require_number(value, op, "value")
    tensors = (input, tensor1, tensor2)
    dev = U.common_device(op, tensors)
    dtype = D.result_type_of(*tensors).np
    work = _F32 if dtype in _LOW else dtype
    arrays = [t._data if t._data.dtype == work else t._data.astype(work) for t in tensors]
    _broadcast(op, *arrays)
    return _on_device(arrays, dev), _typed(value, work, arrays[0]), dtype, dev


def addcmul(input, tensor1, tensor2, *, value=1, out=None):
    """input + value * tensor1 * tensor2.

    >>> ember.addcmul(ember.tensor([1.0]), ember.tensor([2.0]), ember.tensor([3.0]), value=0.5)
    tensor([4.])
    """
    arrays, v, dtype, dev = _ternary_arrays("addcmul", input, tensor1, tensor2, value)
    if dtype == _BOOL:
        raise _not_implemented("addcmul_cpu_out", dtype)
    r = arrays[0] + v * arrays[1] * arrays[2]
    res = _wrap(r.astype(dtype, copy=False), dev)
    if GRAD.enabled and (input._rg or tensor1._rg or tensor2._rg):
        record(AddcmulBackward0, res, (input, tensor1, tensor2), (tensor1, tensor2)).value = value
    return _finish(res, out, "addcmul")


def addcdiv(input, tensor1, tensor2, *, value=1, out=None):
    """input + value * tensor1 / tensor2 (floating dtypes only).

    >>> ember.addcdiv(ember.tensor([1.0]), ember.tensor([3.0]), ember.tensor([2.0]), value=2)
    tensor([4.])
    """
    arrays, v, dtype, dev = _ternary_arrays("addcdiv", input, tensor1, tensor2, value)
    if dtype.kind in "biu":
        raise RuntimeError(
            "addcdiv: Integer division with addcdiv is no longer supported, and in a future "
            "release addcdiv will perform a true division of tensor1 and tensor2. The "
            "historic addcdiv behavior can be implemented as (input + value * "
            "torch.trunc(tensor1 / tensor2)).to(input.dtype) for integer inputs and as "
            "(input + value * tensor1 / tensor2) for float inputs. The future addcdiv "
            "behavior is just the latter implementation: (input + value * tensor1 / tensor2), "
            "for all dtypes.")
    r = arrays[0] + v * arrays[1] / arrays[2]
    res = _wrap(r.astype(dtype, copy=False), dev)
    if GRAD.enabled and (input._rg or tensor1._rg or tensor2._rg):
        record(AddcdivBackward0, res, (input, tensor1, tensor2), (tensor1, tensor2)).value = value
    return _finish(res, out, "addcdiv")

"""Python operators (``a + b``, ``2 ** a``, ``a += b`` ...) and the Tensor methods of
the pointwise ops, in-place ``op_`` forms included: METHODS, bound onto Tensor at
import."""

import numpy as np

from ..._device import CPU, as_array
from ..._tensor import Tensor, _new
from .. import _util as U
from .._inplace import apply_inplace, make_inplace
from .._util import GRAD, record
from .arithmetic import (AddBackward0, MulBackward0, _floor_divide, add, atan2, div,
                         floor_divide, fmod, hypot, mul, reciprocal, remainder, rsub, sub,
                         true_divide)
from .compare import (allclose, eq, equal, fmax, fmin, ge, gt, isclose, isfinite, isinf,
                      isnan, isneginf, isposinf, isreal, le, lt, maximum, minimum, ne)
from .logical import (bitwise_and, bitwise_left_shift, bitwise_not, bitwise_or,
                      bitwise_right_shift, bitwise_xor, logical_and, logical_not, logical_or,
                      logical_xor)
from .power import float_power, pow, square
from .rounding import ceil, floor, frac, round, trunc
from .special import erf, erfc, erfinv
from .ternary import addcdiv, addcmul, clamp, clamp_max, clamp_min, lerp, nan_to_num, where
from .unary import (abs, acos, acosh, asin, asinh, atan, atanh, cos, cosh, exp, exp2, expm1,
                    log, log1p, log2, log10, logit, neg, positive, rsqrt, sgn, sigmoid, sign,
                    signbit, sin, sinh, sqrt, tan, tanh)


def _fast_binary(op, np_fn, node_cls, save_inputs, fallback):
    """``self + other``-like method: two tensors of one dtype on one device skip
    ``fallback``'s promotion and checks.

    The hottest path in ember: the method is kept flat on purpose (see
    benchmarks/op_overhead.py); its node saves both inputs when ``save_inputs``.
    """
    def method(self, other):
        if type(other) is Tensor:
            a = self._data
            b = other._data
            if a.dtype is b.dtype and self._device is other._device:
                res = _new(Tensor)
                try:
                    r = np_fn(a, b)
                except ValueError:
                    raise U.broadcast_error(op, a, b) from None
                res._data = r if type(r) is np.ndarray else as_array(r)
                if self._device is not CPU:
                    res._device = self._device
                    res._data = U.to_meta_if(res._data, self._device)
                if GRAD.enabled and (self._rg or other._rg):
                    inputs = (self, other)
                    record(node_cls, res, inputs, inputs if save_inputs else None)
                return res
        if type(other) is np.ndarray:
            return NotImplemented  # NumPy computes it, as with torch (see _defer_to_numpy)
        return fallback(self, other)
    method.__name__ = method.__qualname__ = "_fast_" + op
    return method


# a sum's gradient needs neither input; a product's needs both
_fast_add = _fast_binary("add", np.add, AddBackward0, False, add)
_fast_mul = _fast_binary("mul", np.multiply, MulBackward0, True, mul)


def _defer_to_numpy(method):
    """``t + ndarray`` and friends: return NotImplemented so NumPy computes the result
    through ``Tensor.__array__`` and wraps it back with ``__array_wrap__``.

    NOTE: that is what torch does: the dtype follows NumPy's promotion and a tensor
    that requires grad raises (it cannot become an array).
    """
    def wrapper(self, other):
        if type(other) is np.ndarray:
            return NotImplemented
        return method(self, other)
    wrapper.__name__ = wrapper.__qualname__ = method.__name__
    wrapper.__doc__ = method.__doc__
    return wrapper


def _radd(self, other):
    return add(other, self)


def _rsub(self, other):
    return rsub(self, other)


def _rmul(self, other):
    return mul(self, other)


def _rtruediv(self, other):
    # NOTE: torch computes ``number / t`` as reciprocal(t) * number, which can differ
    # from a division in the last bit (and in float16/bfloat16 rounds 1/t first).
    return mul(reciprocal(self), other)


def _where_method(self, condition, y):
    """Tensor.where(condition, y): self where condition holds, else y."""
    return where(condition, self, y)


def _pow_method(self, exponent):
    return pow(self, exponent)


def _rpow(self, other):
    return pow(other, self)


def _floordiv(self, other):
    return _floor_divide(self, other)


def _rfloordiv(self, other):
    return _floor_divide(other, self)


def _mod(self, other):
    return remainder(self, other)


def _rmod(self, other):
    return remainder(other, self)


def _rand(self, other):
    return bitwise_and(other, self)


def _ror(self, other):
    return bitwise_or(other, self)


def _rxor(self, other):
    return bitwise_xor(other, self)


def _rlshift(self, other):
    return bitwise_left_shift(other, self)


def _rrshift(self, other):
    return bitwise_right_shift(other, self)


def _invert(self):
    if self._data.dtype.kind not in "biu":
        raise TypeError("~ (operator.invert) is only implemented on integer and Boolean-type "
                        f"tensors, got {self.dtype}")
    return bitwise_not(self)


def _inplace_binary(fn, name):
    def method(self, other, **kwargs):
        return apply_inplace(self, name, lambda s: fn(s, other, **kwargs), (self, other))
    method.__name__ = name
    return method


def _float_power_(self, exponent):
    if self._data.dtype != np.float64:
        raise RuntimeError(f"float_power_(): the base given to float_power_ has dtype "
                           f"{self.dtype} but the operation's result requires dtype "
                           "torch.float64")
    return apply_inplace(self, "float_power_", lambda s: float_power(s, exponent),
                         (self, exponent))


METHODS = {
    "add": add, "sub": sub, "subtract": sub, "mul": mul, "multiply": mul, "div": div,
    "divide": div, "true_divide": true_divide, "neg": neg, "negative": neg,
    "eq": eq, "ne": ne, "lt": lt, "le": le, "gt": gt, "ge": ge,
    "not_equal": ne, "less": lt, "less_equal": le, "greater": gt, "greater_equal": ge,
    "__add__": _fast_add, "__radd__": _radd, "__sub__": sub, "__rsub__": _rsub,
    "__mul__": _fast_mul, "__rmul__": _rmul, "__truediv__": div, "__rtruediv__": _rtruediv,
    "__neg__": neg, "__eq__": eq, "__ne__": ne, "__lt__": lt, "__le__": le, "__gt__": gt,
    "__ge__": ge,
    "add_": _inplace_binary(add, "add_"), "sub_": _inplace_binary(sub, "sub_"),
    "subtract_": _inplace_binary(sub, "subtract_"), "mul_": _inplace_binary(mul, "mul_"),
    "multiply_": _inplace_binary(mul, "multiply_"), "div_": _inplace_binary(div, "div_"),
    "divide_": _inplace_binary(div, "divide_"),
    "true_divide_": _inplace_binary(true_divide, "true_divide_"),
    "__iadd__": _inplace_binary(add, "add_"), "__isub__": _inplace_binary(sub, "sub_"),
    "__imul__": _inplace_binary(mul, "mul_"), "__itruediv__": _inplace_binary(div, "div_"),
    # unary math
    "abs": abs, "absolute": abs, "exp": exp, "exp2": exp2, "expm1": expm1, "log": log,
    "log2": log2, "log10": log10, "log1p": log1p, "sqrt": sqrt, "rsqrt": rsqrt,
    "square": square, "sin": sin, "cos": cos, "tan": tan, "asin": asin, "acos": acos,
    "atan": atan, "arcsin": asin, "arccos": acos, "arctan": atan, "sinh": sinh, "cosh": cosh,
    "tanh": tanh, "asinh": asinh, "acosh": acosh, "atanh": atanh, "arcsinh": asinh,
    "arccosh": acosh, "arctanh": atanh, "sigmoid": sigmoid, "logit": logit, "erf": erf,
    "erfc": erfc, "erfinv": erfinv, "reciprocal": reciprocal, "positive": positive,
    "floor": floor, "ceil": ceil, "round": round, "trunc": trunc, "fix": trunc, "frac": frac,
    "sign": sign, "sgn": sgn, "signbit": signbit, "nan_to_num": nan_to_num,
    "isnan": isnan, "isinf": isinf, "isposinf": isposinf, "isneginf": isneginf,
    "isfinite": isfinite, "isreal": isreal,
    # binary and ternary math
    "pow": _pow_method, "float_power": float_power, "atan2": atan2, "arctan2": atan2,
    "hypot": hypot, "fmod": fmod, "remainder": remainder, "floor_divide": floor_divide,
    "maximum": maximum, "minimum": minimum, "fmax": fmax, "fmin": fmin, "clamp": clamp,
    "clip": clamp, "clamp_min": clamp_min, "clamp_max": clamp_max, "lerp": lerp,
    "addcmul": addcmul, "addcdiv": addcdiv, "where": _where_method, "isclose": isclose,
    "allclose": allclose, "equal": equal,
    # logical and bitwise
    "logical_not": logical_not, "logical_and": logical_and, "logical_or": logical_or,
    "logical_xor": logical_xor, "bitwise_not": bitwise_not, "bitwise_and": bitwise_and,
    "bitwise_or": bitwise_or, "bitwise_xor": bitwise_xor,
    "bitwise_left_shift": bitwise_left_shift, "bitwise_right_shift": bitwise_right_shift,
    # Python operators
    "__pow__": _pow_method, "__rpow__": _rpow, "__floordiv__": _floordiv,
    "__rfloordiv__": _rfloordiv, "__mod__": _mod, "__rmod__": _rmod,
    "__and__": bitwise_and, "__rand__": _rand, "__or__": bitwise_or, "__ror__": _ror,
    "__xor__": bitwise_xor, "__rxor__": _rxor, "__invert__": _invert,
    "__lshift__": bitwise_left_shift, "__rlshift__": _rlshift,
    "__rshift__": bitwise_right_shift, "__rrshift__": _rrshift,
    "__abs__": abs, "__pos__": positive,
    "float_power_": _float_power_,
}

# In-place forms (``x.exp_()``) for every op torch has one for.
_INPLACE = {
    "neg_": neg, "negative_": neg, "abs_": abs, "absolute_": abs, "exp_": exp, "exp2_": exp2,
    "expm1_": expm1, "log_": log, "log2_": log2, "log10_": log10, "log1p_": log1p,
    "sqrt_": sqrt, "rsqrt_": rsqrt, "square_": square, "sin_": sin, "cos_": cos, "tan_": tan,
    "asin_": asin, "acos_": acos, "atan_": atan, "arcsin_": asin, "arccos_": acos,
    "arctan_": atan, "sinh_": sinh, "cosh_": cosh, "tanh_": tanh, "asinh_": asinh,
    "acosh_": acosh, "atanh_": atanh, "arcsinh_": asinh, "arccosh_": acosh,
    "arctanh_": atanh, "sigmoid_": sigmoid, "logit_": logit, "erf_": erf, "erfc_": erfc,
    "erfinv_": erfinv, "reciprocal_": reciprocal, "floor_": floor, "ceil_": ceil,
    "round_": round, "trunc_": trunc, "fix_": trunc, "frac_": frac, "sign_": sign,
    "sgn_": sgn, "nan_to_num_": nan_to_num, "pow_": pow, "atan2_": atan2,
    "arctan2_": atan2, "hypot_": hypot, "fmod_": fmod, "remainder_": remainder,
    "floor_divide_": floor_divide, "clamp_": clamp, "clip_": clamp, "clamp_min_": clamp_min,
    "clamp_max_": clamp_max, "lerp_": lerp, "addcmul_": addcmul, "addcdiv_": addcdiv,
    "logical_not_": logical_not, "logical_and_": logical_and, "logical_or_": logical_or,
    "logical_xor_": logical_xor, "bitwise_not_": bitwise_not, "bitwise_and_": bitwise_and,
    "bitwise_or_": bitwise_or, "bitwise_xor_": bitwise_xor,
    "bitwise_left_shift_": bitwise_left_shift, "bitwise_right_shift_": bitwise_right_shift,
    "eq_": eq, "ne_": ne, "lt_": lt, "le_": le, "gt_": gt, "ge_": ge, "not_equal_": ne,
    "less_": lt, "less_equal_": le, "greater_": gt, "greater_equal_": ge,
}
for _name, _fn in _INPLACE.items():
    METHODS[_name] = make_inplace(_fn, _name)


def _refusing_complex(inplace, name):
    """An in-place op that torch refuses on complex tensors (its result would be real)."""
    def method(self, *args, **kwargs):
        if isinstance(self, Tensor) and self._data.dtype.kind == "c":
            raise RuntimeError(f"{name}: In-place abs is not supported for complex tensors.")
        return inplace(self, *args, **kwargs)
    method.__name__ = method.__qualname__ = name
    method.__doc__ = inplace.__doc__
    return method


for _name in ("abs_", "absolute_"):
    METHODS[_name] = _refusing_complex(METHODS[_name], _name)
for _op, _name in (("__ipow__", "pow_"), ("__ifloordiv__", "floor_divide_"),
                   ("__imod__", "remainder_"), ("__iand__", "bitwise_and_"),
                   ("__ior__", "bitwise_or_"), ("__ixor__", "bitwise_xor_"),
                   ("__ilshift__", "bitwise_left_shift_"),
                   ("__irshift__", "bitwise_right_shift_")):
    METHODS[_op] = METHODS[_name]
def _compare_with_ndarray(method):
    """``==``/``!=`` take an ndarray operand as a tensor (torch does not defer these)."""
    def wrapper(self, other):
        if type(other) is np.ndarray:
            other = _from_numpy_operand(other)
        return method(self, other)
    wrapper.__name__ = wrapper.__qualname__ = method.__name__
    wrapper.__doc__ = method.__doc__
    return wrapper


def _from_numpy_operand(array):
    from ..creation import as_tensor
    return as_tensor(array)


_OPERATORS_DEFERRING = ("__sub__", "__rsub__", "__rmul__", "__radd__", "__truediv__",
                        "__rtruediv__", "__pow__", "__rpow__", "__floordiv__", "__rfloordiv__",
                        "__mod__", "__rmod__", "__and__", "__rand__", "__or__", "__ror__",
                        "__xor__", "__rxor__", "__lshift__", "__rlshift__", "__rshift__",
                        "__rrshift__")
for _name in _OPERATORS_DEFERRING:
    if _name in METHODS:
        METHODS[_name] = _defer_to_numpy(METHODS[_name])
# NOTE: torch computes ``t == ndarray`` itself but leaves ``t < ndarray`` to NumPy,
# which then refuses it (TypeError); ember does the same.
for _name in ("__eq__", "__ne__"):
    METHODS[_name] = _compare_with_ndarray(METHODS[_name])
for _name in ("__lt__", "__le__", "__gt__", "__ge__"):
    METHODS[_name] = _defer_to_numpy(METHODS[_name])
for _name, _fn in METHODS.items():
    setattr(Tensor, _name, _fn)

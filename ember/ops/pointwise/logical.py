"""Logical ops (logical_not, logical_and, logical_or, logical_xor: bool results for any
dtype) and bitwise ops (bitwise_not, bitwise_and, bitwise_or, bitwise_xor and the
shifts: integer and bool tensors)."""

__all__ = [
    "bitwise_and", "bitwise_left_shift", "bitwise_not", "bitwise_or", "bitwise_right_shift",
    "bitwise_xor", "logical_and", "logical_not", "logical_or", "logical_xor",
]

import numpy as np

from .. import _util as U
from .._util import prep_binary
from ._common import (_BOOL, _apply_binary, _finish, _finish_exact, _not_implemented,
                      _require_tensor, _wrap)


# ----------------------------------------------------------------------------------
# logical and bitwise ops
# ----------------------------------------------------------------------------------

def _truth(arr):
    return arr if arr.dtype == _BOOL else arr != 0     # NaN counts as True, as in torch


def logical_not(input, *, out=None):
    """True where input is zero (a bool tensor for any input dtype).

    >>> ember.logical_not(ember.tensor([0.0, 2.0]))
    tensor([ True, False])
    """
    U.check_tensor(input, "logical_not")
    return _finish(_wrap(~_truth(input._data), input._device), out, "logical_not")


def _logical(name, np_fn, example):
    def op(input, other, *, out=None):
        _require_tensor(input, name, "input", 1)
        _require_tensor(other, name, "other", 2)
        dev = U.common_device(name, (input, other))
        a, b = _truth(input._data), _truth(other._data)
        return _finish(_wrap(_apply_binary(name, np_fn, a, b), dev), out, name)
    op.__name__ = op.__qualname__ = name
    op.__doc__ = (f"Elementwise logical {name[8:]} of the truth values (non-zero and NaN "
                  "are True); a bool tensor for any input dtypes.\n\n"
                  f"    >>> ember.{name}(ember.tensor([1, 0]), ember.tensor([1.0, 1.0]))\n"
                  f"    {example}\n    ")
    return op


logical_and = _logical("logical_and", np.logical_and, "tensor([ True, False])")
logical_or = _logical("logical_or", np.logical_or, "tensor([True, True])")
logical_xor = _logical("logical_xor", np.logical_xor, "tensor([False,  True])")


def bitwise_not(input, *, out=None):
    """~input for integer tensors; logical not for bool tensors.

    >>> ember.bitwise_not(ember.tensor([0, 5]))
    tensor([-1, -6])
    """
    U.check_tensor(input, "bitwise_not")
    arr = input._data
    if arr.dtype.kind not in "biu":
        raise _not_implemented("bitwise_not_cpu", arr.dtype)
    return _finish_exact(_wrap(np.invert(arr), input._device), out, "bitwise_not")


def _bitwise(name, kernel_name, np_fn, allow_bool=True):
    def op(input, other, *, out=None):
        a, b, dev = prep_binary(name, input, other)
        dtype = np.result_type(a, b) if not isinstance(a, float) and not isinstance(
            b, float) else np.dtype(np.float32)
        if dtype.kind not in ("biu" if allow_bool else "iu"):
            raise _not_implemented(kernel_name, dtype)
        return _finish(_wrap(_apply_binary(name, np_fn, a, b), dev), out, name)
    op.__name__ = op.__qualname__ = name
    return op


bitwise_and = _bitwise("bitwise_and", "bitwise_and_cpu", np.bitwise_and)
bitwise_or = _bitwise("bitwise_or", "bitwise_or_cpu", np.bitwise_or)
bitwise_xor = _bitwise("bitwise_xor", "bitwise_xor_cpu", np.bitwise_xor)
# NOTE: shifts by a negative amount or by the bit width or more give 0 (or -1 for a
# negative input shifted right), in torch and in NumPy alike.
bitwise_left_shift = _bitwise("bitwise_left_shift", "lshift_cpu", np.left_shift,
                              allow_bool=False)
bitwise_right_shift = _bitwise("bitwise_right_shift", "rshift_cpu", np.right_shift,
                               allow_bool=False)
bitwise_and.__doc__ = """input & other for integer and bool tensors (and numbers).

    >>> ember.bitwise_and(ember.tensor([12]), 10)
    tensor([8])
    """
bitwise_or.__doc__ = """input | other for integer and bool tensors (and numbers).

    >>> ember.bitwise_or(ember.tensor([12]), 10)
    tensor([14])
    """
bitwise_xor.__doc__ = """input ^ other for integer and bool tensors (and numbers).

    >>> ember.bitwise_xor(ember.tensor([12]), 10)
    tensor([6])
    """
bitwise_left_shift.__doc__ = """input << other for integer tensors, wrapping in the dtype.

    >>> ember.bitwise_left_shift(ember.tensor([1, 3]), 2)
    tensor([ 4, 12])
    """
bitwise_right_shift.__doc__ = """input >> other for integer tensors (arithmetic shift).

    >>> ember.bitwise_right_shift(ember.tensor([-8, 12]), 2)
    tensor([-2,  3])
    """

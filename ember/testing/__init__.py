"""ember.testing: ``assert_close`` with torch's default tolerances, and ``make_tensor``.

>>> ember.testing.assert_close(ember.tensor([1.0, 2.0]), ember.tensor([1.0, 2.0 + 1e-7]))
"""
import collections.abc
import math

import numpy as np

from .. import _dtype as D
from .._tensor import Tensor

__all__ = ["assert_close", "make_tensor"]

# (rtol, atol) by dtype when neither is given; exact for everything else
_TOLERANCES = {
    D.float16: (1e-3, 1e-5), D.bfloat16: (1.6e-2, 1e-5), D.float32: (1.3e-6, 1e-5),
    D.float64: (1e-7, 1e-7), D.complex64: (1.3e-6, 1e-5), D.complex128: (1e-7, 1e-7),
}
_NUMBER_DTYPE = {bool: D.bool, int: D.int64, float: D.float64, complex: D.complex128}


class _Fail(Exception):
    """A mismatch found while comparing: exception type and message (msg may override)."""

    def __init__(self, exc_type, message):
        super().__init__(message)
        self.exc_type = exc_type
        self.message = message


def _tolerances(dtypes, rtol, atol):
    if (rtol is None) != (atol is None):
        missing = "atol" if atol is None else "rtol"
        raise ValueError(f"Both 'rtol' and 'atol' must be either specified or omitted, but got "
                         f"no {missing}.")
    if rtol is not None:
        return rtol, atol
    pairs = [_TOLERANCES.get(dt, (0.0, 0.0)) for dt in dtypes]
    return max(p[0] for p in pairs), max(p[1] for p in pairs)


def _is_number(x):
    return isinstance(x, (bool, int, float, complex, np.number, np.bool_))


def _is_tensor_like(x):
    return isinstance(x, (Tensor, np.ndarray))


def _compare(actual, expected, rtol, atol, equal_nan, checks, path):
    if _is_tensor_like(actual) or _is_tensor_like(expected):
        if type(actual) is not type(expected):
            raise _Fail(TypeError, f"No comparison pair was able to handle inputs of type "
                                   f"{type(actual)} and {type(expected)}.")
        _compare_tensors(actual, expected, rtol, atol, equal_nan, checks)
    elif _is_number(actual) and _is_number(expected):
        _compare_numbers(actual, expected, rtol, atol, equal_nan, checks)
    elif actual is None and expected is None:
        return
    elif (isinstance(actual, collections.abc.Mapping)
          and isinstance(expected, collections.abc.Mapping)):
        _compare_mappings(actual, expected, rtol, atol, equal_nan, checks, path)
    elif (_is_sequence(actual) and _is_sequence(expected)):
        if len(actual) != len(expected):
            raise _Fail(AssertionError, f"The length of the sequences mismatch: {len(actual)} "
                                        f"!= {len(expected)}")
        for i, (a, e) in enumerate(zip(actual, expected)):
            _compare(a, e, rtol, atol, equal_nan, checks, path + (i,))
    else:
        raise _Fail(TypeError, f"No comparison pair was able to handle inputs of type "
                               f"{type(actual)} and {type(expected)}.")


def _is_sequence(x):
    return isinstance(x, collections.abc.Sequence) and not isinstance(x, (str, bytes))


def _compare_mappings(actual, expected, rtol, atol, equal_nan, checks, path):
    a_keys, e_keys = set(actual.keys()), set(expected.keys())
    if a_keys != e_keys:
        missing = sorted(map(repr, e_keys - a_keys))
        extra = sorted(map(repr, a_keys - e_keys))
        raise _Fail(AssertionError, f"The keys of the mappings do not match:\nMissing keys in "
                                    f"the actual mapping: [{', '.join(missing)}]\nAdditional "
                                    f"keys in the actual mapping: [{', '.join(extra)}]")
    for key in expected:
        _compare(actual[key], expected[key], rtol, atol, equal_nan, checks, path + (key,))


def _compare_numbers(actual, expected, rtol, atol, equal_nan, checks):
    if isinstance(actual, np.generic):
        actual = actual.item()
    if isinstance(expected, np.generic):
        expected = expected.item()
    if checks["dtype"] and type(actual) is not type(expected):
        raise _Fail(AssertionError, f"The (d)types do not match: {type(actual)} != "
                                    f"{type(expected)}.")
    rtol, atol = _tolerances([_NUMBER_DTYPE[type(actual)], _NUMBER_DTYPE[type(expected)]],
                             rtol, atol)
    a = np.asarray(actual, dtype=np.complex128 if isinstance(actual, complex) else np.float64)
    e = np.asarray(expected, dtype=a.dtype if isinstance(actual, complex) else
                   (np.complex128 if isinstance(expected, complex) else np.float64))
    _check_values(a.reshape(1), e.reshape(1), rtol, atol, equal_nan, scalar=(actual, expected))


def _compare_tensors(actual, expected, rtol, atol, equal_nan, checks):
    if isinstance(actual, Tensor):
        attrs = [("shape", lambda t: t.shape)]
        if checks["device"]:
            attrs.append(("device", lambda t: t.device))
        if checks["dtype"]:
            attrs.append(("dtype", lambda t: t.dtype))
        if checks["stride"]:
            attrs.append(("stride()", lambda t: t.stride()))
        for name, get in attrs:
            a, e = get(actual), get(expected)
            if a != e:
                raise _Fail(AssertionError, f"The values for attribute '{name}' do not match: "
                                            f"{a} != {e}.")
        if actual.device.type == "meta":
            return
        dtypes = [actual.dtype, expected.dtype]
        a_arr, e_arr = actual._data, expected._data
    else:
        if actual.shape != expected.shape:
            raise _Fail(AssertionError, f"The values for attribute 'shape' do not match: "
                                        f"{actual.shape} != {expected.shape}.")
        if checks["dtype"] and actual.dtype != expected.dtype:
            raise _Fail(AssertionError, f"The values for attribute 'dtype' do not match: "
                                        f"{actual.dtype} != {expected.dtype}.")
        dtypes = [D.from_numpy_dtype(actual.dtype), D.from_numpy_dtype(expected.dtype)]
        a_arr, e_arr = actual, expected
    rtol, atol = _tolerances(dtypes, rtol, atol)
    scalar = None
    if a_arr.ndim == 0:
        scalar = (a_arr.item() if a_arr.dtype.kind != "V" else float(a_arr),
                  e_arr.item() if e_arr.dtype.kind != "V" else float(e_arr))
    _check_values(_as_compute(a_arr), _as_compute(e_arr), rtol, atol, equal_nan, scalar=scalar)


def _as_compute(arr):
    """The values as float64/complex128 (or int64/bool, compared exactly)."""
    if arr.dtype.kind == "c":
        return arr.astype(np.complex128)
    if arr.dtype.kind in "fV":
        return arr.astype(np.float64)
    if arr.dtype.kind == "b":
        return arr
    return arr.astype(np.int64) if arr.dtype != np.uint64 else arr.astype(np.float64)


def _check_values(a, e, rtol, atol, equal_nan, scalar=None):
    exact = a.dtype.kind in "biu" and e.dtype.kind in "biu" and rtol == 0 and atol == 0
    if a.dtype.kind == "b" or e.dtype.kind == "b":
        a, e = a.astype(np.int64), e.astype(np.int64)
    with np.errstate(all="ignore"):
        if a.dtype.kind in "iu" and e.dtype.kind in "iu":
            close = a == e if exact else np.abs(a - e) <= atol + rtol * np.abs(e)
        else:
            a, e = np.asarray(a, dtype=np.result_type(a, e, np.float64)), np.asarray(
                e, dtype=np.result_type(a, e, np.float64))
            close = a == e
            finite = np.isfinite(a) & np.isfinite(e)
            close |= finite & (np.abs(a - e) <= atol + rtol * np.abs(e))
            if equal_nan:
                close |= np.isnan(a) & np.isnan(e)
    if close.all():
        return
    raise _Fail(AssertionError, _mismatch_message(a, e, close, rtol, atol, exact, scalar))


def _mismatch_message(a, e, close, rtol, atol, exact, scalar):
    word = "equal" if exact else "close"
    with np.errstate(all="ignore"):
        diff = np.abs(a - e).astype(np.float64) if a.dtype.kind != "c" else np.abs(a - e)
        rel = diff / np.abs(e)
    diff = np.where(close, 0, diff)
    rel = np.where(close, 0, rel)
    allowed_abs = "" if exact else f" (up to {atol} allowed)"
    allowed_rel = "" if exact else f" (up to {rtol} allowed)"
    if scalar is not None:
        return (f"Scalars are not {word}!\n\nExpected {scalar[1]} but got {scalar[0]}.\n"
                f"Absolute difference: {_fmt(diff.reshape(-1)[0])}{allowed_abs}\n"
                f"Relative difference: {_fmt(rel.reshape(-1)[0])}{allowed_rel}")
    total = close.size
    bad = total - int(close.sum())
    i_abs = np.unravel_index(_nan_argmax(diff), diff.shape)
    i_rel = np.unravel_index(_nan_argmax(rel), rel.shape)
    return (f"Tensor-likes are not {word}!\n\nMismatched elements: {bad} / {total} "
            f"({100.0 * bad / total:.1f}%)\n"
            f"Greatest absolute difference: {_fmt(diff[i_abs])} at index "
            f"{tuple(int(i) for i in i_abs)}{allowed_abs}\n"
            f"Greatest relative difference: {_fmt(rel[i_rel])} at index "
            f"{tuple(int(i) for i in i_rel)}{allowed_rel}")


def _nan_argmax(arr):
    flat = arr.reshape(-1)
    nan = np.isnan(flat)
    if nan.any():
        return int(np.argmax(nan))
    return int(np.argmax(flat))


def _fmt(x):
    x = float(x)
    return int(x) if x.is_integer() and math.isfinite(x) else x


def assert_close(actual, expected, *, allow_subclasses=True, rtol=None, atol=None,
                 equal_nan=False, check_device=True, check_dtype=True, check_layout=True,
                 check_stride=False, msg=None):
    """Raise AssertionError unless ``actual`` and ``expected`` are close:
    ``|actual - expected| <= atol + rtol * |expected|`` elementwise, with torch's default
    tolerances per dtype (exact for integers and bools), after checking shape, device and
    dtype.  Works on tensors, NumPy arrays, numbers, and sequences or mappings of them.
    ``msg`` (a string, or a callable taking the generated message) replaces the message.

    >>> ember.testing.assert_close(ember.tensor([1.0]), ember.tensor([1.0]))
    """
    checks = {"device": check_device, "dtype": check_dtype, "stride": check_stride}
    try:
        _compare(actual, expected, rtol, atol, equal_nan, checks, ())
    except _Fail as fail:
        message = fail.message
        if fail.exc_type is AssertionError and msg is not None:
            message = msg(message) if callable(msg) else msg
        raise fail.exc_type(message) from None


def make_tensor(*shape, dtype, device=None, low=None, high=None, requires_grad=False,
                noncontiguous=False, exclude_zero=False, memory_format=None):
    """A tensor of ``shape`` filled with random values in ``[low, high)`` (defaults as
    torch: [-9, 9] for signed and float dtypes, [0, 10) for uint8, random bools).

    >>> ember.testing.make_tensor(2, 3, dtype=ember.float32)
    """
    import ember
    if len(shape) == 1 and isinstance(shape[0], (list, tuple)):
        shape = tuple(shape[0])
    rng = np.random.default_rng(int(ember.randint(0, 2 ** 31 - 1, ()).item()))
    np_dtype = dtype.np
    if dtype is D.bool:
        arr = rng.random(shape) < 0.5
    elif dtype.category == D.INT:
        info = np.iinfo(np_dtype)
        lo = max((0 if np_dtype.kind == "u" else -9) if low is None else math.ceil(low),
                 int(info.min))   # clamped to the dtype's range, as torch does
        hi = min(10 if high is None else math.ceil(high), int(info.max) + 1)
        arr = rng.integers(lo, max(hi, lo + 1), size=shape)
    else:
        lo = -9.0 if low is None else low
        hi = 9.0 if high is None else high
        arr = rng.uniform(lo, hi, size=shape)
        if np_dtype.kind == "c":
            arr = arr + 1j * rng.uniform(lo, hi, size=shape)
    arr = np.asarray(arr).astype(np_dtype)
    if exclude_zero:
        replacement = True if dtype is D.bool else (1 if dtype.category == D.INT else
                                                     float(np.finfo(np.float16).tiny))
        arr = np.where(arr == 0, np.asarray(replacement).astype(np_dtype), arr)
    if noncontiguous and arr.size > 1:
        doubled = np.repeat(arr[..., None], 2, axis=-1).reshape(arr.shape[:-1] + (-1,))
        result = ember.tensor(doubled, device=device)[..., ::2]
    else:
        result = ember.tensor(arr, device=device)
    if requires_grad:
        result.requires_grad_(True)
    return result

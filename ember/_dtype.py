"""dtypes, torch's type-promotion rules and the default dtype.

Each ember dtype wraps the NumPy dtype that stores it (bfloat16 comes from
ml_dtypes).  Promotion follows torch, not NumPy: an integer tensor combined with a
float16 tensor is float16, a Python float does not upcast a float32 tensor, and
integer true division gives the default float dtype.
"""
import builtins

import ml_dtypes
import numpy as np

__all__ = [
    "dtype", "bool", "uint8", "int8", "int16", "int32", "int64", "float16", "bfloat16",
    "float32", "float64", "complex64", "complex128", "half", "float", "double", "short",
    "int", "long", "cfloat", "cdouble", "promote_types", "result_type", "can_cast",
    "get_default_dtype", "set_default_dtype", "finfo", "iinfo",
]

# Categories, ordered as torch orders them when mixing tensors and scalars.
BOOL, INT, FLOAT, COMPLEX = 0, 1, 2, 3


class dtype:
    """A tensor element type (``ember.float32`` ...). Compare with ``is`` or ``==``."""

    __slots__ = ("name", "np", "itemsize", "category", "is_signed", "_rank")

    def __init__(self, name, np_dtype, category, is_signed, rank):
        self.name = name
        self.np = np.dtype(np_dtype)
        self.itemsize = self.np.itemsize
        self.category = category
        self.is_signed = is_signed
        self._rank = rank

    @property
    def is_floating_point(self):
        return self.category == FLOAT

    @property
    def is_complex(self):
        return self.category == COMPLEX

    def to_real(self):
        return {complex64: float32, complex128: float64}.get(self, self)

    def to_complex(self):
        return {float16: complex64, bfloat16: complex64, float32: complex64,
                float64: complex128}.get(self, self)

    def __repr__(self):
        # NOTE: printed as torch prints it, so that output (and code that parses
        # str(dtype)) is identical under ``import ember as torch``.
        return "torch." + self.name

    def __reduce__(self):
        return (_dtype_by_name, (self.name,))


def _dtype_by_name(name):
    return _BY_NAME[name]


bool = dtype("bool", np.bool_, BOOL, False, 0)
uint8 = dtype("uint8", np.uint8, INT, False, 1)
int8 = dtype("int8", np.int8, INT, True, 1)
int16 = dtype("int16", np.int16, INT, True, 2)
int32 = dtype("int32", np.int32, INT, True, 3)
int64 = dtype("int64", np.int64, INT, True, 4)
float16 = dtype("float16", np.float16, FLOAT, True, 1)
bfloat16 = dtype("bfloat16", ml_dtypes.bfloat16, FLOAT, True, 1)
float32 = dtype("float32", np.float32, FLOAT, True, 2)
float64 = dtype("float64", np.float64, FLOAT, True, 3)
complex64 = dtype("complex64", np.complex64, COMPLEX, True, 2)
complex128 = dtype("complex128", np.complex128, COMPLEX, True, 3)

half, double, short, long, cfloat, cdouble = float16, float64, int16, int64, complex64, complex128
float = float32  # noqa: A001  (torch.float is float32)
int = int32  # noqa: A001  (torch.int is int32)

ALL_DTYPES = (bool, uint8, int8, int16, int32, int64, float16, bfloat16, float32, float64,
              complex64, complex128)
_BY_NAME = {d.name: d for d in ALL_DTYPES}
# NumPy dtype -> ember dtype; keyed by np.dtype (hash-equal to its scalar type too).
_FROM_NP = {d.np: d for d in ALL_DTYPES}


def from_numpy_dtype(np_dtype):
    """The ember dtype for a NumPy dtype; TypeError for ones torch has no equivalent of."""
    try:
        return _FROM_NP[np_dtype]
    except KeyError:
        pass
    np_dtype = np.dtype(np_dtype)
    if np_dtype in _FROM_NP:
        return _FROM_NP[np_dtype]
    raise TypeError(
        f"can't convert np.ndarray of type numpy.{np_dtype}. The only supported types are: "
        "float64, float32, float16, bfloat16, complex64, complex128, int64, int32, int16, "
        "int8, uint8, and bool.")


def cast_array(arr, np_dtype):
    """A new array: ``arr`` converted to ``np_dtype``, rounding as torch's casts do.

    NOTE: torch converts float64 to float16 through float32 (two roundings); NumPy
    rounds once, which differs for values just above a float16 halfway point.
    """
    if np_dtype == np.float16 and arr.dtype == np.float64:
        return arr.astype(np.float32).astype(np.float16)
    if arr.dtype.kind == "c" and np.dtype(np_dtype).kind != "c":
        arr = arr.real   # the caller warns as torch does; NumPy's ComplexWarning must not leak
    return arr.astype(np_dtype, copy=True)


def _promote_same_category(a, b):
    if a.category == INT:
        if a.is_signed == b.is_signed:
            return a if a._rank >= b._rank else b
        unsigned, signed = (a, b) if not a.is_signed else (b, a)
        # uint8 with int8 needs int16; with any wider signed type the signed one wins.
        return int16 if signed is int8 else signed
    if a.category == FLOAT and {a, b} == {float16, bfloat16}:
        return float32
    return a if a._rank >= b._rank else b


def _check_dtypes(op, first, second, names=("type1", "type2")):
    for position, value in ((1, first), (2, second)):
        if not isinstance(value, dtype):
            raise TypeError(f"{op}(): argument '{names[position - 1]}' (position {position}) "
                            f"must be ember.dtype, not {type(value).__name__}")


def promote_types(type1, type2):
    """The smallest dtype both can be converted to, by torch's table.

    >>> ember.promote_types(ember.uint8, ember.int8)
    torch.int16
    """
    if type1 is type2:
        if type(type1) is not dtype:
            _check_dtypes("promote_types", type1, type2)
        return type1
    if type(type1) is not dtype or type(type2) is not dtype:
        _check_dtypes("promote_types", type1, type2)
    c1, c2 = type1.category, type2.category
    if c1 == c2:
        return _promote_same_category(type1, type2)
    if c1 < c2:
        type1, type2, c1, c2 = type2, type1, c2, c1
    # type1 is of the higher category.
    if c1 == COMPLEX and c2 == FLOAT:
        real = promote_types(type1.to_real(), type2)
        return real.to_complex()
    return type1


_default_dtype = float32


def get_default_dtype():
    """The dtype of floats created from Python numbers (float32 unless changed)."""
    return _default_dtype


def set_default_dtype(d):
    """Set the default floating dtype; like torch, only float16/bfloat16/32/64 allowed."""
    global _default_dtype
    if not isinstance(d, dtype) or d.category != FLOAT:
        raise TypeError(f"only floating-point types are supported as the default type, got {d}")
    _default_dtype = d


def default_complex_dtype():
    return complex128 if _default_dtype is float64 else complex64


def scalar_dtype(value):
    """dtype a Python scalar gets when it becomes a tensor on its own."""
    t = type(value)
    if t is builtins.bool or t is np.bool_:
        return bool
    if t is builtins.int:
        return int64
    if t is builtins.float:
        return _default_dtype
    if t is builtins.complex:
        return default_complex_dtype()
    if isinstance(value, np.generic):
        return from_numpy_dtype(value.dtype)
    raise TypeError(f"expected a number, got {type(value).__name__}")


def _scalar_category(value):
    t = type(value)
    if t is builtins.bool:
        return BOOL
    if t is np.bool_:
        # NOTE: torch reads a NumPy bool scalar as a Python float when it takes part in
        # promotion (int32 tensor + np.True_ is float32), so ember does too.
        return FLOAT
    if t is builtins.int or isinstance(value, np.integer):
        return INT
    if t is builtins.float or isinstance(value, np.floating):
        return FLOAT
    if t is builtins.complex or isinstance(value, (np.complexfloating, complex)):
        return COMPLEX
    if isinstance(value, builtins.bool):
        return BOOL
    if isinstance(value, builtins.int):
        return INT
    if isinstance(value, builtins.float):
        return FLOAT
    raise TypeError(f"result_type(): expected a Tensor or a number, got {type(value).__name__}")


def _wrapped_scalar_dtype(value):
    """dtype of a Python scalar taking part in promotion (a 'wrapped number' in torch)."""
    cat = _scalar_category(value)
    return (bool, int64, _default_dtype, default_complex_dtype())[cat]


def _combine(higher, lower):
    # Mirrors torch's combine_categories: a lower-priority participant only matters
    # when it belongs to a higher category.
    if higher is None:
        return lower
    if lower is None:
        return higher
    if higher.category == COMPLEX:
        return higher
    if lower.category == COMPLEX:
        if higher.category == FLOAT:
            return higher.to_complex()
        return lower
    if higher.category == FLOAT:
        return higher
    if higher is bool or lower.category == FLOAT:
        return promote_types(higher, lower)
    return higher


_PY_SCALARS = (builtins.bool, builtins.int, builtins.float)


def _with_python_scalar(dt, scalar_type):
    """Result of a tensor of dtype ``dt`` with a Python bool/int/float (the common case)."""
    if scalar_type is builtins.float:
        return dt if dt.category >= FLOAT else _default_dtype
    if scalar_type is builtins.int:
        return dt if dt.category >= INT else int64
    return dt


def result_type_of(*operands):
    """torch.result_type for any mix of tensors and Python scalars."""
    if len(operands) == 2:
        # Fast path for tensor (op) Python scalar: binary ops on the slow path land here.
        a, b = operands
        if type(b) in _PY_SCALARS and getattr(a, "_dtype_for_promotion", None) is not None:
            return _with_python_scalar(_FROM_NP[a._data.dtype], type(b))
        if type(a) in _PY_SCALARS and getattr(b, "_dtype_for_promotion", None) is not None:
            return _with_python_scalar(_FROM_NP[b._data.dtype], type(a))
    dim_result = zero_result = wrapped_result = None
    for op in operands:
        dt = getattr(op, "_dtype_for_promotion", None)
        if dt is not None:
            dt = op.dtype
            if op.ndim > 0:
                dim_result = dt if dim_result is None else promote_types(dim_result, dt)
            else:
                zero_result = dt if zero_result is None else promote_types(zero_result, dt)
        else:
            dt = _wrapped_scalar_dtype(op)
            wrapped_result = dt if wrapped_result is None else promote_types(wrapped_result, dt)
    return _combine(dim_result, _combine(zero_result, wrapped_result))


def result_type(tensor, other):
    """The dtype an arithmetic op on ``tensor`` and ``other`` would produce."""
    return result_type_of(tensor, other)


def can_cast(from_, to):
    """Whether torch's same-kind casting rule allows ``from_`` -> ``to``.

    >>> ember.can_cast(ember.float32, ember.int32)
    False
    """
    if type(from_) is not dtype or type(to) is not dtype:
        _check_dtypes("can_cast", from_, to, ("from_", "to"))
    if from_.category > to.category:
        return False
    if from_.category == to.category:
        return True
    return not (from_ is not bool and to is bool)


class finfo:
    """Machine limits of a floating dtype, as ``torch.finfo`` (default: the default dtype).

    >>> ember.finfo(ember.float16).max
    65504.0
    """

    __slots__ = ("bits", "eps", "max", "min", "tiny", "smallest_normal", "resolution", "dtype")

    def __init__(self, type=None):  # noqa: A002  (torch's argument name)
        if type is None:
            type = _default_dtype
        if not isinstance(type, dtype):
            raise TypeError(f"finfo(): argument 'type' must be ember.dtype, not "
                            f"{builtins.type(type).__name__}")
        if type.category < FLOAT:
            raise TypeError("torch.finfo() requires a floating point input type. Use "
                            "torch.iinfo to handle 'torch.finfo'")
        real = type.to_real()
        info = ml_dtypes.finfo(real.np)
        self.bits = real.itemsize * 8
        self.eps = builtins.float(info.eps)
        self.max = builtins.float(info.max)
        self.min = builtins.float(info.min)
        self.tiny = self.smallest_normal = builtins.float(info.smallest_normal)
        self.resolution = 10.0 ** -info.precision  # exact decimal, not rounded to the dtype
        self.dtype = real.name

    def __repr__(self):
        return (f"finfo(resolution={self.resolution:g}, min={self.min:g}, max={self.max:g}, "
                f"eps={self.eps:g}, smallest_normal={self.smallest_normal:g}, "
                f"tiny={self.tiny:g}, dtype={self.dtype})")


class iinfo:
    """Limits of an integer dtype, as ``torch.iinfo``.

    >>> ember.iinfo(ember.int8).min
    -128
    """

    __slots__ = ("bits", "max", "min", "dtype")

    def __init__(self, type):  # noqa: A002  (torch's argument name)
        if not isinstance(type, dtype):
            raise TypeError(f"iinfo(): argument 'type' must be ember.dtype, not "
                            f"{builtins.type(type).__name__}")
        if type is bool:
            raise TypeError("torch.bool is not supported by torch.iinfo")
        if type.category != INT:
            raise TypeError("torch.iinfo() requires an integer input type. Use torch.finfo "
                            "to handle 'torch.iinfo'")
        info = np.iinfo(type.np)
        self.bits = type.itemsize * 8
        self.max = builtins.int(info.max)
        self.min = builtins.int(info.min)
        self.dtype = type.name

    def __repr__(self):
        return f"iinfo(min={self.min:g}, max={self.max:g}, dtype={self.dtype})"

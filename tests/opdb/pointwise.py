"""Registry entries for pointwise ops."""
import numpy as np

from . import ALL, ALL_FLOATS, INTS, NUMERIC, ErrorInput, OpInfo, SampleInput, T

BOOL_INTS = ("bool",) + INTS
NAN, INF = float("nan"), float("inf")


def binary_samples(dtype):
    return [
        SampleInput(T((3, 4)), T((3, 4))),
        SampleInput(T((3, 4)), T((4,))),             # broadcasting
        SampleInput(T((2, 1, 4)), T((3, 1))),        # both sides broadcast
        SampleInput(T(()), T((3,))),                 # 0-dim with 1-d
        SampleInput(T((0, 3)), T((3,))),             # empty
        SampleInput(T((3, 4), noncontig=True), T((3, 4), noncontig=True)),
        SampleInput(T((3,)), 2),                     # python int scalar
        SampleInput(T((3,)), 2.5),                   # python float scalar
        SampleInput(T((3,)), T((), dtype="float64")),  # 0-dim of another dtype
        SampleInput(T((3,)), T((3,), dtype="int64")),  # mixed dtype tensors
    ]


def unary_samples(dtype, positive=False, low=-3.0, high=3.0):
    return [
        SampleInput(T((3, 4), low=low, high=high, positive=positive)),
        SampleInput(T((), low=low, high=high, positive=positive)),
        SampleInput(T((0, 2), low=low, high=high, positive=positive)),
        SampleInput(T((2, 3), noncontig=True, low=low, high=high, positive=positive)),
    ]


def _unary(**kw):
    return lambda dtype: unary_samples(dtype, **kw)


def _special(dtype):
    """Fixed values with NaN, infinities and signed zeros (float dtypes only)."""
    if dtype not in ALL_FLOATS:
        return []
    values = np.array([NAN, INF, -INF, 0.0, -0.0, 1.5, -2.5, 3.0])
    return [SampleInput(T(array=values, requires_grad=False))]


def _nonzero_binary(dtype):
    return [SampleInput(T((3, 4)), T((3, 4), low=0.5, high=2.0)),
            SampleInput(T((3, 4)), T((4,), low=0.5, high=2.0)),
            SampleInput(T(()), T((3,), low=0.5, high=2.0)),
            SampleInput(T((3,)), 2),
            SampleInput(T((3,)), 2.5)]


def _division_samples(dtype):
    """fmod / remainder / floor_divide: divisors of both signs, never zero."""
    return _nonzero_binary(dtype) + [
        SampleInput(T((3, 4)), T((3, 4), low=-2.0, high=-0.5)),
        SampleInput(T((0, 4)), T((4,), low=0.5, high=2.0)),
        SampleInput(T((3, 4), noncontig=True), T((3, 4), low=0.5, high=2.0, noncontig=True)),
        SampleInput(T((3,)), -3),
    ]


def _pow_samples(dtype):
    pos = dict(positive=True)
    return [
        SampleInput(T((3, 4)), 2),
        SampleInput(T((3, 4)), 3),
        SampleInput(T((3, 4), **pos), 0.5),
        SampleInput(T((3, 4), **pos), -1),           # integer tensors: RuntimeError
        SampleInput(T((3, 4), **pos), -2),
        SampleInput(T((3, 4), **pos), -0.5),
        SampleInput(T((3, 4), **pos), 2.5),
        SampleInput(T((3, 4)), 0),
        SampleInput(T((3, 4)), 1),
        SampleInput(T((3, 4)), 5),
        SampleInput(T((3, 4), **pos), T((3, 4))),    # integer exponents of both signs
        SampleInput(T((3, 4), **pos), T((4,))),
        SampleInput(T((), **pos), T((3,))),
        SampleInput(T((0, 2), **pos), T((2,))),
        SampleInput(T((2, 3), noncontig=True, **pos), T((2, 3), noncontig=True)),
        SampleInput(T((3,), **pos), T((), dtype="float64")),
    ]


def _float_power_samples(dtype):
    pos = dict(positive=True)
    return [SampleInput(T((3, 4), **pos), 2),
            SampleInput(T((3, 4), **pos), -1),
            SampleInput(T((3, 4), **pos), 0.5),
            SampleInput(T((3, 4), **pos), T((4,))),
            SampleInput(T((), **pos), T((3,), dtype="int64")),
            SampleInput(T((0, 3), **pos), 2)]


def _rpow_samples(dtype):
    """Tensor.__rpow__(exponent, base): base ** exponent with a number base."""
    return [SampleInput(T((3, 4)), 2),
            SampleInput(T((3, 4)), 2.5),
            SampleInput(T(()), 0.5),
            SampleInput(T((0, 2)), 3),
            SampleInput(T((2, 3), noncontig=True), 1.5)]


def _reflected_samples(dtype):
    return [SampleInput(T((3, 4), low=0.5, high=3.0), 7),
            SampleInput(T((3, 4), low=-3.0, high=-0.5), 5),
            SampleInput(T((), low=0.5, high=3.0), 2.5),
            SampleInput(T((0, 2), low=0.5, high=3.0), 3)]


def _shift_samples(dtype):
    return [SampleInput(T((3, 4), low=-20, high=20), T((3, 4), low=0, high=9)),
            SampleInput(T((3, 4)), T((4,))),         # negative shift amounts too
            SampleInput(T((3,)), 2),
            SampleInput(T((3,)), 9),
            SampleInput(T(()), T((3,), low=0, high=4)),
            SampleInput(T((0, 3)), 1),
            SampleInput(T((2, 3), noncontig=True), T((2, 3), low=0, high=5, noncontig=True))]


def _rshift_reflected(dtype):
    return [SampleInput(T((3, 4), low=0, high=5), 100),
            SampleInput(T((), low=0, high=3), -64)]


def _logit_samples(dtype):
    return unary_samples(dtype, low=0.05, high=0.95) + [
        SampleInput(T((3, 4), low=-0.2, high=1.2), 0.1),
        SampleInput(T((3, 4), low=0.02, high=0.98), eps=0.1),
    ]


def _round_samples(dtype):
    return unary_samples(dtype, low=-30, high=30) + [
        SampleInput(T((3, 4), low=-30, high=30), decimals=1),
        SampleInput(T((3, 4), low=-300, high=300), decimals=-1),
        SampleInput(T(array=np.array([0.5, 1.5, 2.5, -0.5, -1.5]), requires_grad=False)),
    ]


def _nan_to_num_samples(dtype):
    special = _special(dtype)
    extra = []
    if special:
        arr = special[0].args[0]
        extra = [SampleInput(arr, nan=1.5),
                 SampleInput(arr, 0.5, posinf=100.0, neginf=-100.0),
                 SampleInput(arr, nan=-1.0, posinf=1e40)]
    return unary_samples(dtype) + special + extra


def _clamp_samples(dtype):
    return [
        SampleInput(T((3, 4)), -1, 1),
        SampleInput(T((3, 4)), -1.5, 1.5),
        SampleInput(T((3, 4)), min=-0.5),
        SampleInput(T((3, 4)), max=0.5),
        SampleInput(T((3, 4)), 1.0, -1.0),                     # min > max: all max
        SampleInput(T(()), 0, 2),
        SampleInput(T((0, 3)), 0, 2),
        SampleInput(T((2, 3), noncontig=True), -1, 1),
        SampleInput(T((3, 4)), T((3, 4), low=-3, high=0), T((3, 4), low=0, high=3)),
        SampleInput(T((3, 4)), T((4,), low=-3, high=0)),        # tensor min only
        SampleInput(T((3, 4)), None, T((3, 1), low=0, high=3)),  # tensor max only
        SampleInput(T((3, 4)), T((3, 4)), T((3, 4))),           # bounds may cross
        SampleInput(T((3,)), T((), dtype="float64"), None),
    ]


def _clamp_one_samples(dtype):
    return [SampleInput(T((3, 4)), 0.5),
            SampleInput(T((3, 4)), -1),
            SampleInput(T(()), 1),
            SampleInput(T((0, 3)), 1),
            SampleInput(T((2, 3), noncontig=True), 0),
            SampleInput(T((3, 4)), T((3, 4))),
            SampleInput(T((3, 4)), T((4,))),
            SampleInput(T((3,)), T((), dtype="float64"))]


def _lerp_samples(dtype):
    return [SampleInput(T((3, 4)), T((3, 4)), 0.3),
            SampleInput(T((3, 4)), T((3, 4)), 0.8),
            SampleInput(T((3, 4)), T((3, 4)), T((3, 4), low=-0.5, high=1.5)),
            SampleInput(T((3, 4)), T((4,)), 0.5),
            SampleInput(T((3, 1)), T((4,)), T((3, 4), low=0, high=1)),
            SampleInput(T(()), T((3,)), T(())),
            SampleInput(T((0, 3)), T((3,)), 0.5),
            SampleInput(T((2, 3), noncontig=True), T((2, 3), noncontig=True), 0.25),
            SampleInput(T((3,)), T((3,), dtype="float64"), 0.5)]   # dtypes must match


def _addc_samples(dtype):
    nz = dict(low=0.5, high=2.0)
    return [SampleInput(T((3, 4)), T((3, 4)), T((3, 4), **nz)),
            SampleInput(T((3, 4)), T((3, 4)), T((3, 4), **nz), value=2),
            SampleInput(T((3, 4)), T((3, 1)), T((4,), **nz), value=0.5),
            SampleInput(T(()), T((3,)), T((), **nz)),
            SampleInput(T((0, 3)), T((3,)), T((3,), **nz)),
            SampleInput(T((2, 3), noncontig=True), T((2, 3)), T((2, 3), noncontig=True, **nz)),
            SampleInput(T((3,)), T((3,), dtype="float64"), T((3,), **nz))]


def _where_samples(dtype):
    cond = dict(dtype="bool")
    return [SampleInput(T((3, 4), **cond), T((3, 4)), T((3, 4))),
            SampleInput(T((3, 4), **cond), T((4,)), T((3, 1))),
            SampleInput(T((3, 4), **cond), T((3, 4)), 0),
            SampleInput(T((3, 4), **cond), 2.5, T((3, 4))),
            SampleInput(T((3, 4), **cond), 1, 2),
            SampleInput(T((), **cond), T((3,)), T(())),
            SampleInput(T((0, 3), **cond), T((3,)), T((0, 1))),
            SampleInput(T((2, 3), noncontig=True, **cond), T((2, 3), noncontig=True), T((3,))),
            SampleInput(T((3,), **cond), T((3,)), T((3,), dtype="float64"))]


def _isclose_samples(dtype):
    samples = [SampleInput(T((3, 4)), T((3, 4))),
               SampleInput(T((3, 4)), T((4,))),
               SampleInput(T(()), T((0, 2))),
               SampleInput(T((3,)), T((3,), dtype="float64")),   # dtypes must match
               SampleInput(T((3, 4)), T((3, 4)), rtol=0.5, atol=1.0)]
    if dtype in ALL_FLOATS:
        a = np.array([1.0, 2.0, NAN, INF, -INF, 1e-9, 100.0])
        b = np.array([1.0 + 1e-6, 2.1, NAN, INF, INF, 0.0, 100.001])
        samples += [SampleInput(T(array=a), T(array=b)),
                    SampleInput(T(array=a), T(array=b), equal_nan=True),
                    SampleInput(T(array=a), T(array=b), 1e-3, 0.0)]
    else:
        a, b = np.array([1, 2, 3, 0]), np.array([1, 3, 5, 1])
        samples += [SampleInput(T(array=a), T(array=b)),
                    SampleInput(T(array=a), T(array=b), atol=1),
                    SampleInput(T(array=a), T(array=b), rtol=0.5)]
    return samples


def _equal_samples(dtype):
    same = np.array([1, 0, 1])
    return [SampleInput(T((3, 4)), T((3, 4))),
            SampleInput(T(array=same), T(array=same)),
            SampleInput(T(array=same), T(array=same, dtype="float64")),
            SampleInput(T((3,)), T((4,))),
            SampleInput(T((0, 3)), T((0, 3)))]


def _bool_test_samples(dtype):
    return unary_samples(dtype) + _special(dtype)


def _signbit_samples(dtype):
    # NOTE: no NaN here: torch's float32 -> bfloat16 conversion (used to build the
    # torch input) sets the sign bit of every NaN, so the inputs would differ.
    values = np.array([INF, -INF, 0.0, -0.0, 1.5, -2.5])
    extra = [SampleInput(T(array=values, requires_grad=False))] if dtype in ALL_FLOATS else []
    return unary_samples(dtype) + extra


def _logical_samples(dtype):
    return binary_samples(dtype) + [SampleInput(T((3, 4)), T((3, 4), dtype="bool"))]


def _bitwise_error():
    return [ErrorInput(SampleInput(T((3,), dtype="float32"), 1), NotImplementedError,
                       ("bitwise_and",))]


_FLOAT_UNARY = [
    # name, samples, aliases
    ("exp", _unary(), ()),
    ("exp2", _unary(), ()),
    ("expm1", _unary(), ()),
    ("log", _unary(positive=True), ()),
    ("log2", _unary(positive=True), ()),
    ("log10", _unary(positive=True), ()),
    ("log1p", _unary(low=-0.5, high=3.0), ()),
    ("sqrt", _unary(positive=True), ()),
    ("rsqrt", _unary(positive=True), ()),
    ("sin", _unary(), ()),
    ("cos", _unary(), ()),
    ("tan", _unary(low=-1.2, high=1.2), ()),
    ("asin", _unary(low=-0.9, high=0.9), ("arcsin",)),
    ("acos", _unary(low=-0.9, high=0.9), ("arccos",)),
    ("atan", _unary(), ("arctan",)),
    ("sinh", _unary(), ()),
    ("cosh", _unary(), ()),
    ("tanh", _unary(), ()),
    ("asinh", _unary(), ("arcsinh",)),
    ("acosh", _unary(low=1.2, high=3.0), ("arccosh",)),
    ("atanh", _unary(low=-0.9, high=0.9), ("arctanh",)),
    ("sigmoid", _unary(low=-8.0, high=8.0), ()),
    ("erf", _unary(), ()),
    ("erfc", _unary(), ()),
    ("erfinv", _unary(low=-0.95, high=0.95), ()),
    ("reciprocal", _unary(low=0.5, high=3.0), ()),
]

OPS = [
    OpInfo("add", binary_samples, dtypes=ALL, method="add", aliases=("__add__",),
           errors=lambda: [ErrorInput(SampleInput(T((3,)), T((4,))), RuntimeError, ("add",))]),
    OpInfo("sub", binary_samples, dtypes=NUMERIC, method="sub", aliases=("subtract",),
           errors=lambda: [ErrorInput(SampleInput(T((3,), dtype="int64"), T((3,), dtype="int64"),
                                                  alpha=0.5), RuntimeError, ("sub", "alpha"))]),
    OpInfo("rsub", binary_samples, dtypes=NUMERIC),
    OpInfo("mul", binary_samples, dtypes=ALL, method="mul", aliases=("multiply",)),
    OpInfo("div", _nonzero_binary, dtypes=NUMERIC, method="div",
           aliases=("divide", "true_divide")),
    OpInfo("neg", unary_samples, dtypes=NUMERIC, method="neg", aliases=("negative",)),
    OpInfo("positive", unary_samples, dtypes=NUMERIC, method="positive"),
    OpInfo("abs", _unary(), dtypes=NUMERIC, method="abs", aliases=("absolute", "__abs__")),
    OpInfo("square", unary_samples, dtypes=ALL, method="square"),
]
OPS += [OpInfo(name, samples, dtypes=ALL, method=name, aliases=aliases)
        for name, samples, aliases in _FLOAT_UNARY]
OPS += [
    OpInfo("logit", _logit_samples, dtypes=ALL, method="logit"),
    # rounding: integers pass through, bool is refused
    OpInfo("floor", _unary(), dtypes=NUMERIC, method="floor"),
    OpInfo("ceil", _unary(), dtypes=NUMERIC, method="ceil"),
    OpInfo("trunc", _unary(), dtypes=NUMERIC, method="trunc", aliases=("fix",)),
    OpInfo("round", _round_samples, dtypes=NUMERIC, method="round"),
    OpInfo("frac", _unary(), dtypes=ALL_FLOATS, method="frac"),
    OpInfo("sign", _bool_test_samples, dtypes=ALL, method="sign"),
    # torch's sgn gradient is a ZeroTensor, which the harness cannot convert to NumPy;
    # gradcheck still runs, and test_pointwise_extra compares the gradient.
    OpInfo("sgn", _bool_test_samples, dtypes=ALL, method="sgn", grad_dtypes=()),
    OpInfo("signbit", _signbit_samples, dtypes=ALL, method="signbit", differentiable=False),
    OpInfo("nan_to_num", _nan_to_num_samples, dtypes=ALL, method="nan_to_num"),
    OpInfo("isnan", _bool_test_samples, dtypes=ALL, method="isnan", differentiable=False),
    OpInfo("isinf", _bool_test_samples, dtypes=ALL, method="isinf", differentiable=False),
    OpInfo("isposinf", _bool_test_samples, dtypes=ALL, method="isposinf",
           differentiable=False),
    OpInfo("isneginf", _bool_test_samples, dtypes=ALL, method="isneginf",
           differentiable=False),
    OpInfo("isfinite", _bool_test_samples, dtypes=ALL, method="isfinite",
           differentiable=False),
    OpInfo("isreal", _bool_test_samples, dtypes=ALL, method="isreal", differentiable=False),
    # powers
    OpInfo("pow", _pow_samples, dtypes=ALL, method="pow", aliases=("__pow__",)),
    OpInfo("Tensor.__rpow__", _rpow_samples, dtypes=ALL, method="__rpow__"),
    OpInfo("float_power", _float_power_samples, dtypes=ALL, method="float_power"),
    # binary float math
    OpInfo("atan2", binary_samples, dtypes=ALL, method="atan2", aliases=("arctan2",)),
    OpInfo("hypot", binary_samples, dtypes=ALL_FLOATS, method="hypot"),
    # division remainders
    OpInfo("fmod", _division_samples, dtypes=NUMERIC, method="fmod"),
    OpInfo("remainder", _division_samples, dtypes=NUMERIC, method="remainder",
           aliases=("__mod__",)),
    OpInfo("floor_divide", _division_samples, dtypes=NUMERIC, method="floor_divide",
           aliases=("__floordiv__",), differentiable=False),
    # number % tensor has no derivative in torch either
    OpInfo("Tensor.__rmod__", _reflected_samples, dtypes=NUMERIC, method="__rmod__",
           differentiable=False),
    OpInfo("Tensor.__rfloordiv__", _reflected_samples, dtypes=NUMERIC,
           method="__rfloordiv__", differentiable=False),
    OpInfo("Tensor.__rtruediv__", _reflected_samples, dtypes=NUMERIC, method="__rtruediv__"),
    OpInfo("Tensor.__rsub__", _reflected_samples, dtypes=NUMERIC, method="__rsub__"),
    # extremes
    OpInfo("maximum", binary_samples, dtypes=ALL, method="maximum"),
    OpInfo("minimum", binary_samples, dtypes=ALL, method="minimum"),
    OpInfo("fmax", binary_samples, dtypes=ALL, method="fmax"),
    OpInfo("fmin", binary_samples, dtypes=ALL, method="fmin"),
    OpInfo("clamp", _clamp_samples, dtypes=ALL, method="clamp", aliases=("clip",),
           errors=lambda: [ErrorInput(SampleInput(T((3,)), None, None), RuntimeError,
                                      ("clamp",))]),
    OpInfo("clamp_min", _clamp_one_samples, dtypes=ALL, method="clamp_min"),
    OpInfo("clamp_max", _clamp_one_samples, dtypes=ALL, method="clamp_max"),
    # ternary
    OpInfo("lerp", _lerp_samples, dtypes=ALL_FLOATS, method="lerp"),
    OpInfo("addcmul", _addc_samples, dtypes=NUMERIC, method="addcmul"),
    OpInfo("addcdiv", _addc_samples, dtypes=ALL_FLOATS, method="addcdiv"),
    OpInfo("where", _where_samples, dtypes=ALL),
    # comparisons
    OpInfo("eq", binary_samples, dtypes=ALL, differentiable=False, method="eq"),
    OpInfo("ne", binary_samples, dtypes=ALL, differentiable=False, method="ne",
           aliases=("not_equal",)),
    OpInfo("lt", binary_samples, dtypes=ALL, differentiable=False, method="lt",
           aliases=("less",)),
    OpInfo("le", binary_samples, dtypes=ALL, differentiable=False, method="le",
           aliases=("less_equal",)),
    OpInfo("gt", binary_samples, dtypes=ALL, differentiable=False, method="gt",
           aliases=("greater",)),
    OpInfo("ge", binary_samples, dtypes=ALL, differentiable=False, method="ge",
           aliases=("greater_equal",)),
    OpInfo("isclose", _isclose_samples, dtypes=ALL, differentiable=False, method="isclose"),
    OpInfo("allclose", _isclose_samples, dtypes=ALL, differentiable=False, method="allclose",
           meta=False),
    OpInfo("equal", _equal_samples, dtypes=ALL, differentiable=False, method="equal",
           meta=False),
    # logical and bitwise
    OpInfo("logical_not", unary_samples, dtypes=ALL, differentiable=False,
           method="logical_not"),
    OpInfo("logical_and", _logical_samples, dtypes=ALL, differentiable=False,
           method="logical_and"),
    OpInfo("logical_or", _logical_samples, dtypes=ALL, differentiable=False,
           method="logical_or"),
    OpInfo("logical_xor", _logical_samples, dtypes=ALL, differentiable=False,
           method="logical_xor"),
    OpInfo("bitwise_not", unary_samples, dtypes=BOOL_INTS, differentiable=False,
           method="bitwise_not", aliases=("__invert__",)),
    OpInfo("bitwise_and", binary_samples, dtypes=BOOL_INTS, differentiable=False,
           method="bitwise_and", aliases=("__and__",), errors=_bitwise_error),
    OpInfo("bitwise_or", binary_samples, dtypes=BOOL_INTS, differentiable=False,
           method="bitwise_or", aliases=("__or__",)),
    OpInfo("bitwise_xor", binary_samples, dtypes=BOOL_INTS, differentiable=False,
           method="bitwise_xor", aliases=("__xor__",)),
    OpInfo("Tensor.__rand__", _reflected_samples, dtypes=BOOL_INTS, differentiable=False,
           method="__rand__"),
    OpInfo("bitwise_left_shift", _shift_samples, dtypes=INTS, differentiable=False,
           method="bitwise_left_shift", aliases=("__lshift__",)),
    OpInfo("bitwise_right_shift", _shift_samples, dtypes=INTS, differentiable=False,
           method="bitwise_right_shift", aliases=("__rshift__",)),
    OpInfo("Tensor.__rlshift__", _rshift_reflected, dtypes=INTS, differentiable=False,
           method="__rlshift__"),
    OpInfo("Tensor.__rrshift__", _rshift_reflected, dtypes=INTS, differentiable=False,
           method="__rrshift__"),
]


# Compositions of the ops above (ember/ops/pointwise/composite.py).
def _xlogy_samples(dtype):
    pos = dict(low=0.5, high=3.0)
    return [
        SampleInput(T((3, 4)), T((3, 4), **pos)),
        SampleInput(T((3, 4)), T((4,), **pos)),             # broadcasting
        SampleInput(T(()), T((2, 3), noncontig=True, **pos)),
        SampleInput(T((0, 2)), T((2,), **pos)),
        SampleInput(T((3,)), 2.5),                          # number other
        SampleInput(2, T((3,), **pos)),                     # number input
        SampleInput(0, T(array=np.array([NAN, 1.0, 0.0]), requires_grad=False)),
        SampleInput(T(array=np.array([0.0, 0.0, 2.0, 1.0]), requires_grad=False),
                    T(array=np.array([0.0, NAN, 0.0, 3.0]), requires_grad=False)),
    ]


def _ldexp_samples(dtype):
    # NOTE: torch's gradient of ldexp is 0 where an integer exponent is negative (it
    # computes 2 ** other in integers there); the float-exponent sample covers those
    exps = dict(dtype="int64", low=0, high=3, requires_grad=False)
    return [
        SampleInput(T((3, 4)), T((3, 4), **exps)),
        SampleInput(T((3, 4)), T((4,), **exps)),
        SampleInput(T(()), T((2,), **exps)),
        SampleInput(T((0, 2)), T((2,), **exps)),
        SampleInput(T((2, 3), noncontig=True), T((2, 3), low=-2.0, high=2.0)),
    ]


def _logaddexp_samples(dtype):
    special = np.array([INF, -INF, INF, 0.0, -INF, 1.0])
    return binary_samples(dtype) + [
        SampleInput(T(array=special, requires_grad=False),
                    T(array=special[::-1].copy(), requires_grad=False)),
        SampleInput(T(array=np.array([INF, -INF, 2.0]), requires_grad=False),
                    T(array=np.array([INF, -INF, 2.0]), requires_grad=False)),
    ]


OPS += [
    OpInfo("deg2rad", unary_samples, dtypes=ALL, method="deg2rad"),
    OpInfo("rad2deg", unary_samples, dtypes=ALL, method="rad2deg"),
    OpInfo("sinc", lambda dt: unary_samples(dt) + _special(dt), dtypes=ALL, method="sinc"),
    OpInfo("xlogy", _xlogy_samples, dtypes=ALL, method=None),
    OpInfo("ldexp", _ldexp_samples, dtypes=ALL, method="ldexp"),
    OpInfo("logaddexp", _logaddexp_samples, dtypes=ALL_FLOATS, method="logaddexp"),
    OpInfo("logaddexp2", _logaddexp_samples, dtypes=ALL_FLOATS, method="logaddexp2"),
]

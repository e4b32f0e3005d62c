"""Registry entries for complex numbers: the complexops family, and complex-dtype runs
of pointwise ops and reductions (their real-dtype entries live in their own modules).

Complex-dtype gradient runs compare ember's gradients of complex leaves with torch's,
which checks the conjugate-Wirtinger convention of every backward formula involved.
"""
import numpy as np

from . import COMPLEX, FLOATS, ErrorInput, OpInfo, SampleInput, T
from .pointwise import binary_samples, unary_samples
from .reduction import prod_samples, sum_samples

REAL_AND_COMPLEX = FLOATS + COMPLEX


def _unary(dtype):
    return unary_samples(dtype)


def _unary_nonzero(dtype):
    # away from 0 and from the branch cuts' trouble spots of log/sqrt/atanh ...
    return unary_samples(dtype, positive=True)


def _parts(dtype):
    """Two real tensors of the same dtype (polar, complex)."""
    return [
        SampleInput(T((3, 4), positive=True), T((3, 4))),
        SampleInput(T((3, 4), positive=True), T((4,))),          # broadcasting
        SampleInput(T((), positive=True), T(())),
        SampleInput(T((0, 3)), T((0, 3))),
        SampleInput(T((2, 3), noncontig=True, positive=True), T((2, 3), noncontig=True)),
    ]


def _pairs(dtype):
    """Real tensors whose last dim has size 2 (view_as_complex).

    (No empty sample: torch.from_numpy gives an empty array zero strides, which
    torch's view_as_complex then refuses.)
    """
    return [
        SampleInput(T((3, 2))),
        SampleInput(T((2, 3, 2))),
        SampleInput(T((2,))),
        SampleInput(T((4, 2), noncontig=True)),   # last-dim stride 2: refused
    ]


def _nonempty_unary(dtype):
    # (see _pairs: torch's own backward of view_as_real refuses zero-stride gradients)
    return [s for s in unary_samples(dtype) if 0 not in s.args[0].shape]


def _no_dtype_kwarg(samples):
    # a complex input reduced into a real dtype= is a different question (a cast first)
    return lambda dtype: [s for s in samples(dtype) if "dtype" not in s.kwargs]


def _angle_real(dtype):
    values = np.array([-2.0, -0.0, 0.0, 1.5, float("nan"), -float("inf")])
    return unary_samples(dtype) + [SampleInput(T(array=values, requires_grad=False))]


def _complex_binary(dtype):
    return binary_samples(dtype) + [
        SampleInput(T((3,)), 1.5 - 2j),                      # a Python complex scalar
        SampleInput(T((3,), dtype="float32"), T((3,))),      # real tensor with complex
    ]


def _pow(dtype):
    return [
        SampleInput(T((3, 4), positive=True), 2),
        SampleInput(T((3, 4), positive=True), 3),
        SampleInput(T((3, 4), positive=True), 0.5),
        SampleInput(T((3, 4), positive=True), -1.5),
        SampleInput(T((3, 4), positive=True), 0.5 + 1j),
        SampleInput(T((3, 4), positive=True), T((3, 4), low=-1.0, high=1.0)),
        SampleInput(T((3,), positive=True), T((2, 1), low=-1.0, high=1.0)),
    ]


def _ternary(dtype):
    return [
        SampleInput(T((3, 4)), T((3, 4)), 0.3),
        SampleInput(T((3, 4)), T((4,)), 0.75 - 0.5j),
        SampleInput(T((3, 4)), T((3, 4)), T((3, 4))),
    ]


def _addc(dtype):
    return [
        SampleInput(T((3, 4)), T((3, 4)), T((3, 4), positive=True), value=2),
        SampleInput(T((3, 4)), T((4,)), T((3, 1), positive=True), value=0.5 + 1j),
    ]


def _errors_view_as_complex():
    return [
        ErrorInput(SampleInput(T((3, 3))), RuntimeError, ("view_as_complex",)),
        ErrorInput(SampleInput(T((3,), dtype="int64")), RuntimeError, ("view_as_complex",)),
    ]


def _errors_real_input(op):
    return lambda: [ErrorInput(SampleInput(T((3,), dtype="float32")), RuntimeError, (op,))]


def _cx(name, samples, **kw):
    """A complex-dtype run of an op with a real-dtype entry elsewhere."""
    kw.setdefault("dtypes", COMPLEX)
    kw.setdefault("grad_dtypes", COMPLEX)
    kw.setdefault("meta", False)   # already covered by the op's own entry
    return OpInfo(name, samples, **kw)


OPS = [
    # -- the complexops family -----------------------------------------------------------
    OpInfo("real", _unary, dtypes=REAL_AND_COMPLEX, grad_dtypes=REAL_AND_COMPLEX),
    OpInfo("imag", _unary, dtypes=REAL_AND_COMPLEX, grad_dtypes=COMPLEX),
    OpInfo("conj", _unary, dtypes=REAL_AND_COMPLEX, grad_dtypes=REAL_AND_COMPLEX,
           method="conj"),
    OpInfo("conj_physical", _unary, dtypes=REAL_AND_COMPLEX, grad_dtypes=REAL_AND_COMPLEX,
           method="conj_physical"),
    OpInfo("resolve_conj", _unary, dtypes=REAL_AND_COMPLEX, grad_dtypes=REAL_AND_COMPLEX,
           method="resolve_conj"),
    OpInfo("resolve_neg", _unary, dtypes=REAL_AND_COMPLEX, grad_dtypes=REAL_AND_COMPLEX,
           method="resolve_neg"),
    OpInfo("is_conj", _unary, dtypes=REAL_AND_COMPLEX, differentiable=False, method="is_conj"),
    OpInfo("is_neg", _unary, dtypes=REAL_AND_COMPLEX, differentiable=False, method="is_neg"),
    OpInfo("angle", _angle_real, dtypes=("bool", "int64", "uint8") + FLOATS + COMPLEX,
           grad_dtypes=FLOATS, method="angle"),
    _cx("angle", _unary_nonzero),
    OpInfo("polar", _parts, dtypes=FLOATS),
    OpInfo("complex", _parts, dtypes=FLOATS),
    OpInfo("view_as_real", _nonempty_unary, dtypes=COMPLEX, grad_dtypes=COMPLEX,
           errors=_errors_real_input("view_as_real")),
    OpInfo("view_as_complex", _pairs, dtypes=FLOATS, errors=_errors_view_as_complex),
    # -- pointwise ops on complex tensors --------------------------------------------------
    _cx("add", _complex_binary),
    _cx("sub", _complex_binary),
    _cx("mul", _complex_binary),
    _cx("div", _complex_binary, atol={"complex64": 1e-4}, rtol={"complex64": 1e-4}),
    _cx("eq", binary_samples, differentiable=False),
    _cx("ne", binary_samples, differentiable=False),
    _cx("lt", binary_samples, differentiable=False),      # refused, as in torch
    _cx("maximum", binary_samples, differentiable=False),  # refused, as in torch
    _cx("pow", _pow, atol={"complex64": 1e-4}, rtol={"complex64": 1e-4}),
    _cx("neg", _unary),
    _cx("abs", _unary_nonzero),
    _cx("sgn", _unary_nonzero),
    _cx("sign", _unary, differentiable=False),              # refused, as in torch
    _cx("reciprocal", _unary_nonzero),
    _cx("exp", _unary),
    _cx("log", _unary_nonzero),
    _cx("sqrt", _unary_nonzero),
    _cx("rsqrt", _unary_nonzero),
    _cx("sin", _unary),
    _cx("cos", _unary),
    _cx("tan", _unary_nonzero),
    _cx("sinh", _unary),
    _cx("cosh", _unary),
    _cx("tanh", _unary_nonzero),
    _cx("sigmoid", _unary_nonzero),
    _cx("isnan", _unary, differentiable=False),
    _cx("isfinite", _unary, differentiable=False),
    _cx("isreal", _unary, differentiable=False),
    _cx("floor", _unary, differentiable=False),             # refused, as in torch
    _cx("lerp", _ternary),
    _cx("addcmul", _addc),
    _cx("addcdiv", _addc, atol={"complex64": 1e-4}, rtol={"complex64": 1e-4}),
    _cx("square", _unary),
    _cx("log10", _unary_nonzero),
    _cx("expm1", _unary),
    _cx("asinh", _unary),
    # -- reductions ------------------------------------------------------------------------
    _cx("sum", _no_dtype_kwarg(sum_samples)),
    _cx("mean", _no_dtype_kwarg(sum_samples)),
    _cx("prod", _no_dtype_kwarg(prod_samples)),
]

"""Registry entries for the composite ops (ember/ops/composites.py) and window functions."""
from . import ALL, ALL_FLOATS, FLOATS, INTS, NUMERIC, OpInfo, SampleInput as S, T
from .creation import _dt, _factory
from .shape import _method


def _diff(dtype):
    return [S(T((5,))), S(T((3, 4)), 2, 0), S(T((3, 4)), 1, -1, prepend=T((3, 2)), append=T((3, 1))),
            S(T((4, 3), noncontig=True), 1, 0), S(T((0, 3))), S(T((4,)), 0), S(T((3,)), 5)]


def _trapezoid(dtype):
    return [S(T((5,))), S(T((3, 4)), dim=0), S(T((3, 4)), dx=0.5),
            S(T((2, 4)), T((4,), dtype="float64" if dtype == "float64" else "float32")),
            S(T((4, 3), noncontig=True), T((4, 3)), dim=0), S(T((2, 1)))]


def _cov(dtype):
    return [S(T((3, 5))), S(T((6,))), S(T((2, 4)), correction=0),
            S(T((2, 4)), fweights=T((4,), dtype="int64", low=0, high=3)),
            S(T((2, 4)), aweights=T((4,), dtype="float64", low=0.1, high=1.0)),
            S(T((3, 4), noncontig=True))]


def _corrcoef(dtype):
    return [S(T((3, 5))), S(T((2, 6), noncontig=True))]


def _vander(dtype):
    return [S(T((4,))), S(T((3,)), N=5), S(T((3,)), 2, True), S(T((0,))), S(T((3,)), N=0)]


def _block_diag(dtype):
    return [S(T((2, 3)), T((1, 1)), T(()), T((3,))), S(T((2, 2))), S(T((2, 2), noncontig=True), T((0, 2)))]


def _cartesian_prod(dtype):
    return [S(T((2,)), T((3,))), S(T((2,)), T((1,)), T((2,))), S(T((3,)))]


def _combinations(dtype):
    return [S(T((4,))), S(T((4,)), 3), S(T((3,)), 2, True), S(T((2,)), 3), S(T((3,)), 0)]


def _sum_to_size(dtype):
    return [S(T((2, 3, 4)), 3, 1), S(T((2, 3)), (1, 3)), S(T((2, 3)), 2, 3),
            S(T((4, 3), noncontig=True), 1), S(T((2, 3)), ())]


def _window(dtype):
    return [S(5, dtype=_dt(dtype)), S(6, False, dtype=_dt(dtype)), S(1, dtype=_dt(dtype)),
            S(0, dtype=_dt(dtype))]


def _quantile(dtype, nan=False):
    q = T((3,), dtype=dtype, array=[0.0, 0.3, 1.0], requires_grad=False)
    nan_rows = T((2, 4), array=[[1.0, float("nan"), 3.0, 4.0], [2.0, 5.0, 1.0, 0.0]])
    return [S(T((7,)), 0.5), S(T((3, 5)), 0.25, 1), S(T((3, 5)), q, 0, True),
            S(T((2, 3, 4)), 0.75, -1, True, interpolation="lower"),
            S(T((4, 5)), q, 1, interpolation="higher"), S(T((4, 5)), 0.4, interpolation="midpoint"),
            S(T((6,)), q, interpolation="nearest"), S(T((3, 4), noncontig=True), 0.6, 0),
            S(T(()), 0.5), S(T((2, 3)), q, None, True)] + (
        # quantile of a row holding NaN is NaN: numerical gradients of it are undefined
        [S(nan_rows, 0.5, 1), S(nan_rows, q, 1)] if nan else [])


def _nanquantile(dtype):
    return _quantile(dtype, nan=True)


def _renorm(dtype):
    return [S(T((3, 4)), 2, 0, 1.0), S(T((3, 4)), 1, 1, 2.0), S(T((2, 3, 4)), 3, -1, 0.5),
            S(T((3, 4), noncontig=True), float("inf"), 0, 1.5)]


OPS = [
    OpInfo("quantile", _quantile, dtypes=FLOATS, method="quantile"),
    OpInfo("nanquantile", _nanquantile, dtypes=FLOATS, method="nanquantile"),
    OpInfo("diagflat", lambda d: [S(T((3,))), S(T((2, 2)), 1), S(T((3,)), -2), S(T(()))],
           dtypes=ALL, method="diagflat"),
    OpInfo("dist", lambda d: [S(T((3, 4)), T((4,))), S(T((5,)), T((5,)), 1), S(T((2, 3)), T((2, 3)), 3.5),
                              S(T((2, 3)), T((2, 3)), float("inf"))],
           dtypes=FLOATS, method="dist"),
    OpInfo("renorm", _renorm, dtypes=FLOATS, method="renorm"),
    OpInfo("narrow_copy", lambda d: [S(T((4, 3)), 0, 1, 2), S(T((4, 3)), -1, 0, 3)], dtypes=ALL,
           method="narrow_copy"),
    OpInfo("adjoint", lambda d: [S(T((3, 4))), S(T((2, 3, 4), noncontig=True))], dtypes=ALL,
           method="adjoint"),
    OpInfo("diff", _diff, dtypes=ALL, method="diff"),
    OpInfo("trapezoid", _trapezoid, dtypes=NUMERIC, aliases=("trapz",)),
    OpInfo("cumulative_trapezoid", _trapezoid, dtypes=NUMERIC),
    OpInfo("cov", _cov, dtypes=FLOATS + INTS, atol={"float32": 1e-5}),
    OpInfo("corrcoef", _corrcoef, dtypes=FLOATS, atol={"float32": 1e-5}),
    # NOTE: torch's own vander backward fails (an in-place cumprod), so no gradient test.
    OpInfo("vander", _vander, dtypes=FLOATS + ("int64",), differentiable=False),
    OpInfo("block_diag", _block_diag, dtypes=ALL),
    OpInfo("cartesian_prod", _cartesian_prod, dtypes=ALL),
    OpInfo("combinations", _combinations, dtypes=ALL),
    OpInfo("Tensor.sum_to_size", _sum_to_size, dtypes=NUMERIC, **_method("sum_to_size")),
    _factory("hann_window", _window, ALL_FLOATS),
    _factory("hamming_window", _window, ALL_FLOATS),
    _factory("blackman_window", _window, ALL_FLOATS),
    _factory("bartlett_window", _window, ALL_FLOATS),
    _factory("kaiser_window", _window, ALL_FLOATS),
]

"""Registry entries for the gamma family, Bessel I, ember.special's own functions and the
number-representation ops (ember/ops/gamma.py, floatbits.py, ember/special)."""
from . import ALL_FLOATS, FLOATS, INTS, NUMERIC, OpInfo, SampleInput as S, T

_AWAY_FROM_POLES = [-2.5, -1.3, -0.7, 0.4, 1.0, 2.2, 7.5, 30.0]


def _gamma_like(dtype):
    return [S(T((3, 4), positive=True)), S(T((), positive=True)), S(T((0, 2))),
            S(T((4, 3), noncontig=True, positive=True)), S(T((8,), array=_AWAY_FROM_POLES))]


def _polygamma(dtype):
    return [S(1, T((3, 4), positive=True)), S(2, T((5,), positive=True)),
            S(0, T((4,), positive=True)), S(3, T((2, 3), noncontig=True, positive=True)),
            S(1, T((8,), array=_AWAY_FROM_POLES))]


def _mvlgamma(dtype):
    return [S(T((3, 4), low=2.0, high=5.0), 1), S(T((5,), low=2.0, high=5.0), 3),
            S(T((2, 3), low=3.0, high=6.0, noncontig=True), 4)]


def _igamma(dtype):
    return [S(T((3, 4), positive=True, requires_grad=False), T((3, 4), positive=True)),
            S(T((4,), positive=True, requires_grad=False), T((2, 4), positive=True)),
            S(T((), positive=True, requires_grad=False), T((3,), positive=True))]


def _bessel(dtype):
    return [S(T((3, 4))), S(T(())), S(T((4, 3), noncontig=True)),
            S(T((6,), array=[-40.0, -0.5, 0.0, 0.25, 12.0, 45.0]))]


def _copysign(dtype):
    return [S(T((3, 4)), T((3, 4))), S(T((3, 4)), T((4,))), S(T((2, 3)), -1.5),
            S(T((4, 3), noncontig=True), T((4, 1)))]


def _int_pairs(dtype):
    return [S(T((3, 4), low=-20, high=20), T((3, 4), low=-20, high=20)),
            S(T((5,), low=0, high=30), T((2, 5), low=0, high=30))]


def _heaviside(dtype):
    zeros_too = T((6,), array=[-1.0, 0.0, 2.0, 0.0, -0.0, 3.0])
    return [S(T((3, 4)), T((3, 4))), S(zeros_too, T((1,))), S(T((2, 3)), T(()))]


def _nextafter(dtype):
    return [S(T((3, 4)), T((3, 4))), S(T((3, 4)), T((4,))), S(T(()), T(()))]


def _frexp(dtype):
    return [S(T((3, 4))), S(T((5,), array=[0.7, 3.0, -6.0, 0.3, 1e-5])),
            S(T((2, 3), noncontig=True))]


def _erfcx(dtype):
    return [S(T((3, 4))), S(T((6,), array=[-5.0, -0.5, 0.0, 3.0, 26.0, 80.0]))]


def _probabilities(dtype):
    return [S(T((3, 4), low=0.01, high=0.99)), S(T((3,), array=[0.001, 0.5, 0.999]))]


def _ndtr(dtype):
    return [S(T((3, 4))), S(T((5,), array=[-30.0, -6.0, -1.2, 0.0, 4.0]))]


def _zeta(dtype):
    return [S(T((3, 4), low=1.5, high=5.0, requires_grad=False), T((3, 4), positive=True)),
            S(T((4,), low=2.0, high=4.0, requires_grad=False), T((2, 4), low=0.5, high=3.0))]


def _xlog1py(dtype):
    zeros_too = T((4,), array=[0.0, 1.0, 0.0, 2.5])
    return [S(T((3, 4)), T((3, 4), low=-0.9, high=3.0)), S(zeros_too, T((4,), low=-0.5, high=2.0))]


def _entr(dtype):
    # (0 and negatives are compared in tests/test_composites.py: their gradients are
    # infinite or NaN, which gradcheck cannot check)
    return [S(T((3, 4), positive=True)), S(T((4,), array=[0.1, 0.5, 1.0, 2.0]))]


OPS = [
    OpInfo("lgamma", _gamma_like, dtypes=ALL_FLOATS + INTS, method="lgamma"),
    OpInfo("digamma", _gamma_like, dtypes=ALL_FLOATS + INTS, method="digamma",
           rtol={"float32": 1e-4}),
    OpInfo("polygamma", _polygamma, dtypes=FLOATS, rtol={"float32": 1e-4}),
    OpInfo("mvlgamma", _mvlgamma, dtypes=FLOATS, method="mvlgamma"),
    OpInfo("igamma", _igamma, dtypes=FLOATS, method="igamma", gradgrad=False),
    OpInfo("igammac", _igamma, dtypes=FLOATS, method="igammac", gradgrad=False),
    OpInfo("i0", _bessel, dtypes=ALL_FLOATS, method="i0"),
    OpInfo("special.i0e", _bessel, dtypes=ALL_FLOATS),
    OpInfo("special.i1", _bessel, dtypes=FLOATS),
    OpInfo("special.i1e", _bessel, dtypes=FLOATS),
    OpInfo("special.erfcx", _erfcx, dtypes=FLOATS),
    OpInfo("special.ndtr", _ndtr, dtypes=FLOATS),
    OpInfo("special.log_ndtr", _ndtr, dtypes=FLOATS),
    OpInfo("special.ndtri", _probabilities, dtypes=FLOATS),
    OpInfo("special.zeta", _zeta, dtypes=FLOATS, gradgrad=False),
    OpInfo("special.xlog1py", _xlog1py, dtypes=FLOATS),
    OpInfo("special.entr", _entr, dtypes=FLOATS),
    OpInfo("copysign", _copysign, dtypes=ALL_FLOATS + INTS, method="copysign"),
    OpInfo("frexp", _frexp, dtypes=ALL_FLOATS, method="frexp"),
    OpInfo("gcd", _int_pairs, dtypes=INTS, differentiable=False, method="gcd"),
    OpInfo("lcm", _int_pairs, dtypes=INTS, differentiable=False, method="lcm"),
    OpInfo("heaviside", _heaviside, dtypes=ALL_FLOATS + INTS, differentiable=False,
           method="heaviside"),
    OpInfo("nextafter", _nextafter, dtypes=FLOATS + ("bfloat16",), differentiable=False,
           method="nextafter"),
]

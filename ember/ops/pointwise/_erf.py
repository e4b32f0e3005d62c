"""erf, erfc and erfinv on NumPy float32/float64 arrays (NumPy has none of them).

erf and erfc use W. J. Cody's rational Chebyshev approximations ("Rational Chebyshev
approximations for the error function", Math. Comp. 23 (1969)), accurate to a few
units in the last place of float64 on each of three ranges of |x|.  erfinv starts from
M. Giles' single-precision approximation ("Approximating the erfinv function", GPU
Computing Gems, 2011) and polishes it with Halley steps on erf (centre) and Newton
steps on log(erfc) (tails).

The kernels take and return float32 or float64 arrays (0-d included); callers upcast
float16/bfloat16 to float32.  Polynomials are evaluated in place: on large arrays
the allocation of temporaries, not the arithmetic, dominates (measured 4x).
"""
import math

import numpy as np

__all__ = ["erf", "erfc", "erfinv"]

# |x| <= 0.46875: erf(x) = x * P(x^2) / Q(x^2)
_SMALL_P = (3.16112374387056560e00, 1.13864154151050156e02, 3.77485237685302021e02,
            3.20937758913846947e03, 1.85777706184603153e-1)
_SMALL_Q = (2.36012909523441209e01, 2.44024637934444173e02, 1.28261652607737228e03,
            2.84423683343917062e03)
# 0.46875 < |x| <= 4: erfc(x) = exp(-x^2) * P(x) / Q(x)
_MID_P = (5.64188496988670089e-1, 8.88314979438837594e00, 6.61191906371416295e01,
          2.98635138197400131e02, 8.81952221241769090e02, 1.71204761263407058e03,
          2.05107837782607147e03, 1.23033935479799725e03, 2.15311535474403846e-8)
_MID_Q = (1.57449261107098347e01, 1.17693950891312499e02, 5.37181101862009858e02,
          1.62138957456669019e03, 3.29079923573345963e03, 4.36261909014324716e03,
          3.43936767414372164e03, 1.23033935480374942e03)
# |x| > 4: erfc(x) = exp(-x^2) / x * (1/sqrt(pi) + 1/x^2 * P(1/x^2) / Q(1/x^2))
_BIG_P = (3.05326634961232344e-1, 3.60344899949804439e-1, 1.25781726111229246e-1,
          1.60837851487422766e-2, 6.58749161529837803e-4, 1.63153871373020978e-2)
_BIG_Q = (2.56852019228982242e00, 1.87295284992346725e00, 5.27905102951428412e-1,
          6.05183413124413191e-2, 2.33520497626869185e-3)
_INV_SQRT_PI = 5.6418958354775628695e-1
_TWO_OVER_SQRT_PI = 1.1283791670955125739

_SMALL_LIMIT = 0.46875
_MID_LIMIT = 4.0
# Beyond this erfc underflows to 0 in float64; clipping also keeps inf out of the kernel.
_ERFC_ZERO = 27.0


def _rational(t, p, q):
    """(p[0] t^n + ... ) / (t^n + q[0] t^(n-1) + ...) in Cody's coefficient layout.

    ``p`` has one more coefficient than ``q``; its last entry is the leading one.
    Evaluated with in-place Horner steps (two buffers).
    """
    n = len(q)
    num = t * p[-1]
    den = t + q[0]
    for i in range(n - 1):
        num += p[i]
        num *= t
        den *= t
        den += q[i + 1]
    num += p[n - 1]
    num /= den
    return num


def _erf_small(x):
    y = x * x
    r = _rational(y, _SMALL_P, _SMALL_Q)
    r *= x
    return r


def _exp_minus_square(y):
    # exp(-y*y) with y*y split into an exactly representable part and a small rest,
    # so that large y keep full relative accuracy (y*y itself would round).
    head = y * 16
    np.trunc(head, out=head)
    head /= 16
    rest = y - head
    rest *= y + head
    np.negative(rest, out=rest)
    np.exp(rest, out=rest)
    np.multiply(head, head, out=head)
    np.negative(head, out=head)
    np.exp(head, out=head)
    head *= rest
    return head


def _erfc_mid(y):
    r = _rational(y, _MID_P, _MID_Q)
    r *= _exp_minus_square(y)
    return r


def _erfc_big(y):
    y = np.minimum(y, _ERFC_ZERO)
    z = 1 / (y * y)
    tail = _rational(z, _BIG_P, _BIG_Q)
    tail *= z
    np.subtract(_INV_SQRT_PI, tail, out=tail)
    tail /= y
    tail *= _exp_minus_square(y)
    return tail


def _erfc_positive(ax):
    """erfc(|x|) for the elements with |x| > 0.46875 (others: any value)."""
    y = np.clip(ax, _SMALL_LIMIT, _MID_LIMIT)
    out = _erfc_mid(y)
    big = np.flatnonzero(ax > _MID_LIMIT)    # few elements in practice
    if big.size:
        flat = out.reshape(-1)
        flat[big] = _erfc_big(ax.reshape(-1)[big])
    return out


# Below this many elements the per-call overhead of the array kernels (~30 NumPy calls)
# dominates; the C library's erf/erfc (math module) is as accurate and much faster there.
_SMALL_SIZE = 32


def _on_1d(kernel, scalar_fn=None):
    # NumPy turns 0-d results into scalars, which in-place steps cannot write to.
    def wrapper(x):
        # (host arrays only: a device array would be copied to the host and back)
        if scalar_fn is not None and x.size <= _SMALL_SIZE and type(x) is np.ndarray:
            values = [scalar_fn(v) for v in x.reshape(-1).tolist()]
            return np.array(values, dtype=x.dtype).reshape(x.shape)
        if x.ndim == 0:
            return kernel(x.reshape(1)).reshape(())
        return kernel(x)
    wrapper.__name__ = kernel.__name__
    wrapper.__doc__ = kernel.__doc__
    return wrapper


def _split(x):
    ax = np.abs(x)
    large = ax > _SMALL_LIMIT          # NaN counts as small and propagates there
    return ax, large, bool(large.any()), bool(large.all())


def erf(x):
    """The error function, elementwise."""
    ax, large, any_large, all_large = _split(x)
    if not any_large:
        return _erf_small(x)
    out = _erfc_positive(ax)
    np.subtract(1, out, out=out)
    np.copysign(out, x, out=out)
    if not all_large:
        out = np.where(large, out, _erf_small(x))
    return out


def erfc(x):
    """The complementary error function 1 - erf(x), accurate in the right tail."""
    ax, large, any_large, all_large = _split(x)
    if not any_large:
        out = _erf_small(x)
        np.subtract(1, out, out=out)
        return out
    out = _erfc_positive(ax)
    negative = x < 0
    if negative.any():
        out = np.where(negative, 2 - out, out)
    if not all_large:
        small = _erf_small(x)
        np.subtract(1, small, out=small)
        out = np.where(large, out, small)
    return out


erf = _on_1d(erf, math.erf)
erfc = _on_1d(erfc, math.erfc)


def _erfinv_guess(y):
    # Giles' single-precision approximation, about 1e-7 relative in the centre; a
    # starting point only.
    w = -np.log((1 - y) * (1 + y))
    central = w < 5
    wc = w - 2.5
    pc = 2.81022636e-08
    for c in (3.43273939e-07, -3.5233877e-06, -4.39150654e-06, 0.00021858087,
              -0.00125372503, -0.00417768164, 0.246640727, 1.50140941):
        pc = c + pc * wc
    wt = np.sqrt(np.maximum(w, 5)) - 3
    pt = -0.000200214257
    for c in (0.000100950558, 0.00134934322, -0.00367342844, 0.00573950773,
              -0.0076224613, 0.00943887047, 1.00167406, 2.83297682):
        pt = c + pt * wt
    return np.where(central, pc, pt) * y


def _erfinv_central(a, x):
    # Halley's step on f = erf(x) - a (f'' = -2 x f'): cubic convergence.
    for _ in range(2):
        f = erf(x) - a
        slope = _TWO_OVER_SQRT_PI * np.exp(-x * x)
        x = x - f / (slope + x * f)
    return x


def _erfinv_tail(a, x):
    # Newton's step on g = log(erfc(x)) - log(1 - a), which is close to -x^2 and so
    # converges fast even where the starting guess is poor (1 - a near 1e-16);
    # 1 - a is exact for a in [0.5, 1].
    target = np.log(1 - a)
    x = np.where(a < 1, x, 1)
    steps = 2 if x.dtype == np.float32 else 4
    for _ in range(steps):
        tail = erfc(x)
        slope = -_TWO_OVER_SQRT_PI * _exp_minus_square(x) / tail
        x = x - (np.log(tail) - target) / slope
    return x


@_on_1d
def erfinv(y):
    """The inverse of erf on [-1, 1]: erfinv(+-1) = +-inf, NaN outside."""
    a = np.abs(y)
    x = _erfinv_guess(a)
    tail = a > 0.5
    if tail.any():
        x[tail] = _erfinv_tail(a[tail], x[tail])
    central = ~tail
    if central.any():
        x[central] = _erfinv_central(a[central], x[central])
    x[a == 1] = np.inf
    x[a > 1] = np.nan                 # NaN inputs are NaN already
    np.copysign(x, y, out=x)
    return x.astype(y.dtype, copy=False)

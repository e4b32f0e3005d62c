"""NumPy kernels for the gamma family and the modified Bessel functions I0/I1, which
NumPy lacks (np.i0 exists but overflows early and has no scaled form).  All work in
float64 on arrays; callers cast.

Methods (standard numerical analysis, written for ember):
- lgamma: Lanczos' approximation (g = 7, nine terms) for x >= 0.5, reflection below.
- digamma: recurrence up to x >= 10, then the asymptotic series; reflection for x < 0.
- Hurwitz zeta (for polygamma and special.zeta): Euler-Maclaurin summation.
- I0/I1: power series for |x| <= 30, the large-argument asymptotic series beyond.
- regularized incomplete gamma: series for x < a + 1, continued fraction (Lentz) beyond.
"""
import math

import numpy as np

from .._device import array_like

_LANCZOS_G = 7.0
_LANCZOS = (0.99999999999980993, 676.5203681218851, -1259.1392167224028,
            771.32342877765313, -176.61502916214059, 12.507343278686905,
            -0.13857109526572012, 9.9843695780195716e-6, 1.5056327351493116e-7)
_HALF_LOG_2PI = 0.5 * math.log(2.0 * math.pi)
# Bernoulli numbers B_2k, k = 1..
_BERNOULLI = (1.0 / 6, -1.0 / 30, 1.0 / 42, -1.0 / 30, 5.0 / 66, -691.0 / 2730, 7.0 / 6,
              -3617.0 / 510, 43867.0 / 798, -174611.0 / 330, 854513.0 / 138,
              -236364091.0 / 2730)


def _f64(x, like=None):
    """``x`` as a float64 array: arrays (host or device) are cast; a number becomes an
    array on ``like``'s device (the host without ``like``)."""
    if hasattr(x, "astype") and not isinstance(x, np.generic):
        return x.astype(np.float64, copy=False)
    if like is None or not hasattr(like, "astype") or isinstance(like, np.generic):
        return np.asarray(x, dtype=np.float64)
    return array_like(x, like, np.float64)


def _lgamma_positive(x):
    """log Gamma(x) for x >= 0.5 (Lanczos)."""
    z = x - 1.0
    series = np.full_like(z, _LANCZOS[0])
    for i in range(1, 9):
        series = series + _LANCZOS[i] / (z + i)
    t = z + _LANCZOS_G + 0.5
    return _HALF_LOG_2PI + (z + 0.5) * np.log(t) - t + np.log(series)


def lgamma(x):
    x = _f64(x)
    out = np.empty_like(x)
    with np.errstate(all="ignore"):
        big = x >= 0.5
        out[big] = _lgamma_positive(x[big])
        small = ~big
        xs = x[small]
        # reflection: Gamma(x) Gamma(1 - x) = pi / sin(pi x)
        reflected = np.log(np.pi / np.abs(np.sin(np.pi * xs))) - _lgamma_positive(1.0 - xs)
        poles = (xs <= 0) & (xs == np.floor(xs))
        reflected[poles] = np.inf
        out[small] = reflected
        out[np.isinf(x)] = np.inf
        out[np.isnan(x)] = np.nan
        out[(x == 1.0) | (x == 2.0)] = 0.0    # exact zeros (Gamma(1) = Gamma(2) = 1)
    return out


def _digamma_positive(x):
    """psi(x) for x > 0: shift up to x >= 10, then the asymptotic series."""
    acc = np.zeros_like(x)
    x = x.copy()
    for _ in range(10):
        low = x < 10.0
        if not low.any():
            break
        acc = acc - np.where(low, 1.0 / np.where(low, x, 1.0), 0.0)
        x = np.where(low, x + 1.0, x)
    inv2 = 1.0 / (x * x)
    series = np.zeros_like(x)
    power = inv2.copy()
    for k, b in enumerate(_BERNOULLI[:7], start=1):
        series = series + b / (2 * k) * power
        power = power * inv2
    return acc + np.log(x) - 0.5 / x - series


def digamma(x):
    x = _f64(x)
    out = np.empty_like(x)
    with np.errstate(all="ignore"):
        pos = x > 0
        out[pos] = _digamma_positive(x[pos])
        neg = ~pos & ~np.isnan(x)
        xn = x[neg]
        # reflection: psi(1 - x) - psi(x) = pi cot(pi x)
        vals = _digamma_positive(1.0 - xn) - np.pi / np.tan(np.pi * xn)
        # NOTE: torch gives -inf at 0 and nan at the negative integers.
        vals[(xn < 0) & (xn == np.floor(xn))] = np.nan
        vals[xn == 0] = -np.inf
        vals[(xn == 0) & np.signbit(xn)] = np.inf   # NOTE: torch: digamma(-0.0) = +inf
        out[neg] = vals
        out[np.isnan(x)] = np.nan
        out[x == np.inf] = np.inf
        out[x == -np.inf] = np.nan
    return out


def hurwitz_zeta(s, q):
    """zeta(s, q) = sum_k (k + q)^-s for s > 1 (nan for s < 1, inf at s == 1), q > 0;
    q a non-positive integer gives inf, other negative q follow the same sum."""
    s, q = np.broadcast_arrays(_f64(s, q), _f64(q, s))
    # sum directly until q + k >= 9 (negative q needs more terms), then Euler-Maclaurin
    with np.errstate(all="ignore"):
        finite_q = np.where(np.isfinite(q), q, 0.0)
        n_terms = 9 + np.maximum(0, np.ceil(-finite_q)).astype(np.int64)
        total = np.zeros_like(s)
        for k in range(max(9, int(n_terms.max()) if n_terms.size else 9)):
            total = total + np.where(k < n_terms, (q + k) ** -s, 0.0)
        a = q + n_terms
        total = total + a ** (1.0 - s) / (s - 1.0) + 0.5 * a ** -s
        # Euler-Maclaurin tail: sum_j B_2j / (2j)! * s (s+1) ... (s+2j-2) a^(-s-2j+1)
        factor = s * a ** (-s - 1.0)
        fact = 1.0
        for j, b in enumerate(_BERNOULLI, start=1):
            fact = fact * (2 * j - 1) * (2 * j) if j > 1 else 2.0
            total = total + b / fact * factor
            factor = factor * (s + 2 * j - 1) * (s + 2 * j) / (a * a)
        # the domain, in this order (as torch): q a pole, then s == 1 and s < 1; a
        # negative q needs an integer s
        total = np.where((q <= 0) & (q == np.floor(q)), np.inf, total)
        total = np.where((q < 0) & (q != np.floor(q)) & (s != np.floor(s)), np.nan, total)
        total = np.where(q == np.inf, np.nan, total)   # NOTE: torch: nan for q = +inf
        total = np.where(s == 1.0, np.inf, total)
        total = np.where(s < 1.0, np.nan, total)
    return total


def polygamma(n, x):
    """psi^(n)(x) = (-1)^(n+1) n! zeta(n + 1, x) for n >= 1."""
    if n == 0:
        return digamma(x)
    x = _f64(x)
    sign = -1.0 if n % 2 == 0 else 1.0
    with np.errstate(all="ignore"):
        return sign * math.factorial(n) * hurwitz_zeta(n + 1.0, x)


def _bessel_i_series(x, order):
    """I_order(x) by its power series: sum (x/2)^(2k+order) / (k! (k+order)!)."""
    half = x / 2.0
    term = half ** order / math.factorial(order)
    total = term.copy()
    sq = half * half
    for k in range(1, 120):
        term = term * sq / (k * (k + order))
        total = total + term
        if np.all(np.abs(term) <= 1e-17 * np.abs(total)):
            break
    return total


def _bessel_i_scaled_asymptotic(x, order):
    """exp(-x) I_order(x) for large positive x (asymptotic series in 1/(8x))."""
    mu = 4.0 * order * order
    total = np.ones_like(x)
    term = np.ones_like(x)
    for k in range(1, 30):
        term = term * -(mu - (2 * k - 1) ** 2) / (k * 8.0 * x)
        total = total + term
    return total / np.sqrt(2.0 * np.pi * x)


def bessel_i_scaled(x, order):
    """exp(-|x|) I_order(x) for order 0 or 1 (I1 is odd)."""
    x = _f64(x)
    ax = np.abs(x)
    out = np.empty_like(x)
    with np.errstate(all="ignore"):
        small = ax <= 30.0
        out[small] = _bessel_i_series(ax[small], order) * np.exp(-ax[small])
        big = ~small & ~np.isnan(x)
        out[big] = _bessel_i_scaled_asymptotic(ax[big], order)
        out[np.isinf(x)] = 0.0
        out[np.isnan(x)] = np.nan
    if order == 1:
        out = np.where(x < 0, -out, out)
    return out


def bessel_i(x, order):
    x = _f64(x)
    with np.errstate(all="ignore"):
        out = bessel_i_scaled(x, order) * np.exp(np.abs(x))
        # beyond ~1e307 the scaled value underflows to 0 and 0 * inf is nan: it is inf
        huge = np.isnan(out) & np.isfinite(x)
        out = np.where(huge, np.inf if order == 0 else np.copysign(np.inf, x), out)
        # NOTE: torch's i0/i1 give nan (not inf) at +-inf
        out = np.where(np.isinf(x), np.nan, out)
    return out


def _igamma_series(a, x):
    """P(a, x) by its series, for x < a + 1."""
    term = 1.0 / a
    total = term.copy()
    ap = a.copy()
    for _ in range(20000):   # converges in O(sqrt(a)) terms
        ap = ap + 1.0
        term = term * x / ap
        total = total + term
        if np.all(np.abs(term) <= np.abs(total) * 1e-16):
            break
    return total * np.exp(-x + a * np.log(x) - lgamma(a))


def _igammac_fraction(a, x):
    """Q(a, x) by Legendre's continued fraction (modified Lentz), for x >= a + 1."""
    tiny = 1e-300
    b = x + 1.0 - a
    c = np.full_like(x, 1.0 / tiny)
    d = 1.0 / b
    h = d.copy()
    for i in range(1, 20000):
        an = -i * (i - a)
        b = b + 2.0
        d = an * d + b
        d = np.where(np.abs(d) < tiny, tiny, d)
        c = b + an / c
        c = np.where(np.abs(c) < tiny, tiny, c)
        d = 1.0 / d
        delta = d * c
        h = h * delta
        if np.all(np.abs(delta - 1.0) <= 1e-16):
            break
    return np.exp(-x + a * np.log(x) - lgamma(a)) * h


def _igammac_temme(a, x):
    """Q(a, x) for very large a by the leading term of Temme's uniform expansion:
    Q = erfc(eta sqrt(a/2)) / 2 + exp(-a eta^2 / 2) / sqrt(2 pi a) * c0(eta)."""
    lam = x / a
    eta = np.sign(lam - 1.0) * np.sqrt(2.0 * (lam - 1.0 - np.log(lam)))
    near = np.abs(lam - 1.0) < 1e-3
    safe_eta = np.where(near, 1.0, eta)
    safe_gap = np.where(near, 1.0, lam - 1.0)
    c0 = np.where(near, -1.0 / 3.0 + (lam - 1.0) / 12.0, 1.0 / safe_gap - 1.0 / safe_eta)
    from .pointwise._erf import erfc
    return 0.5 * erfc(eta * np.sqrt(a / 2.0)) + np.exp(-0.5 * a * eta * eta) / np.sqrt(
        2.0 * np.pi * a) * c0


def igamma(a, x, upper=False):
    """Regularized lower (P) or upper (Q) incomplete gamma function, with torch's edge
    cases (checked in this order): a or x negative -> nan; a == 0 -> 1 for x > 0;
    x == 0 -> 0; a infinite -> 0 (nan if x is too); x infinite -> 1."""
    a, x = np.broadcast_arrays(_f64(a, x), _f64(x, a))
    a, x = a.copy(), x.copy()
    p = np.full_like(a, np.nan)
    with np.errstate(all="ignore"):
        ok = (a > 0) & (x > 0) & np.isfinite(a) & np.isfinite(x)
        huge = ok & (a > 1e6)
        series = ok & ~huge & (x < a + 1.0)
        fraction = ok & ~huge & ~series
        p[series] = _igamma_series(a[series], x[series])
        p[fraction] = 1.0 - _igammac_fraction(a[fraction], x[fraction])
        p[huge] = 1.0 - _igammac_temme(a[huge], x[huge])
        q = 1.0 - p
        q[fraction] = _igammac_fraction(a[fraction], x[fraction])
        q[huge] = _igammac_temme(a[huge], x[huge])
        # edges in torch's order; applied in reverse so that the first matching rule wins
        rules = [
            ((x < 0) | (a < 0), np.nan),
            (a == 0, np.where(x > 0, 1.0, np.nan)),
            (x == 0, 0.0),
            (np.isinf(a), np.where(np.isinf(x), np.nan, 0.0)),
            (np.isinf(x), 1.0),
        ]
        for mask, value in reversed(rules):
            p = np.where(mask, value, p)
            q = np.where(mask, 1.0 - value, q)
    return q if upper else p

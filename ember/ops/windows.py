"""Window functions for signal processing (torch's ``*_window`` factories).

``periodic=True`` (the default, as torch) gives a window of length N+1 with its last
sample dropped, the form spectral analysis wants.

>>> ember.hann_window(4)   # [0.0, 0.5, 1.0, 0.5]
"""

__all__ = ["bartlett_window", "blackman_window", "hamming_window", "hann_window",
           "kaiser_window"]

import numpy as np

from .. import _dtype as D


def _window(op, window_length, periodic, dtype, device, requires_grad, formula):
    from .creation import _factory  # creation imports the whole ops package
    if not isinstance(window_length, int) or isinstance(window_length, bool):
        raise TypeError(f"{op}(): argument 'window_length' must be int, not "
                        f"{type(window_length).__name__}")
    if window_length < 0:
        raise RuntimeError(f"{op} requires non-negative window_length, got "
                           f"window_length={window_length}")
    dtype = D.get_default_dtype() if dtype is None else dtype
    if dtype.category != D.FLOAT:
        raise RuntimeError(f"{op} expects floating point dtypes, got: {dtype}")

    def make(xp):
        # computed in double with the device's namespace (the np.* calls in the formulas
        # dispatch to CuPy for a device array), then cast
        if window_length <= 1:
            return xp.ones(window_length, dtype=dtype.np)
        n = window_length + 1 if periodic else window_length
        values = formula(xp.arange(n, dtype=np.float64), n)[:window_length]
        return values.astype(dtype.np)
    return _factory(op, (window_length,), dtype, device, requires_grad, None, make)


def _cosine_sum(coefficients):
    def formula(k, n):
        phase = 2.0 * np.pi * k / (n - 1)
        return sum(c * np.cos(i * phase) for i, c in enumerate(coefficients))
    return formula


def hann_window(window_length, periodic=True, *, dtype=None, layout=None, device=None,
                pin_memory=False, requires_grad=False):
    """0.5 - 0.5 cos(2 pi k / (N - 1))."""
    return _window("hann_window", window_length, periodic, dtype, device, requires_grad,
                   _cosine_sum((0.5, -0.5)))


def hamming_window(window_length, periodic=True, alpha=0.54, beta=0.46, *, dtype=None,
                   layout=None, device=None, pin_memory=False, requires_grad=False):
    """alpha - beta cos(2 pi k / (N - 1))."""
    return _window("hamming_window", window_length, periodic, dtype, device, requires_grad,
                   _cosine_sum((alpha, -beta)))


def blackman_window(window_length, periodic=True, *, dtype=None, layout=None, device=None,
                    pin_memory=False, requires_grad=False):
    """0.42 - 0.5 cos(2 pi k / (N - 1)) + 0.08 cos(4 pi k / (N - 1))."""
    return _window("blackman_window", window_length, periodic, dtype, device, requires_grad,
                   _cosine_sum((0.42, -0.5, 0.08)))


def bartlett_window(window_length, periodic=True, *, dtype=None, layout=None, device=None,
                    pin_memory=False, requires_grad=False):
    """The triangle 1 - |2k / (N - 1) - 1|."""
    return _window("bartlett_window", window_length, periodic, dtype, device, requires_grad,
                   lambda k, n: 1.0 - np.abs(2.0 * k / (n - 1) - 1.0))


def kaiser_window(window_length, periodic=True, beta=12.0, *, dtype=None, layout=None,
                  device=None, pin_memory=False, requires_grad=False):
    """I0(beta sqrt(1 - (2k / (N - 1) - 1)^2)) / I0(beta)."""
    def formula(k, n):
        ratio = 2.0 * k / (n - 1) - 1.0
        # (np.i0 of a number is a 0-d host array: its value as a float joins device math)
        return np.i0(beta * np.sqrt(np.maximum(1.0 - ratio * ratio, 0.0))) / float(np.i0(beta))
    return _window("kaiser_window", window_length, periodic, dtype, device, requires_grad,
                   formula)

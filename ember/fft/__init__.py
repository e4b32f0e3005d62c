"""ember.fft: discrete Fourier transforms (torch.fft's names, arguments and dtypes).

float32 (and integer) inputs give complex64, float64 gives complex128; float16 and
bfloat16 are refused as by torch's CPU build.  ``n``/``s`` zero-pad or trim the input
before the transform, ``norm`` is "backward" (default), "ortho" or "forward".  All
transforms are differentiable, with torch's gradients (see ``_transforms``).
"""
import numpy as np

from .. import _dtype as D
from .._device import as_device, xp_of
from ..ops import _util as U
from ._transforms import c2c, c2r, r2c

__all__ = [
    "fft", "ifft", "rfft", "irfft", "hfft", "ihfft", "fft2", "ifft2", "rfft2", "irfft2",
    "fftn", "ifftn", "rfftn", "irfftn", "fftfreq", "rfftfreq", "fftshift", "ifftshift",
]

_NORMS = ("backward", "forward", "ortho")
_SWAP = {"backward": "forward", "forward": "backward", "ortho": "ortho"}
_UNSUPPORTED = {np.dtype(np.float16): "Half", D.bfloat16.np: "BFloat16"}


# -- argument handling ------------------------------------------------------------------

def _input(x, op, real_only=False):
    """``x`` as a float32/float64/complex tensor (integers: the default float dtype)."""
    U.check_tensor(x, op)
    arr = x._data
    if arr.dtype in _UNSUPPORTED:
        raise RuntimeError(f"{op}: Unsupported dtype {_UNSUPPORTED[arr.dtype]}")
    cat = x.dtype.category
    if real_only and cat == D.COMPLEX:
        raise RuntimeError(f"{op} expects a real input tensor, but got {x.dtype}")
    if cat < D.FLOAT:
        x = x.to(D.get_default_dtype())
    return x


def _norm(norm, op):
    if norm is None:
        return "backward"
    if norm not in _NORMS:
        raise RuntimeError(f"{op}: Invalid normalization mode: \"{norm}\"")
    return norm


def _check_size(n, op):
    if n < 1:
        raise RuntimeError(f"{op}: Invalid number of data points ({n}) specified")
    return n


def _one_dim(x, n, dim, op):
    """(dims, sizes) of a one-dimensional transform."""
    if x.ndim == 0:
        raise IndexError(f"{op}: Dimension specified as {dim} but tensor has no dimensions")
    d = U.wrap_dim(dim, x.ndim, op)
    size = x._data.shape[d] if n is None else _check_size(int(n), op)
    return (d,), (size,)


def _many_dims(x, s, dim, op):
    """(dims, sizes) of an n-dimensional transform, by torch's rules for s and dim."""
    ndim = x.ndim
    if isinstance(dim, int):
        dim = (dim,)
    if s is not None:
        s = tuple(int(v) for v in s)
    if dim is None:
        dims = tuple(range(ndim)) if s is None else tuple(range(ndim - len(s), ndim))
        if s is not None and len(s) > ndim:
            raise RuntimeError(f"{op}: Got shape with {len(s)} values but input tensor only "
                               f"has {ndim} dimensions.")
    else:
        dims = tuple(U.wrap_dim(d, ndim, op) for d in dim)
        if s is not None and len(s) != len(dims):
            raise RuntimeError(f"{op}: When given, dim and shape arguments must have the same "
                               f"length (got s={list(s)} and dim={list(dim)})")
    if len(set(dims)) != len(dims):
        raise RuntimeError(f"{op}: FFT dims must be unique (got {list(dims)})")
    if s is None:
        sizes = tuple(x._data.shape[d] for d in dims)
    else:
        sizes = tuple(x._data.shape[d] if v == -1 else _check_size(v, op)
                      for v, d in zip(s, dims))
    for d, size in zip(dims, sizes):
        _check_size(size, op)
    return dims, sizes


def _resize(x, dims, sizes):
    """``x`` zero-padded or trimmed to ``sizes`` along ``dims`` (differentiable)."""
    for d, size in zip(dims, sizes):
        current = x._data.shape[d]
        if size < current:
            x = x.narrow(d, 0, size)
        elif size > current:
            from ..ops.join import cat
            shape = list(x._data.shape)
            shape[d] = size - current
            zeros = U.wrap(xp_of(x._data).zeros(shape, x._data.dtype), x._device)
            x = cat((x, zeros), dim=d)
    return x


def _finish(res, out, op):
    return U.write_out(out, res, op) if out is not None else res


def _to_complex(x):
    if x.dtype.category == D.COMPLEX:
        return x
    return x.to(x.dtype.to_complex())


# -- the transforms ----------------------------------------------------------------------

def _c2c_op(op, input, dims_sizes, norm, forward, out):
    x = _input(input, op)
    dims, sizes = dims_sizes(x)
    x = _to_complex(_resize(x, dims, sizes))
    return _finish(c2c(x, dims, _norm(norm, op), forward), out, op)


def _r2c_op(op, input, dims_sizes, norm, out):
    x = _input(input, op, real_only=True)
    dims, sizes = dims_sizes(x)
    if not dims:
        return _finish(_to_complex(x), out, op)
    return _finish(r2c(_resize(x, dims, sizes), dims, _norm(norm, op)), out, op)


def _c2r_op(op, input, dims_sizes, norm, out, last_given):
    """``last_given``: whether the caller fixed the output size of the last dim."""
    x = _input(input, op)
    dims, sizes = dims_sizes(x)
    if not dims:
        return _finish(x.real if x.is_complex() else x, out, op)
    last_size = sizes[-1] if last_given else _check_size(2 * (x._data.shape[dims[-1]] - 1), op)
    x = _to_complex(_resize(x, dims, sizes[:-1] + (last_size // 2 + 1,)))
    return _finish(c2r(x, dims, _norm(norm, op), last_size), out, op)


def fft(input, n=None, dim=-1, norm=None, *, out=None):
    """The one-dimensional discrete Fourier transform.

    >>> ember.fft.fft(ember.tensor([1.0, 0.0, 0.0, 0.0]))
    tensor([1.+0.j, 1.+0.j, 1.+0.j, 1.+0.j])
    """
    return _c2c_op("fft", input, lambda x: _one_dim(x, n, dim, "fft"), norm, True, out)


def ifft(input, n=None, dim=-1, norm=None, *, out=None):
    """The one-dimensional inverse discrete Fourier transform.

    >>> ember.fft.ifft(ember.tensor([4.0, 0.0, 0.0, 0.0]))
    tensor([1.+0.j, 1.+0.j, 1.+0.j, 1.+0.j])
    """
    return _c2c_op("ifft", input, lambda x: _one_dim(x, n, dim, "ifft"), norm, False, out)


def fft2(input, s=None, dim=(-2, -1), norm=None, *, out=None):
    """The two-dimensional discrete Fourier transform (over the last two dims)."""
    return _c2c_op("fft2", input, lambda x: _many_dims(x, s, dim, "fft2"), norm, True, out)


def ifft2(input, s=None, dim=(-2, -1), norm=None, *, out=None):
    """The two-dimensional inverse discrete Fourier transform."""
    return _c2c_op("ifft2", input, lambda x: _many_dims(x, s, dim, "ifft2"), norm, False, out)


def fftn(input, s=None, dim=None, norm=None, *, out=None):
    """The n-dimensional discrete Fourier transform (all dims by default).

    >>> ember.fft.fftn(ember.ones(2, 2))
    tensor([[4.+0.j, 0.+0.j],
            [0.+0.j, 0.+0.j]])
    """
    return _c2c_op("fftn", input, lambda x: _many_dims(x, s, dim, "fftn"), norm, True, out)


def ifftn(input, s=None, dim=None, norm=None, *, out=None):
    """The n-dimensional inverse discrete Fourier transform."""
    return _c2c_op("ifftn", input, lambda x: _many_dims(x, s, dim, "ifftn"), norm, False, out)


def rfft(input, n=None, dim=-1, norm=None, *, out=None):
    """The Fourier transform of a real signal: the n // 2 + 1 non-negative frequencies.

    >>> ember.fft.rfft(ember.tensor([1.0, 1.0, 1.0, 1.0]))
    tensor([4.+0.j, 0.+0.j, 0.+0.j])
    """
    return _r2c_op("rfft", input, lambda x: _one_dim(x, n, dim, "rfft"), norm, out)


def rfft2(input, s=None, dim=(-2, -1), norm=None, *, out=None):
    """rfft over two dims (the last of them one-sided)."""
    return _r2c_op("rfft2", input, lambda x: _many_dims(x, s, dim, "rfft2"), norm, out)


def rfftn(input, s=None, dim=None, norm=None, *, out=None):
    """rfft over several dims (the last of them one-sided)."""
    return _r2c_op("rfftn", input, lambda x: _many_dims(x, s, dim, "rfftn"), norm, out)


def irfft(input, n=None, dim=-1, norm=None, *, out=None):
    """The inverse of rfft: a real signal of n points (2 * (m - 1) by default) from the
    m non-negative frequencies.

    >>> ember.fft.irfft(ember.tensor([4.0 + 0j, 0j, 0j]))
    tensor([1., 1., 1., 1.])
    """
    return _c2r_op("irfft", input, lambda x: _one_dim(x, n, dim, "irfft"), norm, out,
                   n is not None)


def irfft2(input, s=None, dim=(-2, -1), norm=None, *, out=None):
    """The inverse of rfft2."""
    return _c2r_op("irfft2", input, lambda x: _many_dims(x, s, dim, "irfft2"), norm, out,
                   s is not None and s[-1] != -1)


def irfftn(input, s=None, dim=None, norm=None, *, out=None):
    """The inverse of rfftn."""
    return _c2r_op("irfftn", input, lambda x: _many_dims(x, s, dim, "irfftn"), norm, out,
                   s is not None and s[-1] != -1)


def hfft(input, n=None, dim=-1, norm=None, *, out=None):
    """The transform of a Hermitian-symmetric signal given by its first half: a real
    spectrum of n points (irfft of the conjugate, scaled as a forward transform).

    >>> ember.fft.hfft(ember.tensor([1.0 + 0j, 0j, 0j]))
    tensor([1., 1., 1., 1.])
    """
    from ..ops.complexops import conj_physical
    x = _input(input, "hfft")
    res = _c2r_op("hfft", conj_physical(x), lambda t: _one_dim(t, n, dim, "hfft"),
                  _SWAP[_norm(norm, "hfft")], None, n is not None)
    return _finish(res, out, "hfft")


def ihfft(input, n=None, dim=-1, norm=None, *, out=None):
    """The inverse of hfft: the first n // 2 + 1 points of the inverse transform of a
    real signal.

    >>> ember.fft.ihfft(ember.tensor([4.0, 0.0, 0.0, 0.0]))
    tensor([1.-0.j, 1.-0.j, 1.-0.j])
    """
    from ..ops.complexops import conj_physical
    x = _input(input, "ihfft", real_only=True)
    res = _r2c_op("ihfft", x, lambda t: _one_dim(t, n, dim, "ihfft"),
                  _SWAP[_norm(norm, "ihfft")], None)
    return _finish(conj_physical(res), out, "ihfft")


# -- frequencies and shifts ---------------------------------------------------------------

def _frequencies(op, k, n, d, dtype, device, requires_grad):
    if dtype is None:
        dtype = D.get_default_dtype()
    if dtype.category < D.FLOAT:
        raise RuntimeError(f"{op}: expected a floating point dtype, got {dtype}")
    device = as_device(device) if device is not None else None
    np_dtype = dtype.np if dtype.category == D.FLOAT else np.dtype(np.float64)
    # NOTE: torch multiplies the index, in the result dtype, by 1 / (n * d) in that dtype
    arr = (k.astype(np_dtype) * np.asarray(1.0 / (n * d), np_dtype)).astype(dtype.np)
    res = U.wrap(arr) if device is None else U.wrap(arr).to(device)
    if requires_grad:
        res.requires_grad_(True)
    return res


def fftfreq(n, d=1.0, *, dtype=None, layout=None, device=None, requires_grad=False):
    """The sample frequencies of fft for a signal of size n and sample spacing d.

    >>> ember.fft.fftfreq(4)
    tensor([ 0.0000,  0.2500, -0.5000, -0.2500])
    """
    n = _check_size(int(n), "fftfreq") if n != 0 else 0
    k = np.concatenate([np.arange((n + 1) // 2), np.arange(-(n // 2), 0)])
    return _frequencies("fftfreq", k, n, d, dtype, device, requires_grad)


def rfftfreq(n, d=1.0, *, dtype=None, layout=None, device=None, requires_grad=False):
    """The sample frequencies of rfft: the n // 2 + 1 non-negative ones.

    >>> ember.fft.rfftfreq(4)
    tensor([0.0000, 0.2500, 0.5000])
    """
    n = int(n)
    return _frequencies("rfftfreq", np.arange(n // 2 + 1), n, d, dtype, device, requires_grad)


def _shift(op, input, dim, inverse):
    U.check_tensor(input, op)
    if dim is None:
        dims = tuple(range(input.ndim))
    elif isinstance(dim, int):
        dims = (U.wrap_dim(dim, input.ndim, op),)
    else:
        dims = tuple(U.wrap_dim(d, input.ndim, op) for d in dim)
    if not dims:
        # NOTE: torch's roll of a 0-dim tensor by no shifts is an error
        raise RuntimeError(f"{op}: `shifts` required (the input has no dimensions)")
    shape = input._data.shape
    shifts = tuple(-(shape[d] // 2) if inverse else shape[d] // 2 for d in dims)
    from ..ops.rearrange import roll
    return roll(input, shifts, dims)


def fftshift(input, dim=None):
    """Move the zero frequency to the centre (a roll by n // 2 along ``dim``, all dims
    by default).

    >>> ember.fft.fftshift(ember.fft.fftfreq(4))
    tensor([-0.5000, -0.2500,  0.0000,  0.2500])
    """
    return _shift("fftshift", input, dim, inverse=False)


def ifftshift(input, dim=None):
    """The inverse of fftshift.

    >>> ember.fft.ifftshift(ember.tensor([-0.5, -0.25, 0.0, 0.25]))
    tensor([ 0.0000,  0.2500, -0.5000, -0.2500])
    """
    return _shift("ifftshift", input, dim, inverse=True)


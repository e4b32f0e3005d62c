"""The three FFT primitives behind ember.fft, with their gradients.

Every public transform is one of these after its input was resized (zero-padded or
trimmed) to the signal sizes:

    c2c   complex -> complex, forward or inverse           (fft, ifft, fftn ...)
    r2c   real -> complex, one-sided (last dim n//2 + 1)   (rfft, rfftn ...)
    c2r   complex one-sided -> real, last dim given        (irfft, irfftn ...)

``norm`` here is NumPy's (and torch's) name for the scaling of the transform being
computed: "backward" leaves a forward transform unscaled and divides an inverse one
by n, "forward" the other way round, "ortho" scales both by 1/sqrt(n).  The adjoint
of a transform with one scaling is the opposite-direction transform with the same
factor, i.e. with "backward" and "forward" swapped.

Backward formulas (torch's, for its complex-autograd convention):
    c2c: the adjoint transform of the gradient;
    r2c: the gradient zero-padded to the full last dim, the adjoint c2c, real part;
    c2r: the r2c of the gradient, with the entries whose mirror image was dropped
         by the one-sided layout (1 .. n - (n//2 + 1) of the last dim) doubled.
"""
import numpy as np

from .._device import META, as_array, meta_array, xp_of
from ..autograd.graph import Node
from ..ops import _util as U
from ..ops._util import GRAD, record

_ADJOINT_NORM = {"backward": "forward", "forward": "backward", "ortho": "ortho"}
_COMPLEX_OF = {np.dtype(np.float32): np.dtype(np.complex64),
               np.dtype(np.float64): np.dtype(np.complex128),
               np.dtype(np.complex64): np.dtype(np.complex64),
               np.dtype(np.complex128): np.dtype(np.complex128)}
_REAL_OF = {np.dtype(np.complex64): np.dtype(np.float32),
            np.dtype(np.complex128): np.dtype(np.float64)}


def _result(arr, np_dtype, device, shape):
    if device is META:
        return U.wrap(meta_array(shape, np_dtype), META)
    # NumPy may compute in double precision: keep torch's dtype (float32 -> complex64)
    return U.wrap(as_array(arr).astype(np_dtype, copy=False), device)


# -- complex to complex ---------------------------------------------------------------

class FftC2CBackward0(Node):
    def backward(self, grad):
        return (c2c(grad, self.dims, _ADJOINT_NORM[self.norm], not self.forward),)


def c2c(x, dims, norm, forward):
    """The (inverse if not ``forward``) DFT of complex ``x`` over ``dims``."""
    arr = x._data
    out_dtype = _COMPLEX_OF[arr.dtype]
    if x._device is META:
        data = None
    else:
        fn = np.fft.fftn if forward else np.fft.ifftn
        data = fn(arr, axes=dims, norm=norm) if dims else arr.copy()
    res = _result(data, out_dtype, x._device, arr.shape)
    if GRAD.enabled and x._rg:
        node = record(FftC2CBackward0, res, (x,))
        node.dims, node.norm, node.forward = dims, norm, forward
    return res


# -- real to complex (one-sided) --------------------------------------------------------

class FftR2CBackward0(Node):
    def backward(self, grad):
        dims, last = self.dims, self.dims[-1]
        full = self.last_size
        missing = full - grad._data.shape[last]
        if missing > 0:
            from ..ops.join import cat
            shape = list(grad._data.shape)
            shape[last] = missing
            zeros = U.wrap(xp_of(grad._data).zeros(shape, grad._data.dtype), grad._device)
            grad = cat((grad, zeros), dim=last)
        from ..ops.complexops import real
        return (real(c2c(grad, dims, _ADJOINT_NORM[self.norm], forward=False)),)


def r2c(x, dims, norm):
    """The one-sided forward DFT of real ``x`` over ``dims`` (the last one halved)."""
    arr = x._data
    out_dtype = _COMPLEX_OF[arr.dtype]
    last = dims[-1]
    shape = list(arr.shape)
    shape[last] = shape[last] // 2 + 1
    data = None if x._device is META else np.fft.rfftn(arr, axes=dims, norm=norm)
    res = _result(data, out_dtype, x._device, tuple(shape))
    if GRAD.enabled and x._rg:
        node = record(FftR2CBackward0, res, (x,))
        node.dims, node.norm, node.last_size = dims, norm, arr.shape[last]
    return res


# -- complex (one-sided) to real -------------------------------------------------------

class FftC2RBackward0(Node):
    def backward(self, grad):
        dims, last = self.dims, self.dims[-1]
        g = r2c(grad, dims, _ADJOINT_NORM[self.norm])
        n = grad._data.shape[last]
        onesided = g._data.shape[last]
        double = n - onesided
        if double > 0:
            # entries whose mirror (n - k) was dropped from the one-sided input count twice
            weight = xp_of(g._data).ones(onesided, _REAL_OF[g._data.dtype])
            weight[1:1 + double] = 2
            shape = [1] * g._data.ndim
            shape[last] = onesided
            g = g * U.wrap(weight.reshape(shape), g._device)
        return (g,)


def c2r(x, dims, norm, last_size):
    """The inverse DFT of a one-sided complex ``x`` over ``dims``: a real tensor whose
    last transformed dim has ``last_size`` elements."""
    arr = x._data
    out_dtype = _REAL_OF[arr.dtype]
    last = dims[-1]
    shape = list(arr.shape)
    shape[last] = last_size
    if x._device is META:
        data = None
    else:
        sizes = [arr.shape[d] for d in dims[:-1]] + [last_size]
        data = np.fft.irfftn(arr, s=sizes, axes=dims, norm=norm)
    res = _result(data, out_dtype, x._device, tuple(shape))
    if GRAD.enabled and x._rg:
        node = record(FftC2RBackward0, res, (x,))
        node.dims, node.norm = dims, norm
    return res

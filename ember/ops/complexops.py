"""Complex numbers: real, imag, conj, angle, polar, complex, view_as_real/view_as_complex.

Gradients follow torch's convention for complex autograd: the gradient of a real loss
L with respect to a complex z is dL/d(Re z) + i dL/d(Im z) (the conjugate Wirtinger
derivative, times two), so a holomorphic f's backward is ``grad * conj(f'(z))``.

``real``, ``imag``, ``view_as_real`` and ``view_as_complex`` are true views: they share
memory with their input, and a write through one is seen in the other.

NOTE: torch's ``conj()`` is a lazy view with a conjugate bit; ember materializes the
conjugate eagerly (a new array) but keeps the bit, so ``is_conj()``, ``resolve_conj()``
and ``view_as_real``'s refusal behave as in torch.  Unlike torch, an in-place write
into ``z.conj()`` does not change ``z``.
"""

__all__ = [
    "angle", "complex", "conj", "conj_physical", "is_conj", "is_neg", "polar", "real",
    "imag", "resolve_conj", "resolve_neg", "view_as_complex", "view_as_real",
]

import math

import numpy as np

from .._device import META, as_strided, meta_array, writeable, xp_of
from .._tensor import Tensor
from ..autograd.graph import Node
from . import _util as U
from ._util import GRAD, record
from ._view import make_view
from .pointwise._common import _typed

_REAL_OF = {np.dtype(np.complex64): np.dtype(np.float32),
            np.dtype(np.complex128): np.dtype(np.float64)}
_COMPLEX_OF = {v: k for k, v in _REAL_OF.items()}


def conj_if_complex(t):
    """``t.conj()`` for a complex tensor, ``t`` itself otherwise (no cost for real dtypes).

    Backward formulas multiply by ``conj_if_complex(derivative)``, torch's rule for
    holomorphic functions (e.g. matmul: ``grad @ conj_if_complex(other).mT``).
    """
    if t._data.dtype.kind == "c":
        return conj_physical(t)
    return t


# ----------------------------------------------------------------------------------
# real / imag (views)
# ----------------------------------------------------------------------------------

class RealBackward0(Node):
    def backward(self, grad):
        # a real gradient for a complex input: the engine casts it (imaginary part 0)
        return (grad,)


class ImagBackward0(Node):
    def backward(self, grad):
        return (grad * 1j,)


def real(input):
    """The real part of a complex tensor, as a view (the tensor itself if it is real).

    >>> z = ember.tensor([1 + 2j])
    >>> ember.real(z)
    tensor([1.])
    """
    U.check_tensor(input, "real")
    arr = input._data
    if arr.dtype.kind != "c":
        return input
    res = make_view(input, arr.real)
    if GRAD.enabled and input._rg:
        record(RealBackward0, res, (input,))
    return res


def imag(input):
    """The imaginary part of a complex tensor, as a view.

    >>> ember.imag(ember.tensor([1 + 2j]))
    tensor([2.])
    """
    U.check_tensor(input, "imag")
    arr = input._data
    if arr.dtype.kind != "c":
        raise RuntimeError(f"imag is not implemented for tensors with non-complex dtypes "
                           f"(got {input.dtype}).")
    res = make_view(input, arr.imag)
    if GRAD.enabled and input._rg:
        record(ImagBackward0, res, (input,))
    return res


def _real_getter(self):
    return real(self)


def _real_setter(self, value):
    real(self).copy_(value)


def _imag_getter(self):
    return imag(self)


def _imag_setter(self, value):
    imag(self).copy_(value)


# ----------------------------------------------------------------------------------
# conj, conj_physical, resolve_conj, resolve_neg
# ----------------------------------------------------------------------------------

class ConjBackward0(Node):
    def backward(self, grad):
        return (conj(grad),)


class ConjPhysicalBackward0(Node):
    def backward(self, grad):
        return (conj_physical(grad),)


def _conj_tensor(input, node_cls):
    res = U.wrap(np.conjugate(input._data), input._device)
    if GRAD.enabled and input._rg:
        record(node_cls, res, (input,))
    return res


def conj(input):
    """The complex conjugate; real tensors are returned as they are.

    >>> ember.conj(ember.tensor([1 + 2j]))
    tensor([1.-2.j])
    """
    U.check_tensor(input, "conj")
    if input._data.dtype.kind != "c":
        return input
    res = _conj_tensor(input, ConjBackward0)
    res._is_conj = True
    return res


def conj_physical(input):
    """The complex conjugate, always materialized (the input itself if it is real).

    >>> ember.conj_physical(ember.tensor([1 - 1j]))
    tensor([1.+1.j])
    """
    U.check_tensor(input, "conj_physical")
    if input._data.dtype.kind != "c":
        return input
    return _conj_tensor(input, ConjPhysicalBackward0)


def is_conj(input):
    """Whether the tensor carries the conjugate bit (set by ``conj()`` on complex tensors)."""
    U.check_tensor(input, "is_conj")
    return bool(input.__dict__.get("_is_conj", False))


def resolve_conj(input):
    """A tensor without the conjugate bit and the same values (the input if it has none).

    >>> ember.tensor([1 + 1j]).conj().resolve_conj().is_conj()
    False
    """
    U.check_tensor(input, "resolve_conj")
    if not is_conj(input):
        return input
    from .shape import clone
    res = clone(input)
    res.__dict__.pop("_is_conj", None)
    return res


def is_neg(input):
    """Whether the tensor carries torch's negative bit (never in ember)."""
    U.check_tensor(input, "is_neg")
    return False


def resolve_neg(input):
    """The input itself: ember has no lazy negation."""
    U.check_tensor(input, "resolve_neg")
    return input


# ----------------------------------------------------------------------------------
# angle
# ----------------------------------------------------------------------------------

class AngleBackward0(Node):
    def backward(self, grad):
        (x,) = self.saved_tensors
        if x._data.dtype.kind != "c":
            return (grad * 0,)
        from .pointwise.ternary import _zero_where
        # d angle = (Re z d(Im z) - Im z d(Re z)) / |z|^2, i.e. grad * i z / |z|^2
        scale = (x * 1j) / (x.real * x.real + x.imag * x.imag)
        return (_zero_where(grad * scale, x._data == 0),)


def _angle_real(arr):
    # NOTE: torch's angle of a real number is pi for negatives and 0 otherwise (also for
    # -0.0, where NumPy's gives pi); NaN stays NaN.
    r = np.multiply(arr < 0, _typed(math.pi, arr.dtype, arr), dtype=arr.dtype)
    nan = np.isnan(arr)
    if nan.any():
        np.copyto(r, arr, where=nan)
    return r


def angle(input, *, out=None):
    """The argument (phase) of each element, in radians; a real dtype.

    >>> ember.angle(ember.tensor([1j, -1.0]))
    tensor([1.5708, 3.1416])
    """
    U.check_tensor(input, "angle")
    arr = input._data
    if arr.dtype.kind == "c":
        r = np.angle(arr).astype(_REAL_OF[arr.dtype], copy=False)
    else:
        r = _angle_real(U.as_float_array(input))
    res = U.wrap(r, input._device)
    if GRAD.enabled and input._rg:
        record(AngleBackward0, res, (input,), (input,))
    return U.write_out(out, res, "angle") if out is not None else res


# ----------------------------------------------------------------------------------
# polar / complex: two real tensors -> one complex tensor
# ----------------------------------------------------------------------------------

class PolarBackward0(Node):
    def backward(self, grad):
        magnitude, phase = self.saved_tensors
        from .pointwise.unary import cos, sin
        unit = complex(cos(phase), sin(phase))
        w = grad * conj_physical(unit)
        nf = self.next_functions
        g_abs = real(w) if nf[0][0] is not None else None
        g_angle = imag(w) * magnitude if nf[1][0] is not None else None
        return g_abs, g_angle


class ComplexBackward0(Node):
    def backward(self, grad):
        nf = self.next_functions
        g_real = real(grad) if nf[0][0] is not None else None
        g_imag = imag(grad) if nf[1][0] is not None else None
        return g_real, g_imag


def _two_real_inputs(op, first, second, names):
    U.check_tensor(first, op, names[0])
    U.check_tensor(second, op, names[1])
    a, b = first._data, second._data
    if a.dtype.kind != "f" or b.dtype.kind != "f" or a.dtype == np.float16:
        if a.dtype == np.float16 and b.dtype == np.float16:
            # NOTE: torch gives complex32 here, a dtype ember does not have.
            raise NotImplementedError(f"{op}: float16 inputs would give complex32, which "
                                      "ember does not support")
        raise RuntimeError(f"{op}: Expected both inputs to be Half, Float or Double tensors "
                           f"but got {first.dtype} and {second.dtype}")
    if a.dtype != b.dtype:
        raise RuntimeError(f"{op}: Expected object of scalar type {first.dtype} but got "
                           f"scalar type {second.dtype} for second argument")
    device = U.common_device(op, (first, second))
    try:
        shape = np.broadcast_shapes(a.shape, b.shape)
    except ValueError:
        raise U.broadcast_error(op, a, b) from None
    return a, b, shape, device


def _complex_from_parts(re_arr, im_arr, shape, device):
    if device is META:
        return U.wrap(meta_array(shape, _COMPLEX_OF[re_arr.dtype]), META)
    out = xp_of(re_arr).empty(shape, _COMPLEX_OF[re_arr.dtype])
    out.real = re_arr
    out.imag = im_arr
    return U.wrap(out, device)


def polar(abs, angle, *, out=None):  # noqa: A002  (torch's argument names)
    """abs * (cos(angle) + i sin(angle)) from two real tensors of the same dtype.

    >>> ember.polar(ember.tensor([2.0]), ember.tensor([0.0]))
    tensor([2.+0.j])
    """
    a, t, shape, device = _two_real_inputs("polar", abs, angle, ("abs", "angle"))
    res = _complex_from_parts(a * np.cos(t), a * np.sin(t), shape, device)
    if GRAD.enabled and (abs._rg or angle._rg):
        record(PolarBackward0, res, (abs, angle), (abs, angle))
    return U.write_out(out, res, "polar") if out is not None else res


def complex(real, imag, *, out=None):  # noqa: A001  (torch's name)
    """real + i * imag from two real tensors of the same dtype.

    >>> ember.complex(ember.tensor([1.0]), ember.tensor([2.0]))
    tensor([1.+2.j])
    """
    re_arr, im_arr, shape, device = _two_real_inputs("complex", real, imag, ("real", "imag"))
    res = _complex_from_parts(re_arr, im_arr, shape, device)
    if GRAD.enabled and (real._rg or imag._rg):
        record(ComplexBackward0, res, (real, imag))
    return U.write_out(out, res, "complex") if out is not None else res


# ----------------------------------------------------------------------------------
# view_as_real / view_as_complex
# ----------------------------------------------------------------------------------

class ViewAsRealBackward0(Node):
    def backward(self, grad):
        return (_view_as_complex(grad.contiguous(), "view_as_complex"),)


class ViewAsComplexBackward0(Node):
    def backward(self, grad):
        return (_view_as_real(grad.contiguous()),)


def _real_view_array(arr):
    """The (..., 2) real array over the memory of complex ``arr``."""
    real_dtype = _REAL_OF[arr.dtype]
    parts = arr.real    # a view of the real parts, with the complex array's strides
    return as_strided(parts, arr.shape + (2,), arr.strides + (real_dtype.itemsize,),
                      writeable=writeable(arr))


def _view_as_real(input):
    arr = input._data
    if input._device is META:
        view = meta_array(arr.shape + (2,), _REAL_OF[arr.dtype])
    else:
        view = _real_view_array(arr)
    res = make_view(input, view)
    if GRAD.enabled and input._rg:
        record(ViewAsRealBackward0, res, (input,))
    return res


def view_as_real(input):
    """A real view of shape (..., 2) of a complex tensor: [..., 0] real, [..., 1] imaginary.

    >>> ember.view_as_real(ember.tensor([1 + 2j]))
    tensor([[1., 2.]])
    """
    U.check_tensor(input, "view_as_real")
    if input._data.dtype.kind != "c":
        raise RuntimeError(f"view_as_real is only supported for complex tensors (got "
                           f"{input.dtype})")
    if is_conj(input):
        raise RuntimeError("view_as_real doesn't work on unresolved conjugated tensors. To "
                           "resolve the conjugate tensor so you can view it as real, use "
                           "self.resolve_conj()")
    return _view_as_real(input)


def _check_complex_layout(input, op):
    arr = input._data
    if arr.dtype == np.float16:
        raise NotImplementedError(f"{op}: float16 input would give complex32, which ember "
                                  "does not support")
    if arr.dtype not in _COMPLEX_OF:
        raise RuntimeError(f"{op} is only supported for floating point tensors (got "
                           f"{input.dtype})")
    if arr.ndim == 0 or arr.shape[-1] != 2:
        raise RuntimeError(f"{op}: Tensor must have a last dimension of size 2 (got shape "
                           f"{list(arr.shape)})")
    if input._device is META or arr.size == 0:
        return
    strides = input.stride()
    if strides[-1] != 1:
        raise RuntimeError(f"{op}: Tensor must have a last dimension with stride 1 (got "
                           f"strides {list(strides)})")
    if any(s % 2 for s in strides[:-1]):
        raise RuntimeError(f"{op}: Tensor must have a stride divisible by 2 for all but last "
                           f"dimension (got strides {list(strides)})")
    if input.storage_offset() % 2:
        raise RuntimeError(f"{op}: Tensor must have a storage_offset divisible by 2")


def _view_as_complex(input, op):
    _check_complex_layout(input, op)
    arr = input._data
    shape = arr.shape[:-1]
    if input._device is META:
        view = meta_array(shape, _COMPLEX_OF[arr.dtype])
    elif arr.size == 0:
        view = xp_of(arr).empty(shape, _COMPLEX_OF[arr.dtype])
    else:
        view = arr.view(_COMPLEX_OF[arr.dtype]).reshape(shape)
    res = make_view(input, view)
    if GRAD.enabled and input._rg:
        record(ViewAsComplexBackward0, res, (input,))
    return res


def view_as_complex(input):
    """A complex view of a float32/float64 tensor whose last dim (size 2, stride 1)
    holds real and imaginary parts.

    >>> ember.view_as_complex(ember.tensor([[1.0, 2.0]]))
    tensor([1.+2.j])
    """
    U.check_tensor(input, "view_as_complex")
    return _view_as_complex(input, "view_as_complex")


METHODS = {
    "angle": angle, "conj": conj, "conj_physical": conj_physical, "is_conj": is_conj,
    "is_neg": is_neg, "resolve_conj": resolve_conj, "resolve_neg": resolve_neg,
}
for _name, _fn in METHODS.items():
    setattr(Tensor, _name, _fn)
Tensor.real = property(_real_getter, _real_setter)
Tensor.imag = property(_imag_getter, _imag_setter)

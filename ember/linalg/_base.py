"""Shared checks and helpers of ember.linalg: dtype/shape checks with torch's errors,
LAPACK calls through NumPy with NumPy's errors turned into torch's, multi-output graph
nodes, and the named tuples torch returns.

NOTE: on cuda inv, solve, cholesky, det, slogdet, svd(vals) and eigh/eigvalsh run on the
device (``device_data``, CuPy's cuSOLVER calls under ``device_errors`` so that a singular
or non-positive-definite input raises LinAlgError as torch's cuda kernels do after
checking LAPACK's info).  The other factorizations (qr, eig, lu, lstsq, pinv, the
``*_ex`` variants...) take a host round trip: ``data``
copies the input to the host and ``wrap`` copies the results back.  CuPy lacks some of
them (eig, eigvals, lu with pivots; torch runs eig on the host too) and the host path
keeps torch's error and edge-case behaviour exactly.  Gradients are ember ops and stay
on the device.
"""

import contextlib
import numpy as np

from .. import _dtype as D
from .._device import META, as_array, move_array, to_host
from .._tensor import Tensor
from ..ops import _util as U
from ..ops._return_types import _return_type, return_types
from ..ops._util import GRAD

__all__ = ["LinAlgError"]


class LinAlgError(RuntimeError):
    """Raised when a matrix is singular or not positive-definite (``torch.linalg.LinAlgError``).

    A subclass of RuntimeError, as in torch.
    """


_LOW = (np.dtype(np.float16), D.bfloat16.np)

# torch's scalar type names, used in its error messages
_SCALAR_NAMES = {
    "bool": "Bool", "uint8": "Byte", "int8": "Char", "int16": "Short", "int32": "Int",
    "int64": "Long", "float16": "Half", "bfloat16": "BFloat16", "float32": "Float",
    "float64": "Double", "complex64": "ComplexFloat", "complex128": "ComplexDouble",
}


def scalar_name(arr):
    return _SCALAR_NAMES.get(str(arr.dtype), str(arr.dtype))


def check_float(op, A, *, low_kernel=None, name="A", int_kernel=None):
    """torch's dtype checks of a linalg op: no integers, no float16/bfloat16.

    ``low_kernel``: the CPU kernel torch names in its NotImplementedError for half
    types (None: torch's 'Low precision dtypes not supported' RuntimeError).
    ``int_kernel``: likewise for integer inputs (None: torch's RuntimeError).
    """
    U.check_tensor(A, op, name)
    arr = A._data
    kind = arr.dtype.kind
    if kind in "biu":
        if int_kernel is not None:
            raise NotImplementedError(f"\"{int_kernel}\" not implemented for "
                                      f"'{scalar_name(arr)}' ({op} of shape {list(arr.shape)})")
        raise RuntimeError(f"{op}: Expected a floating point or complex tensor as input. "
                           f"Got {scalar_name(arr)}")
    if arr.dtype in _LOW:
        if low_kernel is None:
            raise RuntimeError(f"{op}: Low precision dtypes not supported. Got "
                               f"{scalar_name(arr)}")
        raise NotImplementedError(f"\"{low_kernel}\" not implemented for "
                                  f"'{scalar_name(arr)}' ({op} of shape {list(arr.shape)})")
    return arr


def check_matrix(op, A, name="A"):
    if A._data.ndim < 2:
        raise RuntimeError(f"{op}: The input tensor {name} must have at least 2 dimensions.")


def check_square(op, A, name="A"):
    check_matrix(op, A, name)
    m, n = A._data.shape[-2:]
    if m != n:
        raise RuntimeError(f"{op}: {name} must be batches of square matrices, but they are "
                           f"{m} by {n} matrices")


def check_same(op, A, B, names=("A", "B")):
    """Same device and dtype for two operands, as torch's linalg solvers require."""
    U.check_tensor(B, op, names[1])
    if A._device is not B._device:
        raise RuntimeError(f"{op}: Expected all tensors to be on the same device, but found at "
                           f"least two devices, {A._device} and {B._device}!")
    if A._data.dtype != B._data.dtype:
        raise RuntimeError(f"{op}: Expected {names[1]} and {names[0]} to have the same dtype, "
                           f"but found {names[1]} of type {scalar_name(B._data)} and "
                           f"{names[0]} of type {scalar_name(A._data)} instead.")


def data(t):
    """The array to compute on: a meta tensor has no values, so identity matrices stand in
    (every decomposition succeeds on them and the result shapes are right)."""
    dev = t._device
    if dev is not META:
        return t._data if dev.type == "cpu" else to_host(t._data)
    arr = np.zeros(t._data.shape, dtype=t._data.dtype)
    if arr.ndim >= 2:
        k = min(arr.shape[-2:])
        idx = np.arange(k)
        arr[..., idx, idx] = 1
    return arr


def device_data(t):
    """The array to factorize where the factorization runs on t's device (cuda: CuPy's
    array, see the module NOTE); as ``data`` otherwise."""
    if t._device.type == "cuda":
        return t._data
    return data(t)


def device_errors(arr):
    """A context in which CuPy raises LinAlgError for a failed factorization of ``arr``
    (its default is to return NaNs); nothing for NumPy arrays, which raise anyway."""
    if type(arr) is np.ndarray:
        return contextlib.nullcontext()
    try:
        import cupyx
        errstate = cupyx.errstate
    except (ImportError, AttributeError):   # the test emulator raises as NumPy does
        return contextlib.nullcontext()
    return errstate(linalg="raise")


def lapack(op, fn, *args, what="the input matrix is singular", **kwargs):
    """Call a NumPy linalg function; its LinAlgError becomes torch's LinAlgError."""
    try:
        with np.errstate(all="ignore"), device_errors(args[0]):
            return fn(*args, **kwargs)
    except np.linalg.LinAlgError:
        raise LinAlgError(f"{op}: The factorization could not be completed because {what} "
                          f"(input of shape {list(np.shape(args[0]))}).") from None


def wrap(arr, device, dtype=None):
    """A result array (host or device) as a tensor on ``device`` (see the module NOTE)."""
    arr = as_array(arr)
    if dtype is not None and arr.dtype != dtype:
        arr = arr.astype(dtype)
    if device.type == "cuda":
        arr = move_array(arr, device)
    return U.wrap(arr, device)


def needs_grad(*tensors):
    return GRAD.enabled and any(isinstance(t, Tensor) and t._rg for t in tensors)


def record_multi(node_cls, outs, inputs, saved=()):
    """One node for several outputs (the decompositions); ``outs`` entries may be None
    (outputs that are not differentiable)."""
    node = node_cls()
    node.connect(inputs)
    node._num_outputs = len(outs)
    node._out_meta = [None if o is None else (o._data.shape, o._data.dtype, o._device)
                      for o in outs]
    for i, o in enumerate(outs):
        if o is not None:
            o._grad_fn = node
            o._out_nr = i
            o._rg = True
    node.save(*saved)
    return node


def conj(t):
    """Complex conjugate where it matters (real tensors are returned as they are)."""
    if t._data.dtype.kind == "c":
        return t.conj()
    return t


def H(t):
    """Conjugate transpose of the last two dims (the transpose for real tensors)."""
    return t.mT.conj() if t._data.dtype.kind == "c" else t.mT


def real(t):
    if t._data.dtype.kind == "c":
        return t.real
    return t


def int_info(shape, device):
    return wrap(np.zeros(shape, dtype=np.int32), device)


# torch.return_types for the linalg functions
for _name, _fields in {
    "linalg_inv_ex": ("inverse", "info"),
    "linalg_cholesky_ex": ("L", "info"),
    "linalg_solve_ex": ("result", "info"),
    "linalg_slogdet": ("sign", "logabsdet"),
    "slogdet": ("sign", "logabsdet"),
    "linalg_qr": ("Q", "R"),
    "qr": ("Q", "R"),
    "linalg_svd": ("U", "S", "Vh"),
    "svd": ("U", "S", "V"),
    "linalg_eigh": ("eigenvalues", "eigenvectors"),
    "linalg_eig": ("eigenvalues", "eigenvectors"),
    "linalg_lstsq": ("solution", "residuals", "rank", "singular_values"),
    "triangular_solve": ("solution", "cloned_coefficient"),
}.items():
    if not hasattr(return_types, _name):
        setattr(return_types, _name, _return_type(_name, _fields))
RT = return_types

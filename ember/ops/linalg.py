"""Matrix products: matmul (every rank combination with batch broadcasting), mm, bmm,
mv, dot.  The rest of linear algebra (ember.linalg, einsum ...) is Core II.

matmul goes straight to NumPy's BLAS-backed ``np.matmul``; float16/bfloat16 are
multiplied in float32 and rounded once (NumPy has no fast half-precision GEMM).
"""

__all__ = ["matmul", "mm", "bmm", "mv", "dot"]

import numpy as np

from .. import _dtype as D
from .._tensor import Tensor
from ..autograd.graph import Node
from . import _util as U
from ._util import GRAD, record

_FROM_NP = D._FROM_NP
_LOW = (np.dtype(np.float16), D.bfloat16.np)


def _matmul_arrays(op, a, b):
    if a.dtype in _LOW:
        return np.matmul(a.astype(np.float32), b.astype(np.float32)).astype(a.dtype)
    return np.matmul(a, b)


def _check(op, input, other):
    U.check_tensor(input, op)
    U.check_tensor(other, op, "other")
    a, b = input._data, other._data
    if a.dtype != b.dtype:
        raise RuntimeError(f"{op}: expected both arguments to have the same dtype, but got: "
                           f"{_FROM_NP[a.dtype]} != {_FROM_NP[b.dtype]} (shapes {list(a.shape)} "
                           f"and {list(b.shape)})")
    if input._device is not other._device:
        raise RuntimeError(f"{op}: Expected all tensors to be on the same device, but found at "
                           f"least two devices, {input._device} and {other._device}!")
    if a.ndim == 0 or b.ndim == 0:
        raise RuntimeError(f"{op}: both arguments to matmul need to be at least 1D, but they are "
                           f"{a.ndim}D and {b.ndim}D")
    if a.dtype == np.bool_:
        raise NotImplementedError(f'"{_BOOL_KERNEL[op]}" not implemented for \'Bool\' '
                                  f'({op} of shapes {list(a.shape)} and {list(b.shape)})')
    return a, b


class MmBackward0(Node):
    def backward(self, grad):
        a, b = self.saved_tensors
        nf = self.next_functions
        ga = matmul(grad, b.mT) if nf[0][0] is not None else None
        gb = matmul(a.mT, grad) if nf[1][0] is not None else None
        return ga, gb


class MatmulBackward0(Node):
    """General matmul backward: 1-d operands are promoted to matrices and back."""

    def backward(self, grad):
        a, b = self.saved_tensors
        nf = self.next_functions
        if a.ndim == 1 and b.ndim == 1:  # dot product: grad is 0-dim
            return (grad * b if nf[0][0] is not None else None,
                    grad * a if nf[1][0] is not None else None)
        a2 = a.unsqueeze(0) if a.ndim == 1 else a
        b2 = b.unsqueeze(-1) if b.ndim == 1 else b
        g = grad
        if a.ndim == 1:
            g = g.unsqueeze(-2)
        if b.ndim == 1:
            g = g.unsqueeze(-1)
        ga = gb = None
        if nf[0][0] is not None:
            ga = matmul(g, b2.mT)
            if a.ndim == 1:
                ga = ga.squeeze(-2)
        if nf[1][0] is not None:
            gb = matmul(a2.mT, g)
            if b.ndim == 1:
                gb = gb.squeeze(-1)
        # the engine sums broadcast batch dims back to each input's shape
        return ga, gb


# NOTE: torch's matmul dispatches by rank to dot/mv/mm/bmm (and folds batch dims through
# views), so its results carry these grad_fn names; ember computes every case with one
# np.matmul and names the node as torch would.
class DotBackward0(MatmulBackward0):
    pass


class MvBackward0(MatmulBackward0):
    pass


class BmmBackward0(MatmulBackward0):
    pass


class SqueezeBackward4(MatmulBackward0):
    pass


class UnsafeViewBackward0(MatmulBackward0):
    pass


def _node_class(a_ndim, b_ndim):
    if a_ndim == 2 and b_ndim == 2:
        return MmBackward0
    if a_ndim > 2 or b_ndim > 2:
        return UnsafeViewBackward0
    if a_ndim == 1:
        return DotBackward0 if b_ndim == 1 else SqueezeBackward4
    return MvBackward0


# the CPU kernel torch names when it refuses bool operands
_BOOL_KERNEL = {"matmul": "addmm_impl_cpu_", "mm": "addmm_impl_cpu_", "mv": "addmv_impl_cpu",
                "bmm": "bmm", "dot": "dot"}


def matmul(input, other, *, out=None):
    """Matrix product with torch's rules for 1-d operands and batch broadcasting.

    >>> ember.ones(2, 3) @ ember.ones(3)
    tensor([3., 3.])
    """
    return _matmul("matmul", input, other, out)


def _matmul(op, input, other, out, node_cls=None):
    a, b = _check(op, input, other)
    try:
        arr = _matmul_arrays(op, a, b)
    except ValueError:
        raise RuntimeError(f"{op}: shapes cannot be multiplied ({_desc(a)} and {_desc(b)})") \
            from None
    res = U.wrap(np.asarray(arr), input._device)
    if GRAD.enabled and (input._rg or other._rg):
        record(node_cls or _node_class(a.ndim, b.ndim), res, (input, other), (input, other))
    if out is not None:
        # NOTE: torch's matrix products take no casting out= tensor
        if isinstance(out, Tensor) and out.dtype is not res.dtype:
            raise RuntimeError(f"{op}(): Expected out tensor to have dtype {res.dtype}, but "
                               f"got {out.dtype} instead")
        return U.write_out(out, res, op)
    return res


def _desc(a):
    if a.ndim == 2:
        return f"{a.shape[0]}x{a.shape[1]}"
    return "x".join(str(s) for s in a.shape) or "scalar"


def mm(input, mat2, *, out=None):
    """2-d matrix product.

    >>> ember.mm(ember.ones(2, 3), ember.ones(3, 4)).shape
    torch.Size([2, 4])
    """
    a, b = _check("mm", input, mat2)
    if a.ndim != 2 or b.ndim != 2:
        raise RuntimeError(f"mm: self must be a matrix and mat2 must be a matrix (got "
                           f"{a.ndim}D and {b.ndim}D)")
    if a.shape[1] != b.shape[0]:
        raise RuntimeError(f"mm: mat1 and mat2 shapes cannot be multiplied ({_desc(a)} and "
                           f"{_desc(b)})")
    return _matmul("mm", input, mat2, out)


def bmm(input, mat2, *, out=None):
    """Batched 3-d matrix product (no broadcasting).

    >>> ember.bmm(ember.ones(5, 2, 3), ember.ones(5, 3, 4)).shape
    torch.Size([5, 2, 4])
    """
    a, b = _check("bmm", input, mat2)
    if a.ndim != 3 or b.ndim != 3:
        raise RuntimeError(f"bmm: batch1 must be a 3D tensor and batch2 must be a 3D tensor "
                           f"(got {a.ndim}D and {b.ndim}D)")
    if a.shape[0] != b.shape[0] or a.shape[2] != b.shape[1]:
        raise RuntimeError(f"bmm: Expected size for first two dimensions of batch2 tensor to be: "
                           f"[{a.shape[0]}, {a.shape[2]}] but got: [{b.shape[0]}, {b.shape[1]}].")
    return _matmul("bmm", input, mat2, out, BmmBackward0)


def mv(input, vec, *, out=None):
    """Matrix-vector product.

    >>> ember.mv(ember.ones(2, 3), ember.ones(3))
    tensor([3., 3.])
    """
    a, b = _check("mv", input, vec)
    if a.ndim != 2 or b.ndim != 1 or a.shape[1] != b.shape[0]:
        raise RuntimeError(f"mv: size mismatch, got input ({list(a.shape)}), vec "
                           f"({list(b.shape)})")
    return _matmul("mv", input, vec, out)


def dot(input, tensor, *, out=None):
    """Inner product of two 1-d tensors.

    >>> ember.dot(ember.tensor([1., 2.]), ember.tensor([3., 4.]))
    tensor(11.)
    """
    a, b = _check("dot", input, tensor)
    if a.ndim != 1 or b.ndim != 1:
        raise RuntimeError(f"dot: 1D tensors expected, but got {a.ndim}D and {b.ndim}D tensors")
    if a.shape[0] != b.shape[0]:
        raise RuntimeError(f"dot: inconsistent tensor size, expected tensor [{a.shape[0]}] and "
                           f"src [{b.shape[0]}] to have the same number of elements, but got "
                           f"{a.shape[0]} and {b.shape[0]} elements respectively")
    return _matmul("dot", input, tensor, out)


def _rmatmul(self, other):
    if type(other) is np.ndarray:
        return NotImplemented
    return matmul(other, self)


def _matmul_operator(self, other):
    # NOTE: ``t @ ndarray`` is computed by NumPy (and wrapped back), as in torch.
    if type(other) is np.ndarray:
        return NotImplemented
    return matmul(self, other)


METHODS = {"matmul": matmul, "mm": mm, "bmm": bmm, "mv": mv, "dot": dot,
           "__matmul__": _matmul_operator, "__rmatmul__": _rmatmul}
for _name, _fn in METHODS.items():
    setattr(Tensor, _name, _fn)

"""Matrix products: matmul (every rank combination with batch broadcasting), mm, bmm,
mv, dot, vdot, inner, outer, the add-products (addmm, addmv, addr, addbmm, baddbmm),
tensordot, kron, cross, trace, chain_matmul; and torch's top-level spellings of
ember.linalg functions (det, inverse, svd, qr ...), which live in ember/linalg.

matmul goes straight to NumPy's BLAS-backed ``np.matmul``; float16/bfloat16 are
multiplied in float32 and rounded once (NumPy has no fast half-precision GEMM).
"""

__all__ = ["matmul", "mm", "bmm", "mv", "dot", "vdot", "inner", "outer", "ger", "addmm",
           "addmv", "addr", "addbmm", "baddbmm", "tensordot", "kron", "cross", "trace",
           "chain_matmul", "det", "logdet", "slogdet", "inverse", "pinverse", "matrix_power",
           "svd", "qr", "cholesky", "cholesky_solve", "cholesky_inverse", "matrix_exp",
           "triangular_solve", "nuclear_norm", "frobenius_norm", "lu", "lu_solve", "lu_unpack"]

import warnings

import numpy as np

from .. import _dtype as D
from .._device import META, as_array, xp_of
from .._tensor import Tensor
from ..autograd.graph import Node
from . import _util as U
from ._inplace import make_inplace
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
        ga = matmul(grad, _H(b)) if nf[0][0] is not None else None
        gb = matmul(_H(a), grad) if nf[1][0] is not None else None
        return ga, gb


class MatmulBackward0(Node):
    """General matmul backward: 1-d operands are promoted to matrices and back."""

    def backward(self, grad):
        a, b = self.saved_tensors
        nf = self.next_functions
        if a.ndim == 1 and b.ndim == 1:  # dot product: grad is 0-dim
            return (grad * _conj(b) if nf[0][0] is not None else None,
                    grad * _conj(a) if nf[1][0] is not None else None)
        a2 = a.unsqueeze(0) if a.ndim == 1 else a
        b2 = b.unsqueeze(-1) if b.ndim == 1 else b
        g = grad
        if a.ndim == 1:
            g = g.unsqueeze(-2)
        if b.ndim == 1:
            g = g.unsqueeze(-1)
        ga = gb = None
        if nf[0][0] is not None:
            ga = matmul(g, _H(b2))
            if a.ndim == 1:
                ga = ga.squeeze(-2)
        if nf[1][0] is not None:
            gb = matmul(_H(a2), g)
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
                "bmm": "bmm", "dot": "dot", "vdot": "vdot", "addmm": "addmm_impl_cpu_",
                "addmv": "addmv_impl_cpu", "baddbmm": "baddbmm_cpu", "addbmm": "addbmm_cpu"}


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
    res = U.wrap(as_array(arr), input._device)
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


def vdot(input, other, *, out=None):
    """Dot product of two 1-d tensors, conjugating the first.

    >>> ember.vdot(ember.tensor([1., 2.]), ember.tensor([3., 4.]))
    tensor(11.)
    """
    a, b = _check("vdot", input, other)
    if a.ndim != 1 or b.ndim != 1:
        raise RuntimeError(f"vdot: 1D tensors expected, but got {a.ndim}D and {b.ndim}D tensors")
    if a.shape[0] != b.shape[0]:
        raise RuntimeError(f"vdot: inconsistent tensor size, expected tensor [{a.shape[0]}] and "
                           f"src [{b.shape[0]}] to have the same number of elements, but got "
                           f"{a.shape[0]} and {b.shape[0]} elements respectively")
    if a.dtype.kind == "c":
        input = input.conj()
    return _matmul("vdot", input, other, out, VdotBackward0)


class VdotBackward0(MatmulBackward0):
    pass


def _same_dtype(op, input, other, msg="both inputs should have same dtype"):
    U.check_tensor(input, op)
    U.check_tensor(other, op, "other")
    if input._data.dtype != other._data.dtype:
        raise RuntimeError(f"{op}: {msg} (got {input.dtype} and {other.dtype})")
    if input._device is not other._device:
        raise RuntimeError(f"{op}: Expected all tensors to be on the same device, but found at "
                           f"least two devices, {input._device} and {other._device}!")


def inner(input, other, *, out=None):
    """Inner product over the last dims (a product when either is 0-dim).

    >>> ember.inner(ember.ones(2, 3), ember.ones(3)).shape
    torch.Size([2])
    """
    _same_dtype("inner", input, other)
    if input.ndim == 0 or other.ndim == 0:
        res = input * other
    else:
        if input.shape[-1] != other.shape[-1]:
            raise RuntimeError(f"inner() the last dimension must match on both input tensors but "
                               f"got shapes {list(input.shape)} and {list(other.shape)}")
        res = tensordot(input, other, dims=([-1], [-1]))
    return _finish_out(res, out, "inner")


def _finish_out(res, out, op):
    if out is None:
        return res
    return U.write_out(out, res, op)


def outer(input, vec2, *, out=None):
    """Outer product of two 1-d tensors (dtypes promote).

    >>> ember.outer(ember.tensor([1., 2.]), ember.tensor([1., 10.]))
    tensor([[ 1., 10.],
            [ 2., 20.]])
    """
    U.check_tensor(input, "outer")
    U.check_tensor(vec2, "outer", "vec2")
    for t, name in ((input, "self"), (vec2, "vec2")):
        if t.ndim != 1:
            raise RuntimeError(f"outer: Expected 1-D argument {name}, but got {t.ndim}-D "
                               f"(shape {list(t.shape)})")
    return _finish_out(input.unsqueeze(1) * vec2, out, "outer")


def ger(input, vec2, *, out=None):
    """Alias of :func:`outer`.

    >>> ember.ger(ember.ones(2), ember.ones(3)).shape
    torch.Size([2, 3])
    """
    return outer(input, vec2, out=out)


# ----------------------------------------------------------------------------------
# add-products: beta * input + alpha * (product)
# ----------------------------------------------------------------------------------

class _AddProductBackward(Node):
    """Gradient of beta * input + alpha * P(a, b), where P is a matrix product
    (``kind``: 'mm' for mm/mv/bmm, 'outer' for addr, 'sum_bmm' for addbmm)."""

    def backward(self, grad):
        a, b = self.saved_tensors
        nf = self.next_functions
        beta, alpha, kind = self.beta, self.alpha, self.kind
        g_in = None
        if nf[0][0] is not None:
            g_in = grad if beta == 1 else grad * beta
        g = grad if alpha == 1 else grad * alpha
        ga = gb = None
        if kind == "outer":
            if nf[1][0] is not None:
                ga = matmul(g, _conj(b))
            if nf[2][0] is not None:
                gb = matmul(g.mT, _conj(a))
            return g_in, ga, gb
        if kind == "sum_bmm":
            g = g.unsqueeze(0)
        if nf[1][0] is not None:
            if b.ndim == 1:   # addmv: outer(g, conj(vec))
                ga = matmul(g.unsqueeze(-1), _conj(b).unsqueeze(-2))
            else:
                ga = matmul(g, _H(b))
            if kind == "sum_bmm":
                ga = ga.expand(a.shape)
        if nf[2][0] is not None:
            gb = matmul(_H(a), g) if b.ndim > 1 else matmul(_H(a), g.unsqueeze(-1)).squeeze(-1)
            if kind == "sum_bmm":
                gb = gb.expand(b.shape)
        return g_in, ga, gb


def _conj(t):
    return t.conj() if t._data.dtype.kind == "c" else t


def _H(t):
    """Conjugate transpose of the last two dims (the transpose for real tensors)."""
    return t.mT.conj() if t._data.dtype.kind == "c" else t.mT


class AddmmBackward0(_AddProductBackward):
    kind = "mm"


class AddmvBackward0(_AddProductBackward):
    kind = "mm"


class BaddbmmBackward0(_AddProductBackward):
    kind = "mm"


class AddrBackward0(_AddProductBackward):
    kind = "outer"


class AddbmmBackward0(_AddProductBackward):
    kind = "sum_bmm"


def _add_product(op, node_cls, input, prod_arr, a, b, beta, alpha, out):
    """beta * input + alpha * prod_arr, with torch's rules (beta == 0 ignores input)."""
    U.check_tensor(input, op)
    arr = input._data
    dtype = prod_arr.dtype
    if arr.dtype != dtype:
        raise RuntimeError(f"{op}: self and mat2 must have the same dtype, but got "
                           f"{_FROM_NP[arr.dtype]} and {_FROM_NP[dtype]}")
    if input._device is not a._device:
        raise RuntimeError(f"{op}: Expected all tensors to be on the same device, but found at "
                           f"least two devices, {input._device} and {a._device}!")
    try:
        fits = arr.ndim <= prod_arr.ndim and \
            np.broadcast_shapes(arr.shape, prod_arr.shape) == prod_arr.shape
    except ValueError:
        fits = False
    if not fits:
        raise RuntimeError(f"{op}: the input of shape {list(arr.shape)} cannot be broadcast "
                           f"to the size of the product {list(prod_arr.shape)}")
    for x, name in ((beta, "beta"), (alpha, "alpha")):
        if isinstance(x, Tensor) or not isinstance(x, (int, float, bool, np.number)):
            raise TypeError(f"{op}(): argument '{name}' must be Number, not {type(x).__name__}")
    low = dtype in _LOW
    work = prod_arr.astype(np.float32) if low else prod_arr
    if alpha != 1:
        work = work * alpha
    # NOTE: as torch, beta == 0 ignores input entirely (NaN and inf in it do not propagate).
    if beta != 0:
        inp = arr.astype(np.float32) if low else arr
        work = work + (inp if beta == 1 else inp * beta)
    res = U.wrap(as_array(work).astype(dtype, copy=False), a._device)
    if GRAD.enabled and (input._rg or a._rg or b._rg):
        node = record(node_cls, res, (input, a, b), (a, b))
        node.beta, node.alpha = beta, alpha
    return _finish_out(res, out, op)


def addmm(input, mat1, mat2, *, beta=1, alpha=1, out=None):
    """``beta * input + alpha * (mat1 @ mat2)`` for 2-d mat1, mat2 (input broadcasts).

    >>> ember.addmm(ember.zeros(2, 2), ember.ones(2, 3), ember.ones(3, 2), alpha=2)
    tensor([[6., 6.],
            [6., 6.]])
    """
    a, b = _check("addmm", mat1, mat2)
    if a.ndim != 2 or b.ndim != 2:
        raise RuntimeError(f"addmm: mat1 must be a matrix, got {a.ndim}-D tensor; mat2 must be "
                           f"a matrix, got {b.ndim}-D tensor")
    if a.shape[1] != b.shape[0]:
        raise RuntimeError(f"addmm: mat1 and mat2 shapes cannot be multiplied ({_desc(a)} and "
                           f"{_desc(b)})")
    return _add_product("addmm", AddmmBackward0, input, _matmul_arrays("addmm", a, b), mat1,
                        mat2, beta, alpha, out)


def addmv(input, mat, vec, *, beta=1, alpha=1, out=None):
    """``beta * input + alpha * (mat @ vec)``.

    >>> ember.addmv(ember.ones(2), ember.ones(2, 3), ember.ones(3))
    tensor([4., 4.])
    """
    a, b = _check("addmv", mat, vec)
    if a.ndim != 2 or b.ndim != 1 or a.shape[1] != b.shape[0]:
        raise RuntimeError(f"addmv: size mismatch, got input ({list(a.shape)}), vec "
                           f"({list(b.shape)})")
    return _add_product("addmv", AddmvBackward0, input, _matmul_arrays("addmv", a, b), mat,
                        vec, beta, alpha, out)


def addr(input, vec1, vec2, *, beta=1, alpha=1, out=None):
    """``beta * input + alpha * outer(vec1, vec2)``.

    >>> ember.addr(ember.zeros(2, 2), ember.tensor([1., 2.]), ember.tensor([1., 1.]))
    tensor([[1., 1.],
            [2., 2.]])
    """
    U.check_tensor(input, "addr")
    U.check_tensor(vec1, "addr", "vec1")
    U.check_tensor(vec2, "addr", "vec2")
    if vec1.ndim != 1 or vec2.ndim != 1:
        raise RuntimeError(f"addr: Expected 1-D argument vec1 and vec2, but got {vec1.ndim}-D "
                           f"and {vec2.ndim}-D")
    # NOTE: unlike addmm, addr promotes its three operands to a common dtype
    dt = D.result_type_of(input, vec1, vec2)
    input, vec1, vec2 = (t if t.dtype is dt else t.to(dt) for t in (input, vec1, vec2))
    a, b = vec1._data, vec2._data
    if vec1._device is not vec2._device:
        raise RuntimeError(f"addr: Expected all tensors to be on the same device, but found at "
                           f"least two devices, {vec1._device} and {vec2._device}!")
    if a.dtype == np.bool_:
        prod = np.logical_and.outer(a, b)
        arr = input._data
        res = prod if (beta == 0 or not beta) else (prod | np.broadcast_to(arr, prod.shape))
        if not alpha:
            res = np.broadcast_to(arr, prod.shape).copy() if beta else np.zeros_like(prod)
        return _finish_out(U.wrap(np.ascontiguousarray(res), vec1._device), out, "addr")
    prod = _matmul_arrays("addr", a[:, None], b[None, :])
    return _add_product("addr", AddrBackward0, input, prod, vec1, vec2, beta, alpha, out)


def _check_batches(op, a, b):
    if a.ndim != 3 or b.ndim != 3:
        raise RuntimeError(f"{op}: batch1 must be a 3D tensor and batch2 must be a 3D tensor "
                           f"(got {a.ndim}D and {b.ndim}D)")
    if a.shape[0] != b.shape[0] or a.shape[2] != b.shape[1]:
        raise RuntimeError(f"{op}: Expected size for first two dimensions of batch2 tensor to be: "
                           f"[{a.shape[0]}, {a.shape[2]}] but got: [{b.shape[0]}, {b.shape[1]}].")


def baddbmm(input, batch1, batch2, *, beta=1, alpha=1, out=None):
    """``beta * input + alpha * bmm(batch1, batch2)``.

    >>> ember.baddbmm(ember.zeros(2, 1, 1), ember.ones(2, 1, 3), ember.ones(2, 3, 1)).shape
    torch.Size([2, 1, 1])
    """
    a, b = _check("baddbmm", batch1, batch2)
    _check_batches("baddbmm", a, b)
    return _add_product("baddbmm", BaddbmmBackward0, input, _matmul_arrays("baddbmm", a, b),
                        batch1, batch2, beta, alpha, out)


def addbmm(input, batch1, batch2, *, beta=1, alpha=1, out=None):
    """``beta * input + alpha * sum_i batch1[i] @ batch2[i]``.

    >>> ember.addbmm(ember.zeros(1, 1), ember.ones(2, 1, 3), ember.ones(2, 3, 1))
    tensor([[6.]])
    """
    a, b = _check("addbmm", batch1, batch2)
    _check_batches("addbmm", a, b)
    if a.dtype in _LOW:
        prod = np.einsum("bij,bjk->ik", a.astype(np.float32), b.astype(np.float32))
        prod = prod.astype(a.dtype)
    else:
        prod = np.matmul(a, b).sum(0, dtype=a.dtype) if a.shape[0] else \
            xp_of(a).zeros((a.shape[1], b.shape[2]), a.dtype)
    return _add_product("addbmm", AddbmmBackward0, input, as_array(prod), batch1, batch2,
                        beta, alpha, out)


# ----------------------------------------------------------------------------------
# tensordot, kron, cross, trace, chain_matmul
# ----------------------------------------------------------------------------------

def _tensordot_dims(op, a, b, dims):
    if isinstance(dims, Tensor):
        dims = dims.tolist()
    if isinstance(dims, (int, np.integer)) and not isinstance(dims, bool):
        if dims < 0:
            raise RuntimeError(f"{op}: tensordot expects dims >= 0, but got dims={dims}")
        if dims > min(a.ndim, b.ndim):
            raise RuntimeError(f"{op}: tensordot expects dims < ndim_a or ndim_b, but got "
                               f"dims={dims}")
        return list(range(a.ndim - dims, a.ndim)), list(range(dims))
    if isinstance(dims, (list, tuple)) and len(dims) == 2:
        da, db = dims
        da = [da] if isinstance(da, int) else list(da)
        db = [db] if isinstance(db, int) else list(db)
        if len(da) != len(db):
            raise RuntimeError(f"{op}: both dimension lists should have same length "
                               f"(got {len(da)} and {len(db)})")
        return ([U.wrap_dim(d, a.ndim, op) for d in da], [U.wrap_dim(d, b.ndim, op) for d in db])
    raise TypeError(f"{op}(): argument 'dims' must be an int or a pair of dim lists, not "
                    f"{type(dims).__name__}")


def tensordot(a, b, dims=2, out=None):
    """Contract ``dims`` dims of ``a`` with ``dims`` dims of ``b`` (the last of a with the
    first of b when ``dims`` is an int; explicit lists when it is a pair).

    >>> ember.tensordot(ember.ones(2, 3, 4), ember.ones(3, 4, 5)).shape
    torch.Size([2, 5])
    """
    _same_dtype("tensordot", a, b)
    da, db = _tensordot_dims("tensordot", a, b, dims)
    for x, y in zip(da, db):
        if a.shape[x] != b.shape[y]:
            # NOTE: torch lets a contracted dim of size 1 broadcast against the other
            if a.shape[x] == 1:
                a = a.expand(*[b.shape[y] if d == x else s for d, s in enumerate(a.shape)])
            elif b.shape[y] == 1:
                b = b.expand(*[a.shape[x] if d == y else s for d, s in enumerate(b.shape)])
            else:
                raise RuntimeError(f"tensordot: contracted dimensions need to match, but first "
                                   f"has size {a.shape[x]} in dim {x} and second has size "
                                   f"{b.shape[y]} in dim {y}")
    free_a = [d for d in range(a.ndim) if d not in da]
    free_b = [d for d in range(b.ndim) if d not in db]
    k = int(np.prod([a.shape[d] for d in da], dtype=np.int64))
    ma = int(np.prod([a.shape[d] for d in free_a], dtype=np.int64))
    nb = int(np.prod([b.shape[d] for d in free_b], dtype=np.int64))
    a2 = a.permute(*free_a, *da).reshape(ma, k)
    b2 = b.permute(*db, *free_b).reshape(k, nb)
    res = mm(a2, b2).reshape(*[a.shape[d] for d in free_a], *[b.shape[d] for d in free_b])
    return _finish_out(res, out, "tensordot")


def kron(input, other, *, out=None):
    """Kronecker product (dtypes promote; the lower-rank operand gets leading 1s).

    >>> ember.kron(ember.eye(2), ember.ones(1, 2))
    tensor([[1., 1., 0., 0.],
            [0., 0., 1., 1.]])
    """
    U.check_tensor(input, "kron")
    U.check_tensor(other, "kron", "other")
    nd = max(input.ndim, other.ndim)
    a = input.reshape(*((1,) * (nd - input.ndim) + tuple(input.shape)))
    b = other.reshape(*((1,) * (nd - other.ndim) + tuple(other.shape)))
    a_shape = []
    b_shape = []
    for sa, sb in zip(a.shape, b.shape):
        a_shape += [sa, 1]
        b_shape += [1, sb]
    res = (a.reshape(*a_shape) * b.reshape(*b_shape)).reshape(
        *[sa * sb for sa, sb in zip(a.shape, b.shape)])
    return _finish_out(res, out, "kron")


class LinalgCrossBackward0(Node):
    def backward(self, grad):
        a, b = self.saved_tensors
        nf = self.next_functions
        d = self.dim
        ga = _cross("linalg.cross", b, grad, d) if nf[0][0] is not None else None
        gb = _cross("linalg.cross", grad, a, d) if nf[1][0] is not None else None
        return ga, gb


def _cross(op, input, other, dim):
    a, b = input._data, other._data
    shape = np.broadcast_shapes(a.shape, b.shape)
    d = U.wrap_dim(dim, len(shape), op)
    if shape[d] != 3:
        raise RuntimeError(f"{op}: dimension {dim} does not have size 3 (shapes "
                           f"{list(a.shape)} and {list(b.shape)})")
    for x in (a, b):   # each input itself (not only the broadcast shape) needs length 3
        size = x.shape[d - len(shape) + x.ndim] if d - len(shape) + x.ndim >= 0 else 1
        if size != 3:
            raise RuntimeError(f"{op}: inputs dimension {dim} must have length 3. Got "
                               f"{a.shape[d - len(shape) + a.ndim] if a.ndim else 1} and "
                               f"{b.shape[d - len(shape) + b.ndim] if b.ndim else 1} (shapes "
                               f"{list(a.shape)} and {list(b.shape)})")
    a_b, b_b = np.broadcast_to(a, shape), np.broadcast_to(b, shape)
    if a.dtype == np.bool_:
        raise NotImplementedError(f"\"linalg_cross\" not implemented for 'Bool' ({op})")
    with np.errstate(all="ignore"):
        res = np.cross(a_b, b_b, axis=d).astype(a.dtype, copy=False) if a_b.size else \
            xp_of(a).zeros(shape, a.dtype)
    out = U.wrap(as_array(res), input._device)
    if GRAD.enabled and (input._rg or other._rg):
        node = record(LinalgCrossBackward0, out, (input, other), (input, other))
        node.dim = d
    return out


def _check_cross(op, input, other):
    U.check_tensor(input, op)
    U.check_tensor(other, op, "other")
    if input._device is not other._device:
        raise RuntimeError(f"{op}: Expected all tensors to be on the same device, but found at "
                           f"least two devices, {input._device} and {other._device}!")
    if input._data.dtype != other._data.dtype:
        raise RuntimeError(f"{op}: expected scalar type {input.dtype} but found {other.dtype}")
    try:
        return np.broadcast_shapes(input.shape, other.shape)
    except ValueError:
        raise U.broadcast_error(op, input._data, other._data) from None


def linalg_cross(input, other, *, dim=-1, out=None):
    """Cross product of 3-vectors along ``dim`` (``ember.linalg.cross``), broadcasting.

    >>> ember.linalg.cross(ember.tensor([1., 0., 0.]), ember.tensor([0., 1., 0.]))
    tensor([0., 0., 1.])
    """
    _check_cross("linalg.cross", input, other)
    if input.ndim != other.ndim:
        raise RuntimeError(f"linalg.cross: inputs must have the same number of dimensions "
                           f"(got shapes {list(input.shape)} and {list(other.shape)})")
    return _finish_out(_cross("linalg.cross", input, other, dim), out, "linalg.cross")


def cross(input, other, dim=None, *, out=None):
    """Cross product of 3-vectors along ``dim``.

    ``dim=None`` (deprecated, as in torch) takes the first dim of size 3.

    >>> ember.cross(ember.tensor([1., 0., 0.]), ember.tensor([0., 1., 0.]), dim=0)
    tensor([0., 0., 1.])
    """
    shape = _check_cross("cross", input, other)
    if dim is None:
        warnings.warn("Using torch.cross without specifying the dim arg is deprecated.\n"
                      "Please either pass the dim explicitly or simply use torch.linalg.cross."
                      "\nThe default value of dim will change to agree with that of "
                      "linalg.cross in a future release.", UserWarning, stacklevel=2)
        # NOTE: torch's deprecated default: the first dim of size 3
        dim = next((i for i, s in enumerate(shape) if s == 3), None)
        if dim is None:
            raise RuntimeError(f"cross: no dimension of size 3 in input (shapes "
                               f"{list(input.shape)} and {list(other.shape)})")
    return _finish_out(_cross("cross", input, other, dim), out, "cross")


def trace(input):
    """Sum of the main diagonal of a 2-d tensor (integers sum to int64).

    >>> ember.trace(ember.tensor([[1., 2.], [3., 4.]]))
    tensor(5.)
    """
    U.check_tensor(input, "trace")
    if input.ndim != 2:
        raise RuntimeError(f"trace: expected a matrix, but got tensor with dim {input.ndim}")
    return input.diagonal().sum()


def chain_matmul(*matrices, out=None):
    """Product of 2-d matrices (deprecated in torch for linalg.multi_dot).

    >>> ember.chain_matmul(ember.ones(2, 3), ember.ones(3, 4)).shape
    torch.Size([2, 4])
    """
    warnings.warn("torch.chain_matmul is deprecated and will be removed in a future PyTorch "
                  "release. Use torch.linalg.multi_dot instead, which accepts a list of two or "
                  "more tensors rather than multiple parameters.", UserWarning, stacklevel=2)
    if len(matrices) == 1 and isinstance(matrices[0], (list, tuple)):
        matrices = tuple(matrices[0])
    if not matrices:
        raise RuntimeError("chain_matmul(): Expected one or more matrices")
    for i, m in enumerate(matrices):
        U.check_tensor(m, "chain_matmul", f"matrices[{i}]")
        if m.ndim != 2:
            raise RuntimeError(f"chain_matmul(): Tensor dimension is {m.ndim}, expected 2 "
                               "instead.")
    if len(matrices) == 1:
        return _finish_out(matrices[0].clone(), out, "chain_matmul")
    from ..linalg import _multi_dot
    return _finish_out(_multi_dot("chain_matmul", list(matrices)), out, "chain_matmul")


# ----------------------------------------------------------------------------------
# torch's top-level spellings of ember.linalg functions
# ----------------------------------------------------------------------------------

def det(input):
    """Alias of :func:`ember.linalg.det`.

    >>> ember.det(ember.eye(2))
    tensor(1.)
    """
    from .. import linalg
    return linalg.det(input)


def logdet(input):
    """Log of the determinant: nan for a negative determinant, -inf for zero.

    >>> ember.logdet(2 * ember.eye(2))
    tensor(1.3863)
    """
    from ..linalg import _decomp
    from .pointwise import log
    sign, logabs = _decomp._slogdet("logdet", input, None, _decomp.RT.slogdet)
    # NOTE: log(sign) is 0 for +1, nan for -1 and -inf for 0: torch's logdet values
    return logabs + log(sign.detach())


def slogdet(input, *, out=None):
    """Alias of :func:`ember.linalg.slogdet` (returns ``torch.return_types.slogdet``).

    >>> ember.slogdet(ember.eye(2)).logabsdet
    tensor(0.)
    """
    from ..linalg import _decomp
    return _decomp._slogdet("linalg.slogdet", input, out, _decomp.RT.slogdet)


def inverse(input, *, out=None):
    """Alias of :func:`ember.linalg.inv`.

    >>> ember.inverse(2 * ember.eye(2))
    tensor([[0.5000, 0.0000],
            [0.0000, 0.5000]])
    """
    from .. import linalg
    return linalg.inv(input, out=out)


def pinverse(input, rcond=1e-15, hermitian=False):
    """Pseudo-inverse with relative cutoff ``rcond`` (``ember.linalg.pinv(rtol=rcond)``).

    >>> ember.pinverse(2 * ember.eye(2))
    tensor([[0.5000, 0.0000],
            [0.0000, 0.5000]])
    """
    from .. import linalg
    return linalg.pinv(input, rtol=rcond, hermitian=hermitian)


def matrix_power(input, n):
    """Alias of :func:`ember.linalg.matrix_power`.

    >>> ember.matrix_power(2 * ember.eye(2), 3)
    tensor([[8., 0.],
            [0., 8.]])
    """
    from .. import linalg
    return linalg.matrix_power(input, n)


def svd(input, some=True, compute_uv=True, *, out=None):
    """(U, S, V) with ``input = U @ diag(S) @ V.mH`` (note V, not Vh); reduced unless
    ``some=False``.  With ``compute_uv=False`` U and V are zero-filled.

    >>> ember.svd(ember.eye(2)).S
    tensor([1., 1.])
    """
    from ..linalg import _decomp
    RT = _decomp.RT
    if not compute_uv:
        S = _decomp.svdvals(input)
        m, n = input.shape[-2:]
        batch = tuple(input.shape[:-2])
        xp = xp_of(input._data)
        zeros_u = U.wrap(xp.zeros(batch + (m, m), input._data.dtype), input._device)
        zeros_v = U.wrap(xp.zeros(batch + (n, n), input._data.dtype), input._device)
        return _decomp._out_tuple(RT.svd((zeros_u, S, zeros_v)), out, "svd")
    u, s, vh = _decomp._svd("linalg.svd", input, not some, None, RT.linalg_svd)
    return _decomp._out_tuple(RT.svd((u, s, _H(vh))), out, "svd")


def qr(input, some=True, *, out=None):
    """(Q, R) as :func:`ember.linalg.qr` with mode 'reduced' (``some=False``: 'complete').

    >>> Q, R = ember.qr(ember.eye(2))
    >>> R.abs()
    tensor([[1., 0.],
            [0., 1.]])
    """
    from ..linalg import _decomp
    return _decomp._qr("linalg.qr", input, "reduced" if some else "complete", out,
                       _decomp.RT.qr)


def cholesky(input, upper=False, *, out=None):
    """Deprecated spelling of :func:`ember.linalg.cholesky` (``upper`` positional).

    >>> ember.cholesky(4 * ember.eye(2))
    tensor([[2., 0.],
            [0., 2.]])
    """
    warnings.warn("torch.cholesky is deprecated in favor of torch.linalg.cholesky and will be "
                  "removed in a future PyTorch release.", UserWarning, stacklevel=2)
    from ..linalg import _decomp
    return _decomp._cholesky("linalg.cholesky", input, upper, out)


class CholeskySolveBackward0(Node):
    def backward(self, grad):
        L, X = self.saved_tensors
        nf = self.next_functions
        upper = self.upper
        gB = cholesky_solve(grad, L, upper)
        gL = None
        if nf[1][0] is not None:
            # A = L L^H: gL = -(C + C^H) L with C = gB X^H (for upper, A = U^H U:
            # gU = -U (C + C^H)); torch does not restrict it to the triangle
            C = matmul(gB, _H(X))
            C = C + _H(C)
            gL = -matmul(L, C) if upper else -matmul(C, L)
        return (gB if nf[0][0] is not None else None), gL


def cholesky_solve(input, input2, upper=False, *, out=None):
    """Solve ``A X = B`` given B (``input``) and the Cholesky factor of A (``input2``:
    lower L with A = L L^H, or upper U with A = U^H U when ``upper``).

    >>> ember.cholesky_solve(ember.ones(2, 1), 2 * ember.eye(2))
    tensor([[0.2500],
            [0.2500]])
    """
    from ..linalg import _decomp
    op = "cholesky_solve"
    U.check_tensor(input, op)
    U.check_tensor(input2, op, "input2")
    _decomp.B.check_float(op, input2, low_kernel="cholesky_solve_cpu")
    _decomp.B.check_same(op, input2, input, ("input2", "input"))
    _decomp.B.check_square(op, input2, "input2")
    _decomp.B.check_matrix(op, input, "input")
    if input.shape[-2] != input2.shape[-1]:
        raise RuntimeError(f"{op}: Incompatible matrix sizes for cholesky_solve: each A matrix "
                           f"is {input2.shape[-1]} by {input2.shape[-1]} but each b matrix is "
                           f"{input.shape[-2]} by {input.shape[-1]}")
    from ..autograd import grad_mode
    with grad_mode.no_grad():
        L = _H(input2) if upper else input2
        y = _decomp.solve_triangular(L, input, upper=False)
        res = _decomp.solve_triangular(_H(L), y, upper=True)
    res = U.wrap(res._data, input._device)
    if GRAD.enabled and (input._rg or input2._rg):
        node = record(CholeskySolveBackward0, res, (input, input2), (input2, res))
        node.upper = bool(upper)
    return _finish_out(res, out, op)


def cholesky_inverse(input, upper=False, *, out=None):
    """Inverse of ``A = L @ L.mH`` (``U.mH @ U`` when ``upper``) from its Cholesky factor.

    >>> ember.cholesky_inverse(2 * ember.eye(2))
    tensor([[0.2500, 0.0000],
            [0.0000, 0.2500]])
    """
    from ..linalg import _decomp
    from .creation import eye
    op = "cholesky_inverse"
    _decomp.B.check_float(op, input, low_kernel="cholesky_inverse_cpu")
    _decomp.B.check_square(op, input)
    diag = np.diagonal(input._data, 0, -2, -1)
    if input._device is not META and np.any(diag == 0):
        j = int(np.argmax((diag == 0).reshape(-1, diag.shape[-1]).any(0))) + 1
        raise _decomp.LinAlgError(f"{op}: The diagonal element {j} is zero, the inversion could "
                                  "not be completed because the input matrix is singular.")
    n = input.shape[-1]
    ident = eye(n, dtype=input.dtype, device=input.device).expand(*input.shape)
    return _finish_out(cholesky_solve(ident, input, upper), out, op)


def matrix_exp(input):
    """Alias of :func:`ember.linalg.matrix_exp`.

    >>> ember.matrix_exp(ember.zeros(1, 1))
    tensor([[1.]])
    """
    from .. import linalg
    return linalg.matrix_exp(input)


def triangular_solve(b, A, upper=True, transpose=False, unitriangular=False, *, out=None):
    """Deprecated form of :func:`ember.linalg.solve_triangular`: returns (solution, a copy
    of A); ``transpose`` solves with A^T.

    >>> ember.triangular_solve(ember.ones(2, 1), 2 * ember.eye(2)).solution
    tensor([[0.5000],
            [0.5000]])
    """
    from ..linalg import _decomp
    U.check_tensor(b, "triangular_solve")
    U.check_tensor(A, "triangular_solve", "A")
    if b.ndim < 2 or A.ndim < 2:
        raise RuntimeError(f"triangular_solve: b and A must be at least 2-D, got shapes "
                           f"{list(b.shape)} and {list(A.shape)}")
    if b.shape[-2] != A.shape[-1] or A.shape[-1] != A.shape[-2]:
        raise RuntimeError(f"triangular_solve: Incompatible matrix sizes: A is "
                           f"{A.shape[-2]} by {A.shape[-1]}, b is {b.shape[-2]} by "
                           f"{b.shape[-1]}")
    coeff = A.mT if transpose else A
    sol = _decomp.solve_triangular(coeff, b, upper=bool(upper) != bool(transpose),
                                   unitriangular=unitriangular)
    res = _decomp.RT.triangular_solve((sol, A.clone()))
    return _decomp._out_tuple(res, out, "triangular_solve")


def nuclear_norm(input, dim=None, keepdim=False, *, out=None):
    """Deprecated: the nuclear norm over ``dim`` (default: a 2-d input's two dims).

    >>> ember.nuclear_norm(ember.eye(2))
    tensor(2.)
    """
    from .. import linalg
    U.check_tensor(input, "nuclear_norm")
    if isinstance(dim, bool):
        dim, keepdim = None, dim
    if dim is None:
        if input.ndim != 2:
            raise RuntimeError(f"nuclear_norm: Expected a 2-D input, got {input.ndim}-D")
        dim = (0, 1)
    return _finish_out(linalg.matrix_norm(input, "nuc", dim, keepdim), out, "nuclear_norm")


def frobenius_norm(input, dim, keepdim=False, *, out=None):
    """Deprecated: the 2-norm over ``dim`` (at most two dims).

    >>> ember.frobenius_norm(ember.tensor([[3., 4.]]), (0, 1))
    tensor(5.)
    """
    from .. import linalg
    U.check_tensor(input, "frobenius_norm")
    dims = (dim,) if isinstance(dim, int) else tuple(dim)
    if len(dims) > 2:
        raise RuntimeError(f"frobenius_norm: Expected at most 2 dimensions, but got {len(dims)}")
    return _finish_out(linalg.vector_norm(input, 2, dims, keepdim), out, "frobenius_norm")


def lu(A, pivot=True, get_infos=False, out=None):
    """Deprecated: (LU, pivots) or (LU, pivots, infos) as :func:`ember.linalg.lu_factor_ex`.

    >>> LU, pivots = ember.lu(ember.eye(2))
    >>> pivots
    tensor([1, 2], dtype=torch.int32)
    """
    from .. import linalg
    LU, pivots, infos = linalg.lu_factor_ex(A, pivot=pivot)
    res = (LU, pivots, infos) if get_infos else (LU, pivots)
    if out is not None:
        for o, r in zip(out, res):
            U.write_out(o, r, "lu")
        return tuple(out)
    return res


def lu_solve(b, LU_data, LU_pivots, *, out=None):
    """Deprecated form of :func:`ember.linalg.lu_solve` (right-hand side first).

    >>> LU, piv = ember.linalg.lu_factor(2 * ember.eye(2))
    >>> ember.lu_solve(ember.ones(2, 1), LU, piv)
    tensor([[0.5000],
            [0.5000]])
    """
    from .. import linalg
    return linalg.lu_solve(LU_data, LU_pivots, b, out=out)


def lu_unpack(LU_data, LU_pivots, unpack_data=True, unpack_pivots=True, *, out=None):
    """(P, L, U) from a packed LU factorization (see :func:`ember.linalg.lu_factor`).

    >>> ember.lu_unpack(*ember.linalg.lu_factor(ember.eye(2))).L
    tensor([[1., 0.],
            [0., 1.]])
    """
    from ..linalg import _lu
    return _lu.lu_unpack(LU_data, LU_pivots, unpack_data, unpack_pivots, out=out)


def _rmatmul(self, other):
    if type(other) is np.ndarray:
        return NotImplemented
    return matmul(other, self)


def _matmul_operator(self, other):
    # NOTE: ``t @ ndarray`` is computed by NumPy (and wrapped back), as in torch.
    if type(other) is np.ndarray:
        return NotImplemented
    return matmul(self, other)


METHODS = {"matmul": matmul, "mm": mm, "bmm": bmm, "mv": mv, "dot": dot, "vdot": vdot,
           "inner": inner, "outer": outer, "ger": ger, "addmm": addmm, "addmv": addmv,
           "addr": addr, "addbmm": addbmm, "baddbmm": baddbmm, "kron": kron, "cross": cross,
           "trace": trace, "det": det, "logdet": logdet, "slogdet": slogdet,
           "inverse": inverse, "pinverse": pinverse, "matrix_power": matrix_power, "svd": svd,
           "qr": qr, "cholesky": cholesky, "cholesky_solve": cholesky_solve,
           "cholesky_inverse": cholesky_inverse, "matrix_exp": matrix_exp,
           "triangular_solve": triangular_solve, "lu": lu, "lu_solve": lu_solve,
           "__matmul__": _matmul_operator, "__rmatmul__": _rmatmul}
for _name in ("addmm", "addmv", "addr", "addbmm", "baddbmm"):
    METHODS[_name + "_"] = make_inplace(METHODS[_name], _name + "_")
for _name, _fn in METHODS.items():
    setattr(Tensor, _name, _fn)

"""Views and their gradients, shared by the shape family.

A view is a tensor over a NumPy view of its base's array: ``make_view`` gives it the
base's root and version counter.  Most view ops select a *region* of their input, and
the gradient of such a view writes the view's gradient into that region of zeros:
``region_view`` makes the view and records its node, ``scatter_region`` is the
differentiable write (the kernel of ``select_scatter``, ``slice_scatter`` and
``diagonal_scatter``), so double backward works.
"""
import builtins

import numpy as np

from .._device import META, as_strided, xp_of
from .._tensor import Tensor, _new
from ..autograd.graph import Node
from . import _util as U
from ._util import GRAD, record

ALL = slice(None)   # ``:``, the index of a whole dim


def make_view(base, arr):
    """A tensor over ``arr`` (a NumPy view of ``base._data``) sharing base's version counter."""
    t = _new(Tensor)
    t._data = arr
    dev = base._device
    if dev is not Tensor._device:
        t._device = dev
    root = base._base
    if root is None:
        root = base
    vc = root._vc
    if vc is None:
        vc = root._vc = [0]
    t._vc = vc
    t._vv = vc[0]    # the version at which this view's history was recorded
    t._base = root
    if base._rg and not GRAD.enabled:
        # NOTE: as in torch, a view taken under no_grad of a tensor that requires grad
        # requires grad itself, as a leaf with no history.
        t._rg = True
    return t


def record_multi(node_cls, outs, input):
    """One node for several outputs (split, unbind ...): output i is the node's output i."""
    node = node_cls()
    node.connect((input,))
    node._num_outputs = len(outs)
    dtype = input.dtype
    node._out_meta = [(o._data.shape, dtype, o._device) for o in outs]
    for i, o in enumerate(outs):
        o._grad_fn = node
        o._out_nr = i
        o._rg = True
    return node


def c_array(arr):
    """``arr`` in C order, copied only if needed (NumPy's ascontiguousarray turns 0-d
    arrays into 1-d ones)."""
    return arr if arr.flags.c_contiguous else arr.copy(order="C")


def storage_flat(root):
    """A 1-d view of a storage root's memory in memory order, or None."""
    if root.flags.c_contiguous:
        return root.reshape(-1)
    if root.flags.f_contiguous:
        return root.reshape(-1, order="F")
    order = np.argsort([-s for s in root.strides], kind="stable")
    permuted = root.transpose(order)
    if permuted.flags.c_contiguous:
        return permuted.reshape(-1)
    return None


# ----------------------------------------------------------------------------------
# regions: what a view selects, and writing into it (the gradients of view ops)
# ----------------------------------------------------------------------------------
# A region is a basic NumPy index tuple that always holds an Ellipsis (so that NumPy
# returns a view, never a scalar) or a Diag.  ``region_array`` gives the NumPy view,
# ``region_view`` the differentiable ember view.

class Diag:
    """The region of ``diagonal(offset, dim1, dim2)`` (dims already wrapped)."""
    __slots__ = ("offset", "dim1", "dim2")

    def __init__(self, offset, dim1, dim2):
        self.offset, self.dim1, self.dim2 = offset, dim1, dim2


def dim_index(dim, item):
    """The region ``[:, ..., :, item, ...]`` with ``item`` at dim ``dim``."""
    return (ALL,) * dim + (item, Ellipsis)


def region_array(arr, region):
    if type(region) is tuple:
        return arr[region]
    return diagonal_array(arr, region.offset, region.dim1, region.dim2)


def diagonal_array(arr, offset, d1, d2):
    if type(arr) is not np.ndarray:
        return _strided_diagonal(arr, offset, d1, d2)
    # NumPy's diagonal is a read-only view; torch's is writable.
    out = np.diagonal(arr, offset, d1, d2)
    if arr.flags.writeable and not out.flags.writeable:
        out.flags.writeable = True
    return out


def _strided_diagonal(arr, offset, d1, d2):
    """The diagonal of a device array as a strided view of its memory: a writable view
    whatever the array library's own diagonal gives."""
    n1, n2 = arr.shape[d1], arr.shape[d2]
    r, c = (0, offset) if offset >= 0 else (-offset, 0)
    n = builtins.max(builtins.min(n1 - r, n2 - c), 0)
    index = [ALL] * arr.ndim
    index[d1], index[d2] = slice(builtins.min(r, n1), None), slice(builtins.min(c, n2), None)
    start = arr[tuple(index)]
    keep = [d for d in range(arr.ndim) if d not in (d1, d2)]
    shape = tuple(arr.shape[d] for d in keep) + (n,)
    strides = tuple(arr.strides[d] for d in keep) + (arr.strides[d1] + arr.strides[d2],)
    return as_strided(start, shape, strides)


class SliceBackward0(Node):
    """Gradient of a basic-index view: the view's gradient scattered into zeros."""

    def backward(self, grad):
        return (scatter_region(None, grad, self.region, SliceScatterBackward0, self.in_shape),)


class SelectBackward0(SliceBackward0):
    pass


class DiagonalBackward0(SliceBackward0):
    pass


def region_view(input, region, node_cls):
    """The view of ``input`` at ``region`` with its gradient node."""
    res = make_view(input, region_array(input._data, region))
    if GRAD.enabled and input._rg:
        node = record(node_cls, res, (input,))
        node.region, node.in_shape = region, input._data.shape
    return res


class _ScatterBackward(Node):
    def backward(self, grad):
        nf = self.next_functions
        g_input = g_src = None
        region = self.region
        if nf[0][0] is not None:
            g_input = scatter_region(grad, None, region, type(self))
        if nf[1][0] is not None:
            node_cls = SliceBackward0 if type(region) is tuple else DiagonalBackward0
            g_src = region_view(grad, region, node_cls)
        return g_input, g_src


class SelectScatterBackward0(_ScatterBackward):
    pass


class SliceScatterBackward0(_ScatterBackward):
    pass


class DiagonalScatterBackward0(_ScatterBackward):
    pass


def scatter_region(input, src, region, node_cls, shape=None, op="scatter"):
    """``input`` (or zeros of ``shape``) with ``region`` replaced by ``src`` (or zeros)."""
    if input is not None:
        out = input._data.copy(order="K")
        dev = input._device
    else:
        like = src._data
        out = xp_of(like).zeros(shape, dtype=like.dtype)
        dev = src._device
    view = region_array(out, region)
    if src is None:
        view[...] = 0
    else:
        if view.shape != src._data.shape:
            raise RuntimeError(f"{op}(): expected src to have a size equal to the slice of self. "
                               f"src size = {list(src.shape)}, slice size = {list(view.shape)}")
        if dev is not META and src._device is not META:
            view[...] = src._data
    res = U.wrap(out, dev)
    if GRAD.enabled and ((input is not None and input._rg) or (src is not None and src._rg)):
        record(node_cls, res, (input, src)).region = region
    return res

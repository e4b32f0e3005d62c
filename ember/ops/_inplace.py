"""In-place ops: version counters, leaf checks, and rebasing the graph.

``make_inplace(fn)`` turns an out-of-place op into its ``op_`` form.  Without
autograd the result is written into ``self``'s array.  With autograd, the op runs
on a stand-in for ``self`` (its old value, copied only if the op saved it for
backward), its node becomes ``self``'s grad_fn, and if ``self`` is a view, the
base's grad_fn becomes a ``CopySlices`` node that routes the view region's gradient
through the op (as torch does).

Views know where they sit in their base through a flat index array (the C-order
position in the base of each view element), computed from the arrays' addresses
and strides, so any view -- slices, transposes, expands, as_strided -- of any base
layout is handled the same way.  The gather/scatter nodes below are differentiable
again, so double backward through in-place ops on views works.
"""
import sys
import weakref

import numpy as np

from .._device import array_like, writeable, xp_of
from .._tensor import Tensor, _new, _ptr
from ..autograd.graph import _FREED_MSG, Node, grad_fn_of, move_retained
from . import _util as U

_getrefcount = sys.getrefcount


def _check_leaf(self, op):
    if self._rg and self._grad_fn is None:
        raise RuntimeError(f"{op}: a leaf Variable that requires grad is being used in an "
                           "in-place operation.")
    if self._vv is not None:  # a differentiable view (not a detach())
        base = self._base
        if base._rg:
            if base._grad_fn is None:
                raise RuntimeError(f"{op}: a view of a leaf Variable that requires grad is "
                                   "being used in an in-place operation.")
            fn = self._grad_fn
            if fn is not None and getattr(fn, "_multi_view", False):
                raise RuntimeError(
                    f"{op}: Output {self._out_nr} of {fn.name()} is a view and is being modified "
                    "inplace. This view is the output of a function that returns multiple views. "
                    "Such functions do not allow the output views to be modified inplace. You "
                    "should replace the inplace operation by an out-of-place one.")
            if not self._rg:
                raise RuntimeError(
                    f"{op}: A view was created in no_grad mode and is being modified inplace "
                    "with grad mode enabled. Given that this use case is ambiguous and error-"
                    "prone, it is forbidden. You can clarify your code by moving both the view "
                    "and the inplace either both inside the no_grad block (if you don't want "
                    "the inplace to be tracked) or both outside (if you want the inplace to be "
                    "tracked).")


def write_result(self, result_arr, op):
    """Copy ``result_arr`` into ``self``'s memory with torch's shape and dtype checks."""
    data = self._data
    if result_arr.shape != data.shape:
        try:
            b = np.broadcast_shapes(result_arr.shape, data.shape)
        except ValueError:
            b = None
        if b != data.shape:
            raise RuntimeError(
                f"{op}: output with shape {list(data.shape)} doesn't match the broadcast shape "
                f"{list(b) if b is not None else list(result_arr.shape)}")
    result_arr = U.to_result_dtype(op, result_arr, self)
    if self._device.type != "meta":
        if U.has_internal_overlap(data):
            raise U.overlap_error(op)
        if not writeable(data):
            raise RuntimeError(f"{op}: the tensor's memory is read-only (shape "
                               f"{list(data.shape)}, dtype {self.dtype})")
        if result_arr is not data:
            np.copyto(data, result_arr, casting="unsafe")
    self._bump_version()


def _stand_in(self):
    """``self`` before the in-place write: same graph position, same array (for now)."""
    snap = _new(Tensor)
    snap._data = self._data
    snap._device = self._device
    if self._rg:
        snap._rg = True
        snap._grad_fn = grad_fn_of(self)
        snap._out_nr = self._out_nr
    return snap


# References to the stand-in when the op did not keep it (saved for backward): the
# local name and getrefcount's argument.
_UNSAVED_REFS = 2


def apply_inplace(self, op, compute, inputs):
    """Run ``compute(stand_in_for_self) -> Tensor`` and write the result into ``self``."""
    record = U.GRAD.enabled and any(getattr(t, "_rg", False) for t in inputs)
    if not record:
        if U.GRAD.enabled:
            _check_leaf(self, op)
        result = compute(self)
        write_result(self, result._data, op)
        return self
    _check_leaf(self, op)
    snap = _stand_in(self)
    result = compute(snap)
    if _getrefcount(snap) > _UNSAVED_REFS:
        # The op saved self's old value for backward: keep a copy of it.
        snap._data = snap._data.copy()
    write_result(self, result._data, op)
    fn = result._grad_fn
    if fn is None:
        return self
    self_edge = (snap._grad_fn, snap._out_nr) if snap._rg else (None, 0)
    rebase_history(self, fn, result._out_nr, self_edge)
    if fn._saved:
        _adopt_saved_result(fn, result, self)
    return self


def _adopt_saved_result(fn, result, self):
    # The op may have saved its result (exp_ saves it): that value now lives in self,
    # and later in-place changes of self must be caught by the version check.
    via = None
    view_fn = self._grad_fn
    if view_fn is not fn:   # self is a view: its history now goes through the base
        via = (weakref.ref(view_fn.next_functions[0][0]), view_fn._input_meta[0],
               view_fn.index)
    entries = []
    for t, version in fn._saved:
        if t is not None and type(t) is not Tensor and t._data is result._data:
            t._data = self._data
            t._vc = self._vc
            t.via = via
            version = self._vc[0]
        entries.append((t, version))
    fn._saved = tuple(entries)


def _edge_of(t):
    if not t._rg:
        return (None, 0)
    fn = grad_fn_of(t)
    if fn is None:
        return (t._accumulator(), 0)
    return (fn, t._out_nr)


def rebase_history(self, fn, out_nr, self_edge=None, self_index=0):
    """Make ``self`` (just overwritten in place) output ``out_nr`` of node ``fn``.

    ``self_edge`` is the edge that ``fn`` has to self's old value, at input
    ``self_index``.  If self is a view, its base gets a CopySlices node.
    """
    old_fn = self._grad_fn
    base = self._base if self._vv is not None else None
    index = None
    if base is not None:
        index = view_index(base._data, self._data, self._device)
    if index is None:
        move_retained(self, old_fn, fn)
        self._grad_fn = fn
        self._out_nr = out_nr
        self._rg = True
        return
    base_edge = _edge_of(base)
    base_meta = (base._data.shape, base._data.dtype)
    node = CopySlices()
    node.index = index
    node.base_shape = base._data.shape
    nf = fn.next_functions
    if (fn._num_outputs == 1 and len(nf) > self_index and self_edge is not None
            and nf[self_index] == self_edge):
        # torch's form: the base's edge replaces fn's edge to the old view value.
        node.fn = fn
        node.self_index = self_index
        node.next_functions = nf[:self_index] + (base_edge,) + nf[self_index + 1:]
        metas = fn._input_meta
        node._input_meta = metas[:self_index] + (base_meta,) + metas[self_index + 1:]
    else:
        # fn reaches the old view value some other way: route the region through it.
        node.next_functions = (base_edge, (fn, out_nr))
        node._input_meta = (base_meta, (self._data.shape, self._data.dtype))
    old_base_fn = base._grad_fn
    base._grad_fn = node
    base._out_nr = 0
    base._rg = True
    move_retained(base, old_base_fn, node)
    view_fn = _view_node((node, 0), base_meta, index)
    move_retained(self, old_fn, view_fn)
    self._grad_fn = view_fn
    self._out_nr = 0
    self._rg = True
    self._vv = self._vc[0]


def regenerate_view_grad_fn(t):
    """A view whose base changed in place since it was made: history from the base now."""
    base = t._base
    if base._rg:
        index = view_index(base._data, t._data, t._device)
        if index is not None:
            old_fn = t._grad_fn
            node = _view_node(_edge_of(base), (base._data.shape, base._data.dtype), index)
            move_retained(t, old_fn, node)
            t._grad_fn = node
            t._out_nr = 0
    t._vv = t._vc[0]
    return t._grad_fn


def _view_node(base_edge, base_meta, index):
    node = AsStridedBackward0()
    node.next_functions = (base_edge,)
    node._input_meta = (base_meta,)
    node.index = index
    node.base_shape = base_meta[0]
    return node


class CopySlices(Node):
    """grad_fn of a base after an in-place op on one of its views.

    The gradient outside the view region goes to the base's old history; the region's
    gradient goes through the in-place op's node ``fn``, whose gradient for the old
    view value lands back in the region.
    """

    fn = None
    self_index = 0

    def name(self):
        return "torch::autograd::CopySlices"

    def backward(self, grad):
        index = self.index
        fn = self.fn
        if fn is None:
            return region_put(grad, index, None), gather(grad, index)
        if fn._saved is None:
            raise RuntimeError(_FREED_MSG)
        res = fn.backward(gather(grad, index))
        if type(res) is not tuple:
            res = tuple(res) if isinstance(res, list) else (res,)
        k = self.self_index
        g_self = res[k] if len(res) > k else None
        if g_self is not None:
            shape = index.view_shape
            if g_self._data.shape != shape:
                g_self = U.sum_to_shape(g_self, shape)
            view_dtype = grad.dtype
            if index.base_complex:
                view_dtype = view_dtype.to_real()
            elif index.view_complex:
                view_dtype = view_dtype.to_complex()
            if g_self._data.dtype != view_dtype.np:
                g_self = g_self.to(view_dtype)
        return res[:k] + (region_put(grad, index, g_self),) + res[k + 1:]

    def release(self):
        if self.fn is not None:
            self.fn.release()


class AsStridedBackward0(Node):
    """A view's grad_fn after it (or its base) was modified in place."""

    def backward(self, grad):
        return (scatter(grad, self.index, self.base_shape),)


# ----------------------------------------------------------------------------------
# where a view sits in its base, and differentiable gather / scatter over it
# ----------------------------------------------------------------------------------

def _addresses(arr):
    """Byte address of every element of ``arr`` (an int64 array of arr's shape)."""
    addr = np.full(arr.shape, _ptr(arr), dtype=np.int64)
    nd = arr.ndim
    for d in range(nd):
        n = arr.shape[d]
        if n > 1:
            shape = [1] * nd
            shape[d] = n
            addr += (np.arange(n, dtype=np.int64) * arr.strides[d]).reshape(shape)
    return addr


class ViewIndex:
    """Flat C-order positions in a base of a view's elements, and whether they repeat."""

    __slots__ = ("array", "unique", "shape", "view_shape", "base_complex", "view_complex",
                 "_on_device")

    def __init__(self, array, unique):
        self.array = array
        self._on_device = None   # ``array`` copied to the device, made on first use
        self.unique = unique
        self.shape = self.view_shape = array.shape
        # A real view of a complex base (view_as_real, .real, .imag) or a complex view of
        # a real one (view_as_complex): positions are in the (real, imag) pairs' layout.
        self.base_complex = self.view_complex = False


def view_index(base_arr, view_arr, device=None):
    """Where ``view_arr`` sits in ``base_arr`` (a ViewIndex), or None when the view's
    memory is not inside the base's (e.g. meta tensors, or a rebound base)."""
    if device is not None and device.type == "meta":
        return None
    if view_arr.size == 0:
        return ViewIndex(np.zeros(view_arr.shape, dtype=np.int64), True)
    if base_arr.size == 0:
        return None
    if base_arr.dtype.itemsize != view_arr.dtype.itemsize:
        return _mixed_view_index(base_arr, view_arr)
    item = base_arr.itemsize
    addr = _addresses(view_arr)
    if base_arr.flags.c_contiguous:
        offset = addr - _ptr(base_arr)
        index = offset // item
        if (offset % item).any() or index.min() < 0 or index.max() >= base_arr.size:
            return None
    else:
        base_addr = _addresses(base_arr).reshape(-1)
        order = np.argsort(base_addr, kind="stable")
        sorted_addr = base_addr[order]
        pos = np.clip(np.searchsorted(sorted_addr, addr), 0, sorted_addr.size - 1)
        if (sorted_addr[pos] != addr).any():
            return None
        index = order[pos]
    unique = _no_overlap(view_arr) or np.unique(index).size == index.size
    return ViewIndex(index, unique)


def _mixed_view_index(base_arr, view_arr):
    """view_index of a real view of a complex base, or a complex view of a real base."""
    base_complex, view_complex = base_arr.dtype.kind == "c", view_arr.dtype.kind == "c"
    if base_complex == view_complex:
        return None
    from .complexops import _real_view_array
    base_pairs = _real_view_array(base_arr) if base_complex else base_arr
    view_pairs = _real_view_array(view_arr) if view_complex else view_arr
    if base_pairs.dtype != view_pairs.dtype:
        return None
    index = view_index(base_pairs, view_pairs)
    if index is not None:
        index.view_shape = view_arr.shape
        index.base_complex, index.view_complex = base_complex, view_complex
    return index


def _as_pairs(t, is_complex):
    if not is_complex:
        return t
    from .complexops import _view_as_real
    return _view_as_real(t)


def _from_pairs(t, is_complex):
    if not is_complex:
        return t
    from .complexops import _view_as_complex
    return _view_as_complex(t, "view_as_complex")


def _device_index(index, arr):
    """``index.array`` (host positions, computed from addresses) on ``arr``'s device,
    copied there once per ViewIndex."""
    dev = index._on_device
    if dev is None:
        dev = index._on_device = array_like(index.array, arr)
    return dev


def _no_overlap(arr):
    # Sufficient test: with dims sorted by stride, each stride steps past everything
    # the smaller dims span.
    extent = arr.itemsize
    for stride, n in sorted((abs(s), n) for s, n in zip(arr.strides, arr.shape) if n > 1):
        if stride < extent:
            return False
        extent += (n - 1) * stride
    return True


class _GatherBackward(Node):
    def backward(self, grad):
        return (_scatter(grad, self.index, self.in_shape),)


class _ScatterBackward(Node):
    def backward(self, grad):
        return (_gather(grad, self.index),)


class _RegionPutBackward(Node):
    def backward(self, grad):
        index = self.index
        return _region_put(grad, index, None), _gather(grad, index)


def gather(t, index):
    """Elements of ``t`` at flat C-order positions ``index`` (shape of index)."""
    if index.base_complex or index.view_complex:
        pairs = _gather(_as_pairs(t, index.base_complex), index)
        return _from_pairs(pairs, index.view_complex)
    return _gather(t, index)


def _gather(t, index):
    arr = t._data
    flat = arr.reshape(-1)
    positions = index.array if type(arr) is np.ndarray else _device_index(index, arr)
    res = U.wrap(flat.take(positions), t._device)
    if U.GRAD.enabled and t._rg:
        node = U.record(_GatherBackward, res, (t,))
        node.index = index
        node.in_shape = arr.shape
    return res


def scatter(t, index, shape):
    """zeros(shape) with ``t`` added at flat positions ``index`` (repeats accumulate)."""
    if index.base_complex or index.view_complex:
        pair_shape = tuple(shape) + (2,) if index.base_complex else shape
        pairs = _scatter(_as_pairs(t, index.view_complex), index, pair_shape)
        return _from_pairs(pairs, index.base_complex)
    return _scatter(t, index, shape)


def _scatter(t, index, shape):
    arr = t._data
    if type(arr) is np.ndarray:
        out = np.zeros(shape, dtype=arr.dtype)
        positions = index.array
    else:
        out = xp_of(arr).zeros(shape, dtype=arr.dtype)
        positions = _device_index(index, arr)
    flat = out.reshape(-1)
    if index.unique:
        flat[positions] = arr
    else:
        np.add.at(flat, positions, arr)
    res = U.wrap(out, t._device)
    if U.GRAD.enabled and t._rg:
        U.record(_ScatterBackward, res, (t,)).index = index
    return res


def region_put(t, index, value):
    """A copy of ``t`` with the positions ``index`` set to ``value`` (zeros if None)."""
    if index.base_complex or index.view_complex:
        if value is not None:
            value = _as_pairs(value, index.view_complex)
        pairs = _region_put(_as_pairs(t, index.base_complex), index, value)
        return _from_pairs(pairs, index.base_complex)
    return _region_put(t, index, value)


def _region_put(t, index, value):
    arr = t._data
    out = arr.copy(order="C")
    positions = index.array if type(arr) is np.ndarray else _device_index(index, arr)
    out.reshape(-1)[positions] = 0 if value is None else value._data
    res = U.wrap(out, t._device)
    if U.GRAD.enabled and (t._rg or (value is not None and value._rg)):
        U.record(_RegionPutBackward, res, (t, value)).index = index
    return res


def make_inplace(fn, op):
    """The ``op_`` method of an out-of-place op ``fn(self, *args, **kwargs)``."""
    def inplace(self, *args, **kwargs):
        # keyword tensors (x.clamp_(min=t)) take part in autograd too
        inputs = (self,) + args + tuple(kwargs.values()) if kwargs else (self,) + args
        return apply_inplace(self, op, lambda s: fn(s, *args, **kwargs), inputs)
    inplace.__name__ = op
    inplace.__qualname__ = f"Tensor.{op}"
    inplace.__doc__ = f"In-place version of :func:`{fn.__name__}`."
    return inplace

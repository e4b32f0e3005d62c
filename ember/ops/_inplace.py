"""In-place ops: version counters, leaf checks, and rebasing the graph.

``make_inplace(fn)`` turns an out-of-place op into its ``op_`` form.  Without
autograd the result is written into ``self``'s array.  With autograd, the op runs
on a snapshot of ``self`` (so saved tensors stay valid), its node becomes ``self``'s
grad_fn, and if ``self`` is a view, the base's grad_fn becomes a ``CopySlices``
node that routes the view region's gradient through the op (as torch does).
"""
import numpy as np

from .._tensor import Tensor, _new, _ptr
from ..autograd.graph import Node
from . import _util as U


def _check_leaf(self, op):
    if self._rg and self._grad_fn is None:
        raise RuntimeError(f"{op}: a leaf Variable that requires grad is being used in an "
                           "in-place operation.")
    base = self._base
    if base is not None and base._rg and base._grad_fn is None and self._grad_fn is not None:
        raise RuntimeError(f"{op}: a view of a leaf Variable that requires grad is being used "
                           "in an in-place operation.")


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
        if not data.flags.writeable:
            raise RuntimeError(f"{op}: the tensor's memory is read-only (an expanded or "
                               "broadcast view cannot be written in place)")
        np.copyto(data, result_arr, casting="unsafe")
    self._bump_version()


def _snapshot(self):
    """A stand-in for ``self`` before the in-place write: same graph position, own data."""
    snap = _new(Tensor)
    snap._data = self._data.copy()
    snap._device = self._device
    snap._rg = self._rg
    snap._grad_fn = self._grad_fn
    snap._out_nr = self._out_nr
    if self._grad_fn is None and self._rg:
        snap._acc_ref = self._acc_ref
    return snap


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
    result = compute(_snapshot(self))
    write_result(self, result._data, op)
    if result._grad_fn is None:
        return self
    rebase_history(self, result)
    return self


def rebase_history(self, result):
    """Make ``self`` (just overwritten with ``result``'s values) take ``result``'s history."""
    base = self._base
    if base is None or not (base._rg or result._rg):
        self._grad_fn = result._grad_fn
        self._out_nr = result._out_nr
        self._rg = True
        return
    if not base._data.flags.c_contiguous:
        raise NotImplementedError(
            "in-place op on a view of a non-contiguous base tensor while recording autograd")
    item = base._data.itemsize
    geometry = (self._data.shape,
                tuple(s // item for s in self._data.strides),
                (_ptr(self._data) - _ptr(base._data)) // item)
    old_base = _new(Tensor)
    old_base._data = base._data
    old_base._device = base._device
    old_base._rg = base._rg
    old_base._grad_fn = base._grad_fn
    old_base._out_nr = base._out_nr
    old_base._acc_ref = base._acc_ref
    node = CopySlices()
    node.connect((old_base, result))
    node.geometry = geometry
    node.base_shape = base._data.shape
    base._grad_fn = node
    base._out_nr = 0
    base._rg = True
    view_node = AsStridedViewBackward()
    view_node.connect((base,))
    view_node.geometry = geometry
    view_node.base_shape = base._data.shape
    self._grad_fn = view_node
    self._out_nr = 0
    self._rg = True


class CopySlices(Node):
    def backward(self, grad):
        from .shape import as_strided
        shape, strides, offset = self.geometry
        grad = grad.contiguous()
        # grad * mask (zeros over the view's region) keeps double backward exact.
        mask = np.ones(self.base_shape, dtype=grad._data.dtype)
        flat = mask.reshape(-1)
        np.lib.stride_tricks.as_strided(
            flat[offset:], shape, tuple(s * mask.itemsize for s in strides))[...] = 0
        grad_base = grad * U.wrap(mask, grad._device)
        grad_result = as_strided(grad, shape, strides, offset)
        return grad_base, grad_result


class AsStridedViewBackward(Node):
    def backward(self, grad):
        from .shape import as_strided_scatter_zeros
        shape, strides, offset = self.geometry
        return (as_strided_scatter_zeros(grad, self.base_shape, strides, offset),)


def make_inplace(fn, op):
    """The ``op_`` method of an out-of-place op ``fn(self, *args, **kwargs)``."""
    def inplace(self, *args, **kwargs):
        return apply_inplace(self, op, lambda s: fn(s, *args, **kwargs), (self,) + args)
    inplace.__name__ = op
    inplace.__qualname__ = f"Tensor.{op}"
    inplace.__doc__ = f"In-place version of :func:`{fn.__name__}`."
    return inplace

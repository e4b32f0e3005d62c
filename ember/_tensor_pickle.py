"""copy.deepcopy and pickle of tensors, as torch does them.

deepcopy keeps storage sharing among the tensors copied together (a base and its
views stay a base and views), and copies ``requires_grad``, ``.grad`` and user
attributes; only leaves may be deep-copied.  pickle stores the values, dtype,
device and requires_grad (like torch, ``.grad`` is not pickled).  Checkpoint files
in torch's format are the serialization module's job (a later issue).
"""
import copy

import numpy as np

from . import _dtype as D
from ._device import META, as_device, is_device_array, meta_array, move_array, to_host

# Instance attributes that belong to ember's machinery, not to the user.
_INTERNAL = frozenset((
    "_data", "_device", "_rg", "_grad_fn", "_grad", "_out_nr", "_base", "_vc", "_vv", "_acc",
    "_hooks", "_post_acc_hooks", "_retains_grad", "_storage_base",
))


def _rebuild_tensor(array, dtype_name, device, requires_grad, shape=None):
    from ._tensor import _wrap
    dtype = D._BY_NAME[dtype_name]
    dev = as_device(device)
    if dev is META:
        t = _wrap(meta_array(shape, dtype.np), META)
    else:
        arr = np.asarray(array, order="C").astype(dtype.np, copy=False)
        t = _wrap(arr if dev.type != "cuda" else move_array(arr, dev), dev)
    if requires_grad:
        t._rg = True
    return t


def reduce_tensor(t):
    dtype = t.dtype
    if t._device is META:
        return (_rebuild_tensor, (None, dtype.name, "meta", t._rg, t._data.shape))
    # (device arrays are pickled as host copies; ascontiguousarray would make 0-dim 1-dim)
    arr = np.asarray(to_host(t._data), order="C")
    if dtype is D.bfloat16:  # pickle the raw bits: loads without ml_dtypes' pickling
        arr = arr.view(np.uint16)
        return (_rebuild_bf16, (arr, str(t._device), t._rg))
    return (_rebuild_tensor, (arr, dtype.name, str(t._device), t._rg))


def _rebuild_bf16(bits, device, requires_grad):
    return _rebuild_tensor(bits.view(D.bfloat16.np), "bfloat16", device, requires_grad)


def deepcopy_tensor(t, memo):
    from ._tensor import Tensor, _new, _ptr, _storage_root, _wrap
    if t._grad_fn is not None:
        raise RuntimeError("Only Tensors created explicitly by the user (graph leaves) support "
                           "the deepcopy protocol at the moment.")
    arr = t._data
    new = _new(type(t))
    root = _storage_root(arr)
    if t._device is META:
        new._data = meta_array(arr.shape, arr.dtype)
    elif is_device_array(arr):
        # NOTE: a cuda tensor is copied on its own (views copied together do not keep
        # sharing device memory; NumPy's buffer= rebuild has no CuPy counterpart here).
        new._data = arr.copy()
    elif root.flags.c_contiguous or root.flags.f_contiguous:
        # Copy the whole storage once per deepcopy call, then rebuild this view on it,
        # so tensors sharing memory before the copy share it after.
        key = ("ember-storage", id(root))
        entry = memo.get(key)
        if entry is None:
            root_copy = root.copy(order="K")
            # the root is kept alive by the memo; the storage tensor anchors offsets
            entry = memo[key] = (root, root_copy, _wrap(root_copy))
        root_copy = entry[1]
        new._data = np.ndarray(arr.shape, dtype=arr.dtype, buffer=root_copy,
                               offset=_ptr(arr) - _ptr(root), strides=arr.strides)
        new._storage_base = entry[2]
    else:
        new._data = arr.copy()
    if t._device is not Tensor._device:
        new._device = t._device
    if t._rg:
        new._rg = True
    if t._grad is not None:
        new._grad = copy.deepcopy(t._grad, memo)
    for name, value in t.__dict__.items():
        if name not in _INTERNAL:
            setattr(new, name, copy.deepcopy(value, memo))
    return new

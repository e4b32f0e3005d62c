"""Tensor: an array (NumPy on cpu/meta), its autograd state, and torch's methods.

Only the core lives here: metadata, conversion, autograd entry points.  Math methods
are attached by the ops modules (``ember/ops/*``), each next to its op.

NOTE: Tensor deliberately has an instance ``__dict__`` instead of ``__slots__``:
torch tensors accept arbitrary attributes (``t.foo = 1``), and with class-level
defaults a new tensor only has to set its array, which measured faster than filling
every slot (see benchmarks/op_overhead).
"""
import os

import numpy as np

from . import _dtype as D
from ._device import (CPU, META, as_device, data_ptr, is_device_array, meta_array, move_array,
                      xp_for)
from .autograd import grad_mode
from .autograd import graph as _graph
from .autograd.graph import AccumulateGrad, Node, grad_fn_of

_GRAD = grad_mode.STATE
_new = object.__new__
_FROM_NP = D._FROM_NP
_BF16 = D.bfloat16.np
_SCALAR_WARNED = [False]   # float(t) of a tensor requiring grad warns once, as in torch
_COMPLEX_WARNED = [False]  # so does a cast from complex to real
_STRICT_DEVICE = bool(os.environ.get("EMBER_STRICT_DEVICE"))


def _wrap(arr, device=CPU):
    """A new tensor (no grad) over ``arr``; the one constructor ops use."""
    t = _new(Tensor)
    if device is not CPU:
        return _wrap_device(t, arr, device)
    if type(arr) is not np.ndarray:  # NumPy ufuncs return scalars for 0-d inputs
        arr = np.asarray(arr)
    t._data = arr
    return t


def _wrap_device(t, arr, device):
    t._device = device
    if device is META:
        if type(arr) is not np.ndarray:
            arr = np.asarray(arr)
        t._data = meta_array(arr.shape, arr.dtype)
    elif is_device_array(arr):
        t._data = arr
    else:
        # A host array or a scalar an op made for a cuda result: copied over.  Tests run
        # with EMBER_STRICT_DEVICE=1 to find ops that compute on the host by mistake.
        if _STRICT_DEVICE and type(arr) is np.ndarray and arr.ndim:
            raise RuntimeError(f"internal: a host array of shape {arr.shape} was wrapped as "
                               f"a {device} tensor")
        t._data = move_array(np.asarray(arr), device)
    return t


def _zeros_meta(meta):
    shape, dtype, device = meta
    if device is META:  # no memory for meta tensors, whatever their shape
        return _wrap(meta_array(shape, dtype.np), META)
    if device is CPU:
        return _wrap(np.zeros(shape, dtype=dtype.np), device)
    return _wrap(xp_for(device).zeros(shape, dtype=dtype.np), device)


def _storage_root(arr):
    root = arr
    while isinstance(root.base, np.ndarray):
        root = root.base
    if type(root) is not np.ndarray:   # a device array: CuPy's base is a device array too
        while root.base is not None:
            root = root.base
    return root


def _storage_origin(t):
    """The tensor whose first element is element 0 of ``t``'s storage (``t`` itself
    unless ``t`` is a view, a detach() or a .data of another tensor)."""
    while True:
        origin = t._storage_base
        if origin is None:
            origin = t._base
        if origin is None:
            return t
        t = origin


def _ptr(arr):
    return data_ptr(arr)


def _torch_strides(arr):
    """torch's strides (in elements) for a non-empty NumPy array.

    NumPy gives a size-1 axis made by ``None`` indexing or broadcasting a stride of 0;
    torch gives it the stride it would have in a contiguous layout of the dims that
    follow (``size[d+1] * stride[d+1]``), which is what unsqueeze produces.
    """
    item = arr.itemsize
    strides = [s // item for s in arr.strides]
    shape = arr.shape
    for d in range(len(shape) - 1, -1, -1):
        if shape[d] == 1 and strides[d] == 0:
            strides[d] = 1 if d == len(shape) - 1 else strides[d + 1] * max(shape[d + 1], 1)
    return tuple(strides)


def _is_channels_last(t):
    """Whether a 4-d tensor is laid out N, H, W, C in memory (torch's channels_last)."""
    shape = t._data.shape
    if len(shape) != 4:
        return False
    n, c, h, w = shape
    expected = (h * w * c, 1, w * c, c)
    strides = t.stride()
    return all(shape[d] == 1 or strides[d] == expected[d] for d in range(4))


def _contiguous_strides(shape):
    strides = []
    acc = 1
    for s in reversed(shape):
        strides.append(acc)
        acc *= max(s, 1)
    return tuple(reversed(strides))


class Tensor:
    """A multi-dimensional array with autograd, behaving like ``torch.Tensor``."""

    # Class-level defaults: a fresh tensor only sets ``_data`` (and ``_device`` if not cpu).
    _device = CPU
    _rg = False            # requires_grad
    _grad_fn = None
    _grad = None
    _out_nr = 0            # which output of _grad_fn this tensor is
    _base = None           # the tensor this is a view of
    _storage_base = None   # a tensor sharing this one's storage without being its view base
                           # (detach(), .data): only storage_offset() reads it
    _vc = None             # version counter, [int], shared by a base and its views
    _acc = None            # this leaf's AccumulateGrad node (created on first use)
    _vv = None             # a differentiable view: base version when its grad_fn was set
    _hooks = None          # tensor hooks of a leaf
    _post_acc_hooks = None
    _retains_grad = False
    _dtype_for_promotion = True  # marker read by _dtype.result_type_of
    __array_priority__ = 1000  # make ndarray (op) Tensor defer to Tensor's reflected ops

    def __new__(cls, *args, device=None, dtype=None):
        # torch.Tensor(2, 3) -> uninitialised float tensor; torch.Tensor([1, 2]) -> data.
        from .ops.creation import _tensor_ctor
        if len(args) == 1 and type(args[0]) is Size:
            args = tuple(args[0])  # NOTE: torch.Tensor(torch.Size([2, 3])) is a shape
        return _tensor_ctor(cls, args, device, dtype)

    # -- metadata -------------------------------------------------------------------
    @property
    def dtype(self):
        return _FROM_NP[self._data.dtype]

    @property
    def shape(self):
        return _new_size(self._data.shape)

    @property
    def device(self):
        return self._device

    @property
    def ndim(self):
        return self._data.ndim

    def dim(self):
        return self._data.ndim

    ndimension = dim

    def size(self, dim=None):
        if dim is None:
            return _new_size(self._data.shape)
        return self._data.shape[_wrap_dim(dim, self._data.ndim, "size")]

    def numel(self):
        return self._data.size

    nelement = numel

    def element_size(self):
        return self._data.itemsize

    @property
    def itemsize(self):
        return self._data.itemsize

    @property
    def nbytes(self):
        return self._data.size * self._data.itemsize

    def stride(self, dim=None):
        """Strides in elements, as torch reports them."""
        arr = self._data
        if self._device is META or arr.size == 0:
            strides = _contiguous_strides(arr.shape)
        else:
            strides = _torch_strides(arr)
        if dim is None:
            return strides
        return strides[_wrap_dim(dim, arr.ndim, "stride")]

    def storage_offset(self):
        """Offset in elements of this tensor's first element within its storage."""
        origin = _storage_origin(self)
        if self._device is META or origin is self:
            return 0
        arr, root = self._data, origin._data
        if _storage_root(arr) is not _storage_root(root):
            return 0  # the base was given new storage (``.data = ...``): no shared memory
        return (_ptr(arr) - _ptr(root)) // arr.itemsize

    def data_ptr(self):
        if self._device is META:
            return 0
        return _ptr(self._data)

    def untyped_storage_nbytes(self):
        return _storage_root(self._data).nbytes

    def is_contiguous(self, memory_format=None):
        if memory_format is not None and getattr(memory_format, "name", "") == "channels_last":
            return self._device is not META and _is_channels_last(self)
        return self._device is META or self._data.flags.c_contiguous

    @property
    def is_cuda(self):
        return self._device.type == "cuda"

    @property
    def is_meta(self):
        return self._device is META

    @property
    def is_cpu(self):
        return self._device.type == "cpu"

    def get_device(self):
        return (self._device.index or 0) if self._device.type == "cuda" else -1

    @property
    def layout(self):
        from . import strided
        return strided

    def is_floating_point(self):
        return self.dtype.category == D.FLOAT

    def is_complex(self):
        return self.dtype.category == D.COMPLEX

    def is_signed(self):
        return self.dtype.is_signed

    def is_nonzero(self):
        """Truth value of a one-element tensor (``bool(t)`` with torch's errors)."""
        if self._data.size == 0:
            raise RuntimeError("Boolean value of Tensor with no values is ambiguous")
        if self._data.size > 1:
            raise RuntimeError("Boolean value of Tensor with more than one value is ambiguous")
        return self._data.reshape(-1)[0].item() != 0

    def is_same_size(self, other):
        """Whether ``other`` has the same shape."""
        return tuple(self._data.shape) == tuple(other._data.shape)

    @property
    def is_sparse(self):
        return False

    @property
    def is_quantized(self):
        return False

    def type(self, dtype=None, non_blocking=False, **kwargs):
        """The legacy type name (``'torch.FloatTensor'``), or a copy converted to ``dtype``."""
        if dtype is None:
            name = _LEGACY_TYPE_NAMES[self.dtype]
            if self._device is not CPU:
                # NOTE: torch names the device too: 'torch.meta.FloatTensor'.
                name = f"torch.{self._device.type}.{name[6:]}"
            return name
        if isinstance(dtype, str):
            for dt, name in _LEGACY_TYPE_NAMES.items():
                if dtype == name:
                    return self.to(dt)
                if dtype == f"torch.cuda.{name[6:]}":
                    return self.to("cuda")
            raise ValueError(f"invalid type: '{dtype}'")
        return self.to(dtype)

    # -- autograd state ---------------------------------------------------------------
    @property
    def requires_grad(self):
        return self._rg

    @requires_grad.setter
    def requires_grad(self, value):
        self.requires_grad_(value)

    def requires_grad_(self, requires_grad=True):
        requires_grad = bool(requires_grad)
        if self._grad_fn is not None:
            if not requires_grad:
                raise RuntimeError(
                    "you can only change requires_grad flags of leaf variables. If you want to "
                    "use a computed variable in a subgraph that doesn't require differentiation "
                    "use var_no_grad = var.detach().")
            return self
        if requires_grad and self.dtype.category < D.FLOAT:
            raise RuntimeError(
                f"only Tensors of floating point dtype can require gradients (got {self.dtype})")
        self._rg = requires_grad
        return self

    @property
    def grad_fn(self):
        return grad_fn_of(self)

    @property
    def is_leaf(self):
        return self._grad_fn is None

    @property
    def grad(self):
        if self._grad_fn is not None and not self._retains_grad:
            import warnings
            warnings.warn(
                "The .grad attribute of a Tensor that is not a leaf Tensor is being accessed. "
                "Its .grad attribute won't be populated during autograd.backward(). If you "
                "indeed want the .grad field to be populated for a non-leaf Tensor, use "
                ".retain_grad() on the non-leaf Tensor.", UserWarning, stacklevel=2)
        return self._grad

    @grad.setter
    def grad(self, value):
        if value is not None:
            if not isinstance(value, Tensor):
                raise TypeError(f"assigned grad expected to be a Tensor or None but got grad "
                                f"of type {type(value).__name__}")
            if value.dtype is not self.dtype:
                raise RuntimeError(f"assigned grad has data of a different type: expected "
                                   f"{self.dtype} but got {value.dtype}")
            if value._device is not self._device:
                raise RuntimeError(f"assigned grad has data located on a different device: "
                                   f"expected {self._device} but got {value._device}")
            if value._data.shape != self._data.shape:
                raise RuntimeError(f"assigned grad has data of a different size: expected "
                                   f"{list(self.shape)} but got {list(value.shape)}")
        self._grad = value

    @grad.deleter
    def grad(self):
        self._grad = None

    @property
    def output_nr(self):
        return self._out_nr

    @property
    def _version(self):
        vc = self._vc
        return 0 if vc is None else vc[0]

    def _bump_version(self):
        vc = self._vc
        if vc is None:
            self._vc = [1]
        else:
            vc[0] += 1

    def _accumulator(self):
        """This leaf's AccumulateGrad node (owned by the leaf; it refers back weakly)."""
        node = self._acc
        if node is None:
            node = self._acc = AccumulateGrad(self)
        return node

    @property
    def data(self):
        # NOTE: like torch, ``.data`` shares memory but not the version counter, so
        # writes through it are invisible to autograd's saved-tensor checks.
        t = _new(Tensor)
        t._data = self._data
        t._device = self._device
        t._storage_base = _storage_origin(self)
        return t

    @data.setter
    def data(self, value):
        if not isinstance(value, Tensor):
            raise TypeError(f"data must be a Tensor, got {type(value).__name__}")
        self._data = value._data
        self._device = value._device
        origin = _storage_origin(value)
        # ``p.data -= x`` assigns p's own .data back: its origin is p itself, and linking
        # p to itself would make the chain walk in _storage_origin loop forever.
        if origin is not self:
            self._storage_base = origin

    @property
    def retains_grad(self):
        return self._retains_grad

    def retain_grad(self):
        """Keep ``.grad`` for this non-leaf tensor after backward."""
        _graph.retain_grad(self)

    def register_hook(self, hook):
        """hook(grad) -> Tensor or None; runs when the gradient for this tensor is computed."""
        return _graph.register_tensor_hook(self, hook)

    def register_post_accumulate_grad_hook(self, hook):
        """hook(tensor) runs after a gradient was accumulated into this leaf's ``.grad``."""
        return _graph.register_post_accumulate_grad_hook(self, hook)

    def backward(self, gradient=None, retain_graph=None, create_graph=False, inputs=None):
        """Accumulate d(self)/d(leaf) into every leaf's ``.grad`` (see torch.Tensor.backward)."""
        from .autograd import backward
        backward(self, gradient, retain_graph, create_graph, inputs=inputs)

    def detach(self):
        """A new tensor sharing storage and version counter with this one, outside the graph.

        It is not a view for autograd (torch's ``detach()._base`` is None): an in-place
        op on it never rewrites this tensor's history.
        """
        t = _new(Tensor)
        t._data = self._data
        t._device = self._device
        t._storage_base = _storage_origin(self)
        if self._vc is None:
            self._vc = [0]
        t._vc = self._vc
        return t

    def detach_(self):
        if self._base is not None and self._grad_fn is not None:
            raise RuntimeError("Can't detach views in-place. Use detach() instead.")
        self._grad_fn = None
        self._rg = False
        return self

    # -- conversion ---------------------------------------------------------------------
    def numpy(self, *, force=False):
        """The NumPy array sharing this tensor's memory (writes show through both ways)."""
        if not force:
            if self._rg:
                raise RuntimeError("Can't call numpy() on Tensor that requires grad. Use "
                                   "tensor.detach().numpy() instead.")
            if self._device is not CPU:
                raise TypeError(f"can't convert {self._device.type} device type tensor to "
                                "numpy. Use Tensor.cpu() to copy the tensor to host memory "
                                "first.")
            if self._data.dtype == _BF16:
                # NOTE: torch refuses bfloat16 (NumPy has no such dtype); ember stores
                # ml_dtypes.bfloat16 but keeps torch's error; numpy(force=True) gives it.
                raise TypeError("Got unsupported ScalarType BFloat16")
        elif self._device is META:
            raise TypeError("can't convert meta device type tensor to numpy: it has no data")
        return self._data

    def __array__(self, dtype=None, copy=None):
        # np.asarray(t) goes through numpy() as in torch, with the same errors.
        arr = self.numpy()
        if dtype is not None and arr.dtype != dtype:
            return arr.astype(dtype)
        if copy:
            return arr.copy()
        return arr

    def __array_wrap__(self, array, context=None, return_scalar=False):
        # NumPy ufuncs on tensors (np.exp(t), ndarray + t) give tensors back, as in torch.
        if array.dtype not in _FROM_NP:
            array = array.astype(np.float64) if array.dtype.kind == "f" else array.astype(np.int64)
        return _wrap(np.asarray(array))

    def item(self):
        arr = self._data
        if arr.size != 1:
            raise RuntimeError(f"a Tensor with {arr.size} elements cannot be converted to Scalar")
        if self._device is META:
            raise RuntimeError("Tensor.item() cannot be called on meta tensors")
        value = arr.reshape(()).item() if arr.dtype != D.bfloat16.np else float(arr.reshape(()))
        return value

    def tolist(self):
        """Nested Python lists (a number for a 0-dim tensor)."""
        if self._device is META:
            raise NotImplementedError("Cannot copy out of meta tensor; no data!")
        arr = self._data
        if arr.dtype == _BF16:
            arr = arr.astype(np.float32)
        return arr.tolist()

    def __len__(self):
        if self._data.ndim == 0:
            raise TypeError("len() of a 0-d tensor")
        return self._data.shape[0]

    def __iter__(self):
        if self._data.ndim == 0:
            raise TypeError("iteration over a 0-d tensor")
        return iter(self.unbind(0))

    def __bool__(self):
        n = self._data.size
        if n == 1:
            if self._device is META:
                raise RuntimeError("Boolean value of Tensor on the meta device is undefined")
            return bool(self._data.reshape(()))
        if n == 0:
            raise RuntimeError("Boolean value of Tensor with no values is ambiguous")
        raise RuntimeError("Boolean value of Tensor with more than one value is ambiguous")

    def _scalar_for_python(self, kind):
        if self._data.size != 1:
            raise ValueError("only one element tensors can be converted to Python scalars")
        if self._rg and kind != "int" and not _SCALAR_WARNED[0]:
            # NOTE: torch warns (once per process) on float()/complex() of a tensor that
            # requires grad, not on int() or .item().
            _SCALAR_WARNED[0] = True
            import warnings
            warnings.warn("Converting a tensor with requires_grad=True to a scalar may lead to "
                          "unexpected behavior.\nConsider using tensor.detach() first.",
                          UserWarning, stacklevel=3)
        return self.item()

    def __float__(self):
        return float(self._scalar_for_python("float"))

    def __int__(self):
        return int(self._scalar_for_python("int"))

    def __complex__(self):
        return complex(self._scalar_for_python("complex"))

    def __index__(self):
        # NOTE: torch also accepts a one-element bool tensor as an index (True -> 1).
        if self._data.size != 1 or _FROM_NP[self._data.dtype].category > D.INT:
            raise TypeError("only integer tensors of a single element can be converted to an index")
        return int(self.item())

    def __hash__(self):
        return id(self)

    def __repr__(self, *, tensor_contents=None):
        from ._tensor_str import tensor_repr
        return tensor_repr(self, tensor_contents=tensor_contents)

    def __str__(self):
        return self.__repr__()

    def __format__(self, spec):
        # NOTE: like torch, a plain 0-dim tensor formats as its number even with an empty
        # spec (f"{tensor(1.5)}" is "1.5"); others go through object.__format__ (str).
        if self._data.ndim == 0 and self._device is not META and type(self) is Tensor:
            return self.item().__format__(spec)
        return object.__format__(self, spec)

    def __reduce_ex__(self, proto):
        from ._tensor_pickle import reduce_tensor
        return reduce_tensor(self)

    def __deepcopy__(self, memo):
        from ._tensor_pickle import deepcopy_tensor
        return deepcopy_tensor(self, memo)

    # -- dtype / device conversion ----------------------------------------------------------
    def to(self, *args, **kwargs):
        """to(dtype) / to(device) / to(device, dtype) / to(other), with copy= and non_blocking=."""
        non_blocking = kwargs.get("non_blocking", False)
        if len(args) > 1 and not non_blocking:   # to(device, dtype, non_blocking, copy)
            non_blocking = next((a for a in args[1:] if type(a) is bool), False)
        dtype, device, copy = _parse_to(self, args, kwargs)
        return _to(self, dtype, device, copy, non_blocking=non_blocking)

    def cpu(self, memory_format=None):
        return _to(self, None, CPU, False)

    def cuda(self, device=None, non_blocking=False, memory_format=None):
        """A copy on a cuda device (RuntimeError without CuPy, as a CPU-only torch)."""
        if device is None:
            device = "cuda"
        elif isinstance(device, int) and not isinstance(device, bool):
            device = f"cuda:{device}"
        target = as_device(device)
        if target.type != "cuda":
            raise RuntimeError(f"Invalid device, must be cuda device (got {target})")
        return _to(self, None, target, False, non_blocking=non_blocking)

    def float(self):
        return _to(self, D.float32, None, False)

    def double(self):
        return _to(self, D.float64, None, False)

    def half(self):
        return _to(self, D.float16, None, False)

    def bfloat16(self):
        return _to(self, D.bfloat16, None, False)

    def long(self):
        return _to(self, D.int64, None, False)

    def int(self):
        return _to(self, D.int32, None, False)

    def short(self):
        return _to(self, D.int16, None, False)

    def char(self):
        return _to(self, D.int8, None, False)

    def byte(self):
        return _to(self, D.uint8, None, False)

    def bool(self):
        return _to(self, D.bool, None, False)

    def type_as(self, other):
        return _to(self, other.dtype, None, False)


class Size(tuple):
    """``tensor.shape``: a tuple of ints printed as ``torch.Size([2, 3])``."""

    __slots__ = ()

    def __new__(cls, sizes=()):
        sizes = tuple(sizes)
        for s in sizes:
            if type(s) is not int:
                return tuple.__new__(cls, [_size_item(s, i) for i, s in enumerate(sizes)])
        return tuple.__new__(cls, sizes)

    def __repr__(self):
        return f"torch.Size({list(self)})"

    def numel(self):
        n = 1
        for s in self:
            n *= s
        return n

    def __getitem__(self, item):
        r = tuple.__getitem__(self, item)
        return _new_size(r) if isinstance(item, slice) else r

    def __add__(self, other):
        # NOTE: like torch, only tuples concatenate (Size + list is a TypeError).
        r = tuple.__add__(self, other)
        return r if r is NotImplemented else _new_size(r)

    def __radd__(self, other):
        if not isinstance(other, tuple):
            return NotImplemented
        return _new_size(tuple.__add__(other, self))

    def __mul__(self, n):
        r = tuple.__mul__(self, n)
        return r if r is NotImplemented else _new_size(r)

    __rmul__ = __mul__


def _new_size(shape):
    """A Size over a tuple of ints known to be valid (the hot path of ``.shape``)."""
    return tuple.__new__(Size, shape)


def _size_item(value, i):
    try:
        return value.__index__()
    except (AttributeError, TypeError):
        raise TypeError(f"torch.Size() takes an iterable of 'int' (item {i} is "
                        f"'{type(value).__name__}')") from None


_LEGACY_TYPE_NAMES = {
    D.float32: "torch.FloatTensor", D.float64: "torch.DoubleTensor",
    D.float16: "torch.HalfTensor", D.bfloat16: "torch.BFloat16Tensor",
    D.int64: "torch.LongTensor", D.int32: "torch.IntTensor", D.int16: "torch.ShortTensor",
    D.int8: "torch.CharTensor", D.uint8: "torch.ByteTensor", D.bool: "torch.BoolTensor",
    D.complex64: "torch.ComplexFloatTensor", D.complex128: "torch.ComplexDoubleTensor",
}


def _wrap_dim(dim, ndim, op="dim"):
    """Normalise a possibly negative dim; IndexError naming the range, as torch."""
    if not isinstance(dim, int):
        dim = dim.__index__()
    n = ndim if ndim > 0 else 1
    if dim < -n or dim >= n:
        raise IndexError(f"{op}(): Dimension out of range (expected to be in range of "
                         f"[{-n}, {n - 1}], but got {dim})")
    return dim + n if dim < 0 else dim


def _parse_to(self, args, kwargs):
    dtype = kwargs.pop("dtype", None)
    device = kwargs.pop("device", None)
    copy = kwargs.pop("copy", False)
    kwargs.pop("non_blocking", None)
    kwargs.pop("memory_format", None)
    if kwargs:
        raise TypeError(f"to() got unexpected keyword arguments {sorted(kwargs)}")
    for a in args:
        if isinstance(a, D.dtype):
            dtype = a
        elif isinstance(a, Tensor):
            dtype, device = a.dtype, a._device
        elif isinstance(a, bool):
            pass  # the positional non_blocking flag
        elif a is None:
            continue
        else:
            device = a
    if device is not None:
        device = as_device(device)
    return dtype, device, copy


class ToCopyBackward0(Node):
    source_device = None

    def backward(self, grad):
        # the engine casts grad back to the input's dtype; a device move goes back here
        if self.source_device is not None and grad._device is not self.source_device:
            grad = _to(grad, None, self.source_device, False)
        return (grad,)


def _warn_complex_cast():
    # NOTE: torch warns once per process when a cast drops imaginary parts.
    if not _COMPLEX_WARNED[0]:
        _COMPLEX_WARNED[0] = True
        import warnings
        warnings.warn("Casting complex values to real discards the imaginary part",
                      UserWarning, stacklevel=4)


def _to(self, dtype, device, copy, warn_complex=True, non_blocking=False):
    src = self._data
    if dtype is not None and not isinstance(dtype, D.dtype):
        raise TypeError(f"to() expected a dtype, got {type(dtype).__name__}")
    same_dtype = dtype is None or src.dtype == dtype.np
    same_device = device is None or device is self._device
    if same_dtype and same_device and not copy:
        return self
    np_dtype = src.dtype if dtype is None else dtype.np
    target = self._device if device is None else device
    if target is META:
        out = _wrap(meta_array(src.shape, np_dtype), META)
    elif self._device is META:
        raise NotImplementedError(
            f"Cannot copy out of meta tensor; no data! Please use torch.nn.Module.to_empty() "
            f"instead of torch.nn.Module.to() when moving module from meta to a different device.")
    else:
        if warn_complex and src.dtype.kind == "c" and np_dtype.kind != "c":
            _warn_complex_cast()
        if target is not self._device:
            if non_blocking:   # pinned memory, an async copy on the current stream
                from .cuda._pinned import move_non_blocking
                moved = move_non_blocking(src, target)
            else:
                moved = move_array(src, target)   # a new array on the other device
            out = _wrap(moved if same_dtype else D.cast_array(moved, np_dtype), target)
        else:
            out = _wrap(D.cast_array(src, np_dtype), target)
    if _GRAD.enabled and self._rg and out.dtype.category >= D.FLOAT:
        node = ToCopyBackward0().connect((self,))
        if target is not self._device:
            node.source_device = self._device
        out._grad_fn = node
        out._rg = True
    return out

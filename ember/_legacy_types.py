"""torch's legacy tensor types (``torch.FloatTensor`` ...) and its global switches.

A legacy type is a constructor (``ember.FloatTensor([1, 2])``, ``ember.LongTensor(3, 4)``
uninitialised) and an ``isinstance`` test that is true exactly for a cpu tensor of its
dtype; ``t.type(ember.DoubleTensor)`` converts.

>>> isinstance(ember.zeros(2), ember.FloatTensor)
True

The global switches (``use_deterministic_algorithms``, ``set_default_device`` ...) live in
ember/ops/surface.py; they are re-exported from here because they are not ops.
"""
from . import _dtype as D
from ._device import CPU
from ._tensor import Size, Tensor
from .ops import surface as _surface
from .ops.surface import (are_deterministic_algorithms_enabled, get_default_device,  # noqa: F401
                          get_deterministic_debug_mode, get_float32_matmul_precision,
                          is_deterministic_algorithms_warn_only_enabled,
                          is_warn_always_enabled, set_default_device,
                          set_deterministic_debug_mode, set_float32_matmul_precision,
                          set_warn_always, use_deterministic_algorithms)

_TYPES = {
    "FloatTensor": D.float32, "DoubleTensor": D.float64, "HalfTensor": D.float16,
    "BFloat16Tensor": D.bfloat16, "ByteTensor": D.uint8, "CharTensor": D.int8,
    "ShortTensor": D.int16, "IntTensor": D.int32, "LongTensor": D.int64,
    "BoolTensor": D.bool,
}

__all__ = sorted(_TYPES) + list(_surface.CONFIG_ALL)


class _LegacyTensorMeta(type):
    """``isinstance(t, FloatTensor)``: t is a cpu float32 Tensor (any subclass)."""

    def __instancecheck__(cls, obj):
        return isinstance(obj, Tensor) and obj._device is CPU and obj.dtype is cls.dtype

    def __subclasscheck__(cls, sub):
        return sub is cls

    def __call__(cls, *args, device=None):
        from .ops.creation import _tensor_ctor
        if device is not None and str(device) != "cpu":
            raise RuntimeError(f"legacy constructor expects device type: cpu but device type: "
                               f"{device} was passed")
        if len(args) == 1 and type(args[0]) is Size:
            args = tuple(args[0])   # NOTE: FloatTensor(torch.Size([2])) is a shape
        if len(args) == 1 and isinstance(args[0], Tensor):
            src = args[0]
            if src.dtype is not cls.dtype:
                raise TypeError(f"expected {cls.dtype} (got {src.dtype})")
            return src
        return _tensor_ctor(Tensor, args, None, cls.dtype)

    def __repr__(cls):
        return f"<class 'torch.{cls.__name__}'>"


def _make(name, dtype):
    return _LegacyTensorMeta(name, (), {"dtype": dtype, "is_cuda": False,
                                        "__module__": "torch", "__doc__":
                                        f"Legacy constructor of cpu {dtype} tensors."})


for _name, _dt in _TYPES.items():
    globals()[_name] = _make(_name, _dt)
del _name, _dt


_original_type = Tensor.type


def _type(self, dtype=None, non_blocking=False, **kwargs):
    """``t.type()`` names the legacy type; ``t.type(ember.DoubleTensor)`` converts."""
    if isinstance(dtype, _LegacyTensorMeta):
        dtype = f"torch.{dtype.__name__}"
    return _original_type(self, dtype, non_blocking, **kwargs)


_type.__doc__ = _original_type.__doc__
Tensor.type = _type

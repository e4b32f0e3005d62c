"""ember: a deep-learning framework with PyTorch's API on NumPy.

``import ember as torch`` runs PyTorch programs: tensors, autograd, and (in later
modules) nn, optim and data loading.  This file only re-exports.
"""
from . import _dtype
from ._device import device
from ._dtype import (bfloat16, bool, can_cast, cdouble, cfloat, complex64, complex128, double,
                     dtype, float, float16, float32, float64, get_default_dtype, half, int,
                     int8, int16, int32, int64, long, promote_types, set_default_dtype, short,
                     uint8)
from ._dtype import result_type as _result_type_dtypes
from ._dtype import finfo, iinfo
from ._tensor import Size, Tensor
from ._tensor_str import get_printoptions, set_printoptions
from .autograd import enable_grad, inference_mode, no_grad, set_grad_enabled
from .autograd.grad_mode import is_grad_enabled, is_inference_mode_enabled
from . import autograd
from .autograd.anomaly_mode import (is_anomaly_check_nan_enabled, is_anomaly_enabled,
                                    set_anomaly_enabled)
from . import _random as random
from .ops.reduction import return_types
from ._random import (Generator, default_generator, get_rng_state, initial_seed, manual_seed,
                      seed, set_rng_state)
from .ops import *  # noqa: F401,F403  (the op functions: add, sum, reshape, ...)
from .ops import __all__ as _ops_all

from . import cuda

__version__ = "0.1.0"

# Constants torch exposes at the top level.
import math as _math

pi = _math.pi
e = _math.e
inf = _math.inf
nan = _math.nan


class _Layout:
    def __init__(self, name):
        self.name = name

    def __repr__(self):
        return f"torch.{self.name}"


strided = _Layout("strided")
sparse_coo = _Layout("sparse_coo")


class _MemoryFormat:
    def __init__(self, name):
        self.name = name

    def __repr__(self):
        return f"torch.{self.name}"


contiguous_format = _MemoryFormat("contiguous_format")
preserve_format = _MemoryFormat("preserve_format")
channels_last = _MemoryFormat("channels_last")


def result_type(tensor, other):
    """dtype that an arithmetic op on ``tensor`` and ``other`` produces (torch's rules)."""
    return _dtype.result_type_of(tensor, other)


def is_tensor(obj):
    return isinstance(obj, Tensor)


def is_floating_point(input):
    return input.is_floating_point()


def is_complex(input):
    return input.is_complex()


def numel(input):
    return input.numel()


def typename(obj):
    if isinstance(obj, Tensor):
        return obj.type()
    return type(obj).__name__

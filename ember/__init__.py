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

from ._threads import (get_num_interop_threads, get_num_threads, set_num_interop_threads,
                       set_num_threads)
from . import cuda, fft, linalg, nn, optim, special, testing, utils
from . import distributions
from ._torch_nn_functions import *  # noqa: F401,F403  (torch.relu, torch.layer_norm ...)
from .utils.dlpack import from_dlpack  # torch.from_dlpack lives at the top level
from .nn.functional.distance import cdist  # torch.cdist lives at the top level
from . import safetensors, serialization
from .serialization import load, save
from ._legacy_types import *  # noqa: F401,F403  (FloatTensor ..., global switches)

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


def is_nonzero(input):
    return input.is_nonzero()


def is_same_size(input, other):
    return input.is_same_size(other)


def is_signed(input):
    return input.is_signed()


def _inplace_function(name):
    """``torch.exp_(t)``: the top-level spelling of the method ``t.exp_()``."""
    def fn(input, *args, **kwargs):
        if not isinstance(input, Tensor):
            raise TypeError(f"{name}(): argument 'input' (position 1) must be Tensor, not "
                            f"{type(input).__name__}")
        return getattr(input, name)(*args, **kwargs)
    fn.__name__ = fn.__qualname__ = name
    fn.__doc__ = f"Same as ``input.{name}(...)``."
    return fn


# torch exposes these in-place ops as functions too; each one is the Tensor method.
_INPLACE_FUNCTIONS = (
    "abs_", "acos_", "acosh_", "arccos_", "arccosh_", "arcsin_", "arcsinh_", "arctan_",
    "arctanh_", "asin_", "asinh_", "atan_", "atanh_", "ceil_", "clamp_", "clamp_max_",
    "clamp_min_", "clip_", "cos_", "cosh_", "deg2rad_", "erf_", "erfc_", "exp2_", "exp_",
    "expm1_", "fill_", "fix_", "floor_", "frac_", "ldexp_", "log10_", "log1p_", "log2_",
    "log_", "logit_", "nan_to_num_", "neg_", "negative_", "rad2deg_", "reciprocal_",
    "round_", "rsqrt_", "sigmoid_", "sin_", "sinc_", "sinh_", "sqrt_", "square_", "tan_",
    "tanh_", "trunc_", "xlogy_", "zero_",
)
for _name in _INPLACE_FUNCTIONS:
    if hasattr(Tensor, _name):
        globals()[_name] = _inplace_function(_name)
del _name


def __getattr__(name):
    if name == "hf":  # Hugging Face models: imported on first use, not by ``import ember``
        import importlib
        return importlib.import_module(".hf", __name__)
    # NOTE: PyTorch programs run on ember (``import ember as torch``, ember.torch_compat):
    # a missing name says which torch API ember lacks.
    raise AttributeError(f"module 'ember' has no attribute '{name}' (torch.{name} is not "
                         f"implemented in ember)")

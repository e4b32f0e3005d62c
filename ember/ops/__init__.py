"""The op families. Each module defines its functions and attaches its Tensor methods."""
from . import creation, pointwise, reduction, shape  # noqa: F401
from .creation import (arange, as_tensor, asarray, empty, empty_like, from_numpy, full,
                       full_like, ones, ones_like, tensor, zeros, zeros_like)
from .pointwise import (add, div, divide, eq, exp, ge, greater, greater_equal, gt, le, less,
                        less_equal, log, lt, mul, multiply, ne, neg, negative, not_equal, rsub,
                        sqrt, sub, subtract, true_divide)
from .reduction import mean, sum
from .shape import (as_strided, broadcast_to, clone, expand, permute, reshape, squeeze, swapaxes,
                    swapdims, t, transpose, unsqueeze, view_as)

__all__ = [n for n in dir() if not n.startswith("_") and n not in (
    "creation", "pointwise", "reduction", "shape")]

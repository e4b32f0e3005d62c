"""The error function family: erf, erfc and erfinv.  NumPy has none of them: the
kernels are in ``_erf.py``; float16/bfloat16 inputs are computed in float32."""

__all__ = ["erf", "erfc", "erfinv"]

import math

from ...autograd.graph import Node
from . import _erf
from ._common import _float_unary, _in_float32, _real_only
from .unary import exp

_TWO_OVER_SQRT_PI = 2.0 / math.sqrt(math.pi)
_SQRT_PI_OVER_TWO = math.sqrt(math.pi) / 2.0


class ErfBackward0(Node):
    def backward(self, grad):
        (x,) = self.saved_tensors
        return (grad * (exp(-(x * x)) * _TWO_OVER_SQRT_PI),)


class ErfcBackward0(Node):
    def backward(self, grad):
        (x,) = self.saved_tensors
        return (grad * (exp(-(x * x)) * -_TWO_OVER_SQRT_PI),)


class ErfinvBackward0(Node):
    def backward(self, grad):
        (result,) = self.saved_tensors
        return (grad * (exp(result * result) * _SQRT_PI_OVER_TWO),)


_ERF = _real_only("erf_vml_cpu", _in_float32(_erf.erf))
_ERFC = _real_only("erfc_vml_cpu", _in_float32(_erf.erfc))
_ERFINV = _real_only("erfinv_vml_cpu", _in_float32(_erf.erfinv))

erf = _float_unary("erf", _ERF, ErfBackward0, "input", """The error function.

    >>> ember.erf(ember.tensor([0.0, 1.0]))
    tensor([0.0000, 0.8427])
    """)
erfc = _float_unary("erfc", _ERFC, ErfcBackward0, "input",
                    """1 - erf(input), accurate where erf(input) is close to 1.

    >>> ember.erfc(ember.tensor([0.0]))
    tensor([1.])
    """)
erfinv = _float_unary("erfinv", _ERFINV, ErfinvBackward0, "result",
                      """Inverse of erf on [-1, 1] (+-inf at +-1, NaN outside).

    >>> ember.erfinv(ember.tensor([0.0]))
    tensor([0.])
    """)

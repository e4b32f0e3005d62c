"""Identity, Linear, Bilinear, LazyLinear."""
import math

from ... import _dtype as D
from ..._tensor import Tensor
from .. import functional as F
from .. import init
from ..parameter import Parameter, UninitializedParameter
from .module import Module

__all__ = ["Identity", "Linear", "Bilinear", "LazyLinear"]


def _empty(shape, device, dtype):
    from ...ops.creation import empty
    return empty(shape, device=device, dtype=dtype)


class Identity(Module):
    """Returns its input unchanged (any constructor arguments are ignored, as in torch).

    >>> ember.nn.Identity(54, unused="x")(ember.ones(2)).shape
    torch.Size([2])
    """

    def __init__(self, *args, **kwargs):
        super().__init__()

    def forward(self, input):
        return input


class Linear(Module):
    """y = x W^T + b.  Weight (out_features, in_features), bias (out_features,).

    Initialised as torch: W ~ kaiming_uniform_(a=sqrt(5)), b ~ U(-1/sqrt(in), 1/sqrt(in)).

    >>> ember.nn.Linear(20, 30)(ember.randn(128, 20)).shape
    torch.Size([128, 30])
    """

    __constants__ = ["in_features", "out_features"]

    def __init__(self, in_features, out_features, bias=True, device=None, dtype=None):
        super().__init__()
        self.in_features = in_features
        self.out_features = out_features
        self.weight = Parameter(_empty((out_features, in_features), device, dtype))
        if bias:
            self.bias = Parameter(_empty((out_features,), device, dtype))
        else:
            self.register_parameter("bias", None)
        self.reset_parameters()

    def reset_parameters(self):
        init.kaiming_uniform_(self.weight, a=math.sqrt(5))
        if self.bias is not None:
            fan_in, _ = init._calculate_fan_in_and_fan_out(self.weight)
            bound = 1 / math.sqrt(fan_in) if fan_in > 0 else 0
            init.uniform_(self.bias, -bound, bound)

    def forward(self, input):
        return F.linear(input, self.weight, self.bias)

    def extra_repr(self):
        return (f"in_features={self.in_features}, out_features={self.out_features}, "
                f"bias={self.bias is not None}")

    def _error_hint(self, args, kwargs):
        x = args[0] if args else kwargs.get("input")
        if isinstance(x, Tensor) and x.ndim >= 1 and x.shape[-1] != self.in_features:
            return (f"{self._get_name()} expects in_features={self.in_features} as the input's "
                    f"last dim, but the input has shape {tuple(x.shape)} (last dim "
                    f"{x.shape[-1]})")
        return None


class LazyLinear(Linear):
    """A Linear whose in_features is taken from the first input; it then becomes a Linear.

    >>> m = ember.nn.LazyLinear(3); m(ember.ones(2, 5)).shape, type(m).__name__
    (torch.Size([2, 3]), 'Linear')
    """

    cls_to_become = Linear

    def __init__(self, out_features, bias=True, device=None, dtype=None):
        Module.__init__(self)
        self.in_features = 0
        self.out_features = out_features
        self._factory = (device, dtype)
        self.weight = UninitializedParameter(device=device, dtype=dtype)
        if bias:
            self.bias = UninitializedParameter(device=device, dtype=dtype)
        else:
            self.register_parameter("bias", None)

    def reset_parameters(self):
        if not self.has_uninitialized_params() and self.in_features != 0:
            super().reset_parameters()

    def has_uninitialized_params(self):
        return any(isinstance(p, UninitializedParameter) for p in self._parameters.values())

    def initialize_parameters(self, input):
        if self.has_uninitialized_params():
            self.in_features = input.shape[-1]
            dtype = self._factory[1] or (input.dtype if input.dtype.category >= D.FLOAT else None)
            self.weight.materialize((self.out_features, self.in_features), dtype=dtype)
            if self.bias is not None:
                self.bias.materialize((self.out_features,), dtype=dtype)
            self.reset_parameters()

    def forward(self, input):
        self.initialize_parameters(input)
        self.in_features = self.weight.shape[1]   # also after load_state_dict materialised it
        self.__dict__.pop("_factory", None)
        self.__class__ = self.cls_to_become
        return self.forward(input)


class Bilinear(Module):
    """y = x1^T A x2 + b.  Weight (out, in1, in2), both initialised U(-1/sqrt(in1), 1/sqrt(in1)).

    >>> ember.nn.Bilinear(20, 30, 40)(ember.randn(128, 20), ember.randn(128, 30)).shape
    torch.Size([128, 40])
    """

    __constants__ = ["in1_features", "in2_features", "out_features"]

    def __init__(self, in1_features, in2_features, out_features, bias=True, device=None,
                 dtype=None):
        super().__init__()
        self.in1_features = in1_features
        self.in2_features = in2_features
        self.out_features = out_features
        self.weight = Parameter(_empty((out_features, in1_features, in2_features), device, dtype))
        if bias:
            self.bias = Parameter(_empty((out_features,), device, dtype))
        else:
            self.register_parameter("bias", None)
        self.reset_parameters()

    def reset_parameters(self):
        bound = 1 / math.sqrt(self.weight.size(1))
        init.uniform_(self.weight, -bound, bound)
        if self.bias is not None:
            init.uniform_(self.bias, -bound, bound)

    def forward(self, input1, input2):
        return F.bilinear(input1, input2, self.weight, self.bias)

    def extra_repr(self):
        return (f"in1_features={self.in1_features}, in2_features={self.in2_features}, "
                f"out_features={self.out_features}, bias={self.bias is not None}")

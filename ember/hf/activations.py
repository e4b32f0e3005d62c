"""The activation functions named by ``hidden_act`` in Hugging Face configs."""

from ..nn import functional as F

__all__ = ["ACT2FN", "get_activation"]


def _gelu_tanh(x):
    return F.gelu(x, approximate="tanh")


def _quick_gelu(x):
    return x * F.sigmoid(1.702 * x)


ACT2FN = {
    "gelu": F.gelu,  # the exact erf form
    "gelu_new": _gelu_tanh,
    "gelu_pytorch_tanh": _gelu_tanh,
    "gelu_fast": _gelu_tanh,
    "quick_gelu": _quick_gelu,
    "relu": F.relu,
    "silu": F.silu,
    "swish": F.silu,
    "tanh": F.tanh,
    "sigmoid": F.sigmoid,
}


def get_activation(name):
    """``ACT2FN[name]`` with an error naming the known activations."""
    if callable(name):
        return name
    if name not in ACT2FN:
        raise ValueError(f"unknown activation {name!r}; known: {sorted(ACT2FN)}")
    return ACT2FN[name]


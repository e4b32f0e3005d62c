"""Small helpers shared by the optimizer classes: argument checks and state tensors.

They keep each optimizer file down to its defaults, its state layout and one call
into ``_functional``; the arithmetic itself never lives here.
"""
import numpy as np

from .._tensor import Tensor, _wrap

__all__ = ["as_float", "check_lr", "check_fused", "step_tensor", "zeros_state",
           "full_state", "tensorize_scalars", "grads_of", "bump_versions"]


def as_float(value):
    """A hyperparameter as a Python float (1-element tensors are allowed)."""
    return float(value.item()) if isinstance(value, Tensor) else value


def check_lr(lr):
    """torch's checks of ``lr``: a tensor must have one element, and it is >= 0."""
    if isinstance(lr, Tensor) and lr.numel() != 1:
        raise ValueError("Tensor lr must be 1-element")
    if not 0.0 <= lr:
        raise ValueError(f"Invalid learning rate: {lr}")


def check_fused(fused, foreach, differentiable):
    """``fused`` is accepted (the update is one NumPy pass anyway) but, as in torch,
    cannot be combined with ``foreach`` or ``differentiable``."""
    if fused:
        if differentiable:
            raise RuntimeError("`fused` does not support `differentiable`")
        if foreach:
            raise RuntimeError("`fused` and `foreach` cannot be `True` together.")


def step_tensor(value=0.0):
    """A float32 0-dim tensor, the type torch uses for ``step`` and similar counters."""
    return _wrap(np.array(value, dtype=np.float32))


def zeros_state(p):
    """A zero tensor shaped and typed like parameter ``p`` (on its device)."""
    return _wrap(np.zeros_like(p._data), p._device)


def full_state(p, value):
    """A tensor like ``p`` filled with ``value``."""
    return _wrap(np.full_like(p._data, value), p._device)


def tensorize_scalars(optimizer, keys):
    """Turn Python numbers saved under ``keys`` (old checkpoints) into float32 tensors."""
    for value in optimizer.state.values():
        if not isinstance(value, dict):
            continue
        for key in keys:
            if key in value and not isinstance(value[key], Tensor):
                value[key] = step_tensor(float(value[key]))


def grads_of(group, name):
    """``(param, grad array)`` for each parameter of ``group`` that has a gradient."""
    out = []
    for p in group["params"]:
        grad = p._grad
        if grad is None:
            continue
        if grad.is_sparse:
            raise RuntimeError(f"{name} does not support sparse gradients")
        out.append((p, grad._data))
    return out


def bump_versions(params):
    """Record the in-place update on each parameter, as torch's ``add_`` does."""
    for p in params:
        p._bump_version()

"""What the optimizer classes share: argument checks, state tensors, the per-group
gathering of arrays (``gather``) and the ``ArrayOptimizer`` base that owns ``step``.

They keep each optimizer file down to its defaults, its state layout and one call
into ``_functional``; the arithmetic itself never lives here.
"""
import numpy as np

from .._device import move_array
from .._tensor import Tensor, _wrap
from .optimizer import Optimizer

__all__ = ["as_float", "check_lr", "check_nonnegative", "check_betas", "check_moment_args",
           "check_fused", "step_tensor", "zeros_state", "full_state", "new_state",
           "counters_on_device",
           "set_defaults", "tensorize_scalars", "grads_of", "gather", "bump_versions",
           "ArrayOptimizer"]

# torch spells ``eps`` out in its error messages.
_LABELS = {"eps": "epsilon"}


def as_float(value):
    """A hyperparameter as a Python float (1-element tensors are allowed)."""
    return float(value.item()) if isinstance(value, Tensor) else value


def check_lr(lr):
    """torch's checks of ``lr``: a tensor must have one element, and it is >= 0."""
    if isinstance(lr, Tensor) and lr.numel() != 1:
        raise ValueError("Tensor lr must be 1-element")
    if not 0.0 <= lr:
        raise ValueError(f"Invalid learning rate: {lr}")


def check_nonnegative(**values):
    """torch's ``Invalid <name> value: <value>`` checks, in the order given.

    >>> check_nonnegative(eps=1e-8, weight_decay=0)
    """
    for name, value in values.items():
        if not 0.0 <= value:
            raise ValueError(f"Invalid {_LABELS.get(name, name)} value: {value}")


def check_betas(betas, tensors=False):
    """Each beta lies in [0, 1); with ``tensors`` a beta may be a 1-element tensor."""
    for index in (0, 1):
        beta = betas[index]
        if tensors and isinstance(beta, Tensor) and beta.numel() != 1:
            raise ValueError(f"Tensor betas[{index}] must be 1-element")
        if not 0.0 <= beta < 1.0:
            raise ValueError(f"Invalid beta parameter at index {index}: {beta}")


def check_moment_args(lr, eps, betas, weight_decay, tensor_betas=False):
    """The checks the Adam family shares, in torch's order: lr, eps, betas, weight_decay.

    >>> check_moment_args(1e-3, 1e-8, (0.9, 0.999), 0)
    """
    check_lr(lr)
    check_nonnegative(eps=eps)
    check_betas(betas, tensors=tensor_betas)
    check_nonnegative(weight_decay=weight_decay)


def check_fused(fused, foreach, differentiable):
    """``fused`` is accepted (the update is one NumPy pass anyway) but, as in torch,
    cannot be combined with ``foreach`` or ``differentiable``."""
    if fused:
        if differentiable:
            raise RuntimeError("`fused` does not support `differentiable`")
        if foreach:
            raise RuntimeError("`fused` and `foreach` cannot be `True` together.")


def step_tensor(value=0.0, device=None):
    """A float32 0-dim tensor, the type torch uses for ``step`` and similar counters.

    NOTE: like torch, counters live on the cpu unless ``device`` is given, even for
    cuda parameters (torch moves them to the parameters' device only for
    ``capturable``/``fused`` groups, and always for ASGD); reading a cpu counter costs
    no device synchronisation.
    """
    if device is None or device.type == "cpu":
        return _wrap(np.array(value, dtype=np.float32))
    return _wrap(move_array(np.array(value, dtype=np.float32), device), device)


def zeros_state(p):
    """A zero tensor shaped and typed like parameter ``p`` (on its device)."""
    return _wrap(np.zeros_like(p._data), p._device)


def full_state(p, value):
    """A tensor like ``p`` filled with ``value``."""
    return _wrap(np.full_like(p._data, value), p._device)


def new_state(state, p, zeros, on_device=False, **counters):
    """Fill the empty ``state`` of ``p`` in torch's key order: ``step``, then the
    float32 0-dim ``counters`` (name=start value), then a zero buffer per name in
    ``zeros`` (``None`` entries are skipped).  The counters are on the cpu, or on
    ``p``'s device with ``on_device``; the buffers are always on ``p``'s device."""
    device = p._device if on_device else None
    state["step"] = step_tensor(device=device)
    for name, value in counters.items():
        state[name] = step_tensor(value, device)
    for name in zeros:
        if name is not None:
            state[name] = zeros_state(p)
    return state


def counters_on_device(group):
    """Whether torch keeps ``step`` (and NAdam's ``mu_product``) on the parameters'
    device for this group: only for ``capturable`` or ``fused`` updates."""
    return bool(group.get("capturable") or group.get("fused"))


def set_defaults(optimizer, **flags):
    """``setdefault`` each flag on every param group (groups from older checkpoints)."""
    for group in optimizer.param_groups:
        for key, value in flags.items():
            group.setdefault(key, value)


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


def gather(optimizer, group, buffers, name=None, init=None):
    """Collect what one param group's update needs, making state on first use.

    Returns ``(params, arrays, grads, buffer_lists, steps)``: the parameters with a
    gradient, their data and gradient arrays, one list of state arrays per name in
    ``buffers`` (a ``None`` name gives a list of ``None``), and each ``step`` as a float
    after it was incremented in place (so the state dict sees the new count).
    An empty state is filled by ``init(state, p)``, by default ``step`` plus zero
    buffers for ``buffers``.  ``name`` turns on torch's sparse-gradient error.
    """
    params, arrays, grads, steps = [], [], [], []
    lists = [[] for _ in buffers]
    if name is None:
        pairs = [(p, p._grad._data) for p in group["params"] if p._grad is not None]
    else:
        pairs = grads_of(group, name)
    for p, grad in pairs:
        state = optimizer.state[p]
        if len(state) == 0:
            if init is None:
                new_state(state, p, buffers, on_device=counters_on_device(group))
            else:
                init(state, p)
        step = state["step"]._data
        step += 1
        params.append(p)
        arrays.append(p._data)
        grads.append(grad)
        for key, out in zip(buffers, lists):
            out.append(None if key is None else state[key]._data)
        steps.append(float(step))
    return params, arrays, grads, lists, steps


def bump_versions(params):
    """Record the in-place update on each parameter, as torch's ``add_`` does."""
    for p in params:
        p._bump_version()


class ArrayOptimizer(Optimizer):
    """Base of the optimizers that run one pure ``_functional`` update per param group.

    A subclass gives ``_update_group(group)``: it gathers the group's arrays (see
    ``gather``), calls its update, and returns the parameters it changed.
    ``_group_flags`` are the group options older checkpoints may lack (restored by
    ``__setstate__``), ``_counters`` the 0-dim state they may hold as Python numbers.
    """

    _group_flags = dict(foreach=None, maximize=False, differentiable=False, capturable=False)
    _counters = ("step",)

    def __setstate__(self, state):
        super().__setstate__(state)
        set_defaults(self, **self._group_flags)
        tensorize_scalars(self, self._counters)

    def step(self, closure=None):
        """One update of every parameter that has a gradient; returns closure's loss."""
        loss = self._eval_closure(closure)
        for group in self.param_groups:
            bump_versions(self._update_group(group))
        return loss

    def _update_group(self, group):
        """Update one param group in place; returns the parameters it changed."""
        raise NotImplementedError

"""Adam (``torch.optim.Adam``); AdamW is the same update with decoupled weight decay."""
import numpy as np

from .._tensor import Tensor, _wrap
from . import _functional as F
from .optimizer import Optimizer

__all__ = ["Adam"]


def _float(value):
    """A hyperparameter as a Python float (1-element tensors are allowed)."""
    return float(value.item()) if isinstance(value, Tensor) else value


def _check_adam_args(lr, betas, eps, weight_decay, foreach, capturable, differentiable, fused):
    if isinstance(lr, Tensor):
        if foreach and not capturable:
            raise ValueError("lr as a Tensor is not supported for capturable=False and "
                             "foreach=True")
        if lr.numel() != 1:
            raise ValueError("Tensor lr must be 1-element")
    if not 0.0 <= lr:
        raise ValueError(f"Invalid learning rate: {lr}")
    if not 0.0 <= eps:
        raise ValueError(f"Invalid epsilon value: {eps}")
    for index in (0, 1):
        beta = betas[index]
        if isinstance(beta, Tensor) and beta.numel() != 1:
            raise ValueError(f"Tensor betas[{index}] must be 1-element")
        if not 0.0 <= beta < 1.0:
            raise ValueError(f"Invalid beta parameter at index {index}: {beta}")
    if not 0.0 <= weight_decay:
        raise ValueError(f"Invalid weight_decay value: {weight_decay}")
    if fused:
        if differentiable:
            raise RuntimeError("`fused` does not support `differentiable`")
        if foreach:
            raise RuntimeError("`fused` and `foreach` cannot be `True` together.")


class Adam(Optimizer):
    """Adam: per-coordinate steps scaled by running moments of the gradient.

    NOTE: like torch, each parameter's state holds ``step`` as a float32 0-dim tensor
    next to ``exp_avg`` and ``exp_avg_sq`` (and ``max_exp_avg_sq`` with amsgrad).

    >>> w = ember.tensor([1.0], requires_grad=True)
    >>> opt = ember.optim.Adam([w], lr=0.1)
    >>> (w * w).sum().backward(); opt.step(); w
    tensor([0.9000], requires_grad=True)
    """

    def __init__(self, params, lr=1e-3, betas=(0.9, 0.999), eps=1e-8, weight_decay=0,
                 amsgrad=False, *, foreach=None, maximize=False, capturable=False,
                 differentiable=False, fused=None, decoupled_weight_decay=False):
        _check_adam_args(lr, betas, eps, weight_decay, foreach, capturable, differentiable,
                         fused)
        defaults = dict(lr=lr, betas=betas, eps=eps, weight_decay=weight_decay,
                        amsgrad=amsgrad, maximize=maximize, foreach=foreach,
                        capturable=capturable, differentiable=differentiable, fused=fused,
                        decoupled_weight_decay=decoupled_weight_decay)
        super().__init__(params, defaults)

    def __setstate__(self, state):
        super().__setstate__(state)
        for group in self.param_groups:
            group.setdefault("amsgrad", False)
            group.setdefault("maximize", False)
            group.setdefault("foreach", None)
            group.setdefault("capturable", False)
            group.setdefault("differentiable", False)
            group.setdefault("fused", None)
            group.setdefault("decoupled_weight_decay", False)
        for value in self.state.values():
            step = value.get("step") if isinstance(value, dict) else None
            if step is not None and not isinstance(step, Tensor):
                value["step"] = _wrap(np.array(float(step), dtype=np.float32))

    def _init_state(self, p, amsgrad):
        state = self.state[p]
        if len(state) == 0:
            # NOTE: torch keeps ``step`` as a float32 tensor (not a Python int).
            state["step"] = _wrap(np.array(0.0, dtype=np.float32))
            state["exp_avg"] = _wrap(np.zeros_like(p._data), p._device)
            state["exp_avg_sq"] = _wrap(np.zeros_like(p._data), p._device)
            if amsgrad:
                state["max_exp_avg_sq"] = _wrap(np.zeros_like(p._data), p._device)
        return state

    def step(self, closure=None):
        """One update of every parameter that has a gradient; returns closure's loss."""
        loss = self._eval_closure(closure)
        for group in self.param_groups:
            amsgrad = group["amsgrad"]
            params, arrays, grads, exp_avgs, exp_avg_sqs, max_sqs, steps = ([] for _ in range(7))
            for p in group["params"]:
                if p._grad is None:
                    continue
                state = self._init_state(p, amsgrad)
                step_array = state["step"]._data
                step_array += 1          # in place: the state dict sees the new count
                params.append(p)
                arrays.append(p._data)
                grads.append(p._grad._data)
                exp_avgs.append(state["exp_avg"]._data)
                exp_avg_sqs.append(state["exp_avg_sq"]._data)
                max_sqs.append(state["max_exp_avg_sq"]._data if amsgrad else None)
                steps.append(float(step_array))
            if not params:
                continue
            beta1, beta2 = group["betas"]
            F.adam(arrays, grads, exp_avgs, exp_avg_sqs, max_sqs, steps,
                   lr=_float(group["lr"]), beta1=_float(beta1), beta2=_float(beta2),
                   eps=group["eps"], weight_decay=_float(group["weight_decay"]),
                   amsgrad=amsgrad, maximize=group["maximize"],
                   decoupled_weight_decay=group["decoupled_weight_decay"])
            for p in params:
                p._bump_version()
        return loss

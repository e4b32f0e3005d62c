"""Adagrad (``torch.optim.Adagrad``)."""
from . import _functional as F
from . import _state as S

__all__ = ["Adagrad"]


class Adagrad(S.ArrayOptimizer):
    """Per-coordinate steps scaled by the root of all past squared gradients.

    NOTE: like torch, the state (``step`` and ``sum``) of every parameter is created in
    the constructor, so ``state_dict()`` lists parameters that never had a gradient,
    and a parameter's first state uses the optimizer's default
    ``initial_accumulator_value`` (not its group's) when it is made later.

    >>> w = ember.tensor([1.0], requires_grad=True)
    >>> opt = ember.optim.Adagrad([w], lr=0.1)
    >>> (w * w).sum().backward(); opt.step(); w
    tensor([0.9000], requires_grad=True)
    """

    _group_flags = dict(foreach=None, maximize=False, differentiable=False, fused=None)

    def __init__(self, params, lr=1e-2, lr_decay=0, weight_decay=0,
                 initial_accumulator_value=0, eps=1e-10, foreach=None, *, maximize=False,
                 differentiable=False, fused=None):
        S.check_lr(lr)
        S.check_nonnegative(lr_decay=lr_decay, weight_decay=weight_decay,
                            initial_accumulator_value=initial_accumulator_value, eps=eps)
        defaults = dict(lr=lr, lr_decay=lr_decay, eps=eps, weight_decay=weight_decay,
                        initial_accumulator_value=initial_accumulator_value, foreach=foreach,
                        maximize=maximize, differentiable=differentiable, fused=fused)
        super().__init__(params, defaults)
        S.check_fused(fused, foreach, differentiable)
        for group in self.param_groups:
            for p in group["params"]:
                self._init_state(p, group)

    def _init_state(self, p, group):
        state = self.state[p]
        value = self.defaults["initial_accumulator_value"]
        if p.is_complex():
            value = complex(value, value)
        state["step"] = S.step_tensor(device=p._device if group.get("fused") else None)
        state["sum"] = S.full_state(p, value)
        return state

    def share_memory(self):
        """Kept for torch's API: NumPy state is already shared within the process."""

    def _update_group(self, group):
        params, arrays, grads, (sums,), steps = S.gather(
            self, group, ("sum",), "Adagrad", init=lambda state, p: self._init_state(p, group))
        if not params:
            return params
        F.adagrad(arrays, grads, sums, steps, lr=S.as_float(group["lr"]),
                  eps=group["eps"], weight_decay=group["weight_decay"],
                  lr_decay=group["lr_decay"], maximize=group["maximize"])
        return params

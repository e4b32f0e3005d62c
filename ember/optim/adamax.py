"""Adamax (``torch.optim.Adamax``)."""
from . import _functional as F
from . import _state as S
from .optimizer import Optimizer

__all__ = ["Adamax"]


def check_betas(betas):
    for index in (0, 1):
        if not 0.0 <= betas[index] < 1.0:
            raise ValueError(f"Invalid beta parameter at index {index}: {betas[index]}")


class Adamax(Optimizer):
    """Adam with the infinity norm: the step is divided by a decayed max of ``|grad|``.

    State per parameter: ``step`` (float32 0-dim tensor), ``exp_avg``, ``exp_inf``.

    >>> w = ember.tensor([1.0], requires_grad=True)
    >>> opt = ember.optim.Adamax([w], lr=0.1)
    >>> (w * w).sum().backward(); opt.step(); w
    tensor([0.9000], requires_grad=True)
    """

    def __init__(self, params, lr=2e-3, betas=(0.9, 0.999), eps=1e-8, weight_decay=0,
                 foreach=None, *, maximize=False, differentiable=False, capturable=False):
        S.check_lr(lr)
        if not 0.0 <= eps:
            raise ValueError(f"Invalid epsilon value: {eps}")
        check_betas(betas)
        if not 0.0 <= weight_decay:
            raise ValueError(f"Invalid weight_decay value: {weight_decay}")
        defaults = dict(lr=lr, betas=betas, eps=eps, weight_decay=weight_decay,
                        foreach=foreach, maximize=maximize, differentiable=differentiable,
                        capturable=capturable)
        super().__init__(params, defaults)

    def __setstate__(self, state):
        super().__setstate__(state)
        for group in self.param_groups:
            group.setdefault("foreach", None)
            group.setdefault("maximize", False)
            group.setdefault("differentiable", False)
            group.setdefault("capturable", False)
        S.tensorize_scalars(self, ("step",))

    def step(self, closure=None):
        """One update of every parameter that has a gradient; returns closure's loss."""
        loss = self._eval_closure(closure)
        for group in self.param_groups:
            params, arrays, grads, exp_avgs, exp_infs, steps = ([] for _ in range(6))
            for p, grad in S.grads_of(group, "Adamax"):
                state = self.state[p]
                if len(state) == 0:
                    state["step"] = S.step_tensor()
                    state["exp_avg"] = S.zeros_state(p)
                    state["exp_inf"] = S.zeros_state(p)
                state["step"]._data += 1
                params.append(p)
                arrays.append(p._data)
                grads.append(grad)
                exp_avgs.append(state["exp_avg"]._data)
                exp_infs.append(state["exp_inf"]._data)
                steps.append(float(state["step"]._data))
            if not params:
                continue
            beta1, beta2 = group["betas"]
            F.adamax(arrays, grads, exp_avgs, exp_infs, steps, lr=S.as_float(group["lr"]),
                     beta1=beta1, beta2=beta2, eps=group["eps"],
                     weight_decay=group["weight_decay"], maximize=group["maximize"])
            S.bump_versions(params)
        return loss

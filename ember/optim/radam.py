"""RAdam (``torch.optim.RAdam``)."""
from . import _functional as F
from . import _state as S
from .adamax import check_betas
from .optimizer import Optimizer

__all__ = ["RAdam"]


class RAdam(Optimizer):
    """Rectified Adam: momentum SGD until the second-moment estimate is trustworthy,
    then Adam with a variance rectification factor.  ``decoupled_weight_decay=True``
    gives RAdamW.

    >>> w = ember.tensor([1.0], requires_grad=True)
    >>> opt = ember.optim.RAdam([w], lr=0.1)
    >>> (w * w).sum().backward(); opt.step(); w
    tensor([0.8000], requires_grad=True)
    """

    def __init__(self, params, lr=1e-3, betas=(0.9, 0.999), eps=1e-8, weight_decay=0,
                 decoupled_weight_decay=False, *, foreach=None, maximize=False,
                 capturable=False, differentiable=False):
        S.check_lr(lr)
        if not 0.0 <= eps:
            raise ValueError(f"Invalid epsilon value: {eps}")
        check_betas(betas)
        if not 0.0 <= weight_decay:
            raise ValueError(f"Invalid weight_decay value: {weight_decay}")
        defaults = dict(lr=lr, betas=betas, eps=eps, weight_decay=weight_decay,
                        maximize=maximize, foreach=foreach, capturable=capturable,
                        decoupled_weight_decay=decoupled_weight_decay,
                        differentiable=differentiable)
        super().__init__(params, defaults)

    def __setstate__(self, state):
        super().__setstate__(state)
        for group in self.param_groups:
            group.setdefault("foreach", None)
            group.setdefault("maximize", False)
            group.setdefault("differentiable", False)
            group.setdefault("decoupled_weight_decay", False)
            group.setdefault("capturable", False)
        S.tensorize_scalars(self, ("step",))

    def step(self, closure=None):
        """One update of every parameter that has a gradient; returns closure's loss."""
        loss = self._eval_closure(closure)
        for group in self.param_groups:
            params, arrays, grads, exp_avgs, exp_avg_sqs, steps = ([] for _ in range(6))
            for p, grad in S.grads_of(group, "RAdam"):
                state = self.state[p]
                if len(state) == 0:
                    state["step"] = S.step_tensor()
                    state["exp_avg"] = S.zeros_state(p)
                    state["exp_avg_sq"] = S.zeros_state(p)
                state["step"]._data += 1
                params.append(p)
                arrays.append(p._data)
                grads.append(grad)
                exp_avgs.append(state["exp_avg"]._data)
                exp_avg_sqs.append(state["exp_avg_sq"]._data)
                steps.append(float(state["step"]._data))
            if not params:
                continue
            beta1, beta2 = group["betas"]
            F.radam(arrays, grads, exp_avgs, exp_avg_sqs, steps, lr=S.as_float(group["lr"]),
                    beta1=beta1, beta2=beta2, eps=group["eps"],
                    weight_decay=group["weight_decay"],
                    decoupled_weight_decay=group["decoupled_weight_decay"],
                    maximize=group["maximize"])
            S.bump_versions(params)
        return loss

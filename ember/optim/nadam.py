"""NAdam (``torch.optim.NAdam``)."""
from . import _functional as F
from . import _state as S
from .adamax import check_betas
from .optimizer import Optimizer

__all__ = ["NAdam"]


class NAdam(Optimizer):
    """Adam with Nesterov momentum; ``decoupled_weight_decay=True`` gives NAdamW.

    State per parameter: ``step`` and ``mu_product`` (float32 0-dim tensors, as in
    torch), ``exp_avg``, ``exp_avg_sq``.

    >>> w = ember.tensor([1.0], requires_grad=True)
    >>> opt = ember.optim.NAdam([w], lr=0.1)
    >>> (w * w).sum().backward(); opt.step(); list(opt.state[w])
    ['step', 'mu_product', 'exp_avg', 'exp_avg_sq']
    """

    def __init__(self, params, lr=2e-3, betas=(0.9, 0.999), eps=1e-8, weight_decay=0,
                 momentum_decay=4e-3, decoupled_weight_decay=False, *, foreach=None,
                 maximize=False, capturable=False, differentiable=False):
        S.check_lr(lr)
        if not 0.0 <= eps:
            raise ValueError(f"Invalid epsilon value: {eps}")
        check_betas(betas)
        if not 0.0 <= weight_decay:
            raise ValueError(f"Invalid weight_decay value: {weight_decay}")
        if not 0.0 <= momentum_decay:
            raise ValueError(f"Invalid momentum_decay value: {momentum_decay}")
        defaults = dict(lr=lr, betas=betas, eps=eps, weight_decay=weight_decay,
                        momentum_decay=momentum_decay,
                        decoupled_weight_decay=decoupled_weight_decay, maximize=maximize,
                        foreach=foreach, capturable=capturable, differentiable=differentiable)
        super().__init__(params, defaults)

    def __setstate__(self, state):
        super().__setstate__(state)
        for group in self.param_groups:
            group.setdefault("maximize", False)
            group.setdefault("foreach", None)
            group.setdefault("capturable", False)
            group.setdefault("differentiable", False)
            group.setdefault("decoupled_weight_decay", False)
        S.tensorize_scalars(self, ("step", "mu_product"))

    def step(self, closure=None):
        """One update of every parameter that has a gradient; returns closure's loss."""
        loss = self._eval_closure(closure)
        for group in self.param_groups:
            params, arrays, grads, exp_avgs, exp_avg_sqs, mu_products, steps = (
                [] for _ in range(7))
            for p, grad in S.grads_of(group, "NAdam"):
                state = self.state[p]
                if len(state) == 0:
                    state["step"] = S.step_tensor()
                    state["mu_product"] = S.step_tensor(1.0)
                    state["exp_avg"] = S.zeros_state(p)
                    state["exp_avg_sq"] = S.zeros_state(p)
                state["step"]._data += 1
                params.append(p)
                arrays.append(p._data)
                grads.append(grad)
                exp_avgs.append(state["exp_avg"]._data)
                exp_avg_sqs.append(state["exp_avg_sq"]._data)
                mu_products.append(state["mu_product"]._data)
                steps.append(float(state["step"]._data))
            if not params:
                continue
            beta1, beta2 = group["betas"]
            F.nadam(arrays, grads, exp_avgs, exp_avg_sqs, mu_products, steps,
                    lr=S.as_float(group["lr"]), beta1=beta1, beta2=beta2, eps=group["eps"],
                    weight_decay=group["weight_decay"],
                    momentum_decay=group["momentum_decay"],
                    decoupled_weight_decay=group["decoupled_weight_decay"],
                    maximize=group["maximize"])
            S.bump_versions(params)
        return loss

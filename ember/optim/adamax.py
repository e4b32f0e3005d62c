"""Adamax (``torch.optim.Adamax``)."""
from . import _functional as F
from . import _state as S

__all__ = ["Adamax"]

check_betas = S.check_betas     # kept importable from here


class Adamax(S.ArrayOptimizer):
    """Adam with the infinity norm: the step is divided by a decayed max of ``|grad|``.

    State per parameter: ``step`` (float32 0-dim tensor), ``exp_avg``, ``exp_inf``.

    >>> w = ember.tensor([1.0], requires_grad=True)
    >>> opt = ember.optim.Adamax([w], lr=0.1)
    >>> (w * w).sum().backward(); opt.step(); w
    tensor([0.9000], requires_grad=True)
    """

    def __init__(self, params, lr=2e-3, betas=(0.9, 0.999), eps=1e-8, weight_decay=0,
                 foreach=None, *, maximize=False, differentiable=False, capturable=False):
        S.check_moment_args(lr, eps, betas, weight_decay)
        defaults = dict(lr=lr, betas=betas, eps=eps, weight_decay=weight_decay,
                        foreach=foreach, maximize=maximize, differentiable=differentiable,
                        capturable=capturable)
        super().__init__(params, defaults)

    def _update_group(self, group):
        params, arrays, grads, (exp_avgs, exp_infs), steps = S.gather(
            self, group, ("exp_avg", "exp_inf"), "Adamax")
        if not params:
            return params
        beta1, beta2 = group["betas"]
        F.adamax(arrays, grads, exp_avgs, exp_infs, steps, lr=S.as_float(group["lr"]),
                 beta1=beta1, beta2=beta2, eps=group["eps"],
                 weight_decay=group["weight_decay"], maximize=group["maximize"])
        return params

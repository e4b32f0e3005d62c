"""RAdam (``torch.optim.RAdam``)."""
from . import _functional as F
from . import _state as S

__all__ = ["RAdam"]


class RAdam(S.ArrayOptimizer):
    """Rectified Adam: momentum SGD until the second-moment estimate is trustworthy,
    then Adam with a variance rectification factor.  ``decoupled_weight_decay=True``
    gives RAdamW.

    >>> w = ember.tensor([1.0], requires_grad=True)
    >>> opt = ember.optim.RAdam([w], lr=0.1)
    >>> (w * w).sum().backward(); opt.step(); w
    tensor([0.8000], requires_grad=True)
    """

    _group_flags = dict(foreach=None, maximize=False, differentiable=False,
                        decoupled_weight_decay=False, capturable=False)

    def __init__(self, params, lr=1e-3, betas=(0.9, 0.999), eps=1e-8, weight_decay=0,
                 decoupled_weight_decay=False, *, foreach=None, maximize=False,
                 capturable=False, differentiable=False):
        S.check_moment_args(lr, eps, betas, weight_decay)
        defaults = dict(lr=lr, betas=betas, eps=eps, weight_decay=weight_decay,
                        maximize=maximize, foreach=foreach, capturable=capturable,
                        decoupled_weight_decay=decoupled_weight_decay,
                        differentiable=differentiable)
        super().__init__(params, defaults)

    def _update_group(self, group):
        params, arrays, grads, (exp_avgs, exp_avg_sqs), steps = S.gather(
            self, group, ("exp_avg", "exp_avg_sq"), "RAdam")
        if not params:
            return params
        beta1, beta2 = group["betas"]
        F.radam(arrays, grads, exp_avgs, exp_avg_sqs, steps, lr=S.as_float(group["lr"]),
                beta1=beta1, beta2=beta2, eps=group["eps"],
                weight_decay=group["weight_decay"],
                decoupled_weight_decay=group["decoupled_weight_decay"],
                maximize=group["maximize"])
        return params

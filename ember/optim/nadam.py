"""NAdam (``torch.optim.NAdam``)."""
from . import _functional as F
from . import _state as S

__all__ = ["NAdam"]


class NAdam(S.ArrayOptimizer):
    """Adam with Nesterov momentum; ``decoupled_weight_decay=True`` gives NAdamW.

    State per parameter: ``step`` and ``mu_product`` (float32 0-dim tensors, as in
    torch), ``exp_avg``, ``exp_avg_sq``.

    >>> w = ember.tensor([1.0], requires_grad=True)
    >>> opt = ember.optim.NAdam([w], lr=0.1)
    >>> (w * w).sum().backward(); opt.step(); list(opt.state[w])
    ['step', 'mu_product', 'exp_avg', 'exp_avg_sq']
    """

    _group_flags = dict(maximize=False, foreach=None, capturable=False,
                        differentiable=False, decoupled_weight_decay=False)
    _counters = ("step", "mu_product")

    def __init__(self, params, lr=2e-3, betas=(0.9, 0.999), eps=1e-8, weight_decay=0,
                 momentum_decay=4e-3, decoupled_weight_decay=False, *, foreach=None,
                 maximize=False, capturable=False, differentiable=False):
        S.check_moment_args(lr, eps, betas, weight_decay)
        S.check_nonnegative(momentum_decay=momentum_decay)
        defaults = dict(lr=lr, betas=betas, eps=eps, weight_decay=weight_decay,
                        momentum_decay=momentum_decay,
                        decoupled_weight_decay=decoupled_weight_decay, maximize=maximize,
                        foreach=foreach, capturable=capturable, differentiable=differentiable)
        super().__init__(params, defaults)

    def _update_group(self, group):
        moments = ("exp_avg", "exp_avg_sq")
        params, arrays, grads, (exp_avgs, exp_avg_sqs, mu_products), steps = S.gather(
            self, group, moments + ("mu_product",), "NAdam",
            init=lambda state, p: S.new_state(state, p, moments, S.counters_on_device(group),
                                              mu_product=1.0))
        if not params:
            return params
        beta1, beta2 = group["betas"]
        F.nadam(arrays, grads, exp_avgs, exp_avg_sqs, mu_products, steps,
                lr=S.as_float(group["lr"]), beta1=beta1, beta2=beta2, eps=group["eps"],
                weight_decay=group["weight_decay"],
                momentum_decay=group["momentum_decay"],
                decoupled_weight_decay=group["decoupled_weight_decay"],
                maximize=group["maximize"])
        return params

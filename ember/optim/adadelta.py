"""Adadelta (``torch.optim.Adadelta``)."""
from . import _functional as F
from . import _state as S

__all__ = ["Adadelta"]


class Adadelta(S.ArrayOptimizer):
    """Steps whose scale comes from running RMS values of past gradients and updates.

    State per parameter: ``step`` (float32 0-dim tensor), ``square_avg``, ``acc_delta``.

    >>> w = ember.tensor([1.0], requires_grad=True)
    >>> opt = ember.optim.Adadelta([w])
    >>> opt.defaults['lr'], opt.defaults['rho']
    (1.0, 0.9)
    """

    def __init__(self, params, lr=1.0, rho=0.9, eps=1e-6, weight_decay=0, foreach=None, *,
                 capturable=False, maximize=False, differentiable=False):
        S.check_lr(lr)
        if not 0.0 <= rho <= 1.0:
            raise ValueError(f"Invalid rho value: {rho}")
        S.check_nonnegative(eps=eps, weight_decay=weight_decay)
        defaults = dict(lr=lr, rho=rho, eps=eps, weight_decay=weight_decay,
                        maximize=maximize, capturable=capturable, foreach=foreach,
                        differentiable=differentiable)
        super().__init__(params, defaults)

    def _update_group(self, group):
        params, arrays, grads, (square_avgs, acc_deltas), _ = S.gather(
            self, group, ("square_avg", "acc_delta"), "Adadelta")
        if not params:
            return params
        F.adadelta(arrays, grads, square_avgs, acc_deltas, lr=S.as_float(group["lr"]),
                   rho=group["rho"], eps=group["eps"], weight_decay=group["weight_decay"],
                   maximize=group["maximize"])
        return params

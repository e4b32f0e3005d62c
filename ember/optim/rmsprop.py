"""RMSprop (``torch.optim.RMSprop``)."""
from . import _functional as F
from . import _state as S

__all__ = ["RMSprop"]


class RMSprop(S.ArrayOptimizer):
    """Divide each gradient by a running root-mean-square of its recent values.

    ``centered`` subtracts the squared running mean of the gradient (a variance
    estimate); ``momentum`` adds a buffer of past scaled steps.  State per parameter:
    ``step`` (float32 0-dim tensor), ``square_avg``, then ``momentum_buffer`` and
    ``grad_avg`` when those options are on.

    >>> w = ember.tensor([1.0], requires_grad=True)
    >>> opt = ember.optim.RMSprop([w], lr=0.01)
    >>> (w * w).sum().backward(); opt.step(); w
    tensor([0.9000], requires_grad=True)
    """

    _group_flags = dict(momentum=0, centered=False, foreach=None, maximize=False,
                        differentiable=False, capturable=False)

    def __init__(self, params, lr=1e-2, alpha=0.99, eps=1e-8, weight_decay=0, momentum=0,
                 centered=False, capturable=False, foreach=None, maximize=False,
                 differentiable=False):
        S.check_lr(lr)
        S.check_nonnegative(eps=eps, momentum=momentum, weight_decay=weight_decay,
                            alpha=alpha)
        defaults = dict(lr=lr, momentum=momentum, alpha=alpha, eps=eps, centered=centered,
                        weight_decay=weight_decay, capturable=capturable, foreach=foreach,
                        maximize=maximize, differentiable=differentiable)
        super().__init__(params, defaults)

    def _update_group(self, group):
        momentum, centered = group["momentum"], group["centered"]
        # Optional buffers are named only when their option is on (None otherwise).
        buffer_name = "momentum_buffer" if momentum > 0 else None
        grad_avg_name = "grad_avg" if centered else None
        zeros = ("square_avg", buffer_name, grad_avg_name)     # torch's state key order
        params, arrays, grads, (square_avgs, grad_avgs, buffers), _ = S.gather(
            self, group, ("square_avg", grad_avg_name, buffer_name), "RMSprop",
            init=lambda state, p: S.new_state(state, p, zeros, S.counters_on_device(group)))
        if not params:
            return params
        F.rmsprop(arrays, grads, square_avgs, grad_avgs, buffers,
                  lr=S.as_float(group["lr"]), alpha=group["alpha"], eps=group["eps"],
                  weight_decay=group["weight_decay"], momentum=momentum,
                  centered=centered, maximize=group["maximize"])
        return params

"""ASGD: averaged stochastic gradient descent (``torch.optim.ASGD``)."""
from . import _functional as F
from . import _state as S

__all__ = ["ASGD"]


class ASGD(S.ArrayOptimizer):
    """SGD with a decaying rate ``eta`` whose iterates are averaged (in ``ax``) from
    step ``t0`` on; the parameters themselves follow plain decayed SGD.

    State per parameter: ``step``, ``eta``, ``mu`` (float32 0-dim tensors) and ``ax``.

    >>> w = ember.tensor([1.0], requires_grad=True)
    >>> opt = ember.optim.ASGD([w], lr=0.1)
    >>> (w * w).sum().backward(); opt.step(); list(opt.state[w])
    ['step', 'eta', 'mu', 'ax']
    """

    _counters = ("step", "eta", "mu")

    def __init__(self, params, lr=1e-2, lambd=1e-4, alpha=0.75, t0=1e6, weight_decay=0,
                 foreach=None, maximize=False, differentiable=False, capturable=False):
        S.check_lr(lr)
        S.check_nonnegative(weight_decay=weight_decay)
        defaults = dict(lr=lr, lambd=lambd, alpha=alpha, t0=t0, weight_decay=weight_decay,
                        foreach=foreach, maximize=maximize, differentiable=differentiable,
                        capturable=capturable)
        super().__init__(params, defaults)

    def _update_group(self, group):
        lr = S.as_float(group["lr"])
        params, arrays, grads, (axs, mus, etas), steps = S.gather(
            self, group, ("ax", "mu", "eta"), "ASGD",
            # NOTE: unlike the other optimizers, torch keeps ASGD's counters on the
            # parameter's device (a cuda parameter has cuda ``step``/``eta``/``mu``).
            init=lambda state, p: S.new_state(state, p, ("ax",), True, eta=lr, mu=1.0))
        if not params:
            return params
        F.asgd(arrays, grads, axs, mus, etas, steps, lr=lr, lambd=group["lambd"],
               alpha=group["alpha"], t0=group["t0"], weight_decay=group["weight_decay"],
               maximize=group["maximize"])
        return params

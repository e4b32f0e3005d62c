"""Rprop: resilient backpropagation (``torch.optim.Rprop``)."""
from . import _functional as F
from . import _state as S

__all__ = ["Rprop"]


def _init_state(state, p, group):
    """``step``, a zero ``prev`` and a ``step_size`` filled with the group's lr."""
    lr = S.as_float(group["lr"])
    S.new_state(state, p, ("prev",), S.counters_on_device(group))
    state["step_size"] = S.full_state(p, complex(lr, lr) if p.is_complex() else lr)


class Rprop(S.ArrayOptimizer):
    """Steps of a per-coordinate size that grows while the gradient's sign holds and
    shrinks when it flips; only the sign of the gradient is used.

    State per parameter: ``step`` (float32 0-dim tensor), ``prev`` (the last gradient
    used) and ``step_size`` (starting at ``lr``).

    >>> w = ember.tensor([1.0], requires_grad=True)
    >>> opt = ember.optim.Rprop([w], lr=0.1)
    >>> (w * w).sum().backward(); opt.step(); w
    tensor([0.9000], requires_grad=True)
    """

    def __init__(self, params, lr=1e-2, etas=(0.5, 1.2), step_sizes=(1e-6, 50), *,
                 capturable=False, foreach=None, maximize=False, differentiable=False):
        S.check_lr(lr)
        if not 0.0 < etas[0] < 1.0 < etas[1]:
            raise ValueError(f"Invalid eta values: {etas[0]}, {etas[1]}")
        defaults = dict(lr=lr, etas=etas, step_sizes=step_sizes, foreach=foreach,
                        maximize=maximize, differentiable=differentiable,
                        capturable=capturable)
        super().__init__(params, defaults)

    def _update_group(self, group):
        params, arrays, grads, (prevs, step_sizes), _ = S.gather(
            self, group, ("prev", "step_size"), "Rprop",
            init=lambda state, p: _init_state(state, p, group))
        if not params:
            return params
        etaminus, etaplus = group["etas"]
        step_size_min, step_size_max = group["step_sizes"]
        F.rprop(arrays, grads, prevs, step_sizes, step_size_min=step_size_min,
                step_size_max=step_size_max, etaminus=etaminus, etaplus=etaplus,
                maximize=group["maximize"])
        return params

"""Rprop: resilient backpropagation (``torch.optim.Rprop``)."""
from . import _functional as F
from . import _state as S
from .optimizer import Optimizer

__all__ = ["Rprop"]


class Rprop(Optimizer):
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
            params, arrays, grads, prevs, step_sizes = ([] for _ in range(5))
            for p, grad in S.grads_of(group, "Rprop"):
                state = self.state[p]
                if len(state) == 0:
                    lr = S.as_float(group["lr"])
                    state["step"] = S.step_tensor()
                    state["prev"] = S.zeros_state(p)
                    state["step_size"] = S.full_state(
                        p, complex(lr, lr) if p.is_complex() else lr)
                state["step"]._data += 1
                params.append(p)
                arrays.append(p._data)
                grads.append(grad)
                prevs.append(state["prev"]._data)
                step_sizes.append(state["step_size"]._data)
            if not params:
                continue
            etaminus, etaplus = group["etas"]
            step_size_min, step_size_max = group["step_sizes"]
            F.rprop(arrays, grads, prevs, step_sizes, step_size_min=step_size_min,
                    step_size_max=step_size_max, etaminus=etaminus, etaplus=etaplus,
                    maximize=group["maximize"])
            S.bump_versions(params)
        return loss

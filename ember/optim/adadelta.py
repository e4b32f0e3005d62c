"""Adadelta (``torch.optim.Adadelta``)."""
from . import _functional as F
from . import _state as S
from .optimizer import Optimizer

__all__ = ["Adadelta"]


class Adadelta(Optimizer):
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
        if not 0.0 <= eps:
            raise ValueError(f"Invalid epsilon value: {eps}")
        if not 0.0 <= weight_decay:
            raise ValueError(f"Invalid weight_decay value: {weight_decay}")
        defaults = dict(lr=lr, rho=rho, eps=eps, weight_decay=weight_decay,
                        maximize=maximize, capturable=capturable, foreach=foreach,
                        differentiable=differentiable)
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
            params, arrays, grads, square_avgs, acc_deltas = ([] for _ in range(5))
            for p, grad in S.grads_of(group, "Adadelta"):
                state = self.state[p]
                if len(state) == 0:
                    state["step"] = S.step_tensor()
                    state["square_avg"] = S.zeros_state(p)
                    state["acc_delta"] = S.zeros_state(p)
                state["step"]._data += 1
                params.append(p)
                arrays.append(p._data)
                grads.append(grad)
                square_avgs.append(state["square_avg"]._data)
                acc_deltas.append(state["acc_delta"]._data)
            if not params:
                continue
            F.adadelta(arrays, grads, square_avgs, acc_deltas, lr=S.as_float(group["lr"]),
                       rho=group["rho"], eps=group["eps"], weight_decay=group["weight_decay"],
                       maximize=group["maximize"])
            S.bump_versions(params)
        return loss

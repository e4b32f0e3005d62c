"""RMSprop (``torch.optim.RMSprop``)."""
from . import _functional as F
from . import _state as S
from .optimizer import Optimizer

__all__ = ["RMSprop"]


class RMSprop(Optimizer):
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

    def __init__(self, params, lr=1e-2, alpha=0.99, eps=1e-8, weight_decay=0, momentum=0,
                 centered=False, capturable=False, foreach=None, maximize=False,
                 differentiable=False):
        S.check_lr(lr)
        if not 0.0 <= eps:
            raise ValueError(f"Invalid epsilon value: {eps}")
        if not 0.0 <= momentum:
            raise ValueError(f"Invalid momentum value: {momentum}")
        if not 0.0 <= weight_decay:
            raise ValueError(f"Invalid weight_decay value: {weight_decay}")
        if not 0.0 <= alpha:
            raise ValueError(f"Invalid alpha value: {alpha}")
        defaults = dict(lr=lr, momentum=momentum, alpha=alpha, eps=eps, centered=centered,
                        weight_decay=weight_decay, capturable=capturable, foreach=foreach,
                        maximize=maximize, differentiable=differentiable)
        super().__init__(params, defaults)

    def __setstate__(self, state):
        super().__setstate__(state)
        for group in self.param_groups:
            group.setdefault("momentum", 0)
            group.setdefault("centered", False)
            group.setdefault("foreach", None)
            group.setdefault("maximize", False)
            group.setdefault("differentiable", False)
            group.setdefault("capturable", False)
        S.tensorize_scalars(self, ("step",))

    def step(self, closure=None):
        """One update of every parameter that has a gradient; returns closure's loss."""
        loss = self._eval_closure(closure)
        for group in self.param_groups:
            momentum, centered = group["momentum"], group["centered"]
            params, arrays, grads, square_avgs, grad_avgs, buffers = ([] for _ in range(6))
            for p, grad in S.grads_of(group, "RMSprop"):
                state = self.state[p]
                if len(state) == 0:
                    state["step"] = S.step_tensor()
                    state["square_avg"] = S.zeros_state(p)
                    if momentum > 0:
                        state["momentum_buffer"] = S.zeros_state(p)
                    if centered:
                        state["grad_avg"] = S.zeros_state(p)
                state["step"]._data += 1
                params.append(p)
                arrays.append(p._data)
                grads.append(grad)
                square_avgs.append(state["square_avg"]._data)
                buffers.append(state["momentum_buffer"]._data if momentum > 0 else None)
                grad_avgs.append(state["grad_avg"]._data if centered else None)
            if not params:
                continue
            F.rmsprop(arrays, grads, square_avgs, grad_avgs, buffers,
                      lr=S.as_float(group["lr"]), alpha=group["alpha"], eps=group["eps"],
                      weight_decay=group["weight_decay"], momentum=momentum,
                      centered=centered, maximize=group["maximize"])
            S.bump_versions(params)
        return loss

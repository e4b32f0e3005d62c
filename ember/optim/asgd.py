"""ASGD: averaged stochastic gradient descent (``torch.optim.ASGD``)."""
from . import _functional as F
from . import _state as S
from .optimizer import Optimizer

__all__ = ["ASGD"]


class ASGD(Optimizer):
    """SGD with a decaying rate ``eta`` whose iterates are averaged (in ``ax``) from
    step ``t0`` on; the parameters themselves follow plain decayed SGD.

    State per parameter: ``step``, ``eta``, ``mu`` (float32 0-dim tensors) and ``ax``.

    >>> w = ember.tensor([1.0], requires_grad=True)
    >>> opt = ember.optim.ASGD([w], lr=0.1)
    >>> (w * w).sum().backward(); opt.step(); list(opt.state[w])
    ['step', 'eta', 'mu', 'ax']
    """

    def __init__(self, params, lr=1e-2, lambd=1e-4, alpha=0.75, t0=1e6, weight_decay=0,
                 foreach=None, maximize=False, differentiable=False, capturable=False):
        S.check_lr(lr)
        if not 0.0 <= weight_decay:
            raise ValueError(f"Invalid weight_decay value: {weight_decay}")
        defaults = dict(lr=lr, lambd=lambd, alpha=alpha, t0=t0, weight_decay=weight_decay,
                        foreach=foreach, maximize=maximize, differentiable=differentiable,
                        capturable=capturable)
        super().__init__(params, defaults)

    def __setstate__(self, state):
        super().__setstate__(state)
        for group in self.param_groups:
            group.setdefault("foreach", None)
            group.setdefault("maximize", False)
            group.setdefault("differentiable", False)
            group.setdefault("capturable", False)
        S.tensorize_scalars(self, ("step", "eta", "mu"))

    def step(self, closure=None):
        """One update of every parameter that has a gradient; returns closure's loss."""
        loss = self._eval_closure(closure)
        for group in self.param_groups:
            lr = S.as_float(group["lr"])
            params, arrays, grads, axs, mus, etas, steps = ([] for _ in range(7))
            for p, grad in S.grads_of(group, "ASGD"):
                state = self.state[p]
                if len(state) == 0:
                    state["step"] = S.step_tensor()
                    state["eta"] = S.step_tensor(lr)
                    state["mu"] = S.step_tensor(1.0)
                    state["ax"] = S.zeros_state(p)
                state["step"]._data += 1
                params.append(p)
                arrays.append(p._data)
                grads.append(grad)
                axs.append(state["ax"]._data)
                mus.append(state["mu"]._data)
                etas.append(state["eta"]._data)
                steps.append(float(state["step"]._data))
            if not params:
                continue
            F.asgd(arrays, grads, axs, mus, etas, steps, lr=lr, lambd=group["lambd"],
                   alpha=group["alpha"], t0=group["t0"], weight_decay=group["weight_decay"],
                   maximize=group["maximize"])
            S.bump_versions(params)
        return loss

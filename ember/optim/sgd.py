"""SGD: stochastic gradient descent with momentum (``torch.optim.SGD``)."""
from .._tensor import Tensor, _wrap
from . import _functional as F
from .optimizer import Optimizer

__all__ = ["SGD"]


def _float(value):
    """A hyperparameter as a Python float (a 1-element tensor lr is allowed)."""
    return float(value.item()) if isinstance(value, Tensor) else value


class SGD(Optimizer):
    """Stochastic gradient descent, optionally with (Nesterov) momentum.

    >>> w = ember.tensor([1.0], requires_grad=True)
    >>> opt = ember.optim.SGD([w], lr=0.1, momentum=0.9)
    >>> (w * w).sum().backward(); opt.step(); w
    tensor([0.8000], requires_grad=True)
    """

    def __init__(self, params, lr=1e-3, momentum=0, dampening=0, weight_decay=0,
                 nesterov=False, *, maximize=False, foreach=None, differentiable=False,
                 fused=None):
        if isinstance(lr, Tensor) and lr.numel() != 1:
            raise ValueError("Tensor lr must be 1-element")
        if lr < 0.0:
            raise ValueError(f"Invalid learning rate: {lr}")
        if momentum < 0.0:
            raise ValueError(f"Invalid momentum value: {momentum}")
        if weight_decay < 0.0:
            raise ValueError(f"Invalid weight_decay value: {weight_decay}")
        if nesterov and (momentum <= 0 or dampening != 0):
            raise ValueError("Nesterov momentum requires a momentum and zero dampening")
        if fused and differentiable:
            raise RuntimeError("`fused` does not support `differentiable`")
        if fused and foreach:
            raise RuntimeError("`fused` and `foreach` cannot be `True` together.")
        defaults = dict(lr=lr, momentum=momentum, dampening=dampening,
                        weight_decay=weight_decay, nesterov=nesterov, maximize=maximize,
                        foreach=foreach, differentiable=differentiable, fused=fused)
        super().__init__(params, defaults)

    def __setstate__(self, state):
        super().__setstate__(state)
        for group in self.param_groups:
            group.setdefault("nesterov", False)
            group.setdefault("maximize", False)
            group.setdefault("foreach", None)
            group.setdefault("differentiable", False)
            group.setdefault("fused", False)

    def step(self, closure=None):
        """One update of every parameter that has a gradient; returns closure's loss."""
        loss = self._eval_closure(closure)
        for group in self.param_groups:
            params, arrays, grads, buffers = [], [], [], []
            momentum = group["momentum"]
            for p in group["params"]:
                if p._grad is None:
                    continue
                params.append(p)
                arrays.append(p._data)
                grads.append(p._grad._data)
                if momentum != 0:
                    buf = self.state[p].get("momentum_buffer")
                    buffers.append(None if buf is None else buf._data)
                else:
                    buffers.append(None)
            if not params:
                continue
            F.sgd(arrays, grads, buffers, lr=_float(group["lr"]),
                  weight_decay=_float(group["weight_decay"]), momentum=momentum,
                  dampening=group["dampening"], nesterov=group["nesterov"],
                  maximize=group["maximize"])
            for p, buf in zip(params, buffers):
                p._bump_version()   # an in-place update, as torch's add_ records
                if momentum != 0:
                    state = self.state[p]
                    held = state.get("momentum_buffer")
                    if held is None or held._data is not buf:
                        state["momentum_buffer"] = _wrap(buf, p._device)
        return loss

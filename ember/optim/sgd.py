"""SGD: stochastic gradient descent with momentum (``torch.optim.SGD``)."""
from .._tensor import Tensor, _wrap
from . import _functional as F
from . import _state as S

__all__ = ["SGD"]


class SGD(S.ArrayOptimizer):
    """Stochastic gradient descent, optionally with (Nesterov) momentum.

    >>> w = ember.tensor([1.0], requires_grad=True)
    >>> opt = ember.optim.SGD([w], lr=0.1, momentum=0.9)
    >>> (w * w).sum().backward(); opt.step(); w
    tensor([0.8000], requires_grad=True)
    """

    _group_flags = dict(nesterov=False, maximize=False, foreach=None, differentiable=False,
                        fused=False)
    _counters = ()

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
        S.check_fused(fused, foreach, differentiable)
        defaults = dict(lr=lr, momentum=momentum, dampening=dampening,
                        weight_decay=weight_decay, nesterov=nesterov, maximize=maximize,
                        foreach=foreach, differentiable=differentiable, fused=fused)
        super().__init__(params, defaults)

    def _update_group(self, group):
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
            return params
        F.sgd(arrays, grads, buffers, lr=S.as_float(group["lr"]),
              weight_decay=S.as_float(group["weight_decay"]), momentum=momentum,
              dampening=group["dampening"], nesterov=group["nesterov"],
              maximize=group["maximize"])
        if momentum != 0:
            # F.sgd made the buffers of first steps: keep them in the state.
            for p, buf in zip(params, buffers):
                state = self.state[p]
                held = state.get("momentum_buffer")
                if held is None or held._data is not buf:
                    state["momentum_buffer"] = _wrap(buf, p._device)
        return params

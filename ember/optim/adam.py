"""Adam (``torch.optim.Adam``); AdamW is the same update with decoupled weight decay."""
from .._tensor import Tensor
from . import _functional as F
from . import _state as S

__all__ = ["Adam"]


def _check_adam_args(lr, betas, eps, weight_decay, foreach, capturable, differentiable, fused):
    if isinstance(lr, Tensor) and foreach and not capturable:
        raise ValueError("lr as a Tensor is not supported for capturable=False and "
                         "foreach=True")
    S.check_moment_args(lr, eps, betas, weight_decay, tensor_betas=True)
    S.check_fused(fused, foreach, differentiable)


class Adam(S.ArrayOptimizer):
    """Adam: per-coordinate steps scaled by running moments of the gradient.

    NOTE: like torch, each parameter's state holds ``step`` as a float32 0-dim tensor
    next to ``exp_avg`` and ``exp_avg_sq`` (and ``max_exp_avg_sq`` with amsgrad).

    >>> w = ember.tensor([1.0], requires_grad=True)
    >>> opt = ember.optim.Adam([w], lr=0.1)
    >>> (w * w).sum().backward(); opt.step(); w
    tensor([0.9000], requires_grad=True)
    """

    _group_flags = dict(amsgrad=False, maximize=False, foreach=None, capturable=False,
                        differentiable=False, fused=None, decoupled_weight_decay=False)

    def __init__(self, params, lr=1e-3, betas=(0.9, 0.999), eps=1e-8, weight_decay=0,
                 amsgrad=False, *, foreach=None, maximize=False, capturable=False,
                 differentiable=False, fused=None, decoupled_weight_decay=False):
        _check_adam_args(lr, betas, eps, weight_decay, foreach, capturable, differentiable,
                         fused)
        defaults = dict(lr=lr, betas=betas, eps=eps, weight_decay=weight_decay,
                        amsgrad=amsgrad, maximize=maximize, foreach=foreach,
                        capturable=capturable, differentiable=differentiable, fused=fused,
                        decoupled_weight_decay=decoupled_weight_decay)
        super().__init__(params, defaults)

    def _update_group(self, group):
        amsgrad = group["amsgrad"]
        # NOTE: torch keeps ``step`` as a float32 tensor (not a Python int).
        buffers = ("exp_avg", "exp_avg_sq", "max_exp_avg_sq" if amsgrad else None)
        params, arrays, grads, (exp_avgs, exp_avg_sqs, max_sqs), steps = S.gather(
            self, group, buffers)
        if not params:
            return params
        beta1, beta2 = group["betas"]
        F.adam(arrays, grads, exp_avgs, exp_avg_sqs, max_sqs, steps,
               lr=S.as_float(group["lr"]), beta1=S.as_float(beta1),
               beta2=S.as_float(beta2), eps=group["eps"],
               weight_decay=S.as_float(group["weight_decay"]),
               amsgrad=amsgrad, maximize=group["maximize"],
               decoupled_weight_decay=group["decoupled_weight_decay"])
        return params

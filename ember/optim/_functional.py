"""Pure update rules of the optimizers, on NumPy arrays, in place.

Each function takes lists of parameter arrays, gradient arrays and state arrays and
updates the parameters and state in place; hyperparameters are keyword-only Python
floats.  They never touch autograd: the optimizer classes call them on ``p._data``
with the gradients' arrays, which is the same arithmetic torch runs under no_grad,
without building graph nodes or wrapping intermediate tensors.

The arithmetic stays in the parameters' dtype: Python-float scalars do not promote a
float32 array, and the temporaries are written into one scratch array per parameter
(``out=``) so that a step allocates little.
"""
import math

import numpy as np

__all__ = ["sgd", "adam", "adamw"]


def sgd(params, grads, momentum_buffers, *, lr, weight_decay=0.0, momentum=0.0,
        dampening=0.0, nesterov=False, maximize=False):
    """SGD with optional momentum, Nesterov momentum and L2 weight decay.

    ``momentum_buffers[i]`` is None before the first step with momentum; it is filled
    with a copy of the first (decayed) gradient, as in torch.

    >>> p, g = np.ones(2), np.full(2, 0.5)
    >>> sgd([p], [g], [None], lr=0.1); p
    array([0.95, 0.95])
    """
    for i, (param, grad) in enumerate(zip(params, grads)):
        if maximize:
            grad = np.negative(grad)
        if weight_decay != 0:
            grad = grad + param * weight_decay   # a new array: the caller's grad stays as is
        if momentum != 0:
            buf = momentum_buffers[i]
            if buf is None:
                buf = momentum_buffers[i] = np.array(grad, copy=True)
            else:
                np.multiply(buf, momentum, out=buf)
                if dampening == 0:
                    np.add(buf, grad, out=buf)
                else:
                    buf += grad * (1 - dampening)
            if nesterov:
                grad = grad + buf * momentum
            else:
                grad = buf
        # p -= lr * grad, without touching ``grad`` (it may be the momentum buffer).
        param -= grad * lr


def adam(params, grads, exp_avgs, exp_avg_sqs, max_exp_avg_sqs, steps, *, lr, beta1, beta2,
         eps, weight_decay=0.0, amsgrad=False, maximize=False, decoupled_weight_decay=False):
    """Adam (and AdamW when ``decoupled_weight_decay``) on arrays, in place.

    ``steps`` are the per-parameter step counts *after* this step (1 on the first).
    ``max_exp_avg_sqs`` is only read when ``amsgrad`` is set.

    >>> p, g = np.ones(2), np.full(2, 0.5)
    >>> m, v = np.zeros(2), np.zeros(2)
    >>> adam([p], [g], [m], [v], [None], [1], lr=0.1, beta1=0.9, beta2=0.999, eps=1e-8)
    >>> p.round(6)
    array([0.9, 0.9])
    """
    for i, (param, grad) in enumerate(zip(params, grads)):
        exp_avg, exp_avg_sq = exp_avgs[i], exp_avg_sqs[i]
        step = steps[i]
        if maximize:
            grad = np.negative(grad)
        if weight_decay != 0:
            if decoupled_weight_decay:
                np.multiply(param, 1 - lr * weight_decay, out=param)
            else:
                grad = grad + param * weight_decay
        scratch = np.subtract(grad, exp_avg)
        # exp_avg += (1 - beta1) * (grad - exp_avg): torch's lerp towards the gradient.
        np.multiply(scratch, 1 - beta1, out=scratch)
        np.add(exp_avg, scratch, out=exp_avg)
        # exp_avg_sq = beta2 * exp_avg_sq + (1 - beta2) * grad**2
        np.multiply(exp_avg_sq, beta2, out=exp_avg_sq)
        np.multiply(grad, grad, out=scratch)
        np.multiply(scratch, 1 - beta2, out=scratch)
        np.add(exp_avg_sq, scratch, out=exp_avg_sq)

        bias_correction1 = 1 - beta1 ** step
        bias_correction2_sqrt = math.sqrt(1 - beta2 ** step)
        second = exp_avg_sq
        if amsgrad:
            second = max_exp_avg_sqs[i]
            np.maximum(second, exp_avg_sq, out=second)
        # p -= lr / bc1 * m / (sqrt(v) / sqrt(bc2) + eps), with sqrt(bc2) multiplied
        # through to save a pass: p -= (lr / bc1 * sqrt(bc2)) * m / (sqrt(v) + eps * sqrt(bc2))
        np.sqrt(second, out=scratch)
        np.add(scratch, eps * bias_correction2_sqrt, out=scratch)
        np.divide(exp_avg, scratch, out=scratch)
        np.multiply(scratch, lr / bias_correction1 * bias_correction2_sqrt, out=scratch)
        np.subtract(param, scratch, out=param)


def adamw(params, grads, exp_avgs, exp_avg_sqs, max_exp_avg_sqs, steps, **kwargs):
    """AdamW: Adam with weight decay applied to the parameters (``p *= 1 - lr * wd``)."""
    kwargs["decoupled_weight_decay"] = True
    adam(params, grads, exp_avgs, exp_avg_sqs, max_exp_avg_sqs, steps, **kwargs)

"""Pure update rules of the optimizers, on NumPy (or CuPy) arrays, in place.

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

from .._device import array_like, as_array, xp_of

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
                buf = momentum_buffers[i] = as_array(grad).copy()   # NumPy or CuPy
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


# -- the remaining optimizers (RMSprop ... Rprop) -------------------------------------
#
# Complex parameters are updated as their real view (real and imaginary parts are two
# independent coordinates), as torch does with ``view_as_real``.

__all__ += ["rmsprop", "adagrad", "adadelta", "adamax", "nadam", "radam", "asgd", "rprop",
            "sparse_adam"]


def _real(arr):
    """``arr`` itself, or its float view when complex (a view: writes reach ``arr``)."""
    if arr is None or not np.iscomplexobj(arr):
        return arr
    return arr.view(arr.real.dtype)


def _signed_grad(grad, maximize, weight_decay, param, decoupled_lr=None):
    """The gradient the update sees: negated for ``maximize``, plus the L2 term.

    With ``decoupled_lr`` (AdamW-style decay) the gradient gets no L2 term; ``param``
    is shrunk in place by ``1 - decoupled_lr * weight_decay`` instead.
    """
    if maximize:
        grad = np.negative(grad)
    if weight_decay != 0:
        if decoupled_lr is not None:
            np.multiply(param, 1 - decoupled_lr * weight_decay, out=param)
        else:
            grad = grad + param * weight_decay
    return grad


def _update_moments(exp_avg, exp_avg_sq, grad, beta1, beta2):
    """Adam's moments in place: ``exp_avg`` lerps towards ``grad`` by ``1 - beta1``;
    ``exp_avg_sq = beta2 * exp_avg_sq + (1 - beta2) * grad**2``."""
    exp_avg += (grad - exp_avg) * (1 - beta1)
    np.multiply(exp_avg_sq, beta2, out=exp_avg_sq)
    exp_avg_sq += grad * grad * (1 - beta2)


def rmsprop(params, grads, square_avgs, grad_avgs, momentum_buffers, *, lr, alpha, eps,
            weight_decay=0.0, momentum=0.0, centered=False, maximize=False):
    """RMSprop: divide the gradient by a running RMS of its recent magnitudes.

    ``grad_avgs`` are read with ``centered`` (the variance replaces the raw second
    moment) and ``momentum_buffers`` when ``momentum > 0``; others may hold None.

    >>> p, g, v = np.ones(2), np.full(2, 0.5), np.zeros(2)
    >>> rmsprop([p], [g], [v], [None], [None], lr=0.01, alpha=0.99, eps=1e-8)
    >>> p.round(4)
    array([0.9, 0.9])
    """
    for i, param in enumerate(params):
        grad = _real(_signed_grad(grads[i], maximize, weight_decay, params[i]))
        param, square_avg = _real(param), _real(square_avgs[i])
        # square_avg = alpha * square_avg + (1 - alpha) * grad**2
        np.multiply(square_avg, alpha, out=square_avg)
        square_avg += grad * grad * (1 - alpha)
        if centered:
            grad_avg = _real(grad_avgs[i])
            grad_avg += (grad - grad_avg) * (1 - alpha)   # torch's lerp towards grad
            avg = square_avg - grad_avg * grad_avg
            np.sqrt(avg, out=avg)
        else:
            avg = np.sqrt(square_avg)
        avg += eps
        if momentum > 0:
            buf = _real(momentum_buffers[i])
            np.multiply(buf, momentum, out=buf)
            buf += grad / avg
            param -= buf * lr
        else:
            np.divide(grad, avg, out=avg)
            avg *= lr
            param -= avg


def adagrad(params, grads, state_sums, steps, *, lr, eps, weight_decay=0.0, lr_decay=0.0,
            maximize=False):
    """Adagrad: steps scaled by the root of the summed squared gradients.

    ``steps`` are the counts after this step; the rate decays as
    ``lr / (1 + (step - 1) * lr_decay)``.

    >>> p, g, s = np.ones(2), np.full(2, 0.5), np.zeros(2)
    >>> adagrad([p], [g], [s], [1], lr=0.1, eps=1e-10); p
    array([0.9, 0.9])
    """
    for i, param in enumerate(params):
        grad = _real(_signed_grad(grads[i], maximize, weight_decay, param))
        param, state_sum = _real(param), _real(state_sums[i])
        clr = lr / (1 + (steps[i] - 1) * lr_decay)
        state_sum += grad * grad
        std = np.sqrt(state_sum)
        std += eps
        np.divide(grad, std, out=std)
        std *= clr
        param -= std


def adadelta(params, grads, square_avgs, acc_deltas, *, lr, rho, eps, weight_decay=0.0,
             maximize=False):
    """Adadelta: steps whose units come from a running RMS of past updates.

    >>> p, g = np.ones(1), np.full(1, 0.5)
    >>> adadelta([p], [g], [np.zeros(1)], [np.zeros(1)], lr=1.0, rho=0.9, eps=1e-6)
    >>> p.round(5)
    array([0.99684])
    """
    for i, param in enumerate(params):
        grad = _real(_signed_grad(grads[i], maximize, weight_decay, param))
        param, square_avg, acc_delta = _real(param), _real(square_avgs[i]), _real(acc_deltas[i])
        np.multiply(square_avg, rho, out=square_avg)
        square_avg += grad * grad * (1 - rho)
        std = np.sqrt(square_avg + eps)
        delta = np.sqrt(acc_delta + eps)
        delta /= std
        delta *= grad
        np.multiply(acc_delta, rho, out=acc_delta)
        acc_delta += delta * delta * (1 - rho)
        delta *= lr
        param -= delta


def adamax(params, grads, exp_avgs, exp_infs, steps, *, lr, beta1, beta2, eps,
           weight_decay=0.0, maximize=False):
    """Adamax: Adam with the infinity norm (a decayed running max of ``|grad|``).

    >>> p, g = np.ones(2), np.full(2, 0.5)
    >>> adamax([p], [g], [np.zeros(2)], [np.zeros(2)], [1], lr=0.1, beta1=0.9,
    ...        beta2=0.999, eps=1e-8)
    >>> p.round(6)
    array([0.9, 0.9])
    """
    for i, param in enumerate(params):
        grad = _real(_signed_grad(grads[i], maximize, weight_decay, param))
        param, exp_avg, exp_inf = _real(param), _real(exp_avgs[i]), _real(exp_infs[i])
        exp_avg += (grad - exp_avg) * (1 - beta1)
        np.multiply(exp_inf, beta2, out=exp_inf)
        bound = np.abs(grad)
        bound += eps
        np.maximum(exp_inf, bound, out=exp_inf)
        clr = lr / (1 - beta1 ** steps[i])
        np.divide(exp_avg, exp_inf, out=bound)
        bound *= clr
        param -= bound


def nadam(params, grads, exp_avgs, exp_avg_sqs, mu_products, steps, *, lr, beta1, beta2,
          eps, weight_decay=0.0, momentum_decay=4e-3, decoupled_weight_decay=False,
          maximize=False):
    """NAdam: Adam with Nesterov momentum and a warming momentum schedule ``mu_t``.

    ``mu_products[i]`` is a float32 0-d array (the running product of the ``mu_t``),
    updated in place.

    NOTE: like torch, that product is kept in float32 even for float64 parameters.
    """
    decoupled_lr = lr if decoupled_weight_decay else None
    for i, param in enumerate(params):
        step = steps[i]
        grad = _real(_signed_grad(grads[i], maximize, weight_decay, param, decoupled_lr))
        param, exp_avg, exp_avg_sq = _real(param), _real(exp_avgs[i]), _real(exp_avg_sqs[i])
        bias_correction2 = 1 - beta2 ** step
        mu = beta1 * (1.0 - 0.5 * 0.96 ** (step * momentum_decay))
        mu_next = beta1 * (1.0 - 0.5 * 0.96 ** ((step + 1) * momentum_decay))
        mu_product = mu_products[i]
        mu_product *= mu                 # in float32, as torch's float32 state tensor
        mu_product_value = float(mu_product)
        mu_product_next = mu_product_value * mu_next
        _update_moments(exp_avg, exp_avg_sq, grad, beta1, beta2)
        denom = exp_avg_sq / bias_correction2
        np.sqrt(denom, out=denom)
        denom += eps
        param -= grad / denom * (lr * (1.0 - mu) / (1.0 - mu_product_value))
        param -= exp_avg / denom * (lr * mu_next / (1.0 - mu_product_next))


def radam(params, grads, exp_avgs, exp_avg_sqs, steps, *, lr, beta1, beta2, eps,
          weight_decay=0.0, decoupled_weight_decay=False, maximize=False):
    """RAdam: Adam whose adaptive step is switched on (and rectified) once the
    variance estimate is reliable (``rho_t > 5``); before that it is SGD with momentum.
    """
    rho_inf = 2 / (1 - beta2) - 1
    decoupled_lr = lr if decoupled_weight_decay else None
    for i, param in enumerate(params):
        step = steps[i]
        grad = _real(_signed_grad(grads[i], maximize, weight_decay, param, decoupled_lr))
        param, exp_avg, exp_avg_sq = _real(param), _real(exp_avgs[i]), _real(exp_avg_sqs[i])
        _update_moments(exp_avg, exp_avg_sq, grad, beta1, beta2)
        bias_correction1 = 1 - beta1 ** step
        bias_correction2 = 1 - beta2 ** step
        update = exp_avg / bias_correction1
        rho_t = rho_inf - 2 * step * beta2 ** step / bias_correction2
        if rho_t > 5.0:
            rect = ((rho_t - 4) * (rho_t - 2) * rho_inf
                    / ((rho_inf - 4) * (rho_inf - 2) * rho_t)) ** 0.5
            denom = np.sqrt(exp_avg_sq)
            denom += eps
            update *= lr
            update *= bias_correction2 ** 0.5 / denom
            update *= rect
        else:
            update *= lr
        param -= update


def asgd(params, grads, axs, mus, etas, steps, *, lr, lambd, alpha, t0, weight_decay=0.0,
         maximize=False):
    """Averaged SGD: SGD with a decaying rate ``eta`` and a running average ``ax`` of
    the iterates (the average starts after ``t0`` steps).

    ``etas[i]`` and ``mus[i]`` are float32 0-d arrays updated in place.

    NOTE: like torch, ``eta`` and ``mu`` are float32 state, so the step uses the
    float32-rounded rate even for float64 parameters.
    """
    for i, param in enumerate(params):
        grad = _real(_signed_grad(grads[i], maximize, weight_decay, param))
        param, ax = _real(param), _real(axs[i])
        eta, mu = etas[i], mus[i]
        eta_value = float(eta)
        np.multiply(param, 1 - lambd * eta_value, out=param)
        param -= grad * eta_value
        mu_value = float(mu)
        if mu_value != 1:
            ax += (param - ax) * mu.astype(param.dtype)
        else:
            np.copyto(ax, param)
        step = steps[i]
        eta[...] = lr / ((1 + lambd * lr * step) ** alpha)
        mu[...] = 1 / max(1, step - t0)


def rprop(params, grads, prevs, step_sizes, *, step_size_min, step_size_max, etaminus,
          etaplus, maximize=False):
    """Rprop: per-coordinate step sizes grown by ``etaplus`` while the gradient keeps
    its sign and shrunk by ``etaminus`` when it flips (skipping that coordinate once).

    >>> p, prev, size = np.ones(2), np.zeros(2), np.full(2, 0.01)
    >>> rprop([p], [np.array([0.5, -0.5])], [prev], [size], step_size_min=1e-6,
    ...       step_size_max=50, etaminus=0.5, etaplus=1.2); p
    array([0.99, 1.01])
    """
    for i, param in enumerate(params):
        grad = grads[i]
        grad = np.negative(grad) if maximize else grad.copy()
        grad = _real(grad)
        param, prev, step_size = _real(param), _real(prevs[i]), _real(step_sizes[i])
        factor = np.sign(grad * prev)
        factor[factor > 0] = etaplus
        factor[factor < 0] = etaminus
        factor[factor == 0] = 1
        step_size *= factor
        np.clip(step_size, step_size_min, step_size_max, out=step_size)
        grad[factor == etaminus] = 0      # a sign flip: no step, and no flip next time
        param -= np.sign(grad) * step_size
        np.copyto(prev, grad)


def sparse_adam(params, grads, exp_avgs, exp_avg_sqs, steps, *, lr, beta1, beta2, eps,
                maximize=False):
    """SparseAdam's update on the rows named by each gradient's ``(indices, values)``.

    ``grads[i]`` is a pair: ``indices`` (``k`` rows of the first dimension, may repeat:
    they are summed first, as torch coalesces) and ``values`` of shape
    ``(k, *param.shape[1:])``. Only those rows of the moments and parameter change.
    """
    for i, param in enumerate(params):
        indices, values = grads[i]
        rows, inverse = np.unique(array_like(indices, param), return_inverse=True)
        grad = xp_of(param).zeros((len(rows),) + param.shape[1:], dtype=param.dtype)
        np.add.at(grad, inverse.reshape(-1), values)
        if maximize:
            grad = -grad
        exp_avg, exp_avg_sq, step = exp_avgs[i], exp_avg_sqs[i], steps[i]
        avg_update = (grad - exp_avg[rows]) * (1 - beta1)
        exp_avg[rows] += avg_update
        sq_update = (grad * grad - exp_avg_sq[rows]) * (1 - beta2)
        exp_avg_sq[rows] += sq_update
        denom = np.sqrt(exp_avg_sq[rows])
        denom += eps
        step_size = lr * math.sqrt(1 - beta2 ** step) / (1 - beta1 ** step)
        param[rows] -= exp_avg[rows] / denom * step_size

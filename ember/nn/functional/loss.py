"""Loss functions, as ``torch.nn.functional``.

Most losses are short compositions of ember ops, so gradients w.r.t. input *and*
target (and double backward) come for free.  The hot ones get primitives here:

* ``cross_entropy`` with class indices is one fused node (log_softmax + nll): forward
  keeps ``exp(x - max)`` and the row sums, backward is ``softmax * Q - q`` in one pass
  (``q`` the per-class target weights, ``Q`` their row sum).
* ``nll_loss`` picks one element per row; its backward places the gradient back
  (``_pick`` / ``_place`` are each other's adjoints, so every order of derivative works).
* ``_log_softmax`` and ``_log_sigmoid`` are private, numerically stable primitives.

Backward formulas run NumPy directly when no graph of the backward is needed
(``create_graph=False``) and ember ops otherwise.
"""

__all__ = [
    "binary_cross_entropy", "binary_cross_entropy_with_logits", "cosine_embedding_loss",
    "cross_entropy", "ctc_loss", "gaussian_nll_loss", "hinge_embedding_loss", "huber_loss",
    "kl_div", "l1_loss", "margin_ranking_loss", "mse_loss", "multi_margin_loss", "multilabel_margin_loss",
    "multilabel_soft_margin_loss", "nll_loss", "poisson_nll_loss", "smooth_l1_loss",
    "soft_margin_loss", "triplet_margin_loss", "triplet_margin_with_distance_loss",
]

import math
import numbers
import warnings

import numpy as np

from ... import _dtype as D
from ..._device import as_array, move_array, to_host, xp_of
from ..._tensor import Tensor
from ...autograd.graph import Node
from ...ops import _util as U
from ...ops._util import GRAD, record

_F32 = np.dtype(np.float32)
_LOW = (np.dtype(np.float16), D.bfloat16.np)
_FROM_NP = D._FROM_NP


# ----------------------------------------------------------------------------------
# shared helpers
# ----------------------------------------------------------------------------------

def _legacy_reduction(size_average, reduce, emit_warning=True):
    """torch's mapping of the deprecated size_average/reduce flags to a reduction."""
    size_average = True if size_average is None else size_average
    reduce = True if reduce is None else reduce
    if size_average and reduce:
        ret = "mean"
    elif reduce:
        ret = "sum"
    else:
        ret = "none"
    if emit_warning:
        warnings.warn(f"size_average and reduce args will be deprecated, please use "
                      f"reduction='{ret}' instead.", UserWarning, stacklevel=3)
    return ret


def _reduction_arg(size_average, reduce, reduction):
    if size_average is not None or reduce is not None:
        return _legacy_reduction(size_average, reduce)
    return reduction


def _check_reduction(reduction):
    if reduction not in ("none", "mean", "sum"):
        raise ValueError(f"{reduction} is not a valid value for reduction")


def _reduce(loss, reduction):
    if reduction == "none":
        return loss
    if reduction == "mean":
        return loss.mean()
    if reduction == "sum":
        return loss.sum()
    raise ValueError(f"{reduction} is not a valid value for reduction")


def _check(op, *tensors, names=None):
    """Type and device checks on the tensor arguments of a loss."""
    names = names or ("input", "target", "other")
    for i, t in enumerate(tensors):
        if t is None:
            continue
        if not isinstance(t, Tensor):
            arg = names[i] if i < len(names) else f"arg{i}"
            raise TypeError(f"{op}(): argument '{arg}' must be Tensor, not {type(t).__name__}")
    return U.common_device(op, [t for t in tensors if t is not None])


def _check_broadcast(op, a, b):
    """The broadcast shape of two tensors, or torch's RuntimeError naming the op."""
    try:
        return np.broadcast_shapes(a._data.shape, b._data.shape)
    except ValueError:
        raise U.broadcast_error(op, a._data, b._data) from None


def _warn_size(op, input, target, stacklevel=3):
    if input._data.shape != target._data.shape:
        warnings.warn(
            f"Using a target size ({target.shape}) that is different to the input size "
            f"({input.shape}). This will likely lead to incorrect results due to broadcasting. "
            "Please ensure they have the same size.", UserWarning, stacklevel=stacklevel)


def _const(arr, device):
    return U.wrap(as_array(arr), device)


def _compute_dtype(arr):
    return _F32 if arr.dtype in _LOW else arr.dtype


def _is_float(t):
    return _FROM_NP[t._data.dtype].category == D.FLOAT


def _number(x, name, op):
    if isinstance(x, Tensor) and x._data.ndim == 0:
        return x.item()
    if not isinstance(x, numbers.Real) or isinstance(x, bool):
        raise TypeError(f"{op}(): argument '{name}' must be a number, not {type(x).__name__}")
    return x


# ----------------------------------------------------------------------------------
# private primitives
# ----------------------------------------------------------------------------------

class LogSoftmaxBackward0(Node):
    def backward(self, grad):
        (result,) = self.saved_tensors
        dim = self.dim
        if not GRAD.enabled:
            g = grad._data
            res = result._data
            ct = _compute_dtype(res)
            gx = g.astype(ct) - np.exp(res.astype(ct)) * g.sum(axis=dim, keepdims=True, dtype=ct)
            return (U.wrap(gx.astype(res.dtype, copy=False), grad._device),)
        from ...ops.pointwise import exp
        return (grad - exp(result) * grad.sum(dim, keepdim=True),)


def _log_softmax_array(arr, dim):
    ct = _compute_dtype(arr)
    x = arr.astype(ct, copy=False)
    if x.size == 0:
        return xp_of(arr).empty(arr.shape, arr.dtype)
    shifted = x - x.max(axis=dim, keepdims=True)
    shifted -= np.log(np.exp(shifted).sum(axis=dim, keepdims=True))
    return shifted.astype(arr.dtype, copy=False)


def _log_softmax(input, dim):
    """log_softmax over ``dim`` (a private primitive for the losses)."""
    dim = U.wrap_dim(dim, input._data.ndim, "log_softmax")
    arr = input._data
    if not _is_float(input):
        arr = U.as_float_array(input)
    with np.errstate(invalid="ignore", over="ignore"):
        res = U.wrap(_log_softmax_array(arr, dim), input._device)
    if GRAD.enabled and input._rg:
        node = record(LogSoftmaxBackward0, res, (input,))
        node.dim = dim
        node.save(res)
    return res


class LogSigmoidBackward0(Node):
    def backward(self, grad):
        (x,) = self.saved_tensors
        from ...ops.pointwise import sigmoid
        return (grad * sigmoid(-x),)


def _log_sigmoid(input):
    """log(sigmoid(x)) = -(max(-x, 0) + log1p(exp(-|x|))), stable for large |x|."""
    arr = input._data
    ct = _compute_dtype(arr)
    x = arr.astype(ct, copy=False)
    out = -(np.maximum(-x, 0) + np.log1p(np.exp(-np.abs(x))))
    res = U.wrap(out.astype(arr.dtype, copy=False), input._device)
    if GRAD.enabled and input._rg:
        record(LogSigmoidBackward0, res, (input,), (input,))
    return res


class GatherBackward0(Node):
    def backward(self, grad):
        return (_place(grad, self.index, self.dim, self.shape),)


class PlaceBackward(Node):
    def backward(self, grad):
        return (_pick(grad, self.index, self.dim),)


def _pick(input, index, dim):
    """``input`` gathered along ``dim`` by ``index`` (an int array with size 1 on ``dim``)."""
    res = U.wrap(np.take_along_axis(input._data, index, dim), input._device)
    if GRAD.enabled and input._rg:
        node = record(GatherBackward0, res, (input,))
        node.index, node.dim, node.shape = index, dim, input._data.shape
    return res


def _place(values, index, dim, shape):
    """Zeros of ``shape`` with ``values`` written at ``index`` along ``dim`` (adjoint of _pick)."""
    arr = xp_of(values._data).zeros(shape, dtype=values._data.dtype)
    if arr.size:
        np.put_along_axis(arr, index, values._data, dim)
    res = U.wrap(arr, values._device)
    if GRAD.enabled and values._rg:
        node = record(PlaceBackward, res, (values,))
        node.index, node.dim = index, dim
    return res


# ----------------------------------------------------------------------------------
# nll_loss and cross_entropy (class indices)
# ----------------------------------------------------------------------------------

def _class_target_checks(op, input, target, weight):
    """Shape/dtype checks for class-index targets, as torch's nll_loss does them."""
    if target._data.dtype not in (np.dtype(np.int64), np.dtype(np.uint8)):
        raise RuntimeError(f"{op}: expected target dtype to be Long or Byte, but got "
                           f"{target.dtype}")
    if not _is_float(input):
        raise RuntimeError(f"{op}: expected a floating point input, got {input.dtype}")
    nd = input._data.ndim
    if nd < 1:
        raise ValueError(f"{op}: Expected 1 or more dimensions (got {nd})")
    ishape, tshape = input._data.shape, target._data.shape
    if nd == 1:
        if len(tshape) != 0 and not (len(tshape) == 1 and tshape[0] == 1):
            raise RuntimeError(f"{op}: 0D or 1D target tensor expected, multi-target not "
                               f"supported (input {list(ishape)}, target {list(tshape)})")
    else:
        if len(tshape) != nd - 1 and nd == 2:
            raise RuntimeError(f"{op}: 0D or 1D target tensor expected, multi-target not "
                               f"supported (input {list(ishape)}, target {list(tshape)})")
        if len(tshape) >= 1 and ishape[0] != tshape[0]:
            raise ValueError(f"Expected input batch_size ({ishape[0]}) to match target "
                             f"batch_size ({tshape[0]}).")
        if tshape != ishape[:1] + ishape[2:]:
            raise RuntimeError(f"{op}: size mismatch (got input: {list(ishape)} , target: "
                               f"{list(tshape)}")
    n_classes = ishape[0] if nd == 1 else ishape[1]
    if weight is not None:
        if weight._data.size != n_classes:
            raise RuntimeError(f"{op}: weight tensor should be defined either for all "
                               f"{n_classes} classes or no classes but got weight tensor of "
                               f"shape: {list(weight._data.shape)}")
        if weight._data.dtype != input._data.dtype:
            raise RuntimeError(f"{op}: expected scalar type {input.dtype} but found "
                               f"{weight.dtype} (weight)")
    return n_classes


def _target_arrays(op, target, n_classes, ignore_index, device):
    """(mask of counted targets, targets with ignored ones set to 0), bounds-checked."""
    t = target._data.astype(np.int64, copy=False)
    mask = t != ignore_index
    safe = np.where(mask, t, 0)
    if device is not U.META and safe.size:
        bad = (safe < 0) | (safe >= n_classes)
        if bad.any():
            raise IndexError(f"Target {int(safe[bad].reshape(-1)[0])} is out of bounds.")
    return mask, safe


def _batched(input, target):
    """Unbatched (C,) input and () target as a batch of one."""
    if input._data.ndim == 1:
        return input.reshape(1, -1), target.reshape(1), True
    return input, target, False


class NllLossBackward0(Node):
    """Gradient of -sum(w_t * x[i, t_i]) (with ignore mask and reduction scale)."""

    def backward(self, grad):
        coef = self.coef   # -(weight of each target * mask) / denominator
        if not GRAD.enabled:
            g = grad._data
            values = np.expand_dims(coef * g, 1).astype(g.dtype, copy=False)
            arr = xp_of(g).zeros(self.shape, dtype=g.dtype)
            if arr.size:
                np.put_along_axis(arr, self.index, values, 1)
            return (U.wrap(arr, grad._device),)
        values = (grad * _const(coef.astype(grad._data.dtype), grad._device)).unsqueeze(1)
        return (_place(values, self.index, 1, self.shape),)


def _denominator(weights_of_targets, reduction):
    if reduction != "mean":
        return 1.0
    return weights_of_targets.sum()


def nll_loss(input, target, weight=None, size_average=None, ignore_index=-100, reduce=None,
             reduction="mean"):
    """The negative log likelihood loss over log-probabilities ``input`` (N, C, ...).

    >>> logp = ember.tensor([[-0.1, -2.3], [-1.2, -0.4]])
    >>> F.nll_loss(logp, ember.tensor([0, 1]))
    tensor(0.2500)
    """
    device = _check("nll_loss", input, target, weight, names=("input", "target", "weight"))
    reduction = _reduction_arg(size_average, reduce, reduction)
    _check_reduction(reduction)
    n_classes = _class_target_checks("nll_loss", input, target, weight)
    input, target_b, unbatched = _batched(input, target)
    mask, safe = _target_arrays("nll_loss", target_b, n_classes, ignore_index, device)
    arr = input._data
    ct = _compute_dtype(arr)
    wm = mask.astype(ct)
    if weight is not None:
        wm *= weight._data.astype(ct)[safe]
    index = np.expand_dims(safe, 1)
    picked = np.take_along_axis(arr, index, 1)[:, 0].astype(ct)
    loss = -(picked * wm)
    with np.errstate(invalid="ignore", divide="ignore"):
        denom = _denominator(wm, reduction)
        if reduction != "none":
            loss = as_array(loss.sum() / denom)
        coef = -wm / denom if denom != 0 else np.zeros_like(wm)
    if unbatched and reduction == "none":
        loss = loss.reshape(())
    res = U.wrap(loss.astype(arr.dtype, copy=False), device)
    if GRAD.enabled and input._rg:
        node = record(NllLossBackward0, res, (input,))
        node.index, node.shape = index, arr.shape
        node.coef = coef
    return res


class CrossEntropyBackward(Node):
    """Gradient of the fused log_softmax + nll: a * (softmax * Q - q)."""

    def name(self):
        return "NllLossBackward0"

    def release(self):
        # the softmax pieces are as large as the logits: free them with the saved input
        Node.release(self)
        self.exps = self.sums = None

    def backward(self, grad):
        a_const = self.scale                # per position: mask-free scale (1/denom or 1)
        if not GRAD.enabled:
            g = grad._data.astype(self.ct)
            if self.unbatched_none:
                g = g.reshape(1)
            a = a_const * g                    # per position
            # softmax * (a * Q), computed into one fresh buffer
            gx = np.multiply(self.exps, np.expand_dims(a * self.big_q, 1) / self.sums)
            at_target = np.take_along_axis(gx, self.index, 1)
            np.put_along_axis(gx, self.index,
                              at_target - np.expand_dims(a * self.q_target, 1), 1)
            if self.smooth is not None:
                gx -= self.smooth * np.expand_dims(a * self.mask, 1)
            gx = gx.astype(self.in_dtype, copy=False)
            if self.unbatched_none or self.unbatched:
                gx = gx.reshape(self.in_shape)
            return (U.wrap(gx, grad._device),)
        from ...ops.pointwise import exp
        x = self.saved_tensors[0]
        if self.unbatched:
            x = x.reshape(1, -1)
        dev = grad._device
        dt = x._data.dtype
        g = grad.reshape(1) if self.unbatched_none else grad
        a = g * _const(a_const.astype(dt), dev)
        prob = exp(_log_softmax(x, 1))
        gx = prob * (a * _const(self.big_q.astype(dt), dev)).unsqueeze(1)
        gx = gx - _place((a * _const(self.q_target.astype(dt), dev)).unsqueeze(1), self.index,
                         1, x._data.shape)
        if self.smooth is not None:
            gx = gx - _const(self.smooth.astype(dt), dev) * (
                a * _const(self.mask.astype(dt), dev)).unsqueeze(1)
        if self.unbatched:
            gx = gx.reshape(self.in_shape)
        return (gx,)


def _cross_entropy_indices(input, target, weight, ignore_index, reduction, label_smoothing,
                           device):
    op = "cross_entropy"
    n_classes = _class_target_checks(op, input, target, weight)
    in_shape = input._data.shape
    unbatched = input._data.ndim == 1
    arr = input._data.reshape(1, -1) if unbatched else input._data
    t_arr = target._data.reshape(1) if unbatched else target._data
    mask, safe = _target_arrays(op, U.wrap(t_arr, target._device), n_classes, ignore_index,
                                device)
    ct = _compute_dtype(arr)
    x = arr.astype(ct, copy=False)
    index = np.expand_dims(safe, 1)
    maskf = mask.astype(ct)
    w = None if weight is None else weight._data.astype(ct)
    wm = maskf * w[safe] if w is not None else maskf
    eps = float(label_smoothing)
    with np.errstate(invalid="ignore", divide="ignore", over="ignore"):
        if x.size:
            shifted = x - x.max(axis=1, keepdims=True)
        else:
            shifted = x.copy()
        exps = np.exp(shifted)
        sums = exps.sum(axis=1, keepdims=True)
        lse = np.log(sums)
        picked = np.take_along_axis(shifted, index, 1)[:, 0] - lse[:, 0]
        loss = -(wm * picked)
        smooth_w = None
        if eps > 0:
            wshape = (1, n_classes) + (1,) * (x.ndim - 2)
            logp = shifted - lse
            if w is not None:
                smooth_w = np.broadcast_to(w.reshape(wshape), x.shape) * (eps / n_classes)
                smooth = -(logp * w.reshape(wshape)).sum(axis=1)
                total_w = w.sum()
            else:
                smooth_w = xp_of(x).full(wshape, eps / n_classes, dtype=ct)
                smooth = -logp.sum(axis=1)
                total_w = n_classes
            loss = (1 - eps) * loss + (eps / n_classes) * (smooth * maskf)
        denom = _denominator(wm, reduction)
        if reduction != "none":
            loss = as_array(loss.sum() / denom)
            # NOTE: with every target ignored torch's mean is nan but its gradient is 0.
            scale = xp_of(x).full(wm.shape, 1.0 / denom if denom != 0 else 0.0, dtype=ct)
        else:
            scale = xp_of(x).ones(wm.shape, dtype=ct)
    if unbatched and reduction == "none":
        loss = loss.reshape(())
    res = U.wrap(as_array(loss).astype(input._data.dtype, copy=False), device)
    if GRAD.enabled and input._rg:
        node = record(CrossEntropyBackward, res, (input,), (input,))
        node.in_dtype = input._data.dtype
        node.ct, node.scale, node.index, node.mask = ct, scale, index, maskf
        node.exps, node.sums = exps, sums
        node.q_target = (1 - eps) * wm
        node.big_q = node.q_target + (
            (eps / n_classes) * total_w * maskf if eps > 0 else 0)
        node.smooth = smooth_w
        node.unbatched = unbatched
        node.unbatched_none = unbatched and reduction == "none"
        node.in_shape = in_shape
    return res


def _cross_entropy_probs(input, target, weight, reduction, label_smoothing):
    op = "cross_entropy"
    if input._data.shape != target._data.shape:
        raise RuntimeError(f"{op}: Expected target size {list(input._data.shape)}, got "
                           f"{list(target._data.shape)}")
    class_dim = 0 if input._data.ndim == 1 else 1
    n_classes = input._data.shape[class_dim]
    if weight is not None and weight._data.size != n_classes:
        raise RuntimeError(f"{op}: weight tensor should be defined either for all {n_classes} "
                           f"classes or no classes but got weight tensor of shape: "
                           f"{list(weight._data.shape)}")
    logp = _log_softmax(input, class_dim)
    if label_smoothing > 0:
        target = target * (1 - label_smoothing) + label_smoothing / n_classes
    prod = logp * target
    if weight is not None:
        shape = [1] * input._data.ndim
        shape[class_dim] = n_classes
        prod = prod * weight.reshape(shape)
    loss = -prod.sum(class_dim)
    return _reduce(loss, reduction)


def cross_entropy(input, target, weight=None, size_average=None, ignore_index=-100,
                  reduce=None, reduction="mean", label_smoothing=0.0):
    """Cross entropy between logits ``input`` (N, C, ...) and class indices or class
    probabilities ``target``.

    >>> F.cross_entropy(ember.tensor([[2.0, 0.5, -1.0]]), ember.tensor([0]))
    tensor(0.2413)
    """
    device = _check("cross_entropy", input, target, weight,
                    names=("input", "target", "weight"))
    reduction = _reduction_arg(size_average, reduce, reduction)
    _check_reduction(reduction)
    label_smoothing = float(_number(label_smoothing, "label_smoothing", "cross_entropy"))
    if not 0.0 <= label_smoothing <= 1.0:
        raise RuntimeError(f"cross_entropy: label_smoothing must be between 0.0 and 1.0. Got: "
                           f"{label_smoothing}")
    if _is_float(target):
        return _cross_entropy_probs(input, target, weight, reduction, label_smoothing)
    return _cross_entropy_indices(input, target, weight, ignore_index, reduction,
                                  label_smoothing, device)


# ----------------------------------------------------------------------------------
# regression losses
# ----------------------------------------------------------------------------------

def _weighted(loss, weight, input, reduction, by_weight_sum):
    """A loss times per-element ``weight`` (same size as input), then reduced; torch's mse and
    l1 divide a weighted 'mean' by the sum of the weights, huber by the element count."""
    if weight._data.shape != input._data.shape:
        raise ValueError("Weights and input must have the same size.")
    loss = loss * weight
    if reduction == "mean" and by_weight_sum:
        return loss.sum() / weight.sum()
    if reduction not in ("none", "mean", "sum"):
        raise ValueError(f"Invalid reduction mode: {reduction}. Expected one of 'none', "
                         "'mean', 'sum'.")
    return _reduce(loss, reduction)


def _pair(op, input, target, weight=None):
    _check(op, input, target, weight, names=("input", "target", "weight"))
    _warn_size(op, input, target, stacklevel=4)
    _check_broadcast(op, input, target)


def mse_loss(input, target, size_average=None, reduce=None, reduction="mean", weight=None):
    """Mean squared error.

    >>> F.mse_loss(ember.tensor([1.0, 2.0]), ember.tensor([0.0, 0.0]))
    tensor(2.5000)
    """
    _pair("mse_loss", input, target, weight)
    reduction = _reduction_arg(size_average, reduce, reduction)
    _check_reduction(reduction)
    diff = input - target
    loss = diff * diff
    if weight is not None:
        return _weighted(loss, weight, input, reduction, by_weight_sum=True)
    return _reduce(loss, reduction)


def l1_loss(input, target, size_average=None, reduce=None, reduction="mean", weight=None):
    """Mean absolute error.

    >>> F.l1_loss(ember.tensor([1.0, -2.0]), ember.tensor([0.0, 0.0]))
    tensor(1.5000)
    """
    _pair("l1_loss", input, target, weight)
    reduction = _reduction_arg(size_average, reduce, reduction)
    _check_reduction(reduction)
    loss = (input - target).abs()
    if weight is not None:
        return _weighted(loss, weight, input, reduction, by_weight_sum=True)
    return _reduce(loss, reduction)


def _where(cond, a, b):
    from ...ops.pointwise import where
    return where(cond, a, b)


def smooth_l1_loss(input, target, size_average=None, reduce=None, reduction="mean", beta=1.0):
    """Squared error below ``beta``, absolute error above it (``beta=0`` is l1_loss).

    >>> F.smooth_l1_loss(ember.tensor([0.5, 3.0]), ember.tensor([0.0, 0.0]))
    tensor(1.3125)
    """
    _pair("smooth_l1_loss", input, target)
    reduction = _reduction_arg(size_average, reduce, reduction)
    _check_reduction(reduction)
    beta = float(_number(beta, "beta", "smooth_l1_loss"))
    if beta < 0:
        raise RuntimeError("smooth_l1_loss does not support negative values for beta.")
    z = (input - target).abs()
    if beta == 0.0:
        return _reduce(z, reduction)
    loss = _where(z < beta, z * z * (0.5 / beta), z - 0.5 * beta)
    return _reduce(loss, reduction)


def huber_loss(input, target, reduction="mean", delta=1.0, weight=None):
    """Squared error below ``delta``, ``delta``-scaled absolute error above it.

    >>> F.huber_loss(ember.tensor([0.5, 3.0]), ember.tensor([0.0, 0.0]))
    tensor(1.3125)
    """
    _pair("huber_loss", input, target, weight)
    _check_reduction(reduction)
    delta = float(_number(delta, "delta", "huber_loss"))
    if delta <= 0:
        raise RuntimeError("huber_loss does not support non-positive values for delta.")
    z = (input - target).abs()
    loss = _where(z < delta, z * z * 0.5, (z - 0.5 * delta) * delta)
    if weight is not None:
        return _weighted(loss, weight, input, reduction, by_weight_sum=False)
    return _reduce(loss, reduction)


# ----------------------------------------------------------------------------------
# binary losses
# ----------------------------------------------------------------------------------

def binary_cross_entropy(input, target, weight=None, size_average=None, reduce=None,
                         reduction="mean"):
    """Binary cross entropy between probabilities ``input`` and ``target``; each log is
    clamped at -100 as in torch.

    >>> F.binary_cross_entropy(ember.tensor([0.9, 0.2]), ember.tensor([1.0, 0.0]))
    tensor(0.1643)
    """
    _check("binary_cross_entropy", input, target, weight)
    reduction = _reduction_arg(size_average, reduce, reduction)
    _check_reduction(reduction)
    if target._data.shape != input._data.shape:
        raise ValueError(f"Using a target size ({target.shape}) that is different to the input "
                         f"size ({input.shape}) is deprecated. Please ensure they have the "
                         "same size.")
    if input._device is not U.META and input._data.size:
        arr = input._data
        if not ((arr >= 0) & (arr <= 1)).all():
            raise RuntimeError("binary_cross_entropy: all elements of input should be between "
                               "0 and 1")
    from ...ops.pointwise import log, log1p
    with np.errstate(divide="ignore"):
        log_x = log(input).clamp_min(-100)
        log_1mx = log1p(-input).clamp_min(-100)
    loss = -(target * log_x + (1 - target) * log_1mx)
    if weight is not None:
        _check_broadcast("binary_cross_entropy", loss, weight)
        loss = loss * weight
    return _reduce(loss, reduction)


def binary_cross_entropy_with_logits(input, target, weight=None, size_average=None,
                                     reduce=None, reduction="mean", pos_weight=None):
    """Sigmoid + binary cross entropy in one numerically stable expression.

    >>> F.binary_cross_entropy_with_logits(ember.tensor([2.0, -1.0]), ember.tensor([1.0, 0.0]))
    tensor(0.2201)
    """
    _check("binary_cross_entropy_with_logits", input, target, weight, pos_weight,
           names=("input", "target", "weight", "pos_weight"))
    reduction = _reduction_arg(size_average, reduce, reduction)
    _check_reduction(reduction)
    if target._data.shape != input._data.shape:
        raise ValueError(f"Target size ({target.shape}) must be the same as input size "
                         f"({input.shape})")
    # -log(sigmoid(x)) weighted by (1 + (pos_weight - 1) * t), plus (1 - t) * x.
    neg_log_sig = -_log_sigmoid(input)
    if pos_weight is not None:
        _check_broadcast("binary_cross_entropy_with_logits", input, pos_weight)
        log_weight = (pos_weight - 1) * target + 1
        loss = (1 - target) * input + log_weight * neg_log_sig
    else:
        loss = (1 - target) * input + neg_log_sig
    if weight is not None:
        _check_broadcast("binary_cross_entropy_with_logits", loss, weight)
        loss = loss * weight
    return _reduce(loss, reduction)


def kl_div(input, target, size_average=None, reduce=None, reduction="mean", log_target=False):
    """Kullback-Leibler divergence of ``target`` from log-probabilities ``input``.

    >>> F.kl_div(ember.tensor([-1.0, -0.5]), ember.tensor([0.3, 0.7]), reduction="sum")
    tensor(0.0391)
    """
    _check("kl_div", input, target)
    reduction = _reduction_arg(size_average, reduce, reduction)
    if reduction == "mean":
        warnings.warn("reduction: 'mean' divides the total loss by both the batch size and the "
                      "support size.'batchmean' divides only by the batch size, and aligns "
                      "with the KL div math definition.'mean' will be changed to behave the "
                      "same as 'batchmean' in the next major release.", UserWarning,
                      stacklevel=2)
    if reduction not in ("none", "mean", "sum", "batchmean"):
        raise ValueError(f"{reduction} is not a valid value for reduction")
    _check_broadcast("kl_div", input, target)
    from ...ops.pointwise import exp, xlogy
    if log_target:
        loss = exp(target) * (target - input)
    else:
        loss = xlogy(target, target) - target * input
    if reduction == "batchmean":
        total = loss.sum()
        if input._data.ndim != 0:
            total = total / input._data.shape[0]
        return total
    return _reduce(loss, reduction)


def poisson_nll_loss(input, target, log_input=True, full=False, size_average=None, eps=1e-8,
                     reduce=None, reduction="mean"):
    """Negative log likelihood of ``target`` under a Poisson with rate ``input``
    (``exp(input)`` when ``log_input``).

    >>> F.poisson_nll_loss(ember.tensor([0.0, 1.0]), ember.tensor([1.0, 2.0]))
    tensor(0.8591)
    """
    _check("poisson_nll_loss", input, target)
    reduction = _reduction_arg(size_average, reduce, reduction)
    _check_reduction(reduction)
    _check_broadcast("poisson_nll_loss", input, target)
    from ...ops.pointwise import exp, log
    if log_input:
        loss = exp(input) - target * input
    else:
        loss = input - target * log(input + eps)
    if full:
        with np.errstate(divide="ignore", invalid="ignore"):
            stirling = target * log(target) - target + log(target * (2 * math.pi)) * 0.5
            loss = loss + _where(target > 1, stirling, _const(
                stirling._data.dtype.type(0), stirling._device))
    return _reduce(loss, reduction)


def gaussian_nll_loss(input, target, var, full=False, eps=1e-6, reduction="mean"):
    """Negative log likelihood of ``target`` under N(input, var); ``var`` may have one
    dim less than ``input`` or a size-1 last dim (homoscedastic), or be a float.

    >>> F.gaussian_nll_loss(ember.tensor([0.0, 1.0]), ember.tensor([0.5, 1.0]),
    ...                     ember.tensor([1.0, 1.0]))
    tensor(0.0625)
    """
    _check("gaussian_nll_loss", input, target)
    if not isinstance(var, Tensor):
        var_value = _number(var, "var", "gaussian_nll_loss")
        if var_value < 0:
            raise ValueError("var has negative entry/entries")
        var = _const(xp_of(input._data).full(input._data.shape, var_value,
                                             dtype=input._data.dtype),
                     input._device)
    U.common_device("gaussian_nll_loss", (input, target, var))
    if var._data.shape != input._data.shape:
        if input._data.shape[:-1] == var._data.shape:
            var = var.unsqueeze(-1)
        elif (input._data.shape[:-1] == var._data.shape[:-1] and var._data.ndim
              and var._data.shape[-1] == 1):
            pass
        else:
            raise ValueError("var is of incorrect size")
    if reduction not in ("none", "mean", "sum"):
        raise ValueError(reduction + " is not valid")
    if var._device is not U.META and (var._data < 0).any():
        raise ValueError("var has negative entry/entries")
    # NOTE: torch clamps var in place under no_grad: the value is clamped, the gradient
    # flows as if it were not.
    varr = var._data
    clamped = np.maximum(varr, varr.dtype.type(eps))
    var = var + _const((clamped - varr).astype(varr.dtype), var._device)
    from ...ops.pointwise import log
    diff = input - target
    loss = (log(var) + diff * diff / var) * 0.5
    if full:
        loss = loss + 0.5 * math.log(2 * math.pi)
    return _reduce(loss, reduction)


# ----------------------------------------------------------------------------------
# margin and embedding losses
# ----------------------------------------------------------------------------------

def _zeros_like(t):
    return _const(xp_of(t._data).zeros(t._data.shape, t._data.dtype), t._device)


def cosine_embedding_loss(input1, input2, target, margin=0, size_average=None, reduce=None,
                          reduction="mean"):
    """1 - cos(x1, x2) where target is 1, max(0, cos(x1, x2) - margin) where it is -1.

    >>> F.cosine_embedding_loss(ember.tensor([[1.0, 0.0]]), ember.tensor([[0.0, 1.0]]),
    ...                         ember.tensor([1]))
    tensor(1.)
    """
    op = "cosine_embedding_loss"
    _check(op, input1, input2, target, names=("input1", "input2", "target"))
    reduction = _reduction_arg(size_average, reduce, reduction)
    _check_reduction(reduction)
    tdim = target._data.ndim
    if tdim not in (0, 1):
        raise RuntimeError(f"{op}: 0D or 1D target tensor expected, multi-target not supported")
    if tdim == 1 and not (input1._data.ndim == 2 and input2._data.ndim == 2):
        raise RuntimeError(f"{op}: 1D target tensor expects 2D input tensors, but found inputs "
                           f"with sizes {list(input1.shape)} and {list(input2.shape)}.")
    if tdim == 0 and not (input1._data.ndim == 1 and input2._data.ndim == 1):
        raise RuntimeError(f"{op}: 0D target tensor expects 1D input tensors, but found inputs "
                           f"with sizes {list(input1.shape)} and {list(input2.shape)}.")
    _check_broadcast(op, input1, input2)
    dim = tdim
    prod = (input1 * input2).sum(dim)
    mag1 = (input1 * input1).sum(dim) + 1e-12
    mag2 = (input2 * input2).sum(dim) + 1e-12
    _check_broadcast(op, prod, target)
    from ...ops.pointwise import sqrt
    cos = prod / sqrt(mag1 * mag2)
    zeros = _zeros_like(cos)
    pos = 1 - cos
    neg = (cos - margin).clamp_min(0)
    loss = _where(target == 1, pos, zeros) + _where(target == -1, neg, zeros)
    return _reduce(loss, reduction)


def margin_ranking_loss(input1, input2, target, margin=0, size_average=None, reduce=None,
                        reduction="mean"):
    """max(0, -target * (input1 - input2) + margin).

    >>> F.margin_ranking_loss(ember.tensor([1.0]), ember.tensor([2.0]), ember.tensor([1.0]))
    tensor(1.)
    """
    op = "margin_ranking_loss"
    _check(op, input1, input2, target, names=("input1", "input2", "target"))
    reduction = _reduction_arg(size_average, reduce, reduction)
    _check_reduction(reduction)
    if not input1._data.ndim == input2._data.ndim == target._data.ndim:
        raise RuntimeError(f"margin_ranking_loss : All input tensors should have same dimension "
                           f"but got sizes: input1: {input1.shape}, input2: {input2.shape}, "
                           f"target: {target.shape} ")
    _check_broadcast(op, input1, input2)
    _check_broadcast(op, input1 - input2, target)
    loss = (-target * (input1 - input2) + margin).clamp_min(0)
    return _reduce(loss, reduction)


def hinge_embedding_loss(input, target, margin=1.0, size_average=None, reduce=None,
                         reduction="mean"):
    """x where target is 1, max(0, margin - x) where it is -1.

    >>> F.hinge_embedding_loss(ember.tensor([0.3, 2.0]), ember.tensor([1.0, -1.0]))
    tensor(0.1500)
    """
    op = "hinge_embedding_loss"
    _check(op, input, target)
    reduction = _reduction_arg(size_average, reduce, reduction)
    _check_reduction(reduction)
    _check_broadcast(op, input, target)
    zeros = _zeros_like(input)
    margin_clamp = (margin - input).clamp_min(0)
    loss = _where(target != 1, margin_clamp, zeros) + _where(target != -1, input, zeros)
    return _reduce(loss, reduction)


def soft_margin_loss(input, target, size_average=None, reduce=None, reduction="mean"):
    """log(1 + exp(-target * input)), averaged.

    >>> F.soft_margin_loss(ember.tensor([0.0]), ember.tensor([1.0]))
    tensor(0.6931)
    """
    op = "soft_margin_loss"
    _check(op, input, target)
    reduction = _reduction_arg(size_average, reduce, reduction)
    _check_reduction(reduction)
    _check_broadcast(op, input, target)
    loss = -_log_sigmoid(target * input)
    return _reduce(loss, reduction)


def multilabel_soft_margin_loss(input, target, weight=None, size_average=None, reduce=None,
                                reduction="mean"):
    """Per-class logistic loss averaged over classes (the last dim).

    >>> F.multilabel_soft_margin_loss(ember.tensor([[0.0, 0.0]]), ember.tensor([[1.0, 0.0]]))
    tensor(0.6931)
    """
    op = "multilabel_soft_margin_loss"
    _check(op, input, target, weight)
    reduction = _reduction_arg(size_average, reduce, reduction)
    _check_reduction(reduction)
    _check_broadcast(op, input, target)
    loss = -(target * _log_sigmoid(input) + (1 - target) * _log_sigmoid(-input))
    if weight is not None:
        _check_broadcast(op, loss, weight)
        loss = loss * weight
    class_dim = input._data.ndim - 1
    n_classes = input._data.shape[class_dim] if input._data.ndim else 1
    loss = loss.sum(class_dim) / n_classes
    return _reduce(loss, reduction)


def triplet_margin_loss(anchor, positive, negative, margin=1.0, p=2, eps=1e-6, swap=False,
                        size_average=None, reduce=None, reduction="mean"):
    """max(0, d(a, p) - d(a, n) + margin) with the pairwise p-norm distance.

    >>> a = ember.tensor([[0.0, 0.0]])
    >>> F.triplet_margin_loss(a, ember.tensor([[1.0, 0.0]]), ember.tensor([[3.0, 0.0]]))
    tensor(0.)
    """
    op = "triplet_margin_loss"
    _check(op, anchor, positive, negative, names=("anchor", "positive", "negative"))
    reduction = _reduction_arg(size_average, reduce, reduction)
    _check_reduction(reduction)
    a, pdim, n = anchor._data.ndim, positive._data.ndim, negative._data.ndim
    if not a == pdim == n:
        raise RuntimeError(f"{op}: The anchor, positive, and negative tensors are expected to "
                           f"have the same number of dimensions, but got: anchor {a}D, positive "
                           f"{pdim}D, and negative {n}D inputs")
    from .distance import pairwise_distance
    from ...ops.pointwise import minimum
    dist_pos = pairwise_distance(anchor, positive, p, eps)
    dist_neg = pairwise_distance(anchor, negative, p, eps)
    if swap:
        dist_neg = minimum(dist_neg, pairwise_distance(positive, negative, p, eps))
    loss = (dist_pos - dist_neg + margin).clamp_min(0)
    return _reduce(loss, reduction)


def triplet_margin_with_distance_loss(anchor, positive, negative, *, distance_function=None,
                                      margin=1.0, swap=False, reduction="mean"):
    """max(0, d(a, p) - d(a, n) + margin) for any distance function (pairwise_distance by
    default).

    >>> a = ember.tensor([[0.0, 0.0]])
    >>> F.triplet_margin_with_distance_loss(a, a + 1, a + 3)
    tensor(0.)
    """
    op = "triplet_margin_with_distance_loss"
    _check(op, anchor, positive, negative, names=("anchor", "positive", "negative"))
    if reduction not in ("mean", "sum", "none"):
        raise ValueError(f"{reduction} is not a valid value for reduction")
    if margin <= 0:
        raise ValueError(f"margin must be greater than 0, got {margin}")
    a, pdim, n = anchor._data.ndim, positive._data.ndim, negative._data.ndim
    if not a == pdim == n:
        raise RuntimeError(f"{op}: The anchor, positive, and negative tensors are expected to "
                           f"have the same number of dimensions, but got: anchor {a}D, positive "
                           f"{pdim}D, and negative {n}D inputs")
    if distance_function is None:
        from .distance import pairwise_distance as distance_function
    from ...ops.pointwise import minimum
    dist_pos = distance_function(anchor, positive)
    dist_neg = distance_function(anchor, negative)
    if swap:
        dist_neg = minimum(dist_neg, distance_function(positive, negative))
    loss = (dist_pos - dist_neg + margin).clamp_min(0)
    return _reduce(loss, reduction)


def _class_scores_checks(op, input, target):
    nd = input._data.ndim
    if nd not in (1, 2) or input._data.size == 0 and nd != 2:
        raise RuntimeError(f"{op}: Expected non-empty vector or matrix with optional 0-dim "
                           f"batch size, but got: {list(input.shape)}")
    if target._data.dtype != np.dtype(np.int64):
        raise RuntimeError(f"{op}: expected scalar type Long but found {target.dtype}")


def multi_margin_loss(input, target, p=1, margin=1.0, weight=None, size_average=None,
                      reduce=None, reduction="mean"):
    """Multi-class hinge loss: sum over j != y of max(0, margin - x[y] + x[j])^p, over C.

    >>> F.multi_margin_loss(ember.tensor([[0.1, 0.2, 0.4, 0.8]]), ember.tensor([3]))
    tensor(0.3250)
    """
    op = "multi_margin_loss"
    _check(op, input, target, weight, names=("input", "target", "weight"))
    reduction = _reduction_arg(size_average, reduce, reduction)
    _check_reduction(reduction)
    if p not in (1, 2):
        raise ValueError("only p == 1 and p == 2 supported")
    if weight is not None and weight._data.ndim != 1:
        raise ValueError("weight must be one-dimensional")
    _class_scores_checks(op, input, target)
    unbatched = input._data.ndim == 1
    x = input.reshape(1, -1) if unbatched else input
    n, c = x._data.shape
    t = target._data.reshape(-1)
    if t.shape[0] != n:
        raise RuntimeError(f"{op}: inconsistent target size: {list(target.shape)} for input of "
                           f"size: {list(input.shape)}")
    if input._device is not U.META and t.size and (t.min() < 0 or t.max() >= c):
        raise IndexError(f"{op}: target out of range: targets must be in [0, {c}), got "
                         f"{t.tolist()}")
    index = t.reshape(-1, 1)
    margins = (x - _pick(x, index, 1) + margin).clamp_min(0)
    if p == 2:
        margins = margins * margins
    others = xp_of(x._data).ones((n, c), dtype=x._data.dtype)
    if n:
        np.put_along_axis(others, index, 0, 1)
    margins = margins * _const(others, x._device)
    if weight is not None:
        margins = margins * weight[U.wrap(t, x._device)].unsqueeze(1)
    loss = margins.sum(1) / c
    if unbatched:
        loss = loss.reshape(())
    return _reduce(loss, reduction)


def multilabel_margin_loss(input, target, size_average=None, reduce=None, reduction="mean"):
    """Multi-label hinge loss: for each listed target class y (the list ends at the first
    -1) and each class k not listed, max(0, 1 - (x[y] - x[k])), summed and divided by C.

    >>> F.multilabel_margin_loss(ember.tensor([[0.1, 0.2, 0.4, 0.8]]),
    ...                          ember.tensor([[3, 0, -1, 1]]))
    tensor(0.8500)
    """
    op = "multilabel_margin_loss"
    _check(op, input, target)
    reduction = _reduction_arg(size_average, reduce, reduction)
    _check_reduction(reduction)
    _class_scores_checks(op, input, target)
    if target._data.shape != input._data.shape:
        raise RuntimeError(f"{op}: inconsistent target size: {list(target.shape)} for input "
                           f"of size: {list(input.shape)}")
    unbatched = input._data.ndim == 1
    x = input.reshape(1, -1) if unbatched else input
    n, c = x._data.shape
    t = target._data.reshape(n, c)
    # counts[i, j]: how often class j is listed for sample i (before the first -1)
    listed = np.cumprod(t >= 0, axis=1).astype(bool)
    if input._device is not U.META and (t[listed] >= c).any():
        raise IndexError(f"{op}: target out of range: targets must be in [0, {c})")
    xp = xp_of(t)
    counts = xp.zeros((n, c), dtype=x._data.dtype)
    rows = xp.repeat(xp.arange(n), c).reshape(n, c)
    np.add.at(counts, (rows[listed], t[listed]), 1)
    is_target = counts > 0
    pair_weight = counts[:, :, None] * (~is_target)[:, None, :]    # (n, j, k)
    diff = (x.unsqueeze(2) * -1 + x.unsqueeze(1) + 1).clamp_min(0)  # 1 - (x_j - x_k)
    loss = (diff * _const(pair_weight.astype(x._data.dtype), x._device)).sum((1, 2)) / c
    if unbatched:
        loss = loss.reshape(())
    return _reduce(loss, reduction)


# ----------------------------------------------------------------------------------
# ctc_loss
# ----------------------------------------------------------------------------------

class CtcLossBackward0(Node):
    """Gradient of the per-sample CTC losses, computed with the forward pass.

    NOTE: as torch's kernel, the gradient w.r.t. log_probs is ``exp(lp) - exp(lcab + nll -
    lp)``: the exact gradient plus ``exp(lp)``, which is what the logits' gradient becomes
    after a log_softmax.  It is not differentiable again (neither is torch's).
    """

    def release(self):
        self._saved = None        # a second backward raises torch's "freed" error
        self.grad_lp = None

    def backward(self, grad):
        grad_lp = self.grad_lp                       # (T, N, C), per unit of each loss
        g = grad._data.reshape(1, -1, 1).astype(grad_lp.dtype, copy=False)
        out = grad_lp * g
        if self.unbatched:
            out = out[:, 0]
        return (U.wrap(out, grad._device),)


def _lengths(op, value, name, n, device):
    if isinstance(value, Tensor):
        # NOTE: lengths are host metadata (they size the dynamic program's loops)
        arr = to_host(value._data)
        if _FROM_NP[arr.dtype].category != D.INT:
            raise RuntimeError(f"{op}: {name} must be integral, got {value.dtype}")
    elif isinstance(value, numbers.Integral):
        arr = np.asarray(value)
    else:
        try:
            arr = np.asarray(list(value))
        except TypeError:
            raise TypeError(f"{op}(): argument '{name}' must be a tuple of ints or a Tensor, "
                            f"not {type(value).__name__}") from None
    arr = arr.astype(np.int64).reshape(-1)
    if arr.shape[0] != n:
        raise RuntimeError(f"{op}: {name} must have one entry per batch element ({n}), got "
                           f"{arr.shape[0]}")
    return arr


def _ctc_targets(op, targets, target_lengths, n):
    arr = to_host(targets._data)
    if _FROM_NP[arr.dtype].category != D.INT:
        raise RuntimeError(f"{op}: targets must be an integer tensor, got {targets.dtype}")
    arr = arr.astype(np.int64)
    s_max = int(target_lengths.max()) if n else 0
    labels = np.zeros((n, s_max), dtype=np.int64)
    if arr.ndim == 1 and n > 0:
        if arr.shape[0] < target_lengths.sum():
            raise RuntimeError(f"{op}: Expected targets to have at least "
                               f"{int(target_lengths.sum())} elements, got {arr.shape[0]}")
        start = 0
        for i, length in enumerate(target_lengths.tolist()):
            labels[i, :length] = arr[start:start + length]
            start += length
    else:
        if arr.ndim != 2 or arr.shape[0] != n:
            raise RuntimeError(f"{op}: targets must be 1-D (concatenated) or (N, S), got "
                               f"shape {list(targets.shape)}")
        if arr.shape[1] < s_max:
            raise RuntimeError(f"{op}: Expected tensor to have size at least {s_max} at "
                               f"dimension 1, but got size {arr.shape[1]} for argument #2 "
                               "'targets'")
        labels = arr[:, :s_max].copy()
        for i, length in enumerate(target_lengths.tolist()):
            labels[i, length:] = 0
    return labels


def _ctc_forward_backward(lp, labels, input_lengths, target_lengths, blank):
    """Per-sample negative log likelihoods and d(nll)/d(lp) in torch's form."""
    t_max, n, c = lp.shape
    s_max = labels.shape[1]
    width = 2 * s_max + 1
    ext = np.full((n, width), blank, dtype=np.int64)          # blank, l1, blank, l2 ...
    ext[:, 1::2] = labels
    ext_len = 2 * target_lengths + 1
    pos = np.arange(width)
    valid = pos[None, :] < ext_len[:, None]
    # a skip from s-2 to s is allowed between different non-blank labels
    skip = np.zeros((n, width), dtype=bool)
    skip[:, 2:] = (ext[:, 2:] != blank) & (ext[:, 2:] != ext[:, :-2])
    neg_inf = -np.inf
    rows = np.arange(n)[:, None]
    emit = lambda t: lp[t][rows, ext]                        # (n, width)  # noqa: E731
    alpha = np.full((t_max, n, width), neg_inf, dtype=lp.dtype)
    with np.errstate(invalid="ignore", divide="ignore", over="ignore"):
        if t_max:
            first = emit(0)
            alpha[0, :, 0] = first[:, 0]
            has_label = target_lengths > 0
            alpha[0, has_label, 1] = first[has_label, 1]
            alpha[0][~valid] = neg_inf
        for t in range(1, t_max):
            prev = alpha[t - 1]
            acc = prev.copy()
            acc[:, 1:] = np.logaddexp(acc[:, 1:], prev[:, :-1])
            acc[:, 2:] = np.where(skip[:, 2:], np.logaddexp(acc[:, 2:], prev[:, :-2]),
                                  acc[:, 2:])
            cur = acc + emit(t)
            cur[~valid] = neg_inf
            active = (t < input_lengths)[:, None]
            alpha[t] = np.where(active, cur, neg_inf)
        last_t = np.maximum(input_lengths - 1, 0)
        final = alpha[last_t, np.arange(n)]                  # (n, width)
        end = ext_len - 1
        log_p = final[np.arange(n), end]
        log_p = np.where(end >= 1, np.logaddexp(log_p, final[np.arange(n), np.maximum(end - 1,
                                                                                    0)]), log_p)
        log_p = np.where(input_lengths > 0, log_p, np.where(target_lengths == 0, 0.0, neg_inf))
        nll = -log_p
        # beta, run backwards from each sample's last frame
        beta = np.full((t_max, n, width), neg_inf, dtype=lp.dtype)
        for t in range(t_max - 1, -1, -1):
            e = emit(t)
            start = (t == input_lengths - 1)
            init = np.full((n, width), neg_inf, dtype=lp.dtype)
            init[np.arange(n), end] = e[np.arange(n), end]
            init[np.arange(n), np.maximum(end - 1, 0)] = np.where(
                end >= 1, e[np.arange(n), np.maximum(end - 1, 0)], init[np.arange(n), 0])
            if t + 1 < t_max:
                nxt = beta[t + 1]
                acc = nxt.copy()
                acc[:, :-1] = np.logaddexp(acc[:, :-1], nxt[:, 1:])
                skip_next = np.zeros((n, width), dtype=bool)
                skip_next[:, :-2] = skip[:, 2:]
                acc[:, :-2] = np.where(skip_next[:, :-2], np.logaddexp(acc[:, :-2], nxt[:, 2:]),
                                       acc[:, :-2])
                rec = acc + e
            else:
                rec = np.full((n, width), neg_inf, dtype=lp.dtype)
            cur = np.where(start[:, None], init, np.where((t < input_lengths - 1)[:, None], rec,
                                                          neg_inf))
            cur[~valid] = neg_inf
            beta[t] = cur
        # lcab[t, n, c] = log sum over s with ext[s] = c of alpha * beta
        ab = alpha + beta
        lcab = np.full((t_max, n, c), neg_inf, dtype=lp.dtype)
        for s in range(width):
            cls = ext[:, s]
            cur = lcab[:, np.arange(n), cls]
            lcab[:, np.arange(n), cls] = np.logaddexp(cur, ab[:, :, s])
        grad = np.exp(lp) - np.exp(lcab + nll[None, :, None] - lp)
        frames = np.arange(t_max)[:, None] < input_lengths[None, :]
        grad = np.where(frames[:, :, None], grad, 0).astype(lp.dtype)
    return nll.astype(lp.dtype), grad


def ctc_loss(log_probs, targets, input_lengths, target_lengths, blank=0, reduction="mean",
             zero_infinity=False):
    """Connectionist Temporal Classification loss over log-probabilities (T, N, C) or (T, C).

    ``targets`` is padded (N, S) or the concatenation of all targets; the lengths are tensors
    or sequences of ints.

    >>> lp = ember.full((5, 1, 3), -1.0986)      # uniform over 3 classes
    >>> F.ctc_loss(lp, ember.tensor([[1, 2]]), [5], [2]).shape
    torch.Size([])
    """
    op = "ctc_loss"
    _check(op, log_probs, targets, names=("log_probs", "targets"))
    device = U.common_device(op, (log_probs, targets))
    _check_reduction(reduction)
    if not _is_float(log_probs) or log_probs._data.dtype in _LOW:
        raise NotImplementedError(f'"ctc_loss_cpu" not implemented for {log_probs.dtype}')
    unbatched = log_probs._data.ndim == 2
    if log_probs._data.ndim not in (2, 3):
        raise RuntimeError(f"{op}: log_probs must be (T, N, C) or (T, C), got shape "
                           f"{list(log_probs.shape)}")
    lp = log_probs._data[:, None] if unbatched else log_probs._data
    t_max, n, c = lp.shape
    if not 0 <= blank < c:
        raise RuntimeError("blank must be in label range")
    in_len = _lengths(op, input_lengths, "input_lengths", n, device)
    tg_len = _lengths(op, target_lengths, "target_lengths", n, device)
    if in_len.size and in_len.max() > t_max:
        raise RuntimeError(f"Expected input_lengths to have value at most {t_max}, but got "
                           f"value {int(in_len.max())}")
    if (in_len < 0).any() or (tg_len < 0).any():
        raise RuntimeError(f"{op}: lengths must be non-negative")
    tg = targets
    if unbatched and targets._data.ndim == 1:
        tg = targets.reshape(1, -1)
    labels = _ctc_targets(op, tg, tg_len, n)
    if device is not U.META and labels.size and ((labels < 0) | (labels >= c)).any():
        raise RuntimeError(f"{op}: targets must be in [0, {c}), got "
                           f"{labels[(labels < 0) | (labels >= c)][:1].tolist()}")
    if device is U.META:
        nll = np.zeros(n, lp.dtype)
        grad_lp = np.zeros(lp.shape, lp.dtype)
    else:
        # NOTE: the CTC dynamic program runs on the host (one small step per time frame
        # and label; CuPy has no CTC kernel); its results go back to the input's device.
        nll, grad_lp = _ctc_forward_backward(np.ascontiguousarray(to_host(lp)), labels, in_len,
                                             tg_len, blank)
        nll, grad_lp = move_array(nll, device), move_array(grad_lp, device)
    if zero_infinity:
        bad = np.isinf(nll)
        nll = np.where(bad, 0, nll).astype(lp.dtype)
        grad_lp = np.where(bad[None, :, None], 0, grad_lp).astype(lp.dtype)
    res = U.wrap(nll, device)
    if GRAD.enabled and log_probs._rg:
        node = record(CtcLossBackward0, res, (log_probs,))
        node.grad_lp, node.unbatched = grad_lp, unbatched
    if reduction == "mean":
        lengths = U.wrap(move_array(np.maximum(tg_len, 1).astype(lp.dtype), device), device)
        return (res / lengths).mean()
    if reduction == "sum":
        return res.sum()
    return res.reshape(()) if unbatched else res

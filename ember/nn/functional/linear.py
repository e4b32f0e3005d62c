"""linear, bilinear.

``linear`` is the hot path of every MLP, so it is one primitive (one graph node): the
leading dims of the input are folded into one GEMM ``x @ W.T`` and the bias is added in
place into the fresh result.  float16/bfloat16 are multiplied in float32 and rounded once.
"""
import numpy as np

from ... import _dtype as D
from ..._tensor import Tensor, _wrap
from ...autograd import grad_mode
from ...autograd.graph import Node

__all__ = ["linear", "bilinear"]

_GRAD = grad_mode.STATE
_FROM_NP = D._FROM_NP
_LOW = (np.dtype(np.float16), D.bfloat16.np)


class _LinearBackward(Node):
    """y = x @ W.T + b; saved: x, W (only those a gradient needs)."""

    _bias_vector = True   # the bias has shape (out_features,)

    def backward(self, grad):
        x, w = self.saved_tensors
        nf = self.next_functions
        gx = gw = gb = None
        if nf[0][0] is not None:
            gx = grad.matmul(w)
        want_bias = len(nf) > 2 and nf[2][0] is not None
        if nf[1][0] is not None or want_bias:
            n = grad.shape[-1]
            rows = 1
            for s in grad.shape[:-1]:
                rows *= s
            grad2 = grad.reshape(rows, n)   # explicit sizes: -1 is ambiguous when empty
            if nf[1][0] is not None:
                gw = grad2.mT.matmul(x.reshape(rows, x.shape[-1]))
            if want_bias:
                # the engine sums a broadcast grad down to an unusual bias shape
                gb = grad2.sum(0) if self._bias_vector else grad
        return (gx, gw, gb) if len(nf) > 2 else (gx, gw)


# NOTE: torch reaches linear through addmm/mm and views, so its grad_fn names depend on
# the input's rank and on the bias; ember's single node carries the same names.
class AddmmBackward0(_LinearBackward):
    pass


class MmBackward0(_LinearBackward):
    pass


class ViewBackward0(_LinearBackward):
    pass


class UnsafeViewBackward0(_LinearBackward):
    pass


class SqueezeBackward4(_LinearBackward):
    pass


def _node_class(ndim, has_bias):
    if ndim == 2:
        return AddmmBackward0 if has_bias else MmBackward0
    if ndim == 1:
        return ViewBackward0 if has_bias else SqueezeBackward4
    return ViewBackward0 if has_bias else UnsafeViewBackward0


def _dtype_name(arr):
    return str(_FROM_NP[arr.dtype]).replace("torch.", "")


def _linear_error(x, w):
    lead = int(np.prod(x.shape[:-1])) if x.ndim > 1 else 1
    return RuntimeError(
        f"linear(): the input's last dim is {x.shape[-1]} but the weight expects in_features="
        f"{w.shape[1]} (input shape {tuple(x.shape)}, weight shape {tuple(w.shape)}; mat1 and mat2 "
        f"shapes cannot be multiplied ({lead}x{x.shape[-1]} and {w.shape[1]}x{w.shape[0]}))")


def _check(input, weight, bias):
    for value, name in ((input, "input"), (weight, "weight")):
        if not isinstance(value, Tensor):
            raise TypeError(f"linear(): argument '{name}' (position {1 if name == 'input' else 2}) "
                            f"must be Tensor, not {type(value).__name__}")
    if bias is not None and not isinstance(bias, Tensor):
        raise TypeError(f"linear(): argument 'bias' (position 3) must be Tensor, not "
                        f"{type(bias).__name__}")
    x, w = input._data, weight._data
    if x.dtype != w.dtype or (bias is not None and bias._data.dtype != x.dtype):
        other = w if x.dtype != w.dtype else bias._data
        raise RuntimeError(f"linear(): expected the input, weight and bias to have the same dtype, "
                           f"but got {_dtype_name(x)} and {_dtype_name(other)}")
    if input._device is not weight._device or (bias is not None and
                                               bias._device is not input._device):
        other = weight._device if input._device is not weight._device else bias._device
        raise RuntimeError(f"linear(): Expected all tensors to be on the same device, but found "
                           f"at least two devices, {input._device} and {other}!")
    if x.ndim == 0:
        raise RuntimeError("linear(): both arguments to linear need to be at least 1D, but they "
                           f"are 0D and {w.ndim}D")
    if x.dtype == np.bool_:
        raise RuntimeError("linear(): \"addmm_impl_cpu_\" not implemented for 'Bool'")


def linear(input, weight, bias=None):
    """y = input @ weight.T + bias, for any number of leading dims.

    >>> F.linear(ember.ones(2, 3), ember.ones(4, 3), ember.zeros(4)).shape
    torch.Size([2, 4])
    """
    # Fast path: one glance at the metadata; anything unusual goes through _check, which
    # raises torch's error (or accepts, e.g. equal dtypes that are not the same object).
    try:
        x = input._data
        w = weight._data
        b = None if bias is None else bias._data
    except AttributeError:
        _check(input, weight, bias)
        raise
    dtype = x.dtype
    device = input._device
    if (w.dtype is not dtype or weight._device is not device or w.ndim != 2 or x.ndim == 0
            or dtype.kind == "b" or (b is not None and (b.dtype is not dtype
                                                        or bias._device is not device))):
        _check(input, weight, bias)
        if w.ndim != 2:
            return _linear_composite(input, weight, bias)
    k = x.shape[-1]
    if k != w.shape[1]:
        raise _linear_error(x, w)
    low = dtype.itemsize == 2 and dtype in _LOW
    if low:
        xc, wc = x.astype(np.float32), w.astype(np.float32)
    else:
        xc, wc = x, w
    if x.ndim == 2:
        out = xc @ wc.T
    elif x.ndim == 1:
        out = wc @ xc
    else:
        out = (xc.reshape(-1, k) @ wc.T).reshape(x.shape[:-1] + (w.shape[0],))
    if b is not None:
        if low:
            b = b.astype(np.float32)
        try:
            out += b   # in place into the fresh result (the usual (out_features,) bias)
        except ValueError:
            # a bias that broadcasts x @ W.T to a bigger shape: two ops, as torch's add
            return _linear_broadcast_bias(input, weight, bias)
    if low:
        out = out.astype(x.dtype)
    res = _wrap(out, input._device)
    if _GRAD.enabled and (input._rg or weight._rg or (b is not None and bias._rg)):
        node = _node_class(x.ndim, b is not None)()
        node.connect((input, weight) if b is None else (input, weight, bias))
        res._grad_fn = node
        res._rg = True
        if b is not None and b.shape != (w.shape[0],):
            node._bias_vector = False
        # save only what a gradient needs: W for the input's, x for W's
        node.save(input if weight._rg else None, weight if input._rg else None)
    return res


def _linear_broadcast_bias(input, weight, bias):
    out = linear(input, weight)
    try:
        return out + bias
    except RuntimeError as exc:
        raise RuntimeError(f"linear(): the bias of shape {tuple(bias.shape)} does not broadcast "
                           f"to the output shape {tuple(out.shape)} ({exc})") from None


def _linear_composite(input, weight, bias):
    """The rare shape of a 1-d weight: a matrix-vector (or dot) product."""
    if weight.ndim != 1:
        raise RuntimeError(f"linear(): t() expects a tensor with <= 2 dimensions, but the weight "
                           f"is {weight.ndim}D (shape {tuple(weight.shape)})")
    from ...ops.linalg import matmul
    out = matmul(input, weight)
    if bias is not None:
        out = out + bias
    return out


def bilinear(input1, input2, weight, bias=None):
    """y[..., o] = sum_ij x1[..., i] W[o, i, j] x2[..., j] + b[o].

    >>> F.bilinear(ember.ones(2, 3), ember.ones(2, 4), ember.ones(5, 3, 4)).shape
    torch.Size([2, 5])
    """
    for value, name in ((input1, "input1"), (input2, "input2"), (weight, "weight")):
        if not isinstance(value, Tensor):
            raise TypeError(f"bilinear(): argument '{name}' must be Tensor, not "
                            f"{type(value).__name__}")
    if weight.ndim != 3:
        raise RuntimeError(f"bilinear(): weight must be a 3-D tensor, got {weight.ndim}-D")
    if input1.ndim != input2.ndim:
        raise RuntimeError(f"bilinear(): input1 and input2 must have the same number of dims, but "
                           f"got {input1.ndim} and {input2.ndim}")
    if input1.shape[:-1] != input2.shape[:-1]:
        raise RuntimeError(f"bilinear(): input batch dimensions do not match: got "
                           f"{tuple(input1.shape[:-1])} and {tuple(input2.shape[:-1])}")
    o, i, j = weight.shape
    if input1.shape[-1] != i:
        raise RuntimeError(f"bilinear(): input1 size does not match weight size: got "
                           f"{input1.shape[-1]} but expected {i}")
    if input2.shape[-1] != j:
        raise RuntimeError(f"bilinear(): input2 size does not match weight size: got "
                           f"{input2.shape[-1]} but expected {j}")
    if bias is not None and (bias.ndim != 1 or bias.shape[0] != o):
        raise RuntimeError(f"bilinear(): bias size does not match weight size: got "
                           f"{tuple(bias.shape)} but expected ({o},)")
    lead = input1.shape[:-1]
    x1 = input1.reshape(-1, i)
    x2 = input2.reshape(-1, j)
    # (n, i) @ (i, o*j) -> (n, o, j), then contract j with x2: two GEMM-like steps
    t = x1.matmul(weight.permute(1, 0, 2).reshape(i, o * j)).reshape(-1, o, j)
    out = t.matmul(x2.unsqueeze(-1)).squeeze(-1)
    if bias is not None:
        out = out + bias
    return out.reshape(tuple(lead) + (o,))

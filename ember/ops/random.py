"""Random ops: rand, randn, randint, randperm, normal, bernoulli, multinomial, poisson,
their ``_like`` forms, and the in-place Tensor methods (uniform_, normal_, bernoulli_,
random_, exponential_, geometric_, cauchy_, log_normal_).

Every op draws from ``generator=`` or the default generator of its device
(``ember/_random.py``): NumPy's PCG64 for cpu tensors, CuPy's Philox on the device for
cuda tensors (the samplers below take either, through the same NumPy-Generator calls).
The numbers are ember's own, never torch's; shapes, dtypes, argument
checks and errors follow torch.  float16/bfloat16 values are drawn in float32 and
rounded, except uniform draws, which use as many random bits as the type holds so that
they stay below 1 (as torch's do).  Meta tensors draw nothing.

Random ops are not differentiable in their random part: like torch, ``normal`` and
``bernoulli`` of inputs that require grad record a node whose gradient is zero.
"""

__all__ = ["bernoulli", "multinomial", "normal", "poisson", "rand", "rand_like", "randint",
           "randint_like", "randn", "randn_like", "randperm"]

import builtins
import math
import warnings

import numpy as np

from .. import _dtype as D
from .._device import META, as_device, meta_array, move_array
from .._random import sampler
from .._tensor import Tensor, _wrap
from ..autograd.graph import Node
from . import _util as U
from ._inplace import apply_inplace
from ._util import GRAD, record
from .creation import (C_TYPE_NAME, FLOAT_MAX, TYPE_NAME, _check_dtype, _check_int,
                       _check_number, _factory, _out_dtype, not_implemented, parse_size,
                       size_from_args)

# Bits of a uniform draw per float type: its mantissa width plus the implicit bit.
_DIGITS = {D.float16: 11, D.bfloat16: 8, D.float32: 24, D.float64: 53}


# ----------------------------------------------------------------------------------
# samplers on NumPy arrays (also for other modules: dropout, nn.init)
# ----------------------------------------------------------------------------------

def uniform_array(gen, shape, dtype):
    """Uniform [0, 1) values of ember dtype ``dtype`` (floating) from ``gen`` (a NumPy
    generator, or a cuda sampler: ``ember._random.sampler``)."""
    if dtype is D.float32 or dtype is D.float64:
        return gen.random(shape, dtype=dtype.np)
    # NOTE: rounding a float32 draw to float16 could give 1.0; drawing as many bits as
    # the type holds keeps the values in [0, 1), as torch's kernels do.
    digits = _DIGITS[dtype]
    bits = gen.integers(0, 1 << digits, size=shape, dtype=np.int32)
    return (bits.astype(np.float32) * np.float32(2.0 ** -digits)).astype(dtype.np)


def _compute_np(dtype):
    """The NumPy dtype random floats of ``dtype`` are computed in (float32 for 16-bit)."""
    return np.float64 if dtype is D.float64 else np.float32


def normal_array(gen, shape, dtype):
    """Standard normal values, computed in float32 (float64 for float64), not yet cast.
    A complex dtype gets real and imaginary parts of variance 1/2 each (E|z|^2 = 1), as
    torch's randn."""
    if dtype.category == D.COMPLEX:
        part = np.float64 if dtype is D.complex128 else np.float32
        pairs = gen.standard_normal(tuple(shape) + (2,), dtype=part) * part(np.sqrt(0.5))
        return pairs.view(dtype.np).reshape(shape)
    return gen.standard_normal(shape, dtype=_compute_np(dtype))


def _floating_or_raise(dtype, kernel, numel=1):
    """torch's error for a float-only kernel; ``numel=0`` skips it.

    NOTE: torch never reaches the normal, bernoulli, exponential, log-normal and
    geometric kernels for empty tensors, so ``randn(0, dtype=int64)`` is not an error
    (while ``rand(0, dtype=int64)`` is: its bounds check runs first).
    """
    if dtype.category != D.FLOAT and numel:
        raise not_implemented(kernel, dtype)


# ----------------------------------------------------------------------------------
# rand / randn / randint / randperm and their _like forms
# ----------------------------------------------------------------------------------

def _target_device(device, out):
    return out._device if isinstance(out, Tensor) else as_device(device)


def _kernel_check(dt, kernel, numel, device):
    """The dtype check of a random kernel, skipped where torch never reaches it.

    NOTE: on the meta device torch runs no kernel, so the uniform kernels' dtype checks
    (and integer range checks) do not happen there; normal's dtype check does.
    """
    if kernel == "check_uniform_bounds":
        numel = 0 if device is META else 1
    if kernel == "normal_kernel_cpu" and dt.category == D.COMPLEX:
        return    # randn has a complex kernel
    _floating_or_raise(dt, kernel, numel)


def _random_factory(op, kernel, args, size, generator, out, dtype, device, requires_grad,
                    sample):
    _check_dtype(dtype, op)
    shape = size_from_args(args, size, op)
    dt = _out_dtype(dtype, out, op) or D.get_default_dtype()
    target = _target_device(device, out)
    gen = sampler(generator, target, op)
    _kernel_check(dt, kernel, math.prod(shape), target)
    # (``_factory`` passes the target device's array namespace; the sampler, made for
    # that device, already draws there)
    return _factory(op, shape, dt, device, requires_grad, out,
                    lambda xp: sample(gen, shape, dt).astype(dt.np, copy=False))


def rand(*args, size=None, generator=None, out=None, dtype=None, layout=None, device=None,
         requires_grad=False, pin_memory=False):
    """Uniform random values in [0, 1), of the default float dtype unless dtype= is given.

    >>> ember.manual_seed(0)  # doctest: +ELLIPSIS
    <ember.Generator ...>
    >>> ember.rand(2, 3).shape
    torch.Size([2, 3])
    """
    return _random_factory("rand", "check_uniform_bounds", args, size, generator, out, dtype,
                           device, requires_grad, uniform_array)


def randn(*args, size=None, generator=None, out=None, dtype=None, layout=None, device=None,
          requires_grad=False, pin_memory=False):
    """Standard normal random values (mean 0, std 1).

    >>> ember.randn(4, dtype=ember.float64).dtype
    torch.float64
    """
    return _random_factory("randn", "normal_kernel_cpu", args, size, generator, out, dtype,
                           device, requires_grad, normal_array)


def _like_setup(op, input, dtype, device):
    U.check_tensor(input, op)
    _check_dtype(dtype, op)
    dt = dtype or input.dtype
    device = input._device if device is None else as_device(device)
    return dt, device


def _random_like(op, kernel, input, generator, dtype, device, requires_grad, sample):
    dt, device = _like_setup(op, input, dtype, device)
    gen = sampler(generator, device, op)
    shape = input._data.shape
    _kernel_check(dt, kernel, input._data.size, device)
    return _factory(op, shape, dt, device, requires_grad, None,
                    lambda xp: sample(gen, shape, dt).astype(dt.np, copy=False))


def rand_like(input, *, generator=None, dtype=None, layout=None, device=None,
              requires_grad=False, memory_format=None):
    """``rand`` with the shape (and by default dtype and device) of ``input``.

    >>> ember.rand_like(ember.zeros(2, 2)).shape
    torch.Size([2, 2])
    """
    return _random_like("rand_like", "check_uniform_bounds", input, generator, dtype, device,
                        requires_grad, uniform_array)


def randn_like(input, *, generator=None, dtype=None, layout=None, device=None,
               requires_grad=False, memory_format=None):
    """``randn`` with the shape of ``input``.

    >>> ember.randn_like(ember.zeros(3)).shape
    torch.Size([3])
    """
    return _random_like("randn_like", "normal_kernel_cpu", input, generator, dtype, device,
                        requires_grad, normal_array)


def _integer_bounds_check(low, high, dtype, op="random_"):
    """torch's checks for integers drawn from [low, high) into ``dtype``."""
    if low >= high:
        raise RuntimeError(f"{op} expects 'from' to be less than 'to', but got from={low} >= "
                           f"to={high}")
    name = C_TYPE_NAME[dtype]
    if dtype is D.bool:
        lo, hi = 0, 1
    elif dtype.category == D.INT:
        info = np.iinfo(dtype.np)
        lo, hi = int(info.min), int(info.max)
    else:
        big = FLOAT_MAX[dtype]
        lo, hi = -big, big
        digits = _DIGITS[dtype]
        if low < -(1 << digits) or high - 1 > (1 << digits):
            warnings.warn(f"{op}: to - 1 is out of bounds [-(2^{digits}), 2^{digits}]. Due to "
                          f"precision limitations {name} can support discrete uniform "
                          "distribution only within this range.", UserWarning, stacklevel=4)
    if low < lo:
        raise RuntimeError(f"{op}: from is out of bounds for {name} (from={low})")
    if high - 1 > hi:
        raise RuntimeError(f"{op}: to - 1 is out of bounds for {name} (to={high})")


def _integers(gen, low, high, shape, dtype):
    """Integers uniform in [low, high) as ``dtype`` (any dtype; values are exact)."""
    arr = gen.integers(low, high, size=shape, dtype=np.int64)
    return arr if dtype is D.int64 else arr.astype(dtype.np)


def _parse_randint(args, low, high, size):
    """randint's overloads: (high, size), (low, high, size), and their keyword forms."""
    given = {"low": low, "high": high, "size": size}
    count = len(args) + builtins.sum(v is not None for v in given.values())
    names = ["low", "high", "size"] if count >= 3 else ["high", "size"]
    free = [n for n in names if given[n] is None]
    if len(args) > len(free):
        raise TypeError(f"randint() takes at most 3 positional arguments but {len(args)} were "
                        "given")
    for name, value in zip(free, args):
        given[name] = value
    if given["high"] is None or given["size"] is None:
        raise TypeError("randint() missing required arguments 'high' and 'size'")
    return (0 if given["low"] is None else given["low"]), given["high"], given["size"]


def randint(*args, low=None, high=None, size=None, generator=None, out=None, dtype=None,
            layout=None, device=None, requires_grad=False, pin_memory=False):
    """Random integers uniform in [low, high) (low defaults to 0), int64 unless dtype= given.

    >>> ember.randint(3, 10, (2, 2)).dtype
    torch.int64
    """
    low, high, size = _parse_randint(args, low, high, size)
    low = _check_int(low, "randint", "low")
    high = _check_int(high, "randint", "high")
    if not isinstance(size, (tuple, list)):
        raise TypeError(f"randint(): argument 'size' must be tuple of ints, not "
                        f"{type(size).__name__}")
    _check_dtype(dtype, "randint")
    shape = parse_size((size,), "randint")
    dt = _out_dtype(dtype, out, "randint") or D.int64
    target = _target_device(device, out)
    gen = sampler(generator, target, "randint")
    if target is not META:
        _integer_bounds_check(low, high, dt)
    return _factory("randint", shape, dt, device, requires_grad, out,
                    lambda xp: _integers(gen, low, high, shape, dt))


def randint_like(input, low=0, high=None, *, generator=None, dtype=None, layout=None,
                 device=None, requires_grad=False, memory_format=None):
    """``randint`` with the shape (and by default dtype) of ``input``; ``randint_like(x, high)``
    or ``randint_like(x, low, high)``.

    >>> ember.randint_like(ember.zeros(3), 5).dtype
    torch.float32
    """
    if high is None:
        low, high = 0, low
    low = _check_int(low, "randint_like", "low")
    high = _check_int(high, "randint_like", "high")
    dt, device = _like_setup("randint_like", input, dtype, device)
    gen = sampler(generator, device, "randint_like")
    if device is not META:
        _integer_bounds_check(low, high, dt)
    shape = input._data.shape
    return _factory("randint_like", shape, dt, device, requires_grad, None,
                    lambda xp: _integers(gen, low, high, shape, dt))


def _randperm_limit(dtype):
    """Largest n torch permutes in ``dtype`` (None: no limit)."""
    if dtype.category == D.INT:
        return int(np.iinfo(dtype.np).max) + 1
    # NOTE: torch bounds float16 and float32 by their exact integers, but not bfloat16.
    return {D.float16: 2049, D.float32: (1 << 24) + 1, D.float64: (1 << 53) + 1}.get(dtype)


def randperm(n, *, generator=None, out=None, dtype=None, layout=None, device=None,
             requires_grad=False, pin_memory=False):
    """A random permutation of 0 .. n-1 (int64 unless dtype= is given).

    >>> sorted(ember.randperm(4).tolist())
    [0, 1, 2, 3]
    """
    n = _check_int(n, "randperm", "n")
    _check_dtype(dtype, "randperm")
    dt = _out_dtype(dtype, out, "randperm") or D.int64
    gen = sampler(generator, _target_device(device, out), "randperm")
    if n < 0:
        raise RuntimeError(f"randperm(): Trying to create tensor with negative dimension {n}: "
                           f"[{n}]")
    meta = _target_device(device, out) is META
    if dt is D.bool and not meta:
        raise not_implemented("randperm", dt)
    limit = _randperm_limit(dt)
    if limit is not None and n > limit and not meta:
        raise RuntimeError(f"randperm(): n cannot be greater than {limit} for "
                           f"{TYPE_NAME[dt]} type (got n={n}).")
    return _factory("randperm", (n,), dt, device, requires_grad, out,
                    lambda xp: gen.permutation(n).astype(dt.np, copy=False))


# ----------------------------------------------------------------------------------
# normal
# ----------------------------------------------------------------------------------

class _ZeroGradNode(Node):
    """Backward of a random op: the samples do not depend on the parameters (zero grads)."""

    def backward(self, grad):
        from .creation import zeros
        grads = []
        for edge, meta in zip(self.next_functions, self._input_meta):
            if edge[0] is None or meta is None:
                grads.append(None)
                continue
            shape, np_dtype = meta
            grads.append(zeros(shape, dtype=D._FROM_NP[np_dtype], device=grad._device))
        return tuple(grads)


def _zero_grad_node(name):
    """A node class named like torch's grad_fn for a random op (zero gradients)."""
    return type(name, (_ZeroGradNode,), {"__module__": __name__})


NormalBackward0 = _zero_grad_node("NormalBackward0")  # Tensor.normal_
NormalBackward1 = _zero_grad_node("NormalBackward1")  # normal(Tensor mean, float std)
NormalBackward2 = _zero_grad_node("NormalBackward2")  # normal(float mean, Tensor std)
NormalBackward3 = _zero_grad_node("NormalBackward3")  # normal(Tensor mean, Tensor std)


def _check_std(std, op="normal"):
    if not std >= 0.0:
        raise RuntimeError(f"{op} expects std >= 0.0, but found std {std}")


def _normal_tensor_checks(t):
    _floating_or_raise(t.dtype, "normal_kernel_cpu", t._data.size)


def normal(mean, std=1.0, size=None, *, generator=None, out=None, dtype=None, layout=None,
           device=None, pin_memory=False, requires_grad=False):
    """Normal samples; ``mean`` and ``std`` are tensors (broadcast) or floats.

    ``normal(mean_tensor, std_tensor)``, ``normal(mean_tensor, std=1.0)``,
    ``normal(mean_float, std_tensor)``, or ``normal(mean_float, std_float, size)``.
    The dtype is the mean tensor's (else the std tensor's, else the default).

    >>> ember.normal(ember.zeros(2, 3), 1.0).shape
    torch.Size([2, 3])
    >>> ember.normal(2.0, 3.0, (4,)).shape
    torch.Size([4])
    """
    mean_t, std_t = isinstance(mean, Tensor), isinstance(std, Tensor)
    if not mean_t and not std_t:
        gen = sampler(generator, _target_device(device, out), "normal")
        return _normal_floats(gen, mean, std, size, out, dtype, device, requires_grad)
    if size is not None or dtype is not None or device is not None or requires_grad:
        raise TypeError("normal(): size, dtype, device and requires_grad are only accepted "
                        "when mean and std are both numbers")
    if mean_t:
        _normal_tensor_checks(mean)
    else:
        mean = _check_number(mean, "normal", "mean")
    if std_t:
        _normal_tensor_checks(std)
        if std._device is not META and std._data.size and not (std._data >= 0).all():
            raise RuntimeError("normal expects all elements of std >= 0.0")
    else:
        std = _check_number(std, "normal", "std")
        _check_std(std)
    result_dtype = mean.dtype if mean_t else std.dtype
    device = U.common_device("normal", (mean, std))
    gen = sampler(generator, device, "normal")
    shape = _broadcast_shape("normal", mean, std)
    if device is META:
        res = _wrap(meta_array(shape, result_dtype.np), META)
    else:
        compute = _compute_np(result_dtype)
        m = mean._data.astype(compute, copy=False) if mean_t else compute(mean)
        s = std._data.astype(compute, copy=False) if std_t else compute(std)
        z = gen.standard_normal(shape, dtype=compute)
        z *= s
        z += m
        res = _wrap(z.astype(result_dtype.np, copy=False), device)
    if GRAD.enabled and (getattr(mean, "_rg", False) or getattr(std, "_rg", False)):
        if mean_t and std_t:
            record(NormalBackward3, res, (mean, std))
        elif mean_t:
            record(NormalBackward1, res, (mean,))
        else:
            record(NormalBackward2, res, (std,))
    if out is not None:
        return U.write_out(out, res, "normal")
    return res


def _broadcast_shape(op, a, b):
    sa = a._data.shape if isinstance(a, Tensor) else ()
    sb = b._data.shape if isinstance(b, Tensor) else ()
    try:
        return np.broadcast_shapes(sa, sb)
    except ValueError:
        raise U.broadcast_error(op, np.empty(sa), np.empty(sb)) from None


def _normal_floats(gen, mean, std, size, out, dtype, device, requires_grad):
    mean = _check_number(mean, "normal", "mean")
    std = _check_number(std, "normal", "std")
    if size is None:
        raise TypeError("normal(): with float mean and std, the 'size' argument is required")
    _check_dtype(dtype, "normal")
    shape = parse_size((size,), "normal")
    dt = _out_dtype(dtype, out, "normal") or D.get_default_dtype()
    _floating_or_raise(dt, "normal_kernel_cpu", math.prod(shape))
    _check_std(std)

    def make(xp):
        z = normal_array(gen, shape, dt)
        z *= std
        z += mean
        return z.astype(dt.np, copy=False)
    return _factory("normal", shape, dt, device, requires_grad, out, make)


# ----------------------------------------------------------------------------------
# bernoulli / multinomial / poisson
# ----------------------------------------------------------------------------------

BernoulliBackward0 = _zero_grad_node("BernoulliBackward0")  # bernoulli(Tensor p)
BernoulliBackward1 = _zero_grad_node("BernoulliBackward1")  # Tensor.bernoulli_(Tensor p)
BernoulliBackward2 = _zero_grad_node("BernoulliBackward2")  # Tensor.bernoulli_(float p)
PoissonBackward0 = _zero_grad_node("PoissonBackward0")


class NotImplementedBackward(Node):
    """torch records a node without a formula for ``bernoulli(input, p)``; backward fails."""

    def name(self):
        return "NotImplemented"

    def backward(self, grad):
        raise RuntimeError("the derivative for 'bernoulli' with a float p is not implemented.")


def _check_p(p, op="bernoulli_"):
    if not 0.0 <= p <= 1.0:
        raise RuntimeError(f"{op} expects p to be in [0, 1], but got p={p}")


def _check_p_tensor(p):
    arr = p._data
    if p._device is not META and arr.size and not ((arr >= 0) & (arr <= 1)).all():
        raise RuntimeError("bernoulli: expected all probabilities in p to be in [0, 1] (and not "
                           "nan)")


def _bernoulli_array(gen, probs, shape, np_dtype):
    """0/1 of ``np_dtype``: 1 where a uniform draw falls below ``probs`` (an array on the
    draw's device, broadcast, or a number)."""
    is_array = hasattr(probs, "shape")
    compute = np.float64 if is_array and probs.dtype == np.float64 else np.float32
    u = gen.random(shape, dtype=compute)
    p = probs.astype(compute, copy=False) if is_array else compute(probs)
    return np.less(u, p).astype(np_dtype)


def bernoulli(input, p=None, *, generator=None, out=None):
    """0/1 samples: ``bernoulli(probs)`` draws 1 with probability ``probs[i]``;
    ``bernoulli(input, p)`` draws with probability ``p`` in ``input``'s shape and dtype.

    >>> ember.bernoulli(ember.tensor([0.0, 1.0]))
    tensor([0., 1.])
    """
    U.check_tensor(input, "bernoulli")
    gen = sampler(generator, input._device, "bernoulli")
    if isinstance(p, Tensor):
        raise TypeError("bernoulli(): argument 'p' must be float, not Tensor (use "
                        "input.bernoulli_(p) to draw with tensor probabilities)")
    shape = input._data.shape
    out_np = out._data.dtype if isinstance(out, Tensor) else input._data.dtype
    if p is None:
        _floating_or_raise(input.dtype, "bernoulli_tensor_cpu_p_", input._data.size)
        _check_p_tensor(input)
        probs = input._data
        node_cls = BernoulliBackward0
    else:
        p = _check_number(p, "bernoulli", "p")
        _check_p(p)
        probs = p
        node_cls = NotImplementedBackward
    if input._device is META:
        res = _wrap(meta_array(shape, out_np), META)
    else:
        res = _wrap(_bernoulli_array(gen, probs, shape, out_np), input._device)
    if out is not None:
        return U.write_out(out, res, "bernoulli")
    if GRAD.enabled and input._rg:
        record(node_cls, res, (input,))
    return res


def _multinomial_checks(input, num_samples, replacement):
    U.check_tensor(input, "multinomial")
    num_samples = _check_int(num_samples, "multinomial", "num_samples")
    if input._data.ndim not in (1, 2):
        raise RuntimeError(f"multinomial(): prob_dist must be 1 or 2 dim (got shape "
                           f"{list(input.shape)})")
    if input.dtype.category != D.FLOAT:
        raise RuntimeError(f"multinomial only supports floating-point dtypes for input, got: "
                           f"{TYPE_NAME[input.dtype]}")
    if num_samples <= 0:
        raise RuntimeError(f"multinomial(): cannot sample n_sample <= 0 samples (got "
                           f"{num_samples})")
    n_categories = input._data.shape[-1]
    if not replacement and num_samples > n_categories:
        raise RuntimeError(f"multinomial(): cannot sample n_sample > prob_dist.size(-1) samples "
                           f"without replacement (n_sample={num_samples}, "
                           f"categories={n_categories})")
    if n_categories > (1 << 24):
        raise RuntimeError("multinomial(): number of categories cannot exceed 2^24")
    return num_samples


def _multinomial_rows(gen, probs, num_samples, replacement):
    """Indices (rows x num_samples) drawn from the rows of ``probs`` (float64, checked)."""
    rows, n = probs.shape
    if type(probs) is not np.ndarray:
        return _multinomial_rows_device(gen, probs, num_samples, replacement)
    result = np.empty((rows, num_samples), dtype=np.int64)
    if replacement:
        # Inverse CDF: searching draws in [0, total) with side='right' never lands on a
        # zero-probability category.
        cdf = np.cumsum(probs, axis=1)
        draws = gen.random((rows, num_samples)) * cdf[:, -1:]
        for r in range(rows):
            result[r] = np.searchsorted(cdf[r], draws[r], side="right")
        np.minimum(result, n - 1, out=result)
        return result
    # Without replacement: the num_samples largest p / E (E ~ Exp(1)) are a draw of
    # categories in order, each with probability proportional to p among those left.
    keys = probs / gen.standard_exponential((rows, n))
    order = np.argsort(-keys, axis=1, kind="stable")
    return np.ascontiguousarray(order[:, :num_samples])


# Largest boolean temporary (elements) of the device path's vectorised inverse CDF.
_CHUNK = 1 << 24


def _multinomial_rows_device(gen, probs, num_samples, replacement):
    """``_multinomial_rows`` for device arrays, without a loop over rows: the inverse CDF
    counts the cdf entries at or below each draw (searchsorted side='right'), a few
    samples at a time so the comparison array stays under ``_CHUNK`` elements."""
    rows, n = probs.shape
    if not replacement:
        keys = probs / gen.standard_exponential((rows, n))
        return np.argsort(-keys, axis=1)[:, :num_samples].copy()
    cdf = np.cumsum(probs, axis=1)
    draws = gen.random((rows, num_samples)) * cdf[:, -1:]
    step = builtins.max(1, _CHUNK // builtins.max(1, rows * n))
    parts = []
    for start in range(0, num_samples, step):
        d = draws[:, start:start + step, None]
        parts.append((cdf[:, None, :] <= d).sum(axis=2))
    result = parts[0] if len(parts) == 1 else np.concatenate(parts, axis=1)
    return np.minimum(result, n - 1).astype(np.int64, copy=False)


def multinomial(input, num_samples, replacement=False, *, generator=None, out=None):
    """Category indices drawn from the (unnormalised) probabilities in each row of ``input``.

    >>> ember.multinomial(ember.tensor([0.0, 1.0, 0.0]), 1)
    tensor([1])
    """
    num_samples = _multinomial_checks(input, num_samples, replacement)
    gen = sampler(generator, input._device, "multinomial")
    if out is not None:
        U.check_tensor(out, "multinomial", "out")
        if out.dtype is not D.int64:
            raise RuntimeError(f"multinomial expects Long tensor out, got: "
                               f"{TYPE_NAME[out.dtype]}")
    squeeze = input._data.ndim == 1
    shape = (num_samples,) if squeeze else (input._data.shape[0], num_samples)
    if input._device is META:
        res = _wrap(meta_array(shape, np.int64), META)
    else:
        probs = input._data.astype(np.float64).reshape(-1, input._data.shape[-1])
        if not np.isfinite(probs).all() or (probs < 0).any():
            raise RuntimeError("multinomial(): probability tensor contains either `inf`, `nan` "
                               "or element < 0")
        if probs.shape[0] and not (probs.sum(axis=1) > 0).all():
            raise RuntimeError("multinomial(): invalid multinomial distribution (sum of "
                               "probabilities <= 0)")
        res = _wrap(_multinomial_rows(gen, probs, num_samples, replacement).reshape(shape),
                    input._device)
    if out is not None:
        return U.write_out(out, res, "multinomial")
    return res


# NumPy's largest Poisson rate (it refuses larger ones); the cuda path refuses them too.
_POISSON_MAX = 9.223372006484771e18


def poisson(input, generator=None):
    """Poisson samples with rates ``input`` (same dtype and shape).

    >>> ember.poisson(ember.zeros(3))
    tensor([0., 0., 0.])
    """
    U.check_tensor(input, "poisson")
    gen = sampler(generator, input._device, "poisson")
    _floating_or_raise(input.dtype, "poisson_cpu")
    arr = input._data
    if input._device is META:
        res = _wrap(meta_array(arr.shape, arr.dtype), META)
    else:
        if arr.size and not (arr >= 0).all():
            raise RuntimeError("poisson(): invalid Poisson rate, expected rate to be "
                               "non-negative")
        if type(arr) is not np.ndarray and arr.size and not arr.max() < _POISSON_MAX:
            # the cpu path's refusal (NumPy's limit), which CuPy does not check
            raise RuntimeError(f"poisson(): rate too large to sample (max rate "
                               f"{float(arr.max())})")
        try:
            samples = gen.poisson(arr.astype(np.float64))
        except ValueError:  # NumPy refuses rates near 2**63 and inf
            raise RuntimeError(f"poisson(): rate too large to sample (max rate "
                               f"{float(arr.max())})") from None
        res = _wrap(samples.astype(arr.dtype), input._device)
    if GRAD.enabled and input._rg:
        record(PoissonBackward0, res, (input,))
    return res


# ----------------------------------------------------------------------------------
# in-place Tensor methods
# ----------------------------------------------------------------------------------

UniformBackward0 = _zero_grad_node("UniformBackward0")
RandomBackward0 = _zero_grad_node("RandomBackward0")  # random_(from, to)
RandomBackward1 = _zero_grad_node("RandomBackward1")  # random_(to)
RandomBackward2 = _zero_grad_node("RandomBackward2")  # random_()
ExponentialBackward0 = _zero_grad_node("ExponentialBackward0")
GeometricBackward0 = _zero_grad_node("GeometricBackward0")
CauchyBackward0 = _zero_grad_node("CauchyBackward0")
LogNormalBackward0 = _zero_grad_node("LogNormalBackward0")


def _fill_random(self, op, node_cls, sample):
    """Overwrite ``self`` with ``sample(shape) -> array``; records a zero-grad node if needed."""
    U.check_tensor(self, op, "self")
    if self._device is META or self._data.size == 0:
        if GRAD.enabled:
            from ._inplace import _check_leaf
            _check_leaf(self, op)
        self._bump_version()
        return self

    def compute(stand_in):
        res = _wrap(sample(self._data.shape), self._device)
        if GRAD.enabled and stand_in._rg:
            record(node_cls, res, (stand_in,))
        return res
    return apply_inplace(self, op, compute, (self,))


def _self_sampler(self, generator, op):
    """The sampler for filling ``self`` in place (its device's)."""
    U.check_tensor(self, op, "self")
    return sampler(generator, self._device, op)


def uniform_(self, from_=0.0, to=1.0, *, generator=None, **kwargs):
    """Fill with uniform values in [from, to) in place (``from`` is a keyword too).

    >>> ember.empty(3).uniform_(-1, 1).shape
    torch.Size([3])
    """
    if "from" in kwargs:
        from_ = kwargs.pop("from")
    if kwargs:
        raise TypeError(f"uniform_() got an unexpected keyword argument '{next(iter(kwargs))}'")
    gen = _self_sampler(self, generator, "uniform_")
    dt = self.dtype
    if self._device is META:
        return _fill_random(self, "uniform_", UniformBackward0, None)
    _floating_or_raise(dt, "check_uniform_bounds")
    from_ = float(_check_number(from_, "uniform_", "from"))
    to = float(_check_number(to, "uniform_", "to"))
    if from_ > to:
        raise RuntimeError(f"uniform_ expects to return a [from, to) range, but found "
                           f"from={from_} > to={to}")
    big = FLOAT_MAX[dt]
    for name, v in (("from", from_), ("to", to)):
        if not -big <= v <= big:
            raise RuntimeError(f"uniform_: {name} is out of bounds for {C_TYPE_NAME[dt]} "
                               f"({name}={v})")
    if to - from_ > big:
        raise RuntimeError(f"uniform_ expects to-from <= std::numeric_limits<"
                           f"{C_TYPE_NAME[dt]}>::max(), but found to={to} and from={from_}")

    def sample(shape):
        u = uniform_array(gen, shape, dt)
        if from_ == 0.0 and to == 1.0:
            return u
        u = u.astype(_compute_np(dt), copy=False)
        u *= (to - from_)
        u += from_
        return u
    return _fill_random(self, "uniform_", UniformBackward0, sample)


def normal_(self, mean=0.0, std=1.0, *, generator=None):
    """Fill with normal samples in place.

    >>> ember.empty(3).normal_(0, 0.02).shape
    torch.Size([3])
    """
    gen = _self_sampler(self, generator, "normal_")
    _floating_or_raise(self.dtype, "normal_kernel_cpu", self._data.size)
    mean = float(_check_number(mean, "normal_", "mean"))
    std = float(_check_number(std, "normal_", "std"))
    _check_std(std)

    def sample(shape):
        z = normal_array(gen, shape, self.dtype)
        if std != 1.0:
            z *= std
        if mean != 0.0:
            z += mean
        return z
    return _fill_random(self, "normal_", NormalBackward0, sample)


def bernoulli_(self, p=0.5, *, generator=None):
    """Fill with 0/1 draws, 1 with probability ``p`` (a float, or a tensor broadcast to self).

    >>> ember.zeros(3).bernoulli_(1.0)
    tensor([1., 1., 1.])
    """
    U.check_tensor(self, "bernoulli_", "self")
    gen = sampler(generator, self._device, "bernoulli_")
    np_dtype = self._data.dtype
    p_tensor = isinstance(p, Tensor)
    if p_tensor:
        _floating_or_raise(p.dtype, "bernoulli_tensor_cpu_p_", self._data.size)
        if p._data.ndim > self._data.ndim:
            raise RuntimeError(f"bernoulli_: p of shape {list(p.shape)} cannot be expanded to "
                               f"self's shape {list(self.shape)}")
        probs = p._data
        if p._device is not self._device and self._device is not META and p._device is not META:
            # NOTE: torch moves p to self's device (both kernels call p.to(self.device)).
            probs = move_array(probs, self._device)
        node_cls = BernoulliBackward1
    else:
        probs = _check_number(p, "bernoulli_", "p")
        _check_p(probs)
        node_cls = BernoulliBackward2

    def sample(shape):
        if p_tensor:
            _check_p_tensor(p)
            try:
                np.broadcast_shapes(probs.shape, shape)
            except ValueError:
                raise U.broadcast_error("bernoulli_", np.empty(shape),
                                        np.empty(probs.shape)) from None
        return _bernoulli_array(gen, probs, shape, np_dtype)
    return _fill_random(self, "bernoulli_", node_cls, sample)


def _random_range_default(dtype):
    """random_()'s range without bounds: [0, 2**digits] for floats, [0, max] for integers."""
    if dtype is D.bool:
        return 0, 2
    if dtype.category == D.INT:
        return 0, int(np.iinfo(dtype.np).max) + 1
    return 0, (1 << _DIGITS[dtype]) + 1


_UNSET = object()


def random_(self, from_=None, to=_UNSET, *, generator=None, **kwargs):
    """Fill with integers uniform in [from, to) (defaults: [0, to), or the dtype's range).

    ``random_()`` draws over [0, 2**mantissa] for float types and [0, max] for integers;
    ``random_(to)`` over [0, to); ``random_(from, None)`` from ``from`` to the type's max.

    >>> bool((ember.zeros(4, dtype=ember.int64).random_(3, 5) >= 3).all())
    True
    """
    if "from" in kwargs:
        from_ = kwargs.pop("from")
    if kwargs:
        raise TypeError(f"random_() got an unexpected keyword argument '{next(iter(kwargs))}'")
    gen = _self_sampler(self, generator, "random_")
    dt = self.dtype
    if from_ is None and to in (None, _UNSET):
        low, high = _random_range_default(dt)
        node_cls = RandomBackward2
    elif to is _UNSET:
        low, high = 0, _check_int(from_, "random_", "to")
        node_cls = RandomBackward1
    else:
        low = _check_int(0 if from_ is None else from_, "random_", "from")
        high = _random_range_default(dt)[1] if to is None else _check_int(to, "random_", "to")
        node_cls = RandomBackward0
    if self._device is not META:
        _integer_bounds_check(low, high, dt)
    return _fill_random(self, "random_", node_cls,
                        lambda shape: _integers(gen, low, high, shape, dt))


def exponential_(self, lambd=1.0, *, generator=None):
    """Fill with exponential samples of rate ``lambd`` in place.

    >>> bool((ember.empty(5).exponential_(2.0) >= 0).all())
    True
    """
    gen = _self_sampler(self, generator, "exponential_")
    dt = self.dtype
    if dt.category != D.FLOAT and self._data.size:
        raise RuntimeError(f"Exponential distribution is a continuous probability "
                           f"distribution. dtype must be a floating point but you specified "
                           f"{TYPE_NAME[dt]}")
    lambd = float(_check_number(lambd, "exponential_", "lambd"))
    if not lambd > 0.0:
        raise RuntimeError(f"exponential_ expects lambda > 0.0, but found lambda={lambd}")

    def sample(shape):
        e = gen.standard_exponential(shape, dtype=_compute_np(dt))
        e /= lambd
        return e
    return _fill_random(self, "exponential_", ExponentialBackward0, sample)


def geometric_(self, p, *, generator=None):
    """Fill with the number of Bernoulli(p) trials up to the first success (1, 2, ...).

    >>> bool((ember.empty(5).geometric_(0.5) >= 1).all())
    True
    """
    gen = _self_sampler(self, generator, "geometric_")
    if self.dtype is D.bool and self._data.size:
        raise not_implemented("geometric_cpu", D.bool)
    p = float(_check_number(p, "geometric_", "p"))
    if not 0.0 < p < 1.0:
        raise RuntimeError(f"geometric_ expects p to be in (0, 1), but got p={p}")
    return _fill_random(self, "geometric_", GeometricBackward0,
                        lambda shape: gen.geometric(p, size=shape))


def cauchy_(self, median=0.0, sigma=1.0, *, generator=None):
    """Fill with Cauchy samples in place.

    >>> ember.empty(3).cauchy_().shape
    torch.Size([3])
    """
    gen = _self_sampler(self, generator, "cauchy_")
    dt = self.dtype
    if dt.category != D.FLOAT:
        raise RuntimeError(f"Cauchy distribution is a continuous probability distribution. "
                           f"dtype must be a floating point but you specified {TYPE_NAME[dt]}")
    median = float(_check_number(median, "cauchy_", "median"))
    sigma = float(_check_number(sigma, "cauchy_", "sigma"))
    if not sigma > 0.0:
        raise RuntimeError(f"cauchy_ expects sigma > 0.0, but found sigma={sigma}")

    def sample(shape):
        c = gen.standard_cauchy(shape)
        return (median + sigma * c).astype(_compute_np(dt), copy=False)
    return _fill_random(self, "cauchy_", CauchyBackward0, sample)


def log_normal_(self, mean=1.0, std=2.0, *, generator=None):
    """Fill with exp(normal(mean, std)) samples in place.

    >>> bool((ember.empty(3).log_normal_() > 0).all())
    True
    """
    gen = _self_sampler(self, generator, "log_normal_")
    _floating_or_raise(self.dtype, "log_normal_cpu", self._data.size)
    mean = float(_check_number(mean, "log_normal_", "mean"))
    std = float(_check_number(std, "log_normal_", "std"))
    if not std > 0.0:
        raise RuntimeError(f"log_normal_ expects std > 0.0, but found std={std}")

    def sample(shape):
        z = normal_array(gen, shape, self.dtype)
        z *= std
        z += mean
        return np.exp(z, out=z)
    return _fill_random(self, "log_normal_", LogNormalBackward0, sample)


def _bernoulli_method(self, p=None, *, generator=None):
    return bernoulli(self, p, generator=generator)


def _multinomial_method(self, num_samples, replacement=False, *, generator=None):
    return multinomial(self, num_samples, replacement, generator=generator)


METHODS = {
    "uniform_": uniform_, "normal_": normal_, "bernoulli_": bernoulli_, "random_": random_,
    "exponential_": exponential_, "geometric_": geometric_, "cauchy_": cauchy_,
    "log_normal_": log_normal_, "bernoulli": _bernoulli_method,
    "multinomial": _multinomial_method,
}
for _name, _fn in METHODS.items():
    setattr(Tensor, _name, _fn)

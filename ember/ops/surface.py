"""Odds and ends of torch's surface that real programs use: isin, gradient, index_reduce,
histogramdd, binomial, range, frombuffer, stft/istft, the legacy Tensor methods (new,
resize, set_, storage ...) and torch's global switches (deterministic algorithms,
default device, matmul precision).

Most ops here are composed from other ember ops, so autograd needs no new formulas.

>>> ember.isin(ember.tensor([1, 2, 3]), ember.tensor([2]))
tensor([False,  True, False])
"""
import builtins
import numbers
import warnings

import numpy as np

from .. import _dtype as D
from .._device import CPU, META, as_array, as_device, meta_array, xp_of
from .._tensor import Tensor, _ptr, _storage_origin, _storage_root, _wrap_dim
from . import _util as U
from ._inplace import make_inplace
from ._return_types import _return_type, return_types

__all__ = ["binomial", "detach", "fill", "frombuffer", "gradient", "histogramdd",
           "index_reduce", "is_inference", "isin", "range", "stft", "istft",
           "unsafe_split_with_sizes"]

# Global switches: exported at the top level through ember/_legacy_types.py (they are not
# ops, so they stay out of ember.ops.__all__).
CONFIG_ALL = ["are_deterministic_algorithms_enabled", "get_default_device",
              "get_deterministic_debug_mode", "get_float32_matmul_precision",
              "is_deterministic_algorithms_warn_only_enabled", "is_warn_always_enabled",
              "set_default_device", "set_deterministic_debug_mode",
              "set_float32_matmul_precision", "set_warn_always",
              "use_deterministic_algorithms"]

if not hasattr(return_types, "histogramdd"):
    return_types.histogramdd = _return_type("histogramdd", ("hist", "bin_edges"))

_py_range = builtins.range


def _ember():
    import ember
    return ember


# ----------------------------------------------------------------------------------
# isin
# ----------------------------------------------------------------------------------

def isin(elements, test_elements, *, assume_unique=False, invert=False):
    """Whether each element of ``elements`` occurs in ``test_elements`` (bool tensor of
    ``elements``' shape); either side may be a Python scalar.

    >>> ember.isin(ember.tensor([1, 2, 3]), 2)
    tensor([False,  True, False])
    """
    op = "isin"
    e_is_t, t_is_t = isinstance(elements, Tensor), isinstance(test_elements, Tensor)
    if not (e_is_t or t_is_t):
        raise TypeError(f"{op}() received an invalid combination of arguments: at least one "
                        f"of elements and test_elements must be a Tensor (got "
                        f"{type(elements).__name__}, {type(test_elements).__name__})")
    for x, name in ((elements, "elements"), (test_elements, "test_elements")):
        if not isinstance(x, Tensor) and not isinstance(x, numbers.Number):
            raise TypeError(f"{op}(): argument '{name}' must be Tensor or Number, not "
                            f"{type(x).__name__}")
    dev = U.common_device(op, (elements, test_elements))
    for x in (elements, test_elements):
        if isinstance(x, Tensor) and (x.dtype is D.bool or x.dtype.is_complex):
            raise RuntimeError(f"Unsupported input type encountered for {op}(): {x.dtype}")
    dt = D.result_type_of(elements, test_elements)
    if dt is D.bool or dt.is_complex:
        raise RuntimeError(f"Unsupported input type encountered for {op}(): {dt}")
    # a number goes to the other argument's device
    xp = xp_of(elements._data if e_is_t else test_elements._data)
    e_arr = elements._data if e_is_t else xp.asarray(elements)
    t_arr = test_elements._data if t_is_t else xp.asarray(test_elements)
    if dev is META:
        return U.wrap(meta_array(e_arr.shape, np.bool_), META)
    work = np.float32 if dt in (D.float16, D.bfloat16) else dt.np
    res = np.isin(e_arr.astype(work), t_arr.astype(work).reshape(-1), invert=invert)
    return U.wrap(as_array(res).astype(np.bool_, copy=False).reshape(e_arr.shape), dev)


# ----------------------------------------------------------------------------------
# gradient
# ----------------------------------------------------------------------------------

def _gradient_dims(op, input, dim):
    if dim is None:
        return list(_py_range(input.ndim))
    dims = [dim] if isinstance(dim, int) else list(dim)
    dims = [_wrap_dim(d, input.ndim, op) for d in dims]
    if len(set(dims)) != len(dims):
        raise RuntimeError(f"{op}(): dim {dims} appears multiple times in the list of dims")
    return dims


def _gradient_spacing(op, spacing, dims):
    """Per dim: ('h', float) for uniform spacing or ('x', 1-d tensor) of coordinates."""
    if isinstance(spacing, Tensor) and spacing.ndim == 0:
        spacing = spacing.item()
    if isinstance(spacing, numbers.Number):
        return [("h", spacing)] * len(dims)
    if isinstance(spacing, Tensor):
        raise TypeError(f"{op}() received an invalid combination of arguments: spacing must "
                        "be a number or a tuple of numbers or of tensors, got a Tensor")
    spacing = list(spacing)
    kinds = {isinstance(s, Tensor) for s in spacing}
    if len(kinds) > 1:
        raise TypeError(f"{op}(): spacing must be a scalar or a list of all scalars or all "
                        "tensors, not a mix")
    if len(spacing) != len(dims):
        raise RuntimeError(f"{op}(): expected spacing to be unspecified, a scalar or its "
                           f"length to match the number of dims ({len(dims)}), got "
                           f"{len(spacing)}")
    out = []
    for s in spacing:
        if isinstance(s, Tensor):
            if s.ndim == 0:
                out.append(("h", s.item()))
            else:
                out.append(("x", s))
        elif isinstance(s, numbers.Number):
            out.append(("h", s))
        else:
            raise TypeError(f"{op}(): spacing must be a scalar, a list of scalars or of "
                            f"tensors, got {type(s).__name__}")
    return out


def _along(t, d, nd):
    """Reshape a 1-d tensor to broadcast along dim ``d`` of an ``nd``-dim tensor."""
    return t.reshape((-1,) + (1,) * (nd - d - 1))


def _gradient_uniform(f, d, h, edge_order):
    n = f.shape[d]
    interior = (f.narrow(d, 2, n - 2) - f.narrow(d, 0, n - 2)) / (2 * h)
    if edge_order == 1:
        first = (f.narrow(d, 1, 1) - f.narrow(d, 0, 1)) / h
        last = (f.narrow(d, n - 1, 1) - f.narrow(d, n - 2, 1)) / h
    else:
        first = (-1.5 * f.narrow(d, 0, 1) + 2 * f.narrow(d, 1, 1)
                 - 0.5 * f.narrow(d, 2, 1)) / h
        last = (0.5 * f.narrow(d, n - 3, 1) - 2 * f.narrow(d, n - 2, 1)
                + 1.5 * f.narrow(d, n - 1, 1)) / h
    return _ember().cat([first, interior, last], dim=d)


def _gradient_coords(f, d, x, edge_order):
    ember = _ember()
    n, nd = f.shape[d], f.ndim
    dx = x[1:] - x[:-1]
    hl, hr = dx[:-1], dx[1:]          # left and right steps of each interior point
    a = -hr / (hl * (hl + hr))
    b = (hr - hl) / (hl * hr)
    c = hl / (hr * (hl + hr))
    interior = (_along(a, d, nd) * f.narrow(d, 0, n - 2) + _along(b, d, nd) * f.narrow(d, 1, n - 2)
                + _along(c, d, nd) * f.narrow(d, 2, n - 2))
    if edge_order == 1:
        first = (f.narrow(d, 1, 1) - f.narrow(d, 0, 1)) / dx[0]
        last = (f.narrow(d, n - 1, 1) - f.narrow(d, n - 2, 1)) / dx[-1]
    else:
        h1, h2 = dx[0], dx[1]
        first = (-(2 * h1 + h2) / (h1 * (h1 + h2)) * f.narrow(d, 0, 1)
                 + (h1 + h2) / (h1 * h2) * f.narrow(d, 1, 1)
                 - h1 / (h2 * (h1 + h2)) * f.narrow(d, 2, 1))
        h1, h2 = dx[-2], dx[-1]
        last = (h2 / (h1 * (h1 + h2)) * f.narrow(d, n - 3, 1)
                - (h2 + h1) / (h1 * h2) * f.narrow(d, n - 2, 1)
                + (2 * h2 + h1) / (h2 * (h1 + h2)) * f.narrow(d, n - 1, 1))
    return ember.cat([first, interior, last], dim=d)


def gradient(input, *, spacing=1, dim=None, edge_order=1):
    """Estimate the derivative of ``input`` along each of ``dim`` by central differences
    (one-sided of order ``edge_order`` at the edges); a tuple with one tensor per dim.

    >>> ember.gradient(ember.tensor([1.0, 4.0, 9.0]))
    (tensor([3., 4., 5.]),)
    """
    op = "torch.gradient"
    U.check_tensor(input, "gradient")
    if edge_order not in (1, 2):
        raise RuntimeError(f"{op} only supports edge_order=1 and edge_order=2, got "
                           f"{edge_order}")
    if input.dtype is D.uint8:
        raise RuntimeError(f"{op} does not support uint8 input.")
    dims = _gradient_dims(op, input, dim)
    specs = _gradient_spacing(op, spacing, dims)
    f = input
    if not (f.is_floating_point() or f.is_complex()):
        f = f.to(D.get_default_dtype())
    results = []
    for d, (kind, value) in zip(dims, specs):
        n = input.shape[d]
        if n < edge_order + 1:
            raise RuntimeError(f"{op} expected each dimension size to be at least "
                               f"edge_order+1 (got size {n} in dim {d}, edge_order "
                               f"{edge_order})")
        if kind == "h":
            results.append(_gradient_uniform(f, d, value, edge_order))
        else:
            if value.ndim != 1 or value.shape[0] != n:
                raise RuntimeError(f"{op} expected each tensor to be on the same device and "
                                   f"to match the size of dim {d} ({n}), got shape "
                                   f"{list(value.shape)}")
            x = value if value.is_floating_point() else value.to(f.dtype)
            results.append(_gradient_coords(f, d, x, edge_order))
    return tuple(results)


# ----------------------------------------------------------------------------------
# index_reduce
# ----------------------------------------------------------------------------------

_INDEX_REDUCE = ("prod", "mean", "amax", "amin")
_BETA_WARNED = [False]


def index_reduce(input, dim, index, source, reduce, *, include_self=True, out=None):
    """A copy of ``input`` with the slices of ``source`` reduced into the slices
    ``index`` along ``dim``; ``reduce`` is 'prod', 'mean', 'amax' or 'amin'.

    >>> ember.index_reduce(ember.ones(3), 0, ember.tensor([0, 0]),
    ...                    ember.tensor([2.0, 3.0]), "prod")
    tensor([6., 1., 1.])
    """
    op = "index_reduce"
    U.check_tensor(input, op)
    U.check_tensor(source, op, "source")
    U.check_tensor(index, op, "index")
    if reduce not in _INDEX_REDUCE:
        raise RuntimeError(f"{op}(): Expected reduce to be one of prod, mean, amax or amin "
                           f"but got {reduce}.")
    if index.dtype not in (D.int64, D.int32):
        raise RuntimeError(f"{op}(): Expected dtype int32/int64 for index but got "
                           f"{index.dtype}")
    # NOTE: torch has bool kernels only for the include_self prod/amax/amin path of
    # tensors with 2+ dims.
    if input.dtype is D.bool and (input.ndim <= 1 or reduce == "mean" or not include_self):
        raise NotImplementedError(f'"{op}" not implemented for \'Bool\'')
    if not _BETA_WARNED[0]:
        _BETA_WARNED[0] = True   # NOTE: torch warns once per process that the op is beta
        warnings.warn("index_reduce() is in beta and the API may change at any time.",
                      UserWarning, stacklevel=2)
    if index.ndim > 1:
        raise IndexError(f"{op}(): Index is supposed to be a vector (got shape "
                         f"{list(index.shape)})")
    nd = max(input.ndim, 1)
    d = _wrap_dim(dim, input.ndim, op)
    if input.dtype != source.dtype:
        raise RuntimeError(f"{op}(): self ({input.dtype}) and source ({source.dtype}) must "
                           "have the same scalar type")
    if max(source.ndim, 1) != nd:
        raise RuntimeError(f"{op}(): source ({list(source.shape)}) and self "
                           f"({list(input.shape)}) must have the same number of dimensions")
    self1 = input.reshape(1) if input.ndim == 0 else input
    src1 = source.reshape(1) if source.ndim == 0 else source
    n = index.numel()
    want = list(self1.shape)
    want[d] = n
    if list(src1.shape) != want:
        raise RuntimeError(f"{op}(): source shape {list(source.shape)} must be the shape of "
                           f"self {list(input.shape)} with dimension {d} of size {n} (index "
                           f"has {n} entries)")
    idx = index.reshape(-1).to(D.int64)
    if idx._device is not META and idx.numel():
        bad = (idx._data < 0) | (idx._data >= self1.shape[d])
        if bad.any():
            raise IndexError(f"{op}(): index {int(idx._data[bad][0])} is out of bounds for "
                             f"dimension {d} with size {self1.shape[d]}")
    full_idx = _along(idx, d, nd).expand(*src1.shape)
    res = self1.scatter_reduce(d, full_idx, src1, reduce, include_self=include_self)
    res = res.reshape(input.shape)
    if out is not None:
        return U.write_out(out, res, op)
    return res


# ----------------------------------------------------------------------------------
# histogramdd
# ----------------------------------------------------------------------------------

def _dd_edges(op, col, bins, lo_hi, dtype):
    if isinstance(bins, Tensor):
        return bins._data.astype(np.float64).reshape(-1)
    if lo_hi is not None:
        lo, hi = lo_hi
    elif col.size:
        lo, hi = float(col.min()), float(col.max())
    else:
        lo, hi = 0.0, 1.0   # NOTE: torch's default range for no points
    if lo == hi:
        lo, hi = lo - 0.5, hi + 0.5   # NOTE: torch widens an empty range, as histogram
    if lo > hi:
        raise RuntimeError(f"torch.{op}: min should not exceed max, but got min {lo} max {hi}")
    return xp_of(col).linspace(lo, hi, int(bins) + 1).astype(dtype).astype(np.float64)


def histogramdd(input, bins, *, range=None, weight=None, density=False, out=None):
    """Multi-dimensional histogram of the points in ``input`` (its last dim holds the
    coordinates); returns (hist, bin_edges) with one edge tensor per coordinate.

    >>> ember.histogramdd(ember.tensor([[0., 0.], [1., 1.]]), bins=2).hist
    tensor([[1., 0.],
            [0., 1.]])
    """
    op = "histogramdd"
    U.check_tensor(input, op)
    if not input.is_floating_point():
        raise RuntimeError(f"torch.{op}: input tensor and bins tensors should have the same "
                           f"dtype, and it must be floating point (got {input.dtype})")
    if input.dtype in (D.float16, D.bfloat16):
        raise NotImplementedError(f'"{op}" not implemented for \'{input.dtype}\'')
    if input.ndim == 0:
        raise IndexError(f"torch.{op}: Dimension specified as -1 but tensor has no dimensions")
    if input.ndim < 2:
        raise RuntimeError(f"torch.{op}: input tensor should have at least 2 dimensions, "
                           f"but got {input.ndim}")
    arr = input._data
    k = arr.shape[-1]
    pts = arr.reshape(-1, k).astype(np.float64)
    if isinstance(bins, numbers.Integral):
        bins = [bins] * k
    bins = list(bins)
    if len(bins) != k:
        raise RuntimeError(f"torch.{op}: expected {k} sequences of bin edges for each of the "
                           f"{k} dimensions of input, got {len(bins)}")
    for b in bins:
        if isinstance(b, numbers.Integral) and b <= 0:
            raise RuntimeError(f"torch.{op}: number of bins must be positive, got {b}")
    if range is not None:
        range = [float(r) for r in range]
        if len(range) != 2 * k:
            raise RuntimeError(f"torch.{op}: for a {k}-dimensional histogram range should "
                               f"have {2 * k} elements, got {len(range)}")
    w = None
    if weight is not None:
        U.check_tensor(weight, op, "weight")
        if tuple(weight.shape) != tuple(arr.shape[:-1]):
            raise RuntimeError(f"torch.{op}: if weight tensor is provided it should have the "
                               f"same shape as the input tensor excluding its innermost "
                               f"dimension, got {list(weight.shape)}")
        if weight.dtype != input.dtype:
            raise RuntimeError(f"torch.{op}: if weight tensor is provided, input tensor and "
                               f"weight tensor should have the same dtype, got "
                               f"{input.dtype} and {weight.dtype}")
        w = weight._data.astype(np.float64).reshape(-1)
    edges = [_dd_edges(op, pts[:, j], bins[j], None if range is None else
                       (range[2 * j], range[2 * j + 1]), arr.dtype) for j in _py_range(k)]
    hist = _count_dd(pts, edges, w)
    if density:
        total = hist.sum()
        widths = [np.diff(e) for e in edges]
        volume = xp_of(hist).ones(hist.shape)
        for j, wd in enumerate(widths):
            shape = [1] * k
            shape[j] = -1
            volume = volume * wd.reshape(shape)
        with np.errstate(divide="ignore", invalid="ignore"):
            hist = hist / total / volume
    dev = input._device
    res = return_types.histogramdd((U.wrap(hist.astype(arr.dtype), dev),
                                    tuple(U.wrap(e.astype(arr.dtype), dev) for e in edges)))
    if out is not None:
        out_hist, out_edges = out
        U.write_out(out_hist, res[0], op)
        for o, e in zip(out_edges, res[1]):
            U.write_out(o, e, op)
        return return_types.histogramdd((out_hist, tuple(out_edges)))
    return res


def _count_dd(pts, edges, w):
    """Counts (or weight sums) per bin; the last bin of each dim includes its right edge."""
    shape = tuple(len(e) - 1 for e in edges)
    xp = xp_of(pts)
    keep = xp.ones(pts.shape[0], dtype=bool)
    flat = xp.zeros(pts.shape[0], dtype=np.int64)
    for j, e in enumerate(edges):
        x = pts[:, j]
        keep &= (x >= e[0]) & (x <= e[-1])
        pos = np.searchsorted(e, x, side="right") - 1
        pos = np.clip(pos, 0, max(len(e) - 2, 0))
        flat = flat * shape[j] + pos
    total = int(np.prod(shape))
    weights = None if w is None else w[keep]
    return np.bincount(flat[keep], weights=weights, minlength=total).astype(
        np.float64).reshape(shape)


# ----------------------------------------------------------------------------------
# random, factories
# ----------------------------------------------------------------------------------

def binomial(count, prob, generator=None):
    """Binomial samples: successes in ``count`` trials with probability ``prob``.

    >>> ember.binomial(ember.tensor([5.0]), ember.tensor([1.0]))
    tensor([5.])
    """
    from .._random import sampler
    op = "binomial"
    U.check_tensor(count, op, "count")
    U.check_tensor(prob, op, "prob")
    dev = U.common_device(op, (count, prob))
    if count.dtype != prob.dtype:
        raise RuntimeError(f"{op}(): expected count and prob to have the same dtype, got "
                           f"{count.dtype} and {prob.dtype}")
    if not count.is_floating_point():
        raise RuntimeError(f'"binomial_cpu" not implemented for \'{count.dtype}\'')
    gen = sampler(generator, dev, op)
    try:
        shape = np.broadcast_shapes(count._data.shape, prob._data.shape)
    except ValueError:
        raise U.broadcast_error(op, count._data, prob._data) from None
    if dev is META:
        return U.wrap(meta_array(shape, count._data.dtype), META)
    n = np.broadcast_to(count._data.astype(np.float64), shape)
    p = np.broadcast_to(prob._data.astype(np.float64), shape)
    if p.size and not ((p >= 0) & (p <= 1)).all():
        raise RuntimeError(f"{op}(): expected prob to be in [0, 1]")
    samples = gen.binomial(np.floor(n).astype(np.int64), p)
    return U.wrap(samples.astype(count._data.dtype), dev)


def range(start=0, end=None, step=1, *, out=None, dtype=None, layout=None, device=None,
          requires_grad=False):
    """Deprecated: values from ``start`` to ``end`` *inclusive* by ``step`` (default dtype
    float).  Use ``arange``.

    >>> ember.range(1, 3)
    tensor([1., 2., 3.])
    """
    op = "range"
    # NOTE: torch.range warns on every call (it is kept for old code).
    warnings.warn("torch.range is deprecated and will be removed in a future release "
                  "because its behavior is inconsistent with Python's range builtin. Instead, "
                  "use torch.arange, which produces values in [start, end).", UserWarning,
                  stacklevel=2)
    if end is None:
        raise TypeError(f'{op}() missing 1 required positional arguments: "end"')
    for v, name in ((start, "start"), (end, "end"), (step, "step")):
        if isinstance(v, Tensor):
            v = v.item()
        if not isinstance(v, numbers.Real):
            raise TypeError(f"{op}(): argument '{name}' must be Number, not "
                            f"{type(v).__name__}")
    start, end, step = (float(v.item() if isinstance(v, Tensor) else v)
                        for v in (start, end, step))
    if step == 0:
        raise RuntimeError(f"{op}(): step must be nonzero")
    if not (np.isfinite(start) and np.isfinite(end)):
        raise RuntimeError(f"{op}(): unsupported range: {start} -> {end}")
    if (step > 0 and end < start) or (step < 0 and end > start):
        raise RuntimeError(f"{op}(): upper bound and larger bound inconsistent with step sign")
    dt = dtype if dtype is not None else D.get_default_dtype()
    size = int(np.floor((end - start) / step)) + 1
    values = start + np.arange(size, dtype=np.float64) * step
    dev = as_device(device) if device is not None else CPU
    res = U.wrap(values.astype(dt.np), dev)
    if requires_grad:
        res.requires_grad_(True)
    if out is not None:
        return U.write_out(out, res, op)
    return res


def frombuffer(buffer, *, dtype, count=-1, offset=0, requires_grad=False):
    """A 1-d tensor over the memory of an object exposing the buffer protocol (shared, not
    copied).

    >>> ember.frombuffer(bytearray(b"\\x01\\x02"), dtype=ember.uint8)
    tensor([1, 2], dtype=torch.uint8)
    """
    op = "frombuffer"
    if not isinstance(dtype, D.dtype):
        raise TypeError(f"{op}(): argument 'dtype' must be torch.dtype, not "
                        f"{type(dtype).__name__}")
    try:
        view = memoryview(buffer)
    except TypeError:
        raise TypeError(f"{op}(): object of type {type(buffer).__name__} does not implement "
                        "the buffer protocol") from None
    nbytes = view.nbytes
    item = np.dtype(dtype.np).itemsize
    if nbytes <= 0 or count == 0:
        raise ValueError(f"both buffer length ({nbytes}) and count ({count}) must not be 0")
    if not 0 <= offset < nbytes:
        raise ValueError(f"offset ({offset} bytes) must be non-negative and no greater than "
                         f"buffer length ({nbytes} bytes) minus 1")
    if count < 0:
        if (nbytes - offset) % item:
            raise ValueError(f"buffer length ({nbytes - offset} bytes) after offset ({offset} "
                             f"bytes) must be a multiple of element size ({item})")
        count = (nbytes - offset) // item
    elif offset + count * item > nbytes:
        raise ValueError(f"requested buffer length ({count} * {item} bytes) after offset "
                         f"({offset} bytes) must not be greater than actual buffer length "
                         f"({nbytes} bytes)")
    if view.readonly:
        # NOTE: torch warns and still returns a (writable-looking) tensor; NumPy keeps the
        # array read-only, so writes raise instead of corrupting an immutable object.
        warnings.warn("The given buffer is not writable, and PyTorch does not support "
                      "non-writable tensors. This means you can write to the underlying "
                      "(supposedly non-writable) buffer using the tensor.", UserWarning,
                      stacklevel=2)
    arr = np.frombuffer(buffer, dtype=dtype.np, count=count, offset=offset)
    res = U.wrap(arr)
    if requires_grad:
        res.requires_grad_(True)
    return res


# ----------------------------------------------------------------------------------
# small top-level functions
# ----------------------------------------------------------------------------------

def detach(input):
    """``input.detach()``: the same data, cut from the graph.

    >>> ember.detach(ember.ones(2, requires_grad=True)).requires_grad
    False
    """
    U.check_tensor(input, "detach")
    return input.detach()


def fill(input, value):
    """A new tensor like ``input`` filled with ``value`` (out of place; ``value`` may be a
    0-dim tensor, whose gradient is the sum of the output's).

    >>> ember.fill(ember.zeros(2), 3)
    tensor([3., 3.])
    """
    op = "fill"
    U.check_tensor(input, op)
    ember = _ember()
    if isinstance(value, Tensor):
        if value.ndim != 0:
            raise RuntimeError(f"{op}(): only supports 0-dimension value tensor but got "
                               f"tensor with {value.ndim} dimensions.")
        # zeros_like(input) * 0 + value keeps the graph to both (input's gradient is 0)
        base = input * 0 if input._rg and U.GRAD.enabled else ember.zeros_like(input)
        return (base + value.to(input.dtype)).to(input.dtype)
    if not isinstance(value, numbers.Number):
        raise TypeError(f"{op}(): argument 'value' must be Number, not "
                        f"{type(value).__name__}")
    res = ember.full_like(input, value)
    if U.GRAD.enabled and input._rg:
        res = input * 0 + res   # torch's FillBackward gives input a zero gradient
    return res


def is_inference(input):
    """Whether ``input`` is an inference tensor.

    NOTE: ember keeps no separate inference-tensor kind (inference_mode behaves like
    no_grad), so this is always False.
    """
    U.check_tensor(input, "is_inference")
    return False


def unsafe_split_with_sizes(input, split_sizes, dim=0):
    """Same as ``split_with_sizes``.

    >>> [t.tolist() for t in ember.unsafe_split_with_sizes(ember.arange(3), [1, 2])]
    [[0], [1, 2]]
    """
    U.check_tensor(input, "unsafe_split_with_sizes")
    return input.split_with_sizes(split_sizes, dim)


# ----------------------------------------------------------------------------------
# stft / istft
# ----------------------------------------------------------------------------------

def _full_window(op, window, win_length, n_fft, like):
    ember = _ember()
    if win_length is None:
        win_length = n_fft
    if not 0 < win_length <= n_fft:
        raise RuntimeError(f"{op}: expected 0 < win_length <= n_fft, but got "
                           f"win_length={win_length}")
    if window is None:
        real = like.real.dtype if like.is_complex() else like.dtype
        window = ember.ones(win_length, dtype=real, device=like.device)
    elif window.ndim != 1 or window.shape[0] != win_length:
        raise RuntimeError(f"{op}: expected a 1D window tensor of size equal to win_length="
                           f"{win_length}, but got window with size {list(window.shape)}")
    if win_length < n_fft:
        left = (n_fft - win_length) // 2
        window = ember.nn.functional.pad(window, (left, n_fft - win_length - left))
    return window


def stft(input, n_fft, hop_length=None, win_length=None, window=None, center=True,
         pad_mode="reflect", normalized=False, onesided=None, return_complex=None):
    """Short-time Fourier transform: (…, n_freq, n_frames) complex frames of ``input``.

    >>> ember.stft(ember.ones(8), 4, return_complex=True).shape
    torch.Size([3, 9])
    """
    op = "stft"
    ember = _ember()
    U.check_tensor(input, op)
    if return_complex is None:
        if not (input.is_complex() or (window is not None and window.is_complex())):
            raise RuntimeError("stft requires the return_complex parameter be given for real "
                               "inputs, and will further require that return_complex=True "
                               "in a future PyTorch release.")
        return_complex = True
    if input.ndim not in (1, 2):
        raise RuntimeError(f"{op}: expected a 1D or 2D tensor, but got {input.ndim}D")
    if not (input.is_floating_point() or input.is_complex()):
        raise RuntimeError(f"{op}: expected a tensor of floating point or complex values, "
                           f"got {input.dtype}")
    x = input.unsqueeze(0) if input.ndim == 1 else input
    hop = n_fft // 4 if hop_length is None else hop_length
    if hop <= 0:
        raise RuntimeError(f"{op}: expected hop_length > 0, but got hop_length={hop}")
    if center:
        pad = n_fft // 2
        x = ember.nn.functional.pad(x.unsqueeze(1), (pad, pad), mode=pad_mode).squeeze(1)
    length = x.shape[-1]
    if not 0 < n_fft <= length:
        raise RuntimeError(f"{op}: expected 0 < n_fft <= {length}, but got n_fft={n_fft}")
    win = _full_window(op, window, win_length, n_fft, input)
    frames = x.unfold(-1, n_fft, hop) * win           # (B, n_frames, n_fft)
    complex_in = input.is_complex() or win.is_complex()
    if onesided is None:
        onesided = not complex_in
    if onesided and complex_in:
        raise RuntimeError(f"{op}: Cannot have onesided output if window or input is complex")
    norm = "ortho" if normalized else "backward"
    spec = ember.fft.rfft(frames, dim=-1, norm=norm) if onesided else \
        ember.fft.fft(frames, dim=-1, norm=norm)
    spec = spec.transpose(-1, -2)
    if input.ndim == 1:
        spec = spec.squeeze(0)
    if not return_complex:
        return ember.view_as_real(spec)
    return spec


def istft(input, n_fft, hop_length=None, win_length=None, window=None, center=True,
          normalized=False, onesided=None, length=None, return_complex=False):
    """Inverse of ``stft`` by overlap-add of the inverse-transformed frames.

    >>> x = ember.arange(8.0)
    >>> ember.istft(ember.stft(x, 4, window=ember.hann_window(4), return_complex=True), 4,
    ...             window=ember.hann_window(4)).shape
    torch.Size([8])
    """
    op = "istft"
    ember = _ember()
    U.check_tensor(input, op)
    if not input.is_complex():
        raise RuntimeError(f"{op} requires a complex-valued input tensor")
    if input.ndim not in (2, 3):
        raise RuntimeError(f"{op}: expected a tensor with 2 or 3 dimensions of complex, got "
                           f"{input.ndim}")
    spec = input.unsqueeze(0) if input.ndim == 2 else input
    hop = n_fft // 4 if hop_length is None else hop_length
    n_freq, n_frames = spec.shape[-2], spec.shape[-1]
    if onesided is None:
        onesided = n_freq != n_fft
    if onesided:
        if n_fft // 2 + 1 != n_freq:
            raise RuntimeError(f"{op}: expected the frequency dimension (3rd to the last) of "
                               f"the input tensor to match n_fft / 2 + 1 when onesided=True, "
                               f"but got {n_freq}")
        if return_complex:
            raise RuntimeError(f"{op}: cannot have onesided output if window or input is "
                               "complex")
    elif n_freq != n_fft:
        raise RuntimeError(f"{op}: expected the frequency dimension (3rd to the last) of the "
                           f"input tensor to match n_fft when onesided=False, but got {n_freq}")
    real_like = ember.zeros((), dtype=input.real.dtype, device=input.device)
    win = _full_window(op, window, win_length, n_fft, real_like)
    norm = "ortho" if normalized else "backward"
    cols = spec.transpose(-1, -2)                       # (B, n_frames, n_freq)
    if onesided:
        frames = ember.fft.irfft(cols, n=n_fft, dim=-1, norm=norm)
    else:
        frames = ember.fft.ifft(cols, n=n_fft, dim=-1, norm=norm)
        if not return_complex:
            frames = frames.real
    frames = frames * win
    expected = n_fft + hop * (n_frames - 1)
    positions = (np.arange(n_frames)[:, None] * hop + np.arange(n_fft)[None, :]).reshape(-1)
    index = ember.tensor(positions, device=input.device)
    batch = frames.shape[0]
    y = ember.zeros(batch, expected, dtype=frames.dtype, device=input.device)
    y = y.index_add(-1, index, frames.reshape(batch, -1))
    xp = np if input.device is META else xp_of(win._data)
    envelope = xp.zeros(expected, dtype=np.float64)
    if input.device is not META:
        w2 = (win._data.astype(np.float64) ** 2) if not win.is_complex() else \
            np.abs(win._data.astype(np.complex128)) ** 2
        np.add.at(envelope, xp.asarray(positions), np.tile(w2, n_frames))
    start = n_fft // 2 if center else 0
    if length is not None:
        end = start + length
    elif center:
        end = expected - n_fft // 2
    else:
        end = expected
    end_avail = builtins.min(end, expected)
    y = y[:, start:end_avail]
    env = envelope[start:end_avail]
    if input.device is not META and env.size and np.abs(env).min() < 1e-11:
        raise RuntimeError(f"{op}: window overlap add min: {float(np.abs(env).min())}")
    env_dtype = y.real.dtype if y.is_complex() else y.dtype
    y = y / U.wrap(env.astype(env_dtype.np), input.device)
    if end > expected:
        y = ember.nn.functional.pad(y, (0, end - expected))
    if input.ndim == 2:
        y = y.squeeze(0)
    return y


# ----------------------------------------------------------------------------------
# Tensor methods: legacy constructors and storage
# ----------------------------------------------------------------------------------

def _new(self, *args, device=None):
    """``x.new(2, 3)`` / ``x.new([1, 2])``: the legacy constructor, with x's dtype/device."""
    from .creation import _tensor_ctor
    from .._tensor import Size
    if len(args) == 1 and type(args[0]) is Size:
        args = tuple(args[0])
    dev = self._device if device is None else as_device(device)
    return _tensor_ctor(Tensor, args, dev, self.dtype)


def _resize_check(self, shape, op):
    count = int(np.prod(shape)) if len(shape) else 1
    if count != self.numel():
        raise RuntimeError(f"{op}: requested resize to {'x'.join(map(str, shape))} ({count} "
                           f"elements in total), but the given tensor has a size of "
                           f"{'x'.join(map(str, self.shape))} ({self.numel()} elements). "
                           "autograd's resize can only change the shape of a given tensor, "
                           "while preserving the number of elements.")


def _resize(self, *sizes):
    """Deprecated non-inplace resize: a reshape that must keep the element count."""
    from ._shape_args import parse_shape
    warnings.warn("non-inplace resize is deprecated", UserWarning, stacklevel=2)
    shape = tuple(parse_shape(sizes, "resize"))
    _resize_check(self, shape, "resize")
    return self.contiguous().view(shape)


def _resize_as(self, tensor):
    """Deprecated non-inplace resize_as: reshape to ``tensor``'s shape."""
    warnings.warn("non-inplace resize_as is deprecated", UserWarning, stacklevel=2)
    U.check_tensor(tensor, "resize_as", "tensor")
    shape = tuple(tensor.shape)
    _resize_check(self, shape, "resize_as")
    return self.contiguous().view(shape)


def _set_(self, source=None, storage_offset=0, size=None, stride=None):
    """Make ``self`` share ``source``'s memory (the tensor-source form of torch's set_);
    with no source, self becomes an empty tensor."""
    if isinstance(source, _Storage):
        # NOTE: set_(storage) makes self a 1-d tensor over the whole storage
        storage, source = source, source._tensor
        if size is None:
            size = (storage.nbytes() // source._data.itemsize - storage_offset,)
    if source is None:
        arr = np.zeros((0,), dtype=self._data.dtype)
        src_dev = self._device
    else:
        U.check_tensor(source, "set_", "source")
        if source.dtype != self.dtype:
            raise RuntimeError(f"set_(): Could not set tensor of type {self.dtype} to a "
                               f"tensor of type {source.dtype}")
        arr, src_dev = source._data, source._device
    if self._rg and self._grad_fn is None and U.GRAD.enabled:
        raise RuntimeError("set_(): a leaf Variable that requires grad is being used in an "
                           "in-place operation.")
    if size is not None:
        size = tuple(size)
        if stride is None:
            from .._tensor import _contiguous_strides
            stride = _contiguous_strides(size)
        root = _storage_root(arr)
        if not root.flags.c_contiguous or root.dtype != arr.dtype:
            raise RuntimeError("set_(): size/stride need a source with contiguous storage")
        arr = np.lib.stride_tricks.as_strided(root.reshape(-1)[storage_offset:], shape=size,
                                              strides=tuple(s * arr.itemsize for s in stride))
    self._data = arr
    self._device = src_dev
    if source is not None:
        origin = _storage_origin(source)
        if origin is not self:
            self._storage_base = origin
    self._bump_version()
    return self


def _as_subclass(self, cls):
    """``self`` as an instance of the Tensor subclass ``cls`` (same data, same graph)."""
    if not (isinstance(cls, type) and issubclass(cls, Tensor)):
        raise TypeError(f"as_subclass(): cls must be a subclass of Tensor, got {cls!r}")
    out = self.view_as(self)
    out.__class__ = cls
    return out


def _chalf(self, memory_format=None):
    raise RuntimeError("chalf(): complex32 (ComplexHalf) is not supported by ember")


def _is_set_to(self, tensor):
    """Whether both tensors view the same memory with the same offset, size and stride."""
    U.check_tensor(tensor, "is_set_to", "tensor")
    if self._device is not tensor._device or self.dtype != tensor.dtype:
        return False
    a, b = self._data, tensor._data
    return (_storage_root(a) is _storage_root(b) and _ptr(a) == _ptr(b)
            and a.shape == b.shape and self.stride() == tensor.stride())


def _dim_order(self, *, ambiguity_check=False):
    """The dims from outermost to innermost in memory (by decreasing stride)."""
    strides = self.stride()
    return tuple(sorted(_py_range(self.ndim), key=lambda d: -strides[d]))


class _Storage:
    """A minimal view of the memory under a tensor (torch's UntypedStorage / TypedStorage):
    enough for code that compares ``data_ptr()`` to detect sharing, or reads sizes."""

    def __init__(self, tensor, typed):
        self._tensor = tensor
        self._typed = typed
        root = _storage_root(tensor._data)
        self._root = root

    def _bytes(self):
        root = self._root
        try:
            return np.ndarray((root.nbytes,), dtype=np.uint8, buffer=root)
        except (TypeError, ValueError):
            return np.ascontiguousarray(root).reshape(-1).view(np.uint8)

    def data_ptr(self):
        if self._tensor._device is META:
            return 0
        return _ptr(self._root)

    def nbytes(self):
        return self._root.nbytes

    def element_size(self):
        return self._tensor._data.itemsize if self._typed else 1

    def size(self):
        return self.nbytes() // self.element_size()

    def __len__(self):
        return self.size()

    @property
    def device(self):
        return self._tensor._device

    @property
    def dtype(self):
        return self._tensor.dtype if self._typed else D.uint8

    def tolist(self):
        data = self._bytes()
        if self._typed:
            data = data.view(self._tensor._data.dtype)
        return data.tolist()

    def __getitem__(self, i):
        data = self._bytes()
        if self._typed:
            data = data.view(self._tensor._data.dtype)
        return data[i].item() if np.ndim(data[i]) == 0 else data[i].tolist()

    def untyped(self):
        return _Storage(self._tensor, typed=False)

    def is_shared(self):
        return False

    def __repr__(self):
        kind = "TypedStorage" if self._typed else "UntypedStorage"
        return f"torch.storage.{kind}(size={self.size()}, device={self.device})"


_TYPED_STORAGE_WARNED = [False]


def _storage(self):
    if _TYPED_STORAGE_WARNED[0]:
        return _Storage(self, typed=True)
    _TYPED_STORAGE_WARNED[0] = True   # NOTE: torch warns only on the first call
    warnings.warn("TypedStorage is deprecated. It will be removed in the future and "
                  "UntypedStorage will be the only storage class.", UserWarning, stacklevel=2)
    return _Storage(self, typed=True)


def _untyped_storage(self):
    return _Storage(self, typed=False)


# ----------------------------------------------------------------------------------
# global switches
# ----------------------------------------------------------------------------------

class _Switches:
    deterministic = False
    warn_only = False
    warn_always = False
    default_device = None
    matmul_precision = "highest"


def use_deterministic_algorithms(mode, *, warn_only=False):
    """Record whether ops must be deterministic (ember's CPU ops always are)."""
    if not isinstance(mode, builtins.bool):
        raise TypeError(f"use_deterministic_algorithms(): argument 'mode' must be bool, not "
                        f"{type(mode).__name__}")
    if not isinstance(warn_only, builtins.bool):
        raise TypeError(f"use_deterministic_algorithms(): argument 'warn_only' must be bool, "
                        f"not {type(warn_only).__name__}")
    _Switches.deterministic = mode
    _Switches.warn_only = warn_only


def are_deterministic_algorithms_enabled():
    return _Switches.deterministic


def is_deterministic_algorithms_warn_only_enabled():
    return _Switches.warn_only


_DEBUG_MODES = {"default": 0, "warn": 1, "error": 2}


def set_deterministic_debug_mode(debug_mode):
    """0/'default': off, 1/'warn': deterministic with warnings, 2/'error': deterministic."""
    if isinstance(debug_mode, str):
        if debug_mode not in _DEBUG_MODES:
            raise RuntimeError(f"invalid value of debug_mode, expected one of `default`, "
                               f"`warn`, `error`, but got {debug_mode}")
        debug_mode = _DEBUG_MODES[debug_mode]
    elif not isinstance(debug_mode, int) or isinstance(debug_mode, builtins.bool):
        raise TypeError(f"debug_mode must be str or int, but got {type(debug_mode).__name__}")
    if debug_mode not in (0, 1, 2):
        raise RuntimeError(f"invalid value of debug_mode, expected 0, 1, or 2, but got "
                           f"{debug_mode}")
    use_deterministic_algorithms(debug_mode != 0, warn_only=debug_mode == 1)


def get_deterministic_debug_mode():
    if not _Switches.deterministic:
        return 0
    return 1 if _Switches.warn_only else 2


def set_warn_always(b):
    _Switches.warn_always = builtins.bool(b)


def is_warn_always_enabled():
    return _Switches.warn_always


def set_default_device(device):
    """Factories called without ``device=`` make tensors on ``device`` from now on
    (``None`` restores cpu); ``with ember.device(d):`` does the same for a block."""
    from .._device import set_default_device as _set
    _set(device)


def get_default_device():
    """The device factories use when given no ``device=`` (cpu unless set)."""
    from .._device import get_default_device as _get
    return _get()


def set_float32_matmul_precision(precision):
    if precision not in ("highest", "high", "medium"):
        # NOTE: torch warns and keeps the old setting rather than raising.
        warnings.warn(f"{precision} is not one of 'highest', 'high', or 'medium'; the current "
                      "set_float32_matmul_precision call has no effect.", UserWarning,
                      stacklevel=2)
        return
    _Switches.matmul_precision = precision


def get_float32_matmul_precision():
    return _Switches.matmul_precision


METHODS = {
    # NOTE: torch 2.13 has no Tensor.isin method (only torch.isin).
    "index_reduce": index_reduce,
    "is_inference": is_inference,
    "new": _new, "resize": _resize, "resize_as": _resize_as, "set_": _set_,
    "as_subclass": _as_subclass,
    "cfloat": lambda self, memory_format=None: self.to(D.complex64),
    "cdouble": lambda self, memory_format=None: self.to(D.complex128),
    "chalf": _chalf, "is_set_to": _is_set_to, "dim_order": _dim_order,
    "unsafe_split_with_sizes": unsafe_split_with_sizes,
    "storage": _storage, "untyped_storage": _untyped_storage,
    "stft": stft, "istft": istft,
}
METHODS["index_reduce_"] = make_inplace(index_reduce, "index_reduce_")
for _name, _fn in METHODS.items():
    if not hasattr(Tensor, _name):
        setattr(Tensor, _name, _fn)
del _name, _fn

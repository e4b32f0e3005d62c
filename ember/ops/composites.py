"""Ops composed from other ops, with no gradient code of their own (STYLE.md's second
tier): finite differences and integration (diff, trapezoid, cumulative_trapezoid),
covariance (cov, corrcoef), and constructions (vander, block_diag, cartesian_prod,
combinations, Tensor.sum_to_size).

>>> ember.diff(ember.tensor([1, 4, 9]))   # [3, 5]
"""

__all__ = ["adjoint", "block_diag", "cartesian_prod", "combinations", "corrcoef", "cov",
           "cumulative_trapezoid", "diagflat", "diff", "dist", "nanquantile", "narrow_copy",
           "quantile", "renorm", "trapezoid", "trapz", "vander"]

import itertools
import warnings

import numpy as np

from .. import _dtype as D
from .._tensor import Tensor, _wrap_dim
from ._inplace import make_inplace
from ._util import check_tensor


def _ember():
    # The op functions live in sibling modules that import this one's package; resolve
    # them at call time through the public namespace.
    import ember
    return ember


# ----------------------------------------------------------------------------------
# finite differences and integration
# ----------------------------------------------------------------------------------

def diff(input, n=1, dim=-1, prepend=None, append=None, *, out=None):
    """The ``n``-th forward difference along ``dim`` (``!=`` for bool tensors), after
    concatenating ``prepend``/``append``.

    >>> ember.diff(ember.tensor([1, 3, 6]))   # [2, 3]
    """
    E = _ember()
    check_tensor(input, "diff")
    if input.dim() == 0:
        raise RuntimeError("diff expects input to be at least one-dimensional")
    if not isinstance(n, int) or isinstance(n, bool):
        raise TypeError(f"diff(): argument 'n' must be int, not {type(n).__name__}")
    if n < 0:
        raise RuntimeError(f"order must be non-negative but got {n}")
    d = _wrap_dim(dim, input.dim(), "diff")
    parts = [p for p in (prepend, input, append) if p is not None]
    for p in parts:
        check_tensor(p, "diff")
        if p.dim() != input.dim():
            raise RuntimeError(f"diff expects prepend or append to be the same dimension as "
                               f"input (input shape {list(input.shape)}, got {list(p.shape)})")
    x = E.cat(parts, d) if len(parts) > 1 else input
    for _ in range(n):
        length = x.shape[d]
        if length == 0:
            break
        hi, lo = x.narrow(d, 1, length - 1), x.narrow(d, 0, length - 1)
        x = E.ne(hi, lo) if x.dtype is D.bool else hi - lo
    return _write(out, x, "diff")


def _spacing_along(x, dim, ndim):
    """A 1-d ``x`` shaped to broadcast along ``dim`` of an ``ndim``-d tensor."""
    shape = [1] * ndim
    shape[dim] = -1
    return x.reshape(shape)


def _trapezoid_args(y, x, dx, dim, op):
    check_tensor(y, op, "y")
    if x is not None and dx is not None:
        raise TypeError(f"{op}() received an invalid combination of arguments: pass x or dx, "
                        f"not both")
    if y.dim() == 0:
        raise IndexError(f"{op}: dimension specified as {dim} but tensor has no dimensions")
    d = _wrap_dim(dim, y.dim(), op)
    if x is not None:
        check_tensor(x, op, "x")
        if x.dim() == 1 and x.shape[0] != y.shape[d]:
            raise RuntimeError(f"{op}: There must be one `x` value for each sample point "
                               f"(x has {x.shape[0]}, y has {y.shape[d]} along dim {d})")
    return d


def _spacings(y, x, d):
    """The spacings between sample points as a tensor that broadcasts against pair sums."""
    E = _ember()
    if x.dim() == 1:
        return _spacing_along(E.diff(x), d, y.dim())
    return E.diff(x, dim=d - y.dim())


def _pair_sums(y, d):
    length = y.shape[d]
    if length == 0:
        return y
    return y.narrow(d, 1, max(length - 1, 0)) + y.narrow(d, 0, max(length - 1, 0))


def trapezoid(y, x=None, *, dx=None, dim=-1):
    """Integral of ``y`` along ``dim`` by the trapezoid rule, at points ``x`` or ``dx`` apart.

    >>> ember.trapezoid(ember.tensor([1., 2., 3.]))   # tensor(4.)
    """
    E = _ember()
    d = _trapezoid_args(y, x, dx, dim, "trapezoid")
    if y.shape[d] == 0:
        shape = y.shape[:d] + y.shape[d + 1:]
        return E.zeros(shape, dtype=y.dtype, device=y.device)
    if x is not None:
        # NOTE: as torch, integer inputs are summed in their own dtype before halving.
        return (_spacings(y, x, d) * _pair_sums(y, d)).sum(d) / 2
    # NOTE: torch's formula for even spacing: dx * (sum(y) - (y[0] + y[-1]) / 2).
    ends = y.select(d, 0) + y.select(d, -1)
    return (y.sum(d) - ends * 0.5) * (1.0 if dx is None else dx)


def trapz(y, x=None, *, dx=None, dim=-1):
    """Alias of ``trapezoid`` (torch keeps the old name)."""
    return trapezoid(y, x, dx=dx, dim=dim)


def cumulative_trapezoid(y, x=None, *, dx=None, dim=-1):
    """Running trapezoid-rule integral along ``dim`` (one fewer element than ``y``)."""
    d = _trapezoid_args(y, x, dx, dim, "cumulative_trapezoid")
    if x is not None:
        # NOTE: torch sums before halving (integer inputs accumulate in int64)
        return (_spacings(y, x, d) * _pair_sums(y, d)).cumsum(d) / 2
    return (_pair_sums(y, d) * ((1.0 if dx is None else dx) / 2)).cumsum(d)


# ----------------------------------------------------------------------------------
# covariance
# ----------------------------------------------------------------------------------

def _check_weights(w, name, observations, integral):
    check_tensor(w, "cov", name)
    if w.dim() > 1:
        raise RuntimeError(f"cov(): expected {name} to have one or fewer dimensions but got "
                           f"tensor with {w.dim()} dimensions")
    if w.numel() != observations:
        raise RuntimeError(f"cov(): expected {name} to have the same numel as there are "
                           f"observations in the input but got {w.numel()} != {observations}")
    if integral and (w.is_floating_point() or w.is_complex()):
        raise RuntimeError(f"cov(): expected {name} to have integral dtype but got {w.dtype}")
    if not integral and not (w.is_floating_point()):
        raise RuntimeError(f"cov(): expected {name} to have floating point dtype but got "
                           f"{w.dtype}")
    if w.device.type != "meta" and bool((w < 0).any()):
        raise RuntimeError(f"cov(): {name} cannot be negative")


def cov(input, *, correction=1, fweights=None, aweights=None):
    """Covariance of the variables in the rows of ``input`` (observations in columns).

    >>> ember.cov(ember.tensor([1., 2., 4.]))   # tensor(2.3333)
    """
    E = _ember()
    check_tensor(input, "cov")
    if input.dim() > 2:
        raise RuntimeError(f"cov(): expected input to have two or fewer dimensions but got "
                           f"an input with {input.dim()} dimensions")
    x = input if input.dim() == 2 else input.reshape(1, -1)
    if not x.is_floating_point() and not x.is_complex():
        x = x.to(D.get_default_dtype())
    observations = x.shape[1]
    w = None
    if fweights is not None:
        _check_weights(fweights, "fweights", observations, integral=True)
        w = fweights
    if aweights is not None:
        _check_weights(aweights, "aweights", observations, integral=False)
        w = aweights if w is None else w * aweights
    if w is None:
        w_sum = E.tensor(float(observations), dtype=x.dtype, device=x.device)
        avg = x.mean(1)
    else:
        w_sum = w.sum()
        avg = (x * w).sum(1) / w_sum
    if w is None:
        norm = w_sum - correction
    elif correction == 0:
        norm = w_sum
    elif aweights is None:
        norm = w_sum - correction
    else:
        norm = w_sum - correction * (w * aweights).sum() / w_sum
    if norm.device.type != "meta" and bool(norm <= 0):
        warnings.warn("cov(): degrees of freedom is <= 0. Correction should be strictly less "
                      "than the number of observations.", UserWarning, stacklevel=2)
        norm = E.zeros_like(norm)
    centered = x - avg.unsqueeze(1)
    weighted = centered if w is None else centered * w
    c = E.mm(weighted, centered.t().conj() if centered.is_complex() else centered.t())
    c = c / norm.to(c.dtype)
    # NOTE: torch (and NumPy) squeeze the result: one variable gives a 0-dim tensor.
    return c.squeeze()


def corrcoef(input):
    """Pearson correlation coefficients of the rows of ``input``, clipped to [-1, 1]."""
    E = _ember()
    c = cov(input)
    if c.dim() == 0:
        return c / c
    d = E.diagonal(c)
    stddev = E.sqrt(d.real if d.is_complex() else d)
    c = c / stddev.unsqueeze(1)
    c = c / stddev.unsqueeze(0)
    if c.is_complex():
        return c
    return E.clamp(c, -1, 1)


# ----------------------------------------------------------------------------------
# constructions
# ----------------------------------------------------------------------------------

def vander(x, N=None, increasing=False):
    """The Vandermonde matrix of the 1-d ``x``: columns are powers of ``x`` (decreasing
    unless ``increasing``).  Integer and bool inputs give int64 like torch."""
    E = _ember()
    check_tensor(x, "vander", "x")
    if x.dim() != 1:
        raise RuntimeError(f"x must be a one-dimensional tensor (got shape {list(x.shape)})")
    if N is None:
        N = x.shape[0]
    if N < 0:
        raise RuntimeError("N must be non-negative.")
    if x.dtype.category < D.FLOAT:
        x = x.to(D.int64)
    if N == 0:
        return E.empty((x.shape[0], 0), dtype=x.dtype, device=x.device)
    ones = E.ones((x.shape[0], 1), dtype=x.dtype, device=x.device)
    if N == 1:
        result = ones
    else:
        powers = E.cat([ones, x.unsqueeze(1).expand(-1, N - 1)], 1).cumprod(1)
        result = powers
    return result if increasing else result.flip(1)


def block_diag(*tensors):
    """A block-diagonal matrix of 0-, 1- or 2-d tensors (1-d count as one row).

    >>> ember.block_diag(ember.ones(1, 1), ember.ones(2, 2)).shape
    torch.Size([3, 3])
    """
    E = _ember()
    blocks = []
    for i, t in enumerate(tensors):
        check_tensor(t, "block_diag", f"tensors[{i}]")
        if t.dim() > 2:
            raise RuntimeError(f"torch.block_diag: Input tensors must have 2 or fewer "
                               f"dimensions. Input {i} has {t.dim()} dimensions")
        blocks.append(t.reshape(1, 1) if t.dim() == 0 else t.reshape(1, -1) if t.dim() == 1 else t)
    if not blocks:
        return E.empty((1, 0))
    dtype = blocks[0].dtype
    for b in blocks[1:]:
        dtype = D.promote_types(dtype, b.dtype)
    width = sum(b.shape[1] for b in blocks)
    rows = []
    left = 0
    for b in blocks:
        h, w = b.shape
        row = [E.zeros((h, left), dtype=dtype, device=b.device), b.to(dtype),
               E.zeros((h, width - left - w), dtype=dtype, device=b.device)]
        rows.append(E.cat(row, 1))
        left += w
    return E.cat(rows, 0)


def cartesian_prod(*tensors):
    """The Cartesian product of 1-d tensors as rows (a single tensor comes back as is)."""
    E = _ember()
    for i, t in enumerate(tensors):
        check_tensor(t, "cartesian_prod", f"tensors[{i}]")
        if t.dim() != 1:
            raise RuntimeError(f"Expect a 1D vector, but got shape {list(t.shape)}")
    if len(tensors) == 1:
        return tensors[0]
    grids = E.meshgrid(*tensors, indexing="ij")
    return E.stack([g.reshape(-1) for g in grids], 1)


def combinations(input, r=2, with_replacement=False):
    """Length-``r`` combinations of the elements of the 1-d ``input``, as rows."""
    E = _ember()
    check_tensor(input, "combinations")
    if input.dim() != 1:
        raise RuntimeError(f"Expect a 1D vector, but got shape {list(input.shape)}")
    if r < 0:
        raise RuntimeError(f"Expect a non-negative number, but got {r}")
    if r == 0:
        return E.empty((0,), dtype=input.dtype, device=input.device)
    pick = itertools.combinations_with_replacement if with_replacement else itertools.combinations
    index = np.array(list(pick(range(input.shape[0]), r)), dtype=np.int64).reshape(-1, r)
    return input[E.from_numpy(index).to(input.device)]


# ----------------------------------------------------------------------------------
# quantiles: sort, then pick (or interpolate between) the ranked elements
# ----------------------------------------------------------------------------------

_INTERPOLATIONS = ("linear", "lower", "higher", "midpoint", "nearest")


def _quantile_q(op, input, q):
    """``q`` as a 1-d tensor of input's dtype, and whether it was a scalar."""
    E = _ember()
    if isinstance(q, Tensor):
        if q.dim() > 1:
            raise RuntimeError(f"{op}() q must be a scalar or 1D tensor (got shape "
                               f"{list(q.shape)})")
        if q.dtype is not input.dtype:
            raise RuntimeError(f"{op}() q tensor must be same dtype as the input tensor "
                               f"(input {input.dtype}, q {q.dtype})")
        if q.device.type != "meta" and bool(((q < 0) | (q > 1)).any()):
            raise RuntimeError(f"{op}() q values must be in the range [0, 1]")
        return q.reshape(-1), q.dim() == 0
    if isinstance(q, (list, tuple)):
        return _quantile_q(op, input, E.tensor(q, dtype=input.dtype, device=input.device))
    if isinstance(q, bool) or not isinstance(q, (int, float)):
        raise TypeError(f"{op}(): argument 'q' must be float or Tensor, not {type(q).__name__}")
    if not 0 <= q <= 1:
        raise RuntimeError(f"{op}() q must be in the range [0, 1] but got {q}")
    return E.tensor([float(q)], dtype=input.dtype, device=input.device), True


def _quantile(op, input, q, dim, keepdim, interpolation, ignore_nan):
    E = _ember()
    check_tensor(input, op)
    if input.dtype not in (D.float32, D.float64):
        raise RuntimeError(f"{op}() input tensor must be either float or double dtype "
                           f"(got {input.dtype})")
    if interpolation not in _INTERPOLATIONS:
        raise ValueError(f"{op}() interpolation must be one of linear, lower, higher, "
                         f"midpoint or nearest. Got {interpolation}")
    qs, scalar_q = _quantile_q(op, input, q)
    if input.numel() == 0:
        raise RuntimeError(f"{op}() input tensor must be non-empty")
    if dim is None:
        values, d = input.reshape(-1), 0
    else:
        d = _wrap_dim(dim, max(input.dim(), 1), op)
        values = input if input.dim() else input.reshape(1)
    ranked = E.sort(values, d).values.movedim(d, -1)       # (..., n), NaN last
    n = ranked.shape[-1]
    lead = tuple(ranked.shape[:-1])
    if ignore_nan:
        valid = (~E.isnan(ranked)).sum(-1, keepdim=True).to(input.dtype)   # (..., 1)
        rank = qs * (valid - 1).clamp(min=0)                             # (..., Q)
    else:
        rank = (qs * (n - 1)).expand(lead + (qs.shape[0],))
        # NOTE: as torch, a slice holding NaN takes its last sorted element (a NaN), so the
        # gradient of that NaN result flows to the NaN input.
        has_nan = E.isnan(ranked.narrow(-1, n - 1, 1))
        rank = E.where(has_nan, E.full_like(rank, n - 1), rank)
    low = rank.floor()
    if interpolation == "lower":
        result = ranked.gather(-1, low.long())
    elif interpolation == "higher":
        result = ranked.gather(-1, rank.ceil().long())
    elif interpolation == "nearest":
        result = ranked.gather(-1, rank.round().long())      # half to even, as torch
    else:
        below = ranked.gather(-1, low.long())
        above = ranked.gather(-1, rank.ceil().long())
        weight = (rank - low) if interpolation == "linear" else E.full_like(rank, 0.5)
        result = E.lerp(below, above, weight)     # torch's two-sided lerp (inf - inf = nan)
    result = result.movedim(-1, 0)                              # (Q, ...)
    if keepdim:
        if dim is None:
            result = result.reshape((result.shape[0],) + (1,) * input.dim())
        elif input.dim():
            result = result.unsqueeze(d + 1)
    return result.squeeze(0) if scalar_q else result


def quantile(input, q, dim=None, keepdim=False, *, interpolation="linear", out=None):
    """The ``q``-th quantiles of ``input`` (over all elements or along ``dim``); a slice
    holding NaN gives NaN.  A tensor ``q`` adds a leading dim of its length.

    >>> ember.quantile(ember.tensor([0., 1., 2., 3.]), 0.5)   # tensor(1.5000)
    """
    result = _quantile("quantile", input, q, dim, keepdim, interpolation, ignore_nan=False)
    return _write(out, result, "quantile")


def nanquantile(input, q, dim=None, keepdim=False, *, interpolation="linear", out=None):
    """``quantile`` ignoring NaN (all-NaN slices give NaN)."""
    result = _quantile("nanquantile", input, q, dim, keepdim, interpolation, ignore_nan=True)
    return _write(out, result, "nanquantile")


def _write(out, result, op):
    if out is None:
        return result
    from ._util import write_out
    return write_out(out, result, op)


# ----------------------------------------------------------------------------------
# small compositions of existing ops
# ----------------------------------------------------------------------------------

def diagflat(input, offset=0):
    """A 2-d matrix with the flattened ``input`` on diagonal ``offset``."""
    check_tensor(input, "diagflat")
    return _ember().diag(input.reshape(-1), offset)


def dist(input, other, p=2):
    """The ``p``-norm of ``input - other`` (broadcast)."""
    check_tensor(input, "dist")
    check_tensor(other, "dist", "other")
    return (input - other).norm(p)


def renorm(input, p, dim, maxnorm, *, out=None):
    """Rescale each slice along ``dim`` whose ``p``-norm exceeds ``maxnorm`` to norm
    ``maxnorm`` (as torch: factor maxnorm / (norm + 1e-7))."""
    E = _ember()
    check_tensor(input, "renorm")
    if input.dim() <= 1:
        raise RuntimeError(f"renorm: input needs at least 2 dimensions, got {input.dim()} "
                           f"dimensions")
    if p <= 0:
        raise RuntimeError(f"renorm: non-positive-norm not supported (p = {p})")
    if maxnorm < 0:
        raise RuntimeError(f"renorm: expected maxnorm to be >= 0 but got {maxnorm}")
    if not input.is_floating_point():
        raise RuntimeError(f"renorm: expected a floating point input, got {input.dtype}")
    d = _wrap_dim(dim, input.dim(), "renorm")
    others = tuple(i for i in range(input.dim()) if i != d)
    norms = E.linalg.vector_norm(input, p, dim=others, keepdim=True)
    factor = E.where(norms > maxnorm, maxnorm / (norms + 1e-7), E.ones_like(norms))
    return _write(out, input * factor, "renorm")


def narrow_copy(input, dim, start, length, *, out=None):
    """``narrow`` as a new tensor rather than a view."""
    check_tensor(input, "narrow_copy")
    return _write(out, input.narrow(dim, start, length).clone(), "narrow_copy")


def adjoint(input):
    """The conjugate transpose of the last two dims (a view)."""
    check_tensor(input, "adjoint")
    return input.mH


def _sum_to_size(self, *size):
    """Sum this tensor down to ``size``, which it must be expandable from (the reverse of
    ``expand``)."""
    from ._shape_args import parse_shape
    check_tensor(self, "sum_to_size")
    target = tuple(parse_shape(size, "sum_to_size"))
    shape = tuple(self.shape)
    if len(target) > len(shape) or any(t != 1 and t != s for t, s in
                                       zip(target[::-1], shape[::-1])):
        raise RuntimeError(f"size {list(target)} is not expandable to size {list(shape)}")
    lead = len(shape) - len(target)
    dims = tuple(range(lead)) + tuple(lead + i for i, t in enumerate(target)
                                      if t == 1 and shape[lead + i] != 1)
    out = self.sum(dims, keepdim=True) if dims else self
    return out.reshape(target) if lead else out


METHODS = {
    "diff": diff, "sum_to_size": _sum_to_size, "cov": cov, "corrcoef": corrcoef,
    "quantile": quantile, "nanquantile": nanquantile, "diagflat": diagflat, "dist": dist,
    "renorm": renorm, "narrow_copy": narrow_copy, "adjoint": adjoint,
}
for _name, _fn in METHODS.items():
    setattr(Tensor, _name, _fn)
Tensor.renorm_ = make_inplace(renorm, "renorm_")

"""einsum: Einstein summation, computed by ``np.einsum`` (with ``optimize`` picking a
contraction order and BLAS for several operands).

The gradient of operand k is an einsum of the other operands and the output gradient,
so double backward works.  Labels that appear only in operand k (summed away in the
forward) get a ones vector; labels repeated in operand k (a diagonal, as in 'ii->i')
get an identity matrix that writes the gradient onto that diagonal.
"""
import string

import numpy as np

from .. import _dtype as D
from .._device import as_array
from ..autograd.graph import Node
from . import _util as U
from ._util import GRAD, record

__all__ = ["einsum"]

_LETTERS = string.ascii_uppercase + string.ascii_lowercase
_LOW = (np.dtype(np.float16), D.bfloat16.np)


def _error(msg):
    return RuntimeError(f"einsum(): {msg}")


def _from_sublist(args):
    """einsum(op0, [0, 1], op1, [1, 2], [0, 2]) -> ('ab,bc->ac', [op0, op1])."""
    operands, subs = [], []
    args = list(args)
    out = None
    if len(args) % 2 == 1:
        out = args.pop()

    def letters(sub):
        res = ""
        for s in sub:
            if s is Ellipsis:
                res += "..."
            elif isinstance(s, int) and 0 <= s < 52:
                res += _LETTERS[s]
            else:
                raise _error(f"subscript in subscript list is not within the valid range "
                             f"[0, 52), got {s}")
        return res
    for i in range(0, len(args), 2):
        operands.append(args[i])
        subs.append(letters(args[i + 1]))
    eq = ",".join(subs)
    if out is not None:
        eq += "->" + letters(out)
    return eq, operands


_PARSED = {}


def _parse(equation, operands):
    """Explicit per-operand label strings, the output labels, and each label's size
    (cached per equation and shapes: models call the same einsum again and again)."""
    key = (equation, tuple(t._data.shape for t in operands))
    hit = _PARSED.get(key)
    if hit is None:
        hit = _parse_uncached(equation, operands)
        if len(_PARSED) > 512:
            _PARSED.clear()
        _PARSED[key] = hit
    return hit


def _parse_uncached(equation, operands):
    eq = equation.replace(" ", "")
    if "->" in eq:
        lhs, rhs = eq.split("->", 1)
    else:
        lhs, rhs = eq, None
    in_subs = lhs.split(",")
    if len(in_subs) != len(operands):
        if len(in_subs) < len(operands):
            raise _error("more operands were provided than specified in the equation")
        raise _error("fewer operands were provided than specified in the equation")
    used = set(c for c in eq if c.isalpha())
    for c in eq:
        if not (c.isalpha() or c in ".,->"):
            raise _error(f"invalid subscript given at index {eq.index(c)} in the equation "
                         f"string, subscripts must be in [a-zA-Z]")
    free = [c for c in _LETTERS if c not in used]
    ell_max = 0
    parsed = []
    for k, (sub, t) in enumerate(zip(in_subs, operands)):
        if sub.count("...") > 1 or sub.replace("...", "").count(".") or \
                (rhs is not None and rhs.replace("...", "").count(".")):
            raise _error(f"found '.' for operand {k} that is not part of any ellipsis")
        n_explicit = len(sub.replace("...", ""))
        if "..." in sub:
            ell = t.ndim - n_explicit
            if ell < 0:
                raise _error(f"the number of subscripts in the equation ({n_explicit}) is more "
                             f"than the number of dimensions ({t.ndim}) for operand {k}")
            ell_max = max(ell_max, ell)
        elif n_explicit != t.ndim:
            raise _error(f"the number of subscripts in the equation ({n_explicit}) does not "
                         f"match the number of dimensions ({t.ndim}) for operand {k} and no "
                         "ellipsis was given")
        parsed.append(sub)
    ell_labels = "".join(free[:ell_max])
    subs = []
    for sub, t in zip(parsed, operands):
        if "..." in sub:
            e = t.ndim - len(sub.replace("...", ""))
            sub = sub.replace("...", ell_labels[ell_max - e:])
        subs.append(sub)
    if rhs is None:
        counts = {}
        for sub in subs:
            for c in sub:
                counts[c] = counts.get(c, 0) + 1
        out = ell_labels + "".join(sorted((c for c, n in counts.items()
                                           if n == 1 and c not in ell_labels),
                                          key=_LETTERS.index))
    else:
        if rhs.count("...") > 1:
            raise _error("found more than one ellipsis in the output")
        out = rhs.replace("...", ell_labels)
        all_in = set("".join(subs))
        for c in out:
            if out.count(c) > 1:
                raise _error(f"output subscript {c} appears more than once in the output")
            if c not in all_in:
                raise _error(f"output subscript {c} does not appear in the equation for any "
                             "input operand")
    sizes = {}
    for k, (sub, t) in enumerate(zip(subs, operands)):
        seen = {}
        for c, n in zip(sub, t.shape):
            if c in seen and seen[c] != n:
                raise _error(f"subscript {c} is repeated for operand {k} but the sizes don't "
                             f"match, {seen[c]} != {n}")
            seen[c] = n
            if n != 1:
                if sizes.get(c, 1) not in (1, n):
                    raise _error(f"operands do not broadcast with remapped shapes: subscript "
                                 f"{c} has size {sizes[c]} and {n} "
                                 f"(shapes {[list(o.shape) for o in operands]})")
                sizes[c] = n
            else:
                sizes.setdefault(c, 1)
    return subs, out, sizes


def _squeezed(sub, arr, sizes):
    """Drop size-1 dims whose label is bigger elsewhere (broadcasting): numpy's einsum
    does not broadcast explicit labels."""
    drop = [i for i, (c, n) in enumerate(zip(sub, arr.shape)) if n == 1 and sizes[c] != 1]
    if not drop:
        return sub, arr
    keep = "".join(c for i, c in enumerate(sub) if i not in drop)
    return keep, arr.reshape(tuple(n for i, n in enumerate(arr.shape) if i not in drop))


class EinsumBackward(Node):
    def backward(self, grad):
        tensors = self.saved_tensors
        subs, out, sizes = self.subs, self.out, self.sizes
        nf = self.next_functions
        grads = []
        for k, t in enumerate(tensors):
            if nf[k][0] is None:
                grads.append(None)
                continue
            grads.append(_operand_grad(k, tensors, subs, out, sizes, grad))
        return tuple(grads)


# NOTE: torch's einsum is a composite (its grad_fn is the last product it ran); ember names
# its one node after the op.
EinsumBackward.__name__ = "EinsumBackward0"


def _operand_grad(k, tensors, subs, out, sizes, grad):
    from .creation import eye, ones
    target = subs[k]
    t = tensors[k]
    # labels of dims that broadcast (size 1 here, bigger elsewhere) are summed to size 1
    bcast = [i for i, (c, n) in enumerate(zip(target, t.shape)) if n == 1 and sizes[c] != 1]
    target_kept = "".join(c for i, c in enumerate(target) if i not in bcast)
    others = [(subs[j], tensors[j]) for j in range(len(tensors)) if j != k]
    ops, in_subs = [], []
    for sub, o in others:
        s2, arr = _squeezed(sub, o._data, sizes)
        if s2 != sub:
            o = o.reshape(*arr.shape)
        if arr.dtype.kind == "c":   # the gradient of a product holds conjugated factors
            o = o.conj()
        ops.append(o)
        in_subs.append(s2)
    gsub, g = _squeezed(out, grad._data, sizes)
    if gsub != out:
        grad = grad.reshape(*g.shape)
    ops.append(grad)
    in_subs.append(gsub)
    available = set("".join(in_subs))
    used = set("".join(subs)) | set(out)
    fresh = iter(c for c in _LETTERS if c not in used)
    result_sub = ""
    seen = set()
    for c in target_kept:
        if c in seen:   # a repeated label: a diagonal, tied to its first use by an identity
            f = next(fresh)
            ops.append(eye(sizes[c], dtype=grad.dtype, device=grad.device))
            in_subs.append(c + f)
            result_sub += f
            continue
        seen.add(c)
        if c not in available:   # summed only in this operand: the gradient broadcasts
            ops.append(ones(sizes[c], dtype=grad.dtype, device=grad.device))
            in_subs.append(c)
            available.add(c)
        result_sub += c
    g_k = einsum(",".join(in_subs) + "->" + result_sub, *ops)
    if bcast:
        shape = list(g_k.shape)
        for i in bcast:
            shape.insert(i, 1)
        g_k = g_k.reshape(*shape)
    return g_k


_PLANS = {}


def _contract(subs, arrays, out):
    """Evaluate the einsum by pairwise contractions, each one batched matmul (BLAS), in
    the order np.einsum_path picks.  The plan (reductions, transposes, reshapes) is made
    once per equation and shapes, so a repeated einsum costs little more than its matmuls."""
    key = (tuple(subs), tuple(a.shape for a in arrays), out)
    plan = _PLANS.get(key)
    if plan is None:
        plan = _make_plan(list(subs), [a.shape for a in arrays], out)
        if len(_PLANS) > 512:
            _PLANS.clear()
        _PLANS[key] = plan
    arrays = list(arrays)
    reductions, steps, final = plan
    for k, eq in reductions:
        arrays[k] = np.einsum(eq, arrays[k])
    for idx, pairs in steps:
        group = [arrays.pop(i) for i in idx][::-1]
        a = group[0]
        for pair, b in zip(pairs, group[1:]):
            a = _run_pair(pair, a, b)
        arrays.append(a)
    (arr,) = arrays
    return arr if final is None else np.einsum(final, arr)


def _make_plan(subs, shapes, out):
    size = {}
    for sub, shape in zip(subs, shapes):
        size.update(zip(sub, shape))
    reductions = []
    # reduce each operand first: diagonals of repeated labels, labels used nowhere else
    for k, sub in enumerate(subs):
        others = set(out).union(*(set(x) for j, x in enumerate(subs) if j != k))
        keep = "".join(c for i, c in enumerate(sub) if c in others and c not in sub[:i])
        if keep != sub:
            reductions.append((k, f"{sub}->{keep}"))
            subs[k] = keep
    if len(subs) == 2:
        path = [(0, 1)]
    else:
        dummies = [np.broadcast_to(np.zeros(()), tuple(size[c] for c in sub)) for sub in subs]
        path = np.einsum_path(",".join(subs) + "->" + out, *dummies, optimize="greedy")[0][1:]
    steps = []
    for step in path:
        idx = sorted(step, reverse=True)
        group = [subs.pop(i) for i in idx][::-1]
        sa = group[0]
        pairs = []
        for n, sb in enumerate(group[1:], 1):
            keep = set(out).union(*(set(x) for x in subs + group[n + 1:]))
            pair, sa = _pair_plan(sa, sb, keep, size)
            pairs.append(pair)
        subs.append(sa)
        steps.append((idx, pairs))
    (sub,) = subs
    return reductions, steps, (None if sub == out else f"{sub}->{out}")


def _pair_plan(sa, sb, keep, size):
    """How to contract two operands with distinct labels each as one batched matmul."""
    eqs, kept = [], []
    for sub, other in ((sa, sb), (sb, sa)):
        alone = "".join(c for c in sub if c not in other and c not in keep)
        kept.append("".join(c for c in sub if c not in alone))
        eqs.append(f"{sub}->{kept[-1]}" if alone else None)   # summed away here only
    sa, sb = kept
    batch = [c for c in sa if c in sb and c in keep]
    contract = [c for c in sa if c in sb and c not in keep]
    left = [c for c in sa if c not in sb]
    right = [c for c in sb if c not in sa]

    def prod(labels):
        n = 1
        for c in labels:
            n *= size[c]
        return n
    pair = (eqs[0], eqs[1],
            [sa.index(c) for c in batch + left + contract],
            (prod(batch), prod(left), prod(contract)),
            [sb.index(c) for c in batch + contract + right],
            (prod(batch), prod(contract), prod(right)),
            tuple(size[c] for c in batch + left + right))
    return pair, "".join(batch + left + right)


def _run_pair(pair, a, b):
    eq_a, eq_b, perm_a, shape_a, perm_b, shape_b, out_shape = pair
    if eq_a is not None:
        a = np.einsum(eq_a, a)
    if eq_b is not None:
        b = np.einsum(eq_b, b)
    return np.matmul(a.transpose(perm_a).reshape(shape_a),
                     b.transpose(perm_b).reshape(shape_b)).reshape(out_shape)


def _sums_alone(subs, out, sizes):
    """Whether torch sums some label found in one operand only with sum() (which turns
    integers into int64).  NOTE: with several operands torch squeezes such labels of
    size 1 instead of summing them; a single operand is always summed."""
    for k, sub in enumerate(subs):
        others = set(out).union(*(set(s) for j, s in enumerate(subs) if j != k))
        if any(c not in others and (len(subs) == 1 or sizes.get(c, 2) != 1) for c in sub):
            return True
    return False


def einsum(*args):
    """Einstein summation: ``einsum('ij,jk->ik', a, b)`` is ``a @ b``.

    Supports ellipsis ('...ij,...jk'), repeated labels ('ii->i', 'ii'), implicit output
    (labels used once, sorted), broadcasting of size-1 dims, any number of operands, and
    the sublist format ``einsum(a, [0, 1], b, [1, 2], [0, 2])``.

    >>> ember.einsum('ii', ember.eye(3))
    tensor(3.)
    """
    if not args:
        raise TypeError("einsum(): must specify the equation string and at least one operand, "
                        "or at least one operand and its subscripts list")
    if isinstance(args[0], str):
        equation, operands = args[0], list(args[1:])
        if len(operands) == 1 and isinstance(operands[0], (list, tuple)):
            operands = list(operands[0])
    else:
        equation, operands = _from_sublist(args)
    if not isinstance(equation, str):
        raise TypeError(f"einsum(): argument 'equation' must be str, not "
                        f"{type(equation).__name__}")
    if not operands:
        raise _error("must provide at least one operand")
    for i, t in enumerate(operands):
        U.check_tensor(t, "einsum", f"operands[{i}]")
    first = operands[0]
    for t in operands[1:]:
        if t._data.dtype != first._data.dtype:
            raise RuntimeError(f"einsum(): expected scalar type {first.dtype} but found "
                               f"{t.dtype} (all operands must have the same dtype)")
        if t._device is not first._device:
            raise RuntimeError(f"einsum(): Expected all tensors to be on the same device, but "
                               f"found at least two devices, {first._device} and {t._device}!")
    subs, out, sizes = _parse(equation, operands)
    arrays, in_subs = [], []
    dtype = first._data.dtype
    res_dtype = dtype
    if dtype.kind in "iu" and _sums_alone(subs, out, sizes):
        # NOTE: torch sums a label found in a single operand with sum(), which turns
        # integers into int64; contractions between operands keep the dtype.
        res_dtype = np.dtype(np.int64)
    work = np.float32 if dtype in _LOW else res_dtype
    for sub, t in zip(subs, operands):
        s2, arr = _squeezed(sub, t._data, sizes)
        arrays.append(arr.astype(work, copy=False))
        in_subs.append(s2)
    eq = ",".join(in_subs) + "->" + out
    if dtype == np.bool_:
        raise NotImplementedError("einsum(): \"bmm\" not implemented for 'Bool'")
    try:
        res = _contract(in_subs, arrays, out) if len(arrays) > 1 else np.einsum(eq, *arrays)
    except ValueError as exc:
        raise _error(f"{exc} (equation '{equation}', shapes "
                     f"{[list(o.shape) for o in operands]})") from None
    res = as_array(res)
    if res.dtype != res_dtype:
        res = res.astype(res_dtype)
    result = U.wrap(res, first._device)
    if GRAD.enabled and any(t._rg for t in operands):
        node = record(EinsumBackward, result, operands, operands)
        node.subs, node.out, node.sizes = subs, out, sizes
    return result


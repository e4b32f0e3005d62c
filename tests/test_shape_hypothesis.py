"""Property-based tests (hypothesis) for broadcasting and views, each against torch.

Random shapes (with 0-size and 1-size dims), random chains of view ops on random
strided inputs, random basic indices and random reshapes: ember must agree with torch
on values, shapes, strides, offsets, which calls fail, memory sharing and gradients.
The conftest's 'ci' profile keeps the example counts small.
"""
import numpy as np
import pytest
import torch
from hypothesis import assume, given
from hypothesis import strategies as st

import ember

DIM = st.integers(0, 4)
SHAPE = st.lists(DIM, min_size=0, max_size=4).map(tuple)
NONEMPTY_SHAPE = st.lists(st.integers(1, 4), min_size=1, max_size=4).map(tuple)


def _pair(shape, dtype=np.float64):
    n = int(np.prod(shape))
    arr = np.arange(n, dtype=dtype).reshape(shape)
    return torch.from_numpy(arr.copy()), ember.tensor(arr)


def _same_outcome(fn_torch, fn_ember):
    """Both raise (an exception of a compatible type) or both return; returns the results."""
    try:
        t = fn_torch()
    except Exception as exc:  # noqa: BLE001 - compared below
        with pytest.raises(Exception) as info:
            fn_ember()
        assert not type(info.value).__module__.startswith("numpy")
        assert isinstance(info.value, (type(exc), RuntimeError, IndexError, ValueError))
        return None
    return t, fn_ember()


def _check_tensor(e, t, strides=True):
    assert tuple(e.shape) == tuple(t.shape)
    assert str(e.dtype) == str(t.dtype)
    np.testing.assert_array_equal(np.asarray(e.tolist()), np.asarray(t.tolist()))
    if strides and t.numel() > 0:
        for n, es, ts in zip(t.shape, e.stride(), t.stride()):
            assert n == 1 or es == ts, (e.stride(), t.stride(), t.shape)
        assert e.storage_offset() == t.storage_offset()
        assert e.is_contiguous() == t.is_contiguous()


# -- broadcasting --------------------------------------------------------------------------

@st.composite
def broadcast_pair(draw):
    """Two shapes that usually broadcast (some dims replaced by 1, some dropped)."""
    target = draw(SHAPE)
    shapes = []
    for _ in range(2):
        shape = [1 if draw(st.booleans()) else s for s in target]
        shape = shape[draw(st.integers(0, len(shape))):]
        if draw(st.integers(0, 9)) == 0 and shape:   # sometimes incompatible
            shape[0] = shape[0] + 2
        shapes.append(tuple(shape))
    return shapes


@given(broadcast_pair())
def test_broadcast_shapes_like_torch(shapes):
    res = _same_outcome(lambda: torch.broadcast_shapes(*shapes),
                        lambda: ember.broadcast_shapes(*shapes))
    if res is not None:
        assert tuple(res[1]) == tuple(res[0])
        assert type(res[1]).__name__ == "Size"


@given(broadcast_pair())
def test_broadcast_tensors_and_expand_like_torch(shapes):
    (ta, ea), (tb, eb) = _pair(shapes[0]), _pair(shapes[1])
    res = _same_outcome(lambda: torch.broadcast_tensors(ta, tb),
                        lambda: ember.broadcast_tensors(ea, eb))
    if res is None:
        return
    for t, e, src in zip(res[0], res[1], (ea, eb)):
        _check_tensor(e, t)
        assert (e is src) == (t is (ta if src is ea else tb))
    target = tuple(res[0][0].shape)
    _check_tensor(ea.expand(target), ta.expand(target))
    # binary ops broadcast the same way
    _check_tensor(ea + eb, ta + tb, strides=False)


# -- random chains of view ops --------------------------------------------------------------

def _draw_step(draw, shape):
    """One view op applicable to ``shape``: (name, args) usable on both libraries."""
    nd = len(shape)
    choices = ["unsqueeze", "reshape", "flatten"]
    if nd:
        choices += ["transpose", "permute", "slice", "narrow", "movedim", "squeeze",
                    "unflatten", "expand", "split"]
        if nd >= 2:
            choices += ["diagonal", "mT"]
        if any(s > 0 for s in shape):
            choices.append("select")
    name = draw(st.sampled_from(choices))
    dim = draw(st.integers(-nd, nd - 1)) if nd else 0
    if name == "unsqueeze":
        return name, (draw(st.integers(-nd - 1, nd)),)
    if name == "transpose":
        return name, (dim, draw(st.integers(-nd, nd - 1)))
    if name == "permute":
        return name, tuple(draw(st.permutations(range(nd))))
    if name == "movedim":
        return name, (dim, draw(st.integers(-nd, nd - 1)))
    if name == "squeeze":
        return name, ((dim,) if draw(st.booleans()) else ())
    if name == "select":
        dims = [d for d in range(nd) if shape[d] > 0]
        d = draw(st.sampled_from(dims))
        return name, (d, draw(st.integers(-shape[d], shape[d] - 1)))
    if name == "slice":
        size = shape[dim]
        start = draw(st.integers(-size - 1, size + 1))
        stop = draw(st.one_of(st.none(), st.integers(-size - 1, size + 1)))
        step = draw(st.integers(1, 3))
        return name, (dim, start, stop, step)
    if name == "narrow":
        size = shape[dim]
        start = draw(st.integers(0, size))
        return name, (dim, start, draw(st.integers(0, size - start)))
    if name == "diagonal":
        d2 = draw(st.integers(-nd, nd - 1))
        return name, (draw(st.integers(-3, 3)), dim, d2)
    if name == "reshape":
        n = int(np.prod(shape))
        return name, _draw_factorization(draw, n)
    if name == "flatten":
        a = draw(st.integers(-nd, nd - 1)) if nd else 0
        return name, (a, draw(st.integers(-nd, nd - 1)) if nd else 0)
    if name == "unflatten":
        size = shape[dim]
        if size == 0 or draw(st.booleans()):
            return name, (dim, (size, 1))
        first = draw(st.sampled_from([k for k in range(1, size + 1) if size % k == 0]))
        return name, (dim, (first, -1))
    if name == "expand":
        return name, tuple(draw(st.sampled_from([s, -1, 2 if s == 1 else s])) for s in shape)
    if name == "split":
        return name, (draw(st.integers(1, 3)), dim, draw(st.integers(0, 5)))
    return name, ()


def _draw_factorization(draw, n):
    dims = []
    rest = n
    for _ in range(draw(st.integers(0, 3))):
        if rest <= 1:
            break
        k = draw(st.sampled_from([d for d in range(1, rest + 1) if rest % d == 0]))
        dims.append(k)
        rest //= k
    dims.append(rest)
    if n > 0 and draw(st.booleans()):
        dims[draw(st.integers(0, len(dims) - 1))] = -1
    return tuple(dims)


def _apply(x, name, args):
    if name == "slice":
        dim, start, stop, step = args
        index = [slice(None)] * x.dim()
        index[dim] = slice(start, stop, step)
        return x[tuple(index)]
    if name == "mT":
        return x.mT
    if name == "split":
        size, dim, k = args
        pieces = x.split(size, dim)
        return pieces[k % len(pieces)]
    if name == "view_or_reshape":
        return x.reshape(*args)
    return getattr(x, name)(*args)


@st.composite
def view_chain(draw):
    shape = draw(SHAPE)
    layout = draw(st.sampled_from(["contiguous", "transposed", "strided"]))
    steps = []
    # shapes evolve along the chain; track them with a NumPy stand-in of the same op
    current_t = torch.empty(shape)
    if layout == "transposed" and len(shape) >= 2:
        current_t = current_t.transpose(0, -1)
    for _ in range(draw(st.integers(1, 4))):
        name, args = _draw_step(draw, tuple(current_t.shape))
        try:
            current_t = _apply(current_t, name, args)
        except (RuntimeError, IndexError):
            steps.append((name, args))
            break
        steps.append((name, args))
    return shape, layout, steps


def _make_input(lib, shape, layout):
    """A float64 tensor with values 0..n-1 in the given layout (and its storage base)."""
    n = int(np.prod(shape))
    if layout == "strided" and shape:
        big = lib.arange(float(2 * n), dtype=lib.float64).reshape(shape[:-1] + (2 * shape[-1],))
        base = big
        x = big[..., ::2]
    else:
        base = lib.arange(float(n), dtype=lib.float64).reshape(shape)
        x = base
    if layout == "transposed" and len(shape) >= 2:
        x = x.transpose(0, -1)
    return base, x


@given(view_chain())
def test_view_chains_like_torch(chain):
    shape, layout, steps = chain

    def run(lib):
        base, x = _make_input(lib, shape, layout)
        for name, args in steps:
            x = _apply(x, name, args)
        return base, x
    res = _same_outcome(lambda: run(torch), lambda: run(ember))
    if res is None:
        return
    (t_base, t_view), (e_base, e_view) = res
    _check_tensor(e_view, t_view)
    assert (e_view._base is not None) == (t_view._base is not None)
    # write through the view (unless it aliases elements: torch refuses those writes)
    aliased = any(st == 0 for st, n in zip(t_view.stride(), t_view.shape) if n > 1)
    if t_view.numel() and not aliased:
        t_view.mul_(-1)
        e_view.mul_(-1)
        np.testing.assert_array_equal(np.asarray(e_base.tolist()), np.asarray(t_base.tolist()))
        assert e_base._version == t_base._version


@given(view_chain())
def test_view_chain_gradients_like_torch(chain):
    shape, layout, steps = chain
    values = np.random.default_rng(len(steps)).standard_normal(shape)

    def run(lib):
        leaf = lib.tensor(values, dtype=lib.float64, requires_grad=True)
        x = leaf.transpose(0, -1) if layout == "transposed" and len(shape) >= 2 else leaf
        for name, args in steps:
            x = _apply(x, name, args)
        weights = lib.arange(float(x.numel()), dtype=lib.float64).reshape(x.shape)
        (x * x * weights).sum().backward()
        return leaf.grad
    res = _same_outcome(lambda: run(torch), lambda: run(ember))
    if res is not None:
        np.testing.assert_allclose(np.asarray(res[1].tolist()), np.asarray(res[0].tolist()),
                                   rtol=1e-12)


# -- view vs reshape on random layouts ------------------------------------------------------

@given(NONEMPTY_SHAPE, st.data())
def test_view_succeeds_exactly_when_torch_does(shape, data):
    layout = data.draw(st.sampled_from(["contiguous", "transposed", "strided"]))
    t_base, t_x = _make_input(torch, shape, layout)
    e_base, e_x = _make_input(ember, shape, layout)
    target = _draw_factorization(data.draw, int(np.prod(shape)))
    res = _same_outcome(lambda: t_x.view(target), lambda: e_x.view(target))
    if res is not None:
        _check_tensor(res[1], res[0])
        assert (res[1]._base is e_base._base) == (res[0]._base is t_base._base)
    t_r, e_r = t_x.reshape(target), e_x.reshape(target)
    _check_tensor(e_r, t_r)
    assert (e_r._base is None) == (t_r._base is None)


# -- basic indexing ---------------------------------------------------------------------------

@st.composite
def basic_index(draw, shape):
    """A random basic index (ints, slices, None, one Ellipsis); often invalid on purpose."""
    items = []
    has_ellipsis = False
    bound = st.one_of(st.none(), st.integers(-6, 6))
    for _ in range(draw(st.integers(0, len(shape) + 2))):
        kind = draw(st.sampled_from(["int", "slice", "slice", "none", "ellipsis"]))
        if kind == "ellipsis" and not has_ellipsis:
            has_ellipsis = True
            items.append(Ellipsis)
        elif kind == "none":
            items.append(None)
        elif kind == "int":
            items.append(draw(st.integers(-5, 4)))
        else:
            items.append(slice(draw(bound), draw(bound),
                               draw(st.one_of(st.none(), st.integers(1, 3)))))
    return tuple(items) if draw(st.booleans()) or len(items) != 1 else items[0]


@given(SHAPE, st.data())
def test_basic_indexing_like_torch(shape, data):
    index = data.draw(basic_index(shape))
    (t_x, e_x) = _pair(shape)
    res = _same_outcome(lambda: t_x[index], lambda: e_x[index])
    if res is None:
        return
    _check_tensor(res[1], res[0])
    assert res[1]._base is e_x
    # assignment through the same index
    value = data.draw(st.sampled_from([-1.0, 7]))
    t_x[index] = value
    e_x[index] = value
    _check_tensor(e_x, t_x)
    assert e_x._version == t_x._version


# -- splitting and joining --------------------------------------------------------------------

@given(NONEMPTY_SHAPE, st.data())
def test_split_family_and_cat_roundtrip(shape, data):
    t_x, e_x = _pair(shape)
    dim = data.draw(st.integers(-len(shape), len(shape) - 1))
    size = shape[dim]
    op = data.draw(st.sampled_from(["split", "split_sizes", "chunk", "tensor_split",
                                    "tensor_split_idx", "unbind"]))
    if op == "split":
        arg = data.draw(st.integers(1, size + 1))
    elif op == "split_sizes":
        cuts = sorted(data.draw(st.lists(st.integers(0, size), max_size=3)))
        bounds = [0] + cuts + [size]
        arg = [b - a for a, b in zip(bounds[:-1], bounds[1:])]
    elif op in ("chunk", "tensor_split"):
        arg = data.draw(st.integers(1, size + 2))
    elif op == "tensor_split_idx":
        arg = data.draw(st.lists(st.integers(-size - 1, size + 1), max_size=3))
    else:
        arg = None

    def call(x):
        if op == "unbind":
            return x.unbind(dim)
        if op == "split_sizes":
            return x.split(arg, dim)
        name = "tensor_split" if op == "tensor_split_idx" else op
        return getattr(x, name)(arg, dim)
    t_parts, e_parts = call(t_x), call(e_x)
    assert len(e_parts) == len(t_parts)
    for e, t in zip(e_parts, t_parts):
        _check_tensor(e, t)
        assert e._base is e_x
    if op in ("split", "split_sizes", "chunk", "tensor_split"):
        joined = ember.cat(e_parts, dim)
        _check_tensor(joined, torch.cat(t_parts, dim), strides=False)
        np.testing.assert_array_equal(joined.numpy(), e_x.numpy())
    if op == "unbind":
        _check_tensor(ember.stack(e_parts, dim), torch.stack(t_parts, dim), strides=False)


@given(st.lists(SHAPE, min_size=1, max_size=3), st.integers(-3, 3),
       st.sampled_from(["float32", "int64", "bool", "float16"]))
def test_cat_shapes_and_promotion_like_torch(shapes, dim, dtype):
    t_parts, e_parts = [], []
    for i, shape in enumerate(shapes):
        arr = np.arange(int(np.prod(shape))).reshape(shape).astype(dtype if i else "int32")
        t_parts.append(torch.from_numpy(arr.copy()))
        e_parts.append(ember.tensor(arr))
    res = _same_outcome(lambda: torch.cat(t_parts, dim), lambda: ember.cat(e_parts, dim))
    if res is not None:
        _check_tensor(res[1], res[0], strides=False)
    res = _same_outcome(lambda: torch.stack(t_parts, dim), lambda: ember.stack(e_parts, dim))
    if res is not None:
        _check_tensor(res[1], res[0], strides=False)


@given(SHAPE, st.data())
def test_copy_ops_like_torch(shape, data):
    t_x, e_x = _pair(shape)
    nd = len(shape)
    op = data.draw(st.sampled_from(["flip", "roll", "repeat", "tile", "tril", "triu",
                                    "repeat_interleave", "rot90"]))
    dims = data.draw(st.lists(st.integers(-nd, nd - 1), max_size=nd, unique=True)) if nd else []
    if op == "flip":
        args = (dims,)
    elif op == "roll":
        args = (data.draw(st.integers(-5, 5)),) if not dims else (
            [data.draw(st.integers(-5, 5)) for _ in dims], dims)
    elif op in ("repeat", "tile"):
        args = (data.draw(st.lists(st.integers(0, 2), min_size=nd if op == "repeat" else 0,
                                   max_size=nd + 1)),)
    elif op in ("tril", "triu"):
        args = (data.draw(st.integers(-3, 3)),)
    elif op == "repeat_interleave":
        args = (data.draw(st.integers(0, 2)),) + ((dims[0],) if dims else ())
    else:
        args = (data.draw(st.integers(-5, 5)),) + ((dims[:2],) if len(dims) >= 2 else ())
    assume(op != "repeat" or len(args[0]) >= nd)
    res = _same_outcome(lambda: getattr(t_x, op)(*args), lambda: getattr(e_x, op)(*args))
    if res is not None:
        _check_tensor(res[1], res[0], strides=op == "rot90")
        assert res[1]._base is None
        assert all(s >= 0 for s in res[1].numpy().strides)

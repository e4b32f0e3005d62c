"""gather/scatter family beyond the registry: ties and zeros in the reductions' gradients,
in-place forms, error types, double backward -- each compared with torch."""
import warnings

import numpy as np
import pytest
import torch

import ember


def _pair(arr, requires_grad=False):
    arr = np.asarray(arr)
    t = torch.tensor(arr, requires_grad=requires_grad)
    e = ember.tensor(arr, requires_grad=requires_grad)
    return e, t


def _same(e, t, atol=1e-6):
    assert tuple(e.shape) == tuple(t.shape)
    assert str(e.dtype).split(".")[-1] == str(t.dtype).split(".")[-1]
    np.testing.assert_allclose(np.asarray(e.detach().numpy(), dtype=np.float64),
                               t.detach().double().numpy(), atol=atol)


@pytest.mark.parametrize("reduce", ["amax", "amin", "prod", "mean", "sum"])
@pytest.mark.parametrize("include_self", [True, False])
def test_scatter_reduce_grads_with_ties_and_zeros(reduce, include_self):
    base = [[1.0, 2.0, 0.0], [3.0, 3.0, 1.0]]
    src = [[3.0, 2.0, 0.0], [3.0, 2.0, 0.0], [1.0, 5.0, 0.0], [0.0, 2.0, 4.0]]
    index = [[1, 0, 0], [1, 0, 0], [0, 1, 1], [0, 0, 1]]
    eb, tb = _pair(base, True)
    es, ts = _pair(src, True)
    ei, ti = _pair(index)
    e_out = ember.scatter_reduce(eb, 0, ei, es, reduce, include_self=include_self)
    t_out = torch.scatter_reduce(tb, 0, ti, ts, reduce, include_self=include_self)
    _same(e_out, t_out)
    g = np.arange(6.0).reshape(2, 3) - 2
    e_grads = ember.autograd.grad(e_out, (eb, es), ember.tensor(g))
    t_grads = torch.autograd.grad(t_out, (tb, ts), torch.tensor(g))
    for eg, tg in zip(e_grads, t_grads):
        _same(eg, tg)


@pytest.mark.parametrize("name,args", [
    ("scatter_", (1, [[2], [0]], "src")),
    ("scatter_add_", (1, [[2, 2], [0, 0]], "src")),
    ("index_add_", (0, [1, 1], "src")),
    ("index_copy_", (0, [1, 0], "src")),
    ("index_fill_", (1, [0, 2], 5.0)),
    ("masked_fill_", ([[True, False, True], [False, False, True]], -1.0)),
    ("put_", ([0, 4], "src")),
])
def test_inplace_forms_match_torch(name, args):
    base = np.arange(6.0).reshape(2, 3)
    results = []
    for lib in (ember, torch):
        x = lib.tensor(base)
        call = []
        for a in args:
            if a == "src":
                shape = {"scatter_": (2, 1), "scatter_add_": (2, 2), "index_add_": (2, 3),
                         "index_copy_": (2, 3), "put_": (2,)}[name]
                call.append(lib.ones(shape, dtype=lib.float64) * 7)
            elif isinstance(a, list):
                arr = np.array(a)
                call.append(lib.tensor(arr))
            else:
                call.append(a)
        out = getattr(x, name)(*call)
        assert out is x
        results.append(x)
    _same(*results)


def test_inplace_scatter_autograd_through_view():
    for lib in (ember, torch):
        a = lib.ones(2, 3, dtype=lib.float64, requires_grad=True)
        src = lib.full((1, 2), 3.0, dtype=lib.float64, requires_grad=True)
        x = a * 2
        x[1:].scatter_(1, lib.tensor([[0, 2]]), src)
        (x * lib.arange(6, dtype=lib.float64).reshape(2, 3)).sum().backward()
        if lib is ember:
            e = (a.grad, src.grad)
        else:
            t = (a.grad, src.grad)
    for eg, tg in zip(e, t):
        _same(eg, tg)


def test_masked_fill_tensor_value_gradient():
    ev, tv = _pair(2.5, True)
    ex, tx = _pair(np.arange(6.0).reshape(2, 3), True)
    mask = [[True, False, True], [False, True, True]]
    e_out = ex.masked_fill(ember.tensor(mask), ev)
    t_out = tx.masked_fill(torch.tensor(mask), tv)
    assert type(e_out.grad_fn).__name__ == t_out.grad_fn.name()
    g = np.arange(6.0).reshape(2, 3)
    for eg, tg in zip(ember.autograd.grad(e_out, (ex, ev), ember.tensor(g)),
                      torch.autograd.grad(t_out, (tx, tv), torch.tensor(g))):
        _same(eg, tg)


def test_double_backward_gather_scatter_add():
    base = np.linspace(-1, 1, 12).reshape(3, 4)
    index = [[0, 2, 1, 0], [2, 2, 0, 1]]
    res = []
    for lib in (ember, torch):
        x = lib.tensor(base, requires_grad=True)
        y = lib.gather(x ** 2, 0, lib.tensor(index))
        (g,) = lib.autograd.grad(y.sum(), x, create_graph=True)
        (gg,) = lib.autograd.grad((g * g).sum(), x)
        res.append((g, gg))
    _same(res[0][0], res[1][0])
    _same(res[0][1], res[1][1])


def test_accumulate_adds_repeats():
    for lib in (ember, torch):
        x = lib.zeros(4, dtype=lib.float64)
        i = lib.tensor([0, 0, 3, 0])
        x.index_put_((i,), lib.tensor([1.0, 2.0, 3.0, 4.0], dtype=lib.float64), accumulate=True)
        y = lib.zeros(2, 2, dtype=lib.float64).put_(i, lib.ones(4, dtype=lib.float64) * 2,
                                                    accumulate=True)
        if lib is ember:
            e = (x, y)
        else:
            t = (x, y)
    _same(e[0], t[0])
    _same(e[1], t[1])


def test_put_accumulate_large_uses_all_repeats():
    rng = np.random.default_rng(0)
    idx = rng.integers(-50, 50, size=500)
    vals = rng.standard_normal(500)
    e = ember.zeros(50, dtype=ember.float64).put(ember.tensor(idx), ember.tensor(vals), True)
    t = torch.zeros(50, dtype=torch.float64).put(torch.tensor(idx), torch.tensor(vals), True)
    _same(e, t, atol=1e-12)


@pytest.mark.parametrize("call", [
    lambda lib, x: lib.gather(x, 1, lib.tensor([[0, 3]])),
    lambda lib, x: lib.gather(x, 1, lib.tensor([[0, 1]], dtype=lib.int16)),
    lambda lib, x: lib.gather(x, 1, lib.tensor([[0, 1.0]])),
    lambda lib, x: lib.scatter(x, 1, lib.tensor([[0, -1]]), 1.0),
    lambda lib, x: lib.scatter_add(x, 1, lib.tensor([[0, 5]]), x),
    lambda lib, x: lib.scatter_add(x, 1, lib.tensor([[0, 1]]), x.double()),
    lambda lib, x: lib.index_select(x, 1, lib.tensor([-1])),
    lambda lib, x: lib.index_select(x, 1, lib.tensor([1], dtype=lib.int16)),
    lambda lib, x: lib.index_select(x, 1, lib.tensor([[1]])),
    lambda lib, x: lib.index_add(x, 1, lib.tensor([3]), lib.ones(2, 1)),
    lambda lib, x: lib.index_copy(x, 1, lib.tensor([1], dtype=lib.int32), lib.ones(2, 1)),
    lambda lib, x: lib.index_fill(x, 1, lib.tensor([3]), 1.0),
    lambda lib, x: lib.take(x, lib.tensor([6])),
    lambda lib, x: lib.take(x, lib.tensor([-7])),
    lambda lib, x: lib.put(x, lib.tensor([6]), lib.ones(1)),
    lambda lib, x: lib.put(x, lib.tensor([0, 1]), lib.ones(3)),
    lambda lib, x: lib.masked_fill(x, lib.ones(2, 3, dtype=lib.uint8), 0.0),
    lambda lib, x: lib.masked_fill(x, lib.ones(2, 3, dtype=lib.bool), lib.ones(1)),
    lambda lib, x: lib.masked_scatter(x, lib.ones(2, 3, dtype=lib.bool), lib.ones(2)),
    lambda lib, x: lib.index_put(x, (lib.tensor([2]),), lib.ones(3)),
    lambda lib, x: x[lib.tensor([2])],
    lambda lib, x: x[lib.tensor([0, -3])],
    lambda lib, x: x[:, lib.tensor([[3]])],
    lambda lib, x: x[lib.tensor([True, False, True])],
])
def test_errors_match_torch_types(call):
    with pytest.raises(Exception) as t_info:
        call(torch, torch.ones(2, 3))
    with pytest.raises(type(t_info.value)):
        call(ember, ember.ones(2, 3))


def test_where_one_argument_and_nonzero_as_tuple():
    arr = np.array([[0, 1, 0], [2, 0, 3]])
    e, t = _pair(arr)
    for eo, to in zip(ember.where(e > 0), torch.where(t > 0)):
        _same(eo, to)
    for eo, to in zip(e.nonzero(as_tuple=True), t.nonzero(as_tuple=True)):
        _same(eo, to)
    _same(ember.argwhere(e), torch.argwhere(t))
    assert (e[ember.where(e > 0)] == ember.tensor([1, 2, 3])).all()


def test_scatter_with_reduce_has_no_derivative():
    for lib in (ember, torch):
        x = lib.ones(2, 3, requires_grad=True)
        # torch warns once per process (the deprecation of reduce= with a src tensor)
        with pytest.warns(UserWarning) if lib is ember else warnings.catch_warnings():
            y = lib.scatter(x, 1, lib.tensor([[0], [1]]), lib.ones(2, 1), reduce="add")
        assert y.grad_fn.name().endswith("NotImplemented")
        with pytest.raises(RuntimeError):
            y.sum().backward()


def test_take_along_dim_matches_sort_indices():
    rng = np.random.default_rng(1)
    arr = rng.standard_normal((3, 5))
    e, t = _pair(arr, True)
    e_idx = ember.tensor(np.argsort(arr, axis=1))
    t_idx = torch.tensor(np.argsort(arr, axis=1))
    e_out = ember.take_along_dim(e, e_idx, dim=1)
    t_out = torch.take_along_dim(t, t_idx, dim=1)
    _same(e_out, t_out)
    assert e_out.grad_fn.name() == t_out.grad_fn.name()


# ----------------------------------------------------------------------------------
# advanced indexing: random index combinations, derandomized, against torch
# ----------------------------------------------------------------------------------

def _random_index(rng, shape):
    """A list of (kind, value) index items for a tensor of ``shape``."""
    nd = len(shape)
    items = []
    dim = 0
    used_ellipsis = False
    adv_shape = tuple(int(s) for s in rng.integers(1, 3, size=rng.integers(0, 3)))
    for _ in range(rng.integers(1, nd + 2)):
        k = int(rng.integers(0, 13))
        if dim >= nd and k not in (2, 3, 8, 12):
            k = 2
        size = shape[dim] if dim < nd else 0
        if k in (4, 5, 7, 10, 11) and size == 0:
            k = 9
        if k == 0:
            items.append(("int", int(rng.integers(-size, size)) if size else 0))
            dim += 1
        elif k == 1:
            start = int(rng.integers(-4, 4)) if rng.random() < .7 else None
            stop = int(rng.integers(-4, 5)) if rng.random() < .7 else None
            items.append(("slice", (start, stop, int(rng.integers(1, 3)))))
            dim += 1
        elif k == 2:
            items.append(("none", None))
        elif k == 3 and not used_ellipsis:
            used_ellipsis = True
            items.append(("ellipsis", None))
        elif k in (4, 5):
            sh = adv_shape if rng.random() < .8 else adv_shape[-1:]
            dtype = "int32" if k == 5 and rng.random() < .5 else "int64"
            items.append(("tensor", rng.integers(-size, size, size=sh).astype(dtype)))
            dim += 1
        elif k == 6:
            width = 1 if dim + 1 >= nd or rng.random() < .6 else 2
            mask = rng.random(shape[dim:dim + width]) < .5
            items.append(("tensor", mask.astype(np.uint8) if rng.random() < .2 else mask))
            dim += width
        elif k == 7:
            if rng.random() < .5:
                items.append(("list", [int(v) for v in rng.integers(-size, size,
                                                                    size=rng.integers(1, 3))]))
            else:
                items.append(("list", rng.integers(-size, size, size=(2, 1)).tolist()))
            dim += 1
        elif k == 8:
            items.append(("bool", bool(rng.random() < .7)))
        elif k == 10:
            items.append(("tensor", np.array(int(rng.integers(-size, size)))))
            dim += 1
        elif k == 11:
            items.append(("list", [bool(b) for b in rng.random(size) < .5]))
            dim += 1
        elif k == 12:
            items.append(("tensor", np.array(rng.random() < .5)))
        else:
            items.append(("slice", (None, None, 1)))
            dim += 1
        if dim > nd:
            break
    return items


def _build_index(items, lib, as_tuple):
    out = []
    for kind, value in items:
        if kind == "slice":
            out.append(slice(*value))
        elif kind == "ellipsis":
            out.append(Ellipsis)
        elif kind == "tensor":
            out.append(lib.tensor(value))
        else:
            out.append(value)
    return tuple(out) if as_tuple or len(out) != 1 else out[0]


def _np(t):
    return None if t is None else t.detach().numpy()


def _check_getitem(rng, arr, items, as_tuple):
    t = torch.tensor(arr, requires_grad=True)
    e = ember.tensor(arr, requires_grad=True)
    t_index = _build_index(items, torch, as_tuple)
    e_index = _build_index(items, ember, as_tuple)
    ctx = f"shape {arr.shape} index {items}"
    try:
        t_out = t[t_index]
    except Exception as exc:  # torch rejects: ember must reject with the same type
        with pytest.raises(type(exc)):
            e[e_index]
        return None
    e_out = e[e_index]
    assert tuple(e_out.shape) == tuple(t_out.shape), ctx
    np.testing.assert_array_equal(_np(e_out), _np(t_out), err_msg=ctx)
    grad = rng.standard_normal(tuple(t_out.shape))
    (t_grad,) = torch.autograd.grad(t_out, t, torch.tensor(grad))
    (e_grad,) = ember.autograd.grad(e_out, e, ember.tensor(grad))
    np.testing.assert_allclose(_np(e_grad), _np(t_grad), err_msg=ctx)
    return tuple(t_out.shape)


def _check_setitem(rng, arr, items, as_tuple, out_shape):
    cut = int(rng.integers(0, len(out_shape) + 1))
    value = rng.standard_normal(out_shape[cut:])
    ctx = f"shape {arr.shape} index {items} value shape {value.shape}"
    results = []
    for lib in (torch, ember):
        x = lib.tensor(arr, requires_grad=True)
        v = lib.tensor(value, requires_grad=True)
        y = x * 1
        if lib is torch:
            try:
                y[_build_index(items, lib, as_tuple)] = v
            except Exception as exc:  # torch rejects: ember must reject with the same type
                with pytest.raises(type(exc)):
                    ember.tensor(arr)[_build_index(items, ember, as_tuple)] = ember.tensor(value)
                return
        else:
            y[_build_index(items, lib, as_tuple)] = v
        grads = lib.autograd.grad(y, (x, v), lib.tensor(np.cos(arr)), allow_unused=True)
        results.append((_np(y), [_np(g) for g in grads]))
    (t_y, t_grads), (e_y, e_grads) = results
    np.testing.assert_allclose(e_y, t_y, err_msg=ctx)
    for eg, tg in zip(e_grads, t_grads):
        if tg is None:
            assert eg is None or not eg.any(), ctx
        else:
            np.testing.assert_allclose(eg, tg, err_msg=ctx)


@pytest.mark.filterwarnings("ignore::UserWarning")
@pytest.mark.parametrize("seed", range(3))
def test_random_advanced_indexing_matches_torch(seed):
    rng = np.random.default_rng(seed)
    for _ in range(100):
        nd = int(rng.integers(0, 4))
        low = 0 if rng.random() < .1 else 1
        shape = tuple(int(s) for s in rng.integers(low, 5, size=nd))
        items = _random_index(rng, shape)
        arr = rng.standard_normal(shape)
        as_tuple = bool(rng.random() < .5)
        out_shape = _check_getitem(rng, arr, items, as_tuple)
        if out_shape is not None:
            _check_setitem(rng, arr, items, as_tuple, out_shape)


@pytest.mark.filterwarnings("ignore::UserWarning")
@pytest.mark.parametrize("index", [
    True, False, (Ellipsis, None, True), [True, False], [[0], [1]], (0, [1, 0]),
    (slice(None), 0, [0, 1]), ([0, 1], slice(None), [1, 0]), ([0, 1], None, [1, 0]),
    (None, [[0, 1], [1, 0]]), (Ellipsis, [0, 0]), ([[0]], [[0], [1]]),
])
def test_advanced_index_placement(index):
    arr = np.arange(24.0).reshape(2, 3, 4)
    t_out = torch.tensor(arr)[index]
    e_out = ember.tensor(arr)[index]
    assert tuple(e_out.shape) == tuple(t_out.shape)
    np.testing.assert_array_equal(e_out.numpy(), t_out.numpy())


def test_setitem_value_rules_match_torch():
    for value_fn, ok in [(lambda lib: lib.tensor([1, 2]), False),
                         (lambda lib: [1.0, 2.0], False),
                         (lambda lib: 2.5, True),
                         (lambda lib: lib.tensor(3.0), True)]:
        outs = []
        for lib in (torch, ember):
            x = lib.zeros(3)
            index = lib.tensor([0, 2])
            if ok:
                x[index] = value_fn(lib)
                outs.append(x.numpy())
            else:
                with pytest.raises((RuntimeError, TypeError)):
                    x[index] = value_fn(lib)
        if ok:
            np.testing.assert_array_equal(outs[1], outs[0])


# ----------------------------------------------------------------------------------
# the index ops on random shapes and dims, values and gradients against torch
# ----------------------------------------------------------------------------------

def _run_both(fn, arrays, grad_positions):
    results = []
    for lib in (torch, ember):
        tensors = [lib.tensor(a) for a in arrays]
        for k in grad_positions:
            tensors[k].requires_grad_(True)
        out = fn(lib, *tensors)
        leaves = [tensors[k] for k in grad_positions]
        g = lib.tensor(np.cos(np.arange(out.numel())).reshape(tuple(out.shape)))
        grads = lib.autograd.grad(out, leaves, g, allow_unused=True)
        results.append((out.detach().numpy(), [None if x is None else x.numpy()
                                               for x in grads]))
    return results


@pytest.mark.filterwarnings("ignore::UserWarning")
def test_random_shapes_index_ops_match_torch():
    rng = np.random.default_rng(123)
    for case in range(40):
        nd = int(rng.integers(1, 4))
        shape = tuple(int(s) for s in rng.integers(1, 5, size=nd))
        dim = int(rng.integers(-nd, nd))
        d = dim % nd
        x = rng.standard_normal(shape)
        ishape = tuple(int(rng.integers(1, s + 1)) if k != d else int(rng.integers(1, 6))
                       for k, s in enumerate(shape))
        idx = rng.integers(0, shape[d], size=ishape)
        src = rng.standard_normal(ishape)
        vec = rng.integers(0, shape[d], size=int(rng.integers(0, 5)))
        vsrc_shape = list(shape)
        vsrc_shape[d] = len(vec)
        vsrc = rng.standard_normal(vsrc_shape)
        reduce = ["sum", "prod", "mean", "amax", "amin"][case % 5]
        flat = rng.integers(-x.size, x.size, size=ishape)
        calls = [
            (lambda lib, a, i: lib.gather(a, dim, i), [x, idx], [0]),
            (lambda lib, a, i, s: lib.scatter_add(a, dim, i, s), [x, idx, src], [0, 2]),
            (lambda lib, a, i, s: lib.scatter_reduce(a, dim, i, s, reduce,
                                                     include_self=bool(case % 2)),
             [x, idx, src], [0, 2]),
            (lambda lib, a, i: lib.index_select(a, dim, i), [x, vec], [0]),
            (lambda lib, a, i, s: lib.index_add(a, dim, i, s, alpha=1.5), [x, vec, vsrc], [0, 2]),
            (lambda lib, a, i: lib.take(a, i), [x, flat], [0]),
            (lambda lib, a, i: lib.take_along_dim(a, i, dim), [x, idx], [0]),
        ]
        for fn, arrays, grad_positions in calls:
            try:
                fn(torch, *[torch.tensor(a) for a in arrays])
            except Exception as exc:  # torch rejects: ember must reject with the same type
                with pytest.raises(type(exc)):
                    fn(ember, *[ember.tensor(a) for a in arrays])
                continue
            (t_out, t_grads), (e_out, e_grads) = _run_both(fn, arrays, grad_positions)
            ctx = f"case {case}: shape {shape} dim {dim} index shape {ishape} {reduce}"
            np.testing.assert_allclose(e_out, t_out, atol=1e-12, err_msg=ctx)
            for eg, tg in zip(e_grads, t_grads):
                assert (eg is None) == (tg is None), ctx
                if tg is not None:
                    np.testing.assert_allclose(eg, tg, atol=1e-12, err_msg=ctx)

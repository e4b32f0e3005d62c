"""View semantics, each compared with torch doing the same thing: shared memory,
strides and offsets, version counters, ``_base``, autograd through in-place ops on
views, and the ops that must return copies instead."""
import numpy as np
import pytest
import torch

import ember

LIBS = (torch, ember)


def _base_tensor(lib, shape=(2, 3, 4)):
    n = int(np.prod(shape))
    return lib.arange(float(n), dtype=lib.float64).reshape(shape)


def _np(t):
    return np.array(t.detach().tolist())


# (name, fn(x) -> view of x, with x of shape (2, 3, 4)); the same code runs on both libs.
VIEWS = [
    ("view", lambda x: x.view(6, 4)),
    ("view_-1", lambda x: x.view(-1)),
    ("view_as", lambda x: x.view_as(x.new_zeros(4, 6))),
    ("reshape", lambda x: x.reshape(4, 6)),
    ("flatten", lambda x: x.flatten(1)),
    ("ravel", lambda x: x.ravel()),
    ("unflatten", lambda x: x.unflatten(2, (2, 2))),
    ("transpose", lambda x: x.transpose(0, 2)),
    ("swapaxes", lambda x: x.swapaxes(1, -1)),
    ("swapdims", lambda x: x.swapdims(0, 1)),
    ("t", lambda x: x[0].t()),
    ("T", lambda x: x[0].T),
    ("mT", lambda x: x.mT),
    ("permute", lambda x: x.permute(2, 0, 1)),
    ("movedim", lambda x: x.movedim(0, -1)),
    ("moveaxis", lambda x: x.moveaxis((0, 1), (2, 0))),
    ("squeeze", lambda x: x[:, :1].squeeze(1)),
    ("squeeze_all", lambda x: x[:1, :, :1].squeeze()),
    ("unsqueeze", lambda x: x.unsqueeze(1)),
    ("narrow", lambda x: x.narrow(2, 1, 2)),
    ("narrow_neg", lambda x: x.narrow(-2, -2, 2)),
    ("select", lambda x: x.select(1, 2)),
    ("unbind", lambda x: x.unbind(2)[1]),
    ("split", lambda x: x.split(2, 2)[1]),
    ("split_sizes", lambda x: x.split([1, 2], 1)[1]),
    ("chunk", lambda x: x.chunk(2, -1)[0]),
    ("tensor_split", lambda x: x.tensor_split([1, 3], 2)[1]),
    ("hsplit", lambda x: x.hsplit(3)[2]),
    ("vsplit", lambda x: x.vsplit([1])[1]),
    ("dsplit", lambda x: x.dsplit(2)[1]),
    ("diagonal", lambda x: x.diagonal()),
    ("diagonal_offset", lambda x: x.diagonal(1, -1, -2)),
    ("getitem_int", lambda x: x[1]),
    ("getitem_ints", lambda x: x[1, 2]),
    ("getitem_scalar", lambda x: x[1, 2, 3]),
    ("getitem_slices", lambda x: x[:, 1:, ::2]),
    ("getitem_none", lambda x: x[None, 1, ..., None, 1:3]),
    ("getitem_ellipsis", lambda x: x[..., 2]),
    ("getitem_empty", lambda x: x[:, 5:]),
    ("as_strided", lambda x: x.as_strided((3, 3), (4, 1), 2)),
    ("atleast_3d", lambda x: ember_or_torch(x).atleast_3d(x[0])),
    ("view_of_view", lambda x: x.transpose(0, 1)[1:].select(-1, 2)),
    ("slice_of_t", lambda x: x[0].t()[1:]),
    ("view_dtype", lambda x: x.view(x.dtype)),
]

# ops whose result owns new memory in torch
COPIES = [
    ("flip", lambda x: x.flip(0)),
    ("fliplr", lambda x: x.fliplr()),
    ("flipud", lambda x: x.flipud()),
    ("roll", lambda x: x.roll(1, 2)),
    ("rot90", lambda x: x.rot90(1, (1, 2))),
    ("repeat", lambda x: x.repeat(1, 1, 1)),
    ("tile", lambda x: x.tile((1,))),
    ("repeat_interleave", lambda x: x.repeat_interleave(1, 0)),
    ("cat", lambda x: ember_or_torch(x).cat([x])),
    ("stack", lambda x: ember_or_torch(x).stack([x])),
    ("tril", lambda x: x.tril()),
    ("triu", lambda x: x.triu()),
    ("diag", lambda x: x[0].diag()),
    ("diag_embed", lambda x: x.diag_embed()),
    ("clone", lambda x: x.clone()),
    ("contiguous_of_transpose", lambda x: x.transpose(0, 1).contiguous()),
    ("reshape_of_transpose", lambda x: x.transpose(0, 1).reshape(-1)),
    ("flatten_of_transpose", lambda x: x.transpose(0, 2).flatten()),
    ("select_scatter", lambda x: x.select_scatter(x[0], 0, 1)),
    ("slice_scatter", lambda x: x.slice_scatter(x[:, :1], 1, 0, 1)),
]


def ember_or_torch(x):
    return torch if isinstance(x, torch.Tensor) else ember


def _both(fn):
    """Run fn(lib) for torch and ember; returns (torch_result, ember_result)."""
    return fn(torch), fn(ember)


def _storage_span(t):
    return t.storage_offset(), t.stride()


@pytest.mark.parametrize("name,fn", VIEWS, ids=[v[0] for v in VIEWS])
def test_view_shares_memory_like_torch(name, fn):
    def run(lib):
        x = _base_tensor(lib)
        v = fn(x)
        info = {"is_view": v._base is x, "shape": tuple(v.shape), "offset": v.storage_offset(),
                "stride": v.stride(), "contiguous": v.is_contiguous(),
                "ptr_delta": v.data_ptr() - x.data_ptr()}
        v.mul_(-1)           # write through the view
        after_view = _np(x)
        x.add_(100)           # write the base: the view sees it
        info["view_values"] = _np(v)
        return info, after_view, _np(x)
    t_res, e_res = _both(run)
    t_info, e_info = t_res[0], e_res[0]
    keys = ("is_view", "shape", "offset", "ptr_delta", "contiguous")
    if 0 in t_info["shape"]:
        # NOTE: NumPy leaves the data pointer of an empty slice at the start; torch moves
        # it to the clamped start.  No element is ever read there, so only this differs.
        keys = ("is_view", "shape", "contiguous")
    for key in keys:
        assert e_info[key] == t_info[key], f"{name}: {key} {e_info[key]} vs torch {t_info[key]}"
    # NOTE: strides of size-1 dims are arbitrary (torch itself documents them so), and
    # ember reports contiguous strides for empty tensors.
    for s, e_st, t_st in zip(t_info["shape"], e_info["stride"], t_info["stride"]):
        assert s == 1 or 0 in t_info["shape"] or e_st == t_st, \
            f"{name}: stride {e_info['stride']} vs {t_info['stride']}"
    np.testing.assert_array_equal(e_info["view_values"], t_info["view_values"])
    np.testing.assert_array_equal(e_res[1], t_res[1])
    np.testing.assert_array_equal(e_res[2], t_res[2])


@pytest.mark.parametrize("name,fn", COPIES, ids=[c[0] for c in COPIES])
def test_copies_do_not_share_memory(name, fn):
    def run(lib):
        x = _base_tensor(lib)
        c = fn(x)
        c.fill_(-7)
        return c._base is not x, c._base is None, _np(x), x._version
    t_res, e_res = _both(run)
    assert e_res[0] and t_res[0] and e_res[1], name
    e_res, t_res = e_res[1:], t_res[1:]
    np.testing.assert_array_equal(e_res[1], t_res[1])
    assert e_res[2] == t_res[2]


@pytest.mark.parametrize("name,fn", VIEWS + COPIES, ids=[v[0] for v in VIEWS + COPIES])
def test_numpy_of_views_has_no_negative_strides(name, fn):
    x = _base_tensor(ember)
    for base in (x, x.transpose(0, 2).contiguous().transpose(0, 2)):
        try:
            t = fn(base)
        except RuntimeError:   # view() of a transposed layout: torch refuses it too
            with pytest.raises(RuntimeError):
                fn(torch.from_numpy(base.numpy()))
            continue
        arr = t.numpy()
        assert all(s >= 0 for s in arr.strides), f"{name}: strides {arr.strides}"


def test_negative_step_slicing_raises_like_torch():
    for lib in LIBS:
        x = _base_tensor(lib)
        with pytest.raises(ValueError):
            x[::-1]
        with pytest.raises(ValueError):
            x[:, ::0]
        with pytest.raises(ValueError):
            x[0, 3:0:-1]


def test_base_is_the_root_like_torch():
    def run(lib):
        x = _base_tensor(lib)
        v1 = x.transpose(0, 1)
        v3 = x.unbind(0)[1].diagonal()
        return [v._base is x for v in (v1, v3)], x._base is None, v1[0]._base is x
    t_res, e_res = _both(run)
    assert e_res == t_res


def test_version_counter_shared_like_torch():
    def run(lib):
        x = _base_tensor(lib)
        a, b = x[0], x.transpose(1, 2)
        versions = []
        a.mul_(2)
        versions.append((x._version, a._version, b._version))
        b[1].zero_()
        versions.append((x._version, a._version, b._version))
        x[1, 2] = 5.0
        versions.append((x._version, a._version, b._version))
        x.add_(1)
        c = x.narrow(0, 0, 1)
        versions.append((x._version, a._version, b._version, c._version))
        c.copy_(lib.ones(1, 3, 4, dtype=lib.float64))
        c.fill_(3.0)
        versions.append((x._version, a._version, b._version, c._version))
        return versions, _np(x)
    t_res, e_res = _both(run)
    assert e_res[0] == t_res[0]
    np.testing.assert_array_equal(e_res[1], t_res[1])


def test_setitem_basic_indices_like_torch():
    def run(lib):
        x = _base_tensor(lib)
        x[0] = 1.5                                           # broadcast scalar
        x[1, :, ::2] = lib.tensor([[-1.0, -2.0]], dtype=lib.float64)  # broadcast tensor
        x[..., 3] = x[..., 0]                              # overlapping source
        x[:, None, 1] = lib.zeros(2, 1, 4, dtype=lib.float64)
        x[1, 2, 3] = lib.tensor(9)                          # int tensor into float
        y = lib.zeros(3, dtype=lib.int64)
        y[1] = 2.7                                          # float into int: truncates
        return _np(x), x._version, _np(y)
    t_res, e_res = _both(run)
    np.testing.assert_array_equal(e_res[0], t_res[0])
    assert e_res[1] == t_res[1]
    np.testing.assert_array_equal(e_res[2], t_res[2])


def test_writing_an_expanded_view_raises_like_torch():
    for lib in LIBS:
        x = lib.zeros(3, 1, dtype=lib.float64)
        v = x.expand(3, 4)
        with pytest.raises(RuntimeError):
            v.add_(1)
        with pytest.raises(RuntimeError):
            v.copy_(lib.ones(3, 4, dtype=lib.float64))
        with pytest.raises(RuntimeError):
            v[0] = 5.0
        # NOTE: torch allows fill_/zero_ (every alias gets the same value)
        v.fill_(2)
        assert _np(x).tolist() == [[2.0]] * 3 and x._version == 1
        v.zero_()
        assert _np(x).tolist() == [[0.0]] * 3


def test_zero_dim_views_are_writable():
    def run(lib):
        x = _base_tensor(lib)
        s = x[1, 2, 3]
        s.fill_(-1)
        d = x[0].diagonal()
        d[1] = -2
        return _np(x), s.shape, s.storage_offset()
    t_res, e_res = _both(run)
    np.testing.assert_array_equal(e_res[0], t_res[0])
    assert tuple(e_res[1]) == tuple(t_res[1]) and e_res[2] == t_res[2]


# -- autograd through in-place ops on views --------------------------------------------

def _leaf(lib, shape=(3, 4), seed=0):
    values = np.random.default_rng(seed).standard_normal(shape)
    return lib.tensor(values, dtype=lib.float64, requires_grad=True)


INPLACE_SCENARIOS = {
    "mul_column": lambda lib, a, y: _mul_column(a),
    "setitem_row": lambda lib, a, y: _setitem_row(a, y),
    "setitem_slice_broadcast": lambda lib, a, y: _set_slice(a, y),
    "diagonal_add": lambda lib, a, y: _diag_add(a, y),
    "transposed_row_mul": lambda lib, a, y: _t_row(a, y),
    "view_of_view": lambda lib, a, y: _view_of_view(a, y),
    "base_changed_after_view": lambda lib, a, y: _stale_view(a, y),
    "sibling_view_changed": lambda lib, a, y: _sibling(a, y),
    "noncontiguous_base": lambda lib, a, y: _noncontig_base(a, y),
    "copy_into_narrow": lambda lib, a, y: _copy_narrow(a, y),
    "zero_select": lambda lib, a, y: _zero_select(a),
    "exp_on_view": lambda lib, a, y: _exp_view(a),
    "untracked_base_tracked_value": lambda lib, a, y: _untracked_base(lib, y),
}


def _mul_column(a):
    x = a.clone()
    x[:, 1].mul_(2)
    return (x * x).sum()


def _setitem_row(a, y):
    x = a.clone()
    x[0] = y[0]
    return (x * a).sum()


def _set_slice(a, y):
    x = a.clone()
    x[1:, ::2] = y[0, :2]
    return (x ** 2).sum()


def _diag_add(a, y):
    x = a.clone()
    x.diagonal().add_(y[0, :3])
    return (x * x).sum()


def _t_row(a, y):
    x = a.clone()
    x.t()[2].mul_(y[:, 0])
    return (x * a).sum()


def _view_of_view(a, y):
    x = a.clone()
    x.view(2, 6)[1].narrow(0, 1, 3).mul_(y[0, :3])
    return (x * x).sum()


def _stale_view(a, y):
    x = a.clone()
    v = x[1]
    x.mul_(y)
    return (v * v).sum()


def _sibling(a, y):
    x = a.clone()
    row, col = x[0], x[:, 0]
    row.mul_(3)
    return (col * y[:, 0]).sum()


def _noncontig_base(a, y):
    x = (a * 2).t()
    x.contiguous()  # no-op on purpose: x stays a non-contiguous base
    x = x * 1
    x[1:].mul_(y.t()[1:])
    return (x * x).sum()


def _copy_narrow(a, y):
    x = a.clone()
    x.narrow(1, 1, 2).copy_(y[:, :2] * 2)
    return (x * x).sum()


def _zero_select(a):
    x = a * 1
    x.select(0, 1).zero_()
    return (x * a).sum()


def _exp_view(a):
    x = a.clone()
    x[:, 2:].exp_()
    return (x * x).sum()


def _untracked_base(lib, y):
    x = lib.zeros(3, 4, dtype=lib.float64)
    x[1:, 1] = y[1:, 0] * 3
    return (x * x).sum()


@pytest.mark.parametrize("name", sorted(INPLACE_SCENARIOS))
def test_inplace_on_view_gradients_like_torch(name):
    def run(lib):
        a, y = _leaf(lib, seed=1), _leaf(lib, seed=2)
        loss = INPLACE_SCENARIOS[name](lib, a, y)
        loss.backward()
        grads = [None if g is None else _np(g) for g in (a.grad, y.grad)]
        return float(loss.detach()), grads
    t_res, e_res = _both(run)
    np.testing.assert_allclose(e_res[0], t_res[0], rtol=1e-12)
    for e_grad, t_grad in zip(e_res[1], t_res[1]):
        assert (e_grad is None) == (t_grad is None), name
        if t_grad is not None:
            np.testing.assert_allclose(e_grad, t_grad, rtol=1e-12, atol=1e-12)


def test_double_backward_through_inplace_on_view():
    def run(lib):
        a = _leaf(lib)
        x = a.clone()
        x[:, 1].mul_(a[:, 1])
        (g,) = lib.autograd.grad((x ** 3).sum(), a, create_graph=True)
        (gg,) = lib.autograd.grad(g.sum(), a)
        return _np(g), _np(gg)
    t_res, e_res = _both(run)
    for e, t in zip(e_res, t_res):
        np.testing.assert_allclose(e, t, rtol=1e-10)


def test_inplace_on_view_of_leaf_raises_like_torch():
    for lib in LIBS:
        a = _leaf(lib)
        with pytest.raises(RuntimeError, match="leaf"):
            a[0].mul_(2)
        with pytest.raises(RuntimeError, match="leaf"):
            a[:, 1] = 0.0
        with pytest.raises(RuntimeError, match="leaf"):
            a.t().zero_()
        with lib.no_grad():
            a[0].mul_(2)              # allowed without grad recording
            a[1] = 0.0
        assert a.grad_fn is None and a.requires_grad


def test_views_record_torch_gradients():
    def run(lib):
        a = _leaf(lib, (2, 3, 4))
        total = 0
        for name, fn in VIEWS:
            if name in ("view_dtype",):
                continue
            v = fn(a)
            total = total + (v * v).sum() * (len(name) % 5 + 1)
        total.backward()
        return _np(a.grad)
    t_res, e_res = _both(run)
    np.testing.assert_allclose(e_res, t_res, rtol=1e-12)


# -- in-place view ops ------------------------------------------------------------------

INPLACE_VIEW_OPS = [
    ("t_", lambda x: x[0].clone().t_()),
    ("transpose_", lambda x: x.transpose_(0, 2)),
    ("swapaxes_", lambda x: x.swapaxes_(0, 1)),
    ("swapdims_", lambda x: x.swapdims_(1, 2)),
    ("squeeze_", lambda x: x[:, :1].squeeze_()),
    ("squeeze_dim", lambda x: x[:1].squeeze_(0)),
    ("unsqueeze_", lambda x: x.unsqueeze_(-1)),
    ("tril_", lambda x: x.tril_(1)),
    ("triu_", lambda x: x.triu_(-1)),
]


@pytest.mark.parametrize("name,fn", INPLACE_VIEW_OPS, ids=[o[0] for o in INPLACE_VIEW_OPS])
def test_inplace_view_ops_like_torch(name, fn):
    def run(lib):
        x = _base_tensor(lib)
        r = fn(x)
        info = (tuple(r.shape), tuple(s for s, n in zip(r.stride(), r.shape) if n != 1),
                r._version, r.is_contiguous(), _np(r))
        a = _leaf(lib, (2, 3, 4))
        y = a * 1
        out = fn(y)
        (out * out * lib.arange(float(out.numel()), dtype=lib.float64).view(out.shape)).sum() \
            .backward()
        return info, _np(a.grad)
    t_res, e_res = _both(run)
    t_info, e_info = t_res[0], e_res[0]
    assert e_info[:4] == t_info[:4], name
    np.testing.assert_array_equal(e_info[4], t_info[4])
    np.testing.assert_allclose(e_res[1], t_res[1], rtol=1e-12)


def test_inplace_view_ops_on_leaf_raise_like_torch():
    for lib in LIBS:
        a = _leaf(lib)
        for op in ("t_", "squeeze_"):
            with pytest.raises(RuntimeError, match="leaf"):
                getattr(a, op)()
        with pytest.raises(RuntimeError, match="leaf"):
            a.unsqueeze_(0)
        with pytest.raises(RuntimeError, match="leaf"):
            a.tril_()


# -- grad_fn names and identity returns --------------------------------------------------

def test_grad_fn_names_like_torch():
    ops = {
        "view": lambda x: x.view(-1), "reshape_copy": lambda x: x.t().reshape(-1),
        "transpose": lambda x: x.transpose(0, 1), "t": lambda x: x.t(),
        "permute": lambda x: x.permute(1, 0),
        "expand": lambda x: x[:1].expand(3, 4), "squeeze": lambda x: x[:1].squeeze(0),
        "unsqueeze": lambda x: x.unsqueeze(0), "narrow": lambda x: x.narrow(1, 0, 2),
        "select": lambda x: x.select(0, 1), "unbind": lambda x: x.unbind(0)[0],
        "split": lambda x: x.split(2, 1)[0], "split_sizes": lambda x: x.split([1, 3], 1)[0],
        "diagonal": lambda x: x.diagonal(), "cat": lambda x: ember_or_torch(x).cat([x, x]),
        "stack": lambda x: ember_or_torch(x).stack([x, x]), "flip": lambda x: x.flip(0),
        "roll": lambda x: x.roll(1, 0), "rot90": lambda x: x.rot90(), "tril": lambda x: x.tril(),
        "triu": lambda x: x.triu(), "repeat": lambda x: x.repeat(2, 1),
        "diag_embed": lambda x: x.diag_embed(), "clone": lambda x: x.clone(),
        "slice": lambda x: x[:, 1:], "as_strided": lambda x: x.as_strided((2,), (1,)),
        "movedim": lambda x: x.movedim(0, 1),
    }

    def run(lib):
        a = _leaf(lib)
        return {k: type(fn(a).grad_fn).__name__ for k, fn in ops.items()}
    t_res, e_res = _both(run)
    assert e_res == t_res


def test_identity_returns_like_torch():
    def run(lib):
        x = _base_tensor(lib)
        y = x.transpose(0, 1)
        return [x.flatten(1, 1) is x, lib.atleast_1d(x) is x, lib.atleast_3d(x) is x,
                lib.broadcast_tensors(x, x[0])[0] is x, x.contiguous() is x,
                y.contiguous() is y, x.expand(2, 3, 4) is x, x.reshape(2, 3, 4) is x,
                x.view(2, 3, 4) is x, x[...] is x]
    t_res, e_res = _both(run)
    assert e_res == t_res


def test_clone_keeps_the_layout_like_torch():
    def run(lib):
        x = _base_tensor(lib)
        return [(c.stride(), c.is_contiguous()) for c in (
            x.clone(), x.transpose(0, 2).clone(), x.permute(1, 2, 0).clone(),
            x[:, ::2].transpose(0, 2).clone(),
            x.transpose(0, 1).clone(memory_format=lib.contiguous_format),
            x[:, :1].expand(2, 5, 4).clone(), x.rot90(1, (0, 2)))]
    t_res, e_res = _both(run)
    assert e_res == t_res


def test_inplace_view_op_on_a_view_like_torch():
    def run(lib):
        a = _leaf(lib)
        x = a.clone()
        v = x[1:]
        v.t_()
        info = (v._base is x, v._version, x._version, tuple(v.shape), v.stride())
        (v * v * lib.arange(8.0, dtype=lib.float64).view(4, 2)).sum().backward()
        with pytest.raises(RuntimeError, match="leaf"):
            a[0].unsqueeze_(0)
        return info, _np(a.grad)
    t_res, e_res = _both(run)
    assert e_res[0] == t_res[0]
    np.testing.assert_allclose(e_res[1], t_res[1], rtol=1e-12)


# -- basic indexing: grad_fn of the last effective view op, strides of None dims ---------

_E = Ellipsis
_S = slice(None)
BASIC_INDICES = [
    None, 0, -1, _S, slice(1, 3), slice(None, None, 2), _E, (), (None,), (0,), (_S,),
    (slice(0, 100),), (_S, None), (None, _S), (0, None), (None, 0), (_E, None), (None, _E),
    (_E, 0), (0, _E), (_S, 0), (0, _S), (slice(None, None, 2), 1), (None, None), (0, 0),
    (_S, _S), (slice(1, None), None, 0), (None, slice(1, None), None), (_E, None, 0),
    (None, _E, None), (_S, _E, _S), (0, _S, None), (None, 0, None), (_S, slice(0, 2), None),
    (_S, slice(-2, None)), (_S, slice(0, 1), 0), (0, slice(0, 2), slice(None, None, 2)),
    (_E, slice(1, 2)), (_S, _E, None), (None, _S, None, _S), (_S, None, _E, 0),
]
# (name, fn(lib, shape) -> a float64 leaf of that shape, maybe not contiguous)
BASIC_LAYOUTS = [
    ("contiguous", lambda lib, shape: _leaf(lib, shape)),
    ("transposed", lambda lib, shape: _leaf(lib, shape[::-1]).detach().permute(
        *range(len(shape) - 1, -1, -1)).requires_grad_()),
    ("sliced", lambda lib, shape: _leaf(lib, (shape[0] * 2,) + shape[1:]).detach()[::2]
     .requires_grad_()),
]


@pytest.mark.parametrize("shape", [(), (4,), (4, 3), (4, 3, 2), (1, 3), (4, 1, 2)], ids=str)
def test_basic_index_grad_fn_and_strides_like_torch(shape):
    def run(lib):
        out = []
        for layout, make in BASIC_LAYOUTS:
            if layout != "contiguous" and not shape:
                continue
            x = make(lib, shape)
            for index in BASIC_INDICES:
                try:
                    r = x[index]
                except IndexError:
                    out.append((layout, repr(index), "IndexError"))
                    continue
                # empty results: ember reports contiguous strides and offset 0
                layout_info = (r.stride(), r.storage_offset()) if r.numel() else None
                out.append((layout, repr(index), type(r.grad_fn).__name__, tuple(r.shape),
                            layout_info, r.is_contiguous()))
                if x.dim():
                    (r * r).sum().backward()
                    out.append(_np(x.grad).tolist())
                    x.grad = None
        return out
    t_res, e_res = _both(run)
    assert e_res == t_res


def test_none_index_view_shares_memory_like_torch():
    def run(lib):
        x = _base_tensor(lib, (3, 4)).t()[1:]
        v = x[None, :, None, 1:]
        v[0, 1, 0, 0] = -1.0
        w = lib.arange(3.0).expand(2, 3)[:, None]   # a broadcast (read-only in NumPy) base
        return (v.stride(), v.storage_offset(), _np(x).tolist(), w.stride(),
                _np(w).tolist(), v._base is x._base)
    t_res, e_res = _both(run)
    assert e_res == t_res


def test_expanded_views_writes_like_torch():
    """A single element selected from an expanded view is writable; writing the aliased
    expanded tensor in place is refused; fill_ writes every alias (found by hypothesis)."""
    import numpy as np
    out = []
    for L in (torch, ember):
        base = L.tensor(3.0)
        v = base.unsqueeze(0).expand(2).select(0, 0)
        v.mul_(-1)
        e = L.zeros(1, 3)
        ex = e.expand(2, 3)
        with pytest.raises(RuntimeError):
            ex.mul_(2)
        ex.fill_(5.0)
        out.append((base.item(), np.asarray(e.tolist()).tolist(), base._version))
    assert out[0] == out[1]

"""Views, in-place writes through views, copies and tensor creation on the cuda device,
compared with torch on the cpu (run with EMBER_EMULATE_CUDA=1 without a GPU; skipped
without cuda).

What the generic registry tests do not cover: that a view of a cuda tensor shares its
memory (writes reach the base, data_ptr/storage_offset agree), in-place ops through views
with autograd, and that factories build cuda tensors on the device itself (no host
buffer copied over) while ``tensor(data, device='cuda')`` copies host data once.
"""
import warnings

import numpy as np
import pytest
import torch

import ember
from ember._device import is_device_array
from ember.ops import creation

pytestmark = pytest.mark.skipif(not ember.cuda.is_available(),
                                reason="no cuda device (CuPy and a GPU) for ember")


def _pair(arr, rg=False):
    """The same values as an ember cuda tensor and a torch cpu tensor."""
    arr = np.asarray(arr)
    return ember.tensor(arr, device="cuda", requires_grad=rg), torch.tensor(arr, requires_grad=rg)


def _host(e):
    e = e.detach().cpu()
    if e.dtype is ember.bfloat16:
        e = e.float()
    return e.numpy()


def _same(e, t, rtol=1e-6, atol=1e-6):
    assert e.device.type == "cuda", e.device
    assert is_device_array(e._data), type(e._data)   # made (or kept) on the device
    assert str(e.dtype) == str(t.dtype), (e.dtype, t.dtype)
    assert tuple(e.shape) == tuple(t.shape)
    t = t.detach()
    if t.dtype == torch.bfloat16:
        t = t.float()
    np.testing.assert_allclose(_host(e), t.numpy(), rtol=rtol, atol=atol)


def _arange(*shape):
    return np.arange(int(np.prod(shape)), dtype=np.float32).reshape(shape)


# -- views share memory: writes through a view reach the base --------------------------------

VIEWS = {
    "view": lambda x: x.view(4, 6),
    "reshape": lambda x: x.reshape(-1),
    "transpose": lambda x: x.transpose(0, 2),
    "permute": lambda x: x.permute(2, 0, 1),
    "t_of_select": lambda x: x[1].t(),
    "narrow": lambda x: x.narrow(2, 1, 2),
    "select": lambda x: x.select(1, 2),
    "slice_step": lambda x: x[:, ::2, 1:],
    "diagonal": lambda x: x.diagonal(0, 1, 2),
    "diagonal_offset": lambda x: x.diagonal(-1, 2, 1),
    "unsqueeze": lambda x: x.unsqueeze(1),
    "squeeze": lambda x: x[:, :1].squeeze(1),
    "unfold": lambda x: x.unfold(2, 2, 2),
    "as_strided": lambda x: x.as_strided((3, 2), (5, 1), 2),
    "split": lambda x: x.split(2, dim=2)[1],
    "chunk": lambda x: x.chunk(2, dim=1)[1],
    "unbind": lambda x: x.unbind(1)[2],
    "tensor_split": lambda x: x.tensor_split([1, 3], dim=2)[1],
    "movedim": lambda x: x.movedim(0, -1),
    "flatten_contig": lambda x: x.flatten(1),
    "unflatten": lambda x: x.unflatten(2, (2, 2)),
}


# NOTE: views made by striding device memory directly (CuPy's as_strided keeps no base
# array) report storage_offset 0; their data_ptr is right.
STRIDED = {"as_strided", "diagonal", "diagonal_offset", "unfold"}


@pytest.mark.parametrize("name", sorted(VIEWS))
def test_writes_through_views_reach_the_base(name):
    fn = VIEWS[name]
    e, t = _pair(_arange(2, 3, 4))
    ev, tv = fn(e), fn(t)
    _same(ev, tv)
    assert ev._base is e
    assert ev.stride() == tv.stride()
    # the view starts where torch's does in the shared memory
    assert ev.data_ptr() - e.data_ptr() == tv.data_ptr() - t.data_ptr()
    if name not in STRIDED:
        assert ev.storage_offset() == tv.storage_offset()
    ev.mul_(-1)
    tv.mul_(-1)
    _same(e, t)
    ev.fill_(7)
    tv.fill_(7)
    _same(e, t)
    e.add_(1)      # and the other way: the view sees writes to the base
    t.add_(1)
    _same(ev, tv)


def test_expand_is_a_view():
    e, t = _pair(_arange(3, 1))
    ev, tv = e.expand(3, 4), t.expand(3, 4)
    _same(ev, tv)
    assert ev.stride() == tv.stride()
    e[1, 0] = 50.0
    t[1, 0] = 50.0
    _same(ev, tv)


def test_data_ptr_and_storage_offset_of_views():
    e = ember.arange(24.0, device="cuda").view(2, 3, 4)
    v = e[1, 1:, 2:]
    item = e.element_size()
    assert v.storage_offset() == 12 + 4 + 2
    assert v.data_ptr() - e.data_ptr() == v.storage_offset() * item
    c = v.contiguous()
    assert c.is_contiguous() and c.data_ptr() != v.data_ptr()
    assert e.contiguous() is e


def test_inplace_on_views_with_autograd():
    arr = _arange(3, 4) / 10
    e, t = _pair(arr, rg=True)
    results = []
    for x in (e, t):
        y = x * 1
        y.diagonal().mul_(3)
        y[:, 2:].add_(y[:, :2] * 3)
        y.t()[0].zero_()
        (y * y).sum().backward()
        results.append(y)
    _same(results[0], results[1])
    _same(e.grad, t.grad)


def test_as_strided_grad_and_write():
    e, t = _pair(_arange(6), rg=True)
    outs = []
    for x in (e, t):
        y = x.as_strided((2, 3), (1, 2), 0)
        (y * y).sum().backward()
        outs.append(y)
    _same(outs[0], outs[1])
    _same(e.grad, t.grad)


def test_clone_contiguous_and_copies():
    e, t = _pair(_arange(3, 4))
    ec, tc = e.t().clone(), t.t().clone()
    _same(ec, tc)
    assert ec.stride() == tc.stride()         # preserve_format keeps the transposed layout
    ec.fill_(0)
    _same(e, t)                               # a clone has its own memory
    ecc, tcc = e.t().contiguous(), t.t().contiguous()
    _same(ecc, tcc)
    assert ecc.is_contiguous() and ecc.stride() == tcc.stride()
    ex = e[:, :1].expand(3, 5).clone()
    assert ex.stride() == (5, 1) and ex.device.type == "cuda"


def test_copies_and_joins_stay_on_the_device():
    e, t = _pair(_arange(3, 4))
    for fn in (lambda x: x.flip(0), lambda x: x.rot90(1, (0, 1)), lambda x: x.rot90(2),
               lambda x: x.roll(1, 1), lambda x: x.tril(), lambda x: x.repeat(2, 1),
               lambda x: x[0].diag_embed(1), lambda x: x.diag(), lambda x: x.diag(-1)):
        _same(fn(e), fn(t))
    _same(ember.stack([e, e * 2], 1), torch.stack([t, t * 2], 1))
    _same(ember.cat([e, ember.zeros(0, device="cuda"), e]),
          torch.cat([t, torch.zeros(0), t]))
    _same(ember.cat([ember.zeros(0, device="cuda")]), torch.cat([torch.zeros(0)]))


def test_repeat_interleave_tensor_repeats_and_grad():
    arr = _arange(3, 2)
    e, t = _pair(arr, rg=True)
    er = ember.tensor([2, 0, 3], device="cuda")
    tr = torch.tensor([2, 0, 3])
    eo, to = e.repeat_interleave(er, dim=0), t.repeat_interleave(tr, dim=0)
    _same(eo, to)
    w = np.arange(eo.numel(), dtype=np.float32).reshape(tuple(eo.shape))
    (eo * ember.tensor(w, device="cuda")).sum().backward()
    (to * torch.tensor(w)).sum().backward()
    _same(e.grad, t.grad)
    _same(ember.repeat_interleave(er), torch.repeat_interleave(tr))


def test_tensor_split_indices_must_be_on_the_cpu():
    # NOTE: torch requires tensor_indices_or_sections on the cpu even for cuda input
    e, t = _pair(_arange(7))
    idx = [1, 3]
    for eo, to in zip(e.tensor_split(ember.tensor(idx)), t.tensor_split(torch.tensor(idx))):
        _same(eo, to)
    with pytest.raises(RuntimeError, match="tensor_split"):
        e.tensor_split(ember.tensor(idx, device="cuda"))


# -- creation on the device -----------------------------------------------------------------

FACTORIES = {
    "zeros": lambda lib, **kw: lib.zeros(2, 3, **kw),
    "ones": lambda lib, **kw: lib.ones((3,), **kw),
    "full": lambda lib, **kw: lib.full((2, 2), 3, **kw),
    "arange": lambda lib, **kw: lib.arange(2, 11, 3, **kw),
    "linspace": lambda lib, **kw: lib.linspace(-1, 5, 7, **kw),
    "logspace": lambda lib, **kw: lib.logspace(0, 2, 3, **kw),
    "eye": lambda lib, **kw: lib.eye(3, 2, **kw),
    "scalar_tensor": lambda lib, **kw: lib.scalar_tensor(4, **kw),
    "tril_indices": lambda lib, **kw: lib.tril_indices(3, 3, -1, **{
        k: v for k, v in kw.items() if k == "device"}),
}
DTYPES = ["float32", "float64", "float16", "bfloat16", "int64", "int32", "uint8"]


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("name", sorted(FACTORIES))
def test_factories_create_on_the_device(name, dtype, monkeypatch):
    made_on_host = []
    real_move = creation.move_array

    def move(arr, dev):
        if type(arr) is np.ndarray:
            made_on_host.append(arr.shape)
        return real_move(arr, dev)
    monkeypatch.setattr(creation, "move_array", move)
    fn = FACTORIES[name]
    kw = {"dtype": getattr(torch, dtype)}
    try:
        t = fn(torch, **kw)
    except Exception as exc:   # a dtype torch refuses is refused alike
        with pytest.raises(type(exc)):
            fn(ember, dtype=getattr(ember, dtype), device="cuda")
        return
    e = fn(ember, dtype=getattr(ember, dtype), device="cuda")
    if name == "tril_indices":
        t = fn(torch)
    _same(e, t, rtol=1e-2 if dtype in ("float16", "bfloat16") else 1e-6)
    assert not made_on_host, f"{name} built a host array and copied it over"


def test_float_factories_default_dtype_on_the_device():
    for name in ("arange", "linspace", "empty"):
        fn = {"arange": lambda lib, **kw: lib.arange(0, 1, 0.25, **kw),
              "linspace": lambda lib, **kw: lib.linspace(0, 1, 5, **kw),
              "empty": lambda lib, **kw: lib.empty(2, 3, **kw)}[name]
        e, t = fn(ember, device="cuda"), fn(torch)
        assert e.device.type == "cuda" and str(e.dtype) == str(t.dtype)
        assert tuple(e.shape) == tuple(t.shape)
        if name != "empty":
            _same(e, t)


def test_like_and_new_methods_inherit_the_device():
    e, t = _pair(_arange(4, 3))
    e, t = e.t(), t.t()               # a transposed layout: preserve_format keeps it
    for fn in (lambda x: ember.zeros_like(x) if isinstance(x, ember.Tensor) else
               torch.zeros_like(x),
               lambda x: (ember if isinstance(x, ember.Tensor) else torch).ones_like(x),
               lambda x: (ember if isinstance(x, ember.Tensor) else torch).full_like(x, 2.5),
               lambda x: x.new_zeros(2, 5), lambda x: x.new_ones((1,)),
               lambda x: x.new_full((2,), 7), lambda x: x.new_tensor([1.0, 2.0])):
        eo, to = fn(e), fn(t)
        _same(eo, to)
        assert eo.stride() == to.stride()
    for eo, to in ((ember.empty_like(e), torch.empty_like(t)), (e.new_empty(3), t.new_empty(3)),
                   (e.new_empty_strided((2, 3), (1, 2)), t.new_empty_strided((2, 3), (1, 2))),
                   (ember.empty_strided((2, 3), (1, 2), device="cuda"),
                    torch.empty_strided((2, 3), (1, 2)))):
        assert eo.device.type == "cuda" and eo.stride() == to.stride()
        assert str(eo.dtype) == str(to.dtype)
    assert ember.zeros_like(e, device="cpu").device.type == "cpu"
    assert ember.zeros_like(ember.zeros(2), device="cuda").device.type == "cuda"


def test_factory_out_on_the_device():
    out = ember.empty(0, dtype=ember.int64, device="cuda")
    res = ember.arange(5, out=out)
    assert res is out and out.device.type == "cuda"
    _same(out, torch.arange(5))
    fout = ember.empty(3, device="cuda")
    ember.linspace(0, 1, 3, out=fout)
    _same(fout, torch.linspace(0, 1, 3))


def test_tensor_copies_host_data_once(monkeypatch):
    moves = []
    real_move = creation.move_array

    def move(arr, dev):
        moves.append(type(arr) is np.ndarray)
        return real_move(arr, dev)
    monkeypatch.setattr(creation, "move_array", move)
    data = np.arange(6, dtype=np.float32).reshape(2, 3)
    e = ember.tensor(data, device="cuda")
    assert moves == [True]
    data[0, 0] = 100.0                       # a copy: the source may change afterwards
    _same(e, torch.tensor(np.arange(6, dtype=np.float32).reshape(2, 3)))
    _same(ember.tensor([[1, 2], [3, 4]], device="cuda"), torch.tensor([[1, 2], [3, 4]]))
    _same(ember.tensor(data.T, device="cuda"), torch.tensor(data.T))
    assert ember.tensor(data.T, device="cuda").is_contiguous()


def test_tensor_and_as_tensor_of_cuda_tensors():
    e = ember.arange(4.0, device="cuda")
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        c = ember.tensor(e)                      # torch.tensor(t): a copy, on t's device
    assert c.device.type == "cuda" and c.data_ptr() != e.data_ptr()
    c.fill_(0)
    _same(e, torch.arange(4.0))
    assert ember.as_tensor(e) is e               # as_tensor shares
    assert ember.as_tensor(e, device="cuda").data_ptr() == e.data_ptr()
    h = ember.as_tensor(e, device="cpu")
    assert h.device.type == "cpu" and h.tolist() == [0.0, 1.0, 2.0, 3.0]
    s = ember.tensor([ember.tensor(2.0, device="cuda"), 3.0])  # cuda scalars inside a list
    assert s.device.type == "cpu" and s.tolist() == [2.0, 3.0]
    a = ember.as_tensor(np.arange(3), device="cuda")
    _same(a, torch.arange(3))


@pytest.mark.parametrize("name", ["hann_window", "hamming_window", "blackman_window",
                                  "bartlett_window", "kaiser_window"])
def test_windows_on_the_device(name):
    for dtype in ("float32", "float64"):
        e = getattr(ember, name)(7, dtype=getattr(ember, dtype), device="cuda")
        _same(e, getattr(torch, name)(7, dtype=getattr(torch, dtype)), atol=1e-6)
    _same(getattr(ember, name)(5, periodic=False, device="cuda"),
          getattr(torch, name)(5, periodic=False), atol=1e-6)


def test_resize_and_fill_diagonal_on_the_device():
    e, t = _pair(_arange(3, 3))
    _same(e.fill_diagonal_(-1.0), t.fill_diagonal_(-1.0))
    e.resize_(2, 2)
    t.resize_(2, 2)
    _same(e, t)
    e.resize_(20)
    assert e.device.type == "cuda" and tuple(e.shape) == (20,)
    np.testing.assert_array_equal(_host(e)[:4], t.reshape(-1).numpy())

"""Indexing, scatter, matrix products, linalg and fft on the cuda device, compared with
torch on the cpu (run with EMBER_EMULATE_CUDA=1 without a GPU; skipped without cuda).

What the generic registry tests do not cover: cpu index tensors into cuda tensors,
duplicate-index accumulation, setitem broadcasting and cross-device copies, and the
device checks of the index functions.
"""
import numpy as np
import pytest
import torch

import ember

pytestmark = pytest.mark.skipif(not ember.cuda.is_available(),
                                reason="no cuda device (CuPy and a GPU) for ember")


def _pair(arr, rg=False, device="cuda"):
    """The same values as an ember tensor on ``device`` and a torch cpu tensor."""
    arr = np.asarray(arr)
    e = ember.tensor(arr, device=device, requires_grad=rg)
    t = torch.tensor(arr, requires_grad=rg)
    return e, t


def _same(e, t, rtol=1e-6, atol=1e-6):
    assert e.device.type == "cuda", e.device
    assert str(e.dtype) == str(t.dtype)
    assert tuple(e.shape) == tuple(t.shape)
    np.testing.assert_allclose(e.detach().cpu().numpy(), t.detach().numpy(), rtol=rtol,
                               atol=atol)


def _rand(*shape, seed=0):
    return np.random.default_rng(seed).standard_normal(shape).astype(np.float32)


# -- cpu index tensors into cuda tensors ---------------------------------------------------

@pytest.mark.parametrize("make_index", [
    lambda lib: lib.tensor([2, 0, 2]),
    lambda lib: (lib.tensor([0, 1]), lib.tensor([[3], [1]])),
    lambda lib: lib.tensor([True, False, True]),
    lambda lib: (slice(None), lib.tensor([1, 1, 0])),
    lambda lib: [0, 2],
], ids=["long", "broadcast-pair", "bool", "slice-long", "list"])
def test_cpu_index_into_cuda(make_index):
    e, t = _pair(_rand(3, 4), rg=True)
    e_out, t_out = e[make_index(ember)], t[make_index(torch)]
    _same(e_out, t_out)
    g = _rand(*t_out.shape, seed=1)
    e_out.backward(ember.tensor(g, device="cuda"))
    t_out.backward(torch.tensor(g))
    _same(e.grad, t.grad)   # repeated indices add up in the gradient


def test_cuda_index_into_cuda():
    e, t = _pair(_rand(4, 2))
    idx = np.array([3, 3, 0])
    _same(e[ember.tensor(idx, device="cuda")], t[torch.tensor(idx)])
    mask = np.array([True, False, False, True])
    _same(e[ember.tensor(mask, device="cuda")], t[torch.tensor(mask)])


def test_cuda_index_into_cpu_is_refused():
    x = ember.zeros(3)
    with pytest.raises(RuntimeError):
        x[ember.tensor([0, 1], device="cuda")]


# -- duplicate indices accumulate -------------------------------------------------------------

def test_duplicate_indices_accumulate():
    idx = np.array([0, 2, 0, 0])
    src = _rand(4)
    (e, t), (es, ts) = _pair(np.zeros(3, np.float32)), _pair(src)
    ei, ti = ember.tensor(idx, device="cuda"), torch.tensor(idx)
    _same(e.index_add(0, ei, es), t.index_add(0, ti, ts))
    _same(e.scatter_add(0, ei, es), t.scatter_add(0, ti, ts))
    _same(e.index_put((ei,), es, accumulate=True), t.index_put((ti,), ts, accumulate=True))
    _same(e.put(ei, es, accumulate=True), t.put(ti, ts, accumulate=True))
    _same(e.scatter_reduce(0, ei, es, "amax", include_self=False),
          t.scatter_reduce(0, ti, ts, "amax", include_self=False))
    # a cpu index into a cuda tensor accumulates too (index_put_ takes cpu indices)
    e2, t2 = _pair(np.zeros(3, np.float32))
    e2.index_put_((ember.tensor(idx),), ember.tensor(1.0, device="cuda"), accumulate=True)
    t2.index_put_((ti,), torch.tensor(1.0), accumulate=True)
    _same(e2, t2)


def test_duplicate_indices_low_precision():
    idx = np.array([1, 1, 1, 0])
    e = ember.zeros(2, dtype=ember.float16, device="cuda")
    t = torch.zeros(2, dtype=torch.float16)
    src = np.full(4, 0.1, np.float32)
    out_e = e.index_add(0, ember.tensor(idx, device="cuda"),
                        ember.tensor(src, device="cuda").half())
    out_t = t.index_add(0, torch.tensor(idx), torch.tensor(src).half())
    _same(out_e, out_t, rtol=1e-3)


# -- setitem ----------------------------------------------------------------------------

def test_setitem_broadcasting():
    e, t = _pair(_rand(3, 4))
    e[:, 1] = ember.tensor([5.0], device="cuda")
    t[:, 1] = torch.tensor([5.0])
    e[ember.tensor([0, 2])] = 2.5                       # cpu index, number value
    t[torch.tensor([0, 2])] = 2.5
    e[e > 1] = ember.tensor(-1.0)                       # cpu 0-dim value
    t[t > 1] = torch.tensor(-1.0)
    e[1:, ember.tensor([0, 3])] = ember.tensor([[7.0, 8.0]], device="cuda")
    t[1:, torch.tensor([0, 3])] = torch.tensor([[7.0, 8.0]])
    e[0] = [1.0, 2.0, 3.0, 4.0]
    t[0] = torch.tensor([1.0, 2.0, 3.0, 4.0])
    _same(e, t)


def test_setitem_from_cpu_tensor_copies_across():
    e, t = _pair(np.zeros((2, 3), np.float32))
    src = _rand(3)
    e[0:1] = ember.tensor(src)                          # cpu -> cuda through copy_
    t[0:1] = torch.tensor(src)
    _same(e, t)
    # the gradient of a copied cpu source goes back to the cpu
    es, ts = _pair(src, rg=True, device="cpu")
    e2, t2 = ember.zeros(2, 3, device="cuda"), torch.zeros(2, 3)
    e2[1] = es
    t2[1] = ts
    (e2 * 2).sum().backward()
    (t2 * 2).sum().backward()
    assert es.grad.device.type == "cpu"
    np.testing.assert_allclose(es.grad.numpy(), ts.grad.numpy())
    host = ember.zeros(2, 3)
    host.copy_(e)                                       # cuda -> cpu
    np.testing.assert_allclose(host.numpy(), t.numpy())


def test_setitem_gradient():
    e, t = _pair(_rand(3, 3), rg=True)
    ev, tv = _pair(_rand(2, 1, seed=2), rg=True)
    e2, t2 = e * 1, t * 1
    e2[ember.tensor([0, 2])] = ev
    t2[torch.tensor([0, 2])] = tv
    e2.sum().backward()
    t2.sum().backward()
    _same(e.grad, t.grad)
    _same(ev.grad, tv.grad)


# -- device checks of the index functions --------------------------------------------------

@pytest.mark.parametrize("call", [
    lambda x, i: ember.gather(x, 0, i),
    lambda x, i: ember.index_select(x, 0, i),
    lambda x, i: ember.scatter_add(x, 0, i, x),
    lambda x, i: ember.take(x, i),
], ids=["gather", "index_select", "scatter_add", "take"])
def test_index_functions_need_one_device(call):
    x = ember.zeros(3, device="cuda")
    with pytest.raises(RuntimeError):
        call(x, ember.tensor([0, 1]))        # a cpu index
    with pytest.raises(RuntimeError):
        call(x, ember.tensor(0).reshape(1))  # also when it holds one element
    with pytest.raises(RuntimeError):
        call(ember.zeros(3), ember.tensor([0, 1], device="cuda"))


def test_gather_index_select_on_cuda():
    e, t = _pair(_rand(3, 4), rg=True)
    idx = np.array([[0, 2], [1, 1], [3, 0]])
    e_out = ember.gather(e, 1, ember.tensor(idx, device="cuda"))
    t_out = torch.gather(t, 1, torch.tensor(idx))
    _same(e_out, t_out)
    e_sel = e.index_select(1, ember.tensor([3, 3], device="cuda"))
    t_sel = t.index_select(1, torch.tensor([3, 3]))
    _same(e_sel, t_sel)
    (e_out.sum() + e_sel.sum()).backward()
    (t_out.sum() + t_sel.sum()).backward()
    _same(e.grad, t.grad)


def test_nonzero_masked_on_cuda():
    e, t = _pair(np.array([[0, 1, 2], [3, 0, 0]], np.int64))
    _same(e.nonzero(), t.nonzero())
    _same(e.masked_select(e > 0), t.masked_select(t > 0))
    _same(e.masked_fill(e > 1, ember.tensor(9)), t.masked_fill(t > 1, torch.tensor(9)))


# -- matrix products, linalg, fft ---------------------------------------------------------

@pytest.mark.parametrize("fn", [
    lambda lib, a, b: a @ b,
    lambda lib, a, b: lib.einsum("bij,bjk->bik", a, b),
    lambda lib, a, b: lib.einsum("bij,bjk->ik", a, b),
    lambda lib, a, b: lib.baddbmm(a[:, :, :2], a, b),
    lambda lib, a, b: lib.addbmm(a[0, :, :2], a, b),
], ids=["matmul", "einsum-bmm", "einsum-reduce", "baddbmm", "addbmm"])
def test_products_and_grads(fn):
    ea, ta = _pair(_rand(2, 3, 3), rg=True)
    eb, tb = _pair(_rand(2, 3, 2, seed=1), rg=True)
    t_out = fn(torch, ta, tb)
    e_out = fn(ember, ea, eb)
    _same(e_out, t_out, rtol=1e-5, atol=1e-5)
    g = _rand(*t_out.shape, seed=3)
    e_out.backward(ember.tensor(g, device="cuda"))
    t_out.backward(torch.tensor(g))
    _same(ea.grad, ta.grad, rtol=1e-5, atol=1e-5)
    _same(eb.grad, tb.grad, rtol=1e-5, atol=1e-5)


def test_linalg_on_cuda():
    arr = _rand(3, 3) + 3 * np.eye(3, dtype=np.float32)
    e, t = _pair(arr, rg=True)
    _same(ember.linalg.inv(e), torch.linalg.inv(t), rtol=1e-5, atol=1e-5)
    _same(ember.linalg.det(e), torch.linalg.det(t), rtol=1e-5, atol=1e-5)
    ew, tw = ember.linalg.eigvals(e), torch.linalg.eigvals(t)   # a host round trip
    np.testing.assert_allclose(np.sort_complex(ew.detach().cpu().numpy()),
                               np.sort_complex(tw.detach().numpy()), rtol=1e-4, atol=1e-4)
    assert ew.device.type == "cuda"
    ember.linalg.solve(e, e.sum(-1)).sum().backward()
    torch.linalg.solve(t, t.sum(-1)).sum().backward()
    _same(e.grad, t.grad, rtol=1e-4, atol=1e-4)
    # failed factorizations raise on the device as torch's kernels do
    singular = ember.zeros(2, 2, device="cuda")
    with pytest.raises(ember.linalg.LinAlgError):
        ember.linalg.inv(singular)
    with pytest.raises(ember.linalg.LinAlgError):
        ember.linalg.solve(singular, ember.ones(2, device="cuda"))
    with pytest.raises(ember.linalg.LinAlgError):
        ember.linalg.cholesky(-ember.eye(2, device="cuda"))
    info = ember.linalg.cholesky_ex(-ember.eye(2, device="cuda")).info
    assert info.device.type == "cuda" and int(info) == torch.linalg.cholesky_ex(
        -torch.eye(2)).info.item()


def test_fft_on_cuda():
    e, t = _pair(_rand(2, 8), rg=True)
    e_out, t_out = ember.fft.rfft(e), torch.fft.rfft(t)
    _same(e_out, t_out, rtol=1e-5, atol=1e-5)
    e_out.abs().sum().backward()
    t_out.abs().sum().backward()
    _same(e.grad, t.grad, rtol=1e-4, atol=1e-4)
    _same(ember.fft.ifft(ember.fft.fft(e.detach())), torch.fft.ifft(torch.fft.fft(t.detach())),
          rtol=1e-5, atol=1e-5)

"""DLPack: zero-copy exchange with NumPy and torch, both ways (a write on one side shows
on the other), bfloat16 and bool, capsules, and clear errors."""
import ml_dtypes
import numpy as np
import pytest
import torch

import ember
from ember.utils.dlpack import from_dlpack, to_dlpack

DTYPES = ["bool", "uint8", "int8", "int16", "int32", "int64", "float16", "bfloat16",
          "float32", "float64"]


def _values(dtype):
    arr = np.arange(6).reshape(2, 3) % 2 if dtype == "bool" else np.arange(6).reshape(2, 3)
    return arr


def _poke(view):
    """Write one element through ``view`` (torch tensor or ndarray): 1 / True."""
    view[0, 0] = True if view.dtype in (torch.bool, np.bool_) else 1


@pytest.mark.parametrize("dtype", DTYPES)
def test_ember_to_torch_shares_memory(dtype):
    e = ember.tensor(_values(dtype), dtype=getattr(ember, dtype))
    t = torch.from_dlpack(e)
    assert t.dtype == getattr(torch, dtype) and tuple(t.shape) == (2, 3)
    np.testing.assert_array_equal(t.float().numpy(), e.float().numpy())
    _poke(t)
    assert e[0, 0].item() == t[0, 0].item()
    e[1, 2] = 0
    assert t[1, 2].item() == 0


@pytest.mark.parametrize("dtype", DTYPES)
def test_torch_to_ember_shares_memory(dtype):
    t = torch.tensor(_values(dtype)).to(getattr(torch, dtype))
    e = ember.from_dlpack(t)
    assert e.dtype is getattr(ember, dtype)
    np.testing.assert_array_equal(e.float().numpy(), t.float().numpy())
    e[0, 0] = 1
    assert t[0, 0].item() == e[0, 0].item()
    t[1, 2] = 0
    assert e[1, 2].item() == 0


@pytest.mark.parametrize("dtype", [d for d in DTYPES if d != "bfloat16"])
def test_numpy_both_ways(dtype):
    np_dtype = np.dtype(dtype)
    e = ember.tensor(_values(dtype), dtype=getattr(ember, dtype))
    a = np.from_dlpack(e)
    assert a.dtype == np_dtype
    _poke(a)
    assert e[0, 0].item() == a[0, 0]
    b = _values(dtype).astype(np_dtype)
    e2 = ember.from_dlpack(b)
    e2[1, 1] = 1
    assert b[1, 1] == e2[1, 1].item()


def test_bfloat16_numpy_array_from_ml_dtypes():
    # NumPy cannot export ml_dtypes' bfloat16 through DLPack, so only ember -> torch
    # and torch -> ember carry it; ember's own bfloat16 tensor round-trips by capsule.
    e = ember.tensor([1.5, -2.0], dtype=ember.bfloat16)
    back = from_dlpack(to_dlpack(e))
    assert back.dtype is ember.bfloat16
    back[0] = 4.0
    assert e[0].item() == 4.0
    assert e._data.dtype == ml_dtypes.bfloat16


def test_non_contiguous_views_keep_strides():
    base = ember.arange(24.0).reshape(4, 6)
    view = base[1:, ::2].t()
    t = torch.from_dlpack(view)
    assert t.stride() == view.stride()
    np.testing.assert_array_equal(t.numpy(), view.numpy())
    t.zero_()
    assert float(base[1:, ::2].abs().sum()) == 0.0
    tv = torch.arange(12.0).reshape(3, 4)[:, 1::2]
    ev = ember.from_dlpack(tv)
    assert ev.stride() == tv.stride()
    np.testing.assert_array_equal(ev.numpy(), tv.numpy())


def test_capsules_both_ways_and_consumed_once():
    capsule = to_dlpack(ember.arange(3))
    t = torch.utils.dlpack.from_dlpack(capsule)
    assert t.tolist() == [0, 1, 2]
    with pytest.raises(Exception):
        torch.utils.dlpack.from_dlpack(capsule)
    source = torch.arange(4)
    e = ember.utils.dlpack.from_dlpack(torch.utils.dlpack.to_dlpack(source))
    assert e.tolist() == [0, 1, 2, 3]
    e[2] = 9       # a pre-1.0 capsule still gives writable shared memory, as in torch
    assert source[2].item() == 9


def test_zero_dim_and_empty():
    for shape in [(), (0,), (2, 0)]:
        e = ember.zeros(shape)
        t = torch.from_dlpack(e)
        assert tuple(t.shape) == shape
        assert tuple(ember.from_dlpack(torch.zeros(shape)).shape) == shape


def test_dlpack_device_and_errors():
    assert ember.ones(2).__dlpack_device__() == (1, 0)
    with pytest.raises(BufferError):
        ember.ones(2, requires_grad=True).__dlpack__()
    np.from_dlpack(ember.ones(2, requires_grad=True).detach())
    with pytest.raises(BufferError):
        ember.ones(2, device="meta").__dlpack__()
    with pytest.raises(TypeError):
        ember.from_dlpack([1, 2])
    with pytest.raises(TypeError):
        to_dlpack(np.ones(2))
    with pytest.raises(ValueError):
        ember.from_dlpack(np.arange(3.0)[::-1])


def test_from_dlpack_of_ember_tensor_shares_memory():
    e = ember.zeros(3)
    f = ember.from_dlpack(e)
    f[0] = 2.0
    assert e[0].item() == 2.0

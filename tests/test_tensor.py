"""The Tensor object's API, each behaviour compared with torch doing the same."""
import operator
import warnings

import ml_dtypes
import numpy as np
import pytest
import torch

import ember

DTYPES = ["bool", "uint8", "int8", "int16", "int32", "int64", "float16", "bfloat16",
          "float32", "float64"]


def name(dt):
    return str(dt).split(".")[-1]


def plain(x):
    """A comparable form of a torch or ember result: tensors become (shape, dtype, values)."""
    if isinstance(x, (torch.Tensor, ember.Tensor)):
        if isinstance(x, torch.Tensor):
            values = x.detach().double().numpy() if x.dtype is not torch.bool else x.numpy()
        else:
            values = x.detach().double().numpy() if x.dtype is not ember.bool else x.numpy()
        return ("tensor", tuple(x.shape), name(x.dtype), values.tolist())
    if isinstance(x, (torch.dtype, ember.dtype)):
        return ("dtype", name(x))
    if isinstance(x, (torch.Size, ember.Size)):
        return ("size", tuple(x))
    if isinstance(x, (list, tuple)):
        return type(x).__name__, [plain(e) for e in x]
    if isinstance(x, np.ndarray):
        return ("ndarray", x.dtype.name, x.tolist())
    return x


def run(lib, fn):
    try:
        return plain(fn(lib))
    except Exception as exc:  # noqa: BLE001  (compared with torch's exception type)
        return type(exc)


def same(fn):
    """Run ``fn(torch)`` and ``fn(ember)``; results (or exception types) must agree."""
    t, e = run(torch, fn), run(ember, fn)
    assert isinstance(t, type) == isinstance(e, type), (t, e)
    if isinstance(t, type):
        assert issubclass(e, t), (t, e)
    else:
        assert e == t
    return t


# ----------------------------------------------------------------------------------
# shape metadata, strides, storage
# ----------------------------------------------------------------------------------

def _views():
    """(label, fn(lib) -> tensor) for contiguous and view layouts."""
    def base(lib):
        return lib.arange(24, dtype=lib.float32).reshape(2, 3, 4)
    return {
        "contiguous": base,
        "0-dim": lambda lib: lib.tensor(3.0),
        "1-d": lambda lib: lib.arange(5),
        "empty": lambda lib: lib.zeros(0, 3),
        "empty-trailing": lambda lib: lib.zeros(2, 0),
        "transposed": lambda lib: base(lib).transpose(0, 2),
        "t": lambda lib: base(lib)[0].t(),
        "permuted": lambda lib: base(lib).permute(1, 2, 0),
        "sliced": lambda lib: base(lib)[:, 1:, ::2],
        "int-indexed": lambda lib: base(lib)[1, :, 2],
        "narrow-end": lambda lib: base(lib)[1:, 2:],
        "expanded": lambda lib: lib.arange(3.0).expand(4, 3),
        "expanded-new-dims": lambda lib: lib.arange(3.0).reshape(3, 1).expand(2, 3, 5),
        "unsqueezed-front": lambda lib: base(lib).unsqueeze(0),
        "unsqueezed-last": lambda lib: base(lib).unsqueeze(-1),
        "none-indexed": lambda lib: base(lib)[:, None],
        "none-indexed-last": lambda lib: base(lib)[..., None],
        "squeezed": lambda lib: lib.zeros(2, 1, 3)[:, :, 1:].squeeze(1),
        "view": lambda lib: base(lib).view(6, 4),
        "transposed-view": lambda lib: base(lib).transpose(0, 1)[1:],
        "size-1-dims": lambda lib: lib.zeros(1, 3, 1),
    }


VIEWS = _views()


@pytest.mark.parametrize("label", sorted(VIEWS))
def test_layout_metadata_matches_torch(label):
    fn = VIEWS[label]
    same(lambda lib: fn(lib).shape)
    same(lambda lib: fn(lib).size())
    same(lambda lib: fn(lib).dim())
    same(lambda lib: fn(lib).ndim)
    same(lambda lib: fn(lib).numel())
    same(lambda lib: fn(lib).stride())
    same(lambda lib: fn(lib).storage_offset())
    same(lambda lib: fn(lib).is_contiguous())
    same(lambda lib: [fn(lib).size(d) for d in range(-fn(lib).dim(), fn(lib).dim())])
    same(lambda lib: [fn(lib).stride(d) for d in range(-fn(lib).dim(), fn(lib).dim())])


@pytest.mark.parametrize("label", sorted(VIEWS))
def test_data_ptr_difference_is_offset_times_itemsize(label):
    for lib in (torch, ember):
        view = VIEWS[label](lib)
        base = view._base if view._base is not None else view
        diff = view.data_ptr() - base.data_ptr()
        assert diff == view.storage_offset() * view.element_size()


def test_size_and_stride_dim_errors():
    same(lambda lib: lib.zeros(2, 3).size(2))
    same(lambda lib: lib.zeros(2, 3).size(-3))
    same(lambda lib: lib.zeros(2, 3).stride(5))
    same(lambda lib: lib.tensor(1.0).size(0))
    same(lambda lib: lib.tensor(1.0).size(-1))
    same(lambda lib: lib.zeros(2, 3).size(torch.tensor(1) if lib is torch else ember.tensor(1)))


def test_storage_offset_of_from_numpy_slice_is_zero():
    arr = np.arange(6.0)
    same(lambda lib: lib.from_numpy(arr[2:]).storage_offset())


def test_views_share_data_ptr_region():
    base = ember.arange(12.0).reshape(3, 4)
    row = base[1]
    assert row.data_ptr() == base.data_ptr() + 4 * base.element_size()
    assert row.storage_offset() == 4
    row.fill_(7.0)
    assert base[1, 0].item() == 7.0


@pytest.mark.parametrize("dt", DTYPES)
def test_element_size_itemsize_nbytes(dt):
    same(lambda lib: lib.zeros(2, 3, dtype=getattr(lib, dt)).element_size())
    same(lambda lib: lib.zeros(2, 3, dtype=getattr(lib, dt)).itemsize)
    same(lambda lib: lib.zeros(2, 3, dtype=getattr(lib, dt)).nbytes)
    same(lambda lib: lib.zeros(2, 3, dtype=getattr(lib, dt)).is_floating_point())
    same(lambda lib: lib.zeros(2, 3, dtype=getattr(lib, dt)).is_signed())
    same(lambda lib: lib.zeros(2, 3, dtype=getattr(lib, dt)).type())


def test_contiguous():
    same(lambda lib: lib.arange(6.0).reshape(2, 3).t().contiguous().stride())
    same(lambda lib: lib.arange(6.0).reshape(2, 3).t().contiguous())
    for lib in (torch, ember):
        a = lib.arange(6.0).reshape(2, 3)
        assert a.contiguous() is a
        assert not a.t().is_contiguous() and a.t().contiguous().is_contiguous()


def test_is_contiguous_channels_last():
    for lib in (torch, ember):
        a = lib.zeros(2, 3, 4, 5)
        cl = a.permute(0, 2, 3, 1).contiguous().permute(0, 3, 1, 2)
        assert cl.is_contiguous(memory_format=lib.channels_last)
        assert not a.is_contiguous(memory_format=lib.channels_last)
        assert not cl.is_contiguous()


# ----------------------------------------------------------------------------------
# Python scalars and conversions out
# ----------------------------------------------------------------------------------

@pytest.mark.parametrize("dt", DTYPES)
def test_item_tolist_types(dt):
    values = [[0, 1, 2], [3, 250, 7]]
    same(lambda lib: lib.tensor(values).to(getattr(lib, dt)).tolist())
    same(lambda lib: lib.tensor(values).to(getattr(lib, dt))[1, 1].item())
    same(lambda lib: type(lib.tensor(values).to(getattr(lib, dt))[1, 1].item()).__name__)
    same(lambda lib: lib.tensor(5).to(getattr(lib, dt)).tolist())
    same(lambda lib: lib.zeros(0, 2, dtype=getattr(lib, dt)).tolist())


def test_item_of_one_element_and_errors():
    same(lambda lib: lib.tensor([[2.5]]).item())
    same(lambda lib: lib.tensor([1.0, 2.0]).item())
    same(lambda lib: lib.tensor([]).item())
    same(lambda lib: lib.tensor(1.5, dtype=lib.bfloat16).item())


@pytest.mark.parametrize("value", [[2.7], [-2.7], [5], [True], [1.0, 2.0], [], [[3]]])
@pytest.mark.parametrize("convert", ["float", "int", "bool", "complex"])
def test_python_number_conversions(value, convert):
    fn = {"float": float, "int": int, "bool": bool, "complex": complex}[convert]
    same(lambda lib: fn(lib.tensor(value)))


@pytest.mark.parametrize("value,dt", [(3, "int64"), (3, "uint8"), (True, "bool"),
                                      (2.0, "float32"), ([3], "int64"), ([1, 2], "int64")])
def test_index(value, dt):
    same(lambda lib: operator.index(lib.tensor(value, dtype=getattr(lib, dt))))
    same(lambda lib: [10, 20, 30, 40][lib.tensor(value, dtype=getattr(lib, dt))])


def test_int_of_nan_raises_value_error():
    same(lambda lib: int(lib.tensor(float("nan"))))


def test_len_and_iteration():
    same(lambda lib: len(lib.zeros(3, 2)))
    same(lambda lib: len(lib.tensor(1.0)))
    same(lambda lib: iter(lib.tensor(1.0)))


def test_iteration_yields_views():
    if not hasattr(ember.Tensor, "unbind"):
        pytest.skip("unbind (which iteration is built on, as in torch) is not implemented yet")
    same(lambda lib: list(lib.arange(6).reshape(3, 2)))
    same(lambda lib: list(lib.zeros(0, 2)))
    same(lambda lib: [r.shape for r in lib.ones(2, 3, device="meta")])
    base = ember.zeros(3, 2)
    rows = list(base)
    rows[1].fill_(5.0)
    assert base.tolist() == [[0, 0], [5, 5], [0, 0]]
    assert all(r._base is base for r in rows)
    x = ember.ones(2, 3, requires_grad=True)
    sum(r.sum() * (i + 1) for i, r in enumerate(x)).backward()
    assert x.grad.tolist() == [[1, 1, 1], [2, 2, 2]]


def test_bool_of_tensor():
    same(lambda lib: bool(lib.tensor([0.0])))
    same(lambda lib: bool(lib.tensor(float("nan"))))
    same(lambda lib: bool(lib.tensor([1, 2])))
    same(lambda lib: bool(lib.tensor([])))
    same(lambda lib: "yes" if lib.tensor([3]) else "no")


def test_hash_is_identity():
    a, b = ember.ones(2), ember.ones(2)
    assert hash(a) == id(a) and hash(a) != hash(b)
    table = {a: "a", b: "b"}
    assert table[a] == "a" and table[b] == "b"
    assert len({a, b, a}) == 2
    assert a in {a} and b not in {a}


def test_format_of_0dim():
    same(lambda lib: f"{lib.tensor(2.5):.2f}")
    same(lambda lib: f"{lib.tensor(7):>4}")


# ----------------------------------------------------------------------------------
# NumPy interop
# ----------------------------------------------------------------------------------

def test_numpy_shares_memory_both_ways():
    t = ember.zeros(3)
    arr = t.numpy()
    arr[0] = 5.0
    assert t[0].item() == 5.0
    t.add_(1.0)
    assert arr.tolist() == [6.0, 1.0, 1.0]
    # and for views
    v = ember.arange(6.0).reshape(2, 3).t()
    assert np.shares_memory(v.numpy(), v._base.numpy())


def test_from_numpy_shares_memory_both_ways():
    arr = np.arange(4, dtype=np.int32)
    t = ember.from_numpy(arr)
    assert t.dtype is ember.int32
    arr[1] = 9
    assert t.tolist() == [0, 9, 2, 3]
    t.mul_(2)
    assert arr.tolist() == [0, 18, 4, 6]
    tt = torch.from_numpy(np.arange(4, dtype=np.int32))
    assert name(tt.dtype) == name(t.dtype)


def test_from_numpy_bfloat16_and_errors():
    arr = np.ones(2, dtype=ml_dtypes.bfloat16)
    assert ember.from_numpy(arr).dtype is ember.bfloat16
    same(lambda lib: lib.from_numpy([1, 2]))
    same(lambda lib: lib.from_numpy(np.array(["a"])))
    same(lambda lib: lib.from_numpy(np.arange(4.0)[::-1]))


def test_as_tensor_shares_or_copies():
    arr = np.arange(3.0)
    t = ember.as_tensor(arr)
    arr[0] = 7
    assert t[0].item() == 7.0
    c = ember.as_tensor(arr, dtype=ember.float32)
    arr[0] = 8
    assert c[0].item() == 7.0
    x = ember.ones(2)
    assert ember.as_tensor(x) is x
    assert ember.as_tensor(x, dtype=ember.float64).dtype is ember.float64


def test_numpy_errors():
    same(lambda lib: lib.ones(2, requires_grad=True).numpy())
    same(lambda lib: lib.ones(2, dtype=lib.bfloat16).numpy())
    same(lambda lib: lib.ones(2, requires_grad=True).detach().numpy())
    same(lambda lib: lib.ones(2, requires_grad=True).numpy(force=True))


def test_array_protocol():
    same(lambda lib: np.asarray(lib.arange(4.0).reshape(2, 2)).tolist())
    same(lambda lib: np.asarray(lib.arange(4), dtype=np.float64).dtype.name)
    same(lambda lib: np.asarray(lib.ones(2, requires_grad=True)))
    same(lambda lib: np.asarray(lib.ones(2, dtype=lib.bfloat16)))
    t = ember.zeros(3)
    np.asarray(t)[1] = 4.0
    assert t.tolist() == [0.0, 4.0, 0.0]
    assert np.array(t, copy=True) is not t._data


# ----------------------------------------------------------------------------------
# copies, detach, data
# ----------------------------------------------------------------------------------

def test_clone_is_a_copy_with_grad():
    a = ember.arange(4.0, requires_grad=True)
    b = a.clone()
    assert b.data_ptr() != a.data_ptr() and b.requires_grad and b.grad_fn is not None
    (b * 2).sum().backward()
    assert a.grad.tolist() == [2.0] * 4


def test_detach_shares_storage_and_version():
    for lib in (torch, ember):
        a = lib.ones(3, requires_grad=True)
        d = a.detach()
        assert not d.requires_grad and d.grad_fn is None
        assert d.data_ptr() == a.data_ptr()
        v0 = a._version
        d.add_(1)
        assert a._version == v0 + 1 == d._version
        assert a.tolist() == [2.0, 2.0, 2.0]


def test_detach_of_view_keeps_offset():
    same(lambda lib: lib.arange(6.0).reshape(2, 3)[1].detach().storage_offset())
    same(lambda lib: lib.arange(6.0).reshape(2, 3)[1].detach()[1:].storage_offset())
    same(lambda lib: lib.arange(6.0).reshape(2, 3)[1].data.storage_offset())
    same(lambda lib: lib.arange(6.0).reshape(2, 3)[1].detach()._base)


def test_inplace_on_detached_leaves_original_history_alone():
    def fn(lib):
        x = lib.ones(3, requires_grad=True)
        w = lib.full((3,), 2.0, requires_grad=True)
        a = x * 2
        d = a.detach()
        d.mul_(w)
        leaf = x.detach()
        leaf.mul_(w)
        return (type(a.grad_fn).__name__, type(d.grad_fn).__name__, x.is_leaf,
                type(leaf.grad_fn).__name__, x.tolist(), a.tolist())
    same(fn)


def test_data_does_not_share_version_counter():
    def fn(lib):
        a = lib.ones(2, requires_grad=True)
        d = a.data
        d.add_(1)
        return a._version, d._version, a.tolist()
    same(fn)


def test_data_get_and_set():
    same(lambda lib: lib.ones(2, requires_grad=True).data.requires_grad)
    for lib in (torch, ember):
        a = lib.ones(2, requires_grad=True)
        d = a.data
        d.mul_(3)
        assert a.tolist() == [3.0, 3.0] and a.requires_grad
        a.data = lib.zeros(4)
        assert a.shape == (4,) and a.requires_grad and a.is_leaf
    same(lambda lib: setattr(lib.ones(2), "data", 3))


def test_arbitrary_attributes():
    t = ember.ones(2)
    t.my_tag = "hello"
    t.layer_index = 3
    assert t.my_tag == "hello" and t.layer_index == 3
    assert not hasattr(ember.ones(2), "my_tag")


@pytest.mark.parametrize("case", ["ok", "none", "int", "dtype", "shape", "device", "int-ok"])
def test_grad_setter_checks(case):
    def fn(lib):
        base = lib.ones(2, dtype=lib.int64) if case == "int-ok" else lib.ones(2)
        value = {
            "ok": lambda: lib.full((2,), 3.0),
            "none": lambda: None,
            "int": lambda: 3,
            "dtype": lambda: lib.ones(2, dtype=lib.float64),
            "shape": lambda: lib.ones(3),
            "device": lambda: lib.ones(2, device="meta"),
            "int-ok": lambda: lib.ones(2, dtype=lib.int64),
        }[case]()
        base.grad = value
        return base.grad
    same(fn)


def test_grad_delete():
    for lib in (torch, ember):
        a = lib.ones(2, requires_grad=True)
        a.grad = lib.ones(2)
        del a.grad
        assert a.grad is None


# ----------------------------------------------------------------------------------
# dtype conversion: to(), the shorthand methods, type(), type_as
# ----------------------------------------------------------------------------------

SHORTHANDS = ["float", "double", "half", "bfloat16", "long", "int", "bool", "short", "char",
              "byte"]


@pytest.mark.parametrize("method", SHORTHANDS)
@pytest.mark.parametrize("src", DTYPES)
def test_shorthand_conversions(method, src):
    values = [-3.7, -1.5, -0.5, 0.0, 0.4, 1.5, 2.5, 127.9, 200.0]
    same(lambda lib: getattr(lib.tensor(values).to(getattr(lib, src)), method)())


@pytest.mark.parametrize("dst", ["uint8", "int8", "int16", "int32", "bool"])
@pytest.mark.parametrize("src", ["float64", "float32", "int64", "int32", "int16"])
def test_casts_wrap_and_truncate_like_torch(src, dst):
    values = [-300.7, -129.5, -128.9, -1.5, -0.5, 0.5, 1.5, 127.9, 128.5, 255.5, 256.7, 300.7,
              70000.2, -70000.2]
    same(lambda lib: lib.tensor(values, dtype=lib.float64).to(getattr(lib, src))
         .to(getattr(lib, dst)))


@pytest.mark.parametrize("dst", ["float16", "bfloat16"])
@pytest.mark.parametrize("src", ["float64", "float32", "int64"])
def test_half_precision_rounding_matches_torch(src, dst):
    rng = np.random.default_rng(0)
    mantissa = 11 if dst == "float16" else 8
    k = rng.integers(1, 2 ** (mantissa - 1), 200)
    # values a hair above/below halfway points, plus random magnitudes
    halfway = 1 + (2 * k + 1) * 2.0 ** -mantissa
    values = np.concatenate([
        halfway + 2.0 ** -40, halfway - 2.0 ** -40, halfway,
        rng.standard_normal(200) * np.exp2(rng.integers(-20, 20, 200)),
        [65519.0, 65520.0, 1e6, -1e6, 1e-8, 2 ** 24 + 2 ** 16 + 1],
    ])
    if src == "int64":
        values = np.round(values * 1000)

    def fn(lib):
        t = lib.from_numpy(values.copy()).to(getattr(lib, src)).to(getattr(lib, dst))
        return t.to(lib.float64)
    same(fn)


def test_to_variants():
    same(lambda lib: lib.ones(2).to(lib.float64))
    same(lambda lib: lib.ones(2).to(dtype=lib.int32))
    same(lambda lib: lib.ones(2).to("cpu", lib.float16))
    same(lambda lib: lib.ones(2).to(lib.device("cpu"), dtype=lib.int8))
    same(lambda lib: lib.ones(2).to(lib.zeros(1, dtype=lib.int16)))
    same(lambda lib: lib.ones(2).to(lib.float64, True))  # positional non_blocking
    same(lambda lib: lib.ones(2).to(None))
    same(lambda lib: lib.ones(2).to(lib.float64, copy=True, non_blocking=False))
    same(lambda lib: lib.ones(2).to("nowhere"))
    same(lambda lib: lib.ones(2).to(bogus=1))
    for lib in (torch, ember):
        a = lib.ones(2)
        assert a.to(lib.float32) is a and a.to("cpu") is a and a.to(a) is a
        assert a.to(lib.float32, copy=True) is not a
        assert a.to(copy=True).data_ptr() != a.data_ptr()
        assert a.cpu() is a and a.float() is a and a.type_as(a) is a


def test_to_is_differentiable():
    for lib in (torch, ember):
        a = lib.tensor([1.5, 2.5], requires_grad=True)
        b = a.to(lib.float64)
        assert b.requires_grad and type(b.grad_fn).__name__ == "ToCopyBackward0"
        (b * b).sum().backward()
        assert a.grad.dtype is lib.float32 and a.grad.tolist() == [3.0, 5.0]
        assert not a.to(lib.int64).requires_grad


def test_type_as():
    same(lambda lib: lib.ones(2).type_as(lib.zeros(1, dtype=lib.int32)))
    same(lambda lib: lib.ones(2, dtype=lib.int64).type_as(lib.zeros(1, dtype=lib.float16)))


@pytest.mark.parametrize("arg", ["torch.DoubleTensor", "torch.IntTensor", "torch.BoolTensor",
                                 "DoubleTensor", "torch.double", "float", "nonsense",
                                 "torch.cuda.FloatTensor", "dtype:float16", "dtype:int8"])
def test_type_conversion(arg):
    if "cuda" in arg and ember.cuda.is_available():
        pytest.skip("compares with torch's CPU-only refusal of cuda types")
    def fn(lib):
        a = lib.ones(2)
        if arg.startswith("dtype:"):
            return a.type(getattr(lib, arg[6:]))
        return a.type(arg)
    same(fn)


def test_type_names():
    same(lambda lib: [lib.ones(1, dtype=getattr(lib, dt)).type() for dt in DTYPES])
    same(lambda lib: lib.ones(1, device="meta").type())
    same(lambda lib: lib.ones(1, device="meta", dtype=lib.int64).type())
    same(lambda lib: lib.typename(lib.ones(1)))


# ----------------------------------------------------------------------------------
# new_* and the legacy constructor
# ----------------------------------------------------------------------------------

@pytest.mark.parametrize("src", ["int32", "float64", "bool", "bfloat16"])
def test_new_methods_inherit_dtype(src):
    def base(lib):
        return lib.ones(2, dtype=getattr(lib, src))
    same(lambda lib: base(lib).new_zeros(2, 3))
    same(lambda lib: base(lib).new_zeros((2, 3)))
    same(lambda lib: base(lib).new_ones([3]))
    same(lambda lib: base(lib).new_full((2,), 1))
    same(lambda lib: base(lib).new_full((2,), 2.5, dtype=lib.float32))
    same(lambda lib: base(lib).new_empty(2, 3).shape)
    same(lambda lib: base(lib).new_empty(2, 3).dtype)
    same(lambda lib: base(lib).new_tensor([1, 0, 3]))
    same(lambda lib: base(lib).new_tensor([1, 2], dtype=lib.int8))
    same(lambda lib: base(lib).new_zeros(2, requires_grad=src.startswith("float")).requires_grad)


def test_new_tensor_from_tensor_copies_and_warns():
    src = ember.ones(2)
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        out = ember.zeros(1).new_tensor(src)
    assert caught and out.data_ptr() != src.data_ptr() and not out.requires_grad


def test_new_methods_keep_device():
    m = ember.ones(2, device="meta")
    assert m.new_zeros(3).device.type == "meta"
    assert m.new_full((2,), 1.0).device.type == "meta"
    assert ember.ones(1).new_zeros(2, device="meta").is_meta


@pytest.mark.parametrize("case", ["empty", "sizes", "list", "tuple", "size-obj", "ndarray",
                                  "float", "str", "tensor", "mixed"])
def test_legacy_constructor(case):
    def fn(lib):
        args = {
            "empty": (), "sizes": (2, 3), "list": ([1, 2],), "tuple": ((2, 3),),
            "size-obj": (lib.Size([2, 3]),), "ndarray": (np.array([1, 2]),), "float": (3.0,),
            "str": ("ab",), "tensor": (lib.ones(2, dtype=lib.int64),), "mixed": (2, [3]),
        }[case]
        t = lib.Tensor(*args)
        if case in ("sizes", "size-obj"):
            return t.shape, t.dtype
        return t
    same(fn)


def test_tensor_subclass_is_tensor():
    for lib in (torch, ember):
        t = lib.Tensor(2, 3)
        assert isinstance(t, lib.Tensor) and lib.is_tensor(t)
        assert not lib.is_tensor([1])


def test_is_floating_point_function():
    same(lambda lib: [lib.is_floating_point(lib.ones(1, dtype=getattr(lib, dt)))
                      for dt in DTYPES])
    same(lambda lib: lib.numel(lib.ones(2, 3)))

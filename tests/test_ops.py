"""Generic op tests driven by the registry in tests/opdb: every entry is compared
with torch (values, dtypes, shapes, gradients), gradchecked in float64, run on the
meta device, and fed bad inputs."""
import numpy as np
import pytest
import torch

import ember
from opdb import T, all_ops
from opdb._common import (TOL, assert_rejects_like_torch, dtype_name, ember_to_numpy,
                          make_array, to_ember, to_torch, torch_to_numpy)

OPS = all_ops()
DEVICES = ("cpu", "cuda")
# torch runs on its own cuda device when it has one, else on the cpu (an emulated-cuda run)
TORCH_CUDA = "cuda" if torch.cuda.is_available() else "cpu"


def _skip_without(device):
    if device == "cuda" and not ember.cuda.is_available():
        pytest.skip("no cuda device (CuPy and a GPU) for ember")


def _cases(kind):
    for device in DEVICES:
        for op in OPS:
            dtypes = op.dtypes if kind == "values" else tuple(d for d in op.grad_dtypes
                                                              if d in op.dtypes)
            if kind != "values" and not op.differentiable:
                continue
            for dt in dtypes:
                yield pytest.param(op, dt, device, id=f"{device}-{op.name}-{dt}")


def _materialize(sample, dtype, lib, seed, grad=False, device="cpu"):
    """Replace T placeholders by tensors; returns (args, kwargs, leaves)."""
    rng = np.random.default_rng(seed)
    leaves = []

    def conv(x):
        if isinstance(x, T):
            arr = make_array(x, dtype, rng)
            rg = grad and x.requires_grad and arr.dtype.kind == "f" or (
                grad and x.requires_grad and dtype_name_is_float(arr))
            dev = x.device or device
            if lib == "torch":
                t = to_torch(arr, x.noncontig, rg, device=TORCH_CUDA if dev == "cuda"
                             else "cpu")
            else:
                t = to_ember(arr, x.noncontig, rg, device=dev)
            if rg:
                leaves.append(t)
            return t
        if isinstance(x, (list, tuple)) and any(isinstance(e, T) for e in x):
            return type(x)(conv(e) for e in x)
        if isinstance(x, str) and x.startswith("dtype:"):
            return getattr(torch if lib == "torch" else ember, x[6:])
        return x
    args = tuple(conv(a) for a in sample.args)
    kwargs = {k: conv(v) for k, v in sample.kwargs.items()}
    return args, kwargs, leaves


def dtype_name_is_float(arr):
    return str(arr.dtype) in ("float16", "bfloat16", "float32", "float64", "complex64",
                              "complex128")


def _flatten(out):
    if isinstance(out, (tuple, list)):
        res = []
        for o in out:
            res.extend(_flatten(o))
        return res
    return [out]


def _assert_same(e_out, t_out, dtype, op, ctx, device="cpu"):
    e_flat, t_flat = _flatten(e_out), _flatten(t_out)
    assert len(e_flat) == len(t_flat), f"{ctx}: {len(e_flat)} outputs vs torch's {len(t_flat)}"
    for i, (e, t) in enumerate(zip(e_flat, t_flat)):
        if isinstance(t, torch.Tensor):
            assert isinstance(e, ember.Tensor), f"{ctx}: output {i} is {type(e)}"
            if device == "cuda" or t.device.type == "cuda":
                assert e.device.type == t.device.type or (
                    e.device.type == "cuda" and t.device.type == "cpu"
                    and TORCH_CUDA == "cpu" and device == "cuda"), \
                    f"{ctx}: output {i} on {e.device}, torch's on {t.device}"
            assert tuple(e.shape) == tuple(t.shape), f"{ctx}: shape {e.shape} vs {t.shape}"
            assert dtype_name(e.dtype) == dtype_name(t.dtype), \
                f"{ctx}: dtype {e.dtype} vs {t.dtype}"
            if op.nondeterministic_indices and e.dtype is ember.int64:
                continue
            atol, rtol = TOL.get(dtype_name(t.dtype), (0, 0))
            atol = op.atol.get(dtype, atol)
            rtol = op.rtol.get(dtype, rtol)
            np.testing.assert_allclose(ember_to_numpy(e), torch_to_numpy(t), atol=atol,
                                       rtol=rtol, equal_nan=True, err_msg=ctx)
        else:
            assert type(e) is type(t) or (isinstance(e, (int, float, bool))
                                          and isinstance(t, (int, float, bool))), \
                f"{ctx}: output {i} type {type(e)} vs {type(t)}"
            if isinstance(t, (int, float, bool)):
                np.testing.assert_allclose(e, t, rtol=1e-6, err_msg=ctx)
            else:
                assert e == t, ctx


def _call_both(op, sample, dtype, seed, grad=False, method=False, device="cpu"):
    t_args, t_kwargs, t_leaves = _materialize(sample, dtype, "torch", seed, grad, device)
    e_args, e_kwargs, e_leaves = _materialize(sample, dtype, "ember", seed, grad, device)
    if method:
        t_out = getattr(t_args[0], op.method)(*t_args[1:], **t_kwargs)
        e_out = getattr(e_args[0], op.method)(*e_args[1:], **e_kwargs)
    else:
        t_out = op.get_torch()(*t_args, **t_kwargs)
        e_out = op.get_ember()(*e_args, **e_kwargs)
    return e_out, t_out, e_leaves, t_leaves


@pytest.mark.parametrize("op,dtype,device", list(_cases("values")))
def test_values_match_torch(op, dtype, device):
    _skip_without(device)
    for k, sample in enumerate(op.samples(dtype)):
        ctx = f"{op.name}[{dtype}, {device}] sample {k}: {sample}"
        try:
            t_args, t_kwargs, _ = _materialize(sample, dtype, "torch", k, device=device)
            op.get_torch()(*t_args, **t_kwargs)
        except Exception as exc:  # torch rejects this sample: ember must reject it too
            e_args, e_kwargs, _ = _materialize(sample, dtype, "ember", k, device=device)
            assert_rejects_like_torch(exc, lambda: op.get_ember()(*e_args, **e_kwargs), ctx)
            continue
        e_out, t_out, _, _ = _call_both(op, sample, dtype, k, device=device)
        _assert_same(e_out, t_out, dtype, op, ctx, device)
        if op.method:
            e_out, t_out, _, _ = _call_both(op, sample, dtype, k, method=True, device=device)
            _assert_same(e_out, t_out, dtype, op, ctx + " (method)", device)


def _grad_outputs(outs, seed, lib, device="cpu"):
    rng = np.random.default_rng(1000 + seed)
    res = []
    for o in outs:
        arr = rng.standard_normal(tuple(o.shape))
        if o.dtype.is_complex:
            arr = np.asarray(arr + 1j * rng.standard_normal(tuple(o.shape)))
        if lib == "torch":
            res.append(torch.from_numpy(arr).to(o.dtype).to(o.device))
        else:
            res.append(ember.tensor(arr, dtype=o.dtype, device=o.device))
    return res


@pytest.mark.parametrize("op,dtype,device", list(_cases("grad")))
def test_grads_match_torch(op, dtype, device):
    _skip_without(device)
    checked = 0
    for k, sample in enumerate(op.samples(dtype)):
        ctx = f"{op.name}[{dtype}, {device}] sample {k}: {sample}"
        try:
            e_out, t_out, e_leaves, t_leaves = _call_both(op, sample, dtype, k, grad=True,
                                                          device=device)
        except Exception:
            continue  # rejected samples are covered by test_values_match_torch
        t_outs = [o for o in _flatten(t_out) if isinstance(o, torch.Tensor) and o.requires_grad]
        e_outs = [o for o in _flatten(e_out) if isinstance(o, ember.Tensor) and o.requires_grad]
        assert len(t_outs) == len(e_outs), f"{ctx}: differentiable outputs differ"
        if not t_outs or not t_leaves:
            continue
        t_grads = torch.autograd.grad(t_outs, t_leaves, _grad_outputs(t_outs, k, "torch"),
                                      allow_unused=True)
        e_grads = ember.autograd.grad(e_outs, e_leaves, _grad_outputs(e_outs, k, "ember"),
                                      allow_unused=True)
        for i, (eg, tg) in enumerate(zip(e_grads, t_grads)):
            if tg is None:
                assert eg is None or not np.any(ember_to_numpy(eg)), f"{ctx}: grad {i}"
                continue
            assert eg is not None, f"{ctx}: ember gave no gradient for input {i}"
            _assert_same(eg, tg, dtype, op, f"{ctx} grad {i}", device)
        checked += 1
    assert checked or not op.differentiable, f"{op.name}: no differentiable sample checked"


def _small_float64_samples(op):
    for k, sample in enumerate(op.samples("float64")):
        yield k, sample


@pytest.mark.parametrize("op", [o for o in OPS if o.differentiable and "float64" in o.dtypes],
                         ids=lambda o: o.name)
def test_gradcheck(op):
    for k, sample in _small_float64_samples(op):
        args, kwargs, leaves = _materialize(sample, "float64", "ember", k, grad=True)
        if not leaves:
            continue
        try:
            op.get_ember()(*args, **kwargs)
        except Exception:
            continue
        fn = _positional(op, args, kwargs)
        assert ember.autograd.gradcheck(fn, tuple(leaves), eps=op.gradcheck_eps,
                                        atol=op.gradcheck_atol)


@pytest.mark.parametrize("op", [o for o in OPS if o.differentiable and o.gradgrad
                                and "float64" in o.dtypes], ids=lambda o: o.name)
def test_gradgradcheck(op):
    for k, sample in _small_float64_samples(op):
        args, kwargs, leaves = _materialize(sample, "float64", "ember", k, grad=True)
        if not leaves:
            continue
        try:
            out = op.get_ember()(*args, **kwargs)
        except Exception:
            continue
        if not any(isinstance(o, ember.Tensor) and o.requires_grad for o in _flatten(out)):
            continue
        fn = _positional(op, args, kwargs)
        assert ember.autograd.gradgradcheck(fn, tuple(leaves), eps=op.gradcheck_eps,
                                            atol=op.gradcheck_atol)
        break  # one sample per op keeps the suite fast


def _positional(op, args, kwargs):
    """fn(*leaves) calling the op with leaves put back in their places."""
    leaf_slots = []

    def find(x, path):
        if isinstance(x, ember.Tensor) and x.requires_grad:
            leaf_slots.append(path)
        elif isinstance(x, (list, tuple)):
            for i, e in enumerate(x):
                find(e, path + (i,))
    find(list(args), ("a",))
    find(dict(kwargs), ("k",)) if False else None
    for key, v in kwargs.items():
        if isinstance(v, ember.Tensor) and v.requires_grad:
            leaf_slots.append(("k", key))

    def fn(*leaves):
        a = _deep_list(args)
        kw = dict(kwargs)
        for slot, leaf in zip(leaf_slots, leaves):
            if slot[0] == "k":
                kw[slot[1]] = leaf
            else:
                _set(a, slot[1:], leaf)
        out = op.get_ember()(*_deep_tuple(a, args), **kw)
        # complex outputs are checked through their (real, imag) view
        return tuple(ember.view_as_real(o.resolve_conj()) if o.dtype.is_complex else o
                     for o in _flatten(out) if isinstance(o, ember.Tensor)
                     and (o.dtype.is_floating_point or o.dtype.is_complex))
    return fn


def _deep_list(x):
    if isinstance(x, (list, tuple)):
        return [_deep_list(e) for e in x]
    return x


def _deep_tuple(lst, like):
    if isinstance(like, (list, tuple)):
        return type(like)(_deep_tuple(e, l) for e, l in zip(lst, like)) if isinstance(
            like, tuple) else [_deep_tuple(e, l) for e, l in zip(lst, like)]
    return lst


def _set(lst, path, value):
    for p in path[:-1]:
        lst = lst[p]
    lst[path[-1]] = value


@pytest.mark.parametrize("op", [o for o in OPS if o.meta], ids=lambda o: o.name)
def test_meta_device_shapes(op):
    dtype = "float32" if "float32" in op.dtypes else op.dtypes[0]
    for k, sample in enumerate(op.samples(dtype)):
        try:
            c_args, c_kwargs, _ = _materialize(sample, dtype, "ember", k)
            c_out = op.get_ember()(*c_args, **c_kwargs)
        except Exception:
            continue
        m_args, m_kwargs, _ = _materialize(sample, dtype, "ember", k, device="meta")
        m_out = op.get_ember()(*m_args, **m_kwargs)
        for c, m in zip(_flatten(c_out), _flatten(m_out)):
            if isinstance(c, ember.Tensor):
                assert m.device.type == "meta", f"{op.name} sample {k}: result on {m.device}"
                assert m.shape == c.shape and m.dtype == c.dtype, f"{op.name} sample {k}"


def _tensor_positions(args):
    return [i for i, a in enumerate(args) if isinstance(a, ember.Tensor)]


def _check_clean_error(op, exc, what):
    assert not type(exc).__module__.startswith("numpy"), \
        f"{op.name} ({what}): NumPy exception leaked: {type(exc).__name__}: {exc}"
    assert isinstance(exc, (RuntimeError, TypeError, ValueError, IndexError,
                            NotImplementedError)), \
        f"{op.name} ({what}): unexpected exception type {type(exc).__name__}: {exc}"


@pytest.mark.parametrize("op", OPS, ids=lambda o: o.name)
def test_bad_inputs(op):
    """Wrong devices, types and shapes raise torch's exception types, naming the op."""
    dtype = "float32" if "float32" in op.dtypes else op.dtypes[0]
    short = op.name.split(".")[-1]
    for k, sample in enumerate(op.samples(dtype)[:3]):
        args, kwargs, _ = _materialize(sample, dtype, "ember", k)
        pos = _tensor_positions(args)
        # 1. meta vs cpu for ops with several tensor arguments of rank >= 1
        big = [i for i in pos if args[i].ndim >= 1]
        if len(big) >= 2:
            bad = list(args)
            bad[big[1]] = bad[big[1]].to("meta")
            with pytest.raises(RuntimeError) as info:
                op.get_ember()(*bad, **kwargs)
            msg = str(info.value)
            assert "device" in msg and "meta" in msg and "cpu" in msg, msg
        # 2. a string where a tensor belongs
        if pos:
            bad = list(args)
            bad[pos[0]] = "not a tensor"
            try:
                op.get_ember()(*bad, **kwargs)
            except Exception as exc:  # noqa: BLE001 - checked below
                _check_clean_error(op, exc, "string argument")
                assert isinstance(exc, (TypeError, RuntimeError, ValueError)), exc
        # 3. incompatible shape for a second tensor argument
        if len(big) >= 2:
            bad = list(args)
            bad[big[1]] = ember.ones(*(s + 7 for s in args[big[1]].shape), dtype=args[big[1]].dtype)
            try:
                op.get_ember()(*bad, **kwargs)
            except Exception as exc:  # noqa: BLE001
                _check_clean_error(op, exc, "wrong shape")
                assert short in str(exc) or "size" in str(exc), \
                    f"{op.name}: message does not name the op or sizes: {exc}"
    if op.errors is not None:
        for err in op.errors():
            args, kwargs, _ = _materialize(err.sample, dtype, "ember", 0)
            with pytest.raises(err.exc) as info:
                op.get_ember()(*args, **kwargs)
            for word in err.contains:
                assert word in str(info.value), f"{op.name}: '{word}' not in '{info.value}'"


# Names in ember's public namespace that are not ops (classes, dtypes, modes ...).
NOT_OPS = {
    "Tensor", "Size", "device", "dtype", "autograd", "no_grad", "enable_grad",
    "set_grad_enabled", "inference_mode", "is_grad_enabled", "is_inference_mode_enabled",
    "get_default_dtype", "set_default_dtype", "promote_types", "result_type", "can_cast",
    "is_tensor", "is_floating_point", "is_complex", "numel", "typename", "strided",
    "sparse_coo", "contiguous_format", "preserve_format", "channels_last", "Generator",
    "manual_seed", "seed", "initial_seed", "get_rng_state", "set_rng_state", "default_generator",
    "set_printoptions", "from_numpy", "as_tensor", "asarray", "tensor", "testing", "random",
    "broadcast_shapes",
}


def test_every_public_op_has_a_registry_entry():
    covered = set()
    for op in OPS:
        covered.add(op.name.split(".")[-1])
        covered.update(op.aliases)
    import ember.ops
    public = set(ember.ops.__all__) - NOT_OPS
    missing = sorted(public - covered)
    assert not missing, f"ops without an OpInfo entry: {missing}"

"""Turn placeholders into real tensors for torch and ember, and compare results."""
import math

import ml_dtypes
import numpy as np

_NP = {
    "bool": np.bool_, "uint8": np.uint8, "int8": np.int8, "int16": np.int16,
    "int32": np.int32, "int64": np.int64, "float16": np.float16,
    "bfloat16": ml_dtypes.bfloat16, "float32": np.float32, "float64": np.float64,
    "complex64": np.complex64, "complex128": np.complex128,
}

TOL = {  # (atol, rtol) per dtype
    "float16": (1e-2, 1e-2), "bfloat16": (5e-2, 2e-2), "float32": (1e-5, 1.3e-6 * 10),
    "float64": (1e-7, 1e-7), "complex64": (1e-5, 1.3e-6 * 10), "complex128": (1e-7, 1e-7),
}


def make_array(spec, dtype, rng):
    """A NumPy array of values for placeholder ``spec`` in ``dtype`` (name)."""
    dtype = spec.dtype or dtype
    if spec.array is not None:
        return np.asarray(spec.array).astype(_NP[dtype])
    shape = spec.shape
    low, high = (0.5, spec.high if spec.high > 0.5 else 3.0) if spec.positive else (spec.low,
                                                                                     spec.high)
    if dtype == "bool":
        arr = rng.random(shape) > 0.5
    elif dtype in ("uint8",):
        arr = rng.integers(max(0, int(low)) if spec.positive else 0, 10, size=shape)
    elif dtype.startswith("int"):
        lo = math.ceil(low) if not spec.positive else 1
        hi = max(lo + 1, math.floor(high) + 1)
        arr = rng.integers(lo, hi, size=shape)
    elif dtype.startswith("complex"):
        arr = rng.uniform(low, high, size=shape) + 1j * rng.uniform(low, high, size=shape)
    else:
        arr = rng.uniform(low, high, size=shape)
    return np.asarray(arr).astype(_NP[dtype])


def to_torch(arr, noncontig, requires_grad, device="cpu"):
    import torch
    if arr.dtype == ml_dtypes.bfloat16:
        t = torch.from_numpy(arr.astype(np.float32).copy()).to(torch.bfloat16)
    else:
        t = torch.from_numpy(arr.copy())
    if device != "cpu":
        t = t.to(device)
    if noncontig and t.ndim >= 1:
        t = _noncontig_torch(t)
    if requires_grad:
        t.requires_grad_(True)
    return t


def _noncontig_torch(t):
    import torch
    # interleave with a copy and take every second element along the last dim
    big = torch.stack([t, t], dim=-1).flatten(-2)
    return big[..., ::2]


def to_ember(arr, noncontig, requires_grad, device="cpu"):
    import ember
    if noncontig and arr.ndim >= 1:
        doubled = np.stack([arr, arr], axis=-1).reshape(arr.shape[:-1] + (2 * arr.shape[-1],))
        t = ember.tensor(doubled, device=device)[..., ::2]
        assert not t.is_contiguous() or t.shape[-1] <= 1 or device == "meta"
    else:
        t = ember.tensor(arr, device=device)
    if requires_grad:
        t.requires_grad_(True)
    return t


def ember_to_numpy(t):
    from ember._device import to_host
    arr = to_host(t._data)
    if arr.dtype == ml_dtypes.bfloat16:
        arr = arr.astype(np.float32)
    return np.asarray(arr)


def torch_to_numpy(t):
    import torch
    t = t.detach().resolve_conj()
    if t.dtype == torch.bfloat16:
        t = t.float()
    return t.numpy()


def dtype_name(dt):
    return str(dt).split(".")[-1]


_TORCH_ERRORS = (RuntimeError, TypeError, ValueError, IndexError, NotImplementedError)


def assert_rejects_like_torch(torch_exc, call_ember, ctx):
    """torch raised ``torch_exc``: ember must raise too, a torch-like type, never NumPy's."""
    import pytest
    with pytest.raises(Exception) as info:
        call_ember()
    assert not type(info.value).__module__.startswith("numpy"), ctx
    # (torch's own subclasses, e.g. torch.linalg.LinAlgError, match ember's of the same base)
    assert isinstance(info.value, type(torch_exc)) or type(torch_exc) in _TORCH_ERRORS or any(
        isinstance(torch_exc, base) and isinstance(info.value, base) for base in _TORCH_ERRORS), \
        f"{ctx}: torch raised {type(torch_exc).__name__}, ember {type(info.value).__name__}"

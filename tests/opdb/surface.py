"""Registry entries for ember/ops/surface.py: isin, gradient, index_reduce, histogramdd,
stft/istft and the small top-level functions (range, frombuffer, detach, fill ...).

Random (binomial) and uninitialised results go through ``_zeroed``-style wrappers that
compare everything but values; their distributions are tested in test_surface_extra.py.
"""
import warnings

import numpy as np

from . import ALL, ALL_FLOATS, FLOATS, INTS, NUMERIC, ErrorInput, OpInfo, SampleInput, T

S = SampleInput
NO_BOOL = INTS + ALL_FLOATS


def _ints(values):
    return T(array=np.array(values, dtype=np.int64), dtype="int64", requires_grad=False)


def _isin(dtype):
    return [
        S(T((3, 4), low=-2, high=2), T((3,), low=-2, high=2)),
        S(T((5,), low=-2, high=2), T((2, 2), low=-2, high=2, noncontig=True)),
        S(T((), low=-2, high=2), T((4,), low=-2, high=2)),
        S(T((0, 2)), T((3,))),
        S(T((4,), low=-2, high=2), T((3,), low=-2, high=2), invert=True),
        S(T((4,), low=-2, high=2), 1),
        S(1, T((4,), low=-2, high=2)),
    ]


def _gradient(dtype):
    samples = [
        S(T((5,))), S(T((3, 4))), S(T((3, 4)), dim=1), S(T((3, 4)), dim=-1, edge_order=2),
        S(T((3, 4), noncontig=True), spacing=2.0), S(T((3, 4)), spacing=[0.5, 2.0]),
        S(T((4, 3)), spacing=(T(array=np.array([0.0, 1.0, 2.5, 4.0]), requires_grad=False),),
          dim=0, edge_order=2),
        S(T((4, 3)), spacing=(T(array=np.array([0.0, 1.0, 2.5, 4.0]), requires_grad=False),),
          dim=0),
        S(T((2, 3)), edge_order=2),            # dim 0 too short for edge_order 2: rejected
    ]
    return samples


def _index_reduce(dtype):
    idx = _ints([0, 2, 0, 2])
    out = []
    for reduce in ("prod", "mean", "amax", "amin"):
        out.append(S(T((3, 2), low=0.5, high=2), 0, idx, T((4, 2), low=0.5, high=2), reduce))
    out += [
        S(T((2, 3), low=0.5, high=2), 1, _ints([2, 1]), T((2, 2), low=0.5, high=2), "amax",
          include_self=False),
        S(T((2, 3), low=0.5, high=2, noncontig=True), -1, _ints([0, 0]),
          T((2, 2), low=0.5, high=2), "mean", include_self=False),
        S(T((3,), low=0.5, high=2), 0, _ints([1, 1, 1]), T((3,), low=0.5, high=2), "prod",
          include_self=False),
        S(T((3, 2)), 0, idx, T((4, 2)), "sum"),          # bad reduce: rejected
        S(T((3, 2)), 0, _ints([5]), T((1, 2)), "amax"),  # out of range: rejected
    ]
    return out


def _histogramdd(dtype):
    return [
        S(T((10, 2)), bins=3),
        S(T((8, 3)), bins=[2, 3, 2], range=[-3.0, 3.0, -2.0, 2.0, -1.0, 1.0]),
        S(T((6, 2)), bins=[2, 4], weight=T((6,), positive=True, requires_grad=False),
          density=True),
        S(T((4, 2)), bins=[T(array=np.array([-3.0, 0.0, 3.0]), requires_grad=False),
                           T(array=np.array([-3.0, -1.0, 1.0, 3.0]), requires_grad=False)]),
        S(T((2, 5, 2)), bins=2),
    ]


def _dt(dtype):
    return f"dtype:{dtype}"


def _range(dtype):
    return [S(1, 4, dtype=_dt(dtype)), S(0, 10, 3, dtype=_dt(dtype)),
            S(5, 1, -2, dtype=_dt(dtype)), S(2, 2, dtype=_dt(dtype)),
            S(0, 5, -1, dtype=_dt(dtype))]   # inconsistent step: rejected


def _quiet(name):
    """torch.range and ember.range warn on every call: silence it inside the registry."""
    def make(lib):
        def fn(*args, **kwargs):
            mod = __import__(lib)
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")
                return getattr(mod, name)(*args, **kwargs)
        return fn
    return dict(ember_fn=make("ember"), torch_fn=make("torch"))


def _frombuffer(dtype):
    raw = bytearray(np.arange(24, dtype=np.uint8).tobytes())
    return [S(raw, dtype=_dt(dtype)), S(raw, dtype=_dt(dtype), count=2, offset=8),
            S(bytearray(), dtype=_dt(dtype))]   # empty buffer: rejected


def _unary(dtype):
    return [S(T((3, 4))), S(T(())), S(T((0, 2))), S(T((2, 3), noncontig=True))]


def _fill(dtype):
    return [S(T((3, 4)), 2), S(T(()), 1), S(T((2, 3), noncontig=True), T(())),
            S(T((0, 2)), 0), S(T((2,)), T((2,)))]      # 1-d value: rejected


def _binomial(dtype):
    return [S(T((3, 4), low=0, high=10, requires_grad=False),
              T((3, 4), low=0, high=1, requires_grad=False)),
            S(T((2, 3), low=0, high=5, noncontig=True, requires_grad=False),
              T((2, 3), low=0, high=1, requires_grad=False)),
            S(T((0,), requires_grad=False), T((0,), requires_grad=False))]


def _zero_values(name):
    def make(lib):
        def fn(*args, **kwargs):
            mod = __import__(lib)
            return mod.zeros_like(getattr(mod, name)(*args, **kwargs))
        return fn
    return dict(ember_fn=make("ember"), torch_fn=make("torch"))


def _split_sizes(dtype):
    return [S(T((5, 2)), [2, 3]), S(T((2, 5), noncontig=True), [1, 4], 1),
            S(T((4,)), [1, 1, 2], -1), S(T((4,)), [1, 2])]   # sizes don't add up: rejected


def _hann(n):
    return T(array=np.hanning(n + 1)[:-1], requires_grad=False)


def _stft(dtype):
    return [
        S(T((32,)), 8, return_complex=True),
        S(T((2, 30)), 8, hop_length=3, window=_hann(8), return_complex=True),
        S(T((40,)), 16, hop_length=4, win_length=10, window=_hann(10), center=False,
          normalized=True, return_complex=True),
        S(T((32,)), 8, pad_mode="constant", onesided=False, return_complex=True),
        S(T((32,)), 8),                     # return_complex not given: rejected
    ]


def _stft_then_istft(lib):
    def fn(x, n_fft, **kwargs):
        mod = __import__(lib)
        window = kwargs.get("window")
        spec = mod.stft(x, n_fft, hop_length=kwargs.get("hop_length"), window=window,
                        return_complex=True, center=kwargs.get("center", True))
        return mod.istft(spec, n_fft, hop_length=kwargs.get("hop_length"), window=window,
                         center=kwargs.get("center", True), length=kwargs.get("length"))
    return fn


def _istft_samples(dtype):
    return [S(T((32,)), 8, window=_hann(8), hop_length=2),
            S(T((2, 30)), 8, window=_hann(8), hop_length=2, length=28),
            S(T((40,)), 16, window=_hann(16), hop_length=4, center=False)]


def _isin_errors():
    return [ErrorInput(S(1, 2), TypeError)]


def _gradient_errors():
    return [ErrorInput(S(T((4,)), edge_order=3), RuntimeError, ("gradient",)),
            ErrorInput(S(T((4,)), spacing=[1.0, 2.0]), RuntimeError, ("gradient",))]


OPS = [
    OpInfo("isin", _isin, dtypes=ALL, differentiable=False,
           errors=_isin_errors),
    OpInfo("gradient", _gradient, dtypes=ALL_FLOATS + ("int64", "uint8"), errors=_gradient_errors,
           atol={"float16": 1e-2, "bfloat16": 5e-2}, rtol={"float16": 1e-2, "bfloat16": 5e-2}),
    OpInfo("index_reduce", _index_reduce, dtypes=ALL, method="index_reduce",
           rtol={"float16": 2e-3, "bfloat16": 2e-2}, atol={"float16": 2e-3, "bfloat16": 2e-2}),
    OpInfo("histogramdd", _histogramdd, dtypes=FLOATS, differentiable=False, meta=False),
    OpInfo("range", _range, dtypes=NUMERIC, differentiable=False, meta=False, **_quiet("range")),
    OpInfo("frombuffer", _frombuffer, dtypes=ALL, differentiable=False, meta=False),
    OpInfo("detach", _unary, dtypes=ALL, differentiable=False),
    OpInfo("fill", _fill, dtypes=ALL),
    OpInfo("is_inference", _unary, dtypes=ALL, differentiable=False, method="is_inference"),
    OpInfo("binomial", _binomial, dtypes=FLOATS, differentiable=False,
           **_zero_values("binomial")),
    OpInfo("unsafe_split_with_sizes", _split_sizes, dtypes=ALL,
           method="unsafe_split_with_sizes"),
    OpInfo("stft", _stft, dtypes=FLOATS, method="stft", meta=False,
           atol={"float32": 1e-4}, rtol={"float32": 1e-4}),
    OpInfo("istft", _istft_samples, dtypes=FLOATS, meta=False,
           ember_fn=_stft_then_istft("ember"), torch_fn=_stft_then_istft("torch"),
           atol={"float32": 1e-4}, rtol={"float32": 1e-4}),
]

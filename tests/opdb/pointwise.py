"""Registry entries for pointwise ops."""
from . import ALL, ALL_FLOATS, NUMERIC, ErrorInput, OpInfo, SampleInput, T


def binary_samples(dtype):
    return [
        SampleInput(T((3, 4)), T((3, 4))),
        SampleInput(T((3, 4)), T((4,))),             # broadcasting
        SampleInput(T((2, 1, 4)), T((3, 1))),        # both sides broadcast
        SampleInput(T(()), T((3,))),                 # 0-dim with 1-d
        SampleInput(T((0, 3)), T((3,))),             # empty
        SampleInput(T((3, 4), noncontig=True), T((3, 4), noncontig=True)),
        SampleInput(T((3,)), 2),                     # python int scalar
        SampleInput(T((3,)), 2.5),                   # python float scalar
        SampleInput(T((3,)), T((), dtype="float64")),  # 0-dim of another dtype
        SampleInput(T((3,)), T((3,), dtype="int64")),  # mixed dtype tensors
    ]


def unary_samples(dtype, positive=False):
    return [
        SampleInput(T((3, 4), positive=positive)),
        SampleInput(T((), positive=positive)),
        SampleInput(T((0, 2), positive=positive)),
        SampleInput(T((2, 3), noncontig=True, positive=positive)),
    ]


def _nonzero_binary(dtype):
    return [SampleInput(T((3, 4)), T((3, 4), low=0.5, high=2.0)),
            SampleInput(T((3, 4)), T((4,), low=0.5, high=2.0)),
            SampleInput(T(()), T((3,), low=0.5, high=2.0)),
            SampleInput(T((3,)), 2),
            SampleInput(T((3,)), 2.5)]


OPS = [
    OpInfo("add", binary_samples, dtypes=ALL, method="add", aliases=("__add__",),
           errors=lambda: [ErrorInput(SampleInput(T((3,)), T((4,))), RuntimeError, ("add",))]),
    OpInfo("sub", binary_samples, dtypes=NUMERIC, method="sub", aliases=("subtract",)),
    OpInfo("mul", binary_samples, dtypes=ALL, method="mul", aliases=("multiply",)),
    OpInfo("div", _nonzero_binary, dtypes=NUMERIC, method="div",
           aliases=("divide", "true_divide")),
    OpInfo("neg", unary_samples, dtypes=NUMERIC, method="neg", aliases=("negative",)),
    OpInfo("exp", unary_samples, dtypes=ALL_FLOATS + ("int64",), method="exp"),
    OpInfo("log", lambda d: unary_samples(d, positive=True), dtypes=ALL_FLOATS, method="log"),
    OpInfo("sqrt", lambda d: unary_samples(d, positive=True), dtypes=ALL_FLOATS,
           method="sqrt"),
    OpInfo("eq", binary_samples, dtypes=ALL, differentiable=False, method="eq"),
]

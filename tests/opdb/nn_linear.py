"""Registry entries for nn.functional.linear and nn.functional.bilinear."""
from . import ALL_FLOATS, INTS, ErrorInput, OpInfo, SampleInput, T

S = SampleInput


def linear_samples(dtype):
    return [S(T((3, 4)), T((5, 4)), T((5,))),
            S(T((3, 4)), T((5, 4))),
            S(T((4,)), T((2, 4)), T((2,))),
            S(T((2, 3, 4), noncontig=True), T((5, 4), noncontig=True), T((5,))),
            S(T((2, 1, 3, 4)), T((2, 4)), bias=T((1, 2))),
            S(T((0, 4)), T((3, 4)), T((3,))),
            S(T((3, 4)), T((4,))),
            S(T((3, 0)), T((2, 0)), T((2,)))]


def linear_errors():
    return [ErrorInput(S(T((3, 4)), T((5, 3))), RuntimeError, ("linear",)),
            ErrorInput(S(T((3, 4)), T((5, 4)), T((4,))), RuntimeError, ("linear",)),
            ErrorInput(S(T(()), T((5, 4))), RuntimeError, ("linear",)),
            ErrorInput(S(T((3, 4)), T((2, 5, 4))), RuntimeError, ("linear",))]


def bilinear_samples(dtype):
    return [S(T((3, 2)), T((3, 4)), T((5, 2, 4)), T((5,))),
            S(T((2, 3, 2)), T((2, 3, 4), noncontig=True), T((5, 2, 4))),
            S(T((0, 2)), T((0, 4)), T((3, 2, 4)), T((3,)))]


def bilinear_errors():
    return [ErrorInput(S(T((3, 2)), T((3, 4)), T((5, 3, 4))), RuntimeError, ("bilinear",)),
            ErrorInput(S(T((3, 2)), T((2, 4)), T((5, 2, 4))), RuntimeError, ("bilinear",)),
            ErrorInput(S(T((3, 2)), T((3, 4)), T((5, 2, 4)), T((4,))), RuntimeError,
                       ("bilinear",))]


OPS = [
    OpInfo("nn.functional.linear", linear_samples, dtypes=ALL_FLOATS + INTS,
           errors=linear_errors, atol={"float16": 1e-2, "bfloat16": 5e-2},
           rtol={"float16": 1e-2, "bfloat16": 5e-2}),
    OpInfo("nn.functional.bilinear", bilinear_samples, dtypes=ALL_FLOATS,
           errors=bilinear_errors, atol={"float16": 2e-2, "bfloat16": 1e-1},
           rtol={"float16": 2e-2, "bfloat16": 5e-2}),
]

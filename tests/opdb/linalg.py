"""Registry entries for matrix products."""
from . import ALL_FLOATS, INTS, ErrorInput, OpInfo, SampleInput, T


def matmul_samples(dtype):
    return [
        SampleInput(T((3, 4)), T((4, 5))),
        SampleInput(T((4,)), T((4,))),            # dot
        SampleInput(T((3, 4)), T((4,))),          # mv
        SampleInput(T((4,)), T((4, 5))),          # vector @ matrix
        SampleInput(T((2, 3, 4)), T((4, 5))),     # batch @ matrix
        SampleInput(T((2, 1, 3, 4)), T((5, 4, 2))),  # broadcast batches
        SampleInput(T((4,)), T((2, 4, 3))),       # vector @ batch
        SampleInput(T((2, 3, 4)), T((4,))),       # batch @ vector
        SampleInput(T((0, 4)), T((4, 3))),        # empty
        SampleInput(T((3, 4), noncontig=True), T((4, 2), noncontig=True)),
    ]


_MATMUL_DTYPES = ALL_FLOATS + INTS

OPS = [
    OpInfo("matmul", matmul_samples, dtypes=_MATMUL_DTYPES, method="matmul",
           aliases=("__matmul__",),
           errors=lambda: [ErrorInput(SampleInput(T((3, 4)), T((5, 2))), RuntimeError,
                                      ("matmul", "3x4", "5x2"))]),
    OpInfo("mm", lambda d: [SampleInput(T((3, 4)), T((4, 5))),
                            SampleInput(T((3, 4), noncontig=True), T((4, 2)))],
           dtypes=_MATMUL_DTYPES, method="mm"),
    OpInfo("bmm", lambda d: [SampleInput(T((2, 3, 4)), T((2, 4, 5)))], dtypes=_MATMUL_DTYPES,
           method="bmm"),
    OpInfo("mv", lambda d: [SampleInput(T((3, 4)), T((4,)))], dtypes=_MATMUL_DTYPES, method="mv"),
    OpInfo("dot", lambda d: [SampleInput(T((4,)), T((4,)))], dtypes=_MATMUL_DTYPES,
           method="dot"),
]

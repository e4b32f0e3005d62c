"""Registry entries for reductions."""
from . import ALL, ALL_FLOATS, OpInfo, SampleInput, T


def reduce_samples(dtype):
    return [
        SampleInput(T((3, 4))),
        SampleInput(T((3, 4)), 1),
        SampleInput(T((3, 4)), -1, keepdim=True),
        SampleInput(T((2, 3, 4)), (0, 2)),
        SampleInput(T(())),
        SampleInput(T(()), 0),
        SampleInput(T((0, 3)), 0),
        SampleInput(T((3, 4), noncontig=True), 0),
    ]


OPS = [
    OpInfo("sum", reduce_samples, dtypes=ALL, method="sum"),
    OpInfo("mean", reduce_samples, dtypes=ALL_FLOATS, method="mean"),
]

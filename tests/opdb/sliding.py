"""Registry entries for Tensor.unfold and the split/chunk variants."""
from . import ALL, OpInfo, SampleInput as S, T
from .shape import _method, chunk_samples


def unfold_samples(dtype):
    return [S(T((7,)), 0, 3, 2), S(T((2, 5)), 1, 2, 1), S(T((2, 5)), -1, 5, 1),
            S(T((4, 3)), 0, 2, 3), S(T((6, 2), noncontig=True), 0, 3, 1), S(T(()), 0, 1, 1),
            S(T((3, 0)), 0, 2, 1), S(T((2, 4)), 1, 0, 1)]


def split_with_sizes_samples(dtype):
    return [S(T((5, 4)), [1, 4]), S(T((5, 4)), [2, 0, 2], -1),
            S(T((5, 4), noncontig=True), [3, 2])]


OPS = [
    OpInfo("Tensor.unfold", unfold_samples, dtypes=ALL, **_method("unfold")),
    OpInfo("split_with_sizes", split_with_sizes_samples, dtypes=ALL, method="split_with_sizes"),
    OpInfo("unsafe_split", lambda d: [S(T((5, 4)), 2), S(T((5, 4)), [1, 4])], dtypes=ALL,
           method="unsafe_split"),
    OpInfo("unsafe_chunk", chunk_samples, dtypes=ALL, method="unsafe_chunk"),
]

"""Registry entries for gather/scatter, index_*, masked_*, take/put and nonzero.

Index tensors are fixed (``_ints``) so both libraries see the same positions; writes
that overwrite (scatter, index_copy, put, index_put without accumulate) use distinct
positions, since torch leaves the winner of repeated writes unspecified.  A few samples
torch rejects (out-of-range or wrongly typed indices) sit among the others: ember must
reject them too.
"""
import numpy as np

from . import ALL, NUMERIC, ErrorInput, OpInfo, SampleInput, T

S = SampleInput
ALL_BUT_BOOL = NUMERIC


def _ints(values, dtype="int64"):
    return T(array=np.array(values), dtype=dtype, requires_grad=False)


def _mask(values):
    return T(array=np.array(values, dtype=bool), dtype="bool", requires_grad=False)


M34 = [[True, False, True, False], [False, False, True, True], [True, True, False, False]]


def gather_samples(dtype):
    return [
        S(T((3, 4)), 1, _ints([[0, 3, 1], [2, 2, 0], [1, 0, 3]])),
        S(T((3, 4)), 0, _ints([[2, 0, 1, 1], [0, 0, 2, 1]])),
        S(T((3, 4), noncontig=True), -1, _ints([[3], [0], [1]])),
        S(T((2, 3, 4)), 1, _ints(np.zeros((2, 2, 3), dtype=np.int64) + [[[0], [2]]])),
        S(T(()), 0, _ints(0)),
        S(T((4,)), 0, _ints([], "int64")),
        S(T((3, 4)), 1, _ints([[0, 1], [1, 0], [3, 3]], "int32")),
        S(T((3, 4)), 1, _ints([[0, 4]])),              # out of range: rejected
        S(T((3, 4)), 1, _ints([[0, -1]])),             # negative: rejected
    ]


def _col_unique(dim):
    # distinct positions per column / row, so overwriting writes are deterministic
    return _ints([[0, 1, 2, 0], [2, 0, 1, 1]]) if dim == 0 else _ints([[3, 0], [1, 2], [0, 3]])


def scatter_samples(dtype):
    return [
        S(T((3, 4)), 0, _col_unique(0), T((2, 4))),
        S(T((3, 4)), 1, _col_unique(1), T((3, 2))),
        S(T((3, 4), noncontig=True), -1, _col_unique(1), T((3, 2), noncontig=True)),
        S(T((3, 4)), 0, _col_unique(0), 2),
        S(T((3, 4)), 1, _col_unique(1), value=1),
        S(T(()), 0, _ints(0), T(())),
        S(T((3, 4)), 0, _ints(np.zeros((0, 4), dtype=np.int64)), T((0, 4))),
        S(T((3, 4)), 0, _ints([[3, 0, 0, 0]]), T((1, 4))),   # out of range: rejected
    ]


def scatter_reduce_arg_samples(dtype):
    dup = _ints([[0, 0, 2, 0], [0, 1, 2, 2]])
    return [
        S(T((3, 4)), 0, dup, T((2, 4)), reduce="add"),
        S(T((3, 4), low=0.5, high=1.5), 0, dup, T((2, 4), low=0.5, high=1.5), reduce="multiply"),
        S(T((3, 4)), 0, dup, 2, reduce="add"),
        S(T((3, 4)), 0, dup, T((2, 4)), reduce="max"),        # bad reduce: rejected
    ]


def scatter_add_samples(dtype):
    return [
        S(T((3, 4)), 0, _ints([[0, 0, 2, 0], [0, 1, 2, 2]]), T((2, 4))),
        S(T((3, 4)), 1, _ints([[3, 3], [1, 1], [0, 0]]), T((3, 2))),
        S(T((3, 4), noncontig=True), -1, _ints([[0, 0, 0]]), T((1, 3), noncontig=True)),
        S(T(()), 0, _ints([0, 0]), T((2,))),
        S(T((3, 4)), 0, _ints([[-1, 0, 0, 0]]), T((1, 4))),   # negative: rejected
    ]


def scatter_reduce_samples(dtype):
    dup = _ints([[0, 0, 2, 0], [0, 1, 2, 2], [2, 1, 2, 0]])
    out = []
    for reduce in ("sum", "prod", "mean", "amax", "amin"):
        if reduce == "mean" and dtype == "bool":
            continue
        for include_self in (True, False):
            if reduce == "prod":
                # keep products in range for the integer dtypes
                src, base = T((3, 4), low=-2, high=2), T((3, 4), low=-2, high=2)
            else:
                src, base = T((3, 4)), T((3, 4))
            out.append(S(base, 0, dup, src, reduce, include_self=include_self))
    out.append(S(T((2, 3), noncontig=True), -1, _ints([[1, 1], [0, 2]]), T((2, 2)), "amax"))
    out.append(S(T((3, 4)), 0, dup, T((3, 4)), "median"))    # bad reduce: rejected
    return out


def index_select_samples(dtype):
    return [
        S(T((3, 4)), 0, _ints([2, 0, 2])),
        S(T((3, 4), noncontig=True), -1, _ints([3, 1], "int32")),
        S(T((2, 3, 4)), 1, _ints([1])),
        S(T(()), 0, _ints(0)),
        S(T((3, 4)), 1, _ints([], "int64")),
        S(T((3, 4)), 0, _ints([3])),                  # out of range: rejected
        S(T((3, 4)), 0, _ints([[0]])),                # not a vector: rejected
    ]


def index_add_samples(dtype):
    return [
        S(T((3, 4)), 0, _ints([0, 2, 0]), T((3, 4))),
        S(T((3, 4)), 1, _ints([1, 1]), T((3, 2)), alpha=2),
        S(T((3, 4), noncontig=True), -1, _ints([3, 0], "int32"), T((3, 2), noncontig=True)),
        S(T(()), 0, _ints(0), T(())),
        S(T((3, 4)), 0, _ints([0, 2]), T((3, 4))),         # wrong source shape: rejected
    ]


def index_copy_samples(dtype):
    return [
        S(T((3, 4)), 0, _ints([2, 0]), T((2, 4))),
        S(T((3, 4), noncontig=True), -1, _ints([3, 1, 0]), T((3, 3), noncontig=True)),
        S(T(()), 0, _ints(0), T(())),
        S(T((3, 4)), 0, _ints([5]), T((1, 4))),            # out of range: rejected
    ]


def index_fill_samples(dtype):
    value = True if dtype == "bool" else 2
    return [
        S(T((3, 4)), 0, _ints([2, 0]), value),
        S(T((3, 4), noncontig=True), -1, _ints([3, -1]), value),
        S(T((3, 4)), 1, _ints([1]), T(())),
        S(T(()), 0, _ints(0), value),
        S(T((3, 4)), 0, _ints([1]), T((2,))),              # value not 0-dim: rejected
        S(T((3, 4)), 0, _ints([1], "int32"), value),       # int32 index: rejected
    ]


def index_put_samples(dtype):
    return [
        S(T((3, 4)), (_ints([0, 2]), _ints([1, 3])), T((2,))),
        S(T((3, 4)), (_ints([0, 2, 0]),), T((3, 4)), accumulate=True),
        S(T((3, 4)), (_ints([1, 1, 1]), _ints([0, 0, 3])), T(()), accumulate=True),
        S(T((3, 4)), (_mask(M34),), T((6,))),
        S(T((3, 4), noncontig=True), (_ints([2]),), T((4,))),
        S(T((3, 4)), (_ints([3]),), T(())),                 # out of range: rejected
    ]


def masked_fill_samples(dtype):
    value = False if dtype == "bool" else -1.5 if dtype in ("float16", "bfloat16", "float32",
                                                             "float64") else 3
    return [
        S(T((3, 4)), _mask(M34), value),
        S(T((3, 4), noncontig=True), _mask([True, False, False, True]), value),
        S(T((4,)), _mask(M34), value),                      # broadcasts input
        S(T((3, 4)), _mask(M34), T(())),
        S(T(()), _mask(True), value),
        S(T((3, 4)), _ints(np.ones((3, 4))), value),        # int mask: rejected
    ]


def masked_select_samples(dtype):
    return [
        S(T((3, 4)), _mask(M34)),
        S(T((3, 4), noncontig=True), _mask([True, False, False, True])),
        S(T((4,)), _mask(M34)),
        S(T(()), _mask(True)),
    ]


def masked_scatter_samples(dtype):
    return [
        S(T((3, 4)), _mask(M34), T((3, 3))),
        S(T((3, 4), noncontig=True), _mask([True, False, False, True]), T((6,))),
        S(T((4,)), _mask(M34), T((12,))),
        S(T((3, 4)), _mask(M34), T((5,))),                  # too few source values: rejected
    ]


def take_samples(dtype):
    return [
        S(T((3, 4)), _ints([[0, -1], [5, 11]])),
        S(T((3, 4), noncontig=True), _ints([3, 3, -12])),
        S(T(()), _ints([0, -1])),
        S(T((3, 4)), _ints(np.zeros((0,), dtype=np.int64))),
        S(T((3, 4)), _ints([12])),                          # out of range: rejected
    ]


def take_along_dim_samples(dtype):
    return [
        S(T((3, 4)), _ints([[0, 3], [1, 1], [2, 0]]), 1),
        S(T((3, 4)), _ints([[0, 3]]), 1),                   # broadcasts the indices
        S(T((3, 4), noncontig=True), _ints([[2], [0]]), -2),
        S(T((3, 4)), _ints([[0, 11, 5]])),                  # dim=None: flattened
        S(T((3, 4)), _ints([[0, 3]], "int32"), 1),          # int32 indices: rejected
    ]


def put_samples(dtype):
    return [
        S(T((3, 4)), _ints([0, -1, 5]), T((3,))),
        S(T((3, 4)), _ints([[0, 0], [5, 0]]), T((2, 2)), accumulate=True),
        S(T((3, 4), noncontig=True), _ints([1, 2]), T((2,))),
        S(T(()), _ints([0]), T((1,)), True),
        S(T((3, 4)), _ints([12]), T((1,))),                 # out of range: rejected
    ]


def _with_zeros(shape):
    rng = np.random.default_rng(0)
    return T(array=rng.integers(0, 2, size=shape) * rng.integers(1, 3, size=shape),
             requires_grad=False)


def nonzero_samples(dtype):
    return [S(_with_zeros((3, 4))), S(_with_zeros((2, 3, 2))), S(T((0, 3))),
            S(_with_zeros(())), S(_with_zeros((3, 4)), as_tuple=True),
            S(_with_zeros(()), as_tuple=True)]


def argwhere_samples(dtype):
    return [S(_with_zeros((3, 4))), S(_with_zeros(())), S(T((0, 3)))]


def _gather_errors():
    return [ErrorInput(S(T((3, 4)), 1, _ints([[0, 9]])), RuntimeError, ("out of bounds",)),
            ErrorInput(S(T((3, 4)), 1, _ints([[0.0, 1.0]], "float32")), RuntimeError,
                       ("gather",))]


OPS = [
    OpInfo("gather", gather_samples, dtypes=ALL, method="gather", errors=_gather_errors),
    OpInfo("scatter", scatter_samples, dtypes=ALL, method="scatter"),
    OpInfo("scatter", scatter_reduce_arg_samples, dtypes=ALL_BUT_BOOL, differentiable=False),
    OpInfo("scatter_add", scatter_add_samples, dtypes=ALL, method="scatter_add"),
    OpInfo("scatter_reduce", scatter_reduce_samples, dtypes=ALL, method="scatter_reduce",
           atol={"float16": 5e-2, "bfloat16": 1e-1}),
    OpInfo("index_select", index_select_samples, dtypes=ALL, method="index_select"),
    OpInfo("index_add", index_add_samples, dtypes=ALL, method="index_add"),
    OpInfo("index_copy", index_copy_samples, dtypes=ALL, method="index_copy"),
    OpInfo("index_fill", index_fill_samples, dtypes=ALL, method="index_fill"),
    OpInfo("index_put", index_put_samples, dtypes=ALL, method="index_put"),
    OpInfo("masked_fill", masked_fill_samples, dtypes=ALL, method="masked_fill"),
    OpInfo("masked_select", masked_select_samples, dtypes=ALL, method="masked_select",
           meta=False),
    OpInfo("masked_scatter", masked_scatter_samples, dtypes=ALL, method="masked_scatter"),
    OpInfo("take", take_samples, dtypes=ALL, method="take"),
    OpInfo("take_along_dim", take_along_dim_samples, dtypes=ALL, method="take_along_dim"),
    OpInfo("put", put_samples, dtypes=ALL, method="put"),
    OpInfo("nonzero", nonzero_samples, dtypes=ALL, method="nonzero", differentiable=False,
           meta=False),
    OpInfo("argwhere", argwhere_samples, dtypes=ALL, method="argwhere", differentiable=False,
           meta=False),
]

"""Registry entries for sorting and searching: sort, argsort, msort, topk, kthvalue,
unique, unique_consecutive, searchsorted, bucketize, histc, histogram, bincount."""
import numpy as np

from . import ALL, ALL_FLOATS, FLOATS, INTS, NUMERIC, ErrorInput, OpInfo, SampleInput, T

# Ties and NaN on purpose (no grad: ties are not differentiable points).
TIES = [[1, 3, 3, 0, 3], [2, 2, 1, 2, 2], [0, 0, 0, 0, 0]]
NANS = [[1.0, np.nan, 3.0, np.nan, 0.0], [2.0, 2.0, np.nan, -1.0, 2.0]]


def _is_float(dtype):
    return dtype in ALL_FLOATS


def _ties(dtype):
    samples = [SampleInput(T(array=TIES, requires_grad=False), 1)]
    if _is_float(dtype):
        samples.append(SampleInput(T(array=NANS, requires_grad=False), 1))
    return samples


def sort_samples(dtype):
    samples = [
        SampleInput(T((5,))),
        SampleInput(T((3, 4)), 0),
        SampleInput(T((3, 4)), -1, True),
        SampleInput(T((2, 3, 4)), dim=1, descending=True, stable=True),
        SampleInput(T(())),
        SampleInput(T((0, 3)), 0),
        SampleInput(T((3, 4), noncontig=True), 1),
        SampleInput(T(array=TIES, requires_grad=False), stable=True, dim=1, descending=True),
    ]
    samples += _ties(dtype)
    if _is_float(dtype):
        samples.append(SampleInput(T(array=NANS, requires_grad=False), 1, descending=True))
    return samples


def msort_samples(dtype):
    return [SampleInput(T((4, 3))), SampleInput(T((5,))), SampleInput(T(())),
            SampleInput(T((4, 3), noncontig=True)),
            SampleInput(T(array=np.array(TIES).T.copy(), requires_grad=False))]


def topk_samples(dtype):
    samples = [
        SampleInput(T((6,)), 3),
        SampleInput(T((3, 5)), 2, 0),
        SampleInput(T((3, 5)), 2, -1, False),
        SampleInput(T((2, 3, 4)), 4, largest=True, sorted=True),
        SampleInput(T((3, 5), noncontig=True), 0),
        SampleInput(T(()), 1),
        SampleInput(T((4,)), 5),            # k > size: RuntimeError in both
        SampleInput(T(array=[[1.0, 5.0, 3.0, 2.0]], requires_grad=False), 2, 1, False),
    ]
    if _is_float(dtype):
        samples.append(SampleInput(T(array=[[1.0, np.nan, 3.0, 0.0]], requires_grad=False), 2))
        samples.append(SampleInput(T(array=[[1.0, np.nan, 3.0, 0.0]], requires_grad=False), 2,
                                   largest=False))
    return samples


def kthvalue_samples(dtype):
    return [
        SampleInput(T((6,)), 3),
        SampleInput(T((3, 5)), 2, 0),
        SampleInput(T((3, 5)), 1, -1, True),
        SampleInput(T((2, 3, 4)), 4, keepdim=False),
        SampleInput(T((3, 5), noncontig=True), 5),
        SampleInput(T(()), 1),
        SampleInput(T((4,)), 5),            # out of range
        SampleInput(T(array=TIES, requires_grad=False), 3, 1),
    ]


def unique_samples(dtype):
    data = T(array=[[1, 3, 3], [0, 3, 1], [1, 3, 3], [2, 0, 2]], requires_grad=False)
    return [
        SampleInput(data),
        SampleInput(data, return_inverse=True),
        SampleInput(data, return_counts=True, return_inverse=True),
        SampleInput(data, True, True, True, dim=0),
        SampleInput(data, return_inverse=True, dim=1),
        SampleInput(data, dim=-1, return_counts=True),
        SampleInput(T((0,), requires_grad=False), return_counts=True),
        SampleInput(T((), requires_grad=False), return_inverse=True),
        SampleInput(T((3, 4), noncontig=True, requires_grad=False)),
    ]


def unique_consecutive_samples(dtype):
    data = T(array=[[1, 1, 3], [1, 1, 3], [0, 3, 3], [0, 3, 3], [1, 1, 3]], requires_grad=False)
    return [
        SampleInput(data),
        SampleInput(data, return_inverse=True, return_counts=True),
        SampleInput(data, True, True, dim=0),
        SampleInput(data, return_counts=True, dim=1),
        SampleInput(T((0,), requires_grad=False), return_counts=True),
        SampleInput(T((), requires_grad=False), return_inverse=True),
    ]


_SEQ = [-2.0, -1.0, 0.0, 0.0, 1.5, 2.0]


def searchsorted_samples(dtype):
    seq = T(array=_SEQ if dtype != "uint8" else [0, 1, 1, 2, 4, 7], requires_grad=False)
    vals = T((3, 4), requires_grad=False)
    nd_seq = T(array=[[-2.0, 0.0, 1.0], [0.0, 0.0, 3.0]] if dtype != "uint8" else
               [[0, 1, 5], [2, 2, 3]], requires_grad=False)
    return [
        SampleInput(seq, vals),
        SampleInput(seq, vals, right=True),
        SampleInput(seq, vals, side="right"),
        SampleInput(seq, vals, out_int32=True),
        SampleInput(seq, 1),
        SampleInput(nd_seq, T((2, 5), requires_grad=False)),
        SampleInput(nd_seq, T((2, 5), requires_grad=False), side="left"),
        SampleInput(T(array=[3, 1, 2, 0], requires_grad=False), T((5,), requires_grad=False),
                    sorter=T(array=[3, 1, 2, 0], dtype="int64", requires_grad=False)),
        SampleInput(seq, T((3, 4), noncontig=True, requires_grad=False)),
        SampleInput(seq, T((0,), requires_grad=False)),
    ]


def bucketize_samples(dtype):
    b = T(array=_SEQ if dtype != "uint8" else [0, 1, 1, 2, 4, 7], requires_grad=False)
    return [
        SampleInput(T((3, 4), requires_grad=False), b),
        SampleInput(T((3, 4), requires_grad=False), b, right=True),
        SampleInput(T((3, 4), noncontig=True, requires_grad=False), b, out_int32=True),
        SampleInput(T((), requires_grad=False), b),
        SampleInput(2, b),
    ]


def histc_samples(dtype):
    return [
        SampleInput(T((20,), requires_grad=False)),
        SampleInput(T((4, 5), requires_grad=False), bins=7),
        SampleInput(T((4, 5), requires_grad=False), 5, -1, 1),
        SampleInput(T((4, 5), noncontig=True, requires_grad=False), bins=4, min=-2, max=2),
        SampleInput(T((0,), requires_grad=False), bins=3),
        SampleInput(T(array=[1.0, 1.0], requires_grad=False), bins=4),
    ]


def histogram_samples(dtype):
    return [
        SampleInput(T((20,), requires_grad=False), 5),
        SampleInput(T((4, 5), requires_grad=False), 4, range=(-1.0, 1.0)),
        SampleInput(T((10,), requires_grad=False), T(array=[-3.0, -1.0, 0.0, 2.5],
                                                     requires_grad=False)),
        SampleInput(T((10,), requires_grad=False), 3, weight=T((10,), requires_grad=False)),
        SampleInput(T((10,), requires_grad=False), 3, density=True),
    ]


def bincount_samples(dtype):
    vals = T(array=[0, 3, 1, 1, 3, 5], requires_grad=False)
    return [
        SampleInput(vals),
        SampleInput(vals, minlength=9),
        SampleInput(vals, T(array=[0.5, 1.0, 2.0, -1.0, 3.0, 4.0], dtype="float32",
                            requires_grad=False)),
        SampleInput(vals, T(array=[1, 2, 3, 4, 5, 6], dtype="int64", requires_grad=False)),
        SampleInput(T((0,), requires_grad=False)),
        SampleInput(T(array=[[0, 1]], requires_grad=False)),    # 2-d: rejected
    ]


def _errors(*items):
    return lambda: [ErrorInput(SampleInput(*args, **kwargs), exc, words)
                    for args, kwargs, exc, words in items]


OPS = [
    OpInfo("sort", sort_samples, dtypes=ALL, method="sort",
           errors=_errors(((T((3, 4)), 2), {}, IndexError, ()))),
    OpInfo("argsort", sort_samples, dtypes=ALL, method="argsort", differentiable=False),
    OpInfo("msort", msort_samples, dtypes=ALL, method="msort"),
    OpInfo("topk", topk_samples, dtypes=NUMERIC, method="topk", nondeterministic_indices=True,
           errors=_errors(((T((3,)), 4), {}, RuntimeError, ("topk",)))),
    OpInfo("kthvalue", kthvalue_samples, dtypes=NUMERIC, method="kthvalue",
           nondeterministic_indices=True,
           errors=_errors(((T((3,)), 0), {}, RuntimeError, ("kthvalue",)))),
    OpInfo("unique", unique_samples, dtypes=ALL, method="unique", differentiable=False,
           meta=False),
    OpInfo("unique_consecutive", unique_consecutive_samples, dtypes=ALL,
           method="unique_consecutive", differentiable=False, meta=False),
    OpInfo("searchsorted", searchsorted_samples, dtypes=NUMERIC, differentiable=False,
           errors=_errors(((T((3,)), T((2,))), {"side": "middle"}, RuntimeError,
                           ("searchsorted",)))),
    OpInfo("bucketize", bucketize_samples, dtypes=NUMERIC, differentiable=False,
           errors=_errors(((T((3,)), T((2, 2))), {}, RuntimeError, ("bucketize",)))),
    OpInfo("histc", histc_samples, dtypes=ALL_FLOATS, method="histc", differentiable=False,
           errors=_errors(((T((3,)),), {"bins": 0}, RuntimeError, ("histc",)))),
    OpInfo("histogram", histogram_samples, dtypes=FLOATS, method="histogram",
           differentiable=False, meta=False),
    OpInfo("bincount", bincount_samples, dtypes=INTS, method="bincount", differentiable=False,
           meta=False),
]

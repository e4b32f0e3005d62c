"""Registry entries for reductions, scans and order statistics."""
import math

import numpy as np

from . import ALL, ALL_FLOATS, NUMERIC, ErrorInput, OpInfo, SampleInput, T

INF = math.inf
# Ties on purpose: equal values decide which index (first, last, k-th) torch picks.
# Ties, NaN and inf are not differentiable points for gradcheck, so those samples do
# not require grad here; tests/test_reduction_extra.py compares their gradients.
TIES = [[1, 3, 3, 0, 3], [2, 2, 1, 2, 2], [0, 0, 0, 0, 0]]
ZEROS = [[1.5, 0.0, 2.0, -0.5], [0.0, 2.0, 0.0, 3.0], [1.0, -2.0, 0.5, 2.0]]
SPARSE = [[0, 1, 2, 0], [0, 0, 0, 0], [1, 1, 1, 1]]


def _is_float(dtype):
    return dtype in ALL_FLOATS


def _nan_array(dtype):
    return T(array=np.array([[1.0, np.nan, 3.0, 2.0], [np.nan, np.nan, 1.0, 0.5],
                             [0.5, 2.0, -1.0, 4.0]]), requires_grad=False)


def reduce_samples(dtype):
    """dim None / int / tuple, keepdim, 0-dim, empty, non-contiguous."""
    return [
        SampleInput(T((3, 4))),
        SampleInput(T((3, 4)), 1),
        SampleInput(T((3, 4)), -1, keepdim=True),
        SampleInput(T((2, 3, 4)), (0, 2)),
        SampleInput(T((2, 3, 4)), [-1, 0], True),
        SampleInput(T(())),
        SampleInput(T(()), 0),
        SampleInput(T((0, 3)), 0),
        SampleInput(T((0, 3)), 1),
        SampleInput(T((3, 4), noncontig=True), 0),
    ]


def sum_samples(dtype):
    return reduce_samples(dtype) + [
        SampleInput(T((3, 4)), 1, dtype="dtype:float64"),
        SampleInput(T((3, 4)), dim=[], keepdim=True),
    ]


def nan_reduce_samples(dtype):
    samples = reduce_samples(dtype)
    if _is_float(dtype):
        samples += [SampleInput(_nan_array(dtype)), SampleInput(_nan_array(dtype), 1),
                    SampleInput(_nan_array(dtype), 0, keepdim=True)]
    return samples + [SampleInput(T((3, 4)), 1, dtype="dtype:float64")]


def prod_samples(dtype):
    return [
        SampleInput(T((3, 4), low=-2, high=2)),
        SampleInput(T((3, 4), low=-2, high=2), 1),
        SampleInput(T((3, 4), low=-2, high=2), -1, keepdim=True),
        SampleInput(T(())),
        SampleInput(T(()), 0),
        SampleInput(T((0, 3)), 0),
        SampleInput(T((0, 3))),
        SampleInput(T((3, 4), noncontig=True, low=-2, high=2), 0),
        SampleInput(T(array=ZEROS)),           # one zero per row, two zeros in a row
        SampleInput(T(array=ZEROS), 1),
        SampleInput(T(array=ZEROS), 0, True),
        SampleInput(T((3, 4), low=-2, high=2), 1, dtype="dtype:float64"),
    ]


def var_samples(dtype):
    return [
        SampleInput(T((3, 4))),
        SampleInput(T((3, 4)), 1),
        SampleInput(T((3, 4)), (0, 1), keepdim=True),
        SampleInput(T((3, 4)), 1, correction=0),
        SampleInput(T((2, 3, 4)), -1, correction=2),
        SampleInput(T((3, 4)), 1, False, True),         # legacy (dim, unbiased, keepdim)
        SampleInput(T((3, 4)), False),                  # legacy (unbiased)
        SampleInput(T((3, 4)), dim=0, unbiased=True),
        SampleInput(T((3, 4)), None, keepdim=True),
        SampleInput(T((0, 3)), 1),
        SampleInput(T(()), correction=0),
        SampleInput(T((3, 4), noncontig=True), 0),
        SampleInput(T((3, 4)), 1, correction=1.5),
    ]


def extreme_samples(dtype):
    """max/min: no dim, with dim (named tuple), ties (first index), empty, 0-dim."""
    return [
        SampleInput(T((3, 4))),
        SampleInput(T((3, 4)), 1),
        SampleInput(T((3, 4)), -1, True),
        SampleInput(T((3, 4)), dim=0, keepdim=True),
        SampleInput(T(())),
        SampleInput(T(()), 0),
        SampleInput(T((0, 3)), 1),
        SampleInput(T((0, 3)), 0),             # torch: IndexError
        SampleInput(T((0, 3))),                # torch: RuntimeError
        SampleInput(T((3, 4), noncontig=True), 1),
        SampleInput(T(array=TIES, requires_grad=False)),
        SampleInput(T(array=TIES, requires_grad=False), 1),
        SampleInput(T(array=TIES, requires_grad=False), 0),
    ] + ([SampleInput(_nan_array(dtype), 1), SampleInput(_nan_array(dtype))]
         if _is_float(dtype) else [])


def amax_samples(dtype):
    return [
        SampleInput(T((3, 4))),
        SampleInput(T((3, 4)), 1),
        SampleInput(T((3, 4)), (0, 1), True),
        SampleInput(T((2, 3, 4)), [-1, 0]),
        SampleInput(T(())),
        SampleInput(T(()), 0),
        SampleInput(T((0, 3)), 1),
        SampleInput(T((0, 3)), 0),
        SampleInput(T((0, 3))),
        SampleInput(T((3, 4), noncontig=True), 0),
        SampleInput(T(array=TIES, requires_grad=False), 1),
        SampleInput(T(array=TIES, requires_grad=False)),
    ]


def aminmax_samples(dtype):
    return [
        SampleInput(T((3, 4))),
        SampleInput(T((3, 4)), dim=1),
        SampleInput(T((3, 4)), dim=-1, keepdim=True),
        SampleInput(T((3, 4)), keepdim=True),
        SampleInput(T(())),
        SampleInput(T(()), dim=0),
        SampleInput(T((0, 3)), dim=1),
        SampleInput(T((0, 3)), dim=0),
        SampleInput(T((0, 3))),
        SampleInput(T(array=TIES, requires_grad=False), dim=1),
        SampleInput(T((3, 4), noncontig=True), dim=0),
    ]


def arg_samples(dtype):
    return [
        SampleInput(T((3, 4))),
        SampleInput(T((3, 4)), 1),
        SampleInput(T((3, 4)), -1, True),
        SampleInput(T((3, 4)), keepdim=True),
        SampleInput(T(())),
        SampleInput(T(()), 0),
        SampleInput(T((0, 3)), 1),
        SampleInput(T((0, 3)), 0),
        SampleInput(T((0, 3))),
        SampleInput(T(array=TIES, requires_grad=False), 1),
        SampleInput(T(array=TIES, requires_grad=False)),
        SampleInput(T((3, 4), noncontig=True), 0),
    ] + ([SampleInput(_nan_array(dtype), 1)] if _is_float(dtype) else [])


def logsumexp_samples(dtype):
    samples = [
        SampleInput(T((3, 4)), 1),
        SampleInput(T((3, 4)), (0, 1)),
        SampleInput(T((3, 4)), -1, True),
        SampleInput(T(()), 0),
        SampleInput(T((0, 3)), 0),
        SampleInput(T((0, 3)), ()),      # NOTE: torch fails on dim=() for non-empty inputs
        SampleInput(T((3, 4), noncontig=True), 0),
    ]
    if _is_float(dtype):
        samples.append(SampleInput(T((3, 4), low=50, high=80), 1))   # exp would overflow
        infs = T(array=[[-INF, -INF], [INF, 1.0], [-INF, 2.0]], requires_grad=False)
        samples.append(SampleInput(infs, 1))
    return samples


def norm_samples(dtype):
    return [
        SampleInput(T((3, 4))),
        SampleInput(T((3, 4)), 2, 1),
        SampleInput(T((3, 4)), 1, -1, True),
        SampleInput(T((3, 4)), INF),
        SampleInput(T((3, 4)), -INF, 1),
        SampleInput(T((3, 4)), 0, 1),
        SampleInput(T((3, 4)), 3, 1, keepdim=True),
        SampleInput(T((3, 4)), 0.5, 0),
        SampleInput(T((3, 4)), -2, 0),
        SampleInput(T((3, 4)), "fro", (0, 1), True),
        SampleInput(T((2, 3, 4)), 2, (0, 2)),
        SampleInput(T((2, 3, 4)), p="fro", dim=1),
        SampleInput(T(())),
        SampleInput(T((0, 3))),
        SampleInput(T((0, 3)), INF),
        SampleInput(T((0, 3)), 2, 0),
        SampleInput(T((3, 4), noncontig=True), 2, 1),
        SampleInput(T((3, 4)), dtype="dtype:float64"),
        SampleInput(T(array=ZEROS), 3, 1),        # zeros: no nan in the gradient
        SampleInput(T(array=[[0.0, 0.0], [1.0, 2.0]], requires_grad=False), 2, 1),
    ]


def scan_samples(dtype):
    return [
        SampleInput(T((3, 4), low=-2, high=2), 1),
        SampleInput(T((3, 4), low=-2, high=2), -2),
        SampleInput(T((2, 3, 4), low=-2, high=2), 0),
        SampleInput(T(()), 0),
        SampleInput(T((0, 3)), 1),
        SampleInput(T((0, 3)), 0),
        SampleInput(T((3, 4), noncontig=True, low=-2, high=2), 1),
    ]


def cumsum_samples(dtype):
    return scan_samples(dtype) + [SampleInput(T((3, 4)), 1, dtype="dtype:float64")]


def cumprod_samples(dtype):
    return scan_samples(dtype) + [
        SampleInput(T(array=ZEROS), 1),
        SampleInput(T(array=ZEROS), 0),
        SampleInput(T((3, 4)), 1, dtype="dtype:float64"),
    ]


def cum_extreme_samples(dtype):
    samples = scan_samples(dtype) + [SampleInput(T(array=TIES, requires_grad=False), 1),
                                     SampleInput(T(array=TIES, requires_grad=False), 0)]
    if _is_float(dtype):
        samples.append(SampleInput(T(array=[[1.0, np.nan, 3.0, np.nan, 0.0]],
                                              requires_grad=False), 1))
    return samples


def logcumsumexp_samples(dtype):
    samples = scan_samples(dtype) + [SampleInput(T((3, 4), low=40, high=80), 1)]
    samples.append(SampleInput(T(array=[[-INF, 1.0, INF, 2.0], [1.0, -INF, -2.0, 0.0]],
                                 requires_grad=False), 1))
    return samples


def logical_samples(dtype):
    return [
        SampleInput(T(array=SPARSE)),
        SampleInput(T(array=SPARSE), 1),
        SampleInput(T(array=SPARSE), 0, True),
        SampleInput(T(array=SPARSE), (0, 1)),
        SampleInput(T(array=SPARSE), ()),
        SampleInput(T(array=SPARSE), keepdim=True),
        SampleInput(T(())),
        SampleInput(T(()), 0),
        SampleInput(T((0, 3))),
        SampleInput(T((0, 3)), 1),
        SampleInput(T((3, 4), noncontig=True), 1),
    ]


def count_nonzero_samples(dtype):
    return [
        SampleInput(T(array=SPARSE)),
        SampleInput(T(array=SPARSE), 1),
        SampleInput(T(array=SPARSE), (0, 1)),
        SampleInput(T(array=SPARSE), dim=-2),
        SampleInput(T(())),
        SampleInput(T((0, 3)), 0),
        SampleInput(T((3, 4), noncontig=True), 1),
    ]


def median_samples(dtype):
    samples = [
        SampleInput(T((3, 5))),
        SampleInput(T((3, 4))),
        SampleInput(T((3, 5)), 1),
        SampleInput(T((3, 4)), 0, True),
        SampleInput(T((3, 4)), dim=-1),
        SampleInput(T(())),
        SampleInput(T(()), 0),
        SampleInput(T((0, 3)), 1),
        SampleInput(T((0, 3)), 0),
        SampleInput(T((3, 4), noncontig=True), 1),
        SampleInput(T(array=TIES, requires_grad=False), 1),
        SampleInput(T(array=TIES, requires_grad=False)),
        SampleInput(T((2, 17), low=0, high=3, requires_grad=False), 1),   # many ties
    ]
    if _is_float(dtype):
        samples += [SampleInput(T((0, 3))), SampleInput(_nan_array(dtype)),
                    SampleInput(_nan_array(dtype), 1)]
    return samples


def mode_samples(dtype):
    return [
        SampleInput(T((3, 5))),
        SampleInput(T((3, 5)), 0),
        SampleInput(T((3, 4)), 0, True),
        SampleInput(T((3, 4)), dim=-1, keepdim=True),
        SampleInput(T(())),
        SampleInput(T(()), 0),
        SampleInput(T((0, 3)), 1),
        SampleInput(T((0, 3)), 0),
        SampleInput(T((3, 4), noncontig=True), 1),
        SampleInput(T(array=TIES, requires_grad=False), 1),
        SampleInput(T(array=TIES, requires_grad=False), 0),
        SampleInput(T((3, 16), low=0, high=3, requires_grad=False), 1),  # ties; stable in torch
    ]


def _errors(*items):
    return lambda: [ErrorInput(SampleInput(*args, **kwargs), exc, words)
                    for args, kwargs, exc, words in items]


OPS = [
    OpInfo("sum", sum_samples, dtypes=ALL, method="sum",
           errors=_errors(((T((3, 4)), 2), {}, IndexError, ()),
                          ((T((3, 4)), (0, 0)), {}, RuntimeError, ()),
                          ((T((3, 4)), 1.5), {}, TypeError, ()))),
    OpInfo("nansum", nan_reduce_samples, dtypes=ALL, method="nansum"),
    OpInfo("mean", sum_samples, dtypes=ALL_FLOATS, method="mean",
           errors=_errors(((T((3,), dtype="int64"),), {}, RuntimeError, ("mean",)))),
    OpInfo("nanmean", nan_reduce_samples, dtypes=ALL_FLOATS, method="nanmean"),
    OpInfo("prod", prod_samples, dtypes=ALL, method="prod",
           errors=_errors(((T((3, 4)), (0, 1)), {}, TypeError, ()))),
    OpInfo("var", var_samples, dtypes=ALL_FLOATS, method="var",
           errors=_errors(((T((3,), dtype="int64"),), {}, RuntimeError, ("var",)),
                          ((T((3, 4)), 1), {"unbiased": True, "correction": 1}, TypeError,
                           ()))),
    OpInfo("std", var_samples, dtypes=ALL_FLOATS, method="std"),
    OpInfo("var_mean", var_samples, dtypes=ALL_FLOATS),
    OpInfo("std_mean", var_samples, dtypes=ALL_FLOATS),
    OpInfo("max", extreme_samples, dtypes=ALL, method="max",
           errors=_errors(((T((3, 4)), (0, 1)), {}, TypeError, ()),
                          ((T((0, 3)),), {}, RuntimeError, ("max",)))),
    OpInfo("min", extreme_samples, dtypes=ALL, method="min"),
    OpInfo("amax", amax_samples, dtypes=ALL, method="amax"),
    OpInfo("amin", amax_samples, dtypes=ALL, method="amin"),
    OpInfo("aminmax", aminmax_samples, dtypes=ALL, method="aminmax",
           errors=_errors(((T((3, 4)), 0), {}, TypeError, ()))),
    OpInfo("argmax", arg_samples, dtypes=ALL, method="argmax", differentiable=False,
           errors=_errors(((T((0, 3)),), {}, IndexError, ("argmax",)))),
    OpInfo("argmin", arg_samples, dtypes=ALL, method="argmin", differentiable=False),
    OpInfo("logsumexp", logsumexp_samples, dtypes=ALL, method="logsumexp",
           errors=_errors(((T((3, 4)), None), {}, TypeError, ()))),
    OpInfo("norm", norm_samples, dtypes=ALL_FLOATS, method="norm",
           errors=_errors(((T((3, 4)), "abc"), {}, RuntimeError, ()),
                          ((T((3,), dtype="int64"),), {}, RuntimeError, ()))),
    OpInfo("cumsum", cumsum_samples, dtypes=ALL, method="cumsum"),
    OpInfo("cumprod", cumprod_samples, dtypes=ALL, method="cumprod"),
    OpInfo("cummax", cum_extreme_samples, dtypes=ALL, method="cummax"),
    OpInfo("cummin", cum_extreme_samples, dtypes=ALL, method="cummin"),
    OpInfo("logcumsumexp", logcumsumexp_samples, dtypes=ALL_FLOATS, method="logcumsumexp",
           errors=_errors(((T((3,), dtype="int64"), 0), {}, NotImplementedError, ()))),
    OpInfo("all", logical_samples, dtypes=ALL, method="all", differentiable=False),
    OpInfo("any", logical_samples, dtypes=ALL, method="any", differentiable=False),
    OpInfo("count_nonzero", count_nonzero_samples, dtypes=ALL, method="count_nonzero",
           differentiable=False),
    OpInfo("median", median_samples, dtypes=NUMERIC, method="median",
           errors=_errors(((T((3,), dtype="bool"),), {}, NotImplementedError, ()))),
    OpInfo("nanmedian", median_samples, dtypes=NUMERIC, method="nanmedian"),
    OpInfo("mode", mode_samples, dtypes=ALL, method="mode"),
]

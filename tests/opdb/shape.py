"""Registry entries for shape and view ops.

Every sample runs in torch and ember; a sample that torch rejects must be rejected by
ember too, so a few bad calls sit among the samples.  Method-only ops (torch has no
``torch.view``) are registered as ``Tensor.<name>``.
"""
import numpy as np

from . import ALL, ErrorInput, OpInfo, SampleInput, T

S = SampleInput


def _method(name):
    """(ember_fn, torch_fn) calling ``Tensor.<name>``."""
    import ember
    import torch
    return dict(ember_fn=getattr(ember.Tensor, name), torch_fn=getattr(torch.Tensor, name))


def _ints(values):
    return T(array=np.array(values), dtype="int64", requires_grad=False)


def _err(*args, exc=RuntimeError, contains=(), **kwargs):
    return ErrorInput(S(*args, **kwargs), exc, contains)


def view_samples(dtype):
    return [S(T((3, 4)), 2, 6), S(T((3, 4)), (-1,)), S(T((2, 3, 4)), 6, -1),
            S(T(()), 1, 1), S(T((0, 3)), 3, 0), S(T((3, 4), noncontig=True), 3, 2, 2)]


def reshape_samples(dtype):
    return [S(T((3, 4)), (2, 6)), S(T((3, 4)), (-1,)), S(T((3, 4), noncontig=True), (12,)),
            S(T(()), (1, 1)), S(T((0, 3)), (3, 0)), S(T((2, 3, 4)), (4, -1))]


def transpose_samples(dtype):
    return [S(T((3, 4)), 0, 1), S(T((2, 3, 4)), -1, 0), S(T(()), 0, -1),
            S(T((3, 4), noncontig=True), 1, 0), S(T((0, 3)), 0, 1)]


def permute_samples(dtype):
    return [S(T((2, 3, 4)), (2, 0, 1)), S(T((2, 3, 4)), (-1, 0, 1)), S(T(()), ()),
            S(T((3, 4), noncontig=True), (1, 0)), S(T((0, 3)), (1, 0)), S(T((2, 3)), (0, 0))]


def expand_samples(dtype):
    return [S(T((3, 1)), 3, 4), S(T((3, 1)), 2, 3, -1), S(T(()), 2, 3), S(T((1, 0)), 4, 0),
            S(T((3, 1), noncontig=True), -1, 5), S(T((3, 2)), 3, 4)]


def squeeze_samples(dtype):
    return [S(T((1, 3, 1))), S(T((1, 3, 1)), 0), S(T((1, 3, 1)), -1), S(T((1, 3, 1)), 1),
            S(T((1, 3, 1)), (0, 2)), S(T(())), S(T(()), 0), S(T((1, 0, 1)), (0, -1)),
            S(T((3, 1, 2), noncontig=True), 1)]


def unsqueeze_samples(dtype):
    return [S(T((3, 4)), 0), S(T((3, 4)), -1), S(T((3, 4)), 1), S(T(()), 0),
            S(T((0, 3)), 2), S(T((3, 4), noncontig=True), -2)]


def flatten_samples(dtype):
    return [S(T((2, 3, 4))), S(T((2, 3, 4)), 1), S(T((2, 3, 4)), 0, 1), S(T((2, 3, 4)), 1, 1),
            S(T(())), S(T((2, 0, 3)), 1), S(T((2, 3, 4), noncontig=True), -2, -1),
            S(T((2, 3, 4)), 2, 1)]


def unflatten_samples(dtype):
    return [S(T((3, 4)), 1, (2, 2)), S(T((3, 4)), -1, (2, -1)), S(T((12,)), 0, [3, 2, 2]),
            S(T((3, 4), noncontig=True), 1, (2, 2)), S(T((3, 0)), 1, (2, 0)),
            S(T((3, 4)), 1, (3, 2))]


def narrow_samples(dtype):
    return [S(T((3, 4)), 1, 1, 2), S(T((3, 4)), -1, -2, 2), S(T((3, 4)), 0, 3, 0),
            S(T((3, 4), noncontig=True), 1, 0, 3), S(T((3, 4)), 1, 3, 2)]


def select_samples(dtype):
    return [S(T((3, 4)), 1, 2), S(T((3, 4)), 0, -1), S(T((2, 3, 4)), -1, 0),
            S(T((3,)), 0, 1), S(T((3, 4), noncontig=True), 1, 1), S(T((3, 4)), 1, 4)]


def dim_samples(dtype):
    return [S(T((3, 4))), S(T((3, 4)), 1), S(T((2, 3, 4)), -1), S(T((0, 3)), 1),
            S(T((3, 4), noncontig=True), 1)]


def split_samples(dtype):
    return [S(T((5, 4)), 2), S(T((5, 4)), 3, 1), S(T((5, 4)), [1, 4]), S(T((5, 4)), [2, 0, 2], -1),
            S(T((0, 3)), 2), S(T((5, 4), noncontig=True), 2, -1), S(T((5, 4)), [1, 1])]


def chunk_samples(dtype):
    return [S(T((5, 4)), 2), S(T((5, 4)), 3, 1), S(T((6,)), 4), S(T((0, 3)), 3),
            S(T((5, 4), noncontig=True), 2, -1), S(T((5, 4)), 0)]


def tensor_split_samples(dtype):
    return [S(T((7, 3)), 3), S(T((7, 3)), [1, 5, 3, 10]), S(T((3, 7)), (-2,), 1),
            S(T((3, 4), noncontig=True), 2, 1), S(T((7,)), 0), S(T(()), 2)]


def _cpu_ints(values):
    # NOTE: torch wants tensor_split's index tensor on the cpu, also for cuda inputs
    return T(array=np.array(values), dtype="int64", requires_grad=False, device="cpu")


def tensor_split_tensor_samples(dtype):
    return [S(T((7,)), _cpu_ints(3)), S(T((7, 2)), _cpu_ints([1, 3])),
            S(T((2, 7)), _cpu_ints([5, 2]), 1), S(T((7,)), _cpu_ints([[1]]))]


def hsplit_samples(dtype):
    return [S(T((3, 4)), 2), S(T((4,)), [1, 3]), S(T((3, 4, 2)), [1]), S(T((3, 4)), 3)]


def vsplit_samples(dtype):
    return [S(T((4, 3)), 2), S(T((4, 3)), [1, 3]), S(T((4,)), 2)]


def dsplit_samples(dtype):
    return [S(T((2, 3, 4)), 2), S(T((2, 3, 4)), [1]), S(T((3, 4)), 2)]


def diagonal_samples(dtype):
    return [S(T((3, 4))), S(T((3, 4)), 1), S(T((3, 4)), -1), S(T((2, 3, 4)), 0, -1, 0),
            S(T((3, 4)), 10), S(T((3, 4), noncontig=True), 1, 1, 0), S(T((3,))),
            S(T((3, 4)), 0, 1, 1)]


def diag_samples(dtype):
    return [S(T((3,))), S(T((3,)), 1), S(T((3,)), -2), S(T((3, 4))), S(T((3, 4)), 1),
            S(T((3, 4)), -2), S(T((3, 4)), 5), S(T((3, 4), noncontig=True)), S(T(())),
            S(T((2, 2, 2)))]


def diag_embed_samples(dtype):
    return [S(T((3,))), S(T((2, 3))), S(T((2, 3)), 1), S(T((2, 3)), -1, 0, 2),
            S(T((2, 3), noncontig=True), 0, -1, 0), S(T((0,))), S(T((2, 3)), 0, 1, 1)]


def scatter_samples(kind):
    def samples(dtype):
        if kind == "select":
            return [S(T((3, 4)), T((4,)), 0, 1), S(T((3, 4)), T((3,)), -1, -1),
                    S(T((2, 3, 4), noncontig=True), T((2, 4)), 1, 2),
                    S(T((3, 4)), T((3,)), 0, 0)]
        if kind == "slice":
            return [S(T((3, 4)), T((3, 2)), 1, 0, 4, 2), S(T((3, 4)), T((1, 4)), 0, 2),
                    S(T((3, 4)), T((3, 4))), S(T((3, 4), noncontig=True), T((3, 1)), -1, 1, 2),
                    S(T((3, 4)), T((3, 3)), 1, 0, 2)]
        return [S(T((3, 4)), T((3,))), S(T((3, 4)), T((3,)), 1),
                S(T((2, 3, 4)), T((2, 3)), 0, 1, 2),
                S(T((3, 4), noncontig=True), T((2,)), -1), S(T((3, 4)), T((2,)))]
    return samples


def _list_samples(dtype):
    return [S([T((2, 3)), T((1, 3))]), S([T((2, 3)), T((2, 1))], 1),
            S((T((2, 3)), T((2, 3), noncontig=True), T((2, 3))), -1),
            S([T((0,)), T((2, 3))]), S([T((2, 3)), T((0, 3))]), S([T((3,))]),
            S([T((2, 3)), T((2, 3), dtype="float64")], 0), S([T((2, 3)), T((2, 3), dtype="int32")]),
            S([T((0,)), T((0,))], 1), S([T((2, 3)), T((2, 4))]), S([T(()), T(())]),
            S([T((2, 3)), T((3,))])]


def stack_samples(dtype):
    return [S([T((2, 3)), T((2, 3))]), S([T((2, 3)), T((2, 3))], 2), S([T(()), T(())]),
            S((T((2, 3)), T((2, 3), noncontig=True)), -1), S([T((0, 3)), T((0, 3))], 1),
            S([T((2, 3)), T((2, 3), dtype="int64")]), S([T((2,)), T((3,))]),
            S([T((2, 3))], 3)]


def hv_stack_samples(dtype):
    return [S([T((2, 3)), T((2, 3))]), S([T((3,)), T((2,))]), S([T(()), T(())]),
            S((T((2, 3, 2)), T((2, 3, 2), noncontig=True))), S([T((2,)), T((2, 3))]),
            S([T((2, 3)), T((2, 1), dtype="float64")])]


def vstack_samples(dtype):
    return [S([T((2, 3)), T((1, 3))]), S([T((3,)), T((3,))]), S([T(()), T(())]),
            S((T((2, 3, 2)), T((1, 3, 2), noncontig=True))), S([T((3,)), T((2, 3))])]


def dstack_samples(dtype):
    return [S([T((2, 3)), T((2, 3))]), S([T((3,)), T((3,))]), S([T(()), T(())]),
            S((T((2, 3, 2)), T((2, 3, 1), noncontig=True)))]


def column_stack_samples(dtype):
    return [S([T((3,)), T((3,))]), S([T((3, 2)), T((3,))]), S([T(()), T(())]),
            S((T((3, 2), noncontig=True), T((3, 1))))]


def atleast_samples(dtype):
    return [S(T(())), S(T((3,))), S(T((2, 3))), S(T((2, 3, 4))), S(T((0,))),
            S(T((3,)), T((2, 3))), S([T(()), T((3,))]), S((T((2, 3), noncontig=True),))]


def repeat_samples(dtype):
    return [S(T((2, 3)), 2, 1), S(T((2, 3)), 2, 1, 3), S(T((2, 3)), (1, 0)), S(T(()), 3),
            S(T(()), ()), S(T((2, 3), noncontig=True), 1, 2), S(T((0, 2)), 2, 2),
            S(T((2, 3)), 2), S(T((2, 3)), 2, -1)]


def tile_samples(dtype):
    return [S(T((2, 3)), (2,)), S(T((2, 3)), (2, 1, 3)), S(T(()), (2, 2)), S(T((2, 3)), ()),
            S(T((2, 3), noncontig=True), (1, 2)), S(T((2, 3)), -1)]


def repeat_interleave_samples(dtype):
    return [S(T((2, 3)), 2), S(T((2, 3)), 2, 1), S(T((2, 3)), 3, dim=-2), S(T(()), 2),
            S(T((2, 3), noncontig=True), 2, 0, output_size=4), S(T((2, 3)), 2, 0, output_size=5),
            S(T((0, 3)), 2, 0), S(T((2, 3)), -1)]


def repeat_interleave_tensor_samples(dtype):
    return [S(T((2, 3)), _ints([1, 0, 2]), dim=1), S(T((2, 3)), _ints([2]), dim=0),
            S(T((2, 3)), _ints(2), 1), S(T((2, 3)), _ints([1, 2]), dim=1),
            S(T((4,)), _ints([3, 0, 1, 2])), S(T((2, 3)), _ints([2, 1]), dim=0, output_size=3),
            S(T((2, 3)), _ints([2, 1]), dim=0, output_size=4), S(T((2, 3)), _ints([-1, 1]), 0)]


def flip_samples(dtype):
    return [S(T((3, 4)), (0,)), S(T((3, 4)), [0, 1]), S(T((2, 3, 4)), (-1, 0)), S(T(()), (0,)),
            S(T((3, 4)), ()), S(T((3, 4), noncontig=True), (1,)), S(T((0, 3)), (0,)),
            S(T((3, 4)), (0, 0))]


def flip_dir_samples(min_dim):
    def samples(dtype):
        return [S(T((3, 4))), S(T((2, 3, 4))), S(T((3, 4), noncontig=True)), S(T((0, 2))),
                S(T((3,) * (min_dim - 1)))]
    return samples


def roll_samples(dtype):
    return [S(T((3, 4)), 1), S(T((3, 4)), -5, 1), S(T((3, 4)), (1, 2), (0, 1)),
            S(T((2, 3, 4)), (1, -1), (-1, 0)), S(T(()), 1), S(T((0, 3)), 1, 0),
            S(T((3, 4), noncontig=True), 2, -1), S(T((3, 4)), (1, 2), (0,)), S(T((3, 4)), (1, 2))]


def rot90_samples(dtype):
    return [S(T((3, 4))), S(T((3, 4)), 2), S(T((3, 4)), 3), S(T((3, 4)), -1, (1, 0)),
            S(T((2, 3, 4)), 1, (0, 2)), S(T((3, 4)), 4), S(T((3, 4), noncontig=True), 5),
            S(T((3,))), S(T((3, 4)), 1, (0, 0)), S(T((3, 4)), 1, (0, 1, 1))]


def tri_samples(dtype):
    return [S(T((3, 4))), S(T((3, 4)), 1), S(T((3, 4)), -1), S(T((2, 3, 3)), 0),
            S(T((3, 4)), 10), S(T((3, 4), noncontig=True), -10), S(T((0, 3))), S(T((3,)))]


def movedim_samples(dtype):
    return [S(T((2, 3, 4)), 0, -1), S(T((2, 3, 4)), (0, 1), (2, 0)), S(T((2, 3, 4)), -1, 0),
            S(T(()), 0, 0), S(T((2, 3, 4), noncontig=True), [2], [1]),
            S(T((2, 3, 4)), (0, 1), (0, 0)), S(T((2, 3, 4)), (0, 1), (0,))]


def broadcast_tensors_samples(dtype):
    return [S(T((3, 1)), T((4,))), S(T((2, 3)), T((2, 3))), S(T(()), T((2, 3))),
            S(T((3, 1), noncontig=True), T((1, 0))), S(T((2,)), T((3,))), S(T((3,)))]


def broadcast_to_samples(dtype):
    return [S(T((3, 1)), (3, 4)), S(T(()), (2,)), S(T((3, 1)), (2, -1, 4)), S(T((3,)), (4,))]


def clone_samples(dtype):
    return [S(T((3, 4))), S(T(())), S(T((0, 3))), S(T((3, 4), noncontig=True))]


def as_strided_samples(dtype):
    return [S(T((3, 4)), (2, 2), (1, 2)), S(T((3, 4)), (2, 3), (4, 1), 1),
            S(T((3, 4)), (4,), (3,)), S(T((3, 4)), (3, 3), (1, 1)), S(T((3, 4)), (), ()),
            S(T((3, 4)), (2, 2), (4, 1), 20)]


def t_samples(dtype):
    return [S(T((3, 4))), S(T((3,))), S(T(())), S(T((3, 4), noncontig=True)), S(T((2, 3, 4)))]


def getitem_samples(dtype):
    return [S(T((3, 4)), 1), S(T((3, 4)), -1), S(T((3, 4)), (slice(1, None), 2)),
            S(T((3, 4)), (Ellipsis, slice(None, None, 2))), S(T((3, 4)), (None, 1, None)),
            S(T((2, 3, 4)), (1, Ellipsis, None, slice(1, 3))), S(T((3, 4)), (1, 2)),
            S(T((3, 4), noncontig=True), (slice(None), slice(1, 4, 2))), S(T(()), Ellipsis),
            S(T(()), None), S(T((3, 4)), slice(5, 10)), S(T((3, 4)), (slice(-10, 2),)),
            S(T((3, 4)), (1, 1, 1)), S(T((3, 4)), 3)]


OPS = [
    OpInfo("Tensor.view", view_samples, dtypes=ALL, **_method("view"),
           errors=lambda: [_err(T((3, 4)), 5, -1, contains=("view",)),
                           _err(T((3, 4)), -1, -1, contains=("view",))]),
    OpInfo("Tensor.view_as", lambda d: [S(T(()), T((1, 1))), S(T((1,)), T(())),
                                        S(T(()), T(())), S(T((3, 4)), T((2, 6)))],
           dtypes=ALL, **_method("view_as")),
    OpInfo("reshape", reshape_samples, dtypes=ALL, method="reshape",
           errors=lambda: [_err(T((3, 4)), (5, -1), contains=("reshape",)),
                           _err(T((3, 4)), (-1, -1), contains=("reshape",))]),
    OpInfo("Tensor.reshape_as", lambda d: [S(T(()), T((1, 1))), S(T((1,)), T(())),
                                           S(T(()), T(())), S(T((3, 4)), T((2, 6))),
                                           S(T((3, 4), noncontig=True), T((12,)))],
           dtypes=ALL, **_method("reshape_as")),
    OpInfo("flatten", flatten_samples, dtypes=ALL, method="flatten"),
    OpInfo("ravel", lambda d: [S(T((3, 4))), S(T(())), S(T((3, 4), noncontig=True))],
           dtypes=ALL, method="ravel"),
    OpInfo("unflatten", unflatten_samples, dtypes=ALL, method="unflatten"),
    OpInfo("transpose", transpose_samples, dtypes=ALL, method="transpose",
           aliases=("swapaxes", "swapdims")),
    OpInfo("t", t_samples, dtypes=ALL, method="t"),
    OpInfo("permute", permute_samples, dtypes=ALL, method="permute",
           errors=lambda: [_err(T((2, 3)), (0, 0), contains=("permute",))]),
    OpInfo("movedim", movedim_samples, dtypes=ALL, method="movedim", aliases=("moveaxis",)),
    OpInfo("Tensor.expand", expand_samples, dtypes=ALL, **_method("expand"),
           errors=lambda: [_err(T((3, 2)), 3, 4, contains=("expand",))]),
    OpInfo("Tensor.expand_as", lambda d: [S(T(()), T((2,))), S(T(()), T((2, 3))),
                                          S(T(()), T(())), S(T((3, 1)), T((3, 4)))],
           dtypes=ALL, **_method("expand_as")),
    OpInfo("broadcast_to", broadcast_to_samples, dtypes=ALL, method="broadcast_to"),
    OpInfo("broadcast_tensors", broadcast_tensors_samples, dtypes=ALL,
           errors=lambda: [_err(T((2,)), T((3,)), contains=("broadcast_tensors",))]),
    OpInfo("squeeze", squeeze_samples, dtypes=ALL, method="squeeze"),
    OpInfo("unsqueeze", unsqueeze_samples, dtypes=ALL, method="unsqueeze",
           errors=lambda: [_err(T((3, 4)), 3, exc=IndexError, contains=("unsqueeze",))]),
    OpInfo("narrow", narrow_samples, dtypes=ALL, method="narrow",
           errors=lambda: [_err(T((3, 4)), 1, 3, 2, contains=("narrow",)),
                           _err(T(()), 0, 0, 1, contains=("narrow",))]),
    OpInfo("select", select_samples, dtypes=ALL, method="select",
           errors=lambda: [_err(T((3, 4)), 1, 4, exc=IndexError, contains=("select",))]),
    OpInfo("unbind", dim_samples, dtypes=ALL, method="unbind"),
    OpInfo("split", split_samples, dtypes=ALL, method="split",
           errors=lambda: [_err(T((5, 4)), [1, 1], contains=("split",))]),
    OpInfo("chunk", chunk_samples, dtypes=ALL, method="chunk"),
    OpInfo("tensor_split", tensor_split_samples, dtypes=ALL, method="tensor_split"),
    # torch wants index tensors on the cpu: no meta run for these
    OpInfo("Tensor.tensor_split", tensor_split_tensor_samples, dtypes=ALL, meta=False,
           **_method("tensor_split")),
    OpInfo("hsplit", hsplit_samples, dtypes=ALL, method="hsplit"),
    OpInfo("vsplit", vsplit_samples, dtypes=ALL, method="vsplit"),
    OpInfo("dsplit", dsplit_samples, dtypes=ALL, method="dsplit"),
    OpInfo("diagonal", diagonal_samples, dtypes=ALL, method="diagonal",
           errors=lambda: [_err(T((3, 4)), 0, 1, 1, contains=("diagonal",))]),
    OpInfo("diag", diag_samples, dtypes=ALL, method="diag",
           errors=lambda: [_err(T((2, 2, 2)), contains=("diag",))]),
    OpInfo("diag_embed", diag_embed_samples, dtypes=ALL, method="diag_embed"),
    OpInfo("select_scatter", scatter_samples("select"), dtypes=ALL, method="select_scatter",
           errors=lambda: [_err(T((3, 4)), T((3,)), 0, 0, contains=("select_scatter",))]),
    OpInfo("slice_scatter", scatter_samples("slice"), dtypes=ALL, method="slice_scatter"),
    OpInfo("diagonal_scatter", scatter_samples("diagonal"), dtypes=ALL,
           method="diagonal_scatter"),
    OpInfo("cat", _list_samples, dtypes=ALL, aliases=("concat", "concatenate"),
           errors=lambda: [_err([T((2, 3)), T((2, 4))], contains=("cat",)),
                           _err([T(()), T(())], contains=("cat",)),
                           _err([], exc=ValueError, contains=("cat",))]),
    OpInfo("stack", stack_samples, dtypes=ALL,
           errors=lambda: [_err([T((2,)), T((3,))], contains=("stack",))]),
    OpInfo("hstack", hv_stack_samples, dtypes=ALL),
    OpInfo("vstack", vstack_samples, dtypes=ALL, aliases=("row_stack",)),
    OpInfo("dstack", dstack_samples, dtypes=ALL),
    OpInfo("column_stack", column_stack_samples, dtypes=ALL),
    OpInfo("atleast_1d", atleast_samples, dtypes=ALL),
    OpInfo("atleast_2d", atleast_samples, dtypes=ALL),
    OpInfo("atleast_3d", atleast_samples, dtypes=ALL),
    OpInfo("Tensor.repeat", repeat_samples, dtypes=ALL, **_method("repeat"),
           errors=lambda: [_err(T((2, 3)), 2, contains=("repeat",))]),
    OpInfo("tile", tile_samples, dtypes=ALL, method="tile"),
    OpInfo("repeat_interleave", repeat_interleave_samples, dtypes=ALL,
           method="repeat_interleave"),
    OpInfo("Tensor.repeat_interleave", repeat_interleave_tensor_samples, dtypes=ALL, meta=False,
           **_method("repeat_interleave")),
    OpInfo("flip", flip_samples, dtypes=ALL, method="flip",
           errors=lambda: [_err(T((3, 4)), (0, 0), contains=("flip",))]),
    OpInfo("fliplr", flip_dir_samples(2), dtypes=ALL, method="fliplr"),
    OpInfo("flipud", flip_dir_samples(1), dtypes=ALL, method="flipud"),
    OpInfo("roll", roll_samples, dtypes=ALL, method="roll"),
    OpInfo("rot90", rot90_samples, dtypes=ALL, method="rot90"),
    OpInfo("tril", tri_samples, dtypes=ALL, method="tril",
           errors=lambda: [_err(T((3,)), contains=("tril",))]),
    OpInfo("triu", tri_samples, dtypes=ALL, method="triu"),
    OpInfo("clone", clone_samples, dtypes=ALL, method="clone"),
    OpInfo("Tensor.contiguous", clone_samples, dtypes=ALL, **_method("contiguous")),
    OpInfo("as_strided", as_strided_samples, dtypes=ALL, method="as_strided"),
    OpInfo("Tensor.__getitem__", getitem_samples, dtypes=ALL, **_method("__getitem__"),
           errors=lambda: [_err(T((3, 4)), (slice(None, None, -1),), exc=ValueError),
                           _err(T((3, 4)), 3, exc=IndexError)]),
]

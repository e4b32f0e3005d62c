"""Registry entries for convolution, pooling, padding and the vision functions.

Shapes stay tiny: every sample also runs gradcheck (and the first gradgradcheck) in
float64.  Max-pooling samples use distinct values (``_distinct``) so that no window has
a tie, where the gradient is not differentiable.
"""
import numpy as np

from . import ALL, ALL_FLOATS, FLOATS, INTS, ErrorInput, OpInfo, SampleInput, T

S = SampleInput


def _distinct(shape, seed=0, noncontig=False):
    """Values without ties (a permutation scaled into [-3, 3])."""
    n = int(np.prod(shape))
    vals = np.random.default_rng(seed).permutation(n).reshape(shape) * (6.0 / max(n, 1)) - 3.0
    return T(array=vals, noncontig=noncontig)


def _f(name):
    return "nn.functional." + name


# -- convolutions --------------------------------------------------------------------

def conv1d_samples(dtype):
    return [S(T((2, 4, 7)), T((3, 4, 3)), T((3,))),
            S(T((2, 4, 7)), T((4, 2, 2)), None, stride=2, padding=1, dilation=2, groups=2),
            S(T((4, 7), noncontig=True), T((3, 4, 3)), padding="same"),
            S(T((1, 2, 5)), T((2, 2, 4)), T((2,)), padding="same", dilation=1),
            S(T((0, 2, 5)), T((3, 2, 3))),
            S(T((1, 2, 5)), T((3, 2, 3)), padding="valid", stride=(2,))]


def conv2d_samples(dtype):
    return [S(T((2, 3, 5, 4)), T((4, 3, 3, 2)), T((4,))),
            S(T((1, 4, 5, 5), noncontig=True), T((6, 2, 2, 3)), T((6,)), stride=(2, 1),
              padding=(1, 2), dilation=(2, 1), groups=2),
            S(T((3, 4, 5)), T((2, 3, 3, 3))),
            S(T((1, 2, 4, 4)), T((2, 2, 3, 2)), None, 1, "same", (1, 2)),
            S(T((0, 2, 4, 4)), T((3, 2, 3, 3)), T((3,)), padding=1),
            S(T((1, 2, 4, 4)), T((2, 2, 3, 3), noncontig=True), stride=3)]


def conv3d_samples(dtype):
    return [S(T((1, 2, 3, 4, 3)), T((3, 2, 2, 2, 2)), T((3,)), padding=1, stride=(1, 2, 1)),
            S(T((2, 2, 3, 3, 3)), T((2, 1, 2, 1, 2)), None, groups=2, dilation=(1, 1, 2))]


def conv_errors(d):
    def errors():
        x = T((1, 3) + (5,) * d)
        op = f"conv{d}d"
        return [ErrorInput(S(x, T((2, 2) + (3,) * d)), RuntimeError, (op, "channels")),
                ErrorInput(S(x, T((2, 3) + (7,) * d)), RuntimeError, (op, "Kernel size")),
                ErrorInput(S(T((5,) * d), T((2, 3) + (3,) * d)), RuntimeError, (op,)),
                ErrorInput(S(x, T((2, 3) + (3,) * d), T((3,))), RuntimeError, (op, "bias")),
                ErrorInput(S(x, T((2, 3) + (3,) * d), stride=2, padding="same"), RuntimeError,
                           (op,)),
                ErrorInput(S(x, T((2, 3) + (3,) * d), stride=0), RuntimeError, (op,))]
    return errors


def conv_transpose1d_samples(dtype):
    return [S(T((2, 4, 5)), T((4, 3, 3)), T((3,))),
            S(T((4, 5), noncontig=True), T((4, 1, 2)), None, 2, 1, 1, 2, 2),
            S(T((0, 2, 3)), T((2, 2, 2)))]


def conv_transpose2d_samples(dtype):
    return [S(T((2, 3, 3, 4)), T((3, 2, 3, 2)), T((2,)), stride=2, padding=1,
              output_padding=1),
            S(T((1, 4, 3, 3), noncontig=True), T((4, 3, 2, 2)), T((6,)), groups=2,
              dilation=(2, 1), stride=(1, 2), output_padding=(1, 0)),
            S(T((3, 3, 3)), T((3, 2, 3, 3)))]


def conv_transpose3d_samples(dtype):
    return [S(T((1, 2, 2, 3, 2)), T((2, 2, 2, 2, 2)), T((2,)), stride=(2, 1, 1), padding=1)]


def conv_transpose_errors():
    return [ErrorInput(S(T((1, 3, 4, 4)), T((2, 2, 3, 3))), RuntimeError,
                       ("conv_transpose2d", "channels")),
            ErrorInput(S(T((1, 3, 4, 4)), T((3, 2, 3, 3)), output_padding=1), RuntimeError,
                       ("conv_transpose2d", "output padding"))]


# -- pooling -------------------------------------------------------------------------

def max_pool1d_samples(dtype):
    return [S(_distinct((2, 3, 7)), 2),
            S(_distinct((3, 8), 1), 3, 2, 1, ceil_mode=True),
            S(_distinct((1, 2, 9), 2), 2, stride=1, dilation=3),
            S(_distinct((2, 3, 7), 3, noncontig=True), 3, return_indices=True)]


def max_pool2d_samples(dtype):
    return [S(_distinct((2, 3, 6, 5)), 2),
            S(_distinct((1, 2, 7, 6), 1), 3, stride=2, padding=1, ceil_mode=True,
              return_indices=True),
            S(_distinct((2, 5, 5), 2), (2, 3), stride=(1, 2), dilation=(2, 1)),
            S(_distinct((1, 2, 6, 6), 3, noncontig=True), 2, return_indices=True),
            S(T((0, 2, 4, 4)), 2)]


def max_pool3d_samples(dtype):
    return [S(_distinct((1, 2, 4, 5, 4)), 2, stride=(2, 1, 2), padding=1),
            S(_distinct((2, 3, 3, 4), 1), 2, ceil_mode=True, return_indices=True)]


def max_pool_errors(d):
    def errors():
        op = f"max_pool{d}d"
        return [ErrorInput(S(T((1, 2) + (4,) * d), 3, padding=2), RuntimeError, (op, "pad")),
                ErrorInput(S(T((1, 2) + (2,) * d), 3), RuntimeError, (op, "too small")),
                ErrorInput(S(T((4,) * d), 2), RuntimeError, (op,))]
    return errors


def avg_pool1d_samples(dtype):
    return [S(T((2, 3, 7)), 2),
            S(T((3, 8), noncontig=True), 3, 2, 1, ceil_mode=True),
            S(T((1, 2, 9)), 3, stride=2, padding=1, count_include_pad=False, ceil_mode=True)]


def avg_pool2d_samples(dtype):
    return [S(T((2, 3, 6, 5)), 2),
            S(T((1, 2, 7, 6), noncontig=True), 3, stride=2, padding=1, ceil_mode=True,
              count_include_pad=False),
            S(T((2, 5, 5)), (2, 3), stride=(1, 2), padding=(1, 0)),
            S(T((1, 2, 5, 4)), 2, divisor_override=3)]


def avg_pool3d_samples(dtype):
    return [S(T((1, 2, 4, 5, 4)), 2, stride=(2, 1, 2), padding=1),
            S(T((2, 3, 3, 4)), 2, ceil_mode=True, count_include_pad=False)]


def _adaptive_shapes(d):
    """(batched shape, unbatched shape, small shape) per rank; 3-d stays tiny for gradcheck."""
    if d == 3:
        return (1, 2, 4, 3, 3), (2, 3, 4, 3), (1, 1, 3, 2, 2)
    return (2, 3) + (7, 5)[:d], (3,) + (5, 6)[:d], (1, 2) + (4, 3)[:d]


def adaptive_avg_samples(d):
    def samples(dtype):
        big, unbatched, small = _adaptive_shapes(d)
        return [S(T(big), (3, 2, 2)[:d]),
                S(T(unbatched, noncontig=True), 1),
                S(T(small), (None, 5, 3)[:d] if d > 1 else 6)]
    return samples


def adaptive_max_samples(d):
    def samples(dtype):
        big, unbatched, small = _adaptive_shapes(d)
        return [S(_distinct(big), (3, 2, 2)[:d]),
                S(_distinct(unbatched, 1, noncontig=True), 2, return_indices=True),
                S(_distinct(small, 2), (2, 3, 3)[:d] if d > 1 else 6)]
    return samples


def max_unpool2d_samples(dtype):
    # indices of a 2x2 max pool over a 4x4 plane (one position in each window)
    idx = np.array([[[[0, 3], [9, 14]], [[5, 2], [13, 11]]]])
    return [S(T((1, 2, 2, 2)), T(array=idx, dtype="int64", requires_grad=False), 2),
            S(T((1, 2, 2, 2)), T(array=idx, dtype="int64", requires_grad=False), 2,
              output_size=(5, 5))]


def max_unpool1d_samples(dtype):
    idx = np.array([[[1, 2, 5], [0, 3, 4]]])
    return [S(T((1, 2, 3)), T(array=idx, dtype="int64", requires_grad=False), 2)]


def lp_pool2d_samples(dtype):
    return [S(T((2, 3, 4, 4), positive=True), 2, 2),
            S(T((1, 2, 5, 4), positive=True), 3.0, (2, 2), stride=1)]


# -- padding, interpolation, blocks, shuffles ------------------------------------------

def pad_samples(dtype):
    return [S(T((2, 3, 4)), (1, 2)),
            S(T((2, 3, 4)), (1, -1, 0, 2), value=1.5),
            S(T((2, 3, 4, 3), noncontig=True), (2, 1, 1, 1), mode="reflect"),
            S(T((2, 3, 4)), (2, 3), mode="replicate"),
            S(T((1, 2, 3, 4, 3)), (1, 1, 2, 0, 1, 2), mode="replicate"),
            S(T((2, 3, 4)), (2, 3), mode="circular"),
            S(T((1, 2, 3, 4)), (-1, 2, 1, 1), mode="circular"),
            S(T((0, 3, 4)), (1, 1), mode="reflect")]


def constant_pad_nd_samples(dtype):
    return [S(T((2, 3)), (1, 2)), S(T((2, 3, 4)), (0, 1, -1, 2), 2),
            S(T(()), ()), S(T((0, 3)), (1, 1, 1, 0)), S(T((2, 3), noncontig=True), (-1, -1))]


def pad_errors():
    return [ErrorInput(S(T((1, 2, 3)), (3, 3), mode="reflect"), RuntimeError, ("pad",)),
            ErrorInput(S(T((1, 2, 3)), (1, 2, 3)), RuntimeError, ("pad",)),
            ErrorInput(S(T((3,)), (1, 1), mode="replicate"), NotImplementedError, ("pad",))]


def interpolate_samples(dtype):
    return [S(T((2, 3, 4, 5)), scale_factor=2),
            S(T((1, 2, 5, 4), noncontig=True), size=(3, 7), mode="nearest-exact"),
            S(T((2, 2, 4)), scale_factor=1.7, mode="linear"),
            S(T((1, 2, 3, 4)), size=(5, 6), mode="bilinear", align_corners=True),
            S(T((1, 2, 3, 4)), scale_factor=(2.5, 1.5), mode="bilinear"),
            S(T((1, 1, 3, 4)), size=(5, 3), mode="bicubic"),
            S(T((1, 1, 2, 3, 2)), scale_factor=2, mode="trilinear"),
            S(T((1, 2, 6, 5)), size=(3, 2), mode="area"),
            S(T((1, 2, 3, 4)), scale_factor=1.5, mode="bilinear", recompute_scale_factor=True)]


def interpolate_errors():
    return [ErrorInput(S(T((1, 2, 3)), size=4, mode="bilinear"), NotImplementedError,
                       ("bilinear",)),
            ErrorInput(S(T((1, 2, 3)), size=4, scale_factor=2), ValueError, ()),
            ErrorInput(S(T((1, 2, 3)), size=4, mode="nearest", align_corners=True), ValueError,
                       ("align_corners",))]


def unfold_samples(dtype):
    return [S(T((2, 3, 4, 5)), 2),
            S(T((1, 2, 5, 5), noncontig=True), (2, 3), dilation=(2, 1), padding=1,
              stride=(1, 2)),
            S(T((2, 4, 4)), 3, padding=1)]


def fold_samples(dtype):
    return [S(T((2, 12, 12)), (4, 5), 2),
            S(T((1, 12, 6), noncontig=True), (5, 5), (2, 3), dilation=(2, 1), padding=1,
              stride=(1, 2)),
            S(T((8, 9)), (3, 3), 2, padding=1)]


def pixel_shuffle_samples(dtype):
    return [S(T((2, 8, 3, 2)), 2), S(T((9, 2, 2), noncontig=True), 3),
            S(T((1, 2, 4, 1, 2)), 2), S(T((1, 3, 2, 2)), 2)]


def pixel_unshuffle_samples(dtype):
    return [S(T((2, 2, 4, 6)), 2), S(T((1, 6, 6), noncontig=True), 3), S(T((1, 3, 3, 2)), 2)]


def channel_shuffle_samples(dtype):
    return [S(T((2, 6, 3)), 3), S(T((1, 4, 2, 2), noncontig=True), 2)]


LOW_TOL = {"float16": 2e-2, "bfloat16": 1e-1}

OPS = [
    OpInfo(_f("conv1d"), conv1d_samples, dtypes=ALL_FLOATS + INTS, errors=conv_errors(1),
           atol=LOW_TOL),
    OpInfo(_f("conv2d"), conv2d_samples, dtypes=ALL_FLOATS + INTS, errors=conv_errors(2),
           atol=LOW_TOL),
    OpInfo(_f("conv3d"), conv3d_samples, dtypes=FLOATS + ("int64",), errors=conv_errors(3)),
    OpInfo(_f("conv_transpose1d"), conv_transpose1d_samples, dtypes=ALL_FLOATS + ("int64",),
           atol=LOW_TOL),
    OpInfo(_f("conv_transpose2d"), conv_transpose2d_samples, dtypes=ALL_FLOATS + ("int64",),
           errors=conv_transpose_errors, atol=LOW_TOL),
    OpInfo(_f("conv_transpose3d"), conv_transpose3d_samples, dtypes=FLOATS),
    OpInfo(_f("max_pool1d"), max_pool1d_samples, dtypes=ALL_FLOATS,
           errors=max_pool_errors(1)),
    OpInfo(_f("max_pool2d"), max_pool2d_samples, dtypes=ALL_FLOATS + INTS,
           errors=max_pool_errors(2)),
    OpInfo(_f("max_pool3d"), max_pool3d_samples, dtypes=FLOATS + INTS, errors=max_pool_errors(3)),
    OpInfo(_f("avg_pool1d"), avg_pool1d_samples, dtypes=ALL_FLOATS, atol=LOW_TOL),
    OpInfo(_f("avg_pool2d"), avg_pool2d_samples, dtypes=ALL_FLOATS, atol=LOW_TOL),
    OpInfo(_f("avg_pool3d"), avg_pool3d_samples, dtypes=FLOATS),
    OpInfo(_f("adaptive_avg_pool1d"), adaptive_avg_samples(1), dtypes=ALL_FLOATS, atol=LOW_TOL),
    OpInfo(_f("adaptive_avg_pool2d"), adaptive_avg_samples(2), dtypes=ALL_FLOATS, atol=LOW_TOL),
    OpInfo(_f("adaptive_avg_pool3d"), adaptive_avg_samples(3), dtypes=FLOATS),
    OpInfo(_f("adaptive_max_pool1d"), adaptive_max_samples(1), dtypes=FLOATS),
    OpInfo(_f("adaptive_max_pool2d"), adaptive_max_samples(2), dtypes=ALL_FLOATS),
    OpInfo(_f("adaptive_max_pool3d"), adaptive_max_samples(3), dtypes=FLOATS),
    OpInfo(_f("max_unpool1d"), max_unpool1d_samples, dtypes=FLOATS),
    OpInfo(_f("max_unpool2d"), max_unpool2d_samples, dtypes=FLOATS),
    OpInfo(_f("lp_pool2d"), lp_pool2d_samples, dtypes=FLOATS),
    OpInfo(_f("pad"), pad_samples, dtypes=ALL, errors=pad_errors),
    OpInfo("constant_pad_nd", constant_pad_nd_samples, dtypes=ALL),
    OpInfo(_f("interpolate"), interpolate_samples, dtypes=ALL_FLOATS, atol=LOW_TOL,
           errors=interpolate_errors),
    OpInfo(_f("unfold"), unfold_samples, dtypes=ALL_FLOATS),
    OpInfo(_f("fold"), fold_samples, dtypes=ALL_FLOATS, atol=LOW_TOL),
    OpInfo(_f("pixel_shuffle"), pixel_shuffle_samples, dtypes=ALL),
    OpInfo(_f("pixel_unshuffle"), pixel_unshuffle_samples, dtypes=ALL),
    OpInfo(_f("channel_shuffle"), channel_shuffle_samples, dtypes=ALL),
]

"""grid_sample and affine_grid (spatial transformers).

Both are written in ember ops (floor, gather, arithmetic), so the gradients with respect to
the input, the grid and theta come from the ops' own backward formulas; the loops run over
the 4 / 8 / 16 interpolation taps, never over pixels.
"""
import itertools
import warnings

import numpy as np

from ... import _dtype as D
from ..._device import move_array
from ..._tensor import Tensor, _wrap

__all__ = ["grid_sample", "affine_grid"]

_MODES = ("bilinear", "nearest", "bicubic")
_PADDING = ("zeros", "border", "reflection")


def _ops():
    import ember
    return ember


def _warn_align_corners(align_corners, name):
    if align_corners is None:
        warnings.warn(f"Default {name} behavior has changed to align_corners=False since "
                      "1.3.0. Please specify align_corners=True if the old behavior is desired.",
                      stacklevel=3)
        return False
    return bool(align_corners)


# ---------------------------------------------------------------------------------------
# affine_grid

def _base_coords(steps, align_corners, np_dtype):
    if steps <= 1:
        return np.zeros((steps,), dtype=np_dtype)
    coords = np.linspace(-1.0, 1.0, steps, dtype=np.float64)
    if not align_corners:
        # pixel centres of a [-1, 1] image split into ``steps`` cells
        coords = coords * (steps - 1) / steps
    return coords.astype(np_dtype)


def affine_grid(theta, size, align_corners=None):
    """Sampling grid (N, H, W, 2) or (N, D, H, W, 3) for the affine maps ``theta``.

    ``theta`` is (N, 2, 3) for a 4-D ``size`` (N, C, H, W) or (N, 3, 4) for a 5-D size.

    >>> theta = ember.tensor([[[1., 0., 0.], [0., 1., 0.]]])
    >>> ember.nn.functional.affine_grid(theta, (1, 1, 2, 2), align_corners=False).shape
    torch.Size([1, 2, 2, 2])
    """
    align_corners = _warn_align_corners(align_corners, "grid_sample and affine_grid")
    if not isinstance(theta, Tensor):
        raise TypeError(f"affine_grid(): argument 'theta' must be Tensor, not "
                        f"{type(theta).__name__}")
    if not theta.is_floating_point():
        raise ValueError(f"Expected theta to have floating point type, but got {theta.dtype}")
    size = [int(s) for s in size]
    if len(size) == 4:
        if theta.dim() != 3 or tuple(theta.shape[-2:]) != (2, 3):
            raise ValueError(f"Expected a batch of 2D affine matrices of shape Nx2x3 for size "
                             f"{size}. Got {tuple(theta.shape)}.")
        spatial = size[2:]
    elif len(size) == 5:
        if theta.dim() != 3 or tuple(theta.shape[-2:]) != (3, 4):
            raise ValueError(f"Expected a batch of 3D affine matrices of shape Nx3x4 for size "
                             f"{size}. Got {tuple(theta.shape)}.")
        spatial = size[2:]
    else:
        raise NotImplementedError(f"affine_grid only supports 4D and 5D sizes, for 2D and 3D "
                                  f"affine transforms, respectively. Got size {size}.")
    if min(size) <= 0:
        raise ValueError(f"Expected non-zero, positive output size. Got {size}")
    if theta.shape[0] != size[0]:
        raise ValueError(f"Expected theta batch {theta.shape[0]} to equal size[0] {size[0]}")
    np_dtype = theta._data.dtype
    if theta.dtype in (D.float16, D.bfloat16):
        np_dtype = np.float32
    # base grid rows are (x, y[, z], 1) with x varying fastest (the last spatial dim)
    axes = [_base_coords(s, align_corners, np_dtype) for s in spatial]
    mesh = np.meshgrid(*axes, indexing="ij")          # each of shape spatial
    cols = [m.reshape(-1) for m in reversed(mesh)]    # x (width) first
    base = np.stack(cols + [np.ones_like(cols[0])], axis=-1)   # (P, d + 1)
    base_t = _wrap(move_array(base.astype(theta._data.dtype), theta._device), theta._device)
    ember = _ops()
    grid = ember.matmul(base_t.unsqueeze(0), theta.transpose(1, 2))   # (N, P, d)
    return grid.reshape([size[0]] + spatial + [len(spatial)])


# ---------------------------------------------------------------------------------------
# grid_sample

def _unnormalize(coord, size, align_corners):
    if align_corners:
        return (coord + 1) * ((size - 1) / 2)
    return ((coord + 1) * size - 1) / 2


def _reflect(coord, twice_low, twice_high):
    ember = _ops()
    if twice_low == twice_high:
        return coord * 0
    low = twice_low / 2
    span = (twice_high - twice_low) / 2
    coord = (coord - low).abs()
    extra = ember.fmod(coord, span)
    flips = ember.floor(coord.detach() / span)
    even = ember.remainder(flips, 2) == 0
    return ember.where(even, extra + low, span - extra + low)


def _pad_coord(coord, size, padding_mode, align_corners):
    """Source coordinate after border clipping or reflection (zeros: unchanged)."""
    if padding_mode == "border":
        return coord.clamp(0, size - 1)
    if padding_mode == "reflection":
        if align_corners:
            coord = _reflect(coord, 0, 2 * (size - 1))
        else:
            coord = _reflect(coord, -1, 2 * size - 1)
        return coord.clamp(0, size - 1)
    return coord


def _gather_taps(flat, taps, sizes):
    """Values of ``flat`` (N, C, prod(sizes)) at integer tap coordinates, 0 outside.

    ``taps`` holds one (N, *out) int tensor per spatial dim (x first).
    Returns (N, C, *out) values.
    """
    ember = _ops()
    valid = None
    index = None
    stride = 1
    for coord, size in zip(taps, reversed(sizes)):
        ok = (coord >= 0) & (coord <= size - 1)
        valid = ok if valid is None else valid & ok
        term = coord.clamp(0, size - 1) * stride
        index = term if index is None else index + term
        stride *= size
    n, c = flat.shape[0], flat.shape[1]
    out_shape = tuple(index.shape[1:])
    idx = index.reshape(n, 1, -1).expand(n, c, index[0].numel())
    values = ember.gather(flat, 2, idx).reshape((n, c) + out_shape)
    return values, valid.unsqueeze(1)


def _cubic_weights(t):
    # torch's cubic convolution coefficients with A = -0.75
    a = -0.75

    def near(x):   # |x| <= 1
        return ((a + 2) * x - (a + 3)) * x * x + 1

    def far(x):    # 1 < |x| < 2
        return ((a * x - 5 * a) * x + 8 * a) * x - 4 * a

    return [far(t + 1), near(t), near(1 - t), far(2 - t)]


def _check_grid_sample(input, grid, mode, padding_mode):
    for name, v in (("input", input), ("grid", grid)):
        if not isinstance(v, Tensor):
            raise TypeError(f"grid_sample(): argument '{name}' must be Tensor, not "
                            f"{type(v).__name__}")
    if mode not in _MODES:
        raise ValueError(f"nn.functional.grid_sample(): expected mode to be 'bilinear', "
                         f"'nearest' or 'bicubic', but got: '{mode}'")
    if padding_mode not in _PADDING:
        raise ValueError(f"nn.functional.grid_sample(): expected padding_mode to be 'zeros', "
                         f"'border', or 'reflection', but got: '{padding_mode}'")
    if input.dim() not in (4, 5) or grid.dim() != input.dim():
        raise RuntimeError(f"grid_sampler(): expected 4D or 5D input and grid with same number "
                           f"of dimensions, but got input with sizes {list(input.shape)} and "
                           f"grid with sizes {list(grid.shape)}")
    if grid.shape[-1] != input.dim() - 2 or grid.shape[0] != input.shape[0]:
        raise RuntimeError(f"grid_sampler(): expected grid of shape (N, ..., "
                           f"{input.dim() - 2}) matching input batch {input.shape[0]}, but got "
                           f"grid with sizes {list(grid.shape)}")
    if mode == "bicubic" and input.dim() != 4:
        raise RuntimeError("grid_sampler(): bicubic interpolation only supports 4D input")
    if input.dtype != grid.dtype:
        raise RuntimeError(f"grid_sampler(): expected input and grid to have same dtype, but "
                           f"input has {input.dtype} and grid has {grid.dtype}")
    if not input.is_floating_point():
        raise RuntimeError(f"grid_sampler(): expected a floating point input, got "
                           f"{input.dtype}")


def grid_sample(input, grid, mode="bilinear", padding_mode="zeros", align_corners=None):
    """Sample ``input`` (N, C, H, W) at the normalised (x, y) locations of ``grid``.

    ``grid`` is (N, H_out, W_out, 2) with values in [-1, 1]; 5-D inputs take
    (N, D_out, H_out, W_out, 3) grids (bilinear or nearest).

    >>> img = ember.arange(4.).reshape(1, 1, 2, 2)
    >>> grid = ember.zeros(1, 1, 1, 2)     # the image centre
    >>> ember.nn.functional.grid_sample(img, grid, align_corners=False)
    tensor([[[[1.5000]]]])
    """
    _check_grid_sample(input, grid, mode, padding_mode)
    align_corners = _warn_align_corners(align_corners, "grid_sample and affine_grid")
    ember = _ops()
    sizes = [int(s) for s in input.shape[2:]]          # (D,) H, W
    n, c = input.shape[0], input.shape[1]
    flat = input.reshape(n, c, -1)
    # coordinates in pixel units, x (width) first, like the grid's last axis
    coords = [_unnormalize(grid[..., i], size, align_corners)
              for i, size in enumerate(reversed(sizes))]
    dtype = input.dtype
    if mode == "bicubic":
        return _bicubic(flat, coords, sizes, padding_mode, align_corners)
    coords = [_pad_coord(x, size, padding_mode, align_corners)
              for x, size in zip(coords, reversed(sizes))]
    if mode == "nearest":
        # NOTE: torch rounds half to even (nearbyint)
        taps = [ember.round(x.detach()).to(D.int64) for x in coords]
        values, valid = _gather_taps(flat, taps, sizes)
        out = values * valid.to(dtype)
        if grid._rg and out._rg:
            # NOTE: torch gives the grid an all-zero gradient in nearest mode
            out = out + (grid.sum() * 0)
        return out
    lows = [ember.floor(x.detach()) for x in coords]
    fracs = [x - lo for x, lo in zip(coords, lows)]
    lows = [lo.to(D.int64) for lo in lows]
    out = None
    for corner in itertools.product((0, 1), repeat=len(sizes)):
        taps = [lo + bit for lo, bit in zip(lows, corner)]
        weight = None
        for frac, bit in zip(fracs, corner):
            w = frac if bit else 1 - frac
            weight = w if weight is None else weight * w
        values, valid = _gather_taps(flat, taps, sizes)
        term = values * (weight.unsqueeze(1) * valid.to(dtype))
        out = term if out is None else out + term
    return out


def _bicubic(flat, coords, sizes, padding_mode, align_corners):
    ember = _ops()
    x, y = coords
    height, width = sizes
    x0 = ember.floor(x.detach())
    y0 = ember.floor(y.detach())
    wx = _cubic_weights(x - x0)
    wy = _cubic_weights(y - y0)
    x0 = x0.to(D.int64)
    y0 = y0.to(D.int64)
    out = None
    dtype = flat.dtype
    for j in range(4):
        for i in range(4):
            # NOTE: torch applies the padding mode to each tap's integer coordinate
            tx = _pad_tap(x0 + (i - 1), width, padding_mode, align_corners)
            ty = _pad_tap(y0 + (j - 1), height, padding_mode, align_corners)
            values, valid = _gather_taps(flat, [tx, ty], sizes)
            weight = (wx[i] * wy[j]).unsqueeze(1)
            term = values * (weight * valid.to(dtype))
            out = term if out is None else out + term
    return out


def _pad_tap(tap, size, padding_mode, align_corners):
    if padding_mode == "zeros":
        return tap
    coord = _pad_coord(tap.to(D.float64), size, padding_mode, align_corners)
    return coord.to(D.int64)

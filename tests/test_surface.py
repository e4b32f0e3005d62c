"""The Core I surface: every torch name below (pointwise math, comparisons,
logical/bitwise, reductions, cumulative ops, shape/view ops, creation, random, dtype
conversion, autograd-related tensor methods) exists in ember exactly where torch has it
-- as a top-level function, a Tensor method/property, or both -- and a few
representative calls take torch's keywords and give torch's results."""
import numpy as np
import pytest
import torch

import ember

CORE_I_NAMES = """
    H T abs abs_ absolute absolute_ acos acos_ acosh acosh_ add add_ addcdiv addcdiv_
    addcmul addcmul_ all allclose amax amin aminmax any arange arccos arccos_ arccosh
    arccosh_ arcsin arcsin_ arcsinh arcsinh_ arctan arctan2 arctan2_ arctan_ arctanh
    arctanh_ argmax argmin as_strided as_tensor asarray asin asin_ asinh asinh_ atan atan2
    atan2_ atan_ atanh atanh_ atleast_1d atleast_2d atleast_3d backward bernoulli bernoulli_
    bfloat16 bitwise_and bitwise_and_ bitwise_left_shift bitwise_left_shift_ bitwise_not
    bitwise_not_ bitwise_or bitwise_or_ bitwise_right_shift bitwise_right_shift_ bitwise_xor
    bitwise_xor_ bool broadcast_shapes broadcast_tensors broadcast_to byte can_cast cat
    cauchy_ ceil ceil_ char chunk clamp clamp_ clamp_max clamp_max_ clamp_min clamp_min_
    clip clip_ clone column_stack concat concatenate contiguous copy_ cos cos_ cosh cosh_
    count_nonzero cpu cummax cummin cumprod cumprod_ cumsum cumsum_ data deg2rad deg2rad_
    diag diag_embed diagonal dim div div_ divide divide_ double dsplit dstack empty
    empty_like empty_strided eq eq_ equal erf erf_ erfc erfc_ erfinv erfinv_ exp exp2 exp2_
    exp_ expand expand_as expm1 expm1_ exponential_ eye fill_ fix fix_ flatten flip fliplr
    flipud float float_power float_power_ floor floor_ floor_divide floor_divide_ fmax fmin
    fmod fmod_ frac frac_ from_numpy full full_like ge ge_ geometric_ get_default_dtype
    get_rng_state grad grad_fn greater greater_ greater_equal greater_equal_ gt gt_ half
    hsplit hstack hypot hypot_ initial_seed int is_anomaly_check_nan_enabled
    is_anomaly_enabled is_complex is_contiguous is_cpu is_cuda is_floating_point
    is_grad_enabled is_inference_mode_enabled is_leaf is_meta is_nonzero is_quantized
    is_same_size is_signed is_sparse is_tensor isclose isfinite isinf isnan isneginf
    isposinf isreal item ldexp ldexp_ le le_ lerp lerp_ less less_ less_equal less_equal_
    linspace log log10 log10_ log1p log1p_ log2 log2_ log_ log_normal_ logaddexp logaddexp2
    logcumsumexp logical_and logical_and_ logical_not logical_not_ logical_or logical_or_
    logical_xor logical_xor_ logit logit_ logspace logsumexp long lt lt_ mH mT manual_seed
    max maximum mean median meshgrid min minimum mode moveaxis movedim mul mul_ multinomial
    multiply multiply_ nan_to_num nan_to_num_ nanmean nanmedian nansum narrow ndim
    ndimension ne ne_ neg neg_ negative negative_ nelement new_empty new_empty_strided
    new_full new_ones new_tensor new_zeros not_equal not_equal_ numel numpy ones ones_like
    output_nr permute poisson positive pow pow_ prod promote_types rad2deg rad2deg_ rand
    rand_like randint randint_like randn randn_like random_ randperm ravel reciprocal
    reciprocal_ register_hook register_post_accumulate_grad_hook remainder remainder_ repeat
    repeat_interleave requires_grad requires_grad_ reshape reshape_as result_type
    retain_grad retains_grad roll rot90 round round_ row_stack rsqrt rsqrt_ scalar_tensor
    seed select sgn sgn_ shape short sigmoid sigmoid_ sign sign_ signbit sin sin_ sinc sinc_
    sinh sinh_ size split sqrt sqrt_ square square_ squeeze squeeze_ stack std std_mean
    stride sub sub_ subtract subtract_ sum swapaxes swapaxes_ swapdims swapdims_ t t_ tan
    tan_ tanh tanh_ tensor tensor_split tile to tolist transpose transpose_ tril tril_
    tril_indices triu triu_ triu_indices true_divide true_divide_ trunc trunc_ type type_as
    typename unbind unflatten uniform_ unsqueeze unsqueeze_ var var_mean view view_as vsplit
    vstack xlogy xlogy_ zero_ zeros zeros_like
""".split()


def _where(lib, name):
    fn = getattr(lib, name, None)
    return (callable(fn), hasattr(lib.Tensor, name))


@pytest.mark.parametrize("name", CORE_I_NAMES)
def test_name_exists_where_torch_has_it(name):
    expected = _where(torch, name)
    assert expected != (False, False), f"torch has no {name} (stale list)"
    assert _where(ember, name) == expected, \
        f"{name}: (function, method) is {_where(ember, name)} in ember, {expected} in torch"


def _same(e, t):
    if isinstance(t, torch.Tensor):
        assert isinstance(e, ember.Tensor)
        assert tuple(e.shape) == tuple(t.shape) and str(e.dtype) == str(t.dtype)
        np.testing.assert_allclose(np.asarray(e.detach().float().numpy()),
                                   t.detach().float().numpy(), rtol=1e-5, atol=1e-6)
    elif isinstance(t, (tuple, list)):
        assert len(e) == len(t)
        for a, b in zip(e, t):
            _same(a, b)
    else:
        assert e == t


# Representative calls with torch's keyword names and defaults (``L`` is the library).
CALLS = {
    "div_rounding_mode_": lambda L, x: x.clone().div_(2, rounding_mode="floor"),
    "div_rounding_mode": lambda L, x: L.div(x, 2, rounding_mode="trunc"),
    "sum_kw": lambda L, x: L.sum(x, dim=1, keepdim=True, dtype=L.float64),
    "mean_kw": lambda L, x: x.mean(dim=(0, 1), keepdim=False),
    "std_kw": lambda L, x: L.std(x, dim=0, correction=0, keepdim=True),
    "var_mean_kw": lambda L, x: L.var_mean(x, 1, unbiased=False),
    "cumsum_kw": lambda L, x: x.cumsum(dim=-1, dtype=L.float64),
    "logsumexp_kw": lambda L, x: L.logsumexp(x, dim=1, keepdim=True),
    "amax_kw": lambda L, x: x.amax(dim=(0,), keepdim=True),
    "clamp_kw": lambda L, x: L.clamp(x, min=-0.5, max=0.5),
    "clip_": lambda L, x: x.clone().clip_(max=0.1),
    "isclose_kw": lambda L, x: L.isclose(x, x + 1e-6, rtol=1e-5, atol=1e-8, equal_nan=True),
    "new_full": lambda L, x: x.new_full((2,), 3.5, dtype=L.float64),
    "new_zeros": lambda L, x: x.new_zeros(2, 3),
    "new_ones": lambda L, x: x.new_ones((1,), requires_grad=True),
    "new_tensor": lambda L, x: x.new_tensor([1, 2]),
    "new_empty_shape": lambda L, x: x.new_empty((2, 0)).shape,
    "type_as": lambda L, x: x.type_as(L.zeros(1, dtype=L.int32)),
    "view_as": lambda L, x: x.view_as(L.zeros(6, 2)),
    "reshape_as": lambda L, x: x.reshape_as(L.zeros(2, 6)),
    "expand_as": lambda L, x: x[:1].expand_as(x),
    "numpy_force": lambda L, x: x.numpy(force=True).shape,
    "numel": lambda L, x: L.numel(x),
    "is_nonzero": lambda L, x: L.is_nonzero(x[:1, :1]),
    "is_same_size": lambda L, x: (L.is_same_size(x, x), x.is_same_size(x[:1])),
    "is_signed": lambda L, x: (L.is_signed(x), x.int().is_signed(), x.byte().is_signed()),
    "rand_like_shape": lambda L, x: (L.rand_like(x, dtype=L.float64).dtype, L.rand_like(x).shape),
    "randint_like": lambda L, x: L.randint_like(x, 3, 5).shape,
    "flatten_kw": lambda L, x: L.flatten(x, start_dim=0, end_dim=-1),
    "squeeze_kw": lambda L, x: x[None].squeeze(dim=0),
    "transpose_kw": lambda L, x: L.transpose(x, dim0=0, dim1=1),
    "movedim_kw": lambda L, x: L.movedim(x, source=0, destination=1),
    "split_kw": lambda L, x: L.split(x, split_size_or_sections=2, dim=1),
    "deg2rad": lambda L, x: L.deg2rad(x),
    "rad2deg_": lambda L, x: x.clone().rad2deg_(),
    "sinc_out": lambda L, x: L.sinc(x, out=L.empty(0)),
    "xlogy_scalar": lambda L, x: (L.xlogy(x, 2.0), L.xlogy(3, x.abs())),
    "xlogy_": lambda L, x: x.clone().xlogy_(x.abs() + 1),
    "ldexp": lambda L, x: L.ldexp(x, L.tensor([1, 2, 0, 3])),
    "logaddexp": lambda L, x: (L.logaddexp(x, x.flip(0)), x.logaddexp2(x * 2)),
    "fn_inplace": lambda L, x: (L.exp_(x.clone()), L.clamp_(x.clone(), min=0),
                                L.zero_(x.clone()), L.fill_(x.clone(), 2)),
}


@pytest.mark.parametrize("name", sorted(CALLS))
def test_representative_call_matches_torch(name):
    data = np.random.default_rng(0).standard_normal((3, 4)).astype(np.float32)
    t_out = CALLS[name](torch, torch.tensor(data))
    e_out = CALLS[name](ember, ember.tensor(data))
    if name.endswith("_shape") or name in ("numpy_force", "randint_like"):
        # shapes and dtypes only (random values, or a NumPy array)
        assert str(e_out).replace("ember", "torch") == str(t_out)
        return
    _same(e_out, t_out)


@pytest.mark.parametrize("shape", [(0,), (2,), (1, 2)])
def test_is_nonzero_errors_like_torch(shape):
    for L in (torch, ember):
        with pytest.raises(RuntimeError):
            L.is_nonzero(L.ones(shape))


def test_top_level_inplace_function_needs_a_tensor():
    for L in (torch, ember):
        with pytest.raises(TypeError):
            L.exp_("not a tensor")

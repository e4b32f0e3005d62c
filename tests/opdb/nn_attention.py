"""Registry entry for nn.functional.scaled_dot_product_attention (layers: tests/nn)."""
import numpy as np

from . import ALL_FLOATS, ErrorInput, OpInfo, SampleInput, T

S = SampleInput


def sdpa_samples(dtype):
    causal_ok = np.array([[True, False, True, True], [False, False, False, False],
                          [True, True, True, False]])
    return [S(T((2, 3, 4)), T((2, 4, 4)), T((2, 4, 5))),
            S(T((2, 2, 3, 4), noncontig=True), T((2, 2, 5, 4)), T((1, 2, 5, 3)),
              is_causal=True),
            S(T((3, 4)), T((4, 4)), T((4, 2)), attn_mask=T(array=causal_ok, dtype="bool")),
            S(T((2, 3, 4)), T((2, 4, 4)), T((2, 4, 4)), attn_mask=T((3, 4)), scale=0.5),
            S(T((1, 4, 3, 2)), T((1, 2, 3, 2)), T((1, 2, 3, 2)), enable_gqa=True),
            S(T((2, 0, 4)), T((2, 3, 4)), T((2, 3, 4)))]


def sdpa_errors():
    name = "scaled_dot_product_attention"
    return [ErrorInput(S(T((2, 3, 4)), T((2, 4, 5)), T((2, 4, 5))), RuntimeError, (name,)),
            ErrorInput(S(T((2, 3, 4)), T((2, 4, 4)), T((2, 5, 4))), RuntimeError, (name,)),
            ErrorInput(S(T((3, 4)), T((3, 4)), T((3, 4)), attn_mask=T((3, 3)), is_causal=True),
                       RuntimeError, (name,))]


OPS = [
    OpInfo("nn.functional.scaled_dot_product_attention", sdpa_samples, dtypes=ALL_FLOATS,
           errors=sdpa_errors, atol={"float16": 1e-2, "bfloat16": 5e-2},
           rtol={"float16": 1e-2, "bfloat16": 5e-2}),
]

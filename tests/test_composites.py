"""Behaviour of composite ops beyond the registry samples: NaN handling of quantile
(values and where the gradient goes) and p=0 in dist, against torch."""
import numpy as np
import torch

import ember


def _grad_of(lib, fn, values):
    x = lib.tensor(values, requires_grad=True)
    out = fn(lib, x)
    out.sum().backward()
    return out.detach().numpy(), x.grad.numpy()


def test_quantile_nan_row_gives_nan_and_routes_gradient_to_the_nan():
    values = [[1.0, float("nan"), 3.0, 4.0], [2.0, 5.0, 1.0, 0.0]]
    for q in (0.5, [0.2, 0.9]):
        def fn(lib, x):
            qq = q if isinstance(q, float) else lib.tensor(q)
            return lib.quantile(x, qq, dim=1)
        e_out, e_grad = _grad_of(ember, fn, values)
        t_out, t_grad = _grad_of(torch, fn, values)
        np.testing.assert_allclose(e_out, t_out, equal_nan=True)
        np.testing.assert_allclose(e_grad, t_grad)


def test_dist_p0_counts_nonzero_differences():
    a, b = [[1.0, 2.0, 3.0]], [[1.0, 0.0, 5.0]]
    e = ember.dist(ember.tensor(a), ember.tensor(b), 0)
    t = torch.dist(torch.tensor(a), torch.tensor(b), 0)
    assert float(e) == float(t)


def test_special_functions_at_their_edges_match_torch():
    values = [-30.0, -1.0, -0.0, 0.0, 1e-30, 0.5, 30.0, float("inf"), float("nan")]
    for name in ("entr", "erfcx", "log_ndtr", "ndtr", "i0e", "i1", "i1e"):
        e = getattr(ember.special, name)(ember.tensor(values, dtype=ember.float64))
        t = getattr(torch.special, name)(torch.tensor(values, dtype=torch.float64))
        # (atol: torch flushes ndtr(-30) ~ 5e-198 to 0)
        np.testing.assert_allclose(e.numpy(), t.numpy(), rtol=1e-10, atol=1e-150, equal_nan=True,
                                   err_msg=name)
    for name in ("lgamma", "digamma"):
        poles = [-3.0, -1.0, -0.0, 0.0, 1.0, float("inf"), -float("inf"), float("nan")]
        e = getattr(ember, name)(ember.tensor(poles, dtype=ember.float64))
        t = getattr(torch, name)(torch.tensor(poles, dtype=torch.float64))
        np.testing.assert_allclose(e.numpy(), t.numpy(), rtol=1e-12, equal_nan=True, err_msg=name)


def test_entr_gradient_at_zero_and_negative_matches_torch():
    grads = []
    for lib in (ember, torch):
        x = lib.tensor([-1.0, 0.0, 2.0], dtype=lib.float64, requires_grad=True)
        lib.special.entr(x).sum().backward()
        grads.append(x.grad.numpy())
    np.testing.assert_allclose(grads[0], grads[1], equal_nan=True)

"""torch's top-level neural-network functions (torch.relu, torch.layer_norm,
torch.embedding ...), whose argument order differs from nn.functional's for some: each is
called with the same positional arguments on torch and ember and compared."""
import numpy as np
import pytest
import torch

import ember

_rng = np.random.default_rng(0)


def _x(*shape):
    return _rng.standard_normal(shape).astype(np.float32)


_X = _x(4, 3)
_IMG = _x(2, 3, 4, 4)
_SEQ = _x(2, 3, 6)
_PROB = np.abs(_x(4, 3)) / 3 + 0.1


def _args(lib, spec):
    out = []
    for a in spec:
        if isinstance(a, np.ndarray):
            out.append(lib.tensor(a))
        elif isinstance(a, tuple) and a and a[0] == "long":
            out.append(lib.tensor(a[1], dtype=lib.int64))
        else:
            out.append(a)
    return out


CASES = {
    "relu": (_X,), "relu_": (_X.copy(),), "selu": (_X,), "selu_": (_X.copy(),),
    "celu": (_X, 0.7), "celu_": (_X.copy(), 0.7),
    "prelu": (_X, np.array([0.2], np.float32)), "hardshrink": (_X, 0.4),
    "threshold": (_X, 0.1, 20.0), "threshold_": (_X.copy(), 0.1, 20.0),
    "softmax": (_X, 1), "log_softmax": (_X, 0),
    "layer_norm": (_X, (3,), np.ones(3, np.float32), np.zeros(3, np.float32), 1e-5),
    "rms_norm": (_X, (3,), np.full(3, 2.0, np.float32)),
    "group_norm": (_IMG, 3, np.ones(3, np.float32), np.zeros(3, np.float32)),
    "batch_norm": (_IMG, np.full(3, 2.0, np.float32), np.ones(3, np.float32),
                   np.zeros(3, np.float32), np.ones(3, np.float32), False, 0.1, 1e-5, True),
    "instance_norm": (_IMG, np.full(3, 2.0, np.float32), np.ones(3, np.float32), None, None,
                      True, 0.1, 1e-5, True),
    "dropout": (_X, 0.5, False), "alpha_dropout": (_X, 0.5, False),
    "feature_alpha_dropout": (_X, 0.5, False), "feature_dropout": (_IMG, 0.5, False),
    "embedding": (_x(5, 2), ("long", [[1, 4], [0, 0]])),
    "embedding_padding": (_x(5, 2), ("long", [1, 4, 2]), 2),
    "adaptive_avg_pool1d": (_SEQ, 2), "adaptive_max_pool1d": (_SEQ, 3),
    "max_pool1d_with_indices": (_SEQ, 2),
    "cosine_similarity": (_X, _X[::-1].copy()), "pairwise_distance": (_X, _X[::-1].copy()),
    "pdist": (_X,), "bilinear": (_x(4, 2), _x(4, 3), _x(5, 2, 3), _x(5)),
    "binary_cross_entropy_with_logits": (_X, _PROB, None, None, 2),
    "kl_div": (np.log(_PROB), _PROB, 0), "kl_div_mean": (np.log(_PROB), _PROB),
    "cosine_embedding_loss": (_X, _X[::-1].copy(), np.array([1, -1, 1, -1], np.float32), 0.1, 1),
    "hinge_embedding_loss": (_X, np.sign(_X), 0.5, 2),
    "margin_ranking_loss": (_X[:, 0].copy(), _X[:, 1].copy(), np.array([1, -1, 1, 1], np.float32)),
    "poisson_nll_loss": (_X, _PROB, True, False, 1e-8, 1),
    "triplet_margin_loss": (_X, _X[::-1].copy(), _X * 2, 1.0, 2.0, 1e-6, True, 0),
}
_NAMES = {"embedding_padding": "embedding", "kl_div_mean": "kl_div"}


@pytest.mark.parametrize("case", sorted(CASES))
def test_top_level_function_matches_torch(case):
    name = _NAMES.get(case, case)
    spec = CASES[case]
    t_out = getattr(torch, name)(*_args(torch, spec))
    e_out = getattr(ember, name)(*_args(ember, spec))
    if isinstance(t_out, tuple):
        assert isinstance(e_out, tuple) and len(e_out) == len(t_out)
    else:
        t_out, e_out = (t_out,), (e_out,)
    for e, t in zip(e_out, t_out):
        assert tuple(e.shape) == tuple(t.shape)
        assert str(e.dtype) == str(t.dtype)
        np.testing.assert_allclose(e.numpy(), t.numpy(), rtol=1e-5, atol=1e-6)


def test_every_top_level_nn_function_is_tested():
    from ember import _torch_nn_functions as module
    tested = {_NAMES.get(c, c) for c in CASES}
    untested = set(module.__all__) - tested - {"rrelu", "rrelu_", "dropout_", "alpha_dropout_",
                                              "feature_alpha_dropout_", "feature_dropout_",
                                              "ctc_loss"}
    assert not untested, sorted(untested)

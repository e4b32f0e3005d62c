"""Registry entries for the losses, embeddings, one_hot and distance functions
(ember.nn.functional.*, ember.cdist)."""
import numpy as np

from . import ALL_FLOATS, FLOATS, ErrorInput, OpInfo, SampleInput, T

F = "nn.functional."


def _cls(shape, n, **kw):
    """Class-index targets in [0, n)."""
    return T(shape, dtype="int64", low=0, high=n - 1, requires_grad=False, **kw)


def _const(shape, **kw):
    return T(shape, requires_grad=False, **kw)


def _prob(shape):
    return T(shape, low=0.05, high=0.95)


def _pm1(shape):
    return T(array=np.where(np.arange(int(np.prod(shape))).reshape(shape) % 3 == 0, -1.0, 1.0),
             requires_grad=False)


def _reductions(make):
    return [make(reduction=r) for r in ("mean", "sum", "none")]


def cross_entropy_samples(dtype):
    return _reductions(lambda **kw: SampleInput(T((4, 5)), _cls((4,), 5), **kw)) + [
        SampleInput(T((3, 4, 2, 2)), _cls((3, 2, 2), 4), weight=_const((4,), positive=True)),
        SampleInput(T((4, 5)), T(array=[1, -100, 3, 0], dtype="int64", requires_grad=False),
                    label_smoothing=0.2, weight=_const((5,), positive=True)),
        SampleInput(T((5,)), T(array=2, dtype="int64", requires_grad=False), reduction="none"),
        SampleInput(T((4, 5), noncontig=True), _prob((4, 5)), label_smoothing=0.1),
        SampleInput(T((0, 5)), _cls((0,), 5), reduction="sum"),
    ]


def nll_loss_samples(dtype):
    return _reductions(lambda **kw: SampleInput(T((4, 5)), _cls((4,), 5), **kw)) + [
        SampleInput(T((3, 4, 2)), _cls((3, 2), 4), weight=_const((4,), positive=True),
                    ignore_index=1),
        SampleInput(T((5,)), T(array=2, dtype="int64", requires_grad=False)),
        SampleInput(T((4, 5), noncontig=True), _cls((4,), 5), reduction="none"),
    ]


def pair_samples(dtype, **extra):
    return _reductions(lambda **kw: SampleInput(T((3, 4)), T((3, 4)), **kw, **extra)) + [
        SampleInput(T(()), T(())),
        SampleInput(T((0, 3)), T((0, 3)), reduction="sum"),
        SampleInput(T((3, 4), noncontig=True), T((3, 4)), **extra),
    ]


def bce_samples(dtype):
    return _reductions(lambda **kw: SampleInput(_prob((3, 4)), _prob((3, 4)), **kw)) + [
        SampleInput(_prob((3, 4)), _prob((3, 4)), weight=_const((4,), positive=True)),
        SampleInput(_prob(()), _prob(())),
    ]


def bce_logits_samples(dtype):
    return _reductions(lambda **kw: SampleInput(T((3, 4)), _prob((3, 4)), **kw)) + [
        SampleInput(T((3, 4)), _prob((3, 4)), weight=_const((4,), positive=True),
                    pos_weight=_const((4,), positive=True)),
        SampleInput(T((3, 4), noncontig=True), _prob((3, 4)), reduction="none"),
    ]


def kl_div_samples(dtype):
    return [SampleInput(T((3, 4), low=-3, high=-0.1), _prob((3, 4)), reduction=r)
            for r in ("sum", "none", "batchmean")] + [
        SampleInput(T((3, 4)), T((3, 4)), reduction="sum", log_target=True)]


def poisson_samples(dtype):
    return _reductions(lambda **kw: SampleInput(T((3, 4)), T((3, 4), low=0, high=4), **kw)) + [
        SampleInput(T((3, 4), positive=True), T((3, 4), low=0, high=4), log_input=False),
        SampleInput(T((3, 4)), T((3, 4), low=0.5, high=4), full=True),
    ]


def gaussian_samples(dtype):
    return _reductions(lambda **kw: SampleInput(T((3, 4)), T((3, 4)), T((3, 4), positive=True),
                                                **kw)) + [
        SampleInput(T((3, 4)), T((3, 4)), T((3,), positive=True), full=True),
        SampleInput(T((3, 4)), T((3, 4)), T((3, 1), positive=True)),
    ]


def cosine_embedding_samples(dtype):
    return _reductions(lambda **kw: SampleInput(T((4, 3)), T((4, 3)), _pm1((4,)), **kw)) + [
        SampleInput(T((4, 3)), T((4, 3)), _pm1((4,)), margin=0.3),
    ]


def margin_ranking_samples(dtype):
    return _reductions(lambda **kw: SampleInput(T((5,)), T((5,)), _pm1((5,)), **kw)) + [
        SampleInput(T((5,)), T((5,)), T((5,)), margin=0.4)]


def hinge_samples(dtype):
    return _reductions(lambda **kw: SampleInput(T((3, 4)), _pm1((3, 4)), **kw)) + [
        SampleInput(T((3, 4)), _pm1((3, 4)), margin=0.5)]


def soft_margin_samples(dtype):
    return _reductions(lambda **kw: SampleInput(T((3, 4)), _pm1((3, 4)), **kw))


def multilabel_samples(dtype):
    return _reductions(lambda **kw: SampleInput(T((3, 4)), _prob((3, 4)), **kw)) + [
        SampleInput(T((3, 4)), _prob((3, 4)), weight=_const((4,), positive=True))]


def triplet_samples(dtype):
    return _reductions(lambda **kw: SampleInput(T((4, 3)), T((4, 3)), T((4, 3)), **kw)) + [
        SampleInput(T((4, 3)), T((4, 3)), T((4, 3)), margin=2.0, p=1, swap=True),
        SampleInput(T((3,)), T((3,)), T((3,))),
    ]


def multi_margin_samples(dtype):
    return _reductions(lambda **kw: SampleInput(T((4, 5)), _cls((4,), 5), **kw)) + [
        SampleInput(T((4, 5)), _cls((4,), 5), p=2, margin=0.5, weight=_const((5,), positive=True)),
        SampleInput(T((5,)), T(array=3, dtype="int64", requires_grad=False)),
    ]


def multilabel_margin_samples(dtype):
    labels = T(array=[[3, 0, -1, 1], [1, 2, 3, -1], [-1, 0, 0, 0]], dtype="int64",
               requires_grad=False)
    return _reductions(lambda **kw: SampleInput(T((3, 4)), labels, **kw))


def triplet_distance_samples(dtype):
    return _reductions(lambda **kw: SampleInput(T((4, 3)), T((4, 3)), T((4, 3)), **kw)) + [
        SampleInput(T((4, 3)), T((4, 3)), T((4, 3)), margin=2.0, swap=True)]


def ctc_samples(dtype):
    padded = T(array=[[1, 2, 2], [3, 1, 0]], dtype="int64", requires_grad=False)
    return [SampleInput(T((6, 2, 4)), padded, [6, 5], [3, 2], reduction=r)
            for r in ("mean", "sum", "none")] + [
        SampleInput(T((6, 2, 4)), T(array=[1, 2, 3], dtype="int64", requires_grad=False),
                    [6, 4], [2, 1], blank=3),
        SampleInput(T((6, 4)), T(array=[1, 2], dtype="int64", requires_grad=False), [6], [2]),
    ]


def embedding_samples(dtype):
    return [
        SampleInput(_cls((2, 3), 6), T((6, 4))),
        SampleInput(T(array=2, dtype="int64", requires_grad=False), T((6, 4))),
        SampleInput(_cls((0,), 6), T((6, 4))),
        SampleInput(_cls((3, 2), 6), T((6, 4), noncontig=True)),
        # padding_idx and scale_grad_by_freq change the gradient on purpose (no gradcheck);
        # tests/nn/test_nn_sparse.py compares them with torch
    ]


def embedding_bag_samples(dtype):
    offsets = T(array=[0, 2, 2, 5], dtype="int64", requires_grad=False)
    index = T(array=[1, 2, 4, 5, 4, 3, 2, 0], dtype="int64", requires_grad=False)
    return [
        SampleInput(index, T((6, 3)), offsets),
        SampleInput(index, T((6, 3)), offsets, mode="sum", padding_idx=2),
        SampleInput(index, T((6, 3)), offsets, mode="max"),
        SampleInput(_cls((3, 4), 6), T((6, 3)), mode="sum"),
        SampleInput(_cls((3, 4), 6), T((6, 3)), mode="sum", per_sample_weights=T((3, 4))),
    ]


def one_hot_samples(dtype):
    # num_classes=-1 (inferred from the values) is covered in tests/nn/test_nn_sparse.py:
    # it cannot work on the meta device
    return [SampleInput(_cls((4,), 5), 5), SampleInput(_cls((2, 3), 4), 6),
            SampleInput(_cls((0,), 4), 3)]


def normalize_samples(dtype):
    return [SampleInput(T((3, 4))), SampleInput(T((3, 4)), p=1, dim=0),
            SampleInput(T((2, 3, 4), noncontig=True), dim=-1),
            SampleInput(T((3, 4)), p=float("inf"))]


def cosine_similarity_samples(dtype):
    return [SampleInput(T((4, 3)), T((4, 3))), SampleInput(T((2, 3, 4)), T((3, 1)), dim=-1),
            SampleInput(T((5,)), T((5,)), dim=0), SampleInput(T((4, 3), noncontig=True),
                                                             T((1, 3)), eps=1e-3)]


def pairwise_distance_samples(dtype):
    return [SampleInput(T((4, 3)), T((4, 3))), SampleInput(T((4, 3)), T((3,)), p=1),
            SampleInput(T((4, 3)), T((4, 3)), keepdim=True, eps=0.1),
            SampleInput(T((4, 3), noncontig=True), T((4, 3)), p=float("inf"))]


def pdist_samples(dtype):
    return [SampleInput(T((5, 3))), SampleInput(T((4, 2)), 1), SampleInput(T((4, 3)), 3.0)]


def cdist_samples(dtype):
    return [SampleInput(T((4, 3)), T((5, 3))), SampleInput(T((2, 4, 3)), T((5, 3)), 1.0),
            SampleInput(T((4, 3)), T((5, 3)), compute_mode="use_mm_for_euclid_dist"),
            SampleInput(T((30, 2)), T((3, 2))), SampleInput(T((4, 3), noncontig=True),
                                                             T((2, 3)), float("inf"))]


def _class_errors():
    return [ErrorInput(SampleInput(T((3, 5)), T(array=[1, 2, 9], dtype="int64")), IndexError),
            ErrorInput(SampleInput(T((3, 5)), T(array=[1, 2, 3], dtype="int32")), RuntimeError)]


def _loss(name, samples, dtypes=ALL_FLOATS, **kw):
    return OpInfo(F + name, samples, dtypes=dtypes, **kw)


_LOW_TOL = {"float16": 3e-2, "bfloat16": 1e-1}

OPS = [
    _loss("cross_entropy", cross_entropy_samples, errors=_class_errors, atol=_LOW_TOL,
          rtol=_LOW_TOL),
    _loss("nll_loss", nll_loss_samples, errors=_class_errors),
    _loss("mse_loss", pair_samples, atol=_LOW_TOL, rtol=_LOW_TOL),
    _loss("l1_loss", pair_samples, atol=_LOW_TOL, rtol=_LOW_TOL),
    _loss("smooth_l1_loss", lambda d: pair_samples(d) + pair_samples(d, beta=0.5)[:1],
          atol=_LOW_TOL, rtol=_LOW_TOL),
    _loss("huber_loss", lambda d: pair_samples(d) + pair_samples(d, delta=0.5)[:1],
          atol=_LOW_TOL, rtol=_LOW_TOL),
    _loss("binary_cross_entropy", bce_samples, atol=_LOW_TOL, rtol=_LOW_TOL),
    _loss("binary_cross_entropy_with_logits", bce_logits_samples, atol=_LOW_TOL, rtol=_LOW_TOL),
    _loss("kl_div", kl_div_samples, atol=_LOW_TOL, rtol=_LOW_TOL),
    _loss("poisson_nll_loss", poisson_samples, atol=_LOW_TOL, rtol=_LOW_TOL),
    _loss("gaussian_nll_loss", gaussian_samples, atol=_LOW_TOL, rtol=_LOW_TOL),
    _loss("cosine_embedding_loss", cosine_embedding_samples, atol=_LOW_TOL, rtol=_LOW_TOL),
    _loss("margin_ranking_loss", margin_ranking_samples, atol=_LOW_TOL, rtol=_LOW_TOL),
    _loss("hinge_embedding_loss", hinge_samples, atol=_LOW_TOL, rtol=_LOW_TOL),
    _loss("soft_margin_loss", soft_margin_samples, atol=_LOW_TOL, rtol=_LOW_TOL),
    _loss("multilabel_soft_margin_loss", multilabel_samples, atol=_LOW_TOL, rtol=_LOW_TOL),
    _loss("triplet_margin_loss", triplet_samples, atol=_LOW_TOL, rtol=_LOW_TOL),
    _loss("multi_margin_loss", multi_margin_samples, dtypes=FLOATS),
    _loss("multilabel_margin_loss", multilabel_margin_samples, dtypes=FLOATS),
    _loss("triplet_margin_with_distance_loss", triplet_distance_samples, atol=_LOW_TOL,
          rtol=_LOW_TOL),
    # NOTE: torch's CTC gradient is exp(lp) - exp(lcab + nll - lp), not the Jacobian of the
    # loss (it is the logits' gradient after a log_softmax), so gradcheck cannot apply;
    # tests/nn/test_nn_loss.py compares ember's gradient with torch's.
    _loss("ctc_loss", ctc_samples, dtypes=FLOATS, differentiable=False),
    _loss("embedding", embedding_samples),
    _loss("embedding_bag", embedding_bag_samples, dtypes=FLOATS),
    _loss("one_hot", one_hot_samples, dtypes=("int64",), differentiable=False),
    _loss("normalize", normalize_samples, atol=_LOW_TOL, rtol=_LOW_TOL),
    _loss("cosine_similarity", cosine_similarity_samples, atol=_LOW_TOL, rtol=_LOW_TOL),
    _loss("pairwise_distance", pairwise_distance_samples, atol=_LOW_TOL, rtol=_LOW_TOL),
    _loss("pdist", pdist_samples, dtypes=FLOATS),
    OpInfo("cdist", cdist_samples, dtypes=FLOATS, atol={"float32": 1e-4}, rtol={"float32": 1e-4}),
]

"""Registry entries for the activation, dropout and normalization functionals in
``nn.functional`` (dropout only in its deterministic forms: p=0 or training=False)."""
import numpy as np

from . import ALL_FLOATS, FLOATS, INTS, NUMERIC, ErrorInput, OpInfo, SampleInput, T


def unary_samples(dtype, **kwargs):
    return [
        SampleInput(T((3, 4)), **kwargs),
        SampleInput(T(()), **kwargs),
        SampleInput(T((0, 3)), **kwargs),
        SampleInput(T((2, 3, 4), noncontig=True), **kwargs),
    ]


def _with(*variants):
    """Samples of every unary shape, once per kwargs variant."""
    def samples(dtype):
        out = []
        for kw in variants:
            out.extend(unary_samples(dtype, **kw))
        return out
    return samples


def _inplace_samples(*variants):
    def samples(dtype):
        out = _with(*variants)(dtype)
        # in-place on a non-leaf-free input (no grad): both libraries write into it
        out.append(SampleInput(T((3, 4), requires_grad=False), **dict(variants[0],
                                                                          inplace=True)))
        return out
    return samples


def prelu_samples(dtype):
    return [
        SampleInput(T((2, 3, 4)), T((3,), positive=True)),
        SampleInput(T((2, 3)), T((1,))),
        SampleInput(T((5,)), T((), positive=True)),
        SampleInput(T((2, 3, 2, 2), noncontig=True), T((3,))),
    ]


def softmax_samples(dtype):
    return [
        SampleInput(T((3, 4)), 1),
        SampleInput(T((3, 4)), dim=0),
        SampleInput(T((2, 3, 4)), -1),
        SampleInput(T(()), 0),
        SampleInput(T((0, 3)), 1),
        SampleInput(T((2, 3, 4), noncontig=True), dim=1),
        SampleInput(T((3, 4), low=20, high=90), 1),
        SampleInput(T((3, 4)), 1, dtype="dtype:float64"),
    ]


def glu_samples(dtype):
    return [SampleInput(T((3, 4))), SampleInput(T((4, 3)), 0), SampleInput(T((2, 3, 6)), dim=-1),
            SampleInput(T((2, 6), noncontig=True)), SampleInput(T((0, 2)))]


def _stat(shape=(3,), positive=False):
    return T(shape, positive=positive, requires_grad=False)


def batch_norm_samples(dtype):
    return [
        SampleInput(T((4, 3)), _stat(), _stat(positive=True), T((3,)), T((3,)), True),
        SampleInput(T((4, 3, 5)), _stat(), _stat(positive=True), T((3,)), T((3,)),
                    training=True, momentum=0.3),
        SampleInput(T((2, 3, 2, 3)), _stat(), _stat(positive=True), T((3,)), T((3,))),
        SampleInput(T((4, 3, 5), noncontig=True), None, None, T((3,)), None, True),
        SampleInput(T((4, 3)), _stat(), _stat(positive=True), training=True, eps=1e-3),
        SampleInput(T((1, 3)), None, None, training=True),       # one value per channel
    ]


def layer_norm_samples(dtype):
    return [
        SampleInput(T((3, 4)), (4,), T((4,)), T((4,))),
        SampleInput(T((2, 3, 4)), [3, 4], T((3, 4)), None, eps=1e-3),
        SampleInput(T((2, 3, 4), noncontig=True), (4,)),
        SampleInput(T((0, 4)), (4,), T((4,)), T((4,))),
        SampleInput(T((3, 4)), (3,)),                              # shape mismatch
    ]


def group_norm_samples(dtype):
    return [
        SampleInput(T((2, 4, 3)), 2, T((4,)), T((4,))),
        SampleInput(T((2, 6, 2, 2)), 3, T((6,)), None, eps=1e-3),
        SampleInput(T((3, 4)), 2),
        SampleInput(T((2, 4, 3), noncontig=True), 1, T((4,)), T((4,))),
        SampleInput(T((2, 3, 3)), 2),                              # 3 channels, 2 groups
    ]


def instance_norm_samples(dtype):
    return [
        SampleInput(T((2, 3, 5))),
        SampleInput(T((2, 3, 5)), _stat(), _stat(positive=True), T((3,)), T((3,))),
        SampleInput(T((2, 3, 2, 3), noncontig=True), None, None, T((3,)), T((3,)),
                    momentum=0.5),
        SampleInput(T((2, 3, 4)), _stat(), _stat(positive=True), use_input_stats=False),
    ]


def rms_norm_samples(dtype):
    return [
        SampleInput(T((3, 4)), (4,), T((4,))),
        SampleInput(T((2, 3, 4)), [3, 4], None, 1e-3),
        SampleInput(T((2, 3, 4), noncontig=True), (4,), eps=None),
        SampleInput(T((0, 4)), (4,)),
    ]


def lrn_samples(dtype):
    return [
        SampleInput(T((2, 5, 3)), 3),
        SampleInput(T((2, 4, 3, 3)), 2, alpha=0.1, beta=0.5, k=2.0),
        SampleInput(T((1, 6, 2, 2, 2)), 4),
        SampleInput(T((2, 5, 3), noncontig=True), 1),
    ]


def dropout_samples(dtype):
    return [
        SampleInput(T((3, 4)), 0.5, False),
        SampleInput(T((3, 4)), p=0.0),
        SampleInput(T((2, 3, 4), noncontig=True), 0.2, training=False),
        SampleInput(T((3, 4)), 1.5),                                # bad p
    ]


def feature_dropout_samples(ndim):
    def samples(dtype):
        shape = (2, 3, 4, 4, 4)[:ndim]
        return [SampleInput(T(shape), 0.5, False), SampleInput(T(shape), p=0.0),
                SampleInput(T(shape), -0.1)]
    return samples


def _errors(*items):
    return lambda: [ErrorInput(SampleInput(*args, **kwargs), exc, words)
                    for args, kwargs, exc, words in items]


def _act(name, samples, dtypes=ALL_FLOATS, **kw):
    return OpInfo(f"nn.functional.{name}", samples, dtypes=dtypes, **kw)


OPS = [
    _act("relu", _inplace_samples({}), dtypes=NUMERIC),
    _act("relu6", _inplace_samples({}), dtypes=NUMERIC),
    _act("leaky_relu", _inplace_samples({}, {"negative_slope": 0.2})),
    _act("prelu", prelu_samples),
    _act("elu", _inplace_samples({}, {"alpha": 0.5})),
    _act("selu", _inplace_samples({})),
    _act("celu", _inplace_samples({"alpha": 2.0})),
    _act("gelu", _with({}, {"approximate": "tanh"}),
         errors=_errors(((T((3,)),), {"approximate": "fast"}, RuntimeError, ("gelu",)))),
    _act("silu", _inplace_samples({})),
    _act("mish", _inplace_samples({})),
    _act("hardtanh", _inplace_samples({}, {"min_val": -2.0, "max_val": 0.5}), dtypes=NUMERIC),
    _act("hardsigmoid", _inplace_samples({})),
    _act("hardswish", _inplace_samples({})),
    _act("hardshrink", _with({}, {"lambd": 1.0})),
    _act("softshrink", _with({}, {"lambd": 1.0})),
    _act("tanhshrink", _with({})),
    _act("softplus", _with({}, {"beta": 2.0, "threshold": 3.0})),
    _act("softsign", _with({})),
    _act("threshold", _inplace_samples({"threshold": 0.5, "value": -2.0}), dtypes=NUMERIC),
    _act("logsigmoid", _with({})),
    _act("sigmoid", _with({})),
    _act("tanh", _with({})),
    _act("softmax", softmax_samples),
    _act("softmin", softmax_samples),
    _act("log_softmax", softmax_samples),
    _act("glu", glu_samples,
         errors=_errors(((T((3,)),), {}, RuntimeError, ("glu",)))),
    _act("rrelu", _with({}, {"lower": 0.1, "upper": 0.3})),
    _act("batch_norm", batch_norm_samples),
    _act("layer_norm", layer_norm_samples),
    _act("group_norm", group_norm_samples),
    _act("instance_norm", instance_norm_samples),
    _act("rms_norm", rms_norm_samples),
    _act("local_response_norm", lrn_samples),
    _act("dropout", dropout_samples),
    _act("alpha_dropout", dropout_samples),
    _act("dropout1d", feature_dropout_samples(3)),
    _act("dropout2d", feature_dropout_samples(4)),
    _act("dropout3d", feature_dropout_samples(5)),
    _act("feature_alpha_dropout", feature_dropout_samples(4)),
]

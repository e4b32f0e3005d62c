"""Registry entries for creation and random ops.

Factories without tensor inputs (zeros, arange, linspace ...) take the dtype under test
as ``dtype=``; their values, dtypes and shapes are compared with torch (they have no
tensor to move to the meta device, so tests/test_creation.py covers device='meta').

Ops whose values are random (or uninitialised: empty) cannot match torch's numbers;
their entries go through ``_zeroed``, which compares shape, dtype and device (and
which calls torch refuses) -- the distributions are tested in tests/test_random.py.
"""
from . import ALL, ALL_FLOATS, NUMERIC, ErrorInput, OpInfo, SampleInput, T


def _dt(dtype):
    return f"dtype:{dtype}"


def _zeroed(name):
    """(ember_fn, torch_fn) returning zeros_like(result): compares everything but values."""
    def ember_fn(*args, **kwargs):
        import ember
        return ember.zeros_like(getattr(ember, name)(*args, **kwargs))

    def torch_fn(*args, **kwargs):
        import torch
        return torch.zeros_like(getattr(torch, name)(*args, **kwargs))
    return dict(ember_fn=ember_fn, torch_fn=torch_fn)


def _factory(name, samples, dtypes, zeroed=False, **kwargs):
    extra = _zeroed(name) if zeroed else {}
    return OpInfo(name, samples, dtypes=dtypes, differentiable=False, meta=False, **extra,
                  **kwargs)


def _sizes(dtype):
    return [SampleInput(2, 3, dtype=_dt(dtype)), SampleInput((0, 2), dtype=_dt(dtype)),
            SampleInput([], dtype=_dt(dtype)), SampleInput(size=(4,), dtype=_dt(dtype))]


def _arange(dtype):
    return [SampleInput(5, dtype=_dt(dtype)), SampleInput(-3, 7, 2, dtype=_dt(dtype)),
            SampleInput(5, 0, -1, dtype=_dt(dtype)), SampleInput(0.5, 3.7, 0.4, dtype=_dt(dtype)),
            SampleInput(0, 0, dtype=_dt(dtype)), SampleInput(0, 5, 0, dtype=_dt(dtype))]


def _space(dtype, log=False):
    extra = {"base": 2.0} if log else {}
    return [SampleInput(0, 10, 5, dtype=_dt(dtype)), SampleInput(-2, 2, 7, dtype=_dt(dtype)),
            SampleInput(3, -1, 4, dtype=_dt(dtype), **extra),
            SampleInput(1, 1, 1, dtype=_dt(dtype)),
            SampleInput(0, 1, 0, dtype=_dt(dtype)), SampleInput(0, 1, -1, dtype=_dt(dtype))]


def _eye(dtype):
    return [SampleInput(3, dtype=_dt(dtype)), SampleInput(2, 4, dtype=_dt(dtype)),
            SampleInput(0, dtype=_dt(dtype)), SampleInput(-1, dtype=_dt(dtype))]


def _tri(dtype):
    return [SampleInput(3, 3, dtype=_dt(dtype)), SampleInput(3, 5, 1, dtype=_dt(dtype)),
            SampleInput(4, 2, -1, dtype=_dt(dtype)), SampleInput(0, 3, dtype=_dt(dtype))]


def _full(dtype):
    return [SampleInput((2, 3), 1, dtype=_dt(dtype)), SampleInput([2], 0.5, dtype=_dt(dtype)),
            SampleInput((), True, dtype=_dt(dtype)), SampleInput((0,), 7, dtype=_dt(dtype))]


def _scalar(dtype):
    return [SampleInput(3, dtype=_dt(dtype)), SampleInput(-1.5, dtype=_dt(dtype)),
            SampleInput(True, dtype=_dt(dtype))]


def _like(dtype):
    return [SampleInput(T((2, 3))), SampleInput(T(())), SampleInput(T((0, 2))),
            SampleInput(T((2, 3), noncontig=True)), SampleInput(T((2,)), dtype="dtype:float64")]


def _full_like(dtype):
    return [SampleInput(T((2, 3)), 1), SampleInput(T(()), 0.5),
            SampleInput(T((2, 3), noncontig=True), True), SampleInput(T((0,)), 2)]


def _meshgrid(dtype):
    return [SampleInput(T((3,)), T((2,)), indexing="ij"),
            SampleInput(T((3,)), T((2,)), T((4,)), indexing="xy"),
            SampleInput([T((3,)), T(())], indexing="ij"),
            SampleInput(T((2,), noncontig=True), T((0,)), indexing="xy"),
            SampleInput(T((3,)), indexing="xy")]


def _empty_strided(dtype):
    return [SampleInput((2, 3), (1, 2), dtype=_dt(dtype)),
            SampleInput((2, 3), (3, 1), dtype=_dt(dtype)),
            SampleInput((0, 3), (3, 1), dtype=_dt(dtype))]


# -- random ops --------------------------------------------------------------------

def _randint(dtype):
    return [SampleInput(10, (3,), dtype=_dt(dtype)), SampleInput(-5, 5, (2, 3), dtype=_dt(dtype)),
            SampleInput(0, 2, (0,), dtype=_dt(dtype)), SampleInput(3, 3, (2,), dtype=_dt(dtype))]


def _randperm(dtype):
    return [SampleInput(5, dtype=_dt(dtype)), SampleInput(0, dtype=_dt(dtype)),
            SampleInput(300, dtype=_dt(dtype))]


def _normal(dtype):
    return [SampleInput(T((2, 3)), T((3,), positive=True)), SampleInput(T((2, 3)), 2.0),
            SampleInput(1.0, T((3,), positive=True)), SampleInput(T(())),
            SampleInput(T((2, 1), noncontig=True), T((3,), positive=True)),
            SampleInput(T((3,)), -1.0)]


def _bernoulli(dtype):
    samples = [SampleInput(T((3, 4)), 0.3), SampleInput(T(()), p=1.0),
               SampleInput(T((2, 3), noncontig=True), 0.0)]
    if dtype in ALL_FLOATS:
        samples += [SampleInput(T((3, 4), low=0, high=1)), SampleInput(T((0, 2), low=0, high=1)),
                    SampleInput(T((2, 3), low=0, high=1, noncontig=True))]
    return samples


def _multinomial(dtype):
    return [SampleInput(T((4,), low=0.1, high=1.0), 2),
            SampleInput(T((3, 5), low=0.1, high=1.0), 3, True),
            SampleInput(T((2, 4), low=0.1, high=1.0, noncontig=True), 4),
            SampleInput(T((0, 3), low=0.1, high=1.0), 1)]


def _random_like(dtype):
    return [SampleInput(T((2, 3))), SampleInput(T(())), SampleInput(T((0, 2))),
            SampleInput(T((2, 3), noncontig=True), dtype="dtype:float64")]


def _randint_like(dtype):
    return [SampleInput(T((2, 3)), 5), SampleInput(T(()), 1, 5),
            SampleInput(T((2, 3), noncontig=True), 0, 2), SampleInput(T((3,)), 4, 4)]


def _poisson(dtype):
    return [SampleInput(T((2, 3), positive=True)), SampleInput(T(()), positive=True),
            SampleInput(T((0, 3), positive=True))]


def _multinomial_errors():
    return [ErrorInput(SampleInput(T((4,), low=0.1, high=1.0), 5), RuntimeError,
                       ("multinomial",)),
            ErrorInput(SampleInput(T((2, 2, 2), low=0.1, high=1.0), 1), RuntimeError,
                       ("multinomial",))]


def _normal_errors():
    return [ErrorInput(SampleInput(T((3,)), T((4,), positive=True)), RuntimeError, ("normal",))]


OPS = [
    _factory("zeros", _sizes, ALL),
    _factory("ones", _sizes, ALL),
    _factory("empty", _sizes, ALL, zeroed=True),
    _factory("full", _full, ALL),
    _factory("scalar_tensor", _scalar, ALL),
    _factory("arange", _arange, NUMERIC),
    _factory("linspace", _space, NUMERIC),
    _factory("logspace", lambda d: _space(d, log=True), NUMERIC),
    _factory("eye", _eye, ALL),
    _factory("tril_indices", _tri, ("int32", "int64", "float32")),
    _factory("triu_indices", _tri, ("int32", "int64", "float32")),
    _factory("empty_strided", _empty_strided, ALL, zeroed=True),
    OpInfo("zeros_like", _like, dtypes=ALL, differentiable=False),
    OpInfo("ones_like", _like, dtypes=ALL, differentiable=False),
    OpInfo("empty_like", _like, dtypes=ALL, differentiable=False, **_zeroed("empty_like")),
    OpInfo("full_like", _full_like, dtypes=ALL, differentiable=False),
    OpInfo("meshgrid", _meshgrid, dtypes=ALL),
    # random: shapes, dtypes, devices and refusals (values in tests/test_random.py)
    _factory("rand", _sizes, ALL_FLOATS + ("int64",), zeroed=True),
    _factory("randn", _sizes, ALL_FLOATS + ("int64",), zeroed=True),
    _factory("randint", _randint, ALL, zeroed=True),
    _factory("randperm", _randperm, NUMERIC + ("bool",), zeroed=True),
    OpInfo("normal", _normal, dtypes=ALL_FLOATS, differentiable=False, errors=_normal_errors,
           **_zeroed("normal")),
    OpInfo("bernoulli", _bernoulli, dtypes=ALL, differentiable=False, **_zeroed("bernoulli")),
    OpInfo("multinomial", _multinomial, dtypes=ALL_FLOATS, differentiable=False,
           errors=_multinomial_errors, **_zeroed("multinomial")),
    OpInfo("rand_like", _random_like, dtypes=ALL_FLOATS, differentiable=False,
           **_zeroed("rand_like")),
    OpInfo("randn_like", _random_like, dtypes=ALL_FLOATS, differentiable=False,
           **_zeroed("randn_like")),
    OpInfo("randint_like", _randint_like, dtypes=ALL, differentiable=False,
           **_zeroed("randint_like")),
    OpInfo("poisson", _poisson, dtypes=ALL_FLOATS, differentiable=False, **_zeroed("poisson")),
]

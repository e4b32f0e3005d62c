"""Registry entries for ember.fft (names resolve as attributes: ``fft.rfft``).

Gradients of complex outputs are compared with torch's; float64 gradcheck sees
complex outputs through view_as_real (tests/test_ops.py).
"""
from . import COMPLEX, FLOATS, ErrorInput, OpInfo, SampleInput, T

ANY = FLOATS + COMPLEX


def _one_dim(dtype):
    return [
        SampleInput(T((5,))),
        SampleInput(T((3, 4)), n=6, dim=0, norm="ortho"),     # zero-padded
        SampleInput(T((3, 4)), n=2, norm="forward"),          # trimmed
        SampleInput(T((2, 3), noncontig=True), dim=-1, norm="backward"),
        SampleInput(T((2, 1, 3)), None, 1),
    ]


def _inverse_real(dtype):
    """irfft/hfft: the output size n, default 2 * (m - 1), odd sizes too."""
    return [
        SampleInput(T((4,))),
        SampleInput(T((5,)), n=9),
        SampleInput(T((3, 5)), n=4, dim=0, norm="ortho"),
        SampleInput(T((3, 5)), n=11, norm="forward"),
        SampleInput(T((2, 3), noncontig=True)),
    ]


def _two_dims(dtype):
    return [
        SampleInput(T((3, 4))),
        SampleInput(T((2, 3, 4)), s=(5, 2)),
        SampleInput(T((3, 4)), norm="ortho", dim=(0, 1)),
        SampleInput(T((2, 3, 4), noncontig=True), dim=(0, -1), norm="forward"),
    ]


def _n_dims(dtype):
    return [
        SampleInput(T((2, 3, 4))),
        SampleInput(T((2, 3, 4)), s=(3, -1), dim=(0, 2), norm="forward"),
        SampleInput(T((2, 3, 4)), s=(5,)),
        SampleInput(T((3, 4)), dim=1, norm="ortho"),
    ]


def _irfft_n_dims(dtype):
    return [
        SampleInput(T((2, 3, 4))),
        SampleInput(T((2, 3, 4)), s=(3, 6), dim=(0, 1)),
        SampleInput(T((3, 4)), s=(5, 5), norm="ortho"),
        SampleInput(T((3, 4)), dim=0, norm="forward"),
    ]


def _shift(dtype):
    return [
        SampleInput(T((3, 4))),
        SampleInput(T((3, 5)), dim=1),
        SampleInput(T((2, 3, 5)), dim=(0, -1)),
        SampleInput(T(())),
    ]


def _fft_errors():
    return [
        ErrorInput(SampleInput(T((4,)), n=0), RuntimeError, ("fft",)),
        ErrorInput(SampleInput(T((4,)), norm="bad"), RuntimeError, ("fft",)),
        ErrorInput(SampleInput(T((4,)), dim=2), IndexError, ()),
        ErrorInput(SampleInput(T((4,), dtype="float16")), RuntimeError, ("fft",)),
    ]


def _real_input_error(op):
    return lambda: [ErrorInput(SampleInput(T((4,), dtype="complex64")), RuntimeError, (op,))]


def _fftn_errors():
    return [
        ErrorInput(SampleInput(T((2, 3)), s=(2, 3), dim=(0,)), RuntimeError, ("fftn",)),
        ErrorInput(SampleInput(T((2, 3)), dim=(0, 0)), RuntimeError, ("fftn",)),
    ]


def _fft(name, samples, dtypes=ANY, **kw):
    return OpInfo("fft." + name, samples, dtypes=dtypes, grad_dtypes=dtypes,
                  atol={"complex64": 1e-4, "float32": 1e-4},
                  rtol={"complex64": 1e-4, "float32": 1e-4}, **kw)


OPS = [
    _fft("fft", _one_dim, errors=_fft_errors),
    _fft("ifft", _one_dim),
    _fft("rfft", _one_dim, dtypes=FLOATS, errors=_real_input_error("rfft")),
    _fft("irfft", _inverse_real),
    _fft("hfft", _inverse_real),
    _fft("ihfft", _one_dim, dtypes=FLOATS, errors=_real_input_error("ihfft")),
    _fft("fft2", _two_dims),
    _fft("ifft2", _two_dims),
    _fft("rfft2", _two_dims, dtypes=FLOATS),
    _fft("irfft2", _irfft_n_dims),
    _fft("fftn", _n_dims, errors=_fftn_errors),
    _fft("ifftn", _n_dims),
    _fft("rfftn", _n_dims, dtypes=FLOATS),
    _fft("irfftn", _irfft_n_dims),
    _fft("fftshift", _shift),
    _fft("ifftshift", _shift),
]

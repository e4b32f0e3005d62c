"""Lazy layers: LazyConv*, LazyConvTranspose*, LazyBatchNorm*, LazyInstanceNorm*.

A lazy layer holds ``UninitializedParameter``/``UninitializedBuffer`` placeholders until
its first forward call; it then reads the channel count from the input, gives the
placeholders their shapes, initialises them as the regular layer would, and turns into
that regular layer (``cls_to_become``), exactly as torch's ``LazyModuleMixin`` does.
"""
from ... import _dtype as D
from ..parameter import UninitializedBuffer, UninitializedParameter
from .conv import (Conv1d, Conv2d, Conv3d, ConvTranspose1d, ConvTranspose2d, ConvTranspose3d)
from .normalization import (BatchNorm1d, BatchNorm2d, BatchNorm3d, InstanceNorm1d,
                            InstanceNorm2d, InstanceNorm3d)

__all__ = ["LazyConv1d", "LazyConv2d", "LazyConv3d", "LazyConvTranspose1d",
           "LazyConvTranspose2d", "LazyConvTranspose3d", "LazyBatchNorm1d", "LazyBatchNorm2d",
           "LazyBatchNorm3d", "LazyInstanceNorm1d", "LazyInstanceNorm2d", "LazyInstanceNorm3d"]


def _is_uninitialized(t):
    return isinstance(t, (UninitializedParameter, UninitializedBuffer))


class LazyModuleMixin:
    """Shape inference at the first call, then the class becomes ``cls_to_become``.

    >>> m = ember.nn.LazyConv2d(4, 3); _ = m(ember.randn(1, 2, 5, 5)); type(m).__name__
    'Conv2d'
    """

    cls_to_become = None

    def has_uninitialized_params(self):
        """True while any parameter or buffer is still a placeholder."""
        return any(_is_uninitialized(t) for t in
                   list(self._parameters.values()) + list(self._buffers.values()))

    def initialize_parameters(self, *args, **kwargs):
        raise NotImplementedError

    def _after_materialize(self):
        """Hook to sync shape attributes when a state_dict (not a forward) materialised."""

    def forward(self, *args, **kwargs):
        self.initialize_parameters(*args, **kwargs)
        if self.has_uninitialized_params():
            raise RuntimeError(f"module {self._get_name()} has not been fully initialized")
        self._after_materialize()
        if self.cls_to_become is not None:
            self.__class__ = self.cls_to_become
        return self.forward(*args, **kwargs)


# ---------------------------------------------------------------------------------------
# convolutions

class _LazyConvMixin(LazyModuleMixin):
    def _lazy_init(self, out_channels, bias, device, dtype):
        # the regular constructor ran with 0 channels; replace its weights with placeholders
        self.out_channels = out_channels
        self.weight = UninitializedParameter(device=device, dtype=dtype)
        if bias:
            self.bias = UninitializedParameter(device=device, dtype=dtype)
        else:
            self.register_parameter("bias", None)

    def reset_parameters(self):
        if not self.has_uninitialized_params() and self.in_channels != 0:
            super().reset_parameters()

    def _get_in_channels(self, input):
        no_batch = self._dims + 1
        if input.dim() not in (no_batch, no_batch + 1):
            raise RuntimeError(f"Expected {no_batch}D (unbatched) or {no_batch + 1}D (batched) "
                               f"input to {type(self).__name__}, but got input of size: "
                               f"{input.shape}")
        return input.shape[1] if input.dim() == no_batch + 1 else input.shape[0]

    def initialize_parameters(self, input, *args, **kwargs):
        if not self.has_uninitialized_params():
            return
        self.in_channels = self._get_in_channels(input)
        if self.in_channels % self.groups != 0:
            raise ValueError("in_channels must be divisible by groups")
        if self.transposed:
            shape = (self.in_channels, self.out_channels // self.groups) + self.kernel_size
        else:
            shape = (self.out_channels, self.in_channels // self.groups) + self.kernel_size
        self.weight.materialize(shape)
        if self.bias is not None:
            self.bias.materialize((self.out_channels,))
        self.reset_parameters()

    def _after_materialize(self):
        w = self.weight.shape
        self.in_channels = w[0] if self.transposed else w[1] * self.groups


def _make_lazy_conv(regular):
    transposed = regular.__name__.startswith("ConvTranspose")

    if transposed:
        def __init__(self, out_channels, kernel_size, stride=1, padding=0, output_padding=0,
                     groups=1, bias=True, dilation=1, padding_mode="zeros", device=None,
                     dtype=None):
            # bias=False here: no throw-away tensors, as torch does
            regular.__init__(self, 0, 0, kernel_size, stride, padding, output_padding, groups,
                             False, dilation, padding_mode, device, dtype)
            self._lazy_init(out_channels, bias, device, dtype)
    else:
        def __init__(self, out_channels, kernel_size, stride=1, padding=0, dilation=1,
                     groups=1, bias=True, padding_mode="zeros", device=None, dtype=None):
            regular.__init__(self, 0, 0, kernel_size, stride, padding, dilation, groups, False,
                             padding_mode, device, dtype)
            self._lazy_init(out_channels, bias, device, dtype)

    name = "Lazy" + regular.__name__
    doc = (f"A {regular.__name__} whose in_channels is read from the first input "
           f"(``input.size(1)``); it then becomes a {regular.__name__}.")
    return type(name, (_LazyConvMixin, regular),
                {"__init__": __init__, "cls_to_become": regular, "__doc__": doc,
                 "__module__": __name__})


LazyConv1d = _make_lazy_conv(Conv1d)
LazyConv2d = _make_lazy_conv(Conv2d)
LazyConv3d = _make_lazy_conv(Conv3d)
LazyConvTranspose1d = _make_lazy_conv(ConvTranspose1d)
LazyConvTranspose2d = _make_lazy_conv(ConvTranspose2d)
LazyConvTranspose3d = _make_lazy_conv(ConvTranspose3d)


# ---------------------------------------------------------------------------------------
# batch / instance norm

class _LazyNormMixin(LazyModuleMixin):
    def __init__(self, eps=1e-5, momentum=0.1, affine=True, track_running_stats=True,
                 device=None, dtype=None, *, bias=True):
        # the regular constructor builds nothing (affine/tracking off); placeholders follow
        self.cls_to_become.__init__(self, 0, eps, momentum, False, False, device, dtype,
                                    bias=False)
        self.affine = affine
        self.track_running_stats = track_running_stats
        if affine:
            self.weight = UninitializedParameter(device=device, dtype=dtype)
            if bias:
                self.bias = UninitializedParameter(device=device, dtype=dtype)
        if track_running_stats:
            from ... import ops
            self.running_mean = UninitializedBuffer(device=device, dtype=dtype)
            self.running_var = UninitializedBuffer(device=device, dtype=dtype)
            self.num_batches_tracked = ops.tensor(0, dtype=D.int64, device=device)

    def reset_parameters(self):
        if not self.has_uninitialized_params() and self.num_features != 0:
            super().reset_parameters()

    def initialize_parameters(self, input, *args, **kwargs):
        if not self.has_uninitialized_params():
            return
        # NOTE: torch reads dim 1 even for an unbatched instance-norm input
        self.num_features = input.shape[1]
        shape = (self.num_features,)
        if self.affine:
            self.weight.materialize(shape)
            if self.bias is not None:
                self.bias.materialize(shape)
        if self.track_running_stats:
            self.running_mean.materialize(shape)
            self.running_var.materialize(shape)
        self.reset_parameters()

    def _after_materialize(self):
        for t in (self.weight, self.running_mean):
            if t is not None and self.num_features == 0:
                self.num_features = t.shape[0]


def _make_lazy_norm(regular):
    doc = (f"A {regular.__name__} whose num_features is read from the first input "
           f"(``input.size(1)``); it then becomes a {regular.__name__}.")
    return type("Lazy" + regular.__name__, (_LazyNormMixin, regular),
                {"cls_to_become": regular, "__doc__": doc, "__module__": __name__})


LazyBatchNorm1d = _make_lazy_norm(BatchNorm1d)
LazyBatchNorm2d = _make_lazy_norm(BatchNorm2d)
LazyBatchNorm3d = _make_lazy_norm(BatchNorm3d)
LazyInstanceNorm1d = _make_lazy_norm(InstanceNorm1d)
LazyInstanceNorm2d = _make_lazy_norm(InstanceNorm2d)
LazyInstanceNorm3d = _make_lazy_norm(InstanceNorm3d)

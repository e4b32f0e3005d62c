"""Less common layers: FractionalMaxPool2d/3d, AdaptiveLogSoftmaxWithLoss, NLLLoss2d,
SyncBatchNorm, CrossMapLRN2d."""
import warnings
from collections import namedtuple

import numpy as np

from ..._device import array_like, move_array, to_host, xp_of
from ..._tensor import _wrap
from ...autograd.function import Function
from .. import functional as F
from .container import ModuleList, Sequential
from .linear import Linear
from .loss import NLLLoss
from .module import Module
from .normalization import _BatchNorm

__all__ = ["FractionalMaxPool2d", "FractionalMaxPool3d", "AdaptiveLogSoftmaxWithLoss",
           "NLLLoss2d", "SyncBatchNorm", "CrossMapLRN2d"]


def _ntuple(value, n):
    if value is None:
        return None
    if isinstance(value, (list, tuple)):
        return tuple(value)
    return (value,) * n


# ---------------------------------------------------------------------------------------
# fractional max pooling

class _FractionalMaxPoolNd(Module):
    _dims = 2

    def __init__(self, kernel_size, output_size=None, output_ratio=None, return_indices=False,
                 _random_samples=None):
        super().__init__()
        d = self._dims
        name = type(self).__name__
        self.kernel_size = _ntuple(kernel_size, d)
        self.return_indices = return_indices
        # NOTE: torch keeps the fixed samples as a (non-None only when given) buffer
        self.register_buffer("_random_samples", _random_samples)
        self.output_size = _ntuple(output_size, d)
        self.output_ratio = _ntuple(output_ratio, d)
        if output_size is None and output_ratio is None:
            raise ValueError(f"{name} requires specifying either an output size, or a pooling "
                             "ratio")
        if output_size is not None and output_ratio is not None:
            raise ValueError("only one of output_size and output_ratio may be specified")
        if self.output_ratio is not None and not all(0 < r < 1 for r in self.output_ratio):
            raise ValueError(f"output_ratio must be between 0 and 1 (got {output_ratio})")

    def forward(self, input):
        fn = F.fractional_max_pool2d if self._dims == 2 else F.fractional_max_pool3d
        return fn(input, self.kernel_size, self.output_size, self.output_ratio,
                  self.return_indices, _random_samples=self._random_samples)


class FractionalMaxPool2d(_FractionalMaxPoolNd):
    """2-d fractional max pooling with pseudo-random window positions.

    >>> ember.nn.FractionalMaxPool2d(3, output_ratio=(0.5, 0.5))(ember.randn(1, 2, 10, 10)).shape
    torch.Size([1, 2, 5, 5])
    """
    _dims = 2


class FractionalMaxPool3d(_FractionalMaxPoolNd):
    """3-d fractional max pooling over (N, C, T, H, W)."""
    _dims = 3


# ---------------------------------------------------------------------------------------
# adaptive softmax

_ASMoutput = namedtuple("_ASMoutput", ["output", "loss"])


class AdaptiveLogSoftmaxWithLoss(Module):
    """Efficient softmax over many classes (Grave et al., 2016): a head over the frequent
    classes plus one cluster token per tail, each tail a low-rank projection.

    ``forward(input, target)`` gives ``_ASMoutput(output, loss)``: the target classes'
    log-probabilities and their negative mean.

    >>> asm = ember.nn.AdaptiveLogSoftmaxWithLoss(8, 10, cutoffs=[4])
    >>> out = asm(ember.randn(3, 8), ember.tensor([0, 5, 9]))
    >>> out.output.shape, out.loss.shape
    (torch.Size([3]), torch.Size([]))
    """

    def __init__(self, in_features, n_classes, cutoffs, div_value=4.0, head_bias=False,
                 device=None, dtype=None):
        super().__init__()
        cutoffs = list(cutoffs)
        if len(cutoffs) == 0:
            raise ValueError("cutoffs should be a sequence of length larger than 0")
        if (cutoffs != sorted(cutoffs) or min(cutoffs) <= 0 or max(cutoffs) > n_classes - 1
                or len(set(cutoffs)) != len(cutoffs) or any(int(c) != c for c in cutoffs)):
            raise ValueError("cutoffs should be a sequence of unique, positive integers sorted "
                             "in an increasing order, where each value is between 1 and "
                             "n_classes-1")
        kw = {"device": device, "dtype": dtype}
        self.in_features = in_features
        self.n_classes = n_classes
        self.cutoffs = cutoffs + [n_classes]
        self.div_value = div_value
        self.head_bias = head_bias
        self.shortlist_size = self.cutoffs[0]
        self.n_clusters = len(self.cutoffs) - 1
        self.head_size = self.shortlist_size + self.n_clusters
        self.head = Linear(in_features, self.head_size, bias=head_bias, **kw)
        self.tail = ModuleList()
        for i in range(self.n_clusters):
            hidden = int(in_features // (div_value ** (i + 1)))
            size = self.cutoffs[i + 1] - self.cutoffs[i]
            self.tail.append(Sequential(Linear(in_features, hidden, bias=False, **kw),
                                        Linear(hidden, size, bias=False, **kw)))

    def reset_parameters(self):
        self.head.reset_parameters()
        for projection in self.tail:
            for layer in projection:
                layer.reset_parameters()

    def forward(self, input_, target_):
        if target_.dim() == 1:
            if input_.size(0) != target_.size(0):
                raise RuntimeError("Input and target should have the same size in the batch "
                                   "dimension.")
            if input_.dim() != 2:
                raise RuntimeError(f"1D target tensor expects 2D input tensors, but found "
                                   f"inputs with size {input_.size()}")
        elif target_.dim() == 0:
            if input_.dim() != 1:
                raise RuntimeError(f"0D target tensor expects 1D input tensors, but found "
                                   f"inputs with size {input_.size()}")
        else:
            raise RuntimeError("0D or 1D target tensor expected, multi-target not supported")
        batched = target_.dim() > 0
        input = input_ if batched else input_.unsqueeze(0)
        target = target_ if batched else target_.unsqueeze(0)
        labels = to_host(target._data).astype(np.int64)   # host bookkeeping of the clusters
        if labels.size and (labels.min() < 0 or labels.max() >= self.n_classes):
            raise RuntimeError(f"Target values should be in [0, {self.n_classes - 1}], but "
                               f"values in range [{labels.min()}, {labels.max()}] were found. ")
        # which head column each row reads: its class, or its cluster's token
        head_index = labels.copy()
        output = input.new_zeros(labels.shape[0])
        for i in range(self.n_clusters):
            low, high = self.cutoffs[i], self.cutoffs[i + 1]
            rows = np.nonzero((labels >= low) & (labels < high))[0]
            if rows.size == 0:
                continue
            head_index[rows] = self.shortlist_size + i
            rows_t = _wrap(move_array(rows, input._device), input._device)
            cluster_logprob = F.log_softmax(self.tail[i](input.index_select(0, rows_t)), dim=1)
            local = _wrap(move_array((labels[rows] - low)[:, None], input._device), input._device)
            output = output.index_copy(0, rows_t, cluster_logprob.gather(1, local).squeeze(1))
        head_logprob = F.log_softmax(self.head(input), dim=1)
        head_t = _wrap(move_array(head_index[:, None], input._device), input._device)
        output = output + head_logprob.gather(1, head_t).squeeze(1)
        loss = (-output).mean()
        if not batched:
            output = output.squeeze(0)
        return _ASMoutput(output, loss)

    def _get_full_log_prob(self, input, head_output):
        import ember
        head_logprob = F.log_softmax(head_output, dim=1)
        parts = [head_logprob[:, :self.shortlist_size]]
        for i in range(self.n_clusters):
            cluster_logprob = F.log_softmax(self.tail[i](input), dim=1)
            parts.append(cluster_logprob
                         + head_logprob[:, self.shortlist_size + i].unsqueeze(1))
        return ember.cat(parts, dim=1)

    def log_prob(self, input):
        """Log-probabilities of all ``n_classes`` classes, shape (N, n_classes)."""
        return self._get_full_log_prob(input, self.head(input))

    def predict(self, input):
        """The most likely class of each row, shape (N,); same as log_prob(input).argmax(1)."""
        head_output = self.head(input)
        best = head_output.argmax(dim=1)
        # only rows whose best head entry is a cluster token need the full distribution
        if not bool((best >= self.shortlist_size).any()):
            return best
        return self._get_full_log_prob(input, head_output).argmax(dim=1)


# ---------------------------------------------------------------------------------------
# NLLLoss2d, SyncBatchNorm

class NLLLoss2d(NLLLoss):
    """Deprecated alias of NLLLoss (warns FutureWarning on construction, as torch)."""

    def __init__(self, weight=None, size_average=None, ignore_index=-100, reduce=None,
                 reduction="mean"):
        warnings.warn("`NLLLoss2d` has been deprecated. Please use `NLLLoss` instead as a "
                      "drop-in replacement.", FutureWarning, stacklevel=2)
        super().__init__(weight, size_average, ignore_index, reduce, reduction)


class SyncBatchNorm(_BatchNorm):
    """Batch norm whose statistics are synchronised across processes.

    Without an initialised process group (a single process) it is exactly BatchNorm over
    any (N, C, ...) input.

    >>> net = ember.nn.Sequential(ember.nn.Conv2d(1, 2, 3), ember.nn.BatchNorm2d(2))
    >>> type(ember.nn.SyncBatchNorm.convert_sync_batchnorm(net)[1]).__name__
    'SyncBatchNorm'
    """

    def __init__(self, num_features, eps=1e-5, momentum=0.1, affine=True,
                 track_running_stats=True, process_group=None, device=None, dtype=None, *,
                 bias=True):
        super().__init__(num_features, eps, momentum, affine, track_running_stats, device,
                         dtype, bias=bias)
        self.process_group = process_group

    def _check_input_dim(self, input):
        if input.dim() < 2:
            raise ValueError(f"expected at least 2D input (got {input.dim()}D input)")

    def forward(self, input):
        self._check_input_dim(input)
        if input.size(1) == 0:
            raise ValueError("SyncBatchNorm number of input channels should be non-zero")
        # NOTE: ember has no initialised process group here, so no statistics are exchanged
        return super().forward(input)

    @classmethod
    def convert_sync_batchnorm(cls, module, process_group=None):
        """Replace every BatchNorm*D in ``module`` by a SyncBatchNorm sharing its tensors."""
        converted = module
        if isinstance(module, _BatchNorm):
            converted = cls(module.num_features, module.eps, module.momentum, module.affine,
                            module.track_running_stats, process_group,
                            bias=module.bias is not None)
            if module.affine:
                converted.weight = module.weight
                converted.bias = module.bias
            converted.running_mean = module.running_mean
            converted.running_var = module.running_var
            converted.num_batches_tracked = module.num_batches_tracked
            converted.training = module.training
            if hasattr(module, "qconfig"):
                converted.qconfig = module.qconfig
        for name, child in module.named_children():
            converted.add_module(name, cls.convert_sync_batchnorm(child, process_group))
        return converted


# ---------------------------------------------------------------------------------------
# CrossMapLRN2d

def _channel_cumsum(x):
    """Cumulative sums over axis 1 with a leading zero plane: out[:, j] = sum x[:, :j]."""
    zero = np.zeros_like(x[:, :1])
    return np.concatenate([zero, np.cumsum(x, axis=1)], axis=1)


def _cross_map_scale(x, size, alpha, k):
    channels = x.shape[1]
    pre_pad = int((size - 1) / 2 + 1)
    sums = _channel_cumsum(x * x)
    c = np.arange(channels)
    high = np.minimum(c + pre_pad - 1, channels - 1) + 1
    scale = sums[:, high]
    # NOTE: torch's running-window loop never removes channel 0 from the window (its
    # subtraction starts at c > pre_pad), so later windows keep x[:, 0]**2; match it.
    far = c > pre_pad
    if far.any():
        low = np.where(far, c - pre_pad + 1, 1)
        scale = scale - np.where(array_like(far.reshape((1, -1) + (1,) * (x.ndim - 2)), x),
                                 sums[:, low] - sums[:, 1:2], 0)
    return scale * (alpha / size) + k


class _CrossMapLRN2dFn(Function):
    @staticmethod
    def forward(ctx, input, size, alpha, beta, k):
        if input.dim() != 4:
            raise ValueError(f"CrossMapLRN2d: Expected input to be 4D, got {input.dim()}D "
                             "instead.")
        x = input._data
        scale = _cross_map_scale(x, size, alpha, k)
        out = (x * np.power(scale, -beta)).astype(x.dtype)
        ctx.arrays = (x, out, scale.astype(x.dtype))
        ctx.params = (size, alpha, beta)
        return _wrap(out, input._device)

    @staticmethod
    def backward(ctx, grad_output):
        # NOTE: torch's hand-written backward (kept exactly, window offsets included)
        x, out, scale = ctx.arrays
        size, alpha, beta = ctx.params
        g = grad_output._data
        n, channels = x.shape[:2]
        inverse_pre_pad = int(size - (size - 1) / 2)
        padded = xp_of(x).zeros((n, channels + size - 1) + x.shape[2:], dtype=x.dtype)
        padded[:, inverse_pre_pad:inverse_pre_pad + channels] = g * out / scale
        sums = _channel_cumsum(padded)
        c = np.arange(channels)
        accum = sums[:, c + size] - sums[:, c]
        grad = np.power(scale, -beta) * g - (2 * alpha * beta / size) * x * accum
        return _wrap(grad.astype(x.dtype), grad_output._device), None, None, None, None


class CrossMapLRN2d(Module):
    """Local response normalisation across channels (the legacy Lua-torch layer).

    >>> ember.nn.CrossMapLRN2d(3)(ember.randn(1, 4, 2, 2)).shape
    torch.Size([1, 4, 2, 2])
    """

    def __init__(self, size, alpha=1e-4, beta=0.75, k=1):
        super().__init__()
        self.size = size
        self.alpha = alpha
        self.beta = beta
        self.k = k

    def forward(self, input):
        return _CrossMapLRN2dFn.apply(input, self.size, self.alpha, self.beta, self.k)

    def extra_repr(self):
        return f"{self.size}, alpha={self.alpha}, beta={self.beta}, k={self.k}"


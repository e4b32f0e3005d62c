"""``ember.nn.utils``: gradient clipping, parameter/vector conversion, skip_init, packed
sequences (``rnn``), parametrizations and the deprecated weight/spectral norm hooks."""
from . import clip_grad, convert_parameters, init
from . import rnn
from . import parametrize, parametrizations
from . import fusion, stateless
from .fusion import (fuse_conv_bn_eval, fuse_conv_bn_weights, fuse_linear_bn_eval,
                     fuse_linear_bn_weights)
from .weight_norm import weight_norm, remove_weight_norm
from .spectral_norm import spectral_norm, remove_spectral_norm
from .clip_grad import *  # noqa: F401,F403
from .convert_parameters import *  # noqa: F401,F403
from .init import *  # noqa: F401,F403

__all__ = sorted(set(clip_grad.__all__) | set(convert_parameters.__all__) | set(init.__all__)
                 | {"rnn", "parametrize", "parametrizations", "weight_norm", "remove_weight_norm",
                    "spectral_norm", "remove_spectral_norm"})
__all__ = sorted(set(__all__) | set(fusion.__all__) | {"stateless"})

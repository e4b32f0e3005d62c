"""``ember.nn.utils``: gradient clipping, parameter/vector conversion, skip_init."""
from . import clip_grad, convert_parameters, init
from .clip_grad import *  # noqa: F401,F403
from .convert_parameters import *  # noqa: F401,F403
from .init import *  # noqa: F401,F403

__all__ = sorted(set(clip_grad.__all__) | set(convert_parameters.__all__) | set(init.__all__))

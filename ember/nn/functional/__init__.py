"""``ember.nn.functional`` (usually imported as ``F``): the layers as functions."""
from . import linear, conv, pooling, padding, vision, activation, dropout, normalization, loss, sparse, distance, attention
from . import sampling, extra
# computed before the star imports: F.linear / F.dropout (functions) then shadow
# the submodules of the same name, as in torch
__all__ = sorted(set().union(*(m.__all__ for m in (linear, conv, pooling, padding, vision, activation, dropout, normalization, loss, sparse, distance, attention, sampling, extra,))))
from .linear import *  # noqa: F401,F403
from .conv import *  # noqa: F401,F403
from .pooling import *  # noqa: F401,F403
from .padding import *  # noqa: F401,F403
from .vision import *  # noqa: F401,F403
from .activation import *  # noqa: F401,F403
from .dropout import *  # noqa: F401,F403
from .normalization import *  # noqa: F401,F403
from .loss import *  # noqa: F401,F403
from .sparse import *  # noqa: F401,F403
from .distance import *  # noqa: F401,F403
from .attention import *  # noqa: F401,F403
from .sampling import *  # noqa: F401,F403
from .extra import *  # noqa: F401,F403

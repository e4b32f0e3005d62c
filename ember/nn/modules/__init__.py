"""The layers, one file per family; re-exported as ``ember.nn.<Layer>``."""
from . import module, container, linear, flatten, conv, pooling, padding, upsampling, pixelshuffle, fold, activation, dropout, normalization, loss, sparse, distance, rnn, transformer
from . import lazy, extra
from .module import *  # noqa: F401,F403
from .container import *  # noqa: F401,F403
from .linear import *  # noqa: F401,F403
from .flatten import *  # noqa: F401,F403
from .conv import *  # noqa: F401,F403
from .pooling import *  # noqa: F401,F403
from .padding import *  # noqa: F401,F403
from .upsampling import *  # noqa: F401,F403
from .pixelshuffle import *  # noqa: F401,F403
from .fold import *  # noqa: F401,F403
from .activation import *  # noqa: F401,F403
from .dropout import *  # noqa: F401,F403
from .normalization import *  # noqa: F401,F403
from .loss import *  # noqa: F401,F403
from .sparse import *  # noqa: F401,F403
from .distance import *  # noqa: F401,F403
from .transformer import *  # noqa: F401,F403
from .rnn import *  # noqa: F401,F403
from .lazy import *  # noqa: F401,F403
from .extra import *  # noqa: F401,F403

__all__ = sorted(set().union(*(m.__all__ for m in (module, container, linear, flatten, conv, pooling, padding, upsampling, pixelshuffle, fold, activation, dropout, normalization, loss, sparse, distance, rnn, transformer, lazy, extra,))))

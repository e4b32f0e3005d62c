"""The op families. Each module defines its functions, lists them in ``__all__``, and
attaches its Tensor methods; this package re-exports them all."""
from . import creation, linalg, pointwise, random, reduction, shape
from . import indexing, join, rearrange, splitting
from . import extrema, scan, statistics
from .creation import *  # noqa: F401,F403
from .extrema import *  # noqa: F401,F403
from .indexing import *  # noqa: F401,F403
from .join import *  # noqa: F401,F403
from .linalg import *  # noqa: F401,F403
from .pointwise import *  # noqa: F401,F403
from .random import *  # noqa: F401,F403
from .rearrange import *  # noqa: F401,F403
from .reduction import *  # noqa: F401,F403
from .scan import *  # noqa: F401,F403
from .shape import *  # noqa: F401,F403
from .splitting import *  # noqa: F401,F403
from .statistics import *  # noqa: F401,F403

__all__ = sorted(set(creation.__all__) | set(linalg.__all__) | set(pointwise.__all__) | set(reduction.__all__)
                 | set(shape.__all__) | set(random.__all__) | set(indexing.__all__)
                 | set(join.__all__) | set(rearrange.__all__) | set(splitting.__all__)
                 | set(extrema.__all__) | set(scan.__all__) | set(statistics.__all__))

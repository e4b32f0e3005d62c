"""The op families. Each module defines its functions, lists them in ``__all__``, and
attaches its Tensor methods; this package re-exports them all."""
from . import creation, linalg, pointwise, random, reduction, shape
from . import indexing, join, rearrange, splitting
from . import extrema, scan, statistics
from . import complexops, scatter, sorting
from .complexops import *  # noqa: F401,F403
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
from .scatter import *  # noqa: F401,F403
from .shape import *  # noqa: F401,F403
from .sorting import *  # noqa: F401,F403
from .splitting import *  # noqa: F401,F403
from .statistics import *  # noqa: F401,F403

_FAMILIES = (complexops, creation, extrema, indexing, join, linalg, pointwise, random, rearrange,
             reduction, scan, scatter, shape, sorting, splitting, statistics)
__all__ = sorted(set().union(*(family.__all__ for family in _FAMILIES)))

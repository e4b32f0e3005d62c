"""The op families. Each module defines its functions, lists them in ``__all__``, and
attaches its Tensor methods; this package re-exports them all."""
from . import creation, einsum, linalg, pointwise, random, reduction, shape
from . import conv, pooling
from . import indexing, join, rearrange, splitting
from . import extrema, scan, statistics
from . import complexops, composites, floatbits, gamma, scatter, sliding, sorting, windows
from . import surface
from . import tensor_misc  # noqa: F401  (Tensor methods only)
_FAMILIES = (complexops, composites, floatbits, gamma, conv, creation, einsum, extrema, indexing, join, linalg, pointwise, pooling, random, rearrange,
             reduction, scan, scatter, shape, sliding, sorting, splitting, statistics, surface, windows)
__all__ = sorted(set().union(*(family.__all__ for family in _FAMILIES)))
del _FAMILIES

from .complexops import *  # noqa: F401,F403
from .conv import *  # noqa: F401,F403
from .pooling import *  # noqa: F401,F403
from .composites import *  # noqa: F401,F403
from .floatbits import *  # noqa: F401,F403
from .gamma import *  # noqa: F401,F403
from .creation import *  # noqa: F401,F403
from .einsum import *  # noqa: F401,F403
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
from .sliding import *  # noqa: F401,F403
from .sorting import *  # noqa: F401,F403
from .splitting import *  # noqa: F401,F403
from .statistics import *  # noqa: F401,F403
from .surface import *  # noqa: F401,F403
from .windows import *  # noqa: F401,F403


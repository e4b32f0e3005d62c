"""Pointwise ops, one file per concern:

    arithmetic.py  add, sub, rsub, mul, div, true_divide, reciprocal, fmod, remainder,
                   floor_divide, atan2, hypot
    power.py       pow, square, float_power
    composite.py   deg2rad, rad2deg, sinc, xlogy, ldexp, logaddexp, logaddexp2
    unary.py       neg, positive, exp/log, sqrt/rsqrt, trigonometric and hyperbolic,
                   sigmoid, logit, abs, sign, sgn, signbit
    special.py     erf, erfc, erfinv (their NumPy kernels in _erf.py)
    rounding.py    floor, ceil, trunc, round, frac
    compare.py     eq ... ge, isclose, allclose, equal, isnan/isinf/isfinite...,
                   maximum, minimum, fmax, fmin
    logical.py     logical_* and bitwise_*
    ternary.py     where, clamp/clip, nan_to_num, lerp, addcmul, addcdiv
    operators.py   the Python operators and the Tensor methods (METHODS)
    _common.py     the helpers they share

Each op: prepare arrays (promotion as torch), compute with NumPy, wrap, and record a
node only when grad is on and an input requires it.  Backward formulas are in ember
ops, so they are differentiable again.

float16/bfloat16 inputs to composite kernels (sigmoid, erf, pow with a small integer
exponent ...) are computed in float32 and rounded once, as torch's CPU kernels do.
"""
from . import arithmetic, compare, logical, power, rounding, special, ternary, unary
from . import composite
from .arithmetic import *  # noqa: F401,F403
from .compare import *  # noqa: F401,F403
from .logical import *  # noqa: F401,F403
from .power import *  # noqa: F401,F403
from .rounding import *  # noqa: F401,F403
from .special import *  # noqa: F401,F403
from .ternary import *  # noqa: F401,F403
from .unary import *  # noqa: F401,F403
from .composite import *  # noqa: F401,F403
from .operators import METHODS  # noqa: F401  (importing it binds the methods onto Tensor)

# The graph nodes, by their torch names (``y.grad_fn`` is one of these).
from .arithmetic import (AddBackward0, Atan2Backward0, DivBackward0,  # noqa: F401
                         FmodBackward0, FmodBackward1, HypotBackward0, MulBackward0,
                         ReciprocalBackward0, RemainderBackward0, RemainderBackward1,
                         RsubBackward1, SubBackward0)
from .compare import (FmaxBackward0, FminBackward0, MaximumBackward0,  # noqa: F401
                      MinimumBackward0)
from .power import PowBackward0, PowBackward1, PowBackward2  # noqa: F401
from .rounding import (CeilBackward0, FloorBackward0, FracBackward0,  # noqa: F401
                       RoundBackward0, RoundBackward1, TruncBackward0)
from .special import ErfBackward0, ErfcBackward0, ErfinvBackward0  # noqa: F401
from .ternary import (AddcdivBackward0, AddcmulBackward0, ClampBackward0,  # noqa: F401
                      ClampBackward1, ClampMaxBackward0, ClampMaxBackward1,
                      ClampMinBackward0, ClampMinBackward1, LerpBackward0, LerpBackward1,
                      NanToNumBackward0, WhereBackward0)
from .unary import (AbsBackward0, AcosBackward0, AcoshBackward0, AsinBackward0,  # noqa: F401
                    AsinhBackward0, AtanBackward0, AtanhBackward0, CosBackward0,
                    CoshBackward0, Exp2Backward0, ExpBackward0, Expm1Backward0,
                    Log1PBackward0, Log2Backward0, Log10Backward0, LogBackward0,
                    LogitBackward0, NegBackward0, RsqrtBackward0, SgnBackward0,
                    SigmoidBackward0, SignBackward0, SinBackward0, SinhBackward0,
                    SqrtBackward0, TanBackward0, TanhBackward0)

__all__ = sorted(set().union(arithmetic.__all__, compare.__all__, composite.__all__,
                             logical.__all__, power.__all__, rounding.__all__, special.__all__,
                             ternary.__all__, unary.__all__))

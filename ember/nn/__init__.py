"""``ember.nn``: Module, Parameter, the layers, ``functional`` and ``init``."""
from . import functional, init, modules, utils
from .modules import *  # noqa: F401,F403
from .parameter import *  # noqa: F401,F403

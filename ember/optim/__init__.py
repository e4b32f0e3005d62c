"""``ember.optim``: the Optimizer base, one file per optimizer, and lr_scheduler."""
from . import lr_scheduler
from .optimizer import Optimizer

"""``ember.optim``: the Optimizer base, one file per optimizer, and lr_scheduler."""
from . import lr_scheduler
from .adadelta import Adadelta
from .adagrad import Adagrad
from .adam import Adam
from .adamax import Adamax
from .adamw import AdamW
from .asgd import ASGD
from .lbfgs import LBFGS
from .nadam import NAdam
from .optimizer import Optimizer
from .radam import RAdam
from .rmsprop import RMSprop
from .rprop import Rprop
from .sgd import SGD
from .sparse_adam import SparseAdam

__all__ = ["Optimizer", "SGD", "Adam", "AdamW", "RMSprop", "Adagrad", "Adadelta", "Adamax",
           "NAdam", "RAdam", "ASGD", "Rprop", "LBFGS", "SparseAdam", "lr_scheduler",
           "swa_utils"]


def __getattr__(name):
    # swa_utils imports ember.nn; load it on first use so that importing ember.optim
    # never depends on the nn package being importable first.
    if name == "swa_utils":
        import importlib
        return importlib.import_module(__name__ + ".swa_utils")
    raise AttributeError(f"module 'ember.optim' has no attribute '{name}'")

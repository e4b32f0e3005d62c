"""``ember.utils``: data loading and interop helpers."""
from . import data, dlpack
from . import checkpoint

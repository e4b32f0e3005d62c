"""Run an unmodified PyTorch script on ember.

    python -m ember.torch_compat script.py [args ...]

``import torch`` (and ``import torch.nn.functional as F``, ``from torch.utils.data import
DataLoader`` ...) then resolve to ember's modules.  A ``torch`` submodule ember does not
have raises ModuleNotFoundError naming it, and a missing attribute raises AttributeError
naming the torch API, so a script stops at the first thing ember lacks instead of
misbehaving.

From Python, ``ember.torch_compat.install()`` does the same for the current process.
"""
import importlib
import importlib.abc
import importlib.machinery
import importlib.util
import runpy
import sys

_PREFIX = "torch"


class _TorchAlias(importlib.abc.MetaPathFinder, importlib.abc.Loader):
    """Finds ``torch.<x>`` as ``ember.<x>``: the very same module object, so that
    ``torch.nn is ember.nn`` and isinstance checks hold across both names."""

    _own_specs = {}

    def find_spec(self, fullname, path=None, target=None):
        if fullname != _PREFIX and not fullname.startswith(_PREFIX + "."):
            return None
        return importlib.machinery.ModuleSpec(fullname, self)

    def create_module(self, spec):
        target = "ember" + spec.name[len(_PREFIX):]
        try:
            module = importlib.import_module(target)
            # the import system will stamp the torch spec on the module: keep ember's
            self._own_specs[id(module)] = module.__spec__
            return module
        except ModuleNotFoundError as exc:
            if exc.name is not None and not (exc.name == target or target.startswith(exc.name + ".")):
                raise
            raise ModuleNotFoundError(
                f"ember has no equivalent of the module '{spec.name}' (running under "
                f"ember.torch_compat: this PyTorch API is not implemented)",
                name=spec.name) from None

    def exec_module(self, module):
        # The ember module is already executed; importing it under a second name must
        # not run it again.  Put its own spec back.
        spec = self._own_specs.pop(id(module), None)
        if spec is not None:
            module.__spec__ = spec


_FINDER = _TorchAlias()


def install():
    """Make ``import torch`` (and its submodules) resolve to ember in this process."""
    import ember
    if _FINDER not in sys.meta_path:
        sys.meta_path.insert(0, _FINDER)
    for name in [n for n in sys.modules if n == _PREFIX or n.startswith(_PREFIX + ".")]:
        del sys.modules[name]
    sys.modules[_PREFIX] = ember
    return ember


def uninstall():
    """Undo ``install`` (the torch names are forgotten; real torch can be imported again)."""
    if _FINDER in sys.meta_path:
        sys.meta_path.remove(_FINDER)
    for name in [n for n in sys.modules if n == _PREFIX or n.startswith(_PREFIX + ".")]:
        del sys.modules[name]


def main(argv=None):
    argv = sys.argv[1:] if argv is None else list(argv)
    if not argv or argv[0] in ("-h", "--help"):
        print(__doc__.strip())
        return 0 if argv else 2
    script = argv[0]
    install()
    sys.argv = [script] + argv[1:]
    runpy.run_path(script, run_name="__main__")
    return 0


if __name__ == "__main__":
    sys.exit(main())

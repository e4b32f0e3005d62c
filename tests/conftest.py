import os
import sys

sys.path.insert(0, os.path.dirname(__file__))

from hypothesis import settings  # noqa: E402

settings.register_profile("ci", max_examples=30, deadline=None)
settings.register_profile("dev", max_examples=100, deadline=None)
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "ci"))

# EMBER_EMULATE_CUDA=1 runs the cuda-parametrized tests on the CPU through the CuPy
# emulator in tests/fake_cupy (never when a real CuPy is importable).  It finds code
# that breaks CuPy's rules (host arrays mixed in, NumPy functions CuPy lacks); it is
# no substitute for the GPU run.
if os.environ.get("EMBER_EMULATE_CUDA"):
    try:
        import cupy  # noqa: F401
    except ImportError:
        sys.path.insert(0, os.path.join(os.path.dirname(__file__), "fake_cupy"))
        os.environ.setdefault("EMBER_STRICT_DEVICE", "1")

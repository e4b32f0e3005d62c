"""The README's main job on cuda: examples/digits.py --device cuda trains to the same
accuracy bar as on the cpu (batches pinned and copied with non_blocking)."""
import importlib.util
import os

import pytest

import ember

EXAMPLES = os.path.join(os.path.dirname(os.path.dirname(__file__)), "examples")


def _load(name):
    spec = importlib.util.spec_from_file_location(name, os.path.join(EXAMPLES, f"{name}.py"))
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_digits_example_trains_on_cuda(capsys):
    if not ember.cuda.is_available():
        pytest.skip("no cuda device (CuPy and a GPU) for ember")
    pytest.importorskip("sklearn")
    pytest.importorskip("tqdm")
    digits = _load("digits")
    assert digits.main(["--device", "cuda", "--epochs", "15"]) == 0
    out = capsys.readouterr().out
    assert "device cuda" in out and "test accuracy" in out

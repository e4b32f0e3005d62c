"""Unmodified PyTorch scripts (examples/torch_scripts/) run under real torch and under
``python -m ember.torch_compat``; their printed metrics must agree."""
import pathlib
import subprocess
import sys

import pytest

ROOT = pathlib.Path(__file__).resolve().parent.parent
SCRIPTS = sorted((ROOT / "examples" / "torch_scripts").glob("*.py"))


def _run(args):
    done = subprocess.run([sys.executable, *args], cwd=ROOT, capture_output=True, text=True,
                          timeout=600)
    assert done.returncode == 0, done.stderr[-3000:]
    return done.stdout.split()


def _same_token(e, t):
    try:
        e_value, t_value = float(e), float(t)
    except ValueError:
        return e == t
    # float32 sums in a different order move the 4th decimal at most
    return abs(e_value - t_value) <= 2e-3 * max(1.0, abs(t_value))


def test_there_are_at_least_three_scripts():
    assert len(SCRIPTS) >= 3


@pytest.mark.parametrize("script", SCRIPTS, ids=lambda p: p.stem)
def test_script_prints_the_same_metrics_on_torch_and_ember(script):
    torch_out = _run([str(script)])
    ember_out = _run(["-m", "ember.torch_compat", str(script)])
    assert len(torch_out) == len(ember_out) > 0, (torch_out, ember_out)
    mismatched = [(t, e) for t, e in zip(torch_out, ember_out) if not _same_token(e, t)]
    assert not mismatched, mismatched


def test_missing_torch_module_names_the_api(tmp_path):
    script = tmp_path / "uses_missing.py"
    script.write_text("import torch\nimport torch.distributions.does_not_exist\n")
    done = subprocess.run([sys.executable, "-m", "ember.torch_compat", str(script)], cwd=ROOT,
                          capture_output=True, text=True, timeout=120)
    assert done.returncode != 0
    assert "torch.distributions" in done.stderr and "ModuleNotFoundError" in done.stderr


def test_missing_torch_attribute_names_the_api(tmp_path):
    script = tmp_path / "uses_missing_attr.py"
    script.write_text("import torch\ntorch.no_such_function_xyz(1)\n")
    done = subprocess.run([sys.executable, "-m", "ember.torch_compat", str(script)], cwd=ROOT,
                          capture_output=True, text=True, timeout=120)
    assert done.returncode != 0
    assert "torch.no_such_function_xyz" in done.stderr and "AttributeError" in done.stderr


def test_torch_submodules_are_ember_modules():
    code = ("import ember.torch_compat as c; c.install()\n"
            "import torch, torch.nn, torch.nn.functional as F, torch.optim.lr_scheduler\n"
            "from torch.utils.data import DataLoader\n"
            "import ember\n"
            "assert torch is ember and torch.nn is ember.nn and F is ember.nn.functional\n"
            "assert torch.optim.lr_scheduler is ember.optim.lr_scheduler\n"
            "assert DataLoader is ember.utils.data.DataLoader\n"
            "assert ember.nn.__spec__.name == 'ember.nn'\n"
            "print('ok')\n")
    done = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True,
                          timeout=120)
    assert done.stdout.strip() == "ok", done.stderr

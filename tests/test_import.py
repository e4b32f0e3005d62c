"""``import ember`` must stay light: only numpy, ml_dtypes, the standard library and
ember itself get loaded (optional extras are imported lazily, when used)."""
import json
import os
import subprocess
import sys
import sysconfig

ALLOWED_TOP_LEVEL = {"ember", "numpy", "ml_dtypes"}
# heavy or optional packages, named so that a failure reads clearly
FORBIDDEN = {"torch", "scipy", "cupy", "cupyx", "sklearn", "tqdm", "safetensors",
             "tokenizers", "transformers", "onnx", "onnxruntime", "mpi4py", "pandas",
             "matplotlib", "hypothesis", "pytest", "jax", "tensorflow", "PIL"}

PROBE = """
import json, sys
before = set(sys.modules)
import ember
new = {}
for name in sorted(set(sys.modules) - before):
    module = sys.modules[name]
    new[name] = getattr(module, "__file__", None)
print(json.dumps(new))
"""


def _modules_loaded_by_import():
    out = subprocess.run([sys.executable, "-c", PROBE], capture_output=True, text=True,
                         check=True, timeout=120)
    return json.loads(out.stdout.strip().splitlines()[-1])


def _is_stdlib_file(path):
    stdlib = os.path.realpath(sysconfig.get_paths()["stdlib"])
    path = os.path.realpath(path)
    return path.startswith(stdlib + os.sep) and "site-packages" not in path


def test_import_ember_loads_only_numpy_ml_dtypes_and_stdlib():
    loaded = _modules_loaded_by_import()
    tops = {name.split(".")[0] for name in loaded}
    assert not FORBIDDEN & tops, f"import ember loaded {sorted(FORBIDDEN & tops)}"
    outside = []
    for name, path in loaded.items():
        top = name.split(".")[0]
        if top in ALLOWED_TOP_LEVEL or top in sys.stdlib_module_names:
            continue
        # Modules without a file are made at run time by extension modules (Cython's
        # ``cython_runtime`` inside NumPy's random package); anything else must be stdlib.
        if path is None or _is_stdlib_file(path):
            continue
        outside.append(f"{name} ({path})")
    assert not outside, f"import ember loaded modules outside its core dependencies: {outside}"


def test_import_ember_is_usable_in_a_fresh_process():
    code = ("import ember; t = ember.ones(2, 3) * 2; print(t.sum().item(), "
            "ember.get_default_dtype())")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                         check=True, timeout=120)
    assert out.stdout.split() == ["12.0", "torch.float32"]

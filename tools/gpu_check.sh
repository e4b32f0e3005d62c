#!/usr/bin/env bash
# The GPU run of issue 8, in one invocation on a machine with a CUDA GPU, CuPy 14 and
# torch with CUDA (no network; run from the repository root of a copy of the tree):
#
#   OUT=/some/dir bash tools/gpu_check.sh [--quick]
#
# 1. collects the device-parametrized test ids (must equal the cpu machine's:
#    compare with `python -m pytest --collect-only -q <same files>` there),
# 2. runs them on cuda against torch on cuda, writing a JUnit XML summary,
# 3. runs benchmarks/gpu.py (mlp, cnn, gpt, lstm at batch x8; matmul TFLOP/s in
#    float32/bfloat16; per-op launch cost) and writes its markdown table
#    ($OUT/gpu_bench.md: copy it to benchmarks/gpu_results.md, which
#    benchmarks/run.py puts into BENCHMARKS.md).
# Everything lands in $OUT (default ./gpu_out).
set -uo pipefail
cd "$(dirname "$0")/.."
OUT=${OUT:-gpu_out}
mkdir -p "$OUT"
FILES="tests/test_ops.py tests/nn $(ls tests/test_cuda_*.py)"
export PYTHONPATH=.
{
    nvidia-smi --query-gpu=name,driver_version,memory.total --format=csv,noheader
    python3 -c 'import cupy, torch, numpy; print("cupy", cupy.__version__, "| torch", torch.__version__, "| numpy", numpy.__version__)'
} > "$OUT/machine.txt" 2>&1
python3 -m pytest --collect-only -q $FILES -p no:cacheprovider > "$OUT/ids.txt" 2>&1
XDIST=""
python3 -c 'import xdist' 2>/dev/null && XDIST="-n 8"
python3 -m pytest -q $XDIST $FILES -k cuda -p no:cacheprovider -p no:warnings \
    --junitxml="$OUT/gpu_tests.xml" --tb=short -rfE > "$OUT/gpu_tests.txt" 2>&1
echo "tests exit $?" >> "$OUT/gpu_tests.txt"
tail -3 "$OUT/gpu_tests.txt"
python3 benchmarks/gpu.py ${1:-} --markdown "$OUT/gpu_bench.md" > "$OUT/gpu_bench.txt" 2>&1
echo "bench exit $?" >> "$OUT/gpu_bench.txt"
cat "$OUT/gpu_bench.md" 2>/dev/null || tail -20 "$OUT/gpu_bench.txt"

"""CPU run of python-runner/bench_gpu.py: the runner's DSS step against a stock Trainer on small
models (FFN 4× hidden, so padding costs roughly what it costs in real models), LoRA, lengths from
examples/dataset.dss.jsonl. Prints bench_gpu.py's JSON line (tokens/s ratio, padding shares,
step-1 losses asserted equal), each configuration in its own subprocess.

Run: python-runner/.venv/bin/python bench/runner_cpu.py [--steps 8]   (or `npm run bench -- runner`)
"""

import os
import subprocess
import sys
from pathlib import Path

root = Path(__file__).resolve().parents[1]
args = sys.argv[1:] or ["--steps", "8", "--warmup", "2", "--repeats", "2"]
env = {**os.environ, "CUDA_VISIBLE_DEVICES": "", "OMP_NUM_THREADS": "1"}
command = [sys.executable, str(root / "python-runner" / "bench_gpu.py"), "--presets", "cpu-llama,cpu-t5", "--modalities", "lora", "--batch-size", "8", *args]
sys.exit(subprocess.run(command, env=env, cwd=root).returncode)

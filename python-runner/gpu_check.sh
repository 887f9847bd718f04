#!/usr/bin/env bash
# The GPU session issue 10 asks for, as one script (not run yet: no GPU was available when it was
# written). Models come from configs (no downloads). On a machine without network, carry the
# bitsandbytes wheel and pass it as BNB_WHEEL=/path/to/bitsandbytes-*.whl.
#   1. QLoRA on the Qwen2.5-0.5B shape through the real CLI: the loss must fall, the adapter is
#      saved, and `eval` scores it reloaded onto the 4-bit base.
#   2. bench_gpu.py: the runner against a stock Trainer (LoRA and QLoRA, decoder-only and T5),
#      then QLoRA on the Qwen2.5-7B shape. Paste the tables into BENCHMARKS.md with this command.
# Usage: bash python-runner/gpu_check.sh   (PYTHON=… to use another interpreter)
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")"
py="${PYTHON:-.venv/bin/python}"
if ! "$py" -c "import bitsandbytes" 2>/dev/null; then
  "$py" -m pip install --quiet -c constraints.txt "${BNB_WHEEL:-bitsandbytes}"
fi
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT

"$py" - "$work" <<'PY'
import json, sys
from pathlib import Path
sys.path.insert(0, ".")
from bench_gpu import build_model
work = Path(sys.argv[1])
build_model("qwen2.5-0.5b", work / "model")
rows = [json.loads(l) for l in open("../examples/dataset.dss.jsonl") if l.strip()]
rows = [{"id": r["id"], "question": r["question"], "rationale": r["rationale"], "dsl": r["dsl"]} for r in rows if isinstance(r.get("dsl"), dict) and r.get("rationale")]
(work / "train.jsonl").write_text("".join(json.dumps(r) + "\n" for r in rows))
(work / "test.jsonl").write_text("".join(json.dumps(r) + "\n" for r in rows[:8]))
(work / "RUN.json").write_text(json.dumps({"baseModel": str(work / "model"), "modality": "qlora", "supervision": "dss",
    "train": {"maxSteps": 60, "batchSize": 8, "lr": 1e-3, "logSteps": 5, "saveSteps": 60, "maxSourceLen": 256, "maxTargetLen": 512, "warmupRatio": 0.0, "scheduler": "constant"},
    "data": {"train": "train.jsonl", "test": "test.jsonl"}}))
PY
"$py" -m distillery_runner train --config "$work/RUN.json" --out "$work/out" >"$work/events.jsonl"
"$py" -m distillery_runner eval --model "$work/out" --data "$work/test.jsonl" --out "$work/eval" >"$work/eval.jsonl"
"$py" - "$work" <<'PY'
import json, sys
from pathlib import Path
work = Path(sys.argv[1])
events = [json.loads(l) for l in (work / "events.jsonl").read_text().splitlines()]
steps = [e for e in events if e["event"] == "step"]
done = events[-1]
assert done["event"] == "done" and done["status"] == "ok", done
assert steps[-1]["loss"] < 0.5 * steps[0]["loss"], [s["loss"] for s in steps]
ev = [json.loads(l) for l in (work / "eval.jsonl").read_text().splitlines()]
assert ev[-1]["event"] == "done" and ev[-1]["status"] == "ok", ev[-1]
print(json.dumps({"check": "qlora", "firstLoss": steps[0]["loss"], "lastLoss": steps[-1]["loss"], "peakMemGiB": done["peakMemGiB"],
                  "trainWallSec": done["wallSec"], "evalOnNf4Base": {k: ev[0].get(k) for k in ("count", "parseRate", "exactMatch")}}))
PY
"$py" bench_gpu.py --presets qwen2.5-0.5b,llama-3.2-1b,flan-t5-large --modalities lora,qlora --steps 15 --table --out "$work/bench.json"
"$py" bench_gpu.py --presets qwen2.5-7b --modalities qlora --steps 6 --warmup 2 --batch-size 4 --table

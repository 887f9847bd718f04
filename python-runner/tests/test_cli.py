from __future__ import annotations

import json

from conftest import run_in_process, run_subprocess


def test_env_report_is_json_with_the_preflight_fields(tmp_path):
    import io

    from distillery_runner.cli import main

    stream = io.StringIO()
    assert main(["env", "--path", str(tmp_path)], event_stream=stream) == 0
    report = json.loads(stream.getvalue())
    assert {"python", "versions", "cudaAvailable", "gpus", "bf16", "bitsandbytes", "disk"} <= set(report)
    assert report["versions"]["torch"] and isinstance(report["disk"]["freeGiB"], float)
    assert set(report["bitsandbytes"]) == {"available", "reason"}


def test_make_tiny_model_loads_with_auto_classes(tmp_path):
    import io

    from distillery_runner.cli import main
    from transformers import AutoModelForSeq2SeqLM, AutoTokenizer

    stream = io.StringIO()
    assert main(["make-tiny-model", "--arch", "t5", "--out", str(tmp_path / "t5")], event_stream=stream) == 0
    info = json.loads(stream.getvalue())
    assert 50_000 < info["params"] < 1_000_000
    model = AutoModelForSeq2SeqLM.from_pretrained(tmp_path / "t5")
    tokenizer = AutoTokenizer.from_pretrained(tmp_path / "t5")
    text = '{"query":{"term":{"status":"shipped"}}}'
    assert tokenizer.decode(tokenizer(text)["input_ids"], skip_special_tokens=True) == text
    assert sum(p.numel() for p in model.parameters()) == info["params"]


def test_bad_usage_exits_2():
    result = run_subprocess(["train", "--config"])
    assert result.returncode == 2 and result.stdout == ""


def test_missing_config_file_is_a_config_error(tmp_path):
    code, events = run_in_process(["train", "--config", str(tmp_path / "nope.json"), "--out", str(tmp_path / "o")])
    assert code == 2 and events == [{"event": "error", "kind": "config", "message": f"--config: file not found: {tmp_path / 'nope.json'}"}]


def test_the_launcher_runs_one_rank_per_named_gpu_and_maps_rank_0s_outcome_to_the_exit_code(monkeypatch):
    import sys

    from distillery_runner.launcher import _exit_code, needs_ranks, torchrun_command, visible_devices_env

    monkeypatch.delenv("RANK", raising=False)
    assert needs_ranks([2, 5]) and not needs_ranks([2]) and not needs_ranks(None)
    monkeypatch.setenv("RANK", "0")  # already a rank: never launch again
    assert not needs_ranks([2, 5])
    assert visible_devices_env([2, 5]) == {"CUDA_VISIBLE_DEVICES": "2,5"}
    command = torchrun_command([2, 5], ["--config", "RUN.json", "--out", "o"])
    assert command[:3] == [sys.executable, "-m", "torch.distributed.run"] and "--nproc-per-node=2" in command
    assert command[-6:] == ["distillery_runner", "train", "--config", "RUN.json", "--out", "o"]
    assert _exit_code({"event": "done", "status": "ok"}) == 0
    assert _exit_code({"event": "done", "status": "cancelled"}) == 3
    assert _exit_code({"event": "error", "kind": "data", "message": "m"}) == 2
    assert _exit_code({"event": "error", "kind": "oom", "message": "m"}) == 1
    assert _exit_code({"event": "step"}) is None and _exit_code(None) is None

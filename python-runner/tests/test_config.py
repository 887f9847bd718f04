from __future__ import annotations

import json
from pathlib import Path

import pytest

from distillery_runner.config import ConfigError, parse_run_config
from distillery_runner.environment import resolve_runtime

BASE = {"baseModel": "m", "data": {"train": "train.jsonl"}}


def parse(**over):
    raw = {**BASE, **over}
    return parse_run_config(raw, Path("/cfg"))


def test_defaults_are_filled():
    cfg = parse()
    assert (cfg.arch, cfg.modality, cfg.supervision, cfg.dssWeight) == ("auto", "lora", "dss", 0.5)
    assert cfg.lora.r == 16 and cfg.lora.alpha == 64 and cfg.lora.dropout == 0.05 and cfg.lora.targetModules == "all-linear"
    assert cfg.train.precision == "auto" and cfg.train.maxSteps is None and cfg.train.seed == 42
    assert cfg.data.train == Path("/cfg/train.jsonl") and cfg.data.val is None


def test_alpha_defaults_to_four_times_rank():
    assert parse(lora={"r": 8}).lora.alpha == 32


def test_label_only_means_weight_one():
    cfg = parse(supervision="label_only")
    assert cfg.label_weight == 1.0


@pytest.mark.parametrize(
    ("over", "needle"),
    [
        ({"modalty": "lora"}, "unknown key 'modalty' in RUN.json; did you mean 'modality'?"),
        ({"train": {"learningRate": 1e-4}}, "unknown key 'train.learningRate'"),
        ({"modality": "qlora4"}, "'modality' must be full | lora | qlora"),
        ({"train": {"batchSize": "8"}}, "'train.batchSize' must be an integer"),
        ({"train": {"batchSize": 0}}, "'train.batchSize' must be ≥ 1"),
        ({"supervision": "label_only", "dssWeight": 0.5}, "conflicts with supervision 'label_only'"),
        ({"dssWeight": 0}, "'dssWeight' must be in (0, 1]"),
        ({"modality": "full", "lora": {"r": 8}}, "'lora' settings apply only"),
        ({"train": {"earlyStoppingPatience": 2}}, "needs a validation split"),
        ({"data": {"train": "t", "val": "v"}, "train": {"earlyStoppingPatience": 2, "evalSteps": 30, "saveSteps": 50}}, "multiple of 'train.evalSteps'"),
        ({"train": {"scheduler": "reduce_on_plateau"}}, "reduce_on_plateau needs a validation split"),
        ({"modality": "qlora", "train": {"precision": "fp32"}}, "fp32 does not fit modality 'qlora'"),
        ({"lora": {"targetModules": []}}, "'lora.targetModules' must be \"all-linear\" or a non-empty array"),
        ({"data": {"val": "v"}}, "'data.train' is required"),
    ],
)
def test_bad_configs_name_the_key_and_fix(over, needle):
    with pytest.raises(ConfigError) as info:
        parse(**over)
    assert needle in info.value.message


def test_missing_base_model():
    with pytest.raises(ConfigError, match="'baseModel' is required"):
        parse_run_config({"data": {"train": "t"}}, Path("."))


@pytest.mark.skipif(__import__("torch").cuda.is_available(), reason="checks the CPU-only rules")
@pytest.mark.parametrize(
    ("over", "needle"),
    [
        ({"train": {"precision": "fp16"}}, "fp16 is not supported on CPU; use fp32"),
        ({"train": {"precision": "bf16"}}, "bf16 is not supported on CPU; use fp32"),
        ({"modality": "qlora"}, "'qlora' needs a CUDA GPU"),
    ],
)
def test_machine_dependent_rules_on_cpu(over, needle):
    with pytest.raises(ConfigError) as info:
        resolve_runtime(parse(**over))
    assert needle in info.value.message


def test_auto_precision_is_fp32_on_cpu():
    if __import__("torch").cuda.is_available():
        pytest.skip("CPU rule")
    assert resolve_runtime(parse()).precision == "fp32"


def test_shared_error_fixture_matches_the_runner():
    """tests/fixtures/run-config-errors.json is also read by test/training/run-config.test.ts,
    which holds the TypeScript schema to the same messages word for word."""
    cases = json.loads((Path(__file__).parent / "fixtures" / "run-config-errors.json").read_text(encoding="utf-8"))
    assert len(cases) > 20
    for case in cases:
        with pytest.raises(ConfigError) as info:
            parse_run_config(case["config"], Path("."))
        assert (info.value.message, info.value.hint) == (case["message"], case["hint"]), case["name"]

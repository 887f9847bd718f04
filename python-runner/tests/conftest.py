"""Shared fixtures: tiny models of both families built once per session, datasets, CLI runners."""

from __future__ import annotations

import io
import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

RUNNER_ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(RUNNER_ROOT))
sys.path.insert(0, str(Path(__file__).resolve().parent))

import torch  # noqa: E402

from distillery_runner.cli import main  # noqa: E402

# Tiny matrices: one thread avoids OpenMP spinning, which costs several times the work itself on
# a shared 2-core machine.
torch.set_num_threads(1)

RECORDS = [
    ("q-1", "orders over 100 dollars", "price is numeric, so a range query with gte 100", {"query": {"range": {"price": {"gte": 100}}}}),
    ("q-2", "shipped orders", "status is a keyword, so an exact term query", {"query": {"term": {"status": "shipped"}}}),
    ("q-3", "products about red shoes", "title is analysed text, so a match query", {"query": {"match": {"title": "red shoes"}}}),
    ("q-4", "count orders by status", "a terms aggregation on status; no hits needed", {"size": 0, "aggs": {"by_status": {"terms": {"field": "status"}}}}),
    ("q-5", "german laptops", "match laptop in title and filter country DE", {"query": {"bool": {"must": [{"match": {"title": "laptop"}}], "filter": [{"term": {"country": "DE"}}]}}}),
    ("q-6", "newest first", "sort by created_at descending", {"sort": [{"created_at": {"order": "desc"}}], "size": 10}),
]


@pytest.fixture(scope="session")
def tiny_models(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    from distillery_runner.tiny_model import make_tiny_model

    root = tmp_path_factory.mktemp("models")
    return {arch: Path(make_tiny_model(arch, root / arch)["path"]) for arch in ("t5", "llama")}


def write_jsonl(path: Path, rows: list[dict[str, Any]]) -> Path:
    path.write_text("".join(json.dumps(r) + "\n" for r in rows), encoding="utf-8")
    return path


def records(n: int | None = None) -> list[dict[str, Any]]:
    rows = [{"id": i, "question": q, "rationale": r, "dsl": d} for i, q, r, d in RECORDS]
    return rows[:n] if n else rows


def make_run(folder: Path, base_model: Path, *, train: dict[str, Any] | None = None, rows: list[dict[str, Any]] | None = None, splits: tuple[str, ...] = ("train", "val", "test"), **top: Any) -> Path:
    """Writes the splits and a RUN.json (relative data paths) into folder."""
    folder.mkdir(parents=True, exist_ok=True)
    rows = rows if rows is not None else records()
    for split in splits:
        write_jsonl(folder / f"{split}.jsonl", rows if split == "train" else rows[:2])
    config = {
        "baseModel": str(base_model),
        "train": {"maxSteps": 2, "batchSize": 2, "logSteps": 1, "evalSteps": 2, "saveSteps": 2, "maxSourceLen": 32, "maxTargetLen": 64, "lr": 1e-3, "seed": 7, **(train or {})},
        "data": {split: f"{split}.jsonl" for split in splits},
        **top,
    }
    path = folder / "RUN.json"
    path.write_text(json.dumps(config, indent=2), encoding="utf-8")
    return path


def run_in_process(args: list[str]) -> tuple[int, list[dict[str, Any]]]:
    stream = io.StringIO()
    code = main(args, event_stream=stream)
    lines = [line for line in stream.getvalue().splitlines() if line]
    return code, [json.loads(line) for line in lines]


def runner_env() -> dict[str, str]:
    env = dict(os.environ)
    env["PYTHONPATH"] = str(RUNNER_ROOT) + os.pathsep + env.get("PYTHONPATH", "")
    env["PYTHONUNBUFFERED"] = "1"
    env["OMP_NUM_THREADS"] = "1"
    return env


def run_subprocess(args: list[str], timeout: float = 180) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "distillery_runner", *args], capture_output=True, text=True, timeout=timeout, env=runner_env(), cwd=RUNNER_ROOT)

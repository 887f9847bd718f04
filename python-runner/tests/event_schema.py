"""A small validator for the stdout event contract (docs/ARCHITECTURE.md, "Runner contract")."""

from __future__ import annotations

from typing import Any

NUM = (int, float)
OPT_NUM = (int, float, type(None))
STR = (str,)
OPT_STR = (str, type(None))

# event -> {field: allowed types}; every listed field is required.
SCHEMA: dict[str, dict[str, tuple[type, ...]]] = {
    "start": {"runId": STR, "device": STR, "gpu": OPT_STR, "params": (dict,), "versions": (dict,), "lengths": (dict,), "maxNewTokens": (int,)},
    "step": {
        "step": (int,), "epoch": NUM, "loss": NUM, "lossLabel": NUM, "lossRationale": OPT_NUM, "lr": NUM,
        "gradNorm": OPT_NUM, "tokensPerSec": NUM, "gpuMemGiB": NUM, "peakGpuMemGiB": NUM, "etaSec": NUM,
    },
    "eval": {"step": (int,)},
    "checkpoint": {"step": (int,), "path": STR},
    "done": {"status": STR, "peakMemGiB": NUM, "wallSec": NUM, "outputDir": STR, "metrics": (dict,)},
    "error": {"kind": STR, "message": STR},
}
EVAL_METRICS = {"exactMatch": NUM, "validDsl": NUM, "fieldF1": NUM, "parseRate": NUM}


def validate_event(event: dict[str, Any]) -> None:
    kind = event.get("event")
    assert kind in SCHEMA, f"unknown event {kind!r}: {event}"
    for field, types in SCHEMA[kind].items():
        assert field in event, f"{kind} event lacks {field}: {event}"
        value = event[field]
        assert isinstance(value, types) and not (isinstance(value, bool) and bool not in types), f"{kind}.{field} has {type(value).__name__}: {event}"
    if kind == "start":
        assert set(event["params"]) == {"total", "trainable"} and event["params"]["trainable"] > 0
    if kind == "eval":
        assert "valLoss" in event or "exactMatch" in event, event
        if "exactMatch" in event:
            for field, types in EVAL_METRICS.items():
                assert isinstance(event[field], types) and 0.0 <= event[field] <= 1.0, (field, event)
    if kind == "done":
        assert event["status"] in ("ok", "cancelled")
    if kind == "error":
        assert event["kind"] in ("oom", "config", "data", "runtime")


def validate_stream(events: list[dict[str, Any]], *, final: str = "done") -> None:
    """A whole train stream: start first, steps with increasing numbers, one terminal event last."""
    assert events, "no events"
    for event in events:
        validate_event(event)
    assert events[0]["event"] == "start", events[0]
    assert events[-1]["event"] == final, events[-1]
    assert sum(e["event"] in ("done", "error") for e in events) == 1
    steps = [e["step"] for e in events if e["event"] == "step"]
    assert steps == sorted(steps) and len(set(steps)) == len(steps), steps

"""The stdout event stream: one JSON object per line, flushed, nothing else on stdout.

The TypeScript side (extension, `distillery train --follow`) parses every stdout line as an event,
so all human-readable logging goes to stderr and this module is the only writer of stdout.
"""

from __future__ import annotations

import json
import math
import os
import sys
import threading
from typing import IO, Any

EVENT_KINDS = ("start", "step", "eval", "checkpoint", "done", "error")
ERROR_KINDS = ("oom", "config", "data", "runtime")


def _finite(value: Any) -> Any:
    # JSON has no NaN/Infinity; a diverged loss is reported as null rather than breaking the parser.
    if isinstance(value, float) and not math.isfinite(value):
        return None
    if isinstance(value, dict):
        return {k: _finite(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_finite(v) for v in value]
    return value


class EventWriter:
    """Writes contract events. Disabled on non-zero ranks so multi-GPU runs emit one stream."""

    def __init__(self, stream: IO[str], enabled: bool = True) -> None:
        self._stream = stream
        self._enabled = enabled
        self._lock = threading.Lock()

    def emit(self, event: str, **fields: Any) -> dict[str, Any]:
        assert event in EVENT_KINDS, event
        record = {"event": event, **_finite(fields)}
        if self._enabled:
            line = json.dumps(record, ensure_ascii=False, allow_nan=False, separators=(",", ":"))
            with self._lock:
                self._stream.write(line + "\n")
                self._stream.flush()
        return record

    def error(self, kind: str, message: str, hint: str | None = None) -> dict[str, Any]:
        assert kind in ERROR_KINDS, kind
        fields: dict[str, Any] = {"kind": kind, "message": message}
        if hint:
            fields["hint"] = hint
        return self.emit("error", **fields)


def is_main_process() -> bool:
    """True on rank 0 (or when not launched by torchrun/accelerate)."""
    return os.environ.get("RANK", "0") == "0"


def take_over_stdout() -> IO[str]:
    """Returns a private handle on the real stdout and points fd 1 and sys.stdout at stderr.

    Libraries print to stdout (PEFT's print_trainable_parameters, C extensions); redirecting at
    the file-descriptor level keeps their output out of the event stream.
    """
    sys.stdout.flush()
    events_fd = os.dup(1)
    os.dup2(2, 1)
    sys.stdout = sys.stderr
    return os.fdopen(events_fd, "w", buffering=1, encoding="utf-8")

"""More than one GPU: `train` re-launches itself under torchrun, one rank per GPU named in RUN.json.

The process the client started stays the one it watches: it relays rank 0's event lines, turns a
SIGTERM/SIGINT into a SIGTERM for every rank (the ranks then agree on a stopping step through
accelerate's trigger, see trainer.CancelOnSignal), and exits with the code rank 0's last event
stands for — torchrun itself reports any non-zero rank as a failure, which a cancel is not.
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
from typing import IO, Any, Sequence

from .events import EventWriter

EXIT_OK, EXIT_FAILED, EXIT_USAGE, EXIT_CANCELLED = 0, 1, 2, 3


def needs_ranks(gpus: list[int] | None) -> bool:
    return bool(gpus) and len(gpus) > 1 and "RANK" not in os.environ


def visible_devices_env(gpus: list[int] | None) -> dict[str, str]:
    """CUDA_VISIBLE_DEVICES for the GPUs RUN.json names; rank r then uses the r-th of them."""
    return {"CUDA_VISIBLE_DEVICES": ",".join(str(g) for g in gpus)} if gpus else {}


def torchrun_command(gpus: list[int], train_args: Sequence[str]) -> list[str]:
    # --standalone: a rendezvous on localhost at a free port, so runs on one box never collide.
    return [sys.executable, "-m", "torch.distributed.run", "--standalone", f"--nproc-per-node={len(gpus)}", "-m", "distillery_runner", "train", *train_args]


def _exit_code(last: dict[str, Any] | None) -> int | None:
    if last is None:
        return None
    if last.get("event") == "done":
        return EXIT_OK if last.get("status") == "ok" else EXIT_CANCELLED
    if last.get("event") == "error":
        return EXIT_USAGE if last.get("kind") in ("config", "data") else EXIT_FAILED
    return None


def run_ranks(gpus: list[int], train_args: Sequence[str], events: EventWriter, stream: IO[str]) -> int:
    import psutil

    env = {**os.environ, **visible_devices_env(gpus)}
    agent = subprocess.Popen(torchrun_command(gpus, train_args), stdout=subprocess.PIPE, text=True, env=env)

    def forward(signum: int, frame: Any) -> None:
        # To the ranks, not to torchrun: its own SIGTERM handling kills the ranks after a short
        # grace period, which could cut the final checkpoint short.
        try:
            for rank in psutil.Process(agent.pid).children():
                rank.send_signal(signal.SIGTERM)
        except psutil.NoSuchProcess:
            pass

    previous = {sig: signal.signal(sig, forward) for sig in (signal.SIGTERM, signal.SIGINT)}
    last: dict[str, Any] | None = None
    try:
        assert agent.stdout is not None
        for line in agent.stdout:
            stream.write(line)
            stream.flush()
            try:
                last = json.loads(line)
            except json.JSONDecodeError:
                pass
        agent.wait()
    finally:
        for sig, handler in previous.items():
            signal.signal(sig, handler)
    code = _exit_code(last)
    if code is None:
        events.error("runtime", f"torchrun exited with code {agent.returncode} before rank 0 reported an outcome", "see stderr.log for the traceback of the failing rank")
        return EXIT_FAILED
    return code

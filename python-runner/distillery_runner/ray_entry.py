"""Ray entry points for hosts with `scheduler: "ray"` (docs/schedulers.md in the repository).

    python -m distillery_runner.ray_entry --workers N --resources '{"CPU": 1}' -- train --config C --out O
        Runs `distillery_runner train ...` on N Ray Train workers under TorchTrainer. Each worker
        starts the runner as a child process with the torchrun environment (RANK, WORLD_SIZE,
        LOCAL_RANK, MASTER_ADDR, MASTER_PORT), so the runner trains exactly as under torchrun:
        the Hugging Face Trainer sets up DDP (gloo on CPU, NCCL on GPUs) and installs its own
        SIGTERM handler in its main thread, which a Ray worker thread could not. Global rank 0
        appends the events to events.jsonl next to the config (the Ray job's own output would
        prefix every line with the worker's name).

Sweeps' concurrency cap is not here: it is Distillery's queue (src/core/remote/schedulers/ray-queue.ts).
"""

from __future__ import annotations

import argparse
import ctypes
import json
import os
import signal
import socket
import subprocess
import sys
from pathlib import Path
from typing import Any, Sequence


def _runner_child_setup() -> None:
    # The runner gets SIGTERM when its Ray worker dies (job stopped), so it saves and emits
    # `done` cancelled instead of running on as an orphan.
    PR_SET_PDEATHSIG = 1
    try:
        ctypes.CDLL("libc.so.6", use_errno=True).prctl(PR_SET_PDEATHSIG, signal.SIGTERM)
    except OSError:
        pass


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("", 0))
        return int(s.getsockname()[1])


def _train_loop(config: dict[str, Any]) -> None:
    import torch.distributed as dist

    rank = int(os.environ["RANK"])
    # Ray Train's own process group holds MASTER_PORT; the runner's group needs its own port,
    # chosen on rank 0 and shared through the group Ray set up.
    port = [_free_port() if rank == 0 else 0]
    dist.broadcast_object_list(port, src=0)
    env = dict(os.environ, MASTER_PORT=str(port[0]), PYTHONUNBUFFERED="1")
    env.pop("ACCELERATE_TORCH_DEVICE", None)
    # Rank 0's stderr joins the job's stderr.log, as without Ray; the other ranks get their own.
    errors = open(Path(config["cwd"]) / ("stderr.log" if rank == 0 else f"stderr-rank{rank}.log"), "ab")  # noqa: SIM115
    events = open(config["events"], "ab") if rank == 0 else subprocess.DEVNULL  # noqa: SIM115
    try:
        code = subprocess.call(
            [sys.executable, "-m", "distillery_runner", *config["argv"]],
            env=env,
            cwd=config["cwd"],
            stdout=events,
            stderr=errors,
            preexec_fn=_runner_child_setup,
        )
    finally:
        errors.close()
        if rank == 0:
            events.close()  # type: ignore[union-attr]
    if code != 0:
        raise RuntimeError(f"the runner on rank {rank} exited with {code}; its error event and stderr.log say why")


def run_torch_trainer(workers: int, resources: dict[str, float], argv: Sequence[str]) -> int:
    # Nothing but the runner's events may reach events.jsonl (this process's stdout).
    os.dup2(2, 1)
    import ray
    from ray.train import RunConfig, ScalingConfig
    from ray.train.torch import TorchConfig, TorchTrainer

    argv = list(argv)
    cwd = os.getcwd()
    config_path = Path(argv[argv.index("--config") + 1]) if "--config" in argv else Path(cwd) / "run.json"
    out_dir = Path(argv[argv.index("--out") + 1]) if "--out" in argv else Path(cwd) / "outputs"
    use_gpu = resources.get("GPU", 0) > 0
    ray.init(log_to_driver=False)
    trainer = TorchTrainer(
        _train_loop,
        train_loop_config={"argv": argv, "cwd": cwd, "events": str(config_path.parent / "events.jsonl")},
        scaling_config=ScalingConfig(num_workers=workers, use_gpu=use_gpu, resources_per_worker=resources),
        torch_config=TorchConfig(backend="nccl" if use_gpu else "gloo"),
        run_config=RunConfig(name="distillery", storage_path=str(out_dir.resolve() / "ray")),
    )
    try:
        trainer.fit()
    except Exception as exc:  # the runner has written its own error event; this is for stderr.log
        print(f"TorchTrainer failed: {exc}", file=sys.stderr)
        return 1
    return 0


def main(argv: Sequence[str] | None = None) -> int:
    args = list(sys.argv[1:] if argv is None else argv)
    parser = argparse.ArgumentParser(prog="python -m distillery_runner.ray_entry")
    parser.add_argument("--workers", type=int, required=True)
    parser.add_argument("--resources", default='{"CPU": 1}', help="resources per worker, JSON")
    if "--" not in args:
        parser.error("put the runner's arguments after --")
    split = args.index("--")
    ns = parser.parse_args(args[:split])
    return run_torch_trainer(ns.workers, json.loads(ns.resources), args[split + 1 :])


if __name__ == "__main__":
    sys.exit(main())

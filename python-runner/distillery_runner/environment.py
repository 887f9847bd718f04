"""What the machine can do: device, precision, bitsandbytes; the `env` preflight report."""

from __future__ import annotations

import importlib.metadata
import importlib.util
import os
import platform
import shutil
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import torch

from .config import ConfigError, RunConfig


@dataclass(frozen=True)
class Runtime:
    device: str  # "cuda:0" or "cpu"
    gpu: str | None
    precision: str  # resolved: bf16 | fp16 | fp32
    local_rank: int

    @property
    def cuda(self) -> bool:
        return self.device.startswith("cuda")

    @property
    def compute_dtype(self) -> torch.dtype:
        return {"bf16": torch.bfloat16, "fp16": torch.float16, "fp32": torch.float32}[self.precision]


def _version(dist: str) -> str | None:
    try:
        return importlib.metadata.version(dist)
    except importlib.metadata.PackageNotFoundError:
        return None


def bitsandbytes_status() -> tuple[bool, str]:
    """(usable, reason). Usable means installed with a CUDA backend, which QLoRA needs."""
    if importlib.util.find_spec("bitsandbytes") is None:
        return False, "bitsandbytes is not installed (pip install 'distillery-runner[qlora]')"
    if not torch.cuda.is_available():
        return False, "bitsandbytes NF4 training needs a CUDA GPU; none is visible"
    try:
        import bitsandbytes  # noqa: F401
    except Exception as exc:  # a broken native library raises many kinds of error
        return False, f"bitsandbytes failed to load: {exc}"
    return True, "ok"


def resolve_runtime(cfg: RunConfig) -> Runtime:
    """Checks the parts of RUN.json that depend on this machine; raises ConfigError with the fix."""
    local_rank = int(os.environ.get("LOCAL_RANK", "0"))
    cuda = torch.cuda.is_available()
    precision = cfg.train.precision
    if not cuda:
        if precision in ("fp16", "bf16"):
            raise ConfigError(
                f"'train.precision' {precision} is not supported on CPU; use fp32 (or auto)",
                "set train.precision to 'fp32' or 'auto'",
            )
        if cfg.modality == "qlora":
            raise ConfigError("modality 'qlora' needs a CUDA GPU and none is visible; use 'lora' on this machine", "set modality to 'lora'")
        return Runtime(device="cpu", gpu=None, precision="fp32", local_rank=local_rank)

    device = f"cuda:{local_rank}"
    gpu = torch.cuda.get_device_name(local_rank)
    bf16_ok = torch.cuda.is_bf16_supported()
    if precision == "auto":
        precision = "bf16" if bf16_ok else "fp16"
    elif precision == "bf16" and not bf16_ok:
        raise ConfigError(f"'train.precision' bf16 is not supported by {gpu}; use fp16 (or auto)", "set train.precision to 'fp16' or 'auto'")
    if cfg.modality == "qlora":
        ok, reason = bitsandbytes_status()
        if not ok:
            raise ConfigError(f"modality 'qlora' is unavailable: {reason}", "install the qlora extra, or set modality to 'lora'")
    return Runtime(device=device, gpu=gpu, precision=precision, local_rank=local_rank)


def versions() -> dict[str, str | None]:
    from . import __version__

    return {
        "runner": __version__,
        "python": platform.python_version(),
        "torch": torch.__version__,
        "cuda": torch.version.cuda,
        "transformers": _version("transformers"),
        "peft": _version("peft"),
        "accelerate": _version("accelerate"),
        "bitsandbytes": _version("bitsandbytes"),
    }


def env_report(path: str | Path = ".") -> dict[str, Any]:
    gpus = []
    if torch.cuda.is_available():
        for index in range(torch.cuda.device_count()):
            props = torch.cuda.get_device_properties(index)
            free, total = torch.cuda.mem_get_info(index)
            gpus.append(
                {
                    "index": index,
                    "name": props.name,
                    "memGiB": round(total / 2**30, 2),
                    "freeMemGiB": round(free / 2**30, 2),
                    "computeCapability": f"{props.major}.{props.minor}",
                    "bf16": props.major >= 8,
                }
            )
    bnb_ok, bnb_reason = bitsandbytes_status()
    disk = shutil.disk_usage(Path(path).resolve())
    return {
        "python": sys.version.split()[0],
        "executable": sys.executable,
        "platform": platform.platform(),
        "versions": versions(),
        "cudaAvailable": torch.cuda.is_available(),
        "gpus": gpus,
        "bf16": bool(torch.cuda.is_available() and torch.cuda.is_bf16_supported()),
        "bitsandbytes": {"available": bnb_ok, "reason": bnb_reason},
        "cpuCount": os.cpu_count(),
        "disk": {"path": str(Path(path).resolve()), "freeGiB": round(disk.free / 2**30, 2), "totalGiB": round(disk.total / 2**30, 2)},
    }

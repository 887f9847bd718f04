"""Finding the checkpoint to resume from, without importing transformers (used in preflight)."""

from __future__ import annotations

from pathlib import Path


def last_checkpoint(out_dir: Path) -> str | None:
    """The newest complete OUT/checkpoints/checkpoint-N folder, or None.

    The Trainer writes trainer_state.json last, so a folder without it is a save that was killed
    part-way (a preempted job, a full disk): resuming from it would fail or load torn weights.
    """
    folder = out_dir / "checkpoints"
    if not folder.is_dir():
        return None
    found = [p for p in folder.glob("checkpoint-*") if p.is_dir() and p.name.rsplit("-", 1)[-1].isdigit() and (p / "trainer_state.json").is_file()]
    return str(max(found, key=lambda p: int(p.name.rsplit("-", 1)[-1]))) if found else None

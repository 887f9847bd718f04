"""Tokenised examples → padded tensors, one set per pass (`pred_*`, `expl_*`)."""

from __future__ import annotations

from typing import Any

import torch

from .data import IGNORE_INDEX


class EncodedDataset(torch.utils.data.Dataset):
    def __init__(self, examples: list[dict[str, Any]]) -> None:
        self.examples = examples

    def __len__(self) -> int:
        return len(self.examples)

    def __getitem__(self, index: int) -> dict[str, Any]:
        return self.examples[index]


def _pad(rows: list[list[int]], value: int, left: bool = False) -> torch.Tensor:
    width = max(len(r) for r in rows)
    padded = [([value] * (width - len(r)) + r) if left else (r + [value] * (width - len(r))) for r in rows]
    return torch.tensor(padded, dtype=torch.long)


class DSSCollator:
    """Pads each pass separately: `pred_*` always, `expl_*` when the rationale pass is trained."""

    def __init__(self, pad_token_id: int) -> None:
        self.pad_token_id = pad_token_id

    def _pass(self, pairs: list[dict[str, list[int]]], name: str) -> dict[str, torch.Tensor]:
        ids = _pad([p["input_ids"] for p in pairs], self.pad_token_id)
        mask = _pad([[1] * len(p["input_ids"]) for p in pairs], 0)
        labels = _pad([p["labels"] for p in pairs], IGNORE_INDEX)
        return {f"{name}_input_ids": ids, f"{name}_attention_mask": mask, f"{name}_labels": labels}

    def __call__(self, features: list[dict[str, Any]]) -> dict[str, torch.Tensor]:
        batch = self._pass([f["pred"] for f in features], "pred")
        if all("expl" in f for f in features):
            batch.update(self._pass([f["expl"] for f in features], "expl"))
        return batch

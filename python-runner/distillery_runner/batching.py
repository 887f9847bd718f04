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

    def __call__(self, features: list[dict[str, Any]]) -> dict[str, Any]:
        batch = self._pass([f["pred"] for f in features], "pred")
        if all("expl" in f for f in features):
            batch.update(self._pass([f["expl"] for f in features], "expl"))
        # Counted on the host here so the training step needs no device→host sync for it.
        tokens = sum(int(batch[f"{n}_attention_mask"].sum()) + int((batch[f"{n}_labels"] != IGNORE_INDEX).sum()) for n in ("pred", "expl") if f"{n}_labels" in batch)
        batch["tokens"] = tokens  # a plain int: _prepare_inputs leaves it on the host
        return batch


class PackedDSSCollator:
    """Decoder-only students: every predict and explain sequence of the micro-batch in one row,
    no padding, so the DSS step is one forward instead of two padded ones.

    position_ids restart at 0 for each sequence; transformers reads those restarts as sequence
    boundaries (a block-diagonal causal mask under SDPA/eager, varlen kernels under flash
    attention), so no token attends across sequences. Each target position carries the loss
    weight w/N_label (predict) or (1−w)/N_rationale (explain), N counted over the micro-batch:
    the weighted sum equals w·mean(CE_label) + (1−w)·mean(CE_rationale) of the two-pass loss.
    Token counts for throughput are made here, on the host, so the step never syncs for them.
    """

    def __init__(self, label_weight: float) -> None:
        self.label_weight = label_weight

    def __call__(self, features: list[dict[str, Any]]) -> dict[str, Any]:
        passes = [("pred", [f["pred"] for f in features])]
        if self.label_weight < 1.0 and all("expl" in f for f in features):
            passes.append(("expl", [f["expl"] for f in features]))
        ids: list[int] = []
        positions: list[int] = []
        targets: list[int] = []
        is_label: list[bool] = []
        counts = {"pred": 0, "expl": 0}
        for name, pairs in passes:
            for pair in pairs:
                seq, labels = pair["input_ids"], pair["labels"]
                ids.extend(seq)
                positions.extend(range(len(seq)))
                # Position t predicts token t + 1 of the same sequence; the last one predicts nothing.
                shifted = labels[1:] + [IGNORE_INDEX]
                targets.extend(shifted)
                is_label.extend([name == "pred"] * len(seq))
                counts[name] += sum(t != IGNORE_INDEX for t in shifted)
        w = self.label_weight if len(passes) == 2 else 1.0
        label_share = w / max(counts["pred"], 1)
        rationale_share = (1.0 - w) / max(counts["expl"], 1)
        target_tensor = torch.tensor([targets], dtype=torch.long)
        label_mask = torch.tensor([is_label], dtype=torch.bool)
        weights = torch.where(label_mask, label_share, rationale_share) * (target_tensor != IGNORE_INDEX)
        return {
            "packed_input_ids": torch.tensor([ids], dtype=torch.long),
            "packed_position_ids": torch.tensor([positions], dtype=torch.long),
            "packed_targets": target_tensor,
            "packed_weights": weights.to(torch.float32),
            "packed_is_label": label_mask,
            "packed_counts": torch.tensor([counts["pred"], counts["expl"]], dtype=torch.float32),
            # non-pad input tokens + target tokens, the throughput measure of the padded path
            "tokens": len(ids) + counts["pred"] + counts["expl"],  # a plain int: _prepare_inputs leaves it on the host
        }

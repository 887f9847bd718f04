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


# Under SDPA, rows of at most 2 × the longest sequence: on the CPU bench model (hidden 256, FFN
# 1024) one 8-example DSS step took 2.90 s padded, 2.77 s as one row, 1.89 s with rows of 2×,
# 2.41 s with 3× and 3.10 s with 4× (median of 6; bench/runner_cpu.py has the full comparison).
SDPA_ROW_FACTOR = 2.0


class PackedDSSCollator:
    """Decoder-only students: every predict and explain sequence of the micro-batch packed into
    rows without padding between them, so the DSS step is one forward instead of two padded ones.

    position_ids restart at 0 for each sequence; transformers reads those restarts as sequence
    boundaries (a block-diagonal causal mask under SDPA/eager, varlen kernels under flash
    attention), so no token attends across sequences. Each target position carries the loss
    weight w/N_label (predict) or (1−w)/N_rationale (explain), N counted over the micro-batch:
    the weighted sum equals w·mean(CE_label) + (1−w)·mean(CE_rationale) of the two-pass loss.

    row_factor: with flash attention (cost Σ len²) one row holds everything (None). Under SDPA a
    row's attention is dense over the whole row, so rows are capped at row_factor × the longest
    sequence and filled first-fit by decreasing length; the short tail that evens the rows out is
    its own masked sequence with weight 0.
    Token counts for throughput are made here, on the host, so the step never syncs for them.
    """

    def __init__(self, label_weight: float, row_factor: float | None = None, pad_token_id: int = 0) -> None:
        self.label_weight = label_weight
        self.row_factor = row_factor
        self.pad_token_id = pad_token_id

    def __call__(self, features: list[dict[str, Any]]) -> dict[str, Any]:
        passes = [("pred", [f["pred"] for f in features])]
        if self.label_weight < 1.0 and all("expl" in f for f in features):
            passes.append(("expl", [f["expl"] for f in features]))
        sequences = [(name, pair) for name, pairs in passes for pair in pairs]
        counts = {"pred": 0, "expl": 0}
        shifted_of = []
        for name, pair in sequences:
            # Position t predicts token t + 1 of the same sequence; the last one predicts nothing.
            shifted = pair["labels"][1:] + [IGNORE_INDEX]
            shifted_of.append(shifted)
            counts[name] += sum(t != IGNORE_INDEX for t in shifted)
        w = self.label_weight if len(passes) == 2 else 1.0
        share = {"pred": w / max(counts["pred"], 1), "expl": (1.0 - w) / max(counts["expl"], 1)}

        order = sorted(range(len(sequences)), key=lambda i: -len(sequences[i][1]["input_ids"]))
        if self.row_factor is None:
            rows: list[list[int]] = [order]
        else:
            capacity = int(self.row_factor * len(sequences[order[0]][1]["input_ids"]))
            rows, room = [], []
            for i in order:
                n = len(sequences[i][1]["input_ids"])
                slot = next((r for r, free in enumerate(room) if free >= n), None)
                if slot is None:
                    rows.append([i])
                    room.append(capacity - n)
                else:
                    rows[slot].append(i)
                    room[slot] -= n
        width = max(sum(len(sequences[i][1]["input_ids"]) for i in row) for row in rows)
        ids, positions, targets, weights, is_label = [], [], [], [], []
        for row in rows:
            r_ids: list[int] = []
            r_pos: list[int] = []
            r_tgt: list[int] = []
            r_w: list[float] = []
            r_lab: list[bool] = []
            for i in row:
                name, pair = sequences[i]
                n = len(pair["input_ids"])
                r_ids += pair["input_ids"]
                r_pos += range(n)
                r_tgt += shifted_of[i]
                r_w += [share[name] if t != IGNORE_INDEX else 0.0 for t in shifted_of[i]]
                r_lab += [name == "pred"] * n
            tail = width - len(r_ids)
            ids.append(r_ids + [self.pad_token_id] * tail)
            positions.append(r_pos + list(range(tail)))
            targets.append(r_tgt + [IGNORE_INDEX] * tail)
            weights.append(r_w + [0.0] * tail)
            is_label.append(r_lab + [False] * tail)
        real = sum(len(pair["input_ids"]) for _, pair in sequences)
        return {
            "packed_input_ids": torch.tensor(ids, dtype=torch.long),
            "packed_position_ids": torch.tensor(positions, dtype=torch.long),
            "packed_targets": torch.tensor(targets, dtype=torch.long),
            "packed_weights": torch.tensor(weights, dtype=torch.float32),
            "packed_is_label": torch.tensor(is_label, dtype=torch.bool),
            "packed_counts": torch.tensor([counts["pred"], counts["expl"]], dtype=torch.float32),
            # non-pad input tokens + target tokens, the throughput measure of the padded path
            "tokens": real + counts["pred"] + counts["expl"],  # a plain int: _prepare_inputs leaves it on the host
        }


def packed_collator(label_weight: float, cuda: bool, pad_token_id: int) -> PackedDSSCollator:
    """One row when flash attention runs it as variable-length sequences (modeling.attention_kwargs
    picks it on a GPU with flash-attn installed), else rows capped for SDPA's dense row mask."""
    import importlib.util

    varlen = cuda and importlib.util.find_spec("flash_attn") is not None
    return PackedDSSCollator(label_weight, None if varlen else SDPA_ROW_FACTOR, pad_token_id)

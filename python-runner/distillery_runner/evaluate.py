"""Greedy `predict: ` generation over a split, scored with dsl_metrics, written to predictions.jsonl."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import torch

from .data import PREDICT_PREFIX, Encoder, Record, canonical_json
from .dsl_metrics import score, score_one


@torch.no_grad()
def generate(model: Any, tokenizer: Any, arch: str, records: list[Record], *, max_source_len: int, max_new_tokens: int, batch_size: int) -> list[str]:
    encoder = Encoder(tokenizer, arch, max_source_len, max_new_tokens)
    device = next(model.parameters()).device
    was_training = model.training
    model.eval()
    texts: list[str] = []
    for start in range(0, len(records), batch_size):
        chunk = records[start : start + batch_size]
        prompts = [encoder.prompt_ids(PREDICT_PREFIX, r.question) for r in chunk]
        width = max(len(p) for p in prompts)
        pad = tokenizer.pad_token_id
        # Decoder-only prompts are left-padded so every continuation starts at the same column.
        left = arch == "causal"
        ids = [([pad] * (width - len(p)) + p) if left else (p + [pad] * (width - len(p))) for p in prompts]
        mask = [([0] * (width - len(p)) + [1] * len(p)) if left else ([1] * len(p) + [0] * (width - len(p))) for p in prompts]
        input_ids = torch.tensor(ids, device=device)
        attention_mask = torch.tensor(mask, device=device)
        output = model.generate(
            input_ids=input_ids,
            attention_mask=attention_mask,
            max_new_tokens=max_new_tokens,
            do_sample=False,
            num_beams=1,
            pad_token_id=pad,
            eos_token_id=tokenizer.eos_token_id,
            use_cache=True,
        )
        if arch == "causal":
            output = output[:, input_ids.shape[1] :]
        texts.extend(tokenizer.batch_decode(output, skip_special_tokens=True))
    if was_training:
        model.train()
    return texts


def write_predictions(path: Path, records: list[Record], texts: list[str]) -> None:
    with path.open("w", encoding="utf-8") as handle:
        for record, text in zip(records, texts):
            row = {"id": record.id, "question": record.question, "prediction": text, "gold": canonical_json(record.dsl), **score_one(text, record.dsl)}
            handle.write(json.dumps(row, ensure_ascii=False) + "\n")


def evaluate_split(model: Any, tokenizer: Any, arch: str, records: list[Record], out_dir: Path, *, max_source_len: int, max_new_tokens: int, batch_size: int) -> dict[str, Any]:
    texts = generate(model, tokenizer, arch, records, max_source_len=max_source_len, max_new_tokens=max_new_tokens, batch_size=batch_size)
    write_predictions(out_dir / "predictions.jsonl", records, texts)
    return score(texts, [r.dsl for r in records])

"""Exported DSS records → tokenised predict/explain pairs and padded batches.

A record is one line of `distillery export --format dss`: {"id","question","rationale","dsl"}.
Every example yields a `predict: ` pair (question → canonical DSL) and, under DSS, an `explain: `
pair (question → rationale), as in Hsieh et al. 2023.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import torch

PREDICT_PREFIX = "predict: "
EXPLAIN_PREFIX = "explain: "
IGNORE_INDEX = -100


class DataError(Exception):
    """A data file problem the user can fix; the message names the file and line."""

    def __init__(self, message: str, hint: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.hint = hint


@dataclass(frozen=True)
class Record:
    id: str
    question: str
    rationale: str | None
    dsl: dict[str, Any]
    line: int


def canonical_json(value: Any) -> str:
    """The DSL target text: compact, sorted keys, so one query has one spelling."""
    return json.dumps(value, ensure_ascii=False, separators=(",", ":"), sort_keys=True)


def load_records(path: Path, *, need_rationale: bool, split: str) -> list[Record]:
    if not path.is_file():
        raise DataError(f"data.{split}: file not found: {path}", "export the dataset with `distillery export --format dss`")
    records: list[Record] = []
    with path.open(encoding="utf-8") as handle:
        for number, line in enumerate(handle, start=1):
            if not line.strip():
                continue
            where = f"{path}:{number}"
            try:
                obj = json.loads(line)
            except json.JSONDecodeError as exc:
                raise DataError(f"{where}: not valid JSON ({exc.msg} at column {exc.colno})", "fix or remove the line") from None
            if not isinstance(obj, dict):
                raise DataError(f"{where}: expected a JSON object with id, question, rationale, dsl")
            question = obj.get("question")
            if not isinstance(question, str) or not question.strip():
                raise DataError(f"{where}: 'question' must be a non-empty string")
            dsl = obj.get("dsl")
            if isinstance(dsl, str):
                # Some exports carry the body as a JSON string; accept it when it parses.
                try:
                    dsl = json.loads(dsl)
                except json.JSONDecodeError:
                    pass
            if not isinstance(dsl, dict):
                raise DataError(f"{where}: 'dsl' must be a JSON object (an Elasticsearch search body), got {type(dsl).__name__}", "accept or fix the record before exporting")
            rationale = obj.get("rationale")
            if rationale is not None and not isinstance(rationale, str):
                raise DataError(f"{where}: 'rationale' must be a string")
            if need_rationale and not (rationale and rationale.strip()):
                raise DataError(
                    f"{where}: 'rationale' is missing or empty, and supervision 'dss' trains on it",
                    "regenerate the rationale, drop the record, or set supervision to 'label_only'",
                )
            record_id = obj.get("id")
            records.append(Record(id=str(record_id) if record_id is not None else f"line-{number}", question=question, rationale=rationale, dsl=dsl, line=number))
    if not records:
        raise DataError(f"data.{split}: {path} holds no records")
    return records


class Encoder:
    """Tokenises source/target pairs for either model family.

    seq2seq: encoder gets the prefixed question, decoder learns the target.
    causal: one sequence prompt + target + eos; prompt positions are masked out of the loss.
    """

    def __init__(self, tokenizer: Any, arch: str, max_source_len: int, max_target_len: int) -> None:
        self.tokenizer = tokenizer
        self.arch = arch
        self.max_source_len = max_source_len
        self.max_target_len = max_target_len

    def prompt(self, prefix: str, question: str) -> str:
        # The newline ends the prompt for decoder-only models so the target starts on a fresh token.
        return f"{prefix}{question}" if self.arch == "seq2seq" else f"{prefix}{question}\n"

    def prompt_ids(self, prefix: str, question: str) -> list[int]:
        return self.tokenizer(self.prompt(prefix, question), truncation=True, max_length=self.max_source_len)["input_ids"]

    def pair(self, prefix: str, question: str, target: str) -> dict[str, list[int]]:
        source = self.prompt_ids(prefix, question)
        if self.arch == "seq2seq":
            labels = self.tokenizer(text_target=target, truncation=True, max_length=self.max_target_len)["input_ids"]
            return {"input_ids": source, "labels": labels}
        target_ids = self.tokenizer(target, add_special_tokens=False)["input_ids"][: self.max_target_len - 1]
        target_ids = target_ids + [self.tokenizer.eos_token_id]
        return {"input_ids": source + target_ids, "labels": [IGNORE_INDEX] * len(source) + target_ids}

    def example(self, record: Record, with_rationale: bool) -> dict[str, Any]:
        predict = self.pair(PREDICT_PREFIX, record.question, canonical_json(record.dsl))
        out: dict[str, Any] = {
            # `input_ids` is what the Trainer's length-grouped sampler measures.
            "input_ids": predict["input_ids"],
            "pred": predict,
        }
        if with_rationale:
            out["expl"] = self.pair(EXPLAIN_PREFIX, record.question, record.rationale or "")
        return out


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

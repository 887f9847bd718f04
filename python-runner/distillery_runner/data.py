"""Exported DSS records → validated records and tokenised predict/explain pairs.

A record is one line of `distillery export --format dss`: {"id","question","rationale","dsl"}.
Every example yields a `predict: ` pair (question → canonical DSL) and, under DSS, an `explain: `
pair (question → rationale), as in Hsieh et al. 2023.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from .config import RunConfig

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


def unrepresentable_characters(tokenizer: Any, texts: list[str]) -> list[str]:
    """Characters of the targets that do not survive encode → decode (mapped to <unk>).

    FLAN-T5's SentencePiece vocabulary, for one, has no `{` or `}`: such a student can never
    write valid JSON, so this is reported at start instead of discovered after training.
    Every text counts (a character may occur once, in the last rationale), so the scan is over
    the set of distinct characters: one short encode whatever the size of the data.
    """
    chars = sorted({ch for text in texts for ch in text if not ch.isspace()})
    if not chars:
        return []
    probe = " ".join(chars)
    decoded = tokenizer.decode(tokenizer(probe, add_special_tokens=False)["input_ids"], skip_special_tokens=True)
    return sorted(set(chars) - set(decoded))


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

    def full_prompt_ids(self, prefix: str, question: str) -> list[int]:
        return self.tokenizer(self.prompt(prefix, question))["input_ids"]

    def prompt_ids(self, prefix: str, question: str) -> list[int]:
        return self.full_prompt_ids(prefix, question)[: self.max_source_len]

    def full_target_ids(self, target: str) -> list[int]:
        """The whole target with its end-of-sequence token, untruncated."""
        if self.arch == "seq2seq":
            return self.tokenizer(text_target=target)["input_ids"]
        return self.tokenizer(target, add_special_tokens=False)["input_ids"] + [self.tokenizer.eos_token_id]

    def pair(self, prefix: str, question: str, target: str) -> dict[str, Any]:
        full_source = self.full_prompt_ids(prefix, question)
        full_target = self.full_target_ids(target)
        source = full_source[: self.max_source_len]
        # Cutting from the end drops the end-of-sequence token too: a cut target must not teach
        # the model to stop mid-JSON. Preflight (length_report) refuses data where this is common.
        labels = full_target[: self.max_target_len]
        lengths = {"source": len(full_source), "target": len(full_target)}
        if self.arch == "seq2seq":
            return {"input_ids": source, "labels": labels, "lengths": lengths}
        return {"input_ids": source + labels, "labels": [IGNORE_INDEX] * len(source) + labels, "lengths": lengths}

    def example(self, record: Record, with_rationale: bool) -> dict[str, Any]:
        predict = self.pair(PREDICT_PREFIX, record.question, canonical_json(record.dsl))
        out: dict[str, Any] = {
            # `input_ids` is what the Trainer's length-grouped sampler measures.
            "input_ids": predict["input_ids"],
            "pred": predict,
        }
        if with_rationale:
            out["expl"] = self.pair(EXPLAIN_PREFIX, record.question, record.rationale or "")
        # What one example costs in computed positions over all its passes: the key length-grouped
        # sampling sorts by, since a T5 batch pads its rationales as much as its questions.
        out["length"] = sum(len(out[p]["input_ids"]) + (len(out[p]["labels"]) if self.arch == "seq2seq" else 0) for p in ("pred", "expl") if p in out)
        return out


# Above these shares of cut sequences a run is refused: a cut DSL target teaches a model that
# cannot finish its JSON, a cut question hides what was asked. Rationales are allowed more: a cut
# explanation still teaches the reasoning it contains.
MAX_CUT_SHARE = {"sources": 0.01, "targets": 0.01, "rationales": 0.10}


def _percentile(values: list[int], share: float) -> int:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(share * len(ordered)))] if ordered else 0


def length_report(examples: list[dict[str, Any]], max_source_len: int, max_target_len: int) -> dict[str, Any]:
    """Token lengths of the train examples before truncation, and how many sequences are cut.

    Raises DataError naming the setting to raise when more than MAX_CUT_SHARE would be cut.
    """
    sources = [e["pred"]["lengths"]["source"] for e in examples] + [e["expl"]["lengths"]["source"] for e in examples if "expl" in e]
    targets = [e["pred"]["lengths"]["target"] for e in examples]
    rationales = [e["expl"]["lengths"]["target"] for e in examples if "expl" in e]
    cut = {
        "sources": sum(n > max_source_len for n in sources),
        "targets": sum(n > max_target_len for n in targets),
        "rationales": sum(n > max_target_len for n in rationales),
    }
    totals = {"sources": len(sources), "targets": len(targets), "rationales": len(rationales)}
    longest = {"sources": max(sources, default=0), "targets": max(targets, default=0), "rationales": max(rationales, default=0)}
    for kind, limit in MAX_CUT_SHARE.items():
        if totals[kind] and cut[kind] / totals[kind] > limit:
            key = "maxSourceLen" if kind == "sources" else "maxTargetLen"
            needed = longest[kind] if kind != "rationales" else max(longest["targets"], _percentile(rationales, 0.95))
            raise DataError(
                f"{cut[kind]} of {totals[kind]} train {kind} are longer than train.{key} "
                f"({max_source_len if kind == 'sources' else max_target_len} tokens) and would be cut (more than {limit:.0%}); the longest is {longest[kind]} tokens",
                f"set train.{key} to {needed} or more, or shorten those records",
            )
    return {
        "truncated": cut,
        "maxTokens": longest,
        "p95Tokens": {"sources": _percentile(sources, 0.95), "targets": _percentile(targets, 0.95), "rationales": _percentile(rationales, 0.95)},
    }


def generation_budget(examples: list[dict[str, Any]]) -> int:
    """max_new_tokens for evaluation, from the longest DSL target seen in training (with its end
    token) plus a quarter for longer answers, instead of reusing the training truncation length."""
    longest = max(e["pred"]["lengths"]["target"] for e in examples)
    return longest + max(8, longest // 4)


@dataclass(frozen=True)
class Splits:
    train: list[Record]
    val: list[Record] | None
    test: list[Record] | None


def load_splits(cfg: "RunConfig") -> Splits:
    need_rationale = cfg.label_weight < 1.0
    return Splits(
        train=load_records(cfg.data.train, need_rationale=need_rationale, split="train"),
        # Validation loss is the label loss only, so val/test rationales are optional.
        val=load_records(cfg.data.val, need_rationale=False, split="val") if cfg.data.val else None,
        test=load_records(cfg.data.test, need_rationale=False, split="test") if cfg.data.test else None,
    )

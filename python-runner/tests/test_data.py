from __future__ import annotations

import pytest

from conftest import records, write_jsonl
from distillery_runner.data import IGNORE_INDEX, DataError, Encoder, canonical_json, load_records
from distillery_runner.modeling import load_tokenizer


def test_canonical_json_is_compact_and_sorted():
    assert canonical_json({"size": 1, "query": {"match_all": {}}}) == '{"query":{"match_all":{}},"size":1}'


@pytest.mark.parametrize(
    ("line", "needle"),
    [
        ("{not json", "not valid JSON"),
        ('{"id":"a","question":"","rationale":"r","dsl":{}}', "'question' must be a non-empty string"),
        ('{"id":"a","question":"q","rationale":"r","dsl":null}', "'dsl' must be a JSON object"),
        ('{"id":"a","question":"q","dsl":{}}', "'rationale' is missing or empty"),
    ],
)
def test_bad_lines_name_file_and_line(tmp_path, line, needle):
    path = tmp_path / "train.jsonl"
    path.write_text('{"id":"ok","question":"q","rationale":"r","dsl":{}}\n' + line + "\n", encoding="utf-8")
    with pytest.raises(DataError) as info:
        load_records(path, need_rationale=True, split="train")
    assert f"{path}:2" in info.value.message and needle in info.value.message


def test_label_only_does_not_need_rationale(tmp_path):
    path = tmp_path / "t.jsonl"
    path.write_text('{"id":"a","question":"q","dsl":"{\\"size\\":1}"}\n', encoding="utf-8")
    (record,) = load_records(path, need_rationale=False, split="train")
    assert record.dsl == {"size": 1} and record.rationale is None


def test_causal_prompt_tokens_are_masked(tiny_models, tmp_path):
    tokenizer = load_tokenizer(str(tiny_models["llama"]), "causal")
    (record, *_) = load_records(write_jsonl(tmp_path / "t.jsonl", records(1)), need_rationale=True, split="train")
    ex = Encoder(tokenizer, "causal", 64, 64).example(record, with_rationale=True)
    pred = ex["pred"]
    n_prompt = len(tokenizer("predict: " + record.question + "\n")["input_ids"])
    assert pred["labels"][:n_prompt] == [IGNORE_INDEX] * n_prompt
    assert pred["labels"][n_prompt:] == pred["input_ids"][n_prompt:]
    assert pred["input_ids"][-1] == tokenizer.eos_token_id
    assert tokenizer.decode(pred["input_ids"][n_prompt:], skip_special_tokens=True) == canonical_json(record.dsl)
    assert tokenizer.decode(ex["expl"]["input_ids"][:n_prompt], skip_special_tokens=True).startswith("explain: ")


def test_seq2seq_targets_round_trip(tiny_models, tmp_path):
    tokenizer = load_tokenizer(str(tiny_models["t5"]), "seq2seq")
    (record, *_) = load_records(write_jsonl(tmp_path / "t.jsonl", records(1)), need_rationale=True, split="train")
    pred = Encoder(tokenizer, "seq2seq", 64, 64).example(record, with_rationale=False)["pred"]
    assert tokenizer.decode(pred["labels"], skip_special_tokens=True) == canonical_json(record.dsl)
    assert pred["labels"][-1] == tokenizer.eos_token_id


def test_characters_the_tokenizer_cannot_write_are_found():
    from tokenizers import Tokenizer, models, pre_tokenizers, trainers
    from transformers import PreTrainedTokenizerFast

    from distillery_runner.data import unrepresentable_characters

    # Like FLAN-T5's vocabulary: no braces.
    tok = Tokenizer(models.BPE(unk_token="<unk>"))
    tok.pre_tokenizer = pre_tokenizers.Whitespace()
    tok.train_from_iterator(['query match title "red shoes" : , [ ]'], trainers.BpeTrainer(special_tokens=["<unk>"], show_progress=False))
    tokenizer = PreTrainedTokenizerFast(tokenizer_object=tok, unk_token="<unk>")
    assert unrepresentable_characters(tokenizer, ['{"query":{"match":{"title":"red shoes"}}}']) == ["{", "}"]

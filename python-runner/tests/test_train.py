"""The real recipe, a few optimiser steps at a time, on tiny models of both families."""

from __future__ import annotations

import json
import signal
import subprocess
import sys
from pathlib import Path

import pytest

from conftest import RUNNER_ROOT, make_run, records, run_in_process, run_subprocess, runner_env
from event_schema import validate_event, validate_stream


def steps_of(events):
    return [e for e in events if e["event"] == "step"]


MATRIX = [
    # family, modality, supervision, extra train settings
    ("t5", "full", "dss", {"gradAccum": 2, "batchSize": 1}),
    ("t5", "lora", "label_only", {"gradientCheckpointing": True, "scheduler": "reduce_on_plateau"}),
    ("llama", "full", "label_only", {"gradientCheckpointing": True, "gradAccum": 2}),
    ("llama", "lora", "dss", {"evalSteps": 1, "saveSteps": 1, "earlyStoppingPatience": 5}),
]


@pytest.mark.parametrize(("family", "modality", "supervision", "extra"), MATRIX)
def test_train_runs_real_steps_and_emits_contract_events(tiny_models, tmp_path, family, modality, supervision, extra):
    config = make_run(tmp_path / "run", tiny_models[family], modality=modality, supervision=supervision, train=extra)
    out = tmp_path / "out"
    code, events = run_in_process(["train", "--config", str(config), "--out", str(out)])
    assert code == 0, events
    validate_stream(events)
    start, done = events[0], events[-1]
    assert start["arch"] == ("seq2seq" if family == "t5" else "causal")
    assert start["addedTokens"] == [] and start["runId"] == "out"
    assert done["status"] == "ok" and done["metrics"]["steps"] == 2
    steps = steps_of(events)
    assert [s["step"] for s in steps] == [1, 2]
    if supervision == "dss":
        assert all(s["lossRationale"] is not None for s in steps)
        # loss = 0.5·label + 0.5·rationale on the same batches
        for s in steps:
            assert abs(s["loss"] - 0.5 * (s["lossLabel"] + s["lossRationale"])) < 1e-4 * max(1.0, s["loss"])
    else:
        assert all(s["lossRationale"] is None and abs(s["loss"] - s["lossLabel"]) < 1e-5 for s in steps)
    final_eval = [e for e in events if e["event"] == "eval" and "exactMatch" in e]
    assert len(final_eval) == 1 and final_eval[0]["split"] == "test" and final_eval[0]["count"] == 2
    assert any(e["event"] == "checkpoint" for e in events)
    predictions = (out / "predictions.jsonl").read_text().splitlines()
    assert len(predictions) == 2 and {"id", "prediction", "gold", "exact", "valid"} <= set(json.loads(predictions[0]))
    assert json.loads((out / "metrics.json").read_text())["steps"] == 2

    if modality == "lora":
        from peft import PeftModel
        from transformers import AutoModelForCausalLM, AutoModelForSeq2SeqLM

        cls = AutoModelForSeq2SeqLM if family == "t5" else AutoModelForCausalLM
        model = PeftModel.from_pretrained(cls.from_pretrained(tiny_models[family]), str(out / "adapter"))
        assert any("lora_A" in name for name, _ in model.named_parameters())
    else:
        from transformers import AutoConfig

        assert AutoConfig.from_pretrained(out / "model").model_type == ("t5" if family == "t5" else "llama")


def teacher_forced_accuracy(model_dir: Path, family: str, rows: list[dict]) -> float:
    """Share of the `predict: ` target tokens that the trained model ranks first when fed the gold
    prefix (teacher forcing). Unlike free-running greedy text, one early slip cannot derail every
    later token, so the check measures what training optimised and does not flip with a library
    release that changes generation defaults."""
    import torch
    from transformers import AutoModelForCausalLM, AutoModelForSeq2SeqLM

    from distillery_runner.batching import DSSCollator
    from distillery_runner.data import IGNORE_INDEX, Encoder, Record
    from distillery_runner.modeling import load_tokenizer

    arch = "seq2seq" if family == "t5" else "causal"
    tokenizer = load_tokenizer(str(model_dir), arch)
    cls = AutoModelForSeq2SeqLM if arch == "seq2seq" else AutoModelForCausalLM
    model = cls.from_pretrained(model_dir).eval()
    encoder = Encoder(tokenizer, arch, 64, 64)
    examples = [encoder.example(Record(str(r["id"]), r["question"], r["rationale"], r["dsl"], 1), False) for r in rows]
    batch = DSSCollator(tokenizer.pad_token_id)(examples)
    labels = batch["pred_labels"]
    with torch.no_grad():
        logits = model(input_ids=batch["pred_input_ids"], attention_mask=batch["pred_attention_mask"], labels=labels).logits
    if arch == "causal":  # position t predicts token t + 1
        logits, labels = logits[:, :-1], labels[:, 1:]
    scored = labels != IGNORE_INDEX
    return float((logits.argmax(-1)[scored] == labels[scored]).float().mean())


@pytest.mark.parametrize("family", ["t5", "llama"])
def test_loss_decreases_on_a_repeated_batch_until_every_target_token_is_predicted(tiny_models, tmp_path, family):
    """Memorising two examples end to end: the loss falls, and the saved model then predicts every
    token of both gold DSLs under teacher forcing, which checks prompt masking, target alignment and
    saving together. Free-running generation is exercised by the matrix test above; its exact text
    is not asserted here because one tie broken differently derails everything after it."""
    rows = records(2)
    config = make_run(
        tmp_path / "run", tiny_models[family], modality="full", supervision="dss", rows=rows, splits=("train", "test"),
        train={"maxSteps": 80, "lr": 1e-2, "logSteps": 10, "saveSteps": 1000, "warmupRatio": 0.0, "scheduler": "constant", "maxTargetLen": 40, "groupByLength": False},
    )
    out = tmp_path / "out"
    code, events = run_in_process(["train", "--config", str(config), "--out", str(out)])
    assert code == 0
    losses = [s["loss"] for s in steps_of(events)]
    assert losses[-1] < 0.1 * losses[0], losses
    assert teacher_forced_accuracy(out / "model", family, rows) == 1.0
    (final,) = [e for e in events if e["event"] == "eval"]
    assert final["count"] == 2


def test_two_runs_with_the_same_seed_log_the_same_losses(tiny_models, tmp_path):
    """The recipe for two steps with a fixed seed, twice (torchtune's recipe test)."""
    runs = []
    for name in ("a", "b"):
        config = make_run(tmp_path / name, tiny_models["llama"], modality="lora", supervision="dss", splits=("train",), train={"saveSteps": 100})
        code, events = run_in_process(["train", "--config", str(config), "--out", str(tmp_path / name / "out")])
        assert code == 0
        runs.append([(s["step"], s["loss"], s["lossLabel"], s["lossRationale"]) for s in steps_of(events)])
    assert runs[0] == runs[1]
    assert len(runs[0]) == 2


def test_resume_continues_from_the_checkpoint(tiny_models, tmp_path):
    out = tmp_path / "out"
    first = make_run(tmp_path / "first", tiny_models["t5"], modality="lora", splits=("train",), train={"maxSteps": 2, "saveSteps": 2})
    code, events = run_in_process(["train", "--config", str(first), "--out", str(out)])
    assert code == 0 and (out / "checkpoints" / "checkpoint-2").is_dir()

    second = make_run(tmp_path / "second", tiny_models["t5"], modality="lora", splits=("train",), train={"maxSteps": 4, "saveSteps": 2})
    code, events = run_in_process(["train", "--config", str(second), "--out", str(out), "--resume"])
    assert code == 0, events
    validate_stream(events)
    assert events[0]["resumedFrom"].endswith("checkpoint-2")
    assert [s["step"] for s in steps_of(events)] == [3, 4]
    assert events[-1]["metrics"]["steps"] == 4


def test_resume_without_a_checkpoint_is_a_config_error(tiny_models, tmp_path):
    config = make_run(tmp_path / "run", tiny_models["t5"])
    code, events = run_in_process(["train", "--config", str(config), "--out", str(tmp_path / "empty"), "--resume"])
    assert code == 2 and events[-1]["event"] == "error" and events[-1]["kind"] == "config"
    assert "--resume" in events[-1]["message"]


def test_eval_command_scores_a_trained_adapter(tiny_models, tmp_path):
    config = make_run(tmp_path / "run", tiny_models["llama"], modality="lora", supervision="label_only", splits=("train", "test"), train={"saveSteps": 100})
    out = tmp_path / "out"
    assert run_in_process(["train", "--config", str(config), "--out", str(out)])[0] == 0
    code, events = run_in_process(["eval", "--model", str(out), "--data", str(tmp_path / "run" / "test.jsonl"), "--out", str(tmp_path / "eval"), "--max-new-tokens", "16"])
    assert code == 0
    for e in events:
        validate_event(e)
    assert events[0]["event"] == "eval" and events[0]["count"] == 2
    assert events[-1]["event"] == "done" and events[-1]["status"] == "ok"
    assert len((tmp_path / "eval" / "predictions.jsonl").read_text().splitlines()) == 2


def test_sigterm_finishes_the_step_saves_and_reports_cancelled(tiny_models, tmp_path):
    config = make_run(tmp_path / "run", tiny_models["t5"], modality="lora", splits=("train",), train={"maxSteps": 100000, "saveSteps": 100000})
    out = tmp_path / "out"
    proc = subprocess.Popen(
        [sys.executable, "-m", "distillery_runner", "train", "--config", str(config), "--out", str(out)],
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=runner_env(), cwd=RUNNER_ROOT,
    )
    events = []
    try:
        assert proc.stdout is not None
        for line in proc.stdout:
            events.append(json.loads(line))
            # Wait for a real optimiser step, then ask it to stop (what `runs cancel` does).
            if events[-1]["event"] == "step" and events[-1]["step"] >= 2 and proc.poll() is None:
                proc.send_signal(signal.SIGTERM)
                break
        rest, stderr = proc.communicate(timeout=120)
    finally:
        if proc.poll() is None:
            proc.kill()
    events += [json.loads(line) for line in rest.splitlines() if line]
    assert proc.returncode == 3, stderr[-2000:]
    validate_stream(events)
    done = events[-1]
    assert done["status"] == "cancelled"
    assert done["checkpoint"] and Path(done["checkpoint"]).is_dir()
    assert any(e["event"] == "checkpoint" for e in events)
    assert "Traceback" not in stderr


@pytest.mark.parametrize(
    ("case", "kind", "needle"),
    [
        ("unknown-key", "config", "did you mean 'modality'"),
        ("bad-line", "data", "train.jsonl:3"),
    ],
)
def test_bad_input_gives_one_error_event_and_exit_2_without_traceback(tiny_models, tmp_path, case, kind, needle):
    if case == "unknown-key":
        config = make_run(tmp_path / "run", tiny_models["t5"], modalty="lora")
    else:
        config = make_run(tmp_path / "run", tiny_models["t5"])
        lines = (tmp_path / "run" / "train.jsonl").read_text().splitlines()
        lines[2] = '{"id": "broken", "question": "q", "rationale": "r", "dsl": [1, 2]}'
        (tmp_path / "run" / "train.jsonl").write_text("\n".join(lines) + "\n")
    result = run_subprocess(["train", "--config", str(config), "--out", str(tmp_path / "out")])
    assert result.returncode == 2
    lines = result.stdout.splitlines()
    assert len(lines) == 1, result.stdout
    event = json.loads(lines[0])
    validate_event(event)
    assert event["event"] == "error" and event["kind"] == kind and needle in event["message"]
    assert "Traceback" not in result.stderr and "Traceback" not in result.stdout


def test_qlora(tiny_models, tmp_path):
    from distillery_runner.environment import bitsandbytes_status

    ok, reason = bitsandbytes_status()
    if not ok:
        pytest.skip(f"QLoRA needs bitsandbytes with a CUDA backend: {reason}")
    config = make_run(tmp_path / "run", tiny_models["llama"], modality="qlora")
    code, events = run_in_process(["train", "--config", str(config), "--out", str(tmp_path / "out")])
    assert code == 0, events
    validate_stream(events)


def test_out_of_memory_is_an_oom_event_with_a_hint(tiny_models, tmp_path, monkeypatch):
    import torch

    from distillery_runner import trainer as trainer_module

    def explode(self, *args, **kwargs):
        raise torch.OutOfMemoryError("CUDA out of memory. Tried to allocate 2.00 GiB")

    monkeypatch.setattr(trainer_module.DSSTrainer, "train", explode)
    config = make_run(tmp_path / "run", tiny_models["t5"], splits=("train",))
    code, events = run_in_process(["train", "--config", str(config), "--out", str(tmp_path / "out")])
    assert code == 1
    validate_event(events[-1])
    assert events[-1]["kind"] == "oom" and "gradientCheckpointing" in events[-1]["hint"]


def test_run_id_comes_from_the_remote_run_folder(tiny_models, tmp_path, monkeypatch):
    monkeypatch.setattr("distillery_runner.trainer.DSSTrainer.train", lambda self, **kw: (_ for _ in ()).throw(RuntimeError("stop here")))
    config = make_run(tmp_path / "run", tiny_models["t5"], splits=("train",))
    code, events = run_in_process(["train", "--config", str(config), "--out", str(tmp_path / "run-42" / "outputs")])
    assert code == 1 and events[0]["runId"] == "run-42"
    assert events[-1]["kind"] == "runtime" and "stop here" in events[-1]["message"]


def test_a_model_without_a_generation_head_is_a_config_error(tmp_path):
    from transformers import DistilBertConfig

    DistilBertConfig(vocab_size=64, dim=16, n_layers=1, n_heads=2, hidden_dim=32).save_pretrained(tmp_path / "encoder")
    config = make_run(tmp_path / "run", tmp_path / "encoder", splits=("train",))
    code, events = run_in_process(["train", "--config", str(config), "--out", str(tmp_path / "out")])
    assert code == 2 and events[-1]["kind"] == "config" and "'distilbert'" in events[-1]["message"]


@pytest.fixture(scope="module")
def t5_without_braces(tiny_models, tmp_path_factory):
    """The tiny T5 with a SentencePiece-like tokenizer that, like FLAN-T5's, has no `{` or `}`."""
    import shutil

    from tokenizers import Tokenizer, decoders, models, pre_tokenizers, processors, trainers
    from transformers import PreTrainedTokenizerFast

    from distillery_runner.tiny_model import corpus

    folder = tmp_path_factory.mktemp("t5-no-braces") / "model"
    shutil.copytree(tiny_models["t5"], folder)
    for name in ("tokenizer.json", "tokenizer_config.json"):
        (folder / name).unlink()
    tok = Tokenizer(models.BPE(unk_token="<unk>"))
    tok.pre_tokenizer = pre_tokenizers.Metaspace()
    tok.decoder = decoders.Metaspace()
    texts = [t.replace("{", "").replace("}", "") for t in corpus()] + [r[1] + " " + r[2] for r in __import__("conftest").RECORDS]
    tok.train_from_iterator(texts, trainers.BpeTrainer(vocab_size=400, special_tokens=["<pad>", "</s>", "<unk>"], show_progress=False))
    tok.post_processor = processors.TemplateProcessing(single="$A </s>", special_tokens=[("</s>", 1)])
    PreTrainedTokenizerFast(tokenizer_object=tok, pad_token="<pad>", eos_token="</s>", unk_token="<unk>").save_pretrained(folder)
    return folder


def _untie_lm_head(folder: Path) -> None:
    """FLAN-T5's layout: a separate output matrix in the checkpoint. Only the weights say so:
    transformers 5's T5Config reports tie_word_embeddings = True whatever config.json holds."""
    import torch
    from safetensors.torch import load_file, save_file

    weights = load_file(folder / "model.safetensors")
    generator = torch.Generator().manual_seed(3)
    weights["lm_head.weight"] = torch.randn(weights["shared.weight"].shape, generator=generator) * 0.05
    save_file({k: v.contiguous() for k, v in weights.items()}, folder / "model.safetensors", metadata={"format": "pt"})


def test_the_missing_character_scan_covers_every_text(t5_without_braces):
    from transformers import AutoTokenizer

    from distillery_runner.data import unrepresentable_characters

    tokenizer = AutoTokenizer.from_pretrained(t5_without_braces)
    # DSLs come first in the list the recipe scans; a brace only in the 600th text still counts.
    texts = ["price is numeric so a range query"] * 600 + ['{"size":0}']
    assert unrepresentable_characters(tokenizer, texts) == ["{", "}"]


@pytest.mark.parametrize("tied", [True, False], ids=["tied", "untied-lm-head"])
def test_characters_missing_from_the_vocabulary_become_trainable_tokens(t5_without_braces, tmp_path, tied):
    import shutil

    import torch
    from safetensors.torch import load_file
    from transformers import AutoModelForSeq2SeqLM, AutoTokenizer

    base = tmp_path / "base"
    shutil.copytree(t5_without_braces, base)
    if not tied:
        _untie_lm_head(base)
    config = make_run(tmp_path / "run", base, modality="lora", splits=("train", "test"), train={"saveSteps": 100, "maxSteps": 4, "lr": 1e-2})
    out = tmp_path / "out"
    code, events = run_in_process(["train", "--config", str(config), "--out", str(out)])
    assert code == 0, events
    validate_stream(events)
    assert events[0]["addedTokens"] == ["{", "}"]
    tokenizer = AutoTokenizer.from_pretrained(out / "adapter")
    added = tokenizer.convert_tokens_to_ids(["{", "}"])
    assert tokenizer.unk_token_id not in tokenizer('{"size":0}', add_special_tokens=False)["input_ids"]

    # The new rows start at the mean of the old ones and then train: input rows always, and the
    # output layer's own rows when it is untied, or the model could never write a brace.
    original = AutoModelForSeq2SeqLM.from_pretrained(base)
    adapter = load_file(out / "adapter" / "adapter_model.safetensors")
    rows = {name: value for name, value in adapter.items() if "trainable_tokens" in name}
    assert any("shared" in n or "embed_tokens" in n for n in rows), sorted(adapter)
    output_rows = [v for n, v in rows.items() if "lm_head" in n]
    assert bool(output_rows) == (not tied), sorted(rows)
    layers = [("embed", original.get_input_embeddings().weight)] + ([("lm_head", original.lm_head.weight)] if not tied else [])
    for kind, weight in layers:
        mean = weight[: min(added)].mean(dim=0)
        trained = next(v for n, v in rows.items() if (kind == "lm_head") == ("lm_head" in n))
        assert trained.shape == (2, weight.shape[1])
        assert not torch.allclose(trained, mean.expand_as(trained), atol=1e-4), f"{kind} rows did not train"

    # The saved adapter, loaded onto the original base by `eval`, writes what the trained model wrote.
    code, eval_events = run_in_process(["eval", "--model", str(out), "--data", str(tmp_path / "run" / "test.jsonl"), "--out", str(tmp_path / "eval")])
    assert code == 0 and eval_events[0]["count"] == 2, eval_events
    trained_texts = [json.loads(line)["prediction"] for line in (out / "predictions.jsonl").read_text().splitlines()]
    reloaded_texts = [json.loads(line)["prediction"] for line in (tmp_path / "eval" / "predictions.jsonl").read_text().splitlines()]
    assert reloaded_texts == trained_texts


def test_targets_longer_than_max_target_len_stop_the_run_with_the_fix(tiny_models, tmp_path):
    config = make_run(tmp_path / "run", tiny_models["llama"], modality="lora", splits=("train",), train={"maxTargetLen": 12})
    code, events = run_in_process(["train", "--config", str(config), "--out", str(tmp_path / "out")])
    assert code == 2, events
    error = events[-1]
    assert error["kind"] == "data" and "train targets are longer than train.maxTargetLen (12 tokens)" in error["message"]
    assert "set train.maxTargetLen to" in error["hint"]


def test_the_start_event_counts_cut_sequences_and_generation_is_sized_from_the_data(tiny_models, tmp_path):
    from transformers import AutoTokenizer

    from distillery_runner.data import canonical_json

    rows = records() * 2
    rows[0] = {**rows[0], "rationale": "a long explanation " * 20}  # 1 of 12 rationales cut: reported, under the 10% refusal
    config = make_run(tmp_path / "run", tiny_models["t5"], modality="lora", rows=rows, splits=("train", "test"), train={"saveSteps": 100})
    code, events = run_in_process(["train", "--config", str(config), "--out", str(tmp_path / "out")])
    assert code == 0, events
    start = events[0]
    assert start["lengths"]["truncated"] == {"sources": 0, "targets": 0, "rationales": 1}
    tokenizer = AutoTokenizer.from_pretrained(tiny_models["t5"])
    longest = max(len(tokenizer(text_target=canonical_json(r["dsl"]))["input_ids"]) for r in records())
    assert start["lengths"]["maxTokens"]["targets"] == longest
    assert start["maxNewTokens"] == longest + max(8, longest // 4)


def test_resume_skips_a_checkpoint_whose_save_did_not_finish(tmp_path):
    from distillery_runner.checkpoints import last_checkpoint

    complete, torn = tmp_path / "checkpoints" / "checkpoint-2", tmp_path / "checkpoints" / "checkpoint-4"
    for folder in (complete, torn):
        folder.mkdir(parents=True)
        (folder / "model.safetensors").write_bytes(b"")
    (complete / "trainer_state.json").write_text("{}")  # the Trainer writes it last
    assert last_checkpoint(tmp_path) == str(complete)


def test_training_arguments_follow_the_paper_and_peft(tmp_path):
    from distillery_runner.config import parse_run_config
    from distillery_runner.environment import Runtime
    from distillery_runner.recipe import training_arguments

    raw = {"baseModel": "m", "data": {"train": "t", "val": "v"}, "train": {"scheduler": "reduce_on_plateau", "batchSize": 4, "evalSteps": 10}}
    cfg = parse_run_config(raw, tmp_path)
    args = training_arguments(cfg, Runtime(device="cpu", gpu=None, precision="fp32", local_rank=0), tmp_path, True, train_examples=200)
    # 200 examples / batch 4 = 50 steps an epoch = 5 validations: patience is one epoch of them.
    assert args.lr_scheduler_kwargs == {"factor": 0.1, "patience": 5}
    assert args.ddp_find_unused_parameters is False
    assert str(args.optim.value if hasattr(args.optim, "value") else args.optim) == "adamw_torch_fused"  # HF's default, not overridden


def test_eval_of_a_qlora_adapter_loads_the_4bit_base(tmp_path):
    import torch

    from distillery_runner.config import ConfigError
    from distillery_runner.modeling import inference_load_kwargs, write_training_info

    write_training_info(tmp_path, {"modality": "qlora", "precision": "bf16"})
    kwargs = inference_load_kwargs(tmp_path, "cuda:1")
    quant = kwargs["quantization_config"]
    assert quant.load_in_4bit and quant.bnb_4bit_quant_type == "nf4" and quant.bnb_4bit_compute_dtype == torch.bfloat16
    assert kwargs["device_map"] == {"": 1}
    with pytest.raises(ConfigError, match="QLoRA adapter"):
        inference_load_kwargs(tmp_path, "cpu")
    write_training_info(tmp_path, {"modality": "lora"})
    assert inference_load_kwargs(tmp_path, "cpu") == {}


def test_two_gloo_ranks_launched_from_gpus_stop_at_the_same_step_when_one_is_signalled(tiny_models, tmp_path):
    """RUN.json names two GPUs → torchrun with two ranks (gloo on this CPU machine). A SIGTERM that
    reaches one rank only must stop both at the same step, or the other blocks in its all-reduce."""
    import psutil

    config = make_run(
        tmp_path / "run", tiny_models["llama"], modality="lora", supervision="label_only", splits=("train",),
        train={"maxSteps": 100000, "saveSteps": 100000, "batchSize": 1}, gpus=[0, 1],
    )
    out = tmp_path / "out"
    stderr_path = tmp_path / "stderr.log"
    with stderr_path.open("w") as stderr:
        proc = subprocess.Popen(
            [sys.executable, "-m", "distillery_runner", "train", "--config", str(config), "--out", str(out)],
            stdout=subprocess.PIPE, stderr=stderr, text=True, env=runner_env(), cwd=RUNNER_ROOT,
        )
        events = []
        try:
            assert proc.stdout is not None
            for line in proc.stdout:
                events.append(json.loads(line))
                if events[-1]["event"] == "step" and events[-1]["step"] >= 2:
                    ranks = {p.environ().get("RANK"): p for p in psutil.Process(proc.pid).children(recursive=True) if "RANK" in p.environ()}
                    assert set(ranks) == {"0", "1"}
                    ranks["1"].send_signal(signal.SIGTERM)
                    break
            rest, _ = proc.communicate(timeout=120)
        finally:
            for child in psutil.Process(proc.pid).children(recursive=True) if proc.poll() is None else []:
                child.kill()
            if proc.poll() is None:
                proc.kill()
    events += [json.loads(line) for line in rest.splitlines() if line]
    log = stderr_path.read_text()
    assert proc.returncode == 3, log[-3000:]
    validate_stream(events)
    assert [e["event"] for e in events].count("start") == 1  # rank 0 alone writes events
    done = events[-1]
    assert done["status"] == "cancelled" and Path(done["checkpoint"]).is_dir()
    assert done["checkpoint"].endswith(f"checkpoint-{done['metrics']['steps']}")

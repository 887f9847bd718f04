"""The runner's DSS training step against a stock Hugging Face Trainer: tokens/s, padding, memory.

Baseline ("stock"), what a user would write from the docs and Hsieh et al.'s code:
  - default TrainingArguments (only batch size, steps, seed, learning rate, bf16 where the runner
    uses it, and no saving/reporting are set),
  - DataCollatorForSeq2Seq padding each pass (Hsieh's TaskPrefixDataCollator),
  - Hsieh's two-pass TaskPrefixTrainer.compute_loss: w·L_predict + (1−w)·L_explain,
  - the model loaded with from_pretrained (QLoRA: NF4 + peft.prepare_model_for_kbit_training) and
    the same LoRA config as the runner.
Runner: load_student + training_arguments + DSSTrainer + its collators, i.e. the real recipe
(decoder-only: one padding-free packed forward per step; T5: length-grouped batches).

Models are initialised from a config (no download) and saved once; records are drawn from
examples/dataset.dss.jsonl (or --records), so lengths follow the examples' token lengths. Each
configuration runs in its own subprocess; the runner without length grouping (same batch order as
stock) must reproduce the stock step-1 loss. The clock syncs the GPU only at the start and end of
the timed steps. Peak *reserved* memory is what the caching allocator held (what fails with OOM).

    python bench_gpu.py --presets qwen2.5-0.5b,llama-3.2-1b,flan-t5-large --modalities lora,qlora --steps 20
    python bench_gpu.py --presets qwen2.5-7b --modalities qlora --steps 10
    python bench_gpu.py --presets cpu-llama,cpu-t5 --modalities lora        # CPU (bench/runner_cpu.py)

Prints one JSON line (ratios and raw results) and, with --table, a Markdown table for BENCHMARKS.md.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
DEFAULT_RECORDS = HERE.parent / "examples" / "dataset.dss.jsonl"
WEIGHT = 0.5  # the paper's DSS weight

# name: (family, config class, config kwargs). Shapes are the published config.json values.
PRESETS: dict[str, tuple[str, str, dict[str, Any]]] = {
    "cpu-llama": ("causal", "LlamaConfig", dict(hidden_size=256, intermediate_size=1024, num_hidden_layers=4, num_attention_heads=4, num_key_value_heads=4)),
    "cpu-t5": ("seq2seq", "T5Config", dict(d_model=256, d_kv=64, d_ff=1024, num_layers=4, num_decoder_layers=4, num_heads=4, feed_forward_proj="gated-gelu", dropout_rate=0.0)),
    "qwen2.5-0.5b": ("causal", "Qwen2Config", dict(vocab_size=151936, hidden_size=896, intermediate_size=4864, num_hidden_layers=24, num_attention_heads=14, num_key_value_heads=2, tie_word_embeddings=True)),
    "llama-3.2-1b": ("causal", "LlamaConfig", dict(vocab_size=128256, hidden_size=2048, intermediate_size=8192, num_hidden_layers=16, num_attention_heads=32, num_key_value_heads=8, tie_word_embeddings=True)),
    "flan-t5-large": ("seq2seq", "T5Config", dict(vocab_size=32128, d_model=1024, d_kv=64, d_ff=2816, num_layers=24, num_decoder_layers=24, num_heads=16, feed_forward_proj="gated-gelu", tie_word_embeddings=False, dropout_rate=0.0)),
    "qwen2.5-7b": ("causal", "Qwen2Config", dict(vocab_size=152064, hidden_size=3584, intermediate_size=18944, num_hidden_layers=28, num_attention_heads=28, num_key_value_heads=4, tie_word_embeddings=False)),
}


def build_model(preset: str, folder: Path) -> Path:
    """Random weights from the preset's config, saved in bf16 (fp32 for the CPU presets) with the
    runner's tiny byte-level tokenizer, whose ids fit every preset's vocabulary."""
    import torch
    import transformers
    from tokenizers import processors

    from distillery_runner.tiny_model import build_tokenizer

    family, config_class, shape = PRESETS[preset]
    tokenizer = build_tokenizer(bos=family == "causal")
    ids = {name: tokenizer.convert_tokens_to_ids(name) for name in ("<pad>", "</s>", "<s>")}
    if family == "causal":
        tokenizer._tokenizer.post_processor = processors.TemplateProcessing(single="<s> $A", special_tokens=[("<s>", ids["<s>"])])
        extra = dict(bos_token_id=ids["<s>"], max_position_embeddings=4096)
    else:
        tokenizer._tokenizer.post_processor = processors.TemplateProcessing(single="$A </s>", special_tokens=[("</s>", ids["</s>"])])
        extra = dict(decoder_start_token_id=ids["<pad>"])
    config = getattr(transformers, config_class)(**{"vocab_size": len(tokenizer), **shape, **extra, "pad_token_id": ids["<pad>"], "eos_token_id": ids["</s>"]})
    cls = transformers.AutoModelForCausalLM if family == "causal" else transformers.AutoModelForSeq2SeqLM
    gpu = torch.cuda.is_available() and not preset.startswith("cpu-")
    torch.manual_seed(0)
    with torch.device("cuda" if gpu else "cpu"):
        model = cls.from_config(config, dtype=torch.bfloat16 if gpu else torch.float32)
    model.save_pretrained(folder)
    tokenizer.save_pretrained(folder)
    del model
    if gpu:
        torch.cuda.empty_cache()
    return folder


def load_examples(tokenizer: Any, arch: str, records_path: Path, count: int, seed: int) -> list[dict[str, Any]]:
    from distillery_runner.data import Encoder, Record

    records = []
    for number, line in enumerate(records_path.read_text(encoding="utf-8").splitlines(), start=1):
        row = json.loads(line) if line.strip() else {}
        # An example project also holds rejected and pending records; train on the usable ones.
        if isinstance(row.get("dsl"), dict) and isinstance(row.get("rationale"), str) and row["rationale"].strip():
            records.append(Record(str(row.get("id", number)), row["question"], row["rationale"], row["dsl"], number))
    rng = random.Random(seed)
    encoder = Encoder(tokenizer, arch, 4096, 4096)
    return [encoder.example(rng.choice(records), True) for _ in range(count)]


class Recorder:
    """Wraps a collator: counts real token positions and the positions computed (with padding).
    A position is an input token, plus a decoder token for T5."""

    def __init__(self, collate: Any, seq2seq: bool) -> None:
        self.collate, self.seq2seq = collate, seq2seq
        self.real: list[int] = []
        self.computed: list[int] = []

    def __call__(self, features: list[dict[str, Any]]) -> dict[str, Any]:
        batch = self.collate(features)
        if "packed_input_ids" in batch:
            computed = batch["packed_input_ids"].numel()
        else:
            computed = 0
            for p in ("pred", "expl"):
                part = batch[p] if p in batch else {"input_ids": batch[f"{p}_input_ids"], "labels": batch[f"{p}_labels"]}
                computed += part["input_ids"].numel() + (part["labels"].numel() if self.seq2seq else 0)
        self.real.append(sum(len(f[p]["input_ids"]) + (len(f[p]["labels"]) if self.seq2seq else 0) for f in features for p in ("pred", "expl")))
        self.computed.append(computed)
        return batch


def run_one(preset: str, modality: str, trainer_kind: str, model_dir: Path, a: argparse.Namespace) -> dict[str, Any]:
    import torch
    from peft import LoraConfig, TaskType, get_peft_model
    from transformers import AutoModelForCausalLM, AutoModelForSeq2SeqLM, DataCollatorForSeq2Seq, Trainer, TrainerCallback, TrainingArguments

    from distillery_runner.batching import DSSCollator, EncodedDataset, packed_collator
    from distillery_runner.config import parse_run_config
    from distillery_runner.environment import resolve_runtime, versions
    from distillery_runner.modeling import load_student, load_tokenizer
    from distillery_runner.recipe import training_arguments
    from distillery_runner.trainer import DSSTrainer

    cuda = torch.cuda.is_available()
    if not cuda:
        torch.set_num_threads(1)  # a shared CPU box: one thread keeps the runs comparable
    family = PRESETS[preset][0]
    seq2seq = family == "seq2seq"
    tokenizer = load_tokenizer(str(model_dir), family)
    data = load_examples(tokenizer, family, Path(a.records), a.batch_size * (a.steps + a.warmup), seed=5)
    for e in data:
        for p in ("pred", "expl"):
            e[p].pop("lengths", None)
    ticks: dict[int, float] = {}

    class Clock(TrainerCallback):
        # On a GPU two syncs in the whole run: at the end of the warm-up and at the end. On a CPU
        # every step is timed (nothing to sync) and the median step rate is kept, so a load spike
        # from another process on a shared machine moves one step, not the figure.
        def on_step_end(self, args: Any, state: Any, control: Any, **kwargs: Any) -> None:
            if not cuda or state.global_step in (a.warmup, a.warmup + a.steps):
                if cuda:
                    torch.cuda.synchronize()
                ticks[state.global_step] = time.perf_counter()

    # Dropout 0 everywhere: different padding would draw different masks, and the step-1 losses
    # could not be compared. It costs both trainers the same.
    lora = {"r": a.lora_r, "alpha": 4 * a.lora_r, "dropout": 0.0, "targetModules": "all-linear"}
    raw = {"baseModel": str(model_dir), "modality": modality, "supervision": "dss", "dssWeight": WEIGHT, "data": {"train": "unused.jsonl"},
           "train": {"batchSize": a.batch_size, "maxSteps": a.steps + a.warmup, "lr": 2e-4, "seed": 7, "warmupRatio": 0.0, "logSteps": 1,
                     "saveSteps": 10**6, "gradientCheckpointing": a.gradient_checkpointing, "groupByLength": trainer_kind == "runner",
                     "maxSourceLen": 4096, "maxTargetLen": 4096}}
    if modality != "full":
        raw["lora"] = lora
    cfg = parse_run_config(raw, model_dir)
    runtime = resolve_runtime(cfg)
    out = Path(tempfile.mkdtemp(prefix="distillery-bench-"))
    if cuda:
        torch.cuda.reset_peak_memory_stats()
    torch.manual_seed(1)
    if trainer_kind == "stock":
        cls = AutoModelForSeq2SeqLM if seq2seq else AutoModelForCausalLM
        kwargs: dict[str, Any] = {}
        if modality == "qlora":
            from transformers import BitsAndBytesConfig

            kwargs = {"quantization_config": BitsAndBytesConfig(load_in_4bit=True, bnb_4bit_quant_type="nf4", bnb_4bit_use_double_quant=True, bnb_4bit_compute_dtype=torch.bfloat16), "device_map": {"": 0}}
        model = cls.from_pretrained(model_dir, **kwargs)
        if modality == "qlora":
            from peft import prepare_model_for_kbit_training

            model = prepare_model_for_kbit_training(model, use_gradient_checkpointing=a.gradient_checkpointing)
        if modality != "full":
            model = get_peft_model(model, LoraConfig(r=a.lora_r, lora_alpha=4 * a.lora_r, lora_dropout=0.0, target_modules="all-linear",
                                                     task_type=TaskType.SEQ_2_SEQ_LM if seq2seq else TaskType.CAUSAL_LM))
        pad = DataCollatorForSeq2Seq(tokenizer, model=model if seq2seq else None, label_pad_token_id=-100)

        def collate(features: list[dict[str, Any]]) -> dict[str, Any]:
            return {p: pad([{"input_ids": f[p]["input_ids"], "labels": f[p]["labels"]} for f in features]) for p in ("pred", "expl")}

        class TaskPrefixTrainer(Trainer):
            def compute_loss(self, model: Any, inputs: dict[str, Any], return_outputs: bool = False, num_items_in_batch: Any = None) -> Any:
                pred_outputs = model(**inputs["pred"])
                expl_outputs = model(**inputs["expl"])
                loss = WEIGHT * pred_outputs.loss + (1.0 - WEIGHT) * expl_outputs.loss
                return (loss, {"pred": pred_outputs, "expl": expl_outputs}) if return_outputs else loss

        recorder = Recorder(collate, seq2seq)
        args = TrainingArguments(output_dir=str(out), per_device_train_batch_size=a.batch_size, max_steps=a.steps + a.warmup, seed=7, learning_rate=2e-4,
                                 bf16=runtime.precision == "bf16", use_cpu=not cuda, report_to="none", save_strategy="no", logging_steps=1,
                                 disable_tqdm=True, remove_unused_columns=False, gradient_checkpointing=a.gradient_checkpointing)
        trainer: Any = TaskPrefixTrainer(model=model, args=args, train_dataset=data, data_collator=recorder, callbacks=[Clock()])
        trainer.model_accepts_loss_kwargs = False
    else:
        model = load_student(cfg, runtime, str(model_dir), family, [])
        collate = packed_collator(WEIGHT, cuda, tokenizer.pad_token_id) if family == "causal" else DSSCollator(tokenizer.pad_token_id)
        recorder = Recorder(collate, seq2seq)
        args = training_arguments(cfg, runtime, out, False, len(data), packed=family == "causal")
        trainer = DSSTrainer(model=model, args=args, train_dataset=EncodedDataset(data), data_collator=recorder, callbacks=[Clock()], label_weight=WEIGHT)
    trainer.train()
    losses = [h["loss"] for h in trainer.state.log_history if "loss" in h]
    timed = sum(recorder.real[a.warmup:a.warmup + a.steps])
    if cuda:
        tokens_per_sec = timed / (ticks[a.warmup + a.steps] - ticks[a.warmup])
    else:
        import statistics

        tokens_per_sec = statistics.median(recorder.real[s - 1] / (ticks[s] - ticks[s - 1]) for s in range(a.warmup + 1, a.warmup + a.steps + 1))
    return {
        "preset": preset, "modality": modality, "trainer": trainer_kind,
        "step1Loss": losses[0],
        "tokensPerSec": tokens_per_sec,
        "paddingShare": 1.0 - sum(recorder.real) / sum(recorder.computed),
        "peakReservedGiB": torch.cuda.max_memory_reserved() / 2**30 if cuda else None,
        "peakAllocatedGiB": torch.cuda.max_memory_allocated() / 2**30 if cuda else None,
        "device": torch.cuda.get_device_name(0) if cuda else "cpu",
        "versions": versions(),
    }


def summarise(results: list[dict[str, Any]]) -> list[dict[str, Any]]:
    rows = []
    by = {(r["preset"], r["modality"], r["trainer"]): r for r in results}
    for (preset, modality, kind), stock in by.items():
        if kind != "stock":
            continue
        runner = by.get((preset, modality, "runner"))
        causal = PRESETS[preset][0] == "causal"
        ungrouped = runner if causal else by.get((preset, modality, "runner-ungrouped"))
        row: dict[str, Any] = {"preset": preset, "modality": modality, "stockPadding": round(stock["paddingShare"], 4)}
        if ungrouped:
            # Same model, data and batch order: the step-1 loss must be the same number.
            close = abs(stock["step1Loss"] - ungrouped["step1Loss"]) <= 2e-3 * max(1.0, abs(stock["step1Loss"]))
            row["step1Loss"] = [stock["step1Loss"], ungrouped["step1Loss"]]
            row["step1LossEqual"] = close
        if runner:
            row["tokensPerSecRatio"] = round(runner["tokensPerSec"] / stock["tokensPerSec"], 3)
            row["runnerPadding"] = round(runner["paddingShare"], 4)
            if stock["peakReservedGiB"]:
                row["peakReservedRatio"] = round(runner["peakReservedGiB"] / stock["peakReservedGiB"], 3)
                row["peakReservedGiB"] = {"stock": round(stock["peakReservedGiB"], 2), "runner": round(runner["peakReservedGiB"], 2)}
        rows.append(row)
    return rows


def table(rows: list[dict[str, Any]]) -> str:
    lines = ["| model shape | modality | tokens/s vs stock | peak reserved vs stock | padding stock → runner | step-1 loss equal |", "|---|---|---|---|---|---|"]
    for r in rows:
        mem = f"{r['peakReservedRatio']}× ({r['peakReservedGiB']['runner']} / {r['peakReservedGiB']['stock']} GiB)" if "peakReservedRatio" in r else "—"
        lines.append(f"| {r['preset']} | {r['modality']} | {r.get('tokensPerSecRatio', '—')}× | {mem} | {r['stockPadding']:.1%} → {r.get('runnerPadding', 0):.1%} | {r.get('step1LossEqual', '—')} |")
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--presets", default="qwen2.5-0.5b", help=f"comma-separated: {', '.join(PRESETS)}")
    parser.add_argument("--modalities", default="lora", help="comma-separated: full, lora, qlora")
    parser.add_argument("--trainers", default="stock,runner-ungrouped,runner")
    parser.add_argument("--steps", type=int, default=20)
    parser.add_argument("--warmup", type=int, default=3)
    parser.add_argument("--batch-size", type=int, default=8)
    parser.add_argument("--lora-r", type=int, default=16)
    parser.add_argument("--gradient-checkpointing", action="store_true")
    parser.add_argument("--repeats", type=int, default=1, help="interleaved runs of every configuration; the best of each is kept")
    parser.add_argument("--records", default=str(DEFAULT_RECORDS), help="DSS JSONL whose token lengths the batches follow")
    parser.add_argument("--table", action="store_true", help="also print a Markdown table")
    parser.add_argument("--out", help="write the raw results here as JSON")
    parser.add_argument("--child", nargs=4, metavar=("PRESET", "MODALITY", "TRAINER", "MODEL_DIR"), help=argparse.SUPPRESS)
    a = parser.parse_args()
    os.environ.setdefault("TOKENIZERS_PARALLELISM", "false")
    if a.child:
        import transformers

        transformers.utils.logging.set_verbosity_error()
        preset, modality, kind, model_dir = a.child
        print(json.dumps(run_one(preset, modality, kind, Path(model_dir), a)))
        return
    presets = a.presets.split(",")
    unknown = [p for p in presets if p not in PRESETS]
    if unknown:
        raise SystemExit(f"--presets: unknown {', '.join(unknown)}; choose from {', '.join(PRESETS)}")
    results: list[dict[str, Any]] = []
    passthrough = ["--steps", str(a.steps), "--warmup", str(a.warmup), "--batch-size", str(a.batch_size), "--lora-r", str(a.lora_r), "--records", a.records]
    if a.gradient_checkpointing:
        passthrough.append("--gradient-checkpointing")
    env = {**os.environ, "PYTHONPATH": str(HERE) + os.pathsep + os.environ.get("PYTHONPATH", "")}
    with tempfile.TemporaryDirectory(prefix="distillery-bench-models-") as tmp:
        for preset in presets:
            model_dir = build_model(preset, Path(tmp) / preset)
            # Decoder-only batches are never length-grouped (they are packed), so the runner keeps
            # the stock batch order and its own run serves for the step-1 loss check.
            kinds = [k for k in a.trainers.split(",") if not (PRESETS[preset][0] == "causal" and k == "runner-ungrouped")]
            for modality in a.modalities.split(","):
                best: dict[str, dict[str, Any]] = {}
                # Interleaved repeats, best of each: load from other processes on the machine then
                # slows every trainer alike instead of whichever ran during a spike.
                for _ in range(a.repeats):
                    for kind in kinds:
                        child = subprocess.run([sys.executable, __file__, "--child", preset, modality, kind, str(model_dir), *passthrough],
                                               capture_output=True, text=True, env=env, timeout=3600)
                        if child.returncode != 0:
                            print(f"{preset} {modality} {kind} failed:\n{child.stderr[-3000:]}", file=sys.stderr)
                            best[kind] = {"preset": preset, "modality": modality, "trainer": kind, "failed": child.stderr.strip().splitlines()[-1:]}
                            continue
                        result = json.loads(child.stdout.strip().splitlines()[-1])
                        if "failed" in best.get(kind, {}) or result["tokensPerSec"] > best.get(kind, {}).get("tokensPerSec", 0.0):
                            best[kind] = result
                results.extend(best.values())
    ok = [r for r in results if "failed" not in r]
    rows = summarise(ok)
    print(json.dumps({"bench": "runner-vs-stock", "batchSize": a.batch_size, "steps": a.steps, "dssWeight": WEIGHT, "rows": rows, "failed": [r for r in results if "failed" in r]}))
    if a.table:
        print(table(rows))
    if a.out:
        Path(a.out).write_text(json.dumps({"args": vars(a), "results": results, "rows": rows}, indent=2) + "\n", encoding="utf-8")
    if any(r.get("step1LossEqual") is False for r in rows) or any("failed" in r for r in results):
        raise SystemExit(1)


if __name__ == "__main__":
    main()

"""CPU benchmark: the runner's DSS training step against a stock Hugging Face Trainer.

Baseline ("stock"): default TrainingArguments (only batch size, steps, seed and the CPU/no-report
switches set), DataCollatorForSeq2Seq padding each pass, and Hsieh et al.'s two-pass
TaskPrefixTrainer.compute_loss (loss = w·L_predict + (1−w)·L_explain). The runner: DSSTrainer with
its collators (decoder-only: one padding-free packed forward; T5: length-grouped batches).
Both train the same LoRA on the same model (built from a config, no download) over records drawn
from examples/dataset.dss.jsonl, so sequence lengths follow the examples' token lengths.

Every configuration runs in its own subprocess. Step-1 losses of the runner without length
grouping (same batch order as the stock run) are asserted equal to the stock run's. Prints one
JSON line: tokens/s ratios, padding shares, and the raw figures.

Run: python-runner/.venv/bin/python bench/runner_cpu.py [--steps 12] [--batch-size 8]
(`npm run bench -- runner` runs it through bench/runner-cpu.ts).
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

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "python-runner"))

CONFIGS = {
    # name: (family, trainer, length-grouped)
    "causal-stock": ("causal", "stock", False),
    "causal-runner-ungrouped": ("causal", "runner", False),
    "causal-runner": ("causal", "runner", True),
    "t5-stock": ("seq2seq", "stock", False),
    "t5-runner-ungrouped": ("seq2seq", "runner", False),
    "t5-runner": ("seq2seq", "runner", True),
}
WEIGHT = 0.5  # the paper's DSS weight


def build_model(family: str, folder: Path) -> Path:
    """A small model with a realistic shape ratio (FFN 4× hidden), so padding costs what it costs
    in real models rather than being dwarfed by Python overhead."""
    import torch
    from transformers import LlamaConfig, LlamaForCausalLM, T5Config, T5ForConditionalGeneration

    from distillery_runner.tiny_model import build_tokenizer

    torch.manual_seed(0)
    tokenizer = build_tokenizer(bos=family == "causal")
    ids = {name: tokenizer.convert_tokens_to_ids(name) for name in ("<pad>", "</s>", "<s>")}
    if family == "causal":
        from tokenizers import processors

        tokenizer._tokenizer.post_processor = processors.TemplateProcessing(single="<s> $A", special_tokens=[("<s>", ids["<s>"])])
        config = LlamaConfig(vocab_size=len(tokenizer), hidden_size=256, intermediate_size=1024, num_hidden_layers=4, num_attention_heads=4,
                             num_key_value_heads=4, max_position_embeddings=4096, pad_token_id=ids["<pad>"], bos_token_id=ids["<s>"], eos_token_id=ids["</s>"])
        model = LlamaForCausalLM(config)
    else:
        from tokenizers import processors

        tokenizer._tokenizer.post_processor = processors.TemplateProcessing(single="$A </s>", special_tokens=[("</s>", ids["</s>"])])
        config = T5Config(vocab_size=len(tokenizer), d_model=256, d_kv=64, d_ff=1024, num_layers=4, num_decoder_layers=4, num_heads=4,
                          dropout_rate=0.0, feed_forward_proj="gated-gelu", pad_token_id=ids["<pad>"], eos_token_id=ids["</s>"], decoder_start_token_id=ids["<pad>"])
        model = T5ForConditionalGeneration(config)
    model.save_pretrained(folder)
    tokenizer.save_pretrained(folder)
    return folder


def examples(tokenizer: Any, arch: str, count: int, seed: int) -> list[dict[str, Any]]:
    from distillery_runner.data import Encoder, Record

    records = []
    for number, line in enumerate((ROOT / "examples" / "dataset.dss.jsonl").read_text(encoding="utf-8").splitlines(), start=1):
        row = json.loads(line) if line.strip() else {}
        # The example project also holds rejected and pending records; train on the usable ones.
        if isinstance(row.get("dsl"), dict) and isinstance(row.get("rationale"), str) and row["rationale"].strip():
            records.append(Record(str(row["id"]), row["question"], row["rationale"], row["dsl"], number))
    rng = random.Random(seed)
    encoder = Encoder(tokenizer, arch, 4096, 4096)
    return [encoder.example(rng.choice(records), True) for _ in range(count)]


class Recorder:
    """Wraps a collator: counts real token positions (no padding) and the positions computed.

    A position is an input token, plus a decoder token for T5. Throughput is real positions per
    second, the same measure for both trainers.
    """

    def __init__(self, collate: Any, seq2seq: bool) -> None:
        self.collate, self.seq2seq = collate, seq2seq
        self.real: list[int] = []
        self.computed: list[int] = []

    def __call__(self, features: list[dict[str, Any]]) -> dict[str, Any]:
        batch = self.collate(features)
        passes = [p for p in ("pred", "expl") if p in features[0]]
        if "packed_input_ids" in batch:
            computed = batch["packed_input_ids"].numel()
        else:
            computed = 0
            for p in passes:
                part = batch[p] if p in batch else {"input_ids": batch[f"{p}_input_ids"], "labels": batch[f"{p}_labels"]}
                computed += part["input_ids"].numel() + (part["labels"].numel() if self.seq2seq else 0)
        real = sum(len(f[p]["input_ids"]) + (len(f[p]["labels"]) if self.seq2seq else 0) for f in features for p in passes)
        self.real.append(real)
        self.computed.append(computed)
        return batch


def run_one(name: str, model_dir: Path, steps: int, warmup: int, batch_size: int) -> dict[str, Any]:
    import torch
    from peft import LoraConfig, TaskType, get_peft_model
    from transformers import AutoModelForCausalLM, AutoModelForSeq2SeqLM, DataCollatorForSeq2Seq, Trainer, TrainerCallback, TrainingArguments

    from distillery_runner.modeling import load_tokenizer

    torch.set_num_threads(1)  # a shared 2-core box: one thread keeps the two runs comparable
    family, kind, grouped = CONFIGS[name]
    arch = family
    tokenizer = load_tokenizer(str(model_dir), arch)
    tokenizer.padding_side = "right"  # training pads on the right in both recipes
    cls = AutoModelForSeq2SeqLM if arch == "seq2seq" else AutoModelForCausalLM
    torch.manual_seed(1)
    model = cls.from_pretrained(model_dir)
    if arch == "causal":
        model.config.use_cache = False
    model = get_peft_model(model, LoraConfig(r=16, lora_alpha=64, lora_dropout=0.0, target_modules="all-linear", task_type=TaskType.SEQ_2_SEQ_LM if arch == "seq2seq" else TaskType.CAUSAL_LM))
    data = examples(tokenizer, arch, batch_size * (steps + warmup) * 2, seed=5)
    for e in data:
        for p in ("pred", "expl"):
            e[p].pop("lengths", None)

    times: list[float] = []

    class Clock(TrainerCallback):
        def on_step_end(self, args: Any, state: Any, control: Any, **kwargs: Any) -> None:
            times.append(time.perf_counter())

    out = tempfile.mkdtemp(prefix="distillery-bench-")
    common = dict(output_dir=out, per_device_train_batch_size=batch_size, max_steps=steps + warmup, seed=7, use_cpu=True,
                  report_to="none", save_strategy="no", logging_steps=1, disable_tqdm=True, remove_unused_columns=False, learning_rate=5e-4)
    if kind == "stock":
        seq2seq = DataCollatorForSeq2Seq(tokenizer, model=model if arch == "seq2seq" else None, label_pad_token_id=-100)

        def collate(features: list[dict[str, Any]]) -> dict[str, Any]:
            # Hsieh et al.'s TaskPrefixDataCollator: DataCollatorForSeq2Seq on each pass.
            return {p: seq2seq([{"input_ids": f[p]["input_ids"], "labels": f[p]["labels"]} for f in features]) for p in ("pred", "expl")}

        class TaskPrefixTrainer(Trainer):
            def compute_loss(self, model: Any, inputs: dict[str, Any], return_outputs: bool = False, num_items_in_batch: Any = None) -> Any:
                pred_outputs = model(**inputs["pred"])
                expl_outputs = model(**inputs["expl"])
                loss = WEIGHT * pred_outputs.loss + (1.0 - WEIGHT) * expl_outputs.loss
                return (loss, {"pred": pred_outputs, "expl": expl_outputs}) if return_outputs else loss

        recorder = Recorder(collate, arch == "seq2seq")
        trainer: Any = TaskPrefixTrainer(model=model, args=TrainingArguments(**common), train_dataset=data, data_collator=recorder, callbacks=[Clock()])
    else:
        from distillery_runner.batching import DSSCollator, PackedDSSCollator
        from distillery_runner.trainer import DSSTrainer

        collate = PackedDSSCollator(WEIGHT) if arch == "causal" else DSSCollator(tokenizer.pad_token_id)
        recorder = Recorder(collate, arch == "seq2seq")
        args = TrainingArguments(**common, train_sampling_strategy="group_by_length" if grouped else "random")
        trainer = DSSTrainer(model=model, args=args, train_dataset=data, data_collator=recorder, callbacks=[Clock()], label_weight=WEIGHT)
    trainer.model_accepts_loss_kwargs = False
    trainer.train()
    losses = [h["loss"] for h in trainer.state.log_history if "loss" in h]
    timed_tokens = sum(recorder.real[warmup:steps + warmup])
    seconds = times[-1] - times[warmup - 1]
    return {
        "config": name,
        "step1Loss": losses[0],
        "tokensPerSec": timed_tokens / seconds,
        "paddingShare": 1.0 - sum(recorder.real) / sum(recorder.computed),
        "seconds": seconds,
        "steps": steps,
    }


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--steps", type=int, default=12)
    parser.add_argument("--warmup", type=int, default=2)
    parser.add_argument("--batch-size", type=int, default=8)
    parser.add_argument("--only", default=None, help="comma-separated config names")
    parser.add_argument("--config", help=argparse.SUPPRESS)
    parser.add_argument("--model", help=argparse.SUPPRESS)
    args = parser.parse_args()
    os.environ.setdefault("TOKENIZERS_PARALLELISM", "false")
    if args.config:  # child: one configuration
        import transformers

        transformers.utils.logging.set_verbosity_error()
        print(json.dumps(run_one(args.config, Path(args.model), args.steps, args.warmup, args.batch_size)))
        return
    names = args.only.split(",") if args.only else list(CONFIGS)
    with tempfile.TemporaryDirectory(prefix="distillery-bench-models-") as tmp:
        models = {family: build_model(family, Path(tmp) / family) for family in {CONFIGS[n][0] for n in names}}
        results: dict[str, dict[str, Any]] = {}
        env = {**os.environ, "OMP_NUM_THREADS": "1", "PYTHONPATH": str(ROOT / "python-runner")}
        for name in names:
            child = subprocess.run([sys.executable, __file__, "--config", name, "--model", str(models[CONFIGS[name][0]]), "--steps", str(args.steps), "--warmup", str(args.warmup), "--batch-size", str(args.batch_size)],
                                   capture_output=True, text=True, env=env, timeout=1800)
            if child.returncode != 0:
                raise SystemExit(f"{name} failed:\n{child.stderr[-4000:]}")
            results[name] = json.loads(child.stdout.strip().splitlines()[-1])
    summary: dict[str, Any] = {"bench": "runner-cpu", "batchSize": args.batch_size, "steps": args.steps, "dssWeight": WEIGHT}
    for family in ("causal", "t5"):
        stock, ungrouped, runner = (results.get(f"{family}-{k}") for k in ("stock", "runner-ungrouped", "runner"))
        if stock and ungrouped:
            # Same model, data and batch order: the step-1 loss must be the same number.
            assert abs(stock["step1Loss"] - ungrouped["step1Loss"]) <= 1e-4 * max(1.0, stock["step1Loss"]), (family, stock["step1Loss"], ungrouped["step1Loss"])
            summary[f"{family}Step1Loss"] = [stock["step1Loss"], ungrouped["step1Loss"]]
        if stock and runner:
            summary[f"{family}TokensPerSecRatio"] = round(runner["tokensPerSec"] / stock["tokensPerSec"], 3)
            summary[f"{family}PaddingShare"] = {"stock": round(stock["paddingShare"], 4), "runner": round(runner["paddingShare"], 4)}
        if stock and ungrouped:
            summary[f"{family}UngroupedTokensPerSecRatio"] = round(ungrouped["tokensPerSec"] / stock["tokensPerSec"], 3)
    summary["results"] = results
    print(json.dumps(summary))


if __name__ == "__main__":
    main()

"""GPU benchmark of the runner's training step: tokens/s, peak memory, DSS vs label-only.

For each modality (full, lora, qlora) on a ~0.5B-parameter model initialised from a config (no
download), it times three trainers on identical synthetic batches:

  dss         DSSTrainer, w = 0.5: a `predict:` and an `explain:` pass per example
  label_only  DSSTrainer, w = 1: the predict pass only
  baseline    a plain transformers.Trainer on the same predict-pass batches (the stock recipe)

label_only vs baseline is the like-for-like comparison (target: ≥ 1.0× throughput at equal or
lower peak memory); dss vs label_only shows what the rationale pass costs.

    python bench_gpu.py --preset qwen2.5-0.5b --steps 30 --out bench-results.json
    python bench_gpu.py --preset tiny-llama --steps 4 --modalities full,lora   # CPU smoke test

Prints a Markdown table (paste it into BENCHMARKS.md with the command) and writes JSON to --out.
"""

from __future__ import annotations

import argparse
import json
import platform
import statistics
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))

import torch  # noqa: E402
from transformers import (  # noqa: E402
    AutoModelForCausalLM,
    AutoModelForSeq2SeqLM,
    LlamaConfig,
    PreTrainedTokenizerFast,
    Qwen2Config,
    T5Config,
    Trainer,
    TrainerCallback,
    TrainingArguments,
)

from distillery_runner.batching import DSSCollator, EncodedDataset  # noqa: E402
from distillery_runner.config import parse_run_config  # noqa: E402
from distillery_runner.environment import resolve_runtime, versions  # noqa: E402
from distillery_runner.modeling import count_parameters, load_student  # noqa: E402
from distillery_runner.recipe import training_arguments  # noqa: E402
from distillery_runner.tiny_model import build_tokenizer  # noqa: E402
from distillery_runner.trainer import DSSTrainer  # noqa: E402

PRESETS: dict[str, tuple[str, Any]] = {
    # Qwen2.5-0.5B's shape (494M parameters with tied embeddings).
    "qwen2.5-0.5b": ("causal", lambda: Qwen2Config(
        vocab_size=151936, hidden_size=896, intermediate_size=4864, num_hidden_layers=24, num_attention_heads=14,
        num_key_value_heads=2, max_position_embeddings=4096, tie_word_embeddings=True, pad_token_id=0, eos_token_id=1,
    )),
    # FLAN-T5-base's shape (248M); the paper's smallest useful student.
    "flan-t5-base": ("seq2seq", lambda: T5Config(
        vocab_size=32128, d_model=768, d_kv=64, d_ff=2048, num_layers=12, num_decoder_layers=12, num_heads=12,
        feed_forward_proj="gated-gelu", tie_word_embeddings=False, pad_token_id=0, eos_token_id=1, decoder_start_token_id=0,
    )),
    "tiny-llama": ("causal", lambda: LlamaConfig(
        vocab_size=512, hidden_size=64, intermediate_size=128, num_hidden_layers=2, num_attention_heads=4,
        num_key_value_heads=2, pad_token_id=0, eos_token_id=1,
    )),
    "tiny-t5": ("seq2seq", lambda: T5Config(
        vocab_size=512, d_model=64, d_kv=16, d_ff=128, num_layers=2, num_heads=4, pad_token_id=0, eos_token_id=1, decoder_start_token_id=0,
    )),
}


def build_model_dir(preset: str, folder: Path) -> str:
    arch, make_config = PRESETS[preset]
    config = make_config()
    torch.manual_seed(0)
    cls = AutoModelForCausalLM if arch == "causal" else AutoModelForSeq2SeqLM
    with torch.device("cpu"):
        model = cls.from_config(config)
    model.save_pretrained(folder)
    # The trainer never tokenises here (batches are synthetic ids); a tokenizer is saved so the
    # folder loads like a real model.
    tokenizer: PreTrainedTokenizerFast = build_tokenizer()
    tokenizer.save_pretrained(folder)
    del model
    return arch


def synthetic_examples(arch: str, vocab: int, n: int, source_len: int, target_len: int, seed: int) -> list[dict[str, Any]]:
    g = torch.Generator().manual_seed(seed)

    def ids(length: int) -> list[int]:
        return torch.randint(2, vocab, (length,), generator=g).tolist()

    def pair() -> dict[str, list[int]]:
        source, target = ids(source_len), ids(target_len) + [1]
        if arch == "seq2seq":
            return {"input_ids": source, "labels": target}
        return {"input_ids": source + target, "labels": [-100] * source_len + target}

    out = []
    for _ in range(n):
        pred, expl = pair(), pair()
        out.append({"input_ids": pred["input_ids"], "pred": pred, "expl": expl})
    return out


class PlainCollator:
    """The baseline's batches: the predict pass as ordinary input_ids/attention_mask/labels."""

    def __init__(self, pad: int) -> None:
        self.inner = DSSCollator(pad)

    def __call__(self, features: list[dict[str, Any]]) -> dict[str, torch.Tensor]:
        b = self.inner([{"pred": f["pred"]} for f in features])
        return {"input_ids": b["pred_input_ids"], "attention_mask": b["pred_attention_mask"], "labels": b["pred_labels"]}


class StepTimer(TrainerCallback):
    def __init__(self) -> None:
        self.times: list[float] = []
        self._t = 0.0

    def on_step_begin(self, args: Any, state: Any, control: Any, **kw: Any) -> None:
        if torch.cuda.is_available():
            torch.cuda.synchronize()
        self._t = time.perf_counter()

    def on_step_end(self, args: Any, state: Any, control: Any, **kw: Any) -> None:
        if torch.cuda.is_available():
            torch.cuda.synchronize()
        self.times.append(time.perf_counter() - self._t)


def tokens_per_step(examples: list[dict[str, Any]], batch: int, passes: tuple[str, ...]) -> float:
    per_example = statistics.mean(sum(len(e[p]["input_ids"]) + sum(1 for t in e[p]["labels"] if t != -100) for p in passes) for e in examples)
    return per_example * batch


def run_one(kind: str, modality: str, model_dir: str, arch: str, args: argparse.Namespace, examples: list[dict[str, Any]], out_dir: Path) -> dict[str, Any]:
    raw = {
        "baseModel": model_dir,
        "modality": modality,
        "supervision": "label_only" if kind != "dss" else "dss",
        "train": {
            "maxSteps": args.steps, "batchSize": args.batch_size, "lr": 1e-4, "logSteps": 10**6, "saveSteps": 10**6,
            "gradientCheckpointing": args.gradient_checkpointing, "groupByLength": False, "maxSourceLen": 4096, "maxTargetLen": 4096,
        },
        "data": {"train": "unused.jsonl"},
    }
    cfg = parse_run_config(raw, Path("."))
    runtime = resolve_runtime(cfg)
    if torch.cuda.is_available():
        torch.cuda.empty_cache()
        torch.cuda.reset_peak_memory_stats()
    model = load_student(cfg, runtime, model_dir, arch)
    if modality == "full" and runtime.cuda:
        model.to(runtime.device)
    params = count_parameters(model)
    targs: TrainingArguments = training_arguments(cfg, runtime, out_dir / f"{modality}-{kind}", has_val=False)
    targs.save_strategy = "no"
    timer = StepTimer()
    dataset = EncodedDataset(examples)
    if kind == "baseline":
        trainer: Trainer = Trainer(model=model, args=targs, train_dataset=dataset, data_collator=PlainCollator(0), callbacks=[timer])
        passes: tuple[str, ...] = ("pred",)
    else:
        trainer = DSSTrainer(model=model, args=targs, train_dataset=dataset, data_collator=DSSCollator(0), callbacks=[timer], label_weight=cfg.label_weight)
        passes = ("pred", "expl") if kind == "dss" else ("pred",)
    trainer.train()
    steady = timer.times[args.warmup:] or timer.times
    step_sec = statistics.median(steady)
    peak = torch.cuda.max_memory_allocated() / 2**30 if torch.cuda.is_available() else 0.0
    result = {
        "modality": modality, "trainer": kind, "params": params, "precision": runtime.precision,
        "stepSec": round(step_sec, 4), "tokensPerSec": round(tokens_per_step(examples, args.batch_size, passes) / step_sec, 1),
        "peakMemGiB": round(peak, 3), "steps": len(timer.times),
    }
    del trainer, model
    if torch.cuda.is_available():
        torch.cuda.empty_cache()
    print(json.dumps(result), file=sys.stderr, flush=True)
    return result


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--preset", default="qwen2.5-0.5b", choices=sorted(PRESETS))
    parser.add_argument("--modalities", default="full,lora,qlora")
    parser.add_argument("--steps", type=int, default=30)
    parser.add_argument("--warmup", type=int, default=5, help="steps left out of the median step time")
    parser.add_argument("--batch-size", type=int, default=8)
    parser.add_argument("--source-len", type=int, default=128)
    parser.add_argument("--target-len", type=int, default=192)
    parser.add_argument("--gradient-checkpointing", action="store_true")
    parser.add_argument("--out", default="bench-results.json")
    args = parser.parse_args()

    arch, make_config = PRESETS[args.preset]
    vocab = make_config().vocab_size
    examples = synthetic_examples(arch, vocab, args.steps * args.batch_size, args.source_len, args.target_len, seed=0)
    results = []
    with tempfile.TemporaryDirectory() as tmp:
        model_dir = str(Path(tmp) / "model")
        build_model_dir(args.preset, Path(model_dir))
        for modality in [m.strip() for m in args.modalities.split(",") if m.strip()]:
            if modality == "qlora":
                from distillery_runner.environment import bitsandbytes_status

                ok, reason = bitsandbytes_status()
                if not ok:
                    print(f"skipping qlora: {reason}", file=sys.stderr)
                    continue
            for kind in ("baseline", "label_only", "dss"):
                results.append(run_one(kind, modality, model_dir, arch, args, examples, Path(tmp) / "out"))

    device = torch.cuda.get_device_name(0) if torch.cuda.is_available() else f"CPU ({platform.processor() or platform.machine()})"
    report = {"preset": args.preset, "device": device, "args": vars(args), "versions": versions(), "results": results}
    Path(args.out).write_text(json.dumps(report, indent=2) + "\n", encoding="utf-8")

    print(f"{args.preset} on {device}; batch {args.batch_size}, source {args.source_len} + target {args.target_len} tokens, {args.steps} steps (median after {args.warmup})\n")
    print("| modality | trainer | step s | tokens/s | peak GiB | vs baseline tokens/s | vs baseline peak |")
    print("|---|---|---|---|---|---|---|")
    for r in results:
        base = next(b for b in results if b["modality"] == r["modality"] and b["trainer"] == "baseline")
        # Only label_only does the same work as the baseline; dss does two passes per example.
        speed = f"{r['tokensPerSec'] / base['tokensPerSec']:.2f}×"
        mem = f"{r['peakMemGiB'] / base['peakMemGiB']:.2f}×" if base["peakMemGiB"] else "n/a"
        print(f"| {r['modality']} | {r['trainer']} | {r['stepSec']:.3f} | {r['tokensPerSec']:.0f} | {r['peakMemGiB']:.2f} | {speed} | {mem} |")
    return 0


if __name__ == "__main__":
    sys.exit(main())

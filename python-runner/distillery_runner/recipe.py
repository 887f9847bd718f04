"""`train`: parse config → set up model → set up data → train → evaluate → save.

One recipe for every mode; full / LoRA / QLoRA and DSS / label-only differ only in RUN.json.
"""

from __future__ import annotations

import dataclasses
import json
import math
import os
import time
from pathlib import Path
from typing import Any

import torch
from transformers import EarlyStoppingCallback, TrainingArguments, set_seed

from .batching import DSSCollator, EncodedDataset, packed_collator
from .checkpoints import last_checkpoint
from .config import ConfigError, RunConfig, config_to_json
from .data import Encoder, Splits, canonical_json, generation_budget, length_report, load_records, unrepresentable_characters
from .environment import Runtime, resolve_runtime, versions
from .evaluate import evaluate_split
from .events import EventWriter, is_main_process
from .modeling import count_parameters, detect_arch, load_model_config, load_student, load_tokenizer, log, read_training_info, write_training_info
from .trainer import CancelOnSignal, DSSTrainer, EventCallback, gpu_memory

SCHEDULERS = {"cosine": "cosine", "linear": "linear", "constant": "constant_with_warmup", "reduce_on_plateau": "reduce_lr_on_plateau"}


# The paper's plateau schedule: divide the learning rate by 10 after one epoch without improvement.
PLATEAU_FACTOR = 0.1


def plateau_patience(train_examples: int, cfg: RunConfig, world_size: int) -> int:
    """One epoch of validations: ReduceLROnPlateau counts evaluations, not epochs."""
    t = cfg.train
    steps_per_epoch = math.ceil(train_examples / (t.batchSize * t.gradAccum * max(world_size, 1)))
    return max(1, math.ceil(steps_per_epoch / t.evalSteps))


def training_arguments(cfg: RunConfig, runtime: Runtime, out_dir: Path, has_val: bool, train_examples: int = 0, packed: bool = False) -> TrainingArguments:
    """packed: decoder-only batches are packed without padding, so length grouping would only make
    the tokens per step uneven; it applies to T5, whose batches are padded."""
    t = cfg.train
    early_stopping = t.earlyStoppingPatience is not None
    world_size = int(os.environ.get("WORLD_SIZE", "1"))
    kwargs: dict[str, Any] = dict(
        output_dir=str(out_dir / "checkpoints"),
        per_device_train_batch_size=t.batchSize,
        per_device_eval_batch_size=t.evalBatchSize or t.batchSize,
        gradient_accumulation_steps=t.gradAccum,
        num_train_epochs=t.epochs,
        max_steps=t.maxSteps or -1,
        learning_rate=t.lr,
        lr_scheduler_type=SCHEDULERS[t.scheduler],
        warmup_steps=t.warmupRatio,  # a float in [0, 1) is a ratio of total steps
        weight_decay=t.weightDecay,
        max_grad_norm=t.maxGradNorm,
        bf16=runtime.precision == "bf16",
        fp16=runtime.precision == "fp16",
        logging_steps=t.logSteps,
        logging_first_step=True,
        eval_strategy="steps" if has_val else "no",
        eval_steps=t.evalSteps,
        save_strategy="steps",
        save_steps=t.saveSteps,
        save_total_limit=t.saveTotalLimit,
        load_best_model_at_end=early_stopping,
        metric_for_best_model="eval_loss" if early_stopping else None,
        greater_is_better=False if early_stopping else None,
        seed=t.seed,
        data_seed=t.seed,
        use_cpu=not runtime.cuda,
        # PEFT freezes the base, so DDP's search for unused parameters would only cost a graph walk
        # per step (and trips on frozen weights); full fine-tuning uses every parameter anyway.
        ddp_find_unused_parameters=False,
        report_to="none",
        disable_tqdm=True,
        remove_unused_columns=False,
        label_names=["pred_labels"],
        dataloader_num_workers=0,
        log_level="warning",
    )
    if cfg.modality == "qlora":
        # The QLoRA paper's paged 8-bit AdamW: optimiser state pages to host memory at peaks.
        # Everything else keeps HF's default, fused AdamW (torch ≥ 2.8), the paper's optimiser.
        kwargs["optim"] = "paged_adamw_8bit"
    if t.scheduler == "reduce_on_plateau":
        kwargs["lr_scheduler_kwargs"] = {"factor": PLATEAU_FACTOR, "patience": plateau_patience(train_examples, cfg, world_size)}
    fields = {f.name for f in dataclasses.fields(TrainingArguments)}
    # transformers 5 renamed gradient checkpointing to activation checkpointing.
    prefix = "activation_checkpointing" if "activation_checkpointing" in fields else "gradient_checkpointing"
    kwargs[prefix] = t.gradientCheckpointing
    kwargs[f"{prefix}_kwargs"] = {"use_reentrant": False}
    grouped = t.groupByLength and not packed
    sampling = "group_by_length" if grouped else "random"
    if "train_sampling_strategy" in fields:
        kwargs["train_sampling_strategy"] = sampling
    else:
        kwargs["group_by_length"] = grouped
    return TrainingArguments(**kwargs)


def _peak_gib() -> float:
    return gpu_memory()[1]


def run_training(cfg: RunConfig, splits: Splits, out_dir: Path, checkpoint: str | None, events: EventWriter) -> int:
    """Returns the exit code: 0 done ok, 3 done cancelled. Raises ConfigError/DataError.

    cfg and splits come validated from the CLI's preflight, which needs no torch import, so a
    bad RUN.json or data line fails in well under a second.
    """
    started = time.monotonic()
    cancel = CancelOnSignal()
    cancel.install()
    try:
        return _run(cfg, splits, out_dir, checkpoint, events, cancel, started)
    finally:
        cancel.uninstall()


def _run(cfg: RunConfig, splits: Splits, out_dir: Path, checkpoint: str | None, events: EventWriter, cancel: CancelOnSignal, started: float) -> int:
    # 1. config: the machine-dependent part (device, precision, bitsandbytes)
    runtime = resolve_runtime(cfg)
    out_dir.mkdir(parents=True, exist_ok=True)
    if is_main_process():
        (out_dir / "run_config.json").write_text(json.dumps(config_to_json(cfg), indent=2) + "\n", encoding="utf-8")

    # 2. model
    model_path, model_config = load_model_config(cfg)
    arch = detect_arch(model_config, cfg.arch)
    set_seed(cfg.train.seed)  # LoRA initialisation is random
    tokenizer = load_tokenizer(model_path, arch)
    # FLAN-T5's vocabulary has no `{` or `}`: without them a student cannot write JSON at all, so
    # characters the tokenizer cannot round-trip become new tokens with trainable embeddings.
    targets = [canonical_json(r.dsl) for r in splits.train] + [r.rationale for r in splits.train if r.rationale]
    unknown_chars = unrepresentable_characters(tokenizer, targets)
    added_ids: list[int] = []
    if unknown_chars:
        # Same base tokenizer + same sorted characters = same ids, so --resume lines up too.
        tokenizer.add_tokens(unknown_chars)
        added_ids = tokenizer.convert_tokens_to_ids(unknown_chars)
        log(f"the tokenizer of {cfg.baseModel} cannot write {' '.join(unknown_chars)}; added them as tokens {added_ids}")

    # 3. tokenised datasets, measured before the model loads so over-long data fails in seconds
    with_rationale = cfg.label_weight < 1.0
    encoder = Encoder(tokenizer, arch, cfg.train.maxSourceLen, cfg.train.maxTargetLen)
    train_examples = [encoder.example(r, with_rationale) for r in splits.train]
    lengths = length_report(train_examples, cfg.train.maxSourceLen, cfg.train.maxTargetLen)
    max_new_tokens = generation_budget(train_examples)
    train_ds = EncodedDataset(train_examples)
    val_ds = EncodedDataset([encoder.example(r, False) for r in splits.val]) if splits.val else None

    model = load_student(cfg, runtime, model_path, arch, added_ids)

    args = training_arguments(cfg, runtime, out_dir, val_ds is not None, len(train_ds), packed=arch == "causal")
    event_callback = EventCallback(events)
    callbacks: list[Any] = [event_callback, cancel]
    if cfg.train.earlyStoppingPatience is not None:
        callbacks.append(EarlyStoppingCallback(early_stopping_patience=cfg.train.earlyStoppingPatience))
    trainer = DSSTrainer(
        model=model,
        args=args,
        train_dataset=train_ds,
        eval_dataset=val_ds,
        data_collator=packed_collator(cfg.label_weight, runtime.cuda, tokenizer.pad_token_id) if arch == "causal" else DSSCollator(tokenizer.pad_token_id),
        processing_class=tokenizer,
        callbacks=callbacks,
        label_weight=cfg.label_weight,
    )

    cancel.accelerator = trainer.accelerator

    # The remote job layout is ~/.distillery/runs/<runId>/outputs, so that folder's parent names the run.
    run_id = cfg.runId or os.environ.get("DISTILLERY_RUN_ID") or (out_dir.parent.name if out_dir.name == "outputs" else out_dir.name)
    events.emit(
        "start",
        runId=run_id,
        device=runtime.device,
        gpu=runtime.gpu,
        params=count_parameters(model),
        versions=versions(),
        arch=arch,
        modality=cfg.modality,
        supervision=cfg.supervision,
        dssWeight=cfg.label_weight,
        precision=runtime.precision,
        trainExamples=len(train_ds),
        valExamples=len(val_ds) if val_ds else 0,
        resumedFrom=checkpoint,
        addedTokens=unknown_chars,
        lengths=lengths,
        maxNewTokens=max_new_tokens,
        outputDir=str(out_dir),
    )

    # 4. train
    if cancel.requested:
        return _done(events, "cancelled", started, out_dir, {"steps": 0})
    result = trainer.train(resume_from_checkpoint=checkpoint)
    metrics: dict[str, Any] = {"steps": trainer.state.global_step, "trainLoss": result.training_loss, "tokensSeen": trainer.tokens_seen}
    if event_callback.last_eval:
        metrics["valLoss"] = event_callback.last_eval["valLoss"]
    if cancel.requested:
        log(f"cancelled at step {trainer.state.global_step}; resume with --resume")
        return _done(events, "cancelled", started, out_dir, metrics, checkpoint=last_checkpoint(out_dir))

    # 5. final validation loss, then generation metrics on test (or val when there is no test)
    if cfg.train.earlyStoppingPatience is not None and trainer.state.best_metric is not None:
        # load_best_model_at_end restored the best checkpoint's weights; report its loss.
        metrics["valLoss"] = trainer.state.best_metric
        metrics["bestCheckpoint"] = trainer.state.best_model_checkpoint
    elif val_ds is not None and trainer.state.global_step % cfg.train.evalSteps != 0:
        metrics["valLoss"] = trainer.evaluate()["eval_loss"]
    final_dir = out_dir / ("adapter" if cfg.uses_adapter else "model")
    trainer.save_model(str(final_dir))  # collective under DDP/FSDP: every rank calls it
    if trainer.is_world_process_zero():
        # One writer: ranks saving the same files at once can leave a torn tokenizer.json.
        tokenizer.save_pretrained(str(final_dir))
        write_training_info(final_dir, {
            "modality": cfg.modality, "arch": arch, "precision": runtime.precision,
            "maxSourceLen": cfg.train.maxSourceLen, "maxNewTokens": max_new_tokens,
        })
        eval_records = splits.test or splits.val
        if eval_records:
            split = "test" if splits.test else "val"
            scores = evaluate_split(
                trainer.model, tokenizer, arch, eval_records, out_dir,
                max_source_len=cfg.train.maxSourceLen, max_new_tokens=max_new_tokens,
                batch_size=cfg.train.evalBatchSize or cfg.train.batchSize,
            )
            fields = {"step": trainer.state.global_step, "split": split, **scores}
            if "valLoss" in metrics:
                fields["valLoss"] = metrics["valLoss"]
            events.emit("eval", **fields)
            metrics.update(scores)
            metrics["evalSplit"] = split
        (out_dir / "metrics.json").write_text(json.dumps(metrics, indent=2) + "\n", encoding="utf-8")
    return _done(events, "ok", started, out_dir, metrics, modelDir=str(final_dir))


def _done(events: EventWriter, status: str, started: float, out_dir: Path, metrics: dict[str, Any], **extra: Any) -> int:
    events.emit(
        "done",
        status=status,
        peakMemGiB=_peak_gib(),
        wallSec=round(time.monotonic() - started, 2),
        outputDir=str(out_dir),
        metrics=metrics,
        **extra,
    )
    return 0 if status == "ok" else 3


def run_eval(model_dir: str, data_path: str, out: str, batch_size: int, max_source_len: int | None, max_new_tokens: int | None, events: EventWriter) -> int:
    """`eval`: generation metrics for a trained output on one JSONL split."""
    from .modeling import load_for_inference

    started = time.monotonic()
    out_dir = Path(out).resolve()
    path = Path(model_dir)
    # A training output folder holds model/ or adapter/; accept it as well as the inner folder.
    for inner in ("adapter", "model"):
        if (path / inner).is_dir() and not (path / "config.json").is_file() and not (path / "adapter_config.json").is_file():
            path = path / inner
            break
    if not ((path / "config.json").is_file() or (path / "adapter_config.json").is_file()):
        raise ConfigError(f"--model: {model_dir} holds no model (config.json) or adapter (adapter_config.json)", "pass the --out folder of a finished train run")
    records = load_records(Path(data_path).resolve(), need_rationale=False, split="eval")
    info = read_training_info(path)  # lengths the model was trained with, unless overridden
    max_source_len = max_source_len or info.get("maxSourceLen", 256)
    max_new_tokens = max_new_tokens or info.get("maxNewTokens", 256)
    device = "cuda:0" if torch.cuda.is_available() else "cpu"
    model, tokenizer, arch = load_for_inference(path, device)
    out_dir.mkdir(parents=True, exist_ok=True)
    scores = evaluate_split(model, tokenizer, arch, records, out_dir, max_source_len=max_source_len, max_new_tokens=max_new_tokens, batch_size=batch_size)
    events.emit("eval", step=0, split="eval", **scores)
    (out_dir / "metrics.json").write_text(json.dumps(scores, indent=2) + "\n", encoding="utf-8")
    return _done(events, "ok", started, out_dir, scores)


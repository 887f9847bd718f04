"""The Hugging Face Trainer with the DSS two-pass loss, and the callbacks that emit events.

Everything else (gradient accumulation, checkpointing, schedulers, resume, length grouping,
accelerate/torchrun) is the stock Trainer's, so multi-GPU launches need no code here.
"""

from __future__ import annotations

import signal
import time
from typing import Any

import torch
import torch.nn.functional as F
from transformers import Trainer, TrainerCallback

from .events import EventWriter


def _gib(n_bytes: int) -> float:
    return round(n_bytes / 2**30, 3)


def gpu_memory() -> tuple[float, float]:
    """(current, peak) allocated GiB on this rank's GPU; zeros on CPU."""
    if not torch.cuda.is_available():
        return 0.0, 0.0
    return _gib(torch.cuda.memory_allocated()), _gib(torch.cuda.max_memory_allocated())


def packed_losses(model: Any, inputs: dict[str, torch.Tensor]) -> tuple[torch.Tensor, torch.Tensor, torch.Tensor]:
    """(label, rationale, total) from one forward over a PackedDSSCollator row.

    total = Σ weight·CE = w·mean(CE_label) + (1−w)·mean(CE_rationale); the two means come from
    the same per-token losses, for logging only.
    """
    # No attention mask and no cache: that is when transformers reads restarts in position_ids as
    # sequence boundaries (with a cache it would let every token see the whole row).
    logits = model(input_ids=inputs["packed_input_ids"], position_ids=inputs["packed_position_ids"], use_cache=False).logits
    targets = inputs["packed_targets"]
    per_token = F.cross_entropy(logits.float().flatten(0, 1), targets.flatten(), ignore_index=-100, reduction="none").view_as(targets)
    total = (per_token * inputs["packed_weights"]).sum()
    scored = targets != -100
    is_label = inputs["packed_is_label"]
    counts = inputs["packed_counts"].clamp(min=1)
    with torch.no_grad():
        label = (per_token * (scored & is_label)).sum() / counts[0]
        rationale = (per_token * (scored & ~is_label)).sum() / counts[1]
    return label, rationale, total


class DSSTrainer(Trainer):
    """loss = w·L_label + (1−w)·L_rationale over a `predict: ` and an `explain: ` pass.

    Decoder-only students get both passes packed into one padding-free forward (PackedDSSCollator);
    encoder-decoder students run the two padded passes. With w = 1 there is no rationale pass.
    """

    def __init__(self, *args: Any, label_weight: float, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.label_weight = label_weight
        # Both paths return per-micro-batch means, so the Trainer must divide by the
        # accumulation steps itself rather than expect num_items_in_batch normalisation.
        self.model_accepts_loss_kwargs = False
        self.loss_is_scaled_for_ga = False
        self._since_log: dict[str, Any] = {"label": 0.0, "rationale": 0.0, "n": 0, "tokens": 0}
        self.tokens_seen = 0

    def _get_train_sampler(self, train_dataset: Any = None) -> Any:
        dataset = train_dataset if train_dataset is not None else self.train_dataset
        if self.args.train_sampling_strategy == "group_by_length" and dataset is not None and "length" in dataset[0]:
            from transformers.trainer_pt_utils import LengthGroupedSampler

            # The stock sampler measures `input_ids` (the question alone); group by the length of
            # every pass instead (Encoder.example's `length`).
            lengths = [dataset[i]["length"] for i in range(len(dataset))]
            return LengthGroupedSampler(self.args.train_batch_size * self.args.gradient_accumulation_steps, lengths=lengths)
        return super()._get_train_sampler(train_dataset)

    @staticmethod
    def _pass(model: Any, inputs: dict[str, torch.Tensor], name: str) -> torch.Tensor:
        return model(
            input_ids=inputs[f"{name}_input_ids"],
            attention_mask=inputs[f"{name}_attention_mask"],
            labels=inputs[f"{name}_labels"],
        ).loss

    def dss_losses(self, model: Any, inputs: dict[str, torch.Tensor]) -> tuple[torch.Tensor, torch.Tensor | None, torch.Tensor]:
        w = self.label_weight
        if "packed_input_ids" in inputs:
            label, rationale, loss = packed_losses(model, inputs)
            return label, (rationale if w < 1.0 else None), loss
        label = self._pass(model, inputs, "pred")
        if w >= 1.0 or "expl_input_ids" not in inputs:
            return label, None, label
        rationale = self._pass(model, inputs, "expl")
        return label, rationale, w * label + (1.0 - w) * rationale

    def compute_loss(self, model: Any, inputs: dict[str, torch.Tensor], return_outputs: bool = False, num_items_in_batch: Any = None) -> Any:
        tokens = inputs.pop("tokens", None)
        label, rationale, loss = self.dss_losses(model, inputs)
        if model.training:
            # Detached device tensors: adding them queues work, reading them would wait for the
            # GPU. They are read once per logging interval, in log().
            stats = self._since_log
            stats["label"] = stats["label"] + label.detach()
            if rationale is not None:
                stats["rationale"] = stats["rationale"] + rationale.detach()
            stats["n"] += 1
            if tokens is not None:
                stats["tokens"] += int(tokens)  # a host tensor from the collator: no sync
                self.tokens_seen += int(tokens)
        return (loss, None) if return_outputs else loss

    def prediction_step(self, model: Any, inputs: dict[str, Any], prediction_loss_only: bool, ignore_keys: Any = None) -> Any:
        # Validation loss is the label (predict) loss: the task used at inference and the one
        # early stopping should track, whatever the DSS weight.
        inputs = self._prepare_inputs(inputs)
        inputs.pop("tokens", None)
        with torch.no_grad(), self.compute_loss_context_manager():
            label = packed_losses(model, inputs)[0] if "packed_input_ids" in inputs else self._pass(model, inputs, "pred")
        return label.detach(), None, None

    def log(self, logs: dict[str, float], *args: Any, **kwargs: Any) -> None:
        stats = self._since_log
        if "loss" in logs and stats["n"]:
            n = stats["n"]
            values = torch.stack([torch.as_tensor(stats["label"], dtype=torch.float32, device=self.args.device) / n,
                                  torch.as_tensor(stats["rationale"], dtype=torch.float32, device=self.args.device) / n,
                                  torch.tensor(float(stats["tokens"]), device=self.args.device)])
            if self.args.world_size > 1:
                # Every rank logs at the same step (the Trainer gathers `loss` there too), so this
                # collective is safe; it makes the split losses agree with the averaged `loss`.
                values = self.accelerator.reduce(values, reduction="mean")
            label, rationale, tokens = values.tolist()
            logs["lossLabel"] = label
            logs["lossRationale"] = rationale if self.label_weight < 1.0 else None
            logs["tokens"] = tokens  # per rank; the event multiplies by the world size
            self._since_log = {"label": 0.0, "rationale": 0.0, "n": 0, "tokens": 0}
        super().log(logs, *args, **kwargs)


class CancelOnSignal(TrainerCallback):
    """SIGTERM/SIGINT: finish the current optimiser step, save a checkpoint, stop.

    Under torchrun the signal reaches the ranks at different moments; a rank that stopped alone
    would leave the others blocked in the next gradient all-reduce. So every step the ranks
    combine their flags through accelerate's trigger (one tiny all-reduce per optimiser step) and
    all stop at the first step at which any of them was asked to.
    """

    def __init__(self) -> None:
        self.requested = False
        self.accelerator: Any = None  # set once the Trainer exists
        self._previous: dict[int, Any] = {}

    def install(self) -> None:
        for sig in (signal.SIGTERM, signal.SIGINT):
            self._previous[sig] = signal.signal(sig, self._handle)

    def uninstall(self) -> None:
        for sig, handler in self._previous.items():
            signal.signal(sig, handler)

    def _handle(self, signum: int, frame: Any) -> None:
        self.requested = True

    def on_step_end(self, args: Any, state: Any, control: Any, **kwargs: Any) -> Any:
        if self.accelerator is not None and args.world_size > 1:
            if self.requested:
                self.accelerator.set_trigger()
            if self.accelerator.check_trigger():
                self.requested = True
        if self.requested:
            control.should_save = True
            control.should_training_stop = True
        return control


class EventCallback(TrainerCallback):
    """Turns Trainer logs, evaluations and saves into contract events."""

    def __init__(self, events: EventWriter) -> None:
        self.events = events
        self.start_time = time.monotonic()
        self.start_step = 0
        self.last_log_time = self.start_time
        self.last_eval: dict[str, Any] = {}

    def on_train_begin(self, args: Any, state: Any, control: Any, **kwargs: Any) -> None:
        self.start_time = self.last_log_time = time.monotonic()
        self.start_step = state.global_step  # non-zero after --resume

    def on_log(self, args: Any, state: Any, control: Any, logs: dict[str, Any] | None = None, **kwargs: Any) -> None:
        if not logs or not state.is_world_process_zero:
            return
        now = time.monotonic()
        if "loss" in logs:
            done = state.global_step - self.start_step
            per_step = (now - self.start_time) / done if done else 0.0
            interval = max(now - self.last_log_time, 1e-9)
            self.last_log_time = now
            current, peak = gpu_memory()
            world = max(args.world_size, 1)
            self.events.emit(
                "step",
                step=state.global_step,
                epoch=round(state.epoch or 0.0, 4),
                loss=logs["loss"],
                lossLabel=logs.get("lossLabel"),
                lossRationale=logs.get("lossRationale"),
                lr=logs.get("learning_rate"),
                gradNorm=logs.get("grad_norm"),
                tokensPerSec=round(logs.get("tokens", 0) * world / interval, 1),
                gpuMemGiB=current,
                peakGpuMemGiB=peak,
                etaSec=round(per_step * max(state.max_steps - state.global_step, 0), 1),
            )
        elif "eval_loss" in logs:
            self.last_eval = {"step": state.global_step, "valLoss": logs["eval_loss"]}
            self.events.emit("eval", split="val", **self.last_eval)

    def on_save(self, args: Any, state: Any, control: Any, **kwargs: Any) -> None:
        if state.is_world_process_zero:
            self.events.emit("checkpoint", step=state.global_step, path=f"{args.output_dir}/checkpoint-{state.global_step}")

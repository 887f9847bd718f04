"""Loading the student: family detection, precision, and the full / LoRA / QLoRA modalities."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Any

import torch
from transformers import AutoConfig, AutoModelForCausalLM, AutoModelForSeq2SeqLM, AutoTokenizer

from .config import ConfigError, RunConfig
from .environment import Runtime


def log(message: str) -> None:
    print(f"[distillery] {message}", file=sys.stderr, flush=True)


def resolve_base_model(base_model: str, config_dir: Path) -> str:
    """A local folder (relative to RUN.json) when one exists, else the string as a hub id."""
    local = (config_dir / base_model).expanduser()
    return str(local.resolve()) if local.is_dir() else base_model


def detect_arch(model_config: Any, requested: str) -> str:
    from transformers.models.auto.modeling_auto import MODEL_FOR_CAUSAL_LM_MAPPING_NAMES, MODEL_FOR_SEQ_TO_SEQ_CAUSAL_LM_MAPPING_NAMES

    actual = "seq2seq" if getattr(model_config, "is_encoder_decoder", False) else "causal"
    known = MODEL_FOR_SEQ_TO_SEQ_CAUSAL_LM_MAPPING_NAMES if actual == "seq2seq" else MODEL_FOR_CAUSAL_LM_MAPPING_NAMES
    if model_config.model_type not in known:
        raise ConfigError(
            f"'baseModel' is a {model_config.model_type!r} model, which cannot generate text (no causal-LM or seq2seq head)",
            "choose a decoder-only (Llama, Qwen, Mistral, Phi, Gemma) or encoder-decoder (T5/FLAN-T5) model",
        )
    if requested != "auto" and requested != actual:
        raise ConfigError(
            f"'arch' is {requested!r} but {model_config.model_type} is a {actual} model",
            f"set arch to 'auto' or '{actual}'",
        )
    return actual


def load_tokenizer(path: str, arch: str) -> Any:
    tokenizer = AutoTokenizer.from_pretrained(path)
    if tokenizer.pad_token_id is None:
        # Llama-style tokenizers ship without a pad token; padding positions are masked anyway.
        tokenizer.pad_token = tokenizer.eos_token
    if arch == "causal":
        tokenizer.padding_side = "left"  # generation appends to the right end of each prompt
    return tokenizer


def load_model_config(cfg: RunConfig) -> tuple[str, Any]:
    path = resolve_base_model(cfg.baseModel, cfg.configDir)
    try:
        return path, AutoConfig.from_pretrained(path)
    except (OSError, ValueError) as exc:
        raise ConfigError(
            f"'baseModel' {cfg.baseModel!r} cannot be loaded: {str(exc).splitlines()[0]}",
            "give a Hugging Face hub id reachable from this machine or a local folder holding config.json",
        ) from None


def _model_class(arch: str) -> Any:
    return AutoModelForSeq2SeqLM if arch == "seq2seq" else AutoModelForCausalLM


def load_student(cfg: RunConfig, runtime: Runtime, path: str, arch: str, added_token_ids: list[int] | None = None) -> Any:
    """The model ready to train. added_token_ids: tokens added to the tokenizer for characters its
    vocabulary lacks (see data.unrepresentable_characters); their embedding rows are made trainable."""
    kwargs: dict[str, Any] = {}
    if cfg.modality == "qlora":
        from transformers import BitsAndBytesConfig

        kwargs["quantization_config"] = BitsAndBytesConfig(
            load_in_4bit=True,
            bnb_4bit_quant_type="nf4",
            bnb_4bit_use_double_quant=True,
            bnb_4bit_compute_dtype=runtime.compute_dtype,
        )
        kwargs["dtype"] = runtime.compute_dtype
        kwargs["device_map"] = {"": runtime.local_rank}
    elif cfg.modality == "lora" and runtime.precision != "fp32":
        # Frozen base weights in half precision halve their memory; adapters stay fp32 (PEFT default).
        kwargs["dtype"] = runtime.compute_dtype
    else:
        # Full fine-tuning keeps fp32 master weights; the Trainer's autocast does bf16/fp16 compute.
        kwargs["dtype"] = torch.float32
    model = _model_class(arch).from_pretrained(path, **kwargs)
    if arch == "causal":
        model.config.use_cache = False  # the KV cache is useless in training and clashes with checkpointing
    tied = bool(getattr(model.config, "tie_word_embeddings", False))
    if added_token_ids and max(added_token_ids) >= model.get_input_embeddings().num_embeddings:
        # Only grow: FLAN-T5's matrix already has spare rows past the tokenizer's 32100 entries.
        model.resize_token_embeddings(max(added_token_ids) + 1)

    if cfg.modality == "full":
        return model

    from peft import LoraConfig, TaskType, get_peft_model, prepare_model_for_kbit_training

    if cfg.modality == "qlora":
        model = prepare_model_for_kbit_training(
            model,
            use_gradient_checkpointing=cfg.train.gradientCheckpointing,
            gradient_checkpointing_kwargs={"use_reentrant": False},
        )
    elif cfg.train.gradientCheckpointing:
        # Checkpointed blocks need an input that requires grad when every base weight is frozen.
        model.enable_input_require_grads()
    extra: dict[str, Any] = {}
    if added_token_ids:
        # New rows start as the mean embedding; train just those rows, and the output layer
        # when it is not tied to the input embeddings (FLAN-T5), or the model can never emit them.
        extra["trainable_token_indices"] = added_token_ids
        if not tied:
            extra["modules_to_save"] = ["lm_head"]
    lora = LoraConfig(
        **extra,
        r=cfg.lora.r,
        lora_alpha=cfg.lora.alpha,
        lora_dropout=cfg.lora.dropout,
        target_modules=cfg.lora.targetModules,
        task_type=TaskType.SEQ_2_SEQ_LM if arch == "seq2seq" else TaskType.CAUSAL_LM,
    )
    try:
        return get_peft_model(model, lora)
    except ValueError as exc:
        raise ConfigError(f"'lora.targetModules' does not fit {model.config.model_type}: {exc}", "use \"all-linear\"") from None


def count_parameters(model: Any) -> dict[str, int]:
    total = trainable = 0
    for p in model.parameters():
        n = p.numel()
        # 4-bit weights pack two values per byte-sized element.
        if p.__class__.__name__ == "Params4bit":
            n *= 2
        total += n
        if p.requires_grad:
            trainable += n
    return {"total": total, "trainable": trainable}


def load_for_inference(model_dir: str | Path, device: str) -> tuple[Any, Any, str]:
    """A trained output (full model folder or PEFT adapter folder) ready for generation."""
    model_dir = Path(model_dir)
    adapter = (model_dir / "adapter_config.json").is_file()
    if adapter:
        from peft import PeftConfig, PeftModel

        base_path = PeftConfig.from_pretrained(str(model_dir)).base_model_name_or_path
        model_config = AutoConfig.from_pretrained(base_path)
        arch = detect_arch(model_config, "auto")
        base = _model_class(arch).from_pretrained(base_path)
        vocab = len(AutoTokenizer.from_pretrained(str(model_dir)))
        if vocab > base.get_input_embeddings().num_embeddings:
            base.resize_token_embeddings(vocab)  # training added tokens for missing characters
        model = PeftModel.from_pretrained(base, str(model_dir))
    else:
        model_config = AutoConfig.from_pretrained(str(model_dir))
        arch = detect_arch(model_config, "auto")
        model = _model_class(arch).from_pretrained(str(model_dir))
    tokenizer = load_tokenizer(str(model_dir), arch)
    model.to(device).eval()
    return model, tokenizer, arch

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
        kwargs.update(qlora_load_kwargs(runtime.compute_dtype, runtime.local_rank))
    elif cfg.modality == "lora" and runtime.precision != "fp32":
        # Frozen base weights in half precision halve their memory; adapters stay fp32 (PEFT default).
        kwargs["dtype"] = runtime.compute_dtype
    else:
        # Full fine-tuning keeps fp32 master weights; the Trainer's autocast does bf16/fp16 compute.
        kwargs["dtype"] = torch.float32
    kwargs.update(attention_kwargs(arch, runtime.cuda))
    model = _model_class(arch).from_pretrained(path, **kwargs)
    if arch == "causal":
        model.config.use_cache = False  # the KV cache is useless in training and clashes with checkpointing
    if added_token_ids:
        if max(added_token_ids) >= model.get_input_embeddings().num_embeddings:
            # Only grow: FLAN-T5's matrix already has spare rows past the tokenizer's 32100 entries.
            model.resize_token_embeddings(max(added_token_ids) + 1)
        init_added_rows(model, added_token_ids)
    tied = embeddings_are_tied(model)
    sync_tie_flag(model)

    if cfg.modality == "full":
        return model

    from peft import LoraConfig, TaskType, get_peft_model

    # QLoRA deliberately skips peft.prepare_model_for_kbit_training: it upcasts every parameter
    # that is not 4-bit (embeddings, lm_head, norms) to fp32, about +2 GiB on a 7B model for no
    # gain; norms already compute in fp32 inside HF models and the frozen weights need no master copy.
    if cfg.train.gradientCheckpointing:
        # Checkpointed blocks need an input that requires grad when every base weight is frozen.
        model.enable_input_require_grads()
    extra: dict[str, Any] = {}
    if added_token_ids:
        extra["trainable_token_indices"] = trainable_token_indices(model, added_token_ids, tied)
    lora = LoraConfig(
        **extra,
        r=cfg.lora.r,
        lora_alpha=cfg.lora.alpha,
        lora_dropout=cfg.lora.dropout,
        target_modules=cfg.lora.targetModules,
        task_type=TaskType.SEQ_2_SEQ_LM if arch == "seq2seq" else TaskType.CAUSAL_LM,
    )
    try:
        model = get_peft_model(model, lora)
    except ValueError as exc:
        raise ConfigError(f"'lora.targetModules' does not fit {model.config.model_type}: {exc}", "use \"all-linear\"") from None
    for param in model.parameters():
        # Trainable token rows are copied from a half-precision base; the fp16 grad scaler and
        # AdamW want fp32 trainable parameters (the LoRA matrices already are).
        if param.requires_grad and param.dtype in (torch.float16, torch.bfloat16):
            param.data = param.data.float()
    return model


def qlora_load_kwargs(compute_dtype: torch.dtype, local_rank: int) -> dict[str, Any]:
    """from_pretrained arguments for the NF4 base, shared by training and `eval` so an adapter is
    scored on the same 4-bit weights it was trained against.

    Modules in a model's `_keep_in_fp32_modules` stay unquantised in fp32 (transformers' default,
    kept on purpose): for T5 that is the FFN output `wo`, whose activations overflow fp16 in
    T5 v1.1/FLAN-T5; it costs ~0.5 GiB on flan-t5-large. lm_head is never quantised.
    """
    from transformers import BitsAndBytesConfig

    return {
        "quantization_config": BitsAndBytesConfig(
            load_in_4bit=True,
            bnb_4bit_quant_type="nf4",
            bnb_4bit_use_double_quant=True,
            bnb_4bit_compute_dtype=compute_dtype,
        ),
        "dtype": compute_dtype,
        "device_map": {"": local_rank},
    }


TRAINING_INFO = "distillery_training.json"


def write_training_info(folder: Path, info: dict[str, Any]) -> None:
    """What `eval` needs to rebuild the trained setup: modality (a QLoRA adapter is scored on the
    4-bit base), prompt lengths and the generation budget sized from the training data."""
    import json

    (folder / TRAINING_INFO).write_text(json.dumps(info, indent=2) + "\n", encoding="utf-8")


def read_training_info(folder: Path) -> dict[str, Any]:
    import json

    path = folder / TRAINING_INFO
    return json.loads(path.read_text(encoding="utf-8")) if path.is_file() else {}


def attention_kwargs(arch: str, cuda: bool) -> dict[str, Any]:
    """Decoder-only training packs sequences into one row (batching.PackedDSSCollator). With the
    flash-attn package on a GPU, flash attention runs that row as variable-length sequences, so
    attention costs Σ len² instead of (Σ len)²; otherwise transformers' default SDPA applies a
    block-diagonal mask, which is exact but computes the whole row's scores."""
    import importlib.util

    if arch == "causal" and cuda and importlib.util.find_spec("flash_attn") is not None:
        return {"attn_implementation": "flash_attention_2"}
    return {}


def embeddings_are_tied(model: Any) -> bool:
    """Whether the output layer shares the input embedding tensor.

    Read from the tensors, not the config: transformers 5's T5Config forces tie_word_embeddings
    to True, yet FLAN-T5 checkpoints carry a separate lm_head that the loader keeps untied.
    """
    output = model.get_output_embeddings()
    return output is not None and output.weight is model.get_input_embeddings().weight


def sync_tie_flag(model: Any) -> None:
    """Makes config.tie_word_embeddings tell the truth, because PEFT reads it to decide whether the
    lm_head shares the embedding's trainable token rows. Done identically at training and at
    inference so an adapter is rebuilt with the layout it was trained with."""
    model.config.tie_word_embeddings = embeddings_are_tied(model)


@torch.no_grad()
def init_added_rows(model: Any, ids: list[int]) -> None:
    """New token rows start at the mean of the rows that existed before them, input and output.

    Resizing gives random rows and FLAN-T5's spare rows past 32100 hold leftovers; a row at the
    mean starts the new token as an average one, neither dominant nor unreachable in the softmax.
    """
    first_new = min(ids)
    layers = [model.get_input_embeddings()]
    output = model.get_output_embeddings()
    if output is not None and output.weight is not layers[0].weight:
        layers.append(output)
    for layer in layers:
        weight = layer.weight
        mean = weight[:first_new].float().mean(dim=0)
        weight[torch.tensor(ids, device=weight.device)] = mean.to(weight.dtype)


def trainable_token_indices(model: Any, ids: list[int], tied: bool) -> list[int] | dict[str, list[int]]:
    """PEFT's trainable_token_indices for the added tokens.

    Tied: the plain list; PEFT wraps every module sharing the embedding, lm_head included.
    Untied: every module that reads the input embedding tensor (T5's shared, encoder and decoder
    embed_tokens are separate modules over one tensor) and the output layer, each with its own rows;
    without the output rows the model could read the new tokens but never write them.
    """
    if tied:
        return ids
    embedding = model.get_input_embeddings().weight
    output = model.get_output_embeddings()
    names = {name: ids for name, module in model.named_modules() if getattr(module, "weight", None) is embedding and module is not output}
    for name, module in model.named_modules():
        if module is output:
            names[name] = ids
    return names


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
        base = _model_class(arch).from_pretrained(base_path, **inference_load_kwargs(model_dir, device))
        vocab = len(AutoTokenizer.from_pretrained(str(model_dir)))
        if vocab > base.get_input_embeddings().num_embeddings:
            base.resize_token_embeddings(vocab)  # training added tokens for missing characters
        sync_tie_flag(base)  # same trainable-token layout as at training time
        model = PeftModel.from_pretrained(base, str(model_dir))
    else:
        model_config = AutoConfig.from_pretrained(str(model_dir))
        arch = detect_arch(model_config, "auto")
        model = _model_class(arch).from_pretrained(str(model_dir))
    tokenizer = load_tokenizer(str(model_dir), arch)
    if not getattr(model, "is_loaded_in_4bit", False):  # a 4-bit model is placed by device_map
        model.to(device)
    model.eval()
    return model, tokenizer, arch


def inference_load_kwargs(model_dir: Path, device: str) -> dict[str, Any]:
    """Base-model loading for an adapter: the NF4 base for a QLoRA adapter, else full precision."""
    info = read_training_info(model_dir)
    if info.get("modality") != "qlora":
        return {}
    if not device.startswith("cuda"):
        raise ConfigError(
            f"--model: {model_dir} is a QLoRA adapter, trained on a 4-bit base that only loads on a CUDA GPU",
            "run eval on the GPU machine, with bitsandbytes installed",
        )
    dtype = torch.bfloat16 if info.get("precision") == "bf16" else torch.float16
    return qlora_load_kwargs(dtype, int(device.split(":")[1]) if ":" in device else 0)

"""RUN.json: parsing, defaults and the checks that need no GPU.

`src/core/training/run-config.ts` mirrors this file rule for rule (keys, defaults, ranges,
combinations and messages); change both together. Checks that depend on the machine (CUDA,
bf16 support, bitsandbytes) live in `environment.py` because the TypeScript side cannot know them.
"""

from __future__ import annotations

import dataclasses
import difflib
import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any


class ConfigError(Exception):
    """A RUN.json problem the user can fix; the message names the key and the fix."""

    def __init__(self, message: str, hint: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.hint = hint


@dataclass(frozen=True)
class LoraConfig:
    r: int = 16
    alpha: float = 64.0  # 4 × r unless given
    dropout: float = 0.05
    targetModules: str | list[str] = "all-linear"


@dataclass(frozen=True)
class TrainConfig:
    epochs: float = 3.0
    maxSteps: int | None = None  # overrides epochs when set
    lr: float = 2e-4
    batchSize: int = 8
    gradAccum: int = 1
    maxSourceLen: int = 256
    maxTargetLen: int = 256
    seed: int = 42
    precision: str = "auto"
    gradientCheckpointing: bool = False
    warmupRatio: float = 0.03
    scheduler: str = "cosine"
    weightDecay: float = 0.0
    maxGradNorm: float = 1.0
    logSteps: int = 10
    evalSteps: int = 200
    saveSteps: int = 200
    saveTotalLimit: int = 2
    earlyStoppingPatience: int | None = None
    groupByLength: bool = True
    evalBatchSize: int | None = None  # defaults to batchSize


@dataclass(frozen=True)
class DataConfig:
    train: Path
    val: Path | None = None
    test: Path | None = None


@dataclass(frozen=True)
class RunConfig:
    baseModel: str
    data: DataConfig
    arch: str = "auto"
    modality: str = "lora"
    supervision: str = "dss"
    dssWeight: float = 0.5
    lora: LoraConfig = field(default_factory=LoraConfig)
    train: TrainConfig = field(default_factory=TrainConfig)
    runId: str | None = None
    gpus: list[int] | None = None  # GPU indices; more than one starts one torchrun rank per GPU
    configDir: Path = Path(".")

    @property
    def label_weight(self) -> float:
        """w in loss = w·L_label + (1−w)·L_rationale; 1.0 means no rationale pass."""
        return 1.0 if self.supervision == "label_only" else self.dssWeight

    @property
    def uses_adapter(self) -> bool:
        return self.modality in ("lora", "qlora")


# Key tables: name -> (kind, extra). Kinds: str, int, num, bool, enum, path, modules.
_TOP_KEYS = {
    "$schema": ("str", None),
    "runId": ("str", None),
    "baseModel": ("str", None),
    "arch": ("enum", ("auto", "causal", "seq2seq")),
    "modality": ("enum", ("full", "lora", "qlora")),
    "supervision": ("enum", ("dss", "label_only")),
    "dssWeight": ("num", None),
    "lora": ("object", None),
    "train": ("object", None),
    "data": ("object", None),
    "gpus": ("gpus?", None),
}
_LORA_KEYS = {
    "r": ("int", None),
    "alpha": ("num", None),
    "dropout": ("num", None),
    "targetModules": ("modules", None),
}
_TRAIN_KEYS = {
    "epochs": ("num", None),
    "maxSteps": ("int?", None),
    "lr": ("num", None),
    "batchSize": ("int", None),
    "gradAccum": ("int", None),
    "maxSourceLen": ("int", None),
    "maxTargetLen": ("int", None),
    "seed": ("int", None),
    "precision": ("enum", ("auto", "bf16", "fp16", "fp32")),
    "gradientCheckpointing": ("bool", None),
    "warmupRatio": ("num", None),
    "scheduler": ("enum", ("cosine", "linear", "constant", "reduce_on_plateau")),
    "weightDecay": ("num", None),
    "maxGradNorm": ("num", None),
    "logSteps": ("int", None),
    "evalSteps": ("int", None),
    "saveSteps": ("int", None),
    "saveTotalLimit": ("int", None),
    "earlyStoppingPatience": ("int?", None),
    "groupByLength": ("bool", None),
    "evalBatchSize": ("int?", None),
}
_DATA_KEYS = {"train": ("str", None), "val": ("str?", None), "test": ("str?", None)}


def _type_name(value: Any) -> str:
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "boolean"
    if isinstance(value, (int, float)):
        return "number"
    if isinstance(value, str):
        return "string"
    if isinstance(value, list):
        return "array"
    return "object"


def _check_keys(obj: dict[str, Any], table: dict[str, Any], where: str) -> None:
    for key in obj:
        if key not in table:
            close = difflib.get_close_matches(key, list(table), n=1)
            name = f"{where}.{key}" if where else key
            fix = f"did you mean '{close[0]}'?" if close else f"allowed keys: {', '.join(k for k in table if k != '$schema')}"
            raise ConfigError(f"unknown key '{name}' in RUN.json; {fix}", "remove or rename the key")


def _check_value(name: str, value: Any, kind: str, extra: Any) -> Any:
    nullable = kind.endswith("?")
    base = kind.rstrip("?")
    if value is None:
        if nullable:
            return None
        raise ConfigError(f"'{name}' must not be null")
    ok = {
        "str": isinstance(value, str) and value != "",
        "int": isinstance(value, int) and not isinstance(value, bool),
        "num": isinstance(value, (int, float)) and not isinstance(value, bool),
        "bool": isinstance(value, bool),
        "enum": isinstance(value, str) and extra is not None and value in extra,
        "object": isinstance(value, dict),
        "gpus": isinstance(value, list) and len(value) > 0 and len(set(value)) == len(value)
        and all(isinstance(g, int) and not isinstance(g, bool) and g >= 0 for g in value),
        "modules": (value == "all-linear")
        or (isinstance(value, list) and len(value) > 0 and all(isinstance(m, str) and m for m in value)),
    }[base]
    if not ok:
        expected = {
            "str": "a non-empty string",
            "int": "an integer",
            "num": "a number",
            "bool": "true or false",
            "enum": " | ".join(extra or ()),
            "object": "an object",
            "modules": "\"all-linear\" or a non-empty array of module names",
            "gpus": "a non-empty array of distinct GPU indices (integers ≥ 0), or null for the default GPU",
        }[base]
        # Compact, as JavaScript's JSON.stringify writes it, so run-config.ts words it identically.
        shown = json.dumps(value, separators=(",", ":"), ensure_ascii=False)
        raise ConfigError(f"'{name}' must be {expected}, got {shown} ({_type_name(value)})")
    return float(value) if base == "num" else value


def _section(raw: Any, name: str, table: dict[str, Any]) -> dict[str, Any]:
    if raw is None:
        return {}
    if not isinstance(raw, dict):
        raise ConfigError(f"'{name}' must be an object, got {_type_name(raw)}")
    _check_keys(raw, table, name)
    return {k: _check_value(f"{name}.{k}" if name else k, v, *table[k]) for k, v in raw.items()}


def _at_least(name: str, value: float | None, low: float, fix: str = "") -> None:
    if value is not None and value < low:
        raise ConfigError(f"'{name}' must be ≥ {low:g}, got {value:g}" + (f"; {fix}" if fix else ""))


def parse_run_config(raw: Any, config_dir: Path) -> RunConfig:
    """Validates a RUN.json object and fills defaults. Raises ConfigError naming key and fix."""
    if not isinstance(raw, dict):
        raise ConfigError(f"RUN.json must hold a JSON object, got {_type_name(raw)}")
    top = _section(raw, "", _TOP_KEYS)
    if "baseModel" not in top:
        raise ConfigError("'baseModel' is required: a Hugging Face hub id or a local model folder")
    if "data" not in top:
        raise ConfigError("'data' is required: {\"train\": \"train.jsonl\", \"val\": …, \"test\": …}")

    data_raw = _section(top["data"], "data", _DATA_KEYS)
    if "train" not in data_raw:
        raise ConfigError("'data.train' is required: the JSONL file exported by `distillery export --format dss`")

    def resolve(p: str | None) -> Path | None:
        return None if p is None else (config_dir / p).resolve()

    data = DataConfig(train=resolve(data_raw["train"]), val=resolve(data_raw.get("val")), test=resolve(data_raw.get("test")))  # type: ignore[arg-type]

    modality = top.get("modality", "lora")
    supervision = top.get("supervision", "dss")

    if "dssWeight" in top:
        w = top["dssWeight"]
        if supervision == "label_only" and w != 1.0:
            raise ConfigError(
                f"'dssWeight' {w:g} conflicts with supervision 'label_only' (which trains the label only, w = 1)",
                "remove dssWeight, or set supervision to 'dss'",
            )
        if not 0.0 < w <= 1.0:
            raise ConfigError(f"'dssWeight' must be in (0, 1], got {w:g}; 1.0 trains the label only, 0.5 is the paper's setting")
    dss_weight = top.get("dssWeight", 1.0 if supervision == "label_only" else 0.5)

    if "lora" in top and modality == "full":
        raise ConfigError("'lora' settings apply only to modality 'lora' or 'qlora'", "remove 'lora', or set modality to 'lora'")
    lora_raw = _section(top.get("lora"), "lora", _LORA_KEYS)
    r = lora_raw.get("r", 16)
    _at_least("lora.r", r, 1)
    alpha = lora_raw.get("alpha", 4.0 * r)
    if alpha <= 0:
        raise ConfigError(f"'lora.alpha' must be > 0, got {alpha:g}; the default is 4 × r")
    dropout = lora_raw.get("dropout", 0.05)
    if not 0.0 <= dropout < 1.0:
        raise ConfigError(f"'lora.dropout' must be in [0, 1), got {dropout:g}")
    lora = LoraConfig(r=r, alpha=alpha, dropout=dropout, targetModules=lora_raw.get("targetModules", "all-linear"))

    train_raw = _section(top.get("train"), "train", _TRAIN_KEYS)
    train = dataclasses.replace(TrainConfig(), **train_raw)
    if train.epochs <= 0:
        raise ConfigError(f"'train.epochs' must be > 0, got {train.epochs:g}")
    _at_least("train.maxSteps", train.maxSteps, 1, "use null to train for train.epochs")
    if train.lr <= 0:
        raise ConfigError(f"'train.lr' must be > 0, got {train.lr:g}")
    for key in ("batchSize", "gradAccum", "logSteps", "evalSteps", "saveSteps", "saveTotalLimit"):
        _at_least(f"train.{key}", getattr(train, key), 1)
    _at_least("train.evalBatchSize", train.evalBatchSize, 1)
    _at_least("train.earlyStoppingPatience", train.earlyStoppingPatience, 1)
    _at_least("train.maxSourceLen", train.maxSourceLen, 8)
    _at_least("train.maxTargetLen", train.maxTargetLen, 8)
    _at_least("train.seed", train.seed, 0)
    _at_least("train.weightDecay", train.weightDecay, 0)
    if train.maxGradNorm <= 0:
        raise ConfigError(f"'train.maxGradNorm' must be > 0, got {train.maxGradNorm:g}")
    if not 0.0 <= train.warmupRatio < 1.0:
        raise ConfigError(f"'train.warmupRatio' must be in [0, 1), got {train.warmupRatio:g}")
    if train.earlyStoppingPatience is not None:
        if data.val is None:
            raise ConfigError("'train.earlyStoppingPatience' needs a validation split", "set data.val, or remove earlyStoppingPatience")
        if train.saveSteps % train.evalSteps != 0:
            raise ConfigError(
                f"'train.saveSteps' ({train.saveSteps}) must be a multiple of 'train.evalSteps' ({train.evalSteps}) with early stopping",
                f"set train.saveSteps to {train.evalSteps}",
            )
    if train.scheduler == "reduce_on_plateau" and data.val is None:
        raise ConfigError("'train.scheduler' reduce_on_plateau needs a validation split", "set data.val, or use scheduler 'cosine'")
    if modality == "qlora" and train.precision == "fp32":
        raise ConfigError("'train.precision' fp32 does not fit modality 'qlora' (4-bit weights compute in bf16/fp16)", "use precision 'auto'")

    return RunConfig(
        baseModel=top["baseModel"],
        data=data,
        arch=top.get("arch", "auto"),
        modality=modality,
        supervision=supervision,
        dssWeight=dss_weight,
        lora=lora,
        train=train,
        runId=top.get("runId"),
        gpus=top.get("gpus"),
        configDir=config_dir,
    )


def load_run_config(path: str | Path) -> RunConfig:
    path = Path(path)
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise ConfigError(f"--config: file not found: {path}") from None
    except OSError as exc:
        raise ConfigError(f"--config: cannot read {path}: {exc.strerror}") from None
    try:
        raw = json.loads(text)
    except json.JSONDecodeError as exc:
        raise ConfigError(f"{path.name} is not valid JSON: {exc.msg} at line {exc.lineno} column {exc.colno}") from None
    return parse_run_config(raw, path.resolve().parent)


def config_to_json(cfg: RunConfig) -> dict[str, Any]:
    """The effective config (defaults filled) as written to OUT/run_config.json."""
    out = dataclasses.asdict(cfg)
    out.pop("configDir")
    out["data"] = {k: (str(v) if v is not None else None) for k, v in out["data"].items()}
    return out

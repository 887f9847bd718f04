"""`python -m distillery_runner train|eval|make-tiny-model|env`.

Exit codes: 0 done ok; 3 done cancelled (SIGTERM/SIGINT); 2 config or data error (or bad usage);
1 runtime error or out of memory. Every outcome of train/eval also ends the stdout event stream
with `done` or `error`.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import traceback
from pathlib import Path
from typing import IO, TYPE_CHECKING, Sequence

if TYPE_CHECKING:
    from .config import ConfigError
    from .data import DataError
    from .events import EventWriter

EXIT_OK, EXIT_FAILED, EXIT_USAGE, EXIT_CANCELLED = 0, 1, 2, 3

OOM_HINT = (
    "lower train.batchSize (raise train.gradAccum to keep the effective batch), set "
    "train.gradientCheckpointing true, shorten maxSourceLen/maxTargetLen, or switch modality to lora or qlora"
)


class _Parser(argparse.ArgumentParser):
    def error(self, message: str) -> None:  # argparse's default exit code is already 2
        self.print_usage(sys.stderr)
        print(f"{self.prog}: error: {message}", file=sys.stderr)
        raise SystemExit(EXIT_USAGE)


def build_parser() -> argparse.ArgumentParser:
    parser = _Parser(prog="python -m distillery_runner", description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    sub = parser.add_subparsers(dest="command", required=True, parser_class=_Parser)

    train = sub.add_parser("train", help="fine-tune a student from RUN.json")
    train.add_argument("--config", required=True, help="RUN.json; data paths are relative to its folder")
    train.add_argument("--out", required=True, help="output folder: checkpoints/, model/ or adapter/, predictions.jsonl, metrics.json")
    train.add_argument("--resume", action="store_true", help="continue from the last checkpoint under OUT/checkpoints")

    ev = sub.add_parser("eval", help="generate with `predict: ` and score a JSONL split")
    ev.add_argument("--model", required=True, help="a train --out folder, or its model/ or adapter/ folder")
    ev.add_argument("--data", required=True, help="JSONL with id, question, dsl")
    ev.add_argument("--out", required=True, help="folder for predictions.jsonl and metrics.json")
    ev.add_argument("--batch-size", type=int, default=16)
    ev.add_argument("--max-source-len", type=int, default=None, help="default: the training run's maxSourceLen, else 256")
    ev.add_argument("--max-new-tokens", type=int, default=None, help="default: sized from the training data's longest DSL, else 256")

    tiny = sub.add_parser("make-tiny-model", help="write a random tiny model + local tokenizer (no network)")
    tiny.add_argument("--arch", required=True, choices=["t5", "llama"])
    tiny.add_argument("--out", required=True)
    tiny.add_argument("--seed", type=int, default=0)

    env = sub.add_parser("env", help="print a JSON report of this machine (preflight)")
    env.add_argument("--path", default=".", help="where free disk space is measured")
    return parser


def _quiet_libraries() -> None:
    os.environ.setdefault("TOKENIZERS_PARALLELISM", "false")
    os.environ.setdefault("HF_HUB_DISABLE_PROGRESS_BARS", "1")
    try:
        import transformers

        transformers.utils.logging.set_verbosity_warning()
        transformers.utils.logging.disable_progress_bar()
    except Exception:  # logging setup must never stop a run
        pass


def main(argv: Sequence[str] | None = None, event_stream: IO[str] | None = None) -> int:
    """Entry point. `event_stream` is for tests; by default events go to the real stdout."""
    args = build_parser().parse_args(argv)

    if args.command in ("make-tiny-model", "env"):
        # Plain JSON reports, not an event stream.
        _quiet_libraries()
        if args.command == "env":
            from .environment import env_report

            report = env_report(args.path)
        else:
            from .tiny_model import make_tiny_model

            report = make_tiny_model(args.arch, args.out, seed=args.seed)
        stream = event_stream or sys.stdout
        stream.write(json.dumps(report) + "\n")
        stream.flush()
        return EXIT_OK

    from .events import EventWriter, is_main_process, take_over_stdout

    saved_stdout = sys.stdout
    stream = event_stream if event_stream is not None else take_over_stdout()
    if event_stream is not None:
        sys.stdout = sys.stderr  # keep library prints out of the captured event stream
    events = EventWriter(stream, enabled=is_main_process())
    try:
        return _dispatch(args, events, stream, argv)
    finally:
        sys.stdout = saved_stdout


def _dispatch(args: argparse.Namespace, events: EventWriter, stream: IO[str], argv: Sequence[str] | None) -> int:
    from .config import ConfigError
    from .data import DataError

    try:
        if args.command == "train":
            # Preflight needs no torch: a bad RUN.json, data line or --resume fails in milliseconds.
            from .checkpoints import last_checkpoint
            from .config import load_run_config
            from .data import load_splits

            cfg = load_run_config(args.config)
            out_dir = Path(args.out).resolve()
            checkpoint = None
            if args.resume:
                checkpoint = last_checkpoint(out_dir)
                if checkpoint is None:
                    raise ConfigError(f"--resume: no checkpoint under {out_dir / 'checkpoints'}", "run without --resume, or pass the --out of the interrupted run")
            splits = load_splits(cfg)
    except ConfigError as exc:
        return _user_error(events, "config", exc)
    except DataError as exc:
        return _user_error(events, "data", exc)

    if args.command == "train" and cfg.gpus:
        from .launcher import needs_ranks, run_ranks, visible_devices_env

        if needs_ranks(cfg.gpus):
            return run_ranks(cfg.gpus, list(argv if argv is not None else sys.argv[1:])[1:], events, stream)
        if "RANK" not in os.environ:
            os.environ.update(visible_devices_env(cfg.gpus))  # before torch initialises CUDA

    _quiet_libraries()
    import torch

    try:
        from .recipe import run_eval, run_training

        if args.command == "train":
            return run_training(cfg, splits, out_dir, checkpoint, events)
        return run_eval(args.model, args.data, args.out, args.batch_size, args.max_source_len, args.max_new_tokens, events)
    except ConfigError as exc:
        return _user_error(events, "config", exc)
    except DataError as exc:
        return _user_error(events, "data", exc)
    except torch.OutOfMemoryError as exc:
        events.error("oom", str(exc).splitlines()[0], OOM_HINT)
        print(f"out of memory: {exc}", file=sys.stderr)
        return EXIT_FAILED
    except Exception as exc:
        # A bug or an environment failure: the trace goes to stderr for the log, the event says what.
        traceback.print_exc(file=sys.stderr)
        events.error("runtime", f"{type(exc).__name__}: {exc}", "see stderr.log for the traceback")
        return EXIT_FAILED


def _user_error(events: EventWriter, kind: str, exc: ConfigError | DataError) -> int:
    events.error(kind, exc.message, exc.hint)
    print(f"{kind} error: {exc.message}" + (f" ({exc.hint})" if exc.hint else ""), file=sys.stderr)
    return EXIT_USAGE

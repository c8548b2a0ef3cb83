"""The ``train``, ``runs`` and ``sweep`` commands of the CLI (printing only; logic lives in core)."""

from __future__ import annotations

import json
import sys
from collections.abc import Callable
from typing import Any

from workbench.core.errors import TrainingError
from workbench.core.training.runs import runs_root

Emit = Callable[[Any], None]

EXIT_OK = 0
EXIT_ERROR = 1


def _say(text: str) -> None:
    print(text, file=sys.stderr, flush=True)


def _format_logs(logs: dict[str, Any]) -> str:
    return " ".join(f"{k}={v:.4f}" for k, v in logs.items() if isinstance(v, (int, float)) and k != "learning_rate")


def train_command(document, *, epochs: int | None = None, data: str | None = None, runs: str | None = None,
                  as_json: bool = False, emit: Emit = print) -> int:
    """Train ``document``; JSON mode prints one line per epoch and a final summary line."""
    from workbench.core.sources import parse_source
    from workbench.core.training.trainer import Trainer

    document = document.copy()
    if epochs is not None:
        if epochs < 1:
            raise TrainingError(f"--epochs must be at least 1, got {epochs}.")
        document.training.epochs = epochs
    if data:
        parse_source(data)
        document.data.source = data

    def on_event(event: dict[str, Any]) -> None:
        kind = event["event"]
        if kind == "epoch_ended":
            if as_json:
                emit({"event": "epoch", "epoch": event["epoch"], "epochs": event["epochs"],
                      "logs": event["logs"], "seconds": round(event["seconds"], 4)})
            else:
                _say(f"epoch {event['epoch']}/{event['epochs']}  {_format_logs(event['logs'])}  "
                     f"({event['seconds']:.1f}s)")
        elif kind == "train_started" and not as_json:
            _say(f"training run {event['run_id']} on {event['samples']} samples "
                 f"({'with' if event['validation'] else 'no'} validation)")
        elif kind == "preparing" and not as_json and event.get("text"):
            _say(event["text"])

    trainer = Trainer(document, runs_root(runs), on_event=on_event)
    try:
        result = trainer.run()
    except KeyboardInterrupt:
        # Ctrl+C: the run was kept as "stopped" (and evaluated); report it, then end as interrupted.
        if trainer.result is not None:
            _report(trainer.result, as_json, emit)
        raise
    _report(result, as_json, emit)
    if result.status == "failed":
        _say(f"error: {result.message}")
        return EXIT_ERROR
    return EXIT_OK


def _report(result, as_json: bool, emit: Emit) -> None:
    from workbench.core.training.trainer import describe_result

    if as_json:
        emit({"event": "result", **result.to_dict()})
    else:
        print(describe_result(result))
        print(f"run folder: {result.run_dir}")


def runs_command(*, runs: str | None = None, as_json: bool = False, emit: Emit = print,
                 rename: tuple[str, str] | None = None, note: tuple[str, str] | None = None,
                 delete: str | None = None) -> int:
    """List the runs folder (unreadable runs included, with why); or rename, note or delete one run,
    as the Runs panel does (a run still training is refused)."""
    from workbench.core.training.runs import RunStore

    store = RunStore(runs_root(runs))
    if rename or note:
        run_id, value = rename or note
        record = store.rename(run_id, value) if rename else store.set_note(run_id, value)
        if as_json:
            emit(record.to_dict())
        else:
            print(f"{record.run_id}: {'renamed to ' + repr(record.name) if rename else 'note saved'}")
        return EXIT_OK
    if delete:
        store.delete(delete)
        if as_json:
            emit({"deleted": delete})
        else:
            print(f"{delete}: deleted")
        return EXIT_OK
    records = store.list_runs()
    if as_json:
        emit([record.to_dict() for record in records])
        return EXIT_OK
    if not records:
        print(f"no runs in {runs_root(runs)}")
        return EXIT_OK
    for record in records:
        if not record.readable:
            print(f"{record.run_id}  unreadable  {record.message}")
            continue
        test = record.test_metric()
        test_text = f"test {test[0]}={test[1]:.4f}" if test else ""
        print(f"{record.run_id}  {record.status:<11} {record.epochs_completed:>4} epochs  "
              f"{record.data_source:<24} {test_text}")
    return EXIT_OK


def sweep_command(document, *, grid: str, epochs: int | None = None, runs: str | None = None,
                  as_json: bool = False, emit: Emit = print) -> int:
    """Run a grid; JSON mode prints one line per trial and a final ranking line."""
    from workbench.core.training.sweep import run_sweep

    if epochs is not None and epochs < 1:
        raise TrainingError(f"--epochs must be at least 1, got {epochs}.")

    def on_event(event: dict[str, Any]) -> None:
        kind = event["event"]
        if kind == "sweep_started" and not as_json:
            _say(f"sweep of {event['trials']} trials")
        elif kind == "notice":
            _say(event["message"])
        elif kind == "trial_ended":
            if as_json:
                emit({"event": "trial", **{k: v for k, v in event.items() if k != "event"}})
            else:
                score = f"{event['score_metric']}={event['score']:.4f}" if event.get("score") is not None else ""
                params = ", ".join(f"{k}={v}" for k, v in event["params"].items())
                _say(f"trial {event['trial']}/{event['trials']}  {params}  {event['status']}  {score}")
        elif kind == "sweep_finished":
            if as_json:
                emit({"event": "ranking", "stopped": event["stopped"], "ranking": event["ranking"]})
            else:
                print("ranking:")
                for place, row in enumerate(event["ranking"], start=1):
                    params = ", ".join(f"{k}={v}" for k, v in row["params"].items())
                    score = f"{row['score_metric']}={row['score']:.4f}" if row.get("score") is not None else \
                        row["status"]
                    print(f"{place:>3}. {params}  {score}  {row['run_id'] or ''}")

    outcomes = run_sweep(document, grid, runs_root(runs), epochs=epochs, on_event=on_event)
    return EXIT_OK if any(o.status != "failed" for o in outcomes) else EXIT_ERROR


def predict_command(run: str, *, text: str | None = None, image: str | None = None, row: str | None = None,
                    point: str | None = None, runs: str | None = None, as_json: bool = False,
                    emit: Emit = print) -> int:
    """Predict one input with a finished run: text, an image file, a table row (JSON) or a 2-D point
    ("X,Y"), as the Playground does (logic: ``workbench.core.training.prediction``)."""
    from workbench.core.training.prediction import predict_command_result

    given = [name for name, value in (("--text", text), ("--image", image), ("--row", row), ("--point", point))
             if value is not None]
    if len(given) != 1:
        raise TrainingError("give exactly one input: --text TEXT, --image FILE, --row JSON or --point X,Y"
                            + (f" (got {' and '.join(given)})." if given else "."))
    result = predict_command_result(run, text, runs=runs_root(runs), image=image, row=_parse_row(row),
                                    point=_parse_point(point))
    if as_json:
        emit(result)
        return EXIT_OK
    if result.get("label") is None and "value" in result:
        print(f"{result['value']:.4f}")
    else:
        print(result["label"], " ".join(f"{k}={v:.4f}" for k, v in result["probabilities"].items()))
    if "tokens" in result:
        print(" ".join(t["word"] if t["in_vocabulary"] else f"[{t['word']}?]" for t in result["tokens"]))
    return EXIT_OK


def _parse_row(text: str | None) -> dict[str, Any] | None:
    if text is None:
        return None
    try:
        row = json.loads(text)
    except ValueError:
        row = None
    if not isinstance(row, dict):
        raise TrainingError(f'--row must be a JSON object of column values, e.g. \'{{"age": 22, "sex": "male"}}\', '
                            f"got {text!r}.")
    return row


def _parse_point(text: str | None) -> tuple[float, float] | None:
    if text is None:
        return None
    try:
        x, y = (float(part) for part in text.split(","))
    except ValueError:
        raise TrainingError(f"--point must be two numbers X,Y such as 0.5,-1.2, got {text!r}.") from None
    return x, y

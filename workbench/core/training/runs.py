"""Training runs on disk: one folder per run, readable by the CLI, the Runs panel and the Playground.

``RUNS/<run-id>/`` holds ``run.json`` (written atomically, so a crash never leaves it half
written), ``history.csv`` (appended and flushed after every epoch, so a killed process keeps
every finished epoch), ``model.keras``, ``best.keras`` and ``preprocessing/``. A folder that
cannot be read, or that a newer workbench wrote, is listed with status ``"unreadable"`` and a
message instead of breaking the listing.
"""

from __future__ import annotations

import csv
import datetime as _dt
import json
import math
import os
import re
import secrets
import shutil
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from workbench.core.errors import RunError
from workbench.core.storage import atomic_write_json

RUN_FORMAT = "keras-workbench.run"
RUN_VERSION = 1
RUN_FILE = "run.json"
HISTORY_FILE = "history.csv"
MODEL_FILE = "model.keras"
BEST_FILE = "best.keras"
PREPROCESSING_DIR = "preprocessing"
PREDICTIONS_FILE = "test_predictions.json"

STATUSES = ("running", "finished", "stopped", "failed", "interrupted", "unreadable")

# Metrics where a smaller value is better; anything else (accuracy, auc, …) is "higher is better".
_LOWER_IS_BETTER = ("loss", "error", "mse", "mae", "mape", "msle", "crossentropy", "hinge", "divergence",
                    "poisson", "cosh")


def lower_is_better(metric: str) -> bool:
    """Whether a smaller value of ``metric`` (e.g. ``val_loss``, ``mae``) is an improvement."""
    name = metric.removeprefix("val_").lower()
    return any(part in name for part in _LOWER_IS_BETTER)


def now_iso() -> str:
    return _dt.datetime.now(_dt.UTC).astimezone().isoformat(timespec="seconds")


def _slug(text: str) -> str:
    slug = re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-")
    return slug[:32].strip("-") or "run"


def _json_safe(value: Any) -> Any:
    """Floats that JSON cannot hold (NaN, inf) become None; numpy scalars become Python ones."""
    if isinstance(value, dict):
        return {str(k): _json_safe(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_json_safe(v) for v in value]
    if hasattr(value, "item") and callable(value.item) and getattr(value, "shape", None) == ():
        value = value.item()
    if isinstance(value, float) and not math.isfinite(value):
        return None
    return value


# --------------------------------------------------------------------------- records


@dataclass
class RunRecord:
    """One run folder as read from disk. ``info`` is the parsed ``run.json`` (empty if unreadable)."""

    run_id: str
    path: Path
    name: str
    status: str
    info: dict[str, Any] = field(default_factory=dict)
    message: str = ""

    @property
    def readable(self) -> bool:
        return self.status != "unreadable"

    @property
    def started(self) -> str:
        return str(self.info.get("started") or "")

    @property
    def ended(self) -> str:
        return str(self.info.get("ended") or "")

    @property
    def template(self) -> str:
        return str((self.info.get("document") or {}).get("template") or "")

    @property
    def data_source(self) -> str:
        return str(((self.info.get("document") or {}).get("data") or {}).get("source") or "")

    @property
    def note(self) -> str:
        return str(self.info.get("note") or "")

    @property
    def epochs_completed(self) -> int:
        value = self.info.get("epochs_completed")
        return value if isinstance(value, int) else 0

    @property
    def duration_s(self) -> float | None:
        seconds = self.info.get("epoch_seconds")
        if isinstance(seconds, list) and seconds:
            return float(sum(s for s in seconds if isinstance(s, (int, float))))
        return None

    def best_validation(self) -> tuple[str, float] | None:
        """The main validation metric (first compile metric, else loss) at its best epoch."""
        history = self.history()
        metrics = [m for m in ((self.info.get("document") or {}).get("compile") or {}).get("metrics", [])
                   if isinstance(m, str)]
        for name in [f"val_{m}" for m in metrics] + ["val_loss"]:
            values = [v for v in history.get(name, []) if v is not None and math.isfinite(v)]
            if values:
                return name, (min(values) if lower_is_better(name) else max(values))
        return None

    def test_metric(self) -> tuple[str, float] | None:
        """The main test metric (first compile metric, else loss)."""
        test = self.info.get("test_metrics") or {}
        metrics = [m for m in ((self.info.get("document") or {}).get("compile") or {}).get("metrics", [])
                   if isinstance(m, str)]
        for name in [*metrics, "loss"]:
            value = test.get(name)
            if isinstance(value, (int, float)):
                return name, float(value)
        return None

    def document(self):
        """The experiment document this run was trained from (``DocumentError`` if unusable)."""
        from workbench.core.document import ExperimentDocument

        raw = self.info.get("document")
        if not isinstance(raw, dict):
            raise RunError(f"{self.path}: run.json has no experiment document to reopen.")
        return ExperimentDocument.from_dict(raw, origin=f"run {self.run_id}")

    def history(self) -> dict[str, list[float | None]]:
        """Columns of ``history.csv`` (``epoch`` included); empty when there is none yet."""
        return read_history(self.path / HISTORY_FILE)

    def model_path(self, best: bool = False) -> Path:
        return self.path / (BEST_FILE if best else MODEL_FILE)

    def load_model(self, best: bool = False):
        """The trained Keras model (``best.keras`` with ``best=True``); RunError when missing."""
        path = self.model_path(best)
        if not path.is_file():
            if best and self.model_path(False).is_file():
                path = self.model_path(False)
            else:
                raise RunError(f"{self.path}: has no saved model ({path.name}); the run "
                               f"{'failed' if self.status == 'failed' else 'ended'} before saving one.")
        from workbench.core.kerasenv import import_keras

        keras = import_keras()
        try:
            return keras.models.load_model(path, compile=True)
        except Exception as exc:  # noqa: BLE001 - any Keras load failure becomes a clear message
            raise RunError(f"{path}: cannot be loaded as a Keras model ({type(exc).__name__}: {exc}).") from None

    def load_preprocessor(self):
        """The data preprocessing the run was trained with."""
        folder = self.path / PREPROCESSING_DIR
        if not folder.is_dir():
            raise RunError(f"{self.path}: has no preprocessing/ folder; it cannot encode new inputs.")
        from workbench.core.data.prepare import load_preprocessor

        return load_preprocessor(folder)

    def test_predictions(self) -> dict[str, Any] | None:
        """``{"y_true": [...], "y_pred": [...], "class_names": [...]}`` for classifier runs."""
        path = self.path / PREDICTIONS_FILE
        try:
            return json.loads(path.read_text(encoding="utf-8"))
        except (OSError, ValueError):
            return None

    def to_dict(self) -> dict[str, Any]:
        """The JSON form listed by ``keras-workbench runs --json``."""
        best = self.best_validation() if self.readable else None
        test = self.test_metric() if self.readable else None
        return _json_safe({
            "run_id": self.run_id,
            "name": self.name,
            "note": self.note or None,
            "status": self.status,
            "message": self.message,
            "path": str(self.path),
            "started": self.started or None,
            "ended": self.ended or None,
            "template": self.template or None,
            "data": self.data_source or None,
            "epochs_completed": self.epochs_completed,
            "duration_s": self.duration_s,
            "best_val": {"metric": best[0], "value": best[1]} if best else None,
            "test": {"metric": test[0], "value": test[1]} if test else None,
            "test_metrics": self.info.get("test_metrics") or {},
            "baseline": self.info.get("baseline") or {},
        })


def read_history(path: Path) -> dict[str, list[float | None]]:
    """Read a history CSV into columns; a torn last line (a kill mid-write) is ignored."""
    columns: dict[str, list[float | None]] = {}
    try:
        with open(path, newline="", encoding="utf-8") as handle:
            rows = list(csv.reader(handle))
    except OSError:
        return columns
    if not rows:
        return columns
    header = rows[0]
    for name in header:
        columns[name] = []
    for row in rows[1:]:
        if len(row) != len(header):
            continue
        for name, text in zip(header, row):
            try:
                value: float | None = float(text) if text != "" else None
            except ValueError:
                value = None
            columns[name].append(value)
    if "epoch" in columns:
        columns["epoch"] = [int(v) if v is not None else None for v in columns["epoch"]]  # type: ignore[misc]
    return columns


# --------------------------------------------------------------------------- writer


class RunWriter:
    """Writes one run while it trains; every method leaves the folder readable."""

    def __init__(self, path: Path, info: dict[str, Any]):
        self.path = path
        self.info = info
        self._history_columns: list[str] = []
        self._history_rows: list[dict[str, Any]] = []
        self.save_info()

    @property
    def run_id(self) -> str:
        return str(self.info["run_id"])

    @property
    def model_path(self) -> Path:
        return self.path / MODEL_FILE

    @property
    def best_path(self) -> Path:
        return self.path / BEST_FILE

    @property
    def preprocessing_dir(self) -> Path:
        return self.path / PREPROCESSING_DIR

    def save_info(self) -> None:
        atomic_write_json(self.path / RUN_FILE, _json_safe(self.info))

    def update(self, **fields: Any) -> None:
        self.info.update(fields)
        self.save_info()

    def append_epoch(self, epoch: int, logs: dict[str, Any], seconds: float) -> None:
        """Add one epoch to history.csv (flushed to disk) and to run.json's summary fields."""
        row = {"epoch": epoch, "seconds": round(float(seconds), 4)}
        row.update({k: _json_safe(float(v)) for k, v in logs.items() if _is_number(v)})
        self._history_rows.append(row)
        new_columns = [k for k in row if k not in self._history_columns]
        history_path = self.path / HISTORY_FILE
        if new_columns:
            # A column that appears later (e.g. learning_rate once ReduceLROnPlateau acts) means
            # rewriting the file with the wider header; rare and cheap at one row per epoch.
            self._history_columns.extend(new_columns)
            lines = [self._history_columns] + [[_cell(r.get(c)) for c in self._history_columns]
                                               for r in self._history_rows]
            text = "".join(",".join(line) + "\n" for line in lines)
            from workbench.core.storage import atomic_write_text

            atomic_write_text(history_path, text)
        else:
            with open(history_path, "a", encoding="utf-8", newline="") as handle:
                handle.write(",".join(_cell(row.get(c)) for c in self._history_columns) + "\n")
                handle.flush()
                os.fsync(handle.fileno())
        seconds_list = list(self.info.get("epoch_seconds") or [])
        seconds_list.append(round(float(seconds), 4))
        self.update(epochs_completed=len(self._history_rows), epoch_seconds=seconds_list,
                    final_metrics={k: v for k, v in row.items() if k not in ("epoch", "seconds")})

    def finish(self, status: str, message: str = "", **fields: Any) -> None:
        self.update(status=status, message=message, ended=now_iso(), **fields)


def _is_number(value: Any) -> bool:
    try:
        float(value)
    except (TypeError, ValueError):
        return False
    return True


def _cell(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, float):
        return repr(value)
    return str(value)


# --------------------------------------------------------------------------- store


def runs_root(runs: str | os.PathLike[str] | None = None) -> Path:
    """The runs folder a ``--runs`` option names (``~`` expanded), else the user's default one."""
    if runs:
        return Path(runs).expanduser()
    from workbench.core import paths

    return paths.runs_dir()


class RunStore:
    """The runs folder: list, open, create, rename and delete runs."""

    def __init__(self, root: str | os.PathLike[str]):
        self.root = Path(root)

    def list_runs(self) -> list[RunRecord]:
        """Every run folder, newest first; unreadable ones are included with a message."""
        if not self.root.is_dir():
            return []
        records = []
        for entry in self.root.iterdir():
            if entry.name.startswith(".") or not entry.is_dir():
                continue
            records.append(self._read(entry))
        records.sort(key=lambda r: (r.started or "", r.run_id), reverse=True)
        return records

    def open_run(self, id_or_path: str | os.PathLike[str]) -> RunRecord:
        """A run by id (in this store) or by folder path; RunError when missing or unreadable."""
        text = str(id_or_path)
        candidates = [self.root / text, Path(text)]
        for candidate in candidates:
            if (candidate / RUN_FILE).is_file() or (candidate.is_dir() and candidate.parent == self.root):
                record = self._read(candidate)
                if not record.readable:
                    raise RunError(record.message)
                return record
        known = [r.run_id for r in self.list_runs()[:5]]
        hint = f" Recent runs: {', '.join(known)}." if known else " There are no runs yet; train one first."
        raise RunError(f'no run "{text}" in {self.root}.{hint}')

    def create(self, document, *, name: str | None = None) -> RunWriter:
        """A new run folder for ``document`` with status "running"."""
        from workbench.core.kerasenv import versions

        stamp = _dt.datetime.now().strftime("%Y%m%d-%H%M%S")
        label = name or document.template or document.name
        self.root.mkdir(parents=True, exist_ok=True)
        while True:
            run_id = f"{stamp}-{_slug(label)}-{secrets.token_hex(2)}"
            path = self.root / run_id
            try:
                path.mkdir()
                break
            except FileExistsError:
                continue
        info = {
            "format": RUN_FORMAT,
            "version": RUN_VERSION,
            "run_id": run_id,
            "name": name or document.name,
            "status": "running",
            "message": "",
            "document": document.to_dict(),
            "started": now_iso(),
            "ended": None,
            "pid": os.getpid(),
            "epochs_completed": 0,
            "epoch_seconds": [],
            "final_metrics": {},
            "test_metrics": {},
            "baseline": {},
            "versions": versions(),
            "data": {},
        }
        return RunWriter(path, info)

    def delete(self, run_id: str) -> None:
        path = self._folder(run_id)
        self._refuse_if_training(self._read(path), "deleted")
        try:
            shutil.rmtree(path)
        except OSError as exc:
            raise RunError(f"{path}: cannot be deleted ({exc.strerror or exc}).") from None

    def rename(self, run_id: str, name: str) -> RunRecord:
        """Change the display name (the folder keeps its id)."""
        name = name.strip()
        if not name:
            raise RunError("a run name cannot be empty.")
        record = self._read(self._folder(run_id))
        if not record.readable:
            raise RunError(record.message)
        self._refuse_if_training(record, "renamed")
        info = dict(record.info)
        info["name"] = name
        atomic_write_json(record.path / RUN_FILE, info)
        return self._read(record.path)

    def set_note(self, run_id: str, note: str) -> RunRecord:
        """Attach a free-text note to a run (empty removes it)."""
        record = self._read(self._folder(run_id))
        if not record.readable:
            raise RunError(record.message)
        self._refuse_if_training(record, "given a note")
        info = dict(record.info)
        info["note"] = note.strip()
        atomic_write_json(record.path / RUN_FILE, info)
        return self._read(record.path)

    def _folder(self, run_id: str) -> Path:
        path = self.root / run_id
        # A run id is one folder name directly inside the store: "..", "." and "a/b" are refused
        # (``Path("..").name == ".."``, so a name check alone would let delete("..") remove the
        # whole data folder).
        if (not run_id or Path(run_id).name != run_id or run_id in (".", "..") or not path.is_dir()
                or path.resolve().parent != self.root.resolve()):
            raise RunError(f'no run "{run_id}" in {self.root}.')
        return path

    @staticmethod
    def _refuse_if_training(record: RunRecord, action: str) -> None:
        # The training process keeps run.json in memory and rewrites it every epoch: a new name or
        # note would be lost, and a deleted folder would be recreated as a "failed" run.
        # ``_read`` reports a "running" run whose process died as "interrupted", so this one is live.
        if record.status == "running":
            raise RunError(f'run "{record.name}" is still training, so it cannot be {action}; '
                           "stop the training first.")

    def _read(self, folder: Path) -> RunRecord:
        run_id = folder.name

        def unreadable(why: str) -> RunRecord:
            return RunRecord(run_id=run_id, path=folder, name=run_id, status="unreadable",
                             message=f"{folder}: {why}")

        try:
            raw = json.loads((folder / RUN_FILE).read_text(encoding="utf-8"))
        except FileNotFoundError:
            return unreadable("has no run.json; it is not a run folder or its run never started.")
        except OSError as exc:
            return unreadable(f"run.json cannot be read ({exc.strerror or exc}).")
        except (UnicodeDecodeError, ValueError):
            return unreadable("run.json is corrupt (not valid JSON).")
        if not isinstance(raw, dict) or raw.get("format") != RUN_FORMAT:
            return unreadable("run.json is not a Keras Workbench run record.")
        version = raw.get("version")
        if not isinstance(version, int) or isinstance(version, bool) or version < 1:
            return unreadable("run.json has no valid version number.")
        if version > RUN_VERSION:
            return unreadable(f"was written by a newer Keras Workbench (run version {version}; this version "
                              f"reads up to {RUN_VERSION}). Update Keras Workbench to open it.")
        status = raw.get("status")
        if status not in STATUSES:
            return unreadable(f'run.json has an unknown status "{status}".')
        if status == "running" and not _process_alive(raw.get("pid")):
            status = "interrupted"
        name = raw.get("name") if isinstance(raw.get("name"), str) and raw.get("name") else run_id
        return RunRecord(run_id=run_id, path=folder, name=name, status=status, info=raw,
                         message=str(raw.get("message") or ""))


def _process_alive(pid: Any) -> bool:
    """Whether a run marked "running" still has its process (else it was killed or crashed)."""
    if not isinstance(pid, int) or pid <= 0:
        return False
    if pid == os.getpid():
        return True
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    except OSError:
        return False
    return True

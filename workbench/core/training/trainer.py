"""The core training loop: prepare data, build and check the model, fit with callbacks, keep the run.

:class:`Trainer` knows nothing of Qt. It reports through ``on_event(dict)`` and polls
``should_stop()`` once per batch; the GUI worker and the CLI adapt those two callables.
Events (all dicts with an ``"event"`` key):

- ``preparing``: fraction, text (data loading / preprocessing)
- ``train_started``: run_id, run_dir, epochs, steps, samples, batch_size, metrics, validation,
  classifier, class_names
- ``batch``: epoch, batch, steps, logs, samples_per_s, eta_s (throttled to ~10 per second)
- ``epoch_ended``: epoch (1-based), epochs, logs, seconds, best_epoch, best_value, monitor
- ``finished``: status ("finished" | "stopped"), message, test_metrics, baseline, run_id, run_dir,
  epochs_completed, confusion
- ``failed``: message (and run_id/run_dir when the run folder was already created)
"""

from __future__ import annotations

import math
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

from workbench.core.errors import TrainingError, WorkbenchError
from workbench.core.storage import atomic_write_json
from workbench.core.training.runs import PREDICTIONS_FILE, RunStore, RunWriter, lower_is_better

BATCH_EVENT_INTERVAL_S = 0.1  # at most ~10 batch events per second reach the GUI
ASYNC_CALLBACKS = True  # let Keras run batch hooks off the training loop (see Trainer._callbacks)

EventHandler = Callable[[dict[str, Any]], None]


@dataclass
class RunResult:
    """What a finished (or stopped, or failed) training produced."""

    run_id: str | None
    run_dir: str | None
    status: str
    message: str = ""
    epochs_completed: int = 0
    history: dict[str, list[float | None]] = field(default_factory=dict)
    epoch_seconds: list[float] = field(default_factory=list)
    final_metrics: dict[str, float | None] = field(default_factory=dict)
    test_metrics: dict[str, float | None] = field(default_factory=dict)
    baseline: dict[str, Any] = field(default_factory=dict)
    confusion: dict[str, Any] | None = None
    data: dict[str, Any] = field(default_factory=dict)
    predictions: dict[str, list[int]] | None = None

    def to_dict(self) -> dict[str, Any]:
        """The JSON-ready summary (the CLI's final line); predictions are left out."""
        from workbench.core.training.runs import _json_safe

        return _json_safe({
            "run_id": self.run_id,
            "run_dir": self.run_dir,
            "status": self.status,
            "message": self.message,
            "epochs_completed": self.epochs_completed,
            "history": self.history,
            "epoch_seconds": self.epoch_seconds,
            "final_metrics": self.final_metrics,
            "test_metrics": self.test_metrics,
            "baseline": self.baseline,
            "confusion": self.confusion,
        })


# --------------------------------------------------------------------------- checks


def _loss_key(loss: str) -> str:
    return loss.lower().replace("_", "").replace(" ", "")


def _is_crossentropy(loss: str) -> bool:
    return "crossentropy" in _loss_key(loss)


def _shape_text(shape: tuple | list) -> str:
    dims = ", ".join("any" if d is None else str(d) for d in shape)
    return f"({dims}{',' if len(shape) == 1 else ''})"


def output_units_for(prepared) -> int:
    """Units of the last layer that the prepared labels call for."""
    if prepared.label_format in ("binary",):
        return 1
    if prepared.label_format == "regression":
        y = np.asarray(prepared.train.y)
        return int(y.shape[1]) if y.ndim > 1 else 1
    return int(prepared.num_classes or 1)


def check_compatibility(model, prepared, document) -> None:
    """Raise TrainingError when data and model cannot train together, saying which side to change."""
    source = prepared.source or document.data.source
    try:
        model_in = tuple(model.input_shape[1:])
    except (AttributeError, ValueError, TypeError):
        model_in = None
    data_in = tuple(prepared.input_shape)
    if model_in is not None:
        same_rank = len(model_in) == len(data_in)
        if not same_rank or any(m is not None and d is not None and m != d for m, d in zip(model_in, data_in)):
            raise TrainingError(
                f"The model expects inputs of shape {_shape_text(model_in)} but {source} gives samples of "
                f"shape {_shape_text(data_in)}. Change the model's input shape to {_shape_text(data_in)} in "
                "the Builder (or turn on “input from data”), or choose data with samples of that shape."
            )
    try:
        units = model.output_shape[-1]
    except (AttributeError, ValueError, TypeError):
        return
    loss = document.compile.loss
    key = _loss_key(loss)
    fmt = prepared.label_format
    n = prepared.num_classes
    sparse_loss = key.startswith("sparsecategorical")
    categorical_loss = key.startswith("categorical") and "crossentropy" in key
    binary_loss = key.startswith("binary") and "crossentropy" in key
    fix_units = "Set the last layer's units to {need} in the Builder (or turn on “output from data”)"

    if fmt == "binary":
        if units == 1:
            if sparse_loss or categorical_loss:
                raise TrainingError(
                    f"{source} has two classes labelled 0/1 and the model ends in 1 unit, but the loss "
                    f"{loss} expects one unit per class. Change the loss to binary_crossentropy (or mse), "
                    "or give the last layer 2 units with softmax and use sparse_categorical_crossentropy."
                )
        elif units == 2:
            if not sparse_loss:
                raise TrainingError(
                    f"The model ends in 2 units but {source} labels each sample with one 0/1 value. "
                    "Use 1 unit with sigmoid and binary_crossentropy, or keep 2 units with softmax and "
                    "change the loss to sparse_categorical_crossentropy."
                )
        else:
            raise TrainingError(
                f"{source} has two classes (labels 0/1) but the model's last layer has {units} units. "
                + fix_units.format(need="1 (sigmoid)") + "."
            )
    elif fmt in ("sparse", "categorical"):
        if units != n:
            raise TrainingError(
                f"{source} has {n} classes but the model's last layer has {units} units. "
                + fix_units.format(need=n) + "."
            )
        if fmt == "sparse" and (categorical_loss or binary_loss):
            raise TrainingError(
                f"{source} labels each sample with a class number (0 to {n - 1 if n else '?'}), but the loss "
                f"{loss} expects {'one-hot vectors' if categorical_loss else '0/1 values'}. Change the loss "
                "to sparse_categorical_crossentropy."
            )
        if fmt == "categorical" and (sparse_loss or binary_loss):
            raise TrainingError(
                f"{source} labels are one-hot vectors of {n} classes, but the loss {loss} expects "
                f"{'class numbers' if sparse_loss else '0/1 values'}. Change the loss to "
                "categorical_crossentropy."
            )
    elif fmt == "regression":
        if _is_crossentropy(loss):
            raise TrainingError(
                f"{source} has a numeric target (regression), but the loss {loss} is for classification. "
                "Change the loss to mse or mae, and the last layer to a Dense layer without activation."
            )
        need = output_units_for(prepared)
        if units != need:
            raise TrainingError(
                f"{source} has {need} numeric target value{'s' if need != 1 else ''} per sample but the "
                f"model's last layer has {units} units. " + fix_units.format(need=need) + "."
            )


def _check_monitor(monitor: str, what: str, metrics: list[str], has_validation: bool) -> None:
    if monitor.startswith("val_") and not has_validation:
        raise TrainingError(
            f"{what} watches {monitor}, but there is no validation set. Set a validation split in the "
            "Train settings, or watch \"loss\" instead."
        )
    known = {"loss", *metrics}
    base = monitor.removeprefix("val_")
    if base not in known and base != "learning_rate":
        options = ", ".join(sorted(known | {f"val_{k}" for k in known} if has_validation else known))
        raise TrainingError(f'{what} watches "{monitor}", which training does not report; use one of: {options}.')


# --------------------------------------------------------------------------- labels and baseline


def class_labels(y: np.ndarray, label_format: str) -> np.ndarray:
    """Integer class of each sample, whatever the label encoding."""
    y = np.asarray(y)
    if label_format == "categorical" and y.ndim > 1 and y.shape[-1] > 1:
        return np.argmax(y, axis=-1).astype(np.int64)
    return np.rint(y.reshape(len(y), -1)[:, 0]).astype(np.int64)


def predicted_labels(predictions: np.ndarray, label_format: str) -> np.ndarray:
    p = np.asarray(predictions)
    if p.ndim == 1 or p.shape[-1] == 1:
        return (p.reshape(len(p)) > 0.5).astype(np.int64)
    return np.argmax(p, axis=-1).astype(np.int64)


def compute_baseline(prepared, split_name: str = "test") -> dict[str, Any]:
    """Majority class (and chance) for classifiers, the mean predictor for regression."""
    split = getattr(prepared, split_name, None)
    if split is None or len(split) == 0:
        return {}
    if prepared.label_format == "regression":
        train_y = np.asarray(prepared.train.y, dtype=np.float64)
        target = np.asarray(split.y, dtype=np.float64)
        mean = train_y.mean(axis=0)
        error = target - mean
        return {"kind": "mean predictor", "split": split_name, "mean": _round(np.mean(mean)),
                "mse": _round(np.mean(error ** 2)), "mae": _round(np.mean(np.abs(error)))}
    train_labels = class_labels(prepared.train.y, prepared.label_format)
    labels = class_labels(split.y, prepared.label_format)
    counts = np.bincount(train_labels)
    majority = int(np.argmax(counts)) if counts.size else 0
    n = prepared.num_classes or max(int(counts.size), 2)
    names = list(prepared.class_names or [])
    return {
        "kind": "majority class",
        "split": split_name,
        "majority_class": names[majority] if majority < len(names) else str(majority),
        "accuracy": _round(float(np.mean(labels == majority))),
        "chance": _round(1.0 / n),
    }


def confusion_matrix(y_true: np.ndarray, y_pred: np.ndarray, n: int) -> list[list[int]]:
    matrix = np.zeros((n, n), dtype=np.int64)
    valid = (y_true >= 0) & (y_true < n) & (y_pred >= 0) & (y_pred < n)
    np.add.at(matrix, (y_true[valid], y_pred[valid]), 1)
    return matrix.tolist()


def _round(value: Any, digits: int = 6) -> float | None:
    value = float(value)
    return round(value, digits) if math.isfinite(value) else None


def _floats(logs: dict[str, Any] | None) -> dict[str, float]:
    out = {}
    for key, value in (logs or {}).items():
        try:
            out[key] = float(value)
        except (TypeError, ValueError):
            continue
    return out


# --------------------------------------------------------------------------- trainer


class Trainer:
    """Train ``document`` and record the run under ``runs_root``.

    ``prepared`` lets a sweep reuse data prepared once; ``name`` names the run; ``free_memory``
    runs a full garbage collection when done (see :meth:`run`).
    Problems found before training starts (bad data, bad design, a data/model mismatch) raise
    a :class:`WorkbenchError` and create no run; problems during training end the run as
    "failed" and are returned in the :class:`RunResult`.
    """

    def __init__(self, document, runs_root, *, on_event: EventHandler | None = None,
                 should_stop: Callable[[], bool] | None = None, prepared=None, name: str | None = None,
                 batch_events: bool = True, free_memory: bool = True):
        self.document = document.copy()
        self.runs_root = Path(runs_root)
        self._on_event = on_event
        self._should_stop = should_stop or (lambda: False)
        self.prepared = prepared
        self.name = name
        self.batch_events = batch_events
        self.free_memory = free_memory
        self.build_notes: list[str] = []

    def emit(self, event: str, **fields: Any) -> None:
        if self._on_event is not None:
            self._on_event({"event": event, **fields})

    def should_stop(self) -> bool:
        return bool(self._should_stop())

    # -- steps ---------------------------------------------------------------

    def prepare(self):
        """The prepared data (prepared once; reused by later calls)."""
        if self.prepared is None:
            from workbench.core.data.prepare import prepare_data

            def progress(fraction: float, text: str = "") -> None:
                self.emit("preparing", fraction=float(fraction), text=text)

            self.emit("preparing", fraction=0.0, text=f"Preparing {self.document.data.source}…")
            self.prepared = prepare_data(self.document.data, self.document.training, progress=progress,
                                         should_stop=self._should_stop)
        return self.prepared

    def build(self, prepared):
        """The compiled model, checked against the data."""
        from workbench.core.design.build import build_model

        spec = self.document.model
        kwargs: dict[str, Any] = {}
        word_index = getattr(getattr(prepared, "preprocessor", None), "word_index", None)
        if word_index:
            kwargs["word_index"] = word_index  # lets a GloVe-initialised Embedding load its vectors
        model = build_model(
            self.document,
            input_shape=tuple(prepared.input_shape) if spec.input_from_data else None,
            output_units=output_units_for(prepared) if spec.output_from_data else None,
            compile=True,
            notes=self.build_notes,
            **kwargs,
        )
        check_compatibility(model, prepared, self.document)
        return model

    def run(self) -> RunResult:
        """Prepare, build, fit, evaluate and save; see the class docstring for errors."""
        from workbench.core.kerasenv import import_keras

        keras = import_keras()
        try:
            prepared = self.prepare()
            if self.document.training.seed is not None:
                keras.utils.set_random_seed(int(self.document.training.seed))
            model = self.build(prepared)
            callbacks_spec = self._check_settings(prepared)
        except WorkbenchError as exc:
            self.emit("failed", message=str(exc))
            keras.backend.clear_session(free_memory=self.free_memory)
            raise
        writer = RunStore(self.runs_root).create(self.document, name=self.name)
        try:
            return self._train(keras, model, prepared, writer, callbacks_spec)
        except Exception as exc:
            # Anything that escaped _train (e.g. the data feed failing before fit) still ends the
            # run on disk, so it is never listed as running forever.
            if writer.info.get("status") == "running":
                message = str(exc) if isinstance(exc, WorkbenchError) else f"{type(exc).__name__}: {exc}"
                writer.finish("failed", message)
                self.emit("failed", message=message, run_id=writer.run_id, run_dir=str(writer.path))
            raise
        finally:
            del model
            # free_memory runs a full garbage collection: up to a second holding the GIL, and on a
            # GUI worker thread it may destroy stray Qt objects off their thread (a deadlock seen
            # in tests). The window passes False and collects on its own thread instead.
            keras.backend.clear_session(free_memory=self.free_memory)

    def _check_settings(self, prepared) -> dict[str, Any]:
        training = self.document.training
        if len(prepared.train) == 0:
            raise TrainingError(f"{prepared.source}: the training split is empty; there is nothing to train on.")
        has_val = prepared.val is not None and len(prepared.val) > 0
        metrics = [m for m in self.document.compile.metrics if isinstance(m, str)]
        if training.early_stopping is not None:
            _check_monitor(training.early_stopping.monitor, "Early stopping", metrics, has_val)
        if training.reduce_lr is not None:
            _check_monitor(training.reduce_lr.monitor, "Reduce learning rate", metrics, has_val)
        return {"has_val": has_val, "metrics": metrics}

    def _data_info(self, prepared) -> dict[str, Any]:
        return {
            "kind": getattr(prepared, "kind", None),
            "source": prepared.source,
            "class_names": list(prepared.class_names or []),
            "input_shape": list(prepared.input_shape),
            "num_classes": prepared.num_classes,
            "label_format": prepared.label_format,
            "notes": list(getattr(prepared, "notes", []) or []) + list(self.build_notes),
            "sizes": {name: (len(split) if split is not None else 0)
                      for name, split in (("train", prepared.train), ("val", prepared.val),
                                          ("test", prepared.test))},
        }

    def _callbacks(self, keras, writer: RunWriter, has_val: bool, recorder) -> list:
        training = self.document.training
        # Keras runs batch hooks on a thread pool (not blocking the training loop) only when every
        # callback with a batch hook says it is async-safe; TerminateOnNaN only reads the logs and
        # sets a flag, so it is.
        async_safe = _async_safe(keras)
        callbacks: list = [async_safe(keras.callbacks.TerminateOnNaN)()]
        if training.early_stopping is not None:
            es = training.early_stopping
            callbacks.append(keras.callbacks.EarlyStopping(
                monitor=es.monitor, min_delta=es.min_delta, patience=es.patience,
                restore_best_weights=es.restore_best_weights, mode="auto", verbose=0))
        if training.checkpoint_best:
            # Best weights are kept in memory and written once at the end: saving a .keras file
            # at every improving epoch (ModelCheckpoint) costs more than a small model's epoch.
            callbacks.append(_make_best_keeper(keras, "val_loss" if has_val else "loss"))
        if training.reduce_lr is not None:
            rl = training.reduce_lr
            callbacks.append(keras.callbacks.ReduceLROnPlateau(
                monitor=rl.monitor, factor=rl.factor, patience=rl.patience, min_lr=rl.min_lr, verbose=0))
        if training.tensorboard_dir:
            log_dir = Path(training.tensorboard_dir).expanduser() / writer.run_id
            callbacks.append(keras.callbacks.TensorBoard(log_dir=str(log_dir)))
        # Last, so that it sees what the others added to the logs (e.g. learning_rate).
        callbacks.append(recorder)
        return callbacks

    def _train(self, keras, model, prepared, writer: RunWriter, spec: dict[str, Any]) -> RunResult:
        training = self.document.training
        has_val = spec["has_val"]
        classifier = prepared.label_format != "regression"
        data_info = self._data_info(prepared)
        writer.update(data=data_info)
        try:
            prepared.preprocessor.save(writer.preprocessing_dir)
        except Exception as exc:  # noqa: BLE001 - a run without preprocessing can still be inspected
            writer.update(notes=[f"preprocessing was not saved: {exc}"])

        batch_size = int(training.batch_size)
        x = prepared.train.x_for_fit(batch_size, bool(training.shuffle), training.seed)
        y = prepared.train.y_for_fit()
        validation_data = None
        if has_val:
            vx = prepared.val.x_for_fit(batch_size, False, training.seed)
            vy = prepared.val.y_for_fit()
            validation_data = vx if vy is None else (vx, vy)

        started = {"run_id": writer.run_id, "run_dir": str(writer.path), "epochs": int(training.epochs),
                   "samples": len(prepared.train), "batch_size": batch_size, "metrics": spec["metrics"],
                   "validation": has_val, "classifier": classifier, "class_names": data_info["class_names"],
                   "source": prepared.source}
        recorder = _make_recorder(keras, self, writer, batch_size, len(prepared.train),
                                  "val_loss" if has_val else "loss", started)
        callbacks = self._callbacks(keras, writer, has_val, recorder)
        if getattr(prepared, "kind", None) == "corpus":
            callbacks.append(_make_char_sampler(keras, self, prepared))

        fit_kwargs: dict[str, Any] = {"epochs": int(training.epochs), "verbose": 0, "callbacks": callbacks,
                                      "validation_data": validation_data}
        if y is not None:
            fit_kwargs.update(batch_size=batch_size, shuffle=bool(training.shuffle))
        status, message = "finished", ""
        interrupted = False
        try:
            if y is None:
                model.fit(x, **fit_kwargs)
            else:
                model.fit(x, y, **fit_kwargs)
        except KeyboardInterrupt:
            status, message, interrupted = "stopped", "interrupted (Ctrl+C)", True
        except WorkbenchError as exc:
            status, message = "failed", str(exc)
        except Exception as exc:  # noqa: BLE001 - every training failure must end the run cleanly
            status, message = "failed", _describe_failure(exc, batch_size)

        if status == "finished":
            if recorder.nan_epoch is not None:
                status = "failed"
                message = (f"The loss became NaN (not a number) in epoch {recorder.nan_epoch}; training was "
                           "stopped. Lower the learning rate, scale the inputs, or check the data for "
                           "missing values.")
            elif recorder.stopped:
                status, message = "stopped", "stopped by the user"

        early = next((cb for cb in callbacks if isinstance(cb, keras.callbacks.EarlyStopping)), None)
        if early is not None and getattr(early, "stopped_epoch", 0):
            writer.update(early_stopped_epoch=int(early.stopped_epoch) + 1)
        result = RunResult(run_id=writer.run_id, run_dir=str(writer.path), status=status, message=message,
                           data=data_info)
        if status != "failed":
            try:
                model.save(writer.model_path)
                keeper = next((cb for cb in callbacks if getattr(cb, "best_weights", None) is not None), None)
                if keeper is not None:
                    final_weights = model.get_weights()
                    model.set_weights(keeper.best_weights)
                    model.save(writer.best_path)
                    model.set_weights(final_weights)
                    writer.update(best_epoch=keeper.best_epoch)
            except Exception as exc:  # noqa: BLE001
                message = (message + "; " if message else "") + f"the model could not be saved ({exc})"
                result.message = message
        if status == "finished" and not self.should_stop():
            try:
                self._evaluate(model, prepared, writer, result, batch_size)
            except Exception as exc:  # noqa: BLE001 - metrics are a bonus; the run itself is done
                result.message = f"test evaluation failed: {exc}"
        result.epochs_completed = recorder.epochs_completed
        result.epoch_seconds = list(writer.info.get("epoch_seconds") or [])
        result.final_metrics = dict(writer.info.get("final_metrics") or {})
        result.history = writer_history(writer)
        writer.finish(result.status, result.message, test_metrics=result.test_metrics, baseline=result.baseline,
                      confusion=result.confusion, last_epoch_partial=recorder.partial_epoch)
        if status == "failed":
            self.emit("failed", message=message, run_id=writer.run_id, run_dir=str(writer.path))
        else:
            self.emit("finished", status=result.status, message=result.message,
                      test_metrics=result.test_metrics, baseline=result.baseline, run_id=writer.run_id,
                      run_dir=str(writer.path), epochs_completed=result.epochs_completed,
                      confusion=result.confusion, predictions=result.predictions,
                      early_stopped_epoch=writer.info.get("early_stopped_epoch"), source=prepared.source)
        if interrupted:
            raise KeyboardInterrupt
        return result

    def _evaluate(self, model, prepared, writer: RunWriter, result: RunResult, batch_size: int) -> None:
        split_name = "test" if prepared.test is not None and len(prepared.test) else None
        if split_name is None:
            return
        split = prepared.test
        self.emit("preparing", fraction=1.0, text="Evaluating on the test set…")
        tx = split.x_for_fit(batch_size, False, None)
        ty = split.y_for_fit()
        if ty is None:
            metrics = model.evaluate(tx, verbose=0, return_dict=True)
        else:
            metrics = model.evaluate(tx, ty, batch_size=batch_size, verbose=0, return_dict=True)
        result.test_metrics = {k: _round(v) for k, v in _floats(metrics).items()}
        result.baseline = compute_baseline(prepared, split_name)
        loss_key = _loss_key(self.document.compile.loss)
        if result.baseline.get("kind") == "mean predictor":
            # The same number as the model's test loss, so the two can be read side by side.
            for names, key in ((("mse", "meansquarederror"), "mse"), (("mae", "meanabsoluteerror"), "mae")):
                if loss_key in names:
                    result.baseline["loss"] = result.baseline[key]
        if prepared.label_format != "regression":
            predictions = model.predict(tx, verbose=0) if ty is None else model.predict(
                tx, batch_size=batch_size, verbose=0)
            y_true = class_labels(split.y, prepared.label_format)
            y_pred = predicted_labels(predictions, prepared.label_format)
            n = int(prepared.num_classes or max(int(y_true.max(initial=0)), int(y_pred.max(initial=0))) + 1)
            names = list(prepared.class_names or [str(i) for i in range(n)])
            result.confusion = {"class_names": names, "matrix": confusion_matrix(y_true, y_pred, n),
                                "split": split_name}
            result.predictions = {"y_true": y_true.tolist(), "y_pred": y_pred.tolist()}
            atomic_write_json(writer.path / PREDICTIONS_FILE,
                              {"split": split_name, "class_names": names, **result.predictions})


def writer_history(writer: RunWriter) -> dict[str, list[float | None]]:
    from workbench.core.training.runs import HISTORY_FILE, read_history

    return read_history(writer.path / HISTORY_FILE)


def _describe_failure(exc: BaseException, batch_size: int) -> str:
    name = type(exc).__name__
    text = str(exc).strip().splitlines()[0] if str(exc).strip() else ""
    if "ResourceExhausted" in name or isinstance(exc, MemoryError) or "OOM" in text:
        return (f"Training ran out of memory ({name}). Lower the batch size (now {batch_size}), make the "
                "model smaller, or use less data.")
    return f"Training failed: {name}: {text[:500]}"


_ASYNC_SAFE_CLASSES: dict[type, type] = {}


def _async_safe(keras):
    def wrap(cls: type) -> type:
        if cls not in _ASYNC_SAFE_CLASSES:
            _ASYNC_SAFE_CLASSES[cls] = type(cls.__name__, (cls,), {"async_safe": ASYNC_CALLBACKS})
        return _ASYNC_SAFE_CLASSES[cls]

    return wrap


def _make_best_keeper(keras, monitor: str):
    """Remembers the weights of the best epoch by ``monitor`` (the run saves them as best.keras)."""

    class BestKeeper(keras.callbacks.Callback):
        def __init__(self):
            super().__init__()
            self.best_weights = None
            self.best_epoch: int | None = None
            self._best: float | None = None

        def on_epoch_end(self, epoch, logs=None):
            value = (logs or {}).get(monitor)
            try:
                value = float(value)
            except (TypeError, ValueError):
                return
            if not math.isfinite(value):
                return
            if self._best is None or (value < self._best if lower_is_better(monitor) else value > self._best):
                self._best, self.best_epoch = value, epoch + 1
                self.best_weights = self.model.get_weights()

    return BestKeeper()


def _make_recorder(keras, trainer: Trainer, writer: RunWriter, batch_size: int, samples: int, monitor: str,
                   started: dict[str, Any]):
    """The Keras callback that records history, forwards events and honours Stop."""

    class EventRecorder(keras.callbacks.Callback):
        # Batch hooks may run on Keras's callback thread pool, possibly out of order: a lock guards
        # the throttle state and stale batches are dropped. Stop then lands within a batch or two.
        async_safe = ASYNC_CALLBACKS

        def __init__(self):
            super().__init__()
            self._lock = threading.Lock()
            self._last_batch = -1
            self.stopped = False
            self.nan_epoch: int | None = None
            self.epochs_completed = 0
            self.partial_epoch = False
            self.best_value: float | None = None
            self.best_epoch: int | None = None
            self._epoch_start = 0.0
            self._last_emit = 0.0
            self._steps: int | None = None
            self._epochs = 1

        def on_train_begin(self, logs=None):
            self._steps = self.params.get("steps")
            self._epochs = int(self.params.get("epochs") or 1)
            trainer.emit("train_started", **{**started, "steps": self._steps, "epochs": self._epochs})

        def on_epoch_begin(self, epoch, logs=None):
            self._epoch_start = time.perf_counter()
            self._epoch = epoch
            self._last_batch = -1

        def on_train_batch_end(self, batch, logs=None):
            if trainer.should_stop():
                self.model.stop_training = True
                self.stopped = True
            if not trainer.batch_events:
                return
            with self._lock:
                now = time.perf_counter()
                if now - self._last_emit < BATCH_EVENT_INTERVAL_S or batch <= self._last_batch:
                    return
                self._last_emit, self._last_batch = now, batch
                epoch = self._epoch
            done = batch + 1
            elapsed = max(now - self._epoch_start, 1e-9)
            rate = done / elapsed
            steps = self._steps
            eta = None
            if steps:
                remaining = (steps - done) + steps * (self._epochs - epoch - 1)
                eta = remaining / rate
            trainer.emit("batch", epoch=epoch + 1, epochs=self._epochs, batch=done, steps=steps,
                         logs=_floats(logs), samples_per_s=min(done * batch_size, samples) / elapsed,
                         eta_s=eta)

        def on_test_batch_end(self, batch, logs=None):
            if trainer.should_stop():
                self.model.stop_evaluating = True
                self.stopped = True

        def on_epoch_end(self, epoch, logs=None):
            seconds = time.perf_counter() - self._epoch_start
            values = _floats(logs)
            if "learning_rate" not in values:
                try:
                    values["learning_rate"] = float(keras.ops.convert_to_numpy(self.model.optimizer.learning_rate))
                except Exception:  # noqa: BLE001, S110 - a schedule has no single value to log
                    pass
            if "learning_rate" in values:
                values["learning_rate"] = float(f"{values['learning_rate']:.6g}")  # not 0.00999999977
            loss = values.get("loss")
            if loss is not None and not math.isfinite(loss) and self.nan_epoch is None:
                self.nan_epoch = epoch + 1
            self.partial_epoch = self.stopped
            writer.append_epoch(epoch + 1, values, seconds)
            self.epochs_completed = epoch + 1
            value = values.get(monitor)
            if value is not None and math.isfinite(value):
                better = (self.best_value is None or
                          (value < self.best_value if lower_is_better(monitor) else value > self.best_value))
                if better:
                    self.best_value, self.best_epoch = value, epoch + 1
            trainer.emit("epoch_ended", epoch=epoch + 1, epochs=self._epochs, logs=values, seconds=seconds,
                         best_epoch=self.best_epoch, best_value=self.best_value, monitor=monitor,
                         partial=self.stopped)

    return EventRecorder()


SAMPLE_TEMPERATURES = (0.2, 0.5, 1.0, 1.2)
SAMPLE_LENGTH = 120


def _make_char_sampler(keras, trainer: Trainer, prepared):
    """The book's loop: after each epoch, short samples at several temperatures from a random window.

    All temperatures are generated in one batched, compiled step (workbench.core.generation.fast),
    so the samples cost a fraction of an epoch; they arrive as a ``samples`` event.
    """
    from workbench.core.generation.fast import sample_columns

    preprocessor = prepared.preprocessor
    rng = np.random.default_rng(trainer.document.training.seed)

    class CharSampler(keras.callbacks.Callback):
        def on_epoch_end(self, epoch, logs=None):
            if trainer.should_stop() or len(prepared.train) == 0:
                return
            seed_text = str(prepared.train.raw(int(rng.integers(len(prepared.train)))))
            try:
                texts = sample_columns(self.model, preprocessor.chars, seed_text, SAMPLE_TEMPERATURES,
                                       SAMPLE_LENGTH, rng_seed=epoch, should_stop=trainer.should_stop,
                                       lowercase=preprocessor.lowercase)
            except Exception as exc:  # noqa: BLE001 - samples are a view on training, never its end
                trainer.emit("samples", epoch=epoch + 1, seed=seed_text, samples={}, error=str(exc))
                return
            trainer.emit("samples", epoch=epoch + 1, seed=seed_text,
                         samples={f"{t:g}": text for t, text in texts.items()})

    return CharSampler()


def describe_result(result: RunResult) -> str:
    """One human line for the CLI."""
    parts = [f"run {result.run_id}: {result.status}", f"{result.epochs_completed} epochs"]
    if result.test_metrics:
        parts.append("test " + ", ".join(f"{k}={v:.4f}" for k, v in result.test_metrics.items() if v is not None))
    if result.baseline:
        key = "accuracy" if "accuracy" in result.baseline else "mse"
        if result.baseline.get(key) is not None:
            parts.append(f"baseline ({result.baseline['kind']}) {key}={result.baseline[key]:.4f}")
    if result.message:
        parts.append(result.message)
    return "; ".join(parts)



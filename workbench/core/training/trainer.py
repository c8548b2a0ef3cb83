"""The core training loop: prepare data, build and check the model, fit with callbacks, keep the run.

:class:`Trainer` knows nothing of Qt. It reports through ``on_event(dict)`` and polls
``should_stop()`` once per batch; the GUI worker and the CLI adapt those two callables.
Stop is checked at the end of every training batch, synchronously in the training loop (see
:func:`_make_recorder`), so it lands at the next batch boundary. A stopped run is still evaluated
on the test set, for at most :data:`STOPPED_EVAL_SECONDS` (see :meth:`Trainer._evaluate`).

Events (all dicts with an ``"event"`` key):

- ``preparing``: fraction, text (data loading / preprocessing)
- ``train_started``: run_id, run_dir, epochs, steps, samples, batch_size, metrics, validation,
  classifier, class_names
- ``batch``: epoch, batch, steps, logs, samples_per_s, eta_s (throttled to ~10 per second)
- ``epoch_ended``: epoch (1-based), epochs, logs, seconds, best_epoch, best_value, monitor
- ``finished``: status ("finished" | "stopped"), message, test_metrics, baseline, run_id, run_dir,
  epochs_completed, confusion, test_coverage (None, or how much of the test set was evaluated)
- ``failed``: message (and run_id/run_dir when the run folder was already created)
"""

from __future__ import annotations

import math
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

from workbench.core.catalog.compile_choices import loss_key
from workbench.core.design.shapes import describe_shape
from workbench.core.errors import TrainingError, WorkbenchError
from workbench.core.storage import atomic_write_json
from workbench.core.training.runs import PREDICTIONS_FILE, RunStore, RunWriter, lower_is_better

BATCH_EVENT_INTERVAL_S = 0.1  # at most ~10 batch events per second reach the GUI
# Once Stop has been pressed, the test evaluation may run this long (then again as long for the
# predictions behind the confusion matrix, on the same samples). should_stop() is a level, not an
# edge: a second Stop during that evaluation cannot be told from the first, so time bounds it.
STOPPED_EVAL_SECONDS = 3.0
# Keras clips probabilities to [epsilon, 1 - epsilon] before taking logs (keras.backend.epsilon()).
KERAS_EPSILON = 1e-7

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
    # None when the whole test set was evaluated; else {"samples", "total", "reason"}.
    test_coverage: dict[str, Any] | None = None

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
            "test_coverage": self.test_coverage,
        })


# --------------------------------------------------------------------------- checks


def _is_crossentropy(loss: str) -> bool:
    return "crossentropy" in loss_key(loss)


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
                f"The model expects inputs of shape {describe_shape(tuple(model_in))} but {source} gives samples of "
                f"shape {describe_shape(tuple(data_in))}. Change the model's input shape to {describe_shape(tuple(data_in))} in "
                "the Builder (or turn on “input from data”), or choose data with samples of that shape."
            )
    try:
        units = model.output_shape[-1]
    except (AttributeError, ValueError, TypeError):
        return
    loss = document.compile.loss
    key = loss_key(loss)
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


def compute_baseline(prepared, split_name: str = "test", loss: str | None = None) -> dict[str, Any]:
    """Majority class (and chance) for classifiers, the mean predictor for regression.

    With ``loss`` (the run's loss name) the baseline also gets ``"loss"``: what that loss is for
    a constant predictor, the training class frequencies for a classifier or the training mean
    for regression, so it reads beside the model's test loss. Left out for losses it cannot
    compute (see :func:`constant_predictor_loss`).
    """
    split = getattr(prepared, split_name, None)
    if split is None or len(split) == 0:
        return {}
    if prepared.label_format == "regression":
        train_y = np.asarray(prepared.train.y, dtype=np.float64)
        target = np.asarray(split.y, dtype=np.float64)
        mean = train_y.mean(axis=0)
        error = target - mean
        baseline = {"kind": "mean predictor", "split": split_name, "mean": _round(np.mean(mean)),
                    "mse": _round(np.mean(error ** 2)), "mae": _round(np.mean(np.abs(error)))}
        if loss is not None:
            value = constant_predictor_loss(loss, target, mean, "regression")
            if value is not None:
                baseline["loss"] = _round(value)
        return baseline
    train_labels = class_labels(prepared.train.y, prepared.label_format)
    labels = class_labels(split.y, prepared.label_format)
    counts = np.bincount(train_labels)
    majority = int(np.argmax(counts)) if counts.size else 0
    n = prepared.num_classes or max(int(counts.size), 2)
    names = list(prepared.class_names or [])
    baseline = {
        "kind": "majority class",
        "split": split_name,
        "majority_class": names[majority] if majority < len(names) else str(majority),
        "accuracy": _round(float(np.mean(labels == majority))),
        "chance": _round(1.0 / n),
    }
    if loss is not None:
        prior = class_prior(prepared.train.y, prepared.label_format, n)
        value = constant_predictor_loss(loss, np.asarray(split.y), prior, prepared.label_format)
        if value is not None:
            baseline["loss"] = _round(value)
            baseline["prior"] = [_round(p) for p in prior]
    return baseline


def class_prior(train_y: np.ndarray, label_format: str, n: int) -> np.ndarray:
    """How often each class occurs in the training labels (sums to 1)."""
    y = np.asarray(train_y, dtype=np.float64)
    if label_format == "categorical" and y.ndim > 1 and y.shape[-1] == n:
        totals = y.reshape(len(y), n).sum(axis=0)  # also right for soft labels
    else:
        totals = np.bincount(class_labels(y, label_format), minlength=n)[:n].astype(np.float64)
    total = totals.sum()
    return totals / total if total > 0 else np.full(n, 1.0 / n)


def constant_predictor_loss(loss: str, y: np.ndarray, prediction: np.ndarray, label_format: str) -> float | None:
    """Mean ``loss`` over ``y`` when every sample is predicted as ``prediction``, as Keras computes it.

    ``prediction`` is the class prior for classifiers (binary labels: the prior of class 1 is the
    one sigmoid output) or the per-target mean for regression. None for losses other than
    binary/categorical/sparse categorical crossentropy, mse and mae.
    """
    key = loss_key(loss)
    y = np.asarray(y, dtype=np.float64)
    prediction = np.asarray(prediction, dtype=np.float64)
    eps = KERAS_EPSILON
    if label_format == "regression":
        error = y.reshape(len(y), -1) - prediction.reshape(1, -1)
        if key in ("mse", "meansquarederror"):
            return float(np.mean(error ** 2))
        if key in ("mae", "meanabsoluteerror"):
            return float(np.mean(np.abs(error)))
        return None
    n = len(prediction)
    labels = class_labels(y, label_format)
    if label_format == "categorical" and y.ndim > 1 and y.shape[-1] == n:
        target = y.reshape(len(y), n)
    else:
        target = np.eye(n)[np.clip(labels, 0, n - 1)]
    if key == "binarycrossentropy":
        if label_format != "binary":
            return None
        # One sigmoid unit: it outputs the frequency of class 1 for every sample.
        p = float(np.clip(prediction[1] if n > 1 else prediction[0], eps, 1 - eps))
        t = y.reshape(len(y), -1)[:, 0]
        return float(-np.mean(t * np.log(p) + (1 - t) * np.log(1 - p)))
    if key == "categoricalcrossentropy":
        p = np.clip(prediction / prediction.sum(), eps, 1 - eps)
        return float(-np.mean((target * np.log(p)).sum(axis=1)))
    if key == "sparsecategoricalcrossentropy":
        # Keras clips, takes the log and applies a softmax cross-entropy (which renormalises).
        p = np.clip(prediction, eps, 1 - eps)
        log_p = np.log(p / p.sum())
        return float(-np.mean(log_p[np.clip(labels, 0, n - 1)]))
    if key in ("mse", "meansquarederror", "mae", "meanabsoluteerror"):
        if label_format == "binary":
            error = y.reshape(len(y), -1)[:, 0] - prediction[1 if n > 1 else 0]
        elif label_format == "categorical":
            error = target - prediction.reshape(1, -1)
        else:
            return None  # class numbers against one output per class: not a meaningful pairing
        return float(np.mean(error ** 2) if key in ("mse", "meansquarederror") else np.mean(np.abs(error)))
    return None


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
        # The run's result once it is saved; set even when run() then re-raises a Ctrl+C.
        self.result: RunResult | None = None

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
        except Exception as exc:  # the window must hear of every failure, then it is re-raised
            message = str(exc) if isinstance(exc, WorkbenchError) else f"unexpected {type(exc).__name__}: {exc}"
            self.emit("failed", message=message)
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
        # No callback here declares ``async_safe``: Keras (CallbackList._configure_async_dispatch)
        # would then run every batch-end hook on a thread pool, on backends that allow it, and the
        # Stop check in the recorder would land a batch or two late. With the TensorFlow backend
        # the dispatch is synchronous anyway (backend.IS_THREAD_SAFE is False there).
        callbacks: list = [keras.callbacks.TerminateOnNaN()]
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
        self.result = None
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
            elif recorder.stopped or (self.should_stop() and recorder.epochs_completed < int(training.epochs)):
                # (The second case: a Stop seen by a later callback of the epoch's end, e.g. the
                # character sampler, after the recorder's own check.)
                status, message = "stopped", "stopped by the user"

        early = next((cb for cb in callbacks if isinstance(cb, keras.callbacks.EarlyStopping)), None)
        if early is not None and getattr(early, "stopped_epoch", 0):
            writer.update(early_stopped_epoch=int(early.stopped_epoch) + 1)
        result = RunResult(run_id=writer.run_id, run_dir=str(writer.path), status=status, message=message,
                           data=data_info)
        if status != "failed":
            try:
                model.save(writer.model_path)
                # Our keeper only: EarlyStopping also has best_weights, by its own monitor.
                keeper = next((cb for cb in callbacks if getattr(cb, "keeps_best_epoch", False)), None)
                if keeper is not None and keeper.best_weights is not None:
                    final_weights = model.get_weights()
                    model.set_weights(keeper.best_weights)
                    model.save(writer.best_path)
                    model.set_weights(final_weights)
                    writer.update(best_epoch=keeper.best_epoch)
            except Exception as exc:  # noqa: BLE001
                message = (message + "; " if message else "") + f"the model could not be saved ({exc})"
                result.message = message
        if status != "failed":
            try:
                self._evaluate(model, prepared, writer, result, batch_size)
            except KeyboardInterrupt:
                # Ctrl+C (a second one, for a stopped run): keep the run with what was evaluated so far
                # (_evaluate fills the result one finished step at a time).
                interrupted = True
                result.message = _join(result.message, "test evaluation interrupted (Ctrl+C)")
            except Exception as exc:  # noqa: BLE001 - metrics are a bonus; the run itself is done
                result.message = _join(result.message, f"test evaluation failed: {exc}")
        result.epochs_completed = recorder.epochs_completed
        result.epoch_seconds = list(writer.info.get("epoch_seconds") or [])
        result.final_metrics = dict(writer.info.get("final_metrics") or {})
        result.history = writer_history(writer)
        writer.finish(result.status, result.message, test_metrics=result.test_metrics, baseline=result.baseline,
                      confusion=result.confusion, last_epoch_partial=recorder.partial_epoch,
                      test_coverage=result.test_coverage)
        self.result = result  # what a caller catching the KeyboardInterrupt below can still report
        if status == "failed":
            self.emit("failed", message=message, run_id=writer.run_id, run_dir=str(writer.path))
        else:
            self.emit("finished", status=result.status, message=result.message,
                      test_metrics=result.test_metrics, baseline=result.baseline, run_id=writer.run_id,
                      run_dir=str(writer.path), epochs_completed=result.epochs_completed,
                      confusion=result.confusion, predictions=result.predictions,
                      early_stopped_epoch=writer.info.get("early_stopped_epoch"), source=prepared.source,
                      test_coverage=result.test_coverage)
        if interrupted:
            raise KeyboardInterrupt
        return result

    def _evaluate(self, model, prepared, writer: RunWriter, result: RunResult, batch_size: int) -> None:
        """Test-set metrics, baseline and confusion matrix, for finished and stopped runs alike.

        When Stop has already been pressed (a stopped run), the evaluation gets
        :data:`STOPPED_EVAL_SECONDS`, then the predictions as long again on the same samples; a
        Stop pressed during a finished run's evaluation ends it at the next batch. Either way the
        metrics then cover the first samples of the test set, and ``result.test_coverage`` says
        how many.
        """
        split_name = "test" if prepared.test is not None and len(prepared.test) else None
        if split_name is None:
            return
        keras = _keras()
        split = prepared.test
        total = len(split)
        bounded = result.status == "stopped" or self.should_stop()
        self.emit("preparing", fraction=1.0, text=(
            "Evaluating what it learned on the test set (a few seconds at most)…" if bounded
            else "Evaluating on the test set…"))
        tx = split.x_for_fit(batch_size, False, None)
        ty = split.y_for_fit()
        guard = _make_eval_guard(keras, self, STOPPED_EVAL_SECONDS if bounded else None)
        if ty is None:
            metrics = model.evaluate(tx, verbose=0, return_dict=True, callbacks=[guard])
        else:
            metrics = model.evaluate(tx, ty, batch_size=batch_size, verbose=0, return_dict=True,
                                     callbacks=[guard])
        result.test_metrics = {k: _round(v) for k, v in _floats(metrics).items()}
        result.baseline = compute_baseline(prepared, split_name, loss=self.document.compile.loss)
        evaluated = total
        if guard.cut is not None:
            steps = guard.params.get("steps") if guard.params else None
            evaluated = (min(guard.batches * batch_size, total) if ty is not None
                         else min(total, math.ceil(total * guard.batches / steps)) if steps else total)
            if evaluated < total:
                result.test_coverage = {"samples": int(evaluated), "total": int(total), "reason": guard.cut}
                why = (f"the evaluation after Stop is limited to {STOPPED_EVAL_SECONDS:g} s" if guard.cut == "time"
                       else "Stop was pressed during the evaluation")
                result.message = _join(result.message,
                                       f"test metrics cover the first {evaluated} of {total} test samples ({why})")
        if prepared.label_format != "regression" and guard.cut != "stop":
            guard = _make_eval_guard(keras, self, STOPPED_EVAL_SECONDS if bounded else None,
                                     max_batches=guard.batches if guard.cut else None)
            predictions = model.predict(tx, verbose=0, callbacks=[guard]) if ty is None else model.predict(
                tx, batch_size=batch_size, verbose=0, callbacks=[guard])
            y_true = class_labels(split.y, prepared.label_format)[:len(predictions)]
            y_pred = predicted_labels(predictions, prepared.label_format)
            n = int(prepared.num_classes or max(int(y_true.max(initial=0)), int(y_pred.max(initial=0))) + 1)
            names = list(prepared.class_names or [str(i) for i in range(n)])
            result.confusion = {"class_names": names, "matrix": confusion_matrix(y_true, y_pred, n),
                                "split": split_name}
            if len(y_true) < total:
                result.confusion["samples"] = len(y_true)
            result.predictions = {"y_true": y_true.tolist(), "y_pred": y_pred.tolist()}
            atomic_write_json(writer.path / PREDICTIONS_FILE,
                              {"split": split_name, "class_names": names, **result.predictions})


def _keras():
    from workbench.core.kerasenv import import_keras

    return import_keras()


def _join(message: str, more: str) -> str:
    return f"{message}; {more}" if message else more


def _make_eval_guard(keras, trainer: Trainer, seconds: float | None, max_batches: int | None = None):
    """Ends ``evaluate``/``predict`` at a batch boundary: after ``seconds`` (when given), after
    ``max_batches``, or, when unbounded, as soon as Stop is pressed. ``cut`` says why it ended early.

    Its batch hooks are not ``async_safe``, so Keras calls them in the loop itself.
    """

    class EvalGuard(keras.callbacks.Callback):
        def __init__(self):
            super().__init__()
            self.batches = 0
            self.cut: str | None = None
            self._deadline = None if seconds is None else time.perf_counter() + seconds

        def _reason(self, batch: int) -> str | None:
            self.batches = batch + 1
            if max_batches is not None and self.batches >= max_batches:
                return "batches"
            if self._deadline is not None:
                return "time" if time.perf_counter() >= self._deadline else None
            return "stop" if trainer.should_stop() else None

        def on_test_batch_end(self, batch, logs=None):
            reason = self._reason(batch)
            if reason is not None:
                self.cut = reason
                self.model.stop_evaluating = True

        def on_predict_batch_end(self, batch, logs=None):
            reason = self._reason(batch)
            if reason is not None:
                self.cut = reason
                self.model.stop_predicting = True

    return EvalGuard()


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


def _make_best_keeper(keras, monitor: str):
    """Remembers the weights of the best epoch by ``monitor`` (the run saves them as best.keras)."""

    class BestKeeper(keras.callbacks.Callback):
        keeps_best_epoch = True

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
        # Not ``async_safe``: Keras calls the batch hooks in the training loop itself and reads
        # model.stop_training right after on_train_batch_end returns, so Stop lands at the batch
        # boundary that follows it (see Trainer._callbacks).

        def __init__(self):
            super().__init__()
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

        def _stop_if_asked(self) -> None:
            if trainer.should_stop():
                self.model.stop_training = True
                self.stopped = True

        def on_train_batch_end(self, batch, logs=None):
            # Checked after the batch event, so a Stop asked for while that event was being
            # handled ends training now rather than one batch later.
            try:
                if trainer.batch_events:
                    self._batch_event(batch, logs)
            finally:
                self._stop_if_asked()

        def _batch_event(self, batch, logs) -> None:
            now = time.perf_counter()
            if now - self._last_emit < BATCH_EVENT_INTERVAL_S:
                return
            self._last_emit = now
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
            # Validation inside fit: end it, and training with it (otherwise the next epoch would
            # start and run a batch before the Stop was seen again).
            if trainer.should_stop():
                self.model.stop_evaluating = True
                self.model.stop_training = True
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
            self._stop_if_asked()  # a Stop during validation or this epoch's end: no further epoch
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
                         partial=self.partial_epoch)

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
            if not trainer.should_stop() and len(prepared.train):
                self._sample(epoch)
            if trainer.should_stop():
                # A Stop that came after the recorder's own end-of-epoch check (while sampling):
                # end here, not after one batch of the next epoch.
                self.model.stop_training = True

        def _sample(self, epoch):
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
        # A regression baseline's loss is its mse or mae, already shown.
        keys = ("accuracy", "loss") if "accuracy" in result.baseline else ("mse",)
        shown = [f"{k}={result.baseline[k]:.4f}" for k in keys if result.baseline.get(k) is not None]
        if shown:
            parts.append(f"baseline ({result.baseline['kind']}) " + ", ".join(shown))
    if result.message:
        parts.append(result.message)
    return "; ".join(parts)



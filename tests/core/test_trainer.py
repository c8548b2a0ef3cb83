"""The core Trainer: runs recorded on disk, events, Stop, mismatch checks, failures, baselines."""

from __future__ import annotations

import csv
import json

import numpy as np
import pytest
from training_shims import FakePrepared, FakeSplit, fake_prepare_data, use_pipeline

from workbench.core.document import EarlyStoppingSpec, ExperimentDocument
from workbench.core.errors import TrainingError, WorkbenchError
from workbench.core.training.runs import RunStore
from workbench.core.training.trainer import Trainer, check_compatibility, compute_baseline


def circles_document(epochs: int = 2) -> ExperimentDocument:
    from workbench.core.design.templates import load_template

    document = load_template("circles-mlp")
    document.data.source = "synthetic:circles?n=200"
    document.training.epochs = epochs
    return document


def circles_prepared(n: int = 200) -> FakePrepared:
    from workbench.core.document import DataSpec, TrainingSpec

    return fake_prepare_data(DataSpec(source=f"synthetic:circles?n={n}"), TrainingSpec())


@pytest.fixture
def pipeline(monkeypatch):
    use_pipeline(monkeypatch)


def test_training_records_a_complete_run(pipeline, tmp_path):
    events: list[dict] = []
    result = Trainer(circles_document(2), tmp_path, on_event=events.append, prepared=circles_prepared()).run()

    assert result.status == "finished", result.message
    assert result.epochs_completed == 2
    kinds = [e["event"] for e in events]
    assert kinds.index("train_started") < kinds.index("epoch_ended") < kinds.index("finished")
    epochs = [e for e in events if e["event"] == "epoch_ended"]
    assert [e["epoch"] for e in epochs] == [1, 2]
    assert {"loss", "val_loss", "accuracy", "val_accuracy"} <= set(epochs[-1]["logs"])
    assert all(e["seconds"] > 0 for e in epochs)
    started = next(e for e in events if e["event"] == "train_started")
    assert started["steps"] == 4  # 128 training samples / 32

    run_dir = tmp_path / result.run_id
    info = json.loads((run_dir / "run.json").read_text())
    assert info["status"] == "finished" and info["epochs_completed"] == 2
    assert len(info["epoch_seconds"]) == 2 and info["versions"]["keras"]
    assert info["document"]["template"] == "circles-mlp"
    assert info["data"]["label_format"] == "binary" and info["data"]["class_names"] == ["outer", "inner"]
    with (run_dir / "history.csv").open() as handle:
        rows = list(csv.DictReader(handle))
    assert [r["epoch"] for r in rows] == ["1", "2"]
    assert (run_dir / "model.keras").is_file() and (run_dir / "best.keras").is_file()
    assert (run_dir / "preprocessing").is_dir()

    assert set(result.test_metrics) == {"loss", "accuracy"}
    assert result.baseline["kind"] == "majority class" and result.baseline["chance"] == 0.5
    assert 0 < result.baseline["loss"] < 1  # binary crossentropy of the class frequencies; log 2 at 50/50
    matrix = np.array(result.confusion["matrix"])
    assert matrix.shape == (2, 2) and matrix.sum() == 40
    assert len(result.predictions["y_pred"]) == 40

    record = RunStore(tmp_path).open_run(result.run_id)
    assert record.history()["val_loss"] == result.history["val_loss"]
    model = record.load_model()
    assert model.output_shape == (None, 1)


def test_stop_ends_within_one_batch_and_keeps_the_run(pipeline, tmp_path):
    batches = []

    def on_event(event):
        if event["event"] == "batch":
            batches.append(event)

    calls = {"n": 0}

    def should_stop():
        calls["n"] += 1
        return calls["n"] >= 2  # asked once per batch: stop after the second batch

    document = circles_document(50)
    document.training.batch_size = 8
    result = Trainer(document, tmp_path, on_event=on_event, should_stop=should_stop,
                     prepared=circles_prepared()).run()
    assert result.status == "stopped"
    assert result.epochs_completed == 1
    assert calls["n"] <= 4  # two training batches, at most a couple of validation checks
    info = RunStore(tmp_path).open_run(result.run_id).info
    assert info["status"] == "stopped" and info["last_epoch_partial"] is True
    assert (tmp_path / result.run_id / "model.keras").is_file()
    assert set(info["test_metrics"]) == {"loss", "accuracy"}  # what it learned, on the test set


def test_input_shape_mismatch_is_refused_before_any_run(pipeline, tmp_path):
    document = circles_document()
    document.model.input_shape = [3]
    with pytest.raises(TrainingError, match=r"expects inputs of shape \(3,\).*gives samples of shape \(2,\)"):
        Trainer(document, tmp_path, prepared=circles_prepared()).run()
    assert RunStore(tmp_path).list_runs() == []


def test_label_format_mismatch_names_the_loss_to_use(pipeline, tmp_path):
    document = circles_document()
    document.compile.loss = "categorical_crossentropy"
    failed = []
    # The builder or the trainer's check refuses it; either way the message names the fix.
    with pytest.raises(WorkbenchError, match="binary_crossentropy"):
        Trainer(document, tmp_path, prepared=circles_prepared(),
                on_event=lambda e: failed.append(e) if e["event"] == "failed" else None).run()
    assert failed and "binary_crossentropy" in failed[0]["message"]
    assert RunStore(tmp_path).list_runs() == []


def test_sparse_loss_on_binary_labels_is_caught_before_fit():
    from workbench.core.kerasenv import import_keras

    keras = import_keras()
    model = keras.Sequential([keras.Input((2,)), keras.layers.Dense(1, activation="sigmoid")])
    document = circles_document()
    document.compile.loss = "sparse_categorical_crossentropy"
    with pytest.raises(TrainingError, match="Change the loss to binary_crossentropy"):
        check_compatibility(model, circles_prepared(), document)


def test_class_count_mismatch_says_which_side_to_change():
    from workbench.core.kerasenv import import_keras

    keras = import_keras()
    model = keras.Sequential([keras.Input((2,)), keras.layers.Dense(2, activation="softmax")])
    prepared = circles_prepared()
    prepared.label_format, prepared.num_classes = "sparse", 3
    document = circles_document()
    document.compile.loss = "sparse_categorical_crossentropy"
    with pytest.raises(TrainingError, match="has 3 classes but the model's last layer has 2 units"):
        check_compatibility(model, prepared, document)


def test_early_stopping_on_val_loss_without_validation_is_refused(pipeline, tmp_path):
    document = circles_document()
    document.training.early_stopping = EarlyStoppingSpec(monitor="val_loss")
    prepared = circles_prepared()
    prepared.val = None
    with pytest.raises(TrainingError, match="no validation set"):
        Trainer(document, tmp_path, prepared=prepared).run()


def test_nan_loss_ends_the_run_as_failed(pipeline, tmp_path):
    prepared = circles_prepared()
    prepared.train = FakeSplit(prepared.train.x, np.full(len(prepared.train), np.nan, dtype=np.float32))
    events = []
    result = Trainer(circles_document(3), tmp_path, prepared=prepared, on_event=events.append).run()
    assert result.status == "failed"
    assert "NaN" in result.message
    assert events[-1]["event"] == "failed"
    assert RunStore(tmp_path).open_run(result.run_id).status == "failed"


def test_early_stopping_and_reduce_lr_run(pipeline, tmp_path):
    from workbench.core.document import ReduceLRSpec

    document = circles_document(3)
    document.training.early_stopping = EarlyStoppingSpec(monitor="val_accuracy", patience=0)
    document.training.reduce_lr = ReduceLRSpec(monitor="loss", patience=0, factor=0.5)
    result = Trainer(document, tmp_path, prepared=circles_prepared()).run()
    assert result.status == "finished"
    assert "learning_rate" in result.history


def test_regression_baseline_is_the_mean_predictor():
    prepared = circles_prepared()
    prepared.label_format, prepared.num_classes = "regression", None
    prepared.train = FakeSplit(prepared.train.x, np.array([1.0, 3.0] * 64))
    prepared.test = FakeSplit(prepared.test.x[:2], np.array([2.0, 4.0]))
    baseline = compute_baseline(prepared)
    assert baseline == {"kind": "mean predictor", "split": "test", "mean": 2.0, "mse": 2.0, "mae": 1.0}


def test_real_pipeline_trains_synthetic_circles(pipeline, tmp_path):
    """Through prepare_data and build_model (the real ones once they exist)."""
    result = Trainer(circles_document(1), tmp_path).run()
    assert result.status == "finished", result.message
    assert result.test_metrics["accuracy"] is not None


def test_regression_run_reports_mean_predictor_and_no_confusion(pipeline, tmp_path):
    prepared = circles_prepared()
    prepared.label_format, prepared.num_classes, prepared.class_names = "regression", None, []
    for split in (prepared.train, prepared.val, prepared.test):
        split.y = (split.x[:, 0] * 2.0 + 1.0).astype("float32")
    document = circles_document(1)
    document.model.layers[-1].config = {"units": 1, "activation": "linear"}
    document.compile.loss, document.compile.metrics = "mse", ["mae"]
    result = Trainer(document, tmp_path, prepared=prepared).run()
    assert result.status == "finished" and result.confusion is None
    assert set(result.test_metrics) == {"loss", "mae"}
    assert result.baseline["kind"] == "mean predictor" and result.baseline["loss"] == result.baseline["mse"]
    document.compile.loss = "binary_crossentropy"
    with pytest.raises(WorkbenchError, match="mse"):
        Trainer(document, tmp_path, prepared=prepared).run()


def test_a_data_feed_error_after_the_run_started_marks_it_failed(pipeline, tmp_path):
    from workbench.core.errors import DataError

    prepared = circles_prepared()

    def broken(*args):
        raise DataError("the data file vanished")

    prepared.train.x_for_fit = broken
    with pytest.raises(DataError):
        Trainer(circles_document(1), tmp_path, prepared=prepared).run()
    [record] = RunStore(tmp_path).list_runs()
    assert record.status == "failed" and "vanished" in record.message


def test_best_epoch_follows_val_loss_even_with_early_stopping_on_another_metric(pipeline, tmp_path):
    from workbench.core.training.runs import RunStore

    document = circles_document(6)
    document.training.early_stopping = EarlyStoppingSpec(monitor="val_accuracy", patience=50)
    result = Trainer(document, tmp_path, prepared=circles_prepared()).run()
    assert result.status == "finished"
    val_loss = result.history["val_loss"]
    info = RunStore(tmp_path).open_run(result.run_id).info
    assert info["best_epoch"] == 1 + min(range(len(val_loss)), key=val_loss.__getitem__)

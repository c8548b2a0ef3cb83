"""The baseline's loss: what the run's loss is for a constant predictor (class frequencies, or the mean)."""

from __future__ import annotations

import math

import numpy as np
import pytest
from training_shims import FakePrepared, FakeSplit

from workbench.core.training.trainer import compute_baseline, constant_predictor_loss, describe_result


def prepared_with(train_y, test_y, label_format: str, num_classes: int | None) -> FakePrepared:
    train_y, test_y = np.asarray(train_y), np.asarray(test_y)
    x = np.zeros((len(train_y), 2), dtype="float32")
    tx = np.zeros((len(test_y), 2), dtype="float32")
    names = [f"c{i}" for i in range(num_classes or 0)]
    return FakePrepared(train=FakeSplit(x, train_y), val=None, test=FakeSplit(tx, test_y), input_shape=(2,),
                        num_classes=num_classes, label_format=label_format, class_names=names)


def test_binary_crossentropy_baseline_predicts_the_share_of_class_one():
    # Training: one sample in four is class 1, so the constant sigmoid output is 0.25.
    prepared = prepared_with([0, 0, 0, 1] * 10, [0, 1], "binary", 2)
    baseline = compute_baseline(prepared, loss="binary_crossentropy")
    expected = -(math.log(0.75) + math.log(0.25)) / 2  # 0.837..
    assert baseline["loss"] == pytest.approx(expected, abs=1e-6)
    assert baseline["prior"] == [0.75, 0.25]
    assert baseline["accuracy"] == 0.5 and baseline["majority_class"] == "c0"


def test_sparse_and_categorical_crossentropy_baselines_use_the_class_frequencies():
    # Training frequencies 1/2, 1/4, 1/4; one test sample of each class.
    expected = -(math.log(0.5) + 2 * math.log(0.25)) / 3  # 1.155..
    sparse = prepared_with([0, 0, 1, 2] * 5, [0, 1, 2], "sparse", 3)
    assert compute_baseline(sparse, loss="sparse_categorical_crossentropy")["loss"] == pytest.approx(expected,
                                                                                                      abs=1e-6)
    onehot = np.eye(3)
    categorical = prepared_with(onehot[[0, 0, 1, 2] * 5], onehot[[0, 1, 2]], "categorical", 3)
    assert compute_baseline(categorical, loss="categorical_crossentropy")["loss"] == pytest.approx(expected,
                                                                                                   abs=1e-6)
    # Keras's class names for the same losses work too.
    assert compute_baseline(sparse, loss="SparseCategoricalCrossentropy")["loss"] == pytest.approx(expected,
                                                                                                    abs=1e-6)


def test_a_class_never_seen_in_training_is_clipped_like_keras():
    prepared = prepared_with([0] * 8, [0, 1], "binary", 2)
    baseline = compute_baseline(prepared, loss="binary_crossentropy")
    eps = 1e-7
    assert baseline["loss"] == pytest.approx(-(math.log(1 - eps) + math.log(eps)) / 2, rel=1e-6)  # 8.06


@pytest.mark.parametrize("loss, label_format, train_y, test_y, classes", [
    ("binary_crossentropy", "binary", [0, 1, 1, 1, 0], [1, 0, 1, 1], 2),
    ("sparse_categorical_crossentropy", "sparse", [0, 1, 2, 2, 3, 3, 3], [3, 2, 1, 0, 0], 4),
    ("categorical_crossentropy", "categorical", [0, 1, 2, 2], [2, 1, 0], 3),
    ("mse", "binary", [0, 1, 1, 1, 0], [1, 0, 1, 1], 2),
    ("mae", "categorical", [0, 1, 2, 2], [2, 1, 0], 3),
])
def test_the_baseline_loss_matches_keras_on_constant_predictions(loss, label_format, train_y, test_y, classes):
    from workbench.core.kerasenv import import_keras

    keras = import_keras()
    if label_format == "categorical":
        train_y, test_y = np.eye(classes)[train_y], np.eye(classes)[test_y]
    prepared = prepared_with(train_y, test_y, label_format, classes)
    baseline = compute_baseline(prepared, loss=loss)
    prior = np.array(baseline["prior"], dtype="float32")
    n = len(test_y)
    outputs = np.tile(prior[1:], (n, 1)) if label_format == "binary" else np.tile(prior, (n, 1))
    target = np.asarray(test_y, dtype="float32")
    if label_format == "binary":
        target = target.reshape(n, 1)
    keras_loss = float(keras.ops.mean(keras.losses.get(loss)(target, outputs)))
    assert baseline["loss"] == pytest.approx(keras_loss, rel=1e-5)


def test_regression_baseline_loss_is_the_mean_predictors_mse_or_mae():
    prepared = prepared_with([1.0, 3.0] * 8, [2.0, 4.0], "regression", None)
    assert compute_baseline(prepared, loss="mse")["loss"] == 2.0  # errors 0 and 2
    assert compute_baseline(prepared, loss="mean_absolute_error")["loss"] == 1.0
    assert "loss" not in compute_baseline(prepared, loss="huber")
    assert "loss" not in compute_baseline(prepared)


def test_losses_it_cannot_compute_are_left_out():
    prepared = prepared_with([0, 1, 1], [0, 1], "binary", 2)
    assert "loss" not in compute_baseline(prepared, loss="hinge")
    assert constant_predictor_loss("binary_crossentropy", np.array([0, 1, 2]), np.full(3, 1 / 3), "sparse") is None


def test_cli_line_shows_the_baseline_loss():
    from workbench.core.training.trainer import RunResult

    result = RunResult(run_id="r1", run_dir="/tmp/r1", status="stopped", epochs_completed=1,
                       test_metrics={"loss": 0.5, "accuracy": 0.8},
                       baseline={"kind": "majority class", "accuracy": 0.6, "loss": 0.673})
    line = describe_result(result)
    assert "run r1: stopped" in line and "baseline (majority class) accuracy=0.6000, loss=0.6730" in line

"""Stop: it lands at the next batch boundary, and a stopped run is still evaluated on the test set."""

from __future__ import annotations

import json

import pytest
from training_shims import fake_prepare_data, use_pipeline

from workbench.core.training import trainer as trainer_module
from workbench.core.training.runs import RunStore
from workbench.core.training.trainer import Trainer


def circles_document(epochs: int, batch_size: int):
    from workbench.core.design.templates import load_template

    document = load_template("circles-mlp")
    document.data.source = "synthetic:circles?n=400"
    document.training.epochs = epochs
    document.training.batch_size = batch_size
    return document


def circles_prepared(n: int = 400):
    from workbench.core.document import DataSpec, TrainingSpec

    return fake_prepare_data(DataSpec(source=f"synthetic:circles?n={n}"), TrainingSpec())


@pytest.fixture
def pipeline(monkeypatch):
    use_pipeline(monkeypatch)


class StopAfterBatch:
    """A Stop button pressed while the event of training batch ``k`` (1-based, epoch 1) is handled."""

    def __init__(self, k: int):
        self.k = k
        self.pressed = False
        self.events: list[dict] = []

    def on_event(self, event: dict) -> None:
        self.events.append(event)
        if event["event"] == "batch" and event["epoch"] == 1 and event["batch"] >= self.k:
            self.pressed = True

    def should_stop(self) -> bool:
        return self.pressed


def train_steps_run(runs_root, run_id: str) -> int:
    """Optimizer steps the saved model took: the training batches that really ran."""
    model = RunStore(runs_root).open_run(run_id).load_model()
    return int(model.optimizer.iterations.numpy())


@pytest.mark.parametrize("thread_safe_backend", [False, True], ids=["tensorflow", "async-capable-backend"])
def test_stop_lands_at_the_next_batch_boundary(pipeline, tmp_path, monkeypatch, thread_safe_backend):
    import keras.src.backend as keras_backend

    # Every batch is reported, so the Stop can be pressed at an exact batch.
    monkeypatch.setattr(trainer_module, "BATCH_EVENT_INTERVAL_S", 0.0)
    if thread_safe_backend:
        # Backends other than TensorFlow let Keras run batch-end hooks on a thread pool when every
        # callback says it is async-safe; the trainer's Stop must not depend on the backend.
        monkeypatch.setattr(keras_backend, "IS_THREAD_SAFE", True)
    k = 3
    stop = StopAfterBatch(k)
    # 256 training samples in batches of 4: 64 batches an epoch, 5 epochs.
    result = Trainer(circles_document(5, 4), tmp_path, on_event=stop.on_event, should_stop=stop.should_stop,
                     prepared=circles_prepared()).run()

    assert result.status == "stopped" and result.message.startswith("stopped by the user")
    assert train_steps_run(tmp_path, result.run_id) == k  # not one batch more
    batches = [e["batch"] for e in stop.events if e["event"] == "batch"]
    assert batches == list(range(1, k + 1))
    assert result.epochs_completed == 1
    info = RunStore(tmp_path).open_run(result.run_id).info
    assert info["status"] == "stopped" and info["last_epoch_partial"] is True


def test_a_stopped_run_is_evaluated_on_the_test_set(pipeline, tmp_path, monkeypatch):
    monkeypatch.setattr(trainer_module, "BATCH_EVENT_INTERVAL_S", 0.0)
    stop = StopAfterBatch(2)
    result = Trainer(circles_document(50, 8), tmp_path, on_event=stop.on_event, should_stop=stop.should_stop,
                     prepared=circles_prepared()).run()

    assert result.status == "stopped"
    assert set(result.test_metrics) == {"loss", "accuracy"}
    assert all(isinstance(v, float) for v in result.test_metrics.values())
    assert result.test_coverage is None  # 80 test samples: well within the time allowed
    assert result.baseline["kind"] == "majority class" and result.baseline["loss"] > 0
    assert sum(map(sum, result.confusion["matrix"])) == 80 and len(result.predictions["y_pred"]) == 80

    finished = [e for e in stop.events if e["event"] == "finished"]
    assert len(finished) == 1 and finished[0]["status"] == "stopped"
    assert finished[0]["test_metrics"] == result.test_metrics
    evaluating = [e for e in stop.events if e["event"] == "preparing"]
    assert evaluating and "at most" in evaluating[-1]["text"]

    info = json.loads((tmp_path / result.run_id / "run.json").read_text())
    assert info["status"] == "stopped" and info["test_metrics"] == result.test_metrics
    assert info["baseline"]["loss"] == result.baseline["loss"]
    assert RunStore(tmp_path).open_run(result.run_id).test_predictions()["y_true"]


def test_evaluation_after_a_stop_is_bounded_in_time(pipeline, tmp_path, monkeypatch):
    """The Stop flag stays set, so a slow evaluation after it is cut by time, at a batch boundary."""
    monkeypatch.setattr(trainer_module, "BATCH_EVENT_INTERVAL_S", 0.0)
    monkeypatch.setattr(trainer_module, "STOPPED_EVAL_SECONDS", 0.0)  # as if the test set were huge
    stop = StopAfterBatch(1)
    result = Trainer(circles_document(5, 8), tmp_path, on_event=stop.on_event, should_stop=stop.should_stop,
                     prepared=circles_prepared()).run()

    assert result.status == "stopped"
    assert result.test_coverage == {"samples": 8, "total": 80, "reason": "time"}  # one batch of 8
    assert set(result.test_metrics) == {"loss", "accuracy"}
    assert "first 8 of 80 test samples" in result.message
    assert len(result.predictions["y_true"]) == 8 and result.confusion["samples"] == 8
    info = RunStore(tmp_path).open_run(result.run_id).info
    assert info["test_coverage"] == result.test_coverage and info["test_metrics"] == result.test_metrics


def test_stop_pressed_during_a_finished_runs_evaluation_ends_it_at_the_next_batch(pipeline, tmp_path):
    state = {"pressed": False}

    def on_event(event):
        if event["event"] == "preparing" and "test set" in event.get("text", ""):
            state["pressed"] = True  # Stop pressed just as the test evaluation starts

    document = circles_document(1, 8)
    result = Trainer(document, tmp_path, on_event=on_event, should_stop=lambda: state["pressed"],
                     prepared=circles_prepared()).run()

    assert result.status == "finished" and result.epochs_completed == 1
    assert result.test_coverage == {"samples": 8, "total": 80, "reason": "stop"}
    assert result.test_metrics["loss"] is not None
    assert result.confusion is None  # no predictions pass once Stop has been pressed


def test_ctrl_c_run_is_evaluated_and_reported_by_the_cli(tmp_path, monkeypatch, capsys):
    """`train --json`: Ctrl+C keeps the run as stopped, prints its result line with test metrics."""
    from workbench.cli import main
    from workbench.core.document import save_document

    use_pipeline(monkeypatch)
    path = tmp_path / "circles.kwb.json"
    save_document(circles_document(50, 8), path)
    real_emit = Trainer.emit
    state = {"interrupted": False}

    def emit(self, event, **fields):
        real_emit(self, event, **fields)
        if event == "batch" and not state["interrupted"]:
            state["interrupted"] = True
            raise KeyboardInterrupt  # what Ctrl+C raises in the training loop

    monkeypatch.setattr(Trainer, "emit", emit)
    assert main(["train", str(path), "--runs", str(tmp_path / "runs"), "--json"]) == 130
    captured = capsys.readouterr()
    lines = [json.loads(line) for line in captured.out.splitlines() if line.strip()]
    result = lines[-1]
    assert result["event"] == "result" and result["status"] == "stopped"
    assert "Ctrl+C" in result["message"]
    assert set(result["test_metrics"]) == {"loss", "accuracy"}
    assert result["baseline"]["loss"] > 0
    assert "interrupted" in captured.err
    info = RunStore(tmp_path / "runs").open_run(result["run_id"]).info
    assert info["status"] == "stopped" and info["test_metrics"] == result["test_metrics"]


def test_a_second_ctrl_c_during_the_test_evaluation_still_keeps_the_run(pipeline, tmp_path, monkeypatch):
    real_emit = Trainer.emit

    def emit(self, event, **fields):
        real_emit(self, event, **fields)
        if event == "batch" or (event == "preparing" and "test set" in fields.get("text", "")):
            raise KeyboardInterrupt  # Ctrl+C in training, then again as the evaluation starts

    monkeypatch.setattr(Trainer, "emit", emit)
    trainer = Trainer(circles_document(50, 8), tmp_path, prepared=circles_prepared())
    with pytest.raises(KeyboardInterrupt):
        trainer.run()
    assert trainer.result.status == "stopped" and trainer.result.test_metrics == {}
    assert "test evaluation interrupted" in trainer.result.message
    record = RunStore(tmp_path).open_run(trainer.result.run_id)
    assert record.status == "stopped" and "interrupted" in record.message

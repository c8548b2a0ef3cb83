"""The runs folder: crash-safe records, unreadable folders listed instead of breaking, rename/delete."""

from __future__ import annotations

import json
import os

import pytest

from workbench.core.document import ExperimentDocument
from workbench.core.errors import RunError
from workbench.core.training.runs import RunStore, read_history, runs_root


def make_run(store: RunStore, epochs: int = 2):
    writer = store.create(ExperimentDocument(name="My experiment"))
    for epoch in range(1, epochs + 1):
        writer.append_epoch(epoch, {"loss": 1.0 / epoch, "val_loss": 1.5 / epoch, "accuracy": 0.5 + epoch / 10,
                                    "val_accuracy": 0.4 + epoch / 10}, seconds=0.5)
    return writer


def test_history_is_on_disk_after_each_epoch_and_run_json_tracks_it(tmp_path):
    store = RunStore(tmp_path)
    writer = make_run(store, 2)
    record = store.open_run(writer.run_id)
    assert record.status == "running"  # this process is alive
    assert record.epochs_completed == 2
    assert record.history()["val_loss"] == [1.5, 0.75]
    assert record.best_validation() == ("val_accuracy", pytest.approx(0.6))
    writer.finish("finished", test_metrics={"loss": 0.3, "accuracy": 0.9})
    record = store.open_run(writer.run_id)
    assert record.status == "finished" and record.test_metric() == ("accuracy", 0.9)
    assert record.duration_s == 1.0
    row = record.to_dict()
    assert row["best_val"]["metric"] == "val_accuracy" and row["test"]["value"] == 0.9


def test_a_column_that_appears_later_widens_the_history(tmp_path):
    writer = make_run(RunStore(tmp_path), 1)
    writer.append_epoch(2, {"loss": 0.4, "val_loss": 0.5, "accuracy": 0.7, "val_accuracy": 0.6,
                            "learning_rate": 0.001}, seconds=0.5)
    history = read_history(writer.path / "history.csv")
    assert history["learning_rate"] == [None, 0.001]
    assert history["epoch"] == [1, 2]


def test_torn_last_line_of_a_killed_run_is_ignored(tmp_path):
    writer = make_run(RunStore(tmp_path), 2)
    with open(writer.path / "history.csv", "a") as handle:
        handle.write("3,0.5,0.3")  # killed mid-write
    assert read_history(writer.path / "history.csv")["epoch"] == [1, 2]


def test_running_run_of_a_dead_process_is_listed_as_interrupted(tmp_path):
    writer = make_run(RunStore(tmp_path), 1)
    info = json.loads((writer.path / "run.json").read_text())
    info["pid"] = 2 ** 22 + 12345  # beyond pid_max defaults: no such process
    (writer.path / "run.json").write_text(json.dumps(info))
    assert RunStore(tmp_path).open_run(writer.run_id).status == "interrupted"


@pytest.mark.parametrize("content, why", [
    (b"{not json", "corrupt"),
    (b'{"format": "something-else", "version": 1}', "not a Keras Workbench run"),
    (json.dumps({"format": "keras-workbench.run", "version": 99, "status": "finished"}).encode(), "newer"),
    (b"", "corrupt"),
])
def test_unreadable_run_folders_are_listed_not_fatal(tmp_path, content, why):
    store = RunStore(tmp_path)
    good = make_run(store, 1)
    bad = tmp_path / "20990101-000000-broken"
    bad.mkdir()
    (bad / "run.json").write_bytes(content)
    (tmp_path / "no-run-json").mkdir()
    records = {r.run_id: r for r in store.list_runs()}
    assert records[good.run_id].readable
    assert records[bad.name].status == "unreadable" and why in records[bad.name].message
    assert records["no-run-json"].status == "unreadable"
    with pytest.raises(RunError, match=why):
        store.open_run(bad.name)


def test_rename_delete_and_unknown_runs(tmp_path):
    store = RunStore(tmp_path)
    writer = make_run(store, 1)
    writer.finish("finished")
    assert store.rename(writer.run_id, "  Better name ").name == "Better name"
    with pytest.raises(RunError, match="empty"):
        store.rename(writer.run_id, " ")
    with pytest.raises(RunError, match="no run"):
        store.open_run("nope")
    with pytest.raises(RunError, match="no run"):
        store.delete("../etc")
    store.delete(writer.run_id)
    assert store.list_runs() == []
    assert not os.path.exists(writer.path)


def test_run_without_model_says_so(tmp_path):
    writer = make_run(RunStore(tmp_path), 1)
    with pytest.raises(RunError, match="no saved model"):
        RunStore(tmp_path).open_run(writer.run_id).load_model()


def test_a_run_still_training_cannot_be_renamed_noted_or_deleted(tmp_path):
    store = RunStore(tmp_path)
    writer = make_run(store, 1)  # "running", and its process (this one) is alive
    for action in (lambda: store.rename(writer.run_id, "New name"), lambda: store.set_note(writer.run_id, "hi"),
                   lambda: store.delete(writer.run_id)):
        with pytest.raises(RunError, match="still training.*stop the training first"):
            action()
    writer.append_epoch(2, {"loss": 0.5}, seconds=0.5)  # the trainer's next write
    record = store.open_run(writer.run_id)
    assert record.status == "running" and record.name == "My experiment"
    writer.finish("finished")
    assert store.rename(writer.run_id, "New name").name == "New name"
    assert store.set_note(writer.run_id, "kept").note == "kept"
    store.delete(writer.run_id)
    assert not writer.path.exists()


def test_an_interrupted_run_can_be_renamed_and_deleted(tmp_path):
    writer = make_run(RunStore(tmp_path), 1)
    info = json.loads((writer.path / "run.json").read_text())
    info["pid"] = 2 ** 22 + 12345  # its process is gone
    (writer.path / "run.json").write_text(json.dumps(info))
    store = RunStore(tmp_path)
    assert store.rename(writer.run_id, "Crashed").name == "Crashed"
    store.delete(writer.run_id)
    assert store.list_runs() == []


@pytest.mark.parametrize("run_id", ["..", ".", "", "../data", "runs/..", "/"])
def test_ids_that_reach_outside_the_runs_folder_are_refused(tmp_path, run_id):
    data = tmp_path / "data"
    store = RunStore(data / "runs")
    writer = make_run(store, 1)
    writer.finish("finished")
    (data / "keep.txt").write_text("the user's data")
    for action in (lambda: store.delete(run_id), lambda: store.rename(run_id, "x"),
                   lambda: store.set_note(run_id, "x")):
        with pytest.raises(RunError, match="no run"):
            action()
    assert (data / "keep.txt").exists() and writer.path.is_dir()


def test_runs_root_expands_home_and_defaults_to_the_user_folder(monkeypatch, tmp_path):
    from workbench.core import paths

    monkeypatch.setenv("HOME", str(tmp_path))
    assert runs_root("~/my runs") == tmp_path / "my runs"
    assert runs_root(None) == runs_root("") == paths.runs_dir()

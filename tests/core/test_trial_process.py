"""Sweep trials in recycled child processes: real processes for the happy path and Stop, a scripted
stand-in for the process to check what happens when one dies."""

from __future__ import annotations

import os
import queue
import threading

import pytest

from workbench.core.training import trial_process
from workbench.core.training.sweep import expand_grid, parse_grid, run_sweep
from workbench.core.training.trial_process import run_trials_in_processes


def circles_doc():
    from workbench.core.design.templates import load_template

    doc = load_template("circles-mlp")
    doc.data.source = "synthetic:circles?n=200"
    doc.training.epochs = 1
    return doc


@pytest.mark.slow
def test_trials_run_in_child_processes_replaced_every_n_trials(tmp_path):
    events = []
    outcomes = run_sweep(circles_doc(), "hidden_units=4,8,16", tmp_path, on_event=events.append,
                         trials_per_process=2)
    assert [o.status for o in outcomes] == ["finished"] * 3
    assert [o.trial for o in outcomes] == [1, 2, 3]
    started = [e for e in events if e["event"] == "trial_process_started"]
    assert [(e["first_trial"], e["last_trial"]) for e in started] == [(1, 2), (3, 3)]
    pids = {e["pid"] for e in started}
    assert len(pids) == 2 and os.getpid() not in pids
    # Live events of each trial reach the caller, tagged with their trial.
    assert {e["trial"] for e in events if e["event"] == "epoch_ended"} == {1, 2, 3}
    assert all((tmp_path / o.run_id / "run.json").is_file() for o in outcomes)
    assert events[-1]["event"] == "sweep_finished" and not events[-1]["stopped"]


@pytest.mark.slow
def test_stop_reaches_the_trial_in_its_process_and_keeps_it_as_stopped(tmp_path):
    doc = circles_doc()
    doc.training.epochs = 50
    doc.training.batch_size = 8
    events = []
    stop = threading.Event()

    def on_event(event):
        events.append(event)
        if event["event"] == "epoch_ended":
            stop.set()

    outcomes = run_sweep(doc, "hidden_units=4,8", tmp_path, on_event=on_event, should_stop=stop.is_set)
    assert [o.status for o in outcomes] == ["stopped"]
    assert 1 <= outcomes[0].epochs_completed < 50
    assert events[-1]["event"] == "sweep_finished" and events[-1]["stopped"]


class _ScriptedProcess:
    """Runs the (patched) child entry point on a thread; ``die_after`` trials, then it 'crashes'."""

    count = 0

    def __init__(self, target, name, args, daemon):
        self.target, self.args = target, args
        self.pid = 1000 + _ScriptedProcess.count
        _ScriptedProcess.count += 1
        self.exitcode = None
        self._thread = threading.Thread(target=self._run)

    def _run(self):
        self.exitcode = self.target(*self.args, pid=self.pid)

    def start(self):
        self._thread.start()

    def is_alive(self):
        return self._thread.is_alive()

    def join(self, timeout=None):
        self._thread.join(timeout)

    def terminate(self):
        pass


class _ScriptedContext:
    Event = threading.Event
    Process = _ScriptedProcess

    @staticmethod
    def Queue():
        q = queue.Queue()
        q.close = lambda: None
        return q


def _trials(n):
    return expand_grid(circles_doc(), parse_grid("hidden_units=" + ",".join(str(4 * (i + 1)) for i in range(n))))


def _use_scripted_processes(monkeypatch, child) -> None:
    """Trial processes become threads running ``child`` (same arguments as ``_child_main``, plus pid)."""
    monkeypatch.setattr(trial_process.multiprocessing, "get_context", lambda method: _ScriptedContext)
    monkeypatch.setattr(trial_process, "_child_main", child)


def _finish(events, trial, total):
    """What a trial process sends when a trial ends."""
    events.put(("event", {"event": "trial_ended", "trial": trial.index, "trials": total,
                          "params": trial.params, "run_id": f"run{trial.index}", "status": "finished"}))


def test_a_dead_trial_process_fails_its_trial_and_the_sweep_goes_on(monkeypatch, tmp_path):
    _ScriptedProcess.count = 0

    def child(trials, total, runs_root, events, stop_event, parent_pid, pid):
        for trial in trials:
            if trial.index == 2:
                return -9  # killed in the middle of trial 2, nothing more is sent
            _finish(events, trial, total)
        events.put(("done", None))
        return 0

    _use_scripted_processes(monkeypatch, child)
    events = []
    outcomes, interrupted = run_trials_in_processes(_trials(4), tmp_path, events.append, lambda: False,
                                                    free_memory=True, per_process=3)
    assert not interrupted
    assert [(o.trial, o.status) for o in outcomes] == [(1, "finished"), (2, "failed"), (3, "finished"),
                                                       (4, "finished")]
    assert "ended unexpectedly (exit code -9)" in outcomes[1].message
    # Trial 3 (left over from the dead process) and trial 4 ran in a new process.
    assert [(e["first_trial"], e["last_trial"]) for e in events if e["event"] == "trial_process_started"] == \
        [(1, 3), (3, 4)]


def test_a_process_that_cannot_start_falls_back_to_this_process(monkeypatch, tmp_path):
    _use_scripted_processes(monkeypatch, lambda *args, pid: 1)
    ran = []

    def fake_run_trials(trials, total, runs_root, emit, stop, free_memory):
        ran.extend(t.index for t in trials)
        return [], False

    monkeypatch.setattr(trial_process, "run_trials", fake_run_trials)
    events = []
    run_trials_in_processes(_trials(3), tmp_path, events.append, lambda: False, free_memory=False, per_process=2)
    assert ran == [1, 2, 3]
    assert len([e for e in events if e["event"] == "trial_process_started"]) == trial_process._START_ATTEMPTS
    notice = [e for e in events if e["event"] == "notice"]
    assert notice and "before its first trial" in notice[0]["message"]


def test_a_process_that_fails_to_start_once_is_started_again(monkeypatch, tmp_path):
    attempts = []

    def child(trials, total, runs_root, events, stop_event, parent_pid, pid):
        attempts.append([t.index for t in trials])
        if len(attempts) == 2:
            return 1  # the second process dies before saying anything
        for trial in trials:
            _finish(events, trial, total)
        events.put(("done", None))
        return 0

    _use_scripted_processes(monkeypatch, child)
    events = []
    outcomes, _ = run_trials_in_processes(_trials(4), tmp_path, events.append, lambda: False,
                                          free_memory=True, per_process=2)
    assert attempts == [[1, 2], [3, 4], [3, 4]]
    assert [(o.trial, o.status) for o in outcomes] == [(t, "finished") for t in (1, 2, 3, 4)]
    assert not [e for e in events if e["event"] == "notice"]

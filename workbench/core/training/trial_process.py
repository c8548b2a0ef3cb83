"""Sweep trials in child processes, replaced every few trials, with their events relayed live.

TensorFlow keeps every graph it traces until the process ends (tensorflow#61791), so a long
sweep in one process grows by megabytes per trial whatever Keras frees. A child process that
exits after ``per_process`` trials gives all of it back. The child is started with "spawn" (a
fork of a process that has TensorFlow's threads running is unsafe) and never imports Qt.
"""

from __future__ import annotations

import multiprocessing
import os
import queue as queue_module
import signal
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from workbench.core.training.sweep import SweepTrial, TrialOutcome, run_trials

# How often the parent looks at its own stop flag while waiting for the child's next event.
_POLL_S = 0.1
# After a stop, how long a child may take to end its current trial before it is terminated.
_STOP_GRACE_S = 60.0
# A process that dies before its first event is started again, this many times in all, before
# the trials fall back to the caller's process.
_START_ATTEMPTS = 3


def _child_main(trials: list[SweepTrial], total: int, runs_root: str, events: Any, stop_event: Any,
                parent_pid: int) -> None:
    """Entry point of a trial process: train ``trials`` and put every event on ``events``."""
    # Ctrl+C reaches the whole process group; the parent turns it into a stop, so the trial in
    # progress ends as "stopped" and keeps what it learned instead of dying mid-epoch.
    signal.signal(signal.SIGINT, signal.SIG_IGN)

    def should_stop() -> bool:
        # An orphan (the app was killed) stops too, instead of training on for nobody.
        return stop_event.is_set() or os.getppid() != parent_pid

    try:
        run_trials(trials, total, Path(runs_root), lambda event: events.put(("event", event)),
                   should_stop, free_memory=True)  # no Qt objects here to collect by mistake
    except BaseException as exc:  # noqa: BLE001 - the parent must learn why, whatever it was
        events.put(("crashed", f"{type(exc).__name__}: {exc}"))
    else:
        events.put(("done", None))


def run_trials_in_processes(trials: list[SweepTrial], runs_root, emit: Callable[[dict[str, Any]], None],
                            stop: Callable[[], bool], free_memory: bool,
                            per_process: int) -> tuple[list[TrialOutcome], bool]:
    """Like :func:`run_trials`, but ``per_process`` trials per child process; (outcomes, interrupted).

    ``free_memory`` applies only if the trials fall back to this process (see :func:`run_trials`).
    """
    context = multiprocessing.get_context("spawn")
    stop_event = context.Event()
    outcomes: list[TrialOutcome] = []
    interrupted = False
    total = len(trials)
    pending = list(trials)
    failed_starts = 0
    while pending and not (stop() or stop_event.is_set()):
        chunk, pending = pending[:per_process], pending[per_process:]
        ended, problem, heard, was_interrupted = _run_chunk(context, chunk, total, runs_root, emit, stop,
                                                            stop_event, outcomes)
        interrupted = interrupted or was_interrupted
        if problem and not heard and not stop_event.is_set():
            failed_starts += 1
            if failed_starts < _START_ATTEMPTS:
                pending = chunk + pending
                continue
            # Processes cannot start here (a frozen app without freeze_support, a sandbox that
            # forbids them): the sweep still runs, only without the memory guarantee.
            emit({"event": "notice", "message": f"The trial process {problem} before its first trial "
                                                f"({failed_starts} times in a row); the remaining trials run "
                                                "in this process."})
            more, was_interrupted = run_trials(chunk + pending, total, runs_root, emit, stop, free_memory)
            outcomes.extend(more)
            interrupted = interrupted or was_interrupted
            break
        failed_starts = 0
        if problem and not stop_event.is_set():
            # The trial in progress is lost with its process (a native crash, or memory ran out);
            # the sweep goes on with the rest of the chunk in a fresh process.
            unfinished = [t for t in chunk if t.index not in ended]
            if unfinished:
                lost = unfinished[0]
                outcome = TrialOutcome(lost.index, total, lost.params, None, "failed",
                                       f"The trial's process {problem}. Its run may be incomplete; "
                                       "train this design alone to see the error.")
                outcomes.append(outcome)
                emit({"event": "trial_ended", **outcome.to_dict()})
                pending = unfinished[1:] + pending
    outcomes.sort(key=lambda o: o.trial)
    return outcomes, interrupted


def _run_chunk(context, chunk: list[SweepTrial], total: int, runs_root, emit, stop, stop_event,
               outcomes: list[TrialOutcome]) -> tuple[set[int], str, bool, bool]:
    """One child process over ``chunk``; (trials that ended, what went wrong or "", heard from it, interrupted)."""
    events = context.Queue()
    process = context.Process(target=_child_main, name="workbench-sweep-trials",
                              args=(chunk, total, str(runs_root), events, stop_event, os.getpid()),
                              daemon=True)
    process.start()
    emit({"event": "trial_process_started", "pid": process.pid, "first_trial": chunk[0].index,
          "last_trial": chunk[-1].index, "trials": total})
    ended: set[int] = set()
    problem = ""
    heard = interrupted = False
    stop_asked_at: float | None = None
    try:
        while True:
            try:
                if stop() and not stop_event.is_set():
                    stop_event.set()
                kind, payload = events.get(timeout=_POLL_S)
            except KeyboardInterrupt:
                interrupted = True
                stop_event.set()
                continue
            except queue_module.Empty:
                if stop_event.is_set():
                    stop_asked_at = stop_asked_at or time.monotonic()
                    if time.monotonic() - stop_asked_at > _STOP_GRACE_S:
                        problem = f"did not stop within {_STOP_GRACE_S:.0f} s and was ended"
                        break
                if not process.is_alive():
                    problem = f"ended unexpectedly (exit code {process.exitcode})"
                    break
                continue
            heard = True
            if kind == "event":
                if payload.get("event") == "trial_ended":
                    outcome = TrialOutcome.from_dict(payload)
                    outcomes.append(outcome)
                    ended.add(outcome.trial)
                emit(payload)
            elif kind == "crashed":
                problem = f"failed: {payload}"
                break
            else:
                break
    finally:
        process.join(timeout=10)
        if process.is_alive():
            process.terminate()
            process.join(timeout=5)
        events.close()
    return ended, problem, heard, interrupted

"""RSS growth over a 36-trial sweep: does each trial give its memory back?

The trainer's sweep code (``workbench.core.training.sweep.run_sweep``, what ``keras-workbench
sweep`` and the Train panel run) trains the ``circles-mlp`` template on ``synthetic:circles`` over
a 3 × 4 × 3 grid (activation × hidden_units × learning_rate). Trials run in child processes that
are replaced every few trials, so the memory counted is this process plus its trial process,
sampled every 20 ms: for each trial, the peak of that sum while it ran. Goal: the peak during
trial 36 minus the peak during trial 1 ≤ 100 MB, and no trial in between more than 100 MB above
trial 1 either. The default runs 36 trials of 1 epoch, ``--full`` 36 of 2 epochs, ``--smoke`` 2.

For reference (not a goal), a child process repeats the same models with plain Keras — build,
``fit``, ``del``, ``keras.backend.clear_session()``, ``gc.collect()`` — to show how much of
the growth Keras/TensorFlow themselves keep per model.
"""

from __future__ import annotations

import argparse
import gc
import threading

import common
import numpy as np

GOAL_MB = 100.0
GRIDS = {
    "smoke": "activation=relu,tanh",
    "default": "activation=relu,tanh,sigmoid;hidden_units=8,16,32,64;learning_rate=0.001,0.01,0.1",
    "full": "activation=relu,tanh,sigmoid;hidden_units=8,16,32,64;learning_rate=0.001,0.01,0.1",
}


def plain_keras_growth(trials: int, epochs: int) -> dict:
    """RSS after each of ``trials`` plain Keras build/fit/clear_session cycles (child process)."""
    from workbench.core.kerasenv import import_keras

    keras = import_keras()
    rng = np.random.default_rng(0)
    x = rng.normal(size=(320, 2)).astype("float32")
    y = (rng.random(320) > 0.5).astype("float32")
    activations, units, rates = ["relu", "tanh", "sigmoid"], [8, 16, 32, 64], [0.001, 0.01, 0.1]
    combos = [(a, u, r) for a in activations for u in units for r in rates][:trials]
    rss = []
    for activation, width, rate in combos:
        model = keras.Sequential([keras.Input((2,)), keras.layers.Dense(width, activation=activation),
                                  keras.layers.Dense(width, activation=activation),
                                  keras.layers.Dense(1, activation="sigmoid")])
        model.compile(optimizer=keras.optimizers.Adam(rate), loss="binary_crossentropy", metrics=["accuracy"])
        model.fit(x, y, epochs=epochs, batch_size=32, validation_split=0.2, verbose=0)
        del model
        keras.backend.clear_session()
        gc.collect()
        rss.append(common.rss_mb())
    return {"rss_after_trial_mb": rss, "growth_mb": rss[-1] - rss[0]}


class MemorySampler:
    """Samples this process's RSS plus the current trial process's, keeping the peak per trial."""

    def __init__(self, interval_s: float = 0.02):
        self.interval_s = interval_s
        self.child_pid: int | None = None
        self._peak = 0.0
        self._lock = threading.Lock()
        self._done = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)

    def _total(self) -> float:
        total = common.rss_mb() or 0.0
        if self.child_pid is not None:
            total += common.rss_mb(self.child_pid) or 0.0
        return total

    def _run(self) -> None:
        while not self._done.wait(self.interval_s):
            total = self._total()
            with self._lock:
                self._peak = max(self._peak, total)

    def start(self) -> None:
        self._thread.start()

    def trial_peak(self) -> float:
        """The peak since the previous call (the trial that just ended), then start over."""
        total = self._total()
        with self._lock:
            peak, self._peak = max(self._peak, total), 0.0
        return peak

    def stop(self) -> None:
        self._done.set()
        self._thread.join()


def main() -> None:
    def configure(parser: argparse.ArgumentParser) -> None:
        parser.add_argument("--plain-keras", type=int, metavar="N", help=argparse.SUPPRESS)
        parser.add_argument("--epochs", type=int, default=1, help=argparse.SUPPRESS)

    args = common.parse_args(__doc__.splitlines()[0], configure)
    if args.plain_keras:  # child process
        common.report_child(plain_keras_growth(args.plain_keras, args.epochs))
        return
    common.require("sweep_memory", "workbench.core.training.sweep", "workbench.core.data.prepare")
    grid = GRIDS[args.mode]
    epochs = 2 if args.mode == "full" else 1
    with common.temp_dir("sweep") as home:
        common.isolate_user_dirs(home)
        from workbench.core.design.templates import load_template
        from workbench.core.training.sweep import TRIALS_PER_PROCESS, run_sweep

        document = load_template("circles-mlp")
        document.data.options["n"] = 400  # the generator's default size, said explicitly
        peaks: list[float] = []
        statuses: list[str] = []
        processes: list[int] = []
        notices: list[str] = []
        sampler = MemorySampler()
        start_rss = common.rss_mb()

        def on_event(event: dict) -> None:
            if event.get("event") == "trial_process_started":
                sampler.child_pid = event["pid"]
                processes.append(event["pid"])
            elif event.get("event") == "trial_ended":
                peaks.append(sampler.trial_peak())
                statuses.append(event.get("status", "?"))
            elif event.get("event") == "notice":
                notices.append(event["message"])

        sampler.start()
        with common.stopwatch() as elapsed:
            run_sweep(document, grid, home / "runs", epochs=epochs, on_event=on_event)
        sampler.stop()
        trials = len(peaks)
        # Inside the temp dir: the child inherits KERAS_HOME, where Keras writes keras.json.
        reference = None if args.mode == "smoke" else common.child_result(
            __file__, ["--plain-keras", str(trials), "--epochs", str(epochs)], env=common.bench_env())
    if trials < 2:
        common.fail("sweep_memory", f"only {trials} trial(s) finished; statuses: {statuses}")
    growth = peaks[-1] - peaks[0]
    worst = max(peaks) - peaks[0]
    notes = [(f"{trials} trials of circles-mlp on synthetic:circles (400 points), {epochs} epoch(s) each; "
             f"grid {grid!r}; {elapsed():.0f} s in all"),
             f"statuses: {', '.join(sorted(set(statuses)))}",
             (f"{len(processes)} trial processes ({TRIALS_PER_PROCESS} trials each at most); memory = this "
              f"process + the trial process, peak per trial: first {peaks[0]:.0f} MB, last {peaks[-1]:.0f} MB, "
              f"highest {max(peaks):.0f} MB (trial {peaks.index(max(peaks)) + 1})"),
             f"this process before the sweep: {start_rss:.0f} MB"] + [f"notice: {n}" for n in notices]
    common.emit(
        "sweep_memory", args,
        target="36-trial sweep",
        goal=f"RSS growth ≤ {GOAL_MB:g} MB from trial 1 to trial 36",
        measured={"growth_mb": growth, "worst_growth_mb": worst, "trials": trials,
                  "peak_mb_per_trial": peaks, "rss_before_sweep_mb": start_rss,
                  "trial_processes": len(processes), "seconds": elapsed()},
        baseline={"plain_keras": reference},
        measured_text=f"{growth:+.0f} MB over {trials} trials (worst trial {worst:+.0f} MB)",
        baseline_text=(f"plain Keras in one process, same {trials} models: {reference['growth_mb']:+.0f} MB "
                       "(reference)" if reference else "—"),
        ratio=None,
        checks=[common.check("growth_mb", growth, GOAL_MB, unit=" MB"),
                common.check("worst_growth_mb", worst, GOAL_MB, unit=" MB")],
        notes=notes,
    )


if __name__ == "__main__":
    main()

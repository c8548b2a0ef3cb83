"""RSS growth over a 36-trial sweep: does each trial give its memory back?

The trainer's sweep code (``workbench.core.training.sweep.run_sweep``, what ``keras-workbench
sweep`` and the Train panel run) trains the ``circles-mlp`` template on ``synthetic:circles`` over
a 3 × 4 × 3 grid (activation × hidden_units × learning_rate). The RSS of the process is read when
each trial ends. Goal: RSS after trial 36 minus RSS after trial 1 ≤ 100 MB. ``--full`` runs all 36
trials of 2 epochs; the default runs 24 trials of 1 epoch (3 × 4 × 2) and extrapolates the growth
per trial linearly to 36 (the growth is per model built, not per epoch); ``--smoke`` runs 2.

For reference (not a goal), a child process repeats the same models with plain Keras — build,
``fit``, ``del``, ``keras.backend.clear_session()``, ``gc.collect()`` — to show how much of
the growth Keras/TensorFlow themselves keep per model.
"""

from __future__ import annotations

import argparse
import gc

import common
import numpy as np

GOAL_MB = 100.0
GRIDS = {
    "smoke": "activation=relu,tanh",
    "default": "activation=relu,tanh,sigmoid;hidden_units=8,16,32,64;learning_rate=0.001,0.01",
    "full": "activation=relu,tanh,sigmoid;hidden_units=8,16,32,64;learning_rate=0.001,0.01,0.1",
}
FULL_TRIALS = 36


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
        from workbench.core.training.sweep import run_sweep

        document = load_template("circles-mlp")
        document.data.options["n"] = 400  # the generator's default size, said explicitly
        rss: list[float] = []
        statuses: list[str] = []
        start_rss = common.rss_mb()

        def on_event(event: dict) -> None:
            if event.get("event") == "trial_ended":
                rss.append(common.rss_mb())
                statuses.append(event.get("status", "?"))

        with common.stopwatch() as elapsed:
            run_sweep(document, grid, home / "runs", epochs=epochs, on_event=on_event)
        trials = len(rss)
        # Inside the temp dir: the child inherits KERAS_HOME, where Keras writes keras.json.
        reference = None if args.mode == "smoke" else common.child_result(
            __file__, ["--plain-keras", str(trials), "--epochs", str(epochs)], env=common.bench_env())
    if trials < 2:
        common.fail("sweep_memory", f"only {trials} trial(s) finished; statuses: {statuses}")
    growth = rss[-1] - rss[0]
    per_trial = growth / (trials - 1)
    at_36 = growth if trials >= FULL_TRIALS else per_trial * (FULL_TRIALS - 1)
    notes = [(f"{trials} trials of circles-mlp on synthetic:circles (400 points), {epochs} epoch(s) each; "
             f"grid {grid!r}; {elapsed():.0f} s in all"),
             f"statuses: {', '.join(sorted(set(statuses)))}"]
    if trials < FULL_TRIALS:
        notes.append(f"fewer than {FULL_TRIALS} trials: growth to trial 36 extrapolated linearly "
                     f"({per_trial:.2f} MB per trial)")
    common.emit(
        "sweep_memory", args,
        target="36-trial sweep",
        goal=f"RSS growth ≤ {GOAL_MB:g} MB from trial 1 to trial 36",
        measured={"growth_mb": at_36, "measured_growth_mb": growth, "trials": trials,
                  "rss_after_trial_mb": rss, "rss_before_sweep_mb": start_rss,
                  "mb_per_trial": per_trial, "seconds": elapsed()},
        baseline={"plain_keras": reference},
        measured_text=f"{at_36:+.0f} MB over {max(trials, FULL_TRIALS)} trials"
                      + ("" if trials >= FULL_TRIALS else " (extrapolated)"),
        baseline_text=(f"plain Keras, same {trials} models: {reference['growth_mb']:+.0f} MB (reference)"
                       if reference else "—"),
        ratio=None,
        checks=[common.check("growth_mb", at_36, GOAL_MB, unit=" MB")],
        notes=notes,
    )


if __name__ == "__main__":
    main()

"""Peak RSS of training imdb-dense on 25,000 × 10,000 multi-hot: the workbench vs the book's recipe.

Data: a synthetic ``imdb.npz`` shaped like Keras' (25,000 training reviews of IMDB-like lengths,
word ids below 10,000, stored as object arrays of lists) written into a temporary ``KERAS_HOME``.
Each variant runs in its own subprocess and reports its VmHWM:

- recipe (baseline): the book's code (DLwP ch. 4): ``vectorize_sequences`` into ``np.zeros``
  (float64), then ``fit`` with 10,000 validation samples and batch 512.
- workbench: the ``imdb-dense`` template trained by the workbench's ``Trainer`` on ``keras:imdb``,
  so data goes through ``prepare_data`` and the data-core feeding (multi-hot built per batch),
  with the same 10,000-sample validation, batch size and epochs.

Goal: workbench ≤ 1.0 GB and ≤ 0.35× the recipe.
"""

from __future__ import annotations

import argparse
import time
from pathlib import Path

import common
import generators
import numpy as np

GOAL_MB = 1000.0
GOAL_RATIO = 0.35
VOCAB = 10_000
VALIDATION = 10_000
BATCH = 512


# --------------------------------------------------------------------------- the two variants (children)


def run_recipe(home: Path, epochs: int, validation: int) -> dict:
    """The book's code, verbatim apart from reading the npz ourselves (keras would download it)."""
    with np.load(home / "keras" / "datasets" / "imdb.npz", allow_pickle=True) as data:
        train_data, train_labels = data["x_train"], data["y_train"]

    def vectorize_sequences(sequences, dimension=VOCAB):
        results = np.zeros((len(sequences), dimension))
        for i, sequence in enumerate(sequences):
            for j in sequence:
                results[i, j] = 1.
        return results

    with common.stopwatch() as vectorize_s:
        x_train = vectorize_sequences(train_data)
        y_train = np.asarray(train_labels).astype("float32")
    from workbench.core.kerasenv import import_keras

    keras = import_keras()
    from keras import layers

    model = keras.Sequential([
        layers.Dense(16, activation="relu"),
        layers.Dense(16, activation="relu"),
        layers.Dense(1, activation="sigmoid"),
    ])
    model.compile(optimizer="rmsprop", loss="binary_crossentropy", metrics=["accuracy"])
    x_val = x_train[:validation]
    partial_x_train = x_train[validation:]
    y_val = y_train[:validation]
    partial_y_train = y_train[validation:]
    with common.stopwatch() as fit_s:
        history = model.fit(partial_x_train, partial_y_train, epochs=epochs, batch_size=BATCH,
                            validation_data=(x_val, y_val), verbose=0)
    return {"peak_rss_mb": common.peak_rss_mb(), "vectorize_s": vectorize_s(), "fit_s": fit_s(),
            "samples": len(train_data), "val_accuracy": history.history["val_accuracy"][-1]}


def run_workbench(home: Path, epochs: int, validation: int) -> dict:
    """The imdb-dense template through the workbench's Trainer (prepare_data + data-core feeding)."""
    from workbench.core.design.templates import load_template
    from workbench.core.training.trainer import Trainer

    document = load_template("imdb-dense")
    document.data.source = "keras:imdb"
    document.data.options.update({"num_words": VOCAB, "encoding": "multi_hot"})
    document.training.epochs = epochs
    document.training.batch_size = BATCH
    document.training.validation_split = None
    document.training.validation_count = validation
    feeding: dict = {}

    def on_event(event: dict) -> None:
        if event["event"] == "train_started":
            feeding["samples"] = event.get("samples")
            feeding["steps"] = event.get("steps")

    trainer = Trainer(document, home / "runs", on_event=on_event)
    start = time.perf_counter()
    prepared = trainer.prepare()
    prepare_s = time.perf_counter() - start
    x = prepared.train.x_for_fit(BATCH, True, 0)
    feeding["x_for_fit"] = type(x).__name__
    del x
    with common.stopwatch() as train_s:
        result = trainer.run()
    if result.status != "finished":
        raise RuntimeError(f"workbench training ended {result.status}: {result.message}")
    return {"peak_rss_mb": common.peak_rss_mb(), "prepare_s": prepare_s, "train_s": train_s(),
            "epoch_seconds": result.epoch_seconds, "samples": feeding.get("samples"),
            "feeding": feeding.get("x_for_fit"),
            "val_accuracy": (result.final_metrics or {}).get("val_accuracy")}


def run_floor(home: Path) -> dict:
    """TensorFlow imported and a tiny model fitted: the RSS every Keras process pays."""
    from workbench.core.kerasenv import import_keras

    keras = import_keras()
    model = keras.Sequential([keras.layers.Dense(16, activation="relu"), keras.layers.Dense(1)])
    model.compile(optimizer="rmsprop", loss="mse")
    model.fit(np.zeros((64, 8), "float32"), np.zeros(64, "float32"), epochs=1, verbose=0)
    return {"peak_rss_mb": common.peak_rss_mb()}


VARIANTS = {"recipe": run_recipe, "workbench": run_workbench}


# --------------------------------------------------------------------------- parent


def main() -> None:
    def configure(parser: argparse.ArgumentParser) -> None:
        parser.add_argument("--variant", choices=[*VARIANTS, "floor"], help=argparse.SUPPRESS)
        parser.add_argument("--home", type=Path, help=argparse.SUPPRESS)
        parser.add_argument("--epochs", type=int, help="epochs (default 1; --full 4 like the book)")
        parser.add_argument("--validation", type=int, default=VALIDATION, help=argparse.SUPPRESS)

    args = common.parse_args(__doc__.splitlines()[0], configure)
    epochs = args.epochs or common.pick(args, smoke=1, default=1, full=4)
    if args.variant:  # child process
        common.isolate_user_dirs(args.home)
        if args.variant == "floor":
            common.report_child(run_floor(args.home))
        else:
            common.report_child(VARIANTS[args.variant](args.home, epochs, args.validation))
        return

    common.require("memory_imdb", "workbench.core.training.trainer", "workbench.core.data.prepare")
    n_train = common.pick(args, smoke=1_000, default=25_000, full=25_000)
    validation = common.pick(args, smoke=200, default=VALIDATION, full=VALIDATION)
    n_test = common.pick(args, smoke=200, default=1_000, full=1_000)
    with common.temp_dir("memory") as home:
        env = common.bench_env(home)
        generators.write_imdb_npz(home / "keras", n_train, n_test)
        child = ["--home", str(home), "--epochs", str(epochs), "--validation", str(validation)]
        floor = None if args.mode == "smoke" else common.child_result(
            __file__, ["--variant", "floor", *child], env=env)
        recipe = None if args.mode == "smoke" else common.child_result(
            __file__, ["--variant", "recipe", *child], env=env)
        workbench = common.child_result(__file__, ["--variant", "workbench", *child], env=env)
    measured = workbench["peak_rss_mb"]
    base = recipe["peak_rss_mb"] if recipe else None
    r = common.ratio(measured, base)
    notes = [(f"{n_train:,} training reviews ({validation:,} for validation), {epochs} epoch(s), batch {BATCH}; "
             "synthetic imdb.npz with word ids < 10,000 (so num_words filtering is a no-op)"),
             f"TensorFlow + tiny fit alone peaks at {floor['peak_rss_mb']:.0f} MB in this run" if floor
             else "smoke: the TensorFlow-only floor is skipped",
             (f"workbench x_for_fit gives {workbench.get('feeding')}; the workbench run also evaluates "
             f"{n_test:,} test reviews and saves the model (the recipe does neither)")]
    if args.mode == "smoke":
        notes.append("smoke: the recipe (2 GB float64 array) is skipped")
    common.emit(
        "memory_imdb", args,
        target="peak memory, imdb-dense on 25,000 × 10,000 multi-hot",
        goal=f"≤ {GOAL_MB / 1000:g} GB RSS and ≤ {GOAL_RATIO}× the book's recipe",
        measured={"workbench": workbench, "floor_peak_rss_mb": floor and floor["peak_rss_mb"], "epochs": epochs,
                  "train_reviews": n_train},
        baseline={"recipe": recipe},
        measured_text=f"{measured:.0f} MB peak RSS",
        baseline_text=(f"{base:.0f} MB peak RSS (book recipe)" if base else "skipped (smoke)"),
        ratio=r,
        checks=[common.check("peak_rss_mb", measured, GOAL_MB, unit=" MB"),
                common.check("ratio", r, GOAL_RATIO, unit="×")],
        notes=notes,
    )


if __name__ == "__main__":
    main()

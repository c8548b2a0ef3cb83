"""Loading a 50,000-review text folder: the workbench (first and cached) vs a plain Python loop.

A folder of IMDB-like reviews (aclImdb layout: ``train/{neg,pos}``, ``test/{neg,pos}``, one
.txt per review) is generated in a temp dir. Each measurement runs in its own subprocess and
times only the load (imports excluded), in this order, all reading the same warm page cache:

- baseline: read every file, ``lower().split()``, look each word up in a dict (adding new
  words), keep the id lists — the least a Python program must do to turn text into ids.
- first: ``prepare_data("text-folder:…")`` with the imdb-dense options (multi-hot, 10,000 words,
  20% validation) and an empty processed-data cache — what the user waits for in the Data panel.
- cached: the same call again in a fresh process, now served by the processed-data cache.

Goal: first ≤ 0.5× the baseline; cached ≤ 2 s. Default and ``--full``: 50,000 reviews.
"""

from __future__ import annotations

import argparse
import os
from pathlib import Path

import common
import generators

GOAL_RATIO = 0.5
GOAL_CACHED_S = 2.0
OPTIONS = {"encoding": "multi_hot", "num_words": 10_000}


def baseline_load(folder: Path) -> dict:
    """The plain loop: read, split, dict lookup."""
    with common.stopwatch() as elapsed:
        word_index: dict[str, int] = {}
        sequences: list[list[int]] = []
        labels: list[int] = []
        for split in ("train", "test"):
            for label, name in enumerate(("neg", "pos")):
                directory = folder / split / name
                for entry in sorted(os.listdir(directory)):
                    with open(directory / entry, encoding="utf-8") as handle:
                        words = handle.read().lower().split()
                    ids = []
                    for word in words:
                        index = word_index.get(word)
                        if index is None:
                            index = word_index[word] = len(word_index) + 1
                        ids.append(index)
                    sequences.append(ids)
                    labels.append(label)
    return {"seconds": elapsed(), "reviews": len(sequences), "distinct_words": len(word_index),
            "words": sum(map(len, sequences))}


def workbench_load(folder: Path) -> dict:
    from workbench.core.data.prepare import prepare_data
    from workbench.core.document import DataSpec, TrainingSpec

    spec = DataSpec(source=f"text-folder:{folder}", options=dict(OPTIONS))
    with common.stopwatch() as elapsed:
        prepared = prepare_data(spec, TrainingSpec(validation_split=0.2))
    return {"seconds": elapsed(), "train": len(prepared.train),
            "val": len(prepared.val) if prepared.val is not None else 0,
            "test": len(prepared.test) if prepared.test is not None else 0,
            "input_shape": list(prepared.input_shape), "notes": prepared.notes,
            "tensorflow_imported": "tensorflow" in __import__("sys").modules}


def main() -> None:
    def configure(parser: argparse.ArgumentParser) -> None:
        parser.add_argument("--variant", choices=["baseline", "workbench"], help=argparse.SUPPRESS)
        parser.add_argument("--folder", type=Path, help=argparse.SUPPRESS)
        parser.add_argument("--home", type=Path, help=argparse.SUPPRESS)

    args = common.parse_args(__doc__.splitlines()[0], configure)
    if args.variant:  # child process
        common.isolate_user_dirs(args.home)
        load = baseline_load if args.variant == "baseline" else workbench_load
        common.report_child(load(args.folder))
        return

    common.require("text_folder_load", "workbench.core.data.prepare", "workbench.core.data.text_folder")
    reviews = common.pick(args, smoke=400, default=50_000, full=50_000)
    with common.temp_dir("textfolder") as root:
        folder, home = root / "reviews", root / "home"
        with common.stopwatch() as generate_s:
            generators.write_text_folder(folder, reviews)
        env = common.bench_env(home)
        child = ["--folder", str(folder), "--home", str(home)]
        base = common.child_result(__file__, ["--variant", "baseline", *child], env=env)
        first = common.child_result(__file__, ["--variant", "workbench", *child], env=env)
        cached = common.child_result(__file__, ["--variant", "workbench", *child], env=env)
    r = common.ratio(first["seconds"], base["seconds"])
    notes = [(f"{reviews:,} generated reviews ({base['words']:,} words, {base['distinct_words']:,} distinct "
             f"lower-cased tokens), written in {generate_s():.0f} s; the files are in the page cache for all three"),
             (f"workbench: prepare_data(text-folder, {OPTIONS}, validation 20%) → train {first['train']:,}, "
             f"val {first['val']:,}, test {first['test']:,}, input {first['input_shape']}")]
    if first.get("tensorflow_imported"):
        notes.append("prepare_data imported TensorFlow (it should not need to)")
    if args.mode == "smoke":
        notes.append("smoke: 400 reviews only")
    common.emit(
        "text_folder_load", args,
        target=f"text-folder load of {reviews:,} reviews (first / cached)",
        goal=f"first ≤ {GOAL_RATIO}× the plain loop; cached ≤ {GOAL_CACHED_S:g} s",
        measured={"first_s": first["seconds"], "cached_s": cached["seconds"], "reviews": reviews,
                  "first": first, "cached": cached},
        baseline={"plain_loop_s": base["seconds"], **base},
        measured_text=f"first {first['seconds']:.2f} s / cached {cached['seconds']:.2f} s",
        baseline_text=f"{base['seconds']:.2f} s plain read + split + dict loop",
        ratio=r,
        checks=[common.check("first_ratio", r, GOAL_RATIO, unit="×"),
                common.check("cached_s", cached["seconds"], GOAL_CACHED_S, unit=" s")],
        notes=notes,
    )


if __name__ == "__main__":
    main()

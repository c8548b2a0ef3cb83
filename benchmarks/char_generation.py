"""Character generation speed: the book's loop (``model.predict`` per character) vs the compiled step.

Prints one JSON line with the common keys (``common.emit``): chars/s of both, their ratio (the
speed-up), and the largest difference between the two next-character distributions over every
window the book loop visited. The model is an untrained LSTM(128) over 57 characters with
60-character windows (speed does not depend on training). User folders (``KERAS_HOME`` …) point at
a temp dir, so Keras's ``keras.json`` is not written into the real ``~/.keras``.

    python benchmarks/char_generation.py            # about a minute on 2 cores
    python benchmarks/char_generation.py --full     # more characters through each
    python benchmarks/char_generation.py --smoke    # a few seconds
"""

from __future__ import annotations

import argparse
import os
import sys
import time

import common
import numpy as np

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")

N_CHARS = 57
MAXLEN = 60
GOAL_SPEEDUP = 40.0
MAX_DP = 1e-4


def build_model():
    from workbench.core.kerasenv import import_keras

    keras = import_keras()
    keras.utils.set_random_seed(0)
    model = keras.Sequential([
        keras.Input((MAXLEN, N_CHARS)),
        keras.layers.LSTM(128),
        keras.layers.Dense(N_CHARS, activation="softmax"),
    ])
    model.compile(loss="categorical_crossentropy", optimizer=keras.optimizers.RMSprop(learning_rate=0.01))
    return model


def book_loop(model, chars, seed_text, length, temperature, rng):
    """DLwP's generation loop: one-hot the window, ``model.predict``, sample, shift the window."""
    from workbench.core.generation.sampling import sample_index

    char_index = {c: i for i, c in enumerate(chars)}
    generated = seed_text
    windows, distributions = [], []
    for _ in range(length):
        sampled = np.zeros((1, MAXLEN, len(chars)))
        for t, char in enumerate(generated):
            sampled[0, t, char_index[char]] = 1.0
        preds = model.predict(sampled, verbose=0)[0]
        windows.append(generated)
        distributions.append(preds)
        next_char = chars[sample_index(preds, temperature, rng)]
        generated = generated[1:] + next_char
    return windows, distributions


def main(argv=None) -> int:
    def configure(parser: argparse.ArgumentParser) -> None:
        parser.add_argument("--book-chars", type=int, default=None, help="characters for the book loop")
        parser.add_argument("--fast-chars", type=int, default=None, help="characters for the compiled step")

    args = common.parse_args(__doc__.splitlines()[0], configure, argv)
    common.require("char_generation", "workbench.core.generation.fast", "workbench.core.generation.sampling")
    book_chars = args.book_chars or common.pick(args, smoke=15, default=300, full=1000)
    fast_chars = args.fast_chars or common.pick(args, smoke=200, default=4000, full=12000)
    with common.temp_dir("chargen") as home:
        # Keras writes keras.json into KERAS_HOME on first import: keep it out of the real ~/.keras.
        common.isolate_user_dirs(home)
        figures = measure(book_chars, fast_chars)
    book_speed, fast_speed = figures["book_chars_per_second"], figures["fast_chars_per_second"]
    speedup = fast_speed / book_speed
    dp = figures["max_abs_probability_difference"]
    batched = figures["batched_4_temperatures_chars_per_second"]
    notes = [(f"model: LSTM(128) over {N_CHARS} chars, {MAXLEN}-char windows (untrained; speed does not depend "
              "on training)"),
             (f"{book_chars} characters through the book loop, {fast_chars} through the compiled step; compiling "
              f"the step took {figures['compile_seconds']:.2f} s (not timed)"),
             f"4 temperatures batched: {batched:.0f} chars/s = {batched / book_speed:.1f}× the book loop",
             f"max |Δp| {dp:.2e} over the {figures['windows_compared']} windows the book loop visited"]
    if args.mode == "smoke":
        notes.append(f"smoke: {book_chars} + {fast_chars} characters")
    common.emit(
        "char_generation", args,
        target="character generation, LSTM128 over 57 characters",
        goal=f"≥ {GOAL_SPEEDUP:g}× faster than the book's loop, same distribution (max |Δp| ≤ {MAX_DP:g})",
        measured={**figures, "speedup": speedup, "max_abs_probability_difference_text": f"{dp:.2e}"},
        baseline={"book_chars_per_second": book_speed, "book_chars": book_chars},
        measured_text=f"{fast_speed:.0f} chars/s; max |Δp| {dp:.1e}",
        baseline_text=f"{book_speed:.1f} chars/s (book's `model.predict` loop)",
        ratio=speedup,
        checks=[{"name": "speedup", "value": speedup, "limit": GOAL_SPEEDUP, "ok": speedup >= GOAL_SPEEDUP,
                 "text": f"speed-up {speedup:.1f}× ≥ {GOAL_SPEEDUP:g}×"},
                common.check("max_abs_dp", dp, MAX_DP)],
        notes=notes,
    )
    return 0


def measure(book_chars: int, fast_chars: int) -> dict:
    """Chars/s of the book loop and of the compiled step (single and 4 temperatures), and max |Δp|."""
    from workbench.core.generation.fast import generate_stream, next_char_probabilities
    from workbench.core.generation.sampling import make_rng

    chars = [chr(32 + i) for i in range(N_CHARS)]
    model = build_model()
    seed_text = "".join(np.random.default_rng(1).choice(chars, MAXLEN))
    temperature = 0.5

    book_loop(model, chars, seed_text, 2, temperature, make_rng(0))  # warm up predict's graph
    started = time.perf_counter()
    windows, book_probs = book_loop(model, chars, seed_text, book_chars, temperature, make_rng(0))
    book_speed = book_chars / (time.perf_counter() - started)

    started = time.perf_counter()
    next_char_probabilities(model, chars, seed_text)
    compile_s = time.perf_counter() - started
    started = time.perf_counter()
    produced = sum(1 for _ in generate_stream(model, chars, seed_text, [temperature], fast_chars, 0))
    fast_speed = produced / (time.perf_counter() - started)

    temperatures = [0.2, 0.5, 1.0, 1.2]
    list(generate_stream(model, chars, seed_text, temperatures, 2, 0))  # compile the batch-of-4 shape
    started = time.perf_counter()
    produced = sum(1 for _ in generate_stream(model, chars, seed_text, temperatures, fast_chars // 4, 0))
    batched_speed = produced / (time.perf_counter() - started)

    max_dp = max(float(np.abs(next_char_probabilities(model, chars, w) - p).max())
                 for w, p in zip(windows, book_probs))
    return {
        "book_chars_per_second": round(book_speed, 1),
        "fast_chars_per_second": round(fast_speed, 1),
        "batched_4_temperatures_chars_per_second": round(batched_speed, 1),
        "max_abs_probability_difference": max_dp,
        "windows_compared": len(windows),
        "compile_seconds": round(compile_s, 2),
        "fast_chars": fast_chars,
    }


if __name__ == "__main__":
    sys.exit(main())

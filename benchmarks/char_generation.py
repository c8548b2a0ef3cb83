"""Character generation speed: the book's loop (``model.predict`` per character) vs the compiled step.

Prints one JSON line: chars/s of both, their ratio, and the largest difference between the two
next-character distributions over every window the book loop visited. The model is an untrained
LSTM(128) over 57 characters with 60-character windows (speed does not depend on training).

    python benchmarks/char_generation.py            # about a minute on 2 cores
    python benchmarks/char_generation.py --smoke    # a few seconds
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import time

import numpy as np

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")

N_CHARS = 57
MAXLEN = 60


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
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--smoke", action="store_true", help="quick run with few characters")
    parser.add_argument("--book-chars", type=int, default=None, help="characters for the book loop")
    parser.add_argument("--fast-chars", type=int, default=None, help="characters for the compiled step")
    args = parser.parse_args(argv)
    book_chars = args.book_chars or (15 if args.smoke else 300)
    fast_chars = args.fast_chars or (200 if args.smoke else 4000)

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
    result = {
        "benchmark": "char_generation",
        "model": f"LSTM(128) over {N_CHARS} chars, {MAXLEN}-char windows (untrained)",
        "book_chars_per_second": round(book_speed, 1),
        "fast_chars_per_second": round(fast_speed, 1),
        "ratio": round(fast_speed / book_speed, 1),
        "batched_4_temperatures_chars_per_second": round(batched_speed, 1),
        "batched_ratio": round(batched_speed / book_speed, 1),
        "max_abs_probability_difference": max_dp,
        "windows_compared": len(windows),
        "compile_seconds": round(compile_s, 2),
        "book_chars": book_chars,
        "fast_chars": fast_chars,
        "target_ratio": 40,
    }
    print(json.dumps(result), flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())

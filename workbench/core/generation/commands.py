"""``keras-workbench generate``: text from a character-level run."""

from __future__ import annotations

import sys
import time
from collections.abc import Callable
from typing import Any

import numpy as np

from workbench.core.errors import WorkbenchError
from workbench.core.generation.charrun import load_char_run
from workbench.core.generation.fast import MAX_LENGTH, generate_stream, stepper_for
from workbench.core.generation.sampling import check_temperature


def generate_command(run: str, *, seed: str, temperature: float, length: int, random_seed: int | None,
                     runs: str | None, as_json: bool, emit: Callable[[Any], None]) -> int:
    """Generate ``length`` characters after ``seed``; prints ``{"text", "chars_per_second"}`` with --json.

    Length and temperature are checked before the model is loaded, so a typo answers at once (the
    seed needs the run's characters, so ``generate_stream`` checks it). ``chars_per_second`` is
    measured after the one-off compilation of the generation step.
    """
    check_temperature(temperature)
    if isinstance(length, bool) or not isinstance(length, int) or not 1 <= length <= MAX_LENGTH:
        raise WorkbenchError(f"--length {length}: choose from 1 to {MAX_LENGTH} characters.")
    target = load_char_run(run, runs)
    # Checks the seed against the run's characters; nothing is generated until iterated.
    stream = generate_stream(target.model, target.chars, seed, [temperature], length, random_seed,
                             lowercase=target.lowercase)
    stepper = stepper_for(target.model, len(target.chars))  # cached: the one the stream uses
    stepper.probabilities(np.zeros((1, stepper.maxlen), dtype=np.int32))  # compile once, outside the timing
    started = time.perf_counter()
    pieces: list[str] = []
    for _, char in stream:
        pieces.append(char)
        if not as_json:
            sys.stdout.write(char)
            sys.stdout.flush()
    elapsed = max(time.perf_counter() - started, 1e-9)
    speed = round(len(pieces) / elapsed, 1)
    if as_json:
        emit({"text": "".join(pieces), "chars_per_second": speed})
    else:
        sys.stdout.write("\n")
        print(f"{len(pieces)} characters at {speed} chars/s (temperature {temperature}).", file=sys.stderr)
    return 0

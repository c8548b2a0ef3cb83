"""``keras-workbench generate``: text from a character-level run."""

from __future__ import annotations

import sys
import time
from collections.abc import Callable
from typing import Any

from workbench.core.errors import WorkbenchError
from workbench.core.generation.charrun import load_char_run
from workbench.core.generation.fast import encode_seed, generate_stream, stepper_for
from workbench.core.generation.sampling import check_temperature


def generate_command(run: str, *, seed: str, temperature: float, length: int, random_seed: int | None,
                     runs: str | None, as_json: bool, emit: Callable[[Any], None]) -> int:
    """Generate ``length`` characters after ``seed``; prints ``{"text", "chars_per_second"}`` with --json.

    Input is checked before the model is loaded, so a typo answers at once. ``chars_per_second``
    is measured after the one-off compilation of the generation step.
    """
    check_temperature(temperature)
    if length < 1:
        raise WorkbenchError(f"--length {length}: choose at least 1 character.")
    target = load_char_run(run, runs)
    stepper = stepper_for(target.model, len(target.chars))
    window = encode_seed(seed, target.chars, target.maxlen, lowercase=target.lowercase)
    stepper.probabilities(window[None, :])  # compile once, outside the timing
    started = time.perf_counter()
    pieces: list[str] = []
    for _, char in generate_stream(target.model, target.chars, seed, [temperature], length, random_seed,
                                   lowercase=target.lowercase):
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

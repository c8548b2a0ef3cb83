"""Fast next-character prediction and streaming generation for windowed character models.

The book's loop calls ``model.predict`` on the one-hot 60-character window once per generated
character (about 13 chars/s on 2 cores: ``predict`` builds a dataset and a fresh graph call each
time). Here the same window step — one-hot inside, the unchanged Keras model, softmax out — is
compiled once with ``tf.function(jit_compile=True)`` and a fixed input signature, and several
temperature columns share each call as one batch. Because the model still sees the whole window
from a zero state, the distribution is the windowed model's own (no stateful approximation).
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterator, Mapping, Sequence
from typing import Any

import numpy as np

from workbench.core.errors import WorkbenchError
from workbench.core.generation.sampling import check_temperature, column_rng, sample_index

MAX_LENGTH = 100_000
BATCH_BUCKET = 8


def vocabulary(chars_or_index: Sequence[str] | Mapping[str, int]) -> list[str]:
    """The characters in index order, from a list of characters or a ``char -> index`` dict."""
    if isinstance(chars_or_index, Mapping):
        chars = [""] * len(chars_or_index)
        for char, index in chars_or_index.items():
            if not 0 <= int(index) < len(chars):
                raise WorkbenchError(f"the character index is corrupt: {char!r} has index {index}.")
            chars[int(index)] = char
        return chars
    return list(chars_or_index)


def _describe_chars(chars: Sequence[str]) -> str:
    return ", ".join(repr(c) for c in chars)


class CharStepper:
    """A compiled window → next-character-probabilities step for one Keras model.

    Accepts models whose input is one-hot ``(maxlen, n_chars)`` (the book's) or integer
    indices ``(maxlen,)`` (an Embedding first layer).
    """

    def __init__(self, model: Any, n_chars: int):
        from workbench.core.kerasenv import import_keras

        import_keras()  # pins the backend before TensorFlow is imported
        import tensorflow as tf

        shape = tuple(model.input_shape)
        if len(shape) == 3 and shape[1] is not None and shape[2] == n_chars:
            self.one_hot = True
        elif len(shape) == 2 and shape[1] is not None:
            self.one_hot = False
        else:
            raise WorkbenchError(
                f"this model's input shape {list(shape)} is not a character window: expected "
                f"[null, window, {n_chars}] (one-hot over {n_chars} characters) or [null, window]."
            )
        out = tuple(model.output_shape)
        if out[-1] != n_chars:
            raise WorkbenchError(f"this model predicts {out[-1]} values but the run's vocabulary has "
                                 f"{n_chars} characters; the model and its preprocessing do not match.")
        self.maxlen = int(shape[1])
        self.n_chars = n_chars
        self._lock = threading.Lock()
        one_hot = self.one_hot

        # The fixed signature means one trace; XLA then compiles once per batch size (hence the
        # padding in probabilities()) and fuses the window's LSTM loop into one kernel.
        @tf.function(jit_compile=True, input_signature=[tf.TensorSpec([None, self.maxlen], tf.int32)])
        def step(indices):
            x = tf.one_hot(indices, n_chars, dtype=tf.float32) if one_hot else indices
            return model(x, training=False)

        self._step = step

    def probabilities(self, windows: np.ndarray) -> np.ndarray:
        """``windows``: int array ``(batch, maxlen)`` → float array ``(batch, n_chars)``."""
        windows = np.ascontiguousarray(windows, dtype=np.int32)
        if windows.ndim == 1:
            windows = windows[None, :]
        n = len(windows)
        # XLA compiles once per batch size: pad several columns up to a multiple of 8 so that any
        # number of temperature columns (up to 8) reuses one compiled kernel.
        padded = n if n == 1 else -(-n // BATCH_BUCKET) * BATCH_BUCKET
        if padded != n:
            windows = np.concatenate([windows, np.repeat(windows[-1:], padded - n, axis=0)])
        with self._lock:
            return np.asarray(self._step(windows))[:n]

    def warm_up(self) -> None:
        """Compile the single-window and the several-columns kernels ahead of the first use."""
        self.probabilities(np.zeros((1, self.maxlen), dtype=np.int32))
        self.probabilities(np.zeros((2, self.maxlen), dtype=np.int32))


_steppers_lock = threading.Lock()
_STEPPER_ATTR = "_workbench_char_stepper"


def stepper_for(model: Any, n_chars: int) -> CharStepper:
    """The cached compiled step of ``model`` (compiling once per model, not per generation).

    Kept in the model's own ``__dict__`` (past Keras' attribute tracking): a weak-keyed cache
    would keep every model alive, since the compiled function refers to its model.
    """
    with _steppers_lock:
        stepper = model.__dict__.get(_STEPPER_ATTR)
        if stepper is None or stepper.n_chars != n_chars:
            stepper = CharStepper(model, n_chars)
            model.__dict__[_STEPPER_ATTR] = stepper
        return stepper


def encode_seed(seed_text: str, chars: Sequence[str], maxlen: int, *, lowercase: bool = False) -> np.ndarray:
    """The seed's last ``maxlen`` characters as indices (the model reads one window, as in the book's
    loop); a seed shorter than a window or with unknown characters raises a clear error."""
    if not isinstance(seed_text, str):
        raise WorkbenchError("the seed must be text.")
    text = seed_text.lower() if lowercase else seed_text
    if len(text) < maxlen:
        raise WorkbenchError(
            f"the seed has {len(text)} characters but this model reads windows of {maxlen} characters "
            f"(add {maxlen - len(text)}; a longer seed is fine, the model reads its last {maxlen})."
        )
    text = text[-maxlen:]
    index = {c: i for i, c in enumerate(chars)}
    unknown = sorted({c for c in text if c not in index})
    if unknown:
        raise WorkbenchError(
            f"the seed contains {len(unknown)} character(s) the model never saw in training: "
            f"{_describe_chars(unknown)}; replace them with characters from the corpus."
        )
    return np.array([index[c] for c in text], dtype=np.int32)


def unknown_characters(text: str, chars: Sequence[str], *, lowercase: bool = False) -> list[str]:
    """Characters of ``text`` outside the vocabulary (for inline reports while typing)."""
    known = set(chars)
    text = text.lower() if lowercase else text
    return sorted({c for c in text if c not in known})


def _model_maxlen(model: Any) -> int:
    shape = tuple(model.input_shape)
    if len(shape) < 2 or shape[1] is None:
        raise WorkbenchError(f"this model's input shape {list(shape)} has no fixed window length.")
    return int(shape[1])


def next_char_probabilities(model: Any, chars_or_index: Sequence[str] | Mapping[str, int], seed_text: str,
                            *, lowercase: bool = False) -> np.ndarray:
    """The model's next-character distribution after ``seed_text`` (compiled step)."""
    chars = vocabulary(chars_or_index)
    stepper = stepper_for(model, len(chars))
    window = encode_seed(seed_text, chars, stepper.maxlen, lowercase=lowercase)
    return stepper.probabilities(window[None, :])[0].astype(np.float64)


def windowed_probabilities(model: Any, chars_or_index: Sequence[str] | Mapping[str, int], seed_text: str,
                           *, lowercase: bool = False) -> np.ndarray:
    """The book's reference: a one-hot window through ``model.predict`` (slow; for tests/benchmarks)."""
    chars = vocabulary(chars_or_index)
    maxlen = _model_maxlen(model)
    window = encode_seed(seed_text, chars, maxlen, lowercase=lowercase)
    if len(tuple(model.input_shape)) == 3:
        x = np.zeros((1, maxlen, len(chars)), dtype=np.float32)
        x[0, np.arange(maxlen), window] = 1.0
    else:
        x = window[None, :]
    return np.asarray(model.predict(x, verbose=0))[0].astype(np.float64)


def generate_stream(model: Any, chars_or_index: Sequence[str] | Mapping[str, int], seed_text: str,
                    temperatures: Sequence[float], length: int, rng_seed: int | None = None,
                    should_stop: Callable[[], bool] | None = None, *,
                    lowercase: bool = False) -> Iterator[tuple[int, str]]:
    """Yield ``(temperature_index, char)`` as characters are produced, one round per step.

    Every temperature column advances by one character per compiled call (the columns are one
    batch). Each column draws from its own ``column_rng(rng_seed, temperature)``, so a column's
    text depends only on the seed text, its temperature and ``rng_seed`` — not on the other columns.
    ``should_stop()`` is checked before every step, so a stop request ends the stream at once.
    Validation happens before the first character, so bad input raises before anything streams.
    """
    chars = vocabulary(chars_or_index)
    temps = [check_temperature(t) for t in temperatures]
    if not temps:
        raise WorkbenchError("choose at least one temperature to generate with.")
    if isinstance(length, bool) or not isinstance(length, (int, np.integer)) or not 1 <= length <= MAX_LENGTH:
        raise WorkbenchError(f"length {length} is not allowed; choose from 1 to {MAX_LENGTH} characters.")
    stepper = stepper_for(model, len(chars))
    window = encode_seed(seed_text, chars, stepper.maxlen, lowercase=lowercase)
    return _stream(stepper, chars, window, temps, int(length), rng_seed, should_stop)


def _stream(stepper: CharStepper, chars: list[str], window: np.ndarray, temps: list[float], length: int,
            rng_seed: int | None, should_stop: Callable[[], bool] | None) -> Iterator[tuple[int, str]]:
    windows = np.tile(window, (len(temps), 1))
    rngs = [column_rng(rng_seed, t) for t in temps]
    for _ in range(length):
        if should_stop is not None and should_stop():
            return
        probs = stepper.probabilities(windows)
        windows[:, :-1] = windows[:, 1:]
        for k, temperature in enumerate(temps):
            index = sample_index(probs[k], temperature, rngs[k])
            windows[k, -1] = index
            yield k, chars[index]


def generate_text(model: Any, chars_or_index: Sequence[str] | Mapping[str, int], seed_text: str,
                  temperature: float, length: int, rng_seed: int | None = None, *,
                  lowercase: bool = False) -> str:
    """The generated continuation (without the seed) at one temperature."""
    return "".join(char for _, char in generate_stream(model, chars_or_index, seed_text, [temperature],
                                                       length, rng_seed, lowercase=lowercase))


def sample_columns(model: Any, chars_or_index: Sequence[str] | Mapping[str, int], seed_text: str,
                   temperatures: Sequence[float] = (0.2, 0.5, 1.0, 1.2), length: int = 100,
                   rng_seed: int | None = None, should_stop: Callable[[], bool] | None = None, *,
                   lowercase: bool = False) -> dict[float, str]:
    """The book's end-of-epoch samples: ``{temperature: text}``, all temperatures in one batch."""
    parts: list[list[str]] = [[] for _ in temperatures]
    for column, char in generate_stream(model, chars_or_index, seed_text, temperatures, length, rng_seed,
                                        should_stop, lowercase=lowercase):
        parts[column].append(char)
    texts = ["".join(p) for p in parts]
    return {float(t): text for t, text in zip(temperatures, texts)}

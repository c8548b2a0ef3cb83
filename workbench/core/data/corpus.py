"""``corpus:PATH``: plain text for character models, cut into windows of ``maxlen`` characters
every ``step`` characters; the target is the character after each window (DLwP ch. 8)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np

from workbench.core.data.feeding import Inputs
from workbench.core.data.files import read_source_file
from workbench.core.data.preprocess import Preprocessor
from workbench.core.errors import DataError


def read_corpus(path: Path, lowercase: bool) -> tuple[str, list[str]]:
    notes: list[str] = []
    data = read_source_file(path, "corpus:PATH names one plain-text file")
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError:
        text = data.decode("utf-8", errors="replace")
        notes.append(f"{path.name} is not valid UTF-8; {text.count(chr(0xFFFD))} bad byte sequence(s) "
                     "were replaced with U+FFFD.")
    return (text.lower() if lowercase else text), notes


def one_hot_windows(codes: np.ndarray, starts: np.ndarray, maxlen: int, nchars: int) -> np.ndarray:
    """float32 (len(starts), maxlen, nchars), built for one batch only."""
    out = np.zeros((len(starts), maxlen, nchars), dtype=np.float32)
    positions = starts[:, None] + np.arange(maxlen)[None, :]
    out[np.arange(len(starts))[:, None], np.arange(maxlen)[None, :], codes[positions]] = 1.0
    return out


def prepare_corpus(ctx: Any, training_spec: Any):
    from workbench.core.data.prepare import PreparedData, _limit, _splits, label_setup, validation_positions

    path = Path(ctx.source.location).expanduser()
    opts = ctx.options
    maxlen = opts.int("maxlen", 60, minimum=1, maximum=10_000)
    step = opts.int("step", 3, minimum=1)
    lowercase = opts.bool("lowercase", True)
    text, notes = read_corpus(path, lowercase)
    if len(text) <= maxlen:
        raise DataError(f"{path}: the corpus has {len(text)} characters, but windows of maxlen={maxlen} need "
                        "at least one more; use a longer text or a smaller maxlen.")
    chars = sorted(set(text))
    lookup = {c: i for i, c in enumerate(chars)}
    codes = np.fromiter((lookup[c] for c in text), dtype=np.int32, count=len(text))
    starts = np.arange(0, len(text) - maxlen, step, dtype=np.int64)
    starts = starts[_limit(ctx, len(starts))]
    y = codes[starts + maxlen]
    notes.append(f"{len(text):,} characters, {len(chars)} distinct, {len(starts):,} windows "
                 f"of {maxlen} every {step}.")
    train_pos, val_pos = validation_positions(len(starts), training_spec, ctx.name)
    label_format, num_classes = label_setup(ctx, chars, y[train_pos], default="categorical")
    num_classes = len(chars)
    config = {"chars": chars, "maxlen": maxlen, "step": step, "lowercase": lowercase,
              "input_shape": [maxlen, len(chars)]}
    pre = Preprocessor("corpus", config, {}, chars)

    def fetch(ids: np.ndarray) -> np.ndarray:
        return one_hot_windows(codes, starts[ids], maxlen, len(chars))

    def raw_fn(i: int) -> str:
        return text[int(starts[i]):int(starts[i]) + maxlen]

    inputs = Inputs(np.arange(len(starts)), fetch, raw_fn, batched=True)
    train, val, _ = _splits(ctx, inputs, y, None, None, label_format, num_classes, train_pos, val_pos)
    return PreparedData(train, val, None, pre.input_shape, num_classes, label_format, chars, "corpus", "",
                        pre, notes)

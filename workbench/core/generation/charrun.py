"""A character-level run made ready for generation: model, vocabulary, window, corpus seeds."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from workbench.core.errors import RunError, WorkbenchError
from workbench.core.generation.fast import vocabulary


@dataclass
class CharRun:
    """What generation needs from a run; ``corpus_path`` is None when the corpus is not readable."""

    loaded: Any  # workbench.core.training.prediction.LoadedRun
    chars: list[str]
    maxlen: int
    lowercase: bool
    corpus_path: Path | None

    @property
    def model(self) -> Any:
        return self.loaded.model

    def random_window(self, seed: int | None = None) -> str | None:
        """A random ``maxlen``-character window of the corpus (the book's seed), if readable."""
        text = self.corpus_text()
        if text is None or len(text) <= self.maxlen:
            return None
        known = set(self.chars)
        rng = np.random.default_rng(seed)
        for _ in range(20):
            start = int(rng.integers(0, len(text) - self.maxlen))
            window = text[start:start + self.maxlen]
            if set(window) <= known:
                return window
        return None

    def corpus_text(self, limit: int = 5_000_000) -> str | None:
        if self.corpus_path is None:
            return None
        try:
            with open(self.corpus_path, encoding="utf-8", errors="replace") as handle:
                text = handle.read(limit)
        except OSError:
            return None
        return text.lower() if self.lowercase else text


def _corpus_path(info: dict) -> Path | None:
    source = ((info.get("document") or {}).get("data") or {}).get("source") or ""
    if not source.startswith("corpus:"):
        return None
    try:
        from workbench.core.sources import parse_source

        path = Path(parse_source(source).location).expanduser()
    except WorkbenchError:
        return None
    return path if path.is_file() else None


def char_run(loaded: Any) -> CharRun:
    """Check that ``loaded`` (a LoadedRun) is a character model and gather its vocabulary."""
    from workbench.core.training.prediction import run_label

    pre = loaded.preprocessor
    raw_chars = getattr(pre, "chars", None) or getattr(pre, "char_index", None)
    if loaded.kind != "corpus" or not raw_chars:
        raise RunError(f"{run_label(loaded.record)} is not a character-level model "
                       f"(it was trained on {loaded.kind or 'unknown'} data); generation needs a corpus run.")
    chars = vocabulary(raw_chars)
    shape = tuple(loaded.model.input_shape)
    if len(shape) < 2 or shape[1] is None:
        raise RunError(f"{run_label(loaded.record)}: the model's input {list(shape)} is not a character window.")
    maxlen = int(shape[1])
    saved = getattr(pre, "maxlen", None)
    if saved is not None and int(saved) != maxlen:
        raise RunError(f"{run_label(loaded.record)}: the model reads {maxlen}-character windows but its "
                       f"preprocessing says {saved}; the run's files do not match.")
    return CharRun(loaded=loaded, chars=chars, maxlen=maxlen, lowercase=bool(getattr(pre, "lowercase", False)),
                   corpus_path=_corpus_path(loaded.info))


def load_char_run(run: Any, runs: str | Path | None = None) -> CharRun:
    """Open and load a run by id/folder/record and make it ready for generation."""
    from workbench.core.training.prediction import load_run, open_run

    return char_run(load_run(open_run(run, runs)))

"""Pretrained word vectors in GloVe's text format (``word v1 v2 … vN`` per line), numpy only."""

from __future__ import annotations

import os
from pathlib import Path

import numpy as np

from workbench.core.errors import DesignError


def load_glove_matrix(path: str | os.PathLike[str], word_index: dict[str, int], num_words: int,
                      dim: int) -> tuple[np.ndarray, int]:
    """An ``(num_words, dim)`` embedding matrix and how many word indices got a pretrained vector.

    Row ``i`` holds the vector of the word whose index is ``i`` in ``word_index``; rows of words
    that are missing from the file (and row 0, the padding index) stay zero, as in the book.
    Indices at or above ``num_words`` are skipped because the Embedding has no row for them.
    """
    path = resolve_glove_path(path)
    matrix = np.zeros((num_words, dim), dtype="float32")
    wanted = {word: index for word, index in word_index.items() if 0 < index < num_words}
    found: set[int] = set()
    try:
        with path.open(encoding="utf-8", errors="replace") as handle:
            for line_number, line in enumerate(handle, start=1):
                word, _, rest = line.rstrip("\n").partition(" ")
                if not rest:
                    if line.strip():
                        raise DesignError(f"{path}, line {line_number}: is not GloVe text (expected a word "
                                          "followed by numbers, separated by spaces).")
                    continue
                index = wanted.get(word)
                if index is None and line_number > 1:
                    continue
                try:
                    vector = np.asarray(rest.split(), dtype="float32")
                except ValueError:
                    raise DesignError(f"{path}, line {line_number}: contains something that is not a "
                                      "number; is this really a GloVe vectors file?") from None
                if vector.shape[0] != dim:
                    raise DesignError(f"{path}: has {vector.shape[0]} numbers per word but the Embedding's "
                                      f"output_dim is {dim}; set output_dim to {vector.shape[0]} or choose the "
                                      f"{dim}-dimensional GloVe file.")
                if index is not None:
                    matrix[index] = vector
                    found.add(index)
    except OSError as exc:
        raise DesignError(f"{path}: cannot be read ({exc.strerror}).") from None
    return matrix, len(found)


def resolve_glove_path(path: str | os.PathLike[str]) -> Path:
    """The GloVe file: as given, else (for a bare relative name) in the dataset caches."""
    from workbench.core.paths import dataset_cache_dir, keras_home

    given = Path(path).expanduser()
    candidates = [given]
    if not given.is_absolute():
        candidates += [dataset_cache_dir() / given, keras_home() / "datasets" / given]
    for candidate in candidates:
        if candidate.is_file():
            return candidate
    raise DesignError(f"{given}: GloVe file not found (looked in: {', '.join(str(c) for c in candidates)}); "
                      "set the Embedding's pretrained_path to the text file with the word vectors "
                      "(e.g. glove.6B.100d.txt).")


def coverage_note(found: int, word_index: dict[str, int], num_words: int, path: str) -> str:
    """``GloVe: 8,312 of 9,999 vocabulary words have a pretrained vector (glove.6B.100d.txt).``"""
    total = sum(1 for index in word_index.values() if 0 < index < num_words)
    share = f" ({found / total:.0%})" if total else ""
    return (f"GloVe: {found:,} of {total:,} vocabulary words have a pretrained vector{share} "
            f"({Path(path).name}).")

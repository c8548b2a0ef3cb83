"""What each loader hands to preprocessing: the source's data before any statistics are taken."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from workbench.core.data.ragged import Ragged


@dataclass
class RawText:
    """Texts as sequences of ids into ``dictionary``.

    ``id_mode`` "rank": ids are ranks of a Keras word index (1 = most frequent; ``imdb.npz``);
    "dictionary": ids index ``dictionary`` (built from every file in first-seen order, so the
    vocabulary can still be chosen from the training split alone).
    """

    train: Ragged
    y_train: np.ndarray
    test: Ragged | None
    y_test: np.ndarray | None
    class_names: list[str]
    dictionary: list[str] | None
    id_mode: str
    files_train: list[str] | None = None
    files_test: list[str] | None = None
    word_index_name: str | None = None  # "imdb" / "reuters": the Keras word index in use
    notes: list[str] = field(default_factory=list)


@dataclass
class RawArrays:
    """Images (uint8 N x H x W [x C]), points (float32 N x 2) or regression tables (float32)."""

    x_train: np.ndarray
    y_train: np.ndarray
    x_test: np.ndarray | None
    y_test: np.ndarray | None
    class_names: list[str]
    notes: list[str] = field(default_factory=list)
    feature_names: list[str] | None = None
    files_train: list[str] | None = None
    files_test: list[str] | None = None


@dataclass
class RawTable:
    """A CSV as columns of strings (missing = None), before type detection."""

    header: list[str]
    columns: list[list[str | None]]
    path: Path
    test_columns: list[list[str | None]] | None = None


@dataclass
class RawCorpus:
    text: str
    path: Path
    notes: list[str] = field(default_factory=list)

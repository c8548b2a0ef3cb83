"""The preprocessing a run was trained with, saved beside it (JSON + .npy, never pickle), so
the playground treats new input exactly like training input."""

from __future__ import annotations

import json
import math
from pathlib import Path
from typing import Any

import numpy as np

from workbench.core.data import text as textlib
from workbench.core.data.ragged import Ragged
from workbench.core.errors import DataError
from workbench.core.storage import atomic_write_json

FORMAT = "keras-workbench.preprocessing"
VERSION = 1
BAG_ENCODINGS = ("multi_hot", "count", "tf_idf")
TEXT_ENCODINGS = BAG_ENCODINGS + ("sequence",)


# What a table cell may hold to mean "no value" (compared lower-cased and stripped), in reading,
# encoding and the Data panel's column statistics alike.
MISSING = {"", "na", "n/a", "nan", "null", "none", "?"}


def is_missing(value: Any) -> bool:
    """Whether a table cell holds no value (None, NaN, or one of :data:`MISSING`)."""
    if value is None:
        return True
    if isinstance(value, float):
        return math.isnan(value)
    return isinstance(value, str) and value.strip().lower() in MISSING


class Preprocessor:
    """Everything needed to encode one kind of input: ``kind`` + JSON ``config`` + ``arrays``.

    Text config: encoding, num_words, maxlen, standardize, ngrams, vocabulary (word of index
    i + 4 at position i). Image config: image_shape, flatten. Table config: features, target.
    Corpus config: chars, maxlen, step, lowercase.
    """

    def __init__(self, kind: str, config: dict[str, Any] | None = None, arrays: dict[str, np.ndarray] | None = None,
                 class_names: list[str] | None = None):
        self.kind = kind
        self.config: dict[str, Any] = dict(config or {})
        self.arrays: dict[str, np.ndarray] = dict(arrays or {})
        self.class_names: list[str] = list(class_names or [])
        self._word_index: dict[str, int] | None = None

    # ------------------------------------------------------------------ common

    @property
    def input_shape(self) -> tuple[int, ...]:
        return tuple(self.config["input_shape"])

    def save(self, folder: str | Path) -> None:
        """Write ``preprocessing.json`` (+ one ``.npy`` per array) into ``folder``."""
        folder = Path(folder)
        folder.mkdir(parents=True, exist_ok=True)
        for name, array in self.arrays.items():
            np.save(folder / f"{name}.npy", np.ascontiguousarray(array), allow_pickle=False)
        atomic_write_json(folder / "preprocessing.json", {
            "format": FORMAT, "version": VERSION, "kind": self.kind, "class_names": self.class_names,
            "config": self.config, "arrays": sorted(self.arrays),
        })

    # ------------------------------------------------------------------ text

    @property
    def vocabulary(self) -> list[str]:
        return self.config.get("vocabulary") or []

    @property
    def word_index(self) -> dict[str, int]:
        """word -> index (already offset by the Keras convention)."""
        if self._word_index is None:
            self._word_index = {w: i + textlib.INDEX_FROM + 1 for i, w in enumerate(self.vocabulary)}
        return self._word_index

    def _require_text(self) -> None:
        if self.kind != "text":
            raise DataError(f"this run's data is {self.kind}, not text.")
        if not self.vocabulary:
            raise DataError("this dataset has no word list (for keras:imdb, import imdb_word_index.json), "
                            "so typed text cannot be encoded.")

    def text_to_indices(self, text: str) -> list[int]:
        """Start marker + one index per word (+ bigram indices when ngrams=2), before padding."""
        self._require_text()
        words = textlib.split_words(text, self.config.get("standardize", True))
        index = self.word_index
        tokens = words + (textlib.bigrams(words) if self.config.get("ngrams", 1) == 2 else [])
        return [textlib.START] + [index.get(w, textlib.OOV) for w in tokens]

    def encode_sequences(self, sequences: Ragged) -> np.ndarray:
        """Index sequences -> model input (padded int32 or float32 bag vectors)."""
        encoding = self.config["encoding"]
        if encoding == "sequence":
            return textlib.pad_sequences(sequences, self.config["maxlen"])
        return textlib.bag_matrix(sequences, self.config["num_words"], encoding, self.arrays.get("idf"))

    def encode_texts(self, texts: list[str]) -> np.ndarray:
        """Raw texts through the exact training pipeline."""
        return self.encode_sequences(Ragged.from_lists([self.text_to_indices(t) for t in texts]))

    def tokens(self, text: str) -> list[dict[str, Any]]:
        """Each word of ``text`` with its index, whether it is known and whether maxlen cuts it."""
        self._require_text()
        words = textlib.split_words(text, self.config.get("standardize", True))
        index = self.word_index
        first_kept = 0
        if self.config["encoding"] == "sequence":
            # pad_sequences keeps the last maxlen indices of [start] + words: the start marker
            # goes first, then the earliest words.
            first_kept = max(0, len(words) - self.config["maxlen"])
        result = []
        for i, word in enumerate(words):
            idx = index.get(word, textlib.OOV)
            result.append({"word": word, "index": idx, "in_vocabulary": idx != textlib.OOV,
                           "truncated": i < first_kept})
        return result

    def decode(self, indices) -> list[str]:
        """Words (or [pad]/[start]/[OOV] markers) for model indices."""
        vocab = self.vocabulary
        words = []
        for i in indices:
            i = int(i)
            if i in textlib.MARKERS:
                words.append(textlib.MARKERS[i])
            elif vocab and i - textlib.INDEX_FROM - 1 < len(vocab):
                words.append(vocab[i - textlib.INDEX_FROM - 1])
            else:
                words.append(f"#{i}")
        return words

    # ------------------------------------------------------------------ images

    def encode_images(self, images: np.ndarray) -> np.ndarray:
        """uint8 (or 0-255) images -> float32 in [0, 1] with a channel axis, flattened if chosen."""
        images = np.asarray(images)
        shape = tuple(self.config["image_shape"])
        if images.shape == shape or (shape[-1] == 1 and images.shape == shape[:-1]):
            images = images[None]  # one image
        if shape[-1] == 1 and images.ndim == 3 and images.shape[1:] == shape[:-1]:
            images = images[..., None]
        if images.shape[1:] != shape:
            raise DataError(f"images must be {shape[0]} x {shape[1]} with {shape[2]} channel(s); "
                            f"got shape {images.shape[1:]}.")
        out = images.astype(np.float32)
        if self.config.get("scale", True):
            out *= np.float32(1.0 / 255.0)
        if self.config.get("flatten"):
            out = out.reshape(len(out), -1)
        return out

    # ------------------------------------------------------------------ points / tables

    def encode_points(self, points: np.ndarray) -> np.ndarray:
        return np.asarray(points, dtype=np.float32).reshape(-1, self.input_shape[0])

    def encode_rows(self, rows: list[dict[str, Any]]) -> np.ndarray:
        """Table rows (column name -> value, strings or numbers) -> float32 feature rows."""
        if self.kind != "table":
            raise DataError(f"this run's data is {self.kind}, not a table.")
        features = self.config["features"]
        out = np.zeros((len(rows), self.input_shape[0]), dtype=np.float32)
        for r, row in enumerate(rows):
            col = 0
            for feature in features:
                value = row.get(feature["name"])
                if is_missing(value):
                    value = None
                if feature["type"] == "numeric":
                    try:
                        number = float(value) if value is not None else feature["fill"]
                    except (TypeError, ValueError):
                        raise DataError(f'column "{feature["name"]}": {value!r} is not a number.') from None
                    if not math.isfinite(number):
                        number = feature["fill"]
                    out[r, col] = (number - feature["mean"]) / feature["std"]
                    col += 1
                else:
                    text = str(value).strip() if value is not None else feature["fill"]
                    categories = feature["categories"]
                    if text in categories:
                        out[r, col + categories.index(text)] = 1.0
                    col += len(categories)
        return out

    # ------------------------------------------------------------------ corpus

    @property
    def chars(self) -> list[str]:
        return list(self.config.get("chars", []))

    @property
    def char_index(self) -> dict[str, int]:
        return {c: i for i, c in enumerate(self.chars)}

    @property
    def maxlen(self) -> int:
        return int(self.config.get("maxlen", 0))

    @property
    def step(self) -> int:
        return int(self.config.get("step", 1))

    @property
    def lowercase(self) -> bool:
        return bool(self.config.get("lowercase", False))

    def encode_windows(self, windows: list[str]) -> np.ndarray:
        """Texts -> float32 one-hot (n, maxlen, len(chars)); the last maxlen characters are used,
        unknown characters give an all-zero row."""
        index = self.char_index
        maxlen = self.maxlen
        out = np.zeros((len(windows), maxlen, len(index)), dtype=np.float32)
        for n, window in enumerate(windows):
            if self.lowercase:
                window = window.lower()
            window = window[-maxlen:]
            offset = maxlen - len(window)
            for t, ch in enumerate(window):
                j = index.get(ch)
                if j is not None:
                    out[n, offset + t, j] = 1.0
        return out


def load_preprocessor(folder: str | Path) -> Preprocessor:
    """Read what :meth:`Preprocessor.save` wrote; arrays are loaded with pickling disabled."""
    folder = Path(folder)
    meta_path = folder / "preprocessing.json"
    try:
        meta = json.loads(meta_path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise DataError(f"{meta_path}: no such file; this run has no saved preprocessing.") from None
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise DataError(f"{meta_path}: cannot be read ({exc}).") from None
    if not isinstance(meta, dict) or meta.get("format") != FORMAT:
        raise DataError(f"{meta_path}: is not a Keras Workbench preprocessing file.")
    if not isinstance(meta.get("version"), int) or meta["version"] > VERSION:
        raise DataError(f"{meta_path}: was written by a newer Keras Workbench; update to read it.")
    arrays = {}
    for name in meta.get("arrays", []):
        if not isinstance(name, str) or "/" in name or name.startswith("."):
            raise DataError(f"{meta_path}: bad array name {name!r}.")
        try:
            arrays[name] = np.load(folder / f"{name}.npy", allow_pickle=False)
        except (OSError, ValueError) as exc:
            raise DataError(f"{folder / (name + '.npy')}: cannot be read ({exc}).") from None
    return Preprocessor(meta.get("kind", ""), meta.get("config", {}), arrays, meta.get("class_names", []))

"""An overview of a loaded dataset: labels per sample, counts, lengths, pixel and column statistics,
and sample search — what the Data panel shows, computed without Qt.

``load_dataset`` and ``search_samples`` take a ``task`` (progress, should_stop) as their first
argument, so the panel runs them as :class:`workbench.gui.workers.Worker` functions. They adapt
:func:`workbench.core.data.prepare.prepare_data`; everything they return is plain data.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from workbench.core.data.preprocess import is_missing
from workbench.core.errors import DataError

SPLIT_TITLES = {"train": "Training", "val": "Validation", "test": "Test"}
# Charts are summaries: counting every sample of a 200,000-window corpus would add seconds
# for no visible difference, so lengths and pixels are measured on a seeded sample.
LENGTH_SAMPLE = 3000
PIXEL_SAMPLE = 400
TABLE_STATS_ROWS = 20000
PIXEL_BINS = 32


@dataclass
class ColumnStats:
    """What a learner wants to know about one table column before training on it."""

    name: str
    kind: str  # "number" | "category"
    missing: int
    summary: str  # "mean 29.7 · sd 14.5 · 0.42 … 80" or "3 values · top: male (577)"
    role: str = ""  # "input" | "target" | "not used" (from the fitted preprocessor)

    def to_row(self) -> list[str]:
        return [self.name, f"{self.kind} · {self.role}" if self.role else self.kind, str(self.missing),
                self.summary]


@dataclass
class LoadedData:
    """A prepared dataset and the numbers the panel draws from it."""

    prepared: Any  # workbench.core.data.prepare.PreparedData
    source: str
    kind: str
    class_names: list[str]
    labels: dict[str, np.ndarray]  # split -> class index per sample (-1 = none) or target value
    label_format: str
    maxlen: int | None = None
    class_counts: list[int] = field(default_factory=list)
    lengths: np.ndarray | None = None
    length_unit: str = "words"
    pixel_counts: np.ndarray | None = None
    pixel_edges: np.ndarray | None = None
    column_stats: list[ColumnStats] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)

    @property
    def has_classes(self) -> bool:
        return self.label_format != "regression" and bool(self.class_names)

    def splits(self) -> list[str]:
        """Split names present, in train/val/test order."""
        return [name for name in ("train", "val", "test") if self.split(name) is not None]

    def split(self, name: str) -> Any:
        return getattr(self.prepared, name, None)

    def count(self, split: str) -> int:
        data = self.split(split)
        return len(data) if data is not None else 0

    def raw(self, split: str, index: int) -> Any:
        return self.split(split).raw(int(index))

    def label_of(self, split: str, index: int) -> int | float:
        return self.labels[split][int(index)].item()

    def label_text(self, split: str, index: int) -> str:
        value = self.label_of(split, index)
        if not self.has_classes:
            return format_number(value)
        return self.class_name(int(value))

    def class_name(self, class_index: int) -> str:
        if 0 <= class_index < len(self.class_names):
            name = self.class_names[class_index]
            return repr(name) if self.kind == "corpus" else str(name)
        return str(class_index)

    def encoded(self, split: str, index: int) -> np.ndarray:
        """The model's input for one sample (first axis dropped)."""
        return np.asarray(self.split(split).take(np.asarray([int(index)])))[0]

    def indices_of_class(self, split: str, class_index: int | None) -> np.ndarray:
        labels = self.labels[split]
        if class_index is None or not self.has_classes:
            return np.arange(len(labels))
        return np.flatnonzero(labels == class_index)


# ---------------------------------------------------------------------------- loading


def load_dataset(task: Any, data_spec: Any, training_spec: Any = None) -> LoadedData:
    """Prepare ``data_spec`` with the core (cancellable) and measure what the charts show."""
    from workbench.core.data.prepare import prepare_data

    progress = getattr(task, "progress", None)
    should_stop = getattr(task, "should_stop", None)
    prepared = prepare_data(data_spec, training_spec, progress=progress, should_stop=should_stop)
    if should_stop is not None and should_stop():
        raise DataError("Loading was cancelled.")
    return summarize_prepared(prepared, data_spec)


def summarize_prepared(prepared: Any, data_spec: Any = None) -> LoadedData:
    """Labels per split and chart numbers for a :class:`PreparedData`."""
    label_format = getattr(prepared, "label_format", "sparse") or "sparse"
    class_names = [str(c) if not isinstance(c, str) else c for c in (prepared.class_names or [])]
    kind = prepared.kind
    labels: dict[str, np.ndarray] = {}
    for name in ("train", "val", "test"):
        split = getattr(prepared, name, None)
        if split is not None:
            labels[name] = _label_indices(split, label_format)
    options = dict(getattr(data_spec, "options", None) or {})
    preprocessor = getattr(prepared, "preprocessor", None)
    maxlen = _maxlen(options, preprocessor)
    loaded = LoadedData(
        prepared=prepared, source=str(prepared.source), kind=kind, class_names=class_names,
        labels=labels, label_format=label_format, maxlen=maxlen,
        notes=list(getattr(prepared, "notes", []) or []),
    )
    if loaded.has_classes and "train" in labels:
        train = labels["train"]
        loaded.class_counts = np.bincount(train[train >= 0].astype(int),
                                          minlength=len(class_names)).tolist()
    if kind == "text":
        loaded.lengths = _text_lengths(loaded, preprocessor)
    elif kind == "corpus":
        loaded.lengths, loaded.length_unit = None, "characters"
    elif kind == "image":
        loaded.pixel_counts, loaded.pixel_edges = _pixel_histogram(loaded)
    elif kind in ("table", "points"):
        loaded.column_stats = column_stats(loaded, "train")
        _mark_roles(loaded.column_stats, getattr(preprocessor, "config", None) or {})
    return loaded


def _mark_roles(stats: list[ColumnStats], config: dict) -> None:
    """Say which columns feed the model, which one is predicted and which were dropped."""
    features = {f.get("name") for f in config.get("features", []) if isinstance(f, dict)}
    target = config.get("target")
    if not features:
        return
    for column in stats:
        column.role = "target" if column.name == target else ("input" if column.name in features else "not used")


def _label_indices(split: Any, label_format: str) -> np.ndarray:
    """One value per sample: class index for classification, the target for regression."""
    y = np.asarray(split.y)
    if label_format == "regression":
        return y.reshape(len(y), -1)[:, 0].astype(np.float32)
    if y.ndim == 2 and y.shape[1] > 1:  # one-hot labels
        return np.argmax(y, axis=1).astype(np.int64)
    flat = y.reshape(len(y))
    if flat.dtype.kind == "f":
        return np.rint(flat).astype(np.int64)
    return flat.astype(np.int64)


def _maxlen(options: dict, preprocessor: Any) -> int | None:
    value = options.get("maxlen", getattr(preprocessor, "maxlen", None))
    try:
        return int(value) if value not in (None, "") else None
    except (TypeError, ValueError):
        return None


def _sample_indices(count: int, limit: int, seed: int = 0) -> np.ndarray:
    if count <= limit:
        return np.arange(count)
    return np.sort(np.random.default_rng(seed).choice(count, size=limit, replace=False))


def _text_lengths(loaded: LoadedData, preprocessor: Any) -> np.ndarray | None:
    """Tokens per training sample (the start marker included, as maxlen counts it)."""
    split = loaded.split("train")
    if split is None or not len(split):
        return None
    lengths = split.lengths() if hasattr(split, "lengths") else None
    if lengths is not None:
        return np.asarray(lengths, dtype=np.int32)
    sample = _sample_indices(len(split), LENGTH_SAMPLE)
    return np.asarray([len(str(loaded.raw("train", i)).split()) + 1 for i in sample], dtype=np.int32)


def _pixel_histogram(loaded: LoadedData) -> tuple[np.ndarray | None, np.ndarray | None]:
    split = loaded.split("train")
    if split is None or not len(split):
        return None, None
    x = np.asarray(split.take(_sample_indices(len(split), PIXEL_SAMPLE)), dtype=np.float32)
    high = 1.0 if float(x.max(initial=0.0)) <= 1.0 else float(x.max())
    counts, edges = np.histogram(x.ravel(), bins=PIXEL_BINS, range=(0.0, high))
    return counts, edges


def format_number(value: float) -> str:
    """Readable for a learner: 395,210 and 0.0312, not 3.952e+05."""
    value = float(value)
    if math.isnan(value):
        return "missing"
    if value == int(value) and abs(value) < 1e12:
        return f"{int(value):,}"
    if 0.01 <= abs(value) < 1e6:
        return f"{value:,.4g}" if abs(value) < 1000 else f"{value:,.1f}"
    return f"{value:.4g}"


def row_of(sample: Any) -> dict[str, Any]:
    """A table or point sample as column -> value."""
    if isinstance(sample, dict):
        return sample
    values = np.asarray(sample).ravel()
    return {f"x{i + 1}": v.item() for i, v in enumerate(values)}


def column_stats(loaded: LoadedData, split: str) -> list[ColumnStats]:
    count = loaded.count(split)
    if not count:
        return []
    columns: dict[str, list[Any]] = {}
    for index in range(min(count, TABLE_STATS_ROWS)):
        for key, value in row_of(loaded.raw(split, index)).items():
            columns.setdefault(key, []).append(value)
    return [_one_column(name, values) for name, values in columns.items()]


def _one_column(name: str, values: list[Any]) -> ColumnStats:
    present = [v for v in values if not is_missing(v)]
    missing = len(values) - len(present)
    numbers = []
    for value in present:
        try:
            numbers.append(float(value))
        except (TypeError, ValueError):
            break
    if present and len(numbers) == len(present):
        arr = np.asarray(numbers, dtype=np.float64)
        summary = (f"mean {format_number(round(float(arr.mean()), 4))} · sd {format_number(round(float(arr.std()), 4))}"
                   f" · {format_number(arr.min())} … {format_number(arr.max())}")
        return ColumnStats(name, "number", missing, summary)
    uniques: dict[str, int] = {}
    for value in present:
        uniques[str(value)] = uniques.get(str(value), 0) + 1
    if not uniques:
        return ColumnStats(name, "empty", missing, "no values")
    top, top_count = max(uniques.items(), key=lambda item: item[1])
    return ColumnStats(name, "category", missing, f"{len(uniques)} values · most common: {top} ({top_count})")


# ---------------------------------------------------------------------------- search


def sample_text(loaded: LoadedData, split: str, index: int) -> str:
    """What a search looks into: the text, the row's values, or the label name."""
    sample = loaded.raw(split, index)
    if isinstance(sample, str):
        return sample
    if isinstance(sample, dict):
        return " ".join(str(v) for v in sample.values())
    return loaded.label_text(split, index)


def search_samples(task: Any, loaded: LoadedData, split: str, query: str,
                   candidates: np.ndarray | None = None) -> np.ndarray:
    """Indices (within ``candidates``) whose text contains ``query``, case-insensitive."""
    needle = query.casefold().strip()
    pool = np.arange(loaded.count(split)) if candidates is None else np.asarray(candidates)
    if not needle:
        return pool
    found = []
    total = max(len(pool), 1)
    for position, index in enumerate(pool):
        if position % 500 == 0:
            if task is not None and task.should_stop():
                break
            if task is not None:
                task.progress(position / total, f"Searching {position:,}/{total:,}…")
        if needle in sample_text(loaded, split, int(index)).casefold():
            found.append(int(index))
    return np.asarray(found, dtype=np.int64)

"""Splits of prepared data, and feeding them to ``model.fit`` in batches.

Bag-of-words and one-hot character windows are never materialized for the whole dataset:
``Split.x_for_fit`` returns a ``keras.utils.PyDataset`` that encodes one batch at a time from
compact integer storage (25,000 x 10,000 multi-hot would be 1 GB of float32).
"""

from __future__ import annotations

import math
from collections.abc import Callable
from typing import Any

import numpy as np

# Above this many bytes of encoded float32 input, arrays are fed in batches too.
DENSE_LIMIT_BYTES = 256 * 1024 * 1024


class Inputs:
    """Encoded inputs of some samples: ``ids`` into a source's storage plus how to encode them."""

    def __init__(self, ids: np.ndarray, fetch: Callable[[np.ndarray], np.ndarray],
                 raw: Callable[[int], Any], *, batched: bool = False, sample_bytes: int = 0,
                 indices: Callable[[int], np.ndarray] | None = None,
                 lengths: Callable[[np.ndarray], np.ndarray] | None = None):
        self.ids = np.asarray(ids, dtype=np.int64)
        self.fetch = fetch
        self.raw_fn = raw
        self.indices_fn = indices
        self.lengths_fn = lengths
        self.batched = batched or sample_bytes * len(self.ids) > DENSE_LIMIT_BYTES

    def __len__(self) -> int:
        return len(self.ids)

    def subset(self, positions: np.ndarray) -> Inputs:
        sub = Inputs(self.ids[np.asarray(positions, dtype=np.int64)], self.fetch, self.raw_fn,
                     indices=self.indices_fn, lengths=self.lengths_fn)
        sub.batched = self.batched
        return sub


class Split:
    """One split (train, validation or test) of prepared data.

    ``y`` holds integer class ids (or float32 targets for regression), whatever the label
    format; :meth:`y_for_fit` converts to one-hot when the format is "categorical".
    """

    def __init__(self, name: str, inputs: Inputs, y: np.ndarray, label_format: str, num_classes: int | None):
        if len(inputs) != len(y):
            raise ValueError(f"{name}: {len(inputs)} inputs but {len(y)} labels")
        self.name = name
        self.inputs = inputs
        self.y = y
        self.label_format = label_format
        self.num_classes = num_classes

    def __len__(self) -> int:
        return len(self.inputs)

    @property
    def batched(self) -> bool:
        """Whether :meth:`x_for_fit` returns a PyDataset rather than an array."""
        return self.inputs.batched

    def take(self, indices) -> np.ndarray:
        """Encoded model inputs of the given samples."""
        return self.inputs.fetch(self.inputs.ids[np.asarray(indices, dtype=np.int64)])

    def labels_for(self, indices) -> np.ndarray:
        """Labels of the given samples in the form ``fit`` expects for this label format."""
        y = self.y[np.asarray(indices, dtype=np.int64)]
        if self.label_format == "categorical":
            out = np.zeros((len(y), self.num_classes), dtype=np.float32)
            out[np.arange(len(y)), y] = 1.0
            return out
        return y

    def raw(self, i: int) -> Any:
        """The decoded sample for display: text, uint8 image, row dict, window text, point."""
        return self.inputs.raw_fn(int(self.inputs.ids[i]))

    def indices(self, i: int) -> np.ndarray | None:
        """Text only: the index sequence of sample ``i`` before padding (start marker included)."""
        return None if self.inputs.indices_fn is None else self.inputs.indices_fn(int(self.inputs.ids[i]))

    def lengths(self) -> np.ndarray | None:
        """Text only: number of tokens of each sample (for the length histogram)."""
        return None if self.inputs.lengths_fn is None else self.inputs.lengths_fn(self.inputs.ids)

    def subset(self, positions, name: str | None = None) -> Split:
        positions = np.asarray(positions, dtype=np.int64)
        return Split(name or self.name, self.inputs.subset(positions), self.y[positions],
                     self.label_format, self.num_classes)

    def x_for_fit(self, batch_size: int = 32, shuffle: bool = False, seed: int | None = None):
        """What ``model.fit`` takes as ``x``: an array, or a PyDataset of (x, y) batches."""
        if self.batched:
            return make_batches(self, batch_size, shuffle, seed)
        return self.take(np.arange(len(self)))

    def y_for_fit(self) -> np.ndarray | None:
        """``y`` for ``fit``, or None when :meth:`x_for_fit` yields (x, y) batches."""
        if self.batched:
            return None
        return self.labels_for(np.arange(len(self)))


def make_batches(split: Split, batch_size: int, shuffle: bool, seed: int | None):
    """A ``keras.utils.PyDataset`` over ``split`` (Keras is imported here, not at module load)."""
    from workbench.core.kerasenv import import_keras

    keras = import_keras()

    class SplitBatches(keras.utils.PyDataset):
        """Encodes one batch per ``__getitem__``; reshuffled after each epoch when asked."""

        def __init__(self):
            super().__init__(workers=1, use_multiprocessing=False)
            self.split = split
            self.batch_size = max(1, int(batch_size))
            self.shuffle = shuffle
            self.rng = np.random.default_rng(seed)
            self.order = np.arange(len(split))
            if shuffle:
                self.rng.shuffle(self.order)

        def __len__(self) -> int:
            return math.ceil(len(self.split) / self.batch_size)

        def __getitem__(self, index: int):
            positions = self.order[index * self.batch_size:(index + 1) * self.batch_size]
            return self.split.take(positions), self.split.labels_for(positions)

        def on_epoch_end(self) -> None:
            if self.shuffle:
                self.rng.shuffle(self.order)

    return SplitBatches()

"""Variable-length integer sequences stored as one flat int32 array plus offsets (no Python lists)."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np


@dataclass
class Ragged:
    """``flat[offsets[i]:offsets[i+1]]`` is sequence ``i``."""

    flat: np.ndarray  # int32
    offsets: np.ndarray  # int64, len == n + 1

    @classmethod
    def from_lists(cls, sequences) -> Ragged:
        lengths = np.fromiter((len(s) for s in sequences), dtype=np.int64, count=len(sequences))
        offsets = np.zeros(len(lengths) + 1, dtype=np.int64)
        np.cumsum(lengths, out=offsets[1:])
        flat = np.fromiter((v for s in sequences for v in s), dtype=np.int32, count=int(offsets[-1]))
        return cls(flat, offsets)

    def __len__(self) -> int:
        return len(self.offsets) - 1

    def __getitem__(self, i: int) -> np.ndarray:
        return self.flat[self.offsets[i]:self.offsets[i + 1]]

    def lengths(self) -> np.ndarray:
        return np.diff(self.offsets)

    def select(self, indices: np.ndarray) -> Ragged:
        """A new Ragged holding the given sequences, in that order."""
        indices = np.asarray(indices, dtype=np.int64)
        lengths = self.lengths()[indices]
        offsets = np.zeros(len(indices) + 1, dtype=np.int64)
        np.cumsum(lengths, out=offsets[1:])
        if len(indices) == 0:
            return Ragged(np.zeros(0, np.int32), offsets)
        if 4 * offsets[-1] >= len(self.flat) and len(indices) > 1 and np.all(indices[1:] > indices[:-1]):
            # Most of the data, in order (a training portion): one mask over all elements is ~5x
            # cheaper than the three position arrays below. A batch of a few rows takes the path below.
            keep = np.zeros(len(self), dtype=bool)
            keep[indices] = True
            return Ragged(self.flat[self.offsets[0]:self.offsets[-1]][np.repeat(keep, self.lengths())], offsets)
        starts = self.offsets[indices]
        # Positions of every kept element, built without a Python loop over sequences.
        within = np.arange(offsets[-1], dtype=np.int64) - np.repeat(offsets[:-1], lengths)
        flat = self.flat[np.repeat(starts, lengths) + within]
        return Ragged(flat, offsets)

    def map(self, lookup: np.ndarray) -> Ragged:
        """Replace every value v with lookup[v]."""
        return Ragged(lookup[self.flat].astype(np.int32, copy=False), self.offsets)

    def map_with_start(self, lookup: np.ndarray, start: int, rows_per_step: int = 4096) -> Ragged:
        """``self.map(lookup).with_start(start)`` without their full-size temporaries: a slice of
        sequences at a time, so the scratch arrays stay small and in cache."""
        n = len(self)
        offsets = self.offsets + np.arange(n + 1, dtype=np.int64)
        flat = np.empty(int(offsets[-1]), dtype=np.int32)
        flat[offsets[:-1]] = start
        for first in range(0, n, rows_per_step):
            last = min(first + rows_per_step, n)
            out = flat[offsets[first]:offsets[last]]
            keep = np.ones(len(out), dtype=bool)
            keep[offsets[first:last] - offsets[first]] = False
            out[keep] = lookup[self.flat[self.offsets[first]:self.offsets[last]]]
        return Ragged(flat, offsets)

    def with_start(self, start: int) -> Ragged:
        """Each sequence with ``start`` prepended (the Keras IMDB start marker)."""
        n = len(self)
        lengths = self.lengths() + 1
        offsets = np.zeros(n + 1, dtype=np.int64)
        np.cumsum(lengths, out=offsets[1:])
        flat = np.empty(int(offsets[-1]), dtype=np.int32)
        mask = np.ones(len(flat), dtype=bool)
        mask[offsets[:-1]] = False
        flat[offsets[:-1]] = start
        flat[mask] = self.flat
        return Ragged(flat, offsets)

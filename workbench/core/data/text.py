"""Text standardization and vocabularies, shared by every text source and the playground.

Index convention (Keras ``imdb``): 0 padding, 1 start of text, 2 out of vocabulary, 3 unused,
and the word of rank r (1 = most frequent) has index r + 3, kept only when below ``num_words``.
"""

from __future__ import annotations

import itertools
import re

import numpy as np

from workbench.core.data.ragged import Ragged

PAD, START, OOV, UNUSED = 0, 1, 2, 3
INDEX_FROM = 3
MARKERS = {PAD: "[pad]", START: "[start]", OOV: "[OOV]", UNUSED: "[unused]"}
_COUNT_ROWS = 4096  # sequences per bincount in word_counts (~1 M ids of reviews)

_BREAK = re.compile(r"<br\s*/?>", re.IGNORECASE)
# Keras' punctuation set minus the apostrophe: the IMDB word index keeps words like "don't".
_PUNCTUATION = re.compile(r"[!\"#$%&()*+,\-./:;<=>?@\[\\\]^_`{|}~]")


def standardize(text: str) -> str:
    """Lowercase, ``<br />`` and punctuation to spaces (apostrophes kept)."""
    return _PUNCTUATION.sub(" ", _BREAK.sub(" ", text.lower()))


def split_words(text: str, do_standardize: bool = True) -> list[str]:
    return (standardize(text) if do_standardize else text).split()


def bigrams(words: list[str]) -> list[str]:
    return [f"{a} {b}" for a, b in itertools.pairwise(words)]


def word_counts(ids: Ragged, dictionary_size: int, rows: np.ndarray | None = None) -> np.ndarray:
    """How often each id occurs in ``ids`` (only in sequences ``rows``, ascending, when given).

    Counted a slice of sequences at a time: one bincount over millions of int32 ids would make
    an int64 copy of them all, and allocating that (fresh pages) costs more than the counting.
    """
    counts = np.zeros(dictionary_size, dtype=np.int64)
    lengths = ids.lengths()
    wanted = None
    if rows is not None:
        wanted = np.zeros(len(ids), dtype=bool)
        wanted[rows] = True
    for first in range(0, len(ids), _COUNT_ROWS):
        last = min(first + _COUNT_ROWS, len(ids))
        values = ids.flat[ids.offsets[first]:ids.offsets[last]]
        if wanted is not None:
            values = values[np.repeat(wanted[first:last], lengths[first:last])]
        counts += np.bincount(values, minlength=dictionary_size)[:dictionary_size]
    return counts


def top_ids(ids: Ragged, dictionary_size: int, keep: int, rows: np.ndarray | None = None) -> np.ndarray:
    """Dictionary ids of the ``keep`` most frequent entries in ``ids`` (in sequences ``rows`` when
    given; ties: first seen first)."""
    counts = word_counts(ids, dictionary_size, rows)
    order = np.lexsort((np.arange(dictionary_size), -counts))
    order = order[counts[order] > 0]
    return order[:keep]


def document_frequency(sequences: Ragged, num_words: int) -> np.ndarray:
    """How many sequences contain each index (for TF-IDF)."""
    n = len(sequences)
    rows = np.repeat(np.arange(n, dtype=np.int64), sequences.lengths())
    pairs = np.unique(rows * num_words + sequences.flat.astype(np.int64))
    return np.bincount((pairs % num_words).astype(np.int64), minlength=num_words)


def tf_idf_weights(sequences: Ragged, num_words: int) -> np.ndarray:
    """Keras TextVectorization's idf: log(1 + N / (1 + document frequency)), float32."""
    df = document_frequency(sequences, num_words)
    return np.log1p(len(sequences) / (1.0 + df)).astype(np.float32)


def pad_sequences(sequences: Ragged, maxlen: int) -> np.ndarray:
    """int32 (n, maxlen), padded and truncated at the front, like keras ``pad_sequences``."""
    n = len(sequences)
    out = np.zeros((n, maxlen), dtype=np.int32)
    lengths = sequences.lengths()
    for i in range(n):
        seq = sequences.flat[sequences.offsets[i]:sequences.offsets[i + 1]]
        if lengths[i] >= maxlen:
            out[i] = seq[len(seq) - maxlen:]
        elif lengths[i]:
            out[i, maxlen - lengths[i]:] = seq
    return out


def bag_matrix(sequences: Ragged, num_words: int, mode: str, idf: np.ndarray | None = None) -> np.ndarray:
    """float32 (n, num_words): multi_hot, count or tf_idf of each sequence (one batch at a time)."""
    n = len(sequences)
    out = np.zeros((n, num_words), dtype=np.float32)
    rows = np.repeat(np.arange(n), sequences.lengths())
    cols = sequences.flat
    keep = cols < num_words
    rows, cols = rows[keep], cols[keep]
    if mode == "multi_hot":
        out[rows, cols] = 1.0
    else:
        np.add.at(out, (rows, cols), np.float32(1.0))
        if mode == "tf_idf" and idf is not None:
            out *= idf[None, :]
    return out


def _pairs(seqs: Ragged, size: int) -> tuple[np.ndarray, np.ndarray]:
    """(bigram codes a * size + b, document of each) for neighbouring words within documents."""
    flat = seqs.flat.astype(np.int64)
    if len(flat) < 2:
        return np.zeros(0, np.int64), np.zeros(0, np.int64)
    valid = np.ones(len(flat) - 1, dtype=bool)
    last = seqs.offsets[1:-1] - 1
    valid[last[(last >= 0) & (last < len(valid))]] = False
    positions = np.flatnonzero(valid)
    codes = flat[positions] * size + flat[positions + 1]
    docs = np.searchsorted(seqs.offsets, positions, side="right") - 1
    return codes, docs


def with_bigrams(parts: list[Ragged], dictionary: list[str]) -> tuple[list[Ragged], list[str]]:
    """Each document's word ids followed by ids of its bigrams; the dictionary grows by "a b" entries."""
    size = len(dictionary)
    found = [_pairs(p, size) for p in parts]
    unique, inverse = np.unique(np.concatenate([c for c, _ in found]), return_inverse=True)
    words = list(dictionary) + [f"{dictionary[int(c // size)]} {dictionary[int(c % size)]}" for c in unique]
    result, start = [], 0
    for part, (codes, docs) in zip(parts, found):
        ids = inverse[start:start + len(codes)].astype(np.int64) + size
        start += len(codes)
        unigram_docs = np.repeat(np.arange(len(part)), part.lengths())
        keys = np.concatenate([unigram_docs, docs])
        values = np.concatenate([part.flat.astype(np.int64), ids])
        order = np.argsort(keys, kind="stable")  # a document's words stay before its bigrams
        lengths = part.lengths() + np.bincount(docs, minlength=len(part))
        offsets = np.zeros(len(part) + 1, dtype=np.int64)
        np.cumsum(lengths, out=offsets[1:])
        result.append(Ragged(values[order].astype(np.int32), offsets))
    return result, words

"""Synthetic data shaped like the real sets, so benchmarks run offline at full size.

IMDB-like reviews: log-normal lengths (median ≈ 175 words, mean ≈ 230, clipped to 10…2,500 like
the real set's 10…2,494), Zipf-distributed word ranks over the vocabulary, balanced labels with a
few sentiment words so a model has something to learn.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np

MEDIAN_WORDS = 175
LENGTH_SIGMA = 0.75
MIN_WORDS, MAX_WORDS = 10, 2500
ZIPF_EXPONENT = 1.05


def review_lengths(n: int, rng: np.random.Generator) -> np.ndarray:
    lengths = rng.lognormal(np.log(MEDIAN_WORDS), LENGTH_SIGMA, n)
    return np.clip(lengths, MIN_WORDS, MAX_WORDS).astype(np.int64)


def _zipf_ranks(count: int, vocab: int, rng: np.random.Generator) -> np.ndarray:
    """``count`` ranks in 0…vocab-1, rank r drawn with probability ∝ 1/(r+1)^s."""
    weights = 1.0 / np.arange(1, vocab + 1, dtype=np.float64) ** ZIPF_EXPONENT
    cdf = np.cumsum(weights)
    cdf /= cdf[-1]
    return np.minimum(np.searchsorted(cdf, rng.random(count)), vocab - 1)


def imdb_like_sequences(n: int = 25_000, vocab: int = 10_000, seed: int = 0
                        ) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """``(flat int32, offsets int64 (n+1), labels int64)``: review i is ``flat[offsets[i]:offsets[i+1]]``.

    Word ids follow Keras' IMDB encoding: 1 starts a review, ids 4…vocab-1 are words by frequency.
    """
    rng = np.random.default_rng(seed)
    lengths = review_lengths(n, rng)
    offsets = np.zeros(n + 1, dtype=np.int64)
    np.cumsum(lengths, out=offsets[1:])
    flat = (_zipf_ranks(int(offsets[-1]), vocab - 4, rng) + 4).astype(np.int32)
    labels = rng.integers(0, 2, n)
    # Three sentiment cues per review (ids 50-59 positive, 60-69 negative) give a learnable signal.
    cue_positions = offsets[:-1, None] + (rng.random((n, 3)) * lengths[:, None]).astype(np.int64)
    cue_ids = 50 + 10 * (1 - labels[:, None]) + rng.integers(0, 10, (n, 3))
    flat[cue_positions.ravel()] = cue_ids.ravel()
    flat[offsets[:-1]] = 1
    return flat, offsets, labels


def as_lists(flat: np.ndarray, offsets: np.ndarray) -> list[list[int]]:
    """What ``keras.datasets.imdb.load_data`` hands the book's recipe: one Python list per review."""
    return [flat[offsets[i]:offsets[i + 1]].tolist() for i in range(len(offsets) - 1)]


def _pseudo_words(count: int, rng: np.random.Generator) -> list[str]:
    """Distinct pronounceable lowercase words, shorter ones first (frequent words are short)."""
    consonants = list("bcdfghjklmnprstvwz")
    vowels = list("aeiou")
    words: list[str] = []
    seen: set[str] = set()
    syllables = 1
    while len(words) < count:
        batch = max(count, 1000)
        parts = [rng.choice(consonants, batch).astype(object) + rng.choice(vowels, batch).astype(object)
                 for _ in range(syllables)]
        tails = rng.choice(consonants + [""] * 6, batch).astype(object)
        for word in (sum(parts[1:], parts[0]) + tails):
            if word not in seen:
                seen.add(word)
                words.append(word)
                if len(words) == count:
                    break
        syllables += 1
    return words


POSITIVE = ["great", "wonderful", "superb", "loved", "brilliant", "moving", "best", "excellent"]
NEGATIVE = ["awful", "boring", "worst", "waste", "terrible", "dull", "poor", "mess"]


def write_text_folder(root: Path, n: int = 50_000, vocab: int = 40_000, seed: int = 0,
                      layout: str = "acl") -> dict[str, int]:
    """Write ``n`` reviews as one .txt file each, half positive; return counts per folder.

    ``layout`` "acl": ``root/train/{neg,pos}`` and ``root/test/{neg,pos}`` like aclImdb (n split
    evenly); "flat": ``root/{neg,pos}``.
    """
    rng = np.random.default_rng(seed)
    words = np.array(_pseudo_words(vocab, rng), dtype=object)
    lengths = review_lengths(n, rng)
    ranks = _zipf_ranks(int(lengths.sum()), vocab, rng)
    labels = np.arange(n) % 2
    folders = (["train/neg", "train/pos", "test/neg", "test/pos"] if layout == "acl" else ["neg", "pos"])
    counts = dict.fromkeys(folders, 0)
    for folder in folders:
        (root / folder).mkdir(parents=True, exist_ok=True)
    start = 0
    for i in range(n):
        end = start + int(lengths[i])
        tokens = words[ranks[start:end]].tolist()
        start = end
        label = int(labels[i])
        cues = POSITIVE if label else NEGATIVE
        for pos in rng.integers(0, len(tokens), 3):
            tokens[pos] = cues[int(rng.integers(len(cues)))]
        tokens[0] = tokens[0].capitalize()
        text = " ".join(tokens) + ". <br /><br />The end!\n"
        split = "train" if layout == "acl" and i < n // 2 else "test"
        folder = f"{split}/{'pos' if label else 'neg'}" if layout == "acl" else ("pos" if label else "neg")
        (root / folder / f"{i}_{7 if label else 3}.txt").write_text(text, encoding="utf-8")
        counts[folder] += 1
    return counts


def write_imdb_npz(keras_home: Path, n_train: int, n_test: int, seed: int = 0, vocab: int = 10_000) -> Path:
    """A synthetic ``datasets/imdb.npz`` in Keras' layout (object arrays of int lists)."""
    flat, offsets, labels = imdb_like_sequences(n_train + n_test, vocab, seed)
    lists = as_lists(flat, offsets)

    def objects(items: list[list[int]]) -> np.ndarray:
        array = np.empty(len(items), dtype=object)
        array[:] = items
        return array

    target = keras_home / "datasets" / "imdb.npz"
    target.parent.mkdir(parents=True, exist_ok=True)
    np.savez(target, x_train=objects(lists[:n_train]), y_train=labels[:n_train].astype(np.int64),
             x_test=objects(lists[n_train:]), y_test=labels[n_train:].astype(np.int64))
    return target

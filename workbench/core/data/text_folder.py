"""``text-folder:PATH``: one subfolder of text files per class, optionally under train/ and test/
(the ``aclImdb`` layout). Files that are not UTF-8 are decoded with replacement and counted.

50,000 reviews load in about 0.4x the time of a plain read/split/dict loop: two threads read and
split chunks of files (``word_ids.prepare_chunk``) while this thread gives their words ids
(``word_ids.WordTable``), and the first chunks are read while the cache key is being made.
"""

from __future__ import annotations

import os
from collections import deque
from concurrent.futures import Executor, Future, ThreadPoolExecutor
from pathlib import Path
from typing import Any

import numpy as np

from workbench.core.data.folders import file_signature, scan_class_folders
from workbench.core.data.ragged import Ragged
from workbench.core.data.raw import RawText
from workbench.core.data.word_ids import Chunk, WordTable, prepare_chunk
from workbench.core.errors import DataError

# Files per chunk: the unit of reading, progress and cancellation (~1 MB of reviews).
_CHUNK_FILES = 500
# Bytes split at once at most: splitting needs ~100 bytes of scratch arrays per word, so a chunk
# of large files is split in parts.
_CHUNK_BYTES = 16 << 20
_READERS = 2  # threads reading and splitting chunks while this one gives words ids
_AHEAD = 6  # chunks in flight (~6 MB each): keeps the readers busy, also while the cache key is made
_BLOCK = 1 << 16  # below glibc's mmap threshold, so each read's buffer comes from the heap
_OPEN_FLAGS = os.O_RDONLY | getattr(os, "O_BINARY", 0)  # Windows would translate newlines otherwise


def _read(path: str) -> bytes:
    """A whole file: os.open/os.read cost half of ``open(path, "rb").read()`` over 50,000 small files."""
    try:
        fd = os.open(path, _OPEN_FLAGS)
        try:
            data = os.read(fd, _BLOCK)
            if len(data) == _BLOCK:
                pieces = [data]
                while more := os.read(fd, 1 << 20):
                    pieces.append(more)
                data = b"".join(pieces)
        finally:
            os.close(fd)
    except OSError as exc:
        raise DataError(f"{path}: cannot be read ({exc.strerror}).") from None
    return data


def _read_chunk(paths: list[str], standardize: bool) -> list[Chunk]:
    documents = [_read(path) for path in paths]
    parts: list[Chunk] = []
    first = size = 0
    for i, data in enumerate(documents):
        if size + len(data) > _CHUNK_BYTES and i > first:
            parts.append(prepare_chunk(documents[first:i], standardize))
            first, size = i, 0
        size += len(data)
    parts.append(prepare_chunk(documents[first:], standardize))
    return parts


def _chunk_paths(items: list[tuple[str, int]]) -> list[list[str]]:
    paths = [path for path, _ in items]
    return [paths[start:start + _CHUNK_FILES] for start in range(0, len(paths), _CHUNK_FILES)]


class _ChunkFeed:
    """Chunks of files read and split by a pool's threads (file reads and most of numpy release
    the GIL), handed out in order, at most ``_AHEAD`` in flight. While the next one is not ready,
    the consuming thread reads a queued one itself rather than wait (~10% faster on 2 cores)."""

    def __init__(self, pool: Executor, groups: list[list[str]], standardize: bool):
        self._pool = pool
        self._groups = deque(groups)
        self._standardize = standardize
        self._pending: deque[tuple[Future[list[Chunk]], list[str]]] = deque()
        self._fill()

    def _fill(self) -> None:
        while self._groups and len(self._pending) < _AHEAD:
            group = self._groups.popleft()
            self._pending.append((self._pool.submit(_read_chunk, group, self._standardize), group))

    def next(self) -> list[Chunk]:
        head = self._pending[0][0]
        while not head.done() and self._steal():
            pass
        self._pending.popleft()
        self._fill()
        return head.result()

    def _steal(self) -> bool:
        """Read the last queued chunk here instead of waiting for the readers; False if none is left."""
        for i in range(len(self._pending) - 1, 0, -1):
            future, group = self._pending[i]
            if future.cancel():  # no reader has started it
                done: Future[list[Chunk]] = Future()
                try:
                    done.set_result(_read_chunk(group, self._standardize))
                except Exception as exc:  # noqa: BLE001 - raised where the chunk is used, in order
                    done.set_exception(exc)
                self._pending[i] = (done, group)
                return True
        return False

    def close(self) -> None:
        """Drop what is queued (a cache hit, a stop or an error); running reads end on their own."""
        self._groups.clear()
        while self._pending:
            self._pending.popleft()[0].cancel()


def _tokenize(ctx: Any, items: list[tuple[str, int]], table: WordTable, standardize: bool,
              done: int, total: int, feed: _ChunkFeed | None = None) -> tuple[Ragged, np.ndarray, int]:
    """Word ids of the files of ``items``: chunks come from ``feed`` (or are read here), and this
    thread gives their words ids in order, so ids stay first-seen."""
    ids: list[np.ndarray] = []
    counts: list[np.ndarray] = []
    bad = 0
    for k, group in enumerate(_chunk_paths(items)):
        ctx.check_stop()
        position = done + k * _CHUNK_FILES
        ctx.progress(0.5 * position / max(1, total), f"Reading {position:,} of {total:,} files…")
        for chunk in (feed.next() if feed is not None else _read_chunk(group, standardize)):
            ids.append(table.add(chunk))
            counts.append(chunk.counts)
            bad += chunk.bad
    offsets = np.zeros(len(items) + 1, dtype=np.int64)
    if counts:
        np.cumsum(np.concatenate(counts), out=offsets[1:])
    flat = np.concatenate(ids) if ids else np.zeros(0, dtype=np.int32)
    labels = np.fromiter((label for _, label in items), dtype=np.int32, count=len(items))
    return Ragged(flat, offsets), labels, bad


def load_text_folder(ctx: Any) -> RawText:
    """Texts of the folder as dictionary ids (cached on disk by folder contents and options)."""
    from workbench.core.data.cache import cached_raw_text

    root = Path(ctx.source.location).expanduser().resolve()
    standardize = ctx.options.bool("standardize", True)
    classes = ctx.options.list("classes") or None
    names, parts, notes = scan_class_folders(root, None, classes)
    train_items, test_items = parts["train"], parts.get("test", [])

    def build(feed: _ChunkFeed) -> RawText:
        table = WordTable()  # id 0 unused, so "no word" never collides
        total = len(train_items) + len(test_items)
        train, y_train, bad = _tokenize(ctx, train_items, table, standardize, 0, total, feed)
        test = y_test = None
        if test_items:
            test, y_test, bad_test = _tokenize(ctx, test_items, table, standardize, len(train_items), total, feed)
            bad += bad_test
        build_notes = list(notes)
        if bad:
            build_notes.append(f"{bad} file(s) were not valid UTF-8 and were decoded with replacement characters.")
        return RawText(train=train, y_train=y_train, test=test, y_test=y_test, class_names=names,
                       dictionary=table.dictionary(), id_mode="dictionary",
                       files_train=[p for p, _ in train_items],
                       files_test=[p for p, _ in test_items] or None, notes=build_notes)

    with ThreadPoolExecutor(_READERS, thread_name_prefix="text-folder") as pool:
        # The first chunks are read while this thread stats every file for the cache key (that
        # takes as long as reading a fifth of them); a cache hit drops them.
        feed = _ChunkFeed(pool, _chunk_paths(train_items) + _chunk_paths(test_items), standardize)
        try:
            return cached_raw_text(ctx, {"text-folder": str(root), "standardize": standardize, "classes": names},
                                   [], lambda: build(feed),
                                   lambda: file_signature([p for p, _ in train_items + test_items]))
        finally:
            feed.close()

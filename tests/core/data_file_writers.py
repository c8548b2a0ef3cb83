"""Writers of tiny dataset files in the exact formats Keras and the original sites use."""

from __future__ import annotations

import gzip
import json
import pickle
import struct
import zlib
from pathlib import Path

import numpy as np


def object_array(lists: list[list[int]]) -> np.ndarray:
    """A 1-D object array of Python int lists, as in Keras' imdb.npz / reuters.npz."""
    array = np.empty(len(lists), dtype=object)
    for i, item in enumerate(lists):
        array[i] = list(item)
    return array


def write_imdb(folder: Path, x_train, y_train, x_test, y_test, word_index: dict[str, int] | None = None) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / "imdb.npz"
    np.savez(path, x_train=object_array(x_train), y_train=np.asarray(y_train, dtype=np.int64),
             x_test=object_array(x_test), y_test=np.asarray(y_test, dtype=np.int64))
    if word_index is not None:
        (folder / "imdb_word_index.json").write_text(json.dumps(word_index))
    return path


def write_idx(path: Path, array: np.ndarray, *, gz: bool = True, magic: bytes | None = None) -> Path:
    array = np.asarray(array, dtype=np.uint8)
    header = (magic if magic is not None else bytes([0, 0, 0x08, array.ndim])) + struct.pack(
        ">" + "I" * array.ndim, *array.shape)
    data = header + array.tobytes()
    path.parent.mkdir(parents=True, exist_ok=True)
    if gz:
        with gzip.open(path, "wb") as handle:
            handle.write(data)
    else:
        path.write_bytes(data)
    return path


def write_png(path: Path, image: np.ndarray, filter_type: int = 0) -> Path:
    """An 8-bit PNG (gray, RGB or RGBA) with every row using ``filter_type`` (0-4)."""
    image = np.asarray(image, dtype=np.uint8)
    height, width = image.shape[:2]
    channels = 1 if image.ndim == 2 else image.shape[2]
    color = {1: 0, 3: 2, 4: 6}[channels]
    rows = image.reshape(height, width * channels).astype(np.int32)
    bpp = channels
    raw = bytearray()
    prev = np.zeros(width * channels, dtype=np.int32)
    for row in rows:
        left = np.concatenate([np.zeros(bpp, np.int32), row[:-bpp]])
        upleft = np.concatenate([np.zeros(bpp, np.int32), prev[:-bpp]])
        if filter_type == 0:
            out = row
        elif filter_type == 1:
            out = row - left
        elif filter_type == 2:
            out = row - prev
        elif filter_type == 3:
            out = row - (left + prev) // 2
        else:
            p = left + prev - upleft
            pa, pb, pc = abs(p - left), abs(p - prev), abs(p - upleft)
            pred = np.where((pa <= pb) & (pa <= pc), left, np.where(pb <= pc, prev, upleft))
            out = row - pred
        raw.append(filter_type)
        raw.extend((out % 256).astype(np.uint8).tobytes())
        prev = row

    def chunk(kind: bytes, body: bytes) -> bytes:
        return struct.pack(">I", len(body)) + kind + body + struct.pack(">I", zlib.crc32(kind + body))

    data = (b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", struct.pack(">IIBBBBB", width, height, 8, color, 0, 0, 0))
            + chunk(b"IDAT", zlib.compress(bytes(raw))) + chunk(b"IEND", b""))
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(data)
    return path


def write_pgm(path: Path, image: np.ndarray) -> Path:
    image = np.asarray(image, dtype=np.uint8)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(b"P5\n# made by a test\n%d %d\n255\n" % (image.shape[1], image.shape[0]) + image.tobytes())
    return path


def write_cifar_batch(path: Path, images: np.ndarray, labels: list[int]) -> Path:
    """A cifar-10-batches-py batch: a pickled dict with bytes keys.

    The original is a Python 2 protocol-2 pickle whose str keys load as bytes; Python 3 can only
    write bytes that way through ``_codecs.encode``, so protocol 3 (plain bytes opcodes) stands in.
    """
    data = np.asarray(images, dtype=np.uint8).transpose(0, 3, 1, 2).reshape(len(images), 3072)
    batch = {b"batch_label": b"testing batch", b"labels": list(labels), b"data": data,
             b"filenames": [b"img%d.png" % i for i in range(len(labels))]}
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(pickle.dumps(batch, protocol=3))
    return path


class Exploit:
    """Pickles to a call of os.system that creates ``marker``."""

    def __init__(self, marker: Path):
        self.marker = marker

    def __reduce__(self):
        import os

        return (os.system, (f"touch {self.marker}",))


def write_malicious_npz(path: Path, marker: Path, key: str = "x_train") -> Path:
    """An .npz whose object-array member would run ``touch marker`` under np.load(allow_pickle=True)."""
    evil = np.empty(2, dtype=object)
    evil[0] = [1, 2, 3]
    evil[1] = Exploit(marker)
    arrays = {"x_train": object_array([[1, 2]]), "y_train": np.array([0]),
              "x_test": object_array([[1, 2]]), "y_test": np.array([1])}
    arrays[key] = evil
    np.savez(path, **arrays)
    return path

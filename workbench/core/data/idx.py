"""MNIST-style IDX files (``*-idx3-ubyte``, ``*-idx1-ubyte``, optionally gzipped)."""

from __future__ import annotations

import gzip
import re
import zlib
from pathlib import Path

import numpy as np

from workbench.core.errors import DataError

_DTYPES = {0x08: np.dtype(np.uint8), 0x09: np.dtype(np.int8), 0x0B: np.dtype(">i2"),
           0x0C: np.dtype(">i4"), 0x0D: np.dtype(">f4"), 0x0E: np.dtype(">f8")}


def _read_bytes(path: Path) -> bytes:
    try:
        if path.suffix == ".gz":
            with gzip.open(path, "rb") as handle:
                return handle.read()
        return path.read_bytes()
    except FileNotFoundError:
        raise DataError(f"{path}: no such file.") from None
    except (OSError, EOFError, zlib.error) as exc:
        raise DataError(f"{path}: cannot be decompressed ({exc}); the file is damaged or truncated.") from None


def read_idx(path: str | Path) -> np.ndarray:
    """The array stored in one IDX file; bad magic numbers and truncation are DataErrors."""
    path = Path(path)
    data = _read_bytes(path)
    if len(data) < 4 or data[0] != 0 or data[1] != 0 or data[2] not in _DTYPES or not 1 <= data[3] <= 4:
        magic = data[:4].hex() if len(data) >= 4 else "missing"
        raise DataError(f"{path}: wrong magic number ({magic}); this is not an IDX file "
                        "(MNIST images start with 00000803, labels with 00000801).")
    dtype = _DTYPES[data[2]]
    ndim = data[3]
    header = 4 + 4 * ndim
    if len(data) < header:
        raise DataError(f"{path}: truncated inside the header.")
    dims = tuple(int(d) for d in np.frombuffer(data, dtype=">u4", count=ndim, offset=4))
    expected = int(np.prod(dims, dtype=np.int64)) * dtype.itemsize
    if len(data) - header < expected:
        raise DataError(f"{path}: truncated: the header promises {dims} values "
                        f"({expected} bytes) but only {len(data) - header} bytes follow.")
    array = np.frombuffer(data, dtype=dtype, count=int(np.prod(dims)), offset=header).reshape(dims)
    return array.astype(dtype.newbyteorder("="), copy=False) if dtype.byteorder == ">" else array


_IMAGE = re.compile(r"idx3", re.IGNORECASE)
_LABEL = re.compile(r"idx1", re.IGNORECASE)


def _role(name: str) -> str | None:
    lower = name.lower()
    if lower.startswith("train"):
        return "train"
    if lower.startswith(("t10k", "test")):
        return "test"
    return None


def find_idx_files(folder: str | Path) -> dict[str, dict[str, Path]]:
    """``{"train": {"images": p, "labels": p}, "test": {...}}`` for the files found by name."""
    folder = Path(folder)
    if not folder.exists():
        raise DataError(f"{folder}: no such folder.")
    if not folder.is_dir():
        raise DataError(f"{folder}: is a file; idx:PATH names a folder holding *-idx3-ubyte and "
                        "*-idx1-ubyte files.")
    found: dict[str, dict[str, Path]] = {}
    for entry in sorted(folder.iterdir()):
        if not entry.is_file():
            continue
        role = _role(entry.name)
        what = "images" if _IMAGE.search(entry.name) else "labels" if _LABEL.search(entry.name) else None
        if role and what:
            found.setdefault(role, {}).setdefault(what, entry)
    return found


def load_idx_folder(folder: str | Path) -> tuple[dict[str, tuple[np.ndarray, np.ndarray]], list[str]]:
    """Complete image/label pairs by split name, plus notes about incomplete ones."""
    folder = Path(folder)
    found = find_idx_files(folder)
    pairs: dict[str, tuple[np.ndarray, np.ndarray]] = {}
    notes: list[str] = []
    for role, files in found.items():
        if "images" not in files:
            notes.append(f"{files['labels'].name} has no matching {role} images file; ignored.")
            continue
        if "labels" not in files:
            notes.append(f"{files['images'].name} has no matching {role} labels file; ignored.")
            continue
        images = read_idx(files["images"])
        labels = read_idx(files["labels"])
        if images.ndim not in (3, 4):
            raise DataError(f"{files['images']}: expected images (N x rows x cols), got shape {images.shape}.")
        if labels.ndim != 1:
            raise DataError(f"{files['labels']}: expected one label per image, got shape {labels.shape}.")
        if len(images) != len(labels):
            raise DataError(f"{files['images']} has {len(images)} images but {files['labels']} has "
                            f"{len(labels)} labels; they must match.")
        pairs[role] = (images, labels)
    if not pairs:
        found_text = (" Found: " + " ".join(notes)) if notes else ""
        raise DataError(f"{folder}: no complete pair of IDX files (an *-idx3-ubyte images file and its "
                        f"*-idx1-ubyte labels file, named train-… or t10k-…).{found_text}")
    return pairs, notes

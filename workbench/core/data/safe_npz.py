"""Read ``.npz`` files without ever running code from them.

Keras' ``imdb.npz`` and ``reuters.npz`` store ragged sequences as object arrays, which numpy
can only save as a pickle stream; ``np.load(allow_pickle=True)`` would run whatever that
stream asks for. Numeric members are read with pickling disabled; object members go through
:class:`ArrayOnlyUnpickler`, which can build numpy arrays and nothing else, and the result
must be an array of integer lists.
"""

from __future__ import annotations

import io
import pickle
import zipfile
import zlib
from pathlib import Path
from typing import Any

import numpy as np

from workbench.core.data.ragged import Ragged
from workbench.core.errors import DataError

# The only globals a pickled numpy object array refers to (numpy < 2 and >= 2 spellings).
_ALLOWED_GLOBALS = frozenset({
    ("numpy", "ndarray"),
    ("numpy", "dtype"),
    ("numpy.core.multiarray", "_reconstruct"),
    ("numpy._core.multiarray", "_reconstruct"),
})


class RefusedPickle(Exception):
    """The pickle stream asked for something other than numpy array reconstruction."""


class ArrayOnlyUnpickler(pickle.Unpickler):
    """Unpickles numpy arrays of plain Python values; any other global is refused."""

    def find_class(self, module: str, name: str) -> Any:
        if (module, name) in _ALLOWED_GLOBALS:
            return super().find_class(module, name)
        raise RefusedPickle(f"{module}.{name}")

    def persistent_load(self, pid: Any) -> Any:
        raise RefusedPickle("persistent id")


def restricted_loads(stream: io.BufferedIOBase | io.BytesIO, *, encoding: str = "ASCII") -> Any:
    """Unpickle with :class:`ArrayOnlyUnpickler`; raises RefusedPickle or pickle errors."""
    return ArrayOnlyUnpickler(stream, encoding=encoding).load()


def _read_member(data: bytes, path: Path, member: str) -> np.ndarray | Ragged:
    buffer = io.BytesIO(data)
    try:
        version = np.lib.format.read_magic(buffer)
        if version == (1, 0):
            shape, _, dtype = np.lib.format.read_array_header_1_0(buffer)
        elif version in ((2, 0), (3, 0)):
            # 3.0 differs from 2.0 only in the header's text encoding, not its layout.
            shape, _, dtype = np.lib.format.read_array_header_2_0(buffer)
        else:
            raise ValueError(f"unsupported .npy version {version}")
    except ValueError as exc:
        raise DataError(f"{path}: member {member} is not a numpy array ({exc}).") from None
    if not dtype.hasobject:
        buffer.seek(0)
        try:
            return np.lib.format.read_array(buffer, allow_pickle=False)
        except ValueError as exc:
            raise DataError(f"{path}: member {member} is damaged or truncated ({exc}).") from None
    try:
        value = restricted_loads(buffer)
    except RefusedPickle as exc:
        raise DataError(
            f"{path}: member {member} asks to run {exc} while loading; refused. "
            "A dataset file only holds arrays of numbers; this file may be malicious or not a Keras dataset."
        ) from None
    except Exception as exc:  # noqa: BLE001 - any broken stream is a bad file, never a crash
        raise DataError(f"{path}: member {member} is damaged ({type(exc).__name__}: {exc}).") from None
    return _as_integer_lists(value, path, member, shape)


def _as_integer_lists(value: Any, path: Path, member: str, shape: tuple[int, ...]) -> Ragged:
    if not isinstance(value, np.ndarray) or value.dtype != object or value.ndim != 1:
        raise DataError(f"{path}: member {member} must be a 1-D array of integer lists, "
                        f"got {type(value).__name__}.")
    sequences = []
    for i, item in enumerate(value):
        if isinstance(item, np.ndarray) and item.dtype.kind in "iu" and item.ndim == 1:
            item = item.tolist()
        if not isinstance(item, list) or not all(type(v) is int for v in item):
            raise DataError(f"{path}: member {member}, entry {i} is not a list of integers; "
                            "only arrays of integer lists are accepted.")
        sequences.append(item)
    try:
        return Ragged.from_lists(sequences)
    except OverflowError:
        raise DataError(f"{path}: member {member} holds integers too large for word indices.") from None


def read_npz(path: str | Path, required: tuple[str, ...] = ()) -> dict[str, np.ndarray | Ragged]:
    """Every member of an ``.npz``: numeric arrays as arrays, object arrays as :class:`Ragged`."""
    path = Path(path)
    try:
        archive = zipfile.ZipFile(path)
    except FileNotFoundError:
        raise DataError(f"{path}: no such file.") from None
    except (zipfile.BadZipFile, OSError) as exc:
        raise DataError(f"{path}: is not an .npz file (not a zip archive: {exc}).") from None
    with archive:
        names = {n[:-4]: n for n in archive.namelist() if n.endswith(".npy")}
        missing = [k for k in required if k not in names]
        if missing:
            raise DataError(f"{path}: missing the array(s) {', '.join(missing)}; found "
                            f"{', '.join(sorted(names)) or 'none'}. Is this the right file?")
        result: dict[str, np.ndarray | Ragged] = {}
        for key in (required or tuple(names)):
            try:
                data = archive.read(names[key])
            except (zipfile.BadZipFile, zlib.error, OSError, EOFError) as exc:
                raise DataError(f"{path}: member {key} cannot be read ({exc}); the file is damaged.") from None
            result[key] = _read_member(data, path, key)
    return result


def npz_members(path: str | Path) -> list[str]:
    """Names of the arrays in an ``.npz`` (cheap: reads the zip directory only)."""
    path = Path(path)
    try:
        with zipfile.ZipFile(path) as archive:
            return [n[:-4] for n in archive.namelist() if n.endswith(".npy")]
    except (zipfile.BadZipFile, OSError) as exc:
        raise DataError(f"{path}: is not an .npz file ({exc}).") from None

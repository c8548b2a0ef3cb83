"""Crash-safe file writes (a temp file in the same folder, fsync, then ``os.replace``), and reads
whose errors name the file and say what was expected."""

from __future__ import annotations

import json
import os
import stat
import tempfile
from pathlib import Path
from typing import Any

from workbench.core.errors import StorageError


def read_file_bytes(path: Path, error: type[Exception], folder_hint: str) -> bytes:
    """The bytes of ``path``; problems raise ``error`` naming the file. ``folder_hint`` completes
    "is a folder; …" (e.g. "csv:PATH names a .csv file")."""
    try:
        return path.read_bytes()
    except FileNotFoundError:
        raise error(f"{path}: no such file.") from None
    except IsADirectoryError:
        raise error(f"{path}: is a folder; {folder_hint}.") from None
    except OSError as exc:
        raise error(f"{path}: cannot be read ({exc.strerror}).") from None


def _umask() -> int:
    """The process umask, read without changing it (``os.umask`` can only set it, which races
    with other threads creating files); falls back to the value read once at import."""
    try:
        with open("/proc/self/status", encoding="ascii") as handle:
            for line in handle:
                if line.startswith("Umask:"):
                    return int(line.split()[1], 8)
    except (OSError, ValueError, IndexError):
        pass
    return _IMPORT_UMASK


def _read_import_umask() -> int:
    mask = os.umask(0o022)
    os.umask(mask)
    return mask


_IMPORT_UMASK = _read_import_umask()


def _write_error(target: Path, exc: OSError) -> StorageError:
    """A message naming the file the user asked for (never our temp file) and what to do."""
    if isinstance(exc, IsADirectoryError) or target.is_dir():
        return StorageError(f"{target}: is a folder; give a file name.")
    if isinstance(exc, PermissionError):
        return StorageError(f"{target}: cannot be written (permission denied); choose another folder "
                            "or file name.")
    if isinstance(exc, (FileNotFoundError, NotADirectoryError)) or not target.parent.is_dir():
        return StorageError(f"{target}: the folder {target.parent} does not exist or cannot be written; "
                            "choose another folder.")
    return StorageError(f"{target}: cannot be written ({exc.strerror or exc}); choose another folder "
                        "or free some space.")


def atomic_write_bytes(path: str | os.PathLike[str], data: bytes) -> None:
    """Write ``data`` to ``path`` so that readers see the old file or the new one, never half.

    The file gets the mode of the file it replaces, else the usual ``0o666 & ~umask`` (``mkstemp``
    alone would make every saved file private, 0600). Failures raise :class:`StorageError`
    naming ``path``.
    """
    target = Path(path)
    if target.is_dir():
        raise StorageError(f"{target}: is a folder; give a file name.")
    try:
        target.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".tmp", dir=target.parent)
    except OSError as exc:
        raise _write_error(target, exc) from None
    try:
        try:
            mode = stat.S_IMODE(os.stat(target).st_mode)
        except OSError:
            mode = 0o666 & ~_umask()
        with os.fdopen(fd, "wb") as handle:
            os.fchmod(handle.fileno(), mode)
            handle.write(data)
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(tmp, target)
    except BaseException as exc:
        try:
            os.unlink(tmp)
        except OSError:
            pass
        if isinstance(exc, OSError) and not isinstance(exc, StorageError):
            raise _write_error(target, exc) from None
        raise


def atomic_write_text(path: str | os.PathLike[str], text: str) -> None:
    """UTF-8 text version of :func:`atomic_write_bytes`."""
    atomic_write_bytes(path, text.encode("utf-8"))


def atomic_write_json(path: str | os.PathLike[str], value: Any) -> None:
    """Pretty JSON, atomically."""
    atomic_write_text(path, json.dumps(value, indent=2, ensure_ascii=False) + "\n")

"""Crash-safe file writes (a temp file in the same folder, fsync, then ``os.replace``), and reads
whose errors name the file and say what was expected."""

from __future__ import annotations

import json
import os
import tempfile
from pathlib import Path
from typing import Any


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


def atomic_write_bytes(path: str | os.PathLike[str], data: bytes) -> None:
    """Write ``data`` to ``path`` so that readers see the old file or the new one, never half."""
    target = Path(path)
    target.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".tmp", dir=target.parent)
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(tmp, target)
    except BaseException:
        try:
            os.unlink(tmp)
        except OSError:
            pass
        raise


def atomic_write_text(path: str | os.PathLike[str], text: str) -> None:
    """UTF-8 text version of :func:`atomic_write_bytes`."""
    atomic_write_bytes(path, text.encode("utf-8"))


def atomic_write_json(path: str | os.PathLike[str], value: Any) -> None:
    """Pretty JSON, atomically."""
    atomic_write_text(path, json.dumps(value, indent=2, ensure_ascii=False) + "\n")

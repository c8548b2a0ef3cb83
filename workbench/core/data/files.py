"""Reading a source's file with errors that name the file and say what the source expects."""

from __future__ import annotations

from pathlib import Path

from workbench.core.errors import DataError


def read_source_file(path: Path, expected: str) -> bytes:
    """The bytes of ``path``; ``expected`` completes "is a folder; …" (e.g. "csv:PATH names a .csv file")."""
    try:
        return path.read_bytes()
    except FileNotFoundError:
        raise DataError(f"{path}: no such file.") from None
    except IsADirectoryError:
        raise DataError(f"{path}: is a folder; {expected}.") from None
    except OSError as exc:
        raise DataError(f"{path}: cannot be read ({exc.strerror}).") from None

"""Reading a source's file with errors that name the file and say what the source expects."""

from __future__ import annotations

from pathlib import Path

from workbench.core.errors import DataError
from workbench.core.storage import read_file_bytes


def read_source_file(path: Path, expected: str) -> bytes:
    """The bytes of ``path``; ``expected`` completes "is a folder; …" (e.g. "csv:PATH names a .csv file")."""
    return read_file_bytes(path, DataError, expected)

"""Where the workbench keeps user files: runs, caches, autosaves (platform user directories).

Paths are computed at call time, so tests (and users) can redirect them with environment
variables: ``WORKBENCH_DATA_DIR`` / ``WORKBENCH_CACHE_DIR`` win, then platformdirs (which
honours ``XDG_*`` on Linux).
"""

from __future__ import annotations

import os
import tempfile
from pathlib import Path

import platformdirs

APP_NAME = "KerasWorkbench"

_fallbacks: dict[str, Path] = {}


def _usable(path: Path) -> Path:
    """Return ``path`` created, or a per-session temp folder when it cannot be written.

    A bundle started with a read-only home must still run; what it writes then lives for the
    session only, and :func:`fallback_notes` tells the user where.
    """
    try:
        path.mkdir(parents=True, exist_ok=True)
        probe = path / ".write-test"
        probe.write_bytes(b"")
        probe.unlink()
        return path
    except OSError:
        if str(path) not in _fallbacks:
            _fallbacks[str(path)] = Path(tempfile.mkdtemp(prefix="keras-workbench-"))
        return _fallbacks[str(path)]


def fallback_notes() -> list[str]:
    """One line per user folder that could not be written and was replaced by a temp folder."""
    return [
        f"Cannot write to {wanted}; using {temp} for this session (files there are lost on exit)."
        for wanted, temp in _fallbacks.items()
    ]


def data_dir() -> Path:
    """Root of the user's data: runs, autosaves."""
    env = os.environ.get("WORKBENCH_DATA_DIR")
    return _usable(Path(env) if env else platformdirs.user_data_path(APP_NAME, appauthor=False))


def cache_dir() -> Path:
    """Root of caches that can be rebuilt: imported datasets, processed datasets."""
    env = os.environ.get("WORKBENCH_CACHE_DIR")
    return _usable(Path(env) if env else platformdirs.user_cache_path(APP_NAME, appauthor=False))


def runs_dir() -> Path:
    """Default folder of training runs (``--runs DIR`` overrides it per command)."""
    return _usable(data_dir() / "runs")


def autosave_dir() -> Path:
    """Folder of autosaved documents offered for recovery after a crash."""
    return _usable(data_dir() / "autosave")


def dataset_cache_dir() -> Path:
    """Our own copy of imported/downloaded Keras dataset files."""
    return _usable(cache_dir() / "datasets")


def keras_home() -> Path:
    """The Keras cache root, as Keras itself resolves it (``KERAS_HOME`` or ``~/.keras``)."""
    env = os.environ.get("KERAS_HOME")
    return Path(env) if env else Path.home() / ".keras"

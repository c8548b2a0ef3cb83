"""Package data (templates, icons, examples), found installed, from source and when frozen."""

from __future__ import annotations

import importlib.resources
from importlib.resources.abc import Traversable
from pathlib import Path


def resource_root() -> Traversable:
    """The ``resources`` folder: the installed ``workbench.resources`` package, else the checkout's."""
    try:
        return importlib.resources.files("workbench.resources")
    except ModuleNotFoundError:
        # Running from a source checkout that was never pip-installed.
        return Path(__file__).resolve().parents[2] / "resources"


def resource(*parts: str) -> Traversable:
    """A file or folder below the resources root."""
    node = resource_root()
    for part in parts:
        node = node / part
    return node
